"""Fit the market's hidden parameters to a client's transaction log by ABC-SMC (pyabc).

The parameters a transaction log can inform (:data:`FITTED`: purchase rate
and its heterogeneity, base churn and its loyalty dependence, acquisition)
are estimated by approximate Bayesian computation with sequential Monte
Carlo (Beaumont et al. 2009; Toni et al. 2009) as :mod:`pyabc` implements
it (Schälte et al. 2022): each candidate market is simulated over the log's
months, its purchase log written in the client's format
(:func:`~loyaltysim.fitting.clientdata.synthetic_log`) and reduced by the
same function as the client's (:func:`~loyaltysim.fitting.summaries.summarize_log`);
candidates whose summaries come near the client's, under pyabc's adaptive
scaled distance, survive to the next generation. The basket has a closed
form (:func:`basket_estimates`) and is not simulated for.

A client with aggregates only gives a KPI file instead
(:mod:`~loyaltysim.fitting.kpis`): the figures it holds are the summaries,
each simulated market's are computed from its logs by the same function as
a log's (:func:`~loyaltysim.fitting.kpis.compute_kpis`), and only the
parameters the given KPIs inform (:data:`~loyaltysim.fitting.kpis.INFORMS`)
are fitted; the rest keep the base market's value and are reported as not
informed. A claims log (``claims=``) or an audit's share of fraudulent claims
(``audited_fraud_share=``) beside a transaction log add the claim KPIs to the
summaries and the claim parameters (:data:`CLAIM_FITTED`) to the fit.

A fit folder (``out``) holds, when done (:data:`OUTPUTS`):

- ``posterior.parquet``: the last generation's particles, one row a draw,
  one column per fitted scenario parameter (natural units, the names of
  :class:`~loyaltysim.scenario.Scenario`) plus ``weight`` (summing to 1);
  the market of a draw is ``fitted scenario`` with the draw's values.
- ``scenario.toml``: the fitted market (posterior medians, the basket's
  closed form, the log's months and the market size) as a ``[scenario]``
  table, loadable by ``--scenario``;
- ``parameters.csv``: per fitted parameter, prior range, posterior median,
  90% credible interval and whether the data inform it;
- ``predictive.csv``: per summary, the observed value and its simulated 90%
  interval over posterior draws (the posterior predictive check);
- ``report.md``, ``prior_posterior.png``, ``predictive_check.png``;
- ``fit.json`` (the configuration, checked on a rerun) and ``abc.db``
  (pyabc's database: a rerun of the same fit continues from the last whole
  generation).

Runs are seeded: generation ``g`` seeds NumPy's global generator (which
pyabc draws from) with child ``g`` of the fit's seed, and each simulation
takes its seed from it, so the same seed gives the same posterior, whether
the fit ran through or was killed and resumed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import logging
import math
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim._io import check_writable, write_atomic
from loyaltysim.errors import LoyaltysimError, ParameterError
from loyaltysim.fitting.clientdata import (
    LOG_COLUMNS,
    LOG_SUFFIXES,
    SYNTHETIC_START,
    describe_log,
    file_digest,
    read_claims,
    read_transactions,
    synthetic_claims,
    synthetic_log,
    validate_claims,
    validate_transactions,
)
from loyaltysim.fitting.kpis import (
    BASKET_KPIS,
    CLAIM_KPIS,
    INFORMS,
    KPI_SUFFIXES,
    KPIs,
    basket_from_kpis,
    compute_kpis,
    read_kpis,
)
from loyaltysim.fitting.summaries import BASKET_SUMMARIES, summarize_log
from loyaltysim.params import format_number, whole_number
from loyaltysim.policies.policy import NAMED_POLICIES
from loyaltysim.scenario import Scenario, load_scenario_file
from loyaltysim.simulation import simulate

__all__ = [
    "CLAIM_FITTED",
    "FITTED",
    "KPI_MARKET_SIZE",
    "NOT_INFORMED_SD_RATIO",
    "OUTPUTS",
    "FitResult",
    "FittedParameter",
    "basket_estimates",
    "fit",
    "load_fit",
    "simulated_log",
]

#: What a finished fit folder holds (beside ``fit.json`` and ``abc.db``).
OUTPUTS = (
    "posterior.parquet",
    "scenario.toml",
    "parameters.csv",
    "predictive.csv",
    "report.md",
    "prior_posterior.png",
    "predictive_check.png",
)

#: A parameter whose posterior sd is at least this share of its prior sd (in the space it is
#: fitted in) is reported as not informed by the data.
NOT_INFORMED_SD_RATIO = 0.8

#: The smallest monthly rate a log-uniform prior reaches: 1e-4 a month is about one event in
#: 800 customer-years, nothing a few years of one firm's data can tell from zero.
SMALLEST_RATE = 1e-4

#: The defaults of a fit's budget (the command line's too).
POPULATION_SIZE = 100
GENERATIONS = 6
PREDICTIVE_DRAWS = 40
MARKET_SIZE_PER_CUSTOMER = 3
#: People in the simulated market of a KPI file without a count of customers (every KPI then
#: is a ratio): large enough that a claim rate of 1 in 1,000 customer-months is seen tens of
#: times a year, small enough for a fit of minutes.
KPI_MARKET_SIZE = 5_000

#: Spawn keys of the fit's seed beyond the generations' (the predictive check).
_PREDICTIVE = 10_000


@dataclass(frozen=True)
class FittedParameter:
    """A scenario parameter the fit estimates, and its prior.

    The prior is uniform on the parameter's declared range
    (:meth:`Scenario.spec`), or, with ``log``, uniform in log10 from
    :data:`SMALLEST_RATE` to the range's top (a rate known only to its order).

    Attributes:
        name: The :class:`~loyaltysim.scenario.Scenario` field.
        log: Fitted as log10 of the value.
    """

    name: str
    log: bool = False

    @property
    def bounds(self) -> tuple[float, float]:
        """The prior's range in the fitted space (log10 of the value when ``log``)."""
        spec = Scenario.spec(self.name)
        low, high = float(spec.low or 0.0), float(spec.high if spec.high is not None else 1.0)
        if spec.high_open:
            high = high - 1e-3 * (high - low)
        if self.log:
            return math.log10(max(low, SMALLEST_RATE)), math.log10(high)
        return low, high

    def value(self, x: float) -> float:
        """The parameter's value at the fitted-space point ``x``."""
        return float(10.0**x) if self.log else float(x)

    def point(self, value: float) -> float:
        """The fitted-space point of a value."""
        return math.log10(value) if self.log else float(value)

    @property
    def label(self) -> str:
        """The axis label of the fitted space."""
        return f"log10 {self.name}" if self.log else self.name


#: The parameters a transaction log informs, in the order reports show them.
FITTED: tuple[FittedParameter, ...] = (
    FittedParameter("purchase_probability_mean"),
    FittedParameter("purchase_probability_dispersion"),
    FittedParameter("base_monthly_churn", log=True),
    FittedParameter("churn_loyalty_sensitivity"),
    FittedParameter("initial_active_share"),
    FittedParameter("advertising_rate", log=True),
    FittedParameter("imitation_rate", log=True),
)


#: The claim parameters a claims log (or an audit) informs, fitted beside :data:`FITTED`.
CLAIM_FITTED: tuple[FittedParameter, ...] = (
    FittedParameter("complaint_propensity_mean"),
    FittedParameter("fraud_propensity_max", log=True),
    FittedParameter("public_share"),
)


def _informed_by(names: list[str]) -> tuple[FittedParameter, ...]:
    """The parameters of :data:`FITTED` and :data:`CLAIM_FITTED` the summaries ``names`` inform."""
    informed = {parameter for name in names for parameter in INFORMS.get(name, ())}
    return tuple(p for p in (*FITTED, *CLAIM_FITTED) if p.name in informed)


def basket_estimates(log: pd.DataFrame) -> dict[str, float]:
    """The basket parameters in closed form from a transaction log.

    The model gives each customer a mean basket, lognormal across customers
    with arithmetic mean ``basket_value_usd`` and log-sd
    ``basket_value_sigma`` (:meth:`Population.draw
    <loyaltysim.population.Population.draw>`). Their estimates are the mean
    of customers' mean amounts and the sd of its log (``basket_mean_usd``
    and ``basket_log_sd`` of :func:`summarize_log`), the moment and
    maximum-likelihood estimates; a customer's mean over few purchases
    carries their purchase-to-purchase spread too, so the log-sd is an upper
    estimate. Clipped to the declared ranges.
    """
    summary = summarize_log(log, market_size=1)
    sigma_high = float(Scenario.spec("basket_value_sigma").high or 3.0)
    return {
        "basket_value_usd": max(summary["basket_mean_usd"], 0.0),
        "basket_value_sigma": min(max(summary["basket_log_sd"], 0.0), sigma_high),
    }


def simulated_log(
    scenario: Scenario, policy: str = "always_compensate", rng: int | None = None
) -> pd.DataFrame:
    """A transaction log the model writes: run ``scenario`` and keep its purchases.

    Example:
        >>> import loyaltysim as ls
        >>> log = simulated_log(ls.Scenario(n_customers=300, horizon_months=3), rng=1)
        >>> log["date"].dt.strftime("%Y-%m").unique().tolist()
        ['2025-01', '2025-02', '2025-03']
    """
    model = simulate(scenario, policy, rng, purchase_log=True)
    assert model.purchase_log is not None
    return synthetic_log(model.purchase_log.frame())


class _Simulator:
    """One candidate market, simulated and summarised (pyabc's model; picklable).

    Args:
        base: The market the fitted parameters are set in.
        policy: The named policy the firm ran.
        market_size: People in the market (the denominator of ``reach``).
        months: Months simulated.
        fitted: The parameters fitted.
        names: The summaries fitted to (the distance's).
        kpis: Summarise by :func:`compute_kpis` alone (a KPI file's fit);
            otherwise by :func:`summarize_log` and the claim KPIs of ``names``.
    """

    def __init__(
        self,
        base: Scenario,
        policy: str,
        market_size: int,
        months: int,
        fitted: tuple[FittedParameter, ...] = FITTED,
        names: tuple[str, ...] | None = None,
        kpis: bool = False,
    ) -> None:
        self.base, self.policy, self.market_size, self.months = base, policy, market_size, months
        self.fitted, self.names, self.kpis = fitted, names, kpis
        self.claims = any(name in CLAIM_KPIS for name in names or ())

    def scenario(self, point: Mapping[str, float]) -> Scenario:
        """The market at a fitted-space point."""
        values = {p.name: p.value(float(point[p.name])) for p in self.fitted}
        return self.base.replace(**values)

    def summaries(self, scenario: Scenario, seed: int) -> dict[str, float]:
        """Every summary of one simulated market's logs (purchases, and claims when fitted to)."""
        model = simulate(scenario, self.policy, seed, purchase_log=True, claim_log=self.claims)
        assert model.purchase_log is not None
        log = synthetic_log(model.purchase_log.frame())
        claims = synthetic_claims(model.claim_log.frame()) if model.claim_log is not None else None
        if self.kpis:
            return compute_kpis(log, claims, self.months, start=SYNTHETIC_START)
        stats = summarize_log(log, self.market_size, self.months, start=SYNTHETIC_START)
        if claims is not None:
            values = compute_kpis(log, claims, self.months, start=SYNTHETIC_START)
            stats.update({k: values[k] for k in CLAIM_KPIS if k in (self.names or ())})
        return stats

    def __call__(self, point: Mapping[str, float]) -> dict[str, float]:
        # pyabc draws from NumPy's global generator, seeded per generation (see the module)
        seed = int(np.random.randint(0, 2**31 - 1))  # noqa: NPY002
        stats = self.summaries(self.scenario(point), seed)
        if self.names is None:
            return {k: v for k, v in stats.items() if k not in BASKET_SUMMARIES}
        return {k: stats[k] for k in self.names}


@dataclass(frozen=True)
class _Target:
    """What a fit is fitted to: the observed summaries, the market, the candidates' simulator.

    Attributes:
        observed: Every observed summary (the fitted ones and the closed-form ones).
        simulator: The candidate markets' simulator (its ``fitted`` and ``names``).
        not_fitted: Parameters no given summary informs (kept at the base market's value).
        described: One line on the data.
        digest: SHA-256 of the data (checked on a rerun).
    """

    observed: dict[str, float]
    simulator: _Simulator
    not_fitted: tuple[FittedParameter, ...]
    described: str
    digest: str


@dataclass(frozen=True)
class FitResult:
    """A finished fit.

    Attributes:
        folder: The fit folder.
        scenario: The fitted market (posterior medians and the basket's closed form).
        parameters: Per fitted parameter: prior range, posterior median,
            90% interval, sd ratio and whether the data inform it.
        predictive: Per summary: observed value, simulated 5% and 95%
            quantiles and whether the observed value is inside.
        posterior: The weighted draws (``posterior.parquet``).
    """

    folder: Path
    scenario: Scenario
    parameters: pd.DataFrame
    predictive: pd.DataFrame
    posterior: pd.DataFrame

    def __str__(self) -> str:
        return render_report(self.parameters, self.predictive, self.folder, brief=True)


def load_fit(folder: str | Path, option: str = "fit") -> FitResult:
    """Read a finished fit folder back (what :func:`fit` returned when it wrote it).

    Args:
        folder: The fit folder.
        option: The name a message gives the folder (``"--posterior"`` on the
            command line).

    Raises:
        ParameterError: Not a folder, or one without a finished fit's files, or
            a posterior without ``weight`` or without any fitted parameter's
            column (a fit of KPIs or of claims has the columns of what it fitted).
        ScenarioFileError: Its ``scenario.toml`` is unreadable.
    """
    path = Path(folder)
    accepts = "a fit folder written by `loyaltysim fit`"
    if not path.is_dir():
        raise ParameterError(option, str(folder), accepts, "no such folder")
    for name in ("posterior.parquet", "scenario.toml", "parameters.csv", "predictive.csv"):
        if not (path / name).is_file():
            raise ParameterError(option, str(folder), accepts, f"it holds no {name}")
    try:
        posterior = pd.read_parquet(path / "posterior.parquet")
        parameters = pd.read_csv(path / "parameters.csv")
        predictive = pd.read_csv(path / "predictive.csv")
    except (OSError, ValueError) as exc:
        raise ParameterError(
            option, str(folder), accepts, f"a file of it is unreadable: {type(exc).__name__}"
        ) from None
    known = [p.name for p in (*FITTED, *CLAIM_FITTED)]
    columns = [c for c in known if c in posterior.columns] + ["weight"]
    missing = [c for c in ("weight",) if c not in posterior.columns]
    if len(columns) == 1:  # no fitted parameter at all
        missing.insert(0, FITTED[0].name)
    weights = posterior["weight"].to_numpy(dtype=float) if not missing else np.array([])
    if (
        missing
        or posterior.empty
        or not np.all(np.isfinite(weights))
        or (weights < 0).any()
        or weights.sum() <= 0
    ):
        problem = (
            f"posterior.parquet has no column {missing[0]!r}"
            if missing
            else "posterior.parquet has no draws or bad weights"
        )
        raise ParameterError(option, str(folder), accepts, problem)
    posterior = posterior[columns].copy()
    posterior["weight"] = weights / weights.sum()
    table, _ = load_scenario_file(path / "scenario.toml")
    return FitResult(path, Scenario.from_dict(table), parameters, predictive, posterior)


def fit(
    data: str | Path | pd.DataFrame | KPIs,
    out: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    claims: str | Path | pd.DataFrame | None = None,
    audited_fraud_share: float | None = None,
    base: Scenario | None = None,
    policy: str = "always_compensate",
    market_size: int | None = None,
    particles: int = POPULATION_SIZE,
    generations: int = GENERATIONS,
    check_draws: int = PREDICTIVE_DRAWS,
    rng: int = 2026,
    overwrite: bool = False,
    progress: bool = False,
    announce: Callable[[str], None] | None = None,
) -> FitResult:
    """Fit the market to a transaction log or KPIs by ABC-SMC; write the fit folder.

    See the module for what is fitted and written.

    Args:
        data: A transaction log file (``.csv`` or ``.parquet``), a log frame
            with :data:`~loyaltysim.fitting.clientdata.LOG_COLUMNS`, a KPI
            file (``.toml``, :func:`~loyaltysim.fitting.kpis.read_kpis`) or
            :class:`~loyaltysim.fitting.kpis.KPIs`. The file type is told by
            its suffix.
        out: The fit folder (created; a rerun of the same fit continues it).
        columns: The file's names for the log's columns, where they differ.
        claims: A claims log (file or frame,
            :data:`~loyaltysim.fitting.clientdata.CLAIM_COLUMNS`) beside a
            transaction log: its claim KPIs join the summaries.
        audited_fraud_share: The share of audited claims found fraudulent
            (a KPI; with a KPI file it replaces the file's).
        base: The market the fitted parameters are set in (default: the
            default market); what the fit does not estimate stays as given.
        policy: The named policy the firm ran while the log was written.
        market_size: People in the market (prospects, customers, lapsed);
            default :data:`MARKET_SIZE_PER_CUSTOMER` times the log's customers
            (or the KPIs' ``active_customers``; :data:`KPI_MARKET_SIZE`
            for KPIs without it).
        particles: Particles per generation.
        generations: ABC-SMC generations.
        check_draws: Posterior draws simulated for the predictive check.
        rng: The fit's seed (a whole number).
        overwrite: Discard a fit of another configuration in ``out`` (the
            number of generations is not part of it: asking for more
            continues a finished fit, for fewer reads an earlier generation).
        progress: Show a progress bar of generations (tqdm).
        announce: Called with one line (the data, and the generations done).

    Returns:
        The fit's results, also written to ``out``.

    Raises:
        ParameterError: A bad option or data file, or ``out`` holds a fit of
            another configuration (without ``overwrite``) or other files.
        LoyaltysimError: pyabc is not installed (the ``fit`` extra).
    """
    if importlib.util.find_spec("pyabc") is None:
        raise LoyaltysimError(
            "the fit needs pyabc, which is not installed; install it with: "
            "pip install 'loyaltysim[fit]'"
        )
    for name, value, low in (
        ("particles", particles, 10),
        ("generations", generations, 1),
        ("check_draws", check_draws, 10),
    ):
        whole_number(name, value, low)
    whole_number("seed", rng, 0)
    if policy not in NAMED_POLICIES:
        raise ParameterError("--policy", policy, "one of " + ", ".join(NAMED_POLICIES))
    base = base if base is not None else Scenario()
    if isinstance(data, str | Path) and Path(data).suffix.lower() not in (
        *LOG_SUFFIXES,
        *KPI_SUFFIXES,
    ):
        raise ParameterError(
            "DATA", str(data), "a transaction log (.csv or .parquet) or a KPI file (.toml)"
        )
    if isinstance(data, KPIs) or (
        isinstance(data, str | Path) and Path(data).suffix.lower() in KPI_SUFFIXES
    ):
        target = _kpi_target(data, columns, claims, audited_fraud_share, base, policy, market_size)
    else:
        target = _log_target(data, columns, claims, audited_fraud_share, base, policy, market_size)
    simulator = target.simulator
    folder = Path(out)
    check_writable("--out", folder, folder=True)
    config = {
        "data_sha256": target.digest,
        "market": simulator.base.to_dict(),
        "policy": policy,
        "fitted": {p.name: [*p.bounds, "log10" if p.log else "linear"] for p in simulator.fitted},
        "particles": particles,
        "seed": rng,
    }
    _open_folder(folder, config, overwrite)
    say = announce or (lambda line: None)
    db = folder / "abc.db"
    done = generations_done(db)
    say(
        f"fitting {len(simulator.fitted)} parameters to {target.described} (market of "
        f"{simulator.market_size:,} people, {simulator.months} months): {generations} "
        f"generations of {particles} particles" + (f"; {done} done, resuming" if done else "")
    )
    _run_generations(simulator, target.observed, db, done, generations, particles, rng, progress)
    return _write_outputs(folder, target, db, generations, check_draws, rng)


def _log_target(
    data: str | Path | pd.DataFrame,
    columns: Mapping[str, str] | None,
    claims: str | Path | pd.DataFrame | None,
    audited_fraud_share: float | None,
    base: Scenario,
    policy: str,
    market_size: int | None,
) -> _Target:
    """A transaction log's fit: its summaries (and its claims'), the market it implies."""
    log = read_transactions(data, columns) if isinstance(data, str | Path) else _checked_frame(data)
    claim_log = None
    if claims is not None:
        claim_log = (
            read_claims(claims)
            if isinstance(claims, str | Path)
            else validate_claims(claims, "claims")
        )
    customers = int(log["customer_id"].nunique())
    size = market_size if market_size is not None else MARKET_SIZE_PER_CUSTOMER * customers
    whole_number("market_size", size, max(customers, 10))
    months = int(_months_spanned(log))
    fitted_base = _market(
        base, "the log", n_customers=size, horizon_months=months, **basket_estimates(log)
    )
    observed = summarize_log(log, size, months)
    digest = _frame_digest(log)
    claim_values: dict[str, float] = {}
    if claims is not None and claim_log is not None:
        values = compute_kpis(log, claim_log, months)
        claim_values = {k: values[k] for k in CLAIM_KPIS if k in values}
        digest = _combined_digest(
            digest, file_digest(claims) if isinstance(claims, str | Path) else _frame_digest(claims)
        )
    if audited_fraud_share is not None:
        claim_values["audited_fraud_share"] = _audited(audited_fraud_share)
        digest = _combined_digest(digest, repr(float(audited_fraud_share)))
    observed.update(claim_values)
    if not claim_values:
        simulator = _Simulator(fitted_base, policy, size, months)
        return _Target(observed, simulator, (), describe_log(log), digest)
    names = tuple(k for k in observed if k not in BASKET_SUMMARIES)
    fitted = (*FITTED, *(p for p in _informed_by(list(claim_values)) if p in CLAIM_FITTED))
    simulator = _Simulator(fitted_base, policy, size, months, fitted, names)
    not_fitted = tuple(p for p in CLAIM_FITTED if p not in fitted)
    described = f"{describe_log(log)}, with " + ", ".join(claim_values)
    return _Target(observed, simulator, not_fitted, described, digest)


def _kpi_target(
    data: str | Path | KPIs,
    columns: Mapping[str, str] | None,
    claims: str | Path | pd.DataFrame | None,
    audited_fraud_share: float | None,
    base: Scenario,
    policy: str,
    market_size: int | None,
) -> _Target:
    """A KPI file's fit: its figures, the parameters they inform, the market they imply."""
    if columns:
        raise ParameterError(
            "--columns", ", ".join(columns), "names of a transaction log's columns", "DATA is KPIs"
        )
    if claims is not None:
        raise ParameterError(
            "--claims",
            str(claims) if isinstance(claims, str | Path) else "a frame",
            "a claims log beside a transaction log",
            "a KPI file gives claim_rate, complaint_rate and refund_share itself",
        )
    kpis = read_kpis(data) if isinstance(data, str | Path) else data
    if audited_fraud_share is not None:
        kpis = dataclasses.replace(kpis, audited_fraud_share=_audited(audited_fraud_share))
    given = kpis.given()
    if market_size is not None:
        size = market_size
    elif kpis.active_customers is not None:
        size = max(round(MARKET_SIZE_PER_CUSTOMER * kpis.active_customers), 10)
    elif kpis.new_customers_per_month is not None:
        raise ParameterError(
            "kpis.active_customers",
            "nothing",
            "a number of active customers, or --market-size N",
            "new_customers_per_month is a count, which needs the market's size",
        )
    else:
        size = KPI_MARKET_SIZE
    whole_number("market_size", size, 10)
    months = kpis.period_months
    fitted_base = _market(
        base, "the KPIs", n_customers=size, horizon_months=months, **basket_from_kpis(kpis)
    )
    names = tuple(k for k in given if k not in BASKET_KPIS)
    fitted = _informed_by(list(names))
    simulator = _Simulator(fitted_base, policy, size, months, fitted, names, kpis=True)
    not_fitted = tuple(p for p in (*FITTED, *CLAIM_FITTED) if p not in fitted)
    described = f"{len(given)} KPIs over {months} months ({', '.join(given)})"
    return _Target(given, simulator, not_fitted, described, kpis.digest())


def _market(base: Scenario, source: str, **values: Any) -> Scenario:
    """``base`` with the values the data imply, a refusal naming where they came from."""
    try:
        return base.replace(**values)
    except ParameterError as exc:
        raise ParameterError(
            exc.name, exc.got, exc.accepts, f"in the market {source} implies"
        ) from None


def _audited(share: float) -> float:
    """An audit's share of fraudulent claims, checked as the KPI is declared."""
    spec = next(s for s in KPIs.specs() if s.name == "audited_fraud_share")
    return float(spec.validate(share, "--audited-fraud-share"))


def _combined_digest(*digests: str) -> str:
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


def _checked_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A log frame given to :func:`fit` directly, checked like a file."""
    missing = [c for c in LOG_COLUMNS if c not in frame.columns]
    if missing:
        raise ParameterError(
            "data", f"no column {missing[0]!r}", "a log with " + ", ".join(LOG_COLUMNS)
        )
    return validate_transactions(frame[list(LOG_COLUMNS)], "data")


def _months_spanned(log: pd.DataFrame) -> int:
    dates = pd.DatetimeIndex(log["date"])
    absolute = dates.year * 12 + dates.month
    return int(absolute.max() - absolute.min() + 1)


def _frame_digest(log: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(log, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def _open_folder(folder: Path, config: dict[str, Any], overwrite: bool) -> None:
    """Create the fit folder, or check that it holds this fit (refuse another)."""
    record = folder / "fit.json"
    if folder.is_dir() and any(folder.iterdir()):
        if not record.is_file():
            raise ParameterError(
                "--out",
                str(folder),
                "an empty or new folder, or the folder of this fit",
                "it holds other files and no fit.json",
            )
        try:
            old = json.loads(record.read_text())
        except (OSError, ValueError):
            old = None
        if old != json.loads(json.dumps(config)):
            if not overwrite:
                changed = _first_change(old, config)
                raise ParameterError(
                    "--out",
                    str(folder),
                    "the folder of this fit or a new folder",
                    f"it holds a fit of another configuration ({changed}); use a new --out, "
                    "or --overwrite to discard it",
                )
            for name in ("abc.db", *OUTPUTS):
                (folder / name).unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(record, lambda tmp: Path(tmp).write_text(json.dumps(config, indent=1)))


def _first_change(old: Any, new: dict[str, Any]) -> str:
    if not isinstance(old, dict):
        return "fit.json is unreadable"
    for key, value in json.loads(json.dumps(new)).items():
        if old.get(key) != value:
            if key == "market" and isinstance(old.get(key), dict):
                names = [k for k in value if old[key].get(k) != value[k]]
                return f"market: {', '.join(names[:3])}"
            return "the data" if key == "data_sha256" else key
    return "its keys"


def generations_done(db: Path) -> int:
    """Whole generations stored in a fit's pyabc database (0 if there is none yet).

    The database is opened read-only with :mod:`sqlite3`, not through
    ``pyabc.History``: a ``History`` writes its schema version on opening, and
    doing so while a fit is creating the same file makes that fit fail. So this
    is safe to call on a fit that is running in another process.
    """
    if not db.is_file():
        return 0
    try:
        with closing(sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)) as base:
            (last,) = base.execute("SELECT MAX(t) FROM populations WHERE abc_smc_id = 1").fetchone()
    except sqlite3.Error:  # no run stored yet (killed while it was being created)
        return 0
    return 0 if last is None else int(last) + 1


def _generation_seed(rng: int, generation: int) -> int:
    child = np.random.SeedSequence(rng, spawn_key=(generation,))
    return int(child.generate_state(1)[0])


def _run_generations(
    simulator: _Simulator,
    observed: dict[str, float],
    db: Path,
    done: int,
    generations: int,
    population_size: int,
    rng: int,
    progress: bool,
) -> None:
    """Run the generations not yet in ``db``, one pyabc run each (see the module)."""
    import pyabc

    for name in ("ABC", "Sampler", "Distance", "Epsilon", "Acceptor", "Population", "History"):
        logging.getLogger(f"ABC.{name}" if name != "ABC" else name).setLevel(logging.WARNING)
    priors = pyabc.Distribution(
        **{
            p.name: pyabc.RV("uniform", p.bounds[0], p.bounds[1] - p.bounds[0])
            for p in simulator.fitted
        }
    )
    names = simulator.names
    target = {
        k: v
        for k, v in observed.items()
        if (k in names if names is not None else k not in BASKET_SUMMARIES)
    }
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=generations, initial=done, desc="fit", unit="generation")
    url = f"sqlite:///{db}"
    if done == 0:
        db.unlink(missing_ok=True)
    try:
        for generation in range(done, generations):
            np.random.seed(_generation_seed(rng, generation))  # noqa: NPY002 (pyabc's generator)
            abc = pyabc.ABCSMC(
                simulator,
                priors,
                pyabc.AdaptivePNormDistance(p=2),
                population_size=population_size,
                sampler=pyabc.sampler.SingleCoreSampler(),
            )
            if generation == 0:
                abc.new(url, target)
            else:
                abc.load(url, 1)
            abc.run(max_nr_populations=1)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    cumulative /= cumulative[-1]
    at = min(int(np.searchsorted(cumulative, q)), values.size - 1)
    return float(values[order][at])


def _write_outputs(
    folder: Path,
    target: _Target,
    db: Path,
    generations: int,
    predictive_draws: int,
    rng: int,
) -> FitResult:
    """The posterior, fitted scenario, tables, figures and report of a finished fit."""
    import pyabc

    simulator, observed = target.simulator, target.observed
    fitted_base, fitted = simulator.base, simulator.fitted
    history = pyabc.History(f"sqlite:///{db}", _id=1)
    points, weights = history.get_distribution(m=0, t=generations - 1)
    weights = np.asarray(weights, dtype=float) / float(np.sum(weights))
    rows = []
    for p in fitted:
        x = points[p.name].to_numpy(dtype=float)
        low, high = p.bounds
        mean = float(np.sum(weights * x))
        sd = float(np.sqrt(np.sum(weights * (x - mean) ** 2)))
        prior_sd = (high - low) / math.sqrt(12.0)
        rows.append(
            {
                "parameter": p.name,
                "fitted_as": "log10" if p.log else "linear",
                "prior_low": p.value(low),
                "prior_high": p.value(high),
                "median": p.value(_weighted_quantile(x, weights, 0.5)),
                "q05": p.value(_weighted_quantile(x, weights, 0.05)),
                "q95": p.value(_weighted_quantile(x, weights, 0.95)),
                "sd_ratio": sd / prior_sd,
                "informed": sd / prior_sd < NOT_INFORMED_SD_RATIO,
            }
        )
    for p in target.not_fitted:
        low, high = p.bounds
        value = float(getattr(fitted_base, p.name))
        rows.append(
            {
                "parameter": p.name,
                "fitted_as": "not fitted",
                "prior_low": p.value(low),
                "prior_high": p.value(high),
                "median": value,
                "q05": value,
                "q95": value,
                "sd_ratio": float("nan"),
                "informed": False,
            }
        )
    parameters = pd.DataFrame(rows)
    parameters.attrs["effective_sample_size"] = float(1.0 / np.sum(weights**2))
    posterior = pd.DataFrame(
        {p.name: [p.value(x) for x in points[p.name].to_numpy(dtype=float)] for p in fitted}
    )
    posterior["weight"] = weights
    medians = {
        str(name): float(value)
        for name, value, how in zip(
            parameters["parameter"], parameters["median"], parameters["fitted_as"], strict=True
        )
        if how != "not fitted"
    }
    scenario = fitted_base.replace(**medians)
    predictive = _predictive_check(simulator, observed, points, weights, predictive_draws, rng)
    result = FitResult(folder, scenario, parameters, predictive, posterior)
    write_atomic(folder / "posterior.parquet", lambda tmp: posterior.to_parquet(tmp, index=False))
    write_atomic(folder / "parameters.csv", lambda tmp: parameters.to_csv(tmp, index=False))
    write_atomic(folder / "predictive.csv", lambda tmp: predictive.to_csv(tmp, index=False))
    toml = _scenario_toml(scenario, target.described)
    write_atomic(folder / "scenario.toml", lambda tmp: Path(tmp).write_text(toml))
    figures = _figures(points, weights, predictive, fitted)
    for name, figure in figures.items():
        write_atomic(folder / name, _saver(figure))
    text = render_report(parameters, predictive, folder)
    write_atomic(folder / "report.md", lambda tmp: Path(tmp).write_text(text))
    return result


def _saver(figure: Any) -> Callable[[str], None]:
    """A writer of ``figure`` as PNG to a path (for :func:`write_atomic`)."""

    def save(path: str) -> None:
        figure.savefig(path, format="png")

    return save


def _predictive_check(
    simulator: _Simulator,
    observed: dict[str, float],
    points: pd.DataFrame,
    weights: np.ndarray,
    draws: int,
    rng: int,
) -> pd.DataFrame:
    """Each observed summary against its 90% interval over posterior-predictive logs."""
    generator = np.random.default_rng(np.random.SeedSequence(rng, spawn_key=(_PREDICTIVE,)))
    picks = generator.choice(len(points), size=draws, p=weights)
    seeds = generator.integers(0, 2**31 - 1, size=draws)
    simulated = pd.DataFrame(
        [
            simulator.summaries(simulator.scenario(points.iloc[i]), int(seed))
            for i, seed in zip(picks, seeds, strict=True)
        ]
    )
    rows = []
    for name, value in observed.items():
        values = simulated[name].to_numpy(dtype=float)
        low, high = float(np.quantile(values, 0.05)), float(np.quantile(values, 0.95))
        rows.append(
            {
                "summary": name,
                "observed": value,
                "q05": low,
                "q95": high,
                "inside": bool(low - 1e-12 <= value <= high + 1e-12),
                "fitted_to": (
                    name in simulator.names
                    if simulator.names is not None
                    else name not in BASKET_SUMMARIES
                ),
            }
        )
    return pd.DataFrame(rows)


def _scenario_toml(scenario: Scenario, described: str) -> str:
    """The fitted market as a ``[scenario]`` table (only what differs from the default market)."""
    lines = [
        f"# The market fitted by `loyaltysim fit` to {described}:",
        "# posterior medians of the fitted parameters, the basket in closed form, the log's",
        "# months and the market size; the rest as the fit's base market.",
        "[scenario]",
    ]
    for name, value in scenario.changes().items():
        lines.append(f"{name} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def _figures(
    points: pd.DataFrame,
    weights: np.ndarray,
    predictive: pd.DataFrame,
    fitted: tuple[FittedParameter, ...] = FITTED,
) -> dict[str, Any]:
    """Prior against posterior per parameter; the predictive check per summary."""
    from matplotlib.figure import Figure

    rows = math.ceil(len(fitted) / 3)
    prior_figure = Figure(figsize=(10, 2.2 * rows), layout="constrained")
    axes = np.atleast_1d(prior_figure.subplots(rows, 3)).ravel()
    for ax, p in zip(axes, fitted, strict=False):
        low, high = p.bounds
        ax.hist(
            points[p.name],
            bins=20,
            range=(low, high),
            weights=weights,
            density=True,
            color="tab:blue",
            alpha=0.7,
            label="posterior",
        )
        ax.axhline(1.0 / (high - low), color="grey", linestyle="--", label="prior")
        ax.set_xlabel(p.label)
    for ax in axes[len(fitted) :]:
        ax.set_axis_off()
    axes[0].legend(fontsize="small")
    check = Figure(figsize=(8, 0.35 * len(predictive) + 1), layout="constrained")
    ax = check.subplots()
    scale = predictive[["observed", "q95"]].abs().max(axis=1).replace(0, 1.0).to_numpy()
    y = np.arange(len(predictive))[::-1]
    ax.hlines(
        y,
        predictive["q05"] / scale,
        predictive["q95"] / scale,
        color="tab:blue",
        lw=4,
        label="simulated 90% interval",
    )
    ax.plot(predictive["observed"] / scale, y, "k|", markersize=12, label="observed")
    ax.set_yticks(y, predictive["summary"])
    ax.set_xlabel("value / max(|observed|, 95% quantile)")
    ax.legend(fontsize="small", loc="lower left")
    return {"prior_posterior.png": prior_figure, "predictive_check.png": check}


def render_report(
    parameters: pd.DataFrame, predictive: pd.DataFrame, folder: Path, brief: bool = False
) -> str:
    """The fit's report in Markdown: the parameters, what the data do not inform, the check."""

    def num(value: Any) -> str:
        return format_number(float(value), ".3g")

    lines = [f"# Fit ({folder})", "", "## Parameters (posterior median and 90% interval)", ""]
    lines += [
        "| parameter | prior | median | 90% interval | sd / prior sd | informed |",
        "|---|---|---|---|---|---|",
    ]
    for row in parameters.itertuples():
        lines.append(
            f"| {row.parameter} | {num(row.prior_low)}–{num(row.prior_high)} ({row.fitted_as}) | "
            f"{num(row.median)} | {num(row.q05)}–{num(row.q95)} | {num(row.sd_ratio)} | "
            f"{'yes' if row.informed else 'no'} |"
        )
    weights = parameters.attrs.get("effective_sample_size")
    if weights is not None:
        lines += ["", f"Effective sample size of the last generation: {num(weights)}."]
    vague = parameters.loc[~parameters["informed"], "parameter"].tolist()
    lines += [
        "",
        "Not informed by these data (posterior sd at least "
        f"{NOT_INFORMED_SD_RATIO} of the prior's, or not fitted: no summary given informs it, "
        "and it keeps the base market's value): " + (", ".join(vague) if vague else "none") + ".",
    ]
    outside = predictive.loc[~predictive["inside"], "summary"].tolist()
    lines += [
        "",
        "## Posterior predictive check (observed against the simulated 90% interval)",
        "",
        f"Outside their interval: {', '.join(outside) if outside else 'none'}.",
    ]
    if brief:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "| summary | observed | simulated 5% | simulated 95% | inside |",
        "|---|---|---|---|---|",
    ]
    for row in predictive.itertuples():
        lines.append(
            f"| {row.summary} | {num(row.observed)} | {num(row.q05)} | {num(row.q95)} | "
            f"{'yes' if row.inside else '**no**'} |"
        )
    lines += [
        "",
        "![prior and posterior](prior_posterior.png)",
        "",
        "![predictive check](predictive_check.png)",
        "",
    ]
    return "\n".join(lines)
