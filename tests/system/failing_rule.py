"""A claims rule that fails on purpose, for the sweep's failure handling test."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loyaltysim.policies import ClaimsRule


@dataclass(frozen=True)
class ExplodingAboveHonesty(ClaimsRule):
    """Raises when the market's mean honesty is high; otherwise pays every claim."""

    name = "exploding"

    def verify(self, claims, population):
        if population.honesty.mean() > 0.8:
            raise RuntimeError("the claims office burned down")
        return np.zeros(len(claims), dtype=bool)
