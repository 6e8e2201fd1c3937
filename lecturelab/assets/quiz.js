// quiz.html: the questions are built from the #quiz-data JSON with textContent only; "Check answers" marks
// each one and links the moment of the lecture that explains it. clock(): clock.js.
"use strict";
const quiz = JSON.parse(document.getElementById("quiz-data").textContent);
const TYPE = {blank: "fill in the blank", mcq: "multiple choice", tf: "true/false", short: "short answer"};
const el = (tag, props, text) => {
  const e = Object.assign(document.createElement(tag), props || {});
  if (text !== undefined) e.textContent = text;
  return e;
};
// lenient match for typed answers: case, punctuation and a plural "s" do not matter
const norm = s => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim().split(/\s+/)
  .map(w => w.length > 3 && w.endsWith("s") ? w.slice(0, -1) : w).join(" ");
const secs = s => String(Math.round(s * 100) / 100);

for (const n of quiz.notes) document.getElementById("notes").appendChild(el("p", {className: "note"}, "Note: " + n));
const form = document.getElementById("quiz");
if (!quiz.questions.length) form.appendChild(el("p", {}, "This lecture has no questions."));
quiz.questions.forEach((q, i) => {
  const sec = el("section", {className: "q"});
  sec.dataset.id = q.id;
  sec.dataset.type = q.type;
  sec.appendChild(el("p", {className: "meta"}, (i + 1) + ". " + TYPE[q.type] + " \u00b7 " + q.difficulty_label));
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
      el("span", {className: "explanation"}, "In the lecture: \u201c" + q.explanation + "\u201d "),
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
