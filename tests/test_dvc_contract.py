"""dvc.yaml says exactly what each stage reads and writes: its params are what `run_stage` hands the stage
(and a stage that reads another key fails), its code deps are the modules it imports, its paths come
from params.yaml, and on the fixture DVC reruns exactly the stages a change concerns."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf
from omegaconf.errors import ConfigAttributeError

from lecturelab.stages import DVC_FILES, STAGE_PARAMS, STAGES, run_stage, stage_config
from tests.conftest import FIXTURE, ROOT, compose_cfg, tmp_paths

_spec = importlib.util.spec_from_file_location("sync_dvc_deps", ROOT / "scripts" / "sync_dvc_deps.py")
sync_dvc_deps = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sync_dvc_deps)
DVC_YAML = {stage: spec for name in sorted(set(DVC_FILES.values()))
            for stage, spec in yaml.safe_load((ROOT / name).read_text())["stages"].items()}


def code_deps(stage: str) -> set[str]:
    return {d for d in DVC_YAML[stage]["deps"] if d.startswith("lecturelab/") and d.endswith(".py")}


def test_every_stage_is_in_its_dvc_file():
    for name in set(DVC_FILES.values()):
        declared = set(yaml.safe_load((ROOT / name).read_text())["stages"])
        assert declared == {s for s, f in DVC_FILES.items() if f == name}


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
    for name in set(DVC_FILES.values()):
        text = (ROOT / name).read_text()
        for literal in ("data/interim", "data/processed", "models/best", "metrics/", "data/raw", "../shared"):
            assert literal not in text.split("stages:", 1)[1], f"{literal} typed in {name}: use ${{paths.*}}"
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


# --- DVC itself, on the fixture, in a throw-away clone ---------------------------------------------------

def _dvc(clone: Path, *args: str) -> str:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "WANDB_MODE": "offline", "WANDB_SILENT": "true", "DVC_NO_ANALYTICS": "1"}
    r = subprocess.run([sys.executable, "-m", "dvc", *args], cwd=clone, env=env, capture_output=True, text=True,
                       timeout=900)
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    return r.stdout


def _ran(output: str) -> list[str]:
    return [line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")]


def _set(clone: Path, key: str, value) -> None:
    params = OmegaConf.load(clone / "params.yaml")
    OmegaConf.update(params, key, value)
    (clone / "params.yaml").write_text(OmegaConf.to_yaml(params))


@pytest.mark.slow
def test_dvc_reruns_exactly_the_stages_a_change_concerns(tmp_path):
    clone = tmp_path / "clone"
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        if (ROOT / f).is_file() and not f.startswith(("tests/", "data/", "metrics/", "docs/")) and f != "dvc.lock":
            (clone / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / f, clone / f)
    subprocess.run(["git", "init", "-q"], cwd=clone, check=True)
    cfg = compose_cfg(["debug=fast", "data.max_docs=null", "trainer.epochs=1", f"paths.raw_dir={FIXTURE}"])
    (clone / "params.yaml").write_text(OmegaConf.to_yaml(cfg))
    assert _ran(_dvc(clone, "repro")) == ["prepare", "build_records", "train", "evaluate"]
    assert _ran(_dvc(clone, "repro")) == []

    _set(clone, "trainer.learning_rate", 2 * cfg.trainer.learning_rate)   # any value but the default
    assert _ran(_dvc(clone, "repro")) == ["train", "evaluate"]

    _set(clone, "evaluate.ks", [3, 5])
    assert _ran(_dvc(clone, "repro")) == ["evaluate"]
    assert "test/f1_at_3" in (clone / "metrics" / "test.json").read_text()

    # a code change reruns only the stages that import it
    (clone / "lecturelab" / "training" / "compare.py").write_text("# edited\n", encoding="utf-8")
    assert _ran(_dvc(clone, "repro")) == []

    # the paths come from params.yaml: DVC tracks the new folder
    _set(clone, "paths.interim_dir", "data/interim_v2")
    assert _ran(_dvc(clone, "repro")) == ["prepare", "build_records", "train", "evaluate"]
    lock = yaml.safe_load((clone / "dvc.lock").read_text())["stages"]
    assert [o["path"] for o in lock["prepare"]["outs"]] == ["data/interim_v2"]
    assert (clone / "data" / "interim_v2" / "train.jsonl").is_file()
