"""Build the token-classification model and its tokenizer from a `model/` config.

Three sources:
- ``package``: weights shipped in a pip package (the offline default, all-MiniLM-L6-v2). The file is a
  PyTorch ``model.safetensors``; transformers 4.x TF classes can only read it through torch, so we
  build the TF model from its config and copy the tensors in ourselves (no torch needed).
- ``parts``: the same kind of folder from a zip split over several pip packages (all-mpnet-base-v2,
  `lecturelab.splitzip`: joined, checked against the pinned sha256, extracted once into the user cache),
  loaded the same way into the TF class of its config (``TFMPNetForTokenClassification``).
- ``hub``: a Hugging Face hub name, loaded with ``from_pretrained`` (online users).
- ``config``: a randomly initialised BERT built from the inline config (tests, ``debug=fast``).
"""

from __future__ import annotations

from pathlib import Path

from lecturelab.bio import LABEL2ID, LABELS
from lecturelab.console import import_tensorflow
from lecturelab.tokenizer import load_tokenizer, package_model_dir, parts_model_dir

__all__ = ["BUILDERS", "build_model", "load_safetensors_into_tf", "load_tokenizer", "package_model_dir"]

ID2LABEL = dict(enumerate(LABELS))


def _label_kwargs(dropout: float | None) -> dict:
    kw = dict(num_labels=len(LABELS), id2label=ID2LABEL, label2id=dict(LABEL2ID))
    if dropout is not None:
        kw["hidden_dropout_prob"] = dropout
    return kw


def load_safetensors_into_tf(tf_model, weights: Path) -> dict:
    """Copy a PyTorch-layout safetensors file into a built TF model without torch.

    Returns transformers' loading info (missing / unexpected keys) so callers can check it.
    """
    from safetensors import safe_open
    from transformers.modeling_tf_pytorch_utils import load_pytorch_state_dict_in_tf2_model

    with safe_open(str(weights), framework="tf") as f:
        # transformers iterates the mapping and indexes it: give it a plain dict, not the archive
        state = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open is not iterable)
    _, info = load_pytorch_state_dict_in_tf2_model(
        tf_model, state, allow_missing_keys=True, output_loading_info=True, skip_logger_warnings=True
    )
    return info


def _from_hub(model_cfg, labels: dict):
    from transformers import TFAutoModelForTokenClassification

    return TFAutoModelForTokenClassification.from_pretrained(model_cfg.pretrained, **labels)


def _from_config(model_cfg, labels: dict):
    from transformers import BertConfig, TFAutoModelForTokenClassification

    tok = load_tokenizer(model_cfg)
    config = BertConfig(vocab_size=tok.vocab_size, **dict(model_cfg.config), **labels)
    model = TFAutoModelForTokenClassification.from_config(config)
    model(model.dummy_inputs, training=False)
    return model


def _from_package(model_cfg, labels: dict):
    return _from_folder(package_model_dir(model_cfg.package), labels)


def _from_parts(model_cfg, labels: dict):
    return _from_folder(parts_model_dir(model_cfg), labels)


def _from_folder(path: Path, labels: dict):
    """The TF token classifier of the folder's config.json with its model.safetensors copied in."""
    from transformers import AutoConfig, TFAutoModelForTokenClassification

    config = AutoConfig.from_pretrained(path, **labels)
    model = TFAutoModelForTokenClassification.from_config(config)
    info = load_safetensors_into_tf(model, path / "model.safetensors")
    missing = [k for k in info["missing_keys"] if not k.startswith("classifier")]
    if missing:
        raise ValueError(f"{path / 'model.safetensors'}: weights missing for {missing[:5]}")
    return model


# model.source (conf/model/*.yaml) -> builder: the one registry of the `model` config group
BUILDERS = {"package": _from_package, "parts": _from_parts, "hub": _from_hub, "config": _from_config}


def build_model(model_cfg):
    """A `TFAutoModelForTokenClassification` with our B-KEY/I-KEY/O head, built by ``BUILDERS[model_cfg.source]``.

    Call inside `strategy.scope()` so the variables are created by the distribution strategy.
    Raises ValueError for an unknown source or a weights file that lacks tensors.
    """
    import_tensorflow()   # TensorFlow's C++ start-up lines filtered (lecturelab.console)
    if model_cfg.source not in BUILDERS:
        raise ValueError(f"model.source must be one of {', '.join(BUILDERS)}, got '{model_cfg.source}'")
    return BUILDERS[model_cfg.source](model_cfg, _label_kwargs(model_cfg.get("dropout")))
