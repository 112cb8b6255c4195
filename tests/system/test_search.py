"""The lever search: it finds a known optimum, repeats itself, resumes, and refuses bad files."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import loyaltysim.search as search_module
from loyaltysim import compare
from loyaltysim.evidence.closed_forms import one_claim_break_even, one_claim_scenario
from loyaltysim.policies import Policy
from loyaltysim.scenario import Scenario
from loyaltysim.search import Search, search
from tests.helpers import cli
from tests.unit.test_figures import _drawn, _tick_labels, _visible_texts

ROOT = Path(__file__).resolve().parents[2]

#: A small market: 300 people over 4 months.
TINY = {"n_customers": 300, "horizon_months": 4}


def tiny_search(**changes) -> Search:
    """The claims threshold against NPV on the tiny market: 6 trials of 2 replications."""
    tables = {
        "search": {"name": "tiny", "seed": 7, "trials": 6, "replications": 2, "startup": 3},
        "scenario": dict(TINY),
        "policy": {"claims": "threshold"},
        "levers": {"claims_threshold_usd": {"low": 5, "high": 500, "log": True}},
        "objectives": {"npv": "npv_usd"},
    }
    for key, value in changes.items():
        tables[key] = value
    return Search.from_dict(tables)


def _same_trials(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.drop(columns="seconds"), b.drop(columns="seconds"))


@pytest.mark.slow
def test_the_search_finds_the_break_even_claim_value_of_the_one_claim_market(tmp_path):
    # One month, claims of one spread, no later losses: verifying a claim of value A gains
    # pi*s*A - c + (1 - pi)*f*A (papers/odd.md section 7.4), so the best threshold is the
    # break-even A* = c / (pi*s + (1 - pi)*f), about 84 USD here.
    market = one_claim_scenario(20.0)
    expected = one_claim_break_even(market)
    market = market.replace(claim_value_usd=expected, claim_value_sigma=0.5)
    definition = Search.from_dict(
        {
            "search": {"name": "one_claim", "seed": 1, "trials": 30, "replications": 2},
            "scenario": market.changes(),
            "policy": {"claims": "threshold"},
            "levers": {"claims_threshold_usd": {"low": 5, "high": 1000, "log": True}},
            "objectives": {"npv": "npv_usd"},
        }
    )
    result = search(definition, tmp_path / "one_claim")
    found = float(result.best["claims_threshold_usd"].iloc[0])
    assert abs(found / expected - 1) < 0.10, (found, expected)


@pytest.mark.slow
def test_the_same_seed_gives_identical_trials_and_another_seed_others(tmp_path):
    first = search(tiny_search(), tmp_path / "a")
    again = search(tiny_search(), tmp_path / "b")
    _same_trials(first.trials, again.trials)
    assert len(first.trials) == 6 and first.trials["feasible"].all()
    other = search(
        tiny_search(search={"name": "tiny", "seed": 8, "trials": 6, "replications": 2}),
        tmp_path / "c",
    )
    assert not np.allclose(
        first.trials["claims_threshold_usd"], other.trials["claims_threshold_usd"]
    )


@pytest.mark.slow
def test_a_candidate_file_reruns_the_replications_the_search_scored(tmp_path):
    result = search(tiny_search(), tmp_path / "s")
    row = result.best.iloc[0]
    file = tmp_path / "s" / "candidates" / f"trial_{int(row['trial']):04d}.toml"
    tables = tomllib.loads(file.read_text())
    again = compare(
        Scenario.from_dict(tables["scenario"]),
        [Policy.from_spec(tables["policy"])],
        replications=2,
        rng=7,
    )
    assert again.runs["npv_usd"].mean() == pytest.approx(row["npv"], rel=1e-12)
    assert result.policies()[0].claims.threshold_usd == pytest.approx(row["claims_threshold_usd"])


@pytest.mark.slow
def test_an_interrupted_search_resumes_to_the_trials_of_an_uninterrupted_one(tmp_path, monkeypatch):
    whole = search(tiny_search(), tmp_path / "whole")
    calls = {"n": 0}
    real = search_module.replications

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:  # Ctrl-C while the fourth candidate runs
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(search_module, "replications", interrupted)
    with pytest.raises(KeyboardInterrupt):
        search(tiny_search(), tmp_path / "cut")
    monkeypatch.setattr(search_module, "replications", real)
    resumed = search(tiny_search(), tmp_path / "cut")
    assert (resumed.skipped, resumed.ran) == (3, 3)
    _same_trials(whole.trials, resumed.trials)
    # more trials continue a finished search
    longer = search(tiny_search(), tmp_path / "cut", trials=8)
    assert longer.skipped == 6 and len(longer.trials) == 8
    _same_trials(whole.trials, longer.trials.iloc[:6])


@pytest.mark.slow
def test_a_killed_search_resumes_to_the_trials_of_an_uninterrupted_one(tmp_path):
    definition = tiny_search(search={"name": "tiny", "seed": 7, "trials": 8, "replications": 1})
    file = tmp_path / "search.toml"
    file.write_text(_toml(definition.to_dict()))
    whole = search(definition, tmp_path / "whole")
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-m", "loyaltysim", "search", str(file), "--out", str(killed)]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600  # a busy machine imports and simulates slowly
    while search_module.trials_done(killed) < 2 and time.monotonic() < deadline:
        if process.poll() is not None:  # ended on its own: show why rather than time out
            pytest.fail(f"the search ended with exit {process.returncode}: {process.stderr.read()}")
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert 2 <= search_module.trials_done(killed) < 8
    assert not (killed / "trials.csv").exists()
    resumed = search(tiny_search(search=definition.to_dict()["search"]), killed)
    _same_trials(whole.trials, resumed.trials)


@pytest.mark.slow
def test_several_objectives_give_a_feasible_pareto_front_with_its_files(tmp_path):
    definition = tiny_search(
        search={"name": "front", "seed": 3, "trials": 8, "replications": 2, "population": 4},
        levers={
            "claims": {"choices": ["compensate", "verify", "threshold"]},
            "claims_threshold_usd": {"low": 5, "high": 500},
        },
        objectives={
            "npv": "npv_usd",
            "npv_cvar": {"outcome": "npv_usd", "statistic": "cvar", "share": 0.5},
            "accusations": {"outcome": "false_accusations"},
        },
        constraints={"wom": {"outcome": "wom_balance", "at_least": -1e9}},
        policy={},
    )
    assert definition.chosen_sampler == "nsga2"
    result = search(definition, tmp_path / "front")
    trials, front = result.trials, result.best
    assert not front.empty and front["feasible"].all()
    # no trial dominates a trial of the front (npv up, cvar up, accusations down)
    costs = np.column_stack([-trials["npv"], -trials["npv_cvar"], trials["accusations"]])
    for _, row in front.iterrows():
        own = np.array([-row["npv"], -row["npv_cvar"], row["accusations"]])
        assert not np.any(np.all(costs <= own, axis=1) & np.any(costs < own, axis=1))
    # a threshold is recorded only for the trials that chose the threshold rule
    assert trials.loc[trials["claims"] != "threshold", "claims_threshold_usd"].isna().all()
    folder = tmp_path / "front"
    for name in ("trials.csv", "trials.parquet", "best.csv", "levers.png", "pareto.png"):
        assert (folder / name).is_file(), name
    assert len(list((folder / "candidates").glob("trial_*.toml"))) == len(front)
    assert "Pareto front" in (folder / "report.md").read_text()
    assert len(pd.read_parquet(folder / "trials.parquet")) == len(trials)
    # the figures: no label clipped, no tick labels overlapping
    for figure in (
        search_module.plot_levers(definition, trials),
        search_module.plot_pareto(definition, trials, front),
    ):
        renderer = _drawn(figure)
        for text in _visible_texts(figure, renderer):
            box = text.get_window_extent(renderer)
            assert figure.bbox.x0 - 0.5 <= box.x0 and box.x1 <= figure.bbox.x1 + 0.5, text
            assert figure.bbox.y0 - 0.5 <= box.y0 and box.y1 <= figure.bbox.y1 + 0.5, text
        for ax in figure.axes:
            for axis in (ax.xaxis, ax.yaxis):
                boxes = [t.get_window_extent(renderer) for t in _tick_labels(axis)]
                assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


@pytest.mark.slow
def test_an_infeasible_constraint_leaves_no_best_candidate(tmp_path):
    result = search(
        tiny_search(constraints={"wom": {"outcome": "wom_balance", "at_least": 1e12}}),
        tmp_path / "none",
    )
    assert result.best.empty and not result.trials["feasible"].any()
    assert "no feasible candidate" in str(result)


BAD = [
    ({"levers": {"claims_treshold_usd": {"low": 1, "high": 2}}}, "did you mean"),
    (
        {"levers": {"claims_threshold_usd": {"low": -5, "high": 2}}},
        "levers.claims_threshold_usd.low",
    ),
    ({"levers": {"claims_threshold_usd": {"low": 5, "high": 2}}}, "a number above low"),
    ({"levers": {"claims": {"choices": ["pay", "verfy"]}}}, "levers.claims.choices"),
    ({"objectives": {"x": "npv"}}, "objectives.x.outcome"),
    ({"objectives": {"x": "claims"}}, "maximize or minimize"),
    ({"objectives": {"x": {"outcome": "npv_usd", "statistic": "cvar", "share": 2}}}, "share"),
    ({"constraints": {"w": {"outcome": "wom_balance"}}}, "exactly one of at_least, at_most"),
    ({"search": {"sampler": "tpe"}, "objectives": {"a": "npv_usd", "b": "churned"}}, "nsga2"),
    ({"search": {"trials": 0}}, "search.trials"),
    ({"search": {"trials": 60_000, "replications": 2}}, "--max-runs"),
    ({"scenario": {"n_customers": -1}}, "n_customers"),
    ({"levers": {}}, "at least one lever"),
    ({"search": {"replicatons": 2}}, "did you mean"),
]


@pytest.mark.parametrize(("change", "said"), BAD)
def test_a_bad_search_file_is_refused_in_one_line_and_nothing_is_written(
    capsys, tmp_path, change, said
):
    tables = {
        "search": {"trials": 2},
        "scenario": dict(TINY),
        "policy": {"claims": "threshold"},
        "levers": {"claims_threshold_usd": {"low": 5, "high": 500}},
        "objectives": {"npv": "npv_usd"},
    }
    for key, value in change.items():
        tables[key] = {**tables[key], **value} if key == "search" and value else value
    file = tmp_path / "search.toml"
    file.write_text(_toml(tables))
    out = tmp_path / "out"
    status, stdout, err = cli(capsys, "search", str(file), "--out", str(out))
    assert status == 2, err
    assert stdout == "" and err.count("\n") == 1 and said in err, err
    assert not out.exists()


@pytest.mark.slow
def test_a_folder_of_another_search_is_refused_unless_overwritten(capsys, tmp_path):
    folder = tmp_path / "s"
    search(tiny_search(), folder)
    before = (folder / "trials.csv").read_bytes()
    other = tiny_search(search={"name": "tiny", "seed": 9, "trials": 6, "replications": 2})
    with pytest.raises(search_module.ParameterError, match="another definition"):
        search(other, folder)
    assert (folder / "trials.csv").read_bytes() == before
    assert search(other, folder, overwrite=True).skipped == 0
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(search_module.ParameterError, match=r"no search\.json"):
        search(tiny_search(), foreign)


def test_the_search_command_prints_the_best_candidate(capsys, tmp_path):
    file = tmp_path / "search.toml"
    file.write_text(_toml(tiny_search().to_dict()))
    status, out, err = cli(
        capsys, "search", str(file), "--out", str(tmp_path / "s"), "--trials", "3", "--no-progress"
    )
    assert status == 0, err
    assert "tiny: 3 trials (3 run now, 0 already done)" in out
    assert "best candidate (1):" in out and "trial_000" in out
    assert "0 trials already done" in err
    assert json.loads((tmp_path / "s" / "search.json").read_text())["search"]["seed"] == 7


def _toml(tables: dict) -> str:
    """A search file from its tables (values as JSON, which TOML reads for these)."""
    lines = []
    for name, table in tables.items():
        lines.append(f"[{name}]")
        for key, value in table.items():
            if isinstance(value, dict):
                inner = ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def test_the_example_search_files_are_valid():
    files = sorted((ROOT / "examples" / "searches").glob("*.toml"))
    assert len(files) >= 2
    for file in files:
        Search.from_toml(file)
