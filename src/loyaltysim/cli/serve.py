"""``loyaltysim app``: serve the app (:mod:`loyaltysim.app`) on this machine only.

The app runs simulations for whoever reaches it and has no login, so it binds
to a loopback address; use it from another machine by forwarding the port
over ssh.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import socket
import sys
import tempfile
import warnings
from pathlib import Path

from loyaltysim.errors import LoyaltysimError, ParameterError

__all__ = ["APP_MODULES", "serve_app"]

#: What ``loyaltysim app`` needs beyond the core dependencies (the ``app`` extra).
APP_MODULES = ("solara", "altair")


#: Keeps the mended navigator template (see :func:`_mend_solara_navigator`) while serving.
_MENDED: list[tempfile.TemporaryDirectory[str]] = []


def _mend_solara_navigator() -> None:
    """Serve solara's page navigator with ``module.exports`` spelled right.

    Its template (``solara/widgets/vue/navigator.vue``, solara 1.64) says
    ``modules.export``, so every page load logs "Failed to evaluate Vue script
    and find module.exports" in the browser console before ipyvue falls back.
    The template is read from the file the class names; a copy with the one
    word corrected is named instead. Nothing changes where the spelling is
    already right.
    """
    from solara.widgets.widgets import Navigator

    original = Path(Navigator.template_file)
    text = original.read_text(encoding="utf-8")
    if "modules.export = {" not in text:
        return
    folder = tempfile.TemporaryDirectory(prefix="loyaltysim-app-")
    _MENDED.append(folder)
    mended = Path(folder.name) / original.name
    mended.write_text(text.replace("modules.export = {", "module.exports = {"), encoding="utf-8")
    Navigator.template_file = str(mended)


def serve_app(host: str, port: int) -> int:
    """Serve ``loyaltysim.app:Page`` on ``host:port`` (a loopback address) until Ctrl-C.

    Raises:
        ParameterError: The host is not a loopback address, or the port is taken.
        LoyaltysimError: The ``app`` extra is not installed.
    """
    if not 1 <= port <= 65535:
        raise ParameterError("--port", port, "a whole number in [1, 65535]")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ParameterError(
            "--host",
            host,
            "a loopback address: 127.0.0.1, ::1 or localhost",
            "the app runs simulations for whoever reaches it and has no login; "
            "to use it from another machine, forward the port over ssh",
        )
    missing = [name for name in APP_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise LoyaltysimError(
            f"the app needs {' and '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
            "not installed; install them with: pip install 'loyaltysim[app]'"
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ParameterError(
                "--port", port, "a free port", f"{host}:{port}: {exc.strerror}"
            ) from None
    # Set before solara is imported: its settings are read from the environment then.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")  # no calls home
    os.environ.setdefault("SOLARA_THEME_SHOW_BANNER", "False")  # no badge over the charts
    from solara.__main__ import run as solara_run

    _mend_solara_navigator()

    # Solara warns on every page load over plain http at 127.0.0.1 (not "localhost") that its
    # cookie falls back to samesite=lax: expected for a local app, so not shown.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)

    shown = f"[{host}]" if ":" in host else host
    print(f"loyaltysim app: http://{shown}:{port} (Ctrl-C stops it)", file=sys.stderr)
    solara_run.main(
        [
            "loyaltysim.app:Page",
            "--host",
            host,
            "--port",
            str(port),
            "--production",
            "--no-open",
            "--no-check-version",
        ],
        prog_name="loyaltysim app",
        standalone_mode=False,
    )
    return 0
