"""The lecture processor end to end on the committed sample lecture and on bad inputs (real Whisper
tiny.en, a tiny random keyphrase checkpoint)."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pytest
import srt
import webvtt

from lecturelab.lecture import cli
from lecturelab.lecture.pipeline import OUTPUT_FILES, process
from tests import lecture_fixtures as fx
from tests.lecture_fixtures import ROOT, SAMPLE, SAMPLE_TEXT, compose_process, tone, write_media

# pytest fixtures, bound here so tests in this module can request them
tiny_checkpoint, lecture_env, processed_sample = fx.tiny_checkpoint, fx.lecture_env, fx.processed_sample

pytestmark = pytest.mark.slow

TRANSCRIPT_FIELDS = {"schema_version": int, "source": dict, "transcriber": dict, "keyphrase_model": str,
                     "text": str, "segments": list, "keyphrases": list}
SOURCE_FIELDS = {"path": str, "name": str, "sha256": str, "duration": float}
SEGMENT_FIELDS = {"id": int, "start": float, "end": float, "text": str, "char_start": int, "char_end": int,
                  "words": list}
WORD_FIELDS = {"word": str, "start": float, "end": float, "char_start": int, "char_end": int, "prob": float}
SPAN_FIELDS = {"text": str, "key": str, "char_start": int, "char_end": int, "start": float, "end": float,
               "score": float}
KEYPHRASE_FIELDS = {"phrase": str, "key": str, "score": float, "count": int, "variants": list,
                    "first_time": float, "occurrences": list}
OCCURRENCE_FIELDS = {"start": float, "end": float, "char_start": int, "char_end": int, "segment": int}


def check_fields(obj: dict, fields: dict, where: str) -> None:
    for name, typ in fields.items():
        assert name in obj, f"{where}: missing {name}"
        ok = isinstance(obj[name], typ) or (typ is float and isinstance(obj[name], int))
        assert ok and not (typ is int and isinstance(obj[name], bool)), f"{where}.{name}: {obj[name]!r}"


def validate(doc: dict, kps: dict) -> None:
    """transcript.json and keyphrases.json against the documented schema (docs/lecture.md)."""
    check_fields(doc, TRANSCRIPT_FIELDS, "transcript")
    assert doc["schema_version"] == 1 and kps["schema_version"] == 1
    check_fields(doc["source"], SOURCE_FIELDS, "source")
    assert doc["source"]["media_file"] is None or isinstance(doc["source"]["media_file"], str)
    assert doc["note"] is None or isinstance(doc["note"], str)
    for key in ("name", "model", "compute_type", "language"):
        assert isinstance(doc["transcriber"][key], str)
    for seg in doc["segments"]:
        check_fields(seg, SEGMENT_FIELDS, f"segment {seg.get('id')}")
        assert doc["text"][seg["char_start"]:seg["char_end"]] == seg["text"]
        for w in seg["words"]:
            check_fields(w, WORD_FIELDS, "word")
            assert doc["text"][w["char_start"]:w["char_end"]] == w["word"]
    for span in doc["keyphrases"]:
        check_fields(span, SPAN_FIELDS, "keyphrase span")
        assert doc["text"][span["char_start"]:span["char_end"]] == span["text"]
    for k in kps["keyphrases"]:
        check_fields(k, KEYPHRASE_FIELDS, f"keyphrase {k.get('phrase')}")
        assert k["count"] == len(k["occurrences"]) and k["phrase"] in k["variants"]
        for o in k["occurrences"]:
            check_fields(o, OCCURRENCE_FIELDS, "occurrence")


class Marks(HTMLParser):
    """Text and id of every <mark class="kp"> in a page."""

    def __init__(self):
        super().__init__()
        self.marks, self._open = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "mark" and "kp" in a.get("class", ""):
            self._open = [a["id"], ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "mark" and self._open is not None:
            self.marks.append(tuple(self._open))
            self._open = None


def load(out):
    return json.loads((out / "transcript.json").read_text()), json.loads((out / "keyphrases.json").read_text())


def test_sample_outputs_validate_and_highlights_agree(processed_sample):
    out = processed_sample
    assert all((out / f).is_file() for f in OUTPUT_FILES)
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask   # not mkdtemp's 0700: a web server can read it
    doc, kps = load(out)
    validate(doc, kps)
    assert doc["source"]["media_file"] == "media.webm" and (out / "media.webm").is_file()
    assert kps["keyphrases"], "o_bias=1 must make even a random model highlight something"
    scores = [k["score"] for k in kps["keyphrases"]]
    assert scores == sorted(scores, reverse=True)

    # every occurrence in keyphrases.json is a transcript span with the same key, and vice versa
    occ = {(o["char_start"], o["char_end"]): k["key"] for k in kps["keyphrases"] for o in k["occurrences"]}
    assert occ == {(s["char_start"], s["char_end"]): s["key"] for s in doc["keyphrases"]}
    surfaces = [doc["text"][a:b] for a, b in sorted(occ)]

    # HTML: one mark per occurrence, same text, ids pointing at the transcript span
    parser = Marks()
    parser.feed((out / "transcript.html").read_text())
    assert len(parser.marks) == len(occ)
    for mark_id, text in parser.marks:
        span = doc["keyphrases"][int(mark_id[1:])]
        assert text == span["text"] and (span["char_start"], span["char_end"]) in occ
    # Markdown bold runs: exactly the occurrences, in order
    md_body = (out / "transcript.md").read_text().split("## Transcript", 1)[1]
    assert [re.sub(r"\\(.)", r"\1", m) for m in re.findall(r"\*\*(.+?)\*\*", md_body)] == surfaces
    # VTT: the cues read back give the transcript, bold exactly on the occurrences' characters (a span
    # broken over two lines is closed and reopened around the line break)
    vtt = webvtt.from_string((out / "subtitles.vtt").read_text(), strict=True)
    plain, bold, inside = [], [], False
    for tok in re.split(r"(</?b>)", " ".join(c.raw_text.replace("\n", " ") for c in vtt.captions)):
        if tok in ("<b>", "</b>"):
            inside = tok == "<b>"
        else:
            plain += html.unescape(tok)
            bold += [inside] * len(html.unescape(tok))
    assert "".join(plain) == doc["text"]
    assert [b for ch, b in zip(plain, bold, strict=True) if not ch.isspace()] == \
        [any(a <= i < b for a, b in occ) for i, ch in enumerate(doc["text"]) if not ch.isspace()]


def test_sample_timestamps_monotonic_and_inside_the_media(processed_sample):
    doc, kps = load(processed_sample)
    duration = doc["source"]["duration"]
    assert 87 < duration < 89  # the sample is 88 s long
    starts = [s["start"] for s in doc["segments"]]
    assert starts == sorted(starts)
    for seg in doc["segments"]:
        assert 0 <= seg["start"] <= seg["end"] <= duration
        times = [t for w in seg["words"] for t in (w["start"], w["end"])]
        assert times == sorted(times) and all(seg["start"] - 0.5 <= t <= duration for t in times)
    assert doc["segments"][-1]["end"] > 80  # speech runs to the end
    for k in kps["keyphrases"]:
        assert all(0 <= o["start"] <= o["end"] <= duration for o in k["occurrences"])
        assert k["first_time"] == min(o["start"] for o in k["occurrences"])
    cues = list(srt.parse((processed_sample / "subtitles.srt").read_text()))
    secs = [t.total_seconds() for c in cues for t in (c.start, c.end)]
    assert len(cues) >= len(doc["segments"]) and secs == sorted(secs) and secs[-1] <= duration
    lines = [c.content.split("\n") for c in cues]  # conf/process.yaml subtitles: 2 lines of 42 characters
    assert all(len(ls) <= 2 and all(len(x) <= 42 or " " not in x for x in ls) for ls in lines)
    assert " ".join(x for ls in lines for x in ls) == " ".join(doc["text"].split())
    vtt = webvtt.from_string((processed_sample / "subtitles.vtt").read_text(), strict=True)
    assert [html.unescape(c.text).split("\n") for c in vtt.captions] == lines


# the default transcriber's WER on the sample is about 0.2, with or without the glossary (docs/lecture.md)
WER_THRESHOLD = 0.30


def _norm(s: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9' ]+", " ", s.lower().replace("-", " ")).split())


def test_word_error_rate_on_synthesised_speech(processed_sample):
    import jiwer

    doc, _ = load(processed_sample)
    wer = jiwer.wer(_norm(SAMPLE_TEXT.read_text()), _norm(doc["text"]))
    assert wer < WER_THRESHOLD, f"WER {wer:.3f}"


def test_glossary_spells_course_terms(processed_sample):
    import jiwer

    from lecturelab.lecture.transcribe import transcribe

    # espeak's "keyphrase" sounds like "keyframe" to tiny.en; the glossary fixes the spelling, best in
    # sequential mode (prompt + hot words); batched mode takes hot words only and must not loop on them
    plain = load(processed_sample)[0]["text"].lower()
    texts = {}
    for batched in (False, True):
        cfg = compose_process(["transcriber.glossary=[keyphrase,keyphrases]", f"transcriber.batched={batched}"])
        texts[batched] = " ".join(s["text"] for s in transcribe(
            SAMPLE, cfg.transcriber, list(cfg.transcriber.glossary), progress=False)["segments"]).lower()
        assert jiwer.wer(_norm(SAMPLE_TEXT.read_text()), _norm(texts[batched])) < WER_THRESHOLD
    assert texts[False].count("keyphrase") >= 5 > plain.count("keyphrase")


def test_rerun_skips_and_another_model_reuses_the_transcript(processed_sample, lecture_env, tiny_checkpoint,
                                                              monkeypatch, capsys):
    import lecturelab.lecture.transcribe as tr

    def no_whisper(*a, **k):
        raise AssertionError("re-transcribed although the transcript is cached")

    monkeypatch.setattr(tr, "transcribe", no_whisper)
    base = lecture_env["overrides"] + [f"input={SAMPLE}", "keyphrases.o_bias=1.0"]
    capsys.readouterr()
    assert process(compose_process(base)) == 0
    assert "already done" in capsys.readouterr().out

    other = lecture_env["tmp"] / "other_ckpt"
    if not other.exists():
        shutil.copytree(tiny_checkpoint, other)
    before = (processed_sample / "transcript.json").stat().st_mtime_ns
    assert process(compose_process(base + [f"model_path={other}", "keyphrases.o_bias=3.0"])) == 0
    doc, kps = load(processed_sample)
    assert doc["keyphrase_model"] == str(other)
    assert (processed_sample / "transcript.json").stat().st_mtime_ns > before
    # and back, with force: redone from the cache, same highlights as the first run
    assert process(compose_process(base + ["force=true"])) == 0
    doc2, _ = load(processed_sample)
    assert doc2["keyphrase_model"] == str(tiny_checkpoint) and doc2["text"] == doc["text"]
    assert len(doc2["keyphrases"]) <= len(doc["keyphrases"])  # o_bias 1 highlights less than o_bias 3


def run_cli(args, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def test_missing_file_and_non_media_file(lecture_env, tmp_path, capsys):
    fake = tmp_path / "notes.mp4"
    fake.write_text("Lecture notes, not a video.\n" * 50)
    for path, reason in [(tmp_path / "absent.mp4", "no such file"), (fake, "not a media file")]:
        code, _, err = run_cli([str(path)] + lecture_env["overrides"], capsys)
        assert code == 1
        assert error_lines(err) == [f"error: {path}: " + error_lines(err)[0].split(": ", 2)[2]]
        assert reason in error_lines(err)[0] and "Traceback" not in err


def test_video_without_audio(lecture_env, tmp_path, capsys):
    mute = write_media(tmp_path / "mute.mp4", None, video_seconds=2.0)
    code, _, err = run_cli([str(mute)] + lecture_env["overrides"], capsys)
    assert code == 1 and error_lines(err) == [f"error: {mute}: has no audio track"]
    code, _, err = run_cli([str(mute), "--verbose"] + lecture_env["overrides"], capsys)
    assert code == 1 and "Traceback" in err


@pytest.mark.parametrize("kind", ["silence.wav", "music.flac"])
def test_no_speech_writes_empty_outputs_with_a_note(lecture_env, tmp_path, capsys, kind):
    audio = np.zeros(8 * 16000, np.float32) if kind.startswith("silence") else tone(8.0)
    path = write_media(tmp_path / kind, audio)
    code, out, err = run_cli([str(path)] + lecture_env["overrides"], capsys)
    assert code == 0, err
    folder = lecture_env["out"] / path.stem
    doc, kps = load(folder)
    validate(doc, kps)
    assert doc["segments"] == [] and doc["text"] == "" and kps["keyphrases"] == []
    assert doc["note"] == "no speech detected"
    assert "no speech detected" in (folder / "transcript.html").read_text()
    assert str(folder / "transcript.html") in out


def test_output_folder_that_cannot_be_written(lecture_env, tmp_path, capsys):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the output folder should go")
    quiet = write_media(tmp_path / "quiet.wav", np.zeros(16000, np.float32))
    code, _, err = run_cli([str(quiet)] + lecture_env["overrides"] + [f"output_dir={blocker}/lectures"], capsys)
    # found before any transcription: a config error (exit 2) naming the key and the folder
    assert code == 2
    assert error_lines(err) == [error_lines(err)[0]] and "cannot write there" in err
    assert f"output_dir={blocker}/lectures" in err and "Traceback" not in err


def test_folder_batch_with_one_bad_file(lecture_env, tmp_path, capsys):
    folder = tmp_path / "course"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "week1.webm")
    (folder / "week2.mp4").write_bytes(b"\x00\x01 definitely not a video" * 100)
    write_media(folder / "week3.wav", np.zeros(16000, np.float32))
    (folder / "readme.txt").write_text("not media, not picked up")
    out_dir = tmp_path / "out"
    code, out, err = run_cli([str(folder)] + lecture_env["overrides"] + [f"output_dir={out_dir}"], capsys)
    assert code == 1
    assert error_lines(err) == [f"error: {folder / 'week2.mp4'}: "
                                "not a media file ffmpeg can read (Invalid data found when processing input)"]
    assert sorted(p.name for p in out_dir.iterdir()) == ["week1", "week3"]
    assert all((out_dir / "week1" / f).is_file() for f in OUTPUT_FILES)
    assert "1 of 3 lecture(s) failed" in err


def test_hydra_entry_point(lecture_env, tmp_path):
    quiet = write_media(tmp_path / "hush.wav", np.zeros(3 * 16000, np.float32))
    proc = subprocess.run([sys.executable, "-m", "lecturelab.process", f"input={quiet}",
                           f"hydra.run.dir={tmp_path / 'hydra'}"] + lecture_env["overrides"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (lecture_env["out"] / "hush" / "transcript.json").is_file()
    assert "hush/transcript.html" in proc.stdout
    missing = subprocess.run([sys.executable, "-m", "lecturelab.process", f"input={tmp_path / 'gone.mp4'}",
                              f"hydra.run.dir={tmp_path / 'hydra2'}"] + lecture_env["overrides"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and f"error: {tmp_path / 'gone.mp4'}: no such file" in missing.stderr
    assert "Traceback" not in missing.stderr
