"""The market and the customers: ``initial_customers`` as an alternative to the share."""

from __future__ import annotations

import json

import numpy as np
import pytest

import loyaltysim as ls
from loyaltysim.errors import ParameterError
from loyaltysim.population import ACTIVE, LAPSED, Population
from tests.helpers import cli


def test_the_customer_count_sets_the_customers_at_month_zero():
    scenario = ls.Scenario(n_customers=1_000, initial_customers=400)
    assert scenario.initial_active == 400
    population = Population.draw(scenario, np.random.default_rng(1))
    assert int((population.status == ACTIVE).sum()) == 400


def test_unset_the_share_decides_as_before():
    scenario = ls.Scenario(n_customers=1_000)
    assert scenario.initial_customers is None
    assert scenario.initial_active == round(scenario.initial_active_share * 1_000) == 200
    assert "initial_customers" not in scenario.to_dict()


def test_a_count_and_the_share_it_implies_run_the_same_market():
    by_share = ls.Scenario(n_customers=500, horizon_months=6, initial_active_share=0.4)
    by_count = ls.Scenario(n_customers=500, horizon_months=6, initial_customers=200)
    first = ls.run(by_share, "always_compensate", rng=3).summary
    second = ls.run(by_count, "always_compensate", rng=3).summary
    assert first == second


def test_more_customers_than_the_market_is_one_clear_error():
    with pytest.raises(ls.ParameterError) as error:
        ls.Scenario(n_customers=1_000, initial_customers=1_001)
    message = str(error.value)
    assert "initial_customers" in message and "1001" in message.replace(",", "")
    assert "at most n_customers (1,000)" in message and "\n" not in message


def test_a_share_and_a_count_that_disagree_are_refused():
    with pytest.raises(ls.ParameterError, match="initial_active_share x n_customers = 300"):
        ls.Scenario(n_customers=1_000, initial_active_share=0.3, initial_customers=250)
    agreeing = ls.Scenario(n_customers=1_000, initial_active_share=0.3, initial_customers=300)
    assert agreeing.initial_active == 300


def test_a_resized_market_keeps_its_customer_count():
    scenario = ls.Scenario(n_customers=1_000, initial_customers=300).replace(n_customers=2_000)
    assert scenario.initial_active == 300


def test_the_command_line_takes_it_and_says_what_is_wrong(capsys):
    status, out, _ = cli(
        capsys,
        "run",
        "--set",
        "n_customers=400",
        "--set",
        "horizon_months=3",
        "--set",
        "initial_customers=100",
        "--seed",
        "1",
        "--json",
    )
    assert status == 0 and json.loads(out)["scenario"]["initial_customers"] == 100
    status, _, err = cli(
        capsys, "run", "--set", "n_customers=400", "--set", "initial_customers=500"
    )
    assert status == 2 and err.count("\n") == 1 and "initial_customers" in err


def test_params_lists_it_with_unit_range_meaning_and_source(capsys):
    status, out, _ = cli(capsys, "params", "--json")
    row = next(r for r in json.loads(out) if r["name"] == "initial_customers")
    assert status == 0 and row["group"] == "market" and row["unit"] == "people"
    assert row["default"] is None and "n_customers" in row["meaning"] and row["source"]
    assert "whole number in [0, 10,000,000]" in row["accepts"]


def test_a_population_takes_given_states_and_refuses_bad_ones():
    model = ls.LoyaltyModel(ls.Scenario(n_customers=50, horizon_months=3), rng=1)
    status = np.where(np.arange(50) < 20, ACTIVE, LAPSED)
    model.population.assign(status=status, purchase_probability=np.full(50, 1.0))
    assert model.population.initially_active.sum() == 20
    assert model.population.status.dtype == np.int8
    model.step()  # the first month runs on the given states: the 20 active buy surely
    assert (model.population.purchases[:20] == 1).all()
    for bad, message in (
        ({"stamina": np.zeros(50)}, r"^stamina: unknown parameter"),
        ({"loyalty": np.zeros(49)}, r"^loyalty: got '49 values'; accepts one per person \(50\)"),
        ({"status": np.full(50, 7)}, r"^status: got 'other codes'"),
        ({"purchase_probability": np.full(50, 1.5)}, r"^purchase_probability: got 'a value"),
    ):
        with pytest.raises(ParameterError, match=message):
            model.population.assign(**bad)
