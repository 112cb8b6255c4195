"""Results that survive: one Parquet file per finished task, written atomically.

A results folder holds::

    metadata.json        the experiment definition, its fingerprint, root seed, versions
    points.parquet       the design points
    runs/p<point>-r<replication>.parquet      one row per policy: status, error, summary
    monthly/p<point>-r<replication>.parquet   every k-th month per policy (if asked)

Each task's file appears whole or not at all (written to a temporary name, then
renamed), so killing the process at any moment loses no finished task, and
re-running resumes with the tasks that have no file yet. Reading sorts the rows
by point, replication and policy order, so the results do not depend on which
task finished first.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from loyaltysim._io import write_atomic
from loyaltysim.errors import ParameterError
from loyaltysim.experiments.definition import Experiment

__all__ = ["ResultStore"]

METADATA = "metadata.json"


class ResultStore:
    """The results folder of one experiment.

    Args:
        path: The folder.
        experiment: The experiment whose results it holds.
    """

    def __init__(self, path: str | Path, experiment: Experiment) -> None:
        self.path = Path(path)
        self.experiment = experiment

    def open(self, overwrite: bool = False) -> None:
        """Create the folder, or check that its results are this experiment's.

        Raises:
            ParameterError: The folder holds another experiment's results (and
                ``overwrite`` is false), or is not a results folder.
        """
        meta = self.path / METADATA
        if self.path.exists() and not self.path.is_dir():
            raise ParameterError("--out", str(self.path), "a folder, not a file")
        if meta.exists():
            old = json.loads(meta.read_text())
            if old.get("fingerprint") != self.experiment.fingerprint:
                if not overwrite:
                    raise ParameterError(
                        "--out",
                        str(self.path),
                        "a folder of this experiment's results or a new folder",
                        "it holds results of a changed experiment definition; use a new --out "
                        "or --overwrite to discard them",
                    )
                self._clear()
            elif overwrite:
                self._clear()
        elif self.path.exists() and any(self.path.iterdir()):
            raise ParameterError(
                "--out", str(self.path), "an empty or new folder", "it holds other files"
            )
        if not (self.path / METADATA).exists():
            self._write_metadata()
        for leftover in self.path.glob("*/.p*-r*.parquet.*"):
            leftover.unlink()  # a write cut short by a kill: its task is run again

    def _clear(self) -> None:
        for name in ("runs", "monthly"):
            shutil.rmtree(self.path / name, ignore_errors=True)
        for name in (METADATA, "points.parquet"):
            (self.path / name).unlink(missing_ok=True)

    def _write_metadata(self) -> None:
        from loyaltysim.simulation import versions

        experiment = self.experiment
        points, replications, _ = experiment.size
        meta = {
            "name": experiment.name,
            "fingerprint": experiment.fingerprint,
            "seed": experiment.seed,
            "points": points,
            "replications": replications,
            "policies": [p.name for p in experiment.policies],
            "versions": versions(),
            "definition": experiment.to_dict(),
        }
        self.path.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path / "points.parquet", lambda p: experiment.points().to_parquet(p))
        write_atomic(
            self.path / METADATA,
            lambda p: Path(p).write_text(json.dumps(meta, indent=2, default=str)),
        )

    def done(self) -> set[tuple[int, int]]:
        """The (point, replication) tasks already finished."""
        runs = self.path / "runs"
        if not runs.exists():
            return set()
        keys = set()
        for file in runs.glob("p*-r*.parquet"):
            point, _, replication = file.stem[1:].partition("-r")
            keys.add((int(point), int(replication)))
        return keys

    def write(self, point: int, replication: int, runs: pd.DataFrame, monthly: pd.DataFrame | None):
        """Save one finished task (the monthly file first, so a run file means both)."""
        name = f"p{point:06d}-r{replication:04d}.parquet"
        if monthly is not None:
            (self.path / "monthly").mkdir(exist_ok=True)
            write_atomic(self.path / "monthly" / name, lambda p: monthly.to_parquet(p, index=False))
        (self.path / "runs").mkdir(exist_ok=True)
        write_atomic(self.path / "runs" / name, lambda p: runs.to_parquet(p, index=False))

    def metadata(self) -> dict[str, Any]:
        """The folder's metadata."""
        return json.loads((self.path / METADATA).read_text())


def read_parts(folder: Path, policies: list[str]) -> pd.DataFrame:
    """Every part file of a folder, in (point, replication, policy[, month]) order."""
    files = sorted(folder.glob("p*-r*.parquet")) if folder.exists() else []
    if not files:
        return pd.DataFrame()
    frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    order = {name: i for i, name in enumerate(policies)}
    keys = ["point", "replication", "_order"] + (["month"] if "month" in frame else [])
    frame["_order"] = frame["policy"].map(order)
    return frame.sort_values(keys).drop(columns="_order").reset_index(drop=True)
