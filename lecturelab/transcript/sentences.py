"""Sentences, not decoder segments: Whisper's segments re-cut at sentence boundaries.

Batched Whisper cuts audio into ~30 s windows wherever VAD finds a pause, so a segment may end in the
middle of a sentence ("... a way to smooth out | Any irregularities ...") and the next one starts with a
capital that was never a sentence start. Everything downstream (highlighting, subtitles, quiz stems)
wants whole sentences, so the words of consecutive segments are joined and split again with pysbd
(Sadvilkar & Neumann, "PySBD: Pragmatic Sentence Boundary Disambiguation", NLP-OSS 2020), a rule-based
splitter that handles abbreviations ("Dr.", "e.g."), numbers and quotes in 22 languages. Times come from
the words, so each sentence starts at its first word and ends at its last.
"""

from __future__ import annotations

from functools import lru_cache

import pysbd
from pysbd.languages import LANGUAGE_CODES

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
