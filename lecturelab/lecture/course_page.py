"""``course/index.html``: the course page (inline CSS and JS; the search data and MiniSearch sit beside it).

Static HTML (escaped here) for the lecture list and the concept index, so both read without JavaScript;
the search box builds a MiniSearch index of every transcript sentence in the browser (``sentences.js``,
``minisearch.js``: plain ``<script src>`` so it works from ``file://``) and shows results with
``textContent`` only, never as HTML.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote

from lecturelab.assets import scripts, style
from lecturelab.transcript.format import short_clock

TOP_KEYPHRASES = 8


def lecture_href(lec: dict, seconds: float | None = None) -> str:
    """``../<lecture dir>/transcript.html`` (dir percent-encoded), with ``#t=SECONDS`` when given."""
    href = f"../{quote(lec['dir'])}/transcript.html"
    return href if seconds is None else f"{href}#t={round(seconds, 2):g}"


def _lecture_item(lec: dict) -> str:
    chapters = "".join(f'<li><a href="{escape(lecture_href(lec, c["start"]), quote=True)}">'
                       f'{short_clock(c["start"])}</a> {escape(c["title"])}</li>' for c in lec["chapters"])
    # the lecture's top key concepts when it has them (concepts.json), else its best keyphrases
    top = [c["term"] for c in lec.get("concepts", [])[:TOP_KEYPHRASES]] or \
        [k["phrase"] for k in lec["keyphrases"][:TOP_KEYPHRASES]]
    return (f'<li><a href="{escape(lecture_href(lec), quote=True)}">{escape(lec["name"])}</a> '
            f'<span class="meta">{short_clock(lec["duration"])} · {len(lec["chapters"])} '
            f'chapter{"" if len(lec["chapters"]) == 1 else "s"}</span>'
            + (f'<div class="kps">{escape(", ".join(top))}</div>' if top else "")
            + (f"<details><summary>Chapters</summary><ol>{chapters}</ol></details>" if chapters else "")
            + "</li>")


def _concept_item(n: int, c: dict, lectures: list[dict]) -> str:
    parts, current = [], None
    for i, o in enumerate(c["occurrences"]):
        lec = lectures[o["lecture"]]
        if o["lecture"] != current:
            current = o["lecture"]
            parts.append(f'{"; " if parts else ""}<span class="lec">{escape(lec["name"])}</span>')
        intro = ' class="intro" title="introduced here"' if i == 0 else ""
        parts.append(f' <a{intro} href="{escape(lecture_href(lec, o["start"]), quote=True)}">'
                     f'{short_clock(o["start"])}</a>')
    d, defined = c.get("definition"), ""
    if d:   # the sentence that defines it, linking to that moment
        href = escape(lecture_href(lectures[d["lecture"]], d["start"]), quote=True)
        defined = (f'<div class="def">“{escape(d["text"])}” <a href="{href}">'
                   f'{escape(lectures[d["lecture"]]["name"])} {short_clock(d["start"])}</a></div>')
    key = ' class="key" title="a key concept of a lecture"' if c.get("key_rank") else ""
    return (f'<li id="c{n}"{key} data-key="{escape(c["key"], quote=True)}"><b>{escape(c["phrase"])}</b> '
            f'<span class="meta">×{c["count"]}, introduced in {escape(lectures[c["occurrences"][0]["lecture"]]["name"])}'
            f'</span>{defined}<div class="occ">{"".join(parts)}</div></li>')


def render_course(title: str, lectures: list[dict], concepts: list[dict]) -> str:
    """The whole ``index.html``: every text from a transcript or a file name is HTML-escaped; the lecture
    table for the script is JSON inside ``<script type="application/json">`` with ``<`` escaped."""
    total = sum(lec["duration"] for lec in lectures)
    data = json.dumps([{"name": lec["name"], "href": quote(lec["dir"])} for lec in lectures], ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    body = [f"<h1>{escape(title)}</h1>",
            f'<p class="meta">{len(lectures)} lectures · {short_clock(total)} · {len(concepts)} concepts</p>',
            '<div class="search"><input id="q" type="search" placeholder="Search every transcript" '
            'aria-label="Search every transcript" autocomplete="off"><div id="count" class="meta"></div>'
            '<ol id="results"></ol></div>',
            '<h2 id="lectures">Lectures</h2><ol class="lectures">',
            *(_lecture_item(lec) for lec in lectures), "</ol>",
            '<h2 id="concepts">Concept index</h2><p class="meta">The lectures\' key concepts first, '
            'then every other keyphrase, each with every time it is said; the first (bold) is where it is '
            'introduced.</p><ul class="concepts">',
            *(_concept_item(n, c, lectures) for n, c in enumerate(concepts)), "</ul>"]
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} · course</title>{style('base.css', 'course.css')}</head>"
            f"<body><main>{''.join(body)}</main>"
            f'<script type="application/json" id="lectures-data">{data}</script>'
            '<script src="minisearch.js"></script><script src="sentences.js"></script>'
            f"{scripts('clock.js', 'course.js')}</body></html>\n")
