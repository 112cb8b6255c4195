"""The handlers of the ``loyaltysim`` sub-commands: read the input, run, write, print.

Each handler takes the parsed arguments and returns the exit status. Input is
validated in full before any work starts (a bad value raises
:class:`~loyaltysim.errors.ParameterError`, which :func:`loyaltysim.cli.main`
turns into one line and exit status 2); output files are written only when
the work succeeded, each through a temporary file renamed into place. The
simulation modules are imported inside the handlers, so the command starts
fast.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loyaltysim._io import check_writable, write_atomic
from loyaltysim.errors import ParameterError
from loyaltysim.params import format_number, parse_value, whole_number
from loyaltysim.style import DPI

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "app",
    "calibrate",
    "case",
    "compare",
    "discover",
    "fit",
    "params",
    "recommend",
    "report",
    "run",
    "search",
    "sweep",
]

#: File types ``--figure`` writes.
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")

#: File types ``run --claims`` writes.
CLAIMS_SUFFIXES = (".parquet", ".csv")


# --- input ----------------------------------------------------------------------------------
def _tables(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``[scenario]`` and ``[policy]`` tables from ``--scenario`` and ``--set``, as given."""
    from loyaltysim.scenario import load_scenario_file

    scenario_table: dict[str, Any] = {}
    policy_table: dict[str, Any] = {}
    if args.scenario:
        scenario_table, policy_table = load_scenario_file(args.scenario)
    for item in args.overrides:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError("--set", item, "NAME=VALUE, e.g. --set failure_rate=0.08")
        value = parse_value(text.strip())
        if name.startswith("policy."):
            policy_table[name.removeprefix("policy.")] = value
        else:
            scenario_table[name] = value
    return scenario_table, policy_table


def _candidates(names: str, policy_table: dict[str, Any]) -> list[Any]:
    """The policies ``--policies`` names (comma-separated), then the file's ``[policy]`` table."""
    from loyaltysim.policies import Policy

    policies = [Policy.preset(name.strip()) for name in names.split(",") if name.strip()]
    if policy_table:
        policy_table.setdefault("name", "your_policy")
        policies.append(Policy.from_spec(policy_table))
    return policies


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse bad or unwritable output paths before any work is done."""
    for option, path, suffixes in (
        ("--figure", args.figure, FIGURE_SUFFIXES),
        ("--csv", args.csv, (".csv",)),
        ("--xlsx", args.xlsx, (".xlsx",)),
        ("--claims", getattr(args, "claims", None), CLAIMS_SUFFIXES),
    ):
        if path is None:
            continue
        if Path(path).suffix.lower() not in suffixes:
            raise ParameterError(option, path, "a path ending in " + ", ".join(suffixes))
        check_writable(option, path)


def _progress(args: argparse.Namespace) -> bool:
    """Whether to show the progress: a bar on a terminal, a line every few seconds elsewhere."""
    return not args.no_progress


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _write_tables(args: argparse.Namespace, table: pd.DataFrame, sheet: str) -> list[str]:
    """Write ``table`` to ``--csv`` and ``--xlsx`` (atomically); the lines saying so.

    The same rows and columns in both: a named index becomes the first column.
    """
    flat = table.reset_index() if any(table.index.names) else table
    lines = []
    if args.csv:
        write_atomic(args.csv, lambda p: flat.to_csv(p, index=False))
        lines.append(f"table written to {args.csv}")
    if args.xlsx:
        write_atomic(
            args.xlsx,
            lambda p: flat.to_excel(p, index=False, sheet_name=sheet, engine="openpyxl"),
        )
        lines.append(f"workbook written to {args.xlsx}")
    return lines


def _emit(
    args: argparse.Namespace,
    outcome: Any,
    table: Callable[[], pd.DataFrame],
    figure: Callable[[], Any],
    text: Callable[[], str],
) -> None:
    """Write the requested files (atomically), then print JSON or the text report."""
    written = _write_tables(args, table(), args.command)
    if args.figure:
        write_atomic(args.figure, lambda p: figure().savefig(p, dpi=DPI))
        written.insert(0, f"figure written to {args.figure}")
    if args.json:
        print(json.dumps(outcome.to_dict(), indent=2, default=_json_default))
        return
    print(text())
    for line in written:
        print(line)


def _announce(line: str) -> None:
    """A long command's notice (set-up, a resumed folder): to stderr, beside the progress."""
    print(line, file=sys.stderr)


def _resumable(saved: str, out: str, work: Callable[[], object]) -> int:
    """Run the resumable ``work`` writing into ``out`` and print what it returns.

    On Ctrl-C, say that the finished ``saved`` (tasks, generations) are kept; exit 130.
    """
    try:
        outcome = work()
    except KeyboardInterrupt:
        print(
            f"loyaltysim: interrupted; finished {saved} are saved in {out}; "
            "run the same command to resume",
            file=sys.stderr,
        )
        return 130
    print(outcome)
    return 0


# --- commands -------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    """``loyaltysim run``: one scenario under one policy."""
    from loyaltysim.plotting import plot_run
    from loyaltysim.policies import Policy
    from loyaltysim.report import format_run
    from loyaltysim.scenario import Scenario
    from loyaltysim.simulation import run as run_policy

    scenario_table, policy_table = _tables(args)
    scenario = Scenario.from_dict(scenario_table)
    if args.policy is not None:
        policy = Policy.from_spec({"preset": args.policy, **policy_table})
    else:
        policy = (
            Policy.from_spec(policy_table) if policy_table else Policy.preset("always_compensate")
        )
    _check_outputs(args)
    result = run_policy(scenario, policy, rng=args.seed, claims=args.claims is not None)
    if args.claims:
        write_atomic(args.claims, lambda p: _write_claims(result.claims, p))
    _emit(
        args,
        result,
        lambda: result.monthly,
        lambda: plot_run(result),
        lambda: format_run(result),
    )
    if args.claims and not args.json:
        print(f"claim log written to {args.claims}")
    return 0


def _write_claims(claims: Any, path: str) -> None:
    """The claim log as Parquet or CSV, by the path's suffix (checked by :func:`_check_outputs`)."""
    if path.lower().endswith(".parquet"):
        claims.to_parquet(path, index=False)
    else:
        claims.to_csv(path, index=False)


def compare(args: argparse.Namespace) -> int:
    """``loyaltysim compare``: policies on one scenario, paired replications."""
    from loyaltysim.comparison import compare as compare_policies
    from loyaltysim.plotting import plot_comparison
    from loyaltysim.report import format_comparison
    from loyaltysim.scenario import Scenario

    if args.posterior is not None:
        return _compare_posterior(args)
    if args.draws is not None:
        raise ParameterError("--draws", args.draws, "nothing without --posterior DIR")
    scenario_table, policy_table = _tables(args)
    scenario = Scenario.from_dict(scenario_table)
    policies = _candidates(args.policies, policy_table)
    replications = (
        {"replications": whole_number("--replications", args.replications, minimum=1)}
        if args.replications is not None
        else {}
    )
    _check_outputs(args)
    comparison = compare_policies(
        scenario,
        policies,
        rng=args.seed,
        progress=_progress(args),
        max_runs=args.max_runs,
        **replications,
    )
    _emit(
        args,
        comparison,
        lambda: comparison.runs,
        lambda: plot_comparison(comparison),
        lambda: format_comparison(comparison),
    )
    return 0


def _compare_posterior(args: argparse.Namespace) -> int:
    """``loyaltysim compare --posterior DIR``: policies in markets drawn from a fit's posterior."""
    from loyaltysim.fitting.fit import load_fit
    from loyaltysim.fitting.posterior import compare_posterior
    from loyaltysim.plotting import plot_posterior_comparison
    from loyaltysim.report import format_posterior_comparison

    if args.scenario:
        raise ParameterError(
            "--scenario",
            args.scenario,
            "nothing with --posterior (the fit's scenario.toml is the market; --set changes it)",
        )
    fitted = load_fit(args.posterior, "--posterior")
    scenario_table, policy_table = _tables(args)
    policies = _candidates(args.policies, policy_table)
    # options left out take the API's defaults (declared once, in loyaltysim.fitting.posterior)
    budget = {}
    for option, name, minimum in (("--draws", "draws", 1), ("--replications", "replications", 2)):
        value = getattr(args, name)
        if value is not None:
            budget[name] = whole_number(option, value, minimum=minimum)
    _check_outputs(args)
    result = compare_posterior(
        fitted,
        policies,
        changes=scenario_table,
        rng=args.seed,
        progress=_progress(args),
        max_runs=args.max_runs,
        announce=_announce,
        **budget,
    )
    _emit(
        args,
        result,
        lambda: result.runs,
        lambda: plot_posterior_comparison(result),
        lambda: format_posterior_comparison(result),
    )
    return 0


def case(args: argparse.Namespace) -> int:
    """``loyaltysim case``: one story of the case library, or the list.

    With ``--robustness``, each assumption of the case is scanned over its
    range in the same market (``--levels`` levels, the case's replications
    and seed) and the reading names the ones that flip the verdict.
    """
    from loyaltysim.cases import CASES, ROBUSTNESS_LEVELS, get_case
    from loyaltysim.plotting import plot_comparison
    from loyaltysim.report import format_case
    from loyaltysim.scenario import Scenario

    if args.list:
        width = max(len(name) for name in CASES)
        for name, entry in CASES.items():
            print(f"{name:<{width}}  {entry.title}")
            print(f"{'':<{width}}  {entry.story}")
        return 0
    if args.name is None:
        raise ParameterError("case", None, "a case name (see `loyaltysim case --list`)")
    chosen = get_case(args.name)
    scenario_table, policy_table = _tables(args)
    if policy_table:
        raise ParameterError(
            "policy",
            policy_table,
            "no [policy] table or policy.* settings: a case compares "
            "its own policies (use `loyaltysim compare` for yours)",
        )
    scenario = Scenario.from_dict({**chosen.changes, **scenario_table})
    replications = (
        whole_number("--replications", args.replications, minimum=1)
        if args.replications is not None
        else None
    )
    if args.levels is not None and not args.robustness:
        raise ParameterError("--levels", args.levels, "nothing without --robustness")
    levels = whole_number(
        "--levels", ROBUSTNESS_LEVELS if args.levels is None else args.levels, minimum=2
    )
    _check_outputs(args)
    result = chosen.run(
        replications=replications,
        rng=args.seed,
        scenario=scenario,
        progress=_progress(args),
        max_runs=args.max_runs,
    )
    if args.robustness:
        result = result.with_robustness(
            chosen.robustness(
                levels=levels,
                replications=replications,
                rng=args.seed,
                scenario=scenario,
                progress=_progress(args),
            )
        )
    _emit(
        args,
        result,
        lambda: result.comparison.runs,
        lambda: plot_comparison(result.comparison),
        lambda: format_case(result),
    )
    return 0


def recommend(args: argparse.Namespace) -> int:
    """``loyaltysim recommend``: a one-page client report (HTML and PDF) from a comparison."""
    import shlex

    from loyaltysim.recommend import recommend as advise
    from loyaltysim.scenario import Scenario

    scenario_table, policy_table = _tables(args)
    scenario = Scenario.from_dict(scenario_table)
    policies = _candidates(args.policies, policy_table)
    replications = whole_number("--replications", args.replications, minimum=2)
    if args.materiality is not None and args.materiality_usd is not None:
        raise ParameterError("--materiality-usd", args.materiality_usd, "no --materiality with it")
    for option, path, suffix in (("--html", args.html, ".html"), ("--pdf", args.pdf, ".pdf")):
        if path is not None and Path(path).suffix.lower() != suffix:
            raise ParameterError(option, path, f"a path ending in {suffix}")
    if args.html is None and args.pdf is None and not args.json:
        raise ParameterError(
            "--html/--pdf", None, "at least one of --html PATH, --pdf PATH, --json"
        )
    for option, path in (("--html", args.html), ("--pdf", args.pdf)):
        if path is not None:
            check_writable(option, path)
    _check_outputs(args)
    words = ["loyaltysim", "recommend"]
    if args.scenario:
        words += ["--scenario", args.scenario]
    for item in args.overrides:
        words += ["--set", item]
    words += ["--policies", args.policies, "--replications", str(replications)]
    if args.baseline:
        words += ["--baseline", args.baseline]
    if args.materiality_usd is not None:
        words += ["--materiality-usd", format_number(args.materiality_usd)]
    elif args.materiality is not None:
        words += ["--materiality", format_number(args.materiality)]
    # options left out take the API's defaults (declared once, in loyaltysim.recommend)
    chosen = {
        "materiality": args.materiality,
        "levels": args.levels,
        "scan_replications": args.scan_replications,
    }
    kwargs = {name: value for name, value in chosen.items() if value is not None}
    for name in ("levels", "scan_replications"):
        if name in kwargs:
            words += ["--" + name.replace("_", "-"), str(kwargs[name])]
    words += ["--seed", str(args.seed)]
    for option, path in (("--html", args.html), ("--pdf", args.pdf)):
        if path is not None:
            words += [option, path]
    advice = advise(
        scenario,
        policies,
        baseline=args.baseline,
        materiality_usd=args.materiality_usd,
        replications=replications,
        rng=args.seed,
        workers=args.workers,
        progress=_progress(args),
        max_runs=args.max_runs,
        market=args.scenario or "the default market",
        command=shlex.join(words),
        **kwargs,
    )
    if args.pdf:
        advice.write_pdf(args.pdf)
    if args.html:
        advice.write_html(args.html)
    _emit(
        args,
        advice,
        lambda: advice.comparison.runs,
        advice.figure,
        lambda: "\n".join([advice.sentence(), *advice.changers()]),
    )
    if not args.json:
        for label, path in (("report (HTML)", args.html), ("report (PDF)", args.pdf)):
            if path:
                print(f"{label} written to {path}")
    return 0


def calibrate(args: argparse.Namespace) -> int:
    """``loyaltysim calibrate``: the stylised facts measured on a market."""
    from loyaltysim.evidence.calibration import stylised_facts
    from loyaltysim.policies import Policy
    from loyaltysim.report import format_facts
    from loyaltysim.scenario import Scenario
    from loyaltysim.simulation import json_number, versions

    if args.figure:
        raise ParameterError("--figure", args.figure, "nothing: calibrate draws no figure")
    scenario_table, policy_table = _tables(args)
    scenario = Scenario.from_dict(scenario_table)
    policy = Policy.from_spec(policy_table) if policy_table else None
    replications = whole_number("--replications", args.replications, minimum=1)
    _check_outputs(args)
    table = stylised_facts(
        scenario, policy, replications=replications, rng=args.seed, max_runs=args.max_runs
    )
    written = _write_tables(args, table, "calibrate")
    if args.json:
        facts = table.replace({math.inf: None}).to_dict(orient="records")
        repurchase = {
            outcome: {"share": json_number(share), "failures": int(count)}
            for outcome, (share, count) in table.attrs["repurchase"].items()
        }
        by_loss = {
            size: {
                outcome: {
                    "share": json_number(share),
                    "failures": int(count),
                    "tarp": json_number(tarp),
                }
                for outcome, (share, count, tarp) in outcomes.items()
            }
            for size, outcomes in table.attrs["repurchase_by_loss"].items()
        }
        out = {
            "seed": args.seed,
            "replications": replications,
            "scenario": scenario.changes(),
            "versions": versions(),
            "facts": facts,
            "repurchase_by_outcome": repurchase,
            "repurchase_by_loss": by_loss,
            "note": "high = null: no upper bound",
        }
        print(json.dumps(out, indent=2, default=_json_default))
        return 0
    print(format_facts(table, scenario, replications, args.seed))
    for line in written:
        print(line)
    return 0


def sweep(args: argparse.Namespace) -> int:
    """``loyaltysim sweep``: an experiment file into a results folder (resumable)."""
    from loyaltysim.experiments import Experiment
    from loyaltysim.experiments import sweep as run_sweep

    experiment = Experiment.from_toml(args.experiment, max_runs=args.max_runs)
    return _resumable(
        "tasks",
        args.out,
        lambda: run_sweep(
            experiment,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            overwrite=args.overwrite,
            progress=_progress(args),
            announce=_announce,
        ),
    )


def fit(args: argparse.Namespace) -> int:
    """``loyaltysim fit``: a transaction log or a KPI file into a fit folder (resumable)."""
    from loyaltysim.fitting import fit as run_fit
    from loyaltysim.scenario import Scenario

    columns = {}
    for item in args.columns:
        name, sep, column = item.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise ParameterError("--columns", item, "NAME=COLUMN, e.g. --columns date=OrderDate")
        columns[name.strip()] = column.strip()
    scenario_table, _ = _tables(args)
    return _resumable(
        "generations",
        args.out,
        lambda: run_fit(
            args.data,
            args.out,
            columns=columns,
            claims=args.claims,
            audited_fraud_share=args.audited_fraud_share,
            base=Scenario.from_dict(scenario_table),
            policy=args.policy,
            market_size=args.market_size,
            particles=args.particles,
            generations=args.generations,
            check_draws=args.check_draws,
            rng=args.seed,
            overwrite=args.overwrite,
            progress=_progress(args),
            announce=_announce,
        ),
    )


def search(args: argparse.Namespace) -> int:
    """``loyaltysim search``: a search file into a search folder (resumable)."""
    from loyaltysim.search import Search
    from loyaltysim.search import search as run_search

    definition = Search.from_toml(args.definition, max_runs=args.max_runs)
    return _resumable(
        "trials",
        args.out,
        lambda: run_search(
            definition,
            args.out,
            trials=args.trials,
            workers=args.workers,
            overwrite=args.overwrite,
            progress=_progress(args),
            announce=_announce,
        ),
    )


def robust(args: argparse.Namespace) -> int:
    """``loyaltysim robust``: a search's best candidates over an ensemble of markets."""
    from loyaltysim.robust import read_ranges, robust_choice

    _check_outputs(args)
    result = robust_choice(
        args.search_dir,
        read_ranges(args.over) if args.over is not None else None,
        posterior=args.posterior,
        candidates=args.candidates,
        samples=args.samples,
        replications=args.replications,
        rng=args.seed,
        tolerance=args.tolerance,
        workers=args.workers,
        max_runs=args.max_runs,
    )
    print(result)
    for line in _write_tables(args, result.table, "robust"):
        print(line)
    return 0


def discover(args: argparse.Namespace) -> int:
    """``loyaltysim discover``: PRIM boxes where a condition holds over a sweep's design."""
    from loyaltysim.discovery import discover as find_boxes

    out = args.out if args.out is not None else str(Path(args.results) / "report" / "discover")
    found = find_boxes(args.results, args.where, density=args.density, boxes=args.boxes, out=out)
    print(found)
    print(f"written to {out} (trajectory.csv, boxes.csv, trajectory.png)")
    return 0


def report(args: argparse.Namespace) -> int:
    """``loyaltysim report``: tables and figures of a results folder."""
    from loyaltysim.experiments.analysis import report as write_report

    text, _ = write_report(
        args.results,
        metric=args.metric,
        plugins=not args.no_plugins,
        challenger=args.challenger,
    )
    print(text)
    return 0


def params(args: argparse.Namespace) -> int:
    """``loyaltysim params``: every parameter with its unit, range, meaning and source."""
    from loyaltysim.policies import parameter_rows
    from loyaltysim.scenario import Scenario

    specs = Scenario.specs()
    groups = [*dict.fromkeys(s.group for s in specs), "policy"]
    if args.group is not None and args.group not in groups:
        raise ParameterError("--group", args.group, "one of " + ", ".join(groups))
    rows = [
        {
            "name": s.name,
            "group": s.group,
            "default": s.default,
            "unit": s.unit,
            "accepts": s.accepts,
            "meaning": s.meaning,
            "source": s.source,
        }
        for s in specs
    ]
    rows.extend(parameter_rows())
    if args.group:
        rows = [r for r in rows if r["group"] == args.group]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    current = None
    for row in rows:
        if row["group"] != current:
            current = row["group"]
            print(f"\n[{current}]")
        print(f"  {row['name']} = {row['default']!r}  ({row['unit']}; {row['accepts']})")
        print(f"      {row['meaning']}")
        print(f"      source: {row['source']}")
    return 0


def app(args: argparse.Namespace) -> int:
    """``loyaltysim app``: serve the interactive app on this machine."""
    from loyaltysim.cli.serve import serve_app

    return serve_app(args.host, args.port)
