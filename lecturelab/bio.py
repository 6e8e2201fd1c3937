"""The label set and the BIO file format: the core every other module shares.

A BIO file is UTF-8 ``token<TAB>tag`` lines, one document per block, blank lines between documents;
tags are ``O``, ``B-KEY`` (first word of a keyphrase) and ``I-KEY`` (a following word), as in the
BIO version of Inspec (``midas/inspec`` on the Hugging Face hub).
"""

from __future__ import annotations

from pathlib import Path

LABELS = ("O", "B-KEY", "I-KEY")
LABEL2ID = {label: i for i, label in enumerate(LABELS)}


class BioFormatError(ValueError):
    """A malformed line in a BIO file (the message names the file and line)."""


def read_bio(path: str | Path) -> tuple[list[tuple[list[str], list[str]]], int]:
    """Documents as (tokens, tags) from a UTF-8 ``token<TAB>tag`` file; blank lines separate documents.

    Returns the documents and the number of I-KEY tags that follow O (allowed, decoded as a new
    phrase, but counted so a user can spot a bad conversion). Raises `BioFormatError` with one line
    ``path:line: what is wrong`` for bytes that are not UTF-8, a missing tab, an empty token or an
    unknown tag, and `FileNotFoundError` for a missing file.
    """
    docs, dangling, _ = _read(Path(path), any_entity=False)
    return docs, dangling


def read_bio_any(path: str | Path) -> tuple[list[tuple[list[str], list[str]]], int, list[str]]:
    """Like `read_bio`, for BIO files from elsewhere (CoNLL style): ``token<TAB>tag`` or ``token tag`` lines
    (with more columns, the first is the token and the last the tag; ``-DOCSTART-`` lines are skipped),
    and any entity name: ``B-<name>`` / ``I-<name>`` become ``B-KEY`` / ``I-KEY``.

    Returns (documents, I-after-O count, the entity names seen, sorted); `entity_warning` words the one
    line to show when they are not just ``KEY``. Raises `BioFormatError` (``path:line: what is wrong``)
    and `FileNotFoundError` as `read_bio` does.
    """
    return _read(Path(path), any_entity=True)


def entity_warning(path: str | Path, names: list[str]) -> str | None:
    """One line naming the entity types that were read as KEY, or None when the file only has KEY."""
    other = [n for n in names if n != "KEY"]
    if not other:
        return None
    return f"{path}: entity tags {', '.join(f'B-{n}/I-{n}' for n in names)} read as B-KEY/I-KEY (one keyphrase class)"


def _read(path: Path, any_entity: bool):
    docs, tokens, tags, dangling, names = [], [], [], 0, set()
    # bytes, decoded line by line: a text-mode decode error names a byte offset in a buffer, not a line
    with open(path, "rb") as f:
        for n, raw in enumerate(f, start=1):
            line = _decode_line(path, n, raw.removeprefix(b"\xef\xbb\xbf") if n == 1 else raw)
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip() or (any_entity and line.startswith("-DOCSTART-")):
                if tokens:
                    docs.append((tokens, tags))
                    tokens, tags = [], []
                continue
            if any_entity:
                token, tag = _split_any(path, n, line)
                tag, name = _entity(path, n, tag)
                names.add(name)
            else:
                if "\t" not in line:
                    raise BioFormatError(f"{path}:{n}: expected 'token<TAB>tag', found no tab in {line[:60]!r}")
                token, tag = line.rsplit("\t", 1)
                tag = tag.strip()
            if not token.strip():
                raise BioFormatError(f"{path}:{n}: empty token before the tab in {line[:60]!r}")
            if tag not in LABEL2ID:
                raise BioFormatError(f"{path}:{n}: unknown tag {tag!r} (allowed: {', '.join(LABELS)})")
            if tag == "I-KEY" and (not tags or tags[-1] == "O"):
                dangling += 1
            tokens.append(token)
            tags.append(tag)
    if tokens:
        docs.append((tokens, tags))
    if not docs:
        raise BioFormatError(f"{path}: no documents found (expected 'token<TAB>tag' lines)")
    return docs, dangling, sorted(names - {None})


def _split_any(path: Path, n: int, line: str) -> tuple[str, str]:
    fields = line.split("\t") if "\t" in line else line.split()
    if len(fields) < 2:
        raise BioFormatError(f"{path}:{n}: expected 'token<TAB>tag' or 'token tag', found one field in {line[:60]!r}")
    return fields[0], fields[-1].strip()


def _entity(path: Path, n: int, tag: str) -> tuple[str, str | None]:
    """(our tag, the entity name or None for O): ``B-Gene`` -> (``B-KEY``, ``Gene``)."""
    if tag == "O":
        return tag, None
    prefix, _, name = tag.partition("-")
    if prefix not in ("B", "I") or not name:
        raise BioFormatError(f"{path}:{n}: unknown tag {tag!r} (allowed: O, B-<name>, I-<name>)")
    return f"{prefix}-KEY", name


def _decode_line(path: Path, n: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BioFormatError(
            f"{path}:{n}: byte 0x{raw[e.start]:02x} at column {e.start + 1} is not UTF-8; BIO files must be UTF-8 "
            f"(if it is Latin-1: iconv -f latin1 -t utf-8 {path.name} > {path.stem}.utf8{path.suffix})"
        ) from None
