"""One month's working state, shared by the submodels in schedule order."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from loyaltysim.seeding import EVENTS, stream

__all__ = ["Draw", "Month", "MonthlyDraws"]


class Draw:
    """Rows of the per-person uniform block, one per kind of decision."""

    ACQUIRE, PURCHASE, FAIL, CLAIM, VERIFY, HAGGLE, CAPRICE, TALK, CHURN = range(9)
    COUNT = 9


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

    def uniform(self, row: int, who: np.ndarray | None = None) -> np.ndarray:
        """This month's uniforms of one decision row, for everyone or for ``who``."""
        u = self.draws.uniform[row]
        return u if who is None else u[who]
