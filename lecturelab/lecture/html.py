"""``transcript.html``: one self-contained page (inline CSS and JS, no network) for a processed lecture.

The transcript has keyphrases highlighted (``<mark class="kp" id="o<n>">``), timestamps that seek
the player when the media sits beside the page, and a keyphrase index whose entries jump to each
occurrence. The layout is a single column that reads on a phone.
"""

from __future__ import annotations

import base64
import json
from html import escape

from lecturelab.assets import scripts, style
from lecturelab.lecture.chapters import chapters_html, to_chapters_vtt
from lecturelab.lecture.render import pieces, wrap_ranges
from lecturelab.transcript.format import seconds, short_clock

VIDEO_EXT = {".mp4", ".webm", ".mkv", ".mov", ".m4v", ".ogv"}


def _player(media_file: str | None, has_video: bool, chapters: list[dict] | None = None) -> str:
    if not media_file:
        return ""
    src = escape(media_file, quote=True)
    tag = "video" if has_video and any(media_file.lower().endswith(e) for e in VIDEO_EXT) else "audio"
    track = ""
    if chapters:
        # chapters.vtt inline as a data: URL: Chromium refuses a <track src> file beside a file:// page
        # ("'file:' URLs are treated as unique security origins"), and the page must work from disk
        vtt = base64.b64encode(to_chapters_vtt(chapters).encode()).decode()
        track = (f'<track kind="chapters" src="data:text/vtt;base64,{vtt}" srclang="en" label="Chapters" '
                 'default>')
    return (f'<div class="player"><{tag} id="player" controls preload="metadata" src="{src}">'
            f"{track}</{tag}></div>")


def _with_confidence(text: str, a: int, b: int, low: list[dict]) -> str:
    """text[a:b] escaped, with the words in ``low`` (char offsets into ``text``) wrapped in a marked span."""
    return wrap_ranges(text, a, b, low, escape,
                       lambda w: f'<span class="lc" title="heard with probability {w["prob"]:.2f}">', "</span>")


def concepts_html(concepts: list[dict]) -> str:
    """The lecture's top key concepts (concepts.json entries, best first), each seeking to where it is
    first said (``#t=``) with its count."""
    items = "".join(f'<li data-key="{escape(c["key"], quote=True)}"><a class="kw" href="#t={seconds(c["first_time"])}">'
                    f'{escape(c["term"])}</a> <span class="occ">×{c["count"]} from '
                    f'{short_clock(c["first_time"])}</span></li>' for c in concepts)
    return f'<details class="index concepts" open><summary>Key concepts</summary><ol>{items}</ol></details>'


def _turn(seg: dict, previous: str | None) -> str:
    """The speaker's name where a caption turn changes speaker (captions' ``speaker`` labels), else ""."""
    speaker = seg.get("speaker")
    return f'<span class="spk">{escape(speaker)}</span>' if speaker and speaker != previous else ""


def render_html(doc: dict, keyphrases: list[dict], has_video: bool = True,
                low_confidence: float | None = None, chapters: list[dict] | None = None,
                concepts: list[dict] | None = None) -> str:
    """The page for a transcript.json ``doc`` and its keyphrases.json entries.

    Words whose Whisper probability is below ``low_confidence`` (0-1; None: none) get a dotted
    underline and their probability on hover, so a teacher sees what to check. ``chapters``
    (`lecturelab.lecture.chapters`; None: none) adds a chapter list that seeks the player and a
    ``<track kind="chapters" src="chapters.vtt">``. Without media (a lecture read from captions alone)
    there is no player: a time button marks and scrolls to its sentence instead of seeking, and a caption
    segment's ``speaker`` shows where a turn starts. ``concepts`` (the top concepts.json entries; None or []:
    none) lead the index as "Key concepts"; the keyphrase index then lists the rest.
    """
    spans = doc["keyphrases"]
    # occurrence id of each transcript span, so index links and highlights share ids
    occ_id = {(k["char_start"], k["char_end"]): f"o{i}" for i, k in enumerate(spans)}
    name = escape(doc["source"]["name"])
    made = doc.get("transcriber") or {}
    # the model that ran: base when tiny.en handed a non-English lecture over to it
    made_by = (f'captions {escape(str(made.get("file")))}' if made.get("name") == "captions" else
               f'transcribed with {escape(str(doc.get("whisper_model") or made.get("model")))}')
    meta = (f'{short_clock(doc["source"]["duration"])} · {len(doc["segments"])} segments · '
            f'{len(keyphrases)} keyphrases · {made_by}')
    body = [f"<h1>{name}</h1>", f'<p class="meta">{meta}</p>',
            _player(doc["source"].get("media_file"), has_video, chapters)]
    for note in doc.get("notes") or ([doc["note"]] if doc.get("note") else []):
        body.append(f'<p class="note">{escape(note)}</p>')   # one box per note: joined, they ran together
    if chapters:
        body.append(chapters_html(chapters))
    if concepts:
        body.append(concepts_html(concepts))
    top_keys = {c["key"] for c in concepts or []}
    if any(k["key"] not in top_keys for k in keyphrases):
        items = []
        for n, k in enumerate(keyphrases):   # ids k<n>: n is the rank in keyphrases.json
            if k["key"] in top_keys:
                continue
            ids = [occ_id[(o["char_start"], o["char_end"])] for o in k["occurrences"]]
            # spaces between the links give the browser places to wrap a long list on a phone
            links = " ".join(f'<a href="#{i}">{short_clock(o["start"])}</a>'
                            for i, o in zip(ids, k["occurrences"], strict=True))
            items.append(f'<li data-key="{escape(k["key"], quote=True)}"><a class="kw" id="k{n}" '
                         f'href="#{ids[0]}">{escape(k["phrase"])}</a> <span class="occ">×{k["count"]} '
                         f"{links}</span></li>")
        body.append(f'<details class="index" open><summary>{"Other keyphrases" if concepts else "Keyphrases"}'
                    '</summary><ol>'
                    + "".join(items) + "</ol></details>")
    body.append('<section class="transcript">')
    speaker = None
    for seg in doc["segments"]:
        html, pos = [], seg["char_start"]
        low = [w for w in seg["words"] if low_confidence is not None and w.get("prob", 1.0) < low_confidence]
        for text, i in pieces(doc["text"], seg, spans):
            inner = _with_confidence(doc["text"], pos, pos + len(text), low)
            pos += len(text)
            if i is None:
                html.append(inner)
            else:
                k = spans[i]
                html.append(f'<mark class="kp" id="o{i}" data-key="{escape(k["key"], quote=True)}" '
                            f'data-t="{k["start"]}">{inner}</mark>')
        body.append(f'<p class="seg" id="s{seg["id"]}" data-t="{seg["start"]}" data-end="{seg["end"]}">'
                    f'<button class="ts" data-t="{seg["start"]}" title="Play from here">'
                    f'{short_clock(seg["start"])}</button>{_turn(seg, speaker)}{"".join(html)}</p>')
        speaker = seg.get("speaker")
    body.append("</section>")
    data = json.dumps({"keyphrases": [k["key"] for k in keyphrases]}).replace("</", "<\\/")
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{name} · transcript</title>{style('base.css', 'transcript.css')}</head>"
            f"<body><main>{''.join(body)}</main>"
            f'<script type="application/json" id="data">{data}</script>{scripts("transcript.js")}</body></html>\n')
