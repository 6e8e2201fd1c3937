"""ONNX Runtime inference for the lecture processor's two BERT-family models, exported once from TensorFlow.

The keyphrase tagger (a checkpoint such as ``models/best``) and the MiniLM sentence embedder (chapters,
quiz distractors) are trained and stored as TensorFlow / Hugging Face weights. Running them in TensorFlow
costs every ``lecturelab process`` call ~8 s of CPU before the first word is tagged (TensorFlow import 2.8 s,
transformers 1 s, building and loading both models 3 s, tracing the tagger 1.5 s; 2 cores), and that work
competes with Whisper for the cores. The same graphs exported to ONNX load in well under a second in
ONNX Runtime (already installed: faster-whisper runs Silero VAD with it), with outputs equal to TensorFlow's
within float32 round-off (``tests/test_onnx.py``; numbers: ``docs/lecture.md``, "Speed").

Export is tf2onnx's ``convert.from_function`` on the same ``(input_ids, attention_mask) -> output``
function the TensorFlow path runs, cached in ``<cache>/onnx/<kind>-<key>.onnx`` where the key hashes the
weight and config files, this module's ``CACHE_VERSION`` and the ONNX opset, so a retrained checkpoint or
another model misses the cache. The file is written to a temp name and renamed, so a killed export never
leaves half a model; an unreadable cached file is exported again. The export needs TensorFlow (~30-70 s and
~7 GB of memory once per checkpoint on 2 cores); a failure falls back to TensorFlow inference with one
warning line and is remembered (see :func:`cached_session`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from pathlib import Path

import numpy as np

from lecturelab.cachedirs import user_cache
from lecturelab.io import atomic_write, sha256_file
from lecturelab.models.rust_tokenizer import RustTokenizer
from lecturelab.models.tagger import KeyphraseTagger, check_checkpoint

log = logging.getLogger(__name__)
CACHE_VERSION = 1   # bump when what is exported changes (the function, its inputs or outputs)
BACKENDS = ("onnx", "tensorflow")   # the `inference` setting of `lecturelab process`
OPSET = 17          # ONNX opset: Erf since 9, LayerNormalization since 17 (tf2onnx fuses it when it can)


def cache_path(kind: str, files: Iterable[str | Path], cache_dir: str | Path | None = None) -> Path:
    """``<cache_dir or user cache/onnx>/<kind>-<20 hex>.onnx``: sha256 over CACHE_VERSION, OPSET and the
    sha256 of each of ``files`` (weights, config), so the name changes whenever the model does."""
    key = f"{kind}\nv{CACHE_VERSION}\nopset{OPSET}\n" + "\n".join(sha256_file(f) for f in files)
    return Path(cache_dir or user_cache("onnx")) / f"{kind}-{hashlib.sha256(key.encode()).hexdigest()[:20]}.onnx"


def _register_erfc() -> None:
    """TensorFlow >= 2.16 writes exact GELU as ``0.5 x erfc(-x / sqrt 2)``; tf2onnx 1.17 has no Erfc
    handler, so this one emits ``1 - Erf(x)`` (ONNX ``Erf``, opset 9)."""
    from tf2onnx import utils
    from tf2onnx.handler import tf_op

    @tf_op("Erfc")
    class Erfc:   # noqa: F841  (registered by the decorator)
        @classmethod
        def version_9(cls, ctx, node, **kwargs):
            node.type = "Erf"
            dtype = utils.ONNX_TO_NUMPY_DTYPE[ctx.get_dtype(node.input[0])]
            one = ctx.make_const(utils.make_name(f"{node.name}_one"), np.array(1, dtype=dtype))
            sub = ctx.insert_new_node_on_output("Sub", node.output[0], name=utils.make_name(node.name),
                                                inputs=[one.output[0], node.output[0]])
            ctx.copy_shape(node.output[0], sub.output[0])


def convert(fn):
    """The ONNX ``ModelProto`` of ``fn`` (a ``tf.function`` of int32 ``input_ids`` and ``attention_mask``,
    both [batch, tokens], returning one float32 tensor). Raises ImportError without tf2onnx and whatever
    tf2onnx raises for an op it cannot convert."""
    import tf2onnx  # deferred: pulls in TensorFlow and onnx

    if not getattr(convert, "_erfc", False):
        _register_erfc()
        convert._erfc = True
    proto, _ = tf2onnx.convert.from_function(fn, input_signature=fn.input_signature, opset=OPSET)
    return proto


def session(path: str | Path | bytes):
    """An ONNX Runtime CPU session for ``path`` (or a serialized model); raises on an unreadable or invalid
    file."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3   # errors only: ORT's graph-optimisation warnings are not the user's business
    model = path if isinstance(path, bytes) else str(path)
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


def cached_session(kind: str, files: list[Path], make_fn: Callable[[], object],
                   cache_dir: str | Path | None = None):
    """The ONNX Runtime session of the cached export of ``kind`` (see :func:`cache_path`), exporting
    ``make_fn()`` (the tf.function) first when the cache has no usable file.

    Processes (Dask workers, parallel runs) export one at a time under a file lock and reuse what the first
    wrote. A failed conversion leaves ``<name>.onnx.failed`` holding the error, so later runs go straight to
    the caller's TensorFlow fallback instead of converting for ~30 s again (delete the file to retry); an
    export that converts but cannot be written (a read-only cache) is used from memory. Raises RuntimeError
    for a recorded failure and what the export raises."""
    from filelock import FileLock

    path = cache_path(kind, files, cache_dir)
    failed = path.with_name(path.name + ".failed")
    if failed.is_file():
        raise RuntimeError(f"an earlier export failed ({failed.read_text().strip()}); delete {failed} to retry")
    if path.is_file():
        try:
            return session(path)
        except Exception as e:   # a foreign or damaged file: export again over it
            log.warning("%s: unusable ONNX export (%s); exporting again", path, e)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(path) + ".lock")
    except OSError:
        lock = nullcontext()
    with lock:
        if path.is_file():   # another process exported it while this one waited
            try:
                return session(path)
            except Exception:
                pass
        print(f"exporting {kind} to ONNX once (~30 s; cached in {path.parent})", flush=True)
        try:
            proto = convert(make_fn())
        except Exception as e:
            try:
                failed.write_text(f"{type(e).__name__}: {e}"[:500] + "\n")
            except OSError:
                pass
            raise
        data = proto.SerializeToString()
        try:
            atomic_write(path, lambda p: p.write_bytes(data))
        except OSError as e:
            log.warning("%s: cannot cache the ONNX export (%s); using it from memory", path, e)
            return session(data)
    return session(path)


def runner(sess) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``run(input_ids, attention_mask)`` -> the session's one output (int32 [batch, tokens] in)."""
    names = [i.name for i in sess.get_inputs()]   # tf2onnx names them after the function's arguments
    return lambda ids, mask: sess.run(None, dict(zip(names, (ids, mask), strict=True)))[0]


def check_backend(backend: str) -> None:
    """Raise ValueError naming the ``inference`` key unless ``backend`` is one of BACKENDS."""
    if backend not in BACKENDS:
        raise ValueError(f"inference={backend!r}: expected {' or '.join(BACKENDS)}")


def session_or_none(what: str, kind: str, files: list[Path], make_fn: Callable[[], object],
                    cache_dir: str | Path | None = None):
    """:func:`cached_session`, or None with one warning line naming ``what`` when the export fails (the
    caller then runs the model in TensorFlow)."""
    try:
        return cached_session(kind, files, make_fn, cache_dir)
    except Exception as e:
        log.warning("%s: ONNX export failed (%s: %s); running it in TensorFlow", what, type(e).__name__, e)
        return None


class OnnxKeyphraseTagger(KeyphraseTagger):
    """`KeyphraseTagger` (same windows, averaging and decoding) whose label probabilities come from an
    ONNX Runtime session instead of TensorFlow; ``model`` is None."""

    def __init__(self, sess, tokenizer, max_length, stride, o_bias, batch_size, decoding):
        # not super().__init__: that builds the tf.function this class exists to avoid
        self.model, self.tokenizer, self.session = None, tokenizer, sess
        self.max_length, self.stride, self.o_bias, self.batch_size = max_length, stride, o_bias, batch_size
        self.decoding = decoding
        self._probs = runner(sess)


def tagger_probs_fn(path: str | Path):
    """The checkpoint's ``(input_ids, attention_mask) -> softmax label probabilities`` tf.function, as the
    TensorFlow tagger runs it (the graph that is exported)."""
    return KeyphraseTagger.load(path)._probs


def weight_files(path: str | Path) -> list[Path]:
    """A checkpoint's files that define its outputs: config, weights, lecturelab.json."""
    path = Path(path)
    names = ["config.json", "tf_model.h5", "model.safetensors", "lecturelab.json"]
    return [path / n for n in names if (path / n).is_file()]


def load_tagger(path: str | Path, backend: str = "onnx", batch_size: int = 32, cache_dir: str | Path | None = None):
    """A keyphrase tagger for the checkpoint at ``path``: ``backend="onnx"`` runs the cached ONNX export
    (exported on first use), falling back to TensorFlow with a warning if the export fails;
    ``"tensorflow"`` loads `KeyphraseTagger` directly. Raises as `check_checkpoint` for a bad folder."""
    check_backend(backend)
    meta = check_checkpoint(path)
    if backend == "onnx":
        sess = session_or_none("keyphrase tagger", "keyphrase-tagger", weight_files(path),
                               lambda: tagger_probs_fn(path), cache_dir)
        if sess is not None:
            tok = RustTokenizer(path)
            return OnnxKeyphraseTagger(sess, tok, meta["max_length"], meta["stride"], meta.get("o_bias", 0.0),
                                   batch_size, meta.get("decoding", "greedy"))
    return KeyphraseTagger.load(path, batch_size)
