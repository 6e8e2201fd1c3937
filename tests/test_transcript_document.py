"""The lecture document package: the schema, the writer and the reader agree, and the time format."""

from __future__ import annotations

import json
import typing

import pytest

from lecturelab.errors import LectureError
from lecturelab.transcript import schema
from lecturelab.transcript.document import load_lecture, transcript_doc
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


@pytest.mark.parametrize(("t", "long", "short", "secs"), [
    (0.0, "00:00:00.000", "0:00", "0"),
    (83.2, "00:01:23.200", "1:23", "83.2"),
    (4500.0, "01:15:00.000", "1:15:00", "4500"),   # a 75-minute mark keeps its hour
    (3725.456, "01:02:05.456", "1:02:05", "3725.46"),
])
def test_one_time_format(t, long, short, secs):
    assert (clock(t), short_clock(t), seconds(t)) == (long, short, secs)
    assert clock(t, ",") == long.replace(".", ",")
