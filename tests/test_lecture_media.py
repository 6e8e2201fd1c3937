"""Real-world media without Whisper: damaged, joined and truncated files, several audio tracks, late
starts and odd channel layouts, all generated at test time with PyAV."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from lecturelab.media.decode import DecodeReport, iter_audio
from lecturelab.media.probe import AudioTrack, MediaError, choose_track, probe
from tests.lecture_fixtures import SR, mux_still_frames, write_media


def decode(path, track=None):
    report = DecodeReport()
    y = np.concatenate(list(iter_audio(path, track, report)))
    return y, report


def sine(seconds: float, freq: float, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.4 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def peak_hz(y: np.ndarray) -> float:
    return float(np.argmax(np.abs(np.fft.rfft(y))) * SR / len(y))


def write_tracks(path, tracks, video_seconds: float = 0.0, starts=None):
    """A Matroska file with several mono audio tracks: ``tracks`` = [(samples, language, title, default)]."""
    import av

    starts = starts or [0.0] * len(tracks)
    with av.open(str(path), "w") as c:
        streams = []
        if video_seconds:
            vs = c.add_stream("mpeg4", rate=2)
            vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        for (_, lang, title, default), _start in zip(tracks, starts, strict=True):
            s = c.add_stream("flac", rate=SR)
            s.layout = "mono"
            s.metadata["language"] = lang
            s.metadata["title"] = title
            s.disposition = av.stream.Disposition.default if default else 0
            streams.append(s)
        for s, (x, *_), start in zip(streams, tracks, starts, strict=True):
            pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)
            offset = int(start * SR)
            for i in range(0, len(pcm), SR // 2):
                frame = av.AudioFrame.from_ndarray(pcm[None, i:i + SR // 2], format="s16", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = SR, offset + i, Fraction(1, SR)
                for p in s.encode(frame):
                    c.mux(p)
            for p in s.encode(None):
                c.mux(p)
        if video_seconds:
            mux_still_frames(c, vs, video_seconds)
    return path


def track(n, lang=None, default=False, duration=10.0, title=None):
    return AudioTrack(n, n, "opus", 1, 48000, 0.0, duration, lang, title, default)


def test_track_choice_language_then_default_then_length():
    interpreter = track(1, "spa", default=True, duration=12.9, title="Interpreter")
    lecture = track(2, "eng", duration=22.6, title="Lecture")
    chosen, why = choose_track([interpreter, lecture], "en")
    assert chosen is lecture and "transcriber.language=en" in why
    # a Spanish lecture picks the Spanish track; no language preference: the default track
    assert choose_track([interpreter, lecture], "es")[0] is interpreter
    assert choose_track([interpreter, lecture], None)[0] is interpreter
    # untagged tracks: default first, then the longest
    a, b = track(1, duration=5.0), track(2, duration=50.0)
    assert choose_track([a, b], "en")[0] is b
    assert choose_track([a, track(2, default=True, duration=1.0)], "en")[0].number == 2
    # override wins; out of range is one line naming the key and the range
    assert choose_track([interpreter, lecture], "en", override=1) == (interpreter, "chosen by transcriber.audio_track")
    with pytest.raises(MediaError, match=r"transcriber.audio_track=3: the file has 2 audio track\(s\), numbered 1-2"):
        choose_track([interpreter, lecture], "en", override=3)
    with pytest.raises(MediaError, match="no audio track"):
        choose_track([], "en")


def test_two_tracks_read_from_the_container_and_decoded_by_number(tmp_path):
    path = write_tracks(tmp_path / "two.mkv", [(sine(2.0, 300), "spa", "Interpreter", True),
                                               (sine(3.0, 1200), "eng", "Lecture", False)], video_seconds=3.0)
    info = probe(path)
    assert info.has_video and [(t.number, t.language, t.title, t.default) for t in info.tracks] == \
        [(1, "spa", "Interpreter", True), (2, "eng", "Lecture", False)]
    assert [t.sample_rate for t in info.tracks] == [SR, SR] and [t.channels for t in info.tracks] == [1, 1]
    assert choose_track(info.tracks, "en")[0].number == 2
    first, _ = decode(path, 1)
    second, _ = decode(path, 2)
    assert abs(peak_hz(first) - 300) < 5 and abs(peak_hz(second) - 1200) < 5
    assert abs(len(second) / SR - 3.0) < 0.05


def test_late_audio_start_keeps_the_player_timeline(tmp_path):
    # the audio track starts 1.5 s after the video: the transcript's times must include those 1.5 s
    path = write_tracks(tmp_path / "late.mkv", [(sine(2.0, 700), "eng", "Lecture", True)],
                        video_seconds=4.0, starts=[1.5])
    info = probe(path)
    assert abs(info.tracks[0].start - 1.5) < 0.01
    y, report = decode(path)
    assert np.abs(y[: int(1.4 * SR)]).max() == 0.0          # silence where nothing plays
    assert np.abs(y[int(1.6 * SR): int(3.4 * SR)]).mean() > 0.1
    assert abs(len(y) / SR - 3.5) < 0.05 and report.lost == []


@pytest.mark.parametrize("channels,rate", [(6, 48000), (2, 44100), (1, 8000)])
def test_channel_layouts_and_rates(tmp_path, channels, rate):
    import av

    path = tmp_path / f"c{channels}.wav"
    x = sine(2.0, 440, rate)
    with av.open(str(path), "w") as c:
        layout = {1: "mono", 2: "stereo", 6: "5.1"}[channels]
        s = c.add_stream("pcm_s16le", rate=rate, layout=layout)
        pcm = np.repeat((x * 32767).astype(np.int16)[None], channels, 0)
        frame = av.AudioFrame.from_ndarray(pcm.T.reshape(1, -1).copy(), format="s16", layout=layout)
        frame.sample_rate = rate
        for p in s.encode(frame):
            c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    info = probe(path)
    assert (info.tracks[0].channels, info.tracks[0].sample_rate) == (channels, rate)
    y, _ = decode(path)
    assert abs(len(y) / SR - 2.0) < 0.02 and abs(peak_hz(y) - 440) < 5


def test_damaged_middle_is_skipped_with_its_time_range(tmp_path):
    path = write_media(tmp_path / "talk.mp3", sine(8.0, 500))
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 1500] = bytes((i * 37) % 256 for i in range(1500))   # garbage in the middle
    damaged = tmp_path / "damaged.mp3"
    damaged.write_bytes(bytes(data))
    y, report = decode(damaged)
    # the 1.5 kB of garbage held ~0.5 s of audio; MP3 timestamps are counted frame by frame, so that
    # time cannot be recovered (ffmpeg's command line decodes 7.42 s of this file): the rest is decoded
    assert len(y) / SR > 7.3
    assert np.abs(y[-SR:]).mean() > 0.1
    assert report.lost or report.skipped
    notes = report.notes("damaged.mp3")
    assert notes and all(n.startswith("damaged.mp3: ") for n in notes)
    if report.lost:
        a, b = report.lost[0]
        assert 2.0 < a < 6.0 and b is not None and a < b < 6.5


def test_joined_files_decode_to_the_end(tmp_path):
    a = write_media(tmp_path / "a.mp3", sine(3.0, 400))
    b = write_media(tmp_path / "b.mp3", sine(4.0, 900))
    joined = tmp_path / "joined.mp3"
    joined.write_bytes(a.read_bytes() + b.read_bytes())
    y, _ = decode(joined)
    assert abs(len(y) / SR - 7.0) < 0.3
    assert abs(peak_hz(y[-2 * SR:]) - 900) < 5                # the second file's audio is there


def write_faststart_mp4(path, x: np.ndarray):
    """An AAC .mp4 with its index (moov) at the front, as web-ready files are: a cut copy still opens."""
    import av

    with av.open(str(path), "w", options={"movflags": "faststart"}) as c:
        s = c.add_stream("aac", rate=SR)
        s.layout = "mono"
        pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)
        resampler = av.AudioResampler(format="fltp", layout="mono", rate=SR)
        for i in range(0, len(pcm), SR):
            frame = av.AudioFrame.from_ndarray(pcm[None, i:i + SR], format="s16", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = SR, i, Fraction(1, SR)
            for f in resampler.resample(frame):
                for p in s.encode(f):
                    c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


def test_truncated_mp4_keeps_what_is_there_and_says_the_file_ends_early(tmp_path):
    path = write_faststart_mp4(tmp_path / "full.mp4", sine(10.0, 600))
    data = path.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.55)])
    assert abs(probe(cut).duration - 10.0) < 0.2             # the index still promises 10 s
    y, report = decode(cut)
    assert 3.0 < len(y) / SR < 8.0
    assert len(report.lost) == 1 and abs(report.lost[0][0] - len(y) / SR) < 0.1
    assert "cut.mp4: file ends early:" in report.notes("cut.mp4")[0]


def test_nothing_decodable_is_one_error(tmp_path):
    import wave

    with wave.open(str(tmp_path / "empty.wav"), "wb") as w:   # a valid header and no samples
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(SR)
    with pytest.raises(MediaError, match="audio cannot be decoded"):
        decode(tmp_path / "empty.wav")
