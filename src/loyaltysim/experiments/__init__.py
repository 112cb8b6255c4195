"""Policy experiments at scale: designs, paired replications, resumable results, analysis.

Example:
    >>> from loyaltysim.experiments import Experiment, Uncertainty
    >>> experiment = Experiment(
    ...     policies=("always_compensate", "verify_first"),
    ...     uncertainties=(Uncertainty("honesty_mean", levels=(0.7, 0.9)),),
    ...     scenario={"n_customers": 300, "horizon_months": 6},
    ...     replications=2,
    ... )
    >>> experiment.describe()
    'experiment: factorial design, 2 points x 2 replications x 2 policies = 8 runs'
"""

from loyaltysim.experiments.definition import DESIGNS, Experiment, Uncertainty
from loyaltysim.experiments.execution import SweepSummary, sweep, task_seed

__all__ = ["DESIGNS", "Experiment", "SweepSummary", "Uncertainty", "sweep", "task_seed"]
