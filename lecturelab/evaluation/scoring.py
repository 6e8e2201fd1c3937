"""Score a tagger's per-word probabilities against gold BIO documents (shared by validation and test)."""

from __future__ import annotations

import numpy as np

from lecturelab.bio import LABEL2ID
from lecturelab.evaluation.metrics import entity_scores, keyphrase_scores
from lecturelab.keyphrases import decode, gold_spans, ranked_keys, stem_key, tags_from_probs


def gold_keys(rows: list[dict]) -> list[list[str]]:
    """Unique stem keys of the gold phrases of each document."""
    out = []
    for row in rows:
        spans = gold_spans(row["tags"])
        out.append(list(dict.fromkeys(k for s in spans if (k := stem_key(s.words(row["tokens"]))))))
    return out


def ranked_predictions(probs: list[np.ndarray], rows: list[dict], o_bias: float = 0.0,
                       decoding: str = "greedy") -> list[list[str]]:
    """Each document's predicted keyphrases as unique stem keys, most confident first (what F1@k ranks)."""
    return [ranked_keys(decode(p, o_bias, decoding), row["tokens"]) for p, row in zip(probs, rows, strict=True)]


def score_probs(probs: list[np.ndarray], rows: list[dict], o_bias: float = 0.0, ks=(5, 10),
                gold: list[list[str]] | None = None, decoding: str = "greedy") -> dict[str, float]:
    """Entity P/R/F1 and keyphrase P/R/F1@k/@M of predictions decoded with ``o_bias`` and ``decoding``
    (`lecturelab.keyphrases.tags_from_probs`: greedy or BIO-constrained viterbi)."""
    gold = gold_keys(rows) if gold is None else gold
    pred_tags = [tags_from_probs(p, o_bias, decoding) for p in probs]
    ranked = ranked_predictions(probs, rows, o_bias, decoding)
    gold_tags = [[LABEL2ID[t] for t in row["tags"]] for row in rows]
    return entity_scores(pred_tags, gold_tags) | keyphrase_scores(ranked, gold, ks)


def tune_o_bias(probs: list[np.ndarray], rows: list[dict], grid=None, metric: str = "f1_at_m",
                decoding: str = "greedy"):
    """Pick the O-bias that maximises ``metric`` on these (validation) documents under ``decoding``."""
    grid = np.round(np.arange(0.0, 2.01, 0.25), 2) if grid is None else grid
    gold = gold_keys(rows)
    curve = [(float(b), score_probs(probs, rows, float(b), gold=gold, decoding=decoding)) for b in grid]
    best = max(curve, key=lambda c: c[1][metric])
    return best[0], curve
