"""Question stems from spoken sentences: spoken fillers removed, and whether a sentence reads on its own
(no greeting, nothing pointing back at the talk around it, a finite verb) or blanks half of a compound."""

from __future__ import annotations

import re

from lecturelab.models.pos import lexicon_tag, pos_tags
from lecturelab.quiz.terms import words_of

# spoken fillers removed from stems; "you know" / "I mean" only as asides between commas or at the start
_FILLER = re.compile(r"(?:^|(?<=[\s,]))(?:um+|uh+|erm+|er|hmm+|mm+|uh-huh)\b[,.]?\s*|(?:,\s*|^)(?:you know|i mean),?\s*",
                     re.I)
_REPEAT = re.compile(r"\b(\w+)(?:,?\s+\1\b)+", re.I)
_LEAD = re.compile(r"^(?:(?:and|so|but|well|okay|ok|alright|all right|right|yeah|now)\b,?\s+)+", re.I)
# a stem that points back to what was said before ("This is also ...", "It is quite different")
_BACK = {"this", "that", "these", "those", "it", "its", "they", "their", "them", "such", "he", "she", "his", "her"}
_BACK_ANYWHERE = re.compile(r"\b(?:also|as well|the former|the latter|the same|the other one)\b", re.I)
_POSSESSIVE = ("'s", "’s", "s'", "s’")
# Penn tags of punctuation (the tagger tags "?", "!" and ";" as "." and ":")
_PUNCT = {".", ",", ":", "(", ")", "''", "``"}


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
