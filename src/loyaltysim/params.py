"""Declared parameters: the ground floor every other module stands on.

A parameter is declared once, as a dataclass field whose metadata carries a
:class:`ParameterSpec` (unit, allowed range, meaning, source, group). That one
declaration drives validation (:meth:`ParameterSpec.validate`), the
``loyaltysim params`` listing, TOML files and ``--set`` overrides, for the
market's parameters (:class:`loyaltysim.Scenario`) and a rule's
(:func:`loyaltysim.policies.rule_param`) alike.

The typed helpers (:func:`share`, :func:`probability`, :func:`dispersion`,
:func:`effect`, :func:`money`) declare the common kinds of parameter with their
unit and range; :func:`param` declares any other. The module also holds the
small utilities every front end shares: one "did you mean" hint
(:func:`close_match`), one unknown-key check (:func:`check_known`), one
whole-number check (:func:`whole_number`), one number formatter
(:func:`format_number`) and the ``--set`` value parser (:func:`parse_value`).

The stated limits live here too (:data:`MAX_RUNS`, :data:`WORKERS_PER_CORE`,
:data:`MAX_INPUT_BYTES`, :data:`MEMORY_SHARE`), with the one check that
refuses a value beyond its limit (:func:`at_most`) and what the machine has
(:func:`usable_cores`, :func:`machine_memory_bytes`).

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Shop:
    ...     margin: float = share(0.3, group="firm", meaning="gross margin", source="stated")
    >>> spec = specs_of(Shop)[0]
    >>> spec.accepts
    'a number in [0, 1]'
    >>> spec.validate(1.5)
    Traceback (most recent call last):
    ...
    loyaltysim.errors.ParameterError: margin: got 1.5; accepts a number in [0, 1]
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from loyaltysim.errors import ParameterError

__all__ = [
    "DISPERSION_MEANING",
    "MAX_INPUT_BYTES",
    "MAX_RUNS",
    "MEMORY_SHARE",
    "RAISE_MAX_RUNS",
    "WORKERS_PER_CORE",
    "ParameterSpec",
    "at_most",
    "check_known",
    "close_match",
    "dispersion",
    "effect",
    "format_number",
    "machine_memory_bytes",
    "money",
    "param",
    "parse_value",
    "probability",
    "share",
    "significant",
    "specs_of",
    "usable_cores",
    "whole_number",
]

#: The metadata key under which a field's declaration is stored.
SPEC_KEY = "spec"

#: Kinds of parameter: a real number, a whole number, one of named choices, or a flag.
Kind = Literal["float", "int", "choice", "bool"]


@dataclass(frozen=True)
class ParameterSpec:
    """Declared facts about one parameter (shown by ``loyaltysim params``).

    Attributes:
        name: Parameter name.
        default: Default value.
        unit: Unit of the value (``"USD"``, ``"1/month"``, ``"share"``...).
        meaning: One sentence on what the parameter does.
        source: Literature source or the stated reason for the default.
        group: The part of the model it belongs to.
        low: Smallest allowed value (numbers), inclusive.
        high: Largest allowed value (numbers).
        high_open: ``True`` when ``high`` itself is excluded.
        choices: Allowed values (strings).
        kind: ``"float"``, ``"int"``, ``"choice"`` or ``"bool"``.
        optional: ``True`` when the parameter may be left unset (``None``,
            its default): another parameter then decides.
    """

    name: str
    default: Any
    unit: str
    meaning: str
    source: str
    group: str
    low: float | None = None
    high: float | None = None
    high_open: bool = False
    choices: tuple[str, ...] | None = None
    kind: Kind = "float"
    optional: bool = False

    @property
    def accepts(self) -> str:
        """What the parameter accepts, in words."""
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices or ())
        if self.kind == "bool":
            return "true or false"
        what = "a whole number" if self.kind == "int" else "a number"
        low = "-inf" if self.low is None else format_number(self.low)
        high = "inf" if self.high is None else format_number(self.high)
        closing = ")" if self.high_open or self.high is None else "]"
        return f"{what} in [{low}, {high}{closing}"

    def validate(self, value: Any, name: str | None = None) -> Any:
        """Return ``value`` converted to the parameter's type, or raise.

        Args:
            value: The value to check.
            name: Name to report in the error (defaults to ``self.name``).

        Raises:
            ParameterError: Wrong type or out of range.
        """
        label = name or self.name
        if value is None and self.optional:
            return None
        if self.kind == "choice":
            if not isinstance(value, str) or value not in (self.choices or ()):
                hint = close_match(value, self.choices or ()) if isinstance(value, str) else ""
                raise ParameterError(label, value, self.accepts, hint)
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ParameterError(label, value, self.accepts)
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParameterError(label, value, self.accepts)
        number: float | int
        if self.kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise ParameterError(label, value, self.accepts)
            number = int(value)
        else:
            number = float(value)
            if math.isnan(number):
                raise ParameterError(label, value, self.accepts)
        too_low = self.low is not None and number < self.low
        too_high = self.high is not None and (
            number >= self.high if self.high_open else number > self.high
        )
        if too_low or too_high:
            raise ParameterError(label, number, self.accepts)
        return number


# --- declaring parameters -------------------------------------------------------------------
def param(
    default: Any,
    *,
    unit: str,
    meaning: str,
    source: str,
    group: str,
    low: float | None = None,
    high: float | None = None,
    high_open: bool = False,
    choices: tuple[str, ...] | None = None,
    kind: Kind | None = None,
) -> Any:
    """Declare a dataclass field as a parameter (see :class:`ParameterSpec`).

    The kind follows the default: a tuple of ``choices`` makes a choice, a
    ``bool`` default a flag, an ``int`` default a whole number, anything else a
    real number. A ``None`` default makes the parameter optional; give its
    ``kind`` then.
    """
    if default is None and kind is None:
        raise TypeError("an optional parameter (default None) needs its kind")
    if kind is None:
        if choices is not None:
            kind = "choice"
        elif isinstance(default, bool):
            kind = "bool"
        elif isinstance(default, int):
            kind = "int"
        else:
            kind = "float"
    spec = {
        "unit": unit,
        "meaning": meaning,
        "source": source,
        "group": group,
        "low": low,
        "high": high,
        "high_open": high_open,
        "choices": choices,
        "kind": kind,
        "optional": default is None,
    }
    return field(default=default, metadata={SPEC_KEY: spec})


def share(default: float, *, group: str, meaning: str, source: str, unit: str = "share") -> Any:
    """A share or probability in [0, 1] (``unit`` names what it is a share of)."""
    return param(default, unit=unit, low=0.0, high=1.0, group=group, meaning=meaning, source=source)


def probability(
    default: float,
    *,
    per: Literal["month", "purchase"],
    group: str,
    meaning: str,
    source: str,
) -> Any:
    """A probability per month or per purchase, in [0, 1]."""
    return share(default, unit=f"probability/{per}", group=group, meaning=meaning, source=source)


#: The meaning of every ``*_dispersion`` parameter of a beta-distributed trait.
DISPERSION_MEANING = (
    "spread of the trait across customers: variance = dispersion x mean x (1 - mean) "
    "(a beta distribution); 0 makes every customer identical"
)


def dispersion(default: float, *, group: str, source: str) -> Any:
    """The dispersion of a beta-distributed trait, in [0, 1) (see :data:`DISPERSION_MEANING`)."""
    return param(
        default,
        unit="dispersion",
        low=0.0,
        high=1.0,
        high_open=True,
        group=group,
        meaning=DISPERSION_MEANING,
        source=source,
    )


def effect(default: float, *, group: str, meaning: str, source: str) -> Any:
    """A change of satisfaction (on [-1, 1]) caused by an event, in [-2, 2] points."""
    return param(
        default,
        unit="satisfaction points",
        low=-2.0,
        high=2.0,
        group=group,
        meaning=meaning,
        source=source,
    )


def money(default: float, *, unit: str, group: str, meaning: str, source: str) -> Any:
    """An amount of money in US dollars, in [0, 10,000,000] (``unit``: ``"USD/claim"``...)."""
    return param(default, unit=unit, low=0.0, high=1e7, group=group, meaning=meaning, source=source)


def specs_of(cls: type, prefix: str = "") -> list[ParameterSpec]:
    """The declared parameters of a dataclass, in field order.

    Fields declared without :func:`param` (or a helper) are left out.

    Args:
        cls: A dataclass (or an instance of one).
        prefix: Prefix of each parameter's name (a rule's parameters are
            named ``<dimension>_<field>``).
    """
    if not dataclasses.is_dataclass(cls):
        return []
    return [
        ParameterSpec(name=prefix + f.name, default=f.default, **f.metadata[SPEC_KEY])
        for f in dataclasses.fields(cls)
        if SPEC_KEY in f.metadata
    ]


#: Words longer than this get no "did you mean" (no name is near; comparing would be slow).
_LONGEST_MATCHED = 200


# --- checks every front end shares ----------------------------------------------------------
def close_match(word: object, options: Iterable[str]) -> str:
    """A "did you mean" hint for ``word`` among ``options``, or ``""``.

    Example:
        >>> close_match("failur_rate", ["failure_rate", "gross_margin"])
        "did you mean 'failure_rate'?"
    """
    if not isinstance(word, str) or len(word) > _LONGEST_MATCHED:
        return ""
    match = difflib.get_close_matches(word, list(options), n=1)
    return f"did you mean {match[0]!r}?" if match else ""


def check_known(table: Mapping[str, Any], known: Iterable[str], where: str) -> None:
    """Refuse the first key of ``table`` that is not in ``known``, with a close match.

    Args:
        table: The keys given (a TOML table, keyword arguments).
        known: The keys accepted.
        where: Where the table is, for the message (``"experiment"`` reports
            ``experiment.<key>``).

    Raises:
        ParameterError: An unknown key.
    """
    accepted = sorted(known)
    for key in table:
        if key not in accepted:
            raise ParameterError(
                f"{where}.{key}",
                table[key],
                "one of " + ", ".join(accepted),
                close_match(key, accepted),
                unknown=True,
            )


def whole_number(name: str, value: Any, minimum: int = 0) -> int:
    """Return ``value`` if it is a whole number of at least ``minimum``, else raise.

    Example:
        >>> whole_number("replications", 3, minimum=1)
        3
        >>> whole_number("replications", 0, minimum=1)
        Traceback (most recent call last):
        ...
        loyaltysim.errors.ParameterError: replications: got 0; accepts a whole number >= 1
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ParameterError(name, value, f"a whole number >= {minimum}")
    return int(value)


# --- stated limits --------------------------------------------------------------------------
#: The most runs (design points x replications x policies) an experiment, a comparison or a
#: case makes unless the caller raises it (``--max-runs N``; ``max_runs=`` from Python):
#: about two hours of the default market (N = 10,000, 60 months) on one core.
MAX_RUNS = 100_000
#: What a message refusing more than :data:`MAX_RUNS` says to do.
RAISE_MAX_RUNS = "a stated limit: raise it with --max-runs N, or max_runs= from Python"
#: Local worker processes (``--workers``) allowed per usable core of this machine; more
#: would only queue for the cores and multiply the memory.
WORKERS_PER_CORE = 4
#: The largest scenario or experiment file read, in bytes (a file is a few kilobytes; a
#: ``table`` design of 100,000 points is about 5 MB).
MAX_INPUT_BYTES = 10_000_000
#: The share of this machine's memory that the runs held at once may need.
MEMORY_SHARE = 0.8


def at_most(name: str, value: int | float, limit: int | float, unit: str, hint: str = "") -> None:
    """Refuse ``value`` above its stated ``limit``, in one line.

    Example:
        >>> at_most("--workers", 100_000, 8, "workers")
        Traceback (most recent call last):
        ...
        loyaltysim.errors.ParameterError: --workers: got 100000; accepts at most 8 workers
    """
    if value > limit:
        raise ParameterError(name, value, f"at most {format_number(limit, ',')} {unit}", hint)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system reports one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def machine_memory_bytes() -> int | None:
    """This machine's physical memory in bytes, or ``None`` where the system does not say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


# --- reading and writing values -------------------------------------------------------------
def parse_value(text: str) -> Any:
    """Parse the value of a ``--set name=value`` override.

    TOML literals are understood (``0.3``, ``12``, ``"complete"``,
    ``true``); anything that is not a TOML literal is taken as a bare string,
    so ``--set network=complete`` works without quotes.
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def format_number(
    value: Any, spec: str | None = None, *, sign: bool = False, minus: str = "-"
) -> str:
    """The one number formatter of tables, reports, messages and the paper.

    Args:
        value: A number (anything else is returned as ``str(value)``).
        spec: A format spec (``",.0f"``, ``".3f"``); ``None`` gives the
            short general form (``0.3``, ``150``, and thousands separators
            from a million up: ``10,000,000``).
        sign: Show the sign of a difference (``+12``, ``-3``); a value that
            rounds to zero shows none.
        minus: The minus sign (the paper uses the typographic ``"\u2212"``).

    Returns:
        The text; ``n/a`` for a missing value or NaN, ``inf`` (``∞`` with a
        typographic minus) for an infinite one.

    Example:
        >>> format_number(1e7), format_number(0.05), format_number(-12_500, ",.0f", sign=True)
        ('10,000,000', '0.05', '-12,500')
        >>> format_number(-0.2, ",.0f", sign=True), format_number(float("nan"))
        ('0', 'n/a')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool) or not isinstance(value, int | float):
        if not hasattr(value, "__float__"):
            return str(value)
        value = float(value)
    if math.isinf(value):
        infinity = "inf" if minus == "-" else "∞"
        return infinity if value > 0 else minus + infinity
    if spec is None:
        x = float(value)
        text = f"{x:g}" if not x.is_integer() or abs(x) < 1e6 else f"{int(x):,}"
    else:
        text = format(value, ("+" if sign else "") + spec)
        if sign and float(text.replace(",", "")) == 0:
            text = text[1:]
    return text.replace("-", minus) if minus != "-" else text


def significant(value: float, digits: int = 3) -> float:
    """``value`` rounded to ``digits`` significant digits (an estimate, not a declared value).

    Example:
        >>> significant(-0.0123456), significant(291.7), significant(0.0)
        (-0.0123, 292.0, 0.0)
    """
    if value == 0 or not math.isfinite(value):
        return float(value)
    return round(float(value), digits - 1 - math.floor(math.log10(abs(value))))
