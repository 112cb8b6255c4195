"""The lever search study: does Optuna's search for the claims threshold find the break-even?

The search of ``examples/searches/threshold.toml`` runs in the one-month market
where the best threshold is known in closed form (papers/odd.md section 7.4):
the study reports the threshold the search finds against that break-even, the
NPV it gives up there (paired, on the search's own replication seeds), and
draws the best threshold so far trial by trial.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from loyaltysim.evidence.closed_forms import one_claim_break_even
from loyaltysim.search import Search, SearchResult, replications, search
from loyaltysim.style import styled
from paper.formatting import num, signed
from paper.study import ROOT, WORKERS, Output, Study, quiet

#: The search file: the claims threshold in the one-month market.
THRESHOLD_SEARCH = ROOT / "examples" / "searches" / "threshold.toml"
#: The lever the study follows.
LEVER = "claims_threshold_usd"


def make(workers: int = WORKERS, log: Callable[[str], None] = quiet) -> Output:
    """Run the threshold search and set what it finds beside the closed-form break-even."""
    definition = Search.from_toml(THRESHOLD_SEARCH)
    log(f"    {definition.describe()}")
    with tempfile.TemporaryDirectory(prefix="paper_lever_search_") as folder:
        result = search(definition, folder, workers=workers)
    log(f"    {result}")
    exact = one_claim_break_even(definition.market())
    best = float(result.best.iloc[0][LEVER])
    found = replications(definition, result.policies()[0], workers=workers)["npv_usd"]
    closed = replications(
        definition,
        definition.candidate({LEVER: exact}, name="closed_form"),
        workers=workers,
    )["npv_usd"]
    gap = found.to_numpy() - closed.to_numpy()
    market = definition.market()
    values = {
        "search_design": (
            f"{definition.trials} candidates × {definition.replications} paired replications "
            f"by TPE (seed {definition.seed}); N = {market.n_customers:,} people, "
            f"{market.horizon_months} month"
        ),
        "search_break_even": num(exact, ",.2f"),
        "search_best": (
            f"{num(best, ',.2f')} USD ({signed(100 * (best / exact - 1), ',.1f')}%), "
            f"first reached at candidate {_first_best(result) + 1}"
        ),
        "search_gap": (
            f"{signed(float(gap.mean()))} USD on an NPV of {num(float(closed.mean()))} USD"
        ),
    }
    return Output(values=values, figures={"lever_search": _figure(result, exact)})


def _first_best(result: SearchResult) -> int:
    """The trial number of the best candidate."""
    return int(result.best.iloc[0]["trial"])


@styled
def _figure(result: SearchResult, exact: float) -> Figure:
    """Each candidate's threshold and the best so far, trial by trial; the break-even dashed."""
    trials = result.trials[result.trials["state"] == "complete"].sort_values("trial")
    objective = result.search.objectives[0].name
    best_so_far = trials.loc[_running_best(trials[objective]), LEVER].to_numpy()
    fig = Figure(figsize=(8, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    number = trials["trial"].to_numpy() + 1
    left.scatter(number, trials[LEVER], s=16, color="tab:blue", alpha=0.6, label="candidate")
    left.step(number, best_so_far, where="post", color="tab:green", label="best so far")
    left.axhline(exact, color="black", linestyle="--", linewidth=1, label="break-even A*")
    left.set_yscale("log")
    left.set_xlabel("candidate")
    left.set_ylabel("claims threshold (USD)")
    left.legend(fontsize="small")
    right.scatter(trials[LEVER], trials[objective] / 1e3, s=16, color="tab:blue", alpha=0.6)
    right.axvline(exact, color="black", linestyle="--", linewidth=1)
    right.set_xscale("log")
    right.set_xlabel("claims threshold (USD)")
    right.set_ylabel("mean NPV (thousand USD)")
    return fig


def _running_best(values: pd.Series) -> list[int]:
    """For each position, the index of the largest value up to it (the first on a tie)."""
    array = values.to_numpy()
    running = np.maximum.accumulate(array)
    return [values.index[int(np.argmax(array[: i + 1] == r))] for i, r in enumerate(running)]


STUDY = Study(
    "lever_search",
    f"search {THRESHOLD_SEARCH.name}",
    make,
    values=("search_design", "search_break_even", "search_best", "search_gap"),
    figures=("lever_search",),
)
