"""The loyaltysim command: output, JSON, and bad input (exit 2, one line, nothing written)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from loyaltysim._io import write_atomic
from loyaltysim.cli import main

SMALL = ["--set", "n_customers=600", "--set", "horizon_months=12"]


def cli(capsys, *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_run_prints_the_summary_with_seed_and_versions(capsys):
    status, out, _ = cli(capsys, "run", *SMALL, "--policy", "verify_first", "--seed", "3")
    assert status == 0
    assert "policy verify_first" in out and "npv_usd" in out
    assert "seed 3" in out and "mesa" in out


def test_run_json_is_machine_readable_and_stable(capsys):
    _, first, _ = cli(capsys, "run", *SMALL, "--seed", "5", "--json")
    _, second, _ = cli(capsys, "run", *SMALL, "--seed", "5", "--json")
    data = json.loads(first)
    assert first == second
    assert data["seed"] == {"entropy": 5, "spawn_key": []}
    assert len(data["monthly"]["month"]) == 12
    assert data["policy"]["name"] == "always_compensate"


def test_compare_names_the_best_policy_with_cis(capsys, tmp_path):
    figure, table = tmp_path / "out" / "cmp.png", tmp_path / "out" / "runs.csv"
    status, out, _ = cli(
        capsys,
        "compare",
        *SMALL,
        "--replications",
        "3",
        "--seed",
        "1",
        "--figure",
        str(figure),
        "--csv",
        str(table),
    )
    assert status == 0
    for name in ("always_compensate", "verify_first", "fixed_pricing", "refuse_caprices"):
        assert name in out
    assert "Best policy:" in out and "95% CI" in out
    assert figure.stat().st_size > 10_000 and table.read_text().count("\n") == 13
    assert not list((tmp_path / "out").glob(".*"))  # no temporary files left behind


def test_compare_json_is_stable_across_invocations(capsys):
    args = ("compare", *SMALL, "--replications", "2", "--seed", "9", "--json")
    _, first, _ = cli(capsys, *args)
    _, second, _ = cli(capsys, *args)
    assert first == second
    assert json.loads(first)["best"] in json.loads(first)["policies"]


def test_compare_includes_the_policy_of_a_scenario_file(capsys, tmp_path):
    path = tmp_path / "client.toml"
    path.write_text(
        "[scenario]\nn_customers = 600\nhorizon_months = 6\n"
        '[policy]\nname = "client"\nclaims = "threshold"\nclaims_threshold_usd = 80\n'
    )
    status, out, _ = cli(
        capsys,
        "compare",
        "--scenario",
        str(path),
        "--policies",
        "verify_first",
        "--replications",
        "2",
        "--seed",
        "1",
        "--json",
    )
    assert status == 0 and json.loads(out)["policies"] == ["verify_first", "client"]


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


def test_the_installed_command_exits_2_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "loyaltysim", "run", "--set", "failure_rate=-1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "loyaltysim: error: failure_rate: got -1.0; accepts a number in [0, 1]"
    ]
    assert list(tmp_path.iterdir()) == []


def test_case_list_names_every_case(capsys):
    from loyaltysim.cases import CASES

    status, out, _ = cli(capsys, "case", "--list")
    assert status == 0
    assert all(name in out for name in CASES)


def test_case_prints_the_comparison_and_its_reading(capsys, tmp_path):
    figure = tmp_path / "case.png"
    status, out, _ = cli(
        capsys, "case", "tennis_racket", *SMALL, "--replications", "3", "--figure", str(figure)
    )
    assert status == 0 and figure.exists()
    assert "seed 004" in out and "95% CI" in out and "the story" in out
    assert "n_customers=600" in out  # the market says what changed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["case"], "a case name"),
        (["case", "tenis_racket"], "did you mean 'tennis_racket'"),
        (["case", "tennis_racket", "--set", "policy.claims=verify"], "compares its own"),
        (["case", "tennis_racket", "--replications", "0"], "--replications"),
        (["calibrate", "--set", "public_share=2"], "public_share"),
    ],
)
def test_bad_case_and_calibrate_input_is_one_line_exit_2(capsys, args, message):
    status, out, err = cli(capsys, *args)
    assert status == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_calibrate_prints_each_fact_with_its_tolerance(capsys, tmp_path):
    table = tmp_path / "facts.csv"
    status, out, _ = cli(capsys, "calibrate", *SMALL, "--replications", "1", "--csv", str(table))
    assert status == 0 and table.exists()
    assert "fraud share of claims" in out and "TARP" in out and "resolved quickly" in out


def test_every_story_dimension_can_be_set_from_the_command_line(capsys):
    status, out, _ = cli(
        capsys,
        "run",
        *SMALL,
        "--seed",
        "2",
        "--json",
        "--set",
        "policy.recovery=escalate",
        "--set",
        "policy.recovery_capacity_per_month=3",
        "--set",
        "policy.promises=optimistic",
        "--set",
        "policy.guarantee=satisfaction",
        "--set",
        "policy.outreach=keep_in_touch",
        "--set",
        "policy.pruning=drop_unprofitable",
        "--set",
        "policy.listening=listen",
    )
    assert status == 0
    result = json.loads(out)
    policy = result["policy"]
    assert policy["recovery"] == "escalate" and policy["recovery_capacity_per_month"] == 3
    assert [policy[d] for d in ("promises", "guarantee", "outreach", "pruning", "listening")] == [
        "optimistic",
        "satisfaction",
        "keep_in_touch",
        "drop_unprofitable",
        "listen",
    ]
    assert 0 < result["summary"]["escalations"] <= 3 * 12


def test_case_takes_a_set_even_back_to_the_default_value(capsys):
    # birthday_cards runs 120 months; --set horizon_months=60 (the default) must win
    status, out, _ = cli(
        capsys,
        "case",
        "birthday_cards",
        "--set",
        "horizon_months=60",
        "--set",
        "n_customers=600",
        "--replications",
        "2",
        "--json",
    )
    assert status == 0
    assert json.loads(out)["scenario"]["horizon_months"] == 60


def test_sweep_and_report_from_the_command_line(capsys, tmp_path):
    experiment = tmp_path / "e.toml"
    experiment.write_text(
        "[experiment]\nreplications = 2\n[scenario]\nn_customers = 300\nhorizon_months = 3\n"
        "[policies]\na = 'always_compensate'\nb = 'verify_first'\n"
        "[uncertainties]\nclaim_value_usd = { levels = [20.0, 500.0] }\n"
    )
    out = tmp_path / "out"
    status, text, _ = cli(capsys, "sweep", str(experiment), "--out", str(out), "--no-progress")
    assert status == 0 and "4 tasks run, 0 already done, 0 failed runs" in text
    status, text, _ = cli(capsys, "sweep", str(experiment), "--out", str(out), "--no-progress")
    assert status == 0 and "0 tasks run, 4 already done" in text
    status, text, _ = cli(capsys, "report", str(out))
    assert status == 0 and "Over the whole design" in text
    assert (out / "report" / "overall.png").exists()


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


def test_a_file_written_whole_gets_the_permissions_of_a_plain_open(tmp_path):
    mask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "table.csv", lambda p: Path(p).write_text("a,b\n"))
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "table.csv").stat().st_mode) == 0o644
