"""`lecturelab evaluate <checkpoint> <bio file>` on a committed fixture from another domain (biology and law
sentences tagged B-TERM / I-TERM, space-separated), with a randomly initialised tiny checkpoint."""

from __future__ import annotations

import json

import pytest

from lecturelab.bio import BioFormatError, read_bio_any
from lecturelab.cli import main as lecturelab
from tests import lecture_fixtures as fx
from tests.conftest import ROOT

OTHER = ROOT / "tests" / "fixtures" / "bio_other_domain"
tiny_checkpoint = fx.tiny_checkpoint


def test_reader_maps_any_entity_name_and_splits_on_space_or_tab(tmp_path):
    docs, dangling, names = read_bio_any(OTHER / "test.txt")
    assert len(docs) == 5 and dangling == 0 and names == ["TERM"]
    tokens, tags = docs[0]
    assert tokens[:3] == ["The", "enzyme", "kinetics"] and tags[:3] == ["O", "B-KEY", "I-KEY"]
    f = tmp_path / "mixed.conll"
    f.write_text("-DOCSTART- -X- O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nkinase\tB-Gene\n")
    docs, _, names = read_bio_any(f)
    assert docs == [(["EU", "rejects"], ["B-KEY", "O"]), (["kinase"], ["B-KEY"])] and names == ["Gene", "ORG"]


@pytest.mark.parametrize("line, message", [
    ("kinase\n", "expected 'token<TAB>tag' or 'token tag', found one field"),
    ("kinase X-Gene\n", "unknown tag 'X-Gene' (allowed: O, B-<name>, I-<name>)"),
    ("kinase B-\n", "unknown tag 'B-'"),
])
def test_reader_names_file_and_line_of_a_bad_line(tmp_path, line, message):
    f = tmp_path / "bad.txt"
    f.write_text("The O\n" + line)
    with pytest.raises(BioFormatError) as e:
        read_bio_any(f)
    assert str(e.value).startswith(f"{f}:2: {message}")


def test_evaluate_command_writes_a_sane_report(tiny_checkpoint, tmp_path, capsys):
    out = tmp_path / "reports" / "other.json"
    assert lecturelab(["evaluate", str(tiny_checkpoint), str(OTHER / "test.txt"), "--out", str(out)]) == 0
    cap = capsys.readouterr()
    # exactly one warning line naming the entity types read as keyphrases
    warnings = [ln for ln in cap.err.splitlines() if "warning" in ln]
    assert warnings == [f"evaluate: warning: {OTHER / 'test.txt'}: entity tags B-TERM/I-TERM read as "
                        "B-KEY/I-KEY (one keyphrase class)"]
    report = json.loads(out.read_text())
    assert report["docs"] == 5 and report["test/docs_with_gold"] == 5 and report["entity_types"] == ["TERM"]
    for key in ("test/f1", "test/precision", "test/recall", "test/f1_at_5", "test/f1_at_10", "test/f1_at_m",
                "test/f1_at_m_bias0", "yake/f1_at_5", "yake/f1_at_m"):
        assert 0.0 <= report[key] <= 1.0, key
    # YAKE proposes phrases on every document, so it matches some gold terms here
    assert report["yake/f1_at_m"] > 0.0
    assert 0.0 <= report["test/f1_at_m_ci95_low"] <= report["test/f1_at_m"] <= report["test/f1_at_m_ci95_high"] <= 1
    assert f"F1@M {report['test/f1_at_m']:.3f}" in cap.out and f"wrote {out}" in cap.out
    assert list(out.parent.iterdir()) == [out]   # atomic write: no temp file left beside


def test_missing_file_is_one_line_and_exit_1(tiny_checkpoint, tmp_path, capsys):
    missing = tmp_path / "nope.txt"
    assert lecturelab(["evaluate", str(tiny_checkpoint), str(missing), "--out", str(tmp_path / "r.json")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {missing}: no such file") and "\n" not in err
    assert not (tmp_path / "r.json").exists()


def test_malformed_line_is_one_line_with_file_and_line_and_exit_1(tiny_checkpoint, tmp_path, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_text("Cells O\ndivide O\n\nmitosis\n")
    assert lecturelab(["evaluate", str(tiny_checkpoint), str(bad), "--out", str(tmp_path / "r.json")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {bad}:4: expected 'token<TAB>tag' or 'token tag'") and "\n" not in err


def test_missing_checkpoint_is_one_line_and_exit_1(tmp_path, capsys):
    assert lecturelab(["evaluate", str(tmp_path / "no_model"), str(OTHER / "test.txt")]) == 1
    err = capsys.readouterr().err.strip()
    assert "no_model" in err and "does not exist" in err and "\n" not in err


def test_viterbi_decoding_option_reaches_the_report(tiny_checkpoint, tmp_path, capsys):
    out = tmp_path / "viterbi.json"
    args = ["evaluate", str(tiny_checkpoint), str(OTHER / "test.txt"), "--out", str(out), "--no-yake"]
    assert lecturelab([*args, "--decoding", "viterbi"]) == 0
    report = json.loads(out.read_text())
    assert report["decoding"] == "viterbi" and 0.0 <= report["test/f1_at_m"] <= 1.0
    assert not any(k.startswith("yake/") for k in report)
    assert lecturelab([*args, "--decoding", "beam"]) == 2   # argparse names the allowed choices
    assert "invalid choice: 'beam'" in capsys.readouterr().err
