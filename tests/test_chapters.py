"""Chapters: TextTiling depth scores, boundary choice, titles, and the chapter files (lecture/chapters.py)."""

from __future__ import annotations

import io

import numpy as np
import pytest
import webvtt

from lecturelab.lecture.chapters import (
    DEFAULTS,
    chapter_settings,
    choose_boundaries,
    depth_scores,
    lecture_chapters,
    make_chapters,
    to_chapters_txt,
    to_chapters_vtt,
)
from lecturelab.lecture.render import to_markdown

PLANTS = [
    "Photosynthesis is how green plants turn light into chemical energy.",
    "Chlorophyll in the leaves absorbs mostly red and blue light.",
    "The light reactions split water and release oxygen into the air.",
    "The energy is stored for a while in ATP and NADPH.",
    "In the Calvin cycle the plant fixes carbon dioxide into sugar.",
    "The enzyme RuBisCO catalyses that first carbon fixation step.",
    "Leaves open their stomata to let carbon dioxide in.",
    "On hot days plants close the stomata to save water.",
    "C4 plants such as maize concentrate carbon dioxide around RuBisCO.",
    "So photosynthesis feeds almost every food chain on Earth.",
]
MORE_PLANTS = [
    "Light energy excites electrons in the chlorophyll of photosystem two.",
    "Those electrons pass along a transport chain in the thylakoid membrane.",
    "Pumping protons across the membrane drives the ATP synthase.",
    "Photosystem one then uses light again to make NADPH.",
    "Plants lose some fixed carbon through photorespiration when RuBisCO grabs oxygen.",
    "CAM plants like cacti open their stomata only at night.",
    "The sugar made in the leaves travels to the roots through the phloem.",
    "Plants store the extra sugar from photosynthesis as starch.",
    "Shade leaves hold more chlorophyll to catch the little light they get.",
    "Without enough light the rate of photosynthesis falls quickly.",
]
TAXES = [
    "A value added tax is charged at every stage of production.",
    "Each business reclaims the tax it paid on its own purchases.",
    "So only the final consumer bears the full burden of the tax.",
    "Income tax instead is levied on what a person earns in a year.",
    "Most countries use progressive brackets for income tax rates.",
    "Deductions for pensions or mortgages lower the taxable income.",
    "Corporate tax is charged on the profits that companies declare.",
    "Governments compete for companies by cutting corporate tax rates.",
    "Tax treaties decide which country may tax cross-border income.",
    "An auditor checks that a company's tax return matches its books.",
]


def segments(texts: list[str], seconds: float = 8.0) -> list[dict]:
    return [{"id": i, "start": i * seconds, "end": (i + 1) * seconds, "text": t} for i, t in enumerate(texts)]


def test_depth_scores_hand_worked():
    # a valley at gap 2 between peaks 0.9 (gap 0, reached by climbing 0.7 -> 0.9) and 0.8: (0.9-0.3)+(0.8-0.3)
    sims = np.array([0.9, 0.7, 0.3, 0.8, 0.8], np.float32)
    depth = depth_scores(sims)
    assert depth[2] == pytest.approx(1.1)
    assert depth[0] == pytest.approx(0.0) and depth[4] == pytest.approx(0.0)
    assert depth[1] == pytest.approx(0.2)   # left peak 0.9, right: 0.7 is not below 0.3... climbs none


def test_boundaries_respect_min_and_max_seconds():
    starts = [float(10 * i) for i in range(12)]
    ends = [s + 10 for s in starts]
    depth = np.zeros(11, np.float32)
    depth[[1, 5]] = [0.9, 0.8]   # gap 1 would leave a 20 s first chapter
    s = {**DEFAULTS, "min_seconds": 30.0, "max_seconds": 1000.0}
    assert choose_boundaries(depth, starts, ends, s) == [6]
    # a 120 s lecture with max 60 s: cut even without deep gaps, both parts >= 30 s
    cuts = choose_boundaries(np.zeros(11, np.float32), starts, ends, {**s, "max_seconds": 60.0})
    edges = [0.0] + [starts[c] for c in cuts] + [120.0]
    assert cuts and all(60.0 >= b - a >= 30.0 for a, b in zip(edges, edges[1:], strict=False))


def test_short_and_empty_lectures():
    emb = np.eye(2, 8, dtype=np.float32)
    chapters = make_chapters(segments(PLANTS[:2], 3.0), [], emb, 7.5, chapter_settings(None))
    assert len(chapters) == 1
    assert (chapters[0]["start"], chapters[0]["end"]) == (0.0, 7.5)
    assert chapters[0]["title"] and chapters[0]["summary"] in PLANTS[:2]
    assert lecture_chapters([], [], 0.0, None) == []


def test_bad_setting_names_the_key():
    with pytest.raises(ValueError, match=r"^chapters\.min_seconds=-5: seconds >= 0$"):
        chapter_settings({"min_seconds": -5})
    with pytest.raises(ValueError, match=r"^chapters\.blocks: unknown key"):
        chapter_settings({"blocks": 2})


@pytest.fixture(scope="module")
def minilm():
    from lecturelab.models.embed import embed

    return embed


@pytest.mark.slow   # loads TensorFlow and MiniLM (~15 s on 2 cores)
def test_one_topic_gives_one_chapter(minilm):
    chapters = lecture_chapters(segments(PLANTS + MORE_PLANTS), [], 160.0, None, embed=minilm)
    assert len(chapters) == 1 and chapters[0]["end"] == 160.0


@pytest.mark.slow   # loads TensorFlow and MiniLM (~15 s on 2 cores)
def test_two_topics_split_near_the_joint_with_titles(minilm):
    kps = [{"phrase": "photosynthesis", "key": "photosynthesi", "score": 0.9,
            "occurrences": [{"segment": 0}, {"segment": 9}]},
           {"phrase": "income tax", "key": "incom tax", "score": 0.8,
            "occurrences": [{"segment": 13}, {"segment": 14}]},
           {"phrase": "tax", "key": "tax", "score": 0.7, "occurrences": [{"segment": 10}]}]
    chapters = lecture_chapters(segments(PLANTS + TAXES), kps, 165.0, {"method": "texttiling"}, embed=minilm)
    assert len(chapters) == 2
    assert abs(chapters[1]["first_segment"] - len(PLANTS)) <= 1
    assert chapters[0]["title"] == "Photosynthesis"
    assert chapters[1]["title"] == "Income Tax"        # the most particular noun-phrase keyphrase
    assert chapters[1]["keyphrases"] == ["incom tax", "tax"]
    assert chapters[1]["summary"] in TAXES and chapters[0]["summary"] in PLANTS
    assert (chapters[0]["start"], chapters[0]["end"], chapters[1]["end"]) == (0.0, chapters[1]["start"], 165.0)


MUSIC = [
    "A symphony is usually written in four movements for a full orchestra.",
    "The first movement of a symphony often follows sonata form.",
    "Sonata form has an exposition, a development and a recapitulation.",
    "The slow movement lets the strings sing a long melody.",
    "A minuet or a scherzo in triple metre comes third.",
    "Haydn wrote more than a hundred symphonies for his prince.",
    "Beethoven made the symphony longer and far more dramatic.",
    "The brass and timpani enter loudly at the climax of the finale.",
    "The conductor sets the tempo and balances the sections of the orchestra.",
    "A symphony orchestra today has about a hundred players.",
]


@pytest.mark.slow   # loads TensorFlow and MiniLM (~15 s on 2 cores)
def test_global_method_finds_three_topics_of_ten_minutes(minilm):
    # three 10-minute topics (a sentence a minute): the default method cuts at both joints
    texts = PLANTS + TAXES + MUSIC
    chapters = lecture_chapters(segments(texts, 60.0), [], 1800.0, None, embed=minilm)
    assert [c["first_segment"] for c in chapters] == [0, 10, 20]
    assert chapters[2]["summary"] in MUSIC and chapters[2]["end"] == 1800.0


def test_chapter_files_parse_back_escaped():
    chapters = [{"id": 0, "start": 0.0, "end": 65.0, "first_segment": 0, "title": 'A <script> & "q"',
                 "summary": "s"},
                {"id": 1, "start": 65.0, "end": 3725.0, "first_segment": 1, "title": "Second\npart", "summary": "t"}]
    vtt = webvtt.from_buffer(io.StringIO(to_chapters_vtt(chapters)))
    assert [(c.start, c.end, c.text) for c in vtt] == [
        ("00:00:00.000", "00:01:05.000", 'A &lt;script&gt; &amp; "q"'),
        ("00:01:05.000", "01:02:05.000", "Second part")]
    assert to_chapters_txt(chapters) == '0:00 A <script> & "q"\n1:05 Second part\n'
    doc = {"source": {"name": "x"}, "text": "one. two.", "keyphrases": [],
           "segments": [{"id": 0, "start": 0.0, "char_start": 0, "char_end": 4},
                        {"id": 1, "start": 65.0, "char_start": 5, "char_end": 9}]}
    md = to_markdown(doc, [], chapters)
    assert '### 0:00 A \\<script\\> \\& "q"\n\n[0:00] one.' in md and "### 1:05 Second part\n\n[1:05] two." in md
