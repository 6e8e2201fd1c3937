"""`lecturelab apply`: edits checked against the lecture, applied to every output, idempotent and atomic."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from lecturelab.cli import main
from lecturelab.io import sha256_file
from lecturelab.lecture.edits import correct_words
from lecturelab.lecture.review import render_review
from lecturelab.transcript.manifest import rerecord
from tests import lecture_fixtures as fx
from tests import review_fixtures as rf

# the sample lecture processed once (pytest fixtures, bound here so this module's tests can request them)
tiny_checkpoint, lecture_env, processed_sample = fx.tiny_checkpoint, fx.lecture_env, fx.processed_sample


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def apkg_notes(path: Path) -> list[tuple[str, str]]:
    """(guid, fields) of each note in an Anki package, read back with sqlite3."""
    with zipfile.ZipFile(path) as z:
        db = path.parent / f".{path.name}.anki2"
        db.write_bytes(z.read("collection.anki2"))
    try:
        with sqlite3.connect(db) as con:
            return sorted(con.execute("select guid, flds from notes").fetchall())
    finally:
        db.unlink()


@pytest.fixture
def folder(tmp_path):
    return rf.lecture_with_quiz(tmp_path / "talk")


def full_edits(folder: Path, path: Path) -> Path:
    return rf.edits_file(
        path, words=[{**rf.word_at(folder, 3, "decent"), "to": "descent"}],
        keyphrases={"add": ["negative gradient"], "remove": ["dropout"]},
        questions=[{"id": "qtf0000003", "delete": True},
                   {"id": "qmcq000002", "options": ["overfitting", "underfitting", "dropout"]}],
        order=["qmcq000002", "qblank00001", "qshort0004"])


def test_apply_corrects_every_output_and_keeps_the_machine_output(folder, tmp_path, capsys):
    assert main(["apply", str(folder), str(full_edits(folder, tmp_path / "edits.json"))]) == 0
    assert "applied" in capsys.readouterr().out
    doc = json.loads((folder / "transcript.json").read_text())
    assert "Gradient descent is an algorithm" in doc["text"] and "decent" not in doc["text"]
    w = doc["segments"][3]["words"][1]
    assert (w["word"], w["prob"], w["heard"]) == ("descent", 1.0, "decent")
    # offsets stay exact after a word of another length: every word and keyphrase span points at its text
    assert all(doc["text"][x["char_start"]:x["char_end"]] == x["word"] for s in doc["segments"] for x in s["words"])
    assert all(doc["text"][k["char_start"]:k["char_end"]] == k["text"] for k in doc["keyphrases"])
    for sub in ("subtitles.srt", "subtitles.vtt", "transcript.md", "transcript.html"):
        text = (folder / sub).read_text()
        assert "descent" in text and "decent" not in text, sub
    phrases = [k["phrase"] for k in json.loads((folder / "keyphrases.json").read_text())["keyphrases"]]
    assert "negative gradient" in phrases and "dropout" not in phrases
    assert "<b>negative gradient</b>" in (folder / "subtitles.vtt").read_text()
    quiz = json.loads((folder / "quiz.json").read_text())
    assert [q["id"] for q in quiz["questions"]] == ["qmcq000002", "qblank00001", "qshort0004"]
    blank = quiz["questions"][1]
    assert blank["stem"].startswith("Fill in the blank: Gradient descent is") and "descent" in blank["explanation"]
    assert quiz["questions"][0]["options"] == ["overfitting", "underfitting", "dropout"]
    # what the review changed, once per question, in quiz.json and quiz.md (not in notes: quiz.html shows those)
    review = {k: v for k, v in quiz["review"].items() if k != "applied_at"}
    assert review == {"questions_drafted": 4, "questions_deleted": 1, "questions_edited": 1,
                      "questions_corrected_by_word_fixes": 1, "reordered": True}
    assert quiz["notes"] == [] and "> Reviewed: by the teacher (" in (folder / "quiz.md").read_text()
    assert "1 deleted, 1 edited, 1 corrected by transcript fixes, reordered; 3 kept" in \
        (folder / "quiz.md").read_text()
    gift = (folder / "quiz.gift").read_text()
    assert "Gradient descent is" in gift and "decent" not in gift and "qtf0000003" not in gift
    assert "~underfitting" in gift
    assert len(apkg_notes(folder / "quiz.apkg")) == 3
    # the machine output is kept once, untouched, and review.html starts from it with the edits filled in
    orig = json.loads((folder / "transcript.orig.json").read_text())
    assert "Gradient decent is" in orig["text"]
    assert [q["id"] for q in json.loads((folder / "quiz.orig.json").read_text())["questions"]] == \
        [q["id"] for q in rf.QUESTIONS]
    page = (folder / "review.html").read_text()
    data = json.loads(page.split('id="review-data">')[1].split("</script>")[0])
    assert data["edits"]["words"][0]["to"] == "descent" and data["segments"][3]["words"][1] == "decent"


def test_applying_the_same_edits_twice_gives_the_same_files(folder, tmp_path):
    edits = full_edits(folder, tmp_path / "edits.json")
    assert main(["apply", str(folder), str(edits)]) == 0
    first, notes = snapshot(folder), apkg_notes(folder / "quiz.apkg")
    assert main(["apply", str(folder), str(edits)]) == 0
    second = snapshot(folder)
    assert sorted(first) == sorted(second)
    # every byte, the Anki deck included (genanki stamps notes and zip entries with "now" unless told)
    assert [n for n in first if first[n] != second[n]] == []
    assert apkg_notes(folder / "quiz.apkg") == notes


def note_mods(path: Path) -> set[int]:
    with zipfile.ZipFile(path) as z:
        db = path.parent / f".{path.name}.anki2"
        db.write_bytes(z.read("collection.anki2"))
    try:
        with sqlite3.connect(db) as con:
            return {r[0] for r in con.execute("select mod from notes")}
    finally:
        db.unlink()


def test_new_edits_give_the_anki_deck_a_newer_time_and_the_same_edits_keep_it(folder, tmp_path):
    """Anki updates an imported note only from a newer ``mod``: a new review must stamp a later time."""
    edits = full_edits(folder, tmp_path / "edits.json")
    assert main(["apply", str(folder), str(edits)]) == 0
    quiz = json.loads((folder / "quiz.json").read_text())
    quiz["review"]["applied_at"] = "2001-01-01T00:00:00Z"   # as if that apply had run in 2001
    before = sha256_file(folder / "quiz.json")
    (folder / "quiz.json").write_text(json.dumps(quiz))
    rerecord(folder, "quiz.json", before)   # ... and written it: the machine's file, not a hand edit
    assert main(["apply", str(folder), str(edits)]) == 0      # the same edits: the same time
    assert json.loads((folder / "quiz.json").read_text())["review"]["applied_at"] == "2001-01-01T00:00:00Z"
    assert note_mods(folder / "quiz.apkg") == {978307200}
    other = rf.edits_file(tmp_path / "other.json", questions=[{"id": "qshort0004", "delete": True}])
    assert main(["apply", str(folder), str(other)]) == 0      # other edits: now
    assert json.loads((folder / "quiz.json").read_text())["review"]["applied_at"] > "2026"
    assert min(note_mods(folder / "quiz.apkg")) > 1_700_000_000


def test_a_deleted_word_moves_later_spans_with_it(folder):
    doc = json.loads((folder / "transcript.json").read_text())
    w = rf.word_at(folder, 1, "simple")
    text, segs, spans, _ = correct_words(doc, [{**w, "to": ""}])
    assert "layers of connected units." in text
    assert all(text[k["char_start"]:k["char_end"]] == k["text"] for k in spans)
    assert [k["text"] for k in spans] == [k["text"] for k in doc["keyphrases"]]


BAD = [
    ("unknown question id", {"questions": [{"id": "qnope", "delete": True}]},
     "questions[0] (qnope): no question with this id in the quiz"),
    ("segment out of range", {"words": [{"segment": 99, "word": 0, "from": "x", "to": "y"}]},
     "words[0] (segment 99, word 0): no such segment (the transcript has 12)"),
    ("word out of range", {"words": [{"segment": 0, "word": 40, "from": "x", "to": "y"}]},
     "words[0] (segment 0, word 40): no such word (segment 0 has 13)"),
    ("original word differs", {"words": [{"segment": 3, "word": 1, "from": "recent", "to": "descent"}]},
     "words[0] (segment 3, word 1): expected 'recent', the transcript has 'decent'"),
    ("MCQ without its answer", {"questions": [{"id": "qmcq000002", "options": ["dropout", "regularization"]}]},
     "questions[0] (qmcq000002): the answer 'overfitting' is not one of the options"),
    ("order misses a question", {"order": ["qmcq000002"]}, "order: must list each kept question once"),
    ("another lecture", {"lecture": {"id": "cd" * 32}}, "lecture.id: cdcdcdcdcdcd... is another lecture"),
    ("unknown keyphrase", {"keyphrases": {"remove": ["quantum computing"]}},
     "keyphrases.remove[0] 'quantum computing': not a keyphrase of this lecture"),
    ("added phrase not spoken", {"keyphrases": {"add": ["support vector machine"]}},
     "keyphrases.add[0] 'support vector machine': does not occur in the (corrected) transcript"),
    ("unknown key", {"questionz": []}, "questionz: unknown key"),
    ("word edit of the wrong type", {"words": [{"segment": 3, "word": 1, "from": "decent", "to": 5}]},
     "words[0] (segment 3, word 1): 'to' must be a string"),
    ("word edit that is no object", {"words": ["decent"]},
     "words[0]: expected {segment: int, word: int, from: str, to: str}"),
    ("question field of the wrong type", {"questions": [{"id": "qmcq000002", "delete": "yes"}]},
     "questions[0] (qmcq000002): 'delete' must be true or false"),
    ("unknown question field", {"questions": [{"id": "qmcq000002", "hint": "x"}]},
     "questions[0] (qmcq000002): unknown key 'hint'; allowed: id, delete, stem"),
    ("lecture that is no object", {"lecture": "talk.mp4"}, "lecture: expected {id: str, name: str}"),
    ("order of numbers", {"order": [1, 2]}, "order: expected a list of strings"),
    ("keyphrases of the wrong type", {"keyphrases": {"add": "dropout"}}, "keyphrases: 'add' must be a list of strings"),
    ("MCQ left with one option", {"questions": [{"id": "qmcq000002", "options": ["overfitting"]}]},
     "questions[0] (qmcq000002): a multiple-choice item needs at least 2 distinct non-empty options"),
    ("stem that gives its answer away", {"questions": [{"id": "qshort0004", "stem": "Dropout randomly switches off "
                                                        "units during training."}]},
     "questions[0] (qshort0004): the stem contains its own answer"),
]


@pytest.mark.parametrize(("case", "parts", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_edits_give_one_line_and_write_nothing(folder, tmp_path, capsys, case, parts, message):
    edits = tmp_path / "edits.json"
    rf.edits_file(edits, **parts)
    if "lecture" in parts:   # replace, not add to, the lecture block
        edits.write_text(json.dumps({"schema_version": 1, **parts}))
    before = snapshot(folder)
    assert main(["apply", str(folder), str(edits)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith(f"error: {edits}: ") and message in err, err
    assert snapshot(folder) == before


def test_edits_that_are_not_json_name_the_file(folder, tmp_path, capsys):
    edits = tmp_path / "edits.json"
    edits.write_text('{"schema_version": 1, "words": [')
    assert main(["apply", str(folder), str(edits)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {edits}: cannot be read as JSON") and len(err.splitlines()) == 1


def test_a_failure_while_writing_leaves_the_old_outputs(folder, tmp_path, monkeypatch):
    edits = full_edits(folder, tmp_path / "edits.json")
    before = snapshot(folder)

    def broken(quiz, out, media=None):
        (out / "quiz.gift").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr("lecturelab.lecture.apply.write_exports", broken)
    assert main(["apply", str(folder), str(edits)]) == 1
    assert snapshot(folder) == before
    assert sorted(p.name for p in folder.parent.iterdir()) == ["edits.json", "talk"]   # no temp folder left


def test_review_page_carries_transcript_markup_as_data_only(tmp_path):
    folder = rf.lecture(tmp_path / "special", special=True)
    doc = json.loads((folder / "transcript.json").read_text())
    page = render_review(doc, [], None, None, 0.5)
    block = page.split('id="review-data">')[1].split("</script>")[0]
    assert "<" not in block and "&" not in block
    # the data block, the clock and the page script: the transcript adds no element
    assert "window.__pwned" in block and page.count("<script") == 3


@pytest.mark.slow
def test_review_loop_on_the_processed_sample(processed_sample, tmp_path):
    import shutil

    folder = tmp_path / "sample"
    shutil.copytree(processed_sample, folder, symlinks=True)
    assert (folder / "review.html").is_file()   # `lecturelab process` writes the page
    made = snapshot(folder)
    # no edits: apply renders exactly what process wrote (same render functions, same settings)
    assert main(["apply", str(folder), str(rf.edits_file(tmp_path / "none.json", lecture={}))]) == 0
    again = snapshot(folder)
    for name in ("keyphrases.json", "transcript.html", "transcript.md", "subtitles.srt", "subtitles.vtt"):
        assert again[name] == made[name], name
    reviewed = json.loads(again["transcript.json"])
    assert reviewed.pop("review") == {"words_corrected": 0, "keyphrases_added": [], "keyphrases_removed": []}
    assert reviewed == json.loads(made["transcript.json"])
    doc = json.loads((folder / "transcript.orig.json").read_text())
    s, w = min(((s, w) for s, seg in enumerate(doc["segments"]) for w, x in enumerate(seg["words"])
                if x["word"].strip().isalpha()), key=lambda a: doc["segments"][a[0]]["words"][a[1]]["prob"])
    word = doc["segments"][s]["words"][w]["word"].strip()
    edits = rf.edits_file(tmp_path / "edits.json", lecture={},
                          words=[{"segment": s, "word": w, "from": word, "to": "Kolmogorov"}])
    assert main(["apply", str(folder), str(edits)]) == 0
    for name in ("subtitles.srt", "subtitles.vtt", "transcript.md", "transcript.html"):
        assert "Kolmogorov" in (folder / name).read_text(), name


def test_an_export_of_deleted_questions_does_not_outlive_them(folder, tmp_path):
    assert main(["apply", str(folder), str(rf.edits_file(tmp_path / "a.json"))]) == 0
    assert (folder / "quiz.aiken.txt").is_file()   # Aiken holds the multiple-choice questions only
    edits = rf.edits_file(tmp_path / "b.json", questions=[{"id": "qmcq000002", "delete": True}])
    assert main(["apply", str(folder), str(edits)]) == 0
    assert not (folder / "quiz.aiken.txt").exists()
    assert "qmcq000002" not in (folder / "quiz.moodle.xml").read_text()
    assert "qmcq000002" in (folder / "quiz.orig.json").read_text()
