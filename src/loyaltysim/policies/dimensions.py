"""The nine dimensions of a firm's service policy, each a base class and one record.

=========== ============================================ ==========================================
dimension   decision method                              built-in rules (registry name)
=========== ============================================ ==========================================
claims      ``verify(claims, records)``                  ``compensate``, ``verify``, ``threshold``
pricing     ``grant(customers, records)``                ``negotiable``, ``fixed``
caprices    ``accommodate(customers, records)``          ``accommodate``, ``refuse``
recovery    ``escalate(claims, records)``                ``none``, ``escalate``
promises    ``promise_days(customers, records)``         ``realistic``, ``optimistic``
guarantee   ``honour(claims, records)``                  ``none``, ``satisfaction``
outreach    ``contact(people, records, month)``          ``none``, ``keep_in_touch``
pruning     ``drop(customers, records)``                 ``keep``, ``drop_unprofitable``
listening   ``analyse(claims, records)``                 ``none``, ``listen``
=========== ============================================ ==========================================

Each base class declares the one decision method its rules implement; the
method receives the requests and the firm's customer records
(:class:`~loyaltysim.policies.records.CustomerRecords`: tenure, purchases,
claims, public complaints, rejections, money; never honesty, loyalty or the
propensities), then any extra argument. The record after it
(:class:`~loyaltysim.policies.contract.Dimension`) says everything else the
package needs to know about the dimension. Write your own
rule by subclassing a base (see :mod:`loyaltysim.policies`); write your own
dimension with :func:`~loyaltysim.policies.contract.add_dimension`.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from loyaltysim.policies.contract import ClaimBatch, Dimension, Rule, add_dimension
from loyaltysim.seeding import Draw

if TYPE_CHECKING:
    from loyaltysim.policies.records import CustomerRecords

__all__ = [
    "CAPRICES",
    "CLAIMS",
    "GUARANTEE",
    "LISTENING",
    "OUTREACH",
    "PRICING",
    "PROMISES",
    "PRUNING",
    "RECOVERY",
    "CapriceRule",
    "ClaimsRule",
    "GuaranteeRule",
    "ListeningRule",
    "OutreachRule",
    "PricingRule",
    "PromiseRule",
    "PruningRule",
    "RecoveryRule",
]


class ClaimsRule(Rule):
    """Decides which claims the firm investigates before paying.

    Claims not selected are paid at once. Selected claims cost an
    investigation and are paid unless the investigation treats them as fraud
    (it exposes fraud with the scenario's ``detection_rate`` and wrongly
    accuses an honest claimant with ``false_accusation_rate``).
    """

    @abstractmethod
    def verify(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:
        """Return a boolean array: ``True`` where the claim is investigated."""

    def announced_check_share(self) -> float:
        """The share of claims the firm tells customers it checks (0: it tells nothing).

        Customers believe a fraudulent claim is paid with probability at most
        ``1 - detection_rate x share`` (deterrence by announcement).
        """
        return 0.0


CLAIMS = add_dimension(
    Dimension(
        "claims",
        ClaimsRule,
        neutral="compensate",
        decision="verify",
        requests="claims",
        draws=(Draw.CLAIM, Draw.VERIFY),
        stories="story 4",
        core=True,
    )
)


class PricingRule(Rule):
    """Decides which discount requests (haggling) are granted."""

    @abstractmethod
    def grant(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:
        """Return a boolean array: ``True`` where the discount is granted."""


PRICING = add_dimension(
    Dimension(
        "pricing",
        PricingRule,
        neutral="negotiable",
        decision="grant",
        draws=(Draw.HAGGLE,),
        stories="stories 3, 1",
        core=True,
    )
)


class CapriceRule(Rule):
    """Decides which caprices (unreasonable service demands) are accommodated."""

    @abstractmethod
    def accommodate(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:
        """Return a boolean array: ``True`` where the caprice is accommodated."""


CAPRICES = add_dimension(
    Dimension(
        "caprices",
        CapriceRule,
        neutral="accommodate",
        decision="accommodate",
        draws=(Draw.CAPRICE,),
        stories="story 3",
        core=True,
    )
)


class RecoveryRule(Rule):
    """Decides which of the month's complaints (claims) go up to management.

    Management reviews each: it pays a claim the front line turned away,
    withdraws a wrongful accusation and pays, and upholds the rejection of a
    fraud the investigation exposed (unless the rule says otherwise); it
    apologises in person to every claimant it does not uphold a rejection
    against (``effect_management_recovery``), costs ``management_cost_usd``
    per complaint, and a recovered claimant may praise the firm in public.
    """

    @abstractmethod
    def escalate(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:
        """Return a boolean array: ``True`` where the complaint is escalated.

        ``claims.answer`` holds the front line's answer to each claim
        (:class:`~loyaltysim.policies.contract.FrontLine`).
        """

    def upholds_exposed_fraud(self) -> bool:
        """Whether management upholds the rejection of a claim exposed as fraud.

        Otherwise it pays every claim it takes up.
        """
        return True


RECOVERY = add_dimension(
    Dimension(
        "recovery",
        RecoveryRule,
        neutral="none",
        decision="escalate",
        requests="claims",
        draws=(Draw.PRAISE,),
        stories="stories 0, 2, 1",
    )
)


class PromiseRule(Rule):
    """Decides the delivery time the firm promises, in days.

    A purchase whose lead time exceeds the promise breaks it; a shorter
    promise than the market's draws more conversions.
    """

    @abstractmethod
    def promise_days(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:
        """Return the promised delivery time (days, > 0) for each customer."""


PROMISES = add_dimension(
    Dimension(
        "promises",
        PromiseRule,
        neutral="realistic",
        decision="promise_days",
        answers_numbers=True,
        draws=(Draw.LATE,),
        stories="stories 1, 2, 3",
    )
)


class GuaranteeRule(Rule):
    """Decides which claims a guarantee refunds at once, no questions asked.

    While ``announced`` is true the guarantee draws trial
    (``guarantee_trial_boost``), makes honest claims likelier
    (``guarantee_claim_multiplier``), tells everyone claims are paid (fraud
    at full leniency), and turns claims into refunds of the purchase.
    """

    #: Whether customers know of the guarantee.
    announced: ClassVar[bool] = True

    @abstractmethod
    def honour(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:
        """Return a boolean array: ``True`` where the claim is refunded at once."""


GUARANTEE = add_dimension(
    Dimension(
        "guarantee",
        GuaranteeRule,
        neutral="none",
        decision="honour",
        requests="claims",
        stories="story 1",
    )
)


class OutreachRule(Rule):
    """Decides which prospects and lapsed customers the firm contacts this month.

    Each contact costs ``outreach_cost_usd`` and adds ``outreach_response`` to
    the person's monthly conversion hazard for good (goodwill accumulates).
    """

    @abstractmethod
    def contact(self, people: np.ndarray, records: CustomerRecords, month: int) -> np.ndarray:
        """Return a boolean array: ``True`` where the person is contacted in ``month``."""


OUTREACH = add_dimension(
    Dimension(
        "outreach",
        OutreachRule,
        neutral="none",
        decision="contact",
        extra=("month",),
        stories="stories 1, 3",
    )
)


class PruningRule(Rule):
    """Decides which active customers the firm drops (they are never won back)."""

    @abstractmethod
    def drop(self, customers: np.ndarray, records: CustomerRecords) -> np.ndarray:
        """Return a boolean array: ``True`` where the customer is dropped."""


PRUNING = add_dimension(
    Dimension("pruning", PruningRule, neutral="keep", decision="drop", stories="story 3")
)


class ListeningRule(Rule):
    """Decides which complaints the firm analyses for what they say about the product.

    Each analysed complaint costs ``listening_cost_usd``; the genuine ones
    lower the failure rate (``listening_learning_rate``, ``failure_rate_floor``).
    """

    @abstractmethod
    def analyse(self, claims: ClaimBatch, records: CustomerRecords) -> np.ndarray:
        """Return a boolean array: ``True`` where the complaint is analysed."""


LISTENING = add_dimension(
    Dimension(
        "listening",
        ListeningRule,
        neutral="none",
        decision="analyse",
        requests="claims",
        stories="story 1 rule 2",
    )
)
