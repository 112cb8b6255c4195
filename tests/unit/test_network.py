"""The NumPy network generators' contract (simple graphs, seeded), and the CSR network's."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from loyaltysim import Scenario
from loyaltysim.network import GraphNetwork, build_network, watts_strogatz_edges
from tests.helpers import GENERATORS, N


@pytest.mark.parametrize("name", list(GENERATORS))
def test_generator_makes_a_simple_graph_and_repeats_with_its_seed(name):
    ours, _ = GENERATORS[name]
    edges = ours(1)
    assert edges.dtype == np.int32 and edges.shape[1] == 2
    assert np.all(edges[:, 0] != edges[:, 1]), "self-loops"
    keys = np.minimum(edges[:, 0], edges[:, 1]).astype(np.int64) * N + edges.max(axis=1)
    assert np.unique(keys).size == keys.size, "duplicate edges"
    assert np.array_equal(edges, ours(1))
    assert not np.array_equal(edges, ours(2))


def test_watts_strogatz_without_rewiring_is_the_ring_lattice():
    edges = watts_strogatz_edges(50, 4, 0.0, np.random.default_rng(0))
    lattice = nx.watts_strogatz_graph(50, 4, 0.0)
    assert {frozenset(e) for e in edges.tolist()} == {frozenset(e) for e in lattice.edges}


def test_watts_strogatz_on_a_complete_lattice_keeps_its_edges():
    # everyone already knows everyone else: no edge can be rewired (networkx skips them too)
    edges = watts_strogatz_edges(5, 4, 1.0, np.random.default_rng(0))
    assert GraphNetwork(5, edges).to_networkx().number_of_edges() == 10


def test_network_comes_from_the_scenario_and_its_seed():
    scenario = Scenario(n_customers=3_000)
    a = build_network(scenario, np.random.SeedSequence(5))
    b = build_network(scenario, np.random.SeedSequence(5))
    assert np.array_equal(a.indices, b.indices) and np.array_equal(a.indptr, b.indptr)
    assert a.degree().mean() == pytest.approx(scenario.network_mean_degree)


def test_customer_share_kept_between_calls_equals_the_full_product():
    network = build_network(Scenario(n_customers=4_000), np.random.SeedSequence(2))
    rng = np.random.default_rng(0)
    active = rng.random(4_000) < 0.3
    degree = network.degree()
    for _ in range(10):
        expected = np.divide(
            network.adjacency @ active.astype(np.float32),
            degree,
            out=np.zeros(4_000),
            where=degree > 0,
        )
        assert np.array_equal(network.customer_share(active), expected)
        active = active ^ (rng.random(4_000) < 0.05)


def test_contacts_of_lists_each_persons_neighbours():
    graph = nx.path_graph(6)
    network = GraphNetwork.from_networkx(graph, 6)
    contacts, owner = network.contacts_of(np.array([0, 3]))
    assert sorted(contacts[owner == 0].tolist()) == [1]
    assert sorted(contacts[owner == 1].tolist()) == [2, 4]
