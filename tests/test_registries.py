"""Each config group that chooses code names it through one registry in the module that owns the code."""

from __future__ import annotations

from typing import get_args

import pytest
from omegaconf import OmegaConf

from lecturelab import config
from lecturelab.config import CONF_DIR
from lecturelab.data.prepare import SOURCES
from lecturelab.lecture.batch import EXECUTORS
from lecturelab.lecture.settings import EXECUTOR_SETTINGS
from lecturelab.lecture.transcribe import TRANSCRIBERS, transcribe, transcriber_name
from lecturelab.models.factory import BUILDERS
from lecturelab.quiz.make import GENERATORS
from lecturelab.quiz.schema import Settings
from lecturelab.training.run_logger import LOGGERS, RunLogger
from lecturelab.training.strategy import STRATEGIES


def _names(group: str) -> set[str]:
    return {OmegaConf.load(f).name for f in (CONF_DIR / group).glob("*.yaml")}


def test_every_group_file_has_its_code_and_every_entry_its_file():
    assert _names("transcriber") == set(TRANSCRIBERS)
    assert _names("logger") == set(LOGGERS)
    assert _names("quiz") == set(GENERATORS) | {"none"}   # quiz=none: no generator runs
    for name in GENERATORS:
        assert Settings.from_cfg({"name": name}).name == name   # the schema accepts every generator
    with pytest.raises(ValueError, match="quiz.name must be rules or llm"):
        Settings.from_cfg({"name": "none"})   # and nothing else: none is the group's off switch
    assert _names("executor") == set(EXECUTORS) == set(EXECUTOR_SETTINGS)   # code and settings per executor


def test_the_schemas_choices_are_the_registries_names():
    """config.py sits in the core layer, below the registries' modules, so its choices are written there
    again: this keeps each copy equal to its registry (adding an option fails here until both agree)."""
    choices = {("data", "source"): SOURCES, ("model", "source"): BUILDERS, ("strategy", "name"): STRATEGIES,
               ("logger", "name"): LOGGERS}
    for (section, key), registry in choices.items():
        allowed = get_args(config.SECTIONS[section].model_fields[key].annotation)
        assert set(allowed) == set(registry), f"{section}.{key}"
    assert set(get_args(Settings.model_fields["name"].annotation)) == set(GENERATORS)


def test_transcriber_name_is_read_and_checked():
    assert TRANSCRIBERS["faster_whisper"] is transcribe
    assert transcriber_name(OmegaConf.create({"name": "faster_whisper"})) == "faster_whisper"
    with pytest.raises(ValueError, match=r"^transcriber.name=whisperx: use faster_whisper$"):
        transcriber_name(OmegaConf.create({"name": "whisperx"}))


def test_logger_name_is_read_and_checked():
    assert RunLogger(OmegaConf.create({"logger": {"name": "none"}})).run is None
    with pytest.raises(ValueError, match=r"logger.name must be 'wandb' or 'none', got 'tensorboard'"):
        RunLogger(OmegaConf.create({"logger": {"name": "tensorboard"}}))
