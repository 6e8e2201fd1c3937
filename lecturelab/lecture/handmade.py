"""Re-addressing a teacher's saved edits onto fresh machine output, so a review outlives processing the
lecture again.

What a person made in a lecture folder (the applied review, kept reviews, their own and hand-edited
files) is listed by `lecturelab.transcript.manifest.person_made`; `lecturelab process` refuses to replace
a folder that holds any unless ``reviewed=reapply``. Then `lecturelab.lecture.apply.keep_review` copies the
old folder (less the media) into ``review/<n>/`` of the fresh one, carries the person's own files over,
re-addresses the saved edits onto the fresh transcript and quiz (`refit_edits`: a word by its text and
time, a question by its id) and applies those that fit; each edit that does not fit is one line.
"""

from __future__ import annotations

from lecturelab.keyphrases import stem_key
from lecturelab.lecture.edits import apply_edits, edit_transcript
from lecturelab.lecture.render import short_clock
from lecturelab.quiz.edits import EditError
from lecturelab.transcript.document import lecture_id
from lecturelab.transcript.sentences import find_key

WORD_SECONDS = 1.0   # a re-addressed word must be heard within this many seconds of where the review found it


def _word_at(doc: dict, s: int, w: int) -> dict | None:
    segs = doc.get("segments") or []
    return segs[s]["words"][w] if 0 <= s < len(segs) and 0 <= w < len(segs[s]["words"]) else None


def _refit_word(e: dict, old: dict, doc: dict, taken: set) -> tuple[dict | None, str]:
    """The word edit ``e`` addressed onto ``doc``: the word with the same text heard nearest in time to where
    the review found it (within WORD_SECONDS), or (None, why not)."""
    was = _word_at(old, e["segment"], e["word"])
    if was is None:
        return None, "its word is not in the reviewed transcript.orig.json"
    mid = (was["start"] + was["end"]) / 2
    best = None
    for s, seg in enumerate(doc["segments"]):
        for w, word in enumerate(seg["words"]):
            d = abs((word["start"] + word["end"]) / 2 - mid)
            if d <= WORD_SECONDS and (best is None or d < best[0]):
                best = (d, s, w, word["word"].strip())
    same = [(d, s, w) for s, seg in enumerate(doc["segments"]) for w, word in enumerate(seg["words"])
            if word["word"].strip() == e["from"].strip()
            and (d := abs((word["start"] + word["end"]) / 2 - mid)) <= WORD_SECONDS and (s, w) not in taken]
    if not same:
        heard = f"'{best[3]}'" if best else "nothing"
        return None, f"the fresh transcript has {heard} there, not '{e['from'].strip()}'"
    _, s, w = min(same)
    return {**e, "segment": s, "word": w}, ""


def refit_edits(edits: dict, old: dict, doc: dict, quiz: dict | None) -> tuple[dict, list[str]]:
    """The saved ``edits`` (edits.applied.json, addressed to the reviewed machine output ``old``) re-addressed
    to fresh machine output (``doc`` transcript.json, ``quiz`` quiz.json or None), and one line per edit
    that no longer fits (``words[2] 'packet' -> 'package' at 0:12: ...``). A word edit fits where the fresh
    transcript heard the same word within WORD_SECONDS of the old one; a keyphrase removal where the phrase
    is still a keyphrase; an addition where it is still spoken; a question edit where the fresh quiz has the
    question's id. ``order`` keeps the saved order of the questions still there, the new ones last."""
    out = {"schema_version": edits.get("schema_version"), "lecture": {**(edits.get("lecture") or {}),
                                                                      "id": lecture_id(doc)}}
    lines: list[str] = []
    if lecture_id(old) != lecture_id(doc):
        return out, ["lecture.id: the media changed since the review"]
    words, taken = [], set()
    for n, e in enumerate(edits.get("words") or []):
        fitted, why = _refit_word(e, old, doc, taken)
        was = _word_at(old, e["segment"], e["word"])
        at = f" at {short_clock(was['start'])}" if was else ""
        if fitted is None:
            lines.append(f"words[{n}] '{e['from'].strip()}' -> '{e['to']}'{at}: {why}")
        else:
            taken.add((fitted["segment"], fitted["word"]))
            words.append(fitted)
    if words:
        out["words"] = words
    kp = edits.get("keyphrases") or {}
    keys = {k["key"] for k in doc.get("keyphrases") or []}
    remove = [p for p in kp.get("remove") or [] if stem_key(p) in keys]
    lines += [f"keyphrases.remove[{n}] '{p}': not a keyphrase of the fresh transcript"
              for n, p in enumerate(kp.get("remove") or []) if p not in remove]
    text = edit_transcript(doc, {"words": words}, "")[0]["text"]
    add = [p for p in kp.get("add") or [] if find_key(text, stem_key(p))]
    lines += [f"keyphrases.add[{n}] '{p}': not spoken in the fresh transcript"
              for n, p in enumerate(kp.get("add") or []) if p not in add]
    if add or remove:
        out["keyphrases"] = {"add": add, "remove": remove}
    ids = [q["id"] for q in (quiz or {}).get("questions", [])]
    questions = []
    for n, e in enumerate(edits.get("questions") or []):
        if e.get("id") not in ids:
            lines.append(f"questions[{n}] ({e.get('id')}): " + ("the fresh output has no quiz" if quiz is None
                                                                 else "no question with this id in the fresh quiz"))
            continue
        try:   # an edit that fits the id but leaves the fresh question invalid (an answer not among its options)
            apply_edits(doc, quiz, {"schema_version": out["schema_version"], "words": words, "questions": [e]}, "")
        except EditError as err:
            lines.append(f"questions[{n}] ({e['id']}): {str(err).split(': ', 2)[-1]}")
            continue
        questions.append(e)
    if questions:
        out["questions"] = questions
    if "order" in edits and quiz is not None:
        kept = [i for i in ids if not any(e["id"] == i and e.get("delete") for e in questions)]
        order = [i for i in edits["order"] if i in kept] + [i for i in kept if i not in edits["order"]]
        gone = [i for i in edits["order"] if i not in kept and not any(e.get("id") == i for e in questions)]
        new = [i for i in kept if i not in edits["order"]]
        if gone or new:
            lines.append(f"order: kept for the questions still there ({len(gone)} gone, {len(new)} new placed last)")
        out["order"] = order
    return out, lines
