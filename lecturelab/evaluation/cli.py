"""`lecturelab evaluate <checkpoint> <bio file>`: any checkpoint on any BIO file, scored as the `evaluate`
stage scores the test split (seqeval entity P/R/F1, F1@5/@10/@M with a bootstrap 95 % interval of F1@M,
YAKE beside it), written to a JSON report.

    lecturelab evaluate models/best data/other/test.txt
    lecturelab evaluate outputs/runs/2026-12-01/10-00-00/best corpus.conll --out report.json --no-yake

The BIO file is CoNLL style: ``token<TAB>tag`` or ``token tag`` lines, a blank line between documents;
any entity name counts as a keyphrase (``B-Gene`` / ``I-Gene`` are read as ``B-KEY`` / ``I-KEY``, with one
warning line naming the types).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from lecturelab.bio import entity_warning, read_bio_any
from lecturelab.command import run_command
from lecturelab.console import quiet_libraries
from lecturelab.errors import EXIT_CODES, OK
from lecturelab.evaluation.evaluate import score_documents
from lecturelab.io import write_json
from lecturelab.models.tagger import KeyphraseTagger, check_checkpoint


def default_out(bio: Path) -> Path:
    """``outputs/evaluate/<bio file stem>.json`` (beside the other run outputs, never beside the data)."""
    return Path("outputs") / "evaluate" / f"{bio.stem}.json"


def load_rows(bio: Path) -> tuple[list[dict], int, list[str]]:
    """The documents of a BIO file as interim rows (``id``, ``tokens``, ``tags``), the I-after-O count and the
    entity names seen. Raises FileNotFoundError / `BioFormatError` with one line naming the file (and line)."""
    if not bio.is_file():
        raise FileNotFoundError(f"{bio}: no such file (expected a BIO file: 'token<TAB>tag' lines, "
                                "a blank line between documents)")
    docs, dangling, names = read_bio_any(bio)
    rows = [{"id": f"{bio.stem}-{i:04d}", "tokens": t, "tags": g} for i, (t, g) in enumerate(docs)]
    return rows, dangling, names


def headline(report: dict) -> str:
    """The numbers a user reads first, two lines."""
    m = report
    yake = f"   YAKE F1@M {m['yake/f1_at_m']:.3f}" if "yake/f1_at_m" in m else ""
    return (f"{m['file']}: {m['docs']} documents, checkpoint {m['checkpoint']} (o_bias {m['o_bias']})\n"
            f"entity F1 {m['test/f1']:.3f} (P {m['test/precision']:.3f} / R {m['test/recall']:.3f})   "
            f"F1@5 {m['test/f1_at_5']:.3f}   F1@10 {m['test/f1_at_10']:.3f}   F1@M {m['test/f1_at_m']:.3f} "
            f"[95% CI {m['test/f1_at_m_ci95_low']:.3f}-{m['test/f1_at_m_ci95_high']:.3f}]{yake}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="lecturelab evaluate", description=__doc__, epilog=EXIT_CODES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", type=Path, help="a checkpoint folder (models/best, a run's best/)")
    p.add_argument("bio", type=Path, help="a BIO file: token<TAB or space>tag lines, blank line between documents")
    p.add_argument("--out", type=Path, help="JSON report (default outputs/evaluate/<bio file stem>.json)")
    p.add_argument("--no-yake", action="store_true", help="skip the YAKE baseline")
    p.add_argument("--yake-top", type=int, default=20, help="keyphrases YAKE proposes per document (default 20)")
    p.add_argument("--decoding", choices=("greedy", "viterbi"), default=None,
                   help="greedy: per-word arg-max; viterbi: valid BIO only (default: the checkpoint's, the one "
                        "its O-bias was tuned with)")
    p.add_argument("-v", "--verbose", action="store_true", help="tracebacks and library logs")
    args = p.parse_args(argv)
    quiet_libraries(args.verbose)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    return run_command("lecturelab evaluate", lambda: evaluate_files(args), args.verbose)


def evaluate_files(args: argparse.Namespace) -> int:
    """Check the checkpoint and the BIO file (before TensorFlow loads), score, write the report, print the
    headline."""
    meta = check_checkpoint(args.checkpoint)
    rows, dangling, names = load_rows(args.bio)
    if warning := entity_warning(args.bio, names):
        print(f"evaluate: warning: {warning}", file=sys.stderr)
    if dangling:
        print(f"evaluate: warning: {args.bio}: {dangling} I- tags follow O (each starts a new keyphrase)",
              file=sys.stderr)
    out = args.out or default_out(args.bio)
    tagger = KeyphraseTagger.load(args.checkpoint)
    metrics, _, seconds = score_documents(tagger, rows, (5, 10), None if args.no_yake else args.yake_top,
                                          decoding=args.decoding or tagger.decoding)
    report = {"file": str(args.bio), "checkpoint": str(args.checkpoint), "docs": len(rows),
              "entity_types": names, "i_after_o": dangling, "model": meta.get("model"),
              "o_bias": tagger.o_bias, "best_epoch": meta.get("best_epoch"), "decoding": args.decoding or tagger.decoding,
              **metrics,
              "predict_seconds": round(seconds, 2)}
    write_json(out, report)
    print(headline(report))
    print(f"wrote {out}")
    return OK


if __name__ == "__main__":
    sys.exit(main())
