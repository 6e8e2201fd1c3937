"""transcript.html in a real headless browser (Debian chromium driven by Playwright)."""

from __future__ import annotations

import json
import shutil

import pytest

from tests import lecture_fixtures as fx

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# pytest fixtures, bound here so tests in this module can request them
tiny_checkpoint, lecture_env, processed_sample = fx.tiny_checkpoint, fx.lecture_env, fx.processed_sample

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required"]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    raise RuntimeError("no chromium found: run `make setup` (apt-get install chromium)")


@pytest.fixture(scope="module")
def page_factory():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)

        def new_page(width=390, height=844):  # a phone-sized viewport
            page = browser.new_page(viewport={"width": width, "height": height})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            return page, problems

        yield new_page
        browser.close()


def test_page_loads_clean_and_index_jumps_to_occurrences(processed_sample, page_factory):
    doc = json.loads((processed_sample / "transcript.json").read_text())
    kps = json.loads((processed_sample / "keyphrases.json").read_text())["keyphrases"]
    page, problems = page_factory()
    page.goto((processed_sample / "transcript.html").as_uri())
    page.wait_for_function("document.getElementById('player').readyState >= 1", timeout=15000)
    assert problems == []
    # readable on a phone: no sideways scrolling
    wide = page.evaluate("[...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className + ':' + (e.textContent || '').slice(0, 60))")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), wide[:5]
    duration = page.evaluate("document.getElementById('player').duration")
    assert abs(duration - doc["source"]["duration"]) < 1.0

    # the keyphrase of the index (the top key concepts are listed apart) with an occurrence late in the
    # lecture: far from the top of the page
    concepts = json.loads((processed_sample / "concepts.json").read_text())
    top = {c["key"] for c in concepts["concepts"][:concepts["top"]]}
    target = max((k for k in kps if k["key"] not in top), key=lambda k: k["occurrences"][-1]["start"])
    occ = target["occurrences"][-1]
    span_index = next(i for i, s in enumerate(doc["keyphrases"])
                      if (s["char_start"], s["char_end"]) == (occ["char_start"], occ["char_end"]))
    n = kps.index(target)
    page.click(f"#k{n} + .occ a:last-child")
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {occ['start']}) < 0.05")
    state = page.evaluate(f"""() => {{
        const el = document.getElementById('o{span_index}');
        const r = el.getBoundingClientRect();
        return {{hash: location.hash, active: el.classList.contains('active'), text: el.textContent,
                 top: r.top, bottom: r.bottom, h: window.innerHeight, scrolled: window.scrollY}};
    }}""")
    assert state["hash"] == f"#o{span_index}" and state["active"]
    assert state["text"] == doc["text"][occ["char_start"]:occ["char_end"]]
    assert 0 <= state["top"] and state["bottom"] <= state["h"] and state["scrolled"] > 0
    assert page.locator("mark.kp.active").count() == 1

    # the phrase itself jumps to its first occurrence
    first = target["occurrences"][0]
    page.click(f"#k{n}")
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {first['start']}) < 0.05")

    # a segment's timestamp seeks the player to the segment
    seg = doc["segments"][len(doc["segments"]) // 2]
    page.click(f"#s{seg['id']} .ts")
    page.wait_for_function(f"document.getElementById('player').currentTime >= {seg['start'] - 0.05}")
    # and a highlighted phrase in the text seeks to itself
    page.evaluate("document.getElementById('player').pause()")
    page.click(f"#o{span_index}")
    page.wait_for_function(f"Math.abs(document.getElementById('player').currentTime - {occ['start']}) < 0.05")
    assert problems == []


def test_page_without_media_has_no_player_and_still_jumps(processed_sample, page_factory, tmp_path):
    from lecturelab.lecture.html import render_html

    doc = json.loads((processed_sample / "transcript.json").read_text())
    kps = json.loads((processed_sample / "keyphrases.json").read_text())["keyphrases"]
    doc["source"]["media_file"] = None
    page_file = tmp_path / "transcript.html"
    page_file.write_text(render_html(doc, kps))
    page, problems = page_factory(width=1280, height=400)
    page.goto(page_file.as_uri() + "#o0")
    assert page.locator("#player").count() == 0
    assert page.evaluate("document.getElementById('o0').classList.contains('active')")
    first = kps[-1]["occurrences"][0]
    span_index = next(i for i, s in enumerate(doc["keyphrases"]) if s["char_start"] == first["char_start"])
    page.click(f"#k{len(kps) - 1}")
    assert page.evaluate("location.hash") == f"#o{span_index}"
    assert page.evaluate(f"document.getElementById('o{span_index}').classList.contains('active')")
    assert problems == []
