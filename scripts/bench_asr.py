"""Real-speech benchmark: WER, real-time factor and peak memory of transcriber settings on speech-dev.

    python scripts/bench_asr.py                       # all settings + 10-minute lecture, writes metrics/asr.json
    python scripts/bench_asr.py --settings default "sequential beam 5" --no-e2e --out /tmp/asr.json

Each setting runs the real ``lecturelab process`` path (``python -m lecturelab.process`` in a fresh child
process, empty transcript cache, ``quiz=none``) on the English clips of ``../shared/data/speech-dev``
(``manifest.tsv``), then scores ``transcript.json`` ``text`` against ``ref/`` with jiwer. Both sides are
normalised as speech-dev's README says: lower case, punctuation and hyphens to spaces, fillers (uh, um ...)
and tags in angle or square brackets dropped. Corpus WER = all clips' errors / all reference words.
RTF = audio seconds / in-process seconds (higher is faster; the batch's first clip carries the model
loads). Peak MB = the child's max RSS. The speed side: the 10-minute lecture (the sample's speech looped,
``make_sample_lecture.py --repeat 7``) end to end for the default, the default with the quiz and the media
copy (what ``lecturelab process`` does with no options; the other runs pass ``quiz=none media=none``), the
most accurate setting, the default with the tagger and MiniLM in TensorFlow instead of ONNX Runtime, and
earlier defaults, in the same run:
``--rounds`` rounds (default 3), each running every setting once in turn, so a machine whose speed drifts
(ours: up to 1.5x within an hour) slows all settings alike; the median wall time is reported, and the
speed relative to the old default within each round (median over rounds), the ratio to compare.
The one-time ONNX export (what `make setup` and a first lecture do) runs before the timings and is
reported apart. The keyphrase model is ``models/best`` when it exists, else a tiny random checkpoint.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lecture import ROOT, tiny_checkpoint  # noqa: E402

SPEECH_DEV = ROOT.parent / "shared" / "data" / "speech-dev"
NO_GUARDS = ["transcriber.vad_filter=false", "transcriber.condition_on_previous_text=true",
             "transcriber.hallucination_silence_threshold=null", "transcriber.drop_repeats=false"]
SETTINGS = {  # label -> overrides of conf/process.yaml (the default is the config as committed)
    "default": [],
    "default, tagger and MiniLM in TensorFlow": ["inference=tensorflow"],
    # glibc's default allocator: every big CTranslate2 tensor a fresh mmap (lecturelab/lecture/allocator.py)
    "default without keep_freed_memory": ["keep_freed_memory=false"],
    # what `lecturelab process lecture.webm` does with no options: the quiz and its exports, the media copy
    "default with the quiz and media copy": [],
    "batched beam 5 float32, batch 8": ["transcriber.batch_size=8"],
    "batched beam 4 float32": ["transcriber.beam_size=4"],
    "batched beam 3 float32": ["transcriber.beam_size=3"],
    "batched beam 2 float32": ["transcriber.beam_size=2"],
    "batched greedy float32": ["transcriber.batched=true", "transcriber.beam_size=1",
                               "transcriber.compute_type=float32"],
    "batched beam 5 int16": ["transcriber.batched=true", "transcriber.beam_size=5",
                             "transcriber.compute_type=int16"],
    "batched beam 5 int8": ["transcriber.batched=true", "transcriber.beam_size=5", "transcriber.compute_type=int8"],
    "sequential beam 5 float32": ["transcriber.batched=false", "transcriber.beam_size=5",
                                  "transcriber.compute_type=float32"],
    "plain faster-whisper int8 beam 5 (no guards)": ["transcriber.batched=false", "transcriber.beam_size=5",
                                                     "transcriber.compute_type=int8", *NO_GUARDS],
    "old default: batched greedy int8, no guards": ["transcriber.batched=true", "transcriber.beam_size=1",
                                                    "transcriber.compute_type=int8", *NO_GUARDS],
}
TF_INFERENCE = "default, tagger and MiniLM in TensorFlow"
GLIBC_ALLOCATOR = "default without keep_freed_memory"
WITH_QUIZ = "default with the quiz and media copy"
KEEP_DEFAULTS = {WITH_QUIZ}   # run without the bench's quiz=none media=none
PREVIOUS_DEFAULT = "batched beam 5 float32, batch 8"   # the default before the chapter step's speed-up
OLD_DEFAULT = "old default: batched greedy int8, no guards"
FILLERS = {"uh", "um", "er", "erm", "ah", "eh", "hmm", "mm", "uhm"}


def normalise(text: str) -> str:
    """speech-dev's normalisation: lower case; tags in <> or [] dropped; punctuation and hyphens to spaces;
    fillers dropped; single spaces."""
    text = re.sub(r"<[^>]*>|\[[^\]]*\]", " ", text.lower())
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(w for w in text.split() if w not in FILLERS)


def read_manifest(root: Path = SPEECH_DEV) -> list[dict]:
    """Rows of ``manifest.tsv`` (name, audio, reference, language, kind ...) with absolute paths."""
    with open(root / "manifest.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for r in rows:
        r["audio"], r["reference"] = str(root / r["audio"]), str(root / r["reference"])
    return rows


def run_process(files: list[str], overrides: list[str], model_path: str, tmp: Path, keep_defaults: bool = False) -> dict:
    """``python -m lecturelab.process`` on ``files`` in a child: {wall_s, rss_mb, seconds: {stem: s}, docs}.
    Without ``keep_defaults`` the quiz and the media copy are off (``quiz=none media=none``)."""
    code = ("import resource, runpy, sys, json\n"
            "sys.argv = ['lecturelab.process'] + sys.argv[1:]\n"
            "try:\n    runpy.run_module('lecturelab.process', run_name='__main__')\n"
            "finally:\n    print(json.dumps({'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n")
    run = tmp / f"run-{time.time_ns()}"
    env = cache_env(tmp)
    cmd = [sys.executable, "-c", code, f"input=[{','.join(files)}]", f"output_dir={run}/out",
           f"cache_dir={run}/cache", f"model_path={model_path}", "progress=false",
           *([] if keep_defaults else ["quiz=none", "media=none"]), f"hydra.run.dir={run}/hydra", *overrides]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "{}"
    seconds = {Path(m.group(1)).stem: float(m.group(2))
               for m in re.finditer(r"^(\S+) -> \S+ \(([\d.]+) s\)$", proc.stdout, re.M)}
    docs = {}
    for f in files:
        doc = run / "out" / Path(f).stem / "transcript.json"
        docs[Path(f).stem] = json.loads(doc.read_text()) if doc.is_file() else None
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    return {"wall_s": wall, "rss_mb": json.loads(last).get("rss_mb", 0.0) if last.startswith("{") else 0.0,
            "seconds": seconds, "docs": docs, "errors": errors}


def cache_env(tmp: Path) -> dict:
    """The children's environment: a cache folder of this run unless $LECTURELAB_CACHE_DIR is set."""
    return {**os.environ, "LECTURELAB_CACHE_DIR": os.environ.get("LECTURELAB_CACHE_DIR", str(tmp / "models"))}


def export_models(model_path: str, tmp: Path) -> float:
    """Export the tagger and MiniLM to ONNX into the run's cache (what `make setup` and a user's first
    lecture do once), so the timed runs measure lectures, not the one-time export. Returns seconds."""
    code = ("import sys; from lecturelab.models.onnx import load_tagger; from lecturelab.models.embed import embed; "
            "load_tagger(sys.argv[1]); embed(['warm up'])")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, model_path], cwd=ROOT, env=cache_env(tmp), check=True,
                   capture_output=True)
    return round(time.perf_counter() - t0, 1)


def score(rows: list[dict], docs: dict) -> dict:
    """Per-clip and corpus WER of transcript texts against the references (jiwer, normalised)."""
    import jiwer

    refs, hyps, per_clip = [], [], {}
    for r in rows:
        doc = docs.get(r["name"])
        ref = normalise(Path(r["reference"]).read_text(encoding="utf-8"))
        hyp = normalise(doc["text"]) if doc else ""
        per_clip[r["name"]] = round(jiwer.wer(ref, hyp), 4)
        refs.append(ref)
        hyps.append(hyp)
    return {"corpus_wer": round(jiwer.wer(refs, hyps), 4), "per_clip_wer": per_clip,
            "ref_words": sum(len(x.split()) for x in refs)}


def _rtf_after_first(rows: list[dict], audio: dict, seconds: dict) -> float | None:
    rest = [r["name"] for r in rows[1:] if r["name"] in seconds]
    spent = sum(seconds[n] for n in rest)
    return round(sum(audio[n] for n in rest) / spent, 2) if spent else None


def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    return {"nproc": os.cpu_count(), "cpu": model, "load_average_1min": round(os.getloadavg()[0], 2),
            "shared": "the 2 cores were shared with other jobs: compare settings within this run, not across runs"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    ap.add_argument("--no-e2e", action="store_true", help="skip the 10-minute end-to-end speed run")
    ap.add_argument("--rounds", type=int, default=3, help="end-to-end runs of each setting (median reported)")
    ap.add_argument("--repeat", type=int, default=7, help="loops of the sample speech in the long lecture")
    ap.add_argument("--out", default=str(ROOT / "metrics" / "asr.json"))
    args = ap.parse_args(argv)
    if args.rounds < 1:
        ap.error("--rounds: at least 1")
    rows = read_manifest()
    english = [r for r in rows if r["language"] == "en"]
    other = [r for r in rows if r["language"] != "en"]
    report: dict = {"machine": machine(), "data": "../shared/data/speech-dev (English clips: "
                    + ", ".join(r["name"] for r in english) + ")", "settings": {}}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        model_path = str(ROOT / "models/best") if (ROOT / "models/best/lecturelab.json").is_file() \
            else tiny_checkpoint(tmp)
        report["keyphrase_model"] = "models/best" if "models/best" in model_path else "tiny random checkpoint"
        report["onnx_export_s"] = export_models(model_path, tmp)
        print(f"one-time ONNX export of the tagger and MiniLM (not in the timings below): {report['onnx_export_s']} s")
        audio = {r["name"]: json.loads(subprocess.run(
            [sys.executable, "-c", "import sys, json; from lecturelab.media.probe import probe; "
             "print(json.dumps(probe(sys.argv[1]).duration))", r["audio"]], cwd=ROOT, capture_output=True,
            text=True, check=True).stdout) for r in english}
        print(f"{'setting':<42}{'corpus WER':>11}{'RTF':>7}{'RTF 2+':>7}{'peak MB':>9}  per-clip WER")
        for label in (x for x in args.settings if x != WITH_QUIZ):   # the quiz does not change the WER
            res = run_process([r["audio"] for r in english], SETTINGS[label], model_path, tmp)
            sc = score(english, res["docs"])
            inner = sum(res["seconds"].values())
            entry = {"overrides": SETTINGS[label], **sc, "audio_s": round(sum(audio.values()), 2),
                     "process_s": round(inner, 2), "rtf": round(sum(audio.values()) / inner, 2) if inner else None,
                     "per_clip_rtf": {k: round(audio[k] / v, 2) for k, v in res["seconds"].items()},
                     # without the first clip, which waits for the model loads (Whisper, the tagger's TensorFlow)
                     "rtf_after_first": _rtf_after_first(english, audio, res["seconds"]),
                     "wall_s": round(res["wall_s"], 2), "peak_rss_mb": round(res["rss_mb"]),
                     "notes": {k: d["notes"] for k, d in res["docs"].items() if d and d.get("notes")},
                     "errors": res["errors"]}
            report["settings"][label] = entry
            print(f"{label:<42}{sc['corpus_wer']:>11.4f}{entry['rtf'] or 0:>7.1f}{entry['rtf_after_first'] or 0:>7.1f}"
                  f"{entry['peak_rss_mb']:>9}  "
                  + " ".join(f"{k}={v:.2f}" for k, v in sc["per_clip_wer"].items()), flush=True)
        best = min(report["settings"], key=lambda k: report["settings"][k]["corpus_wer"])
        d_wer, b_wer = report["settings"].get("default", {}).get("corpus_wer"), report["settings"][best]["corpus_wer"]
        report["best"] = {"setting": best, "corpus_wer": b_wer}
        if d_wer is not None:
            report["default"] = {"corpus_wer": d_wer, "relative_to_best": round(d_wer / b_wer, 4) if b_wer else None,
                                 "within_5_percent_of_best": d_wer <= 1.05 * b_wer}
        for r in other:  # the non-English clip through the default: language found, never English nonsense
            res = run_process([r["audio"]], [], model_path, tmp)
            doc = res["docs"][r["name"]]
            sc = score([r], res["docs"])
            key = f"non_english/{r['name']}"
            report[key] = {
                "errors": res["errors"], "wer_vs_reference": sc["corpus_wer"],
                **({k: doc.get(k) for k in ("language", "language_probability", "whisper_model", "notes")}
                   if doc else {}), "text": doc["text"][:200] if doc else None}
            print(f"\n{key}: {json.dumps(report[key], ensure_ascii=False)}")
        if not args.no_e2e:
            long = tmp / "lecture_long.webm"
            subprocess.run([sys.executable, "scripts/make_sample_lecture.py", "--out", str(long),
                            "--repeat", str(args.repeat)], cwd=ROOT, check=True, capture_output=True)
            secs = json.loads(subprocess.run(
                [sys.executable, "-c", "import sys, json; from lecturelab.media.probe import probe; "
                 "print(json.dumps(probe(sys.argv[1]).duration))", str(long)], cwd=ROOT, capture_output=True,
                text=True, check=True).stdout)
            labels = list(dict.fromkeys(["default", WITH_QUIZ, GLIBC_ALLOCATOR, best, TF_INFERENCE, PREVIOUS_DEFAULT,
                                          OLD_DEFAULT]))
            report["e2e_10min"] = {"audio_s": round(secs, 1), "rounds": args.rounds, "runs": {}}
            print(f"\nend to end, {secs:.0f} s lecture (python -m lecturelab.process, empty cache), "
                  f"{args.rounds} round(s), the settings in turn each round:")
            walls: dict[str, list[dict]] = {label: [] for label in labels}
            for r in range(args.rounds):   # round-robin: a machine that speeds up or slows down hits all alike
                for label in labels[r % len(labels):] + labels[:r % len(labels)]:   # each round starts elsewhere
                    res = run_process([str(long)], SETTINGS[label], model_path, tmp, label in KEEP_DEFAULTS)
                    walls[label].append(res)
                    print(f"  round {r + 1}  {label:<44} wall {res['wall_s']:.1f} s = "
                          f"{secs / res['wall_s']:.1f}x real time, peak {res['rss_mb']:.0f} MB", flush=True)
            for label in labels:
                runs = walls[label]
                wall = statistics.median(x["wall_s"] for x in runs)
                inner = statistics.median(sum(x["seconds"].values()) for x in runs)
                report["e2e_10min"]["runs"][label] = {
                    "wall_s": round(wall, 2), "rtf_e2e": round(secs / wall, 2),
                    "wall_s_each_round": [round(x["wall_s"], 2) for x in runs],
                    "process_s": round(inner, 2), "rtf_process": round(secs / inner, 2) if inner else None,
                    "peak_rss_mb": round(max(x["rss_mb"] for x in runs)),
                    "errors": sorted({e for x in runs for e in x["errors"]})}
            # speed relative to the old default in the same round, then the median over rounds
            old = [x["wall_s"] for x in walls[OLD_DEFAULT]]
            for label in labels:
                ratios = [o / x["wall_s"] for o, x in zip(old, walls[label], strict=True)]
                report["e2e_10min"]["runs"][label]["speed_vs_old_default"] = round(statistics.median(ratios), 3)
            print("  median over rounds:")
            for label, run in report["e2e_10min"]["runs"].items():
                print(f"    {label:<44} {run['wall_s']:.1f} s = {run['rtf_e2e']:.1f}x real time, "
                      f"{run['speed_vs_old_default']:.2f} of the old default's speed, peak {run['peak_rss_mb']} MB")
        report["machine"]["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    from lecturelab.io import write_json

    write_json(args.out, report)
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
