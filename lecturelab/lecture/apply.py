"""``lecturelab apply <lecture folder> edits.json``: apply a teacher's review and regenerate every output.

    lecturelab apply outputs/lectures/intro/ ~/Downloads/edits.json
    lecturelab apply outputs/lectures/intro/ edits.json low_confidence=0.4 subtitles.max_lines=1

The first apply keeps the machine output as ``transcript.orig.json`` and ``quiz.orig.json``; every apply
starts from those, so edits can be redone and the same edits always give the same files. The edits are
checked before anything is written (one line naming the file and the edit, exit code 2); then the whole
folder is rebuilt beside the old one and swapped in with one rename (`lecturelab.io.atomic_dir`), so a
failure leaves the old outputs. ``low_confidence`` and ``subtitles.*`` are the ``process`` settings
(lecturelab/conf/process.yaml), overridable here as there.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

from lecturelab.config import compose, config_keys, split_args
from lecturelab.errors import EXIT_CODES, USAGE, one_line
from lecturelab.io import atomic_dir, write_text
from lecturelab.lecture.audio import MediaError, probe
from lecturelab.lecture.cli import parse_command
from lecturelab.lecture.concepts import lecture_concepts
from lecturelab.lecture.edits import EditError, apply_edits
from lecturelab.lecture.review import APPLIED_FILE, write_review
from lecturelab.lecture.transcript import write_lecture_files
from lecturelab.quiz.export import write_exports
from lecturelab.quiz.make import lecture_media

ORIG_TRANSCRIPT, ORIG_QUIZ = "transcript.orig.json", "quiz.orig.json"


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EditError(f"{path}: not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise EditError(f"{path}: cannot be read as JSON ({one_line(e)})") from None
    if not isinstance(data, dict):
        raise EditError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def _has_video(folder: Path, doc: dict) -> bool:
    """Whether the media beside the page has a picture (as `process` decided from the source); True when
    it cannot be probed: the page then chooses by the file's extension."""
    media = (doc.get("source") or {}).get("media_file")
    if not media or not (folder / media).exists():
        return True
    try:
        return probe(folder / media).has_video
    except MediaError:
        return True


def _copier(media: str | None):
    """copytree's copy function: the media is hard-linked (it can be large and nothing writes it), every
    other file copied, so even a writer that writes in place cannot touch the old folder."""
    def copy(src: str, dst: str) -> None:
        if media and Path(src).name == media:
            try:
                os.link(src, dst)
                return
            except OSError:
                pass
        shutil.copy2(src, dst)
    return copy


def _chapters(folder: Path) -> list[dict] | None:
    """The lecture's chapters (chapters.json, times unchanged by word edits), or None without them."""
    path = folder / "chapters.json"
    return _read(path).get("chapters") if path.is_file() else None


def _applied_at(folder: Path, edits: dict) -> str:
    """When these edits were first applied (ISO 8601 UTC, seconds): the time of the last apply when it
    applied the same edits (so applying them again writes the same files), else now. The Anki deck's note
    times come from it (`lecturelab.quiz.export.review_timestamp`)."""
    try:
        same = json.loads((folder / APPLIED_FILE).read_text(encoding="utf-8")) == edits
        before = (json.loads((folder / "quiz.json").read_text(encoding="utf-8")).get("review") or {}).get(
            "applied_at") if same else None
    except (OSError, ValueError, AttributeError):
        before = None
    return before or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _concepts(folder: Path, doc: dict, keyphrases: list[dict]) -> tuple[list[dict] | None, int]:
    """The key concepts of the corrected transcript (default settings) and how many lead the index, when
    the folder has a concepts.json; (None, 20) when it has none."""
    old = folder / "concepts.json"
    if not old.is_file():
        return None, 20
    top = int(_read(old).get("top") or 20)
    duration = float((doc.get("source") or {}).get("duration") or 0.0)
    return lecture_concepts(doc["text"], doc["segments"], keyphrases, duration), top


def apply_folder(folder: str | Path, edits_path: str | Path, low_confidence: float | None = 0.5,
                 subtitles: Mapping | None = None) -> dict:
    """Apply ``edits_path`` (edits.json, format in `lecturelab.lecture.edits`) to a processed lecture folder
    and rewrite its outputs: transcript.json/.html/.md, keyphrases.json, concepts.json (when there is one),
    subtitles, quiz.json and every
    quiz export, review.html, plus ``edits.applied.json`` (the edits, for the next review).

    Returns the edits' summary (transcript.json ``review``). Raises EditError with one line naming the
    file and the edit; nothing is written then.
    """
    folder, edits_path = Path(folder), Path(edits_path)
    if not (folder / "transcript.json").is_file():
        raise EditError(f"{folder}: no transcript.json (give the output folder of `lecturelab process`)")
    edits = _read(edits_path)
    first = not (folder / ORIG_TRANSCRIPT).is_file()
    doc = _read(folder / ("transcript.json" if first else ORIG_TRANSCRIPT))
    quiz_file = folder / ("quiz.json" if first or not (folder / ORIG_QUIZ).is_file() else ORIG_QUIZ)
    quiz = _read(quiz_file) if quiz_file.is_file() else None
    new_doc, keyphrases, new_quiz = apply_edits(doc, quiz, edits, str(edits_path))
    if new_quiz is not None:
        new_quiz["review"]["applied_at"] = _applied_at(folder, edits)
    has_video = _has_video(folder, doc)
    concepts = _concepts(folder, new_doc, keyphrases)
    with atomic_dir(folder) as tmp:
        shutil.copytree(folder, tmp, symlinks=True, dirs_exist_ok=True,
                        copy_function=_copier((doc.get("source") or {}).get("media_file")))
        if first:
            write_text(tmp / ORIG_TRANSCRIPT, json.dumps(doc, indent=1, ensure_ascii=False))
            if quiz is not None:
                shutil.copyfile(quiz_file, tmp / ORIG_QUIZ)
        write_lecture_files(tmp, new_doc, keyphrases, has_video, low_confidence, subtitles, _chapters(folder),
                            *concepts)
        if new_quiz is not None:

            # an export written only for some quizzes (Aiken: MCQs only) must not outlive its questions
            for old in tmp.glob("quiz.*"):
                if old.name != ORIG_QUIZ and old.is_file():
                    old.unlink()
            write_exports(new_quiz, tmp, *lecture_media(tmp))
        write_text(tmp / APPLIED_FILE, json.dumps(edits, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        write_review(tmp, low_confidence)
    return new_doc["review"] | ({} if new_quiz is None else new_quiz["review"])


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lecturelab apply", description=__doc__.strip().splitlines()[0],
                                epilog=EXIT_CODES)
    p.add_argument("args", nargs="+", metavar="FOLDER EDITS [key=value]",
                   help="the lecture folder, edits.json, and overrides of low_confidence / subtitles.*")
    p.add_argument("-v", "--verbose", action="store_true", help="tracebacks")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lecturelab apply``; returns the exit code (`lecturelab.errors`)."""
    args = parse_command(parser(), argv)
    if isinstance(args, int):
        return args
    paths, overrides, verbose = split_args(args.args, config_keys("process"))
    if len(paths) != 2:
        print(f"lecturelab apply: give a lecture folder and an edits.json, got {paths or 'none'}", file=sys.stderr)
        return USAGE
    try:
        cfg = compose("process", overrides)
        summary = apply_folder(paths[0], paths[1], cfg.low_confidence, cfg.get("subtitles"))
    except Exception as e:  # noqa: BLE001 - one readable line for the user; the traceback on request
        if verbose or args.verbose:
            import traceback

            traceback.print_exc()
        print(f"error: {one_line(e)}", file=sys.stderr)
        return USAGE
    print(f"{paths[0]}: applied {paths[1]} ({', '.join(f'{k}: {v}' for k, v in summary.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
