"""Transcript text with character offsets, sentence-aligned windows for the tagger, and keyphrase spans.

Pure functions, each unit-tested on a hand-made case. The transcript ``text`` is the segments' texts
joined by single spaces; every offset (segments, words, keyphrases) refers to it. The tagger sees
tokens (words and punctuation split apart, like its training data); each token knows its characters
and the Whisper word it came from, which gives a keyphrase its times.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from lecturelab.bio import LABELS
from lecturelab.keyphrases import (
    average_window_probs,
    capitalised_words,
    decode,
    display_form,
    span_score,
    stem_key,
)

TOKEN_RE = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
SENTENCE_END = {".", "?", "!"}


@dataclass(frozen=True)
class Token:
    text: str
    char_start: int
    char_end: int
    word: int      # index into the flat list of Whisper words (-1 when segments carry no words)
    segment: int   # segment id


def build_text(segments: list[dict]) -> tuple[str, list[dict]]:
    """Join segment texts into one string; return it and the segments with ids and char offsets added
    to them and to their words. A segment's text is rebuilt from its words so the offsets are exact; a
    caption segment's ``speaker`` is kept."""
    parts, out, pos = [], [], 0
    for i, seg in enumerate(segments):
        words = seg.get("words") or []
        raw = "".join(w["word"] for w in words) if words else seg["text"]
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        if pos:
            pos += 1  # the joining space
        new_words, cur = [], pos - lead
        for w in words:
            ws = cur + len(w["word"]) - len(w["word"].lstrip())
            we = cur + len(w["word"].rstrip())
            cur += len(w["word"])
            new_words.append({**w, "word": w["word"].strip(), "char_start": ws, "char_end": we})
        out.append({"id": i, "start": seg["start"], "end": seg["end"], "text": text,
                    "char_start": pos, "char_end": pos + len(text), "words": new_words}
                   | ({"speaker": seg["speaker"]} if "speaker" in seg else {}))
        parts.append(text)
        pos += len(text)
    return " ".join(parts), out


def tokenize(text: str, segments: list[dict]) -> list[Token]:
    """Word and punctuation tokens of ``text``, each tied to its segment and Whisper word."""
    tokens: list[Token] = []
    w_index = 0
    for seg in segments:
        words = seg["words"]
        base = w_index
        for m in TOKEN_RE.finditer(text, seg["char_start"], seg["char_end"]):
            wi = -1
            if words:
                while w_index - base < len(words) - 1 and words[w_index - base]["char_end"] <= m.start():
                    w_index += 1
                wi = w_index
            tokens.append(Token(m.group(), m.start(), m.end(), wi, seg["id"]))
        w_index = base + len(words)
    return tokens


def sentence_windows(tokens: list[Token], max_tokens: int = 160, overlap: int = 1) -> list[tuple[int, int]]:
    """[start, end) token ranges made of whole sentences (up to ``max_tokens``; a longer sentence is its
    own window), consecutive windows sharing ``overlap`` sentences so every phrase is seen in context."""
    sents, start = [], 0
    for i, t in enumerate(tokens):
        if t.text in SENTENCE_END:
            sents.append((start, i + 1))
            start = i + 1
    if start < len(tokens):
        sents.append((start, len(tokens)))
    windows, s = [], 0
    while s < len(sents):
        e = s + 1
        while e < len(sents) and sents[e][1] - sents[s][0] <= max_tokens:
            e += 1
        windows.append((sents[s][0], sents[e - 1][1]))
        if e >= len(sents):
            break
        # share up to `overlap` sentences, fewer if the next new sentence would not fit beside them
        s = max(s + 1, e - overlap)
        while s < e and sents[e][1] - sents[s][0] > max_tokens:
            s += 1
    return windows


def merge_window_probs(n_tokens: int, windows: list[tuple[int, int]], probs: list[np.ndarray]) -> np.ndarray:
    """(n_tokens, 3) label probabilities: each token's averaged over the windows that contain it
    (``keyphrases.average_window_probs``; a token no window covers is O)."""
    total = np.zeros((n_tokens, len(LABELS)), np.float32)
    count = np.zeros(n_tokens, np.float32)
    for (a, b), p in zip(windows, probs, strict=True):
        total[a:b] += p
        count[a:b] += 1
    return average_window_probs(total, count)


def find_spans(tokens: list[Token], probs: np.ndarray, o_bias: float = 0.0,
               min_score: float = 0.0, decoding: str = "greedy") -> list[tuple[int, int, float]]:
    """(first token, end token, score) keyphrase spans decoded with ``decoding`` (the checkpoint's:
    `lecturelab.keyphrases.tags_from_probs`). Spans break at punctuation and segment ends so each fits in
    one caption line and one highlighted run of text."""
    out = []
    for span in decode(probs, o_bias, decoding):
        run_start = None
        for i in range(span.start, span.end + 1):
            breaks = i == span.end or not tokens[i].text[0].isalnum() or (
                run_start is not None and tokens[i].segment != tokens[run_start].segment)
            if breaks and run_start is not None:
                score = span_score(probs, run_start, i)
                if score >= min_score:
                    out.append((run_start, i, score))
                run_start = None
            if i < span.end and tokens[i].text[0].isalnum() and run_start is None:
                run_start = i
    return out


def keyphrase_spans(text: str, segments: list[dict], tokens: list[Token],
                    spans: list[tuple[int, int, float]]) -> list[dict]:
    """transcript.json ``keyphrases`` entries: surface text, stem key, characters, times and score."""
    words = [w for seg in segments for w in seg["words"]]
    out = []
    for a, b, score in spans:
        cs, ce = tokens[a].char_start, tokens[b - 1].char_end
        seg = segments[tokens[a].segment]
        if tokens[a].word >= 0 and tokens[b - 1].word >= 0:
            start, end = words[tokens[a].word]["start"], words[tokens[b - 1].word]["end"]
        else:
            start, end = seg["start"], seg["end"]
        surface = text[cs:ce]
        out.append({"text": surface, "key": stem_key(surface), "char_start": cs, "char_end": ce,
                    "start": start, "end": end, "score": round(score, 4), "segment": seg["id"]})
    return [k for k in out if k["key"]]


def group_keyphrases(spans: list[dict], text: str = "") -> list[dict]:
    """keyphrases.json entries: one per stem key (the matching form, lower-cased), best score first.

    The phrase shown is the most frequent display form (ties: the earliest): the words as spoken ("GPU",
    "CNN", "self-attention"), with a sentence-initial capital undone unless the word is capitalised
    elsewhere in ``text`` (see ``keyphrases.display_form``; without ``text`` the surface forms are kept).
    ``variants`` are the distinct display forms. The score is the mean over occurrences.
    """
    capitalised = capitalised_words(text) if text else set()
    groups: dict[str, list[dict]] = {}
    for s in spans:
        form = display_form(s["text"], text, s["char_start"], capitalised) if text else s["text"]
        groups.setdefault(s["key"], []).append({**s, "form": form})
    out = []
    for key, occ in groups.items():
        occ = sorted(occ, key=lambda o: (o["start"], o["char_start"]))
        forms = Counter(o["form"] for o in occ)
        first = {}
        for i, o in enumerate(occ):
            first.setdefault(o["form"], i)
        phrase = max(forms, key=lambda f: (forms[f], -first[f]))
        out.append({"phrase": phrase, "key": key, "score": round(float(np.mean([o["score"] for o in occ])), 4),
                    "count": len(occ), "variants": sorted(forms), "first_time": occ[0]["start"],
                    "occurrences": [{k: o[k] for k in ("start", "end", "char_start", "char_end", "segment")}
                                    for o in occ]})
    out.sort(key=lambda k: (-k["score"], k["first_time"]))
    return out


def tag_transcript(tagger, text: str, segments: list[dict], window_tokens: int = 160, overlap: int = 1,
                   o_bias: float | None = None, min_score: float = 0.0) -> list[dict]:
    """Keyphrase spans of a transcript found by ``tagger`` (a KeyphraseTagger) in sentence windows."""
    tokens = tokenize(text, segments)
    if not tokens:
        return []
    windows = sentence_windows(tokens, window_tokens, overlap)
    probs = tagger.word_probs([[t.text for t in tokens[a:b]] for a, b in windows])
    merged = merge_window_probs(len(tokens), windows, probs)
    bias = tagger.o_bias if o_bias is None else o_bias
    return keyphrase_spans(text, segments, tokens,
                           find_spans(tokens, merged, bias, min_score, getattr(tagger, "decoding", "greedy")))
