"""loyaltysim: how should a firm treat its customers' claims, and what does it earn?

An agent-based model on Mesa in which customers of varying honesty and loyalty
meet a firm's service policy (always compensate, verify first, fixed pricing,
refuse caprices, ...), to estimate long-run profit and word of mouth.

Quick use::

    import loyaltysim as ls
    result = ls.run(ls.Scenario(), "verify_first", rng=1)
    result.summary["npv_usd"], result.monthly.head()
    ls.compare(ls.Scenario(), replications=20, rng=1).table()
    ls.get_case("tennis_racket").run().reading()

The package face only re-exports; each name is imported from its module on
first use (PEP 562), so ``import loyaltysim`` and ``loyaltysim --version`` stay
fast and load neither Mesa nor pandas until a model is built.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("loyaltysim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

#: Where each public name lives: name -> module.
_EXPORTS: dict[str, str] = {
    "CASES": "loyaltysim.cases",
    "get_case": "loyaltysim.cases",
    "CustomerAgent": "loyaltysim.agents",
    "LoyaltysimError": "loyaltysim.errors",
    "OutputError": "loyaltysim.errors",
    "ParameterError": "loyaltysim.errors",
    "PluginError": "loyaltysim.errors",
    "ScenarioFileError": "loyaltysim.errors",
    "LoyaltyModel": "loyaltysim.model",
    "Population": "loyaltysim.population",
    "Scenario": "loyaltysim.scenario",
    "Comparison": "loyaltysim.comparison",
    "compare": "loyaltysim.comparison",
    "RunResult": "loyaltysim.simulation",
    "run": "loyaltysim.simulation",
    **dict.fromkeys(
        (
            "NAMED_POLICIES",
            "AccommodateCaprices",
            "AlwaysCompensate",
            "CapriceRule",
            "ClaimBatch",
            "ClaimsRule",
            "CustomerRecords",
            "Dimension",
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
            "add_dimension",
            "check_rule",
            "register_rule",
        ),
        "loyaltysim.policies",
    ),
}
#: Subpackages and modules reachable as attributes (``ls.cases``, ``ls.evidence``...).
_MODULES = ("cases", "evidence", "experiments", "outcomes", "params", "policies", "search")

__all__ = sorted([*_EXPORTS, *_MODULES, "__version__"])


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(f"loyaltysim.{name}")
    else:
        raise AttributeError(f"module 'loyaltysim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:  # what the names are, for type checkers and editors
    from loyaltysim import cases, evidence, experiments, outcomes, params, policies, search
    from loyaltysim.agents import CustomerAgent
    from loyaltysim.cases import CASES, get_case
    from loyaltysim.comparison import Comparison, compare
    from loyaltysim.errors import (
        LoyaltysimError,
        OutputError,
        ParameterError,
        PluginError,
        ScenarioFileError,
    )
    from loyaltysim.model import LoyaltyModel
    from loyaltysim.policies import (
        NAMED_POLICIES,
        AccommodateCaprices,
        AlwaysCompensate,
        CapriceRule,
        ClaimBatch,
        ClaimsRule,
        CustomerRecords,
        Dimension,
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
        add_dimension,
        check_rule,
        register_rule,
    )
    from loyaltysim.population import Population
    from loyaltysim.scenario import Scenario
    from loyaltysim.simulation import RunResult, run
