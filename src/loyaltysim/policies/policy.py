"""A firm's service policy: one rule per registered dimension, and the named policies.

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

import functools
import importlib
from collections.abc import Mapping
from typing import Any, overload

from loyaltysim.errors import LoyaltysimError, ParameterError, describe_exception
from loyaltysim.params import close_match
from loyaltysim.policies.contract import (
    DIMENSIONS,
    Dimension,
    Rule,
    dimension_of,
    registered_rules,
    rule_parameter_specs,
    rule_parameters,
)

__all__ = [
    "NAMED_POLICIES",
    "PRESETS",
    "Policy",
    "is_plugin",
    "parameter_rows",
    "resolve_policy",
]

#: The named policies every report compares: each differs from "the customer is always
#: right" (``always_compensate``) in one dimension, as ``[policy]`` tables.
PRESETS: dict[str, dict[str, str]] = {
    "always_compensate": {},
    "verify_first": {"claims": "verify"},
    "fixed_pricing": {"pricing": "fixed"},
    "refuse_caprices": {"caprices": "refuse"},
}

#: The names of the named policies, in report order.
NAMED_POLICIES: tuple[str, ...] = tuple(PRESETS)


class Policy:
    """A firm's service policy: one rule per dimension, immutable.

    Args:
        name: Label used in tables and plots; defaults to a description of
            the rules.
        **rules: One rule per dimension to set, by dimension name
            (``claims=VerifyFirst()``); every other dimension takes its
            neutral rule (pay claims at once, negotiable prices, accommodate
            caprices, no recovery, realistic promises, no guarantee, no
            outreach, keep everyone, no listening).

    The rule of a dimension is an attribute (``policy.claims``); typed code
    reads it with :meth:`rule` and the dimension's record
    (``policy.rule(CLAIMS)``).

    Raises:
        ParameterError: An unknown dimension, or a rule of the wrong dimension.
    """

    __slots__ = ("_rules", "name")
    _rules: dict[str, Rule]
    name: str

    def __init__(self, *, name: str = "", **rules: Rule) -> None:
        for dimension_name in rules:
            if dimension_name not in DIMENSIONS:
                raise ParameterError(
                    f"policy.{dimension_name}",
                    rules[dimension_name],
                    "one of the dimensions " + ", ".join(DIMENSIONS),
                    close_match(dimension_name, DIMENSIONS),
                    unknown=True,
                )
        chosen: dict[str, Rule] = {}
        for dimension in DIMENSIONS.values():
            rule = rules.get(dimension.name)
            if rule is None:
                rule = dimension.neutral_rule()
            elif not isinstance(rule, dimension.base):
                raise ParameterError(
                    f"policy.{dimension.name}",
                    rule,
                    f"an instance of {dimension.base.__name__} (one of: "
                    + ", ".join(sorted(dimension.rules))
                    + ")",
                )
            chosen[dimension.name] = rule
        object.__setattr__(self, "_rules", chosen)
        object.__setattr__(self, "name", name or self.describe(labels=True))

    # --- reading ------------------------------------------------------------------------
    def __getattr__(self, dimension: str) -> Rule:
        if dimension.startswith("_"):
            raise AttributeError(dimension)
        try:
            return self._rules[dimension]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__!r} has no dimension {dimension!r}"
            ) from None

    @overload
    def rule[R: Rule](self, dimension: Dimension[R]) -> R: ...
    @overload
    def rule(self, dimension: str) -> Rule: ...
    def rule(self, dimension: Dimension[Any] | str) -> Rule:
        """The rule of one dimension, given its record (typed) or its name."""
        return self._rules[dimension if isinstance(dimension, str) else dimension.name]

    @property
    def rules(self) -> dict[str, Rule]:
        """The rule of each dimension, in schedule order."""
        return dict(self._rules)

    def describe(self, labels: bool = False) -> str:
        """``"claims=verify, pricing=negotiable, caprices=accommodate"``.

        The core dimensions are always shown; the others when they differ
        from their neutral rule.
        """
        return ", ".join(
            f"{name}={rule.label if labels else rule.name}"
            for name, rule in self._rules.items()
            if DIMENSIONS[name].core or rule != DIMENSIONS[name].neutral_rule()
        )

    # --- immutability, equality, pickling -----------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Policy cannot be changed; use with_rules() for a new one")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self.name == other.name and self._rules == other._rules

    def __hash__(self) -> int:
        return hash((self.name, tuple(self._rules.items())))

    def __repr__(self) -> str:
        rules = ", ".join(f"{name}={rule!r}" for name, rule in self._rules.items())
        return f"Policy(name={self.name!r}, {rules})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (self.name, self._rules))

    # --- building -----------------------------------------------------------------------
    def with_rules(self, name: str = "", **rules: Rule) -> Policy:
        """A copy with some dimensions' rules replaced (and a new name)."""
        return Policy(name=name, **{**self._rules, **rules})

    @classmethod
    def preset(cls, name: str) -> Policy:
        """One of the named policies (:data:`PRESETS`).

        Raises:
            ParameterError: ``name`` is not a named policy.
        """
        if not isinstance(name, str) or name not in PRESETS:
            raise ParameterError(
                "policy", name, "one of " + ", ".join(NAMED_POLICIES), close_match(name, PRESETS)
            )
        return cls.from_spec({**PRESETS[name], "name": name})

    def to_spec(self) -> dict[str, Any]:
        """The policy as a ``[policy]`` table (inverse of :meth:`from_spec`)."""
        spec: dict[str, Any] = {"name": self.name}
        for name, rule in self._rules.items():
            registered = registered_rules(name).get(rule.name) is type(rule)
            spec[name] = (
                rule.name if registered else f"{type(rule).__module__}:{type(rule).__qualname__}"
            )
            for key, value in rule_parameters(rule).items():
                spec[f"{name}_{key}"] = value
        return spec

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> Policy:
        """Build a policy from a ``[policy]`` table.

        Keys: ``preset`` (a named policy to start from), a dimension's name
        naming a registered rule or ``"module:ClassName"``,
        ``<dimension>_<parameter>`` for a rule's parameters
        (``claims_threshold_usd = 150``), and ``name``.

        Raises:
            ParameterError: Unknown key, unknown rule or bad rule parameter.
        """
        spec = dict(spec)
        base = cls.preset(spec.pop("preset")) if "preset" in spec else cls()
        name = spec.pop("name", "")
        if not isinstance(name, str):
            raise ParameterError("policy.name", name, "a string")
        rules: dict[str, Rule] = {}
        for dimension in DIMENSIONS.values():
            choice = spec.pop(dimension.name, None)
            prefix = dimension.name + "_"
            params = {
                key.removeprefix(prefix): spec.pop(key)
                for key in list(spec)
                if key.startswith(prefix)
            }
            current = base.rule(dimension)
            if choice is None and not params:
                rules[dimension.name] = current
                continue
            rule_cls = type(current) if choice is None else _lookup_rule(dimension, choice)
            rules[dimension.name] = _build_rule(dimension, rule_cls, params)
        if spec:
            key = sorted(spec)[0]
            accepted = ["preset", "name", *DIMENSIONS, "<dimension>_<rule parameter>"]
            raise ParameterError(
                f"policy.{key}", spec[key], "one of " + ", ".join(accepted), unknown=True
            )
        unchanged = all(rules[d] is base.rule(d) for d in DIMENSIONS)
        return cls(name=name or (base.name if unchanged else ""), **rules)


def _restore(name: str, rules: dict[str, Rule]) -> Policy:
    return Policy(name=name, **rules)


def is_plugin(choice: object) -> bool:
    """Whether a dimension's value in a ``[policy]`` table names a plug-in (``"module:Class"``).

    Such a value imports the module and so runs its code (README, "Security and trust").
    """
    return isinstance(choice, str) and ":" in choice


def _lookup_rule(dimension: Dimension[Any], choice: Any) -> type[Rule]:
    label = f"policy.{dimension.name}"
    known = dimension.rules
    accepts = "one of " + ", ".join(repr(k) for k in known) + " or 'module:ClassName'"
    if not isinstance(choice, str):
        raise ParameterError(label, choice, accepts)
    if choice in known:
        return known[choice]
    if not is_plugin(choice):
        raise ParameterError(label, choice, accepts, close_match(choice, known))
    module_name, _, attr = choice.partition(":")
    names = [*module_name.split("."), *attr.split(".")]
    if not all(name.isidentifier() for name in names):
        raise ParameterError(
            label, choice, accepts, "a plug-in is named 'package.module:ClassName', no dots first"
        )
    try:
        found: Any = importlib.import_module(module_name)
        rule_cls: type[Rule] = functools.reduce(getattr, attr.split("."), found)
    except (Exception, SystemExit) as exc:  # ImportError, or whatever the module's code raised
        raise ParameterError(
            label, choice, accepts, f"cannot import it: {describe_exception(exc)}"
        ) from None
    if dimension_of(rule_cls) is not dimension:
        raise ParameterError(label, choice, f"a subclass of {dimension.base.__name__}")
    return rule_cls


def _build_rule(dimension: Dimension[Any], rule_cls: type[Rule], params: dict[str, Any]) -> Rule:
    names = set(rule_parameters(rule_cls))
    for key in params:
        if key not in names:
            accepts = (
                "one of " + ", ".join(f"{dimension.name}_{n}" for n in sorted(names))
                if names
                else f"no parameters for rule {rule_cls.name!r}"
            )
            raise ParameterError(
                f"policy.{dimension.name}_{key}", params[key], accepts, unknown=True
            )
    try:
        return rule_cls(**params)
    except LoyaltysimError:
        raise
    except (Exception, SystemExit) as exc:  # a plug-in's constructor may raise anything
        raise ParameterError(
            f"policy.{dimension.name}", rule_cls.__name__, "a rule", describe_exception(exc)
        ) from None


def resolve_policy(policy: Policy | str) -> Policy:
    """Accept a :class:`Policy` or the name of a preset."""
    if isinstance(policy, Policy):
        return policy
    return Policy.preset(policy)


def parameter_rows() -> list[dict[str, Any]]:
    """``loyaltysim params`` rows of the policy: each dimension, then each rule's parameters.

    Each row has ``name``, ``group`` (``"policy"``), ``default``, ``unit``,
    ``accepts``, ``meaning`` and ``source``.
    """
    rows: list[dict[str, Any]] = [
        {
            "name": "policy.preset",
            "group": "policy",
            "default": "(none)",
            "unit": "name",
            "accepts": "one of " + ", ".join(NAMED_POLICIES),
            "meaning": "start from a named policy",
            "source": "papers/odd.md section 2.2 (the four named policies)",
        }
    ]
    for dimension in DIMENSIONS.values():
        rules = dimension.rules
        rows.append(
            {
                "name": f"policy.{dimension.name}",
                "group": "policy",
                "default": dimension.neutral,
                "unit": "rule",
                "accepts": "one of " + ", ".join(repr(r) for r in rules) + " or 'module:ClassName'",
                "meaning": dimension.summary,
                "source": f"papers/odd.md section 2.2; {dimension.stories}",
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
                    "meaning": f"with {dimension.name} = {rule_name!r}: {spec.meaning}",
                    "source": spec.source,
                }
                for spec in rule_parameter_specs(rule)
            )
    return rows
