"""The studies behind the paper, one module each, in the order the paper prints them.

Each module exposes ``make(workers=..., log=...)``, which runs the study and
returns a :class:`paper.study.Output`, and ``STUDY``, its
:class:`paper.study.Study` record (what it does and makes).
"""

from __future__ import annotations

from paper.studies import (
    break_even,
    cases,
    cdnow,
    facts,
    lever_search,
    library,
    model,
    policies,
    robustness,
    sensitivity,
)
from paper.study import Study

#: Every study, in the paper's order.
STUDIES: tuple[Study, ...] = (
    model.STUDY,
    library.STUDY,
    policies.STUDY,
    facts.STUDY,
    cases.STUDY,
    robustness.STUDY,
    break_even.STUDY,
    sensitivity.STUDY,
    cdnow.STUDY,
    lever_search.STUDY,
)
