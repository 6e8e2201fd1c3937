"""Speech that got no text: repetition loops inside a segment and stretches of speech left untranscribed.

Whisper can fall into a token- or phrase-level loop ("set to 0.0.0.0.0…") that uses up a window's token
budget, so the rest of the window gets no text. Whisper's own guard (openai/whisper ``transcribe.py``,
faster-whisper ``generate_with_fallback``) flags such output by the gzip compression ratio of its text:
above 2.4 it decodes again at a higher temperature. Batched decoding has no such fallback, so the loop
stays. These pure functions find looped segments and the stretches where the voice-activity detector
heard speech but no word was written; `lecturelab.lecture.transcribe` re-decodes them and notes the rest.
"""

from __future__ import annotations

import zlib

# Whisper's limit for repetitive output (openai/whisper and faster-whisper default compression_ratio_threshold)
LOOP_COMPRESSION = 2.4


def compression_ratio(text: str) -> float:
    """gzip compression ratio of ``text`` (UTF-8 bytes / zlib-compressed bytes), as Whisper computes it
    (faster-whisper ``get_compression_ratio``; not imported: faster-whisper loads only to transcribe)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if text.strip() else 0.0


def split_loops(segments: list[dict], threshold: float = LOOP_COMPRESSION) -> tuple[list[dict], list[dict]]:
    """(kept, looped): segments ``{start, end, text, ...}`` whose text compresses more than ``threshold``
    (a token or phrase written over and over) go to ``looped``, with their ratio under ``compression_ratio``."""
    kept, looped = [], []
    for seg in segments:
        ratio = compression_ratio(seg["text"])
        if ratio > threshold:
            looped.append({**seg, "compression_ratio": round(ratio, 2)})
        else:
            kept.append(seg)
    return kept, looped


def text_spans(segments: list[dict]) -> list[tuple[float, float]]:
    """Merged (start, end) ranges in s that got text: each word's time, or the segment's when it has no
    word times."""
    spans = sorted((w["start"], w["end"]) for s in segments for w in (s.get("words") or [s]))
    merged: list[list[float]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def overlap(spans: list[tuple[float, float]], start: float, end: float) -> float:
    """Seconds of ``spans`` ((start, end) in s) inside [start, end]."""
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in spans)


def speech_gaps(speech: list[tuple[float, float]], segments: list[dict], start: float, end: float,
                min_speech: float, loops: list[dict] = ()) -> list[dict]:
    """Stretches of [start, end] (s) without text that hold speech: ``[{start, end, speech, loop}]``.

    ``speech``: the voice-activity detector's ranges (s); ``segments``: the text, with word times. A
    stretch runs from the end of one text range to the start of the next and is a gap when more than
    ``min_speech`` s of speech fall in it, or when a looped segment (``loops``, from :func:`split_loops`)
    lay on speech there (its text was removed, so even a short one is reported). ``start``/``end`` of a gap
    are trimmed to its speech; ``loop`` is the looped segment's text, or None.
    """
    spans = [(max(a, start), min(b, end)) for a, b in text_spans(segments) if b > start and a < end]
    bounds = [start, *[t for span in spans for t in span], end]
    gaps = []
    for a, b in zip(bounds[::2], bounds[1::2], strict=True):
        said = overlap(speech, a, b)
        looped = [x for x in loops if x["end"] > a and x["start"] < b]
        if said <= 0 or (said <= min_speech and not (looped and said > 0.2)):
            continue
        inside = [(max(s, a), min(e, b)) for s, e in speech if e > a and s < b]
        gaps.append({"start": round(inside[0][0], 3), "end": round(inside[-1][1], 3), "speech": round(said, 1),
                     "loop": looped[0]["text"] if looped else None})
    return gaps


def keep_inside(segments: list[dict], start: float, end: float, slack: float = 0.1) -> list[dict]:
    """``segments`` cut to the words that lie in [start - slack, end + slack] (s): re-decoded text for a gap
    must not repeat the text around it. Segments without word times are kept when their middle is inside."""
    out = []
    for seg in segments:
        words = seg.get("words") or []
        if not words:
            if start <= (seg["start"] + seg["end"]) / 2 <= end:
                out.append(seg)
            continue
        inside = [w for w in words if w["start"] >= start - slack and w["end"] <= end + slack]
        if not inside:
            continue
        text = seg["text"] if len(inside) == len(words) else "".join(w["word"] for w in inside).strip()
        out.append({**seg, "start": inside[0]["start"], "end": inside[-1]["end"], "text": text, "words": inside})
    return out


def gap_note(gap: dict, why: str) -> str:
    """One line for transcript.json ``notes``: a stretch of speech that has no text, and why."""
    return f"no text for {gap['speech']:.1f} s of speech at {gap['start']:.1f}-{gap['end']:.1f} s ({why})"


def loop_text(text: str, width: int = 30) -> str:
    """The end of a looped text, for a note (``'…0.0.0.0.0.0.0.0.0.0.'``): where the loop is."""
    text = " ".join(text.split())
    return text if len(text) <= width else "…" + text[-width:]
