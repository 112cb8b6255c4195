"""`loyaltysim recommend`: the report says what its comparison says and respects the threshold.

Each market (the default one and examples/client.toml, made small) is run once
per module through the command line, which writes the HTML, the PDF and the
JSON; the tests read them against the comparison recomputed from the runs.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

import pandas as pd
import pytest

from loyaltysim.cli import main
from loyaltysim.recommend import (
    MATERIALITY,
    SCAN_LEVELS,
    SCAN_REPLICATIONS,
    Recommendation,
    decide,
    pdf_pages,
)
from loyaltysim.statistics import paired_differences

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--set", "n_customers=1500", "--set", "horizon_months=24"]
FAST = ["--replications", "4", "--levels", "2", "--scan-replications", "2", "--seed", "7"]
MARKETS = {
    "default": [],
    "client": ["--scenario", str(ROOT / "examples" / "client.toml")],
}


@pytest.fixture(scope="module", params=sorted(MARKETS))
def written(request, tmp_path_factory):
    """The command run on a small market: its HTML, PDF and runs (``--csv``)."""
    folder = tmp_path_factory.mktemp(request.param)
    argv = ["recommend", *MARKETS[request.param], *SMALL, *FAST]
    argv += ["--html", str(folder / "r.html"), "--pdf", str(folder / "r.pdf")]
    assert main([*argv, "--csv", str(folder / "runs.csv")]) == 0
    return request.param, folder


@pytest.mark.slow
def test_the_report_prints_the_comparisons_numbers_and_respects_the_threshold(written):
    name, folder = written
    runs = pd.read_csv(folder / "runs.csv")
    policies = list(dict.fromkeys(runs["policy"]))
    baseline = policies[0]
    # the paired differences, recomputed from the runs the command made
    wide = runs.pivot(index="replication", columns="policy", values="npv_usd")[policies]
    paired = paired_differences(wide, baseline).drop(baseline)
    threshold = MATERIALITY * abs(wide[baseline].mean())
    adopt = paired[(paired["low"] > 0) & (paired["difference"] >= threshold)]
    page = html.unescape((folder / "r.html").read_text())
    answer = page.split('<p class="answer">')[1].split("</p>")[0]
    if adopt.empty:
        assert answer.startswith(f"No change recommended: keep {baseline}"), answer
    else:
        assert answer.startswith(f"Adopt {adopt['difference'].idxmax()}:"), answer
        assert f"above the materiality threshold of {threshold:,.0f} USD" in answer
    assert f"{threshold:,.0f} (1% of the baseline's NPV)" in page
    for policy, row in paired.iterrows():
        cells = [f"{row[c]:+,.0f}" for c in ("difference", "low", "high")]
        line = f"<td>{policy}</td>"
        assert line in page, policy
        row_text = page.split(line)[1].split("</tr>")[0]
        for cell in cells:
            assert cell in row_text, (policy, cell, row_text)
        reading = decide(row["difference"], row["low"], row["high"], threshold)
        assert {"adopt": "adopt:", "immaterial": "below materiality"}.get(
            reading, "noise"
        ) in row_text
    assert "--seed 7" in page and "loyaltysim recommend" in page
    if name == "client":
        assert "client_threshold" in policies and "examples/client.toml" in page
    pdf = (folder / "r.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and pdf_pages(pdf) == 1


def test_the_threshold_decides_between_a_real_gain_and_keeping_the_baseline(small):
    from loyaltysim import compare

    comparison = compare(small, ["always_compensate", "refuse_caprices"], replications=4, rng=3)
    row = comparison.paired("always_compensate").loc["refuse_caprices"]
    assert row["low"] > 0, "the test needs a challenger better beyond the noise"
    below = Recommendation(comparison, row["difference"] * 0.5, "set in USD")
    above = Recommendation(comparison, row["difference"] * 2, "set in USD")
    assert below.recommended == "refuse_caprices"
    assert below.sentence().startswith("Adopt refuse_caprices")
    assert above.recommended == "always_compensate"
    assert above.sentence().startswith("No change recommended: keep always_compensate")
    assert "below the materiality threshold" in above.sentence()


@pytest.mark.parametrize(
    ("difference", "low", "high", "verdict"),
    [
        (10.0, 1.0, 19.0, "adopt"),
        (5.0, 1.0, 9.0, "adopt"),
        (4.0, 1.0, 7.0, "immaterial"),
        (10.0, -1.0, 21.0, "noise"),
        (-10.0, -15.0, -5.0, "worse"),
        (10.0, math.nan, math.nan, "noise"),
    ],
)
def test_one_rule_reads_every_challenger(difference, low, high, verdict):
    assert decide(difference, low, high, threshold_usd=5.0) == verdict


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--pdf", "report.txt"], "--pdf: got 'report.txt'; accepts a path ending in .pdf"),
        (["--html", "r.html", "--materiality", "1.5"], "materiality: got 1.5"),
        (["--html", "r.html", "--baseline", "nope"], "baseline: got 'nope'"),
        (["--html", "r.html", "--policies", "always_compensate"], "policies: got"),
        ([], "at least one of --html PATH, --pdf PATH, --json"),
        (
            ["--html", "r.html", "--materiality", "0.02", "--materiality-usd", "5"],
            "--materiality-usd: got 5.0",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    tmp_path, monkeypatch, capsys, extra, says
):
    monkeypatch.chdir(tmp_path)
    argv = ["recommend", "--set", "n_customers=200", "--set", "horizon_months=3"]
    assert main([*argv, "--replications", "2", *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err, err
    assert list(tmp_path.iterdir()) == []


def test_the_help_states_the_apis_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["recommend", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default {MATERIALITY};" in text
    assert f"scan (default {SCAN_LEVELS})" in text
    assert f"(default {SCAN_REPLICATIONS}; 0: no scan)" in text
