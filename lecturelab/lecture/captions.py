"""People-made captions (WebVTT, SRT) as a lecture's transcript, in place of Whisper.

A caption file is read with the subtitle libraries the project writes with (``webvtt-py`` in strict mode,
``srt``), checked (UTF-8, cues in time order, no overlaps, some text), and turned into the segments
`lecturelab.lecture.transcribe.transcribe` returns (``{start, end, text, words: [{word, start, end, prob}]}``)
so every later step reads it unchanged:

- cue text runs on across cue breaks and is cut into sentences by `sentences.resegment` (pysbd), and also
  wherever a cue ends with a sentence end (`_runs`);
- a speaker label (``PROFESSOR:``, ``Professor Ben Polak:``, ``Student:``, ``>>``, WebVTT ``<v Name>``)
  starts a speaker turn: it is kept as the segment's ``speaker``, not as words, and no sentence crosses it;
- sound tags (``[LAUGHTER]``, ``[inaudible]``, ``(applause)``, ``♪``) are dropped; brackets that hold words
  or formulas (``[T]he``, ``[1 - δ]``, ``(alpha)``) stay;
- a word's times are its cue's, spread over the cue by characters; its ``prob`` is 1.0 (a person wrote it).

Bad files raise `CaptionError` with one line naming the file and the cue.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from lecturelab.errors import LectureError
from lecturelab.transcript.document import CAPTION_EXTENSIONS
from lecturelab.transcript.sentences import resegment

MODES = ("auto", "never", "only")   # process.yaml ``captions``
# a cue may start this much before the previous one ends (millisecond rounding of the cue times)
OVERLAP_TOLERANCE = 0.01

# Words that make a bracketed or parenthesised note a sound tag, not text ("[laughter]", "(APPLAUSE)",
# "[SIDE CONVERSATION]"); an ALL-CAPS note with a word of 4+ letters is one too (the captioning convention).
SOUND_WORDS = {
    "applause", "background", "beep", "beeping", "bell", "booing", "cheering", "cheers", "chuckles", "chuckling",
    "clapping", "cough", "coughing", "coughs", "crosstalk", "gasps", "groans", "inaudible", "indistinct",
    "laugh", "laughing", "laughs", "laughter", "music", "noise", "pause", "sigh", "sighs", "silence", "sneezes",
    "sound", "squeaking", "static", "unintelligible", "whistle", "whistling", "conversation", "chatter",
}
# Role words that make a one-word label a speaker ("Student:", "PROF:", "Audience:") wherever it appears.
ROLES = {
    "audience", "announcer", "guest", "host", "instructor", "interviewer", "lecturer", "man", "moderator",
    "narrator", "panelist", "participant", "prof", "professor", "questioner", "speaker", "student",
    "students", "teacher", "woman",
}
_TAG = re.compile(r"(?<![\w\]])(\[([^\[\]\n]{1,60})\]|\(([^()\n]{1,60})\))(?![\w\[])")
_MUSIC = re.compile(r"[♪♫]+")
_ANNOTATION = re.compile(r"<<[^<>]{1,160}>>")   # a transcriber's note: "<<students calling out>>"
# a label: up to 4 capitalised words or initials (a cue may break it over two lines), a colon, then a
# space or the end of the text; at the start of a line (after an optional ">>"), after a sentence or a dash
_WORD = r"(?:[A-Z]\.|[A-Z](?:[\w'’]|-(?=\w))*)"
_LABEL = re.compile(rf"(?:^|(?<=[.?!])|(?<=--))[ \t]*(?:>>[ \t]*)?({_WORD}(?:[ \t\n]+{_WORD}){{0,3}}):(?=\s|$)", re.M)
_TURN = re.compile(r"^[ \t]*>>[ \t]*", re.M)
_SENTENCE_END = re.compile(r"[.?!][\"'”’)\]]*$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_LANG_SUFFIX = re.compile(r"\.([a-z]{2,3}(?:[-_][A-Za-z]{2,4})?)$")


class CaptionError(LectureError):
    """A caption file that cannot be used; ``str`` is one line naming the file and the cue."""


@dataclass(frozen=True)
class Cue:
    """One caption cue: ``start``/``end`` in seconds, ``text`` (cue tags removed, lines joined by newlines),
    ``number`` (1-based order in the file), ``line`` (1-based line of its timing line), ``timing`` as written,
    ``voice``: the WebVTT ``<v>`` speaker, if any."""

    start: float
    end: float
    text: str
    number: int
    line: int
    timing: str
    voice: str | None = None

    def where(self) -> str:
        return f"cue {self.number} (line {self.line}, {self.timing})"


def is_caption_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() in CAPTION_EXTENSIONS


def lecture_stem(path: str | Path) -> str:
    """The lecture's name from its file: the stem, without a caption file's language tag
    (``lecture.en.vtt`` -> ``lecture``)."""
    path = Path(path)
    return _LANG_SUFFIX.sub("", path.stem) if is_caption_file(path) and _LANG_SUFFIX.search(path.stem) else path.stem


def sidecar_candidates(media: str | Path) -> list[Path]:
    """The caption files that belong to ``media``, in the order they are looked for:
    ``<stem>.vtt``, ``<stem>.en.vtt``, ``<stem>.srt``, ``<stem>.en.srt``."""
    media = Path(media)
    return [media.with_name(media.stem + s) for s in (".vtt", ".en.vtt", ".srt", ".en.srt")]


def find_sidecar(media: str | Path) -> Path | None:
    """The first of `sidecar_candidates` that is a file, else None."""
    return next((p for p in sidecar_candidates(media) if p.is_file()), None)


def unclaimed_captions(folder: str | Path, media: list[Path]) -> list[Path]:
    """The caption files directly in ``folder`` that are no sidecar of a file in ``media``: lectures of
    their own (a folder of ``lecture.mp4`` + ``lecture.en.vtt`` and ``notes.vtt`` gives ``notes.vtt``)."""
    stems = {f.stem for f in media}
    return sorted(f for f in Path(folder).iterdir() if f.is_file() and is_caption_file(f)
                  and lecture_stem(f) not in stems and f.stem not in stems)


def caption_language(path: str | Path, metadata: list[str] | None = None) -> str | None:
    """ISO 639-1 language of a caption file: its WebVTT ``Language:`` header, else the file name's tag
    (``lecture.en.vtt``), else None (unknown)."""
    for item in metadata or []:
        key, _, value = item.partition(":")
        if key.strip().lower() == "language" and value.strip():
            return value.strip().split("-")[0].lower()
    m = _LANG_SUFFIX.search(Path(path).stem)
    return m.group(1).split("-")[0].split("_")[0].lower() if m else None


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CaptionError(f"{path}: cannot be read ({e.strerror or e})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise CaptionError(f"{path}: not UTF-8 text (byte 0x{data[e.start]:02x} on line {line}); "
                           "save it as UTF-8") from None


def _timing_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line, the timing as written) of every line with ``-->``, in order."""
    return [(i + 1, line.strip()) for i, line in enumerate(text.splitlines()) if "-->" in line]


def _read_vtt(path: Path, text: str) -> tuple[list[Cue], list[str]]:
    import webvtt  # deferred: only caption inputs need it
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    try:
        vtt = webvtt.from_string(text, strict=True)
    except MalformedFileError:
        raise CaptionError(f"{path}: not WebVTT captions (no WEBVTT header on line 1)") from None
    except MalformedCaptionError as e:
        bad = re.search(r"\['([^']*)'", str(e))
        first = bad.group(1) if bad else ""
        line = next((i + 1 for i, t in enumerate(text.splitlines()) if first and t.strip() == first), None)
        where = f"the cue at line {line} ({first})" if line else "a cue"
        raise CaptionError(f"{path}: {where} is malformed (WebVTT wants "
                           "'HH:MM:SS.mmm --> HH:MM:SS.mmm' and its text)") from None
    timings = _timing_lines(text)
    cues = []
    for n, (cap, (line, timing)) in enumerate(zip(vtt.captions, timings, strict=False), 1):
        voice = _VOICE.search(cap.raw_text)
        cues.append(Cue(cap.start_time.in_milliseconds() / 1000, cap.end_time.in_milliseconds() / 1000,
                        html.unescape(cap.text), n, line, timing, voice.group(1).strip() if voice else None))
    return cues, list(getattr(vtt, "metadata", None) or [])


def _read_srt(path: Path, text: str) -> list[Cue]:
    import srt  # deferred: as webvtt

    try:
        subs = list(srt.parse(text))
    except srt.SRTParseError as e:
        line = text[:e.expected_start].count("\n") + 1
        raise CaptionError(f"{path}: not SRT captions at line {line} (SRT wants a number, "
                           "'HH:MM:SS,mmm --> HH:MM:SS,mmm' and the text)") from None
    timings = _timing_lines(text)
    return [Cue(s.start.total_seconds(), s.end.total_seconds(), re.sub(r"</?[^>\n]+>", "", s.content),
                n, line, timing) for n, (s, (line, timing)) in enumerate(zip(subs, timings, strict=False), 1)]


def read_cues(path: str | Path) -> tuple[list[Cue], str | None]:
    """(cues in file order, language or None) of a ``.vtt`` or ``.srt`` file, checked: UTF-8, a caption
    format (WebVTT when it starts with ``WEBVTT``, else SRT; a ``.vtt`` must be WebVTT), at least one cue,
    every cue ending no earlier than it starts, starting no earlier than the cue before and not before
    that one ends (`OVERLAP_TOLERANCE`). Raises CaptionError naming the file and the cue."""
    path = Path(path)
    text = _decode(path)
    metadata: list[str] = []
    if text.lstrip("\ufeff").startswith("WEBVTT") or path.suffix.lower() == ".vtt":
        cues, metadata = _read_vtt(path, text)
    else:
        cues = _read_srt(path, text)
    if not cues:
        raise CaptionError(f"{path}: no caption cues in the file")
    for prev, cue in zip([None, *cues], cues, strict=False):
        if cue.end < cue.start:
            raise CaptionError(f"{path}: {cue.where()} ends before it starts")
        if prev is not None and cue.start < prev.start:
            raise CaptionError(f"{path}: {cue.where()} starts before cue {prev.number} ({prev.timing}): "
                               "cues must be in time order")
        if prev is not None and cue.start < prev.end - OVERLAP_TOLERANCE:
            raise CaptionError(f"{path}: {cue.where()} overlaps cue {prev.number} ({prev.timing}): "
                               "captions of one speaker track must not overlap")
    return cues, caption_language(path, metadata)


def _is_sound_tag(inner: str) -> bool:
    words = re.findall(r"[^\W\d_]+", inner)
    if not words or re.search(r"[^\w\s/’'-]", inner) or re.search(r"\d", inner):
        return False
    if any(w.lower() in SOUND_WORDS for w in words):
        return True
    return inner.isupper() and any(len(w) >= 4 for w in words)


def strip_sound_tags(text: str) -> str:
    """``text`` without sound tags and music notes (see the module docstring), spaces tidied."""
    text = _TAG.sub(lambda m: " " if _is_sound_tag(m.group(2) or m.group(3)) else m.group(0), text)
    text = _MUSIC.sub(" ", _ANNOTATION.sub(" ", text))
    return re.sub(r"[ \t]+", " ", text).strip()


TITLES = {"dr", "mr", "mrs", "ms", "prof", "professor", "professional"}
# words that introduce text, never a speaker, though a lecture may write them capitalised only
NOT_NAMES = {"answer", "book", "chapter", "example", "figure", "note", "part", "problem", "question", "quote",
             "section", "step", "table", "unquote"}


def _label(m: re.Match) -> str:
    return " ".join(m.group(1).split())


def _speaker_labels(cues: list[Cue]) -> set[str]:
    """The labels of this file that name a speaker: ALL-CAPS ones, role words (`ROLES`), names of 2-4
    capitalised words none of which (titles aside) is ever written in lower case in the file, and
    one-word names never written in lower case that label at least two places; never one with a word of
    `NOT_NAMES` or a possessive (so "So:", "Two:", "Quote:" or "Book Eleven:" stay text)."""
    lower = {w for c in cues for w in re.findall(r"\b[a-z][\w'’-]*", c.text)}
    counts: dict[str, int] = {}
    for c in cues:
        for m in _LABEL.finditer(c.text):
            counts[_label(m)] = counts.get(_label(m), 0) + 1
    out = set()
    for label, n in counts.items():
        words = [w.lower().rstrip(".") for w in label.split()]
        letters = re.sub(r"[^A-Za-z]", "", label)
        names = [w for w in words if w not in TITLES and len(w) > 1]
        if any(w in NOT_NAMES or w.endswith(("'s", "’s")) for w in words):
            continue   # "Quote:", "Sterne's Tristram Shandy:" introduce text
        if words[0] in ROLES or words[-1] in ROLES or (letters.isupper() and len(letters) >= 2):
            out.add(label)
        elif len(words) >= 2 and names and not any(w in lower for w in names):
            out.add(label)
        elif len(words) == 1 and words[0] not in lower and n >= 2:
            out.add(label)
    return out


@dataclass
class _Turn:
    speaker: str | None
    words: list[dict]
    ends: set[int] = field(default_factory=set)   # word indices where a cue ended a sentence


def _spread(text: str, start: float, end: float) -> list[dict]:
    """Whisper-style words (leading space, prob 1.0) of ``text`` with times spread over [start, end]
    in proportion to their characters, the spaces between them included: the first word starts at
    ``start``, the last ends at ``end``."""
    tokens = text.split()
    total = max(sum(len(t) + 1 for t in tokens) - 1, 1)
    out, pos = [], 0
    for t in tokens:
        a = start + (end - start) * pos / total
        b = start + (end - start) * (pos + len(t)) / total
        pos += len(t) + 1
        out.append({"word": " " + t, "start": round(a, 3), "end": round(max(a, b), 3), "prob": 1.0})
    return out


def _pieces(text: str, labels: set[str]) -> list[tuple[str | None, str]]:
    """A cue's text cut at its speaker labels and ``>>`` marks: [(speaker starting here, or "" for an
    unnamed turn, or None for no new turn; the text that follows)]."""
    cuts = [(m.start(), m.end(), _label(m)) for m in _LABEL.finditer(text) if _label(m) in labels]
    cuts += [(m.start(), m.end(), "") for m in _TURN.finditer(text)
             if not any(a <= m.start() < b for a, b, _ in cuts)]
    out, pos, speaker = [], 0, None
    for a, b, name in sorted(cuts):
        out.append((speaker, text[pos:a]))
        speaker, pos = name, b
    out.append((speaker, text[pos:]))
    return out


def caption_turns(cues: list[Cue]) -> list[_Turn]:
    """The cues' words grouped into speaker turns (a label, ``>>`` or a new WebVTT voice starts one), sound
    tags dropped; each piece of a cue gets the share of the cue's time its characters have."""
    labels = _speaker_labels(cues)
    turns: list[_Turn] = [_Turn(None, [])]

    def new_turn(speaker: str | None) -> None:
        if turns[-1].words:
            turns.append(_Turn(speaker, []))
        else:
            turns[-1].speaker = speaker

    for cue in cues:
        if cue.voice and cue.voice != turns[-1].speaker:
            new_turn(cue.voice)
        pieces = [(spk, strip_sound_tags(t)) for spk, t in _pieces(cue.text, labels)]
        chars = max(sum(len(t) + 1 for _, t in pieces if t) - 1, 1)
        pos = 0
        for spk, t in pieces:
            if spk is not None:
                new_turn(spk or None)
            if t:
                a = cue.start + (cue.end - cue.start) * pos / chars
                b = cue.start + (cue.end - cue.start) * (pos + len(t)) / chars
                pos += len(t) + 1
                turns[-1].words += _spread(t, a, b)
        if turns[-1].words and _SENTENCE_END.search(turns[-1].words[-1]["word"]):
            turns[-1].ends.add(len(turns[-1].words))
    return [t for t in turns if t.words]


def _runs(turn: _Turn) -> list[list[dict]]:
    """A turn's words cut where a cue ended with a sentence end: pysbd never splits between what it takes
    for a pair of quotation marks, and people-made captions quote ('wrote, "The child is father to the
    man," and ...'), so a wrong pair would otherwise join minutes of a turn into one "sentence"."""
    cuts = [0, *sorted(i for i in turn.ends if 0 < i < len(turn.words)), len(turn.words)]
    return [turn.words[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def caption_segments(path: str | Path) -> dict:
    """Read a caption file (`read_cues`) and return it as `transcribe.transcribe` returns a transcript:
    ``{segments, language, language_probability: None, task: "transcribe", translated_from: None,
    model: None, notes}``, one segment per sentence (``{start, end, text, words, speaker}``, seconds on the
    caption timeline; ``speaker`` the turn's label or None). Raises CaptionError when no words are left."""
    path = Path(path)
    cues, language = read_cues(path)
    segments = []
    for turn in caption_turns(cues):
        for words in _runs(turn):
            seg = {"start": words[0]["start"], "end": words[-1]["end"],
                   "text": "".join(w["word"] for w in words).strip(), "words": words}
            segments += [s | {"speaker": turn.speaker} for s in resegment([seg], language or "en")]
    if not segments:
        raise CaptionError(f"{path}: no caption text: its {len(cues)} cue(s) hold only sound tags or nothing")
    return {"segments": segments, "language": language, "language_probability": None, "task": "transcribe",
            "translated_from": None, "model": None, "notes": []}
