"""Whole-lecture benchmark: chapters, key concepts and quizzes of real lectures against the courses' own.

    python scripts/bench_lectures.py                        # held-out lectures -> metrics/lectures.json, docs
    python scripts/bench_lectures.py --part tune            # the tuning courses (numbers stay in --out)
    python scripts/bench_lectures.py --lectures yale/Game-Theory-with-Ben-Polak-1--Introduction--five-first-lessons
    python scripts/bench_lectures.py --speech 2 --speech-minutes 10   # also spoken by espeak-ng, transcribed

Data: ``../shared/data/lectures`` (``--shared``; its README), split by course in
``lecturelab/conf/lectures_split.yaml``: ``--part report`` (the default) runs only held-out courses, ``--part
tune`` only the tuning ones. ``--per-course N`` lectures of each course are drawn with ``--seed`` (the 14.01SC
lectures are one course); ``--lectures`` names them instead (ids as in the output, or caption file names).

Each chosen lecture's caption file is processed by ``lecturelab process`` with the default settings (one
batch, so the models load once) into ``--out``/lectures/<id>/. The keyphrase model is the project's default
checkpoint, ``model_path`` of conf/process.yaml: models/best, which ``make run`` (``dvc repro``) trains and
publishes; a fresh clone has none, so train first or give ``--model-path <a run's best/ folder>``.

Scores (lecturelab/evaluation/lectures.py says how each is computed):
- chapters against the course's chapters: Pk and WindowDiff on 10-second units, the share of the course's
  boundaries with one of ours within 30 s, the chapter counts; the same for two baselines: no boundary, and
  equal-length chapters with the course's own count;
- key concepts: the course's key terms (noun phrases of its chapter titles and description) that occur in
  the reference transcript, and the share of them among the first 10 / 20 of our key concepts (concepts.json
  order; keyphrases.json order, by score, for a lecture without one), exact (same stem key) and loose (one
  inside the other on whole words);
- quiz: questions made and asked, the automatic checks of `lecturelab.quiz.checks` against the reference
  transcript, and those of scripts/quiz_quality.py (answers that are course terms, 3 good distractors,
  duplicates/leaks/invalid).
Grading packets (``--out``/grading/, ``--out``/ocw-14.01sc-packet/): the rubric, per lecture the reference
transcript as text and the quiz as Markdown, a grading sheet; for 14.01SC the course team's questions beside
our quiz. ``--speech N`` speaks the first N chosen Yale lectures (``--speech-minutes M``: their first M
minutes) with espeak-ng, each cue at its own time so the course's chapter times still hold, transcribes them
with the default transcriber and scores them the same way against the captions.

The report part writes metrics/lectures.json (per lecture, means, the command, the machine) and the table in
docs/benchmark.md; ``--metrics`` writes elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from lecturelab.data.lectures import LectureItem, catalogue, load_split, read_cues  # noqa: E402
from lecturelab.evaluation.lectures import (  # noqa: E402
    course_terms,
    equal_starts,
    segmentation_scores,
    share_in_top,
    terms_in_transcript,
)
from lecturelab.io import write_json  # noqa: E402

# ../shared beside the checkout (a worktree one level deeper finds the one beside its parent)
SHARED = next((p for p in (ROOT.parent / "shared", ROOT.parents[1] / "shared") if (p / "data").is_dir()),
              ROOT.parent / "shared")
DOC = ROOT / "docs" / "benchmark.md"
RUBRIC = SHARED / "reviews" / "quiz-rubric.md"
# the generated blocks of docs/benchmark.md: the held-out table, and the speech table
BLOCKS = {"table": ("<!-- bench_lectures:table -->", "<!-- /bench_lectures:table -->"),
          "speech": ("<!-- bench_lectures:speech -->", "<!-- /bench_lectures:speech -->")}
UNIT_SECONDS = 10.0
TOLERANCE_SECONDS = 30.0
# a speaker label at the start of a cue ("PROFESSOR:", "Professor Ben Polak:") and sound tags ("[LAUGHTER]")
SPEAKER = re.compile(r"^\s*(?:[A-Z][\w.'-]*\s){0,3}[A-Z][\w.'-]*:\s+")
SOUND = re.compile(r"\[[^\]]*\]|\([A-Z ]+\)")


# ---------------------------------------------------------------- choosing and processing


def choose(items: list[LectureItem], part: str, per_course: int, seed: int, names: list[str] | None
           ) -> list[LectureItem]:
    """The lectures to run: ``names`` (ids or caption file names, which must be on ``part``'s side), or
    ``per_course`` of each course of ``part`` drawn with ``seed``, in catalogue order."""
    side = [x for x in items if x.side == part]
    if names:
        by = {x.id: x for x in side} | {x.captions.name: x for x in side}
        other = {x.id for x in items if x.side != part} | {x.captions.name for x in items if x.side != part}
        bad = [n for n in names if n not in by]
        if bad:
            where = "on the other side of the split" if all(n in other for n in bad) else "not in the catalogue"
            raise SystemExit(f"--lectures: {', '.join(bad)}: {where} (--part {part})")
        return [by[n] for n in names]
    rng = random.Random(seed)
    courses: dict[str, list[LectureItem]] = {}
    for x in side:
        courses.setdefault(x.course, []).append(x)
    chosen = set()
    for course in sorted(courses):
        chosen |= {x.id for x in rng.sample(courses[course], min(per_course, len(courses[course])))}
    return [x for x in side if x.id in chosen]


def file_name(item: LectureItem) -> str:
    return item.id.replace("/", "__")


def check_model(model_path: str | None) -> dict:
    """The metadata of the keyphrase checkpoint the processor will use; stops with one line when it is missing."""
    from lecturelab.models.tagger import check_checkpoint

    path = Path(model_path) if model_path else ROOT / "models" / "best"
    try:
        return {"path": str(model_path or "models/best")} | check_checkpoint(path)
    except (FileNotFoundError, ValueError) as e:
        raise SystemExit(f"error: {e} (this benchmark uses the processor's default checkpoint, models/best; "
                         "or --model-path)") from None


def run_process(inputs: list[Path], out_dir: Path, model_path: str | None, extra: list[str] | None = None
                ) -> dict:
    """``lecturelab process`` on ``inputs`` into ``out_dir`` with the default settings. Returns {seconds,
    seconds_per_lecture (of those processed now), reused (lectures already done in ``out_dir`` by the same
    settings, which the processor skips)}. A lecture that fails is reported by the processor and scored as
    missing."""
    cmd = [sys.executable, "-m", "lecturelab.cli", "process", *map(str, inputs), f"output_dir={out_dir}",
           "progress=false", *([f"model_path={model_path}"] if model_path else []), *(extra or [])]
    print("$", " ".join(cmd[1:]), flush=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            text=True)
    lines = []
    for line in proc.stdout:   # the processor's one line per lecture: "<in> -> <page> (12.3 s)" or "(already done ...)"
        print(line, end="", flush=True)
        lines.append(line)
    if proc.wait() not in (0, 1):
        raise SystemExit(f"error: lecturelab process exited with {proc.returncode}")
    each = [float(m.group(1)) for m in (re.search(r"\((\d+(?:\.\d+)?) s\)$", ln.strip()) for ln in lines) if m]
    # where each input went: the processor picks the folder (a folder owned by another path gets a suffix)
    folders = {Path(m.group(1)).stem: Path(m.group(2)).parent.name
               for m in (re.match(r"^(.+?) -> (.+?/transcript\.html) \(", ln) for ln in lines) if m}
    return {"seconds": round(time.perf_counter() - t0, 1), "reused": sum("(already done" in ln for ln in lines),
            "seconds_per_lecture": round(float(np.mean(each)), 1) if each else None, "folders": folders}


# ---------------------------------------------------------------- scoring


def reference(item: LectureItem, minutes: float | None = None) -> tuple[list, float, float, str]:
    """The reference cues (all, or those starting in the first ``minutes``), their span t0..t1 and text."""
    cues = read_cues(item.captions)
    if minutes:
        cues = [c for c in cues if c[0] < cues[0][0] + 60 * minutes]
    return cues, cues[0][0], cues[-1][1], " ".join(c[2] for c in cues)


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def score_lecture(item: LectureItem, folder: Path, quiz_cfg, minutes: float | None = None) -> dict:
    """Every number of one processed lecture against its course's chapters, terms and reference transcript."""
    from quiz_quality import score as quiz_scores

    from lecturelab.quiz.checks import quiz_checks
    from lecturelab.quiz.schema import Settings
    from lecturelab.transcript.document import load_lecture

    cues, t0, t1, text = reference(item, minutes)
    row: dict = {"id": item.id, "course": item.course, "title": item.title, "minutes": round((t1 - t0) / 60, 1)}
    if not (folder / "transcript.json").is_file():
        return row | {"failed": True}
    ref_starts = [s for s, _ in item.chapters]
    if ref_starts:
        ours = [c["start"] for c in read_json(folder / "chapters.json")["chapters"]] if (folder / "chapters.json").is_file() else []
        for name, hyp in (("ours", ours), ("baseline_none", []),
                          ("baseline_equal", equal_starts(t0, t1, len([s for s in ref_starts if s < t1])))):
            s = segmentation_scores(ref_starts, hyp, t0, t1, UNIT_SECONDS, TOLERANCE_SECONDS)
            prefix = "chapters/" if name == "ours" else f"chapters/{name}/"
            row |= {f"{prefix}pk": s["pk"], f"{prefix}windowdiff": s["windowdiff"],
                    f"{prefix}hits_30s": s["hits_within_tolerance"]}
            if name == "ours":
                row |= {"chapters/count": s["chapters"], "chapters/reference_count": s["reference_chapters"],
                        "chapters/k_units": s["k"]}
    # the lecture's key concepts (concepts.json, lecturelab/quiz/concepts.py) when it has them, else the
    # keyphrases by the tagger's score
    if (folder / "concepts.json").is_file():
        ranked = [c["term"] for c in read_json(folder / "concepts.json")["concepts"]]
    else:
        ranked = [k["phrase"] for k in read_json(folder / "keyphrases.json")["keyphrases"]]
    terms = []
    if item.chapters or item.description:
        all_terms = course_terms([t for _, t in item.chapters], item.description)
        terms = terms_in_transcript(all_terms, text)
        row |= {"keyterms/course_terms": len(all_terms), "keyterms/in_transcript": len(terms),
                "keyterms/top10": share_in_top(terms, ranked, 10), "keyterms/top20": share_in_top(terms, ranked, 20),
                "keyterms/top10_loose": share_in_top(terms, ranked, 10, loose=True),
                "keyterms/top20_loose": share_in_top(terms, ranked, 20, loose=True),
                "keyterms/terms": terms, "keyterms/ours_top10": ranked[:10]}
    if (folder / "quiz.json").is_file():
        from lecturelab.keyphrases import stem_key

        quiz = read_json(folder / "quiz.json")
        checks = quiz_checks(quiz, load_lecture(folder), Settings.from_cfg(quiz_cfg), text)
        qq = quiz_scores([(quiz, {stem_key(t) for t in terms})])
        row |= {"quiz/questions": qq["questions"], "quiz/asked": qq["asked"],
                "quiz/answer_is_course_term": qq["answer_is_gold"] if qq["questions"] and terms else None,
                "quiz/mcq": qq["mcq"], "quiz/mcq_3_good_distractors": qq["mcq_3_good_distractors"] if qq["mcq"] else None,
                "quiz/duplicate_leaked_or_invalid": qq["duplicate_leaked_or_invalid"]}
        row |= {f"quiz/checks/{k}": v for k, v in checks.items() if k != "questions"}
    return row


def means(rows: list[dict]) -> dict:
    """Mean of every numeric key over the rows that have it (None and lists skipped), and the n."""
    keys = sorted({k for r in rows for k in r} - {"id", "course", "title"}, key=lambda k: (k.count("/"), k))
    out: dict = {"lectures": len(rows)}
    for k in keys:
        vals = [r[k] for r in rows if isinstance(r.get(k), (int, float)) and not isinstance(r.get(k), bool)]
        if vals:
            out[k] = round(float(np.mean(vals)), 4)
    for k in ("quiz/questions", "quiz/asked"):
        if k in out:
            out[k.replace("quiz/", "quiz/total_")] = int(sum(r.get(k) or 0 for r in rows))
    return out


# ---------------------------------------------------------------- packets


def transcript_text(cues: list) -> str:
    """Reference cues as plain text, a [M:SS] mark about every minute so a grader can find a moment."""
    from lecturelab.lecture.render import short_clock

    out, last = [], -1e9
    for start, _end, text in cues:
        if start - last >= 60:
            out.append(f"\n\n[{short_clock(start)}] ")
            last = start
        out.append(text + " ")
    return "".join(out).strip() + "\n"


def quiz_markdown(quiz: dict, title: str) -> str:
    """A quiz for a blind grader: questions, options, then the key and the moment; nothing on how it was made."""
    from lecturelab.lecture.render import short_clock

    lines = [f"# Quiz: {title}", "", "## Questions", ""]
    for i, q in enumerate(quiz["questions"], 1):
        lines += [f"**{i}.** {' '.join(q['stem'].split())}", ""]
        if q.get("options"):
            lines += [f"   - {chr(65 + j)}) {o}" for j, o in enumerate(q["options"])] + [""]
    lines += ["## Answer key", ""]
    for i, q in enumerate(quiz["questions"], 1):
        ans = q["answer"]
        if q.get("options") and ans in q["options"]:
            ans = f"{chr(65 + q['options'].index(ans))}) {ans}"
        also = [a for a in q.get("accepted") or [] if a != q["answer"]]
        lines.append(f"{i}. {ans}" + (f" (also accepted: {', '.join(also)})" if also else "")
                     + f" (at {short_clock(q['start'])})")
    if not quiz["questions"]:
        lines.append("(no questions)")
    return "\n".join(lines) + "\n"


def write_grading_packet(out: Path, done: list[tuple[LectureItem, Path]]) -> Path:
    """``out``/grading/: README, the rubric, per lecture transcript.txt + quiz.md, grades.csv to fill in."""
    packet = out / "grading"
    shutil.rmtree(packet, ignore_errors=True)
    packet.mkdir(parents=True)
    if RUBRIC.is_file():
        shutil.copy(RUBRIC, packet / "rubric.md")
    else:
        print(f"warning: no {RUBRIC}: the grading packet has no rubric.md", file=sys.stderr)
    sheet = ["lecture,question,well_formed,answerable,worth_asking,distractors,verdict,note"]
    ideas = ["lecture,main_ideas_in_description,main_ideas_tested_by_a_good_question"]
    n = 0
    for i, (item, folder) in enumerate(done, 1):
        if not (folder / "quiz.json").is_file():
            continue
        quiz = read_json(folder / "quiz.json")
        d = packet / f"{i:02d}"
        d.mkdir()
        (d / "transcript.txt").write_text(f"{item.course}: {item.title}\n\n" + transcript_text(reference(item)[0]),
                                          encoding="utf-8")
        (d / "quiz.md").write_text(quiz_markdown(quiz, f"{item.course}: {item.title}"), encoding="utf-8")
        if item.description:
            (d / "description.md").write_text(f"# What the course says this lecture is about\n\n"
                                              f"{course_description(item.description)}\n", encoding="utf-8")
            ideas.append(f"{i:02d},,")
        sheet += [f"{i:02d},{j},,,,,," for j in range(1, len(quiz["questions"]) + 1)]
        n += len(quiz["questions"])
    (packet / "grades.csv").write_text("\n".join(sheet) + "\n", encoding="utf-8")
    (packet / "main_ideas.csv").write_text("\n".join(ideas) + "\n", encoding="utf-8")
    (packet / "README.md").write_text(
        f"# Grading packet: {n} quiz questions on {len(done)} lectures\n\n"
        "Each numbered folder is one real lecture: `transcript.txt` is what was said (the course's own "
        "transcript, a [M:SS] mark about every minute), `quiz.md` the quiz to grade (the answer key gives the "
        "moment in the lecture). Grade every question with `rubric.md`, blind: write yes/no per criterion "
        "(distractors: multiple choice only, else leave empty) and the verdict (good / usable / bad) into "
        "`grades.csv`. Then, where a folder has `description.md` (what the course says the lecture is about), "
        "count the main ideas it names and how many of them a question you graded good tests; write both "
        "numbers into `main_ideas.csv`.\n", encoding="utf-8")
    return packet


def course_description(text: str) -> str:
    """The course's description of a lecture without its header line and its copy of the chapter list."""
    lines = [ln for ln in text.splitlines()[1:] if ln.strip() and not re.match(r"\d+:\d\d.* - Chapter", ln)]
    return "\n\n".join(ln.strip() for ln in lines)


def write_concepts_packet(out: Path, done: list[tuple[LectureItem, Path]], top: int = 20) -> Path:
    """``out``/grading-concepts/: per lecture the transcript and our first ``top`` key concepts
    (concepts.json, else keyphrases.json), and a sheet to label each key concept / useful / noise / misheard."""
    packet = out / "grading-concepts"
    shutil.rmtree(packet, ignore_errors=True)
    packet.mkdir(parents=True)
    sheet = ["lecture,rank,term,label"]
    for i, (item, folder) in enumerate(done, 1):
        if (folder / "concepts.json").is_file():
            terms = [c["term"] for c in read_json(folder / "concepts.json")["concepts"]][:top]
        elif (folder / "keyphrases.json").is_file():
            terms = [k["phrase"] for k in read_json(folder / "keyphrases.json")["keyphrases"]][:top]
        else:
            continue
        d = packet / f"{i:02d}"
        d.mkdir()
        (d / "transcript.txt").write_text(f"{item.course}: {item.title}\n\n" + transcript_text(reference(item)[0]),
                                          encoding="utf-8")
        (d / "terms.md").write_text(f"# {item.title}: the index's first {len(terms)} terms\n\n" +
                                    "".join(f"{r}. {t}\n" for r, t in enumerate(terms, 1)), encoding="utf-8")
        sheet += [f'{i:02d},{r},"{t}",' for r, t in enumerate(terms, 1)]
    (packet / "grades.csv").write_text("\n".join(sheet) + "\n", encoding="utf-8")
    (packet / "README.md").write_text(
        "# Grading packet: the first terms of a lecture's key-term index\n\nEach numbered folder is one real "
        "lecture: `transcript.txt` is what was said, `terms.md` the first terms of the index a student sees. "
        "Label each term in `grades.csv`: `key concept` (one of the ideas the lecture is about), `useful` (a "
        "term of the subject a student may look up, not central), `noise` (an incidental word, an aside, a "
        "name or a prop of an anecdote, a generic word) or `misheard` (not what was said).\n", encoding="utf-8")
    return packet


def write_titles_packet(out: Path, done: list[tuple[LectureItem, Path]]) -> Path:
    """``out``/grading-titles/: per lecture the course's own chapter titles beside ours (times, titles,
    summaries), and a sheet to judge each of our titles informative / partly / not."""
    packet = out / "grading-titles"
    shutil.rmtree(packet, ignore_errors=True)
    packet.mkdir(parents=True)
    sheet = ["lecture,chapter,title_verdict,summary_verdict,note"]
    for i, (item, folder) in enumerate(done, 1):
        if not item.chapters or not (folder / "chapters.json").is_file():
            continue
        ours = read_json(folder / "chapters.json")["chapters"]
        lines = [f"# {item.course}: {item.title}", "", "## The lecturer's chapters", ""]
        lines += [f"- {clock_text(t)} {title}" for t, title in item.chapters]
        lines += ["", "## The chapters to judge", ""]
        for j, ch in enumerate(ours, 1):
            lines += [f"{j}. {clock_text(ch['start'])} **{ch['title']}**", f"   Summary: {ch.get('summary', '')}", ""]
            sheet.append(f"{i:02d},{j},,,")
        d = packet / f"{i:02d}"
        d.mkdir()
        (d / "chapters.md").write_text("\n".join(lines), encoding="utf-8")
        (d / "transcript.txt").write_text(f"{item.course}: {item.title}\n\n" + transcript_text(reference(item)[0]),
                                          encoding="utf-8")
    (packet / "grades.csv").write_text("\n".join(sheet) + "\n", encoding="utf-8")
    (packet / "README.md").write_text(
        "# Grading packet: chapter titles and summaries\n\nEach numbered folder is one real lecture: "
        "`chapters.md` lists the lecturer's own chapters, then the chapters to judge with a title and a one-sentence "
        "summary each; `transcript.txt` is what was said. For each chapter to judge, write into `grades.csv` "
        "the title's verdict — `informative` (names the topic of that part as a lecturer would), `partly` "
        "(related but vague, too narrow or oddly worded) or `not` (misleading, an incidental word, unreadable) — "
        "and the summary's verdict with the same three words.\n", encoding="utf-8")
    return packet


def clock_text(t: float) -> str:
    """Seconds as [H:]MM:SS."""
    t = int(round(t))
    return f"{t // 3600}:{t % 3600 // 60:02d}:{t % 60:02d}" if t >= 3600 else f"{t // 60}:{t % 60:02d}"


def write_ocw_packet(out: Path, done: list[tuple[LectureItem, Path]]) -> Path | None:
    """``out``/ocw-14.01sc-packet/: per 14.01SC lecture the course team's questions beside our quiz, and a
    sheet asking which instructor concepts our quiz also tests."""
    ocw = [(x, f) for x, f in done if x.collection == "ocw-14.01sc" and (f / "quiz.json").is_file()]
    if not ocw:
        return None
    packet = out / "ocw-14.01sc-packet"
    shutil.rmtree(packet, ignore_errors=True)
    packet.mkdir(parents=True)
    sheet = ["lecture,instructor_question,tested_by_our_question_numbers,note"]
    for i, (item, folder) in enumerate(ocw, 1):
        lines = [f"# {item.title}", "", "## The course team's concept questions", ""]
        for j, q in enumerate(item.questions, 1):
            lines += [f"**I{j}.** {q['q']}", ""] + \
                     [f"   - {o}" for o in [q["answer"], *q["distractors"]]] + \
                     ["", f"   Answer: {q['answer'].rstrip('.')}. {q.get('explanation', '')}", ""]
            sheet.append(f"{i:02d},I{j},,")
        lines += ["## Our quiz", ""] + quiz_markdown(read_json(folder / "quiz.json"), item.title).split("\n", 2)[2:]
        d = packet / f"{i:02d}"
        d.mkdir()
        (d / "compare.md").write_text("\n".join(lines), encoding="utf-8")
        (d / "transcript.txt").write_text(transcript_text(reference(item)[0]), encoding="utf-8")
    (packet / "grades.csv").write_text("\n".join(sheet) + "\n", encoding="utf-8")
    (packet / "README.md").write_text(
        "# 14.01SC: our quiz beside the course team's questions\n\nEach numbered folder is one MIT 14.01SC "
        "lecture: `compare.md` lists the course team's concept questions (I1, I2, ...) and then our quiz; "
        "`transcript.txt` is what was said. For each instructor question, write into `grades.csv` the numbers "
        "of our questions that test the same concept (empty: none).\n", encoding="utf-8")
    return packet


# ---------------------------------------------------------------- speech


def speakable(text: str) -> str:
    """Cue text as a speaker says it: no speaker label, no sound tags."""
    return " ".join(SOUND.sub(" ", SPEAKER.sub("", text)).split())


def write_vtt(cues: list, path: Path) -> Path:
    """Cues (start s, end s, text) as a WebVTT file (the first minutes of a lecture's captions)."""
    def clock(t: float) -> str:
        ms = int(round(t * 1000))
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("WEBVTT\n\n" + "".join(f"{clock(a)} --> {clock(b)}\n{t}\n\n" for a, b, t in cues),
                    encoding="utf-8")
    return path


def speak_lecture(cues: list, path: Path, rate: int = 22050) -> Path:
    """Speak each cue with espeak-ng, fitted into its own slot (its start to the next cue's start) by the
    speaking rate (80-450 words per minute) and cut at the slot's end, so the audio keeps the captions'
    timeline; written as Opus by ffmpeg. Raises SystemExit without espeak-ng or ffmpeg."""
    for tool in ("espeak-ng", "ffmpeg"):
        if shutil.which(tool) is None:
            raise SystemExit(f"error: --speech needs {tool} (apt-get install {tool})")
    end = cues[-1][1]
    audio = np.zeros(int((end + 1) * rate), dtype=np.int16)
    for i, (start, stop, text) in enumerate(cues):
        words = speakable(text)
        if not words:
            continue
        slot = (cues[i + 1][0] if i + 1 < len(cues) else stop) - start
        wpm = int(min(450, max(80, 60 * len(words.split()) / max(slot, 0.3) * 1.1)))
        wav = subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(wpm), "--stdout", words],
                             capture_output=True, check=True).stdout
        pcm = np.frombuffer(wav[44:], dtype=np.int16)   # espeak-ng writes a plain 44-byte RIFF header
        a = int(start * rate)
        pcm = pcm[: max(0, min(len(pcm), int(slot * rate), len(audio) - a))]
        audio[a:a + len(pcm)] = pcm
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", "-",
                    "-c:a", "libopus", "-b:a", "32k", str(path)], input=audio.tobytes(), check=True)
    return path


# ---------------------------------------------------------------- report


def fmt(v, pct: bool = False) -> str:
    if v is None:
        return "–"
    return f"{v:.0%}" if pct else (f"{v:.3f}" if isinstance(v, float) else str(v))


def table(result: dict, speech: bool = False) -> str:
    """The Markdown table of the means for docs/benchmark.md: all lectures from captions, or (``speech``) the
    spoken lectures beside the same lectures from captions, cut to the same minutes."""
    if speech:
        sets = {"captions (same lectures)": result["speech"]["captions_same_lectures"],
                "speech (espeak-ng, transcribed)": result["speech"]["means"]}
    else:
        sets = {"captions": result["means"]}
    cols = [("", name) for name in sets]
    rows = [("lectures", "lectures", False),
            ("chapters: Pk (ours)", "chapters/pk", False),
            ("chapters: Pk, no boundary", "chapters/baseline_none/pk", False),
            ("chapters: Pk, equal chapters (course's count)", "chapters/baseline_equal/pk", False),
            ("chapters: WindowDiff (ours)", "chapters/windowdiff", False),
            ("chapters: WindowDiff, no boundary", "chapters/baseline_none/windowdiff", False),
            ("chapters: WindowDiff, equal chapters", "chapters/baseline_equal/windowdiff", False),
            ("chapters: course boundaries with ours within 30 s", "chapters/hits_30s", True),
            ("chapters: ... equal chapters within 30 s", "chapters/baseline_equal/hits_30s", True),
            ("chapters: our count (mean)", "chapters/count", False),
            ("chapters: course's count (mean)", "chapters/reference_count", False),
            ("key terms: course terms in the transcript (mean)", "keyterms/in_transcript", False),
            ("key terms: share in our top 10", "keyterms/top10", True),
            ("key terms: share in our top 20", "keyterms/top20", True),
            ("key terms: share in our top 10, loose", "keyterms/top10_loose", True),
            ("key terms: share in our top 20, loose", "keyterms/top20_loose", True),
            ("quiz: questions made / asked (total)", None, False),
            ("quiz: answer is a course term", "quiz/answer_is_course_term", True),
            ("quiz: multiple choice with 3 good distractors", "quiz/mcq_3_good_distractors", True),
            ("quiz: duplicate, leaked or invalid (mean per lecture)", "quiz/duplicate_leaked_or_invalid", False),
            ("quiz: long stems (mean per lecture)", "quiz/checks/long_stems", False),
            ("quiz: half-compound blanks (mean per lecture)", "quiz/checks/half_compound_blanks", False),
            ("quiz: bad distractor sets (mean per lecture)", "quiz/checks/mcq_bad_distractors", False),
            ("quiz: wrong keys vs the reference (mean per lecture)", "quiz/checks/wrong_keys", False),
            ("quiz: true share of true/false items", "quiz/checks/true_share", True)]
    out = ["| metric (mean over lectures) | " + " | ".join(n for _, n in cols) + " |",
           "|---|" + "---:|" * len(cols)]
    for label, key, pct in rows:
        cells = []
        for _, name in cols:
            m = sets[name]
            if key is None:
                cells.append(f"{m.get('quiz/total_questions', '–')} / {m.get('quiz/total_asked', '–')}")
            else:
                cells.append(fmt(m.get(key), pct))
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def update_doc(result: dict, block: str = "table") -> None:
    """Replace one generated block of docs/benchmark.md (``BLOCKS``; the rest of the page is hand-written)."""
    start, end = BLOCKS[block]
    text = DOC.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"error: {DOC}: the markers {start} / {end} are missing")
    model = result["keyphrase_model"]
    source = model.get("source") or {}
    proc = (result.get("speech") or {}).get("processing") if block == "speech" else result.get("processing")
    cost = f"{result['seconds'] / 60:.0f} min"
    if proc and proc.get("seconds_per_lecture"):
        cost += f", {proc['seconds_per_lecture']:.0f} s of processing a lecture"
    if proc and proc.get("reused"):
        cost += f", the outputs of {proc['reused']} lecture(s) reused from an earlier run of the same settings"
    made = (f"`{result['command']}` on {result['machine']['nproc']} x {result['machine']['cpu']}, "
            f"{cost}; keyphrase checkpoint `{model['path']}`"
            + (f" (stopped after epoch {source['stopped_after_epoch']}, val/f1_at_m {source['val/f1_at_m']}: "
               f"{source.get('note', '')})" if "stopped_after_epoch" in source else "")
            + (f"; the first {result['speech']['minutes']:g} minutes of each" if block == "speech"
               and result["speech"].get("minutes") else "") + ":")
    body = table(result, speech=block == "speech")
    head, rest = text.split(start, 1)
    tmp = DOC.with_suffix(".md.tmp")
    tmp.write_text(f"{head}{start}\n{made}\n\n{body}\n{end}{rest.split(end, 1)[1]}", encoding="utf-8")
    tmp.replace(DOC)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


TEXT_KEYS = ("keyterms/terms", "keyterms/ours_top10")


def without_course_text(result: dict) -> dict:
    """``result`` less the per-lecture lists of course key terms and our matching terms (`TEXT_KEYS`)."""
    def strip(rows):
        return [{k: v for k, v in row.items() if k not in TEXT_KEYS} for row in rows]
    out = dict(result, per_lecture=strip(result.get("per_lecture", [])))
    if result.get("speech"):
        out["speech"] = dict(result["speech"], per_lecture=strip(result["speech"].get("per_lecture", [])))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", choices=["report", "tune"], default="report",
                    help="held-out courses (report, the default) or the tuning courses")
    ap.add_argument("--per-course", type=int, default=1, help="lectures drawn per course (14.01SC is one course)")
    ap.add_argument("--lectures", nargs="+", help="these lectures instead (ids or caption file names)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, help="work folder (default outputs/bench_lectures/<part>)")
    ap.add_argument("--shared", type=Path, default=SHARED,
                    help="the shared folder: data/lectures and reviews/quiz-rubric.md (default ../shared)")
    ap.add_argument("--model-path", help="keyphrase checkpoint (default: the processor's, models/best)")
    ap.add_argument("--speech", type=int, default=0, help="also speak the first N Yale lectures and transcribe them")
    ap.add_argument("--speech-minutes", type=float, help="speak only the first M minutes of each")
    ap.add_argument("--metrics", type=Path, help="numbers here (default: metrics/lectures.json for --part report)")
    args = ap.parse_args()

    global RUBRIC
    data, RUBRIC = args.shared / "data" / "lectures", args.shared / "reviews" / "quiz-rubric.md"
    if not (data / "yale" / "lectures.json").is_file():
        raise SystemExit(f"error: {data}: no yale/lectures.json (give --shared <the folder holding data/lectures>)")
    model = check_model(args.model_path)
    chosen = choose(catalogue(data, load_split()), args.part, args.per_course, args.seed, args.lectures)
    out = args.out or ROOT / "outputs" / "bench_lectures" / args.part
    t_start = time.perf_counter()
    inputs = out / "inputs"
    shutil.rmtree(inputs, ignore_errors=True)
    inputs.mkdir(parents=True)
    for item in chosen:   # copies named by id: the output folder of each is lectures/<id with __>/
        shutil.copy(item.captions, inputs / f"{file_name(item)}.vtt")
    print(f"{len(chosen)} lectures of the {args.part} part -> {out}", flush=True)
    processing = run_process(sorted(inputs.glob("*.vtt")), out / "lectures", args.model_path)

    from lecturelab.lecture.cli import compose

    quiz_cfg = compose([]).quiz
    folders = processing.pop("folders")
    done = [(item, out / "lectures" / folders.get(file_name(item), file_name(item))) for item in chosen]
    rows = [score_lecture(item, folder, quiz_cfg) for item, folder in done]
    result: dict = {"part": args.part, "lectures": [x.id for x in chosen],
                    "means": means([r for r in rows if not r.get("failed")]),
                    "means_by_collection": {c: means([r for r in rows if r["id"].startswith(c + "/")
                                                      and not r.get("failed")])
                                            for c in sorted({x.collection for x in chosen})},
                    "failed": [r["id"] for r in rows if r.get("failed")], "per_lecture": rows,
                    "processing": processing}
    packet = write_grading_packet(out, done)
    ocw_packet = write_ocw_packet(out, done)
    write_concepts_packet(out, done)
    write_titles_packet(out, done)

    if args.speech:
        spoken = [x for x in chosen if x.collection == "yale"][: args.speech]
        sin = out / "speech" / "inputs"
        shutil.rmtree(sin, ignore_errors=True)
        for item in spoken:
            speak_lecture(reference(item, args.speech_minutes)[0], sin / f"{file_name(item)}.opus")
        sprocessing = run_process(sorted(sin.glob("*.opus")), out / "speech" / "lectures", args.model_path)
        sfolders = sprocessing.pop("folders")
        srows = [score_lecture(item, out / "speech" / "lectures" / sfolders.get(file_name(item), file_name(item)),
                               quiz_cfg, args.speech_minutes) for item in spoken]
        # the same lectures from captions cut to the same minutes, processed the same way: like for like
        crows = [r for r in rows if r["id"] in {x.id for x in spoken}]
        if args.speech_minutes:
            cin = out / "speech" / "captions"
            shutil.rmtree(cin, ignore_errors=True)
            cin.mkdir(parents=True)
            for item in spoken:
                write_vtt(reference(item, args.speech_minutes)[0], cin / f"{file_name(item)}.vtt")
            cfolders = run_process(sorted(cin.glob("*.vtt")), out / "speech" / "captions_lectures",
                                   args.model_path)["folders"]
            crows = [score_lecture(item, out / "speech" / "captions_lectures" /
                                   cfolders.get(file_name(item), file_name(item)), quiz_cfg, args.speech_minutes)
                     for item in spoken]
        result["speech"] = {"lectures": [x.id for x in spoken], "minutes": args.speech_minutes,
                            "means": means(srows), "captions_same_lectures": means(crows), "per_lecture": srows,
                            "processing": sprocessing}

    cmd = "python scripts/bench_lectures.py " + " ".join(sys.argv[1:])
    result |= {"command": cmd.strip(), "seconds": round(time.perf_counter() - t_start, 1),
               "machine": {"nproc": os.cpu_count(), "cpu": cpu_model()}, "keyphrase_model": model,
               "split": "lecturelab/conf/lectures_split.yaml", "unit_seconds": UNIT_SECONDS,
               "tolerance_seconds": TOLERANCE_SECONDS}
    print(table(result))
    if result.get("speech"):
        print(table(result, speech=True))
    print(f"grading packet: {packet}" + (f"; 14.01SC packet: {ocw_packet}" if ocw_packet else ""))
    metrics = args.metrics or (ROOT / "metrics" / "lectures.json" if args.part == "report" else out / "lectures.json")
    # the course's own words (its key terms) stay in the work folder: the licence keeps them out of the project
    write_json(out / "lectures_with_terms.json", result)
    write_json(metrics, without_course_text(result))
    print(f"numbers: {metrics}")
    # committed numbers (under metrics/) of the report part get their table in the docs
    if args.part == "report" and metrics.resolve().parent == (ROOT / "metrics").resolve():
        if not args.lectures and not args.metrics:
            update_doc(result, "table")
        if result.get("speech"):
            update_doc(result, "speech")
        print(f"table: {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
