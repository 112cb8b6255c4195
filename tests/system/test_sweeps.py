"""Experiments run at scale: executors, resumable results, failures, analysis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import loyaltysim as ls
from loyaltysim.errors import ParameterError
from loyaltysim.experiments import Experiment, Uncertainty, sweep
from loyaltysim.experiments.analysis import Results, report
from loyaltysim.experiments.store import read_parts
from tests.helpers import TINY, tiny


def runs_of(folder: Path, experiment: Experiment) -> pd.DataFrame:
    frame = read_parts(folder / "runs", [p.name for p in experiment.policies])
    return frame.drop(columns="seconds")


# --- execution ---------------------------------------------------------------------------
@pytest.mark.slow
def test_results_are_identical_on_every_executor_and_worker_count(tmp_path):
    experiment = tiny()
    sweep(experiment, tmp_path / "seq", progress=False)
    expected = runs_of(tmp_path / "seq", experiment)
    assert len(expected) == 4 * 3 * 2 and (expected["status"] == "ok").all()
    for name, options in (
        ("processes2", {"workers": 2}),
        ("processes3", {"workers": 3, "chunk": 1}),
        ("dask2", {"workers": 2, "scheduler": "local"}),
    ):
        sweep(experiment, tmp_path / name, progress=False, **options)
        pd.testing.assert_frame_equal(runs_of(tmp_path / name, experiment), expected)


def test_policies_of_a_replication_share_the_population_and_draws(tmp_path):
    experiment = tiny(uncertainties=(), replications=6)
    sweep(experiment, tmp_path, progress=False)
    results = Results.load(tmp_path)
    assert results.variance_reduction().loc["verify_first"] < 0.7


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("ExplodingOnLargeClaims", "RuntimeError: the claims office burned down"),
        ("ExitingOnLargeClaims", r"ExitingOnLargeClaims.verify\(\) raised SystemExit: 3"),
    ],
)
def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, rule, message):
    from loyaltysim.policies import Policy
    from tests.system import failing_rule

    exploding = Policy(claims=getattr(failing_rule, rule)(), name="exploding")
    experiment = tiny(policies=(Policy.preset("always_compensate"), exploding), replications=2)
    summary = sweep(experiment, tmp_path, progress=False)
    runs = runs_of(tmp_path, experiment)
    failed = runs[runs["status"] == "failed"]
    assert summary.failed_runs == len(failed) > 0
    assert (failed["policy"] == "exploding").all()
    assert failed["error"].str.contains(message).all()
    assert (runs.loc[runs["policy"] == "always_compensate", "status"] == "ok").all()
    assert len(runs) == 4 * 2 * 2  # every task still ran
    assert len(Results.load(tmp_path).failures()) == len(failed)


def test_a_changed_experiment_refuses_to_mix_with_old_results(tmp_path):
    sweep(tiny(), tmp_path, progress=False)
    with pytest.raises(ParameterError, match="changed experiment definition"):
        sweep(tiny(replications=4), tmp_path, progress=False)
    summary = sweep(tiny(replications=4), tmp_path, progress=False, overwrite=True)
    assert summary.skipped == 0 and summary.ran == 4 * 4
    assert sweep(tiny(replications=4), tmp_path, progress=False).ran == 0  # all done


SLOW = """
[experiment]
name = "kill_me"
seed = 5
replications = 12
[scenario]
n_customers = 3000
horizon_months = 36
[policies]
always_compensate = "always_compensate"
verify_first = "verify_first"
[uncertainties]
claim_value_usd = { levels = [20.0, 400.0] }
"""


@pytest.mark.slow
def test_a_killed_sweep_resumes_to_the_same_results(tmp_path):
    path = tmp_path / "slow.toml"
    path.write_text(SLOW)
    command = [sys.executable, "-m", "loyaltysim", "sweep", str(path), "--no-progress"]
    process = subprocess.Popen([*command, "--out", str(tmp_path / "killed")])
    runs = tmp_path / "killed" / "runs"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(runs.glob("p*.parquet"))) < 3:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    finished = len(list(runs.glob("p*.parquet")))
    assert 3 <= finished < 24, "kill the sweep while it runs"
    for file in runs.glob("p*.parquet"):  # every result file is whole (".p*" are cut writes)
        assert len(pd.read_parquet(file)) == 2
    resumed = subprocess.run(
        [*command, "--out", str(tmp_path / "killed")], capture_output=True, text=True, check=True
    )
    assert f"{24 - finished} tasks run, {finished} already done" in resumed.stdout
    assert not list(runs.glob(".p*"))  # a write cut by the kill was cleared and redone
    subprocess.run([*command, "--out", str(tmp_path / "whole")], check=True, capture_output=True)
    experiment = Experiment.from_toml(path)
    pd.testing.assert_frame_equal(
        runs_of(tmp_path / "killed", experiment), runs_of(tmp_path / "whole", experiment)
    )


# --- results and analysis ----------------------------------------------------------------
def test_results_carry_the_definition_seed_and_versions(tmp_path):
    experiment = tiny(monthly_every=3)
    sweep(experiment, tmp_path, progress=False)
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert meta["fingerprint"] == experiment.fingerprint and meta["seed"] == 11
    assert {"loyaltysim", "mesa", "numpy", "python"} <= set(meta["versions"])
    results = Results.load(tmp_path)
    assert set(results.monthly["month"]) == {3, 6}
    assert len(results.monthly) == 2 * len(results.runs)


def test_break_even_and_report(tmp_path):
    experiment = tiny()
    sweep(experiment, tmp_path, progress=False)
    grid = Results.load(tmp_path).break_even("honesty_mean", "claim_value_usd")
    assert len(grid) == 4 and (grid["runs"] == 3).all()
    assert (grid["low"] <= grid["difference"]).all() and (grid["difference"] <= grid["high"]).all()
    text, files = report(tmp_path)
    assert "Over the whole design" in text and "Break-even" in text
    assert {f.name for f in files} >= {"overall.csv", "break_even.png", "ranking.csv"}


@pytest.mark.parametrize(("design", "column"), [("sobol", "ST"), ("morris", "mu_star")])
def test_sensitivity_ranks_the_uncertainty_that_matters(tmp_path, design, column):
    experiment = Experiment(
        policies=("always_compensate",),
        uncertainties=(
            Uncertainty("basket_value_usd", low=10.0, high=200.0),  # NPV scales with it
            Uncertainty("caprice_cost_usd", low=14.0, high=16.0),  # barely matters
        ),
        scenario=TINY,
        design=design,
        samples=8 if design == "sobol" else 6,
        replications=1,
        seed=3,
    )
    sweep(experiment, tmp_path, progress=False)
    table = Results.load(tmp_path).sensitivity()
    assert table[column].idxmax() == "basket_value_usd"
    assert table.loc["basket_value_usd", column] > 5 * abs(table.loc["caprice_cost_usd", column])


def test_a_one_point_sweep_is_the_comparison_of_the_same_seed(tmp_path):
    experiment = Experiment(
        policies=("always_compensate", "verify_first"),
        scenario={"n_customers": 400, "horizon_months": 6},
        replications=3,
        seed=5,
    )
    sweep(experiment, tmp_path / "one_point", progress=False)
    swept = Results.load(tmp_path / "one_point").runs
    compared = ls.compare(
        ls.Scenario(n_customers=400, horizon_months=6),
        ["always_compensate", "verify_first"],
        replications=3,
        rng=5,
    ).runs
    columns = [c for c in compared.columns if c not in ("replication", "policy")]
    pd.testing.assert_frame_equal(
        swept[columns].reset_index(drop=True), compared[columns].reset_index(drop=True)
    )


def test_the_design_wide_interval_takes_each_replication_as_one_observation(tmp_path):
    from loyaltysim.statistics import interval

    experiment = tiny(replications=3)
    sweep(experiment, tmp_path / "design", progress=False)
    results = Results.load(tmp_path / "design")
    runs = results.ok.pivot_table(
        index=["point", "replication"], columns="policy", values="npv_usd", aggfunc="first"
    )
    difference = runs["verify_first"] - runs["always_compensate"]
    per_replication = difference.groupby(level="replication").mean().to_numpy()
    mean, low, high = interval(per_replication)
    row = results.overall().loc["verify_first"]
    assert row["difference"] == pytest.approx(mean)
    assert (row["low"], row["high"]) == pytest.approx((low, high))
    # the seeds are common across points, so pooling the runs as if independent would be narrower
    _, naive_low, _ = interval(difference.to_numpy())
    assert naive_low > low
