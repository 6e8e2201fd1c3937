"""strategy=multi_worker for real: two CPU worker processes on loopback ports train the tiny model
together (MultiWorkerMirroredStrategy from TF_CONFIG); both finish with the same weights, and only
the chief writes checkpoints and metrics.

This file is also the worker script: `python tests/test_multiworker.py <index> <ports> <tmp> <out>`.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def worker_overrides(tmp: Path, index: int) -> list[str]:
    from tests.conftest import tmp_paths

    own = tmp / f"worker{index}"  # each worker names its own output folders: non-chief ones must stay empty
    return ["debug=fast", "data.max_docs=null", "strategy=multi_worker", "strategy.communication=ring",
            "trainer.epochs=2", "trainer.max_steps_per_epoch=2", *tmp_paths(tmp),
            f"paths.output_dir={own}/out", f"paths.best_dir={own}/best", f"paths.metrics_dir={own}/metrics"]


@pytest.mark.slow
def test_two_workers_on_loopback_agree_on_weights(tmp_path):
    from lecturelab.stages import run_stage
    from tests.conftest import compose_cfg

    cfg = compose_cfg(worker_overrides(tmp_path, 0))
    for stage in ("prepare", "build_records"):  # here: a worker must create its strategy before any TF op
        run_stage(stage, cfg)
    ports = ",".join(map(str, _free_ports(2)))
    env = {**os.environ, "WANDB_MODE": "offline", "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    procs = [subprocess.Popen([sys.executable, __file__, str(i), ports, str(tmp_path)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for i in range(2)]
    try:
        logs = [p.communicate(timeout=300)[0] for p in procs]
    finally:
        for p in procs:
            p.kill()
    for i, p in enumerate(procs):
        assert p.returncode == 0, f"worker {i} failed:\n{logs[i][-3000:]}"

    results = [json.loads((tmp_path / f"worker{i}.json").read_text()) for i in range(2)]
    assert results[0]["replicas"] == results[1]["replicas"] == 2  # one replica per worker, in sync
    assert len(results[0]["weights"]) == len(results[1]["weights"]) > 10
    for (name, a), (_, b) in zip(results[0]["weights"], results[1]["weights"], strict=True):
        assert abs(a - b) <= 1e-5 * max(1.0, abs(a)), f"{name}: worker 0 {a} != worker 1 {b}"
    # the weights moved from their initial values: both workers really trained
    assert len(results[0]["initial"]) == len(results[0]["weights"])
    assert results[0]["weights"] != results[0]["initial"]
    # validation ran in the epoch callback on both workers and saw the same model
    assert results[0]["val/f1"] == results[1]["val/f1"] and 0.0 <= results[0]["val/f1"] <= 1.0

    chief, other = tmp_path / "worker0", tmp_path / "worker1"
    history = json.loads((chief / "metrics" / "train_history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]
    assert (chief / "best" / "lecturelab.json").is_file() and (chief / "metrics" / "train.json").is_file()
    written = sorted(str(p.relative_to(other)) for p in other.rglob("*") if p.is_file()) if other.exists() else []
    assert written == [], f"the non-chief worker wrote {written}"


def _worker(index: int, ports: str, tmp: Path) -> None:
    os.environ["TF_CONFIG"] = json.dumps({
        "cluster": {"worker": [f"127.0.0.1:{p}" for p in ports.split(",")]},
        "task": {"type": "worker", "index": index}})
    sys.path.insert(0, str(ROOT))
    import lecturelab  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
    import lecturelab.models.factory as factory
    from lecturelab.training.train import train
    from tests.conftest import compose_cfg

    built, initial = [], []
    build_model = factory.build_model

    def capture(model_cfg):  # keep the model train() builds, to fingerprint its weights afterwards
        model = build_model(model_cfg)
        built.append(model)
        initial.extend(_fingerprint(model))
        return model

    factory.build_model = capture
    summary = train(compose_cfg(worker_overrides(tmp, index)))
    out = {"weights": _fingerprint(built[0]), "initial": initial, "replicas": summary["replicas"],
           "val/f1": summary["val/f1"]}
    (tmp / f"worker{index}.json").write_text(json.dumps(out))


def _fingerprint(model) -> list:
    return [(w.name, float(w.numpy().astype("float64").sum())) for w in model.weights]


if __name__ == "__main__":
    _worker(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
