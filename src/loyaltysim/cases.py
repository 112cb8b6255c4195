"""The case library: one runnable policy question per source story.

Each :class:`Case` names the story it comes from, the question it asks, the
market it is asked in, the policies it compares (the first is the baseline),
and what the story says the answer is. :meth:`Case.run` compares the policies
with paired replications and reads the result in one paragraph, saying
whether the model agrees with the story.

Each case also lists its *assumptions* (:class:`Assumption`): the scenario
parameters that may decide its verdict and that no source pins down (their
declared source is a stated assumption, or a story that gives no number),
each with a plausible range. :meth:`Case.robustness` scans each one alone over
its range on the sweep engine, with paired replications, and
:class:`Robustness` reports where the verdict changes sign (the *switching
value*), or that it does not in range.

Example:
    >>> from loyaltysim.cases import CASES, get_case
    >>> sorted(CASES)  # doctest: +NORMALIZE_WHITESPACE
    ['birthday_cards', 'broken_promise', 'ceo_phone_call', 'dropping_customers',
     'fixed_price', 'luxury_claims', 'pizza_guarantee', 'tennis_racket']
    >>> get_case("tennis_racket").story
    'story 4: Carl Sewell pays for the tennis racket'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.comparison import Comparison, compare
from loyaltysim.errors import ParameterError
from loyaltysim.experiments.analysis import Results
from loyaltysim.experiments.definition import Experiment
from loyaltysim.experiments.execution import collect
from loyaltysim.params import MAX_RUNS, close_match, format_number, significant, whole_number
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
from loyaltysim.seeding import NOT_GIVEN, as_seed_sequence, renamed_seed, seed_record
from loyaltysim.simulation import json_number, versions

__all__ = ["CASES", "Assumption", "Case", "CaseResult", "Robustness", "get_case"]

#: Levels of each assumption a robustness scan runs by default (the market's value is added).
ROBUSTNESS_LEVELS = 5


@dataclass(frozen=True)
class Assumption:
    """A scenario parameter no source pins down that may decide a case's verdict.

    Attributes:
        name: The scenario parameter (``loyaltysim params``); its declared
            source is a stated assumption, or a story that gives no number.
        low: The lowest plausible value (scanned).
        high: The highest plausible value (scanned); the range contains the
            default.
        why: One line on why that range.

    Raises:
        ParameterError: An unknown or non-numeric parameter, a bound out of
            the parameter's range, ``low >= high``, or no reason given.
    """

    name: str
    low: float
    high: float
    why: str

    def __post_init__(self) -> None:
        spec = Scenario.spec(self.name)  # unknown names fail here
        label = f"assumption {self.name}"
        if spec.kind == "choice":
            raise ParameterError(label, self.name, "a numeric scenario parameter")
        low = spec.validate(self.low, f"{label}.low")
        high = spec.validate(self.high, f"{label}.high")
        if not low < high:
            raise ParameterError(f"{label}.high", high, f"a number above low = {low:g}")
        if not self.why.strip():
            raise ParameterError(f"{label}.why", self.why, "one line on why that range")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    @property
    def source(self) -> str:
        """The parameter's declared source (``Scenario.spec(name).source``)."""
        return Scenario.spec(self.name).source

    def levels(self, count: int) -> list[float]:
        """``count`` evenly spaced levels from ``low`` to ``high``, distinct, ascending.

        A whole-number parameter takes whole levels; float noise is rounded
        away (``-0.05``, not ``-0.04999999999999999``).
        """
        values = np.linspace(self.low, self.high, whole_number("levels", count, minimum=2))
        if Scenario.spec(self.name).kind == "int":
            return sorted({round(float(v)) for v in values})
        return sorted({float(f"{v:.12g}") for v in values})


@dataclass(frozen=True)
class Case:
    """A story turned into a policy comparison.

    Attributes:
        name: Identifier (``loyaltysim case NAME``).
        title: One-line title.
        story: The source story, numbered as in papers/stories.md, and its point.
        question: The question the case asks.
        changes: Scenario parameters that differ from the default market.
        policies: The policies compared; the first is the baseline.
        story_answer: The policy the story says earns the most.
        story_says: What the story says, in a sentence.
        mechanism: Which model mechanisms decide the answer, in a sentence.
        disagreement: Why the model disagrees with the story (empty when it
            agrees): what the story's argument needs that the model lacks.
        replications: Paired replications run by default.
        assumptions: The parameters no source pins down that may decide the
            verdict, each with its plausible range (:meth:`robustness`).
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
    assumptions: tuple[Assumption, ...] = ()

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

    @property
    def verdict_policies(self) -> tuple[Policy, ...]:
        """The policies the verdict compares: the baseline, then the story's answer.

        When the story's answer is the baseline, every policy (the verdict is
        that none beats it).
        """
        if self.story_answer == self.policies[0].name:
            return self.policies
        story = next(p for p in self.policies if p.name == self.story_answer)
        return (self.policies[0], story)

    def robustness(
        self,
        levels: int = ROBUSTNESS_LEVELS,
        replications: int | None = None,
        rng: int | np.random.SeedSequence = 2026,
        scenario: Scenario | None = None,
        workers: int | None = None,
        progress: bool = False,
    ) -> Robustness:
        """Scan each assumption alone over its range: where does the verdict change sign?

        One experiment on the sweep engine (a ``table`` design): point 0 is the
        market itself, then each assumption's evenly spaced levels (the others
        at the market's values). Every point runs the verdict's policies
        (:attr:`verdict_policies`) on the same paired replications: replication
        ``r`` has the same seed at every level, so the differences between
        levels are the parameter's, not the luck of the draw, and point 0 is
        exactly :meth:`run` with the same seed and replications.

        Args:
            levels: Evenly spaced levels of each range (at least 2); the
                market's value is added when it is not one of them.
            replications: Paired replications per level (default:
                :attr:`replications`).
            rng: Root seed.
            scenario: The market (default: :attr:`scenario`).
            workers: Worker processes (default: this process).
            progress: Show a progress bar (tqdm, on stderr or in a notebook).

        Raises:
            ParameterError: Bad ``levels`` or ``replications``, or the case
                declares no assumption.
        """
        levels = whole_number("levels", levels, minimum=2)
        replications = whole_number(
            "replications", self.replications if replications is None else replications, 1
        )
        if not self.assumptions:
            raise ParameterError(
                "assumptions", (), f"at least one Assumption declared by case {self.name!r}"
            )
        market = scenario if scenario is not None else self.scenario
        points: list[dict[str, Any]] = [{}]  # the market itself
        for assumption in self.assumptions:
            value = getattr(market, assumption.name)
            points += [{assumption.name: v} for v in assumption.levels(levels) if v != value]
        experiment = Experiment(
            policies=self.verdict_policies,
            scenario=market.changes(),
            design="table",
            table=tuple(points),
            replications=replications,
            name=f"robustness {self.name}",
        )
        root = as_seed_sequence(rng)
        runs, _ = collect(experiment, root, workers=workers, progress=progress)
        return Robustness(
            case=self,
            scenario=market,
            experiment=experiment,
            levels=levels,
            seed=seed_record(root),
            runs=runs,
        )


@dataclass(frozen=True)
class CaseResult:
    """A case's comparison and its reading.

    Attributes:
        case: The case.
        comparison: The paired comparison of its policies.
        robustness: The scan of its assumptions in the same market, when
            attached (:meth:`with_robustness`).
    """

    case: Case
    comparison: Comparison = field(repr=False)
    robustness: Robustness | None = field(default=None, repr=False)

    def with_robustness(self, robustness: Robustness) -> CaseResult:
        """This result with the scan of its assumptions attached (the reading names them).

        Raises:
            ParameterError: The scan is of another case or another market.
        """
        same = robustness.case.name == self.case.name
        if not same or robustness.scenario != self.comparison.scenario:
            raise ParameterError(
                "robustness",
                f"case {robustness.case.name}",
                f"a scan of case {self.case.name} in the market of its comparison",
            )
        return dataclasses.replace(self, robustness=robustness)

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
        """One paragraph: the answer with its uncertainty, against the story.

        With a robustness scan attached, its last sentence names the
        assumptions that flip the verdict in range (or says none does).
        """
        case, comparison = self.case, self.comparison
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
        robust = f" {self.robustness.summary()}" if self.robustness is not None else ""
        return (
            f"{case.question} Against {case.policies[0].name}, the NPV over "
            f"{comparison.scenario.horizon_months} months differs by " + "; ".join(lines) + ". "
            f"{_sentence(comparison.leader())}; the model {verdict} the story "
            f"({case.story_says}). "
            f"{case.mechanism}{why}{robust}"
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
            **({"robustness": self.robustness.to_dict()} if self.robustness is not None else {}),
        }


@dataclass(frozen=True)
class Robustness:
    """How a case's verdict moves with each assumption no source pins down.

    The verdict is the NPV difference of the story's answer against the
    baseline; when the story's answer is the baseline, of the best challenger
    at each level against it (the verdict is that none beats it). Each
    assumption is scanned alone; where the mean difference changes sign between
    two neighbouring levels, the *switching value* is interpolated linearly
    between them.

    Attributes:
        case: The case.
        scenario: The market the assumptions are scanned around.
        experiment: The scan, one experiment of the sweep engine (``table``
            design: point 0 is the market, then each assumption's other levels).
        levels: Evenly spaced levels asked for per assumption.
        seed: The root seed's entropy and spawn key.
        runs: Every run: one row per point, replication and policy.
        versions: Package versions.
    """

    case: Case
    scenario: Scenario
    experiment: Experiment = field(repr=False)
    levels: int
    seed: dict[str, Any]
    runs: pd.DataFrame = field(repr=False)
    versions: dict[str, str] = field(default_factory=versions, repr=False)

    @property
    def baseline(self) -> str:
        """The baseline policy."""
        return self.case.policies[0].name

    @property
    def replications(self) -> int:
        """Paired replications per level."""
        return self.experiment.replications

    def market_value(self, name: str) -> Any:
        """The market's value of parameter ``name``."""
        return getattr(self.scenario, name)

    def table(self) -> pd.DataFrame:
        """Per assumption and level: the verdict's paired NPV difference with its 95% CI.

        Returns:
            One row per (assumption, level), levels ascending: ``assumption``,
            ``level``, ``market`` (the level is the market's value),
            ``policy`` (the challenger compared with the baseline),
            ``difference``, ``low``, ``high`` and ``excludes_zero`` (the CI
            lies on one side of 0).
        """
        paired = Results.in_memory(self.experiment, self.runs).paired(baseline=self.baseline)
        story, rows = self.case.story_answer, []
        for assumption in self.case.assumptions:
            name = assumption.name
            at = {0: self.market_value(name)} | {
                point: values[name]
                for point, values in enumerate(self.experiment.table)
                if name in values
            }
            for point, level in sorted(at.items(), key=lambda item: item[1]):
                challengers = paired.loc[point].drop(self.baseline)
                policy = (
                    story if story != self.baseline else str(challengers["difference"].idxmax())
                )
                columns = ["difference", "low", "high"]
                difference, low, high = challengers.loc[policy, columns].to_numpy(dtype=float)
                rows.append(
                    {
                        "assumption": name,
                        "level": level,
                        "market": point == 0,
                        "policy": policy,
                        "difference": float(difference),
                        "low": float(low),
                        "high": float(high),
                        "excludes_zero": bool(low > 0 or high < 0),
                    }
                )
        return pd.DataFrame(rows)

    def switching(self) -> pd.DataFrame:
        """Where the verdict changes sign, per assumption.

        Returns:
            One row per sign change of the mean difference between two
            neighbouring levels, and one row for an assumption with none in
            range (``switching_value`` NaN): ``assumption``, ``market_value``,
            ``low`` and ``high`` (the range scanned), ``switching_value``
            (linear interpolation), ``below`` and ``above`` (the neighbouring
            levels), and ``excludes_zero_below`` / ``excludes_zero_above``
            (whether the 95% CI excludes 0 at each).
        """
        rows = []
        for name, scan in self.table().groupby("assumption", sort=False):
            levels = scan["level"].to_numpy(dtype=float)
            diff = scan["difference"].to_numpy()
            sure = scan["excludes_zero"].to_numpy()
            common = {
                "assumption": name,
                "market_value": self.market_value(str(name)),
                "low": levels[0],
                "high": levels[-1],
            }
            changes = [i for i in range(len(levels) - 1) if (diff[i] < 0) != (diff[i + 1] < 0)]
            for i in changes:
                share = diff[i] / (diff[i] - diff[i + 1])
                rows.append(
                    {
                        **common,
                        "switching_value": levels[i] + share * (levels[i + 1] - levels[i]),
                        "below": levels[i],
                        "above": levels[i + 1],
                        "excludes_zero_below": bool(sure[i]),
                        "excludes_zero_above": bool(sure[i + 1]),
                    }
                )
            if not changes:
                rows.append(
                    {
                        **common,
                        "switching_value": math.nan,
                        "below": math.nan,
                        "above": math.nan,
                        "excludes_zero_below": False,
                        "excludes_zero_above": False,
                    }
                )
        return pd.DataFrame(rows)

    def verdict(self) -> str:
        """The verdict in the market, in words (``fixed_pricing earns less than ...``)."""
        table = self.table()
        row = table[table["market"]].iloc[0]  # point 0, the same for every assumption
        if self.case.story_answer != self.baseline:
            more = "more" if row["difference"] > 0 else "less"
            return f"{self.case.story_answer} earns {more} than {self.baseline}"
        if row["difference"] < 0:
            others = len(self.case.policies) - 1
            return f"{self.baseline} earns more than " + (
                "every alternative" if others > 1 else str(row["policy"])
            )
        return f"{row['policy']} earns more than {self.baseline}"

    def sentences(self) -> list[str]:
        """One sentence per assumption: the switching value, or none in range."""
        verdict, table = self.verdict(), self.table()
        out = []
        for name, rows in self.switching().groupby("assumption", sort=False):
            first = rows.iloc[0]
            market = first["market_value"]
            where = "default" if market == Scenario.spec(str(name)).default else "market value"
            scanned = f"{where} {_value(market)}; scanned {_value(first['low'])} to "
            scanned += _value(first["high"])
            if rows["switching_value"].isna().all():
                scan = table[table["assumption"] == name]
                sure = f"the 95% CI excludes 0 at {scan['excludes_zero'].sum()} of {len(scan)}"
                out.append(f"{verdict} at every tested value of {name} ({scanned}; {sure} levels).")
            elif len(rows) == 1:
                side = "above" if market < first["switching_value"] else "below"
                out.append(
                    f"{verdict} unless {name} is {side} {_value(first['switching_value'], 3)} "
                    f"({scanned}; {_neighbours(first)})."
                )
            else:
                values = [_value(v, 3) for v in rows["switching_value"]]
                out.append(
                    f"{verdict} at {name} = {_value(market)}, but the difference changes sign "
                    f"at {_listing(values)} ({scanned})."
                )
        return out

    def summary(self) -> str:
        """One sentence for the case's reading: the switching assumptions, or none in range."""
        switching = self.switching()
        flips = switching.dropna(subset=["switching_value"])
        design = f"{self.levels} levels of each, {self.replications} paired replications"
        if flips.empty:
            ranges = ", ".join(
                f"{row['assumption']} {_value(row['low'])} to {_value(row['high'])}"
                for _, row in switching.iterrows()
            )
            return f"Robustness: no tested assumption flips it in range ({ranges}; {design})."
        named = [
            f"{name} (at " + " and ".join(_value(v, 3) for v in rows["switching_value"]) + ")"
            for name, rows in flips.groupby("assumption", sort=False)
        ]
        steady = [
            str(n) for n in switching["assumption"].unique() if n not in set(flips["assumption"])
        ]
        text = "Robustness: the verdict switches with " + _listing(named)
        if steady:
            text += "; no tested value of " + _listing(steady) + " flips it"
        return f"{text} ({design})."

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the design, each assumption, the scan, the switching values."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {str(k): json_number(v) for k, v in row.items()} for row in frame.to_dict("records")
            ]

        return {
            "case": self.case.name,
            "baseline": self.baseline,
            "policies": [p.name for p in self.experiment.policies],
            "levels": self.levels,
            "replications": self.replications,
            "seed": self.seed,
            "versions": self.versions,
            "market": self.scenario.changes(),
            "assumptions": [
                {
                    **dataclasses.asdict(a),
                    "source": a.source,
                    "market_value": self.market_value(a.name),
                }
                for a in self.case.assumptions
            ],
            "verdict": self.verdict(),
            "table": records(self.table()),
            "switching": records(self.switching()),
            "sentences": self.sentences(),
            "summary": self.summary(),
        }


def _value(value: float, digits: int | None = None) -> str:
    """A parameter value in a sentence (``digits`` significant digits for an estimate)."""
    return format_number(significant(value, digits) if digits else value)


def _neighbours(row: pd.Series) -> str:
    """Which neighbouring levels of a switch have a 95% CI that excludes 0."""
    below, above = _value(row["below"]), _value(row["above"])
    sure = (bool(row["excludes_zero_below"]), bool(row["excludes_zero_above"]))
    if all(sure):
        return f"the 95% CI excludes 0 at both neighbouring levels, {below} and {above}"
    if any(sure):
        return f"the 95% CI excludes 0 at {below if sure[0] else above} only, not at " + (
            above if sure[0] else below
        )
    return f"the 95% CI includes 0 at both neighbouring levels, {below} and {above}"


def _listing(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_BASE = Policy.preset("always_compensate")
#: How often an investigation doubts an honest claimant: it may decide both claims cases.
_FALSE_ACCUSATIONS = Assumption(
    "false_accusation_rate",
    0.0,
    0.2,
    "from investigations that never doubt an honest claimant to one in five doubted; story 4 "
    "says checking ends in accusing good people, not how often",
)

_CASE_LIST = (
    Case(
        name="tennis_racket",
        title="The tennis racket: pay small claims or check them?",
        story="story 4: Carl Sewell pays for the tennis racket",
        question="Should a firm pay small claims without questions, or verify them first?",
        changes={},
        policies=(_BASE, Policy.preset("verify_first")),
        story_answer="always_compensate",
        story_says="don't prove him wrong, just pay: a loyal customer is worth far more",
        mechanism="Verifying a small claim costs more than the fraud it stops, and each false "
        "accusation loses a customer who would have bought for years.",
        assumptions=(
            _FALSE_ACCUSATIONS,
            Assumption(
                "effect_accused",
                -1.6,
                0.0,
                "from an accusation that does not hurt to twice the default, the worst "
                "experience on the [-1, 1] scale; story 4 ranks it worst but gives no size",
            ),
            Assumption(
                "investigation_cost_usd",
                0.0,
                40.0,
                "from an automatic check that costs nothing to two hours of a claims handler",
            ),
        ),
    ),
    Case(
        name="luxury_claims",
        title="Luxury claims: where always compensating stops paying",
        story="story 4: this does not work for luxury items",
        question="When items, and so claims, are worth thousands, should the firm still pay "
        "every claim?",
        # luxury: expensive items bought rarely (claims scale with the basket: 0.8 of it, as 40
        # of 50 in the default market)
        changes={
            "basket_value_usd": 2_500.0,
            "claim_value_usd": 2_000.0,
            "purchase_probability_mean": 0.05,
        },
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
        disagreement="checking stops fraud worth thousands, but a checked genuine claim is "
        "resolved slowly, and after a slow resolution far fewer customers buy again than after "
        "a quick one (TARP, as quoted: 54% against 82% after a loss over $100); in this market "
        "the customers the checks drive away are worth about as much as the fraud they stop, so "
        "neither checking policy beats paying beyond the noise.",
        # 2,000 USD claims make NPV noisy: with 10 paired runs the threshold's CI straddled 0
        replications=20,
        assumptions=(
            Assumption(
                "detection_rate",
                0.2,
                1.0,
                "from an investigation that exposes one fraud in five to one that exposes every "
                "fraud; no source gives a rate",
            ),
            _FALSE_ACCUSATIONS,
        ),
    ),
    Case(
        name="pizza_guarantee",
        title="The pizza guarantee: refund on request?",
        story="story 1 rule 1: the Detroit Domino's franchise let unhappy customers not pay",
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
        assumptions=(
            Assumption(
                "guarantee_trial_boost",
                1.0,
                1.4,
                "from a guarantee that draws no extra trial to 40% more conversions; Hampton "
                "Inn's return is on the guarantee's cost, not a conversion rate",
            ),
            Assumption(
                "guarantee_claim_multiplier",
                1.0,
                5.0,
                "from asking being no easier under a guarantee to honest claims five times "
                "likelier; no refund rate of the Detroit franchise is published",
            ),
        ),
    ),
    Case(
        name="broken_promise",
        title="The rug: promise realistically or optimistically?",
        story="story 2: a 10-day delivery promise for a 5-6 week special order",
        question="Do optimistic delivery promises win more than the broken promises cost?",
        changes={},
        policies=(
            _BASE,
            _BASE.with_rules("optimistic", promises=OptimisticPromises()),
            _BASE.with_rules(
                "optimistic_with_escalation",
                promises=OptimisticPromises(),
                recovery=EscalateToManagement(capacity_per_1000=1.0, priority="largest"),
            ),
        ),
        story_answer="always_compensate",
        story_says="service is fragile: one broken promise, denied by the front line, undoes "
        "good intentions at the top",
        mechanism="An optimistic promise converts more prospects, but about 15% of deliveries "
        "break it, a fifth of those are denied, and repeated failures hurt more; "
        "management recovery repairs only the few complaints it has time for.",
        assumptions=(
            Assumption(
                "promise_appeal",
                0.0,
                1.2,
                "from a shorter promise that wins no one to conversions rising 1.2% for each 1% "
                "shorter promise; story 2 shows one sale closed, not a rate",
            ),
            Assumption(
                "effect_broken_promise",
                -0.3,
                0.0,
                "from a broken promise that hurts no more than the delay to one as bad as a "
                "second failure (effect_failure = -0.3)",
            ),
        ),
    ),
    Case(
        name="ceo_phone_call",
        title="The CEO's phone call: escalate complaints to management?",
        story="story 0: Mickey Drexler phones the complainer",
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
        "default is 5%); in the default market the praise reaches too few to pay for "
        "management's time.",
        assumptions=(
            Assumption(
                "effect_management_recovery",
                0.0,
                0.8,
                "from a call that adds nothing beyond reversing the front line to twice the "
                "default; story 0 tells of one ardent fan, not a size",
            ),
            Assumption(
                "public_praise_probability",
                0.0,
                0.6,
                "from no recovered complainer praising the firm in public to most of them; "
                "story 0 is one public follow-up",
            ),
            Assumption(
                "management_cost_usd",
                0.0,
                200.0,
                "from time management would spend anyway to four hours of a manager per complaint",
            ),
        ),
    ),
    Case(
        name="birthday_cards",
        title="The birthday cards: keep in touch with prospects?",
        story="story 1 rule 5: eight birthday cards, then a $5M client",
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
        assumptions=(
            Assumption(
                "outreach_response",
                0.0,
                0.001,
                "from cards that convert no one to twice the default hazard per card; story 1 "
                "is one prospect who signed after the eighth card",
            ),
            Assumption(
                "outreach_cost_usd",
                0.0,
                8.0,
                "from an e-mail that costs nothing to a card with a small gift and postage",
            ),
        ),
    ),
    Case(
        name="fixed_price",
        title="Every thing has its fixed price: refuse to haggle?",
        story="story 3: never lower the price at a customer's whim",
        question="Does a fixed price earn more than granting discount requests?",
        changes={},
        policies=(_BASE, Policy.preset("fixed_pricing")),
        story_answer="fixed_pricing",
        story_says="every thing has its fixed price; discounts at a whim cheapen the firm",
        mechanism="A granted discount gives away a tenth of one basket; a refused one costs a "
        "little satisfaction (effect_discount_refused), and with it a little word of mouth and "
        "churn; most customers who leave leave after a failure, which no discount changes.",
        assumptions=(
            Assumption(
                "effect_discount_refused",
                -0.2,
                0.0,
                "from a polite refusal nobody minds to one two-thirds as bad as a failure "
                "(effect_failure = -0.3); story 3 says state the price politely, not its cost",
            ),
            Assumption(
                "effect_discount_granted",
                0.0,
                0.2,
                "from a granted discount taken for granted to one worth two-thirds of a failure "
                "in goodwill",
            ),
            Assumption(
                "haggle_discount_share",
                0.05,
                0.25,
                "from 5% to a quarter off on request; a typical discount is a stated assumption",
            ),
        ),
    ),
    Case(
        name="dropping_customers",
        title="Keep every customer, or drop the unprofitable ones?",
        story="story 3: should a firm keep every customer, or drop some for better ones?",
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
        assumptions=(
            Assumption(
                "effect_dropped",
                -1.2,
                0.0,
                "from a dropped customer who takes it calmly to one hurt more than by a false "
                "accusation; story 3 says they may recommend you, or not",
            ),
            Assumption(
                "caprice_cost_usd",
                5.0,
                45.0,
                "from a few minutes of staff time to an hour with extras: costly caprices make "
                "the customers who ask for them unprofitable",
            ),
        ),
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


def _sentence(clause: str) -> str:
    """``clause`` with its first letter capitalised (the rest as written: names, CI)."""
    return clause[:1].upper() + clause[1:]
