"""Properties over valid scenarios and policies (Hypothesis): whatever the market and the
rules, the accounts balance and a run's summary holds no NaN."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import loyaltysim as ls
from loyaltysim import ParameterError, Policy, Scenario
from loyaltysim.policies import DIMENSIONS
from loyaltysim.scenario import NETWORKS
from tests.helpers import assert_accounts_balance

#: Every real-valued market parameter with a finite range (the market's size is drawn apart).
BOUNDED = [
    spec
    for spec in Scenario.specs()
    if spec.kind == "float" and spec.low is not None and spec.high is not None
]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A small valid market: its size, horizon and network, and up to eight other parameters
    anywhere in their declared ranges (extremes included)."""
    n = draw(st.integers(10, 400))
    changes = {
        "n_customers": n,
        "horizon_months": draw(st.integers(1, 12)),
        "network": draw(st.sampled_from(NETWORKS)),
        "network_mean_degree": draw(st.sampled_from([2, 4, 6, 8])),
    }
    for spec in draw(st.lists(st.sampled_from(BOUNDED), max_size=8, unique_by=lambda s: s.name)):
        high = math.nextafter(spec.high, -math.inf) if spec.high_open else spec.high
        changes[spec.name] = draw(
            st.one_of(st.sampled_from([spec.low, high]), st.floats(spec.low, high))
        )
    try:
        return Scenario(**changes)
    except ParameterError:  # an impossible combination (the scenario says which)
        reject()


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    """One built-in rule per dimension, with its default parameters."""
    rules = {}
    for name, dimension in DIMENSIONS.items():
        built_in = [
            r for r, cls in dimension.rules.items() if cls.__module__.startswith("loyaltysim.")
        ]
        rules[name] = draw(st.sampled_from(sorted(built_in)))
    return Policy.from_spec(rules)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(scenario=scenarios(), policy=policies(), seed=st.integers(0, 2**32 - 1))
def test_the_accounts_balance_and_the_summary_has_no_nan(scenario, policy, seed):
    result = ls.run(scenario, policy, rng=seed)
    assert_accounts_balance(scenario, result.monthly)
    nan = [name for name, value in result.summary.items() if math.isnan(value)]
    assert not nan, f"NaN in the summary: {nan}"
    assert result.summary["npv_usd"] == pytest.approx(
        result.monthly["discounted_profit_usd"].sum(), rel=1e-9, abs=1e-6
    )
