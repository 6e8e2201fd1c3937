"""`lecturelab course`: concept index, escaping, incremental rebuilds and bad input (lecture/course.py)."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser

import pytest

from lecturelab.cli import main as cli_main
from lecturelab.lecture.course import build_course, concept_index, read_lecture
from tests import lecture_fixtures as fx
from tests.course_fixtures import fake_lecture
from tests.lecture_fixtures import SAMPLE

EVIL = 'Tags like <script>alert("x")</script> & "quotes" and \'apostrophes\' stay text.'


class Collect(HTMLParser):
    """Every element, text run and script body of a page, as a browser's parser would see them."""

    def __init__(self):
        super().__init__()
        self.tags, self.text, self.scripts, self._in_script = [], [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        (self.scripts if self._in_script else self.text).append(data)


def make_course(tmp_path):
    fake_lecture(tmp_path, "week10", ["Backpropagation computes gradients.", "Gradient descent again."],
                 ["gradient descent", "backpropagation"])
    fake_lecture(tmp_path, "week2", ["Gradient descent minimises a loss.", EVIL, "The learning rate matters."],
                 ["gradient descent", "learning rate", "<script>alert"], chapters=[(0, "Intro"), (1, 'Odd <b> & "t"')])
    return tmp_path


def test_concept_index_groups_by_stem_in_course_order(tmp_path):
    make_course(tmp_path)
    index, problems = build_course(tmp_path)
    assert problems == [] and index == tmp_path / "course" / "index.html"
    lectures = [read_lecture(tmp_path / d) for d in ("week2", "week10")]   # natural order: week2 first
    concepts = {c["phrase"]: c for c in concept_index(lectures)}
    gd = concepts["gradient descent"]
    assert [(o["lecture"], o["start"]) for o in gd["occurrences"]] == [(0, 0.0), (1, 5.0)]
    page = Collect()
    page.feed(index.read_text())
    links = [a["href"] for t, a in page.tags if t == "a" and "href" in a]
    assert links.index("../week2/transcript.html") < links.index("../week10/transcript.html")
    assert "../week2/transcript.html#t=0" in links and "../week10/transcript.html#t=5" in links
    intro = [a for t, a in page.tags if t == "a" and a.get("class") == "intro"]
    assert len(intro) == len(concepts)   # one "introduced here" per concept
    assert "../course/index.html" in (tmp_path / "week10" / "transcript.html").read_text()


def test_text_is_escaped_everywhere(tmp_path):
    make_course(tmp_path)
    index, _ = build_course(tmp_path, title='Course <script>x</script> & "co"')
    html = index.read_text()
    page = Collect()
    page.feed(html)
    # lecture data, minisearch, sentences, the clock, page JS: none from the text
    assert [t for t, _ in page.tags].count("script") == 5
    assert 'Course <script>x</script> & "co"' in "".join(page.text)    # shown as text, not markup
    assert 'Odd <b> & "t"' in "".join(page.text)
    concepts = sum(1 for t, a in page.tags if t == "li" and a.get("id", "").startswith("c"))
    assert [t for t, _ in page.tags].count("b") == concepts   # only the concept names are bold
    assert "<script>alert" not in html and "</script> &" not in html
    data = (tmp_path / "course" / "sentences.js").read_text()
    assert "<" not in data and "&" not in data
    rows = json.loads(data.removeprefix("window.COURSE_SENTENCES=").rstrip(";\n"))
    assert [0, 5.0, EVIL] in rows     # the sentence comes back exactly as spoken


def test_rerun_adds_a_lecture_without_touching_the_others(tmp_path):
    make_course(tmp_path)
    build_course(tmp_path)
    page1 = (tmp_path / "week2" / "transcript.html").read_text()
    fake_lecture(tmp_path, "week3", ["Momentum smooths gradient descent."], ["gradient descent", "momentum"])
    assert cli_main(["course", str(tmp_path)]) == 0
    html = (tmp_path / "course" / "index.html").read_text()
    assert "week3.mp4" in html and "momentum" in html
    assert (tmp_path / "week2" / "transcript.html").read_text() == page1   # back link added once only
    assert page1.count("../course/index.html") == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temp folders left


def test_bad_input_one_line(tmp_path, capsys):
    assert cli_main(["course", str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path / 'nope'}: no such folder\n"
    assert cli_main(["course", str(tmp_path)]) == 1
    assert "no processed lectures" in capsys.readouterr().err
    make_course(tmp_path)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "transcript.json").write_text("{not json")
    assert cli_main(["course", str(tmp_path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [f"error: {tmp_path / 'broken' / 'transcript.json'}: cannot be read as JSON (Expecting "
                   "property name enclosed in double quotes at line 1 column 2) (left out of the course)"]
    assert "week2.mp4" in (tmp_path / "course" / "index.html").read_text()


def test_concept_index_shows_the_sentence_that_defines_a_term(tmp_path):
    fake_lecture(tmp_path, "week1", ["Dropout helps a lot.", "Overfitting hurts every model we train."],
                 ["dropout", "overfitting"])
    fake_lecture(tmp_path, "week2", ["Dropout is a regularisation method that drops units at random.",
                                     "We use dropout again."], ["dropout"])
    index, _ = build_course(tmp_path)
    lectures = [read_lecture(tmp_path / d) for d in ("week1", "week2")]
    concepts = {c["phrase"].lower(): c for c in concept_index(lectures)}
    # introduced in week 1, but defined in week 2: the index shows the defining sentence and its moment
    assert concepts["dropout"]["occurrences"][0]["lecture"] == 0
    assert concepts["dropout"]["definition"] == {"lecture": 1, "start": 0.0,
                                                 "text": "Dropout is a regularisation method that drops units at random."}
    assert concepts["overfitting"]["definition"] is None
    page = Collect()
    page.feed(index.read_text())
    assert "“Dropout is a regularisation method that drops units at random.” " in "".join(page.text)
    assert "../week2/transcript.html#t=0" in [a.get("href") for t, a in page.tags if t == "a"]


tiny_checkpoint, lecture_env = fx.tiny_checkpoint, fx.lecture_env


@pytest.mark.slow
def test_course_on_a_folder_of_recordings_processes_them_first(lecture_env, tmp_path, capsys):
    rec = tmp_path / "recordings"
    rec.mkdir()
    shutil.copyfile(SAMPLE, rec / f"week1{SAMPLE.suffix}")
    (rec / "week2.mp4").write_text("lecture notes, not a video\n")   # fails, the course is made without it
    overrides = [o for o in lecture_env["overrides"] if not o.startswith("output_dir=")]
    assert cli_main(["course", str(rec), *overrides]) == 1
    err = capsys.readouterr().err
    assert [ln for ln in err.splitlines() if ln.startswith("error:")] == \
        [f"error: {rec / 'week2.mp4'}: " + ln.split(": ", 2)[2] for ln in err.splitlines() if ln.startswith("error:")]
    assert (rec / "week1" / "transcript.html").is_file() and not (rec / "week2").exists()
    page = (rec / "course" / "index.html").read_text()
    assert "../week1/transcript.html" in page and "week2" not in page
    # a second run transcribes nothing again: week1 is skipped as done
    assert cli_main(["course", str(rec), *overrides]) == 1
    assert "already done" in capsys.readouterr().out
