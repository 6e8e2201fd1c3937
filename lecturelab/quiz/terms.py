"""Words and terms a question may ask for: whole readable words, answers worth asking, the kind and part of
speech of a term (so distractors match the answer), and the forms a student may type.

Word frequencies are wordfreq's Zipf scale (log10 of uses per billion words, Speer et al., the ``wordfreq``
package): the rarest English words score near 0, "the" about 7.7.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

from lecturelab.models.pos import lexicon_tag

_WORD = re.compile(r"[\w'’]+(?:-[\w'’]+)*")
# never the answer of a question: greetings, thanks, fillers, addressing the audience
NOT_ASKED = {"hello", "hi", "hey", "welcome", "thanks", "thank", "bye", "goodbye", "alright", "okay", "ok", "yeah",
             "yes", "um", "uh", "everyone", "everybody", "guys", "folks", "morning", "afternoon", "evening", "today",
             "class", "students", "ladies", "gentlemen", "sorry", "please", "cough", "stuff", "thing", "things"}
# Early Modern English function words (read poetry, old texts) that no stop list has
ARCHAIC = {"thy", "thou", "thee", "thine", "ye", "art", "dost", "doth", "hath", "hast", "shalt", "wilt", "thyself",
         "o", "oft", "ere", "whence", "wherefore", "yea", "nay"}
COMMON_ZIPF = 5.8          # an answer made only of words this frequent ("a lot", "the time") tests nothing
_NUMBER_WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                 "twelve", "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "million", "billion",
                 "half", "once", "twice", "first", "second", "third"}
# suffixes that mark an English adjective with few noun exceptions ("-ic", "-ent", "-ary" do not: "topic",
# "document", "summary")
_ADJ_SUFFIX = ("ous", "ful", "less", "ive", "able", "ible", "ical", "ish")
_CLASS = {"NN": "noun", "JJ": "adjective", "VB": "verb", "RB": "adverb"}


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """YAKE's English stop list (574 words, ``yake/core/StopwordsList/stopwords_en.txt``) plus archaic
    pronouns and verbs ("thy", "doth"): words that carry no content of their own."""
    text = (files("yake") / "core" / "StopwordsList" / "stopwords_en.txt").read_text(encoding="utf-8", errors="replace")
    return frozenset(w.strip().lower() for w in text.split() if w.strip()) | ARCHAIC


def is_function(word: str) -> bool:
    """True for a stop word ("the", "so", "how", "thy")."""
    return word.lower().strip("'’") in function_words()


def pieces(word: str) -> list[str]:
    """The pieces of a hyphenated word ("old-sposed" -> ["old", "sposed"]); ``[word]`` for any other."""
    return [p for p in word.split("-") if p]


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """Zipf frequency of an English word (wordfreq); 8.0 for numbers (never rare)."""
    from wordfreq import zipf_frequency  # deferred: 0.2 s (its language tables); only this check needs it

    w = word.lower().strip("'’")
    if not w or any(c.isdigit() for c in w):
        return 8.0
    return zipf_frequency(w, "en")


def is_english_words(term: str) -> bool:
    """True when ``term`` has words and every one (hyphenated pieces apart) is in wordfreq's English list
    (Zipf > 0): "self-interest", "backpropagation" (1.6) yes; "self-describeness", "neurofuzzy" (0.0) no.
    Rare jargon fails too: 275 of Inspec's 6,396 background terms ("cepstral coefficients", "CIELAB")."""
    parts = [p for w in words_of(term) for p in pieces(w)]
    return bool(parts) and all(zipf(p) > 0 for p in parts)


def words_of(text: str) -> list[str]:
    """Lower-cased words of ``text`` (hyphenated words whole, punctuation dropped)."""
    return [m.group().lower() for m in _WORD.finditer(text)]


def worth_asking(term: str) -> bool:
    """False for greetings, fillers, words addressing the audience, a phrase that starts or ends with a
    stop word ("thy beauty"), and answers of common words only ("a lot")."""
    ws = words_of(term)
    if not ws or any(w in NOT_ASKED for w in ws) or is_function(ws[0]) or is_function(ws[-1]):
        return False
    return not all(zipf(w) >= COMMON_ZIPF for w in ws)


def is_concept(term: str) -> bool:
    """Worth asking and not made of everyday words only (Zipf >= 5: "words", "time"): a term that can
    stand as a distractor."""
    return worth_asking(term) and not all(zipf(w) >= 5.0 for w in words_of(term))


def kind(term: str) -> str:
    """``number``, ``acronym`` (all capitals), ``name`` (capitalised words), ``adjective`` (one word with an
    adjective suffix) or ``concept``: a distractor must be of the answer's kind."""
    ws = term.split()
    if ws and all(any(c.isdigit() for c in w) or w.lower() in _NUMBER_WORDS for w in ws):
        return "number"
    letters = [c for c in term if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "acronym"
    if ws and all(w[:1].isupper() for w in ws):
        return "name"
    if len(ws) == 1 and term.lower().endswith(_ADJ_SUFFIX):
        return "adjective"
    return "concept"


@lru_cache(maxsize=65536)
def word_class(term: str) -> str | None:
    """Coarse part of speech of ``term``'s last word (the head of an English noun phrase): "noun",
    "adjective", "verb" or "adverb", from the word's most frequent tag in the Pattern lexicon ("minimal"
    adjective, "reduce" verb, "reductions" noun). A keyphrase names a thing, so a gerund ("clustering") and
    the verb-tagged head of a phrase ("machine learning", "data set") are nouns. None for a word the
    lexicon lacks ("self-love") or of another class."""
    ws = words_of(term)
    tag = lexicon_tag(ws[-1]) if ws else None
    if tag and tag.startswith("VB") and (tag == "VBG" or len(ws) > 1):
        return "noun"
    return _CLASS.get(tag[:2]) if tag else None


def accepted_forms(answer: str, forms: list[str]) -> list[str]:
    """Answers a student may type for ``answer``: its spoken ``forms``, the singular of a plural, the
    plural of a phrase, and the head noun of a phrase ("beach" for "sandy beach", "frequencies" for "resonant frequencies"); unique,
    the answer first. The head is the last word unless it is a function word."""
    out = [answer, *forms]
    for f in list(out):
        ws = f.split()
        if len(ws) > 1 and not is_function(ws[-1]) and len(ws[-1]) > 2:
            out.append(ws[-1])
    for f in list(out):
        low = f.lower()
        if low.endswith(("'s", "\u2019s", "'", "\u2019")):
            continue   # a possessive ("mother's") is no plural
        if low.endswith("ies") and len(low) > 4:
            out.append(f[:-3] + "y")
        elif low.endswith("s") and not low.endswith(("ss", "us", "is")) and len(low) > 3:
            out.append(f[:-1])
        elif low.endswith(_ADJ_SUFFIX) or " " not in f or low.endswith("us"):
            continue   # no plural for "amiable", "acoustic", a single word ("deep"), or "corpus" (corpora)
        elif low.endswith("y") and low[-2:-1] not in "aeiou":
            out.append(f[:-1] + "ies")
        elif low[-1:].isalpha():
            out.append(f + ("es" if low.endswith(("s", "x", "ch", "sh")) else "s"))
    return list(dict.fromkeys(x for x in out if x.strip()))
