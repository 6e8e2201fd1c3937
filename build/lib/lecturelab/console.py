"""A quiet console: progress and results on screen, library noise only with ``--verbose``.

Left alone, a first run prints CUDA-driver errors on a machine without a GPU, TensorFlow / Keras /
transformers deprecation banners and checkpoint-loading notices around the results. Commands call
`quiet_libraries` first thing, before TensorFlow is imported (its C++ log level is read at import).
"""

from __future__ import annotations

import logging
import os
import warnings

# loggers of libraries that report through Python logging; errors still show. Not W&B (WANDB_SILENT keeps
# its console quiet; its logger also writes the run's debug.log) and not Optuna (its lines are progress).
NOISY_LOGGERS = ("tensorflow", "absl", "transformers", "h5py", "datasets", "huggingface_hub", "numexpr",
                 "faster_whisper", "ctranslate2", "matplotlib", "PIL")


def quiet_libraries(verbose: bool = False) -> None:
    """Silence library chatter unless ``verbose``: TensorFlow's C++ log (``TF_CPP_MIN_LOG_LEVEL=3``: no
    cuInit / oneDNN / XLA lines), transformers' notices (``TRANSFORMERS_VERBOSITY=error``), W&B, and
    DeprecationWarning / FutureWarning / UserWarning from library code. With ``verbose`` everything
    is shown (``TF_CPP_MIN_LOG_LEVEL=0``). Call it before TensorFlow is imported."""
    if verbose:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("WANDB_SILENT", "true")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    for category in (DeprecationWarning, FutureWarning, PendingDeprecationWarning, UserWarning):
        warnings.filterwarnings("ignore", category=category)
