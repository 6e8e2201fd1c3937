"""`quiz=llm`: questions written by any OpenAI-compatible chat endpoint, grounded in transcript chunks.

Each request sends one chunk of numbered transcript sentences and the chunk's keyphrases, and asks for
JSON questions that cite a sentence number. Every item is validated against the quiz schema: the cited
sentence must exist, a non-true/false answer must occur in the transcript, no duplicate or leaked
answer. Missing questions are filled by the rule-based generator; on an HTTP/JSON error, or when no
item is valid, the whole quiz falls back to it (``quiz.fallback: rules``) and the notes say so.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import urllib.error
import urllib.request

from lecturelab.keyphrases import stem_key
from lecturelab.quiz.confidence import heard_unsure
from lecturelab.quiz.distractors import distinct_options
from lecturelab.quiz.rule_quiz import rule_questions
from lecturelab.quiz.rules import BASE_DIFFICULTY, Stem, leaks_with, sentence_stems
from lecturelab.quiz.schema import BLANK, TF_OPTIONS, Settings, check_question, difficulty_label
from lecturelab.quiz.stems import blank_is_half_compound
from lecturelab.quiz.terms import accepted_forms, kind, words_of
from lecturelab.transcript.document import Lecture
from lecturelab.transcript.sentences import Sentence, find_key

log = logging.getLogger(__name__)

SYSTEM = (
    "You write quiz questions for students about a lecture. Use only facts stated in the transcript "
    "sentences you are given. Reply with one JSON object and nothing else."
)
FORMAT = """Write {k} question(s) about the transcript sentences below. Allowed types: {types}.
- "blank": a sentence with the key term replaced by _____ ; answer = the removed term.
- "mcq": a sentence with the key term replaced by _____ and 4 options (the term and 3 wrong terms).
- "tf": a statement; answer "True" if the transcript says it, "False" if you changed a term.
- "short": ask for the term a sentence defines; answer = the term.
Each answer (except tf) must be a phrase copied from the transcript. Cite the sentence number you used.
Key terms of this part: {keyphrases}
Reply as: {{"questions": [{{"type": "...", "stem": "...", "options": ["..."] or null, "answer": "...",
"keyphrase": "...", "sentence": <number>}}]}}

Transcript sentences:
{sentences}"""


class LLMError(RuntimeError):
    """The endpoint could not be reached or did not answer in the chat-completions format."""


def chat(settings: Settings, messages: list[dict]) -> str:
    """One chat completion from ``{url}/chat/completions``; returns the message content."""
    url = str(settings.url).rstrip("/") + "/chat/completions"
    body = {"model": settings.model, "messages": messages, "temperature": settings.temperature,
            "response_format": {"type": "json_object"}}
    headers = {"Content-Type": "application/json"}
    key = os.environ.get(settings.api_key_env or "")
    if key:
        headers["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=settings.timeout) as resp:
            data = json.loads(resp.read().decode("utf-8"))
        return data["choices"][0]["message"]["content"]
    except urllib.error.HTTPError as e:
        raise LLMError(f"{url}: HTTP {e.code} {e.reason}") from e
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        raise LLMError(f"{url}: {getattr(e, 'reason', e)}") from e
    except (ValueError, KeyError, IndexError, TypeError) as e:
        raise LLMError(f"{url}: not a chat-completions reply ({e})") from e


def parse_questions(content: str) -> list[dict]:
    """The ``questions`` list of a JSON reply (code fences and text around the object tolerated)."""
    m = re.search(r"\{.*\}", content or "", re.S)
    if not m:
        raise LLMError("reply holds no JSON object")
    try:
        obj = json.loads(m.group())
    except json.JSONDecodeError as e:
        raise LLMError(f"reply is not valid JSON ({e})") from e
    qs = obj.get("questions") if isinstance(obj, dict) else None
    if not isinstance(qs, list):
        raise LLMError("reply has no 'questions' list")
    return qs


def chunks(sentences: list[Sentence], words: int) -> list[list[Sentence]]:
    """Consecutive sentences, about ``words`` words per chunk."""
    out, cur, n = [], [], 0
    for s in sentences:
        cur.append(s)
        n += len(s.text.split())
        if n >= words:
            out.append(cur)
            cur, n = [], 0
    return out + ([cur] if cur else [])


def _contains(words: list[str], part: list[str]) -> bool:
    return any(words[i:i + len(part)] == part for i in range(len(words) - len(part) + 1))


def to_question(item: dict, lecture: Lecture, chunk: list[Sentence], settings: Settings,
                stems: list[Stem] | None = None) -> dict:
    """A schema question from one LLM item; raises ValueError naming what is wrong.

    The same validation as the rule-based items: the cited sentence makes a stem (``rules.sentence_stems``:
    whole, short enough, no content word heard unsurely), the answer occurs in the transcript and none of
    its words or the options' was heard unsurely, a blank's stem with the answer filled in holds the whole
    cited sentence, and multiple-choice options are of the answer's kind (``terms.kind``)."""
    if not isinstance(item, dict):
        raise ValueError("item is not an object")
    typ = str(item.get("type", "")).strip().lower()
    if typ not in settings.types:
        raise ValueError(f"type '{typ}' not requested")
    by_index = {s.index: s for s in chunk}
    try:
        sent = by_index[int(item.get("sentence"))]
    except (TypeError, ValueError, KeyError):
        raise ValueError(f"cites no sentence of its chunk ({item.get('sentence')!r})") from None
    stem = re.sub(r"_{3,}", BLANK, " ".join(str(item.get("stem") or "").split()))
    answer = " ".join(str(item.get("answer") or "").split())
    if typ == "tf":
        answer = answer.capitalize()
    elif not find_key(lecture.text, stem_key(answer)):
        raise ValueError(f"answer '{answer}' does not occur in the transcript")
    if typ in ("blank", "mcq") and BLANK not in stem:
        raise ValueError("a blank/mcq stem needs a _____ gap")
    options = item.get("options") if typ == "mcq" else TF_OPTIONS if typ == "tf" else None
    st = (stems or sentence_stems(lecture, settings))[sent.index]
    if st.why:
        raise ValueError(f"cited sentence {sent.index} makes no stem ({st.why})")
    heard = [answer] if typ != "tf" else []
    heard += [str(o) for o in options or [] if typ == "mcq"]
    if any(heard_unsure(w, st.unsure) for t in heard for w in words_of(t)):
        raise ValueError(f"answer or option holds a word the transcriber was unsure of ({answer!r})")
    if typ in ("blank", "mcq") and not _contains(words_of(stem.replace(BLANK, f" {answer} ")), words_of(st.text)):
        raise ValueError("the stem is not the whole cited sentence with the answer blanked")
    if typ in ("blank", "mcq") and blank_is_half_compound(stem, answer, BLANK):
        raise ValueError(f"the blank is half a compound ({answer!r} before another noun)")
    if typ == "mcq" and any(kind(str(o)) != kind(answer) for o in options or []):
        raise ValueError("a multiple-choice option is not of the answer's kind")
    if typ == "mcq" and not distinct_options([str(o) for o in options or []]):
        raise ValueError("multiple-choice options share a word or are of other parts of speech")
    keyphrase = " ".join(str(item.get("keyphrase") or (answer if typ != "tf" else "")).split())
    if not stem_key(keyphrase):
        raise ValueError("a true/false item must name the keyphrase it tests")
    q = {"id": "llm", "type": typ, "stem": stem, "options": [str(o).strip() for o in options] if options else None,
         "answer": answer, "accepted": accepted_forms(answer, []) if typ in ("blank", "short") else [], "explanation": sent.text,
         "start": round(sent.start, 2), "end": round(sent.end, 2), "sentence": sent.index, "segment": sent.segment,
         "keyphrase": keyphrase, "key": stem_key(keyphrase),
         "difficulty": BASE_DIFFICULTY[typ]}
    q["difficulty_label"] = difficulty_label(q["difficulty"])
    problems = check_question(q)
    if problems:
        raise ValueError(problems[0])
    return q


def llm_questions(lecture: Lecture, settings: Settings, notes: list[str]) -> tuple[list[dict], dict]:
    """Questions from the endpoint (validated, topped up by the rule-based generator) and a generator record."""
    gen = {"name": "llm", "url": settings.url, "model": settings.model, "fallback": False}
    n = settings.num_questions
    parts = chunks(lecture.sentences, settings.chunk_words)
    if len(parts) > n > 0:   # spread the requests over the lecture
        parts = [parts[round(i * (len(parts) - 1) / max(n - 1, 1))] for i in range(n)]
    per_chunk = math.ceil(n / max(len(parts), 1))
    chosen: list[dict] = []
    rejected: list[str] = []
    stems = sentence_stems(lecture, settings)
    try:
        for part in parts:
            if len(chosen) >= n:
                break
            keys = [k.phrase for k in lecture.keyphrases if any(find_key(s.text, k.key) for s in part)]
            prompt = FORMAT.format(k=per_chunk, types=", ".join(settings.types), keyphrases=", ".join(keys[:15]),
                                   sentences="\n".join(f"[{s.index}] {s.text}" for s in part))
            content = chat(settings, [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}])
            for item in parse_questions(content):
                try:
                    q = to_question(item, lecture, part, settings, stems)
                except ValueError as e:
                    rejected.append(str(e))
                    continue
                used = {(c["sentence"], c["key"]) for c in chosen}
                if any(q["sentence"] == s or q["key"] == k for s, k in used) or leaks_with(q, chosen):
                    rejected.append("duplicates or gives away another question")
                    continue
                if len(chosen) < n:
                    chosen.append(q)
    except LLMError as e:
        if settings.fallback != "rules":
            raise
        notes.append(f"the LLM generator failed ({e}); used the rule-based generator instead")
        log.warning("%s", notes[-1])
        return rule_questions(lecture, settings, notes), {**gen, "fallback": True}
    if rejected:
        notes.append(f"dropped {len(rejected)} invalid LLM question(s), e.g.: {rejected[0]}")
    if not chosen and settings.fallback == "rules":
        notes.append("the LLM gave no valid question; used the rule-based generator instead")
        return rule_questions(lecture, settings, notes), {**gen, "fallback": True}
    gen["llm_questions"] = len(chosen)
    if len(chosen) < n and settings.fallback == "rules":
        before = len(chosen)
        chosen = rule_questions(lecture, settings, notes, chosen=chosen, n=n)
        if len(chosen) > before:
            notes.append(f"{len(chosen) - before} question(s) added by the rule-based generator")
    return chosen, gen
