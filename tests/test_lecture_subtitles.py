"""Subtitle cues: line and duration limits, timing, keyphrases, and SRT / WebVTT that parse back."""

from __future__ import annotations

import html
import re

import pytest
import srt
import webvtt

from lecturelab.lecture.cues import CueRules, cue_rules, subtitle_cues
from lecturelab.lecture.highlight import build_text
from lecturelab.lecture.render import to_srt, to_vtt

LECTURE = ("Today we look at gradient descent, the workhorse of deep learning. We start from a loss function "
           "and follow its negative gradient downhill; the step size, called the learning rate, decides how far "
           "we move. Too large a step and the loss explodes, too small and training crawls. Stochastic "
           "gradient descent uses small random batches instead of the whole data set.")


def _doc(words_text=LECTURE, seconds=20.0, keyphrases=(), start=0.0, duration=None):
    """One Whisper-like segment: the words evenly spread over ``seconds`` (each spoken for 90 % of its slot)."""
    words = words_text.split()
    slot = seconds / len(words)
    seg = {"start": start, "end": start + seconds, "text": words_text,
           "words": [{"word": " " + w, "start": start + i * slot, "end": start + (i + 0.9) * slot, "prob": 0.9}
                     for i, w in enumerate(words)]}
    text, segs = build_text([seg])
    spans = sorted(({"char_start": m.start(), "char_end": m.end()}
                    for k in keyphrases for m in re.finditer(re.escape(k), text)), key=lambda k: k["char_start"])
    return {"text": text, "segments": segs, "keyphrases": spans,
            "source": {"duration": duration if duration is not None else start + seconds + 5}}


def _check_layout(cues, rules, text):
    for c in cues:
        assert 1 <= len(c["lines"]) <= rules.max_lines, c["lines"]
        assert all(len(line) <= rules.max_line_chars or " " not in line for line in c["lines"]), c["lines"]
        assert rules.min_duration - 1e-9 <= c["end"] - c["start"] <= rules.max_duration + 1e-9, c
    for a, b in zip(cues, cues[1:], strict=False):
        assert a["start"] < a["end"] <= b["start"] < b["end"]  # no overlap, never backwards
    assert " ".join(c["text"] for c in cues) == text  # every word once, in order


def test_long_segment_becomes_cues_of_two_lines_of_42_characters():
    doc = _doc()
    assert len(doc["segments"][0]["words"]) >= 60 and len(doc["text"]) > 300
    rules = CueRules()
    cues = subtitle_cues(doc, rules)
    _check_layout(cues, rules, doc["text"])
    assert len(cues) >= 4 and any(len(c["lines"]) == 2 for c in cues)
    # cuts fall after punctuation where the text offers it: most cues end a clause or a sentence
    assert sum(c["text"][-1] in ".,;" for c in cues) >= len(cues) - 1


def test_config_values_change_the_layout():
    doc = _doc()
    narrow = CueRules(max_line_chars=30)
    cues = subtitle_cues(doc, narrow)
    _check_layout(cues, narrow, doc["text"])
    assert max(len(line) for c in cues for line in c["lines"]) <= 30
    assert len(cues) > len(subtitle_cues(doc, CueRules()))
    one_line = CueRules(max_lines=1, max_duration=3.0)
    cues = subtitle_cues(doc, one_line)
    _check_layout(cues, one_line, doc["text"])
    assert all(len(c["lines"]) == 1 for c in cues)
    # the pipeline passes the config mapping; the renderers take it as is
    srt_text = to_srt(doc, {"max_line_chars": 30})
    assert max(len(line) for s in srt.parse(srt_text) for line in s.content.split("\n")) <= 30
    assert srt_text != to_srt(doc)


def test_a_word_longer_than_a_line_stands_alone():
    word = "pneumonoultramicroscopicsilicovolcanoconiosis-like"  # 50 characters
    doc = _doc(f"Consider {word} cases.", seconds=3.0)
    cues = subtitle_cues(doc, CueRules())
    assert [line for c in cues for line in c["lines"]] == ["Consider", word, "cases."]


def test_keyphrase_is_not_cut_between_cues_or_lines_when_it_fits():
    phrase = "negative gradient downhill"
    doc = _doc(keyphrases=[phrase])
    a, b = doc["keyphrases"][0]["char_start"], doc["keyphrases"][0]["char_end"]
    for rules in (CueRules(), CueRules(max_line_chars=30), CueRules(max_line_chars=27)):
        cues = subtitle_cues(doc, rules)
        assert any(phrase in line for c in cues for line in c["lines"]), rules
        assert any(s <= a and b <= e for c in cues for s, e in c["line_spans"])
    # 26 characters cannot fit a 20-character line: broken over two lines, still in one cue
    cues = subtitle_cues(doc, CueRules(max_line_chars=20))
    assert any(c["char_start"] <= a and b <= c["char_end"] for c in cues)


def test_short_cue_is_stretched_to_the_minimum_but_not_into_the_next_cue_or_past_the_media():
    segs = [{"start": 0.0, "end": 0.3, "text": "Yes.", "words": [{"word": " Yes.", "start": 0.0, "end": 0.3}]},
            {"start": 0.5, "end": 0.7, "text": "No.", "words": [{"word": " No.", "start": 0.5, "end": 0.7}]},
            {"start": 5.0, "end": 5.2, "text": "Maybe.", "words": [{"word": " Maybe.", "start": 5.0, "end": 5.2}]}]
    text, built = build_text(segs)
    doc = {"text": text, "segments": built, "keyphrases": [], "source": {"duration": 5.5}}
    cues = subtitle_cues(doc, CueRules())
    assert [(c["start"], c["end"]) for c in cues] == [(0.0, 0.5), (0.5, 1.333), (5.0, 5.5)]


def test_overlapping_or_backwards_whisper_times_give_ordered_cues():
    segs = [{"start": 0.0, "end": 4.0, "text": "First part here.", "words": []},
            {"start": 3.0, "end": 3.5, "text": "Second.", "words": []},  # starts before the first ends
            {"start": 9.0, "end": 30.0, "text": " ".join(["word"] * 40) + ".", "words": []}]  # no word times
    text, built = build_text(segs)
    doc = {"text": text, "segments": built, "keyphrases": [], "source": {"duration": 31.0}}
    rules = CueRules()
    cues = subtitle_cues(doc, rules)
    for a, b in zip(cues, cues[1:], strict=False):
        assert a["start"] < a["end"] <= b["start"] < b["end"]
    assert all(c["end"] - c["start"] <= rules.max_duration for c in cues)
    assert len(cues) >= 5  # the 21 s segment without word times is still cut, by character position


def test_srt_and_vtt_parse_back_with_the_libraries():
    doc = _doc(keyphrases=["gradient descent", "learning rate"])
    cues = subtitle_cues(doc, CueRules())
    subs = list(srt.parse(to_srt(doc)))
    assert [s.content.split("\n") for s in subs] == [c["lines"] for c in cues]
    assert [(s.start.total_seconds(), s.end.total_seconds()) for s in subs] == \
        [(c["start"], c["end"]) for c in cues]
    assert "<b>" not in to_srt(doc)
    vtt = webvtt.from_string(to_vtt(doc), strict=True)
    assert [cap.text.split("\n") for cap in vtt.captions] == [c["lines"] for c in cues]
    assert [(cap.start_time.in_milliseconds(), cap.end_time.in_milliseconds()) for cap in vtt.captions] == \
        [(round(c["start"] * 1000), round(c["end"] * 1000)) for c in cues]
    raw = "\n".join(cap.raw_text for cap in vtt.captions)
    assert raw.count("<b>gradient descent</b>") == 2 and raw.count("<b>learning rate</b>") == 1


def test_markup_characters_round_trip():
    doc = _doc("If x < y & y > z then R&D says <b>no</b> & we stop.", seconds=4.0, keyphrases=["R&D"])
    vtt_text = to_vtt(doc)
    assert "R&amp;D" in vtt_text and "&lt;b&gt;no&lt;/b&gt;" in vtt_text
    cap = webvtt.from_string(vtt_text, strict=True).captions
    assert html.unescape(" ".join(c.text.replace("\n", " ") for c in cap)) == doc["text"]
    assert "<b>R&amp;D</b>" in cap[0].raw_text
    assert " ".join(s.content.replace("\n", " ") for s in srt.parse(to_srt(doc))) == doc["text"]


def test_keyphrase_over_a_line_break_is_bold_on_both_lines():
    doc = _doc("aaaa bbbb cccc dddd", seconds=2.0, keyphrases=["bbbb cccc dddd"])
    [cap] = webvtt.from_string(to_vtt(doc, CueRules(max_line_chars=9)), strict=True).captions
    assert cap.raw_text == "aaaa <b>bbbb</b>\n<b>cccc dddd</b>"


@pytest.mark.parametrize(("conf", "message"), [
    ({"max_line_chars": 0}, "subtitles.max_line_chars=0: a whole number >= 1"),
    ({"max_lines": "two"}, "subtitles.max_lines='two': a whole number >= 1"),
    ({"min_duration": -1}, "subtitles.min_duration=-1: a number of seconds > 0"),
    ({"min_duration": 8.0}, "subtitles.min_duration=8.0: at most subtitles.max_duration (7.0)"),
    ({"max_chars": 42}, "subtitles.max_chars=42: unknown key; allowed: max_lines, max_line_chars, min_duration, "
                        "max_duration"),
])
def test_bad_subtitles_config_names_the_key(conf, message):
    with pytest.raises(ValueError) as e:
        to_srt(_doc(), conf)
    assert str(e.value) == message
    assert cue_rules({"max_line_chars": 30, "max_duration": 5}) == CueRules(max_line_chars=30, max_duration=5)
