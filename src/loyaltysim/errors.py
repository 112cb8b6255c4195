"""Exceptions raised by loyaltysim.

Every problem with user input is a :class:`ParameterError` (or a subclass):
one line that names the parameter, what it got and what it accepts. The CLI
prints that line and exits with status 2; Python callers can catch the type.
"""

from __future__ import annotations

__all__ = ["LoyaltysimError", "ParameterError", "ScenarioFileError"]


class LoyaltysimError(Exception):
    """Base class of every error loyaltysim raises on purpose."""


class ParameterError(LoyaltysimError, ValueError):
    """A parameter is unknown, of the wrong type, out of range or inconsistent.

    Args:
        name: The parameter's name as the user wrote it (``"failure_rate"``,
            ``"policy.claims"``).
        got: The value received.
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
        said = "unknown parameter" if unknown else f"got {got!r}"
        message = f"{name}: {said}; accepts {accepts}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class ScenarioFileError(LoyaltysimError, ValueError):
    """A scenario file cannot be read or parsed (missing, not TOML, bad layout)."""
