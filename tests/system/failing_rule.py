"""A claims rule that fails on purpose, for the sweep's failure handling test."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from loyaltysim.policies import ClaimsRule


@dataclass(frozen=True)
class ExplodingOnLargeClaims(ClaimsRule):
    """Raises on a claim above 1,000 USD (a market of large claims); otherwise pays every claim."""

    name = "exploding"

    def verify(self, claims, records):
        if np.any(claims.value_usd > 1_000):
            raise RuntimeError("the claims office burned down")
        return np.zeros(len(claims), dtype=bool)
