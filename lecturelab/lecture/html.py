"""``transcript.html``: one self-contained page (inline CSS and JS, no network) for a processed lecture.

The transcript has keyphrases highlighted (``<mark class="kp" id="o<n>">``), timestamps that seek
the player when the media sits beside the page, and a keyphrase index whose entries jump to each
occurrence. The layout is a single column that reads on a phone.
"""

from __future__ import annotations

import base64
import json
from html import escape

from lecturelab.lecture.chapters import chapters_html, to_chapters_vtt
from lecturelab.lecture.render import pieces, short_clock, wrap_ranges

VIDEO_EXT = {".mp4", ".webm", ".mkv", ".mov", ".m4v", ".ogv"}

CSS = """
:root{--fg:#1f2937;--muted:#6b7280;--kp:#fde68a;--kp-on:#f59e0b;--bg:#fff;--line:#e5e7eb}
*{box-sizing:border-box}
body{margin:0;font:17px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:46rem;margin:0 auto;padding:0 1rem 4rem}
h1{font-size:1.4rem;margin:1rem 0 .25rem;overflow-wrap:anywhere}
.meta{color:var(--muted);font-size:.85rem;margin:0 0 1rem}
.player{position:sticky;top:0;z-index:2;background:var(--bg);padding:.5rem 0;border-bottom:1px solid var(--line)}
.player video,.player audio{width:100%;max-height:40vh;display:block}
details.index{margin:1rem 0;border:1px solid var(--line);border-radius:.5rem;padding:.5rem .75rem}
details.index summary{cursor:pointer;font-weight:600}
.index ol{margin:.5rem 0 0;padding-left:1.25rem}
.index li{margin:.2rem 0}
.index a{color:inherit}
.occ{font-size:.8rem;color:var(--muted);margin-left:.25rem}
.occ a{margin-right:.35rem}
.note{padding:.75rem;border-radius:.5rem;background:#f3f4f6}
.seg{margin:.6rem 0;scroll-margin-top:45vh}
.ts{font:inherit;font-size:.8rem;color:var(--muted);background:none;border:1px solid var(--line);
    border-radius:.3rem;padding:0 .3rem;margin-right:.4rem;cursor:pointer;min-width:3.2rem}
.lc{text-decoration:underline dotted #b45309;text-underline-offset:.2em;cursor:help}
mark.kp{background:var(--kp);border-radius:.2rem;padding:0 .1rem;scroll-margin-top:45vh}
mark.kp.active{background:var(--kp-on);outline:2px solid var(--kp-on)}
.seg.now{background:#eff6ff}
.spk{font-size:.8rem;font-weight:600;color:var(--muted);margin-right:.4rem}
.chapters .ts{margin-top:.1rem}
.chapters .sum{font-size:.8rem;color:var(--muted)}
.course{font-size:.85rem;margin:.5rem 0 0}
"""

JS = r"""
(function(){
  var player = document.getElementById('player');
  function seek(t){ if(player){ player.currentTime = t; } }
  // the sentence spoken at t: marked and scrolled to (without media, what a time button does)
  function show(t){
    var at = null;
    document.querySelectorAll('.seg').forEach(function(s){ s.classList.remove('now'); if(+s.dataset.t <= t + 0.001) at = s; });
    if(at){ at.classList.add('now'); at.scrollIntoView({block:'center'}); }
  }
  if(!player) document.querySelectorAll('.ts').forEach(function(b){ b.title = 'Show this moment in the transcript'; });
  function activate(el){
    document.querySelectorAll('mark.kp.active').forEach(function(m){ m.classList.remove('active'); });
    if(!el) return;
    if(el.classList.contains('kp')) el.classList.add('active');
    el.scrollIntoView({block:'center'});
    if(el.dataset.t) seek(parseFloat(el.dataset.t));
  }
  document.addEventListener('click', function(ev){
    var ts = ev.target.closest('.ts');
    if(ts && !player){ show(parseFloat(ts.dataset.t)); return; }
    if(ts){ seek(parseFloat(ts.dataset.t)); if(player && player.paused){ var p = player.play(); if(p) p.catch(function(){}); } return; }
    var mk = ev.target.closest('mark.kp');
    if(mk){ seek(parseFloat(mk.dataset.t)); return; }
    var a = ev.target.closest('a[href^="#o"]');
    if(a){ ev.preventDefault(); var el = document.getElementById(a.getAttribute('href').slice(1));
           history.replaceState(null, '', a.getAttribute('href')); activate(el); }
  });
  if(player){
    var segs = Array.prototype.slice.call(document.querySelectorAll('.seg'));
    player.addEventListener('timeupdate', function(){
      var t = player.currentTime;
      segs.forEach(function(s){ s.classList.toggle('now', t >= +s.dataset.t && t < +s.dataset.end); });
    });
  }
  if(location.hash.indexOf('#o') === 0) activate(document.getElementById(location.hash.slice(1)));
  // #t=SECONDS (the course index links here): seek and show the sentence spoken then
  var tm = /^#t=(\d+(?:\.\d+)?)$/.exec(location.hash);
  if(tm){
    var t = parseFloat(tm[1]);
    show(t);
    // seek once the metadata is in: an earlier seek aborts the player's first request
    if(player && player.readyState < 1) player.addEventListener('loadedmetadata', function(){ seek(t); }, {once: true});
    else seek(t);
  }
})();
"""


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


def _turn(seg: dict, previous: str | None) -> str:
    """The speaker's name where a caption turn changes speaker (captions' ``speaker`` labels), else ""."""
    speaker = seg.get("speaker")
    return f'<span class="spk">{escape(speaker)}</span>' if speaker and speaker != previous else ""


def render_html(doc: dict, keyphrases: list[dict], has_video: bool = True,
                low_confidence: float | None = None, chapters: list[dict] | None = None) -> str:
    """The page for a transcript.json ``doc`` and its keyphrases.json entries.

    Words whose Whisper probability is below ``low_confidence`` (0-1; None: none) get a dotted
    underline and their probability on hover, so a teacher sees what to check. ``chapters``
    (`lecturelab.lecture.chapters`; None: none) adds a chapter list that seeks the player and a
    ``<track kind="chapters" src="chapters.vtt">``. Without media (a lecture read from captions alone)
    there is no player: a time button marks and scrolls to its sentence instead of seeking, and a caption
    segment's ``speaker`` shows where a turn starts.
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
    if keyphrases:
        items = []
        for n, k in enumerate(keyphrases):
            ids = [occ_id[(o["char_start"], o["char_end"])] for o in k["occurrences"]]
            # spaces between the links give the browser places to wrap a long list on a phone
            links = " ".join(f'<a href="#{i}">{short_clock(o["start"])}</a>'
                            for i, o in zip(ids, k["occurrences"], strict=True))
            items.append(f'<li data-key="{escape(k["key"], quote=True)}"><a class="kw" id="k{n}" '
                         f'href="#{ids[0]}">{escape(k["phrase"])}</a> <span class="occ">×{k["count"]} '
                         f"{links}</span></li>")
        body.append('<details class="index" open><summary>Keyphrases</summary><ol>'
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
            f"<title>{name} · transcript</title><style>{CSS}</style></head>"
            f"<body><main>{''.join(body)}</main>"
            f'<script type="application/json" id="data">{data}</script><script>{JS}</script></body></html>\n')
