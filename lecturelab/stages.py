"""DVC stage entry point: `python -m lecturelab.stages <stage> [--params params.yaml]`.

DVC composes params.yaml from conf/ (Hydra composition), so every stage reads the same resolved
config that `python -m lecturelab.train` would compose, and calls the same plain function.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from omegaconf import OmegaConf


def run_stage(stage: str, cfg) -> dict:
    if stage == "prepare":
        from lecturelab.data.prepare import prepare as fn
    elif stage == "build_records":
        from lecturelab.data.records import build_records as fn
    elif stage == "train":
        from lecturelab.training.train import train as fn
    elif stage == "evaluate":
        from lecturelab.evaluation.evaluate import evaluate as fn
    else:
        raise ValueError(f"unknown stage '{stage}' (prepare, build_records, train, evaluate)")
    return fn(cfg)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stage", choices=["prepare", "build_records", "train", "evaluate"])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--verbose", action="store_true", help="show tracebacks")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    params = Path(args.params)
    if not params.is_file():
        print(f"{params}: not found (run `dvc exp run` or `make params` to compose it from conf/)", file=sys.stderr)
        return 2
    try:
        run_stage(args.stage, OmegaConf.load(params))
    except (FileNotFoundError, ValueError) as e:
        if args.verbose:
            raise
        print(f"{args.stage}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
