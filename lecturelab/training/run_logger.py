"""Experiment logging: Weights & Biases (offline unless a key is set) or nothing (`logger=none`)."""

from __future__ import annotations

import logging
import os

from omegaconf import OmegaConf

log = logging.getLogger(__name__)


def wandb_run(cfg):
    """A W&B run for ``cfg.logger`` (conf/logger/wandb.yaml), the whole resolved config as its config."""
    import wandb  # deferred: wandb's import is slow and only logger=wandb needs it

    lcfg = cfg.logger
    mode = lcfg.mode or ("online" if os.environ.get("WANDB_API_KEY") else "offline")
    os.makedirs(lcfg.dir, exist_ok=True)
    run = wandb.init(project=lcfg.project, entity=lcfg.entity, group=lcfg.group,
                     tags=list(lcfg.tags), dir=lcfg.dir, mode=mode, reinit="finish_previous",
                     config=OmegaConf.to_container(cfg, resolve=True), settings=wandb.Settings(
                         silent=True, console="off", x_disable_stats=True))
    log.info("W&B run %s (%s) in %s", run.id, mode, run.dir)
    return run


# logger.name (conf/logger/<name>.yaml) -> fn(cfg) -> a run with log/summary/finish, or None (no logging)
LOGGERS = {"wandb": wandb_run, "none": lambda cfg: None}


class RunLogger:
    """Thin wrapper so training code never branches on the logger choice."""

    def __init__(self, cfg, enabled: bool = True):
        self.run = None
        name = cfg.logger.name
        if name not in LOGGERS:
            raise ValueError(f"logger.name must be {' or '.join(repr(n) for n in LOGGERS)}, got '{name}'")
        if enabled:
            self.run = LOGGERS[name](cfg)

    @property
    def run_dir(self) -> str | None:
        return None if self.run is None else os.path.dirname(self.run.dir)

    def log(self, metrics: dict, step: int | None = None) -> None:
        if self.run is not None:
            self.run.log(metrics, step=step)

    def summary(self, metrics: dict) -> None:
        if self.run is not None:
            self.run.summary.update(metrics)

    def finish(self, exit_code: int = 0) -> None:
        if self.run is not None:
            self.run.finish(exit_code=exit_code)
            self.run = None
