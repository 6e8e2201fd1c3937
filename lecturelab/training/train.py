"""Stage 3 `train`: TFRecords -> fine-tuned token classifier, best epoch (by validation) published
atomically to ``paths.best_dir`` with its tokenizer and label map."""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path

from lecturelab.bio import LABELS
from lecturelab.data.records import make_dataset
from lecturelab.evaluation.scoring import score_probs, tune_o_bias
from lecturelab.io import atomic_dir, read_jsonl, write_json, write_text
from lecturelab.keyphrases import gold_spans
from lecturelab.models.factory import build_model
from lecturelab.models.tagger import META_FILE, KeyphraseTagger
from lecturelab.tokenizer import load_tokenizer, tokenizer_id
from lecturelab.training.levers import token_loss, weight_ema
from lecturelab.training.run_logger import RunLogger
from lecturelab.training.strategy import build_strategy, is_chief, is_multi_worker

log = logging.getLogger(__name__)


def load_manifest(cfg, records: str | Path | None = None) -> dict:
    """The manifest of the TFRecords in ``records`` (default ``paths.processed_dir``); ValueError when they
    were built for other ``data.max_length / stride / label_all_subwords`` or another tokenizer (stale)."""
    path = Path(records or cfg.paths.processed_dir) / "manifest.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run the build_records stage first (`dvc repro build_records`)")
    manifest = json.loads(path.read_text())
    for key in ("max_length", "stride", "label_all_subwords"):
        if manifest[key] != cfg.data[key]:
            raise ValueError(f"{path}: records were built with {key}={manifest[key]} but data.{key}="
                             f"{cfg.data[key]}; rerun build_records")
    if manifest["model"] != cfg.model.name:
        if manifest["tokenizer"] != tokenizer_id(cfg.model):
            raise ValueError(f"{path}: records were tokenized for model '{manifest['model']}', "
                             f"not '{cfg.model.name}'; rerun build_records")
    return manifest


class EpochEval:
    """Validation after every epoch: entity F1 and F1@M, best checkpoint, early stopping, history.

    Kept as plain state + a Keras callback factory so the bookkeeping is testable without Keras.
    """

    def __init__(self, cfg, tagger, val_rows, logger: RunLogger, examples_per_epoch: int, exact: bool,
                 chief: bool = True, ema=None):
        self.cfg, self.tagger, self.val_rows, self.logger, self.chief = cfg, tagger, val_rows, logger, chief
        self.ema = ema   # a levers.weight_ema callback (trainer.ema_decay): epochs are scored and saved on its average
        self.out = Path(cfg.paths.output_dir)
        self.ckpt_dir = self.out / "best_epoch"
        self.state_file = self.out / "state.json"
        self.examples, self.exact = examples_per_epoch, exact
        self.state = {"best": -1.0, "best_epoch": -1, "wait": 0, "history": []}
        self.best_probs = None
        if cfg.trainer.resume and self.state_file.is_file():
            self.state = json.loads(self.state_file.read_text())

    def keras_callback(self):
        import tensorflow as tf

        outer = self

        class _Callback(tf.keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                outer.rewind(epoch)
                self.t0 = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                # validation and the saved checkpoint see the averaged weights when trainer.ema_decay is set
                with outer.ema.averaged() if outer.ema is not None else nullcontext():
                    stop = outer.end_epoch(epoch, float((logs or {}).get("loss", float("nan"))),
                                           time.perf_counter() - self.t0)
                if stop:
                    self.model.stop_training = True

        return _Callback()

    def rewind(self, epoch: int) -> None:
        """Forget epochs at or after ``epoch`` (0-based): a resumed run repeats what the backup lacks."""
        hist = [h for h in self.state["history"] if h["epoch"] <= epoch]
        if len(hist) == len(self.state["history"]):
            return
        self.state["speed"] = [h for h in self.state.get("speed", []) if h["epoch"] <= epoch]
        monitor, best, wait, best_row = self.cfg.trainer.monitor, -1.0, 0, None
        for h in hist:
            if h[monitor] > best:
                best, wait, best_row = h[monitor], 0, h
            else:
                wait += 1
        self.state.update(history=hist, best=best, wait=wait, best_row=best_row,
                          best_epoch=best_row["epoch"] if best_row else -1)

    def end_epoch(self, epoch: int, loss: float, train_seconds: float) -> bool:
        """Score the epoch, keep the best checkpoint; returns True when training should stop."""
        t0 = time.perf_counter()
        probs = self.tagger.word_probs([r["tokens"] for r in self.val_rows])
        scores = score_probs(probs, self.val_rows, decoding=self.cfg.trainer.get("decoding", "greedy"))
        row = {"epoch": epoch + 1, "train/loss": loss, **{f"val/{k}": v for k, v in scores.items()}}
        # timings depend on the machine: logged and kept in `speed`, never in the history that DVC tracks
        speed = {"epoch": epoch + 1, "train/seconds": round(train_seconds, 1),
                 "train/examples_per_s": round(self.examples / train_seconds, 2),
                 "val/seconds": round(time.perf_counter() - t0, 1)}
        self.state.setdefault("speed", []).append(speed)
        monitor = self.cfg.trainer.monitor
        improved = row[monitor] > self.state["best"]
        if improved:
            self.state.update(best=row[monitor], best_epoch=epoch + 1, wait=0, best_row=row)
            self.best_probs = probs
            if self.chief:
                with atomic_dir(self.ckpt_dir) as tmp:
                    self.tagger.save(tmp)
        else:
            self.state["wait"] += 1
        row[f"{monitor}_best"] = self.state["best"]
        self.state["history"].append(row)
        if self.chief:
            write_json(self.state_file, self.state)
        self.logger.log(row | speed, step=epoch + 1)
        approx = "" if self.exact else "~"
        print(f"epoch {epoch + 1}: loss {loss:.4f}  val/f1 {row['val/f1']:.4f}  val/f1_at_m "
              f"{row['val/f1_at_m']:.4f}  {approx}{speed['train/examples_per_s']:.1f} examples/s  "
              f"train {train_seconds:.0f}s val {speed['val/seconds']:.0f}s{'  *best*' if improved else ''}",
              flush=True)
        return self.state["wait"] >= self.cfg.trainer.early_stopping_patience


def train(cfg, records: str | Path | None = None) -> dict:
    """Fine-tune ``cfg.model`` on the TFRecords; returns the best validation metrics.

    Writes ``paths.output_dir/{best_epoch,state.json,backup}`` while training, then publishes the
    best epoch (with the validation-tuned O-bias) to ``paths.best_dir`` and metrics to ``paths.metrics_dir``.
    """
    import tensorflow as tf  # deferred: heavy, and not needed to import this module
    from transformers import create_optimizer

    strategy = build_strategy(cfg.strategy)  # first: multi-worker needs it before other TF ops
    chief = is_chief(strategy)  # worked out once: this process writes checkpoints, metrics and logs
    tf.keras.utils.set_random_seed(cfg.seed)
    records = Path(records or cfg.paths.processed_dir)
    manifest = load_manifest(cfg, records)
    t_cfg, d_cfg = cfg.trainer, cfg.data
    out = Path(cfg.paths.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    tok = load_tokenizer(cfg.model)

    n_train = manifest["splits"]["train"]["windows"]
    global_bs = t_cfg.batch_size * strategy.num_replicas_in_sync
    full_steps = math.ceil(n_train / global_bs)
    # one exact pass per epoch on one worker; workers of a cluster must agree on a step count
    exact = t_cfg.max_steps_per_epoch is None and not is_multi_worker(strategy)
    steps = min(full_steps, t_cfg.max_steps_per_epoch or full_steps)
    files = [str(records / s) for s in manifest["splits"]["train"]["shards"]]
    dataset = strategy.distribute_datasets_from_function(
        lambda ctx: _dataset(files, tok.pad_token_id, global_bs, cfg.seed, t_cfg.bucket_by_length,
                             repeat=not exact, ctx=ctx))
    val_rows = read_jsonl(Path(cfg.paths.interim_dir) / "val.jsonl")

    with strategy.scope():
        model = build_model(cfg.model)
        total = steps * t_cfg.epochs
        optimizer, _ = create_optimizer(init_lr=t_cfg.learning_rate, num_train_steps=total,
                                        num_warmup_steps=int(t_cfg.warmup_ratio * total),
                                        weight_decay_rate=t_cfg.weight_decay)
        if t_cfg.label_smoothing or t_cfg.class_weights is not None:   # else the HF model's own masked loss
            model.hf_compute_loss = token_loss(len(LABELS), t_cfg.label_smoothing, t_cfg.class_weights)
        model.compile(optimizer=optimizer)  # no Keras loss: the model computes its token loss itself

    logger = RunLogger(cfg, enabled=chief)
    tagger = KeyphraseTagger(model, tok, d_cfg.max_length, d_cfg.stride)
    examples = n_train if exact else steps * global_bs
    ema = weight_ema(t_cfg.ema_decay) if t_cfg.ema_decay is not None else None
    evaluator = EpochEval(cfg, tagger, val_rows, logger, examples, exact, chief, ema)
    backup = out / "backup"
    if not t_cfg.resume:
        shutil.rmtree(backup, ignore_errors=True)
    # the backup is written before validation, so a run killed during validation resumes after that epoch
    # order matters: the backup restores (train begin) before the EMA starts from the weights, and saves the
    # trained weights (epoch end) before the evaluator swaps the average in
    callbacks = [tf.keras.callbacks.BackupAndRestore(str(backup)), *([ema] if ema else []),
                 evaluator.keras_callback()]
    t0 = time.perf_counter()
    try:
        # verbose=0: EpochEval prints one line per epoch (loss, val metrics, throughput); Keras's own
        # "Epoch 1/6" + "76/76 - 181s - loss: ..." lines said the same thing twice
        model.fit(dataset, epochs=t_cfg.epochs, steps_per_epoch=None if exact else steps,
                  callbacks=callbacks, verbose=0)
        state = evaluator.state
        if state["best_epoch"] < 0:
            raise RuntimeError("training ran no epoch; nothing to publish")
        summary = {"best_epoch": state["best_epoch"], "epochs_run": len(state["history"]),
                   "examples_per_epoch": examples, "global_batch_size": global_bs,
                   "replicas": strategy.num_replicas_in_sync}
        epochs = state.get("speed") or [{"train/examples_per_s": 0.0}]
        speed = {"train_seconds": round(time.perf_counter() - t0, 1),
                 "train/examples_per_s": round(sum(h["train/examples_per_s"] for h in epochs) / len(epochs), 2),
                 "epochs": state.get("speed", [])}
        summary |= {k: v for k, v in state["best_row"].items() if k.startswith("val/")}
        summary[f"{t_cfg.monitor}_best"] = state["best"]
        if chief:
            summary |= _publish(cfg, evaluator)
            mdir = Path(cfg.paths.metrics_dir)
            write_json(mdir / "train.json", summary)
            write_json(mdir / "train_history.json", state["history"])
            # machine-dependent figures in their own file, outside metrics/ and DVC (see dvc.yaml)
            write_json(Path(cfg.paths.speed_dir) / "train_speed.json", speed)
            logger.summary(summary | {k: v for k, v in speed.items() if k != "epochs"})
    except BaseException:
        logger.finish(exit_code=1)
        raise
    logger.finish()
    return summary


def _dataset(files, pad_id, global_bs, seed, bucket, repeat, ctx):
    return make_dataset(files, pad_id, global_bs, shuffle=True, seed=seed, bucket_by_length=bucket,
                        repeat=repeat, input_context=ctx)


def training_glossary(cfg, top: int = 200) -> list[str]:
    """The most frequent training keyphrases (by document count), lower-cased: the model's vocabulary,
    which the lecture processor can give Whisper as hot words (`transcriber.glossary=model`)."""
    counts: Counter[str] = Counter()
    for row in read_jsonl(Path(cfg.paths.interim_dir) / "train.jsonl"):
        spans = gold_spans(row["tags"])
        counts.update({" ".join(s.words(row["tokens"])).lower() for s in spans})
    # ties alphabetically: most_common keeps insertion order, which follows set order, which follows
    # PYTHONHASHSEED, so two runs wrote the same glossary in different orders (models/best bytes differed)
    return [p for p, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]


def _publish(cfg, evaluator: EpochEval) -> dict:
    """Tune the O-bias on validation for the best epoch and publish it atomically to paths.best_dir."""
    probs = evaluator.best_probs
    if probs is None:  # resumed after the best epoch: recompute from its checkpoint
        probs = KeyphraseTagger.load(evaluator.ckpt_dir).word_probs([r["tokens"] for r in evaluator.val_rows])
    decoding = cfg.trainer.get("decoding", "greedy")
    bias, curve = tune_o_bias(probs, evaluator.val_rows, decoding=decoding)
    tuned = dict(curve)[bias]
    meta_file = evaluator.ckpt_dir / META_FILE
    meta = json.loads(meta_file.read_text())
    meta |= {"o_bias": bias, "decoding": decoding, "best_epoch": evaluator.state["best_epoch"], "model": cfg.model.name,
             "val": {k: round(v, 4) for k, v in tuned.items()}}
    write_json(meta_file, meta)
    write_text(evaluator.ckpt_dir / "glossary.txt", "\n".join(training_glossary(cfg)) + "\n")
    with atomic_dir(cfg.paths.best_dir) as tmp:
        shutil.copytree(evaluator.ckpt_dir, tmp, dirs_exist_ok=True)
    print(f"best epoch {evaluator.state['best_epoch']}: o_bias {bias} -> val/f1 {tuned['f1']:.4f} "
          f"val/f1_at_m {tuned['f1_at_m']:.4f}; published to {cfg.paths.best_dir}", flush=True)
    return {"o_bias": bias, "val/tuned_f1": tuned["f1"], "val/tuned_f1_at_m": tuned["f1_at_m"]}
