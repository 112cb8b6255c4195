"""The model as an EMA Workbench ``Model``, its parameters and outcomes from its declarations.

:func:`ema_model` wraps loyaltysim for the EMA Workbench (Kwakkel 2017):
uncertainties are market parameters with their declared ranges or choices
(:meth:`loyaltysim.Scenario.spec`), levers are policy dimensions (their rules)
and rule parameters (their declared ranges, as in a lever search), and
outcomes are the run outcomes with their declared directions
(:data:`loyaltysim.outcomes.OUTCOMES`). Each experiment runs the candidate
policy on ``replications`` paired replications (child ``r`` of ``rng``, as
:func:`loyaltysim.compare` does), so experiments share common random numbers,
and reports each outcome's mean.

Example::

    from ema_workbench import perform_experiments
    from loyaltysim.ema import ema_model

    model = ema_model(
        uncertainties={"fraud_propensity_max": None, "claim_value_usd": (10, 2000)},
        levers={"claims": None, "claims_threshold_usd": (5, 2000)},
        outcomes=("npv_usd", "false_accusations"),
    )
    experiments, outcomes = perform_experiments(model, scenarios=16, policies=4)
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from loyaltysim.comparison import compare
from loyaltysim.errors import LoyaltysimError, ParameterError
from loyaltysim.outcomes import KEY_OUTCOMES, OUTCOMES, Direction
from loyaltysim.params import close_match, whole_number
from loyaltysim.scenario import Scenario
from loyaltysim.search import Lever, policy_with_levers

__all__ = ["LoyaltysimFunction", "ema_model"]

#: A range given for a parameter: ``None`` (its declared range or choices) or ``(low, high)``.
Range = tuple[float, float] | None


@dataclass(frozen=True)
class LoyaltysimFunction:
    """The function an EMA ``Model`` calls: parameters in, mean outcomes out (picklable).

    Attributes:
        scenario: The market's fixed settings (a ``[scenario]`` table).
        policy: The rules not varied (a ``[policy]`` table).
        levers: The levers (their names are keyword arguments of a call).
        outcomes: The outcomes returned.
        replications: Paired replications per experiment.
        rng: Root seed: replication ``r`` runs on its child ``r``.
    """

    scenario: dict[str, Any]
    policy: dict[str, Any]
    levers: tuple[Lever, ...]
    outcomes: tuple[str, ...]
    replications: int
    rng: int

    def __call__(self, **values: Any) -> dict[str, float]:
        """Run one experiment: the market with the uncertainties' values, the levers' policy."""
        names = {lever.name for lever in self.levers}
        market = {k: _plain(v) for k, v in values.items() if k not in names}
        chosen = {k: _plain(v) for k, v in values.items() if k in names}
        policy = policy_with_levers(self.levers, self.policy, chosen, name="candidate")
        scenario = Scenario.from_dict({**self.scenario, **market})
        runs = compare(scenario, [policy], replications=self.replications, rng=self.rng).runs
        return {name: float(runs[name].mean()) for name in self.outcomes}


def _plain(value: Any) -> Any:
    """A NumPy scalar from the workbench's sampler as a Python value."""
    return value.item() if hasattr(value, "item") else value


def ema_model(
    scenario: Scenario | None = None,
    *,
    uncertainties: Mapping[str, Range | Sequence[Any]] | None = None,
    levers: Mapping[str, Range | Sequence[Any]] | None = None,
    outcomes: Sequence[str] = KEY_OUTCOMES,
    policy: Mapping[str, Any] | None = None,
    replications: int = 1,
    rng: int = 0,
    name: str = "loyaltysim",
) -> Any:
    """The model as an ``ema_workbench.Model``, declared from loyaltysim's own metadata.

    Args:
        scenario: The market's fixed settings (default: the default market).
        uncertainties: Market parameters to vary: ``None`` for the declared
            range (a number declared with both bounds) or choices, ``(low,
            high)`` within it, or a list of levels.
        levers: Policy dimensions (``None``: all their rules, or a list of
            rules) and rule parameters (``None`` is not enough for an
            unbounded one: ``(low, high)``, or a list of choices).
        outcomes: Run outcomes to report, with their declared directions.
        policy: The rules not varied (a ``[policy]`` table).
        replications: Paired replications per experiment (their mean is reported).
        rng: Root seed of every experiment's replications.
        name: The model's name.

    Returns:
        An ``ema_workbench.Model``.

    Raises:
        ParameterError: An unknown parameter, lever or outcome, or a range
            outside the declaration.
        LoyaltysimError: ema_workbench is not installed (the ``ema`` extra).
    """
    if importlib.util.find_spec("ema_workbench") is None:
        raise LoyaltysimError(
            "the EMA model needs ema_workbench, which is not installed; install it with: "
            "pip install 'loyaltysim[ema]'"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its optional parallel back ends, missing
        import ema_workbench as ema
    scenario = scenario if scenario is not None else Scenario()
    whole_number("replications", replications, minimum=1)
    whole_number("rng", rng)
    chosen = tuple(_lever(key, value) for key, value in (levers or {}).items())
    function = LoyaltysimFunction(
        scenario.changes(), dict(policy or {}), chosen, tuple(outcomes), replications, rng
    )
    model = ema.Model(name, function=function)
    model.uncertainties = [
        _uncertainty(ema, key, value) for key, value in (uncertainties or {}).items()
    ]
    model.levers = [_ema_lever(ema, lever) for lever in chosen]
    kinds = {
        Direction.MAXIMIZE: ema.ScalarOutcome.MAXIMIZE,
        Direction.MINIMIZE: ema.ScalarOutcome.MINIMIZE,
        Direction.INFO: ema.ScalarOutcome.INFO,
    }
    for outcome in outcomes:
        if outcome not in OUTCOMES:
            raise ParameterError(
                "outcomes", outcome, "a run outcome", close_match(outcome, OUTCOMES)
            )
    model.outcomes = [ema.ScalarOutcome(o, kind=kinds[OUTCOMES[o].direction]) for o in outcomes]
    return model


def _lever(name: str, value: Range | Sequence[Any]) -> Lever:
    """A lever from its range (checked against the rules' declarations, as a search's are)."""
    if value is None:
        return Lever.from_spec(name, {})
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) for v in value)
    ):
        return Lever.from_spec(name, {"low": value[0], "high": value[1]})
    return Lever.from_spec(name, {"choices": list(value)})


def _ema_lever(ema: Any, lever: Lever) -> Any:
    if lever.kind == "float":
        return ema.RealParameter(lever.name, lever.low, lever.high)
    if lever.kind == "int":
        return ema.IntegerParameter(lever.name, int(lever.low or 0), int(lever.high or 0))
    return ema.CategoricalParameter(lever.name, list(lever.choices))


def _uncertainty(ema: Any, name: str, value: Range | Sequence[Any]) -> Any:
    """A market parameter as a workbench parameter, within its declaration."""
    label = f"uncertainties.{name}"
    try:
        spec = Scenario.spec(name)
    except ParameterError as exc:
        raise ParameterError(label, exc.got, exc.accepts, exc.hint, unknown=True) from None
    if value is not None and not (isinstance(value, tuple) and len(value) == 2):
        levels = [spec.validate(v, label) for v in value]
        return ema.CategoricalParameter(name, levels)
    if spec.kind == "choice":
        if value is not None:
            raise ParameterError(label, value, "None or a list of " + spec.accepts)
        return ema.CategoricalParameter(name, list(spec.choices or ()))
    if spec.kind == "bool":
        return ema.BooleanParameter(name)
    low, high = value if value is not None else (spec.low, spec.high)
    if low is None or high is None:
        raise ParameterError(label, value, f"(low, high) within {spec.accepts}: it has no bound")
    low, high = spec.validate(low, f"{label}.low"), spec.validate(high, f"{label}.high")
    if not low < high:
        raise ParameterError(f"{label}.high", high, f"a number above low = {low}")
    if spec.kind == "int":
        return ema.IntegerParameter(name, low, high)
    return ema.RealParameter(name, float(low), float(high))
