"""The figures behind the mechanisms that decide the verdicts (papers/odd.md, section 9).

Prints, with fixed seeds, what papers/odd.md quotes for deterrence, escalation, public
praise, management coverage and the memory of a false accusation::

    python benchmarks/mechanisms.py      # about ten seconds on one core
"""

from __future__ import annotations

import numpy as np

import loyaltysim as ls
from loyaltysim.policies import EscalateToManagement, VerifyFirst


def deterrence() -> None:
    """Fraudulent claims a run under paying, verifying, and verifying announced."""
    announced = ls.Policy(claims=VerifyFirst(announced=True), name="verify_first_announced")
    comparison = ls.compare(
        policies=["always_compensate", "verify_first", announced], replications=4, rng=1
    )
    columns = ["claims_fraudulent", "claims_investigated", "frauds_detected", "check_tips"]
    # monthly holds the mean over replications, so its sum over months is the mean run's total
    per_run = comparison.monthly.groupby("policy", sort=False)[columns].sum()
    print("1. fraudulent claims a run (default market, 4 replications, rng=1)")
    print(per_run.round(1).to_string())


def escalation_and_fraud() -> None:
    """Frauds caught and fraud paid when management reviews the largest rejections."""
    market = ls.Scenario(fraud_propensity_max=0.15)
    policies = {
        "verify_first": ls.Policy(claims=VerifyFirst()),
        "verify_first + escalate(largest)": ls.Policy(
            claims=VerifyFirst(), recovery=EscalateToManagement(priority="largest")
        ),
    }
    print("\n2. fraud_propensity_max = 0.15, 4 replications, rng=1")
    for name, policy in policies.items():
        caught, paid = [], []
        for replication in range(4):
            result = ls.run(
                market,
                policy=policy,
                rng=np.random.SeedSequence(1, spawn_key=(replication,)),
                claims=True,
            )
            log = result.claims
            caught.append(result.monthly["frauds_detected"].sum())
            paid.append(log.loc[(log["kind"] == "fraudulent") & log["paid"], "value_usd"].sum())
        print(
            f"{name:34} frauds caught {np.mean(caught):7.1f}   fraud paid {np.mean(paid):9,.0f} USD"
        )


def praise_and_coverage() -> None:
    """Share of claims management takes up, and of escalations that end in public praise."""
    print("\n3. escalate at its defaults, rng=1: coverage and praise by market size")
    for n in (5_000, 50_000):
        result = ls.run(
            ls.Scenario(n_customers=n), policy=ls.Policy(recovery=EscalateToManagement()), rng=1
        )
        monthly = result.monthly
        claims = monthly[["claims_genuine", "claims_mistaken", "claims_fraudulent"]].sum().sum()
        escalations, praise = monthly["escalations"].sum(), monthly["public_praise"].sum()
        print(
            f"N = {n:6,}: {escalations:5.0f} escalations of {claims:5.0f} claims "
            f"({escalations / claims:.3f}); {praise:4.0f} praised ({praise / escalations:.3f})"
        )


def memory_of_accusation() -> None:
    """Who of those falsely accused early is a customer at the end, and how they feel."""
    model = ls.LoyaltyModel(
        ls.Scenario(n_customers=20_000), policy="verify_first", rng=1, claim_log=True
    )
    model.run_for(60)
    log = model.claim_log.frame()
    early = log["falsely_accused"] & (log["month"] <= 24) & ~log["reversed"]
    accused = log.loc[early, "customer"].unique()
    population = model.population
    print("\n4. verify_first, N = 20,000, rng=1: falsely accused in months 1-24")
    print(
        f"{accused.size} accused; customers at month 60: "
        f"{np.mean(population.status[accused] == 1):.3f}; mean satisfaction "
        f"{population.satisfaction[accused].mean():+.3f} against their baseline "
        f"{population.satisfaction_baseline[accused].mean():+.3f}"
    )


if __name__ == "__main__":
    deterrence()
    escalation_and_fraud()
    praise_and_coverage()
    memory_of_accusation()
