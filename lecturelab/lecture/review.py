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

from lecturelab.assets import scripts, style
from lecturelab.io import write_text
from lecturelab.lecture.edits import EDITS_VERSION
from lecturelab.lecture.highlight import group_keyphrases
from lecturelab.transcript.document import lecture_id, read_json_object, read_transcript
from lecturelab.transcript.manifest import APPLIED_FILE, ORIG_QUIZ, ORIG_TRANSCRIPT

REVIEW_FILE = "review.html"


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
            f"<title>{name} · review</title>{style('base.css', 'review.css')}</head><body><main>{body}</main>"
            f'<script type="application/json" id="review-data">{_json_for_script(data)}</script>'
            f"{scripts('clock.js', 'review.js')}</body></html>\n")


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
