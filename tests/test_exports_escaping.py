"""Text full of special characters goes through every export and is read back by a parser for that format.

The ten sentences are the text of the field case ``text/specials.txt``: ``: = # { } ~ \\ <br> x < y -> %``.
Each export must escape them for its own format: GIFT (GIFT escapes, then HTML, since Moodle renders GIFT
text as HTML), Markdown (CommonMark, rendered with markdown-it-py), HTML (stdlib ``html.parser``), the Anki
deck (its SQLite collection; Anki fields are HTML).
"""

from __future__ import annotations

import json
import sqlite3
import zipfile

from markdown_it import MarkdownIt

from lecturelab.lecture.html import render_html
from lecturelab.lecture.render import to_markdown as transcript_markdown
from lecturelab.lecture.textlecture import write_lecture_from_phrases
from lecturelab.quiz.export import write_exports
from lecturelab.quiz.schema import BLANK
from tests.export_readers import html_text, read_gift

SPECIALS = [
    "Office hours move to 10:30 on Friday, so please bring your laptop to room 4B.",
    "In C++ the expression p->next follows the pointer to the next node of the list.",
    "A dictionary literal such as {key: value} maps each key to exactly one value.",
    "The tilde operator ~x flips every bit, so ~x equals -x-1 in two's complement arithmetic.",
    "If x < y and y > z, the comparison operator still returns a boolean value.",
    "About 50% of the grade comes from the final project, which is worth 40 points.",
    "In a string literal the backslash \\n starts an escape sequence for a new line.",
    "In Python the hash sign # starts a comment that runs to the end of the line.",
    "In HTML the tag <br> inserts a line break inside a paragraph of text.",
    "The famous formula E = mc^2 relates energy and mass in special relativity.",
]
# short fragments that are hardest as whole answers / options (leading '%' and '[' mean something to Moodle)
FRAGMENTS = ["{key: value}", "x < y", "<br>", "\\n", "%50% weight", "[plain] text", "a & b", "p->next", "**kwargs, *args",
             "__init__ [link](x)"]
NAME = "specials: <b>lecture</b> #1 & {notes} *draft*"


def _quiz() -> dict:
    """A quiz whose every text field holds special characters, one question per sentence."""
    questions = []
    for i, sent in enumerate(SPECIALS):
        typ = ("mcq", "tf", "blank", "short")[i % 4]
        answer = FRAGMENTS[i]
        q = {"id": f"q-{i:08x}", "type": typ, "explanation": sent, "start": float(i), "end": i + 1.0,
             "link": f"transcript.html#t={i}", "keyphrase": answer, "key": answer.lower(),
             "difficulty": 0.5, "difficulty_label": "medium", "sentence": i, "options": None}
        if typ == "tf":
            q.update(stem=f"True or false: {sent}", options=["True", "False"], answer="True", accepted=[])
        else:
            q.update(stem=f"{sent} {BLANK} {FRAGMENTS[-1 - i]}", answer=answer, accepted=[answer, answer.upper()])
        if typ == "mcq":
            q["options"] = [answer, *(FRAGMENTS[(i + k) % len(FRAGMENTS)] for k in (3, 5, 7))]
        questions.append(q)
    questions[2]["stem"] = f"{SPECIALS[2]} {BLANK}"   # the blank last: Moodle must still show it
    return {"schema_version": 1, "lecture": {"name": NAME, "duration": 10.0, "transcript": "transcript.html"},
            "generator": {"name": "rules"}, "settings": {}, "notes": [SPECIALS[5]], "questions": questions}


def test_gift_reads_back_as_the_original_text(tmp_path):
    quiz = _quiz()
    write_exports(quiz, tmp_path)
    gift = (tmp_path / "quiz.gift").read_text(encoding="utf-8")
    blocks = [b for b in gift.split("\n\n") if "::" in b and not b.startswith("// Quiz")]
    assert len(blocks) == len(quiz["questions"])
    for block, q in zip(blocks, quiz["questions"], strict=True):
        got = read_gift(block)
        assert got["name"] == q["id"]
        assert got["feedback"].startswith(q["explanation"] + " (at ")
        if q["type"] == "tf":
            assert got["stem"] == q["stem"] and got["tf"] is True
        else:
            assert got["stem"] == q["stem"].strip() or got["stem"].replace("\xa0", "") == q["stem"].strip()
        if q["type"] == "mcq":
            assert got["options"] == q["options"] and got["right"] == [q["answer"]]
        elif q["type"] != "tf":
            assert got["accepted"] == q["accepted"]


def test_markdown_renders_the_original_text(tmp_path):
    quiz = _quiz()
    write_exports(quiz, tmp_path)
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    page = html_text(md.render((tmp_path / "quiz.md").read_text(encoding="utf-8")))
    shown = " ".join(page.parts)
    assert set(page.tags) <= {"h1", "h2", "p", "strong", "em", "ol", "ul", "li", "blockquote", "a"}, page.tags
    assert f"Quiz: {NAME}" in shown
    for q in quiz["questions"]:
        assert q["stem"] in shown and f"“{q['explanation']}”" in shown
        for o in q["options"] if q["type"] == "mcq" else []:
            assert f") {o}" in shown
    # the transcript's Markdown too
    folder = write_lecture_from_phrases(tmp_path / "lec", " ".join(SPECIALS), ["tilde operator", "hash sign", "tag"],
                                        name=NAME)
    doc = json.loads((folder / "transcript.json").read_text())
    kps = json.loads((folder / "keyphrases.json").read_text())["keyphrases"]
    page = html_text(md.render(transcript_markdown(doc, kps)))
    shown = " ".join(page.parts)
    assert page.tags.count("strong") == len(doc["keyphrases"]) and NAME in shown
    for sent in SPECIALS:
        assert sent in shown


def test_html_pages_show_the_original_text(tmp_path):
    quiz = _quiz()
    write_exports(quiz, tmp_path)
    page = html_text((tmp_path / "quiz.html").read_text(encoding="utf-8"))
    assert "script" in page.tags and json.loads(page.script["quiz-data"]) == quiz
    assert f"Quiz: {NAME}" in page.parts[0]
    folder = write_lecture_from_phrases(tmp_path / "lec", " ".join(SPECIALS), ["tilde operator", "hash sign", "tag"],
                                        name=NAME)
    doc = json.loads((folder / "transcript.json").read_text())
    kps = json.loads((folder / "keyphrases.json").read_text())["keyphrases"]
    page = html_text(render_html(doc, kps))
    shown = page.parts[0]
    assert "br" not in page.tags and page.tags.count("mark") == len(doc["keyphrases"])
    assert NAME in shown
    for sent in SPECIALS:
        assert sent in shown


def test_anki_fields_read_back_as_the_original_text(tmp_path):
    quiz = _quiz()
    write_exports(quiz, tmp_path)
    with zipfile.ZipFile(tmp_path / "quiz.apkg") as z:
        (tmp_path / "col.anki2").write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "col.anki2")
    notes = [r[0].split("\x1f") for r in con.execute("select flds from notes order by id")]
    decks = json.loads(con.execute("select decks from col").fetchone()[0])
    assert any(d["name"].startswith(f"lecturelab::{NAME.replace('::', ':')}") for d in decks.values())
    assert len(notes) == len(quiz["questions"])
    by_stem = {html_text(n[0]).parts[0]: n for n in notes}
    for q in quiz["questions"]:
        question, options, answer, explanation, *_ = by_stem[q["stem"]]
        for field in (question, answer, explanation):
            assert html_text(field).tags == []
        opts = html_text(options)
        assert set(opts.tags) <= {"br"} and (opts.parts if q["options"] else [""]) == (q["options"] or [""])
        assert html_text(answer).parts == [q["answer"]] and html_text(explanation).parts == [q["explanation"]]
