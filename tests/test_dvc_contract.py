"""dvc.yaml says exactly what each stage reads and writes: its params are what `run_stage` hands the stage
(and a stage that reads another key fails), its code deps are the modules it imports, its paths come
from params.yaml, and on the fixture DVC reruns exactly the stages a change concerns."""

from __future__ import annotations

import importlib.util

import pytest
import yaml
from omegaconf.errors import ConfigAttributeError

from lecturelab.stages import STAGE_PARAMS, STAGES, run_stage, stage_config
from tests.conftest import ROOT, compose_cfg, tmp_paths

_spec = importlib.util.spec_from_file_location("sync_dvc_deps", ROOT / "scripts" / "sync_dvc_deps.py")
sync_dvc_deps = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync_dvc_deps)
DVC_YAML = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]


def code_deps(stage: str) -> set[str]:
    return {d for d in DVC_YAML[stage]["deps"] if d.startswith("lecturelab/")}


@pytest.mark.parametrize("stage", list(STAGES))
def test_code_deps_are_the_stage_import_closure(stage):
    assert code_deps(stage) == set(sync_dvc_deps.stage_deps(stage)), "run `python scripts/sync_dvc_deps.py`"


def test_editing_compare_or_quiz_does_not_touch_train_and_the_tagger_touches_evaluate():
    train = code_deps("train")
    assert not any(d.startswith(("lecturelab/quiz", "lecturelab/lecture")) or d.endswith("compare.py")
                   for d in train)
    assert "lecturelab/models/tagger.py" in code_deps("evaluate")


@pytest.mark.parametrize("stage", list(STAGES))
def test_dvc_params_are_what_run_stage_hands_the_stage(stage):
    assert DVC_YAML[stage]["params"] == list(STAGE_PARAMS[stage])


def test_outs_and_path_deps_come_from_params_templating():
    text = (ROOT / "dvc.yaml").read_text()
    for literal in ("data/interim", "data/processed", "models/best", "metrics/", "data/raw"):
        assert literal not in text.split("stages:", 1)[1], f"{literal} typed in dvc.yaml: use ${{paths.*}}"
    assert DVC_YAML["train"]["outs"] == [{"${paths.best_dir}": {"persist": True}}]


def test_stage_config_holds_only_declared_keys():
    cfg = stage_config(compose_cfg(["debug=fast"]), "evaluate")
    assert set(cfg) == {"evaluate", "paths"} and set(cfg.paths) == {"interim_dir", "best_dir", "metrics_dir",
                                                                       "speed_dir"}
    with pytest.raises(ConfigAttributeError):
        _ = cfg.paths.raw_dir
    with pytest.raises(ConfigAttributeError):
        _ = cfg.trainer


def test_a_stage_reading_an_undeclared_key_fails(monkeypatch, tmp_path):
    import lecturelab.data.prepare as prepare

    def sneaky(cfg):
        return {"epochs": cfg.trainer.epochs}

    monkeypatch.setattr(prepare, "prepare", sneaky)
    with pytest.raises(ConfigAttributeError, match="trainer"):
        run_stage("prepare", compose_cfg(["debug=fast", *tmp_paths(tmp_path)]))
