"""The ``loyaltysim`` command line: ``run``, ``compare`` and ``params``.

Every problem with the input is reported as one line on stderr naming the
parameter, what it got and what it accepts, with exit status 2 and nothing
written to disk. Output files are written only when the work succeeded, each
through a temporary file renamed into place.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from loyaltysim._io import write_atomic
from loyaltysim.errors import LoyaltysimError, ParameterError
from loyaltysim.policies import (
    DIMENSION_SEEDS,
    DIMENSIONS,
    NAMED_POLICIES,
    Policy,
    registered_rules,
    rule_parameter_specs,
)
from loyaltysim.scenario import Scenario, load_scenario_file, parse_value
from loyaltysim.simulation import (
    KEY_METRICS,
    Comparison,
    RunResult,
    compare,
    json_number,
    run,
    versions,
)

__all__ = ["main"]

FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
APP_PORT = 8765
#: What ``loyaltysim app`` needs beyond the core dependencies (the ``app`` extra).
APP_MODULES = ("solara", "altair")


def _parser() -> argparse.ArgumentParser:
    from loyaltysim import __version__

    parser = argparse.ArgumentParser(
        prog="loyaltysim",
        description="Simulate how a firm's customer-service policy changes long-run profit "
        "and word of mouth.",
        epilog="Parameters: `loyaltysim params`. Exit status 2 means bad input.",
    )
    parser.add_argument("--version", action="version", version=f"loyaltysim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def scenario_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--scenario",
            metavar="FILE",
            help="TOML file with a [scenario] table (and optionally a [policy] table)",
        )
        p.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="override a parameter (repeatable); policy.NAME=VALUE sets the policy",
        )
        p.add_argument(
            "--seed", type=int, default=None, help="seed of every random draw (default: fresh)"
        )
        p.add_argument("--json", action="store_true", help="print machine-readable JSON")
        p.add_argument("--csv", metavar="PATH", help="also write the results table as CSV")
        p.add_argument("--figure", metavar="PATH", help="also save a figure (.png, .pdf or .svg)")

    p_run = sub.add_parser("run", help="simulate one scenario under one policy")
    scenario_options(p_run)
    p_run.add_argument(
        "--policy",
        default=None,
        help=f"named policy ({', '.join(NAMED_POLICIES)}); default: the file's [policy] "
        "table, else always_compensate",
    )
    p_run.set_defaults(handler=_cmd_run)

    p_cmp = sub.add_parser(
        "compare",
        help="compare policies on one scenario with paired replications",
        description="Compare policies with paired replications and common random numbers; "
        "a [policy] table in the scenario file (or --set policy.*) is compared too.",
    )
    scenario_options(p_cmp)
    p_cmp.add_argument(
        "--policies",
        default=",".join(NAMED_POLICIES),
        help="comma-separated named policies (default: the four named policies)",
    )
    p_cmp.add_argument("--replications", type=int, default=20, help="paired replications")
    p_cmp.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p_cmp.set_defaults(handler=_cmd_compare)

    p_case = sub.add_parser(
        "case",
        help="run a story from the case library (--list to see them)",
        description="Run one case of the case library: the policies its story compares, "
        "in its market (changed further by --scenario and --set), with a reading of the result.",
    )
    p_case.add_argument("name", nargs="?", help="the case to run")
    p_case.add_argument("--list", action="store_true", help="list the cases and exit")
    scenario_options(p_case)
    p_case.add_argument(
        "--replications", type=int, default=None, help="paired replications (default: the case's)"
    )
    p_case.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p_case.set_defaults(handler=_cmd_case, seed=2026)

    p_cal = sub.add_parser(
        "calibrate",
        help="measure the stylised facts of MODEL.md section 6 on a market",
        description="Run the market (default: the default market) and print each published "
        "fact next to what the model produces and the tolerance it is held to.",
    )
    scenario_options(p_cal)
    p_cal.add_argument("--replications", type=int, default=4, help="runs pooled (default 4)")
    p_cal.set_defaults(handler=_cmd_calibrate, seed=0)

    p_sweep = sub.add_parser(
        "sweep",
        help="run a policy experiment (TOML) into a results folder; re-run to resume",
        description="Run every task of an experiment file, writing each finished task to "
        "DIR at once; killed or interrupted, the same command resumes where it stopped.",
    )
    p_sweep.add_argument("experiment", help="experiment TOML file (see examples in experiments/)")
    p_sweep.add_argument("--out", required=True, metavar="DIR", help="results folder")
    p_sweep.add_argument("--workers", type=int, default=None, help="worker processes (default 1)")
    p_sweep.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address, or 'local' for a LocalCluster of --workers workers",
    )
    p_sweep.add_argument("--overwrite", action="store_true", help="discard results already in DIR")
    p_sweep.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p_sweep.set_defaults(handler=_cmd_sweep)

    p_rep = sub.add_parser("report", help="tables and figures of a results folder")
    p_rep.add_argument("results", metavar="DIR", help="results folder written by sweep")
    p_rep.add_argument("--metric", default="npv_usd", help="run metric to compare (npv_usd)")
    p_rep.set_defaults(handler=_cmd_report)

    p_par = sub.add_parser("params", help="list every parameter with unit, range and source")
    p_par.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p_par.add_argument("--group", default=None, help="only this group (e.g. claims, churn)")
    p_par.set_defaults(handler=_cmd_params)

    p_app = sub.add_parser(
        "app",
        help="serve the interactive app (policy levers, network, live plots) on this machine",
        description="Serve the SolaraViz app of loyaltysim.app on this machine only, then open "
        "the printed address in a browser; Ctrl-C stops it. Needs the app extra: "
        "pip install 'loyaltysim[app]'.",
    )
    p_app.add_argument("--port", type=int, default=APP_PORT, help=f"port (default {APP_PORT})")
    p_app.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to listen on: 127.0.0.1 (default), ::1 or localhost",
    )
    p_app.set_defaults(handler=_cmd_app)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``loyaltysim`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except LoyaltysimError as exc:
        print(f"loyaltysim: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `loyaltysim params | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("loyaltysim: interrupted; nothing was written", file=sys.stderr)
        return 130


# ---------------------------------------------------------------------------
# Input


def _tables(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``[scenario]`` and ``[policy]`` tables from ``--scenario`` and ``--set``, as given."""
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


def _inputs(args: argparse.Namespace) -> tuple[Scenario, dict[str, Any]]:
    """Scenario and policy table from ``--scenario`` and ``--set``, validated."""
    scenario_table, policy_table = _tables(args)
    return Scenario.from_dict(scenario_table), policy_table


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse bad output paths before any work is done."""
    for option, path, suffixes in (
        ("--figure", args.figure, FIGURE_SUFFIXES),
        ("--csv", args.csv, (".csv",)),
    ):
        if path is None:
            continue
        target = Path(path)
        if target.suffix.lower() not in suffixes:
            raise ParameterError(option, path, "a path ending in " + ", ".join(suffixes))
        if target.exists() and target.is_dir():
            raise ParameterError(option, path, "a file path, not a directory")


def _emit(
    args: argparse.Namespace,
    outcome: RunResult | Comparison,
    write_csv: Callable[[str], None],
    plot: Callable[[Any], Any],
    describe: Callable[[Any], str],
) -> None:
    """Write the requested files (atomically), then print JSON or the text report."""
    if args.csv:
        write_atomic(args.csv, write_csv)
    if args.figure:
        write_atomic(args.figure, lambda p: plot(outcome).savefig(p, dpi=120))
    if args.json:
        print(json.dumps(outcome.to_dict(), indent=2, default=_json_default))
        return
    print(describe(outcome))
    for label, path in (("figure", args.figure), ("table", args.csv)):
        if path:
            print(f"{label} written to {path}")


# ---------------------------------------------------------------------------
# Commands


def _cmd_run(args: argparse.Namespace) -> int:
    scenario, policy_table = _inputs(args)
    if args.policy is not None:
        policy = Policy.from_spec({"preset": args.policy, **policy_table})
    else:
        policy = (
            Policy.from_spec(policy_table) if policy_table else Policy.preset("always_compensate")
        )
    _check_outputs(args)
    result = run(scenario, policy, seed=args.seed)
    from loyaltysim.plotting import plot_run

    _emit(args, result, lambda p: result.monthly.to_csv(p), plot_run, _format_run)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    scenario, policy_table = _inputs(args)
    names = [name.strip() for name in args.policies.split(",") if name.strip()]
    policies: list[Policy] = [Policy.preset(name) for name in names]
    if policy_table:
        policy_table.setdefault("name", "your_policy")
        policies.append(Policy.from_spec(policy_table))
    if not isinstance(args.replications, int) or args.replications < 1:
        raise ParameterError("--replications", args.replications, "a whole number >= 1")
    _check_outputs(args)
    comparison = compare(
        scenario,
        policies,
        replications=args.replications,
        seed=args.seed,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    from loyaltysim.plotting import plot_comparison

    _emit(
        args,
        comparison,
        lambda p: comparison.runs.to_csv(p, index=False),
        plot_comparison,
        _format_comparison,
    )
    return 0


def _replications(value: Any) -> int:
    if not isinstance(value, int) or value < 1:
        raise ParameterError("--replications", value, "a whole number >= 1")
    return value


def _cmd_case(args: argparse.Namespace) -> int:
    from loyaltysim.cases import CASES, get_case

    if args.list:
        width = max(len(name) for name in CASES)
        for name, case in CASES.items():
            print(f"{name:<{width}}  {case.title}")
            print(f"{'':<{width}}  {case.story}")
        return 0
    if args.name is None:
        raise ParameterError("case", None, "a case name (see `loyaltysim case --list`)")
    case = get_case(args.name)
    scenario_table, policy_table = _tables(args)
    if policy_table:
        raise ParameterError(
            "policy",
            policy_table,
            "no [policy] table or policy.* settings: a case compares "
            "its own policies (use `loyaltysim compare` for yours)",
        )
    scenario = Scenario.from_dict({**case.changes, **scenario_table})
    replications = _replications(args.replications) if args.replications is not None else None
    _check_outputs(args)
    result = case.run(
        replications=replications,
        seed=args.seed,
        scenario=scenario,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    from loyaltysim.plotting import plot_comparison

    _emit(
        args,
        result,
        lambda p: result.comparison.runs.to_csv(p, index=False),
        lambda r: plot_comparison(r.comparison),
        _format_case,
    )
    return 0


def _changed(scenario: Scenario) -> dict[str, Any]:
    """The parameters of ``scenario`` that differ from the defaults."""
    default = Scenario()
    return {k: v for k, v in scenario.to_dict().items() if getattr(default, k) != v}


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from loyaltysim.calibration import stylised_facts

    if args.figure:
        raise ParameterError("--figure", args.figure, "nothing: calibrate draws no figure")
    scenario, policy_table = _inputs(args)
    policy = Policy.from_spec(policy_table) if policy_table else None
    replications = _replications(args.replications)
    _check_outputs(args)
    table = stylised_facts(scenario, policy, replications=replications, seed=args.seed)
    if args.csv:
        write_atomic(args.csv, lambda p: table.to_csv(p, index=False))
    if args.json:
        facts = table.replace({math.inf: None}).to_dict(orient="records")
        repurchase = {
            outcome: {"share": json_number(share), "failures": int(count)}
            for outcome, (share, count) in table.attrs["repurchase"].items()
        }
        out = {
            "seed": args.seed,
            "replications": replications,
            "scenario": _changed(scenario),
            "versions": versions(),
            "facts": facts,
            "repurchase_by_outcome": repurchase,
            "note": "high = null: no upper bound",
        }
        print(json.dumps(out, indent=2, default=_json_default))
        return 0
    print(
        f"loyaltysim calibrate — N={scenario.n_customers:,}, {scenario.horizon_months} months, "
        f"{replications} runs pooled, seed {args.seed}\n"
    )
    for _, row in table.iterrows():
        mark = "ok " if row["within"] else "OUT"
        high = "inf" if math.isinf(row["high"]) else f"{row['high']:g}"
        print(f"  [{mark}] {row['fact']:<52} {row['value']:8.3f}   in [{row['low']:g}, {high}]")
        print(f"        {row['source']}")
    print("\nrepurchase within 6 months of a failure, by complaint outcome:")
    for outcome, (share, count) in table.attrs["repurchase"].items():
        print(f"  {outcome:<28} {share:6.3f}  ({count:,.0f} failures)")
    if args.csv:
        print(f"table written to {args.csv}")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from loyaltysim.experiments import Experiment, sweep

    experiment = Experiment.from_toml(args.experiment)
    print(experiment.describe(), file=sys.stderr)
    try:
        summary = sweep(
            experiment,
            args.out,
            workers=args.workers,
            scheduler=args.scheduler,
            overwrite=args.overwrite,
            progress=not args.no_progress and sys.stderr.isatty(),
        )
    except KeyboardInterrupt:
        print(
            f"loyaltysim: interrupted; finished tasks are saved in {args.out}; "
            "run the same command to resume",
            file=sys.stderr,
        )
        return 130
    print(summary)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from loyaltysim.experiments.analysis import report

    text, _ = report(args.results, metric=args.metric)
    print(text)
    return 0


def _cmd_params(args: argparse.Namespace) -> int:
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
    rows.extend(_policy_rows())
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


def _cmd_app(args: argparse.Namespace) -> int:
    import ipaddress
    import os
    import socket
    import warnings
    from importlib.util import find_spec

    if not 1 <= args.port <= 65535:
        raise ParameterError("--port", args.port, "a whole number in [1, 65535]")
    try:
        loopback = args.host == "localhost" or ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ParameterError(
            "--host",
            args.host,
            "a loopback address: 127.0.0.1, ::1 or localhost",
            "the app runs simulations for whoever reaches it and has no login; "
            "to use it from another machine, forward the port over ssh",
        )
    missing = [name for name in APP_MODULES if find_spec(name) is None]
    if missing:
        raise LoyaltysimError(
            f"the app needs {' and '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
            "not installed; install them with: pip install 'loyaltysim[app]'"
        )
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            raise ParameterError(
                "--port", args.port, "a free port", f"{args.host}:{args.port}: {exc.strerror}"
            ) from None
    # Set before solara is imported: its settings are read from the environment then.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # no calls home
    from solara.__main__ import run as solara_run

    # Solara warns on every page load over plain http at 127.0.0.1 (not "localhost") that its
    # cookie falls back to samesite=lax: expected for a local app, so not shown.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)

    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"loyaltysim app: http://{shown}:{args.port} (Ctrl-C stops it)", file=sys.stderr)
    solara_run.main(
        [
            "loyaltysim.app:Page",
            "--host",
            args.host,
            "--port",
            str(args.port),
            "--production",
            "--no-open",
            "--no-check-version",
        ],
        prog_name="loyaltysim app",
        standalone_mode=False,
    )
    return 0


def _policy_rows() -> list[dict[str, Any]]:
    """``params`` rows of the policy: each dimension, then each rule's parameters."""
    rows: list[dict[str, Any]] = [
        {
            "name": "policy.preset",
            "group": "policy",
            "default": "(none)",
            "unit": "name",
            "accepts": "one of " + ", ".join(NAMED_POLICIES),
            "meaning": "start from a named policy",
            "source": "MODEL.md section 4",
        }
    ]
    for dimension, (base, default) in DIMENSIONS.items():
        rules = registered_rules(dimension)
        rows.append(
            {
                "name": f"policy.{dimension}",
                "group": "policy",
                "default": default.name,
                "unit": "rule",
                "accepts": "one of " + ", ".join(repr(r) for r in rules) + " or 'module:ClassName'",
                "meaning": (base.__doc__ or "").strip().splitlines()[0],
                "source": f"MODEL.md section 4; {DIMENSION_SEEDS[dimension]}",
            }
        )
        for rule_name, rule in rules.items():
            rows.extend(
                {
                    "name": f"policy.{spec.name} ({rule_name})",
                    "group": "policy",
                    "default": spec.default,
                    "unit": spec.unit,
                    "accepts": spec.accepts,
                    "meaning": f"with {dimension} = {rule_name!r}: {spec.meaning}",
                    "source": spec.source,
                }
                for spec in rule_parameter_specs(rule)
            )
    return rows


# ---------------------------------------------------------------------------
# Output


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def _num(value: float, spec: str = ",.0f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if spec == ",.0f" and value != int(value) and abs(value) < 10:
        spec = ".3f"  # rates and shares
    return format(value, spec)


def _provenance(seed: dict[str, Any]) -> str:
    v = versions()
    return (
        f"seed {seed['entropy']}"
        + (f" spawn_key {seed['spawn_key']}" if seed["spawn_key"] else "")
        + f" | loyaltysim {v['loyaltysim']}, mesa {v['mesa']}, numpy {v['numpy']}"
    )


def _format_run(result: RunResult) -> str:
    s, sc = result.summary, result.scenario
    lines = [
        f"loyaltysim run — policy {result.policy.name} "
        f"({result.policy.describe()}), N={sc.n_customers:,}, {sc.horizon_months} months",
        "",
    ]
    width = max(len(k) for k in s)
    lines += [f"  {key:<{width}}  {_num(value)}" for key, value in s.items()]
    lines += ["", _provenance(result.seed)]
    return "\n".join(lines)


def _format_case(result: Any) -> str:
    case = result.case
    changes = ", ".join(f"{k}={v}" for k, v in _changed(result.comparison.scenario).items())
    lines = [
        f"{case.title}",
        f"  story: {case.story}",
        "  market: the default market" + (f" with {changes}" if changes else ""),
        "",
        _format_comparison(result.comparison),
        "",
        textwrap.fill(result.reading(), width=100),
    ]
    return "\n".join(lines)


def _format_comparison(comparison: Comparison) -> str:
    sc = comparison.scenario
    table = comparison.table()
    header = [f"{'policy':<20}"] + [f"{label:>30}" for label, _ in KEY_METRICS.values()]
    lines = [
        f"loyaltysim compare — {len(comparison.policies)} policies x "
        f"{comparison.replications} paired replications, N={sc.n_customers:,}, "
        f"{sc.horizon_months} months; mean [95% CI]",
        "",
        "".join(header),
    ]
    for name, row in table.iterrows():
        cells = [f"{name:<20}"]
        for metric, (_, spec) in KEY_METRICS.items():
            low, high = row[metric + "_low"], row[metric + "_high"]
            cell = f"{_num(row[metric], spec)} [{_num(low, spec)}, {_num(high, spec)}]"
            cells.append(f"{cell:>30}")
        lines.append("".join(cells))
    baseline = comparison.policies[0]
    lines += ["", f"Paired NPV difference vs {baseline} (common random numbers), USD:"]
    for name, row in comparison.paired().drop(baseline).iterrows():
        lines.append(
            f"  {name:<20} {row['difference']:>+12,.0f}  [{row['low']:+,.0f}, {row['high']:+,.0f}]"
        )
    lines += ["", comparison.verdict(), _provenance(comparison.seed)]
    return "\n".join(lines)
