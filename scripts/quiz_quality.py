"""Quiz quality numbers: on processed lectures and on Inspec test abstracts treated as lecture text.

    python scripts/quiz_quality.py                      # outputs/lectures/*/ (or the sample text) + 5 abstracts
    python scripts/quiz_quality.py outputs/lectures/lecture/ --abstracts 5 --num-questions 10
    python scripts/quiz_quality.py --speech-dev --keyphrases yake    # real recordings (issue 14)
    python scripts/quiz_quality.py --speech-dev --keyphrases model   # ... with models/best's keyphrases
    python scripts/quiz_quality.py --speech-dev --keyphrases model+yake  # ... then YAKE's other phrases
    python scripts/quiz_quality.py --speech-dev --keyphrases model --transcriber-model base  # Whisper base

``--speech-dev [DIR]`` (default ../shared/data/speech-dev) transcribes each English clip of the manifest with
the process config's transcriber (tiny.en; cached like ``lecturelab process``), writes a lecture folder per
clip under ``--work``/speech-dev-<keyphrases>/ with YAKE's keyphrases of the machine transcript or the
trained tagger's (``--keyphrases model``, needs models/best; ``model+yake``: the tagger's phrases first, then
YAKE's others, to see whether more candidate answers give more good questions), makes its quiz (quiz.md there is what a
grader reads) and prints the automatic checks of `lecturelab.quiz.checks` against the reference transcript:
all counts must be 0 and the true share of true/false items at most 50 %.

For each set it prints: questions made / asked; the share whose answer (the tested keyphrase, also for
true/false) is a gold keyphrase; the share of multiple-choice items with 3 distinct, non-overlapping
distractors; and the count of duplicate, leaked-answer or schema-invalid items (must be 0).

Abstracts are quizzed twice: with the gold keyphrases as the lecture's keyphrases (the answer-is-gold
share is then 100% by construction for the rule-based generator), and with YAKE keyphrases standing in
for a keyphrase model (then it measures how often the quiz tests a real keyphrase). A processed lecture
has no gold list unless ``--gold FILE`` (one phrase per line) is given; then its own keyphrases count.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lecturelab import LABEL2ID  # noqa: E402
from lecturelab.bio import read_bio  # noqa: E402
from lecturelab.keyphrases import spans_from_tags, stem_key  # noqa: E402
from lecturelab.lecture.textlecture import detokenize, write_lecture, write_lecture_from_bio  # noqa: E402
from lecturelab.quiz.cli import compose  # noqa: E402
from lecturelab.quiz.distractors import overlaps  # noqa: E402
from lecturelab.quiz.make import write_quiz  # noqa: E402
from lecturelab.quiz.schema import check_question, duplicates, leaks  # noqa: E402
from lecturelab.transcript.document import load_lecture  # noqa: E402
from lecturelab.transcript.sentences import find_key  # noqa: E402


def yake_spans(text: str, top: int = 15) -> list[tuple[int, int]]:
    import yake

    phrases = [k for k, _ in yake.KeywordExtractor(lan="en", n=3, top=top).extract_keywords(text)]
    return [s for p in phrases for s in find_key(text, stem_key(p))]


def inspec_file() -> Path:
    for cand in (ROOT / "data/raw/inspec/test.txt", ROOT.parent / "shared/data/inspec/test.txt"):
        if cand.is_file():
            return cand
    raise SystemExit("Inspec test.txt not found under data/raw/inspec or ../shared/data/inspec")


def score(quizzes: list[tuple[dict, set[str]]]) -> dict:
    """Numbers over a set of (quiz, gold keys) pairs."""
    qs = [(q, gold) for quiz, gold in quizzes for q in quiz["questions"]]
    mcq = [q for q, _ in qs if q["type"] == "mcq"]

    def mcq_ok(q):
        keys = [stem_key(o) for o in q["options"]]
        return len(q["options"]) == 4 and not any(overlaps(a, b) for i, a in enumerate(keys) for b in keys[i + 1:])

    bad = sum(len(duplicates(quiz["questions"])) + len(leaks(quiz["questions"])) +
              sum(bool(check_question(q)) for q in quiz["questions"]) for quiz, _ in quizzes)
    types = {}
    for q, _ in qs:
        types[q["type"]] = types.get(q["type"], 0) + 1
    return {"lectures": len(quizzes), "questions": len(qs), "asked": sum(z["settings"]["num_questions"] for z, _ in quizzes),
            "answer_is_gold": round(sum(q["key"] in gold for q, gold in qs) / max(len(qs), 1), 3),
            "mcq": len(mcq), "mcq_3_good_distractors": round(sum(map(mcq_ok, mcq)) / max(len(mcq), 1), 3),
            "duplicate_leaked_or_invalid": bad, "types": types}


def speech_dev(root: Path, work: Path, keyphrases: str, cfg, overrides: list[str] | None = None) -> list[dict]:
    """Quizzes of the English speech-dev clips: per clip the checks, duration and quiz folder."""
    from lecturelab.io import sha256_file
    from lecturelab.lecture.cli import compose as compose_process
    from lecturelab.lecture.textlecture import write_lecture_from_segments, yake_phrases
    from lecturelab.lecture.transcribe import cached_transcribe
    from lecturelab.media.probe import probe
    from lecturelab.quiz.checks import quiz_checks
    from lecturelab.quiz.schema import Settings
    from lecturelab.transcript.sentences import resegment

    pcfg = compose_process(overrides or [])   # e.g. transcriber.model=base
    tagger = None
    if keyphrases in ("model", "model+yake"):
        best = ROOT / "models" / "best"
        if not (best / "lecturelab.json").is_file():
            raise SystemExit(f"--keyphrases model: no trained checkpoint at {best} (train one, or use yake)")
        from lecturelab.models.tagger import KeyphraseTagger

        tagger = KeyphraseTagger.load(best)
    rows = []
    for line in (root / "manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        name, audio, ref, lang = line.split("\t")[:4]
        if lang != "en":
            continue
        path = root / audio
        duration = probe(path).duration
        heard, _ = cached_transcribe(path, sha256_file(path), pcfg.transcriber, [], pcfg.cache_dir, duration,
                                     progress=False)
        # a transcript dict ({segments, language, ...}) since the real-speech transcriber, a list before
        segs = resegment(heard["segments"] if isinstance(heard, dict) else heard, "en")
        folder = work / f"speech-dev-{keyphrases}{'-' + Path(str(pcfg.transcriber.model)).name if overrides else ''}" / name
        if tagger is not None:
            write_lecture_from_segments(folder, segs, tagger=tagger, name=name, duration=duration)
            if keyphrases == "model+yake":   # the tagger's phrases first, then YAKE's others
                kp = json.loads((folder / "keyphrases.json").read_text(encoding="utf-8"))["keyphrases"]
                model = [k["phrase"] for k in kp]
                text = " ".join(s["text"] for s in segs)
                seen = {m.lower() for m in model}
                extra = [p for p in yake_phrases(text) if p.lower() not in seen]
                write_lecture_from_segments(folder, segs, phrases=model + extra, name=name, duration=duration)
        else:
            text = " ".join(s["text"] for s in segs)
            write_lecture_from_segments(folder, segs, phrases=yake_phrases(text), name=name, duration=duration)
        write_quiz(folder, cfg)
        quiz = json.loads((folder / "quiz.json").read_text(encoding="utf-8"))
        checks = quiz_checks(quiz, load_lecture(folder), Settings.from_cfg(cfg),
                             (root / ref).read_text(encoding="utf-8"))
        rows.append({"name": name, "minutes": duration / 60, "asked": quiz["settings"]["num_questions"],
                     "sentences": len(load_lecture(folder).sentences), "folder": str(folder), **checks})
    return rows


def print_speech_dev(rows: list[dict], keyphrases: str, transcriber: str = "the config's") -> bool:
    """Print the per-clip checks and totals; True when every check passes."""
    cols = ["questions", "unsure_keys", "unsure_stems", "long_stems", "filler_stems", "half_compound_blanks",
            "mcq_bad_distractors", "false_not_false", "multiword_keys_without_head", "wrong_keys"]
    print(f"speech-dev (English clips, {transcriber} transcripts, {keyphrases} keyphrases)")
    print(f"{'clip':<18} {'min':>5} {'sent':>4} " + " ".join(f"{c[:12]:>12}" for c in cols) + f" {'true share':>10}")
    for r in rows:
        print(f"{r['name']:<18} {r['minutes']:>5.2f} {r['sentences']:>4} " + " ".join(f"{r[c]:>12}" for c in cols)
              + f" {r['true_share']:>10.0%}")
    tot = {c: sum(r[c] for r in rows) for c in cols}
    minutes = sum(r["minutes"] for r in rows)
    connected = [r for r in rows if r["sentences"] > 1]
    tf = sum(r["tf"] for r in rows)
    trues = sum(round(r["true_share"] * r["tf"]) for r in rows)
    print(f"{'total':<18} {minutes:>5.2f} {'':>4} " + " ".join(f"{tot[c]:>12}" for c in cols)
          + f" {trues / max(tf, 1):>10.0%}")
    print(f"questions {tot['questions']} of {sum(r['asked'] for r in rows)} asked; "
          f"{tot['questions'] / max(minutes, 1e-9):.1f} per minute; connected talks "
          f"({sum(r['minutes'] for r in connected):.2f} min): {sum(r['questions'] for r in connected)} questions; "
          f"quizzes in {Path(rows[0]['folder']).parent if rows else '-'}")
    return all(tot[c] == 0 for c in cols[1:]) and trues <= tf / 2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lectures", nargs="*", type=Path, help="processed lecture folders (default: outputs/lectures/*/)")
    ap.add_argument("--gold", type=Path, help="gold keyphrases of the lecture(s), one per line")
    ap.add_argument("--abstracts", type=int, default=5, help="first N Inspec test abstracts")
    ap.add_argument("--num-questions", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--work", type=Path, default=ROOT / "outputs/quiz_quality", help="where abstract lectures go")
    ap.add_argument("--json", type=Path, help="also write the numbers here")
    ap.add_argument("--speech-dev", nargs="?", type=Path, const=ROOT.parent / "shared/data/speech-dev",
                    help="quiz the English clips of this speech-dev folder instead (default ../shared/data/speech-dev)")
    ap.add_argument("--keyphrases", choices=["yake", "model", "model+yake"], default="yake",
                    help="speech-dev keyphrases: YAKE on the transcript, or the trained tagger in models/best")
    ap.add_argument("--transcriber-model", help="speech-dev: transcriber.model instead of the config's (e.g. base)")
    args = ap.parse_args()
    cfg = compose([f"quiz.num_questions={args.num_questions}", f"quiz.seed={args.seed}"]).quiz
    results = {}
    if args.speech_dev:
        rows = speech_dev(args.speech_dev, args.work, args.keyphrases, cfg,
                          [f"transcriber.model={args.transcriber_model}"] if args.transcriber_model else None)
        ok = print_speech_dev(rows, args.keyphrases, args.transcriber_model or "the config's (tiny.en)")
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2) + "\n")
        return 0 if ok else 1

    lectures = args.lectures or sorted(p.parent for p in (ROOT / "outputs/lectures").glob("*/transcript.json"))
    label = "processed lectures"
    if not lectures and (ROOT / "data/samples/lecture.txt").is_file():
        # no processed lecture yet (needs models/best): the sample's script text with YAKE keyphrases
        text = " ".join((ROOT / "data/samples/lecture.txt").read_text(encoding="utf-8").split())
        lectures = [write_lecture(args.work / "sample-text-yake", text, yake_spans(text), name="sample lecture text")]
        label = "sample lecture text (YAKE keyphrases)"
    if lectures:
        gold_file = {stem_key(x) for x in args.gold.read_text().splitlines() if x.strip()} if args.gold else None
        pairs = []
        for folder in lectures:
            write_quiz(folder, cfg)
            gold = gold_file or {k.key for k in load_lecture(folder).keyphrases}
            pairs.append((json.loads((folder / "quiz.json").read_text()), gold))
        results[label + ("" if gold_file else " [answer vs own keyphrases]")] = score(pairs)

    docs = read_bio(inspec_file())[0][: args.abstracts]
    modes = ["gold", "yake"]
    best = ROOT / "models" / "best"
    if (best / "lecturelab.json").is_file():  # the trained tagger's own keyphrases, the realistic case
        from lecturelab.keyphrases import tags_from_probs
        from lecturelab.models.tagger import KeyphraseTagger

        tagger = KeyphraseTagger.load(best)
        predicted = [tags_from_probs(p, tagger.o_bias) for p in tagger.word_probs([t for t, _ in docs])]
        modes.append("model")
    for mode in modes:
        pairs = []
        for i, (toks, tags) in enumerate(docs):
            folder = args.work / f"inspec-test-{i}-{mode}"
            if mode == "gold":
                write_lecture_from_bio(folder, toks, tags, name=f"Inspec test {i}")
            elif mode == "model":
                write_lecture_from_bio(folder, toks, predicted[i], name=f"Inspec test {i}")
            else:
                keep = [j for j, t in enumerate(toks) if t != "<P>"]
                text, _ = detokenize([toks[j] for j in keep])
                write_lecture(folder, text, yake_spans(text), name=f"Inspec test {i}")
            write_quiz(folder, cfg)
            ids = [LABEL2ID[t] for t in tags]
            gold = {stem_key(s.words(toks)) for s in spans_from_tags(ids)}
            pairs.append((json.loads((folder / "quiz.json").read_text()), gold))
        results[f"{len(docs)} Inspec test abstracts, {mode} keyphrases"] = score(pairs)

    print(f"quiz=rules num_questions={args.num_questions} seed={args.seed}")
    print(f"{'set':<58} {'made/asked':>10} {'ans=gold':>8} {'mcq ok':>10} {'dup/leak':>8}")
    for name, r in results.items():
        print(f"{name:<58} {r['questions']:>4}/{r['asked']:<5} {r['answer_is_gold']:>8.1%} "
              f"{r['mcq_3_good_distractors']:>6.1%} ({r['mcq']:>2}) {r['duplicate_leaked_or_invalid']:>8}")
        print(f"{'':<58} types: {r['types']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(r["duplicate_leaked_or_invalid"] == 0 for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
