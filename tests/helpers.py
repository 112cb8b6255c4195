"""Helpers the test folders share: the command called in-process, a tiny experiment,
the accounting identities of a run, and the NumPy network generators next to networkx's."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from loyaltysim.cli import main
from loyaltysim.experiments import Experiment, Uncertainty
from loyaltysim.network import barabasi_albert_edges, erdos_renyi_edges, watts_strogatz_edges
from loyaltysim.scenario import Scenario
from loyaltysim.submodels.ledger import SERVICE_COSTS


# --- the command, called in-process (tests/unit/test_cli_input.py, tests/system/test_cli.py)
def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``loyaltysim ARGS``."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


# --- a tiny experiment (tests/unit/test_experiment_definitions.py, tests/system/test_sweeps.py)
TINY = {"n_customers": 300, "horizon_months": 6}


def tiny(**changes) -> Experiment:
    """Two policies, two uncertainties, three replications on 300 people; ``changes`` win."""
    settings = dict(
        policies=("always_compensate", "verify_first"),
        uncertainties=(
            Uncertainty("honesty_mean", low=0.6, high=0.95),
            Uncertainty("claim_value_usd", levels=(20.0, 800.0)),
        ),
        scenario=TINY,
        levels_per_range=2,
        replications=3,
        seed=11,
    )
    return Experiment(**{**settings, **changes})


# --- the accounting identities of a run (tests/unit/test_model.py, tests/unit/test_properties.py)
def assert_accounts_balance(scenario: Scenario, monthly: pd.DataFrame) -> None:
    """Every month: profit is revenue less costs, people are counted once, discounting is
    (1 + i_m)^t, every claim is settled one way, every rejection is a fraud or an accusation."""
    costs = monthly["cost_of_goods_usd"] + monthly[list(SERVICE_COSTS)].sum(axis=1)
    np.testing.assert_allclose(monthly["profit_usd"], monthly["revenue_usd"] - costs)
    counts = monthly["prospects"] + monthly["active"] + monthly["lapsed"]
    assert (counts == scenario.n_customers).all()
    t = np.asarray(monthly.index)
    np.testing.assert_allclose(
        monthly["discounted_profit_usd"],
        monthly["profit_usd"] / (1 + scenario.monthly_discount_rate) ** t,
    )
    claims = monthly[["claims_genuine", "claims_mistaken", "claims_fraudulent"]].sum(axis=1)
    settled = monthly[["claims_paid", "claims_rejected", "claims_deflected"]].sum(axis=1)
    assert (settled == claims).all()
    assert (
        monthly["false_accusations"] + monthly["frauds_detected"] == monthly["claims_rejected"]
    ).all()


# --- the network generators, ours and networkx's (tests/unit/test_network.py,
# tests/statistical/test_network_statistics.py)
N, K = 2_000, 8

GENERATORS = {
    "watts_strogatz": (
        lambda seed: watts_strogatz_edges(N, K, 0.1, np.random.default_rng(seed)),
        lambda seed: nx.watts_strogatz_graph(N, K, 0.1, seed=seed),
    ),
    "barabasi_albert": (
        lambda seed: barabasi_albert_edges(N, K // 2, np.random.default_rng(seed)),
        lambda seed: nx.barabasi_albert_graph(N, K // 2, seed=seed),
    ),
    "erdos_renyi": (
        lambda seed: erdos_renyi_edges(N, K / (N - 1), np.random.default_rng(seed)),
        lambda seed: nx.fast_gnp_random_graph(N, K / (N - 1), seed=seed),
    ),
}
