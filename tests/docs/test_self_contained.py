"""The product stands on its own: it cites only what a reader of the project can look up.

Every tracked file of the product (the package, the tools, the documents, the
notebooks' cells, the examples, experiments and benchmarks, the build files)
must cite the literature, a section of papers/odd.md or a source story as
papers/stories.md numbers it, never the team's working notes, which do not ship
with the project. Notebook outputs are left out: they show what the code
printed when the notebook last ran, and the next run replaces them.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STORIES = ROOT / "papers" / "stories.md"
PAPER = ROOT / "papers" / "paper.md"

#: What the product is made of (folders and single files, relative to the root).
PRODUCT = (
    "src",
    "tools",
    "README.md",
    "CONTRIBUTING.md",
    "notebooks",
    "papers",
    "examples",
    "experiments",
    "benchmarks",
    "Makefile",
    "pyproject.toml",
    "environment.yml",
    ".ci",
)
TEXT_SUFFIXES = {"", ".py", ".md", ".ipynb", ".toml", ".yml", ".yaml", ".txt", ".cfg", ".ini"}

#: Pointers to the team's notes: the domain brief, its folder, the stories' originals.
NOTES = re.compile(
    r"MODEL\.md|shared/|seeds/|\bdomain brief\b|\bthe brief\b|\bbrief(?:'s| §)", re.I
)
#: The stories' former identifiers ("seed 004", "seeds 000, 002", "seed story 004").
OLD_STORY_ID = re.compile(r"\bseeds? (?:story )?00\d\b|\bseed 00n\b|\bseed story\b", re.I)
#: A story cited by number: "story 4", "stories 0, 2, 1", "story 1 rule 5".
STORY_CITATION = re.compile(r"\bstor(?:y|ies) (\d+(?:, \d+)*)(?: rule (\d+))?", re.I)
#: An author-year citation: "Reichheld 1996", "Wirtz & Kum 2004", "Goldenberg et al. 2007".
CITATION = re.compile(
    r"\b([A-Z][A-Za-z'\-]+)(?: et al\.| & [A-Z][A-Za-z'\-]+|(?:, [A-Z][A-Za-z'\-]+)+"
    r" & [A-Z][A-Za-z'\-]+)?,? \(?((?:19|20)\d\d)\b"
)


def product_files() -> list[Path]:
    """The tracked files of the product that hold text."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", *PRODUCT],
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout.split("\0")
        paths = [ROOT / p for p in listed if p]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: walk the folders
        paths = [p for name in PRODUCT for p in (ROOT / name, *(ROOT / name).rglob("*"))]
        paths = [p for p in paths if "__pycache__" not in p.parts]
    return sorted(p for p in paths if p.is_file() and p.suffix in TEXT_SUFFIXES)


def readable_text(path: Path) -> str:
    """A file's text; for a notebook, its cells' sources only."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        return "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
    return text


def defined_story_ids() -> set[str]:
    """The identifiers of papers/stories.md's table: ``story 4``, ``story 1 rule 5``."""
    return set(re.findall(r"^\| `(story \d+(?: rule \d+)?)` \|", STORIES.read_text(), re.M))


def cited_story_ids(text: str) -> set[str]:
    """Every story identifier a text cites, one per story (and rule)."""
    cited = set()
    for match in STORY_CITATION.finditer(text):
        numbers = match.group(1).split(", ")
        cited |= {f"story {n}" for n in numbers}
        if match.group(2):
            cited.add(f"story {numbers[-1]} rule {match.group(2)}")
    return cited


def _plain(text: str) -> str:
    """Text without accents, so that "Erdos" matches "Erdős"."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def reference_entries() -> list[str]:
    """The entries of papers/paper.md's references, each on one line, without accents."""
    section = PAPER.read_text().split("\n## References\n", 1)[1]
    return [_plain(" ".join(e.split())) for e in re.split(r"\n- ", section)[1:]]


FILES = product_files()
FILE_IDS = [str(p.relative_to(ROOT)) for p in FILES]


def test_the_product_is_found_and_the_stories_define_their_identifiers():
    assert any(p.name == "scenario.py" for p in FILES) and STORIES in FILES
    ids = defined_story_ids()
    assert {f"story {n}" for n in range(5)} <= ids
    assert {f"story 1 rule {n}" for n in range(1, 6)} <= ids


@pytest.mark.parametrize("path", FILES, ids=FILE_IDS)
def test_no_file_points_to_the_team_notes(path):
    text = readable_text(path)
    found = [m.group(0) for m in NOTES.finditer(text)]
    assert not found, f"{path.relative_to(ROOT)} cites the team's notes: {found}"


@pytest.mark.parametrize("path", FILES, ids=FILE_IDS)
def test_every_story_is_cited_by_an_identifier_that_papers_stories_defines(path):
    text = readable_text(path)
    if path != STORIES:  # papers/stories.md names the former identifiers once, to retire them
        old = [m.group(0) for m in OLD_STORY_ID.finditer(text)]
        assert not old, f"{path.relative_to(ROOT)} uses a former story identifier: {old}"
    unknown = cited_story_ids(text) - defined_story_ids()
    assert not unknown, f"{path.relative_to(ROOT)} cites stories papers/stories.md lacks: {unknown}"


def test_every_work_cited_is_in_the_references():
    entries = reference_entries()
    missing = set()
    for path in FILES:
        for author, year in CITATION.findall(_plain(readable_text(path))):
            if not any(author in entry and year in entry for entry in entries):
                missing.add(f"{author} {year} ({path.relative_to(ROOT)})")
    assert not missing, "cited but not in papers/paper.md's references: " + "; ".join(
        sorted(missing)
    )
