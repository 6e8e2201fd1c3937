"""The pages' CSS and JavaScript (lecturelab/assets): inlined into each page kind, and one clock that every
page shows like transcript/format.py's ``short_clock`` (M:SS, H:MM:SS from an hour on), read in Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lecturelab import assets
from lecturelab.io import write_text
from lecturelab.lecture.course import build_course
from lecturelab.lecture.html import render_html
from lecturelab.lecture.review import render_review
from lecturelab.quiz.html import to_html
from lecturelab.transcript.format import short_clock
from tests.course_fixtures import fake_lecture
from tests.test_lecture_browser import page_factory  # noqa: F401  (the module's browser fixture)

ASSETS = Path(assets.__file__).parent
STARTS = [0.0, 545.0, 4500.0]          # 9:05 and 1:15:00 on every page
SENTENCES = ["Gradient descent minimises a loss.", "The learning rate sets the step size.",
             "Momentum speeds up gradient descent."]


def _lecture(folder: Path) -> Path:
    """A fake processed lecture whose sentences start at ``STARTS`` (transcript.json, keyphrases.json,
    chapters.json, transcript.html)."""
    out = fake_lecture(folder, "week1", SENTENCES, ["gradient descent", "learning rate"])
    doc = json.loads((out / "transcript.json").read_text())
    ends = STARTS[1:] + [STARTS[-1] + 60]
    for seg, a, b in zip(doc["segments"], STARTS, ends, strict=True):
        seg["start"], seg["end"] = a, b
    for k in doc["keyphrases"]:
        k["start"] = doc["segments"][k["segment"]]["start"]
    doc["source"]["duration"] = ends[-1]
    write_text(out / "transcript.json", json.dumps(doc))
    kps = json.loads((out / "keyphrases.json").read_text())["keyphrases"]
    write_text(out / "transcript.html", render_html(doc, kps, has_video=False))
    return out


def _quiz(starts: list[float]) -> dict:
    questions = [{"id": f"q{i}", "type": "short", "stem": f"Question {i}?", "options": None, "answer": "loss",
                  "accepted": None, "explanation": "A sentence.", "start": t, "end": t + 4,
                  "link": f"transcript.html#t={t:g}", "difficulty": 0.5, "difficulty_label": "medium"}
                 for i, t in enumerate(starts)]
    return {"schema_version": 1, "lecture": {"name": "week1.mp4", "duration": 4560.0,
                                             "transcript": "transcript.html"},
            "generator": {"name": "rules"}, "settings": {}, "notes": [], "questions": questions}


def test_every_asset_is_a_page_asset_that_cannot_end_its_element():
    files = sorted(p.name for p in ASSETS.iterdir() if p.is_file() and p.name != "__init__.py")
    assert files and all(n.endswith((".css", ".js")) for n in files)
    for n in files:
        # the text is inlined as it is: a "</style" or "</script" inside would end the element early
        assert not re.search(r"</(style|script)", assets.read(n), re.IGNORECASE), n
    with pytest.raises(FileNotFoundError):
        assets.read("missing.css")


def test_each_page_kind_inlines_its_assets_and_the_one_clock(tmp_path):
    folder = _lecture(tmp_path)
    doc = json.loads((folder / "transcript.json").read_text())
    pages = {"transcript": (folder / "transcript.html").read_text(),
             "review": render_review(doc, [{"phrase": "gradient descent", "count": 2}], None),
             "course": build_course(tmp_path)[0].read_text(),
             "quiz": to_html(_quiz(STARTS))}
    shared = {"transcript": "base.css", "review": "base.css", "course": "base.css", "quiz": None}
    for kind, page in pages.items():
        assert assets.read(f"{kind}.css") in page and assets.read(f"{kind}.js") in page, kind
        assert (shared[kind] is not None) == (assets.read("base.css") in page), kind
        # the review, course and quiz pages write times from JavaScript: each has the one clock, once;
        # the transcript page's times are written in Python (short_clock)
        assert page.count("function clock(") == (kind != "transcript"), kind
        assert page.count("<script>" + assets.read("clock.js") + "</script>") == (kind != "transcript"), kind


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_kind_shows_times_like_short_clock(tmp_path, page_factory):  # noqa: F811
    folder = _lecture(tmp_path)
    doc = json.loads((folder / "transcript.json").read_text())
    write_text(folder / "review.html", render_review(doc, [{"phrase": "gradient descent", "count": 2}], None))
    write_text(folder / "quiz.html", to_html(_quiz(STARTS)))
    index, problems = build_course(tmp_path)
    assert problems == []
    want = [short_clock(t) for t in STARTS]
    assert want == ["0:00", "9:05", "1:15:00"]
    page, errors = page_factory(width=1280, height=800)

    page.goto((folder / "transcript.html").as_uri())
    assert page.eval_on_selector_all(".seg .ts", "bs => bs.map(b => b.textContent)") == want

    page.goto((folder / "review.html").as_uri())
    assert [page.evaluate(f"clock({t})") for t in (4500, 545)] == ["1:15:00", "9:05"]
    assert page.eval_on_selector_all("#transcript .seg .t", "ts => ts.map(t => t.textContent.trim())") == want
    # the same format as Python's, on both sides of each boundary
    edges = [0, 0.99, 59.99, 60, 599.5, 3599.99, 3600, 3660.5, 35999, 36000, 86399.9]
    assert page.evaluate(f"{edges}.map(clock)") == [short_clock(t) for t in edges]

    page.goto((folder / "quiz.html").as_uri())
    assert [page.evaluate(f"clock({t})") for t in (4500, 545)] == ["1:15:00", "9:05"]
    page.click("#check")
    moments = page.eval_on_selector_all("a.moment", "as => as.map(a => a.textContent)")
    assert moments == [f"Explained at {c} ({t:g} s)" for c, t in zip(want, STARTS, strict=True)]

    page.goto(index.as_uri())
    page.wait_for_function("window.courseIndexMs !== undefined")
    assert [page.evaluate(f"clock({t})") for t in (4500, 545)] == ["1:15:00", "9:05"]
    page.fill("#q", "gradient descent")
    page.wait_for_function("document.querySelectorAll('#results li').length === 2")
    hits = page.eval_on_selector_all("#results .where", "as => as.map(a => a.textContent)")
    assert sorted(hits) == ["week1.mp4 · 0:00", "week1.mp4 · 1:15:00"]
    page.fill("#q", "learning rate")
    page.wait_for_function("document.querySelectorAll('#results li').length === 1")
    assert page.inner_text("#results .where") == "week1.mp4 · 9:05"
    assert errors == []
