"""lecturelab.lecture.allocator: a freed block bigger than glibc's mmap cap is reused without page faults."""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

# allocate, touch, free a 96 MB block twice (above the 32 MB mmap threshold cap), report the minor faults
# of the second round; with keep_freed_memory() the second round reuses resident heap pages
PROBE = r"""
import ctypes, json, resource, sys
from lecturelab.lecture.allocator import keep_freed_memory
on = sys.argv[1] == "on" and keep_freed_memory()
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, (ctypes.c_size_t,)
libc.free.argtypes = (ctypes.c_void_p,)
size = 96 << 20
def round_trip():
    p = libc.malloc(size)
    ctypes.memset(p, 1, size)
    libc.free(p)
round_trip()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
round_trip()
print(json.dumps({"on": on, "faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before}))
"""


THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def _faults(mode: str) -> dict:
    # the child starts with glibc's defaults whatever this shell exported
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt's options are glibc's")
@pytest.mark.skipif(THP.exists() and "[always]" in THP.read_text(), reason="huge pages fault 2 MB at a time")
def test_freed_big_blocks_are_reused_without_page_faults():
    off, on = _faults("off"), _faults("on")
    assert on["on"] is True and off["on"] is False
    pages = (96 << 20) // 4096
    assert off["faults"] > pages // 2          # glibc's default: a fresh mmap, every page faulted again
    assert on["faults"] < pages // 20          # kept on the heap: the pages are still resident


@pytest.mark.parametrize("value", ["off", "null", "1"])
def test_keep_freed_memory_must_be_true_or_false(value):
    from lecturelab.config import compose
    from lecturelab.lecture.settings import check_process as _validate

    assert compose("process", []).keep_freed_memory is True
    with pytest.raises(ValueError, match="keep_freed_memory=.*true or false"):
        _validate(compose("process", [f"keep_freed_memory={value}"]))
