"""Hydra entry point of the lecture processor: ``python -m lecturelab.process input=lecture.mp4``."""

from __future__ import annotations

import sys

import hydra

from lecturelab.console import quiet_libraries
from lecturelab.lecture.pipeline import process


@hydra.main(config_path="conf", config_name="process", version_base="1.3")
def main(cfg) -> None:
    quiet_libraries(bool(cfg.verbose))
    code = process(cfg)
    if code:
        sys.exit(code)


if __name__ == "__main__":
    main()
