"""Rule-based quiz on hand-made lectures: schema, selection rules, exports, bad input, the CLI."""

import json
import re
import sqlite3
import zipfile

import pytest

from lecturelab.config import CONF_DIR
from lecturelab.keyphrases import stem_key
from lecturelab.quiz import make_quiz, write_quiz
from lecturelab.quiz.cli import compose
from lecturelab.quiz.cli import main as quiz_main
from lecturelab.quiz.distractors import overlaps
from lecturelab.quiz.schema import BLANK, Settings, check_question, duplicates, leaks
from lecturelab.transcript.document import load_lecture
from tests.export_readers import read_gift
from tests.quiz_fixtures import SPECIAL, SPECIAL_PHRASES, lecture_dir, settings, small_background


@pytest.fixture(scope="module")
def background(tmp_path_factory):
    return small_background(tmp_path_factory.mktemp("bg"))


@pytest.fixture(scope="module")
def quiz(tmp_path_factory, background):
    folder = lecture_dir(tmp_path_factory.mktemp("lec") / "ml-basics")
    paths = write_quiz(folder, settings(background))
    return folder, paths, json.loads((folder / "quiz.json").read_text())


def test_quiz_has_every_type_valid_unique_and_spread(quiz):
    folder, paths, q = quiz
    assert [p.name for p in paths] == ["quiz.json", "quiz.md", "quiz.html", "quiz.gift", "quiz.apkg", "quiz.moodle.xml",
                                      "quiz.qti.zip", "quiz.aiken.txt"]
    qs = q["questions"]
    assert len(qs) == 8, q["notes"]
    # true/false needs a contrast the lecture draws (a key concept's false statement swaps in its partner)
    # or a detail sentence left over; this lecture has no contrast and its key concepts take most sentences
    assert {x["type"] for x in qs} >= {"blank", "mcq", "short"}
    assert [check_question(x) for x in qs] == [[]] * 8
    assert duplicates(qs) == [] and leaks(qs) == []
    assert len({x["id"] for x in qs}) == 8 and all(re.fullmatch(r"q[0-9a-f]{10}", x["id"]) for x in qs)
    assert [x["start"] for x in qs] == sorted(x["start"] for x in qs)
    # spread: 8 questions over 12 sentences span most of the lecture
    duration = q["lecture"]["duration"]
    assert qs[0]["start"] < 0.3 * duration and qs[-1]["start"] > 0.6 * duration
    for x in qs:
        assert x["explanation"] in load_lecture(folder).text
        assert x["link"] == f"transcript.html#t={x['start']:g}"
        if x.get("form") in ("term", "definition"):
            # a key concept asked from its definition: the sentence rewritten as a question, without the term
            assert x["stem"].endswith("?") and BLANK not in x["stem"] and x["answer"] not in x["stem"]
        elif x["type"] in ("blank", "mcq", "short"):
            # the answer is the display form: a sentence-initial capital may be undone
            filled, said = x["stem"].replace(BLANK, x["answer"]), x["explanation"]
            assert BLANK in x["stem"] and (filled.endswith(said) or filled.endswith(said[0].lower() + said[1:]))
        if x["type"] == "short":
            assert re.search(r"\bis an?\b|refers to|we call this", x["explanation"])


def test_answers_and_options_use_display_forms(quiz):
    """Keyphrases that open a sentence ("Gradient descent is ...") are shown lower-case, as in the index,
    so the right option does not stand out by its capital."""
    qs = [x for x in quiz[2]["questions"] if x["type"] != "tf"]
    at_start = [x for x in qs if x["explanation"].startswith(x["answer"][:1].upper() + x["answer"][1:])]
    assert at_start, "no question's answer opens its sentence; the check below would prove nothing"
    for x in qs:
        assert x["answer"][:1].islower(), x["answer"]
        assert all(o[:1].islower() for o in x["options"] or []), x["options"]


def test_mcq_distractors_distinct_and_not_overlapping(quiz):
    for x in [x for x in quiz[2]["questions"] if x["type"] == "mcq"]:
        keys = [stem_key(o) for o in x["options"]]
        assert len(x["options"]) == 4 and x["answer"] in x["options"]
        assert not any(overlaps(a, b) for i, a in enumerate(keys) for b in keys[i + 1:]), x["options"]


def test_embed_length_sorted_batches_keep_input_order():
    import numpy as np

    from lecturelab.models.embed import DIM, embed

    # lengths mixed so that sorting reorders them across batches of two
    texts = ["a considerably longer keyphrase with many more words", "PV", "neural network", "gradient descent", "x y"]
    together = embed(texts, batch_size=2)
    alone = np.concatenate([embed([t]) for t in texts])   # one text per batch: no padding at all
    assert together.shape == (5, DIM) and np.allclose(together, alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert embed([]).shape == (0, DIM)


def test_true_false_false_items_swap_the_keyphrase(tmp_path, background):
    folder = lecture_dir(tmp_path / "ml-basics")
    write_quiz(folder, settings(background, types=["tf"]))
    tfs = json.loads((folder / "quiz.json").read_text())["questions"]
    assert tfs and all(x["type"] == "tf" for x in tfs)
    for x in tfs:
        said = x["stem"].removeprefix("True or false: ")
        assert (said == x["explanation"]) == (x["answer"] == "True")
        if x["answer"] == "False":
            assert x["swapped_in"].lower() in said.lower() and not overlaps(stem_key(x["swapped_in"]), x["key"])


def test_same_seed_same_quiz_other_seed_other_quiz(tmp_path, background):
    folder = lecture_dir(tmp_path / "l")
    lecture = load_lecture(folder)
    cfg = settings(background, num_questions=5)
    a, b = (make_quiz(lecture, Settings.from_cfg(cfg)) for _ in range(2))
    c = make_quiz(lecture, Settings.from_cfg({**cfg, "seed": 7}))
    assert a == b
    # the seed picks the types and orders the options (the stems may be the same: each concept's best sentence)
    assert [(x["type"], x["stem"], x["options"]) for x in a["questions"]] != \
        [(x["type"], x["stem"], x["options"]) for x in c["questions"]]


def test_exports_parse_back(quiz):
    folder, _, q = quiz
    md = (folder / "quiz.md").read_text()
    key = md.split("## Answer key")[1]
    for i, x in enumerate(q["questions"], 1):
        assert f"({x['link']})" in key and f"**{i}.**" in md.split("## Answer key")[0]
    with zipfile.ZipFile(folder / "quiz.apkg") as z:
        (folder / "col.anki2").write_bytes(z.read("collection.anki2"))
    rows = sqlite3.connect(folder / "col.anki2").execute("select flds from notes").fetchall()
    fronts = sorted(r[0].split("\x1f")[0] for r in rows)
    assert len(rows) == 8 and fronts == sorted(x["stem"] for x in q["questions"])


def test_special_characters_are_escaped(tmp_path, background):
    folder = lecture_dir(tmp_path / "special", SPECIAL, SPECIAL_PHRASES)
    write_quiz(folder, settings(background, num_questions=4, types=["blank", "tf"]))
    q = json.loads((folder / "quiz.json").read_text())
    assert len(q["questions"]) >= 3, q["notes"]
    assert any("<script>" in x["stem"] for x in q["questions"])
    assert any("{" in x["stem"] for x in q["questions"])
    html = (folder / "quiz.html").read_text()
    assert "<script>window" not in html and "\\u003cscript\\u003ewindow" in html
    assert "<script>" not in (folder / "quiz.md").read_text()
    blocks = [b for b in (folder / "quiz.gift").read_text().split("\n\n") if "\n::" in "\n" + b]
    assert len(blocks) == len(q["questions"])
    for block, x in zip(blocks, q["questions"], strict=True):
        got = read_gift(block)
        assert got["name"] == x["id"] and got["feedback"].startswith(x["explanation"])
        if x["type"] == "tf":
            assert got["stem"] == x["stem"] and got["tf"] == (x["answer"] == "True")
        else:
            assert got["stem"] == x["stem"] and got["accepted"][0] == x["answer"]


def test_no_keyphrases_or_short_transcript_gives_a_note_not_a_crash(tmp_path):
    empty = lecture_dir(tmp_path / "nokp", phrases=[])
    paths = write_quiz(empty, settings(None))
    q = json.loads(paths[0].read_text())
    assert q["questions"] == [] and "no keyphrases" in q["notes"][0]
    assert "This lecture has no questions" in (empty / "quiz.html").read_text()
    short = lecture_dir(tmp_path / "short", ["Neural networks learn."], ["neural networks"])
    q = json.loads(write_quiz(short, settings(None))[0].read_text())
    assert q["questions"] == [] and "too short" in " ".join(q["notes"])


def test_too_many_questions_gives_as_many_as_possible_and_a_warning(tmp_path, caplog):
    folder = lecture_dir(tmp_path / "l")
    q = make_quiz(load_lecture(folder), Settings.from_cfg(settings(None, num_questions=40, types=["blank", "short"])))
    n = len(q["questions"])
    assert 6 <= n < 40 and all(not x.get("options") for x in q["questions"])
    assert f"asked for 40 questions; the lecture supports {n}" in q["notes"][-1]
    assert "asked for 40 questions" in caplog.text


def test_cli_regenerates_with_overrides_and_reports_errors(tmp_path, capsys):
    folder = lecture_dir(tmp_path / "l")
    assert quiz_main([str(folder), "quiz.num_questions=3", "quiz.types=[blank,short]", "quiz.seed=3"]) == 0
    q = json.loads((folder / "quiz.json").read_text())
    assert len(q["questions"]) == 3 and q["settings"] == {"num_questions": 3, "types": ["blank", "short"], "seed": 3}
    assert "3 questions (rules)" in capsys.readouterr().out
    assert quiz_main([str(tmp_path / "missing")]) == 1   # an input failed (lecturelab.errors)
    err = capsys.readouterr().err.strip()
    assert err == f"error: {tmp_path / 'missing'}: not a folder (give the output folder of `lecturelab process`)"
    (folder / "keyphrases.json").write_text("{not json")
    assert quiz_main([str(folder)]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'keyphrases.json'}: cannot be read as JSON" in err and "Traceback" not in err
    assert quiz_main([str(folder), "quiz.types=[essay]", "--verbose"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "quiz.types: unknown type ['essay']" in err
    assert quiz_main([str(folder), "quiz=none"]) == 0


def test_cli_exit_codes_follow_the_documented_rule(tmp_path, capsys):
    """0 all done, 1 the input failed (nothing written), 2 usage or config error (checked before the folder
    is read, so a bad setting on a missing folder is still 2)."""
    from lecturelab.errors import FAILED, OK, USAGE

    folder = lecture_dir(tmp_path / "l")
    assert quiz_main([str(folder), "quiz.num_questions=2"]) == OK and (folder / "quiz.json").is_file()
    assert quiz_main([str(tmp_path / "missing"), "quiz.num_questions=many"]) == USAGE
    assert "quiz.num_questions must be an integer, got 'many'" in capsys.readouterr().err
    assert quiz_main([str(tmp_path / "missing"), "quiz=nosuchgroup"]) == USAGE
    assert "nosuchgroup" in capsys.readouterr().err
    assert quiz_main([str(folder), str(tmp_path)]) == USAGE and "exactly one lecture folder" in capsys.readouterr().err
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "transcript.json").write_text('{"text": "x"}')
    assert quiz_main([str(tmp_path / "broken")]) == FAILED
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken/keyphrases.json: not found" in err[0]
    assert not (tmp_path / "broken" / "quiz.json").exists()


def test_every_quiz_config_composes_and_the_process_config_drives_write_quiz(tmp_path):
    llm = Settings.from_cfg(compose(["quiz=llm"]).quiz)
    assert (llm.name, llm.fallback, llm.types, llm.num_questions) == ("llm", "rules", ("blank", "mcq", "tf", "short"), 10)
    assert Settings.from_cfg(compose([]).quiz) == Settings()   # rules.yaml and the defaults agree
    folder = lecture_dir(tmp_path / "l")
    assert write_quiz(folder, compose(["quiz=none"]).quiz) == [] and not (folder / "quiz.json").exists()
    # the lecture processor passes its cfg.quiz (conf/process.yaml has `quiz: rules` in its defaults)
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        cfg = hydra_compose("process", ["quiz.num_questions=2", "quiz.types=[blank]", "quiz.seed=1"])
    paths = write_quiz(folder, cfg.quiz)
    assert len(json.loads(paths[0].read_text())["questions"]) == 2
