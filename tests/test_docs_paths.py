"""What README.md and docs/*.md cite exists: repository paths, `lecturelab <command>`s, `python -m` modules
and `lecturelab.module.name`s, and the targets (and #anchors) of their Markdown links.

Citations are read from inline code, fenced blocks and link targets, the places a reader copies from.
A path is a token starting with one of the repository's top-level folders (``lecturelab/``, ``scripts/``,
``docs/``, ``metrics/``, ``tests/``, ``data/samples/``) or ``conf/`` (the package's config folder,
``lecturelab/conf/``). Globs (``tests/test_lecture_*.py``) must match something; brace lists
(``{a,b}``) are expanded; placeholders (``<name>``, ``…``) are not checked. Outputs made at run time
(``outputs/``, ``models/best``, ``data/interim/``) are outside those folders and not checked.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest

from lecturelab.cli import build_parser
from tests.conftest import ROOT

PREFIXES = ("lecturelab/", "scripts/", "docs/", "metrics/", "tests/", "data/samples/", "conf/")
# a path token: a known prefix not glued to a longer path (`../shared/data/...`, `top/lecturelab/...`)
PATH = re.compile(r"(?<![\w./$~-])(?:" + "|".join(re.escape(p) for p in PREFIXES) + r")[\w./*{},-]*")
COMMAND = re.compile(r"(?<![\w./-])lecturelab ([a-z][\w-]*)")
MODULE = re.compile(r"python -m (lecturelab(?:\.\w+)+)")
DOTTED = re.compile(r"(?<![\w./-])lecturelab(?:\.\w+)+")
FILE_SUFFIXES = {"json", "yaml", "yml", "md", "txt", "html", "py", "toml"}   # `lecturelab.json` is a file name
# quoted in an error message about that very file being missing
NOT_PATHS = {"conf/model/bogus.yaml"}
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
INLINE = re.compile(r"(`+)(.+?)\1", re.S)
LINK = re.compile(r"\]\(([^)\s]+)\)")
PLACEHOLDER = ("<", "…", "...")


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def cited_code(text: str) -> list[str]:
    """The text of every fenced block and inline code span (the fences first, so their backticks do not
    open inline spans)."""
    blocks = FENCE.findall(text)
    return blocks + [m.group(2) for m in INLINE.finditer(FENCE.sub("", text))]


def expand_braces(path: str) -> list[str]:
    m = re.search(r"\{([^{}]*)\}", path)
    if not m:
        return [path]
    return [p for alt in m.group(1).split(",") for p in expand_braces(path[:m.start()] + alt + path[m.end():])]


def path_exists(path: str) -> bool:
    path = path.rstrip(".,:;")
    candidates = [path, "lecturelab/" + path] if path.startswith("conf/") else [path]
    for cand in candidates:
        if any(ch in cand for ch in "*?"):
            if any(ROOT.glob(cand.rstrip("/"))):
                return True
        elif (ROOT / cand).exists():
            return True
    return False


def cited_paths(text: str) -> set[str]:
    found = set()
    for code in cited_code(text):
        for token in PATH.findall(code):
            if any(p in token for p in PLACEHOLDER) or token in NOT_PATHS:
                continue
            found.update(expand_braces(token))
    return found


def module_file(dotted: str) -> Path | None:
    """The source file of a module of this repository, found on disk (nothing is imported)."""
    base = ROOT.joinpath(*dotted.split("."))
    for cand in (base.with_suffix(".py"), base / "__init__.py"):
        if cand.is_file():
            return cand
    return None


def top_level_names(source: Path, inside: str | None = None) -> set[str]:
    """Names a module defines or imports at top level (or a class of it defines, ``inside``)."""
    body = ast.parse(source.read_text(encoding="utf-8")).body
    if inside is not None:
        body = next((n.body for n in body if isinstance(n, ast.ClassDef) and n.name == inside), [])
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def dotted_exists(dotted: str) -> bool:
    """``lecturelab.a.b`` is a module, or a module's top-level name, or a method of one of its classes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        source = module_file(".".join(parts[:cut]))
        if source is None:
            continue
        rest = parts[cut:]
        if not rest:
            return True
        names = top_level_names(source)
        if rest[0] not in names:
            return False
        return len(rest) == 1 or rest[1] in top_level_names(source, rest[0]) or rest[0] not in {
            n.name for n in ast.parse(source.read_text(encoding="utf-8")).body if isinstance(n, ast.ClassDef)}
    return False


def cited_dotted(text: str) -> set[str]:
    return {d for code in cited_code(text) for d in DOTTED.findall(code)
            if d.rsplit(".", 1)[1] not in FILE_SUFFIXES}


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(doc: Path) -> set[str]:
    text = FENCE.sub("", doc.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*#*$", text, re.M)}


def subcommands() -> set[str]:
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return set(sub.choices)


DOCS = documents()
IDS = [str(d.relative_to(ROOT)) for d in DOCS]


@pytest.mark.parametrize("doc", DOCS, ids=IDS)
def test_cited_repository_paths_exist(doc):
    missing = sorted(p for p in cited_paths(doc.read_text(encoding="utf-8")) if not path_exists(p))
    assert not missing, f"{doc.name} cites paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=IDS)
def test_cited_lecturelab_commands_exist(doc):
    known = subcommands()
    cited = {c for code in cited_code(doc.read_text(encoding="utf-8")) for c in COMMAND.findall(code)}
    assert not cited - known, f"{doc.name} cites `lecturelab` commands that do not exist: {sorted(cited - known)}" \
                              f" (the CLI has {sorted(known)})"


@pytest.mark.parametrize("doc", DOCS, ids=IDS)
def test_cited_python_modules_and_names_exist(doc):
    text = doc.read_text(encoding="utf-8")
    modules = {m for code in cited_code(text) for m in MODULE.findall(code)}
    missing = sorted(m for m in modules if module_file(m) is None)
    assert not missing, f"{doc.name} cites `python -m` modules that do not exist: {missing}"
    missing = sorted(d for d in cited_dotted(text) if not dotted_exists(d))
    assert not missing, f"{doc.name} cites `lecturelab.…` names that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=IDS)
def test_markdown_links_resolve(doc):
    bad = []
    prose = INLINE.sub("", FENCE.sub("", doc.read_text(encoding="utf-8")))   # a link shown as code is an example
    for target in LINK.findall(prose):
        if re.match(r"[a-z][\w+.-]*:", target):   # http:, https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        if not dest.exists():
            bad.append(f"{target} (no such file)")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            bad.append(f"{target} (no heading with this anchor in {dest.name})")
    assert not bad, f"{doc.name} has broken links: {bad}"


# The checks themselves, on hand-made text: each must find what it is for.
def test_the_checks_see_a_wrong_path_command_module_and_anchor(tmp_path):
    text = ("Run `lecturelab procss x.mp4` or `python -m lecturelab.nope`; see `lecturelab/quiz/lecture.py`,\n"
            "```bash\npython scripts/no_such_script.py --out metrics/{test,nope}.json\n```\n"
            "and `../shared/data/inspec/train.txt`, `outputs/lectures/<name>/`, `conf/quiz/rules.yaml`.\n")
    paths = cited_paths(text)
    assert {"lecturelab/quiz/lecture.py", "scripts/no_such_script.py", "metrics/test.json",
            "metrics/nope.json", "conf/quiz/rules.yaml"} <= paths
    assert not any(p.startswith(("data/inspec", "outputs")) for p in paths)
    assert {p for p in paths if not path_exists(p)} == {"lecturelab/quiz/lecture.py", "scripts/no_such_script.py",
                                                        "metrics/nope.json"}
    assert {c for code in cited_code(text) for c in COMMAND.findall(code)} - subcommands() == {"procss"}
    assert [m for code in cited_code(text) for m in MODULE.findall(code)] == ["lecturelab.nope"]
    assert module_file("lecturelab.nope") is None and module_file("lecturelab.quiz.vocab") is not None
    assert dotted_exists("lecturelab.config.split_args") and not dotted_exists("lecturelab.cli.split_args")
    assert dotted_exists("lecturelab.models.tagger.KeyphraseTagger.load")
    assert not dotted_exists("lecturelab.models.tagger.KeyphraseTagger.nope")
    assert cited_dotted("`lecturelab.json` and `lecturelab.cli.split_args`") == {"lecturelab.cli.split_args"}
    doc = tmp_path / "a.md"
    doc.write_text("# Quality on real recordings\n\n## `quiz.json` (schema_version 1)\n")
    assert anchors(doc) == {"quality-on-real-recordings", "quizjson-schema_version-1"}
