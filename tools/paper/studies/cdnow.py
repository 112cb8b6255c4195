"""The CDNOW study: loyaltysim's own forecast of real customers beside BG/NBD's, one run.

Both models are fitted on the calibration weeks of the full CDNOW log and judged on
its holdout by :func:`loyaltysim.evidence.cdnow.compare_models`. BG/NBD needs
pymc-marketing (the ``cdnow`` extra, ``make setup-cdnow``), which ``make setup`` does
not install; where it is missing, BG/NBD's part is read from :data:`RECORD`, the record
``make bench-cdnow`` writes with the same function, and loyaltysim's part, which needs
nothing extra, is recomputed and must equal the record's (else the record is stale and
the study stops). So the table always sets the two models of one run side by side.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from loyaltysim.evidence.cdnow import (
    ABM_REPLICATIONS,
    ABM_SEED,
    compare_models,
    load_cdnow,
)
from loyaltysim.style import styled
from paper.formatting import block, markdown_table, num
from paper.study import ROOT, WORKERS, Output, Study, quiet

#: The record of the last `make bench-cdnow` (`python benchmarks/cdnow.py --json ...`).
RECORD = ROOT / "papers" / "data" / "cdnow.json"
#: The target the comparison is read against: loyaltysim's error within this many times BG/NBD's.
TARGET_RATIO = 1.25
#: Relative difference up to which a recomputed loyaltysim number equals the record's (far
#: below the printed digits; the record may come from another NumPy version).
SAME = 1e-6


def record(bgnbd: bool | None = None) -> dict[str, Any]:
    """The comparison on the full log: computed, BG/NBD's part from :data:`RECORD` if need be.

    Args:
        bgnbd: Fit BG/NBD here; by default when pymc-marketing is installed.

    Raises:
        RuntimeError: BG/NBD is read from a record whose loyaltysim part differs
            from a fresh run (rerun ``make bench-cdnow``).
    """
    if bgnbd is None:
        bgnbd = importlib.util.find_spec("pymc_marketing") is not None
    fresh = compare_models(load_cdnow(), replications=ABM_REPLICATIONS, rng=ABM_SEED, bgnbd=bgnbd)
    result = fresh.to_dict()
    if bgnbd:
        return result
    stored = json.loads(RECORD.read_text())
    ours, theirs = result["evaluations"]["loyaltysim"], stored["evaluations"]["loyaltysim"]
    numbers = [k for k, v in ours.items() if isinstance(v, float)]
    stale = [k for k in numbers if abs(ours[k] - theirs[k]) > SAME * max(abs(ours[k]), 1.0)]
    if stale or (stored["rng"], stored["replications"]) != (ABM_SEED, ABM_REPLICATIONS):
        raise RuntimeError(
            f"{RECORD.name} does not hold this run of loyaltysim "
            f"({', '.join(stale) or 'seed or replications'} differ): rerun `make bench-cdnow`"
        )
    for key in ("bgnbd_parameters", "ratios"):
        result[key] = stored[key]
    result["evaluations"]["BG/NBD"] = stored["evaluations"]["BG/NBD"]
    result["cumulative"]["BG/NBD"] = stored["cumulative"]["BG/NBD"]
    return result


def make(
    workers: int = WORKERS, log: Callable[[str], None] = quiet, bgnbd: bool | None = None
) -> Output:
    """The table, the reading and the figure: loyaltysim against BG/NBD on CDNOW's holdout."""
    result = record(bgnbd)
    evaluations, ratios, cap = result["evaluations"], result["ratios"], result["cap"]

    def row(label: str, e: dict[str, float]) -> list[str]:
        return [
            label,
            num(e["forecast_total"]),
            num(e["actual_total"]),
            num(e["total_error_pct"], ".1f") + "%",
            num(e["path_mape_pct"], ".1f") + "%",
            num(e["customer_mae"], ".3f"),
            num(e["customer_correlation"], ".3f"),
        ]

    rows = [
        row("BG/NBD", evaluations["BG/NBD"]),
        row("loyaltysim", evaluations["loyaltysim"]),
        [
            "loyaltysim / BG/NBD (error ratio)",
            "",
            "",
            num(ratios["total_error"], ".2f") + "×",
            num(ratios["path_mape"], ".2f") + "×",
            num(ratios["customer_mae"], ".2f") + "×",
            "",
        ],
        row("loyaltysim against purchase months", result["loyaltysim_on_purchase_months"]),
    ]
    fitted = result["loyaltysim_parameters"]
    config = (
        f"CDNOW, all {result['customers']:,} customers; both models fitted on weeks "
        f"1–{result['calibration_weeks']} (months 1997-01 to 1997-09) and judged on weeks "
        f"{result['calibration_weeks'] + 1}–{result['calibration_weeks'] + result['holdout_weeks']}"
        " (months 1997-10 to 1998-06): `evidence.cdnow.compare_models(load_cdnow(), "
        f"replications={result['replications']}, rng={result['rng']})`, the function of "
        "`make bench-cdnow` (`python benchmarks/cdnow.py --json papers/data/cdnow.json`). "
        "BG/NBD (maximum likelihood, pymc-marketing) is fitted in the same run where "
        "pymc-marketing is installed (`make setup-cdnow`), else read from "
        "`papers/data/cdnow.json`, whose loyaltysim row must equal this run's. loyaltysim: "
        "the purchase and churn steps fitted by maximum likelihood to each customer's "
        "purchase months (`purchase_probability_mean` "
        f"{num(fitted['purchase_probability_mean'], '.3f')}, `purchase_probability_dispersion` "
        f"{num(fitted['purchase_probability_dispersion'], '.3f')}, `base_monthly_churn` "
        f"{num(fitted['base_monthly_churn'], '.3f')}, `churn_loyalty_sensitivity` "
        f"{num(fitted['churn_loyalty_sensitivity'], '.2f')}), then the model run over the "
        f"holdout's nine months from each customer's posterior state, mean of "
        f"{result['replications']} runs, each month spread evenly over its days. Error: at "
        "week 78 (signed) and the mean absolute percentage error over the 39 weekly "
        "cumulative values; per customer: mean absolute error and correlation of holdout "
        "transactions. The last row sets loyaltysim against the holdout's purchase months "
        "(one transaction per customer and month), what a model of one purchase a month "
        "can reach."
    )
    table = block(
        markdown_table(
            [
                "model",
                "holdout forecast",
                "actual",
                "error at week 78",
                "error over the path (MAPE)",
                "per-customer MAE",
                "per-customer r",
            ],
            rows,
            right=6,
        ),
        config,
    )
    within = [k for k, v in ratios.items() if v <= TARGET_RATIO]
    ours = evaluations["loyaltysim"]
    values = {
        "cdnow_cap": (
            f"{num(100 * cap['transactions_over_one'], '.1f')}% of the holdout's "
            f"{num(cap['transactions'])} repeat transactions are a customer's second or later "
            f"of a month ({num(100 * cap['months_over_one'], '.1f')}% of the "
            f"{num(cap['purchase_months'])} customer-months with a purchase have more than one)"
        ),
        "cdnow_reading": (
            f"loyaltysim forecasts {num(ours['forecast_total'])} of the "
            f"{num(ours['actual_total'])} repeat transactions ("
            f"{num(ours['total_error_pct'], '.1f')}%, BG/NBD "
            f"{num(evaluations['BG/NBD']['total_error_pct'], '.1f')}%): its error is "
            f"{num(ratios['total_error'], '.2f')} times BG/NBD's at week 78 and "
            f"{num(ratios['path_mape'], '.2f')} times over the path, "
            + (
                "so it is not within the target of "
                if len(within) < len(ratios)
                else "within the target of "
            )
            + f"{TARGET_RATIO:g} times; per customer its mean absolute error is "
            f"{num(ratios['customer_mae'], '.2f')} times BG/NBD's and its correlation "
            f"{num(ours['customer_correlation'], '.3f')} against "
            f"{num(evaluations['BG/NBD']['customer_correlation'], '.3f')}"
        ),
    }
    return Output(
        tables={"cdnow": table}, values=values, figures={"cdnow": _cumulative_figure(result)}
    )


@styled
def _cumulative_figure(result: dict[str, Any]) -> Figure:
    """Cumulative repeat transactions by week: observed, BG/NBD and loyaltysim."""
    calibration = np.cumsum(result["calibration_weekly"])
    weeks = result["calibration_weeks"]
    holdout = np.arange(weeks + 1, weeks + result["holdout_weeks"] + 1)
    base = calibration[-1]
    curves = result["cumulative"]
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    observed = np.r_[calibration, base + np.asarray(curves["actual"])]
    ax.plot(np.arange(1, holdout[-1] + 1), observed, color="black", lw=2, label="observed")
    ax.plot(
        holdout,
        base + np.asarray(curves["actual purchase months"]),
        color="grey",
        ls=":",
        label="observed, one transaction a month at most",
    )
    ax.plot(holdout, base + np.asarray(curves["BG/NBD"]), color="tab:blue", ls="--", label="BG/NBD")
    ax.plot(holdout, base + np.asarray(curves["loyaltysim"]), color="tab:red", label="loyaltysim")
    ax.axvline(weeks + 0.5, color="grey", lw=1)
    ax.annotate(
        "calibration | holdout",
        (weeks + 0.5, 0.03),
        xycoords=("data", "axes fraction"),
        ha="center",
        fontsize="small",
        backgroundcolor="white",
    )
    ax.set_xlabel("week (from 1997-01-01)")
    ax.set_ylabel("cumulative repeat transactions")
    ax.set_xlim(0, holdout[-1] + 1)
    ax.set_ylim(0, None)
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(alpha=0.3)
    ax.set_title(f"CDNOW, {result['customers']:,} customers: the holdout forecast of two models")
    return fig


STUDY = Study(
    "cdnow",
    "loyaltysim and BG/NBD on CDNOW's holdout (BG/NBD from papers/data/cdnow.json without "
    "pymc-marketing)",
    make,
    tables=("cdnow",),
    values=("cdnow_cap", "cdnow_reading"),
    figures=("cdnow",),
)
