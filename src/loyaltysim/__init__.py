"""loyaltysim: how should a firm treat its customers' claims, and what does it earn?

An agent-based model on Mesa in which customers of varying honesty and loyalty
meet a firm's service policy (always compensate, verify first, fixed pricing,
refuse caprices, ...), to estimate long-run profit and word of mouth.

Quick use::

    import loyaltysim as ls
    result = ls.run(ls.Scenario(), "verify_first", seed=1)
    result.summary["npv_usd"], result.monthly.head()
    ls.compare(ls.Scenario(), replications=20, seed=1).table()
"""

from importlib.metadata import PackageNotFoundError, version

from loyaltysim.agents import CustomerAgent
from loyaltysim.errors import LoyaltysimError, ParameterError, ScenarioFileError
from loyaltysim.model import LoyaltyModel
from loyaltysim.policies import (
    NAMED_POLICIES,
    AccommodateCaprices,
    AlwaysCompensate,
    CapriceRule,
    ClaimBatch,
    ClaimsRule,
    FixedPrices,
    NegotiablePrices,
    Policy,
    PricingRule,
    RefuseCaprices,
    ThresholdVerification,
    VerifyFirst,
    register_rule,
)
from loyaltysim.population import Population
from loyaltysim.scenario import Scenario
from loyaltysim.simulation import Comparison, RunResult, compare, run

try:
    __version__ = version("loyaltysim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "NAMED_POLICIES",
    "AccommodateCaprices",
    "AlwaysCompensate",
    "CapriceRule",
    "ClaimBatch",
    "ClaimsRule",
    "Comparison",
    "CustomerAgent",
    "FixedPrices",
    "LoyaltyModel",
    "LoyaltysimError",
    "NegotiablePrices",
    "ParameterError",
    "Policy",
    "Population",
    "PricingRule",
    "RefuseCaprices",
    "RunResult",
    "Scenario",
    "ScenarioFileError",
    "ThresholdVerification",
    "VerifyFirst",
    "__version__",
    "compare",
    "register_rule",
    "run",
]
