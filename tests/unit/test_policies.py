"""Policies: presets, composition, user rules, and their validation."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import loyaltysim as ls
from loyaltysim import ClaimsRule, ParameterError, Policy
from loyaltysim.errors import PluginError
from loyaltysim.policies import (
    ClaimBatch,
    EscalateToManagement,
    check_rule,
    register_rule,
    unregister_rule,
)
from tests.helpers import cli


def test_the_four_named_policies_differ_from_always_compensate_in_one_dimension():
    base = Policy.preset("always_compensate").rules
    assert ls.NAMED_POLICIES == (
        "always_compensate",
        "verify_first",
        "fixed_pricing",
        "refuse_caprices",
    )
    for name in ls.NAMED_POLICIES[1:]:
        rules = Policy.preset(name).rules
        changed = [d for d in rules if rules[d] != base[d]]
        assert len(changed) == 1, name


def test_unknown_preset_suggests_a_name():
    with pytest.raises(ParameterError, match=r"policy: got 'verify'.*did you mean 'verify_first'"):
        Policy.preset("verify")


def test_from_spec_builds_rules_with_parameters():
    policy = Policy.from_spec(
        {"claims": "threshold", "claims_threshold_usd": 150, "pricing": "fixed"}
    )
    assert isinstance(policy.claims, ls.ThresholdVerification)
    assert policy.claims.threshold_usd == 150
    assert isinstance(policy.pricing, ls.FixedPrices)
    assert Policy.from_spec(policy.to_spec()) == policy


def test_from_spec_starts_from_a_preset():
    policy = Policy.from_spec({"preset": "verify_first", "caprices": "refuse"})
    assert isinstance(policy.claims, ls.VerifyFirst)
    assert isinstance(policy.caprices, ls.RefuseCaprices)
    assert Policy.from_spec({"preset": "fixed_pricing"}).name == "fixed_pricing"


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ({"claims": "verfy"}, "policy.claims"),
        ({"claims": 3}, "policy.claims"),
        ({"claims": "threshold", "claims_threshold_usd": -5}, "policy.claims_threshold_usd"),
        ({"claims": "compensate", "claims_threshold_usd": 5}, "policy.claims_threshold_usd"),
        ({"colour": "red"}, "policy.colour"),
        ({"claims": "no.such.module:Rule"}, "policy.claims"),
        ({"claims": "loyaltysim.policies:FixedPrices"}, "policy.claims"),
    ],
)
def test_bad_policy_specs_name_the_key(spec, name):
    with pytest.raises(ParameterError) as info:
        Policy.from_spec(spec)
    assert info.value.name == name


def test_a_rule_of_the_wrong_dimension_is_refused():
    with pytest.raises(ParameterError, match=r"policy\.claims"):
        Policy(claims=ls.FixedPrices())  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class VerifyRepeatClaimants(ClaimsRule):
    """A user's rule: investigate claims from customers with earlier claims."""

    name = "repeat_claimants"
    min_claims: int = 2

    def verify(self, claims: ClaimBatch, population) -> np.ndarray:
        return population.claims[claims.customers] >= self.min_claims


def test_a_user_rule_plugs_in_without_editing_the_package(small):
    policy = Policy(claims=VerifyRepeatClaimants(), name="repeat")
    result = ls.run(small, policy, rng=3)
    investigated = result.summary["investigation_cost_usd"] / small.investigation_cost_usd
    assert 0 < investigated < result.summary["claims"]
    register_rule("repeat_claimants", VerifyRepeatClaimants)
    try:
        by_name = Policy.from_spec({"claims": "repeat_claimants", "claims_min_claims": 3})
    finally:
        unregister_rule("claims", "repeat_claimants")
    assert by_name.claims == VerifyRepeatClaimants(min_claims=3)
    by_path = Policy.from_spec({"claims": f"{__name__}:VerifyRepeatClaimants"})
    assert isinstance(by_path.claims, VerifyRepeatClaimants)


class BrokenRule(ClaimsRule):
    name = "broken"

    def verify(self, claims, population):
        return [True]  # one answer whatever the number of claims


def test_a_rule_answering_the_wrong_shape_is_reported(small):
    with pytest.raises(ParameterError, match=r"BrokenRule\.verify"):
        ls.run(small, Policy(claims=BrokenRule()), rng=1)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"recovery": "escalate", "recovery_priority": "loud"}, "policy.recovery_priority"),
        ({"recovery": "escalate", "recovery_capacity_per_1000": -1}, "capacity_per_1000"),
        ({"promises": "optimistic", "promises_days": 0}, "policy.promises_days"),
        ({"outreach": "keep_in_touch", "outreach_audience": "all"}, "policy.outreach_audience"),
        ({"pruning": "drop_unprofitable", "pruning_min_tenure_months": 1.5}, "min_tenure"),
        ({"guarantee": "money_back"}, "policy.guarantee"),
    ],
)
def test_bad_rule_parameters_name_the_parameter(spec, message):
    with pytest.raises(ParameterError, match=message):
        Policy.from_spec(spec)


def test_every_dimension_is_selectable_from_a_policy_table():
    spec = {
        "preset": "verify_first",
        "recovery": "escalate",
        "recovery_capacity_per_1000": 0.5,
        "promises": "optimistic",
        "guarantee": "satisfaction",
        "outreach": "keep_in_touch",
        "pruning": "drop_unprofitable",
        "listening": "listen",
    }
    policy = Policy.from_spec(spec)
    assert policy.recovery == EscalateToManagement(capacity_per_1000=0.5)
    assert Policy.from_spec(policy.to_spec()) == policy
    assert "recovery=escalate" in policy.describe() and "listening=listen" in policy.describe()


@pytest.mark.parametrize(
    ("dimension", "rule"),
    [(d.name, r) for d in ls.policies.DIMENSIONS.values() for r in d.rules.values()],
)
def test_every_built_in_rule_passes_check_rule(dimension, rule):
    check_rule(rule())


class _Dice(ClaimsRule):
    name = "dice"

    def verify(self, claims, population):
        return np.random.default_rng().random(len(claims)) < 0.5


class _Eraser(ClaimsRule):
    name = "eraser"

    def verify(self, claims, records):
        records.claims[claims.customers] = 0
        return np.zeros(len(claims), dtype=bool)


class _Burglar(ClaimsRule):
    name = "burglar"

    def verify(self, claims, records):
        records.claims.base[claims.customers] = 0  # round the read-only view, to the array
        return np.zeros(len(claims), dtype=bool)


class _MindReader(ClaimsRule):
    name = "mind_reader"

    def verify(self, claims, records):
        return records.honesty[claims.customers] < 0.5


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (BrokenRule(), "returns one boolean per request"),
        (_Dice(), "answering differently to the same requests"),
        (_Eraser(), "_Eraser.verify writing into the customer records"),
        (_Burglar(), "_Burglar.verify changed population.claims"),
        (_MindReader(), "_MindReader.verify reading honesty"),
        ("verify", "an instance of a policy dimension's base class"),
    ],
)
def test_check_rule_says_what_is_wrong_with_a_rule(rule, message):
    with pytest.raises(ParameterError, match=message):
        check_rule(rule)


# --- plug-ins that fail: one line naming the rule, never a traceback -----------------------
FAILING = "tests.system.failing_rule"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "ExplodingOnLargeClaims",
            "policy.claims: ExplodingOnLargeClaims.verify() raised RuntimeError: the claims "
            "office burned down (failing_rule.py:",
        ),
        ("ExitingOnLargeClaims", "ExitingOnLargeClaims.verify() raised SystemExit: 3"),
        ("WritingNaN", "population.cumulative_cost_usd holds NaN or an infinity after month"),
    ],
)
@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_plug_in_that_raises_exits_or_writes_nan_is_one_line_exit_2(
    capsys, command, rule, message
):
    status, out, err = cli(
        capsys,
        command,
        *(
            "--set",
            "n_customers=500",
            "--set",
            "horizon_months=12",
            "--set",
            "claim_value_usd=2000",
        ),
        *("--set", f"policy.claims={FAILING}:{rule}", "--seed", "1"),
        *(("--replications", "2") if command == "compare" else ()),
    )
    assert status == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_plug_in_error_from_python_is_a_plugin_error(small):
    from tests.system.failing_rule import WritingNaN

    with pytest.raises(PluginError, match=r"population\.cumulative_cost_usd holds NaN"):
        ls.run(small, Policy(claims=WritingNaN()), rng=1)


class RaisingAtConstruction(ClaimsRule):
    name = "raising_at_construction"

    def __init__(self):
        raise RuntimeError("no")

    def verify(self, claims, population):
        return np.zeros(len(claims), dtype=bool)


def test_a_rule_whose_constructor_raises_is_refused_in_one_line():
    with pytest.raises(ParameterError, match=r"policy.claims: .*RuntimeError: no"):
        Policy.from_spec({"claims": f"{__name__}:RaisingAtConstruction"})
