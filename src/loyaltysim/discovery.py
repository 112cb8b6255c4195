"""Scenario discovery: the regions of a sweep's design where a condition holds (PRIM).

A condition is written over ``OUTCOME[POLICY]`` terms, each the mean of a run
outcome over a design point's replications: ``npv_usd[verify_first] >
npv_usd[always_compensate]`` (``npv`` stands for ``npv_usd``: an outcome may
drop its ``_usd``). The Patient Rule Induction Method (Friedman & Fisher
1999), as the EMA Workbench implements it (Kwakkel 2017), peels the design
space down to boxes of the uncertainties where the condition holds for most
points (density) while keeping most of the points where it holds (coverage);
the peeling trajectory shows the trade-off, and the box chosen is the one of
largest coverage whose density reaches ``density``.

Example:
    >>> condition_terms("npv[verify_first] > npv_usd[always_compensate] + 1000")
    [('npv_usd', 'verify_first'), ('npv_usd', 'always_compensate')]
"""

from __future__ import annotations

import ast
import importlib.util
import operator
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from loyaltysim._io import check_writable, write_atomic
from loyaltysim.errors import LoyaltysimError, ParameterError
from loyaltysim.experiments.analysis import Results
from loyaltysim.outcomes import OUTCOMES
from loyaltysim.params import close_match, format_number
from loyaltysim.style import DPI, styled

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Discovery", "condition_terms", "discover", "plot_trajectory", "point_condition"]

#: ``OUTCOME[POLICY]``: a term of a condition.
TERM = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\[([^\]\[]+)\]")
#: What a condition may combine its terms with.
_OPERATORS: dict[type, Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.And: np.logical_and,
    ast.Or: np.logical_or,
    ast.Not: np.logical_not,
}
_ACCEPTS = (
    "a condition on OUTCOME[POLICY] terms with numbers, + - * /, comparisons, and, or, not "
    "(e.g. 'npv_usd[verify_first] > npv_usd[always_compensate]')"
)


def _outcome(name: str) -> str:
    """An outcome's name, allowing ``npv`` for ``npv_usd``."""
    if name in OUTCOMES:
        return name
    if f"{name}_usd" in OUTCOMES:
        return f"{name}_usd"
    raise ParameterError(
        "--where", name, "a run outcome (loyaltysim params lists them)", close_match(name, OUTCOMES)
    )


def condition_terms(where: str) -> list[tuple[str, str]]:
    """The ``(outcome, policy)`` terms of a condition, in order of first use.

    Raises:
        ParameterError: No term, or an unknown outcome.
    """
    terms: list[tuple[str, str]] = []
    for name, policy in TERM.findall(where):
        term = (_outcome(name), policy.strip())
        if term not in terms:
            terms.append(term)
    if not terms:
        raise ParameterError("--where", where, _ACCEPTS)
    return terms


def point_condition(results: Results, where: str) -> pd.Series:
    """Whether ``where`` holds at each design point (outcomes averaged over its replications).

    Raises:
        ParameterError: A bad condition, an unknown policy, or a condition
            that is not true or false.
    """
    terms = condition_terms(where)
    names: dict[tuple[str, str], str] = {}
    columns: dict[str, np.ndarray] = {}
    for outcome, policy in terms:
        if policy not in results.policies:
            raise ParameterError(
                "--where",
                policy,
                "a policy of the sweep: " + ", ".join(results.policies),
                close_match(policy, results.policies),
            )
        means = results.ok.groupby(["point", "policy"])[outcome].mean().unstack("policy")
        names[(outcome, policy)] = f"term{len(names)}"
        columns[names[(outcome, policy)]] = means[policy].reindex(results.points.index).to_numpy()

    def substitute(match: re.Match[str]) -> str:
        return names[(_outcome(match.group(1)), match.group(2).strip())]

    expression = TERM.sub(substitute, where)
    try:
        tree = ast.parse(expression, mode="eval")
        value = _evaluate(tree.body, columns)
    except (SyntaxError, ValueError, KeyError) as exc:
        raise ParameterError("--where", where, _ACCEPTS, str(exc)) from None
    value = np.asarray(value)
    if value.dtype != bool or value.shape != (len(results.points),):
        raise ParameterError("--where", where, _ACCEPTS, "it is a number, not true or false")
    return pd.Series(value, index=results.points.index, name="holds")


def _evaluate(node: ast.AST, columns: dict[str, np.ndarray]) -> Any:
    """Evaluate a condition's syntax tree over the term columns (nothing else is allowed)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return node.value
    if isinstance(node, ast.Name):
        return columns[node.id]
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_evaluate(node.operand, columns))
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _evaluate(node.left, columns), _evaluate(node.right, columns)
        return _OPERATORS[type(node.op)](left, right)
    if isinstance(node, ast.BoolOp) and type(node.op) in _OPERATORS:
        values = [_evaluate(v, columns) for v in node.values]
        joined = values[0]
        for value in values[1:]:
            joined = _OPERATORS[type(node.op)](joined, value)
        return joined
    if isinstance(node, ast.Compare) and all(type(op) in _OPERATORS for op in node.ops):
        left = _evaluate(node.left, columns)
        result: Any = True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(comparator, columns)
            result = np.logical_and(result, _OPERATORS[type(op)](left, right))
            left = right
        return result
    raise ValueError(f"{ast.unparse(node)!r} is not allowed")


@dataclass(frozen=True)
class Discovery:
    """The boxes PRIM found where a condition holds.

    Attributes:
        where: The condition.
        holds: Whether it holds, per design point.
        trajectories: Each box's peeling trajectory (``coverage``,
            ``density``, ``mass``, ``res_dim`` per peel).
        chosen: The peel chosen on each trajectory.
        boxes: The chosen boxes' limits: ``box``, ``parameter``, ``low``,
            ``high`` (numbers) or ``values`` (levels), and the box's
            ``coverage``, ``density`` and ``mass``.
    """

    where: str
    holds: pd.Series
    trajectories: list[pd.DataFrame]
    chosen: list[int]
    boxes: pd.DataFrame

    def __str__(self) -> str:
        share = float(self.holds.mean())
        lines = [
            f"{self.where!r} holds at {int(self.holds.sum()):,} of {len(self.holds):,} "
            f"design points ({share:.0%})"
        ]
        for number, (trajectory, chosen) in enumerate(
            zip(self.trajectories, self.chosen, strict=True), start=1
        ):
            stats = trajectory.loc[chosen]
            lines.append(
                f"box {number}: coverage {stats['coverage']:.2f}, density {stats['density']:.2f}, "
                f"mass {stats['mass']:.2f} (peel {chosen} of {len(trajectory) - 1})"
            )
            for _, row in self.boxes[self.boxes["box"] == number].iterrows():
                if isinstance(row["values"], str) and row["values"]:
                    lines.append(f"  {row['parameter']} in {row['values']}")
                else:
                    low, high = format_number(row["low"]), format_number(row["high"])
                    lines.append(f"  {row['parameter']} in [{low}, {high}]")
            if self.boxes[self.boxes["box"] == number].empty:
                lines.append("  (no parameter restricted: the whole design)")
        return "\n".join(lines)


def discover(
    results: Results | str | Path,
    where: str,
    *,
    density: float = 0.8,
    boxes: int = 1,
    out: str | Path | None = None,
) -> Discovery:
    """Run PRIM on a sweep's design points for the condition ``where``.

    Args:
        results: A results folder (or its :class:`Results`).
        where: The condition (see the module).
        density: The density the chosen box must reach (else the densest peel).
        boxes: Boxes to find, one after another on the points the earlier
            ones leave.
        out: A folder to write ``trajectory.csv``, ``boxes.csv`` and
            ``trajectory.png`` into (nothing is written without it).

    Returns:
        The boxes and their trajectories.

    Raises:
        ParameterError: A bad condition or option, or a design without
            uncertainties.
        LoyaltysimError: ema_workbench is not installed (the ``ema`` extra).
    """
    if importlib.util.find_spec("ema_workbench") is None:
        raise LoyaltysimError(
            "discovery needs ema_workbench, which is not installed; install it with: "
            "pip install 'loyaltysim[ema]'"
        )
    if isinstance(density, bool) or not isinstance(density, int | float) or not 0 < density <= 1:
        raise ParameterError("--density", density, "a number in (0, 1]")
    if isinstance(boxes, bool) or not isinstance(boxes, int) or boxes < 1:
        raise ParameterError("--boxes", boxes, "a whole number >= 1")
    if out is not None:
        check_writable("--out", out, folder=True)
    results = results if isinstance(results, Results) else Results.load(results)
    if results.points.empty or results.points.shape[1] == 0:
        raise ParameterError(
            "results", str(results.path), "a sweep with uncertainties (its design points vary)"
        )
    holds = point_condition(results, where)
    if not holds.any():
        raise ParameterError("--where", where, "a condition that holds at some design point")
    x = results.points.copy()
    for column in x.columns:
        if not pd.api.types.is_numeric_dtype(x[column]):
            x[column] = x[column].astype(str).astype("category")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        finder = prim.Prim(x.reset_index(drop=True), holds.to_numpy())
        trajectories, chosen, rows = [], [], []
        for number in range(1, boxes + 1):
            box = finder.find_box()
            if box is None:
                break
            columns = ["coverage", "density", "mass", "res_dim"]
            trajectory = box.peeling_trajectory[columns].reset_index(drop=True)
            if not trajectory["density"].max() > 0:  # no point left where it holds
                break
            pick = _choose(trajectory, density)
            trajectories.append(trajectory)
            chosen.append(pick)
            rows += _limits(box, pick, number, trajectory.loc[pick])
    found = Discovery(
        where,
        holds,
        trajectories,
        chosen,
        pd.DataFrame(
            rows,
            columns=[
                "box",
                "parameter",
                "low",
                "high",
                "values",
                "coverage",
                "density",
                "mass",
            ],
        ),
    )
    if out is not None:
        _write(found, Path(out))
    return found


def _choose(trajectory: pd.DataFrame, density: float) -> int:
    """The peel of largest coverage whose density reaches ``density``; else the densest."""
    dense = trajectory[trajectory["density"] >= density - 1e-12]
    if dense.empty:
        return int(np.argmax(trajectory["density"].to_numpy()))
    best = dense.sort_values(["coverage", "res_dim"], ascending=[False, True]).iloc[0]
    return int(best.name)  # type: ignore[call-overload]  # the trajectory's index is 0, 1, ...


def _limits(box: Any, pick: int, number: int, stats: pd.Series) -> list[dict[str, Any]]:
    """The restricted parameters of peel ``pick`` of ``box``, one row each.

    Restricted: its limits differ from the whole design's (box 0). The limits
    are read from ``box_lims``, not ``inspect``, which fails on a restricted
    categorical parameter under pandas 3 (ema_workbench 3.0.0).
    """
    limits, whole = box.box_lims[pick], box.box_lims[0]
    rows = []
    for parameter in limits.columns:
        column = limits[parameter]
        if list(column) == list(whole[parameter]):
            continue  # not restricted
        row: dict[str, Any] = {"box": number, "parameter": parameter}
        if isinstance(column.iloc[0], set):
            row.update(low=np.nan, high=np.nan, values=", ".join(sorted(map(str, column.iloc[0]))))
        else:
            row.update(low=float(column.iloc[0]), high=float(column.iloc[1]), values="")
        row.update(
            coverage=float(stats["coverage"]),
            density=float(stats["density"]),
            mass=float(stats["mass"]),
        )
        rows.append(row)
    return rows


def _write(found: Discovery, folder: Path) -> None:
    """``trajectory.csv``, ``boxes.csv`` and ``trajectory.png`` into ``folder``."""
    trajectory = pd.concat(
        {number: t for number, t in enumerate(found.trajectories, start=1)}, names=["box", "peel"]
    ).reset_index()
    write_atomic(folder / "trajectory.csv", lambda tmp: trajectory.to_csv(tmp, index=False))
    write_atomic(folder / "boxes.csv", lambda tmp: found.boxes.to_csv(tmp, index=False))
    figure = plot_trajectory(found)
    write_atomic(folder / "trajectory.png", lambda tmp: figure.savefig(tmp, dpi=DPI))


@styled
def plot_trajectory(found: Discovery) -> Figure:
    """Coverage against density along each box's peeling trajectory; the chosen peel marked."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 4.6), layout="constrained")
    ax = figure.subplots()
    for number, (trajectory, chosen) in enumerate(
        zip(found.trajectories, found.chosen, strict=True), start=1
    ):
        points = ax.scatter(
            trajectory["coverage"],
            trajectory["density"],
            c=trajectory["res_dim"],
            cmap="viridis",
            s=22,
            label=f"box {number}",
        )
        ax.scatter(
            trajectory["coverage"].to_numpy()[[chosen]],
            trajectory["density"].to_numpy()[[chosen]],
            s=90,
            facecolor="none",
            edgecolor="tab:red",
        )
    figure.colorbar(points, ax=ax, label="parameters restricted")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title("PRIM peeling trajectory (chosen box circled)")
    return figure
