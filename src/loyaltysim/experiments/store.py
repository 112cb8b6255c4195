"""Results that survive: one verified Parquet file per finished task, a lock, metadata first.

A results folder holds::

    metadata.json        the experiment definition, its fingerprint, root seed, versions
    .lock                held by the sweep writing the folder (its process id, host, start)
    points.parquet       the design points
    runs/p<point>-r<replication>-<checksum>.parquet      one row per policy: status, error, summary
    monthly/p<point>-r<replication>-<checksum>.parquet   every k-th month per policy (if asked)

What keeps it whole:

- **Identity first.** ``metadata.json`` is written before anything else, and
  every file through a temporary name renamed into place, so a kill at any
  moment leaves either nothing of a file or all of it.
- **One writer.** A sweep holds an exclusive lock on ``.lock`` (``flock``)
  while it runs; a second sweep on the folder is refused in one line. The
  system releases the lock when its process dies, however it dies, so the
  next sweep takes a dead one's folder over and removes the temporary files
  it left (only then: their writer is gone).
- **Verified files.** A task's file name carries the first 16 hex digits of
  the SHA-256 of the experiment's fingerprint, the task and the file's
  bytes. A truncated, emptied, changed, copied or foreign file fails the
  check: a resumed sweep removes it and runs its task again, and ``report``
  names it. Names of any other pattern (``... (copy).parquet``) are ignored.
- **Recovery.** A folder whose ``metadata.json`` is missing or damaged but
  whose files verify against the experiment is this experiment's: the sweep
  writes ``metadata.json`` again and keeps them. ``--overwrite`` discards the
  results of any folder a sweep wrote, damaged or not (only the sweep's own
  files and folders, never others).

Reading sorts the rows by point, replication and policy order, so the results
do not depend on which task finished first.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import shutil
import socket
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from loyaltysim._io import check_writable, write_atomic
from loyaltysim.errors import OutputError, ParameterError, brief
from loyaltysim.experiments.definition import Experiment

__all__ = ["FORMAT", "METADATA", "ResultStore", "read_metadata", "read_parts"]

METADATA = "metadata.json"
POINTS = "points.parquet"
LOCK = ".lock"
#: The results format: 2 added the lock and the checksums in the file names.
FORMAT = 2
#: The folders of task files.
PARTS = ("runs", "monthly")
#: What a sweep writes in a results folder (``--overwrite`` removes these, nothing else).
OWN = (METADATA, POINTS, *PARTS, "report")
#: A task's file: ``p<point>-r<replication>-<checksum>.parquet``.
PART_NAME = re.compile(r"p(\d{6,})-r(\d{4,})-([0-9a-f]{16})\.parquet")
#: A file being written into the folder (``.<name>.<random><suffix>``), or a writability probe.
TEMPORARY = re.compile(
    r"\.(metadata\.json|points\.parquet|p\d{6,}-r\d{4,}-[0-9a-f]{16}\.parquet)\.\w+\.(json|parquet)"
    r"|\.loyaltysim-probe-\w+"
)

_REMEDY = "run the same `loyaltysim sweep` command again: it runs damaged tasks again"


class ResultStore:
    """The results folder of one experiment, opened by the sweep that writes it.

    Args:
        path: The folder.
        experiment: The experiment whose results it holds.

    Attributes:
        damaged: Task files found damaged (and removed) by :meth:`done`.
    """

    def __init__(self, path: str | Path, experiment: Experiment) -> None:
        self.path = Path(path)
        self.experiment = experiment
        self.damaged: list[Path] = []
        self._lock: FolderLock | None = None

    # --- opening and closing -----------------------------------------------------------
    def open(self, overwrite: bool = False) -> None:
        """Lock the folder, then create it, resume it or refuse it.

        Raises:
            ParameterError: The folder cannot be written, another sweep is
                writing it, it holds another experiment's results or damaged
                ones it cannot recover (and ``overwrite`` is false), or files
                that are not a sweep's.
        """
        check_writable("--out", self.path, folder=True)
        if self.path.is_dir() and not (self.path / METADATA).exists():
            self._refuse_foreign_files()  # before the lock file is created in someone's folder
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create {self.path}: {exc.strerror}") from None
        self._lock = FolderLock(self.path)
        self._lock.acquire()
        try:
            self._prepare(overwrite)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Release the folder's lock (the system does it too when the process dies)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _refuse_foreign_files(self) -> None:
        others = [
            entry.name
            for entry in self.path.iterdir()
            if entry.name not in (*OWN, LOCK) and not _temporary(entry.name)
        ]
        if others:
            raise ParameterError(
                "--out",
                str(self.path),
                "an empty or new folder",
                f"it holds other files ({brief(sorted(others)[0])}"
                + (f" and {len(others) - 1} more)" if len(others) > 1 else ")"),
            )

    def _prepare(self, overwrite: bool) -> None:
        """Under the lock: clear what a dead sweep left, then check or write the identity."""
        for folder in (self.path, *(self.path / part for part in PARTS)):
            if folder.is_dir():
                for entry in folder.iterdir():
                    if _temporary(entry.name):
                        entry.unlink(missing_ok=True)
        fingerprint = self.experiment.fingerprint
        try:
            meta = _load_metadata(self.path)
            old: str | None = meta["fingerprint"]
            problem = _format_problem(meta) or (
                "" if old == fingerprint else "it holds results of a changed experiment definition"
            )
        except _Damaged as damage:
            old, problem = None, str(damage)
            if self._recognises_its_files():
                problem = ""  # the files are this experiment's: write metadata.json again
            else:
                problem += ", and none of its result files is this experiment's"
        if overwrite:
            self._clear()
        elif problem:
            raise ParameterError(
                "--out",
                str(self.path),
                "a folder of this experiment's results or a new folder",
                f"{problem}; use a new --out, or --overwrite to discard its results",
            )
        if old != fingerprint or overwrite:
            self._write_metadata()
        write_atomic(self.path / POINTS, lambda p: self.experiment.points().to_parquet(p))

    def _recognises_its_files(self) -> bool:
        """No task files, or at least one that verifies against this experiment."""
        files = [file for part in PARTS for file in _part_files(self.path / part)]
        fingerprint = self.experiment.fingerprint
        return not files or any(_verified_bytes(file, fingerprint) is not None for file in files)

    def _clear(self) -> None:
        for name in OWN:
            target = self.path / name
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)

    def _write_metadata(self) -> None:
        from loyaltysim.simulation import versions

        experiment = self.experiment
        points, replications, _ = experiment.size
        meta = {
            "format": FORMAT,
            "name": experiment.name,
            "fingerprint": experiment.fingerprint,
            "seed": experiment.seed,
            "points": points,
            "replications": replications,
            "policies": [p.name for p in experiment.policies],
            "versions": versions(),
            "definition": experiment.to_dict(),
        }
        text = json.dumps(meta, indent=2, default=str)
        write_atomic(self.path / METADATA, lambda p: Path(p).write_text(text))

    # --- tasks -------------------------------------------------------------------------
    def done(self) -> set[tuple[int, int]]:
        """The (point, replication) tasks already finished, every file of them verified.

        The files of an unfinished task (damaged, or a monthly file without
        its run file) are removed, so that it runs again from nothing; the
        damaged ones are listed in :attr:`damaged`.
        """
        fingerprint = self.experiment.fingerprint
        parts = [p for p in PARTS if p == "runs" or self.experiment.monthly_every]
        found: dict[tuple[int, int], dict[str, Path]] = defaultdict(dict)
        everything: dict[tuple[int, int], list[Path]] = defaultdict(list)
        for part in PARTS:
            for file in _part_files(self.path / part):
                key = _task_of(file)
                everything[key].append(file)
                if part not in parts:
                    continue
                if _verified_bytes(file, fingerprint) is None:
                    self.damaged.append(file)
                elif part not in found[key]:  # a second whole file of a task is left out
                    found[key][part] = file
        finished = {key for key, files in found.items() if len(files) == len(parts)}
        for key, files in everything.items():
            for file in files:
                if key not in finished or file not in found[key].values():
                    file.unlink(missing_ok=True)
        return finished

    def write(
        self, point: int, replication: int, runs: pd.DataFrame, monthly: pd.DataFrame | None
    ) -> None:
        """Save one finished task (the monthly file first, so a run file means both).

        When the experiment keeps months, a task whose every run failed gets
        an empty monthly file.
        """
        if self.experiment.monthly_every:
            self._write_part("monthly", point, replication, monthly)
        self._write_part("runs", point, replication, runs)

    def _write_part(
        self, part: str, point: int, replication: int, frame: pd.DataFrame | None
    ) -> None:
        buffer = io.BytesIO()
        (frame if frame is not None else pd.DataFrame()).to_parquet(buffer, index=False)
        data = buffer.getvalue()
        stem = f"p{point:06d}-r{replication:04d}"
        name = f"{stem}-{_checksum(self.experiment.fingerprint, stem, data)}.parquet"
        write_atomic(self.path / part / name, lambda p: Path(p).write_bytes(data))

    def metadata(self) -> dict[str, Any]:
        """The folder's metadata."""
        return read_metadata(self.path)


# --- the lock ----------------------------------------------------------------------------
class FolderLock:
    """An exclusive lock on a results folder's ``.lock``, released when its process ends.

    The file holds who holds the lock (process id, host, start time), for the
    message that refuses a second writer.

    Args:
        folder: The folder locked.
        command: The command that writes it (``sweep``, ``search``), named in
            the message that refuses a second one.
    """

    def __init__(self, folder: Path, command: str = "sweep") -> None:
        self.folder = folder
        self.command = command
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or refuse.

        Raises:
            ParameterError: A live process of the command holds it.
            OutputError: The lock file cannot be created or locked.
        """
        path = self.folder / LOCK
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise OutputError(f"cannot create {path}: {exc.strerror}") from None
        try:
            _lock_file(fd)
        except BlockingIOError:
            os.lseek(fd, 0, os.SEEK_SET)
            holder = os.read(fd, 1000).decode("utf-8", "replace")
            os.close(fd)
            raise ParameterError(
                "--out",
                str(self.folder),
                f"a folder no other {self.command} is writing",
                f"{_describe_holder(holder)}; let it finish or stop it, then run this "
                "command again",
            ) from None
        except OSError as exc:
            os.close(fd)
            raise OutputError(f"cannot lock {path}: {exc.strerror}") from None
        started = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        holder = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": started})
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, holder.encode())
        self._fd = fd

    def release(self) -> None:
        """Release the lock (closing the file releases it)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


if sys.platform == "win32":  # pragma: no cover - the lock of Windows

    def _lock_file(fd: int) -> None:
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            raise BlockingIOError(str(exc)) from None

else:

    def _lock_file(fd: int) -> None:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _describe_holder(text: str) -> str:
    """Who holds the lock, from the lock file's text."""
    try:
        holder = json.loads(text)
        return (
            f"the sweep of process {holder['pid']} on {holder['host']} has been writing it "
            f"since {holder['since']}"
        )
    except (ValueError, TypeError, KeyError):
        return "another sweep is writing it"


# --- task files --------------------------------------------------------------------------
def _checksum(fingerprint: str, stem: str, data: bytes) -> str:
    """16 hex digits of SHA-256 over the experiment's fingerprint, the task and the bytes."""
    digest = hashlib.sha256(f"{fingerprint}/{stem}/".encode())
    digest.update(data)
    return digest.hexdigest()[:16]


def _part_files(folder: Path) -> list[Path]:
    """The task files of a folder, by name (any other name is ignored)."""
    if not folder.is_dir():
        return []
    return sorted(f for f in folder.iterdir() if PART_NAME.fullmatch(f.name))


def _task_of(file: Path) -> tuple[int, int]:
    match = PART_NAME.fullmatch(file.name)
    assert match is not None
    return int(match[1]), int(match[2])


def _verified_bytes(file: Path, fingerprint: str) -> bytes | None:
    """The file's bytes if its checksum verifies against ``fingerprint``, else ``None``."""
    match = PART_NAME.fullmatch(file.name)
    try:
        data = file.read_bytes()
    except OSError:
        return None
    if match is None or _checksum(fingerprint, file.name[: match.end(2)], data) != match[3]:
        return None
    return data


def _temporary(name: str) -> bool:
    """A name of a file being written (:func:`~loyaltysim._io.write_atomic`) or a probe."""
    return TEMPORARY.fullmatch(name) is not None


class _Damaged(Exception):
    """A ``metadata.json`` that is missing or cannot be read; the message says why."""


def _load_metadata(path: Path) -> dict[str, Any]:
    """``metadata.json`` as a dict with a fingerprint and a definition, of any format.

    Raises:
        _Damaged: Missing, unreadable, not JSON, or without them.
    """
    try:
        text = (path / METADATA).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _Damaged("it has no metadata.json") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise _Damaged(f"its metadata.json cannot be read ({exc})") from None
    try:
        meta = json.loads(text)
    except ValueError as exc:
        raise _Damaged(f"its metadata.json is damaged: not JSON ({exc})") from None
    if not (
        isinstance(meta, dict)
        and isinstance(meta.get("fingerprint"), str)
        and isinstance(meta.get("definition"), dict)
    ):
        raise _Damaged("its metadata.json is damaged: no fingerprint or definition")
    return meta


def _format_problem(meta: dict[str, Any]) -> str:
    if meta.get("format") == FORMAT:
        return ""
    return (
        f"it was written by an older loyaltysim (results format {brief(meta.get('format', 1))}; "
        f"this one reads {FORMAT})"
    )


def read_metadata(path: str | Path, name: str = "results") -> dict[str, Any]:
    """A results folder's ``metadata.json``, checked to be one a sweep of this version wrote.

    Args:
        path: The results folder.
        name: The option naming the folder, for the message.

    Raises:
        ParameterError: No ``metadata.json``, a damaged one, or one of an
            older results format; the hint says what to do.
    """
    path = Path(path)
    accepts = "a folder written by `loyaltysim sweep` (with metadata.json)"
    try:
        meta = _load_metadata(path)
    except _Damaged as damage:
        hint = str(damage)
        if (path / METADATA).exists():
            hint += (
                "; run the same `loyaltysim sweep` command again: it writes metadata.json "
                "again and keeps the finished runs"
            )
        raise ParameterError(name, str(path), accepts, hint) from None
    problem = _format_problem(meta)
    if problem:
        raise ParameterError(name, str(path), accepts, f"{problem}; run its sweep with --overwrite")
    return meta


def read_parts(folder: Path, policies: list[str], fingerprint: str | None = None) -> pd.DataFrame:
    """Every task file of a folder, verified, in (point, replication, policy[, month]) order.

    Args:
        folder: ``<results>/runs`` or ``<results>/monthly``.
        policies: The experiment's policy names, in order.
        fingerprint: The experiment's fingerprint (default: the one in the
            results folder's ``metadata.json``).

    Raises:
        ParameterError: A task file is damaged: its checksum does not verify,
            or it is not the table of its task (the first one is named).
    """
    if fingerprint is None:
        fingerprint = read_metadata(folder.parent)["fingerprint"]
    frames, damaged, seen = [], [], set()
    for file in _part_files(folder):
        key = _task_of(file)
        frame = _read_part(file, fingerprint, key, policies)
        if frame is None:
            if file.exists():  # not removed meanwhile by a sweep starting
                damaged.append(file)
        elif key not in seen:  # a second whole file of a task is left out
            seen.add(key)
            if not frame.empty:
                frames.append(frame)
    if damaged:
        more = f" and {len(damaged) - 1} more" if len(damaged) > 1 else ""
        raise ParameterError(
            "results",
            str(folder.parent),
            "a results folder whose files are whole",
            f"{damaged[0]}{more} damaged: truncated, changed or not this experiment's; " + _REMEDY,
        )
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    order = {name: i for i, name in enumerate(policies)}
    keys = ["point", "replication", "_order"] + (["month"] if "month" in frame else [])
    frame["_order"] = frame["policy"].map(order)
    return frame.sort_values(keys).drop(columns="_order").reset_index(drop=True)


def _read_part(
    file: Path, fingerprint: str, key: tuple[int, int], policies: list[str]
) -> pd.DataFrame | None:
    """A task file's table, or ``None`` when it does not verify or is not its task's."""
    data = _verified_bytes(file, fingerprint)
    if data is None:
        return None
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception:  # pyarrow's errors on a file that verified but does not parse
        return None
    if frame.empty:
        return frame
    point, replication = key
    whole = (
        {"point", "replication", "policy"} <= set(frame.columns)
        and (frame["point"] == point).all()
        and (frame["replication"] == replication).all()
        and set(frame["policy"]) <= set(policies)
    )
    return frame if whole else None
