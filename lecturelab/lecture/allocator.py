"""Keep freed memory for reuse in the process that transcribes (glibc ``mallopt(3)``).

CTranslate2 allocates its tensors with ``posix_memalign``. On Whisper's 30 s windows several are larger than
glibc's 32 MB cap on the mmap threshold (``DEFAULT_MMAP_THRESHOLD_MAX`` on 64-bit), so each one is a fresh
``mmap``, faulted in page by page, zeroed by the kernel and unmapped again on ``free``; a thread's own
arena (at most 64 MB per heap) maps every larger block the same way. On the 10-minute sample lecture that
was 3.6 million page faults and 7-8 s of system CPU on 2 cores (``/usr/bin/time``, 2026-11-30). With
``M_MMAP_MAX = 0`` large blocks come from the heap, with a high ``M_TRIM_THRESHOLD`` freed ones stay there,
and with ``M_ARENA_MAX = 2`` threads share the main arena, which grows past 64 MB: 0.7 million faults and
2 s of system CPU, the next window reusing resident pages. The price is a higher resident peak (+0.1 to
+0.45 GB there): memory is kept until the process ends. Speed: README, "Real speech".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1   # glibc <malloc.h>
M_MMAP_MAX = -4
M_ARENA_MAX = -8
ARENA_MAX = 2   # threads share two arenas (the main one, which can grow past 64 MB, and one more)
TRIM_THRESHOLD = 2**31 - 1   # bytes; mallopt takes an int, so 2 GiB is the highest it accepts

_done = False


def keep_freed_memory() -> bool:
    """Set ``M_MMAP_MAX`` to 0, ``M_TRIM_THRESHOLD`` to 2 GiB and ``M_ARENA_MAX`` to 2 for this process
    (arenas made before keep theirs). Returns True when glibc accepted all three, False elsewhere (macOS,
    Windows, musl: nothing changes there). Never raises."""
    global _done
    if _done:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    _done = all(mallopt(opt, value) == 1 for opt, value in
                ((M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, TRIM_THRESHOLD), (M_ARENA_MAX, ARENA_MAX)))
    return _done
