"""Every default a help text states is the default the command uses."""

from __future__ import annotations

import argparse
import inspect
import re

import pytest

from loyaltysim.cases import ROBUSTNESS_LEVELS
from loyaltysim.cli.parser import build_parser
from loyaltysim.comparison import compare
from loyaltysim.fitting.posterior import DRAWS, REPLICATIONS
from loyaltysim.recommend import MATERIALITY, SCAN_LEVELS, SCAN_REPLICATIONS

#: ``(default 4)``, ``(default: fresh entropy, ...)``, ``(default 1; ...``
STATED = re.compile(r"\(default:? ([^);]+)")

#: Options whose parser default is None because the command computes it: what it computes
#: (by option, or by command and option where commands differ).
COMPUTED = {
    "levels": ROBUSTNESS_LEVELS,
    "workers": 1,
    ("recommend", "levels"): SCAN_LEVELS,
    ("recommend", "scan_replications"): SCAN_REPLICATIONS,
    ("recommend", "materiality"): MATERIALITY,
    ("compare", "replications"): inspect.signature(compare).parameters["replications"].default,
    ("compare", "draws"): DRAWS,
}

#: Options whose default is taken from the command's input, as the help says
#: (``tests/system/test_robust.py`` checks that ``robust`` uses the search's seed).
DERIVED = {("robust", "seed"): "the search's seed"}


def _stated_defaults() -> list[tuple[str, str, str, object]]:
    """``(command, option, stated default, real default)`` of each help that states one."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    rows = []
    for name, command in sub.choices.items():
        for action in command._actions:
            if not action.help or not action.option_strings:
                continue
            real = command.get_default(action.dest)
            text = action.help % {"default": real} if "%(" in action.help else action.help
            if match := STATED.search(text):
                rows.append((name, action.option_strings[-1], match.group(1), real))
    return rows


def _shown(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


@pytest.mark.parametrize(("command", "option", "stated", "real"), _stated_defaults())
def test_a_stated_default_is_the_real_one(command, option, stated, real):
    dest = option.lstrip("-").replace("-", "_")
    if real is None:
        real = COMPUTED.get((command, dest), COMPUTED.get(dest))
    if (command, dest) in DERIVED:  # taken from the command's input (tested with the command)
        assert stated == DERIVED[command, dest], (command, option, stated)
        return
    if real is None:  # the command decides; a seed then draws fresh entropy
        assert dest != "seed" or stated.startswith("fresh"), (command, option, stated)
        return
    assert stated in {_shown(real), str(real)}, (command, option, stated, real)


def test_each_seed_states_what_its_command_uses():
    stated = {name: text for name, option, text, _ in _stated_defaults() if option == "--seed"}
    assert stated["calibrate"] == "0"
    assert stated["case"] == "2026"
    assert stated["run"].startswith("fresh") and stated["compare"].startswith("fresh")


def test_the_defaults_checked_cover_every_command_with_options():
    commands = {name for name, *_ in _stated_defaults()}
    assert {"run", "compare", "case", "calibrate", "sweep", "report", "app"} <= commands


def test_compare_states_the_replications_in_each_posterior_draw():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    option = next(a for a in sub.choices["compare"]._actions if a.dest == "replications")
    assert f"with --posterior, {REPLICATIONS} in each draw" in (option.help or "")
