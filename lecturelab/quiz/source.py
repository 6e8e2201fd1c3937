"""Read a processed lecture folder: the quiz's view of it, sentences with times and ranked keyphrases.

Reads the ``transcript.json`` and ``keyphrases.json`` written by the lecture processor (schema in
docs/quiz.md). Pure helpers find a keyphrase in a sentence by Porter-stemmed tokens, so inflections
("network" / "networks") and hyphenation match the same way ``stem_key`` groups them.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lecturelab.errors import LectureError
from lecturelab.keyphrases import _stem, stem_key
from lecturelab.lecture.sentences import sentence_spans


@dataclass
class Sentence:
    index: int
    text: str
    char_start: int     # offsets into the transcript text
    char_end: int
    start: float        # seconds
    end: float
    segment: int
    # (word as heard, Whisper probability) for each transcript word of the sentence; empty for text lectures
    words: list[tuple[str, float]] = field(default_factory=list)


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


_TOKEN = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def key_tokens(key: str) -> tuple[str, ...]:
    return tuple(key.split())


@lru_cache(maxsize=16384)
def token_spans(text: str) -> tuple[tuple[str, int, int], ...]:
    """(stemmed token, char_start, char_end) for each word of ``text`` (same tokens as ``stem_key``)."""
    return tuple((_stem(m.group().lower()), m.start(), m.end()) for m in _TOKEN.finditer(text))


def find_key(text: str, key: str) -> list[tuple[int, int]]:
    """Character spans in ``text`` whose stemmed tokens equal the stem key ``key`` (non-overlapping)."""
    want = key_tokens(key)
    if not want:
        return []
    toks = token_spans(text)
    spans, i = [], 0
    while i + len(want) <= len(toks):
        if tuple(t for t, _, _ in toks[i:i + len(want)]) == want:
            spans.append((toks[i][1], toks[i + len(want) - 1][2]))
            i += len(want)
        else:
            i += 1
    return spans


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """[start, end) character ranges of the sentences in ``text[start:end]``, stripped of spaces: the
    lecture's own sentence splitter (pysbd, `lecturelab.lecture.sentences`), so quiz stems and
    transcript segments agree."""
    return sentence_spans(text, start, end)


def _times(segments: list[dict], words: list[dict], cs: int, ce: int) -> tuple[float, float, int]:
    """Start/end seconds and first segment id of the characters [cs, ce): from word times if the
    transcript has them, else interpolated inside the overlapping segments."""
    segs = [s for s in segments if s["char_end"] > cs and s["char_start"] < ce] or segments[-1:]
    hit = [w for w in words if w["char_end"] > cs and w["char_start"] < ce]
    if hit:
        return float(hit[0]["start"]), float(hit[-1]["end"]), int(segs[0]["id"])

    def at(seg: dict, c: int) -> float:
        frac = min(max((c - seg["char_start"]) / max(seg["char_end"] - seg["char_start"], 1), 0.0), 1.0)
        return float(seg["start"]) + (float(seg["end"]) - float(seg["start"])) * frac

    return at(segs[0], cs), at(segs[-1], ce), int(segs[0]["id"])


def build_sentences(text: str, segments: list[dict]) -> list[Sentence]:
    """Sentences of the transcript with times in seconds and their words' probabilities (``prob``).

    Whisper segments often end mid-sentence, so we split the whole text and map each sentence back
    to the words (or segments) it overlaps.
    """
    if not segments:
        return []
    words = [w for seg in segments for w in seg.get("words") or []]
    start, end = segments[0]["char_start"], segments[-1]["char_end"]
    out: list[Sentence] = []
    for a, b in split_sentences(text, start, end):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        t0, t1, seg = _times(segments, words, a, b)
        heard = [(str(w.get("word", "")).strip(), float(w["prob"])) for w in words
                 if w.get("prob") is not None and w["char_end"] > a and w["char_start"] < b]
        out.append(Sentence(len(out), text[a:b], a, b, t0, t1, seg, heard))
    return out


def _read_json(path: Path) -> dict:
    if not path.is_file():
        raise LectureError(f"{path}: not found (is this a folder written by `lecturelab process`?)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise LectureError(f"{path}: cannot be read as JSON ({e})") from e
    if not isinstance(data, dict):
        raise LectureError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def load_lecture(folder: str | Path) -> Lecture:
    """Read a processed lecture folder (``transcript.json`` + ``keyphrases.json``, and ``concepts.json``
    when there is one). Raises LectureError naming the file for a missing or malformed one."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LectureError(f"{folder}: not a folder (give the output folder of `lecturelab process`)")
    tpath, kpath = folder / "transcript.json", folder / "keyphrases.json"
    tr, kp = _read_json(tpath), _read_json(kpath)
    try:
        text = tr["text"]
        segments = tr["segments"]
        sentences = build_sentences(text, segments)
        duration = float((tr.get("source") or {}).get("duration") or (segments[-1]["end"] if segments else 0.0))
        name = (tr.get("source") or {}).get("name") or folder.name
        # what identifies the lecture to other systems (Anki decks, Moodle questions): its content, not its
        # file name, which two courses easily share ("lecture01.mp4")
        source_id = str((tr.get("source") or {}).get("sha256") or "") or hashlib.sha256(text.encode()).hexdigest()
    except (KeyError, TypeError, IndexError, ValueError) as e:
        raise LectureError(f"{tpath}: missing or malformed field {e} (see the schema in docs/quiz.md)") from e
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
        raise LectureError(f"{kpath}: missing or malformed field {e} (see the schema in docs/quiz.md)") from e
    kps = [k for k in kps if k.key]
    kps.sort(key=lambda k: -k.score)
    concepts = None
    if (folder / "concepts.json").is_file():
        cpath = folder / "concepts.json"
        entries = _read_json(cpath).get("concepts")
        if not isinstance(entries, list) or not all(isinstance(e, dict) and e.get("term") for e in entries):
            raise LectureError(f"{cpath}: 'concepts' must be a list of objects with a 'term' "
                               "(see the schema in docs/lecture.md)")
        concepts = entries
    return Lecture(folder, str(name), text, duration, sentences, kps, tr.get("note"), source_id, concepts)
