"""Docking: the array model against a second implementation, the Mesa reference.

After Axtell et al. (1996) and Rand & Rust (2011): :func:`array_outcomes` and
:func:`reference_outcomes` run :class:`loyaltysim.LoyaltyModel` and
:class:`loyaltysim.evidence.reference.ReferenceModel` on independent seeds;
:func:`compare_outcomes` (or :func:`dock`, which runs both) tests each of
:data:`DOCKED_OUTCOMES` with a Welch t test of the means and a two-sample
Kolmogorov-Smirnov test of the distributions at the Bonferroni level
:data:`ALPHA`; :func:`disagreements` lists the outcomes that differ.

Example:
    >>> import pandas as pd
    >>> a = pd.DataFrame({k: [1.0, 2.0, 3.0, 4.0] for k in DOCKED_OUTCOMES})
    >>> disagreements(a, a + 10)[0]
    'npv_usd: 2.50 vs 12.50 (Welch p=3.4e-05, KS p=0.029)'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import scipy.stats

from loyaltysim.evidence.reference import CORE, COUNTED_EVENTS, ReferenceModel
from loyaltysim.policies import NAMED_POLICIES, Policy
from loyaltysim.scenario import Scenario
from loyaltysim.simulation import run

__all__ = [
    "ALPHA",
    "DOCKED_OUTCOMES",
    "DOCKING",
    "REFERENCE_SEED_OFFSET",
    "array_outcomes",
    "compare_outcomes",
    "disagreements",
    "dock",
    "reference_outcomes",
]

# --- Docking with the Mesa reference --------------------------------------------------------

#: A small market with many claims, failures and messages, story mechanisms off
#: (:data:`loyaltysim.evidence.reference.CORE`).
DOCKING: dict[str, Any] = dict(
    CORE,
    n_customers=600,
    horizon_months=24,
    failure_rate=0.1,
    complaint_propensity_mean=0.3,
    honesty_mean=0.7,
    fraud_propensity_max=0.1,
)
#: Outcomes compared (declared in :data:`loyaltysim.outcomes.OUTCOMES`): the NPV, each event
#: the reference counts over the horizon, and the final customer base.
DOCKED_OUTCOMES: tuple[str, ...] = ("npv_usd", *COUNTED_EVENTS, "final_active")
#: Bonferroni level: 1% over the named policies, the outcomes and two tests (Welch, KS).
ALPHA: float = 0.01 / (len(NAMED_POLICIES) * len(DOCKED_OUTCOMES) * 2)
#: The reference runs seed ``REFERENCE_SEED_OFFSET + seed``, independent of the array model's.
REFERENCE_SEED_OFFSET = 10_000


def _seeds(seeds: int | Iterable[int]) -> list[int]:
    return list(range(seeds)) if isinstance(seeds, int) else list(seeds)


def array_outcomes(
    scenario: Scenario, policy: Policy | str, seeds: int | Iterable[int] = 25
) -> pd.DataFrame:
    """Run the array model (:func:`loyaltysim.run`) once per seed and keep the docked outcomes.

    Args:
        scenario: The market.
        policy: A :class:`Policy` or a preset name.
        seeds: Seeds, or their number ``n`` for seeds ``0, ..., n - 1``.

    Returns:
        One row per seed, one column per outcome of :data:`DOCKED_OUTCOMES`.
    """
    rows = [run(scenario, policy, rng=seed).summary for seed in _seeds(seeds)]
    return pd.DataFrame(rows, columns=list(DOCKED_OUTCOMES))


def reference_totals(monthly: pd.DataFrame) -> dict[str, float]:
    """The docked outcomes from the reference's own books (its data collector's table).

    The reference counts each event in a column named after the outcome; its NPV is
    the sum of its discounted profit and its final base the last month's customers.
    """
    totals = {name: float(monthly[name].sum()) for name in COUNTED_EVENTS}
    return {
        "npv_usd": float(monthly["discounted_profit_usd"].sum()),
        **totals,
        "final_active": float(monthly["active"].iloc[-1]),
    }


def reference_outcomes(
    scenario: Scenario, policy: Policy | str, seeds: int | Iterable[int] = 25
) -> pd.DataFrame:
    """Run :class:`~loyaltysim.evidence.reference.ReferenceModel` once per seed.

    Seed ``k`` runs the reference on ``REFERENCE_SEED_OFFSET + k``, so that its
    draws are independent of :func:`array_outcomes` on the same seeds.

    Args:
        scenario: The market (within :data:`loyaltysim.evidence.reference.CORE`).
        policy: A :class:`Policy` or a preset name.
        seeds: Seeds, or their number ``n`` for seeds ``0, ..., n - 1``.

    Returns:
        One row per seed, one column per outcome of :data:`DOCKED_OUTCOMES`.
    """
    rows = []
    for seed in _seeds(seeds):
        model = ReferenceModel(scenario, policy, rng=REFERENCE_SEED_OFFSET + seed)
        model.run_for(scenario.horizon_months)
        rows.append(reference_totals(model.datacollector.get_model_vars_dataframe()))
    return pd.DataFrame(rows, columns=list(DOCKED_OUTCOMES))


def compare_outcomes(
    array: pd.DataFrame, reference: pd.DataFrame, alpha: float | None = None
) -> pd.DataFrame:
    """Test, outcome by outcome, whether two samples of runs come from one distribution.

    For each outcome of :data:`DOCKED_OUTCOMES`, a Welch t test of the means and a
    two-sample Kolmogorov-Smirnov test of the distributions; the outcome agrees
    unless either p-value is below ``alpha``. An outcome constant in both
    samples agrees if the constants are equal (both p-values 1, else 0).

    Args:
        array: Outcomes of the array model (:func:`array_outcomes`).
        reference: Outcomes of the reference (:func:`reference_outcomes`).
        alpha: Level of each test (default :data:`ALPHA`).

    Returns:
        Indexed by ``outcome``: ``array_mean``, ``reference_mean``,
        ``welch_p``, ``ks_p`` and ``agrees``.

    Example:
        >>> a = pd.DataFrame({k: [1.0, 2.0, 3.0, 4.0] for k in DOCKED_OUTCOMES})
        >>> bool(compare_outcomes(a, a + 0.5)["agrees"].all())
        True
    """
    alpha = ALPHA if alpha is None else alpha
    rows = []
    for outcome in DOCKED_OUTCOMES:
        x, y = array[outcome].to_numpy(float), reference[outcome].to_numpy(float)
        if x.std() == 0 and y.std() == 0:
            welch = ks = 1.0 if x[0] == y[0] else 0.0
        else:
            welch = float(scipy.stats.ttest_ind(x, y, equal_var=False).pvalue)
            ks = float(scipy.stats.ks_2samp(x, y).pvalue)
        rows.append(
            {
                "outcome": outcome,
                "array_mean": x.mean(),
                "reference_mean": y.mean(),
                "welch_p": welch,
                "ks_p": ks,
                "agrees": not min(welch, ks) < alpha,
            }
        )
    return pd.DataFrame(rows).set_index("outcome")


def dock(
    scenario: Scenario,
    policy: Policy | str,
    seeds: int | Iterable[int] = 25,
    alpha: float | None = None,
    *,
    reference_scenario: Scenario | None = None,
) -> pd.DataFrame:
    """Run both implementations on ``seeds`` and compare their outcomes.

    Args:
        scenario: The market (within :data:`loyaltysim.evidence.reference.CORE`).
        policy: A :class:`Policy` or a preset name.
        seeds: Seeds, or their number ``n`` for seeds ``0, ..., n - 1``.
        alpha: Level of each test (default :data:`ALPHA`).
        reference_scenario: A different market for the reference (default
            ``scenario``), to see the check flag a difference.

    Returns:
        :func:`compare_outcomes` of :func:`array_outcomes` and
        :func:`reference_outcomes`.

    Example:
        >>> small = Scenario(**DOCKING).replace(n_customers=100, horizon_months=6)
        >>> table = dock(small, "verify_first", seeds=3)
        >>> list(table.columns), len(table) == len(DOCKED_OUTCOMES)
        (['array_mean', 'reference_mean', 'welch_p', 'ks_p', 'agrees'], True)
    """
    seeds = _seeds(seeds)
    reference_scenario = scenario if reference_scenario is None else reference_scenario
    return compare_outcomes(
        array_outcomes(scenario, policy, seeds),
        reference_outcomes(reference_scenario, policy, seeds),
        alpha,
    )


def disagreements(
    array: pd.DataFrame, reference: pd.DataFrame, alpha: float | None = None
) -> list[str]:
    """The outcomes whose means (Welch) or distributions (KS) differ at level ``alpha``.

    Args:
        array: Outcomes of the array model (:func:`array_outcomes`).
        reference: Outcomes of the reference (:func:`reference_outcomes`).
        alpha: Level of each test (default :data:`ALPHA`).

    Returns:
        One line per outcome that differs (empty when the implementations
        dock), with both means and p-values.

    Example:
        >>> a = pd.DataFrame({k: [1.0, 2.0, 3.0, 4.0] for k in DOCKED_OUTCOMES})
        >>> disagreements(a, a + 10)[0]
        'npv_usd: 2.50 vs 12.50 (Welch p=3.4e-05, KS p=0.029)'
    """
    table = compare_outcomes(array, reference, alpha)
    found = []
    for outcome, row in table[~table["agrees"]].iterrows():
        constant = [frame[outcome].to_numpy(float).std() == 0 for frame in (array, reference)]
        if all(constant):
            found.append(f"{outcome}: constant {row.array_mean} vs {row.reference_mean}")
        else:
            found.append(
                f"{outcome}: {row.array_mean:.2f} vs {row.reference_mean:.2f} "
                f"(Welch p={row.welch_p:.2g}, KS p={row.ks_p:.2g})"
            )
    return found
