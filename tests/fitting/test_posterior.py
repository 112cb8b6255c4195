"""``compare --posterior``: policies compared in markets drawn from a fit's posterior.

The draws follow the weights, a draw's runs are a comparison's on that market, the same seed
gives the same result on any number of workers, the variance split adds up and has no
parameter part when every draw is the same market, and bad input is one line, exit 2,
nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import loyaltysim as ls
from loyaltysim.errors import ParameterError
from loyaltysim.fitting import FITTED, FitResult, compare_posterior, fit, simulated_log
from loyaltysim.seeding import as_seed_sequence, stream
from loyaltysim.statistics import variance_split
from tests.helpers import cli

#: The hidden market behind the tiny fit's log (not the default market).
TRUTH = ls.Scenario(
    n_customers=300,
    horizon_months=12,
    purchase_probability_mean=0.45,
    base_monthly_churn=0.03,
    initial_active_share=0.3,
)
POLICIES = ["always_compensate", "verify_first", "fixed_pricing"]

#: A small market for the fits built in memory (no pyabc run).
SMALL = ls.Scenario(n_customers=300, horizon_months=6)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> FitResult:
    """A tiny real fit (one generation of ten particles), made once for the module."""
    folder = tmp_path_factory.mktemp("posterior") / "fit"
    log = simulated_log(TRUTH, rng=11)
    return fit(log, folder, market_size=300, particles=10, generations=1, check_draws=10)


def in_memory(rows: list[dict[str, float]], weights: list[float]) -> FitResult:
    """A fit result with the given particles in :data:`SMALL` (what a fit would return)."""
    posterior = pd.DataFrame(rows)[[p.name for p in FITTED]]
    posterior["weight"] = np.asarray(weights, dtype=float) / np.sum(weights)
    return FitResult(Path("in-memory"), SMALL, pd.DataFrame(), pd.DataFrame(), posterior)


def particle(**changes: float) -> dict[str, float]:
    """The fitted parameters of :data:`SMALL`, some changed."""
    return {p.name: float(getattr(SMALL, p.name)) for p in FITTED} | changes


def test_the_variance_split_is_the_law_of_total_variance():
    differences = np.random.default_rng(1).normal(size=(7, 4)) * [[1], [5], [2], [9], [1], [3], [4]]
    split = variance_split(differences)
    assert split["between"] + split["within"] == pytest.approx(np.var(differences), rel=1e-12)
    assert split["total"] == split["between"] + split["within"]
    assert split["mean"] == pytest.approx(differences.mean())
    same = variance_split(np.tile([0.1, 0.7, 0.3], (5, 1)))
    assert same["between"] == 0.0 and same["within"] > 0


def test_a_degenerate_posterior_has_no_parameter_part():
    fitted = in_memory([particle()] * 4, [1, 1, 1, 1])
    result = compare_posterior(fitted, POLICIES[:2], draws=6, replications=3, rng=2)
    assert result.particles > 1  # distinct particles, the same market: common random numbers
    row = result.table().loc["verify_first"]
    assert row["var_parameters"] == 0.0
    assert row["var_noise"] > 0 and row["var_total"] == row["var_noise"]
    assert row["parameter_share"] == 0.0
    assert row["low"] < row["difference"] < row["high"]
    # every draw is the same market: its runs are the same in every draw
    npv = result.runs.pivot(index=["replication", "policy"], columns="draw", values="npv_usd")
    assert (npv.nunique(axis=1) == 1).all()


def test_draws_follow_the_weights_and_a_draw_runs_as_a_comparison():
    rows = [particle(base_monthly_churn=c) for c in (0.3, 0.01, 0.08)]
    fitted = in_memory(rows, [0.0, 0.25, 0.75])
    result = compare_posterior(fitted, POLICIES[:2], draws=8, replications=2, rng=5)
    assert set(result.draws["particle"]) <= {1, 2}
    assert result.draws["base_monthly_churn"].tolist() == [
        rows[i]["base_monthly_churn"] for i in result.draws["particle"]
    ]
    split = result.table().loc["verify_first"]
    assert split["var_parameters"] + split["var_noise"] == pytest.approx(
        np.var(result.differences("verify_first", "always_compensate")), rel=1e-9
    )
    # draw 0 is a comparison of its market on the runs' root seed (the paired engine)
    market = SMALL.replace(base_monthly_churn=float(result.draws.loc[0, "base_monthly_churn"]))
    alone = ls.compare(market, POLICIES[:2], replications=2, rng=stream(as_seed_sequence(5), 1))
    draw = result.runs[result.runs["draw"] == 0].reset_index(drop=True)
    pd.testing.assert_series_equal(draw["npv_usd"], alone.runs["npv_usd"])
    p_beats = np.mean(result.differences("verify_first", "always_compensate") > 0)
    assert split["p_beats"] == p_beats


def test_bad_input_is_refused_by_the_python_api():
    fitted = in_memory([particle()], [1])
    for kwargs, says in (
        ({"draws": 0}, "draws: got 0"),
        ({"replications": 1}, "replications: got 1"),
        ({"changes": {"base_monthly_churn": 0.1}}, "base_monthly_churn: got 0.1"),
        ({"policies": ["always_compensate", "kindness"]}, "got 'kindness'"),
    ):
        with pytest.raises(ParameterError, match=says):
            compare_posterior(fitted, **kwargs)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda folder: None, "(no such folder)"),
        (lambda folder: folder.mkdir(), "(it holds no posterior.parquet)"),
        (
            lambda folder: folder.mkdir() or (folder / "posterior.parquet").write_text("x"),
            "(it holds no scenario.toml)",
        ),
    ],
)
def test_a_folder_that_is_no_fit_exits_2_in_one_line(tmp_path, capsys, monkeypatch, make, says):
    monkeypatch.chdir(tmp_path)
    make(tmp_path / "fit")
    status, out, err = cli(capsys, "compare", "--posterior", "fit", "--csv", "t.csv")
    assert status == 2 and out == ""
    assert err.startswith("loyaltysim: error: --posterior: got 'fit'") and says in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "t.csv").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--draws", "0"], "--draws: got 0; accepts a whole number >= 1"),
        (["--policies", "always_compensate,kindness"], "got 'kindness'"),
        (["--set", "imitation_rate=0.2"], "imitation_rate: got 0.2"),
        (["--scenario", "market.toml"], "--scenario: got 'market.toml'"),
    ],
)
def test_bad_options_exit_2_in_one_line_and_write_nothing(
    tmp_path, capsys, monkeypatch, fitted, args, says
):
    monkeypatch.chdir(tmp_path)
    status, out, err = cli(
        capsys, "compare", "--posterior", str(fitted.folder), *args, "--csv", "t.csv"
    )
    assert status == 2 and out == "" and says in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_the_same_seed_gives_the_same_result_on_any_number_of_workers(fitted):
    def run(**kwargs):
        return compare_posterior(fitted, POLICIES[:2], draws=5, replications=2, **kwargs)

    first = run(rng=7)
    for again in (run(rng=7), run(rng=7, workers=2), run(rng=7, workers=2)):
        pd.testing.assert_frame_equal(again.runs, first.runs)
        pd.testing.assert_frame_equal(again.draws, first.draws)
        pd.testing.assert_frame_equal(again.table(), first.table())
    assert not run(rng=8).runs["npv_usd"].equals(first.runs["npv_usd"])


@pytest.mark.slow
def test_the_command_prints_the_probability_and_writes_its_files(tmp_path, capsys, fitted):
    csv, figure = tmp_path / "posterior.csv", tmp_path / "posterior.png"
    words = ["compare", "--posterior", str(fitted.folder), "--policies", ",".join(POLICIES)]
    words += ["--draws", "4", "--replications", "2", "--seed", "3", "--no-progress"]
    status, out, err = cli(capsys, *words, "--csv", str(csv), "--figure", str(figure))
    assert status == 0, err
    assert "P(beats baseline)" in out and "parameters" in out and "noise" in out
    assert "4 posterior draws" in err
    assert out.count("Best policy") + out.count("No policy is clearly best") == 1
    runs = pd.read_csv(csv)
    assert len(runs) == 4 * 2 * len(POLICIES) and {"draw", "replication", "npv_usd"} <= set(runs)
    assert figure.stat().st_size > 0
    status, out, _ = cli(capsys, *words, "--json")
    table = json.loads(out)["table"]
    assert status == 0 and set(table) == set(POLICIES[1:])
    assert 0 <= table["verify_first"]["p_beats"] <= 1


def test_a_fit_of_other_parameters_varies_exactly_those(tmp_path):
    """A KPI or claims fit stores only what it fitted; each draw sets those columns."""
    posterior = pd.DataFrame(
        {"complaint_propensity_mean": [0.2, 0.9], "fraud_propensity_max": [0.01, 0.2]}
    )
    posterior["weight"] = [0.5, 0.5]
    folder = tmp_path / "fit"
    folder.mkdir()
    posterior.to_parquet(folder / "posterior.parquet", index=False)
    table = "".join(f"{k} = {v!r}\n" for k, v in SMALL.changes().items())
    (folder / "scenario.toml").write_text("[scenario]\n" + table)
    for name in ("parameters.csv", "predictive.csv"):
        pd.DataFrame({"x": [1]}).to_csv(folder / name, index=False)
    result = compare_posterior(folder, POLICIES[:2], draws=4, replications=2, rng=3)
    varied = result.draws[["complaint_propensity_mean", "fraud_propensity_max"]]
    assert set(map(tuple, varied.to_numpy())) <= {(0.2, 0.01), (0.9, 0.2)}
    with pytest.raises(ParameterError, match="a parameter the fit did not estimate"):
        compare_posterior(folder, POLICIES[:2], changes={"fraud_propensity_max": 0.1})
    assert compare_posterior(folder, POLICIES[:2], changes={"base_monthly_churn": 0.05}, draws=2)
