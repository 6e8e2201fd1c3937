"""The lecture document's shape: ``transcript.json`` and ``keyphrases.json`` as typed dictionaries.

What the lecture processor writes (`lecturelab.transcript.document.transcript_doc`, `write_transcript`) and
every reader gets back from ``json.load``, in the style of faster-whisper's ``Word`` / ``Segment``. Times are
seconds from the start of the media; ``char_start`` / ``char_end`` are ``[start, end)`` offsets into the
document's ``text``. ``TypedDict`` and not a dataclass: the files are JSON objects and stay plain
dictionaries in memory, so the types cost nothing at run time and change no byte that is written.
"""

from __future__ import annotations

from typing import TypedDict

SCHEMA_VERSION = 1


class Word(TypedDict, total=False):
    """One word as the transcriber heard it; ``prob`` is Whisper's probability (absent for typed text)."""
    word: str
    start: float
    end: float
    char_start: int
    char_end: int
    prob: float


class Segment(TypedDict):
    """One stretch of text with its times; ``id`` is its index in ``segments``."""
    id: int
    start: float
    end: float
    text: str
    char_start: int
    char_end: int
    words: list[Word]


class KeyphraseSpan(TypedDict):
    """One tagged mention (transcript.json ``keyphrases``): surface ``text``, stem ``key``, its segment."""
    text: str
    key: str
    char_start: int
    char_end: int
    start: float
    end: float
    score: float
    segment: int


class Occurrence(TypedDict):
    start: float
    end: float
    char_start: int
    char_end: int
    segment: int


class KeyphraseEntry(TypedDict):
    """One stem key of keyphrases.json: the ``phrase`` shown, its mean ``score``, where it is said."""
    phrase: str
    key: str
    score: float
    count: int
    variants: list[str]
    first_time: float
    occurrences: list[Occurrence]


class TranscriptDoc(TypedDict):
    """transcript.json, keys in file order. ``source``: the media (path, name, sha256, duration in seconds,
    audio_track, lost ranges); ``outputs``: every requested output file; ``note``: ``notes`` joined."""
    schema_version: int
    source: dict
    transcriber: dict
    keyphrase_model: str
    quiz: dict | None
    outputs: list[str] | None
    text: str
    language: str | None
    language_probability: float | None
    translated_from: str | None
    whisper_model: str | None
    segments: list[Segment]
    keyphrases: list[KeyphraseSpan]
    notes: list[str]
    note: str | None


class KeyphrasesDoc(TypedDict):
    """keyphrases.json: one entry per stem key, best score first."""
    schema_version: int
    keyphrases: list[KeyphraseEntry]
