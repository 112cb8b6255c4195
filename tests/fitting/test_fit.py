"""``loyaltysim fit``: bad data refused with nothing written, the folder, seeds, resume, kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import loyaltysim as ls
from loyaltysim.cli import main
from loyaltysim.errors import ParameterError
from loyaltysim.fitting import FITTED, fit, simulated_log
from loyaltysim.fitting.fit import OUTPUTS
from loyaltysim.fitting.fit import generations_done as fit_generations_done

#: A small market with non-default parameters behind the generated logs.
TRUTH = ls.Scenario(
    n_customers=500,
    horizon_months=12,
    purchase_probability_mean=0.45,
    purchase_probability_dispersion=0.25,
    base_monthly_churn=0.03,
    churn_loyalty_sensitivity=3.0,
    advertising_rate=0.01,
    imitation_rate=0.05,
    initial_active_share=0.3,
)
SMALL = ["--market-size", "500", "--particles", "15", "--generations", "2", "--check-draws", "10"]


@pytest.fixture(scope="module")
def log_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("client") / "log.csv"
    simulated_log(TRUTH, rng=11).to_csv(path, index=False)
    return path


def generations_done(folder: Path) -> int:
    return fit_generations_done(folder / "abc.db")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("customer_id,date\nA,2025-01-01\n", "column 'amount_usd'"),
        ("customer_id,date,amount_usd\nA,yesterday,1\n", "date in row 1: got 'yesterday'"),
        ("customer_id,date,amount_usd\nA,2025-01-01,-3\n", "amount_usd in row 1: got '-3'"),
    ],
)
def test_a_bad_data_file_exits_2_in_one_line_and_writes_nothing(tmp_path, capsys, text, says):
    data = tmp_path / "log.csv"
    data.write_text(text)
    out = tmp_path / "fit"
    assert main(["fit", str(data), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_bad_options_are_refused_before_any_work(tmp_path, capsys, log_file):
    out = tmp_path / "fit"
    for args, says in (
        (["--market-size", "5"], "market_size: got 5"),
        (["--particles", "3"], "particles: got 3"),
        (["--columns", "date"], "--columns: got 'date'"),
        (["--policy", "kindness"], "--policy: got 'kindness'"),
        (["--set", "failure_rate=2"], "failure_rate: got 2"),
    ):
        assert main(["fit", str(log_file), "--out", str(out), *args]) == 2
        assert says in capsys.readouterr().err
    assert not out.exists()


def test_a_folder_of_other_files_is_refused(tmp_path, capsys, log_file):
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["fit", str(log_file), "--out", str(tmp_path), *SMALL]) == 2
    assert "it holds other files" in capsys.readouterr().err


@pytest.mark.slow
def test_fit_writes_its_folder_reproducibly_and_refuses_a_changed_fit(tmp_path, capsys, log_file):
    out = tmp_path / "fit"
    assert main(["fit", str(log_file), "--out", str(out), "--no-progress", *SMALL]) == 0
    printed = capsys.readouterr().out
    assert "| purchase_probability_mean |" in printed
    for name in OUTPUTS:
        assert (out / name).is_file(), name
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert list(posterior.columns) == [p.name for p in FITTED] + ["weight"]
    assert posterior["weight"].sum() == pytest.approx(1.0)
    fitted = ls.Scenario.from_toml(out / "scenario.toml")
    parameters = pd.read_csv(out / "parameters.csv").set_index("parameter")
    for p in FITTED:
        assert getattr(fitted, p.name) == pytest.approx(parameters.loc[p.name, "median"])
    assert fitted.n_customers == 500 and fitted.horizon_months == 12
    # the same seed in another folder: the same posterior, bit for bit
    again = fit(
        log_file,
        tmp_path / "again",
        market_size=500,
        particles=15,
        generations=2,
        check_draws=10,
        rng=2026,
    )
    pd.testing.assert_frame_equal(again.posterior, posterior)
    # a changed configuration is refused, naming what changed; --overwrite starts anew
    changed = ["fit", str(log_file), "--out", str(out), *SMALL, "--seed", "7"]
    assert main(changed) == 2
    assert "another configuration (seed)" in capsys.readouterr().err
    # the fitted market runs (its file is a scenario file)
    assert main(["run", "--scenario", str(out / "scenario.toml"), "--seed", "1", "--json"]) == 0


@pytest.mark.slow
def test_a_killed_fit_resumes_to_the_uninterrupted_posterior(tmp_path, log_file):
    args = [str(log_file), *SMALL[:4], "--generations", "3", "--check-draws", "10"]
    whole = tmp_path / "whole"
    assert main(["fit", *args, "--out", str(whole), "--no-progress"]) == 0
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "loyaltysim", "fit", *args, "--out", str(killed)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600  # a busy machine imports pyabc and simulates slowly
    while generations_done(killed) < 1 and time.monotonic() < deadline:
        if process.poll() is not None:  # ended on its own: show why rather than time out
            pytest.fail(f"the fit ended with exit {process.returncode}: {process.stderr.read()}")
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert 1 <= generations_done(killed) < 3
    assert not (killed / "posterior.parquet").exists()
    assert main(["fit", *args, "--out", str(killed), "--no-progress"]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(killed / "posterior.parquet"), pd.read_parquet(whole / "posterior.parquet")
    )


@pytest.mark.slow
def test_the_true_values_fall_inside_the_90_percent_intervals_of_what_the_data_inform(tmp_path):
    """A small version of ``benchmarks/fit_coverage.py``: one generated log, known values."""
    truth = TRUTH.replace(n_customers=1_000, horizon_months=24)
    result = fit(
        simulated_log(truth, rng=21),
        tmp_path / "fit",
        market_size=1_000,
        particles=50,
        generations=3,
        check_draws=10,
        rng=3,
    )
    informed = result.parameters[result.parameters["informed"]]
    assert "purchase_probability_mean" in set(informed["parameter"])  # never an empty check
    for row in informed.itertuples():
        true = getattr(truth, row.parameter)
        assert row.q05 <= true <= row.q95, (row.parameter, true, row.q05, row.q95)
    assert np.isclose(result.scenario.basket_value_usd, truth.basket_value_usd, rtol=0.1)


def test_a_bad_frame_is_refused_by_the_python_api(tmp_path):
    with pytest.raises(ParameterError, match="no column 'amount_usd'"):
        fit(pd.DataFrame({"customer_id": ["a"], "date": ["2025-01-01"]}), tmp_path / "x")
