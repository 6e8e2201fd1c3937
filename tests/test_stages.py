"""`python -m lecturelab.stages`: a config error, a Ctrl-C or a kill is one line, never a traceback."""

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
