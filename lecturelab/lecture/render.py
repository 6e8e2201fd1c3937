"""Text renderings of a processed transcript: Markdown (keyphrases in bold), SRT and WebVTT subtitles
(keyphrases in ``<b>`` in VTT; SRT players disagree on tags, so SRT stays plain). Cue layout and timing
are in `lecturelab.lecture.cues`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta

import srt
import webvtt
from webvtt.models import Timestamp

from lecturelab.lecture.cues import CueRules, cue_rules, subtitle_cues
from lecturelab.transcript.format import md_escape, short_clock


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


def _rules(rules: CueRules | Mapping | None) -> CueRules:
    return rules if isinstance(rules, CueRules) else cue_rules(rules)


def to_srt(doc: dict, rules: CueRules | Mapping | None = None) -> str:
    """SubRip subtitles written by the ``srt`` library; cues as `subtitle_cues` lays them out.

    ``rules``: a `CueRules` or the ``subtitles:`` config mapping (None: defaults). SRT has no escaping and
    players disagree on tags, so the text stays plain. Raises ValueError for a bad ``rules`` key."""
    cues = subtitle_cues(doc, _rules(rules))
    return srt.compose([srt.Subtitle(c["id"] + 1, timedelta(seconds=c["start"]), timedelta(seconds=c["end"]),
                                     "\n".join(c["lines"])) for c in cues])


def vtt_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def wrap_ranges(text: str, a: int, b: int, ranges: list[dict], escape, open_tag, close_tag: str) -> str:
    """``text[a:b]`` escaped with ``escape``, the parts inside ``ranges`` (dicts with ``char_start`` /
    ``char_end`` into ``text``, sorted, not overlapping) wrapped in ``open_tag(range)`` ... ``close_tag``."""
    out, pos = [], a
    for r in ranges:
        s, e = max(r["char_start"], pos), min(r["char_end"], b)
        if s >= e:
            continue
        out += [escape(text[pos:s]), open_tag(r), escape(text[s:e]), close_tag]
        pos = e
    out.append(escape(text[pos:b]))
    return "".join(out)


def _marked(text: str, a: int, b: int, spans: list[dict]) -> str:
    """text[a:b] escaped for WebVTT with the parts inside keyphrase spans in ``<b>``."""
    return re.sub(r"\s+", " ", wrap_ranges(text, a, b, spans, vtt_escape, lambda _: "<b>", "</b>"))


def to_vtt(doc: dict, rules: CueRules | Mapping | None = None) -> str:
    """WebVTT subtitles written by ``webvtt-py``, keyphrases in ``<b>`` (closed and reopened at a line
    break), ``& < >`` escaped as the WebVTT spec asks. ``rules`` as in `to_srt`."""
    spans = sorted(doc["keyphrases"], key=lambda k: k["char_start"])
    captions = [webvtt.Caption(str(Timestamp.from_seconds(c["start"])), str(Timestamp.from_seconds(c["end"])),
                               [_marked(doc["text"], a, b, spans) for a, b in c["line_spans"]],
                               identifier=str(c["id"] + 1))
                for c in subtitle_cues(doc, _rules(rules))]
    return webvtt.WebVTT(captions=captions).content


def to_markdown(doc: dict, keyphrases: list[dict], chapters: list[dict] | None = None) -> str:
    """Transcript as Markdown: keyphrase list, then one paragraph per segment with keyphrases in bold;
    ``chapters`` (None: none) add a ``### 0:00 Title`` heading where each chapter starts."""
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
    # segment id -> "### 0:00 Title" heading line (titles Markdown-escaped)
    headings = {c["first_segment"]: f"### {short_clock(c['start'])} {md_escape(c['title'])}"
                for c in chapters or []}
    for seg in doc["segments"]:
        if seg["id"] in headings:
            out += [headings[seg["id"]], ""]
        body = "".join(f"**{md_escape(p)}**" if i is not None else md_escape(p)
                       for p, i in pieces(doc["text"], seg, doc["keyphrases"]))
        out += [f"[{short_clock(seg['start'])}] {body}", ""]
    return "\n".join(out)
