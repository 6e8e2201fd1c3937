"""Make a quiz from a processed lecture folder and write it in every export format."""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections import Counter
from pathlib import Path

import numpy as np

from lecturelab.quiz.distractors import DistractorPool, Term, find_background, load_background
from lecturelab.quiz.embed import embed
from lecturelab.quiz.heard import centrality, heard_unsure, is_concept, unsure_words, words_of
from lecturelab.quiz.lecture import Lecture, load_lecture
from lecturelab.quiz.rules import Stem, candidates, select, sentence_stems
from lecturelab.quiz.schema import SCHEMA_VERSION, Settings

log = logging.getLogger(__name__)
REPO_ROOT = Path(__file__).resolve().parents[2]
_ORDER = ("id", "type", "stem", "options", "answer", "accepted", "explanation", "start", "end", "link",
          "keyphrase", "key", "difficulty", "difficulty_label", "sentence", "segment")


def seconds(x: float) -> str:
    """83.2 -> '83.2', 120.0 -> '120' (for links and labels)."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def distractor_pool(lecture: Lecture, settings: Settings, notes: list[str]) -> DistractorPool:
    """The lecture's keyphrases plus the background vocabulary (if found), with embeddings. A keyphrase
    with a word the transcriber was unsure of anywhere (a misheard word) is not offered as a distractor."""
    unsure = set().union(*(unsure_words(s.words, settings.min_word_prob, settings.rare_word_zipf,
                                        settings.rare_word_min_prob) for s in lecture.sentences))
    terms = [Term(k.phrase, k.key, "lecture") for k in lecture.keyphrases
             if not any(heard_unsure(w, unsure) for w in words_of(k.phrase)) and is_concept(k.phrase)]
    path = find_background(list(settings.background), [Path.cwd(), REPO_ROOT])
    if path is None:
        notes.append(f"no background vocabulary found (looked for {', '.join(settings.background)}): "
                     "distractors come from the lecture's own keyphrases only")
        return DistractorPool(terms, (), settings.embedding_package, None)
    return DistractorPool(terms, load_background(str(path), settings.background_max_words),
                          settings.embedding_package, cache_folder(settings))


def cache_folder(settings: Settings) -> Path | None:
    """``quiz.cache_dir`` as a folder (relative: to the working directory), or None when it is null."""
    if not settings.cache_dir:
        return None
    return Path(settings.cache_dir) if Path(settings.cache_dir).is_absolute() else Path.cwd() / settings.cache_dir


def rule_questions(lecture: Lecture, settings: Settings, notes: list[str], chosen: list[dict] | None = None,
                   n: int | None = None) -> list[dict]:
    """Rule-based questions (``chosen`` ones are kept and constrain the rest)."""
    rng = random.Random(settings.seed)
    stems = sentence_stems(lecture, settings)
    usable = [i for i, s in enumerate(stems) if not s.why]
    central = np.ones(len(stems))
    if len(usable) > 1:   # how central each sentence is to the whole transcript (MiniLM embeddings)
        central[usable] = centrality(embed([stems[i].text for i in usable], settings.embedding_package))
    cands = candidates(lecture, settings, rng, stems, central)
    needs_pool = any(c.type in ("mcq", "tf") for c in cands)
    pool = distractor_pool(lecture, settings, notes) if needs_pool else DistractorPool([], ())
    n = settings.num_questions if n is None else n
    out = select(cands, pool, settings, lecture.duration, rng, n, chosen, lecture)
    if len(out) < n:
        notes.extend(shortfall_notes(lecture, stems, cands))
    return out


def shortfall_notes(lecture: Lecture, stems: list[Stem], cands: list) -> list[str]:
    """Why the material supports fewer questions: sentences left out by reason, keyphrases never usable."""
    why = Counter(s.why for s in stems if s.why)
    parts = [f"{n} {reason}" for reason, n in why.most_common()]
    out = []
    if parts:
        out.append(f"of {len(stems)} sentences, not used as question stems: " + "; ".join(parts))
    used = {c.kp.key for c in cands}
    left = [k.phrase for k in lecture.keyphrases if k.key not in used]
    if left:
        out.append(f"{len(left)} of {len(lecture.keyphrases)} keyphrases are in no usable sentence, were heard "
                   f"unsurely or are not worth asking (e.g. {', '.join(left[:3])})")
    return out


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
    generator = {"name": settings.name}
    if settings.name == "llm" and lecture.keyphrases and usable:
        from lecturelab.quiz.llm import llm_questions

        questions, generator = llm_questions(lecture, settings, notes)
    else:
        questions = rule_questions(lecture, settings, notes) if lecture.keyphrases and usable else []
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
    from lecturelab.quiz.export import write_exports

    if quiz_cfg is not None and quiz_cfg.get("name") == "none":
        return []
    settings = Settings.from_cfg(quiz_cfg)
    lecture = load_lecture(lecture_dir)
    return write_exports(make_quiz(lecture, settings), Path(lecture_dir), lecture_media(lecture_dir))


def lecture_media(lecture_dir: str | Path) -> Path | None:
    """The lecture's audio or video: the copy beside the page (transcript.json ``source.media_file``), else
    the original file when it is still there; None for a text lecture or a media file that is gone."""
    try:
        source = json.loads((Path(lecture_dir) / "transcript.json").read_text(encoding="utf-8")).get("source") or {}
    except (OSError, ValueError):
        return None
    candidates = [Path(lecture_dir) / source["media_file"]] if source.get("media_file") else []
    candidates += [Path(source[k]) for k in ("realpath", "path") if source.get(k) and source.get("sha256")]
    return next((p for p in candidates if p.is_file()), None)
