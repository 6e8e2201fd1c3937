"""Stage 1 `prepare`: raw BIO files (or the hub dataset) -> data/interim/{train,val,test}.jsonl + stats.json."""

from __future__ import annotations

import logging
from pathlib import Path

from lecturelab import LABELS
from lecturelab.io import atomic_dir, write_json, write_jsonl
from lecturelab.keyphrases import spans_from_tags

log = logging.getLogger(__name__)
TAG2ID = {t: i for i, t in enumerate(LABELS)}


class BioFormatError(ValueError):
    """A malformed line in a BIO file (the message names the file and line)."""


def read_bio(path: str | Path) -> tuple[list[tuple[list[str], list[str]]], int]:
    """Documents as (tokens, tags) from a UTF-8 ``token<TAB>tag`` file; blank lines separate documents.

    Returns the documents and the number of I-KEY tags that follow O (allowed, decoded as a new
    phrase, but counted so a user can spot a bad conversion). Raises `BioFormatError` with one line
    ``path:line: what is wrong`` for bytes that are not UTF-8, a missing tab, an empty token or an
    unknown tag, and `FileNotFoundError` for a missing file.
    """
    path = Path(path)
    docs, tokens, tags, dangling = [], [], [], 0
    # bytes, decoded line by line: a text-mode decode error names a byte offset in a buffer, not a line
    with open(path, "rb") as f:
        for n, raw in enumerate(f, start=1):
            line = _decode_line(path, n, raw.removeprefix(b"\xef\xbb\xbf") if n == 1 else raw)
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                if tokens:
                    docs.append((tokens, tags))
                    tokens, tags = [], []
                continue
            if "\t" not in line:
                raise BioFormatError(f"{path}:{n}: expected 'token<TAB>tag', found no tab in {line[:60]!r}")
            token, tag = line.rsplit("\t", 1)
            tag = tag.strip()
            if not token.strip():
                raise BioFormatError(f"{path}:{n}: empty token before the tab in {line[:60]!r}")
            if tag not in TAG2ID:
                raise BioFormatError(f"{path}:{n}: unknown tag {tag!r} (allowed: {', '.join(LABELS)})")
            if tag == "I-KEY" and (not tags or tags[-1] == "O"):
                dangling += 1
            tokens.append(token)
            tags.append(tag)
    if tokens:
        docs.append((tokens, tags))
    if not docs:
        raise BioFormatError(f"{path}: no documents found (expected 'token<TAB>tag' lines)")
    return docs, dangling


def _decode_line(path: Path, n: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BioFormatError(
            f"{path}:{n}: byte 0x{raw[e.start]:02x} at column {e.start + 1} is not UTF-8; BIO files must be UTF-8 "
            f"(if it is Latin-1: iconv -f latin1 -t utf-8 {path.name} > {path.stem}.utf8{path.suffix})"
        ) from None


def load_local(raw_dir: Path, stem: str):
    path = raw_dir / f"{stem}.txt"
    if not raw_dir.is_dir() or not path.is_file():
        raise FileNotFoundError(
            f"{path} not found. Get the Inspec data with `make data` (copies ../shared/data/inspec into "
            f"{raw_dir}) or set data.source=hub to download `midas/inspec` with the datasets library."
        )
    docs, dangling = read_bio(path)
    if dangling:
        log.warning("%s: %d I-KEY tags follow O (each starts a new keyphrase)", path, dangling)
    return docs, dangling


def load_hub(name: str, split: str):
    """The same data from the Hugging Face hub (needs network once; cached by `datasets`)."""
    from datasets import load_dataset

    ds = load_dataset(name, "extraction", split=split)
    return [(list(r["document"]), list(r["doc_bio_tags"])) for r in ds], 0


def split_stats(docs) -> dict:
    phrases = sum(len(spans_from_tags([TAG2ID[t] for t in tags])) for _, tags in docs)
    return {"docs": len(docs), "tokens": sum(len(t) for t, _ in docs), "keyphrases": phrases}


def prepare(cfg) -> dict:
    """Read every split, write ``{interim_dir}/{split}.jsonl`` and ``stats.json``; return the stats.

    ``interim_dir`` is replaced whole when every split is written (`lecturelab.io.atomic_dir`).
    """
    out = Path(cfg.paths.interim_dir)
    rows, dangling = {}, {}
    for split, stem in cfg.data.splits.items():
        if cfg.data.source == "local":
            docs, dangling[split] = load_local(Path(cfg.paths.raw_dir), stem)
        elif cfg.data.source == "hub":
            docs, dangling[split] = load_hub(cfg.data.hub_name, stem)
        else:
            raise ValueError(f"data.source must be 'local' or 'hub', got '{cfg.data.source}'")
        if cfg.data.max_docs:
            docs = docs[: cfg.data.max_docs]
        rows[split] = [{"id": f"{split}-{i:04d}", "tokens": t, "tags": g} for i, (t, g) in enumerate(docs)]
    # optionally train on part of the validation split too; the rest still picks the epoch and the
    # decoding bias, and the test split is never touched
    n_move = cfg.data.get("val_docs_for_training") or 0
    if n_move:
        if n_move >= len(rows["val"]):
            raise ValueError(f"data.val_docs_for_training={n_move} leaves no validation documents "
                             f"(the val split has {len(rows['val'])})")
        rows["train"] = rows["train"] + rows["val"][:n_move]
        rows["val"] = rows["val"][n_move:]
    stats = {}
    with atomic_dir(out) as tmp:  # all splits or none: an interrupted run leaves the last finished one
        for split, split_rows in rows.items():
            write_jsonl(tmp / f"{split}.jsonl", split_rows)
            stats[split] = {**split_stats([(r["tokens"], r["tags"]) for r in split_rows]),
                            "i_after_o": dangling[split]}
            log.info("prepare %s: %s", split, stats[split])
        write_json(tmp / "stats.json", stats)
    return stats
