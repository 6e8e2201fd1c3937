"""quiz.html: a self-contained interactive quiz (no network, no libraries).

The questions travel as JSON inside a ``<script type="application/json">`` block with ``< > &``
escaped, and the page builds its DOM with ``textContent`` only, so transcript text such as
``<script>`` is shown, never run. After "Check answers" each question shows right/wrong, the answer,
the source sentence and a link to ``transcript.html#t=<seconds>``, the moment it is explained.
"""

from __future__ import annotations

import html
import json

from lecturelab.assets import scripts, style

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quiz: __TITLE__</title>
__STYLE__
</head>
<body>
<h1>Quiz: __TITLE__</h1>
<div id="notes"></div>
<form id="quiz" autocomplete="off" onsubmit="return false"></form>
<p><button type="button" id="check">Check answers</button> <button type="button" id="reset">Try again</button></p>
<p id="score" aria-live="polite"></p>
<script type="application/json" id="quiz-data">__DATA__</script>
__SCRIPTS__
</body>
</html>
"""


def to_html(quiz: dict) -> str:
    """The interactive quiz page for a quiz dict."""
    data = json.dumps(quiz, ensure_ascii=False)
    # inside <script> only "</" could end the block; escaping < > & keeps any JSON string inert
    data = data.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    title = html.escape(" ".join(quiz["lecture"]["name"].split()))
    # the assets first: the title and the data are the only text from the lecture and go in last
    page = _PAGE.replace("__STYLE__", style("quiz.css")).replace("__SCRIPTS__", scripts("clock.js", "quiz.js"))
    return page.replace("__TITLE__", title).replace("__DATA__", data)
