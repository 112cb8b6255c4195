"""The population: every person in the market as one row of NumPy arrays.

State lives in a structure of arrays (one array per variable, one entry per
person), so each monthly submodel is a vectorised function over the whole
population. :class:`~loyaltysim.agents.CustomerAgent` gives a Mesa-agent view
of one row for inspection.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import sys
from dataclasses import dataclass, fields

import numpy as np

from loyaltysim.errors import ParameterError
from loyaltysim.scenario import Scenario

__all__ = [
    "ACTIVE",
    "LAPSED",
    "NEVER",
    "PROSPECT",
    "STATUS_NAMES",
    "Population",
    "keep_freed_blocks",
]

#: Status codes stored in :attr:`Population.status`.
PROSPECT, ACTIVE, LAPSED = 0, 1, 2
STATUS_NAMES = ("prospect", "active", "lapsed")

#: Satisfaction at or above this is a promoter (9-10 on the 0-10 recommend scale,
#: mapped linearly: score = 5 x (satisfaction + 1)); at or below the next, a detractor (0-6).
PROMOTER_SATISFACTION = 0.8
DETRACTOR_SATISFACTION = 0.2

#: ``last_failure_month`` of someone who never had a failure.
NEVER = -(2**15)

#: glibc hands an allocation above this size (32 MB on 64-bit machines, at most) to the
#: kernel as a fresh mapping, whose pages the kernel zeroes one fault at a time on each use.
GLIBC_MMAP_CEILING = 32 * 2**20
#: Bytes per person of the largest block a run allocates and frees over and over (the
#: month's 11 uniform rows take 44; the network's build arrays up to 64).
REUSED_BYTES_PER_PERSON = 64


def keep_freed_blocks(n: int) -> None:
    """Let glibc reuse the freed blocks of a market of ``n`` people instead of mapping anew.

    Every month allocates and frees arrays of one value per person. Above
    32 MB each (N above about 4,000,000) glibc maps every one afresh and the
    kernel zeroes each page on first touch: at N = 5,000,000 that was a
    third of a run's CPU time, growing faster than N. Raising glibc's mapping
    threshold to the largest such block keeps them in the heap for reuse;
    results do not change (only where the memory comes from). It does
    nothing for smaller markets or without glibc.
    """
    nbytes = REUSED_BYTES_PER_PERSON * n
    if nbytes <= GLIBC_MMAP_CEILING or not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError, TypeError):  # not glibc
        return
    m_trim_threshold, m_mmap_threshold, most = -1, -3, 2**31 - 1
    mallopt(m_mmap_threshold, ctypes.c_int(min(nbytes, most)))
    mallopt(m_trim_threshold, ctypes.c_int(min(2 * nbytes, most)))


@dataclass(eq=False)
class Population:
    """Traits (drawn once) and state (updated monthly) of all ``n`` people.

    Traits: ``honesty``, ``loyalty``, ``purchase_probability`` (per month),
    ``basket_value_usd`` (mean purchase), ``complaint_propensity``,
    ``wom_propensity``, ``haggle_propensity``, ``caprice_propensity`` (per
    purchase) and ``satisfaction_baseline`` (on [-1, 1]).

    State: ``status`` (0 prospect, 1 active, 2 lapsed), ``satisfaction`` (on
    [-1, 1]; a prospect's is their attitude to the firm), ``leniency`` (belief
    that a claim gets paid), ``tenure_months``, ``failures``, ``claims``,
    ``cumulative_margin_usd``, ``cumulative_cost_usd`` (every service cost
    booked on the person: compensation, investigations, discounts, caprices,
    management time, outreach contacts, complaint analysis),
    ``discounted_value_usd`` (their discounted net contribution so far),
    ``initially_active``, ``last_failure_month`` (month of the latest failure,
    :data:`NEVER` if none), ``outreach_contacts`` (keep-in-touch contacts
    received), ``outreach_goodwill`` (what those contacts still weigh: each
    adds one and the sum decays with ``outreach_goodwill_half_life_months``),
    ``dropped`` (turned away by the firm's pruning rule; never won back),
    ``accused_month`` (month of the latest false accusation, :data:`NEVER` if
    none), ``injustice_month`` (month of the latest unjust treatment: a
    false accusation, a claim turned away, a broken promise denied),
    ``purchases`` (purchases made), ``public_complaints`` (claims also made in
    public) and ``claims_rejected`` (claims the firm rejected as fraud, after
    any escalation).

    What a firm's rules may read of this is
    :class:`~loyaltysim.policies.records.CustomerRecords`.

    A run normally starts from :meth:`draw`. To start it from known
    per-person states instead (customers whose purchase rates and status
    were inferred from their history, :mod:`loyaltysim.evidence.cdnow`),
    build the model, then call :meth:`assign` on ``model.population``
    before its first step; the monthly submodels then run on those states.
    """

    honesty: np.ndarray
    loyalty: np.ndarray
    purchase_probability: np.ndarray
    basket_value_usd: np.ndarray
    complaint_propensity: np.ndarray
    wom_propensity: np.ndarray
    haggle_propensity: np.ndarray
    caprice_propensity: np.ndarray
    satisfaction_baseline: np.ndarray
    status: np.ndarray
    satisfaction: np.ndarray
    leniency: np.ndarray
    tenure_months: np.ndarray
    failures: np.ndarray
    claims: np.ndarray
    cumulative_margin_usd: np.ndarray
    cumulative_cost_usd: np.ndarray
    discounted_value_usd: np.ndarray
    initially_active: np.ndarray
    last_failure_month: np.ndarray
    outreach_contacts: np.ndarray
    outreach_goodwill: np.ndarray
    dropped: np.ndarray
    accused_month: np.ndarray
    injustice_month: np.ndarray
    purchases: np.ndarray
    public_complaints: np.ndarray
    claims_rejected: np.ndarray

    @property
    def n(self) -> int:
        """Number of people."""
        return int(self.status.size)

    @classmethod
    def draw(cls, scenario: Scenario, rng: np.random.Generator) -> Population:
        """Draw a population's traits and initial state.

        Beta-distributed traits are parameterised by mean and dispersion
        (variance = dispersion x mean x (1 - mean)); a dispersion of 0 gives
        every person the mean. Mean baskets are lognormal with the given mean.
        ``initial_active`` of the people (``initial_customers``, or
        ``initial_active_share`` of them), chosen at random, start
        active; everyone starts at their baseline satisfaction and with the
        prior leniency belief.
        """
        s, n = scenario, scenario.n_customers
        keep_freed_blocks(n)

        def beta(trait: str) -> np.ndarray:
            mean = getattr(s, f"{trait}_mean")
            return beta_by_mean(rng, mean, getattr(s, f"{trait}_dispersion"), n)

        honesty = beta("honesty")
        loyalty = beta("loyalty")
        purchase_probability = beta("purchase_probability")
        basket = lognormal_by_mean(rng, s.basket_value_usd, s.basket_value_sigma, n)
        complaint = beta("complaint_propensity")
        wom = beta("wom_propensity")
        haggle = beta("haggle_propensity")
        caprice = beta("caprice_propensity")
        baseline01 = beta_by_mean(
            rng, (s.satisfaction_baseline_mean + 1) / 2, s.satisfaction_baseline_dispersion, n
        )
        baseline = 2.0 * baseline01 - 1.0
        n_active = s.initial_active
        status = np.full(n, PROSPECT, dtype=np.int8)
        status[rng.permutation(n)[:n_active]] = ACTIVE
        return cls(
            honesty=honesty,
            loyalty=loyalty,
            purchase_probability=purchase_probability,
            basket_value_usd=basket,
            complaint_propensity=complaint,
            wom_propensity=wom,
            haggle_propensity=haggle,
            caprice_propensity=caprice,
            satisfaction_baseline=baseline,
            status=status,
            satisfaction=baseline.copy(),
            leniency=np.full(n, s.leniency_prior),
            tenure_months=np.zeros(n, dtype=np.int32),
            failures=np.zeros(n, dtype=np.int32),
            claims=np.zeros(n, dtype=np.int32),
            cumulative_margin_usd=np.zeros(n),
            cumulative_cost_usd=np.zeros(n),
            discounted_value_usd=np.zeros(n),
            initially_active=status == ACTIVE,
            last_failure_month=np.full(n, NEVER, dtype=np.int16),
            outreach_contacts=np.zeros(n, dtype=np.int16),
            outreach_goodwill=np.zeros(n, dtype=np.float32),
            dropped=np.zeros(n, dtype=bool),
            accused_month=np.full(n, NEVER, dtype=np.int16),
            injustice_month=np.full(n, NEVER, dtype=np.int16),
            purchases=np.zeros(n, dtype=np.int32),
            public_complaints=np.zeros(n, dtype=np.int16),
            claims_rejected=np.zeros(n, dtype=np.int16),
        )

    def assign(self, **values: np.ndarray) -> None:
        """Overwrite whole arrays of the population with given per-person values.

        Each value is cast to the array's type; ``status`` also resets
        ``initially_active`` (the people active before the first month).

        Args:
            **values: Array name (a field of :class:`Population`) to one value
                per person.

        Raises:
            ParameterError: An unknown name, a value of another length, a
                ``status`` outside the status codes, or a probability trait
                (``purchase_probability``, ``loyalty``) outside [0, 1].

        Example:
            >>> import numpy as np
            >>> from loyaltysim.scenario import Scenario
            >>> people = Population.draw(Scenario(n_customers=10), np.random.default_rng(0))
            >>> people.assign(status=np.full(10, ACTIVE), purchase_probability=np.full(10, 0.3))
            >>> int(people.initially_active.sum()), float(people.purchase_probability[0])
            (10, 0.3)
        """
        names = {f.name for f in fields(self)}
        checked: dict[str, np.ndarray] = {}
        for name, value in values.items():
            if name not in names:
                raise ParameterError(name, "values", "an array of Population", unknown=True)
            target = getattr(self, name)
            array = np.asarray(value)
            if array.shape != target.shape:
                raise ParameterError(name, f"{array.size} values", f"one per person ({self.n})")
            if name == "status" and not np.isin(array, (PROSPECT, ACTIVE, LAPSED)).all():
                raise ParameterError(name, "other codes", "0 (prospect), 1 (active), 2 (lapsed)")
            if name in _UNIT_TRAITS and not ((array >= 0) & (array <= 1)).all():
                raise ParameterError(name, "a value outside [0, 1]", "values in [0, 1]")
            checked[name] = array.astype(target.dtype)
        for name, array in checked.items():
            setattr(self, name, array)
        if "status" in checked:
            self.initially_active = checked["status"] == ACTIVE

    def remembers(self, when: np.ndarray, month: int, months: int) -> np.ndarray:
        """Whether an event of month ``when`` (per person) is within ``months`` of ``month``."""
        return when >= month - months

    def counts(self) -> tuple[int, int, int]:
        """Number of prospects, active and lapsed customers."""
        status = self.status
        active = np.count_nonzero(status == ACTIVE)
        lapsed = np.count_nonzero(status == LAPSED)
        return self.n - int(active) - int(lapsed), int(active), int(lapsed)

    @property
    def nbytes(self) -> int:
        """Memory held by the population's arrays, in bytes."""
        return sum(getattr(self, f.name).nbytes for f in fields(self))


#: Traits that are probabilities or shares, so must lie in [0, 1] (:meth:`Population.assign`).
_UNIT_TRAITS = (
    "honesty",
    "loyalty",
    "purchase_probability",
    "complaint_propensity",
    "wom_propensity",
    "haggle_propensity",
    "caprice_propensity",
)


def beta_by_mean(rng: np.random.Generator, mean: float, dispersion: float, n: int) -> np.ndarray:
    """Beta draws with a given mean and dispersion = 1 / (alpha + beta + 1).

    A dispersion of 0 (or a mean of exactly 0 or 1) returns the constant mean,
    and so do the extremes where floating point gives out: a dispersion so
    small that the concentration overflows (below about 1e-308; the draws
    would be NaN), or a mean so near 0 that a shape parameter underflows to 0.
    """
    concentration = 1.0 / dispersion - 1.0 if dispersion else math.inf
    a, b = mean * concentration, (1.0 - mean) * concentration
    if math.isinf(concentration) or a <= 0 or b <= 0:
        return np.full(n, float(mean))
    return rng.beta(a, b, size=n)


def lognormal_by_mean(rng: np.random.Generator, mean: float, sigma: float, n: int) -> np.ndarray:
    """Lognormal draws with the given arithmetic mean and log-sd ``sigma``."""
    if sigma == 0 or mean == 0:
        return np.full(n, float(mean))
    return rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, size=n)
