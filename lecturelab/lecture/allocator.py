"""Keep freed memory for reuse in the process that transcribes (glibc ``mallopt(3)``).

CTranslate2 allocates its tensors with ``posix_memalign``. On Whisper's 30 s windows several are larger than
glibc's 32 MB cap on the mmap threshold (``DEFAULT_MMAP_THRESHOLD_MAX`` on 64-bit), so each one is a fresh
``mmap``, faulted in page by page, zeroed by the kernel and unmapped again on ``free``; a thread's own arena
(at most 64 MB per heap) maps every larger block the same way: millions of page faults and seconds of system
CPU on a long lecture. With ``M_MMAP_MAX = 0`` large blocks come from the heap, with a high
``M_TRIM_THRESHOLD`` freed ones stay there, and with ``M_ARENA_MAX = 2`` threads share two arenas, the main
one (which grows past 64 MB) and one more, instead of up to 8 per core, so the next window reuses resident
pages (a block over 64 MB in the second arena is still mapped; glibc's ``sysmalloc`` falls back to
``mmap``). The price is a higher resident peak: memory is kept until the process ends. Speed and memory
with and without it: ``metrics/asr.json`` (``scripts/bench_asr.py``).
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD = -1   # glibc <malloc.h>
M_MMAP_MAX = -4
M_ARENA_MAX = -8
ARENA_MAX = 2   # threads share two arenas (the main one, which can grow past 64 MB, and one more)
TRIM_THRESHOLD = 2**31 - 1   # bytes (2 GiB - 1): mallopt takes an int, this is the highest it accepts

_done = False


def keep_freed_memory() -> bool:
    """Set ``M_MMAP_MAX`` to 0, ``M_TRIM_THRESHOLD`` to 2 GiB - 1 and ``M_ARENA_MAX`` to 2 for this process
    (arenas made before keep theirs). Returns True when glibc accepted all three (each is tried), False
    elsewhere (macOS, Windows, musl: nothing changes there). Never raises."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt   # the C library this process already runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    results = [mallopt(opt, value) for opt, value in
               ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, TRIM_THRESHOLD), (M_ARENA_MAX, ARENA_MAX))]
    _done = results == [1, 1, 1]
    return _done
