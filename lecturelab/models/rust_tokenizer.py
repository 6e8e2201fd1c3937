"""The word-piece tokenizer of a saved model folder, run by the Rust `tokenizers` library alone (inference).

`lecturelab process` tokenizes for the ONNX keyphrase tagger and the MiniLM sentence embedder. Loading the
same files through ``transformers.AutoTokenizer`` imports transformers first: seconds of CPU, spent while
Whisper needs both cores.
Training keeps transformers' tokenizer (`lecturelab.tokenizer`), which also saves it with the checkpoint.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

SPECIALS = ("cls_token", "sep_token", "pad_token")


class RustTokenizer:
    """A BERT-family fast tokenizer saved by transformers' ``save_pretrained`` (``tokenizer.json`` plus
    ``tokenizer_config.json`` or ``special_tokens_map.json``), giving the same word pieces as
    ``AutoTokenizer`` on that folder (tests/test_tokenizer.py).

    Scope: ``tokenizer.json`` holds the normaliser, pre-tokeniser and template that transformers would use;
    settings only in ``tokenizer_config.json`` (e.g. a RoBERTa ``add_prefix_space``) are not applied. A
    truncation or padding saved in ``tokenizer.json`` (MiniLM's: 128 tokens, fixed) is switched off, as
    transformers does unless asked. ``cls_token_id``, ``sep_token_id``, ``pad_token_id``: vocabulary ids.
    Raises FileNotFoundError naming the folder when ``tokenizer.json`` is missing, ValueError naming the
    folder and the token when a [CLS]/[SEP]/[PAD] token is not declared or not in the vocabulary.
    """

    def __init__(self, folder: str | Path):
        from tokenizers import Tokenizer  # deferred: imported only when a lecture is tagged

        folder = Path(folder)
        if not (folder / "tokenizer.json").is_file():
            raise FileNotFoundError(f"{folder}: no tokenizer.json (a fast tokenizer saved by transformers)")
        self.backend = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.backend.no_truncation()
        self.backend.no_padding()
        declared: dict = {}
        for name in ("special_tokens_map.json", "tokenizer_config.json"):   # the config wins, as in transformers
            if (folder / name).is_file():
                declared |= {k: v for k, v in json.loads((folder / name).read_text(encoding="utf-8")).items()
                             if k in SPECIALS and v is not None}
        ids = {}
        for key in SPECIALS:
            token = declared.get(key)
            token = token.get("content") if isinstance(token, dict) else token
            ids[key] = self.backend.token_to_id(token) if token else None
            if ids[key] is None:
                raise ValueError(f"{folder}: {key} {token!r} is not declared in tokenizer_config.json or "
                                 "special_tokens_map.json, or not in the vocabulary")
        self.cls_token_id, self.sep_token_id, self.pad_token_id = (ids[k] for k in SPECIALS)
        self._cut: dict[int, object] = {}
        self._lock = threading.Lock()

    def word_pieces(self, words: list[str]) -> tuple[list[int], list[int]]:
        """(piece ids, word index of each piece) of a pre-split document, no special tokens."""
        enc = self.backend.encode(words, is_pretokenized=True, add_special_tokens=False)
        return list(enc.ids), [int(w) for w in enc.word_ids]

    def encode_batch(self, texts: list[str], max_length: int) -> tuple[np.ndarray, np.ndarray]:
        """(input_ids, attention_mask), both int32 [len(texts), longest], of ``texts`` with [CLS]/[SEP],
        each cut at ``max_length`` pieces ([CLS] and [SEP] included) and padded on the right to the longest."""
        encs = self._batcher(max_length).encode_batch(list(texts))
        if not encs:
            return np.zeros((0, 0), np.int32), np.zeros((0, 0), np.int32)
        return (np.array([e.ids for e in encs], np.int32), np.array([e.attention_mask for e in encs], np.int32))

    def _batcher(self, max_length: int):
        """A copy of the tokenizer that truncates at ``max_length`` and pads to the longest: one per length,
        made once, so that threads encoding at once never change each other's settings."""
        with self._lock:
            if max_length not in self._cut:
                from tokenizers import Tokenizer

                cut = Tokenizer.from_str(self.backend.to_str())
                cut.enable_truncation(max_length)
                cut.enable_padding(pad_id=self.pad_token_id, pad_token=self.backend.id_to_token(self.pad_token_id))
                self._cut[max_length] = cut
            return self._cut[max_length]
