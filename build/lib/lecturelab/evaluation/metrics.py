"""Keyphrase metrics: seqeval entity P/R/F1 over BIO tags and keyphrase-level P/R/F1@k and @M.

Keyphrase level (present keyphrases only, the Inspec BIO tags mark phrases in the text):
- gold and predicted phrases are compared by `stem_key` (lower-cased, Porter-stemmed), unique per document;
- predictions are ranked by model confidence; @k keeps the top k, @M keeps all of them;
- P@k divides by k (a document with fewer than k predictions is not rewarded for abstaining,
  as in Chan et al. 2019), R divides by the number of gold phrases;
- per-document P, R and F1 are macro-averaged over the documents that have gold phrases.
"""

from __future__ import annotations

import numpy as np

from lecturelab.bio import LABELS


def prf(n_correct: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = n_correct / n_pred if n_pred else 0.0
    r = n_correct / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def keyphrase_scores(predicted: list[list[str]], gold: list[list[str]], ks=(5, 10)) -> dict[str, float]:
    """Macro P/R/F1@k and @M. ``predicted`` are ranked unique keys per doc; ``gold`` unique keys per doc."""
    cutoffs = {f"@{k}": k for k in ks} | {"@M": None}
    sums = {name: np.zeros(3) for name in cutoffs}
    n_docs = 0
    for pred, ref in zip(predicted, gold, strict=True):
        ref_set = set(ref)
        if not ref_set:
            continue
        n_docs += 1
        for name, k in cutoffs.items():
            top = pred if k is None else pred[:k]
            correct = sum(1 for p in top if p in ref_set)
            denom = len(top) if k is None else k
            sums[name] += prf(correct, denom, len(ref_set))
    out = {}
    for name, (p, r, f) in sums.items():
        suffix = name[1:].lower()
        d = max(n_docs, 1)
        out |= {f"precision_at_{suffix}": float(p / d), f"recall_at_{suffix}": float(r / d),
                f"f1_at_{suffix}": float(f / d)}
    out["docs_with_gold"] = n_docs
    return out


def entity_scores(pred_tags: list[list[int]], gold_tags: list[list[int]]) -> dict[str, float]:
    """seqeval entity-level precision / recall / F1 (conlleval-style, lenient I-after-O)."""
    from seqeval.metrics import f1_score, precision_score, recall_score

    p = [[LABELS[t] for t in doc] for doc in pred_tags]
    g = [[LABELS[t] for t in doc] for doc in gold_tags]
    return {"precision": float(precision_score(g, p, zero_division=0)),
            "recall": float(recall_score(g, p, zero_division=0)),
            "f1": float(f1_score(g, p, zero_division=0))}
