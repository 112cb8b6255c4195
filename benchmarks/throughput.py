"""Throughput of the array model against the idiomatic Mesa reference, build time, memory.

Run: ``make bench`` (or ``python benchmarks/throughput.py [--sizes 1000 10000 100000 1000000]``).

For each size N, on the default market (60 months, policy ``--policy``):

- **package model**: built once and run once as a warm-up, then timed
  ``--repeats`` times (medians); customer-months per second; build time
  (network generation included); peak memory of one build and run, measured
  with ``tracemalloc`` (NumPy reports its buffers to it) and divided by N;
- **reference** (:mod:`loyaltysim.evidence.reference`, one Mesa agent per customer, on
  the core scenario): timed once over ``--reference-months`` months, up to
  ``--reference-max`` people; the table gives the package's speed over it
  (both measured in this run, on the same machine);
- **many small runs**: ``--small-runs`` runs of N = 1,000 for 60 months back
  to back on one core: aggregate customer-months per second.

The performance targets are printed beside the measurements. Results go to
``--json`` (default ``results/throughput.json``) with the versions and the CPU
count. Not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import tracemalloc
from pathlib import Path

from loyaltysim import LoyaltyModel, Scenario
from loyaltysim.evidence.reference import CORE, ReferenceModel
from loyaltysim.simulation import versions

MONTHS = 60
#: The performance targets on the reference machine (one core).
TARGETS = {
    "customer_months_per_s": {10_000: 10e6, 100_000: 30e6},
    "build_s": {100_000: 0.5, 1_000_000: 5.0},
    "bytes_per_customer": 400,
    "small_runs_customer_months_per_s": 10e6,
    "speedup_over_reference": {100_000: 75},
}


def measure(n: int, repeats: int, policy: str) -> dict[str, float]:
    """Median build and run time of the package model at size ``n``, and its peak memory."""
    scenario = Scenario(n_customers=n, horizon_months=MONTHS)
    builds, runs = [], []
    for repeat in range(repeats + 1):  # the first round is a warm-up
        start = time.perf_counter()
        model = LoyaltyModel(scenario, policy, rng=repeat, inspect_agents=False)
        built = time.perf_counter()
        model.run_for(MONTHS)
        done = time.perf_counter()
        if repeat:
            builds.append(built - start)
            runs.append(done - built)
    del model
    tracemalloc.start()
    model = LoyaltyModel(scenario, policy, rng=0, inspect_agents=False)
    model.run_for(MONTHS)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    run_s = statistics.median(runs)
    return {
        "n_customers": n,
        "months": MONTHS,
        "policy": policy,
        "build_s": statistics.median(builds),
        "run_s": run_s,
        "customer_months_per_s": n * MONTHS / run_s,
        "state_bytes_per_customer": (model.population.nbytes + model.network.nbytes) / n,
        "peak_bytes_per_customer": peak / n,
    }


def measure_reference(n: int, months: int, policy: str) -> float:
    """Customer-months per second of the Mesa reference at size ``n`` (one timed run)."""
    scenario = Scenario(n_customers=n, horizon_months=months, **CORE)
    model = ReferenceModel(scenario, policy, rng=0)
    start = time.perf_counter()
    model.run_for(months)
    return n * months / (time.perf_counter() - start)


def measure_small_runs(runs: int, policy: str) -> float:
    """Aggregate customer-months per second of ``runs`` runs of N = 1,000 on one core."""
    scenario = Scenario(n_customers=1_000, horizon_months=MONTHS)
    start = time.perf_counter()
    for seed in range(runs):
        LoyaltyModel(scenario, policy, rng=seed, inspect_agents=False).run_for(MONTHS)
    return runs * 1_000 * MONTHS / (time.perf_counter() - start)


def verdicts(rows: list[dict[str, float]], small: float) -> list[str]:
    """One line per performance target measured here: the target, the measurement, met or not."""
    by_n = {row["n_customers"]: row for row in rows}
    lines = []

    def verdict(name: str, measured: float, target: float, at_least: bool, unit: str) -> None:
        met = measured >= target if at_least else measured <= target
        sign = ">=" if at_least else "<="
        lines.append(
            f"{name}: {measured:,.3g} {unit} (target {sign} {target:,.3g}): "
            + ("met" if met else "missed")
        )

    for n, target in TARGETS["customer_months_per_s"].items():
        if n in by_n:
            rate = by_n[n]["customer_months_per_s"] / 1e6
            verdict(f"throughput at N = {n:,}", rate, target / 1e6, True, "M/s")
    for n, target in TARGETS["speedup_over_reference"].items():
        if "speedup_over_reference" in by_n.get(n, {}):
            verdict(f"speed-up at N = {n:,}", by_n[n]["speedup_over_reference"], target, True, "x")
    for n, target in TARGETS["build_s"].items():
        if n in by_n:
            verdict(f"build at N = {n:,}", by_n[n]["build_s"], target, False, "s")
    peak = max(row["peak_bytes_per_customer"] for row in rows if row["n_customers"] >= 10_000)
    verdict("peak memory (N >= 10,000)", peak, TARGETS["bytes_per_customer"], False, "B/customer")
    small_target = TARGETS["small_runs_customer_months_per_s"] / 1e6
    verdict("many small runs", small / 1e6, small_target, True, "M/s")
    return lines


def main() -> None:
    """Measure, print the table with the targets, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--policy", default="verify_first")
    parser.add_argument("--reference-months", type=int, default=12)
    parser.add_argument("--reference-max", type=int, default=100_000)
    parser.add_argument("--small-runs", type=int, default=50)
    parser.add_argument("--json", default="results/throughput.json")
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        row = measure(n, args.repeats, args.policy)
        if n <= args.reference_max:
            reference = measure_reference(n, args.reference_months, args.policy)
            row["reference_customer_months_per_s"] = reference
            row["speedup_over_reference"] = row["customer_months_per_s"] / reference
        rows.append(row)
    small = measure_small_runs(args.small_runs, args.policy)
    print(
        f"{'N':>10} {'build (s)':>10} {'60 months (s)':>14} {'M cust-months/s':>16} "
        f"{'reference M/s':>14} {'speed-up':>9} {'state B/cust':>13} {'peak B/cust':>12}"
    )
    for row in rows:
        reference = row.get("reference_customer_months_per_s")
        print(
            f"{row['n_customers']:>10,} {row['build_s']:>10.3f} {row['run_s']:>14.3f} "
            f"{row['customer_months_per_s'] / 1e6:>16.1f} "
            + (
                f"{reference / 1e6:>14.2f} {row['speedup_over_reference']:>8.0f}x "
                if reference
                else f"{'-':>14} {'-':>9} "
            )
            + f"{row['state_bytes_per_customer']:>13.0f} {row['peak_bytes_per_customer']:>12.0f}"
        )
    print(
        f"\nmany small runs: {args.small_runs} runs of N = 1,000 x {MONTHS} months on one core: "
        f"{small / 1e6:.1f} M customer-months/s in aggregate"
    )
    print("\nperformance targets:")
    for line in verdicts(rows, small):
        print(f"  {line}")
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "versions": versions(),
        "cpu_count": os.cpu_count(),
        "repeats": args.repeats,
        "reference_months": args.reference_months,
    }
    out.write_text(
        json.dumps(
            {
                "meta": meta,
                "rows": rows,
                "small_runs_customer_months_per_s": small,
                "targets": {k: str(v) for k, v in TARGETS.items()},
            },
            indent=2,
        )
    )
    print(f"medians of {args.repeats} runs after a warm-up; written to {out}")


if __name__ == "__main__":
    main()
