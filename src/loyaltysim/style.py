"""The one plot style and the one axis formatter of every figure.

The command line, the reports of a results folder, the notebooks and the
paper draw with :data:`STYLE` (dpi, font sizes, no offset or scientific
notation on axes) and label money axes with :func:`thousands_ticks`, which shows
what the number is: ``−12.5k``, not ``−12k``. Figures made by the package
apply the style themselves (:func:`styled`); a notebook calls :func:`use` once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from loyaltysim.params import format_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.ticker import Formatter


__all__ = ["DPI", "MINUS", "STYLE", "styled", "thousands", "thousands_ticks", "use"]

DPI = 120
"""Dots per inch of a saved figure (command line, report, paper) and of a notebook's."""

MINUS = "\u2212"
"""The minus sign of tick labels (typographic, as matplotlib draws it)."""

STYLE: dict[str, Any] = {
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 12,
    "axes.formatter.useoffset": False,
    "axes.formatter.limits": (-7, 9),
    "axes.unicode_minus": True,
}
"""Matplotlib settings shared by every figure: readable on a screen and a projector."""

_DECIMALS = 3


def thousands_ticks(sign: bool = False) -> Formatter:
    """An axis formatter: tick labels by :func:`thousands`.

    Args:
        sign: Print a ``+`` before positive values (axes of differences).

    Returns:
        A matplotlib ``FuncFormatter``.
    """
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: thousands(x, sign=sign))


def thousands(value: float, sign: bool = False) -> str:
    """``value`` in thousands with as many decimals as it needs (at most three).

    A value of a million or more keeps the thousands (``12,500k``), so a whole
    axis reads in one unit; zero prints ``0``.

    Example:
        >>> thousands(-12_500), thousands(-2_500), thousands(3_000), thousands(1.25e7)
        ('−12.5k', '−2.5k', '3k', '12,500k')
    """
    if not math.isfinite(value):
        return format_number(value, minus=MINUS)
    if value == 0:
        return "0"
    scaled = value / 1000
    decimals = next(
        (
            d
            for d in range(_DECIMALS)
            if abs(round(scaled, d) - scaled) < 1e-9 * max(1, abs(scaled))
        ),
        _DECIMALS,
    )
    return format_number(scaled, f",.{decimals}f", sign=sign, minus=MINUS) + "k"


def styled[**P, F: Figure](draw: Callable[P, F]) -> Callable[P, F]:
    """Decorate a function that returns a figure: it draws in :data:`STYLE`.

    The settings hold while the figure is made; its axes keep the tick label
    sizes when it is drawn later (saved, or shown by a notebook).
    """

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> F:
        import matplotlib as mpl

        with mpl.rc_context(cast("Any", STYLE)):
            fig = draw(*args, **kwargs)
        for ax in fig.axes:
            ax.tick_params(axis="x", labelsize=STYLE["xtick.labelsize"])
            ax.tick_params(axis="y", labelsize=STYLE["ytick.labelsize"])
        return fig

    return wrapper


def use() -> None:
    """Make :data:`STYLE` the settings of every later figure (a notebook's first cell)."""
    import matplotlib as mpl

    mpl.rcParams.update(cast("Any", STYLE))
