"""Customer records: what a firm knows of its customers, the only population a rule sees.

A real firm keeps books on its customers (tenure, purchases, claims, money
earned and spent, public complaints, its own past answers); it does not know
their honesty, their loyalty or their propensities, nor whether a claim is
genuine. :func:`~loyaltysim.policies.contract.decide` hands every rule a
:class:`CustomerRecords` over the population instead of the population itself:
a thin, read-only view (no array is copied) whose hidden variables raise.

Example:
    >>> import numpy as np
    >>> from loyaltysim import Scenario
    >>> from loyaltysim.population import Population
    >>> population = Population.draw(Scenario(n_customers=100), np.random.default_rng(0))
    >>> records = CustomerRecords(population, reader="MyRule.verify")
    >>> int(records.claims.sum())
    0
    >>> records.honesty
    Traceback (most recent call last):
    ...
    loyaltysim.errors.ParameterError: rule: got 'MyRule.verify reading honesty'; \
accepts a rule that reads only what a firm sees: status, tenure_months, purchases, claims, \
public_complaints, claims_rejected, cumulative_margin_usd, cumulative_cost_usd, \
discounted_value_usd, initially_active, outreach_contacts, dropped (honesty is hidden from a \
real firm)
"""

from __future__ import annotations

from dataclasses import fields
from typing import NoReturn

import numpy as np

from loyaltysim.errors import ParameterError
from loyaltysim.population import Population

__all__ = ["HIDDEN", "OBSERVABLE", "CustomerRecords"]

#: The population arrays a firm really has: its customer records.
OBSERVABLE: tuple[str, ...] = (
    "status",
    "tenure_months",
    "purchases",
    "claims",
    "public_complaints",
    "claims_rejected",
    "cumulative_margin_usd",
    "cumulative_cost_usd",
    "discounted_value_usd",
    "initially_active",
    "outreach_contacts",
    "dropped",
)

#: Every other population array (traits, beliefs, satisfaction, real failures): hidden.
#: A new population array is hidden until it is added to :data:`OBSERVABLE`.
HIDDEN: tuple[str, ...] = tuple(f.name for f in fields(Population) if f.name not in OBSERVABLE)


class CustomerRecords:
    """The firm's view of the population: its customer records, read-only.

    Each record is the population array of the same name, one entry per
    person, seen through a read-only view (nothing is copied; writing into
    one raises). The counts include this month's events as far as the
    month has gone: when claims are answered ``claims`` and
    ``public_complaints`` already count this month's claim, ``purchases``
    this month's purchase, ``claims_rejected`` the rejections of earlier
    months; the money records stop at last month's books.

    Attributes:
        status: 0 prospect (never bought), 1 active, 2 lapsed.
        tenure_months: Months completed as a customer in the current spell.
        purchases: Purchases made, cumulative.
        claims: Claims filed (every kind), cumulative.
        public_complaints: Claims also made in public, cumulative.
        claims_rejected: Claims the firm rejected as fraud (after any
            escalation), cumulative.
        cumulative_margin_usd: Gross margin earned on the person.
        cumulative_cost_usd: Every service cost booked on the person.
        discounted_value_usd: The person's discounted net contribution so far.
        initially_active: Active at month 0.
        outreach_contacts: Keep-in-touch contacts the firm made.
        dropped: Turned away by the firm's pruning rule.
        n: Number of people.

    Reading a hidden variable (:data:`HIDDEN`: ``honesty``, ``loyalty``, the
    propensities, ``purchase_probability``, ``basket_value_usd``,
    ``satisfaction``, ``satisfaction_baseline``, ``leniency``, ``failures``,
    ``last_failure_month``) raises :class:`~loyaltysim.errors.ParameterError`
    naming the reader, the variable and what a rule may read; so does
    setting an attribute.

    Args:
        population: The population viewed.
        reader: Who reads, for the error messages (``"MyRule.verify"``).
        name: The name errors are reported under (``"policy.claims"``).
    """

    __slots__ = ("_name", "_population", "_reader")
    _population: Population
    _reader: str
    _name: str

    def __init__(self, population: Population, reader: str = "a rule", name: str = "rule") -> None:
        object.__setattr__(self, "_population", population)
        object.__setattr__(self, "_reader", reader)
        object.__setattr__(self, "_name", name)

    @property
    def n(self) -> int:
        """Number of people."""
        return self._population.n

    def __getattr__(self, name: str) -> np.ndarray:
        """A record, as a read-only view; a hidden variable raises."""
        if name in OBSERVABLE:
            view = getattr(self._population, name).view()
            view.flags.writeable = False
            return view
        if name in HIDDEN:
            raise ParameterError(
                self._name,
                f"{self._reader} reading {name}",
                f"a rule that reads only what a firm sees: {', '.join(OBSERVABLE)} "
                f"({name} is hidden from a real firm)",
            )
        raise AttributeError(
            f"customer records have no {name!r} (they have {', '.join(OBSERVABLE)})"
        )

    def __setattr__(self, name: str, value: object) -> NoReturn:
        """Refuse: the model owns the state."""
        raise ParameterError(
            self._name,
            f"{self._reader} setting records.{name}",
            "a rule that only reads the customer records (the model owns the state)",
        )

    def __delattr__(self, name: str) -> NoReturn:
        """Refuse: the model owns the state."""
        self.__setattr__(name, None)

    def __dir__(self) -> list[str]:
        return [*OBSERVABLE, "n"]

    def __repr__(self) -> str:
        return f"CustomerRecords(n={self.n}, records={', '.join(OBSERVABLE)})"
