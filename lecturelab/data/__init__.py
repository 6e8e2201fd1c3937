"""Data stages: BIO files -> JSONL (prepare.py) -> TFRecord windows and their manifest (records.py)."""
