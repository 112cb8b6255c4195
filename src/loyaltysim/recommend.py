"""A recommendation for a client: the paired comparison read against a materiality threshold.

:func:`recommend` compares candidate policies with a baseline on one market
(:func:`loyaltysim.compare`: common random numbers, paired replications) and
decides, with one rule (:func:`decide`), whether a challenger is worth
adopting: its paired NPV difference against the baseline must be positive
beyond the noise (the 95% CI excludes 0) *and* at least the materiality
threshold the consultant sets (default :data:`MATERIALITY`, a share of the
baseline's NPV). Otherwise the recommendation is to keep the baseline.

It then scans the assumptions that could change that answer (the case
library's :meth:`~loyaltysim.cases.Case.robustness` machinery: each
assumption alone over its plausible range, paired replications) and applies
the same rule at every level. :class:`Recommendation` writes a one-page
report as HTML (:meth:`Recommendation.html`) and PDF
(:meth:`Recommendation.write_pdf`, compiled by the ``typst`` wheel from the
Typst source :meth:`Recommendation.typst`).

Example:
    >>> import loyaltysim as ls
    >>> from loyaltysim.recommend import recommend
    >>> advice = recommend(ls.Scenario(n_customers=500, horizon_months=12),
    ...                    ["always_compensate", "verify_first"], replications=3,
    ...                    levels=2, scan_replications=2, max_assumptions=1)
    >>> advice.recommended in ("always_compensate", "verify_first")
    True
"""

from __future__ import annotations

import html
import io
import math
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from loyaltysim._io import write_atomic
from loyaltysim.cases import CASES, Assumption, Case, Robustness
from loyaltysim.comparison import Comparison, compare
from loyaltysim.errors import OutputError, ParameterError
from loyaltysim.params import MAX_RUNS, format_number, whole_number
from loyaltysim.policies import NAMED_POLICIES, Policy, resolve_policy
from loyaltysim.scenario import Scenario
from loyaltysim.simulation import json_number

__all__ = [
    "MATERIALITY",
    "SCAN_ASSUMPTIONS",
    "SCAN_LEVELS",
    "SCAN_REPLICATIONS",
    "Recommendation",
    "assumptions_for",
    "decide",
    "pdf_pages",
    "recommend",
    "typst_pdf",
    "typst_string",
]

#: Default materiality threshold, as a share of the baseline's mean NPV (stated assumption).
#: A change of policy costs money the model does not book (training, systems, the risk of
#: doing it badly), and the model's unsourced assumptions move NPV differences by more than
#: this (each case's robustness scan): a gain under 1% of NPV is not worth acting on.
MATERIALITY = 0.01
#: Assumptions scanned at most by default (the first that apply; the rest are named).
SCAN_ASSUMPTIONS = 3
#: Evenly spaced levels of each assumption's range in the scan (the market's value is added).
SCAN_LEVELS = 3
#: Paired replications per level of the scan.
SCAN_REPLICATIONS = 10

#: Assumptions for dimensions no case of the library changes (the caprices dimension): a
#: range declared here, or the name of a parameter whose range a case declares.
_EXTRA_ASSUMPTIONS: dict[str, tuple[Assumption | str, ...]] = {
    "caprices": (
        Assumption(
            "effect_caprice_refused",
            -0.2,
            0.0,
            "from a polite refusal that costs no satisfaction to four times the default; "
            "story 3 says a professional refusal is accepted, not how well",
        ),
        "caprice_cost_usd",
    ),
}

#: How a challenger reads against the baseline (:func:`decide`).
_VERDICTS = {
    "adopt": "adopt: better beyond the noise and material",
    "immaterial": "better, but below materiality",
    "noise": "within the noise",
    "worse": "worse beyond the noise",
}


def decide(difference: float, low: float, high: float, threshold_usd: float) -> str:
    """How a challenger reads against the baseline: the one rule of every recommendation.

    Args:
        difference: Mean paired NPV difference, challenger minus baseline (USD).
        low: Lower bound of its 95% CI (USD).
        high: Upper bound of its 95% CI (USD).
        threshold_usd: The materiality threshold (USD).

    Returns:
        ``"adopt"`` (CI above 0 and the mean at least the threshold),
        ``"immaterial"`` (CI above 0, mean below the threshold), ``"worse"``
        (CI below 0) or ``"noise"`` (the CI contains 0, or cannot be computed).

    Example:
        >>> decide(12_000, 9_000, 15_000, 8_000), decide(5_000, 1_000, 9_000, 8_000)
        ('adopt', 'immaterial')
        >>> decide(12_000, -1_000, 25_000, 8_000), decide(-9_000, -12_000, -6_000, 8_000)
        ('noise', 'worse')
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return "noise"
    if low > 0:
        return "adopt" if difference >= threshold_usd else "immaterial"
    return "worse" if high < 0 else "noise"


def _changed_dimensions(policy: Policy, baseline: Policy) -> set[str]:
    """The dimensions whose rule differs between two policies."""
    base = baseline.rules
    return {name for name, rule in policy.rules.items() if rule != base.get(name)}


def assumptions_for(policy: Policy, baseline: Policy) -> list[Assumption]:
    """The declared assumptions that may decide ``policy`` against ``baseline``.

    Those of every case of the library that changes one of the dimensions
    the two policies differ in, then those named here for dimensions no case
    changes, each parameter once, in library order.

    Example:
        >>> from loyaltysim.policies import Policy
        >>> base = Policy.preset("always_compensate")
        >>> [a.name for a in assumptions_for(Policy.preset("refuse_caprices"), base)]
        ['effect_caprice_refused', 'caprice_cost_usd']
    """
    dimensions = _changed_dimensions(policy, baseline)
    library = {a.name: a for case in CASES.values() for a in case.assumptions}
    found: dict[str, Assumption] = {}
    for case in CASES.values():
        changed = set().union(*(_changed_dimensions(p, case.policies[0]) for p in case.policies))
        if changed & dimensions:
            for assumption in case.assumptions:
                found.setdefault(assumption.name, assumption)
    for dimension in sorted(dimensions):
        for extra in _EXTRA_ASSUMPTIONS.get(dimension, ()):
            assumption = library[extra] if isinstance(extra, str) else extra
            found.setdefault(assumption.name, assumption)
    return list(found.values())


@dataclass(frozen=True)
class Recommendation:
    """A comparison read for a client: what to do, how sure, and what would change it.

    Attributes:
        comparison: The paired comparison (the first policy is the baseline).
        threshold_usd: The materiality threshold (USD).
        materiality: How the threshold was set, in words (``"1% of the
            baseline's NPV"``).
        robustness: The scan of the assumptions (``None`` when none applies
            or the scan was switched off).
        not_scanned: Assumptions that apply but were not scanned (the cap).
        market: What the market is, in words (a file name, "the default market").
        command: The command that reproduces the report.
    """

    comparison: Comparison
    threshold_usd: float
    materiality: str
    robustness: Robustness | None = field(default=None, repr=False)
    not_scanned: tuple[str, ...] = ()
    market: str = "the default market"
    command: str = ""

    # --- the decision -------------------------------------------------------------------
    @property
    def baseline(self) -> str:
        """The baseline policy (the first compared)."""
        return self.comparison.policies[0]

    def differences(self) -> pd.DataFrame:
        """Each challenger against the baseline, with its reading.

        Returns:
            One row per challenger (index ``policy``): ``npv_usd`` (its mean
            NPV), ``difference``, ``low``, ``high`` (paired NPV difference and
            its 95% CI, USD), ``share`` (difference over the baseline's mean
            NPV) and ``verdict`` (:func:`decide`).
        """
        paired = self.comparison.paired(self.baseline).drop(self.baseline)
        npv = self.comparison.table(["npv_usd"])["npv_usd"]
        base = float(npv[self.baseline])
        table = paired[["difference", "low", "high"]].copy()
        table.insert(0, "npv_usd", npv.drop(self.baseline))
        table["share"] = table["difference"] / abs(base) if base else np.nan
        table["verdict"] = self._readings(table)
        return table

    def _readings(self, table: pd.DataFrame) -> list[str]:
        """:func:`decide` on each row of a table of paired differences (this threshold)."""
        columns = [table[c].to_numpy(dtype=float) for c in ("difference", "low", "high")]
        return [decide(d, lo, hi, self.threshold_usd) for d, lo, hi in zip(*columns, strict=True)]

    @property
    def subject(self) -> str:
        """The challenger the answer turns on: the recommended one, else the best by mean NPV."""
        table = self.differences()
        adopt = table[table["verdict"] == "adopt"]
        return str((adopt if not adopt.empty else table)["difference"].idxmax())

    @property
    def recommended(self) -> str:
        """The policy to run: the best challenger worth adopting, else the baseline."""
        table = self.differences()
        return self.subject if (table["verdict"] == "adopt").any() else self.baseline

    def sentence(self) -> str:
        """The recommendation in one sentence."""
        table = self.differences()
        columns = ["difference", "low", "high"]
        row = table.loc[[self.subject], columns].to_numpy(dtype=float)[0]
        difference, low, high = (float(x) for x in row)
        verdict = decide(difference, low, high, self.threshold_usd)
        amount = _usd(difference, sign=True)
        ci = f"95% CI {_usd(low, sign=True)} to {_usd(high, sign=True)}"
        threshold = f"the materiality threshold of {_usd(self.threshold_usd)} USD"
        horizon = f"over {self.comparison.scenario.horizon_months} months"
        if self.recommended != self.baseline:
            return (
                f"Adopt {self.subject}: {horizon} its NPV exceeds {self.baseline}'s by "
                f"{amount} USD ({ci}), above {threshold}."
            )
        why = {
            "immaterial": f"the best challenger, {self.subject}, earns {amount} USD ({ci}), "
            f"beyond the noise but below {threshold}",
            "noise": f"the best challenger, {self.subject}, differs by {amount} USD ({ci}), "
            "within the noise",
            "worse": f"every challenger earns less; the closest, {self.subject}, "
            f"{amount} USD ({ci})",
        }[verdict]
        return f"No change recommended: keep {self.baseline}; {why} ({horizon})."

    # --- what would change it -----------------------------------------------------------
    def scan(self) -> pd.DataFrame:
        """The scan read with the same rule: at each level, would the answer change?

        Returns:
            One row per assumption and level (empty without a scan): the
            columns of :meth:`loyaltysim.cases.Robustness.table`, plus
            ``verdict`` (:func:`decide` at that level, same threshold) and
            ``changes`` (the answer at that level differs from the market's).
        """
        if self.robustness is None:
            return pd.DataFrame()
        table = self.robustness.table()
        table["verdict"] = self._readings(table)
        adopt_here = self.recommended != self.baseline
        table["changes"] = (table["verdict"] == "adopt") != adopt_here
        return table

    def changers(self) -> list[str]:
        """One sentence per scanned assumption: the values where the answer changes, or none."""
        scan = self.scan()
        out = []
        for name, rows in scan.groupby("assumption", sort=False):
            market = rows[rows["market"]].iloc[0]["level"]
            span = f"{_value(rows['level'].min())} to {_value(rows['level'].max())}"
            flips = rows[rows["changes"]]
            if flips.empty:
                out.append(
                    f"{name} (market {_value(market)}): the answer holds at every tested value "
                    f"({span})."
                )
                continue
            where = "; ".join(
                f"{_value(level)} ({self.subject} {_VERDICTS[str(verdict)].split(':')[0]}, "
                f"{_usd(float(difference), sign=True)} USD)"
                for level, verdict, difference in zip(
                    flips["level"], flips["verdict"], flips["difference"], strict=True
                )
            )
            out.append(
                f"{name} (market {_value(market)}; scanned {span}): the answer changes at {where}."
            )
        return out

    def scan_design(self) -> str:
        """What the scan ran, in words (or why there is none)."""
        if self.robustness is None:
            return (
                "No declared assumption applies to the policies compared: none was scanned "
                "(`loyaltysim params` lists each parameter's source)."
            )
        r = self.robustness
        names = ", ".join(a.name for a in r.case.assumptions)
        text = (
            f"{self.subject} against {self.baseline}, each of {names} alone over its plausible "
            f"range ({r.levels} levels and the market's value, {r.replications} paired "
            f"replications per level, seed {r.seed['entropy']})"
        )
        if self.not_scanned:
            text += "; not scanned: " + ", ".join(self.not_scanned)
        return text + "."

    # --- the documents ------------------------------------------------------------------
    def facts(self) -> list[tuple[str, str]]:
        """The setting, as (label, text) rows of the report."""
        c = self.comparison
        s = c.scenario
        v = c.versions
        return [
            ("Market", f"{self.market}: {s.n_customers:,} people, {s.horizon_months} months"),
            ("Baseline", self.baseline),
            ("Materiality", f"{_usd(self.threshold_usd)} ({self.materiality})"),
            ("Replications", f"{c.replications} paired (common random numbers)"),
            ("Seed", str(c.seed["entropy"])),
            ("Versions", ", ".join(f"{k} {val}" for k, val in v.items())),
        ]

    def figure(self) -> Figure:
        """The forest plot: each challenger's paired NPV difference with its 95% CI.

        The shaded band is the materiality threshold around 0.
        """
        table = self.differences()
        names = list(table.index)
        fig = Figure(figsize=(7.0, 0.45 * len(names) + 1.1), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(names))[::-1]
        diff = table["difference"].to_numpy()
        err = np.nan_to_num(np.vstack([diff - table["low"], table["high"] - diff]))
        ax.axvspan(-self.threshold_usd, self.threshold_usd, color="0.9", label="materiality")
        ax.axvline(0, color="0.3", linewidth=1)
        for yi, d, e, verdict in zip(y, diff, err.T, table["verdict"], strict=True):
            color = {"adopt": "C2", "worse": "C3"}.get(verdict, "0.35")
            ax.errorbar(d, yi, xerr=e[:, None], fmt="o", color=color, capsize=4)
        ax.set_yticks(y, names)
        ax.set_ylim(-0.6, len(names) - 0.4)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_number(x, ",.0f")))
        ax.set_xlabel(f"NPV difference vs {self.baseline} (USD), mean and 95% CI")
        ax.grid(axis="x", alpha=0.3)
        ax.legend(loc="best", fontsize="small", frameon=False)
        return fig

    def svg(self) -> str:
        """The forest plot as SVG text (no date stamped in it)."""
        buffer = io.StringIO()
        self.figure().savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()

    def _rows(self) -> list[list[str]]:
        """The differences table as text cells (header first)."""
        rows = [["policy", "NPV (USD)", "vs baseline (USD)", "95% CI", "of NPV", "reading"]]
        npv = self.comparison.table(["npv_usd"])["npv_usd"]
        rows.append([self.baseline, _usd(npv[self.baseline]), "baseline", "", "", ""])
        for name, r in self.differences().iterrows():
            rows.append(
                [
                    str(name),
                    _usd(r["npv_usd"]),
                    _usd(r["difference"], sign=True),
                    f"{_usd(r['low'], sign=True)} to {_usd(r['high'], sign=True)}",
                    format_number(100 * r["share"], ".2f", sign=True) + "%",
                    _VERDICTS[str(r["verdict"])],
                ]
            )
        return rows

    def _reproduce(self) -> str:
        """The command (or Python call) that reproduces the report."""
        if self.command:
            return self.command
        policies = ", ".join(repr(p) for p in self.comparison.policies)
        return (
            f"loyaltysim.recommend.recommend(scenario, [{policies}], replications="
            f"{self.comparison.replications}, rng={self.comparison.seed['entropy']})"
        )

    def html(self) -> str:
        """The one-page report as a self-contained HTML page (the figure inline as SVG)."""
        e = html.escape
        rows = self._rows()
        head = "".join(f"<th>{e(c)}</th>" for c in rows[0])
        body = "".join(
            "<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>\n" for row in rows[1:]
        )
        facts = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in self.facts())
        changers = "".join(f"<li>{e(s)}</li>" for s in self.changers())
        svg = self.svg()
        svg = svg[svg.index("<svg") :]
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Recommendation: {e(self.market)}</title>
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; max-width: 60em; margin: 1.5em auto;
  padding: 0 1em; color: #111; }}
h1 {{ font-size: 1.4em; margin-bottom: .2em; }} h2 {{ font-size: 1.1em; margin: 1em 0 .3em; }}
p.answer {{ font-size: 1.15em; font-weight: 600; }}
table {{ border-collapse: collapse; }} td, th {{ padding: .15em .6em; text-align: left; }}
table.diff td:nth-child(n+2):nth-child(-n+5) {{ text-align: right; }}
table.diff tr {{ border-bottom: 1px solid #ddd; }}
svg {{ max-width: 100%; height: auto; }} code {{ font-size: .9em; }}
</style></head><body>
<h1>Recommendation: {e(self.market)}</h1>
<p class="answer">{e(self.sentence())}</p>
<table class="facts">{facts}</table>
<h2>Paired NPV differences against {e(self.baseline)}</h2>
<table class="diff"><tr>{head}</tr>
{body}</table>
<figure>{svg}</figure>
<h2>Assumptions that would change the answer</h2>
<p>{e(self.scan_design())}</p>
<ul>{changers}</ul>
<h2>Reproduce</h2>
<p><code>{e(self._reproduce())}</code></p>
</body></html>
"""

    def typst(self, figure: str = "forest.svg") -> str:
        """The one-page report as Typst source, the figure read from the file ``figure``."""
        s = typst_string
        rows = self._rows()
        cells = ", ".join(s(c) for row in rows for c in row)
        facts = ", ".join(f"strong({s(k)}), {s(v)}" for k, v in self.facts())
        changers = "\n".join(f"- #{s(line)}" for line in self.changers())
        return f"""#set page(paper: "a4", margin: 1.6cm)
#set text(font: "Libertinus Serif", size: 9.5pt)
#set par(justify: false)
#show heading: set text(size: 11pt)
#text(size: 15pt, weight: "bold")[Recommendation: #{s(self.market)}]

#text(size: 11pt, weight: "bold")[#{s(self.sentence())}]

#table(columns: 2, stroke: none, inset: 2pt, {facts})

== Paired NPV differences against #{s(self.baseline)}
#table(columns: 6, stroke: (x: none, y: 0.4pt + gray), inset: 3pt,
  align: (left, right, right, right, right, left), {cells})
#image({s(figure)}, width: 80%)

== Assumptions that would change the answer
#{s(self.scan_design())}
{changers}

== Reproduce
#raw({s(self._reproduce())})
"""

    def write_html(self, path: str | Path) -> None:
        """Write :meth:`html` to ``path`` (whole or not at all)."""
        text = self.html()
        write_atomic(path, lambda p: Path(p).write_text(text, encoding="utf-8"))

    def write_pdf(self, path: str | Path) -> None:
        """Compile :meth:`typst` to a PDF at ``path`` (whole or not at all).

        Raises:
            OutputError: The ``typst`` package is missing, or the PDF cannot be written.
        """
        with tempfile.TemporaryDirectory(prefix="loyaltysim-report-") as folder:
            Path(folder, "forest.svg").write_text(self.svg(), encoding="utf-8")
            source = Path(folder, "report.typ")
            source.write_text(self.typst("forest.svg"), encoding="utf-8")
            typst_pdf(source, path)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the decision, the differences, the scan, the comparison."""

        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {str(k): json_number(v) for k, v in row.items()}
                for row in frame.reset_index().to_dict("records")
            ]

        return {
            "recommended": self.recommended,
            "sentence": self.sentence(),
            "baseline": self.baseline,
            "threshold_usd": self.threshold_usd,
            "materiality": self.materiality,
            "market": self.market,
            "differences": records(self.differences()),
            "scan_design": self.scan_design(),
            "scan": records(self.scan()),
            "changers": self.changers(),
            "command": self._reproduce(),
            "comparison": self.comparison.to_dict(),
        }


def recommend(
    scenario: Scenario | None = None,
    policies: Sequence[Policy | str] = NAMED_POLICIES,
    *,
    baseline: str | None = None,
    materiality: float = MATERIALITY,
    materiality_usd: float | None = None,
    replications: int = 20,
    rng: int = 2026,
    levels: int = SCAN_LEVELS,
    scan_replications: int = SCAN_REPLICATIONS,
    max_assumptions: int = SCAN_ASSUMPTIONS,
    workers: int | None = None,
    progress: bool = False,
    max_runs: int = MAX_RUNS,
    market: str = "the default market",
    command: str = "",
) -> Recommendation:
    """Compare the policies, decide against the materiality threshold, scan what could change it.

    Args:
        scenario: The market (default: the default market).
        policies: Candidate policies or preset names.
        baseline: The policy the client runs today (default: the first).
        materiality: The threshold as a share of the baseline's mean NPV
            (default :data:`MATERIALITY`); ignored when ``materiality_usd`` is given.
        materiality_usd: The threshold in USD.
        replications: Paired replications of the comparison.
        rng: Root seed of the comparison and of the scan.
        levels: Levels of each assumption's range in the scan (at least 2).
        scan_replications: Paired replications per level of the scan (0: no scan).
        max_assumptions: The most assumptions scanned (the others are named).
        workers: Worker processes (default: this process).
        progress: Show progress bars.
        max_runs: The most runs of the comparison (see :func:`~loyaltysim.compare`).
        market: What the market is, in words, for the report.
        command: The command that reproduces the report (shown in it).

    Raises:
        ParameterError: A bad threshold, count, baseline, or fewer than two policies.
    """
    scenario = scenario if scenario is not None else Scenario()
    resolved = [resolve_policy(p) for p in policies]
    names = [p.name for p in resolved]
    if len(resolved) < 2:
        raise ParameterError("policies", names, "a baseline and at least one other policy")
    base_name = baseline if baseline is not None else names[0]
    if base_name not in names:
        raise ParameterError("baseline", base_name, "one of the policies: " + ", ".join(names))
    if not (0 <= materiality < 1):
        raise ParameterError("materiality", materiality, "a share of the baseline's NPV in [0, 1)")
    if materiality_usd is not None and not (
        math.isfinite(materiality_usd) and materiality_usd >= 0
    ):
        raise ParameterError("materiality_usd", materiality_usd, "an amount in USD >= 0")
    levels = whole_number("levels", levels, minimum=2)
    scan_replications = whole_number("scan_replications", scan_replications, minimum=0)
    max_assumptions = whole_number("max_assumptions", max_assumptions, minimum=0)
    ordered = sorted(resolved, key=lambda p: p.name != base_name)  # the baseline first
    comparison = compare(
        scenario,
        ordered,
        replications=replications,
        rng=rng,
        progress=progress,
        workers=workers,
        max_runs=max_runs,
    )
    base_npv = float(comparison.table(["npv_usd"])["npv_usd"][base_name])
    if materiality_usd is not None:
        threshold, how = float(materiality_usd), "set in USD"
    else:
        threshold = materiality * abs(base_npv)
        how = f"{format_number(100 * materiality)}% of the baseline's NPV"
    advice = Recommendation(comparison, threshold, how, market=market, command=command)
    by_name = {p.name: p for p in ordered}
    subject = by_name[advice.subject]
    candidates = assumptions_for(subject, by_name[base_name])
    chosen = candidates[:max_assumptions] if scan_replications else []
    if not chosen:
        return advice
    case = Case(
        name="recommend",
        title=f"{subject.name} against {base_name}",
        story="the client's question",
        question=f"Does {subject.name} earn more than {base_name}?",
        changes=scenario.changes(),
        policies=(by_name[base_name], subject),
        story_answer=subject.name,
        story_says="",
        mechanism="",
        replications=scan_replications,
        assumptions=tuple(chosen),
    )
    scan = case.robustness(
        levels=levels,
        replications=scan_replications,
        rng=rng,
        scenario=scenario,
        workers=workers,
        progress=progress,
    )
    return Recommendation(
        comparison,
        threshold,
        how,
        robustness=scan,
        not_scanned=tuple(a.name for a in candidates[len(chosen) :]),
        market=market,
        command=command,
    )


# --- Typst: the PDF -----------------------------------------------------------------------
def typst_string(text: str) -> str:
    r"""``text`` as a Typst string literal: in markup, ``#"..."`` shows it verbatim.

    Example:
        >>> typst_string('say "hi" #now')
        '"say \\"hi\\" #now"'
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def typst_pdf(source: str | Path, path: str | Path) -> None:
    """Compile a Typst file to a PDF at ``path``, offline and reproducibly, whole or not at all.

    The ``typst`` wheel compiles with its own embedded fonts (system fonts are
    ignored, so the PDF does not depend on the machine) and a fixed timestamp.

    Raises:
        OutputError: The ``typst`` package is missing (install the report
            extra), the source does not compile, or the PDF cannot be written.
    """
    try:
        import typst
    except ImportError:
        raise OutputError(
            f"cannot write {path}: a PDF needs the typst package (pip install 'loyaltysim[report]')"
        ) from None

    try:
        data = typst.compile(str(source), ignore_system_fonts=True, timestamp=0)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OutputError(f"cannot write {path}: typst: {first}") from None
    write_atomic(path, lambda tmp: Path(tmp).write_bytes(data))


def pdf_pages(data: bytes) -> int:
    """The number of pages of a PDF (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", data))


def _usd(value: float, sign: bool = False) -> str:
    """An amount in USD with thousands separators (``+12,345``)."""
    return format_number(value, ",.0f", sign=sign)


def _value(value: Any) -> str:
    """A parameter value in a sentence."""
    return format_number(float(value) if isinstance(value, np.floating) else value)
