"""``lecturelab process``: the same ``process(cfg)`` as the Hydra app, with plain positional paths.

    lecturelab process lecture.mp4 [more.mkv folder/ ...] [key=value ...] [--verbose]
    lecturelab process talks/ transcriber.model=base.en transcriber.batched=true force=true
"""

from __future__ import annotations

import sys

from lecturelab.config import CONF_DIR, config_keys
from lecturelab.config import compose as compose_config


def split_args(argv: list[str]) -> tuple[list[str], list[str], bool]:
    """(input paths, Hydra overrides, verbose) by the rule shared by every command
    (`lecturelab.cli.split_args`)."""
    from lecturelab.cli import split_args as split

    return split(argv, config_keys("process", CONF_DIR))


def compose(overrides: list[str]):
    """The ``process`` config composed with overrides (no Hydra run dir, no logging setup)."""
    return compose_config("process", overrides)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lecturelab process``; returns the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    from omegaconf import open_dict

    import lecturelab  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)
    from lecturelab.lecture.pipeline import process

    inputs, overrides, verbose = split_args(argv)
    try:
        cfg = compose(overrides)
    except Exception as e:  # noqa: BLE001 - Hydra's errors are one readable line; show that
        print(f"error: {str(e).splitlines()[0]}", file=sys.stderr)
        return 2
    with open_dict(cfg):
        if inputs:
            cfg.input = inputs
        cfg.verbose = bool(cfg.verbose) or verbose
    return process(cfg)
