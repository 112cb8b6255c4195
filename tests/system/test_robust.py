"""The robust choice: regrets against the best candidate of each market, the minimax-regret
candidate, repeatable with a seed, and bad input refused in one line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loyaltysim.errors import ParameterError
from loyaltysim.experiments.definition import Uncertainty
from loyaltysim.experiments.store import FolderLock
from loyaltysim.robust import robust_choice
from loyaltysim.search import Search, search
from tests.helpers import cli

ROOT = Path(__file__).resolve().parents[2]

#: The claims rule and threshold on 300 people over 8 months: 4 trials of 2 replications.
TINY_SEARCH = {
    "search": {"name": "tiny", "seed": 5, "trials": 4, "replications": 2, "startup": 2},
    "scenario": {"n_customers": 300, "horizon_months": 8},
    "policy": {},
    "levers": {
        "claims": {"choices": ["compensate", "verify", "threshold"]},
        "claims_threshold_usd": {"low": 5, "high": 500, "log": True},
    },
    "objectives": {"npv": "npv_usd"},
}
RANGES = (
    Uncertainty("honesty_mean", low=0.5, high=0.95),
    Uncertainty("claim_value_usd", low=20, high=400),
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A finished tiny search (made once for the module)."""
    out = tmp_path_factory.mktemp("robust") / "search"
    search(Search.from_dict(TINY_SEARCH), out)
    return out


@pytest.fixture(scope="module")
def choice(folder):
    return robust_choice(folder, RANGES, candidates=3, samples=5, rng=3)


def test_regret_is_zero_for_the_best_candidate_of_each_market(choice):
    scores = choice.scores.to_numpy(dtype=float)  # npv: higher is better
    assert scores.shape == (5, 3)
    regret = scores.max(axis=1, keepdims=True) - scores
    assert np.all(regret >= 0)
    assert np.all(regret[np.arange(5), scores.argmax(axis=1)] == 0)
    np.testing.assert_allclose(choice.table["mean_regret"], regret.mean(axis=0))
    np.testing.assert_allclose(choice.table["max_regret"], regret.max(axis=0))
    np.testing.assert_allclose(choice.table["mean"], scores.mean(axis=0))
    within = (regret <= choice.tolerance).mean(axis=0)
    np.testing.assert_allclose(choice.table["satisficing"], within)


def test_the_robust_candidate_minimises_the_max_regret(choice):
    table = choice.table
    assert table.loc[choice.robust, "max_regret"] == table["max_regret"].min()
    assert table["max_regret"].max() > table["max_regret"].min()  # the candidates differ
    assert table.loc[choice.best_mean, "mean"] == table["mean"].max()
    text = str(choice)
    assert f"robust (min max regret): {choice.robust}" in text
    assert "95% interval" in text


def test_the_candidates_are_the_best_feasible_trials_by_the_first_objective(folder, choice):
    trials = pd.read_csv(folder / "trials.csv").drop_duplicates(["claims", "claims_threshold_usd"])
    best = trials.sort_values("npv", ascending=False, kind="stable")["trial"].head(3)
    assert list(choice.table.index) == [f"trial_{t:04d}" for t in best]


def test_the_same_seed_gives_identical_results_and_another_seed_other_markets(folder, choice):
    again = robust_choice(folder, RANGES, candidates=3, samples=5, rng=3)
    pd.testing.assert_frame_equal(choice.scores, again.scores)
    pd.testing.assert_frame_equal(choice.table, again.table)
    other = robust_choice(folder, RANGES, candidates=3, samples=5, rng=4)
    assert not np.allclose(other.points.to_numpy(float), choice.points.to_numpy(float))


def test_without_a_seed_the_search_s_own_seed_is_used(folder):
    """What ``robust --help`` states: ``--seed`` defaults to the search's seed."""
    unseeded = robust_choice(folder, RANGES, candidates=2, samples=2)
    seed = TINY_SEARCH["search"]["seed"]
    seeded = robust_choice(folder, RANGES, candidates=2, samples=2, rng=seed)
    pd.testing.assert_frame_equal(unseeded.scores, seeded.scores)


def test_the_command_prints_the_table_and_writes_the_csv(capsys, folder, tmp_path):
    ranges = tmp_path / "ranges.toml"
    ranges.write_text("[uncertainties]\nhonesty_mean = { low = 0.5, high = 0.95 }\n")
    table = tmp_path / "robust.csv"
    status, out, err = cli(
        capsys, "robust", str(folder), "--over", str(ranges), "--samples", "3", "--csv", str(table)
    )
    assert status == 0, err
    assert "robust (min max regret):" in out and "satisficing" in out
    assert list(pd.read_csv(table).columns) == [
        "candidate",
        "mean",
        "mean_regret",
        "max_regret",
        "satisficing",
    ]


BAD = [
    ("[uncertainties]\nhonesty_maen = { low = 0.5, high = 0.9 }\n", (), "did you mean"),
    ("[uncertainties]\nhonesty_mean = { low = 0.9, high = 0.5 }\n", (), "a number above low"),
    ("[experiment]\nseed = 1\n", (), "uncertainties"),
    ("[uncertainties]\n", (), "--over"),
    (
        "[uncertainties]\nhonesty_mean = { low = 0.5, high = 0.9 }\n",
        ("--samples", "1"),
        "--samples",
    ),
    (
        "[uncertainties]\nhonesty_mean = { low = 0.5, high = 0.9 }\n",
        ("--candidates", "0"),
        "--candidates",
    ),
    (
        "[uncertainties]\nhonesty_mean = { low = 0.5, high = 0.9 }\n",
        ("--tolerance", "-1"),
        "--tolerance",
    ),
]


@pytest.mark.parametrize(("ranges", "options", "said"), BAD)
def test_bad_input_is_refused_in_one_line_and_nothing_is_written(
    capsys, folder, tmp_path, ranges, options, said
):
    file = tmp_path / "ranges.toml"
    file.write_text(ranges)
    table = tmp_path / "robust.csv"
    status, out, err = cli(
        capsys, "robust", str(folder), "--over", str(file), *options, "--csv", str(table)
    )
    assert status == 2, err
    assert out == "" and err.count("\n") == 1 and said in err, err
    assert not table.exists()


def test_a_folder_that_is_no_finished_search_is_refused(capsys, tmp_path):
    file = tmp_path / "ranges.toml"
    file.write_text("[uncertainties]\nhonesty_mean = { low = 0.5, high = 0.9 }\n")
    status, out, err = cli(capsys, "robust", str(tmp_path), "--over", str(file))
    assert status == 2 and out == "" and "SEARCH_DIR" in err and err.count("\n") == 1


def test_a_search_folder_being_written_names_the_search_command(folder):
    lock = FolderLock(folder, "search")
    lock.acquire()
    try:
        with pytest.raises(ParameterError, match="no other search is writing"):
            search(Search.from_dict(TINY_SEARCH), folder)
    finally:
        lock.release()


def test_the_example_search_folder_is_what_its_search_file_writes(tmp_path):
    example = ROOT / "examples" / "robust" / "small_claims"
    written = search(
        Search.from_toml(ROOT / "examples" / "searches" / "small_claims.toml"), tmp_path
    )
    for name in ("trials.csv", "best.csv"):
        pd.testing.assert_frame_equal(
            pd.read_csv(example / name).drop(columns="seconds"),
            pd.read_csv(tmp_path / name).drop(columns="seconds"),
        )
    assert (example / "search.json").read_text() == (tmp_path / "search.json").read_text()
    assert len(written.trials) == 6


@pytest.fixture(scope="module")
def posterior_choice(folder):
    """The candidates over draws from a posterior held in memory (churn 1%, 5% or 10%)."""
    from loyaltysim.fitting import FITTED, FitResult
    from loyaltysim.scenario import Scenario

    market = Scenario.from_dict(TINY_SEARCH["scenario"])
    rows = [
        {p.name: float(getattr(market, p.name)) for p in FITTED} | {"base_monthly_churn": c}
        for c in (0.01, 0.05, 0.1)
    ]
    posterior = pd.DataFrame(rows)
    posterior["weight"] = np.full(3, 1 / 3)
    fitted = FitResult(Path("in-memory"), market, pd.DataFrame(), pd.DataFrame(), posterior)
    return robust_choice(folder, posterior=fitted, candidates=3, samples=4, rng=3)


def test_over_a_posterior_the_regrets_are_against_the_best_candidate_of_each_draw(
    posterior_choice, folder
):
    scores = posterior_choice.scores.to_numpy(dtype=float)
    assert scores.shape == (4, 3)
    regret = scores.max(axis=1, keepdims=True) - scores
    np.testing.assert_allclose(posterior_choice.table["max_regret"], regret.max(axis=0))
    table = posterior_choice.table
    assert table.loc[posterior_choice.robust, "max_regret"] == table["max_regret"].min()
    assert "posterior draws" in str(posterior_choice)
    assert set(posterior_choice.points["base_monthly_churn"]) <= {0.01, 0.05, 0.1}
    with pytest.raises(ParameterError, match="exactly one"):
        robust_choice(folder, RANGES, posterior=Path("fit"))
    with pytest.raises(ParameterError, match="exactly one"):
        robust_choice(folder)


def test_a_posterior_that_is_no_fit_folder_is_refused_in_one_line(capsys, folder, tmp_path):
    status, out, err = cli(capsys, "robust", str(folder), "--posterior", str(tmp_path / "nofit"))
    assert status == 2 and out == "" and err.count("\n") == 1, err


def test_the_command_runs_the_candidates_over_a_real_fit_folder(capsys, folder):
    status, out, err = cli(
        capsys,
        "robust",
        str(folder),
        "--posterior",
        str(ROOT / "examples" / "client_fit"),
        "--samples",
        "2",
    )
    assert status == 0, err
    assert "2 posterior draws of the fit" in out and "robust (min max regret):" in out
