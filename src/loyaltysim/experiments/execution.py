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
an address, or a ``LocalCluster`` started for the sweep). Local workers end
with the sweep, however it ends: loky's by :mod:`~loyaltysim.experiments.workers`,
a ``LocalCluster``'s by Dask's own watch on their parent (both within about
two seconds of a ``SIGKILL``, ``tests/system/test_workers.py``).

Failures: a run that raises (or whose rule calls ``sys.exit``) is recorded
with its error and the sweep goes on. A task whose worker process dies (a
rule calling ``os._exit``, a crash, the out-of-memory killer) is run again
alone; if its worker dies again, the task is recorded as failed, every run
of it with the reason, and the sweep goes on.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from loyaltysim.errors import (
    LoyaltysimError,
    OutputError,
    ParameterError,
    PluginError,
    describe_exception,
)
from loyaltysim.experiments.definition import Experiment, as_experiment
from loyaltysim.experiments.store import ResultStore
from loyaltysim.experiments.workers import end_with_parent
from loyaltysim.model import check_memory
from loyaltysim.network import build_network
from loyaltysim.outcomes import summarize
from loyaltysim.params import WORKERS_PER_CORE, at_most, usable_cores, whole_number
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
        row = _row(task, policy.name)
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
        except (Exception, SystemExit) as exc:
            if raise_errors:
                raise
            error = str(exc) if isinstance(exc, LoyaltysimError) else describe_exception(exc)
            row.update(status="failed", error=error)
        row["seconds"] = time.perf_counter() - start
        rows.append(row)
    runs = pd.DataFrame(rows)
    return runs, (pd.concat(monthly, ignore_index=True) if monthly else None)


def _row(task: Task, policy: str) -> dict[str, Any]:
    """The first columns of a run's row: which task and policy, at which design values."""
    return {
        "point": task.point,
        "replication": task.replication,
        "policy": policy,
        **{f"param_{k}": v for k, v in task.values.items()},
    }


def _task_died(
    experiment: Experiment, task: Task, exc: BaseException, raise_errors: bool
) -> tuple[pd.DataFrame, None]:
    """A task whose worker process died when it ran alone: every run of it failed.

    Raises:
        PluginError: With ``raise_errors`` (a comparison), instead.
    """
    codes = [line.strip() for line in str(exc).splitlines() if "exit code" in line]
    reason = (
        f"its worker process died ({codes[0] if codes else type(exc).__name__}): a rule or "
        "submodel may have called os._exit or crashed the interpreter, or memory ran out"
    )
    if raise_errors:
        raise PluginError(f"replication {task.replication}: {reason}") from None
    rows = [
        {**_row(task, policy.name), "status": "failed", "error": reason, "seconds": 0.0}
        for policy in experiment.policies
    ]
    return pd.DataFrame(rows), None


def _run_chunk(
    experiment: Experiment,
    tasks: list[Task],
    raise_errors: bool = False,
    started: str | None = None,
) -> list[tuple[Task, Any]]:
    """Run tasks one after another (in a worker); ``started`` is a file to create first."""
    if started is not None:
        Path(started).touch()
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
            ``LocalCluster`` of that many workers); at most
            :data:`~loyaltysim.params.WORKERS_PER_CORE` per usable core.
        scheduler: A Dask scheduler address (``tcp://host:8786``), or
            ``"local"`` for a ``LocalCluster``.
        chunk: Tasks sent to a worker at once (default: about 4 per worker
            round, at most 8).
        raise_errors: Let a run's exception through instead of recording it.

    Raises:
        ParameterError: Bad ``workers`` or ``scheduler``, or more memory
            than the machine has.
    """
    with _executor(experiment, workers, scheduler) as runner:
        yield from runner.run(experiment, tasks, chunk, raise_errors)


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
        ParameterError: ``workers`` is not a whole number >= 1, or more
            local workers than :data:`~loyaltysim.params.WORKERS_PER_CORE` per
            usable core; ``scheduler`` is not ``"local"`` or an address.
    """
    if workers is not None:
        whole_number("--workers", workers, minimum=1)
    if scheduler is not None and (
        not isinstance(scheduler, str)
        or not scheduler.strip()
        or (scheduler != "local" and ":" not in scheduler)
    ):
        raise ParameterError(
            "--scheduler",
            scheduler,
            "'local' or the address of a Dask scheduler (tcp://host:8786, tls://host:8786)",
        )
    executor = "dask" if scheduler else ("processes" if (workers or 1) > 1 else "sequential")
    if workers is not None and (executor == "processes" or scheduler == "local"):
        cores = usable_cores()
        at_most(
            "--workers",
            workers,
            WORKERS_PER_CORE * cores,
            "worker processes",
            f"{WORKERS_PER_CORE} per usable core; this machine has {cores}",
        )
    return executor


def _executor(
    experiment: Experiment, workers: int | None, scheduler: str | None, security: Any = None
) -> Executor:
    """The executor of the options, once they and the memory they need are checked.

    Raises:
        ParameterError: Bad options (:func:`executor_name`), or more memory
            than this machine has for the runs its workers hold at once.
    """
    executor = executor_name(workers, scheduler)
    local = 0 if executor == "dask" and scheduler != "local" else (workers or 1)
    check_memory(experiment.largest_scenario, at_once=local)
    return Executor(executor, workers, scheduler, security)


class Executor:
    """Where tasks run: this process, a loky process pool, or a Dask cluster.

    Connecting (to a Dask scheduler, or starting a ``LocalCluster``) happens
    on entering, so a sweep connects before it touches its results folder;
    leaving closes what it opened.

    Args:
        executor: ``sequential``, ``processes`` or ``dask`` (:func:`executor_name`).
        workers: Worker processes.
        scheduler: ``"local"`` or a Dask scheduler address (``dask`` only).
        security: A ``distributed.Security`` for a scheduler at a ``tls://``
            address (default: Dask's configuration).
    """

    def __init__(
        self, executor: str, workers: int | None, scheduler: str | None, security: Any = None
    ) -> None:
        self.executor = executor
        self.workers = workers or 1
        self.scheduler = scheduler
        self.security = security
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> Executor:
        if self.executor == "dask":
            self._client, self._cluster = _dask_client(self.scheduler, self.workers, self.security)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def run(
        self,
        experiment: Experiment,
        tasks: list[Task],
        chunk: int | None = None,
        raise_errors: bool = False,
    ) -> Iterator[tuple[Task, tuple[pd.DataFrame, pd.DataFrame | None]]]:
        """Yield each task's results as it finishes (see :func:`execute`)."""
        size = chunk or max(1, min(8, len(tasks) // (4 * self.workers) or 1))
        chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
        if not chunks:
            return
        if self.executor == "sequential":
            results: Iterator[list[tuple[Task, Any]]] = (
                _run_chunk(experiment, tasks, raise_errors) for tasks in chunks
            )
        elif self.executor == "processes":
            results = _run_on_loky(experiment, chunks, self.workers, raise_errors)
        else:
            results = _run_on_dask(self._client, experiment, chunks, raise_errors)
        for finished in results:
            yield from finished


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
        damaged: Damaged result files found, removed and their tasks run again.
    """

    path: Path
    tasks: int
    skipped: int
    ran: int
    failed_runs: int
    seconds: float
    executor: str
    workers: int
    damaged: int = 0

    def __str__(self) -> str:
        runs = self.ran
        rate = runs / self.seconds if self.seconds > 0 else float("nan")
        redone = (
            f"; {self.damaged} damaged result files removed, their tasks run again"
            if self.damaged
            else ""
        )
        return (
            f"{self.ran} tasks run, {self.skipped} already done, {self.failed_runs} failed runs"
            f"{redone}; {self.seconds:.1f} s {workers_phrase(self.executor, self.workers)} "
            f"({rate:.2f} tasks/s); results in {self.path}"
        )


def workers_phrase(executor: str, workers: int) -> str:
    """Where the tasks ran, in words: ``in this process``, ``on 2 worker processes``...

    Args:
        executor: ``sequential``, ``processes`` or ``dask``.
        workers: Workers used.
    """
    if executor == "sequential":
        return "in this process"
    plural = workers != 1
    if executor == "processes":
        return f"on {workers} worker process" + ("es" if plural else "")
    return f"on {workers} Dask worker" + ("s" if plural else "")


def sweep(
    experiment: Experiment | str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    progress: bool = True,
    chunk: int | None = None,
    security: Any = None,
    announce: Callable[[str], object] | None = None,
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
        security: A ``distributed.Security`` (TLS certificates) for a
            scheduler at a ``tls://`` address; by default Dask's configuration.
        announce: Called with one line (the design, and the tasks already
            done) once the folder is open and the work about to start.

    Raises:
        ParameterError: Bad options, more memory than the machine has, no
            scheduler at the address, another sweep writing the folder, or a
            folder holding another experiment (see
            :class:`~loyaltysim.experiments.store.ResultStore`).
        OutputError: A result cannot be written (the finished ones are kept).
    """
    experiment = as_experiment(experiment)
    executor = _executor(experiment, workers, scheduler, security)  # before the folder is touched
    points, replications, _ = experiment.size
    total = points * replications
    start = time.perf_counter()
    failed = 0
    with executor as runner, ResultStore(out, experiment) as store:  # connects first
        store.open(overwrite=overwrite)
        done = store.done()
        tasks = plan_tasks(experiment, done=done)
        if announce is not None:
            announce(f"{experiment.describe()}; {len(done):,} tasks already done")
        bar = progress_bar(total, len(done), experiment.name, progress)
        try:
            for task, (runs, monthly) in runner.run(experiment, tasks, chunk):
                try:
                    store.write(task.point, task.replication, runs, monthly)
                except OutputError as exc:
                    raise OutputError(
                        f"{exc}; the finished tasks are saved: make room or mend the folder, "
                        "then run the same command to resume"
                    ) from exc
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
        executor=executor.executor,
        workers=workers or 1,
        damaged=len(store.damaged),
    )


def _run_on_loky(
    experiment: Experiment, chunks: list[list[Task]], workers: int, raise_errors: bool
) -> Iterator[list[tuple[Task, Any]]]:
    """Chunks on a loky pool, in rounds; the tasks of a worker that died run again alone.

    When a worker dies, loky fails every chunk not yet finished. A chunk that
    had started (it creates its file in ``marks`` first) was running when it
    happened: its tasks run again one by one, each alone on the pool, and a
    task whose worker dies then is recorded as failed (:func:`_task_died`).
    A chunk that had not started runs again as it was.
    """
    from concurrent.futures import as_completed

    from loky import get_reusable_executor

    def pool() -> Any:
        return get_reusable_executor(
            max_workers=workers, timeout=60, initializer=end_with_parent, initargs=(os.getpid(),)
        )

    numbers = itertools.count()
    with tempfile.TemporaryDirectory(prefix="loyaltysim-chunks-") as marks:
        queue, alone = chunks, list[Task]()
        while queue or alone:
            for task in alone:
                try:
                    yield pool().submit(_run_chunk, experiment, [task], raise_errors).result()
                except BrokenProcessPool as exc:
                    yield [(task, _task_died(experiment, task, exc, raise_errors))]
            futures = {}
            for tasks in queue:
                mark = os.path.join(marks, str(next(numbers)))
                futures[pool().submit(_run_chunk, experiment, tasks, raise_errors, mark)] = (
                    tasks,
                    mark,
                )
            queue, alone = [], []
            try:
                for future in as_completed(futures):
                    tasks, mark = futures[future]
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        if os.path.exists(mark):
                            alone.extend(tasks)  # running when a worker died: each alone
                        else:
                            queue.append(tasks)
                        continue
                    yield result
            finally:
                for future in futures:
                    future.cancel()


def _dask_client(scheduler: str | None, workers: int, security: Any) -> tuple[Any, Any]:
    """A Dask client, and the ``LocalCluster`` started for it (``None`` for an address).

    Raises:
        ParameterError: No Dask scheduler answers at the address.
    """
    import dask
    from distributed import Client, LocalCluster

    if scheduler == "local":
        # give a task up after its second worker died (not Dask's fourth): a plug-in that
        # ends its process costs fewer restarts
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=50,
            )
        return Client(cluster), cluster  # its workers watch this process themselves
    try:
        options = {"security": security} if security is not None else {}
        return Client(scheduler, timeout="10s", **options), None
    except (OSError, TimeoutError, ValueError) as exc:
        raise ParameterError(
            "--scheduler", scheduler, "the address of a running Dask scheduler", str(exc)
        ) from None


def _run_on_dask(
    client: Any, experiment: Experiment, chunks: list[list[Task]], raise_errors: bool
) -> Iterator[list[tuple[Task, Any]]]:
    """Chunks on a Dask cluster; the tasks of a chunk whose workers died run again alone.

    Dask gives a task whose worker died to another worker and gives up
    (``KilledWorker``) after a few deaths, counting them against every task
    the dying worker held. A chunk it gave up on runs again task by task; a
    task it gives up on then runs once more with nothing else on the cluster,
    and is recorded as failed if its worker dies again (:func:`_task_died`).
    """
    from distributed import KilledWorker, as_completed

    def submit(tasks: list[Task]) -> Any:
        # the experiment goes with each chunk (a few kilobytes): data scattered once is lost
        # when every worker holding it dies
        return client.submit(_run_chunk, experiment, tasks, raise_errors, pure=False)

    pending = {submit(tasks): tasks for tasks in chunks}
    finished, alone = as_completed(list(pending)), []
    for future in finished:
        tasks = pending.pop(future)
        try:
            yield future.result()
        except KilledWorker:
            if len(tasks) == 1:
                alone.append(tasks[0])
            for task in tasks if len(tasks) > 1 else ():
                single = submit([task])
                pending[single] = [task]
                finished.add(single)
    for task in alone:
        try:
            yield submit([task]).result()
        except KilledWorker as exc:
            yield [(task, _task_died(experiment, task, exc, raise_errors))]


#: Seconds between two progress lines when the output is not a terminal.
PROGRESS_SECONDS = 5.0


def progress_bar(total: int, initial: int, name: str, show: bool, unit: str = "task") -> Any:
    """The progress of ``total`` tasks, or ``None`` when not shown.

    A tqdm bar in a terminal or a notebook; elsewhere (output piped to a file
    or a log) a :class:`ProgressLines`, a plain line every few seconds.
    """
    if not show:
        return None
    import sys

    if not _in_a_notebook() and not sys.stderr.isatty():
        return ProgressLines(total, initial, name, unit)
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, desc=name, unit=unit)


def _in_a_notebook() -> bool:
    """Whether this runs in a Jupyter kernel (which shows tqdm's bar as a widget)."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


class ProgressLines:
    """Progress as plain lines on stderr, at most one every ``interval`` seconds.

    ``when_to_verify: 40/100 tasks (40%), 31 s, failed=0``: one line each, so a
    log or a pipe shows how far a long sweep is; a run shorter than the
    interval prints nothing. It offers the part of tqdm's interface the sweeps
    use (``update``, ``set_postfix``, ``close``).

    Args:
        total: Tasks in all.
        initial: Tasks already done.
        name: What is running (the experiment's name).
        unit: What a task is called.
        interval: Seconds between two lines.
        clock: Seconds since some start (tests pass their own).
    """

    def __init__(
        self,
        total: int,
        initial: int,
        name: str,
        unit: str = "task",
        interval: float = PROGRESS_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.done, self.name, self.unit = total, initial, name, unit
        self.interval, self.clock = interval, clock
        self.start = self.last = clock()
        self.postfix: dict[str, Any] = {}
        self.printed = 0

    def update(self, n: int = 1) -> None:
        """``n`` more tasks done; a line if the interval has passed since the last."""
        self.done += n
        if self.clock() - self.last >= self.interval:
            self._print()

    def set_postfix(self, refresh: bool = False, **values: Any) -> None:
        """Values shown at the end of the next line (``failed=2``)."""
        self.postfix = values

    def close(self) -> None:
        """A last line, when the run was long enough to print any."""
        if self.printed:
            self._print()

    def line(self) -> str:
        """The progress, in one line."""
        share = self.done / self.total if self.total else 1.0
        extra = "".join(f", {key}={value}" for key, value in self.postfix.items())
        return (
            f"{self.name}: {self.done:,}/{self.total:,} {self.unit}s ({share:.0%}), "
            f"{self.clock() - self.start:.0f} s{extra}"
        )

    def _print(self) -> None:
        import sys

        print(self.line(), file=sys.stderr, flush=True)
        self.last = self.clock()
        self.printed += 1
