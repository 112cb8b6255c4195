"""The interactive app: two service policies in one small market, month by month.

The sidebar holds the run's controls (Reset, play/pause, Step), a case
picker (a classroom case loads its market and its two policies), a scenario
file loader (a TOML file with ``[scenario]`` and ``[policy]`` tables), the
market's main parameters, and every policy dimension with its rule and the
rule's parameters, for policy A and for policy B. Policy B runs beside A on
the same random numbers (one seed, as ``loyaltysim compare`` pairs a
replication), so the difference between them is the policies', not luck's:
the page shows it live, with the network of each market coloured by
satisfaction, NPV so far, the customer base and word of mouth. The run
exports as CSV (the monthly ledgers of both policies) and PNG (the charts).
A changed parameter or rule applies on Reset; a case or a file at once.

Serve it with ``loyaltysim app`` (on 127.0.0.1 only), or show it in a
JupyterLab cell::

    from loyaltysim.app import page
    page

The page is built from Solara components and Mesa's ``update_counter``
(components that read it redraw after each month); it does not use
``SolaraViz``, whose sidebar adds Mesa's own settings (render interval,
threads, page tabs) and whose play loop steps once more when paused during
its wait. Needs the ``app`` extra (``pip install 'loyaltysim[app]'``):
solara, ipywidgets, and solara-assets, which serves the page's JavaScript
from the installed package so the app works without internet.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import ipywidgets as widgets
import matplotlib as mpl
import mesa
import numpy as np
import pandas as pd
import scipy.sparse as sp
import solara
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from mesa.visualization.utils import force_update, update_counter
from scipy.sparse.csgraph import shortest_path

from loyaltysim import style
from loyaltysim.cases import CASES, Case
from loyaltysim.errors import LoyaltysimError
from loyaltysim.model import LoyaltyModel
from loyaltysim.network import GraphNetwork, SocialNetwork
from loyaltysim.params import ParameterSpec, format_number
from loyaltysim.policies import (
    DIMENSIONS,
    NAMED_POLICIES,
    Policy,
    rule_parameter_specs,
)
from loyaltysim.population import ACTIVE, LAPSED
from loyaltysim.scenario import Scenario, load_scenario_file

__all__ = [
    "MARKET_PARAMETERS",
    "MAX_PEOPLE",
    "MIN_PEOPLE",
    "PLAY_INTERVAL_S",
    "NetworkLayout",
    "NetworkPicture",
    "Page",
    "PairedRun",
    "SeriesPicture",
    "Settings",
    "case_settings",
    "network_layout",
    "page",
    "parameter_text",
    "run_csv",
    "scenario_file_settings",
    "slider_range",
    "usd",
]

#: The market parameters with a slider of their own (any other comes from a case or a file).
MARKET_PARAMETERS = (
    "n_customers",
    "horizon_months",
    "network",
    "basket_value_usd",
    "gross_margin",
    "failure_rate",
    "claim_value_usd",
    "fraud_propensity_max",
    "detection_rate",
    "false_accusation_rate",
    "investigation_cost_usd",
)
#: The app is for small markets (a month in well under a second); decisions use `compare`.
MIN_PEOPLE, MAX_PEOPLE = 100, 3_000
#: Markets bigger than the app's are run at this size (a case's market, a scenario file's).
APP_PEOPLE = 1_000
#: Sliders the app narrows beyond :func:`slider_range`'s rule: ``(low, high, step)``.
APP_RANGES: dict[str, tuple[float, float, float]] = {
    "n_customers": (MIN_PEOPLE, MAX_PEOPLE, 100),
    "horizon_months": (12, 120, 12),
}
#: Seconds between months while playing.
PLAY_INTERVAL_S = 0.3
#: Colours: satisfaction of customers on [-1, 1]; people who are not customers in grey.
SATISFACTION_CMAP = "RdYlGn"
PROSPECT_GREY, LAPSED_GREY = "#d0d0d0", "#8c8c8c"
#: Colours of policy A and policy B in every chart.
POLICY_COLOURS = ("tab:blue", "tab:orange")


# ---------------------------------------------------------------------------
# What the sidebar sets


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run: the market, the two policies and the seed.

    Attributes:
        market: Scenario parameters that differ from the default market.
        policies: ``[policy]`` tables of policy A and policy B
            (:meth:`Policy.from_spec`).
        compare: Whether policy B runs beside A.
        rng: Seed of every random draw (both policies share it).
        source: Where the settings came from, in words (a case, a file).
    """

    market: Mapping[str, Any] = field(default_factory=lambda: {"n_customers": APP_PEOPLE})
    policies: tuple[Mapping[str, Any], Mapping[str, Any]] = (
        {"preset": "always_compensate"},
        {"preset": "verify_first"},
    )
    compare: bool = True
    rng: int = 42
    source: str = "the default market"

    def scenario(self) -> Scenario:
        """The market these settings describe.

        Raises:
            ParameterError: A bad market value.
        """
        return Scenario.from_dict(self.market)

    def policy(self, which: int) -> Policy:
        """Policy A (0) or B (1); one without a name is called ``policy A`` or ``policy B``.

        Raises:
            ParameterError: A bad rule or rule parameter.
        """
        spec = self.policies[which]
        policy = Policy.from_spec(spec)
        named = spec.get("name") or (spec.get("preset") and policy.name in NAMED_POLICIES)
        return policy if named else policy.with_rules(name=f"policy {'AB'[which]}")

    def with_market(self, name: str, value: Any) -> Settings:
        """These settings with one market parameter changed."""
        return dataclasses.replace(self, market={**self.market, name: value})

    def with_rule(self, which: int, dimension: str, rule: str) -> Settings:
        """These settings with one policy's rule of a dimension changed (its parameters reset)."""
        spec = self.policy(which).to_spec()
        spec = {k: v for k, v in spec.items() if not k.startswith(f"{dimension}_")}
        spec.update({dimension: rule, "name": ""})
        return self._with_policy(which, spec)

    def with_rule_parameter(self, which: int, name: str, value: Any) -> Settings:
        """These settings with one rule parameter (``claims_threshold_usd``) of a policy changed."""
        return self._with_policy(which, {**self.policy(which).to_spec(), name: value, "name": ""})

    def with_preset(self, which: int, preset: str) -> Settings:
        """These settings with policy A or B replaced by a named policy."""
        return self._with_policy(which, {"preset": preset})

    def _with_policy(self, which: int, spec: Mapping[str, Any]) -> Settings:
        policies = list(self.policies)
        policies[which] = spec
        return dataclasses.replace(self, policies=(policies[0], policies[1]))


def _app_size(market: Mapping[str, Any]) -> dict[str, Any]:
    """A market at the app's size.

    One over :data:`MAX_PEOPLE` (or unset: the default 10,000) runs at
    :data:`APP_PEOPLE`, one under :data:`MIN_PEOPLE` at that.
    """
    resized = dict(market)
    size = market.get("n_customers", Scenario().n_customers)
    if isinstance(size, int) and size > MAX_PEOPLE:
        resized["n_customers"] = APP_PEOPLE
        resized.pop("initial_customers", None)
    elif isinstance(size, int) and size < MIN_PEOPLE:
        resized["n_customers"] = MIN_PEOPLE
    return resized


def _resized_note(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    size = before.get("n_customers", Scenario().n_customers)
    if after.get("n_customers", size) == size:
        return ""
    return f" (run at {after['n_customers']:,} people, not {size:,}: the app is for small markets)"


def usd(value: float, sign: bool = False) -> str:
    """Dollars for the page: ``$12,345``, ``−$20``, and ``+$20`` with ``sign``.

    Example:
        >>> usd(-20.4), usd(1234.5, sign=True)
        ('−$20', '+$1,234')
    """
    text = format_number(abs(value), ",.0f")
    prefix = style.MINUS if round(value) < 0 else ("+" if sign and round(value) > 0 else "")
    return f"{prefix}${text}"


def case_settings(case: Case, rng: int = 42) -> Settings:
    """A classroom case in the app: its market (at the app's size), its baseline as A.

    Policy B is the policy the story recommends, or the case's second policy
    when the story backs the baseline.

    Example:
        >>> settings = case_settings(CASES["broken_promise"])
        >>> settings.policy(1).rule("promises").name
        'optimistic'
    """
    other = next((p for p in case.policies[1:] if p.name == case.story_answer), case.policies[1])
    market = _app_size(case.changes)
    return Settings(
        market=market,
        policies=(case.policies[0].to_spec(), other.to_spec()),
        compare=True,
        rng=rng,
        source=f"case {case.name}: {case.title}" + _resized_note(case.changes, market),
    )


def scenario_file_settings(name: str, data: bytes, current: Settings) -> Settings:
    """Settings from an uploaded scenario file: its market, its policy as A.

    The bytes are checked as ``loyaltysim run --scenario`` checks a file
    (:func:`~loyaltysim.scenario.load_scenario_file`: size, UTF-8, TOML, its
    tables), then the market and the policy are built, so a bad value fails
    here with its one-line message. Policy B and the seed stay as they were.

    Raises:
        LoyaltysimError: The file or one of its values is bad; the message
            names the file as uploaded.
    """
    shown = Path(name).name or "scenario.toml"
    with tempfile.TemporaryDirectory(prefix="loyaltysim-app-") as folder:
        path = Path(folder) / shown
        path.write_bytes(data)
        try:
            scenario_table, policy_table = load_scenario_file(path)
        except LoyaltysimError as exc:
            raise type(exc)(str(exc).replace(str(path), shown)) from None
    market = _app_size(scenario_table)
    settings = dataclasses.replace(
        current,
        market=market,
        policies=(policy_table or {"preset": "always_compensate"}, current.policies[1]),
        source=f"scenario file {shown}" + _resized_note(scenario_table, market),
    )
    settings.scenario()
    settings.policy(0)
    return settings


def slider_range(spec: ParameterSpec) -> tuple[float, float, float]:
    """The app's slider of a number parameter: ``(low, high, step)``.

    The declared range, with an open or very wide top cut to ten times the
    default (an app's slider of ``[0, 10,000,000]`` USD cannot be set); the
    market's size and horizon as :data:`APP_RANGES` gives them.
    """
    if spec.name in APP_RANGES:
        return APP_RANGES[spec.name]
    low = float(spec.low if spec.low is not None else 0.0)
    default = float(spec.default)
    high = float(spec.high) if spec.high is not None else 10 * max(default, 1.0)
    if high > 10 * max(abs(default), 1.0):
        high = 10 * max(abs(default), 1.0)
    if spec.kind == "int":
        return low, high, 1
    span = high - low
    step = 10 ** np.floor(np.log10(span / 100)) if span > 0 else 0.01
    return low, high, float(step)


# ---------------------------------------------------------------------------
# Two policies on the same random numbers


class PairedRun(mesa.Model):
    """Policy A, and optionally B, in the same market on the same random numbers.

    Each policy runs in its own :class:`LoyaltyModel` built from the same
    seed, so both markets start alike and draw the same uniforms month by
    month; the difference between their ledgers is the policies' doing.

    Args:
        scenario: The market.
        policies: One or two policies (A, then B).
        rng: Seed of every draw, shared by both.

    Example:
        >>> run = PairedRun(Scenario(n_customers=200), ["always_compensate", "verify_first"], rng=1)
        >>> run.run_for(3)
        >>> run.month, len(run.frame())
        (3, 6)
    """

    def __init__(self, scenario: Scenario, policies: Sequence[Policy | str], rng: int) -> None:
        super().__init__(rng=rng)
        self.scenario_used = scenario
        self.seed = rng
        self.models = tuple(
            LoyaltyModel(scenario, policy, rng=rng, inspect_agents=False) for policy in policies
        )
        self.lock = threading.Lock()

    @property
    def month(self) -> int:
        """Months simulated so far."""
        return self.models[0].month

    def step(self) -> None:
        """One month of every policy's market."""
        for model in self.models:
            model.step()
        self.running = all(model.running for model in self.models)

    def npv_so_far(self) -> list[np.ndarray]:
        """Discounted cumulative profit (USD) of each policy, month by month."""
        return [np.cumsum(m.ledger.column("discounted_profit_usd")) for m in self.models]

    def difference(self) -> float | None:
        """NPV so far of B minus A (USD), or ``None`` with one policy or before month 1."""
        if len(self.models) < 2 or self.month == 0:
            return None
        a, b = self.npv_so_far()
        return float(b[-1] - a[-1])

    def frame(self) -> pd.DataFrame:
        """The monthly ledgers of every policy, one row per policy and month.

        Columns: ``policy``, ``rules``, ``month``, every ledger column, and
        ``npv_so_far_usd`` (discounted cumulative profit).
        """
        frames = []
        for model, npv in zip(self.models, self.npv_so_far(), strict=True):
            frame = model.ledger.frame().reset_index()
            frame.insert(0, "rules", model.policy.describe())
            frame.insert(0, "policy", model.policy.name)
            frame["npv_so_far_usd"] = npv
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)


def run_csv(run: PairedRun) -> str:
    """The run as CSV text (:meth:`PairedRun.frame`), headed by the market and seed."""
    changes = ", ".join(f"{k}={v}" for k, v in run.scenario_used.changes().items()) or "none"
    header = f"# loyaltysim app run; seed {run.seed}; market changes from default: {changes}\n"
    return header + run.frame().to_csv(index=False)


# ---------------------------------------------------------------------------
# The pictures: figures kept per run and updated each month (building them is the cost)


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


#: zlib level of the page's PNGs: 1 encodes several times faster than the default 6, and a
#: chart of flat colours is barely bigger.
PNG_COMPRESSION = 1


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": PNG_COMPRESSION})
    return buffer.getvalue()


class NetworkPicture:
    """The network of each policy's market, customers coloured by satisfaction.

    The figure, its edges and its legend are drawn once per run; each month
    only the people's colours change (:meth:`update`). The edges, the same in
    every month, are drawn once into a background image.

    Args:
        run: The run whose markets are drawn (one panel per policy).
    """

    def __init__(self, run: PairedRun) -> None:
        self.run = run
        self.layout = network_layout(run.models[0].network)
        self.figure, self.points = self._draw()
        self.norm = Normalize(-1.0, 1.0)
        self.cmap = mpl.colormaps[SATISFACTION_CMAP]
        self.grey = np.array([to_rgba(PROSPECT_GREY), to_rgba(LAPSED_GREY)])

    @style.styled
    def _draw_figure(self) -> Figure:
        panels = len(self.run.models)
        fig = Figure(figsize=(3.0 * panels + 1.0, 2.9), layout="constrained")
        xy = self.layout.positions
        n = len(xy)
        size = float(np.clip(8000 / n, 3, 30))
        axes = fig.subplots(1, panels, squeeze=False)[0]
        for ax, model, colour in zip(axes, self.run.models, POLICY_COLOURS, strict=False):
            if self.layout.edges.size:
                ax.add_collection(
                    LineCollection(
                        xy[self.layout.edges], colors="0.6", linewidths=0.3, alpha=0.2, zorder=0
                    )
                )
            ax.scatter(xy[:, 0], xy[:, 1], s=size, color=PROSPECT_GREY, linewidths=0, zorder=1)
            ax.set_title(model.policy.name, color=colour)
            ax.set_aspect("equal")
            ax.autoscale_view()
            ax.set_axis_off()
        scale = mpl.cm.ScalarMappable(Normalize(-1.0, 1.0), SATISFACTION_CMAP)
        fig.colorbar(scale, ax=list(axes), shrink=0.8, label="satisfaction of customers")
        fig.legend(
            handles=[
                Line2D([], [], ls="", marker="o", color=PROSPECT_GREY, label="prospect"),
                Line2D([], [], ls="", marker="o", color=LAPSED_GREY, label="lapsed"),
            ],
            loc="lower left",
            frameon=False,
        )
        return fig

    def _draw(self) -> tuple[Figure, list[PathCollection]]:
        fig = self._draw_figure()
        FigureCanvasAgg(fig)  # an Agg canvas of its own: its pixels are kept and reused
        panels = fig.axes[: len(self.run.models)]
        points: list[PathCollection] = [ax.collections[-1] for ax in panels]  # type: ignore[misc]
        for p in points:
            p.set_visible(False)
        fig.canvas.draw()  # the layout, the edges and the legends, once: the background
        self.background = fig.canvas.copy_from_bbox(fig.bbox)  # type: ignore[attr-defined]
        fig.set_layout_engine("none")
        for p in points:
            p.set_visible(True)
        return fig, points

    def update(self) -> bytes:
        """Colour everyone by this month's state; the figure as PNG bytes.

        Only the people are drawn, over the background kept from the first
        drawing (Agg's blitting): the edges, the same every month, cost
        nothing after the first.
        """
        canvas = self.figure.canvas
        canvas.restore_region(self.background)  # type: ignore[attr-defined]
        for model, points in zip(self.run.models, self.points, strict=True):
            population = model.population
            colours = np.empty((population.n, 4))
            colours[:] = self.grey[0]
            colours[population.status == LAPSED] = self.grey[1]
            active = population.status == ACTIVE
            colours[active] = self.cmap(self.norm(population.satisfaction[active]))
            points.set_facecolor(cast("Any", colours))
            self.figure.draw_artist(points)
        return _rgba_png(np.asarray(canvas.buffer_rgba()))  # type: ignore[attr-defined]


def _rgba_png(pixels: np.ndarray) -> bytes:
    """An RGBA pixel array as PNG bytes (matplotlib's own writer, as ``savefig`` uses)."""
    buffer = io.BytesIO()
    mpl.image.imsave(
        buffer,
        pixels,
        format="png",
        dpi=style.DPI,
        pil_kwargs={"compress_level": PNG_COMPRESSION},
    )
    return buffer.getvalue()


class SeriesPicture:
    """NPV so far, the paired difference, the customer base and word of mouth.

    One figure of four panels, drawn once per run; each month the lines get
    their new points and the axes rescale (:meth:`update`).

    Args:
        run: The run whose ledgers are drawn (one line per policy).
    """

    PANELS = (
        ("NPV so far", "USD"),
        ("B − A: NPV so far", "USD"),
        ("Customers (end of month)", "people"),
        ("Word of mouth: well − ill", "people/month"),
    )

    def __init__(self, run: PairedRun) -> None:
        self.run = run
        self.lines: list[list[Line2D]] = []
        self.figure = self._draw()
        FigureCanvasAgg(self.figure)
        self.background: Any = None
        #: Updates that drew the whole figure (an axis widened), the first included.
        self.redraws = 0

    @style.styled
    def _draw(self) -> Figure:
        fig = Figure(figsize=(7.0, 5.4))
        # Fixed margins, wide enough for "−1,250k" ticks: a layout engine would run every month.
        fig.subplots_adjust(left=0.12, right=0.98, bottom=0.09, top=0.94, wspace=0.42, hspace=0.25)
        # Month labels on the bottom row only, and few ticks: a whole drawing lays out each
        # tick label again, and that is most of its time.
        axes = fig.subplots(2, 2, sharex=True).ravel()
        names = [m.policy.name for m in self.run.models]
        for i, (ax, (title, unit)) in enumerate(zip(axes, self.PANELS, strict=True)):
            ax.set_title(title)
            ax.set_ylabel(unit)
            if i >= 2:
                ax.set_xlabel("month")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
            ax.set_xlim(0, self.run.scenario_used.horizon_months)
            ax.set_ylim(*((-1_000.0, 1_000.0) if unit == "USD" else (0.0, 10.0)))
            if unit == "USD":
                ax.yaxis.set_major_formatter(style.thousands_ticks(sign=i == 1))
            ax.axhline(0, color="0.3", linewidth=0.6)
            if i == 1:
                (line,) = ax.plot([], [], color="tab:purple")
                if len(names) < 2:
                    ax.text(
                        0.5,
                        0.5,
                        "tick 'Run policy B beside A'",
                        ha="center",
                        transform=ax.transAxes,
                        color="0.4",
                    )
                self.lines.append([line])
                continue
            pairs = zip(POLICY_COLOURS, names, strict=False)
            self.lines.append([ax.plot([], [], color=c, label=n)[0] for c, n in pairs])
            ax.legend(loc="upper left")
        return fig

    def _series(self) -> list[list[np.ndarray]]:
        models = self.run.models
        npv = self.run.npv_so_far()
        difference = [npv[1] - npv[0]] if len(npv) > 1 else [np.empty(0)]
        active = [m.ledger.column("active") for m in models]
        talk = [
            m.ledger.column("wom_positive_messages") - m.ledger.column("wom_negative_messages")
            for m in models
        ]
        return [npv, difference, active, talk]

    def update(self) -> bytes:
        """Add this month's points; the figure as PNG bytes.

        The axes and their labels are drawn only when a y-axis must widen to
        hold the new points (with :data:`HEADROOM` to spare, so that happens
        in a few months of a run); otherwise only the lines are drawn over the
        kept background (Agg's blitting).
        """
        months = np.arange(1, self.run.month + 1)
        widened = self.background is None
        for ax, lines, values in zip(self.figure.axes, self.lines, self._series(), strict=True):
            for line, y in zip(lines, values, strict=True):
                line.set_data(months[: len(y)], y)
            widened |= _widen(ax, values)
        canvas = self.figure.canvas
        if widened:
            self.redraws += 1
            for line in self._all_lines():
                line.set_visible(False)
            canvas.draw()
            self.background = canvas.copy_from_bbox(self.figure.bbox)  # type: ignore[attr-defined]
            for line in self._all_lines():
                line.set_visible(True)
        canvas.restore_region(self.background)  # type: ignore[attr-defined]
        for line in self._all_lines():
            self.figure.draw_artist(line)
        return _rgba_png(np.asarray(canvas.buffer_rgba()))  # type: ignore[attr-defined]

    def _all_lines(self) -> list[Line2D]:
        return [line for lines in self.lines for line in lines]


#: Share of its data's span a y-axis adds beyond the data when it must widen.
HEADROOM = 1.0


def _widen(ax: Any, values: Sequence[np.ndarray]) -> bool:
    """Widen ``ax``'s y-axis (never narrow it) to hold ``values``; whether it changed."""
    data = np.concatenate([np.asarray(v, dtype=float) for v in values] + [np.zeros(1)])
    low, high = ax.get_ylim()
    lowest, highest = float(data.min()), float(data.max())
    if lowest >= low and highest <= high:
        return False
    spare = HEADROOM * max(highest - lowest, 1.0)
    bottom = lowest - spare if lowest < 0 else low  # counts and sums above 0 keep the floor
    ax.set_ylim(min(low, bottom), max(high, highest + spare))
    return True


# ---------------------------------------------------------------------------
# The page


#: Units not shown after a value (the kind of value says it).
_NO_UNIT = ("flag", "choice", "generator", "name")


def parameter_text(spec: ParameterSpec, value: Any) -> str:
    """A parameter as the sidebar shows it: name, value and unit.

    Example:
        >>> parameter_text(Scenario.spec("failure_rate"), 0.05)
        'failure_rate: 0.05 probability/purchase'
    """
    shown = format_number(value) if isinstance(value, int | float) else str(value)
    unit = "" if spec.unit in _NO_UNIT else f" {spec.unit}"
    return f"{spec.name}: {shown}{unit}"


@solara.component
def ParameterInput(spec: ParameterSpec, value: Any, on_value: Callable[[Any], None]) -> None:
    """One parameter: its name, value and unit, its slider (or select, checkbox), its meaning."""
    with solara.Column(gap="0px", style={"margin-bottom": "8px"}):
        if spec.kind == "bool":
            solara.Checkbox(label=spec.name, value=bool(value), on_value=on_value)
        elif spec.kind == "choice":
            solara.Select(
                spec.name, value=value, values=list(spec.choices or ()), on_value=on_value
            )
        else:
            solara.Text(parameter_text(spec, value), style={"font-weight": "500"})
            low, high, step = slider_range(spec)
            shown = min(max(value, low), high)
            if spec.kind == "int":
                solara.SliderInt(
                    "",
                    value=int(shown),
                    min=int(low),
                    max=int(high),
                    step=int(step),
                    on_value=on_value,
                    thumb_label=False,
                )
            else:
                solara.SliderFloat(
                    "",
                    value=float(shown),
                    min=low,
                    max=high,
                    step=step,
                    on_value=on_value,
                    thumb_label=False,
                )
        solara.Text(spec.meaning, style={"font-size": "0.8em", "color": "#555"})


def _setter(
    settings: solara.Reactive[Settings], change: Callable[..., Settings], *args: Any
) -> Callable[[Any], None]:
    """An ``on_value`` that sets ``change(settings, *args, value)`` as the new settings."""

    def on_value(value: Any) -> None:
        settings.set(change(settings.value, *args, value))

    return on_value


@solara.component
def PolicyEditor(settings: solara.Reactive[Settings], which: int) -> None:
    """Every dimension of policy A or B: its rule, then the rule's parameters."""
    current = settings.value
    try:
        policy = current.policy(which)
    except LoyaltysimError as exc:
        solara.Error(str(exc))
        return
    spec = policy.to_spec()
    solara.Select(
        "start from a named policy",
        value=cast("Any", policy.name if policy.name in NAMED_POLICIES else None),
        values=list(NAMED_POLICIES),
        on_value=_setter(settings, Settings.with_preset, which),
    )
    for dimension in DIMENSIONS.values():
        rule = policy.rule(dimension)
        with solara.Card(dimension.name, margin=0, style={"padding": "4px 8px"}):
            solara.Select(
                f"{dimension.name} rule",
                value=rule.name,
                values=list(dimension.rules),
                on_value=_setter(settings, Settings.with_rule, which, dimension.name),
            )
            solara.Text(dimension.summary, style={"font-size": "0.8em", "color": "#555"})
            for parameter in rule_parameter_specs(type(rule)):
                ParameterInput(
                    parameter,
                    spec[parameter.name],
                    _setter(settings, Settings.with_rule_parameter, which, parameter.name),
                )


@solara.component
def MarketEditor(settings: solara.Reactive[Settings]) -> None:
    """The market's main parameters, with their units; others set by a case or file listed."""
    scenario_values = Scenario().to_dict() | dict(settings.value.market)
    for name in MARKET_PARAMETERS:
        spec = Scenario.spec(name)
        ParameterInput(
            spec,
            scenario_values[name],
            _setter(settings, Settings.with_market, name),
        )
    others = {k: v for k, v in settings.value.market.items() if k not in MARKET_PARAMETERS}
    if others:
        solara.Text(
            "also set: " + ", ".join(f"{k} = {v}" for k, v in others.items()),
            style={"font-size": "0.8em"},
        )
    solara.Text(
        f"seed: {settings.value.rng} (both policies share it)", style={"font-weight": "500"}
    )
    solara.SliderInt(
        "",
        value=settings.value.rng,
        min=0,
        max=99,
        on_value=lambda v: settings.set(dataclasses.replace(settings.value, rng=int(v))),
    )


@solara.component
def RunControls(run: PairedRun | None, on_reset: Callable[[], None]) -> None:
    """Reset, play/pause and Step: one month per Step, and no month after a pause.

    Reset builds the market the sidebar describes; without a run (settings
    that cannot run) only Reset is enabled.
    """
    playing = solara.use_reactive(False)
    running = run is not None and run.running

    def play() -> None:
        while run is not None and playing.value and run.running:
            time.sleep(PLAY_INTERVAL_S)
            with run.lock:
                if not playing.value:  # paused during the wait: no further month
                    return
                run.step()
            force_update()
        playing.value = False

    solara.lab.use_task(play, dependencies=[playing.value, run], prefer_threaded=True)

    def step() -> None:
        if run is None:
            return
        with run.lock:
            if run.running:
                run.step()
        force_update()

    def reset() -> None:
        playing.value = False
        on_reset()

    with solara.Row(justify="space-between"):
        solara.Button("Reset", color="primary", on_click=reset)
        solara.Button(
            "❚❚ Pause" if playing.value else "▶ Play",
            color="primary",
            on_click=lambda: playing.set(not playing.value),
            disabled=not running,
        )
        solara.Button("Step", color="primary", on_click=step, disabled=playing.value or not running)


@solara.component
def Summary(run: PairedRun) -> None:
    """The month, each policy's NPV so far and customers, and the paired difference."""
    update_counter.get()
    horizon = run.scenario_used.horizon_months
    solara.Text(f"Month {run.month} of {horizon}", classes=["loyaltysim-month"])
    if run.month == 0:
        solara.Text("Press Step or ▶ Play to run the market month by month.")
        return
    npv = run.npv_so_far()
    for letter, model, value in zip("AB", run.models, npv, strict=False):
        customers = int(model.ledger.column("active")[-1])
        solara.Text(
            f"{letter}: {model.policy.name}: NPV so far {usd(value[-1])}; {customers:,} customers"
        )
    difference = run.difference()
    if difference is not None:
        solara.Text(
            f"B − A so far: {usd(difference, sign=True)} (same market, same random numbers)",
            classes=["loyaltysim-difference"],
        )


@solara.component
def Pictures(run: PairedRun) -> None:
    """The network and the charts, redrawn after each month; CSV and PNG export."""
    counter = update_counter.get()
    network = solara.use_memo(lambda: NetworkPicture(run), dependencies=[run])
    series = solara.use_memo(lambda: SeriesPicture(run), dependencies=[run])
    images = solara.use_memo(
        lambda: (network.update(), series.update()), dependencies=[run, counter]
    )
    with solara.Row():
        solara.FileDownload(
            lambda: run_csv(run),
            filename=f"loyaltysim_run_month{run.month}.csv",
            label="Export CSV",
        )
        solara.FileDownload(
            lambda: _png(series.figure),
            filename=f"loyaltysim_run_month{run.month}.png",
            label="Export PNG",
            mime_type="image/png",
        )
    solara.Image(images[0], width="100%")
    solara.Image(images[1], width="100%")


#: Larger type for a projector.
CSS = """
.v-application { font-size: 16px; }
.loyaltysim-month { font-size: 1.3em; font-weight: bold; }
.loyaltysim-difference { font-size: 1.2em; font-weight: bold; color: #6a1b9a; }
"""


@solara.component
def Page() -> None:
    """The app: a fresh run for each browser session or notebook cell."""
    settings = solara.use_reactive(Settings())
    message = solara.use_reactive("")
    chosen_case = solara.use_reactive(cast("str | None", None))
    editing = solara.use_reactive("A")

    applied = solara.use_reactive(Settings())  # what the run was built from
    reset_count = solara.use_reactive(0)

    def build() -> PairedRun | str:
        s = applied.value
        try:
            policies = [s.policy(0), s.policy(1)] if s.compare else [s.policy(0)]
            return PairedRun(s.scenario(), policies, rng=s.rng)
        except LoyaltysimError as exc:
            return str(exc)

    built = solara.use_memo(build, dependencies=[applied.value, reset_count.value])

    def apply(new: Settings) -> None:
        settings.set(new)
        applied.set(new)

    def reset() -> None:
        applied.set(settings.value)
        reset_count.set(reset_count.value + 1)

    def load_case(name: str | None) -> None:
        if name is None:
            return
        chosen_case.set(name)
        apply(case_settings(CASES[name], rng=settings.value.rng))
        message.set("")

    def load_file(uploads: Any) -> None:
        if not uploads:
            return
        upload = uploads[0]
        try:
            apply(scenario_file_settings(upload["name"], bytes(upload["content"]), settings.value))
            chosen_case.set(None)
            message.set("")
        except LoyaltysimError as exc:
            message.set(f"Not loaded: {exc}")

    solara.Style(CSS)
    solara.Title("loyaltysim app")
    with solara.AppBar():
        solara.AppBarTitle("loyaltysim: service policy, satisfaction and profit")
    with solara.Sidebar():
        with solara.Card("Run", margin=0):
            RunControls(built if isinstance(built, PairedRun) else None, on_reset=reset)
            if settings.value != applied.value:
                solara.Warning("Changed: press Reset to run the market with the changes.")
            solara.Checkbox(
                label="Run policy B beside A",
                value=settings.value.compare,
                on_value=lambda v: settings.set(
                    dataclasses.replace(settings.value, compare=bool(v))
                ),
            )
        with solara.Card("Case or scenario file", margin=0):
            solara.Select(
                "classroom case",
                value=chosen_case,
                values=list(CASES),
                on_value=load_case,
            )
            widgets.FileUpload.element(
                description="Scenario file (.toml)",
                accept=".toml",
                multiple=False,
                layout=widgets.Layout(width="100%"),
                on_value=load_file,
            )
            solara.Text(f"Loaded: {applied.value.source}", style={"font-size": "0.85em"})
            if message.value:
                solara.Error(message.value)
        with solara.Card("Policies", margin=0):
            solara.ToggleButtonsSingle(value=editing, values=["A", "B"])
            PolicyEditor(settings, 0 if editing.value == "A" else 1)
        with solara.Card("Market", margin=0):
            MarketEditor(settings)
    if isinstance(built, str):
        solara.Error(f"These settings cannot run: {built}")
        return
    Summary(built)
    Pictures(built)


#: Display this in a JupyterLab cell to use the app in a notebook.
page = Page()
