"""What a study is and makes, the configuration of every study, and how one is run and saved.

A *study* runs the package's public API on fixed seeds and makes an :class:`Output`:
tables (Markdown blocks, written to ``papers/tables/NAME.md``), prose values and
figures (``papers/figures/NAME.png``). The studies themselves are in
:mod:`paper.studies`.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loyaltysim._io import write_atomic
from loyaltysim.experiments import Experiment, sweep
from loyaltysim.experiments.analysis import Results
from loyaltysim.params import close_match
from loyaltysim.style import DPI, use

use()  # every figure of the paper in the package's one plot style

ROOT = Path(__file__).resolve().parents[2]
PAPER = ROOT / "papers" / "paper.md"
#: The PDF of the paper and the provenance of the build: generated, not tracked (.gitignore).
PDF = ROOT / "papers" / "paper.pdf"
PROVENANCE = ROOT / "papers" / "provenance.md"
TABLES = ROOT / "papers" / "tables"
FIGURES = ROOT / "papers" / "figures"

# --- the configuration of every study (the paper states each in its table notes) ---------
#: The four named policies: paired replications and root seed (the same as `make run`).
POLICY_REPLICATIONS = 20
POLICY_SEED = 2026
#: The stylised facts: market size, pooled runs and seed (the same as `loyaltysim calibrate
#: --set n_customers=50000`).
FACTS_CUSTOMERS = 50_000
FACTS_REPLICATIONS = 4
FACTS_SEED = 0
#: The case library: root seed of every case (each case's own replications).
CASE_SEED = 2026
#: The robustness of the case verdicts: levels of each assumption's range (the same as
#: `loyaltysim case NAME --robustness`; each case's own replications, seed CASE_SEED).
ROBUSTNESS_LEVELS = 5
#: The break-even experiment, as its file defines it.
WHEN_TO_VERIFY = ROOT / "experiments" / "when_to_verify.toml"
#: The sensitivity experiment: its file, with more Sobol base samples for tighter indices.
WHAT_DRIVES_NPV = ROOT / "experiments" / "what_drives_npv.toml"
SENSITIVITY_SAMPLES = 128
#: Sweep workers (processes) unless --workers says otherwise.
WORKERS = 2


@dataclass
class Output:
    """What a study makes: tables (Markdown blocks), prose values and figures, by name."""

    tables: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass(frozen=True)
class Study:
    """One computation behind some tables, values and figures of the paper.

    Attributes:
        name: Identifier (``--only NAME``).
        does: What it runs, in words.
        make: Runs it: ``make(workers=..., log=...)`` returns an :class:`Output`.
        tables: Names of the tables it makes.
        values: Names of the prose values it makes.
        figures: Names of the figures it makes.
        checked: Whether ``--check`` and the tests compare its output with
            paper.md.
    """

    name: str
    does: str
    make: Callable[..., Output]
    tables: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    checked: bool = True

    @property
    def artefacts(self) -> tuple[str, ...]:
        """Everything it makes, by name."""
        return self.tables + self.values + self.figures


def quiet(_: str) -> None:
    """Discard a progress message (the studies' default ``log``)."""


def select(names: Sequence[str] | None) -> list[Study]:
    """The studies named (a study, or any artefact one makes); all when ``names`` is empty.

    Raises:
        SystemExit: A name no study knows.
    """
    from paper.studies import STUDIES  # the studies import this module

    if not names:
        return list(STUDIES)
    chosen = []
    for name in names:
        study = next((s for s in STUDIES if name == s.name or name in s.artefacts), None)
        if study is None:
            known = [s.name for s in STUDIES] + [a for s in STUDIES for a in s.artefacts]
            hint = close_match(name, known)
            raise SystemExit(
                f"paper: unknown study or artefact {name!r}" + (f" ({hint})" if hint else "")
            )
        if study not in chosen:
            chosen.append(study)
    return [s for s in STUDIES if s in chosen]  # in the paper's order


def run_study(
    study: Study,
    workers: int = WORKERS,
    log: Callable[[str], None] = quiet,
    **inputs: Any,
) -> Output:
    """Run one study and check it made exactly what it declares.

    Args:
        study: The study.
        workers: Sweep worker processes.
        log: Where progress messages go.
        **inputs: Passed on to the study's ``make``, e.g. ``results`` (the case
            library's results, already computed) for the cases study.

    Raises:
        RuntimeError: The study made other tables, values or figures than it declares.
    """
    start = time.perf_counter()
    output = study.make(workers=workers, log=log, **inputs)
    output.seconds = time.perf_counter() - start
    made = (tuple(output.tables), tuple(output.values), tuple(output.figures))
    declared = (study.tables, study.values, study.figures)
    if tuple(map(sorted, made)) != tuple(map(sorted, declared)):
        raise RuntimeError(f"study {study.name} made {made}, declares {declared}")
    return output


def fresh_sweep(experiment: Experiment, workers: int, log: Callable[[str], None]) -> Results:
    """Run ``experiment`` from scratch in a temporary folder and load its results."""
    log(f"    {experiment.describe()}")
    with tempfile.TemporaryDirectory(prefix=f"paper_{experiment.name}_") as folder:
        summary = sweep(experiment, folder, workers=workers, progress=False)
        log(f"    {summary}")
        return Results.load(folder)  # read into memory: the folder may go


def close_figures(output: Output) -> None:
    """Free the figures of ``output`` (some are pyplot figures, which pyplot keeps)."""
    import matplotlib.pyplot as plt

    for fig in output.figures.values():
        plt.close(fig)


def save(output: Output) -> dict[str, float]:
    """Write the tables and figures (atomically); seconds each figure took to draw and save."""
    import matplotlib.pyplot as plt

    for name, body in output.tables.items():
        write_atomic(TABLES / f"{name}.md", lambda p, b=body: Path(p).write_text(b + "\n"))
    seconds = {}
    for name, fig in output.figures.items():
        start = time.perf_counter()
        write_atomic(
            FIGURES / f"{name}.png",
            lambda p, f=fig: f.savefig(p, dpi=DPI, format="png", metadata={"Software": None}),
        )
        plt.close(fig)
        seconds[name] = time.perf_counter() - start
    return seconds
