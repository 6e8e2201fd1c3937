"""Process lectures: media in, ``outputs/lectures/<name>/`` with transcript, keyphrases, page and subtitles.

``process(cfg)`` is the one function behind ``python -m lecturelab.process``, ``lecturelab process``
and the tests. One bad file does not stop a batch: it is reported in one line and the exit code is 1.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path

from lecturelab.lecture.audio import MEDIA_EXTENSIONS, MediaError, file_sha256, probe
from lecturelab.lecture.files import place_media, write_atomic
from lecturelab.lecture.highlight import build_text, group_keyphrases, tag_transcript
from lecturelab.lecture.html import render_html
from lecturelab.lecture.render import to_markdown, to_srt, to_vtt
from lecturelab.lecture.transcribe import cached_transcribe, glossary_terms, options_key

SCHEMA_VERSION = 1
OUTPUT_FILES = ("transcript.json", "keyphrases.json", "transcript.html", "transcript.md",
                "subtitles.srt", "subtitles.vtt")


class LectureError(Exception):
    """A lecture that could not be processed; ``str`` is one line naming the file and the reason."""


def collect_inputs(inputs) -> list[Path]:
    """Files to process from a path, a list of paths, or folders (their media files, sorted)."""
    if inputs is None or inputs == "" or (not isinstance(inputs, str) and len(inputs) == 0):
        raise LectureError("no input: pass a media file or folder (input=lecture.mp4)")
    items = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    files: list[Path] = []
    for item in items:
        p = Path(str(item)).expanduser()
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in MEDIA_EXTENSIONS)
        else:
            files.append(p)  # missing files are reported per file, not here
    return files


def lecture_names(files: list[Path]) -> list[str]:
    """Output folder names: the file stem, plus the extension where two inputs share a stem."""
    stems = [f.stem for f in files]
    return [f.stem if stems.count(f.stem) == 1 else f"{f.stem}-{f.suffix.lstrip('.')}" for f in files]


class _Models:
    """The Whisper options and the keyphrase tagger, loaded once per batch and only when needed."""

    def __init__(self, cfg):
        self.cfg = cfg
        self._tagger = None
        self._pending = None
        self.glossary = glossary_terms(cfg.transcriber.glossary, cfg.model_path)

    def prefetch(self) -> None:
        """Start loading the tagger in a thread. Importing TensorFlow, loading the checkpoint and tracing
        its first call take longer than Whisper on a short lecture; CTranslate2 releases the GIL, so
        both overlap."""
        if self._tagger is None and self._pending is None:
            from concurrent.futures import ThreadPoolExecutor

            pool = ThreadPoolExecutor(1, thread_name_prefix="tagger")
            self._pending = pool.submit(self._load)
            pool.shutdown(wait=False)

    def _load(self):
        from lecturelab.models.tagger import KeyphraseTagger

        tagger = KeyphraseTagger.load(self.cfg.model_path)
        tagger.word_probs([["warm", "up"]])  # the one tf.function trace
        return tagger

    @property
    def tagger(self):
        if self._tagger is None:
            pending, self._pending = self._pending, None
            self._tagger = pending.result() if pending is not None else self._load()
        return self._tagger


def _is_done(out_dir: Path, sha: str, keyphrase_model: str, transcriber: dict) -> bool:
    if not all((out_dir / f).is_file() for f in OUTPUT_FILES):
        return False
    try:
        doc = json.loads((out_dir / "transcript.json").read_text())
    except (OSError, ValueError):
        return False
    return (doc.get("source", {}).get("sha256") == sha and doc.get("keyphrase_model") == keyphrase_model
            and doc.get("transcriber") == transcriber)


def process_lecture(path: Path, out_dir: Path, cfg, models: _Models) -> tuple[Path, str]:
    """Process one media file into ``out_dir``; returns (out_dir, "done" | "skipped")."""
    try:
        info = probe(path)
        if not info.has_audio:
            raise MediaError("has no audio track")
    except MediaError as e:
        raise LectureError(f"{path}: {e}") from e
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe_file = out_dir / ".write-test"
        probe_file.write_bytes(b"")
        probe_file.unlink()
    except OSError as e:
        raise LectureError(f"{path}: cannot write output folder {out_dir} ({e.strerror or e})") from e

    sha = file_sha256(path)
    opts = options_key(cfg.transcriber, models.glossary)
    transcriber = {k: opts[k] for k in ("name", "model", "compute_type", "language")}
    keyphrase_model = str(cfg.model_path)
    if not cfg.force and _is_done(out_dir, sha, keyphrase_model, transcriber):
        return out_dir, "skipped"

    models.prefetch()
    heard, _ = cached_transcribe(path, sha, cfg.transcriber, models.glossary, cfg.cache_dir,
                                 info.duration, progress=cfg.progress)
    segments, notes = heard["segments"], list(heard["notes"])
    # Whisper may run a little past the container's end on the last word; keep times inside the media
    if info.duration:
        for seg in segments:
            seg["end"] = min(seg["end"], info.duration)
            seg["start"] = min(seg["start"], seg["end"])
            for w in seg["words"]:
                w["end"] = min(w["end"], info.duration)
                w["start"] = min(w["start"], w["end"])
    text, segments = build_text(segments)
    kcfg = cfg.keyphrases
    spans = []
    english = heard["language"] in (None, "en")
    if text and not english:
        notes.append(f"keyphrases and quiz skipped: the transcript is in {heard['language']} and the keyphrase "
                     "tagger knows English only (transcriber.task=translate gives an English transcript)")
    if text and english:
        spans = tag_transcript(models.tagger, text, segments, kcfg.window_tokens, kcfg.overlap_sentences,
                               kcfg.o_bias, kcfg.min_score)
    keyphrases = group_keyphrases(spans)
    media_file = place_media(path, out_dir, cfg.media, cfg.media_copy_max_mb)
    doc = {"schema_version": SCHEMA_VERSION,
           "source": {"path": str(path), "name": path.name, "sha256": sha, "duration": round(info.duration, 3),
                      "media_file": media_file},
           "transcriber": transcriber, "keyphrase_model": keyphrase_model, "text": text,
           "language": heard["language"], "language_probability": heard["language_probability"],
           "translated_from": heard["translated_from"], "whisper_model": heard["model"],
           "segments": segments, "keyphrases": spans, "notes": notes,
           "note": (" ".join(notes) or None) if text else "no speech detected"}
    write_atomic(out_dir / "keyphrases.json",
                 json.dumps({"schema_version": SCHEMA_VERSION, "keyphrases": keyphrases}, indent=1))
    write_atomic(out_dir / "transcript.md", to_markdown(doc, keyphrases))
    write_atomic(out_dir / "subtitles.srt", to_srt(doc))
    write_atomic(out_dir / "subtitles.vtt", to_vtt(doc))
    write_atomic(out_dir / "transcript.html", render_html(doc, keyphrases, info.has_video))
    # transcript.json last: its presence with matching hashes marks the lecture finished
    write_atomic(out_dir / "transcript.json", json.dumps(doc, indent=1, ensure_ascii=False))
    if cfg.quiz.name != "none" and english:
        from lecturelab.quiz import write_quiz

        write_quiz(out_dir, cfg.quiz)
    return out_dir, "done"


def process(cfg) -> int:
    """Process every input of ``cfg``; print one line per lecture. Exit code 0 if all succeeded, else 1."""
    verbose = bool(cfg.get("verbose", False))
    try:
        files = collect_inputs(cfg.input)
        models = _Models(cfg)
    except (LectureError, FileNotFoundError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if not files:
        print(f"error: no media files in {cfg.input}", file=sys.stderr)
        return 2
    failed, last_html = 0, None
    for path, name in zip(files, lecture_names(files), strict=True):
        t0 = time.perf_counter()
        try:
            out_dir, status = process_lecture(path, Path(cfg.output_dir) / name, cfg, models)
        except LectureError as e:
            failed += 1
            print(f"error: {e}", file=sys.stderr)
            if verbose:
                traceback.print_exc()
            continue
        except Exception as e:  # noqa: BLE001 - any failure of one lecture must not stop the batch
            failed += 1
            reason = str(e).splitlines()[0] if str(e) else type(e).__name__
            print(f"error: {path}: {reason}", file=sys.stderr)
            if verbose:
                traceback.print_exc()
            continue
        last_html = out_dir / "transcript.html"
        extra = " (already done; force=true to redo)" if status == "skipped" else \
            f" ({time.perf_counter() - t0:.1f} s)"
        print(f"{path} -> {last_html}{extra}")
    if failed:
        print(f"{failed} of {len(files)} lecture(s) failed", file=sys.stderr)
    return 1 if failed else 0
