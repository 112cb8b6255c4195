"""The ``loyaltysim`` command's arguments: one sub-command per job.

Building the parser imports no simulation code, so ``loyaltysim --version``
and ``loyaltysim --help`` answer at once; each command's handler
(:mod:`loyaltysim.cli.commands`) imports what it needs.
"""

from __future__ import annotations

import argparse

from loyaltysim import __version__
from loyaltysim.cli import commands
from loyaltysim.params import MAX_RUNS
from loyaltysim.policies.policy import NAMED_POLICIES

__all__ = ["APP_PORT", "build_parser"]

#: What ``--no-progress`` hides.
PROGRESS_HELP = "show no progress (a bar on a terminal, a line every few seconds in a log or pipe)"

#: The port ``loyaltysim app`` serves on by default.
APP_PORT = 8765


def _scenario_options(p: argparse.ArgumentParser, seed: int | None = None) -> None:
    """``--scenario``, ``--set``, ``--seed`` and the output options of the simulating commands.

    Args:
        p: The sub-command's parser.
        seed: The seed the command uses when none is given (``None``: fresh entropy).
    """
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
        "--seed",
        type=int,
        default=seed,
        help="seed of every random draw (default: "
        + ("fresh entropy, printed with the results)" if seed is None else "%(default)s)"),
    )
    p.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p.add_argument("--csv", metavar="PATH", help="also write the results table as CSV")
    p.add_argument(
        "--xlsx", metavar="PATH", help="also write the results table as an Excel workbook"
    )
    p.add_argument("--figure", metavar="PATH", help="also save a figure (.png, .pdf or .svg)")


def _max_runs_option(p: argparse.ArgumentParser) -> None:
    """``--max-runs``: the stated limit on the runs one command makes."""
    p.add_argument(
        "--max-runs",
        type=int,
        default=MAX_RUNS,
        metavar="N",
        help=f"most runs (points x replications x policies) to accept (default {MAX_RUNS:,}); "
        "raise it on a machine that can run more",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command, each bound to its handler."""
    parser = argparse.ArgumentParser(
        prog="loyaltysim",
        description="Simulate how a firm's customer-service policy changes long-run profit "
        "and word of mouth.",
        epilog="Parameters: `loyaltysim params`. Exit status 2 means bad input.",
    )
    parser.add_argument("--version", action="version", version=f"loyaltysim {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_run = sub.add_parser("run", help="simulate one scenario under one policy")
    _scenario_options(p_run)
    p_run.add_argument(
        "--policy",
        default=None,
        help=f"named policy ({', '.join(NAMED_POLICIES)}); default: the file's [policy] "
        "table, else always_compensate",
    )
    p_run.add_argument(
        "--claims",
        metavar="PATH",
        help="also write the claim log, one row per claim (.parquet or .csv)",
    )
    p_run.set_defaults(handler=commands.run)

    p_cmp = sub.add_parser(
        "compare",
        help="compare policies on one scenario with paired replications",
        description="Compare policies with paired replications and common random numbers; "
        "a [policy] table in the scenario file (or --set policy.*) is compared too. With "
        "--posterior DIR (a folder written by `loyaltysim fit`), compare them in markets drawn "
        "from the fit's posterior by their weights (the fit's scenario.toml with each draw's "
        "values; --set changes the rest) and report, against the first policy, the "
        "probability of beating it and the expected NPV difference with its interval, split "
        "into the fit's parameter uncertainty and run-to-run noise.",
    )
    _scenario_options(p_cmp)
    p_cmp.add_argument(
        "--policies",
        default=",".join(NAMED_POLICIES),
        help="comma-separated named policies (default: %(default)s)",
    )
    p_cmp.add_argument(
        "--replications",
        type=int,
        default=None,
        help="paired replications (default 20; with --posterior, 5 in each draw)",
    )
    p_cmp.add_argument(
        "--posterior",
        metavar="DIR",
        default=None,
        help="a fit folder: compare in markets drawn from its posterior (see above)",
    )
    p_cmp.add_argument(
        "--draws",
        type=int,
        default=None,
        metavar="N",
        help="with --posterior: posterior draws, resampled by their weights (default 20)",
    )
    p_cmp.add_argument("--no-progress", action="store_true", help=PROGRESS_HELP)
    _max_runs_option(p_cmp)
    p_cmp.set_defaults(handler=commands.compare)

    p_rec = sub.add_parser(
        "recommend",
        help="a one-page client report (HTML and PDF): which policy to run, and what would "
        "change the answer",
        description="Compare candidate policies with a baseline (paired replications, common "
        "random numbers) and recommend one only when it beats the baseline beyond the noise "
        "(95%% CI above 0) by at least the materiality threshold; otherwise keep the baseline. "
        "The assumptions that may decide the answer are scanned over their plausible ranges. "
        "A [policy] table in the scenario file (or --set policy.*) is a candidate too. "
        "About 2 minutes on the default market.",
    )
    _scenario_options(p_rec, seed=2026)
    p_rec.add_argument(
        "--policies",
        default=",".join(NAMED_POLICIES),
        help="comma-separated named policies (default: %(default)s)",
    )
    p_rec.add_argument(
        "--baseline", default=None, help="the policy run today (default: the first policy)"
    )
    p_rec.add_argument(
        "--materiality",
        type=float,
        default=None,
        metavar="SHARE",
        help="smallest gain worth a change, as a share of the baseline's NPV (default 0.01; "
        "a gain under 1%% does not pay for changing a policy, and the unsourced assumptions "
        "move NPV by more)",
    )
    p_rec.add_argument(
        "--materiality-usd",
        type=float,
        default=None,
        metavar="USD",
        help="the smallest gain worth a change, in USD (instead of --materiality)",
    )
    p_rec.add_argument(
        "--replications", type=int, default=20, help="paired replications (default 20)"
    )
    p_rec.add_argument(
        "--levels",
        type=int,
        default=None,
        help="levels of each assumption's range in the scan (default 3)",
    )
    p_rec.add_argument(
        "--scan-replications",
        type=int,
        default=None,
        help="paired replications per level of the scan (default 10; 0: no scan)",
    )
    p_rec.add_argument("--html", metavar="PATH", help="write the report as HTML")
    p_rec.add_argument("--pdf", metavar="PATH", help="write the report as PDF")
    p_rec.add_argument("--workers", type=int, default=None, help="worker processes (default 1)")
    p_rec.add_argument("--no-progress", action="store_true", help=PROGRESS_HELP)
    _max_runs_option(p_rec)
    p_rec.set_defaults(handler=commands.recommend)

    p_case = sub.add_parser(
        "case",
        help="run a story from the case library (--list to see them)",
        description="Run one case of the case library: the policies its story compares, "
        "in its market (changed further by --scenario and --set), with a reading of the result. "
        "The stories (story 0 to story 4) are told in papers/stories.md.",
    )
    p_case.add_argument("name", nargs="?", help="the case to run")
    p_case.add_argument("--list", action="store_true", help="list the cases and exit")
    _scenario_options(p_case, seed=2026)
    p_case.add_argument(
        "--replications", type=int, default=None, help="paired replications (default: the case's)"
    )
    p_case.add_argument(
        "--robustness",
        action="store_true",
        help="also scan each assumption no source pins down over its range and print where "
        "the verdict changes sign",
    )
    p_case.add_argument(
        "--levels",
        type=int,
        default=None,
        help="with --robustness: evenly spaced levels of each assumption's range (default 5)",
    )
    p_case.add_argument("--no-progress", action="store_true", help=PROGRESS_HELP)
    _max_runs_option(p_case)
    p_case.set_defaults(handler=commands.case)

    p_cal = sub.add_parser(
        "calibrate",
        help="measure the literature's stylised facts (TARP, NRF, Reichheld, ...) on a market",
        description="Run the market (default: the default market) and print each published "
        "fact next to what the model produces, the tolerance it is held to and its source "
        "(papers/odd.md section 1 lists the facts; papers/paper.md, the references).",
    )
    _scenario_options(p_cal, seed=0)
    p_cal.add_argument(
        "--replications", type=int, default=4, help="runs pooled (default %(default)s)"
    )
    _max_runs_option(p_cal)
    p_cal.set_defaults(handler=commands.calibrate)

    p_sweep = sub.add_parser(
        "sweep",
        help="run a policy experiment (TOML) into a results folder; re-run to resume",
        description="Run every task of an experiment file, writing each finished task to "
        "DIR at once; killed or interrupted, the same command resumes where it stopped. "
        "One sweep at a time writes DIR (a second is refused while the first runs); "
        "damaged result files are found and their tasks run again.",
    )
    p_sweep.add_argument("experiment", help="experiment TOML file (see examples in experiments/)")
    p_sweep.add_argument("--out", required=True, metavar="DIR", help="results folder")
    p_sweep.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default 1; at most 4 per core of this machine)",
    )
    p_sweep.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler address (tcp://host:8786; tls:// with Dask's TLS settings), or "
        "'local' for a LocalCluster of --workers workers; the cluster runs the experiment's code "
        "and returns pickled results, so it must be trusted",
    )
    p_sweep.add_argument(
        "--overwrite",
        action="store_true",
        help="discard the results in DIR (any folder a sweep wrote, damaged or not); start anew",
    )
    p_sweep.add_argument("--no-progress", action="store_true", help=PROGRESS_HELP)
    _max_runs_option(p_sweep)
    p_sweep.set_defaults(handler=commands.sweep)

    p_fit = sub.add_parser(
        "fit",
        help="fit the market to a client's transaction log or KPIs (ABC-SMC); re-run to resume",
        description="Estimate the market parameters a client's data inform (purchase rate and "
        "its spread, base churn and its loyalty dependence, acquisition, the starting customer "
        "share; with claims, the complaint propensity, the fraud propensity and the public "
        "share) by ABC-SMC (pyabc), and the basket in closed form. DATA is told by its suffix: "
        "a transaction log (.csv or .parquet) with columns customer_id, date (ISO) and "
        "amount_usd (see --columns), or a KPI file (.toml) whose [kpis] table holds the "
        "client's monthly figures (examples/kpis.toml; README, 'Fit to your data'): only the "
        "parameters the given KPIs inform are fitted, the rest keep the base market's value and "
        "are reported as not informed. DIR receives posterior.parquet, scenario.toml (posterior "
        "medians, for --scenario), parameters.csv, predictive.csv, report.md and its figures; "
        "killed or interrupted, the same command continues from the last whole generation; a "
        "changed configuration is refused.",
    )
    p_fit.add_argument(
        "data",
        metavar="DATA",
        help="transaction log (.csv or .parquet) or KPI file (.toml), told by the suffix",
    )
    p_fit.add_argument("--out", required=True, metavar="DIR", help="fit folder")
    p_fit.add_argument(
        "--columns",
        action="append",
        default=[],
        metavar="NAME=COLUMN",
        help="the file's column for customer_id, date or amount_usd (repeatable)",
    )
    p_fit.add_argument(
        "--claims",
        metavar="FILE",
        default=None,
        help="claims log beside a transaction log (.csv or .parquet): customer_id, date, "
        "value_usd, outcome (refunded, paid, checked_paid, deflected, rejected, reversed) and "
        "optionally public (true/false); adds the claim rate, public complaint rate and refund "
        "share to the summaries and fits the claim parameters",
    )
    p_fit.add_argument(
        "--audited-fraud-share",
        type=float,
        default=None,
        metavar="X",
        help="share of audited claims found fraudulent, in [0, 1] (informs the fraud "
        "propensity; with a KPI file it replaces the file's audited_fraud_share)",
    )
    p_fit.add_argument(
        "--scenario", metavar="FILE", help="TOML file of the base market (its [scenario] table)"
    )
    p_fit.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a parameter of the base market (repeatable)",
    )
    p_fit.add_argument(
        "--policy",
        default="always_compensate",
        help=f"the named policy the firm ran ({', '.join(NAMED_POLICIES)})",
    )
    p_fit.add_argument(
        "--market-size",
        type=int,
        default=None,
        metavar="N",
        help="people in the market: prospects, customers, lapsed (default: 3 x the log's "
        "customers, or 3 x a KPI file's active_customers, else 5,000)",
    )
    p_fit.add_argument(
        "--particles", type=int, default=100, help="particles per generation (default 100)"
    )
    p_fit.add_argument("--generations", type=int, default=6, help="ABC-SMC generations (default 6)")
    p_fit.add_argument(
        "--check-draws",
        type=int,
        default=40,
        metavar="N",
        help="posterior draws simulated for the predictive check (default 40)",
    )
    p_fit.add_argument("--seed", type=int, default=2026, help="seed of every draw (2026)")
    p_fit.add_argument(
        "--overwrite", action="store_true", help="discard a fit of another configuration in DIR"
    )
    p_fit.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p_fit.set_defaults(handler=commands.fit)
    p_search = sub.add_parser(
        "search",
        help="search policy levers for the best policy or a Pareto front; re-run to resume",
        description="Search the levers a search file declares (rules, rule parameters with "
        "ranges) for the best candidate on its objectives (mean, quantile or CVaR of a run "
        "outcome) under its constraints: TPE for one objective, NSGA-II for several (Optuna). "
        "Every candidate runs on the same replication seeds (common random numbers). DIR "
        "receives trials.csv and trials.parquet, best.csv, candidates/trial_NNNN.toml (for "
        "--scenario), levers.png, pareto.png (several objectives) and report.md; the study is "
        "DIR/search.db (SQLite), so a killed or interrupted search resumes when the same "
        "command runs again, and --trials N with a larger N continues a finished one.",
    )
    p_search.add_argument(
        "definition", metavar="SEARCH", help="search TOML file (see the README, 'Lever search')"
    )
    p_search.add_argument("--out", required=True, metavar="DIR", help="search folder")
    p_search.add_argument(
        "--trials",
        type=int,
        default=None,
        metavar="N",
        help="candidates in all (default: the file's trials)",
    )
    p_search.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes for a candidate's replications (default 1)",
    )
    p_search.add_argument(
        "--overwrite", action="store_true", help="discard a search of another definition in DIR"
    )
    p_search.add_argument("--no-progress", action="store_true", help=PROGRESS_HELP)
    _max_runs_option(p_search)
    p_search.set_defaults(handler=commands.search)

    p_rob = sub.add_parser(
        "robust",
        help="a search's best candidates over a Latin hypercube of market ranges: the robust one",
        description="Run the K best feasible candidates of a finished search (ranked by its "
        "first objective) over a Latin hypercube of the scenario ranges in RANGES.toml (an "
        "[uncertainties] table, as in an experiment file) or over draws from a fit's posterior "
        "(--posterior), every candidate on the same "
        "replication seeds in every market (common random numbers). Prints each candidate's "
        "mean score, mean and max regret (its shortfall against the best candidate in each "
        "market) and satisficing share (markets where its regret is within --tolerance), the "
        "robust candidate (least max regret) and what it gives up in the expected case against "
        "the best mean, with a paired 95%% interval over the markets.",
    )
    p_rob.add_argument("search_dir", metavar="SEARCH_DIR", help="folder of a finished search")
    ensemble = p_rob.add_mutually_exclusive_group(required=True)
    ensemble.add_argument(
        "--over",
        metavar="RANGES",
        help="TOML file with an [uncertainties] table, e.g. honesty_mean = { low = 0.6, "
        "high = 0.95 }",
    )
    ensemble.add_argument(
        "--posterior",
        metavar="FIT_DIR",
        help="instead: markets drawn from the posterior of a fit folder (loyaltysim fit), "
        "in the fit's market",
    )
    p_rob.add_argument(
        "--candidates", type=int, default=3, metavar="K", help="candidates (default %(default)s)"
    )
    p_rob.add_argument(
        "--samples",
        type=int,
        default=8,
        metavar="N",
        help="markets: design points or posterior draws (default %(default)s)",
    )
    p_rob.add_argument(
        "--replications",
        type=int,
        default=None,
        metavar="R",
        help="replications per candidate and market (default: the search's)",
    )
    p_rob.add_argument(
        "--seed", type=int, default=None, help="root seed (default: the search's seed)"
    )
    p_rob.add_argument(
        "--tolerance",
        type=float,
        default=None,
        metavar="X",
        help="satisficing: regret at most X in the objective's unit (default: 1%% of the mean "
        "absolute best score)",
    )
    p_rob.add_argument("--workers", type=int, default=None, help="worker processes (default 1)")
    p_rob.add_argument("--csv", metavar="PATH", help="also write the candidates table as CSV")
    p_rob.add_argument(
        "--xlsx", metavar="PATH", help="also write the candidates table as an Excel workbook"
    )
    _max_runs_option(p_rob)
    p_rob.set_defaults(handler=commands.robust, figure=None)

    p_disc = sub.add_parser(
        "discover",
        help="where in a sweep's design a condition holds: PRIM boxes (scenario discovery)",
        description="Find the regions of a sweep's design (its uncertainties) where a condition "
        "on the policies' outcomes holds, by PRIM (ema_workbench): each box's parameter limits, "
        "coverage, density and mass, and the peeling trajectory. The condition uses "
        "OUTCOME[POLICY] terms, each the mean over a design point's replications, with numbers, "
        "+ - * /, comparisons, and, or, not: --where 'npv_usd[verify_first] > "
        "npv_usd[always_compensate]' (npv for npv_usd). Writes trajectory.csv, boxes.csv and "
        "trajectory.png to DIR/report/discover (or --out). Needs the ema extra.",
    )
    p_disc.add_argument("results", metavar="DIR", help="results folder written by sweep")
    p_disc.add_argument("--where", required=True, metavar="EXPR", help="the condition (see above)")
    p_disc.add_argument(
        "--density",
        type=float,
        default=0.8,
        help="density the chosen box must reach (default %(default)s; else the densest peel)",
    )
    p_disc.add_argument(
        "--boxes", type=int, default=1, help="boxes to find, one after another (default 1)"
    )
    p_disc.add_argument(
        "--out", default=None, metavar="FOLDER", help="where to write (default DIR/report/discover)"
    )
    p_disc.set_defaults(handler=commands.discover)

    p_rep = sub.add_parser(
        "report",
        help="tables and figures of a results folder",
        description="Tables and figures of a results folder, written to DIR/report. The folder's "
        "metadata.json may name plug-in rules ('module:Class'), which are imported (their code "
        "runs); --no-plugins reads a folder from elsewhere without importing them.",
    )
    p_rep.add_argument("results", metavar="DIR", help="results folder written by sweep")
    p_rep.add_argument(
        "--metric", default="npv_usd", help="run metric to compare (default %(default)s)"
    )
    p_rep.add_argument(
        "--challenger",
        default=None,
        metavar="POLICY",
        help="policy the break-even map sets against the baseline (default: the one with the "
        "largest paired difference over the design)",
    )
    p_rep.add_argument(
        "--no-plugins",
        action="store_true",
        help="import no plug-in rule the folder names; their policies are shown by name",
    )
    p_rep.set_defaults(handler=commands.report)

    p_par = sub.add_parser(
        "params",
        help="list every parameter with unit, range and source",
        description="List every parameter with its unit, range, meaning and source. A source "
        "cites the literature (references in papers/paper.md), a section of the model "
        "description (papers/odd.md) or a source story (story 0 to story 4, told in "
        "papers/stories.md); 'stated assumption' marks a modelling choice.",
    )
    p_par.add_argument("--json", action="store_true", help="print machine-readable JSON")
    p_par.add_argument("--group", default=None, help="only this group (e.g. claims, churn)")
    p_par.set_defaults(handler=commands.params)

    p_app = sub.add_parser(
        "app",
        help="serve the interactive app (policy levers, network, live plots) on this machine",
        description="Serve the app of loyaltysim.app on this machine only, then open "
        "the printed address in a browser; Ctrl-C stops it. Needs the app extra: "
        "pip install 'loyaltysim[app]'.",
    )
    p_app.add_argument("--port", type=int, default=APP_PORT, help="port (default %(default)s)")
    p_app.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to listen on: 127.0.0.1 (default), ::1 or localhost",
    )
    p_app.set_defaults(handler=commands.app)
    return parser
