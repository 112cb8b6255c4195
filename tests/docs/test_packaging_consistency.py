"""The set-up: dependencies listed alike, an interpreter found, CI runs the README's command."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

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


def test_find_python_prints_an_interpreter_of_at_least_3_12():
    out = subprocess.run(
        ["sh", str(ROOT / "tools" / "find-python")], capture_output=True, text=True, check=True
    ).stdout.strip()
    version = subprocess.run(
        [out, "-c", "import sys; print(sys.version_info[:2] >= (3, 12))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == "True"


def test_find_python_explains_what_to_install_when_none_is_found(tmp_path):
    fixed = [Path(f"{d}/python3.{v}") for d in ("/usr/local/bin", "/usr/bin") for v in (12, 13)]
    if any(p.exists() for p in fixed):
        pytest.skip("a system-wide Python >= 3.12 is installed here")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cat").symlink_to(shutil.which("cat"))
    result = subprocess.run(
        ["/bin/sh", str(ROOT / "tools" / "find-python")],
        capture_output=True,
        text=True,
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
    )
    assert result.returncode == 1
    assert "Python >= 3.12" in result.stderr and "apt-get install" in result.stderr


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in readme and re.search(r"^make test$", ci, re.M)
    assert "make run" in readme


def test_running_interpreter_is_recent_enough():
    assert sys.version_info >= (3, 12)
