"""What a media file holds, read with PyAV: duration, stream kinds and audio tracks (start on the container's
timeline, duration, channels, rate, language, title, default flag), and which audio track to transcribe."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MEDIA_EXTENSIONS = {".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v", ".mp3", ".m4a", ".aac", ".wav",
                    ".flac", ".ogg", ".oga", ".opus", ".wma"}
# Formats whose duration ffmpeg estimates from the bit rate (no index): a shortfall there is no loss.
ESTIMATED_DURATION = {"mp3", "aac", "ac3", "eac3", "mp2", "adts"}
_ISO639_2 = {"en": "eng", "es": "spa", "fr": "fra", "de": "deu", "it": "ita", "pt": "por", "nl": "nld",
             "ru": "rus", "zh": "zho", "ja": "jpn", "ko": "kor", "ar": "ara", "hi": "hin", "pl": "pol",
             "tr": "tur", "sv": "swe", "uk": "ukr", "cs": "ces", "el": "ell", "he": "heb"}
_ISO639_2B = {"fre": "fra", "ger": "deu", "dut": "nld", "chi": "zho", "cze": "ces", "gre": "ell"}


class MediaError(Exception):
    """A file that cannot be used as a lecture; the message is one line a user can act on."""


@dataclass(frozen=True)
class AudioTrack:
    """One audio stream as the container describes it (times in seconds on the container's timeline)."""

    number: int            # 1-based among the file's audio streams (transcriber.audio_track=number)
    index: int             # stream index in the container (ffprobe's index)
    codec: str
    channels: int
    sample_rate: int       # Hz
    start: float           # stream start minus container start (s); > 0: the audio starts late
    duration: float | None  # s; container metadata, else None
    language: str | None   # ISO 639-2 as tagged ("eng"), None when untagged or "und"
    title: str | None
    default: bool          # disposition "default"

    def describe(self) -> str:
        bits = [f"'{self.title}'" if self.title else None, self.language,
                "default" if self.default else None,
                f"{self.duration:.1f} s" if self.duration else None, f"{self.channels} ch {self.sample_rate} Hz"]
        return f"audio track {self.number} (" + ", ".join(b for b in bits if b) + ")"


@dataclass(frozen=True)
class MediaInfo:
    duration: float   # seconds (container duration, or the longest audio stream's)
    has_audio: bool
    has_video: bool
    tracks: tuple[AudioTrack, ...] = ()
    format: str = ""
    duration_estimated: bool = False   # the duration is a bit-rate estimate (raw MP3/AAC)


def open_media(path: Path):
    """The PyAV container of ``path``, to be closed by the caller (``with``). Raises MediaError (one line) for
    a missing path, a folder, an unreadable file or one that is not media."""
    import av  # deferred: PyAV loads FFmpeg's shared libraries; only probing and decoding need them

    if not path.exists():
        raise MediaError("no such file")
    if not path.is_file():
        raise MediaError("not a file")
    try:
        return av.open(str(path))
    except av.error.FFmpegError as e:
        raise MediaError(f"not a media file ffmpeg can read ({e.strerror or type(e).__name__})") from e
    except PermissionError as e:
        raise MediaError("cannot be read (permission denied)") from e


def _language(stream) -> str | None:
    lang = (stream.metadata.get("language") or "").lower().strip() or None
    if lang in (None, "und", "zxx", "mul", "mis"):
        return None
    return _ISO639_2B.get(lang, _ISO639_2.get(lang, lang))


def _tag_seconds(value: str | None) -> float | None:
    # Matroska writes per-stream durations as a tag "HH:MM:SS.nnnnnnnnn"
    try:
        h, m, s = (value or "").split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)
    except ValueError:
        return None


def audio_tracks(c) -> tuple[AudioTrack, ...]:
    """The audio streams of the open container ``c``, numbered from 1 in stream order."""
    from av.stream import Disposition  # deferred: see open_media

    c_start = container_start(c)
    out = []
    for n, s in enumerate((s for s in c.streams if s.type == "audio"), 1):
        tb = s.time_base
        start = float(s.start_time * tb) - c_start if s.start_time is not None and tb else 0.0
        duration = float(s.duration * tb) if s.duration and tb else None
        if duration is None:   # Matroska's DURATION tag is the track's end time, not its length
            end = _tag_seconds(s.metadata.get("DURATION") or s.metadata.get("duration"))
            duration = None if end is None else max(end - c_start - start, 0.0)
        cc = s.codec_context
        out.append(AudioTrack(n, s.index, cc.name if cc else "?", getattr(cc, "channels", 0) or 0,
                              getattr(cc, "sample_rate", 0) or 0, round(max(start, 0.0), 6), duration,
                              _language(s), s.metadata.get("title") or None,
                              bool(s.disposition & Disposition.default)))
    return tuple(out)


def probe(path: str | Path) -> MediaInfo:
    """Duration, stream kinds and audio tracks of a media file.

    Raises MediaError (one line) for missing, unreadable or non-media files.
    """
    with open_media(Path(path)) as c:
        tracks = audio_tracks(c)
        video = [s for s in c.streams if s.type == "video" and not _is_cover_art(s)]
        duration = c.duration / 1_000_000 if c.duration else 0.0   # av.time_base
        if not duration and tracks:
            duration = max((t.start + (t.duration or 0.0)) for t in tracks)
        fmt = c.format.name.split(",")[0]
        return MediaInfo(duration, bool(tracks), bool(video), tracks, fmt, fmt in ESTIMATED_DURATION)


def _is_cover_art(stream) -> bool:
    # mp3/m4a album art shows up as a one-frame video stream
    from av.stream import Disposition  # deferred: see open_media

    return bool(stream.disposition & Disposition.attached_pic)


def choose_track(tracks: tuple[AudioTrack, ...] | list[AudioTrack], language: str | None = None,
                 override: int | None = None) -> tuple[AudioTrack, str]:
    """(track, reason): the audio track to transcribe and why, as one phrase for the user.

    ``override`` (1-based, ``transcriber.audio_track``) wins. Otherwise tracks tagged with another
    language than ``language`` (ISO 639-1 or -2) are passed over while an untagged or matching one
    exists (an English-only model cannot use a Spanish interpreter track); among the rest the
    default-disposition track wins, then the longest. Raises MediaError when ``override`` is out of range
    or there is no audio track.
    """
    if not tracks:
        raise MediaError("has no audio track")
    if override is not None:
        if not 1 <= int(override) <= len(tracks):
            raise MediaError(f"transcriber.audio_track={override}: the file has {len(tracks)} audio "
                             f"track(s), numbered 1-{len(tracks)}")
        return tracks[int(override) - 1], "chosen by transcriber.audio_track"
    if len(tracks) == 1:
        return tracks[0], "the only audio track"
    want = _ISO639_2.get((language or "").lower(), (language or "").lower() or None)
    usable = [t for t in tracks if want is None or t.language in (None, want)] or list(tracks)
    best = max(usable, key=lambda t: (t.language == want and want is not None, t.default, t.duration or 0.0,
                                      -t.number))
    why = []
    if want and best.language == want and any(t.language not in (None, want) for t in tracks):
        why.append(f"its language matches transcriber.language={language}")
    if best.default and sum(t.default for t in usable) < len(usable):
        why.append("it is the default track")
    if not why:
        why.append("it is the longest" if best.duration else "it is the first")
    return best, " and ".join(why)


def container_start(c) -> float:
    """The container's start time in seconds (av.time_base units are microseconds): timeline zero."""
    return (c.start_time or 0) / 1_000_000
