"""Course scale: 40 one-hour lectures of generated transcript JSON -> `lecturelab course`; prints numbers.

    python scripts/bench_course.py [--lectures 40] [--sentences 600]

Each lecture is ``--sentences`` sentences (6 s each: 600 = one hour) taken in order from the Inspec train
abstracts (real technical English), with the gold keyphrases of those abstracts (up to 80 per lecture) as
its keyphrases (`tests.course_fixtures.fake_lecture`). Reports the wall time of `build_course` (the
index; the lecture folders exist already, as after `lecturelab process`), the size of the site, and in
headless Chromium the time MiniSearch takes to index every sentence at page load and the time of a few
searches (``window.lastSearchMs``: search + rendering the result list).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = ["neural network", "fuzzy", "optimization algorithm", "control system", "the", "xyzzy"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lectures", type=int, default=40)
    ap.add_argument("--sentences", type=int, default=600)
    args = ap.parse_args()
    from bench_chapters import documents  # noqa: I001  (same folder)

    from lecturelab.bio import read_bio
    from lecturelab.lecture.course import build_course
    from tests.course_fixtures import fake_lecture

    data = ROOT.parent / "shared" / "data" / "inspec" / "train.txt"
    sents = [s for doc in documents("train") for s in doc]
    phrases = []
    for tokens, tags in read_bio(data)[0]:
        cur = []
        for t, g in zip(tokens, tags, strict=True):
            if g == "B-KEY" or (g == "O" and cur):
                if cur:
                    phrases.append(" ".join(cur))
                cur = [t] if g == "B-KEY" else []
            elif g == "I-KEY":
                cur.append(t)
    phrases = sorted(set(p for p in phrases if len(p) > 3))
    tmp = Path(tempfile.mkdtemp(prefix="bench_course."))
    t0 = time.perf_counter()
    for i in range(args.lectures):
        part = [sents[(i * args.sentences + j) % len(sents)] for j in range(args.sentences)]
        text = " ".join(part).lower()
        mine = [p for p in phrases if p.lower() in text][:80]
        fake_lecture(tmp, f"lecture{i + 1:02d}", part, mine, seconds=6.0,
                     chapters=[(k * args.sentences // 6, f"Part {k + 1}") for k in range(6)])
    gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    index, problems = build_course(tmp)
    build = time.perf_counter() - t0
    assert not problems, problems
    size = {p.name: p.stat().st_size for p in index.parent.iterdir()}

    from playwright.sync_api import sync_playwright

    from tests.test_lecture_browser import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        t0 = time.perf_counter()
        page.goto(index.as_uri())
        page.wait_for_function("window.courseIndexMs !== undefined", timeout=120000)
        load = time.perf_counter() - t0
        index_ms = page.evaluate("window.courseIndexMs")
        searches = {}
        for q in QUERIES:
            page.evaluate("window.lastSearchMs = undefined")
            page.fill("#q", q)
            page.wait_for_function("window.lastSearchMs !== undefined")
            searches[q] = {"ms": round(page.evaluate("window.lastSearchMs"), 1),
                           "results": page.inner_text("#count")}
        browser.close()
    print(json.dumps({"lectures": args.lectures, "sentences": args.lectures * args.sentences,
                      "hours": args.lectures * args.sentences * 6 / 3600, "generate_s": round(gen, 1),
                      "build_course_s": round(build, 2), "site_bytes": size, "page_load_s": round(load, 2),
                      "minisearch_index_ms": round(index_ms), "search": searches}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
