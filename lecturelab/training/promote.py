"""`lecturelab promote <run or sweep dir> [...]`: publish the best run's checkpoint to models/best.

Picks the best finished run under the given folders (by a validation metric from its train.json),
copies its ``best/`` checkpoint atomically to ``--to`` (default ``models/best``, the folder DVC's
``evaluate`` stage scores) and records where it came from in the checkpoint's ``lecturelab.json``.
Then score it with ``dvc repro -s evaluate`` (``-s``: only that stage; a plain ``dvc repro`` would
see ``train``'s output changed and train again).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from lecturelab.command import run_command
from lecturelab.config import DEFAULT_MONITOR
from lecturelab.io import atomic_dir, write_json
from lecturelab.models.tagger import META_FILE
from lecturelab.training.compare import METRICS, find_runs, load_run, rank


def best_run(dirs: list[Path], metric: str = DEFAULT_MONITOR) -> dict:
    """The finished run with the highest ``metric`` that has a published checkpoint."""
    if metric not in {c for c, src, _ in METRICS if src == "train"}:
        raise ValueError(f"--metric must be a validation metric {[c for c, s, _ in METRICS if s == 'train']}, "
                         f"got '{metric}'")
    runs = [r for r in map(load_run, find_runs(dirs))
            if r["status"] == "ok" and r["metrics"][metric] is not None
            and (r["path"] / "best" / META_FILE).is_file()]
    if not runs:
        raise FileNotFoundError(f"no finished run with a best/ checkpoint under {', '.join(map(str, dirs))}")
    return rank(runs, metric)[0]


def promote(run: dict, to: Path, metric: str) -> Path:
    src = run["path"] / "best"
    with atomic_dir(to) as tmp:
        shutil.copytree(src, tmp, dirs_exist_ok=True)
        meta_file = tmp / META_FILE
        meta = json.loads(meta_file.read_text())
        meta["promoted_from"] = {"run": str(run["path"].resolve()), metric: run["metrics"][metric]}
        write_json(meta_file, meta)
    return to


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="lecturelab promote", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dirs", nargs="+", type=Path, help="run, multirun or sweep folders")
    p.add_argument("--metric", default=DEFAULT_MONITOR,
                   help=f"validation metric that picks the run (default {DEFAULT_MONITOR}, as trainer.monitor)")
    p.add_argument("--to", type=Path, default=Path("models/best"), help="destination (default models/best)")
    p.add_argument("--dry-run", action="store_true", help="only say which run would be promoted")
    args = p.parse_args(argv)

    def run_promote() -> int:
        run = best_run(args.dirs, args.metric)
        print(f"best run: {run['path']} ({args.metric} {run['metrics'][args.metric]:.4f}, "
              f"model {run['config'].get('model.name')})")
        if args.dry_run:
            return 0
        promote(run, args.to, args.metric)
        print(f"promoted {run['path'] / 'best'} -> {args.to}\nscore it on the test split: dvc repro -s evaluate")
        return 0

    return run_command("lecturelab promote", run_promote)


if __name__ == "__main__":
    sys.exit(main())
