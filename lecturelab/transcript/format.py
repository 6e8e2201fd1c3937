"""The one time format of the lecture document and everything made from it, and Markdown escaping.

``clock``: subtitle timestamps (``HH:MM:SS.mmm``); ``short_clock``: the ``M:SS`` / ``H:MM:SS`` a reader
sees in pages, Markdown, chapters and quiz exports; ``seconds``: the ``#t=<seconds>`` of links and the
quiz's answer key. ``md_escape`` keeps transcript text literal in Markdown.
"""

from __future__ import annotations

import re


def clock(t: float, sep: str = ".", hours: bool = True) -> str:
    """Seconds as ``HH:MM:SS.mmm`` (``sep`` is ``,`` for SRT)."""
    ms = int(round(max(t, 0.0) * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}" if hours or h else f"{m:02d}:{s:02d}{sep}{ms:03d}"


def short_clock(t: float) -> str:
    """``M:SS`` or ``H:MM:SS`` for links in the page and the Markdown."""
    s = int(t)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def seconds(t: float) -> str:
    """Seconds with at most two decimals and no trailing zeros: 83.2 -> ``83.2``, 120.0 -> ``120``
    (``transcript.html#t=<seconds>`` links and the quiz's answer key)."""
    return f"{t:.2f}".rstrip("0").rstrip(".")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")


def md_escape(s: str) -> str:
    """Text that a CommonMark / GitHub Markdown viewer shows literally (spaces kept, no line breaks).

    Backslash-escapes the ASCII punctuation that starts inline syntax: backslash, backtick, ``* _``
    (emphasis), ``[ ]`` (links), ``< >`` (raw HTML such as ``<br>``, autolinks), ``&`` (entity references
    such as ``&amp;``), ``#`` and ``|`` (headings, GFM tables) and ``~`` (GFM strikethrough). CommonMark
    allows a backslash before any ASCII punctuation (spec 0.31, "Backslash escapes"). A line break becomes
    a space so transcript text cannot open a block (list, quote, heading).
    """
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s*[\r\n]\s*", " ", str(s)))
