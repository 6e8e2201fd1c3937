"""quiz.html in headless Chromium: a student answers, checks, sees the score and the lecture moments."""

import json
import os
from pathlib import Path

import pytest

from lecturelab.quiz import write_quiz
from tests.quiz_fixtures import (
    PHRASES,
    SENTENCES,
    SPECIAL,
    SPECIAL_PHRASES,
    lecture_dir,
    settings,
    small_background,
)

CHROMIUM = os.environ.get("LECTURELAB_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} not found: `make setup` installs chromium (or set LECTURELAB_CHROMIUM)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser.new_page()
        browser.close()


@pytest.mark.browser
def test_student_answers_checks_and_sees_score_and_moments(tmp_path, page):
    folder = lecture_dir(tmp_path / "web", SPECIAL + SENTENCES, SPECIAL_PHRASES + PHRASES)
    # 14: the off-topic escaping sentences are the least central, so they come last
    write_quiz(folder, settings(small_background(tmp_path, docs=40), num_questions=14))
    qs = json.loads((folder / "quiz.json").read_text())["questions"]
    assert {"blank", "mcq", "short"} <= {x["type"] for x in qs}   # true/false needs a contrast the text lacks
    assert any("<script>" in x["stem"] for x in qs)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((folder / "quiz.html").as_uri())

    def answer(right: bool):
        for x in qs:
            sec = page.locator(f'section[data-id="{x["id"]}"]')
            if x["options"]:
                i = x["options"].index(x["answer"])
                sec.locator("input[type=radio]").nth(i if right else (i + 1) % len(x["options"])).check()
            else:  # typed answers are matched leniently (case, plural)
                typed = x["answer"].upper() + ("" if x["answer"].endswith("s") else "s")   # case and plural
                sec.locator("input[type=text]").fill(typed if right else "no idea")
        page.click("#check")

    answer(right=True)
    assert page.text_content("#score") == f"Score: {len(qs)} / {len(qs)}"
    assert page.locator("section.q.correct").count() == len(qs)
    for x in qs:
        link = page.locator(f'section[data-id="{x["id"]}"] a.moment')
        assert link.get_attribute("href") == x["link"]
        assert f"({x['start']:g} s)" in link.text_content()
        assert x["answer"] in page.locator(f'section[data-id="{x["id"]}"] .answer').text_content()
    page.click("#reset")
    assert page.text_content("#score") == "" and page.locator(".feedback:visible").count() == 0
    answer(right=False)
    assert page.text_content("#score") == f"Score: 0 / {len(qs)}"
    assert page.locator("section.q.wrong").count() == len(qs)
    # transcript markup is shown as text, never run
    assert page.evaluate("window.__pwned") is None
    assert "<script>window.__pwned = 1</script>" in page.inner_text("#quiz")
    assert errors == []


@pytest.mark.browser
def test_quiz_page_fits_a_phone_with_a_long_lecture_name(tmp_path, page):
    from lecturelab.quiz.export import to_html

    quiz = {"schema_version": 1, "lecture": {"name": "spontaneous_recording_of_week_three_lecture.wav",
                                             "duration": 10.0, "transcript": "transcript.html"},
            "generator": {"name": "rules"}, "settings": {}, "notes": ["asked for 10 questions; the lecture supports 0"],
            "questions": []}
    (tmp_path / "quiz.html").write_text(to_html(quiz), encoding="utf-8")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto((tmp_path / "quiz.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390   # no sideways scrolling
    page.set_viewport_size({"width": 1280, "height": 720})
