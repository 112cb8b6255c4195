"""The case library: one runnable policy question per source story.

Each :class:`Case` names the story it comes from, the question it asks, the
market it is asked in, the policies it compares (the first is the baseline),
and what the story says the answer is. :meth:`Case.run` compares the policies
with paired replications and reads the result in one paragraph, saying
whether the model agrees with the story.

Example:
    >>> from loyaltysim.cases import CASES, get_case
    >>> sorted(CASES)  # doctest: +NORMALIZE_WHITESPACE
    ['birthday_cards', 'broken_promise', 'ceo_phone_call', 'dropping_customers',
     'fixed_price', 'luxury_claims', 'pizza_guarantee', 'tennis_racket']
    >>> get_case("tennis_racket").story
    'seed 004: Carl Sewell pays for the tennis racket'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from loyaltysim.comparison import Comparison, compare
from loyaltysim.errors import ParameterError
from loyaltysim.params import MAX_RUNS, close_match
from loyaltysim.policies import (
    DropUnprofitable,
    EscalateToManagement,
    KeepInTouch,
    OptimisticPromises,
    Policy,
    SatisfactionGuarantee,
    ThresholdVerification,
)
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import NOT_GIVEN, renamed_seed

__all__ = ["CASES", "Case", "CaseResult", "get_case"]


@dataclass(frozen=True)
class Case:
    """A story turned into a policy comparison.

    Attributes:
        name: Identifier (``loyaltysim case NAME``).
        title: One-line title.
        story: The source story (``seeds/README.md``).
        question: The question the case asks.
        changes: Scenario parameters that differ from the default market.
        policies: The policies compared; the first is the baseline.
        story_answer: The policy the story says earns the most.
        story_says: What the story says, in a sentence.
        mechanism: Which model mechanisms decide the answer, in a sentence.
        disagreement: Why the model disagrees with the story (empty when it
            agrees): what the story's argument needs that the model lacks.
        replications: Paired replications run by default.
    """

    name: str
    title: str
    story: str
    question: str
    changes: Mapping[str, Any]
    policies: tuple[Policy, ...]
    story_answer: str
    story_says: str
    mechanism: str
    disagreement: str = ""
    replications: int = 10

    @property
    def scenario(self) -> Scenario:
        """The case's market: the default market with :attr:`changes`."""
        return Scenario(**self.changes)

    def run(
        self,
        replications: int | None = None,
        rng: int | np.random.SeedSequence = 2026,
        scenario: Scenario | None = None,
        progress: bool = False,
        seed: Any = NOT_GIVEN,
        max_runs: int = MAX_RUNS,
    ) -> CaseResult:
        """Compare the case's policies and read the result.

        Args:
            replications: Paired replications (default: :attr:`replications`).
            rng: Root seed.
            scenario: Another market to ask the question in (default:
                :attr:`scenario`).
            progress: Show a progress bar.
            seed: The old name of ``rng`` (deprecated).
            max_runs: The most runs allowed (see :func:`~loyaltysim.compare`).
        """
        rng = renamed_seed(rng, seed, "Case.run", default=2026)
        comparison = compare(
            scenario if scenario is not None else self.scenario,
            list(self.policies),
            replications=replications or self.replications,
            rng=rng,
            progress=progress,
            max_runs=max_runs,
        )
        return CaseResult(self, comparison)


@dataclass(frozen=True)
class CaseResult:
    """A case's comparison and its reading.

    Attributes:
        case: The case.
        comparison: The paired comparison of its policies.
    """

    case: Case
    comparison: Comparison = field(repr=False)

    @property
    def agrees(self) -> bool:
        """Whether the model points the way the story says, beyond the noise.

        When the story's answer is the baseline, every other policy must earn
        less than it (95% CI of the paired NPV difference below 0); otherwise
        the story's answer must earn more than the baseline (CI above 0).
        """
        case = self.case
        baseline = case.policies[0].name
        paired = self.comparison.paired(baseline)
        if case.story_answer == baseline:
            return bool((paired.drop(baseline)["high"].to_numpy() < 0).all())
        return bool(paired["low"].to_numpy()[paired.index.get_loc(case.story_answer)] > 0)

    def reading(self) -> str:
        """One paragraph: the answer with its uncertainty, against the story."""
        case, comparison = self.case, self.comparison
        best = comparison.best
        paired = comparison.paired(case.policies[0].name)
        lines = []
        for name in comparison.policies[1:]:
            row = paired.loc[name]
            lines.append(
                f"{name} {row['difference']:+,.0f} USD (95% CI {row['low']:+,.0f} to "
                f"{row['high']:+,.0f})"
            )
        verdict = "agrees with" if self.agrees else "does not agree with"
        why = f" Why the model disagrees: {case.disagreement}" if case.disagreement else ""
        return (
            f"{case.question} Against {case.policies[0].name}, the NPV over "
            f"{comparison.scenario.horizon_months} months differs by " + "; ".join(lines) + ". "
            f"The best is {best}; the model {verdict} the story ({case.story_says}). "
            f"{case.mechanism}{why}"
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the case, the comparison, the reading."""
        case = self.case
        return {
            "case": case.name,
            "title": case.title,
            "story": case.story,
            "question": case.question,
            "changes": dict(case.changes),
            "story_answer": case.story_answer,
            "agrees": self.agrees,
            "reading": self.reading(),
            **self.comparison.to_dict(),
        }


_BASE = Policy.preset("always_compensate")

_CASE_LIST = (
    Case(
        name="tennis_racket",
        title="The tennis racket: pay small claims or check them?",
        story="seed 004: Carl Sewell pays for the tennis racket",
        question="Should a firm pay small claims without questions, or verify them first?",
        changes={},
        policies=(_BASE, Policy.preset("verify_first")),
        story_answer="always_compensate",
        story_says="don't prove him wrong, just pay: a loyal customer is worth far more",
        mechanism="Verifying a small claim costs more than the fraud it stops, and each false "
        "accusation loses a customer who would have bought for years.",
    ),
    Case(
        name="luxury_claims",
        title="Luxury claims: where always compensating stops paying",
        story="seed 004: this does not work for luxury items",
        question="When claims are worth thousands, should the firm still pay every claim?",
        changes={"claim_value_usd": 2_000.0, "basket_value_usd": 400.0},
        policies=(
            _BASE,
            Policy.preset("verify_first"),
            _BASE.with_rules("threshold", claims=ThresholdVerification(threshold_usd=500)),
        ),
        story_answer="threshold",
        story_says="the price of the claim matters: paying without questions fails for luxury "
        "items",
        mechanism="With large claims a caught fraud saves more than an investigation and the "
        "odd false accusation cost; a threshold keeps small claims quick.",
        # 2,000 USD claims make NPV noisy: with 10 paired runs the threshold's CI straddled 0
        replications=20,
    ),
    Case(
        name="pizza_guarantee",
        title="The pizza guarantee: refund on request?",
        story="seed 001 rule 1: the Detroit Domino's franchise let unhappy customers not pay",
        question="Does a no-questions satisfaction guarantee pay for itself?",
        changes={},
        policies=(
            _BASE,
            _BASE.with_rules("guarantee", guarantee=SatisfactionGuarantee()),
        ),
        story_answer="guarantee",
        story_says="the honesty cost about $200 a year and paid for itself through positive "
        "feedback",
        mechanism="The guarantee draws trial and recovers every failure at once; it also "
        "invites unfounded refunds (full leniency), which a less honest market turns into "
        "losses (Domino's Australia, 2017).",
    ),
    Case(
        name="broken_promise",
        title="The rug: promise realistically or optimistically?",
        story="seed 002: a 10-day delivery promise for a 5-6 week special order",
        question="Do optimistic delivery promises win more than the broken promises cost?",
        changes={},
        policies=(
            _BASE,
            _BASE.with_rules("optimistic", promises=OptimisticPromises()),
            _BASE.with_rules(
                "optimistic_with_escalation",
                promises=OptimisticPromises(),
                recovery=EscalateToManagement(capacity_per_month=10, priority="largest"),
            ),
        ),
        story_answer="always_compensate",
        story_says="service is fragile: one broken promise, denied by the front line, undoes "
        "good intentions at the top",
        mechanism="An optimistic promise converts more prospects, but about 15% of deliveries "
        "break it, a fifth of those are denied, and repeated failures hurt more; "
        "management recovery repairs only the few complaints it has time for.",
    ),
    Case(
        name="ceo_phone_call",
        title="The CEO's phone call: escalate complaints to management?",
        story="seed 000: Mickey Drexler phones the complainer",
        question="Is scarce management time on complaints worth its cost when complaints "
        "go public?",
        changes={"public_share": 0.2, "public_reach": 100},
        policies=(
            _BASE,
            _BASE.with_rules("escalate", recovery=EscalateToManagement()),
        ),
        story_answer="escalate",
        story_says="the closer top management stands to complaints, the more the firm "
        "prospers; a complaint answered well turns into public praise",
        mechanism="Management takes up the public complaints first, reverses front-line "
        "deflections and adds a strong personal recovery; recovered complainers praise the "
        "firm in public. The case's market makes a fifth of strong experiences public (the "
        "default is 5%); in the default market the gain is within the noise.",
    ),
    Case(
        name="birthday_cards",
        title="The birthday cards: keep in touch with prospects?",
        story="seed 001 rule 5: eight birthday cards, then a $5M client",
        question="Does a yearly card to every prospect and lapsed customer pay for itself "
        "over ten years?",
        changes={"horizon_months": 120},
        policies=(
            _BASE,
            _BASE.with_rules("keep_in_touch", outreach=KeepInTouch()),
        ),
        story_answer="keep_in_touch",
        story_says="keeping in touch converts prospects the competitor never wrote to",
        mechanism="Each card costs little and its goodwill accumulates in the conversion "
        "hazard of every prospect and lapsed customer, so the cards pay late: the story "
        "took eight years, and over the default five-year horizon the cards cost more than "
        "they bring (run it with --set horizon_months=60).",
    ),
    Case(
        name="fixed_price",
        title="Every thing has its fixed price: refuse to haggle?",
        story="seed 003: never lower the price at a customer's whim",
        question="Does a fixed price earn more than granting discount requests?",
        changes={},
        policies=(_BASE, Policy.preset("fixed_pricing")),
        story_answer="fixed_pricing",
        story_says="every thing has its fixed price; discounts at a whim cheapen the firm",
        mechanism="A granted discount gives away a tenth of one basket; a refused one costs a "
        "little satisfaction (effect_discount_refused), and with it some churn and word of "
        "mouth.",
        disagreement="the story's argument is that haggling teaches customers to haggle and "
        "cheapens the brand; the model has no reference prices and a fixed haggling "
        "propensity, so refusing only costs goodwill and saves little.",
    ),
    Case(
        name="dropping_customers",
        title="Keep every customer, or drop the unprofitable ones?",
        story="seed 003: should a firm keep every customer, or drop some for better ones?",
        question="Does dropping customers whose service costs exceed their margin pay?",
        changes={},
        policies=(
            _BASE,
            _BASE.with_rules("drop_unprofitable", pruning=DropUnprofitable()),
        ),
        story_answer="always_compensate",
        story_says="a customer turned away may still recommend you or come back later; "
        "build a bond so they do not leave",
        mechanism="A customer who is unprofitable so far has mostly had one costly month (a "
        "claim, a caprice); dropped, they stop buying for good and speak ill of the firm.",
    ),
)

#: The case library, by name.
CASES: dict[str, Case] = {case.name: case for case in _CASE_LIST}


def get_case(name: str) -> Case:
    """The case called ``name``.

    Raises:
        ParameterError: No such case.
    """
    if name not in CASES:
        raise ParameterError("case", name, "one of " + ", ".join(CASES), close_match(name, CASES))
    return CASES[name]
