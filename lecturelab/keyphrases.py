"""Keyphrase spans from BIO tags or per-word probabilities, and the key that groups variants.

Shared by evaluation (matching against gold phrases) and the lecture processor (grouping variants).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lecturelab.bio import LABEL2ID

O, B, I = LABEL2ID["O"], LABEL2ID["B-KEY"], LABEL2ID["I-KEY"]


@dataclass(frozen=True)
class Span:
    start: int    # first word index
    end: int      # one past the last word index
    score: float  # mean per-word keyphrase probability, 1 - P(O); 1.0 for gold spans

    def words(self, words: list[str]) -> list[str]:
        return words[self.start:self.end]


def spans_from_tags(tags: list[int], probs: np.ndarray | None = None) -> list[Span]:
    """Decode BIO label ids into spans. An I-KEY after O opens a span (lenient, like conlleval)."""
    spans, start = [], None
    for i, t in enumerate(list(tags) + [O]):
        if t == B or (t == I and start is None) or t == O:
            if start is not None:
                score = 1.0 if probs is None else span_score(probs, start, i)
                spans.append(Span(start, i, score))
                start = None
            if t in (B, I) and i < len(tags):
                start = i
    return spans


def span_score(probs: np.ndarray, start: int, end: int) -> float:
    """Confidence of the words [start, end) being a keyphrase: the mean of 1 - P(O) over them.
    ``probs``: (n_words, 3) label probabilities in ``LABEL2ID`` order."""
    return float(np.mean(1.0 - probs[start:end, O]))


def average_window_probs(sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per-word label probabilities averaged over the windows that saw each word: ``sums`` (n_words, 3),
    the probabilities added up over windows, divided by ``counts`` (n_words,), the number of windows.
    A word no window saw (a control character, no word piece) counts as outside any keyphrase (O = 1).
    ``sums`` is updated in place for those words. Used by the tagger (sub-word windows) and the lecture
    highlighter (sentence windows)."""
    sums[counts == 0, O] = 1.0
    return sums / np.maximum(counts, 1)[:, None]


def gold_spans(tags: list[str]) -> list[Span]:
    """Gold keyphrase spans of a document from its BIO tag names (``"O"``, ``"B-KEY"``, ``"I-KEY"``), as in
    the interim JSONL rows and BIO files. Raises KeyError for another tag name."""
    return spans_from_tags([LABEL2ID[t] for t in tags])


DECODINGS = ("greedy", "viterbi")
# allowed[prev, next] for BIO: I-KEY only continues a phrase (after B-KEY or I-KEY), never after O or first
_ALLOWED = np.ones((3, 3), bool)
_ALLOWED[O, I] = False


def tags_from_probs(probs: np.ndarray, o_bias: float = 0.0, decoding: str = "greedy") -> list[int]:
    """Tags of per-word probabilities (n_words x 3) after lowering the O log-probability by ``o_bias``
    (> 0 favours recall). ``greedy``: the arg-max of each word (an I-KEY after O is possible, decoded as a new
    phrase); ``viterbi``: the best-scoring tag sequence with only valid BIO transitions (`viterbi_tags`)."""
    if len(probs) == 0:
        return []
    logp = np.log(np.clip(probs, 1e-9, 1.0))
    logp[:, O] -= o_bias
    if decoding == "viterbi":
        return viterbi_tags(logp)
    if decoding != "greedy":
        raise ValueError(f"decoding must be one of {', '.join(DECODINGS)}, got '{decoding}'")
    return [int(t) for t in logp.argmax(-1)]


def viterbi_tags(logp: np.ndarray) -> list[int]:
    """The tag sequence with the highest sum of per-word log-probabilities ``logp`` (n_words x 3) among the
    valid BIO sequences (no I-KEY first or after O): Viterbi's dynamic programme (Viterbi 1967; as in the
    constrained decoding of BIO taggers, e.g. Lample et al. 2016) with 0 / -inf transition scores.
    O(n_words x 9)."""
    n = len(logp)
    trans = np.where(_ALLOWED, 0.0, -np.inf)
    score = logp[0] + np.where(np.arange(3) == I, -np.inf, 0.0)   # a document cannot start inside a phrase
    back = np.zeros((n, 3), np.int64)
    for t in range(1, n):
        cand = score[:, None] + trans          # [prev, next]
        back[t] = cand.argmax(0)
        score = cand.max(0) + logp[t]
    tags = [int(score.argmax())]
    for t in range(n - 1, 0, -1):
        tags.append(int(back[t, tags[-1]]))
    return tags[::-1]


def decode(probs: np.ndarray, o_bias: float = 0.0, decoding: str = "greedy") -> list[Span]:
    """Spans predicted from per-word probabilities (n_words x 3); ``decoding`` as in `tags_from_probs`."""
    return spans_from_tags(tags_from_probs(probs, o_bias, decoding), probs)


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """The Porter stem of one lower-cased word: the unit of ``stem_key`` and of keyphrase matching."""
    return _stemmer().stem(token)


def stem_key(phrase: str | list[str]) -> str:
    """Lower-cased, Porter-stemmed, punctuation-free form: 'Neural Networks' -> 'neural network'."""
    text = phrase if isinstance(phrase, str) else " ".join(phrase)
    tokens = [t for t in _NON_WORD.sub(" ", text.lower()).split() if t]
    return " ".join(stem(t) for t in tokens)


def ranked_keys(spans: list[Span], words: list[str]) -> list[str]:
    """Unique stem keys of spans, best score first (ties keep text order)."""
    best: dict[str, float] = {}
    order: dict[str, int] = {}
    for i, s in enumerate(spans):
        k = stem_key(s.words(words))
        if not k:
            continue
        if k not in best or s.score > best[k]:
            best[k] = s.score
        order.setdefault(k, i)
    return sorted(best, key=lambda k: (-best[k], order[k]))


_OPENERS = "\"'([“‘"
_CLOSERS = "\"')]”’"
_CAPITALISED = re.compile(r"\b[A-Z]\w*")


def starts_sentence(text: str, pos: int) -> bool:
    """True if ``text[pos]`` opens a sentence: only spaces and opening quotes/brackets lie between it and
    the start of ``text`` or a ``. ! ?`` (and any closing quote). Abbreviations ("e.g. Python") count too."""
    i = pos
    while i > 0 and (text[i - 1].isspace() or text[i - 1] in _OPENERS):
        i -= 1
    if i == 0:
        return True
    if i == pos:        # glued to the previous character: inside a word
        return False
    while i > 0 and text[i - 1] in _CLOSERS:
        i -= 1
    return i > 0 and text[i - 1] in ".!?"


def capitalised_words(text: str) -> set[str]:
    """Words written with a capital letter somewhere other than at a sentence start ("Python", "GPU")."""
    return {m.group() for m in _CAPITALISED.finditer(text) if not starts_sentence(text, m.start())}


def display_form(surface: str, text: str, pos: int, capitalised: set[str]) -> str:
    """A keyphrase occurrence as it should be shown: as spoken, except that a sentence-initial capital is
    undone when the word is not otherwise capitalised ("Gradient descent" -> "gradient descent"; "GPU",
    "Python" elsewhere mid-sentence and "CamelCase" stay). ``pos`` is where ``surface`` starts in ``text``;
    ``capitalised`` is ``capitalised_words(text)``. Matching still uses ``stem_key`` (lower case)."""
    m = re.match(r"\w+", surface)
    if not m or not starts_sentence(text, pos):
        return surface
    word = m.group()
    if word[0].isupper() and word[1:] == word[1:].lower() and len(word) > 1 and word not in capitalised:
        return surface[0].lower() + surface[1:]
    return surface
