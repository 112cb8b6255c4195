"""Shared fixtures: small, fast scenarios, and the case library run once per session.

The suite is laid out by kind of test:

- ``tests/unit``: single modules (scenario, policies, networks, model, simulation,
  experiment definitions, command-line input, files in and out, packaging), and a
  Hypothesis property test of the accounts over valid scenarios and rules;
- ``tests/mechanisms``: one file per submodel or policy dimension, each test failing
  without its mechanism;
- ``tests/statistical``: distributions over many runs (calibration, closed forms,
  docking, the case library, the network generators against networkx);
- ``tests/system``: end to end (the command running simulations, sweeps killed and
  resumed, results folders under faults, worker processes after a kill, the app in a
  headless browser);
- ``tests/docs``: the README's examples and the documents agreeing with the set-up.

Lanes: ``pytest -m "not slow" tests/unit tests/mechanisms tests/docs`` is the fast lane
(under 30 s); ``make test`` runs everything, notebooks included. Tests over about 2 s
are marked ``slow``; the app's browser test is also marked ``browser``. The test folders
are packages (``tests.unit`` ...), so two test files may share a name; shared helpers
are imported from ``tests.helpers`` and ``tests.mechanisms.helpers``.
"""

from __future__ import annotations

import pytest

from loyaltysim import Scenario


@pytest.fixture
def small() -> Scenario:
    """A small default market: 1,500 people over 24 months."""
    return Scenario(n_customers=1_500, horizon_months=24)


@pytest.fixture(scope="session")
def case_results():
    """Every case of the library, run once per test session as `loyaltysim case NAME` runs it."""
    from loyaltysim.cases import CASES

    return {name: case.run() for name, case in CASES.items()}
