"""Word confidence: which words the transcriber was unsure of, so no question is built on them.

A word Whisper gave a low probability (below ``min_word_prob``) or a rare word it was not quite sure of (wordfreq
Zipf below ``rare_word_zipf`` and probability below ``rare_word_min_prob``) is *unsure*: "old-sposed" for "ill
disposed" (Zipf 1.3, p 0.64).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lecturelab.models.pos import lexicon_tag
from lecturelab.quiz.terms import ARCHAIC, is_function, pieces, words_of, zipf

if TYPE_CHECKING:
    from lecturelab.quiz.schema import Settings
    from lecturelab.transcript.sentences import Sentence


def heard_unsure(word: str, unsure: set[str]) -> bool:
    """True if the word, or a piece of a hyphenated word ("old-sposed"), is in ``unsure``."""
    return word in unsure or any(p in unsure for p in pieces(word))


def is_rare(word: str, rare_zipf: float) -> bool:
    """True when a piece of the (possibly hyphenated) word is rarer than ``rare_zipf``."""
    return any(zipf(p) < rare_zipf for p in pieces(word))


def unsure_words(heard: list[tuple[str, float]], min_prob: float, rare_zipf: float, rare_min_prob: float) -> set[str]:
    """Lower-cased words (and their hyphen pieces) of ``heard`` = [(word, probability)] that the
    transcriber was unsure of: probability below ``min_prob``, or a rare word below ``rare_min_prob``."""
    out = set()
    for word, prob in heard:
        for w in words_of(word):
            if prob < min_prob or (prob < rare_min_prob and is_rare(w, rare_zipf)):
                out.add(w)
                out.update(pieces(w))
    return out


def unsure_per_sentence(sentences: list[Sentence], settings: Settings) -> list[set[str]]:
    """``unsure_words`` of each sentence's (word, probability) pairs, with the quiz settings' thresholds
    (``min_word_prob``, ``rare_word_zipf``, ``rare_word_min_prob``); one set per sentence."""
    return [unsure_words(s.words, settings.min_word_prob, settings.rare_word_zipf, settings.rare_word_min_prob)
            for s in sentences]


_AUXILIARY = {"be", "is", "are", "was", "were", "been", "being", "am", "have", "has", "had", "having", "do", "does",
              "did", "doing", "done"}


def carries_content(word: str) -> bool:
    """True for a word whose mishearing changes what a sentence says: a word off YAKE's stop list, or an
    open-class word on it ("help", "example", "different": a noun, adjective or verb in the Pattern
    lexicon). Closed-class stop words (determiners, prepositions, pronouns, conjunctions, modals,
    adverbs), auxiliaries, contractions and archaic function words ("thou", "art") do not: Whisper often
    gives them a low probability while hearing them right."""
    w = word.lower().strip("'’")
    if not is_function(w):
        return True
    if w in ARCHAIC or w in _AUXILIARY or "'" in w or "’" in w:
        return False
    tag = lexicon_tag(w)
    return bool(tag) and tag[:2] in ("NN", "JJ", "VB")
