"""A recording whose container states no duration (a browser's MediaRecorder WebM: written as a stream, never
seeked back to fill in the length): the page, transcript.json and the course index show the decoded length.
Real Whisper tiny.en on the first seconds of the sample lecture, a tiny random checkpoint."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from lecturelab import cli as main_cli
from lecturelab.lecture.course import build_course
from lecturelab.lecture.render import short_clock
from lecturelab.media.probe import probe
from tests import lecture_fixtures as fx
from tests.lecture_fixtures import SAMPLE

tiny_checkpoint, lecture_env = fx.tiny_checkpoint, fx.lecture_env
pytestmark = pytest.mark.slow


class _Pipe:
    """A write-only, non-seekable file (what a browser's recorder writes into): the Matroska muxer then
    cannot go back to write the duration, as in a MediaRecorder WebM."""

    def __init__(self, f):
        self.f = f

    def write(self, data) -> int:
        return self.f.write(data)

    def seekable(self) -> bool:
        return False


def streamed_webm(src: Path, dest: Path, seconds: float) -> float:
    """Copy the audio packets of ``src`` that start before ``seconds`` into a WebM written as a stream;
    returns the end of the last copied packet (s), the length a player reaches."""
    import av

    end = 0.0
    with open(dest, "wb") as f, av.open(str(src)) as i, av.open(_Pipe(f), "w", format="webm") as o:
        a = i.streams.audio[0]
        s = o.add_stream_from_template(a)
        for p in i.demux(a):
            if p.dts is None or p.pts is None or float(p.pts * p.time_base) >= seconds:
                continue
            end = max(end, float((p.pts + p.duration) * p.time_base))
            p.stream = s
            o.mux(p)
    return end


def stated_duration(path: Path) -> str:
    """The container's and the stream's duration as ffprobe prints them (``N/A`` when not stated)."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=duration",
                          "-of", "default=noprint_wrappers=1", str(path)], capture_output=True, text=True, check=True)
    return out.stdout


def test_webm_without_a_duration_shows_the_decoded_length(lecture_env, tmp_path, capsys):
    media = tmp_path / "rec" / "recording.webm"
    media.parent.mkdir()
    end = streamed_webm(SAMPLE, media, 12.0)
    # the file really states no length: PyAV (libavformat) finds none, nor does ffprobe where installed
    assert probe(media).duration == 0.0 and 11.0 < end < 13.0
    if shutil.which("ffprobe"):
        assert stated_duration(media).split() == ["duration=N/A", "duration=N/A"]
    out = tmp_path / "rec"
    overrides = [o for o in lecture_env["overrides"] if not o.startswith("output_dir=")] + [f"output_dir={out}"]
    assert main_cli.main(["process", str(media), *overrides]) == 0, capsys.readouterr().err
    doc = json.loads((out / "recording" / "transcript.json").read_text())
    assert abs(doc["source"]["duration"] - end) < 0.05, (doc["source"]["duration"], end)
    assert doc["segments"] and doc["segments"][-1]["end"] <= doc["source"]["duration"]
    clock = short_clock(end)
    assert clock != "0:00"
    page = (out / "recording" / "transcript.html").read_text()
    assert f'<p class="meta">{clock} · ' in page
    index, problems = build_course(out)
    assert problems == [] and f'<span class="meta">{clock} · ' in index.read_text()
