"""The task wrapper of a Hydra run (as in ashleve/lightning-hydra-template's ``task_wrapper``): a crashed
run leaves ``failed.json`` and closes W&B, so a sweep records the trial as failed and goes on.

A bad config value or a missing input (`INPUT_ERRORS`) is logged as one line, as the DVC stages print
it; any other crash with its traceback. ``failed.json`` keeps the traceback either way."""

from __future__ import annotations

import functools
import logging
import sys
import traceback
from pathlib import Path

from lecturelab.config import ConfigError
from lecturelab.errors import one_line
from lecturelab.io import write_json

log = logging.getLogger(__name__)

# errors whose message says all a user needs (the key and the allowed values, the missing file)
INPUT_ERRORS = (ConfigError, FileNotFoundError)


def task_wrapper(fn):
    """Run ``fn(cfg)``; on a crash write ``<run dir>/failed.json``, close any W&B run with exit code 1
    and re-raise, so Hydra records the job as failed and the Optuna sweeper tells the study
    ``FAIL`` and starts the next trial (``max_failure_rate``)."""

    @functools.wraps(fn)
    def wrapped(cfg):
        try:
            return fn(cfg)
        except Exception as e:
            if isinstance(e, INPUT_ERRORS) and not cfg.get("verbose", False):
                log.error("run failed: %s", one_line(e))
            else:
                log.exception("run failed: %s", e)
            write_json(Path(cfg.paths.output_dir) / "failed.json",
                       {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()})
            _close_wandb()  # train() closes its own run; this covers a crash outside it
            raise

    return wrapped


def _close_wandb() -> None:
    wandb = sys.modules.get("wandb")  # imported only if this run used it
    if wandb is not None and wandb.run is not None:
        wandb.run.finish(exit_code=1)
