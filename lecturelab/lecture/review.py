"""``review.html``: one self-contained offline page where a teacher corrects a processed lecture.

The page shows the machine output (``transcript.orig.json`` / ``quiz.orig.json`` once ``lecturelab apply``
has run, else ``transcript.json`` / ``quiz.json``) with the edits already applied (``edits.applied.json``)
filled in: every word is a text field (low-confidence words highlighted and listed first), keyphrases
can be removed or added, questions edited, deleted and moved. "Save edits.json" downloads all edits
(the format is in `lecturelab.lecture.edits`) with a Blob link: no server, the browser writes nothing.

The lecture travels as JSON in a ``<script type="application/json">`` block with ``< > &`` escaped as
``\\u003c`` etc., and the page fills its DOM through ``textContent`` and ``value`` only, so transcript
text such as ``<script>`` is shown, never run.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from lecturelab.io import write_text
from lecturelab.lecture.edits import EDITS_VERSION
from lecturelab.lecture.highlight import group_keyphrases
from lecturelab.transcript.document import lecture_id, read_json_object, read_transcript
from lecturelab.transcript.manifest import APPLIED_FILE, ORIG_QUIZ, ORIG_TRANSCRIPT

REVIEW_FILE = "review.html"

CSS = """
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--lc:#fde68a;--ed:#bbf7d0;--bad:#fecaca}
*{box-sizing:border-box}
body{margin:0;font:16px/1.7 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg)}
main{max-width:52rem;margin:0 auto;padding:0 1rem 4rem}
h1{font-size:1.35rem;margin:1rem 0 .2rem;overflow-wrap:anywhere} h2{font-size:1.1rem;margin:1.6rem 0 .4rem}
.bar{position:sticky;top:0;z-index:2;background:#fff;padding:.5rem 0;border-bottom:1px solid var(--line)}
.muted,.t{color:var(--muted);font-size:.85rem}
input.w{font:inherit;border:0;border-bottom:1px dotted #9ca3af;padding:0 .1rem;margin:0 .05rem;background:none}
input.w.lc{background:var(--lc)} input.w.ed{background:var(--ed)}
#check li{margin:.15rem 0} .seg{margin:.4rem 0}
#keyphrases{display:flex;flex-wrap:wrap;gap:0 1.2rem;list-style:none;padding:0}
#keyphrases li.off span{text-decoration:line-through;color:var(--muted)}
section.q{border:1px solid var(--line);border-radius:.5rem;padding:.5rem .8rem;margin:.8rem 0}
section.q.deleted{opacity:.45} section.q.bad{border-color:#b91c1c;background:#fef2f2}
section.q textarea{width:100%;font:inherit} section.q input.opt,section.q input.answer{width:80%;font:inherit}
section.q label{display:block}
"""

JS = r"""
"use strict";
const D = JSON.parse(document.getElementById("review-data").textContent);
const E = D.edits || {};
const el = (tag, props, text) => { const e = Object.assign(document.createElement(tag), props || {});
  if (text !== undefined) e.textContent = text; return e; };
const clock = s => { s = Math.floor(s); const m = Math.floor(s / 60), r = String(s % 60).padStart(2, "0");
  return m >= 60 ? Math.floor(m / 60) + ":" + String(m % 60).padStart(2, "0") + ":" + r : m + ":" + r; };
// current words: the machine's, with the applied edits filled in
const words = D.segments.map(s => s.words.slice());
for (const e of E.words || []) words[e.segment][e.word] = e.to;
const wordInputs = {};
const fit = inp => { inp.style.width = (Math.max(inp.value.length, 1) * 0.62 + 0.4) + "em"; };
function wordInput(s, w) {
  const orig = D.segments[s].words[w], p = D.segments[s].probs[w];
  const inp = el("input", {className: "w", value: words[s][w],
                           title: "heard: " + orig + (p === null ? "" : " (probability " + p.toFixed(2) + ")")});
  inp.dataset.s = s; inp.dataset.w = w; fit(inp);
  if (p !== null && D.low !== null && p < D.low) inp.classList.add("lc");
  const key = s + ":" + w; (wordInputs[key] = wordInputs[key] || []).push(inp);
  inp.addEventListener("input", () => {
    words[s][w] = inp.value;
    for (const other of wordInputs[key]) { if (other !== inp) other.value = inp.value;
      fit(other); other.classList.toggle("ed", inp.value.trim() !== orig); }
  });
  inp.classList.toggle("ed", words[s][w].trim() !== orig);
  return inp;
}
// words to check first: the least sure first
const low = [];
D.segments.forEach((seg, s) => seg.probs.forEach((p, w) => { if (p !== null && D.low !== null && p < D.low) low.push([p, s, w]); }));
low.sort((a, b) => a[0] - b[0]);
const check = document.getElementById("check");
if (!low.length) check.appendChild(el("li", {className: "muted"}, "No word below the confidence threshold."));
for (const [p, s, w] of low) {
  const li = el("li");
  const ctx = D.segments[s].words;
  li.appendChild(el("span", {className: "t"}, clock(D.segments[s].start) + " · " + p.toFixed(2) + " · "));
  li.appendChild(el("span", {}, ctx.slice(Math.max(w - 4, 0), w).join(" ") + " "));
  li.appendChild(wordInput(s, w));
  li.appendChild(el("span", {}, " " + ctx.slice(w + 1, w + 5).join(" ")));
  check.appendChild(li);
}
const tr = document.getElementById("transcript");
D.segments.forEach((seg, s) => {
  const p = el("p", {className: "seg"});
  p.appendChild(el("span", {className: "t"}, clock(seg.start) + " "));
  if (!seg.words.length) p.appendChild(el("span", {}, seg.text));
  seg.words.forEach((_, w) => { p.appendChild(wordInput(s, w)); p.appendChild(document.createTextNode(" ")); });
  tr.appendChild(p);
});
// keyphrases: a checkbox keeps each one; added ones can be taken back
const removed = new Set((E.keyphrases || {}).remove || []), added = ((E.keyphrases || {}).add || []).slice();
const kpList = document.getElementById("keyphrases");
function drawKeyphrases() {
  kpList.textContent = "";
  for (const k of D.keyphrases) {
    const li = el("li"), box = el("input", {type: "checkbox", checked: !removed.has(k.phrase)});
    box.dataset.phrase = k.phrase;
    box.addEventListener("change", () => { box.checked ? removed.delete(k.phrase) : removed.add(k.phrase); drawKeyphrases(); });
    li.classList.toggle("off", removed.has(k.phrase));
    const label = el("label"); label.appendChild(box); label.appendChild(el("span", {}, " " + k.phrase + " "));
    label.appendChild(el("span", {className: "t"}, "×" + k.count)); li.appendChild(label); kpList.appendChild(li);
  }
  added.forEach((phrase, i) => {
    const li = el("li"); li.appendChild(el("span", {}, phrase + " (added) "));
    const b = el("button", {type: "button", className: "kp-undo"}, "remove");
    b.addEventListener("click", () => { added.splice(i, 1); drawKeyphrases(); }); li.appendChild(b); kpList.appendChild(li);
  });
}
drawKeyphrases();
document.getElementById("kp-add").addEventListener("click", () => {
  const inp = document.getElementById("kp-new"), v = inp.value.trim().replace(/\s+/g, " ");
  if (v && !added.includes(v)) added.push(v);
  inp.value = ""; drawKeyphrases();
});
// questions: the machine's, with the applied edits, in the applied order
const FIELDS = ["stem", "options", "answer", "accepted", "explanation"];
const TYPE = {blank: "fill in the blank", mcq: "multiple choice", tf: "true/false", short: "short answer"};
const origQ = {}; let qs = [];
if (D.quiz) {
  const qe = {}; for (const e of E.questions || []) qe[e.id] = e;
  for (const q of D.quiz.questions) { origQ[q.id] = q;
    const cur = JSON.parse(JSON.stringify(q)); Object.assign(cur, qe[q.id] || {});
    cur.deleted = !!(qe[q.id] || {}).delete; delete cur.delete; qs.push(cur); }
  if (E.order) { const r = {}; E.order.forEach((id, i) => r[id] = i);
    qs.sort((a, b) => (a.id in r ? r[a.id] : 1e9) - (b.id in r ? r[b.id] : 1e9)); }
}
const qBox = document.getElementById("questions");
function drawQuestions() {
  qBox.textContent = "";
  if (!D.quiz) { qBox.appendChild(el("p", {className: "muted"}, "This lecture has no quiz.")); return; }
  qs.forEach((q, i) => {
    const sec = el("section", {className: "q" + (q.deleted ? " deleted" : "")}); sec.dataset.id = q.id;
    const head = el("div");
    head.appendChild(el("b", {}, (i + 1) + ". ")); head.appendChild(el("span", {className: "t"}, TYPE[q.type] + " · " + q.id + " "));
    const btn = (cls, text, f) => { const b = el("button", {type: "button", className: cls}, text);
      b.addEventListener("click", f); head.appendChild(b); };
    btn("up", "↑", () => { if (i > 0) { [qs[i - 1], qs[i]] = [qs[i], qs[i - 1]]; drawQuestions(); } });
    btn("down", "↓", () => { if (i < qs.length - 1) { [qs[i + 1], qs[i]] = [qs[i], qs[i + 1]]; drawQuestions(); } });
    btn("delete", q.deleted ? "restore" : "delete", () => { q.deleted = !q.deleted; drawQuestions(); });
    sec.appendChild(head);
    const area = (cls, value, f) => { const t = el("textarea", {className: cls, rows: 2, value: value});
      t.addEventListener("input", () => f(t.value)); return t; };
    sec.appendChild(area("stem", q.stem, v => q.stem = v));
    if (q.type === "mcq") {
      q.options.forEach((o, j) => {
        const row = el("label"), r = el("input", {type: "radio", name: "ans-" + q.id, checked: o === q.answer});
        const inp = el("input", {className: "opt", value: o});
        r.addEventListener("change", () => { q.answer = q.options[j]; });
        inp.addEventListener("input", () => { if (q.answer === q.options[j]) q.answer = inp.value; q.options[j] = inp.value; });
        const x = el("button", {type: "button", className: "opt-del"}, "×");
        x.addEventListener("click", () => { q.options.splice(j, 1); drawQuestions(); });
        row.appendChild(r); row.appendChild(inp); row.appendChild(x); sec.appendChild(row);
      });
      const more = el("button", {type: "button", className: "opt-add"}, "+ option");
      more.addEventListener("click", () => { q.options.push(""); drawQuestions(); }); sec.appendChild(more);
    } else if (q.type === "tf") {
      const s = el("select", {className: "answer"});
      for (const v of ["True", "False"]) s.appendChild(el("option", {value: v, selected: v === q.answer}, v));
      s.addEventListener("change", () => q.answer = s.value); sec.appendChild(s);
    } else {
      const a = el("input", {className: "answer", value: q.answer});
      a.addEventListener("input", () => q.answer = a.value);
      const l = el("label", {}, "Answer: "); l.appendChild(a); sec.appendChild(l);
      const acc = area("accepted", (q.accepted || []).join("\n"), v => q.accepted = v.split("\n").map(x => x.trim()).filter(x => x));
      const l2 = el("label", {className: "t"}, "Also accepted (one per line):"); l2.appendChild(acc); sec.appendChild(l2);
    }
    const l3 = el("label", {className: "t"}, "Explanation:"); l3.appendChild(area("explanation", q.explanation, v => q.explanation = v));
    sec.appendChild(l3); qBox.appendChild(sec);
  });
}
drawQuestions();
function collect() {
  const out = {schema_version: D.version, lecture: D.lecture, words: [],
               keyphrases: {add: added.slice(), remove: D.keyphrases.map(k => k.phrase).filter(p => removed.has(p))},
               questions: []};
  D.segments.forEach((seg, s) => seg.words.forEach((o, w) => {
    const v = words[s][w].trim().replace(/\s+/g, " ");
    if (v !== o) out.words.push({segment: s, word: w, from: o, to: v}); }));
  for (const q of qs) {
    if (q.deleted) { out.questions.push({id: q.id, delete: true}); continue; }
    const e = {id: q.id};
    for (const f of FIELDS) if (JSON.stringify(q[f]) !== JSON.stringify(origQ[q.id][f]) && q[f] !== undefined) e[f] = q[f];
    if (Object.keys(e).length > 1) out.questions.push(e);
  }
  const kept = qs.filter(q => !q.deleted).map(q => q.id);
  const before = D.quiz ? D.quiz.questions.map(q => q.id).filter(id => kept.includes(id)) : [];
  if (JSON.stringify(kept) !== JSON.stringify(before)) out.order = kept;
  return out;
}
document.getElementById("save").addEventListener("click", () => {
  const edits = collect();
  const bad = qs.filter(q => !q.deleted && q.type === "mcq" && !q.options.includes(q.answer)).map(q => q.id);
  document.querySelectorAll("section.q").forEach(s => s.classList.toggle("bad", bad.includes(s.dataset.id)));
  const a = document.getElementById("download");
  if (a.href) URL.revokeObjectURL(a.href);
  a.href = URL.createObjectURL(new Blob([JSON.stringify(edits, null, 1) + "\n"], {type: "application/json"}));
  a.download = "edits.json"; a.hidden = false; a.click();
  document.getElementById("status").textContent = edits.words.length + " words, " +
    (edits.keyphrases.add.length + edits.keyphrases.remove.length) + " keyphrases, " + edits.questions.length +
    " questions changed" + (bad.length ? "; check the answers of " + bad.join(", ") : "") +
    ". Then: lecturelab apply <this folder> edits.json";
});
"""


def _json_for_script(obj) -> str:
    """JSON safe inside ``<script>``: ``< > &`` as unicode escapes, so ``</script>`` cannot end the block."""
    return (json.dumps(obj, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_review(doc: dict, keyphrases: list[dict], quiz: dict | None, edits: dict | None = None,
                  low_confidence: float | None = 0.5) -> str:
    """The review page for the machine output: ``doc`` (transcript.json), its keyphrases.json entries,
    ``quiz`` (quiz.json or None), the ``edits`` applied so far (None: none) and the probability (0-1)
    below which a word is highlighted and listed first (None: no word)."""
    segments = [{"start": s["start"], "text": s["text"], "words": [w["word"].strip() for w in s["words"]],
                 "probs": [w.get("prob") for w in s["words"]]} for s in doc["segments"]]
    data = {"version": EDITS_VERSION, "lecture": {"id": lecture_id(doc), "name": doc["source"]["name"]},
            "low": low_confidence, "segments": segments,
            "keyphrases": [{"phrase": k["phrase"], "count": k["count"]} for k in keyphrases],
            "quiz": None if quiz is None else {"questions": quiz["questions"]}, "edits": edits or {}}
    name = escape(doc["source"]["name"])
    below = "" if low_confidence is None else f" (probability below {low_confidence:g})"
    body = (f"<h1>Review: {name}</h1>"
            '<div class="bar"><button type="button" id="save">Save edits.json</button> '
            '<a id="download" hidden>download edits.json again</a> <span id="status" class="muted"></span></div>'
            f'<p class="muted">Correct words, keyphrases and questions, save, then run '
            f"<code>lecturelab apply &lt;lecture folder&gt; edits.json</code>: it rewrites the transcript, "
            f"subtitles and quiz exports. Edits start from the machine output, so saving again keeps all of them.</p>"
            f"<h2>Words to check first{escape(below)}</h2><ol id=\"check\"></ol>"
            '<h2>Keyphrases</h2><ul id="keyphrases"></ul>'
            '<p><input id="kp-new" placeholder="add a keyphrase"> <button type="button" id="kp-add">Add</button></p>'
            '<h2>Questions</h2><p class="muted">A question from a sentence with a corrected word gets the '
            "correction when the edits are applied.</p>"
            '<div id="questions"></div>'
            '<h2>Transcript</h2><section id="transcript"></section>')
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{name} · review</title><style>{CSS}</style></head><body><main>{body}</main>"
            f'<script type="application/json" id="review-data">{_json_for_script(data)}</script>'
            f"<script>{JS}</script></body></html>\n")


def write_review(folder: str | Path, low_confidence: float | None = 0.5) -> Path:
    """Write ``folder/review.html`` from the machine output in ``folder`` (the ``*.orig.json`` files when
    edits were applied, with ``edits.applied.json`` filled in). Returns the path."""
    folder = Path(folder)
    orig = folder / ORIG_TRANSCRIPT
    doc = read_transcript(folder, ORIG_TRANSCRIPT if orig.is_file() else "transcript.json")
    quiz_file = folder / (ORIG_QUIZ if orig.is_file() else "quiz.json")
    quiz = read_json_object(quiz_file) if quiz_file.is_file() else None
    applied = folder / APPLIED_FILE
    edits = read_json_object(applied) if orig.is_file() and applied.is_file() else None
    # spans of text-only lectures (lecturelab.lecture.textlecture.write_lecture) carry no segment id
    keyphrases = group_keyphrases([{"segment": 0, **k} for k in doc["keyphrases"]], doc["text"])
    return write_text(folder / REVIEW_FILE, render_review(doc, keyphrases, quiz, edits, low_confidence))
