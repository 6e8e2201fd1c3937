"""Post-filter for Whisper's repetition loops: a sentence said once, written out again and again.

Whisper (and so faster-whisper) falls into loops at the end of audio and over quiet or non-speech
stretches: the decoder, conditioned on its own earlier text, emits a sentence it already wrote,
several times in a few seconds (openai/whisper discussions #679 and #1783). Decoding options lower
the odds (``condition_on_previous_text=false``, compression-ratio and log-probability fallbacks,
``hallucination_silence_threshold``, VAD); this filter removes what still gets through.
"""

from __future__ import annotations

import re

from lecturelab.transcript.sentences import sentence_spans

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def sentence_key(text: str) -> str:
    """Lower-cased words of ``text`` joined by one space (punctuation and case ignored)."""
    return " ".join(_WORD.findall(text.lower()))


def _sentences(text: str) -> list[str]:
    text = text.strip()
    return [text[a:b] for a, b in sentence_spans(text)]


def drop_repeats(segments: list[dict], min_words: int = 4) -> tuple[list[dict], list[dict]]:
    """Remove repeated sentences from Whisper segments ``{start, end, text, words}`` (times in s).

    * Inside a segment, a sentence of at least ``min_words`` words that repeats an earlier sentence of the
      same segment is cut, with its share of the segment's words (``A. A. A.`` -> ``A.``).
    * A whole segment whose every sentence (at least ``min_words`` words in all) was already written in
      an earlier kept segment is dropped.

    Shorter sentences ("Thank you.", "Yes.") may repeat legitimately and are kept. Returns
    ``(kept segments, removed)``, removed = ``[{start, end, text}]`` for the ``notes`` of transcript.json.
    """
    seen: set[str] = set()
    kept, removed = [], []
    for seg in segments:
        sents = _sentences(seg["text"])
        keys = [sentence_key(s) for s in sents]
        if keys and sum(len(k.split()) for k in keys) >= min_words and all(k in seen for k in keys if k):
            removed.append({"start": seg["start"], "end": seg["end"], "text": seg["text"]})
            continue
        drop, inner = [], set()
        for i, k in enumerate(keys):
            if k and len(k.split()) >= min_words and k in inner:
                drop.append(i)
            inner.add(k)
        if drop:
            removed.append({"start": seg["start"], "end": seg["end"], "text": " ".join(sents[i] for i in drop)})
            seg = _cut_sentences(seg, sents, drop)
        seen.update(k for k in keys if k)
        kept.append(seg)
    return kept, removed


def _cut_sentences(seg: dict, sents: list[str], drop: list[int]) -> dict:
    """``seg`` without the sentences at indices ``drop``; words go with their sentence when the word count
    matches the text's, else the segment's last words are cut in proportion."""
    words = seg.get("words") or []
    counts = [len(s.split()) for s in sents]
    if sum(counts) == len(words):
        bounds = [sum(counts[:i]) for i in range(len(counts) + 1)]
        words = [w for i in range(len(sents)) if i not in drop for w in words[bounds[i]:bounds[i + 1]]]
    elif words:
        words = words[:max(1, round(len(words) * (1 - sum(counts[i] for i in drop) / max(1, sum(counts)))))]
    text = " ".join(s for i, s in enumerate(sents) if i not in drop)
    return {**seg, "text": text, "words": words, "end": words[-1]["end"] if words else seg["end"]}


def loop_note(removed: list[dict]) -> str | None:
    """One line for transcript.json ``notes``: how much repeated text was removed, and where."""
    if not removed:
        return None
    where = ", ".join(f"{r['start']:.1f}-{r['end']:.1f} s" for r in removed[:5])
    more = f" and {len(removed) - 5} more" if len(removed) > 5 else ""
    return (f"removed {len(removed)} repeated passage(s) at {where}{more} "
            "(Whisper repetition loop: text already transcribed earlier)")
