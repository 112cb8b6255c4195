"""Reading a results folder: rankings with paired CIs, break-even, sensitivity, report.

Example:
    >>> import tempfile
    >>> from loyaltysim.experiments import Experiment, Uncertainty, sweep
    >>> from loyaltysim.experiments.analysis import Results
    >>> experiment = Experiment(
    ...     policies=("always_compensate", "verify_first"),
    ...     uncertainties=(Uncertainty("claim_value_usd", levels=(20.0, 2000.0)),),
    ...     scenario={"n_customers": 300, "horizon_months": 6}, replications=3)
    >>> folder = tempfile.mkdtemp()
    >>> _ = sweep(experiment, folder, progress=False)
    >>> results = Results.load(folder)
    >>> list(results.paired().columns)
    ['claim_value_usd', 'mean', 'difference', 'low', 'high', 'sd_ratio']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim._io import check_writable, write_atomic
from loyaltysim.errors import LoyaltysimError, ParameterError
from loyaltysim.experiments.definition import MORRIS_LEVELS, Experiment
from loyaltysim.experiments.store import METADATA, POINTS, read_metadata, read_parts
from loyaltysim.params import MAX_RUNS
from loyaltysim.policies import DIMENSIONS, is_plugin
from loyaltysim.statistics import interval, paired_differences
from loyaltysim.style import DPI, styled, thousands_ticks

__all__ = ["Results", "report"]

#: The report draws a break-even grid when its two axes have at most this many levels.
MAX_GRID_LEVELS = 12


@dataclass(frozen=True)
class Results:
    """The results of an experiment, as tables.

    Attributes:
        path: The results folder (``.`` for results held in memory).
        experiment: The experiment definition stored with them.
        points: The design points (index ``point``).
        runs: One row per (point, replication, policy), in that order.
        monthly: The kept monthly rows (empty if none were kept).
        stand_ins: Policies whose plug-in rules were not imported
            (``plugins=False``): known by their names only.
    """

    path: Path
    experiment: Experiment
    points: pd.DataFrame
    runs: pd.DataFrame
    monthly: pd.DataFrame
    stand_ins: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: str | Path, plugins: bool = True) -> Results:
        """Read a results folder (finished tasks only; a sweep may still be running).

        Args:
            path: The results folder.
            plugins: Import the plug-in rules (``"module:Class"``) its
                definition names, which runs their modules' code. With
                ``False`` none is imported: the analysis needs only the
                policies' names, and such a policy is rebuilt with its
                dimension's neutral rule as a stand-in (:attr:`stand_ins`).

        Raises:
            ParameterError: Not a results folder, a damaged ``metadata.json``
                or task file (named, with what to do), or a definition that
                does not load.
        """
        path = Path(path)
        meta = read_metadata(path)
        definition, stand_ins = meta["definition"], tuple[str, ...]()
        if not plugins:
            definition, stand_ins = _without_plugins(definition)
        try:  # the runs it made may pass today's limit (a sweep with --max-runs)
            experiment = Experiment.from_dict(
                definition, source=str(path / METADATA), max_runs=max(MAX_RUNS, _runs_of(meta))
            )
        except LoyaltysimError as exc:
            raise ParameterError(
                "results", str(path), "a folder whose metadata.json defines an experiment", str(exc)
            ) from None
        policies = [p.name for p in experiment.policies]
        fingerprint = meta["fingerprint"]
        try:
            points = pd.read_parquet(path / POINTS)
        except Exception:  # missing or damaged: the design is in the definition
            points = experiment.points()
        return cls(
            path=path,
            experiment=experiment,
            points=points,
            runs=read_parts(path / "runs", policies, fingerprint),
            monthly=read_parts(path / "monthly", policies, fingerprint),
            stand_ins=stand_ins,
        )

    @classmethod
    def in_memory(cls, experiment: Experiment, runs: pd.DataFrame) -> Results:
        """The results of runs held in memory (:func:`~loyaltysim.experiments.execution.collect`).

        Args:
            experiment: The experiment the runs belong to.
            runs: Its run rows, as :func:`~loyaltysim.experiments.execution.run_task`
                makes them.

        Returns:
            Results with no folder (``path`` is ``.``) and no monthly rows.
        """
        return cls(
            path=Path(),
            experiment=experiment,
            points=experiment.points(),
            runs=runs,
            monthly=pd.DataFrame(),
        )

    @property
    def policies(self) -> list[str]:
        """Policy names in definition order; the first is the baseline."""
        return [p.name for p in self.experiment.policies]

    @property
    def ok(self) -> pd.DataFrame:
        """Runs that finished."""
        if self.runs.empty:
            return self.runs
        return self.runs[self.runs["status"] == "ok"]

    def failures(self) -> pd.DataFrame:
        """Runs that failed, with their error."""
        if self.runs.empty:
            return self.runs
        columns = ["point", "replication", "policy", "error"]
        return self.runs.loc[self.runs["status"] == "failed", columns]

    def _wide(self, metric: str) -> pd.DataFrame:
        if self.ok.empty:
            raise ParameterError("results", str(self.path), "at least one finished run")
        if metric not in self.ok:
            numeric = self.ok.select_dtypes("number").columns
            raise ParameterError("--metric", metric, "one of " + ", ".join(numeric))
        return self.ok.pivot_table(
            index=["point", "replication"], columns="policy", values=metric, aggfunc="first"
        )[self.policies]

    def paired(self, metric: str = "npv_usd", baseline: str | None = None) -> pd.DataFrame:
        """Per design point and policy: mean, paired difference vs ``baseline`` with 95% CI.

        ``sd_ratio`` is the paired difference's sd over the sd it would have
        with independent runs (common random numbers at work; NaN for the
        baseline).
        """
        baseline = self._baseline(baseline)
        wide = self._wide(metric)
        frame = pd.concat(
            {
                point: paired_differences(group, baseline)
                for point, group in wide.groupby(level="point")
            },
            names=["point", "policy"],
        )
        return self.points.join(frame, how="right") if not self.points.empty else frame

    def ranking(self, metric: str = "npv_usd") -> pd.DataFrame:
        """Per design point: the best policy, the runner-up, and the paired margin with its CI."""
        wide = self._wide(metric)
        rows = []
        for point, group in wide.groupby(level="point"):
            means = group.mean().sort_values(ascending=False)
            best = str(means.index[0])
            row: dict[str, Any] = {"point": point, "best": best, "best_mean": means.iloc[0]}
            if len(means) > 1:
                runner = str(means.index[1])
                mean, low, high = interval((group[best] - group[runner]).to_numpy())
                row.update(runner_up=runner, margin=mean, margin_low=low, margin_high=high)
                row["sure"] = bool(low > 0)
            rows.append(row)
        return self.points.join(pd.DataFrame(rows).set_index("point"), how="right")

    def overall(self, metric: str = "npv_usd", baseline: str | None = None) -> pd.DataFrame:
        """Per policy over the whole design: mean, paired difference with CI, points won.

        Replication ``r`` runs on the same seed at every design point, so its
        runs share their luck; the confidence interval therefore takes each
        replication's average over the points as one observation (a design with
        one replication has none).
        """
        baseline = self._baseline(baseline)
        per_replication = self._wide(metric).groupby(level="replication").mean()
        wins = self.ranking(metric)["best"].value_counts(normalize=True)
        table = paired_differences(per_replication, baseline).drop(columns="sd_ratio")
        table["points_won"] = [float(wins.get(name, 0.0)) for name in table.index]
        return table

    def variance_reduction(self, metric: str = "npv_usd") -> pd.Series:
        """Median over points of each policy's ``sd_ratio`` (paired sd / unpaired sd)."""
        paired = self.paired(metric)
        return paired["sd_ratio"].groupby(level="policy").median().reindex(self.policies[1:])

    def break_even(
        self,
        x: str,
        y: str,
        challenger: str | None = None,
        baseline: str | None = None,
        metric: str = "npv_usd",
    ) -> pd.DataFrame:
        """Paired difference ``challenger - baseline`` over a grid of two uncertainties.

        Points sharing the same ``(x, y)`` are pooled (other uncertainties
        averaged over); as in :meth:`overall`, each replication's average over
        the pooled points is one observation of the CI. Columns: ``x``, ``y``,
        ``difference``, ``low``, ``high`` and ``runs``.
        """
        baseline = self._baseline(baseline)
        challenger = challenger or next(p for p in self.policies if p != baseline)
        for name in (x, y):
            if name not in self.points:
                raise ParameterError(
                    "break_even",
                    name,
                    "one of the varied parameters: " + ", ".join(map(str, self.points.columns)),
                )
        wide = self._wide(metric)
        diff = (wide[challenger] - wide[baseline]).rename("diff").reset_index()
        diff = diff.join(self.points[[x, y]], on="point")
        rows = []
        for (xv, yv), group in diff.groupby([x, y]):
            mean, low, high = interval(group.groupby("replication")["diff"].mean().to_numpy())
            rows.append(
                {x: xv, y: yv, "difference": mean, "low": low, "high": high, "runs": len(group)}
            )
        frame = pd.DataFrame(rows)
        frame.attrs.update(challenger=challenger, baseline=baseline, metric=metric)
        return frame

    def sensitivity(self, metric: str = "npv_usd", policy: str | None = None) -> pd.DataFrame:
        """Global sensitivity of a policy's metric to the uncertainties (SALib).

        A ``sobol`` design gives first-order and total Sobol indices (``S1``,
        ``ST`` and their 95% half-widths); a ``morris`` design gives ``mu_star``
        (in the metric's units per unit of the input's quantile range),
        ``sigma`` and ``mu_star_conf``. The metric is averaged over
        replications first.

        Raises:
            ParameterError: The design is neither sobol nor morris, or runs
                are missing.
        """
        experiment = self.experiment
        if experiment.design not in ("sobol", "morris"):
            raise ParameterError(
                "sensitivity", experiment.design, "an experiment with design 'sobol' or 'morris'"
            )
        policy = policy or self.policies[0]
        means = self._wide(metric)[policy].groupby(level="point").mean()
        points = len(self.points)
        if len(means) < points or means.isna().any():
            raise ParameterError(
                "sensitivity", f"{len(means)} of {points} points", "every design point finished"
            )
        names = experiment.parameter_names
        problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
        y = means.sort_index().to_numpy()
        if experiment.design == "sobol":
            from SALib.analyze import sobol

            result = sobol.analyze(
                problem, y, calc_second_order=False, seed=experiment.seed % 2**32
            )
            frame = pd.DataFrame(
                {k: result[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}, index=names
            )
        else:
            from SALib.analyze import morris

            result = morris.analyze(
                problem,
                experiment.unit_samples(),
                y,
                num_levels=MORRIS_LEVELS,
                seed=experiment.seed % 2**32,
            )
            frame = pd.DataFrame(
                {k: result[k] for k in ("mu_star", "sigma", "mu_star_conf")}, index=names
            )
        frame.index.name = "parameter"
        frame.attrs.update(policy=policy, metric=metric, design=experiment.design)
        return frame

    def _baseline(self, baseline: str | None) -> str:
        baseline = baseline or self.policies[0]
        if baseline not in self.policies:
            raise ParameterError("baseline", baseline, "one of " + ", ".join(self.policies))
        return baseline


def _runs_of(meta: dict[str, Any]) -> int:
    """The runs a results folder's metadata says its experiment makes (0 if it does not say)."""
    points, replications, policies = (meta.get(k) for k in ("points", "replications", "policies"))
    if isinstance(points, int) and isinstance(replications, int) and isinstance(policies, list):
        return points * replications * len(policies)
    return 0


def _without_plugins(definition: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The definition with every plug-in rule replaced by its dimension's neutral rule.

    Returns:
        The definition, and the names of the policies changed.
    """
    policies, changed = {}, []
    for name, spec in definition.get("policies", {}).items():
        if isinstance(spec, dict):
            plugged = [d for d in DIMENSIONS if is_plugin(spec.get(d))]
            if plugged:
                changed.append(name)
                spec = {
                    key: value
                    for key, value in spec.items()
                    if not any(key == d or key.startswith(f"{d}_") for d in plugged)
                }
        policies[name] = spec
    return {**definition, "policies": policies}, tuple(changed)


# --- plots ------------------------------------------------------------------------------
@styled
def plot_overall(results: Results, metric: str = "npv_usd") -> Any:
    """Point-range plot of each policy's paired difference vs the baseline."""
    import matplotlib.pyplot as plt

    table = results.overall(metric)
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(table) + 1.8), layout="constrained")
    positions = np.arange(len(table))
    ax.errorbar(
        table["difference"],
        positions,
        xerr=[table["difference"] - table["low"], table["high"] - table["difference"]],
        fmt="o",
        capsize=4,
    )
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(positions, table.index)
    ax.invert_yaxis()
    if metric.endswith("_usd"):
        ax.xaxis.set_major_formatter(thousands_ticks())
    ax.set_xlabel(f"{metric}: paired difference vs {results.policies[0]} (95% CI)", wrap=True)
    ax.set_title(f"{results.experiment.name}: policies over the whole design", wrap=True)
    return fig


@styled
def plot_break_even(grid: pd.DataFrame) -> Any:
    """Heat map of the paired difference over two uncertainties, with the break-even line.

    The colours diverge from white at 0: blue where the challenger gains, red
    where it loses, each side scaled to its own largest value, so cells near
    the break-even are not washed out by a large gain elsewhere. The solid
    contour is where the mean difference is 0; the dashed ones where the CI's
    bounds are 0 (the break-even's uncertainty).
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.ticker import MaxNLocator

    x, y = grid.columns[:2]
    mean = grid.pivot(index=y, columns=x, values="difference")
    fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
    values = mean.to_numpy()
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    limit = max(abs(low), abs(high)) or 1.0
    vmin, vmax = (low if low < 0 else -limit), (high if high > 0 else limit)
    norm = TwoSlopeNorm(0.0, vmin=vmin, vmax=vmax)
    mesh = ax.pcolormesh(
        np.arange(mean.shape[1] + 1),
        np.arange(mean.shape[0] + 1),
        values,
        cmap="RdBu",
        norm=norm,
    )
    centres_x, centres_y = np.arange(mean.shape[1]) + 0.5, np.arange(mean.shape[0]) + 0.5
    if min(mean.shape) > 1:
        for column, style in (("difference", "-"), ("low", "--"), ("high", "--")):
            values = grid.pivot(index=y, columns=x, values=column).to_numpy()
            if np.nanmin(values) < 0 < np.nanmax(values):
                ax.contour(centres_x, centres_y, values, levels=[0], colors="k", linestyles=style)
    ax.set_xticks(centres_x, [f"{v:g}" for v in mean.columns])
    ax.set_yticks(centres_y, [f"{v:g}" for v in mean.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    attrs = grid.attrs
    bar = fig.colorbar(
        mesh, label=f"{attrs.get('metric')}: {attrs.get('challenger')} - {attrs.get('baseline')}"
    )
    # ticks on both sides of 0, each side spaced on its own scale (as its colours are)
    sides = [MaxNLocator(3).tick_values(vmin, 0.0), MaxNLocator(4).tick_values(0.0, vmax)]
    ticks = np.unique(np.concatenate(sides))
    bar.set_ticks([float(t) for t in ticks if vmin <= t <= vmax])
    if str(attrs.get("metric", "")).endswith("_usd"):
        bar.formatter = thousands_ticks(sign=True)
    ax.set_title("break-even: 0 on the solid line, 95% CI between the dashed ones")
    return fig


@styled
def plot_sensitivity(table: pd.DataFrame) -> Any:
    """Bars of the Sobol indices or Morris mu* of each uncertainty."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.5 * len(table) + 1.5))
    positions = np.arange(len(table))
    if "ST" in table:
        ax.barh(positions - 0.2, table["ST"], 0.4, xerr=table["ST_conf"], label="total (ST)")
        ax.barh(positions + 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="first order (S1)")
        ax.legend()
        ax.set_xlabel("Sobol index")
    else:
        ax.barh(positions, table["mu_star"], xerr=table["mu_star_conf"])
        ax.set_xlabel("Morris mu* (metric per unit quantile range)")
    ax.set_yticks(positions, table.index)
    ax.invert_yaxis()
    ax.set_title(f"what moves {table.attrs.get('metric')} under {table.attrs.get('policy')}")
    fig.tight_layout()
    return fig


# --- report -----------------------------------------------------------------------------
def _has_index(table: pd.DataFrame) -> bool:
    """Whether ``table``'s index holds information (names or labels, not 0, 1, 2...)."""
    index = table.index
    return any(name is not None for name in index.names) or not index.equals(
        pd.RangeIndex(len(table))
    )


def report(
    path: str | Path,
    metric: str = "npv_usd",
    plugins: bool = True,
    challenger: str | None = None,
) -> tuple[str, list[Path]]:
    """Tables and figures of a results folder, written to ``<path>/report``.

    Every table is written as CSV with its index as a named first column.

    Args:
        path: The results folder.
        metric: The run metric compared.
        plugins: Import the plug-in rules the folder names (see :meth:`Results.load`).
        challenger: The policy the break-even map sets against the baseline
            (default: the one with the largest paired difference over the
            whole design).

    Returns:
        The text report and the files written.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    results = Results.load(path, plugins=plugins)
    experiment = results.experiment
    out = results.path / "report"
    check_writable("results", out, folder=True)
    written: list[Path] = []

    def save_table(name: str, table: pd.DataFrame) -> None:
        target = out / f"{name}.csv"
        flat = table.reset_index() if _has_index(table) else table
        write_atomic(target, lambda p: flat.to_csv(p, index=False))
        written.append(target)

    def save_figure(name: str, fig: Any) -> None:
        target = out / f"{name}.png"
        write_atomic(target, lambda p: fig.savefig(p, dpi=DPI, format="png"))
        plt.close(fig)
        written.append(target)

    points, replications, _ = experiment.size
    done = results.runs.groupby(["point", "replication"]).ngroups if not results.runs.empty else 0
    lines = [
        f"loyaltysim report — {experiment.describe()}",
        f"tasks finished: {done} of {points * replications}; failed runs: "
        f"{len(results.failures())}; metric: {metric}",
    ]
    if results.stand_ins:
        lines.append(
            "plug-ins not imported: " + ", ".join(results.stand_ins) + " known by name only"
        )
    lines.append("")
    overall = results.overall(metric)
    if challenger is not None and challenger not in results.policies[1:]:
        raise ParameterError("challenger", challenger, "one of " + ", ".join(results.policies[1:]))
    save_table("overall", overall)
    save_figure("overall", plot_overall(results, metric))
    width = max(map(len, results.policies))
    lines += [f"Over the whole design, paired vs {results.policies[0]} (95% CI):"]
    cells = {
        name: (
            f"{row['difference']:+,.0f}",
            f"[{row['low']:+,.0f}, {row['high']:+,.0f}]",
        )
        for name, row in overall.iterrows()
    }
    diff_width = max(len(d) for d, _ in cells.values())
    ci_width = max(len(c) for _, c in cells.values())
    for name, row in overall.iterrows():
        difference, ci = cells[name]
        lines.append(
            f"  {name:<{width}}  mean {row['mean']:>14,.0f}  diff {difference:>{diff_width}} "
            f"{ci:<{ci_width}}  best at {row['points_won']:>4.0%} of points"
        )
    reduction = results.variance_reduction(metric)
    lines += ["", "Common random numbers: paired sd / unpaired sd (median over points):"]
    lines += [f"  {name:<{width}}  {value:.3f}" for name, value in reduction.items()]
    ranking = results.ranking(metric)
    save_table("ranking", ranking)
    save_table("paired", results.paired(metric))
    lines += ["", f"Best policy per design point ({len(ranking)} points; ranking.csv):"]
    for name, share in ranking["best"].value_counts().items():
        sure = int(ranking.loc[ranking["best"] == name, "sure"].sum()) if "sure" in ranking else 0
        lines.append(
            f"  {name:<{width}}  {share} points ({sure} with a CI excluding the runner-up)"
        )
    varied = list(results.points.columns)
    gridded = len(varied) >= 2 and all(
        results.points[name].nunique() <= MAX_GRID_LEVELS for name in varied[:2]
    )
    if gridded and len(results.policies) >= 2:
        best = overall.drop(results.policies[0])["difference"].idxmax()
        grid = results.break_even(varied[0], varied[1], challenger or str(best), metric=metric)
        save_table("break_even", grid)
        save_figure("break_even", plot_break_even(grid))
        lines += [
            "",
            f"Break-even of {grid.attrs['challenger']} vs {grid.attrs['baseline']} over "
            f"{varied[0]} x {varied[1]}: break_even.csv, break_even.png"
            + ("" if challenger else " (the largest difference over the design; --challenger)"),
        ]
    if experiment.design in ("sobol", "morris") and done == points * replications:
        table = results.sensitivity(metric)
        save_table("sensitivity", table)
        save_figure("sensitivity", plot_sensitivity(table))
        lines += [
            "",
            f"Sensitivity of {metric} under {table.attrs['policy']} ({experiment.design}):",
        ]
        lines += ["  " + line for line in table.round(3).to_string().splitlines()]
    lines += ["", f"written to {out}: " + ", ".join(p.name for p in written)]
    return "\n".join(lines), written
