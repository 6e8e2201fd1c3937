"""Audio from any container ffmpeg reads, decoded in-process with PyAV: 16 kHz mono float32, streamed.

A two-hour lecture is 460 MB of float32 samples, so nothing here holds a whole file: frames are
resampled as they are demuxed and handed on in blocks as they come (`lecturelab.lecture.chunks` groups
them into Whisper's chunks).

Real files are often damaged, joined or cut short. Like ffmpeg, decoding skips packets it cannot
decode and goes on; samples are placed by their timestamps on the container's timeline (what a player
shows), so a skipped stretch or a late-starting audio track becomes silence rather than shifting every
later word. What was lost is recorded in a `DecodeReport`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lecturelab.media.probe import (
    ESTIMATED_DURATION,
    MediaError,
    audio_tracks,
    choose_track,
    container_start,
    open_media,
)

SAMPLE_RATE = 16000
_GAP_TOLERANCE = 0.05   # seconds of timestamp jitter ignored before a gap is filled with silence
SEEK_PREROLL = 1.0      # seconds decoded (and dropped) before a seek target, for codecs that need warm-up


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
    import av  # deferred: see probe.open_media

    path = Path(path)
    report = report if report is not None else DecodeReport()
    with open_media(path) as c:
        tracks = audio_tracks(c)
        chosen, _ = choose_track(tracks, override=track) if track is not None else (
            (tracks[0], "") if tracks else (None, ""))
        if chosen is None:
            raise MediaError("has no audio track")
        stream = c.streams[chosen.index]
        stream.thread_type = "AUTO"
        c_start = container_start(c)
        duration = c.duration / 1_000_000 if c.duration else 0.0
        estimated = c.format.name.split(",")[0] in ESTIMATED_DURATION
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


def _seek_target(c, stream, seconds: float) -> int:
    """``seconds`` on the timeline in ``stream``'s time base: the audio stream's own index is used, since a
    video's keyframes can be minutes apart (a slide video)."""
    return int((seconds + container_start(c)) / stream.time_base)


def _seeks_before(path: Path, index: int, target: float, limit: float) -> bool:
    """True when seeking stream ``index`` of ``path`` to ``target`` s lands on a frame with a timestamp at or
    before ``limit`` s (timeline): a file with no index, a seek that fails or overshoots, or frames without
    timestamps give False, and the caller decodes from the beginning. Probed on a container of its own."""
    import av  # deferred: see probe.open_media

    try:
        with av.open(str(path)) as c:
            stream = c.streams[index]
            c.seek(_seek_target(c, stream, target), stream=stream)
            for packet in c.demux(stream):
                for frame in packet.decode():
                    return frame.time is not None and frame.time - container_start(c) <= limit
    except (av.error.FFmpegError, ValueError):
        pass
    return False


def _from(x: np.ndarray, pos: float, start: float) -> np.ndarray:
    """The part of samples ``x`` (which begin at ``pos`` s on the timeline) at or after ``start`` s."""
    return x[max(0, int(round((start - pos) * SAMPLE_RATE))):] if start > pos else x
