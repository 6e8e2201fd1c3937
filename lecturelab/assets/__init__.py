"""The CSS and JavaScript of the pages lecturelab writes, shipped as package data.

Every page is one self-contained file that students open offline, from a folder or a zip, so these
sheets and scripts are copied into the page's own ``<style>`` and ``<script>`` elements when it is
written (`style`, `scripts`); nothing is linked.

- ``base.css``: what the transcript, review and course pages share (typography, colours, the sticky
  bar); ``transcript.css``, ``review.css``, ``course.css`` follow it where a page differs.
  ``quiz.css`` is the quiz page's own look.
- ``clock.js``: ``clock(seconds)``, the one time format of every page that writes a time from
  JavaScript (review, course, quiz): ``M:SS`` under an hour, ``H:MM:SS`` from an hour on, as
  `lecturelab.transcript.format.short_clock` writes it.
- ``transcript.js``, ``review.js``, ``course.js``, ``quiz.js``: each page's script.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def read(name: str) -> str:
    """The text of the asset file ``name`` (``"base.css"``, ``"clock.js"``, ...), read once per process.

    Raises FileNotFoundError for a name that is not in ``lecturelab/assets/``."""
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def style(*names: str) -> str:
    """One ``<style>`` element holding the named sheets in order, so a later sheet overrides an earlier one."""
    return "<style>" + "".join(read(n) for n in names) + "</style>"


def scripts(*names: str) -> str:
    """One ``<script>`` element per named script, in order. Separate elements keep each script's
    ``"use strict"`` its first statement; a function declared at the top of one (``clock``) is global,
    so the scripts after it call it."""
    return "".join(f"<script>{read(n)}</script>" for n in names)
