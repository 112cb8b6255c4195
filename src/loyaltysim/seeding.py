"""One seed drives every draw: the run's SeedSequence and its streams.

A run's seed (an int or a :class:`numpy.random.SeedSequence`) is split into
independent streams by *spawn key*, never by call order:

============== ===========================================
stream         used for
============== ===========================================
``(0,)``       population traits and who starts active
``(1,)``       the social network generator (NumPy, see network.py)
``(2, t)``     every random event of month ``t``
``(2, t, k)``  row ``k >= Draw.COUNT`` of month ``t``'s uniforms (rows
               declared by a policy dimension added outside the package)
============== ===========================================

Because the population and network streams do not depend on the policy, two
policies run with the same seed meet the same people on the same network
(common random numbers), and month ``t`` of one run draws the same
per-person uniforms whatever happened before it: the month's uniform block
(:class:`MonthlyDraws`, one row per kind of decision in :class:`Draw`) is drawn
first thing every month.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from loyaltysim.errors import ParameterError

__all__ = [
    "EVENTS",
    "NETWORK",
    "NOT_GIVEN",
    "POPULATION",
    "Draw",
    "MonthlyDraws",
    "as_seed_sequence",
    "renamed_seed",
    "seed_record",
    "stream",
]

POPULATION, NETWORK, EVENTS = 0, 1, 2


def as_seed_sequence(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    """Turn an int (or ``None`` for fresh entropy) into a SeedSequence."""
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise ParameterError("seed", seed, "a non-negative whole number or a SeedSequence")
    return np.random.SeedSequence(None if seed is None else int(seed))


def stream(seed: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The child of ``seed`` at ``key``, without mutating ``seed``."""
    return np.random.SeedSequence(
        seed.entropy, spawn_key=(*seed.spawn_key, *key), pool_size=seed.pool_size
    )


def seed_record(seed: np.random.SeedSequence) -> dict[str, object]:
    """What a result stores to repeat the run: entropy and spawn key."""
    return {"entropy": int(seed.entropy), "spawn_key": list(seed.spawn_key)}  # type: ignore[arg-type]


class Draw:
    """Rows of the month's per-person uniform block, one per kind of decision.

    Rows ``0 .. COUNT - 1`` are drawn together at the start of every month
    (:class:`MonthlyDraws`); a row from ``COUNT`` up (``PRAISE``, and any that
    a policy dimension added outside the package declares) is drawn from its
    own stream ``(2, t, row)`` when first used, so adding one leaves every
    other draw unchanged.
    """

    ACQUIRE, PURCHASE, FAIL, LATE, CLAIM, VERIFY, HAGGLE, CAPRICE, TALK, PUBLIC, CHURN = range(11)
    COUNT = 11
    #: Rows drawn from their own streams (``(2, t, row)``), added after the block was fixed.
    PRAISE = 11


class MonthlyDraws:
    """The random numbers of month ``t``, from stream ``(2, t)`` of the run's seed.

    ``uniform[row]`` holds one uniform per person for each decision in
    :class:`Draw`, drawn before anything else in the month, so a person's
    draws are the same under every policy (common random numbers).
    ``rng`` then serves the draws whose number depends on what happened
    (claim values, which contacts hear a message).
    """

    def __init__(self, seed: np.random.SeedSequence, month: int, n: int) -> None:
        self.seed, self.month, self.n = seed, month, n
        self.rng = np.random.default_rng(stream(seed, EVENTS, month))
        self.uniform = self.rng.random((Draw.COUNT, n), dtype=np.float32)
        self._extra: dict[int, np.ndarray] = {}

    def row(self, row: int) -> np.ndarray:
        """One row of uniforms, one per person (an extra row is drawn on first use)."""
        if row < Draw.COUNT:
            return self.uniform[row]
        if row not in self._extra:
            rng = np.random.default_rng(stream(self.seed, EVENTS, self.month, row))
            self._extra[row] = rng.random(self.n, dtype=np.float32)
        return self._extra[row]


class _NotGiven:
    """The default of a deprecated argument: tells "not given" from ``None``."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


#: Default of the deprecated ``seed=`` arguments (see :func:`renamed_seed`).
NOT_GIVEN: Any = _NotGiven()


def renamed_seed(rng: Any, seed: Any, where: str, default: Any = None) -> Any:
    """The ``rng=`` argument, accepting the old name ``seed=`` for one release.

    loyaltysim names its seed argument ``rng`` everywhere, as Mesa does
    (``mesa.Model(rng=...)``); ``seed=`` still works until loyaltysim 0.3, with
    a :class:`FutureWarning`.

    Args:
        rng: The ``rng`` argument.
        seed: The ``seed`` argument (:data:`NOT_GIVEN` when not given).
        where: The function's name, for the messages.
        default: ``rng``'s default value.

    Raises:
        ParameterError: Both were given.
    """
    if seed is NOT_GIVEN:
        return rng
    if rng is not default and rng != default:
        raise ParameterError("seed", seed, f"nothing when rng is given ({where} takes rng= only)")
    warnings.warn(
        f"{where}(seed=...) is now {where}(rng=...), as in Mesa; seed= will be removed in "
        "loyaltysim 0.3",
        FutureWarning,
        stacklevel=3,
    )
    return seed
