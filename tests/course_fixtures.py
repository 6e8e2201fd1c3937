"""Processed-lecture folders made from text at test time (no audio, no Whisper, no tagger).

`fake_lecture` writes what `lecturelab process` writes for the course: transcript.json, keyphrases.json,
chapters.json and transcript.html, from sentences with made-up times and keyphrases found by string
search. Used by tests/test_course*.py and scripts/bench_course.py (40 one-hour lectures).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lecturelab.io import write_json, write_text
from lecturelab.keyphrases import stem_key
from lecturelab.lecture.chapters import to_chapters_vtt
from lecturelab.lecture.highlight import build_text, group_keyphrases
from lecturelab.lecture.html import render_html


def fake_lecture(folder: Path, name: str, sentences: list[str], phrases: list[str], seconds: float = 5.0,
                 chapters: list[tuple[int, str]] | None = None, media: bool = False) -> Path:
    """``folder/<name>/`` with sentence i spoken from ``i * seconds``; every case-insensitive match of a
    phrase in ``phrases`` is a keyphrase span; ``chapters``: (first sentence, title) pairs; ``media``:
    a tone as long as the lecture in ``media.webm`` so the page has a player."""
    out = Path(folder) / name
    if media:
        from tests.lecture_fixtures import tone, write_media

        out.mkdir(parents=True, exist_ok=True)
        write_media(out / "media.webm", tone(len(sentences) * seconds))
    text, segments = build_text([{"start": i * seconds, "end": (i + 1) * seconds, "text": s, "words": []}
                                 for i, s in enumerate(sentences)])
    spans = []
    for p in phrases:
        for m in re.finditer(re.escape(p), text, flags=re.IGNORECASE):
            seg = next(s for s in segments if s["char_start"] <= m.start() < s["char_end"])
            spans.append({"text": m.group(), "key": stem_key(m.group()), "char_start": m.start(),
                          "char_end": m.end(), "start": seg["start"], "end": seg["end"], "score": 0.9,
                          "segment": seg["id"]})
    spans.sort(key=lambda k: k["char_start"])
    keyphrases = group_keyphrases(spans, text)
    duration = len(sentences) * seconds
    doc = {"schema_version": 1, "source": {"name": f"{name}.mp4", "duration": duration,
                      "media_file": "media.webm" if media else None},
           "transcriber": {"model": "fake"}, "text": text, "segments": segments, "keyphrases": spans,
           "notes": [], "note": None, "outputs": []}
    bounds = chapters or [(0, "Introduction")]
    chs = [{"id": i, "start": 0.0 if i == 0 else segments[a]["start"],
            "end": segments[bounds[i + 1][0]]["start"] if i + 1 < len(bounds) else duration,
            "first_segment": a, "last_segment": (bounds[i + 1][0] if i + 1 < len(bounds) else len(segments)) - 1,
            "title": t, "keyphrases": [], "summary": sentences[a], "summary_segment": a}
           for i, (a, t) in enumerate(bounds)]
    write_json(out / "transcript.json", doc)
    write_json(out / "keyphrases.json", {"schema_version": 1, "keyphrases": keyphrases})
    write_json(out / "chapters.json", {"schema_version": 1, "chapters": chs})
    write_text(out / "chapters.vtt", to_chapters_vtt(chs))
    write_text(out / "transcript.html", render_html(doc, keyphrases, has_video=False, chapters=chs))
    return out


def load(path: Path):
    return json.loads(Path(path).read_text())
