"""Shared fixtures: the real Hydra config, composed once per test and shrunk to the fixture data."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf

from lecturelab.config import CONF_DIR, compose

ROOT = Path(__file__).resolve().parents[1]
CONF = CONF_DIR
FIXTURE = ROOT / "tests" / "fixtures" / "bio"

os.environ.setdefault("WANDB_MODE", "offline")
os.environ.setdefault("WANDB_SILENT", "true")


def dvc_stages() -> dict:
    """dvc.yaml's stages with ``${paths.*}`` filled in from params.yaml, as DVC reads them."""
    params = OmegaConf.load(ROOT / "params.yaml")
    text = re.sub(r"\$\{([\w.]+)\}", lambda m: str(OmegaConf.select(params, m.group(1))),
                  (ROOT / "dvc.yaml").read_text())
    return yaml.safe_load(text)["stages"]


def compose_cfg(overrides: list[str] | None = None, config_name: str = "train"):
    return compose(config_name, overrides)


def tmp_paths(tmp: Path, raw: Path = FIXTURE) -> list[str]:
    """Overrides that point every path of the pipeline into ``tmp``."""
    return [f"paths.raw_dir={raw}", f"paths.interim_dir={tmp}/interim", f"paths.processed_dir={tmp}/processed",
            f"paths.best_dir={tmp}/models/best", f"paths.output_dir={tmp}/out", f"paths.metrics_dir={tmp}/metrics",
            f"paths.speed_dir={tmp}/speed",
            f"++logger.dir={tmp}/wandb"]


@pytest.fixture
def fast_cfg(tmp_path):
    """debug=fast on the committed fixture, all outputs under tmp_path."""
    return compose_cfg(["debug=fast", "data.max_docs=null", *tmp_paths(tmp_path)])


@pytest.fixture(scope="session")
def trained_tiny(tmp_path_factory):
    """The four stages run once with model=tiny on the fixture (shared by the slow tests)."""
    from lecturelab.stages import run_stage

    tmp = tmp_path_factory.mktemp("pipeline")
    cfg = compose_cfg(["debug=fast", "data.max_docs=null", "trainer.epochs=2", "trainer.max_steps_per_epoch=null",
                       "evaluate.yake=true", *tmp_paths(tmp)])
    results = {stage: run_stage(stage, cfg) for stage in ("prepare", "build_records", "train", "evaluate")}
    return cfg, tmp, results


@pytest.fixture
def raw_copy(tmp_path):
    """A writable copy of the fixture's raw folder."""
    dst = tmp_path / "raw"
    shutil.copytree(FIXTURE, dst)
    return dst
