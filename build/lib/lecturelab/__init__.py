"""lecturelab: keyphrase-extraction research framework and lecture processor."""

import os

# The TF BERT classes in transformers 4.x need Keras 2 (tf-keras); TF >= 2.16 defaults to Keras 3.
# This must be set before TensorFlow is imported anywhere.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__version__ = "0.1.0"

from lecturelab.bio import LABEL2ID, LABELS  # noqa: E402  (the environment above comes first)

__all__ = ["LABEL2ID", "LABELS", "__version__"]


def _register_resolvers() -> None:
    try:
        from lecturelab.cachedirs import register_resolver
    except ImportError:   # omegaconf missing: nothing composes configs then
        return
    register_resolver()


_register_resolvers()
