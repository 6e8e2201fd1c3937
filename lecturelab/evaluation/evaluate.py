"""Stage 4 `evaluate`: the published checkpoint on the test split (windows merged per document),
beside the unsupervised YAKE baseline scored with the same keyphrase metric. `score_documents` is the
scoring itself, shared with ``lecturelab evaluate`` (any checkpoint on any BIO file)."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import numpy as np

from lecturelab.evaluation.metrics import bootstrap_ci, keyphrase_scores, per_doc_f1
from lecturelab.evaluation.scoring import gold_keys, ranked_predictions, score_probs
from lecturelab.io import read_jsonl, write_json
from lecturelab.keyphrases import stem_key
from lecturelab.models.tagger import META_FILE, KeyphraseTagger

log = logging.getLogger(__name__)


def yake_keys(rows: list[dict], top: int) -> list[list[str]]:
    """YAKE's ranked keyphrases per document as unique stem keys."""
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=3, top=top)
    out = []
    for row in rows:
        kws = sorted(extractor.extract_keywords(" ".join(row["tokens"])), key=lambda kv: kv[1])  # low = better
        out.append(list(dict.fromkeys(k for kw, _ in kws if (k := stem_key(kw)))))
    return out


def score_documents(tagger, rows: list[dict], ks=(5, 10), yake_top: int | None = 20,
                    prefix: str = "test", decoding: str = "greedy") -> tuple[dict, list[dict], float]:
    """Tag ``rows`` (interim rows: ``tokens``, ``tags``) with ``tagger`` and score them; the one scoring of the
    ``evaluate`` stage and of ``lecturelab evaluate``.

    Returns (metrics, precision-recall curve over the O-bias, seconds spent predicting). Metrics:
    ``{prefix}/`` seqeval entity P/R/F1 and P/R/F1@k/@M at the tagger's O-bias, ``{prefix}/f1_at_m_bias0``
    (untuned decoding), ``{prefix}/f1_at_m_ci95_low`` / ``_high`` (bootstrap 95 % interval of F1@M over
    documents, `metrics.bootstrap_ci`: 1,000 resamples, seed 0) and, unless ``yake_top`` is None, the YAKE
    baseline's P/R/F1@k/@M as ``yake/...``. ``decoding``: ``greedy`` (per-word arg-max) or ``viterbi``
    (valid BIO sequences only), `lecturelab.keyphrases.tags_from_probs`.
    """
    t0 = time.perf_counter()
    probs = tagger.word_probs([r["tokens"] for r in rows])
    seconds = time.perf_counter() - t0
    gold = gold_keys(rows)
    ks = tuple(ks)
    scores = score_probs(probs, rows, tagger.o_bias, ks, gold, decoding)
    low, high = bootstrap_ci(per_doc_f1(ranked_predictions(probs, rows, tagger.o_bias, decoding), gold))
    metrics = {**{f"{prefix}/{k}": round(v, 4) for k, v in scores.items()},
               # the untuned decoding, to show what validation-tuned O-bias adds
               f"{prefix}/f1_at_m_bias0": round(score_probs(probs, rows, 0.0, ks, gold, decoding)["f1_at_m"], 4),
               f"{prefix}/f1_at_m_ci95_low": round(low, 4), f"{prefix}/f1_at_m_ci95_high": round(high, 4)}
    if yake_top is not None:
        y = keyphrase_scores(yake_keys(rows, yake_top), gold, ks)
        metrics |= {f"yake/{k}": round(v, 4) for k, v in y.items() if k.startswith(("f1", "prec", "rec"))}
    # precision / recall of the whole predicted set as the O-bias moves (the decision threshold)
    curve = []
    for b in np.round(np.arange(-1.0, 3.01, 0.25), 2):
        s = score_probs(probs, rows, float(b), ks, gold, decoding)
        curve.append({"o_bias": float(b), "precision": round(s["precision_at_m"], 4),
                      "recall": round(s["recall_at_m"], 4), "f1": round(s["f1_at_m"], 4)})
    return metrics, curve, seconds


def evaluate(cfg) -> dict:
    """Score ``paths.best_dir`` on ``evaluate.split``; write ``{metrics_dir}/test.json`` and ``test_pr.json``
    (quality only, the same bytes on every machine) and ``{speed_dir}/test_speed.json`` (throughput)."""
    split = cfg.evaluate.split
    rows = read_jsonl(Path(cfg.paths.interim_dir) / f"{split}.jsonl")
    tagger = KeyphraseTagger.load(cfg.paths.best_dir)
    # null: the checkpoint's decoding (trainer.decoding), the one its O-bias was tuned with
    decoding = cfg.evaluate.get("decoding") or tagger.decoding
    scores, curve, seconds = score_documents(tagger, rows, cfg.evaluate.ks,
                                             cfg.evaluate.yake_top if cfg.evaluate.yake else None, decoding=decoding)
    meta = json.loads((Path(cfg.paths.best_dir) / META_FILE).read_text())
    metrics = {"split": split, "docs": len(rows), "model": meta.get("model"), "o_bias": tagger.o_bias,
               "best_epoch": meta.get("best_epoch"), "decoding": decoding, **scores}
    # both files written last, one right after the other: an interrupt leaves the previous pair
    mdir = Path(cfg.paths.metrics_dir)
    write_json(mdir / "test.json", metrics)
    write_json(mdir / "test_pr.json", curve)
    write_json(Path(cfg.paths.speed_dir) / "test_speed.json",
               {"docs": len(rows), "seconds": round(seconds, 2), "predict_docs_per_s": round(len(rows) / seconds, 2)})
    log.info("evaluate: %s", metrics)
    return metrics
