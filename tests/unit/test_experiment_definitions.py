"""Experiments defined: seeds, designs, policy tables, and files and design points
refused before anything runs or is written."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from loyaltysim.errors import ParameterError, ScenarioFileError
from loyaltysim.experiments import Experiment, Uncertainty, sweep, task_seed
from loyaltysim.experiments.execution import plan_tasks
from tests.helpers import tiny

ROOT = Path(__file__).resolve().parents[2]


def test_replication_r_runs_on_child_r_of_the_root_seed_at_every_design_point():
    root = np.random.SeedSequence(11)
    chained = root.spawn(5)[3]
    direct = task_seed(11, 3)
    assert (direct.generate_state(4) == chained.generate_state(4)).all()
    experiment = tiny()
    tasks = plan_tasks(experiment)
    for task in tasks:
        assert task.seed.spawn_key == (task.replication,)
    assert {t.point for t in tasks} == set(range(len(experiment.points())))


@pytest.mark.parametrize(
    ("design", "samples", "points"),
    [("factorial", 16, 4), ("lhs", 7, 7), ("sobol", 8, 8 * 4), ("morris", 3, 3 * 3)],
)
def test_each_design_has_the_documented_size_and_stays_in_range(design, samples, points):
    experiment = tiny(design=design, samples=samples)
    table = experiment.points()
    assert len(table) == points
    assert table["honesty_mean"].between(0.6, 0.95).all()
    assert set(table["claim_value_usd"]) <= {20.0, 800.0}
    assert experiment.points().equals(table)  # the design is fixed by the seed


def test_lists_in_a_policy_table_expand_into_variants(tmp_path):
    path = tmp_path / "e.toml"
    path.write_text(
        "[experiment]\nreplications = 2\n[scenario]\nn_customers = 300\nhorizon_months = 3\n"
        '[policies]\nbase = "always_compensate"\n'
        'threshold = { claims = "threshold", claims_threshold_usd = [50, 200] }\n'
    )
    experiment = Experiment.from_toml(path)
    names = [p.name for p in experiment.policies]
    assert names == [
        "base",
        "threshold[claims_threshold_usd=50]",
        "threshold[claims_threshold_usd=200]",
    ]
    assert Experiment.from_dict(experiment.to_dict()).fingerprint == experiment.fingerprint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[experiment]\nreplications = 0\n[policies]\na = 'verify_first'\n",
            "experiment.replications",
        ),
        ("[experiment]\ndesign = 'sobl'\n[policies]\na = 'verify_first'\n", "did you mean 'sobol'"),
        (
            "[experiment]\nrepetitions = 3\n[policies]\na = 'verify_first'\n",
            "experiment.repetitions",
        ),
        ("[policies]\na = 'verify_frst'\n", "policy"),
        ("[experiment]\n", "[policies]"),
        (
            "[policies]\na = 'verify_first'\n[uncertainties]\nhonesty = { low = 0, high = 1 }\n",
            "honesty",
        ),
        (
            "[policies]\na = 'verify_first'\n[uncertainties]\n"
            "honesty_mean = { low = 0.9, high = 0.5 }\n",
            "uncertainties.honesty_mean.high",
        ),
        (
            "[policies]\na = 'verify_first'\n[uncertainties]\n"
            "failure_rate = { levels = [0.1, 2] }\n",
            "failure_rate.levels",
        ),
        ("[policies]\na = 'verify_first'\n[scenario]\nnetwork_mean_degree = 3\n", "even"),
        (
            "[experiment]\ndesign = 'sobol'\nsamples = 10\n[policies]\na = 'verify_first'\n"
            "[uncertainties]\nhonesty_mean = { low = 0.5, high = 0.9 }\n",
            "power of 2",
        ),
        ("[policies\n", "not valid TOML"),
        ("[runs]\n", "unexpected top-level entry"),
    ],
)
def test_bad_experiment_files_are_rejected_and_nothing_is_written(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    with pytest.raises((ParameterError, ScenarioFileError), match=message.replace("[", r"\[")):
        sweep(path, out, progress=False)
    assert not out.exists()


def test_an_impossible_design_point_is_named(tmp_path):
    experiment_args = dict(
        uncertainties=(Uncertainty("network_mean_degree", levels=(4, 400)),),
        scenario={"n_customers": 300},
    )
    with pytest.raises(ParameterError, match="design point 1: network_mean_degree"):
        tiny(**experiment_args)


def test_example_experiments_are_valid():
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        assert Experiment.from_toml(path).size[0] > 0, path


@pytest.mark.parametrize(
    ("design", "samples"),
    [("factorial", 16), ("lhs", 7), ("sobol", 8), ("morris", 3), ("table", 1)],
)
def test_the_size_is_counted_before_any_point_is_made(design, samples):
    if design == "table":
        experiment = tiny(design="table", uncertainties=(), table=({"honesty_mean": 0.7},) * 5)
    else:
        experiment = tiny(design=design, samples=samples)
    assert experiment.planned_points() == len(experiment.points())


def test_the_run_limit_is_stated_raisable_and_not_part_of_the_definition():
    with pytest.raises(ParameterError, match=r"runs \(4 points x 3 replications x 2 policies\)"):
        tiny(max_runs=23)
    allowed = tiny(max_runs=24)
    assert allowed.fingerprint == tiny().fingerprint and "max_runs" not in allowed.to_dict()
    start = time.perf_counter()
    with pytest.raises(ParameterError, match="at most 100,000 runs"):
        tiny(design="lhs", samples=10**8)
    with pytest.raises(ParameterError, match="at most 100,000 variants"):
        Experiment.from_dict(
            {"policies": {"t": {"claims": "threshold", "claims_threshold_usd": [1.0] * 200_000}}}
        )
    assert time.perf_counter() - start < 2


def test_the_largest_market_of_the_design_sizes_the_memory_check():
    experiment = tiny(
        uncertainties=(Uncertainty("n_customers", levels=(300, 2_000, 500)),), scenario={}
    )
    assert experiment.largest_scenario.n_customers == 2_000
