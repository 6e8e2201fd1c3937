"""Text renderings of a processed transcript: Markdown (keyphrases in bold), SRT and WebVTT subtitles
(keyphrases in ``<b>`` in VTT; SRT players disagree on tags, so SRT stays plain)."""

from __future__ import annotations


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
    """SubRip subtitles, one cue per segment."""
    cues = []
    for n, (seg, (a, b)) in enumerate(zip(doc["segments"], _cue_times(doc["segments"]), strict=True), 1):
        cues.append(f"{n}\n{clock(a, ',')} --> {clock(b, ',')}\n{seg['text']}\n")
    return "\n".join(cues)


def _vtt_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(doc: dict) -> str:
    """WebVTT subtitles with keyphrases in ``<b>``."""
    lines = ["WEBVTT", ""]
    for seg, (a, b) in zip(doc["segments"], _cue_times(doc["segments"]), strict=True):
        body = "".join(f"<b>{_vtt_escape(p)}</b>" if i is not None else _vtt_escape(p)
                       for p, i in pieces(doc["text"], seg, doc["keyphrases"]))
        lines += [str(seg["id"] + 1), f"{clock(a)} --> {clock(b)}", body, ""]
    return "\n".join(lines)


def _md_escape(s: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in s)


def to_markdown(doc: dict, keyphrases: list[dict]) -> str:
    """Transcript as Markdown: keyphrase list, then one paragraph per segment with keyphrases in bold."""
    name = doc["source"]["name"]
    out = [f"# {_md_escape(name)}", ""]
    if doc.get("note"):
        out += [f"_{_md_escape(doc['note'])}_", ""]
    if keyphrases:
        out += ["## Keyphrases", ""]
        out += [f"- {_md_escape(k['phrase'])} ({k['count']}x, first at {short_clock(k['first_time'])})"
                for k in keyphrases]
        out.append("")
    out += ["## Transcript", ""]
    for seg in doc["segments"]:
        body = "".join(f"**{_md_escape(p)}**" if i is not None else _md_escape(p)
                       for p, i in pieces(doc["text"], seg, doc["keyphrases"]))
        out += [f"[{short_clock(seg['start'])}] {body}", ""]
    return "\n".join(out)
