"""The loyaltysim command running simulations: run, compare, case, calibrate, sweep and
report, in-process and as the installed command."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import cli

SMALL = ["--set", "n_customers=600", "--set", "horizon_months=12"]


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


def test_run_writes_the_claim_log_as_parquet_or_csv(capsys, tmp_path):
    import pandas as pd

    args = ("run", *SMALL, "--policy", "verify_first", "--seed", "3")
    parquet, csv = tmp_path / "log" / "claims.parquet", tmp_path / "log" / "claims.csv"
    status, out, _ = cli(capsys, *args, "--claims", str(parquet))
    assert status == 0 and f"claim log written to {parquet}" in out
    assert cli(capsys, *args, "--claims", str(csv), "--json")[0] == 0
    from_parquet, from_csv = pd.read_parquet(parquet), pd.read_csv(csv)
    assert len(from_parquet) == len(from_csv) > 0
    assert list(from_csv.columns) == list(from_parquet.columns)
    assert from_csv["answer"].tolist() == from_parquet["answer"].astype(str).tolist()
    assert not list((tmp_path / "log").glob(".*"))  # no temporary files left behind


def test_run_refuses_a_bad_claim_log_path_before_running(capsys, tmp_path, monkeypatch):
    import loyaltysim.simulation

    def no_run(*args, **kwargs):
        raise AssertionError("ran before checking --claims")

    monkeypatch.setattr(loyaltysim.simulation, "run", no_run)
    status, _, err = cli(capsys, "run", *SMALL, "--claims", str(tmp_path / "claims.json"))
    assert status == 2 and "--claims: got" in err and ".parquet, .csv" in err
    folder = tmp_path / "claims.parquet"
    folder.mkdir()
    status, _, err = cli(capsys, "run", *SMALL, "--claims", str(folder))
    assert status == 2 and "a file path, not a folder" in err
    assert list(tmp_path.iterdir()) == [folder] and not list(folder.iterdir())


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
    assert "95% CI" in out
    assert ("Best policy:" in out) != ("No policy is clearly best:" in out)  # one or the other
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


def test_case_prints_the_comparison_and_its_reading(capsys, tmp_path):
    figure = tmp_path / "case.png"
    status, out, _ = cli(
        capsys, "case", "tennis_racket", *SMALL, "--replications", "3", "--figure", str(figure)
    )
    assert status == 0 and figure.exists()
    assert "story 4" in out and "95% CI" in out and "the story" in out
    assert "n_customers=600" in out  # the market says what changed


@pytest.mark.slow
def test_case_robustness_prints_each_assumptions_scan_and_sentence(capsys):
    from loyaltysim.cases import get_case

    args = ("case", "fixed_price", *SMALL, "--replications", "2", "--robustness", "--levels", "2")
    status, out, _ = cli(capsys, *args)
    assert status == 0
    assert "Robustness of the verdict" in out and "Robustness: " in out  # table, and reading
    for assumption in get_case("fixed_price").assumptions:
        assert f"{assumption.name}: {assumption.why[:30]}" in out
        assert (
            f"than always_compensate unless {assumption.name} is" in out
            or f"at every tested value of {assumption.name}" in out
        )
    _, data, _ = cli(capsys, *args, "--json")
    robustness = json.loads(data)["robustness"]
    assert robustness["levels"] == 2 and len(robustness["sentences"]) == 3
    assert robustness["summary"] in json.loads(data)["reading"]


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
        "policy.recovery_capacity_per_1000=5",
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
    assert policy["recovery"] == "escalate" and policy["recovery_capacity_per_1000"] == 5
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
