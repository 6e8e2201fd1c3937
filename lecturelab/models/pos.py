"""The part-of-speech tagger shared by the quiz, the chapter titles and the lecture benchmark: TextBlob's
``PatternTagger`` (the Brill-style tagger and lexicon of Tom De Smedt's Pattern, bundled in the textblob wheel,
so nothing is downloaded), Penn Treebank tags."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def pattern_tagger():
    """(tagger, lexicon): TextBlob's ``PatternTagger`` with its lexicon and rules loaded, and the lexicon
    (word -> Penn tag). TextBlob fills them lazily on first use, and threads that race the fill read a
    half-filled lexicon (wrong tags, then cached): so it is built and warmed once under a lock
    (``lru_cache`` alone does not serialise the fill)."""
    with _LOCK:
        # deferred: the 1.2 MB lexicon is read only by the callers that tag
        from textblob.en import lexicon
        from textblob.en.taggers import PatternTagger

        tagger = PatternTagger()
        tagger.tag("warm up the lexicon , morphology and context rules .", tokenize=False)
        return tagger, lexicon


_TOKEN = re.compile(r"[\w'’]+(?:-[\w'’]+)*|[^\w\s]")


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
