"""Label alignment and windowing of long documents: pure functions, unit-tested on hand-made cases.

A document is a list of words (and, for training, one BIO tag per word). It becomes one or more
windows of at most ``max_length`` word pieces, ``[CLS] pieces [SEP]``. Long documents are split
into overlapping windows (``stride`` pieces shared) instead of being truncated. Windows start on a
word boundary so every word's first piece (the one that carries its tag) is whole in some window.
"""

from __future__ import annotations

from dataclasses import dataclass

IGNORE = -100  # Keras/HF loss ignores this label


@dataclass
class Window:
    doc: int                  # index of the document in its split
    input_ids: list[int]
    labels: list[int]         # one per piece; IGNORE for specials and (by default) non-first sub-words
    word_ids: list[int]       # document word index per piece; -1 for [CLS]/[SEP]


def piece_word_ids(tokenizer, words: list[str]) -> tuple[list[int], list[int]]:
    """Word-piece ids of a whole document (no specials) and the word index of each piece. ``tokenizer``: a
    transformers fast tokenizer (training) or a `lecturelab.models.rust_tokenizer.RustTokenizer` (inference)."""
    if hasattr(tokenizer, "word_pieces"):
        return tokenizer.word_pieces(words)
    enc = tokenizer(words, is_split_into_words=True, add_special_tokens=False)
    wids = enc.word_ids()
    return list(enc["input_ids"]), [int(w) for w in wids]


def window_spans(word_ids: list[int], max_pieces: int, stride: int) -> list[tuple[int, int]]:
    """[start, end) piece ranges covering a document, each at most ``max_pieces`` long.

    Consecutive windows share about ``stride`` pieces; each window after the first starts at the
    first piece of a word. A single word longer than the window is cut (its first piece still leads).
    """
    n = len(word_ids)
    if max_pieces <= 0:
        raise ValueError("max_length must leave room for at least one word piece besides [CLS]/[SEP]")
    if not 0 <= stride < max_pieces:
        raise ValueError(f"stride must be in [0, {max_pieces}) for max_length={max_pieces + 2}, got {stride}")
    spans: list[tuple[int, int]] = []
    start = 0
    while True:
        end = min(start + max_pieces, n)
        spans.append((start, end))
        if end >= n:
            return spans
        nxt = max(end - stride, start + 1)
        # move back to the first piece of the word we landed in, but always make progress
        while nxt > start + 1 and word_ids[nxt] == word_ids[nxt - 1]:
            nxt -= 1
        start = nxt


def align_labels(word_ids: list[int], word_tags: list[int] | None, label_all_subwords: bool,
                 b_to_i: dict[int, int] | None = None) -> list[int]:
    """Per-piece labels: the first piece of a word gets the word's tag, the rest IGNORE.

    With ``label_all_subwords`` the later pieces get the tag too (a B- tag becomes I- there, per
    ``b_to_i``). Pieces with word id -1 (specials) are always IGNORE.
    """
    out: list[int] = []
    prev = None
    for w in word_ids:
        if w < 0 or word_tags is None:
            out.append(IGNORE)
        elif w != prev:
            out.append(word_tags[w])
        elif label_all_subwords:
            tag = word_tags[w]
            out.append((b_to_i or {}).get(tag, tag))
        else:
            out.append(IGNORE)
        prev = w
    return out


def make_windows(tokenizer, words: list[str], tags: list[int] | None, doc: int, max_length: int,
                 stride: int, label_all_subwords: bool = False,
                 b_to_i: dict[int, int] | None = None) -> list[Window]:
    """Tokenize one document and cut it into labelled windows (see module docstring)."""
    ids, wids = piece_word_ids(tokenizer, words)
    windows = []
    for s, e in window_spans(wids, max_length - 2, stride):
        # a window that starts mid-word (only when one word is longer than a window) must not
        # label its first piece as the word's first piece
        w_ids = [-1] + wids[s:e] + [-1]
        labels = align_labels(w_ids, tags, label_all_subwords, b_to_i)
        if s > 0 and wids[s] == wids[s - 1] and not label_all_subwords:
            labels[1] = IGNORE
        windows.append(Window(doc, [tokenizer.cls_token_id] + ids[s:e] + [tokenizer.sep_token_id], labels, w_ids))
    return windows
