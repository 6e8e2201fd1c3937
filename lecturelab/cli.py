"""`lecturelab` console script: one entry point, a sub-command per job.

    lecturelab process lecture.mp4 [more files or folders] [key=value ...]
    lecturelab quiz outputs/lectures/<name>/ [quiz.num_questions=10 ...]
    lecturelab promote <run dir>        # copy a run's best checkpoint to models/best
    lecturelab compare <dir> [...]      # table + plot of training runs
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

# Hydra override keys: `a.b=`, `+a=`, `++a.b=`, `~a`, `group/sub=`, `a@pkg=`
_OVERRIDE = re.compile(r"^(?:\+\+|\+|~)?([A-Za-z_][\w\-]*)(?:[./@][\w\-./@]*)?(?:=|$)")


def split_args(argv: list[str], config_keys) -> tuple[list[str], list[str], bool]:
    """(paths, Hydra overrides, verbose): the one rule every ``lecturelab`` command uses.

    An argument that names an existing file or folder is a path, whatever characters it holds
    (``week1=intro,part2.wav``). Otherwise ``key=value`` (and ``+key=``, ``~key``) is an override
    when its first key segment is a key or group of the command's config (``config_keys``);
    anything else is a path, so a missing ``x=y.mp4`` is reported as "no such file", not as a bad
    override. ``-v`` / ``--verbose`` set verbose.
    """
    paths, overrides, verbose = [], [], False
    keys = set(config_keys)
    for a in argv:
        if a in ("-v", "--verbose"):
            verbose = True
            continue
        m = _OVERRIDE.match(a)
        if Path(a).exists() or m is None or m.group(1) not in keys or ("=" not in a and not a.startswith("~")):
            paths.append(a)
        else:
            overrides.append(a)
    return paths, overrides, verbose


def config_keys(config_dir: str | Path, config_name: str) -> set[str]:
    """Top-level keys and config groups of a Hydra root config (what an override may start with)."""
    config_dir = Path(config_dir)
    groups = {p.name for p in config_dir.iterdir() if p.is_dir()}
    from omegaconf import OmegaConf

    root = OmegaConf.load(config_dir / f"{config_name}.yaml")
    return groups | {str(k) for k in root if k != "defaults"} | {"hydra"}

COMMANDS = {
    "process": ("lecturelab.lecture.cli", "Transcribe lectures, highlight keyphrases, write a quiz"),
    "quiz": ("lecturelab.quiz.cli", "Regenerate the quiz of a processed lecture"),
    "promote": ("lecturelab.training.promote", "Copy a run's best checkpoint to models/best"),
    "compare": ("lecturelab.training.compare", "Compare training runs side by side"),
}


def usage() -> str:
    lines = ["usage: lecturelab <command> [args]", "", "commands:"]
    lines += [f"  {name:<9} {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd not in COMMANDS:
        print(f"lecturelab: unknown command '{cmd}'\n\n{usage()}", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(COMMANDS[cmd][0])
        return int(module.main(rest) or 0)
    except KeyboardInterrupt:   # one line, not a traceback; outputs are written atomically
        print(f"\nlecturelab {cmd}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
