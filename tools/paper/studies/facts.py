"""The facts study: the default market against the stylised facts (`loyaltysim calibrate`)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from matplotlib.figure import Figure

import loyaltysim as ls
from loyaltysim.evidence.calibration import (
    LOSS_BOUNDS_USD,
    PURCHASE_SIZES,
    REPURCHASE_WINDOW_MONTHS,
    TARP_OUTCOMES,
    TARP_TOLERANCE,
    calibration_policy,
    stylised_facts,
)
from paper.formatting import block, markdown_table, num, rule_changes
from paper.study import (
    FACTS_CUSTOMERS,
    FACTS_REPLICATIONS,
    FACTS_SEED,
    WORKERS,
    Output,
    Study,
    quiet,
)


def make(workers: int = WORKERS, log: Callable[[str], None] = quiet) -> Output:
    """The default market against the stylised facts (`loyaltysim calibrate`)."""
    scenario = ls.Scenario(n_customers=FACTS_CUSTOMERS)
    facts = stylised_facts(scenario, replications=FACTS_REPLICATIONS, rng=FACTS_SEED)
    rows = []
    for _, row in facts.iterrows():
        high = "∞" if math.isinf(row["high"]) else f"{row['high']:g}"
        rows.append(
            [
                row["fact"],
                row["measure"],
                row["source"],
                f"[{row['low']:g}, {high}]",
                num(row["value"], ".3f"),
                "yes" if row["within"] else "**no**",
            ]
        )
    policy = calibration_policy(scenario)
    design = (
        f"{FACTS_REPLICATIONS} runs pooled (root seed {FACTS_SEED}); N = "
        f"{scenario.n_customers:,} people, {scenario.horizon_months} months; policy "
        f"`{policy.name}` ({rule_changes(policy, ls.Policy())}): claims above the mean claim "
        f"value, {num(scenario.claim_value_usd)} USD, are investigated, the rest paid at once"
    )
    facts_table = block(
        markdown_table(
            ["fact", "measure", "source (target)", "tolerance", "model", "within"], rows, right=2
        ),
        f"`calibration.stylised_facts(Scenario(n_customers={FACTS_CUSTOMERS}), "
        f"replications={FACTS_REPLICATIONS}, rng={FACTS_SEED})`: {design}. The tolerance is "
        "the one `tests/statistical/test_calibration.py` holds the default market to.",
    )
    repurchase = facts.attrs["repurchase"]
    by_loss = facts.attrs["repurchase_by_loss"]
    rows = []
    for outcome, (share, failures) in repurchase.items():
        row = [outcome]
        for size in by_loss:
            model, n, tarp = by_loss[size][outcome]
            row += [
                "— (story 4)" if math.isnan(tarp) else f"{tarp:.0%}",
                f"{num(model, '.3f')} ({num(n)})",
            ]
        rows.append([*row, f"{num(share, '.3f')} ({num(failures)})"])
    header = ["complaint outcome"]
    for size in by_loss:
        bound = "over" if size == "large" else "under"
        loss = f"loss {bound} ${LOSS_BOUNDS_USD[size]:g}"
        header += [f"TARP, {loss}", f"model, {_market(size)} (failures)"]
    header.append("model, default market (failures)")
    repurchase_table = block(
        markdown_table(header, rows, right=len(header) - 1),
        f"The runs of the stylised facts: {design}; TARP's two series each in the same market "
        "with large or with small purchases ("
        + "; ".join(f"{size}: {_market(size)}" for size in by_loss)
        + "). TARP's figures (1986, for the US Office of Consumer Affairs) as quoted in "
        "secondary sources; the test suite holds the model within "
        f"{TARP_TOLERANCE:.2f} of each. Outcomes from worst to best: "
        + "; ".join(TARP_OUTCOMES.values())
        + f". Repurchase is a purchase in any of the {REPURCHASE_WINDOW_MONTHS} months after a "
        "failure.",
    )
    within = int(facts["within"].sum())
    shares = {k: v[0] for k, v in repurchase.items()}
    levels = facts[facts["fact"].str.startswith("TARP, ")]
    steps = facts[facts["fact"].str.startswith("TARP: ") & ~facts["fact"].str.contains("accused")]
    off = list(levels.loc[~levels["within"], "fact"].str.removeprefix("TARP, "))
    reversed_steps = list(steps.loc[~steps["within"], "fact"].str.removeprefix("TARP: "))
    if not off and not reversed_steps:
        reading = (
            "The model reproduces both the order and the size of TARP's complaint outcomes, "
            f"within {TARP_TOLERANCE:.2f} of each of the {len(levels)} figures"
        )
    else:
        reading = (
            "The model does not reproduce every TARP figure (outside the tolerance: "
            + "; ".join(off + [f"step {s} reversed" for s in reversed_steps])
            + ")"
        )
    large, small = (by_loss[size] for size in ("large", "small"))
    values = {
        "tarp_reading": reading,
        "facts_design": design,
        "facts_within": f"{within} of {len(facts)}" if within < len(facts) else f"all {within}",
        "repurchase_silent": num(large["did not complain"][0], ".3f"),
        "repurchase_quick": num(large["resolved quickly"][0], ".3f"),
        "repurchase_small_silent": num(small["did not complain"][0], ".3f"),
        "repurchase_small_quick": num(small["resolved quickly"][0], ".3f"),
        "repurchase_accused": num(shares["accused of fraud"], ".3f"),
        "accused_failures": num(repurchase["accused of fraud"][1]),
    }
    return Output(
        tables={"facts": facts_table, "repurchase": repurchase_table},
        values=values,
        figures={"repurchase": _repurchase_figure(by_loss)},
    )


def _market(size: str) -> str:
    """The purchases of the market a TARP series is measured in, in words."""
    changes = PURCHASE_SIZES[size]
    return f"basket {num(changes['basket_value_usd'])} USD"


def _repurchase_figure(by_loss: dict[str, dict[str, tuple[float, float, float]]]) -> Figure:
    fig = Figure(figsize=(10, 4), layout="constrained")
    axes = fig.subplots(1, len(by_loss), sharey=True)
    for ax, (size, series) in zip(axes, by_loss.items(), strict=True):
        outcomes = list(series)
        x = np.arange(len(outcomes))
        bound = "over" if size == "large" else "under"
        ax.bar(x - 0.2, [series[o][0] for o in outcomes], 0.4, label=f"model ({_market(size)})")
        ax.bar(x + 0.2, [series[o][2] for o in outcomes], 0.4, label="TARP")
        ax.set_xticks(x, [o.replace(", ", ",\n") for o in outcomes], fontsize="small")
        ax.set_ylim(0, 1)
        ax.set_title(f"losses {bound} ${LOSS_BOUNDS_USD[size]:g}")
        ax.legend(fontsize="small", loc="upper left")
        ax.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel(f"share who buy again within {REPURCHASE_WINDOW_MONTHS} months")
    fig.suptitle("Repurchase after a failure, by complaint outcome: the model and TARP")
    return fig


STUDY = Study(
    "facts",
    f"stylised facts ({FACTS_REPLICATIONS} runs of N = {FACTS_CUSTOMERS:,})",
    make,
    tables=("facts", "repurchase"),
    values=(
        "facts_design",
        "facts_within",
        "tarp_reading",
        "repurchase_silent",
        "repurchase_quick",
        "repurchase_small_silent",
        "repurchase_small_quick",
        "repurchase_accused",
        "accused_failures",
    ),
    figures=("repurchase",),
)
