"""A verdict or a case's reading names a best policy only when its lead is beyond the noise."""

from __future__ import annotations

import pandas as pd
import pytest

import loyaltysim as ls
from loyaltysim.cases import CaseResult


def _comparison(npv: dict[str, list[float]]) -> ls.Comparison:
    """A comparison with the NPVs given per policy and replication (no simulation)."""
    runs = pd.DataFrame(
        [
            {"replication": r, "policy": name, "npv_usd": value}
            for name, values in npv.items()
            for r, value in enumerate(values)
        ]
    )
    monthly = pd.DataFrame({"policy": list(npv), "month": 1, "active": 0.0})
    return ls.Comparison(
        scenario=ls.Scenario(),
        policies=tuple(npv),
        seed={"entropy": 0, "spawn_key": []},
        runs=runs,
        monthly=monthly,
    )


BASE = [100_000.0, 120_000.0, 90_000.0, 110_000.0]
#: a lead of about +1,000 with a paired CI of several thousand each side
NOISY = {
    "pay": BASE,
    "escalate": [b + d for b, d in zip(BASE, [6_000, -4_000, 5_000, -3_000], strict=True)],
}
#: a lead of +5,000 +- 100 in every replication
SURE = {
    "pay": BASE,
    "fixed": [b + d for b, d in zip(BASE, [5_000, 5_100, 4_900, 5_000], strict=True)],
}


def test_a_lead_within_the_noise_names_no_best():
    comparison = _comparison(NOISY)
    lead = comparison.lead()
    assert lead["best"] == "escalate" and lead["low"] < 0 < lead["high"] and not lead["sure"]
    verdict = comparison.verdict()
    assert verdict.startswith("No policy is clearly best: escalate leads pay by +1,000 USD")
    assert "Best policy" not in verdict and "includes 0" in verdict
    assert comparison.leader().startswith("no policy is clearly best")
    assert "within the noise" in comparison.leader()


def test_a_sure_lead_names_the_best():
    comparison = _comparison(SURE)
    assert comparison.lead()["sure"]
    assert comparison.verdict().startswith("Best policy: fixed (NPV +5,000 USD vs pay")
    assert comparison.leader() == "the best is fixed"


def test_one_policy_is_its_own_verdict():
    comparison = _comparison({"pay": BASE})
    assert comparison.verdict() == "Only one policy: pay."
    assert comparison.leader() == "the best is pay"


@pytest.mark.parametrize(("npv", "says"), [(NOISY, "No policy is clearly best"), (SURE, None)])
def test_a_case_reading_says_the_same(npv, says):
    case = ls.get_case("ceo_phone_call")
    names = [p.name for p in case.policies]
    comparison = _comparison(dict(zip(names, npv.values(), strict=True)))
    reading = CaseResult(case, comparison).reading()
    if says:
        assert says in reading and "The best is" not in reading
    else:
        assert f"The best is {names[1]};" in reading
