"""Lecture batches on Dask (`lecturelab.lecture.dask_batch`): a LocalCluster of 2 worker processes gives
the same files as the serial run, reports a bad file in one line, loads the models once per worker and
skips finished lectures on a rerun. Real Whisper tiny.en on short clips of the sample lecture, the tiny
random checkpoint."""

from __future__ import annotations

import json

import numpy as np
import pytest
from distributed import Client, LocalCluster

from lecturelab import cli as main_cli
from lecturelab.lecture.dask_batch import check_executor, loaded_models
from lecturelab.lecture.pipeline import OUTPUT_FILES
from tests import lecture_fixtures as fx
from tests.lecture_fixtures import SAMPLE, SR, compose_process, write_media
from tests.test_lecture_media import decode

tiny_checkpoint, lecture_env = fx.tiny_checkpoint, fx.lecture_env


def run(args, capsys):
    capsys.readouterr()
    code = main_cli.main(["process", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def batch(tmp_path, tiny_checkpoint):
    """A folder of 3 short speech clips (cut from the sample lecture) and one file that is not media."""
    folder = tmp_path / "course"
    folder.mkdir()
    y, _ = decode(SAMPLE)
    for i, start in enumerate((0.0, 8.0, 16.0)):
        write_media(folder / f"clip{i}.wav", y[int(start * SR):int((start + 6.0) * SR)])
    (folder / "broken.mp4").write_bytes(b"this is not a media file" * 40)
    return folder


def overrides(tmp_path, ckpt, name: str) -> list[str]:
    # own output and transcript cache per run, so both runs really transcribe
    return [f"model_path={ckpt}", f"output_dir={tmp_path / name}", f"cache_dir={tmp_path / ('cache-' + name)}",
            "quiz=none", "progress=false", "keyphrases.o_bias=1.0"]


@pytest.mark.slow
def test_dask_batch_matches_the_serial_run_byte_for_byte(batch, tmp_path, tiny_checkpoint, capsys):
    code, out, err = run([str(batch), *overrides(tmp_path, tiny_checkpoint, "serial")], capsys)
    assert code == 1, err
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        dask_args = [str(batch), *overrides(tmp_path, tiny_checkpoint, "dask"), "executor=dask",
                     f"executor.address={cluster.scheduler_address}"]
        code, out, err = run(dask_args, capsys)
        # each worker that ran a lecture built its models once (3 lectures, at most 2 model sets)
        per_worker = client.run(loaded_models)
        assert sorted(per_worker.values())[-1] == 1 and sum(per_worker.values()) <= 2, per_worker

        # the bad file: one line naming it; the three clips are done
        assert code == 1
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "broken.mp4" in errors[0], err
        assert sorted(line.split(" -> ")[0] for line in out.splitlines()) == \
            [str(batch / f"clip{i}.wav") for i in range(3)]
        for i in range(3):
            for name in OUTPUT_FILES:
                serial = (tmp_path / "serial" / f"clip{i}" / name).read_bytes()
                assert (tmp_path / "dask" / f"clip{i}" / name).read_bytes() == serial, f"clip{i}/{name}"
        doc = json.loads((tmp_path / "dask" / "clip0" / "transcript.json").read_text())
        assert doc["text"] and doc["source"]["name"] == "clip0.wav"
        assert not (tmp_path / "dask" / "broken").exists()
        assert not [p for p in (tmp_path / "dask").iterdir() if p.name.startswith(".")], "temp folders left"

        # a rerun skips the finished lectures, on the cluster too
        code, out, err = run(dask_args, capsys)
        assert code == 1 and out.count("already done") == 3, out


def test_bad_executor_key_is_one_line_and_exit_2(tmp_path, tiny_checkpoint, capsys):
    audio = write_media(tmp_path / "a.wav", np.zeros(SR, np.float32))
    code, out, err = run([str(audio), *overrides(tmp_path, tiny_checkpoint, "o"), "executor=dask",
                          "executor.n_workers=0"], capsys)
    assert code == 2 and err.strip() == "error: executor.n_workers=0: an integer >= 1", err
    assert not (tmp_path / "o" / "a").exists()


@pytest.mark.parametrize("key, value, allowed", [
    ("address", "localhost", "a scheduler address such as tcp://host:8786"),
    ("memory_limit", "lots", 'a size such as "4GiB"'),
    ("retries", -1, "an integer >= 0"),
])
def test_check_executor_names_the_key(key, value, allowed):
    ex = compose_process(["executor=dask", f"executor.{key}={value}"]).executor
    with pytest.raises(ValueError, match=f"^executor.{key}=") as e:
        check_executor(ex)
    assert allowed in str(e.value)


@pytest.mark.slow
def test_executor_dask_without_an_address_starts_its_own_local_cluster(batch, tmp_path, tiny_checkpoint, capsys):
    (batch / "broken.mp4").unlink()
    for i in (1, 2):
        (batch / f"clip{i}.wav").unlink()
    args = [str(batch), *overrides(tmp_path, tiny_checkpoint, "local"), "executor=dask", "executor.n_workers=1",
            "executor.memory_limit=3GiB"]
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f"{batch / 'clip0.wav'} -> ")
    assert all((tmp_path / "local" / "clip0" / name).is_file() for name in OUTPUT_FILES)
