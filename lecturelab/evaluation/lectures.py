"""Whole-lecture metrics: chapters against the course's own, key concepts against the course's own words.

Chapters. Both segmentations are put on one grid of fixed time units (``unit`` seconds, 10 by default) from
the first caption cue's start ``t0`` to the last cue's end ``t1``, so a spoken-and-transcribed copy of a
lecture, whose sentences differ from the captions', is scored on the same units as the captions. A chapter
start ``b`` with t0 < b < t1 is a boundary on the gap nearest to it (between units ``round((b - t0) / unit)
- 1`` and the next); a boundary string has one character per gap between units, "1" where a chapter starts.
- Pk (Beeferman, Berger & Lafferty 1999, "Statistical models for text segmentation", Machine Learning 34):
  the share of unit pairs ``k`` apart on which reference and hypothesis disagree about "same chapter";
- WindowDiff (Pevzner & Hearst 2002, "A critique and improvement of an evaluation metric for text
  segmentation", Computational Linguistics 28): the share of windows of ``k`` gaps whose boundary counts
  differ;
both as ``nltk.metrics.segmentation`` implements them, with ``k`` = half the mean reference chapter length in
units (rounded, at least 1). Lower is better; 0 is perfect. Also: the share of the reference boundaries with
a hypothesis boundary within ``tolerance`` seconds (30), and the chapter counts.

Key terms. A course's words for what a lecture is about are noun phrases of its chapter titles ("Chapter N."
dropped) and of its description (the course header paragraph, the copy of the chapter list and the
collection's closing lines dropped): part-of-speech tags of TextBlob's offline ``PatternTagger`` (the Pattern
lexicon bundled with TextBlob), chunked by the regular grammar ``NP: {<JJ.*|NN.*|VBG>*<NN.*>}`` of
``nltk.RegexpParser`` (adjectives, nouns and gerunds ending in a noun, two of them joined by a possessive). A phrase led by a title (Professor,
Dr.) is a person of the course and dropped, as are a leading gerund ('Using X-Ray'), classroom words and
YAKE's English stop words at a phrase's edges ("lecture", "students", "someone", "last") and phrases without a
word of two letters (initials). Phrases are matched as `stem_key` forms (lower case, Porter stems, punctuation dropped) on whole
words: a term "occurs in the transcript" when its stem sequence is a run of the transcript's stem sequence.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from lecturelab.keyphrases import stem_key
from lecturelab.models.pos import pattern_tagger

# ---------------------------------------------------------------- chapters


def boundary_string(starts: list[float], t0: float, t1: float, unit: float = 10.0) -> str:
    """Chapter starts (seconds) -> a string of ``n_units - 1`` gap characters, "1" at a chapter start.

    ``n_units = ceil((t1 - t0) / unit)``, at least 2. Starts at or before ``t0`` or at or after ``t1`` are not
    boundaries (the first chapter's start, a chapter past the captions). Raises ValueError if t1 <= t0."""
    if not t1 > t0:
        raise ValueError(f"empty time span {t0}-{t1} s")
    n = max(2, int(np.ceil((t1 - t0) / unit)))
    gaps = ["0"] * (n - 1)
    for b in starts:
        if t0 < b < t1:
            g = min(max(int(round((b - t0) / unit)) - 1, 0), n - 2)
            gaps[g] = "1"
    return "".join(gaps)


def equal_starts(t0: float, t1: float, n_chapters: int) -> list[float]:
    """Starts of ``n_chapters`` equal-length chapters over t0..t1 (the first at t0)."""
    return [t0 + i * (t1 - t0) / n_chapters for i in range(max(n_chapters, 1))]


def boundary_hits(reference: list[float], hypothesis: list[float], tolerance: float = 30.0) -> float | None:
    """Share of ``reference`` boundary times with a ``hypothesis`` boundary within ``tolerance`` seconds;
    None when there is no reference boundary."""
    if not reference:
        return None
    hyp = np.asarray(hypothesis, dtype=float)
    return float(np.mean([bool(hyp.size) and float(np.min(np.abs(hyp - r))) <= tolerance for r in reference]))


def segmentation_scores(reference: list[float], hypothesis: list[float], t0: float, t1: float,
                        unit: float = 10.0, tolerance: float = 30.0) -> dict:
    """Pk, WindowDiff, boundary hits within ``tolerance`` and chapter counts of two segmentations of t0..t1.

    ``reference`` and ``hypothesis`` are chapter start times in seconds (the first chapter's start may be
    included or not: starts at or before t0 are no boundaries). Returns {pk, windowdiff, k, units,
    hits_within_tolerance, chapters, reference_chapters}; chapter counts are those inside t0..t1."""
    from nltk.metrics.segmentation import pk, windowdiff

    ref = boundary_string(reference, t0, t1, unit)
    hyp = boundary_string(hypothesis, t0, t1, unit)
    n_ref = ref.count("1") + 1
    k = max(1, round((len(ref) + 1) / n_ref / 2))   # half the mean reference chapter length, in units
    inside = [b for b in reference if t0 < b < t1]
    ours = [b for b in hypothesis if t0 < b < t1]
    return {"pk": float(pk(ref, hyp, k=k)), "windowdiff": float(windowdiff(ref, hyp, k)), "k": k,
            "units": len(ref) + 1, "hits_within_tolerance": boundary_hits(inside, ours, tolerance),
            "chapters": hyp.count("1") + 1, "reference_chapters": n_ref}


# ---------------------------------------------------------------- key terms

_CHAPTER_PREFIX = re.compile(r"^\s*chapter\s+\d+\s*[.:]\s*", re.I)
_LIST_LINE = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2})?\s*-\s*")
# the collection's closing lines, the same under every Open Yale lecture
_BOILERPLATE = re.compile(r"^\s*(complete course materials are available|this course was recorded)", re.I)
_TITLES = {"professor", "prof", "dr", "mr", "mrs", "ms"}
# words of the classroom, not of the subject, dropped at a phrase's edges
CLASSROOM_WORDS = {"lecture", "lectures", "class", "course", "courses", "student", "students", "today",
                   "week", "semester", "chapter", "chapters", "session", "introduction", "review", "conclusion",
                   "discussion", "part", "parts", "end", "beginning", "way", "ways", "kind", "sort", "lot",
                   "thing", "things", "questions", "question", "reading", "readings", "time", "number", "recap",
                   "previous", "overview", "summary"}
GRAMMAR = "NP: {<JJ.*|NN.*|VBG>*<NN.*>(<POS><JJ.*|NN.*|VBG>*<NN.*>)?}"   # possessives: "prisoners' dilemma"


def chapter_title_text(title: str) -> str:
    """'Chapter 3. Modern Poets: Eliot' -> 'Modern Poets: Eliot'."""
    return _CHAPTER_PREFIX.sub("", title).strip()


def description_text(description: str) -> str:
    """A course description without its header paragraph (the course's name and number), the copy of the
    chapter list ('05:50 - Chapter 2. ...') and the collection's closing lines."""
    paragraphs = [p for p in re.split(r"\r?\n\s*\r?\n", description.strip()) if p.strip()]
    lines = [ln for p in paragraphs[1:] for ln in p.splitlines()]
    return " ".join(ln.strip() for ln in lines
                    if ln.strip() and not _LIST_LINE.match(ln) and not _BOILERPLATE.match(ln))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """YAKE's English stop list (574 words: 'someone', 'last', 'way'), which the quiz uses too."""
    from importlib.resources import files

    text = (files("yake") / "core" / "StopwordsList" / "stopwords_en.txt").read_text(encoding="utf-8",
                                                                                     errors="replace")
    return frozenset(text.split())


@lru_cache(maxsize=1)
def _chunker():
    from nltk import RegexpParser

    return RegexpParser(GRAMMAR)


def noun_phrases(text: str) -> list[str]:
    """Noun phrases of ``text`` in order of first appearance, unique by `stem_key`; see the module docstring
    for the tagger, the grammar and what is dropped. Phrases keep the text's own spelling."""
    out, seen = [], set()
    for sentence in re.split(r"(?<=[.!?;:])\s+|\s+[-–—]{1,2}\s+", text):
        tagged = [(w, t) for w, t in pattern_tagger()[0].tag(sentence) if w.strip()]
        if not tagged:
            continue
        tree = _chunker().parse(tagged)
        for sub in tree.subtrees(lambda t: t.label() == "NP"):
            leaves = sub.leaves()
            if leaves[0][0].lower().rstrip(".") in _TITLES:
                continue
            while len(leaves) > 1 and leaves[0][1] == "VBG":   # 'Using X-Ray': the verb is not the term
                leaves = leaves[1:]
            words = [w for w, _ in leaves]
            drop = CLASSROOM_WORDS | stop_words()
            while words and words[0].lower() in drop:
                words = words[1:]
            while words and words[-1].lower() in drop:
                words = words[:-1]
            key = stem_key(words)
            # an initial ('T.', 'S.') or a lone letter is not a term
            if key not in seen and any(sum(c.isalpha() for c in w) >= 2 for w in key.split()):
                seen.add(key)
                out.append(" ".join(words).replace(" '", "'"))
    return out


def course_terms(titles: list[str], description: str) -> list[str]:
    """The course's key terms for a lecture: noun phrases of its chapter titles, then of its description,
    unique by `stem_key`."""
    terms, seen = [], set()
    for phrase in noun_phrases(". ".join(chapter_title_text(t) for t in titles)) + \
            noun_phrases(description_text(description)):
        key = stem_key(phrase)
        if key not in seen:
            seen.add(key)
            terms.append(phrase)
    return terms


def occurs(key: str, text_key: str) -> bool:
    """Whole-word occurrence of one stem key in another (both `stem_key` forms)."""
    return bool(key) and f" {key} " in f" {text_key} "


def terms_in_transcript(terms: list[str], transcript: str) -> list[str]:
    """The terms whose stem sequence occurs, on whole words, in the transcript's."""
    text_key = stem_key(transcript)
    return [t for t in terms if occurs(stem_key(t), text_key)]


def share_in_top(terms: list[str], ranked: list[str], n: int, loose: bool = False) -> float | None:
    """Share of ``terms`` found among the first ``n`` of ``ranked`` (our keyphrases, best first); None without
    terms. Exact: the same stem key. ``loose``: also when one's stem sequence occurs in the other's on whole
    words ('equilibrium' for 'Nash equilibrium', 'Nash equilibrium' for 'equilibrium')."""
    if not terms:
        return None
    top = [stem_key(r) for r in ranked[:n]]
    found = 0
    for t in terms:
        key = stem_key(t)
        found += any(key == r or (loose and (occurs(key, r) or occurs(r, key))) for r in top)
    return found / len(terms)
