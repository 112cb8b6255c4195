"""The package's layout: layers import downwards only, no circles, no private names across modules.

The layers, from the ground floor up (a module may import from its own layer or below):

0. ``errors``, ``params``, ``_io``, ``style``         declarations, utilities, the plot style
1. ``scenario``, ``seeding``, ``outcomes``, ``statistics``, ``population``, ``network``, ``firm``
2. ``policies``, ``month``                            the firm's rules; one month's state
3. ``submodels``, ``agents``, ``model``               the monthly schedule and the Mesa model
4. ``simulation``, ``experiments``, ``comparison``    one run, many runs, paired comparisons
5. ``cases``, ``evidence``, ``fitting``, ``report``,   what the runs are used for
   ``plotting``, ``recommend``, ``search``, ``robust``, ``discovery``, ``ema``
6. ``cli``, ``app``                                   the front ends
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

import loyaltysim

PACKAGE = Path(loyaltysim.__file__).parent

LAYERS: dict[str, int] = {
    "errors": 0,
    "params": 0,
    "_io": 0,
    "style": 0,
    "scenario": 1,
    "seeding": 1,
    "outcomes": 1,
    "statistics": 1,
    "population": 1,
    "network": 1,
    "firm": 1,
    "policies": 2,
    "month": 2,
    "submodels": 3,
    "agents": 3,
    "model": 3,
    "simulation": 4,
    "experiments": 4,
    "comparison": 4,
    "cases": 5,
    "evidence": 5,
    "fitting": 5,
    "report": 5,
    "plotting": 5,
    "recommend": 5,
    "search": 5,
    "robust": 5,
    "discovery": 5,
    "ema": 5,
    "cli": 6,
    "app": 6,
    "__main__": 6,
}


def _modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
            ".__init__"
        ): path
        for path in PACKAGE.rglob("*.py")
    }


def _runtime_imports(path: Path) -> list[tuple[str, list[str], bool]]:
    """``(module, names, top_level)`` of each ``from loyaltysim... import`` outside
    ``if TYPE_CHECKING:`` blocks; ``top_level`` is false inside functions."""
    tree = ast.parse(path.read_text())
    found: list[tuple[str, list[str], bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.ImportFrom) and (child.module or "").startswith("loyaltysim"):
                found.append((child.module or "", [a.name for a in child.names], top))
            inner = top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, inner)

    visit(tree, True)
    return found


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else 7


def test_every_module_has_a_layer():
    for module in _modules():
        if module != "loyaltysim":
            assert module.split(".")[1] in LAYERS, f"{module}: add its layer to LAYERS"


def test_modules_import_from_their_layer_or_below():
    for module, path in _modules().items():
        if module == "loyaltysim":
            continue
        for imported, _, top in _runtime_imports(path):
            if imported == "loyaltysim":  # `from loyaltysim import __version__`
                continue
            if top:
                assert _layer(imported) <= _layer(module), f"{module} imports {imported}"


def test_there_is_no_import_circle():
    graph = nx.DiGraph()
    for module, path in _modules().items():
        for imported, _names, top in _runtime_imports(path):
            if top and imported != "loyaltysim":
                graph.add_edge(module, imported)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, cycles


def test_no_module_imports_another_modules_private_names():
    for module, path in _modules().items():
        for imported, names, _ in _runtime_imports(path):
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{module} imports {private} from {imported}"


def test_the_package_face_only_re_exports_and_loads_lazily():
    for name in loyaltysim.__all__:
        assert getattr(loyaltysim, name) is not None, name
    probe = (
        "import sys, loyaltysim; "
        "heavy = [m for m in ('mesa', 'pandas', 'scipy', 'matplotlib') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["loyaltysim.cli.parser", "loyaltysim.policies"])
def test_the_command_line_starts_without_the_simulation_stack(module):
    probe = (
        f"import sys, {module}; "
        "heavy = [m for m in ('mesa', 'pandas', 'scipy', 'matplotlib') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


#: The CDNOW benchmark's model library and what it brings; imported inside functions only.
BAYESIAN_STACK = ("pymc_marketing", "pymc", "pytensor", "arviz")


@pytest.mark.parametrize("module", ["loyaltysim", "loyaltysim.cli", "loyaltysim.evidence.cdnow"])
def test_the_bayesian_stack_loads_only_when_a_model_is_fitted(module):
    probe = f"import sys, {module}; print([m for m in {BAYESIAN_STACK!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_module_imports_on_its_own():
    for module in _modules():
        if module.endswith("__main__") or module == "loyaltysim.app":
            continue
        importlib.import_module(module)
