"""The firm's policy: one rule per dimension of its customer service.

A :class:`Policy` composes one rule for each *dimension* (claims, pricing,
caprices; MODEL.md section 4). A rule is a small object with one vectorised
decision method over a batch of customers:

========== ====================== ========================================
dimension  method                 built-in rules (registry name)
========== ====================== ========================================
claims     ``verify(claims, pop)`` ``compensate``, ``verify``, ``threshold``
pricing    ``grant(customers, pop)`` ``negotiable``, ``fixed``
caprices   ``accommodate(customers, pop)`` ``accommodate``, ``refuse``
========== ====================== ========================================

Each method returns a boolean array, one entry per request. The model does
everything else (costs, outcomes, satisfaction), so a new rule is a few lines
and cannot break the accounting. Write your own by subclassing the dimension's
base class, then either pass an instance to :class:`Policy` or register a name
with :func:`register_rule` (TOML and ``--set policy.claims=...`` can also name
``"package.module:ClassName"``).

Later dimensions (recovery, promises, guarantee, outreach, pruning) join
:data:`DIMENSIONS` with their base class and a neutral default.

Example:
    >>> from loyaltysim.policies import Policy, ThresholdVerification
    >>> Policy.preset("verify_first").describe()
    'claims=verify, pricing=negotiable, caprices=accommodate'
    >>> Policy(claims=ThresholdVerification(threshold_usd=150)).name
    'claims=threshold(150), pricing=negotiable, caprices=accommodate'
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
from loyaltysim.scenario import _close_match

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
    "FixedPrices",
    "NegotiablePrices",
    "Policy",
    "PricingRule",
    "RefuseCaprices",
    "ThresholdVerification",
    "VerifyFirst",
    "register_rule",
    "resolve_policy",
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
    """

    customers: np.ndarray
    value_usd: np.ndarray

    def __len__(self) -> int:
        return int(self.customers.size)


class Rule(ABC):  # noqa: B024 - abstract methods live on the dimension bases
    """Base of every policy rule; ``dimension`` and ``name`` identify it."""

    dimension: ClassVar[str] = ""
    name: ClassVar[str] = ""

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


@dataclass(frozen=True)
class AlwaysCompensate(ClaimsRule):
    """Pay every claim at once, no questions asked (Sewell's tennis racket, seed 004)."""

    name = "compensate"

    def verify(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return np.zeros(len(claims), dtype=bool)


@dataclass(frozen=True)
class VerifyFirst(ClaimsRule):
    """Investigate every claim before paying (seed 004's warning)."""

    name = "verify"

    def verify(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return np.ones(len(claims), dtype=bool)


@dataclass(frozen=True)
class ThresholdVerification(ClaimsRule):
    """Pay small claims at once, investigate claims above a value (seed 004: luxury items).

    Attributes:
        threshold_usd: Claims strictly above this value are investigated.
    """

    name = "threshold"
    threshold_usd: float = 100.0
    #: Allowed range of ``threshold_usd``, in USD.
    THRESHOLD_RANGE_USD: ClassVar[tuple[float, float]] = (0.0, 1e12)

    def __post_init__(self) -> None:
        _check_number("policy.claims_threshold_usd", self.threshold_usd, *self.THRESHOLD_RANGE_USD)

    def verify(self, claims: ClaimBatch, population: Population) -> np.ndarray:  # noqa: D102
        return claims.value_usd > self.threshold_usd


@dataclass(frozen=True)
class NegotiablePrices(PricingRule):
    """Grant every discount request (the customer is always right)."""

    name = "negotiable"

    def grant(self, customers: np.ndarray, population: Population) -> np.ndarray:  # noqa: D102
        return np.ones(customers.size, dtype=bool)


@dataclass(frozen=True)
class FixedPrices(PricingRule):
    """Every thing has its fixed price: refuse discount requests politely (seed 003)."""

    name = "fixed"

    def grant(self, customers: np.ndarray, population: Population) -> np.ndarray:  # noqa: D102
        return np.zeros(customers.size, dtype=bool)


@dataclass(frozen=True)
class AccommodateCaprices(CapriceRule):
    """Do whatever the customer asks, at its cost."""

    name = "accommodate"

    def accommodate(self, customers: np.ndarray, population: Population) -> np.ndarray:  # noqa: D102
        return np.ones(customers.size, dtype=bool)


@dataclass(frozen=True)
class RefuseCaprices(CapriceRule):
    """State and defend a professional opinion, politely (seed 003)."""

    name = "refuse"

    def accommodate(self, customers: np.ndarray, population: Population) -> np.ndarray:  # noqa: D102
        return np.zeros(customers.size, dtype=bool)


#: Policy dimensions: name -> (base class, neutral default rule).
DIMENSIONS: dict[str, tuple[type[Rule], type[Rule]]] = {
    "claims": (ClaimsRule, AlwaysCompensate),
    "pricing": (PricingRule, NegotiablePrices),
    "caprices": (CapriceRule, AccommodateCaprices),
}

_REGISTRY: dict[str, dict[str, type[Rule]]] = {
    "claims": {
        "compensate": AlwaysCompensate,
        "verify": VerifyFirst,
        "threshold": ThresholdVerification,
    },
    "pricing": {"negotiable": NegotiablePrices, "fixed": FixedPrices},
    "caprices": {"accommodate": AccommodateCaprices, "refuse": RefuseCaprices},
}


def register_rule(name: str, rule: type[Rule]) -> None:
    """Make a rule class available by name in TOML files and ``--set``.

    Args:
        name: The name to use (``claims = "name"`` in a policy table).
        rule: A subclass of :class:`ClaimsRule`, :class:`PricingRule` or
            :class:`CapriceRule`; its dataclass fields become policy
            parameters named ``<dimension>_<field>``.
    """
    dimension = _dimension_of(rule)
    if dimension is None:
        raise ParameterError("rule", rule, "a subclass of ClaimsRule, PricingRule or CapriceRule")
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
        name: Label used in tables and plots; defaults to a description of
            the rules.
    """

    claims: ClaimsRule = field(default_factory=AlwaysCompensate)
    pricing: PricingRule = field(default_factory=NegotiablePrices)
    caprices: CapriceRule = field(default_factory=AccommodateCaprices)
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
        """``"claims=verify, pricing=negotiable, caprices=accommodate"``."""
        return ", ".join(f"{d}={r.label if labels else r.name}" for d, r in self.rules.items())

    def to_spec(self) -> dict[str, Any]:
        """The policy as a ``[policy]`` table (inverse of :meth:`from_spec`)."""
        spec: dict[str, Any] = {"name": self.name}
        for dimension, rule in self.rules.items():
            spec[dimension] = rule.name or f"{type(rule).__module__}:{type(rule).__qualname__}"
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
    accepts = "one of " + ", ".join(repr(k) for k in sorted(known)) + " or 'module:ClassName'"
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


def number_range(low: float, high: float) -> str:
    """``"a number in [low, high]"``, as every range message words it."""
    return f"a number in [{low:g}, {high:g}]"


def _check_number(name: str, value: Any, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ParameterError(name, value, number_range(low, high))


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


def decide(rule: Rule, method: str, requests: Any, population: Population) -> np.ndarray:
    """Call a rule's decision method and check its answer.

    A rule written by a user may return a list, ints or the wrong length;
    this turns the answer into a boolean array or says which rule is wrong.

    Raises:
        ParameterError: The answer is not one boolean per request.
    """
    size = len(requests)
    answer = np.asarray(getattr(rule, method)(requests, population))
    if answer.shape != (size,) or answer.dtype.kind not in "bi":
        raise ParameterError(
            f"policy.{rule.dimension}",
            f"{type(rule).__name__}.{method} returning shape {answer.shape} dtype {answer.dtype}",
            f"a rule whose {method}() returns one boolean per request ({size})",
        )
    return answer.astype(bool, copy=False)
