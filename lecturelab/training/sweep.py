"""Sweeps: a search space checked before any trial starts (a Hydra callback), a resumed Optuna study
checked against the sweep's distributions, each trial's run folder recorded in the study so the best
trial is found whichever sweep folder it ran in, and W&B runs grouped per sweep.

What every Hydra run needs lives beside it: `records_cache.ensure_records` (records for the run's
tokenizer and window sizes) and `task.task_wrapper` (a crashed run recorded as failed)."""

from __future__ import annotations

import functools
import logging
import math
from pathlib import Path

import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from lecturelab.io import write_text

log = logging.getLogger(__name__)
_MISSING = object()


# --- the search space, checked once in the launching process -------------------------------------------

def search_space_keys(config: DictConfig) -> dict[str, list]:
    """Config key -> candidate values, from ``hydra.sweeper.params`` and the sweep overrides on the
    command line (``model=a,b``). A range / interval gives its two end points."""
    params = config.hydra.sweeper.get("params") or {}
    args = [f"{k}={v}" for k, v in params.items()]
    args += [str(o) for o in config.hydra.overrides.task]
    out: dict[str, list] = {}
    for o in OverridesParser.create().parse_overrides(args):
        if o.is_add() or o.is_delete() or o.is_force_add():
            continue  # `+key=` adds a key on purpose; `~key` removes one
        if not o.is_sweep_override():
            values = [o.value()]
        elif o.is_choice_sweep() or o.is_range_sweep():
            values = list(o.sweep_iterator())
        else:  # interval(a, b)
            values = [o.value().start, o.value().end]
        out[o.get_key_element()] = values
    return out


def check_search_space(config: DictConfig, group_options=None) -> None:
    """Raise a ValueError naming every search-space key that the config lacks, and every config-group
    choice (``model=...``) that has no file, with the allowed keys / choices."""
    errors = []
    for key, values in search_space_keys(config).items():
        if key.startswith("hydra."):
            continue
        options = group_options(key) if group_options else []
        if options:  # a config group such as `model`
            bad = [v for v in values if str(v) not in options]
            if bad:
                errors.append(f"'{key}': no config {bad} in conf/{key}/ (choose from {options})")
            continue
        if OmegaConf.select(config, key, default=_MISSING, throw_on_missing=False) is _MISSING:
            parent, _, leaf = key.rpartition(".")
            node = OmegaConf.select(config, parent) if parent else config
            known = sorted(node.keys()) if isinstance(node, DictConfig) else []
            where = f"'{parent}' has {known}" if known else f"no config node '{parent or key}'"
            errors.append(f"'{key}': no key '{leaf}' in the config ({where})")
    if errors:
        raise ValueError("search space refers to what the config lacks (no trial was started):\n  "
                         + "\n  ".join(errors))


class CheckSearchSpace(Callback):
    """Hydra callback (``hydra.callbacks``): validates the sweep before the sweeper starts any trial and
    creates the folder of a SQLite study storage; after an Optuna sweep, records each trial's run folder in
    the study and names the best trial's in ``optimization_results.yaml`` (`record_trial_runs`).

    Hydra turns a callback's exceptions into warnings, so a bad search space exits here (SystemExit)."""

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        from hydra.core.global_hydra import GlobalHydra

        loader = GlobalHydra.instance().config_loader()
        storage = config.hydra.sweeper.get("storage")
        if isinstance(storage, str) and storage.startswith("sqlite:///"):
            Path(storage.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            check_search_space(config, functools.partial(_group_options, loader))
            earlier = check_study(config) if storage and "optuna" in config.hydra.sweeper._target_ else 0
        except ValueError as e:
            raise SystemExit(f"error: {e}") from None
        sampler = config.hydra.sweeper.get("sampler")
        if earlier and sampler is not None and sampler.get("seed") is not None:
            # a re-seeded sampler would replay the study's first (random start-up) trials; the sweeper
            # is built from this config after the callback, so shift its seed by the trials so far
            with read_write(sampler), open_dict(sampler):
                sampler.seed = int(sampler.seed) + earlier
            log.info("resuming study with %d trials: sampler seed %d", earlier, sampler.seed)


    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        sweeper = config.hydra.sweeper
        if sweeper.get("storage") and "optuna" in str(sweeper.get("_target_", "")):
            record_trial_runs(config)


def _run_params(run: Path) -> dict:
    """``key -> value`` of the overrides a Hydra run was started with (``.hydra/overrides.yaml``)."""
    parsed = OverridesParser.create().parse_overrides(yaml.safe_load((run / ".hydra" / "overrides.yaml").read_text()))
    return {o.get_key_element(): o.value() for o in parsed if not o.is_sweep_override()}


def _same(a, b) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)
    return str(a) == str(b)


RUN_ATTR = "run:"   # study user attribute "run:<trial number>" -> the trial's run folder


def record_trial_runs(config: DictConfig) -> Path | None:
    """After a sweep: find the run folder of each of its trials (the folder under ``hydra.sweep.dir`` whose
    overrides are the trial's parameters), store it in the study (user attribute ``run:<number>``), and
    add ``best_trial``, ``best_run`` and ``metric`` to ``optimization_results.yaml``.

    A resumed study's best trial may have run in an earlier sweep's folder; ``best_run`` names it, and
    `lecturelab.training.compare.find_runs` (so ``compare`` and ``promote``) includes it. Returns the
    best run folder, or None when the study has no finished trial or its folder is unknown.
    """
    import optuna

    sw = config.hydra.sweeper
    study = optuna.load_study(study_name=sw.study_name, storage=sw.storage)
    known = {k.removeprefix(RUN_ATTR): v for k, v in study.user_attrs.items() if k.startswith(RUN_ATTR)}
    sweep_dir = Path(config.hydra.sweep.dir).resolve()
    runs = sorted((p.parent.parent for p in sweep_dir.glob("*/.hydra/overrides.yaml")),
                  key=lambda p: (len(p.name), p.name))
    free = [(run, _run_params(run)) for run in runs if str(run) not in known.values()]
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,
                                                          optuna.trial.TrialState.FAIL)):
        if str(trial.number) in known or not trial.params:
            continue
        for i, (run, params) in enumerate(free):
            if all(k in params and _same(params[k], v) for k, v in trial.params.items()):
                study.set_user_attr(f"{RUN_ATTR}{trial.number}", str(run))
                known[str(trial.number)] = str(run)
                del free[i]
                break
    try:
        best = study.best_trial
    except ValueError:   # no complete trial
        return None
    best_run = known.get(str(best.number))
    results = sweep_dir / "optimization_results.yaml"
    if results.is_file():
        data = yaml.safe_load(results.read_text()) or {}
        data |= {"best_trial": best.number, "best_run": best_run,
                 "metric": OmegaConf.select(config, "trainer.monitor", default=None)}
        write_text(results, yaml.safe_dump(data, sort_keys=False))
    if best_run is None:
        log.warning("best trial %d: its run folder is not known (it ran outside %s)", best.number, sweep_dir)
        return None
    log.info("best trial %d ran in %s", best.number, best_run)
    return Path(best_run)


def best_runs_named(folder: Path) -> list[Path]:
    """Run folders named ``best_run`` by the ``optimization_results.yaml`` files at or below ``folder``
    (a resumed sweep's best trial may have run in an earlier sweep's folder)."""
    out = []
    for results in folder.rglob("optimization_results.yaml"):
        try:
            best = (yaml.safe_load(results.read_text()) or {}).get("best_run")
        except (OSError, yaml.YAMLError):
            continue
        if best and (Path(best) / ".hydra" / "config.yaml").is_file():
            out.append(Path(best))
    return out


def check_study(config: DictConfig) -> int:
    """An existing study must have been sampled from the same distributions (Optuna refuses a changed
    ``choice(...)`` mid-study, after it has already created the trial). Returns its number of trials."""
    import optuna
    from hydra_plugins.hydra_optuna_sweeper._impl import create_params_from_overrides

    sw = config.hydra.sweeper
    try:
        study = optuna.load_study(study_name=sw.study_name, storage=sw.storage)
    except KeyError:
        return 0  # a new study
    args = [f"{k}={v}" for k, v in (sw.get("params") or {}).items()] + list(config.hydra.overrides.task)
    dists, fixed = create_params_from_overrides(args)
    errors, running = [], 0
    for trial in study.get_trials(deepcopy=False):
        running += trial.state == optuna.trial.TrialState.RUNNING
        for key, old in trial.distributions.items():
            if key in dists and key not in fixed:
                try:
                    optuna.distributions.check_distribution_compatibility(old, dists[key])
                except ValueError:
                    errors.append(f"'{key}': the study sampled {old}, this sweep asks {dists[key]}")
    if errors:
        raise ValueError(f"study '{sw.study_name}' in {sw.storage} was run with another search space "
                         "(use another hydra.sweeper.study_name, or the study's space):\n  "
                         + "\n  ".join(dict.fromkeys(errors)))
    log.info("study '%s': %d earlier trials (%d still RUNNING: on another machine, or left by a killed "
             "sweep)", sw.study_name, len(study.trials), running)
    return len(study.trials)


def _group_options(loader, key: str) -> list[str]:
    if key.startswith(("hydra.", "hydra/")):
        return []
    return loader.get_group_options(key.replace(".", "/"))


# --- W&B grouping per sweep ------------------------------------------------------------------

def tag_sweep_run(cfg, hydra_cfg) -> None:
    """In a multirun, group W&B runs by sweep (the Optuna study name, else the sweep folder) and tag
    each with its job number, so the W&B UI compares a sweep's runs side by side."""
    if hydra_cfg.mode != RunMode.MULTIRUN or cfg.logger.name != "wandb":
        return
    study = hydra_cfg.sweeper.get("study_name")
    group = cfg.logger.get("group") or (study or f"multirun-{Path(hydra_cfg.sweep.dir).name}")
    with open_dict(cfg):
        cfg.logger.group = group
        cfg.logger.tags = [*cfg.logger.get("tags", []), "sweep", group, f"job-{hydra_cfg.job.num}"]
