"""The loyaltysim model: a Mesa model whose customers live in NumPy arrays.

Example:
    >>> from loyaltysim import LoyaltyModel, Scenario
    >>> model = LoyaltyModel(Scenario(n_customers=500, horizon_months=12), "verify_first", rng=7)
    >>> model.run_for(12)
    >>> model.time
    12.0
    >>> frame = model.datacollector.get_model_vars_dataframe()
    >>> len(frame)
    12
"""

from __future__ import annotations

from dataclasses import fields

import mesa
import networkx as nx
import numpy as np

from loyaltysim.agents import CustomerAgent
from loyaltysim.errors import ParameterError, PluginError
from loyaltysim.firm import Firm
from loyaltysim.month import Month
from loyaltysim.network import GraphNetwork, SocialNetwork, build_network
from loyaltysim.outcomes import Books
from loyaltysim.params import MEMORY_SHARE, format_number, machine_memory_bytes
from loyaltysim.policies import (
    CAPRICES,
    CLAIMS,
    DIMENSIONS,
    GUARANTEE,
    LISTENING,
    OUTREACH,
    PRICING,
    PROMISES,
    PRUNING,
    RECOVERY,
    Policy,
    plugin_call,
    resolve_policy,
)
from loyaltysim.population import Population
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import NETWORK, POPULATION, MonthlyDraws, as_seed_sequence, stream
from loyaltysim.submodels import (
    acquisition,
    churn,
    claims,
    ledger,
    listening,
    outreach,
    pruning,
    purchases,
    recovery,
    requests,
    satisfaction,
    word_of_mouth,
)

__all__ = [
    "AGENTS_AUTO_LIMIT",
    "PEAK_BYTES_PER_CONTACT",
    "PEAK_BYTES_PER_PERSON",
    "LoyaltyModel",
    "check_memory",
    "peak_bytes",
]

#: Populations up to this size get a CustomerAgent per person at start.
AGENTS_AUTO_LIMIT = 1_000
#: Peak memory of a run per person, network aside, in bytes: the population's arrays (about
#: 130 bytes), the month's uniform block (44) and the month's temporaries, rounded up from
#: ``benchmarks/throughput.py`` (346 bytes a person in all at N = 1,000,000, 60 months).
PEAK_BYTES_PER_PERSON = 320
#: Peak memory per contact of the social network while it is built and held, in bytes.
PEAK_BYTES_PER_CONTACT = 24


def peak_bytes(scenario: Scenario) -> int:
    """About the most memory one run of ``scenario`` holds at once, in bytes."""
    contacts = 0 if scenario.network == "complete" else scenario.network_mean_degree
    return scenario.n_customers * (PEAK_BYTES_PER_PERSON + PEAK_BYTES_PER_CONTACT * contacts)


def check_memory(scenario: Scenario, at_once: int = 1, name: str = "n_customers") -> None:
    """Refuse, before it starts, work whose runs would not fit in this machine's memory.

    Args:
        scenario: The largest market of the work.
        at_once: Runs held in memory at the same time (worker processes).
        name: The parameter to name in the message.

    Raises:
        ParameterError: ``at_once`` runs of ``scenario`` need more than
            :data:`~loyaltysim.params.MEMORY_SHARE` of the machine's memory.
    """
    memory = machine_memory_bytes()
    need = peak_bytes(scenario) * at_once
    if memory is None or need <= MEMORY_SHARE * memory:
        return
    runs = f"{at_once} runs at once of " if at_once > 1 else "a run of "
    raise ParameterError(
        name,
        scenario.n_customers,
        f"a market whose runs fit in this machine's memory ({_gigabytes(memory)} GB)",
        f"{runs}{scenario.n_customers:,} people needs about {_gigabytes(need)} GB at its peak; "
        f"use fewer people{' or fewer workers' if at_once > 1 else ''}",
    )


def _gigabytes(nbytes: float) -> str:
    return format_number(nbytes / 1e9, ".1f")


class LoyaltyModel(mesa.Model):
    """A firm's service policy meeting a market of customers, month by month.

    Args:
        scenario: The market (default: :class:`Scenario` defaults).
        policy: A :class:`Policy` or the name of a preset
            (``"always_compensate"``, ``"verify_first"``, ``"fixed_pricing"``,
            ``"refuse_caprices"``).
        rng: Seed of every random draw: an int, a
            :class:`numpy.random.SeedSequence`, or ``None`` for fresh entropy
            (recorded in :attr:`seed_sequence`).
        network: A prebuilt network (:class:`SocialNetwork` or a networkx graph
            with ``n_customers`` nodes) instead of the scenario's generator.
        inspect_agents: Create a :class:`CustomerAgent` for every person at
            start; by default only when ``n_customers <= AGENTS_AUTO_LIMIT``.
            :meth:`customer` creates single agents on demand either way.
        claim_log: Keep a record of every claim (:attr:`claim_log`); off by
            default, so that sweeps do not pay for it. It changes no number.
        purchase_log: Keep a record of every purchase (:attr:`purchase_log`);
            off by default like the claim log, and like it changes no number.

    Attributes:
        params: The scenario (Mesa's own ``scenario`` attribute holds Mesa's
            experimental Scenario object and is left to Mesa).
        policy: The policy.
        population: The customers' state, as arrays.
        network: The social network.
        firm: The firm's state (its current failure rate).
        ledger: The monthly books; also reachable as ``datacollector``.
        last_month: The working state of the latest month (per-person
            events, outcomes and draws), for inspection and calibration.
        claim_log: Every claim so far, month by month
            (:class:`~loyaltysim.submodels.ledger.ClaimLog`; ``.frame()`` is
            the table), or ``None`` when not asked for.
        purchase_log: Every purchase so far, month by month
            (:class:`~loyaltysim.submodels.ledger.PurchaseLog`), or ``None``
            when not asked for.
        seed_sequence: The SeedSequence behind every draw.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        policy: Policy | str = "always_compensate",
        *,
        rng: int | np.random.SeedSequence | None = None,
        network: SocialNetwork | nx.Graph | None = None,
        inspect_agents: bool | None = None,
        claim_log: bool = False,
        purchase_log: bool = False,
    ) -> None:
        seed = as_seed_sequence(rng)
        mesa_rng = int(rng) if isinstance(rng, int | np.integer) else np.random.default_rng(seed)
        super().__init__(rng=mesa_rng)
        self.params = scenario if scenario is not None else Scenario()
        check_memory(self.params)
        self.policy = resolve_policy(policy)
        self.seed_sequence = seed
        n = self.params.n_customers
        self.population = Population.draw(
            self.params, np.random.default_rng(stream(seed, POPULATION))
        )
        if network is None:
            network = build_network(self.params, stream(seed, NETWORK))
        elif isinstance(network, nx.Graph):
            network = GraphNetwork.from_networkx(network, n)
        elif network.n != n:
            raise ParameterError("network", f"a network of {network.n} people", f"{n} people")
        self.network: SocialNetwork = network
        self.firm = Firm.start(self.params)
        self.last_month: Month | None = None
        self.ledger = ledger.Ledger(self.params.horizon_months)
        self.claim_log = ledger.ClaimLog() if claim_log else None
        self.purchase_log = ledger.PurchaseLog() if purchase_log else None
        self._added_submodels = [
            (d, d.submodel) for d in DIMENSIONS.values() if d.submodel is not None
        ]
        self.datacollector = ledger.LedgerCollector(self.ledger)
        #: Code from outside the package runs each month (a user's rule or dimension): the
        #: state is then checked every month, otherwise once, after the last.
        self._plugged = bool(self._added_submodels) or any(
            not type(rule).__module__.startswith("loyaltysim.")
            for rule in self.policy.rules.values()
        )
        self._customers: dict[int, CustomerAgent] = {}
        if inspect_agents if inspect_agents is not None else n <= AGENTS_AUTO_LIMIT:
            for i in range(n):
                self.customer(i)
        self.running = True

    @property
    def month(self) -> int:
        """Months simulated so far (``int(model.time)``)."""
        return int(self.time)

    def step(self) -> None:
        """Simulate one month, submodel by submodel (the ODD schedule, ``papers/odd.md`` §3)."""
        t = round(self.time)
        scenario, policy, population, firm = self.params, self.policy, self.population, self.firm
        self.last_month = None  # free last month's arrays before this month's are drawn
        month = Month(t, MonthlyDraws(self.seed_sequence, t, population.n), population.n)
        outreach.reach_out(population, scenario, policy.rule(OUTREACH), month)
        acquisition.acquire(
            population, self.network, scenario, policy.rule(PROMISES), policy.rule(GUARANTEE), month
        )
        purchases.purchase(population, firm, scenario, policy.rule(PROMISES), month)
        claims.file_claims(population, scenario, policy.rule(CLAIMS), policy.rule(GUARANTEE), month)
        requests.haggle(population, scenario, policy.rule(PRICING), month)
        requests.caprices(population, scenario, policy.rule(CAPRICES), month)
        claims.answer_claims(
            population, scenario, policy.rule(CLAIMS), policy.rule(GUARANTEE), month
        )
        recovery.recover(population, scenario, policy.rule(RECOVERY), month)
        claims.settle_claims(population, scenario, month)
        listening.listen(population, firm, scenario, policy.rule(LISTENING), month)
        pruning.prune(population, scenario, policy.rule(PRUNING), month)
        for dimension, submodel in self._added_submodels:  # dimensions added outside the package
            plugin_call(
                f"dimension {dimension.name}: submodel {getattr(submodel, '__name__', submodel)}",
                submodel,
                population,
                scenario,
                policy.rule(dimension),
                month,
            )
        satisfaction.update_satisfaction(population, scenario, month)
        word_of_mouth.spread(population, self.network, scenario, month)
        churn.churn(population, scenario, month)
        ledger.close_month(population, self.ledger, scenario, month)
        if self.claim_log is not None:
            self.claim_log.record(month)
        if self.purchase_log is not None:
            self.purchase_log.record(population, month)
        self.last_month = month
        if t >= scenario.horizon_months:
            self.running = False
        if self._plugged or not self.running:
            self._check_state(t)

    def _check_state(self, month: int) -> None:
        """Fail the run when a person's state is no longer a number (a plug-in wrote NaN).

        Every month when a rule or dimension from outside the package is in
        play, else after the last month (a sum per array: NaN spreads to it).

        Raises:
            PluginError: A float array of the population holds NaN.
        """
        population = self.population
        for f in fields(population):
            values = getattr(population, f.name)
            if values.dtype.kind == "f" and not np.isfinite(values.sum()):
                raise PluginError(
                    f"population.{f.name} holds NaN or an infinity after month {month} under "
                    f"policy {self.policy.name!r}: a rule or submodel wrote it (the state must "
                    "stay finite numbers)"
                )

    def books(self) -> Books:
        """The run's books so far: every monthly ledger column, and the population."""
        return Books(
            {name: self.ledger.column(name) for name in self.ledger.names}, self.population
        )

    def customer(self, index: int) -> CustomerAgent:
        """The Mesa agent of person ``index``, created on first use."""
        if not 0 <= index < self.population.n:
            raise ParameterError("index", index, f"a whole number in [0, {self.population.n})")
        agent = self._customers.get(index)
        if agent is None:
            agent = self._customers[index] = CustomerAgent(self, index)
        return agent
