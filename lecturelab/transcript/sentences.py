"""Sentences, not decoder segments: Whisper's segments re-cut at sentence boundaries.

Batched Whisper cuts audio into ~30 s windows wherever VAD finds a pause, so a segment may end in the
middle of a sentence ("... a way to smooth out | Any irregularities ...") and the next one starts with a
capital that was never a sentence start. Everything downstream (highlighting, subtitles, quiz stems)
wants whole sentences, so the words of consecutive segments are joined and split again with pysbd
(Sadvilkar & Neumann, "PySBD: Pragmatic Sentence Boundary Disambiguation", NLP-OSS 2020), a rule-based
splitter that handles abbreviations ("Dr.", "e.g."), numbers and quotes in 22 languages. Times come from
the words, so each sentence starts at its first word and ends at its last.

``build_sentences`` gives the readers of a lecture folder the same sentences, each with its times and its
words' probabilities (``Sentence``); ``find_key`` finds a keyphrase in a sentence by Porter-stemmed tokens,
so inflections ("network" / "networks") and hyphenation match the way ``keyphrases.stem_key`` groups them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pysbd
from pysbd.languages import LANGUAGE_CODES

from lecturelab.keyphrases import stem

MAX_SENTENCE_SECONDS = 30.0   # a run-on "sentence" (spontaneous speech) is cut at its longest pauses


@lru_cache(maxsize=8)
def _segmenter(language: str):
    return pysbd.Segmenter(language=language if language in LANGUAGE_CODES else "en", clean=False,
                           char_span=True)


def sentence_spans(text: str, start: int = 0, end: int | None = None,
                   language: str | None = "en") -> list[tuple[int, int]]:
    """[a, b) character ranges of the sentences in ``text[start:end]`` (pysbd), stripped of spaces."""
    end = len(text) if end is None else end
    out = []
    for span in _segmenter(language or "en").segment(text[start:end]):
        a, b = start + span.start, start + span.end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _split_long(words: list[dict], max_seconds: float) -> list[list[dict]]:
    """Cut a word run longer than ``max_seconds`` at its longest pause, recursively."""
    if len(words) < 2 or words[-1]["end"] - words[0]["start"] <= max_seconds:
        return [words]
    gaps = [words[i + 1]["start"] - words[i]["end"] for i in range(len(words) - 1)]
    cut = max(range(len(gaps)), key=lambda i: (gaps[i], -abs(i - len(gaps) / 2))) + 1
    return _split_long(words[:cut], max_seconds) + _split_long(words[cut:], max_seconds)


def _uncapitalise(word: dict, lower_words: set[str]) -> dict:
    """A decoder segment that starts mid-sentence capitalises its first word ("smooth out | Any
    irregularities"); undo that when the speaker says the word in lower case elsewhere (so names stay)."""
    w = word["word"].strip()
    if len(w) > 1 and w[0].isupper() and w[1:].islower() and w.lower() in lower_words:
        return {**word, "word": word["word"].replace(w, w.lower(), 1)}
    return word


def _sentence(words: list[dict]) -> dict:
    text = "".join(w["word"] for w in words).strip()
    return {"start": words[0]["start"], "end": words[-1]["end"], "text": text, "words": words}


def resegment(segments: list[dict], language: str | None = "en",
              max_seconds: float = MAX_SENTENCE_SECONDS) -> list[dict]:
    """Segments ``{start, end, text, words}`` re-cut into one segment per sentence.

    ``words`` are Whisper's (``{word, start, end, prob}``, the word text with its leading space); times
    in seconds. Runs of segments with word times are joined and split by pysbd for ``language``
    (ISO 639-1; unsupported languages use the English rules); a sentence longer than ``max_seconds``
    is cut at its longest pause. A segment without word times cannot be cut in time and is kept as it
    is (it also ends the sentence before it). Returns a new list; the input is not modified.
    """
    out: list[dict] = []
    run: list[dict] = []
    lower_words = {w["word"].strip() for seg in segments for w in seg.get("words") or []
                   if w["word"].strip().islower()}

    def flush():
        if not run:
            return
        text, offsets, pos = "", [], 0
        for w in run:
            offsets.append(pos + len(w["word"]) - len(w["word"].lstrip()))
            text += w["word"]
            pos += len(w["word"])
        i = 0
        for span in _segmenter(language or "en").segment(text):
            group = []
            while i < len(run) and offsets[i] < span.end:
                group.append(run[i])
                i += 1
            if group:
                out.extend(_sentence(g) for g in _split_long(group, max_seconds))
        if i < len(run):   # text the splitter did not cover (trailing spaces): the last sentence
            out.extend(_sentence(g) for g in _split_long(run[i:], max_seconds))
        run.clear()

    for seg in segments:
        words = [w for w in seg.get("words") or [] if w["word"].strip()]
        if words:
            if run and not run[-1]["word"].rstrip().endswith((".", "?", "!")):
                words[0] = _uncapitalise(words[0], lower_words)
            run.extend(words)
        else:
            flush()
            out.append(dict(seg))
    flush()
    return out


_TOKEN = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def key_tokens(key: str) -> tuple[str, ...]:
    return tuple(key.split())


@lru_cache(maxsize=16384)
def token_spans(text: str) -> tuple[tuple[str, int, int], ...]:
    """(stemmed token, char_start, char_end) for each word of ``text`` (same tokens as ``stem_key``)."""
    return tuple((stem(m.group().lower()), m.start(), m.end()) for m in _TOKEN.finditer(text))


def find_key(text: str, key: str) -> list[tuple[int, int]]:
    """Character spans in ``text`` whose stemmed tokens equal the stem key ``key`` (non-overlapping)."""
    want = key_tokens(key)
    if not want:
        return []
    toks = token_spans(text)
    spans, i = [], 0
    while i + len(want) <= len(toks):
        if tuple(t for t, _, _ in toks[i:i + len(want)]) == want:
            spans.append((toks[i][1], toks[i + len(want) - 1][2]))
            i += len(want)
        else:
            i += 1
    return spans


@dataclass
class Sentence:
    index: int
    text: str
    char_start: int     # offsets into the transcript text
    char_end: int
    start: float        # seconds
    end: float
    segment: int
    # (word as heard, Whisper probability) for each transcript word of the sentence; empty for text lectures
    words: list[tuple[str, float]] = field(default_factory=list)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """[start, end) character ranges of the sentences in ``text[start:end]``, stripped of spaces: the
    lecture's own sentence splitter (pysbd, `lecturelab.transcript.sentences`), so quiz stems and
    transcript segments agree."""
    return sentence_spans(text, start, end)


def _times(segments: list[dict], words: list[dict], cs: int, ce: int) -> tuple[float, float, int]:
    """Start/end seconds and first segment id of the characters [cs, ce): from word times if the
    transcript has them, else interpolated inside the overlapping segments."""
    segs = [s for s in segments if s["char_end"] > cs and s["char_start"] < ce] or segments[-1:]
    hit = [w for w in words if w["char_end"] > cs and w["char_start"] < ce]
    if hit:
        return float(hit[0]["start"]), float(hit[-1]["end"]), int(segs[0]["id"])

    def at(seg: dict, c: int) -> float:
        frac = min(max((c - seg["char_start"]) / max(seg["char_end"] - seg["char_start"], 1), 0.0), 1.0)
        return float(seg["start"]) + (float(seg["end"]) - float(seg["start"])) * frac

    return at(segs[0], cs), at(segs[-1], ce), int(segs[0]["id"])


def build_sentences(text: str, segments: list[dict]) -> list[Sentence]:
    """Sentences of the transcript with times in seconds and their words' probabilities (``prob``).

    Whisper segments often end mid-sentence, so we split the whole text and map each sentence back
    to the words (or segments) it overlaps.
    """
    if not segments:
        return []
    words = [w for seg in segments for w in seg.get("words") or []]
    start, end = segments[0]["char_start"], segments[-1]["char_end"]
    out: list[Sentence] = []
    for a, b in split_sentences(text, start, end):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        t0, t1, seg = _times(segments, words, a, b)
        heard = [(str(w.get("word", "")).strip(), float(w["prob"])) for w in words
                 if w.get("prob") is not None and w["char_end"] > a and w["char_start"] < b]
        out.append(Sentence(len(out), text[a:b], a, b, t0, t1, seg, heard))
    return out
