"""`lecturelab quiz <lecture folder> [quiz.key=value ...] [--verbose]`: regenerate a lecture's quiz.

    lecturelab quiz outputs/lectures/intro/ quiz.num_questions=5 quiz.types=[mcq,tf] quiz.seed=3
    lecturelab quiz outputs/lectures/intro/ quiz=llm quiz.url=http://localhost:8080/v1

The config is conf/quiz_app.yaml (``quiz: rules`` by default) composed with Hydra, plus the overrides.
Errors print one line naming the folder, file or config key and the reason; ``--verbose`` adds the
traceback. Exit codes as every command (`lecturelab.errors`): 0 written, 1 the lecture folder could not
be read or the quiz not written, 2 usage or config error (found before the folder is read).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from pathlib import Path

from lecturelab.config import compose as compose_config
from lecturelab.config import config_keys, split_args
from lecturelab.errors import FAILED, OK, USAGE, one_line
from lecturelab.quiz.make import write_quiz
from lecturelab.quiz.schema import Settings

WARN_LOGGERS = ("lecturelab.models.onnx", "lecturelab.models.embed")
USAGE_LINE = "usage: lecturelab quiz <lecture folder> [quiz.num_questions=N quiz.types=[mcq,tf] quiz.seed=S ...] [--verbose]"


def compose(overrides: list[str]):
    """The quiz_app config with ``overrides`` applied (Hydra override syntax)."""
    return compose_config("quiz_app", overrides)


def _error(e: Exception, folder: Path, verbose: bool, code: int) -> int:
    """Print ``e`` as one line (naming ``folder`` unless the message does), the traceback if ``verbose``;
    return ``code``."""
    if verbose:
        traceback.print_exc()
    msg = one_line(e)
    where = "" if str(folder) in msg else f"{folder}: "
    print(f"lecturelab quiz: {where}{msg}", file=sys.stderr)
    return code


def main(argv: list[str]) -> int:
    """Run the command; return the exit code."""
    verbose = "--verbose" in argv or "-v" in argv
    args = [a for a in argv if a not in ("--verbose", "-v")]
    if not args or args[0] in ("-h", "--help"):
        print(USAGE_LINE)
        return OK if args else USAGE
    folders, overrides, _ = split_args(args, config_keys("quiz_app"))
    if len(folders) != 1:
        print(f"lecturelab quiz: give exactly one lecture folder, got {folders or 'none'}\n{USAGE_LINE}", file=sys.stderr)
        return USAGE
    folder = Path(folders[0])
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(message)s")
    # the generator's warnings repeat the notes printed below; a model that fell back from ONNX Runtime to
    # TensorFlow or a damaged embedding cache is shown even without --verbose
    for name in WARN_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    try:   # the config first: a bad override or setting is a usage error (2), whatever the folder holds
        cfg = compose(overrides)
        if cfg.quiz.name == "none":
            print("quiz=none: nothing to write")
            return OK
        Settings.from_cfg(cfg.quiz)
    except Exception as e:  # noqa: BLE001  (Hydra's and the schema's errors are one readable line)
        return _error(e, folder, verbose, USAGE)
    try:
        paths = write_quiz(folder, cfg.quiz)
    except Exception as e:  # noqa: BLE001  (one readable line for the user; the traceback on request)
        return _error(e, folder, verbose, FAILED)
    quiz = json.loads(paths[0].read_text(encoding="utf-8"))
    for note in quiz["notes"]:
        print(f"note: {note}", file=sys.stderr)
    gen = quiz["generator"]["name"] + (", fell back to rules" if quiz["generator"].get("fallback") else "")
    print(f"{len(quiz['questions'])} questions ({gen}) -> " + ", ".join(str(p) for p in paths))
    return OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
