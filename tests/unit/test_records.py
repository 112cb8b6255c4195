"""Rules see what a firm sees: the customer records, read-only, never a hidden trait."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pytest

import loyaltysim as ls
from loyaltysim.policies import ClaimBatch, ClaimsRule, CustomerRecords, check_rule, decide
from loyaltysim.policies.records import HIDDEN, OBSERVABLE
from loyaltysim.population import Population

SMALL = ls.Scenario(n_customers=800, horizon_months=12)

#: What a firm cannot know of its customers (issue 12): traits, beliefs, satisfaction, real
#: failures. Moving a name into the records is a decision about the model, not a tidy-up.
HIDDEN_FROM_THE_FIRM = {
    "honesty",
    "loyalty",
    "purchase_probability",
    "basket_value_usd",
    "complaint_propensity",
    "wom_propensity",
    "haggle_propensity",
    "caprice_propensity",
    "satisfaction_baseline",
    "satisfaction",
    "leniency",
    "failures",
    "last_failure_month",
}


@dataclass(frozen=True)
class VerifyTheDishonest(ClaimsRule):
    """A rule a real firm could not follow: it reads the claimant's honesty."""

    name = "verify_the_dishonest"

    def verify(self, claims, records):
        return records.honesty[claims.customers] < 0.5


@dataclass(frozen=True)
class VerifyRepeatClaimants(ClaimsRule):
    """The README's own rule: investigate a claimant's second claim and later ones."""

    name = "repeat_claimants"

    def verify(self, claims, records):
        return records.claims[claims.customers] >= 2


def _population() -> Population:
    return ls.LoyaltyModel(SMALL, rng=1).population


def test_every_population_array_is_either_a_record_or_hidden():
    names = [f.name for f in fields(Population)]
    assert sorted(OBSERVABLE + HIDDEN) == sorted(names)
    assert set(HIDDEN) >= HIDDEN_FROM_THE_FIRM  # a new array is hidden unless made a record
    for name in OBSERVABLE:  # documented where users look
        assert f"{name}:" in (CustomerRecords.__doc__ or "")


def test_a_rule_reading_a_hidden_trait_fails_in_a_run_and_in_check_rule():
    policy = ls.Policy(claims=VerifyTheDishonest(), name="mind_reader")
    message = (
        r"policy\.claims: got 'VerifyTheDishonest\.verify reading honesty'; accepts a rule "
        r"that reads only what a firm sees: status, tenure_months, .*claims.* \(honesty is "
        r"hidden from a real firm\)"
    )
    with pytest.raises(ls.ParameterError, match=message):
        ls.run(SMALL, policy, rng=1)
    with pytest.raises(ls.ParameterError, match=message):
        check_rule(VerifyTheDishonest())


@pytest.mark.parametrize("name", sorted(HIDDEN_FROM_THE_FIRM))
def test_every_hidden_variable_raises_naming_the_reader(name):
    records = CustomerRecords(_population(), reader="Mine.verify")
    with pytest.raises(ls.ParameterError, match=rf"Mine\.verify reading {name}"):
        getattr(records, name)


def test_a_rule_reading_claims_works_and_its_answer_is_used():
    check_rule(VerifyRepeatClaimants())
    claimy = SMALL.replace(mistaken_claim_probability=0.05)  # enough repeat claimants
    own = ls.run(claimy, ls.Policy(claims=VerifyRepeatClaimants()), rng=1).monthly
    claims = own[["claims_genuine", "claims_mistaken", "claims_fraudulent"]].to_numpy().sum()
    assert 0 < own["claims_investigated"].sum() < claims


def test_the_records_are_a_read_only_view_of_the_population():
    population = _population()
    records = CustomerRecords(population)
    claims = records.claims
    assert np.shares_memory(claims, population.claims) and not claims.flags.writeable
    population.claims[3] = 7  # the model's changes show through
    assert records.claims[3] == 7 and records.n == population.n
    with pytest.raises(ValueError, match="read-only"):
        claims[0] = 1
    with pytest.raises(ls.ParameterError, match=r"setting records\.claims"):
        records.claims = np.zeros(population.n)
    with pytest.raises(AttributeError, match="no 'clams'"):
        _ = records.clams
    assert set(dir(records)) == {*OBSERVABLE, "n"}


def test_decide_names_a_rule_that_writes_into_the_records():
    @dataclass(frozen=True)
    class Forgetful(ClaimsRule):
        name = "forgetful"

        def verify(self, claims, records):
            records.claims[claims.customers] = 0
            return np.zeros(len(claims), dtype=bool)

    batch = ClaimBatch(customers=np.array([1, 2]), value_usd=np.array([10.0, 20.0]))
    with pytest.raises(ls.ParameterError, match=r"Forgetful\.verify writing into the customer"):
        decide(Forgetful(), batch, _population())


def test_the_new_records_count_what_the_ledger_counts():
    model = ls.LoyaltyModel(
        SMALL.replace(n_customers=3_000, public_share=0.3, false_accusation_rate=0.2),
        "verify_first",
        rng=2,
        claim_log=True,
    )
    model.run_for(12)
    population, monthly = model.population, model.ledger.frame()
    log = model.claim_log.frame()
    assert population.purchases.sum() == monthly["purchases"].sum()
    assert population.public_complaints.sum() == log["public"].sum() > 0
    assert population.claims_rejected.sum() == monthly["claims_rejected"].sum() > 0
    per_claimant = log.groupby("customer")["public"].sum()
    np.testing.assert_array_equal(
        population.public_complaints[per_claimant.index], per_claimant.to_numpy()
    )
