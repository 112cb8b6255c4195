"""loyaltysim and BG/NBD on CDNOW: both fitted on weeks 1-39, judged on weeks 40-78, one run.

BG/NBD (Fader, Hardie & Lee 2005) is fitted with pymc-marketing (the ``cdnow``
extra); loyaltysim's purchase and churn steps are fitted to the customers' purchase
months and the model is run over the holdout from each customer's posterior state
(:func:`loyaltysim.evidence.cdnow.abm_forecast`). On the 1/10 sample Fader, Hardie & Lee
published estimates for and on the full 23,570 customers it prints the parameters, the
holdout errors of both models (cumulative repeat transactions at week 78 and over the
weekly path, per-customer MAE and correlation), loyaltysim's errors over BG/NBD's, how
much of the holdout the model's one purchase a month cannot reach, the seed, the
replications and the time of each step::

    python benchmarks/cdnow.py                   # about 20 s
    python benchmarks/cdnow.py --json papers/data/cdnow.json   # `make bench-cdnow`

``--json`` writes the full data's record (:meth:`Comparison.to_dict
<loyaltysim.evidence.cdnow.Comparison.to_dict>`), which the paper's CDNOW study
reads where pymc-marketing is not installed.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from loyaltysim._io import check_writable, write_atomic
from loyaltysim.evidence.cdnow import (
    ABM_REPLICATIONS,
    ABM_SEED,
    PUBLISHED_BGNBD,
    Evaluation,
    compare_models,
    load_cdnow,
)


def _row(result: Evaluation, customers: int) -> dict[str, float]:
    return {
        "customers": customers,
        "holdout actual": result.actual_total,
        "holdout forecast": round(result.forecast_total, 1),
        "week-78 error %": round(result.total_error_pct, 2),
        "path MAPE %": round(result.path_mape_pct, 2),
        "customer MAE": round(result.customer_mae, 4),
        "customer r": round(result.customer_correlation, 4),
    }


def main() -> None:
    """Run both models on the sample and the full data; print the tables (and write --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replications", type=int, default=ABM_REPLICATIONS)
    parser.add_argument("--seed", type=int, default=ABM_SEED)
    parser.add_argument("--json", type=Path, help="write the full data's record here")
    args = parser.parse_args()
    if args.json is not None:
        check_writable("--json", args.json)
    started = time.perf_counter()
    parameters: dict[str, dict[str, float]] = {"published (sample)": PUBLISHED_BGNBD}
    ours: dict[str, dict[str, float]] = {}
    rows: dict[str, dict[str, float]] = {}
    ratios: dict[str, dict[str, float]] = {}
    caps: dict[str, dict[str, float]] = {}
    seconds: dict[str, dict[str, float]] = {}
    record = None
    for label, sample in (("sample", True), ("full", False)):
        comparison = compare_models(
            load_cdnow(sample=sample), replications=args.replications, rng=args.seed
        )
        customers = len(comparison.split.summary)
        parameters[f"fitted ({label})"] = comparison.bgnbd_parameters
        ours[label] = comparison.purchase_fit.parameters
        for name, result in comparison.evaluations.items():
            rows[f"{label}: {name}"] = _row(result, customers)
        rows[f"{label}: loyaltysim vs purchase months"] = _row(
            comparison.loyaltysim_on_purchase_months, customers
        )
        ratios[label] = {k: round(v, 3) for k, v in comparison.ratios.items()}
        caps[label] = {k: round(v, 4) for k, v in comparison.cap.items()}
        seconds[label] = {k: round(v, 2) for k, v in comparison.seconds.items()}
        if not sample:
            record = comparison.to_dict()
    print(
        f"loyaltysim: seed {args.seed}, {args.replications} replications of the forward run; "
        "BG/NBD: maximum likelihood (pymc-marketing, no random draws)"
    )
    print("\nBG/NBD parameters (alpha in weeks)")
    print(pd.DataFrame(parameters).T.round(4).to_string())
    print("\nloyaltysim parameters (maximum likelihood of the purchase and churn steps)")
    print(pd.DataFrame(ours).T.round(4).to_string())
    print("\nHoldout weeks 40-78 against the actual repeat transactions (last row: against the")
    print("holdout's purchase months, one transaction per customer and month)")
    print(pd.DataFrame(rows).to_string())
    print("\nloyaltysim's errors over BG/NBD's (|week-78 error|, path MAPE, customer MAE)")
    print(pd.DataFrame(ratios).to_string())
    print("\nWhat one purchase a month cannot reach (holdout; calibration per purchase month)")
    print(pd.DataFrame(caps).to_string())
    print("\nSeconds per step")
    print(pd.DataFrame(seconds).to_string())
    print(f"\nTotal: {time.perf_counter() - started:.1f} s")
    if args.json is not None and record is not None:
        text = json.dumps(record, indent=1) + "\n"
        write_atomic(args.json, lambda tmp: Path(tmp).write_text(text))
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
