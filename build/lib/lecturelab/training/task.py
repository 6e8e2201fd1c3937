"""The task wrapper of a Hydra run (as in ashleve/lightning-hydra-template's ``task_wrapper``): a crashed
run leaves ``failed.json`` and closes W&B, so a sweep records the trial as failed and goes on."""

from __future__ import annotations

import functools
import logging
import sys
import traceback
from pathlib import Path

from lecturelab.io import write_json

log = logging.getLogger(__name__)


def task_wrapper(fn):
    """Run ``fn(cfg)``; on a crash write ``<run dir>/failed.json``, close any W&B run with exit code 1
    and re-raise, so Hydra records the job as failed and the Optuna sweeper tells the study
    ``FAIL`` and starts the next trial (``max_failure_rate``)."""

    @functools.wraps(fn)
    def wrapped(cfg):
        try:
            return fn(cfg)
        except Exception as e:
            log.exception("trial failed: %s", e)
            write_json(Path(cfg.paths.output_dir) / "failed.json",
                       {"error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc()})
            _close_wandb()  # train() closes its own run; this covers a crash outside it
            raise

    return wrapped


def _close_wandb() -> None:
    wandb = sys.modules.get("wandb")  # imported only if this run used it
    if wandb is not None and wandb.run is not None:
        wandb.run.finish(exit_code=1)
