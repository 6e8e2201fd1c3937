"""What a person made in a processed lecture folder, and how it outlives processing the lecture again.

A lecture folder holds machine output (written by `lecturelab process`, rewritten by `lecturelab apply`
from the teacher's edits) and what a person made:

- the applied review: ``edits.applied.json`` and the machine output its addresses refer to,
  ``transcript.orig.json`` / ``quiz.orig.json``;
- reviews kept from earlier runs (``review/<n>/``);
- any file or folder a person put there, and any machine file a person edited by hand.

``outputs.sha256`` (``sha256sum`` format, ``sha256sum -c`` checks it) lists the files the machine wrote
last and their sha256, so a hand edit shows as another hash. In a folder written before that list existed,
a file named like an output (``transcript.*``, ``quiz.*``, ...) counts as the machine's. The media beside
the page and hidden files (temp files of atomic writes, ``.DS_Store``) are neither.

`person_made` lists that work; `lecturelab process` refuses to replace a folder that holds any unless
``reviewed=reapply``. Then `lecturelab.lecture.apply.keep_review` copies the old folder (less the media) into ``review/<n>/`` of the
fresh one, carries the person's own files over, re-addresses the saved edits onto the fresh transcript
and quiz (`refit_edits`: a word by its text and time, a question by its id) and applies those that fit;
each edit that does not fit is one line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path

from lecturelab.io import sha256_file, write_text
from lecturelab.keyphrases import stem_key
from lecturelab.lecture.edits import EditError, apply_edits, edit_transcript, lecture_id
from lecturelab.lecture.render import short_clock
from lecturelab.lecture.review import APPLIED_FILE, ORIG_QUIZ, ORIG_TRANSCRIPT
from lecturelab.transcript.sentences import find_key

MANIFEST = "outputs.sha256"
REVIEW_DIR = "review"
REVIEW_FILES = (APPLIED_FILE, ORIG_TRANSCRIPT, ORIG_QUIZ)
# what `lecturelab process` writes, for folders without outputs.sha256
OUTPUT_PATTERNS = ("transcript.*", "keyphrases.json", "subtitles.*", "review.html", "chapters.*", "quiz.*", "media.*")
WORD_SECONDS = 1.0   # a re-addressed word must be heard within this many seconds of where the review found it


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


def record_outputs(folder: Path, names: Iterable[str]) -> Path:
    """Write ``folder/outputs.sha256``: the sha256 of each named plain file of ``folder`` (the machine's)."""
    folder = Path(folder)
    files = sorted({n for n in names if n != MANIFEST and (folder / n).is_file() and not (folder / n).is_symlink()})
    return write_text(folder / MANIFEST, "".join(f"{sha256_file(folder / n)}  {n}\n" for n in files))


def rerecord(folder: Path, name: str, before: str) -> None:
    """After a command rewrote the machine file ``name`` whose sha256 was ``before``: its new hash, so the
    rewrite does not read as a hand edit. Nothing happens when the list does not hold it with that hash."""
    listed = read_manifest(folder)
    if listed is not None and listed.get(name) == before:
        record_outputs(folder, listed)


def _media_name(folder: Path) -> str | None:
    try:
        return (json.loads((folder / "transcript.json").read_text(encoding="utf-8")).get("source") or {}).get(
            "media_file")
    except (OSError, ValueError, AttributeError):
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


def _word_at(doc: dict, s: int, w: int) -> dict | None:
    segs = doc.get("segments") or []
    return segs[s]["words"][w] if 0 <= s < len(segs) and 0 <= w < len(segs[s]["words"]) else None


def _refit_word(e: dict, old: dict, doc: dict, taken: set) -> tuple[dict | None, str]:
    """The word edit ``e`` addressed onto ``doc``: the word with the same text heard nearest in time to where
    the review found it (within WORD_SECONDS), or (None, why not)."""
    was = _word_at(old, e["segment"], e["word"])
    if was is None:
        return None, "its word is not in the reviewed transcript.orig.json"
    mid = (was["start"] + was["end"]) / 2
    best = None
    for s, seg in enumerate(doc["segments"]):
        for w, word in enumerate(seg["words"]):
            d = abs((word["start"] + word["end"]) / 2 - mid)
            if d <= WORD_SECONDS and (best is None or d < best[0]):
                best = (d, s, w, word["word"].strip())
    same = [(d, s, w) for s, seg in enumerate(doc["segments"]) for w, word in enumerate(seg["words"])
            if word["word"].strip() == e["from"].strip()
            and (d := abs((word["start"] + word["end"]) / 2 - mid)) <= WORD_SECONDS and (s, w) not in taken]
    if not same:
        heard = f"'{best[3]}'" if best else "nothing"
        return None, f"the fresh transcript has {heard} there, not '{e['from'].strip()}'"
    _, s, w = min(same)
    return {**e, "segment": s, "word": w}, ""


def refit_edits(edits: dict, old: dict, doc: dict, quiz: dict | None) -> tuple[dict, list[str]]:
    """The saved ``edits`` (edits.applied.json, addressed to the reviewed machine output ``old``) re-addressed
    to fresh machine output (``doc`` transcript.json, ``quiz`` quiz.json or None), and one line per edit
    that no longer fits (``words[2] 'packet' -> 'package' at 0:12: ...``). A word edit fits where the fresh
    transcript heard the same word within WORD_SECONDS of the old one; a keyphrase removal where the phrase
    is still a keyphrase; an addition where it is still spoken; a question edit where the fresh quiz has the
    question's id. ``order`` keeps the saved order of the questions still there, the new ones last."""
    out = {"schema_version": edits.get("schema_version"), "lecture": {**(edits.get("lecture") or {}),
                                                                      "id": lecture_id(doc)}}
    lines: list[str] = []
    if lecture_id(old) != lecture_id(doc):
        return out, ["lecture.id: the media changed since the review"]
    words, taken = [], set()
    for n, e in enumerate(edits.get("words") or []):
        fitted, why = _refit_word(e, old, doc, taken)
        was = _word_at(old, e["segment"], e["word"])
        at = f" at {short_clock(was['start'])}" if was else ""
        if fitted is None:
            lines.append(f"words[{n}] '{e['from'].strip()}' -> '{e['to']}'{at}: {why}")
        else:
            taken.add((fitted["segment"], fitted["word"]))
            words.append(fitted)
    if words:
        out["words"] = words
    kp = edits.get("keyphrases") or {}
    keys = {k["key"] for k in doc.get("keyphrases") or []}
    remove = [p for p in kp.get("remove") or [] if stem_key(p) in keys]
    lines += [f"keyphrases.remove[{n}] '{p}': not a keyphrase of the fresh transcript"
              for n, p in enumerate(kp.get("remove") or []) if p not in remove]
    text = edit_transcript(doc, {"words": words}, "")[0]["text"]
    add = [p for p in kp.get("add") or [] if find_key(text, stem_key(p))]
    lines += [f"keyphrases.add[{n}] '{p}': not spoken in the fresh transcript"
              for n, p in enumerate(kp.get("add") or []) if p not in add]
    if add or remove:
        out["keyphrases"] = {"add": add, "remove": remove}
    ids = [q["id"] for q in (quiz or {}).get("questions", [])]
    questions = []
    for n, e in enumerate(edits.get("questions") or []):
        if e.get("id") not in ids:
            lines.append(f"questions[{n}] ({e.get('id')}): " + ("the fresh output has no quiz" if quiz is None
                                                                 else "no question with this id in the fresh quiz"))
            continue
        try:   # an edit that fits the id but leaves the fresh question invalid (an answer not among its options)
            apply_edits(doc, quiz, {"schema_version": out["schema_version"], "words": words, "questions": [e]}, "")
        except EditError as err:
            lines.append(f"questions[{n}] ({e['id']}): {str(err).split(': ', 2)[-1]}")
            continue
        questions.append(e)
    if questions:
        out["questions"] = questions
    if "order" in edits and quiz is not None:
        kept = [i for i in ids if not any(e["id"] == i and e.get("delete") for e in questions)]
        order = [i for i in edits["order"] if i in kept] + [i for i in kept if i not in edits["order"]]
        gone = [i for i in edits["order"] if i not in kept and not any(e.get("id") == i for e in questions)]
        new = [i for i in kept if i not in edits["order"]]
        if gone or new:
            lines.append(f"order: kept for the questions still there ({len(gone)} gone, {len(new)} new placed last)")
        out["order"] = order
    return out, lines
