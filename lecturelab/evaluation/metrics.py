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


def per_doc_f1(predicted: list[list[str]], gold: list[list[str]], k: int | None = None) -> np.ndarray:
    """F1@k (``k=None``: F1@M) of each document that has gold phrases, shape (n_docs_with_gold,): the values
    `keyphrase_scores` macro-averages (same ranking, same P@k = correct / k), kept per document for
    resampling (`bootstrap_ci`)."""
    out = []
    for pred, ref in zip(predicted, gold, strict=True):
        ref_set = set(ref)
        if not ref_set:
            continue
        top = pred if k is None else pred[:k]
        out.append(prf(sum(1 for p in top if p in ref_set), len(top) if k is None else k, len(ref_set))[2])
    return np.asarray(out, dtype=np.float64)


def bootstrap_ci(values, n_resamples: int = 1000, seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (e.g. per-document F1@M, shape (n,)).

    Documents are resampled with replacement ``n_resamples`` times (``numpy.random.default_rng(seed)``, so
    the interval is the same on every run); the interval is the (1 - level) / 2 and (1 + level) / 2
    percentiles of the resampled means (percentile method, Efron & Tibshirani 1993, *An Introduction to
    the Bootstrap*, ch. 13), computed by `scipy.stats.bootstrap`. One value, or all equal: (mean, mean).
    Raises ValueError for no values.
    """
    from scipy.stats import bootstrap  # deferred: scipy.stats takes a while to import

    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        raise ValueError("bootstrap_ci: no values to resample (no document has gold keyphrases)")
    if x.size == 1 or np.all(x == x[0]):   # every resample has the same mean; scipy warns and gives NaN
        return float(x.mean()), float(x.mean())
    res = bootstrap((x,), np.mean, n_resamples=n_resamples, method="percentile", confidence_level=level,
                    rng=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def entity_scores(pred_tags: list[list[int]], gold_tags: list[list[int]]) -> dict[str, float]:
    """seqeval entity-level precision / recall / F1 (conlleval-style, lenient I-after-O)."""
    from seqeval.metrics import f1_score, precision_score, recall_score

    p = [[LABELS[t] for t in doc] for doc in pred_tags]
    g = [[LABELS[t] for t in doc] for doc in gold_tags]
    return {"precision": float(precision_score(g, p, zero_division=0)),
            "recall": float(recall_score(g, p, zero_division=0)),
            "f1": float(f1_score(g, p, zero_division=0))}
