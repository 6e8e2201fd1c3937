"""Distant key-concept labels on transcripts as BIO windows: the pure parts of the lecture data set.

`lecturelab.lecture_set` (DVC stage `lectures`, data/dvc.yaml) composes them with the lecture catalogue, the
caption reader and the course's key terms; its docstring says how the labels are made, step by step.
"""

from __future__ import annotations

import random
import re
from collections import Counter

from lecturelab.keyphrases import stem_key

# a word with inner hyphens or apostrophes ("profit-sharing", "others'"), a number, or one punctuation mark
_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*'?|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Words and punctuation marks as tokens, the way the Inspec BIO files split them:
    "Nash's equilibrium, again." -> ["Nash's", "equilibrium", ",", "again", "."]."""
    return _TOKEN.findall(text)


def match_terms(tokens: list[str], terms: list[str]) -> list[tuple[int, int, str]]:
    """Occurrences of ``terms`` in ``tokens`` as (start, end exclusive, term), sorted by start.

    A term occurs where its `stem_key` sequence equals the stems of whole tokens (a match starts at a token's
    first stem and ends at a token's last: "profit-sharing" holds two stems). Longer terms (in stems) are
    placed first; an occurrence overlapping one already placed is skipped."""
    stems, first = [], []   # the flat stem sequence; index of the token of each stem
    starts, ends = set(), set()   # stem positions where a token starts / after which one ends
    for i, tok in enumerate(tokens):
        parts = stem_key(tok).split()
        if not parts:
            continue
        starts.add(len(stems))
        stems += parts
        first += [i] * len(parts)
        ends.add(len(stems))
    keys = sorted({(tuple(stem_key(t).split()), t) for t in terms if stem_key(t)}, key=lambda kt: -len(kt[0]))
    taken = [False] * len(tokens)
    found = []
    seen_keys = set()
    for key, term in keys:
        if key in seen_keys:   # two spellings of one term
            continue
        seen_keys.add(key)
        n = len(key)
        for s in range(len(stems) - n + 1):
            if s in starts and s + n in ends and tuple(stems[s:s + n]) == key:
                a, b = first[s], first[s + n - 1] + 1
                if not any(taken[a:b]):
                    taken[a:b] = [True] * (b - a)
                    found.append((a, b, term))
    return sorted(found)


def bio_tags(n: int, spans: list[tuple[int, int, str]]) -> list[str]:
    """B-KEY/I-KEY/O tags of ``n`` tokens from non-overlapping (start, end, term) spans."""
    tags = ["O"] * n
    for a, b, _ in spans:
        tags[a] = "B-KEY"
        tags[a + 1:b] = ["I-KEY"] * (b - a - 1)
    return tags


def pack_windows(sentences: list[list[str]], max_tokens: int) -> list[list[str]]:
    """Consecutive tokenized sentences packed in order into windows of at most ``max_tokens`` tokens; a
    longer sentence is cut into pieces of ``max_tokens``. Raises ValueError if ``max_tokens`` < 1."""
    if max_tokens < 1:
        raise ValueError(f"max_tokens = {max_tokens}: must be >= 1")
    windows, cur = [], []
    for sent in sentences:
        pieces = [sent[i:i + max_tokens] for i in range(0, len(sent), max_tokens)] or []
        for piece in pieces:
            if cur and len(cur) + len(piece) > max_tokens:
                windows.append(cur)
                cur = []
            cur = cur + piece
    if cur:
        windows.append(cur)
    return windows


def select_windows(labelled: list[tuple[list[str], list[str]]], negative_share: float, cap: int,
                   rng: random.Random) -> list[tuple[list[str], list[str]]]:
    """The windows kept of one lecture, in transcript order: all with a B-KEY, plus ``round(negative_share *
    positives)`` without one (sampled), then at most ``cap`` of these (sampled, keeping the positive/negative
    proportion roughly). ``labelled``: [(tokens, tags)]."""
    pos = [i for i, (_, tags) in enumerate(labelled) if "B-KEY" in tags]
    neg = [i for i, (_, tags) in enumerate(labelled) if "B-KEY" not in tags]
    keep_neg = rng.sample(neg, min(len(neg), round(negative_share * len(pos))))
    kept = pos + keep_neg
    if len(kept) > cap:
        kept = rng.sample(kept, cap)
    return [labelled[i] for i in sorted(kept)]


def common_keys(term_keys: set[str], transcript_keys: list[str], max_df: float) -> set[str]:
    """The term stem keys occurring (whole words) in more than ``max_df`` of the transcripts (stem-key
    forms)."""
    if not transcript_keys:
        return set()
    df = Counter(k for text in transcript_keys for k in term_keys if f" {k} " in text)
    return {k for k, n in df.items() if n / len(transcript_keys) > max_df}
