"""Speed of the lecture processor: end-to-end real-time factor and peak memory, and Whisper options side by side.

    python scripts/bench_lecture.py                    # sample + a 10-minute lecture, 4 transcriber variants
    python scripts/bench_lecture.py --compare-on sample --repeat 3   # quicker
    python scripts/bench_lecture.py --only e2e          # end to end only (or --only compare)

Real-time factor (RTF) here = audio seconds per wall second (higher is faster). Each measurement runs in
a fresh child process so its peak RSS is its own. End to end = ``python -m lecturelab.process`` with an
empty transcript cache (Python start, model loads, decoding, Whisper, tagger, all outputs). The
10-minute lecture is the sample's speech looped (``make_sample_lecture.py --repeat``). The keyphrase
model is ``models/best`` when it exists, else a tiny random checkpoint (same code path, less compute).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "lecture.webm"
VARIANTS = [  # (label, overrides): the side-by-side transcription comparison
    ("sequential int8", ["transcriber.compute_type=int8"]),
    ("batched int8", ["transcriber.compute_type=int8", "transcriber.batched=true"]),
    ("sequential float32", ["transcriber.compute_type=float32"]),
    ("batched float32", ["transcriber.compute_type=float32", "transcriber.batched=true"]),
]


def child(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB of the child, stdout) of a command run to completion."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    last = out.strip().splitlines()[-1] if out.strip() else ""
    rss = json.loads(last).get("rss_mb", 0.0) if last.startswith("{") else 0.0
    return wall, rss, out


def transcribe_worker(media: str, overrides: list[str]) -> None:
    """Child: transcribe once, print JSON with seconds, audio seconds and own peak RSS."""
    import lecturelab  # noqa: F401
    from lecturelab.lecture.cli import compose
    from lecturelab.lecture.transcribe import load_whisper, options_key, transcribe
    from lecturelab.media.probe import probe

    cfg = compose(overrides)
    opts = options_key(cfg.transcriber, [])
    t0 = time.perf_counter()
    load_whisper(str(cfg.transcriber.model), opts["device"], opts["compute_type"], int(cfg.transcriber.cpu_threads))
    t1 = time.perf_counter()
    segs = transcribe(media, cfg.transcriber, [], progress=False)["segments"]
    t2 = time.perf_counter()
    print(json.dumps({"load_s": t1 - t0, "transcribe_s": t2 - t1, "audio_s": probe(media).duration,
                      "words": sum(len(s["words"]) for s in segs),
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def end_to_end(media: Path, model_path: str, tmp: Path) -> dict:
    """One ``python -m lecturelab.process`` run with a fresh cache and output folder."""
    code = ("import resource, runpy, sys, json\n"
            "sys.argv = ['lecturelab.process'] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('lecturelab.process', run_name='__main__')\n"
            "finally:\n    print(json.dumps({'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n")
    run = tmp / f"e2e-{media.stem}-{time.time_ns()}"
    cmd = [sys.executable, "-c", code, f"input={media}", f"output_dir={run}/out", f"cache_dir={run}/cache",
           f"model_path={model_path}", "quiz=none", "progress=false", "media=link", f"hydra.run.dir={run}/hydra"]
    wall, rss, out = child(cmd)
    inner = float(re.search(r"\(([\d.]+) s\)", out).group(1))
    from lecturelab.media.probe import probe

    audio = probe(media).duration
    return {"audio_s": audio, "wall_s": wall, "process_s": inner, "rtf_e2e": audio / wall,
            "rtf_process": audio / inner, "rss_mb": rss}


def tiny_checkpoint(tmp: Path) -> str:
    code = ("import lecturelab, sys\nfrom omegaconf import OmegaConf\n"
            "from lecturelab.models.factory import build_model, load_tokenizer\n"
            "from lecturelab.models.tagger import KeyphraseTagger\n"
            "cfg = OmegaConf.load('lecturelab/conf/model/tiny.yaml')\n"
            "KeyphraseTagger(build_model(cfg), load_tokenizer(cfg), 128, 32).save(sys.argv[1])\n")
    subprocess.run([sys.executable, "-c", code, str(tmp / "tiny")], cwd=ROOT, check=True, capture_output=True)
    return str(tmp / "tiny")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7, help="loops of the sample speech in the long lecture")
    ap.add_argument("--compare-on", choices=["long", "sample"], default="long")
    ap.add_argument("--model-path", default=None)
    ap.add_argument("--only", choices=["all", "e2e", "compare"], default="all")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        transcribe_worker(args.worker[0], args.worker[1:])
        return 0
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        model_path = args.model_path or (str(ROOT / "models/best") if (ROOT / "models/best/lecturelab.json").is_file()
                                         else tiny_checkpoint(tmp))
        long = tmp / "lecture_long.webm"
        subprocess.run([sys.executable, "scripts/make_sample_lecture.py", "--out", str(long),
                        "--repeat", str(args.repeat)], cwd=ROOT, check=True, capture_output=True)
        print(f"cpus: {os.cpu_count()}  load average: {os.getloadavg()[0]:.1f}  keyphrase model: {model_path}")
        print("\nend to end (python -m lecturelab.process, empty cache):")
        print(f"  {'file':<22}{'audio s':>9}{'wall s':>9}{'RTF':>7}{'in-process s':>14}{'RTF':>7}{'peak MB':>9}")
        for media in (SAMPLE, long) if args.only != "compare" else ():
            r = end_to_end(media, model_path, tmp)
            print(f"  {media.name:<22}{r['audio_s']:>9.1f}{r['wall_s']:>9.1f}{r['rtf_e2e']:>7.1f}"
                  f"{r['process_s']:>14.1f}{r['rtf_process']:>7.1f}{r['rss_mb']:>9.0f}")
        media = long if args.compare_on == "long" else SAMPLE
        print(f"\ntranscription only ({media.name}, tiny.en, CPU, beam 1):")
        print(f"  {'variant':<22}{'load s':>8}{'transcribe s':>14}{'RTF':>7}{'words':>7}{'peak MB':>9}")
        for label, overrides in VARIANTS if args.only != "e2e" else ():
            _, _, out = child([sys.executable, __file__, "--worker", str(media), *overrides])
            r = json.loads(out.strip().splitlines()[-1])
            print(f"  {label:<22}{r['load_s']:>8.1f}{r['transcribe_s']:>14.1f}{r['audio_s'] / r['transcribe_s']:>7.1f}"
                  f"{r['words']:>7}{r['rss_mb']:>9.0f}")
        print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
