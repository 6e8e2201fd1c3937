"""Fixtures and media makers for the lecture-processor tests (imported by tests/test_lecture_*.py).

Media is made in-process with numpy + PyAV, so the tests need no system ffmpeg; speech comes from
the committed sample lecture (espeak-ng speaking ``data/samples/lecture.txt``).
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from lecturelab.config import CONF_DIR

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "lecture.webm"
SAMPLE_TEXT = ROOT / "data" / "samples" / "lecture.txt"
SR = 16000
# Test modules bind these fixtures under their own names, which gives each module its own copy of a
# session fixture; the values are kept here so the checkpoint is built and the sample processed once.
_SESSION: dict[str, object] = {}


def tone(seconds: float, sr: int = SR, freqs=(440.0, 554.4, 659.3)) -> np.ndarray:
    """A chord with a slow on/off rhythm: 'music' with no speech in it."""
    t = np.arange(int(seconds * sr)) / sr
    x = sum(np.sin(2 * np.pi * f * t) for f in freqs) / len(freqs)
    return (0.3 * x * (np.sin(2 * np.pi * 0.7 * t) > -0.3)).astype(np.float32)


def write_media(path: Path, audio: np.ndarray | None, sr: int = SR, video_seconds: float = 0.0,
                audio_codec: str | None = None) -> Path:
    """Write a media file with PyAV: mono ``audio`` (float32 in [-1, 1]) and/or a still video track."""
    import av

    path = Path(path)
    codecs = {".wav": "pcm_s16le", ".flac": "flac", ".mp4": "aac", ".m4a": "aac", ".mkv": "libopus",
              ".webm": "libopus", ".ogg": "libopus", ".mp3": "libmp3lame", ".mov": "aac"}
    with av.open(str(path), "w") as c:
        vs = None
        if video_seconds:
            vs = c.add_stream("libvpx-vp9" if path.suffix == ".webm" else "mpeg4", rate=2)
            vs.width, vs.height, vs.pix_fmt = 64, 48, "yuv420p"
        if audio is not None:
            codec = audio_codec or codecs[path.suffix]
            rate = 48000 if codec == "libopus" else sr  # Opus only encodes at 48 kHz (and a few lower rates)
            a = c.add_stream(codec, rate=rate)
            a.layout = "mono"
            resampler = av.AudioResampler(format=a.format.name if a.format else "s16", layout="mono", rate=rate)
            pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
            for i in range(0, len(pcm), sr):
                frame = av.AudioFrame.from_ndarray(pcm[None, i:i + sr], format="s16", layout="mono")
                frame.sample_rate, frame.pts, frame.time_base = sr, i, Fraction(1, sr)
                for f in resampler.resample(frame):
                    c.mux(a.encode(f))
            for f in resampler.resample(None):
                c.mux(a.encode(f))
            c.mux(a.encode(None))
        if vs is not None:
            mux_still_frames(c, vs, video_seconds)
    return path


def mux_still_frames(container, stream, seconds: float) -> None:
    """A grey still frame twice a second for ``seconds`` into a 2 fps video ``stream``, then flush it."""
    import av

    img = np.full((48, 64, 3), 90, np.uint8)
    for i in range(int(seconds * 2)):
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = i
        container.mux(stream.encode(frame))
    container.mux(stream.encode(None))


def compose_process(overrides: list[str]):
    """The real ``process`` config with overrides (no Hydra run dir)."""
    from lecturelab.lecture.cli import compose

    return compose(overrides)


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A randomly initialised 2-layer BERT tagger saved as a checkpoint folder (like models/best)."""
    from omegaconf import OmegaConf

    from lecturelab.models.factory import build_model, load_tokenizer
    from lecturelab.models.tagger import KeyphraseTagger

    if "ckpt" not in _SESSION:
        import tensorflow as tf

        cfg = OmegaConf.load(CONF_DIR / "model" / "tiny.yaml")
        path = tmp_path_factory.mktemp("ckpt") / "tiny"
        # the same weights every session: the ONNX export cached under their hash is reused, not piled up
        tf.keras.utils.set_random_seed(0)
        KeyphraseTagger(build_model(cfg), load_tokenizer(cfg), max_length=128, stride=32).save(path)
        _SESSION["ckpt"] = path
    return _SESSION["ckpt"]


@pytest.fixture(scope="session")
def lecture_env(tmp_path_factory, tiny_checkpoint) -> dict:
    """Output and cache folders shared by a session, and the overrides that point there."""
    if "env" in _SESSION:
        return _SESSION["env"]
    tmp = tmp_path_factory.mktemp("lectures")
    overrides = [f"model_path={tiny_checkpoint}", f"output_dir={tmp / 'out'}", f"cache_dir={tmp / 'cache'}",
                 "quiz=none", "progress=false"]
    _SESSION["env"] = {"tmp": tmp, "out": tmp / "out", "cache": tmp / "cache", "overrides": overrides}
    return _SESSION["env"]


@pytest.fixture(scope="session")
def processed_sample(lecture_env) -> Path:
    """The sample lecture processed once with the tiny model (o_bias makes the random model highlight)."""
    from lecturelab.lecture.pipeline import process

    out = lecture_env["out"] / SAMPLE.stem
    if "sample" in _SESSION:
        return out
    cfg = compose_process(lecture_env["overrides"] + [f"input={SAMPLE}", "keyphrases.o_bias=1.0"])
    assert process(cfg) == 0
    _SESSION["sample"] = True
    assert json.loads((out / "transcript.json").read_text())["segments"], "the sample produced no transcript"
    return out
