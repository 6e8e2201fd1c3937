"""Print the test metrics table written by the evaluate stage: model beside the YAKE baseline."""

import json
import sys
from pathlib import Path

ROWS = [("seqeval entity F1", "f1"), ("F1@5", "f1_at_5"), ("F1@10", "f1_at_10"), ("F1@M", "f1_at_m"),
        ("P@M", "precision_at_m"), ("R@M", "recall_at_m")]


def main(path: str = "metrics/test.json") -> int:
    p = Path(path)
    if not p.is_file():
        print(f"{p}: not found (run `dvc repro`)", file=sys.stderr)
        return 1
    m = json.loads(p.read_text())
    print(f"\n{m['split']} split, {m['docs']} documents, model {m.get('model')} (o_bias {m.get('o_bias')})")
    print(f"{'metric':<20}{'model':>10}{'YAKE':>10}")
    for name, key in ROWS:
        y = m.get(f"yake/{key}")
        print(f"{name:<20}{m[f'test/{key}']:>10.4f}{'' if y is None else f'{y:>10.4f}':>10}")
    if m.get("train/examples_per_s"):
        print(f"training throughput: {m['train/examples_per_s']} examples/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
