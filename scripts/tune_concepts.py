"""Key-concept ranking on real lectures' captions: recall of the course's key terms in our top 10 / 20.

    python scripts/tune_concepts.py --part tune --per-course 3            # tuning courses only
    python scripts/tune_concepts.py --part tune --grid                    # + a small grid over the weights
    python scripts/tune_concepts.py --part tune --weights spread=1,introduced=0   # other weights than the config's
    python scripts/tune_concepts.py --part report --per-course 3 --metrics metrics/concepts.json

Data: ``../shared/data/lectures`` split by course (lecturelab/conf/lectures_split.yaml; ``--part tune`` for
development, ``report`` once, at the end). Each lecture's WebVTT captions (speaker labels and sound tags
removed) become the transcript; the course's key terms, their occurrence in the captions and the recall
among our first N are those of the whole-lecture benchmark (`lecturelab.evaluation.lectures`: course_terms,
terms_in_transcript, share_in_top), so the numbers agree with scripts/bench_lectures.py. The ranking is
`lecturelab.quiz.concepts.rank_concepts` with the process config's ``concepts:`` settings and MiniLM;
no keyphrase tagger output (captions only), so the ``tagger`` feature is 0 here. Baseline: the noun phrases
by frequency alone. Sentence and term embeddings are cached in ``--cache``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import pickle
import platform
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lecturelab.data.lectures import catalogue, read_cues  # noqa: E402
from lecturelab.evaluation.lectures import course_terms, share_in_top, terms_in_transcript  # noqa: E402
from lecturelab.io import write_json  # noqa: E402
from lecturelab.quiz.concepts import ConceptSettings, rank_concepts  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "lectures"
SPEAKER = re.compile(r"^\s*(?:[A-Z][\w.'-]*\s){0,3}[A-Z][\w.'-]*:\s+")
SOUND = re.compile(r"\[[^\]]*\]|\([A-Z ]+\)")


def caption_sentences(path: Path, cache: Path):
    """(sentences, duration s, caption text) of a WebVTT file, as the processor would see the captions."""
    from lecturelab.lecture.highlight import build_text
    from lecturelab.transcript.sentences import build_sentences

    f = cache / f"sent-{hashlib.sha1(str(path).encode()).hexdigest()[:16]}.pkl"
    if f.is_file():
        return pickle.loads(f.read_bytes())
    cues = read_cues(path)
    segs = [{"start": a, "end": b, "text": SOUND.sub("", SPEAKER.sub("", t)).strip()} for a, b, t in cues]
    segs = [s for s in segs if s["text"]]
    text, segments = build_text(segs)
    out = (build_sentences(text, segments), cues[-1][1], " ".join(c[2] for c in cues))
    f.write_bytes(pickle.dumps(out))
    return out


class CachedEmbed:
    """`lecturelab.models.embed.embed` with a per-text cache on disk (one .npz per run)."""

    def __init__(self, path: Path):
        self.path = path
        self.vecs: dict[str, np.ndarray] = {}
        if path.is_file():
            z = np.load(path, allow_pickle=True)
            self.vecs = dict(zip(z["texts"].tolist(), z["vecs"], strict=True))
        self.dirty = False

    def __call__(self, texts: list[str]) -> np.ndarray:
        from lecturelab.models.embed import embed

        new = [t for t in dict.fromkeys(texts) if t not in self.vecs]
        if new:
            self.vecs.update(zip(new, embed(new), strict=True))
            self.dirty = True
        return np.stack([self.vecs[t] for t in texts])

    def save(self) -> None:
        if self.dirty:
            texts = list(self.vecs)
            np.savez(self.path, texts=np.array(texts, dtype=object), vecs=np.stack([self.vecs[t] for t in texts]))
            self.dirty = False


def frequency_baseline(sentences) -> list[str]:
    """Noun-phrase candidates by occurrences alone (no filter, no other feature)."""
    from lecturelab.quiz.concepts import candidates

    cands = candidates(sentences)
    return [max(c.forms, key=c.forms.get) for c in sorted(cands.values(), key=lambda c: -len(c.occ))]


def lecture_rankings(items, settings: ConceptSettings, cache: Path, embed) -> list[dict]:
    """Per lecture: {item, terms (course terms in the captions), concepts (rank_concepts), seconds,
    baseline (frequency order)}; lectures without a course term in the captions are left out."""
    out = []
    for item in items:
        sentences, duration, text = caption_sentences(item.captions, cache)
        terms = terms_in_transcript(course_terms([t for _, t in item.chapters], item.description), text)
        if not terms:
            continue
        t0 = time.perf_counter()
        concepts = rank_concepts(sentences, duration, None, settings, embed)
        out.append({"item": item, "terms": terms, "concepts": concepts,
                    "seconds": time.perf_counter() - t0, "baseline": frequency_baseline(sentences)})
    return out


def rescored(concepts: list[dict], weights: dict) -> list[str]:
    """Terms re-ranked by other feature weights (the features as ranked; the grid's cheap approximation)."""
    return [c["term"] for c in sorted(concepts, key=lambda c: -sum(w * c["features"][k] for k, w in weights.items()))]


def summary(runs: list[dict], weights: dict | None = None) -> dict:
    rows = []
    for r in runs:
        ranked = rescored(r["concepts"], weights) if weights else [c["term"] for c in r["concepts"]]
        terms, base = r["terms"], r["baseline"]
        rows.append({"id": r["item"].id, "course": r["item"].course, "terms": len(terms),
                     "seconds": round(r["seconds"], 2),
                     "top10": share_in_top(terms, ranked, 10), "top20": share_in_top(terms, ranked, 20),
                     "top10_loose": share_in_top(terms, ranked, 10, loose=True),
                     "top20_loose": share_in_top(terms, ranked, 20, loose=True),
                     "baseline_frequency/top10": share_in_top(terms, base, 10),
                     "baseline_frequency/top20": share_in_top(terms, base, 20),
                     "ours_top20": ranked[:20], "course_terms": terms})
    keys = [k for k in rows[0] if isinstance(rows[0][k], float)] if rows else []
    return {"lectures": len(rows), **{k: round(float(np.mean([r[k] for r in rows])), 4) for k in keys},
            "per_lecture": rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["tune", "report"], default="tune")
    ap.add_argument("--per-course", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/lecturelab-concepts-cache"))
    ap.add_argument("--no-embed", action="store_true", help="leave the MiniLM centrality out")
    ap.add_argument("--grid", action="store_true", help="also try a small grid over the weights (tune only)")
    ap.add_argument("--weights", default="", help="feature weights over the config's, e.g. spread=1,defined=0.25")
    ap.add_argument("--metrics", type=Path, help="write the result here (report part)")
    args = ap.parse_args()
    if args.grid and args.part != "tune":
        raise SystemExit("--grid tunes: only with --part tune")
    args.cache.mkdir(parents=True, exist_ok=True)
    items = [x for x in catalogue(args.data) if x.side == args.part and x.collection == "yale"]
    rng = random.Random(args.seed)
    courses: dict[str, list] = {}
    for x in items:
        courses.setdefault(x.course, []).append(x)
    chosen = [x for c in sorted(courses) for x in rng.sample(courses[c], min(args.per_course, len(courses[c])))]
    from omegaconf import OmegaConf

    cfg = OmegaConf.load(ROOT / "lecturelab" / "conf" / "process.yaml").get("concepts")
    section = dict(OmegaConf.to_container(cfg)) if cfg is not None else {}
    try:
        override = {k.strip(): float(v) for k, v in (p.split("=") for p in args.weights.split(",") if p.strip())}
    except ValueError:
        raise SystemExit(f"--weights: expected name=number pairs separated by commas, got {args.weights!r}") from None
    section["weights"] = {**section.get("weights", {}), **override}
    settings = ConceptSettings.from_cfg(section)
    embed = None if args.no_embed else CachedEmbed(args.cache / "embeddings.npz")
    runs = lecture_rankings(chosen, settings, args.cache, embed)
    if embed:
        embed.save()
    res = summary(runs)
    print(json.dumps({k: v for k, v in res.items() if k != "per_lecture"}))
    if args.grid:
        best = None
        grid = {"frequency": [0.5, 1.0, 2.0], "spread": [0.5, 1.0, 2.0], "specific": [0.5, 1.0, 2.0, 3.0],
                "central": [0.0, 0.5, 1.0, 2.0], "words": [0.0, 0.3, 0.6], "defined": [0.0, 0.5, 1.0],
                "introduced": [0.0, 0.5, 1.0]}
        for vals in itertools.product(*grid.values()):
            weights = dict(zip(grid, vals, strict=True))
            r = summary(runs, weights)
            key = (r["top20"], r["top10"])
            if best is None or key > best[0]:
                best = (key, weights)
        print("best weights (approximate re-ranking):", best, flush=True)
    if args.metrics:
        out = {"command": "python " + " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
               "part": args.part, "per_course": args.per_course, "seed": args.seed,
               "settings": vars(settings), "machine": platform.machine(), **res}
        # the course's own words (its key terms) and our matching lists stay out of the project (licence)
        out["per_lecture"] = [{k: v for k, v in r.items() if k not in ("ours_top20", "course_terms")}
                              for r in out["per_lecture"]]
        write_json(args.metrics, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
