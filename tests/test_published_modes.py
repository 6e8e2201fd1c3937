"""What lecturelab publishes (data/interim, data/processed, models/best and `promote` targets, the course
site, lecture folders, single files) has the mode a plain mkdir / open gives under the user's umask, and
another account can read it. The reader is `nobody`, run by root (the test is skipped otherwise)."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from lecturelab.io import atomic_dir, write_text
from lecturelab.lecture.course import build_course
from lecturelab.models.tagger import META_FILE
from lecturelab.training.promote import promote
from tests.conftest import compose_cfg, tmp_paths
from tests.course_fixtures import fake_lecture

as_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                             reason="reading as another user needs root to switch to `nobody`")


@pytest.fixture
def shared():
    """A folder every account can enter (pytest's own tmp folders are 0700), removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="lecturelab-modes-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def umask():
    """Run the test under umask 022 (the usual one), whatever the caller's was."""
    old = os.umask(0o022)
    yield 0o022
    os.umask(old)


def modes_below(folder: Path) -> dict[str, int]:
    """``relative path -> permission bits`` of ``folder`` and everything in it (links not followed)."""
    return {str(p.relative_to(folder)): stat.S_IMODE(p.lstat().st_mode)
            for p in [folder, *folder.rglob("*")] if not p.is_symlink()}


def assert_plain_modes(folder: Path, mask: int) -> None:
    wanted = {"dir": 0o777 & ~mask, "file": 0o666 & ~mask}
    for rel, mode in modes_below(folder).items():
        kind = "dir" if (folder / rel).is_dir() else "file"
        assert mode == wanted[kind], f"{folder / rel}: mode {mode:o}, a plain {kind} gets {wanted[kind]:o}"


def read_as_nobody(folder: Path) -> subprocess.CompletedProcess:
    """List ``folder`` recursively and read every file in it as `nobody`."""
    return subprocess.run(["sh", "-c", 'ls -R "$1" >/dev/null && find "$1" -type f -exec cat {} + >/dev/null',
                           "sh", str(folder)], user="nobody", group="nogroup" if _has_group("nogroup") else None,
                          extra_groups=[], capture_output=True, text=True, check=False)


def _has_group(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def fake_run(root: Path, name: str, f1: float) -> Path:
    """A finished run folder as `lecturelab train` leaves it, with a best/ checkpoint only its owner can read."""
    run = root / name
    (run / ".hydra").mkdir(parents=True)
    (run / ".hydra" / "config.yaml").write_text(yaml.safe_dump({"model": {"name": "tiny"}, "seed": 1}))
    (run / "train.json").write_text(json.dumps({"val/f1": f1, "val/f1_at_m": f1, "epochs_run": 1}))
    best = run / "best"
    (best / "model").mkdir(parents=True)
    (best / META_FILE).write_text(json.dumps({"model": "tiny"}))
    (best / "model" / "weights.bin").write_bytes(b"\0" * 64)
    best.chmod(0o700)   # as mkdtemp left it in a run made before the fix: the copy must not inherit it
    return run


def test_atomic_dir_and_file_follow_the_umask(tmp_path):
    for mask in (0o022, 0o027, 0o077):
        old = os.umask(mask)
        try:
            with atomic_dir(tmp_path / f"site{mask:o}") as tmp:
                (tmp / "page.html").write_text("<p>hi</p>")
            write_text(tmp_path / f"site{mask:o}" / "extra.json", "{}\n")
        finally:
            os.umask(old)
        assert_plain_modes(tmp_path / f"site{mask:o}", mask)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "a temp folder was left behind"


@as_root
def test_course_site_and_promoted_checkpoint_are_readable_by_another_user(shared, umask):
    lectures = shared / "lectures"
    fake_lecture(lectures, "week1", ["Gradient descent minimises a loss."], ["gradient descent"])
    index, _ = build_course(lectures)
    to = shared / "models" / "best"
    run = fake_run(shared / "multirun", "0", 0.5)
    promote({"path": run, "metrics": {"val/f1": 0.5}}, to, "val/f1")
    for folder in (index.parent, lectures / "week1", to):
        assert_plain_modes(folder, umask)
        result = read_as_nobody(folder)
        assert result.returncode == 0, f"{folder}: {result.stderr.strip()}"
    # the check can fail: the run's own best/ is still 0700 and `nobody` is refused there
    assert read_as_nobody(run / "best").returncode != 0


@as_root
def test_prepared_data_and_records_are_readable_by_another_user(shared, umask):
    from lecturelab.data.prepare import prepare
    from lecturelab.data.records import build_records

    cfg = compose_cfg(["debug=fast", "data.max_docs=null", *tmp_paths(shared)])
    prepare(cfg)
    build_records(cfg)
    for folder in (Path(cfg.paths.interim_dir), Path(cfg.paths.processed_dir)):
        assert any(folder.iterdir())
        assert_plain_modes(folder, umask)
        result = read_as_nobody(folder)
        assert result.returncode == 0, f"{folder}: {result.stderr.strip()}"

