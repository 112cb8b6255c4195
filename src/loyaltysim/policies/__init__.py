"""The firm's policy: one rule per dimension of its customer service.

A :class:`Policy` composes one rule for each *dimension*
(:mod:`~loyaltysim.policies.dimensions`: claims, pricing, caprices, recovery,
promises, guarantee, outreach, pruning, listening). A rule is a small object
with one vectorised decision method over a batch of customers or claims that
returns one value per request (a boolean, or the promised days); the model
does everything else (costs, outcomes, satisfaction), so a new rule is a few
lines and cannot break the accounting. A rule sees the people through the
firm's customer records (:class:`CustomerRecords`: tenure, purchases, claims,
public complaints, rejections, money), never their honesty, loyalty or
propensities.

Write your own rule by subclassing the dimension's base class, check it with
:func:`check_rule`, then either pass an instance to :class:`Policy` or register
a name with :func:`register_rule` (TOML and ``--set policy.claims=...`` can also
name ``"package.module:ClassName"``). A rule's parameters are its dataclass
fields, declared with :func:`rule_param` so they are validated and listed like
the market's. A whole new dimension is one :class:`Dimension` record passed to
:func:`add_dimension`, its rules and its submodel.

The package's modules, one job each:

- :mod:`~loyaltysim.policies.contract` — the rule base, claims as the firm sees
  them, the dimension record and the registries, :func:`decide`;
- :mod:`~loyaltysim.policies.records` — :class:`CustomerRecords`, the people as
  the firm sees them;
- :mod:`~loyaltysim.policies.dimensions` — the nine dimensions' base classes and records;
- :mod:`~loyaltysim.policies.rules` — the built-in rules;
- :mod:`~loyaltysim.policies.policy` — :class:`Policy`, the named policies, parameter rows;
- :mod:`~loyaltysim.policies.checks` — :func:`check_rule`, for a user's own rule.

Example:
    >>> from loyaltysim.policies import Policy, ThresholdVerification
    >>> Policy(claims=ThresholdVerification(threshold_usd=150)).describe()
    'claims=threshold, pricing=negotiable, caprices=accommodate'
"""

from loyaltysim.policies.checks import check_rule
from loyaltysim.policies.contract import (
    DIMENSIONS,
    ClaimBatch,
    Dimension,
    FrontLine,
    Rule,
    add_dimension,
    decide,
    dimension_of,
    plugin_call,
    register_rule,
    registered,
    registered_rules,
    remove_dimension,
    rule_param,
    rule_parameter_specs,
    rule_parameters,
    unregister_rule,
)
from loyaltysim.policies.dimensions import (
    CAPRICES,
    CLAIMS,
    GUARANTEE,
    LISTENING,
    OUTREACH,
    PRICING,
    PROMISES,
    PRUNING,
    RECOVERY,
    CapriceRule,
    ClaimsRule,
    GuaranteeRule,
    ListeningRule,
    OutreachRule,
    PricingRule,
    PromiseRule,
    PruningRule,
    RecoveryRule,
)
from loyaltysim.policies.policy import (
    NAMED_POLICIES,
    PRESETS,
    Policy,
    is_plugin,
    parameter_rows,
    resolve_policy,
)
from loyaltysim.policies.records import CustomerRecords
from loyaltysim.policies.rules import (
    ESCALATION_PRIORITIES,
    OUTREACH_AUDIENCES,
    AccommodateCaprices,
    AlwaysCompensate,
    DropUnprofitable,
    EscalateToManagement,
    FixedPrices,
    KeepEveryone,
    KeepInTouch,
    Listen,
    NegotiablePrices,
    NoGuarantee,
    NoListening,
    NoOutreach,
    NoRecovery,
    OptimisticPromises,
    RealisticPromises,
    RefuseCaprices,
    SatisfactionGuarantee,
    ThresholdVerification,
    VerifyFirst,
)

__all__ = [
    "CAPRICES",
    "CLAIMS",
    "DIMENSIONS",
    "ESCALATION_PRIORITIES",
    "GUARANTEE",
    "LISTENING",
    "NAMED_POLICIES",
    "OUTREACH",
    "OUTREACH_AUDIENCES",
    "PRESETS",
    "PRICING",
    "PROMISES",
    "PRUNING",
    "RECOVERY",
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
    "FrontLine",
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
    "Rule",
    "SatisfactionGuarantee",
    "ThresholdVerification",
    "VerifyFirst",
    "add_dimension",
    "check_rule",
    "decide",
    "dimension_of",
    "is_plugin",
    "parameter_rows",
    "plugin_call",
    "register_rule",
    "registered",
    "registered_rules",
    "remove_dimension",
    "resolve_policy",
    "rule_param",
    "rule_parameter_specs",
    "rule_parameters",
    "unregister_rule",
]
