"""Each config group that chooses code names it through one registry in the module that owns the code."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from lecturelab.config import CONF_DIR
from lecturelab.lecture.batch import EXECUTORS
from lecturelab.lecture.settings import EXECUTOR_SETTINGS
from lecturelab.lecture.transcribe import TRANSCRIBERS, transcribe, transcriber_name
from lecturelab.quiz.make import GENERATORS
from lecturelab.quiz.schema import Settings
from lecturelab.training.run_logger import LOGGERS, RunLogger


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


def test_transcriber_name_is_read_and_checked():
    assert TRANSCRIBERS["faster_whisper"] is transcribe
    assert transcriber_name(OmegaConf.create({"name": "faster_whisper"})) == "faster_whisper"
    with pytest.raises(ValueError, match=r"^transcriber.name=whisperx: use faster_whisper$"):
        transcriber_name(OmegaConf.create({"name": "whisperx"}))


def test_logger_name_is_read_and_checked():
    assert RunLogger(OmegaConf.create({"logger": {"name": "none"}})).run is None
    with pytest.raises(ValueError, match=r"logger.name must be 'wandb' or 'none', got 'tensorboard'"):
        RunLogger(OmegaConf.create({"logger": {"name": "tensorboard"}}))
