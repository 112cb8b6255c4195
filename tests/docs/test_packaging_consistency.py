"""The set-up documented alike: dependencies listed alike in environment.yml and
pyproject.toml, CI runs the README's command."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# environment.yml is read without PyYAML: its layout is simple.


def conda_requirements(path: Path) -> dict[str, str]:
    """Package name -> requirement, from the top-level ``dependencies`` list."""
    out: dict[str, str] = {}
    in_deps = False
    for line in path.read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        if in_deps and re.match(r"^\S", line):
            break
        match = re.match(r"^  - ([A-Za-z0-9_.\-]+)(.*)$", line)
        if in_deps and match:
            name = match.group(1).lower().replace("_", "-")
            out[name] = name + match.group(2).strip()
    return out


def conda_dependencies(path: Path) -> set[str]:
    """Package names of the top-level ``dependencies`` list."""
    return set(conda_requirements(path))


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra}
    conda = conda_dependencies(ROOT / "environment.yml")
    assert conda - {"python", "pip"} == wanted


def test_versions_agree_between_environment_and_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {_name(r): r.replace(" ", "") for r in project["dependencies"]}
    conda = conda_requirements(ROOT / "environment.yml")
    for name, requirement in pins.items():
        assert conda[name].replace(" ", "") == requirement, name


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and re.search(r"^make test$", ci, re.M)
    assert "make run" in readme
