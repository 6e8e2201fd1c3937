"""`python -m lecturelab.stages`: a config error, a Ctrl-C or a kill is one line, never a traceback."""

import json
import os
import subprocess
import sys
import types

import pytest
from omegaconf import OmegaConf

import lecturelab.stages as stages
from tests.conftest import compose_cfg, tmp_paths


@pytest.fixture
def params(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text(OmegaConf.to_yaml(compose_cfg(["debug=fast", *tmp_paths(tmp_path)])))
    return path


@pytest.mark.parametrize("stage,kept", [("train", "models/best and {tmp}/metrics/train*.json"),
                                        ("evaluate", "{tmp}/metrics/test*.json"),
                                        ("prepare", "{tmp}/interim")])
def test_ctrl_c_is_one_line_and_exit_130(params, tmp_path, monkeypatch, capsys, stage, kept):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(stages, "run_stage", interrupted)
    assert stages.main([stage, "--params", str(params)]) == 130
    kept = kept.format(tmp=tmp_path).replace("models/best", f"{tmp_path}/models/best")
    assert capsys.readouterr().err == f"{stage}: interrupted; {kept} kept from the last finished run\n"


def test_config_error_exits_2_before_the_stage_runs(params, monkeypatch, capsys):
    ran = []
    fake = types.SimpleNamespace(train=lambda cfg: ran.append(cfg.trainer.epochs))
    monkeypatch.setitem(sys.modules, "lecturelab.training.train", fake)
    assert stages.main(["train", "--params", str(params)]) == 0 and ran == [1]  # the fake stands in
    params.write_text(params.read_text().replace("epochs: 1", "epochs: 0"))
    assert stages.main(["train", "--params", str(params)]) == 2
    assert capsys.readouterr().err == f"train: {params}: trainer.epochs = 0: expected an integer >= 1\n"
    assert ran == [1]


def test_training_glossary_is_the_same_under_any_hash_seed(tmp_path):
    """glossary.txt goes into models/best: its bytes must not depend on PYTHONHASHSEED (set order)."""
    rows = [{"tokens": [w, "and", v], "tags": ["B-KEY", "O", "B-KEY"]}
            for w, v in [("alpha", "beta"), ("gamma", "delta"), ("beta", "gamma"), ("delta", "alpha")]]
    (tmp_path / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    code = ("import sys; from omegaconf import OmegaConf; from lecturelab.training.train import training_glossary;"
            f"print(training_glossary(OmegaConf.create({{'paths': {{'interim_dir': {str(tmp_path)!r}}}}}), top=3))")
    outs = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": str(seed)},
                           capture_output=True, text=True, check=True).stdout for seed in range(6)}
    assert outs == {"['alpha', 'beta', 'delta']\n"}   # every phrase twice: ties in alphabetical order
