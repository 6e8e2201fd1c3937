"""The lecture development set (``../shared/data/lectures``): its catalogue, its split and its captions.

Two collections (their README says what is there and under which licence; never copy them into a commit):
- ``yale/lectures.json``: one entry per Open Yale Courses lecture: ``course``, ``lecture`` (title), ``file``
  (WebVTT captions, relative to ``yale/``), ``chapters`` ([{``start`` "M:SS" or "H:MM:SS" on the caption
  timeline, ``title``}]) and ``description`` (the course's paragraph on the lecture);
- ``ocw-14.01sc/questions.json``: one entry per MIT 14.01SC lecture: ``lecture``, ``file``, ``questions``
  ([{``q``, ``answer``, ``distractors``, ``explanation``}], the course team's concept questions).

The split (``lecturelab/conf/lectures_split.yaml``) is by course: ``tune`` courses are the only ones to develop
and tune on; ``report`` courses are held out and the only ones numbers are reported on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SPLIT_FILE = Path(__file__).resolve().parents[1] / "conf" / "lectures_split.yaml"
SIDES = ("tune", "report")


@dataclass
class LectureItem:
    """One lecture of the set. ``chapters``: [(start seconds, title)] on the caption timeline; ``questions``:
    the course team's questions (14.01SC) or []."""

    id: str                      # stable, file-name safe: "<collection>/<caption file stem>"
    collection: str              # "yale" | "ocw-14.01sc"
    course: str
    title: str
    captions: Path
    side: str                    # "tune" | "report"
    chapters: list[tuple[float, str]] = field(default_factory=list)
    description: str = ""
    questions: list[dict] = field(default_factory=list)


def parse_clock(text: str) -> float:
    """'M:SS', 'MM:SS' or 'H:MM:SS' -> seconds. Raises ValueError naming the text."""
    parts = text.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"{text!r}: not a clock time (M:SS or H:MM:SS)")
    secs = 0
    for p in parts:
        secs = secs * 60 + int(p)
    return float(secs)


def load_split(path: Path = SPLIT_FILE) -> dict[str, dict[str, list[str] | str]]:
    """The split file as {collection: {"tune": [course], "report": [course] | "all"}}. Raises ValueError
    naming the file when a course is on both sides."""
    import yaml

    split = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for coll, sides in split.items():
        tune, report = sides.get("tune") or [], sides.get("report") or []
        if isinstance(report, list) and set(tune) & set(report):
            raise ValueError(f"{path}: {coll}: course(s) on both sides: {sorted(set(tune) & set(report))}")
    return split


def _side(split: dict, collection: str, course: str) -> str | None:
    sides = split.get(collection, {})
    for side in SIDES:
        courses = sides.get(side) or []
        if courses == "all" or course in courses:
            return side
    return None


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:80]


def catalogue(root: Path, split: dict | None = None) -> list[LectureItem]:
    """Every lecture under ``root`` (the ``lectures`` folder) with its side of the split, in file order.
    A course the split does not name gets no side and is left out (so a new course is never reported on by
    accident). Raises FileNotFoundError / ValueError naming the file."""
    import json

    split = split if split is not None else load_split()
    root = Path(root)
    items = []
    yale = root / "yale" / "lectures.json"
    for entry in json.loads(yale.read_text(encoding="utf-8")):
        side = _side(split, "yale", entry["course"])
        if side is None:
            continue
        cap = yale.parent / entry["file"]
        try:
            chapters = [(parse_clock(c["start"]), c["title"]) for c in entry["chapters"]]
        except ValueError as e:
            raise ValueError(f"{yale}: {entry['file']}: chapter start {e}") from None
        items.append(LectureItem(id=f"yale/{_slug(cap.name.removesuffix('.en.vtt'))}", collection="yale",
                                 course=entry["course"], title=entry["lecture"], captions=cap, side=side,
                                 chapters=chapters, description=entry.get("description", "")))
    ocw = root / "ocw-14.01sc" / "questions.json"
    if ocw.is_file():
        for entry in json.loads(ocw.read_text(encoding="utf-8")):
            course = "14.01SC Principles of Microeconomics"
            side = _side(split, "ocw-14.01sc", course)
            if side is None:
                continue
            cap = ocw.parent / entry["file"]
            items.append(LectureItem(id=f"ocw-14.01sc/{_slug(cap.stem)}", collection="ocw-14.01sc", course=course,
                                     title=entry["lecture"], captions=cap, side=side,
                                     questions=entry.get("questions", [])))
    return items


def read_cues(path: Path) -> list[tuple[float, float, str]]:
    """The cues of a WebVTT file as (start s, end s, text with line breaks as spaces), read by webvtt-py.
    Raises ValueError naming the file when it is not WebVTT."""
    import webvtt

    try:
        cues = webvtt.read(str(path))
    except Exception as e:  # noqa: BLE001 - webvtt-py raises its own MalformedFileError and others
        raise ValueError(f"{path}: not readable as WebVTT ({e})") from None
    return [(_secs(c.start), _secs(c.end), " ".join(c.text.split())) for c in cues]


def _secs(clock: str) -> float:
    """'HH:MM:SS.mmm' -> seconds (webvtt-py's cue times as text keep the milliseconds)."""
    h, m, s = clock.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)
