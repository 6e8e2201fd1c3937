"""Text renderings of a processed transcript: Markdown (keyphrases in bold), SRT and WebVTT subtitles
(keyphrases in ``<b>`` in VTT; SRT players disagree on tags, so SRT stays plain)."""

from __future__ import annotations

import re


def pieces(text: str, seg: dict, spans: list[dict]) -> list[tuple[str, int | None]]:
    """A segment's text cut into (piece, index into ``spans`` or None) runs, in order."""
    out, pos = [], seg["char_start"]
    for i, k in enumerate(spans):
        if k["char_start"] < seg["char_start"] or k["char_end"] > seg["char_end"]:
            continue
        if k["char_start"] < pos:  # overlapping spans cannot happen after decoding; be safe
            continue
        if k["char_start"] > pos:
            out.append((text[pos:k["char_start"]], None))
        out.append((text[k["char_start"]:k["char_end"]], i))
        pos = k["char_end"]
    if pos < seg["char_end"]:
        out.append((text[pos:seg["char_end"]], None))
    return out


def clock(t: float, sep: str = ".", hours: bool = True) -> str:
    """Seconds as ``HH:MM:SS.mmm`` (``sep`` is ``,`` for SRT)."""
    ms = int(round(max(t, 0.0) * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}" if hours or h else f"{m:02d}:{s:02d}{sep}{ms:03d}"


def short_clock(t: float) -> str:
    """``M:SS`` or ``H:MM:SS`` for links in the page and the Markdown."""
    s = int(t)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


_BREAK_AFTER = (".", "?", "!", ",", ";", ":")


def subtitle_cues(doc: dict, max_seconds: float = 7.0) -> list[dict]:
    """Segments cut into cues of at most ``max_seconds`` (where word times allow), for subtitles.

    Batched Whisper makes ~20 s segments, too long to read as one subtitle. Cuts fall between words,
    preferably after punctuation once half the length is reached, and never inside a keyphrase span,
    so each highlighted span stays whole in one cue. Each cue has the segment fields the renderers use.
    """
    inside = {c for k in doc["keyphrases"] for c in range(k["char_start"], k["char_end"])}
    cues: list[dict] = []
    for seg in doc["segments"]:
        words = seg.get("words") or []
        if seg["end"] - seg["start"] <= max_seconds or len(words) < 2:
            cues.append(seg)
            continue
        group = [words[0]]
        for w in words[1:]:
            span = w["end"] - group[0]["start"]
            gap_in_span = group[-1]["char_end"] in inside and w["char_start"] - 1 in inside
            soft = span > max_seconds / 2 and group[-1]["word"].rstrip().endswith(_BREAK_AFTER)
            if (span > max_seconds or soft) and not gap_in_span:
                cues.append(_cue(doc["text"], group))
                group = []
            group.append(w)
        cues.append(_cue(doc["text"], group))
    return [dict(c, id=i) for i, c in enumerate(cues)]


def _cue(text: str, words: list[dict]) -> dict:
    a, b = words[0]["char_start"], words[-1]["char_end"]
    return {"start": words[0]["start"], "end": words[-1]["end"], "char_start": a, "char_end": b,
            "text": text[a:b], "words": words}


def _cue_times(segments: list[dict]) -> list[tuple[float, float]]:
    # cues must not overlap or run backwards even when Whisper's segment times do
    out, prev_end = [], 0.0
    for seg in segments:
        start = max(seg["start"], prev_end)
        end = max(seg["end"], start + 0.01)
        out.append((start, end))
        prev_end = end
    return out


def to_srt(doc: dict) -> str:
    """SubRip subtitles, one cue per segment (long segments cut, see `subtitle_cues`)."""
    cues, segments = [], subtitle_cues(doc)
    for n, (seg, (a, b)) in enumerate(zip(segments, _cue_times(segments), strict=True), 1):
        cues.append(f"{n}\n{clock(a, ',')} --> {clock(b, ',')}\n{seg['text']}\n")
    return "\n".join(cues)


def _vtt_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(doc: dict) -> str:
    """WebVTT subtitles with keyphrases in ``<b>``."""
    lines, segments = ["WEBVTT", ""], subtitle_cues(doc)
    for seg, (a, b) in zip(segments, _cue_times(segments), strict=True):
        body = "".join(f"<b>{_vtt_escape(p)}</b>" if i is not None else _vtt_escape(p)
                       for p, i in pieces(doc["text"], seg, doc["keyphrases"]))
        lines += [str(seg["id"] + 1), f"{clock(a)} --> {clock(b)}", body, ""]
    return "\n".join(lines)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def md_escape(s: str) -> str:
    """Text that a CommonMark / GitHub Markdown viewer shows literally (spaces kept, no line breaks).

    Backslash-escapes the ASCII punctuation that starts inline syntax: backslash, backtick, ``* _``
    (emphasis), ``[ ]`` (links), ``< >`` (raw HTML such as ``<br>``, autolinks), ``&`` (entity references
    such as ``&amp;``), ``#`` and ``|`` (headings, GFM tables) and ``~`` (GFM strikethrough). CommonMark
    allows a backslash before any ASCII punctuation (spec 0.31, "Backslash escapes"). A line break becomes
    a space so transcript text cannot open a block (list, quote, heading).
    """
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s*[\r\n]\s*", " ", str(s)))


def to_markdown(doc: dict, keyphrases: list[dict]) -> str:
    """Transcript as Markdown: keyphrase list, then one paragraph per segment with keyphrases in bold."""
    name = doc["source"]["name"]
    out = [f"# {md_escape(name)}", ""]
    if doc.get("note"):
        out += [f"_{md_escape(doc['note'])}_", ""]
    if keyphrases:
        out += ["## Keyphrases", ""]
        out += [f"- {md_escape(k['phrase'])} ({k['count']}x, first at {short_clock(k['first_time'])})"
                for k in keyphrases]
        out.append("")
    out += ["## Transcript", ""]
    for seg in doc["segments"]:
        body = "".join(f"**{md_escape(p)}**" if i is not None else md_escape(p)
                       for p, i in pieces(doc["text"], seg, doc["keyphrases"]))
        out += [f"[{short_clock(seg['start'])}] {body}", ""]
    return "\n".join(out)
