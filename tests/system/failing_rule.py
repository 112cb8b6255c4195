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
    """Raises on a claim above 300 USD (a market of large claims); otherwise pays every claim."""

    name = "exploding"

    def verify(self, claims, records):
        if np.any(claims.value_usd > 300):
            raise RuntimeError("the claims office burned down")
        return np.zeros(len(claims), dtype=bool)


@dataclass(frozen=True)
class ExitingOnLargeClaims(ClaimsRule):
    """Calls ``sys.exit(3)`` on a claim above 300 USD; otherwise pays every claim."""

    name = "exiting"

    def verify(self, claims, records):
        if np.any(claims.value_usd > 300):
            sys.exit(3)
        return np.zeros(len(claims), dtype=bool)


@dataclass(frozen=True)
class KillingOnLargeClaims(ClaimsRule):
    """Ends its process with ``os._exit(3)`` on a claim above 300 USD."""

    name = "killing"

    def verify(self, claims, records):
        if np.any(claims.value_usd > 300):
            os._exit(3)
        return np.zeros(len(claims), dtype=bool)


@dataclass(frozen=True)
class WritingNaN(ClaimsRule):
    """Writes NaN into the customers' state round the read-only records (a view's ``base`` is
    the population's own array), then pays every claim."""

    name = "writing_nan"

    def verify(self, claims, records):
        records.cumulative_cost_usd.base[claims.customers] = np.nan
        return np.zeros(len(claims), dtype=bool)
