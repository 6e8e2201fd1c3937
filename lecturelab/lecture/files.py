"""Placing the media beside the HTML page (atomic writes are `lecturelab.io`'s)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


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
