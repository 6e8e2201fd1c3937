"""Process lectures: media in, ``outputs/lectures/<name>/`` with transcript, keyphrases, page and subtitles.

``process(cfg)`` is the one function behind ``python -m lecturelab.process``, ``lecturelab process``
and the tests. One bad file does not stop a batch: it is reported in one line and the exit code is 1.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from omegaconf import OmegaConf

from lecturelab.errors import USAGE, LectureError
from lecturelab.io import TEMP_NAME_EXTRA, atomic_dir, fit_name, sha256_file, utf8_text
from lecturelab.keyphrases import stem_key
from lecturelab.lecture.allocator import keep_freed_memory
from lecturelab.lecture.apply import keep_review
from lecturelab.lecture.batch import EXECUTORS
from lecturelab.lecture.captions import (
    caption_segments,
    find_sidecar,
    is_caption_file,
    lecture_stem,
    sidecar_candidates,
    unclaimed_captions,
)
from lecturelab.lecture.chapters import lecture_chapters
from lecturelab.lecture.files import place_media
from lecturelab.lecture.highlight import build_text, group_keyphrases, tag_transcript
from lecturelab.lecture.review import write_review
from lecturelab.lecture.settings import check_process
from lecturelab.lecture.transcribe import cached_transcribe, glossary_terms, options_key
from lecturelab.lecture.transcript import write_lecture_files
from lecturelab.lecture.whisper_models import is_english_only
from lecturelab.media.decode import DecodeReport
from lecturelab.media.probe import MEDIA_EXTENSIONS, MediaError, choose_track, probe
from lecturelab.models import embed as embed_module
from lecturelab.models.onnx import load_tagger
from lecturelab.models.tagger import check_checkpoint
from lecturelab.quiz import write_quiz
from lecturelab.quiz.concepts import ConceptSettings, lecture_concepts
from lecturelab.quiz.export import QUIZ_ALWAYS
from lecturelab.transcript.document import read_transcript, transcript_doc
from lecturelab.transcript.manifest import REVIEW_DIR, person_made, record_outputs
from lecturelab.transcript.sentences import resegment

OUTPUT_FILES = ("transcript.json", "keyphrases.json", "transcript.html", "transcript.md",
                "subtitles.srt", "subtitles.vtt", "review.html")
CHAPTER_FILES = ("chapters.json", "chapters.vtt", "chapters.txt")


def collect_inputs(inputs) -> list[Path]:
    """Files to process from a path, a list of paths, or folders (their media files, sorted, and their
    caption files that no media file of the folder claims as its sidecar)."""
    if inputs is None or inputs == "" or (not isinstance(inputs, str) and len(inputs) == 0):
        raise LectureError("no input: pass a media file or folder (input=lecture.mp4)")
    items = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    files: list[Path] = []
    for item in items:
        p = Path(str(item)).expanduser()
        if p.is_dir():
            media = [f for f in p.iterdir() if f.is_file() and f.suffix.lower() in MEDIA_EXTENSIONS]
            files += sorted(media + unclaimed_captions(p, media))
        else:
            files.append(p)  # missing files are reported per file, not here
    return files


class _Models:
    """The Whisper options, the keyphrase tagger and MiniLM (ONNX Runtime or TensorFlow, ``cfg.inference``),
    loaded once per batch and only when needed."""

    def __init__(self, cfg):
        self.cfg = cfg
        if cfg.keep_freed_memory:   # before Whisper loads, here and in every Dask worker (allocator.py)
            keep_freed_memory()
        self._lock = threading.Lock()   # prefetch and the first .tagger may race (Dask threads)
        embed_module.BACKEND = cfg.inference   # chapters and quiz embed with the same runtime
        self._tagger = None
        self._pending = None
        self.glossary = glossary_terms(cfg.transcriber.glossary, cfg.model_path)

    def prefetch(self) -> None:
        """Start loading the tagger, MiniLM and nltk in a thread (`_load`), so that Whisper, which
        releases the GIL in CTranslate2, overlaps them. Called as Whisper starts (``on_start``): started
        earlier, the load's Python work would hold the GIL the audio decoder needs for the first chunk;
        from then on it shares the GIL with the read-ahead decoding of the next chunk only."""
        with self._lock:
            if self._tagger is None and self._pending is None:
                pool = ThreadPoolExecutor(1, thread_name_prefix="tagger")
                self._pending = pool.submit(self._load)
                pool.shutdown(wait=False)

    def _load(self):
        tagger = load_tagger(self.cfg.model_path, self.cfg.inference)
        tagger.word_probs([["warm", "up"]])  # TensorFlow: the one tf.function trace; ONNX: session warm-up
        stem_key("warm up")   # imports nltk (Porter stemmer; 2.5 s, mostly its __init__'s scipy) off the main thread
        if self._needs_embedder():
            # the chapter step and the quiz's distractors embed sentences with MiniLM: loaded here, while
            # Whisper runs, not after it
            embed_module.embed(["warm up"])
        return tagger

    def _needs_embedder(self) -> bool:
        chapters = self.cfg.get("chapters")
        return chapters is None or chapters.get("enabled", True) or self.cfg.quiz.name != "none"

    @property
    def tagger(self):
        with self._lock:
            if self._tagger is None:
                pending, self._pending = self._pending, None
                self._tagger = pending.result() if pending is not None else self._load()
            return self._tagger


def _track_language(tcfg) -> str | None:
    """The language an audio track should be in: the configured one, or with ``auto`` English for an
    English-only model (a Spanish interpreter track is useless to tiny.en), else no preference."""
    if tcfg.language != "auto":
        return tcfg.language
    return "en" if is_english_only(str(tcfg.model)) else None


def _quiz_outputs(cfg) -> tuple[str, ...]:
    return () if cfg.quiz.name == "none" else QUIZ_ALWAYS


def _is_done(out_dir: Path, sha: str, keyphrase_model: str, transcriber: dict, quiz: dict | None) -> bool:
    """True when ``out_dir`` holds every requested output of this very run (same media, models, quiz)."""
    try:
        doc = read_transcript(out_dir)
    except LectureError:
        return False
    outputs = doc.get("outputs") or OUTPUT_FILES
    return (all((out_dir / f).is_file() for f in outputs)
            and doc.get("source", {}).get("sha256") == sha and doc.get("keyphrase_model") == keyphrase_model
            and doc.get("transcriber") == transcriber and doc.get("quiz") == quiz)


def _owner(folder: Path) -> tuple[str | None, str | None]:
    """(resolved source path, sha256) recorded in an output folder's transcript.json, else (None, None)."""
    try:
        src = read_transcript(folder).get("source", {})
    except (LectureError, AttributeError):
        return None, None
    return src.get("realpath"), src.get("sha256")


def folder_name(stem: str, real: str, hashed: bool, max_bytes: int = 255 - TEMP_NAME_EXTRA) -> str:
    """An output folder name for a file with this ``stem`` and resolved path ``real``.

    ``stem`` itself, unless ``hashed`` or it cannot be used as it is: bytes that are not UTF-8 (replaced by
    U+FFFD, since the name goes into links, JSON and HTML) or longer than ``max_bytes`` (the file system's
    255 less the hidden temp folder's extra bytes); then ``<stem cut to fit>-<first 8 hex of sha256(path
    bytes)>``, which tells apart two names that differ only in their bad bytes or their end.
    """
    text = utf8_text(stem)
    if not hashed and text == stem and len(os.fsencode(stem)) <= max_bytes:
        return stem
    tag = "-" + hashlib.sha256(os.fsencode(real)).hexdigest()[:8]
    return fit_name(text, max_bytes - len(tag)) + tag


def output_dirs(files: list[Path], output_dir: str | Path) -> list[Path]:
    """One output folder per input, unique in the batch and stable across runs.

    ``<output_dir>/<stem>`` unless that folder already holds the outputs of another file (or another
    input of this batch claimed it), or the stem is not UTF-8 or too long for a folder name; then
    ``<stem>-<first 8 hex of sha256(resolved path)>`` (`folder_name`). So ``weekA/lecture.mp4`` and
    ``weekB/lecture.mp4`` never share a folder, and a file always comes back to the folder it got the
    first time. A folder that exists without our transcript.json is never taken over.
    """
    output_dir = Path(output_dir)
    claimed: dict[Path, str] = {}
    out = []
    for f in files:
        real = str(f.resolve())
        plain = output_dir / folder_name(lecture_stem(f), real, hashed=False)
        owner, owner_sha = _owner(plain)
        free = not plain.exists() or owner == utf8_text(real) or (
            owner is None and owner_sha is not None and f.is_file() and owner_sha == sha256_file(f))
        if free and claimed.get(plain, real) == real:
            d = plain
        else:
            d = output_dir / folder_name(lecture_stem(f), real, hashed=True)
        claimed[d] = real
        out.append(d)
    return out


def _writable(folder: str | Path, key: str) -> None:
    """Create ``folder`` if needed and prove a file can be written there; ValueError names the key."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test."):
            pass
    except OSError as e:
        raise ValueError(f"{key}={folder}: cannot write there ({e.strerror or e})") from None


def check_run(cfg) -> None:
    """Everything a batch needs, checked before the first transcription: config values, writable output
    and cache folders, the glossary and the keyphrase checkpoint. Raises ValueError / FileNotFoundError
    with one line naming the key or file."""
    check_process(cfg)
    _writable(cfg.output_dir, "output_dir")
    _writable(cfg.cache_dir, "cache_dir")
    if cfg.quiz.name != "none" and cfg.quiz.get("cache_dir"):
        _writable(cfg.quiz.cache_dir, "quiz.cache_dir")
    check_checkpoint(cfg.model_path)


def caption_input(path: Path, mode: str) -> Path | None:
    """The caption file that gives ``path``'s transcript under ``captions=mode``: ``path`` itself when it
    is a caption file, else its sidecar (`captions.find_sidecar`) unless ``mode`` is ``never``; None:
    Whisper transcribes. Raises LectureError for a caption file under ``never`` and for media without a
    sidecar under ``only``."""
    if is_caption_file(path):
        if mode == "never":
            raise LectureError(f"{path}: a caption file, and captions=never transcribes media only "
                               "(captions=auto reads it)")
        if not path.is_file():
            raise LectureError(f"{path}: not found")
        return path
    if mode == "never":
        return None
    sidecar = find_sidecar(path)
    if sidecar is None and mode == "only":
        looked = ", ".join(p.name for p in sidecar_candidates(path))
        raise LectureError(f"{path}: no caption file beside it (looked for {looked}); captions=only needs one "
                           "(captions=auto transcribes the media instead)")
    return sidecar


def process_lecture(path: Path, out_dir: Path, cfg, models: _Models) -> tuple[Path, str]:
    """Process one media or caption file into ``out_dir``; returns (out_dir, "done" | "skipped").

    The transcript comes from captions (a ``.vtt``/``.srt`` input, or one beside the media: see
    `caption_input` and `lecturelab.lecture.captions`) or from Whisper. Everything is written into a temp
    folder beside ``out_dir`` that replaces it in one rename once all requested outputs exist (quiz
    included), so a failure or Ctrl-C leaves the earlier outputs, or nothing, never a partial folder.
    Warnings (track choice, damaged audio) go to stderr and to transcript.json ``notes``. Raises
    LectureError with one line naming the file (the caption file and cue for a bad caption file).
    """
    captions = caption_input(path, str(cfg.captions))
    info = track = None
    notes = []
    name = utf8_text(path.name)   # what JSON, HTML and the exports show: a byte that is not UTF-8 is U+FFFD
    if captions != path:
        try:
            info = probe(path)
            track, why = choose_track(info.tracks, _track_language(cfg.transcriber), cfg.transcriber.audio_track)
        except MediaError as e:
            raise LectureError(f"{path}: {e}") from e
        if len(info.tracks) > 1 and captions is None:
            notes.append(f"{name}: transcribed {track.describe()} of {len(info.tracks)} because {why}; "
                         "transcriber.audio_track=N picks another")
    sha = sha256_file(path)
    if captions is not None:
        # who made the words: the caption file (its content too, so edited captions are redone)
        transcriber = {"name": "captions", "file": captions.name, "format": captions.suffix.lower().lstrip("."),
                       "sha256": sha if captions == path else sha256_file(captions)}
    else:
        opts = options_key(cfg.transcriber, models.glossary)
        transcriber = {k: opts[k] for k in ("name", "model", "compute_type", "language", "task")} | \
            {"audio_track": track.number}
    keyphrase_model = str(cfg.model_path)
    quiz = None if cfg.quiz.name == "none" else OmegaConf.to_container(cfg.quiz, resolve=True)
    if isinstance(quiz, dict):
        quiz.pop("cache_dir", None)   # where embeddings are cached does not change the quiz
    if not cfg.force and _is_done(out_dir, sha, keyphrase_model, transcriber, quiz):
        for note in notes:
            print(f"note: {note}", file=sys.stderr)
        return out_dir, "skipped"
    # what a person made there (a review, a hand-edited or added file) is never replaced by machine output
    # unless asked, and then kept beside it: checked before any work
    made = person_made(out_dir)
    if made and cfg.reviewed != "reapply":
        shown = ", ".join(made[:4]) + (", ..." if len(made) > 4 else "")
        raise LectureError(f"{path}: {out_dir} holds a person's work ({shown}) that fresh output would replace; "
                           f"reviewed=reapply processes it again, keeps that work in {REVIEW_DIR}/ and re-applies "
                           "the edits that still fit")

    report = DecodeReport()
    if captions is not None:
        heard = caption_segments(captions)   # CaptionError (a LectureError) names the caption file and cue
        segments = heard["segments"]
    else:
        # the track's start is already on the timeline; the duration is the container's (what players show)
        try:
            heard, _ = cached_transcribe(path, sha, cfg.transcriber, models.glossary, cfg.cache_dir,
                                         info.duration, progress=cfg.progress, track=track.number,
                                         report=report, on_start=models.prefetch)
        except MediaError as e:
            raise LectureError(f"{path}: {e}") from e
        segments = resegment(heard["segments"], heard["language"] or "en")
    notes = [utf8_text(n) for n in notes + report.notes(name) + list(heard["notes"])]
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    if info is None:   # captions alone: the lecture ends with its last cue
        end = max((seg["end"] for seg in segments), default=0.0)
    # a raw MP3/AAC has no index: its stated duration is a bit-rate estimate; a browser's WebM recording
    # (MediaRecorder writes a stream, never seeks back) states none: the decoded length is the truth for both
    elif (info.duration_estimated or not info.duration) and report.decoded_seconds:
        end = report.decoded_seconds
    else:
        end = info.duration
    if end:   # Whisper may run a little past the end on the last word; keep times inside the media
        for seg in segments:
            seg["end"] = min(seg["end"], end)
            seg["start"] = min(seg["start"], seg["end"])
            for w in seg["words"]:
                w["end"] = min(w["end"], end)
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
    keyphrases = group_keyphrases(spans, text)
    if not text:
        notes.append("no speech detected")
    outputs = OUTPUT_FILES + (_quiz_outputs(cfg) if english else ())
    concepts = None
    ccfg = cfg.get("concepts")
    ccfg = OmegaConf.to_container(ccfg) if ccfg is not None else None
    if text and english and (ccfg is None or ccfg.get("enabled", True)):
        concepts = lecture_concepts(text, segments, keyphrases, end, ccfg)
        outputs += ("concepts.json",)
    chapters = None
    if cfg.get("chapters") is None or cfg.chapters.get("enabled", True):
        chapters = lecture_chapters(segments, keyphrases, end, cfg.get("chapters"))
        outputs += CHAPTER_FILES
    with atomic_dir(out_dir) as tmp:
        media_file = None if info is None else place_media(path, tmp, cfg.media, cfg.media_copy_max_mb)
        source = {"path": utf8_text(str(path)), "name": name, "realpath": utf8_text(str(path.resolve())),
                  "sha256": sha, "duration": round(end, 3), "media_file": media_file,
                  "audio_track": None if track is None else asdict(track), "lost": report.lost}
        doc = transcript_doc(source, transcriber, keyphrase_model, text, segments, spans, quiz=quiz,
                             outputs=list(outputs), language=heard["language"],
                             language_probability=heard["language_probability"],
                             translated_from=heard["translated_from"], whisper_model=heard["model"], notes=notes)
        write_lecture_files(tmp, doc, keyphrases, info is not None and info.has_video, cfg.low_confidence,
                            cfg.get("subtitles"), chapters, concepts,
                            ConceptSettings.from_cfg(ccfg).top)
        if quiz is not None and english:
            write_quiz(tmp, cfg.quiz)
        write_review(tmp, cfg.low_confidence)   # the teacher's page, after the quiz it shows
        missing = [f for f in outputs if not (tmp / f).is_file()]
        if missing:
            raise LectureError(f"{path}: outputs not written: {', '.join(missing)}")
        record_outputs(tmp, (p.name for p in tmp.iterdir() if p.name != media_file))
        if made:
            for line in keep_review(out_dir, tmp, cfg.low_confidence, cfg.get("subtitles")):
                print(f"warning: {out_dir}: {line}", file=sys.stderr)
    return out_dir, "done"


def run_one(path: Path, out: Path, cfg, models: _Models) -> tuple[bool, str]:
    """Process one lecture (`process_lecture`) and say how it went in one line: ``(True, "<path> -> <page>
    (12.3 s)")`` or ``(False, "<path>: <reason>")``. Any exception of the lecture becomes the failure line
    (with a traceback on stderr when ``cfg.verbose``); KeyboardInterrupt passes. A byte of the path that is
    not UTF-8 is shown as U+FFFD (a UTF-8 terminal's stdout takes no other). The serial loop and the
    Dask tasks (`lecturelab.lecture.dask_batch`) both call it, so both print the same lines."""
    t0 = time.perf_counter()
    try:
        out_dir, status = process_lecture(path, out, cfg, models)
    except Exception as e:  # noqa: BLE001 - any failure of one lecture must not stop the batch
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        if cfg.verbose:
            traceback.print_exc()
        # the pipeline's own errors name the media file first; others (the quiz's) get it added
        named = isinstance(e, LectureError) and reason.startswith(f"{path}: ")
        return False, utf8_text(reason if named else f"{path}: {reason}")
    extra = " (already done; force=true to redo)" if status == "skipped" else f" ({time.perf_counter() - t0:.1f} s)"
    return True, utf8_text(f"{path} -> {out_dir / 'transcript.html'}{extra}")


def process(cfg) -> int:
    """Process every input of ``cfg``; print one line per lecture and a summary of failures.

    Exit codes: 0 all done, 1 some lectures failed, 2 usage or config error (found before any
    transcription), 130 interrupted (Ctrl-C; finished lectures are kept, the one in progress leaves
    nothing).
    """
    try:
        files = collect_inputs(cfg.input)
        if not files:
            raise LectureError(f"no media or caption files in {cfg.input}")
        check_run(cfg)
        models = _Models(cfg)
    except (LectureError, FileNotFoundError, ValueError) as e:
        print(f"error: {str(e).splitlines()[0]}", file=sys.stderr)
        return USAGE
    outs = output_dirs(files, cfg.output_dir)
    executor = cfg.executor.name if cfg.get("executor") is not None else "serial"
    return EXECUTORS[executor](cfg, files, outs, run_one, models)
