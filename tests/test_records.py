"""TFRecord write -> read round trip."""

import tensorflow as tf

from lecturelab.data.records import make_dataset, parse_window, shard_paths, write_shards
from lecturelab.windows import IGNORE, Window


def test_round_trip_gives_back_identical_windows(tmp_path):
    wins = [Window(d, [101] + list(range(5 + d, 9 + 2 * d)) + [102], [IGNORE] + [d % 3] * (4 + d) + [IGNORE],
                   [-1] + list(range(4 + d)) + [-1]) for d in range(7)]
    paths = shard_paths(tmp_path, "train", 3)
    write_shards(wins, paths)
    assert all(p.stat().st_size > 0 for p in paths)
    back = []
    for p in paths:
        for rec in tf.data.TFRecordDataset(str(p), compression_type="GZIP"):
            x = parse_window(rec)
            back.append(Window(int(x["doc"]), x["input_ids"].numpy().tolist(), x["labels"].numpy().tolist(),
                               x["word_ids"].numpy().tolist()))
    assert sorted(back, key=lambda w: w.doc) == wins


def test_dataset_pads_labels_with_ignore(tmp_path):
    wins = [Window(d, [101] + [7] * (d + 1) + [102], [IGNORE] + [1] * (d + 1) + [IGNORE], [-1] * (d + 3))
            for d in range(4)]
    paths = shard_paths(tmp_path, "val", 2)
    write_shards(wins, paths)
    ds = make_dataset([str(p) for p in paths], pad_id=0, batch_size=4, shuffle=False, seed=0,
                      bucket_by_length=False)
    (batch,) = list(ds)
    assert batch["input_ids"].shape == (4, 6)
    mask = batch["attention_mask"].numpy()
    labels = batch["labels"].numpy()
    assert (labels[mask == 0] == IGNORE).all()
    assert mask.sum() == sum(len(w.input_ids) for w in wins)
