"""`lecturelab quiz <lecture folder> [quiz.key=value ...] [--verbose]`: regenerate a lecture's quiz.

    lecturelab quiz outputs/lectures/intro/ quiz.num_questions=5 quiz.types=[mcq,tf] quiz.seed=3
    lecturelab quiz outputs/lectures/intro/ quiz=llm quiz.url=http://localhost:8080/v1

The config is conf/quiz_app.yaml (``quiz: rules`` by default) composed with Hydra, plus the overrides.
A quiz a teacher reviewed (``lecturelab apply`` kept ``quiz.orig.json``, or its ``edits.applied.json`` edits
questions) or a quiz file edited by hand is never replaced: the command stops before any work with one
line naming them. The fresh quiz files replace the old ones once all are made, and their hashes go into
``outputs.sha256``, so they do not read as hand edits. Errors print one line naming the folder, file or
config key and the reason; ``--verbose`` adds the traceback. Exit codes as every command
(`lecturelab.errors`): 0 written, 1 the lecture folder could not be read, holds a person's work on the
quiz, or the quiz was not written, 2 usage or config error (found before the folder is read).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from lecturelab.command import UsageError, checking_config, parse_command, run_command
from lecturelab.config import compose as compose_config
from lecturelab.config import config_keys, split_args
from lecturelab.errors import EXIT_CODES, OK, LectureError, one_line
from lecturelab.quiz.make import rewrite_quiz
from lecturelab.quiz.schema import Settings

WARN_LOGGERS = ("lecturelab.models.onnx", "lecturelab.models.embed")


def compose(overrides: list[str]):
    """The quiz_app config with ``overrides`` applied (Hydra override syntax)."""
    return compose_config("quiz_app", overrides)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="lecturelab quiz", description=__doc__.strip().splitlines()[0],
                                epilog=EXIT_CODES)
    p.add_argument("args", nargs="*", metavar="FOLDER|key=value",
                   help="the lecture folder (from `lecturelab process`) and overrides of lecturelab/conf/quiz_app.yaml")
    p.add_argument("-v", "--verbose", action="store_true", help="tracebacks and library logs")
    return p


def write(folder: Path, overrides: list[str]) -> int:
    """Check the config, then write the quiz of ``folder``; print the notes and one summary line."""
    with checking_config():   # a bad override or setting is a usage error (2), whatever the folder holds
        cfg = compose(overrides)
        if cfg.quiz.name == "none":
            print("quiz=none: nothing to write")
            return OK
        Settings.from_cfg(cfg.quiz)
    try:
        paths = rewrite_quiz(folder, cfg.quiz)   # refuses to replace a person's work on the quiz
    except Exception as e:  # noqa: BLE001 - the one line names the folder
        if str(folder) in one_line(e):
            raise
        raise LectureError(f"{folder}: {one_line(e)}") from e
    quiz = json.loads(paths[0].read_text(encoding="utf-8"))
    for note in quiz["notes"]:
        print(f"note: {note}", file=sys.stderr)
    gen = quiz["generator"]["name"] + (", fell back to rules" if quiz["generator"].get("fallback") else "")
    print(f"{len(quiz['questions'])} questions ({gen}) -> " + ", ".join(str(p) for p in paths))
    return OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lecturelab quiz``; returns the exit code (`lecturelab.errors`)."""
    args = parse_command(parser(), argv)
    if isinstance(args, int):
        return args
    folders, overrides, verbose = split_args(args.args, config_keys("quiz_app"))
    verbose = verbose or args.verbose
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(message)s")
    # the generator's warnings repeat the notes printed below; a model that fell back from ONNX Runtime to
    # TensorFlow or a damaged embedding cache is shown even without --verbose
    for name in WARN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)

    def run() -> int:
        if len(folders) != 1:
            raise UsageError(f"give exactly one lecture folder, got {folders or 'none'}")
        return write(Path(folders[0]), overrides)

    return run_command("lecturelab quiz", run, verbose)


if __name__ == "__main__":
    sys.exit(main())
