"""The loyaltysim command without a simulation: listings, and bad input (exit 2, one
line, nothing written)."""

from __future__ import annotations

import json
import time

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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--set", "policy.claims=:X"], "policy.claims: got ':X'"),
        (["run", "--set", "policy.claims=.policies:FixedPrices"], "no dots first"),
        (["run", "--set", "policy.claims=no_such_module:Rule"], "cannot import it: ModuleNotF"),
        (["run", "--set", "policy.claims=loyaltysim.policies:Nope"], "cannot import it: Attrib"),
        (["run", "--set", "policy.claims=loyaltysim.policies:FixedPrices"], "a subclass of Claims"),
        (["run", "--set", "policy.preset=[1]"], "policy: got [1]"),
        (["run", "--set", "policy.preset={a=1}"], "policy: got {'a': 1}"),
    ],
)
def test_bad_rule_strings_are_one_line_exit_2(capsys, args, message):
    status, out, err = cli(capsys, *args)
    assert status == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    ("before", "after", "length"),
    [
        ("n_customers=", "", "50,000,002"),
        ("policy.claims=", "", "50,000,002"),
        ("", "=1", "50,000,000"),
    ],
)
def test_a_long_value_or_name_is_shown_by_its_start(capsys, before, after, length):
    start = time.perf_counter()
    status, _, err = cli(capsys, "run", "--set", before + "x" * 50_000_000 + after)
    assert status == 2 and err.count("\n") == 1
    assert f"... ({length} characters)" in err and len(err) < 400
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "--replications", "1000000000"], "runs (1 points x 1,000,000,000 repl"),
        (["compare", "--replications", "3", "--max-runs", "11"], "at most 11 runs"),
        (["case", "tennis_racket", "--replications", "1000000000"], "at most 100,000 runs"),
        (["calibrate", "--replications", "1000000000"], "at most 100,000 runs"),
        (["sweep", "BIG", "--out", "OUT"], "at most 100,000 runs"),
        (["sweep", "HUGE_GRID", "--out", "OUT"], "1,000,000,000,000 points"),
        (["sweep", "LHS", "--out", "OUT"], "100,000,000 points"),
        (["sweep", "OK", "--out", "OUT", "--workers", "100000"], "--workers: got 100000"),
        (["sweep", "OK", "--out", "OUT", "--scheduler", ""], "--scheduler: got ''"),
        (["sweep", "OK", "--out", "OUT", "--scheduler", "nowhere"], "--scheduler: got 'nowh"),
        (["sweep", "UNKNOWN", "--out", "OUT"], "uncertainties.nope: unknown parameter"),
        (["sweep", "TABLE", "--out", "OUT"], "table.points[0]: got 5"),
        (["sweep", "TABLE_KEY", "--out", "OUT"], "table.points[0].nope: unknown parameter"),
        (["run", "--scenario", "/dev/zero"], "/dev/zero: larger than 10,000,000 bytes"),
    ],
)
def test_sizes_past_the_stated_limits_are_refused_at_once(capsys, tmp_path, args, message):
    files = {
        "BIG": "[experiment]\nreplications = 1000000000\n",
        "HUGE_GRID": "[experiment]\nlevels_per_range = 1000000\n[uncertainties]\n"
        "failure_rate = { low = 0.01, high = 0.2 }\nhonesty_mean = { low = 0.6, high = 0.9 }\n",
        "LHS": "[experiment]\ndesign = 'lhs'\nsamples = 100000000\n[uncertainties]\n"
        "failure_rate = { low = 0.01, high = 0.2 }\n",
        "OK": "[scenario]\nn_customers = 300\n",
        "UNKNOWN": "[uncertainties]\nnope = { low = 1, high = 2 }\n",
        "TABLE": "[experiment]\ndesign = 'table'\n[table]\npoints = [5, 'x']\n",
        "TABLE_KEY": "[experiment]\ndesign = 'table'\n[table]\npoints = [{ nope = 1 }]\n",
    }
    out = tmp_path / "out"
    for name, text in files.items():
        (tmp_path / f"{name}.toml").write_text(text + "[policies]\na = 'always_compensate'\n")
    args = [
        str(tmp_path / f"{a}.toml") if a in files else str(out) if a == "OUT" else a for a in args
    ]
    start = time.perf_counter()
    status, text, err = cli(capsys, *args)
    assert status == 2 and text == ""
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert time.perf_counter() - start < 5 and not out.exists()


def test_an_unwritable_output_is_refused_before_the_simulation(capsys, tmp_path, monkeypatch):
    (tmp_path / "some_file").write_text("x")
    ran = []
    monkeypatch.setattr("loyaltysim.simulation.simulate", lambda *a, **k: ran.append(1))
    status, _, err = cli(capsys, "run", "--csv", str(tmp_path / "some_file" / "x.csv"))
    assert status == 2 and "some_file is a file" in err and err.count("\n") == 1
    assert not ran


def test_a_scenario_file_with_a_byte_order_mark_is_read(capsys, tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf[scenario]\nn_customers = 300\nhorizon_months = 2\n")
    status, out, _ = cli(capsys, "run", "--scenario", str(path), "--seed", "1", "--json")
    assert status == 0 and json.loads(out)["scenario"]["n_customers"] == 300
