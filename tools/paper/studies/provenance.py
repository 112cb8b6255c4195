"""The provenance of a build: the versions behind the numbers, in a generated, untracked file.

The paper's numbers and figures depend on the seeds and inputs it states, and
on the package versions; which versions a given build ran on is written to
``papers/provenance.md`` (ignored by git, so a rebuild leaves the tree clean)
and printed at the end of the PDF.
"""

from __future__ import annotations

from importlib.metadata import version

from loyaltysim.simulation import versions


def versions_line() -> str:
    """The versions installed: loyaltysim, Mesa, NumPy, networkx, scipy, pandas, SALib, Python."""
    v = versions()
    others = {name: version(name) for name in ("networkx", "scipy", "pandas", "SALib")}
    items = [f"loyaltysim {v['loyaltysim']}", f"Mesa {v['mesa']}", f"NumPy {v['numpy']}"]
    items += [f"{k} {val}" for k, val in others.items()] + [f"Python {v['python']}"]
    return ", ".join(items)


def markdown(studies: list[str]) -> str:
    """The provenance section of a build (Markdown): the versions and the studies rerun."""
    return (
        "## Provenance of this build\n\n"
        f"Built by `make paper` with {versions_line()}. Studies rerun in this build: "
        f"{', '.join(studies)}.\n"
    )
