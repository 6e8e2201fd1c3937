"""``lecturelab submit vertex [key=value ...] [--dry-run]``: train on Vertex AI as a CustomJob.

The job runs the same ``python -m lecturelab.train_app <overrides>`` as a local ``lecturelab train``, in the
image built from ./Dockerfile (``vertex.image_uri``) or as this package on a prebuilt TensorFlow container
(``vertex.package_uri``). ``vertex.*`` overrides (conf/submit_vertex.yaml) say where it runs; every other
override passes through to the training command. The spec is built as plain dicts in the REST form of
``CustomJob`` (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.customJobs,
``CustomJobSpec``, ``WorkerPoolSpec``, ``MachineSpec``, ``ContainerSpec``, ``PythonPackageSpec``), so
``--dry-run`` prints it without credentials and without google-cloud-aiplatform; a real submission imports
``google.cloud.aiplatform`` (``pip install 'lecturelab[vertex]'``) only then.

Replicas come from ``strategy``: ``default`` one replica with at most one GPU; ``mirrored`` one replica
with ``vertex.accelerator_count`` GPUs (tf.distribute.MirroredStrategy); ``multi_worker``
``vertex.replica_count`` replicas as worker pool 0 (the chief, 1 replica) and worker pool 1 (the rest).
Vertex AI sets ``TF_CONFIG`` on each replica (chief / worker), which MultiWorkerMirroredStrategy reads
(`lecturelab.training.strategy`). Data and runs live in Cloud Storage: ``gs://bucket/path`` values are
passed to the job as ``/gcs/bucket/path``, where Vertex AI mounts Cloud Storage (Cloud Storage FUSE).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time

from omegaconf import OmegaConf, open_dict

from lecturelab.command import UsageError, checking_config, run_command
from lecturelab.config import CONF_DIR, compose, config_keys, split_args, validate
from lecturelab.errors import EXIT_CODES, OK, one_line

TRAIN_MODULE = "lecturelab.train_app"

# Machine types for Vertex AI custom training and the GPUs each takes, from "Configure compute resources
# for custom training" (cloud.google.com/vertex-ai/docs/training/configure-compute, 2025). Accelerator-
# optimized types come with their GPUs: (accelerator type, GPUs per machine). Update when Google adds types.
_SIZES = {
    "e2-standard": (4, 8, 16, 32), "e2-highmem": (2, 4, 8, 16), "e2-highcpu": (16, 32),
    "n2-standard": (4, 8, 16, 32, 48, 64, 80), "n2-highmem": (2, 4, 8, 16, 32, 48, 64, 80),
    "n2-highcpu": (16, 32, 48, 64, 80), "c2-standard": (4, 8, 16, 30, 60),
    "n1-standard": (4, 8, 16, 32, 64, 96), "n1-highmem": (2, 4, 8, 16, 32, 64, 96), "n1-highcpu": (16, 32, 64, 96),
}
CPU_MACHINES = {f"{family}-{n}" for family, sizes in _SIZES.items() for n in sizes}
GPU_MACHINES: dict[str, tuple[str, int]] = {
    **{f"a2-highgpu-{n}g": ("NVIDIA_TESLA_A100", n) for n in (1, 2, 4, 8)},
    "a2-megagpu-16g": ("NVIDIA_TESLA_A100", 16),
    **{f"a2-ultragpu-{n}g": ("NVIDIA_A100_80GB", n) for n in (1, 2, 4, 8)},
    "a3-highgpu-8g": ("NVIDIA_H100_80GB", 8), "a3-megagpu-8g": ("NVIDIA_H100_MEGA_80GB", 8),
    "a3-ultragpu-8g": ("NVIDIA_H200_141GB", 8), "a4-highgpu-8g": ("NVIDIA_B200", 8),
    **{f"g2-standard-{n}": ("NVIDIA_L4", 1) for n in (4, 8, 12, 16, 32)},
    "g2-standard-24": ("NVIDIA_L4", 2), "g2-standard-48": ("NVIDIA_L4", 4), "g2-standard-96": ("NVIDIA_L4", 8),
}
# GPUs attached to N1 machines, 1, 2, 4 or 8 of them (the AcceleratorType enum of the REST reference)
N1_GPUS = ("NVIDIA_TESLA_T4", "NVIDIA_TESLA_V100", "NVIDIA_TESLA_P100", "NVIDIA_TESLA_P4")
ACCELERATORS = sorted(set(N1_GPUS) | {t for t, _ in GPU_MACHINES.values()})


class SpecError(ValueError):
    """A ``vertex.*`` setting or training override that cannot make a job; one line naming the key."""


def check_machine(machine_type, accelerator_type, accelerator_count) -> None:
    """Raise SpecError unless Vertex AI custom training offers ``machine_type`` with ``accelerator_count``
    GPUs of ``accelerator_type`` (None / 0: CPU only) per replica (`CPU_MACHINES`, `GPU_MACHINES`, `N1_GPUS`)."""
    count = accelerator_count or 0
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise SpecError(f"vertex.accelerator_count={accelerator_count!r}: an integer >= 0")
    if machine_type not in CPU_MACHINES and machine_type not in GPU_MACHINES:
        raise SpecError(f"vertex.machine_type={machine_type!r}: not a Vertex AI training machine type (e.g. "
                        "n1-standard-8, g2-standard-12, a2-highgpu-1g; lecturelab/submit.py VERTEX machine list)")
    if accelerator_type is not None and accelerator_type not in ACCELERATORS:
        raise SpecError(f"vertex.accelerator_type={accelerator_type!r}: one of {', '.join(ACCELERATORS)} "
                        "or null")
    if machine_type in GPU_MACHINES:
        gpu, n = GPU_MACHINES[machine_type]
        if accelerator_type != gpu or count != n:
            raise SpecError(f"vertex.machine_type={machine_type} comes with {n} x {gpu}: set "
                            f"vertex.accelerator_type={gpu} vertex.accelerator_count={n}")
    elif count and accelerator_type is None:
        raise SpecError(f"vertex.accelerator_count={count} needs a vertex.accelerator_type ({', '.join(N1_GPUS)})")
    elif count:
        if not machine_type.startswith("n1-") or accelerator_type not in N1_GPUS:
            raise SpecError(f"vertex.accelerator_type={accelerator_type} cannot be attached to {machine_type}: "
                            f"GPUs go on n1-* machines ({', '.join(N1_GPUS)}) or use an a2/a3/g2 machine type")
        if count not in (1, 2, 4, 8):
            raise SpecError(f"vertex.accelerator_count={count}: 1, 2, 4 or 8 GPUs on an N1 machine")


def _gcs(key: str, uri) -> str:
    if not isinstance(uri, str) or not re.match(r"^gs://[a-z0-9][a-z0-9._-]{1,220}(/.*)?$", uri):
        raise SpecError(f"{key}={uri!r}: a gs://bucket/path (the job reads data from and writes runs to "
                        "Cloud Storage)")
    return uri.rstrip("/")


def fuse_path(value: str) -> str:
    """``gs://bucket/path`` -> ``/gcs/bucket/path``, where Vertex AI mounts Cloud Storage in the job."""
    return "/gcs/" + value[len("gs://"):] if value.startswith("gs://") else value


def _pass_through(override: str) -> str:
    key, eq, value = override.partition("=")
    return f"{key}={fuse_path(value)}" if eq else override


def build_job(cfg, overrides: list[str], stamp: str | None = None) -> dict:
    """The CustomJob REST body (``{"displayName", "jobSpec": {"workerPoolSpecs", "baseOutputDirectory"}}``)
    for the composed ``submit_vertex`` config ``cfg`` and the training ``overrides`` it was composed with
    (``vertex.*`` ones are dropped, the rest are passed to ``python -m lecturelab.train_app``). ``stamp``
    names the run folder (default: now, UTC). Raises SpecError with one line naming the key."""
    v = cfg.vertex
    strategy = cfg.strategy.name
    check_machine(v.machine_type, v.accelerator_type, v.accelerator_count)
    gpus = int(v.accelerator_count or 0) if v.accelerator_type else 0
    replicas = v.replica_count
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 1:
        raise SpecError(f"vertex.replica_count={replicas!r}: an integer >= 1")
    if strategy in ("default", "mirrored") and replicas != 1:
        raise SpecError(f"vertex.replica_count={replicas} with strategy={strategy}: one machine; "
                        "strategy=multi_worker trains on several")
    if strategy == "default" and gpus > 1:
        raise SpecError(f"vertex.accelerator_count={gpus} with strategy=default uses one GPU; "
                        "strategy=mirrored uses all GPUs of the machine")
    if strategy == "multi_worker" and replicas < 2:
        raise SpecError("vertex.replica_count=1 with strategy=multi_worker: 2 or more machines "
                        "(strategy=mirrored for one machine)")
    if bool(v.image_uri) == bool(v.package_uri):
        raise SpecError("vertex.image_uri / vertex.package_uri: set exactly one (a training image built from "
                        "./Dockerfile, or a gs:// sdist of this package)")
    data_dir = _gcs("vertex.data_dir", v.data_dir)
    output_dir = _gcs("vertex.output_dir", v.output_dir)
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    run_dir = f"{output_dir}/{v.display_name}-{stamp}"
    # data from, runs to Cloud Storage; the user's own overrides come last and win
    args = [f"paths.interim_dir={data_dir}/interim", f"paths.processed_dir={data_dir}/processed",
            f"hydra.run.dir={run_dir}"]
    args = [_pass_through(a) for a in args + [o for o in overrides if not _is_vertex_key(o)]]
    machine = {"machineType": v.machine_type}
    if gpus:
        machine |= {"acceleratorType": v.accelerator_type, "acceleratorCount": gpus}
    if v.image_uri:
        task = {"containerSpec": {"imageUri": v.image_uri, "command": ["python", "-m", TRAIN_MODULE], "args": args}}
    else:
        task = {"pythonPackageSpec": {"executorImageUri": v.executor_image_uri,
                                      "packageUris": [_gcs("vertex.package_uri", v.package_uri)],
                                      "pythonModule": TRAIN_MODULE, "args": args}}
    # multi_worker: pool 0 is the chief (one replica, Vertex AI requires it), pool 1 the other workers
    pools = [{"machineSpec": machine, "replicaCount": 1, **task}]
    if replicas > 1:
        pools.append({"machineSpec": dict(machine), "replicaCount": replicas - 1, **json.loads(json.dumps(task))})
    spec = {"workerPoolSpecs": pools, "baseOutputDirectory": {"outputUriPrefix": run_dir}}
    if v.service_account:
        spec["serviceAccount"] = v.service_account
    return {"displayName": f"{v.display_name}-{stamp}", "jobSpec": spec}


def _is_vertex_key(override: str) -> bool:
    return re.match(r"^(\+\+|\+|~)?vertex(\.|=|$)", override) is not None


def compose_submit(overrides: list[str]):
    """The ``submit_vertex`` config with ``overrides``; the training sections checked like `lecturelab
    train` checks them (`lecturelab.config.validate`), with the run folder Vertex AI will use."""
    cfg = compose("submit_vertex", overrides)
    checked = cfg.copy()
    with open_dict(checked):   # train_app's paths point into the Hydra run folder, which exists only in the job
        OmegaConf.update(checked, "paths.output_dir", "/gcs/run", merge=False)
    validate(checked, "train", source="training overrides")
    return cfg


def submit(job: dict, cfg) -> str:
    """Create the CustomJob with google-cloud-aiplatform and return its resource name. Needs the user's
    Application Default Credentials (``gcloud auth application-default login``) and ``vertex.project``."""
    from google.cloud import aiplatform  # deferred: the optional extra `lecturelab[vertex]`

    def snake(obj):   # the client library takes the proto field names (machine_type, not machineType)
        if isinstance(obj, dict):
            return {re.sub(r"(?<!^)([A-Z])", r"_\1", k).lower(): snake(x) for k, x in obj.items()}
        return [snake(x) for x in obj] if isinstance(obj, list) else obj

    spec = job["jobSpec"]
    aiplatform.init(project=cfg.vertex.project, location=cfg.vertex.region,
                    staging_bucket=spec["baseOutputDirectory"]["outputUriPrefix"])
    custom = aiplatform.CustomJob(display_name=job["displayName"], worker_pool_specs=snake(spec["workerPoolSpecs"]),
                                  base_output_dir=spec["baseOutputDirectory"]["outputUriPrefix"])
    custom.submit(service_account=spec.get("serviceAccount"))
    return custom.resource_name


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lecturelab submit", description=__doc__.strip().splitlines()[0],
                                epilog=EXIT_CODES)
    p.add_argument("target", choices=["vertex"], help="where to train (Vertex AI custom training)")
    p.add_argument("overrides", nargs="*", metavar="key=value",
                   help="vertex.* settings (conf/submit_vertex.yaml) and training overrides (strategy=mirrored ...)")
    p.add_argument("--dry-run", action="store_true", help="print the CustomJob as JSON; submit nothing")
    p.add_argument("-v", "--verbose", action="store_true", help="tracebacks")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lecturelab submit``; returns the exit code (`lecturelab.errors`)."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = parser().parse_intermixed_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
    return run_command("lecturelab submit", lambda: submit_args(args), args.verbose)


def submit_args(args: argparse.Namespace) -> int:
    """Check the overrides and the job, then print it (``--dry-run``) or submit it."""
    paths, overrides, _ = split_args(args.overrides, config_keys("submit_vertex", CONF_DIR) | config_keys("train"))
    if paths:
        raise UsageError(f"{paths[0]}: not a key=value override of the training or vertex config")
    with checking_config():
        cfg = compose_submit(overrides)
        job = build_job(cfg, overrides)
    if args.dry_run:
        print(json.dumps(job, indent=2))
        return OK
    if not cfg.vertex.project:
        raise UsageError("vertex.project=null: the Google Cloud project to submit to (or --dry-run)")
    try:
        import google.cloud.aiplatform  # noqa: F401
    except ImportError:
        raise UsageError("submitting needs google-cloud-aiplatform: pip install 'lecturelab[vertex]' "
                         "(--dry-run does not)") from None
    try:
        name = submit(job, cfg)
    except Exception as e:  # noqa: BLE001 - credentials, quota, permissions: the service's own first line
        raise RuntimeError(f"Vertex AI refused the job: {one_line(e)}") from e
    print(f"submitted {name}")
    return OK
