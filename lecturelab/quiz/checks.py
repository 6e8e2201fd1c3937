"""Automatic quality checks of a quiz made from a real recording (issue 14; `scripts/quiz_quality.py`).

Each check counts the questions that break a rule a teacher's rubric (docs/quiz.md) would fail them on;
all counts should be 0 and ``true_share`` at most 0.5. With the recording's reference transcript, an
answer key none of whose forms was actually said counts as a wrong key (a misheard word as the key).
"""

from __future__ import annotations

import re

from lecturelab.keyphrases import stem_key
from lecturelab.quiz.confidence import carries_content, heard_unsure, unsure_per_sentence
from lecturelab.quiz.distractors import distinct_options, overlaps
from lecturelab.quiz.schema import BLANK, Settings
from lecturelab.quiz.stems import blank_is_half_compound
from lecturelab.quiz.terms import kind, words_of
from lecturelab.transcript.document import Lecture
from lecturelab.transcript.sentences import find_key

_FILLERS = re.compile(r"\b(?:um+|uh+|erm)\b", re.I)


def normalise_reference(text: str) -> str:
    """A reference transcript as words: lower case, tags in <> or [] and punctuation dropped (the
    speech-dev README's normalisation)."""
    text = re.sub(r"<[^>]*>|\[[^\]]*\]", " ", text.lower())
    return " ".join(re.sub(r"[^\w']+", " ", text).split())


_PREFIX = re.compile(r"^(?:\(After: “[^”]*”\)\s*)?(?:Fill in the blank:|True or false:|[^?]*\?)\s*")


def _stem_words(q: dict) -> list[str]:
    """Words of the sentence in a stem, without the context and the question's lead-in."""
    return words_of(_PREFIX.sub("", q["stem"], count=1).replace(BLANK, " "))


def quiz_checks(quiz: dict, lecture: Lecture, settings: Settings, reference: str | None = None) -> dict:
    """Counts of rule breaks in ``quiz`` (a quiz dict) made from ``lecture``; see the module docstring.

    Keys: questions, unsure_keys (an answer or distractor word heard below the confidence rules),
    unsure_stems (a content word heard unsurely in the stem), long_stems (over ``max_words``), filler_stems,
    half_compound_blanks (the blank modifies the noun after it: "the ___ levels"), mcq,
    mcq_bad_distractors (of another kind or all capitals, overlapping the answer, or options that share a
    word or differ in part of speech), tf, true_share, false_not_false (the swapped-in term occurs in the
    source sentence), multiword_keys_without_head, wrong_keys (with ``reference``: no accepted form occurs
    in what was said; None without one).
    """
    qs = quiz["questions"]
    unsure = set().union(*unsure_per_sentence(lecture.sentences, settings))
    out = dict(questions=len(qs), unsure_keys=0, unsure_stems=0, long_stems=0, filler_stems=0,
               half_compound_blanks=0, mcq=0,
               mcq_bad_distractors=0, tf=0, true_share=0.0, false_not_false=0, multiword_keys_without_head=0,
               wrong_keys=None if reference is None else 0)
    ref = f" {normalise_reference(reference)} " if reference is not None else ""
    trues = 0
    for q in qs:
        terms = [q["answer"]] if q["type"] != "tf" else [q["keyphrase"]]
        terms += q.get("distractors") or []
        if any(heard_unsure(w, unsure) for t in terms for w in words_of(t)):
            out["unsure_keys"] += 1
        words = _stem_words(q)
        if any(heard_unsure(w, unsure) and carries_content(w) for w in words):
            out["unsure_stems"] += 1
        if len(words) + (len(q["answer"].split()) if q["type"] != "tf" else 0) > settings.max_words:
            out["long_stems"] += 1
        if _FILLERS.search(q["stem"]):
            out["filler_stems"] += 1
        if blank_is_half_compound(q["stem"], q["answer"], BLANK):
            out["half_compound_blanks"] += 1
        if q["type"] == "mcq":
            out["mcq"] += 1
            d = q.get("distractors") or []
            # a contrast item's partner may share the answer's head ("left" / "right hemisphere")
            rest = [x for x in d if x != q.get("partner")]
            if any(kind(x) != kind(q["answer"]) or x.isupper() or overlaps(stem_key(x), q["key"]) for x in d) \
                    or not distinct_options([q["answer"], *rest]) \
                    or (len(rest) < len(d) and not distinct_options([q["partner"], *rest])):
                out["mcq_bad_distractors"] += 1
        if q["type"] == "tf":
            out["tf"] += 1
            trues += q["answer"] == "True"
            if q["answer"] == "False" and find_key(q["explanation"], stem_key(q.get("swapped_in") or "")):
                out["false_not_false"] += 1
        if q["type"] in ("blank", "short") and len(q["answer"].split()) > 1:
            if q["answer"].split()[-1] not in q.get("accepted", []):
                out["multiword_keys_without_head"] += 1
        if reference is not None and q["type"] != "tf":
            forms = q.get("accepted") or [q["answer"]]
            if not any(f" {normalise_reference(f)} " in ref for f in forms if normalise_reference(f)):
                out["wrong_keys"] += 1
    out["true_share"] = round(trues / out["tf"], 2) if out["tf"] else 0.0
    return out
