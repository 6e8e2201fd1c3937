"""DVC stage `lectures` (data/dvc.yaml): BIO files of distant key-concept labels from the Open Yale lectures.

Source: ``paths.lectures_src`` (``../shared/data/lectures``; `lecturelab.data.lectures` reads its catalogue and
the course split ``conf/lectures_split.yaml``). Output: ``paths.lectures_dir`` with ``train.txt``,
``valid.txt``, ``test.txt`` (``token<TAB>tag``, a blank line between windows: what `lecturelab.bio.read_bio`
reads), ``stats.json`` and ``terms.jsonl`` (per lecture: the course's terms, those dropped as too common, and
the labels placed, for checking by hand).

How the labels are made (distant supervision: no person marked the transcript):
1. Terms: the course's key terms for the lecture, `lecturelab.evaluation.lectures.course_terms` (noun phrases
   of the chapter titles and the description: the same extraction the lecture benchmark scores against).
2. Too-common terms are dropped: a term whose `stem_key` occurs in more than ``lectures.max_term_df`` of the
   train courses' transcripts ('idea', 'use', 'others') is a word of speech, not of the subject. The share is
   counted on the train courses only, so nothing is learnt from validation or test courses.
3. Occurrences: a term's stem sequence (lower case, Porter stems) on whole words of the transcript, longest
   terms first, never overlapping one already placed (`lecturelab.data.lecture_bio.match_terms`).
4. Windows: the transcript's sentences (`lecturelab.lecture.captions.caption_segments`: sentences across
   cue breaks, speaker labels removed) packed in order into windows of at most ``lectures.window_words``
   tokens. Kept: every window holding a label, then ``lectures.negative_share`` windows without one per
   window with one, sampled; at most ``lectures.max_windows_per_lecture`` per lecture (sampled, kept in
   transcript order), so a training run fits two CPU cores.
5. Splits by course (never one course in two): ``test`` = the split file's report courses (Yale; 14.01SC has
   no chapter titles or descriptions to label from), ``valid`` = ``lectures.val_courses`` (tune courses),
   ``train`` = the other tune courses.

It sits beside `lecturelab.stages` (the command layer) because it joins the lecture reader, the evaluation's
term extraction and the data layer.
"""

from __future__ import annotations

import logging
import random
import zlib
from collections import Counter
from pathlib import Path

from lecturelab.data.lecture_bio import (
    bio_tags,
    common_keys,
    match_terms,
    pack_windows,
    select_windows,
    tokenize,
)
from lecturelab.data.lectures import catalogue, load_split
from lecturelab.evaluation.lectures import course_terms
from lecturelab.io import atomic_dir, write_json, write_jsonl
from lecturelab.keyphrases import stem_key
from lecturelab.lecture.captions import caption_segments

log = logging.getLogger(__name__)
SPLIT_FILES = {"train": "train.txt", "val": "valid.txt", "test": "test.txt"}


def lecture_sentences(captions: Path) -> list[list[str]]:
    """The tokenized sentences of a caption file (speaker labels removed, sentences across cue breaks)."""
    return [tokenize(seg["text"]) for seg in caption_segments(captions)["segments"]]


def course_split(item, val_courses: set[str]) -> str | None:
    """"train" | "val" | "test" for a catalogue item (`lecturelab.data.lectures.LectureItem`), None when it
    is not labelled (14.01SC)."""
    if item.collection != "yale":
        return None
    if item.side == "report":
        return "test"
    return "val" if item.course in val_courses else "train"


def write_bio(path: Path, rows: list[tuple[list[str], list[str]]]) -> None:
    """``token<TAB>tag`` lines, a blank line after each document."""
    path.write_text("".join("".join(f"{w}\t{g}\n" for w, g in zip(toks, tags, strict=True)) + "\n" for toks, tags in rows),
                    encoding="utf-8")


def build_lectures(cfg) -> dict:
    """Write the lecture BIO files (module docstring) into ``cfg.paths.lectures_dir``; return the stats
    ({split: {courses, lectures, windows, tokens, keyphrases}}, common_terms_dropped).

    Reads ``cfg.paths.lectures_src`` and ``cfg.lectures``. The folder is replaced whole when all is written
    (`lecturelab.io.atomic_dir`). Raises FileNotFoundError naming the missing folder, ValueError naming a
    validation course that is not a tune course."""
    src = Path(cfg.paths.lectures_src)
    if not (src / "yale" / "lectures.json").is_file():
        raise FileNotFoundError(f"{src}: no lecture set there (yale/lectures.json missing); set "
                                "paths.lectures_src to the folder holding yale/ (../shared/data/lectures)")
    lc = cfg.lectures
    split = load_split()
    tune = set(split["yale"]["tune"])
    val_courses = set(lc.val_courses)
    if val_courses - tune:
        raise ValueError(f"lectures.val_courses: {sorted(val_courses - tune)} not among the tune courses of "
                         "lecturelab/conf/lectures_split.yaml")
    items = [(it, s) for it in catalogue(src, split) if (s := course_split(it, val_courses))]
    sentences = {it.id: lecture_sentences(it.captions) for it, _ in items}
    terms = {it.id: course_terms([t for _, t in it.chapters], it.description) for it, _ in items}
    all_keys = {stem_key(t) for ts in terms.values() for t in ts} - {""}
    train_texts = [f" {stem_key([w for s in sentences[it.id] for w in s])} " for it, s in items if s == "train"]
    common = common_keys(all_keys, train_texts, lc.max_term_df)
    rows = {s: [] for s in SPLIT_FILES}
    report = []
    for it, s in items:
        kept_terms = [t for t in terms[it.id] if stem_key(t) not in common]
        labelled = [(w, bio_tags(len(w), match_terms(w, kept_terms)))
                    for w in pack_windows(sentences[it.id], lc.window_words)]
        rng = random.Random(lc.seed * 1_000_003 + zlib.crc32(it.id.encode()))   # stable across runs and machines
        chosen = select_windows(labelled, lc.negative_share, lc.max_windows_per_lecture, rng)
        rows[s] += chosen
        placed = Counter(" ".join(toks[a:b]).lower() for toks, _ in chosen for a, b, _ in match_terms(toks, kept_terms))
        report.append({"id": it.id, "course": it.course, "split": s, "terms": kept_terms,
                       "dropped_common": [t for t in terms[it.id] if stem_key(t) in common],
                       "windows": len(chosen), "labels": dict(placed.most_common())})
    stats = {s: {"courses": len({r["course"] for r in report if r["split"] == s}),
                 "lectures": sum(r["split"] == s for r in report), "windows": len(rows[s]),
                 "tokens": sum(len(t) for t, _ in rows[s]),
                 "keyphrases": sum(tags.count("B-KEY") for _, tags in rows[s])} for s in SPLIT_FILES}
    stats["common_terms_dropped"] = sorted(common)
    with atomic_dir(Path(cfg.paths.lectures_dir)) as tmp:
        for s, name in SPLIT_FILES.items():
            write_bio(tmp / name, rows[s])
        write_jsonl(tmp / "terms.jsonl", report)
        write_json(tmp / "stats.json", stats)
    for s in SPLIT_FILES:
        log.info("lectures %s: %s", s, stats[s])
    return stats
