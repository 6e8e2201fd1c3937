"""A teacher's corrections of a processed lecture (``edits.json``, saved by review.html): checked, then applied.

``edits.json`` (``schema_version`` 1; every key but ``schema_version`` optional)::

    {"schema_version": 1,
     "lecture": {"id": "<transcript.json source.sha256>", "name": "talk.mp4"},
     "words": [{"segment": 3, "word": 5, "from": "decent", "to": "descent"}],
     "keyphrases": {"add": ["stochastic gradient descent"], "remove": ["learning rate"]},
     "questions": [{"id": "q3f9a0c12d4", "delete": true},
                   {"id": "q0c1d2e3f45", "stem": "...", "options": ["..."], "answer": "...",
                    "accepted": ["..."], "explanation": "..."}],
     "order": ["q0c1d2e3f45", "..."]}

Every address refers to the machine output, which ``lecturelab apply`` keeps as ``transcript.orig.json`` /
``quiz.orig.json``: ``segment`` and ``word`` index ``segments[segment].words[word]`` and ``from`` is that
word as Whisper wrote it (stripped), checked so edits never land on the wrong lecture or word; ``to`` is
the correction (``""`` deletes the word). The lecture ``id`` is ``source.sha256`` (the sha256 of the
transcript text when it is empty). Keyphrases are added or removed by phrase (matched by stem key, so
"networks" removes "neural network" variants of the same key only). Questions are addressed by ``id``; a
question edit replaces the fields it names; ``order`` lists every kept question in its new order. Applying
always starts from the machine output, so the same edits give the same files however often they run.
The shape is the pydantic model ``Edits`` (strict: a wrong type or an unknown key is one line naming it);
the question edits are applied by `lecturelab.quiz.edits`.

A corrected word gets ``prob`` 1.0 (a person checked it) and keeps what Whisper wrote in ``heard``.
"""

from __future__ import annotations

import bisect
import copy
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lecturelab.keyphrases import stem_key
from lecturelab.lecture.highlight import build_text, group_keyphrases
from lecturelab.quiz.edits import QuestionEdit, check_question_edits, edit_quiz, fail_edit
from lecturelab.transcript.document import lecture_id
from lecturelab.transcript.sentences import find_key

EDITS_VERSION = 1


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class LectureRef(_Strict):
    """edits.json ``lecture``: the lecture the edits were saved for."""

    id: str | None = Field(None, description="a string (transcript.json source.sha256)")
    name: str | None = Field(None, description="a string")


class WordEdit(_Strict):
    """One entry of edits.json ``words``: ``segments[segment].words[word]`` of the machine transcript, which
    reads ``from``, becomes ``to``."""

    segment: int = Field(description="an integer")
    word: int = Field(description="an integer")
    from_: str = Field(alias="from", description="a string")
    to: str = Field(description="a string")


class KeyphraseEdits(_Strict):
    """edits.json ``keyphrases``: phrases to add and to remove."""

    add: list[str] | None = Field(None, description="a list of strings")
    remove: list[str] | None = Field(None, description="a list of strings")


class Edits(_Strict):
    """The shape of edits.json (the format is in this module's docstring); every key but ``schema_version``
    may be absent."""

    schema_version: Literal[EDITS_VERSION] = Field(description=str(EDITS_VERSION))
    lecture: LectureRef | None = None
    words: list[WordEdit] | None = None
    keyphrases: KeyphraseEdits | None = None
    questions: list[QuestionEdit] | None = None
    order: list[str] = Field([], description="a list of strings")


# what an entry must be when it is not even an object of the right kind
_EXPECTED = {"words": "{segment: int, word: int, from: str, to: str}",
             "questions": "an object with the question's 'id'",
             "keyphrases": "{add: [phrases], remove: [phrases]}", "lecture": "{id: str, name: str}"}
_ITEM_MODEL = {"words": WordEdit, "questions": QuestionEdit, "keyphrases": KeyphraseEdits, "lecture": LectureRef}


def _shape_problem(edits: dict, err: dict) -> tuple[str, str]:
    """(the edit, what is wrong) for one pydantic error ``err`` of ``edits``: ``words[0] (segment 3, word 1)``,
    ``'to' must be a string``."""
    loc = list(err["loc"])
    top = str(loc.pop(0))
    if top == "schema_version":
        return top, f"expected {EDITS_VERSION}, got {edits.get('schema_version')!r}"
    if err["type"] == "extra_forbidden" and not loc:
        return top, f"unknown key; allowed: {', '.join(sorted(Edits.model_fields))}"
    what, model = top, _ITEM_MODEL.get(top)
    if top in ("words", "questions"):
        if not loc:
            return top, "expected a list of objects"
        n = loc.pop(0)
        entry = edits[top][n]
        what = f"{top}[{n}]"
        if top == "words" and isinstance(entry, dict) and all(type(entry.get(k)) is int for k in ("segment", "word")):
            what += f" (segment {entry['segment']}, word {entry['word']})"
        if top == "questions" and isinstance(entry, dict) and isinstance(entry.get("id"), str):
            what += f" ({entry['id']})"
    field = next((str(x) for x in loc if not isinstance(x, int)), None)
    if model is None or field is None:   # the entry itself, or a list of strings (order)
        expected = _EXPECTED.get(top) if model else Edits.model_fields[top].description
        return what, f"expected {expected}"
    if err["type"] == "extra_forbidden":
        return what, f"unknown key '{field}'; allowed: {', '.join(f.alias or k for k, f in model.model_fields.items())}"
    info = next(f for k, f in model.model_fields.items() if (f.alias or k) == field)
    return what, f"'{field}' " + ("is missing" if err["type"] == "missing" else f"must be {info.description}")


def check_shape(edits, doc: dict, quiz: dict | None, where: str) -> None:
    """Check ``edits`` (parsed edits.json) against the machine output ``doc`` (transcript.json) and ``quiz``
    (quiz.json or None): the shape (`Edits`), then that every edit fits this lecture. Raises EditError
    ``<where>: <edit>: <what is wrong>`` at the first problem."""
    if not isinstance(edits, dict):
        fail_edit(where, "top level", f"expected a JSON object, got {type(edits).__name__}")
    try:
        Edits.model_validate(edits)
    except ValidationError as e:
        fail_edit(where, *_shape_problem(edits, e.errors(include_url=False)[0]))
    lid = (edits.get("lecture") or {}).get("id")
    if lid is not None and lid != lecture_id(doc):
        fail_edit(where, "lecture.id", f"{str(lid)[:12]}... is another lecture (this one is {lecture_id(doc)[:12]}...)")
    seen = set()
    for n, e in enumerate(edits.get("words") or []):
        s, w = e["segment"], e["word"]
        what = f"words[{n}] (segment {s}, word {w})"
        if not 0 <= s < len(doc["segments"]):
            fail_edit(where, what, f"no such segment (the transcript has {len(doc['segments'])})")
        words = doc["segments"][s]["words"]
        if not 0 <= w < len(words):
            fail_edit(where, what, f"no such word (segment {s} has {len(words)})")
        if words[w]["word"].strip() != e["from"].strip():
            fail_edit(where, what, f"expected '{e['from']}', the transcript has '{words[w]['word'].strip()}'")
        if "\n" in e["to"] or "\r" in e["to"]:
            fail_edit(where, what, "a word cannot hold a line break")
        if (s, w) in seen:
            fail_edit(where, what, "this word is edited twice")
        seen.add((s, w))
    kp = edits.get("keyphrases") or {}
    keys = {k["key"] for k in doc["keyphrases"]}
    for n, p in enumerate(kp.get("remove") or []):
        if stem_key(p) not in keys:
            fail_edit(where, f"keyphrases.remove[{n}] '{p}'", "not a keyphrase of this lecture")
    for n, p in enumerate(kp.get("add") or []):
        if not stem_key(p):
            fail_edit(where, f"keyphrases.add[{n}] '{p}'", "has no words")
    check_question_edits(edits, quiz, where)


def _position_map(doc: dict, new_segs: list[dict], changed: dict[tuple[int, int], str]):
    """A function old char offset -> new char offset (``end``: the offset ends a span), and the
    [start, end) ranges of the corrected words in the new text."""
    anchors, edited = [], []   # (old start, old end, new start, new end, changed)
    for seg, new in zip(doc["segments"], new_segs, strict=True):
        kept = iter(new["words"])
        for w_i, w in enumerate(seg["words"]):
            if changed.get((seg["id"], w_i)) == "":   # deleted: collapses to where the next word starts
                anchors.append([w["char_start"], w["char_end"], None, None, True])
                continue
            nw = next(kept)
            anchors.append([w["char_start"], w["char_end"], nw["char_start"], nw["char_end"], (seg["id"], w_i) in changed])
            if (seg["id"], w_i) in changed:
                edited.append((nw["char_start"], nw["char_end"]))
        nxt = new["char_end"]
        for a in reversed(anchors[len(anchors) - len(seg["words"]):]):
            if a[2] is None:
                a[2] = a[3] = nxt
            nxt = a[2]
    starts = [a[0] for a in anchors]
    seg_starts = [s["char_start"] for s in doc["segments"]]

    def move(p: int, end: bool = False) -> int:
        i = bisect.bisect_right(starts, p - 1 if end else p) - 1
        if i >= 0 and anchors[i][0] <= p <= anchors[i][1]:
            os_, _, ns, ne, ch = anchors[i]
            return (ne if end else ns) if ch else ns + (p - os_)
        j = max(bisect.bisect_right(seg_starts, p) - 1, 0)   # between words or in a segment without words
        return new_segs[j]["char_start"] + (p - doc["segments"][j]["char_start"])

    return move, edited


def _speaker(seg: dict) -> dict:
    """A caption segment's speaker turn, carried over to the corrected segment."""
    return {"speaker": seg["speaker"]} if "speaker" in seg else {}


def correct_words(doc: dict, word_edits: list[dict]) -> tuple[str, list[dict], list[dict], list[tuple[int, int]]]:
    """Apply word corrections to a transcript.json ``doc``: (new text, new segments with char offsets,
    keyphrase spans moved onto the new text, corrected word ranges in the new text). Spans whose words were
    deleted are dropped; a span over a corrected word gets the corrected text and its stem key."""
    changed = {(e["segment"], e["word"]): " ".join(e["to"].split()) for e in word_edits}
    segs = []
    for seg in doc["segments"]:
        if not seg["words"]:
            segs.append({"start": seg["start"], "end": seg["end"], "text": seg["text"], "words": []} | _speaker(seg))
            continue
        words, prev = [], seg["char_start"]
        for w_i, w in enumerate(seg["words"]):
            gap = doc["text"][prev:w["char_start"]]
            prev = w["char_end"]
            new = changed.get((seg["id"], w_i))
            if new == "":
                continue
            extra = {k: v for k, v in w.items() if k not in ("word", "char_start", "char_end")}
            if new is not None and new != w["word"].strip():
                extra = extra | {"prob": 1.0, "heard": w.get("heard", w["word"].strip())}
            elif new is not None:
                extra = extra | {"prob": 1.0}   # confirmed as heard
            words.append({"word": gap + (w["word"].strip() if new is None else new), **extra})
        segs.append({"start": seg["start"], "end": seg["end"], "text": seg["text"], "words": words} | _speaker(seg))
    text, new_segs = build_text(segs)
    move, edited = _position_map(doc, new_segs, changed)
    spans = []
    for k in doc["keyphrases"]:
        a, b = move(k["char_start"]), move(k["char_end"], end=True)
        key = stem_key(text[a:b]) if b > a else ""
        if key:
            spans.append({**k, "text": text[a:b], "key": key, "char_start": a, "char_end": b})
    return text, new_segs, spans, edited


def _mentions(text: str, segs: list[dict], key: str, within: list[tuple[int, int]] | None) -> list[dict]:
    """Spans of every mention of stem ``key`` inside one segment (and overlapping ``within``, if given)."""
    out = []
    for a, b in find_key(text, key):
        seg = next((s for s in segs if s["char_start"] <= a and b <= s["char_end"]), None)
        if seg is None or (within is not None and not any(x < b and a < y for x, y in within)):
            continue
        hit = [w for w in seg["words"] if w["char_end"] > a and w["char_start"] < b]
        t0, t1 = (hit[0]["start"], hit[-1]["end"]) if hit else (seg["start"], seg["end"])
        out.append({"text": text[a:b], "key": key, "char_start": a, "char_end": b, "start": t0, "end": t1,
                    "segment": seg["id"]})
    return out


def edit_transcript(doc: dict, edits: dict, where: str) -> tuple[dict, list[dict]]:
    """The corrected transcript.json and its keyphrases.json entries (`group_keyphrases`).

    Removed keyphrases lose every span; an added one gets every mention in the corrected text (score 1.0,
    a teacher chose it); a corrected word that now spells a kept keyphrase becomes a mention of it. Raises
    EditError when an added phrase occurs nowhere in the corrected transcript."""
    text, segs, spans, edited = correct_words(doc, edits.get("words") or [])
    kp = edits.get("keyphrases") or {}
    removed = {stem_key(p) for p in kp.get("remove") or []}
    spans = [s for s in spans if s["key"] not in removed]
    scores: dict[str, list[float]] = {}
    for s in spans:
        scores.setdefault(s["key"], []).append(s["score"])
    found = [(m, round(sum(v) / len(v), 4)) for k, v in scores.items() for m in _mentions(text, segs, k, edited)]
    for n, p in enumerate(kp.get("add") or []):
        hits = _mentions(text, segs, stem_key(p), None)
        if not hits:
            fail_edit(where, f"keyphrases.add[{n}] '{p}'", "does not occur in the (corrected) transcript")
        found += [(m, 1.0) for m in hits]
    for m, score in found:   # new mentions never overlap what is already marked
        if not any(s["char_start"] < m["char_end"] and m["char_start"] < s["char_end"] for s in spans):
            spans.append({**m, "score": score})
    spans.sort(key=lambda s: s["char_start"])
    new = copy.deepcopy(doc) | {"text": text, "segments": segs, "keyphrases": spans}
    new["review"] = {"words_corrected": len(edits.get("words") or []), "keyphrases_added": list(kp.get("add") or []),
                     "keyphrases_removed": list(kp.get("remove") or [])}
    return new, group_keyphrases(spans, text)


def apply_edits(doc: dict, quiz: dict | None, edits, where: str) -> tuple[dict, list[dict], dict | None]:
    """Check ``edits`` against the machine output (``doc`` = transcript.orig.json, ``quiz`` = quiz.orig.json
    or None) and apply them: (transcript.json, keyphrases.json entries, quiz.json or None). Pure: the
    inputs are not changed. Raises EditError ``<where>: <edit>: <what is wrong>``."""
    check_shape(edits, doc, quiz, where)
    new_doc, keyphrases = edit_transcript(doc, edits, where)
    return new_doc, keyphrases, None if quiz is None else edit_quiz(doc, quiz, edits, where)
