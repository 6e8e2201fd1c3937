"""Build the sample lecture shipped in ``data/samples/``: espeak-ng speaks a text over a still title frame.

    python scripts/make_sample_lecture.py                       # data/samples/lecture.txt -> lecture.webm
    python scripts/make_sample_lecture.py --text my.txt --out /tmp/my.webm --repeat 8

Needs the system tools ``espeak-ng`` and ``ffmpeg`` (``make setup`` installs both); the lecture
processor itself decodes with PyAV and needs neither. WebM (VP9 + Opus) plays in every browser;
Opus at 48 kb/s mono from 16 kHz input keeps speech clean (tiny.en WER 0.19-0.23, about as for the
WAV; 48 kHz input gave 0.26) and the file under 1 MB. ``--repeat`` concatenates the speech N times (the 10-minute benchmark lecture).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def synthesize(text_file: Path, wav: Path, voice: str = "en-gb", wpm: int = 150) -> None:
    """Speak ``text_file`` into a WAV file with espeak-ng."""
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(wpm), "-w", str(wav), "-f", str(text_file)],
                   check=True, capture_output=True)


def make_video(wav: Path, out: Path, title: str, repeat: int = 1, bitrate: str = "48k") -> None:
    """Mux the speech (looped ``repeat`` times) with a 1-fps still title frame into ``out``."""
    with wave.open(str(wav)) as w:
        seconds = w.getnframes() / w.getframerate() * repeat
    # an explicit length: with -shortest a 1-fps still stream overshoots the audio by many seconds
    frame = f"color=c=0x1f2937:s=640x360:r=1:d={seconds:.3f}"
    if Path(FONT).is_file():  # a title card when the font is there; a plain frame otherwise
        frame += (f",drawtext=fontfile={FONT}:text='{title}':fontcolor=white:fontsize=32"
                  ":x=(w-text_w)/2:y=(h-text_h)/2")
    tmp = out.with_name(f".{out.name}.tmp{out.suffix}")
    cmd = ["ffmpeg", "-y", "-hide_banner", "-loglevel", "error",
           "-f", "lavfi", "-i", frame,
           "-stream_loop", str(repeat - 1), "-i", str(wav),
           "-map", "0:v", "-map", "1:a", "-t", f"{seconds:.3f}",
           "-c:v", "libvpx-vp9", "-b:v", "20k", "-g", "600", "-deadline", "good",
           "-c:a", "libopus", "-b:a", bitrate, "-ac", "1", "-ar", "16000", str(tmp)]
    subprocess.run(cmd, check=True)
    os.replace(tmp, out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--text", type=Path, default=ROOT / "data/samples/lecture.txt")
    ap.add_argument("--out", type=Path, default=ROOT / "data/samples/lecture.webm")
    ap.add_argument("--title", default="Keyphrase extraction")
    ap.add_argument("--repeat", type=int, default=1, help="loop the speech N times")
    ap.add_argument("--voice", default="en-gb")
    ap.add_argument("--wpm", type=int, default=150)
    args = ap.parse_args(argv)
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: install it (apt-get install {tool})", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        synthesize(args.text, wav, args.voice, args.wpm)
        make_video(wav, args.out, args.title, args.repeat)
    print(f"{args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
