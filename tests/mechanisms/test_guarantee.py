"""The satisfaction guarantee: every claim refunded at once, and more fraud invited."""

from __future__ import annotations

from loyaltysim import Scenario
from loyaltysim.policies import (
    SatisfactionGuarantee,
)
from tests.mechanisms.helpers import BASE, MARKET, run_model, totals


def test_a_guarantee_refunds_every_claim_at_once_and_invites_fraud():
    scenario = Scenario(**MARKET, honesty_mean=0.7)
    none = run_model(scenario, BASE)
    guarantee = run_model(scenario, BASE.with_rules(guarantee=SatisfactionGuarantee()))
    claims = ["claims_genuine", "claims_mistaken", "claims_fraudulent"]
    assert sum(totals(guarantee, *claims)) == totals(guarantee, "claims_honoured")[0]
    assert totals(guarantee, "claims_deflected", "claims_investigated") == [0.0, 0.0]
    assert totals(none, "claims_honoured") == [0.0]
    # announced leniency: more fraud per purchase (Domino's Australia 2017)
    rate = [
        totals(m, "claims_fraudulent")[0] / totals(m, "purchases")[0] for m in (none, guarantee)
    ]
    assert rate[1] > 1.5 * rate[0]
    first = [m.ledger.column("acquisitions_advertising")[0] for m in (none, guarantee)]
    assert first[1] > first[0]  # it draws trial
