"""``lecturelab process``: the same ``process(cfg)`` as the Hydra app, with plain positional paths.

    lecturelab process lecture.mp4 [more.mkv folder/ ...] [key=value ...] [--verbose]
    lecturelab process talks/ transcriber.model=base.en transcriber.batched=true force=true
"""

from __future__ import annotations

import argparse

from omegaconf import open_dict

from lecturelab.command import checking_config, parse_command, run_command
from lecturelab.config import CONF_DIR, config_keys
from lecturelab.config import compose as compose_config
from lecturelab.config import split_args as split
from lecturelab.console import quiet_libraries
from lecturelab.errors import EXIT_CODES
from lecturelab.lecture.pipeline import process


def split_args(argv: list[str]) -> tuple[list[str], list[str], bool]:
    """(input paths, Hydra overrides, verbose) by the rule shared by every command
    (`lecturelab.config.split_args`)."""
    return split(argv, config_keys("process", CONF_DIR))


def compose(overrides: list[str]):
    """The ``process`` config composed with overrides (no Hydra run dir, no logging setup)."""
    return compose_config("process", overrides)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lecturelab process", description=__doc__.strip().splitlines()[0],
                                epilog=EXIT_CODES)
    p.add_argument("args", nargs="*", metavar="PATH|key=value",
                   help="media files or folders, and overrides of lecturelab/conf/process.yaml")
    p.add_argument("-v", "--verbose", action="store_true", help="tracebacks and library logs")
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lecturelab process``; returns the exit code (`lecturelab.errors`)."""
    args = parse_command(parser(), argv)
    if isinstance(args, int):
        return args
    quiet_libraries(args.verbose)
    inputs, overrides, verbose = split_args(args.args)

    def run() -> int:
        with checking_config():
            cfg = compose(overrides)
        with open_dict(cfg):
            if inputs:
                cfg.input = inputs
            cfg.verbose = bool(cfg.verbose) or verbose or args.verbose
        return process(cfg)

    return run_command("lecturelab process", run, verbose or args.verbose)
