"""TFRecords that match a Hydra run's tokenizer and window sizes, built once per sweep.

DVC's `train` stage gets its records from the `build_records` stage; a Hydra run (`lecturelab train`)
may ask for another tokenizer or ``data.max_length``, so it builds them here, into a cache the trials
of a sweep share. Both paths check staleness with the same `lecturelab.training.train.load_manifest`.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
from pathlib import Path

from lecturelab.data.records import build_records
from lecturelab.io import sha256_file
from lecturelab.tokenizer import tokenizer_id
from lecturelab.training.train import load_manifest

log = logging.getLogger(__name__)


def ensure_records(cfg, cache_root: str | Path) -> str:
    """The folder of TFRecords built for this run's model tokenizer and
    ``data.max_length / stride / label_all_subwords / num_shards``: ``paths.processed_dir`` when its
    manifest matches, else ``cache_root/records-<hash>``, built once (under a file lock, so parallel
    trials do not build the same folder twice). ``cfg`` is not changed.

    Raises FileNotFoundError when the prepared splits are missing, and the manifest's error for a
    multi-worker run (building records would start TensorFlow before the strategy)."""
    try:
        load_manifest(cfg)
        return str(cfg.paths.processed_dir)
    except (FileNotFoundError, ValueError) as e:
        if cfg.strategy.name == "multi_worker":
            raise  # writing records would start TensorFlow before the strategy: build them beforehand
        reason = str(e)
    interim = Path(cfg.paths.interim_dir)
    files = sorted(interim.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"{interim}: no prepared splits; run the prepare stage first "
                                "(`dvc repro prepare`)")
    d = cfg.data
    key = json.dumps([tokenizer_id(cfg.model), d.max_length, d.stride, d.label_all_subwords,
                      d.num_shards, list(d.splits.keys())] + [sha256_file(f) for f in files])
    out = Path(cache_root) / f"records-{hashlib.sha1(key.encode()).hexdigest()[:12]}"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (out / "manifest.json").is_file():
            log.info("records: %s; building %s", reason, out)
            build_records(cfg, out)
    return str(out)

