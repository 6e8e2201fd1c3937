"""Experiment logging: Weights & Biases (offline unless a key is set) or nothing (`logger=none`)."""

from __future__ import annotations

import logging
import os

from omegaconf import OmegaConf

log = logging.getLogger(__name__)


class RunLogger:
    """Thin wrapper so training code never branches on the logger choice."""

    def __init__(self, cfg, enabled: bool = True):
        self.run = None
        lcfg = cfg.logger
        if lcfg.name == "none" or not enabled:
            return
        if lcfg.name != "wandb":
            raise ValueError(f"logger must be 'wandb' or 'none', got '{lcfg.name}'")
        import wandb

        mode = lcfg.mode or ("online" if os.environ.get("WANDB_API_KEY") else "offline")
        os.makedirs(lcfg.dir, exist_ok=True)
        self.run = wandb.init(project=lcfg.project, entity=lcfg.entity, group=lcfg.group,
                              tags=list(lcfg.tags), dir=lcfg.dir, mode=mode, reinit="finish_previous",
                              config=OmegaConf.to_container(cfg, resolve=True), settings=wandb.Settings(
                                  silent=True, console="off", x_disable_stats=True))
        log.info("W&B run %s (%s) in %s", self.run.id, mode, self.run.dir)

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
