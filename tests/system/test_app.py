"""The SolaraViz app: the page builds and runs in-process, and in a real headless browser.

The browser test starts ``loyaltysim app`` on a free port, drives the page in
Debian's chromium through Playwright, and saves a screenshot to
``results/app_screenshot.png``. Without chromium (or Playwright) it skips,
except where ``CI`` is set: there it fails, so CI cannot pass without it.
"""

from __future__ import annotations

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
import pytest

from loyaltysim.cli import main
from loyaltysim.network import GraphNetwork, WellMixed

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
# The model behind the sliders


def test_default_slider_values_build_a_model_that_steps():
    values = {name: spec["value"] for name, spec in app.MODEL_PARAMS.items()}
    model = app.AppModel(**values)
    model.run_for(3)
    assert model.month == 3 and model.params.n_customers == values["n_customers"]
    assert model.policy.name == "always_compensate"
    assert len(model.datacollector.get_model_vars_dataframe()) == 3


def test_every_select_value_builds_a_model_that_steps():
    for name, spec in app.MODEL_PARAMS.items():
        if spec["type"] != "Select":
            continue
        for value in spec["values"]:
            model = app.AppModel(n_customers=200, **{name: value})
            model.step()
            assert model.month == 1, (name, value)


def test_slider_extremes_build_models_that_step():
    for name, spec in app.MODEL_PARAMS.items():
        if not spec["type"].startswith("Slider"):
            continue
        for value in (spec["min"], spec["max"]):
            model = app.AppModel(**{name: value})
            model.step()
            assert model.month == 1, (name, value)


def test_rule_selects_override_the_named_policy():
    model = app.AppModel(policy="verify_first", pricing="fixed", caprices="refuse")
    assert model.policy.describe() == "claims=verify, pricing=fixed, caprices=refuse"
    assert app.AppModel(policy="fixed_pricing").policy.name == "fixed_pricing"


def test_selects_list_the_registered_rules_and_named_policies():
    from loyaltysim.policies import NAMED_POLICIES, registered_rules

    assert app.MODEL_PARAMS["policy"]["values"] == list(NAMED_POLICIES)
    for dimension in app.LEVERS:
        values = app.MODEL_PARAMS[dimension]["values"]
        assert values == [app.FROM_POLICY, *registered_rules(dimension)]


# ---------------------------------------------------------------------------
# The network view


def test_layout_of_a_graph_places_everyone_and_keeps_each_edge_once():
    model = app.AppModel(n_customers=300)
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


def test_draw_network_colours_customers_and_greys_the_rest():
    model = app.AppModel(n_customers=200)
    model.run_for(2)
    fig = app.draw_network(model, app.network_layout(model.network))
    ax = fig.axes[0]
    customers = ax.collections[-1]
    assert len(customers.get_offsets()) == model.population.counts()[1]
    assert customers.get_array() is not None  # coloured by satisfaction


# ---------------------------------------------------------------------------
# The page, rendered in-process (no browser)


def texts(rc) -> list[str]:
    return [
        child
        for widget in rc.find(v.Html, tag="span").widgets
        for child in widget.children
        if isinstance(child, str)
    ]


def test_page_object_builds():
    assert isinstance(app.page, reacton.core.Element)


@pytest.mark.slow
def test_page_renders_steps_and_resets_with_a_new_policy():
    _box, rc = solara.render(solara.AppLayout(children=[app.Page()]), handle_error=False)
    try:
        assert "Month 0 of 60: press Step or ▶ to run the market." in texts(rc)
        images = rc.find(widgets.Image).widgets
        assert len(images) == 4
        before = [bytes(image.value) for image in images]
        rc.find(v.Btn, children=["Step"]).widget.click()
        assert "Time: 1.0" in texts(rc)
        assert any(t.startswith("Month 1 of 60: NPV so far $") for t in texts(rc))
        after = [bytes(image.value) for image in rc.find(widgets.Image).widgets]
        assert all(a != b for a, b in zip(before, after, strict=True))
        rc.find(v.Select, label="named policy").widget.v_model = "verify_first"
        rc.find(v.Btn, children=["Reset"]).widget.click()
        assert any(t.startswith("verify_first (claims=verify") for t in texts(rc))
        assert "Time: 0.0" in texts(rc)
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


@pytest.mark.slow
@pytest.mark.browser
def test_app_in_a_headless_browser(tmp_path):
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
    try:
        wait_until_up(url, server, log, timeout_s=180)
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(tmp_path / "chromium-profile"),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1400, "height": 1000},
            )
            try:
                page = context.new_page()
                page.set_default_timeout(20_000)
                page.on(
                    "console",
                    lambda m: (
                        problems.append(f"console {m.type}: {m.text}")
                        if m.type == "error"
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
                page.get_by_text("Month 0 of 60: press Step").wait_for(timeout=40_000)
                images = page.locator("img")
                images.nth(3).wait_for()
                assert images.count() == 4  # network, profit, customer base, word of mouth
                first = [images.nth(i).get_attribute("src") for i in range(4)]

                # A policy lever: Mesa builds the new market on Reset.
                named_policy = page.locator(".v-select").filter(
                    has=page.locator("label", has_text=re.compile(r"^named policy$"))
                )
                named_policy.click()
                page.get_by_role("option", name="verify_first").click()
                page.get_by_role("button", name="Reset").click()
                page.get_by_text("verify_first (claims=verify").wait_for()

                page.get_by_role("button", name="Step").click()
                page.get_by_text(re.compile(r"^Month 1 of 60: NPV so far \$")).wait_for()
                page.get_by_role("button", name="▶").click()
                page.get_by_text(re.compile(r"^Month [3-9] of 60: ")).wait_for()
                page.get_by_role("button", name="❚❚").click()
                page.get_by_role("button", name="Step").and_(page.locator(":enabled")).wait_for()

                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    now = [images.nth(i).get_attribute("src") for i in range(4)]
                    if all(a != b for a, b in zip(first, now, strict=True)):
                        break
                    time.sleep(0.2)
                assert all(a != b for a, b in zip(first, now, strict=True)), "plots did not update"
                assert page.get_by_text(re.compile(r"^Time: \d+\.0$")).is_visible()

                shot = tmp_path / "app_screenshot.png"
                page.screenshot(path=shot, full_page=True)
                (ROOT / "results").mkdir(exist_ok=True)
                shutil.copy(shot, ROOT / "results" / "app_screenshot.png")
            finally:
                context.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert not problems, "\n".join(problems)
    assert not elsewhere, f"the page reached beyond the app: {elsewhere}"
    served = log.read_text()
    assert "Traceback" not in served and "Could not load URL" not in served, served
    assert time.monotonic() - started < 60
