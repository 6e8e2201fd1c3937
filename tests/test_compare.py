"""`lecturelab compare` on hand-made run folders: runs that differ only by seed become mean ± sample std."""

from __future__ import annotations

import json

import pytest
import yaml

from lecturelab.training.compare import compare, find_runs, load_run, seed_groups

# (folder, learning rate, seed, val/f1_at_m)
RUNS = [("a", 1e-4, 1, 0.5), ("b", 1e-4, 2, 0.6), ("c", 1e-4, 3, 0.7),
        ("d", 2e-4, 1, 0.4), ("e", 2e-4, 2, 0.5), ("f", 3e-4, 1, 0.9)]


@pytest.fixture
def runs_dir(tmp_path):
    for name, lr, seed, f1m in RUNS:
        d = tmp_path / "multirun" / name
        (d / ".hydra").mkdir(parents=True)
        cfg = {"seed": seed, "model": {"name": "tiny"}, "trainer": {"learning_rate": lr, "epochs": 2},
               "paths": {"output_dir": str(d)}}
        (d / ".hydra" / "config.yaml").write_text(yaml.safe_dump(cfg))
        (d / "train.json").write_text(json.dumps({"val/f1": f1m - 0.1, "val/f1_at_m": f1m, "epochs_run": 2}))
    return tmp_path / "multirun"


def test_seed_groups_mean_and_sample_std(runs_dir):
    groups = seed_groups([load_run(p) for p in find_runs([runs_dir])])
    by_lr = {g["config"]["trainer.learning_rate"]: g for g in groups}
    assert set(by_lr) == {1e-4, 2e-4}            # the single 3e-4 run has nothing to average
    mean, std, n = by_lr[1e-4]["metrics"]["val/f1_at_m"]
    assert (mean, std, n) == pytest.approx((0.6, 0.1, 3))          # ddof=1: sqrt(((.1)^2 + 0 + (.1)^2) / 2)
    mean, std, n = by_lr[2e-4]["metrics"]["val/f1_at_m"]
    assert (mean, std, n) == pytest.approx((0.45, 0.5 ** 0.5 / 10, 2))
    assert sorted(by_lr[1e-4]["seeds"]) == [1, 2, 3] and "test/f1_at_m" not in by_lr[1e-4]["metrics"]


def test_compare_prints_the_across_seeds_table(runs_dir, tmp_path):
    text, runs = compare([runs_dir], out=tmp_path / "out")
    assert len(runs) == 6 and runs[0]["path"].name == "f"          # best val/f1_at_m first
    summary = text.split("across seeds (mean ± sample standard deviation, ddof=1):\n")[1].splitlines()
    header, rows = summary[0].split(), summary[2:]
    assert header[:3] == ["trainer.learning_rate", "runs", "seeds"] and "val/f1_at_m" in header
    assert len(rows) == 2
    assert "0.6 ± 0.1" in rows[0] and "1,2,3" in rows[0]
    assert "0.45 ± 0.071" in rows[1] and "1,2" in rows[1]


def test_runs_with_the_same_seed_are_not_averaged(runs_dir):
    runs = [load_run(p) for p in find_runs([runs_dir])]
    for r in runs:
        r["config"]["seed"] = 7
    assert seed_groups(runs) == []
