"""Shared fixtures: small, fast scenarios."""

from __future__ import annotations

import pytest

from loyaltysim import Scenario

# QUIET lives in the package (notebook 08 uses it too); tests keep `from conftest import QUIET`.
from loyaltysim.validation import QUIET  # noqa: F401


@pytest.fixture
def small() -> Scenario:
    """A small default market: 1,500 people over 24 months."""
    return Scenario(n_customers=1_500, horizon_months=24)


@pytest.fixture(scope="session")
def case_results():
    """Every case of the library, run once per test session as `loyaltysim case NAME` runs it."""
    from loyaltysim.cases import CASES

    return {name: case.run() for name, case in CASES.items()}
