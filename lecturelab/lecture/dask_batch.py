"""A batch of lectures on a ``dask.distributed`` cluster: ``lecturelab process <folder> executor=dask``.

One task per lecture, each running the same `lecturelab.lecture.pipeline.run_one` as the serial loop, so
the files are the same bytes (checked by tests/test_dask_batch.py). The client keeps everything a batch
decides once: the config check, the output folder of each lecture (`output_dirs`) and the exit code.

- Models: a worker process builds one ``_Models`` (glossary, keyphrase tagger) per checkpoint and
  transcriber config and keeps it for every later lecture (`_MODELS`); Whisper is cached per process by
  `lecturelab.lecture.transcribe.load_whisper`. So each worker loads Whisper and the tagger once.
- Failures: a lecture that fails is one ``error:`` line and the others go on (exit code 1). A worker that
  dies mid-lecture (killed, out of memory) leaves no half-written lecture folder: the pipeline writes into
  a hidden temp folder beside it (`lecturelab.io.atomic_dir`) that only a finished lecture renames into
  place; Dask reschedules the lecture on another worker up to ``executor.retries`` times
  (``distributed.scheduler.allowed-failures``), then it is reported as failed.
- Paths go to the workers as the client sees them: on a cluster the workers need the same file system
  (input, output_dir, model_path, cache_dir), and absolute paths.

Requires the optional extra ``pip install 'lecturelab[dask]'`` (dask + distributed).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys
import threading
from pathlib import Path

from omegaconf import OmegaConf

from lecturelab.console import quiet_libraries
from lecturelab.errors import FAILED, INTERRUPTED, OK, USAGE, one_line
from lecturelab.lecture.settings import check_executor
from lecturelab.transcript.document import read_transcript

# per worker process: (checkpoint, transcriber config) -> _Models, so the tagger loads once per worker
_MODELS: dict[tuple[str, str], object] = {}
_MODELS_LOCK = threading.Lock()


def worker_models(cfg, make_models):
    """This worker's ``make_models(cfg)`` for ``cfg``'s checkpoint, inference runtime and transcriber, built
    on first use."""
    key = (str(cfg.model_path), str(cfg.get("inference")),
           json.dumps(OmegaConf.to_container(cfg.transcriber, resolve=True), sort_keys=True))
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = make_models(cfg)
        return _MODELS[key]


def loaded_models() -> int:
    """How many model sets this worker process holds (the tests ask each worker through ``Client.run``)."""
    return len(_MODELS)


def lecture_task(cfg_dict: dict, path: str, out: str, run_one, make_models) -> dict:
    """Run one lecture on a worker: ``{"ok", "line", "notes", "hours"}`` (the line as the serial run
    prints it, what the lecture wrote to stderr, its audio length in hours once done). ``cfg_dict`` is
    the resolved config (the client's resolvers and relative paths need not exist on the worker)."""
    cfg = OmegaConf.create(cfg_dict)
    quiet_libraries(bool(cfg.verbose))     # before the worker's first TensorFlow import
    notes = io.StringIO()
    # warnings of this lecture come back to the client (with threads_per_worker > 1 they may interleave)
    with contextlib.redirect_stderr(notes):
        ok, line = run_one(Path(path), Path(out), cfg, worker_models(cfg, make_models))
    hours = 0.0
    if ok:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            doc = read_transcript(out)
            hours = float(doc["source"]["duration"]) / 3600
    return {"ok": ok, "line": line, "notes": notes.getvalue(), "hours": hours}


@contextlib.contextmanager
def dask_client(ex, verbose: bool = False):
    """A ``distributed.Client`` on ``ex.address``, or on a LocalCluster of ``ex.n_workers`` processes
    (closed on exit). A dead worker's task is rescheduled ``ex.retries`` times."""
    import dask
    from distributed import Client, LocalCluster

    quiet = logging.WARNING if verbose else logging.ERROR
    # allowed-failures is read by the scheduler: it applies to a LocalCluster; a running scheduler keeps its own
    with dask.config.set({"distributed.scheduler.allowed-failures": int(ex.retries)}):
        if ex.address:
            with Client(ex.address) as client:
                yield client
            return
        with LocalCluster(n_workers=ex.n_workers, threads_per_worker=ex.threads_per_worker, processes=True,
                          memory_limit=ex.memory_limit, dashboard_address=None, silence_logs=quiet) as cluster, \
                Client(cluster) as client:
            yield client


def process_on_dask(cfg, files: list[Path], outs: list[Path], run_one, models) -> int:
    """`lecturelab.lecture.pipeline.process` with one Dask task per lecture (``files[i]`` into ``outs[i]``),
    an executor of `lecturelab.lecture.batch.EXECUTORS`. ``run_one`` is the pipeline's (passed in, so this
    module does not import the pipeline back); ``models`` are the client's, built as the batch was checked:
    each worker builds its own of the same class (`worker_models`). One progress bar in the client:
    lectures and audio hours done. Exit codes as `lecturelab.errors`: 0 all done, 1 some failed, 2 a bad
    executor key or Dask missing, 130 Ctrl-C (finished lectures are kept, the ones in progress are
    cancelled and leave no lecture folder)."""
    from tqdm import tqdm

    ex = cfg.executor
    make_models = type(models)   # a class, which pickles to the workers; the loaded models stay here
    try:
        check_executor(ex)
        import distributed  # noqa: F401 - the optional extra: one line instead of a traceback
    except ValueError as e:
        print(f"error: {one_line(e)}", file=sys.stderr)
        return USAGE
    except ImportError:
        print("error: executor=dask needs dask.distributed: pip install 'lecturelab[dask]'", file=sys.stderr)
        return USAGE
    verbose = bool(cfg.get("verbose", False))
    cfg_dict = OmegaConf.to_container(cfg, resolve=True)
    cfg_dict["progress"] = False   # one bar over the batch here, not one per lecture in each worker
    failures: dict[int, str] = {}
    done = 0
    try:
        with dask_client(ex, verbose) as client:
            from distributed import as_completed

            futures = {client.submit(lecture_task, cfg_dict, str(path), str(out), run_one, make_models,
                                     key=f"lecture-{i}-{path.name}", retries=int(ex.retries), pure=False): i
                       for i, (path, out) in enumerate(zip(files, outs, strict=True))}
            hours = 0.0
            with tqdm(total=len(files), unit="lecture", disable=not cfg.progress, file=sys.stderr,
                      dynamic_ncols=True) as bar:
                for fut in as_completed(futures):
                    i = futures[fut]
                    try:
                        result = fut.result()
                    except Exception as e:  # noqa: BLE001 - KilledWorker after the retries, or a task error
                        result = {"ok": False, "line": f"{files[i]}: {type(e).__name__}: {one_line(e)}",
                                  "notes": "", "hours": 0.0}
                    if result["notes"]:
                        bar.write(result["notes"].rstrip("\n"), file=sys.stderr)
                    if result["ok"]:
                        done += 1
                        hours += result["hours"]
                        bar.write(result["line"], file=sys.stdout)
                    else:
                        failures[i] = result["line"]
                        bar.write(f"error: {result['line']}", file=sys.stderr)
                    bar.set_postfix_str(f"{hours:.2f} h audio", refresh=False)
                    bar.update(1)
    except KeyboardInterrupt:
        print(f"\ninterrupted: {done} of {len(files)} lecture(s) finished and kept; the ones in progress "
              "left no output", file=sys.stderr)
        return INTERRUPTED
    except OSError as e:   # no scheduler at executor.address (distributed raises OSError after its timeout)
        print(f"error: executor.address={ex.address}: {one_line(e)}", file=sys.stderr)
        return USAGE
    if failures:
        print(f"{len(failures)} of {len(files)} lecture(s) failed:", file=sys.stderr)
        for i in sorted(failures):
            print(f"  {failures[i]}", file=sys.stderr)
    return FAILED if failures else OK
