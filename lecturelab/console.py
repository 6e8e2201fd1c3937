"""A quiet console: progress and results on screen, library noise only with ``--verbose``.

Left alone, a first run prints CUDA-driver errors on a machine without a GPU, TensorFlow / Keras /
transformers deprecation banners and checkpoint-loading notices around the results. Commands call
`quiet_libraries` first thing, before TensorFlow is imported (its C++ log level is read at import).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import warnings
from contextlib import contextmanager

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


# What TensorFlow's C++ start-up writes straight to file descriptor 2 before absl's logging is initialised
# (so TF_CPP_MIN_LOG_LEVEL, GLOG_minloglevel and ABSL_MIN_LOG_LEVEL cannot stop it; tried with TF 2.21):
# "WARNING: All log messages before absl::InitializeLog() ...", "I0000 00:00:... port.cc:153] oneDNN ...",
# "I0000 ... cudart_stub.cc:31] Could not find cuda drivers", "E0000 ... cuda_platform.cc:52] failed call to cuInit".
C_LOG_NOISE = re.compile(r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to "
                         r"STDERR|[IWE]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] )")


@contextmanager
def filtered_stderr(pattern: re.Pattern = C_LOG_NOISE):
    """Hold everything written to file descriptor 2 (C and C++ code included) while the block runs, then
    write it back without the lines that match ``pattern``. Nothing else is lost, only delayed; with
    ``TF_CPP_MIN_LOG_LEVEL=0`` (``--verbose``) nothing is held or dropped."""
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            kept = [line for line in held.read().decode("utf-8", "replace").splitlines(keepends=True)
                    if not pattern.match(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


def import_tensorflow():
    """``import tensorflow`` (and its first device query, where cuInit complains on a machine without a
    GPU) with TensorFlow's C++ start-up lines filtered out (`filtered_stderr`); later calls are free."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with filtered_stderr():
        import tensorflow as tf  # deferred: heavy, and only the commands that need it pay for it

        tf.config.list_physical_devices("GPU")
    return tf
