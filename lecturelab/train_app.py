"""Hydra app: `lecturelab train [model=...] [strategy=...] [-m hparams_search=...]`
(also `python -m lecturelab.train_app`).

The same `lecturelab.training.train.train(cfg)` as DVC's `train` stage, with two differences that
both come from the config, not from code: each run writes into its own Hydra run folder
(conf/train_app.yaml interpolates ``${hydra:runtime.output_dir}``), and records built for another
tokenizer or window size are built into a cache the trials of a sweep share
(`lecturelab.training.records_cache`), where the DVC stage has DVC rebuild them. Both use the same
staleness check (`load_manifest`). Returns the monitored validation metric so Optuna sweeps can
optimise it; a failed trial is recorded and the sweep goes on (`lecturelab.training.task`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from lecturelab.console import import_tensorflow, quiet_libraries
from lecturelab.training.records_cache import ensure_records
from lecturelab.training.sweep import tag_sweep_run
from lecturelab.training.task import task_wrapper
from lecturelab.training.train import train

log = logging.getLogger(__name__)


@task_wrapper
def run(cfg: DictConfig) -> float:
    hc = HydraConfig.get()
    # records built for another tokenizer / window size go to a cache shared by the sweep's trials
    cache = Path(hc.sweep.dir if hc.mode == RunMode.MULTIRUN else hc.runtime.output_dir) / "records"
    metrics = train(cfg, ensure_records(cfg, cache))
    return float(metrics[f"{cfg.trainer.monitor}_best"])


@hydra.main(config_path="conf", config_name="train_app", version_base="1.3")
def main(cfg: DictConfig) -> float:
    quiet_libraries(bool(cfg.get("verbose", False)))
    import_tensorflow()   # now, with TensorFlow's C++ start-up lines filtered (the stage entry does the same)
    tag_sweep_run(cfg, HydraConfig.get())
    return run(cfg)


if __name__ == "__main__":
    main()
