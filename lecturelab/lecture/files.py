"""Atomic writes and placing the media beside the HTML page."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write to a temp file in the same folder, then ``os.replace``: readers never see half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def place_media(src: Path, out_dir: Path, mode: str, copy_max_mb: float = 200.0) -> str | None:
    """Put the media next to the page so its player can seek: ``copy``, ``link`` (symlink), ``auto``
    (copy up to ``copy_max_mb``, link above) or ``none``. Returns the file name, or None."""
    if mode == "none":
        return None
    if mode not in ("copy", "link", "auto"):
        raise ValueError(f"media={mode!r}: use copy, link, auto or none")
    dest = out_dir / f"media{src.suffix.lower()}"
    if mode == "auto":
        mode = "copy" if src.stat().st_size <= copy_max_mb * 1e6 else "link"
    tmp = out_dir / f".{dest.name}.tmp"
    tmp.unlink(missing_ok=True)
    if mode == "copy":
        shutil.copyfile(src, tmp)
    else:
        os.symlink(src.resolve(), tmp)
    os.replace(tmp, dest)
    return dest.name
