"""DVC stage entry point: `python -m lecturelab.stages <stage> [--params params.yaml]` (also
`lecturelab stage <stage>`).

DVC composes params.yaml from lecturelab/conf/ (Hydra composition); each stage gets only the keys
dvc.yaml declares for it (`STAGE_PARAMS`) and calls the same plain function the tests and
`lecturelab train` call.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from lecturelab.config import ConfigError, validate
from lecturelab.console import import_tensorflow, quiet_libraries
from lecturelab.errors import EXIT_CODES, FAILED, INTERRUPTED, OK, USAGE, one_line

# The DVC contract: what each stage reads from params.yaml, exactly its `params:` in dvc.yaml
# (tests/test_dvc_contract.py compares the two). `run_stage` hands the stage function a read-only,
# struct-mode config holding only these keys, so reading an undeclared key fails at once.
STAGE_PARAMS: dict[str, tuple[str, ...]] = {
    "prepare": ("data.source", "data.hub_name", "data.splits", "data.max_docs", "data.val_docs_for_training",
                "paths.raw_dir", "paths.interim_dir"),
    "build_records": ("model", "data.splits", "data.max_length", "data.stride", "data.label_all_subwords",
                      "data.num_shards", "paths.interim_dir", "paths.processed_dir"),
    "train": ("seed", "model", "strategy", "trainer", "logger", "data.max_length", "data.stride",
              "data.label_all_subwords", "paths.interim_dir", "paths.processed_dir", "paths.best_dir",
              "paths.output_dir", "paths.metrics_dir", "paths.speed_dir"),
    "evaluate": ("evaluate", "paths.interim_dir", "paths.best_dir", "paths.metrics_dir", "paths.speed_dir"),
    # data/dvc.yaml: data sets built from ../shared, run only when a data choice reads their output
    "lectures": ("lectures", "paths.lectures_src", "paths.lectures_dir"),
    "inspec_lectures": ("paths.inspec_dir", "paths.lectures_dir", "paths.inspec_lectures_dir"),
}
# the dvc.yaml declaring each stage (the lecture data stages stay out of the default `dvc repro`)
DVC_FILES: dict[str, str] = {"prepare": "dvc.yaml", "build_records": "dvc.yaml", "train": "dvc.yaml",
                             "evaluate": "dvc.yaml", "lectures": "data/dvc.yaml", "inspec_lectures": "data/dvc.yaml"}
# stage -> (module, function): imported only when that stage runs, so a stage's code deps in dvc.yaml
# are its own module's imports (and TensorFlow loads only for the stages that need it)
STAGES: dict[str, tuple[str, str]] = {
    "prepare": ("lecturelab.data.prepare", "prepare"),
    "build_records": ("lecturelab.data.records", "build_records"),
    "train": ("lecturelab.training.train", "train"),
    "evaluate": ("lecturelab.evaluation.evaluate", "evaluate"),
    "lectures": ("lecturelab.lecture_set", "build_lectures"),
    "inspec_lectures": ("lecturelab.data.union", "build_union"),
}


NO_TENSORFLOW = ("prepare", "lectures", "inspec_lectures")


def stage_config(cfg, stage: str) -> DictConfig:
    """A read-only, struct-mode copy of ``cfg`` holding only the keys ``stage`` declares
    (`STAGE_PARAMS`), interpolations resolved. Reading any other key raises
    ``omegaconf.errors.ConfigAttributeError``."""
    out = OmegaConf.create()
    for key in STAGE_PARAMS[stage]:
        value = OmegaConf.select(cfg, key, throw_on_missing=True)
        if OmegaConf.is_config(value):
            value = OmegaConf.to_container(value, resolve=True)
        OmegaConf.update(out, key, value, force_add=True)
    OmegaConf.set_struct(out, True)
    OmegaConf.set_readonly(out, True)
    return out


def run_stage(stage: str, cfg, source: str = "config") -> dict:
    """Validate the config keys ``stage`` reads (`lecturelab.config`), then run the stage's function on
    `stage_config` (only the keys dvc.yaml declares for it).

    Raises `ConfigError` (one line naming ``source`` and the key) before any data is read.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage '{stage}' ({', '.join(STAGES)})")
    validate(cfg, stage, source)
    module, name = STAGES[stage]
    if stage not in NO_TENSORFLOW:   # TensorFlow's C++ start-up lines filtered (lecturelab.console)
        import_tensorflow()
    fn = getattr(importlib.import_module(module), name)
    return fn(stage_config(cfg, stage))


# what an interrupted stage leaves: every stage publishes its outputs whole at its very end
# (lecturelab.io atomic_dir / write_json), so the outputs of the last finished run stay as they were.
# Under `dvc repro` only the train stage's outs survive (`persist: true` in dvc.yaml); DVC deletes the
# other stages' outs before their command starts.
KEPT = {
    "prepare": "{paths.interim_dir}",
    "build_records": "{paths.processed_dir}",
    "train": "{paths.best_dir} and {paths.metrics_dir}/train*.json",
    "evaluate": "{paths.metrics_dir}/test*.json",
    "lectures": "{paths.lectures_dir}",
    "inspec_lectures": "{paths.inspec_lectures_dir}",
}


def interrupted_message(stage: str, cfg) -> str:
    """``train: interrupted; models/best and metrics/train*.json kept from the last finished run``."""
    try:
        kept = KEPT[stage].format(paths=cfg.paths)
    except Exception:  # the message must not fail on a broken config
        kept = "its outputs"
    return f"{stage}: interrupted; {kept} kept from the last finished run"


def _sigterm_as_interrupt(signum, frame):
    # `kill <pid>` (SIGTERM) unwinds like Ctrl-C, so temp folders of an unfinished publish are removed
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """``lecturelab stage <stage>`` / ``python -m lecturelab.stages <stage>``; returns the exit code
    (`lecturelab.errors`: 0 done, 1 an input failed, 2 usage or config error, 130 interrupted)."""
    parser = argparse.ArgumentParser(prog="lecturelab stage", description=__doc__, epilog=EXIT_CODES)
    parser.add_argument("stage", choices=list(STAGES))
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("-v", "--verbose", action="store_true", help="tracebacks and library logs")
    args = parser.parse_args(argv)
    quiet_libraries(args.verbose)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    params = Path(args.params)
    if not params.is_file():
        print(f"{params}: not found (run `dvc exp run` or `make params` to compose it from lecturelab/conf/)",
              file=sys.stderr)
        return USAGE
    try:
        cfg = OmegaConf.load(params)
    except Exception as e:  # a YAML syntax error (yaml.MarkedYAMLError knows where)
        mark = getattr(e, "problem_mark", None)
        where = f"{mark.line + 1}:{mark.column + 1}: " if mark else " "
        print(f"{params}:{where}not valid YAML ({getattr(e, 'problem', None) or one_line(e)})", file=sys.stderr)
        return USAGE
    signal.signal(signal.SIGTERM, _sigterm_as_interrupt)
    try:
        run_stage(args.stage, cfg, source=str(params))
    except KeyboardInterrupt:
        if args.verbose:
            raise
        print(interrupted_message(args.stage, cfg), file=sys.stderr)
        return INTERRUPTED  # 128 + SIGINT, what a shell reports for Ctrl-C
    except ConfigError as e:
        print(f"{args.stage}: {e}", file=sys.stderr)
        return USAGE
    except (OSError, ValueError, RuntimeError) as e:  # a missing / bad input file, a failed run
        if args.verbose:
            raise
        print(f"{args.stage}: {one_line(e)}", file=sys.stderr)
        return FAILED
    return OK


if __name__ == "__main__":
    sys.exit(main())
