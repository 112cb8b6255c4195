"""Fitting the market to a client's data: transaction logs in, summaries, ABC-SMC out.

- :mod:`~loyaltysim.fitting.clientdata` — the log's columns, reading and
  validating a client's file, the model's own log in the same format;
- :mod:`~loyaltysim.fitting.summaries` — the one summary-statistics function;
- :mod:`~loyaltysim.fitting.fit` — the fit (pyabc's ABC-SMC) and its folder;
- :mod:`~loyaltysim.fitting.posterior` — policies compared in markets drawn
  from a fit's posterior.
"""

from __future__ import annotations

from loyaltysim.fitting.clientdata import (
    LOG_COLUMNS,
    read_transactions,
    synthetic_log,
    validate_transactions,
)
from loyaltysim.fitting.fit import (
    FITTED,
    FitResult,
    basket_estimates,
    fit,
    load_fit,
    simulated_log,
)
from loyaltysim.fitting.posterior import PosteriorComparison, compare_posterior
from loyaltysim.fitting.summaries import SUMMARIES, summarize_log

__all__ = [
    "FITTED",
    "LOG_COLUMNS",
    "SUMMARIES",
    "FitResult",
    "PosteriorComparison",
    "basket_estimates",
    "compare_posterior",
    "fit",
    "load_fit",
    "read_transactions",
    "simulated_log",
    "summarize_log",
    "synthetic_log",
    "validate_transactions",
]
