"""papers/paper.md prints what tools/paper computes, and links figures that exist.

The studies behind the paper's tables run here in their full configuration
(the one ``make paper`` runs), except the Sobol sensitivity study (about three
minutes on two cores) and the robustness scan of every case (several
minutes), whose code runs here on a small design and whose numbers
``python -m paper --check`` compares with the paper. The cases study
reads the case library's results from the session's ``case_results``, so the
cases are run once per test session.
"""

from __future__ import annotations

import json

import pytest

import paper
from loyaltysim.experiments import Experiment, Uncertainty
from paper.studies import cdnow, robustness, sensitivity
from paper.study import ROOT

PAPER = (ROOT / "papers" / "paper.md").read_text()

#: Studies whose full configuration is cheap enough for every test run (about a minute in all).
CHECKED_HERE = (
    "model",
    "library",
    "policies",
    "facts",
    "cases",
    "break_even",
    "cdnow",
    "lever_search",
)
#: Checked only by `python -m paper --check` (full configuration, minutes).
CHECKED_BY_THE_SCRIPT = ("sensitivity", "robustness")


def test_every_checked_study_is_checked_somewhere():
    checked = {s.name for s in paper.STUDIES if s.checked}
    assert checked == set(CHECKED_HERE) | set(CHECKED_BY_THE_SCRIPT)


def test_every_table_and_value_has_its_markers_and_every_marker_an_author():
    tables, values = paper.printed(PAPER)
    assert set(tables) == {t for s in paper.STUDIES for t in s.tables}
    assert set(values) == {v for s in paper.STUDIES for v in s.values}
    assert PAPER.count("<!-- table: ") == PAPER.count("<!-- /table -->")
    assert PAPER.count("<!-- value: ") == PAPER.count("<!-- /value -->")


def test_every_linked_figure_exists_and_every_figure_is_linked():
    links = paper.figure_links(PAPER)
    assert links, "the paper links no figure"
    for link in links:
        assert (ROOT / "papers" / link).is_file(), f"{link} is linked but missing"
    made = {f"figures/{f}.png" for s in paper.STUDIES for f in s.figures}
    assert made <= set(links), f"figures made but not linked: {sorted(made - set(links))}"


def test_the_table_files_are_what_the_paper_prints():
    tables, _ = paper.printed(PAPER)
    for name, bodies in tables.items():
        path = ROOT / "papers" / "tables" / f"{name}.md"
        assert path.read_text() == bodies[0] + "\n", f"{path} differs from paper.md"


@pytest.mark.slow
@pytest.mark.parametrize("name", CHECKED_HERE)
def test_the_paper_prints_what_a_fresh_run_computes(name, request):
    study = paper.select([name])[0]
    # the cases study reuses the session's runs of the case library (its own markets)
    inputs = {"results": request.getfixturevalue("case_results")} if name == "cases" else {}
    output = paper.run_study(study, **inputs)
    paper.close_figures(output)
    problems = paper.differences({name: output}, PAPER)
    assert not problems, (
        "papers/paper.md is stale: run `make paper` (or `python -m paper --only "
        f"{name}` in tools/)\n" + "\n".join(problems)
    )


@pytest.mark.slow
def test_the_cdnow_study_without_pymc_marketing_reads_bgnbd_from_its_record(monkeypatch, tmp_path):
    # where pymc-marketing is missing (make setup), BG/NBD's row comes from the record of
    # `make bench-cdnow`, and loyaltysim's row, recomputed, must equal the record's
    output = cdnow.make(bgnbd=False)
    paper.close_figures(output)
    problems = paper.differences({"cdnow": output}, PAPER)
    assert not problems, (
        "papers/data/cdnow.json or paper.md is stale: run `make bench-cdnow`, "
        "then `make paper`\n" + "\n".join(problems)
    )
    stored = json.loads(cdnow.RECORD.read_text())
    stored["evaluations"]["loyaltysim"]["forecast_total"] += 1.0
    stale = tmp_path / "cdnow.json"
    stale.write_text(json.dumps(stored))
    monkeypatch.setattr(cdnow, "RECORD", stale)
    with pytest.raises(RuntimeError, match="does not hold this run of loyaltysim"):
        cdnow.record(bgnbd=False)


def test_the_sensitivity_study_runs_on_a_small_design():
    experiment = Experiment(
        policies=("always_compensate", "verify_first"),
        uncertainties=(
            Uncertainty("honesty_mean", low=0.6, high=0.95),
            Uncertainty("base_monthly_churn", distribution="loguniform", low=0.005, high=0.05),
        ),
        scenario={"n_customers": 300, "horizon_months": 12},
        design="sobol",
        samples=4,
        replications=1,
        seed=1,
    )
    output = sensitivity.make(workers=1, experiment=experiment)
    paper.close_figures(output)
    study = paper.select(["sensitivity"])[0]
    assert set(output.tables) == set(study.tables)
    assert set(output.values) == set(study.values)
    assert set(output.figures) == set(study.figures)
    table = output.tables["sensitivity"]
    assert "`honesty_mean`" in table and "`base_monthly_churn`" in table
    assert "16 points × 1 paired replications" in output.values["sensitivity_design"]


def test_the_robustness_study_runs_on_a_small_design():
    output = robustness.make(
        workers=1,
        cases=["fixed_price", "broken_promise"],
        levels=2,
        replications=2,
        market={"n_customers": 600, "horizon_months": 12},
    )
    study = paper.select(["robustness"])[0]
    assert set(output.tables) == set(study.tables)
    assert set(output.values) == set(study.values)
    table = output.tables["robustness"]
    for assumption in ("effect_discount_refused", "haggle_discount_share", "promise_appeal"):
        assert f"`{assumption}`" in table
    assert "2 paired replications" in output.values["robustness_design"]
    assert output.values["robustness_count"].endswith(" of 2")
