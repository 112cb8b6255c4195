"""Worker processes: they end when their sweep is killed, and a task whose rule exits or
kills its worker is recorded as failed while the sweep goes on (loky and Dask)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from loyaltysim.experiments import sweep
from loyaltysim.policies import Policy
from tests.helpers import TINY, tiny
from tests.system.failing_rule import ExitingOnLargeClaims, KillingOnLargeClaims
from tests.system.test_sweeps import SLOW, runs_of

EXECUTORS = {"loky": {}, "dask": {"scheduler": "local"}}


@pytest.mark.slow
@pytest.mark.parametrize("executor", EXECUTORS)
def test_no_worker_outlives_a_killed_sweep(tmp_path, executor):
    path = tmp_path / "slow.toml"
    path.write_text(SLOW)
    options = ["--scheduler", "local"] if executor == "dask" else []
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "loyaltysim",
            "sweep",
            str(path),
            "--out",
            str(tmp_path / "out"),
            "--workers",
            "2",
            "--no-progress",
            *options,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    runs = tmp_path / "out" / "runs"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(runs.glob("p*.parquet")):
        time.sleep(0.05)
    children = psutil.Process(process.pid).children(recursive=True)
    assert len(children) >= 2, "the sweep's workers are running"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    _, alive = psutil.wait_procs(children, timeout=15)
    assert not alive, [" ".join(p.cmdline()[:4]) for p in alive]


@pytest.mark.slow
@pytest.mark.parametrize("rule", [ExitingOnLargeClaims, KillingOnLargeClaims])
@pytest.mark.parametrize("executor", EXECUTORS)
def test_a_rule_that_exits_or_kills_its_worker_fails_its_task_and_the_sweep_goes_on(
    tmp_path, executor, rule
):
    bad = Policy(claims=rule(), name="bad")
    # a market busy enough that every run of the large claims has one above 300 USD
    market = {**TINY, "n_customers": 2_000}
    experiment = tiny(
        policies=(Policy.preset("always_compensate"), bad), replications=1, scenario=market
    )
    summary = sweep(experiment, tmp_path, workers=2, progress=False, **EXECUTORS[executor])
    runs = runs_of(tmp_path, experiment)
    assert len(runs) == 4 * 2 and summary.ran == 4  # every task recorded
    large = runs["param_claim_value_usd"] > 100  # the points where the rule fails
    assert (runs.loc[~large, "status"] == "ok").all()
    failed = runs[runs["status"] == "failed"]
    if rule is ExitingOnLargeClaims:  # its run is recorded; the task's other run is fine
        assert list(failed["policy"]) == ["bad", "bad"] and large[failed.index].all()
        assert failed["error"].str.contains(r"raised SystemExit: 3 \(failing_rule.py").all()
    else:  # its worker died: the task failed, every run of it with the reason
        assert len(failed) == 4 and large[failed.index].all()
        assert failed["error"].str.contains("its worker process died").all()


@pytest.mark.slow
def test_a_comparison_whose_worker_dies_is_one_error_naming_the_replication():
    from loyaltysim import Scenario, compare
    from loyaltysim.errors import PluginError

    killing = Policy(claims=KillingOnLargeClaims(), name="killing")
    market = Scenario(n_customers=500, horizon_months=12, claim_value_usd=2000)
    with pytest.raises(PluginError, match=r"replication \d: its worker process died"):
        compare(market, ["always_compensate", killing], replications=2, rng=1, workers=2)
