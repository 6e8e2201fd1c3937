"""A teacher's edits of a lecture's quiz (the ``questions`` and ``order`` of ``edits.json``, whose whole format is
in `lecturelab.lecture.edits`): what a question edit may hold, its check against the quiz, and the reviewed quiz.

Questions are addressed by ``id``; a question edit replaces the fields it names (``QUESTION_FIELDS``) or
deletes the question; ``order`` lists every kept question in its new order. A question a word correction
touched carries the correction. An edited question must still pass `lecturelab.quiz.schema.check_question`
(as a teacher's edit: a multiple-choice item may keep 2 or more options).
"""

from __future__ import annotations

import copy
import re
from typing import NoReturn

from pydantic import BaseModel, ConfigDict, Field

from lecturelab.keyphrases import stem_key
from lecturelab.quiz.schema import check_question
from lecturelab.transcript.sentences import build_sentences

QUESTION_FIELDS = {"stem": str, "options": list, "answer": str, "accepted": list, "explanation": str}


class EditError(ValueError):
    """A teacher's edit (edits.json) that does not fit the lecture; ``str`` is one line naming the file and the
    edit (``<file>: <edit>: <what is wrong>``). An input failure: exit code 1 (`lecturelab.errors.FAILED`)."""


def fail_edit(where: str, what: str, msg: str) -> NoReturn:
    """Raise EditError ``<where>: <what>: <msg>`` (``where``: the edits file, ``what``: the edit)."""
    raise EditError(f"{where}: {what}: {msg}")


class QuestionEdit(BaseModel):
    """One entry of edits.json ``questions``: the question's ``id`` and the fields it replaces (or ``delete``).
    Strict: a field of the wrong type or an unknown field is an error; absent fields are left as they are."""

    model_config = ConfigDict(strict=True, extra="forbid")

    id: str = Field(description="the question's id in quiz.json (a string)")
    delete: bool = Field(False, description="true or false")
    stem: str = Field("", description="a string")
    options: list[str] = Field([], description="a list of strings")
    answer: str = Field("", description="a string")
    accepted: list[str] = Field([], description="a list of strings")
    explanation: str = Field("", description="a string")


def check_question_edits(edits: dict, quiz: dict | None, where: str) -> None:
    """Check the ``questions`` and ``order`` of ``edits`` (parsed edits.json whose shape `QuestionEdit` has
    passed) against the machine's ``quiz`` (quiz.json or None). Raises EditError ``<where>: <edit>: <what is
    wrong>`` at the first problem: an unknown id, a question edited twice, an edit of a lecture without a
    quiz, or an ``order`` that does not list each kept question once."""
    ids = [q["id"] for q in (quiz or {}).get("questions", [])]
    touched = set()
    for n, e in enumerate(edits.get("questions") or []):
        what = f"questions[{n}] ({e['id']})"
        if quiz is None:
            fail_edit(where, what, "this lecture has no quiz.json")
        if e["id"] not in ids:
            fail_edit(where, what, "no question with this id in the quiz")
        if e["id"] in touched:
            fail_edit(where, what, "this question is edited twice")
        touched.add(e["id"])
    if "order" in edits:
        order = edits["order"]
        kept = [i for i in ids if not any(e["id"] == i and e.get("delete") for e in edits.get("questions") or [])]
        if sorted(order) != sorted(kept):
            extra, missing = sorted(set(order) - set(kept)), sorted(set(kept) - set(order))
            fail_edit(where, "order", f"must list each kept question once (unknown or deleted: {extra or 'none'}; "
                                      f"missing: {missing or 'none'}; repeated: {len(order) - len(set(order))})")


def _core(old: str, new: str) -> tuple[str, str]:
    """'decent.' -> 'descent.' as ('decent', 'descent'): the punctuation both share stays out of the match."""
    a = 0
    while a < min(len(old), len(new)) and old[a] == new[a] and not old[a].isalnum():
        a += 1
    b = 0
    while b < min(len(old), len(new)) - a and old[-1 - b] == new[-1 - b] and not old[-1 - b].isalnum():
        b += 1
    return old[a:len(old) - b], new[a:len(new) - b]


def _word_re(word: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")


def _replace(s: str, fixes: list[tuple[str, str, int, int]]) -> str:
    """``s`` with each (old, new, k, n) fix made: the sentence held ``old`` ``n`` times (whole words) and the
    corrected one was the ``k``-th. A field that holds the word as often as the sentence gets the k-th
    occurrence corrected; a word the sentence held once is corrected wherever it appears (an answer, an
    option)."""
    for old, new, k, n in fixes:
        hits = list(_word_re(old).finditer(s)) if old else []
        if not hits:
            continue
        targets = hits if n == 1 else [hits[k]] if len(hits) == n else [hits[min(k, len(hits) - 1)]]
        for m in reversed(targets):
            s = s[:m.start()] + new + s[m.end():]
    return re.sub(r" {2,}", " ", s)


def edit_quiz(doc: dict, quiz: dict, edits: dict, where: str) -> dict:
    """The reviewed quiz: questions from a sentence with a corrected word carry the correction (stem,
    explanation, answer, options, accepted answers, keyphrase; whole words, so "decent" never touches
    "indecent"), then the question edits, deletions and ``order`` apply. Ids stay, so Moodle and Anki
    update the same questions on re-import. ``doc`` is the machine's transcript.json the word edits address.
    Raises EditError for a question left invalid (an MCQ whose answer is not among its options)."""
    sents = build_sentences(doc["text"], doc["segments"])
    pairs: dict[int, list[tuple[str, str, int, int]]] = {}
    for e in edits.get("words") or []:
        w = doc["segments"][e["segment"]]["words"][e["word"]]
        old, new = _core(w["word"].strip(), " ".join(e["to"].split()))
        sent = next((s for s in sents if s.char_start <= w["char_start"] < s.char_end), None)
        if sent is not None and old != new and old:
            at = w["char_start"] + w["word"].strip().find(old)
            hits = [m.start() + sent.char_start for m in _word_re(old).finditer(sent.text)]
            k = hits.index(at) if at in hits else 0
            pairs.setdefault(sent.index, []).append((old, new, k, max(len(hits), 1)))
    by_id = {e["id"]: e for e in edits.get("questions") or []}
    out, edited, deleted, corrected = [], 0, 0, 0
    for q in quiz["questions"]:
        e = by_id.get(q["id"], {})
        if e.get("delete"):
            deleted += 1
            continue
        q = copy.deepcopy(q)
        fix = pairs.get(q["sentence"]) if isinstance(q.get("sentence"), int) else None
        if fix:
            before = copy.deepcopy(q)
            for k in ("stem", "explanation", "answer", "keyphrase"):
                if isinstance(q.get(k), str):
                    q[k] = _replace(q[k], fix)
            for k in ("options", "accepted"):
                if q.get(k):
                    q[k] = [_replace(o, fix) for o in q[k]]
            corrected += q != before
        before = copy.deepcopy(q)
        if "answer" in e and "accepted" not in e and q.get("accepted"):
            q["accepted"] = list(dict.fromkeys([e["answer"]] + [a for a in q["accepted"] if a != q["answer"]]))
        q.update({k: v for k, v in e.items() if k in QUESTION_FIELDS})
        edited += q != before
        if q.get("keyphrase") and (fix or e):
            q["key"] = stem_key(q["keyphrase"])
        problems = check_question(q, edited=True)
        if problems:
            n = next(i for i, x in enumerate(edits.get("questions") or []) if x["id"] == q["id"]) if e else None
            fail_edit(where, f"questions[{n}] ({q['id']})" if e else f"words (question {q['id']})", problems[0])
        out.append(q)
    if "order" in edits:
        rank = {qid: i for i, qid in enumerate(edits["order"])}
        out.sort(key=lambda q: rank[q["id"]])
    new = copy.deepcopy(quiz) | {"questions": out}
    # what the review changed, counted once per question: shown in quiz.md (the teacher's copy), so the
    # machine's notes ("the lecture supports 7") read as notes on the draft
    new["review"] = {"questions_drafted": len(quiz["questions"]), "questions_deleted": deleted,
                     "questions_edited": edited, "questions_corrected_by_word_fixes": corrected,
                     "reordered": "order" in edits}
    return new
