"""The package installs like a library: a wheel (not editable) in a fresh venv, used from another folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import wave
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow
# nothing from the checkout: no PYTHONPATH, and every command runs from another folder
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv holding the lecturelab wheel; its dependencies come from this environment's site-packages
    (a .pth file), so the test needs no network and lecturelab itself is only the installed wheel."""
    tmp = tmp_path_factory.mktemp("install")
    wheels = tmp / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels)], check=True, capture_output=True, cwd=tmp)
    (wheel,) = wheels.glob("lecturelab-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    (site / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True, env=ENV)
    return venv


def test_console_script_help_from_another_folder(installed, tmp_path):
    r = subprocess.run([str(installed / "bin" / "lecturelab"), "--help"], cwd=tmp_path, env=ENV,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert all(cmd in r.stdout for cmd in ("process", "quiz", "train", "stage", "promote", "compare"))


def test_configs_ship_inside_the_installed_package(installed, tmp_path):
    code = ("import lecturelab.config as c; cfg = c.compose('process', ['quiz=none']); "
            "print(c.CONF_DIR); print(cfg.transcriber.model, cfg.quiz.name); "
            "print(c.compose('train', ['debug=fast']).model.name)")
    r = subprocess.run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path, env=ENV,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    conf_dir, transcriber, model = r.stdout.strip().splitlines()
    assert Path(conf_dir).is_relative_to(installed) and not Path(conf_dir).is_relative_to(ROOT)
    assert transcriber.endswith(" none") and model == "tiny"


def test_missing_checkpoint_is_one_line_saying_where_and_how(installed, tmp_path):
    with wave.open(str(tmp_path / "talk.wav"), "wb") as w:   # one second of silence
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000), w.writeframes(b"\0\0" * 16000)
    r = subprocess.run([str(installed / "bin" / "lecturelab"), "process", "talk.wav", "quiz=none"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert lines == [f"error: keyphrase checkpoint models/best (looked in {tmp_path}) does not exist: train one "
                     "with `make run` (dvc repro), or set model_path=<a run's best/ folder>"]


def test_hydra_commands_find_their_configs_from_the_console_script(installed, tmp_path):
    # `lecturelab train` imports the Hydra app from the console script: Hydra looks its configs up as the
    # package pkg://lecturelab.conf (a namespace folder was not found: "Primary config module ... not found")
    r = subprocess.run([str(installed / "bin" / "lecturelab"), "train", "--cfg", "job", "debug=fast"], cwd=tmp_path,
                       env=ENV, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "seed: 42" in r.stdout and "val_docs_for_training: 0" in r.stdout


def test_page_assets_ship_inside_the_installed_package(installed, tmp_path):
    # every page inlines these files when it is written: a wheel without them could not write a page
    code = ("import json, lecturelab.assets as a; from importlib.resources import files; "
            "names = sorted(p.name for p in files(a).iterdir() if p.name.endswith(('.css', '.js'))); "
            "print(json.dumps({'dir': str(files(a)), 'assets': {n: a.read(n) for n in names}, "
            "'style': a.style('base.css', 'review.css')}))")
    r = subprocess.run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path, env=ENV,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    shipped = json.loads(r.stdout)
    source = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "lecturelab" / "assets").iterdir()
              if p.suffix in (".css", ".js")}
    assert Path(shipped["dir"]).is_relative_to(installed) and not Path(shipped["dir"]).is_relative_to(ROOT)
    assert {"base.css", "clock.js"} <= set(source) and shipped["assets"] == source
    assert shipped["style"] == f"<style>{source['base.css']}{source['review.css']}</style>"
