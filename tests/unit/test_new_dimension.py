"""A new policy dimension is one record, its rules and its submodel: nothing else is edited.

The toy dimension here, ``gifts``, sends a gift to some active customers every month;
its record, two rules and a submodel are all the test writes. Policies, ``[policy]``
tables, the rule registry, ``loyaltysim params``, the monthly ledger, profit and the
run's draws all pick it up from the record.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

import numpy as np
import pytest

import loyaltysim as ls
from loyaltysim.month import Month
from loyaltysim.outcomes import Column
from loyaltysim.policies import (
    DIMENSIONS,
    Dimension,
    Policy,
    Rule,
    add_dimension,
    decide,
    parameter_rows,
    registered,
    remove_dimension,
    rule_param,
)
from loyaltysim.population import ACTIVE, Population
from loyaltysim.scenario import Scenario

GIFT_ROW = 100  # a row beyond the model's own: drawn from its own stream


class GiftRule(Rule):
    """Decides which active customers receive a gift this month."""

    @abstractmethod
    def give(self, customers: np.ndarray, population: Population) -> np.ndarray:
        """Return a boolean array: ``True`` where the customer gets a gift."""


def send_gifts(population: Population, scenario: Scenario, rule: GiftRule, month: Month) -> None:
    """The toy submodel: half of the chosen customers (by the gift row's draw) get a gift."""
    active = np.flatnonzero(population.status == ACTIVE)
    chosen = active[decide(rule, active, population)]
    lucky = chosen[month.uniform(GIFT_ROW, chosen) < 0.5]
    value = getattr(rule, "value_usd", 0.0)
    month.cost_usd[lucky] += value
    month.satisfaction_change[lucky] += 0.05
    month.book["gift_cost_usd"] = lucky.size * value
    month.book["gifts"] = lucky.size


@pytest.fixture
def gifts():
    record = add_dimension(
        Dimension(
            "gifts",
            GiftRule,
            neutral="none",
            decision="give",
            draws=(GIFT_ROW,),
            stories="a test's toy dimension",
            submodel=send_gifts,
            columns=(
                Column("gift_cost_usd", "gifts sent", "money", service_cost=True),
                Column("gifts", "customers who got a gift"),
            ),
        )
    )

    @registered
    @dataclass(frozen=True)
    class NoGifts(GiftRule):
        name = "none"

        def give(self, customers, population):
            return np.zeros(customers.size, dtype=bool)

    @registered
    @dataclass(frozen=True)
    class Gifts(GiftRule):
        name = "gifts"
        value_usd: float = rule_param(
            5.0, unit="USD", low=0.0, high=1e6, meaning="value of a gift", source="a toy"
        )

        def give(self, customers, population):
            return np.ones(customers.size, dtype=bool)

    yield record
    if "gifts" in DIMENSIONS:
        remove_dimension("gifts")


def test_a_new_dimension_is_one_record_plus_its_rules_and_submodel(gifts):
    scenario = Scenario(n_customers=1_000, horizon_months=12)
    policy = Policy.from_spec({"gifts": "gifts", "gifts_value_usd": 3.0, "name": "gifts"})
    assert policy.gifts.value_usd == 3.0 and Policy().gifts.name == "none"
    assert "gifts=gifts(3)" in Policy(gifts=policy.gifts).name
    assert any(row["name"] == "policy.gifts_value_usd (gifts)" for row in parameter_rows())

    with_gifts = ls.run(scenario, policy, rng=1).monthly
    without = ls.run(scenario, Policy(), rng=1).monthly
    assert with_gifts["gifts"].sum() > 0 and (without["gifts"] == 0).all()
    np.testing.assert_allclose(with_gifts["gift_cost_usd"], 3.0 * with_gifts["gifts"])
    costs = with_gifts["cost_of_goods_usd"] + with_gifts[
        [c.name for c in ls.outcomes.MONTHLY if c.service_cost] + ["gift_cost_usd"]
    ].sum(axis=1)
    np.testing.assert_allclose(with_gifts["profit_usd"], with_gifts["revenue_usd"] - costs)
    # before the gifts' first effects (they come at the month's end), everything else is the same
    assert with_gifts["purchases"].iloc[0] == without["purchases"].iloc[0]


def test_a_dimension_added_then_removed_leaves_the_model_as_it_was(gifts):
    remove_dimension("gifts")
    assert "gifts" not in DIMENSIONS and "gifts" not in Policy().rules
    assert "gifts" not in ls.run(Scenario(n_customers=500, horizon_months=6), rng=2).monthly


def test_the_model_draws_a_new_dimensions_row_from_its_own_stream(gifts):
    scenario = Scenario(n_customers=500, horizon_months=6)
    plain = ls.run(scenario, Policy(), rng=3).monthly.drop(columns=["gift_cost_usd", "gifts"])
    remove_dimension("gifts")
    before = ls.run(scenario, Policy(), rng=3).monthly
    # registering a dimension (with a draw row of its own) changes no other draw
    assert plain.equals(before)
