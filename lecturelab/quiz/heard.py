"""What a question may be built from on real speech: words the transcriber was sure of, whole readable
stems, answers worth asking, and the kind of a term (so distractors match the answer).

Word frequencies are wordfreq's Zipf scale (log10 of uses per billion words, Speer et al., the ``wordfreq``
package): the rarest English words score near 0, "the" about 7.7. A word Whisper gave a low probability
(below ``min_word_prob``) or a rare word it was not quite sure of (Zipf below ``rare_word_zipf`` and
probability below ``rare_word_min_prob``) is *unsure*: "old-sposed" for "ill disposed" (Zipf 1.3, p 0.64).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

import numpy as np

from lecturelab.models.pos import pattern_tagger

if TYPE_CHECKING:
    from lecturelab.quiz.schema import Settings
    from lecturelab.transcript.sentences import Sentence

_WORD = re.compile(r"[\w'’]+(?:-[\w'’]+)*")
# spoken fillers removed from stems; "you know" / "I mean" only as asides between commas or at the start
_FILLER = re.compile(r"(?:^|(?<=[\s,]))(?:um+|uh+|erm+|er|hmm+|mm+|uh-huh)\b[,.]?\s*|(?:,\s*|^)(?:you know|i mean),?\s*",
                     re.I)
_REPEAT = re.compile(r"\b(\w+)(?:,?\s+\1\b)+", re.I)
_LEAD = re.compile(r"^(?:(?:and|so|but|well|okay|ok|alright|all right|right|yeah|now)\b,?\s+)+", re.I)
# a stem that points back to what was said before ("This is also ...", "It is quite different")
_BACK = {"this", "that", "these", "those", "it", "its", "they", "their", "them", "such", "he", "she", "his", "her"}
_BACK_ANYWHERE = re.compile(r"\b(?:also|as well|the former|the latter|the same|the other one)\b", re.I)
# never the answer of a question: greetings, thanks, fillers, addressing the audience
NOT_ASKED = {"hello", "hi", "hey", "welcome", "thanks", "thank", "bye", "goodbye", "alright", "okay", "ok", "yeah",
             "yes", "um", "uh", "everyone", "everybody", "guys", "folks", "morning", "afternoon", "evening", "today",
             "class", "students", "ladies", "gentlemen", "sorry", "please", "cough", "stuff", "thing", "things"}
# Early Modern English function words (read poetry, old texts) that no stop list has
_ARCHAIC = {"thy", "thou", "thee", "thine", "ye", "art", "dost", "doth", "hath", "hast", "shalt", "wilt", "thyself",
            "o", "oft", "ere", "whence", "wherefore", "yea", "nay"}
COMMON_ZIPF = 5.8          # an answer made only of words this frequent ("a lot", "the time") tests nothing
_NUMBER_WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                 "twelve", "twenty", "thirty", "forty", "fifty", "hundred", "thousand", "million", "billion",
                 "half", "once", "twice", "first", "second", "third"}
# suffixes that mark an English adjective with few noun exceptions ("-ic", "-ent", "-ary" do not: "topic",
# "document", "summary")
_ADJ_SUFFIX = ("ous", "ful", "less", "ive", "able", "ible", "ical", "ish")


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """YAKE's English stop list (574 words, ``yake/core/StopwordsList/stopwords_en.txt``) plus archaic
    pronouns and verbs ("thy", "doth"): words that carry no content of their own."""
    text = (files("yake") / "core" / "StopwordsList" / "stopwords_en.txt").read_text(encoding="utf-8", errors="replace")
    return frozenset(w.strip().lower() for w in text.split() if w.strip()) | _ARCHAIC


def is_function(word: str) -> bool:
    """True for a stop word ("the", "so", "how", "thy")."""
    return word.lower().strip("'’") in function_words()


def pieces(word: str) -> list[str]:
    """The pieces of a hyphenated word ("old-sposed" -> ["old", "sposed"]); ``[word]`` for any other."""
    return [p for p in word.split("-") if p]


def heard_unsure(word: str, unsure: set[str]) -> bool:
    """True if the word, or a piece of a hyphenated word ("old-sposed"), is in ``unsure``."""
    return word in unsure or any(p in unsure for p in pieces(word))


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


def trim_fillers(text: str) -> str:
    """``text`` without spoken fillers ("um", "uh", an aside "you know"), repeated words ("the the") and a
    leading discourse marker ("And", "So", "Alright, so"); the first letter is capitalised again."""
    out = _FILLER.sub(" ", text)
    out = _REPEAT.sub(r"\1", out)
    out = _LEAD.sub("", out.strip())
    out = re.sub(r"\s+([,.?!;:])", r"\1", re.sub(r"\s{2,}", " ", out)).strip(" ,")
    out = re.sub(r",([,.?!;:])", r"\1", out)
    return out[:1].upper() + out[1:] if out else out


_GREETING = re.compile(r"^(?:welcome|hello|hi|hey|good (?:morning|afternoon|evening)|thanks|thank you|bye|goodbye)\b",
                       re.I)


def is_greeting(text: str) -> bool:
    """True for a sentence that greets or thanks the audience ("Welcome to this short lecture on ...")."""
    return bool(_GREETING.match(text.strip()))


def needs_context(text: str) -> bool:
    """True for a stem that only makes sense after the sentence before it ("This is also ...")."""
    first = words_of(text[:40])[:1]
    return bool(first and first[0] in _BACK) or bool(_BACK_ANYWHERE.search(text))


# words that make a sentence speak to or for the audience ("we", "you"): a stem keeps none of them
PERSONAL = {"i", "i'm", "i've", "i'd", "i'll", "me", "my", "mine", "myself", "we", "we're", "we've", "we'd", "we'll",
            "our", "ours", "ourselves", "you", "you're", "you've", "you'd", "you'll", "your", "yours", "yourself",
            "let's"}


def personal(text: str) -> bool:
    """True when ``text`` has a first- or second-person word ("I", "we", "our", "you", "let's")."""
    return any(w.replace("’", "'") in PERSONAL for w in words_of(text))


# words that, opening a stem, point back at what was said before, or are a spoken aside ("Anyway, ...")
POINTING = {"this", "that", "these", "those", "it", "its", "they", "them", "their", "he", "she", "him", "her", "his",
            "here", "there", "such", "which", "who", "so", "then", "and", "but", "or", "because", "also", "it's",
            "that's", "there's", "here's", "what", "what's", "in", "one", "another", "now", "again", "well",
            "anyway", "incidentally", "remember", "suppose", "certainly", "actually", "obviously", "meanwhile",
            "first", "second", "third", "finally", "not", "of", "as", "like", "sure", "yes", "no", "look", "think",
            "let", "consider", "imagine", "note", "notice", "take", "go", "see", "please", "say", "onto", "on",
            "perhaps", "maybe", "even", "just", "for", "prior", "before", "after", "once"}
# anywhere in a stem, what leans on the talk around it: a demonstrative ("this new view"), "instead", "in
# other words", "the latter", "last time", and a person named before ("he", "her")
_LEANING = re.compile(r"\b(?:this|these|those|here|instead|in other words|the point about|the former|the latter|"
                      r"as well|the same|the other one|above|below|following|last time|next time|he|she|him|his|"
                      r"her|hers|himself|herself|okay|kind of|sort of|the answer is|the question is|the idea is|"
                      r"the general idea|the next subject|the message is|the point is|the take-aways?|then|for example|for instance)\b", re.I)
_FINITE = ("VBD", "VBP", "VBZ", "MD")   # VB only where no "to" or modal is before it (``standalone``)
# caption markup and an editor's note ("[correction: methane]", "&amp;") are no part of what a student reads
_MARKUP = re.compile(r"[\[\]()]|&\w+;|--")


def pointing_word(word: str) -> bool:
    """True for a word that, opening a sentence, points back at what was said before ("It's", "This")."""
    w = word.replace("’", "'")
    return w in POINTING or w.split("'")[0] in POINTING   # "they're", "he's"


def leaning(text: str) -> bool:
    """True when ``text`` leans on the talk around it: a demonstrative ("this new view"), "instead", "in other
    words", "the latter", "last time", "he" / "her", "then", "for example"."""
    return bool(_LEANING.search(text))


def standalone(text: str) -> bool:
    """A stem a student can read without the talk around it: a capitalised start that neither points back
    nor is an aside ("This ...", "It's ...", "Anyway, ..."), nothing that leans on the talk (``leaning``),
    a finite verb (Penn tags of ``pos_tags``: no fragment such as "First, in terms of equity bias."), a
    statement's end (no question), no caption markup or dash-broken speech ("[correction: ...]", "&amp;",
    "--") and no list run into a colon ("Warfare, conflict, hostility: Something is looming.")."""
    first = words_of(text)[:1]
    if not first or not text[:1].isupper() or pointing_word(first[0]) or needs_context(text) or leaning(text):
        return False
    if text.rstrip()[-1:] not in ".!" or _MARKUP.search(text) or re.search(r"\w:\s", text):
        return False
    tags = [t for _, _, t in pos_tags(text)]
    # the tagger reads a verb in -s after a noun as a plural noun ("the hash function maps a key": NN NN NNS
    # DT; "the left hemisphere works like": NN NNS IN), so a plural right after a singular noun and before a
    # determiner, preposition, pronoun, adjective or adverb counts as the verb
    # the tagger's VB is also a present tense ("we call this"), but not after "to" or a modal; a noun before a
    # possessive pronoun ("layers share their") or a plural after an adverb ("randomly switches") is a verb
    return not tags or any(
        t in _FINITE or (t == "VB" and p not in ("TO", "MD")) or (t.startswith("NN") and n == "PRP$")
        or (t == "NNS" and p == "RB") or (p == "NN" and t == "NNS" and n in ("DT", "PRP$", "IN", "JJ", "RB"))
        for p, t, n in zip(["^", *tags[:-1]], tags, [*tags[1:], "$"], strict=True))


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


def unit_mean(vectors: np.ndarray) -> np.ndarray:
    """The mean of ``vectors`` (n, d), L2-normalised: the lecture's centroid. Shape (d,)."""
    centre = vectors.mean(axis=0)
    return centre / max(float(np.linalg.norm(centre)), 1e-9)


_TOKEN = re.compile(r"[\w'’]+(?:-[\w'’]+)*|[^\w\s]")
_POSSESSIVE = ("'s", "’s", "s'", "s’")
# Penn tags of punctuation (the tagger tags "?", "!" and ";" as "." and ":")
_PUNCT = {".", ",", ":", "(", ")", "''", "``"}
_CLASS = {"NN": "noun", "JJ": "adjective", "VB": "verb", "RB": "adverb"}
@lru_cache(maxsize=4096)
def pos_tags(text: str) -> tuple[tuple[int, int, str], ...]:
    """Penn Treebank part-of-speech tags of ``text``: (start, end, tag) per token, character offsets.

    Tokens are words (hyphenated and "mother's" whole) and single punctuation marks; the tagger is TextBlob's
    ``PatternTagger`` (the Brill-style tagger and lexicon of Tom De Smedt's Pattern, bundled in the
    ``textblob`` package, so it runs offline). Empty for a text with no token."""
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    if not spans:
        return ()
    tags = pattern_tagger()[0].tag(" ".join(text[a:b] for a, b in spans), tokenize=False)
    if len(tags) != len(spans):   # the tagger split a token after all: no tags rather than misaligned ones
        return ()
    return tuple((a, b, tag) for (a, b), (_, tag) in zip(spans, tags, strict=True))


def lexicon_tag(word: str) -> str | None:
    """The most frequent Penn tag of ``word`` (lower-cased) in the Pattern lexicon, or None if it lacks it."""
    return pattern_tagger()[1].get(word.lower())


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
    if w in _ARCHAIC or w in _AUXILIARY or "'" in w or "’" in w:
        return False
    tag = lexicon_tag(w)
    return bool(tag) and tag[:2] in ("NN", "JJ", "VB")


def modifies_noun(text: str, end: int) -> bool:
    """True when the words of ``text`` ending at character ``end`` are a noun or adjective the tagger reads as
    modifying the noun after it: a modifier inside a longer noun phrase, whose head the stem would still show
    ("the ___ levels are okay" for "recording" in "recording levels", "___ document frequency" for "inverse").

    The tagger reads a verb in -s after a noun as a plural noun ("the hash function maps a key": NN NNS DT),
    so a plural counts as the head only when the lexicon lists it as a plural noun and it stands before a
    verb or a punctuation mark, where a verb in -s would have its object ("levels are": yes; "maps a key",
    "escapes markup", "the gradient converges.": no). A possessive ("thy mother's glass") modifies by design
    and is False; so is any text the tagger cannot align (the rule is then off)."""
    tokens = pos_tags(text)
    tags = [tag for _, _, tag in tokens] + ["."]
    for i, (a, b, tag) in enumerate(tokens):
        if b == end:
            if not tag.startswith(("NN", "JJ")) or text[a:b].lower().endswith(_POSSESSIVE):
                return False
            nxt, after = tags[i + 1], tags[min(i + 2, len(tags) - 1)]
            if nxt in ("NN", "NNP"):
                return True
            plural_head = nxt in ("NNS", "NNPS") and lexicon_tag(text[tokens[i + 1][0]:tokens[i + 1][1]]) == nxt
            return plural_head and (after[:2] in ("VB", "MD") or after in _PUNCT)
    return False


def blank_is_half_compound(stem: str, answer: str, blank: str) -> bool:
    """``modifies_noun`` for a question: ``stem`` with its first ``blank`` filled by ``answer``. False for a
    stem with no blank."""
    at = stem.find(blank)
    return at >= 0 and modifies_noun(stem[:at] + answer + stem[at + len(blank):], at + len(answer))


def centrality(vectors: np.ndarray) -> np.ndarray:
    """How central each sentence is to the lecture, in [0, 1]: cosine similarity of its (L2-normalised)
    embedding to the mean embedding of all sentences (the centroid method of Radev et al. 2004, MEAD),
    min-max scaled; 1.0 for every sentence when there are fewer than 2 or all are equal. Shape (n,)."""
    if len(vectors) < 2:
        return np.ones(len(vectors))
    sims = vectors @ unit_mean(vectors)
    span = float(sims.max() - sims.min())
    return (sims - sims.min()) / span if span > 1e-6 else np.ones(len(vectors))


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
