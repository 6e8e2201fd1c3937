"""Decoding levers measured on trained checkpoints (one per seed): the standard protocol's numbers.

    python scripts/levers.py models/best outputs/runs/<date>/<time>/best ... [--out metrics/levers.json]

Each checkpoint tags the validation and the test split of ``data/interim`` once (its word probabilities,
averaged over windows, are reused by every lever). For each lever the O-bias is chosen on the 500
validation abstracts (as training does) and the test split is scored once:

- ``greedy`` — per-word arg-max after the O-bias (the default decoding);
- ``viterbi`` — the best valid BIO sequence (no I-KEY first or after O; `keyphrases.viterbi_tags`);
- ``ensemble of N`` — the mean of N checkpoints' word probabilities (trained with different seeds), then
  greedy decoding; reported for every pair and for all checkpoints.

Per lever: test F1@M per checkpoint (or per pair), their mean ± sample standard deviation (ddof=1), and a
bootstrap 95 % interval (documents resampled, 1,000 times, seed 0) for each single value.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lecturelab.evaluation.metrics import bootstrap_ci, per_doc_f1  # noqa: E402
from lecturelab.evaluation.scoring import gold_keys, ranked_predictions, score_probs  # noqa: E402
from lecturelab.io import read_jsonl, write_json  # noqa: E402

GRID = np.round(np.arange(0.0, 2.01, 0.25), 2)


def tuned(val_probs, val_rows, decoding: str) -> float:
    """The O-bias of GRID with the best validation F1@M under ``decoding``."""
    gold = gold_keys(val_rows)
    return max(GRID, key=lambda b: score_probs(val_probs, val_rows, float(b), gold=gold,
                                               decoding=decoding)["f1_at_m"])


def test_score(test_probs, test_rows, bias: float, decoding: str) -> dict:
    gold = gold_keys(test_rows)
    s = score_probs(test_probs, test_rows, bias, gold=gold, decoding=decoding)
    low, high = bootstrap_ci(per_doc_f1(ranked_predictions(test_probs, test_rows, bias, decoding), gold))
    return {"o_bias": float(bias), "f1_at_m": round(s["f1_at_m"], 4), "f1_at_5": round(s["f1_at_5"], 4),
            "f1_at_10": round(s["f1_at_10"], 4), "ci95": [round(low, 4), round(high, 4)]}


def summary(values: list[float]) -> dict:
    v = np.asarray(values, float)
    return {"mean": round(float(v.mean()), 4), "std": round(float(v.std(ddof=1)), 4) if len(v) > 1 else None,
            "n": len(v)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("checkpoints", nargs="+", type=Path)
    ap.add_argument("--interim", type=Path, default=ROOT / "data/interim")
    ap.add_argument("--out", type=Path, default=ROOT / "metrics/levers.json")
    args = ap.parse_args()
    from lecturelab.console import quiet_libraries
    from lecturelab.models.tagger import KeyphraseTagger

    quiet_libraries(False)
    val_rows, test_rows = read_jsonl(args.interim / "val.jsonl"), read_jsonl(args.interim / "test.jsonl")
    probs = {}
    for ckpt in args.checkpoints:
        tagger = KeyphraseTagger.load(ckpt)
        probs[str(ckpt)] = (tagger.word_probs([r["tokens"] for r in val_rows]),
                            tagger.word_probs([r["tokens"] for r in test_rows]))
        print(f"tagged with {ckpt}", flush=True)
    report: dict = {"checkpoints": [str(c) for c in args.checkpoints], "val_docs": len(val_rows),
                    "test_docs": len(test_rows), "levers": {}}
    for decoding in ("greedy", "viterbi"):
        runs = {}
        for name, (vp, tp) in probs.items():
            runs[name] = test_score(tp, test_rows, tuned(vp, val_rows, decoding), decoding)
        report["levers"][decoding] = {"runs": runs, "f1_at_m": summary([r["f1_at_m"] for r in runs.values()])}
    names = list(probs)
    groups = [g for n in range(2, len(names) + 1) for g in itertools.combinations(names, n)]
    for size in sorted({len(g) for g in groups}):
        runs = {}
        for g in (g for g in groups if len(g) == size):
            vp = [np.mean([probs[n][0][i] for n in g], axis=0) for i in range(len(val_rows))]
            tp = [np.mean([probs[n][1][i] for n in g], axis=0) for i in range(len(test_rows))]
            runs[" + ".join(g)] = test_score(tp, test_rows, tuned(vp, val_rows, "greedy"), "greedy")
        report["levers"][f"ensemble of {size}"] = {"runs": runs,
                                                   "f1_at_m": summary([r["f1_at_m"] for r in runs.values()])}
    write_json(args.out, report)
    print(f"{'lever':<16} {'test F1@M mean':>15} {'± std':>7}  runs")
    for lever, r in report["levers"].items():
        s = r["f1_at_m"]
        std = f"{s['std']:.4f}" if s["std"] is not None else "-"
        print(f"{lever:<16} {s['mean']:>15.4f} {std:>7}  " +
              ", ".join(f"{v['f1_at_m']:.4f} [{v['ci95'][0]:.3f}-{v['ci95'][1]:.3f}]" for v in r["runs"].values()))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
