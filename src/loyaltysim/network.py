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
from loyaltysim.population import keep_freed_blocks
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
        simple: The caller guarantees there are no self-loops or duplicate
            edges (the generators of :func:`build_network` do), which
            saves a pass over the edges.
    """

    def __init__(self, n: int, edges: np.ndarray, *, simple: bool = False) -> None:
        self.n = n
        edges = np.asarray(edges).reshape(-1, 2)
        if not simple:
            keys = _edge_keys(edges[:, 0], edges[:, 1], n)
            keys = _distinct(keys[edges[:, 0] != edges[:, 1]])
            edges = _edges_from_keys(keys, n)
        u, v = edges[:, 0].astype(np.int32), edges[:, 1].astype(np.int32)
        del edges
        rows, cols = np.concatenate([u, v]), np.concatenate([v, u])
        del u, v
        ones = np.ones(rows.size, dtype=np.float32)
        self.adjacency = sp.csr_array((ones, (rows, cols)), shape=(n, n))
        self.indptr = self.adjacency.indptr.astype(np.int64)
        self.indices = self.adjacency.indices
        self._degree = np.diff(self.indptr)
        self._active: np.ndarray | None = None  # status seen by the last customer_share call
        self._active_contacts = np.zeros(0, dtype=np.int32)

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

    def customer_share(self, active: np.ndarray) -> np.ndarray:
        """Share of each person's contacts who are active customers (0 if none).

        The count of active contacts is kept between calls and updated from
        the people whose status changed since the last call (a few percent a
        month), which touches far fewer edges than a product with the whole
        adjacency matrix; the counts are whole numbers, so the result is the
        same either way. Calls must not overlap (one thread at a time).
        """
        if self._active is None or self._active.shape != active.shape:
            counts = np.asarray(self.adjacency @ active.astype(np.float32))
            self._active_contacts = counts.astype(np.int32).reshape(-1)
        else:
            changed = np.flatnonzero(active != self._active)
            if changed.size:
                sign = np.where(active[changed], 1, -1)
                contacts, owner = self.contacts_of(changed)
                self._active_contacts += np.bincount(
                    contacts, weights=sign[owner], minlength=self.n
                ).astype(np.int32)
        self._active = active.copy()
        return np.divide(
            self._active_contacts, self._degree, out=np.zeros(self.n), where=self._degree > 0
        )

    def contacts_of(self, people: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every contact of ``people``, with the position in ``people`` of whose contact it is."""
        start, degree = self.indptr[people], self._degree[people]
        owner = np.repeat(np.arange(people.size), degree)
        offset = np.arange(owner.size) - np.repeat(np.cumsum(degree) - degree, degree)
        return self.indices[start[owner] + offset], owner

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
    keep_freed_blocks(n)
    rng = np.random.default_rng(seed)
    if scenario.network == "watts_strogatz":
        edges = watts_strogatz_edges(n, k, scenario.network_rewiring, rng)
    elif scenario.network == "barabasi_albert":
        edges = barabasi_albert_edges(n, max(1, k // 2), rng)
    else:  # erdos_renyi
        edges = erdos_renyi_edges(n, k / (n - 1), rng)
    return GraphNetwork(n, edges, simple=True)


#: Uniforms drawn at a time for the Barabasi-Albert growth loop.
_BA_BLOCK = 65_536

#: Rounds of redrawing a rewired edge that hit a self-loop or an existing edge.
_MAX_REDRAWS = 100


def _edge_keys(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """One int64 key per undirected edge, the same for ``(u, v)`` and ``(v, u)``."""
    lo, hi = np.minimum(u, v).astype(np.int64), np.maximum(u, v).astype(np.int64)
    return lo * n + hi


def _edges_from_keys(keys: np.ndarray, n: int) -> np.ndarray:
    """The ``(m, 2)`` int32 edges that :func:`_edge_keys` made ``keys`` of."""
    return np.column_stack([keys // n, keys % n]).astype(np.int32)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct values of ``keys``, sorted.

    By sorting: NumPy's hashing ``np.unique`` is several times slower on
    millions of int64 keys.
    """
    keys = np.sort(keys)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if keys.size else keys


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Whether each of ``keys`` is in the sorted array ``sorted_keys``."""
    if not sorted_keys.size:
        return np.zeros(keys.size, dtype=bool)
    position = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[position] == keys


def watts_strogatz_edges(n: int, k: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Edges of a Watts-Strogatz small world (Watts & Strogatz 1998), vectorised.

    The ring lattice joins each person to the ``k / 2`` nearest on each side;
    each lattice edge ``(u, u + j)`` is rewired with probability ``p`` to
    ``(u, w)``, ``w`` uniform over the people that would make neither a
    self-loop nor a duplicate edge (redrawn until it does, as in networkx's
    ``watts_strogatz_graph``). Unlike networkx, all edges are rewired at once
    rather than one lattice ring after another, so a rewired edge may not
    land on a lattice edge that a later ring would have rewired away; the
    degree distribution and the clustering and path-length curves in ``p``
    are those of the model.

    Returns:
        ``(n * k / 2, 2)`` int32 array of distinct undirected edges.
    """
    u = np.tile(np.arange(n, dtype=np.int32), k // 2)
    v = (u + np.repeat(np.arange(1, k // 2 + 1, dtype=np.int32), n)) % n
    rewire = np.flatnonzero(rng.random(u.size) < p)
    kept = np.ones(u.size, dtype=bool)
    kept[rewire] = False
    lattice = np.sort(_edge_keys(u[kept], v[kept], n))
    rewired = np.zeros(0, dtype=np.int64)
    pending = rewire
    for _ in range(_MAX_REDRAWS):
        if not pending.size:
            break
        w = rng.integers(0, n, size=pending.size, dtype=np.int32)
        keys = _edge_keys(u[pending], w, n)
        _, first = np.unique(keys, return_index=True)
        unique = np.zeros(pending.size, dtype=bool)
        unique[first] = True
        fine = unique & (w != u[pending]) & ~_contains(lattice, keys) & ~_contains(rewired, keys)
        v[pending[fine]] = w[fine]
        rewired = np.sort(np.concatenate([rewired, keys[fine]]))
        pending = pending[~fine]
    if pending.size:  # people linked to everyone else keep their lattice edge, as in networkx
        return _edges_from_keys(_distinct(_edge_keys(u, v, n)), n)
    return np.column_stack([u, v])


def erdos_renyi_edges(n: int, p: float, rng: np.random.Generator) -> np.ndarray:
    """Edges of a G(n, p) random graph (Erdos & Renyi 1959; Gilbert 1959), vectorised.

    The number of edges is Binomial(n (n - 1) / 2, p); given that number, the
    edges are a uniform sample of distinct pairs, drawn until enough distinct
    pairs are found, which is the G(n, p) distribution exactly.
    """
    m = int(rng.binomial(n * (n - 1) // 2, p))
    keys = np.zeros(0, dtype=np.int64)
    while keys.size < m:
        need = m - keys.size
        u = rng.integers(0, n, size=need, dtype=np.int32)
        v = rng.integers(0, n, size=need, dtype=np.int32)
        fresh = _edge_keys(u, v, n)[u != v]
        keys = _distinct(np.concatenate([keys, fresh]))
    keys = rng.permutation(keys)[:m]
    return _edges_from_keys(keys, n)


def barabasi_albert_edges(n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    """Edges of a Barabasi-Albert preferential-attachment graph (Barabasi & Albert 1999).

    The algorithm of networkx's ``barabasi_albert_graph``: growth starts
    from a star of ``m + 1`` people, and each newcomer links to ``m``
    distinct people picked uniformly from the list of edge ends so far
    (so in proportion to degree), a repeated pick being drawn again; the
    list then grows by the targets and ``m`` copies of the newcomer.

    Growth is sequential by nature (each pick depends on all before it),
    so this is a plain loop over newcomers, fed with uniforms drawn in
    blocks; it is the slowest generator (about 2 s per million people
    here). A vectorised copy model that drops repeated picks instead of
    redrawing them was tried and rejected: the extra list entries of the
    dropped picks inflate the hubs (largest degree +30% at N = 2,000).
    """
    ends: list[int] = [0] * m + list(range(1, m + 1))
    uniforms = iter(())
    for newcomer in range(m + 1, n):
        size = len(ends)
        targets: list[int] = []
        while len(targets) < m:
            u: float | None = next(uniforms, None)
            if u is None:
                uniforms = iter(rng.random(_BA_BLOCK).tolist())
                u = next(uniforms)
            pick = ends[int(u * size)]
            if pick not in targets:
                targets.append(pick)
        ends += targets
        ends += [newcomer] * m
    array = np.array(ends, dtype=np.int32).reshape(-1, 2 * m)
    sources = np.concatenate([np.zeros(m, dtype=np.int32), array[1:, m:].ravel()])
    targets_ = np.concatenate([np.arange(1, m + 1, dtype=np.int32), array[1:, :m].ravel()])
    return np.column_stack([sources, targets_])
