"""Lecture batches on Dask: 1 vs 2 LocalCluster workers on the same 4 lectures.

    python scripts/bench_dask.py                  # 4 clips of 20 s cut from the sample lecture
    python scripts/bench_dask.py --seconds 40 --workers 1 2 4

Reported per run: wall seconds from cluster start to the last lecture written (worker start-up and model
loads included), lectures per minute, and each worker's peak RSS (``getrusage`` ru_maxrss, asked of every
worker through ``Client.run`` before the cluster closes). Every run starts with an empty output folder and
transcript cache. On a 2-core machine shared with other jobs expect little gain from a second worker: the
point is that the same command runs unchanged on a real cluster (docs/scale.md). The keyphrase model is
``models/best`` when it exists, else a tiny random checkpoint (as scripts/bench_lecture.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import resource
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "lecture.webm"


def clips(folder: Path, n: int, seconds: float) -> list[Path]:
    """``n`` distinct 16 kHz mono WAV clips of ``seconds`` from the sample lecture (wrapping around)."""
    from lecturelab.media.decode import iter_audio

    y = np.concatenate(list(iter_audio(SAMPLE)))
    sr, size = 16000, int(seconds * 16000)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        start = (i * size) % max(1, len(y) - size)
        pcm = (np.clip(y[start:start + size], -1, 1) * 32767).astype("<i2")
        path = folder / f"lecture{i}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(sr)
            w.writeframes(pcm.tobytes())
        out.append(path)
    return out


def checkpoint(tmp: Path) -> str:
    best = ROOT / "models" / "best"
    if (best / "lecturelab.json").is_file():
        return str(best)
    spec = importlib.util.spec_from_file_location("bench_lecture", ROOT / "scripts" / "bench_lecture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.tiny_checkpoint(tmp)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB on Linux


def run(workers: int, media: Path, ckpt: str, tmp: Path) -> dict:
    from distributed import Client, LocalCluster

    from lecturelab.lecture.cli import compose
    from lecturelab.lecture.pipeline import process

    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      memory_limit="6GiB") as cluster, Client(cluster) as client:
        cfg = compose([f"input={media}", f"model_path={ckpt}", f"output_dir={tmp / f'out{workers}'}",
                       f"cache_dir={tmp / f'cache{workers}'}", "quiz=none", "progress=false", "executor=dask",
                       f"executor.address={cluster.scheduler_address}"])
        code = process(cfg)
        wall = time.perf_counter() - t0
        peaks = sorted(client.run(peak_rss_mb).values())
    return {"workers": workers, "code": code, "wall": wall, "peaks": peaks}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    p.add_argument("--lectures", type=int, default=4)
    p.add_argument("--seconds", type=float, default=20.0, help="length of each lecture clip")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = p.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        media = tmp / "media"
        clips(media, args.lectures, args.seconds)
        ckpt = checkpoint(tmp)
        results = [run(w, media, ckpt, tmp) for w in args.workers]
    print(f"\n{args.lectures} lectures of {args.seconds:.0f} s, Whisper tiny.en int8 on CPU, checkpoint "
          f"{'models/best' if ckpt.endswith('models/best') else 'tiny random'}; {os.cpu_count()} CPUs "
          f"({platform.processor() or platform.machine()}), shared with other jobs")
    print("| workers | wall s | lectures/min | peak RSS per worker (MB) | exit |")
    print("|---|---|---|---|---|")
    for r in results:
        print(f"| {r['workers']} | {r['wall']:.1f} | {args.lectures / r['wall'] * 60:.2f} | "
              f"{', '.join(f'{m:.0f}' for m in r['peaks'])} | {r['code']} |")
    sys.exit(max(r["code"] for r in results))


if __name__ == "__main__":
    main()
