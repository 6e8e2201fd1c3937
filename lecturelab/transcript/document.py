"""The lecture document: the one writer and the one reader of ``transcript.json`` and ``keyphrases.json``.

The lecture processor, `lecturelab apply` and the text lectures (`lecturelab.lecture.textlecture`) build
the document with ``transcript_doc`` and write it with ``write_transcript``; the quiz, the course site and
the teacher's loop read it back with ``load_lecture`` (sentences with times, keyphrases best first),
``read_transcript`` and ``read_keyphrases`` (the documents as written); ``lecture_id`` is what identifies the
lecture to other systems. Every JSON object of a lecture folder is read with ``read_json_object``. The shape is `lecturelab.transcript.schema`; docs/lecture.md
shows it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from lecturelab.errors import LectureError, one_line
from lecturelab.io import write_text
from lecturelab.keyphrases import stem_key
from lecturelab.transcript.schema import SCHEMA_VERSION, KeyphraseEntry, KeyphraseSpan, Segment, TranscriptDoc
from lecturelab.transcript.sentences import Sentence, build_sentences


@dataclass
class Keyphrase:
    phrase: str
    key: str
    score: float
    count: int
    variants: list[str] = field(default_factory=list)
    first_time: float = 0.0


@dataclass
class Lecture:
    folder: Path
    name: str
    text: str
    duration: float
    sentences: list[Sentence]
    keyphrases: list[Keyphrase]   # best score first
    note: str | None = None
    source_id: str = ""           # sha256 of the media file (of the transcript text when there is none)
    concepts: list[dict] | None = None   # concepts.json entries, best first; None: the folder has none


def transcript_doc(source: dict, transcriber: dict, keyphrase_model: str, text: str, segments: list[Segment],
                   keyphrases: list[KeyphraseSpan], *, quiz: dict | None = None, outputs: list[str] | None = None,
                   language: str | None = None, language_probability: float | None = None,
                   translated_from: str | None = None, whisper_model: str | None = None,
                   notes: list[str] | None = None) -> TranscriptDoc:
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


def write_transcript(folder: str | Path, doc: TranscriptDoc, keyphrases: list[KeyphraseEntry]) -> Path:
    """Write ``keyphrases.json`` (``keyphrases``: `highlight.group_keyphrases` entries) and then
    ``transcript.json`` (``doc`` from `transcript_doc`) into ``folder``, each atomically. Returns folder."""
    folder = Path(folder)
    write_text(folder / "keyphrases.json",
               json.dumps({"schema_version": SCHEMA_VERSION, "keyphrases": keyphrases}, indent=1))
    write_text(folder / "transcript.json", json.dumps(doc, indent=1, ensure_ascii=False))
    return folder


NOT_PROCESSED = " (is this a folder written by `lecturelab process`?)"


def read_json_object(path: str | Path, error: type[Exception] = LectureError, hint: str = "") -> dict:
    """The JSON object in the UTF-8 file ``path``. Raises ``error`` with one line naming the file: ``not found``
    (then ``hint``), ``cannot be read as JSON (<why, with line and column>)`` or ``expected a JSON object, got
    <type>``."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: not found{hint}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise error(f"{path}: cannot be read as JSON ({e.msg} at line {e.lineno} column {e.colno})") from e
    except UnicodeDecodeError as e:
        raise error(f"{path}: cannot be read as JSON (not UTF-8 text: byte 0x{e.object[e.start]:02x} at "
                    f"offset {e.start})") from e
    except OSError as e:
        raise error(f"{path}: cannot be read as JSON ({one_line(e)})") from e
    if not isinstance(data, dict):
        raise error(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def read_transcript(folder: str | Path, name: str = "transcript.json") -> TranscriptDoc:
    """The lecture document ``folder/name`` as written (``name``: ``transcript.json``, or the machine's copy
    ``transcript.orig.json`` that `lecturelab apply` keeps). Raises LectureError (one line, `read_json_object`)."""
    return read_json_object(Path(folder) / name, LectureError, NOT_PROCESSED)


def read_keyphrases(folder: str | Path) -> list[KeyphraseEntry]:
    """The entries of ``folder/keyphrases.json`` as written. Raises LectureError (one line) for a file that is
    missing, not a JSON object or without a ``keyphrases`` list."""
    path = Path(folder) / "keyphrases.json"
    entries = read_json_object(path, LectureError, NOT_PROCESSED).get("keyphrases")
    if not isinstance(entries, list):
        raise LectureError(f"{path}: missing or malformed field 'keyphrases' (see the schema in docs/lecture.md)")
    return entries


def lecture_id(doc: TranscriptDoc) -> str:
    """What identifies a lecture to other systems (edits.json ``lecture.id``, Anki decks, Moodle questions):
    its content, not its file name, which two courses easily share ("lecture01.mp4"). The media's sha256
    (``source.sha256``), else the sha256 of the transcript text (a text lecture)."""
    return str((doc.get("source") or {}).get("sha256") or "") or hashlib.sha256(doc["text"].encode()).hexdigest()


def load_lecture(folder: str | Path) -> Lecture:
    """Read a processed lecture folder (``transcript.json`` + ``keyphrases.json``)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LectureError(f"{folder}: not a folder (give the output folder of `lecturelab process`)")
    tpath, kpath = folder / "transcript.json", folder / "keyphrases.json"
    tr, kp = read_transcript(folder), read_json_object(kpath, LectureError, NOT_PROCESSED)
    try:
        text = tr["text"]
        segments = tr["segments"]
        sentences = build_sentences(text, segments)
        duration = float((tr.get("source") or {}).get("duration") or (segments[-1]["end"] if segments else 0.0))
        name = (tr.get("source") or {}).get("name") or folder.name
        source_id = lecture_id(tr)
    except (KeyError, TypeError, IndexError, ValueError) as e:
        raise LectureError(f"{tpath}: missing or malformed field {e} (see the schema in docs/lecture.md)") from e
    try:
        kps = [
            Keyphrase(
                phrase=k["phrase"], key=k.get("key") or stem_key(k["phrase"]), score=float(k.get("score", 0.0)),
                count=int(k.get("count", 1)), variants=list(k.get("variants") or []),
                first_time=float(k.get("first_time") or 0.0),
            )
            for k in kp["keyphrases"]
        ]
    except (KeyError, TypeError, ValueError) as e:
        raise LectureError(f"{kpath}: missing or malformed field {e} (see the schema in docs/lecture.md)") from e
    kps = [k for k in kps if k.key]
    kps.sort(key=lambda k: -k.score)
    concepts = None
    if (folder / "concepts.json").is_file():
        cpath = folder / "concepts.json"
        entries = read_json_object(cpath).get("concepts")
        if not isinstance(entries, list) or not all(isinstance(e, dict) and e.get("term") for e in entries):
            raise LectureError(f"{cpath}: 'concepts' must be a list of objects with a 'term' "
                               "(see the schema in docs/lecture.md)")
        concepts = entries
    return Lecture(folder, str(name), text, duration, sentences, kps, tr.get("note"), source_id, concepts)


# caption files a lecture may be read from (`lecturelab.lecture.captions`): never its media
CAPTION_EXTENSIONS = (".vtt", ".srt")


def lecture_media(lecture_dir: str | Path) -> tuple[Path | None, int | None]:
    """(media, track): the lecture's audio or video, the copy beside the page (transcript.json
    ``source.media_file``) else the original file when it is still there, and the 1-based audio track that
    was transcribed (``source.audio_track.number``; None: the first). (None, None) for a text lecture or a
    media file that is gone."""
    try:
        source = read_transcript(lecture_dir).get("source") or {}
    except LectureError:
        return None, None
    candidates = [Path(lecture_dir) / source["media_file"]] if source.get("media_file") else []
    # a lecture read from a caption file alone has no media: its source file is the captions
    candidates += [Path(source[k]) for k in ("realpath", "path") if source.get(k) and source.get("sha256")
                   and Path(source[k]).suffix.lower() not in CAPTION_EXTENSIONS]
    media = next((p for p in candidates if p.is_file()), None)
    return media, (source.get("audio_track") or {}).get("number") if media else None
