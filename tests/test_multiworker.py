"""strategy=multi_worker for real: two CPU worker processes on loopback ports train the tiny model
together (MultiWorkerMirroredStrategy from TF_CONFIG); both finish with the same weights, and only
the chief writes checkpoints and metrics.

strategy=mirrored for real as well: two replicas on two logical CPU devices of one process.

This file is also the worker script: `python tests/test_multiworker.py <index|mirrored> <ports> <data> <out>`.
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


def worker_overrides(data: Path, out: Path, index: int) -> list[str]:
    from tests.conftest import tmp_paths

    own = out / f"worker{index}"  # each worker names its own output folders: non-chief ones must stay empty
    return ["debug=fast", "data.max_docs=null", "strategy=multi_worker", "strategy.communication=ring",
            "trainer.epochs=2", "trainer.max_steps_per_epoch=2", *tmp_paths(data),
            f"paths.output_dir={own}/out", f"paths.best_dir={own}/best", f"paths.metrics_dir={own}/metrics"]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """Prepared splits and records, built here: a worker must create its strategy before any TF op."""
    from lecturelab.stages import run_stage
    from tests.conftest import compose_cfg, tmp_paths

    tmp = tmp_path_factory.mktemp("data")
    cfg = compose_cfg(["debug=fast", "data.max_docs=null", *tmp_paths(tmp)])
    for stage in ("prepare", "build_records"):
        run_stage(stage, cfg)
    return tmp


def _spawn(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "WANDB_MODE": "offline", "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.Popen([sys.executable, __file__, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_two_workers_on_loopback_agree_on_weights(data, tmp_path):
    ports = ",".join(map(str, _free_ports(2)))
    procs = [_spawn([str(i), ports, str(data), str(tmp_path)]) for i in range(2)]
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


@pytest.mark.slow
def test_mirrored_on_two_logical_cpus_scales_the_global_batch(data, tmp_path):
    proc = _spawn(["mirrored", "", str(data), str(tmp_path)])
    try:
        log = proc.communicate(timeout=300)[0]
    finally:
        proc.kill()
    assert proc.returncode == 0, log[-3000:]
    summary = json.loads((tmp_path / "mirrored.json").read_text())
    assert summary["replicas"] == 2 and summary["global_batch_size"] == 2 * 4  # trainer.batch_size per replica
    assert summary["examples_per_epoch"] == 2 * 8 and 0.0 <= summary["val/f1"] <= 1.0
    assert (tmp_path / "mirrored" / "best" / "lecturelab.json").is_file()


def _mirrored(data: Path, out: Path) -> None:
    sys.path.insert(0, str(ROOT))
    import lecturelab  # noqa: F401, I001  (TF_USE_LEGACY_KERAS before TensorFlow)
    import tensorflow as tf

    from lecturelab.training.train import train
    from tests.conftest import compose_cfg, tmp_paths

    cpu = tf.config.list_physical_devices("CPU")[0]  # two logical CPUs = two replicas, before TF starts
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    own = out / "mirrored"
    summary = train(compose_cfg([
        "debug=fast", "data.max_docs=null", "strategy=mirrored", "strategy.devices=['/cpu:0','/cpu:1']",
        "strategy.cross_device_ops=reduction_to_one_device", "trainer.max_steps_per_epoch=2", *tmp_paths(data),
        f"paths.output_dir={own}/out", f"paths.best_dir={own}/best", f"paths.metrics_dir={own}/metrics"]))
    (out / "mirrored.json").write_text(json.dumps(summary))


def _worker(index: int, ports: str, data: Path, out: Path) -> None:
    os.environ["TF_CONFIG"] = json.dumps({
        "cluster": {"worker": [f"127.0.0.1:{p}" for p in ports.split(",")]},
        "task": {"type": "worker", "index": index}})
    sys.path.insert(0, str(ROOT))
    import lecturelab  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
    import lecturelab.models.factory as factory
    import lecturelab.training.train as train_module
    from lecturelab.training.train import train
    from tests.conftest import compose_cfg

    built, initial = [], []
    build_model = factory.build_model

    def capture(model_cfg):  # keep the model train() builds, to fingerprint its weights afterwards
        model = build_model(model_cfg)
        built.append(model)
        initial.extend(_fingerprint(model))
        return model

    factory.build_model = train_module.build_model = capture
    summary = train(compose_cfg(worker_overrides(data, out, index)))
    result = {"weights": _fingerprint(built[0]), "initial": initial, "replicas": summary["replicas"],
              "val/f1": summary["val/f1"]}
    (out / f"worker{index}.json").write_text(json.dumps(result))


def _fingerprint(model) -> list:
    return [(w.name, float(w.numpy().astype("float64").sum())) for w in model.weights]


if __name__ == "__main__":
    if sys.argv[1] == "mirrored":
        _mirrored(Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        _worker(int(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
