"""Rule-based question generator: candidates from keyphrase-bearing sentences, then a greedy selection.

Every (keyphrase, sentence, type) that can make a question is a candidate with a priority (keyphrase
rank, sentence length, a definitional sentence for short answers, a small seeded jitter). Selection
cycles through the requested types and takes the best candidate that (a) uses an unused sentence and an
untested keyphrase, (b) is far in time from the questions already chosen (spread over the lecture) and
(c) neither shows another question's answer in its stem nor has its answer shown in another's stem.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from lecturelab.keyphrases import stem_key
from lecturelab.models.pos import lexicon_tag, pos_tags
from lecturelab.quiz.confidence import carries_content, heard_unsure, is_rare, unsure_per_sentence
from lecturelab.quiz.distractors import DistractorPool, Term, article_before
from lecturelab.quiz.schema import BLANK, TF_OPTIONS, Settings, answer_terms, difficulty_label
from lecturelab.quiz.stems import (
    is_greeting,
    modifies_noun,
    needs_context,
    personal,
    standalone,
    trim_fillers,
)
from lecturelab.quiz.terms import accepted_forms, words_of, worth_asking
from lecturelab.transcript.document import Keyphrase, Lecture
from lecturelab.transcript.sentences import Sentence, find_key, token_spans

_DEF_AFTER = re.compile(
    r"^\s*(?:\([^)]{0,40}\)\s*)?(?:,[^,]{0,60},\s*)?"
    r"(?:(?:is|are)\s+(?:a|an|the|one of|defined as|called|known as)\b|refers? to\b|means\b|denotes\b|"
    r"is (?:a term|what we call)\b)", re.I)
_DEF_BEFORE = re.compile(
    r"\b(?:we call (?:this|it|that|these|them)|(?:is|are) called|(?:is|are) known as|(?:is|are) termed|"
    r"referred to as|we refer to (?:this|it|that) as|this is called|known as)\s+(?:an?\s+|the\s+)?$", re.I)
# detail and mention questions blank only one of the lecture's first BLANK_TOP key concepts (concepts.json order)
BLANK_TOP = 20
BASE_DIFFICULTY = {"tf": 0.25, "mcq": 0.4, "blank": 0.6, "short": 0.65}


@dataclass
class Candidate:
    type: str
    kp: Keyphrase
    rank: float          # 1.0 for the best keyphrase, towards 0 for the last
    sent: Sentence
    span: tuple[int, int]  # the keyphrase inside ``text``
    priority: float
    text: str = ""       # the stem sentence: sent.text trimmed of fillers
    context: str = ""    # the sentence before, when the stem needs it


def is_definition(text: str, span: tuple[int, int]) -> bool:
    """'X is a ...', 'X refers to ...', 'we call this X', 'X, ..., is the ...' around the span."""
    before, after = text[: span[0]], text[span[1]:]
    if len(before.split()) <= 3 and _DEF_AFTER.match(after):
        return True
    return bool(_DEF_BEFORE.search(before))


def blank_out(text: str, span: tuple[int, int]) -> str:
    return text[: span[0]] + BLANK + text[span[1]:]


@dataclass
class Stem:
    """A sentence as a question may use it, or why it may not (``why`` names the reason)."""
    text: str
    unsure: set[str]
    why: str = ""
    context: str = ""


def sentence_stems(lecture: Lecture, settings: Settings) -> list[Stem]:
    """Per sentence: the stem text (fillers trimmed) and the words the transcriber was unsure of, or why the
    sentence makes no stem: too short or long, an unsure content word (the stem would carry a transcription
    error), or pointing back ("This is also ...": it needs the talk around it, and two sentences make a run-on
    stem)."""
    out: list[Stem] = []
    heard = unsure_per_sentence(lecture.sentences, settings)
    # a rare word heard unsurely once is suspect everywhere: Whisper repeats a mishearing, more surely later
    # ("keyframes" for "keyphrases", p 0.81 then 0.98, in the synthetic sample lecture)
    rare = {w for ws in heard for w in ws if is_rare(w, settings.rare_word_zipf)}
    for sent, unsure in zip(lecture.sentences, heard, strict=True):
        text = trim_fillers(sent.text)
        unsure = unsure | rare
        n = len(text.split())
        stem = Stem(text, unsure)
        if n < settings.min_words:
            stem.why = "too short"
        elif n > settings.max_words:
            stem.why = f"over {settings.max_words} words"
        elif any(heard_unsure(w, unsure) and carries_content(w) for w in words_of(text)):
            stem.why = "words the transcriber was unsure of"
        elif is_greeting(text):
            stem.why = "a greeting"
        elif needs_context(text):
            stem.why = "points back to what was said before"
        out.append(stem)
    return out


_PRONOUN_BACK = {"it", "its", "they", "them", "their", "theirs", "itself", "themselves"}
_NOT_A_PLACE = {"so", "than", "such", "now", "except"}


def deictic_that(text: str) -> bool:
    """True when ``text`` uses "that" as a demonstrative pointing at the talk around it: a determiner after a
    preposition ("in that period", "for that reason") or a pronoun ending a clause or before an adverb or a
    preposition ("makes that very clear", "because of that."). "that" opening a clause ("argued that markets
    fail", "the idea that is") stays. Penn tags of ``models.pos.pos_tags`` (the tagger tags every "that" IN)."""
    toks = [(text[a:b].lower(), t) for a, b, t in pos_tags(text)]
    for i, (w, _) in enumerate(toks):
        if w != "that":
            continue
        prev_w, prev_t = toks[i - 1] if i else ("", "^")
        nxt_t = toks[i + 1][1] if i + 1 < len(toks) else "."
        if prev_t == "IN" and prev_w not in _NOT_A_PLACE and nxt_t in ("NN", "NNS", "JJ"):
            return True
        if (prev_t.startswith(("VB", "IN")) and prev_w not in _NOT_A_PLACE
                and nxt_t in ("RB", "IN", "TO", "CC", ".", ",", ":")):
            return True
    return False


def pronoun_first(text: str) -> bool:
    """True when a third-person pronoun comes before what it can stand for in ``text``: "it" / "its" before any
    noun, "they" / "them" / "their" before any plural noun ("Whenever a bank got in trouble, they could ...").
    What it stands for was said before, so the stem cannot be read alone."""
    noun = plural = False
    for i, (a, b, t) in enumerate(pos_tags(text)):
        if i == 0 and t == "NNP":   # the tagger reads a capital at the start as a name ("Reading")
            t = lexicon_tag(text[a:b]) or t
        w = text[a:b].lower()
        noun |= t.startswith("NN")
        plural |= t in ("NNS", "NNPS") or w in ("people", "men", "women", "children")
        if w in _PRONOUN_BACK and not (plural if w.startswith(("the", "them")) else noun):
            return True
    return False


# a discourse marker or a comparison that only the talk around the sentence completes ("Interestingly, most
# markets were off by a similar magnitude.", "... has to bring something, though.")
_TALK = re.compile(r"\b(?:interestingly|similarly|similar|likewise|moreover|furthermore|however|therefore|thus|hence|"
                   r"nevertheless|nonetheless|otherwise|accordingly|consequently|more generally|in turn|in fact|"
                   r"indeed|of course|the whole thing|at that point|at this point)\b|"
                   r"\b(?:though|either|too|either way)\s*[.!]$", re.I)


_BE = {"is", "are", "was", "were", "be", "been", "being", "become", "becomes", "became", "get", "gets", "got"}


def needs_the_talk(text: str) -> bool:
    """True when ``text`` holds a discourse marker that links it to the sentence before (``_TALK``:
    "Interestingly", "however", "similar", a closing "though") or a comparative after "be" with no "than" ("Stocks
    were cheaper and bonds were more expensive.": than what was said before)."""
    if _TALK.search(text):
        return True
    if re.search(r"\bthan\b", text, re.I):
        return False
    # a comparative after "be" / "become" ("were cheaper", "is much more expensive"), not an adverb of manner
    # ("generalise better to new data")
    toks = [(text[a:b].lower(), t) for a, b, t in pos_tags(text)]
    return any(t in ("JJR", "RBR") and any(w in _BE for w, _ in toks[max(i - 2, 0):i])
               for i, (_, t) in enumerate(toks))


def stands_alone(text: str) -> bool:
    """A stem a student can answer without the talk around it: third person (no ``stems.personal`` word),
    ``stems.standalone``, no demonstrative "that" (``deictic_that``), no pronoun before what it can stand for
    (``pronoun_first``) and no link to the sentence before (``needs_the_talk``)."""
    return (not personal(text) and standalone(text) and not deictic_that(text) and not pronoun_first(text)
            and not needs_the_talk(text))


def _key_part_sure(text: str, span: tuple[int, int], unsure: set[str]) -> bool:
    """The answer and the two words either side of it were heard with confidence."""
    before, answer, after = words_of(text[: span[0]])[-2:], words_of(text[span[0]:span[1]]), words_of(text[span[1]:])[:2]
    return not any(heard_unsure(w, unsure) for w in before + answer + after)


def candidates(lecture: Lecture, settings: Settings, rng: random.Random,
               stems: list[Stem] | None = None, central: np.ndarray | None = None) -> list[Candidate]:
    """All feasible candidates, best priority first (distractor-dependent checks happen later).

    Priority = keyphrase rank + how central the sentence is to the lecture (``models.embed.centrality``; both in
    [0, 1]) + small bonuses (8-30 words, a definition for a short answer) - crowding - needing context.
    """
    stems = stems if stems is not None else sentence_stems(lecture, settings)
    central = central if central is not None else np.ones(len(lecture.sentences))
    out, n = [], max(len(lecture.keyphrases), 1)
    # sentences by stemmed token, so each keyphrase is matched only where all its tokens occur
    index: dict[str, set[int]] = defaultdict(set)
    for sent, stem in zip(lecture.sentences, stems, strict=True):
        if not stem.why:
            for tok, _, _ in token_spans(stem.text):
                index[tok].add(sent.index)
    # every keyphrase mention per usable sentence: a shorter one inside a longer one ("corpus" in "acoustic
    # corpus") is not blanked alone, the longer one makes the question
    mentions: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for kp in lecture.keyphrases:
        for i in set.intersection(*(index.get(t, set()) for t in kp.key.split())):
            mentions[i].extend(find_key(stems[i].text, kp.key))
    # with the lecture's key concepts, a keyphrase their ranking dropped (anecdote detail, a prop, common or
    # misheard words) is asked about no more than it is offered as a distractor; a blank goes only on one of
    # the first ``BLANK_TOP`` (a concept ranked lower is an incidental noun: "farmhand", "heart")
    ranked = ({c.get("key") or stem_key(c["term"]) for c in lecture.concepts[:BLANK_TOP]} if lecture.concepts
              else None)
    for r, kp in enumerate(lecture.keyphrases):
        rank = 1.0 - r / n
        if ranked is not None and kp.key not in ranked:
            continue
        ids = set.intersection(*(index.get(t, set()) for t in kp.key.split()))
        found = [(lecture.sentences[i], stems[i], find_key(stems[i].text, kp.key)) for i in sorted(ids)]
        # an answer mentioned in many sentences bars them all from other questions (it would leak)
        crowding = 0.1 * min(sum(bool(f) for _, _, f in found) - 1, 5)
        for sent, stem, spans in found:
            if not spans or not _key_part_sure(stem.text, spans[0], stem.unsure):
                continue
            a, b = spans[0]
            if any(x <= a and b <= y and (x, y) != (a, b) for x, y in mentions[sent.index]):
                continue
            surface = stem.text[spans[0][0]:spans[0][1]]
            if not worth_asking(surface) or (stem.context and find_key(stem.context, kp.key)):
                continue
            # half a compound ("the ___ levels" for "recording levels") makes no question of any type: swapped
            # for a distractor it reads as badly ("Hopefully the audio quality levels are okay.")
            if modifies_noun(stem.text, b):
                continue
            # "I had a ___ on my own": a spoken first- or second-person sentence is an aside or an anecdote,
            # and blanking it leaves the speaker in the stem (the key-concept forms rewrite the safe ones); a
            # stem that opens with "It's" or holds "this ..." needs the talk around it; a question is no statement
            if not stands_alone(stem.text):
                continue
            n_words = len(stem.text.split())
            quality = 0.3 if 8 <= n_words <= 30 else 0.1
            quality -= 0.2 if stem.context else 0.0
            # a detail's false statement would swap in a similar keyphrase, often also true or nonsense ("Secular
            # was a challenge"); with the lecture's key concepts, true/false is theirs (a contrast swapped)
            for typ in [t for t in settings.types if t != "tf" or lecture.concepts is None]:
                # a blank needs exactly one mention, or the stem would show the answer elsewhere
                if typ != "tf" and len(spans) != 1:
                    continue
                if typ == "short" and not is_definition(stem.text, spans[0]):
                    continue
                bonus = (0.5 if typ == "short" else 0.0) - (crowding if typ != "tf" else 0.0)
                prio = rank + float(central[sent.index]) + quality + bonus + rng.uniform(0, 0.1)
                out.append(Candidate(typ, kp, rank, sent, spans[0], prio, stem.text, stem.context))
    out.sort(key=lambda c: -c.priority)
    return out


def _difficulty(typ: str, c: Candidate, sims: list[float]) -> float:
    d = BASE_DIFFICULTY[typ] + 0.2 * (1.0 - c.rank) - 0.1 * min(c.kp.count - 1, 3) / 3
    if sims:
        d += 0.2 * sum(sims) / len(sims)   # close distractors make an item harder
    return round(min(max(d, 0.05), 0.95), 2)


def _match_case(src: str, repl: str) -> str:
    return repl[0].upper() + repl[1:] if src[:1].isupper() and repl[:1].islower() else repl


def shown(surface: str, phrase: str, sentence_start: bool) -> str:
    """The answer as options and keys show it: a sentence-initial capital is undone when the keyphrase's
    display form (keyphrases.json ``phrase``, as spoken) starts lower-case, so "Gradient descent" at the
    start of a sentence does not stand out among lower-case distractors; "GPU" stays "GPU"."""
    if sentence_start and surface[:1].isupper() and phrase[:1].islower() and surface[1:2].islower():
        return surface[0].lower() + surface[1:]
    return surface


def really_false(statement: str, term: Term, c: Candidate, lecture: Lecture) -> bool:
    """A swapped-in statement is false when the lecture never says it: the new term is not in the source
    sentence or its neighbours, and no transcript sentence reads like the statement."""
    i = c.sent.index
    near = [s.text for s in lecture.sentences[max(i - 1, 0): i + 2]]
    if any(find_key(t, term.key) for t in near):
        return False
    flat = " ".join(words_of(statement))
    return all(" ".join(words_of(s.text)) != flat for s in lecture.sentences)


def build(c: Candidate, pool: DistractorPool, settings: Settings, rng: random.Random, tf_false: bool,
          lecture: Lecture | None = None) -> dict | None:
    """The question for a candidate, or None when it cannot be made (not enough distractors of the answer's
    kind in the similarity band, or no swap that makes a true/false statement really false)."""
    text = c.text or c.sent.text
    surface = shown(text[c.span[0]:c.span[1]], c.kp.phrase, c.span[0] == 0)
    accepted = accepted_forms(surface, [c.kp.phrase, *c.kp.variants])
    answer_term = Term(surface, c.kp.key, "lecture")
    context = f"(After: \u201c{c.context}\u201d) " if c.context else ""
    q = {"type": c.type, "options": None, "answer": surface, "accepted": accepted, "explanation": c.sent.text,
         "start": round(c.sent.start, 2), "end": round(c.sent.end, 2), "sentence": c.sent.index,
         "segment": c.sent.segment, "keyphrase": c.kp.phrase, "key": c.kp.key}
    sims: list[float] = []
    band = dict(max_similarity=settings.max_similarity, min_similarity=settings.min_similarity,
                topic_ratio=settings.topic_ratio)
    if c.type == "blank":
        q["stem"] = f"{context}Fill in the blank: {blank_out(text, c.span)}"
    elif c.type == "short":
        q["stem"] = f"{context}Which term does the lecture define here? {blank_out(text, c.span)}"
    elif c.type == "mcq":
        stem = blank_out(text, c.span)
        picked = pool.pick(answer_term, settings.num_distractors, avoid_text=context + stem,
                           article=article_before(stem), **band)
        if len(picked) < settings.num_distractors:
            return None
        options = [surface] + [t.text for t, _ in picked]
        rng.shuffle(options)
        sims = [s for _, s in picked]
        q.update(stem=f"{context}Which term completes the sentence? {stem}", options=options,
                 distractors=[t.text for t, _ in picked])
    else:  # tf: the statement as said, or with the keyphrase swapped for a plausible wrong term
        statement = text
        if tf_false:
            picked = pool.pick(answer_term, 3, avoid_text=context + text, **band)
            for term, sim in picked:
                statement = text
                for a, b in reversed(find_key(text, c.kp.key)):
                    statement = statement[:a] + _match_case(statement[a:b], term.text) + statement[b:]
                if lecture is None or really_false(statement, term, c, lecture):
                    sims = [sim]
                    q["swapped_in"] = term.text
                    break
            else:
                return None
        q.update(stem=f"{context}True or false: {statement}", options=list(TF_OPTIONS),
                 answer="True" if not tf_false else "False", accepted=[])
    q["difficulty"] = _difficulty(c.type, c, sims)
    q["difficulty_label"] = difficulty_label(q["difficulty"])
    return q


def leaks_with(q: dict, chosen: list[dict]) -> bool:
    """True if ``q``'s stem shows an answer of ``chosen``, or a chosen stem shows ``q``'s answer."""
    keys_new = [stem_key(t) for t in answer_terms(q)]
    for other in chosen:
        if any(find_key(other["stem"], k) for k in keys_new):
            return True
        if any(find_key(q["stem"], stem_key(t)) for t in answer_terms(other)):
            return True
    return False


def _spread(c: Candidate, chosen: list[dict], gap: float) -> float:
    """0 next to a chosen question, 1 at least ``gap`` seconds from all of them."""
    if not chosen:
        return 0.0
    return min(1.0, min(abs(c.sent.start - q["start"]) for q in chosen) / gap)


def select(cands: list[Candidate], pool: DistractorPool, settings: Settings, duration: float,
           rng: random.Random, n: int, chosen: list[dict] | None = None, lecture: Lecture | None = None) -> list[dict]:
    """Greedy, seeded selection of up to ``n`` questions (appended to ``chosen``, which may hold some).

    True/false items go false, true, false ... (a false one is made first; if none can be, no true one
    is), so at most half of them are the sentence as said."""
    chosen = list(chosen or [])
    types = list(settings.types)
    rng.shuffle(types)
    gap = max(duration, 1.0) / max(n, 1)   # ideal time between questions
    tf_count, tf_true, slot = 0, 0, 0
    while len(chosen) < n:
        used_sents = {q.get("sentence") for q in chosen}
        used_keys = {q.get("key") for q in chosen}
        made = None
        for typ in types[slot % len(types):] + types[: slot % len(types)]:
            open_ = [c for c in cands if c.type == typ and c.sent.index not in used_sents and c.kp.key not in used_keys]
            for c in sorted(open_, key=lambda c: -(c.priority + 0.6 * _spread(c, chosen, gap))):
                # false, true, false, true ...: balanced, and never more than half true
                q = build(c, pool, settings, rng, tf_false=tf_true >= tf_count - tf_true, lecture=lecture)
                if q is not None and not leaks_with(q, chosen):
                    made = q
                    break
            if made:
                break
        if made is None:
            break
        tf_count += made["type"] == "tf"
        tf_true += made["type"] == "tf" and made["answer"] == "True"
        chosen.append(made)
        slot += 1
    return chosen
