"""``lecturelab course <folder>``: one offline site over the processed lectures inside a folder.

    lecturelab course outputs/lectures          # writes outputs/lectures/course/index.html
    lecturelab course recordings/               # processes recordings/*.mp4 ... into recordings/<name>/ first

Reads each ``<folder>/<lecture>/transcript.json`` (+ ``keyphrases.json``, ``chapters.json``) and writes
``<folder>/course/``: ``index.html`` (lectures with duration, chapters and top keyphrases; a concept index
of keyphrases grouped by stem key across lectures, each occurrence linking to
``../<lecture>/transcript.html#t=SECONDS``, the first one marked as where it is introduced; search over
every transcript sentence), ``sentences.js`` (the search data) and the vendored MiniSearch library with
its licence. Media files directly in the folder are processed first (into ``<folder>/<stem>/``; finished
ones are skipped), so rerunning after adding a recording transcribes only that one. The course
folder is replaced whole (`lecturelab.io.atomic_dir`); each lecture page gets a link back to the course.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

from lecturelab.command import UsageError, run_command
from lecturelab.errors import EXIT_CODES, USAGE, LectureError
from lecturelab.io import atomic_dir, sha256_file, write_text
from lecturelab.lecture.captions import unclaimed_captions
from lecturelab.lecture.cli import main as process_main
from lecturelab.lecture.course_page import render_course
from lecturelab.media.probe import MEDIA_EXTENSIONS
from lecturelab.quiz.rules import is_definition
from lecturelab.transcript.document import read_json_object, read_keyphrases, read_transcript
from lecturelab.transcript.manifest import rerecord
from lecturelab.transcript.sentences import find_key

VENDOR = Path(__file__).with_name("vendor")
COURSE_DIR = "course"
BACK_LINK = '<p class="course"><a href="../course/index.html">← Course</a></p>'


def natural_key(name: str) -> list:
    """Sort key that puts ``week2`` before ``week10``."""
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name)]


def read_lecture(folder: Path) -> dict:
    """One processed lecture: {dir, name, duration (s), segments [{start, text}], keyphrases (keyphrases.json
    entries), chapters (chapters.json entries, [] if the lecture was processed without them), concepts (the
    top concepts.json entries, [] without the file)}.
    Raises LectureError naming the file for a missing or unreadable transcript.json / keyphrases.json."""
    doc = read_transcript(folder)
    kps = read_keyphrases(folder)
    chapters = ({"chapters": []} if not (folder / "chapters.json").is_file()
               else read_json_object(folder / "chapters.json"))
    concepts = ({"concepts": [], "top": 0} if not (folder / "concepts.json").is_file()
                else read_json_object(folder / "concepts.json"))
    try:
        return {"dir": folder.name, "name": str(doc["source"]["name"]),
                "duration": float(doc["source"].get("duration") or 0.0),
                "segments": [{"start": float(s["start"]), "text": str(s["text"])} for s in doc["segments"]],
                "keyphrases": kps, "chapters": chapters["chapters"],
                "concepts": concepts["concepts"][:int(concepts.get("top") or 0)]}
    except (KeyError, TypeError, ValueError) as e:
        raise LectureError(f"{folder / 'transcript.json'}: not a lecturelab transcript (no {e})") from None


def find_lectures(folder: Path) -> list[Path]:
    """Sub-folders of ``folder`` holding a transcript.json, in natural name order (the course order)."""
    return sorted((d for d in folder.iterdir() if d.is_dir() and d.name != COURSE_DIR and not d.name.startswith(".")
                   and (d / "transcript.json").is_file()), key=lambda d: natural_key(d.name))


def concept_index(lectures: list[dict]) -> list[dict]:
    """Keyphrases and key concepts grouped by stem ``key`` across lectures: first the lectures' top key
    concepts (by their best rank in any lecture, then by the number of lectures listing them), then the rest
    alphabetical by phrase.

    Each: {key, phrase (the form with most occurrences over the course), count, occurrences: [{lecture
    (index into ``lectures``), start (s)}] in course order, the first being where it is introduced,
    definition (:func:`definition`, or None), key_rank (best rank among a lecture's top key concepts, or
    None)}."""
    groups: dict[str, dict] = {}
    ranks: dict[str, list[int]] = {}
    for li, lec in enumerate(lectures):
        tagged = {kp["key"] for kp in lec["keyphrases"]}
        for c in lec.get("concepts") or []:
            ranks.setdefault(c["key"], []).append(int(c["rank"]))
            if c["key"] not in tagged:   # a key concept the tagger did not mark: its first mention
                g = groups.setdefault(c["key"], {"key": c["key"], "forms": {}, "occurrences": []})
                g["forms"][c["term"]] = g["forms"].get(c["term"], 0) + int(c["count"])
                g["occurrences"].append({"lecture": li, "start": float(c["first_time"])})
        for kp in lec["keyphrases"]:
            g = groups.setdefault(kp["key"], {"key": kp["key"], "forms": {}, "occurrences": []})
            g["forms"][kp["phrase"]] = g["forms"].get(kp["phrase"], 0) + len(kp["occurrences"])
            g["occurrences"] += [{"lecture": li, "start": float(o["start"])} for o in kp["occurrences"]]
    out = []
    for g in groups.values():
        occ = sorted(g["occurrences"], key=lambda o: (o["lecture"], o["start"]))
        phrase = max(g["forms"], key=lambda f: (g["forms"][f], f))
        rank = ranks.get(g["key"])
        out.append({"key": g["key"], "phrase": phrase, "count": len(occ), "occurrences": occ,
                    "definition": definition(g["key"], lectures), "key_rank": min(rank) if rank else None})
    out.sort(key=lambda c: (c["key_rank"] is None, c["key_rank"] or 0, -len(ranks.get(c["key"], [])),
                            c["phrase"].lower(), c["key"]))
    return out


def definition(key: str, lectures: list[dict]) -> dict | None:
    """The first sentence of the course (in course order) that defines the keyphrase with stem key ``key``
    ("X is a ...", "X refers to ...", "we call this X": the quiz's own test, `quiz.rules.is_definition`):
    {lecture (index), start (s), text}, or None when no sentence defines it."""
    for li, lec in enumerate(lectures):
        for seg in lec["segments"]:
            if any(is_definition(seg["text"], span) for span in find_key(seg["text"], key)):
                return {"lecture": li, "start": seg["start"], "text": seg["text"]}
    return None


def search_data(lectures: list[dict]) -> str:
    """``sentences.js``: the search documents as ``[lecture index, start seconds, text]`` rows, assigned to
    ``window.COURSE_SENTENCES``. JSON inside a script: ``<``, ``>`` and ``&`` become ``\\u003c`` etc., so
    transcript text can never close the script or open a comment."""
    rows = [[li, round(s["start"], 2), s["text"]] for li, lec in enumerate(lectures) for s in lec["segments"]]
    data = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    data = data.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.COURSE_SENTENCES={data};\n"


def link_back(folder: Path) -> bool:
    """Add the link back to the course at the top of ``folder/transcript.html`` (once; atomic write).
    Returns True when the page was changed."""
    page = folder / "transcript.html"
    html = page.read_text(encoding="utf-8")
    if BACK_LINK in html or "<main>" not in html:
        return False
    before = sha256_file(page)
    write_text(page, html.replace("<main>", "<main>" + BACK_LINK, 1))
    rerecord(folder, page.name, before)   # still the machine's page, not a hand edit
    return True


def build_course(folder: str | Path, title: str | None = None) -> tuple[Path, list[str]]:
    """Write ``<folder>/course/`` for the lectures in ``folder``; returns (index.html path, problems).

    ``problems`` has one line per lecture folder that could not be read (it is left out). Raises
    LectureError when ``folder`` is not a folder or holds no readable lecture."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LectureError(f"{folder}: no such folder")
    lectures, problems = [], []
    for d in find_lectures(folder):
        try:
            lectures.append(read_lecture(d))
        except LectureError as e:
            problems.append(str(e))
    if not lectures:
        raise LectureError(f"{folder}: no processed lectures (no <lecture>/transcript.json that reads); "
                          "run `lecturelab process <media> output_dir=" + str(folder) + "` first")
    concepts = concept_index(lectures)
    with atomic_dir(folder / COURSE_DIR) as tmp:
        (tmp / "index.html").write_text(render_course(title or folder.resolve().name, lectures, concepts),
                                        encoding="utf-8")
        (tmp / "sentences.js").write_text(search_data(lectures), encoding="utf-8")
        shutil.copyfile(VENDOR / "minisearch.js", tmp / "minisearch.js")
        shutil.copyfile(VENDOR / "minisearch.LICENSE.txt", tmp / "minisearch.LICENSE.txt")
    for lec in lectures:
        link_back(folder / lec["dir"])
    return folder / COURSE_DIR / "index.html", problems


def media_in(folder: Path) -> list[Path]:
    """Media files directly inside ``folder`` (the lecture processor's extensions) and the caption files
    that are no media file's sidecar (`captions.unclaimed_captions`), in course order."""
    if not folder.is_dir():
        return []
    media = [f for f in folder.iterdir() if f.is_file() and f.suffix.lower() in MEDIA_EXTENSIONS]
    return sorted(media + unclaimed_captions(folder, media), key=lambda f: natural_key(f.name))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lecturelab course``; 0 done, 1 some lectures failed or lecture folders were unreadable
    (left out), or none was readable, 2 usage. Media files directly in the folder are processed first
    (``lecturelab process <media> output_dir=<folder>``, with any ``key=value`` given; finished ones are
    skipped as usual)."""
    p = argparse.ArgumentParser(prog="lecturelab course", description=__doc__.strip().splitlines()[0],
                                epilog=EXIT_CODES)
    p.add_argument("folder", help="folder of processed lectures (lecturelab process output_dir) and/or media files")
    p.add_argument("--title", help="course title (default: the folder's name)")
    p.add_argument("overrides", nargs="*", help="key=value settings of `lecturelab process` for the media files")
    try:
        args = p.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:
        return int(e.code or 0)

    def run() -> int:
        media, processed = media_in(Path(args.folder)), 0
        if media:   # process the recordings first; a failed one is reported by process and left out
            processed = process_main([*map(str, media), f"output_dir={args.folder}", *args.overrides])
            if processed == USAGE:
                return USAGE
        elif args.overrides:
            raise UsageError(f"{args.folder}: no media files to process with {' '.join(args.overrides)}")
        index, problems = build_course(args.folder, args.title)
        for line in problems:
            print(f"error: {line} (left out of the course)", file=sys.stderr)
        print(index)
        return 1 if problems or processed else 0

    return run_command("lecturelab course", run)


if __name__ == "__main__":
    sys.exit(main())
