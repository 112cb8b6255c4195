"""The social network through which word of mouth and fraud tips travel.

Two implementations share one small interface used by the submodels:

* :class:`GraphNetwork` stores an undirected graph in compressed sparse row
  form (``indptr``, ``indices``), built by a networkx generator seeded from
  the run's :class:`numpy.random.SeedSequence`, or from a user's graph.
* :class:`WellMixed` is the complete graph without its N^2 edges: everyone
  is everyone else's contact (``network = "complete"``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import networkx as nx
import numpy as np
import scipy.sparse as sp

from loyaltysim.errors import ParameterError
from loyaltysim.scenario import Scenario

__all__ = ["GraphNetwork", "SocialNetwork", "WellMixed", "build_network"]


class SocialNetwork(ABC):
    """Who can talk to whom among the ``n`` people of a market."""

    n: int

    @abstractmethod
    def customer_share(self, active: np.ndarray) -> np.ndarray:
        """Share of each person's contacts who are active customers (0 if none)."""

    @abstractmethod
    def sample_contacts(
        self, speakers: np.ndarray, reach: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Draw ``reach`` contacts (with replacement) for each speaker.

        Returns:
            ``(speaker, contact)`` arrays of equal length; speakers without
            contacts are left out.
        """

    @abstractmethod
    def degree(self) -> np.ndarray:
        """Number of contacts of each person."""

    @property
    def nbytes(self) -> int:
        """Memory held by the network's arrays, in bytes."""
        return 0


class GraphNetwork(SocialNetwork):
    """An undirected graph in compressed sparse row form.

    Args:
        n: Number of people (nodes ``0 .. n-1``).
        edges: ``(m, 2)`` integer array of undirected edges; self-loops and
            duplicates are dropped.
    """

    def __init__(self, n: int, edges: np.ndarray) -> None:
        self.n = n
        edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        edges = edges[edges[:, 0] != edges[:, 1]]
        rows = np.concatenate([edges[:, 0], edges[:, 1]])
        cols = np.concatenate([edges[:, 1], edges[:, 0]])
        adjacency = sp.csr_array((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n, n))
        adjacency.sum_duplicates()
        adjacency.data[:] = 1.0
        self.adjacency = adjacency
        self.indptr = adjacency.indptr.astype(np.int64)
        self.indices = adjacency.indices
        self._degree = np.diff(self.indptr)

    @classmethod
    def from_networkx(cls, graph: nx.Graph, n: int) -> GraphNetwork:
        """Use a user's networkx graph; its nodes, in iteration order, are people 0..n-1.

        Raises:
            ParameterError: The graph does not have exactly ``n`` nodes.
        """
        if graph.number_of_nodes() != n:
            raise ParameterError(
                "network",
                f"a graph with {graph.number_of_nodes()} nodes",
                f"a graph with n_customers = {n} nodes",
            )
        index = {node: i for i, node in enumerate(graph.nodes)}
        edges = np.array([(index[u], index[v]) for u, v in graph.edges], dtype=np.int64)
        return cls(n, edges)

    def customer_share(self, active: np.ndarray) -> np.ndarray:  # noqa: D102
        counts = self.adjacency @ active.astype(np.float32)
        return np.divide(counts, self._degree, out=np.zeros(self.n), where=self._degree > 0)

    def sample_contacts(  # noqa: D102
        self, speakers: np.ndarray, reach: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        speakers = speakers[self._degree[speakers] > 0]
        speaker = np.repeat(speakers, reach)
        offset = (rng.random(speaker.size) * self._degree[speaker]).astype(np.int64)
        return speaker, self.indices[self.indptr[speaker] + offset]

    def degree(self) -> np.ndarray:  # noqa: D102
        return self._degree

    def to_networkx(self) -> nx.Graph:
        """The graph as a networkx graph (for drawing and analysis)."""
        return nx.from_scipy_sparse_array(self.adjacency)

    @property
    def nbytes(self) -> int:  # noqa: D102
        a = self.adjacency
        return a.data.nbytes + a.indices.nbytes + a.indptr.nbytes + self.indptr.nbytes


class WellMixed(SocialNetwork):
    """The complete graph: everyone is a contact of everyone else.

    Stored without edges; contacts are drawn uniformly from the other
    ``n - 1`` people, so adoption follows the discrete Bass map.
    """

    def __init__(self, n: int) -> None:
        self.n = n

    def customer_share(self, active: np.ndarray) -> np.ndarray:  # noqa: D102
        total = np.count_nonzero(active)
        return (total - active) / (self.n - 1)

    def sample_contacts(  # noqa: D102
        self, speakers: np.ndarray, reach: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        speaker = np.repeat(speakers, reach)
        contact = rng.integers(0, self.n - 1, size=speaker.size)
        contact += contact >= speaker  # skip oneself
        return speaker, contact

    def degree(self) -> np.ndarray:  # noqa: D102
        return np.full(self.n, self.n - 1)


def build_network(scenario: Scenario, seed: np.random.SeedSequence) -> SocialNetwork:
    """Generate the scenario's network, every random choice drawn from ``seed``."""
    n, k = scenario.n_customers, scenario.network_mean_degree
    if scenario.network == "complete":
        return WellMixed(n)
    nx_seed = int(seed.generate_state(1, dtype=np.uint32)[0])
    if scenario.network == "watts_strogatz":
        graph = nx.watts_strogatz_graph(n, k, scenario.network_rewiring, seed=nx_seed)
    elif scenario.network == "barabasi_albert":
        graph = nx.barabasi_albert_graph(n, max(1, k // 2), seed=nx_seed)
    else:  # erdos_renyi
        graph = nx.fast_gnp_random_graph(n, k / (n - 1), seed=nx_seed)
    edges = np.fromiter(
        (x for edge in graph.edges for x in edge), dtype=np.int64, count=2 * graph.number_of_edges()
    )
    return GraphNetwork(n, edges)
