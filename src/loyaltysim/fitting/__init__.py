"""Fitting the market to a client's data: transaction logs or KPIs in, summaries, ABC-SMC out.

- :mod:`~loyaltysim.fitting.clientdata` — the transaction log's and the
  claims log's columns, reading and validating a client's files, the model's
  own logs in the same formats;
- :mod:`~loyaltysim.fitting.summaries` — the one summary-statistics function
  of a transaction log;
- :mod:`~loyaltysim.fitting.kpis` — a client's aggregate figures (a KPI
  file) and the one function that computes them from logs;
- :mod:`~loyaltysim.fitting.fit` — the fit (pyabc's ABC-SMC) and its folder;
- :mod:`~loyaltysim.fitting.posterior` — policies compared in markets drawn
  from a fit's posterior.
"""

from __future__ import annotations

from loyaltysim.fitting.clientdata import (
    CLAIM_COLUMNS,
    CLAIM_OUTCOMES,
    LOG_COLUMNS,
    read_claims,
    read_transactions,
    synthetic_claims,
    synthetic_log,
    validate_claims,
    validate_transactions,
)
from loyaltysim.fitting.fit import (
    CLAIM_FITTED,
    FITTED,
    FitResult,
    basket_estimates,
    fit,
    load_fit,
    simulated_log,
)
from loyaltysim.fitting.kpis import INFORMS, KPIs, compute_kpis, read_kpis
from loyaltysim.fitting.posterior import PosteriorComparison, compare_posterior
from loyaltysim.fitting.summaries import SUMMARIES, summarize_log

__all__ = [
    "CLAIM_COLUMNS",
    "CLAIM_FITTED",
    "CLAIM_OUTCOMES",
    "FITTED",
    "INFORMS",
    "LOG_COLUMNS",
    "SUMMARIES",
    "FitResult",
    "KPIs",
    "PosteriorComparison",
    "basket_estimates",
    "compare_posterior",
    "compute_kpis",
    "fit",
    "load_fit",
    "read_claims",
    "read_kpis",
    "read_transactions",
    "simulated_log",
    "summarize_log",
    "synthetic_claims",
    "synthetic_log",
    "validate_claims",
    "validate_transactions",
]
