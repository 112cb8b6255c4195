"""Running an experiment: tasks, seeds, executors, failures, progress.

A *task* is one replication of one design point: every policy of the
experiment run on the same seed, so the policies meet the same people,
network and per-person random numbers (common random numbers). Task
``(point, replication)`` runs on ``SeedSequence(seed).spawn(points)[point]
.spawn(replications)[replication]`` (built directly, without the spawn chain,
by :func:`task_seed`), so results do not depend on the order in which tasks
run, on the executor or on the number of workers.

Executors: ``sequential`` (in this process), ``processes`` (a loky process
pool, which works from Jupyter), and ``dask`` (a ``distributed`` scheduler at
an address, or a ``LocalCluster`` started for the sweep). A run that raises is
recorded with its error; the sweep goes on.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.errors import ParameterError
from loyaltysim.experiments.definition import Experiment, as_experiment
from loyaltysim.experiments.store import ResultStore
from loyaltysim.model import LoyaltyModel
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import as_seed_sequence, stream

__all__ = ["SweepSummary", "sweep", "task_seed"]


def task_seed(root: int, point: int, replication: int) -> np.random.SeedSequence:
    """The seed of task ``(point, replication)``: the spawn chain's child, built directly."""
    return stream(as_seed_sequence(root), point, replication)


@dataclass(frozen=True)
class Task:
    """One replication of one design point."""

    point: int
    replication: int
    values: dict[str, Any]


def run_task(experiment: Experiment, task: Task) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run every policy of ``experiment`` on task ``task``; never raises for a failed run.

    Returns:
        The run rows (one per policy: ``point``, ``replication``, ``policy``,
        ``status`` ``ok`` or ``failed``, ``error``, ``seconds``, the design
        values and every summary metric) and, if the experiment keeps them,
        the monthly rows.
    """
    from loyaltysim.simulation import summarize

    seed = task_seed(experiment.seed, task.point, task.replication)
    rows, monthly = [], []
    for policy in experiment.policies:
        row: dict[str, Any] = {
            "point": task.point,
            "replication": task.replication,
            "policy": policy.name,
            **{f"param_{k}": v for k, v in task.values.items()},
        }
        start = time.perf_counter()
        try:
            scenario = Scenario.from_dict({**experiment.scenario, **task.values})
            model = LoyaltyModel(scenario, policy, rng=seed, inspect_agents=False)
            model.run_for(scenario.horizon_months)
            row.update(status="ok", error="", **summarize(model))
            if experiment.monthly_every:
                frame = model.ledger.frame().reset_index()
                frame = frame[frame["month"] % experiment.monthly_every == 0]
                frame.insert(0, "policy", policy.name)
                frame.insert(0, "replication", task.replication)
                frame.insert(0, "point", task.point)
                monthly.append(frame)
        except Exception as exc:
            last = traceback.extract_tb(exc.__traceback__)[-1]
            row.update(
                status="failed",
                error=f"{type(exc).__name__}: {exc} ({Path(last.filename).name}:{last.lineno})",
            )
        row["seconds"] = time.perf_counter() - start
        rows.append(row)
    runs = pd.DataFrame(rows)
    return runs, (pd.concat(monthly, ignore_index=True) if monthly else None)


def _run_chunk(experiment: Experiment, tasks: list[Task]) -> list[tuple[Task, Any]]:
    return [(task, run_task(experiment, task)) for task in tasks]


@dataclass(frozen=True)
class SweepSummary:
    """What a sweep did.

    Attributes:
        path: The results folder.
        tasks: Tasks in the experiment.
        skipped: Tasks already done before this call (resumed).
        ran: Tasks run by this call.
        failed_runs: Runs (task x policy) that failed, in this call.
        seconds: Wall time of this call.
        executor: ``sequential``, ``processes`` or ``dask``.
        workers: Workers used.
    """

    path: Path
    tasks: int
    skipped: int
    ran: int
    failed_runs: int
    seconds: float
    executor: str
    workers: int

    def __str__(self) -> str:
        runs = self.ran
        rate = runs / self.seconds if self.seconds > 0 else float("nan")
        return (
            f"{self.ran} tasks run, {self.skipped} already done, {self.failed_runs} failed runs; "
            f"{self.seconds:.1f} s on {self.workers} {self.executor} worker(s) "
            f"({rate:.2f} tasks/s); results in {self.path}"
        )


def sweep(
    experiment: Experiment | str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: bool = True,
    chunk: int | None = None,
) -> SweepSummary:
    """Run an experiment into a results folder, resuming what is there.

    Args:
        experiment: An :class:`Experiment` or the path of its TOML file.
        out: The results folder (created; resumed if it holds this
            experiment's results).
        workers: Worker processes: ``None`` or 1 runs in this process; more
            uses a loky process pool (or, with ``scheduler="local"``, a Dask
            ``LocalCluster`` of that many workers).
        scheduler: A Dask scheduler address (``tcp://host:8786``), or
            ``"local"`` for a ``LocalCluster``.
        overwrite: Discard results of a changed (or the same) experiment.
        progress: Show a progress bar (tqdm, terminal or notebook).
        chunk: Tasks sent to a worker at once (default: about 4 per worker
            round, at most 8).

    Raises:
        ParameterError: Bad options, or the folder holds another experiment.
    """
    experiment = as_experiment(experiment)
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise ParameterError("--workers", workers, "a whole number >= 1")
    if scheduler is not None and not isinstance(scheduler, str):
        raise ParameterError("--scheduler", scheduler, "'local' or a scheduler address")
    store = ResultStore(out, experiment)
    store.open(overwrite=overwrite)
    done = store.done()
    points = experiment.point_values()
    tasks = [
        Task(point, replication, values)
        for point, values in enumerate(points)
        for replication in range(experiment.replications)
        if (point, replication) not in done
    ]
    total = len(points) * experiment.replications
    executor = "dask" if scheduler else ("processes" if (workers or 1) > 1 else "sequential")
    n_workers = workers or 1
    size = chunk or max(1, min(8, len(tasks) // (4 * n_workers) or 1))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    start = time.perf_counter()
    failed = 0
    bar = _progress(total, len(done), experiment.name, progress)
    try:
        for results in _execute(executor, experiment, chunks, n_workers, scheduler):
            for task, (runs, monthly) in results:
                store.write(task.point, task.replication, runs, monthly)
                failed += int((runs["status"] == "failed").sum())
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(failed=failed, refresh=False)
    finally:
        if bar is not None:
            bar.close()
    return SweepSummary(
        path=Path(out),
        tasks=total,
        skipped=len(done),
        ran=len(tasks),
        failed_runs=failed,
        seconds=time.perf_counter() - start,
        executor=executor,
        workers=n_workers,
    )


def _execute(
    executor: str,
    experiment: Experiment,
    chunks: list[list[Task]],
    workers: int,
    scheduler: str | None,
) -> Iterator[list[tuple[Task, Any]]]:
    """Yield each chunk's results as it finishes."""
    if not chunks:
        return
    if executor == "sequential":
        for tasks in chunks:
            yield _run_chunk(experiment, tasks)
        return
    if executor == "processes":
        from concurrent.futures import as_completed

        from loky import get_reusable_executor

        pool = get_reusable_executor(max_workers=workers, timeout=60)
        futures = [pool.submit(_run_chunk, experiment, tasks) for tasks in chunks]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()
        return
    yield from _execute_dask(experiment, chunks, workers, scheduler)


def _execute_dask(
    experiment: Experiment, chunks: list[list[Task]], workers: int, scheduler: str | None
) -> Iterator[list[tuple[Task, Any]]]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=40,
        )
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ParameterError(
                "--scheduler", scheduler, "the address of a running Dask scheduler", str(exc)
            ) from None
    try:
        remote = client.scatter(experiment, broadcast=True)
        futures = [client.submit(_run_chunk, remote, tasks, pure=False) for tasks in chunks]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _progress(total: int, initial: int, name: str, show: bool) -> Any:
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc=name, unit="task")
