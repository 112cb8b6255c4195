"""The default market against the stylised facts of the literature (papers/odd.md section 1).

:func:`stylised_facts` runs a scenario (by default the default market) and
measures, next to each published fact, what the model produces. The test suite
(``tests/statistical/test_calibration.py``) checks each measure against its tolerance;
``loyaltysim calibrate`` prints the table.

Example:
    >>> from loyaltysim import Scenario
    >>> from loyaltysim.evidence.calibration import stylised_facts
    >>> table = stylised_facts(Scenario(n_customers=2_000, horizon_months=24),
    ...                        replications=1, rng=3)
    >>> list(table.columns)
    ['fact', 'measure', 'value', 'low', 'high', 'within', 'source']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.model import LoyaltyModel
from loyaltysim.month import ACCUSED, NOT_RESOLVED, RESOLVED, RESOLVED_QUICKLY, SILENT
from loyaltysim.params import MAX_RUNS, RAISE_MAX_RUNS, at_most, whole_number
from loyaltysim.policies import Policy, ThresholdVerification, resolve_policy
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import NOT_GIVEN, as_seed_sequence, renamed_seed, stream

__all__ = [
    "FACTS",
    "LOSS_BOUNDS_USD",
    "PURCHASE_SIZES",
    "TARP",
    "TARP_OUTCOMES",
    "TARP_TOLERANCE",
    "Fact",
    "complaint_outcomes",
    "stylised_facts",
]

#: Complaint outcomes, from worst to best repurchase: story 4's accusation, then TARP's four
#: (TARP for the US Office of Consumer Affairs, 1986, as quoted in secondary sources).
TARP_OUTCOMES = {
    ACCUSED: "accused of fraud",
    SILENT: "did not complain",
    NOT_RESOLVED: "complained, not resolved",
    RESOLVED: "resolved",
    RESOLVED_QUICKLY: "resolved quickly",
}

#: Months after a failure in which a purchase counts as repurchase.
REPURCHASE_WINDOW_MONTHS = 6

#: TARP's repurchase after a problem, by complaint outcome, for losses over $100 ("large")
#: and under $5 ("small") (TARP for the US Office of Consumer Affairs, as quoted in
#: secondary sources); an accusation is not a TARP outcome.
TARP: dict[str, dict[int, float]] = {
    "large": {SILENT: 0.09, NOT_RESOLVED: 0.19, RESOLVED: 0.54, RESOLVED_QUICKLY: 0.82},
    "small": {SILENT: 0.37, NOT_RESOLVED: 0.46, RESOLVED: 0.70, RESOLVED_QUICKLY: 0.95},
}
#: The loss bounds of TARP's two series, USD: a failed purchase over (large) or under (small).
LOSS_BOUNDS_USD = {"large": 100.0, "small": 5.0}
#: How far (in repurchase share) the model may sit from each TARP figure.
TARP_TOLERANCE = 0.10
#: The markets TARP's two series are measured in: the same market with large or with small
#: purchases (claims scale with them: 0.8 of the basket, as 40 of 50 in the default market),
#: so that failures of each size are many.
PURCHASE_SIZES: dict[str, dict[str, float]] = {
    "large": {"basket_value_usd": 200.0, "claim_value_usd": 160.0},
    "small": {"basket_value_usd": 4.0, "claim_value_usd": 3.2},
}


def calibration_policy(scenario: Scenario) -> Policy:
    """The policy the facts are measured under: pay claims up to the mean at once, verify the rest.

    It is a built-in policy under which every complaint outcome occurs often
    enough to measure (a threshold at the mean claim value investigates about
    a third of the claims).
    """
    return Policy(
        claims=ThresholdVerification(threshold_usd=scenario.claim_value_usd), name="threshold"
    )


@dataclass(frozen=True)
class Fact:
    """One stylised fact and the tolerance the model is held to.

    Attributes:
        name: Short name.
        measure: What is measured, in words.
        low: Smallest value accepted.
        high: Largest value accepted.
        source: Where the fact comes from.
        value: Computes the measure from the pooled run records.
    """

    name: str
    measure: str
    low: float
    high: float
    source: str
    value: Callable[[dict[str, float]], float]


def _ratio(a: str, b: str) -> Callable[[dict[str, float]], float]:
    return lambda r: r[a] / r[b] if r[b] else float("nan")


def _tarp_step(worse: int, better: int) -> Callable[[dict[str, float]], float]:
    return lambda r: r[f"repurchase_{better}"] - r[f"repurchase_{worse}"]


def _tarp_level(code: int, size: str) -> Callable[[dict[str, float]], float]:
    return lambda r: r[f"repurchase_{code}_{size}"]


#: The stylised facts of the literature (papers/odd.md section 1) the default market is held to.
FACTS: tuple[Fact, ...] = (
    Fact(
        "fraud share of claims",
        "fraudulent claims / all claims",
        0.03,
        0.15,
        "NRF surveys 2011-2014: 3-14% of retail returns are fraudulent",
        _ratio("claims_fraudulent", "claims"),
    ),
    Fact(
        "annual retention",
        "(1 - churned / customers at risk)^12",
        0.60,
        0.85,
        "Reichheld 1996: 10-30% annual defection; retail retention about 0.6-0.85",
        lambda r: (1.0 - r["churned"] / r["at_risk"]) ** 12,
    ),
    Fact(
        "positive : negative WOM",
        "people speaking well / people speaking ill",
        2.0,
        4.5,
        "East, Hammond & Wright 2007: positive WOM about 3x as frequent as negative",
        _ratio("wom_positive_messages", "wom_negative_messages"),
    ),
    Fact(
        "unhappy who complain",
        "failed purchases followed by a claim / failed purchases",
        0.03,
        0.15,
        "Wharton/Verde 2006: about 6% of unhappy customers contacted the retailer",
        _ratio("complained", "unhappy"),
    ),
    Fact(
        "tell others : complain",
        "unhappy who spoke ill / unhappy who claimed",
        2.0,
        np.inf,
        "Wharton/Verde 2006: 31% told others, 6% told the firm (about 5x)",
        _ratio("told_others", "complained"),
    ),
    *(
        Fact(
            f"TARP: {TARP_OUTCOMES[worse]} < {TARP_OUTCOMES[better]}",
            f"difference in repurchase within {REPURCHASE_WINDOW_MONTHS} months after a failure",
            0.0,
            np.inf,
            "story 4: nothing is worse than accusing a good person"
            if worse == ACCUSED
            else "TARP (US Office of Consumer Affairs), as quoted: 9% < 19% < 54% < 82% "
            "for losses over $100",
            _tarp_step(worse, better),
        )
        for worse, better in (
            (ACCUSED, SILENT),
            (SILENT, NOT_RESOLVED),
            (NOT_RESOLVED, RESOLVED),
            (RESOLVED, RESOLVED_QUICKLY),
        )
    ),
    *(
        Fact(
            f"TARP, loss {'over $100' if size == 'large' else 'under $5'}: {TARP_OUTCOMES[code]}",
            f"repurchase within {REPURCHASE_WINDOW_MONTHS} months after a failure with this "
            "outcome" + f" (the market with {size} purchases, PURCHASE_SIZES)",
            share - TARP_TOLERANCE,
            share + TARP_TOLERANCE,
            f"TARP (US Office of Consumer Affairs), as quoted: {share:.0%} would buy again",
            _tarp_level(code, size),
        )
        for size, figures in TARP.items()
        for code, share in figures.items()
    ),
)


def complaint_outcomes(model: LoyaltyModel, months: int) -> dict[str, float]:
    """Run ``model`` for ``months`` and count what the facts need.

    Returns a record of totals: claims by kind, churn and customers at risk,
    WOM speakers, unhappy buyers (a failed purchase) and how many of them
    claimed and spoke ill, and, for each TARP outcome, failures followed by
    it (``failures_<code>``) and those followed by a purchase within
    :data:`REPURCHASE_WINDOW_MONTHS` (``repurchased_<code>``); and the same
    for failed purchases over and under the bounds of
    :data:`LOSS_BOUNDS_USD` (``failures_<code>_large``, ``..._small``). A
    customer's purchases are worth their basket, so the loss of a failed
    purchase is the buyer's ``basket_value_usd``.
    """
    n = model.population.n
    bought = np.zeros((months, n), dtype=bool)
    outcomes = np.zeros((months, n), dtype=np.int8)
    record = dict.fromkeys(("unhappy", "complained", "told_others"), 0.0)
    for t in range(months):
        model.step()
        month = model.last_month
        assert month is not None
        bought[t, month.buyers] = True
        outcomes[t] = month.outcome
        unhappy = month.outcome > 0
        record["unhappy"] += np.count_nonzero(unhappy)
        record["complained"] += np.count_nonzero(unhappy & (month.outcome != SILENT))
        record["told_others"] += np.count_nonzero(unhappy & (month.spoke < 0))
    frame = model.ledger.frame()
    for column in (
        "claims_fraudulent",
        "churned",
        "wom_positive_messages",
        "wom_negative_messages",
    ):
        record[column] = float(frame[column].sum())
    record["claims"] = float(
        frame[["claims_genuine", "claims_mistaken", "claims_fraudulent"]].to_numpy().sum()
    )
    record["at_risk"] = float((frame["active"] + frame["churned"]).sum())
    window = REPURCHASE_WINDOW_MONTHS
    counted = max(months - window, 0)  # failures with a full window after them
    later = np.zeros((counted, n), dtype=bool)  # bought in one of the next `window` months
    for k in range(1, window + 1):
        later |= bought[k : counted + k]
    basket = model.population.basket_value_usd
    sizes = {
        "": np.ones(n, dtype=bool),
        "_large": basket > LOSS_BOUNDS_USD["large"],
        "_small": basket < LOSS_BOUNDS_USD["small"],
    }
    for code in TARP_OUTCOMES:
        hit = outcomes[:counted] == code
        for suffix, loss in sizes.items():
            chosen = hit & loss
            record[f"failures_{code}{suffix}"] = float(np.count_nonzero(chosen))
            record[f"repurchased_{code}{suffix}"] = float(np.count_nonzero(chosen & later))
    return record


def _pooled(
    scenario: Scenario, policy: Policy, replications: int, root: np.random.SeedSequence
) -> dict[str, float]:
    """The records of ``replications`` runs (seeds spawned from ``root``), added up."""
    pooled: dict[str, float] = {}
    for child in root.spawn(replications):
        model = LoyaltyModel(scenario, policy, rng=child, inspect_agents=False)
        for key, value in complaint_outcomes(model, scenario.horizon_months).items():
            pooled[key] = pooled.get(key, 0.0) + value
    return pooled


def _share(pooled: dict[str, float], key: str) -> float:
    failures = pooled[f"failures_{key}"]
    return pooled[f"repurchased_{key}"] / failures if failures else float("nan")


def stylised_facts(
    scenario: Scenario | None = None,
    policy: Policy | str | None = None,
    *,
    replications: int = 4,
    rng: int | np.random.SeedSequence = 0,
    seed: Any = NOT_GIVEN,
    max_runs: int = MAX_RUNS,
) -> pd.DataFrame:
    """Measure every fact of :data:`FACTS` on ``scenario`` (default: the default market).

    Records of ``replications`` runs (seeds spawned from ``seed``) are
    pooled before each measure is computed.

    Args:
        scenario: The market (default: :class:`Scenario` defaults).
        policy: The policy (default: :func:`calibration_policy` of the scenario).
        replications: Independent runs pooled.
        rng: Root seed.
        seed: The old name of ``rng`` (deprecated).
        max_runs: The most runs allowed (:data:`~loyaltysim.params.MAX_RUNS`).

    Returns:
        One row per fact: ``fact``, ``measure``, ``value``, ``low``,
        ``high``, ``within`` (the value is inside the tolerance) and ``source``.
    """
    scenario = scenario if scenario is not None else Scenario()
    replications = whole_number("replications", replications, minimum=1)
    at_most("replications", replications, max_runs, "runs", RAISE_MAX_RUNS)
    root = as_seed_sequence(renamed_seed(rng, seed, "stylised_facts", default=0))
    markets = {"": scenario, **{s: scenario.replace(**c) for s, c in PURCHASE_SIZES.items()}}
    records = {}
    for key, (name, market) in enumerate(markets.items()):
        chosen = resolve_policy(policy) if policy is not None else calibration_policy(market)
        records[name] = _pooled(market, chosen, replications, stream(root, key))
    pooled = records[""]
    for code in TARP_OUTCOMES:
        pooled[f"repurchase_{code}"] = _share(pooled, str(code))
        for size in PURCHASE_SIZES:
            pooled[f"repurchase_{code}_{size}"] = _share(records[size], f"{code}_{size}")
            pooled[f"failures_{code}_{size}"] = records[size][f"failures_{code}_{size}"]
    rows = []
    for fact in FACTS:
        value = fact.value(pooled)
        rows.append(
            {
                "fact": fact.name,
                "measure": fact.measure,
                "value": value,
                "low": fact.low,
                "high": fact.high,
                "within": bool(fact.low <= value <= fact.high),
                "source": fact.source,
            }
        )
    table = pd.DataFrame(rows)
    table.attrs["repurchase"] = {
        TARP_OUTCOMES[code]: (pooled[f"repurchase_{code}"], pooled[f"failures_{code}"])
        for code in TARP_OUTCOMES
    }
    table.attrs["repurchase_by_loss"] = {
        size: {
            TARP_OUTCOMES[code]: (
                pooled[f"repurchase_{code}_{size}"],
                pooled[f"failures_{code}_{size}"],
                TARP[size].get(code, float("nan")),
            )
            for code in TARP_OUTCOMES
        }
        for size in TARP
    }
    return table
