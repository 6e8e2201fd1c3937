"""Chapter quality: Pk and WindowDiff of `lecturelab.lecture.chapters` against known joints.

    python scripts/bench_chapters.py                       # test split -> metrics/chapters.json
    python scripts/bench_chapters.py --split valid --tune  # grid over the settings on the valid split
    python scripts/bench_chapters.py --part tune           # real lectures of the tuning courses (printed)
    python scripts/bench_chapters.py --part report         # held-out lectures -> metrics/chapters_lectures.json

Real lectures (``--part``): scripts/chapters_lectures.py says how they are read and scored; the default
method, TextTiling (``method: texttiling``) and the two baselines side by side.

Joined abstracts (``--split``, the secondary check):

A "lecture" is 3-6 Inspec abstracts picked at random (each abstract one "talk" on its own topic), joined
in order; the joints between abstracts are the true chapter boundaries. A document is its BIO file's
tokens joined by spaces (-LRB-/-RRB- back to brackets), cut into sentences at its sentence-end tokens.
Sentence times are made up at 150 words per minute (0.4 s per token), as a speaker would read them.
Keyphrases are the gold BIO spans (only titles use them; boundaries come from the embeddings).

Metrics (lower is better, 0 = perfect), units are sentences, a boundary string marks each gap:
Pk (Beeferman, Berger & Lafferty 1999, "Statistical models for text segmentation") and WindowDiff
(Pevzner & Hearst 2002, "A critique and improvement of an evaluation metric for text segmentation"), as
implemented in ``nltk.metrics.segmentation``, with k = half the mean true chapter length (the usual
choice; rounded, at least 2). The baseline cuts each lecture into the *true number* of equal-length
chapters (an oracle count, so a strong baseline). TextTiling's settings were tuned on ``--split valid``;
the committed numbers are on ``--split test`` with the default method (``--method``), whose settings were
tuned on real lectures (``--part tune``): an abstract read aloud lasts about a minute, far below the length
prior's chapter, so this check tells how the default behaves on short unrelated parts, not its tuning.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from lecturelab.bio import read_bio  # noqa: E402
from lecturelab.lecture.chapters import DEFAULTS, boundaries  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "inspec"
SECONDS_PER_TOKEN = 0.4
SENTENCE_END = {".", "?", "!"}


def documents(split: str, data: Path = DATA) -> list[list[str]]:
    """Each document of ``<data>/<split>.txt`` (Inspec BIO) as a list of sentences (strings)."""
    docs = []
    for tokens, _tags in read_bio(data / f"{split}.txt")[0]:
        sents, cur = [], []
        for t in tokens:
            cur.append({"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]"}.get(t, t))
            if t in SENTENCE_END:
                sents.append(" ".join(cur))
                cur = []
        if cur:
            sents.append(" ".join(cur))
        if len(sents) >= 2:
            docs.append(sents)
    return docs


def build_lectures(docs: list[list[str]], n: int, seed: int) -> list[dict]:
    """``n`` lectures of 3-6 distinct abstracts: sentences, made-up times, true boundary sentence indices."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        picks = rng.sample(docs, rng.randint(3, 6))
        sents, truth, t, starts, ends = [], [], 0.0, [], []
        for d in picks:
            if sents:
                truth.append(len(sents))
            for s in d:
                dur = SECONDS_PER_TOKEN * len(s.split())
                sents.append(s)
                starts.append(t)
                ends.append(t + dur)
                t += dur
        out.append({"sentences": sents, "starts": starts, "ends": ends, "truth": truth})
    return out


def gaps(cuts: list[int], n: int) -> str:
    """Boundary string over the n-1 gaps: '1' where sentence g+1 opens a chapter."""
    s = set(cuts)
    return "".join("1" if g + 1 in s else "0" for g in range(n - 1))


def equal_cuts(starts: list[float], end: float, k: int) -> list[int]:
    """k equal-time chapters: each cut at the sentence starting nearest to i * end / k."""
    cuts = {int(np.argmin([abs(s - i * end / k) for s in starts])) for i in range(1, k)}
    return sorted(c for c in cuts if c > 0)


def score(lectures: list[dict], embs: list[np.ndarray], settings: dict) -> dict:
    from nltk.metrics.segmentation import pk, windowdiff

    rows = {"pk": [], "windowdiff": [], "baseline_pk": [], "baseline_windowdiff": [], "chapters": [], "true": []}
    for lec, emb in zip(lectures, embs, strict=True):
        n = len(lec["sentences"])
        cuts = boundaries(emb, lec["sentences"], lec["starts"], lec["ends"], lec["ends"][-1], settings)
        base = equal_cuts(lec["starts"], lec["ends"][-1], len(lec["truth"]) + 1)
        ref = gaps(lec["truth"], n)
        k = max(2, round(n / (len(lec["truth"]) + 1) / 2))
        for name, hyp in (("", cuts), ("baseline_", base)):
            rows[name + "pk"].append(pk(ref, gaps(hyp, n), k=k))
            rows[name + "windowdiff"].append(windowdiff(ref, gaps(hyp, n), k))
        rows["chapters"].append(len(cuts) + 1)
        rows["true"].append(len(lec["truth"]) + 1)
    return {k: round(float(np.mean(v)), 4) for k, v in rows.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test", choices=["test", "valid"])
    ap.add_argument("--lectures", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tune", action="store_true", help="print a grid of TextTiling settings (use on --split valid)")
    ap.add_argument("--method", choices=["global", "texttiling"], default=DEFAULTS["method"])
    ap.add_argument("--out", default=None, help="metrics JSON (default metrics/chapters.json for test)")
    ap.add_argument("--inspec", default=str(DATA), help="the Inspec BIO folder (../shared/data/inspec)")
    ap.add_argument("--part", choices=["tune", "report"], help="score real lectures of this side of the split")
    ap.add_argument("--per-course", type=int, default=2, help="--part: lectures drawn from each course")
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "lectures"),
                    help="--part: the lecture data set (../shared/data/lectures)")
    args = ap.parse_args()
    if args.part:
        return lectures_mode(args)
    from lecturelab.models.embed import embed

    lectures = build_lectures(documents(args.split, Path(args.inspec)), args.lectures, args.seed)
    embs = [embed(lec["sentences"]) for lec in lectures]
    if args.tune:
        grid = itertools.product([2, 3, 4, 5], [0.0, 0.5, 1.0], [0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6])
        results = []
        for block, cstd, mdepth in grid:
            s = {**DEFAULTS, "method": "texttiling", "block_sentences": block, "cutoff_std": cstd, "min_depth": mdepth}
            results.append(({"block_sentences": block, "cutoff_std": cstd, "min_depth": mdepth}, score(lectures, embs, s)))
        results.sort(key=lambda r: r[1]["pk"] + r[1]["windowdiff"])
        for s, r in results[:14]:
            print(json.dumps(s), json.dumps(r))
        return 0
    settings = {**DEFAULTS, "method": args.method}
    result = score(lectures, embs, settings)
    metrics = {f"{args.split}/pk": result["pk"], f"{args.split}/windowdiff": result["windowdiff"],
               f"{args.split}/baseline_equal_pk": result["baseline_pk"],
               f"{args.split}/baseline_equal_windowdiff": result["baseline_windowdiff"],
               f"{args.split}/chapters_mean": result["chapters"], f"{args.split}/true_chapters_mean": result["true"],
               "lectures": args.lectures, "seed": args.seed, "seconds_per_token": SECONDS_PER_TOKEN,
               "settings": {k: v for k, v in settings.items() if k != "enabled"},
               "command": f"python scripts/bench_chapters.py --split {args.split} --lectures {args.lectures} "
                          f"--seed {args.seed} --method {args.method}"}
    print(json.dumps(metrics, indent=1))
    out = args.out or (str(ROOT / "metrics" / "chapters.json") if args.split == "test" else None)
    if out:
        from lecturelab.io import write_json

        write_json(out, metrics)
    return 0


def lectures_mode(args) -> int:
    """``--part``: the default settings, TextTiling and the baselines on real lectures; the report part is
    written to ``--out`` (default metrics/chapters_lectures.json)."""
    from chapters_lectures import choose, load, score

    from lecturelab.io import write_json

    data = Path(args.data)
    if not (data / "yale" / "lectures.json").is_file():
        raise SystemExit(f"error: {data / 'yale' / 'lectures.json'}: no lecture catalogue there (--data)")
    lectures = load(choose(data, args.part, args.per_course, args.seed))
    results = {"default": score(lectures, DEFAULTS, "default"),
               "texttiling": score(lectures, {**DEFAULTS, "method": "texttiling"}, "texttiling"),
               "baselines": score(lectures, None)}
    metrics = {f"{args.part}/{k}": v for r in results.values() for k, v in r.items() if k != "lectures"}
    metrics |= {"lectures": len(lectures), "per_course": args.per_course, "seed": args.seed,
                "settings": {k: v for k, v in DEFAULTS.items() if k != "enabled"},
                "per_lecture": [a | b | c for a, b, c in zip(*(r["lectures"] for r in results.values()), strict=True)],
                "command": f"python scripts/bench_chapters.py --part {args.part} --per-course {args.per_course} "
                           f"--seed {args.seed}"}
    print(json.dumps({k: v for k, v in metrics.items() if k != "per_lecture"}, indent=1))
    out = args.out or (str(ROOT / "metrics" / "chapters_lectures.json") if args.part == "report" else None)
    if out:
        write_json(out, metrics)
    return 0


if __name__ == "__main__":
    sys.exit(main())
