"""The report of a results folder: aligned tables with long names, figures that fit, the
break-even of the best challenger (or the one asked for), CSVs with named columns."""

from __future__ import annotations

import pandas as pd
import pytest

from loyaltysim.experiments import Experiment, sweep
from loyaltysim.experiments.analysis import Results, plot_overall
from tests.helpers import cli

LONG = "verify_every_claim_above_a_threshold_of_one_hundred_dollars"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A 2 x 2 grid, three policies (one with a long name), 2 replications."""
    experiment = Experiment.from_dict(
        {
            "experiment": {"name": "grid", "replications": 2, "seed": 4},
            "scenario": {"n_customers": 300, "horizon_months": 4},
            "policies": {
                "pay": "always_compensate",
                LONG: {"claims": "threshold"},
                "fixed": "fixed_pricing",
            },
            "uncertainties": {
                "claim_value_usd": {"levels": [20.0, 400.0]},
                "fraud_propensity_max": {"levels": [0.05, 0.3]},
            },
        }
    )
    out = tmp_path_factory.mktemp("report") / "grid"
    sweep(experiment, out, progress=False)
    return out


def test_the_break_even_sets_the_best_challenger_against_the_baseline(capsys, folder):
    status, text, _ = cli(capsys, "report", str(folder))
    assert status == 0
    overall = Results.load(folder).overall()
    best = overall.drop("pay")["difference"].idxmax()
    assert f"Break-even of {best} vs pay" in text
    assert pd.read_csv(folder / "report" / "break_even.csv").shape[0] == 4


def test_the_challenger_can_be_chosen_and_a_wrong_one_is_one_line(capsys, folder):
    status, text, _ = cli(capsys, "report", str(folder), "--challenger", "fixed")
    assert status == 0 and "Break-even of fixed vs pay" in text
    status, _, err = cli(capsys, "report", str(folder), "--challenger", "nobody")
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and "challenger" in err and "nobody" in err


def test_long_names_keep_the_table_aligned(capsys, folder):
    _, text, _ = cli(capsys, "report", str(folder))
    block = text.split("(95% CI):\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(block) == 3
    assert len({line.index(" mean ") for line in block}) == 1
    assert len({line.index(" diff ") for line in block}) == 1
    assert len({line.index(" best at ") for line in block}) == 1


def test_the_csvs_have_no_unnamed_index_column(capsys, folder):
    cli(capsys, "report", str(folder))
    for path in (folder / "report").glob("*.csv"):
        columns = list(pd.read_csv(path, nrows=1).columns)
        assert not any(str(c).startswith("Unnamed") for c in columns), path.name
    assert next(iter(pd.read_csv(folder / "report" / "overall.csv").columns)) == "policy"


def test_the_overall_figure_clips_neither_title_nor_labels(folder):
    fig = plot_overall(Results.load(folder))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    ax = fig.axes[0]
    texts = [ax.title, ax.xaxis.label, *ax.get_yticklabels()]
    assert LONG in {t.get_text() for t in texts}
    for text in texts:
        box = text.get_window_extent(renderer)
        assert page.x0 - 0.5 <= box.x0 and box.x1 <= page.x1 + 0.5, text.get_text()
        assert page.y0 - 0.5 <= box.y0 and box.y1 <= page.y1 + 0.5, text.get_text()
