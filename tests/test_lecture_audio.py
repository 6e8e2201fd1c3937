"""Audio decoding (PyAV, every common container), chunking at silence, atomic writes, media placement."""

from __future__ import annotations

import os

import numpy as np
import pytest

from lecturelab.io import sha256_file, write_text
from lecturelab.lecture.chunks import ReadAhead, iter_chunks, quietest_cut
from lecturelab.lecture.files import place_media
from lecturelab.media.clips import audio_ranges
from lecturelab.media.decode import SEEK_PREROLL, DecodeReport, iter_audio
from lecturelab.media.probe import MediaError, probe
from tests.lecture_fixtures import SR, tone, write_media
from tests.test_lecture_media import peak_hz


@pytest.mark.parametrize("ext", [".wav", ".flac", ".mp3", ".m4a", ".mp4", ".mkv", ".webm", ".ogg", ".mov"])
def test_every_container_decodes_to_16k_mono(tmp_path, ext):
    x = tone(2.0)
    path = write_media(tmp_path / f"a{ext}", x)
    blocks = list(iter_audio(path))
    y = np.concatenate(blocks)
    assert all(b.dtype == np.float32 and b.ndim == 1 for b in blocks)
    # lossy codecs pad a few ms; the length must still match the 2 s written
    assert abs(len(y) / SR - 2.0) < 0.06
    assert 0.05 < float(np.sqrt(np.mean(y ** 2))) < 0.5  # the signal survived, at its level
    assert abs(probe(path).duration - 2.0) < 0.06


def test_resampling_keepspeak_hz(tmp_path):
    # 44.1 kHz in, 16 kHz out: a 1 kHz tone must stay at 1 kHz
    sr = 44100
    t = np.arange(sr) / sr
    path = write_media(tmp_path / "a.wav", (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32), sr=sr)
    y = np.concatenate(list(iter_audio(path)))
    peak = np.argmax(np.abs(np.fft.rfft(y))) * SR / len(y)
    assert abs(peak - 1000) < 5


def test_video_track_detected_and_video_without_audio_rejected(tmp_path):
    both = write_media(tmp_path / "v.webm", tone(1.0), video_seconds=1.0)
    info = probe(both)
    assert info.has_audio and info.has_video
    mute = write_media(tmp_path / "mute.mp4", None, video_seconds=1.0)
    info = probe(mute)
    assert (info.has_audio, info.has_video, info.tracks) == (False, True, ())
    with pytest.raises(MediaError, match="no audio track"):
        list(iter_audio(mute))


def test_missing_and_non_media_files(tmp_path):
    with pytest.raises(MediaError, match="no such file"):
        probe(tmp_path / "nope.mp4")
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are lecture notes, not a video\n" * 20)
    with pytest.raises(MediaError, match="not a media file"):
        probe(fake)


def test_quietest_cut_finds_the_gap():
    x = np.ones(SR * 3, np.float32)
    x[int(1.6 * SR):int(1.7 * SR)] = 0.0
    cut = quietest_cut(x, SR, 2 * SR)
    assert int(1.6 * SR) <= cut <= int(1.7 * SR)


def _steps(seconds: int) -> np.ndarray:
    """A tone whose pitch steps up every second (300 + 50 k Hz in second k): where a clip came from shows."""
    t = np.arange(seconds * SR) / SR
    return (0.4 * np.sin(2 * np.pi * (300 + 50 * np.floor(t)) * t)).astype(np.float32)


@pytest.mark.parametrize("ext", [".wav", ".webm", ".mp4", ".mp3"])
def test_ranges_and_start_seek_to_the_same_audio_a_full_decode_gives(tmp_path, ext):
    # video + audio like a recorded lecture: the seek must use the audio's index, not the video keyframes
    path = write_media(tmp_path / f"a{ext}", _steps(40), video_seconds=40.0 if ext in (".webm", ".mp4") else 0.0)
    full = np.concatenate(list(iter_audio(path)))
    noise = write_media(tmp_path / f"n{ext}", (0.3 * np.random.default_rng(0).standard_normal(40 * SR)).astype(
        np.float32), video_seconds=40.0 if ext in (".webm", ".mp4") else 0.0)
    ranges = [(31.1, 31.9), (12.1, 12.9), (12.3, 12.7), (39.5, 45.0), (20.0, 20.0)]
    clips = audio_ranges(path, ranges)
    assert [len(c) for c in clips[:3]] == [int(0.8 * SR), int(0.8 * SR), int(0.4 * SR)]
    assert 0 < len(clips[3]) <= int(0.55 * SR) and len(clips[4]) == 0   # cut at the end; empty
    for (s, _), clip in zip(ranges[:3], clips, strict=False):
        assert peak_hz(clip[int(0.05 * SR):-int(0.05 * SR)]) == pytest.approx(300 + 50 * int(s), abs=3)
    # noise has one sharp correlation peak: the clip is the full decode's samples, shifted by <= 2 ms
    ref_all = np.concatenate(list(iter_audio(noise)))
    (clip,) = audio_ranges(noise, [(25.3, 26.3)])
    ref = ref_all[int(25.3 * SR) - 3200:int(26.3 * SR) + 3200]
    corr = np.correlate(ref, clip, mode="valid")   # lag 3200 = the same sample
    assert abs(int(np.argmax(corr)) - 3200) <= 32
    report = DecodeReport()
    tail = np.concatenate(list(iter_audio(path, report=report, start=25.0)))
    assert abs(len(tail) - (len(full) - 25 * SR)) <= 0.05 * SR
    assert peak_hz(tail[int(0.1 * SR):int(0.9 * SR)]) == pytest.approx(300 + 50 * 25, abs=3)
    # indexed containers seek (decoding starts about SEEK_PREROLL s before 25 s); raw MP3 decodes from 0
    if ext == ".mp3":
        assert report.decoded_from == 0.0
    else:
        assert 25.0 - SEEK_PREROLL - 0.2 <= report.decoded_from <= 25.0
    assert list(iter_audio(path, start=60.0)) == []   # past the end: nothing, no error


def test_chunks_cover_the_audio_once_and_cut_in_silence():
    # 10 s of noise with a silent gap every 2.5 s; chunks of ~3 s must end inside a gap
    x = (0.3 * np.random.default_rng(0).standard_normal(10 * SR)).astype(np.float32)
    gaps = [(int(s * SR), int((s + 0.2) * SR)) for s in (2.5, 5.0, 7.5)]
    for a, b in gaps:
        x[a:b] = 0.0
    blocks = (x[i:i + 1000] for i in range(0, len(x), 1000))
    chunks = list(iter_chunks(blocks, chunk_seconds=3.0, search_seconds=1.0))
    assert np.array_equal(np.concatenate([c for _, c in chunks]), x)
    offsets = [o for o, _ in chunks]
    assert offsets == sorted(offsets) and offsets[0] == 0.0
    for (o, c), (o2, _) in zip(chunks, chunks[1:], strict=False):
        assert o + len(c) / SR == pytest.approx(o2)
        assert any(a <= o2 * SR <= b for a, b in gaps), f"cut at {o2:.2f} s is not in a gap"
    # cuts in the gaps at 2.5 and 5 s; a cut at 7.5 s would need 3 + 1.5 + 1 s buffered after 5 s and
    # only 5 s are left, so they stay one chunk
    assert len(chunks) == 3 and len(chunks[-1][1]) / SR == pytest.approx(5.0, abs=0.2)


def test_a_short_tail_joins_the_chunk_before_it():
    x = np.zeros(int(7.2 * SR), np.float32)
    blocks = (x[i:i + 1000] for i in range(0, len(x), 1000))
    sizes = [len(c) / SR for _, c in iter_chunks(blocks, chunk_seconds=3.0, search_seconds=0.5)]
    assert sum(sizes) == pytest.approx(7.2) and len(sizes) == 2 and min(sizes) >= 1.5   # before: ~3, ~3, ~1.2


def test_read_ahead_keeps_order_computes_ahead_and_raises_the_source_error():
    import threading

    made = []

    def source():
        for i in range(4):
            made.append((i, threading.current_thread().name))
            yield i
        raise MediaError("truncated at block 4")

    ahead = ReadAhead(source())
    assert next(ahead) == 0
    ahead._next.result()                           # block 1 was started before the caller asked for it
    assert [i for i, _ in made] == [0, 1]
    assert all(name.startswith("read-ahead") for _, name in made)   # built in the worker, not the caller
    assert [next(ahead) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(MediaError, match="block 4"):
        next(ahead)


def test_read_ahead_stops_early_closes_its_source_and_ends():
    import threading

    closed, started, release = [], threading.Event(), threading.Event()

    def source():
        try:
            yield "first"
            started.set()
            release.wait(5)          # the second item is still being made when the caller stops
            yield "second"
            yield "never"
        finally:
            closed.append(threading.current_thread().name)

    ahead = ReadAhead(source())
    assert next(ahead) == "first"
    assert started.wait(5)
    threading.Timer(0.2, release.set).start()
    ahead.close()                    # waits for the item in flight, then closes the generator
    assert closed == [threading.current_thread().name]   # closed once, after the worker was done with it
    with pytest.raises(StopIteration):
        next(ahead)
    ahead.close()                    # twice is harmless
    assert list(ReadAhead(iter([]))) == []
    assert list(ReadAhead(iter("abc"))) == ["a", "b", "c"]


def test_write_text_is_atomic_and_hash(tmp_path):
    p = tmp_path / "x.json"
    write_text(p, "first")
    write_text(p, "second")
    assert p.read_text() == "second"
    assert [f.name for f in tmp_path.iterdir()] == ["x.json"]  # no temp files left behind
    assert sha256_file(p) == "16367aacb67a4a017c8da8ab95682ccb390863780f7114dda0a0e0c55644c7c4"


def test_place_media_copy_link_none(tmp_path):
    src = write_media(tmp_path / "Talk.MP4", tone(0.5), audio_codec="aac")
    out = tmp_path / "out"
    out.mkdir()
    assert place_media(src, out, "copy") == "media.mp4"
    assert (out / "media.mp4").read_bytes() == src.read_bytes() and not (out / "media.mp4").is_symlink()
    assert place_media(src, out, "link") == "media.mp4"
    assert os.path.realpath(out / "media.mp4") == str(src.resolve())
    assert place_media(src, out, "none") is None
    with pytest.raises(ValueError, match="copy, link, auto or none"):
        place_media(src, out, "move")


def test_two_media_copies_into_one_folder_do_not_collide(tmp_path, monkeypatch):
    """Two copies that are inside ``copyfile`` at the same time each write their own temp file: both finish,
    the last rename wins whole, and no temp file is left."""
    import shutil
    import threading
    from concurrent.futures import ThreadPoolExecutor

    both_copying = threading.Barrier(2, timeout=10)
    copyfile = shutil.copyfile

    def copy_then_wait(src, dst, **kw):
        copyfile(src, dst, **kw)
        both_copying.wait()

    monkeypatch.setattr(shutil, "copyfile", copy_then_wait)
    srcs = [tmp_path / "talk0.mp4", tmp_path / "talk1.mp4"]
    for i, src in enumerate(srcs):
        src.write_bytes(bytes([i]) * 100_000)
    out = tmp_path / "out"
    out.mkdir()
    with ThreadPoolExecutor(2) as pool:
        names = list(pool.map(lambda s: place_media(s, out, "copy"), srcs))
    assert names == ["media.mp4", "media.mp4"]
    assert (out / "media.mp4").read_bytes() in (srcs[0].read_bytes(), srcs[1].read_bytes())
    assert sorted(p.name for p in out.iterdir()) == ["media.mp4"]
