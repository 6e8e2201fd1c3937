"""Hydra multiruns and Optuna sweeps through the real entry point (`python -m lecturelab.train_app -m`),
tiny model on the fixture: storage resume, failed trials, every named experiment, search-space
errors, and the compare / promote commands on the sweep's runs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
import yaml
from omegaconf import OmegaConf

from tests.conftest import CONF, FIXTURE, ROOT, compose_cfg

ENV = {**os.environ, "WANDB_MODE": "offline", "WANDB_SILENT": "true", "TF_CPP_MIN_LOG_LEVEL": "2",
       "HYDRA_FULL_ERROR": "0"}
# a small, fixed part of the search space so that a trial takes seconds
SMALL = ["model=tiny", "data.max_length=64", "data.stride=16", "trainer.epochs=1", "trainer.batch_size=4"]


@pytest.fixture(scope="module")
def interim(tmp_path_factory) -> Path:
    """The fixture's prepared splits; each sweep builds its own records from them."""
    from lecturelab.stages import run_stage

    tmp = tmp_path_factory.mktemp("data")
    run_stage("prepare", compose_cfg(["debug=fast", "data.max_docs=null", f"paths.raw_dir={FIXTURE}",
                                      f"paths.interim_dir={tmp}/interim"]))
    return tmp / "interim"


def multirun(tmp: Path, interim: Path, sweep_dir: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "lecturelab.train_app", "-m", "debug=fast", f"paths.raw_dir={FIXTURE}",
           f"paths.interim_dir={interim}", f"paths.processed_dir={tmp}/processed", f"++logger.dir={tmp}/wandb",
           f"hydra.sweep.dir={sweep_dir}", *args]
    return subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)


def trials(storage: str, study: str = "keyphrase") -> list:
    return optuna.load_study(study_name=study, storage=storage).trials


def run_dirs(sweep_dir: Path) -> list[Path]:
    return sorted((p for p in sweep_dir.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))


@pytest.fixture(scope="module")
def sweep(tmp_path_factory, interim):
    """A two-trial Optuna study, then the same command with one more trial (a resumed sweep)."""
    tmp = tmp_path_factory.mktemp("sweep")
    storage = f"sqlite:///{tmp}/studies/keyphrase.db"  # its folder does not exist yet
    first = multirun(tmp, interim, tmp / "first", "hparams_search=keyphrase_optuna",
                     f"hydra.sweeper.storage={storage}", "hydra.sweeper.n_trials=2", *SMALL)
    assert first.returncode == 0, first.stderr[-3000:]
    after_first = [t.state for t in trials(storage)]
    second = multirun(tmp, interim, tmp / "second", "hparams_search=keyphrase_optuna",
                      f"hydra.sweeper.storage={storage}", "hydra.sweeper.n_trials=1", *SMALL)
    assert second.returncode == 0, second.stderr[-3000:]
    return tmp, storage, after_first


# --- Optuna ---------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_optuna_study_persists_and_a_rerun_resumes_it(sweep):
    tmp, storage, after_first = sweep
    complete = optuna.trial.TrialState.COMPLETE
    assert after_first == [complete, complete]
    study = trials(storage)
    assert [t.state for t in study] == [complete] * 3 and [t.number for t in study] == [0, 1, 2]
    # the searched keys vary, the fixed ones stay out of the search space
    assert {"trainer.learning_rate", "trainer.warmup_ratio", "model.dropout"} <= set(study[0].params)
    assert "trainer.batch_size" not in study[0].params
    assert len({t.params["trainer.learning_rate"] for t in study}) == 3
    # each trial has its own run folder with config, log, metrics and checkpoint; objective = val/f1_best
    dirs = run_dirs(tmp / "first") + run_dirs(tmp / "second")
    assert [d.name for d in dirs] == ["0", "1", "0"]
    for d, t in zip(dirs, study, strict=True):
        m = json.loads((d / "train.json").read_text())
        cfg = yaml.safe_load((d / ".hydra" / "config.yaml").read_text())
        assert t.value == pytest.approx(m[f"{cfg['trainer']['monitor']}_best"]) and 0.0 <= t.value <= 1.0
        assert (d / "train.log").is_file() and (d / "best" / "lecturelab.json").is_file()
        assert cfg["trainer"]["learning_rate"] == pytest.approx(t.params["trainer.learning_rate"])
    # the trials' records were built once per sweep for their tokenizer / window size, then shared
    for sweep_dir in (tmp / "first", tmp / "second"):
        (records,) = (sweep_dir / "records").glob("records-*")
        assert json.loads((records / "manifest.json").read_text())["max_length"] == 64
    best = yaml.safe_load((tmp / "second" / "optimization_results.yaml").read_text())
    assert best["best_value"] == pytest.approx(max(t.value for t in study))
    # the resumed sweep names the best trial's run folder, wherever it ran, and promote agrees
    from lecturelab.training.promote import best_run

    winner = max(study, key=lambda t: t.value)
    assert best["best_trial"] == winner.number and Path(best["best_run"]) == dirs[winner.number].resolve()
    assert best_run([tmp / "second"], "val/f1_at_m")["path"].resolve() == dirs[winner.number].resolve()


@pytest.mark.slow
def test_failed_trial_is_recorded_the_sweep_goes_on_and_wandb_closes(tmp_path, interim):
    """With seed 40 the sampler's first trial picks the invalid monitor: the config check fails it in one line
    before TensorFlow or W&B start; the next trial runs and its W&B run closes with exit code 0."""
    storage = f"sqlite:///{tmp_path}/fail.db"
    r = multirun(tmp_path, interim, tmp_path / "sweep", "hparams_search=keyphrase_optuna", "logger=wandb",
                 "seed=40", f"hydra.sweeper.storage={storage}", "hydra.sweeper.n_trials=2", *SMALL,
                 "trainer.monitor=val/f1,val/no_such_metric")
    assert r.returncode == 0, r.stderr[-3000:]
    study = trials(storage)
    assert [(t.state, t.params["trainer.monitor"]) for t in study] == [
        (optuna.trial.TrialState.FAIL, "val/no_such_metric"), (optuna.trial.TrialState.COMPLETE, "val/f1")]
    failed, ok = run_dirs(tmp_path / "sweep")
    assert "trainer.monitor = 'val/no_such_metric'" in json.loads((failed / "failed.json").read_text())["error"]
    assert (ok / "train.json").is_file() and not (ok / "failed.json").exists()
    # a W&B run only for the trial that got past the config check, grouped by the study, closed with exit code 0
    runs = sorted((tmp_path / "wandb" / "wandb").glob("offline-run-*"))
    assert len(runs) == 1
    logs = [(d / "logs" / "debug.log").read_text() for d in runs]
    assert [re.findall(r"got exitcode: (\d)", log) for log in logs] == [["0"]]
    assert "'group': 'keyphrase'" in logs[0] and "'job-1'" in logs[0]
    sync = subprocess.run([str(Path(sys.executable).parent / "wandb"), "sync", "--dry-run", str(runs[0])], cwd=tmp_path,
                          env=ENV, capture_output=True, text=True, timeout=120)
    assert sync.returncode == 0 and runs[0].name in sync.stdout + sync.stderr


def test_unknown_search_key_fails_before_any_trial(tmp_path, interim):
    storage = f"sqlite:///{tmp_path}/bad.db"
    r = multirun(tmp_path, interim, tmp_path / "sweep", "hparams_search=keyphrase_optuna",
                 f"hydra.sweeper.storage={storage}", "trainer.lr=1e-4,3e-4", "model=tiny,bogus")
    assert r.returncode != 0
    assert "'trainer.lr': no key 'lr'" in r.stderr and "learning_rate" in r.stderr
    assert "no config ['bogus'] in conf/model/" in r.stderr and "minilm" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "sweep").exists()  # no trial ran
    with pytest.raises(KeyError):
        trials(storage)  # no study was created either


def test_changed_search_space_of_an_existing_study_fails_before_any_trial(tmp_path, interim):
    storage = f"sqlite:///{tmp_path}/s.db"
    study = optuna.create_study(study_name="keyphrase", storage=storage, direction="maximize")
    t = study.ask({"data.max_length": optuna.distributions.CategoricalDistribution([64, 96])})
    study.tell(t, 0.5)
    r = multirun(tmp_path, interim, tmp_path / "sweep", "hparams_search=keyphrase_optuna",
                 f"hydra.sweeper.storage={storage}", "model=tiny", "data.max_length=64,128")
    assert r.returncode != 0 and "'data.max_length': the study sampled" in r.stderr
    assert "hydra.sweeper.study_name" in r.stderr and not (tmp_path / "sweep").exists()


# --- grids and named experiments ----------------------------------------------------------------------------

@pytest.mark.slow
def test_every_experiment_runs_in_one_multirun(tmp_path, interim):
    names = sorted(p.stem for p in (CONF / "experiment").glob("*.yaml"))
    assert {"minilm_inspec", "bert_base_inspec", "scibert_inspec"} <= set(names)
    r = multirun(tmp_path, interim, tmp_path / "sweep", f"experiment={','.join(names)}",
                 "trainer.max_steps_per_epoch=2")
    assert r.returncode == 0, r.stderr[-3000:]
    dirs = run_dirs(tmp_path / "sweep")
    assert len(dirs) == len(names)
    for d, name in zip(dirs, names, strict=True):
        assert f"experiment={name}" in (d / ".hydra" / "overrides.yaml").read_text()
        cfg = yaml.safe_load((d / ".hydra" / "config.yaml").read_text())
        wanted = yaml.safe_load((CONF / "experiment" / f"{name}.yaml").read_text())
        # the experiment's own settings survive; debug=fast only shrinks model / data / epochs
        shrunk = yaml.safe_load((CONF / "debug" / "fast.yaml").read_text())["trainer"]
        for key, value in wanted.get("trainer", {}).items():
            assert cfg["trainer"][key] == shrunk.get(key, value), (name, key)
        assert cfg["model"]["name"] == "tiny" and cfg["trainer"]["epochs"] == 1
        m = json.loads((d / "train.json").read_text())
        assert 0.0 <= m["val/f1"] <= 1.0 and m["epochs_run"] == 1


# --- compare and promote --------------------------------------------------------------------------------

@pytest.mark.slow
def test_compare_names_both_runs_best_first(sweep, capsys):
    from lecturelab.training.compare import main

    tmp, _, _ = sweep
    vals = {d.name: json.loads((d / "train.json").read_text())["val/f1_at_m"] for d in run_dirs(tmp / "first")}
    assert vals["0"] != vals["1"]  # the seeded trials differ, so the order is checkable
    assert main([str(tmp / "first")]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()[2:] if line.startswith("first/")]
    assert [r[0] for r in rows] == sorted(["first/0", "first/1"], key=lambda n: -vals[n[-1]])
    header = out.splitlines()[0].split()
    assert {"trainer.learning_rate", "val/f1", "val/f1_at_m", "test/f1_at_m", "train_s", "examples/s"} <= set(header)
    assert float(rows[0][header.index("val/f1_at_m")]) == pytest.approx(max(vals.values()), abs=1e-4)
    page = (tmp / "first" / "compare.html").read_text()
    assert "first/0" in page and "first/1" in page and page.index(rows[0][0]) < page.index(rows[1][0])
    assert (tmp / "first" / "compare.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_promote_best_trial_then_evaluate_scores_it(sweep, tmp_path, interim):
    from lecturelab.training.promote import main

    tmp, storage, _ = sweep
    best = max((t for t in trials(storage)), key=lambda t: t.value)
    to = tmp_path / "models" / "best"
    assert main([str(tmp / "first"), str(tmp / "second"), "--to", str(to)]) == 0
    meta = json.loads((to / "lecturelab.json").read_text())
    best_dir = [tmp / "first" / "0", tmp / "first" / "1", tmp / "second" / "0"][best.number]
    assert meta["promoted_from"]["run"] == str(best_dir.resolve())
    assert meta["promoted_from"]["val/f1_at_m"] == pytest.approx(best.value)
    # the evaluate stage (as `dvc repro -s evaluate` runs it) scores the promoted checkpoint
    cfg = compose_cfg(["debug=fast", f"paths.interim_dir={interim}", f"paths.best_dir={to}",
                       f"paths.metrics_dir={tmp_path}/metrics"])
    params = tmp_path / "params.yaml"
    params.write_text(OmegaConf.to_yaml(cfg))
    r = subprocess.run([sys.executable, "-m", "lecturelab.stages", "evaluate", "--params", str(params)],
                       cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads((tmp_path / "metrics" / "test.json").read_text())
    assert m["model"] == "tiny" and 0.0 <= m["test/f1_at_m"] <= 1.0 and m["docs"] == 8


def test_promote_without_runs_is_a_clear_error(tmp_path, capsys):
    from lecturelab.training.promote import main

    assert main([str(tmp_path)]) == 1
    assert "no finished run with a best/ checkpoint" in capsys.readouterr().err


# --- one line for a bad config; one best run after a resumed study -----------------------------------------

def test_bad_config_is_one_line_before_tensorflow_in_a_run_and_in_each_trial(tmp_path, interim):
    code = ("import sys; from lecturelab.cli import main; rc = main(sys.argv[1:]); "
            "print('tensorflow loaded:', 'tensorflow' in sys.modules); sys.exit(rc)")
    cmd = [sys.executable, "-c", code, "train", "debug=fast", "data.stride=100", f"paths.interim_dir={interim}",
           f"hydra.run.dir={tmp_path}/run", f"++logger.dir={tmp_path}/wandb"]
    r = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    out = r.stdout + r.stderr   # Hydra's console log is stdout
    assert r.returncode == 2 and "tensorflow loaded: False" in r.stdout, out[-2000:]
    assert "Traceback" not in out and len(out.strip().splitlines()) == 2, out   # the error, the probe's line
    assert "data.stride = 100 must be < data.max_length - 2 = 62" in out
    assert "data.stride" in json.loads((tmp_path / "run" / "failed.json").read_text())["error"]
    # in a sweep the trial fails in one line, is told FAIL, and the sweep goes on
    storage = f"sqlite:///{tmp_path}/bad_trial.db"
    # an earlier finished trial: the Optuna sweeper cannot end a study in which no trial ever finished
    optuna.create_study(study_name="keyphrase", storage=storage, direction="maximize").add_trial(
        optuna.trial.create_trial(params={}, distributions={}, value=0.1))
    r = multirun(tmp_path, interim, tmp_path / "sweep", "hparams_search=keyphrase_optuna",
                 f"hydra.sweeper.storage={storage}", "hydra.sweeper.n_trials=2", *SMALL[:-3],
                 "data.stride=100", "trainer.epochs=1")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    assert "Traceback" not in out
    assert out.count("data.stride = 100 must be < data.max_length - 2 = 62") == 4, out   # 2 trials: error, FAIL
    assert [t.state for t in trials(storage)][1:] == [optuna.trial.TrialState.FAIL] * 2


def fake_trial_run(sweep_dir: Path, job: int, params: dict, value: float) -> Path:
    """A finished trial's run folder as `lecturelab train -m` leaves it: overrides, config, metrics, best/."""
    run = sweep_dir / str(job)
    (run / ".hydra").mkdir(parents=True)
    overrides = [f"{k}={v}" for k, v in params.items()] + ["model=tiny"]
    (run / ".hydra" / "overrides.yaml").write_text(yaml.safe_dump(overrides))
    cfg = {"model": {"name": "tiny"}, "trainer": {k.split(".")[1]: v for k, v in params.items()}}
    (run / ".hydra" / "config.yaml").write_text(yaml.safe_dump(cfg))
    (run / "train.json").write_text(json.dumps({"val/f1": value, "val/f1_at_m": value, "epochs_run": 1}))
    (run / "best").mkdir()
    (run / "best" / "lecturelab.json").write_text(json.dumps({"model": "tiny"}))
    return run


def test_resumed_study_sweep_results_compare_and_promote_name_one_best_run(tmp_path, capsys):
    """The best trial ran in the first sweep's folder; the resumed sweep's results, `compare` and `promote`
    of the second folder all name it."""
    from lecturelab.training.compare import compare
    from lecturelab.training.promote import best_run
    from lecturelab.training.sweep import record_trial_runs

    storage = f"sqlite:///{tmp_path}/study.db"
    study = optuna.create_study(study_name="keyphrase", storage=storage, direction="maximize")
    lr = optuna.distributions.LogUniformDistribution(1e-5, 3e-4)
    sweeps = {"first": [(1.234e-05, 0.9), (2.5e-4, 0.3)], "second": [(7.77e-05, 0.6)]}
    for name, jobs in sweeps.items():
        for job, (value_lr, value) in enumerate(jobs):
            study.add_trial(optuna.trial.create_trial(params={"trainer.learning_rate": value_lr},
                                                      distributions={"trainer.learning_rate": lr}, value=value))
            fake_trial_run(tmp_path / name, job, {"trainer.learning_rate": value_lr}, value)
        cfg = OmegaConf.create({"hydra": {"sweeper": {"study_name": "keyphrase", "storage": storage},
                                          "sweep": {"dir": str(tmp_path / name)}},
                                "trainer": {"monitor": "val/f1_at_m"}})
        (tmp_path / name / "optimization_results.yaml").write_text(yaml.safe_dump(
            {"name": "optuna", "best_params": study.best_trial.params, "best_value": study.best_trial.value}))
        record_trial_runs(cfg)
    first_best = (tmp_path / "first" / "0").resolve()
    results = yaml.safe_load((tmp_path / "second" / "optimization_results.yaml").read_text())
    assert results["best_trial"] == 0 and results["best_value"] == 0.9 and results["best_run"] == str(first_best)
    assert best_run([tmp_path / "second"], "val/f1_at_m")["path"].resolve() == first_best
    _, runs = compare([tmp_path / "second"], "val/f1_at_m", out=tmp_path / "cmp")
    assert runs[0]["path"].resolve() == first_best and len(runs) == 2
    # each trial's run folder is kept in the study
    assert {k: Path(v).name for k, v in optuna.load_study(study_name="keyphrase", storage=storage).user_attrs.items()} \
        == {"run:0": "0", "run:1": "1", "run:2": "0"}
