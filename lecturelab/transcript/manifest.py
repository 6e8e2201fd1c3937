"""What the machine wrote in a processed lecture folder, and so what a person made there.

A lecture folder holds machine output (written by `lecturelab process`, rewritten by `lecturelab apply`
from the teacher's edits and by `lecturelab quiz`) and what a person made:

- the applied review: ``edits.applied.json`` and the machine output its addresses refer to,
  ``transcript.orig.json`` / ``quiz.orig.json``;
- reviews kept from earlier runs (``review/<n>/``);
- any file or folder a person put there, and any machine file a person edited by hand.

``outputs.sha256`` (``sha256sum`` format, ``sha256sum -c`` checks it) lists the files the machine wrote
last and their sha256, so a hand edit shows as another hash. In a folder written before that list existed,
a file named like an output (``transcript.*``, ``quiz.*``, ...) counts as the machine's. The media beside
the page and hidden files (temp files of atomic writes, ``.DS_Store``) are neither.

Below `lecturelab.quiz` and `lecturelab.lecture`: every command that rewrites a lecture folder asks
`person_made` first and lists what it wrote with `record_outputs` / `rerecord_files`.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path

from lecturelab.errors import LectureError
from lecturelab.io import sha256_file, write_text
from lecturelab.transcript.document import read_transcript

MANIFEST = "outputs.sha256"
REVIEW_DIR = "review"
APPLIED_FILE = "edits.applied.json"
ORIG_TRANSCRIPT, ORIG_QUIZ = "transcript.orig.json", "quiz.orig.json"   # the machine output apply keeps
REVIEW_FILES = (APPLIED_FILE, ORIG_TRANSCRIPT, ORIG_QUIZ)
# what `lecturelab process` writes, for folders without outputs.sha256
OUTPUT_PATTERNS = ("transcript.*", "keyphrases.json", "subtitles.*", "review.html", "chapters.*", "quiz.*", "media.*")


def read_manifest(folder: Path) -> dict[str, str] | None:
    """{file name: sha256} from ``folder/outputs.sha256``, or None when there is none (or it does not read)."""
    try:
        lines = (Path(folder) / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    out = {}
    for line in lines:
        sha, sep, name = line.partition("  ")
        if sep and len(sha) == 64:
            out[name] = sha
    return out


def _plain_file(folder: Path, name: str) -> bool:
    return name != MANIFEST and (folder / name).is_file() and not (folder / name).is_symlink()


def _write_manifest(folder: Path, listed: dict[str, str]) -> Path:
    """``folder/outputs.sha256`` from {name: sha256}, sorted by name; one atomic write."""
    return write_text(folder / MANIFEST, "".join(f"{listed[n]}  {n}\n" for n in sorted(listed)))


def record_outputs(folder: Path, names: Iterable[str]) -> Path:
    """Write ``folder/outputs.sha256``: the sha256 of each named plain file of ``folder`` (the machine's)."""
    folder = Path(folder)
    return _write_manifest(folder, {n: sha256_file(folder / n) for n in set(names) if _plain_file(folder, n)})


def rerecord_files(folder: Path, names: Iterable[str]) -> Path | None:
    """After a command rewrote (or removed) the machine files ``names`` of ``folder``: their entries of
    ``outputs.sha256`` from the files now there (a name no longer there leaves the list); every other
    entry stays as it was, so a hand edit elsewhere still shows. Returns the list's path, or None when the
    folder has none (it was written before the list existed: files named like outputs count as the
    machine's there, and a list of these files alone would make every other output a person's)."""
    folder = Path(folder)
    listed = read_manifest(folder)
    if listed is None:
        return None
    names = set(names)
    kept = {n: sha for n, sha in listed.items() if n not in names}
    return _write_manifest(folder, kept | {n: sha256_file(folder / n) for n in names if _plain_file(folder, n)})


def rerecord(folder: Path, name: str, before: str) -> None:
    """After a command rewrote the machine file ``name`` whose sha256 was ``before``: its new hash, so the
    rewrite does not read as a hand edit. Nothing happens when the list does not hold it with that hash."""
    listed = read_manifest(folder)
    if listed is not None and listed.get(name) == before:
        rerecord_files(folder, [name])


def _media_name(folder: Path) -> str | None:
    try:
        return (read_transcript(folder).get("source") or {}).get("media_file")
    except (LectureError, AttributeError):
        return None


def machine_files(folder: Path) -> set[str]:
    """Names of the top-level files of ``folder`` the machine wrote and nobody changed since (with the media)."""
    folder = Path(folder)
    listed = read_manifest(folder)
    media = {m} if (m := _media_name(folder)) else set()
    if listed is None:
        return media | {p.name for p in folder.iterdir() if p.is_file() and p.name not in REVIEW_FILES
                        and any(fnmatch(p.name, pat) for pat in OUTPUT_PATTERNS)}
    return media | {n for n, sha in listed.items() if (folder / n).is_file() and sha256_file(folder / n) == sha}


def person_made(folder: Path) -> list[str]:
    """What a person made or changed in the lecture folder ``folder``: sorted top-level names (a folder with
    a trailing ``/``); [] for a folder of machine output only, or none."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    machine = machine_files(folder) | {MANIFEST}
    return sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir()
                  if not p.name.startswith(".") and p.name not in machine)
