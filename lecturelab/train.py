"""Hydra entry point: `python -m lecturelab.train [model=...] [strategy=...] [-m hparams_search=...]`.

Each run gets its own folder (Hydra run dir) for logs, metrics and its best checkpoint; returns the
monitored validation metric so Optuna sweeps can optimise it. A failed trial is logged and reported
as failed without ending the sweep.
"""

from __future__ import annotations

import logging

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, open_dict

import lecturelab  # noqa: F401

log = logging.getLogger(__name__)


def use_run_dir(cfg: DictConfig) -> None:
    """Per-run files (checkpoint, metrics) go to this Hydra run's own folder."""
    run_dir = HydraConfig.get().runtime.output_dir
    with open_dict(cfg):
        cfg.paths.output_dir = run_dir
        cfg.paths.best_dir = f"{run_dir}/best"
        cfg.paths.metrics_dir = run_dir


@hydra.main(config_path="../conf", config_name="train", version_base="1.3")
def main(cfg: DictConfig) -> float:
    from lecturelab.training.train import train

    use_run_dir(cfg)
    metrics = train(cfg)
    return float(metrics[f"{cfg.trainer.monitor}_best"])


if __name__ == "__main__":
    main()
