"""Make a quiz from a processed lecture folder and write it in every export format."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path

from lecturelab.errors import LectureError
from lecturelab.io import temp_dir_beside
from lecturelab.quiz.export import QUIZ_FILES, write_exports
from lecturelab.quiz.llm import llm_questions
from lecturelab.quiz.rule_quiz import rule_questions
from lecturelab.quiz.schema import SCHEMA_VERSION, Settings
from lecturelab.transcript.document import Lecture, lecture_media, load_lecture, read_json_object
from lecturelab.transcript.format import seconds
from lecturelab.transcript.manifest import APPLIED_FILE, ORIG_QUIZ, REVIEW_DIR, person_made, rerecord_files

log = logging.getLogger(__name__)
_ORDER = ("id", "type", "stem", "options", "answer", "accepted", "explanation", "start", "end", "link",
          "keyphrase", "key", "difficulty", "difficulty_label", "sentence", "segment")


def _rules(lecture: Lecture, settings: Settings, notes: list[str]) -> tuple[list[dict], dict]:
    return rule_questions(lecture, settings, notes), {"name": "rules"}


# quiz.name (conf/quiz/<name>.yaml) -> fn(lecture, settings, notes) -> (questions, quiz.json "generator");
# quiz=none turns the quiz off before any of these runs (write_quiz, the process and quiz commands)
GENERATORS = {"rules": _rules, "llm": llm_questions}


def question_id(lecture: Lecture, q: dict, used: set[str]) -> str:
    """``q`` + 10 hex digits of sha256(lecture id, type, keyphrase key, sentence, answer), e.g. ``q3f9a0c12d4``.

    Other systems store it (Moodle question name, Anki note guid), so it depends on the content only: the
    same question keeps its id when the quiz is made again, also with fewer or more questions, and two
    lectures that share a file name never share one (the lecture id is the media's sha256). A clash
    inside one quiz (not possible for rule-based questions, which test distinct keyphrases) gets ``-2``.
    """
    sentence = " ".join(lecture.sentences[q["sentence"]].text.split()) if lecture.sentences else q["explanation"]
    parts = (lecture.source_id, q["type"], q.get("key") or "", sentence, str(q["answer"]))
    base = "q" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:10]
    qid, n = base, 1
    while qid in used:
        n += 1
        qid = f"{base}-{n}"
    used.add(qid)
    return qid


def make_quiz(lecture: Lecture, settings: Settings) -> dict:
    """The quiz dict (schema in docs/quiz.md) for a loaded lecture."""
    notes: list[str] = [f"transcript: {lecture.note}"] if lecture.note else []
    usable = sum(settings.min_words <= len(s.text.split()) <= settings.max_words for s in lecture.sentences)
    if not lecture.keyphrases:
        notes.append("the lecture has no keyphrases (keyphrases.json lists none), so no question can test one")
    if usable == 0:
        notes.append(f"the transcript is too short: no sentence has {settings.min_words}-{settings.max_words} words")
    if lecture.keyphrases and usable:
        questions, generator = GENERATORS[settings.name](lecture, settings, notes)
    else:
        questions, generator = [], {"name": settings.name}
    if len(questions) < settings.num_questions:
        msg = (f"asked for {settings.num_questions} questions; the lecture supports {len(questions)} "
               f"({len(lecture.keyphrases)} keyphrases, {usable} usable sentences)")
        notes.append(msg)
        log.warning("%s: %s", lecture.name, msg)
    questions.sort(key=lambda q: (q["start"], q["sentence"]))
    out, used = [], set()
    for q in questions:
        q = {**q, "id": question_id(lecture, q, used), "link": f"transcript.html#t={seconds(q['start'])}"}
        out.append({k: q[k] for k in _ORDER if k in q} | {k: v for k, v in q.items() if k not in _ORDER})
    return {
        "schema_version": SCHEMA_VERSION,
        "lecture": {"name": lecture.name, "id": lecture.source_id, "duration": round(lecture.duration, 2),
                    "transcript": "transcript.html"},
        "generator": generator,
        "settings": {"num_questions": settings.num_questions, "types": list(settings.types), "seed": settings.seed},
        "notes": notes,
        "questions": out,
    }


def write_quiz(lecture_dir: str | Path, quiz_cfg) -> list[Path]:
    """Read ``lecture_dir``'s transcript.json + keyphrases.json; write quiz.{json,md,html,gift,apkg} and the
    LMS files (quiz.moodle.xml, quiz.qti.zip, quiz.aiken.txt).

    ``quiz_cfg`` is the ``quiz`` config group (conf/quiz/*.yaml); ``name: none`` writes nothing.
    Returns the written paths. Each file is written atomically.
    """
    if quiz_cfg is not None and quiz_cfg.get("name") == "none":
        return []
    settings = Settings.from_cfg(quiz_cfg)
    lecture = load_lecture(lecture_dir)
    return write_exports(make_quiz(lecture, settings), Path(lecture_dir), *lecture_media(lecture_dir))


def _edits_quiz(path: Path) -> bool:
    """Whether the applied edits at ``path`` change the quiz (question edits or an order); True when the
    file does not read as a JSON object (it may)."""
    try:
        edits = read_json_object(path)
    except LectureError:
        return True
    return bool(edits.get("questions") or "order" in edits)


def quiz_work(lecture_dir: str | Path) -> tuple[list[str], bool]:
    """What of a person's work a fresh quiz would replace in the lecture folder ``lecture_dir``, and whether
    it is the teacher's applied review of the quiz: the sorted names of ``quiz.orig.json`` (kept by
    `lecturelab apply`, so quiz.json is the reviewed quiz), ``edits.applied.json`` when it edits questions
    or their order, and the quiz files (`QUIZ_FILES`) a person edited or put there (`person_made`).
    ([], False) for a folder of machine output only, or none."""
    folder = Path(lecture_dir)
    made = set(person_made(folder))
    review = sorted(n for n in made if n == ORIG_QUIZ or (n == APPLIED_FILE and _edits_quiz(folder / n)))
    return sorted(review + [n for n in made if n in QUIZ_FILES]), bool(review)


def rewrite_quiz(lecture_dir: str | Path, quiz_cfg) -> list[Path]:
    """`write_quiz` for a lecture folder that may hold a person's work (``lecturelab quiz``). Returns the
    written paths.

    Refuses before any work (LectureError, one line naming the folder and the files; nothing written) when
    `quiz_work` finds a reviewed or hand-edited quiz. Otherwise the exports are written into a hidden
    folder inside ``lecture_dir`` and renamed into place one by one, so a failure while making them
    (a model, a full disk) leaves the old quiz files whole; then the quiz files' entries of
    ``outputs.sha256`` are rewritten (one atomic write, the other entries kept), so the fresh files do
    not read as hand edits."""
    folder = Path(lecture_dir)
    work, reviewed = quiz_work(folder)
    if work:
        hint = ("`lecturelab process <media> reviewed=reapply force=true` (with the quiz.* settings) makes a fresh "
                f"quiz, keeps that work in {REVIEW_DIR}/ and re-applies the edits that still fit" if reviewed else
                "move it out of the folder (or rename it) and run lecturelab quiz again")
        raise LectureError(f"{folder} holds a person's work ({', '.join(work)}) that a fresh quiz would replace; "
                           + hint)
    if quiz_cfg is not None and quiz_cfg.get("name") == "none":
        return []
    settings = Settings.from_cfg(quiz_cfg)
    lecture = load_lecture(folder)
    quiz = make_quiz(lecture, settings)
    tmp = temp_dir_beside(folder / QUIZ_FILES[0])
    try:
        written = {p.name for p in write_exports(quiz, tmp, *lecture_media(folder))}
        for name in QUIZ_FILES:
            if name in written:
                os.replace(tmp / name, folder / name)
            else:   # an export this quiz has nothing for: the earlier one must not outlive its questions
                (folder / name).unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rerecord_files(folder, QUIZ_FILES)
    return [folder / n for n in QUIZ_FILES if n in written]
