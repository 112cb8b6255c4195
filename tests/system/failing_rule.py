"""Claims rules that fail on purpose (raise, exit, kill their process, write NaN), for the
failure handling tests."""

from __future__ import annotations

import os
import sys
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


@dataclass(frozen=True)
class ExitingAboveHonesty(ClaimsRule):
    """Calls ``sys.exit(3)`` when the market's mean honesty is high; otherwise pays every claim."""

    name = "exiting"

    def verify(self, claims, population):
        if population.honesty.mean() > 0.8:
            sys.exit(3)
        return np.zeros(len(claims), dtype=bool)


@dataclass(frozen=True)
class KillingAboveHonesty(ClaimsRule):
    """Ends its process with ``os._exit(3)`` when the market's mean honesty is high."""

    name = "killing"

    def verify(self, claims, population):
        if population.honesty.mean() > 0.8:
            os._exit(3)
        return np.zeros(len(claims), dtype=bool)


@dataclass(frozen=True)
class WritingNaN(ClaimsRule):
    """Writes NaN into the customers' satisfaction, then pays every claim."""

    name = "writing_nan"

    def verify(self, claims, population):
        population.satisfaction[claims.customers] = np.nan
        return np.zeros(len(claims), dtype=bool)
