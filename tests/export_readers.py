"""Readers for the exports, for tests: HTML text (stdlib ``html.parser``) and Moodle's reading of GIFT."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from lecturelab.quiz.schema import BLANK


class _Text(HTMLParser):
    """Text of an HTML fragment; tags are recorded, ``<br>`` splits the text into parts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.tags, self.script = [""], [], {}
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "br":
            self.parts.append("")
        if tag == "script":
            self._in_script = dict(attrs).get("id")

    def handle_endtag(self, tag):
        self._in_script = None

    def handle_data(self, data):
        if self._in_script:
            self.script[self._in_script] = data
        elif self._in_script is None:
            self.parts[-1] += data


def html_text(fragment: str) -> _Text:
    """Parse an HTML page or fragment: ``.parts`` (text split at ``<br>``), ``.tags``, ``.script`` by id."""
    p = _Text()
    p.feed(fragment)
    p.close()
    return p


# --- a GIFT reader that follows Moodle's qformat_gift (question/format/gift/format.php) ---
_PLACEHOLDERS = {"\\:": "&&058;", "\\#": "&&035;", "\\=": "&&061;", "\\{": "&&123;", "\\}": "&&125;",
                 "\\~": "&&126;", "\\n": "&&010"}
_CHARS = {"&&058;": ":", "&&035;": "#", "&&061;": "=", "&&123;": "{", "&&125;": "}", "&&126;": "~",
          "&&010": "\n"}


def _pre(s: str) -> str:   # escapedchar_pre: \\ first, then the escaped specials become placeholders
    s = s.replace("\\\\", "&&092;")
    for k, v in _PLACEHOLDERS.items():
        s = s.replace(k, v)
    return s.replace("&&092;", "\\")


def _text(s: str, fmt: str) -> tuple[str, str]:   # parse_text_with_format + escapedchar_post
    s = s.strip()
    if s.startswith("[") and s[1:s.index("]")] in ("html", "moodle", "plain", "markdown"):
        fmt, s = s[1:s.index("]")], s[s.index("]") + 1:]
    for k, v in _CHARS.items():
        s = s.replace(k, v)
    return s.strip(), fmt


def _shown(s: str, fmt: str) -> str:
    """What Moodle shows for HTML-format text: no tag may survive, entities decode."""
    assert fmt == "html", fmt
    p = html_text(s)
    assert p.tags == [], f"raw HTML {p.tags} in GIFT text {s!r}"
    return p.parts[0]


def read_gift(block: str) -> dict:
    """One GIFT question as Moodle imports it: name, stem (blank as ``_____``), feedback, and options with
    the right ones, ``tf``, or the accepted answers; text decoded as Moodle shows it (HTML format)."""
    lines = [ln for ln in block.splitlines() if not ln.strip().startswith("//")]
    text = _pre("\n".join(lines).strip())
    assert text.startswith("::")
    name, text = text[2:].split("::", 1)
    start, end = text.index("{"), text.index("}")
    answers = text[start + 1:end].strip()
    question = text[:start] + ("" if text.rstrip().endswith("}") else BLANK) + text[end + 1:]
    answers, _, feedback = answers.rpartition("####")
    qtext, fmt = _text(question, "moodle")
    out = {"name": _text(name, fmt)[0], "stem": _shown(qtext, fmt), "feedback": _shown(_text(feedback, fmt)[0], fmt)}
    answers = answers.strip()
    if "~" in answers:
        opts = [a.strip() for a in answers.replace("=", "~=").split("~") if a.strip()]
        assert not any(re.match(r"^%-*\d{1,2}\.?\d*%", a) for a in opts), opts   # would be read as a weight
        out["options"] = [_shown(_text(a.lstrip("="), fmt)[0], fmt) for a in opts]
        out["right"] = [o for o, a in zip(out["options"], opts, strict=True) if a.startswith("=")]
    elif answers in ("T", "F", "TRUE", "FALSE"):
        out["tf"] = answers[0] == "T"
    else:
        out["accepted"] = [_shown(_text(a, fmt)[0], fmt) for a in answers.split("=") if a.strip()]
    return out
