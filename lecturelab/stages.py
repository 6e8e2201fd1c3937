"""DVC stage entry point: `python -m lecturelab.stages <stage> [--params params.yaml]`.

DVC composes params.yaml from conf/ (Hydra composition), so every stage reads the same resolved
config that `python -m lecturelab.train` would compose, and calls the same plain function.
"""

from __future__ import annotations

import argparse
import logging
import signal
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


# what an interrupted stage leaves: every stage publishes its outputs whole at its very end
# (lecturelab.io atomic_dir / write_json), so the outputs of the last finished run stay as they were.
# Under `dvc repro` only the train stage's outs survive (`persist: true` in dvc.yaml); DVC deletes the
# other stages' outs before their command starts.
KEPT = {
    "prepare": "{paths.interim_dir}",
    "build_records": "{paths.processed_dir}",
    "train": "{paths.best_dir} and {paths.metrics_dir}/train*.json",
    "evaluate": "{paths.metrics_dir}/test*.json",
}


def interrupted_message(stage: str, cfg) -> str:
    """``train: interrupted; models/best and metrics/train*.json kept from the last finished run``."""
    try:
        kept = KEPT[stage].format(paths=cfg.paths)
    except Exception:  # the message must not fail on a broken config
        kept = "its outputs"
    return f"{stage}: interrupted; {kept} kept from the last finished run"


def _sigterm_as_interrupt(signum, frame):
    # `kill <pid>` (SIGTERM) unwinds like Ctrl-C, so temp folders of an unfinished publish are removed
    raise KeyboardInterrupt


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
    signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        run_stage(args.stage, cfg, source=str(params))
    except KeyboardInterrupt:
        if args.verbose:
            raise
        print(interrupted_message(args.stage, cfg), file=sys.stderr)
        return 130  # 128 + SIGINT, what a shell reports for Ctrl-C
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
