"""Audio from any container ffmpeg reads, decoded in-process with PyAV: 16 kHz mono float32, streamed.

A two-hour lecture is 460 MB of float32 samples, so nothing here holds a whole file: frames are
resampled as they are demuxed and handed on in chunks of a few minutes, each cut at the quietest
moment near its end so that no word is split between two Whisper calls.

Real files are often damaged, joined or cut short. Like ffmpeg, decoding skips packets it cannot
decode and goes on; samples are placed by their timestamps on the container's timeline (what a player
shows), so a skipped stretch or a late-starting audio track becomes silence rather than shifting every
later word. What was lost is recorded in a `DecodeReport`.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000
MEDIA_EXTENSIONS = {".mp4", ".mkv", ".webm", ".mov", ".avi", ".m4v", ".mp3", ".m4a", ".aac", ".wav",
                    ".flac", ".ogg", ".oga", ".opus", ".wma"}
# Formats whose duration ffmpeg estimates from the bit rate (no index): a shortfall there is no loss.
_ESTIMATED_DURATION = {"mp3", "aac", "ac3", "eac3", "mp2", "adts"}
_GAP_TOLERANCE = 0.05   # seconds of timestamp jitter ignored before a gap is filled with silence
SEEK_PREROLL = 1.0      # seconds decoded (and dropped) before a seek target, for codecs that need warm-up
SEEK_GAP = 30.0         # audio_ranges: ranges closer than this are read in one pass rather than two seeks
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


@dataclass
class DecodeReport:
    """What decoding a file lost: ``lost`` holds (start, end) seconds on the media timeline."""

    lost: list[tuple[float, float | None]] = field(default_factory=list)   # end None: to the end
    skipped: list[float] = field(default_factory=list)   # times of packets that could not be decoded
    decoded_seconds: float = 0.0   # end of the last decoded sample on the timeline
    decoded_from: float = 0.0      # where decoding began on the timeline (> 0 after iter_audio's seek)

    def notes(self, name: str) -> list[str]:
        """One line per lost range, for warnings and transcript.json ``notes``."""
        out = []
        for a, b in self.lost:
            what = "file ends early" if b is None or a >= self.decoded_seconds - 0.01 else \
                "damaged audio skipped"
            end = "end" if b is None else short_clock_ms(b)
            out.append(f"{name}: {what}: {short_clock_ms(a)}-{end} not transcribed")
        alone = [t for t in self.skipped
                 if not any(a - 0.1 <= t <= (b if b is not None else t) + 0.1 for a, b in self.lost)]
        if alone:
            at = ", ".join(short_clock_ms(t) for t in alone[:5]) + (" ..." if len(alone) > 5 else "")
            out.append(f"{name}: {len(alone)} undecodable packet(s) skipped at {at} "
                       "(a join of two files or damage; no audio time lost)")
        return out


def short_clock_ms(t: float) -> str:
    """Seconds as ``M:SS.ss`` (``H:MM:SS.ss`` past an hour), for warnings about lost time ranges."""
    h, rest = divmod(max(t, 0.0), 3600)
    m, s = divmod(rest, 60)
    return f"{int(h)}:{int(m):02d}:{s:05.2f}" if h else f"{int(m)}:{s:05.2f}"


def _open(path: Path):
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


def _tracks(c) -> tuple[AudioTrack, ...]:
    from av.stream import Disposition  # deferred: see _open

    c_start = _container_start(c)
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
    with _open(Path(path)) as c:
        tracks = _tracks(c)
        video = [s for s in c.streams if s.type == "video" and not _is_cover_art(s)]
        duration = c.duration / 1_000_000 if c.duration else 0.0   # av.time_base
        if not duration and tracks:
            duration = max((t.start + (t.duration or 0.0)) for t in tracks)
        fmt = c.format.name.split(",")[0]
        return MediaInfo(duration, bool(tracks), bool(video), tracks, fmt, fmt in _ESTIMATED_DURATION)


def _is_cover_art(stream) -> bool:
    # mp3/m4a album art shows up as a one-frame video stream
    from av.stream import Disposition  # deferred: see _open

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


def iter_audio(path: str | Path, track: int | None = None,
               report: DecodeReport | None = None, start: float = 0.0) -> Iterator[np.ndarray]:
    """16 kHz mono float32 blocks (1-D arrays) of one audio track, in order, as they are decoded.

    ``track`` is the 1-based audio track number (None: the first). Samples are placed on the
    container's timeline: a track that starts late is preceded by silence, and a stretch whose packets
    cannot be decoded (damage, a second MP3 header) becomes silence of the same length, recorded in
    ``report.lost``, so transcript times match what a player shows. A file that ends before its stated
    duration keeps what was decoded. Raises MediaError only when nothing at all can be decoded.

    ``start`` > 0 (seconds on the timeline) gives the same samples less the first ``start`` seconds, to
    within the timestamp jitter a full decode tolerates (:data:`_GAP_TOLERANCE`; measured 0-16 samples): the
    demuxer seeks to :data:`SEEK_PREROLL` s before it (Opus and AAC need a few frames to settle) and what
    precedes ``start`` is dropped by its timestamps. Formats without an index (raw MP3/AAC, whose seek
    target is a bit-rate guess), and files whose seek fails or overshoots (:func:`_seeks_before`), are
    decoded from the beginning instead, so times stay exact.
    """
    import av  # deferred: see _open

    path = Path(path)
    report = report if report is not None else DecodeReport()
    with _open(path) as c:
        tracks = _tracks(c)
        chosen, _ = choose_track(tracks, override=track) if track is not None else (
            (tracks[0], "") if tracks else (None, ""))
        if chosen is None:
            raise MediaError("has no audio track")
        stream = c.streams[chosen.index]
        stream.thread_type = "AUTO"
        c_start = _container_start(c)
        duration = c.duration / 1_000_000 if c.duration else 0.0
        estimated = c.format.name.split(",")[0] in _ESTIMATED_DURATION
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        pos = chosen.start           # timeline seconds of the next sample decoded (emitted from ``start`` on)
        if start - SEEK_PREROLL > pos and not estimated and _seeks_before(path, chosen.index, start - SEEK_PREROLL,
                                                                           start):
            c.seek(_seek_target(c, stream, start - SEEK_PREROLL), stream=stream)
            pos = None               # the first frame's timestamp says where decoding resumed
        elif pos > _GAP_TOLERANCE:   # the track starts late: silence until it does
            if (lead := _from(np.zeros(round(pos * SAMPLE_RATE), np.float32), 0.0, start)).size:
                yield lead
        failed_at: float | None = None   # timeline time of the first undecodable packet of a run
        first_error: str | None = None
        decoded_any = False
        try:
            for packet in c.demux(stream):
                try:
                    frames = packet.decode()
                except (av.error.FFmpegError, ValueError) as e:
                    first_error = first_error or (getattr(e, "strerror", None) or type(e).__name__)
                    here = start if pos is None else pos
                    ptime = float(packet.pts * packet.time_base) - c_start if packet.pts is not None else here
                    report.skipped.append(round(ptime, 3))
                    if failed_at is None:
                        failed_at = here
                    continue
                for frame in frames:
                    t = None if frame.time is None else frame.time - c_start
                    if pos is None:      # after a seek: from the first frame, or from ``start`` if it is later
                        pos = start if t is None else min(t, start)
                        report.decoded_from = round(pos, 3)
                    # fill a hole in the timeline (skipped packets, a timestamp gap) with silence,
                    # unless the timestamp is nonsense (past the stated end of the file)
                    if t is not None and t > pos + _GAP_TOLERANCE and (not duration or t <= duration + 1.0):
                        if failed_at is not None or t - pos > 0.5:
                            report.lost.append((round(pos, 3), round(t, 3)))
                        if (gap := _from(np.zeros(round((t - pos) * SAMPLE_RATE), np.float32), pos, start)).size:
                            yield gap
                        pos = t
                    failed_at = None
                    for out in resampler.resample(frame):
                        x = out.to_ndarray().reshape(-1)
                        decoded_any = True
                        kept = _from(x, pos, start)
                        pos += len(x) / SAMPLE_RATE
                        if kept.size:
                            yield kept
        except av.error.FFmpegError as e:   # the demuxer gave up (truncated file): keep what we have
            first_error = first_error or (e.strerror or type(e).__name__)
            failed_at = (start if pos is None else pos) if failed_at is None else failed_at
        pos = start if pos is None else pos   # a seek past the last frame: nothing after ``start``
        try:
            for out in resampler.resample(None):  # flush the resampler's tail
                x = out.to_ndarray().reshape(-1)
                decoded_any = True
                kept = _from(x, pos, start)
                pos += len(x) / SAMPLE_RATE
                if kept.size:
                    yield kept
        except av.error.FFmpegError:
            pass
        if not decoded_any and (start <= 0 or first_error):
            raise MediaError(f"audio cannot be decoded ({first_error or 'no audio frames'})")
        report.decoded_seconds = round(pos, 3)
        stated_end = chosen.start + chosen.duration if chosen.duration else duration
        if failed_at is not None:
            report.lost.append((round(failed_at, 3), round(max(stated_end, failed_at), 3)
                                if stated_end > failed_at + _GAP_TOLERANCE and not estimated else None))
        elif not estimated and stated_end and stated_end - pos > max(1.0, 0.02 * stated_end):
            report.lost.append((round(pos, 3), round(stated_end, 3)))


def _container_start(c) -> float:
    """The container's start time in seconds (av.time_base units are microseconds): timeline zero."""
    return (c.start_time or 0) / 1_000_000


def _seek_target(c, stream, seconds: float) -> int:
    """``seconds`` on the timeline in ``stream``'s time base: the audio stream's own index is used, since a
    video's keyframes can be minutes apart (a slide video)."""
    return int((seconds + _container_start(c)) / stream.time_base)


def _seeks_before(path: Path, index: int, target: float, limit: float) -> bool:
    """True when seeking stream ``index`` of ``path`` to ``target`` s lands on a frame with a timestamp at or
    before ``limit`` s (timeline): a file with no index, a seek that fails or overshoots, or frames without
    timestamps give False, and the caller decodes from the beginning. Probed on a container of its own."""
    import av  # deferred: see _open

    try:
        with av.open(str(path)) as c:
            stream = c.streams[index]
            c.seek(_seek_target(c, stream, target), stream=stream)
            for packet in c.demux(stream):
                for frame in packet.decode():
                    return frame.time is not None and frame.time - _container_start(c) <= limit
    except (av.error.FFmpegError, ValueError):
        pass
    return False


def _from(x: np.ndarray, pos: float, start: float) -> np.ndarray:
    """The part of samples ``x`` (which begin at ``pos`` s on the timeline) at or after ``start`` s."""
    return x[max(0, int(round((start - pos) * SAMPLE_RATE))):] if start > pos else x


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
    ``search_seconds``, made only while at least half a chunk more is buffered after the cut: so the last
    chunk runs up to 1.5 ``chunk_seconds`` + ``search_seconds``, and a short tail joins the chunk before it
    rather than costing Whisper a whole batch call for one short window. Memory stays at about 1.5 chunks whatever the file's length (3 with
    `ReadAhead`)."""
    size, search = int(chunk_seconds * SAMPLE_RATE), int(search_seconds * SAMPLE_RATE)
    buf: list[np.ndarray] = []
    buffered, offset = 0, 0
    for block in blocks:
        buf.append(block)
        buffered += len(block)
        if buffered >= size + size // 2 + search:   # cut only when at least half a chunk follows the cut
            x = np.concatenate(buf)
            cut = quietest_cut(x, size - search, size)
            yield offset / SAMPLE_RATE, x[:cut]
            offset += cut
            buf, buffered = [x[cut:]], len(x) - cut
    if buffered:
        yield offset / SAMPLE_RATE, np.concatenate(buf)


_END = object()


class ReadAhead:
    """An iterator that computes its next item in a worker thread while the caller uses the current one.

    ``ReadAhead(iter_chunks(...))`` decodes the next audio chunk while Whisper transcribes this one:
    decoding is one core of Python and FFmpeg, and Whisper's CTranslate2 threads release the GIL, so on
    2 cores the two overlap; memory holds up to two items (two chunks). The first item starts at construction (so
    model loads can overlap it). An exception raised by the source is raised by ``next``. ``close()`` (or
    leaving a ``with`` block) waits for the item in flight (at most one chunk's decoding), then closes the
    source (a generator's ``finally`` closes its file) and stops: ``next`` then raises StopIteration. The
    source is used from the worker thread only, one item at a time, and closed once that thread is idle.
    """

    def __init__(self, source: Iterator):
        self._source = source
        self._closed = False
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="read-ahead")
        self._next = self._pool.submit(next, source, _END)

    def __iter__(self) -> ReadAhead:
        return self

    def __next__(self):
        if self._closed:
            raise StopIteration
        try:
            item = self._next.result()
        except BaseException:
            self.close()
            raise
        if item is _END:
            self.close()
            raise StopIteration
        self._next = self._pool.submit(next, self._source, _END)
        return item

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
        close = getattr(self._source, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def audio_ranges(path: str | Path, ranges: list[tuple[float, float]], track: int | None = None) -> list[np.ndarray]:
    """The 16 kHz mono float32 samples of each ``(start, end)`` range (seconds on the media's timeline) of
    one audio track, in the order given. Ranges may overlap; a range past the end of the audio is cut short
    (possibly empty). Ranges whose gaps are under :data:`SEEK_GAP` s are read in one pass; each pass seeks
    to its start (:func:`iter_audio` ``start``), so a few clips of a long lecture decode only those
    minutes. Raises MediaError like :func:`iter_audio`."""
    spans = [(max(0, int(s * SAMPLE_RATE)), max(0, int(e * SAMPLE_RATE))) for s, e in ranges]
    parts: list[list[np.ndarray]] = [[] for _ in spans]
    passes: list[list[int]] = []     # indices of spans read in one pass, by start
    for i in sorted(range(len(spans)), key=lambda i: spans[i]):
        if passes and spans[i][0] - max(spans[j][1] for j in passes[-1]) < SEEK_GAP * SAMPLE_RATE:
            passes[-1].append(i)
        else:
            passes.append([i])
    for members in passes:
        pos = first = spans[members[0]][0]
        last = max(spans[j][1] for j in members)
        if last <= first:
            continue
        for block in iter_audio(path, track, start=first / SAMPLE_RATE):
            end = pos + len(block)
            for i in members:
                s, e = spans[i]
                if s < end and e > pos:
                    parts[i].append(block[max(s - pos, 0):min(e - pos, len(block))])
            pos = end
            if pos >= last:
                break
    return [np.concatenate(p) if p else np.zeros(0, np.float32) for p in parts]


def write_mp3(samples: np.ndarray, dest: str | Path, rate: int = SAMPLE_RATE, bitrate: int = 32000) -> Path:
    """Encode mono float32 ``samples`` (-1..1 at ``rate`` Hz) as an MP3 file (LAME through PyAV's FFmpeg;
    32 kbit/s mono is plenty for speech: ~4 kB per second). Returns ``dest``."""
    import av

    with av.open(str(dest), "w", format="mp3") as out:
        stream = out.add_stream("libmp3lame", rate=rate, layout="mono")
        stream.bit_rate = bitrate
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples, np.float32).reshape(1, -1),
                                           format="fltp", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return Path(dest)
