"""Transcriber helpers: offline model, device defaults, glossary sources, cache keys, non-speech captions."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from lecturelab.lecture.transcribe import (
    _clean,
    cache_path,
    glossary_terms,
    options_key,
    resolve_device,
    resolve_model,
)


def test_tiny_en_resolves_to_the_packaged_ctranslate2_model():
    path = Path(resolve_model("tiny.en"))
    assert (path / "model.bin").is_file() and (path / "config.json").is_file()
    assert resolve_model("large-v3") == "large-v3" and resolve_model("/models/x") == "/models/x"


def test_device_defaults():
    assert resolve_device("cpu", "auto") == ("cpu", "float32")
    assert resolve_device("cpu", "int8") == ("cpu", "int8")
    assert resolve_device("cuda", "auto") == ("cuda", "float16")
    assert resolve_device("cpu", "float32") == ("cpu", "float32")


def test_glossary_sources(tmp_path):
    assert glossary_terms([]) == [] and glossary_terms(None) == []
    assert glossary_terms(["keyphrase", " BERT ", ""]) == ["keyphrase", "BERT"]
    f = tmp_path / "terms.txt"
    f.write_text("keyphrase\n\nsequence labeling\n")
    assert glossary_terms(str(f)) == ["keyphrase", "sequence labeling"]
    (tmp_path / "glossary.txt").write_text("Inspec\n")
    assert glossary_terms("model", tmp_path) == ["Inspec"]
    with pytest.raises(FileNotFoundError, match="transcriber.glossary: .*nothere/glossary.txt not found"):
        glossary_terms("model", tmp_path / "nothere")


def test_cache_key_changes_with_options_that_change_the_transcript():
    base = OmegaConf.create({"name": "faster_whisper", "model": "tiny.en", "device": "cpu", "compute_type": "auto", "language": "en",
                             "beam_size": 1, "vad_filter": False, "batched": False})
    sha = "ab" * 32
    key = cache_path("c", sha, options_key(base, []))
    assert key == cache_path("c", sha, options_key(base.copy(), []))
    assert key.parent == Path("c") and key.name.startswith(sha[:32])
    others = [cache_path("c", sha, options_key(base, ["BERT"])), cache_path("c", "cd" * 32, options_key(base, []))]
    for change in ({"model": "base.en"}, {"compute_type": "int8"}, {"beam_size": 5}, {"batched": True},
                   {"task": "translate"}, {"language": "es"}, {"condition_on_previous_text": True}):
        others.append(cache_path("c", sha, options_key(OmegaConf.merge(base, change), [])))
    assert key not in others and len(set(others)) == len(others)


def test_non_speech_captions_are_dropped():
    segs = [{"text": t, "words": []} for t in ("[Music]", " (applause) ", "♪ ♪", "...", "Hello there.")]
    assert [s["text"] for s in _clean(segs)] == ["Hello there."]
