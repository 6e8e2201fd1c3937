"""`lecturelab` console script: one entry point, a sub-command per job.

    lecturelab process lecture.mp4 [more files or folders] [key=value ...]
    lecturelab quiz outputs/lectures/<name>/ [quiz.num_questions=10 ...]
    lecturelab promote <run dir>        # copy a run's best checkpoint to models/best
    lecturelab compare <dir> [...]      # table + plot of training runs
"""

from __future__ import annotations

import importlib
import sys

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
    module = importlib.import_module(COMMANDS[cmd][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
