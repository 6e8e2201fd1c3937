"""Stage 1 on good and bad input."""

import json
import logging

import pytest

from lecturelab.data.prepare import BioFormatError, prepare, read_bio
from lecturelab.io import read_jsonl
from tests.conftest import ROOT, compose_cfg


def test_prepare_writes_splits_and_stats(fast_cfg):
    stats = prepare(fast_cfg)
    interim = fast_cfg.paths.interim_dir
    rows = read_jsonl(f"{interim}/train.jsonl")
    assert len(rows) == stats["train"]["docs"] == 24
    assert all(len(r["tokens"]) == len(r["tags"]) for r in rows)
    on_disk = json.loads(open(f"{interim}/stats.json").read())
    assert on_disk == stats and stats["val"]["keyphrases"] > 0


def test_missing_tab_names_file_and_line(tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("Neural\tB-KEY\nnetworks I-KEY\n")
    with pytest.raises(BioFormatError, match=r"bad.txt:2: .*no tab"):
        read_bio(f)


def test_unknown_tag_names_file_and_line(tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("a\tO\n\nb\tB-PER\n")
    with pytest.raises(BioFormatError, match=r"bad.txt:3: unknown tag 'B-PER'"):
        read_bio(f)


def test_i_after_o_is_counted_not_fatal(tmp_path):
    f = tmp_path / "ok.txt"
    f.write_text("a\tO\nb\tI-KEY\nc\tI-KEY\n\nd\tI-KEY\n")
    docs, dangling = read_bio(f)
    assert len(docs) == 2 and dangling == 2


def test_missing_raw_dir_says_how_to_get_data(fast_cfg, tmp_path):
    fast_cfg.paths.raw_dir = str(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="make data.*data.source=hub"):
        prepare(fast_cfg)


def test_bad_file_leaves_earlier_outputs_intact(fast_cfg, raw_copy):
    fast_cfg.paths.raw_dir = str(raw_copy)
    prepare(fast_cfg)
    before = open(f"{fast_cfg.paths.interim_dir}/train.jsonl").read()
    (raw_copy / "train.txt").write_text("broken line without tab\n")
    with pytest.raises(BioFormatError):
        prepare(fast_cfg)
    assert open(f"{fast_cfg.paths.interim_dir}/train.jsonl").read() == before


def test_val_docs_for_training_moves_documents_and_keeps_test(fast_cfg):
    base = prepare(fast_cfg)
    fast_cfg.data.val_docs_for_training = 3
    moved = prepare(fast_cfg)
    assert moved["train"]["docs"] == base["train"]["docs"] + 3
    assert moved["val"]["docs"] == base["val"]["docs"] - 3
    assert moved["test"] == base["test"]
    ids = [r["id"] for r in read_jsonl(f"{fast_cfg.paths.interim_dir}/train.jsonl")]
    assert ids[-3:] == ["val-0000", "val-0001", "val-0002"]


def test_val_docs_for_training_must_leave_validation(fast_cfg):
    fast_cfg.data.val_docs_for_training = 8
    with pytest.raises(ValueError, match="leaves no validation"):
        prepare(fast_cfg)


def test_latin1_file_names_line_and_encoding_fix(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Neural\tB-KEY\nnetworks\tI-KEY\n\nthé\tO\norie\tO\n".encode("latin-1"))
    with pytest.raises(BioFormatError) as e:
        read_bio(f)
    msg = str(e.value)
    assert msg.startswith(f"{f}:4: byte 0xe9 at column 3 is not UTF-8") and "iconv -f latin1" in msg
    assert "\n" not in msg


def test_utf8_bom_and_crlf_are_read(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes("\ufeffthé\tB-KEY\r\nory\tI-KEY\r\n".encode())
    docs, _ = read_bio(f)
    assert docs == [(["thé", "ory"], ["B-KEY", "I-KEY"])]


def test_empty_token_and_empty_file_name_the_file(tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("a\tO\n\tB-KEY\n")
    with pytest.raises(BioFormatError, match=r"bad.txt:2: empty token"):
        read_bio(f)
    f.write_text("\n\n")
    with pytest.raises(BioFormatError, match=r"bad.txt: no documents found"):
        read_bio(f)


def test_bad_jsonl_line_names_file_and_line(tmp_path):
    f = tmp_path / "train.jsonl"
    f.write_text('{"id": 1}\n\n{"id": 2,\n')
    with pytest.raises(ValueError, match=r"train.jsonl:3: not JSON \(.* at column \d+\)$"):
        read_jsonl(f)
    f.write_bytes(b'{"id": 1}\n{"t": "th\xe9"}\n')
    with pytest.raises(ValueError, match=r"train.jsonl:2: byte 0xe9 at column 10 is not UTF-8"):
        read_jsonl(f)
    f.write_text('{"id": 1}\n\n{"id": 2}\n')
    assert read_jsonl(f) == [{"id": 1}, {"id": 2}]


OTHER = ROOT / "tests" / "fixtures" / "bio_other_domain"


def test_data_bio_prepares_any_bio_folder_with_one_warning(tmp_path, caplog):
    """data=bio data.path=<folder>: CoNLL-style files with another entity name, read as B-KEY/I-KEY."""
    from lecturelab.stages import run_stage

    cfg = compose_cfg(["debug=fast", "data=bio", f"data.path={OTHER}", "data.max_docs=null",
                       f"paths.interim_dir={tmp_path}/interim"])
    assert cfg.paths.raw_dir == str(OTHER)   # the folder is the prepare stage's DVC dependency too
    with caplog.at_level(logging.WARNING, logger="lecturelab.data.prepare"):
        stats = run_stage("prepare", cfg)
    assert {s: stats[s]["docs"] for s in ("train", "val", "test")} == {"train": 4, "val": 2, "test": 5}
    assert stats["test"]["keyphrases"] == 18   # 4 + 4 + 3 + 3 + 4 bracketed terms
    warnings = [r.getMessage() for r in caplog.records if "entity tags" in r.getMessage()]
    assert warnings == [f"{OTHER}: entity tags B-TERM/I-TERM read as B-KEY/I-KEY (one keyphrase class)"]
    rows = read_jsonl(tmp_path / "interim" / "test.jsonl")
    assert rows[0]["tokens"][:3] == ["The", "enzyme", "kinetics"] and rows[0]["tags"][:3] == ["O", "B-KEY", "I-KEY"]


def test_data_bio_without_a_path_names_the_key(tmp_path):
    from lecturelab.config import ConfigError, validate

    cfg = compose_cfg(["data=bio", f"paths.interim_dir={tmp_path}/interim"])
    with pytest.raises(ConfigError, match=r"data\.path"):
        validate(cfg, "prepare")
    cfg = compose_cfg(["data=bio", f"data.path={tmp_path}", f"paths.interim_dir={tmp_path}/interim"])
    from lecturelab.data.prepare import prepare

    with pytest.raises(FileNotFoundError, match=r"train.txt not found: data=bio reads train.txt, valid.txt"):
        prepare(cfg)
