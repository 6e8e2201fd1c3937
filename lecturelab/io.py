"""Atomic file writes: a reader never sees a half-written file or folder.

A temp file or folder is written beside its target and renamed over it. Temp names are hidden
(``.<name>.<8 hex><suffix>``), shortened so that they fit the file system's name limit whatever the
target's length, and created with a plain ``os.open`` / ``os.mkdir``, so what is published has the mode
the user's umask gives any new file or folder (not the 0600 / 0700 of ``tempfile.mkstemp`` /
``mkdtemp``): a web server or a service under another account can read it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

# bytes a hidden temp name adds to its target's name: "." + "." + 8 hex + ".tmp"
TEMP_NAME_EXTRA = 14


def utf8_text(text: str) -> str:
    """``text`` with every byte that is not UTF-8 (kept by Python as a lone surrogate, e.g. from a file name
    made on a Latin-1 system) replaced by U+FFFD, so it can be written to JSON, HTML or any export."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _name_max(folder: Path) -> int:
    """The longest file name, in bytes, that ``folder``'s file system takes (255 on ext4, XFS, tmpfs)."""
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def fit_name(name: str, max_bytes: int) -> str:
    """``name`` cut at a character boundary to at most ``max_bytes`` bytes as the file system stores it."""
    while len(os.fsencode(name)) > max_bytes:
        name = name[:-1]
    return name


def create_beside(path: Path, suffix: str, create: Callable[[Path], None]) -> Path:
    """Call ``create(tmp)`` on a new hidden name ``.<name>.<8 hex><suffix>`` in ``path``'s folder (the name
    cut so that it fits the file system), trying another name while ``create`` raises FileExistsError.
    Unique across threads and processes writing into one folder."""
    stem = fit_name(path.name, _name_max(path.parent) - 2 - 8 - len(os.fsencode(suffix)))
    while True:
        tmp = path.with_name(f".{stem}.{secrets.token_hex(4)}{suffix}")
        try:
            create(tmp)
            return tmp
        except FileExistsError:
            continue


def _new_file(tmp: Path) -> None:
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))   # umask applies, as for open()


def temp_file_beside(path: str | Path) -> Path:
    """A new empty hidden file beside ``path`` (same suffix), with the mode ``open(path, "w")`` would give."""
    path = Path(path)
    return create_beside(path, path.suffix or ".tmp", _new_file)


def temp_dir_beside(path: str | Path) -> Path:
    """A new hidden folder beside ``path``, with the mode ``os.mkdir(path)`` would give."""
    path = Path(path)
    return create_beside(path, ".tmp", os.mkdir)


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temp path beside ``path`` (same suffix), then rename it over ``path``.
    The file gets the mode a new file gets under the user's umask."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_file_beside(path)
    try:
        mode = tmp.stat().st_mode
        write(tmp)
        os.chmod(tmp, mode)   # in case ``write`` replaced the file (np.save, a library's save)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes, read in ``chunk``-byte pieces (constant memory for large media)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def write_bytes(path: str | Path, data: bytes) -> Path:
    return atomic_write(path, lambda p: p.write_bytes(data))


def write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to a temp file beside ``path`` and rename it into place."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_json(path: str | Path, obj, indent: int | None = 2) -> Path:
    return write_text(path, json.dumps(obj, indent=indent, ensure_ascii=False) + "\n")


def write_jsonl(path: str | Path, rows) -> Path:
    return write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def read_jsonl(path: str | Path) -> list[dict]:
    """One JSON value per non-blank line; a bad line raises ValueError ``path:line: what is wrong``."""
    rows = []
    with open(path, "rb") as f:
        for n, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8")
                if line.strip():
                    rows.append(json.loads(line))
            except UnicodeDecodeError as e:
                raise ValueError(f"{path}:{n}: byte 0x{raw[e.start]:02x} at column {e.start + 1} is not UTF-8") from None
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not JSON ({e.msg} at column {e.colno})") from None
    return rows


@contextmanager
def atomic_dir(path: str | Path):
    """Yield a temp folder beside ``path``; on success it replaces ``path`` whole, on error it is removed.

    The folder gets the mode a plain ``mkdir`` gives under the user's umask, also when the body copied
    another folder's mode onto it (``shutil.copytree`` does).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_dir_beside(path)
    mode = tmp.stat().st_mode
    try:
        yield tmp
        os.chmod(tmp, mode)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    try:
        if path.exists():
            old = create_beside(path, ".old", os.mkdir)
            os.replace(path, old)   # over the empty folder just made
        os.replace(tmp, path)
    except BaseException:
        if old is not None and not path.exists():
            os.replace(old, path)   # the earlier outputs back in place
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
