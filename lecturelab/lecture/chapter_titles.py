"""Chapter titles that name the topic, and one-sentence summaries.

A title is one noun phrase about the chapter's key concept, as a lecturer writes it ("The Reactivity of
the Carbonyl Group"), not a list of keyphrases. The key concept is the keyphrase most particular to the
chapter (mean score x occurrences here x the share of its occurrences that fall here) that is a noun
phrase and that the transcriber heard surely (no word of it below ``min_word_prob`` in the chapter: a
misheard word never names a chapter). The title is then the longest noun phrase of the chapter's own
sentences that contains it and that the lecturer says at least twice ("the reactivity of the carbonyl
group" for "carbonyl group"), else the keyphrase itself, in title case. A second concept that shares the
chapter (particularity at least ``pair_share`` of the first's, said twice or more in the chapter and mostly
there, no word in common with the title) joins it as "X and Y", as lecturers title a part about two things.
Noun phrases: TextBlob's ``PatternTagger`` tags chunked by ``nltk.RegexpParser`` (adjectives, nouns and
gerunds ending in a noun, a possessive, an ``of`` phrase).

The summary is the chapter's most central sentence (highest cosine to the chapter's mean embedding, as in
centroid-based extractive summarisation, Radev et al. 2004, "Centroid-based summarization of multiple
documents", Information Processing & Management 40) among its informative ones: a statement (not a
question), at least ``summary_min_words`` words, not an aside ("by the way"); one that stands alone (not
opened by a connective or a pronoun that points back: "But it ...", "This means ...") is preferred, and
among those one with the title's key concept.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from lecturelab.keyphrases import stem_key
from lecturelab.models.pos import pattern_tagger

GRAMMAR = ("NP: {<DT>?<JJ.*|NN.*|VBG>*<NN.*>(<POS><JJ.*|NN.*|VBG>*<NN.*>)?"
           "(<OF><DT>?<JJ.*|NN.*|VBG>*<NN.*>)?}")
SMALL_WORDS = {"a", "an", "the", "of", "and", "or", "in", "on", "to", "for", "at", "by", "with"}
ASIDE = re.compile(r"^\W*(?:by the way|incidentally|anyway|i mean|you know|just (?:a|to)|as an aside|"
                   r"(?:oh|um|uh)\b|for example,? (?:if you|you)|remember|don't forget|questions?\b)", re.I)
# A sentence that leans on the one before it (a connective or a pronoun first) does not stand alone
DANGLING = re.compile(r"^\W*(?:and|but|or|because|then|also|which|it|its|this|that|these|those|they|them|he|"
                      r"she|his|her|their|such)\b", re.I)
MAX_TITLE_WORDS = 7
SUMMARY_MAX_WORDS = 45   # a longer "sentence" is a run-on of speech, not a summary
# Words that name no topic on their own: a title of only these (and small words) says nothing ("Bad Thing",
# "Important Question", "End of Part")
GENERIC = {"thing", "things", "point", "points", "question", "questions", "story", "type", "types", "kind",
           "kinds", "sort", "way", "ways", "lot", "part", "parts", "end", "beginning", "majority", "number",
           "case", "cases", "fact", "facts", "issue", "issues", "idea", "ideas", "problem", "problems", "example",
           "examples", "time", "times", "people", "person", "situation", "today", "lecture", "class", "course",
           "chapter", "word", "words", "stuff", "bit", "sense", "place", "reason", "reasons", "term", "terms",
           "side", "level", "one", "something", "anything", "everything", "day", "days", "year", "years",
           "moment", "minute", "minutes", "week", "semester", "students", "student", "answer", "sentence",
           "page", "slide", "board", "handout", "reading", "book", "text", "guy", "guys", "man", "woman",
           "stage", "step", "aspect", "aspects", "matter", "argument", "notion", "concept", "area", "form"}
EMPTY_ADJECTIVES = {"important", "bad", "good", "big", "little", "great", "different", "same", "other", "certain",
                    "whole", "real", "new", "main", "first", "second", "third", "last", "next", "right", "wrong",
                    "interesting", "particular", "general", "basic", "simple", "key", "major", "small", "large",
                    "long", "short", "old", "young", "nice", "high", "low", "own", "few", "many", "much", "several",
                    "various", "such", "kind", "famous", "entire", "final", "specific", "obvious", "huge", "tiny"}


@lru_cache(maxsize=1)
def _chunker():
    from nltk import RegexpParser

    return RegexpParser(GRAMMAR)


def _tag(text: str) -> list[tuple[str, str]]:
    return [(w, "OF" if w.lower() == "of" else t) for w, t in pattern_tagger()[0].tag(text) if w.strip()]


def is_noun_phrase(phrase: str) -> bool:
    """True when ``phrase`` is one noun phrase of the module's grammar from its first word to its last."""
    tagged = _tag(phrase)
    if not tagged:
        return False
    tree = _chunker().parse(tagged)
    return len(tree) == 1 and not isinstance(tree[0], tuple)


def noun_phrases(sentence: str) -> list[str]:
    """The noun phrases of one sentence, in order, a leading article dropped."""
    out = []
    for sub in _chunker().parse(_tag(sentence)).subtrees(lambda t: t.label() == "NP"):
        words = [w for w, _ in sub.leaves()]
        if words and words[0].lower() in {"a", "an", "the", "this", "that", "these", "those"}:
            words = words[1:]
        if words:
            out.append(" ".join(words).replace(" '", "'"))
    return out


def title_case(phrase: str) -> str:
    """'the reactivity of the carbonyl group' -> 'The Reactivity of the Carbonyl Group' (a word with a capital
    inside, as 'pH' or 'NADPH', kept)."""
    words = phrase.split()
    return " ".join(w if (i and w.lower() in SMALL_WORDS) or any(c.isupper() for c in w[1:])
                    else w[:1].upper() + w[1:] for i, w in enumerate(words))


def is_generic(phrase: str) -> bool:
    """True when every word of ``phrase`` is a small word, a `GENERIC` noun or an `EMPTY_ADJECTIVES` one."""
    words = [w.lower().strip(".,;:!?\"'") for w in phrase.split()]
    return all(w in SMALL_WORDS | GENERIC | EMPTY_ADJECTIVES or len(w) < 3 for w in words)


def unsure_words(segments: list[dict], min_prob: float) -> set[str]:
    """Lower-cased words heard below ``min_prob`` in ``segments`` (their ``words``: {word, prob}); captions
    and typed transcripts have no probabilities and so no unsure word."""
    return {w["word"].strip().lower().strip(".,;:!?\"'") for s in segments for w in s.get("words") or []
            if w.get("prob") is not None and w["prob"] < min_prob}


def ranked_keyphrases(keyphrases: list[dict], first: int, last: int) -> list[dict]:
    """Keyphrases that occur in segments first..last, most particular to them first: mean score x
    occurrences here x the share of all its occurrences that fall here."""
    return [kp for _, kp in _particularity(keyphrases, first, last)]


def _particularity(keyphrases: list[dict], first: int, last: int) -> list[tuple[float, dict]]:
    """(mean score x occurrences in first..last x share of its occurrences there, keyphrase), highest first."""
    ranked = []
    for kp in keyphrases:
        here = sum(first <= o["segment"] <= last for o in kp["occurrences"])
        if here:
            ranked.append((kp["score"] * here * here / len(kp["occurrences"]), kp))
    ranked.sort(key=lambda r: -r[0])
    return ranked


def _sub_phrases(sentence: str, key: str) -> set[tuple[str, str]]:
    """(stem key, text) of every run of words inside a noun phrase of ``sentence`` that contains the stem
    key ``key`` on whole words, starts on a content word, ends on a noun and has at most `MAX_TITLE_WORDS`
    words (a tagger's extra noun at an edge, 'group today', is then one of the longer runs only)."""
    out = set()
    for sub in _chunker().parse(_tag(sentence)).subtrees(lambda t: t.label() == "NP"):
        leaves = sub.leaves()
        for i in range(len(leaves)):
            if leaves[i][1] in {"DT", "OF", "POS"} or leaves[i][0].lower() in EMPTY_ADJECTIVES:
                continue
            for j in range(i + 1, min(len(leaves), i + MAX_TITLE_WORDS) + 1):
                words = [w for w, _ in leaves[i:j]]
                k = stem_key(words)
                text = " ".join(words).replace(" '", "'")
                generic_head = " of " in text and is_generic(text.split(" of ")[0])   # "Number of Bonds"
                if leaves[j - 1][1].startswith("NN") and f" {key} " in f" {k} " and not generic_head:
                    out.add((k, text))
    return out


def expand(phrase: str, sentences: list[str]) -> str:
    """The longest noun phrase of ``sentences`` (up to `MAX_TITLE_WORDS` words) that contains ``phrase`` on
    whole words and is said in at least two sentences; else ``phrase``."""
    key = stem_key(phrase)
    if not key:
        return phrase
    counts: dict[str, list] = {}
    for s in sentences:
        if f" {key} " not in f" {stem_key(s)} ":
            continue
        for k, text in _sub_phrases(s, key):
            counts.setdefault(k, [0, text])[0] += 1
    best = max((v for k, v in counts.items() if v[0] >= 2 and k != key),
               key=lambda v: (len(v[1].split()), v[0]), default=None)
    return best[1] if best else phrase


def _second_concept(ranked: list[tuple[float, dict]], title: str, floor: float, first: int, last: int) -> str:
    """The keyphrase of ``ranked`` ((particularity, keyphrase), highest first, already usable) that shares
    the chapter with the title's concept: particularity >= ``floor``, said at least twice in segments
    first..last and mostly there (over half of its occurrences), and no word in common with ``title``;
    '' when none."""
    title_stems = set(stem_key(title).split())
    for p, kp in ranked:
        if p < floor:
            break
        here = sum(first <= o["segment"] <= last for o in kp["occurrences"])
        if here >= 2 and 2 * here > len(kp["occurrences"]) and not set(kp["key"].split()) & title_stems:
            return kp["phrase"]
    return ""


def chapter_title(keyphrases: list[dict], segments: list[dict], first: int, last: int, min_word_prob: float,
                  used: set[str] | None = None, pair_share: float = 0.5) -> tuple[str, dict | None]:
    """(title, the keyphrase it names or None) of segments first..last; see the module docstring. A generic
    phrase (`is_generic`) and one whose stem key is in ``used`` (earlier chapters' titles) are skipped.
    A second concept joins the title as "X and Y" when its particularity is at least ``pair_share`` of the
    first's (`_second_concept`; above 1: never).
    Without a usable keyphrase: the most frequent noun phrase of two or more words said at least twice,
    else ''."""
    used = used or set()
    part = segments[first:last + 1]
    unsure = unsure_words(part, min_word_prob)
    texts = [s["text"] for s in part]

    def usable(kp: dict) -> bool:
        words = {w.lower().strip(".,;:!?\"'") for w in kp["phrase"].split()}
        return not (words & unsure or kp["key"] in used or is_generic(kp["phrase"])
                    or not is_noun_phrase(kp["phrase"]))

    ranked = [(p, kp) for p, kp in _particularity(keyphrases, first, last) if usable(kp)]
    if ranked:
        top, kp = ranked[0]
        title = expand(kp["phrase"], texts)
        second = _second_concept(ranked[1:], title, top * pair_share, first, last)
        if second and len(title.split()) + 1 + len(second.split()) <= MAX_TITLE_WORDS:
            title = f"{title} and {second}"
        return title_case(title), kp
    counts: dict[str, list] = {}
    for t in texts:
        for np_ in noun_phrases(t):
            if (len(np_.split()) >= 2 and not {w.lower() for w in np_.split()} & unsure and not is_generic(np_)
                    and stem_key(np_) not in used):
                counts.setdefault(stem_key(np_), [0, np_])[0] += 1
    best = max(counts.values(), key=lambda v: v[0], default=None)
    return (title_case(best[1]) if best and best[0] >= 2 else ""), None


def summary_index(texts: list[str], emb: np.ndarray, first: int, last: int, key: str | None,
                  min_words: int) -> int:
    """Index of the summary sentence of texts[first..last] (``emb``: their L2-normalised embeddings, all of
    the lecture's rows): the most central informative sentence (``min_words`` to `SUMMARY_MAX_WORDS`
    words, no question mark, not an aside), one that stands alone (`DANGLING`: no connective or pronoun
    first) preferred, then one with the stem key ``key``; the most central of all when none is
    informative."""
    centre = emb[first:last + 1].mean(0)
    central = emb[first:last + 1] @ centre
    informative, with_key = [], []
    for i in range(first, last + 1):
        t = texts[i].strip()
        if min_words <= len(t.split()) <= SUMMARY_MAX_WORDS and "?" not in t and not ASIDE.match(t):
            informative.append(i)
            if key and f" {key} " in f" {stem_key(t)} ":
                with_key.append(i)
    alone = [i for i in informative if not DANGLING.match(texts[i].strip())]
    pool = ([i for i in with_key if i in alone] or alone or with_key or informative
            or list(range(first, last + 1)))
    return max(pool, key=lambda i: central[i - first])
