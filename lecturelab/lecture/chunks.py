"""Decoded audio grouped into Whisper's chunks of a few minutes, each cut at the quietest moment near its
end so that no word is split between two Whisper calls, and a read-ahead thread that decodes the next chunk
while Whisper transcribes this one. Memory stays bounded whatever the lecture's length."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from lecturelab.media.decode import SAMPLE_RATE


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
