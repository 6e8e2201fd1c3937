"""Audio clips of a lecture: the samples of a few time ranges (read by seeking, not by decoding the whole file)
and their MP3 encoding, for the quiz's Anki deck."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lecturelab.media.decode import SAMPLE_RATE, iter_audio

SEEK_GAP = 30.0         # audio_ranges: ranges closer than this are read in one pass rather than two seeks


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
