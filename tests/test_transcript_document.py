"""The lecture document package: the schema, the writer and the reader agree, and the time format."""

from __future__ import annotations

import json
import typing

import pytest

from lecturelab.errors import LectureError
from lecturelab.transcript import schema
from lecturelab.transcript.document import (
    NOT_PROCESSED,
    lecture_id,
    load_lecture,
    read_json_object,
    read_keyphrases,
    read_transcript,
    transcript_doc,
)
from lecturelab.transcript.format import clock, seconds, short_clock
from tests.quiz_fixtures import PHRASES, SENTENCES, lecture_dir


def test_transcript_json_has_the_keys_of_the_schema_in_its_order(tmp_path):
    folder = lecture_dir(tmp_path / "l")
    doc = json.loads((folder / "transcript.json").read_text())
    assert list(doc) == list(typing.get_type_hints(schema.TranscriptDoc))
    assert list(transcript_doc({}, {}, "m", "", [], [])) == list(typing.get_type_hints(schema.TranscriptDoc))
    assert doc["schema_version"] == schema.SCHEMA_VERSION
    segment_keys = set(typing.get_type_hints(schema.Segment))
    word_keys = set(typing.get_type_hints(schema.Word))
    span_keys = set(typing.get_type_hints(schema.KeyphraseSpan))
    assert doc["segments"] and all(set(s) == segment_keys for s in doc["segments"])
    assert all(set(w) <= word_keys for s in doc["segments"] for w in s["words"])
    assert doc["keyphrases"] and all(set(k) == span_keys for k in doc["keyphrases"])
    kp = json.loads((folder / "keyphrases.json").read_text())
    assert list(kp) == list(typing.get_type_hints(schema.KeyphrasesDoc))
    assert all(set(k) == set(typing.get_type_hints(schema.KeyphraseEntry)) for k in kp["keyphrases"])


def test_the_reader_reads_back_what_the_writer_wrote(tmp_path):
    lecture = load_lecture(lecture_dir(tmp_path / "l"))
    assert [s.text for s in lecture.sentences] == SENTENCES
    assert all(a.end <= b.start for a, b in zip(lecture.sentences[:-1], lecture.sentences[1:], strict=True))
    assert {k.phrase for k in lecture.keyphrases} == set(PHRASES)
    assert [k.score for k in lecture.keyphrases] == sorted((k.score for k in lecture.keyphrases), reverse=True)


def test_a_malformed_transcript_is_one_line_naming_the_file(tmp_path):
    folder = lecture_dir(tmp_path / "l")
    doc = json.loads((folder / "transcript.json").read_text())
    del doc["segments"]
    (folder / "transcript.json").write_text(json.dumps(doc))
    with pytest.raises(LectureError) as e:
        load_lecture(folder)
    assert str(e.value).startswith(f"{folder / 'transcript.json'}: missing or malformed field 'segments'")


def test_the_raw_readers_give_the_documents_as_written(tmp_path):
    folder = lecture_dir(tmp_path / "l")
    assert read_transcript(folder) == json.loads((folder / "transcript.json").read_text())
    assert read_keyphrases(folder) == json.loads((folder / "keyphrases.json").read_text())["keyphrases"]
    assert {k["phrase"] for k in read_keyphrases(folder)} == set(PHRASES)


def test_the_lecture_id_is_the_media_hash_else_the_text_hash(tmp_path):
    doc = read_transcript(lecture_dir(tmp_path / "l"))
    assert lecture_id(doc | {"source": {"sha256": "ab" * 32}}) == "ab" * 32
    text_only = lecture_id(doc | {"source": {}})
    assert len(text_only) == 64 and text_only == lecture_id(doc | {"source": None})
    assert text_only != lecture_id(doc | {"source": {}, "text": doc["text"] + " More."})
    assert load_lecture(tmp_path / "l").source_id == lecture_id(doc)


@pytest.mark.parametrize(("content", "message"), [
    (None, "not found (is this a folder written by `lecturelab process`?)"),
    (b"{not json", "cannot be read as JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
    (b'{"a": 1}\n{', "cannot be read as JSON (Extra data at line 2 column 1)"),
    ('{"caf\u00e9": 1}'.encode("latin-1"), "cannot be read as JSON (not UTF-8 text: byte 0xe9 at offset 5)"),
    (b"[1, 2]", "expected a JSON object, got list"),
])
def test_a_lecture_file_that_does_not_read_is_one_line_naming_it(tmp_path, content, message):
    folder = lecture_dir(tmp_path / "l")
    if content is None:
        (folder / "transcript.json").unlink()
    else:
        (folder / "transcript.json").write_bytes(content)
    for read in (read_transcript, load_lecture):
        with pytest.raises(LectureError) as e:
            read(folder)
        assert str(e.value) == f"{folder / 'transcript.json'}: {message}"
    with pytest.raises(ValueError) as e:   # the caller's own error type, without the folder hint
        read_json_object(folder / "transcript.json", ValueError)
    assert type(e.value) is ValueError
    assert str(e.value) == f"{folder / 'transcript.json'}: {message.removesuffix(NOT_PROCESSED)}"


def test_keyphrases_without_their_list_name_the_file(tmp_path):
    folder = lecture_dir(tmp_path / "l")
    (folder / "keyphrases.json").write_text('{"schema_version": 1}')
    with pytest.raises(LectureError, match=r"keyphrases\.json: missing or malformed field 'keyphrases'"):
        read_keyphrases(folder)


@pytest.mark.parametrize(("t", "long", "short", "secs"), [
    (0.0, "00:00:00.000", "0:00", "0"),
    (83.2, "00:01:23.200", "1:23", "83.2"),
    (4500.0, "01:15:00.000", "1:15:00", "4500"),   # a 75-minute mark keeps its hour
    (3725.456, "01:02:05.456", "1:02:05", "3725.46"),
])
def test_one_time_format(t, long, short, secs):
    assert (clock(t), short_clock(t), seconds(t)) == (long, short, secs)
    assert clock(t, ",") == long.replace(".", ",")
