"""Exceptions raised by loyaltysim.

Every problem with user input is a :class:`ParameterError` (or a subclass):
one line that names the parameter, what it got and what it accepts. The CLI
prints that line and exits with status 2; Python callers can catch the type.
An output that cannot be written is an :class:`OutputError`, and code a user
plugged in (a rule, a dimension's submodel) that raises is a
:class:`PluginError`: one line each, exit status 2 as well.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BRIEF_CHARACTERS",
    "LoyaltysimError",
    "OutputError",
    "ParameterError",
    "PluginError",
    "ScenarioFileError",
    "brief",
    "describe_exception",
]

#: The most characters of a value an error message shows (a long value shows its start).
BRIEF_CHARACTERS = 80


def brief(value: object) -> str:
    """``repr(value)``, cut to its first :data:`BRIEF_CHARACTERS` characters when longer.

    Example:
        >>> brief("x" * 1_000)[-30:]
        'xxxxxxxx... (1,002 characters)'
        >>> brief([1, 2])
        '[1, 2]'
    """
    try:
        text = repr(value)
    except Exception as exc:  # a plug-in's object whose repr fails
        text = f"<{type(value).__name__} (its repr raised {type(exc).__name__})>"
    return _cut(text)


def _cut(text: str) -> str:
    """``text``, or its first :data:`BRIEF_CHARACTERS` characters and its length."""
    if len(text) <= BRIEF_CHARACTERS:
        return text
    return f"{text[:BRIEF_CHARACTERS]}... ({len(text):,} characters)"


def describe_exception(exc: BaseException) -> str:
    """One line: the exception's type, message and where it was raised.

    Example: ``"RuntimeError: the claims office burned down (my_rules.py:12)"``.
    """
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    message = str(exc).strip().replace("\n", " ")
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    if frames:
        code = frames[-1].tb_frame.f_code
        text += f" ({Path(code.co_filename).name}:{frames[-1].tb_lineno})"
    return text


class LoyaltysimError(Exception):
    """Base class of every error loyaltysim raises on purpose."""


class ParameterError(LoyaltysimError, ValueError):
    """A parameter is unknown, of the wrong type, out of range or inconsistent.

    Args:
        name: The parameter's name as the user wrote it (``"failure_rate"``,
            ``"policy.claims"``; a long one is shown by its start).
        got: The value received (a long one is shown by its start: :func:`brief`).
        accepts: What the parameter accepts, in words
            (``"a number in [0, 1]"``).
        hint: Optional extra sentence (a close match, the conflicting
            parameter).
        unknown: The name itself is not a parameter (``got`` is then the
            value it was given).
    """

    def __init__(
        self, name: str, got: object, accepts: str, hint: str = "", *, unknown: bool = False
    ) -> None:
        self.name = name
        self.got = got
        self.accepts = accepts
        self.hint = hint
        said = "unknown parameter" if unknown else f"got {brief(got)}"
        message = f"{_cut(name)}: {said}; accepts {accepts}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle by the arguments, so the error crosses to and from worker processes."""
        return (_parameter_error, (self.name, self.got, self.accepts, self.hint, str(self)))


def _parameter_error(name: str, got: object, accepts: str, hint: str, message: str) -> Exception:
    error = ParameterError(name, got, accepts, hint)
    error.args = (message,)
    return error


class ScenarioFileError(LoyaltysimError, ValueError):
    """A scenario file cannot be read or parsed (missing, not TOML, bad layout)."""


class OutputError(LoyaltysimError, OSError):
    """An output cannot be written (a read-only folder, a full disk, a parent that is a file)."""


class PluginError(LoyaltysimError):
    """Code a user plugged in (a rule, a dimension's submodel) raised, exited or broke the state.

    The message names the dimension, the rule and what it raised
    (:func:`describe_exception`).
    """
