"""Shared fixtures: small, fast scenarios."""

from __future__ import annotations

import pytest

from loyaltysim import Scenario

#: Everything that makes claims, failures, requests and word of mouth happen, switched off
#: (with a lead time of exactly the median, every delivery keeps the realistic promise).
QUIET = dict(
    failure_rate=0.0,
    lead_time_sigma=0.0,
    mistaken_claim_probability=0.0,
    fraud_propensity_max=0.0,
    haggle_propensity_mean=0.0,
    haggle_propensity_dispersion=0.0,
    caprice_propensity_mean=0.0,
    caprice_propensity_dispersion=0.0,
    wom_propensity_mean=0.0,
    wom_propensity_dispersion=0.0,
)


@pytest.fixture
def small() -> Scenario:
    """A small default market: 1,500 people over 24 months."""
    return Scenario(n_customers=1_500, horizon_months=24)
