"""Experiment definitions: the policies (levers), the uncertainties, the design.

An :class:`Experiment` says which policies to compare, over which market
parameters (the uncertainties) and how to sample them (the design), with how
many paired replications, and which outputs to keep. It is read from a TOML
file (:meth:`Experiment.from_toml`) or built in Python, and validated in full
(every design point's scenario and every policy) before anything runs.

A TOML experiment::

    [experiment]
    name = "when_to_verify"
    seed = 2026
    replications = 5
    design = "factorial"        # factorial, lhs, sobol, morris or table
    samples = 64                # points for lhs, base samples for sobol, trajectories for morris
    levels_per_range = 3        # factorial levels of a range
    monthly_every = 0           # keep every k-th month of the monthly table (0: none)

    [scenario]                  # fixed for every run
    n_customers = 10000

    [policies]                  # compared within every replication (common random numbers)
    always_compensate = { preset = "always_compensate" }
    verify_first = { preset = "verify_first" }
    threshold = { claims = "threshold", claims_threshold_usd = [50, 200] }   # a list: one per value

    [uncertainties]             # varied across design points
    honesty_mean = { low = 0.6, high = 0.95 }
    claim_value_usd = { levels = [20, 100, 500] }
    fraud_value_multiplier = { distribution = "triangular", low = 1, mode = 1.5, high = 3 }
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from loyaltysim._io import read_toml
from loyaltysim.errors import ParameterError, ScenarioFileError, brief
from loyaltysim.model import peak_bytes
from loyaltysim.params import (
    MAX_RUNS,
    RAISE_MAX_RUNS,
    ParameterSpec,
    at_most,
    check_known,
    close_match,
    whole_number,
)
from loyaltysim.policies import Policy, resolve_policy
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import as_seed_sequence, stream

__all__ = ["DESIGNS", "DISTRIBUTIONS", "Experiment", "Uncertainty"]

#: Designs an experiment may use.
DESIGNS = ("factorial", "lhs", "sobol", "morris", "table")
#: Distributions an uncertainty may follow (all bounded).
DISTRIBUTIONS = ("uniform", "triangular", "loguniform")
#: Stream of the root seed that draws the design (runs use streams (point, replication)).
DESIGN_STREAM = 2**31 - 1
#: Levels of a Morris grid.
MORRIS_LEVELS = 4


@dataclass(frozen=True)
class Uncertainty:
    """One scenario parameter varied across design points.

    Either ``levels`` (explicit values, any parameter type) or a bounded
    distribution over numbers: ``uniform`` (``low``, ``high``),
    ``triangular`` (``low``, ``mode``, ``high``) or ``loguniform`` (``low``,
    ``high`` > 0).
    """

    name: str
    levels: tuple[Any, ...] | None = None
    distribution: str = "uniform"
    low: float | None = None
    high: float | None = None
    mode: float | None = None

    def __post_init__(self) -> None:
        label = f"uncertainties.{self.name}"
        spec = _scenario_spec(self.name, label)
        if self.levels is not None:
            if not self.levels:
                raise ParameterError(label, [], "a non-empty list of levels")
            levels = tuple(spec.validate(v, f"{label}.levels") for v in self.levels)
            object.__setattr__(self, "levels", levels)
            return
        if spec.kind == "choice":
            raise ParameterError(label, self.name, "levels = [...] (a choice has no range)")
        if self.distribution not in DISTRIBUTIONS:
            raise ParameterError(
                f"{label}.distribution",
                self.distribution,
                "one of " + ", ".join(DISTRIBUTIONS),
                close_match(self.distribution, DISTRIBUTIONS),
            )
        for key in ("low", "high"):
            value = getattr(self, key)
            if value is None:
                raise ParameterError(f"{label}.{key}", None, f"a value ({spec.accepts})")
            object.__setattr__(self, key, float(spec.validate(value, f"{label}.{key}")))
        assert self.low is not None and self.high is not None
        if not self.low < self.high:
            raise ParameterError(f"{label}.high", self.high, f"a number above low = {self.low:g}")
        if self.distribution == "triangular":
            if self.mode is None or not self.low <= self.mode <= self.high:
                raise ParameterError(
                    f"{label}.mode", self.mode, f"a number in [{self.low:g}, {self.high:g}]"
                )
        elif self.mode is not None:
            raise ParameterError(f"{label}.mode", self.mode, "nothing (only triangular has one)")
        if self.distribution == "loguniform" and self.low <= 0:
            raise ParameterError(f"{label}.low", self.low, "a number above 0 for loguniform")

    @classmethod
    def from_spec(cls, name: str, spec: Any) -> Uncertainty:
        """From a TOML value: ``{levels = [...]}``, ``{low, high}``, ``{distribution, ...}``."""
        if not isinstance(spec, Mapping):
            raise ParameterError(
                f"uncertainties.{name}",
                spec,
                "a table: { levels = [...] }, { low = .., high = .. } or "
                "{ distribution = .., low = .., high = .. }",
            )
        check_known(
            spec, {"levels", "distribution", "low", "high", "mode"}, f"uncertainties.{name}"
        )
        levels = spec.get("levels")
        if levels is not None and not isinstance(levels, list | tuple):
            raise ParameterError(f"uncertainties.{name}.levels", levels, "a list of values")
        if levels is not None and len(spec) > 1:
            raise ParameterError(f"uncertainties.{name}", dict(spec), "levels alone, or a range")
        return cls(
            name=name,
            levels=tuple(levels) if levels is not None else None,
            distribution=spec.get("distribution", "uniform"),
            low=spec.get("low"),
            high=spec.get("high"),
            mode=spec.get("mode"),
        )

    def to_spec(self) -> dict[str, Any]:
        """The TOML form (inverse of :meth:`from_spec`)."""
        if self.levels is not None:
            return {"levels": list(self.levels)}
        spec: dict[str, Any] = {"distribution": self.distribution, "low": self.low}
        if self.mode is not None:
            spec["mode"] = self.mode
        spec["high"] = self.high
        return spec

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Map quantiles in [0, 1] to values (levels: equal-probability bins)."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.levels is not None:
            index = np.minimum((u * len(self.levels)).astype(int), len(self.levels) - 1)
            return np.asarray(self.levels, dtype=object)[index]
        low, high = float(self.low), float(self.high)  # type: ignore[arg-type]
        if self.distribution == "uniform":
            return low + u * (high - low)
        if self.distribution == "loguniform":
            return np.exp(np.log(low) + u * (np.log(high) - np.log(low)))
        c = (float(self.mode) - low) / (high - low)  # type: ignore[arg-type]
        return scipy.stats.triang.ppf(u, c, loc=low, scale=high - low)

    def factorial_levels(self, n: int) -> list[Any]:
        """The levels of a full factorial: ``levels``, else ``n`` quantiles from low to high."""
        if self.levels is not None:
            return list(self.levels)
        return list(self.ppf(np.linspace(0.0, 1.0, n)))


def _scenario_spec(name: str, label: str) -> ParameterSpec:
    """The declaration of scenario parameter ``name``; an unknown one is reported as ``label``."""
    try:
        return Scenario.spec(name)
    except ParameterError as exc:
        raise ParameterError(label, exc.got, exc.accepts, exc.hint, unknown=True) from None


def _policy_variants(name: str, spec: Any, max_runs: int = MAX_RUNS) -> list[Policy]:
    """A ``[policies]`` entry: one policy, or one per value of each list-valued key."""
    if isinstance(spec, str):
        spec = {"preset": spec}
    if not isinstance(spec, Mapping):
        raise ParameterError(f"policies.{name}", spec, "a policy table or a preset name")
    grid = {k: v for k, v in spec.items() if isinstance(v, list)}
    for key, values in grid.items():
        if not values:
            raise ParameterError(f"policies.{name}.{key}", values, "a non-empty list")
    at_most(
        f"policies.{name}",
        math.prod(len(values) for values in grid.values()),
        max_runs,
        "variants (one per combination of the listed values)",
        RAISE_MAX_RUNS,
    )
    fixed = {k: v for k, v in spec.items() if k not in grid}
    variants = []
    for combo in itertools.product(*grid.values()) if grid else [()]:
        chosen = dict(zip(grid, combo, strict=True))
        label = name + "".join(f"[{k}={v}]" for k, v in chosen.items())
        variants.append(Policy.from_spec({**fixed, **chosen, "name": label}))
    return variants


@dataclass(frozen=True)
class Experiment:
    """A policy experiment: what to compare, where, how sampled, how often repeated.

    Args:
        policies: The policies compared in every replication of every point
            (presets by name, or :class:`Policy`); the first is the baseline
            of paired differences.
        uncertainties: Scenario parameters varied across design points.
        scenario: Fixed scenario parameters (the rest are defaults).
        design: ``factorial``, ``lhs``, ``sobol``, ``morris`` or ``table``.
        samples: Points of a Latin hypercube; base samples of a Sobol design
            (a power of 2; the design has ``samples * (d + 2)`` points);
            trajectories of a Morris design (``samples * (d + 1)`` points).
        levels_per_range: Factorial levels of an uncertainty given as a range.
        table: The points of a ``table`` design (one mapping per point).
        replications: Paired replications per point.
        seed: Root seed of the design and of every run.
        monthly_every: Keep every ``k``-th month of the monthly table (0:
            run summaries only).
        name: A label.
        max_runs: The most runs (points x replications x policies) allowed,
            checked before any point is built (default
            :data:`~loyaltysim.params.MAX_RUNS`); not part of the definition
            (a results folder's fingerprint ignores it).
    """

    policies: tuple[Policy, ...]
    uncertainties: tuple[Uncertainty, ...] = ()
    scenario: Mapping[str, Any] = field(default_factory=dict)
    design: str = "factorial"
    samples: int = 16
    levels_per_range: int = 3
    table: tuple[Mapping[str, Any], ...] = ()
    replications: int = 10
    seed: int = 0
    monthly_every: int = 0
    name: str = "experiment"
    max_runs: int = field(default=MAX_RUNS, compare=False, repr=False)
    _largest: Scenario | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        policies = tuple(resolve_policy(p) for p in self.policies)
        object.__setattr__(self, "policies", policies)
        object.__setattr__(self, "uncertainties", tuple(self.uncertainties))
        for index, row in enumerate(self.table):
            if not isinstance(row, Mapping):
                raise ParameterError(
                    f"table.points[{index}]",
                    row,
                    "a table of scenario parameters, e.g. { n_customers = 5000 }",
                )
            for key in row:
                _scenario_spec(key, f"table.points[{index}].{key}")
        object.__setattr__(self, "table", tuple(dict(row) for row in self.table))
        if not isinstance(self.scenario, Mapping):
            raise ParameterError("scenario", self.scenario, "a table of scenario parameters")
        object.__setattr__(self, "scenario", dict(self.scenario))
        if not policies:
            raise ParameterError("policies", [], "at least one policy")
        names = [p.name for p in policies]
        for name in names:
            if names.count(name) > 1:
                raise ParameterError("policies", name, "policies with different names")
        if self.design not in DESIGNS:
            raise ParameterError(
                "experiment.design",
                self.design,
                "one of " + ", ".join(DESIGNS),
                close_match(str(self.design), DESIGNS),
            )
        for key, low in (
            ("replications", 1),
            ("samples", 1),
            ("levels_per_range", 2),
            ("monthly_every", 0),
            ("seed", 0),
        ):
            whole_number(f"experiment.{key}", getattr(self, key), low)
        whole_number("max_runs", self.max_runs, 1)
        varied = [u.name for u in self.uncertainties]
        for name in varied:
            if varied.count(name) > 1:
                raise ParameterError(f"uncertainties.{name}", name, "each parameter once")
            if name in self.scenario:
                raise ParameterError(
                    f"uncertainties.{name}", name, "a parameter not also fixed in [scenario]"
                )
        if self.design == "table":
            if not self.table:
                raise ParameterError("table.points", [], "at least one point for design 'table'")
            if self.uncertainties:
                raise ParameterError(
                    "uncertainties", varied, "nothing for design 'table' (the table is the design)"
                )
        elif self.table:
            raise ParameterError("table.points", "...", f"nothing for design {self.design!r}")
        if self.design in ("lhs", "sobol", "morris") and not self.uncertainties:
            raise ParameterError("uncertainties", [], f"at least one for design {self.design!r}")
        if self.design == "sobol" and self.samples & (self.samples - 1):
            raise ParameterError("experiment.samples", self.samples, "a power of 2 for sobol")
        points = self.planned_points()
        at_most(
            f"runs ({points:,} points x {self.replications:,} replications x "
            f"{len(policies):,} policies)",
            points * self.replications * len(policies),
            self.max_runs,
            "runs",
            RAISE_MAX_RUNS,
        )
        Scenario.from_dict(self.scenario)
        # building each point's scenario validates it; the largest sizes the memory check
        object.__setattr__(self, "_largest", max(self.scenarios(), key=peak_bytes))

    # --- construction -------------------------------------------------------------------
    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], source: str = "experiment", max_runs: int = MAX_RUNS
    ) -> Experiment:
        """Build from the tables of a TOML experiment (see the module docstring).

        Args:
            data: The tables.
            source: Where they come from, for the messages.
            max_runs: The most runs allowed (see :class:`Experiment`).
        """
        allowed = {"experiment", "scenario", "policies", "uncertainties", "table"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ScenarioFileError(
                f"{source}: unexpected top-level entry {brief(unknown[0])}; an experiment file "
                "holds [experiment], [scenario], [policies], [uncertainties] and [table]"
            )
        tables = {}
        for key in allowed:
            table = data.get(key, {})
            if not isinstance(table, Mapping):
                raise ScenarioFileError(f"{source}: {key!r} must be a table, got {brief(table)}")
            tables[key] = dict(table)
        settings = tables["experiment"]
        fields = {f.name for f in dataclasses.fields(cls)} - _NOT_SETTINGS
        check_known(settings, fields, "experiment")
        if not tables["policies"]:
            raise ParameterError("policies", {}, "a [policies] table naming at least one policy")
        policies = [
            variant
            for name, spec in tables["policies"].items()
            for variant in _policy_variants(name, spec, max_runs)
        ]
        uncertainties = [Uncertainty.from_spec(k, v) for k, v in tables["uncertainties"].items()]
        points = tables["table"].get("points", [])
        extra = sorted(set(tables["table"]) - {"points"})
        if extra or not isinstance(points, list):
            raise ParameterError("table", tables["table"], "a table with points = [{...}, ...]")
        return cls(
            policies=tuple(policies),
            uncertainties=tuple(uncertainties),
            scenario=tables["scenario"],
            table=tuple(points),
            max_runs=max_runs,
            **settings,
        )

    @classmethod
    def from_toml(cls, path: str | Path, max_runs: int = MAX_RUNS) -> Experiment:
        """Read an experiment file (UTF-8, at most :data:`~loyaltysim.params.MAX_INPUT_BYTES`).

        Raises:
            ScenarioFileError: Missing, unreadable, too large or not TOML, or bad layout.
            ParameterError: A bad value, named by its place in the file.
        """
        return cls.from_dict(read_toml(path, "experiment"), source=str(path), max_runs=max_runs)

    def to_dict(self) -> dict[str, Any]:
        """The definition as plain data (TOML/JSON friendly; :meth:`from_dict` reads it back)."""
        settings = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in _NOT_SETTINGS
        }
        out: dict[str, Any] = {
            "experiment": settings,
            "scenario": dict(self.scenario),
            "policies": {p.name: _plain(p.to_spec()) for p in self.policies},
        }
        if self.uncertainties:
            out["uncertainties"] = {u.name: u.to_spec() for u in self.uncertainties}
        if self.table:
            out["table"] = {"points": [dict(row) for row in self.table]}
        return out

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the definition: results of two experiments mix only if it is equal."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    # --- the design ---------------------------------------------------------------------
    def planned_points(self) -> int:
        """How many design points the design makes, counted without making them."""
        d = len(self.uncertainties)
        if self.design == "table":
            return len(self.table)
        if self.design == "factorial":
            return math.prod(
                len(u.levels) if u.levels is not None else self.levels_per_range
                for u in self.uncertainties
            )
        return self.samples * {"lhs": 1, "sobol": d + 2, "morris": d + 1}[self.design]

    @property
    def largest_scenario(self) -> Scenario:
        """The design point's scenario whose run needs the most memory."""
        assert self._largest is not None  # set by __post_init__
        return self._largest

    @property
    def parameter_names(self) -> list[str]:
        """The varied parameters, in order."""
        if self.design == "table":
            return list(dict.fromkeys(k for row in self.table for k in row))
        return [u.name for u in self.uncertainties]

    def unit_samples(self) -> np.ndarray:
        """The design in the unit hypercube (one row per point; not for factorial/table)."""
        d = len(self.uncertainties)
        problem = {"num_vars": d, "names": self.parameter_names, "bounds": [[0.0, 1.0]] * d}
        seed = _int_seed(self.seed)
        if self.design == "lhs":
            rng = np.random.default_rng(stream(as_seed_sequence(self.seed), DESIGN_STREAM))
            return scipy.stats.qmc.LatinHypercube(d=d, rng=rng).random(self.samples)
        if self.design == "sobol":
            from SALib.sample import sobol

            return sobol.sample(problem, self.samples, calc_second_order=False, seed=seed)
        if self.design == "morris":
            from SALib.sample import morris

            return morris.sample(problem, self.samples, num_levels=MORRIS_LEVELS, seed=seed)
        raise ParameterError("experiment.design", self.design, "lhs, sobol or morris")

    def points(self) -> pd.DataFrame:
        """The design points: one row per point (index ``point``), one column per parameter."""
        names = self.parameter_names
        if self.design == "table":
            rows = [dict(row) for row in self.table]
        elif self.design == "factorial":
            grids = [u.factorial_levels(self.levels_per_range) for u in self.uncertainties]
            rows = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grids)]
        else:
            unit = self.unit_samples()
            columns = [u.ppf(unit[:, j]) for j, u in enumerate(self.uncertainties)]
            rows = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
        rows = [{k: _typed(k, v) for k, v in row.items()} for row in rows]
        frame = pd.DataFrame(rows, columns=names)
        frame.index.name = "point"
        return frame

    def point_values(self) -> list[dict[str, Any]]:
        """Each design point's parameter values, as plain Python values (unset ones left out)."""
        return [
            {
                str(k): v.item() if hasattr(v, "item") else v
                for k, v in row.items()
                if not _missing(v)
            }
            for _, row in self.points().iterrows()
        ]

    def scenarios(self) -> Iterable[Scenario]:
        """The scenario of each design point, in order (validated)."""
        for point, values in enumerate(self.point_values()):
            try:
                yield Scenario.from_dict({**self.scenario, **values})
            except ParameterError as exc:
                raise ParameterError(
                    f"design point {point}: {exc.name}", exc.got, exc.accepts, exc.hint
                ) from None

    @property
    def size(self) -> tuple[int, int, int]:
        """Design points, replications and policies: the experiment runs their product."""
        return len(self.points()), self.replications, len(self.policies)

    def describe(self) -> str:
        """One line: the design and how many runs it makes."""
        points, reps, policies = self.size
        return (
            f"{self.name}: {self.design} design, {points} points x {reps} replications x "
            f"{policies} policies = {points * reps * policies:,} runs"
        )


#: The dataclass fields of :class:`Experiment` that are not ``[experiment]`` settings.
_NOT_SETTINGS = {"policies", "uncertainties", "scenario", "table", "max_runs", "_largest"}


def _int_seed(seed: int) -> int:
    """A 32-bit seed for SALib, derived from the root seed."""
    return int(stream(as_seed_sequence(seed), DESIGN_STREAM).generate_state(1)[0])


def _typed(name: str, value: Any) -> Any:
    """A design value as the scenario parameter's type (ints rounded)."""
    if _missing(value):
        return value
    kind = Scenario.spec(name).kind
    if kind == "int":
        return round(float(value))
    if kind == "float":
        return float(value)
    return value


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _plain(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k != "name"}


def as_experiment(experiment: Experiment | str | Path) -> Experiment:
    """Accept an :class:`Experiment` or the path of a TOML experiment file."""
    if isinstance(experiment, Experiment):
        return experiment
    return Experiment.from_toml(experiment)
