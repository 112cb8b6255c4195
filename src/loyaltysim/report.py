"""Text reports of runs, comparisons, cases and the stylised facts.

What the command line prints, as functions of the results (so notebooks and
scripts can print the same): :func:`format_run`, :func:`format_comparison`,
:func:`format_case`, :func:`format_robustness`, :func:`format_facts` and
:func:`format_posterior_comparison`.
Every number goes through the one formatter,
:func:`loyaltysim.params.format_number`, with the format each outcome
declares (:data:`loyaltysim.outcomes.OUTCOMES`).
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING, Any

from loyaltysim.outcomes import OUTCOMES, key_outcomes
from loyaltysim.params import format_number

if TYPE_CHECKING:
    import pandas as pd

    from loyaltysim.cases import CaseResult, Robustness
    from loyaltysim.comparison import Comparison
    from loyaltysim.fitting.posterior import PosteriorComparison
    from loyaltysim.scenario import Scenario
    from loyaltysim.simulation import RunResult

__all__ = [
    "format_case",
    "format_comparison",
    "format_facts",
    "format_posterior_comparison",
    "format_robustness",
    "format_run",
    "provenance",
]


def cell(value: Any, spec: str = ",.0f") -> str:
    """A table cell in format ``spec``.

    A small fraction in a whole-number column shows three decimals: it is a rate
    or a share, not a count (``0.073`` rather than ``0``).
    """
    small_fraction = (
        spec == ",.0f"
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value != int(value)
        and abs(value) < 10
    )
    return format_number(value, ".3f" if small_fraction else spec)


def provenance(seed: dict[str, Any], versions: dict[str, str]) -> str:
    """``seed 2026 | loyaltysim 0.1.0, mesa 3.5.1, numpy 2.5.5``."""
    return (
        f"seed {seed['entropy']}"
        + (f" spawn_key {seed['spawn_key']}" if seed["spawn_key"] else "")
        + f" | loyaltysim {versions['loyaltysim']}, mesa {versions['mesa']}, "
        f"numpy {versions['numpy']}"
    )


def format_run(result: RunResult) -> str:
    """A run's summary: every outcome, one per line, with the seed and versions."""
    s, sc = result.summary, result.scenario
    lines = [
        f"loyaltysim run — policy {result.policy.name} "
        f"({result.policy.describe()}), N={sc.n_customers:,}, {sc.horizon_months} months",
        "",
    ]
    width = max(len(k) for k in s)
    lines += [f"  {key:<{width}}  {cell(value, OUTCOMES[key].spec)}" for key, value in s.items()]
    lines += ["", provenance(result.seed, result.versions)]
    return "\n".join(lines)


def format_comparison(comparison: Comparison) -> str:
    """The comparison table (means and 95% CIs), the paired differences, the verdict."""
    sc = comparison.scenario
    table = comparison.table()
    outcomes = key_outcomes()
    header = [f"{'policy':<20}"] + [f"{o.label:>30}" for o in outcomes]
    lines = [
        f"loyaltysim compare — {len(comparison.policies)} policies x "
        f"{comparison.replications} paired replications, N={sc.n_customers:,}, "
        f"{sc.horizon_months} months; mean [95% CI]",
        "",
        "".join(header),
    ]
    for name, row in table.iterrows():
        cells = [f"{name:<20}"]
        for o in outcomes:
            low, high = row[o.name + "_low"], row[o.name + "_high"]
            text = f"{cell(row[o.name], o.spec)} [{cell(low, o.spec)}, {cell(high, o.spec)}]"
            cells.append(f"{text:>30}")
        lines.append("".join(cells))
    baseline = comparison.policies[0]
    lines += ["", f"Paired NPV difference vs {baseline} (common random numbers), USD:"]
    for name, row in comparison.paired().drop(baseline).iterrows():
        difference = format_number(row["difference"], ",.0f", sign=True)
        low = format_number(row["low"], ",.0f", sign=True)
        high = format_number(row["high"], ",.0f", sign=True)
        lines.append(f"  {name:<20} {difference:>12}  [{low}, {high}]")
    lines += ["", comparison.verdict(), provenance(comparison.seed, comparison.versions)]
    return "\n".join(lines)


def format_posterior_comparison(result: PosteriorComparison) -> str:
    """Each policy against the baseline over the fit's posterior draws, and the verdict.

    The columns: the posterior-predictive probability that the policy's paired
    NPV difference is above 0, the expected difference with its Monte Carlo
    error, its posterior-predictive interval, and the shares of that
    interval's variance from the parameters (between draws) and from the
    noise (within draws); see :mod:`loyaltysim.fitting.posterior`.
    """
    sc = result.scenario
    baseline = result.policies[0]
    level = f"{result.level:.0%}"
    lines = [
        f"loyaltysim compare --posterior — {len(result.policies)} policies in "
        f"{len(result.draws)} posterior draws ({result.particles} distinct particles) of "
        f"{result.folder} x {result.replications} paired replications, "
        f"N={sc.n_customers:,}, {sc.horizon_months} months",
        "",
        textwrap.fill(
            f"NPV difference vs {baseline}, USD, paired runs (common random numbers). "
            "P(beats baseline): share of the paired runs, in markets drawn from the "
            "posterior, that end above the baseline (posterior-predictive probability). "
            f"The {level} interval holds the middle {level} of those paired runs; their variance "
            "splits into the fit's remaining uncertainty (parameters: between draws) and "
            "run-to-run noise (within draws). ± MC: the Monte Carlo error of the expected "
            "difference.",
            width=100,
            break_on_hyphens=False,
        ),
        "",
        f"  {'policy':<20}{'P(beats baseline)':>18}{'expected':>12}{'± MC':>8}"
        f"  {level + ' interval':<22}{'parameters':>11}{'noise':>7}",
    ]
    for name, row in result.table().iterrows():
        expected = format_number(row["difference"], ",.0f", sign=True)
        error = format_number(row["standard_error"], ",.0f")
        low = format_number(row["low"], ",.0f", sign=True)
        high = format_number(row["high"], ",.0f", sign=True)
        share = row["parameter_share"]
        parameters = "–" if math.isnan(share) else f"{share:.0%}"
        noise = "–" if math.isnan(share) else f"{1 - share:.0%}"
        lines.append(
            f"  {name:<20}{row['p_beats']:>18.2f}{expected:>12}{error:>8}"
            f"  {'[' + low + ', ' + high + ']':<22}{parameters:>11}{noise:>7}"
        )
    lines += [
        "",
        textwrap.fill(result.verdict(), width=100),
        provenance(result.seed, result.versions),
    ]
    return "\n".join(lines)


def format_case(result: CaseResult) -> str:
    """A case: its title, story and market, the comparison, the reading (and its robustness)."""
    case = result.case
    changes = ", ".join(f"{k}={v}" for k, v in result.comparison.scenario.changes().items())
    lines = [
        f"{case.title}",
        f"  story: {case.story}",
        "  market: the default market" + (f" with {changes}" if changes else ""),
        "",
        format_comparison(result.comparison),
        "",
        textwrap.fill(result.reading(), width=100),
    ]
    if result.robustness is not None:
        lines += ["", format_robustness(result.robustness)]
    return "\n".join(lines)


def format_robustness(robustness: Robustness) -> str:
    """Each assumption's scan (level, paired NPV difference, 95% CI) and its sentence."""
    case, table = robustness.case, robustness.table()
    challenger = (
        case.story_answer if case.story_answer != robustness.baseline else "best challenger"
    )
    header = (
        f"Robustness of the verdict: each assumption alone over {robustness.levels} levels of "
        f"its range (the others as in the market), {robustness.replications} paired "
        "replications, common random numbers across levels. NPV difference "
        f"{challenger} - {robustness.baseline}, USD, mean [95% CI]; * the market's value."
    )
    lines = [textwrap.fill(header, width=100)]
    sentences = dict(zip([a.name for a in case.assumptions], robustness.sentences(), strict=True))
    for assumption in case.assumptions:
        lines += ["", textwrap.fill(f"{assumption.name}: {assumption.why}", width=100)]
        lines.append(f"  {'level':>12}  {'policy':<28}{'difference':>12}  95% CI")
        for _, row in table[table["assumption"] == assumption.name].iterrows():
            level = format_number(row["level"]) + ("*" if row["market"] else " ")
            difference = format_number(row["difference"], ",.0f", sign=True)
            low = format_number(row["low"], ",.0f", sign=True)
            high = format_number(row["high"], ",.0f", sign=True)
            lines.append(f"  {level:>12}  {row['policy']:<28}{difference:>12}  [{low}, {high}]")
        lines.append(textwrap.indent(textwrap.fill(sentences[assumption.name], width=98), "  "))
    return "\n".join(lines)


def format_facts(
    table: pd.DataFrame, scenario: Scenario, replications: int, seed: int | None
) -> str:
    """The stylised facts: each measure against its tolerance, then repurchase by outcome."""
    lines = [
        f"loyaltysim calibrate — N={scenario.n_customers:,}, {scenario.horizon_months} months, "
        f"{replications} runs pooled, seed {seed}",
        "",
    ]
    for _, row in table.iterrows():
        mark = "ok " if row["within"] else "OUT"
        high = format_number(row["high"])
        lines.append(
            f"  [{mark}] {row['fact']:<52} {row['value']:8.3f}   in [{row['low']:g}, {high}]"
        )
        lines.append(f"        {row['source']}")
    lines += ["", "repurchase within 6 months of a failure, by complaint outcome:"]
    for outcome, (share, count) in table.attrs["repurchase"].items():
        lines.append(f"  {outcome:<28} {share:6.3f}  ({count:,.0f} failures)")
    for size, label in (("large", "over $100"), ("small", "under $5 (small purchases)")):
        lines += ["", f"  loss {label}: model against TARP"]
        for outcome, (share, count, tarp) in table.attrs["repurchase_by_loss"][size].items():
            against = "" if math.isnan(tarp) else f"   TARP {tarp:.2f}"
            lines.append(f"  {outcome:<28} {share:6.3f}  ({count:,.0f} failures){against}")
    return "\n".join(lines)
