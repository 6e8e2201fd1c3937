"""Quiz exports for learning-management systems: Moodle XML, QTI 1.2 (Canvas, Blackboard ...), Aiken.

Each question's general feedback carries the sentence that explains the answer and the lecture moment
(time and a link into the transcript page), so a student who got it wrong can go back and listen.

- **Moodle XML** (docs.moodle.org/en/Moodle_XML_format): one category per lecture, then `multichoice`,
  `truefalse`, `shortanswer` (short-answer items) and `cloze` (fill in the blank, an embedded
  `{1:SHORTANSWER:=...}` answer, docs.moodle.org/en/Embedded_Answers_(Cloze)_question_type). Written with
  the standard library's ElementTree, so XML escaping is the parser's, not ours.
- **QTI 1.2** (`quiz.qti.zip`): built by `text2qti` (G. Poore; Canvas's QTI dialect, also read by
  Blackboard and other QTI importers) from its Markdown-based text format.
- **Aiken** (docs.moodle.org/en/Aiken_format): multiple-choice items only, plain text, one line each.
"""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from lecturelab.io import atomic_write, write_text
from lecturelab.quiz.schema import BLANK
from lecturelab.transcript.format import short_clock

_CLOZE_SPECIAL = re.compile(r'([}#~/"\\])')   # escaped inside a cloze answer (Moodle's Embedded Answers)
_ASCII_PUNCT = re.compile(r"[!-/:-@\[-`{-~]")


def _one_line(s: str) -> str:
    return " ".join(str(s).split())


def feedback_text(q: dict) -> str:
    """Plain text of a question's general feedback: the explaining sentence and the lecture moment."""
    return f"{_one_line(q['explanation'])} (at {short_clock(q['start'])} in the lecture)"


def feedback_html(q: dict) -> str:
    """The general feedback as HTML: the explaining sentence and a link to the lecture moment."""
    return (f"{html.escape(_one_line(q['explanation']))} "
            f'(<a href="{html.escape(q["link"])}">at {short_clock(q["start"])} in the lecture</a>)')


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(el, "text").text = value
    return el


def _cloze_answer(s: str) -> str:
    return _CLOZE_SPECIAL.sub(r"\\\1", html.escape(_one_line(s), quote=False))


def _shortanswer_text(s: str) -> str:
    # a Moodle short answer is a pattern where * is a wildcard; \* is a literal asterisk
    return _one_line(s).replace("*", r"\*")


def to_moodle_xml(quiz: dict) -> str:
    """Moodle XML: a category per lecture, then one ``<question>`` per item (types in the module doc).

    Question text and feedback are HTML (``format="html"``): the plain text is HTML-escaped, then
    ElementTree escapes it for XML. Answers of multiple choice and true/false carry per-answer feedback.
    """
    root = ET.Element("quiz")
    name = _one_line(quiz["lecture"]["name"])
    lid = (quiz["lecture"].get("id") or "")[:8]
    cat = ET.SubElement(root, "question", {"type": "category"})
    _text(cat, "category", f"$course$/top/lecturelab/{name}" + (f" ({lid})" if lid else ""))
    for q in quiz["questions"]:
        kind = {"mcq": "multichoice", "tf": "truefalse", "short": "shortanswer", "blank": "cloze"}[q["type"]]
        el = ET.SubElement(root, "question", {"type": kind})
        _text(el, "name", q["id"])
        stem = html.escape(_one_line(q["stem"]))
        if q["type"] == "blank":
            answers = "~".join("=" + _cloze_answer(a) for a in (q.get("accepted") or [q["answer"]]))
            before, _, after = stem.partition(html.escape(BLANK))
            # braces of the text as entities: Moodle parses {...} in a cloze text as embedded answers
            before, after = (t.replace("{", "&#123;").replace("}", "&#125;") for t in (before, after))
            stem = f"{before}{{1:SHORTANSWER:{answers}}}{after}"
        _text(el, "questiontext", stem, "html")
        _text(el, "generalfeedback", feedback_html(q), "html")
        ET.SubElement(el, "defaultgrade").text = "1"
        ET.SubElement(el, "penalty").text = "0.3333333"
        ET.SubElement(el, "hidden").text = "0"
        ET.SubElement(el, "idnumber").text = q["id"]
        if q["type"] == "mcq":
            ET.SubElement(el, "single").text = "true"
            ET.SubElement(el, "shuffleanswers").text = "true"
            ET.SubElement(el, "answernumbering").text = "abc"
            for opt in q["options"]:
                right = opt == q["answer"]
                a = _text(el, "answer", html.escape(_one_line(opt)), "html")
                a.set("fraction", "100" if right else "0")
                _text(a, "feedback", "Correct." if right else "Not what was said.", "html")
        elif q["type"] == "tf":
            for value in ("true", "false"):
                right = (q["answer"] == "True") == (value == "true")
                a = _text(el, "answer", value, "moodle_auto_format")
                a.set("fraction", "100" if right else "0")
                _text(a, "feedback", "Correct." if right else "Not what was said.", "html")
        elif q["type"] == "short":
            ET.SubElement(el, "usecase").text = "0"
            for ans in q.get("accepted") or [q["answer"]]:
                a = _text(el, "answer", _shortanswer_text(ans), "moodle_auto_format")
                a.set("fraction", "100")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _md_literal(s: str) -> str:
    """Text that text2qti's Markdown (and its LaTeX ``$...$``) shows as is: every ASCII punctuation
    character becomes a numeric character reference, which Markdown passes through untouched."""
    return _ASCII_PUNCT.sub(lambda m: f"&#{ord(m.group())};", _one_line(s))


def to_text2qti(quiz: dict) -> str:
    """The quiz in text2qti's plain-text format (github.com/gpoore/text2qti, README "Quiz syntax")."""
    out = [f"Quiz title: {_one_line(quiz['lecture']['name'])}",
           "Quiz description: " + _md_literal(f"Questions on the lecture {quiz['lecture']['name']}, "
                                              "generated by lecturelab"), ""]
    for i, q in enumerate(quiz["questions"], 1):
        out.append(f"Title: {q['id']}")
        out.append(f"{i}.  {_md_literal(q['stem'])}")
        out.append(f"... {_md_literal(feedback_text(q))}")
        if q["type"] in ("mcq", "tf"):
            options = q["options"] if q["type"] == "mcq" else ["True", "False"]
            for j, opt in enumerate(options):
                out.append(f"{'*' if opt == q['answer'] else ''}{chr(97 + j)}) {_md_literal(opt)}")
        else:   # short answer / fill in the blank: acceptable answers are plain text in text2qti
            out += [f"*   {_one_line(a)}" for a in q.get("accepted") or [q["answer"]]]
        out.append("")
    return "\n".join(out)


def reproducible_zip(data: bytes, compression: int | None = None) -> bytes:
    """The zip archive ``data`` with every entry dated 1980-01-01 00:00 (the earliest date a zip stores),
    mode 0644 (folders 0755) and Unix as the creating system, so the same content gives the same bytes
    whatever the time, umask or platform (zipfile stamps "now" or the source file's mtime and mode).
    Entries keep their order, names and, with ``compression=None``, their compression method; otherwise
    each file gets ``compression`` (a ``zipfile.ZIP_*`` constant). Raises zipfile.BadZipFile for data that
    is not a zip. The bytes inside entries are the caller's (an SQLite file records its library version)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = info.compress_type if compression is None or info.is_dir() else compression
            fixed.create_system = 3
            fixed.external_attr = (0o40755 << 16) | 0x10 if info.is_dir() else 0o100644 << 16
            dst.writestr(fixed, src.read(info))
    return out.getvalue()


def qti_zip_bytes(quiz: dict) -> bytes:
    """A QTI 1.2 zip (imsmanifest.xml + the assessment) built by text2qti from :func:`to_text2qti`."""
    from text2qti.config import Config
    from text2qti.qti import QTI
    from text2qti.quiz import Quiz

    # Config() without .load(): text2qti would otherwise create ~/.text2qti.bespon
    parsed = Quiz(to_text2qti(quiz), config=Config(), source_name=f"{quiz['lecture']['name']} quiz")
    raw = io.BytesIO()
    QTI(parsed).write(raw)
    # the same quiz gives the same bytes: entries re-stored with a fixed date (zipfile stamps "now")
    return reproducible_zip(raw.getvalue(), zipfile.ZIP_DEFLATED)


def to_aiken(quiz: dict) -> str:
    """Aiken: the multiple-choice items only (the format has no other type), one line per question and
    option, ``ANSWER: <letter>``. Returns "" when there is no multiple-choice item."""
    blocks = []
    for q in quiz["questions"]:
        if q["type"] != "mcq":
            continue
        lines = [_one_line(q["stem"])]
        lines += [f"{chr(65 + j)}. {_one_line(o)}" for j, o in enumerate(q["options"])]
        lines.append(f"ANSWER: {chr(65 + q['options'].index(q['answer']))}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def write_lms_exports(quiz: dict, folder: Path) -> list[Path]:
    """Write quiz.moodle.xml, quiz.qti.zip (when there is a question: a QTI assessment cannot be empty)
    and quiz.aiken.txt (when there is a multiple-choice item) into ``folder``, each atomically; a file
    left from an earlier quiz that has none is removed. Returns the paths written."""
    paths = [write_text(folder / "quiz.moodle.xml", to_moodle_xml(quiz))]
    for name, wanted in (("quiz.qti.zip", bool(quiz["questions"])),
                         ("quiz.aiken.txt", any(q["type"] == "mcq" for q in quiz["questions"]))):
        if not wanted:
            (folder / name).unlink(missing_ok=True)
        elif name.endswith(".zip"):
            paths.append(atomic_write(folder / name, lambda p: Path(p).write_bytes(qti_zip_bytes(quiz))))
        else:
            paths.append(write_text(folder / name, to_aiken(quiz)))
    return paths
