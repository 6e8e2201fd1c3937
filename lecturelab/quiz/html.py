"""quiz.html: a self-contained interactive quiz (no network, no libraries).

The questions travel as JSON inside a ``<script type="application/json">`` block with ``< > &``
escaped, and the page builds its DOM with ``textContent`` only, so transcript text such as
``<script>`` is shown, never run. After "Check answers" each question shows right/wrong, the answer,
the source sentence and a link to ``transcript.html#t=<seconds>``, the moment it is explained.
"""

from __future__ import annotations

import html
import json

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quiz: __TITLE__</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5;
       overflow-wrap: anywhere; }   /* a long file name in the title must not widen a phone screen */
section.q { border: 1px solid #ccc; border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; }
section.q.correct { border-color: #2a7d2a; background: #f0faf0; }
section.q.wrong { border-color: #b02a2a; background: #fdf0f0; }
.meta { color: #666; font-size: .85rem; }
label { display: block; margin: .2rem 0; }
.feedback { margin-top: .5rem; }
.note { background: #fff7d6; padding: .4rem .8rem; border-radius: 4px; }
#score { font-weight: bold; font-size: 1.1rem; }
</style>
</head>
<body>
<h1>Quiz: __TITLE__</h1>
<div id="notes"></div>
<form id="quiz" autocomplete="off" onsubmit="return false"></form>
<p><button type="button" id="check">Check answers</button> <button type="button" id="reset">Try again</button></p>
<p id="score" aria-live="polite"></p>
<script type="application/json" id="quiz-data">__DATA__</script>
<script>
"use strict";
const quiz = JSON.parse(document.getElementById("quiz-data").textContent);
const TYPE = {blank: "fill in the blank", mcq: "multiple choice", tf: "true/false", short: "short answer"};
const el = (tag, props, text) => {
  const e = Object.assign(document.createElement(tag), props || {});
  if (text !== undefined) e.textContent = text;
  return e;
};
// lenient match for typed answers: case, punctuation and a plural "s" do not matter
const norm = s => s.toLowerCase().replace(/[^\\p{L}\\p{N}]+/gu, " ").trim().split(/\\s+/)
  .map(w => w.length > 3 && w.endsWith("s") ? w.slice(0, -1) : w).join(" ");
const clock = s => { s = Math.floor(s); const m = Math.floor(s / 60), r = String(s % 60).padStart(2, "0");
  return m >= 60 ? Math.floor(m / 60) + ":" + String(m % 60).padStart(2, "0") + ":" + r : m + ":" + r; };
const secs = s => String(Math.round(s * 100) / 100);

for (const n of quiz.notes) document.getElementById("notes").appendChild(el("p", {className: "note"}, "Note: " + n));
const form = document.getElementById("quiz");
if (!quiz.questions.length) form.appendChild(el("p", {}, "This lecture has no questions."));
quiz.questions.forEach((q, i) => {
  const sec = el("section", {className: "q"});
  sec.dataset.id = q.id;
  sec.dataset.type = q.type;
  sec.appendChild(el("p", {className: "meta"}, (i + 1) + ". " + TYPE[q.type] + " \\u00b7 " + q.difficulty_label));
  sec.appendChild(el("p", {className: "stem"}, q.stem));
  if (q.options) {
    q.options.forEach((o, j) => {
      const lab = el("label");
      lab.appendChild(el("input", {type: "radio", name: q.id, value: String(j)}));
      lab.appendChild(document.createTextNode(" " + o));
      sec.appendChild(lab);
    });
  } else {
    sec.appendChild(el("input", {type: "text", name: q.id, size: 30, placeholder: "your answer"}));
  }
  const fb = el("div", {className: "feedback", hidden: true});
  sec.appendChild(fb);
  form.appendChild(sec);
});

function isRight(q, sec) {
  if (q.options) {
    const c = sec.querySelector("input:checked");
    return c !== null && q.options[Number(c.value)] === q.answer;
  }
  const given = norm(sec.querySelector("input[type=text]").value);
  return given !== "" && [q.answer].concat(q.accepted || []).some(a => norm(a) === given);
}

document.getElementById("check").addEventListener("click", () => {
  let right = 0;
  quiz.questions.forEach(q => {
    const sec = form.querySelector('section[data-id="' + q.id + '"]');
    const ok = isRight(q, sec);
    right += ok;
    sec.classList.toggle("correct", ok);
    sec.classList.toggle("wrong", !ok);
    const fb = sec.querySelector(".feedback");
    fb.replaceChildren(
      el("strong", {className: "verdict"}, ok ? "Correct. " : "Not quite. "),
      el("span", {className: "answer"}, "Answer: " + q.answer + ". "),
      el("span", {className: "explanation"}, "In the lecture: \\u201c" + q.explanation + "\\u201d "),
      el("a", {href: q.link, className: "moment"}, "Explained at " + clock(q.start) + " (" + secs(q.start) + " s)"));
    fb.hidden = false;
  });
  document.getElementById("score").textContent = "Score: " + right + " / " + quiz.questions.length;
});

document.getElementById("reset").addEventListener("click", () => {
  form.reset();
  form.querySelectorAll("section.q").forEach(s => { s.classList.remove("correct", "wrong");
    s.querySelector(".feedback").hidden = true; });
  document.getElementById("score").textContent = "";
});
</script>
</body>
</html>
"""


def to_html(quiz: dict) -> str:
    """The interactive quiz page for a quiz dict."""
    data = json.dumps(quiz, ensure_ascii=False)
    # inside <script> only "</" could end the block; escaping < > & keeps any JSON string inert
    data = data.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    title = html.escape(" ".join(quiz["lecture"]["name"].split()))
    return _PAGE.replace("__TITLE__", title).replace("__DATA__", data)
