"""Lever search: the policy settings that do best on the declared outcomes.

A search file names *levers* (a dimension's rule, or a rule's parameter with a
range), *objectives* (a declared outcome of :data:`loyaltysim.outcomes.OUTCOMES`
summarised over the replications: its mean, a quantile or its lower-tail mean,
the CVaR) and *constraints* (the same, bounded). Optuna (Akiba et al. 2019)
proposes the candidates: TPE (Bergstra et al. 2011) for one objective, NSGA-II
(Deb et al. 2002) for several, both with Optuna's constraint handling.

Every candidate runs on the same replication seeds (replication ``r`` on child
``r`` of the search's seed, as in :func:`loyaltysim.compare`), so candidates
are compared on common random numbers and a candidate's TOML file, run by
``loyaltysim compare --scenario FILE --seed SEED --replications R``, gives the
numbers the search recorded. The same seed drives the sampler: trial ``n``
is proposed by a sampler seeded with child ``n`` of the sampler's stream, so a
search stopped and resumed proposes what an uninterrupted one would.

A search file::

    [search]
    name = "threshold"
    seed = 2026
    trials = 40            # candidates in all (a rerun with more continues)
    replications = 4       # paired replications of every candidate
    sampler = "auto"       # tpe (one objective), nsga2 (several), or auto

    [scenario]             # the market (as in a scenario file)
    n_customers = 5000

    [policy]               # the rules not searched (a [policy] table)
    claims = "threshold"

    [levers]
    claims_threshold_usd = { low = 5, high = 2000, log = true }
    recovery = { choices = ["none", "escalate"] }
    recovery_capacity_per_1000 = { low = 0.5, high = 20 }   # used when recovery = "escalate"

    [objectives]
    npv = { outcome = "npv_usd" }                                   # mean, maximised
    npv_cvar10 = { outcome = "npv_usd", statistic = "cvar", share = 0.1 }
    accusations = { outcome = "false_accusations" }                 # minimised

    [constraints]
    wom = { outcome = "wom_balance", at_least = 0 }

:func:`search` runs it into a folder (resumable): ``trials.csv`` and
``trials.parquet`` (every candidate), ``best.csv`` (the best feasible candidate,
or the feasible Pareto front), ``candidates/trial_NNNN.toml`` (each of those as
a scenario file with its ``[policy]``), ``levers.png`` (each lever against the
first objective), ``pareto.png`` (two objectives or more), ``report.md``; the
Optuna study is ``search.db`` (SQLite) beside ``search.json``, the definition.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from loyaltysim._io import check_writable, read_toml, write_atomic
from loyaltysim.errors import LoyaltysimError, ParameterError, ScenarioFileError, brief
from loyaltysim.experiments.definition import Experiment
from loyaltysim.experiments.execution import collect, progress_bar
from loyaltysim.experiments.store import FolderLock
from loyaltysim.outcomes import OUTCOMES, Direction
from loyaltysim.params import (
    MAX_RUNS,
    RAISE_MAX_RUNS,
    ParameterSpec,
    at_most,
    check_known,
    close_match,
    format_number,
    whole_number,
)
from loyaltysim.policies import DIMENSIONS, Policy
from loyaltysim.policies.contract import rule_parameter_specs, rule_parameters
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import as_seed_sequence, stream
from loyaltysim.statistics import tail_mean
from loyaltysim.style import DPI, styled, thousands_ticks

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "SAMPLERS",
    "STATISTICS",
    "Lever",
    "Objective",
    "Search",
    "SearchResult",
    "candidate_toml",
    "lever_applies",
    "plot_levers",
    "plot_pareto",
    "policy_with_levers",
    "ranked_policies",
    "render_report",
    "replications",
    "search",
    "trials_done",
    "trials_table",
]

#: Samplers a search may use (``auto``: TPE for one objective, NSGA-II for several).
SAMPLERS = ("auto", "tpe", "nsga2")
#: How an outcome's replications are summarised: their mean, a quantile, the tail mean (CVaR).
STATISTICS = ("mean", "quantile", "cvar")
#: Stream of the root seed that seeds the sampler (replications use children 0, 1, ...).
SAMPLER_STREAM = 2**31 - 2
#: Files a search writes besides its study (``search.db``) and definition (``search.json``).
OUTPUTS = (
    "trials.csv",
    "trials.parquet",
    "best.csv",
    "levers.png",
    "pareto.png",
    "report.md",
)
#: The study's name inside ``search.db``.
STUDY = "loyaltysim"


# --- the definition -------------------------------------------------------------------------
@dataclass(frozen=True)
class Lever:
    """One thing the search may change: a dimension's rule, or one rule parameter.

    Attributes:
        name: ``claims`` (a dimension: which rule) or ``claims_threshold_usd``
            (a rule parameter, named as in a ``[policy]`` table).
        dimension: The policy dimension it belongs to.
        kind: ``"rule"``, ``"float"``, ``"int"``, ``"choice"`` or ``"bool"``.
        low: Smallest value (numbers).
        high: Largest value (numbers).
        log: Sample on a log scale (numbers above 0).
        choices: The rules or values to choose from (rules, choices, booleans).
        rules: For a parameter, the rules of its dimension that have it.
    """

    name: str
    dimension: str
    kind: str
    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()
    rules: tuple[str, ...] = ()

    @classmethod
    def from_spec(cls, name: str, spec: Any) -> Lever:
        """From a ``[levers]`` entry: ``{ low, high[, log] }`` or ``{ choices = [...] }``.

        A dimension's name takes the rules to choose from (default: all its
        built-in rules); a rule parameter takes a range within its declared
        one, or choices among its declared choices.

        Raises:
            ParameterError: An unknown lever, or a range or choice outside the declaration.
        """
        label = f"levers.{name}"
        if not isinstance(spec, Mapping):
            raise ParameterError(
                label, spec, "a table: { low = .., high = .. } or { choices = [..] }"
            )
        check_known(spec, {"low", "high", "log", "choices"}, label)
        if name in DIMENSIONS:
            known = tuple(DIMENSIONS[name].rules)
            if set(spec) - {"choices"}:
                raise ParameterError(
                    label, dict(spec), "{ choices = [...] } (rules of " + name + ")"
                )
            choices = tuple(spec.get("choices", known))
            if not choices:
                raise ParameterError(f"{label}.choices", [], "a non-empty list of rules")
            for choice in choices:
                if choice not in known:
                    raise ParameterError(
                        f"{label}.choices",
                        choice,
                        "one of " + ", ".join(repr(k) for k in known),
                        close_match(choice, known),
                    )
            return cls(name, name, "rule", choices=choices)
        declared = _parameter_declarations()
        if name not in declared:
            raise ParameterError(
                label,
                spec,
                "a dimension ("
                + ", ".join(DIMENSIONS)
                + ") or a rule parameter ("
                + ", ".join(sorted(declared))
                + ")",
                close_match(name, [*DIMENSIONS, *declared]),
                unknown=True,
            )
        dimension, rules, declaration = declared[name]
        return cls._parameter(label, name, dimension, rules, declaration, spec)

    @classmethod
    def _parameter(
        cls,
        label: str,
        name: str,
        dimension: str,
        rules: tuple[str, ...],
        declaration: ParameterSpec,
        spec: Mapping[str, Any],
    ) -> Lever:
        if declaration.kind in ("choice", "bool"):
            if set(spec) - {"choices"}:
                raise ParameterError(
                    label, dict(spec), "{ choices = [...] } (" + declaration.accepts + ")"
                )
            default = declaration.choices if declaration.kind == "choice" else (False, True)
            choices = tuple(spec.get("choices", default or ()))
            if not choices:
                raise ParameterError(f"{label}.choices", [], "a non-empty list")
            checked = tuple(declaration.validate(c, f"{label}.choices") for c in choices)
            return cls(name, dimension, declaration.kind, choices=checked, rules=rules)
        if "choices" in spec:
            raise ParameterError(label, dict(spec), "{ low = .., high = .. } (a range)")
        bounds = []
        for key in ("low", "high"):
            if key not in spec:
                raise ParameterError(f"{label}.{key}", None, f"a value ({declaration.accepts})")
            bounds.append(declaration.validate(spec[key], f"{label}.{key}"))
        low, high = bounds
        if not low < high:
            raise ParameterError(f"{label}.high", high, f"a number above low = {low}")
        log = spec.get("log", False)
        if not isinstance(log, bool):
            raise ParameterError(f"{label}.log", log, "true or false")
        if log and low <= 0:
            raise ParameterError(f"{label}.low", low, "a number above 0 with log = true")
        return cls(name, dimension, declaration.kind, low, high, log, rules=rules)

    def to_spec(self) -> dict[str, Any]:
        """The TOML form (inverse of :meth:`from_spec`)."""
        if self.low is not None:
            return {"low": self.low, "high": self.high, "log": self.log}
        return {"choices": list(self.choices)}

    def describe(self) -> str:
        """``claims_threshold_usd in [5, 2000] (log)`` or ``recovery in none, escalate``."""
        if self.low is not None:
            scale = " (log)" if self.log else ""
            low, high = format_number(self.low), format_number(self.high)
            return f"{self.name} in [{low}, {high}]{scale}"
        return f"{self.name} in " + ", ".join(str(c) for c in self.choices)


def _parameter_declarations() -> dict[str, tuple[str, tuple[str, ...], ParameterSpec]]:
    """Each rule parameter's ``[policy]`` name -> (dimension, rules that have it, declaration)."""
    found: dict[str, tuple[str, tuple[str, ...], ParameterSpec]] = {}
    for dimension in DIMENSIONS.values():
        for rule_name, rule in dimension.rules.items():
            for declaration in rule_parameter_specs(rule):
                if declaration.name in found:
                    _, rules, first = found[declaration.name]
                    found[declaration.name] = (dimension.name, (*rules, rule_name), first)
                else:
                    found[declaration.name] = (dimension.name, (rule_name,), declaration)
    return found


def lever_applies(levers: Iterable[Lever], lever: Lever, values: Mapping[str, Any]) -> bool:
    """Whether ``lever`` applies to a candidate: a parameter needs its rule chosen.

    A parameter lever of a dimension whose rule is itself one of ``levers``
    applies when the rule chosen (in ``values``) has the parameter; otherwise
    it always does.
    """
    if lever.kind == "rule":
        return True
    if not any(other.kind == "rule" and other.dimension == lever.dimension for other in levers):
        return True
    return values.get(lever.dimension) in lever.rules


def policy_with_levers(
    levers: Iterable[Lever], policy: Mapping[str, Any], values: Mapping[str, Any], name: str = ""
) -> Policy:
    """The ``[policy]`` table ``policy`` with the levers' ``values``.

    A chosen rule drops the table's parameters it does not have; a parameter
    lever whose dimension is not a lever sets the first rule that has it, when
    the table's rule does not.

    Raises:
        ParameterError: A value the rule refuses.
    """
    levers = tuple(levers)
    spec = dict(policy)
    base = Policy.from_spec(policy)
    for lever in levers:
        if lever.kind == "rule" and lever.name in values:
            rule = values[lever.name]
            spec[lever.dimension] = rule
            own = set(rule_parameters(DIMENSIONS[lever.dimension].rules[rule]))
            prefix = lever.dimension + "_"
            for key in [k for k in spec if k.startswith(prefix)]:
                if key.removeprefix(prefix) not in own:
                    del spec[key]
    for lever in levers:
        if lever.kind == "rule" or lever.name not in values:
            continue
        if not lever_applies(levers, lever, values):
            continue
        if spec.get(lever.dimension, base.rule(lever.dimension).name) not in lever.rules:
            spec[lever.dimension] = lever.rules[0]
        spec[lever.name] = values[lever.name]
    spec["name"] = name
    return Policy.from_spec(spec)


@dataclass(frozen=True)
class Objective:
    """A declared outcome summarised over a candidate's replications, with its direction.

    As a constraint it has a bound: ``at_least`` or ``at_most``.

    Attributes:
        name: The column it is reported under (its key in the search file).
        outcome: A run outcome (:data:`loyaltysim.outcomes.OUTCOMES`).
        statistic: ``mean``, ``quantile`` (at ``share``) or ``cvar`` (the mean
            of the worst ``share`` of replications, :func:`~loyaltysim.statistics.tail_mean`).
        share: The quantile or the tail's share, in (0, 1).
        direction: ``maximize`` or ``minimize`` (default: the outcome's).
        at_least: A constraint's lower bound.
        at_most: A constraint's upper bound.
    """

    name: str
    outcome: str
    statistic: str = "mean"
    share: float = 0.1
    direction: str = ""
    at_least: float | None = None
    at_most: float | None = None

    @classmethod
    def from_spec(cls, name: str, spec: Any, section: str = "objectives") -> Objective:
        """From a ``[objectives]`` or ``[constraints]`` entry (an outcome's name alone, or a table).

        Raises:
            ParameterError: An unknown outcome or statistic, a share outside
                (0, 1), an outcome with no direction, or a constraint without one bound.
        """
        label = f"{section}.{name}"
        if isinstance(spec, str):
            spec = {"outcome": spec}
        if not isinstance(spec, Mapping):
            raise ParameterError(label, spec, "an outcome's name or a table { outcome = .. }")
        bounds = {"at_least", "at_most"} if section == "constraints" else set()
        check_known(spec, {"outcome", "statistic", "share", "direction", *bounds}, label)
        outcome = spec.get("outcome")
        if outcome not in OUTCOMES:
            raise ParameterError(
                f"{label}.outcome",
                outcome,
                "a run outcome (loyaltysim params lists them; e.g. npv_usd, wom_balance)",
                close_match(outcome, OUTCOMES),
            )
        statistic = spec.get("statistic", "mean")
        if statistic not in STATISTICS:
            raise ParameterError(f"{label}.statistic", statistic, "one of " + ", ".join(STATISTICS))
        share = spec.get("share", 0.1)
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
            raise ParameterError(f"{label}.share", share, "a number in (0, 1)")
        declared = OUTCOMES[outcome].direction
        direction = spec.get("direction", "" if declared == Direction.INFO else str(declared))
        if section == "objectives" and direction not in ("maximize", "minimize"):
            raise ParameterError(
                f"{label}.direction",
                spec.get("direction"),
                "maximize or minimize",
                f"{outcome} has no direction of its own" if not direction else "",
            )
        at_least, at_most = spec.get("at_least"), spec.get("at_most")
        if section == "constraints":
            if (at_least is None) == (at_most is None):
                raise ParameterError(label, dict(spec), "exactly one of at_least, at_most")
            bound = at_least if at_least is not None else at_most
            if isinstance(bound, bool) or not isinstance(bound, int | float):
                raise ParameterError(label, bound, "a number as its bound")
        return cls(
            name,
            outcome,
            statistic,
            float(share),
            direction,
            None if at_least is None else float(at_least),
            None if at_most is None else float(at_most),
        )

    def to_spec(self) -> dict[str, Any]:
        """The TOML form (inverse of :meth:`from_spec`)."""
        spec: dict[str, Any] = {"outcome": self.outcome, "statistic": self.statistic}
        if self.statistic != "mean":
            spec["share"] = self.share
        if self.direction:
            spec["direction"] = self.direction
        for key in ("at_least", "at_most"):
            if getattr(self, key) is not None:
                spec[key] = getattr(self, key)
        return spec

    def value(self, values: np.ndarray) -> float:
        """The statistic of one candidate's replications of the outcome."""
        values = np.asarray(values, dtype=float)
        if self.statistic == "mean":
            return float(values.mean())
        if self.statistic == "quantile":
            return float(np.quantile(values, self.share))
        worst = "high" if self.direction == "minimize" else "low"
        return tail_mean(values, self.share, worst=worst)

    def violation(self, value: float) -> float:
        """A constraint's violation: at most 0 when it holds (Optuna's convention)."""
        if self.at_least is not None:
            return self.at_least - value
        assert self.at_most is not None
        return value - self.at_most

    def describe(self) -> str:
        """``mean NPV (USD), maximize`` or ``mean WOM balance (msgs) >= 0``."""
        outcome = OUTCOMES[self.outcome].label
        what = {
            "mean": f"mean {outcome}",
            "quantile": f"{self.share:g} quantile of {outcome}",
            "cvar": f"mean of the worst {self.share:.0%} of {outcome} (CVaR)",
        }[self.statistic]
        if self.at_least is not None:
            return f"{what} >= {format_number(self.at_least)}"
        if self.at_most is not None:
            return f"{what} <= {format_number(self.at_most)}"
        return f"{what}, {self.direction}"


@dataclass(frozen=True)
class Search:
    """A lever search: the market, the base policy, levers, objectives, constraints, the budget.

    Build it with :meth:`from_toml` or :meth:`from_dict` (which validate every part).

    Attributes:
        name: The search's name (progress lines, report).
        seed: Root seed: replication ``r`` runs on child ``r``; the sampler on
            the children of stream :data:`SAMPLER_STREAM`.
        trials: Candidates in all.
        replications: Paired replications of every candidate.
        sampler: ``tpe``, ``nsga2`` or ``auto``.
        population: NSGA-II's population per generation.
        startup: TPE's random candidates before it models the results.
        scenario: The market's settings (a ``[scenario]`` table).
        policy: The rules not searched (a ``[policy]`` table).
        levers: What the search changes.
        objectives: What it optimises.
        constraints: What a candidate must satisfy.
    """

    name: str
    seed: int
    trials: int
    replications: int
    sampler: str
    population: int
    startup: int
    scenario: dict[str, Any]
    policy: dict[str, Any]
    levers: tuple[Lever, ...]
    objectives: tuple[Objective, ...]
    constraints: tuple[Objective, ...] = ()
    max_runs: int = field(default=MAX_RUNS, compare=False)

    @classmethod
    def from_toml(cls, path: str | Path, max_runs: int = MAX_RUNS) -> Search:
        """Read and validate a search file (see the module).

        Raises:
            ScenarioFileError: The file cannot be read or is not TOML.
            ParameterError: A bad entry, named.
        """
        return cls.from_dict(read_toml(path, "search"), max_runs=max_runs)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], max_runs: int = MAX_RUNS) -> Search:
        """Build and validate a search from its tables (see the module).

        Raises:
            ParameterError: A bad entry, named.
        """
        check_known(
            data, {"search", "scenario", "policy", "levers", "objectives", "constraints"}, "file"
        )
        tables = {}
        for key in ("search", "scenario", "policy", "levers", "objectives", "constraints"):
            table = data.get(key, {})
            if not isinstance(table, Mapping):
                raise ScenarioFileError(f"{key!r} must be a table, got {brief(table)}")
            tables[key] = dict(table)
        head = tables["search"]
        check_known(
            head,
            {"name", "seed", "trials", "replications", "sampler", "population", "startup"},
            "search",
        )
        name = head.get("name", "search")
        if not isinstance(name, str) or not name:
            raise ParameterError("search.name", name, "a non-empty string")
        sampler = head.get("sampler", "auto")
        if sampler not in SAMPLERS:
            raise ParameterError(
                "search.sampler",
                sampler,
                "one of " + ", ".join(SAMPLERS),
                close_match(sampler, SAMPLERS),
            )
        if not tables["levers"]:
            raise ParameterError("levers", {}, "at least one lever (a [levers] table)")
        if not tables["objectives"]:
            raise ParameterError("objectives", {}, "at least one objective (an [objectives] table)")
        return cls(
            name=name,
            seed=whole_number("search.seed", head.get("seed", 0)),
            trials=whole_number("search.trials", head.get("trials", 40), minimum=1),
            replications=whole_number("search.replications", head.get("replications", 4), 1),
            sampler=sampler,
            population=whole_number("search.population", head.get("population", 20), minimum=2),
            startup=whole_number("search.startup", head.get("startup", 10), minimum=1),
            scenario=tables["scenario"],
            policy=tables["policy"],
            levers=tuple(Lever.from_spec(k, v) for k, v in tables["levers"].items()),
            objectives=tuple(Objective.from_spec(k, v) for k, v in tables["objectives"].items()),
            constraints=tuple(
                Objective.from_spec(k, v, "constraints") for k, v in tables["constraints"].items()
            ),
            max_runs=max_runs,
        )

    def __post_init__(self) -> None:
        if self.sampler == "tpe" and len(self.objectives) > 1:
            raise ParameterError("search.sampler", "tpe", "nsga2 or auto for several objectives")
        names = [o.name for o in (*self.objectives, *self.constraints)]
        doubles = sorted(
            {n for n in names if names.count(n) > 1}
            | {n for n in names if n in {lv.name for lv in self.levers}}
        )
        if doubles:
            raise ParameterError(
                f"constraints.{doubles[0]}", doubles[0], "a name no lever or objective has"
            )
        at_most(
            "search.trials",
            self.trials * self.replications,
            self.max_runs,
            "runs (trials x replications)",
            RAISE_MAX_RUNS,
        )
        self.market()  # the market and every candidate's rules are valid
        base = self.base_policy()
        for lever in self.levers:
            if lever.kind == "rule" or lever.dimension in self.rule_levers:
                continue
            if base.rule(lever.dimension).name not in lever.rules and len(lever.rules) > 1:
                raise ParameterError(
                    f"levers.{lever.name}",
                    lever.to_spec(),
                    f"a lever whose rule is set: policy.{lever.dimension} = one of "
                    + ", ".join(repr(r) for r in lever.rules)
                    + f", or a lever {lever.dimension}",
                )
        self.candidate(self.first_values())

    @property
    def chosen_sampler(self) -> str:
        """``tpe`` or ``nsga2``: what ``auto`` means for this many objectives."""
        if self.sampler != "auto":
            return self.sampler
        return "tpe" if len(self.objectives) == 1 else "nsga2"

    def market(self) -> Scenario:
        """The market every candidate runs on."""
        return Scenario.from_dict(self.scenario)

    def base_policy(self) -> Policy:
        """The rules the search does not change."""
        return Policy.from_spec(self.policy)

    def first_values(self) -> dict[str, Any]:
        """Each lever's first value (its low end, or its first choice): a candidate to check."""
        return {
            lever.name: lever.low if lever.low is not None else lever.choices[0]
            for lever in self.levers
        }

    def applies(self, lever: Lever, values: Mapping[str, Any]) -> bool:
        """Whether a lever applies to a candidate (see :func:`lever_applies`)."""
        return lever_applies(self.levers, lever, values)

    @property
    def rule_levers(self) -> set[str]:
        """The dimensions whose rule is a lever."""
        return {lever.dimension for lever in self.levers if lever.kind == "rule"}

    def candidate(self, values: Mapping[str, Any], name: str = "") -> Policy:
        """The base policy with the levers' ``values`` (see :func:`policy_with_levers`)."""
        return policy_with_levers(self.levers, self.policy, values, name)

    def to_dict(self) -> dict[str, Any]:
        """The search as its TOML tables (``trials`` included)."""
        return {
            "search": {
                "name": self.name,
                "seed": self.seed,
                "trials": self.trials,
                "replications": self.replications,
                "sampler": self.sampler,
                "population": self.population,
                "startup": self.startup,
            },
            "scenario": self.market().changes(),
            "policy": self.base_policy().to_spec(),
            "levers": {lever.name: lever.to_spec() for lever in self.levers},
            "objectives": {o.name: o.to_spec() for o in self.objectives},
            "constraints": {c.name: c.to_spec() for c in self.constraints},
        }

    def identity(self) -> dict[str, Any]:
        """What a folder's trials depend on: everything but the number of trials."""
        data = json.loads(json.dumps(self.to_dict()))
        del data["search"]["trials"]
        return data

    def describe(self) -> str:
        """One line: the levers, the objectives, the budget."""
        sampler = {"tpe": "TPE", "nsga2": "NSGA-II"}[self.chosen_sampler]
        return (
            f"search {self.name!r}: {len(self.levers)} lever(s) ("
            + "; ".join(lever.describe() for lever in self.levers)
            + f"), {len(self.objectives)} objective(s), {len(self.constraints)} constraint(s); "
            f"{self.trials} trials x {self.replications} replications by {sampler}, "
            f"seed {self.seed}"
        )


# --- running ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchResult:
    """A finished search (also written to its folder).

    Attributes:
        path: The search folder.
        search: The search.
        trials: Every finished candidate: ``trial``, ``state``, the levers'
            values (empty where a lever did not apply), the objectives, the
            constraints, ``feasible``, ``policy`` and ``seconds``.
        best: The best feasible candidate (one objective) or the feasible
            Pareto front (several), rows of ``trials``.
        ran: Trials run by this call.
        skipped: Trials found finished in the folder.
        seconds: Wall-clock time of this call.
    """

    path: Path
    search: Search
    trials: pd.DataFrame
    best: pd.DataFrame
    ran: int
    skipped: int
    seconds: float

    def policies(self) -> list[Policy]:
        """The best candidate, or each candidate of the Pareto front, as a policy."""
        return [
            self.search.candidate(_lever_values(self.search, row), name=_trial_name(row["trial"]))
            for _, row in self.best.iterrows()
        ]

    def __str__(self) -> str:
        what = "best candidate" if len(self.search.objectives) == 1 else "Pareto front"
        lines = [
            f"{self.search.name}: {len(self.trials):,} trials ({self.ran:,} run now, "
            f"{self.skipped:,} already done); {int(self.trials['feasible'].sum()):,} feasible",
        ]
        if self.best.empty:
            lines.append("no feasible candidate: loosen the constraints or widen the levers")
        else:
            lines.append(f"{what} ({len(self.best)}):")
            lines.extend("  " + _row_text(self.search, row) for _, row in self.best.iterrows())
        lines.append(f"written to {self.path} (report.md, trials.csv, best.csv, candidates/)")
        return "\n".join(lines)


def search(
    definition: Search | str | Path,
    out: str | Path,
    *,
    trials: int | None = None,
    workers: int | None = None,
    overwrite: bool = False,
    progress: bool = False,
    announce: Callable[[str], object] | None = None,
) -> SearchResult:
    """Run a lever search into a folder, resuming the trials already there.

    Args:
        definition: A :class:`Search` or the path of its TOML file.
        out: The search folder (created; continued if it holds this search).
        trials: Candidates in all (default: the file's ``trials``); more
            than a finished search holds continues it.
        workers: Worker processes for a candidate's replications (default: this process).
        overwrite: Discard a search of another definition in ``out``.
        progress: Show the progress (a bar on a terminal, lines elsewhere).
        announce: Called with one line (the search, and the trials already done).

    Returns:
        The trials and the best candidate or the Pareto front.

    Raises:
        ParameterError: A bad definition or option, or ``out`` holds another
            search (without ``overwrite``) or other files, or another search
            is writing it.
        LoyaltysimError: optuna is not installed (the ``search`` extra).
    """
    if importlib.util.find_spec("optuna") is None:
        raise LoyaltysimError(
            "the search needs optuna, which is not installed; install it with: "
            "pip install 'loyaltysim[search]'"
        )
    definition = definition if isinstance(definition, Search) else Search.from_toml(definition)
    if trials is not None:
        whole_number("--trials", trials, minimum=1)
        definition = Search(**{**_fields(definition), "trials": trials})
    folder = Path(out)
    check_writable("--out", folder, folder=True)
    _check_folder(folder, definition, overwrite)
    start = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    lock = FolderLock(folder, "search")
    lock.acquire()
    try:
        _open_folder(folder, definition, overwrite)
        study = _study(definition, folder / "search.db")
        done = _finished(study)
        if announce is not None:
            announce(f"{definition.describe()}; {done:,} trials already done")
        _run_trials(definition, study, done, workers, progress)
        table = trials_table(definition, study)
        best = _best(definition, table)
        result = SearchResult(
            folder, definition, table, best, len(table) - done, done, time.perf_counter() - start
        )
        _write_outputs(result)
    finally:
        lock.release()
    return result


def ranked_policies(folder: str | Path, count: int) -> tuple[Search, list[Policy]]:
    """A finished search folder's definition and its ``count`` best candidates, best first.

    The candidates are the feasible trials of ``trials.csv``, each set of
    lever values once (as its first trial), ranked by the first objective;
    named ``trial_NNNN``.

    Raises:
        ParameterError: ``folder`` is not a finished search folder, or holds no
            feasible candidate.
    """
    folder = Path(folder)
    record, trials_file = folder / "search.json", folder / "trials.csv"
    if not record.is_file() or not trials_file.is_file():
        raise ParameterError(
            "SEARCH_DIR",
            str(folder),
            "the folder of a finished search (search.json and trials.csv, by loyaltysim search)",
        )
    try:
        data = json.loads(record.read_text())
        table = pd.read_csv(trials_file)
    except (OSError, ValueError) as exc:
        raise ParameterError(
            "SEARCH_DIR", str(folder), "a readable search folder", brief(str(exc))
        ) from None
    definition = Search.from_dict(data)
    first = definition.objectives[0]
    feasible = table[table["feasible"].astype(bool)]
    feasible = feasible.drop_duplicates([lever.name for lever in definition.levers])
    if feasible.empty:
        raise ParameterError(
            "SEARCH_DIR", str(folder), "a search with at least one feasible candidate"
        )
    ranked = feasible.sort_values(
        first.name, ascending=first.direction == "minimize", kind="stable"
    ).head(count)
    policies = [
        definition.candidate(_lever_values(definition, row), name=_trial_name(row["trial"]))
        for _, row in ranked.iterrows()
    ]
    return definition, policies


def _fields(definition: Search) -> dict[str, Any]:
    return {f: getattr(definition, f) for f in Search.__dataclass_fields__}


def _check_folder(folder: Path, definition: Search, overwrite: bool) -> None:
    """Refuse a folder holding other files, or another search without ``overwrite``."""
    if not folder.is_dir() or not any(folder.iterdir()):
        return
    record = folder / "search.json"
    if not record.is_file():
        raise ParameterError(
            "--out",
            str(folder),
            "an empty or new folder, or the folder of this search",
            "it holds other files and no search.json",
        )
    try:
        old = json.loads(record.read_text())
    except (OSError, ValueError):
        old = None
    if old != definition.identity() and not overwrite:
        changed = (
            next((k for k, v in definition.identity().items() if old.get(k) != v), "its keys")
            if isinstance(old, dict)
            else "search.json is unreadable"
        )
        raise ParameterError(
            "--out",
            str(folder),
            "the folder of this search or a new folder",
            f"it holds a search of another definition ({changed}); use a new --out, "
            "or --overwrite to discard it",
        )


def _open_folder(folder: Path, definition: Search, overwrite: bool) -> None:
    """Write the definition; a changed one (with ``overwrite``) discards the old study."""
    record = folder / "search.json"
    old = None
    if record.is_file():
        try:
            old = json.loads(record.read_text())
        except (OSError, ValueError):
            old = None
    if old != definition.identity():
        for name in ("search.db", *OUTPUTS):
            (folder / name).unlink(missing_ok=True)
        candidates = folder / "candidates"
        if candidates.is_dir():
            for file in candidates.glob("trial_*.toml"):
                file.unlink()
    text = json.dumps(definition.identity(), indent=1)
    write_atomic(record, lambda tmp: Path(tmp).write_text(text))


def trials_done(folder: str | Path) -> int:
    """Finished trials in a search folder's study (0 if there is none yet).

    The database is opened read-only with :mod:`sqlite3`, so this is safe to
    call on a search running in another process.
    """
    db = Path(folder) / "search.db"
    if not db.is_file():
        return 0
    try:
        with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as base:
            (count,) = base.execute(
                "SELECT COUNT(*) FROM trials WHERE state IN ('COMPLETE', 'FAIL')"
            ).fetchone()
    except sqlite3.Error:  # no study stored yet (killed while it was being created)
        return 0
    return int(count)


def _quiet_optuna() -> Any:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _study(definition: Search, db: Path) -> Any:
    """The folder's Optuna study (SQLite), created or loaded."""
    optuna = _quiet_optuna()
    return optuna.create_study(
        storage=f"sqlite:///{db.resolve()}",
        study_name=STUDY,
        directions=[o.direction for o in definition.objectives],
        sampler=_sampler(definition, 0),
        load_if_exists=True,
    )


def _sampler(definition: Search, number: int) -> Any:
    """The sampler that proposes trial ``number``: seeded by the search's seed and ``number``."""
    optuna = _quiet_optuna()
    root = stream(as_seed_sequence(definition.seed), SAMPLER_STREAM)
    seed = int(stream(root, number).generate_state(1)[0])
    if definition.chosen_sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=definition.startup)
    return optuna.samplers.NSGAIISampler(population_size=definition.population, seed=seed)


def _finished(study: Any) -> int:
    from optuna.trial import TrialState

    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.FAIL)))


def _run_trials(
    definition: Search, study: Any, done: int, workers: int | None, progress: bool
) -> None:
    """Finish a trial a killed search left running, then run trials up to ``definition.trials``."""
    import optuna
    from optuna.trial import TrialState

    bar = progress_bar(
        definition.trials, min(done, definition.trials), definition.name, progress, "trial"
    )
    try:
        running = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        for frozen in running:
            study.sampler = _sampler(definition, frozen.number)
            _trial(definition, study, optuna.trial.Trial(study, frozen._trial_id), workers)
            if bar is not None:
                bar.update(1)
        while _finished(study) < definition.trials:
            study.sampler = _sampler(definition, len(study.get_trials(deepcopy=False)))
            _trial(definition, study, study.ask(), workers)
            if bar is not None:
                bar.update(1)
                best = _best(definition, trials_table(definition, study))
                if len(definition.objectives) == 1 and not best.empty:
                    name = definition.objectives[0].name
                    best_value = _score(definition.objectives[0], best[name].iloc[0])
                    bar.set_postfix(best=best_value, refresh=False)
    finally:
        if bar is not None:
            bar.close()


def _suggest(definition: Search, trial: Any) -> dict[str, Any]:
    """Each lever's value for ``trial``: rules first, then the parameters that apply."""
    values: dict[str, Any] = {}
    for lever in sorted(definition.levers, key=lambda lv: lv.kind != "rule"):
        if not definition.applies(lever, values):
            continue
        if lever.kind == "float":
            assert lever.low is not None and lever.high is not None
            values[lever.name] = trial.suggest_float(
                lever.name, lever.low, lever.high, log=lever.log
            )
        elif lever.kind == "int":
            assert lever.low is not None and lever.high is not None
            values[lever.name] = trial.suggest_int(
                lever.name, int(lever.low), int(lever.high), log=lever.log
            )
        else:
            values[lever.name] = trial.suggest_categorical(lever.name, list(lever.choices))
    return values


def replications(definition: Search, policy: Policy, workers: int | None = None) -> pd.DataFrame:
    """Run ``policy`` on the search's market and replication seeds: one row per replication.

    Replication ``r`` runs on child ``r`` of the search's seed, as in
    :func:`loyaltysim.compare` with ``rng=seed``: every candidate meets the
    same people, network and draws.
    """
    experiment = Experiment(
        policies=(policy,),
        scenario=definition.market().changes(),
        replications=definition.replications,
        monthly_every=0,
        name=definition.name,
        max_runs=definition.max_runs,
    )
    table, _ = collect(experiment, as_seed_sequence(definition.seed), workers=workers)
    return table


def _trial(definition: Search, study: Any, trial: Any, workers: int | None) -> None:
    """Propose, run and record one candidate."""
    from optuna.trial import TrialState

    start = time.perf_counter()
    values = _suggest(definition, trial)
    policy = definition.candidate(values, name=_trial_name(trial.number))
    twin = next(
        (
            done
            for done in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if done.params == values
        ),
        None,
    )
    if twin is not None:  # the same candidate on the same seeds: the same outcomes, not rerun
        recorded = twin.user_attrs["record"]["values"]
        scores = {o.name: recorded[o.name] for o in definition.objectives}
        held = {c.name: recorded[c.name] for c in definition.constraints}
    else:
        runs = replications(definition, policy, workers)
        scores = {o.name: o.value(runs[o.outcome].to_numpy()) for o in definition.objectives}
        held = {c.name: c.value(runs[c.outcome].to_numpy()) for c in definition.constraints}
    for constraint in definition.constraints:
        trial.set_constraint(constraint.name, constraint.violation(held[constraint.name]))
    record = {
        "values": {**scores, **held},
        "policy": policy.describe(labels=True),
        "seconds": time.perf_counter() - start,
    }
    trial.set_user_attr("record", record)  # one write to the study (each is a commit)
    objectives = [scores[o.name] for o in definition.objectives]
    if all(math.isfinite(v) for v in objectives):
        study.tell(trial, objectives)
    else:
        study.tell(trial, state=TrialState.FAIL)


def trials_table(definition: Search, study: Any) -> pd.DataFrame:
    """Every finished trial of ``study`` as one row (see :class:`SearchResult`)."""
    from optuna.trial import TrialState

    rows = []
    for frozen in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.FAIL)):
        record = frozen.user_attrs.get("record", {})
        recorded = record.get("values", {})
        row: dict[str, Any] = {"trial": frozen.number, "state": frozen.state.name.lower()}
        for lever in definition.levers:
            row[lever.name] = frozen.params.get(lever.name)
        for item in (*definition.objectives, *definition.constraints):
            row[item.name] = recorded.get(item.name, float("nan"))
        row["feasible"] = frozen.state == TrialState.COMPLETE and all(
            c.violation(recorded.get(c.name, float("nan"))) <= 0 for c in definition.constraints
        )
        row["policy"] = record.get("policy", "")
        row["seconds"] = record.get("seconds", float("nan"))
        rows.append(row)
    columns = [
        "trial",
        "state",
        *(lever.name for lever in definition.levers),
        *(o.name for o in (*definition.objectives, *definition.constraints)),
        "feasible",
        "policy",
        "seconds",
    ]
    return pd.DataFrame(rows, columns=columns)


def _best(definition: Search, table: pd.DataFrame) -> pd.DataFrame:
    """The best feasible trial (one objective), or the feasible trials no other dominates.

    A candidate proposed again is shown once, as its first trial.
    """
    feasible = table[table["feasible"]].drop_duplicates([lv.name for lv in definition.levers])
    if feasible.empty:
        return feasible
    # every objective as a cost (lower is better)
    costs = np.column_stack(
        [
            feasible[o.name].to_numpy(dtype=float) * (-1.0 if o.direction == "maximize" else 1.0)
            for o in definition.objectives
        ]
    )
    if costs.shape[1] == 1:
        return feasible.iloc[[int(np.argmin(costs[:, 0]))]]
    dominated = np.array(
        [bool(np.any(np.all(costs <= c, axis=1) & np.any(costs < c, axis=1))) for c in costs]
    )
    front = feasible[~dominated]
    return front.sort_values(
        definition.objectives[0].name, ascending=definition.objectives[0].direction == "minimize"
    )


def _lever_values(definition: Search, row: pd.Series) -> dict[str, Any]:
    """The levers' values of a trials row (the ones that applied)."""
    values = {}
    for lever in definition.levers:
        value = row[lever.name]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if lever.kind == "int":
            value = int(value)
        elif lever.kind in ("float",):
            value = float(value)
        elif lever.kind == "bool":
            value = bool(value)
        values[lever.name] = value
    return values


def _trial_name(number: Any) -> str:
    return f"trial_{int(number):04d}"


def _row_text(definition: Search, row: pd.Series) -> str:
    """``trial_0012: claims_threshold_usd = 84.2; npv = -474,285``."""
    levers = "; ".join(
        f"{k} = {format_number(v) if isinstance(v, float) else v}"
        for k, v in _lever_values(definition, row).items()
    )
    scores = "; ".join(
        f"{o.name} = {_score(o, row[o.name])}"
        for o in (*definition.objectives, *definition.constraints)
    )
    return f"{_trial_name(row['trial'])}: {levers}; {scores}"


def _score(objective: Objective, value: Any) -> str:
    """An objective's value in its outcome's report format (``-474,285``)."""
    return format_number(float(value), OUTCOMES[objective.outcome].spec)


# --- outputs --------------------------------------------------------------------------------
def candidate_toml(definition: Search, policy: Policy, heading: str) -> str:
    """A candidate as a scenario file: the search's ``[scenario]`` and the candidate's ``[policy]``.

    ``loyaltysim compare --scenario FILE`` (and ``run``, ``recommend``) take it.
    """
    lines = [f"# {line}" for line in heading.splitlines()]
    lines.append("[scenario]")
    lines.extend(f"{k} = {json.dumps(v)}" for k, v in definition.market().changes().items())
    lines.append("")
    lines.append("[policy]")
    lines.extend(f"{k} = {json.dumps(v)}" for k, v in policy.to_spec().items())
    return "\n".join(lines) + "\n"


def _write_outputs(result: SearchResult) -> None:
    """Tables, candidates, figures and the report of a finished search (each file atomically)."""
    folder, definition = result.path, result.search
    table = result.trials
    write_atomic(folder / "trials.csv", lambda tmp: table.to_csv(tmp, index=False))
    parquet = table.copy()
    for lever in definition.levers:  # a column of mixed values is stored as text
        if lever.kind in ("rule", "choice", "bool"):
            parquet[lever.name] = parquet[lever.name].astype("string")
    write_atomic(folder / "trials.parquet", lambda tmp: parquet.to_parquet(tmp, index=False))
    write_atomic(folder / "best.csv", lambda tmp: result.best.to_csv(tmp, index=False))
    candidates = folder / "candidates"
    for _, row in result.best.iterrows():
        name = _trial_name(row["trial"])
        policy = definition.candidate(_lever_values(definition, row), name=name)
        heading = (
            f"Candidate {name} of the lever search {definition.name!r} (loyaltysim search).\n"
            f"{_row_text(definition, row)}\n"
            f"Its replications again: loyaltysim compare --scenario {name}.toml --policies '' "
            f"--seed {definition.seed} --replications {definition.replications}"
        )
        text = candidate_toml(definition, policy, heading)
        write_atomic(candidates / f"{name}.toml", _text_writer(text))
    figures = {"levers.png": plot_levers(definition, table)}
    if len(definition.objectives) > 1:
        figures["pareto.png"] = plot_pareto(definition, table, result.best)
    else:
        (folder / "pareto.png").unlink(missing_ok=True)
    for name, figure in figures.items():
        write_atomic(folder / name, _figure_writer(figure))
    write_atomic(folder / "report.md", _text_writer(render_report(result)))


def _text_writer(text: str) -> Callable[[str], object]:
    """A writer of ``text`` to a path (for :func:`write_atomic`)."""
    return lambda path: Path(path).write_text(text)


def _figure_writer(figure: Figure) -> Callable[[str], object]:
    """A writer of ``figure`` as PNG to a path (for :func:`write_atomic`)."""
    return lambda path: figure.savefig(path, format="png", dpi=DPI)


def render_report(result: SearchResult) -> str:
    """The search's ``report.md``: what was searched, how, and the best candidates."""
    definition = result.search
    sampler = {"tpe": "TPE (Bergstra et al. 2011)", "nsga2": "NSGA-II (Deb et al. 2002)"}[
        definition.chosen_sampler
    ]
    table = result.trials
    lines = [
        f"# Lever search: {definition.name}",
        "",
        f"{len(table):,} candidates, each run on the same {definition.replications} replication "
        f"seeds (seed {definition.seed}; common random numbers), proposed by {sampler} in "
        f"Optuna (Akiba et al. 2019); {int(table['feasible'].sum()):,} feasible.",
        "",
        "Levers:",
        "",
        *(f"- {lever.describe()}" for lever in definition.levers),
        "",
        "Objectives:",
        "",
        *(f"- `{o.name}`: {o.describe()}" for o in definition.objectives),
    ]
    if definition.constraints:
        lines += [
            "",
            "Constraints:",
            "",
            *(f"- `{c.name}`: {c.describe()}" for c in definition.constraints),
        ]
    what = "Best candidate" if len(definition.objectives) == 1 else "Pareto front (feasible)"
    lines += ["", f"## {what}", ""]
    if result.best.empty:
        lines.append("No candidate met the constraints.")
    else:
        columns = ["trial", *(lv.name for lv in definition.levers)]
        columns += [o.name for o in (*definition.objectives, *definition.constraints)]
        lines.append("| " + " | ".join(columns) + " |")
        lines.append("|" + "---|" * len(columns))
        for _, row in result.best.iterrows():
            cells = [_trial_name(row["trial"])]
            values = _lever_values(definition, row)
            cells += [
                format_number(values[lv.name]) if lv.name in values else ""
                for lv in definition.levers
            ]
            cells += [
                _score(o, row[o.name]) for o in (*definition.objectives, *definition.constraints)
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines += [
            "",
            "Each is a scenario file in `candidates/` (`loyaltysim compare --scenario FILE`); "
            "with the seed and replications above, compare reruns the replications the search "
            "scored. A best candidate is the best of noisy estimates: confirm it against its "
            "rivals with fresh seeds before acting on it.",
        ]
    lines += ["", "![levers](levers.png)"]
    if len(definition.objectives) > 1:
        lines.append("![pareto](pareto.png)")
    return "\n".join(lines) + "\n"


@styled
def plot_levers(definition: Search, trials: pd.DataFrame) -> Figure:
    """Each lever's value against the first objective, one panel per lever; the best marked."""
    from matplotlib.figure import Figure

    objective = definition.objectives[0]
    count = len(definition.levers)
    columns = min(count, 3)
    rows = math.ceil(count / columns)
    figure = Figure(figsize=(4.2 * columns, 3.4 * rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    done = trials[trials["state"] == "complete"]
    best = _best(definition, trials)
    for ax, lever in zip(axes, definition.levers, strict=False):
        shown = done[done[lever.name].notna()]
        if lever.low is not None:
            x = shown[lever.name].astype(float)
            ax.scatter(x, shown[objective.name], s=18, color="tab:blue", alpha=0.7, label="trial")
            if lever.log:
                ax.set_xscale("log")
            best_x = best[lever.name].dropna().astype(float)
        else:
            labels = [str(c) for c in lever.choices]
            positions = {label: i for i, label in enumerate(labels)}
            x = shown[lever.name].astype(str).map(positions)
            ax.scatter(x, shown[objective.name], s=18, color="tab:blue", alpha=0.7, label="trial")
            ax.set_xticks(range(len(labels)), labels)
            ax.set_xlim(-0.5, len(labels) - 0.5)
            best_x = best[lever.name].dropna().astype(str).map(positions)
        best_y = best.loc[best_x.index, objective.name]
        ax.scatter(best_x, best_y, s=60, facecolor="none", edgecolor="tab:red", label="best")
        ax.set_xlabel(lever.name)
        ax.set_ylabel(objective.name)
        if OUTCOMES[objective.outcome].unit == "USD":
            ax.yaxis.set_major_formatter(thousands_ticks())
    for ax in axes[count:]:
        ax.set_axis_off()
    axes[0].legend(fontsize="small")
    return figure


@styled
def plot_pareto(definition: Search, trials: pd.DataFrame, front: pd.DataFrame) -> Figure:
    """The first two objectives of every trial: feasible, infeasible and the Pareto front."""
    from matplotlib.figure import Figure

    first, second = definition.objectives[:2]
    figure = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = figure.subplots()
    done = trials[trials["state"] == "complete"]
    for feasible, colour, label in (
        (True, "tab:blue", "feasible"),
        (False, "tab:grey", "infeasible"),
    ):
        shown = done[done["feasible"] == feasible]
        if not shown.empty:
            ax.scatter(
                shown[first.name], shown[second.name], s=18, color=colour, alpha=0.6, label=label
            )
    ordered = front.sort_values(first.name)
    ax.plot(
        ordered[first.name],
        ordered[second.name],
        "o-",
        color="tab:red",
        mfc="none",
        label="Pareto front",
    )
    ax.set_xlabel(f"{first.name} ({first.direction})")
    ax.set_ylabel(f"{second.name} ({second.direction})")
    for axis, objective in ((ax.xaxis, first), (ax.yaxis, second)):
        if OUTCOMES[objective.outcome].unit == "USD":
            axis.set_major_formatter(thousands_ticks())
    ax.legend(fontsize="small")
    return figure
