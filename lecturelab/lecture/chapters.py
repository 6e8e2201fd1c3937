"""Topical chapters of a transcript: TextTiling over sentence embeddings, titles from keyphrases.

Method: TextTiling (Hearst 1997, "TextTiling: Segmenting Text into Multi-paragraph Subtopic Passages",
Computational Linguistics 23(1)) with the lexical block comparison replaced by the cosine similarity of
the mean all-MiniLM-L6-v2 embeddings (`lecturelab.models.embed`) of the ``block_sentences`` sentences on
each side of a gap. Each gap gets a depth score (how far its similarity lies below the nearest peaks on
both sides); gaps deeper than ``max(min_depth, mean - cutoff_std * std)`` of the depth scores become
boundaries, deepest first, as long as every chapter stays at least ``min_seconds`` long; a chapter longer
than ``max_seconds`` is then cut at its deepest gap. Hearst's liberal cutoff is ``cutoff_std=0.5``;
``min_depth`` is ours, so that a one-topic lecture (depths that are only noise) stays one chapter.
``block_sentences`` and ``cutoff_std`` were tuned with ``scripts/bench_chapters.py --split valid --tune``
(Inspec valid abstracts; numbers reported on the test abstracts in metrics/chapters.json). The Pk-best
``min_depth`` there was 0.35, but unrelated abstracts make very deep joints (median 0.8); a natural
one-topic text (20 sentences on photosynthesis, tests/test_chapters.py) has gaps 0.45 deep, so the
default is 0.55, which costs Pk 0.117 -> 0.128 on the valid split.

Each chapter gets a title (its most distinctive keyphrases) and a one-sentence extractive summary: its
most central sentence, the one with the highest cosine to the chapter's mean embedding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape

import numpy as np
import webvtt
from webvtt.models import Timestamp

from lecturelab.keyphrases import stem_key
from lecturelab.lecture.chapter_titles import chapter_title, ranked_keyphrases, summary_index
from lecturelab.lecture.render import vtt_escape
from lecturelab.lecture.segmentation import global_boundaries
from lecturelab.lecture.settings import CHAPTER_METHODS, Chapters, chapter_settings
from lecturelab.models import embed as minilm
from lecturelab.transcript.format import short_clock

METHODS = CHAPTER_METHODS
DEFAULTS = Chapters().model_dump()   # the settings of `Chapters` (lecture/settings.py), as conf/process.yaml


def gap_similarities(emb: np.ndarray, block: int) -> np.ndarray:
    """Cosine similarity at each of the n-1 gaps between n sentences (``emb``: n x d, rows L2-normalised):
    gap i lies before sentence i+1 and compares the mean of the ``block`` sentences before it with the
    mean of the ``block`` after it (fewer at the edges)."""
    n = len(emb)
    out = np.zeros(max(n - 1, 0), np.float32)
    for g in range(n - 1):
        left = emb[max(0, g + 1 - block):g + 1].mean(0)
        right = emb[g + 1:g + 1 + block].mean(0)
        out[g] = float(left @ right / max(np.linalg.norm(left) * np.linalg.norm(right), 1e-12))
    return out


def depth_scores(sims: np.ndarray) -> np.ndarray:
    """Hearst's depth score of each gap: (left peak - s) + (right peak - s), each peak found by climbing
    from the gap while the similarity keeps rising. A gap on a plateau or a slope scores near 0."""
    depth = np.zeros_like(sims)
    for g, s in enumerate(sims):
        lp = s
        for j in range(g - 1, -1, -1):
            if sims[j] < lp:
                break
            lp = sims[j]
        rp = s
        for j in range(g + 1, len(sims)):
            if sims[j] < rp:
                break
            rp = sims[j]
        depth[g] = (lp - s) + (rp - s)
    return depth


def choose_boundaries(depth: np.ndarray, starts: list[float], ends: list[float], settings: dict) -> list[int]:
    """Indices of the sentences that open a chapter (after the first), sorted.

    ``depth``: one score per gap (gap i before sentence i+1); ``starts``/``ends``: sentence times in
    seconds. Deepest gaps above the cutoff first, each kept only if every chapter stays
    >= ``min_seconds``; then chapters over ``max_seconds`` are cut at their deepest allowed gap."""
    n = len(starts)
    if n < 2:
        return []
    lo, hi = starts[0], ends[-1]
    min_s, max_s = float(settings["min_seconds"]), float(settings["max_seconds"])
    cutoff = max(float(settings["min_depth"]), float(depth.mean() - settings["cutoff_std"] * depth.std()))

    def fits(cuts: list[int], b: int) -> bool:
        edges = [lo] + [starts[c] for c in sorted([*cuts, b])] + [hi]
        return all(e - s >= min_s for s, e in zip(edges, edges[1:], strict=False))

    cuts: list[int] = []
    for g in np.argsort(-depth, kind="stable"):
        if depth[g] > cutoff and fits(cuts, int(g) + 1):
            cuts.append(int(g) + 1)
    changed = True
    while changed:   # cut over-long chapters at their deepest gap that keeps both halves >= min_seconds
        changed = False
        bounds = [0, *sorted(cuts), n]
        for a, b in zip(bounds, bounds[1:], strict=False):
            end = starts[b] if b < n else hi
            if end - (starts[a] if a else lo) <= max_s:
                continue
            inside = [g for g in range(a, b - 1) if fits(cuts, g + 1)]
            if inside:
                cuts.append(max(inside, key=lambda g: depth[g]) + 1)
                changed = True
                break
    return sorted(cuts)


def boundaries(emb: np.ndarray, texts: list[str], starts: list[float], ends: list[float], end: float,
               settings: dict) -> list[int]:
    """Indices of the sentences that open a chapter (after the first), by ``settings["method"]``:
    ``global`` (`lecturelab.lecture.segmentation.global_boundaries`) or ``texttiling`` (depth cutoffs,
    `choose_boundaries`; fewer than 2 x ``block_sentences`` sentences: none). ``emb``: n x d L2-normalised
    sentence embeddings, ``texts``/``starts``/``ends``: the n sentences and their times (s), ``end``: the
    last chapter's end (s)."""
    if settings["method"] == "global":
        return global_boundaries(emb, texts, starts, end, settings)
    if len(texts) < 2 * settings["block_sentences"]:
        return []
    depth = depth_scores(gap_similarities(emb, int(settings["block_sentences"])))
    return choose_boundaries(depth, starts, ends, settings)


def _fallback_title(sentence: str, words: int = 8) -> str:
    parts = sentence.split()
    return " ".join(parts[:words]).rstrip(".,;:!?") + ("…" if len(parts) > words else "")


def make_chapters(segments: list[dict], keyphrases: list[dict], emb: np.ndarray, duration: float | None,
                  settings: dict) -> list[dict]:
    """Chapters of a transcript: list of {id, start, end (s), first_segment, last_segment, title,
    keyphrases (stem keys), summary, summary_segment}.

    ``segments``: transcript.json segments (sentences, with start/end/text); ``keyphrases``: keyphrases.json
    entries; ``emb``: one L2-normalised embedding row per segment; ``duration``: media length in seconds
    (the last chapter ends there; None: at the last sentence). The first chapter starts at 0 (what video
    platforms require). No segments: no chapters; fewer than 2 x ``block_sentences`` sentences: one chapter.
    """
    n = len(segments)
    if n == 0:
        return []
    starts, ends = [s["start"] for s in segments], [s["end"] for s in segments]
    end_time = max(float(duration or 0.0), ends[-1])
    cuts = boundaries(emb, [s["text"] for s in segments], starts, ends, end_time, settings)
    bounds = [0, *(int(c) for c in cuts), n]   # plain ints: the cuts may be numpy integers
    chapters = []
    texts = [s["text"] for s in segments]
    used: set[str] = set()   # a concept titles one chapter only
    for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        title, kp = chapter_title(keyphrases, segments, a, b - 1, float(settings["min_word_prob"]), used,
                                  float(settings["title_pair"]))
        used.add(kp["key"] if kp else stem_key(title))
        best = summary_index(texts, emb, a, b - 1, kp["key"] if kp else None, int(settings["summary_min_words"]))
        keys = [k["key"] for k in ranked_keyphrases(keyphrases, a, b - 1)][:int(settings["title_phrases"])]
        summary = segments[best]["text"]
        chapters.append({"id": i, "start": 0.0 if i == 0 else round(starts[a], 3),
                         "end": round(starts[b], 3) if b < n else round(end_time, 3),
                         "first_segment": a, "last_segment": b - 1, "title": title or _fallback_title(summary),
                         "keyphrases": keys, "summary": summary, "summary_segment": int(best)})
    return chapters


def lecture_chapters(segments: list[dict], keyphrases: list[dict], duration: float | None,
                     cfg: Mapping | None = None, embed: Callable[[list[str]], np.ndarray] | None = None
                     ) -> list[dict]:
    """`make_chapters` with the settings of ``cfg`` (the ``chapters:`` mapping) and sentence embeddings
    from ``embed`` (default: the offline MiniLM of `lecturelab.models.embed`, loaded on first use).
    Raises ValueError for a bad setting."""
    settings = chapter_settings(cfg)
    if not segments:
        return []
    if embed is None:
        embed = minilm.embed   # the model loads on its first call
    return make_chapters(segments, keyphrases, embed([s["text"] for s in segments]), duration, settings)


def to_chapters_vtt(chapters: list[dict]) -> str:
    """A WebVTT chapters track (for ``<track kind="chapters">``) written by ``webvtt-py``: one cue per
    chapter, its title as the text, ``& < >`` escaped as the WebVTT spec asks."""
    return webvtt.WebVTT(captions=[
        webvtt.Caption(str(Timestamp.from_seconds(c["start"])), str(Timestamp.from_seconds(c["end"])),
                       [vtt_escape(" ".join(c["title"].split()))], identifier=f"chapter-{c['id'] + 1}")
        for c in chapters]).content


def to_chapters_txt(chapters: list[dict]) -> str:
    """``0:00 Title`` lines, the form YouTube reads chapters from in a video description (first at 0:00)."""
    return "".join(f"{short_clock(c['start'])} {' '.join(c['title'].split())}\n" for c in chapters)


def chapters_html(chapters: list[dict]) -> str:
    """The chapter list for the top of transcript.html: each time a ``.ts`` button that seeks the player
    (the page's own click handler), title and summary escaped."""

    if len(chapters) < 1:
        return ""
    items = "".join(
        f'<li id="c{c["id"]}"><button class="ts" data-t="{c["start"]}" title="Play this chapter">'
        f'{short_clock(c["start"])}</button><a href="#s{c["first_segment"]}">{escape(c["title"])}</a>'
        f'<div class="sum">{escape(c["summary"])}</div></li>' for c in chapters)
    return f'<details class="index chapters" open><summary>Chapters</summary><ol>{items}</ol></details>'
