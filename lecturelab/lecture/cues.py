"""Subtitle cues from a transcript: each cue at most ``max_lines`` lines of at most ``max_line_chars``
characters, on screen ``min_duration`` to ``max_duration`` seconds, cues never overlapping.

Defaults are the Netflix Timed Text Style Guide (2 lines, 42 characters per line, 5/6 s to 7 s per subtitle
event); see ``conf/process.yaml`` (``subtitles:``) for the sources. Where to cut a segment into cues and
where to break a cue into lines is chosen by the least total cost over all break points, the dynamic
programme of Knuth & Plass, "Breaking paragraphs into lines" (1981): a cut or break after ``.?!`` is free,
after ``,;:`` cheap, elsewhere dear, inside a keyphrase span dearer still; lines of a cue are balanced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lecturelab.lecture.settings import Subtitles, subtitle_rules

# costs, in "squared characters" like the line-balance and slack terms; set by reading the output
_CUT = {"sentence": 0.0, "clause": 25.0, "word": 100.0}
_LINE_BREAK = 0.5        # x _CUT: a line break mid-phrase is less bad than a cue cut there
_IN_KEYPHRASE = 1000.0   # a cut or line break inside a highlighted span
_BALANCE = 0.25          # x (line length - mean line length)^2: a break after punctuation beats balance
_PER_CUE = 20.0          # fewer, fuller cues
_SLACK = 0.02            # x (unused characters)^2: cues of a segment similar in length
_TOO_LONG = 400.0        # + _TOO_LONG_PER_S per second over max_duration (several words only)
_TOO_LONG_PER_S = 200.0
_TOO_SHORT = 30.0        # under min_duration: it is stretched, which may not be possible


# the ``subtitles:`` settings: lines, characters per line, seconds on screen (`Subtitles`, lecture/settings.py)
CueRules = Subtitles


def cue_rules(conf: Mapping | None = None) -> CueRules:
    """`CueRules` from the ``subtitles:`` config mapping (None: the defaults). Raises ValueError naming the key
    in the style of the pipeline's config check, e.g. ``subtitles.max_line_chars=0: a whole number >= 1``."""
    return subtitle_rules(conf)


def _units(text: str, seg: dict) -> list[dict]:
    """The segment's words with times, glued words (no space between) merged: lines break only at spaces.

    A segment without word times gets its space-separated words, timed by character position."""
    words = [w for w in seg.get("words") or [] if w["char_end"] > w["char_start"]]
    if not words:
        a, n, dur = seg["char_start"], max(seg["char_end"] - seg["char_start"], 1), seg["end"] - seg["start"]
        words = [{"start": seg["start"] + dur * (m.start() - a) / n, "end": seg["start"] + dur * (m.end() - a) / n,
                  "char_start": m.start(), "char_end": m.end()}
                 for m in re.compile(r"\S+").finditer(text, a, seg["char_end"])]
    units: list[dict] = []
    for w in words:
        gap = text[units[-1]["char_end"]:w["char_start"]] if units else " "
        if gap == "" or gap.strip():
            units[-1] = dict(units[-1], end=max(units[-1]["end"], w["end"]), char_end=w["char_end"])
        else:
            units.append({"start": w["start"], "end": w["end"], "char_start": w["char_start"],
                          "char_end": w["char_end"]})
    for u in units:
        u["len"] = len(_norm(text[u["char_start"]:u["char_end"]]))
        last = text[u["char_end"] - 1]
        u["after"] = "sentence" if last in ".?!" else "clause" if last in ",;:" else "word"
    return units


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def _lines(units: list[dict], i: int, j: int, pre: list[int], rules: CueRules, in_kp: list[bool]):
    """Best line breaks for units[i:j]: (cost, [line end unit index, ...]) or None if it needs too many lines.

    Fewest lines that fit; a single unit longer than ``max_line_chars`` is a line of its own."""
    width = rules.max_line_chars

    def length(p, q):  # characters of units[p:q] on one line, single spaces between them
        return pre[q] - pre[p] + (q - p - 1)

    need, p = 0, i  # greedy filling gives the fewest lines
    while p < j:
        q = p + 1
        while q < j and length(p, q + 1) <= width:
            q += 1
        need, p = need + 1, q
        if need > rules.max_lines:
            return None
    if need == 1:
        return 0.0, [j]
    mean = length(i, j) / need

    def brk(q):  # cost of a line break after units[q - 1]
        return _LINE_BREAK * _CUT[units[q - 1]["after"]] + (_IN_KEYPHRASE if in_kp[q - 1] else 0.0)

    if need == 2:  # the usual case, in linear time
        return min((_BALANCE * ((length(i, q) - mean) ** 2 + (length(q, j) - mean) ** 2) + brk(q), [q, j])
                   for q in range(i + 1, j)
                   if (q - i == 1 or length(i, q) <= width) and (j - q == 1 or length(q, j) <= width))
    # best[k][q]: (cost, ends) for units[i:q] in k lines
    best = {(0, i): (0.0, [])}
    for k in range(1, need + 1):
        for q in range(i + 1, j + 1):
            options = []
            for p in range(q - 1, i - 1, -1):
                if q - p > 1 and length(p, q) > width:
                    break
                prev = best.get((k - 1, p))
                if prev is None:
                    continue
                cost = prev[0] + _BALANCE * (length(p, q) - mean) ** 2
                if q < j:
                    cost += brk(q)
                options.append((cost, prev[1] + [q]))
            if options:
                best[(k, q)] = min(options, key=lambda o: o[0])
    return best.get((need, j))


def _segment_cues(text: str, seg: dict, inside: set[int], rules: CueRules) -> list[dict]:
    units = _units(text, seg)
    n = len(units)
    if not n:
        return []
    pre = [0]
    for u in units:
        pre.append(pre[-1] + u["len"])
    # in_kp[k]: the gap after unit k lies inside a keyphrase span
    in_kp = [k + 1 < n and units[k]["char_end"] in inside and units[k + 1]["char_start"] - 1 in inside
             for k in range(n)]
    capacity = rules.max_lines * rules.max_line_chars
    best: list[tuple[float, int, list[int]] | None] = [(0.0, 0, [])] + [None] * n  # cost, cue start, ends
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if best[i] is None:
                continue
            lines = _lines(units, i, j, pre, rules, in_kp)
            if lines is None:
                break  # more units need more lines
            dur = units[j - 1]["end"] - units[i]["start"]
            cost = best[i][0] + lines[0] + _PER_CUE + _SLACK * max(capacity - (pre[j] - pre[i] + j - i - 1), 0) ** 2
            if dur > rules.max_duration and j - i > 1:
                cost += _TOO_LONG + _TOO_LONG_PER_S * (dur - rules.max_duration)
            if dur < rules.min_duration:
                cost += _TOO_SHORT
            if j < n:
                cost += _CUT[units[j - 1]["after"]] + (_IN_KEYPHRASE if in_kp[j - 1] else 0.0)
            if best[j] is None or cost < best[j][0]:
                best[j] = (cost, i, lines[1])
    cues, j = [], n
    while j:
        _, i, ends = best[j]
        starts = [i] + ends[:-1]
        spans = [(units[a]["char_start"], units[b - 1]["char_end"]) for a, b in zip(starts, ends, strict=True)]
        cues.append({"start": units[i]["start"], "end": units[j - 1]["end"], "char_start": spans[0][0],
                     "char_end": spans[-1][1], "line_spans": spans,
                     "lines": [_norm(text[a:b]) for a, b in spans]})
        j = i
    return cues[::-1]


def _timed(cues: list[dict], rules: CueRules, media_end: float | None) -> list[dict]:
    """Display times in whole milliseconds: start at the first word (not before the previous cue's end),
    end at the last word, stretched to ``min_duration`` and cut to ``max_duration``; a stretch never runs
    into the next cue's speech or past the media's end."""
    lo, hi = round(rules.min_duration * 1000), round(rules.max_duration * 1000)
    starts = [round(c["start"] * 1000) for c in cues] + [None]
    prev_end = 0
    for k, c in enumerate(cues):
        a = max(starts[k], prev_end, 0)
        spoken = round(c["end"] * 1000)
        b = min(max(spoken, a + lo), a + hi)
        limit = [starts[k + 1]] if starts[k + 1] is not None else []
        if media_end is not None:
            limit.append(round(media_end * 1000))
        if limit and b > min(spoken, a + hi):  # only the stretch is limited; overlapping speech pushes
            b = max(min(b, *limit), min(spoken, a + hi))
        b = max(b, a + 1)
        c["start"], c["end"] = a / 1000, b / 1000
        prev_end = b
    return cues


def subtitle_cues(doc: dict, rules: CueRules | None = None) -> list[dict]:
    """The transcript ``doc`` (``text``, ``segments`` with word char offsets, ``keyphrases`` spans) as cues.

    Each segment is cut into cues between words: every cue fits in ``rules.max_lines`` lines of
    ``rules.max_line_chars`` characters (a longer single word stands on a line alone) and spans at most
    ``rules.max_duration`` seconds of speech where word times allow. Returns dicts with ``id``,
    ``start``/``end`` (display seconds, ms precision, non-overlapping and non-decreasing),
    ``char_start``/``char_end`` into ``doc["text"]``, ``lines`` (text per line) and ``line_spans``
    ((char_start, char_end) per line) and ``text`` (the lines joined by spaces).
    """
    rules = rules or CueRules()
    inside = {c for k in doc["keyphrases"] for c in range(k["char_start"], k["char_end"])}
    cues = [c for seg in doc["segments"] for c in _segment_cues(doc["text"], seg, inside, rules)]
    cues = _timed(cues, rules, (doc.get("source") or {}).get("duration"))
    return [dict(c, id=i, text=" ".join(c["lines"])) for i, c in enumerate(cues)]
