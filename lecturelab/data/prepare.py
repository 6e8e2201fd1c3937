"""Stage 1 `prepare`: raw BIO files (or the hub dataset) -> data/interim/{train,val,test}.jsonl + stats.json."""

from __future__ import annotations

import logging
from pathlib import Path

from lecturelab.bio import BioFormatError, entity_warning, read_bio, read_bio_any
from lecturelab.io import atomic_dir, write_json, write_jsonl
from lecturelab.keyphrases import gold_spans

__all__ = ["BioFormatError", "prepare", "read_bio"]
log = logging.getLogger(__name__)


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
    return docs, dangling, ["KEY"]


def load_bio(raw_dir: Path, stem: str):
    """A split of any BIO folder (``data=bio``): `lecturelab.bio.read_bio_any` (tab or space, any entity name).
    Returns (documents, I-after-O count, entity names seen)."""
    path = raw_dir / f"{stem}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: data=bio reads train.txt, valid.txt and test.txt "
                                f"from data.path={raw_dir}")
    docs, dangling, names = read_bio_any(path)
    if dangling:
        log.warning("%s: %d I- tags follow O (each starts a new keyphrase)", path, dangling)
    return docs, dangling, names


def load_built(raw_dir: Path, stem: str):
    """A split of a BIO folder that a data/dvc.yaml stage builds (``data=lectures``, ``data=inspec_lectures``).
    Returns (documents, I-after-O count, ["KEY"])."""
    path = raw_dir / f"{stem}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: it is built by `dvc repro` (data/dvc.yaml, from "
                                "paths.lectures_src = ../shared/data/lectures)")
    docs, dangling = read_bio(path)
    return docs, dangling, ["KEY"]


def load_hub(name: str, split: str):
    """The same data from the Hugging Face hub (needs network once; cached by `datasets`)."""
    from datasets import load_dataset

    ds = load_dataset(name, "extraction", split=split)
    return [(list(r["document"]), list(r["doc_bio_tags"])) for r in ds], 0, ["KEY"]


# data.source (conf/data/*.yaml) -> reader of one split, returning (documents, I-after-O count, entity
# names): the one registry of the `data` config group. `bio` reads paths.raw_dir too (conf/data/bio.yaml
# sets it to data.path), so DVC tracks the folder; so does `built` (the output of a data/dvc.yaml stage).
SOURCES = {"local": lambda cfg, stem: load_local(Path(cfg.paths.raw_dir), stem),
           "bio": lambda cfg, stem: load_bio(Path(cfg.paths.raw_dir), stem),
           "hub": lambda cfg, stem: load_hub(cfg.data.hub_name, stem),
           "built": lambda cfg, stem: load_built(Path(cfg.paths.raw_dir), stem)}


def split_stats(docs) -> dict:
    phrases = sum(len(gold_spans(tags)) for _, tags in docs)
    return {"docs": len(docs), "tokens": sum(len(t) for t, _ in docs), "keyphrases": phrases}


def prepare(cfg) -> dict:
    """Read every split, write ``{interim_dir}/{split}.jsonl`` and ``stats.json``; return the stats.

    ``interim_dir`` is replaced whole when every split is written (`lecturelab.io.atomic_dir`).
    """
    out = Path(cfg.paths.interim_dir)
    rows, dangling, names = {}, {}, set()
    if cfg.data.source not in SOURCES:
        raise ValueError(f"data.source must be one of {', '.join(SOURCES)}, got '{cfg.data.source}'")
    for split, stem in cfg.data.splits.items():
        docs, dangling[split], split_names = SOURCES[cfg.data.source](cfg, stem)
        names.update(split_names)
        if cfg.data.max_docs:
            docs = docs[: cfg.data.max_docs]
        rows[split] = [{"id": f"{split}-{i:04d}", "tokens": t, "tags": g} for i, (t, g) in enumerate(docs)]
    if warning := entity_warning(cfg.paths.raw_dir, sorted(names)):   # one line for all splits
        log.warning(warning)
    # optionally train on part of the validation split too; the rest still picks the epoch and the
    # decoding bias, and the test split is never touched
    n_move = cfg.data.val_docs_for_training or 0
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
