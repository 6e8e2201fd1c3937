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

from lecturelab.config import ConfigError, validate


def run_stage(stage: str, cfg, source: str = "config") -> dict:
    """Validate the config keys ``stage`` reads (`lecturelab.config`), then run the stage's function.

    Raises `ConfigError` (one line naming ``source`` and the key) before any data is read.
    """
    if stage not in ("prepare", "build_records", "train", "evaluate"):
        raise ValueError(f"unknown stage '{stage}' (prepare, build_records, train, evaluate)")
    validate(cfg, stage, source)
    if stage == "prepare":
        from lecturelab.data.prepare import prepare as fn
    elif stage == "build_records":
        from lecturelab.data.records import build_records as fn
    elif stage == "train":
        from lecturelab.training.train import train as fn
    else:
        from lecturelab.evaluation.evaluate import evaluate as fn
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
        cfg = OmegaConf.load(params)
    except Exception as e:  # a YAML syntax error (yaml.MarkedYAMLError knows where)
        mark = getattr(e, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}: " if mark else " "
        print(f"{params}:{where}not valid YAML ({getattr(e, 'problem', None) or str(e).splitlines()[0]})",
              file=sys.stderr)
        return 2
    try:
        run_stage(args.stage, cfg, source=str(params))
    except ConfigError as e:
        print(f"{args.stage}: {e}", file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as e:
        if args.verbose:
            raise
        print(f"{args.stage}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
