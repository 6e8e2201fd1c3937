"""DVC stage `inspec_lectures` (data/dvc.yaml): the union of two BIO folders, split by split.

``paths.inspec_lectures_dir/{train,valid,test}.txt`` = Inspec's file followed by the lectures' (documents are
separated by blank lines, so concatenating keeps every document whole). Training on it sees both domains;
its test split is both test sets together (score each one alone with data=inspec or data=lectures).
"""

from __future__ import annotations

from pathlib import Path

from lecturelab.io import atomic_dir

FILES = ("train.txt", "valid.txt", "test.txt")


def union_bio(folders: list[Path], out: Path) -> dict[str, int]:
    """Concatenate ``{train,valid,test}.txt`` of ``folders`` (in order) into ``out``; returns documents per
    file. ``out`` is replaced whole (`lecturelab.io.atomic_dir`). Raises FileNotFoundError naming a missing
    file."""
    for folder in folders:
        for name in FILES:
            if not (Path(folder) / name).is_file():
                raise FileNotFoundError(f"{Path(folder) / name} not found (the union needs {', '.join(FILES)} "
                                        f"in each of {', '.join(map(str, folders))})")
    counts = {}
    with atomic_dir(out) as tmp:
        for name in FILES:
            parts = [(Path(f) / name).read_text(encoding="utf-8").strip("\n") for f in folders]
            text = "\n\n".join(p for p in parts if p) + "\n"
            (tmp / name).write_text(text, encoding="utf-8")
            counts[name] = sum(1 for block in text.split("\n\n") if block.strip())
    return counts


def build_union(cfg) -> dict[str, int]:
    """Stage function: `union_bio` of ``paths.inspec_dir`` and ``paths.lectures_dir`` into
    ``paths.inspec_lectures_dir``."""
    return union_bio([Path(cfg.paths.inspec_dir), Path(cfg.paths.lectures_dir)], Path(cfg.paths.inspec_lectures_dir))
