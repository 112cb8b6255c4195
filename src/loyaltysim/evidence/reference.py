"""The core model written the idiomatic Mesa way: one agent per customer.

This is a second, independent implementation of the model's core, written from
the ODD description (``papers/odd.md`` sections 3 and 7) rather than from the
array code: claims (genuine, mistaken, fraudulent; paid, verified, threshold),
pricing, caprices, satisfaction, word of mouth and fraud tips on the social
network, churn and acquisition. Each customer is a
:class:`mesa.discrete_space.CellAgent` living on a
:class:`mesa.discrete_space.Network` cell, with readable per-month methods.

It serves three purposes:

- **docking** (Axtell et al. 1996; Rand & Rust 2011): ``tests/statistical/test_docking.py``
  checks that the distributions of its outcomes match those of
  :class:`loyaltysim.LoyaltyModel` on the same scenarios;
- **a speed baseline** for ``benchmarks/throughput.py``;
- **teaching**: the month reads like the ODD schedule.

The story mechanisms of the later dimensions (promises, deflection, public
messages, the recovery paradox and double deviation, the voice-loyalty link)
are not implemented; :data:`CORE` switches them off in a scenario, and
:class:`ReferenceModel` refuses a scenario or policy that needs them.

Example:
    >>> from loyaltysim import Scenario
    >>> from loyaltysim.evidence.reference import CORE, ReferenceModel
    >>> model = ReferenceModel(Scenario(n_customers=200, horizon_months=6, **CORE), rng=1)
    >>> model.run_for(6)
    >>> len(model.datacollector.get_model_vars_dataframe())
    6
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import CellAgent, Network

from loyaltysim.errors import ParameterError
from loyaltysim.policies import DIMENSIONS, Policy, resolve_policy
from loyaltysim.scenario import Scenario

__all__ = ["CORE", "COUNTED_EVENTS", "Customer", "ReferenceModel"]

#: Scenario settings that switch the story mechanisms off, leaving the core model.
CORE: dict[str, Any] = {
    "lead_time_sigma": 0.0,  # every delivery keeps the realistic promise
    "frontline_deflection_rate": 0.0,
    "public_share": 0.0,
    "repeat_failure_multiplier": 1.0,
    "effect_recovery_paradox": 0.0,
    "complaint_loyalty_elasticity": 0.0,
    "failure_exit_probability": 0.0,  # no exit after a failure (TARP)
    "check_tip_reach": 0,  # nobody tells others that the firm checks claims
    "fraud_dissatisfaction_sensitivity": 0.0,  # fraud does not answer injustice
    "fraud_injustice_multiplier": 1.0,
    "effect_accusation_scar": 0.0,  # no lasting scar of an accusation
    "accused_winback_factor": 1.0,
}

PROSPECT, ACTIVE, LAPSED = "prospect", "active", "lapsed"
PROMOTER = 0.8
DETRACTOR = 0.2


class Customer(CellAgent):
    """One person of the market: traits drawn once, state updated every month."""

    def __init__(self, model: ReferenceModel, cell: Any) -> None:
        super().__init__(model)
        self.cell = cell
        s, rng = model.params, model.rng
        self.honesty = _beta(rng, s.honesty_mean, s.honesty_dispersion)
        self.loyalty = _beta(rng, s.loyalty_mean, s.loyalty_dispersion)
        self.purchase_probability = _beta(
            rng, s.purchase_probability_mean, s.purchase_probability_dispersion
        )
        self.basket_value_usd = _lognormal(rng, s.basket_value_usd, s.basket_value_sigma)
        self.complaint_propensity = _beta(
            rng, s.complaint_propensity_mean, s.complaint_propensity_dispersion
        )
        self.wom_propensity = _beta(rng, s.wom_propensity_mean, s.wom_propensity_dispersion)
        self.haggle_propensity = _beta(
            rng, s.haggle_propensity_mean, s.haggle_propensity_dispersion
        )
        self.caprice_propensity = _beta(
            rng, s.caprice_propensity_mean, s.caprice_propensity_dispersion
        )
        baseline = _beta(
            rng, (s.satisfaction_baseline_mean + 1) / 2, s.satisfaction_baseline_dispersion
        )
        self.satisfaction_baseline = 2 * baseline - 1
        self.satisfaction = self.satisfaction_baseline
        self.status = PROSPECT
        self.leniency = s.leniency_prior
        self.tenure_months = 0
        self.failures = 0
        self.claims = 0
        self.start_month()

    # --- the month, in schedule order ---------------------------------------------------
    def start_month(self) -> None:
        """Forget last month's events; remember whether I am a customer now."""
        self.was_active = self.status == ACTIVE
        self.event = 0.0  # sum of this month's satisfaction effects
        self.bought = self.failed = False
        self.accused = self.caught = self.paid_fraud = False
        self.messages_heard = 0

    def consider_the_firm(self) -> None:
        """Step 1: a non-customer may convert (advertising, or customers among my contacts)."""
        if self.status == ACTIVE:
            return
        s = self.model.params
        contacts = self.contacts()
        share = sum(c.was_active for c in contacts) / len(contacts) if contacts else 0.0
        attitude = math.exp(
            s.attitude_sensitivity * (self.satisfaction - self.satisfaction_baseline)
        )
        winback = s.winback_factor if self.status == LAPSED else 1.0
        hazard = (s.advertising_rate + s.imitation_rate * share) * attitude * winback
        if self.model.rng.random() < hazard:
            self.status = ACTIVE
            self.tenure_months = 0
            self.model.count("acquisitions")

    def shop(self) -> None:
        """Steps 2-3: a customer may buy; the purchase may fail."""
        s, rng = self.model.params, self.model.rng
        if self.status != ACTIVE or rng.random() >= self.purchase_probability:
            return
        self.bought = True
        self.model.book("revenue_usd", self.basket_value_usd)
        self.model.book("margin_usd", s.gross_margin * self.basket_value_usd)
        if rng.random() < s.failure_rate:
            self.failed = True
            self.failures += 1
            self.event += s.effect_failure
            self.model.count("failures")

    def claim(self) -> None:
        """Steps 4 and 6: file a claim if I have one (or want one); the firm answers it."""
        if not self.bought:
            return
        s, rng = self.model.params, self.model.rng
        kind = None
        if self.failed:
            if rng.random() < self.complaint_propensity:
                kind = "genuine"
        else:
            u = rng.random()
            belief = self.leniency
            announced = self.model.policy.claims.announced_check_share()
            if announced:  # "we check claims": a fraud is caught with the detection rate
                belief = min(belief, 1 - s.detection_rate * announced)
            fraud = (
                s.fraud_propensity_max
                * (1 - self.honesty) ** 2
                * belief
                * (1 - s.fraud_loyalty_dampening * self.loyalty)
            )
            if u < s.mistaken_claim_probability:
                kind = "mistaken"
            elif u < s.mistaken_claim_probability + fraud:
                kind = "fraudulent"
        if kind is None:
            return
        self.claims += 1
        self.model.count(f"claims_{kind}")
        value = _lognormal(rng, s.claim_value_usd, s.claim_value_sigma)
        if s.basket_value_usd > 0:  # my claims scale with my basket
            value *= self.basket_value_usd / s.basket_value_usd
        if kind == "fraudulent":
            value *= s.fraud_value_multiplier
        self.model.firm_answers_claim(self, kind, value)

    def ask_for_things(self) -> None:
        """Steps 5-6: a buyer may haggle and make a caprice; the firm answers each."""
        if not self.bought:
            return
        s, rng, firm = self.model.params, self.model.rng, self.model
        if rng.random() < self.haggle_propensity:
            if firm.grants_discount():
                firm.book("discounts_usd", s.haggle_discount_share * self.basket_value_usd)
                self.event += s.effect_discount_granted
            else:
                self.event += s.effect_discount_refused
        if rng.random() < self.caprice_propensity:
            if firm.accommodates_caprice():
                firm.book("caprice_cost_usd", s.caprice_cost_usd)
                self.event += s.effect_caprice_accommodated
            else:
                self.event += s.effect_caprice_refused

    def feel(self) -> None:
        """Step 7: satisfaction drifts back to my baseline and takes this month's events."""
        s = self.model.params
        drift = s.satisfaction_drift * (self.satisfaction_baseline - self.satisfaction)
        self.satisfaction = _clip(self.satisfaction + drift + self.event)

    def talk(self) -> None:
        """Step 8: after a strong experience (or as a promoter) I may tell some contacts."""
        s, rng = self.model.params, self.model.rng
        threshold = s.wom_event_threshold + 1e-9
        strong_good, strong_bad = self.event > threshold, self.event < -threshold
        if strong_good or strong_bad:
            chance = self.wom_propensity
        elif self.status == ACTIVE and self.satisfaction >= PROMOTER:
            chance = self.wom_propensity * s.promoter_talk_probability
        else:
            chance = 0.0
        if rng.random() >= chance:
            return
        good = not strong_bad
        self.model.count("wom_positive_messages" if good else "wom_negative_messages")
        reach = s.wom_reach_positive if good else s.wom_reach_negative
        contacts = self.contacts()
        for _ in range(reach if contacts else 0):
            hearer = contacts[int(rng.random() * len(contacts))]
            hearer.messages_heard += 1 if good else -1

    def listen(self) -> None:
        """Step 8 (end): what I heard this month moves my attitude to the firm."""
        shift = self.model.params.wom_attitude_shift * self.messages_heard
        self.satisfaction = _clip(self.satisfaction + shift)

    def tip_off(self) -> None:
        """Step 8: if my fraudulent claim was paid, I tell contacts it works."""
        if not self.paid_fraud:
            return
        s, rng = self.model.params, self.model.rng
        contacts = self.contacts()
        for _ in range(s.fraud_tip_reach if contacts else 0):
            contact = contacts[int(rng.random() * len(contacts))]
            if contact.honesty < s.fraud_tip_honesty_limit:
                self.model.tipped.add(contact)

    def decide_to_stay(self) -> None:
        """Step 9: a customer may leave for a competitor; accused customers mostly do."""
        if self.status != ACTIVE:
            return
        s = self.model.params
        hazard = s.base_monthly_churn * math.exp(
            -s.churn_loyalty_sensitivity * (self.loyalty - 0.5)
            - s.churn_satisfaction_sensitivity * (self.satisfaction - s.satisfaction_baseline_mean)
        )
        p = min(hazard, 1.0)
        if self.accused:
            p = max(p, s.accused_churn_probability)
        if self.caught:
            p = max(p, s.caught_fraud_churn_probability)
        if self.model.rng.random() < p:
            self.status = LAPSED
            self.model.count("churned")
        else:
            self.tenure_months += 1

    def contacts(self) -> list[Customer]:
        """The people I know: the agents on the neighbouring network cells."""
        return [agent for cell in self.cell.neighborhood for agent in cell.agents]


class ReferenceModel(mesa.Model):
    """The core model, one :class:`Customer` agent per person.

    Args:
        scenario: The market; its story mechanisms must be off (:data:`CORE`).
        policy: A named policy or a :class:`~loyaltysim.Policy` whose claims
            rule is compensate, verify or threshold, pricing negotiable or
            fixed, caprices accommodate or refuse, other dimensions neutral.
        rng: Seed.
    """

    def __init__(
        self, scenario: Scenario, policy: Policy | str = "always_compensate", *, rng: int = 0
    ) -> None:
        super().__init__(rng=rng)
        self.params = scenario
        self.policy = resolve_policy(policy)
        _check_core(scenario, self.policy)
        n = scenario.n_customers
        graph = _graph(scenario, int(self.rng.integers(2**31)))
        self.network = Network(graph, capacity=1, random=self.random, layout=None)
        cells = [self.network[i] for i in range(n)]
        customers = [Customer(self, cell) for cell in cells]
        for i in self.rng.permutation(n)[: scenario.initial_active]:
            customers[i].status = ACTIVE
        for customer in customers:
            customer.start_month()
        self.totals: dict[str, float] = {}
        self.tipped: set[Customer] = set()
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "profit_usd": lambda m: m.totals["profit_usd"],
                "discounted_profit_usd": lambda m: m.totals["discounted_profit_usd"],
                "active": lambda m: sum(a.status == ACTIVE for a in m.agents),
                **{name: _total(name) for name in COUNTED_EVENTS},
            }
        )

    # --- the firm ---------------------------------------------------------------------
    def firm_answers_claim(self, customer: Customer, kind: str, value: float) -> None:
        """Step 6: pay at once, or investigate first (and perhaps reject as fraud)."""
        s = self.params
        rule = self.policy.claims
        if rule.name == "verify":
            investigate = True
        elif rule.name == "threshold":
            investigate = value > rule.threshold_usd  # type: ignore[attr-defined]
        else:
            investigate = False
        rejected = False
        if investigate:
            self.book("investigation_cost_usd", s.investigation_cost_usd)
            flag = s.detection_rate if kind == "fraudulent" else s.false_accusation_rate
            rejected = self.rng.random() < flag
        if rejected:
            customer.event += s.effect_accused
            if kind == "fraudulent":
                customer.caught = True
            else:
                customer.accused = True
                self.count("false_accusations")
        else:
            self.book(f"compensation_{kind}_usd", value)
            customer.event += (
                s.effect_claim_paid_after_verification
                if investigate
                else s.effect_claim_paid_quickly
            )
            customer.paid_fraud = kind == "fraudulent" and not investigate
        # what the claimant learns: paid at once, checked (a fraud is caught with the
        # detection rate), or rejected
        learned = 0.0 if rejected else (1 - s.detection_rate if investigate else 1.0)
        customer.leniency += s.leniency_learning_rate * (learned - customer.leniency)

    def grants_discount(self) -> bool:
        """Whether the pricing rule grants a discount request."""
        return self.policy.pricing.name == "negotiable"

    def accommodates_caprice(self) -> bool:
        """Whether the caprices rule accommodates a caprice."""
        return self.policy.caprices.name == "accommodate"

    def book(self, line: str, amount: float) -> None:
        """Add money to one of this month's ledger lines."""
        self.totals[line] = self.totals.get(line, 0.0) + amount

    def count(self, event: str) -> None:
        """Count one event of this month."""
        self.totals[event] = self.totals.get(event, 0) + 1

    # --- the month --------------------------------------------------------------------
    def step(self) -> None:
        """One month: every phase for every customer, in the ODD schedule's order."""
        s = self.params
        self.totals = {}
        self.tipped = set()
        agents = self.agents
        agents.do("start_month")
        agents.shuffle_do("consider_the_firm")
        agents.shuffle_do("shop")
        agents.shuffle_do("claim")
        agents.shuffle_do("ask_for_things")
        agents.do("feel")
        agents.shuffle_do("talk")
        agents.do("listen")
        agents.shuffle_do("tip_off")
        for contact in self.tipped:
            contact.leniency += s.fraud_tip_learning_rate * (1 - contact.leniency)
        agents.shuffle_do("decide_to_stay")
        costs = sum(self.totals.get(line, 0.0) for line in _COSTS)
        profit = self.totals.get("margin_usd", 0.0) - costs
        t = round(self.time) + 1
        self.totals["profit_usd"] = profit
        self.totals["discounted_profit_usd"] = profit / (1 + s.monthly_discount_rate) ** t
        self.datacollector.collect(self)


# The reference keeps its own books (it imports nothing of the array model's code).
_COSTS = (
    "compensation_genuine_usd",
    "compensation_mistaken_usd",
    "compensation_fraudulent_usd",
    "investigation_cost_usd",
    "discounts_usd",
    "caprice_cost_usd",
)
#: Events counted every month (columns of the data collector, like the ledger's).
COUNTED_EVENTS = (
    "acquisitions",
    "churned",
    "failures",
    "claims_genuine",
    "claims_mistaken",
    "claims_fraudulent",
    "false_accusations",
    "wom_positive_messages",
    "wom_negative_messages",
)


def _total(name: str) -> Any:
    return lambda m: m.totals.get(name, 0)


def _check_core(scenario: Scenario, policy: Policy) -> None:
    for name, value in CORE.items():
        if getattr(scenario, name) != value:
            raise ParameterError(
                name,
                getattr(scenario, name),
                f"{value} (the reference model implements the core only: use "
                "Scenario(**loyaltysim.evidence.reference.CORE, ...))",
            )
    core_rules = {
        "claims": ("compensate", "verify", "threshold"),
        "pricing": ("negotiable", "fixed"),
        "caprices": ("accommodate", "refuse"),
    }
    for dimension, rule in policy.rules.items():
        allowed = core_rules.get(dimension)
        if allowed is None:
            neutral = DIMENSIONS[dimension].neutral_rule()
            if rule != neutral:
                raise ParameterError(
                    f"policy.{dimension}", rule.name, f"{neutral.name!r} (the reference has none)"
                )
        elif rule.name not in allowed:
            raise ParameterError(f"policy.{dimension}", rule.name, "one of " + ", ".join(allowed))


def _graph(scenario: Scenario, seed: int) -> nx.Graph:
    n, k = scenario.n_customers, scenario.network_mean_degree
    if scenario.network == "watts_strogatz":
        return nx.watts_strogatz_graph(n, k, scenario.network_rewiring, seed=seed)
    if scenario.network == "barabasi_albert":
        return nx.barabasi_albert_graph(n, max(1, k // 2), seed=seed)
    if scenario.network == "erdos_renyi":
        return nx.fast_gnp_random_graph(n, k / (n - 1), seed=seed)
    return nx.complete_graph(n)


# One draw at a time, per agent: written from the ODD (section 5), not shared with
# population.py, so that docking compares two implementations of the same description.
def _beta(rng: np.random.Generator, mean: float, dispersion: float) -> float:
    """One draw with the given mean and dispersion = 1 / (alpha + beta + 1)."""
    if dispersion == 0 or mean in (0.0, 1.0):
        return float(mean)
    concentration = 1 / dispersion - 1
    return float(rng.beta(mean * concentration, (1 - mean) * concentration))


def _lognormal(rng: np.random.Generator, mean: float, sigma: float) -> float:
    """One lognormal draw with arithmetic mean ``mean``."""
    if sigma == 0 or mean == 0:
        return float(mean)
    return float(rng.lognormal(math.log(mean) - sigma**2 / 2, sigma))


def _clip(x: float) -> float:
    return min(1.0, max(-1.0, x))
