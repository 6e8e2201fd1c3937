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
    return docs, dangling


def _decode_line(path: Path, n: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BioFormatError(
            f"{path}:{n}: byte 0x{raw[e.start]:02x} at column {e.start + 1} is not UTF-8; BIO files must be UTF-8 "
            f"(if it is Latin-1: iconv -f latin1 -t utf-8 {path.name} > {path.stem}.utf8{path.suffix})"
        ) from None
