"""The lecture's key concepts: candidate terms ranked for the whole lecture (``concepts.json``).

Candidates are noun phrases of the transcript's sentences (Penn tags of TextBlob's offline
``PatternTagger``, `lecturelab.models.pos.pos_tags`; a run of adjectives, nouns and gerunds ending in a noun,
as in the noun-phrase candidates of KeyBERT/EmbedRank, Bennani-Smires et al. 2018) and every contiguous
sub-phrase of one that ends in a noun ("invisible hand" also gives "hand"), plus the tagger's keyphrase spans
(keyphrases.json). Variants merge on `stem_key` (plural and inflection), irregular plurals on `variant_key`
("equilibria" with "equilibrium", `lemma`), and an acronym merges into its expansion when its letters are the
expansion's initials ("GDP" into "gross domestic product").

Each candidate gets features, each scaled to [0, 1] over the lecture's candidates and summed with the
``weights`` of `ConceptSettings`:
- ``frequency``: log(1 + occurrences) (term frequency, as in TF-IDF and YAKE);
- ``spread``: the share of the lecture's ``parts`` equal stretches of time it is said in (YAKE's "different
  sentences" and the spread of a term over a document, here over time);
- ``specific``: how rare its rarest word is in general English, ``(7 - Zipf) / 7`` with wordfreq's Zipf scale
  (a background corpus in place of TF-IDF's document frequency);
- ``defined``: it is defined or explained ("X is a ...", "we call this X", "what I mean by X");
- ``central``: cosine similarity of its MiniLM embedding to the lecture's (the mean sentence embedding):
  EmbedRank / KeyBERT's candidate-document similarity;
- ``tagger``: the tagger's mean keyphrase score (0 when the tagger did not mark it);
- ``introduced``: announced as a topic ("let's talk about X", "we turn to X", "the topic of X");
- ``words``: 1 for a phrase of two or three words (a named idea is usually a phrase, titled in a few words).

Dropped: anecdote detail (every occurrence inside one stretch of ``anecdote_seconds`` or of less than
``anecdote_share`` of the lecture, unless defined), terms whose words are all very common (Zipf above
``common_zipf``: "people", "thing", "a lot") or that begin or end with a stop word (a tagger span such as
"all right"), terms made only of classroom words, one-word names said at least half the time calling on
someone in the room ("Yes, Sarah?", `audience_names`), and terms that look
misheard (a word of theirs heard with probability below ``min_word_prob`` in most occurrences). A shorter
term whose occurrences are mostly inside one longer ranked term ("hand" in "invisible hand") merges into it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from lecturelab.keyphrases import stem, stem_key
from lecturelab.models.pos import pos_tags
from lecturelab.quiz.terms import function_words, word_class, words_of, zipf
from lecturelab.transcript.sentences import Sentence, build_sentences, find_key

# phrases at a term's edges that name the classroom, not the subject ("today's lecture", "this course")
CLASSROOM = {"lecture", "lectures", "class", "course", "courses", "student", "students", "today", "week", "weeks",
             "semester", "chapter", "chapters", "session", "introduction", "review", "discussion", "part", "parts",
             "end", "beginning", "way", "ways", "kind", "kinds", "sort", "sorts", "lot", "lots", "thing", "things",
             "question", "questions", "reading", "readings", "time", "times", "number", "example", "examples",
             "point", "points", "bit", "sense", "fact", "case", "cases", "stuff", "guy", "guys", "minute",
             "minutes", "year", "years", "day", "days", "people", "person", "everybody", "everyone", "somebody",
             "something", "anything", "nothing", "okay", "yes", "yeah", "mr", "mrs", "ms", "dr", "professor",
             "page", "slide", "slides", "board", "handout", "exam", "midterm", "paper", "papers", "section",
             "idea", "ideas", "problem", "problems", "term", "terms", "word", "words", "story", "stories",
             "homework", "syllabus", "quiz", "quizzes", "exams", "midterms", "assignment", "assignments",
             "handouts", "textbook", "textbooks", "lecturer", "classroom", "grade", "grades"}
# Latin, Greek and Old English plurals that Porter's stemmer leaves apart from their singular: (plural ending,
# singular ending), tried on the word's end ("equilibria" -> "equilibrium", "criteria" -> "criterion")
_IRREGULAR = (("ia", "ion"), ("a", "um"), ("a", "on"), ("i", "us"), ("ae", "a"), ("ices", "ix"), ("ices", "ex"),
              ("es", "is"), ("ves", "f"), ("ves", "fe"), ("men", "man"), ("ren", ""), ("eeth", "ooth"),
              ("ice", "ouse"), ("eet", "oot"))
# a name the lecturer calls a student by: "Yes, Sarah?", "Go ahead, Sarah.", "Thank you, Sarah", "Sarah?"
_VOCATIVE = re.compile(r"(?i:\b(?:yes|yeah|okay|sure|go ahead|thank you|thanks|hi|please)),\s+([A-Z][a-z]+)\s*(?:[?!,]|\.\s*$|$)")
# the lecturer announces a topic: "let's talk about X", "we turn to X", "the topic of X"
_INTRODUCE = re.compile(r"\b(?:talk(?:ing)? about|turn(?:ing)? (?:now )?to|move (?:on )?to|moving (?:on )?to|"
                        r"look(?:ing)? at|focus(?:ing)? on|begin with|start with|topic (?:of|is)|subject of|"
                        r"introduce|introducing|come to|coming to)\s+(?:an?\s+|the\s+|this\s+|these\s+)?$", re.I)
_POSSESSIVE = ("'s", "’s", "s'", "s’")
_NOUN = ("NN", "NNS", "NNP", "NNPS")
_MODIFIER = ("JJ", "JJR", "JJS", "VBG", "VBN") + _NOUN
_EXPLAIN_BEFORE = re.compile(
    r"\b(?:what (?:i|we) mean by|the (?:idea|notion|concept|term) of|(?:i|we) (?:call|define) (?:this|it|that|"
    r"these|them)?|(?:is|are|was|were) called|(?:is|are) known as|(?:is|are) termed|referred to as|"
    r"we refer to (?:this|it|that) as|this is called|known as|definition of|defined as|let me define|"
    r"what is (?:a|an|the)?|what are)\s*(?:an?\s+|the\s+)?$", re.I)
_EXPLAIN_AFTER = re.compile(
    r"^\s*(?:\([^)]{0,40}\)\s*)?(?:,[^,]{0,60},\s*)?(?:(?:is|are|was|were)\s+(?:a|an|the|one of|defined as|called|"
    r"known as|simply|basically|essentially|really)\b|refers? to\b|means\b|denotes\b|stands for\b|"
    r"is (?:a term|what we call)\b)", re.I)


@dataclass
class ConceptSettings:
    """How candidates are scored and filtered (``concepts:`` of conf/process.yaml)."""

    enabled: bool = True               # false: no concepts.json, the index as the tagger ranks it
    top: int = 20                      # concepts listed first in the index and the course site
    max_concepts: int = 100            # concepts.json keeps this many
    max_words: int = 4                 # longest candidate, in words
    parts: int = 10                    # equal stretches of time for ``spread``
    anecdote_seconds: float = 120.0    # all occurrences within this many seconds ...
    anecdote_share: float = 0.05       # ... or within this share of the lecture: an anecdote's detail
    common_zipf: float = 6.0           # a term whose every word is at least this common is no concept
    min_word_prob: float = 0.5         # a word heard below this probability ...
    misheard_share: float = 0.5        # ... in more than this share of the occurrences: dropped
    nested_share: float = 0.6          # a sub-term this much inside one longer term merges into it
    min_count: int = 2                 # said at least this often (a defined term once is enough)
    embed_top: int = 150               # ``central`` for this many candidates, best by the other features
    centroid_sentences: int = 200      # the lecture's embedding: the mean of this many evenly spaced sentences
    weights: dict = field(default_factory=lambda: {"frequency": 2.0, "spread": 2.0, "specific": 1.0,
                                                   "defined": 0.5, "central": 0.5, "tagger": 0.5, "words": 0.6,
                                                   "introduced": 1.0})

    @classmethod
    def from_cfg(cls, cfg) -> ConceptSettings:
        """From a mapping (the config section; None: defaults). Raises ValueError naming an unknown key."""
        if cfg is None:
            return cls()
        d = dict(cfg)
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"concepts: unknown key(s) {sorted(unknown)}; allowed: "
                             f"{sorted(cls.__dataclass_fields__)}")
        if "weights" in d:
            w = dict(d["weights"])
            bad = set(w) - set(cls().weights)
            if bad:
                raise ValueError(f"concepts.weights: unknown feature(s) {sorted(bad)}; allowed: "
                                 f"{sorted(cls().weights)}")
            d["weights"] = cls().weights | {k: float(v) for k, v in w.items()}
        return cls(**d)


@dataclass
class _Occ:
    sentence: int
    span: tuple[int, int]   # characters in the sentence
    start: float            # seconds
    form: str               # as said


@dataclass
class _Cand:
    key: str
    occ: list[_Occ] = field(default_factory=list)
    tagger: float = 0.0
    forms: Counter = field(default_factory=Counter)


def noun_phrase_spans(text: str, max_words: int = 4) -> list[tuple[int, int]]:
    """Character spans of candidate terms in one sentence: each maximal run of modifiers (adjectives,
    participles, nouns) ending in a noun, and every sub-run of it of at most ``max_words`` words that ends
    in a noun and starts with a content word (no stop word at either edge, no classroom word alone)."""
    tags = pos_tags(text)
    stop = function_words()
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(tags):
        if tags[i][2] not in _MODIFIER:
            i += 1
            continue
        j = i
        while j < len(tags) and tags[j][2] in _MODIFIER:
            j += 1
        run = tags[i:j]
        for a in range(len(run)):
            for b in range(a + 1, min(len(run), a + max_words) + 1):
                last, first = run[b - 1], run[a]
                if last[2] not in _NOUN:
                    continue
                words = [text[t[0]:t[1]].lower() for t in run[a:b]]
                if any(w.rstrip("'’s") in stop or w in stop for w in words) or words[0] in CLASSROOM \
                        or _plain(words[-1]) in CLASSROOM:
                    continue
                if first[2] == "VBG" and b - a > 1:   # 'using X-rays': the verb is not the term
                    continue
                end = last[1]
                if words[-1].endswith(_POSSESSIVE):   # "Weber's" is "Weber"
                    end -= 2 if words[-1].endswith(("'s", "’s")) else 1
                out.append((first[0], end))
        i = j
    return out


def _plain(word: str) -> str:
    for p in _POSSESSIVE:
        if word.endswith(p):
            return word[:-len(p)] + ("s" if p[0] == "s" else "")
    return word


def explained(text: str, span: tuple[int, int]) -> bool:
    """True when the sentence defines or explains the term at ``span``: 'X is a ...', 'X means ...', 'we call
    this X', 'what I mean by X', 'the idea of X' (the term at the start of the sentence, or right after the
    phrase)."""
    before, after = text[:span[0]], text[span[1]:]
    if len(before.split()) <= 3 and _EXPLAIN_AFTER.match(after):
        return True
    return bool(_EXPLAIN_BEFORE.search(before))


def _acronym_of(short: str, long_key: str) -> bool:
    """'GDP' and 'gross domest product': the short form's letters are the long key's initials."""
    words = long_key.split()
    return len(words) >= 2 and short.isupper() and short.lower() == "".join(w[0] for w in words)


def _display(forms: Counter) -> str:
    """The form said most often, mid-sentence forms first (a sentence-initial capital says nothing; those
    forms are stored with a leading "^")."""
    mid = Counter({f: n for f, n in forms.items() if not f.startswith("^")})
    pool = mid or Counter({f[1:]: n for f, n in forms.items()})
    return max(pool, key=lambda f: (pool[f], -len(f)))


def _scale(x: np.ndarray) -> np.ndarray:
    lo, hi = float(np.min(x)), float(np.max(x))
    return (x - lo) / (hi - lo) if hi - lo > 1e-9 else np.zeros_like(x)


def candidates(sentences: list[Sentence], keyphrases: list[dict] | None = None, max_words: int = 4
               ) -> dict[str, _Cand]:
    """Candidate terms by stem key with their occurrences: noun phrases of every sentence and the tagger's
    keyphrases (keyphrases.json entries, found again in the sentences by their stem key) whose last word is
    a noun or unknown to the Pattern lexicon (`lecturelab.quiz.terms.word_class`)."""
    cands: dict[str, _Cand] = {}
    for s in sentences:
        for a, b in noun_phrase_spans(s.text, max_words):
            form = s.text[a:b]
            key = stem_key(form)
            if not key:
                continue
            c = cands.setdefault(key, _Cand(key))
            c.occ.append(_Occ(s.index, (a, b), s.start, form))
            c.forms[form if a > 0 else "^" + form] += 1
    for kp in keyphrases or []:
        phrase = kp["phrase"]
        if phrase.lower().endswith(("'s", "’s")):   # the tagger's "Eliot's" is the noun phrase "Eliot"
            phrase = phrase[:-2]
        key = stem_key(phrase) if phrase != kp["phrase"] else kp.get("key") or stem_key(phrase)
        if not key or len(key.split()) > max_words:
            continue
        if key not in cands and word_class(phrase) not in ("noun", None):
            continue   # a concept names a thing: a span the tagger ends in an adjective or verb is none
        c = cands.setdefault(key, _Cand(key))
        c.tagger = max(c.tagger, float(kp.get("score", 0.0)))
        if not c.occ:   # not a noun phrase: find it in the sentences
            for s in sentences:
                for a, b in find_key(s.text, key):
                    c.occ.append(_Occ(s.index, (a, b), s.start, s.text[a:b]))
                    c.forms[s.text[a:b] if a > 0 else "^" + s.text[a:b]] += 1
    return {k: c for k, c in cands.items() if c.occ}


def _merge_acronyms(cands: dict[str, _Cand]) -> None:
    """An all-capitals one-word candidate whose letters are the initials of a longer candidate joins it."""
    longs = [k for k in cands if len(k.split()) >= 2]
    for key in list(cands):
        c = cands[key]
        if len(key.split()) != 1:
            continue
        short = _display(c.forms)
        targets = [k for k in longs if _acronym_of(short, k)]
        if len(targets) == 1:
            t = cands[targets[0]]
            t.occ += c.occ
            t.forms.update(c.forms)
            t.tagger = max(t.tagger, c.tagger)
            del cands[key]


def lemma(word: str) -> str:
    """The singular of a Latin, Greek or Old English plural that Porter's stemmer keeps apart ("equilibria" ->
    "equilibrium", "criteria" -> "criterion", "crises" -> "crisis", "women" -> "woman"); other words as they
    are. The singular is the commonest word (wordfreq Zipf, at least 2.5) that an ending of ``_IRREGULAR`` or
    TextBlob's (Pattern's) ``singularize`` gives, and must be commoner than the word less its "s" ("bases"
    stays: "base" is commoner than "basis"; "taxes" stays: "tax" is commoner than "taxis")."""
    w = word.lower()
    if len(w) < 4 or not w.isalpha():
        return w
    from textblob.inflect import singularize  # Pattern's rules and irregular nouns, offline

    options = {w[:-len(p)] + s for p, s in _IRREGULAR if w.endswith(p) and len(w) > len(p) + 2}
    options.add(singularize(w))
    options.discard(w)
    if not options:
        return w
    best = max(sorted(options), key=zipf)
    regular = max([zipf(w[:-n]) for n, end in ((1, "s"), (2, "es")) if w.endswith(end)], default=0.0)
    return best if zipf(best) >= max(2.5, regular + 1e-9) else w


def variant_key(form: str) -> str:
    """The stem key of a term as said, with its lower-case irregular plurals as their singular (`lemma`; a
    capitalised word is a name and stays): the key variants merge on."""
    return " ".join(stem(lemma(w) if w.islower() else w.lower()) for w in re.split(r"\W+", form) if w)


def _merge_variants(cands: dict[str, _Cand]) -> None:
    """Candidates whose said forms share a `variant_key` ("equilibrium" and "equilibria") join the one said
    most often (its key stays the entry's)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for key, c in cands.items():
        groups[variant_key(max(c.forms, key=c.forms.get).lstrip("^"))].append(key)
    for keys in groups.values():
        if len(keys) < 2:
            continue
        keys.sort(key=lambda k: (-len(cands[k].occ), k))
        t = cands[keys[0]]
        for k in keys[1:]:
            c = cands.pop(k)
            t.occ += c.occ
            t.forms.update(c.forms)
            t.tagger = max(t.tagger, c.tagger)


def audience_names(sentences: list[Sentence]) -> Counter:
    """How often each name is used to call on someone in the room ("Yes, Sarah?", "Go ahead, Sarah",
    "Thank you, Sarah,"): lower-cased name -> count."""
    return Counter(m.group(1).lower() for s in sentences for m in _VOCATIVE.finditer(s.text))


def introduced(text: str, span: tuple[int, int]) -> bool:
    """True when the sentence announces the term at ``span`` as a topic: 'let's talk about X', 'we turn to
    X', 'the topic of X', 'look at X' (the words right before it)."""
    return bool(_INTRODUCE.search(text[:span[0]]))


def rank_concepts(sentences: list[Sentence], duration: float, keyphrases: list[dict] | None = None,
                  settings: ConceptSettings | None = None, embed=None) -> list[dict]:
    """The lecture's key concepts, best first.

    ``sentences``: the transcript's (`lecturelab.quiz.source.build_sentences`; ``words`` carry the
    transcriber's probabilities, empty for captions); ``duration``: the lecture's length in seconds;
    ``keyphrases``: keyphrases.json entries (the tagger's spans) or None; ``embed``: texts -> (n, d)
    L2-normalised embeddings (`lecturelab.models.embed.embed`), None to leave ``central`` out.
    Returns concepts.json entries {rank (1-based), term, key, variants, score, first_time (s), count,
    defined (bool), definition ({start (s), text} of the first sentence that defines or explains it, or
    None), features {name: value in [0, 1]}}: every candidate that passes the filters of the
    module docstring, by score."""
    st = settings or ConceptSettings()
    if not sentences:
        return []
    cands = candidates(sentences, keyphrases, st.max_words)
    _merge_acronyms(cands)
    _merge_variants(cands)
    called = audience_names(sentences)
    duration = max(duration, sentences[-1].end, 1e-6)
    unsure = [{w.lower() for w, p in s.words if p < st.min_word_prob} for s in sentences]
    stop = function_words()
    kept: list[_Cand] = []
    defined: dict[str, dict | None] = {}
    for key, c in cands.items():
        words = key.split()
        if all(w in CLASSROOM for w in words):
            continue
        if len(words) == 1 and 2 * called[_display(c.forms).lower()] >= len(c.occ):
            continue   # mostly said calling on a student: a name in the audience
        said = words_of(_display(c.forms))
        if not said or said[0] in stop or said[-1] in stop or min(zipf(w) for w in said) >= st.common_zipf:
            continue   # a tagger span like "all right" or "so far", or only very common words
        d = next(({"start": round(sentences[o.sentence].start, 3), "text": sentences[o.sentence].text}
                  for o in c.occ if explained(sentences[o.sentence].text, o.span)), None)
        if len(c.occ) < st.min_count and not d:
            continue
        times = [o.start for o in c.occ]
        stretch = max(times) - min(times)
        if not d and len(c.occ) > 1 and stretch < max(st.anecdote_seconds, st.anecdote_share * duration) \
                and duration > 4 * st.anecdote_seconds:
            continue
        heard_low = sum(bool({w.lower() for w in words_of(o.form)} & unsure[o.sentence]) for o in c.occ)
        if heard_low > st.misheard_share * len(c.occ):
            continue
        defined[key] = d
        kept.append(c)
    if not kept:
        return []
    feats = _features(kept, sentences, duration, defined, st)
    w = st.weights
    score = sum(w[name] * feats[name] for name in w if name != "central")
    if embed is not None and w.get("central"):
        # embedding every candidate costs more than it can change: only the best ``embed_top`` can reach the top
        best = np.argsort(-score, kind="stable")[:st.embed_top]
        feats["central"][best] = _centrality([kept[i] for i in best], sentences, embed, st.centroid_sentences)
        score = score + w["central"] * feats["central"]
    order = np.argsort(-score, kind="stable")
    out = _drop_nested([kept[i] for i in order], [float(score[i]) for i in order], st.nested_share)
    result = []
    for c, sc in out:
        i = kept.index(c)
        result.append({"rank": len(result) + 1, "term": _display(c.forms), "key": c.key,
                       "variants": sorted({f.lstrip("^") for f in c.forms}), "score": round(sc, 4),
                       "first_time": round(min(o.start for o in c.occ), 3), "count": len(c.occ),
                       "defined": defined[c.key] is not None, "definition": defined[c.key],
                       "features": {k: round(float(v[i]), 4) for k, v in feats.items()}})
    return result


def _centrality(cands: list[_Cand], sentences: list[Sentence], embed, n_sentences: int) -> np.ndarray:
    """EmbedRank's candidate-document similarity: cosine of each term's embedding to the mean embedding of
    ``n_sentences`` evenly spaced sentences (the whole lecture's mean, at a fixed cost), min-max scaled over
    ``cands``. Shape (len(cands),)."""
    pick = np.unique(np.linspace(0, len(sentences) - 1, min(n_sentences, len(sentences))).round().astype(int))
    sent_vecs = np.asarray(embed([sentences[i].text for i in pick]), dtype=np.float32)
    centre = sent_vecs.mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-9)
    term_vecs = np.asarray(embed([_display(c.forms) for c in cands]), dtype=np.float32)
    return _scale(term_vecs @ centre)


def _features(kept: list[_Cand], sentences: list[Sentence], duration: float, defined: dict[str, dict | None],
              st: ConceptSettings) -> dict[str, np.ndarray]:
    n = len(kept)
    freq = np.array([math.log1p(len(c.occ)) for c in kept])
    spread = np.array([len({min(int(o.start / duration * st.parts), st.parts - 1) for o in c.occ}) / st.parts
                       for c in kept])
    specific = np.array([max(0.0, 7.0 - min((zipf(w) for w in words_of(_display(c.forms))), default=7.0)) / 7.0
                         for c in kept])
    return {"frequency": _scale(freq), "spread": spread, "specific": specific,
            "defined": np.array([float(defined[c.key] is not None) for c in kept]), "central": np.zeros(n),
            "tagger": np.array([c.tagger for c in kept]),
            "introduced": np.array([float(any(introduced(sentences[o.sentence].text, o.span) for o in c.occ))
                                    for c in kept]),
            "words": np.array([float(2 <= len(c.key.split()) <= 3) for c in kept])}


def _drop_nested(ranked: list[_Cand], scores: list[float], share: float) -> list[tuple[_Cand, float]]:
    """Merge a term into a longer term when at least ``share`` of its occurrences lie inside the longer
    term's ('hand' in 'invisible hand'); the longer term keeps its place, the shorter form becomes a
    variant only if it was said alone."""
    by_sentence: dict[int, list[tuple[int, int, int]]] = defaultdict(list)   # sentence -> (a, b, cand index)
    for idx, c in enumerate(ranked):
        for o in c.occ:
            by_sentence[o.sentence].append((o.span[0], o.span[1], idx))
    out, dropped = [], set()
    for idx, c in enumerate(ranked):
        n_words = len(c.key.split())
        hosts = Counter()
        for o in c.occ:
            for a, b, j in by_sentence[o.sentence]:
                if j != idx and j not in dropped and len(ranked[j].key.split()) > n_words \
                        and a <= o.span[0] and o.span[1] <= b:
                    hosts[j] += 1
        host = max(hosts, key=hosts.get) if hosts else None
        if host is not None and hosts[host] >= share * len(c.occ):
            dropped.add(idx)
            continue
        out.append((c, scores[idx]))
    return out


def lecture_concepts(text: str, segments: list[dict], keyphrases: list[dict], duration: float,
                     cfg=None) -> list[dict]:
    """`rank_concepts` for a processed transcript: ``text`` and ``segments`` from `highlight.build_text`,
    ``keyphrases`` the keyphrases.json entries, ``cfg`` the ``concepts:`` config section (None: defaults).
    Embeds with the processor's MiniLM (`lecturelab.models.embed.embed`) when ``weights.central`` is not 0."""
    st = ConceptSettings.from_cfg(cfg)
    embed = None
    if st.weights.get("central"):
        from lecturelab.models.embed import embed  # deferred: loads the model runtime
    return rank_concepts(build_sentences(text, segments), duration, keyphrases, st, embed)[:st.max_concepts]
