"""End to end: the four DVC stages on the committed fixture with model=tiny, through the same
entry point DVC calls (`python -m lecturelab.stages`) and the plain functions."""

import json
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest
from omegaconf import OmegaConf

from lecturelab import LABEL2ID
from lecturelab.io import read_jsonl
from lecturelab.keyphrases import spans_from_tags
from lecturelab.models.tagger import KeyphraseTagger
from tests.conftest import ROOT, compose_cfg, dvc_stages, tmp_paths

pytestmark = pytest.mark.slow


def test_metrics_file_parses_and_values_are_in_range(trained_tiny):
    cfg, tmp, results = trained_tiny
    m = json.loads((tmp / "metrics" / "test.json").read_text())
    assert m == json.loads(json.dumps(results["evaluate"]))
    for key in ("test/f1", "test/f1_at_5", "test/f1_at_10", "test/f1_at_m", "yake/f1_at_5", "yake/f1_at_m"):
        assert 0.0 <= m[key] <= 1.0, key
    assert m["docs"] == 8
    # throughput is machine-dependent: in its own file beside, not in the DVC-tracked metrics
    assert json.loads((tmp / "speed" / "train_speed.json").read_text())["train/examples_per_s"] > 0
    curve = json.loads((tmp / "metrics" / "test_pr.json").read_text())
    assert all(0 <= c["precision"] <= 1 and 0 <= c["recall"] <= 1 for c in curve)
    history = json.loads((tmp / "metrics" / "train_history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]


def test_manifest_describes_the_shards(trained_tiny):
    cfg, tmp, _ = trained_tiny
    man = json.loads((tmp / "processed" / "manifest.json").read_text())
    assert man["max_length"] == cfg.data.max_length and man["label2id"] == {"O": 0, "B-KEY": 1, "I-KEY": 2}
    for split in ("train", "val", "test"):
        shards = man["splits"][split]["shards"]
        assert len(shards) == cfg.data.num_shards
        assert all((tmp / "processed" / s).stat().st_size > 0 for s in shards)
        assert man["splits"][split]["windows"] >= man["splits"][split]["docs"]


def test_best_checkpoint_reloads_and_predicts(trained_tiny):
    cfg, tmp, results = trained_tiny
    tagger = KeyphraseTagger.load(tmp / "models" / "best")
    meta = json.loads((tmp / "models" / "best" / "lecturelab.json").read_text())
    assert meta["best_epoch"] in (1, 2) and tagger.o_bias == meta["o_bias"]
    words = "A genetic algorithm for job shop scheduling".split()
    (probs,) = tagger.word_probs([words])
    assert probs.shape == (len(words), 3) and np.allclose(probs.sum(-1), 1.0, atol=1e-4)
    glossary = (tmp / "models" / "best" / "glossary.txt").read_text().splitlines()
    gold = set()
    for row in read_jsonl(tmp / "interim" / "train.jsonl"):
        gold |= {" ".join(s.words(row["tokens"])).lower()
                 for s in spans_from_tags([LABEL2ID[t] for t in row["tags"]])}
    assert len(glossary) == min(200, len(gold)) and set(glossary) <= gold
    (spans,) = tagger.predict([words])
    assert all(0 <= s.start < s.end <= len(words) and 0 <= s.score <= 1 for s in spans)


def test_stage_entry_point_reads_params_file(trained_tiny, tmp_path):
    """`python -m lecturelab.stages evaluate --params ...` exactly as DVC runs it."""
    cfg, tmp, _ = trained_tiny
    cfg2 = OmegaConf.merge(cfg, {"paths": {"metrics_dir": str(tmp_path / "m2")}, "evaluate": {"yake": False}})
    params = tmp_path / "params.yaml"
    params.write_text(OmegaConf.to_yaml(cfg2))
    r = subprocess.run([sys.executable, "-m", "lecturelab.stages", "evaluate", "--params", str(params)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    m = json.loads((tmp_path / "m2" / "test.json").read_text())
    assert 0 <= m["test/f1_at_m"] <= 1 and "yake/f1_at_m" not in m


def test_stage_error_is_one_line(tmp_path):
    cfg = compose_cfg(["debug=fast", *tmp_paths(tmp_path, raw=tmp_path / "missing")])
    params = tmp_path / "params.yaml"
    params.write_text(OmegaConf.to_yaml(cfg))
    r = subprocess.run([sys.executable, "-m", "lecturelab.stages", "prepare", "--params", str(params)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and "make data" in r.stderr


def test_interrupted_training_keeps_published_checkpoint_and_resumes(trained_tiny, tmp_path):
    """A train that dies mid-way leaves models/best as it was; resume=true continues from the backup."""
    from lecturelab.training.train import train

    cfg, tmp, _ = trained_tiny
    best = tmp / "models" / "best"
    before = sorted(p.name for p in best.iterdir())
    cfg2 = OmegaConf.merge(cfg, {"trainer": {"epochs": 3}, "paths": {"output_dir": str(tmp_path / "out"),
                                                                     "metrics_dir": str(tmp_path / "m")}})

    class Boom(RuntimeError):
        pass

    import lecturelab.training.train as tr

    real_end = tr.EpochEval.end_epoch

    def dying_end(self, epoch, *a):
        stop = real_end(self, epoch, *a)
        if epoch == 1:
            raise Boom("killed after epoch 2")
        return stop

    tr.EpochEval.end_epoch = dying_end
    try:
        with pytest.raises(Boom):
            train(cfg2)
    finally:
        tr.EpochEval.end_epoch = real_end
    assert sorted(p.name for p in best.iterdir()) == before
    assert not (tmp_path / "m" / "train.json").exists()
    state = json.loads((tmp_path / "out" / "state.json").read_text())
    assert len(state["history"]) == 2
    summary = train(OmegaConf.merge(cfg2, {"trainer": {"resume": True}}))
    history = json.loads((tmp_path / "m" / "train_history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert summary["epochs_run"] == 3


def test_stages_in_order_and_train_outputs_persist():
    # which keys and modules each stage reads: tests/test_dvc_contract.py
    stages = dvc_stages()
    assert list(stages) == ["prepare", "build_records", "train", "evaluate"]
    # persist: DVC must not delete the published model and its metrics before training (see dvc.yaml)
    assert stages["train"]["outs"] == [{"models/best": {"persist": True}}]
    assert stages["train"]["metrics"][0]["metrics/train.json"]["persist"] is True
    assert stages["train"]["plots"][0]["metrics/train_history.json"]["persist"] is True


def _snapshot(*roots) -> dict:
    return {str(p): p.read_bytes() for root in roots for p in sorted(root.rglob("*")) if p.is_file()}


def test_sigint_mid_training_keeps_model_and_metrics_byte_identical(trained_tiny, tmp_path):
    """Ctrl-C in the middle of `python -m lecturelab.stages train` (what `dvc repro` runs): exit 130,
    one line, and the published model and train metrics are byte for byte those of the last run."""
    cfg, tmp, _ = trained_tiny
    shutil.copytree(tmp / "models", tmp_path / "models")
    shutil.copytree(tmp / "metrics", tmp_path / "metrics")
    before = _snapshot(tmp_path / "models", tmp_path / "metrics")
    assert any(k.endswith("train.json") for k in before) and any(k.endswith("tf_model.h5") for k in before)
    cfg2 = OmegaConf.merge(cfg, {"trainer": {"epochs": 50, "early_stopping_patience": 50},
                                 "paths": {"best_dir": str(tmp_path / "models" / "best"),
                                           "metrics_dir": str(tmp_path / "metrics"),
                                           "output_dir": str(tmp_path / "out")}})
    params = tmp_path / "params.yaml"
    params.write_text(OmegaConf.to_yaml(cfg2))
    # SIGINT back to its default in the child: a shell's background job (`make test &`) starts with it
    # ignored, and Python then installs no KeyboardInterrupt handler
    proc = subprocess.Popen([sys.executable, "-m", "lecturelab.stages", "train", "--params", str(params)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for line in proc.stdout:  # wait until epoch 1 is scored: epoch 2 is training now
            if line.startswith("epoch 1:"):
                break
        else:
            pytest.fail(f"train ended before epoch 1: {proc.stderr.read()[-2000:]}")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, err[-2000:]
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (f"train: interrupted; {tmp_path}/models/best and "
                                            f"{tmp_path}/metrics/train*.json kept from the last finished run")
    assert _snapshot(tmp_path / "models", tmp_path / "metrics") == before
    assert [p.name for p in (tmp_path / "models").iterdir()] == ["best"]  # no temp folder left behind


def test_levers_change_the_loss_and_validation_sees_the_weight_average(trained_tiny, tmp_path):
    """trainer.label_smoothing / class_weights reach the model's loss; with trainer.ema_decay, validation and
    the checkpoint see the averaged weights and training goes on from the trained ones."""
    import lecturelab.training.train as tr

    cfg, tmp, _ = trained_tiny
    plain = json.loads((tmp / "metrics" / "train_history.json").read_text())
    cfg2 = OmegaConf.merge(cfg, {"trainer": {"label_smoothing": 0.2, "class_weights": [1.0, 3.0, 2.0], "ema_decay": 0.5},
                                 "paths": {n: str(tmp_path / n) for n in ("output_dir", "metrics_dir", "best_dir")}})
    seen = []
    real_end = tr.EpochEval.end_epoch

    def spy(self, epoch, *a):   # runs inside the EMA's averaged() context
        seen.append((self.tagger.model, self.tagger.model.trainable_variables[-2].numpy()))
        return real_end(self, epoch, *a)

    tr.EpochEval.end_epoch = spy
    try:
        tr.train(cfg2)
    finally:
        tr.EpochEval.end_epoch = real_end
    history = json.loads((tmp_path / "metrics_dir" / "train_history.json").read_text())
    assert history[0]["train/loss"] != pytest.approx(plain[0]["train/loss"], rel=1e-3)
    model, averaged = seen[-1]
    trained = model.trainable_variables[-2].numpy()   # after the last epoch: the trained weights are back
    assert averaged.shape == trained.shape and not np.allclose(averaged, trained)
