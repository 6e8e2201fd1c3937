"""What other systems store stays unique across lectures and stable across exports: the lecture id, question
ids (Moodle question names), the Moodle category, Anki deck ids and names and note guids."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from lecturelab.quiz import write_quiz
from tests.export_readers import read_gift
from tests.quiz_fixtures import SENTENCES, lecture_dir, settings, small_background


@pytest.fixture(scope="module")
def background(tmp_path_factory):
    return small_background(tmp_path_factory.mktemp("bg"))


def exported(folder: Path) -> dict:
    """The identities in a lecture folder's quiz.json, quiz.gift and quiz.apkg."""
    quiz = json.loads((folder / "quiz.json").read_text())
    gift = (folder / "quiz.gift").read_text()
    names = [read_gift(b)["name"] for b in gift.split("\n\n") if "\n::" in "\n" + b]
    with zipfile.ZipFile(folder / "quiz.apkg") as z:
        (folder / "col.anki2").write_bytes(z.read("collection.anki2"))
    con = sqlite3.connect(folder / "col.anki2")
    guids = dict(con.execute("select sfld, guid from notes").fetchall())   # sort field = the question text
    decks = {int(k): d["name"] for k, d in json.loads(con.execute("select decks from col").fetchone()[0]).items()
             if d["name"] != "Default"}
    con.close()
    return {"quiz": quiz, "ids": [q["id"] for q in quiz["questions"]], "gift_names": names,
            "category": re.findall(r"^\$CATEGORY: (.+)$", gift, re.M), "guids": guids, "decks": decks}


def test_two_lectures_with_one_file_name_share_no_identity(tmp_path, background):
    other = [SENTENCES[0].replace("machine learning", "deep learning")] + SENTENCES[1:]
    a = lecture_dir(tmp_path / "course-a" / "lecture01", SENTENCES)
    b = lecture_dir(tmp_path / "course-b" / "lecture01", other)
    # same transcript text, other media (a re-recording): the media's sha256 tells them apart
    c = lecture_dir(tmp_path / "course-c" / "lecture01", SENTENCES)
    for folder, sha in ((a, "a" * 64), (c, "c" * 64)):
        doc = json.loads((folder / "transcript.json").read_text())
        doc["source"]["sha256"] = sha
        (folder / "transcript.json").write_text(json.dumps(doc))
    got = []
    for folder in (a, b, c):
        write_quiz(folder, settings(background, num_questions=6))
        got.append(exported(folder))
    assert {g["quiz"]["lecture"]["name"] for g in got} == {"lecture01"}
    assert [g["quiz"]["lecture"]["id"][:1] for g in (got[0], got[2])] == ["a", "c"]
    assert len({g["quiz"]["lecture"]["id"] for g in got}) == 3
    for g in got:
        assert len(g["ids"]) == 6 and len(set(g["ids"])) == 6 and g["gift_names"] == g["ids"]
        assert all(re.fullmatch(r"q[0-9a-f]{10}", i) for i in g["ids"])
        assert len(g["guids"]) == 6 and len(g["decks"]) == 1 and len(g["category"]) == 1
    for i, x in enumerate(got):
        for y in got[i + 1:]:
            assert not set(x["ids"]) & set(y["ids"])
            assert not set(x["guids"].values()) & set(y["guids"].values())
            assert not set(x["decks"]) & set(y["decks"]) and not set(x["decks"].values()) & set(y["decks"].values())
            assert x["category"] != y["category"]


def test_ids_stay_when_exported_again_or_regenerated_with_fewer_questions(tmp_path, background):
    folder = lecture_dir(tmp_path / "lecture01")
    cfg = settings(background, num_questions=8, types=["mcq", "tf"])
    write_quiz(folder, cfg)
    first = exported(folder)
    write_quiz(folder, cfg)
    again = exported(folder)
    assert again["ids"] == first["ids"] and again["guids"] == first["guids"] and again["decks"] == first["decks"]
    write_quiz(folder, {**cfg, "num_questions": 6})
    fewer = exported(folder)
    assert len(fewer["ids"]) == 6 and fewer["decks"] == first["decks"]

    def same(q):
        return q["type"], q["key"], q["sentence"], q["answer"]

    big = {same(q): q["id"] for q in first["quiz"]["questions"]}
    kept = [q for q in fewer["quiz"]["questions"] if same(q) in big]
    assert len(kept) >= 3, "regenerating with fewer questions should keep most of the same questions"
    for q in kept:
        assert q["id"] == big[same(q)]
    # numbering by position (q1, q2 ...) would have renamed a kept question that moved up
    moved = [q for i, q in enumerate(fewer["quiz"]["questions"]) if same(q) in big and first["ids"].index(q["id"]) != i]
    assert moved, "no kept question changed position; the test no longer tells content ids from numbering"
    # and the Anki notes of the kept questions keep their guids, so a re-import updates them in place
    kept_stems = {q["stem"] for q in kept}
    assert {s: g for s, g in fewer["guids"].items() if s in kept_stems} == \
        {s: g for s, g in first["guids"].items() if s in kept_stems}
    # a question that is new in the small quiz has an id the big quiz never used for another question
    for q in fewer["quiz"]["questions"]:
        if same(q) not in big:
            assert q["id"] not in big.values()
