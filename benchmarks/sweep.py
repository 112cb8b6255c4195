"""Sweep benchmark: 1,000 runs of the default market (N = 10,000, 60 months).

Run: ``python benchmarks/sweep.py [--runs 1000] [--workers 1 2] [--scheduler local]``.
The experiment is the default market with the four named policies and
``runs / 4`` paired replications, so every worker count does the same
1,000 runs. For each worker count it reports the wall time, runs per second
and runs per second per worker, checks that the results are identical to the
first worker count's, and reports the common-random-number variance reduction
(paired sd / unpaired sd of each policy's NPV difference vs always_compensate).
Results go to ``--json`` (default ``results/sweep_benchmark.json``). Not a
test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from loyaltysim.experiments import Experiment, sweep
from loyaltysim.experiments.analysis import Results
from loyaltysim.policies import NAMED_POLICIES
from loyaltysim.simulation import versions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000, help="runs (a multiple of 4)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--scheduler", default=None, help="'local' to use a Dask LocalCluster")
    parser.add_argument("--n-customers", type=int, default=10_000)
    parser.add_argument("--json", default="results/sweep_benchmark.json")
    args = parser.parse_args()
    experiment = Experiment(
        policies=NAMED_POLICIES,
        scenario={"n_customers": args.n_customers, "horizon_months": 60},
        replications=args.runs // len(NAMED_POLICIES),
        seed=2026,
        name="sweep_benchmark",
    )
    print(experiment.describe())
    rows, reference = [], None
    for workers in args.workers:
        folder = Path(tempfile.mkdtemp(prefix="loyaltysim-bench-"))
        try:
            start = time.perf_counter()
            sweep(experiment, folder, workers=workers, scheduler=args.scheduler, progress=False)
            wall = time.perf_counter() - start
            results = Results.load(folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        runs = results.runs.drop(columns="seconds")
        identical = True if reference is None else runs.equals(reference)
        reference = runs if reference is None else reference
        runs_done = len(runs)
        row = {
            "workers": workers,
            "executor": "dask"
            if args.scheduler
            else ("processes" if workers > 1 else "sequential"),
            "runs": runs_done,
            "wall_s": round(wall, 2),
            "runs_per_s": round(runs_done / wall, 2),
            "runs_per_s_per_worker": round(runs_done / wall / workers, 2),
            "identical_to_first": identical,
        }
        rows.append(row)
        print(row)
    reduction = results.variance_reduction()
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    print("CRN: paired sd / unpaired sd of the NPV difference vs always_compensate:")
    print(reduction.round(3).to_string())
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "experiment": experiment.describe(),
                "cpus": os.cpu_count(),
                "versions": versions(),
                "rows": rows,
                "crn_sd_ratio": reduction.round(4).to_dict(),
            },
            indent=2,
        )
    )
    print(f"written to {out}")


if __name__ == "__main__":
    main()
