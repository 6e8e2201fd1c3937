"""First-lecture cost of the quiz: making a quiz with a cold vs a warm background-embedding cache.

    python scripts/bench_quiz_vocab.py                       # prints JSON
    python scripts/bench_quiz_vocab.py --out metrics/quiz_vocab.json --label after   # and keeps it
    python scripts/bench_quiz_vocab.py --background /work/shared/data/inspec/train.txt

Each measurement is a fresh child process (Python start, TensorFlow import and the MiniLM load are paid
every time, as by a new ``lecturelab quiz`` run). The lecture is the quiz tests' synthetic one
(tests/quiz_fixtures.py: 12 sentences, 12 keyphrases); the background vocabulary is Inspec's training
keyphrases (conf/quiz/rules.yaml). Runs, in order, on one empty cache folder:

- ``cold``: nothing cached: the first lecture of a run embeds the whole vocabulary;
- ``warm``: the same again: the vocabulary's embeddings come from the cache file;
- ``precompute``: ``python -m lecturelab.quiz.vocab`` (the set-up step) on a second empty folder;
- ``after_precompute``: a lecture with that folder.

The multiple-choice options of the example quiz are printed too, so a change of the embedding code can be
checked for the same distractors (``options`` in the output).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(args: list[str]) -> tuple[float, dict]:
    """(wall seconds, the JSON the child printed last) of ``python this_script.py args``."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, *args], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise RuntimeError(f"child {args} failed:\n{proc.stderr[-3000:]}")
    return wall, json.loads(proc.stdout.strip().splitlines()[-1])


def quiz_worker(background: str, cache_dir: str) -> None:
    """Child: make the example quiz once; print seconds (model load, quiz) and the mcq options."""
    t0 = time.perf_counter()
    import lecturelab  # noqa: F401
    from lecturelab.models.embed import _load
    from lecturelab.quiz.make import make_quiz
    from lecturelab.quiz.schema import Settings
    from lecturelab.transcript.document import load_lecture
    from tests.quiz_fixtures import lecture_dir, settings

    t_import = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        folder = lecture_dir(Path(tmp) / "lecture")
        cfg = Settings.from_cfg(settings(Path(background), cache_dir=cache_dir, num_questions=10))
        t1 = time.perf_counter()
        _load(cfg.embedding_package)   # paid by every run, cold or warm: timed apart
        t2 = time.perf_counter()
        quiz = make_quiz(load_lecture(folder), cfg)
        t3 = time.perf_counter()
    options = {q["answer"]: q["options"] for q in quiz["questions"] if q["type"] == "mcq"}
    print(json.dumps({"import_s": round(t_import, 2), "model_load_s": round(t2 - t1, 2),
                      "make_quiz_s": round(t3 - t2, 2), "questions": len(quiz["questions"]), "options": options}))


def precompute_worker(background: str, cache_dir: str) -> None:
    """Child: the set-up step (embed the vocabulary into ``cache_dir``); print its seconds."""
    from lecturelab.quiz.vocab import precompute

    t0 = time.perf_counter()
    info = precompute({"background": [background], "cache_dir": cache_dir})
    info["cache"] = Path(info["cache"]).name   # a temp folder of this machine: only the file name is kept
    print(json.dumps({"precompute_s": round(time.perf_counter() - t0, 2), **info}))


def machine() -> dict:
    model = next((ln.split(":", 1)[1].strip() for ln in subprocess.run(["lscpu"], capture_output=True, text=True)
                  .stdout.splitlines() if ln.startswith("Model name")), platform.processor())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"nproc": os.cpu_count(), "cpu": model, "load_avg_1min_at_start": load}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--background", default=None, help="BIO file of the vocabulary (default: Inspec train.txt)")
    ap.add_argument("--out", default=None, help="also write the JSON here, under --label (other labels kept)")
    ap.add_argument("--label", default="after", help="key of this run in --out (e.g. before / after a change)")
    ap.add_argument("--no-precompute", action="store_true", help="skip the set-up step runs")
    ap.add_argument("--worker", choices=["quiz", "precompute"], help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        (quiz_worker if a.worker == "quiz" else precompute_worker)(a.background, a.cache)
        return
    from tests.quiz_fixtures import inspec_file

    background = a.background or str(inspec_file("train"))
    from lecturelab.quiz.distractors import load_background

    result = {"machine": machine(), "background": background,
              "vocabulary_terms": len(load_background(background, 4)), "runs": {}}
    with tempfile.TemporaryDirectory() as tmp:
        plan = [("cold", "quiz", "a"), ("warm", "quiz", "a")]
        if not a.no_precompute:
            plan += [("precompute", "precompute", "b"), ("after_precompute", "quiz", "b")]
        for label, worker, cache in plan:
            wall, info = child(["--worker", worker, "--background", background, "--cache", f"{tmp}/{cache}"])
            result["runs"][label] = {"wall_s": round(wall, 2), **info}
            print(f"{label}: {wall:.1f} s", file=sys.stderr)
    runs = result["runs"]
    result["options_same_cold_warm"] = runs["cold"]["options"] == runs["warm"]["options"]
    for label in ("warm", "after_precompute"):
        if label in runs:
            result[f"cold_minus_{label}_s"] = round(runs["cold"]["wall_s"] - runs[label]["wall_s"], 2)
    result["machine"]["load_avg_1min_at_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(json.dumps(result, indent=2))
    if a.out:
        from lecturelab.io import write_json

        old = json.loads(Path(a.out).read_text(encoding="utf-8")) if Path(a.out).is_file() else {}
        for label, prev in old.items():   # same distractors as an earlier labelled run (e.g. before a change)?
            if label != a.label and "cold" in prev.get("runs", {}):
                result[f"options_same_as_{label}"] = prev["runs"]["cold"]["options"] == runs["cold"]["options"]
        write_json(a.out, {**old, a.label: result})


if __name__ == "__main__":
    main()
