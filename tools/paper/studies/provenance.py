"""The provenance study: the versions behind the numbers (not checked against the paper)."""

from __future__ import annotations

from collections.abc import Callable

from loyaltysim.simulation import versions
from paper.study import WORKERS, Output, Study, quiet


def make(workers: int = WORKERS, log: Callable[[str], None] = quiet) -> Output:
    """The versions behind the numbers (not checked: it names what is installed)."""
    from importlib.metadata import version

    v = versions()
    others = {name: version(name) for name in ("networkx", "scipy", "pandas", "SALib")}
    items = [f"loyaltysim {v['loyaltysim']}", f"Mesa {v['mesa']}", f"NumPy {v['numpy']}"]
    items += [f"{k} {val}" for k, val in others.items()] + [f"Python {v['python']}"]
    return Output(values={"versions": ", ".join(items)})


STUDY = Study(
    "provenance",
    "the package versions installed",
    make,
    values=("versions",),
    checked=False,
)
