"""Label alignment and windowing on hand-made cases."""

import pytest

from lecturelab.models.factory import load_tokenizer
from lecturelab.windows import IGNORE, align_labels, make_windows, window_spans
from tests.conftest import compose_cfg

O, B, I = 0, 1, 2


@pytest.fixture(scope="module")
def tok():
    return load_tokenizer(compose_cfg(["model=tiny"]).model)


def test_first_subword_carries_the_tag():
    # words: 0 -> 1 piece, 1 -> 3 pieces, 2 -> 1 piece, framed by [CLS]/[SEP]
    wids = [-1, 0, 1, 1, 1, 2, -1]
    assert align_labels(wids, [O, B, I], False) == [IGNORE, O, B, IGNORE, IGNORE, I, IGNORE]


def test_label_all_subwords_turns_b_into_i():
    wids = [-1, 0, 1, 1, 2, -1]
    assert align_labels(wids, [O, B, I], True, {B: I}) == [IGNORE, O, B, I, I, IGNORE]


def test_short_document_is_one_window():
    assert window_spans([0, 1, 2, 3], max_pieces=10, stride=3) == [(0, 4)]


def test_long_document_windows_overlap_and_start_on_word_boundaries():
    wids = [0, 0, 1, 2, 2, 2, 3, 4, 5, 5, 6, 7]
    spans = window_spans(wids, max_pieces=5, stride=2)
    assert spans[0] == (0, 5)
    assert spans[-1][1] == len(wids)
    for (_s1, e1), (s2, _) in zip(spans, spans[1:], strict=False):
        assert s2 < e1, "consecutive windows overlap"
        assert s2 == 0 or wids[s2] != wids[s2 - 1], "a window starts on a word's first piece"
    # every word's first piece sits in at least one window
    firsts = {i for i, w in enumerate(wids) if i == 0 or wids[i - 1] != w}
    assert firsts <= {i for s, e in spans for i in range(s, e)}


def test_bad_stride_is_rejected():
    with pytest.raises(ValueError, match="stride"):
        window_spans([0, 1, 2], max_pieces=4, stride=4)


def test_make_windows_real_tokenizer(tok):
    words = "Unsupervised keyphrase extraction with transformers".split()
    tags = [B, I, I, O, B]
    (w,) = make_windows(tok, words, tags, doc=7, max_length=32, stride=4)
    assert w.doc == 7
    assert w.input_ids[0] == tok.cls_token_id and w.input_ids[-1] == tok.sep_token_id
    first = [lab for lab, wid, prev in zip(w.labels, w.word_ids, [-1] + w.word_ids[:-1], strict=True)
             if wid >= 0 and wid != prev]
    assert first == tags
    assert sum(lab != IGNORE for lab in w.labels) == len(words)


def test_make_windows_splits_long_document_and_covers_every_word(tok):
    words = [f"word{i}" for i in range(60)]
    tags = [B if i % 7 == 0 else O for i in range(60)]
    wins = make_windows(tok, words, tags, doc=0, max_length=24, stride=6)
    assert len(wins) > 1
    assert all(len(w.input_ids) <= 24 for w in wins)
    seen = {wid for w in wins for wid, lab in zip(w.word_ids, w.labels, strict=True) if lab != IGNORE}
    assert seen == set(range(60))


def _long_text(n_words: int) -> list[str]:
    """``n_words`` words of running text (a repeated paragraph, with long words that split into pieces)."""
    base = ("The lecture introduces gradient descent and stochastic optimisation , then regularisation , "
            "convolutional networks and backpropagation through time for recurrent architectures .").split()
    return [base[i % len(base)] for i in range(n_words)]


def test_5000_word_document_every_word_predicted_and_windows_grow_linearly(tok):
    """A 5,000-word lecture through the tagger: one prediction per word, from windows whose number grows in
    proportion to the length (the cost of a long document is linear, not quadratic)."""
    import numpy as np

    from lecturelab.models.factory import build_model
    from lecturelab.models.tagger import KeyphraseTagger

    model_cfg = compose_cfg(["model=tiny"]).model
    tagger = KeyphraseTagger(build_model(model_cfg), tok, max_length=128, stride=32, batch_size=64)
    rows_run = []
    inner = tagger._probs
    tagger._probs = lambda ids, mask: rows_run.append(ids.shape[0]) or inner(ids, mask)   # count windows run

    words = _long_text(5000)
    (probs,) = tagger.word_probs([words])
    assert probs.shape == (5000, 3) and np.allclose(probs.sum(-1), 1.0, atol=1e-4)
    # every word was seen by a window: none has the fallback row of a word with no word piece
    assert not np.any(np.all(probs == np.array([1.0, 0.0, 0.0], np.float32), axis=-1))
    wins = {n: make_windows(tok, _long_text(n), None, 0, 128, 32) for n in (2500, 5000, 10000)}
    assert sum(rows_run) == len(wins[5000])
    assert {wid for w in wins[5000] for wid in w.word_ids if wid >= 0} == set(range(5000))
    assert all(len(w.input_ids) <= 128 for w in wins[5000])
    # twice the words, about twice the windows (within one window of exact proportion)
    assert abs(len(wins[5000]) - 2 * len(wins[2500])) <= 2
    assert abs(len(wins[10000]) - 2 * len(wins[5000])) <= 2
