"""Running an experiment: tasks, seeds, executors, failures, progress.

A *task* is one replication of one design point: every policy of the
experiment run on the same seed, so the policies meet the same people,
network and per-person random numbers (common random numbers). Replication
``r`` runs on child ``r`` of the root seed (``SeedSequence(seed).spawn(R)[r]``,
built directly by :func:`task_seed`) at *every* design point, so the random
numbers are common across design points as well as across policies: a
difference between two points is the parameters', not the luck of the draw,
and the design's response surface is a deterministic function of its inputs
for Sobol and Morris analysis. A one-point experiment is a comparison
(:func:`loyaltysim.compare` runs exactly that), and results do not depend on
the order in which tasks run, on the executor or on the number of workers.

Executors: ``sequential`` (in this process), ``processes`` (a loky process
pool, which works from Jupyter), and ``dask`` (a ``distributed`` scheduler at
an address, or a ``LocalCluster`` started for the sweep). A run that raises is
recorded with its error; the sweep goes on.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.errors import ParameterError
from loyaltysim.experiments.definition import Experiment, as_experiment
from loyaltysim.experiments.store import ResultStore
from loyaltysim.network import build_network
from loyaltysim.outcomes import summarize
from loyaltysim.params import whole_number
from loyaltysim.scenario import Scenario
from loyaltysim.seeding import NETWORK, as_seed_sequence, stream
from loyaltysim.simulation import simulate

__all__ = [
    "SweepSummary",
    "Task",
    "collect",
    "execute",
    "plan_tasks",
    "run_task",
    "sweep",
    "task_seed",
]


def task_seed(root: int | np.random.SeedSequence, replication: int) -> np.random.SeedSequence:
    """The seed of replication ``replication`` at every design point: child ``r`` of the root."""
    return stream(as_seed_sequence(root), replication)


@dataclass(frozen=True)
class Task:
    """One replication of one design point.

    Attributes:
        point: The design point's index.
        replication: The replication's index.
        values: The design point's parameter values.
        seed: The seed every policy of the task runs on.
    """

    point: int
    replication: int
    values: dict[str, Any]
    seed: np.random.SeedSequence


def plan_tasks(
    experiment: Experiment,
    root: int | np.random.SeedSequence | None = None,
    done: Iterable[tuple[int, int]] = (),
) -> list[Task]:
    """The tasks of ``experiment`` not yet ``done``, point by point, replication by replication.

    Args:
        experiment: The experiment.
        root: Root seed (default: the experiment's ``seed``).
        done: ``(point, replication)`` pairs to leave out (already finished).
    """
    root = as_seed_sequence(experiment.seed if root is None else root)
    finished = set(done)
    return [
        Task(point, replication, values, task_seed(root, replication))
        for point, values in enumerate(experiment.point_values())
        for replication in range(experiment.replications)
        if (point, replication) not in finished
    ]


def run_task(
    experiment: Experiment, task: Task, *, raise_errors: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run every policy of ``experiment`` on ``task``, on one network built once.

    Args:
        experiment: The experiment.
        task: The task.
        raise_errors: Let a run's exception through (a comparison); by default
            a failed run is recorded and the others go on (a sweep).

    Returns:
        The run rows (one per policy: ``point``, ``replication``, ``policy``,
        ``status`` ``ok`` or ``failed``, ``error``, ``seconds``, the design
        values and every summary outcome) and, if the experiment keeps them,
        the monthly rows.
    """
    rows, monthly = [], []
    network = None
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
            if network is None:  # every policy of the task meets the same network
                network = build_network(scenario, stream(task.seed, NETWORK))
            model = simulate(scenario, policy, task.seed, network)
            row.update(status="ok", error="", **summarize(model.books()))
            if experiment.monthly_every:
                frame = model.ledger.frame().reset_index()
                frame = frame[frame["month"] % experiment.monthly_every == 0]
                frame.insert(0, "policy", policy.name)
                frame.insert(0, "replication", task.replication)
                frame.insert(0, "point", task.point)
                monthly.append(frame)
        except Exception as exc:
            if raise_errors:
                raise
            last = traceback.extract_tb(exc.__traceback__)[-1]
            row.update(
                status="failed",
                error=f"{type(exc).__name__}: {exc} ({Path(last.filename).name}:{last.lineno})",
            )
        row["seconds"] = time.perf_counter() - start
        rows.append(row)
    runs = pd.DataFrame(rows)
    return runs, (pd.concat(monthly, ignore_index=True) if monthly else None)


def _run_chunk(
    experiment: Experiment, tasks: list[Task], raise_errors: bool = False
) -> list[tuple[Task, Any]]:
    return [(task, run_task(experiment, task, raise_errors=raise_errors)) for task in tasks]


def execute(
    experiment: Experiment,
    tasks: list[Task],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    chunk: int | None = None,
    raise_errors: bool = False,
) -> Iterator[tuple[Task, tuple[pd.DataFrame, pd.DataFrame | None]]]:
    """Run ``tasks`` on the chosen executor and yield each task's results as it finishes.

    Args:
        experiment: The experiment the tasks belong to.
        tasks: The tasks (:func:`plan_tasks`).
        workers: Worker processes: ``None`` or 1 runs in this process; more
            uses a loky process pool (or, with ``scheduler="local"``, a Dask
            ``LocalCluster`` of that many workers).
        scheduler: A Dask scheduler address (``tcp://host:8786``), or
            ``"local"`` for a ``LocalCluster``.
        chunk: Tasks sent to a worker at once (default: about 4 per worker
            round, at most 8).
        raise_errors: Let a run's exception through instead of recording it.

    Raises:
        ParameterError: Bad ``workers`` or ``scheduler``.
    """
    executor = executor_name(workers, scheduler)
    n_workers = workers or 1
    size = chunk or max(1, min(8, len(tasks) // (4 * n_workers) or 1))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    for results in _execute(executor, experiment, chunks, n_workers, scheduler, raise_errors):
        yield from results


def collect(
    experiment: Experiment,
    root: int | np.random.SeedSequence,
    *,
    workers: int | None = None,
    progress: bool = False,
    unit: str = "task",
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Run every task of ``experiment`` in memory and return its rows, in design order.

    What :func:`loyaltysim.compare` and a case's robustness scan run: no
    results folder, and a run that raises stops the whole (``raise_errors``).

    Args:
        experiment: The experiment.
        root: Root seed (replication ``r`` runs on its child ``r`` at every point).
        workers: Worker processes (see :func:`execute`).
        progress: Show a progress bar (tqdm, on stderr or in a notebook).
        unit: What the bar counts (one task is one replication of one point).

    Returns:
        The run rows and the monthly rows (``None`` when the experiment keeps
        none), sorted by point and replication (workers may finish out of
        order), the policies of each task in the order the experiment gives.
    """
    runs, monthly = [], []
    tasks = plan_tasks(experiment, root)
    bar = progress_bar(len(tasks), 0, experiment.name, progress, unit=unit)
    try:
        for _, (task_runs, task_monthly) in execute(
            experiment, tasks, workers=workers, raise_errors=True
        ):
            runs.append(task_runs)
            if task_monthly is not None:
                monthly.append(task_monthly)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    order = ["point", "replication"]
    table = pd.concat(runs, ignore_index=True).sort_values(order, kind="stable")
    months = (
        pd.concat(monthly, ignore_index=True).sort_values(order, kind="stable") if monthly else None
    )
    return table.reset_index(drop=True), months


def executor_name(workers: int | None, scheduler: str | None) -> str:
    """``dask`` with a scheduler, ``processes`` with more than one worker, else ``sequential``.

    Raises:
        ParameterError: ``workers`` is not a whole number >= 1, or ``scheduler``
            not a string.
    """
    if workers is not None:
        whole_number("--workers", workers, minimum=1)
    if scheduler is not None and not isinstance(scheduler, str):
        raise ParameterError("--scheduler", scheduler, "'local' or a scheduler address")
    return "dask" if scheduler else ("processes" if (workers or 1) > 1 else "sequential")


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
        workers: Worker processes (see :func:`execute`).
        scheduler: A Dask scheduler address, or ``"local"`` (see :func:`execute`).
        overwrite: Discard results of a changed (or the same) experiment.
        progress: Show a progress bar (tqdm, terminal or notebook).
        chunk: Tasks sent to a worker at once (see :func:`execute`).

    Raises:
        ParameterError: Bad options, or the folder holds another experiment.
    """
    experiment = as_experiment(experiment)
    executor = executor_name(workers, scheduler)  # bad options fail before the folder is touched
    store = ResultStore(out, experiment)
    store.open(overwrite=overwrite)
    done = store.done()
    tasks = plan_tasks(experiment, done=done)
    points, replications, _ = experiment.size
    total = points * replications
    start = time.perf_counter()
    failed = 0
    bar = progress_bar(total, len(done), experiment.name, progress)
    try:
        for task, (runs, monthly) in execute(
            experiment, tasks, workers=workers, scheduler=scheduler, chunk=chunk
        ):
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
        workers=workers or 1,
    )


def _execute(
    executor: str,
    experiment: Experiment,
    chunks: list[list[Task]],
    workers: int,
    scheduler: str | None,
    raise_errors: bool,
) -> Iterator[list[tuple[Task, Any]]]:
    """Yield each chunk's results as it finishes."""
    if not chunks:
        return
    if executor == "sequential":
        for tasks in chunks:
            yield _run_chunk(experiment, tasks, raise_errors)
        return
    if executor == "processes":
        from concurrent.futures import as_completed

        from loky import get_reusable_executor

        pool = get_reusable_executor(max_workers=workers, timeout=60)
        futures = [pool.submit(_run_chunk, experiment, tasks, raise_errors) for tasks in chunks]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()
        return
    yield from _execute_dask(experiment, chunks, workers, scheduler, raise_errors)


def _execute_dask(
    experiment: Experiment,
    chunks: list[list[Task]],
    workers: int,
    scheduler: str | None,
    raise_errors: bool,
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
        futures = [
            client.submit(_run_chunk, remote, tasks, raise_errors, pure=False) for tasks in chunks
        ]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def progress_bar(total: int, initial: int, name: str, show: bool, unit: str = "task") -> Any:
    """A tqdm progress bar (terminal or notebook), or ``None`` when not shown."""
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc=name, unit=unit)
