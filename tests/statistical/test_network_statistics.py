"""The NumPy network generators against networkx's, in distribution over seeds."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from loyaltysim.network import GraphNetwork
from tests.helpers import GENERATORS, N

SEEDS = range(12)


def _summary(graph: nx.Graph) -> np.ndarray:
    degree = np.array([d for _, d in graph.degree()])
    return np.array(
        [graph.number_of_edges(), nx.average_clustering(graph), degree.std(), degree.max()]
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", list(GENERATORS))
def test_generator_matches_networkx_in_distribution(name):
    """Edges, clustering, degree spread and largest degree, averaged over seeds,
    agree with networkx's generator of the same name within 4 standard errors
    (or 2% of the value, for the quantities that barely vary)."""
    ours, theirs = GENERATORS[name]
    a = np.array([_summary(GraphNetwork(N, ours(s)).to_networkx()) for s in SEEDS])
    b = np.array([_summary(theirs(s)) for s in SEEDS])
    se = np.sqrt(a.var(axis=0, ddof=1) / len(SEEDS) + b.var(axis=0, ddof=1) / len(SEEDS))
    tolerance = np.maximum(4 * se, 0.02 * np.abs(b.mean(axis=0)))
    gap = np.abs(a.mean(axis=0) - b.mean(axis=0))
    assert np.all(gap <= tolerance), dict(ours=a.mean(0), networkx=b.mean(0), tolerance=tolerance)
