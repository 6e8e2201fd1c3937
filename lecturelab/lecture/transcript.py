"""Every file of a processed lecture folder, rendered from its transcript: pages, subtitles, chapters.

The lecture document itself (``transcript.json``, ``keyphrases.json``) is written last, by
`lecturelab.transcript.document.write_transcript`, so a folder with a transcript is complete.
"""

from __future__ import annotations

import json
from pathlib import Path

from lecturelab.io import write_text
from lecturelab.lecture.chapters import to_chapters_txt, to_chapters_vtt
from lecturelab.lecture.html import render_html
from lecturelab.lecture.render import to_markdown, to_srt, to_vtt
from lecturelab.transcript.document import write_transcript
from lecturelab.transcript.schema import SCHEMA_VERSION


def write_lecture_files(folder: str | Path, doc: dict, keyphrases: list[dict], has_video: bool,
                        low_confidence: float | None, subtitles=None, chapters: list[dict] | None = None,
                        concepts: list[dict] | None = None, top_concepts: int = 20) -> Path:
    """Every file of a lecture folder made from its transcript: transcript.md, subtitles.srt/.vtt,
    transcript.html (``has_video``: a video player; ``low_confidence``: words marked below it), with
    ``chapters`` (`lecturelab.lecture.chapters.lecture_chapters`) chapters.json/.vtt/.txt and chapter
    headings, with ``concepts`` (`lecturelab.quiz.concepts.lecture_concepts`) concepts.json and the
    first ``top_concepts`` of them leading the page's index, then keyphrases.json and transcript.json
    (:func:`write_transcript`), each atomically.
    ``subtitles`` is the process config's ``subtitles`` section (None: its defaults). `lecturelab process`
    and `lecturelab apply` both write through here, so a corrected lecture is rendered exactly like a fresh
    one. Returns folder."""
    folder = Path(folder)
    write_text(folder / "transcript.md", to_markdown(doc, keyphrases, chapters))
    write_text(folder / "subtitles.srt", to_srt(doc, subtitles))
    write_text(folder / "subtitles.vtt", to_vtt(doc, subtitles))
    top = (concepts or [])[:top_concepts]
    write_text(folder / "transcript.html", render_html(doc, keyphrases, has_video, low_confidence, chapters, top))
    if chapters is not None:
        write_text(folder / "chapters.json", json.dumps({"schema_version": SCHEMA_VERSION, "chapters": chapters},
                                                        indent=1, ensure_ascii=False))
        write_text(folder / "chapters.vtt", to_chapters_vtt(chapters))
        write_text(folder / "chapters.txt", to_chapters_txt(chapters))
    if concepts is not None:
        write_text(folder / "concepts.json", json.dumps({"schema_version": SCHEMA_VERSION, "top": top_concepts,
                                                         "concepts": concepts}, indent=1, ensure_ascii=False))
    return write_transcript(folder, doc, keyphrases)
