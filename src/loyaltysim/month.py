"""One month's working state, handed from submodel to submodel in schedule order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from loyaltysim.policies.contract import ClaimBatch
from loyaltysim.seeding import MonthlyDraws

__all__ = [
    "ACCUSED",
    "NOT_RESOLVED",
    "NO_FAILURE",
    "RESOLVED",
    "RESOLVED_QUICKLY",
    "SILENT",
    "ClaimAnswers",
    "Month",
]

#: Complaint outcome of a person's failure this month (:attr:`Month.outcome`), in TARP's terms
#: (no failure; did not complain; complained, not resolved; resolved; resolved quickly), plus
#: the outcome TARP does not have: the genuine claim was rejected as fraud.
NO_FAILURE, SILENT, NOT_RESOLVED, RESOLVED, RESOLVED_QUICKLY, ACCUSED = range(6)

_NO_ONE = np.zeros(0, dtype=np.int64)
_NO_CLAIM = np.zeros(0, dtype=bool)


@dataclass(eq=False)
class ClaimAnswers:
    """How each claim of the month was answered (one entry per claim of :attr:`Month.claims`).

    Attributes:
        honoured: Refunded at once under the guarantee.
        deflected: Turned away by the front line.
        investigated: Investigated before an answer.
        rejected: Rejected as fraud after an investigation.
        escalated: Taken up by management (set by the recovery submodel).
        upheld: Escalated rejections management upheld (the claim was fraud
            the investigation exposed, and the recovery rule upholds such
            rejections).
    """

    honoured: np.ndarray = field(default_factory=lambda: _NO_CLAIM)
    deflected: np.ndarray = field(default_factory=lambda: _NO_CLAIM)
    investigated: np.ndarray = field(default_factory=lambda: _NO_CLAIM)
    rejected: np.ndarray = field(default_factory=lambda: _NO_CLAIM)
    escalated: np.ndarray = field(default_factory=lambda: _NO_CLAIM)
    upheld: np.ndarray = field(default_factory=lambda: _NO_CLAIM)

    @property
    def reversed(self) -> np.ndarray:
        """Rejected or deflected claims that management took up and paid."""
        return self.escalated & (self.rejected | self.deflected) & ~self.upheld

    @property
    def paid(self) -> np.ndarray:
        """Claims paid in the end."""
        return ~(self.rejected | self.deflected) | self.reversed

    @property
    def paid_at_once(self) -> np.ndarray:
        """Claims paid without an investigation or a fight."""
        return ~(self.rejected | self.deflected | self.investigated)


@dataclass(eq=False)
class Month:
    """What the submodels of one month hand to each other.

    Attributes:
        t: Month number, 1-based (money booked at the end of month ``t`` is
            discounted by ``(1 + i_m) ** t``).
        draws: The month's random numbers.
        n: People in the market.
        book: Ledger entries of the month, by column name.
        satisfaction_change: Per person, the sum of this month's event
            effects (failures, claim and request outcomes); applied by the
            satisfaction submodel and read by word of mouth.
        margin_usd: Per person, gross margin earned this month.
        cost_usd: Per person, service costs spent on them this month.
        buyers: Indices of people who bought this month.
        failed: Per buyer, whether the purchase failed.
        claims: The claims filed this month, as the firm sees them.
        claim_kinds: Per claim, genuine, mistaken or fraudulent (codes of
            :mod:`loyaltysim.submodels.claims`; the model's knowledge only).
        claim_positions: Per claim, where its filing uniform fell within its
            own filing probability (a uniform on [0, 1) that the front line's
            deflection reuses).
        answers: How each claim was answered (front line, investigation,
            management).
        falsely_accused: Per person, accused of fraud on an honest claim.
        caught: Per person, exposed filing a fraudulent claim.
        paid_fraudsters: Indices of people whose fraudulent claim was paid
            without an investigation (they tip others that claims get paid).
        outcome: Per person, the complaint outcome of this month's failure
            (:data:`NO_FAILURE`, :data:`SILENT`, :data:`NOT_RESOLVED`,
            :data:`RESOLVED`, :data:`RESOLVED_QUICKLY`, :data:`ACCUSED`).
        praised: Indices of people who praise the firm in public after a
            management recovery.
        dropped: Per person, dropped by the firm's pruning rule this month.
        spoke: Per person, ``+1`` spoke well of the firm to contacts this
            month, ``-1`` spoke ill, ``0`` neither.
        checked_claimants: Indices of claimants whose claim was investigated
            (they tell others that the firm checks claims).
        checked_learned: Per checked claimant, the leniency their story
            suggests: ``1 - detection_rate`` if paid (claims get checked), 0 if
            rejected.
    """

    t: int
    draws: MonthlyDraws
    n: int
    book: dict[str, float | np.integer[Any]] = field(default_factory=dict)
    satisfaction_change: np.ndarray = field(init=False)
    margin_usd: np.ndarray = field(init=False)
    cost_usd: np.ndarray = field(init=False)
    buyers: np.ndarray = field(init=False)
    failed: np.ndarray = field(init=False)
    claims: ClaimBatch = field(init=False)
    claim_kinds: np.ndarray = field(init=False)
    claim_positions: np.ndarray = field(init=False)
    answers: ClaimAnswers = field(init=False)
    falsely_accused: np.ndarray = field(init=False)
    caught: np.ndarray = field(init=False)
    paid_fraudsters: np.ndarray = field(init=False)
    outcome: np.ndarray = field(init=False)
    praised: np.ndarray = field(init=False)
    dropped: np.ndarray = field(init=False)
    spoke: np.ndarray = field(init=False)
    checked_claimants: np.ndarray = field(init=False)
    checked_learned: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.satisfaction_change = np.zeros(self.n)
        self.margin_usd = np.zeros(self.n)
        self.cost_usd = np.zeros(self.n)
        self.buyers = _NO_ONE
        self.failed = _NO_CLAIM
        self.claims = ClaimBatch(customers=_NO_ONE, value_usd=np.zeros(0))
        self.claim_kinds = np.zeros(0, dtype=np.int8)
        self.claim_positions = np.zeros(0)
        self.answers = ClaimAnswers()
        self.falsely_accused = np.zeros(self.n, dtype=bool)
        self.caught = np.zeros(self.n, dtype=bool)
        self.paid_fraudsters = _NO_ONE
        self.outcome = np.zeros(self.n, dtype=np.int8)
        self.praised = _NO_ONE
        self.dropped = np.zeros(self.n, dtype=bool)
        self.spoke = np.zeros(self.n, dtype=np.int8)
        self.checked_claimants = _NO_ONE
        self.checked_learned = np.zeros(0)

    def uniform(self, row: int, who: np.ndarray | None = None) -> np.ndarray:
        """This month's uniforms of one decision row, for everyone or for ``who``."""
        u = self.draws.row(row)
        return u if who is None else u[who]
