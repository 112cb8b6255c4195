"""Regenerate the parameter tables of papers/odd.md section 8 from the code.

Run: ``python tools/odd_tables.py`` (``--check`` only reports whether they are
stale, exit status 1 if so). tests/docs/test_odd.py fails when the tables and
the code disagree; this script is how to bring them back in step. Importable as
``odd_tables`` with tools/ on ``sys.path`` (the tests' ``pythonpath``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from loyaltysim import Scenario
from loyaltysim.policies import parameter_rows

ODD = Path(__file__).resolve().parents[1] / "papers" / "odd.md"
HEADER = "| name | default | unit | range | meaning | source |\n|---|---|---|---|---|---|"
SCENARIO_START = "\n#### group `"  # at a line start, not inside code
RULES_START = "#### Policy rule parameters"


def _row(cells: list[object]) -> str:
    return "| " + " | ".join(map(str, cells)) + " |"


def scenario_tables() -> str:
    """One table per parameter group, in declaration order."""
    specs = Scenario.specs()
    blocks = []
    for group in dict.fromkeys(s.group for s in specs):
        rows = [
            _row([f"`{s.name}`", repr(s.default), s.unit, s.accepts, s.meaning, s.source])
            for s in specs
            if s.group == group
        ]
        blocks.append(f"#### group `{group}`\n\n{HEADER}\n" + "\n".join(rows) + "\n")
    return "\n".join(blocks)


def rule_table() -> str:
    """Each dimension's rule choice, then each built-in rule's parameters (``params`` rows)."""
    rows = []
    for row in parameter_rows():
        if row["name"] == "policy.preset":
            continue
        name, _, rule = row["name"].partition(" ")
        cells = [f"`{name}`" + (f" {rule}" if rule else ""), repr(row["default"]), row["unit"]]
        rows.append(_row([*cells, row["accepts"], row["meaning"], row["source"]]))
    return f"{HEADER}\n" + "\n".join(rows) + "\n"


def regenerate(text: str) -> str:
    """``text`` (papers/odd.md) with both tables rebuilt."""
    start = text.index(SCENARIO_START) + 1
    end = text.index(RULES_START)
    text = text[:start] + scenario_tables() + "\n" + text[end:]
    table = text.index(HEADER, text.index(RULES_START))
    table_end = text.index("\n\n", table) + 1
    return text[:table] + rule_table() + text[table_end:]


def main() -> int:
    """Rewrite papers/odd.md (or, with ``--check``, say whether it is stale)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report staleness")
    args = parser.parse_args()
    text = ODD.read_text()
    new = regenerate(text)
    if args.check:
        print("papers/odd.md tables are", "up to date" if new == text else "stale")
        return int(new != text)
    ODD.write_text(new)
    print(f"papers/odd.md: tables {'unchanged' if new == text else 'regenerated'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
