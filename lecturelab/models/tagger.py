"""Keyphrase tagging with a trained checkpoint: word lists in, per-word probabilities and spans out.

Used by validation during training, the `evaluate` stage and the lecture processor, so windowing
and merging are the same everywhere. A checkpoint directory (``models/best``) holds the HF model
(`save_pretrained`), its tokenizer and ``lecturelab.json`` (label map, max_length, stride, o_bias).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from lecturelab.bio import LABEL2ID
from lecturelab.console import import_tensorflow
from lecturelab.keyphrases import Span, average_window_probs, decode
from lecturelab.windows import make_windows

META_FILE = "lecturelab.json"


def check_checkpoint(path: str | Path) -> dict:
    """The checkpoint's metadata (``lecturelab.json``), read without loading TensorFlow: a cheap check
    before a long job. Raises FileNotFoundError / ValueError with one line saying where it looked and
    how to get a checkpoint."""
    path = Path(path)
    meta_file = path / META_FILE
    if not meta_file.is_file():
        where = "does not exist" if not path.exists() else f"has no {META_FILE}"
        looked = path if path.is_absolute() else f"{path} (looked in {Path.cwd()})"
        raise FileNotFoundError(f"keyphrase checkpoint {looked} {where}: train one with `make run` "
                                "(dvc repro), or set model_path=<a run's best/ folder>")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ValueError(f"{meta_file}: unreadable checkpoint metadata ({e})") from None
    if meta.get("label2id") != LABEL2ID:
        raise ValueError(f"{meta_file}: label map {meta.get('label2id')} differs from {LABEL2ID}")
    if not any((path / f).is_file() for f in ("tf_model.h5", "model.safetensors")):
        raise FileNotFoundError(f"keyphrase checkpoint {path}: no model weights (tf_model.h5); "
                                "train one with `make run` or set model_path=")
    return meta


class KeyphraseTagger:
    def __init__(self, model, tokenizer, max_length: int = 256, stride: int = 96, o_bias: float = 0.0,
                 batch_size: int = 32, decoding: str = "greedy"):
        import tensorflow as tf

        self.model, self.tokenizer = model, tokenizer
        self.max_length, self.stride, self.o_bias, self.batch_size = max_length, stride, o_bias, batch_size
        self.decoding = decoding   # how probabilities become tags (lecturelab.keyphrases.tags_from_probs)
        spec = tf.TensorSpec([None, None], tf.int32)

        # one trace for every batch shape; training=False disables dropout. autograph=False: the model has
        # no tensor-dependent Python control flow, and converting it made the trace 4.0 s instead of 1.3 s
        @tf.function(input_signature=[spec, spec], autograph=False)
        def _probs(ids, mask):
            return tf.nn.softmax(self.model(input_ids=ids, attention_mask=mask, training=False).logits, -1)

        self._probs = _probs

    @classmethod
    def load(cls, path: str | Path, batch_size: int = 32) -> KeyphraseTagger:
        """Load a checkpoint directory written by training (or `lecturelab promote`)."""
        import_tensorflow()   # TensorFlow's C++ start-up lines filtered (lecturelab.console)
        from transformers import AutoTokenizer, TFAutoModelForTokenClassification

        path = Path(path)
        meta = check_checkpoint(path)
        model = TFAutoModelForTokenClassification.from_pretrained(str(path))
        tok = AutoTokenizer.from_pretrained(str(path), use_fast=True)
        # checkpoints from before trainer.decoding existed were tuned with greedy decoding
        return cls(model, tok, meta["max_length"], meta["stride"], meta.get("o_bias", 0.0), batch_size,
                   meta.get("decoding", "greedy"))

    def word_probs(self, docs: list[list[str]]) -> list[np.ndarray]:
        """(n_words, 3) label probabilities per document, averaged over the windows that see a word."""
        windows = [w for d, words in enumerate(docs)
                   for w in make_windows(self.tokenizer, words, None, d, self.max_length, self.stride)]
        sums = [np.zeros((len(words), 3), np.float32) for words in docs]
        counts = [np.zeros(len(words), np.float32) for words in docs]
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
        pad = self.tokenizer.pad_token_id or 0
        for b in range(0, len(order), self.batch_size):
            batch = [windows[i] for i in order[b:b + self.batch_size]]
            width = max(len(w.input_ids) for w in batch)
            ids = np.full((len(batch), width), pad, np.int32)
            mask = np.zeros((len(batch), width), np.int32)
            for r, w in enumerate(batch):
                ids[r, :len(w.input_ids)] = w.input_ids
                mask[r, :len(w.input_ids)] = 1
            probs = np.asarray(self._probs(ids, mask))   # a tf.Tensor (TensorFlow) or numpy (ONNX)
            for r, w in enumerate(batch):
                prev = -1
                for p, wid in enumerate(w.word_ids):
                    if wid >= 0 and wid != prev:  # first piece of a word carries its prediction
                        sums[w.doc][wid] += probs[r, p]
                        counts[w.doc][wid] += 1
                    prev = wid
        return [average_window_probs(s, c) for s, c in zip(sums, counts, strict=True)]

    def predict(self, docs: list[list[str]], o_bias: float | None = None,
                decoding: str | None = None) -> list[list[Span]]:
        """Keyphrase spans (word ranges with a confidence score) for each document; ``decoding`` is
        ``greedy`` (per-word arg-max) or ``viterbi`` (valid BIO sequences only), see
        `lecturelab.keyphrases.tags_from_probs`; None: the checkpoint's (the one its O-bias was tuned with)."""
        bias = self.o_bias if o_bias is None else o_bias
        return [decode(p, bias, decoding or self.decoding) for p in self.word_probs(docs)]

    def save(self, path: str | Path, extra: dict | None = None) -> None:
        """Write model, tokenizer and metadata into ``path`` (callers write to a temp dir and rename)."""
        path = Path(path)
        self.model.save_pretrained(str(path))
        self.tokenizer.save_pretrained(str(path))
        meta = {"label2id": LABEL2ID, "max_length": self.max_length, "stride": self.stride,
                "o_bias": self.o_bias, "decoding": self.decoding, **(extra or {})}
        (path / META_FILE).write_text(json.dumps(meta, indent=2))
