"""A teacher's review outlives processing the lecture again: refused unless asked, kept and re-applied when
asked (transcript/manifest.py, lecture/handmade.py, lecture/apply.py `keep_review`, pipeline.py). The sample
lecture processed once with Whisper tiny.en and a tiny random checkpoint; the re-addressing of edits on
hand-made transcripts."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from lecturelab.cli import main
from lecturelab.io import sha256_file
from lecturelab.lecture.edits import apply_edits
from lecturelab.lecture.handmade import refit_edits
from lecturelab.lecture.render import short_clock
from lecturelab.lecture.textlecture import write_lecture_from_segments
from lecturelab.quiz import export as quiz_export
from lecturelab.quiz.export import QUIZ_FILES
from lecturelab.transcript.manifest import MANIFEST, person_made, read_manifest, record_outputs
from tests import lecture_fixtures as fx
from tests import review_fixtures as rf
from tests.quiz_fixtures import PHRASES

tiny_checkpoint, lecture_env, processed_sample = fx.tiny_checkpoint, fx.lecture_env, fx.processed_sample


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative path -> bytes), the media included."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fresh_lecture(folder: Path, phrases: list[str]) -> dict:
    """The review fixture's lecture as a later run heard it: sentence 1 cut into two segments (every later
    segment index moves by one, word times stay) and 'noise' heard as 'nose'."""
    segs = rf.segments([s.replace(" noise ", " nose ") for s in rf.sentences()])
    words = segs[1]["words"]
    parts = [words[:4], words[4:]]
    segs[1:2] = [{"start": p[0]["start"], "end": p[-1]["end"], "text": "".join(w["word"] for w in p), "words": p}
                 for p in parts]
    write_lecture_from_segments(folder, segs, phrases=phrases, name="talk.mp4", source={"sha256": rf.SHA})
    return json.loads((folder / "transcript.json").read_text())


def test_saved_edits_are_readdressed_by_word_and_time_and_misfits_named(tmp_path):
    old = json.loads((rf.lecture(tmp_path / "old") / "transcript.json").read_text())
    doc = fresh_lecture(tmp_path / "fresh", [p for p in PHRASES if p != "convolutional layers"])
    quiz = {"questions": [q for q in rf.QUESTIONS if q["id"] != "qtf0000003"]}
    decent, noise = rf.word_at(tmp_path / "old", 3, "decent"), rf.word_at(tmp_path / "old", 5, "noise")
    edits = {"schema_version": 1, "lecture": {"id": rf.SHA, "name": "talk.mp4"},
             "words": [{**decent, "to": "descent"}, {**noise, "to": "noises"}],
             "keyphrases": {"add": ["negative gradient"], "remove": ["dropout", "convolutional layers"]},
             "questions": [{"id": "qtf0000003", "delete": True}, {"id": "qshort0004", "answer": "Dropout"}],
             "order": ["qshort0004", "qtf0000003", "qblank00001", "qmcq000002"]}
    fitted, lines = refit_edits(copy.deepcopy(edits), old, doc, quiz)
    # the corrected word is found one segment later, at the same time and with the same spelling
    assert fitted["words"] == [{**decent, "segment": 4, "to": "descent"}]
    assert doc["segments"][4]["words"][decent["word"]]["word"].strip() == "decent"
    assert fitted["keyphrases"] == {"add": ["negative gradient"], "remove": ["dropout"]}
    assert fitted["questions"] == [{"id": "qshort0004", "answer": "Dropout"}]
    assert fitted["order"] == ["qshort0004", "qblank00001", "qmcq000002"]
    at = short_clock(old["segments"][5]["words"][noise["word"]]["start"])
    assert lines == [
        f"words[1] 'noise' -> 'noises' at {at}: the fresh transcript has 'nose' there, not 'noise'",
        "keyphrases.remove[1] 'convolutional layers': not a keyphrase of the fresh transcript",
        "questions[0] (qtf0000003): no question with this id in the fresh quiz",
        "order: kept for the questions still there (1 gone, 0 new placed last)"]
    # what fits applies cleanly to the fresh output
    new_doc, _, new_quiz = apply_edits(doc, {**quiz, "notes": []}, fitted, "edits")
    assert "Gradient descent is" in new_doc["text"] and [q["id"] for q in new_quiz["questions"]] == fitted["order"]
    # another recording in the same folder: nothing is carried over
    other = copy.deepcopy(doc)
    other["source"]["sha256"] = "cd" * 32
    fitted, lines = refit_edits(edits, old, other, quiz)
    assert set(fitted) == {"schema_version", "lecture"} and lines == ["lecture.id: the media changed since the review"]


@pytest.fixture
def reviewed(processed_sample, tiny_checkpoint, lecture_env, tmp_path):
    """(folder, overrides, other checkpoint): the processed sample copied into a fresh output folder, reviewed
    with `lecturelab apply` (a word corrected, a keyphrase removed), then changed by hand (a note added,
    subtitles.srt edited); the overrides process it into the same folder."""
    out = tmp_path / "out"
    folder = out / processed_sample.name
    shutil.copytree(processed_sample, folder, symlinks=True)
    doc = json.loads((folder / "transcript.json").read_text())
    s, w = next((s, w) for s, seg in enumerate(doc["segments"]) for w, x in enumerate(seg["words"])
                if x["word"].strip().isalpha() and len(x["word"].strip()) > 4)
    word = doc["segments"][s]["words"][w]["word"].strip()
    kp = json.loads((folder / "keyphrases.json").read_text())["keyphrases"][0]["phrase"]
    edits = rf.edits_file(tmp_path / "edits.json", lecture={},
                          words=[{"segment": s, "word": w, "from": word, "to": "Kolmogorov"}],
                          keyphrases={"remove": [kp]})
    assert main(["apply", str(folder), str(edits)]) == 0
    (folder / "notes.txt").write_text("ask about week 3\n")
    with open(folder / "subtitles.srt", "a") as f:
        f.write("\n99\n00:00:01,000 --> 00:00:02,000\nmy own subtitle\n")
    other = tmp_path / "other-checkpoint"   # another keyphrase checkpoint: the folder is not "done" for it
    shutil.copytree(tiny_checkpoint, other)
    overrides = [o for o in lecture_env["overrides"] if not o.startswith(("output_dir=", "model_path="))]
    return folder, overrides + [f"output_dir={out}", f"model_path={other}", "keyphrases.o_bias=1.0"], other


def test_a_reviewed_lecture_is_not_replaced_by_a_run_with_another_setting(reviewed, capsys):
    folder, overrides, _ = reviewed
    assert person_made(folder) == ["edits.applied.json", "notes.txt", "subtitles.srt", "transcript.orig.json"]
    before = tree(folder)
    for extra in ([], ["force=true"]):   # force=true alone does not discard a review either
        capsys.readouterr()
        assert main(["process", str(fx.SAMPLE), *overrides, *extra]) == 1
        err = capsys.readouterr().err
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert errors[0] == (f"error: {fx.SAMPLE}: {folder} holds a person's work (edits.applied.json, notes.txt, "
                             "subtitles.srt, transcript.orig.json) that fresh output would replace; reviewed=reapply "
                             "processes it again, keeps that work in review/ and re-applies the edits that still fit")
        assert tree(folder) == before
        assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]   # no temp folder left
    # apply, too, regenerates the subtitles: it refuses to replace the hand-edited ones
    assert main(["apply", str(folder), str(folder / "edits.applied.json")]) == 1   # unusable input: exit 1, as in every command
    assert capsys.readouterr().err == (f"error: {folder / 'subtitles.srt'}: changed by hand, and applying the edits "
                                       "would replace it; move it out of the folder (or rename it) and apply again\n")
    assert tree(folder) == before


def test_reviewed_reapply_keeps_the_review_and_reapplies_it(reviewed, capsys):
    folder, overrides, other = reviewed
    before = tree(folder)
    capsys.readouterr()
    assert main(["process", str(fx.SAMPLE), *overrides, "reviewed=reapply"]) == 0
    err = capsys.readouterr().err
    # the reviewed folder, less the media, is kept whole in review/1/
    kept = tree(folder / "review" / "1")
    media = json.loads(before["transcript.json"])["source"]["media_file"]
    assert kept.pop("reapplied.txt").decode().splitlines() == [
        "the reviewed folder is kept in review/1/",
        "subtitles.srt was changed by hand; the fresh subtitles.srt replaces it (yours: review/1/subtitles.srt)",
        "edits.applied.json: 2 of 2 edit(s) re-applied to the fresh output"]
    assert kept == {k: v for k, v in before.items() if k != media}
    assert f"warning: {folder}: subtitles.srt was changed by hand; the fresh subtitles.srt replaces it" in err
    # the fresh output, reviewed again: the correction and the removal are there, the note carried over
    doc = json.loads((folder / "transcript.json").read_text())
    assert doc["keyphrase_model"] == str(other) and "Kolmogorov" in doc["text"]
    assert doc["review"]["words_corrected"] == 1 and len(doc["review"]["keyphrases_removed"]) == 1
    assert "Kolmogorov" in (folder / "subtitles.srt").read_text()
    assert "my own subtitle" not in (folder / "subtitles.srt").read_text()
    assert (folder / "notes.txt").read_text() == "ask about week 3\n"
    assert json.loads((folder / "edits.applied.json").read_text())["words"][0]["to"] == "Kolmogorov"
    assert "Kolmogorov" not in (folder / "transcript.orig.json").read_text()
    # the machine's own files are listed as such: only the review and the person's files count as theirs
    assert MANIFEST in {p.name for p in folder.iterdir()}
    assert person_made(folder) == ["edits.applied.json", "notes.txt", "review/", "transcript.orig.json"]
    # the same settings again: already done; asked again: a second kept review beside the first
    assert main(["process", str(fx.SAMPLE), *overrides]) == 0
    assert "already done" in capsys.readouterr().out
    assert main(["process", str(fx.SAMPLE), *overrides, "force=true", "reviewed=reapply"]) == 0
    assert sorted(p.name for p in (folder / "review").iterdir()) == ["1", "2"]
    assert tree(folder / "review" / "1") == {**kept, "reapplied.txt": (folder / "review/1/reapplied.txt").read_bytes()}
    assert "Kolmogorov" in json.loads((folder / "transcript.json").read_text())["text"]


# `lecturelab quiz` on a lecture folder: a person's work on the quiz is refused, a clean folder re-listed

def processed(folder: Path) -> Path:
    """The review fixture's lecture with its quiz, listed in outputs.sha256 as `lecturelab process` lists it."""
    rf.lecture_with_quiz(folder)
    record_outputs(folder, (p.name for p in folder.iterdir()))
    assert person_made(folder) == []
    return folder


QUIZ_HINT = ("`lecturelab process <media> reviewed=reapply force=true` (with the quiz.* settings) makes a fresh "
             "quiz, keeps that work in review/ and re-applies the edits that still fit")


@pytest.mark.parametrize("review", ["questions", "words"])
def test_quiz_refuses_to_replace_a_reviewed_quiz(review, tmp_path, capsys):
    folder = processed(tmp_path / "talk")
    edits = {"questions": {"questions": [{"id": "qtf0000003", "delete": True}]},
             "words": {"words": [{**rf.word_at(folder, 3, "decent"), "to": "descent"}]}}[review]
    assert main(["apply", str(folder), str(rf.edits_file(tmp_path / "edits.json", **edits))]) == 0
    before = tree(folder)
    capsys.readouterr()
    assert main(["quiz", str(folder), "quiz.num_questions=2"]) == 1
    # edits.applied.json is the quiz's only when it edits questions; quiz.orig.json means quiz.json was reviewed
    named = "edits.applied.json, quiz.orig.json" if review == "questions" else "quiz.orig.json"
    assert capsys.readouterr().err == (f"error: {folder} holds a person's work ({named}) that a fresh quiz would "
                                       f"replace; {QUIZ_HINT}\n")
    assert tree(folder) == before   # every byte, hidden files included


def test_quiz_refuses_to_replace_a_hand_edited_quiz_file(tmp_path, capsys):
    folder = processed(tmp_path / "talk")
    with open(folder / "quiz.md", "a", encoding="utf-8") as f:
        f.write("\nBring a calculator.\n")
    before = tree(folder)
    assert main(["quiz", str(folder)]) == 1
    assert capsys.readouterr().err == (f"error: {folder} holds a person's work (quiz.md) that a fresh quiz would "
                                       "replace; move it out of the folder (or rename it) and run lecturelab quiz "
                                       "again\n")
    assert tree(folder) == before


def test_quiz_on_a_clean_folder_lists_its_files_as_the_machines(tmp_path, capsys):
    folder = processed(tmp_path / "talk")
    old = read_manifest(folder)
    assert "quiz.aiken.txt" in old   # the fixture quiz has an MCQ
    with open(folder / "transcript.md", "a", encoding="utf-8") as f:   # a hand edit the quiz does not replace
        f.write("\nmy note\n")
    assert main(["quiz", str(folder), "quiz.num_questions=3", "quiz.types=[blank,short]"]) == 0
    assert "3 questions (rules)" in capsys.readouterr().out
    quiz = json.loads((folder / "quiz.json").read_text())
    assert {q["type"] for q in quiz["questions"]} <= {"blank", "short"} and len(quiz["questions"]) == 3
    listed = read_manifest(folder)
    written = [n for n in QUIZ_FILES if (folder / n).is_file()]
    assert written == [n for n in QUIZ_FILES if n != "quiz.aiken.txt"]   # no MCQ: the Aiken file is gone
    assert {n: listed[n] for n in written} == {n: sha256_file(folder / n) for n in written}
    assert "quiz.aiken.txt" not in listed and listed["quiz.json"] != old["quiz.json"]
    # every other entry as it was: the hand-edited transcript.md still reads as a person's
    assert {n: s for n, s in listed.items() if n not in QUIZ_FILES} == {n: s for n, s in old.items()
                                                                        if n not in QUIZ_FILES}
    assert person_made(folder) == ["transcript.md"]
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]   # no temp folder left
    assert main(["quiz", str(folder), "quiz.num_questions=2"]) == 0   # its own quiz is the machine's: rewritten
    assert person_made(folder) == ["transcript.md"]


def test_quiz_in_a_folder_without_a_manifest_writes_none(tmp_path):
    folder = rf.lecture_with_quiz(tmp_path / "talk")   # written before outputs.sha256 existed
    assert main(["quiz", str(folder), "quiz.num_questions=2"]) == 0
    assert len(json.loads((folder / "quiz.json").read_text())["questions"]) == 2
    assert not (folder / MANIFEST).exists() and person_made(folder) == []


def test_a_quiz_that_fails_half_way_leaves_the_old_quiz_whole(tmp_path, capsys, monkeypatch):
    folder = processed(tmp_path / "talk")
    before = tree(folder)

    def full_disk(quiz, path, *args):
        raise OSError(28, "No space left on device", path.name)

    monkeypatch.setattr(quiz_export, "write_apkg", full_disk)   # quiz.json .. quiz.gift are already made then
    assert main(["quiz", str(folder), "quiz.num_questions=2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {folder}: ") and "No space left on device: 'quiz.apkg'" in err
    assert tree(folder) == before and not [p for p in folder.iterdir() if p.name.startswith(".")]
