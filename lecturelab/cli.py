"""`lecturelab` console script: one entry point, a sub-command per job.

    lecturelab process lecture.mp4 [more files or folders] [key=value ...] [-v]
    lecturelab quiz outputs/lectures/<name>/ [quiz.num_questions=10 ...] [-v]
    lecturelab apply outputs/lectures/<name>/ edits.json   # a teacher's corrections from review.html
    lecturelab course outputs/lectures       # course/index.html over the processed lectures in a folder
    lecturelab train [key=value ...] [-m hparams_search=keyphrase_optuna]   # Hydra app, a run folder each
    lecturelab stage prepare|build_records|train|evaluate [--params params.yaml]   # what `dvc repro` runs
    lecturelab submit vertex [key=value ...] [--dry-run]   # a Vertex AI CustomJob running `lecturelab train`
    lecturelab promote <run dir> [...]      # copy a run's best checkpoint to models/best
    lecturelab compare <dir> [...]          # table + plot of training runs
    lecturelab evaluate <checkpoint> <bio file> [--out report.json]   # any checkpoint on any BIO file

Every command parses its arguments with argparse (`lecturelab <command> -h`) except `train`, which takes
Hydra's override syntax; an argument that names an existing file or folder is a path, ``key=value`` is an
override when ``key`` is a key or group of the command's config (`lecturelab.config.split_args`).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from lecturelab.errors import EXIT_CODES, INTERRUPTED, USAGE

# command -> (module with main(argv) -> int, help); imported only when chosen, so `--help` stays fast
COMMANDS = {
    "process": ("lecturelab.lecture.cli", "transcribe lectures, highlight keyphrases, write a quiz"),
    "quiz": ("lecturelab.quiz.cli", "regenerate the quiz of a processed lecture"),
    "apply": ("lecturelab.lecture.apply", "apply a teacher's edits.json (from review.html) and regenerate the outputs"),
    "course": ("lecturelab.lecture.course", "an offline course site (chapters, concept index, search) over lectures"),
    "train": ("lecturelab.train_app", "train the keyphrase tagger in a Hydra run folder (sweeps: -m)"),
    "stage": ("lecturelab.stages", "run one DVC pipeline stage on params.yaml (what `dvc repro` runs)"),
    "submit": ("lecturelab.submit", "train on Vertex AI: build (--dry-run: print) and submit a CustomJob"),
    "promote": ("lecturelab.training.promote", "copy a run's best checkpoint to models/best"),
    "compare": ("lecturelab.training.compare", "compare training runs side by side"),
    "evaluate": ("lecturelab.evaluation.cli", "score a checkpoint on any BIO file (seqeval, F1@k/@M, YAKE)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lecturelab", description=__doc__.split("\n\n")[0], epilog=EXIT_CODES)
    sub = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for name, (_, help_) in COMMANDS.items():
        # the command's own argparse parser reads the rest (`lecturelab <command> -h`)
        sub.add_parser(name, help=help_, add_help=False)
    return parser


def usage() -> str:
    return build_parser().format_help()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd not in COMMANDS:
        print(f"lecturelab: unknown command '{cmd}' (choose from {', '.join(COMMANDS)})\n\n{usage()}",
              file=sys.stderr)
        return USAGE
    try:
        module = importlib.import_module(COMMANDS[cmd][0])
        if cmd == "train":   # a Hydra app reads sys.argv itself
            sys.argv = ["lecturelab train", *rest]
            module.main()
            return 0
        return int(module.main(rest) or 0)
    except KeyboardInterrupt:   # one line, not a traceback; outputs are written atomically
        print(f"\nlecturelab {cmd}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except SystemExit as e:     # argparse's usage errors (2) and Hydra's exits pass through as codes
        return e.code if isinstance(e.code, int) else (USAGE if e.code else 0)


if __name__ == "__main__":
    sys.exit(main())
