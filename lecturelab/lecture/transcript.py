"""A processed lecture folder's ``transcript.json`` and ``keyphrases.json``: one builder, one writer.

The lecture processor (`lecturelab.lecture.pipeline`) and the text lectures of the quiz's quality checks
and tests (`lecturelab.quiz.textlecture`) both write them here, so the schema (docs/quiz.md) has one
definition. The quiz reads them back with `lecturelab.quiz.source.load_lecture`.
"""

from __future__ import annotations

import json
from pathlib import Path

from lecturelab.io import write_text
from lecturelab.lecture.chapters import to_chapters_txt, to_chapters_vtt
from lecturelab.lecture.html import render_html
from lecturelab.lecture.render import to_markdown, to_srt, to_vtt

SCHEMA_VERSION = 1


def transcript_doc(source: dict, transcriber: dict, keyphrase_model: str, text: str, segments: list[dict],
                   keyphrases: list[dict], *, quiz: dict | None = None, outputs: list[str] | None = None,
                   language: str | None = None, language_probability: float | None = None,
                   translated_from: str | None = None, whisper_model: str | None = None,
                   notes: list[str] | None = None) -> dict:
    """The ``transcript.json`` object, keys in schema order.

    ``source``: the media (path, name, sha256, duration in seconds, ...); ``segments``: from
    `highlight.build_text` (character offsets into ``text``, times in seconds); ``keyphrases``: the
    tagged spans (`highlight.keyphrase_spans` entries); ``notes``: warnings, also joined into ``note``.
    """
    notes = list(notes or [])
    return {"schema_version": SCHEMA_VERSION, "source": source, "transcriber": transcriber,
            "keyphrase_model": keyphrase_model, "quiz": quiz, "outputs": outputs, "text": text,
            "language": language, "language_probability": language_probability,
            "translated_from": translated_from, "whisper_model": whisper_model,
            "segments": segments, "keyphrases": keyphrases, "notes": notes, "note": " ".join(notes) or None}


def write_transcript(folder: str | Path, doc: dict, keyphrases: list[dict]) -> Path:
    """Write ``keyphrases.json`` (``keyphrases``: `highlight.group_keyphrases` entries) and then
    ``transcript.json`` (``doc`` from `transcript_doc`) into ``folder``, each atomically. Returns folder."""
    folder = Path(folder)
    write_text(folder / "keyphrases.json",
               json.dumps({"schema_version": SCHEMA_VERSION, "keyphrases": keyphrases}, indent=1))
    write_text(folder / "transcript.json", json.dumps(doc, indent=1, ensure_ascii=False))
    return folder


def write_lecture_files(folder: str | Path, doc: dict, keyphrases: list[dict], has_video: bool,
                        low_confidence: float | None, subtitles=None, chapters: list[dict] | None = None,
                        concepts: list[dict] | None = None, top_concepts: int = 20) -> Path:
    """Every file of a lecture folder made from its transcript: transcript.md, subtitles.srt/.vtt,
    transcript.html (``has_video``: a video player; ``low_confidence``: words marked below it), with
    ``chapters`` (`lecturelab.lecture.chapters.lecture_chapters`) chapters.json/.vtt/.txt and chapter
    headings, with ``concepts`` (`lecturelab.lecture.concepts.lecture_concepts`) concepts.json and the
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
