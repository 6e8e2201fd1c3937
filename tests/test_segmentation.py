"""Global segmentation (lecture/segmentation.py) and chapter titles (lecture/chapter_titles.py) on small
generated inputs."""

from __future__ import annotations

import numpy as np
import pytest

from lecturelab.lecture.chapter_titles import chapter_title, expand, is_noun_phrase, summary_index, title_case
from lecturelab.lecture.chapters import DEFAULTS, chapter_settings
from lecturelab.lecture.segmentation import cue_scores, global_boundaries, segment_costs, snap_to_cues

SETTINGS = {**DEFAULTS, "lexical_weight": 0.0, "cue_seconds": 0.0}


def topic_embeddings(sizes: list[int], dim: int = 32, noise: float = 0.6, seed: int = 0) -> np.ndarray:
    """One row per sentence: its topic's direction plus Gaussian noise, rows L2-normalised."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(len(sizes), dim))
    rows = np.concatenate([topics[i] + noise * rng.normal(size=(n, dim)) * np.linalg.norm(topics[i]) / np.sqrt(dim)
                           for i, n in enumerate(sizes)])
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def run(emb: np.ndarray, seconds: float, texts: list[str] | None = None, **over) -> list[int]:
    n = len(emb)
    starts = [i * seconds for i in range(n)]
    return global_boundaries(emb, texts or ["x"] * n, starts, n * seconds, {**SETTINGS, **over})


def test_segment_costs_match_brute_force():
    emb = topic_embeddings([4, 3], dim=6)
    k = emb @ emb.T
    c = segment_costs(k)
    for a, b in [(0, 7), (0, 4), (4, 7), (2, 5), (3, 4)]:
        x = emb[a:b]
        assert c[a, b] == pytest.approx(float(((x - x.mean(0)) ** 2).sum()), abs=1e-9)
    assert np.isinf(c[3, 3]) and np.isinf(c[5, 2])


def test_three_topics_found_at_their_joints():
    # three 10-minute topics of 20 sentences each (30 s a sentence)
    assert run(topic_embeddings([20, 20, 20]), 30.0) == [20, 40]


def test_one_topic_stays_one_chapter():
    # a chapter's worth of one topic (10 minutes): no boundary, whatever its noise
    for seed in range(3):
        assert run(topic_embeddings([20], seed=seed), 30.0) == []


def test_length_prior_sets_the_count():
    # twelve 5-minute topics in an hour: a prior of 5-minute chapters finds more than one of 20 minutes
    emb = topic_embeddings([10] * 12, noise=1.5)
    short, long = run(emb, 30.0, chapter_minutes=5.0), run(emb, 30.0, chapter_minutes=20.0)
    assert len(short) > len(long) >= 1
    assert 1 <= len(long) <= 5


def test_min_seconds_is_kept():
    cuts = run(topic_embeddings([20, 2, 20]), 30.0, min_seconds=120.0)
    edges = [0, *cuts, 42]
    assert all((b - a) * 30.0 >= 120.0 for a, b in zip(edges, edges[1:], strict=False))


def test_a_discourse_cue_moves_a_boundary():
    # the joint is at 20; a sentence two later says "now let's turn to" -> with a large bonus it opens the part
    texts = ["It is so."] * 40
    texts[22] = "Now let's turn to the second question."
    emb = topic_embeddings([20, 20])
    assert run(emb, 30.0, texts, cue_bonus=0.0) == [20]
    assert run(emb, 30.0, texts, cue_bonus=5.0) == [22]


def test_snap_to_cues_moves_within_the_window_only():
    starts = [10.0 * i for i in range(20)]
    cues = np.zeros(20)
    cues[[3, 8, 17]] = 1.0
    cues[6] = 0.5   # a bare marker is not a full cue
    # 5 -> 3 (20 s) with a 30-s window; 12 has none within 30 s; 16 -> 17
    assert snap_to_cues([5, 12, 16], starts, cues, 30.0) == [3, 12, 17]
    assert snap_to_cues([5, 12, 16], starts, cues, 0.0) == [5, 12, 16]
    assert snap_to_cues([4, 5], starts, cues, 30.0) == [3, 8]   # 5 cannot move onto 3 once 4 took it
    assert snap_to_cues([4, 5], starts, cues, 20.0) == [3, 5]


def test_cue_scores():
    got = cue_scores(["Okay.", "Now let's turn to the carbonyl group.", "The acid is weak.",
                      "So the second thing I want to say is this.", "All right.", "It is red."])
    assert got.tolist() == [1.0, 1.0, 0.0, 1.0, 0.5, 0.0]


def test_lexical_cohesion_alone_finds_the_joint():
    texts = ([f"The enzyme binds the substrate {i} times." for i in range(15)]
             + [f"The treaty ended the war in year {i}." for i in range(15)])
    emb = np.tile(np.eye(1, 8), (30, 1))   # embeddings that say nothing
    assert run(emb, 40.0, texts, lexical_weight=1.0) == [15]


def test_new_settings_are_checked():
    with pytest.raises(ValueError, match=r"^chapters\.method='tiling': one of global, texttiling$"):
        chapter_settings({"method": "tiling"})
    with pytest.raises(ValueError, match=r"^chapters\.lexical_weight=2: a number from 0 to 1$"):
        chapter_settings({"lexical_weight": 2})
    with pytest.raises(ValueError, match=r"^chapters\.chapter_minutes=0: minutes > 0$"):
        chapter_settings({"chapter_minutes": 0})


def test_titles_are_noun_phrases():
    assert is_noun_phrase("carbonyl group") and is_noun_phrase("the reactivity of the carbonyl group")
    assert not is_noun_phrase("run fast") and not is_noun_phrase("muscles, arm")
    said = ["The reactivity of the carbonyl group is high.", "So we study the reactivity of the carbonyl group today.",
            "A carbonyl group has an oxygen."]
    assert title_case(expand("carbonyl group", said)) == "Reactivity of the Carbonyl Group"
    assert expand("carbonyl group", said[2:]) == "carbonyl group"   # said once: not a title
    assert title_case("pH of the NADPH pool") == "pH of the NADPH Pool"


def test_title_skips_misheard_and_non_noun_keyphrases():
    segs = [{"text": "The mad market conditions hit the apartment prices.",
             "words": [{"word": " mad", "prob": 0.2}, {"word": " market", "prob": 0.9}]},
            {"text": "Housing prices fell when interest rates rose.", "words": []}]
    kps = [{"phrase": "mad market conditions", "key": "mad market condit", "score": 0.9,
            "occurrences": [{"segment": 0}]},
           {"phrase": "fell when", "key": "fell when", "score": 0.8, "occurrences": [{"segment": 1}]},
           {"phrase": "interest rates", "key": "interest rate", "score": 0.5, "occurrences": [{"segment": 1}]}]
    title, kp = chapter_title(kps, segs, 0, 1, 0.5)
    assert title == "Interest Rates" and kp["key"] == "interest rate"


def test_summary_is_an_informative_statement():
    texts = ["Why?", "The carbonyl group reacts with nucleophiles at its carbon atom.",
             "By the way, the exam is on Monday next week in this very room.",
             "Is the carbonyl group polar because oxygen pulls the electrons?"]
    emb = np.tile(np.eye(1, 4), (4, 1))
    emb[0] = emb[2] = emb[3] = np.eye(1, 4)   # all equally central: the rules decide
    assert summary_index(texts, emb, 0, 3, "carbonyl group", 8) == 1


def _kp(phrase: str, score: float, segments: list[int]) -> dict:
    from lecturelab.keyphrases import stem_key

    return {"phrase": phrase, "key": stem_key(phrase), "score": score,
            "occurrences": [{"segment": s} for s in segments]}


def test_two_concepts_of_a_part_make_an_x_and_y_title():
    segs = [{"text": t, "words": []} for t in [
        "A price ceiling caps the rent.", "Black markets appear.", "The price ceiling binds below equilibrium.",
        "Black markets sell above it.", "Queues grow long.", "A price ceiling hurts new tenants."]]
    kps = [_kp("price ceiling", 0.9, [0, 2, 5]), _kp("black markets", 0.8, [1, 3]),
           _kp("tenants", 0.7, [5, 9, 12, 15])]
    # price ceiling 0.9*3*3/3 = 2.7; black markets 0.8*2*2/2 = 1.6 (>= half): joins; tenants is mostly elsewhere
    assert chapter_title(kps, segs, 0, 5, 0.5)[0] == "Price Ceiling and Black Markets"
    assert chapter_title(kps, segs, 0, 5, 0.5, pair_share=0.7)[0] == "Price Ceiling"   # 1.6 < 0.7 * 2.7
    # a second concept said once in the part, or one that repeats the first's words, never joins
    kps[1] = _kp("black markets", 0.8, [1])
    assert chapter_title(kps, segs, 0, 5, 0.5, pair_share=0.1)[0] == "Price Ceiling"
    kps[1] = _kp("ceiling prices", 0.9, [1, 3])
    assert chapter_title(kps, segs, 0, 5, 0.5, pair_share=0.1)[0] == "Price Ceiling"


def test_summary_prefers_a_sentence_that_stands_alone():
    texts = ["But it reacts with nucleophiles at the carbon atom of the carbonyl group.",
             "The carbonyl group reacts with nucleophiles at its carbon atom.",
             "So the aldehyde and the ketone both carry a polar carbonyl group.",
             "This is why the oxygen of the group takes the electrons it is given."]
    emb = np.array([[1.0, 0.0, 0.0], [0.85, 0.527, 0.0], [0.8, 0.0, 0.6], [1.0, 0.0, 0.0]])
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)   # the dangling ones (0, 3) are the most central
    assert summary_index(texts, emb, 0, 3, "carbonyl group", 8) == 1
    assert summary_index(texts, emb, 0, 3, "aldehyd", 8) == 2   # standing alone first, then the key
    assert summary_index(texts[::3], emb[::3], 0, 1, None, 8) == 0   # none stands alone: the most central
