"""Exit codes every ``lecturelab`` command shares (the DVC stage entry too), and the one-line message.

    0    all done
    1    some inputs failed (a missing or unreadable file, a damaged lecture); the others were written
    2    usage or config error (a bad argument, override, config key or value); nothing was started
    130  interrupted (Ctrl-C, SIGTERM); outputs already written stay whole (atomic writes)
"""

from __future__ import annotations

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130

EXIT_CODES = ("exit codes: 0 all done; 1 some inputs failed; 2 usage or config error; "
              "130 interrupted (finished outputs are kept)")


class LectureError(ValueError):
    """A lecture that cannot be processed (a media file) or read (a processed lecture folder); ``str`` is
    one line naming the file and the reason. An input failure: exit code 1 (`FAILED`)."""


def one_line(e: BaseException) -> str:
    """The first line of an exception's message (its type name if the message is empty)."""
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
