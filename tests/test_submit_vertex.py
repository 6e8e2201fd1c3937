"""`lecturelab submit vertex --dry-run`: the CustomJob spec for one GPU, several GPUs and several machines,
built without credentials or google-cloud-aiplatform; bad names are one line and exit 2."""

from __future__ import annotations

import json
import sys

import pytest

from lecturelab import cli

BASE = ["vertex.image_uri=europe-docker.pkg.dev/lab/train/lecturelab:1", "vertex.data_dir=gs://lab-bucket/data",
        "vertex.output_dir=gs://lab-bucket/runs/", "logger=none"]


def submit(args, capsys):
    capsys.readouterr()
    code = cli.main(["submit", "vertex", *args])
    out, err = capsys.readouterr()
    return code, out, err


def dry_run(args, capsys) -> dict:
    code, out, err = submit([*BASE, *args, "--dry-run"], capsys)
    assert code == 0, err
    return json.loads(out)


def test_single_gpu_is_one_replica_with_the_training_command(capsys):
    job = dry_run(["trainer.epochs=3"], capsys)
    (pool,) = job["jobSpec"]["workerPoolSpecs"]
    assert pool["machineSpec"] == {"machineType": "n1-standard-8", "acceleratorType": "NVIDIA_TESLA_T4",
                                   "acceleratorCount": 1}
    assert pool["replicaCount"] == 1
    container = pool["containerSpec"]
    assert container["imageUri"] == "europe-docker.pkg.dev/lab/train/lecturelab:1"
    assert container["command"] == ["python", "-m", "lecturelab.train_app"]
    run_dir = job["jobSpec"]["baseOutputDirectory"]["outputUriPrefix"]
    assert run_dir.startswith("gs://lab-bucket/runs/lecturelab-train-") and job["displayName"] in run_dir
    # data and runs in Cloud Storage, seen through the /gcs mount; the user's overrides passed through, vertex.* not
    assert container["args"] == ["paths.interim_dir=/gcs/lab-bucket/data/interim",
                                 "paths.processed_dir=/gcs/lab-bucket/data/processed",
                                 f"hydra.run.dir=/gcs/{run_dir.removeprefix('gs://')}", "logger=none",
                                 "trainer.epochs=3"]
    assert "google.cloud.aiplatform" not in sys.modules


def test_mirrored_is_one_machine_with_all_its_gpus(capsys):
    job = dry_run(["strategy=mirrored", "vertex.machine_type=a2-highgpu-4g",
                   "vertex.accelerator_type=NVIDIA_TESLA_A100", "vertex.accelerator_count=4"], capsys)
    (pool,) = job["jobSpec"]["workerPoolSpecs"]
    assert pool["replicaCount"] == 1
    assert pool["machineSpec"] == {"machineType": "a2-highgpu-4g", "acceleratorType": "NVIDIA_TESLA_A100",
                                   "acceleratorCount": 4}
    assert "strategy=mirrored" in pool["containerSpec"]["args"]


def test_multi_worker_is_a_chief_pool_and_a_worker_pool(capsys):
    job = dry_run(["strategy=multi_worker", "vertex.replica_count=4", "vertex.machine_type=g2-standard-12",
                   "vertex.accelerator_type=NVIDIA_L4", "vertex.accelerator_count=1"], capsys)
    chief, workers = job["jobSpec"]["workerPoolSpecs"]
    assert (chief["replicaCount"], workers["replicaCount"]) == (1, 3)
    assert chief["machineSpec"] == workers["machineSpec"] == {
        "machineType": "g2-standard-12", "acceleratorType": "NVIDIA_L4", "acceleratorCount": 1}
    # every replica runs the same command; Vertex AI's TF_CONFIG tells them apart
    assert chief["containerSpec"] == workers["containerSpec"]
    assert "strategy=multi_worker" in chief["containerSpec"]["args"]


def test_python_package_on_a_prebuilt_container(capsys):
    job = dry_run(["vertex.image_uri=null", "vertex.package_uri=gs://lab-bucket/dist/lecturelab-0.1.0.tar.gz",
                   "vertex.accelerator_type=null", "vertex.accelerator_count=0", "vertex.machine_type=e2-standard-8"],
                  capsys)
    (pool,) = job["jobSpec"]["workerPoolSpecs"]
    assert pool["machineSpec"] == {"machineType": "e2-standard-8"}
    spec = pool["pythonPackageSpec"]
    assert spec["packageUris"] == ["gs://lab-bucket/dist/lecturelab-0.1.0.tar.gz"]
    assert spec["pythonModule"] == "lecturelab.train_app" and "containerSpec" not in pool


@pytest.mark.parametrize("args, message", [
    (["vertex.machine_type=n1-standard-7"], "error: vertex.machine_type='n1-standard-7': not a Vertex AI training "
                                            "machine type"),
    (["vertex.accelerator_type=NVIDIA_TESLA_T5"], "error: vertex.accelerator_type='NVIDIA_TESLA_T5': one of "),
    (["vertex.machine_type=a2-highgpu-2g", "vertex.accelerator_type=NVIDIA_TESLA_A100"],
     "error: vertex.machine_type=a2-highgpu-2g comes with 2 x NVIDIA_TESLA_A100: set"),
    (["vertex.machine_type=e2-standard-8"], "error: vertex.accelerator_type=NVIDIA_TESLA_T4 cannot be attached"),
    (["vertex.accelerator_count=3"], "error: vertex.accelerator_count=3: 1, 2, 4 or 8 GPUs on an N1 machine"),
    (["strategy=mirrored", "vertex.replica_count=2"], "error: vertex.replica_count=2 with strategy=mirrored"),
    (["strategy=multi_worker"], "error: vertex.replica_count=1 with strategy=multi_worker"),
    (["vertex.data_dir=data/processed"], "error: vertex.data_dir='data/processed': a gs://bucket/path"),
    (["trainer.epochs=0"], "error: training overrides: trainer.epochs = 0: expected an integer >= 1"),
    (["strategy=ring"], "error: In 'train': Could not find 'strategy/ring'"),
])
def test_bad_settings_are_one_line_and_exit_2_before_anything_is_submitted(args, message, capsys):
    code, out, err = submit([*BASE, *args], capsys)   # not a dry run: nothing may be submitted either
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith(message), err
    assert "google.cloud.aiplatform" not in sys.modules


def test_real_submission_without_a_project_stops_before_the_client(capsys):
    code, _, err = submit(BASE, capsys)
    assert code == 2 and err.strip() == "error: vertex.project=null: the Google Cloud project to submit to " \
                                        "(or --dry-run)"
