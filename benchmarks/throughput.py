"""Throughput of the array model: customer-months per second, and build time.

Run: ``make bench`` (or ``python benchmarks/throughput.py [--sizes 10000 100000]``).
Each size is built once and run once as a warm-up, then timed ``--repeats``
times; the table shows medians. Results are also written as JSON
(``--json PATH``, default ``results/throughput.json``) with the versions and
the machine's CPU count. Not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from loyaltysim import LoyaltyModel, Scenario
from loyaltysim.simulation import versions

MONTHS = 60


def measure(n: int, repeats: int, policy: str) -> dict[str, float]:
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
    run_s = statistics.median(runs)
    return {
        "n_customers": n,
        "months": MONTHS,
        "policy": policy,
        "build_s": statistics.median(builds),
        "run_s": run_s,
        "customer_months_per_s": n * MONTHS / run_s,
        "state_bytes_per_customer": (model.population.nbytes + model.network.nbytes) / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--policy", default="verify_first")
    parser.add_argument("--json", default="results/throughput.json")
    args = parser.parse_args()
    rows = [measure(n, args.repeats, args.policy) for n in args.sizes]
    print(
        f"{'N':>10} {'build (s)':>10} {'60 months (s)':>14} {'M cust-months/s':>16} "
        f"{'bytes/cust':>11}"
    )
    for row in rows:
        print(
            f"{row['n_customers']:>10,} {row['build_s']:>10.3f} {row['run_s']:>14.3f} "
            f"{row['customer_months_per_s'] / 1e6:>16.1f} {row['state_bytes_per_customer']:>11.0f}"
        )
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"versions": versions(), "cpu_count": os.cpu_count(), "repeats": args.repeats}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"medians of {args.repeats} runs after a warm-up; written to {out}")


if __name__ == "__main__":
    main()
