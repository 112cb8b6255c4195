"""loyaltysim: how should a firm treat its customers' claims, and what does it earn?

An agent-based model on Mesa in which customers of varying honesty and loyalty
meet a firm's service policy (always compensate, verify first, fixed pricing,
refuse caprices, ...), to estimate long-run profit and word of mouth.

Quick use::

    import loyaltysim as ls
    result = ls.run(ls.Scenario(), "verify_first", seed=1)
    result.summary["npv_usd"], result.monthly.head()
    ls.compare(ls.Scenario(), replications=20, seed=1).table()
    ls.get_case("tennis_racket").run().reading()
"""

from importlib.metadata import PackageNotFoundError, version

from loyaltysim import calibration, cases
from loyaltysim.agents import CustomerAgent
from loyaltysim.cases import CASES, get_case
from loyaltysim.errors import LoyaltysimError, ParameterError, ScenarioFileError
from loyaltysim.model import LoyaltyModel
from loyaltysim.policies import (
    NAMED_POLICIES,
    AccommodateCaprices,
    AlwaysCompensate,
    CapriceRule,
    ClaimBatch,
    ClaimsRule,
    DropUnprofitable,
    EscalateToManagement,
    FixedPrices,
    GuaranteeRule,
    KeepEveryone,
    KeepInTouch,
    Listen,
    ListeningRule,
    NegotiablePrices,
    NoGuarantee,
    NoListening,
    NoOutreach,
    NoRecovery,
    OptimisticPromises,
    OutreachRule,
    Policy,
    PricingRule,
    PromiseRule,
    PruningRule,
    RealisticPromises,
    RecoveryRule,
    RefuseCaprices,
    SatisfactionGuarantee,
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
    "CASES",
    "NAMED_POLICIES",
    "AccommodateCaprices",
    "AlwaysCompensate",
    "CapriceRule",
    "ClaimBatch",
    "ClaimsRule",
    "Comparison",
    "CustomerAgent",
    "DropUnprofitable",
    "EscalateToManagement",
    "FixedPrices",
    "GuaranteeRule",
    "KeepEveryone",
    "KeepInTouch",
    "Listen",
    "ListeningRule",
    "LoyaltyModel",
    "LoyaltysimError",
    "NegotiablePrices",
    "NoGuarantee",
    "NoListening",
    "NoOutreach",
    "NoRecovery",
    "OptimisticPromises",
    "OutreachRule",
    "ParameterError",
    "Policy",
    "Population",
    "PricingRule",
    "PromiseRule",
    "PruningRule",
    "RealisticPromises",
    "RecoveryRule",
    "RefuseCaprices",
    "RunResult",
    "SatisfactionGuarantee",
    "Scenario",
    "ScenarioFileError",
    "ThresholdVerification",
    "VerifyFirst",
    "__version__",
    "calibration",
    "cases",
    "compare",
    "get_case",
    "register_rule",
    "run",
]
