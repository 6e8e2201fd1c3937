"""The rule-based generator run on a lecture: sentence stems, candidates, a distractor pool, selection.

``rule_questions`` is what ``quiz=rules`` asks, and what ``quiz=llm`` falls back to or fills up with
(`lecturelab.quiz.llm`). The rules themselves are in `lecturelab.quiz.rules`.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import numpy as np

from lecturelab.keyphrases import stem_key
from lecturelab.models.embed import centrality, embed
from lecturelab.quiz.concept_quiz import concept_questions
from lecturelab.quiz.confidence import heard_unsure, unsure_per_sentence
from lecturelab.quiz.distractors import DistractorPool, Term, find_background, load_background
from lecturelab.quiz.rules import Stem, candidates, select, sentence_stems
from lecturelab.quiz.schema import Settings
from lecturelab.quiz.terms import is_concept, words_of
from lecturelab.transcript.document import Lecture

REPO_ROOT = Path(__file__).resolve().parents[2]


def distractor_pool(lecture: Lecture, settings: Settings, notes: list[str]) -> DistractorPool:
    """The lecture's keyphrases plus the background vocabulary (if found), with embeddings. A keyphrase
    with a word the transcriber was unsure of anywhere (a misheard word), or one the lecture's concepts.json
    does not list, is not offered as a distractor."""
    unsure = set().union(*unsure_per_sentence(lecture.sentences, settings))
    # with the lecture's key concepts, a keyphrase they dropped (anecdote detail, a prop, common or misheard
    # words) is no option either
    concepts = getattr(lecture, "concepts", None)
    ranked = {c.get("key") or stem_key(c["term"]) for c in concepts} if concepts else None
    terms = [Term(k.phrase, k.key, "lecture") for k in lecture.keyphrases
             if not any(heard_unsure(w, unsure) for w in words_of(k.phrase)) and is_concept(k.phrase)
             and (ranked is None or k.key in ranked)]
    path = find_background(list(settings.background), [Path.cwd(), REPO_ROOT])
    if path is None:
        notes.append(f"no background vocabulary found (looked for {', '.join(settings.background)}): "
                     "distractors come from the lecture's own keyphrases only")
        return DistractorPool(terms, (), settings.embedding_package, None)
    return DistractorPool(terms, load_background(str(path), settings.background_max_words),
                          settings.embedding_package, cache_folder(settings))


def concept_pool(terms: list[Term], settings: Settings, sentence_vectors: np.ndarray) -> DistractorPool:
    """The lecture's key concepts as a distractor pool, with no background vocabulary: a wrong option for a
    key concept is another concept of the same lecture."""
    pool = DistractorPool(terms, (), settings.embedding_package, None)
    pool.set_topic(sentence_vectors)
    return pool


def cache_folder(settings: Settings) -> Path | None:
    """``quiz.cache_dir`` as a folder (relative: to the working directory), or None when it is null."""
    if not settings.cache_dir:
        return None
    return Path(settings.cache_dir) if Path(settings.cache_dir).is_absolute() else Path.cwd() / settings.cache_dir


def rule_questions(lecture: Lecture, settings: Settings, notes: list[str], chosen: list[dict] | None = None,
                   n: int | None = None) -> list[dict]:
    """Rule-based questions (``chosen`` ones are kept and constrain the rest): questions on the key concepts
    first (`lecturelab.quiz.concept_quiz`, up to ``n``), then detail questions from keyphrase-bearing
    sentences fill up to ``n``."""
    rng = random.Random(settings.seed)
    stems = sentence_stems(lecture, settings)
    usable = [i for i, s in enumerate(stems) if not s.why]
    central = np.ones(len(stems))
    vectors = embed([stems[i].text for i in usable], settings.embedding_package)
    if len(usable) > 1:   # how central each sentence is to the whole transcript (MiniLM embeddings)
        central[usable] = centrality(vectors)
    cands = candidates(lecture, settings, rng, stems, central)
    needs_pool = any(c.type in ("mcq", "tf") for c in cands)
    pool = distractor_pool(lecture, settings, notes) if needs_pool else DistractorPool([], ())
    pool.set_topic(vectors)
    n = settings.num_questions if n is None else n
    chosen = list(chosen or [])
    if settings.concept_top > 0:   # the key concepts first, then details fill up
        unsure = set().union(*(s.unsure for s in stems)) if stems else set()
        chosen += concept_questions(lecture, settings, stems, unsure,
                                    lambda terms: concept_pool(terms, settings, vectors), rng, n - len(chosen), chosen,
                                    central)
    out = select(cands, pool, settings, lecture.duration, rng, n, chosen, lecture)
    if len(out) < n:
        notes.extend(shortfall_notes(lecture, stems, cands))
    return out


def shortfall_notes(lecture: Lecture, stems: list[Stem], cands: list) -> list[str]:
    """Why the material supports fewer questions: sentences left out by reason, keyphrases never usable."""
    why = Counter(s.why for s in stems if s.why)
    parts = [f"{n} {reason}" for reason, n in why.most_common()]
    out = []
    if parts:
        out.append(f"of {len(stems)} sentences, not used as question stems: " + "; ".join(parts))
    used = {c.kp.key for c in cands}
    left = [k.phrase for k in lecture.keyphrases if k.key not in used]
    if left:
        out.append(f"{len(left)} of {len(lecture.keyphrases)} keyphrases are in no usable sentence, were heard "
                   f"unsurely or are not worth asking (e.g. {', '.join(left[:3])})")
    return out
