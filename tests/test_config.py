"""Every config option composes; params.yaml does not drift from conf/."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hydra.errors import MissingConfigException
from omegaconf import OmegaConf

from lecturelab.config import STAGE_SECTIONS, ConfigError, validate
from tests.conftest import CONF, FIXTURE, ROOT, compose_cfg, dvc_stages

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
    assert cfg.model.source in ("package", "parts", "hub", "config")


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
    stages = dvc_stages()
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


def test_standard_protocol_is_the_default_and_trainval_is_an_experiment(fast_cfg):
    """Default: train on train only, valid selects; experiment=trainval moves 400 valid abstracts to training."""
    from lecturelab.data.prepare import prepare

    assert compose_cfg([]).data.val_docs_for_training == 0
    assert compose_cfg(["experiment=trainval"]).data.val_docs_for_training == 400
    # prepare with the default: the fixture's valid split stays whole, train is only train.txt
    fast_cfg.data.val_docs_for_training = compose_cfg([]).data.val_docs_for_training   # debug=fast sets 0 itself
    stats = prepare(fast_cfg)
    n_valid = sum(1 for block in (FIXTURE / "valid.txt").read_text().split("\n\n") if block.strip())
    n_train = sum(1 for block in (FIXTURE / "train.txt").read_text().split("\n\n") if block.strip())
    assert stats["val"]["docs"] == n_valid and stats["train"]["docs"] == n_train


def test_committed_files_paths_are_relative():
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    assert all(not Path(v).is_absolute() for v in params["paths"].values())


# --- typed schema (lecturelab.config): every value checked before a stage does any work -----------------

EXPERIMENTS = sorted(p.stem for p in (CONF / "experiment").glob("*.yaml"))


@pytest.mark.parametrize("overrides", [[], ["debug=fast"], *[[f"experiment={e}"] for e in EXPERIMENTS],
                                       *[[f"model={m}", f"strategy={s}"] for m in MODELS for s in STRATEGIES]])
def test_every_composed_config_passes_the_schema(overrides):
    cfg = compose_cfg(overrides)
    for stage in STAGE_SECTIONS:
        validate(cfg, stage)


def test_committed_params_yaml_passes_the_schema():
    params = OmegaConf.load(ROOT / "params.yaml")
    for stage in STAGE_SECTIONS:
        validate(params, stage, "params.yaml")


@pytest.mark.parametrize("stage,patch,message", [
    ("train", {"trainer": {"learning_rate": "abc"}}, "trainer.learning_rate = 'abc': expected a float in (0, 1]"),
    ("train", {"trainer": {"epochs": 0}}, "trainer.epochs = 0: expected an integer >= 1"),
    ("train", {"trainer": {"batch_size": 2.5}}, "trainer.batch_size = 2.5: expected an integer >= 1"),
    ("train", {"trainer": {"resume": "yes"}}, "trainer.resume = 'yes': Input should be a valid boolean"),
    ("train", {"trainer": {"monitor": "val/f2"}}, "trainer.monitor = 'val/f2': Input should be 'val/f1'"),
    ("train", {"trainer": {"learnig_rate": 0.1}}, "trainer.learnig_rate: unknown key (known: epochs,"),
    ("train", {"strategy": {"name": "tpu"}}, "strategy.name = 'tpu': Input should be 'default', 'mirrored'"),
    ("train", {"seed": -1}, "seed = -1: expected an integer >= 0"),
    ("train", {"trainer": {"class_weights": [1, 2]}}, "trainer.class_weights = [1, 2]: expected null or 3 floats > 0"),
    ("train", {"trainer": {"class_weights": [1, 0, 2]}}, "trainer.class_weights.1 = 0: Input should be greater than 0"),
    ("train", {"trainer": {"label_smoothing": 1.5}}, "trainer.label_smoothing = 1.5: expected a float in [0, 1)"),
    ("train", {"trainer": {"ema_decay": 1}}, "trainer.ema_decay = 1: expected null or a float in (0, 1)"),
    ("build_records", {"data": {"stride": 254}}, "data.stride = 254 must be < data.max_length - 2 = 254"),
    ("build_records", {"data": {"max_length": 1024}}, "data.max_length = 1024: expected an integer in [3, 512]"),
    ("build_records", {"model": {"source": "hub", "pretrained": None}}, "model.source = 'hub' needs a string"),
    ("prepare", {"data": {"source": "web"}}, "data.source = 'web': Input should be 'local', 'hub', 'bio' or 'built'"),
    ("prepare", {"data": {"max_docs": 0}}, "data.max_docs = 0: expected null or an integer >= 1"),
    ("evaluate", {"evaluate": {"ks": [5, 0]}}, "evaluate.ks = [5, 0]: every k must be >= 1"),
    ("evaluate", {"evaluate": {"split": "dev"}}, "evaluate.split = 'dev': Input should be 'train', 'val'"),
])
def test_bad_value_is_one_line_naming_key_value_and_allowed(stage, patch, message):
    cfg = OmegaConf.merge(OmegaConf.load(ROOT / "params.yaml"), patch)
    with pytest.raises(ConfigError) as e:
        validate(cfg, stage, "params.yaml")
    assert str(e.value).startswith(f"params.yaml: {message}") and "\n" not in str(e.value)


def test_stage_reports_only_keys_it_reads():
    cfg = OmegaConf.merge(OmegaConf.load(ROOT / "params.yaml"), {"trainer": {"epochs": 0}})
    validate(cfg, "prepare")  # prepare does not read trainer
    with pytest.raises(ConfigError, match=r"config: trainer.epochs: Interpolation key 'nope' not found"):
        validate(OmegaConf.merge(cfg, {"trainer": {"epochs": "${nope}"}}), "train")


def test_stage_cli_learning_rate_abc_exits_2_with_one_line(tmp_path):
    """`learning_rate: abc` in params.yaml: one line naming trainer.learning_rate, exit 2, before TF loads."""
    params = tmp_path / "params.yaml"
    text = (ROOT / "params.yaml").read_text()
    text, n = re.subn(r"learning_rate: [^\n]+", "learning_rate: abc", text)
    assert n == 1
    params.write_text(text)
    r = subprocess.run([sys.executable, "-m", "lecturelab.stages", "train", "--params", str(params)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip() == (f"train: {params}: trainer.learning_rate = 'abc': expected a float in (0, 1], "
                                f"e.g. 1.0e-4")


def test_stage_cli_bad_yaml_names_line_and_column(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text("trainer:\n  epochs: [1, 2\n  batch_size: 4\n")
    r = subprocess.run([sys.executable, "-m", "lecturelab.stages", "prepare", "--params", str(params)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.startswith(f"{params}:3:") and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("override,message", [
    ("model=bogus", "model=bogus: no conf/model/bogus.yaml (choose one of: bert_base_uncased, "
                    "distilbert_base_uncased, minilm, mpnet, scibert_uncased, tiny)"),
    ("trainer.learning_rate=abc", "composed config: trainer.learning_rate = 'abc': expected a float in (0, 1]"),
    ("trainer.epochz=3", "Could not override 'trainer.epochz'."),
])
def test_compose_params_bad_override_is_one_line_and_keeps_params(tmp_path, override, message):
    out = tmp_path / "params.yaml"
    out.write_text("seed: 1\n")
    r = subprocess.run([sys.executable, str(ROOT / "scripts/compose_params.py"), override, "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.startswith(f"compose_params: {message}") and len(r.stderr.splitlines()) == 1
    assert out.read_text() == "seed: 1\n" and list(tmp_path.iterdir()) == [out]


def test_persist_outputs_are_the_ones_the_stage_publishes_atomically():
    """Every `persist: true` out in dvc.yaml is a train-stage output: the stage replaces it whole itself."""
    stages = dvc_stages()
    persisted = {name: [p for kind in ("outs", "metrics", "plots") for o in stage.get(kind, []) if isinstance(o, dict)
                        for p, flags in o.items() if flags.get("persist")] for name, stage in stages.items()}
    assert persisted == {"prepare": [], "build_records": [], "evaluate": [],
                         "train": ["models/best", "metrics/train.json", "metrics/train_history.json"]}


def test_lecturelab_train_composes_from_the_console_entry_in_another_folder(tmp_path):
    """`lecturelab train` (cli.main importing the Hydra app) in this dev install, run from another folder:
    Hydra finds pkg://lecturelab.conf (without conf/__init__.py the editable install said "Primary config
    module 'lecturelab.conf' not found")."""
    code = "import sys; from lecturelab.cli import main; sys.exit(main(['train', '--cfg', 'job', 'seed=7']))"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert yaml.safe_load(r.stdout)["seed"] == 7
