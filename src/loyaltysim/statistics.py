"""Paired statistics: the confidence intervals behind every comparison.

Policies are compared on common random numbers: replication ``r`` of every
policy meets the same people, network and per-person draws, so the difference
between two policies is computed replication by replication (a *paired*
difference) and its confidence interval is far tighter than the overlap of the
two policies' own intervals suggests. :func:`paired_differences` reports how
much tighter (``sd_ratio``). :class:`loyaltysim.comparison.Comparison`, the
experiment analysis (:class:`loyaltysim.experiments.analysis.Results`) and the
case readings all use these two functions. :func:`variance_split` splits the
spread of paired differences gathered in several markets (the draws of a
fit's posterior) into the part between markets and the part within them;
:func:`tail_mean` is the downside risk (conditional value at risk) a lever
search may minimise.

Example:
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"a": [10.0, 12.0, 11.0], "b": [11.0, 13.5, 12.0]})
    >>> paired_differences(wide, baseline="a").round(3).loc["b"].to_dict()
    {'mean': 12.167, 'difference': 1.167, 'low': 0.45, 'high': 1.884, 'sd_ratio': 0.18}
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.stats

__all__ = ["interval", "paired_differences", "tail_mean", "variance_split"]


def interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided Student-t confidence interval of the mean.

    Returns:
        ``(mean, low, high)``; the bounds are NaN for fewer than two values.
    """
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if values.size < 2:
        return mean, np.nan, np.nan
    half = scipy.stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1)
    half /= np.sqrt(values.size)
    return mean, float(mean - half), float(mean + half)


def paired_differences(wide: pd.DataFrame, baseline: str, level: float = 0.95) -> pd.DataFrame:
    """Each policy against ``baseline``, replication by replication.

    Args:
        wide: One row per replication, one column per policy (a metric's values).
        baseline: The column subtracted.
        level: Confidence level.

    Returns:
        One row per policy (index ``policy``, in column order): ``mean`` (the
        policy's mean), ``difference`` (mean paired difference), ``low`` and
        ``high`` (its confidence interval), and ``sd_ratio``: the paired
        difference's standard deviation over the one it would have between
        independent runs (how much common random numbers tighten it; NaN for
        the baseline).
    """
    rows = []
    for name in wide.columns:
        diff = (wide[name] - wide[baseline]).to_numpy()
        mean, low, high = interval(diff, level)
        unpaired = np.sqrt(wide[name].var() + wide[baseline].var())
        ratio = (
            float(diff.std(ddof=1) / unpaired)
            if name != baseline and diff.size > 1 and unpaired > 0
            else np.nan
        )
        rows.append(
            {
                "policy": name,
                "mean": float(wide[name].mean()),
                "difference": mean,
                "low": low,
                "high": high,
                "sd_ratio": ratio,
            }
        )
    return pd.DataFrame(rows).set_index("policy")


def variance_split(differences: np.ndarray) -> dict[str, float]:
    """The law of total variance of paired differences grouped by market.

    With ``D`` markets (rows) and ``R`` replications in each (columns), the
    variance of all ``D x R`` differences (each over its count, ``ddof=0``)
    is exactly the mean of the variances within the rows plus the variance
    of the row means: ``Var(X) = E[Var(X | market)] + Var(E[X | market])``
    (the one-way analysis-of-variance identity). The between part is the
    variance of the row means less the first row's, so it is exactly 0 when
    every row is the same.

    Args:
        differences: Array of shape ``(markets, replications)``.

    Returns:
        ``mean`` (of all differences), ``between`` (variance of the row
        means), ``within`` (mean variance within a row) and ``total``
        (their sum: the variance of all differences).

    Example:
        >>> split = variance_split(np.array([[1.0, 3.0], [5.0, 7.0]]))
        >>> {k: float(v) for k, v in split.items()}
        {'mean': 4.0, 'between': 4.0, 'within': 1.0, 'total': 5.0}
    """
    values = np.asarray(differences, dtype=float)
    if values.ndim != 2 or values.size == 0:
        raise ValueError(f"differences must be a non-empty 2-D array, got shape {values.shape}")
    means = values.mean(axis=1)
    between = float(np.var(means - means[0]))
    within = float(np.mean(values.var(axis=1)))
    return {
        "mean": float(means.mean()),
        "between": between,
        "within": within,
        "total": between + within,
    }


def tail_mean(values: np.ndarray, share: float, worst: str = "low") -> float:
    """The mean of the worst ``share`` of ``values``: the conditional value at risk (CVaR).

    The worst ⌈share·n⌉ values (at least one) are averaged: the lowest for an
    outcome the firm wants high (``worst="low"``, NPV), the highest for one it
    wants low (``worst="high"``, false accusations); Rockafellar & Uryasev
    (2000) define it over a distribution, this is its sample version.

    Args:
        values: One value per replication.
        share: The tail's share, in (0, 1].
        worst: ``"low"`` or ``"high"``: which end is the downside.

    Example:
        >>> tail_mean(np.array([5.0, 1.0, 3.0, 2.0]), 0.5)
        1.5
        >>> tail_mean(np.array([5.0, 1.0, 3.0, 2.0]), 0.25, worst="high")
        5.0
    """
    ordered = np.sort(np.asarray(values, dtype=float))
    if worst == "high":
        ordered = ordered[::-1]
    count = max(1, int(np.ceil(share * ordered.size - 1e-9)))
    return float(ordered[:count].mean())
