"""The lecture processor under faults a user meets: name clashes in a batch, odd file names, a missing
checkpoint, bad config, full disks, failed quizzes and Ctrl-C. Real Whisper tiny.en on short generated
audio, a tiny random checkpoint; nothing is lost, nothing half-written, one line each."""

from __future__ import annotations

import errno
import json
import os
import shutil

import numpy as np
import pytest

from lecturelab import cli as main_cli
from lecturelab.lecture import pipeline
from lecturelab.lecture.pipeline import OUTPUT_FILES
from lecturelab.quiz.export import QUIZ_ALWAYS
from tests import lecture_fixtures as fx
from tests.lecture_fixtures import SAMPLE, compose_process, tone, write_media
from tests.test_lecture_media import sine, write_tracks

tiny_checkpoint, lecture_env = fx.tiny_checkpoint, fx.lecture_env
pytestmark = pytest.mark.slow


def run(args, capsys, command="process"):
    capsys.readouterr()
    code = main_cli.main([command, *args])
    out, err = capsys.readouterr()
    return code, out, err


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def leftovers(folder):
    """Hidden temp files or folders anywhere below ``folder``."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*"))


@pytest.fixture
def env(lecture_env, tmp_path):
    out = tmp_path / "out"
    return out, [o for o in lecture_env["overrides"] if not o.startswith("output_dir=")] + [f"output_dir={out}"]


def test_same_file_name_in_two_folders_gets_two_stable_folders(env, tmp_path, capsys):
    out, overrides = env
    for week, seconds in (("weekA", 1.0), ("weekB", 2.0)):
        (tmp_path / week).mkdir()
        write_media(tmp_path / week / "lecture.wav", np.zeros(int(seconds * 16000), np.float32))
    code, stdout, err = run([str(tmp_path / "weekA"), str(tmp_path / "weekB"), *overrides], capsys)
    assert code == 0, err
    folders = sorted(p.name for p in out.iterdir())
    assert len(folders) == 2 and folders[0] == "lecture" and folders[1].startswith("lecture-")
    durations = {json.loads((out / f / "transcript.json").read_text())["source"]["duration"] for f in folders}
    assert durations == {1.0, 2.0}   # neither lecture overwrote the other
    # each file comes back to its own folder, alone or in another order
    for week in ("weekB", "weekA"):
        code, stdout, _ = run([str(tmp_path / week / "lecture.wav"), *overrides], capsys)
        assert code == 0 and "already done" in stdout
    assert sorted(p.name for p in out.iterdir()) == folders


ODD = ["week1=intro,part2.wav", "it's \"quoted\" & (draft).wav", "über vorlesung.wav"]


def test_odd_file_names_work_in_every_command(env, tmp_path, capsys):
    out, overrides = env
    for name in ODD:
        write_media(tmp_path / name, np.zeros(16000, np.float32))
    code, stdout, err = run([str(tmp_path / n) for n in ODD] + overrides, capsys)
    assert code == 0, err
    for name in ODD:
        folder = out / name[:-4]
        assert all((folder / f).is_file() for f in OUTPUT_FILES), name
        code, stdout, err = run([str(folder)], capsys, command="quiz")
        assert code == 0 and "questions" in stdout, err
        assert (folder / "quiz.json").is_file()



def test_names_that_are_not_utf8_or_near_the_length_limit_are_processed(env, tmp_path, capsys):
    """Bytes that are not UTF-8 (old zip archives, Windows shares) and 242-251-byte names (the hidden temp
    folder adds bytes) are processed: text shows U+FFFD, the folder gets the path hash and a fitting length."""
    out, overrides = env
    base = os.fsencode(tmp_path)
    latin1 = os.fsdecode(base + "caf\xe9 lecture.wav".encode("latin-1").replace(b"caf", b"/caf"))
    longest = os.fsdecode(base + b"/" + "é".encode() * 123 + b"x.wav")    # 251 bytes
    (tmp_path / os.fsdecode(b"dossier \xe9t\xe9")).mkdir()
    in_bad_folder = os.fsdecode(base + b"/dossier \xe9t\xe9/talk.wav")
    for p in (latin1, longest, in_bad_folder):
        write_media(p, np.zeros(16000, np.float32))
    code, stdout, err = run([latin1, longest, in_bad_folder, *overrides], capsys)
    assert code == 0, err
    folders = sorted(p.name for p in out.iterdir())
    assert len(folders) == 3 and "talk" in folders
    for name in folders:
        assert name.encode("utf-8") and len(name.encode()) <= 255 - 14   # valid text, room for the temp name
        doc = json.loads((out / name / "transcript.json").read_bytes().decode("utf-8"))
        assert all((out / name / f).is_file() for f in OUTPUT_FILES)
        assert doc["source"]["name"] in (out / name / "transcript.html").read_text(encoding="utf-8")
    bad = next(f for f in folders if f.startswith("caf"))
    assert bad.startswith("caf\ufffd lecture-") and len(bad) == len("caf\ufffd lecture-") + 8
    assert json.loads((out / bad / "transcript.json").read_text())["source"]["name"] == "caf\ufffd lecture.wav"
    assert "caf\ufffd lecture.wav -> " in stdout
    assert json.loads((out / "talk" / "transcript.json").read_text())["source"]["path"].endswith(
        "dossier \ufffdt\ufffd/talk.wav")
    # each comes back to its own folder
    code, stdout, err = run([latin1, longest, in_bad_folder, *overrides], capsys)
    assert code == 0 and stdout.count("already done") == 3, err
    assert sorted(p.name for p in out.iterdir()) == folders
    assert leftovers(out) == []
    code, stdout, err = run([str(out / bad)], capsys, command="quiz")
    assert code == 0 and (out / bad / "quiz.json").is_file(), err


def test_folder_names_fit_and_are_text():
    real = "/x/" + "a" * 250 + ".wav"
    assert pipeline.folder_name("lecture", "/x/lecture.wav", hashed=False) == "lecture"
    hashed = pipeline.folder_name("lecture", "/x/lecture.wav", hashed=True)
    assert hashed.startswith("lecture-") and hashed != pipeline.folder_name("lecture", "/y/lecture.wav", hashed=True)
    long = pipeline.folder_name("a" * 250, real, hashed=False)
    assert len(long.encode()) == 255 - 14 and long.endswith(pipeline.folder_name("a", real, hashed=True)[1:])
    assert pipeline.folder_name("a" * 241, "/x/y", hashed=False) == "a" * 241   # fits: unchanged
    cut = pipeline.folder_name("\u00e9" * 200, "/x/y", hashed=False)
    assert len(cut.encode()) <= 255 - 14 and cut.encode().decode() == cut     # cut between characters
    two = {pipeline.folder_name(os.fsdecode(b"caf" + bytes([b])), os.fsdecode(b"/caf" + bytes([b])), hashed=False)
           for b in (0xE9, 0xE8)}
    assert len(two) == 2 and all(n.startswith("caf\ufffd-") for n in two)

def test_missing_path_that_looks_like_an_override_is_no_such_file(env, capsys):
    _, overrides = env
    code, _, err = run(["x=y.mp4", *overrides], capsys)
    assert code == 1 and errors(err) == ["error: x=y.mp4: no such file"]
    code, _, err = run(["nope=folder"], capsys, command="quiz")
    assert code == 1 and "nope=folder" in err and "override" not in err   # a missing input, like process


def test_missing_checkpoint_is_found_before_any_transcription(env, tmp_path, capsys, monkeypatch):
    _, overrides = env
    monkeypatch.setattr(pipeline, "cached_transcribe", lambda *a, **k: pytest.fail("transcribed"))
    audio = write_media(tmp_path / "a.wav", np.zeros(16000, np.float32))
    code, _, err = run([str(audio), *overrides, f"model_path={tmp_path / 'no-model'}"], capsys)
    assert code == 2
    assert errors(err) == [f"error: keyphrase checkpoint {tmp_path / 'no-model'} does not exist: train one "
                           "with `make run` (dvc repro), or set model_path=<a run's best/ folder>"]


@pytest.mark.parametrize("override,key", [
    ("transcriber.chunk_seconds=0", "transcriber.chunk_seconds=0"),
    ("transcriber.beam_size=-1", "transcriber.beam_size=-1"),
    ("media=sometimes", "media='sometimes'"),
    ("quiz.types=[mcq,essay]", "quiz.types"),
    ("transcriber.audio_track=0", "transcriber.audio_track=0"),
    ("subtitles.max_line_chars=0", "subtitles.max_line_chars=0"),
    ("transcriber.name=whisperx", "transcriber.name=whisperx: use faster_whisper"),
    ("quiz.name=chatbot", "quiz.name must be rules or llm"),
])
def test_bad_config_is_one_line_before_any_transcription(env, tmp_path, capsys, monkeypatch, override, key):
    _, overrides = env
    monkeypatch.setattr(pipeline, "cached_transcribe", lambda *a, **k: pytest.fail("transcribed"))
    audio = write_media(tmp_path / "a.wav", np.zeros(16000, np.float32))
    overrides = [o for o in overrides if o != "quiz=none"] if override.startswith("quiz") else overrides
    code, _, err = run([str(audio), *overrides, override], capsys)
    assert code == 2 and len(errors(err)) == 1 and key in errors(err)[0] and "Traceback" not in err


def test_a_compute_type_the_device_cannot_run_is_refused_up_front():
    """CTranslate2 raises at model load for a type the device lacks (float16 on a CPU); the config check
    names the key and what the device runs instead, and every type the device runs passes."""
    import ctranslate2

    from lecturelab.lecture.settings import check_process

    with pytest.raises(ValueError, match=r"transcriber.compute_type='float16': the device runs auto, .*float32"):
        check_process(compose_process(["transcriber.device=cpu", "transcriber.compute_type=float16"]))
    for kind in ctranslate2.get_supported_compute_types("cpu"):
        check_process(compose_process(["transcriber.device=cpu", f"transcriber.compute_type={kind}"]))


def test_cache_folder_that_cannot_be_written_is_found_first(env, tmp_path, capsys, monkeypatch):
    _, overrides = env
    monkeypatch.setattr(pipeline, "cached_transcribe", lambda *a, **k: pytest.fail("transcribed"))
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    audio = write_media(tmp_path / "a.wav", np.zeros(16000, np.float32))
    code, _, err = run([str(audio), *overrides, f"cache_dir={blocker}/cache"], capsys)
    assert code == 2 and errors(err)[0].startswith(f"error: cache_dir={blocker}/cache: cannot write there")


def test_caches_default_to_the_user_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("LECTURELAB_CACHE_DIR", str(tmp_path / "c"))
    cfg = compose_process(["quiz=rules"])
    assert cfg.cache_dir == str(tmp_path / "c" / "transcripts")
    assert cfg.quiz.cache_dir == str(tmp_path / "c" / "quiz")


def test_a_failed_quiz_leaves_nothing_and_is_redone_next_time(env, tmp_path, capsys, monkeypatch):
    out, overrides = env
    overrides = [o for o in overrides if o != "quiz=none"]
    audio = write_media(tmp_path / "talk.wav", np.zeros(16000, np.float32))

    def disk_full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", "quiz.apkg")

    import lecturelab.lecture.pipeline as pipeline

    monkeypatch.setattr(pipeline, "write_quiz", disk_full)
    code, _, err = run([str(audio), *overrides], capsys)
    assert code == 1 and "No space left on device" in errors(err)[0] and "1 of 1 lecture(s) failed" in err
    assert not out.exists() or list(out.iterdir()) == []
    monkeypatch.undo()
    code, stdout, err = run([str(audio), *overrides], capsys)
    assert code == 0 and "already done" not in stdout, err
    assert all((out / "talk" / f).is_file() for f in OUTPUT_FILES + QUIZ_ALWAYS)
    assert leftovers(out) == []


def test_disk_full_while_copying_the_media_leaves_no_temp_file(env, tmp_path, capsys, monkeypatch):
    out, overrides = env
    audio = write_media(tmp_path / "talk.wav", np.zeros(16000, np.float32))

    def partial_copy(src, dst, *a, **k):
        with open(dst, "wb") as f:
            f.write(b"\0" * 1000)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", partial_copy)
    code, _, err = run([str(audio), *overrides, "media=copy"], capsys)
    assert code == 1 and "No space left on device" in errors(err)[0]
    assert leftovers(out) == [] and list(out.iterdir()) == []


def test_ctrl_c_is_one_line_and_keeps_finished_lectures(env, tmp_path, capsys, monkeypatch):
    out, overrides = env
    first = write_media(tmp_path / "first.wav", np.zeros(16000, np.float32))
    second = write_media(tmp_path / "second.wav", np.zeros(16000, np.float32))
    real = pipeline.process_lecture

    def interrupt_second(path, *a, **k):
        if path.name == "second.wav":
            raise KeyboardInterrupt
        return real(path, *a, **k)

    monkeypatch.setattr(pipeline, "process_lecture", interrupt_second)
    code, _, err = run([str(first), str(second), *overrides], capsys)
    assert code == 130 and "Traceback" not in err
    assert [line for line in err.splitlines() if line.strip()] == [
        "interrupted: 1 of 2 lecture(s) finished and kept; the one in progress left no output"]
    assert sorted(p.name for p in out.iterdir()) == ["first"]


def test_two_audio_tracks_choice_is_printed_and_can_be_overridden(env, tmp_path, capsys):
    out, overrides = env
    path = write_tracks(tmp_path / "talk.mkv", [(sine(1.0, 300), "spa", "Interpreter", True),
                                                (sine(2.0, 900), "eng", "Lecture", False)], video_seconds=2.0)
    code, _, err = run([str(path), *overrides], capsys)
    assert code == 0, err
    doc = json.loads((out / "talk" / "transcript.json").read_text())
    assert doc["source"]["audio_track"]["number"] == 2 and doc["source"]["audio_track"]["language"] == "eng"
    assert "transcribed audio track 2 ('Lecture', eng" in err and "transcriber.audio_track=N" in doc["notes"][0]
    code, _, err = run([str(path), *overrides, "transcriber.audio_track=1"], capsys)
    assert code == 0, err
    doc = json.loads((out / "talk" / "transcript.json").read_text())
    assert doc["source"]["audio_track"]["number"] == 1 and "chosen by transcriber.audio_track" in doc["notes"][0]


def test_damaged_file_is_transcribed_with_a_warning_in_the_notes(env, tmp_path, capsys):
    out, overrides = env
    from tests.test_lecture_media import decode, write_faststart_mp4

    y, _ = decode(SAMPLE)
    data = write_faststart_mp4(tmp_path / "clean.mp4", y[: 20 * 16000]).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    code, _, err = run([str(cut), *overrides], capsys)
    assert code == 0, err
    doc = json.loads((out / "cut" / "transcript.json").read_text())
    assert any("file ends early" in n for n in doc["notes"]) and "warning: cut.mp4: file ends early" in err
    assert doc["text"] and doc["segments"][-1]["end"] <= doc["source"]["duration"]
    assert doc["source"]["lost"] and doc["source"]["lost"][0][0] < 14.0
    assert "file ends early" in (out / "cut" / "transcript.html").read_text()


def test_music_is_not_speech(env, tmp_path, capsys):
    out, overrides = env
    path = write_media(tmp_path / "music.flac", tone(3.0))
    code, _, err = run([str(path), *overrides], capsys)
    assert code == 0 and json.loads((out / "music" / "transcript.json").read_text())["notes"] == ["no speech detected"]


def test_estimated_duration_of_joined_mp3_is_replaced_by_the_decoded_length(env, tmp_path, capsys):
    out, overrides = env
    a = write_media(tmp_path / "a.mp3", sine(3.0, 400))
    b = write_media(tmp_path / "b.mp3", sine(4.0, 900))
    joined = tmp_path / "joined.mp3"
    joined.write_bytes(a.read_bytes() + b.read_bytes())
    from lecturelab.media.probe import probe

    assert probe(joined).duration_estimated
    code, _, err = run([str(joined), *overrides], capsys)
    assert code == 0, err
    doc = json.loads((out / "joined" / "transcript.json").read_text())
    assert abs(doc["source"]["duration"] - 7.0) < 0.3
