"""The policies study: the four named policies on the default market (`make run`)."""

from __future__ import annotations

from collections.abc import Callable

import loyaltysim as ls
from loyaltysim.outcomes import key_outcomes
from loyaltysim.plotting import plot_comparison
from paper.formatting import (
    block,
    code,
    difference,
    direction,
    interval,
    markdown_table,
    num,
    rule_changes,
    run_design,
)
from paper.study import POLICY_REPLICATIONS, POLICY_SEED, WORKERS, Output, Study, quiet


def make(workers: int = WORKERS, log: Callable[[str], None] = quiet) -> Output:
    """The four named policies on the default market (the comparison of `make run`)."""
    scenario = ls.Scenario()
    comparison = ls.compare(
        scenario, ls.NAMED_POLICIES, replications=POLICY_REPLICATIONS, rng=POLICY_SEED
    )
    baseline_name = comparison.policies[0]
    baseline = ls.Policy.preset(baseline_name)
    table = comparison.table()
    rows = []
    for name, row in table.iterrows():
        cells = [code(name), rule_changes(ls.Policy.preset(name), baseline)]
        for outcome in key_outcomes():
            metric, spec = outcome.name, outcome.spec
            cells.append(interval(row[metric], row[f"{metric}_low"], row[f"{metric}_high"], spec))
        rows.append(cells)
    header = ["policy", "differs from the baseline"] + [o.label for o in key_outcomes()]
    design = run_design(scenario, comparison.replications, POLICY_SEED)
    policies_table = block(
        markdown_table(header, rows, right=len(key_outcomes())),
        f"Mean [95% CI] over {design}: `loyaltysim.compare(replications="
        f"{POLICY_REPLICATIONS}, rng={POLICY_SEED})`, the comparison `make run` prints.",
    )
    paired_metrics = {
        o.name: (o.label, o.spec)
        for o in key_outcomes(("npv_usd", "final_active", "fraud_losses_usd", "wom_balance"))
    }
    paired = {m: comparison.paired(baseline_name, metric=m) for m in paired_metrics}
    rows = []
    for name in comparison.policies[1:]:
        cells = [code(name)]
        for metric, (_, spec) in paired_metrics.items():
            r = paired[metric].loc[name]
            cells.append(interval(r["difference"], r["low"], r["high"], spec, sign=True))
        cells.append(num(paired["npv_usd"].loc[name, "sd_ratio"], ".3f"))
        rows.append(cells)
    header = (
        ["policy"]
        + [f"Δ {label}" for label, _ in paired_metrics.values()]
        + ["paired sd / unpaired sd (NPV)"]
    )
    paired_table = block(
        markdown_table(header, rows, right=len(paired_metrics) + 1),
        f"Paired difference `policy − {baseline_name}`, mean [95% CI] over the same "
        f"{comparison.replications} replications as the comparison above "
        "(`Comparison.paired`). The last "
        "column is the paired difference's standard deviation over that of a difference of "
        "independent runs: how much common random numbers tighten the comparison.",
    )
    npv = paired["npv_usd"]
    fraud = table["fraud_losses_usd"]
    values = {
        "policies_design": design,
        "policies_verdict": comparison.verdict(),
        "verify_npv": difference(npv.loc["verify_first"]),
        "verify_reading": direction(
            npv.loc["verify_first"],
            "the fraud it stops is worth more than the investigations and the false "
            "accusations cost",
            "the investigations, the false accusations and the goodwill they lose cost more "
            "than the fraud it stops",
            "what it saves and what it costs balance within the noise",
        ),
        "fraud_pay_all": num(fraud[baseline_name]),
        "fraud_verify": num(fraud["verify_first"]),
        "fraud_cut": f"{1 - fraud['verify_first'] / fraud[baseline_name]:.0%}",
        "fixed_npv": difference(npv.loc["fixed_pricing"]),
        "caprices_npv": difference(npv.loc["refuse_caprices"]),
        "sd_ratio_range": (
            f"{num(npv['sd_ratio'].min(), '.2f')}–{num(npv['sd_ratio'].max(), '.2f')}"
        ),
    }
    return Output(
        tables={"policies": policies_table, "policies_paired": paired_table},
        values=values,
        figures={"policies": plot_comparison(comparison)},
    )


STUDY = Study(
    "policies",
    f"compare the four named policies ({POLICY_REPLICATIONS} replications, N = 10,000)",
    make,
    tables=("policies", "policies_paired"),
    values=(
        "policies_design",
        "policies_verdict",
        "verify_npv",
        "verify_reading",
        "fraud_pay_all",
        "fraud_verify",
        "fraud_cut",
        "fixed_npv",
        "caprices_npv",
        "sd_ratio_range",
    ),
    figures=("policies",),
)
