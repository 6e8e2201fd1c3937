"""A DVC remote round trip (docs/scale.md): one workspace runs the whole pipeline (tiny model) and `dvc push`es
its outputs (data/processed, models/best ...) to a remote (a local folder here; gs:// or s3:// in use), a `git clone` of it `dvc pull`s them,
and there DVC finds nothing to run."""

from __future__ import annotations

import subprocess

import pytest
from omegaconf import OmegaConf

from tests.conftest import FIXTURE, ROOT, compose_cfg
from tests.test_dvc_contract import _dvc, _ran

GIT = ["git", "-c", "user.name=lecturelab-test", "-c", "user.email=test@example.invalid"]


def _git(cwd, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
def test_push_from_one_clone_pull_into_another_and_nothing_reruns(tmp_path):
    first, second, remote = tmp_path / "first", tmp_path / "second", tmp_path / "remote"
    files = _git(ROOT, "ls-files").split()
    for f in files:
        if (ROOT / f).is_file() and not f.startswith(("tests/", "data/", "metrics/", "docs/")) and f != "dvc.lock":
            (first / f).parent.mkdir(parents=True, exist_ok=True)
            (first / f).write_bytes((ROOT / f).read_bytes())
    _git(first, "init", "-q")
    cfg = compose_cfg(["debug=fast", "data.max_docs=null", f"paths.raw_dir={FIXTURE}"])
    (first / "params.yaml").write_text(OmegaConf.to_yaml(cfg))
    _dvc(first, "remote", "add", "-d", "storage", str(remote))
    assert _ran(_dvc(first, "repro")) == ["prepare", "build_records", "train", "evaluate"]
    _dvc(first, "push")
    _git(first, "add", "-A")
    _git(first, "commit", "-qm", "pipeline outputs in the remote")
    assert any(remote.rglob("*")), "dvc push wrote nothing to the remote"

    _git(tmp_path, "clone", "-q", str(first), str(second))
    assert not (second / "data" / "processed").exists()     # git holds only dvc.lock, not the data
    assert not (second / "models" / "best").exists()
    _dvc(second, "pull")
    for name in ("data/interim/train.jsonl", "data/processed", "models/best/tf_model.h5", "metrics/test.json"):
        assert (second / name).exists(), f"{name} not pulled"
    for folder in ("data/processed", "models/best"):
        assert {p.relative_to(second): p.read_bytes() for p in (second / folder).rglob("*") if p.is_file()} == \
            {p.relative_to(first): p.read_bytes() for p in (first / folder).rglob("*") if p.is_file()}, folder
    assert "up to date" in _dvc(second, "status")
    assert _ran(_dvc(second, "repro")) == []   # the trained model came from the remote: nothing reruns
