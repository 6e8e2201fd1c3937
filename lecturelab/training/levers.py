"""Training levers beyond the recipe, each off by default (3-seed measurements: docs/experiments.md):
label smoothing and per-class weights in the token loss, and an exponential moving average of the weights.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager


def token_loss(num_labels: int, label_smoothing: float = 0.0, class_weights: Sequence[float] | None = None):
    """A drop-in for transformers' ``TFTokenClassificationLoss.hf_compute_loss(labels, logits)``.

    ``labels``: int (batch, seq), -100 (sub-word pieces, padding) ignored; ``logits``: (batch, seq,
    ``num_labels``). Returns shape (1,), as transformers' does: the weighted mean over labelled tokens of
    the cross-entropy against a smoothed target, (1 - eps) one-hot + eps / K uniform (label smoothing,
    Szegedy et al. 2016, "Rethinking the Inception Architecture for Computer Vision", sec. 7), each token
    weighted by its gold class's weight (``class_weights`` in label order O, B, I; None: all 1). With
    eps 0 and no weights it equals transformers' loss. Raises ValueError for eps outside [0, 1) or a
    weight list of the wrong length or with a weight <= 0.
    """
    import tensorflow as tf

    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing={label_smoothing}: expected a float in [0, 1)")
    weights = list(class_weights) if class_weights is not None else [1.0] * num_labels
    if len(weights) != num_labels or min(weights) <= 0:
        raise ValueError(f"class_weights={weights}: expected {num_labels} floats > 0 (label order O, B, I)")
    w = tf.constant(weights, tf.float32)

    def loss(labels, logits):
        mask = tf.cast(labels >= 0, tf.float32)
        gold = tf.maximum(labels, 0)
        logp = tf.nn.log_softmax(tf.cast(logits, tf.float32), axis=-1)
        nll = -tf.reduce_sum(tf.one_hot(gold, num_labels) * logp, axis=-1)
        per_token = (1.0 - label_smoothing) * nll - label_smoothing * tf.reduce_mean(logp, axis=-1)
        weight = tf.gather(w, gold) * mask
        return tf.reshape(tf.reduce_sum(per_token * weight) / tf.maximum(tf.reduce_sum(weight), 1e-9), (1,))

    return loss


def weight_ema(decay: float):
    """A Keras callback keeping an exponential moving average (EMA) of the model's trainable weights,
    updated after every training step: ``s = decay * s + (1 - decay) * w`` from ``s = 0``, read as
    ``s / (1 - decay ** t)`` after t steps (the bias correction of Adam, Kingma and Ba 2015, sec. 3), so the
    pretrained start carries no weight and the average spans about ``1 / (1 - decay)`` steps whatever the
    run's length (0.99: the last ~100 steps, 1.4 epochs of the default Inspec run's 73). ``averaged()`` is
    a context manager that puts the average in the model and the trained weights back on leaving:
    validation and the saved checkpoint use the average, training goes on from the trained weights
    (Polyak and Juditsky 1992). The average is not in Keras's backup: a resumed run (``trainer.resume``)
    starts it again from the restored weights, so its first epochs after the resume are scored on a
    shorter average. Raises ValueError for a decay outside (0, 1).
    """
    import tensorflow as tf

    if not 0.0 < decay < 1.0:
        raise ValueError(f"ema_decay={decay}: expected a float in (0, 1), e.g. 0.99")

    class WeightEMA(tf.keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            # after BackupAndRestore's on_train_begin (it comes first in the callback list): a resumed run
            # averages from the restored weights
            with self.model.distribute_strategy.scope():
                self.shadow = [tf.Variable(tf.zeros_like(v), trainable=False) for v in self.model.trainable_variables]
                self.steps = tf.Variable(0.0, trainable=False)
            self._update = tf.function(self._update_eager)

        def _update_eager(self):
            self.steps.assign_add(1.0)
            for s, v in zip(self.shadow, self.model.trainable_variables, strict=True):
                s.assign(decay * s + (1.0 - decay) * v)

        def on_train_batch_end(self, batch, logs=None):
            self._update()

        @contextmanager
        def averaged(self) -> Iterator[None]:
            if float(self.steps.numpy()) == 0:   # no step yet: the weights are their own average
                yield
                return
            trained = [v.read_value() for v in self.model.trainable_variables]
            correction = 1.0 - decay ** float(self.steps.numpy())
            for s, v in zip(self.shadow, self.model.trainable_variables, strict=True):
                v.assign(s / correction)
            try:
                yield
            finally:
                for t, v in zip(trained, self.model.trainable_variables, strict=True):
                    v.assign(t)

    return WeightEMA()
