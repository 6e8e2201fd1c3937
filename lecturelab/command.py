"""What every ``lecturelab`` command shares: reading its arguments, and the one runner that turns an error
into the one line a user reads and the exit code (`lecturelab.errors`).

A command's ``main(argv)`` parses its arguments with argparse (``parse_command`` for paths and
``key=value`` overrides intermixed) and hands the work to ``run_command``. Inside it, whatever is raised
prints ``error: <first line of the message>`` on stderr (``--verbose``: the traceback first) and returns

    2  `UsageError`, and anything raised inside ``checking_config()`` (Hydra's, the schemas', ours)
    1  any other error: a missing or unreadable input, a damaged lecture, a failed run
    130  Ctrl-C: ``<prog>: interrupted``; what was written stays whole (atomic writes)

so the same failure exits the same way in every command.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from lecturelab.errors import FAILED, INTERRUPTED, USAGE, one_line


class UsageError(Exception):
    """A bad argument, override or setting, found before any work: exit code 2 (`USAGE`)."""


@contextmanager
def checking_config() -> Iterator[None]:
    """Compose and check the command's config inside: any error raised here is a `UsageError`."""
    try:
        yield
    except UsageError:
        raise
    except Exception as e:  # noqa: BLE001 - Hydra's, the schemas' and ours: one readable line each
        raise UsageError(one_line(e)) from e


def run_command(prog: str, body: Callable[[], int | None], verbose: bool = False) -> int:
    """``body()``'s exit code (None: 0), or the code of what it raised, after printing its one line on
    stderr (``verbose``: the traceback too). ``prog`` names the command in the interrupted line."""
    try:
        return int(body() or 0)
    except KeyboardInterrupt:
        print(f"\n{prog}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as e:  # noqa: BLE001 - one readable line for the user; the traceback on request
        if verbose:
            traceback.print_exception(e)
        print(f"error: {one_line(e)}", file=sys.stderr)
        return USAGE if isinstance(e, UsageError) else FAILED


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
