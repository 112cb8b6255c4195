"""One month's working state, shared by the submodels in schedule order."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from loyaltysim.seeding import EVENTS, stream

__all__ = [
    "ACCUSED",
    "NOT_RESOLVED",
    "NO_FAILURE",
    "RESOLVED",
    "RESOLVED_QUICKLY",
    "SILENT",
    "Draw",
    "Month",
    "MonthlyDraws",
]

#: Complaint outcome of a person's failure this month (:attr:`Month.outcome`), in TARP's terms
#: (no failure; did not complain; complained, not resolved; resolved; resolved quickly), plus
#: the outcome TARP does not have: the genuine claim was rejected as fraud.
NO_FAILURE, SILENT, NOT_RESOLVED, RESOLVED, RESOLVED_QUICKLY, ACCUSED = range(6)


class Draw:
    """Rows of the per-person uniform block, one per kind of decision."""

    ACQUIRE, PURCHASE, FAIL, LATE, CLAIM, VERIFY, HAGGLE, CAPRICE, TALK, PUBLIC, CHURN = range(11)
    COUNT = 11


class MonthlyDraws:
    """The random numbers of month ``t``, from stream ``(2, t)`` of the run's seed.

    ``uniform[row]`` holds one uniform per person for each decision in
    :class:`Draw`, drawn before anything else in the month, so a person's
    draws are the same under every policy (common random numbers).
    ``rng`` then serves the draws whose number depends on what happened
    (claim values, which contacts hear a message).
    """

    def __init__(self, seed: np.random.SeedSequence, month: int, n: int) -> None:
        self.rng = np.random.default_rng(stream(seed, EVENTS, month))
        self.uniform = self.rng.random((Draw.COUNT, n), dtype=np.float32)


@dataclass(eq=False)
class Month:
    """What the submodels of one month hand to each other.

    Attributes:
        t: Month number, 1-based (money booked at the end of month ``t`` is
            discounted by ``(1 + i_m) ** t``).
        draws: The month's random numbers.
        book: Ledger entries of the month, by column name.
        satisfaction_change: Per person, the sum of this month's event
            effects (failures, claim and request outcomes); applied by the
            satisfaction submodel and read by word of mouth.
        margin_usd: Per person, gross margin earned this month.
        cost_usd: Per person, service costs spent on them this month.
        buyers: Indices of people who bought this month.
        failed: Per buyer, whether the purchase failed.
        falsely_accused: Per person, accused of fraud on an honest claim.
        caught: Per person, exposed filing a fraudulent claim.
        paid_fraudsters: Indices of people whose fraudulent claim was paid.
        outcome: Per person, the complaint outcome of this month's failure
            (:data:`NO_FAILURE`, :data:`SILENT`, :data:`NOT_RESOLVED`,
            :data:`RESOLVED`, :data:`RESOLVED_QUICKLY`, :data:`ACCUSED`).
        praised: Indices of people who praise the firm in public after a
            management recovery.
        dropped: Per person, dropped by the firm's pruning rule this month.
        spoke: Per person, ``+1`` spoke well of the firm to contacts this
            month, ``-1`` spoke ill, ``0`` neither.
    """

    t: int
    draws: MonthlyDraws
    n: int
    book: dict[str, float] = field(default_factory=dict)
    satisfaction_change: np.ndarray = field(init=False)
    margin_usd: np.ndarray = field(init=False)
    cost_usd: np.ndarray = field(init=False)
    buyers: np.ndarray = field(init=False)
    failed: np.ndarray = field(init=False)
    falsely_accused: np.ndarray = field(init=False)
    caught: np.ndarray = field(init=False)
    paid_fraudsters: np.ndarray = field(init=False)
    outcome: np.ndarray = field(init=False)
    praised: np.ndarray = field(init=False)
    dropped: np.ndarray = field(init=False)
    spoke: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        empty = np.zeros(0, dtype=np.int64)
        self.satisfaction_change = np.zeros(self.n)
        self.margin_usd = np.zeros(self.n)
        self.cost_usd = np.zeros(self.n)
        self.buyers = empty
        self.failed = np.zeros(0, dtype=bool)
        self.falsely_accused = np.zeros(self.n, dtype=bool)
        self.caught = np.zeros(self.n, dtype=bool)
        self.paid_fraudsters = empty
        self.outcome = np.zeros(self.n, dtype=np.int8)
        self.praised = empty
        self.dropped = np.zeros(self.n, dtype=bool)
        self.spoke = np.zeros(self.n, dtype=np.int8)

    def uniform(self, row: int, who: np.ndarray | None = None) -> np.ndarray:
        """This month's uniforms of one decision row, for everyone or for ``who``."""
        u = self.draws.uniform[row]
        return u if who is None else u[who]
