"""The SolaraViz app: the page builds and runs in-process, and in a real headless browser.

The browser test starts ``loyaltysim app`` on a free port, drives the page in
Debian's chromium through Playwright at 1,024 px wide (a case, a scenario file,
a policy dimension, a side-by-side run, play and pause, the exports), and saves
its screenshots and the time of a Step click to ``results/app/`` (or to the
folder ``LOYALTYSIM_SCREENSHOTS`` names). Without chromium (or Playwright) it skips,
except where ``CI`` is set: there it fails, so CI cannot pass without it.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from loyaltysim.cases import CASES
from loyaltysim.cli import main
from loyaltysim.errors import LoyaltysimError
from loyaltysim.model import LoyaltyModel
from loyaltysim.network import GraphNetwork, WellMixed
from loyaltysim.policies import DIMENSIONS, rule_parameter_specs
from loyaltysim.population import ACTIVE
from loyaltysim.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
#: Without the background-networking switches chromium's own connections are refused on a
#: closed network and it logs errors; a fresh profile directory is passed separately.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(ok: bool, reason: str) -> None:
    """Skip when something optional is missing; in CI (``CI=true``), fail instead."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)")
    pytest.skip(reason)


try:
    import ipyvuetify as v
    import ipywidgets as widgets
    import reacton.core
    import solara

    from loyaltysim import app
except ImportError as exc:  # pragma: no cover - the app extra is part of `make setup`
    require(False, f"the app extra is not installed ({exc}): pip install 'loyaltysim[app]'")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# What the sidebar sets, and the paired run behind the page

SMALL = {"n_customers": 200, "horizon_months": 12}


def small(settings: app.Settings) -> app.Settings:
    return settings.with_market("n_customers", 200).with_market("horizon_months", 12)


def test_default_settings_run_both_policies_on_the_same_random_numbers():
    settings = app.Settings()
    run = app.PairedRun(settings.scenario(), [settings.policy(0), settings.policy(1)], rng=7)
    assert run.scenario_used.n_customers == app.APP_PEOPLE
    run.run_for(3)
    assert run.month == 3 and run.time == 3
    # B's market is exactly the one LoyaltyModel runs alone with the same seed.
    alone = LoyaltyModel(settings.scenario(), settings.policy(1), rng=7)
    alone.run_for(3)
    pd.testing.assert_frame_equal(run.models[1].ledger.frame(), alone.ledger.frame())
    a, b = run.npv_so_far()
    assert run.difference() == pytest.approx(b[-1] - a[-1])


def test_the_same_policy_twice_differs_by_nothing():
    scenario = Scenario(**SMALL)
    run = app.PairedRun(scenario, ["verify_first", "verify_first"], rng=3)
    run.run_for(12)
    assert run.difference() == 0.0 and not run.running
    frame = run.frame()
    assert len(frame) == 24 and set(frame["policy"]) == {"verify_first"}


def test_every_rule_of_every_dimension_and_its_parameters_build_a_policy_that_runs():
    settings = small(app.Settings())
    for dimension in DIMENSIONS.values():
        for rule_name, rule in dimension.rules.items():
            changed = settings.with_rule(1, dimension.name, rule_name)
            for spec in rule_parameter_specs(rule):
                if spec.kind in ("int", "float"):
                    _low, high, _step = app.slider_range(spec)
                    changed = changed.with_rule_parameter(1, spec.name, high)
                    assert changed.policy(1).to_spec()[spec.name] == high
            policy = changed.policy(1)
            assert policy.rule(dimension).name == rule_name
            assert policy.name == "policy B"  # no longer a named policy
            run = app.PairedRun(changed.scenario(), [changed.policy(0), policy], rng=1)
            run.step()
            assert run.month == 1, (dimension.name, rule_name)


def test_slider_ranges_hold_the_default_within_the_declared_range():
    specs = [Scenario.spec(name) for name in app.MARKET_PARAMETERS]
    specs += [
        s for d in DIMENSIONS.values() for r in d.rules.values() for s in rule_parameter_specs(r)
    ]
    for spec in specs:
        if spec.kind not in ("int", "float") or spec.name == "n_customers":
            continue
        low, high, step = app.slider_range(spec)
        assert low <= spec.default <= high and step > 0, spec.name
        spec.validate(low), spec.validate(high)  # both ends are accepted values
    assert app.slider_range(Scenario.spec("n_customers")) == (app.MIN_PEOPLE, app.MAX_PEOPLE, 100)


def test_every_case_loads_its_market_and_two_of_its_policies():
    for name, case in CASES.items():
        settings = app.case_settings(case)
        assert settings.compare and name in settings.source
        assert settings.policy(0) == case.policies[0]
        assert settings.policy(1) in case.policies[1:]
        scenario = settings.scenario()
        assert scenario.n_customers <= app.MAX_PEOPLE
        for key, value in case.changes.items():
            if key != "n_customers":
                assert getattr(scenario, key) == value
        run = app.PairedRun(scenario, [settings.policy(0), settings.policy(1)], rng=1)
        run.step()
    promise = app.case_settings(CASES["broken_promise"]).policy(1)
    assert promise.rule("promises").name == "optimistic"


def test_a_scenario_file_sets_the_market_and_policy_a():
    data = (ROOT / "examples" / "client_market.toml").read_bytes()
    settings = app.scenario_file_settings("client_market.toml", data, app.Settings())
    assert settings.market["basket_value_usd"] == 85.0
    assert settings.market["n_customers"] == app.APP_PEOPLE  # 5,000 in the file
    assert "client_market.toml" in settings.source and "not 5,000" in settings.source
    assert settings.policies[1] == app.Settings().policies[1]  # B unchanged
    settings.scenario(), settings.policy(0)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"[scenario\n", "bad.toml"),
        (b"[scenario]\nfailure_rate = 2.0\n", "failure_rate: got 2"),
        (b"[scenario]\nfailure_rat = 0.1\n", "failure_rate"),
        (b"[market]\nn = 1\n", "unexpected top-level entry"),
        (b"[policy]\nclaims = 'sometimes'\n", "policy.claims"),
        (b"\xff\xfe", "bad.toml"),
    ],
)
def test_a_bad_scenario_file_is_one_clear_line(content, says):
    with pytest.raises(LoyaltysimError) as caught:
        app.scenario_file_settings("bad.toml", content, app.Settings())
    message = str(caught.value)
    assert says in message and "\n" not in message and "loyaltysim-app-" not in message


def test_usd_formats_money_for_the_page():
    assert app.usd(-1234.4) == "\u2212$1,234"
    assert app.usd(20, sign=True) == "+$20"
    assert app.usd(0.2, sign=True) == "$0"


def test_csv_export_holds_both_ledgers_and_the_seed():
    run = app.PairedRun(Scenario(**SMALL), ["always_compensate", "fixed_pricing"], rng=5)
    run.run_for(4)
    text = app.run_csv(run)
    header, table = text.split("\n", 1)
    assert "seed 5" in header and "n_customers=200" in header
    frame = pd.read_csv(io.StringIO(table))
    assert list(frame["policy"].unique()) == ["always_compensate", "fixed_pricing"]
    assert len(frame) == 8 and frame["npv_so_far_usd"].notna().all()


# ---------------------------------------------------------------------------
# The pictures


def test_network_picture_colours_customers_by_satisfaction():
    run = app.PairedRun(Scenario(**SMALL), ["always_compensate", "verify_first"], rng=2)
    picture = app.NetworkPicture(run)
    run.run_for(2)
    png = picture.update()
    assert png.startswith(b"\x89PNG")
    for model, points in zip(run.models, picture.points, strict=True):
        colours = points.get_facecolor()
        active = model.population.status == ACTIVE
        assert len(colours) == 200
        expected = picture.cmap(picture.norm(model.population.satisfaction[active]))
        np.testing.assert_allclose(colours[active], expected)


def test_series_picture_widens_its_axes_to_hold_every_point():
    run = app.PairedRun(Scenario(**SMALL), ["always_compensate", "verify_first"], rng=2)
    picture = app.SeriesPicture(run)
    before = picture.update()
    for _ in range(6):
        run.step()
        after = picture.update()
    assert before != after
    assert 1 <= picture.redraws < 7  # most months draw only the lines
    for ax, lines in zip(picture.figure.axes, picture.lines, strict=True):
        low, high = ax.get_ylim()
        for line in lines:
            y = np.asarray(line.get_ydata())
            assert len(y) == 6 and low <= y.min() and y.max() <= high


# ---------------------------------------------------------------------------
# The network layout


def test_layout_of_a_graph_places_everyone_and_keeps_each_edge_once():
    model = LoyaltyModel(Scenario(n_customers=300), rng=1)
    layout = app.network_layout(model.network)
    assert layout.positions.shape == (300, 2) and np.isfinite(layout.positions).all()
    assert len(layout.edges) == model.network.degree().sum() // 2
    assert (layout.edges[:, 0] < layout.edges[:, 1]).all()
    again = app.network_layout(model.network)
    np.testing.assert_array_equal(layout.positions, again.positions)  # fixed for a model


def test_layout_handles_several_components_and_the_well_mixed_market():
    two_triangles_and_a_loner = np.array([[0, 1], [1, 2], [2, 0], [3, 4], [4, 5], [5, 3]])
    layout = app.network_layout(GraphNetwork(7, two_triangles_and_a_loner))
    assert np.isfinite(layout.positions).all() and len(layout.edges) == 6
    mixed = app.network_layout(WellMixed(50))
    assert mixed.positions.shape == (50, 2) and mixed.edges.shape == (0, 2)


# ---------------------------------------------------------------------------
# The page, rendered in-process (no browser)


def texts(rc) -> list[str]:
    return [
        child
        for widget in rc.find(v.Html, tag="span").widgets
        for child in widget.children
        if isinstance(child, str)
    ]


def alerts(rc) -> list[str]:
    return [
        child
        for widget in rc.find(v.Alert).widgets
        for child in widget.children
        if isinstance(child, str)
    ]


def test_page_object_builds():
    assert isinstance(app.page, reacton.core.Element)


@pytest.mark.slow
def test_page_steps_loads_a_case_and_edits_a_dimension():
    _box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    try:
        shown = texts(rc)
        assert "Month 0 of 60" in shown
        assert not {"Render Interval (steps)", "Use Threads"} & set(shown)
        labels = {w.label for w in rc.find(v.Select).widgets}
        assert {f"{d} rule" for d in DIMENSIONS} <= labels  # all nine dimensions
        images = rc.find(widgets.Image).widgets
        assert len(images) == 2
        before = [bytes(image.value) for image in images]
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert "Month 1 of 60" in texts(rc)
        assert any(t.startswith("B − A so far: ") for t in texts(rc))
        after = [bytes(image.value) for image in rc.find(widgets.Image).widgets]
        assert all(a != b for a, b in zip(before, after, strict=True))
        rc.find(v.Select, label="classroom case").widget.v_model = "broken_promise"
        assert any(t.startswith("Loaded: case broken_promise") for t in texts(rc))
        assert "Month 0 of 60" in texts(rc)
        rc.find(v.BtnToggle).widget.v_model = 1  # edit policy B
        assert rc.find(v.Select, label="promises rule").widget.v_model == "optimistic"
        rc.find(v.Select, label="claims rule").widget.v_model = "threshold"
        assert "claims_threshold_usd: 100 USD" in texts(rc)
        assert any(t.startswith("Changed: press Reset") for t in alerts(rc))
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert not any(t.startswith("Changed: press Reset") for t in alerts(rc))
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert any(t.startswith("B: policy B: NPV so far") for t in texts(rc))
    finally:
        rc.close()


# ---------------------------------------------------------------------------
# The command


def test_app_command_refuses_a_bad_port(capsys):
    assert main(["app", "--port", "0"]) == 2
    assert "--port: got 0; accepts a whole number in [1, 65535]" in capsys.readouterr().err


def test_app_command_serves_loopback_only(capsys):
    assert main(["app", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "--host" in err and "loopback" in err and err.count("\n") == 1


def test_app_command_refuses_a_port_in_use(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    assert "accepts a free port" in capsys.readouterr().err


def test_app_command_says_how_to_install_solara(capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a)
    )
    assert main(["app", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "needs solara" in err and "pip install 'loyaltysim[app]'" in err
    assert "Traceback" not in err


# ---------------------------------------------------------------------------
# The app in a real browser


def wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"`loyaltysim app` exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    pytest.fail(
        f"`loyaltysim app` did not answer at {url} within {timeout_s} s:\n{log.read_text()}"
    )


def screenshot_folder() -> Path:
    """Where the browser test's screenshots go: ``$LOYALTYSIM_SCREENSHOTS``, else results/app."""
    folder = Path(os.environ.get("LOYALTYSIM_SCREENSHOTS") or ROOT / "results" / "app")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def month_shown(page) -> int:
    return int(re.search(r"Month (\d+) of", page.locator(".loyaltysim-month").inner_text())[1])


def pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the select labelled ``label`` (a Vuetify select)."""
    page.locator(".v-select").filter(
        has=page.locator("label", has_text=re.compile(f"^{re.escape(label)}$"))
    ).click()
    page.get_by_role("option", name=option, exact=True).click()


def upload(page, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile(r"Scenario file")).click()
    chooser.value.set_files(str(path))


@pytest.mark.slow
@pytest.mark.browser
def test_app_in_a_headless_browser(tmp_path):
    """The class's path through the app at 1,024 px: a case, a file, a lever, a run, exports."""
    require(CHROMIUM.exists(), f"{CHROMIUM} is missing (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed: pip install 'loyaltysim[browser]'")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    # Point solara's asset proxy at a closed port: everything must come from the installed
    # packages (solara-assets), as on a machine without internet.
    env = {**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/"}
    log = tmp_path / "server.log"
    bad = tmp_path / "bad_market.toml"
    bad.write_text("[scenario]\nfailure_rate = 2.0\n")
    shots = screenshot_folder()
    started = time.monotonic()
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "loyaltysim", "app", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
    problems: list[str] = []
    elsewhere: list[str] = []
    timings: dict[str, float] = {}
    try:
        wait_until_up(url, server, log, timeout_s=180)
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1024, "height": 768},  # a classroom projector
                accept_downloads=True,
            )
            try:
                page = context.new_page()
                page.set_default_timeout(20_000)
                page.on(
                    "console",
                    lambda m: (
                        problems.append(f"console {m.type}: {m.text}")
                        if m.type in ("error", "warning")
                        else None
                    ),
                )
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
                page.on(
                    "request",
                    lambda r: (
                        None
                        if r.url.startswith((url, "blob:", "data:"))
                        else elsewhere.append(r.url)
                    ),
                )
                page.goto(url)
                page.get_by_text("Month 0 of 60").wait_for(timeout=40_000)
                images = page.locator("img")
                images.nth(1).wait_for()
                assert images.count() == 2  # the networks, the charts
                for internal in ("Render Interval", "Use Threads", "Page 0", "Play Interval"):
                    assert page.get_by_text(internal).count() == 0, internal
                page.screenshot(path=shots / "01_start_1024px.png", full_page=True)

                # A classroom case: its market and its two policies.
                pick(page, "classroom case", "broken_promise")
                page.get_by_text("Loaded: case broken_promise").wait_for()
                page.get_by_role("button", name="B", exact=True).click()
                page.get_by_text("promises_days: 10 days").wait_for()

                # A scenario file: a bad one is one line in the page, a good one loads.
                upload(page, bad)
                page.get_by_text(re.compile(r"Not loaded: .*failure_rate: got 2")).wait_for()
                page.screenshot(path=shots / "02_bad_scenario_file.png", full_page=True)
                upload(page, ROOT / "examples" / "client_market.toml")
                page.get_by_text("Loaded: scenario file client_market.toml").wait_for()
                assert page.get_by_text("Not loaded").count() == 0

                # A policy dimension of policy B, and its parameter with its unit.
                pick(page, "claims rule", "threshold")
                page.get_by_text("claims_threshold_usd: 100 USD").wait_for()
                page.get_by_text("Changed: press Reset").wait_for()  # applies on Reset
                page.get_by_role("button", name="Reset").click()
                page.get_by_text("Changed: press Reset").wait_for(state="detached")

                # Step: one month, timed from the click to the month shown.
                first = [images.nth(i).get_attribute("src") for i in range(2)]
                clicked = time.monotonic()
                page.get_by_role("button", name="Step").click()
                page.get_by_text("Month 1 of 60").wait_for()
                timings["step_click_to_month_1_s"] = time.monotonic() - clicked
                page.get_by_text(re.compile(r"^B − A so far: [+−]?\$[\d,]+ ")).wait_for()
                page.get_by_text(re.compile(r"^B: policy B: NPV so far")).wait_for()  # edited

                # Play, then pause: no month after the pause.
                page.get_by_role("button", name="▶ Play").click()
                page.get_by_text(re.compile(r"^Month [4-9] of 60")).wait_for()
                page.get_by_role("button", name="❚❚ Pause").click()
                page.get_by_role("button", name="▶ Play").wait_for()
                paused_at = month_shown(page)
                time.sleep(1.5)  # five play intervals
                assert month_shown(page) == paused_at, "a month ran after the pause"
                now = [images.nth(i).get_attribute("src") for i in range(2)]
                assert all(a != b for a, b in zip(first, now, strict=True)), "plots did not update"
                page.screenshot(path=shots / "03_side_by_side_1024px.png", full_page=True)

                # A Step after the first months (the charts' axes are set by then).
                clicked = time.monotonic()
                page.get_by_role("button", name="Step").click()
                page.get_by_text(f"Month {paused_at + 1} of 60").wait_for()
                timings["step_click_later_s"] = time.monotonic() - clicked
                paused_at += 1

                # Export the run.
                with page.expect_download() as csv_download:
                    page.get_by_role("button", name="Export CSV").click()
                csv_text = Path(csv_download.value.path()).read_text()
                header, table = csv_text.split("\n", 1)
                assert header.startswith("# loyaltysim app run; seed 42")
                frame = pd.read_csv(io.StringIO(table))
                assert len(frame) == 2 * paused_at and frame["policy"].nunique() == 2
                with page.expect_download() as png_download:
                    page.get_by_role("button", name="Export PNG").click()
                assert Path(png_download.value.path()).read_bytes().startswith(b"\x89PNG")
                shutil.copy(png_download.value.path(), shots / "04_exported_charts.png")

                page.set_viewport_size({"width": 1400, "height": 1000})
                page.screenshot(path=shots / "05_wide_1400px.png", full_page=True)
                page.set_viewport_size({"width": 1024, "height": 2000})  # the whole page
                page.screenshot(path=shots / "06_whole_page_1024px.png", full_page=True)
            finally:
                context.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    (shots / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    assert not problems, "\n".join(problems)
    assert not elsewhere, f"the page reached beyond the app: {elsewhere}"
    served = log.read_text()
    assert "Traceback" not in served and "Could not load URL" not in served, served
    assert time.monotonic() - started < 120
