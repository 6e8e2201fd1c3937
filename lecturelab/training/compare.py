"""`lecturelab compare <dir> [<dir> ...]`: training runs side by side.

Finds every Hydra run folder under the given folders (single runs, multirun / sweep jobs), prints a
table of the config keys that differ between them and their metrics (validation from train.json,
test from test.json when the run was evaluated, time, throughput), best first, and writes
``compare.html`` and ``compare.png`` beside it. Runs that differ only by ``seed`` are summarised as
mean ± sample standard deviation per configuration below the table.

    lecturelab compare outputs/multiruns/2026-11-28_10-00-00
    lecturelab compare outputs/multiruns/* --sort val/f1 --evaluate
"""

from __future__ import annotations

import argparse
import html
import json
import math
import sys
from pathlib import Path

import numpy as np
from omegaconf import OmegaConf

from lecturelab.command import run_command
from lecturelab.config import DEFAULT_MONITOR
from lecturelab.evaluation.evaluate import evaluate

# (column, file, key): metrics shown for every run
METRICS = [("val/f1", "train", "val/f1"), ("val/f1_at_m", "train", "val/f1_at_m"),
           ("val/tuned_f1_at_m", "train", "val/tuned_f1_at_m"), ("test/f1", "test", "test/f1"),
           ("test/f1_at_m", "test", "test/f1_at_m"), ("epochs", "train", "epochs_run"),
           ("train_s", "train_speed", "train_seconds"), ("examples/s", "train_speed", "train/examples_per_s")]
# config keys that differ between runs without being a choice of the experiment
IGNORED = ("paths.", "logger.", "hydra.")


def find_runs(dirs: list[Path]) -> list[Path]:
    """Run folders (they hold ``.hydra/config.yaml``) at or below ``dirs``, in path order, and the best run
    an Optuna sweep's ``optimization_results.yaml`` there names (after a resumed sweep it may lie in an
    earlier sweep's folder), so ``compare``, ``promote`` and the sweep name the same best run."""
    from lecturelab.training.sweep import best_runs_named

    runs = set()
    for d in dirs:
        if not d.is_dir():
            raise FileNotFoundError(f"{d}: no such folder")
        runs.update(p.parent.parent for p in d.rglob(".hydra/config.yaml"))
        seen = {r.resolve() for r in runs}
        runs.update(p for p in best_runs_named(d) if p.resolve() not in seen)
    return sorted(runs, key=lambda p: [int(s) if s.isdigit() else s for s in p.parts])


def load_run(path: Path) -> dict:
    """A run's flat config, status (ok / failed / incomplete) and metrics."""
    cfg = OmegaConf.load(path / ".hydra" / "config.yaml")
    flat = _flatten(OmegaConf.to_container(cfg, resolve=False))
    files = {name: path / f"{name}.json" for name in ("train", "train_speed", "test", "failed")}
    data = {name: json.loads(f.read_text()) for name, f in files.items() if f.is_file()}
    status = "failed" if "failed" in data else "ok" if "train" in data else "incomplete"
    metrics = {col: data.get(src, {}).get(key) for col, src, key in METRICS}
    return {"path": path, "status": status, "config": flat, "metrics": metrics,
            "error": data.get("failed", {}).get("error")}


def _flatten(d, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out |= _flatten(v, f"{prefix}{k}.")
        else:
            out[f"{prefix}{k}"] = v
    return out


def config_differences(runs: list[dict]) -> list[str]:
    """Config keys whose value is not the same in every run (model choice first)."""
    keys = sorted({k for r in runs for k in r["config"]})
    diff = [k for k in keys if not k.startswith(IGNORED)
            and len({json.dumps(r["config"].get(k), sort_keys=True) for r in runs}) > 1]
    return sorted(diff, key=lambda k: (k != "model.name", k))


def rank(runs: list[dict], sort_by: str) -> list[dict]:
    """Best first by ``sort_by`` (a METRICS column); runs without the metric (failed) last."""
    def key(r):
        v = r["metrics"].get(sort_by)
        return (v is None or (isinstance(v, float) and math.isnan(v)), -(v or 0.0))

    return sorted(runs, key=key)


def table(runs: list[dict], names: list[str]) -> tuple[list[str], list[list[str]]]:
    diff = config_differences(runs)
    headers = ["run", "status", *diff, *(c for c, _, _ in METRICS)]
    rows = []
    for r, name in zip(runs, names, strict=True):
        cells = [name, r["status"], *(_fmt(r["config"].get(k)) for k in diff),
                 *(_fmt(r["metrics"][c]) for c, _, _ in METRICS)]
        rows.append(cells)
    return headers, rows


def seed_groups(runs: list[dict]) -> list[dict]:
    """Runs grouped by configuration, ``seed`` left out, for the groups whose runs differ only by seed.

    Each group: ``config`` (the differing keys other than seed, with this group's values), ``seeds``, and
    ``metrics`` {column: (mean, sample standard deviation (ddof=1), n)} over its runs that have the metric
    (std None for one value). Groups of fewer than two finished runs are left out. Ordered by the first
    run's place in ``runs``."""
    diff = [k for k in config_differences(runs) if k != "seed"]
    groups: dict[str, list[dict]] = {}
    for r in runs:
        if r["status"] != "ok":
            continue
        key = json.dumps({k: r["config"].get(k) for k in diff}, sort_keys=True, default=str)
        groups.setdefault(key, []).append(r)
    out = []
    for key, members in groups.items():
        seeds = sorted((m["config"].get("seed") for m in members), key=lambda v: (type(v).__name__, v))
        if len(members) < 2 or len(set(map(str, seeds))) < len(members):
            continue
        stats = {}
        for col, _, _ in METRICS:
            vals = [m["metrics"][col] for m in members if isinstance(m["metrics"][col], (int, float))]
            if vals:
                stats[col] = (float(np.mean(vals)), float(np.std(vals, ddof=1)) if len(vals) > 1 else None,
                              len(vals))
        out.append({"config": json.loads(key), "seeds": seeds, "metrics": stats})
    return out


def seed_table(groups: list[dict]) -> tuple[list[str], list[list[str]]]:
    """Mean ± std per configuration: one row per `seed_groups` group."""
    keys = sorted({k for g in groups for k in g["config"]})
    cols = [c for c, _, _ in METRICS if any(c in g["metrics"] for g in groups)]
    headers = [*keys, "runs", "seeds", *cols]
    rows = []
    for g in groups:
        cells = [_fmt(g["config"].get(k)) for k in keys] + [str(len(g["seeds"])), ",".join(map(str, g["seeds"]))]
        for c in cols:
            mean, std, _ = g["metrics"].get(c, (None, None, 0))
            cells.append("-" if mean is None else f"{mean:.4g}" + ("" if std is None else f" ± {std:.2g}"))
        rows.append(cells)
    return headers, rows


def _fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def render_text(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def write_html(path: Path, headers, rows, png_name: str | None, sort_by: str) -> None:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    trs = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    img = f'<p><img src="{png_name}" alt="metrics per run"></p>' if png_name else ""
    path.write_text(
        "<!doctype html><meta charset='utf-8'><title>lecturelab runs</title><style>"
        "body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:3px 8px;text-align:right}td:first-child{text-align:left}</style>"
        f"<h1>Runs, best {html.escape(sort_by)} first</h1><table><tr>{th}</tr>{trs}</table>{img}\n",
        encoding="utf-8")


def write_png(path: Path, runs: list[dict], names: list[str]) -> None:
    """Grouped horizontal bars of the F1 metrics per run."""
    import matplotlib  # deferred: matplotlib takes a second to import, only the plot needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = [c for c in ("val/f1", "val/f1_at_m", "test/f1", "test/f1_at_m")
            if any(r["metrics"][c] is not None for r in runs)]
    y = np.arange(len(runs))
    h = 0.8 / max(len(cols), 1)
    fig, ax = plt.subplots(figsize=(8, 1.0 + 0.5 * len(runs) * max(len(cols), 1) / 2))
    for i, c in enumerate(cols):
        ax.barh(y + i * h, [r["metrics"][c] or 0.0 for r in runs], h, label=c)
    ax.set_yticks(y + h * (len(cols) - 1) / 2, names)
    ax.invert_yaxis()  # best on top, as in the table
    ax.set_xlabel("F1")
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def evaluate_run(run: dict) -> None:
    """Score a run's best checkpoint on the test split (writes ``<run>/test.json``)."""
    path = run["path"]
    cfg = OmegaConf.load(path / ".hydra" / "config.yaml")
    cfg.pop("hydra", None)
    # the one value Hydra filled in at run time (${hydra:runtime.output_dir}); best_dir, metrics_dir and
    # speed_dir follow from it by interpolation (conf/train_app.yaml)
    cfg.paths.output_dir = str(path)
    cfg.evaluate.yake = False
    m = evaluate(cfg)
    run["metrics"] |= {c: m.get(k) for c, src, k in METRICS if src == "test"}


def _names(paths: list[Path]) -> list[str]:
    """Shortest readable names: the paths less their common prefix, keeping its last folder."""
    parts = [p.resolve().parts for p in paths]
    n = 0
    while all(len(q) > n + 1 for q in parts) and len({q[n] for q in parts}) == 1:
        n += 1
    return [str(Path(*q[max(n - 1, 0):])) for q in parts]


def default_out(dirs: list[Path]) -> Path:
    return dirs[0] if len(dirs) == 1 else Path("outputs/compare")


def compare(dirs: list[Path], sort_by: str = DEFAULT_MONITOR, out: Path | None = None,
            evaluate: bool = False) -> tuple[str, list[dict]]:
    """Load, (optionally evaluate), rank and render the runs; returns the text table and the runs."""
    if sort_by not in {c for c, _, _ in METRICS}:
        raise ValueError(f"--sort must be one of {[c for c, _, _ in METRICS]}, got '{sort_by}'")
    paths = find_runs(dirs)
    if not paths:
        raise FileNotFoundError(f"no runs (folders with .hydra/config.yaml) under {', '.join(map(str, dirs))}")
    runs = [load_run(p) for p in paths]
    if evaluate:
        for r in runs:
            if r["status"] == "ok" and r["metrics"]["test/f1"] is None:
                evaluate_run(r)
    runs = rank(runs, sort_by)
    names = _names([r["path"] for r in runs])
    headers, rows = table(runs, names)
    text = render_text(headers, rows)
    if groups := seed_groups(runs):   # repeated runs that differ only by seed: mean ± sample std
        text += ("\n\nacross seeds (mean ± sample standard deviation, ddof=1):\n"
                 + render_text(*seed_table(groups)))
    out = out or default_out(dirs)
    out.mkdir(parents=True, exist_ok=True)
    write_png(out / "compare.png", runs, names)
    write_html(out / "compare.html", headers, rows, "compare.png", sort_by)
    return text, runs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="lecturelab compare", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dirs", nargs="+", type=Path, help="run, multirun or sweep folders")
    p.add_argument("--sort", default=DEFAULT_MONITOR,
                   help=f"metric column that ranks the runs (default {DEFAULT_MONITOR}, as trainer.monitor)")
    p.add_argument("--out", type=Path, help="folder for compare.html / compare.png (default: the one dir given, else outputs/compare)")
    p.add_argument("--evaluate", action="store_true", help="score runs that lack test.json on the test split")
    args = p.parse_args(argv)

    def run() -> int:
        text, runs = compare(args.dirs, args.sort, args.out, args.evaluate)
        print(text)
        for r in runs:
            if r["error"]:
                print(f"{r['path']}: {r['error']}")
        out = args.out or default_out(args.dirs)
        print(f"\nwrote {out / 'compare.html'} and {out / 'compare.png'}")
        return 0

    return run_command("lecturelab compare", run)


if __name__ == "__main__":
    sys.exit(main())
