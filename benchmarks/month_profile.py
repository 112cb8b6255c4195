"""Where a small market's month goes: the fixed cost per month, submodel by submodel.

Run: ``python benchmarks/month_profile.py [--runs 50 --customers 1000 --months 36]
[--batch-sizes 5 10 25 50] [--rounds 3]``; ``benchmarks/batching.md`` reads its output.

Many small markets (a comparison's 80 runs, a sweep, a fit) are run one after
another, and at N = 1,000 a month's cost is mostly fixed: the Python and
NumPy calls of the schedule, not the arithmetic. This measures, on the
default market under ``--policy``, in each of ``--rounds`` rounds:

- **one by one**: ``--runs`` runs of N = ``--customers`` for ``--months``
  months, each built and run alone (seeds 0, 1, ...): customer-months per
  second in aggregate;
- **profile**: the same runs again, each right after its plain twin (so that
  both see the same load), with a timer around every submodel of
  :meth:`~loyaltysim.model.LoyaltyModel.step`, the month's uniform block
  (:class:`~loyaltysim.seeding.MonthlyDraws`), the month's working arrays
  (:class:`~loyaltysim.month.Month`), and, nested in the submodels, the
  policy's rules (``decide``) and the network's two calls; microseconds per
  market-month;
- **per-market residue**: what a batch whose markets draw exactly what they
  draw alone must still do once per market and month: seed the month's
  stream and draw its uniform block, and the seven draws whose size depends on
  the month (claim values, word of mouth's two samples of contacts and two of
  public readers, the two tips), seeding and drawing timed apart;
- **batch ceiling**: for each batch size B of ``--batch-sizes``, one market
  of N = ``B x customers`` people for the same months:
  the rate the same arithmetic reaches when the calls are paid once for all
  the people of B markets; with the residue of B markets added, the ceiling
  of a batch that concatenates B markets' arrays (builds apart);
- **summation**: whether per-market totals computed over a concatenation
  (``np.add.reduceat``, ``np.bincount`` weights, row sums of a reshape) are
  bit-identical to each market's own ``sum()``.

The printout gives medians of the rounds (a batch's gain over each round's
own one-by-one runs). Results go to ``--json`` (default
``results/month_profile.json``). Not a test:
nothing here asserts a speed; timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from loyaltysim import LoyaltyModel, Scenario
from loyaltysim import model as model_module
from loyaltysim.network import GraphNetwork
from loyaltysim.seeding import EVENTS, Draw, stream
from loyaltysim.simulation import versions
from loyaltysim.submodels import (
    acquisition,
    churn,
    claims,
    ledger,
    listening,
    outreach,
    pruning,
    purchases,
    recovery,
    requests,
    satisfaction,
    word_of_mouth,
)

#: The step's calls, in schedule order: (label, module, function name).
STEP_CALLS: tuple[tuple[str, Any, str], ...] = (
    ("month: uniform block", model_module, "MonthlyDraws"),
    ("month: working arrays", model_module, "Month"),
    ("outreach", outreach, "reach_out"),
    ("acquisition", acquisition, "acquire"),
    ("purchases", purchases, "purchase"),
    ("claims: filing", claims, "file_claims"),
    ("requests: haggling", requests, "haggle"),
    ("requests: caprices", requests, "caprices"),
    ("claims: answers", claims, "answer_claims"),
    ("recovery", recovery, "recover"),
    ("claims: settling", claims, "settle_claims"),
    ("listening", listening, "listen"),
    ("pruning", pruning, "prune"),
    ("satisfaction", satisfaction, "update_satisfaction"),
    ("word of mouth", word_of_mouth, "spread"),
    ("churn", churn, "churn"),
    ("ledger", ledger, "close_month"),
)
#: Calls nested in the submodels, timed apart: (label, owner, attribute).
NESTED_CALLS: tuple[tuple[str, Any, str], ...] = (
    *(
        ("of which: rules (decide)", module, "decide")
        for module in (outreach, acquisition, claims, requests, recovery, listening, pruning)
    ),
    ("of which: network customer_share", GraphNetwork, "customer_share"),
    ("of which: network sample_contacts", GraphNetwork, "sample_contacts"),
)


def timed(function: Callable[..., Any], label: str, spent: dict[str, float]) -> Callable[..., Any]:
    """``function``, adding the seconds each call takes to ``spent[label]``."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.perf_counter() - start

    return wrapper


@contextlib.contextmanager
def profiled(spent: dict[str, float]) -> Iterator[None]:
    """Time every call of :data:`STEP_CALLS` and :data:`NESTED_CALLS` while inside."""
    saved = []
    for label, owner, name in STEP_CALLS + NESTED_CALLS:
        original = owner.__dict__[name]
        saved.append((owner, name, original))
        setattr(owner, name, timed(original, label, spent))
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


def one_run(scenario: Scenario, policy: str, seed: int) -> tuple[float, float]:
    """Build and run one market; return (build seconds, run seconds)."""
    start = time.perf_counter()
    model = LoyaltyModel(scenario, policy, rng=seed, inspect_agents=False)
    built = time.perf_counter()
    model.run_for(scenario.horizon_months)
    return built - start, time.perf_counter() - built


def residue_per_market_month(customers: int, months: int, markets: int) -> tuple[float, float]:
    """Seconds a batch must still spend per market and month on the market's own draws.

    Returns:
        The seconds to seed the month's stream (a SeedSequence and its
        Generator), and those of its draws: the uniform block, then seven
        small draws of about the sizes a month of the default market asks for
        (claim values, two samples of contacts and two of public readers, two
        tips).
    """
    seed = np.random.SeedSequence(0)
    seeding = drawing = 0.0
    for market in range(markets):
        for t in range(1, months + 1):
            start = time.perf_counter()
            rng = np.random.default_rng(stream(seed, market, EVENTS, t))
            seeded = time.perf_counter()
            rng.random((Draw.COUNT, customers), dtype=np.float32)
            rng.lognormal(0.0, 1.0, size=customers // 50)
            rng.random(customers // 10)
            rng.integers(0, customers, size=customers // 100)
            rng.random(customers // 50)
            rng.integers(0, customers, size=customers // 200)
            rng.random(customers // 100)
            rng.random(customers // 100)
            seeding += seeded - start
            drawing += time.perf_counter() - seeded
    return seeding / (markets * months), drawing / (markets * months)


def summation_check(markets: int = 8, trials: int = 200) -> dict[str, int]:
    """Trials (of ``trials``) in which a per-market total differs from the market's own sum.

    A market run alone books ``values.sum()`` (NumPy's pairwise summation);
    a batch must book the same bits. For ``markets`` markets of random sizes
    (1 to 20,000 entries; ``reduceat`` gives no zero for an empty market),
    this compares each market's own sum with ``np.add.reduceat`` and ``np.bincount``
    weights over the concatenation, and, for equal-size markets, with row
    sums of the ``(markets, size)`` reshape.
    """
    rng = np.random.default_rng(0)
    mismatches = {"reduceat": 0, "bincount": 0, "row sums, equal sizes": 0}
    for _ in range(trials):
        sizes = rng.integers(1, 20_000, size=markets)
        values = rng.random(sizes.sum()) * 100.0
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        own = np.array([values[a : a + k].sum() for a, k in zip(starts, sizes, strict=True)])
        by_reduceat = np.add.reduceat(values, starts)
        by_bincount = np.bincount(np.repeat(np.arange(markets), sizes), weights=values)
        mismatches["reduceat"] += bool(np.any(by_reduceat != own))
        mismatches["bincount"] += bool(np.any(by_bincount != own))
        equal = rng.random((markets, int(sizes[0]))) * 100.0
        rows = np.array([row.sum() for row in equal])
        mismatches["row sums, equal sizes"] += bool(np.any(equal.sum(axis=1) != rows))
    return mismatches


def measure_round(
    scenario: Scenario, args: argparse.Namespace, seed: int, spent: dict[str, float]
) -> dict[str, Any]:
    """One round: the runs one by one (plain and profiled), the residue, the large markets.

    Adds the profiled calls' seconds to ``spent``; returns the round's
    seconds and rates (customer-months per second).
    """
    plain_build = plain_run = profiled_run = 0.0
    for run in range(args.runs):  # plain and profiled runs interleaved: the same load
        build, seconds = one_run(scenario, args.policy, seed * args.runs + run)
        plain_build, plain_run = plain_build + build, plain_run + seconds
        with profiled(spent):
            profiled_run += one_run(scenario, args.policy, seed * args.runs + run)[1]
    seeding, drawing = residue_per_market_month(args.customers, args.months, args.runs)
    cells = args.runs * args.customers * args.months
    result: dict[str, Any] = {
        "build_s": plain_build,
        "run_s": plain_run,
        "profiled_run_s": profiled_run,
        "seeding_s": seeding,
        "drawing_s": drawing,
        "one_by_one": cells / (plain_build + plain_run),
        "one_by_one_run_only": cells / plain_run,
    }
    for size in args.batch_sizes:
        large = Scenario(n_customers=size * args.customers, horizon_months=args.months)
        seconds = one_run(large, args.policy, seed)[1]
        batch_cells = size * args.customers * args.months
        result[f"one_market_{size}"] = batch_cells / seconds
        result[f"ceiling_{size}"] = batch_cells / (
            seconds + (seeding + drawing) * size * args.months
        )
        result[f"gain_{size}"] = result[f"ceiling_{size}"] / result["one_by_one_run_only"]
    return result


def main() -> None:
    """Measure, print the profile and the batch ceilings, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--policy", default="verify_first")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[5, 10, 25, 50])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", default="results/month_profile.json")
    args = parser.parse_args()
    scenario = Scenario(n_customers=args.customers, horizon_months=args.months)
    one_run(scenario, args.policy, 0)  # warm-up: imports, caches
    spent: dict[str, float] = defaultdict(float)
    rounds = [measure_round(scenario, args, seed, spent) for seed in range(args.rounds)]
    median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    market_months = args.rounds * args.runs * args.months
    profiled_run = sum(r["profiled_run_s"] for r in rounds)

    def us(seconds: float) -> float:
        return 1e6 * seconds / market_months

    print(
        f"{args.runs} runs of N = {args.customers:,} x {args.months} months, policy "
        f"{args.policy}, one by one (medians of {args.rounds} rounds): "
        f"{median['one_by_one'] / 1e6:.2f} M customer-months/s with the builds, "
        f"{median['one_by_one_run_only'] / 1e6:.2f} M/s runs only"
    )
    print(f"\n{'per market-month, profiled runs':<36} {'us':>7} {'share':>6}")
    for label in dict.fromkeys(label for label, _, _ in STEP_CALLS + NESTED_CALLS):
        print(f"{label:<36} {us(spent[label]):>7.1f} {spent[label] / profiled_run:>6.0%}")
    rest = profiled_run - sum(spent[label] for label, _, _ in STEP_CALLS)
    print(f"{'the rest (step, Mesa, timers)':<36} {us(rest):>7.1f} {rest / profiled_run:>6.0%}")
    print(f"{'month, profiled':<36} {us(profiled_run):>7.1f}")
    print(
        f"{'month, plain (median round)':<36} "
        f"{1e6 * median['run_s'] / (args.runs * args.months):>7.1f}"
    )
    print(
        f"\nper-market residue of a bit-identical batch: "
        f"{1e6 * (median['seeding_s'] + median['drawing_s']):.1f} us per market-month "
        f"({1e6 * median['seeding_s']:.1f} seeding the month's stream, "
        f"{1e6 * median['drawing_s']:.1f} drawing)"
    )
    print(
        f"\n{'batch of B markets':<20} {'one market of B x N':>20} {'batch ceiling':>14} "
        f"{'over one by one':>16}"
    )
    for size in args.batch_sizes:
        print(
            f"{size:<20} {median[f'one_market_{size}'] / 1e6:>16.2f} M/s "
            f"{median[f'ceiling_{size}'] / 1e6:>10.2f} M/s {median[f'gain_{size}']:>15.1f}x"
        )
    print(
        "(customer-months per second, runs only, builds apart; medians of the rounds, each "
        "round's gain over its own one-by-one runs)"
    )
    sums = summation_check()
    print(
        "\nper-market float totals that differ from the market's own sum, in 200 trials of 8 "
        "markets: " + ", ".join(f"{way} {count}" for way, count in sums.items())
    )
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "meta": {"versions": versions(), "cpu_count": os.cpu_count(), **vars(args)},
        "medians": median,
        "profile_us_per_market_month": {label: us(s) for label, s in spent.items()},
        "rounds": rounds,
        "summation_mismatches": sums,
    }
    out.write_text(json.dumps(result, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
