"""How a batch of lectures runs: ``executor=serial`` (one after another in this process) or ``executor=dask``
(one task per lecture on a cluster, `lecturelab.lecture.dask_batch`). `EXECUTORS` is the registry of the
``executor`` config group; `lecturelab.lecture.pipeline.process` checks the batch and hands it to one of them.

Each executor takes ``(cfg, files, outs, run_one, models)``: lecture ``files[i]`` goes into ``outs[i]`` through
``run_one`` (`lecturelab.lecture.pipeline.run_one`, passed in so this module does not import the pipeline
back), with ``models`` the batch's loaded models; it prints one line per lecture and returns the exit code
of `lecturelab.errors`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lecturelab.errors import FAILED, INTERRUPTED, OK
from lecturelab.lecture.dask_batch import process_on_dask


def run_serial(cfg, files: list[Path], outs: list[Path], run_one, models) -> int:
    """The lectures one after another in this process; exit codes 0 all done, 1 some failed, 130 Ctrl-C
    (finished lectures are kept, the one in progress leaves nothing)."""
    failures: list[str] = []
    done = 0
    try:
        for path, out in zip(files, outs, strict=True):
            ok, line = run_one(path, out, cfg, models)
            if ok:
                done += 1
                print(line)
            else:
                failures.append(line)
                print(f"error: {line}", file=sys.stderr)
    except KeyboardInterrupt:
        print(f"\ninterrupted: {done} of {len(files)} lecture(s) finished and kept; the one in progress "
              "left no output", file=sys.stderr)
        return INTERRUPTED
    if failures:
        print(f"{len(failures)} of {len(files)} lecture(s) failed:", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
    return FAILED if failures else OK


# conf/executor/<name>.yaml -> the code; their settings models are `lecturelab.lecture.settings.EXECUTOR_SETTINGS`
EXECUTORS = {"serial": run_serial, "dask": process_on_dask}
