"""review.html in headless Chromium: a teacher corrects words, keyphrases and questions, saves edits.json,
and `lecturelab apply` carries the change into the subtitles, the transcript and the quiz exports."""

from __future__ import annotations

import json

import pytest

from lecturelab.cli import main
from lecturelab.lecture.review import write_review
from tests import review_fixtures as rf
from tests.test_quiz_browser import ARGS, CHROMIUM


@pytest.mark.browser
def test_teacher_corrects_saves_and_apply_regenerates(tmp_path):
    from playwright.sync_api import sync_playwright

    folder = rf.lecture_with_quiz(tmp_path / "talk", special=True)
    write_review(folder, 0.5)
    edits = tmp_path / "edits.json"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 900, "height": 900}, accept_downloads=True)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((folder / "review.html").as_uri())
        # times read as on the page and in the Markdown (transcript.format.short_clock): H:MM:SS past an hour
        assert [page.evaluate(f"clock({t})") for t in (75, 4500.7)] == ["1:15", "1:15:00"]
        # the one low-confidence word is listed first, and highlighted in the transcript
        first = page.locator("#check input.w").first
        assert first.input_value() == "decent" and first.get_attribute("data-s") == "3"
        assert page.locator('#transcript input.w.lc').count() == 1
        first.fill("descent")
        assert page.locator('#transcript input.w[data-s="3"][data-w="1"]').input_value() == "descent"
        page.locator('#transcript input.w[data-s="5"][data-w="3"]').fill("memorizes")   # was "memorises"
        page.click('section.q[data-id="qtf0000003"] button.delete')
        page.uncheck('#keyphrases input[data-phrase="dropout"]')
        page.fill("#kp-new", "negative gradient")
        page.click("#kp-add")
        with page.expect_download() as download:
            page.click("#save")
        assert download.value.suggested_filename == "edits.json"
        download.value.save_as(edits)
        page.screenshot(path=str(tmp_path / "review.png"))
        assert page.evaluate("window.__pwned") is None   # transcript markup is shown, never run
        assert "<script>window.__pwned" in page.locator('#transcript input.w[data-s="12"][data-w="5"]').input_value()
        saved = json.loads(edits.read_text())
        assert {(w["segment"], w["word"], w["from"], w["to"]) for w in saved["words"]} == \
            {(3, 1, "decent", "descent"), (5, 3, "memorises", "memorizes")}

        assert main(["apply", str(folder), str(edits)]) == 0
        srt, md = (folder / "subtitles.srt").read_text(), (folder / "transcript.md").read_text()
        assert "Gradient descent is" in srt and "model memorizes noise" in srt and "decent" not in srt
        assert "Gradient descent is" in md and "memorizes" in md and "memorises" not in md
        gift = (folder / "quiz.gift").read_text()
        assert "When a model memorizes noise" in gift and "Gradient descent is" in gift
        assert "qtf0000003" not in gift and "memorises" not in gift
        quiz = json.loads((folder / "quiz.json").read_text())
        assert [q["id"] for q in quiz["questions"]] == ["qblank00001", "qmcq000002", "qshort0004"]
        phrases = [k["phrase"] for k in json.loads((folder / "keyphrases.json").read_text())["keyphrases"]]
        assert "negative gradient" in phrases and "dropout" not in phrases

        # the rewritten page starts from the machine output with these edits filled in: saving again keeps them
        page.goto((folder / "review.html").as_uri())
        assert page.locator("#check input.w").first.input_value() == "descent"
        assert "deleted" in page.locator('section.q[data-id="qtf0000003"]').get_attribute("class")
        with page.expect_download() as again:
            page.click("#save")
        again.value.save_as(tmp_path / "again.json")
        assert json.loads((tmp_path / "again.json").read_text()) == saved
        assert errors == []
        browser.close()
