"""Stage 2 `build_records`: interim JSONL -> windowed, sharded, GZIP TFRecords + manifest.json,
and the `tf.data` pipeline that reads them back for training."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from lecturelab.bio import LABEL2ID
from lecturelab.io import atomic_dir, read_jsonl, write_json
from lecturelab.tokenizer import load_tokenizer, tokenizer_id
from lecturelab.windows import IGNORE, Window, make_windows

log = logging.getLogger(__name__)
FEATURES = ("input_ids", "labels", "word_ids")
B_TO_I = {LABEL2ID["B-KEY"]: LABEL2ID["I-KEY"]}


def encode_window(w: Window) -> bytes:
    """One window as a serialized tf.train.Example: the same bytes in every process."""
    import tensorflow as tf

    def ints(values):
        return tf.train.Feature(int64_list=tf.train.Int64List(value=values))

    feats = {name: ints(getattr(w, name)) for name in FEATURES}
    feats["doc"] = ints([w.doc])
    # deterministic: map entries (the feature names) sorted; protobuf's default order varies per process
    return tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString(deterministic=True)


def parse_window(serialized):
    """Inverse of `encode_window` for use inside tf.data (returns int32 tensors)."""
    import tensorflow as tf

    spec = {name: tf.io.VarLenFeature(tf.int64) for name in FEATURES}
    spec["doc"] = tf.io.FixedLenFeature([1], tf.int64)
    ex = tf.io.parse_single_example(serialized, spec)
    out = {name: tf.cast(tf.sparse.to_dense(ex[name]), tf.int32) for name in FEATURES}
    out["doc"] = tf.cast(ex["doc"][0], tf.int32)
    return out


def shard_paths(processed_dir: str | Path, split: str, num_shards: int) -> list[Path]:
    return [Path(processed_dir) / f"{split}-{i:05d}-of-{num_shards:05d}.tfrec" for i in range(num_shards)]


def windows_for_split(tokenizer, rows: list[dict], max_length: int, stride: int,
                      label_all_subwords: bool) -> list[Window]:
    out = []
    for d, row in enumerate(rows):
        tags = [LABEL2ID[t] for t in row["tags"]]
        out += make_windows(tokenizer, row["tokens"], tags, d, max_length, stride, label_all_subwords, B_TO_I)
    return out


def write_shards(windows: list[Window], paths: list[Path]) -> None:
    """Round-robin windows over GZIP-compressed TFRecord shards."""
    import tensorflow as tf

    opts = tf.io.TFRecordOptions(compression_type="GZIP")
    writers = [tf.io.TFRecordWriter(str(p), opts) for p in paths]
    try:
        for i, w in enumerate(windows):
            writers[i % len(writers)].write(encode_window(w))
    finally:
        for wr in writers:
            wr.close()


def build_records(cfg, out_dir: str | Path | None = None) -> dict:
    """Tokenize, align, window and shard every split; returns the manifest (also written to disk).

    The output is the same bytes for the same inputs on any machine and install path: the manifest
    names the tokenizer (`tokenizer_id`), not its folder, and GZIP headers carry no time stamp.
    Writes into ``out_dir`` (default ``paths.processed_dir``), replaced whole at the end."""
    d = cfg.data
    tok = load_tokenizer(cfg.model)
    manifest = {"tokenizer": tokenizer_id(cfg.model), "model": cfg.model.name,
                "max_length": d.max_length, "stride": d.stride, "label_all_subwords": d.label_all_subwords,
                "num_shards": d.num_shards, "label2id": LABEL2ID, "splits": {}}
    out_dir = Path(out_dir or cfg.paths.processed_dir)
    with atomic_dir(out_dir) as tmp:
        for split in d.splits:
            rows = read_jsonl(Path(cfg.paths.interim_dir) / f"{split}.jsonl")
            windows = windows_for_split(tok, rows, d.max_length, d.stride, d.label_all_subwords)
            paths = shard_paths(tmp, split, d.num_shards)
            write_shards(windows, paths)
            lengths = [len(w.input_ids) for w in windows]
            manifest["splits"][split] = {
                "docs": len(rows), "windows": len(windows),
                "split_docs": sum(1 for n in Counter(w.doc for w in windows).values() if n > 1),
                "pieces": sum(lengths), "max_pieces": max(lengths),
                "labelled": sum(sum(1 for x in w.labels if x != IGNORE) for w in windows),
                "shards": [p.name for p in paths],
            }
            log.info("build_records %s: %s", split, {k: v for k, v in manifest["splits"][split].items()
                                                     if k != "shards"})
        write_json(tmp / "manifest.json", manifest)
    return manifest


def make_dataset(files: list[str], pad_id: int, batch_size: int, shuffle: bool, seed: int,
                 bucket_by_length: bool = True, repeat: bool = False, input_context=None):
    """tf.data pipeline: read shards -> parse -> (shuffle) -> pad-batch (by length buckets) -> prefetch.

    With an ``input_context`` (from ``strategy.distribute_datasets_from_function``) each input
    pipeline reads its own subset of the shards and batches at the per-replica size.
    """
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(files)
    if input_context is not None:
        if input_context.num_input_pipelines > 1:
            ds = ds.shard(input_context.num_input_pipelines, input_context.input_pipeline_id)
        batch_size = input_context.get_per_replica_batch_size(batch_size)
    ds = ds.interleave(lambda f: tf.data.TFRecordDataset(f, compression_type="GZIP"),
                       cycle_length=len(files), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    ds = ds.map(parse_window, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.map(lambda x: {"input_ids": x["input_ids"], "attention_mask": tf.ones_like(x["input_ids"]),
                           "labels": x["labels"]}, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(4096, seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    pad = {"input_ids": pad_id, "attention_mask": 0, "labels": IGNORE}
    if bucket_by_length:
        # windows of similar length share a batch: far fewer padded positions than padding to max_length
        bounds = [32, 64, 96, 128, 160, 192, 224, 256, 320, 384]
        ds = ds.bucket_by_sequence_length(lambda x: tf.shape(x["input_ids"])[0], bounds,
                                          [batch_size] * (len(bounds) + 1), padding_values=pad)
    else:
        ds = ds.padded_batch(batch_size, padding_values=pad)
    return ds.prefetch(tf.data.AUTOTUNE)
