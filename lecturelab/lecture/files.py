"""Placing the media beside the HTML page (atomic writes are `lecturelab.io`'s)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from lecturelab.io import create_beside, temp_file_beside, utf8_text


def place_media(src: Path, out_dir: Path, mode: str, copy_max_mb: float = 200.0) -> str | None:
    """Put the media next to the page so its player can seek: ``copy``, ``link`` (symlink), ``auto``
    (copy up to ``copy_max_mb``, link above) or ``none``. Returns the file name, or None."""
    if mode == "none":
        return None
    if mode not in ("copy", "link", "auto"):
        raise ValueError(f"media={mode!r}: use copy, link, auto or none")
    suffix = src.suffix.lower()
    dest = out_dir / f"media{suffix if utf8_text(suffix) == suffix else ''}"   # its name goes into JSON and HTML
    if mode == "auto":
        mode = "copy" if src.stat().st_size <= copy_max_mb * 1e6 else "link"
    # a temp name of its own, so two copies into one folder never write the same file
    if mode == "copy":
        tmp = temp_file_beside(dest)
        try:
            shutil.copyfile(src, tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    else:
        target = src.resolve()
        tmp = create_beside(dest, dest.suffix or ".tmp", lambda p: os.symlink(target, p))
    os.replace(tmp, dest)
    return dest.name
