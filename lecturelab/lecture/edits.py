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

A corrected word gets ``prob`` 1.0 (a person checked it) and keeps what Whisper wrote in ``heard``.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import re

from lecturelab.keyphrases import stem_key
from lecturelab.lecture.highlight import build_text, group_keyphrases
from lecturelab.quiz.source import build_sentences, find_key

EDITS_VERSION = 1
EDIT_KEYS = {"schema_version", "lecture", "words", "keyphrases", "questions", "order"}
QUESTION_FIELDS = {"stem": str, "options": list, "answer": str, "accepted": list, "explanation": str}


class EditError(ValueError):
    """An edit that does not fit the lecture; ``str`` is one line naming the file and the edit."""


def lecture_id(doc: dict) -> str:
    """What edits.json ``lecture.id`` must be: the media's sha256, else the sha256 of the transcript text."""
    return str((doc.get("source") or {}).get("sha256") or "") or hashlib.sha256(doc["text"].encode()).hexdigest()


def _fail(where: str, what: str, msg: str):
    raise EditError(f"{where}: {what}: {msg}")


def _strings(value, where: str, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        _fail(where, what, "expected a list of strings")
    return value


def check_shape(edits, doc: dict, quiz: dict | None, where: str) -> None:
    """Check ``edits`` (parsed edits.json) against the machine output ``doc`` (transcript.json) and ``quiz``
    (quiz.json or None). Raises EditError ``<where>: <edit>: <what is wrong>`` at the first problem."""
    if not isinstance(edits, dict):
        _fail(where, "top level", f"expected a JSON object, got {type(edits).__name__}")
    unknown = sorted(set(edits) - EDIT_KEYS)
    if unknown:
        _fail(where, unknown[0], f"unknown key; allowed: {', '.join(sorted(EDIT_KEYS))}")
    if edits.get("schema_version") != EDITS_VERSION:
        _fail(where, "schema_version", f"expected {EDITS_VERSION}, got {edits.get('schema_version')!r}")
    lid = (edits.get("lecture") or {}).get("id")
    if lid is not None and lid != lecture_id(doc):
        _fail(where, "lecture.id", f"{str(lid)[:12]}... is another lecture (this one is {lecture_id(doc)[:12]}...)")
    seen = set()
    for n, e in enumerate(edits.get("words") or []):
        what = f"words[{n}]"
        if not isinstance(e, dict) or not all(isinstance(e.get(k), int) and not isinstance(e.get(k), bool)
                                              for k in ("segment", "word")):
            _fail(where, what, "expected {segment: int, word: int, from: str, to: str}")
        s, w = e["segment"], e["word"]
        what += f" (segment {s}, word {w})"
        if not isinstance(e.get("from"), str) or not isinstance(e.get("to"), str):
            _fail(where, what, "'from' and 'to' must be strings")
        if not 0 <= s < len(doc["segments"]):
            _fail(where, what, f"no such segment (the transcript has {len(doc['segments'])})")
        words = doc["segments"][s]["words"]
        if not 0 <= w < len(words):
            _fail(where, what, f"no such word (segment {s} has {len(words)})")
        if words[w]["word"].strip() != e["from"].strip():
            _fail(where, what, f"expected '{e['from']}', the transcript has '{words[w]['word'].strip()}'")
        if "\n" in e["to"] or "\r" in e["to"]:
            _fail(where, what, "a word cannot hold a line break")
        if (s, w) in seen:
            _fail(where, what, "this word is edited twice")
        seen.add((s, w))
    kp = edits.get("keyphrases") or {}
    if not isinstance(kp, dict) or set(kp) - {"add", "remove"}:
        _fail(where, "keyphrases", "expected {add: [phrases], remove: [phrases]}")
    keys = {k["key"] for k in doc["keyphrases"]}
    for n, p in enumerate(_strings(kp.get("remove") or [], where, "keyphrases.remove")):
        if stem_key(p) not in keys:
            _fail(where, f"keyphrases.remove[{n}] '{p}'", "not a keyphrase of this lecture")
    for n, p in enumerate(_strings(kp.get("add") or [], where, "keyphrases.add")):
        if not stem_key(p):
            _fail(where, f"keyphrases.add[{n}] '{p}'", "has no words")
    ids = [q["id"] for q in (quiz or {}).get("questions", [])]
    touched = set()
    for n, e in enumerate(edits.get("questions") or []):
        what = f"questions[{n}]"
        if not isinstance(e, dict) or not isinstance(e.get("id"), str):
            _fail(where, what, "expected an object with the question's 'id'")
        what += f" ({e['id']})"
        if quiz is None:
            _fail(where, what, "this lecture has no quiz.json")
        if e["id"] not in ids:
            _fail(where, what, "no question with this id in the quiz")
        if e["id"] in touched:
            _fail(where, what, "this question is edited twice")
        touched.add(e["id"])
        for k, v in e.items():
            if k == "delete":
                if not isinstance(v, bool):
                    _fail(where, what, "'delete' must be true or false")
            elif k in QUESTION_FIELDS:
                if QUESTION_FIELDS[k] is list:
                    _strings(v, where, f"{what} {k}")
                elif not isinstance(v, str):
                    _fail(where, what, f"'{k}' must be a string")
            elif k != "id":
                _fail(where, what, f"unknown field '{k}'; allowed: delete, {', '.join(QUESTION_FIELDS)}")
    if "order" in edits:
        order = _strings(edits["order"], where, "order")
        kept = [i for i in ids if not any(e["id"] == i and e.get("delete") for e in edits.get("questions") or [])]
        if sorted(order) != sorted(kept):
            extra, missing = sorted(set(order) - set(kept)), sorted(set(kept) - set(order))
            _fail(where, "order", f"must list each kept question once (unknown or deleted: {extra or 'none'}; "
                                  f"missing: {missing or 'none'}; repeated: {len(order) - len(set(order))})")


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
            _fail(where, f"keyphrases.add[{n}] '{p}'", "does not occur in the (corrected) transcript")
        found += [(m, 1.0) for m in hits]
    for m, score in found:   # new mentions never overlap what is already marked
        if not any(s["char_start"] < m["char_end"] and m["char_start"] < s["char_end"] for s in spans):
            spans.append({**m, "score": score})
    spans.sort(key=lambda s: s["char_start"])
    new = copy.deepcopy(doc) | {"text": text, "segments": segs, "keyphrases": spans}
    new["review"] = {"words_corrected": len(edits.get("words") or []), "keyphrases_added": list(kp.get("add") or []),
                     "keyphrases_removed": list(kp.get("remove") or [])}
    return new, group_keyphrases(spans, text)


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


def _check_question(q: dict) -> str | None:
    """What is wrong with an edited question, or None (the rules of `quiz.schema.check_question` that an
    edit can break; a teacher may keep fewer than 4 options)."""
    if not q["stem"].strip() or not str(q["answer"]).strip():
        return "the stem and the answer must not be empty"
    opts = q.get("options") or []
    if q["type"] == "mcq":
        if len(opts) < 2 or not all(o.strip() for o in opts) or len({o.strip().lower() for o in opts}) != len(opts):
            return "a multiple-choice question needs at least 2 distinct non-empty options"
        if sum(o == q["answer"] for o in opts) != 1:
            return f"the answer '{q['answer']}' is not one of the options {opts}"
    elif q["type"] == "tf" and q["answer"] not in ("True", "False"):
        return "a true/false answer is True or False"
    elif q["type"] in ("blank", "short") and opts:
        return f"a '{q['type']}' question has no options"
    return None


def edit_quiz(doc: dict, quiz: dict, edits: dict, where: str) -> dict:
    """The reviewed quiz: questions from a sentence with a corrected word carry the correction (stem,
    explanation, answer, options, accepted answers, keyphrase; whole words, so "decent" never touches
    "indecent"), then the question edits, deletions and ``order`` apply. Ids stay, so Moodle and Anki
    update the same questions on re-import. Raises EditError for a question left invalid (an MCQ whose
    answer is not among its options)."""
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
        problem = _check_question(q)
        if problem:
            n = next(i for i, x in enumerate(edits.get("questions") or []) if x["id"] == q["id"]) if e else None
            _fail(where, f"questions[{n}] ({q['id']})" if e else f"words (question {q['id']})", problem)
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


def apply_edits(doc: dict, quiz: dict | None, edits, where: str) -> tuple[dict, list[dict], dict | None]:
    """Check ``edits`` against the machine output (``doc`` = transcript.orig.json, ``quiz`` = quiz.orig.json
    or None) and apply them: (transcript.json, keyphrases.json entries, quiz.json or None). Pure: the
    inputs are not changed. Raises EditError ``<where>: <edit>: <what is wrong>``."""
    check_shape(edits, doc, quiz, where)
    new_doc, keyphrases = edit_transcript(doc, edits, where)
    return new_doc, keyphrases, None if quiz is None else edit_quiz(doc, quiz, edits, where)
