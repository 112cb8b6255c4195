"""The marker engine: what papers/paper.md prints between its markers, and how to update it.

Each table and value a study makes is printed in paper.md between its markers::

    <!-- table: NAME -->
    ...
    <!-- /table -->

    ... prose <!-- value: NAME -->+18,864 USD<!-- /value --> prose ...
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from paper.studies import STUDIES
from paper.study import Output, Study

#: A table block: its body runs to the first closing marker at a line start, and never
#: across another marker (so an unclosed block is an error, not a swallowed section).
TABLE_BLOCK = re.compile(
    r"<!-- table: (?P<name>\w+) -->\n(?P<body>(?:(?!<!-- /?table).)*?)^<!-- /table -->",
    re.S | re.M,
)
#: A value inside prose.
VALUE_BLOCK = re.compile(
    r"<!-- value: (?P<name>\w+) -->(?P<body>(?:(?!<!-- /?value).)*?)<!-- /value -->", re.S
)


def printed(text: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Every table and value paper.md prints, by name (a value may be printed several times).

    Raises:
        ValueError: A marker is not closed, or closed twice.
    """
    tables: dict[str, list[str]] = {}
    values: dict[str, list[str]] = {}
    for pattern, found, kind in ((TABLE_BLOCK, tables, "table"), (VALUE_BLOCK, values, "value")):
        matches = list(pattern.finditer(text))
        opened, closed = text.count(f"<!-- {kind}: "), text.count(f"<!-- /{kind} -->")
        if not opened == closed == len(matches):
            raise ValueError(
                f"paper.md: {opened} <!-- {kind}: NAME --> markers, {closed} closing ones, "
                f"{len(matches)} well-formed blocks"
            )
        for m in matches:
            found.setdefault(m["name"], []).append(m["body"].removesuffix("\n"))
    return tables, values


def missing_markers(studies: Iterable[Study], text: str) -> list[str]:
    """The tables and values of ``studies`` that paper.md has no marker for."""
    tables, values = printed(text)
    return [f"table {t}" for s in studies for t in s.tables if t not in tables] + [
        f"value {v}" for s in studies for v in s.values if v not in values
    ]


def insert(text: str, output: Output) -> str:
    """``text`` with ``output``'s tables and values between their markers.

    Raises:
        KeyError: paper.md has no marker for one of them.
    """
    tables, values = printed(text)  # checks the markers are well formed
    for kind, fresh, shown in (("table", output.tables, tables), ("value", output.values, values)):
        missing = sorted(set(fresh) - set(shown))
        if missing:
            raise KeyError(f"paper.md has no <!-- {kind}: NAME --> marker for {missing}")

    def table(m: re.Match[str]) -> str:
        body = output.tables.get(m["name"])
        return m[0] if body is None else f"<!-- table: {m['name']} -->\n{body}\n<!-- /table -->"

    def value(m: re.Match[str]) -> str:
        body = output.values.get(m["name"])
        return m[0] if body is None else f"<!-- value: {m['name']} -->{body}<!-- /value -->"

    return VALUE_BLOCK.sub(value, TABLE_BLOCK.sub(table, text))


def figure_links(text: str) -> list[str]:
    """The figures paper.md links (paths relative to papers/)."""
    return re.findall(r"\]\((figures/[^)\s]+\.png)\)", text)


def differences(outputs: dict[str, Output], text: str) -> list[str]:
    """What paper.md prints that differs from ``outputs`` (checked studies only), with diffs."""
    tables, values = printed(text)
    problems = []
    for name, output in outputs.items():
        study = next(s for s in STUDIES if s.name == name)
        if not study.checked:
            continue
        for kind, fresh, shown in (
            ("table", output.tables, tables),
            ("value", output.values, values),
        ):
            for key, new in fresh.items():
                if key not in shown:
                    problems.append(f"{kind} {key}: no <!-- {kind}: {key} --> marker in paper.md")
                    continue
                for old in shown[key]:
                    if old != new:
                        diff = "\n".join(
                            difflib.unified_diff(
                                old.splitlines(),
                                new.splitlines(),
                                "printed",
                                "fresh",
                                n=0,
                                lineterm="",
                            )
                        )
                        problems.append(f"{kind} {key} differs:\n{diff}")
                        break
    return problems
