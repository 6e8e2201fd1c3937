"""Write params.yaml from conf/train.yaml exactly as `dvc exp run` does (DVC's own Hydra composition).

    python scripts/compose_params.py [override ...] [--out params.yaml]
    make params ARGS="model=tiny trainer.epochs=3"

The composed config is checked against the schema every stage uses (`lecturelab.config`) before it
replaces params.yaml; a bad choice, override or value is one line on stderr and exit status 2, and
params.yaml is left as it was.
"""

import argparse
import sys
from pathlib import Path

from dvc.utils.hydra import compose_and_dump
from hydra.errors import HydraException, MissingConfigException
from omegaconf import OmegaConf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from a checkout

from lecturelab.config import CONF_DIR, STAGE_SECTIONS, ConfigError, validate  # noqa: E402
from lecturelab.io import atomic_write  # noqa: E402


def compose_checked(out: Path, overrides: list[str]) -> None:
    """Compose into ``out`` and validate it for every stage (raises ConfigError / HydraException)."""
    compose_and_dump(str(out), str(CONF_DIR), None, "train", str(ROOT / ".dvc" / "plugins"), overrides)
    cfg = OmegaConf.load(out)
    for stage in STAGE_SECTIONS:
        validate(cfg, stage, source="composed config")


def hydra_message(e: HydraException) -> str:
    """One line from Hydra's several: the group, the bad choice and the allowed ones."""
    if isinstance(e, MissingConfigException) and e.missing_cfg_file and e.options:
        group, _, choice = e.missing_cfg_file.rpartition("/")
        return (f"{group}={choice}: no conf/{e.missing_cfg_file}.yaml "
                f"(choose one of: {', '.join(sorted(e.options))})")
    lines = [ln.strip() for ln in str(e).split("Config search path")[0].splitlines() if ln.strip()]
    return " ".join(ln if ln[-1] in ".:;" else ln + "." for ln in lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("overrides", nargs="*")
    ap.add_argument("--out", default=str(ROOT / "params.yaml"))
    a = ap.parse_args(argv)
    try:
        atomic_write(a.out, lambda tmp: compose_checked(tmp, a.overrides))
    except HydraException as e:
        print(f"compose_params: {hydra_message(e)}", file=sys.stderr)
        return 2
    except ConfigError as e:
        print(f"compose_params: {e}", file=sys.stderr)
        return 2
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
