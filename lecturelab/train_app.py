"""Hydra app: `lecturelab train [model=...] [strategy=...] [-m hparams_search=...]`
(also `python -m lecturelab.train_app`).

The same `lecturelab.training.train.train(cfg)` as DVC's `train` stage, with two differences that
both come from the config, not from code: each run writes into its own Hydra run folder
(conf/train_app.yaml interpolates ``${hydra:runtime.output_dir}``), and records built for another
tokenizer or window size are built into a cache the trials of a sweep share
(`lecturelab.training.records_cache`), where the DVC stage has DVC rebuild them. Both use the same
staleness check (`load_manifest`). Returns the monitored validation metric so Optuna sweeps can
optimise it; a failed trial is recorded and the sweep goes on (`lecturelab.training.task`).

The config is validated (`lecturelab.config.validate`, the DVC train stage's check) before TensorFlow
loads. A bad value or a missing input is one line, not a traceback: a single run then exits with 2
(config) or 1 (input); a sweep's trial is told FAIL and the sweep goes on.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig

from lecturelab.config import ConfigError, validate
from lecturelab.console import import_tensorflow, quiet_libraries
from lecturelab.errors import FAILED, USAGE
from lecturelab.training.records_cache import ensure_records
from lecturelab.training.sweep import tag_sweep_run
from lecturelab.training.task import INPUT_ERRORS, task_wrapper
from lecturelab.training.train import train

log = logging.getLogger(__name__)


@task_wrapper
def run(cfg: DictConfig) -> float:
    validate(cfg, "train")   # one line naming the key, before TensorFlow loads
    import_tensorflow()   # now, with TensorFlow's C++ start-up lines filtered (the stage entry does the same)
    hc = HydraConfig.get()
    # records built for another tokenizer / window size go to a cache shared by the sweep's trials
    cache = Path(hc.sweep.dir if hc.mode == RunMode.MULTIRUN else hc.runtime.output_dir) / "records"
    metrics = train(cfg, ensure_records(cfg, cache))
    return float(metrics[f"{cfg.trainer.monitor}_best"])


@hydra.main(config_path="conf", config_name="train_app", version_base="1.3")
def main(cfg: DictConfig) -> float:
    verbose = bool(cfg.get("verbose", False))
    quiet_libraries(verbose)
    hc = HydraConfig.get()
    tag_sweep_run(cfg, hc)
    if hc.mode == RunMode.MULTIRUN or verbose:
        return run(cfg)   # the sweeper tells the study FAIL in one line and starts the next trial
    try:
        return run(cfg)
    except INPUT_ERRORS as e:   # logged in one line by task_wrapper; Hydra would add the traceback
        sys.exit(USAGE if isinstance(e, ConfigError) else FAILED)


if __name__ == "__main__":
    main()
