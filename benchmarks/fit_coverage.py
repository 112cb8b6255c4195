"""Coverage of the fit's 90% credible intervals over logs generated from known markets.

Draws ``--datasets`` hidden markets (each fitted parameter uniform over the middle of a
plausible range, not the defaults), generates each one's transaction log with the model,
fits it with ``loyaltysim.fitting.fit`` and counts, per parameter, how often the true value
falls inside the posterior's 90% interval (nominal: 0.9), over all data sets and over those
where the data inform the parameter::

    python benchmarks/fit_coverage.py --datasets 20 --customers 1000 --months 24 \
        --particles 50 --generations 3                        # half an hour, busy 2 cores
    python benchmarks/fit_coverage.py --write-log log.csv    # the README's example log

The README's timing uses ``--write-log``: a market of 6,000 people over 24 months.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import loyaltysim as ls
from loyaltysim.fitting import FITTED, fit, simulated_log

#: The README's example client: a market with hidden, non-default values.
EXAMPLE = ls.Scenario(
    n_customers=6_000,
    horizon_months=24,
    purchase_probability_mean=0.4,
    purchase_probability_dispersion=0.2,
    base_monthly_churn=0.02,
    advertising_rate=0.01,
    imitation_rate=0.05,
    initial_active_share=0.3,
)

#: Where the hidden values are drawn (uniform; log-uniform for rates).
HIDDEN = {
    "purchase_probability_mean": (0.2, 0.8, False),
    "purchase_probability_dispersion": (0.05, 0.4, False),
    "base_monthly_churn": (0.005, 0.05, True),
    "churn_loyalty_sensitivity": (0.5, 5.0, False),
    "initial_active_share": (0.1, 0.5, False),
    "advertising_rate": (0.002, 0.03, True),
    "imitation_rate": (0.01, 0.1, True),
}


def hidden_market(rng: np.random.Generator, n: int, months: int) -> ls.Scenario:
    values = {}
    for name, (low, high, log) in HIDDEN.items():
        u = rng.uniform()
        values[name] = float(
            np.exp(np.log(low) + u * np.log(high / low)) if log else low + u * (high - low)
        )
    return ls.Scenario(n_customers=n, horizon_months=months, **values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=20)
    parser.add_argument("--customers", type=int, default=2_000, help="market size")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--particles", type=int, default=100)
    parser.add_argument("--generations", type=int, default=6)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--write-log", metavar="CSV", help="write the example log and stop")
    args = parser.parse_args()
    if args.write_log:
        log = simulated_log(EXAMPLE, rng=5)
        log.to_csv(args.write_log, index=False)
        print(f"{len(log):,} transactions of {log['customer_id'].nunique():,} customers")
        return
    rng = np.random.default_rng(args.seed)
    rows = []
    for k in range(args.datasets):
        truth = hidden_market(rng, args.customers, args.months)
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            result = fit(
                simulated_log(truth, rng=int(rng.integers(2**31))),
                Path(folder) / "fit",
                market_size=args.customers,
                particles=args.particles,
                generations=args.generations,
                check_draws=10,
                rng=args.seed + k,
            )
        for row in result.parameters.itertuples():
            true = getattr(truth, row.parameter)
            rows.append(
                {
                    "dataset": k,
                    "parameter": row.parameter,
                    "inside": row.q05 <= true <= row.q95,
                    "informed": row.informed,
                }
            )
        print(f"data set {k + 1}/{args.datasets}: {time.perf_counter() - start:.0f} s", flush=True)
    table = pd.DataFrame(rows)
    order = [p.name for p in FITTED]
    summary = pd.DataFrame(
        {
            "coverage": table.groupby("parameter")["inside"].mean(),
            "informed_share": table.groupby("parameter")["informed"].mean(),
            "coverage_where_informed": table[table["informed"]]
            .groupby("parameter")["inside"]
            .mean(),
        }
    ).reindex(order)
    print(
        f"\n90% interval coverage over {args.datasets} generated logs "
        f"(market {args.customers:,}, {args.months} months, {args.particles} particles x "
        f"{args.generations} generations, seed {args.seed})"
    )
    print(summary.round(2).to_string())
    print(f"all parameters: {table['inside'].mean():.2f}")


if __name__ == "__main__":
    main()
