"""The contract between a policy's rules and the model.

A *rule* answers one kind of request for one *dimension* of the firm's service
(which claims to investigate, which discount requests to grant...) with one
vectorised decision method. The model does everything else (costs, outcomes,
satisfaction), so a rule is a few lines and cannot break the accounting.

This module holds what every rule and every dimension share:

* :class:`Rule`, the base of every rule, and :func:`rule_param`, which
  declares a rule's parameters (validated and listed like the market's);
* :class:`ClaimBatch`, the month's claims as the firm sees them (its
  customers' records are :class:`~loyaltysim.policies.records.CustomerRecords`);
* :class:`Dimension`, the one record that defines a dimension (its base
  class, neutral rule, decision method, random draws, stories), and the
  registries of dimensions (:func:`add_dimension`) and rules
  (:func:`register_rule`), from which policies, presets, parameter listings and
  the model's schedule are derived;
* :func:`decide`, which calls a rule's decision method on the customer
  records and checks its answer, and :func:`plugin_call`, through which the
  model calls code a user plugged in (what it raises, or a ``sys.exit`` in it,
  fails the run with a :class:`~loyaltysim.errors.PluginError` naming the rule).
"""

from __future__ import annotations

import dataclasses
from abc import ABC
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from loyaltysim.errors import LoyaltysimError, ParameterError, PluginError, describe_exception
from loyaltysim.params import ParameterSpec, close_match, format_number, param, specs_of
from loyaltysim.policies.records import CustomerRecords

if TYPE_CHECKING:
    from loyaltysim.month import Month
    from loyaltysim.outcomes import Column
    from loyaltysim.population import Population
    from loyaltysim.scenario import Scenario

__all__ = [
    "DIMENSIONS",
    "ClaimBatch",
    "Dimension",
    "FrontLine",
    "Rule",
    "add_dimension",
    "decide",
    "dimension_of",
    "plugin_call",
    "register_rule",
    "registered",
    "registered_rules",
    "remove_dimension",
    "rule_param",
    "rule_parameter_specs",
    "rule_parameters",
    "unregister_rule",
]


class FrontLine(IntEnum):
    """How the front line answered a claim, as the firm knows it (:attr:`ClaimBatch.answer`)."""

    UNANSWERED = 0  #: not answered yet (what the claims rule sees)
    REFUNDED = 1  #: refunded at once under the guarantee
    PAID = 2  #: paid at once, no questions asked
    DEFLECTED = 3  #: turned away by the front line, neither paid nor accused
    CHECKED_PAID = 4  #: investigated, then paid
    REJECTED = 5  #: investigated, then rejected as fraud


@dataclass(frozen=True)
class ClaimBatch:
    """The claims filed in one month, as the firm sees them: one entry per claim.

    Whether a claim is genuine, mistaken or fraudulent is not here: the firm
    cannot see it. A rule reads the claimant's history from the customer
    records it receives (:class:`~loyaltysim.policies.records.CustomerRecords`:
    ``claims``, ``public_complaints``, ``tenure_months``,
    ``cumulative_margin_usd``...); traits such as ``honesty``, and
    ``failures`` (which counts real failures, this month's included, and so
    would tell a genuine claim from the others), are hidden there.

    Attributes:
        customers: Index of the claimant in the population.
        value_usd: Amount claimed.
        public: Whether the claimant also complained in public, so the firm
            can see it (escalation may rank by it); all ``False`` when not
            given. The public message itself goes out only if the claimant
            speaks about the experience (see word of mouth).
        answer: How the front line answered each claim (:class:`FrontLine`
            codes): ``UNANSWERED`` for the claims rule; the recovery rule sees
            the answers. Whether a rejected claim was really fraud is not here:
            the firm does not know.
        month: The month the claims were filed (1 … T; the firm knows the
            date, e.g. to spread a capacity over the months).
    """

    customers: np.ndarray
    value_usd: np.ndarray
    public: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    answer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    month: int = 1

    def __post_init__(self) -> None:
        size = self.customers.size
        if self.public.size == 0 and size:  # not given: nobody complained in public
            object.__setattr__(self, "public", np.zeros(size, dtype=bool))
        if self.answer.size == 0 and size:  # not given: not answered yet
            object.__setattr__(self, "answer", np.zeros(size, dtype=np.int8))
        if not self.value_usd.shape == self.public.shape == self.answer.shape == (size,):
            raise ParameterError(
                "ClaimBatch", "arrays of different lengths", "one entry per claim in each array"
            )

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
    """Base of every policy rule; ``dimension`` and ``name`` identify it.

    ``dimension`` is set on each dimension's base class by
    :func:`add_dimension`; ``name`` is the rule's registry name.
    """

    dimension: ClassVar[str] = ""
    name: ClassVar[str] = ""

    def __post_init__(self) -> None:
        """Validate (and convert) the parameters declared with :func:`rule_param`."""
        for spec in rule_parameter_specs(type(self)):
            key = spec.name[len(self.dimension) + 1 :]
            value = spec.validate(getattr(self, key), f"policy.{spec.name}")
            object.__setattr__(self, key, value)

    @property
    def label(self) -> str:
        """Short label: the registry name, with parameters if any.

        Numbers and choices are listed in order; a flag only where it differs
        from its default, by name (``verify(announced=True)``).
        """
        defaults = rule_parameters(type(self))
        params = [
            f"{key}={value}" if isinstance(value, bool) else format_number(value)
            for key, value in rule_parameters(self).items()
            if not (isinstance(value, bool) and value == defaults[key])
        ]
        return f"{self.name}({', '.join(params)})" if params else self.name


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
    return specs_of(rule, prefix=f"{rule.dimension}_")


#: What a dimension's decision method receives: the month's claims, or people's indices.
Requests = Literal["claims", "people"]

#: A dimension's submodel, for dimensions added outside the package:
#: ``submodel(population, scenario, rule, month)``.
Submodel = Callable[["Population", "Scenario", Any, "Month"], None]


@dataclass(frozen=True, eq=False)
class Dimension[R: Rule]:
    """One dimension of a service policy: the single record that defines it.

    Policies (:class:`~loyaltysim.policies.Policy`), presets, ``[policy]``
    tables, ``loyaltysim params`` and the reference model's checks all read
    the registered records; nothing else lists the dimensions.

    Attributes:
        name: The dimension's name (``policy.<name>`` in files and ``--set``).
        base: The abstract rule class every rule of the dimension subclasses.
        neutral: Registry name of the rule a policy takes when it says nothing.
        decision: Name of the base's decision method.
        requests: What the decision method receives: ``"claims"`` (a
            :class:`ClaimBatch`) or ``"people"`` (an index array).
        answers_numbers: The method answers a positive number per request
            (the promised days) rather than ``True``/``False``.
        extra: Arguments the model passes after the customer records
            (``"month"``: the month number).
        draws: Rows of the month's uniform block (:class:`loyaltysim.seeding.Draw`)
            that the chance events of its answers use.
        stories: The source stories behind it, numbered as in papers/stories.md
            (e.g. ``"stories 3, 1"`` or ``"story 1 rule 2"``).
        core: Shown in every policy description (claims, pricing, caprices).
        submodel: For a dimension added outside the package, the function the
            model calls at the end of step 6 (after the firm's other answers)
            as ``submodel(population, scenario, rule, month)``; ``None`` for
            the built-in dimensions, which ``LoyaltyModel.step`` schedules.
        columns: Monthly ledger columns its submodel books (added dimensions;
            a column with ``service_cost`` counts against profit).
    """

    name: str
    base: type[R]
    neutral: str
    decision: str
    requests: Requests = "people"
    answers_numbers: bool = False
    extra: tuple[str, ...] = ()
    draws: tuple[int, ...] = ()
    stories: str = ""
    core: bool = False
    submodel: Submodel | None = None
    columns: tuple[Column, ...] = ()

    @property
    def summary(self) -> str:
        """The first line of the base class's docstring: what the dimension decides."""
        return (self.base.__doc__ or "").strip().splitlines()[0]

    @property
    def rules(self) -> dict[str, type[R]]:
        """The rules registered for the dimension, by name, in registration order."""
        return dict(_RULES[self.name])  # type: ignore[arg-type]

    def neutral_rule(self) -> R:
        """A new instance of the neutral rule."""
        return self.rules[self.neutral]()


#: The registered dimensions, by name, in schedule order.
DIMENSIONS: dict[str, Dimension[Any]] = {}
_RULES: dict[str, dict[str, type[Rule]]] = {}


def add_dimension[R: Rule](dimension: Dimension[R]) -> Dimension[R]:
    """Register a policy dimension and return its record.

    Its base class learns its name (``base.dimension``), and its rules can
    then be registered (:func:`register_rule`). A dimension added from
    outside the package must bring a ``submodel``; the model calls it at the
    end of step 6, and its ``columns`` join the monthly ledger.

    Raises:
        ParameterError: The name is taken, or the record is incomplete.
    """
    if dimension.name in DIMENSIONS:
        raise ParameterError("dimension", dimension.name, "a name not yet registered")
    if not (isinstance(dimension.base, type) and issubclass(dimension.base, Rule)):
        raise ParameterError(f"{dimension.name}.base", dimension.base, "a subclass of Rule")
    if not callable(getattr(dimension.base, dimension.decision, None)):
        raise ParameterError(
            f"{dimension.name}.decision",
            dimension.decision,
            f"the name of a method of {dimension.base.__name__}",
        )
    dimension.base.dimension = dimension.name
    DIMENSIONS[dimension.name] = dimension
    _RULES[dimension.name] = {}
    return dimension


def remove_dimension(name: str) -> None:
    """Unregister a dimension added with :func:`add_dimension` (and its rules)."""
    dimension = DIMENSIONS.pop(name)
    del _RULES[name]
    dimension.base.dimension = ""


def dimension_of(rule: Rule | type[Rule] | object) -> Dimension[Any] | None:
    """The registered dimension whose base ``rule`` (a rule or rule class) subclasses."""
    cls = rule if isinstance(rule, type) else type(rule)
    for dimension in DIMENSIONS.values():
        if issubclass(cls, dimension.base):
            return dimension
    return None


def register_rule(name: str, rule: type[Rule]) -> None:
    """Make a rule class available by name in TOML files and ``--set``.

    Args:
        name: The name to use (``claims = "name"`` in a policy table).
        rule: A subclass of one dimension's base class (``ClaimsRule``,
            ``RecoveryRule``...); its dataclass fields become policy
            parameters named ``<dimension>_<field>``.

    Raises:
        ParameterError: ``rule`` belongs to no registered dimension.
    """
    dimension = dimension_of(rule)
    if dimension is None:
        bases = ", ".join(d.base.__name__ for d in DIMENSIONS.values())
        raise ParameterError("rule", rule, f"a subclass of one of {bases}")
    _RULES[dimension.name][name] = rule


def unregister_rule(dimension: str, name: str) -> None:
    """Forget the rule registered as ``name`` for ``dimension`` (a plug-in cleaning up)."""
    _RULES[dimension].pop(name, None)


def registered[T: type[Rule]](rule: T) -> T:
    """Class decorator: register a rule under its ``name`` (the built-in rules use it)."""
    register_rule(rule.name, rule)
    return rule


def registered_rules(dimension: str) -> dict[str, type[Rule]]:
    """The rules that ``dimension`` accepts by name, in registration order.

    Raises:
        ParameterError: ``dimension`` is not a registered dimension.
    """
    if dimension not in _RULES:
        raise ParameterError(
            "dimension",
            dimension,
            "one of " + ", ".join(DIMENSIONS),
            close_match(dimension, DIMENSIONS),
        )
    return dict(_RULES[dimension])


def decide(rule: Rule, requests: Any, population: Population, *extra: Any) -> np.ndarray:
    """Call a rule's decision method on ``requests`` and check its answer.

    The rule receives the firm's view of ``population``
    (:class:`~loyaltysim.policies.records.CustomerRecords`), never the
    population itself: reading a hidden trait or writing into a record
    raises. A rule written by a user may also return a list, ints or the
    wrong length; this turns the answer into a boolean array (or positive
    floats, for a dimension that ``answers_numbers``) or says which rule is
    wrong.

    Args:
        rule: The rule.
        requests: The requests: a :class:`ClaimBatch` or an index array.
        population: The population (the rule sees its customer records).
        *extra: The dimension's extra arguments (the month number for outreach).

    Raises:
        ParameterError: The rule belongs to no dimension, reads a hidden
            variable or writes into the records, or its answer is not one
            valid value per request.
        PluginError: The decision method raised or called ``sys.exit``.
    """
    dimension = dimension_of(rule)
    if dimension is None:
        raise ParameterError("rule", rule, "a rule of a registered policy dimension")
    method = dimension.decision
    label = f"{type(rule).__name__}.{method}"
    records = CustomerRecords(population, reader=label, name=f"policy.{dimension.name}")
    size = len(requests)

    def read_only(*args: Any) -> Any:
        try:
            return getattr(rule, method)(*args)
        except ValueError as exc:  # NumPy refusing a write into a read-only record
            if isinstance(exc, ParameterError) or "read-only" not in str(exc):
                raise
            raise ParameterError(
                f"policy.{dimension.name}",
                f"{label} writing into the customer records",
                "a rule that only reads the customer records (the model owns the state)",
            ) from None

    answer = np.asarray(
        plugin_call(f"policy.{dimension.name}: {label}()", read_only, requests, records, *extra)
    )
    numeric = dimension.answers_numbers
    wanted = "one positive number" if numeric else "one boolean"
    ok = answer.shape == (size,) and answer.dtype.kind in ("iuf" if numeric else "bi")
    if ok and numeric:
        answer = answer.astype(float, copy=False)
        ok = bool(np.all(answer > 0))
    if not ok:
        raise ParameterError(
            f"policy.{dimension.name}",
            f"{label} returning shape {answer.shape} dtype {answer.dtype}",
            f"a rule whose {method}() returns {wanted} per request ({size})",
        )
    return answer if numeric else answer.astype(bool, copy=False)


def plugin_call[T](where: str, call: Callable[..., T], *args: Any) -> T:
    """Call code that a user may have plugged in (a rule's method, a dimension's submodel).

    Args:
        where: What is called, for the message
            (``"policy.claims: VerifyRepeat.verify()"``).
        call: The callable.
        *args: Its arguments.

    Raises:
        PluginError: It raised, or called ``sys.exit``: one line naming
            ``where`` and what it raised, and where
            (:func:`~loyaltysim.errors.describe_exception`). loyaltysim's own
            errors pass through as they are.
    """
    try:
        return call(*args)
    except LoyaltysimError:
        raise
    except (Exception, SystemExit) as exc:
        raise PluginError(f"{where} raised {describe_exception(exc)}") from exc
