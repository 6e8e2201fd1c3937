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
import copy
import json
import os
import shutil
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path

from lecturelab.command import UsageError, checking_config, parse_command, run_command
from lecturelab.config import compose, config_keys, split_args
from lecturelab.errors import EXIT_CODES
from lecturelab.io import atomic_dir, write_text
from lecturelab.lecture.edits import apply_edits
from lecturelab.lecture.handmade import refit_edits
from lecturelab.lecture.review import write_review
from lecturelab.lecture.transcript import write_lecture_files
from lecturelab.media.probe import MediaError, probe
from lecturelab.quiz.concepts import lecture_concepts
from lecturelab.quiz.edits import EditError
from lecturelab.quiz.export import write_exports
from lecturelab.transcript.document import lecture_media, read_json_object, read_transcript
from lecturelab.transcript.manifest import (
    APPLIED_FILE,
    ORIG_QUIZ,
    ORIG_TRANSCRIPT,
    REVIEW_DIR,
    REVIEW_FILES,
    machine_files,
    person_made,
    record_outputs,
)


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
    return read_json_object(path, EditError).get("chapters") if path.is_file() else None


def _applied_at(folder: Path, edits: dict) -> str:
    """When these edits were first applied (ISO 8601 UTC, seconds): the time of the last apply when it
    applied the same edits (so applying them again writes the same files), else now. The Anki deck's note
    times come from it (`lecturelab.quiz.export.review_timestamp`)."""
    try:
        same = read_json_object(folder / APPLIED_FILE) == edits
        before = (read_json_object(folder / "quiz.json").get("review") or {}).get("applied_at") if same else None
    except (ValueError, AttributeError):   # no earlier apply, or its files unreadable: now
        before = None
    return before or datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _concepts(folder: Path, doc: dict, keyphrases: list[dict]) -> tuple[list[dict] | None, int]:
    """The key concepts of the corrected transcript (default settings) and how many lead the index, when
    the folder has a concepts.json; (None, 20) when it has none."""
    old = folder / "concepts.json"
    if not old.is_file():
        return None, 20
    top = int(read_json_object(old, EditError).get("top") or 20)
    duration = float((doc.get("source") or {}).get("duration") or 0.0)
    return lecture_concepts(doc["text"], doc["segments"], keyphrases, duration), top


def apply_folder(folder: str | Path, edits_path: str | Path, low_confidence: float | None = 0.5,
                 subtitles: Mapping | None = None) -> dict:
    """Apply ``edits_path`` (edits.json, format in `lecturelab.lecture.edits`) to a processed lecture folder
    and rewrite its outputs (`apply_to_folder`). Returns the edits' summary (transcript.json ``review``).
    Raises EditError with one line naming the file and the edit; nothing is written then."""
    folder, edits_path = Path(folder), Path(edits_path)
    if not (folder / "transcript.json").is_file():
        raise EditError(f"{folder}: no transcript.json (give the output folder of `lecturelab process`)")
    return apply_to_folder(folder, read_json_object(edits_path, EditError), str(edits_path), low_confidence, subtitles)


def apply_to_folder(folder: Path, edits: dict, where: str, low_confidence: float | None = 0.5,
                    subtitles: Mapping | None = None) -> dict:
    """Apply the parsed ``edits`` (named ``where`` in errors) to the lecture folder ``folder`` and rewrite
    transcript.json/.html/.md, keyphrases.json, concepts.json (when there is one), subtitles, quiz.json and
    every quiz export, review.html, plus ``edits.applied.json`` (the edits, for the next review) and ``outputs.sha256``
    (`lecturelab.transcript.manifest`). Files a person put in the folder stay; a machine file a person edited
    by hand is never overwritten: EditError names it.

    Returns the edits' summary (transcript.json ``review``). Raises EditError with one line naming the
    file and the edit; nothing is written then.
    """
    folder = Path(folder)
    machine = machine_files(folder)
    first = not (folder / ORIG_TRANSCRIPT).is_file()
    doc = read_transcript(folder, "transcript.json" if first else ORIG_TRANSCRIPT)
    quiz_file = folder / ("quiz.json" if first or not (folder / ORIG_QUIZ).is_file() else ORIG_QUIZ)
    quiz = read_json_object(quiz_file, EditError) if quiz_file.is_file() else None
    new_doc, keyphrases, new_quiz = apply_edits(doc, quiz, edits, where)
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
                if old.name != ORIG_QUIZ and old.is_file() and (old.name in machine or not (folder / old.name).exists()):
                    old.unlink()
            write_exports(new_quiz, tmp, *lecture_media(tmp))
        write_text(tmp / APPLIED_FILE, json.dumps(edits, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
        write_review(tmp, low_confidence)
        # what this apply wrote or left as the machine wrote it; a person's file it would have replaced stops it
        written = {p.name for p in tmp.iterdir() if p.is_file() and (
            not (folder / p.name).is_file() or (folder / p.name).read_bytes() != p.read_bytes())}
        hand = sorted(written & set(person_made(folder)) - set(REVIEW_FILES))
        if hand:
            raise EditError(f"{folder / hand[0]}: changed by hand, and applying the edits would replace it; move it "
                            "out of the folder (or rename it) and apply again")
        record_outputs(tmp, (machine | written) - set(REVIEW_FILES))
    return new_doc["review"] | ({} if new_quiz is None else new_quiz["review"])


def _count(edits: dict) -> int:
    """How many edits ``edits`` holds: words, keyphrases added and removed, question edits."""
    kp = edits.get("keyphrases") or {}
    return (len(edits.get("words") or []) + len(kp.get("add") or []) + len(kp.get("remove") or [])
            + len(edits.get("questions") or []))


def _next_number(review: Path) -> int:
    return 1 + max((int(p.name) for p in review.iterdir() if p.is_dir() and p.name.isdigit()), default=0) \
        if review.is_dir() else 1


def keep_review(old: Path, new: Path, low_confidence: float | None, subtitles) -> list[str]:
    """Keep what a person made in the lecture folder ``old`` inside ``new``, the fresh machine output of the
    same lecture (not yet published). Returns one line per thing the reader should know.

    ``old`` less the media is copied to ``new/review/<n>/`` (earlier kept reviews come along under
    ``review/``); the person's own files are carried over unless a fresh output has the name (a hand-edited
    output: the fresh one replaces it, the hand-edited one stays in ``review/<n>/``); the saved edits are
    re-addressed (`lecturelab.lecture.handmade.refit_edits`) and applied (`apply_to_folder`). The lines go to
    ``review/<n>/reapplied.txt`` too."""
    old, new = Path(old), Path(new)
    made = person_made(old)
    if (old / REVIEW_DIR).is_dir():
        shutil.copytree(old / REVIEW_DIR, new / REVIEW_DIR, symlinks=True)
    n = _next_number(new / REVIEW_DIR)
    kept = new / REVIEW_DIR / str(n)
    media = (read_transcript(old).get("source") or {}).get("media_file")
    shutil.copytree(old, kept, symlinks=True,
                    ignore=lambda d, names: [x for x in names if Path(d) == old and (x in (REVIEW_DIR, media)
                                                                                    or x.startswith("."))])
    where = f"{REVIEW_DIR}/{n}/"
    lines = [f"the reviewed folder is kept in {where}"]
    for name in made:
        name = name.rstrip("/")
        if name in REVIEW_FILES or name == REVIEW_DIR:
            continue
        if (new / name).exists():
            lines.append(f"{name} was changed by hand; the fresh {name} replaces it (yours: {where}{name})")
        elif (old / name).is_dir():
            shutil.copytree(old / name, new / name, symlinks=True)
        else:
            shutil.copy2(old / name, new / name, follow_symlinks=False)
    edits_file = old / APPLIED_FILE
    if edits_file.is_file():
        try:
            edits = read_json_object(edits_file)
            orig = read_transcript(old, ORIG_TRANSCRIPT)
            doc = read_transcript(new)
            quiz = read_json_object(new / "quiz.json") if (new / "quiz.json").is_file() else None
            fitted, misfits = refit_edits(edits, orig, doc, quiz)
            if set(fitted) - {"schema_version", "lecture"}:
                apply_to_folder(new, copy.deepcopy(fitted), str(edits_file), low_confidence, subtitles)
            lines.append(f"{APPLIED_FILE}: {_count(fitted)} of {_count(edits)} edit(s) re-applied to the fresh output")
            lines += [f"{APPLIED_FILE} {m}: not re-applied" for m in misfits]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            lines.append(f"{APPLIED_FILE}: not re-applied ({str(e).splitlines()[0] if str(e) else type(e).__name__})"
                         f"; the review is in {where}")
    write_text(kept / "reapplied.txt", "".join(line + "\n" for line in lines))
    return lines


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

    def run() -> int:
        if len(paths) != 2:
            raise UsageError(f"give a lecture folder and an edits.json, got {paths or 'none'}")
        with checking_config():
            cfg = compose("process", overrides)
        summary = apply_folder(paths[0], paths[1], cfg.low_confidence, cfg.get("subtitles"))
        print(f"{paths[0]}: applied {paths[1]} ({', '.join(f'{k}: {v}' for k, v in summary.items())})")
        return 0

    return run_command("lecturelab apply", run, verbose or args.verbose)


if __name__ == "__main__":
    sys.exit(main())
