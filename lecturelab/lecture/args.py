"""Command-line parsing shared by the lecture commands (``lecturelab process``, ``lecturelab apply``)."""

from __future__ import annotations

import argparse
import sys

from lecturelab.errors import USAGE


def parse_command(p: argparse.ArgumentParser, argv: list[str] | None):
    """``p``'s arguments from ``argv`` (None: sys.argv), paths and ``key=value`` intermixed; or the exit code
    to return: USAGE after printing the help when there are no arguments, 0 for -h, 2 for a usage error
    (argparse printed it). Shared by the commands whose arguments are paths and overrides."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        p.print_help()
        return USAGE
    try:
        return p.parse_intermixed_args(argv)
    except SystemExit as e:
        return int(e.code or 0)
