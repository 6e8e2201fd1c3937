"""The part-of-speech tagger shared by the quiz, the chapter titles and the lecture benchmark: TextBlob's
``PatternTagger`` (the Brill-style tagger and lexicon of Tom De Smedt's Pattern, bundled in the textblob wheel,
so nothing is downloaded), Penn Treebank tags."""

from __future__ import annotations

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
