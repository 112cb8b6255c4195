"""The firm's own state: what it has learned from complaints.

The firm's choices are its :class:`~loyaltysim.policies.Policy`; its costs and
margin are scenario parameters. What changes over a run is the failure rate,
which falls as the firm analyses genuine complaints (the listening
dimension, story 1 rule 2: Milliken; see
:mod:`loyaltysim.submodels.listening`).
"""

from __future__ import annotations

from dataclasses import dataclass

from loyaltysim.scenario import Scenario

__all__ = ["Firm"]


@dataclass(eq=False)
class Firm:
    """The firm's state over a run.

    Attributes:
        failure_rate: Probability that a purchase suffers a defect this month
            (broken promises come on top).
        insights: Genuine complaints analysed so far, per 1,000 people in the
            market.
    """

    failure_rate: float
    insights: float = 0.0

    @classmethod
    def start(cls, scenario: Scenario) -> Firm:
        """The firm at month 0: the scenario's failure rate, nothing learned."""
        return cls(failure_rate=scenario.failure_rate)
