"""One seed drives every draw: the run's SeedSequence and its streams.

A run's seed (an int or a :class:`numpy.random.SeedSequence`) is split into
independent streams by *spawn key*, never by call order:

============== ===========================================
stream         used for
============== ===========================================
``(0,)``       population traits and who starts active
``(1,)``       the social network generator (NumPy, see network.py)
``(2, t)``     every random event of month ``t``
============== ===========================================

Because the population and network streams do not depend on the policy, two
policies run with the same seed meet the same people on the same network
(common random numbers), and month ``t`` of one run draws the same
per-person uniforms whatever happened before it.
"""

from __future__ import annotations

import numpy as np

from loyaltysim.errors import ParameterError

__all__ = ["EVENTS", "NETWORK", "POPULATION", "as_seed_sequence", "seed_record", "stream"]

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
