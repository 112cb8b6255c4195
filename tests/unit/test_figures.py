"""Figures that tell the truth: the shared style, the tick formatter, labels that fit."""

from __future__ import annotations

import itertools
from pathlib import Path

import matplotlib
import pytest
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.text import Text

import loyaltysim as ls
from loyaltysim.plotting import plot_comparison, plot_posterior_comparison
from loyaltysim.policies.rules import (
    FixedPrices,
    RefuseCaprices,
    ThresholdVerification,
    VerifyFirst,
)
from loyaltysim.style import DPI, STYLE, thousands

matplotlib.use("Agg")

LONG_NAMES = [
    "pay_every_claim_at_once_as_today",
    "verify_every_claim_before_paying_it",
    "fixed_prices_for_every_customer_segment",
    "refuse_unreasonable_caprices_politely",
    "verify_claims_above_two_hundred_dollars",
]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-12_500, "\u221212.5k"),
        (-2_500, "\u22122.5k"),
        (2_000, "2k"),
        (0, "0"),
        (250, "0.25k"),
        (12_500_000, "12,500k"),
        (1_234.5, "1.234k"),
    ],
)
def test_the_tick_formatter_shows_what_the_number_is(value, text):
    assert thousands(value) == text


def test_a_signed_tick_shows_its_plus():
    assert thousands(2_500, sign=True) == "+2.5k"


def _drawn(fig: Figure) -> RendererAgg:
    """Draw ``fig`` on an Agg canvas, as saving it does; its renderer."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _tick_labels(axis: Axis) -> list[Text]:
    """The labels of the major ticks inside the axis' limits (the ones drawn)."""
    low, high = sorted(axis.get_view_interval())
    return [
        tick.label1
        for tick in axis.get_major_ticks()
        if low <= tick.get_loc() <= high and tick.label1.get_text()
    ]


def _visible_texts(fig: Figure, renderer: RendererAgg) -> list[Text]:
    texts = [fig._suptitle] if fig._suptitle is not None else []
    for ax in fig.axes:
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label]
        texts += [*_tick_labels(ax.xaxis), *_tick_labels(ax.yaxis)]
    return [t for t in texts if t.get_text() and t.get_window_extent(renderer).width > 0]


def long_named_comparison_policies() -> list[ls.Policy]:
    return [
        ls.Policy(name=LONG_NAMES[0]),
        ls.Policy(name=LONG_NAMES[1], claims=VerifyFirst()),
        ls.Policy(name=LONG_NAMES[2], pricing=FixedPrices()),
        ls.Policy(name=LONG_NAMES[3], caprices=RefuseCaprices()),
        ls.Policy(name=LONG_NAMES[4], claims=ThresholdVerification(threshold_usd=200.0)),
    ]


@pytest.fixture(scope="module")
def long_named_comparison() -> ls.Comparison:
    market = ls.Scenario(n_customers=300, horizon_months=6)
    return ls.compare(market, long_named_comparison_policies(), replications=3, rng=1)


@pytest.fixture(scope="module")
def long_named_posterior_comparison(long_named_comparison):
    """The same policies in three markets drawn from a posterior held in memory."""
    import numpy as np
    import pandas as pd

    from loyaltysim.fitting import FITTED, FitResult, compare_posterior

    market = long_named_comparison.scenario
    posterior = pd.DataFrame(
        [
            {p.name: float(getattr(market, p.name)) for p in FITTED} | {"base_monthly_churn": c}
            for c in (0.01, 0.05, 0.1)
        ]
    )
    posterior["weight"] = np.full(3, 1 / 3)
    fitted = FitResult(Path("fit"), market, pd.DataFrame(), pd.DataFrame(), posterior)
    return compare_posterior(
        fitted, long_named_comparison_policies(), draws=3, replications=2, rng=1
    )


@pytest.mark.parametrize("figure", ["compare", "posterior"])
def test_five_long_policy_names_neither_overlap_nor_clip(
    long_named_comparison, long_named_posterior_comparison, figure
):
    fig = (
        plot_comparison(long_named_comparison)
        if figure == "compare"
        else plot_posterior_comparison(long_named_posterior_comparison)
    )
    renderer = _drawn(fig)
    page = fig.bbox
    texts = _visible_texts(fig, renderer)
    shown = {t.get_text() for t in texts}
    assert set(LONG_NAMES[0 if figure == "compare" else 1 :]) <= shown
    for text in texts:
        box = text.get_window_extent(renderer)
        inside = (
            box.x0 >= page.x0 - 0.5
            and box.y0 >= page.y0 - 0.5
            and box.x1 <= page.x1 + 0.5
            and box.y1 <= page.y1 + 0.5
        )
        assert inside, f"{text.get_text()!r} is clipped"
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            boxes = [t.get_window_extent(renderer) for t in _tick_labels(axis)]
            for a, b in itertools.combinations(boxes, 2):
                assert not a.overlaps(b), "tick labels overlap"


def test_the_compare_figure_leads_with_the_paired_differences(long_named_comparison):
    fig = plot_comparison(long_named_comparison)
    forest = fig.axes[0]
    assert "Paired difference" in forest.get_title()
    names = [t.get_text() for t in forest.get_yticklabels()]
    assert names == LONG_NAMES[1:]
    assert fig.get_dpi() == DPI
    assert forest.xaxis.get_major_formatter()(-12_500) == "\u221212.5k"


def test_no_axis_carries_an_offset(long_named_comparison):
    fig = plot_comparison(long_named_comparison)
    _drawn(fig)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            assert axis.get_offset_text().get_text() == ""


def test_the_style_is_one_for_every_figure():
    assert STYLE["savefig.dpi"] == STYLE["figure.dpi"] == DPI
    assert STYLE["axes.formatter.useoffset"] is False


def test_the_break_even_colours_are_centred_on_zero():
    import pandas as pd

    from loyaltysim.experiments.analysis import plot_break_even

    grid = pd.DataFrame(
        {
            "a": [1.0, 1.0, 2.0, 2.0],
            "b": [1.0, 2.0, 1.0, 2.0],
            "difference": [-100.0, 50.0, 2_000.0, 9_000.0],
            "low": [-200.0, -10.0, 1_000.0, 8_000.0],
            "high": [0.0, 110.0, 3_000.0, 10_000.0],
        }
    )
    grid.attrs = {"metric": "npv_usd", "challenger": "b", "baseline": "a"}
    fig = plot_break_even(grid)
    mesh = fig.axes[0].collections[0]
    norm = mesh.norm
    assert isinstance(norm, TwoSlopeNorm)
    assert norm.vcenter == 0
    assert norm(-100.0) == pytest.approx(0.0)  # the darkest loss, not a pale one
    assert norm(0.0) == pytest.approx(0.5)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert "0" in labels and any(label.startswith("\u2212") for label in labels)  # both sides
