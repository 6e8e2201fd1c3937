"""Typed schema of the pipeline config (params.yaml / conf/), checked before a stage does any work.

Each DVC stage validates the sections it reads (`STAGE_SECTIONS`, the same keys as its `params:` in
dvc.yaml) with pydantic models in strict mode: ``learning_rate: abc`` or ``epochs: 0`` fails in a
millisecond with one line naming the key, the value and what is allowed, instead of a TypeError deep
in the optimizer an hour later. Sections whose keys vary by choice (model, strategy, logger, paths)
allow extra keys; the others reject unknown keys, so a misspelt key is caught too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, NamedTuple

from omegaconf import DictConfig, OmegaConf
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# the Hydra configs ship inside the package, so `pip install .` works from any folder; DVC composes
# params.yaml from here too (`.dvc/config`: hydra.config_dir = lecturelab/conf)
CONF_DIR = Path(__file__).resolve().parent / "conf"

# BERT-style models have 512 position embeddings; a window also holds [CLS] and [SEP]
MAX_POSITIONS = 512
# what `lecturelab.evaluation.scoring.score_probs` returns per validation epoch (ks 5 and 10)
# the metric that picks a run's best epoch (trainer.monitor), and the run `promote` and `compare` rank first
DEFAULT_MONITOR = "val/f1_at_m"
MONITORS = tuple(f"val/{m}{s}" for s in ("", "_at_5", "_at_10", "_at_m") for m in ("f1", "precision", "recall"))


class ConfigError(ValueError):
    """A config value of the wrong type or out of range (the message is one line naming the key)."""


def compose(config_name: str, overrides: list[str] | None = None, config_dir: str | Path = CONF_DIR) -> DictConfig:
    """The root config ``config_name`` (``train``, ``process``, ``quiz_app``) of ``config_dir`` with Hydra
    ``overrides`` applied: no run folder, no logging set-up, no chdir. The one Hydra composition helper of
    the commands and the tests. Raises Hydra's own errors (`hydra.errors.HydraException`) on a bad
    override or group choice."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    GlobalHydra.instance().clear()   # a caller (or a test) may have initialised Hydra already
    with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
        return hydra_compose(config_name=config_name, overrides=list(overrides or []))


# Hydra override keys: `a.b=`, `+a=`, `++a.b=`, `~a`, `group/sub=`, `a@pkg=`
_OVERRIDE = re.compile(r"^(?:\+\+|\+|~)?([A-Za-z_][\w\-]*)(?:[./@][\w\-./@]*)?(?:=|$)")


def split_args(argv: list[str], keys) -> tuple[list[str], list[str], bool]:
    """(paths, Hydra overrides, verbose): the one rule every ``lecturelab`` command uses.

    An argument that names an existing file or folder is a path, whatever characters it holds
    (``week1=intro,part2.wav``). Otherwise ``key=value`` (and ``+key=``, ``~key``) is an override
    when its first key segment is a key or group of the command's config (``keys``, see `config_keys`);
    anything else is a path, so a missing ``x=y.mp4`` is reported as "no such file", not as a bad
    override. ``-v`` / ``--verbose`` set verbose.
    """
    paths, overrides, verbose = [], [], False
    keys = set(keys)
    for a in argv:
        if a in ("-v", "--verbose"):
            verbose = True
            continue
        m = _OVERRIDE.match(a)
        if Path(a).exists() or m is None or m.group(1) not in keys or ("=" not in a and not a.startswith("~")):
            paths.append(a)
        else:
            overrides.append(a)
    return paths, overrides, verbose


def config_keys(config_name: str, config_dir: str | Path = CONF_DIR) -> set[str]:
    """Top-level keys and config groups of a root config (what a ``key=value`` override may start with)."""
    config_dir = Path(config_dir)
    groups = {p.name for p in config_dir.iterdir() if p.is_dir()}
    root = OmegaConf.load(config_dir / f"{config_name}.yaml")
    return groups | {str(k) for k in root if k != "defaults"} | {"hydra"}


class _Open(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow")


class _Closed(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Paths(_Open):
    raw_dir: str = Field(min_length=1, description="a folder path")
    interim_dir: str = Field(min_length=1, description="a folder path")
    processed_dir: str = Field(min_length=1, description="a folder path")
    best_dir: str = Field(min_length=1, description="a folder path")
    output_dir: str = Field(min_length=1, description="a folder path")
    metrics_dir: str = Field(min_length=1, description="a folder path")
    speed_dir: str = Field(min_length=1, description="a folder path")


class Splits(_Closed):
    train: str = Field(min_length=1, description="a file stem / hub split name")
    val: str = Field(min_length=1, description="a file stem / hub split name")
    test: str = Field(min_length=1, description="a file stem / hub split name")


class Data(_Closed):
    source: Literal["local", "hub", "bio", "built"]
    path: str | None = Field(default=None, min_length=1, description="the folder with {train,valid,test}.txt")
    hub_name: str = Field(min_length=1, description="a Hugging Face dataset id")
    splits: Splits
    max_docs: int | None = Field(ge=1, description="null or an integer >= 1")
    val_docs_for_training: int | None = Field(ge=0, description="null or an integer >= 0")
    max_length: int = Field(ge=3, le=MAX_POSITIONS, description=f"an integer in [3, {MAX_POSITIONS}]")
    stride: int = Field(ge=0, description="an integer >= 0 and < data.max_length - 2")
    label_all_subwords: bool
    num_shards: int = Field(ge=1, description="an integer >= 1")

    @model_validator(mode="after")
    def _stride_fits(self):
        # lecturelab.windows.window_spans: windows overlap by `stride` of their max_length - 2 pieces
        if self.stride >= self.max_length - 2:
            raise ValueError(f"data.stride = {self.stride} must be < data.max_length - 2 = {self.max_length - 2} "
                             f"(windows hold [CLS] + max_length - 2 word pieces + [SEP])")
        return self


class Model(_Open):
    name: str = Field(min_length=1, description="a model name")
    source: Literal["package", "parts", "hub", "config"]
    dropout: float | None = Field(default=None, ge=0, lt=1, description="a float in [0, 1)")

    @model_validator(mode="after")
    def _source_keys(self):
        # lecturelab.models.factory reads these keys per source
        need = {"package": "package", "parts": "sha256", "hub": "pretrained", "config": "tokenizer_package"}[self.source]
        if not isinstance(getattr(self, need, None), str):
            raise ValueError(f"model.source = '{self.source}' needs a string model.{need}")
        if self.source == "parts" and not (isinstance(getattr(self, "parts", None), list) and self.parts
                                           and isinstance(getattr(self, "member", None), str)):
            raise ValueError("model.source = 'parts' needs model.parts (the pip distributions, in order) and "
                             "model.member (the folder inside the joined zip)")
        if self.source == "config" and not isinstance(getattr(self, "config", None), dict):
            raise ValueError("model.source = 'config' needs a model.config mapping of BertConfig arguments")
        return self


class Strategy(_Open):
    name: Literal["default", "mirrored", "multi_worker"]
    cross_device_ops: Literal["nccl", "hierarchical_copy", "reduction_to_one_device"] = "nccl"
    communication: Literal["auto", "ring", "nccl"] = "auto"


class Trainer(_Closed):
    epochs: int = Field(ge=1, description="an integer >= 1")
    batch_size: int = Field(ge=1, description="an integer >= 1 (per replica)")
    learning_rate: float = Field(gt=0, le=1, description="a float in (0, 1], e.g. 1.0e-4")
    weight_decay: float = Field(ge=0, description="a float >= 0")
    warmup_ratio: float = Field(ge=0, le=1, description="a float in [0, 1]")
    early_stopping_patience: int = Field(ge=1, description="an integer >= 1")
    monitor: Literal[MONITORS]
    max_steps_per_epoch: int | None = Field(ge=1, description="null or an integer >= 1")
    resume: bool
    bucket_by_length: bool
    decoding: Literal["greedy", "viterbi"] = "greedy"   # validation scoring + O-bias tuning; saved in the checkpoint
    label_smoothing: float = Field(0.0, ge=0, lt=1, description="a float in [0, 1)")
    class_weights: list[Annotated[float, Field(gt=0)]] | None = Field(
        None, min_length=3, max_length=3, description="null or 3 floats > 0 (O, B, I)")
    ema_decay: float | None = Field(None, gt=0, lt=1, description="null or a float in (0, 1), e.g. 0.99")


class Logger(_Open):
    name: Literal["wandb", "none"]
    mode: Literal["online", "offline", "disabled"] | None = None


class Evaluate(_Closed):
    split: Literal["train", "val", "test"]
    ks: list[int] = Field(min_length=1, description="a non-empty list of integers >= 1")
    yake: bool
    yake_top: int = Field(ge=1, description="an integer >= 1")
    decoding: Literal["greedy", "viterbi"] | None = None   # None: the checkpoint's (trainer.decoding)

    @model_validator(mode="after")
    def _ks_positive(self):
        if any(k < 1 for k in self.ks):
            raise ValueError(f"evaluate.ks = {self.ks}: every k must be >= 1")
        return self


class Lectures(_Closed):
    val_courses: list[str] = Field(min_length=1, description="a non-empty list of tune course names")
    window_words: int = Field(ge=8, le=400, description="an integer in [8, 400] (tokens per window)")
    negative_share: float = Field(ge=0, description="a float >= 0 (windows without a label per window with one)")
    max_windows_per_lecture: int = Field(ge=1, description="an integer >= 1")
    max_term_df: float = Field(gt=0, le=1, description="a float in (0, 1] (share of train transcripts)")
    seed: int = Field(ge=0, description="an integer >= 0")


class _Seed(_Closed):
    seed: int = Field(ge=0, description="an integer >= 0")


SECTIONS: dict[str, type[BaseModel]] = {
    "seed": _Seed, "paths": Paths, "data": Data, "model": Model, "strategy": Strategy, "trainer": Trainer,
    "logger": Logger, "evaluate": Evaluate, "lectures": Lectures,
}
# the sections each stage reads (its `params:` in dvc.yaml; train also checks the records' data keys)
STAGE_SECTIONS = {
    "prepare": ("data", "paths"),
    "build_records": ("data", "model", "paths"),
    "train": ("seed", "data", "model", "strategy", "trainer", "logger", "paths"),
    "evaluate": ("evaluate", "paths"),
    "lectures": ("lectures", "paths"),
    "inspec_lectures": ("paths",),
}


def validate(cfg: DictConfig | dict, stage: str, source: str = "config") -> None:
    """Check the sections ``stage`` reads (`STAGE_SECTIONS`); raise `ConfigError`, one line naming the
    file ``source``, the key, the value and what is allowed (up to three problems, ``; ``-separated).

    Interpolations in those sections are resolved first, so a broken ``${...}`` is reported here too.
    """
    problems = []
    for section in STAGE_SECTIONS[stage]:
        if section not in cfg:
            problems.append(f"{section}: missing")
            continue
        try:  # resolves ${...} in this section only
            node = cfg[section]
            value = OmegaConf.to_container(node, resolve=True) if OmegaConf.is_config(node) else node
        except Exception as e:  # an unresolvable ${...}: OmegaConf's message spans several lines
            key = getattr(e, "full_key", None) or section
            problems.append(f"{key}: {str(e).splitlines()[0]}")
            continue
        schema = SECTIONS[section]
        if section == "seed":
            value = {"seed": value}
        if not isinstance(value, dict):
            problems.append(f"{section} = {value!r}: expected a mapping of keys")
            continue
        try:
            schema.model_validate(value)
        except ValidationError as e:
            prefix = () if section == "seed" else (section,)
            problems += [describe(schema, prefix, err) for err in e.errors(include_url=False)]
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise ConfigError(f"{source}: " + "; ".join(problems[:3]) + more)


class Style(NamedTuple):
    """How `describe` phrases a wrong value (with a field description, and without: pydantic's message)
    and an unknown key."""

    wrong: str
    wrong_plain: str
    unknown: str


# the pipeline's stages (``key = value: expected ...``) and the lecture side (``key=value: ...``)
CONFIG_STYLE = Style("{key} = {value!r}: expected {allowed}", "{key} = {value!r}: {allowed}",
                     "{key}: unknown key (known: {known})")
LECTURE_STYLE = Style("{key}={value!r}: {allowed}", "{key}={value!r}: {allowed}",
                      "{key}: unknown key (allowed: {known})")


def describe(schema: type[BaseModel], prefix: tuple, err: dict, style: Style = CONFIG_STYLE) -> str:
    """One pydantic error ``err`` of ``schema`` (a section under the keys ``prefix``) as one line naming the
    key, the value and the field's ``description`` (what is allowed), phrased by ``style``:
    ``trainer.learning_rate = 'abc': expected a float in (0, 1], e.g. 1.0e-4``."""
    loc = tuple(str(p) for p in err["loc"])
    key = ".".join(prefix + loc)
    if err["type"] == "missing":
        return f"{key}: missing"
    if err["type"] == "extra_forbidden":
        return style.unknown.format(key=key, value=err["input"], known=", ".join(_field_names(schema, loc[:-1])))
    if err["type"] == "value_error":  # a validator: its message names the keys already
        return str(err["msg"]).removeprefix("Value error, ")
    allowed = _field_description(schema, loc)
    template = style.wrong if allowed else style.wrong_plain
    return template.format(key=key, value=err["input"], allowed=allowed or err["msg"])


def check_section(schema: type[BaseModel], value, prefix: tuple = (), style: Style = CONFIG_STYLE,
                  source: str | None = None):
    """``schema.model_validate(value)``, or `ConfigError` with the first problem in one line (`describe`),
    after ``source:`` when given. ``value``: a mapping, or a DictConfig (resolved first)."""
    if OmegaConf.is_config(value):
        value = OmegaConf.to_container(value, resolve=True)
    if not isinstance(value, dict):
        raise ConfigError(f"{'.'.join(prefix) or 'config'} = {value!r}: expected a mapping of keys")
    try:
        return schema.model_validate(value)
    except ValidationError as e:
        line = describe(schema, prefix, e.errors(include_url=False)[0], style)
        raise ConfigError(f"{source}: {line}" if source else line) from None


def _field(schema: type[BaseModel], loc: tuple):
    info = None
    for part in loc:
        if not (isinstance(schema, type) and issubclass(schema, BaseModel)) or part not in schema.model_fields:
            return None
        info = schema.model_fields[part]
        schema = info.annotation
    return info


def _field_description(schema, loc) -> str | None:
    info = _field(schema, loc)
    return info.description if info else None


def _field_names(schema, loc) -> list[str]:
    if loc:
        info = _field(schema, loc)
        schema = info.annotation if info else None
    return list(schema.model_fields) if isinstance(schema, type) and issubclass(schema, BaseModel) else []
