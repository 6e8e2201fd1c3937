"""Repetition-loop post-filter and the offline multilingual model's reassembly (no Whisper run)."""

from __future__ import annotations

import hashlib

import pytest

from lecturelab.lecture import whisper_models
from lecturelab.lecture.repetition import drop_repeats, loop_note, sentence_key


def seg(start, end, text):
    words = text.split()
    step = (end - start) / len(words)
    return {"start": start, "end": end, "text": text,
            "words": [{"word": " " + w, "start": start + i * step, "end": start + (i + 1) * step, "prob": 0.9}
                      for i, w in enumerate(words)]}


FIRST = "Today we look at how a keyphrase tagger reads a transcript."


def test_a_looped_segment_list_loses_its_loop_and_says_where():
    # what tiny.en wrote on a read passage: the opening sentence again five times in the last seconds
    segments = [seg(0.0, 6.0, FIRST + " It labels every word."), seg(6.0, 90.0, "Then it groups the labels."),
                *[seg(96.0 + i * 0.8, 96.8 + i * 0.8, FIRST) for i in range(5)]]
    kept, removed = drop_repeats(segments)
    assert [s["text"] for s in kept] == [FIRST + " It labels every word.", "Then it groups the labels."]
    assert len(removed) == 5 and removed[0]["start"] == 96.0
    note = loop_note(removed)
    assert note.startswith("removed 5 repeated passage(s) at 96.0-96.8 s") and "repetition loop" in note
    assert loop_note([]) is None


def test_a_loop_inside_one_segment_is_cut_with_its_words():
    looped = seg(10.0, 20.0, f"{FIRST} {FIRST} {FIRST}")
    kept, removed = drop_repeats([looped])
    assert kept[0]["text"] == FIRST
    assert len(kept[0]["words"]) == len(FIRST.split()) and kept[0]["end"] == kept[0]["words"][-1]["end"] < 20.0
    assert removed[0]["text"] == f"{FIRST} {FIRST}"


def test_short_repeats_and_new_sentences_are_kept():
    segments = [seg(0, 1, "Thank you."), seg(1, 2, "Thank you."), seg(2, 5, FIRST),
                seg(5, 9, FIRST + " But now something new follows here.")]
    kept, removed = drop_repeats(segments)
    assert [s["text"] for s in kept] == [s["text"] for s in segments] and removed == []
    assert sentence_key("Keyphrase-tagger, READS!") == "keyphrase tagger reads"


def _fake_parts(tmp_path, payload: bytes):
    parts = [tmp_path / "p1", tmp_path / "p2"]
    for p in parts:
        p.mkdir()
    (parts[0] / "model.bin.part1").write_bytes(payload[:7])
    (parts[1] / "model.bin.part2").write_bytes(payload[7:])
    for name in whisper_models.BASE_FILES:
        (parts[0] / name).write_text("{}")
    return parts


def test_base_model_is_reassembled_once_with_a_checksum(tmp_path, monkeypatch):
    payload = b"whisper base weights"
    monkeypatch.setattr(whisper_models, "_base_parts", lambda: _fake_parts(tmp_path, payload))
    dest = whisper_models.assemble_base(tmp_path / "cache" / "whisper-base", hashlib.sha256(payload).hexdigest())
    assert (dest / "model.bin").read_bytes() == payload
    assert sorted(p.name for p in dest.iterdir()) == sorted(["model.bin", *whisper_models.BASE_FILES])
    assert [p.name for p in dest.parent.iterdir()] == ["whisper-base"]  # no temp folder left behind
    # second call: already there, nothing is read again
    monkeypatch.setattr(whisper_models, "_base_parts", lambda: pytest.fail("reassembled twice"))
    assert whisper_models.assemble_base(dest, "0" * 64) == dest


def test_a_corrupt_base_model_is_refused_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(whisper_models, "_base_parts", lambda: _fake_parts(tmp_path, b"truncated weights!!"))
    dest = tmp_path / "cache" / "whisper-base"
    with pytest.raises(RuntimeError, match=r"whisper-base: reassembled Whisper base has sha256 \w+…, expected 000"):
        whisper_models.assemble_base(dest, "0" * 64)
    assert list(dest.parent.iterdir()) == []
    monkeypatch.setattr(whisper_models, "_base_parts", lambda: None)
    with pytest.raises(RuntimeError, match=r"transcriber.model=base offline needs pip install 'lecturelab\[multi"):
        whisper_models.assemble_base(dest)


def test_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LECTURELAB_CACHE_DIR", str(tmp_path / "c"))
    assert whisper_models.cache_root() == tmp_path / "c"
    assert whisper_models.is_english_only("tiny.en") and not whisper_models.is_english_only("base")
    assert whisper_models.is_english_only(whisper_models.resolve_model("tiny.en"))
