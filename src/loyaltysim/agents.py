"""Customers as Mesa agents: a read-and-write view of one row of the population.

The model's state lives in :class:`~loyaltysim.population.Population` arrays;
a :class:`CustomerAgent` holds only its row index, so creating agents for
inspection copies nothing and the arrays stay the single source of truth.
Agents are created on demand (:meth:`LoyaltyModel.customer`) or all at once
for small populations, never for the inner loop.
"""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING

import mesa

from loyaltysim.network import GraphNetwork
from loyaltysim.population import STATUS_NAMES, Population

if TYPE_CHECKING:
    from loyaltysim.model import LoyaltyModel

__all__ = ["CustomerAgent"]

#: Population variables exposed as agent attributes (``status`` has its own, named, property).
_FIELDS = tuple(f.name for f in fields(Population) if f.name != "status")


class CustomerAgent(mesa.Agent):
    """One person of the market, viewed through the population arrays.

    Attributes:
        index: The person's row in the population arrays.

    Every population variable (``honesty``, ``satisfaction``, ``leniency``,
    ``tenure_months``, ...) is an attribute that reads and writes the array.
    """

    model: LoyaltyModel

    def __init__(self, model: LoyaltyModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def status(self) -> str:
        """``"prospect"``, ``"active"`` or ``"lapsed"``."""
        return STATUS_NAMES[self.model.population.status[self.index]]

    @property
    def contacts(self) -> list[int]:
        """Indices of this person's contacts in the social network."""
        network = self.model.network
        if isinstance(network, GraphNetwork):
            start, stop = network.indptr[self.index], network.indptr[self.index + 1]
            return network.indices[start:stop].tolist()
        return [i for i in range(network.n) if i != self.index]

    def __repr__(self) -> str:
        return (
            f"CustomerAgent(index={self.index}, status={self.status!r}, "
            f"honesty={self.honesty:.2f}, satisfaction={self.satisfaction:.2f})"
        )


def _array_property(name: str) -> property:
    def fget(self: CustomerAgent) -> float:
        return getattr(self.model.population, name)[self.index].item()

    def fset(self: CustomerAgent, value: float) -> None:
        getattr(self.model.population, name)[self.index] = value

    return property(fget, fset, doc=f"The person's ``{name}`` (population array).")


for _name in _FIELDS:
    setattr(CustomerAgent, _name, _array_property(_name))
