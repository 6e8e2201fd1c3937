"""The course page and a lecture page in headless Chromium (Playwright), from file:// with no server."""

from __future__ import annotations

import pytest

from tests.course_fixtures import fake_lecture
from tests.test_lecture_browser import page_factory  # noqa: F401  (the module's browser fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WEEK1 = ["Gradient descent minimises a loss.", "Each step follows the negative gradient.",
         "The learning rate sets the step size.", "Too large a learning rate diverges.",
         "Backpropagation computes the gradients.", 'Quotes "like this" & <tags> stay text.']
WEEK2 = ["Momentum speeds up gradient descent.", "It averages past gradients.",
         "A smaller learning rate with momentum is stable."]


@pytest.fixture
def course(tmp_path):
    from lecturelab.lecture.course import build_course

    fake_lecture(tmp_path, "week1", WEEK1, ["gradient descent", "learning rate", "backpropagation"],
                 chapters=[(0, "Gradient descent"), (2, "Learning rate"), (4, 'Backprop <b> & "q"')], media=True)
    fake_lecture(tmp_path, "week2", WEEK2, ["gradient descent", "momentum", "learning rate"])
    index, problems = build_course(tmp_path)
    assert problems == []
    return index


def test_course_page_search_concepts_and_lecture_links(course, page_factory, tmp_path):  # noqa: F811
    shots = tmp_path / "screenshots"
    page, problems = page_factory()           # phone width (390 x 844)
    page.set_default_timeout(10000)
    page.goto(course.as_uri())
    page.wait_for_function("window.courseIndexMs !== undefined")
    assert problems == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(shots / "course-phone.png"), full_page=True)

    page.fill("#q", "learning rate")
    page.wait_for_function("document.querySelectorAll('#results li').length > 0")
    hits = page.eval_on_selector_all("#results li a", "as => as.map(a => [a.getAttribute('href'), a.textContent])")
    assert sorted(h[0] for h in hits) == ["../week1/transcript.html#t=10", "../week1/transcript.html#t=15",
                                          "../week2/transcript.html#t=10"]
    assert ("../week1/transcript.html#t=10", "week1.mp4 · 0:10") in [tuple(h) for h in hits]
    assert page.evaluate("window.lastSearchMs") < 100
    page.fill("#q", "<tags>")
    page.wait_for_function("document.getElementById('count').textContent.startsWith('1 ')")
    assert page.inner_text("#results li span") == WEEK1[5]     # shown as text, not parsed as HTML
    page.screenshot(path=str(shots / "course-search.png"), full_page=True)

    # the concept entry links to every occurrence, the first marked as where it is introduced
    links = page.eval_on_selector_all('li[data-key="gradient descent"] .occ a',
                                      "as => as.map(a => [a.getAttribute('href'), a.className])")
    assert links == [["../week1/transcript.html#t=0", "intro"], ["../week2/transcript.html#t=0", ""]]

    # a result opens the lecture page at that time; the page has its way back to the course
    page.fill("#q", "backpropagation")
    page.wait_for_function("document.querySelectorAll('#results li').length === 1")
    page.click("#results li a")
    page.wait_for_url("**/week1/transcript.html#t=20")
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 20) < 0.05")
    assert page.inner_text(".seg.now").endswith(WEEK1[4])
    assert page.get_attribute(".course a", "href") == "../course/index.html"

    # the chapter list seeks the player; the chapters track loads and shows the titles as plain text
    page.click("#c2 .ts")
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 20) < 0.05")
    page.click("#c1 .ts")
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 10) < 0.05")
    cues = page.evaluate("""() => new Promise(done => {
        const tr = document.querySelector('track[kind=chapters]');
        const read = () => done([...tr.track.cues].map(c => [c.startTime, c.getCueAsHTML().textContent]));
        tr.track.mode = 'hidden';
        if (tr.readyState === 2) read(); else tr.addEventListener('load', read);
        setTimeout(() => done('track did not load'), 5000);
    })""")
    assert cues == [[0, "Gradient descent"], [10, "Learning rate"], [20, 'Backprop <b> & "q"']]
    page.screenshot(path=str(shots / "lecture-phone.png"), full_page=True)
    # Chromium ends a preload="metadata" request once it has the metadata (net::ERR_ABORTED): not an error
    assert [p for p in problems if not p.endswith("/week1/media.webm")] == []
