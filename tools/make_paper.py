"""Regenerate every figure and table of papers/paper.md from scratch.

Run ``python tools/make_paper.py`` (or ``make paper``). Each *study* below runs
the package's public API on fixed seeds and makes tables (written to
``papers/tables/NAME.md``), figures (``papers/figures/NAME.png``) and short
prose values; every file is written atomically, and each table and value is
copied into papers/paper.md between its markers::

    <!-- table: NAME -->
    ...
    <!-- /table -->

    ... prose <!-- value: NAME -->+18,864 USD<!-- /value --> prose ...

Options: ``--check`` recomputes and reports which tables and values differ
from what paper.md prints (exit status 1 if any; nothing is written);
``--only NAME ...`` runs only the studies named (a study, or any table, value
or figure one makes); ``--workers N`` sets the sweep workers (default 2);
``--list`` lists the studies and what each makes. tests/test_paper.py checks
the cheap studies against paper.md; ``--check`` checks them all.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import math
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import loyaltysim as ls
from loyaltysim._io import write_atomic
from loyaltysim.calibration import (
    REPURCHASE_WINDOW_MONTHS,
    TARP_OUTCOMES,
    calibration_policy,
    stylised_facts,
)
from loyaltysim.experiments import Experiment, sweep
from loyaltysim.experiments.analysis import (
    Results,
    plot_break_even,
    plot_sensitivity,
)
from loyaltysim.plotting import plot_comparison
from loyaltysim.policies import DIMENSION_SEEDS, DIMENSIONS, registered_rules
from loyaltysim.simulation import KEY_METRICS, versions

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT / "papers" / "paper.md"
TABLES = ROOT / "papers" / "tables"
FIGURES = ROOT / "papers" / "figures"

# --- the configuration of every study (the paper states each in its table notes) ---------
#: The four named policies: paired replications and root seed (the same as `make run`).
POLICY_REPLICATIONS = 20
POLICY_SEED = 2026
#: The stylised facts: market size, pooled runs and seed (the same as `loyaltysim calibrate
#: --set n_customers=50000`).
FACTS_CUSTOMERS = 50_000
FACTS_REPLICATIONS = 4
FACTS_SEED = 0
#: The case library: root seed of every case (each case's own replications).
CASE_SEED = 2026
#: The break-even experiment, as its file defines it.
WHEN_TO_VERIFY = ROOT / "experiments" / "when_to_verify.toml"
#: The sensitivity experiment: its file, with more Sobol base samples for tighter indices.
WHAT_DRIVES_NPV = ROOT / "experiments" / "what_drives_npv.toml"
SENSITIVITY_SAMPLES = 128
#: Sweep workers (processes) unless --workers says otherwise.
WORKERS = 2

#: TARP's repurchase after a complaint outcome, losses over $100 (MODEL.md section 6, as
#: quoted in secondary sources); being accused of fraud is seed 004's outcome, not TARP's.
TARP_REPURCHASE = {
    "accused of fraud": None,
    "did not complain": 0.09,
    "complained, not resolved": 0.19,
    "resolved": 0.54,
    "resolved quickly": 0.82,
}

MINUS = "\u2212"
DPI = 120


# --- outputs and studies -------------------------------------------------------------------
@dataclass
class Output:
    """What a study makes: tables (Markdown blocks), prose values and figures, by name."""

    tables: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class Study:
    """One computation behind some tables, values and figures of the paper.

    Attributes:
        name: Identifier (``--only NAME``).
        does: What it runs, in words.
        make: Runs it: ``make(workers=..., log=...)`` returns an :class:`Output`.
        tables: Names of the tables it makes.
        values: Names of the prose values it makes.
        figures: Names of the figures it makes.
        checked: Whether ``--check`` and the tests compare its output with
            paper.md (not for provenance, which names the versions installed).
    """

    name: str
    does: str
    make: Callable[..., Output]
    tables: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    checked: bool = True

    @property
    def artefacts(self) -> tuple[str, ...]:
        """Everything it makes, by name."""
        return self.tables + self.values + self.figures


def _quiet(_: str) -> None:
    pass


# --- formatting ----------------------------------------------------------------------------
def num(value: float, spec: str = ",.0f") -> str:
    """A number for the paper (typographic minus; NaN as n/a)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    return format(value, spec).replace("-", MINUS)


def signed(value: float, spec: str = ",.0f") -> str:
    """A difference with its sign (a rounded zero has none)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    text = format(value, "+" + spec)
    if float(text.replace(",", "")) == 0:
        text = text[1:]
    return text.replace("-", MINUS)


def interval(mean: float, low: float, high: float, spec: str = ",.0f", sign: bool = False) -> str:
    """``mean [low, high]``."""
    f = signed if sign else num
    return f"{f(mean, spec)} [{f(low, spec)}, {f(high, spec)}]"


def difference(row: pd.Series) -> str:
    """A paired difference in USD with its 95% CI, for prose."""
    return f"{signed(row['difference'])} USD (95% CI {signed(row['low'])} to {signed(row['high'])})"


def direction(row: pd.Series, gain: str, loss: str, unclear: str) -> str:
    """``gain`` if the 95% CI of a difference is above 0, ``loss`` if below, else ``unclear``."""
    return gain if row["low"] > 0 else loss if row["high"] < 0 else unclear


def code(name: str) -> str:
    """A name in backticks."""
    return f"`{name}`"


def listing(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]], right: int = 0) -> str:
    """A Markdown table; the last ``right`` columns are right-aligned (numbers)."""

    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    n = len(header)
    align = ["---"] * (n - right) + ["---:"] * right
    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def block(table: str, note: str) -> str:
    """A table followed by its note (the configuration behind it)."""
    return f"{table}\n\n{note}"


def market(changes: dict[str, Any]) -> str:
    """Scenario changes from the default market, in words."""
    if not changes:
        return "default"
    return ", ".join(f"`{k}` = {param_value(v)}" for k, v in changes.items())


def param_value(v: Any) -> str:
    """A parameter value: whole numbers without decimals, thousands separated."""
    if isinstance(v, bool | str):
        return str(v)
    return format(v, ",g") if isinstance(v, float) else format(v, ",")


def rule_changes(policy: ls.Policy, baseline: ls.Policy) -> str:
    """The rules of ``policy`` that differ from ``baseline``'s, with their parameters."""
    changed = [f"{d}={r.label}" for d, r in policy.rules.items() if r != baseline.rules[d]]
    return ", ".join(changed) if changed else "baseline"


def run_design(scenario: ls.Scenario, replications: int, seed: int) -> str:
    """The design of a comparison, in words."""
    return (
        f"{replications} paired replications (common random numbers, root seed {seed}); "
        f"N = {scenario.n_customers:,} people, {scenario.horizon_months} months"
    )


# --- studies: static tables from the code --------------------------------------------------
def make_model(workers: int = WORKERS, log: Callable[[str], None] = _quiet) -> Output:
    """The policy dimensions and their rules (from ``loyaltysim.policies``)."""
    rows = []
    for dimension, (base, default) in DIMENSIONS.items():
        rules = [default.name] + [r for r in registered_rules(dimension) if r != default.name]
        decides = (base.__doc__ or "").strip().splitlines()[0]
        rows.append(
            [code(dimension), ", ".join(map(code, rules)), decides, DIMENSION_SEEDS[dimension]]
        )
    table = markdown_table(
        ["dimension", "rules (neutral first)", "the rule decides", "story"], rows
    )
    note = (
        "From `loyaltysim.policies.DIMENSIONS` and the rule registry; each rule's parameters, "
        "defaults and sources are in papers/odd.md section 8."
    )
    return Output(
        tables={"dimensions": block(table, note)},
        values={"dimensions_count": str(len(DIMENSIONS))},
    )


def make_library(workers: int = WORKERS, log: Callable[[str], None] = _quiet) -> Output:
    """The case library: question, market, policies and the story's answer of each case."""
    rows, mechanisms = [], []
    for name, case in ls.CASES.items():
        baseline = case.policies[0]
        policies = [code(baseline.name)] + [
            f"{code(p.name)} ({rule_changes(p, baseline)})" for p in case.policies[1:]
        ]
        rows.append(
            [
                code(name),
                case.story,
                case.question,
                market(dict(case.changes)),
                ", ".join(policies),
                code(case.story_answer),
            ]
        )
        mechanisms.append(f"- **{code(name)}** — {case.mechanism}")
    table = markdown_table(
        ["case", "story", "question", "market", "policies (baseline first)", "story's answer"],
        rows,
    )
    note = "From `loyaltysim.cases.CASES` (`loyaltysim case --list`)."
    return Output(
        tables={"case_library": block(table, note), "case_mechanisms": "\n".join(mechanisms)},
        values={"cases_count": str(len(ls.CASES))},
    )


# --- study: the four named policies ----------------------------------------------------------
def make_policies(workers: int = WORKERS, log: Callable[[str], None] = _quiet) -> Output:
    """The four named policies on the default market (the comparison of `make run`)."""
    scenario = ls.Scenario()
    comparison = ls.compare(
        scenario, ls.NAMED_POLICIES, replications=POLICY_REPLICATIONS, seed=POLICY_SEED
    )
    baseline_name = comparison.policies[0]
    baseline = ls.Policy.preset(baseline_name)
    table = comparison.table()
    rows = []
    for name, row in table.iterrows():
        cells = [code(name), rule_changes(ls.Policy.preset(name), baseline)]
        for metric, (_, spec) in KEY_METRICS.items():
            cells.append(interval(row[metric], row[f"{metric}_low"], row[f"{metric}_high"], spec))
        rows.append(cells)
    header = ["policy", "differs from the baseline"] + [label for label, _ in KEY_METRICS.values()]
    design = run_design(scenario, comparison.replications, POLICY_SEED)
    policies_table = block(
        markdown_table(header, rows, right=len(KEY_METRICS)),
        f"Mean [95% CI] over {design}: `loyaltysim.compare(replications="
        f"{POLICY_REPLICATIONS}, seed={POLICY_SEED})`, the comparison `make run` prints.",
    )
    paired_metrics = {
        m: KEY_METRICS[m] for m in ("npv_usd", "final_active", "fraud_losses_usd", "wom_balance")
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


# --- study: the stylised facts ---------------------------------------------------------------
def make_facts(workers: int = WORKERS, log: Callable[[str], None] = _quiet) -> Output:
    """The default market against the stylised facts (`loyaltysim calibrate`)."""
    scenario = ls.Scenario(n_customers=FACTS_CUSTOMERS)
    facts = stylised_facts(scenario, replications=FACTS_REPLICATIONS, seed=FACTS_SEED)
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
        f"replications={FACTS_REPLICATIONS}, seed={FACTS_SEED})`: {design}. The tolerance is "
        "the one `tests/test_calibration.py` holds the default market to.",
    )
    repurchase = facts.attrs["repurchase"]
    rows = []
    for outcome, (share, failures) in repurchase.items():
        tarp = TARP_REPURCHASE[outcome]
        rows.append(
            [
                outcome,
                "— (seed 004)" if tarp is None else f"{tarp:.0%}",
                num(share, ".3f"),
                num(failures),
            ]
        )
    repurchase_table = block(
        markdown_table(
            [
                "complaint outcome",
                "TARP: repurchase, loss over $100",
                f"model: repurchase within {REPURCHASE_WINDOW_MONTHS} months",
                "failures",
            ],
            rows,
            right=3,
        ),
        f"The runs of the stylised facts: {design}. TARP figures as quoted in MODEL.md "
        "section 6. Outcomes from worst to best: "
        + "; ".join(TARP_OUTCOMES.values())
        + f". Repurchase is a purchase in any of the {REPURCHASE_WINDOW_MONTHS} months after a "
        "failure.",
    )
    within = int(facts["within"].sum())
    shares = {k: v[0] for k, v in repurchase.items()}
    tarp = facts[facts["fact"].str.startswith("TARP") & ~facts["fact"].str.contains("accused")]
    reversed_steps = list(tarp.loc[~tarp["within"], "fact"].str.removeprefix("TARP: "))
    values = {
        "tarp_reading": (
            "The model gets the *order* of TARP's complaint outcomes, not their *size*"
            if not reversed_steps
            else "The model gets neither the size of TARP's complaint outcomes nor their full "
            "order (reversed: " + "; ".join(reversed_steps) + ")"
        ),
        "facts_design": design,
        "facts_within": f"{within} of {len(facts)}" if within < len(facts) else f"all {within}",
        "repurchase_silent": num(shares["did not complain"], ".3f"),
        "repurchase_quick": num(shares["resolved quickly"], ".3f"),
        "repurchase_accused": num(shares["accused of fraud"], ".3f"),
        "accused_failures": num(repurchase["accused of fraud"][1]),
    }
    return Output(
        tables={"facts": facts_table, "repurchase": repurchase_table},
        values=values,
        figures={"repurchase": _repurchase_figure(repurchase)},
    )


def _repurchase_figure(repurchase: dict[str, tuple[float, float]]) -> Figure:
    fig = Figure(figsize=(8, 4), layout="constrained")
    ax = fig.subplots()
    outcomes = list(repurchase)
    x = np.arange(len(outcomes))
    model = [repurchase[o][0] for o in outcomes]
    tarp = [TARP_REPURCHASE[o] if TARP_REPURCHASE[o] is not None else np.nan for o in outcomes]
    label = f"model: repurchase within {REPURCHASE_WINDOW_MONTHS} months of a failure"
    ax.bar(x - 0.2, model, 0.4, label=label)
    ax.bar(x + 0.2, tarp, 0.4, label="TARP: repurchase, losses over $100")
    ax.set_xticks(x, [o.replace(", ", ",\n") for o in outcomes])
    ax.set_ylim(0, 1)
    ax.set_ylabel("share who buy again")
    ax.legend(fontsize="small", loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title("Repurchase after a failure, by complaint outcome: the model and TARP")
    return fig


# --- study: the case library -----------------------------------------------------------------
def make_cases(workers: int = WORKERS, log: Callable[[str], None] = _quiet) -> Output:
    """Every case in its own market and, where it changes the market, in the default one."""
    rows, points, agree, disagree, only_own_market = [], [], [], [], []
    default = ls.Scenario()
    for name, case in ls.CASES.items():
        start = time.perf_counter()
        result = case.run(seed=CASE_SEED)
        other = case.run(seed=CASE_SEED, scenario=default) if case.changes else None
        log(f"    case {name}: {time.perf_counter() - start:.1f} s")
        baseline = case.policies[0].name
        paired = result.comparison.paired(baseline)
        paired_default = other.comparison.paired(baseline) if other is not None else None
        (agree if result.agrees else disagree).append(name)
        if other is not None and result.agrees and not other.agrees:
            only_own_market.append(name)
        for i, policy in enumerate(case.policies[1:]):
            row = paired.loc[policy.name]
            in_default = "(same market)"
            if paired_default is not None:
                d = paired_default.loc[policy.name]
                in_default = interval(d["difference"], d["low"], d["high"], sign=True)
                if case.scenario.horizon_months != default.horizon_months:
                    in_default += f" over {default.horizon_months} months"
            verdict = ("yes" if result.agrees else "**no**") if i == 0 else ""
            rows.append(
                [
                    code(name) if i == 0 else "",
                    result.comparison.replications if i == 0 else "",
                    code(policy.name),
                    interval(row["difference"], row["low"], row["high"], sign=True),
                    in_default,
                    verdict,
                ]
            )
            points.append(
                (
                    f"{name}: {policy.name}",
                    row,
                    paired_default.loc[policy.name] if paired_default is not None else None,
                    result.agrees,
                )
            )
    replications = sorted({c.replications for c in ls.CASES.values()})
    design = (
        f"each case's own number of paired replications "
        f"({listing([str(r) for r in replications])}), root seed {CASE_SEED}; "
        f"N = {default.n_customers:,} people and {default.horizon_months} months unless the "
        "case's market changes them"
    )
    table = block(
        markdown_table(
            [
                "case",
                "replications",
                "policy",
                "ΔNPV in the case's market (USD)",
                "ΔNPV in the default market (USD)",
                "agrees with the story",
            ],
            rows,
        ),
        f"Paired NPV difference against `always_compensate`, mean [95% CI]: "
        f"`get_case(NAME).run(seed={CASE_SEED})`, and with `scenario=Scenario()` for the "
        f"default market; {design}. A case agrees when the story's answer beats the baseline "
        "beyond the 95% interval (or, when the answer is the baseline, every other policy "
        "loses to it beyond it).",
    )
    disagreements = " ".join(
        f"In {code(name)} the model does not agree with the story: "
        f"{ls.CASES[name].disagreement.rstrip('.')}."
        for name in disagree
    )
    values = {
        "cases_design": design,
        "cases_agree": f"{len(agree)} of {len(ls.CASES)}",
        "cases_disagree": (
            f"the case that does not is {code(disagree[0])}"
            if len(disagree) == 1
            else f"the cases that do not are {listing([code(n) for n in disagree])}"
            if disagree
            else "every case does"
        ),
        "cases_disagreements": disagreements or "Every case agrees with its story.",
        "cases_own_market": (
            f"{listing([code(n) for n in only_own_market])} "
            + ("agrees" if len(only_own_market) == 1 else "agree")
            + " with "
            + ("its story" if len(only_own_market) == 1 else "their stories")
            + " only in the case's own market"
            if only_own_market
            else "Every case that changes the market agrees with its story in the default "
            "market too"
        ),
    }
    return Output(tables={"cases": table}, values=values, figures={"cases": _cases_figure(points)})


def _cases_figure(points: list[tuple[str, pd.Series, pd.Series | None, bool]]) -> Figure:
    fig = Figure(figsize=(9, 0.45 * len(points) + 1.6), layout="constrained")
    ax = fig.subplots()
    for y, (_, row, other, agrees) in enumerate(points):
        color = "C0" if agrees else "C3"
        err = [[row["difference"] - row["low"]], [row["high"] - row["difference"]]]
        ax.errorbar(row["difference"], y, xerr=err, fmt="o", color=color, capsize=3)
        if other is not None:
            err = [[other["difference"] - other["low"]], [other["high"] - other["difference"]]]
            ax.errorbar(
                other["difference"],
                y + 0.25,
                xerr=err,
                fmt="o",
                mfc="white",
                color=color,
                capsize=3,
            )
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_xscale("symlog", linthresh=10_000)
    ax.set_yticks(range(len(points)), [label for label, *_ in points])
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("paired NPV difference vs always_compensate, USD (95% CI; symlog axis)")
    ax.set_title(
        "Case library: filled, the case's market; hollow, the default market\n"
        "blue: agrees with the story; red: does not",
        fontsize="medium",
    )
    return fig


# --- experiments: sweeps -----------------------------------------------------------------------
def _sweep(experiment: Experiment, workers: int, log: Callable[[str], None]) -> Results:
    """Run ``experiment`` from scratch in a temporary folder and load its results."""
    log(f"    {experiment.describe()}")
    with tempfile.TemporaryDirectory(prefix=f"make_paper_{experiment.name}_") as folder:
        summary = sweep(experiment, folder, workers=workers, progress=False)
        log(f"    {summary}")
        return Results.load(folder)  # read into memory: the folder may go


def make_break_even(
    workers: int = WORKERS,
    log: Callable[[str], None] = _quiet,
    experiment: Experiment | None = None,
) -> Output:
    """When does verifying pay? ``verify_first − always_compensate`` over fraud × claim value."""
    experiment = experiment or Experiment.from_toml(WHEN_TO_VERIFY)
    results = _sweep(experiment, workers, log)
    x, y = (u.name for u in experiment.uncertainties)  # fraud level, claim value
    baseline, challenger = results.policies[:2]
    grid = results.break_even(x, y, challenger=challenger, baseline=baseline)
    share = results.paired("fraud_share_of_claims", baseline=baseline)
    share = share.xs(baseline, level="policy").groupby(x)["mean"].mean()
    defaults = ls.Scenario()
    columns = sorted(grid[x].unique())
    header = [f"`{y}` \\ `{x}`"] + [
        f"{v:,g}{' (default)' if v == getattr(defaults, x) else ''}; fraud "
        f"{num(100 * share[v], '.1f')}% of claims"
        for v in columns
    ]
    rows, verdicts = [], {}
    for yv, group in grid.groupby(y):
        cells = [f"{yv:,g}{' (default)' if yv == getattr(defaults, y) else ''}"]
        marks = []
        for xv in columns:
            r = group[group[x] == xv].iloc[0]
            text = f"{signed(r['difference'])} ± {num(r['high'] - r['difference'])}"
            sure = r["low"] > 0 or r["high"] < 0
            cells.append(f"**{text}**" if sure else text)
            marks.append("pays" if r["low"] > 0 else "loses" if r["high"] < 0 else "unclear")
        rows.append(cells)
        verdicts[yv] = marks
    points, replications, _ = experiment.size
    n = experiment.scenario.get("n_customers", defaults.n_customers)
    months = experiment.scenario.get("horizon_months", defaults.horizon_months)
    design = (
        f"{experiment.design} design of {points} points × {replications} paired replications "
        f"(root seed {experiment.seed}); N = {n:,} people, {months} months"
    )
    table = block(
        markdown_table(header, rows, right=len(columns)),
        f"Mean paired NPV difference `{challenger} − {baseline}` (USD) ± the 95% CI "
        f"half-width; **bold**: the interval excludes 0. `loyaltysim sweep "
        f"experiments/{WHEN_TO_VERIFY.name}`: {design}. The fraud share of claims is "
        f"measured under `{baseline}`, averaged over claim values.",
    )
    reduction = results.variance_reduction()
    values = {
        "break_even_design": design,
        "break_even_where": _where_it_pays(verdicts, columns),
        "break_even_short": _where_it_pays(
            {k: verdicts[k] for k in (getattr(defaults, y), max(verdicts)) if k in verdicts},
            columns,
        ),
        "break_even_sd_ratio": num(float(reduction.iloc[0]), ".3f"),
    }
    return Output(
        tables={"break_even": table},
        values=values,
        figures={"break_even": plot_break_even(grid)},
    )


def _where_it_pays(verdicts: dict[float, list[str]], levels: list[float]) -> str:
    """Group the claim values of the break-even grid by where verifying pays, loses or is unclear.

    ``verdicts`` maps each claim value to one mark per fraud level: ``pays`` (the 95% CI
    above 0), ``loses`` (below 0) or ``unclear``.
    """
    groups: dict[tuple[str, ...], list[float]] = {}
    for claim, marks in verdicts.items():
        groups.setdefault(tuple(marks), []).append(claim)
    clauses = []
    for marks, claims in groups.items():
        parts = []
        for word, phrase in (
            ("pays", "verifying pays"),
            ("loses", "verifying loses"),
            ("unclear", "the difference is within the noise"),
        ):
            hits = [f"{v:g}" for v, m in zip(levels, marks, strict=True) if m == word]
            if len(hits) == len(levels):
                parts.append(f"{phrase} at every fraud level")
            elif hits:
                plural = "s" if len(hits) > 1 else ""
                parts.append(f"{phrase} at fraud level{plural} {listing(hits)}")
        claims_text = listing([f"{v:,g}" for v in claims])
        clauses.append(f"for claims of {claims_text} USD, {listing(parts)}")
    text = "; ".join(clauses)
    return text[0].upper() + text[1:]


def make_sensitivity(
    workers: int = WORKERS,
    log: Callable[[str], None] = _quiet,
    experiment: Experiment | None = None,
) -> Output:
    """Which uncertainties move the NPV, and the choice of policy? Sobol indices."""
    experiment = experiment or dataclasses.replace(
        Experiment.from_toml(WHAT_DRIVES_NPV), samples=SENSITIVITY_SAMPLES
    )
    results = _sweep(experiment, workers, log)
    baseline, challenger = results.policies[:2]
    npv = {p: results.sensitivity(policy=p) for p in (baseline, challenger)}
    gain_results, gain = _with_gain(results, baseline)
    delta = gain_results.sensitivity(metric=gain, policy=challenger)
    order = npv[baseline].sort_values("ST", ascending=False).index
    ranges = {u.name: _distribution(u) for u in experiment.uncertainties}

    def index(t: pd.Series, which: str) -> str:
        return f"{num(t[which], '.2f')} ± {num(t[f'{which}_conf'], '.2f')}"

    rows = [
        [
            code(name),
            ranges[name],
            index(npv[baseline].loc[name], "S1"),
            index(npv[baseline].loc[name], "ST"),
            index(npv[challenger].loc[name], "ST"),
            index(delta.loc[name], "S1"),
            index(delta.loc[name], "ST"),
        ]
        for name in order
    ]
    header = [
        "parameter",
        "uncertainty",
        f"S1: NPV of `{baseline}`",
        f"ST: NPV of `{baseline}`",
        f"ST: NPV of `{challenger}`",
        f"S1: ΔNPV `{challenger} − {baseline}`",
        f"ST: ΔNPV `{challenger} − {baseline}`",
    ]
    points, replications, _ = experiment.size
    defaults = ls.Scenario()
    n = experiment.scenario.get("n_customers", defaults.n_customers)
    months = experiment.scenario.get("horizon_months", defaults.horizon_months)
    design = (
        f"Sobol design (Saltelli sampling, {experiment.samples} base samples): {points} points "
        f"× {replications} paired replications (root seed {experiment.seed}); N = {n:,} "
        f"people, {months} months"
    )
    table = block(
        markdown_table(header, rows, right=5),
        f"First-order (S1) and total (ST) Sobol indices ± 95% half-widths (SALib; each "
        f"outcome averaged over replications first), of each policy's NPV and of the paired "
        f"difference between them: `experiments/{WHAT_DRIVES_NPV.name}` with `samples = "
        f"{experiment.samples}`; {design}.",
    )
    overall = results.overall()
    won = float(overall.loc[challenger, "points_won"])
    top_delta = delta.sort_values("ST", ascending=False).index

    def named(t: pd.DataFrame, name: str) -> str:
        return f"{code(name)} (ST {index(t.loc[name], 'ST')})"

    figure_npv = plot_sensitivity(npv[baseline])
    figure_npv.axes[0].set_title(f"What moves the NPV of {baseline}")
    figure_delta = plot_sensitivity(delta)
    figure_delta.axes[0].set_title(f"What moves the NPV difference {challenger} − {baseline}")
    values = {
        "sensitivity_design": design,
        "sensitivity_top": named(npv[baseline], order[0]),
        "sensitivity_order": listing([code(n) for n in order]),
        "sensitivity_delta_top": listing([named(delta, n) for n in top_delta[:2]]),
        "sensitivity_delta_first_order": listing(
            [
                f"{code(n)} (S1 {index(delta.loc[n], 'S1')})"
                for n in delta.sort_values("S1", ascending=False).index[:2]
            ]
        ),
        "sensitivity_delta_sums": (
            f"{num(delta['ST'].sum(), '.2f')} (total) and {num(delta['S1'].sum(), '.2f')} "
            "(first order)"
        ),
        "sensitivity_noise": (
            f"{_noise_share(gain_results, gain, challenger):.0%} of the variance of the "
            f"paired difference across the design's points, against "
            f"{_noise_share(results, 'npv_usd', baseline):.1%} of that of the NPV of "
            f"`{baseline}`"
        ),
        "sensitivity_points_won": f"{won:.0%}",
        "sensitivity_wins_reading": (
            f"in these ranges of market conditions `{challenger}` never earns the most"
            if won == 0
            else f"`{challenger}` earns the most throughout these ranges"
            if won == 1
            else f"where `{challenger}` earns the most depends on the conditions with the "
            "largest indices of the paired difference"
        ),
        "sensitivity_overall": difference(overall.loc[challenger]),
    }
    return Output(
        tables={"sensitivity": table},
        values=values,
        figures={"sensitivity": figure_npv, "sensitivity_difference": figure_delta},
    )


def _noise_share(results: Results, metric: str, policy: str) -> float:
    """Share of the variance of a policy's point means that is replication noise.

    The noise variance of a point's mean is the within-point variance over the
    replications, divided by their number, averaged over points; the total is the
    variance of the point means across the design.
    """
    runs = results.ok[results.ok["policy"] == policy].groupby("point")[metric]
    noise = float((runs.var() / runs.count()).mean())
    return noise / float(runs.mean().var())


def _with_gain(results: Results, baseline: str, metric: str = "npv_usd") -> tuple[Results, str]:
    """``results`` with one more run metric: ``metric`` minus the baseline's in the same task."""
    name = f"{metric}_minus_{baseline}"
    runs = results.runs
    base = runs[runs["policy"] == baseline].set_index(["point", "replication"])[metric]
    runs = runs.join(base.rename(name), on=["point", "replication"])
    runs[name] = runs[metric] - runs[name]
    return dataclasses.replace(results, runs=runs), name


def _distribution(u: Any) -> str:
    """An uncertainty's distribution, in words."""
    if u.levels is not None:
        return "levels " + ", ".join(f"{v:g}" for v in u.levels)
    if u.distribution == "triangular":
        return f"triangular {u.low:g}–{u.high:g}, mode {u.mode:g}"
    name = "log-uniform" if u.distribution == "loguniform" else "uniform"
    return f"{name} {u.low:g}–{u.high:g}"


# --- provenance ------------------------------------------------------------------------------
def make_provenance(workers: int = WORKERS, log: Callable[[str], None] = _quiet) -> Output:
    """The versions behind the numbers (not checked: it names what is installed)."""
    from importlib.metadata import version

    v = versions()
    others = {name: version(name) for name in ("networkx", "scipy", "pandas", "SALib")}
    items = [f"loyaltysim {v['loyaltysim']}", f"Mesa {v['mesa']}", f"NumPy {v['numpy']}"]
    items += [f"{k} {val}" for k, val in others.items()] + [f"Python {v['python']}"]
    return Output(values={"versions": ", ".join(items)})


STUDIES: tuple[Study, ...] = (
    Study(
        "model",
        "the policy dimensions, from the code",
        make_model,
        tables=("dimensions",),
        values=("dimensions_count",),
    ),
    Study(
        "library",
        "the case library's questions, from the code",
        make_library,
        tables=("case_library", "case_mechanisms"),
        values=("cases_count",),
    ),
    Study(
        "policies",
        f"compare the four named policies ({POLICY_REPLICATIONS} replications, N = 10,000)",
        make_policies,
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
    ),
    Study(
        "facts",
        f"stylised facts ({FACTS_REPLICATIONS} runs of N = {FACTS_CUSTOMERS:,})",
        make_facts,
        tables=("facts", "repurchase"),
        values=(
            "facts_design",
            "facts_within",
            "tarp_reading",
            "repurchase_silent",
            "repurchase_quick",
            "repurchase_accused",
            "accused_failures",
        ),
        figures=("repurchase",),
    ),
    Study(
        "cases",
        "run every case, and in the default market where the case changes it",
        make_cases,
        tables=("cases",),
        values=(
            "cases_design",
            "cases_agree",
            "cases_disagree",
            "cases_disagreements",
            "cases_own_market",
        ),
        figures=("cases",),
    ),
    Study(
        "break_even",
        f"sweep {WHEN_TO_VERIFY.name}",
        make_break_even,
        tables=("break_even",),
        values=(
            "break_even_design",
            "break_even_where",
            "break_even_short",
            "break_even_sd_ratio",
        ),
        figures=("break_even",),
    ),
    Study(
        "sensitivity",
        f"sweep {WHAT_DRIVES_NPV.name} with {SENSITIVITY_SAMPLES} Sobol base samples",
        make_sensitivity,
        tables=("sensitivity",),
        values=(
            "sensitivity_design",
            "sensitivity_top",
            "sensitivity_order",
            "sensitivity_delta_top",
            "sensitivity_delta_first_order",
            "sensitivity_delta_sums",
            "sensitivity_noise",
            "sensitivity_points_won",
            "sensitivity_wins_reading",
            "sensitivity_overall",
        ),
        figures=("sensitivity", "sensitivity_difference"),
    ),
    Study(
        "provenance",
        "the package versions installed",
        make_provenance,
        values=("versions",),
        checked=False,
    ),
)


def select(names: Sequence[str] | None) -> list[Study]:
    """The studies named (a study, or any artefact one makes); all when ``names`` is empty.

    Raises:
        SystemExit: A name no study knows.
    """
    if not names:
        return list(STUDIES)
    chosen = []
    for name in names:
        study = next((s for s in STUDIES if name == s.name or name in s.artefacts), None)
        if study is None:
            known = [s.name for s in STUDIES] + [a for s in STUDIES for a in s.artefacts]
            hint = difflib.get_close_matches(name, known, n=1)
            raise SystemExit(
                f"make_paper: unknown study or artefact {name!r}"
                + (f" (did you mean {hint[0]!r}?)" if hint else "")
            )
        if study not in chosen:
            chosen.append(study)
    return [s for s in STUDIES if s in chosen]  # in the paper's order


def run_study(study: Study, workers: int = WORKERS, log: Callable[[str], None] = _quiet) -> Output:
    """Run one study and check it made exactly what it declares."""
    start = time.perf_counter()
    output = study.make(workers=workers, log=log)
    output.seconds = time.perf_counter() - start
    made = (tuple(output.tables), tuple(output.values), tuple(output.figures))
    declared = (study.tables, study.values, study.figures)
    if tuple(map(sorted, made)) != tuple(map(sorted, declared)):
        raise RuntimeError(f"study {study.name} made {made}, declares {declared}")
    return output


# --- paper.md: markers ---------------------------------------------------------------------------
#: A table block: its body runs to the first closing marker at a line start, and never
#: across another marker (so an unclosed block is an error, not a swallowed section).
TABLE_BLOCK = re.compile(
    r"<!-- table: (?P<name>\w+) -->\n(?P<body>(?:(?!<!-- /?table).)*?)^<!-- /table -->",
    re.S | re.M,
)
#: A value inside prose.
VALUE_BLOCK = re.compile(
    r"<!-- value: (?P<name>\w+) -->(?P<body>(?:(?!<!-- /?value).)*?)<!-- /value -->", re.S
)


def printed(text: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Every table and value paper.md prints, by name (a value may be printed several times).

    Raises:
        ValueError: A marker is not closed, or closed twice.
    """
    tables: dict[str, list[str]] = {}
    values: dict[str, list[str]] = {}
    for pattern, found, kind in ((TABLE_BLOCK, tables, "table"), (VALUE_BLOCK, values, "value")):
        matches = list(pattern.finditer(text))
        opened, closed = text.count(f"<!-- {kind}: "), text.count(f"<!-- /{kind} -->")
        if not opened == closed == len(matches):
            raise ValueError(
                f"paper.md: {opened} <!-- {kind}: NAME --> markers, {closed} closing ones, "
                f"{len(matches)} well-formed blocks"
            )
        for m in matches:
            found.setdefault(m["name"], []).append(m["body"].removesuffix("\n"))
    return tables, values


def missing_markers(studies: Iterable[Study], text: str) -> list[str]:
    """The tables and values of ``studies`` that paper.md has no marker for."""
    tables, values = printed(text)
    return [f"table {t}" for s in studies for t in s.tables if t not in tables] + [
        f"value {v}" for s in studies for v in s.values if v not in values
    ]


def insert(text: str, output: Output) -> str:
    """``text`` with ``output``'s tables and values between their markers.

    Raises:
        KeyError: paper.md has no marker for one of them.
    """
    tables, values = printed(text)  # checks the markers are well formed
    for kind, fresh, shown in (("table", output.tables, tables), ("value", output.values, values)):
        missing = sorted(set(fresh) - set(shown))
        if missing:
            raise KeyError(f"paper.md has no <!-- {kind}: NAME --> marker for {missing}")

    def table(m: re.Match[str]) -> str:
        body = output.tables.get(m["name"])
        return m[0] if body is None else f"<!-- table: {m['name']} -->\n{body}\n<!-- /table -->"

    def value(m: re.Match[str]) -> str:
        body = output.values.get(m["name"])
        return m[0] if body is None else f"<!-- value: {m['name']} -->{body}<!-- /value -->"

    return VALUE_BLOCK.sub(value, TABLE_BLOCK.sub(table, text))


def figure_links(text: str) -> list[str]:
    """The figures paper.md links (paths relative to papers/)."""
    return re.findall(r"\]\((figures/[^)\s]+\.png)\)", text)


def differences(outputs: dict[str, Output], text: str) -> list[str]:
    """What paper.md prints that differs from ``outputs`` (checked studies only), with diffs."""
    tables, values = printed(text)
    problems = []
    for name, output in outputs.items():
        study = next(s for s in STUDIES if s.name == name)
        if not study.checked:
            continue
        for kind, fresh, shown in (
            ("table", output.tables, tables),
            ("value", output.values, values),
        ):
            for key, new in fresh.items():
                if key not in shown:
                    problems.append(f"{kind} {key}: no <!-- {kind}: {key} --> marker in paper.md")
                    continue
                for old in shown[key]:
                    if old != new:
                        diff = "\n".join(
                            difflib.unified_diff(
                                old.splitlines(),
                                new.splitlines(),
                                "printed",
                                "fresh",
                                n=0,
                                lineterm="",
                            )
                        )
                        problems.append(f"{kind} {key} differs:\n{diff}")
                        break
    return problems


def close_figures(output: Output) -> None:
    """Free the figures of ``output`` (some are pyplot figures, which pyplot keeps)."""
    import matplotlib.pyplot as plt

    for fig in output.figures.values():
        plt.close(fig)


def save(output: Output) -> dict[str, float]:
    """Write the tables and figures (atomically); seconds each figure took to draw and save."""
    import matplotlib.pyplot as plt

    for name, body in output.tables.items():
        write_atomic(TABLES / f"{name}.md", lambda p, b=body: Path(p).write_text(b + "\n"))
    seconds = {}
    for name, fig in output.figures.items():
        start = time.perf_counter()
        write_atomic(
            FIGURES / f"{name}.png",
            lambda p, f=fig: f.savefig(p, dpi=DPI, format="png", metadata={"Software": None}),
        )
        plt.close(fig)
        seconds[name] = time.perf_counter() - start
    return seconds


# --- command line ---------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the paper's artefacts (or, with ``--check``, compare them with paper.md)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report what differs")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="studies or artefacts to run")
    parser.add_argument("--workers", type=int, default=WORKERS, help="sweep worker processes")
    parser.add_argument("--list", action="store_true", help="list the studies and exit")
    args = parser.parse_args(argv)
    if args.list:
        for s in STUDIES:
            print(f"{s.name:<12} {s.does}")
            for kind, names in (("tables", s.tables), ("figures", s.figures), ("values", s.values)):
                if names:
                    print(f"{'':<12} {kind}: {', '.join(names)}")
        return 0
    studies = select(args.only)
    text = PAPER.read_text()
    missing = missing_markers(studies, text)
    if missing:
        raise SystemExit(f"make_paper: papers/paper.md has no marker for {', '.join(missing)}")
    outputs: dict[str, Output] = {}
    timings: list[tuple[str, str, float]] = []
    start = time.perf_counter()
    for i, study in enumerate(studies, 1):
        print(f"[{i}/{len(studies)}] {study.name}: {study.does}", flush=True)
        output = run_study(study, workers=args.workers, log=lambda m: print(m, flush=True))
        outputs[study.name] = output
        print(f"    computed in {output.seconds:.1f} s", flush=True)
        if args.check:
            close_figures(output)
            continue
        drawn = save(output)
        text = insert(text, output)
        for name in output.tables:
            timings.append((f"papers/tables/{name}.md", study.name, output.seconds))
        for name, seconds in drawn.items():
            timings.append((f"papers/figures/{name}.png", study.name, output.seconds + seconds))
            print(f"    figure {name}.png drawn in {seconds:.1f} s", flush=True)
    total = time.perf_counter() - start
    if args.check:
        problems = differences(outputs, text)
        for problem in problems:
            print(problem)
        unchecked = [s.name for s in studies if not s.checked]
        print(
            f"paper.md: {len(problems)} difference(s) in {len(studies)} studies ({total:.0f} s)"
            + (f"; not checked: {', '.join(unchecked)}" if unchecked else "")
        )
        return int(bool(problems))
    old = PAPER.read_text()
    if text != old:
        write_atomic(PAPER, lambda p: Path(p).write_text(text))
    print(f"\npapers/paper.md {'updated' if text != old else 'unchanged'}; artefacts:")
    for path, study_name, seconds in timings:
        print(f"  {path:<40} {study_name:<12} {seconds:7.1f} s")
    print(f"total {total:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
