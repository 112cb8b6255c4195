"""Checks a user runs on their own rule before it meets the model.

Like scikit-learn's ``check_estimator``, :func:`check_rule` runs a rule on a
small market and raises on the first thing that would go wrong later, inside
a long sweep, with a message that says what to fix. The rule sees the market
as the model shows it: through the firm's customer records
(:class:`~loyaltysim.policies.records.CustomerRecords`), so a rule reading a
hidden trait such as ``honesty`` fails here as it would in a run.

Example:
    >>> from dataclasses import dataclass
    >>> import numpy as np
    >>> from loyaltysim.policies import ClaimsRule, check_rule
    >>> @dataclass(frozen=True)
    ... class VerifyRepeatClaimants(ClaimsRule):
    ...     name = "repeat_claimants"
    ...     def verify(self, claims, records):
    ...         return records.claims[claims.customers] >= 2
    >>> check_rule(VerifyRepeatClaimants())
    >>> @dataclass(frozen=True)
    ... class Forgetful(ClaimsRule):
    ...     name = "forgetful"
    ...     def verify(self, claims, records):
    ...         records.claims[:] = 0
    ...         return np.zeros(len(claims), dtype=bool)
    >>> check_rule(Forgetful())
    Traceback (most recent call last):
    ...
    loyaltysim.errors.ParameterError: policy.claims: got 'Forgetful.verify writing into the \
customer records'; accepts a rule that only reads the customer records (the model owns the state)
    >>> @dataclass(frozen=True)
    ... class MindReader(ClaimsRule):
    ...     name = "mind_reader"
    ...     def verify(self, claims, records):
    ...         return records.honesty[claims.customers] < 0.5
    >>> check_rule(MindReader())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    loyaltysim.errors.ParameterError: policy.claims: got 'MindReader.verify reading honesty'; \
accepts a rule that reads only what a firm sees: status, ... (honesty is hidden from a real firm)
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from loyaltysim.errors import ParameterError
from loyaltysim.policies.contract import ClaimBatch, Rule, decide, dimension_of
from loyaltysim.population import ACTIVE, Population
from loyaltysim.scenario import Scenario

__all__ = ["check_rule"]

#: The market a rule is checked on: small, with customers of every kind.
CHECK_MARKET = {"n_customers": 300, "initial_active_share": 0.5}


def check_rule(rule: Rule, *, seed: int = 0) -> None:
    """Check that ``rule`` is a well-behaved rule of a registered dimension.

    Checked, in order: it subclasses a registered dimension's base class and
    has a ``name``; its declared parameters accept their own values; its
    decision method reads only the customer records a firm keeps (no hidden
    trait) and answers one valid value per request (``True``/``False``, or a
    positive number for the promises) for no request, one and many; it
    leaves the population unchanged (the model owns the state); it answers
    the same twice (a rule with randomness or memory of its own would break
    common random numbers); and it can be pickled and compared (process pools,
    Dask and policy descriptions need both).

    Args:
        rule: An instance of the rule.
        seed: Seed of the small market the rule is run on.

    Raises:
        ParameterError: The first check that fails, saying what to fix.
    """
    dimension = dimension_of(rule)
    if dimension is None or not isinstance(rule, Rule):
        raise ParameterError(
            "rule", type(rule).__name__, "an instance of a policy dimension's base class"
        )
    label = f"{type(rule).__name__}.{dimension.decision}"
    if not rule.name:
        raise ParameterError("rule", type(rule).__name__, "a rule with a class attribute `name`")
    if dataclasses.is_dataclass(rule):
        fields = {f.name: getattr(rule, f.name) for f in dataclasses.fields(rule) if f.init}
        type(rule)(**fields)  # its parameters' own values must validate
    rng = np.random.default_rng(seed)
    population = _population(rng)
    extra: list[Any] = [1 if name == "month" else None for name in dimension.extra]
    for size in (0, 1, 50):
        requests = _requests(dimension.requests, population, size, rng)
        before = _state(population)
        first = decide(rule, requests, population, *extra)
        for name, values in before.items():
            if not np.array_equal(values, getattr(population, name), equal_nan=True):
                raise ParameterError(
                    "rule",
                    f"{label} changed population.{name}",
                    "a rule that only reads the customer records (the model owns the state)",
                )
        again = decide(rule, requests, population, *extra)
        if not np.array_equal(first, again):
            raise ParameterError(
                "rule",
                f"{label} answering differently to the same requests",
                "a rule whose answer depends only on the requests and the customer records "
                "(draw nothing and keep no memory of its own: runs must repeat exactly)",
            )
    import cloudpickle  # what the worker pools pickle with (loky, Dask)

    try:
        copy = cloudpickle.loads(cloudpickle.dumps(rule))
    except Exception as exc:
        raise ParameterError(
            "rule",
            type(rule).__name__,
            "a rule that can be pickled (for worker processes)",
            str(exc),
        ) from None
    if copy != rule:
        raise ParameterError(
            "rule",
            type(rule).__name__,
            "a rule equal to a copy of itself (make it a frozen dataclass)",
        )


def _population(rng: np.random.Generator) -> Population:
    """The check market's people, with some history in every record a rule may read."""
    population = Population.draw(Scenario.from_dict(CHECK_MARKET), rng)
    n = population.n
    population.tenure_months[:] = rng.integers(0, 36, n)
    population.claims[:] = rng.poisson(0.5, n)
    population.purchases[:] = population.claims + rng.poisson(6.0, n)
    population.public_complaints[:] = rng.binomial(population.claims, 0.2)
    population.claims_rejected[:] = rng.binomial(population.claims, 0.1)
    population.cumulative_margin_usd[:] = rng.gamma(2.0, 100.0, n)
    population.cumulative_cost_usd[:] = rng.gamma(1.0, 50.0, n)
    population.outreach_contacts[:] = rng.poisson(0.5, n)
    return population


def _requests(kind: str, population: Population, size: int, rng: np.random.Generator) -> Any:
    """``size`` requests of a dimension: claims by active customers, or people's indices."""
    active = np.flatnonzero(population.status == ACTIVE)
    who = rng.choice(active, size=min(size, active.size), replace=False)
    if kind == "claims":
        return ClaimBatch(
            customers=who,
            value_usd=rng.lognormal(3.5, 0.8, size=who.size),
            public=rng.random(who.size) < 0.2,
        )
    return who


def _state(population: Population) -> dict[str, np.ndarray]:
    """A copy of every population array."""
    return {f.name: getattr(population, f.name).copy() for f in dataclasses.fields(population)}
