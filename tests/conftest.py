"""Shared fixtures: small, fast scenarios."""

from __future__ import annotations

import pytest

from loyaltysim import Scenario

# QUIET lives in the package (notebook 08 uses it too); tests keep `from conftest import QUIET`.
from loyaltysim.evidence.closed_forms import QUIET  # noqa: F401


@pytest.fixture
def small() -> Scenario:
    """A small default market: 1,500 people over 24 months."""
    return Scenario(n_customers=1_500, horizon_months=24)
