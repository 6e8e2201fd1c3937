"""Write a processed-lecture folder from plain text, for quality checks and tests.

The folder follows the lecture processor's schema (`lecturelab.transcript.schema`): each sentence
becomes a segment with made-up times (``seconds_per_word``), and the given keyphrase spans become the
keyphrases. It lets the quiz be measured on Inspec abstracts (gold keyphrases) without running Whisper
or the tagger.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from lecturelab import LABEL2ID
from lecturelab.keyphrases import spans_from_tags, stem_key
from lecturelab.lecture.highlight import build_text, group_keyphrases, tag_transcript
from lecturelab.transcript.document import transcript_doc, write_transcript
from lecturelab.transcript.sentences import find_key, split_sentences

_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}", "``": '"', "''": '"'}
_NO_SPACE_BEFORE = {".", ",", ";", ":", ")", "]", "}", "?", "!", "'s", "n't", "%"}
_NO_SPACE_AFTER = {"(", "[", "{"}


def detokenize(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join PTB-style tokens into text; return the text and each token's character span in it."""
    text, spans, prev = "", [], None
    for tok in tokens:
        tok = _PTB.get(tok, tok)
        if text and tok not in _NO_SPACE_BEFORE and prev not in _NO_SPACE_AFTER:
            text += " "
        spans.append((len(text), len(text) + len(tok)))
        text += tok
        prev = tok
    return text, spans


def _segments(text: str, seconds_per_word: float) -> list[dict]:
    segs, t = [], 0.0
    for a, b in split_sentences(text):
        words = []
        for m in re.finditer(r"\S+", text[a:b]):
            words.append({"word": m.group(), "start": round(t, 2), "end": round(t + seconds_per_word, 2),
                          "char_start": a + m.start(), "char_end": a + m.end(), "prob": 1.0})
            t += seconds_per_word
        segs.append({"id": len(segs), "start": words[0]["start"], "end": words[-1]["end"], "text": text[a:b],
                     "char_start": a, "char_end": b, "words": words})
    return segs


def _at(segs: list[dict], c: int) -> tuple[int, float]:
    for s in segs:
        if s["char_start"] <= c < s["char_end"]:
            for w in s["words"]:
                if w["char_end"] > c:
                    return s["id"], w["start"]
    return segs[-1]["id"], segs[-1]["end"]


def write_lecture(folder: str | Path, text: str, spans: list[tuple[int, int]], name: str = "lecture",
                  seconds_per_word: float = 0.4, scores: dict[str, float] | None = None) -> Path:
    """Write ``transcript.json`` + ``keyphrases.json`` for ``text`` with keyphrase character ``spans``.

    Keyphrases group by stem key (``highlight.group_keyphrases``, as for a processed lecture); a key's
    score is ``scores[key]`` if given, else its share of all mentions.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    segs = _segments(text, seconds_per_word)
    found = []
    for a, b in sorted(spans):
        key = stem_key(text[a:b])
        if not key:
            continue
        seg, t0 = _at(segs, a)
        _, t1 = _at(segs, b - 1)
        found.append({"text": text[a:b], "key": key, "char_start": a, "char_end": b, "start": t0,
                      "end": t1 + seconds_per_word, "segment": seg})
    mentions = Counter(f["key"] for f in found)
    for f in found:
        f["score"] = (scores or {}).get(f["key"], mentions[f["key"]] / max(len(found), 1))
    source = {"path": f"{name}.txt", "name": name, "sha256": "", "duration": segs[-1]["end"] if segs else 0.0,
              "media_file": None}
    transcriber = {"name": "text", "model": "", "compute_type": "", "language": "en"}
    doc = transcript_doc(source, transcriber, "given", text, segs, found, language="en")
    return write_transcript(folder, doc, group_keyphrases(found, text))


def write_lecture_from_phrases(folder: str | Path, text: str, phrases: list[str], **kw) -> Path:
    """Like ``write_lecture``, with every mention of each phrase (by stem key) as a keyphrase span."""
    spans = [s for p in phrases for s in find_key(text, stem_key(p))]
    scores = {stem_key(p): 1.0 - i / max(len(phrases), 1) for i, p in enumerate(phrases)}
    return write_lecture(folder, text, spans, scores=scores, **kw)


def write_lecture_from_bio(folder: str | Path, tokens: list[str], tags: list[str | int], **kw) -> Path:
    """A lecture from a BIO-tagged document (Inspec): detokenized text, gold spans as keyphrases."""
    ids = [LABEL2ID[t] if isinstance(t, str) else int(t) for t in tags]
    keep = [i for i, t in enumerate(tokens) if t != "<P>"]   # Inspec's paragraph marker
    tokens, ids = [tokens[i] for i in keep], [ids[i] for i in keep]
    text, tok_spans = detokenize(tokens)
    spans = [(tok_spans[s.start][0], tok_spans[s.end - 1][1]) for s in spans_from_tags(ids)]
    return write_lecture(folder, text, spans, **kw)


def yake_phrases(text: str, top: int = 15, max_words: int = 3) -> list[str]:
    """YAKE keyphrases of ``text``, best first (Campos et al. 2020, the ``yake`` package, unsupervised):
    a stand-in for the trained tagger where no checkpoint exists."""
    import yake  # deferred: 0.2 s (its graph and text libraries); only this stand-in uses it

    return [k for k, _ in yake.KeywordExtractor(lan="en", n=max_words, top=top).extract_keywords(text)]


def write_lecture_from_segments(folder: str | Path, segments: list[dict], spans: list[dict] | None = None,
                                phrases: list[str] | None = None, name: str = "lecture",
                                duration: float | None = None, source: dict | None = None, tagger=None) -> Path:
    """A lecture folder from Whisper segments (``{start, end, text, words: [{word, start, end, prob}]}``,
    seconds) as ``lecturelab process`` writes it: the real text, times and word probabilities, with the
    keyphrases either tagged ``spans`` (``lecture.highlight.tag_transcript`` entries) or every mention of
    ``phrases`` (best first; score 1 for the first, towards 0 for the last), or what ``tagger`` (a
    ``KeyphraseTagger``) finds in the text."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    text, segs = build_text(segments)
    if tagger is not None:
        spans = tag_transcript(tagger, text, segs) if text else []
    if spans is None:
        words = [w for s in segs for w in s["words"]]
        spans = []
        for i, p in enumerate(phrases or []):
            for a, b in find_key(text, stem_key(p)):
                hit = [w for w in words if w["char_end"] > a and w["char_start"] < b] or [{"start": 0.0, "end": 0.0}]
                seg = next((s["id"] for s in segs if s["char_end"] > a), segs[-1]["id"] if segs else 0)
                spans.append({"text": text[a:b], "key": stem_key(text[a:b]), "char_start": a, "char_end": b,
                              "start": hit[0]["start"], "end": hit[-1]["end"],
                              "score": round(1.0 - i / max(len(phrases), 1), 4), "segment": seg})
    end = duration if duration is not None else (segs[-1]["end"] if segs else 0.0)
    source = {"path": f"{name}", "name": name, "sha256": "", "duration": end, "media_file": None, **(source or {})}
    doc = transcript_doc(source, {"name": "faster_whisper"}, "given", text, segs, spans)
    return write_transcript(folder, doc, group_keyphrases(spans, text))
