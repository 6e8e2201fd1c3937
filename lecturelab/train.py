"""Hydra entry point: `python -m lecturelab.train [model=...] [strategy=...] [-m hparams_search=...]`.

Each run gets its own folder (Hydra run dir) for logs, metrics and its best checkpoint; returns the
monitored validation metric so Optuna sweeps can optimise it. A failed trial is logged and reported
as failed without ending the sweep (see `lecturelab.training.sweep`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, open_dict

import lecturelab  # noqa: F401
from lecturelab.training.sweep import ensure_records, tag_sweep_run, task_wrapper

log = logging.getLogger(__name__)


def use_run_dir(cfg: DictConfig) -> None:
    """Per-run files (checkpoint, metrics) go to this Hydra run's own folder."""
    run_dir = HydraConfig.get().runtime.output_dir
    with open_dict(cfg):
        cfg.paths.output_dir = run_dir
        cfg.paths.best_dir = f"{run_dir}/best"
        cfg.paths.metrics_dir = run_dir


@task_wrapper
def run(cfg: DictConfig) -> float:
    from lecturelab.training.train import train

    hc = HydraConfig.get()
    # records built for another tokenizer / window size go to a cache shared by the sweep's trials
    ensure_records(cfg, Path(hc.sweep.dir if hc.mode == RunMode.MULTIRUN else hc.runtime.output_dir) / "records")
    metrics = train(cfg)
    return float(metrics[f"{cfg.trainer.monitor}_best"])


@hydra.main(config_path="conf", config_name="train", version_base="1.3")
def main(cfg: DictConfig) -> float:
    use_run_dir(cfg)
    tag_sweep_run(cfg, HydraConfig.get())
    return run(cfg)


if __name__ == "__main__":
    main()
