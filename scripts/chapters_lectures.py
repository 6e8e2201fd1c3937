"""Chapters of real lectures against the lecturers' own: the lecture mode of scripts/bench_chapters.py.

A lecture is one caption file of ``../shared/data/lectures`` (its README), split by course in
lecturelab/conf/lectures_split.yaml: ``--part tune`` (develop and tune on these) or ``--part report`` (held
out). Its cues (speaker labels and sound tags dropped) are joined and cut into sentences by pysbd
(`lecturelab.transcript.sentences.sentence_spans`); a sentence starts at the time of its first character, read
off the cue it falls in (linearly within the cue). Sentences are embedded with the project's MiniLM (cached
per lecture under ``outputs/chapters_lectures/``). Each method's chapter starts are scored by
`lecturelab.evaluation.lectures.segmentation_scores` (Pk and WindowDiff on 10-second units, boundaries within
30 s, counts) beside the two baselines: no boundary, and equal-length chapters with the lecturer's count.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np

from lecturelab.data.lectures import catalogue, read_cues
from lecturelab.evaluation.lectures import equal_starts, segmentation_scores
from lecturelab.lecture.chapters import boundaries
from lecturelab.transcript.sentences import sentence_spans

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "outputs" / "chapters_lectures"
SPEAKER = re.compile(r"^\s*(?:[A-Z][\w.'-]*\s){0,3}[A-Z][\w.'-]*:\s+")
SOUND = re.compile(r"\[[^\]]*\]|\([A-Z ]+\)")


def sentences_of_cues(cues: list[tuple[float, float, str]]) -> list[dict]:
    """Caption cues (start s, end s, text) -> sentences {start, end, text}: pysbd over the joined cue text,
    times interpolated within each cue by character position."""
    text, marks = "", []
    for s, e, t in cues:
        t = SOUND.sub(" ", SPEAKER.sub("", t)).strip()
        if t:
            marks.append((len(text), len(text) + len(t), s, e))
            text += t + " "
    pos = np.array([m[0] for m in marks])

    def clock(ch: int, end: bool) -> float:
        i = max(int(np.searchsorted(pos, ch, side="right")) - 1, 0)
        a, b, s, e = marks[i]
        return s + (e - s) * min(max(ch - a, 0), b - a) / max(b - a, 1) if not end else e

    return [{"start": clock(a, False), "end": clock(b - 1, True), "text": text[a:b]}
            for a, b in sentence_spans(text)]


def load(items, cache: Path = CACHE) -> list[dict]:
    """Per lecture: id, course, sentences, their embeddings (cached), the reference chapter starts, t0, t1."""
    from lecturelab.models.embed import embed_cached

    out = []
    for x in items:
        cues = read_cues(x.captions)
        sents = sentences_of_cues(cues)
        emb = embed_cached([s["text"] for s in sents], cache_dir=cache)
        out.append({"id": x.id, "course": x.course, "sentences": sents, "emb": emb, "t0": cues[0][0],
                    "t1": cues[-1][1], "reference": [s for s, _ in x.chapters]})
    return out


def choose(data: Path, part: str, per_course: int, seed: int):
    """``per_course`` lectures with chapters of each course on ``part``'s side, drawn with ``seed``."""
    rng = random.Random(seed)
    courses: dict[str, list] = {}
    for x in catalogue(data):
        if x.side == part and len(x.chapters) >= 2:
            courses.setdefault(x.course, []).append(x)
    return [x for c in sorted(courses) for x in rng.sample(courses[c], min(per_course, len(courses[c])))]


def score(lectures: list[dict], settings: dict | None, name: str = "ours") -> dict:
    """Mean Pk, WindowDiff, 30-s hits, |count - reference count| <= 2 share, counts of one method
    (``settings``: chapter settings, keys under ``name``; None: the baselines) over ``lectures``;
    per-lecture rows under ``lectures``."""
    rows = []
    for lec in lectures:
        s, t0, t1 = lec["sentences"], lec["t0"], lec["t1"]
        ref_n = len([b for b in lec["reference"] if b < t1])
        if settings is None:
            hyps = {"baseline_none": [], "baseline_equal": equal_starts(t0, t1, ref_n)}
        else:
            cuts = boundaries(lec["emb"], [x["text"] for x in s], [x["start"] for x in s],
                              [x["end"] for x in s], t1, settings)
            hyps = {name: [s[c]["start"] for c in cuts]}
        row = {"id": lec["id"]}
        for name, hyp in hyps.items():
            m = segmentation_scores(lec["reference"], hyp, t0, t1)
            row |= {f"{name}/pk": m["pk"], f"{name}/windowdiff": m["windowdiff"],
                    f"{name}/hits_30s": m["hits_within_tolerance"], f"{name}/chapters": m["chapters"],
                    f"{name}/count_within_2": float(abs(m["chapters"] - m["reference_chapters"]) <= 2),
                    "reference_chapters": m["reference_chapters"]}
        rows.append(row)
    keys = [k for k in rows[0] if k != "id"]
    means = {k: round(float(np.mean([r[k] for r in rows if r.get(k) is not None])), 4) for k in keys}
    return means | {"lectures": rows}
