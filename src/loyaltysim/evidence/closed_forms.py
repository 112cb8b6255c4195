"""Closed forms: degenerate markets whose expected outcomes are known exactly.

Verification after Rand & Rust (2011): each function here builds a market in
which the model reduces to something with a closed form, runs it, or computes
the closed form. The tests (``tests/statistical/``) run them at large sizes
and assert; notebook ``08_validation.ipynb`` runs them smaller and shows the
numbers.

- **Quiet markets.** :data:`QUIET` switches off everything that makes
  failures, claims, requests and word of mouth happen.
- **A cohort's discounted value** (:func:`cohort_scenario`,
  :func:`cohort_values`, :func:`cohort_value`): first period certain, paid at
  its end (Fader & Hardie 2010).
- **Bass diffusion** on the complete graph (:func:`bass_scenario`,
  :func:`bass_share`, :func:`discrete_bass`, :func:`continuous_bass`).
- **The one-claim condition** for verifying (:func:`one_claim_scenario`,
  :func:`one_claim_check`) and its break-even claim value
  (:func:`one_claim_break_even`).

Example:
    >>> from loyaltysim.evidence.closed_forms import (
    ...     cohort_parameters, cohort_scenario, cohort_value, cohort_values, standard_error)
    >>> scenario = cohort_scenario(n_customers=2_000, horizon_months=12, base_monthly_churn=0.05)
    >>> values = cohort_values(scenario, rng=1)
    >>> expected = cohort_value(*cohort_parameters(scenario), months=12)
    >>> bool(abs(values.mean() - expected) < 4 * standard_error(values))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from loyaltysim.model import LoyaltyModel
from loyaltysim.scenario import Scenario
from loyaltysim.simulation import run

__all__ = [
    "CLAIM_KINDS",
    "QUIET",
    "OneClaimCheck",
    "bass_scenario",
    "bass_share",
    "cohort_parameters",
    "cohort_scenario",
    "cohort_value",
    "cohort_values",
    "continuous_bass",
    "discrete_bass",
    "one_claim_break_even",
    "one_claim_check",
    "one_claim_gain",
    "one_claim_scenario",
    "standard_error",
]

#: Everything that makes claims, failures, requests and word of mouth happen, switched off
#: (with a lead time of exactly the median, every delivery keeps the realistic promise).
QUIET: dict[str, float] = {
    "failure_rate": 0.0,
    "lead_time_sigma": 0.0,
    "mistaken_claim_probability": 0.0,
    "fraud_propensity_max": 0.0,
    "haggle_propensity_mean": 0.0,
    "haggle_propensity_dispersion": 0.0,
    "caprice_propensity_mean": 0.0,
    "caprice_propensity_dispersion": 0.0,
    "wom_propensity_mean": 0.0,
    "wom_propensity_dispersion": 0.0,
}

#: The monthly columns that count claims, by kind.
CLAIM_KINDS = ("claims_genuine", "claims_mistaken", "claims_fraudulent")


def standard_error(values: np.ndarray) -> float:
    """The standard error of the mean of ``values`` (sample standard deviation over √n).

    Example:
        >>> round(standard_error(np.array([1.0, 2.0, 3.0, 4.0])), 4)
        0.6455
    """
    values = np.asarray(values, dtype=float)
    return float(values.std(ddof=1) / np.sqrt(values.size))


# --- A cohort's discounted value -------------------------------------------------------------


def cohort_scenario(**changes: Any) -> Scenario:
    """A market in which everyone is a customer who buys once a month and stays with constant odds.

    Nothing else happens (:data:`QUIET`, no acquisition, identical customers on
    the complete graph), so each customer's expected discounted value has the
    closed form :func:`cohort_value`.

    Args:
        **changes: Scenario settings that override these (``n_customers``,
            ``horizon_months``, ``base_monthly_churn``, ...).

    Returns:
        The scenario.

    Example:
        >>> cohort_scenario(base_monthly_churn=0.05).initial_active_share
        1.0
    """
    return Scenario(
        **{
            **QUIET,
            "initial_active_share": 1.0,
            "network": "complete",
            "purchase_probability_mean": 1.0,
            "purchase_probability_dispersion": 0.0,
            "basket_value_sigma": 0.0,
            "loyalty_mean": 0.5,
            "loyalty_dispersion": 0.0,
            "satisfaction_baseline_dispersion": 0.0,
            "advertising_rate": 0.0,
            "imitation_rate": 0.0,
            **changes,
        }
    )


def cohort_values(scenario: Scenario, rng: int) -> np.ndarray:
    """Run ``scenario`` over its horizon and return each customer's discounted value (USD).

    Args:
        scenario: Usually a :func:`cohort_scenario`.
        rng: Seed of the run.

    Returns:
        One discounted net contribution per person of the market.
    """
    model = LoyaltyModel(scenario, rng=rng)
    model.run_for(scenario.horizon_months)
    return model.population.discounted_value_usd


def cohort_parameters(scenario: Scenario) -> tuple[float, float, float]:
    """The terms of :func:`cohort_value` in a :func:`cohort_scenario`.

    Args:
        scenario: A cohort scenario.

    Returns:
        ``(margin, retention, monthly_rate)``: the margin of a month's purchase
        (gross margin times basket value, USD), the monthly probability of
        staying and the monthly discount rate.

    Example:
        >>> margin, retention, rate = cohort_parameters(cohort_scenario(base_monthly_churn=0.05))
        >>> retention
        0.95
    """
    margin = scenario.gross_margin * scenario.basket_value_usd
    return margin, 1 - scenario.base_monthly_churn, scenario.monthly_discount_rate


def cohort_value(
    margin: float, retention: float, monthly_rate: float, months: int | None = None
) -> float:
    """A customer's expected discounted value: first period certain, paid at its end.

    With purchases before churn and each month's cash booked at its end, a
    customer who buys every month with margin *m* and stays each month with
    probability *r* is worth m·Σ_{t=1..T} r^(t−1)/(1 + i)^t, which tends to
    m/(1 + i − r) as T grows (Fader & Hardie 2010).

    Args:
        margin: Margin of a month's purchase *m* (USD).
        retention: Monthly probability of staying *r*.
        monthly_rate: Monthly discount rate *i*.
        months: Horizon *T*; ``None`` gives the limit as *T* grows.

    Returns:
        The expected discounted value (USD).

    Example:
        >>> round(cohort_value(10.0, 0.9, 0.01, months=2), 4)
        18.7237
        >>> round(cohort_value(10.0, 0.95, 0.01), 4)
        166.6667
    """
    if months is None:
        return margin / (1 + monthly_rate - retention)
    t = np.arange(1, months + 1)
    return float(margin * np.sum(retention ** (t - 1) / (1 + monthly_rate) ** t))


# --- Bass diffusion -------------------------------------------------------------------------


def bass_scenario(**changes: Any) -> Scenario:
    """A market of prospects on the complete graph that adopt and never leave.

    Everyone starts as a prospect and nobody churns, so the share of customers
    follows the discrete Bass map (:func:`discrete_bass`) with advertising
    ``p = 0.03`` and imitation ``q = 0.38``.

    Args:
        **changes: Scenario settings that override these (``network``, ...).

    Returns:
        The scenario (20,000 people, 30 months unless changed).

    Example:
        >>> bass_scenario().imitation_rate
        0.38
    """
    return Scenario(
        **{
            **QUIET,
            "n_customers": 20_000,
            "horizon_months": 30,
            "initial_active_share": 0.0,
            "network": "complete",
            "advertising_rate": 0.03,
            "imitation_rate": 0.38,
            "base_monthly_churn": 0.0,
            **changes,
        }
    )


def bass_share(scenario: Scenario, rng: int) -> np.ndarray:
    """Run ``scenario`` and return the share of the market who are customers, month by month.

    Args:
        scenario: Usually a :func:`bass_scenario`.
        rng: Seed of the run.

    Returns:
        The share at the end of months 1 to ``horizon_months``.
    """
    return run(scenario, rng=rng).monthly["active"].to_numpy() / scenario.n_customers


def discrete_bass(p: float, q: float, months: int, f0: float = 0.0) -> np.ndarray:
    """The discrete Bass map F(t + 1) = F(t) + (p + q·F(t))·(1 − F(t)).

    On the complete graph a prospect converts in a month with probability
    p + q·F, F being the share of customers at the start of the month.

    Args:
        p: Advertising (innovation) rate per month.
        q: Imitation rate per month.
        months: Number of months.
        f0: Share of customers at the start, F(0).

    Returns:
        F(1), ..., F(months).

    Example:
        >>> discrete_bass(0.1, 0.5, 3).round(4).tolist()
        [0.1, 0.235, 0.4014]
    """
    shares, share = np.empty(months), f0
    for month in range(months):
        share = share + (p + q * share) * (1 - share)
        shares[month] = share
    return shares


def continuous_bass(p: float, q: float, months: int) -> np.ndarray:
    """The continuous Bass curve F(t) = (1 − e^(−(p+q)t)) / (1 + (q/p)·e^(−(p+q)t)), F(0) = 0.

    Args:
        p: Advertising (innovation) rate per month.
        q: Imitation rate per month.
        months: Number of months.

    Returns:
        F(1), ..., F(months).

    Example:
        >>> continuous_bass(0.1, 0.5, 3).round(4).tolist()
        [0.1205, 0.2789, 0.457]
    """
    decay = np.exp(-(p + q) * np.arange(1, months + 1))
    return (1 - decay) / (1 + q / p * decay)


# --- The one-claim condition for verifying --------------------------------------------------


def one_claim_scenario(investigation_cost_usd: float) -> Scenario:
    """A one-month market in which every customer buys once and may make one claim of one size.

    Everyone is dishonest enough to claim (honesty 0, so a fraudulent claim
    with probability ``fraud_propensity_max = 0.1``) and makes a mistaken claim
    with probability 0.3; nobody's future is at stake, so verifying a claim
    gains exactly :func:`one_claim_gain`.

    Args:
        investigation_cost_usd: What verifying one claim costs.

    Returns:
        The scenario (30,000 people, one month).

    Example:
        >>> one_claim_scenario(2.0).horizon_months
        1
    """
    quiet = {k: v for k, v in QUIET.items() if k != "mistaken_claim_probability"}
    return Scenario.from_dict(
        {
            **quiet,
            "fraud_propensity_max": 0.1,
            "mistaken_claim_probability": 0.3,
            "n_customers": 30_000,
            "horizon_months": 1,
            "initial_active_share": 1.0,
            "purchase_probability_mean": 1.0,
            "purchase_probability_dispersion": 0.0,
            "honesty_mean": 0.0,
            "honesty_dispersion": 0.0,
            "leniency_prior": 1.0,
            "fraud_loyalty_dampening": 0.0,
            "claim_value_sigma": 0.0,
            "fraud_value_multiplier": 1.0,
            "investigation_cost_usd": investigation_cost_usd,
            "frontline_deflection_rate": 0.0,
        }
    )


def one_claim_gain(scenario: Scenario) -> tuple[float, float]:
    """What verifying one claim gains against paying it, in a :func:`one_claim_scenario`.

    The single-claim trade-off (papers/odd.md section 7.4): verifying a claim
    of value *A* gains π·s·(A − L_F) − c − (1 − π)·f·(L_acc − A), with π the
    fraud share of claims, s the detection rate, f the false-accusation rate
    and c the investigation cost. In a one-month market L_F = L_acc = 0, so
    the gain is π·s·A − c + (1 − π)·f·A.

    Args:
        scenario: A one-claim scenario (honesty 0, claims of one size).

    Returns:
        ``(gain, sd)``: the expected gain per claim (USD) and the standard
        deviation of one claim's gain (fraud caught with probability s or an
        honest customer accused with probability f, times A).

    Example:
        >>> gain, sd = one_claim_gain(one_claim_scenario(2.0))
        >>> bool(gain > 0) and not one_claim_gain(one_claim_scenario(20.0))[0] > 0
        True
    """
    pi, s, f = _one_claim_rates(scenario)
    amount = scenario.claim_value_usd
    gain = pi * s * amount - scenario.investigation_cost_usd + (1 - pi) * f * amount
    sd = amount * np.sqrt(pi * s * (1 - s) + (1 - pi) * f * (1 - f) + pi * (1 - pi) * (s - f) ** 2)
    return gain, float(sd)


def _one_claim_rates(scenario: Scenario) -> tuple[float, float, float]:
    """``(π, s, f)`` of a one-claim scenario: fraud share of claims, detection, false accusation."""
    fraud = scenario.fraud_propensity_max
    pi = fraud / (fraud + scenario.mistaken_claim_probability)
    return pi, scenario.detection_rate, scenario.false_accusation_rate


def one_claim_break_even(scenario: Scenario) -> float:
    """The claim value above which verifying pays, in a :func:`one_claim_scenario`.

    The gain of verifying a claim of value *A* (:func:`one_claim_gain`) is
    linear in *A* and zero at A* = c / (π·s + (1 − π)·f): verifying claims
    above A* and paying the rest is the best threshold rule, whatever the
    spread of claim values (``claim_value_sigma``).

    Args:
        scenario: A one-claim scenario.

    Returns:
        The break-even claim value (USD).

    Example:
        >>> round(one_claim_break_even(one_claim_scenario(20.0)), 2)
        84.21
    """
    pi, s, f = _one_claim_rates(scenario)
    return scenario.investigation_cost_usd / (pi * s + (1 - pi) * f)


@dataclass(frozen=True)
class OneClaimCheck:
    """A one-claim market run under ``always_compensate`` and ``verify_first`` on one seed.

    Attributes:
        claims: Claims made under ``verify_first``.
        claims_paid: Claims made under ``always_compensate`` (the same seed
            draws the same claims, so the two agree).
        simulated: The month's profit difference (verify minus pay) per claim (USD).
        formula: The expected gain per claim, :func:`one_claim_gain` (USD).
        sd: The standard deviation of one claim's gain (USD).
    """

    claims: int
    claims_paid: int
    simulated: float
    formula: float
    sd: float

    def tolerance(self, k: float = 4.0) -> float:
        """``k`` standard errors of the simulated gain per claim: k·sd/√claims."""
        return k * self.sd / np.sqrt(self.claims)


def one_claim_check(scenario: Scenario, rng: int) -> OneClaimCheck:
    """Run ``scenario`` paying and verifying every claim; compare the gain with the formula.

    Args:
        scenario: A :func:`one_claim_scenario`.
        rng: Seed of both runs.

    Returns:
        The simulated and expected gain per claim.
    """
    paid = run(scenario, "always_compensate", rng=rng).monthly.iloc[0]
    checked = run(scenario, "verify_first", rng=rng).monthly.iloc[0]
    claims = int(checked[list(CLAIM_KINDS)].sum())
    formula, sd = one_claim_gain(scenario)
    return OneClaimCheck(
        claims=claims,
        claims_paid=int(paid[list(CLAIM_KINDS)].sum()),
        simulated=float((checked["profit_usd"] - paid["profit_usd"]) / claims),
        formula=formula,
        sd=sd,
    )
