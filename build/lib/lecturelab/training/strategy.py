"""`strategy=` config -> a `tf.distribute` strategy. Build it before any other TensorFlow op:
MultiWorkerMirroredStrategy must be created at program start-up."""

from __future__ import annotations


def _default(cfg):
    import tensorflow as tf

    return tf.distribute.get_strategy()


def _mirrored(cfg):
    import tensorflow as tf

    gpus = tf.config.list_logical_devices("GPU")
    ops = {"nccl": tf.distribute.NcclAllReduce, "hierarchical_copy": tf.distribute.HierarchicalCopyAllReduce,
           "reduction_to_one_device": tf.distribute.ReductionToOneDevice}
    if cfg.cross_device_ops not in ops:
        raise ValueError(f"strategy.cross_device_ops must be one of {sorted(ops)}, got '{cfg.cross_device_ops}'")
    # NCCL needs GPUs; on a CPU-only machine the strategy still builds (one replica) with a host reduction
    op = ops[cfg.cross_device_ops]() if gpus else tf.distribute.ReductionToOneDevice()
    devices = list(cfg.devices) if cfg.get("devices") else None
    return tf.distribute.MirroredStrategy(devices=devices, cross_device_ops=op)


def _multi_worker(cfg):
    import tensorflow as tf

    impl = {"auto": tf.distribute.experimental.CommunicationImplementation.AUTO,
            "ring": tf.distribute.experimental.CommunicationImplementation.RING,
            "nccl": tf.distribute.experimental.CommunicationImplementation.NCCL}
    if cfg.communication not in impl:
        raise ValueError(f"strategy.communication must be one of {sorted(impl)}, got '{cfg.communication}'")
    opts = tf.distribute.experimental.CommunicationOptions(implementation=impl[cfg.communication])
    return tf.distribute.MultiWorkerMirroredStrategy(communication_options=opts)


# strategy.name (conf/strategy/*.yaml) -> builder: the one registry of the `strategy` config group
STRATEGIES = {"default": _default, "mirrored": _mirrored, "multi_worker": _multi_worker}


def build_strategy(cfg):
    """The `tf.distribute` strategy named by ``cfg.name`` (`STRATEGIES`); ValueError for another name."""
    if cfg.name not in STRATEGIES:
        raise ValueError(f"unknown strategy '{cfg.name}' ({', '.join(STRATEGIES)})")
    return STRATEGIES[cfg.name](cfg)


def is_multi_worker(strategy) -> bool:
    """True for a strategy spanning several processes (workers must agree on a step count)."""
    return getattr(strategy, "cluster_resolver", None) is not None


def is_chief(strategy) -> bool:
    """True for the process that writes checkpoints, metrics and logs: the single process, or in a
    cluster the chief task (worker 0 when the cluster has no chief), as the built ``strategy`` says."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    return resolver.task_type == "worker" and resolver.task_id == 0 and "chief" not in resolver.cluster_spec().jobs
