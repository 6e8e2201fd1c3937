"""Make a quiz from a processed lecture folder and write it in every export format."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from lecturelab.lecture.captions import CAPTION_EXTENSIONS
from lecturelab.lecture.render import seconds
from lecturelab.quiz.export import write_exports
from lecturelab.quiz.llm import llm_questions
from lecturelab.quiz.rule_quiz import rule_questions
from lecturelab.quiz.schema import SCHEMA_VERSION, Settings
from lecturelab.quiz.source import Lecture, load_lecture

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


def lecture_media(lecture_dir: str | Path) -> tuple[Path | None, int | None]:
    """(media, track): the lecture's audio or video, the copy beside the page (transcript.json
    ``source.media_file``) else the original file when it is still there, and the 1-based audio track that
    was transcribed (``source.audio_track.number``; None: the first). (None, None) for a text lecture or a
    media file that is gone."""
    try:
        source = json.loads((Path(lecture_dir) / "transcript.json").read_text(encoding="utf-8")).get("source") or {}
    except (OSError, ValueError):
        return None, None
    candidates = [Path(lecture_dir) / source["media_file"]] if source.get("media_file") else []
    # a lecture read from a caption file alone has no media: its source file is the captions
    candidates += [Path(source[k]) for k in ("realpath", "path") if source.get(k) and source.get("sha256")
                   and Path(source[k]).suffix.lower() not in CAPTION_EXTENSIONS]
    media = next((p for p in candidates if p.is_file()), None)
    return media, (source.get("audio_track") or {}).get("number") if media else None
