"""The Mesa model: API, reproducibility, accounting identities, agents."""

from __future__ import annotations

import mesa
import networkx as nx
import numpy as np
import pandas as pd
import pytest

import loyaltysim as ls
from loyaltysim import LoyaltyModel, ParameterError, Policy, Scenario
from loyaltysim.errors import PluginError
from loyaltysim.submodels.ledger import COLUMNS
from tests.helpers import assert_accounts_balance


def test_the_model_is_a_mesa_model_advanced_with_run_for(small):
    model = LoyaltyModel(small, "verify_first", rng=5)
    assert isinstance(model, mesa.Model)
    assert model.time == 0
    model.run_for(6)
    assert model.time == 6 and model.month == 6
    assert model.running
    model.run_for(small.horizon_months - 6)
    assert not model.running
    frame = model.datacollector.get_model_vars_dataframe()
    assert isinstance(model.datacollector, mesa.DataCollector)
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame.index) == list(range(1, small.horizon_months + 1))
    assert model.datacollector.model_vars["active"] == frame["active"].tolist()


def test_the_model_can_run_past_its_horizon():
    model = LoyaltyModel(Scenario(n_customers=200, horizon_months=2), rng=1)
    model.run_for(5)
    assert len(model.datacollector.get_model_vars_dataframe()) == 5


def test_same_seed_gives_identical_results_bit_for_bit(small):
    a = ls.run(small, "verify_first", rng=11)
    b = ls.run(small, "verify_first", rng=11)
    pd.testing.assert_frame_equal(a.monthly, b.monthly, check_exact=True)
    assert a.summary == b.summary


def test_different_seeds_give_different_runs(small):
    a = ls.run(small, rng=1).monthly
    b = ls.run(small, rng=2).monthly
    assert not a.equals(b)


def test_a_seed_sequence_repeats_the_run_it_records(small):
    a = ls.run(small, rng=np.random.SeedSequence(99, spawn_key=(3,)))
    assert a.seed == {"entropy": 99, "spawn_key": [3]}
    again = np.random.SeedSequence(a.seed["entropy"], spawn_key=tuple(a.seed["spawn_key"]))
    pd.testing.assert_frame_equal(ls.run(small, rng=again).monthly, a.monthly)


def test_fresh_entropy_is_recorded(small):
    result = ls.run(small, rng=None)
    assert result.seed["entropy"] > 0
    assert set(result.versions) == {"loyaltysim", "mesa", "numpy", "python"}


def test_results_carry_seed_and_versions(small):
    result = ls.run(small, rng=4)
    assert result.versions["mesa"] == mesa.__version__
    assert result.versions["numpy"] == np.__version__
    assert result.to_dict()["seed"] == {"entropy": 4, "spawn_key": []}


@pytest.mark.parametrize("seed", [-1, 1.5, "x", True])
def test_bad_seeds_are_refused(small, seed):
    with pytest.raises(ParameterError, match="seed"):
        LoyaltyModel(small, rng=seed)


def test_policies_with_the_same_seed_meet_the_same_people_and_network(small):
    a = LoyaltyModel(small, "always_compensate", rng=8)
    b = LoyaltyModel(small, "verify_first", rng=8)
    np.testing.assert_array_equal(a.population.honesty, b.population.honesty)
    np.testing.assert_array_equal(a.population.status, b.population.status)
    np.testing.assert_array_equal(a.network.indices, b.network.indices)


@pytest.mark.parametrize("policy", ls.NAMED_POLICIES)
@pytest.mark.parametrize(
    "network", ["watts_strogatz", "barabasi_albert", "erdos_renyi", "complete"]
)
def test_accounting_identities_hold_every_month(policy, network):
    scenario = Scenario(n_customers=800, horizon_months=18, network=network, failure_rate=0.1)
    assert_accounts_balance(scenario, ls.run(scenario, policy, rng=2).monthly)


def test_customer_values_add_up_to_the_firms_profit(small):
    model = LoyaltyModel(small, "verify_first", rng=3)
    model.run_for(small.horizon_months)
    monthly = model.ledger.frame()
    pop = model.population
    gross = (monthly["revenue_usd"] - monthly["cost_of_goods_usd"]).sum()
    assert pop.cumulative_margin_usd.sum() == pytest.approx(gross)
    assert pop.discounted_value_usd.sum() == pytest.approx(monthly["discounted_profit_usd"].sum())


def test_run_summary_agrees_with_the_monthly_table(small):
    result = ls.run(small, "verify_first", rng=6)
    m, s = result.monthly, result.summary
    assert s["npv_usd"] == pytest.approx(m["discounted_profit_usd"].sum())
    assert s["final_active"] == m["active"].iloc[-1]
    assert s["fraud_losses_usd"] == pytest.approx(m["compensation_fraudulent_usd"].sum())
    assert s["wom_balance"] == m["wom_positive_messages"].sum() - m["wom_negative_messages"].sum()


def test_small_populations_get_agents_large_ones_on_demand():
    small_model = LoyaltyModel(Scenario(n_customers=300), rng=1)
    assert len(small_model.agents) == 300
    big = LoyaltyModel(Scenario(n_customers=5_000), rng=1)
    assert len(big.agents) == 0
    agent = big.customer(42)
    assert len(big.agents) == 1 and big.customer(42) is agent


def test_agents_are_views_of_the_population_arrays():
    model = LoyaltyModel(Scenario(n_customers=300), rng=1)
    agent = model.customer(7)
    assert agent.honesty == model.population.honesty[7]
    model.run_for(3)
    assert agent.satisfaction == model.population.satisfaction[7]
    agent.satisfaction = -0.5
    assert model.population.satisfaction[7] == -0.5
    assert agent.status in {"prospect", "active", "lapsed"}
    assert all(0 <= c < 300 for c in agent.contacts)
    with pytest.raises(ParameterError, match="index"):
        model.customer(300)


def test_a_users_networkx_graph_is_the_social_network():
    graph = nx.path_graph(400)
    model = LoyaltyModel(Scenario(n_customers=400), rng=1, network=graph)
    assert model.customer(0).contacts == [1]
    assert sorted(model.customer(5).contacts) == [4, 6]
    with pytest.raises(ParameterError, match="network"):
        LoyaltyModel(Scenario(n_customers=500), rng=1, network=graph)


def test_network_generators_have_the_requested_mean_degree():
    for network in ("watts_strogatz", "barabasi_albert", "erdos_renyi"):
        model = LoyaltyModel(Scenario(n_customers=4_000, network=network), rng=1)
        assert model.network.degree().mean() == pytest.approx(8, rel=0.05), network


def test_a_market_that_loses_every_customer_has_no_nan_in_its_summary():
    result = ls.run(Scenario(n_customers=300, horizon_months=12, base_monthly_churn=1.0), rng=1)
    assert not any(np.isnan(v) for v in result.summary.values())
    assert result.summary["final_mean_satisfaction"] == 0 == result.summary["final_nps"]
    nobody = Scenario(n_customers=300, horizon_months=3, initial_active_share=0.0)
    summary = ls.run(nobody, rng=1).summary
    assert not any(np.isnan(v) for v in summary.values())


def test_a_market_too_large_for_the_machine_is_refused_before_it_is_drawn(monkeypatch):
    monkeypatch.setattr("loyaltysim.model.machine_memory_bytes", lambda: 2 * 10**9)
    with pytest.raises(ParameterError, match=r"n_customers: got 10000000; .*needs about 5.\d GB"):
        LoyaltyModel(Scenario(n_customers=10_000_000), rng=1)
    LoyaltyModel(Scenario(n_customers=1_000), rng=1)  # fits


def test_the_state_is_checked_every_month_only_with_a_plug_in(monkeypatch):
    from tests.system.failing_rule import WritingNaN

    checked = []
    original = LoyaltyModel._check_state
    monkeypatch.setattr(
        LoyaltyModel, "_check_state", lambda self, t: checked.append(t) or original(self, t)
    )
    ls.run(Scenario(n_customers=300, horizon_months=4), rng=1)
    assert checked == [4]
    checked.clear()
    with pytest.raises(PluginError):
        ls.run(Scenario(n_customers=500, horizon_months=12), Policy(claims=WritingNaN()), rng=1)
    assert checked == list(range(1, len(checked) + 1)) and len(checked) < 12
