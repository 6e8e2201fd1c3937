"""The train stage and its parts: training loop (train.py), tf.distribute strategy (strategy.py), Optuna
sweeps (sweep.py), run comparison (compare.py), promoting the best checkpoint (promote.py), W&B logging."""
