"""Rewrite the code deps of each stage in dvc.yaml: the files under lecturelab/ its command imports.

    python scripts/sync_dvc_deps.py         # after adding or moving an import of a stage module

A stage's command is ``python -m lecturelab.stages <stage>``, which imports `lecturelab.stages` and then
the stage's own module (`lecturelab.stages.STAGES`); the deps are the union of their import closures
(imports anywhere in a file, inside functions too, and each package's ``__init__.py`` on the way), so
editing a module a stage never runs does not invalidate it. tests/test_dvc_contract.py checks it.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout

from lecturelab.stages import DVC_FILES, STAGES  # noqa: E402


def _module_file(name: str) -> Path | None:
    """lecturelab.a.b -> lecturelab/a/b.py or lecturelab/a/b/__init__.py (None outside lecturelab)."""
    if name != "lecturelab" and not name.startswith("lecturelab."):
        return None
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imports(path: Path) -> set[str]:
    """Modules ``path`` imports anywhere (top level and inside functions), as absolute dotted names."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}   # `from pkg import module`
    return out


def import_closure(module: str) -> set[str]:
    """Files under lecturelab/ that running ``module`` executes: its imports, transitively, with the
    ``__init__.py`` of every package on the way (relative to the repository root)."""
    todo, seen = [module], set()
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):   # parent packages run their __init__ first
            path = _module_file(".".join(parts[:i]))
            if path is None or path in seen:
                continue
            seen.add(path)
            todo += sorted(_imports(path))
    return {str(p.relative_to(ROOT)) for p in seen}


def stage_deps(stage: str) -> list[str]:
    """Sorted files under lecturelab/ that ``python -m lecturelab.stages <stage>`` imports."""
    return sorted(import_closure("lecturelab.stages") | import_closure(STAGES[stage][0]))


def main() -> int:
    for name in sorted(set(DVC_FILES.values())):
        path = ROOT / name
        text = path.read_text()
        for stage in (s for s in STAGES if DVC_FILES[s] == name):
            # the stage's `deps:` block: replace its lecturelab/*.py lines, keep the data deps after them
            pattern = re.compile(rf"(\n  {stage}:\n(?:    .*\n)*?    deps:\n)((?:      - lecturelab/.*\.py\n)*)")
            new = "".join(f"      - {d}\n" for d in stage_deps(stage))
            text, n = pattern.subn(lambda m, new=new: m.group(1) + new, text, count=1)
            if n != 1:
                raise SystemExit(f"{name}: no deps block found for stage {stage}")
        path.write_text(text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
