"""The LMS exports read back by independent parsers: Moodle XML (ElementTree + Moodle's cloze syntax), QTI
(zipfile + ElementTree), Aiken (its line format), and the Anki deck's audio clips (zip + SQLite + PyAV).

Questions, answers and feedback must equal quiz.json's, special characters included (the quiz of
``test_exports_escaping``: ``{ } = ~ # : < > &``, quotes, backslashes, ``%``, ``[``).
"""

from __future__ import annotations

import html
import json
import os
import re
import sqlite3
import wave
import xml.etree.ElementTree as ET
import zipfile

import numpy as np

from lecturelab.media.decode import iter_audio
from lecturelab.media.probe import probe
from lecturelab.quiz.export import write_exports
from lecturelab.quiz.schema import BLANK
from lecturelab.transcript.document import lecture_media
from lecturelab.transcript.format import short_clock
from tests.export_readers import html_text
from tests.test_exports_escaping import _quiz
from tests.test_lecture_media import peak_hz, sine, write_tracks

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


def _shown(fragment: str) -> str:
    """What a browser shows for an HTML fragment (tags dropped, references decoded)."""
    return "".join(html_text(fragment).parts)


def _cloze(text: str) -> tuple[str, str, list[str]]:
    """(before, after, accepted answers) of a one-gap Moodle cloze text, read as qtype_multianswer does:
    ``{1:SHORTANSWER:=a~=b}``, where ``\\`` escapes ``} # ~ / " \\`` inside the answers."""
    m = re.search(r"\{1:SHORTANSWER:((?:\\.|[^\\}])*)\}", text)
    assert m, text
    answers = [re.sub(r"\\(.)", r"\1", a)[1:] for a in re.split(r"(?<!\\)~", m.group(1))]
    return text[:m.start()], text[m.end():], [html.unescape(a) for a in answers]


def test_moodle_xml_reads_back_as_the_quiz(tmp_path):
    quiz = _quiz()
    blank = next(q for q in quiz["questions"] if q["type"] == "blank")
    blank["accepted"].append('a}b#c~d/e"f\\g {1:x}')   # every character Moodle's cloze syntax reserves
    write_exports(quiz, tmp_path)
    root = ET.parse(tmp_path / "quiz.moodle.xml").getroot()
    cat, *items = root.findall("question")
    assert cat.get("type") == "category" and quiz["lecture"]["name"] in cat.findtext("category/text")
    assert len(items) == len(quiz["questions"])
    kinds = {"mcq": "multichoice", "tf": "truefalse", "short": "shortanswer", "blank": "cloze"}
    for q, el in zip(quiz["questions"], items, strict=True):
        assert el.get("type") == kinds[q["type"]] and el.findtext("name/text") == q["id"]
        feedback = el.findtext("generalfeedback/text")
        assert q["explanation"] in _shown(feedback) and f'href="{q["link"]}"' in feedback
        assert short_clock(q["start"]) in _shown(feedback)
        text = el.findtext("questiontext/text")
        if q["type"] == "blank":
            before, after, accepted = _cloze(text)
            want_before, _, want_after = q["stem"].partition(BLANK)
            assert (_shown(before), _shown(after)) == (want_before, want_after)
            assert accepted == q["accepted"]
            continue
        assert _shown(text) == q["stem"]
        answers = [(a.findtext("text"), a.get("fraction")) for a in el.findall("answer")]
        if q["type"] == "mcq":
            assert [_shown(t) for t, _ in answers] == q["options"]
            assert [t for t, f in answers if f == "100"] == [html.escape(q["answer"])]
        elif q["type"] == "tf":
            assert dict(answers)[q["answer"].lower()] == "100"
        else:   # short answer: Moodle's * wildcard escaped
            assert [t.replace("\\*", "*") for t, _ in answers] == q["accepted"]


def test_qti_zip_reads_back_as_the_quiz(tmp_path):
    quiz = _quiz()
    write_exports(quiz, tmp_path)
    with zipfile.ZipFile(tmp_path / "quiz.qti.zip") as z:
        assert "imsmanifest.xml" in z.namelist()
        name = next(n for n in z.namelist() if n.endswith(".xml") and "/" in n and "meta" not in n)
        root = ET.fromstring(z.read(name))
    items = root.iter(f"{QTI}item")
    for q, item in zip(quiz["questions"], items, strict=True):
        assert item.get("title") == q["id"]
        stem = item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text
        assert _shown(stem) == q["stem"]
        feedback = [_shown(f.find(f".//{QTI}mattext").text) for f in item.findall(f"{QTI}itemfeedback")]
        assert any(q["explanation"] in f and short_clock(q["start"]) in f for f in feedback)
        right = [v.text for c in item.iter(f"{QTI}respcondition") if c.find(f"{QTI}setvar") is not None
                 and c.find(f"{QTI}setvar").text == "100" for v in c.iter(f"{QTI}varequal")]
        if q["type"] in ("mcq", "tf"):
            labels = {lab.get("ident"): _shown(lab.find(f".//{QTI}mattext").text)
                      for lab in item.iter(f"{QTI}response_label")}
            assert list(labels.values()) == (q["options"] if q["type"] == "mcq" else ["True", "False"])
            assert [labels[r] for r in right] == [q["answer"]]
        else:
            assert sorted(right) == sorted(q["accepted"])


def test_qti_zip_is_the_same_bytes_for_the_same_quiz(tmp_path):
    write_exports(_quiz(), tmp_path / "a")
    write_exports(_quiz(), tmp_path / "b")
    assert (tmp_path / "a/quiz.qti.zip").read_bytes() == (tmp_path / "b/quiz.qti.zip").read_bytes()


def test_aiken_holds_the_multiple_choice_items(tmp_path):
    quiz = _quiz()
    write_exports(quiz, tmp_path)
    blocks = (tmp_path / "quiz.aiken.txt").read_text(encoding="utf-8").strip().split("\n\n")
    mcq = [q for q in quiz["questions"] if q["type"] == "mcq"]
    assert len(blocks) == len(mcq) > 0
    for q, block in zip(mcq, blocks, strict=True):
        stem, *options, answer = block.split("\n")
        assert stem == " ".join(q["stem"].split())
        assert [o[3:] for o in options] == q["options"] and [o[:3] for o in options] == ["A. ", "B. ", "C. ", "D. "]
        assert answer == f"ANSWER: {'ABCD'[q['options'].index(q['answer'])]}"


def test_anki_cards_carry_the_audio_of_their_moment(tmp_path):
    rate, seconds = 16000, 12
    t = np.arange(rate * seconds) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    media = tmp_path / "lecture.wav"
    with wave.open(str(media), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(rate)
        w.writeframes(tone.tobytes())
    quiz = _quiz()
    quiz["lecture"]["id"] = "ab" * 32
    for q in quiz["questions"]:
        q["start"], q["end"] = 2.0 + q["sentence"] % 3, 4.0 + q["sentence"] % 3   # clip = start - 1 .. end + 1
    write_exports(quiz, tmp_path / "out", media)
    with zipfile.ZipFile(tmp_path / "out/quiz.apkg") as z:
        names = json.loads(z.read("media"))
        (tmp_path / "col.anki2").write_bytes(z.read("collection.anki2"))
        clips = {name: z.read(number) for number, name in names.items()}
    con = sqlite3.connect(tmp_path / "col.anki2")
    sounds = [r[0].split("\x1f")[-1] for r in con.execute("select flds from notes")]
    assert len(clips) == len(quiz["questions"]) == len(sounds)
    assert sorted(sounds) == sorted(f"[sound:{name}]" for name in clips)
    for name, data in clips.items():
        (tmp_path / name).write_bytes(data)
        assert abs(probe(tmp_path / name).duration - 4.0) < 0.1, name
    # a reviewed quiz and its media give the same deck bytes: note times from review.applied_at, zip dates
    # and modes fixed (written twice, the media's mtime moved in between)
    quiz["review"] = {"applied_at": "2026-11-29T10:00:00Z"}
    write_exports(quiz, tmp_path / "r1", media)
    os.utime(media, (0, 0))
    write_exports(quiz, tmp_path / "r2", media)
    assert (tmp_path / "r1/quiz.apkg").read_bytes() == (tmp_path / "r2/quiz.apkg").read_bytes()
    with zipfile.ZipFile(tmp_path / "r1/quiz.apkg") as z:
        assert {(i.date_time, i.external_attr >> 16) for i in z.infolist()} == {((1980, 1, 1, 0, 0, 0), 0o100644)}
        (tmp_path / "r1.anki2").write_bytes(z.read("collection.anki2"))
    mods = {r[0] for r in sqlite3.connect(tmp_path / "r1.anki2").execute("select mod from notes")}
    assert mods == {1795946400}   # 2026-11-29 10:00 UTC: Anki updates a note only from a newer mod
    del quiz["review"]
    # no media (a text lecture): the same deck without sound
    write_exports(quiz, tmp_path / "text")
    with zipfile.ZipFile(tmp_path / "text/quiz.apkg") as z:
        assert json.loads(z.read("media")) == {}


def test_no_question_no_qti_and_no_mcq_no_aiken(tmp_path):
    write_exports(_quiz(), tmp_path)
    assert (tmp_path / "quiz.qti.zip").is_file() and (tmp_path / "quiz.aiken.txt").is_file()
    quiz = _quiz()
    quiz["questions"] = [q for q in quiz["questions"] if q["type"] != "mcq"]
    written = {p.name for p in write_exports(quiz, tmp_path)}
    assert "quiz.aiken.txt" not in written and not (tmp_path / "quiz.aiken.txt").exists()   # stale one gone
    quiz["questions"] = []
    written = {p.name for p in write_exports(quiz, tmp_path)}
    assert "quiz.qti.zip" not in written and not (tmp_path / "quiz.qti.zip").exists()
    assert ET.parse(tmp_path / "quiz.moodle.xml").getroot().findall("question")[0].get("type") == "category"


def test_anki_clips_come_from_the_transcribed_audio_track(tmp_path):
    # an interpreter on track 1 (440 Hz), the lecture on track 2 (880 Hz), which was transcribed
    folder = tmp_path / "lecture"
    folder.mkdir()
    write_tracks(folder / "media.mkv", [(sine(12.0, 440), "spa", "Interpreter", True),
                                        (sine(12.0, 880), "eng", "Lecture", False)])
    source = {"name": "talk.mkv", "media_file": "media.mkv", "audio_track": {"number": 2, "language": "eng"}}
    (folder / "transcript.json").write_text(json.dumps({"source": source}))
    media, track = lecture_media(folder)
    assert (media, track) == (folder / "media.mkv", 2)
    quiz = _quiz()
    quiz["lecture"]["id"] = "cd" * 32
    for q in quiz["questions"]:
        q["start"], q["end"] = 5.0, 6.0
    write_exports(quiz, tmp_path / "out", media, track)
    with zipfile.ZipFile(tmp_path / "out/quiz.apkg") as z:
        names = json.loads(z.read("media"))
        number, name = next(iter(names.items()))
        (tmp_path / name).write_bytes(z.read(number))
    clip = np.concatenate(list(iter_audio(tmp_path / name)))
    assert abs(peak_hz(clip[1600:-1600]) - 880) < 10
