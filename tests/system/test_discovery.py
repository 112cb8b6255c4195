"""Scenario discovery on a sweep (PRIM) and the model as an EMA Workbench Model."""

from __future__ import annotations

import numpy as np
import pytest

from loyaltysim import compare
from loyaltysim.discovery import condition_terms, discover
from loyaltysim.experiments import Experiment, Uncertainty, sweep
from loyaltysim.experiments.analysis import Results
from loyaltysim.policies import Policy
from loyaltysim.scenario import Scenario
from tests.helpers import cli

pytest.importorskip("ema_workbench")


@pytest.fixture(scope="module")
def basket_sweep(tmp_path_factory):
    """40 LHS points over the basket value (which drives revenue) and the claim value."""
    folder = tmp_path_factory.mktemp("sweep") / "results"
    experiment = Experiment(
        policies=("always_compensate", "verify_first"),
        uncertainties=(
            Uncertainty("basket_value_usd", low=20.0, high=200.0),
            Uncertainty("claim_value_usd", low=10.0, high=100.0),
        ),
        scenario={"n_customers": 200, "horizon_months": 3},
        replications=1,
        design="lhs",
        samples=40,
        seed=5,
    )
    sweep(experiment, folder, progress=False)
    return folder


def test_a_condition_names_its_terms_and_refuses_anything_else():
    assert condition_terms("npv[a] - npv_usd[b] > 2 * churned[a]") == [
        ("npv_usd", "a"),
        ("npv_usd", "b"),
        ("churned", "a"),
    ]
    with pytest.raises(ValueError, match="did you mean 'npv_usd'"):
        condition_terms("npv_us[a] > 0")
    with pytest.raises(ValueError, match="OUTCOME\\[POLICY\\]"):
        condition_terms("1 > 0")


@pytest.mark.slow
def test_prim_finds_the_baskets_where_revenue_is_high(basket_sweep, tmp_path):
    # revenue grows with the basket, so "revenue above its median" is the upper half of
    # the basket range: the box restricts the basket from below, near the median basket
    results = Results.load(basket_sweep)
    revenue = results.ok[results.ok["policy"] == "always_compensate"].set_index("point")
    median = float(revenue["revenue_usd"].median())
    found = discover(results, f"revenue[always_compensate] > {median!r}", out=tmp_path / "discover")
    assert found.holds.sum() == 20
    box = found.boxes.set_index("parameter")
    assert "basket_value_usd" in box.index
    low = box.loc["basket_value_usd", "low"]
    baskets = results.points["basket_value_usd"]
    assert np.quantile(baskets, 0.3) < low < np.quantile(baskets, 0.7)
    stats = found.trajectories[0].loc[found.chosen[0]]
    assert stats["density"] >= 0.8 and stats["coverage"] >= 0.8
    for name in ("trajectory.csv", "boxes.csv", "trajectory.png"):
        assert (tmp_path / "discover" / name).is_file()
    assert "box 1: coverage" in str(found)


@pytest.mark.slow
def test_the_discover_command_prints_the_box_or_refuses_a_bad_condition(
    basket_sweep, capsys, tmp_path
):
    out = tmp_path / "d"
    where = "npv[verify_first] > npv[always_compensate] or npv[always_compensate] > 0"
    status, printed, err = cli(
        capsys, "discover", str(basket_sweep), "--where", where, "--out", str(out)
    )
    assert status == 0, err
    assert "design points" in printed and f"written to {out}" in printed
    for bad, said in (
        ("npv[verify_frist] > 0", "did you mean 'verify_first'"),
        ("npv[verify_first] + 1", "not true or false"),
        ("npv[verify_first] > __import__('os').getpid()", "is not allowed"),
        ("npv[verify_first] > 1e12", "holds at some design point"),
    ):
        target = tmp_path / "bad"
        status, printed, err = cli(
            capsys, "discover", str(basket_sweep), "--where", bad, "--out", str(target)
        )
        assert status == 2 and printed == "" and err.count("\n") == 1 and said in err, err
        assert not target.exists()


def test_the_ema_model_declares_its_parameters_and_runs_paired_experiments():
    from ema_workbench import ScalarOutcome, perform_experiments

    from loyaltysim.ema import ema_model

    market = Scenario(n_customers=200, horizon_months=3)
    model = ema_model(
        market,
        uncertainties={"claim_value_usd": (10.0, 2000.0), "network": None},
        levers={"claims": ["compensate", "threshold"], "claims_threshold_usd": (5.0, 500.0)},
        outcomes=("npv_usd", "false_accusations"),
        replications=2,
        rng=4,
    )
    assert [u.name for u in model.uncertainties] == ["claim_value_usd", "network"]
    assert model.uncertainties[0].lower_bound == 10.0
    assert [o.kind for o in model.outcomes] == [ScalarOutcome.MAXIMIZE, ScalarOutcome.MINIMIZE]
    experiments, outcomes = perform_experiments(model, scenarios=2, policies=2)
    assert len(experiments) == 4 and outcomes["npv_usd"].shape == (4,)
    # an experiment is the mean of `compare` on the same seed: paired replications
    row = experiments.iloc[0]
    values = {"claims": row["claims"]}
    if row["claims"] == "threshold":
        values["claims_threshold_usd"] = float(row["claims_threshold_usd"])
    policy = Policy.from_spec({**values, "name": "candidate"})
    scenario = market.replace(
        claim_value_usd=float(row["claim_value_usd"]), network=str(row["network"])
    )
    runs = compare(scenario, [policy], replications=2, rng=4).runs
    assert outcomes["npv_usd"][0] == pytest.approx(runs["npv_usd"].mean(), rel=1e-12)


def test_the_ema_model_refuses_a_range_outside_the_declaration():
    from loyaltysim.ema import ema_model

    with pytest.raises(ValueError, match=r"uncertainties\.claim_value_usd\.low"):
        ema_model(uncertainties={"claim_value_usd": (-5.0, 10.0)})
    with pytest.raises(ValueError, match="did you mean"):
        ema_model(levers={"claims_treshold_usd": (1.0, 2.0)})
    with pytest.raises(ValueError, match="None or a list"):
        ema_model(uncertainties={"network": (1.0, 2.0)})
