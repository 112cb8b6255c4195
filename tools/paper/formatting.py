"""Markdown and number helpers: how the paper prints numbers, intervals, names and tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

import loyaltysim as ls
from loyaltysim.params import format_number

MINUS = "\u2212"


def num(value: float, spec: str | None = ",.0f") -> str:
    """A number for the paper (typographic minus; NaN as n/a; ``spec=None``: short form)."""
    return format_number(value, spec, minus=MINUS)


def signed(value: float, spec: str = ",.0f") -> str:
    """A difference with its sign (a rounded zero has none)."""
    return format_number(value, spec, sign=True, minus=MINUS)


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
