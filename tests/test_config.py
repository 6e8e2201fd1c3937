"""Every config option composes; params.yaml does not drift from conf/."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hydra.errors import MissingConfigException

from tests.conftest import CONF, ROOT, compose_cfg

MODELS = sorted(p.stem for p in (CONF / "model").glob("*.yaml"))
STRATEGIES = sorted(p.stem for p in (CONF / "strategy").glob("*.yaml"))


def test_expected_options_exist():
    assert {"minilm", "bert_base_uncased", "distilbert_base_uncased", "scibert_uncased", "tiny"} <= set(MODELS)
    assert {"default", "mirrored", "multi_worker"} <= set(STRATEGIES)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_model_and_strategy_compose(model, strategy):
    cfg = compose_cfg([f"model={model}", f"strategy={strategy}"])
    assert cfg.model.name == model and cfg.strategy.name == strategy
    assert cfg.model.source in ("package", "hub", "config")


def test_unknown_model_lists_the_options():
    with pytest.raises(MissingConfigException) as e:
        compose_cfg(["model=gpt9"])
    assert "minilm" in str(e.value) and "tiny" in str(e.value)


def test_params_yaml_matches_conf(tmp_path):
    """params.yaml is what DVC's Hydra composition writes from conf/ (regenerate: make params)."""
    out = tmp_path / "params.yaml"
    subprocess.run([sys.executable, str(ROOT / "scripts/compose_params.py"), "--out", str(out)], check=True,
                   capture_output=True)
    committed = yaml.safe_load((ROOT / "params.yaml").read_text())
    assert committed == yaml.safe_load(out.read_text()), "params.yaml drifted from conf/: run `make params`"


def test_dvc_stage_params_exist_in_params_yaml():
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    for name, stage in stages.items():
        for key in stage.get("params", []):
            node = params
            for part in key.split("."):
                assert part in node, f"dvc.yaml stage {name} reads '{key}', missing from params.yaml"
                node = node[part]


@pytest.mark.parametrize("strategy", ["default", "mirrored", "multi_worker"])
def test_strategies_build_on_cpu(strategy):
    # a fresh process: MultiWorkerMirroredStrategy must be created before any other TF op
    code = (f"from tests.conftest import compose_cfg\nfrom lecturelab.training.strategy import build_strategy\n"
            f"s = build_strategy(compose_cfg(['strategy={strategy}']).strategy)\nprint(s.num_replicas_in_sync)")
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"} | {"TF_CPP_MIN_LOG_LEVEL": "3"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == "1"


def test_debug_fast_shrinks_the_run():
    cfg = compose_cfg(["debug=fast"])
    assert cfg.model.name == "tiny" and cfg.logger.name == "none" and cfg.trainer.epochs == 1


def test_committed_files_paths_are_relative():
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    assert all(not Path(v).is_absolute() for v in params["paths"].values())
