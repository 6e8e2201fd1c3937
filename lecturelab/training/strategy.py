"""`strategy=` config -> a `tf.distribute` strategy. Build it before any other TensorFlow op:
MultiWorkerMirroredStrategy must be created at program start-up."""

from __future__ import annotations

import json
import os

import lecturelab  # noqa: F401


def build_strategy(cfg):
    import tensorflow as tf

    name = cfg.name
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        ops = {"nccl": tf.distribute.NcclAllReduce, "hierarchical_copy": tf.distribute.HierarchicalCopyAllReduce,
               "reduction_to_one_device": tf.distribute.ReductionToOneDevice}
        if cfg.cross_device_ops not in ops:
            raise ValueError(f"strategy.cross_device_ops must be one of {sorted(ops)}, got '{cfg.cross_device_ops}'")
        # NCCL needs GPUs; on a CPU-only machine the strategy still builds (one replica) with a host reduction
        op = ops[cfg.cross_device_ops]() if gpus else tf.distribute.ReductionToOneDevice()
        devices = list(cfg.devices) if cfg.get("devices") else None
        return tf.distribute.MirroredStrategy(devices=devices, cross_device_ops=op)
    if name == "multi_worker":
        impl = {"auto": tf.distribute.experimental.CommunicationImplementation.AUTO,
                "ring": tf.distribute.experimental.CommunicationImplementation.RING,
                "nccl": tf.distribute.experimental.CommunicationImplementation.NCCL}
        if cfg.communication not in impl:
            raise ValueError(f"strategy.communication must be one of {sorted(impl)}, got '{cfg.communication}'")
        opts = tf.distribute.experimental.CommunicationOptions(implementation=impl[cfg.communication])
        return tf.distribute.MultiWorkerMirroredStrategy(communication_options=opts)
    raise ValueError(f"unknown strategy '{name}' (default, mirrored, multi_worker)")


def is_chief() -> bool:
    """True for the process that writes checkpoints, metrics and logs (worker 0 / single process)."""
    tf_config = json.loads(os.environ.get("TF_CONFIG", "{}") or "{}")
    task = tf_config.get("task", {})
    return task.get("type", "chief") == "chief" or (task.get("type") == "worker" and task.get("index", 0) == 0
                                                   and "chief" not in tf_config.get("cluster", {}))
