"""Write params.yaml from conf/train.yaml exactly as `dvc exp run` does (DVC's own Hydra composition).

    python scripts/compose_params.py [override ...] [--out params.yaml]
"""

import argparse
from pathlib import Path

from dvc.utils.hydra import compose_and_dump

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("overrides", nargs="*")
    ap.add_argument("--out", default=str(ROOT / "params.yaml"))
    a = ap.parse_args()
    compose_and_dump(a.out, str(ROOT / "conf"), None, "train", str(ROOT / ".dvc" / "plugins"), a.overrides)
    print(f"wrote {a.out}")
