"""The lecture keyphrase data set: term matching, windows, the split by course, the stage on a generated
lecture folder (and its one-line failure without one), the union with Inspec, and prepare reading it."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from lecturelab.bio import read_bio
from lecturelab.data.lecture_bio import (
    bio_tags,
    common_keys,
    match_terms,
    pack_windows,
    select_windows,
    tokenize,
)
from lecturelab.data.lectures import load_split
from lecturelab.data.union import union_bio
from lecturelab.keyphrases import gold_spans
from lecturelab.stages import main as stage_main
from lecturelab.stages import run_stage
from tests.conftest import compose_cfg


def test_tokenize_splits_punctuation_and_keeps_inner_hyphens():
    assert tokenize("Nash's equilibrium, the profit-sharing game.") == \
        ["Nash's", "equilibrium", ",", "the", "profit-sharing", "game", "."]


def test_match_terms_longest_first_whole_words_case_insensitive_no_overlap():
    toks = tokenize("A Nash equilibrium is an equilibrium; the equilibria of nash equilibriums differ. Equilibriumish.")
    spans = match_terms(toks, ["equilibrium", "Nash equilibrium"])
    got = [" ".join(toks[a:b]) for a, b, _ in spans]
    # plural by stem, lower case; the longer term wins where both fit; "Equilibriumish" is another word
    assert got == ["Nash equilibrium", "equilibrium", "nash equilibriums"]
    assert all(not (a1 < b2 and a2 < b1) for i, (a1, b1, _) in enumerate(spans) for a2, b2, _ in spans[i + 1:])


def test_match_terms_needs_whole_tokens():
    toks = tokenize("a profit-sharing partnership and sharing partnership")
    spans = match_terms(toks, ["sharing partnership", "profit-sharing partnership"])
    assert [(a, b) for a, b, _ in spans] == [(1, 3), (4, 6)]
    # "sharing partnership" never starts inside "profit-sharing"
    assert [(a, b) for a, b, _ in match_terms(toks[:3], ["sharing partnership"])] == []


def test_bio_tags():
    assert bio_tags(5, [(0, 2, "x"), (3, 4, "y")]) == ["B-KEY", "I-KEY", "O", "B-KEY", "O"]


def test_pack_windows_keeps_sentences_whole_and_cuts_long_ones():
    sents = [["a"] * 3, ["b"] * 3, ["c"] * 7, ["d"]]
    wins = pack_windows(sents, 6)
    assert wins == [["a"] * 3 + ["b"] * 3, ["c"] * 6, ["c", "d"]]
    assert sum(map(len, wins)) == 14
    with pytest.raises(ValueError, match="max_tokens"):
        pack_windows(sents, 0)


def _labelled(n_pos: int, n_neg: int):
    out = [([f"p{i}"], ["B-KEY"]) for i in range(n_pos)] + [([f"n{i}"], ["O"]) for i in range(n_neg)]
    random.Random(0).shuffle(out)
    return out


def test_select_windows_keeps_positives_samples_negatives_caps_and_keeps_order():
    lab = _labelled(4, 20)
    kept = select_windows(lab, 0.5, 100, random.Random(1))
    assert sum(t == ["B-KEY"] for _, t in kept) == 4 and sum(t == ["O"] for _, t in kept) == 2
    order = [lab.index(w) for w in kept]
    assert order == sorted(order)
    assert len(select_windows(lab, 0.5, 3, random.Random(1))) == 3
    assert select_windows(lab, 0.5, 100, random.Random(1)) == kept   # same seed, same windows


def test_common_keys_by_document_share():
    texts = [" a b c ", " a c ", " a ", " d "]
    assert common_keys({"a", "c", "d", "a b"}, texts, 0.3) == {"a", "c"}


# --- the stage on a generated lecture folder ---------------------------------------------------------------

SPLIT = load_split()
TRAIN_COURSE = "Financial Markets (2008) with Robert Shiller"
VAL_COURSE = "Milton with John Rogers"
TEST_COURSE = "Game Theory with Ben Polak"
FILLER = "We talked about many things last week and it was a long and winding road for all of us here"


def _vtt(sentences: list[str]) -> str:
    cues = [f"00:00:{2 * i:02d}.000 --> 00:00:{2 * i + 2:02d}.000\n{s}\n" for i, s in enumerate(sentences)]
    return "WEBVTT\n\n" + "\n".join(cues)


def make_lectures(root: Path) -> Path:
    """A lectures folder like ../shared/data/lectures/yale with one lecture per course."""
    yale = root / "yale"
    (yale / "transcripts").mkdir(parents=True)
    specs = [(TRAIN_COURSE, "Risk Pooling", ["PROFESSOR: Risk pooling is the idea of insurance.",
                                               "Insurance companies pool risk.", FILLER + "."]),
             (VAL_COURSE, "Epic Poetry", ["Epic poetry is long.", FILLER + "."]),
             (TEST_COURSE, "Nash Equilibrium", ["A Nash equilibrium is a profile of best responses.",
                                                 FILLER + ". " + FILLER + "."])]
    entries = []
    for i, (course, title, sents) in enumerate(specs):
        name = f"transcripts/c{i}.en.vtt"
        (yale / name).write_text(_vtt(sents), encoding="utf-8")
        entries.append({"course": course, "lecture": f"{i}. {title}", "file": name,
                        "chapters": [{"start": "0:00", "title": f"Chapter 1. {title}"}],
                        "description": f"{course}\n\nWe study {title.lower()} and insurance.\n\n"
                                       "00:00 - Chapter 1. x\n\nThis course was recorded in Fall 2008."})
    (yale / "lectures.json").write_text(json.dumps(entries), encoding="utf-8")
    return root


def _cfg(tmp_path: Path, src: Path, **lectures):
    over = [f"paths.lectures_src={src}", f"paths.lectures_dir={tmp_path / 'built'}",
            f'lectures.val_courses=["{VAL_COURSE}"]', "lectures.max_term_df=1.0", "lectures.negative_share=1.0"]
    return compose_cfg(over + [f"lectures.{k}={v}" for k, v in lectures.items()])


def test_stage_builds_bio_split_by_course(tmp_path):
    src = make_lectures(tmp_path / "lectures")
    stats = run_stage("lectures", _cfg(tmp_path, src, window_words=12))
    built = tmp_path / "built"
    report = [json.loads(line) for line in (built / "terms.jsonl").read_text().splitlines()]
    assert {r["course"]: r["split"] for r in report} == {TRAIN_COURSE: "train", VAL_COURSE: "val",
                                                         TEST_COURSE: "test"}
    docs = {name: read_bio(built / f"{name}.txt")[0] for name in ("train", "valid", "test")}
    phrases = {name: {" ".join(sp.words(t)).lower() for t, g in d for sp in gold_spans(g)}
               for name, d in docs.items()}
    assert {"risk pooling", "insurance"} <= phrases["train"]   # "insurance companies" holds "insurance"
    assert phrases["valid"] == {"epic poetry"} and phrases["test"] == {"nash equilibrium"}
    assert not any("professor" in " ".join(t).lower() for d in docs.values() for t, _ in d)   # speaker label
    assert all(len(t) <= 12 for d in docs.values() for t, _ in d)
    assert stats["test"]["keyphrases"] == 1 and stats["train"]["courses"] == 1


def test_stage_without_the_source_folder_is_one_line(tmp_path, capsys):
    params = tmp_path / "params.yaml"
    from omegaconf import OmegaConf

    params.write_text(OmegaConf.to_yaml(_cfg(tmp_path, tmp_path / "nowhere")))
    assert stage_main(["lectures", "--params", str(params)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(tmp_path / "nowhere") in err and not (tmp_path / "built").exists()


def test_a_validation_course_must_be_a_tune_course(tmp_path):
    src = make_lectures(tmp_path / "lectures")
    cfg = compose_cfg([f"paths.lectures_src={src}", f"paths.lectures_dir={tmp_path / 'built'}",
                       f'lectures.val_courses=["{TEST_COURSE}"]'])
    with pytest.raises(ValueError, match="not among the tune courses"):
        run_stage("lectures", cfg)
    assert TEST_COURSE in SPLIT["yale"]["report"]


def test_union_concatenates_whole_documents_and_prepare_reads_it(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for folder, word in ((a, "alpha"), (b, "beta")):
        folder.mkdir()
        for name in ("train", "valid", "test"):
            (folder / f"{name}.txt").write_text(f"{word}\tB-KEY\nx\tO\n\n{word}s\tO\n\n", encoding="utf-8")
    counts = union_bio([a, b], tmp_path / "u")
    assert counts == {"train.txt": 4, "valid.txt": 4, "test.txt": 4}
    docs, _ = read_bio(tmp_path / "u" / "train.txt")
    assert [d[0] for d in docs] == [["alpha", "x"], ["alphas"], ["beta", "x"], ["betas"]]
    cfg = compose_cfg(["data=inspec_lectures", f"paths.inspec_lectures_dir={tmp_path / 'u'}",
                       f"paths.interim_dir={tmp_path / 'interim'}"])
    stats = run_stage("prepare", cfg)
    assert stats["test"]["docs"] == 4 and stats["train"]["keyphrases"] == 2
    with pytest.raises(FileNotFoundError, match="dvc repro"):
        run_stage("prepare", compose_cfg(["data=lectures", f"paths.lectures_dir={tmp_path / 'none'}",
                                          f"paths.interim_dir={tmp_path / 'interim2'}"]))
    with pytest.raises(FileNotFoundError, match=str(tmp_path / "none")):
        union_bio([a, tmp_path / "none"], tmp_path / "u2")
