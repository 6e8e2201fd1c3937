"""Set-up step: embed the quiz's background vocabulary once, so that no lecture pays for it.

    python -m lecturelab.quiz.vocab [quiz.key=value ...]      # `make quiz-vocab`, part of `make setup`

It reads the same config as ``lecturelab quiz`` (conf/quiz_app.yaml) and writes the same cache file the
quiz looks up (``lecturelab.models.embed.cache_file``: keyed by the vocabulary, the model and the method),
so a later lecture loads ~1 MB per 1,000 terms instead of running MiniLM over the whole vocabulary.
It also makes sure the MiniLM ONNX export (`lecturelab.models.onnx`) is cached, so the first lecture does
not export it. Running it again with both caches in place only reads the vocabulary and loads the export.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lecturelab.command import UsageError, checking_config, run_command
from lecturelab.console import quiet_libraries
from lecturelab.errors import one_line
from lecturelab.models.embed import cache_file, embed, embed_cached, read_cache
from lecturelab.quiz.cli import compose
from lecturelab.quiz.distractors import find_background, load_background
from lecturelab.quiz.rule_quiz import REPO_ROOT, cache_folder
from lecturelab.quiz.schema import Settings


def precompute(quiz_cfg) -> dict:
    """Embed the background vocabulary of ``quiz_cfg`` (the ``quiz`` config group) into its cache.

    Returns {"terms": count, "cache": path, "cached_before": bool}. Raises ValueError naming the config
    key when ``quiz.cache_dir`` is null or no ``quiz.background`` file exists.
    """
    settings = Settings.from_cfg(quiz_cfg)
    folder = cache_folder(settings)
    if folder is None:
        raise ValueError("quiz.cache_dir is null: there is no cache to fill (set it to a folder)")
    path = find_background(list(settings.background), [Path.cwd(), REPO_ROOT])
    if path is None:
        raise ValueError(f"quiz.background: none of {', '.join(settings.background)} exists "
                         "(run `make data` first, or point quiz.background at a BIO or .jsonl file)")
    texts = [t.text for t in load_background(str(path), settings.background_max_words)]
    target = cache_file(texts, settings.embedding_package, folder)
    before = read_cache(target, len(texts)) is not None
    if not before:
        embed_cached(texts, settings.embedding_package, folder)
    return {"terms": len(texts), "cache": str(target), "cached_before": before}


def main(argv: list[str]) -> int:
    """Run the step; print one line; return the exit code (`lecturelab.errors`): 2 with one line on stderr
    for a bad setting or no background file, 1 when the cache cannot be written (a full disk ...)."""
    quiet_libraries()   # one line of result, no TensorFlow / transformers start-up chatter
    return run_command("lecturelab.quiz.vocab", lambda: fill_cache(argv))


def fill_cache(argv: list[str]) -> int:
    """Embed the background vocabulary of the quiz config with overrides ``argv``; print one line."""
    with checking_config():
        cfg = compose(argv).quiz
    if cfg.name == "none":
        print("quiz=none: no background vocabulary to embed")
        return 0
    try:
        info = precompute(cfg)
        embed(["warm up"], Settings.from_cfg(cfg).embedding_package)   # exports MiniLM to ONNX if not cached
    except ValueError as e:   # a bad setting, no background file
        raise UsageError(one_line(e)) from e
    state = "already cached" if info["cached_before"] else "embedded"
    print(f"quiz background vocabulary: {info['terms']} terms {state} -> {info['cache']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
