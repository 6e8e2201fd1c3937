"""Pure parts of the lecture processor on hand-made cases: offsets, tokens, windows, spans, renderers."""

from __future__ import annotations

import numpy as np

from lecturelab.lecture.highlight import (
    build_text,
    find_spans,
    group_keyphrases,
    keyphrase_spans,
    merge_window_probs,
    sentence_windows,
    tokenize,
)
from lecturelab.lecture.html import render_html
from lecturelab.lecture.render import pieces, to_markdown, to_srt, to_vtt
from lecturelab.transcript.format import clock, short_clock


def _w(word, start, end):
    return {"word": word, "start": start, "end": end, "prob": 0.9}


SEGMENTS = [
    {"start": 0.0, "end": 2.0, "text": "Neural networks learn.",
     "words": [_w(" Neural", 0.0, 0.5), _w(" networks", 0.5, 1.2), _w(" learn.", 1.2, 2.0)]},
    {"start": 2.5, "end": 5.0, "text": "A neural network, deep-learning!",
     "words": [_w(" A", 2.5, 2.7), _w(" neural", 2.7, 3.1), _w(" network,", 3.1, 3.8),
               _w(" deep-learning!", 3.8, 5.0)]},
]


def _probs(tokens, keyword_runs):
    """O everywhere except B/I on the given [start, end) token runs."""
    p = np.tile(np.array([0.9, 0.05, 0.05], np.float32), (len(tokens), 1))
    for a, b in keyword_runs:
        p[a] = [0.1, 0.8, 0.1]
        p[a + 1:b] = [0.2, 0.1, 0.7]
    return p


def test_build_text_offsets_point_at_the_words():
    text, segs = build_text(SEGMENTS)
    assert text == "Neural networks learn. A neural network, deep-learning!"
    for seg in segs:
        assert text[seg["char_start"]:seg["char_end"]] == seg["text"]
        for w in seg["words"]:
            assert text[w["char_start"]:w["char_end"]] == w["word"]
    assert [s["id"] for s in segs] == [0, 1]


def test_tokens_split_punctuation_and_know_their_word():
    text, segs = build_text(SEGMENTS)
    toks = tokenize(text, segs)
    assert [t.text for t in toks] == ["Neural", "networks", "learn", ".", "A", "neural", "network", ",",
                                      "deep-learning", "!"]
    assert [t.word for t in toks] == [0, 1, 2, 2, 3, 4, 5, 5, 6, 6]
    assert [t.segment for t in toks] == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert all(text[t.char_start:t.char_end] == t.text for t in toks)


def test_sentence_windows_cover_and_overlap_by_whole_sentences():
    text = "One two three. Four five. Six seven eight nine. Ten."
    segs = build_text([{"start": 0, "end": 1, "text": text, "words": []}])[1]
    toks = tokenize(text, segs)
    wins = sentence_windows(toks, max_tokens=9, overlap=1)
    assert wins == [(0, 7), (4, 12), (7, 14)]
    # no room for an old sentence beside the next new one: no overlap rather than a useless window
    assert sentence_windows(toks, max_tokens=7, overlap=1) == [(0, 7), (7, 14)]
    for a, b in wins:  # every window starts after a sentence end and ends on one
        assert a == 0 or toks[a - 1].text == "."
        assert toks[b - 1].text == "."
    assert sentence_windows(toks, max_tokens=100) == [(0, len(toks))]


def test_merge_window_probs_averages_overlaps():
    p1 = np.array([[1, 0, 0], [0, 1, 0]], np.float32)
    p2 = np.array([[0, 0, 1], [0, 1, 0]], np.float32)
    merged = merge_window_probs(3, [(0, 2), (1, 3)], [p1, p2])
    np.testing.assert_allclose(merged, [[1, 0, 0], [0, 0.5, 0.5], [0, 1, 0]])


def test_spans_break_at_punctuation_and_segment_ends():
    text, segs = build_text(SEGMENTS)
    toks = tokenize(text, segs)
    # one predicted run over "learn . A neural network": must become "learn" and "A neural network"
    spans = find_spans(toks, _probs(toks, [(2, 7)]))
    assert [(a, b) for a, b, _ in spans] == [(2, 3), (4, 7)]
    assert all(0 < s <= 1 for *_, s in spans)
    assert find_spans(toks, _probs(toks, [(2, 7)]), min_score=0.99) == []


def test_keyphrases_grouped_by_stem_with_times_and_offsets():
    text, segs = build_text(SEGMENTS)
    toks = tokenize(text, segs)
    spans = keyphrase_spans(text, segs, toks, find_spans(toks, _probs(toks, [(0, 2), (5, 7), (8, 9)])))
    assert [s["text"] for s in spans] == ["Neural networks", "neural network", "deep-learning"]
    assert spans[1]["start"] == 2.7 and spans[1]["end"] == 3.8 and spans[1]["segment"] == 1
    assert all(text[s["char_start"]:s["char_end"]] == s["text"] for s in spans)
    groups = group_keyphrases(spans, text)
    nn = next(g for g in groups if g["key"] == "neural network")
    assert nn["count"] == 2 and nn["variants"] == ["neural network", "neural networks"]
    assert nn["first_time"] == 0.0 and [o["segment"] for o in nn["occurrences"]] == [0, 1]
    assert [g["score"] for g in groups] == sorted((g["score"] for g in groups), reverse=True)


def _doc():
    text, segs = build_text(SEGMENTS)
    toks = tokenize(text, segs)
    spans = keyphrase_spans(text, segs, toks, find_spans(toks, _probs(toks, [(0, 2), (5, 7)])))
    doc = {"source": {"name": "talk.mp4", "duration": 5.0, "media_file": None}, "text": text,
           "segments": segs, "keyphrases": spans, "note": None, "transcriber": {"model": "tiny.en"}}
    return doc, group_keyphrases(spans, text)


def _spans(text: str, phrases: list[str]) -> list[dict]:
    """Every case-insensitive mention of each phrase as a transcript span (times: 0.1 s per character)."""
    import re

    from lecturelab.keyphrases import stem_key

    out = [{"text": m.group(), "key": stem_key(m.group()), "char_start": m.start(), "char_end": m.end(),
            "start": m.start() / 10, "end": m.end() / 10, "score": 0.9, "segment": 0}
           for p in phrases for m in re.finditer(rf"\b{re.escape(p)}\b", text, re.I)]
    return sorted(out, key=lambda s: s["char_start"])


def test_keyphrase_index_shows_the_spoken_form():
    text = ("GPU memory is limited. We train a CNN on one GPU, and the gpu is busy. CNN layers share weights. "
            "Self-attention relates all tokens. With self-attention a model reads in parallel. "
            "Python is popular. We write Python code. Backpropagation computes gradients. "
            '"Gradient descent" is simple. Plain gradient descent works. E.g. Dropout helps. We use dropout too.')
    groups = {g["key"]: g for g in group_keyphrases(_spans(text, ["gpu", "cnn", "self-attention", "python",
                                                                   "backpropagation", "gradient descent",
                                                                   "dropout"]), text)}
    shown = {k: g["phrase"] for k, g in groups.items()}
    # matched in lower case (stem keys), shown as spoken; a sentence-initial capital is undone
    assert shown == {"gpu": "GPU", "cnn": "CNN", "self attent": "self-attention", "python": "Python",
                     "backpropag": "backpropagation", "gradient descent": "gradient descent", "dropout": "dropout"}
    assert groups["gpu"]["count"] == 3 and groups["gpu"]["variants"] == ["GPU", "gpu"]
    assert groups["self attent"]["variants"] == ["self-attention"] and groups["gradient descent"]["count"] == 2
    doc = {"source": {"name": "talk.mp4", "duration": 30.0, "media_file": None}, "text": text,
           "segments": [{"id": 0, "start": 0.0, "end": 30.0, "char_start": 0, "char_end": len(text), "text": text,
                         "words": []}], "keyphrases": _spans(text, ["gpu", "cnn"]), "note": None,
           "transcriber": {"model": "tiny.en"}}
    md = to_markdown(doc, group_keyphrases(doc["keyphrases"], text))
    assert "- GPU (3x" in md and "- CNN (2x" in md


def test_pieces_rebuild_the_segment_text():
    doc, _ = _doc()
    for seg in doc["segments"]:
        parts = pieces(doc["text"], seg, doc["keyphrases"])
        assert "".join(p for p, _ in parts) == seg["text"]
    assert [p for p, i in pieces(doc["text"], doc["segments"][1], doc["keyphrases"]) if i is not None] == \
        ["neural network"]


def test_clock_formats():
    assert clock(3723.4567) == "01:02:03.457"
    assert clock(5.5, ",") == "00:00:05,500"
    assert short_clock(65.9) == "1:05" and short_clock(3725) == "1:02:05"


def test_srt_vtt_markdown():
    doc, kps = _doc()
    srt = to_srt(doc)
    assert srt.startswith("1\n00:00:00,000 --> 00:00:02,000\nNeural networks learn.\n")
    assert "<b>" not in srt
    vtt = to_vtt(doc)
    assert vtt.startswith("WEBVTT\n")
    assert "<b>Neural networks</b> learn." in vtt and "A <b>neural network</b>, deep-learning!" in vtt
    md = to_markdown(doc, kps)
    assert "**Neural networks** learn." in md and "- neural networks (2x, first at 0:00)" in md  # tie: the earlier form


def test_segments_without_words_take_segment_times():
    segs = [{"start": 0.0, "end": 1.0, "text": "Graph theory.", "words": [_w(" Graph", 0.0, 0.4),
                                                                    _w(" theory.", 0.4, 1.0)]},
            {"start": 1.0, "end": 3.0, "text": "Random walks.", "words": []}]
    text, built = build_text(segs)
    toks = tokenize(text, built)
    assert [t.word for t in toks] == [0, 1, 1, -1, -1, -1]
    spans = keyphrase_spans(text, built, toks, find_spans(toks, _probs(toks, [(3, 5)])))
    assert [(s["text"], s["start"], s["end"]) for s in spans] == [("Random walks", 1.0, 3.0)]


def test_long_segments_become_short_cues_that_keep_keyphrases_whole():
    from lecturelab.lecture.cues import CueRules, subtitle_cues

    words, pos, t = [], 0, 0.0
    for i in range(30):  # 30 words, 0.8 s each: one 24 s segment as batched Whisper makes them
        w = f"word{i}" + ("." if i % 9 == 8 else "")
        words.append({"word": w, "start": t, "end": t + 0.7, "char_start": pos, "char_end": pos + len(w), "prob": 1})
        pos, t = pos + len(w) + 1, t + 0.8
    text = " ".join(w["word"] for w in words)
    seg = {"id": 0, "start": 0.0, "end": t, "text": text, "char_start": 0, "char_end": len(text), "words": words}
    # a keyphrase over words 7-9 straddles the natural cut after "word8."
    kp = {"char_start": words[7]["char_start"], "char_end": words[9]["char_end"]}
    doc = {"text": text, "segments": [seg], "keyphrases": [kp]}
    cues = subtitle_cues(doc, CueRules(max_duration=7.0))
    assert len(cues) >= 3
    assert all(c["end"] - c["start"] <= 7.0 for c in cues)  # display time is cut to max_duration
    assert " ".join(c["text"] for c in cues) == text
    assert [c["id"] for c in cues] == list(range(len(cues)))
    assert any(c["char_start"] <= kp["char_start"] and kp["char_end"] <= c["char_end"] for c in cues)
    assert "<b>word7 word8. word9</b>" in to_vtt(doc)
    head = words[:6]  # 41 characters in 4.7 s: one cue of one line
    short = {"text": text, "segments": [dict(seg, end=head[-1]["end"], char_end=head[-1]["char_end"], words=head)],
             "keyphrases": []}
    assert [c["lines"] for c in subtitle_cues(short)] == [[text[:head[-1]["char_end"]]]]


def test_page_names_the_model_that_ran_and_shows_each_note_apart():
    doc, groups = _doc()
    notes = ["tiny.en is English-only and the speech is not English: transcribed with the multilingual Whisper base",
             "keyphrases and quiz skipped: the transcript is in es"]
    doc.update(whisper_model="base", notes=notes, note=" ".join(notes))
    page = render_html(doc, groups, has_video=False)
    assert "transcribed with base" in page and "transcribed with tiny.en" not in page
    assert [n in page for n in (f'<p class="note">{notes[0]}</p>', f'<p class="note">{notes[1]}</p>')] == [True, True]
