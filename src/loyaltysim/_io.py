"""Files in and out: TOML input within a size limit, output checked first and written whole."""

from __future__ import annotations

import errno
import os
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loyaltysim.errors import OutputError, ParameterError, ScenarioFileError
from loyaltysim.params import MAX_INPUT_BYTES

__all__ = ["check_writable", "read_toml", "write_atomic"]


def read_toml(path: str | Path, kind: str) -> dict[str, Any]:
    """Read a TOML file of at most :data:`~loyaltysim.params.MAX_INPUT_BYTES` bytes.

    The file is UTF-8, with or without a byte-order mark. At most one byte
    past the limit is read, so ``/dev/zero`` or a huge file is refused at once.

    Args:
        path: The file.
        kind: What the file is, for the messages (``"scenario"``, ``"experiment"``).

    Raises:
        ScenarioFileError: Missing, not a file, unreadable, too large, not
            UTF-8 or not TOML.
    """
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioFileError(f"{path}: no such {kind} file") from None
    except IsADirectoryError:
        raise ScenarioFileError(f"{path}: a folder, not a {kind} file") from None
    except OSError as exc:
        raise ScenarioFileError(f"{path}: cannot read the {kind} file ({exc.strerror})") from None
    if len(data) > MAX_INPUT_BYTES:
        raise ScenarioFileError(
            f"{path}: larger than {MAX_INPUT_BYTES:,} bytes, the most a {kind} file may hold "
            "(is it the right file?)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioFileError(
            f"{path}: cannot read the {kind} file (not UTF-8 text: byte {exc.start})"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioFileError(f"{path}: not valid TOML ({exc})") from None


def check_writable(option: str, path: str | Path, *, folder: bool = False) -> None:
    """Refuse an output path that cannot be written, before any work starts.

    The path must be a file path (or, with ``folder``, a folder) whose
    missing parent folders can be created; in the nearest folder that exists
    a small probe file is written and removed, which also finds a read-only
    file system or a full disk.

    Args:
        option: The option that names the path (``"--csv"``, ``"--out"``).
        path: The path.
        folder: The path is a folder to create or fill, not a file.

    Raises:
        ParameterError: The path cannot be written, and why.
    """
    target = Path(path)
    if target.is_dir() != folder and target.exists():
        wanted = "a folder, not a file" if folder else "a file path, not a folder"
        raise ParameterError(option, str(path), wanted)
    existing = target if folder else target.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ParameterError(
            option, str(path), "a path whose folders can be created", f"{existing} is a file"
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=".loyaltysim-probe-", dir=existing)
        try:
            os.write(fd, b"\0" * 4096)
        finally:
            os.close(fd)
            Path(probe).unlink(missing_ok=True)
    except OSError as exc:
        raise ParameterError(
            option, str(path), "a path this user can write", f"{existing}: {_reason(exc)}"
        ) from None


def write_atomic(path: str | Path, write: Callable[[str], object]) -> None:
    """Write through a temporary file in the same folder, then rename into place.

    ``write`` receives the temporary path. If it raises (or the process is
    interrupted), the temporary file is removed and ``path`` is untouched.
    The file ends with the permissions a plain ``open`` would give it (the
    umask's), not the owner-only mode of a temporary file.

    Raises:
        OutputError: The file or its folder cannot be written (read-only, a
            full disk, a parent that is a file), in one line.
    """
    target = Path(path)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent
        )
        os.close(fd)
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {_reason(exc)}") from exc
    finally:
        if tmp is not None and os.path.exists(tmp):
            Path(tmp).unlink(missing_ok=True)


def _reason(exc: OSError) -> str:
    """Why a write failed, in words (a parent that is a file says so)."""
    if exc.errno in (errno.ENOTDIR, errno.EEXIST) and exc.filename:
        return f"{exc.filename} is in the way: a file where a folder is needed"
    return exc.strerror or str(exc)


def _umask() -> int:
    """The process's umask (reading it means setting it, so set it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
