"""The firm's policy: one rule per dimension of its customer service.

A :class:`Policy` composes one rule for each *dimension* of MODEL.md section 4.
A rule is a small object with one vectorised decision method over a batch of
customers or claims:

=========== ============================================ ==========================================
dimension   method                                       built-in rules (registry name)
=========== ============================================ ==========================================
claims      ``verify(claims, population)``               ``compensate``, ``verify``, ``threshold``
pricing     ``grant(customers, population)``             ``negotiable``, ``fixed``
caprices    ``accommodate(customers, population)``       ``accommodate``, ``refuse``
recovery    ``escalate(claims, population)``             ``none``, ``escalate``
promises    ``promise_days(customers, population)``      ``realistic``, ``optimistic``
guarantee   ``honour(claims, population)``               ``none``, ``satisfaction``
outreach    ``contact(people, population, month)``       ``none``, ``keep_in_touch``
pruning     ``drop(customers, population)``              ``keep``, ``drop_unprofitable``
listening   ``analyse(claims, population)``              ``none``, ``listen``
=========== ============================================ ==========================================

Each method returns one value per request (a boolean, or the promised days).
The model does everything else (costs, outcomes, satisfaction), so a new rule
is a few lines and cannot break the accounting. Write your own by subclassing
the dimension's base class, then either pass an instance to :class:`Policy` or
register a name with :func:`register_rule` (TOML and ``--set
policy.claims=...`` can also name ``"package.module:ClassName"``). A rule's
parameters are its dataclass fields, declared with :func:`rule_param` so they
are validated and listed like scenario parameters.

Example:
    >>> from loyaltysim.policies import Policy, ThresholdVerification
    >>> Policy.preset("verify_first").describe()
    'claims=verify, pricing=negotiable, caprices=accommodate'
    >>> Policy(claims=ThresholdVerification(threshold_usd=150)).name
    'claims=threshold(150), pricing=negotiable, caprices=accommodate'
    >>> Policy.from_spec({"preset": "verify_first", "recovery": "escalate"}).describe()
    'claims=verify, pricing=negotiable, caprices=accommodate, recovery=escalate'
"""

from __future__ import annotations

import dataclasses
import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from loyaltysim.errors import ParameterError
from loyaltysim.population import LAPSED
from loyaltysim.scenario import ParameterSpec, _close_match, param

if TYPE_CHECKING:
    from loyaltysim.population import Population

__all__ = [
    "DIMENSIONS",
    "NAMED_POLICIES",
    "AccommodateCaprices",
    "AlwaysCompensate",
    "CapriceRule",
    "ClaimBatch",
    "ClaimsRule",
    "DropUnprofitable",
    "EscalateToManagement",
    "FixedPrices",
    "GuaranteeRule",
    "KeepEveryone",
    "KeepInTouch",
    "Listen",
    "ListeningRule",
    "NegotiablePrices",
    "NoGuarantee",
    "NoListening",
    "NoOutreach",
    "NoRecovery",
    "OptimisticPromises",
    "OutreachRule",
    "Policy",
    "PricingRule",
    "PromiseRule",
    "PruningRule",
    "RealisticPromises",
    "RecoveryRule",
    "RefuseCaprices",
    "SatisfactionGuarantee",
    "ThresholdVerification",
    "VerifyFirst",
    "register_rule",
    "resolve_policy",
    "rule_param",
    "rule_parameter_specs",
]

#: Claim kinds, as returned by :func:`loyaltysim.submodels.claims.file_claims` (hidden from rules).
GENUINE, MISTAKEN, FRAUDULENT = 1, 2, 3


@dataclass(frozen=True)
class ClaimBatch:
    """The claims filed in one month, as the firm sees them: one entry per claim.

    Whether a claim is genuine, mistaken or fraudulent is not here: the firm
    cannot see it. A rule may also read the claimant's history from the
    population (``claims``, ``tenure_months``, ``cumulative_margin_usd``,
    ``cumulative_cost_usd``...). Traits such as ``honesty``, and ``failures``
    (which counts real failures, this month's included, and so tells a
    genuine claim from the others), are hidden from a real firm: a rule that
    reads them models a firm with perfect information.

    Attributes:
        customers: Index of the claimant in the population.
        value_usd: Amount claimed.
        public: Whether the claimant also complained in public, so the firm
            can see it (escalation may rank by it); all ``False`` when not
            given. The public message itself goes out only if the claimant
            speaks about the experience (see word of mouth).
    """

    customers: np.ndarray
    value_usd: np.ndarray
    public: np.ndarray = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.public is None:
            object.__setattr__(self, "public", np.zeros(self.customers.size, dtype=bool))

    def __len__(self) -> int:
        return int(self.customers.size)


def rule_param(
    default: Any,
    *,
    unit: str,
    meaning: str,
    source: str,
    low: float | None = None,
    high: float | None = None,
    choices: tuple[str, ...] | None = None,
) -> Any:
    """Declare a rule parameter (a dataclass field) with its unit, range and source.

    The rule validates it on construction, and ``loyaltysim params`` lists it
    as ``policy.<dimension>_<name>``.
    """
    return param(
        default,
        unit=unit,
        meaning=meaning,
        source=source,
        group="policy",
        low=low,
        high=high,
        choices=choices,
    )


class Rule(ABC):  # noqa: B024 - abstract methods live on the dimension bases
    """Base of every policy rule; ``dimension`` and ``name`` identify it."""

    dimension: ClassVar[str] = ""
    name: ClassVar[str] = ""
    #: What the decision method answers per request: ``True``/``False``, or a
    #: positive number (checked by :func:`decide`).
    answers_numbers: ClassVar[bool] = False

    def __post_init__(self) -> None:
        """Validate (and convert) the parameters declared with :func:`rule_param`."""
        for spec in rule_parameter_specs(type(self)):
            key = spec.name[len(self.dimension) + 1 :]
            value = spec.validate(getattr(self, key), f"policy.{spec.name}")
            object.__setattr__(self, key, value)

    @property
    def label(self) -> str:
        """Short label: the registry name, with parameters if any."""
        params = [str(_fmt(value)) for value in rule_parameters(self).values()]
        return f"{self.name}({', '.join(params)})" if params else self.name


class ClaimsRule(Rule):
    """Decides which claims the firm investigates before paying.

    Claims not selected are paid at once. Selected claims cost an
    investigation and are paid unless the investigation treats them as fraud
    (it exposes fraud with the scenario's ``detection_rate`` and wrongly
    accuses an honest claimant with ``false_accusation_rate``).
    """

    dimension = "claims"

    @abstractmethod
    def verify(self, claims: ClaimBatch, population: Population) -> np.ndarray:
        """Return a boolean array: ``True`` where the claim is investigated."""


class PricingRule(Rule):
    """Decides which discount requests (haggling) are granted."""

    dimension = "pricing"

    @abstractmethod
    def grant(self, customers: np.ndarray, population: Population) -> np.ndarray:
        """Return a boolean array: ``True`` where the discount is granted."""


class CapriceRule(Rule):
    """Decides which caprices (unreasonable service demands) are accommodated."""

    dimension = "caprices"

    @abstractmethod
    def accommodate(self, customers: np.ndarray, population: Population) -> np.ndarray:
        """Return a boolean array: ``True`` where the caprice is accommodated."""


class RecoveryRule(Rule):
    """Decides which of the month's complaints (claims) go up to management.

    Management reverses a rejection or a front-line deflection (the claim is
    paid), apologises in person (``effect_management_recovery``), costs
    ``management_cost_usd`` per complaint, and may be praised in public.
    """

    dimension = "recovery"

    @abstractmethod
    def escalate(self, claims: ClaimBatch, population: Population) -> np.ndarray:
        """Return a boolean array: ``True`` where the complaint is escalated."""


class PromiseRule(Rule):
    """Decides the delivery time the firm promises, in days.

    A purchase whose lead time exceeds the promise breaks it; a shorter
    promise than the market's draws more conversions.
    """

    dimension = "promises"
    answers_numbers = True

    @abstractmethod
    def promise_days(self, customers: np.ndarray, population: Population) -> np.ndarray:
        """Return the promised delivery time (days, > 0) for each customer."""


class GuaranteeRule(Rule):
    """Decides which claims a guarantee refunds at once, no questions asked.

    While ``announced`` is true the guarantee draws trial
    (``guarantee_trial_boost``), makes honest claims likelier
    (``guarantee_claim_multiplier``), tells everyone claims are paid (fraud
    at full leniency), and turns claims into refunds of the purchase.
    """

    dimension = "guarantee"
    #: Whether customers know of the guarantee.
    announced: ClassVar[bool] = True

    @abstractmethod
    def honour(self, claims: ClaimBatch, population: Population) -> np.ndarray:
        """Return a boolean array: ``True`` where the claim is refunded at once."""


class OutreachRule(Rule):
    """Decides which prospects and lapsed customers the firm contacts this month.

    Each contact costs ``outreach_cost_usd`` and adds ``outreach_response`` to
    the person's monthly conversion hazard for good (goodwill accumulates).
    """

    dimension = "outreach"

    @abstractmethod
    def contact(self, people: np.ndarray, population: Population, month: int) -> np.ndarray:
        """Return a boolean array: ``True`` where the person is contacted in ``month``."""


class PruningRule(Rule):
    """Decides which active customers the firm drops (they are never won back)."""

    dimension = "pruning"

    @abstractmethod
    def drop(self, customers: np.ndarray, population: Population) -> np.ndarray:
        """Return a boolean array: ``True`` where the customer is dropped."""


class ListeningRule(Rule):
    """Decides which complaints the firm analyses for what they say about the product.

    Each analysed complaint costs ``listening_cost_usd``; the genuine ones
    lower the failure rate (``listening_learning_rate``, ``failure_rate_floor``).
    """

    dimension = "listening"

    @abstractmethod
    def analyse(self, claims: ClaimBatch, population: Population) -> np.ndarray:
        """Return a boolean array: ``True`` where the complaint is analysed."""


def _all(size: int) -> np.ndarray:
    return np.ones(size, dtype=bool)


def _none(size: int) -> np.ndarray:
    return np.zeros(size, dtype=bool)


# --- claims -------------------------------------------------------------------
@dataclass(frozen=True)
class AlwaysCompensate(ClaimsRule):
    """Pay every claim at once, no questions asked (Sewell's tennis racket, seed 004)."""

    name = "compensate"

    def verify(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return _none(len(claims))


@dataclass(frozen=True)
class VerifyFirst(ClaimsRule):
    """Investigate every claim before paying (seed 004's warning)."""

    name = "verify"

    def verify(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return _all(len(claims))


@dataclass(frozen=True)
class ThresholdVerification(ClaimsRule):
    """Pay small claims at once, investigate claims above a value (seed 004: luxury items).

    Attributes:
        threshold_usd: Claims strictly above this value are investigated.
    """

    name = "threshold"
    threshold_usd: float = rule_param(
        100.0,
        unit="USD",
        low=0.0,
        high=1e12,
        meaning="claims above this value are investigated, smaller ones paid at once",
        source="seed 004: always compensating stops paying for luxury items",
    )

    def verify(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return claims.value_usd > self.threshold_usd


# --- pricing ------------------------------------------------------------------
@dataclass(frozen=True)
class NegotiablePrices(PricingRule):
    """Grant every discount request (the customer is always right)."""

    name = "negotiable"

    def grant(self, customers: np.ndarray, population: Population) -> np.ndarray:  # noqa: D102
        return _all(customers.size)


@dataclass(frozen=True)
class FixedPrices(PricingRule):
    """Every thing has its fixed price: refuse discount requests politely (seed 003)."""

    name = "fixed"

    def grant(self, customers: np.ndarray, population: Population) -> np.ndarray:  # noqa: D102
        return _none(customers.size)


# --- caprices -----------------------------------------------------------------
@dataclass(frozen=True)
class AccommodateCaprices(CapriceRule):
    """Do whatever the customer asks, at its cost."""

    name = "accommodate"

    def accommodate(self, customers: np.ndarray, population: Population) -> np.ndarray:  # noqa: D102
        return _all(customers.size)


@dataclass(frozen=True)
class RefuseCaprices(CapriceRule):
    """State and defend a professional opinion, politely (seed 003)."""

    name = "refuse"

    def accommodate(self, customers: np.ndarray, population: Population) -> np.ndarray:  # noqa: D102
        return _none(customers.size)


# --- recovery -----------------------------------------------------------------
@dataclass(frozen=True)
class NoRecovery(RecoveryRule):
    """Management never sees a complaint: the front line's answer stands."""

    name = "none"

    def escalate(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return _none(len(claims))


#: How :class:`EscalateToManagement` ranks complaints.
ESCALATION_PRIORITIES = ("largest", "loudest", "public")


@dataclass(frozen=True)
class EscalateToManagement(RecoveryRule):
    """Management takes up the month's top complaints in person (seeds 000, 002).

    Attributes:
        capacity_per_month: Complaints management can take up in a month.
        priority: Which go up first: the ``largest`` claims, the ``loudest``
            claimants (those most given to word of mouth, as the firm
            perceives them), or the ``public`` complaints (then the largest).
    """

    name = "escalate"
    capacity_per_month: int = rule_param(
        10,
        unit="complaints/month",
        low=0,
        high=10_000_000,
        meaning="complaints management can take up in a month",
        source="stated assumption: scarce management time (seed 000: the CEO phoned one)",
    )
    priority: str = rule_param(
        "public",
        unit="choice",
        choices=ESCALATION_PRIORITIES,
        meaning="which complaints go up first: the largest, the loudest claimants, the public",
        source="seed 000: a complaint mentioned in a Forbes column reached the CEO",
    )

    def escalate(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        if self.priority == "loudest":
            keys: tuple[np.ndarray, ...] = (population.wom_propensity[claims.customers],)
        elif self.priority == "public":
            keys = (claims.value_usd, claims.public)  # lexsort: last key is primary
        else:
            keys = (claims.value_usd,)
        order = np.lexsort(tuple(-np.asarray(k, dtype=float) for k in keys))
        chosen = _none(len(claims))
        chosen[order[: self.capacity_per_month]] = True
        return chosen


# --- promises -----------------------------------------------------------------
class _PromisedDays(PromiseRule):
    """A promise of the same ``days`` to everyone."""

    days: float

    def promise_days(self, customers: np.ndarray, population: Population) -> np.ndarray:
        return np.full(customers.size, self.days)


@dataclass(frozen=True)
class RealisticPromises(_PromisedDays):
    """Promise what the market promises and deliveries keep (seed 003's rule).

    Attributes:
        days: The promised delivery time.
    """

    name = "realistic"
    days: float = rule_param(
        14.0,
        unit="days",
        low=0.01,
        high=1_000.0,
        meaning="promised delivery time of the realistic rule (the market's usual promise)",
        source="the default market_promise_days (set both when the market's promise "
        "differs); broken about 2.4% of the time at the default lead times",
    )


@dataclass(frozen=True)
class OptimisticPromises(_PromisedDays):
    """Promise faster than the market: more sales, more promises broken (seed 002).

    Attributes:
        days: The promised delivery time.
    """

    name = "optimistic"
    days: float = rule_param(
        10.0,
        unit="days",
        low=0.01,
        high=1_000.0,
        meaning="promised delivery time of the optimistic rule",
        source="seed 002: 'within 10 days' (for a 5-6 week special order); about 15% of "
        "promises break at the default lead times",
    )


# --- guarantee ----------------------------------------------------------------
@dataclass(frozen=True)
class NoGuarantee(GuaranteeRule):
    """No guarantee: claims follow the claims rule."""

    name = "none"
    announced = False

    def honour(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return _none(len(claims))


@dataclass(frozen=True)
class SatisfactionGuarantee(GuaranteeRule):
    """Refund any purchase on request, no questions asked (seed 001: the pizza)."""

    name = "satisfaction"

    def honour(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return _all(len(claims))


# --- outreach -----------------------------------------------------------------
#: Whom :class:`KeepInTouch` contacts.
OUTREACH_AUDIENCES = ("prospects", "lapsed", "both")


@dataclass(frozen=True)
class NoOutreach(OutreachRule):
    """Never contact non-customers."""

    name = "none"

    def contact(self, people: np.ndarray, population: Population, month: int) -> np.ndarray:  # noqa: D102
        return _none(people.size)


@dataclass(frozen=True)
class KeepInTouch(OutreachRule):
    """Contact each prospect or lapsed customer once every ``interval_months`` (seed 001).

    Person ``i`` is contacted in the months ``m`` with ``(i + m) % interval == 0``,
    so contacts are spread evenly over the year, like birthdays.

    Attributes:
        interval_months: Months between two contacts to the same person.
        audience: ``prospects``, ``lapsed`` or ``both``.
    """

    name = "keep_in_touch"
    interval_months: int = rule_param(
        12,
        unit="months",
        low=1,
        high=1_200,
        meaning="months between two contacts to the same person",
        source="seed 001: a birthday card every year",
    )
    audience: str = rule_param(
        "both",
        unit="choice",
        choices=OUTREACH_AUDIENCES,
        meaning="who is kept in touch with: prospects, lapsed customers or both",
        source="MODEL.md section 4: keep in touch with prospects and lapsed customers",
    )

    def contact(self, people: np.ndarray, population: Population, month: int) -> np.ndarray:  # noqa: D102
        due = (people + month) % self.interval_months == 0
        if self.audience == "both":
            return due
        lapsed = population.status[people] == LAPSED
        return due & (lapsed if self.audience == "lapsed" else ~lapsed)


# --- pruning ------------------------------------------------------------------
@dataclass(frozen=True)
class KeepEveryone(PruningRule):
    """Keep every customer."""

    name = "keep"

    def drop(self, customers: np.ndarray, population: Population) -> np.ndarray:  # noqa: D102
        return _none(customers.size)


@dataclass(frozen=True)
class DropUnprofitable(PruningRule):
    """Drop customers whose cumulative service cost exceeds their cumulative margin (seed 003).

    Attributes:
        min_tenure_months: Only customers with at least this tenure are reviewed.
    """

    name = "drop_unprofitable"
    min_tenure_months: int = rule_param(
        6,
        unit="months",
        low=0,
        high=1_200,
        meaning="only customers with at least this tenure are reviewed for dropping",
        source="stated assumption: judge a customer on half a year of books",
    )

    def drop(self, customers: np.ndarray, population: Population) -> np.ndarray:  # noqa: D102
        unprofitable = (
            population.cumulative_cost_usd[customers] > population.cumulative_margin_usd[customers]
        )
        return unprofitable & (population.tenure_months[customers] >= self.min_tenure_months)


# --- listening ----------------------------------------------------------------
@dataclass(frozen=True)
class NoListening(ListeningRule):
    """Answer complaints, learn nothing from them."""

    name = "none"

    def analyse(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return _none(len(claims))


@dataclass(frozen=True)
class Listen(ListeningRule):
    """Analyse every complaint for what the customer lacks (seed 001: Milliken)."""

    name = "listen"

    def analyse(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return _all(len(claims))


#: Policy dimensions in MODEL.md section 4 order: name -> (base class, neutral default rule).
DIMENSIONS: dict[str, tuple[type[Rule], type[Rule]]] = {
    "claims": (ClaimsRule, AlwaysCompensate),
    "pricing": (PricingRule, NegotiablePrices),
    "caprices": (CapriceRule, AccommodateCaprices),
    "recovery": (RecoveryRule, NoRecovery),
    "promises": (PromiseRule, RealisticPromises),
    "guarantee": (GuaranteeRule, NoGuarantee),
    "outreach": (OutreachRule, NoOutreach),
    "pruning": (PruningRule, KeepEveryone),
    "listening": (ListeningRule, NoListening),
}

#: The dimensions every policy description shows; the others only when not neutral.
CORE_DIMENSIONS = ("claims", "pricing", "caprices")

#: The stories behind each dimension (MODEL.md section 4).
DIMENSION_SEEDS = {
    "claims": "seed 004",
    "pricing": "seeds 003, 001",
    "caprices": "seed 003",
    "recovery": "seeds 000, 002, 001",
    "promises": "seeds 001, 002, 003",
    "guarantee": "seed 001",
    "outreach": "seeds 001, 003",
    "pruning": "seed 003",
    "listening": "seed 001 rule 2 (issue 3; not in the brief's table)",
}

_REGISTRY: dict[str, dict[str, type[Rule]]] = {dimension: {} for dimension in DIMENSIONS}
for _rule in (
    AlwaysCompensate,
    VerifyFirst,
    ThresholdVerification,
    NegotiablePrices,
    FixedPrices,
    AccommodateCaprices,
    RefuseCaprices,
    NoRecovery,
    EscalateToManagement,
    RealisticPromises,
    OptimisticPromises,
    NoGuarantee,
    SatisfactionGuarantee,
    NoOutreach,
    KeepInTouch,
    KeepEveryone,
    DropUnprofitable,
    NoListening,
    Listen,
):
    _REGISTRY[_rule.dimension][_rule.name] = _rule


def registered_rules(dimension: str) -> dict[str, type[Rule]]:
    """The rules that ``dimension`` accepts by name, in registration order."""
    return dict(_REGISTRY[dimension])


def register_rule(name: str, rule: type[Rule]) -> None:
    """Make a rule class available by name in TOML files and ``--set``.

    Args:
        name: The name to use (``claims = "name"`` in a policy table).
        rule: A subclass of one dimension's base class (:class:`ClaimsRule`,
            :class:`RecoveryRule`...); its dataclass fields become policy
            parameters named ``<dimension>_<field>``.
    """
    dimension = _dimension_of(rule)
    if dimension is None:
        bases = ", ".join(base.__name__ for base, _ in DIMENSIONS.values())
        raise ParameterError("rule", rule, f"a subclass of one of {bases}")
    _REGISTRY[dimension][name] = rule


def _dimension_of(rule: object) -> str | None:
    if not isinstance(rule, type):
        rule = type(rule)
    for dimension, (base, _) in DIMENSIONS.items():
        if issubclass(rule, base):  # type: ignore[arg-type]
            return dimension
    return None


@dataclass(frozen=True)
class Policy:
    """A firm's service policy: one rule per dimension.

    Args:
        claims: How claims are answered (default: pay at once).
        pricing: How discount requests are answered (default: negotiable).
        caprices: How caprices are answered (default: accommodate).
        recovery: Which complaints go to management (default: none).
        promises: What delivery time is promised (default: realistic).
        guarantee: Which claims a guarantee refunds (default: no guarantee).
        outreach: Whom to keep in touch with (default: nobody).
        pruning: Which customers to drop (default: keep everyone).
        listening: Which complaints to learn from (default: none).
        name: Label used in tables and plots; defaults to a description of
            the rules.
    """

    claims: ClaimsRule = field(default_factory=AlwaysCompensate)
    pricing: PricingRule = field(default_factory=NegotiablePrices)
    caprices: CapriceRule = field(default_factory=AccommodateCaprices)
    recovery: RecoveryRule = field(default_factory=NoRecovery)
    promises: PromiseRule = field(default_factory=RealisticPromises)
    guarantee: GuaranteeRule = field(default_factory=NoGuarantee)
    outreach: OutreachRule = field(default_factory=NoOutreach)
    pruning: PruningRule = field(default_factory=KeepEveryone)
    listening: ListeningRule = field(default_factory=NoListening)
    name: str = ""

    def __post_init__(self) -> None:
        for dimension, (base, _) in DIMENSIONS.items():
            rule = getattr(self, dimension)
            if not isinstance(rule, base):
                raise ParameterError(
                    f"policy.{dimension}",
                    rule,
                    f"an instance of {base.__name__} (one of: "
                    + ", ".join(sorted(_REGISTRY[dimension]))
                    + ")",
                )
        if not self.name:
            object.__setattr__(self, "name", self.describe(labels=True))

    @property
    def rules(self) -> dict[str, Rule]:
        """The rule of each dimension, in schedule order."""
        return {dimension: getattr(self, dimension) for dimension in DIMENSIONS}

    def describe(self, labels: bool = False) -> str:
        """``"claims=verify, pricing=negotiable, caprices=accommodate"``.

        The core dimensions are always shown; the others when they differ
        from their neutral default.
        """
        return ", ".join(
            f"{d}={r.label if labels else r.name}"
            for d, r in self.rules.items()
            if d in CORE_DIMENSIONS or r != DIMENSIONS[d][1]()
        )

    def to_spec(self) -> dict[str, Any]:
        """The policy as a ``[policy]`` table (inverse of :meth:`from_spec`)."""
        spec: dict[str, Any] = {"name": self.name}
        for dimension, rule in self.rules.items():
            registered = _REGISTRY[dimension].get(rule.name) is type(rule)
            spec[dimension] = (
                rule.name if registered else f"{type(rule).__module__}:{type(rule).__qualname__}"
            )
            for key, value in rule_parameters(rule).items():
                spec[f"{dimension}_{key}"] = value
        return spec

    @classmethod
    def preset(cls, name: str) -> Policy:
        """One of the named policies of MODEL.md section 4.

        Raises:
            ParameterError: ``name`` is not a named policy.
        """
        if name not in _PRESETS:
            raise ParameterError(
                "policy", name, "one of " + ", ".join(NAMED_POLICIES), _close(name, _PRESETS)
            )
        return _PRESETS[name]

    def with_rules(self, name: str = "", **rules: Rule) -> Policy:
        """A copy with some dimensions' rules replaced (and a new name)."""
        return dataclasses.replace(self, name=name, **rules)

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Policy:
        """Build a policy from a ``[policy]`` table.

        Keys: ``preset`` (a named policy to start from), one of
        :data:`DIMENSIONS` naming a registered rule or
        ``"module:ClassName"``, ``<dimension>_<parameter>`` for a rule's
        parameters (``claims_threshold_usd = 150``), and ``name``.

        Raises:
            ParameterError: Unknown key, unknown rule or bad rule parameter.
        """
        spec = dict(spec)
        base = cls.preset(spec.pop("preset")) if "preset" in spec else cls()
        name = spec.pop("name", "")
        if not isinstance(name, str):
            raise ParameterError("policy.name", name, "a string")
        rules: dict[str, Rule] = {}
        for dimension in DIMENSIONS:
            choice = spec.pop(dimension, None)
            params = {
                key[len(dimension) + 1 :]: spec.pop(key)
                for key in list(spec)
                if key.startswith(dimension + "_")
            }
            if choice is None and not params:
                rules[dimension] = getattr(base, dimension)
                continue
            rule_cls = (
                type(getattr(base, dimension))
                if choice is None
                else _lookup_rule(dimension, choice)
            )
            rules[dimension] = _build_rule(dimension, rule_cls, params)
        if spec:
            key = sorted(spec)[0]
            accepted = ["preset", "name", *DIMENSIONS, "<dimension>_<rule parameter>"]
            raise ParameterError(
                f"policy.{key}", spec[key], "one of " + ", ".join(accepted), unknown=True
            )
        unchanged = all(rules[d] is getattr(base, d) for d in DIMENSIONS)
        return cls(**rules, name=name or (base.name if unchanged else ""))


def _lookup_rule(dimension: str, choice: Any) -> type[Rule]:
    label = f"policy.{dimension}"
    known = _REGISTRY[dimension]
    accepts = "one of " + ", ".join(repr(k) for k in known) + " or 'module:ClassName'"
    if not isinstance(choice, str):
        raise ParameterError(label, choice, accepts)
    if choice in known:
        return known[choice]
    if ":" not in choice:
        raise ParameterError(label, choice, accepts, _close(choice, known))
    module_name, _, attr = choice.partition(":")
    try:
        rule_cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ParameterError(label, choice, accepts, f"cannot import it: {exc}") from None
    if _dimension_of(rule_cls) != dimension:
        raise ParameterError(label, choice, f"a subclass of {DIMENSIONS[dimension][0].__name__}")
    return rule_cls


def rule_parameters(rule: Rule | type[Rule]) -> dict[str, Any]:
    """A rule's parameters: its dataclass fields (with their values for an instance)."""
    if not dataclasses.is_dataclass(rule):
        return {}
    return {
        f.name: getattr(rule, f.name) if not isinstance(rule, type) else f.default
        for f in dataclasses.fields(rule)
    }


def rule_parameter_specs(rule: type[Rule]) -> list[ParameterSpec]:
    """The declared parameters of a rule class, named ``<dimension>_<field>``.

    Fields declared without :func:`rule_param` (a user's plain dataclass
    field) are not validated and not listed.
    """
    if not dataclasses.is_dataclass(rule):
        return []
    return [
        ParameterSpec(name=f"{rule.dimension}_{f.name}", default=f.default, **f.metadata["spec"])
        for f in dataclasses.fields(rule)
        if "spec" in f.metadata
    ]


def _build_rule(dimension: str, rule_cls: type[Rule], params: dict[str, Any]) -> Rule:
    names = set(rule_parameters(rule_cls))
    for key in params:
        if key not in names:
            accepts = (
                "one of " + ", ".join(f"{dimension}_{n}" for n in sorted(names))
                if names
                else f"no parameters for rule {rule_cls.name!r}"
            )
            raise ParameterError(f"policy.{dimension}_{key}", params[key], accepts, unknown=True)
    try:
        return rule_cls(**params)
    except TypeError as exc:
        raise ParameterError(f"policy.{dimension}", rule_cls, "a rule", str(exc)) from None


def _close(word: str, options: Mapping[str, Any]) -> str:
    return _close_match(word, list(options))


def _fmt(value: Any) -> Any:
    return f"{value:g}" if isinstance(value, float) else value


_PRESETS: dict[str, Policy] = {
    "always_compensate": Policy(name="always_compensate"),
    "verify_first": Policy(claims=VerifyFirst(), name="verify_first"),
    "fixed_pricing": Policy(pricing=FixedPrices(), name="fixed_pricing"),
    "refuse_caprices": Policy(caprices=RefuseCaprices(), name="refuse_caprices"),
}

#: The four named policies every report compares (MODEL.md section 4).
NAMED_POLICIES: tuple[str, ...] = tuple(_PRESETS)


def resolve_policy(policy: Policy | str) -> Policy:
    """Accept a :class:`Policy` or the name of a preset."""
    if isinstance(policy, Policy):
        return policy
    return Policy.preset(policy)


def decide(
    rule: Rule, method: str, requests: Any, population: Population, *extra: Any
) -> np.ndarray:
    """Call a rule's decision method and check its answer.

    A rule written by a user may return a list, ints or the wrong length;
    this turns the answer into a boolean array (or positive floats, for a
    rule whose ``answers_numbers`` is true) or says which rule is wrong.

    Raises:
        ParameterError: The answer is not one valid value per request.
    """
    size = len(requests)
    answer = np.asarray(getattr(rule, method)(requests, population, *extra))
    numeric = rule.answers_numbers
    wanted = "one positive number" if numeric else "one boolean"
    ok = answer.shape == (size,) and answer.dtype.kind in ("iuf" if numeric else "bi")
    if ok and numeric:
        answer = answer.astype(float, copy=False)
        ok = bool(np.all(answer > 0))
    if not ok:
        raise ParameterError(
            f"policy.{rule.dimension}",
            f"{type(rule).__name__}.{method} returning shape {answer.shape} dtype {answer.dtype}",
            f"a rule whose {method}() returns {wanted} per request ({size})",
        )
    return answer if numeric else answer.astype(bool, copy=False)
