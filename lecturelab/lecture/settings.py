"""Typed schema of ``lecturelab process`` settings (conf/process.yaml and its groups), checked before any work.

One pydantic model per section, each field with its allowed values (``description``, what an error line
says) and its meaning (``title``, what the docs table says). `check_process` validates a composed config
and raises `lecturelab.config.ConfigError` (a ValueError) with one line naming the key, the value and what
is allowed (``chapters.min_seconds=-5: seconds >= 0``); a misspelt key is named with the known ones.

Where the defaults live: the YAML is the source for the process keys, ``transcriber``, ``keyphrases`` and
``executor`` (these models have no defaults). ``subtitles``, ``chapters``, ``concepts`` and ``quiz`` also
run without a config (tests, scripts), so their models carry defaults, and tests/test_settings.py checks
that the YAML states the same values.

Choices come from the registries of the code they choose: `TRANSCRIBERS`, `BACKENDS`, `CAPTION_MODES`,
`COMPUTE_TYPES` and `EXECUTOR_SETTINGS`. Where a registry sits above the schema's module (the executors'
`lecturelab.lecture.batch.EXECUTORS`, the quiz's `GENERATORS`), tests/test_registries.py keeps the names equal.

``python -m lecturelab.lecture.settings --markdown`` prints the settings tables of docs/lecture.md and
docs/quiz.md; ``--write docs/lecture.md docs/quiz.md`` puts them there.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

from omegaconf import OmegaConf
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lecturelab.config import LECTURE_STYLE, ConfigError, check_section
from lecturelab.io import write_text
from lecturelab.lecture.captions import MODES as CAPTION_MODES
from lecturelab.lecture.transcribe import (
    COMPUTE_TYPES,
    TRANSCRIBERS,
    supported_compute_types,
    transcriber_name,
)
from lecturelab.models.onnx import BACKENDS
from lecturelab.quiz.concepts import ConceptSettings
from lecturelab.quiz.schema import Settings as QuizSettings

CHAPTER_METHODS = ("global", "texttiling")   # lecturelab.lecture.chapters.make_chapters
# subtitles: an unknown key is shown with its value
SUBTITLES_STYLE = LECTURE_STYLE._replace(unknown="{key}={value!r}: unknown key; allowed: {known}")


class Section(BaseModel):
    """A closed settings section: strict types (an int is accepted for a float), unknown keys refused."""

    model_config = ConfigDict(strict=True, extra="forbid")


def setting(allowed: str, meaning: str, **kw) -> Any:
    """A pydantic field: ``allowed`` (the error line's "what is allowed", its ``description``) and
    ``meaning`` (the docs table's text, its ``title``); ``kw`` as for `pydantic.Field` (default, ge, ...)."""
    return Field(description=allowed, title=meaning, **kw)


def _one_of(names) -> str:
    names = list(names)
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


class Transcriber(Section):
    name: str = setting(_one_of(TRANSCRIBERS), "the transcriber (`TRANSCRIBERS` in lecture/transcribe.py)")
    model: str = setting("a Whisper model name or a CTranslate2 folder",
                         "tiny.en ships offline; base, base.en, small, large-v3 or a folder path", min_length=1)
    device: Literal["auto", "cpu", "cuda"] = setting("auto, cpu or cuda", "where CTranslate2 runs")
    compute_type: Literal[COMPUTE_TYPES] = setting(
        ", ".join(COMPUTE_TYPES), "auto: float32 on CPU, float16 on GPU; the device must run the type")
    cpu_threads: int = setting("an integer >= 0 (0: all cores)", "CTranslate2 threads", ge=0)
    language: str | None = setting("auto or a language code such as en",
                                   "auto: Whisper's guess on the first 30 s of speech")
    task: Literal["transcribe", "translate"] = setting(
        "transcribe or translate", "translate: an English transcript of any language")
    multilingual_model: str = setting("a Whisper model name", "takes over when an English-only model hears "
                                      "another language", min_length=1)
    audio_track: int | None = setting("null or a track number >= 1",
                                      "1-based audio track; null: chosen by language, default flag, length", ge=1)
    beam_size: int = setting("an integer >= 1", "beam search width", ge=1)
    batched: bool = setting("true or false", "faster-whisper's BatchedInferencePipeline (VAD + batches)")
    batch_size: int = setting("an integer >= 1", "VAD segments per batch (batched mode)", ge=1)
    chunk_seconds: float = setting("a number of seconds >= 30 (Whisper reads 30 s windows)",
                                   "audio decoded and transcribed at a time (flat memory)", ge=30)
    glossary: list[str] | str = setting('a list of terms, a .txt file, or "model"',
                                        "course terms given to Whisper as hotwords and initial prompt")
    vad_filter: bool = setting("true or false", "Silero VAD skips silence and noise")
    condition_on_previous_text: bool = setting("true or false", "a window sees the previous window's text")
    compression_ratio_threshold: float = setting("a number", "gzip ratio above which a window is decoded again")
    log_prob_threshold: float = setting("a number", "mean token log-probability below which a window is "
                                        "decoded again")
    no_speech_threshold: float = setting("a probability in [0, 1]", "with a low log-probability: the window "
                                         "is silence", ge=0, le=1)
    hallucination_silence_threshold: float | None = setting(
        "null or seconds >= 0", "silences skipped around suspect segments (sequential mode)", ge=0)
    drop_repeats: bool = setting("true or false", "remove sentences repeated by a decoding loop")
    gap_seconds: float = setting("seconds >= 0", "speech without text longer than this is decoded again", ge=0)


class Keyphrases(Section):
    window_tokens: int = setting("an integer >= 16", "sentence-aligned tagger windows of up to this many tokens",
                                 ge=16)
    overlap_sentences: int = setting("an integer >= 0", "sentences a window shares with the next", ge=0)
    o_bias: float | None = setting("null or a number",
                                   "null: the checkpoint's own; > 0 favours recall", allow_inf_nan=False)
    min_score: float = setting("a probability in [0, 1]", "spans with a lower mean keyphrase probability are "
                               "dropped", ge=0, le=1)


class Subtitles(Section):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    max_lines: int = setting("a whole number >= 1", "lines per cue", default=2, ge=1)
    max_line_chars: int = setting("a whole number >= 1", "characters per line (a longer word gets a line of "
                                  "its own)", default=42, ge=1)
    min_duration: float = setting("a number of seconds > 0", "seconds a cue stays up at least, unless the next "
                                  "starts", default=0.833, gt=0)
    max_duration: float = setting("a number of seconds > 0", "seconds a cue stays up at most; longer speech is "
                                  "cut into more cues", default=7.0, gt=0)

    @model_validator(mode="after")
    def _durations_ordered(self):
        if self.min_duration > self.max_duration:
            raise ValueError(f"subtitles.min_duration={self.min_duration!r}: at most subtitles.max_duration "
                             f"({self.max_duration!r})")
        return self


class Chapters(Section):
    enabled: bool = setting("true or false", "write chapters.json / .vtt / .txt and chapter headings",
                            default=True)
    method: Literal[CHAPTER_METHODS] = setting(
        f"one of {', '.join(CHAPTER_METHODS)}", "global: DP over cohesion, length prior and cues; texttiling: "
        "depth cutoffs", default="global")
    chapter_minutes: float = setting("minutes > 0", "global: the length prior's centre", default=10.0, gt=0)
    length_prior: float = setting("a number >= 0", "global: weight of log(length / chapter_minutes)^2 per "
                                  "chapter", default=0.5, ge=0)
    segment_penalty: float = setting("a number", "global: cost of each chapter, in minutes of cohesion",
                                     default=1.0, allow_inf_nan=False)
    lexical_weight: float = setting("a number from 0 to 1", "global: share of TF-IDF word cohesion beside the "
                                    "embeddings'", default=0.25, ge=0, le=1)
    context_sentences: int = setting("an integer >= 0", "global: sentences on each side averaged into each "
                                     "sentence's vectors", default=0, ge=0)
    cue_bonus: float = setting("a number >= 0", "global: bonus for a chapter opened by a discourse cue",
                               default=0.0, ge=0)
    cue_seconds: float = setting("seconds >= 0", "global: a boundary moves to a discourse cue this near",
                                 default=120.0, ge=0)
    block_sentences: int = setting("an integer >= 1", "texttiling: sentences each side of a gap compared",
                                   default=3, ge=1)
    cutoff_std: float = setting("a number", "texttiling: boundary if depth > mean - cutoff_std * std",
                                default=0.5, allow_inf_nan=False)
    min_depth: float = setting("a number >= 0", "texttiling: ... and depth > min_depth (cosine units)",
                               default=0.55, ge=0)
    min_seconds: float = setting("seconds >= 0", "shortest chapter", default=30.0, ge=0)
    max_seconds: float = setting("seconds > 0 and at least twice chapters.min_seconds",
                                 "longest chapter (texttiling: cut at its deepest gap)", default=1200.0, gt=0)
    title_phrases: int = setting("an integer >= 1", "keyphrases listed with each chapter", default=2, ge=1)
    title_pair: float = setting("a number >= 0 (above 1: one concept per title)",
                                "a second concept joins the title (\"X and Y\") at this share of the first's weight",
                                default=0.5, ge=0)
    min_word_prob: float = setting("a probability from 0 to 1", "a keyphrase with a word heard below this "
                                   "never titles a chapter", default=0.5, ge=0, le=1)
    summary_min_words: int = setting("an integer >= 1", "shortest summary sentence, in words", default=8, ge=1)

    @model_validator(mode="after")
    def _longest_fits_two_shortest(self):
        if self.max_seconds < 2 * self.min_seconds:
            raise ValueError(f"chapters.max_seconds={self.max_seconds!r}: seconds > 0 and at least twice "
                             "chapters.min_seconds")
        return self


_CONCEPTS = ConceptSettings()   # the defaults are quiz/concepts.py's (conf/process.yaml states the same)


class Concepts(Section):
    """``concepts:`` (quiz/concepts.py ranks the lecture's key concepts with these). Unknown keys pass here:
    `ConceptSettings.from_cfg`, checked next, refuses them and unknown weight names in its own words."""

    model_config = ConfigDict(strict=True, extra="allow")

    enabled: bool = setting("true or false", "write concepts.json; false: the index as the tagger ranks it",
                            default=_CONCEPTS.enabled)
    top: int = setting("an integer >= 0", "concepts listed first in the index and the course site",
                       default=_CONCEPTS.top, ge=0)
    max_concepts: int = setting("an integer >= 1", "concepts.json keeps this many", default=_CONCEPTS.max_concepts,
                                ge=1)
    max_words: int = setting("an integer >= 1", "longest candidate, in words", default=_CONCEPTS.max_words, ge=1)
    parts: int = setting("an integer >= 1", "equal stretches of time for the spread feature",
                         default=_CONCEPTS.parts, ge=1)
    anecdote_seconds: float = setting("seconds >= 0", "a term said only within this many seconds ...",
                                      default=_CONCEPTS.anecdote_seconds, ge=0)
    anecdote_share: float = setting("a share in [0, 1]", "... or this share of the lecture is an anecdote's "
                                    "detail (unless defined)", default=_CONCEPTS.anecdote_share, ge=0, le=1)
    common_zipf: float = setting("a number (wordfreq Zipf)", "a term made only of words this common is no "
                                 "concept", default=_CONCEPTS.common_zipf)
    min_word_prob: float = setting("a probability in [0, 1]", "a word heard below this probability ...",
                                   default=_CONCEPTS.min_word_prob, ge=0, le=1)
    misheard_share: float = setting("a share in [0, 1]", "... in more than this share of the occurrences: "
                                    "misheard, dropped", default=_CONCEPTS.misheard_share, ge=0, le=1)
    nested_share: float = setting("a share in [0, 1]", "a sub-term this much inside one longer term merges "
                                  "into it", default=_CONCEPTS.nested_share, ge=0, le=1)
    min_count: int = setting("an integer >= 1", "said at least this often (a defined term once is enough)",
                             default=_CONCEPTS.min_count, ge=1)
    embed_top: int = setting("an integer >= 0", "candidates scored for centrality, best by the other features",
                             default=_CONCEPTS.embed_top, ge=0)
    centroid_sentences: int = setting("an integer >= 1", "the lecture's embedding: the mean of this many evenly "
                                      "spaced sentences", default=_CONCEPTS.centroid_sentences, ge=1)
    weights: dict[str, float] = setting(
        ", ".join(_CONCEPTS.weights) + ": numbers", "weight of each feature in a concept's score",
        default_factory=lambda: dict(_CONCEPTS.weights))


class SerialExecutor(Section):
    name: Literal["serial"] = setting("serial", "lectures one after another in this process")


class DaskExecutor(Section):
    name: Literal["dask"] = setting("dask", "one task per lecture on a dask.distributed cluster")
    address: str | None = setting("null (a LocalCluster) or a scheduler address such as tcp://host:8786",
                                  "a running scheduler; null: a LocalCluster on this machine")
    n_workers: int = setting("an integer >= 1", "LocalCluster worker processes", ge=1)
    threads_per_worker: int = setting("an integer >= 1", "lectures at a time per worker", ge=1)
    memory_limit: str | int | None = setting('null, "auto", bytes, or a size such as "4GiB"',
                                             "per LocalCluster worker; auto: RAM / n_workers")
    retries: int = setting("an integer >= 0", "times a lecture is rescheduled after its worker died", ge=0)

    @field_validator("address", mode="after")
    @classmethod
    def _address(cls, v):
        if v is not None and "://" not in v:
            raise ValueError(f"executor.address={v!r}: null (a LocalCluster) or a scheduler address such as "
                             "tcp://host:8786")
        return v

    @field_validator("memory_limit", mode="after")
    @classmethod
    def _size(cls, v):
        if isinstance(v, str) and v != "auto":
            from dask.utils import parse_bytes  # deferred: dask is the optional extra executor=dask needs

            try:
                parse_bytes(v)
            except ValueError:
                raise ValueError(f'executor.memory_limit={v!r}: null, "auto", bytes, or a size such as "4GiB"'
                                 ) from None
        return v


# the settings of each executor (conf/executor/<name>.yaml); tests/test_registries.py checks that these are
# the names of `lecturelab.lecture.batch.EXECUTORS` and of the group files
EXECUTOR_SETTINGS: dict[str, type[Section]] = {"serial": SerialExecutor, "dask": DaskExecutor}


class Process(Section):
    """The top-level keys of conf/process.yaml; each section below has its own model."""

    input: Any = setting("a media or caption file, a folder, or a list of them", "what to process")
    output_dir: Any = setting("a folder path", "one folder per lecture: <output_dir>/<file stem>/")
    model_path: Any = setting("a folder path", "the keyphrase checkpoint")
    cache_dir: Any = setting("a folder path", "transcripts by media hash and options")
    force: bool = setting("true or false", "redo lectures whose outputs are already there")
    reviewed: Literal["refuse", "reapply"] = setting(
        "refuse or reapply", "a folder holding a person's work: refuse it, or process it again, keep that work "
        "in review/<n>/ and re-apply the saved edits")
    captions: Literal[CAPTION_MODES] = setting(
        "auto (a caption file beside the media replaces Whisper), never (always Whisper) or only (captions "
        "required)", "where the transcript comes from")
    media: Literal["copy", "link", "auto", "none"] = setting(
        "copy, link, auto or none", "the media beside the page (auto: copy up to media_copy_max_mb, else link)")
    media_copy_max_mb: float = setting("a size in MB >= 0", "media=auto copies files up to this size", ge=0)
    progress: bool = setting("true or false", "progress bar in audio seconds")
    verbose: bool = setting("true or false", "tracebacks for errors")
    inference: Literal[BACKENDS] = setting(_one_of(BACKENDS), "runtime of the keyphrase tagger and MiniLM")
    keep_freed_memory: bool = setting("true or false", "glibc reuses freed heap pages for big tensors "
                                      "(lecture/allocator.py)")
    low_confidence: float | None = setting("null or a probability in [0, 1]", "words heard with a lower "
                                           "probability are marked in the page; null: no marks", ge=0, le=1)
    paths: dict = setting("the paths group", "conf/paths/")
    transcriber: dict = setting("a mapping", "Whisper settings (below)")
    keyphrases: dict = setting("a mapping", "the tagger's windows and filter (below)")
    subtitles: dict | None = setting("a mapping", "subtitle cue limits (below)", default=None)
    chapters: dict | None = setting("a mapping", "chapters (below)", default=None)
    concepts: dict | None = setting("a mapping", "key concepts (below)", default=None)
    quiz: dict = setting("a mapping", "the quiz (docs/quiz.md)")
    executor: dict | None = setting("a mapping", "how a batch runs (below)", default=None)


def _plain(cfg):
    return OmegaConf.to_container(cfg, resolve=True) if OmegaConf.is_config(cfg) else cfg


def check_process(cfg) -> None:
    """Every setting ``lecturelab process`` reads, checked before any expensive work (`check_run`); the quiz
    settings too unless ``quiz=none``. Raises `ConfigError` (a ValueError), one line naming the key."""
    transcriber_name(cfg.transcriber)   # its own line: transcriber.name=whisperx: use faster_whisper
    check_section(Process, _plain(cfg), (), LECTURE_STYLE)
    check_section(Transcriber, _plain(cfg.transcriber), ("transcriber",), LECTURE_STYLE)
    compute_type = cfg.transcriber.compute_type
    if compute_type not in ("auto", "default"):   # asks CTranslate2 once, and only then
        runs = supported_compute_types(cfg.transcriber)
        if compute_type not in runs:
            raise ConfigError(f"transcriber.compute_type={compute_type!r}: the device runs "
                              + ", ".join(["auto", *sorted(runs)]))
    check_section(Keyphrases, _plain(cfg.keyphrases), ("keyphrases",), LECTURE_STYLE)
    subtitle_rules(cfg.get("subtitles"))
    chapter_settings(cfg.get("chapters"))
    if cfg.get("concepts") is not None:   # unknown keys or weights: one line before any lecture
        check_section(Concepts, _plain(cfg.concepts), ("concepts",), LECTURE_STYLE)
        ConceptSettings.from_cfg(_plain(cfg.concepts))
    if cfg.get("executor") is not None:
        check_executor(cfg.executor)
    if cfg.quiz.name != "none":
        QuizSettings.from_cfg(cfg.quiz)


def subtitle_rules(conf=None) -> Subtitles:
    """`Subtitles` from the ``subtitles:`` mapping (None: the defaults); `ConfigError` names the key."""
    return Subtitles() if conf is None else check_section(Subtitles, _plain(conf), ("subtitles",),
                                                                    SUBTITLES_STYLE)


def chapter_settings(conf=None) -> dict:
    """The ``chapters:`` mapping (None: defaults) checked and completed with the defaults of `Chapters`, as a
    dict of the values as given (an int stays an int); `ConfigError` names the key."""
    given = dict(_plain(conf) or {})
    check_section(Chapters, given, ("chapters",), LECTURE_STYLE)
    return Chapters().model_dump() | given


def check_executor(ex) -> Section:
    """The ``executor`` keys, checked by the model of ``executor.name`` (`EXECUTOR_SETTINGS`);
    `ConfigError` names the key and what is allowed."""
    ex = _plain(ex)
    name = ex.get("name") if isinstance(ex, dict) else None
    if name not in EXECUTOR_SETTINGS:
        raise ConfigError(f"executor.name={name!r}: {_one_of(EXECUTOR_SETTINGS)}")
    return check_section(EXECUTOR_SETTINGS[name], ex, ("executor",), LECTURE_STYLE)


# ---- the settings tables of the docs ----------------------------------------------------------------------

def _default_text(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|")


def markdown_table(model: type[BaseModel], defaults: dict | None, prefix: str = "",
                   skip: tuple[str, ...] = ()) -> str:
    """A Markdown table of ``model``'s fields: key, default (from ``defaults``, the composed YAML, or the
    model's own; none when neither has one), allowed values (``description``) and meaning (``title``)."""
    rows = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        if name in skip:
            continue
        if defaults is not None and name in defaults:
            default = f"`{_default_text(defaults[name])}`"
        elif not info.is_required():
            default = f"`{_default_text(info.get_default(call_default_factory=True))}`"
        else:
            default = ""
        rows.append(f"| `{prefix}{name}` | {default} | {_cell(info.description)} | {_cell(info.title)} |")
    return "\n".join(rows) + "\n"


def docs_tables() -> dict[str, str]:
    """The generated tables by name (the ``<!-- settings:NAME -->`` blocks of docs/lecture.md and docs/quiz.md),
    defaults read from the shipped YAML (conf/process.yaml with its default groups, conf/executor/dask.yaml)."""
    from lecturelab.config import CONF_DIR, compose

    cfg = compose("process")
    plain = OmegaConf.to_container(cfg, resolve=False)
    dask = OmegaConf.to_container(OmegaConf.load(CONF_DIR / "executor" / "dask.yaml"))
    llm = OmegaConf.to_container(compose("process", ["quiz=llm"]).quiz, resolve=False)
    return {
        "process": markdown_table(Process, plain, skip=("paths", "transcriber", "keyphrases", "subtitles",
                                                        "chapters", "concepts", "quiz", "executor")),
        "transcriber": markdown_table(Transcriber, plain["transcriber"], "transcriber."),
        "keyphrases": markdown_table(Keyphrases, plain["keyphrases"], "keyphrases."),
        "subtitles": markdown_table(Subtitles, plain["subtitles"], "subtitles."),
        "chapters": markdown_table(Chapters, plain["chapters"], "chapters."),
        "concepts": markdown_table(Concepts, plain["concepts"], "concepts."),
        "executor": markdown_table(DaskExecutor, dask, "executor."),
        "quiz": markdown_table(QuizSettings, llm | plain["quiz"]),   # the llm keys from conf/quiz/llm.yaml
    }


def docs_blocks(text: str) -> dict[str, str]:
    """The ``<!-- settings:NAME -->`` ... ``<!-- /settings -->`` blocks of a docs page, by name."""
    out = {}
    for part in text.split("<!-- settings:")[1:]:
        name, _, rest = part.partition(" -->\n")
        out[name] = rest.split("<!-- /settings -->")[0]
    return out


def write_docs(pages: list[str | Path]) -> list[str]:
    """Replace the ``<!-- settings:NAME -->`` blocks of each docs page by the generated tables (atomic
    write); returns the pages that changed."""
    tables = docs_tables()
    changed = []
    for page in map(Path, pages):
        text = page.read_text(encoding="utf-8")
        new = text
        for name in docs_blocks(text):
            start = f"<!-- settings:{name} -->\n"
            head, _, rest = new.partition(start)
            new = head + start + tables[name] + "<!-- /settings -->" + rest.split("<!-- /settings -->", 1)[1]
        if new != text:
            write_text(page, new)
            changed.append(str(page))
    return changed


def main(argv: list[str] | None = None) -> int:
    """``--markdown [NAME ...]``: print the generated settings tables (all, or the named ones);
    ``--write PAGE ...``: put them into the ``<!-- settings:NAME -->`` blocks of those docs pages."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--write"] and len(argv) > 1:
        for page in write_docs(argv[1:]):
            print(f"updated {page}")
        return 0
    if argv[:1] != ["--markdown"]:
        print("usage: python -m lecturelab.lecture.settings --markdown [NAME ...] | --write PAGE ...",
              file=sys.stderr)
        return 2
    tables = docs_tables()
    for name in argv[1:] or tables:
        print(f"<!-- settings:{name} -->\n{tables[name]}<!-- /settings -->\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
