"""BG/NBD on CDNOW: fitted on weeks 1-39, judged on the holdout weeks 40-78.

Fits BG/NBD (Fader, Hardie & Lee 2005) with pymc-marketing (the ``cdnow`` extra) on
the 1/10 sample they published estimates for and on the full 23,570 customers, and
prints the parameters beside the published ones, the holdout errors (cumulative
repeat transactions at week 78 and over the weekly path, per-customer MAE and
correlation) and the time of each step::

    python benchmarks/cdnow.py      # about a minute on one core

The errors are those any model's forecast is judged by
(:func:`loyaltysim.evidence.cdnow.evaluate`); a second model's row and its ratio to
BG/NBD's (:func:`loyaltysim.evidence.cdnow.error_ratios`) go beside them.
"""

from __future__ import annotations

import time

import pandas as pd

from loyaltysim.evidence.cdnow import (
    PUBLISHED_BGNBD,
    bgnbd_forecast,
    error_ratios,
    evaluate,
    fit_bgnbd,
    load_cdnow,
    split,
)


def main() -> None:
    """Fit, forecast and evaluate on the sample and on the full data; print the tables."""
    parameters: dict[str, dict[str, float]] = {"published (sample)": PUBLISHED_BGNBD}
    rows = {}
    for label, sample in (("sample", True), ("full", False)):
        started = time.perf_counter()
        cdnow = split(load_cdnow(sample=sample))
        loaded = time.perf_counter() - started
        fit = fit_bgnbd(cdnow)
        parameters[f"fitted ({label})"] = fit.parameters
        results = []
        for conditional in (True, False):
            started = time.perf_counter()
            forecast = bgnbd_forecast(fit, cdnow, conditional=conditional)
            seconds = time.perf_counter() - started
            result = evaluate(forecast, cdnow)
            results.append(result)
            rows[f"{label}: {result.name}"] = {
                "customers": len(cdnow.summary),
                "calibration repeats": int(cdnow.summary["frequency"].sum()),
                "holdout actual": result.actual_total,
                "holdout forecast": round(result.forecast_total, 1),
                "week-78 error %": round(result.total_error_pct, 2),
                "path MAPE %": round(result.path_mape_pct, 2),
                "customer MAE": round(result.customer_mae, 4),
                "customer r": round(result.customer_correlation, 4),
                "MAPE ratio to BG/NBD": round(error_ratios(result, results[0])["path_mape"], 3),
                "load+split s": round(loaded, 2),
                "fit s": round(fit.seconds, 2),
                "forecast s": round(seconds, 2),
            }
    print("BG/NBD parameters (alpha in weeks), maximum likelihood by pymc-marketing")
    print(pd.DataFrame(parameters).T.round(4).to_string())
    print("\nHoldout weeks 40-78, BG/NBD fitted on weeks 1-39")
    print(pd.DataFrame(rows).to_string())


if __name__ == "__main__":
    main()
