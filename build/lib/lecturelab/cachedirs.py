"""Where caches live: the user's cache folder, not the directory a command was run from.

``$LECTURELAB_CACHE_DIR`` when set, else the platform's user cache folder from `platformdirs`
(``$XDG_CACHE_HOME/lecturelab`` or ``~/.cache/lecturelab`` on Linux, ``~/Library/Caches/lecturelab`` on
macOS, ``%LOCALAPPDATA%\\lecturelab\\Cache`` on Windows). Configs name sub-folders through the OmegaConf
resolver ``${lecturelab_cache:transcripts}``, registered when `lecturelab` is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "LECTURELAB_CACHE_DIR"


def user_cache(*parts: str) -> Path:
    """The cache folder (not created), or a sub-folder of it: ``user_cache("transcripts")``."""
    root = os.environ.get(ENV)
    if not root:
        import platformdirs

        root = platformdirs.user_cache_dir("lecturelab", appauthor=False)
    return Path(root).expanduser().joinpath(*parts)


def register_resolver() -> None:
    """Register ``${lecturelab_cache:<sub-folder>}`` with OmegaConf (idempotent)."""
    from omegaconf import OmegaConf

    if not OmegaConf.has_resolver("lecturelab_cache"):
        OmegaConf.register_new_resolver("lecturelab_cache", lambda sub="": str(user_cache(*filter(None, [sub]))))
