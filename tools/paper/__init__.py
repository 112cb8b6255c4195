"""Regenerate every figure and table of papers/paper.md from scratch.

Run ``python -m paper`` from tools/ (``make paper`` does). Each *study* in
:mod:`paper.studies` runs the package's public API on fixed seeds and makes
tables (written to ``papers/tables/NAME.md``), figures
(``papers/figures/NAME.png``) and short prose values; every file is written
atomically, and :mod:`paper.markers` copies each table and value into
papers/paper.md between its markers. :mod:`paper.study` holds what a study is
and the configuration of them all; :mod:`paper.formatting` how numbers and
tables are printed; :mod:`paper.cli` the command line.

Options: ``--check`` recomputes and reports which tables and values differ
from what paper.md prints (exit status 1 if any; nothing is written);
``--only NAME ...`` runs only the studies named (a study, or any table, value
or figure one makes); ``--workers N`` sets the sweep workers (default 2);
``--list`` lists the studies and what each makes. tests/docs/test_paper.py
checks the cheap studies against paper.md; ``--check`` checks them all.
"""

import matplotlib

matplotlib.use("Agg")

from paper.cli import main
from paper.markers import (
    TABLE_BLOCK,
    VALUE_BLOCK,
    differences,
    figure_links,
    insert,
    missing_markers,
    printed,
)
from paper.studies import STUDIES
from paper.study import (
    Output,
    Study,
    close_figures,
    run_study,
    save,
    select,
)

__all__ = [
    "STUDIES",
    "TABLE_BLOCK",
    "VALUE_BLOCK",
    "Output",
    "Study",
    "close_figures",
    "differences",
    "figure_links",
    "insert",
    "main",
    "missing_markers",
    "printed",
    "run_study",
    "save",
    "select",
]
