"""The one command runner: the same failure gives the same exit code and one line in every command."""

from __future__ import annotations

import pytest

from lecturelab.command import UsageError, checking_config, run_command
from lecturelab.errors import FAILED, INTERRUPTED, OK, USAGE, LectureError


def raising(e: BaseException):
    def body():
        raise e
    return body


@pytest.mark.parametrize(("error", "code"), [
    (UsageError("quiz.types: unknown type ['essay']"), USAGE),
    (LectureError("talk/transcript.json: not found"), FAILED),
    (OSError("disk full"), FAILED),
    (ValueError("bad value\nsecond line"), FAILED),
])
def test_an_error_is_one_line_and_its_code(error, code, capsys):
    assert run_command("lecturelab x", raising(error)) == code
    err = capsys.readouterr().err
    assert err == f"error: {str(error).splitlines()[0]}\n"


def test_an_error_while_checking_the_config_is_a_usage_error(capsys):
    def body():
        with checking_config():
            raise ValueError("transcriber.chunk_seconds=0: a number of seconds >= 30")
    assert run_command("lecturelab x", body) == USAGE
    assert capsys.readouterr().err == "error: transcriber.chunk_seconds=0: a number of seconds >= 30\n"


def test_verbose_adds_the_traceback_and_interrupt_is_130(capsys):
    assert run_command("lecturelab x", raising(LectureError("gone")), verbose=True) == FAILED
    err = capsys.readouterr().err
    assert "Traceback" in err and err.endswith("error: gone\n")
    assert run_command("lecturelab x", raising(KeyboardInterrupt())) == INTERRUPTED
    assert capsys.readouterr().err == "\nlecturelab x: interrupted\n"
    assert run_command("lecturelab x", lambda: None) == OK
