"""Metrics on hand-computed cases."""

import numpy as np
import pytest

from lecturelab.evaluation.metrics import bootstrap_ci, entity_scores, keyphrase_scores, per_doc_f1
from lecturelab.keyphrases import decode, ranked_keys, spans_from_tags, stem_key

O, B, I = 0, 1, 2


def test_stem_key_groups_variants():
    assert stem_key("Neural Networks") == stem_key("neural network") == "neural network"
    assert stem_key(["Query", "optimization"]) == stem_key("query optimizations")
    assert stem_key("k-means") == "k mean"


def test_spans_from_tags_lenient_i_after_o():
    spans = spans_from_tags([B, I, O, I, I, B, B])
    assert [(s.start, s.end) for s in spans] == [(0, 2), (3, 5), (5, 6), (6, 7)]


def test_decode_scores_and_o_bias():
    probs = np.array([[0.6, 0.4, 0.0], [0.2, 0.1, 0.7], [0.9, 0.1, 0.0]])
    assert [(s.start, s.end) for s in decode(probs)] == [(1, 2)]
    spans = decode(probs, o_bias=1.0)  # log(0.6)-1 < log(0.4): word 0 becomes B
    assert [(s.start, s.end) for s in spans] == [(0, 2)]
    assert spans[0].score == pytest.approx((0.4 + 0.8) / 2)


def test_ranked_keys_unique_by_stem_best_score_first():
    words = "Neural networks and a neural network for graphs".split()
    probs = np.array([[0.1, 0.9, 0], [0.1, 0, 0.9], [1, 0, 0], [1, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5],
                      [1, 0, 0], [0.3, 0.7, 0]])
    assert ranked_keys(decode(probs, 0.1), words) == ["neural network", "graph"]


def test_keyphrase_scores_at_k_and_m():
    gold = [["a", "b", "c", "d"]]
    pred = [["a", "x", "b", "y", "z", "c"]]
    s = keyphrase_scores(pred, gold, ks=(5,))
    # @5: 2 correct of 5 -> P .4, R .5 ; @M: 3 of 6 -> P .5, R .75
    assert s["precision_at_5"] == pytest.approx(0.4) and s["recall_at_5"] == pytest.approx(0.5)
    assert s["f1_at_5"] == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    assert s["precision_at_m"] == pytest.approx(0.5) and s["recall_at_m"] == pytest.approx(0.75)
    assert s["f1_at_m"] == pytest.approx(0.6)


def test_keyphrase_scores_macro_average_skips_docs_without_gold():
    s = keyphrase_scores([["a"], ["b"], ["q"]], [["a"], ["c"], []], ks=(5,))
    assert s["docs_with_gold"] == 2
    assert s["f1_at_m"] == pytest.approx(0.5)  # 1.0 and 0.0
    assert s["precision_at_5"] == pytest.approx(0.1)  # (1/5 + 0) / 2


def test_entity_scores():
    s = entity_scores([[B, I, O, B]], [[B, I, O, O]])
    assert s["precision"] == pytest.approx(0.5) and s["recall"] == pytest.approx(1.0)


def test_per_doc_f1_is_what_keyphrase_scores_averages():
    pred = [["a", "b", "c"], ["x"], ["q"], []]
    gold = [["a", "c", "d"], ["y"], [], ["z"]]
    f = per_doc_f1(pred, gold)   # the doc without gold is skipped
    assert f == pytest.approx([2 / 3, 0.0, 0.0])
    assert f.mean() == pytest.approx(keyphrase_scores(pred, gold)["f1_at_m"])
    assert per_doc_f1(pred, gold, k=5).mean() == pytest.approx(keyphrase_scores(pred, gold)["f1_at_5"])


def test_bootstrap_ci_of_a_known_list():
    # 100 documents, half F1 1.0 and half 0.0: mean 0.5, standard error sqrt(0.25 / 100) = 0.05, so the
    # percentile interval is 0.5 -+ 1.96 * 0.05, on the 0.01 grid such means can take
    assert bootstrap_ci([1.0, 0.0] * 50) == pytest.approx((0.4, 0.6))
    # continuous values: the same interval for the same seed, another for another seed, near the normal one
    values = np.random.default_rng(123).uniform(size=200)
    low, high = bootstrap_ci(values)
    se = values.std(ddof=1) / np.sqrt(len(values))
    assert low == pytest.approx(values.mean() - 1.96 * se, abs=0.01)
    assert high == pytest.approx(values.mean() + 1.96 * se, abs=0.01)
    assert bootstrap_ci(values) == (low, high)
    assert bootstrap_ci(values, seed=1) != (low, high)
    wider = bootstrap_ci(values[:20])                           # fewer documents, wider interval
    assert wider[1] - wider[0] > high - low
    assert bootstrap_ci([0.4, 0.4, 0.4]) == pytest.approx((0.4, 0.4))   # no spread, no interval
    with pytest.raises(ValueError, match="no values"):
        bootstrap_ci([])


def test_viterbi_forbids_i_after_o_where_greedy_produces_it():
    from lecturelab.keyphrases import tags_from_probs

    probs = np.array([[0.60, 0.10, 0.30],    # greedy O
                      [0.20, 0.35, 0.45],    # greedy I after O: invalid BIO
                      [0.90, 0.05, 0.05],
                      [0.45, 0.40, 0.15],    # greedy O
                      [0.10, 0.20, 0.70]])   # greedy I after O again
    assert tags_from_probs(probs) == [O, I, O, O, I]
    # best valid sequence: O B (0.6 * 0.35 = 0.21 beats B I 0.1 * 0.45), then B I (0.4 * 0.7 beats O B 0.45 * 0.2)
    assert tags_from_probs(probs, decoding="viterbi") == [O, B, O, B, I]
    assert [(s.start, s.end) for s in decode(probs, decoding="viterbi")] == [(1, 2), (3, 5)]
    # a document cannot start inside a phrase
    assert tags_from_probs(np.array([[0.2, 0.3, 0.5]]), decoding="viterbi") == [B]
    # o_bias applies before the search: a strong bias turns the first word into a phrase start too
    assert tags_from_probs(probs, o_bias=3.0, decoding="viterbi")[0] == B
    with pytest.raises(ValueError, match="decoding must be one of greedy, viterbi"):
        tags_from_probs(probs, decoding="beam")


def test_viterbi_is_the_best_valid_sequence_by_brute_force():
    import itertools

    from lecturelab.keyphrases import tags_from_probs

    rng = np.random.default_rng(0)
    for _ in range(30):
        probs = rng.dirichlet(np.ones(3), size=5)
        logp = np.log(probs)
        valid = [seq for seq in itertools.product((O, B, I), repeat=5)
                 if seq[0] != I and all(not (a == O and b == I) for a, b in itertools.pairwise(seq))]
        best = max(valid, key=lambda seq: sum(logp[i, t] for i, t in enumerate(seq)))
        assert tags_from_probs(probs, decoding="viterbi") == list(best)
        greedy = tags_from_probs(probs)
        if tuple(greedy) in valid:   # when greedy is already valid, the constraint changes nothing
            assert greedy == list(best)
