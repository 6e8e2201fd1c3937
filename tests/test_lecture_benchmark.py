"""The whole-lecture benchmark's parts on small hand-made inputs: chapter metrics with hand-computed values,
course key terms, the lecture split and catalogue, and the blind grader's quiz page."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from lecturelab.data.lectures import SPLIT_FILE, catalogue, load_split, parse_clock, read_cues
from lecturelab.evaluation.lectures import (
    boundary_hits,
    boundary_string,
    chapter_title_text,
    course_terms,
    description_text,
    equal_starts,
    noun_phrases,
    segmentation_scores,
    share_in_top,
    terms_in_transcript,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED_YALE = next((p for p in (r / "shared/data/lectures/yale/lectures.json" for r in (ROOT.parent, ROOT.parents[1]))
                    if p.is_file()), ROOT.parent / "shared/data/lectures/yale/lectures.json")


# ---------------------------------------------------------------- chapters


def test_boundary_string_puts_each_start_on_its_nearest_gap():
    # 10 units of 1 s: 9 gaps; a start at 5 s opens unit 5 = the gap after unit 4
    assert boundary_string([0.0, 5.0], 0.0, 10.0, unit=1.0) == "000010000"
    assert boundary_string([5.4, 8.6], 0.0, 10.0, unit=1.0) == "000010001"   # 8.6 s: nearest gap 9 s
    # starts outside the span are no boundaries (a chapter before the captions begin, or past their end)
    assert boundary_string([-3.0, 0.0, 10.0, 12.0], 0.0, 10.0, unit=1.0) == "0" * 9
    with pytest.raises(ValueError, match="empty time span"):
        boundary_string([], 5.0, 5.0)


@pytest.mark.parametrize("hyp, pk_wd", [
    ([5.0], (0.0, 0.0)),          # exact
    ([], (0.25, 0.25)),           # no boundary: the 2 windows of 8 that hold the true one
    ([6.0], (0.25, 0.25)),        # one unit late: 1 miss window + 1 false-alarm window
    ([5.0, 8.0], (0.25, 0.25)),   # an extra boundary: its 2 windows
])
def test_pk_and_windowdiff_match_hand_computed_values(hyp, pk_wd):
    # reference: chapters 0-5 s and 5-10 s on 1 s units -> k = round(10 / 2 / 2) = 2, 9 - 2 + 1 = 8 windows
    s = segmentation_scores([0.0, 5.0], hyp, 0.0, 10.0, unit=1.0, tolerance=1.0)
    assert s["k"] == 2 and s["units"] == 10 and s["reference_chapters"] == 2
    assert (s["pk"], s["windowdiff"]) == pytest.approx(pk_wd)
    assert s["chapters"] == len(hyp) + 1


def test_windowdiff_counts_what_pk_misses():
    # two boundaries in one window of the hypothesis where the reference has one: Pk sees agreement
    # ("some boundary"), WindowDiff sees different counts (Pevzner & Hearst's point)
    ref, hyp = [0.0, 4.0], [0.0, 4.0, 5.0]
    s = segmentation_scores(ref, hyp, 0.0, 12.0, unit=1.0)
    assert s["k"] == 3
    assert s["windowdiff"] > s["pk"]


def test_boundary_hits_and_equal_baseline():
    assert boundary_hits([100.0, 400.0], [120.0, 900.0], tolerance=30.0) == 0.5
    assert boundary_hits([100.0], [], tolerance=30.0) == 0.0
    assert boundary_hits([], [10.0]) is None
    assert equal_starts(10.0, 70.0, 3) == [10.0, 30.0, 50.0]
    # the equal-length baseline with the true count is perfect on equal true chapters
    s = segmentation_scores(equal_starts(0.0, 600.0, 4), equal_starts(0.0, 600.0, 4), 0.0, 600.0)
    assert s["pk"] == 0.0 and s["windowdiff"] == 0.0 and s["hits_within_tolerance"] == 1.0


# ---------------------------------------------------------------- key terms


def test_noun_phrases_drop_people_gerunds_classroom_words_and_initials():
    phrases = noun_phrases("Professor Polak introduces the students to the Nash equilibrium. "
                           "Using dominated strategies, T. S. Eliot wrote poems. Someone said something last.")
    keys = {p.lower() for p in phrases}
    assert "nash equilibrium" in keys
    assert "dominated strategies" in keys or "strategies" in keys
    assert not any("polak" in k or "professor" in k for k in keys)
    assert "students" not in keys and "using" not in " ".join(keys)
    assert not {"t.", "s.", "someone", "something", "last"} & keys


def test_course_terms_from_titles_and_description_without_boilerplate():
    assert chapter_title_text("Chapter 12. The Prisoners' Dilemma") == "The Prisoners' Dilemma"
    desc = ("Game Theory (ECON 159)\r\n\r\nWe study the prisoners' dilemma and subgame perfection.\r\n\r\n"
            "00:00 - Chapter 1. Cournot Duopoly\r\n14:41 - Chapter 2. Zebra Crossings\r\n\r\n"
            "Complete course materials are available at the Open Yale Courses website.\r\n\r\n"
            "This course was recorded in Fall 2007.")
    assert description_text(desc) == "We study the prisoners' dilemma and subgame perfection."
    terms = [t.lower() for t in course_terms(["Chapter 1. Cournot Duopoly"], desc)]
    assert terms[0] == "cournot duopoly"                      # titles first
    assert "prisoners' dilemma" in terms and "subgame perfection" in terms
    assert not any(w in " ".join(terms) for w in ("econ", "zebra", "website", "fall"))


def test_terms_match_on_whole_word_stems():
    transcript = "Today: Nash equilibria of games. A party game, and an artist."
    terms = ["Nash equilibrium", "game", "art", "party games"]
    # 'equilibria' and 'equilibrium' share no Porter stem; 'games' -> 'game'; 'art' is not a word of 'artist'
    assert terms_in_transcript(terms, transcript) == ["game", "party games"]


def test_share_in_top_exact_and_loose():
    terms = ["Nash equilibrium", "backward induction", "mixed strategies"]
    ranked = ["backward inductions", "equilibrium", "payoff", "mixed strategy"]
    assert share_in_top(terms, ranked, 1) == pytest.approx(1 / 3)
    assert share_in_top(terms, ranked, 4) == pytest.approx(2 / 3)
    assert share_in_top(terms, ranked, 4, loose=True) == pytest.approx(1.0)
    assert share_in_top([], ranked, 10) is None


# ---------------------------------------------------------------- the split and the catalogue


def test_split_file_has_the_20_yale_courses_once_each():
    split = load_split()
    tune, report = split["yale"]["tune"], split["yale"]["report"]
    assert len(tune) == len(set(tune)) == 10 and len(report) == len(set(report)) == 10
    assert not set(tune) & set(report)
    assert split["ocw-14.01sc"] == {"tune": [], "report": "all"}
    if SHARED_YALE.is_file():   # the names are the data's own "course" values
        courses = {x["course"] for x in json.loads(SHARED_YALE.read_text(encoding="utf-8"))}
        assert set(tune) | set(report) == courses


def test_split_with_a_course_on_both_sides_is_refused(tmp_path):
    bad = tmp_path / "split.yaml"
    bad.write_text("yale:\n  tune: [A, B]\n  report: [B]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"split.yaml: yale: course\(s\) on both sides: \['B'\]"):
        load_split(bad)
    assert SPLIT_FILE.is_file()


def _tiny_lectures(root: Path) -> Path:
    (root / "yale" / "transcripts").mkdir(parents=True)
    vtt = "WEBVTT\n\n00:00:12.500 --> 00:00:15.000\nPROFESSOR: Welcome to\nthe course.\n\n" \
          "00:01:05.000 --> 00:01:08.250\n[LAUGHTER] Supply and demand.\n"
    (root / "yale" / "transcripts" / "a-1.en.vtt").write_text(vtt, encoding="utf-8")
    (root / "yale" / "transcripts" / "b-1.en.vtt").write_text(vtt, encoding="utf-8")
    entries = [{"course": c, "lecture": "1. Intro", "file": f"transcripts/{f}", "description": "X\n\nY",
                "chapters": [{"start": "00:00", "title": "Chapter 1. Intro"},
                             {"start": "1:02:03", "title": "Chapter 2. Later"}]}
               for c, f in (("Course A", "a-1.en.vtt"), ("Course B", "b-1.en.vtt"))]
    (root / "yale" / "lectures.json").write_text(json.dumps(entries), encoding="utf-8")
    return root


def test_catalogue_sides_chapters_and_cues(tmp_path):
    root = _tiny_lectures(tmp_path)
    items = catalogue(root, {"yale": {"tune": ["Course A"], "report": ["Course B"]}})
    assert [(x.course, x.side) for x in items] == [("Course A", "tune"), ("Course B", "report")]
    assert items[1].chapters == [(0.0, "Chapter 1. Intro"), (3723.0, "Chapter 2. Later")]
    assert items[1].id == "yale/b-1"
    # a course the split does not name is left out
    assert [x.course for x in catalogue(root, {"yale": {"tune": ["Course A"], "report": []}})] == ["Course A"]
    assert read_cues(items[0].captions) == [(12.5, 15.0, "PROFESSOR: Welcome to the course."),
                                            (65.0, 68.25, "[LAUGHTER] Supply and demand.")]
    with pytest.raises(ValueError, match="not a clock time"):
        parse_clock("1h02")
    (root / "yale" / "transcripts" / "a-1.en.vtt").write_text("not captions\n", encoding="utf-8")
    with pytest.raises(ValueError, match="a-1.en.vtt: not readable as WebVTT"):
        read_cues(items[0].captions)


# ---------------------------------------------------------------- the script's pure parts


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_lectures", ROOT / "scripts" / "bench_lectures.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_choose_draws_per_course_from_one_side_only(bench, tmp_path):
    root = _tiny_lectures(tmp_path)
    items = catalogue(root, {"yale": {"tune": ["Course A"], "report": ["Course B"]}})
    assert [x.id for x in bench.choose(items, "report", 3, 0, None)] == ["yale/b-1"]
    with pytest.raises(SystemExit, match="yale/a-1: on the other side of the split"):
        bench.choose(items, "report", 1, 0, ["yale/a-1"])


def test_grader_quiz_page_says_nothing_of_how_it_was_made(bench):
    quiz = {"generator": {"name": "rules"}, "notes": ["made by the rule-based generator"],
            "questions": [{"type": "mcq", "stem": "Which  curve slopes down?", "options": ["supply", "demand"],
                           "answer": "demand", "start": 65.0, "accepted": ["demand"], "key": "demand"}]}
    page = bench.quiz_markdown(quiz, "Course B: 1. Intro")
    assert "**1.** Which curve slopes down?" in page and "   - B) demand" in page
    assert "1. B) demand (at 1:05)" in page
    assert "rule" not in page.lower() and "generat" not in page.lower()


def test_speakable_drops_speaker_labels_and_sound_tags(bench):
    assert bench.speakable("Professor Ben Polak: So [LAUGHTER] this is it.") == "So this is it."
    assert bench.speakable("STUDENT: Yes.") == "Yes."
    assert bench.speakable("The ratio is 3:1 here.") == "The ratio is 3:1 here."


def test_doc_blocks_are_replaced_and_nothing_else(bench, tmp_path, monkeypatch):
    doc = tmp_path / "benchmark.md"
    doc.write_text("# Hand-written\n\n<!-- bench_lectures:table -->\nold\n<!-- /bench_lectures:table -->\n\n"
                   "Keep me.\n<!-- bench_lectures:speech -->\nold\n<!-- /bench_lectures:speech -->\n", encoding="utf-8")
    monkeypatch.setattr(bench, "DOC", doc)
    means = bench.means([{"id": "a", "chapters/pk": 0.2, "quiz/questions": 4, "quiz/asked": 10},
                         {"id": "b", "chapters/pk": 0.4, "quiz/questions": 6, "quiz/asked": 10, "failed": None}])
    assert means["chapters/pk"] == pytest.approx(0.3) and means["quiz/total_questions"] == 10
    result = {"means": means, "command": "python scripts/bench_lectures.py", "seconds": 600.0,
              "machine": {"nproc": 2, "cpu": "X"}, "keyphrase_model": {"path": "models/best"}}
    bench.update_doc(result, "table")
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Hand-written\n") and "Keep me." in text and "\nold\n<!-- /bench_lectures:speech" in text
    assert "| chapters: Pk (ours) | 0.300 |" in text and "| quiz: questions made / asked (total) | 10 / 20 |" in text
    assert "`python scripts/bench_lectures.py` on 2 x X, 10 min" in text
    monkeypatch.setattr(bench, "DOC", tmp_path / "missing-markers.md")
    (tmp_path / "missing-markers.md").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="markers"):
        bench.update_doc(result, "table")
