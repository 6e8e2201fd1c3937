"""Audio from any container ffmpeg reads, decoded in-process with PyAV: 16 kHz mono float32, streamed.

A two-hour lecture is 460 MB of float32 samples, so nothing here holds a whole file: frames are
resampled as they are demuxed and handed on in chunks of a few minutes, each cut at the quietest
moment near its end so that no word is split between two Whisper calls.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
MEDIA_EXTENSIONS = {".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v", ".mp3", ".m4a", ".aac", ".wav",
                    ".flac", ".ogg", ".oga", ".opus", ".wma"}


class MediaError(Exception):
    """A file that cannot be used as a lecture; the message is one line a user can act on."""


@dataclass(frozen=True)
class MediaInfo:
    duration: float   # seconds (container duration, or the audio stream's)
    has_audio: bool
    has_video: bool


def _open(path: Path):
    import av

    if not path.exists():
        raise MediaError("no such file")
    if not path.is_file():
        raise MediaError("not a file")
    try:
        return av.open(str(path))
    except av.error.FFmpegError as e:
        raise MediaError(f"not a media file ffmpeg can read ({e.strerror or type(e).__name__})") from e


def probe(path: str | Path) -> MediaInfo:
    """Duration and stream kinds of a media file; raises MediaError for missing or unreadable files."""
    with _open(Path(path)) as c:
        audio = [s for s in c.streams if s.type == "audio"]
        video = [s for s in c.streams if s.type == "video" and not _is_cover_art(s)]
        duration = 0.0
        if c.duration:
            duration = c.duration / 1_000_000  # av.time_base
        elif audio and audio[0].duration and audio[0].time_base:
            duration = float(audio[0].duration * audio[0].time_base)
        return MediaInfo(duration, bool(audio), bool(video))


def _is_cover_art(stream) -> bool:
    # mp3/m4a album art shows up as a one-frame video stream
    from av.stream import Disposition

    return bool(stream.disposition & Disposition.attached_pic)


def iter_audio(path: str | Path) -> Iterator[np.ndarray]:
    """16 kHz mono float32 blocks of the first audio stream, in order, as they are decoded."""
    import av

    path = Path(path)
    with _open(path) as c:
        stream = next((s for s in c.streams if s.type == "audio"), None)
        if stream is None:
            raise MediaError("has no audio track")
        stream.thread_type = "AUTO"
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        try:
            for frame in c.decode(stream):
                for out in resampler.resample(frame):
                    yield out.to_ndarray().reshape(-1)
            for out in resampler.resample(None):  # flush the resampler's tail
                yield out.to_ndarray().reshape(-1)
        except av.error.FFmpegError as e:
            raise MediaError(f"audio cannot be decoded ({e.strerror or type(e).__name__})") from e


def quietest_cut(x: np.ndarray, lo: int, hi: int, frame: int = 320) -> int:
    """Sample index in [lo, hi) at the start of the lowest-energy ``frame``-long stretch."""
    lo, hi = max(lo, 0), min(hi, len(x))
    n = (hi - lo) // frame
    if n <= 1:
        return hi
    energy = np.square(x[lo:lo + n * frame]).reshape(n, frame).mean(1)
    return lo + int(np.argmin(energy)) * frame + frame // 2


def iter_chunks(blocks: Iterator[np.ndarray], chunk_seconds: float = 300.0,
                search_seconds: float = 10.0) -> Iterator[tuple[float, np.ndarray]]:
    """(offset seconds, samples) chunks of about ``chunk_seconds``, cut at the quietest point of the last
    ``search_seconds``; memory stays at about one chunk whatever the file's length."""
    size, search = int(chunk_seconds * SAMPLE_RATE), int(search_seconds * SAMPLE_RATE)
    buf: list[np.ndarray] = []
    buffered, offset = 0, 0
    for block in blocks:
        buf.append(block)
        buffered += len(block)
        if buffered >= size + search:
            x = np.concatenate(buf)
            cut = quietest_cut(x, size - search, size)
            yield offset / SAMPLE_RATE, x[:cut]
            offset += cut
            buf, buffered = [x[cut:]], len(x) - cut
    if buffered:
        yield offset / SAMPLE_RATE, np.concatenate(buf)


def file_sha256(path: str | Path, block: int = 1 << 20) -> str:
    """Content hash of a file (the transcript cache key), read in 1 MB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while data := f.read(block):
            h.update(data)
    return h.hexdigest()
