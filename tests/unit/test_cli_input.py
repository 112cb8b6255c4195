"""The loyaltysim command without a simulation: listings, and bad input (exit 2, one
line, nothing written)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import cli


def test_params_lists_every_parameter_with_unit_range_and_source(capsys):
    status, out, _ = cli(capsys, "params", "--json")
    rows = json.loads(out)
    names = {row["name"] for row in rows}
    assert status == 0 and {"failure_rate", "n_customers", "policy.claims"} <= names
    assert all(row["unit"] and row["accepts"] and row["source"] for row in rows)
    _, text, _ = cli(capsys, "params", "--group", "churn")
    assert "base_monthly_churn" in text and "Reichheld" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--set", "failure_rate=2"], "failure_rate: got 2.0; accepts a number in [0, 1]"),
        (["run", "--set", "failur_rate=0.1"], "did you mean 'failure_rate'?"),
        (["run", "--set", "n_customers=many"], "n_customers: got 'many'"),
        (["run", "--set", "honesty_mean=1"], "honesty_dispersion"),
        (["run", "--set", "noequals"], "--set: got 'noequals'"),
        (["run", "--policy", "verify"], "policy: got 'verify'"),
        (["run", "--set", "policy.claims=verfy"], "policy.claims: got 'verfy'"),
        (["run", "--figure", "out.jpg"], "--figure: got 'out.jpg'"),
        (
            ["run", "--claims", "claims.xlsx"],
            "--claims: got 'claims.xlsx'; accepts a path ending in",
        ),
        (["run", "--claims", "."], "--claims: got '.'"),
        (["compare", "--replications", "0"], "--replications: got 0"),
        (["compare", "--policies", "a,b"], "policy: got 'a'"),
        (["params", "--group", "nope"], "--group: got 'nope'"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, args, message):
    status, _, err = cli(capsys, *args)
    assert status == 2
    assert err.startswith("loyaltysim: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[scenario\n", "not valid TOML"),
        ("[scenario]\nn_customers = -3\n", "n_customers: got -3"),
        ("[market]\nn = 3\n", "unexpected top-level entry 'market'"),
        ("[policy]\nclaims = 'maybe'\n", "policy.claims: got 'maybe'"),
    ],
)
def test_bad_scenario_files_are_reported_and_nothing_is_written(capsys, tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    figure = tmp_path / "figure.png"
    status, _, err = cli(capsys, "run", "--scenario", str(path), "--figure", str(figure))
    assert status == 2 and message in err
    assert not figure.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_case_list_names_every_case(capsys):
    from loyaltysim.cases import CASES

    status, out, _ = cli(capsys, "case", "--list")
    assert status == 0
    assert all(name in out for name in CASES)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["case"], "a case name"),
        (["case", "tenis_racket"], "did you mean 'tennis_racket'"),
        (["case", "tennis_racket", "--set", "policy.claims=verify"], "compares its own"),
        (["case", "tennis_racket", "--replications", "0"], "--replications"),
        (["case", "tennis_racket", "--robustness", "--levels", "1"], "--levels"),
        (["case", "tennis_racket", "--levels", "3"], "without --robustness"),
        (["calibrate", "--set", "public_share=2"], "public_share"),
    ],
)
def test_bad_case_and_calibrate_input_is_one_line_exit_2(capsys, args, message):
    status, out, err = cli(capsys, *args)
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", "missing.toml", "--out", "OUT"], "no such experiment file"),
        (["sweep", "BAD", "--out", "OUT"], "experiment.replications"),
        (["sweep", "BAD", "--out", "OUT", "--workers", "0"], "experiment.replications"),
        (["report", "OUT"], "a folder written by `loyaltysim sweep`"),
    ],
)
def test_bad_sweep_input_is_one_line_exit_2_and_nothing_written(capsys, tmp_path, args, message):
    bad = tmp_path / "bad.toml"
    bad.write_text("[experiment]\nreplications = -1\n[policies]\na = 'verify_first'\n")
    out = tmp_path / "out"
    args = [str(bad) if a == "BAD" else str(out) if a == "OUT" else a for a in args]
    status, text, err = cli(capsys, *args)
    assert status == 2 and text == ""
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
