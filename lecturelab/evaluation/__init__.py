"""Scoring keyphrases: F1@M / F1@k and seqeval (metrics.py, scoring.py), the evaluate stage (evaluate.py) and
`lecturelab evaluate` on any BIO file (cli.py)."""
