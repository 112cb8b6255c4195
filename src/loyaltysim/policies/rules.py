"""The built-in rules of the nine dimensions (each registered under its ``name``).

Every rule answers its dimension's decision method (see
:mod:`loyaltysim.policies.dimensions`) for a whole batch of requests at once;
parameters are dataclass fields declared with
:func:`~loyaltysim.policies.contract.rule_param`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from loyaltysim.policies.contract import ClaimBatch, registered, rule_param
from loyaltysim.policies.dimensions import (
    CapriceRule,
    ClaimsRule,
    GuaranteeRule,
    ListeningRule,
    OutreachRule,
    PricingRule,
    PromiseRule,
    PruningRule,
    RecoveryRule,
)
from loyaltysim.population import LAPSED

if TYPE_CHECKING:
    from loyaltysim.policies.records import CustomerRecords

__all__ = [
    "ESCALATION_PRIORITIES",
    "OUTREACH_AUDIENCES",
    "AccommodateCaprices",
    "AlwaysCompensate",
    "DropUnprofitable",
    "EscalateToManagement",
    "FixedPrices",
    "KeepEveryone",
    "KeepInTouch",
    "Listen",
    "NegotiablePrices",
    "NoGuarantee",
    "NoListening",
    "NoOutreach",
    "NoRecovery",
    "OptimisticPromises",
    "RealisticPromises",
    "RefuseCaprices",
    "SatisfactionGuarantee",
    "ThresholdVerification",
    "VerifyFirst",
]


def _all(size: int) -> np.ndarray:
    return np.ones(size, dtype=bool)


def _none(size: int) -> np.ndarray:
    return np.zeros(size, dtype=bool)


# --- claims -------------------------------------------------------------------
@registered
@dataclass(frozen=True)
class AlwaysCompensate(ClaimsRule):
    """Pay every claim at once, no questions asked (Sewell's tennis racket, story 4)."""

    name = "compensate"

    def verify(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _none(len(claims))


@registered
@dataclass(frozen=True)
class VerifyFirst(ClaimsRule):
    """Investigate every claim before paying (story 4's warning).

    Attributes:
        announced: The firm tells customers it checks every claim (a notice);
            without it, customers learn it only from their own claims and
            from what claimants tell them.
    """

    name = "verify"
    announced: bool = rule_param(
        False,
        unit="flag",
        meaning="the firm tells customers it checks every claim: everyone believes a "
        "fraudulent claim is caught with probability detection_rate",
        source="audit announcements deter insurance fraud (Dionne, Giuliano & Picard 2009); "
        "off by default: story 4's firm checks without saying so",
    )

    def verify(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _all(len(claims))

    def announced_check_share(self) -> float:  # noqa: D102
        return 1.0 if self.announced else 0.0


@registered
@dataclass(frozen=True)
class ThresholdVerification(ClaimsRule):
    """Pay small claims at once, investigate claims above a value (story 4: luxury items).

    Attributes:
        threshold_usd: Claims strictly above this value are investigated.
    """

    name = "threshold"
    threshold_usd: float = rule_param(
        100.0,
        unit="USD",
        low=0.0,
        high=1e12,
        meaning="claims above this value are investigated, smaller ones paid at once",
        source="story 4: always compensating stops paying for luxury items",
    )

    def verify(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return claims.value_usd > self.threshold_usd


# --- pricing ------------------------------------------------------------------
@registered
@dataclass(frozen=True)
class NegotiablePrices(PricingRule):
    """Grant every discount request (the customer is always right)."""

    name = "negotiable"

    def grant(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _all(customers.size)


@registered
@dataclass(frozen=True)
class FixedPrices(PricingRule):
    """Every thing has its fixed price: refuse discount requests politely (story 3)."""

    name = "fixed"

    def grant(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _none(customers.size)


# --- caprices -----------------------------------------------------------------
@registered
@dataclass(frozen=True)
class AccommodateCaprices(CapriceRule):
    """Do whatever the customer asks, at its cost."""

    name = "accommodate"

    def accommodate(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _all(customers.size)


@registered
@dataclass(frozen=True)
class RefuseCaprices(CapriceRule):
    """State and defend a professional opinion, politely (story 3)."""

    name = "refuse"

    def accommodate(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _none(customers.size)


# --- recovery -----------------------------------------------------------------
@registered
@dataclass(frozen=True)
class NoRecovery(RecoveryRule):
    """Management never sees a complaint: the front line's answer stands."""

    name = "none"

    def escalate(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _none(len(claims))


#: How :class:`EscalateToManagement` ranks complaints.
ESCALATION_PRIORITIES = ("largest", "loudest", "public")


@registered
@dataclass(frozen=True)
class EscalateToManagement(RecoveryRule):
    """Management takes up the month's top complaints in person (stories 0, 2).

    Attributes:
        capacity_per_1000: Complaints management can take up in a month, per 1,000
            people in the market, on average: a month takes up the whole
            number that keeps the running total at this rate (0.3 per 1,000 in
            a market of 10,000: 3 a month; of 1,000: one in months 4, 7, 10…).
        priority: Which go up first: the ``largest`` claims; the ``loudest``
            claimants, those with the most complaints made in public so far
            (the customer records' ``public_complaints``, this month's
            included), then the largest claims; or the ``public`` complaints
            of the month, then the largest. Ties keep the claims' order.
            Like every rule it sees only what the firm sees: not how much a
            claimant talks (``wom_propensity`` is hidden).
        uphold_exposed_fraud: Management upholds the rejection of a claim the
            investigation exposed as fraud.
    """

    name = "escalate"
    capacity_per_1000: float = rule_param(
        0.3,
        unit="complaints/1,000 people/month",
        low=0.0,
        high=1_000.0,
        meaning="complaints management can take up in a month, per 1,000 people in the market "
        "(on average: each month the whole number that keeps the running total at this rate), "
        "so coverage does not change with the market's size",
        source="stated assumption: scarce management time, 3 a month in a market of 10,000, "
        "about a third of the month's claims at the defaults, so the priority decides who is "
        "heard (story 0: the CEO phoned one complainer)",
    )
    priority: str = rule_param(
        "public",
        unit="choice",
        choices=ESCALATION_PRIORITIES,
        meaning="which complaints go up first: the largest, the loudest claimants (most "
        "public complaints so far), the public",
        source="story 0: a complaint mentioned in a Forbes column reached the CEO",
    )
    uphold_exposed_fraud: bool = rule_param(
        True,
        unit="flag",
        meaning="management upholds the rejection of a claim the investigation exposed as "
        "fraud (false: it pays every claim it takes up)",
        source="stated assumption: management reviews the evidence; paying exposed fraud "
        "would reward fraudsters for complaining",
    )

    def escalate(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        if self.priority == "loudest":  # lexsort: last key is primary
            keys: tuple[np.ndarray, ...] = (
                claims.value_usd,
                records.public_complaints[claims.customers],
            )
        elif self.priority == "public":
            keys = (claims.value_usd, claims.public)
        else:
            keys = (claims.value_usd,)
        order = np.lexsort(tuple(-np.asarray(k, dtype=float) for k in keys))
        chosen = _none(len(claims))
        chosen[order[: self.capacity(records.n, claims.month)]] = True
        return chosen

    def capacity(self, people: int, month: int = 1) -> int:
        """Complaints management takes up in ``month``, in a market of ``people``.

        The whole number that keeps the total to the end of the month at
        ``capacity_per_1000`` a month per 1,000 people, so a fractional rate is
        kept on average in a market of any size.

        Examples:
            >>> rule = EscalateToManagement(capacity_per_1000=0.3)
            >>> rule.capacity(10_000), [rule.capacity(1_000, t) for t in range(1, 8)]
            (3, [0, 0, 0, 1, 0, 0, 1])
        """
        rate = self.capacity_per_1000 * people / 1_000
        # rounded before the floor so that 0.3 * 10 counts as 3, not 2.9999...
        return math.floor(round(rate * month, 9)) - math.floor(round(rate * (month - 1), 9))

    def upholds_exposed_fraud(self) -> bool:  # noqa: D102
        return self.uphold_exposed_fraud


# --- promises -----------------------------------------------------------------
class _PromisedDays(PromiseRule):
    """A promise of the same ``days`` to everyone."""

    days: float

    def promise_days(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:
        return np.full(customers.size, self.days)


@registered
@dataclass(frozen=True)
class RealisticPromises(_PromisedDays):
    """Promise what the market promises and deliveries keep (story 3's rule).

    Attributes:
        days: The promised delivery time.
    """

    name = "realistic"
    days: float = rule_param(
        14.0,
        unit="days",
        low=0.01,
        high=1_000.0,
        meaning="promised delivery time of the realistic rule (the market's usual promise)",
        source="the default market_promise_days (set both when the market's promise "
        "differs); broken about 2.4% of the time at the default lead times",
    )


@registered
@dataclass(frozen=True)
class OptimisticPromises(_PromisedDays):
    """Promise faster than the market: more sales, more promises broken (story 2).

    Attributes:
        days: The promised delivery time.
    """

    name = "optimistic"
    days: float = rule_param(
        10.0,
        unit="days",
        low=0.01,
        high=1_000.0,
        meaning="promised delivery time of the optimistic rule",
        source="story 2: 'within 10 days' (for a 5-6 week special order); about 15% of "
        "promises break at the default lead times",
    )


# --- guarantee ----------------------------------------------------------------
@registered
@dataclass(frozen=True)
class NoGuarantee(GuaranteeRule):
    """No guarantee: claims follow the claims rule."""

    name = "none"
    announced = False

    def honour(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _none(len(claims))


@registered
@dataclass(frozen=True)
class SatisfactionGuarantee(GuaranteeRule):
    """Refund any purchase on request, no questions asked (story 1 rule 1: the pizza)."""

    name = "satisfaction"

    def honour(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _all(len(claims))


# --- outreach -----------------------------------------------------------------
#: Whom :class:`KeepInTouch` contacts.
OUTREACH_AUDIENCES = ("prospects", "lapsed", "both")


@registered
@dataclass(frozen=True)
class NoOutreach(OutreachRule):
    """Never contact non-customers."""

    name = "none"

    def contact(self, people: np.ndarray, records: CustomerRecords, month: int) -> np.ndarray:  # noqa: D102
        return _none(people.size)


@registered
@dataclass(frozen=True)
class KeepInTouch(OutreachRule):
    """Contact each prospect or lapsed customer once every ``interval_months`` (story 1 rule 5).

    Person ``i`` is contacted in the months ``m`` with ``(i + m) % interval == 0``,
    so contacts are spread evenly over the year, like birthdays.

    Attributes:
        interval_months: Months between two contacts to the same person.
        audience: ``prospects``, ``lapsed`` or ``both``.
    """

    name = "keep_in_touch"
    interval_months: int = rule_param(
        12,
        unit="months",
        low=1,
        high=1_200,
        meaning="months between two contacts to the same person",
        source="story 1 rule 5: a birthday card every year",
    )
    audience: str = rule_param(
        "both",
        unit="choice",
        choices=OUTREACH_AUDIENCES,
        meaning="who is kept in touch with: prospects, lapsed customers or both",
        source="story 1 rule 5 (a card to a prospect) and story 3 (remind customers of "
        "yourself): keep in touch with prospects and lapsed customers",
    )

    def contact(self, people: np.ndarray, records: CustomerRecords, month: int) -> np.ndarray:  # noqa: D102
        due = (people + month) % self.interval_months == 0
        if self.audience == "both":
            return due
        lapsed = records.status[people] == LAPSED
        return due & (lapsed if self.audience == "lapsed" else ~lapsed)


# --- pruning ------------------------------------------------------------------
@registered
@dataclass(frozen=True)
class KeepEveryone(PruningRule):
    """Keep every customer."""

    name = "keep"

    def drop(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _none(customers.size)


@registered
@dataclass(frozen=True)
class DropUnprofitable(PruningRule):
    """Drop customers whose cumulative service cost exceeds their cumulative margin (story 3).

    Attributes:
        min_tenure_months: Only customers with at least this tenure are reviewed.
    """

    name = "drop_unprofitable"
    min_tenure_months: int = rule_param(
        6,
        unit="months",
        low=0,
        high=1_200,
        meaning="only customers with at least this tenure are reviewed for dropping",
        source="stated assumption: judge a customer on half a year of books",
    )

    def drop(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        unprofitable = (
            records.cumulative_cost_usd[customers] > records.cumulative_margin_usd[customers]
        )
        return unprofitable & (records.tenure_months[customers] >= self.min_tenure_months)


# --- listening ----------------------------------------------------------------
@registered
@dataclass(frozen=True)
class NoListening(ListeningRule):
    """Answer complaints, learn nothing from them."""

    name = "none"

    def analyse(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _none(len(claims))


@registered
@dataclass(frozen=True)
class Listen(ListeningRule):
    """Analyse every complaint for what the customer lacks (story 1 rule 2: Milliken)."""

    name = "listen"

    def analyse(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:  # noqa: D102
        return _all(len(claims))
