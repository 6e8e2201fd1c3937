"""The settings schema of the lecture and quiz side (lecture/settings.py, quiz/schema.Settings): one-line
errors that name the key and what is allowed, defaults stated once, and docs tables generated from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from omegaconf import OmegaConf

from lecturelab.config import ConfigError
from lecturelab.lecture import settings as st
from lecturelab.quiz.concepts import ConceptSettings
from lecturelab.quiz.schema import Settings as QuizSettings
from tests.lecture_fixtures import compose_process

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("override", "message"), [
    ("force=yes", "force='yes': true or false"),
    ("reviewed=keep", "reviewed='keep': refuse or reapply"),
    ("inference=torch", "inference='torch': onnx or tensorflow"),
    ("low_confidence=2", "low_confidence=2: null or a probability in [0, 1]"),
    ("transcriber.beam_size=0", "transcriber.beam_size=0: an integer >= 1"),
    ("transcriber.device=tpu", "transcriber.device='tpu': auto, cpu or cuda"),
    ("transcriber.vad_filter=maybe", "transcriber.vad_filter='maybe': true or false"),
    ("keyphrases.window_tokens=8", "keyphrases.window_tokens=8: an integer >= 16"),
    ("keyphrases.min_score=1.5", "keyphrases.min_score=1.5: a probability in [0, 1]"),
    ("subtitles.max_lines=0", "subtitles.max_lines=0: a whole number >= 1"),
    ("chapters.method=tiling", "chapters.method='tiling': one of global, texttiling"),
    ("concepts.top=-1", "concepts.top=-1: an integer >= 0"),
    ("concepts.weights.central=high", "concepts.weights.central='high': Input should be a valid number"),
    ("chapters.max_seconds=40", "chapters.max_seconds=40.0: seconds > 0 and at least twice chapters.min_seconds"),
    ("executor=dask executor.n_workers=0", "executor.n_workers=0: an integer >= 1"),
    ("executor.name=ray", "executor.name='ray': serial or dask"),
    ("quiz.num_distractors=some", "quiz.num_distractors must be an integer, got 'some'"),
    ("quiz.name=gpt", "quiz.name must be rules or llm (none turns the quiz off), got 'gpt'"),
])
def test_a_bad_value_is_one_line_naming_the_key_and_what_is_allowed(override, message):
    with pytest.raises(ConfigError) as e:
        st.check_process(compose_process(override.split()))
    assert str(e.value) == message


@pytest.mark.parametrize(("override", "message"), [
    ("+forse=true", "forse: unknown key (allowed: input, output_dir, model_path"),
    ("+transcriber.beamsize=3", "transcriber.beamsize: unknown key (allowed: name, model, device"),
    ("+keyphrases.window=100", "keyphrases.window: unknown key (allowed: window_tokens, overlap_sentences"),
    ("+subtitles.max_chars=40", "subtitles.max_chars=40: unknown key; allowed: max_lines, max_line_chars"),
    ("+chapters.blocks=3", "chapters.blocks: unknown key (allowed: enabled, method"),
    ("+executor.workers=3", "executor.workers: unknown key (allowed: name"),
    ("+quiz.numquestions=3", "quiz.numquestions: unknown setting; allowed: name, num_questions"),
    ("+concepts.topp=3", "concepts: unknown key(s) ['topp']"),
    ("+concepts.weights.fame=1", "concepts.weights: unknown feature(s) ['fame']"),
])
def test_a_misspelt_key_is_named_with_the_known_ones(override, message):
    with pytest.raises(ConfigError if "concepts" not in override else ValueError) as e:
        st.check_process(compose_process([override]))
    assert str(e.value).startswith(message) and "\n" not in str(e.value)


def test_the_shipped_config_passes_and_every_executor_checks():
    st.check_process(compose_process([]))
    st.check_process(compose_process(["executor=dask", "quiz=llm"]))
    st.check_process(compose_process(["quiz=none"]))   # quiz=none: no quiz keys to check
    assert isinstance(st.check_executor(compose_process(["executor=dask"]).executor), st.DaskExecutor)


def test_yaml_states_the_model_defaults():
    """subtitles, chapters, concepts and quiz have defaults in code (they run without a config too): the
    shipped YAML must state the same values, so a default is changed in one place and the test says where."""
    cfg = OmegaConf.to_container(compose_process([]), resolve=True)
    assert cfg["subtitles"] == st.Subtitles().model_dump()
    assert cfg["chapters"] == st.Chapters().model_dump()
    concepts = {k: v for k, v in vars(ConceptSettings()).items() if k in cfg["concepts"]}
    assert cfg["concepts"] == concepts and st.Concepts().model_dump() == vars(ConceptSettings())
    rules = QuizSettings().model_dump()
    assert QuizSettings.from_cfg(cfg["quiz"]).model_dump() == rules and set(cfg["quiz"]) < set(rules)
    llm = OmegaConf.to_container(compose_process(["quiz=llm"]).quiz, resolve=True)
    own = ("name", "url", "model")   # code has no endpoint of its own: llm.yaml names the local one
    assert {k: v for k, v in QuizSettings.from_cfg(llm).model_dump().items() if k not in own} == \
        {k: v for k, v in rules.items() if k not in own}


def test_models_of_the_yaml_sources_have_no_defaults():
    """transcriber, keyphrases, executor and the top-level keys take their defaults from the YAML only."""
    for model in (st.Transcriber, st.Keyphrases, st.DaskExecutor, st.SerialExecutor):
        assert all(f.is_required() for f in model.model_fields.values()), model
    optional = {"subtitles", "chapters", "concepts", "executor"}   # sections a hand-made config may leave out
    assert {k for k, f in st.Process.model_fields.items() if not f.is_required()} == optional


def test_every_field_says_what_is_allowed_and_what_it_means():
    for model in (st.Process, st.Transcriber, st.Keyphrases, st.Subtitles, st.Chapters, st.Concepts,
                  st.DaskExecutor, QuizSettings):
        for name, info in model.model_fields.items():
            assert info.description and info.title, f"{model.__name__}.{name}"


def test_docs_tables_are_the_generated_ones():
    """docs/lecture.md and docs/quiz.md hold `python -m lecturelab.lecture.settings --markdown`."""
    tables = st.docs_tables()
    found = {}
    for page in ("docs/lecture.md", "docs/quiz.md"):
        found |= st.docs_blocks((ROOT / page).read_text(encoding="utf-8"))
    assert set(found) == set(tables)
    for name, table in tables.items():
        assert found[name] == table, f"the {name} table is stale: python -m lecturelab.lecture.settings --markdown"
