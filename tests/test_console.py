"""A quiet console: TensorFlow's C++ start-up lines are filtered at the file-descriptor level, nothing else."""

from __future__ import annotations

import os
import subprocess
import sys

from lecturelab.console import filtered_stderr


def test_filtered_stderr_drops_c_log_lines_and_keeps_the_rest(capfd, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    with filtered_stderr():
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n")
        os.write(2, b"I0000 00:00:1795961968.382875   12523 port.cc:153] oneDNN custom operations are on.\n")
        os.write(2, b"E0000 00:00:1795957011.070785   30772 cuda_platform.cc:52] failed call to cuInit\n")
        os.write(2, b"warning: lecture.mp4: file ends early\n")
        print("note: said from Python", file=sys.stderr)
    err = capfd.readouterr().err
    # (under pytest, Python's sys.stderr is not file descriptor 2, so only the set of lines is compared)
    assert sorted(err.splitlines()) == ["note: said from Python", "warning: lecture.mp4: file ends early"]


def test_verbose_shows_everything(capfd, monkeypatch):
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    with filtered_stderr():
        os.write(2, b"I0000 00:00:1.0   1 port.cc:153] oneDNN custom operations are on.\n")
    assert "port.cc:153" in capfd.readouterr().err


def test_importing_tensorflow_prints_no_c_log_lines():
    code = ("from lecturelab.console import quiet_libraries, import_tensorflow; quiet_libraries(); "
            "tf = import_tensorflow(); print(tf.__name__)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "tensorflow"
    assert "absl::InitializeLog" not in proc.stderr and "I0000" not in proc.stderr and "E0000" not in proc.stderr
