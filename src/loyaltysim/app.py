"""The interactive app: a Mesa SolaraViz page for trying policies on a small market.

The sidebar holds the firm's levers (a named policy, and the claims, pricing
and caprices rules from the policy registry) and a few facts of the market
(its size, the failure rate, fraud propensity, the network, the seed); the
page shows the social network coloured by each customer's satisfaction, and
live plots of profit, the customer base and word of mouth. Mesa's controls
apply: change the sliders, press *Reset* to build the market they describe,
then *Step* or play.

Serve it with ``loyaltysim app`` (on 127.0.0.1 only), or show it in a
JupyterLab cell::

    from loyaltysim.app import page
    page

In a notebook the sidebar (controls and sliders) opens from the ☰ button.
Needs the ``app`` extra (``pip install 'loyaltysim[app]'``): solara and
altair as for ``mesa[viz]``, and solara-assets, which serves the page's
JavaScript from the installed package so the app works without internet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import solara
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter
from scipy.sparse.csgraph import shortest_path

from loyaltysim.model import LoyaltyModel
from loyaltysim.network import GraphNetwork, SocialNetwork
from loyaltysim.policies import DIMENSIONS, NAMED_POLICIES, Policy, registered_rules
from loyaltysim.population import ACTIVE, LAPSED
from loyaltysim.scenario import NETWORKS, Scenario

__all__ = [
    "FROM_POLICY",
    "LEVERS",
    "MODEL_PARAMS",
    "AppModel",
    "NetworkLayout",
    "NetworkView",
    "Page",
    "ProfitView",
    "draw_network",
    "network_layout",
    "page",
]

#: Policy dimensions with a select of their own in the sidebar.
LEVERS = tuple(name for name, dimension in DIMENSIONS.items() if dimension.core)
#: Select value meaning "the named policy's rule for this dimension".
FROM_POLICY = "as named policy"
#: Colours: satisfaction of customers on [-1, 1]; people who are not customers in grey.
SATISFACTION_CMAP = "RdYlGn"
PROSPECT_GREY, LAPSED_GREY = "#d0d0d0", "#8c8c8c"

_DEFAULT = Scenario()


class AppModel(LoyaltyModel):
    """A :class:`LoyaltyModel` built from the app's flat slider values.

    Mesa's *Reset* button calls the model class with the sidebar's values as
    keyword arguments, so they are spelled out here rather than passed as a
    :class:`Scenario` and a :class:`Policy`.

    Args:
        policy: Named policy to start from.
        claims: Claims rule (a registered name), or :data:`FROM_POLICY`.
        pricing: Pricing rule, or :data:`FROM_POLICY`.
        caprices: Caprices rule, or :data:`FROM_POLICY`.
        n_customers: People in the market.
        horizon_months: Months until the model stops.
        failure_rate: Probability that a purchase fails.
        fraud_propensity_max: Fraud probability per purchase of a fully
            dishonest customer sure to be paid.
        network: Social network generator (one of :data:`~loyaltysim.scenario.NETWORKS`).
        rng: Seed of every random draw.

    Example:
        >>> model = AppModel(policy="verify_first", pricing="fixed", n_customers=200, rng=1)
        >>> model.policy.describe()
        'claims=verify, pricing=fixed, caprices=accommodate'
        >>> model.step()
        >>> model.month
        1
    """

    def __init__(
        self,
        *,
        policy: str = "always_compensate",
        claims: str = FROM_POLICY,
        pricing: str = FROM_POLICY,
        caprices: str = FROM_POLICY,
        n_customers: int = 500,
        horizon_months: int = _DEFAULT.horizon_months,
        failure_rate: float = _DEFAULT.failure_rate,
        fraud_propensity_max: float = _DEFAULT.fraud_propensity_max,
        network: str = _DEFAULT.network,
        rng: int | None = 42,
    ) -> None:
        scenario = Scenario(
            n_customers=int(n_customers),
            horizon_months=int(horizon_months),
            failure_rate=float(failure_rate),
            fraud_propensity_max=float(fraud_propensity_max),
            network=network,
        )
        rules = {"claims": claims, "pricing": pricing, "caprices": caprices}
        spec: dict[str, Any] = {"preset": policy}
        spec.update({d: rule for d, rule in rules.items() if rule != FROM_POLICY})
        super().__init__(scenario, Policy.from_spec(spec), rng=rng)


def _select(label: str, value: str, values: list[str]) -> dict[str, Any]:
    return {"type": "Select", "label": label, "value": value, "values": values}


def _slider(
    kind: str, label: str, value: float, low: float, high: float, step: float
) -> dict[str, Any]:
    return {"type": kind, "label": label, "value": value, "min": low, "max": high, "step": step}


#: The sidebar: levers first, then the market. Keys are :class:`AppModel` arguments.
MODEL_PARAMS: dict[str, dict[str, Any]] = {
    "policy": _select("named policy", "always_compensate", list(NAMED_POLICIES)),
    **{
        dimension: _select(
            f"{dimension} rule", FROM_POLICY, [FROM_POLICY, *registered_rules(dimension)]
        )
        for dimension in LEVERS
    },
    "n_customers": _slider("SliderInt", "people in the market", 500, 100, 3000, 100),
    "failure_rate": _slider(
        "SliderFloat", "failure rate (per purchase)", _DEFAULT.failure_rate, 0.0, 0.2, 0.01
    ),
    "fraud_propensity_max": _slider(
        "SliderFloat", "fraud propensity (max)", _DEFAULT.fraud_propensity_max, 0.0, 0.2, 0.01
    ),
    "horizon_months": _slider("SliderInt", "horizon (months)", 60, 12, 120, 12),
    "network": _select("social network", _DEFAULT.network, list(NETWORKS)),
    "rng": _slider("SliderInt", "seed", 42, 0, 99, 1),
}


# ---------------------------------------------------------------------------
# The network view


@dataclass(frozen=True)
class NetworkLayout:
    """Where each person is drawn, and the edges between them.

    Attributes:
        positions: ``(n, 2)`` coordinates, one row per person.
        edges: ``(m, 2)`` person indices of each undirected edge (empty for
            the well-mixed market, which has no edges to draw).
    """

    positions: np.ndarray
    edges: np.ndarray


def network_layout(network: SocialNetwork, seed: int = 0, pivots: int = 40) -> NetworkLayout:
    """A fixed drawing layout, computed once per model.

    A graph is laid out by pivot multidimensional scaling (Brandes & Pich
    2006): hop distances from ``pivots`` well-spread people, reduced to two
    dimensions; it takes milliseconds for thousands of people, where a
    force-directed layout takes seconds. People at the same distances are
    spread by a small seeded jitter. The well-mixed market has no structure
    to show: everyone sits on a sunflower spiral.

    Args:
        network: The model's social network (one with ``indptr`` and
            ``indices``, or any other, drawn as well mixed).
        seed: Seed of the pivot choice and the jitter.
        pivots: Number of pivots.
    """
    n = network.n
    rng = np.random.default_rng(seed)
    if not isinstance(network, GraphNetwork):
        golden = np.pi * (3.0 - np.sqrt(5.0))
        i = np.arange(n)
        radius = np.sqrt((i + 0.5) / n)
        positions = np.column_stack([radius * np.cos(i * golden), radius * np.sin(i * golden)])
        return NetworkLayout(positions, np.empty((0, 2), dtype=np.int64))
    indptr = np.asarray(network.indptr)
    indices = np.asarray(network.indices)
    adjacency = sp.csr_array((np.ones(indices.size), indices, indptr), shape=(n, n))
    sources = np.repeat(np.arange(n), np.diff(indptr))
    edges = np.column_stack([sources, indices])
    edges = edges[edges[:, 0] < edges[:, 1]]
    # Max-min pivots: each new pivot is the person farthest from those chosen.
    chosen = [int(rng.integers(n))]
    rows = [shortest_path(adjacency, unweighted=True, indices=chosen[0])]
    nearest = rows[0].copy()
    for _ in range(min(pivots, n) - 1):
        chosen.append(int(np.argmax(np.where(np.isfinite(nearest), nearest, -1.0))))
        rows.append(shortest_path(adjacency, unweighted=True, indices=chosen[-1]))
        nearest = np.minimum(nearest, rows[-1])
    hops = np.column_stack(rows)
    finite = np.isfinite(hops)
    hops[~finite] = (hops[finite].max() if finite.any() else 0.0) + 1.0  # other components
    squared = hops**2
    centred = squared - squared.mean(axis=0) - squared.mean(axis=1, keepdims=True) + squared.mean()
    u, s, _ = np.linalg.svd(-0.5 * centred, full_matrices=False)
    positions = u[:, :2] * s[:2]
    positions += rng.normal(scale=0.3, size=positions.shape)
    return NetworkLayout(positions, edges)


def draw_network(model: LoyaltyModel, layout: NetworkLayout) -> Figure:
    """The network now: customers coloured by satisfaction, everyone else grey."""
    population = model.population
    status, satisfaction = population.status, population.satisfaction
    xy = layout.positions
    fig = Figure(figsize=(6.4, 3.4))
    ax = fig.add_subplot()
    if layout.edges.size:
        ax.add_collection(
            LineCollection(xy[layout.edges], colors="0.6", linewidths=0.3, alpha=0.25, zorder=0)
        )
    size = float(np.clip(4000 / population.n, 3, 30))
    active, lapsed = status == ACTIVE, status == LAPSED
    for chosen, colour in ((~active & ~lapsed, PROSPECT_GREY), (lapsed, LAPSED_GREY)):
        ax.scatter(xy[chosen, 0], xy[chosen, 1], s=size, c=colour, linewidths=0, zorder=1)
    norm = Normalize(-1.0, 1.0)
    points = ax.scatter(
        xy[active, 0],
        xy[active, 1],
        s=size * 1.5,
        c=satisfaction[active],
        cmap=SATISFACTION_CMAP,
        norm=norm,
        linewidths=0,
        zorder=2,
    )
    fig.colorbar(points, ax=ax, shrink=0.8, label="satisfaction of customers")
    ax.legend(
        handles=[
            Line2D([], [], ls="", marker="o", color=PROSPECT_GREY, label="prospect"),
            Line2D([], [], ls="", marker="o", color=LAPSED_GREY, label="lapsed"),
        ],
        loc="lower left",
        fontsize="small",
        frameon=False,
    )
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_axis_off()
    return fig


def _summary(model: LoyaltyModel) -> list[str]:
    """Lines above the network: the policy, the market Reset built, the month's numbers."""
    sc, ledger = model.params, model.ledger
    lines = [
        f"{model.policy.name} ({model.policy.describe()})",
        f"{sc.n_customers:,} people, {sc.network} network, failure rate {sc.failure_rate:g}, "
        f"fraud propensity {sc.fraud_propensity_max:g}, seed {model.seed_sequence.entropy}",
    ]
    if ledger.months == 0:
        return [*lines, f"Month 0 of {sc.horizon_months}: press Step or ▶ to run the market."]
    npv = float(ledger.column("discounted_profit_usd").sum())
    positive = int(ledger.column("wom_positive_messages")[-1])
    negative = int(ledger.column("wom_negative_messages")[-1])
    lines.append(
        f"Month {model.month} of {sc.horizon_months}: NPV so far ${npv:,.0f}; "
        f"{int(ledger.column('active')[-1]):,} customers; "
        f"word of mouth this month +{positive:,} / −{negative:,}"
    )
    return lines


@solara.component
def NetworkView(model: LoyaltyModel) -> None:
    """The policy, the month's headline numbers, and the network coloured by satisfaction."""
    update_counter.get()
    layout = solara.use_memo(lambda: network_layout(model.network), dependencies=[model])
    policy, *lines = _summary(model)
    with solara.Column(gap="0px"):
        # Plain text, not solara.Markdown: that loads KaTeX from a CDN, and the app works offline.
        solara.Text(policy, style={"font-weight": "bold", "font-size": "0.9em"})
        for line in lines:
            solara.Text(line, style={"font-size": "0.85em"})
        solara.FigureMatplotlib(
            draw_network(model, layout),
            format="png",
            bbox_inches="tight",
            dependencies=[update_counter.value, model],
        )


@solara.component
def ProfitView(model: LoyaltyModel) -> None:
    """Monthly profit (bars) and discounted cumulative profit, the NPV so far (line)."""
    update_counter.get()
    ledger = model.ledger
    months = np.arange(1, ledger.months + 1)
    fig = Figure(figsize=(5.6, 3.6))
    ax = fig.add_subplot()
    ax.bar(months, ledger.column("profit_usd"), color="0.75", label="monthly profit")
    ax.plot(
        months,
        np.cumsum(ledger.column("discounted_profit_usd")),
        color="tab:blue",
        label="NPV so far (discounted cumulative profit)",
    )
    ax.axhline(0, color="0.3", linewidth=0.6)
    ax.set_xlabel("month")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("USD")
    ax.set_title("Profit", fontsize="medium")
    ax.legend(loc="upper left", fontsize="small")
    solara.FigureMatplotlib(
        fig, format="png", bbox_inches="tight", dependencies=[update_counter.value, model]
    )


def _titled(title: str, ylabel: str, labels: dict[str, str]) -> Any:
    """A ``post_process`` for Mesa's plot component: title, axis label, readable legend."""

    def post_process(ax: Any) -> None:
        ax.set_title(title, fontsize="medium")
        ax.set_ylabel(ylabel)
        for line in ax.get_lines():
            line.set_label(labels.get(line.get_label(), line.get_label()))
        ax.legend(loc="best", fontsize="small")

    return post_process


def _components() -> list[Any]:
    return [
        (NetworkView, 0),
        (ProfitView, 0),
        make_plot_component(
            {"active": "tab:blue", "lapsed": "0.55"},
            post_process=_titled(
                "Customer base (end of month; one step is one month)",
                "people",
                {"active": "customers", "lapsed": "lapsed customers"},
            ),
        ),
        make_plot_component(
            {"wom_positive_messages": "tab:green", "wom_negative_messages": "tab:red"},
            post_process=_titled(
                "Word of mouth (people who spoke, per month)",
                "people",
                {"wom_positive_messages": "spoke well", "wom_negative_messages": "spoke ill"},
            ),
        ),
    ]


@solara.component
def Page() -> Any:
    """The app: a fresh model for each browser session or notebook cell."""
    model = solara.use_memo(AppModel, dependencies=[])
    return SolaraViz(
        model,
        components=_components(),
        model_params=MODEL_PARAMS,
        name="loyaltysim: service policy, satisfaction and profit",
        play_interval=150,
    )


#: Display this in a JupyterLab cell to use the app in a notebook.
page = Page()
