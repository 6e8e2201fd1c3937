"""Training levers (lecturelab.training.levers): the smoothed / weighted token loss and the weight EMA.
Their config checks are in tests/test_config.py, their wiring into train() in tests/test_pipeline.py."""

from __future__ import annotations

import numpy as np
import pytest

from lecturelab.console import import_tensorflow
from lecturelab.training.levers import token_loss, weight_ema

tf = import_tensorflow()


def _batch(seed: int = 0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(2, 5, 3)).astype(np.float32)
    labels = rng.integers(0, 3, size=(2, 5)).astype(np.int32)
    labels[0, 1] = labels[1, 4] = -100   # sub-word pieces / padding
    return labels, logits


def _log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def test_token_loss_without_levers_is_transformers_loss():
    from transformers.modeling_tf_utils import TFTokenClassificationLoss

    class Cfg:
        tf_legacy_loss = False

    hf = TFTokenClassificationLoss()
    hf.config = Cfg()
    labels, logits = _batch()
    ours = token_loss(3)(tf.constant(labels), tf.constant(logits))
    assert ours.shape == (1,)
    assert float(ours[0]) == pytest.approx(float(hf.hf_compute_loss(tf.constant(labels), tf.constant(logits))[0]),
                                           rel=1e-6)


@pytest.mark.parametrize("eps, weights", [(0.1, None), (0.0, [0.5, 2.0, 1.5]), (0.2, [1.0, 3.0, 2.0])])
def test_token_loss_smoothing_and_weights_follow_the_formula(eps, weights):
    labels, logits = _batch(1)
    w = np.array(weights or [1.0, 1.0, 1.0])
    logp = _log_softmax(logits.astype(np.float64))
    keep = labels >= 0
    gold = np.where(keep, labels, 0)
    per = -(1 - eps) * np.take_along_axis(logp, gold[..., None], -1)[..., 0] - eps * logp.mean(-1)
    expected = (per * w[gold] * keep).sum() / (w[gold] * keep).sum()
    got = float(token_loss(3, eps, weights)(tf.constant(labels), tf.constant(logits))[0])
    assert got == pytest.approx(expected, rel=1e-5)


def test_token_loss_rejects_bad_settings():
    with pytest.raises(ValueError, match="class_weights"):
        token_loss(3, 0.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="label_smoothing"):
        token_loss(3, 1.0)


def test_weight_ema_tracks_the_average_and_swaps_it_in_only_inside_averaged():
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
    x, y = np.random.default_rng(0).normal(size=(32, 4)), np.zeros((32, 2))
    start = [v.numpy() for v in model.trainable_variables]
    seen = []

    class Record(tf.keras.callbacks.Callback):   # the weights after each step, in order
        def on_train_batch_end(self, batch, logs=None):
            seen.append([v.numpy() for v in self.model.trainable_variables])

    ema = weight_ema(0.9)
    model.fit(x, y, batch_size=8, epochs=2, callbacks=[ema, Record()], verbose=0, shuffle=False)
    shadow = [np.zeros_like(w) for w in start]
    for ws in seen:
        shadow = [0.9 * s + 0.1 * w for s, w in zip(shadow, ws, strict=True)]
    expected = [s / (1 - 0.9 ** len(seen)) for s in shadow]   # bias-corrected: the start has no weight
    trained = [v.numpy() for v in model.trainable_variables]
    with ema.averaged():
        inside = [v.numpy() for v in model.trainable_variables]
    for a, b in zip(inside, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not np.allclose(inside[0], trained[0])
    for a, b in zip(trained, (v.numpy() for v in model.trainable_variables), strict=True):
        np.testing.assert_array_equal(a, b)   # the trained weights are back
    with pytest.raises(ValueError, match="ema_decay"):
        weight_ema(1.0)
