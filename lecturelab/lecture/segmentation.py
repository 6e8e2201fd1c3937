"""Global topic segmentation of a lecture: the best set of chapter boundaries for the whole transcript.

The score of a segmentation is a sum over its chapters, so dynamic programming finds the best one exactly
(Utiyama & Isahara 2001, "A Statistical Model for Domain-Independent Text Segmentation", ACL: a DP over
all boundary sets with a prior on the segments). Each chapter [a, b) of sentences costs

    cohesion(a, b) + segment_penalty + length_prior * log(duration / (chapter_minutes))**2 - cue_bonus * cue[a]

and the boundaries minimise the total, chapters shorter than ``min_seconds`` or longer than ``max_seconds``
not allowed:
- cohesion: the sentences' squared distance to the chapter's centroid in a similarity space, that is
  ``(b - a) - sum_{i,j in [a,b)} K[i, j] / (b - a)``, scaled to minutes of speech; low when the chapter's
  sentences are similar to each other. This is the inside density of C99 (Choi 2000, "Advances in domain
  independent linear text segmentation", NAACL) taken as a sum of squares, so that the DP can maximise it.
  ``K = (1 - lexical_weight) * K_emb + lexical_weight * K_lex``: ``K_emb`` the cosine of the sentences'
  MiniLM embeddings after the lecture's mean embedding is taken out (what every sentence of a lecture shares
  says nothing about where its topics change), ``K_lex`` the cosine of their TF-IDF vectors of content-word
  stems, the lexical cohesion of Hearst's TextTiling (1997) and of Utiyama & Isahara's word model: where the
  lecture's key terms change, the vocabulary changes.
- the length prior: chapters near ``chapter_minutes`` long (a 50-minute lecture about five chapters), so
  that the count follows the lecture's length rather than the noise of local similarities;
- discourse cues: phrases with which a lecturer opens a part ("now let's turn to", "the second thing",
  "let me start with", "so today", a question to the room, a recap; Passonneau & Litman 1997, "Discourse
  Segmentation by Human and Automated Means", Computational Linguistics 23(1)); see `cue_scores`.
"""

from __future__ import annotations

import math
import re

import numpy as np

from lecturelab.keyphrases import stem_key

# A sentence that opens a part of a lecture: matched at its start (after a discourse marker), lower case.
_LEAD = r"^(?:(?:so|and|now|okay|ok|alright|all right|well|but|right|good|um|uh)[,.]?\s+)*"
OPENING_CUES = re.compile(_LEAD + r"(?:"
                          r"(?:now\s+)?let(?:'s| us) (?:turn|move|go on|get|begin|start|talk|look|think|consider"
                          r"|come|shift|switch|go back|return)"
                          r"|let me (?:turn|move|start|begin|now|talk|say|introduce|go|come|switch|shift|return"
                          r"|first|give you|tell you)"
                          r"|i (?:want|'d like|would like|wanted) (?:to )?(?:now |next )?(?:to )?"
                          r"(?:turn|move|talk|start|begin|discuss|go|switch|introduce|spend|say|look|come)"
                          r"|(?:the|my) (?:first|second|third|fourth|fifth|next|last|final|other) "
                          r"(?:thing|point|topic|question|issue|part|step|idea|example|theme|argument|reason)"
                          r"|(?:first|second|third|next|finally|lastly|secondly|thirdly)[,:]"
                          r"|(?:today|this (?:morning|afternoon|lecture|time)),? (?:i|we)"
                          r"|what (?:i|we) (?:want|'re going|are going|will|'ll) (?:to )?(?:do|talk|look)"
                          r"|we(?:'re| are) (?:going to|gonna) (?:turn|move|talk|start|begin|look|switch|go on)"
                          r"|(?:to|in) (?:summarize|sum up|recap|conclude|review)"
                          r"|let me (?:summarize|sum up|recap|review)"
                          r"|last time,? (?:i|we)"
                          r"|(?:any|are there (?:any)?) questions"
                          r"|moving on|turning (?:now )?to|on to (?:the|our)|that brings (?:me|us)"
                          r")")
# A sentence that is only a discourse marker ("Okay.", "All right, so."): a pause between parts.
MARKER_ONLY = re.compile(r"^(?:(?:so|okay|ok|alright|all right|right|good|now|well|yes|anyway)[,.!?]?\s*)+$")


def cue_scores(texts: list[str]) -> np.ndarray:
    """One score per sentence in [0, 1] for a chapter starting there: 1 for a sentence that opens a part
    (`OPENING_CUES`) or a bare marker ("Okay.") right before one, 0.5 for a question to the room that is
    followed by a cue or a bare marker alone, else 0. ``texts``: the sentences in order."""
    low = [" ".join(t.lower().replace("\u2019", "'").split()) for t in texts]
    opens = np.array([bool(OPENING_CUES.match(t)) for t in low], dtype=bool)
    marker = np.array([bool(MARKER_ONLY.match(t)) for t in low], dtype=bool)
    out = np.where(opens, 1.0, np.where(marker, 0.5, 0.0))
    nxt = np.append(opens[1:], False)
    out[marker & nxt] = 1.0
    return out


def context_matrix(n: int, width: int):
    """n x n sparse row-averaging matrix: row i averages rows i-width..i+width (fewer at the edges)."""
    from scipy.sparse import diags

    if width <= 0:
        return diags(np.ones(n)).tocsr()
    band = diags([np.ones(n - abs(o)) for o in range(-width, width + 1) if abs(o) < n],
                 [o for o in range(-width, width + 1) if abs(o) < n]).tocsr()
    return diags(1.0 / np.asarray(band.sum(1)).ravel()) @ band


def _cosine(x) -> np.ndarray:
    x = np.asarray(x.toarray() if hasattr(x, "toarray") else x, dtype=np.float64)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return x @ x.T


def centred_cosine(emb: np.ndarray, width: int = 0) -> np.ndarray:
    """n x n cosine similarity of the rows of ``emb`` (n x d) after their mean row is subtracted, each row
    first averaged with the ``width`` rows on either side."""
    x = emb - emb.mean(0, keepdims=True)
    return _cosine(context_matrix(len(x), width) @ x)


def lexical_cosine(texts: list[str], width: int = 0) -> np.ndarray:
    """n x n cosine similarity of the sentences' TF-IDF vectors (each summed with the ``width`` sentences on
    either side) (scikit-learn's ``TfidfVectorizer``,
    sublinear tf) over Porter stems of content words (English stop words out) seen in at least two
    sentences; all zeros when no word is."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

    def analyse(text: str) -> list[str]:
        words = re.findall(r"[a-z][a-z'-]{2,}", text.lower())
        return [stem_key(w) for w in words if w not in ENGLISH_STOP_WORDS]

    n = len(texts)
    try:
        x = TfidfVectorizer(analyzer=analyse, min_df=2, sublinear_tf=True).fit_transform(texts)
    except ValueError:   # no word in two sentences
        return np.zeros((n, n))
    return _cosine(context_matrix(n, width) @ x)


def segment_costs(kernel: np.ndarray) -> np.ndarray:
    """(n+1) x (n+1) table C with C[a, b] = (b - a) - sum(kernel[a:b, a:b]) / (b - a) for a < b: the
    squared distance of sentences a..b-1 to their centroid in the feature space of ``kernel`` (n x n,
    symmetric, ones on the diagonal). O(n^2) time and memory from a two-dimensional prefix sum."""
    n = len(kernel)
    q = np.zeros((n + 1, n + 1))
    q[1:, 1:] = kernel.cumsum(0).cumsum(1)
    length = np.arange(n + 1)[None, :] - np.arange(n + 1)[:, None]
    diag = np.diag(q)
    inside = diag[None, :] - q - q.T + diag[:, None]      # inside[a, b] = sum kernel[a:b, a:b]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(length > 0, length - inside / np.maximum(length, 1), np.inf)


def best_segmentation(costs: np.ndarray, starts: list[float], end: float, cues: np.ndarray, settings: dict
                      ) -> list[int]:
    """The sentence indices that open a chapter (after the first) minimising the total score of the module
    docstring: ``costs`` from `segment_costs` (already in minutes), ``starts``: sentence start times (s),
    ``end``: the end of the last chapter (s), ``cues`` from `cue_scores`. Chapters shorter than
    ``min_seconds`` or longer than ``max_seconds`` are not allowed (a single sentence may be longer); when
    nothing fits, one chapter."""
    n = len(starts)
    t = np.append(np.asarray(starts, float), end)
    minutes = max(float(settings["chapter_minutes"]), 1e-3)
    min_s, max_s = float(settings["min_seconds"]), float(settings["max_seconds"])
    best = np.full(n + 1, np.inf)
    best[0] = 0.0
    back = np.zeros(n + 1, int)
    bonus = float(settings["cue_bonus"]) * np.append(0.0, cues[1:])   # no bonus for the first chapter
    for b in range(1, n + 1):
        a = np.arange(b)
        dur = np.maximum(t[b] - t[a], 1e-3)
        prior = float(settings["length_prior"]) * np.log(dur / 60.0 / minutes) ** 2
        score = best[:b] + costs[:b, b] + float(settings["segment_penalty"]) + prior - bonus[:b]
        ok = ((dur >= min_s) | ((a == 0) & (b == n))) & ((dur <= max_s) | (b - a == 1))
        score = np.where(ok, score, np.inf)
        if b == n and not np.isfinite(score).any():   # nothing fits the length limits: one chapter
            score = np.where(a == 0, 0.0, np.inf)
        back[b] = int(np.argmin(score))
        best[b] = score[back[b]]
    cuts, b = [], n
    while b > 0:
        b = back[b]
        if b > 0:
            cuts.append(b)
    return sorted(cuts)


def snap_to_cues(cuts: list[int], starts: list[float], cues: np.ndarray, seconds: float) -> list[int]:
    """Each boundary moved to the nearest sentence with a full cue score (1) that starts within ``seconds``
    of it, if any, keeping the boundaries in order and distinct: cohesion finds where the topic changes,
    the lecturer's words say on which sentence."""
    if seconds <= 0:
        return cuts
    t = np.asarray(starts, float)
    strong = np.flatnonzero(cues >= 1.0)
    out: list[int] = []
    for i, c in enumerate(cuts):
        lo = out[-1] if out else 0
        hi = cuts[i + 1] if i + 1 < len(cuts) else len(starts)
        near = [j for j in strong if lo < j < hi and abs(t[j] - t[c]) <= seconds]
        out.append(int(min(near, key=lambda j: abs(t[j] - t[c]))) if near else c)
    return out


def global_boundaries(emb: np.ndarray, texts: list[str], starts: list[float], end: float, settings: dict
                      ) -> list[int]:
    """Chapter-opening sentence indices (after the first) of a transcript by `best_segmentation` over the
    cohesion of ``emb`` (n x d sentence embeddings) and the TF-IDF of ``texts``; ``starts``: sentence start
    times (s), ``end``: the lecture's end (s). Fewer than 2 sentences: no boundary."""
    n = len(texts)
    if n < 2:
        return []
    w, width = float(settings["lexical_weight"]), int(settings["context_sentences"])
    kernel = (1 - w) * centred_cosine(emb, width) + (w * lexical_cosine(texts, width) if w > 0 else 0.0)
    np.fill_diagonal(kernel, 1.0)
    span_minutes = max(end - starts[0], 1.0) / 60.0
    costs = segment_costs(kernel) * (span_minutes / n)   # cohesion in minutes of speech
    cues = cue_scores(texts)
    cuts = best_segmentation(costs, starts, end, cues, settings)
    return snap_to_cues(cuts, starts, cues, float(settings["cue_seconds"]))


def expected_chapters(minutes: float, chapter_minutes: float) -> int:
    """Chapters the length prior favours for a lecture of ``minutes``: at least 1."""
    return max(1, math.floor(minutes / max(chapter_minutes, 1e-3) + 0.5))
