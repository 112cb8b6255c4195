"""Seconds per month of the app: the model's step and the redrawing of the page's pictures.

Run: ``python benchmarks/app_step.py [--people 1000] [--months 24] [--single]``.

What the app does on *Step* (or each month while playing), without the
browser: :meth:`loyaltysim.app.PairedRun.step` (both policies, side by side,
unless ``--single``), then :meth:`~loyaltysim.app.NetworkPicture.update` and
:meth:`~loyaltysim.app.SeriesPicture.update`, which return the two PNGs the
page shows. The pictures are built once first, as the page builds them on
Reset (that time is printed apart). The target is a month under 0.3 s at
1,000 people. Prints the median and the slowest month, and the median of each
part, and in how many months the charts were drawn whole (an axis widened;
the other months draw only their lines over the kept background). Not a
test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import statistics
import time

from loyaltysim.app import NetworkPicture, PairedRun, SeriesPicture
from loyaltysim.scenario import Scenario

TARGET_S = 0.3


def main() -> None:
    """Time ``--months`` months of the app's step path and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--single", action="store_true", help="policy A alone, no B beside it")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    policies = ["always_compensate"] if args.single else ["always_compensate", "verify_first"]
    scenario = Scenario(n_customers=args.people, horizon_months=max(args.months, 12))
    start = time.perf_counter()
    run = PairedRun(scenario, policies, rng=args.seed)
    network, series = NetworkPicture(run), SeriesPicture(run)
    network.update(), series.update()
    built = time.perf_counter() - start
    parts: dict[str, list[float]] = {"step": [], "network": [], "charts": [], "month": []}
    for _ in range(args.months):
        t0 = time.perf_counter()
        run.step()
        t1 = time.perf_counter()
        network.update()
        t2 = time.perf_counter()
        series.update()
        t3 = time.perf_counter()
        for name, seconds in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True):
            parts[name].append(seconds)
    side = "A alone" if args.single else "A and B side by side"
    print(f"app, {args.people:,} people, {side}, {args.months} months")
    print(f"  reset (build the run and its pictures): {built:.3f} s")
    for name, values in parts.items():
        print(f"  {name:8s} median {statistics.median(values):.3f} s   max {max(values):.3f} s")
    print(f"  the charts were drawn whole (an axis widened) in {series.redraws - 1} of the months")
    month = statistics.median(parts["month"])
    verdict = "meets" if month < TARGET_S else "misses"
    print(f"a month takes {month:.3f} s (median): {verdict} the target of {TARGET_S} s")


if __name__ == "__main__":
    main()
