"""Questions on the lecture's key concepts (concepts.json order), made before any detail question.

Forms, each built from one sentence the lecture says (docs/quiz.md, "Key-concept questions"):
- ``term``: the term from its definition or explanation. "X is a P." -> "Which term names a P?"; "X refers to /
  means P." -> "Which term refers to P?"; "S is called X." -> "What is S called?"; "When C, we call this X." ->
  "What does the lecturer call it when C?"; "X, which is a P, ..." -> "Which term names a P?"; "X is when C." ->
  "Which term names the case when C?"; "What we mean by X is P." -> "Which term means P?". A short answer, or
  multiple choice over the lecture's other concepts.
- ``definition``: "Which of these describes X, as the lecture explains it?" with the P of other concepts'
  "Y is a P." sentences as the wrong options (needs three of them).
- ``contrast``: a sentence that sets two concepts against each other ("A ..., whereas B ..."; "Unlike B, A
  ..."): the clause of one with its term blanked, the contrasting partner among the wrong options.
- ``subject`` / ``mention``: a whole sentence that says something of the concept (opening it, or anywhere),
  the concept blanked: multiple choice over the lecture's other concepts, or fill in the blank; a ``subject``
  or ``term`` sentence as said is a true statement.
- ``swap``: true/false; the false statement is a contrast clause with the contrasting partner swapped in,
  checked not to be said anywhere (no other swap: a concept of the same kind is often also true).

A stem is one whole sentence the transcriber was sure of (`rules.sentence_stems`), with no first- or
second-person word left after the rewrite, no pronoun or demonstrative pointing back at its start
("This ...", "It ...", "He ..."), and ending like a sentence. Wrong options are other concepts of the
lecture of the answer's kind (`DistractorPool` over the concepts, no background vocabulary), never one the
lecture says in the same sentence or its neighbours, and never one the stem's statement is also said of
(``also_fits``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import numpy as np

from lecturelab.keyphrases import stem_key
from lecturelab.models.pos import pos_tags
from lecturelab.quiz.concepts import rank_concepts
from lecturelab.quiz.confidence import heard_unsure
from lecturelab.quiz.distractors import DistractorPool, Term, article_before, overlaps, shares_word
from lecturelab.quiz.rules import BLANK_TOP, Stem, stands_alone
from lecturelab.quiz.schema import BLANK, TF_OPTIONS, Settings, difficulty_label
from lecturelab.quiz.stems import leaning, modifies_noun, personal, pointing_word, standalone
from lecturelab.quiz.terms import accepted_forms, is_function, kind, words_of, zipf
from lecturelab.transcript.document import Lecture
from lecturelab.transcript.sentences import Sentence, find_key

_COPULA = re.compile(r"^\s*(?:is|are|was|were)\s+(?P<pred>(?:a|an|the|one of the)\s+.+)$", re.I)
_VERB_DEF = re.compile(r"^\s*(?P<verb>refers to|means|denotes|describes)\s+(?P<pred>.+)$", re.I)
_CALLED = re.compile(r"^(?P<subj>.+?)\s+(?P<be>is|are)\s+(?:called|known as|termed)\s+(?:an?\s+|the\s+)?$", re.I)
_WE_CALL = re.compile(r"^(?P<conj>when|whenever|if)\s+(?P<cond>[^,]+),\s*(?:we|i|you|people)\s+call\s+"
                      r"(?:this|it|that)\s+(?:an?\s+|the\s+)?$", re.I)
# "X, which is a P, ..." / "X, a P, ...": the relative clause or appositive up to the next comma
_WHICH_IS = re.compile(r"^\s*,\s*(?:which|who)\s+(?:is|are|was|were)\s+(?P<pred>(?:a|an|the)\s+[^,;]+)(?:[,;]|$)", re.I)
# "X is when C." / "X is where C."
_IS_WHEN = re.compile(r"^\s*(?:is|are)\s+(?P<when>when|where)\s+(?P<cond>.+)$", re.I)
# "What we mean by X is P."
_MEAN_BY = re.compile(r"^(?:what|all)\s+(?:we|i|people|economists|historians|scientists)\s+mean\s+by\s+"
                      r"(?:the\s+)?$", re.I)
_CONTRAST = re.compile(r",\s*(?:whereas|while|but)\s+|;\s*", re.I)
_UNLIKE = re.compile(r"^(?:unlike|in contrast to|as opposed to)\s+(?P<other>[^,]+),\s*(?P<rest>.+)$", re.I)
_VAGUE = {"thing", "things", "idea", "way", "example", "kind", "sort", "lot", "bit", "point", "reason", "question",
          "problem", "part", "word", "term", "name", "story", "case", "one"}
# the cosine band (MiniLM) of another concept as a wrong option: above it a near-synonym of the answer ("grief"
# for "mourning"), below it a term a student rules out without having listened
OPTION_MIN_SIMILARITY, OPTION_MAX_SIMILARITY = 0.15, 0.65
_DETERMINER = re.compile(r"^(?:the|a|an)\s+$", re.I)


@dataclass
class Concept:
    """One concepts.json entry as the quiz uses it."""
    term: str
    key: str
    rank: int
    variants: list[str] = field(default_factory=list)


@dataclass
class Item:
    """A concept question before it is made a quiz dict."""
    form: str              # term, definition, contrast, swap
    type: str              # blank, mcq, tf, short
    concept: Concept
    sent: Sentence
    stem: str
    answer: str
    statement: str = ""    # the sentence part a true/false or contrast item rests on
    partner: Concept | None = None
    predicate: str = ""


def lecture_concepts(lecture: Lecture, unsure: set[str], top: int) -> list[Concept]:
    """The lecture's first ``top`` key concepts (concepts.json; ranked here from the transcript, without
    embeddings, when the folder has none) that can be asked: not made of everyday words only (Zipf >= 5 or a
    stop word), no word heard unsurely."""
    entries = lecture.concepts
    if entries is None:
        kps = [{"phrase": k.phrase, "key": k.key, "score": k.score} for k in lecture.keyphrases]
        entries = rank_concepts(lecture.sentences, lecture.duration, kps)
    out = []
    for e in entries:
        term = str(e.get("term") or "")
        ws = words_of(term)
        # the ranking already dropped classroom and common words; a phrase may open with a word of YAKE's stop
        # list ("right hemisphere"), but not be made of everyday words only
        if not ws or all(zipf(w) >= 5.0 or is_function(w) for w in ws) or any(heard_unsure(w, unsure) for w in ws):
            continue
        out.append(Concept(term, e.get("key") or stem_key(term), int(e.get("rank") or len(out) + 1),
                           list(e.get("variants") or [])))
        if len(out) == top:
            break
    return out


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(".!?;:, ")


def _lower_first(text: str) -> str:
    """First letter lower-cased unless the word is a name or an acronym ("The market" -> "the market")."""
    w = text.split()[0] if text.split() else ""
    if w[:1].isupper() and (w[1:2].islower() or len(w) == 1) and zipf(w.lower()) >= 4.0 and w != "I":
        return text[0].lower() + text[1:]
    return text


def _good_predicate(pred: str, concept: Concept) -> bool:
    """A predicate that explains: 5-25 words, no pronoun that needs the talk ("them"), a rarer content word (Zipf < 5), no vague head right after
    the article ("a big idea"), no personal or pointing word, not the term itself again."""
    ws = words_of(pred)
    if not 5 <= len(ws) <= 25 or personal(pred) or find_key(pred, concept.key) or leaning(pred):
        return False
    if any(w in ("it", "its", "they", "them", "their", "theirs") for w in ws):   # "... give them directions"
        return False
    if not any(zipf(w) < 5.0 and not is_function(w) for w in ws):
        return False
    head = [w for w in ws[1:4] if not is_function(w)]
    if head and head[0] in _VAGUE:
        return False
    return ws[0] not in ("this", "that", "these", "those", "it", "here", "what", "why", "how")


def _pins_name(pred: str, c: Concept) -> bool:
    """A description of a name needs 7 words or more to single it out ("a great observer, an empiricist" fits
    many people of a lecture); a concept's predicate is checked by ``_good_predicate`` alone."""
    return kind(c.term) != "name" or len(words_of(pred)) >= 7


def definitions(c: Concept, sent: Sentence, text: str) -> list[Item]:
    """``term`` items (and the predicate for ``definition`` items) from one sentence that defines ``c``."""
    out: list[Item] = []
    for a, b in find_key(text, c.key)[:1]:
        before, after = text[:a], text[b:]
        said = text[a:b]
        if _DETERMINER.match(before) or not before.strip():
            # "X is a P." / "X refers to P."
            m = _COPULA.match(after)
            if m and _good_predicate(m["pred"], c) and not personal(before) and _pins_name(m["pred"], c):
                pred = _clean(m["pred"])
                lead = "Which name fits this description:" if kind(c.term) == "name" else "Which term names"
                out.append(Item("term", "short", c, sent, f"{lead} {pred}?", said, predicate=pred,
                                statement=_clean(text[a:])))
                continue
            m = _WHICH_IS.match(after)
            if m and _good_predicate(m["pred"], c) and not personal(before) and _pins_name(m["pred"], c):
                pred = _clean(m["pred"])
                lead = "Which name fits this description:" if kind(c.term) == "name" else "Which term names"
                out.append(Item("term", "short", c, sent, f"{lead} {pred}?", said, predicate=pred))
                continue
            m = _IS_WHEN.match(after)
            if m and len(words_of(m["cond"])) >= 5 and not personal(m["cond"]) and not leaning(m["cond"]):
                out.append(Item("term", "short", c, sent,
                                f"Which term names the case {m['when'].lower()} {_clean(m['cond'])}?", said))
                continue
            m = _VERB_DEF.match(after)
            if m and _good_predicate(m["pred"], c):
                pred = _clean(m["pred"])
                verb = {"means": "means", "refers to": "refers to", "denotes": "denotes",
                        "describes": "describes"}[m["verb"].lower()]
                out.append(Item("term", "short", c, sent, f"Which term {verb} {pred}?", said,
                                statement=_clean(text[a:])))
                continue
        m = _MEAN_BY.match(before)
        if m and (d := re.match(r"^\s*(?:is|are)\s+(?P<pred>.+)$", after)):
            pred = d["pred"]
            if 5 <= len(words_of(pred)) <= 25 and not personal(pred) and not leaning(pred) \
                    and not find_key(pred, c.key):
                out.append(Item("term", "short", c, sent, f"Which term means {_clean(pred)}?", said))
                continue
        if _clean(after):
            continue   # the term must end the sentence for the forms below
        m = _CALLED.match(before)
        if m and not personal(m["subj"]) and standalone(m["subj"] + " x.") and len(m["subj"].split()) >= 3:
            out.append(Item("term", "short", c, sent, f"What {m['be'].lower()} {_lower_first(m['subj'])} called?",
                            said))
            continue
        m = _WE_CALL.match(before)
        if m and not personal(m["cond"]) and len(m["cond"].split()) >= 3:
            out.append(Item("term", "short", c, sent,
                            f"What does the lecturer call it {m['conj'].lower()} {_clean(m['cond'])}?", said))
    return out


def contrasts(concepts: list[Concept], sent: Sentence, text: str) -> list[Item]:
    """``contrast`` items from a sentence that sets two concepts apart: "A ..., whereas B ..." (also
    ", while" / ", but" / ";") or "Unlike B, A ...". The item is the clause of one concept, which the other
    is not in, with the other as its partner."""
    out: list[Item] = []
    m = _UNLIKE.match(text)
    if m:
        clauses = [(m["rest"], m["other"])]
    else:
        parts = _CONTRAST.split(text, maxsplit=1)
        clauses = [(parts[0], parts[1]), (parts[1], parts[0])] if len(parts) == 2 else []
    for clause, other in clauses:
        here = [c for c in concepts if len(find_key(clause, c.key)) == 1 and not find_key(other, c.key)]
        there = [c for c in concepts if find_key(other, c.key) and not find_key(clause, c.key)]
        # a short clause ("A uses the term of class") is often also said of B elsewhere: 7 words at least
        if len(here) != 1 or not there or len(words_of(clause)) < 7:
            continue
        c, partner = here[0], there[0]
        # the partner may share the head ("left hemisphere" / "right hemisphere"): the contrast is the point
        if overlaps(c.key, partner.key) or kind(c.term) != kind(partner.term):
            continue
        clause = _clean(clause)
        clause = clause[:1].upper() + clause[1:]
        if not same_form(clause[slice(*find_key(clause, c.key)[0])], c):
            continue
        if not stands_alone(clause + "."):
            continue
        a, b = find_key(clause, c.key)[0]
        said = clause[a:b]
        stem = clause[:a] + BLANK + clause[b:] + "."
        out.append(Item("contrast", "mcq", c, sent, f"Which term completes the sentence? {stem}", said,
                        statement=clause, partner=partner))
    return out


def also_fits(term: Term, statement: str, answer_key: str, lecture: Lecture, near: int) -> bool:
    """True when the lecture says ``term`` where ``statement`` is said (sentence ``near`` and its neighbours),
    or says it in a sentence that shares most of the statement's content words (at least half of them, and
    at least two): then it may also be right, not a wrong option."""
    for s in lecture.sentences[max(near - 1, 0): near + 2]:
        if find_key(s.text, term.key):
            return True
    want = {stem_key(w) for w in words_of(statement) if not is_function(w)} - set(answer_key.split())
    if len(want) < 2:
        return False
    for s in lecture.sentences:
        if find_key(s.text, term.key):
            have = {stem_key(w) for w in words_of(s.text) if not is_function(w)}
            if len(want & have) >= max(2, len(want) / 2):
                return True
    return False


def wrong_options(item: Item, pool: DistractorPool, lecture: Lecture, k: int, first: list[Concept] = ()) -> list[str]:
    """Up to ``k`` wrong options for ``item``: ``first`` (a contrasting partner) if it passes, then the
    lecture's other concepts of the answer's kind, most similar first (``DistractorPool.pick``), none that
    ``also_fits`` the stem's statement."""
    answer = Term(display_answer(item.answer, item.concept, lecture), item.concept.key, "lecture")
    statement = item.statement or item.stem
    chosen: list[Term] = []
    for c in first:
        t = Term(c.term, c.key, "lecture")
        if kind(t.text) == kind(answer.text) and not overlaps(t.key, answer.key):
            chosen.append(t)
    exclude = tuple(t.key for t in chosen)
    for t, _ in pool.pick(answer, k + 6, max_similarity=OPTION_MAX_SIMILARITY, avoid_text=item.stem,
                          exclude=exclude, min_similarity=OPTION_MIN_SIMILARITY,
                          article=article_before(item.stem, BLANK)):
        if len(chosen) >= k:
            break
        if any(overlaps(t.key, o.key) or shares_word(t.text, o.text) for o in chosen):
            continue
        if also_fits(t, statement, item.concept.key, lecture, item.sent.index):
            continue
        chosen.append(t)
    return [display_answer(t.text, Concept(t.text, t.key, 0), lecture) for t in chosen[:k]]


def mentions(concepts: list[Concept], sent: Sentence, text: str) -> list[Item]:
    """``subject`` and ``mention`` items: a whole sentence, standalone and in the third person, that names
    one concept once (and no other concept that contains it or is inside it); ``subject`` when the concept
    opens the sentence ("Humoralism was a quantum leap ..."), which then says something of it."""
    if not stands_alone(text):
        return []
    out = []
    for c in concepts:
        spans = find_key(text, c.key)
        if len(spans) != 1 or c.rank > BLANK_TOP:   # a lower concept is a detail, not worth a blank
            continue
        a, b = spans[0]
        if any(o is not c and overlaps(o.key, c.key) and find_key(text, o.key) for o in concepts):
            continue
        if not same_form(text[a:b], c) or half_compound(text, a, b):
            continue
        if modifies_noun(text, b) or re.match(r"^\s*(?:'s|’s|-)", text[b:]):
            continue
        before = text[:a]
        form = "subject" if not before.strip() or _DETERMINER.match(before) else "mention"
        blanked = text[:a] + BLANK + text[b:]
        out.append(Item(form, "mcq", c, sent, f"Which term completes the sentence? {blanked}", text[a:b],
                        statement=_clean(text)))
    return out


def half_compound(text: str, a: int, b: int) -> bool:
    """True when the term at ``text[a:b]`` is half of a longer name: a noun or adjective right before it
    ("time ___" for "time deposits", "Hippocratic/Galenic ___"), a noun after it (``modifies_noun``), a
    capitalised word next to it mid-sentence ("___ Lost" for "Paradise"), or inside quotation marks (a name
    someone else gave)."""
    if text[max(a - 1, 0):a] in "/-\"“" and a > 0 or text[b:b + 1] in ("/", "-") or text.count('"', 0, a) % 2 or text.count("“", 0, a) > \
            text.count("”", 0, a):
        return True
    if modifies_noun(text, b):
        return True
    # part of a longer name: a capitalised word right before or after ("Don ___", "___ Lost")
    after, before = text[b:].split()[:1], text[:a].split()[-1:]
    if after and after[0][:1].isupper() or before and before[0][:1].isupper() and before[0][-1:].isalpha() \
            and a > len(before[0]) + 1:
        return True
    prev = [t for s, e, t in pos_tags(text) if e <= a]
    return bool(prev) and prev[-1].startswith(("NN", "JJ")) and text[:a].rstrip()[-1:].isalnum()


def same_form(said: str, c: Concept) -> bool:
    """True when ``said`` is the concept as a student would name it: one of its forms (``accepted_forms`` of
    its term and variants, any case), not another word of the same Porter stem ("required" for
    "requirements")."""
    return said.lower() in {f.lower() for f in accepted_forms(c.term, c.variants)}


FORM_ORDER = {"term": 0, "contrast": 1, "subject": 2, "mention": 3}


def items_for(concepts: list[Concept], lecture: Lecture, stems: list[Stem],
              central: np.ndarray | None = None, max_words: int = 32) -> dict[str, list[Item]]:
    """Every concept item the lecture supports, by concept key, best first: by form (``FORM_ORDER``), then
    by how central the sentence is to the lecture (``central``, shape (sentences,); None: all equal), with
    sentences of 8-30 words first. A sentence over ``max_words`` gives only contrast clauses of at most that
    many words."""
    out: dict[str, list[Item]] = {c.key: [] for c in concepts}
    for sent, stem in zip(lecture.sentences, stems, strict=True):
        if stem.why.startswith("over "):
            # a long sentence may still hold a short contrast clause ("A ..., whereas B ...")
            text = stem.text
            if text[:1].isupper() and not pointing_word((words_of(text) or [""])[0]):
                for it in contrasts(concepts, sent, text):
                    if len(it.statement.split()) <= max_words:
                        out[it.concept.key].append(it)
            continue
        if stem.why:
            continue
        text = stem.text
        if not text[:1].isupper() or words_of(text)[:1] and pointing_word(words_of(text)[0]):
            if text[:1].isupper() and re.match(r"what\s+\w+\s+mean\s+by\b", text, re.I):   # "What we mean by X is P."
                for c in concepts:
                    if find_key(text, c.key):
                        out[c.key].extend(definitions(c, sent, text))
            continue
        for c in concepts:
            if find_key(text, c.key):
                out[c.key].extend(definitions(c, sent, text))
        for it in contrasts(concepts, sent, text) + mentions(concepts, sent, text):
            out[it.concept.key].append(it)

    def rank(it: Item) -> tuple:
        n = len(it.sent.text.split())
        return (FORM_ORDER[it.form], not 8 <= n <= 30,
                -(float(central[it.sent.index]) if central is not None else 0.0))

    return {k: sorted(v, key=rank) for k, v in out.items()}


def _plural(term: str) -> bool:
    w = term.split()[-1].lower() if term.split() else ""
    return w.endswith("s") and not w.endswith(("ss", "us", "is", "'s", "’s"))


def display_answer(said: str, c: Concept, lecture: Lecture) -> str:
    """The answer as a student would write it: a capital the sentence start gave it is undone ("Regularization"
    -> "regularization") unless a variant or a mid-sentence use in the lecture is capitalised (a name)."""
    if not said[:1].isupper() or not said[1:2].islower():
        return said
    first = said.split()[0]
    if any(v[:1].islower() for v in c.variants) or not re.search(rf"(?<![.!?]\s)(?<!^)\b{re.escape(first)}\b",
                                                                  lecture.text):
        return said[:1].lower() + said[1:]
    return said


def _question(item: Item, typ: str, options: list[str] | None, answer: str, accepted: list[str], stem: str,
              difficulty: float, **extra) -> dict:
    q = {"type": typ, "stem": stem, "options": options, "answer": answer, "accepted": accepted,
         "explanation": item.sent.text, "start": round(item.sent.start, 2), "end": round(item.sent.end, 2),
         "sentence": item.sent.index, "segment": item.sent.segment, "keyphrase": item.concept.term,
         "key": item.concept.key, "form": item.form, "concept_rank": item.concept.rank,
         "difficulty": difficulty, "difficulty_label": difficulty_label(difficulty)}
    return q | extra


def make(item: Item, pool: DistractorPool, lecture: Lecture, settings: Settings, rng: random.Random,
         types: tuple[str, ...], defs: dict[str, str], want_false: bool) -> dict | None:
    """The question for ``item`` as one of ``types`` (tried in order), or None when none can be made."""
    c = item.concept
    answer = display_answer(item.answer, c, lecture)
    accepted = accepted_forms(answer, [c.term, *c.variants])
    k = settings.num_distractors
    for typ in types:
        if item.form == "term" and typ == "short":
            return _question(item, "short", None, answer, accepted, item.stem, 0.6)
        if item.form in ("subject", "mention") and typ == "blank":
            return _question(item, "blank", None, answer, accepted,
                             item.stem.replace("Which term completes the sentence?", "Fill in the blank:"), 0.6)
        if item.form in ("term", "contrast", "subject", "mention") and typ == "mcq":
            wrong = wrong_options(item, pool, lecture, k, [item.partner] if item.partner else [])
            if len(wrong) < k:
                continue
            options = [answer, *wrong]
            rng.shuffle(options)
            return _question(item, "mcq", options, answer, accepted, item.stem, 0.45, distractors=wrong,
                             **({"partner": item.partner.term} if item.partner else {}))
        if item.form == "term" and item.predicate and typ == "mcq" and len(defs) > k:
            others = [p for key, p in defs.items() if key != c.key and not find_key(p, c.key)
                      and not shares_word(p, item.predicate)]
            if len(others) < k:
                continue
            wrong = rng.sample(others, k)
            options = [item.predicate, *wrong]
            rng.shuffle(options)
            stem = f"Which of these describes {answer}, as the lecture explains it?"
            q = _question(item, "mcq", options, item.predicate, [item.predicate], stem, 0.4, distractors=wrong)
            return q | {"form": "definition"}
        if typ == "tf" and item.statement and item.form != "mention" and (item.form != "term" or item.predicate):
            if not want_false:
                true = item.statement[:1].upper() + item.statement[1:]
                return _question(item, "tf", list(TF_OPTIONS), "True", [], f"True or false: {true}.", 0.3)
            if item.partner is None:
                continue   # a false statement swaps in the concept the lecture contrasts it with, nothing else
            for other in wrong_options(item, pool, lecture, 1, [item.partner])[:1]:
                spans = find_key(item.statement, c.key)
                if len(spans) != 1:
                    break
                a, b = spans[0]
                if _plural(item.statement[a:b]) != _plural(other):
                    continue   # "Equity go up" for "Stocks go up"
                new = other if a or other[:1].isupper() else other[:1].upper() + other[1:]
                statement = item.statement[:a] + new + item.statement[b:]
                flat = " ".join(words_of(statement))
                if any(" ".join(words_of(s.text)).startswith(flat) for s in lecture.sentences):
                    continue
                return _question(item, "tf", list(TF_OPTIONS), "False", [], f"True or false: {statement}.", 0.35,
                                 swapped_in=other) | {"form": "swap"}
    return None


def concept_questions(lecture: Lecture, settings: Settings, stems: list[Stem], unsure: set[str],
                      pool_for, rng: random.Random, n: int, chosen: list[dict] = (),
                      central: np.ndarray | None = None) -> list[dict]:
    """Up to ``n`` questions, one per key concept in concepts.json order (a concept the lecture supports
    no question on is passed over). ``pool_for(terms)`` builds the `DistractorPool` of the concepts;
    ``chosen`` questions (an LLM's) keep their concepts and sentences and are never leaked.

    The forms rotate so the quiz mixes them: each concept takes the first of ``settings.types`` (in a seeded
    order) that it supports, the type used least so far first; true/false items go false, true, false ..."""
    concepts = lecture_concepts(lecture, unsure, max(settings.concept_top, n))
    if not concepts or n <= 0:
        return []
    items = items_for(concepts, lecture, stems, central, settings.max_words)
    pool = pool_for([Term(c.term, c.key, "lecture") for c in concepts])
    defs = {}
    for c in concepts:
        pred = next((it.predicate for it in items[c.key] if it.predicate), "")
        if pred:
            defs[c.key] = pred
    out: list[dict] = []
    used_sents = {q.get("sentence") for q in chosen}
    used_keys = {q.get("key") for q in chosen}
    count = dict.fromkeys(settings.types, 0)
    tf_false = 0
    for ci, c in enumerate(concepts):
        if len(out) >= n:
            break
        if c.key in used_keys:
            continue
        order = sorted(settings.types, key=lambda t: (count[t], rng.random()))
        # a sentence that defines a later concept is kept for it when this one has another
        kept = {it.sent.index for o in concepts[ci + 1:] for it in items[o.key] if it.form == "term"}
        for item in sorted(items[c.key], key=lambda it: it.sent.index in kept):
            if item.sent.index in used_sents or leaks(item, [*chosen, *out]):
                continue
            types = tuple(order)
            if item.partner and item.partner.key not in {o["key"] for o in out}:
                # a swap would show the partner, which is still to be asked: true/false last
                types = tuple(t for t in order if t != "tf") + (("tf",) if "tf" in order else ())
            q = make(item, pool, lecture, settings, rng, types, defs,
                     want_false=tf_false <= count.get("tf", 0) - tf_false)
            if q is None or any(find_key(q["stem"], stem_key(o["answer"])) for o in [*chosen, *out]
                                if o["type"] != "tf"):
                continue
            out.append(q)
            used_sents.add(item.sent.index)
            count[q["type"]] = count.get(q["type"], 0) + 1
            tf_false += q["type"] == "tf" and q["answer"] == "False"
            break
    return out


def leaks(item: Item, chosen: list[dict]) -> bool:
    """True when ``item``'s stem shows a chosen question's answer or a chosen stem shows its concept."""
    for q in chosen:
        if q["type"] != "tf" and q.get("form") != "definition" and find_key(item.stem, stem_key(q["answer"])):
            return True
        if find_key(q["stem"], item.concept.key):
            return True
    return False
