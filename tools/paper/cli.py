"""The command line: ``python -m paper`` regenerates the paper (or checks it with ``--check``)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import paper
from loyaltysim._io import write_atomic
from paper.markers import differences, insert, missing_markers
from paper.pdf import write_pdf
from paper.studies import STUDIES, provenance
from paper.study import (
    PAPER,
    PDF,
    PROVENANCE,
    WORKERS,
    Output,
    close_figures,
    run_study,
    save,
    select,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the paper's artefacts (or, with ``--check``, compare them with paper.md)."""
    parser = argparse.ArgumentParser(
        prog="python -m paper", description=paper.__doc__.splitlines()[0]
    )
    parser.add_argument("--check", action="store_true", help="only report what differs")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="studies or artefacts to run")
    parser.add_argument("--workers", type=int, default=WORKERS, help="sweep worker processes")
    parser.add_argument("--list", action="store_true", help="list the studies and exit")
    parser.add_argument(
        "--pdf-only", action="store_true", help="only rebuild papers/paper.pdf from paper.md"
    )
    args = parser.parse_args(argv)
    if args.list:
        for s in STUDIES:
            print(f"{s.name:<12} {s.does}")
            for kind, names in (("tables", s.tables), ("figures", s.figures), ("values", s.values)):
                if names:
                    print(f"{'':<12} {kind}: {', '.join(names)}")
        return 0
    if args.pdf_only:
        built = PROVENANCE.read_text() if PROVENANCE.is_file() else ""
        return _pdf(built or provenance.markdown(["none (the PDF alone)"]))
    studies = select(args.only)
    text = PAPER.read_text()
    missing = missing_markers(studies, text)
    if missing:
        raise SystemExit(f"paper: papers/paper.md has no marker for {', '.join(missing)}")
    outputs: dict[str, Output] = {}
    timings: list[tuple[str, str, float]] = []
    start = time.perf_counter()
    for i, study in enumerate(studies, 1):
        print(f"[{i}/{len(studies)}] {study.name}: {study.does}", flush=True)
        output = run_study(study, workers=args.workers, log=lambda m: print(m, flush=True))
        outputs[study.name] = output
        print(f"    computed in {output.seconds:.1f} s", flush=True)
        if args.check:
            close_figures(output)
            continue
        drawn = save(output)
        text = insert(text, output)
        for name in output.tables:
            timings.append((f"papers/tables/{name}.md", study.name, output.seconds))
        for name, seconds in drawn.items():
            timings.append((f"papers/figures/{name}.png", study.name, output.seconds + seconds))
            print(f"    figure {name}.png drawn in {seconds:.1f} s", flush=True)
    total = time.perf_counter() - start
    if args.check:
        problems = differences(outputs, text)
        for problem in problems:
            print(problem)
        unchecked = [s.name for s in studies if not s.checked]
        print(
            f"paper.md: {len(problems)} difference(s) in {len(studies)} studies ({total:.0f} s)"
            + (f"; not checked: {', '.join(unchecked)}" if unchecked else "")
        )
        return int(bool(problems))
    old = PAPER.read_text()
    if text != old:
        write_atomic(PAPER, lambda p: Path(p).write_text(text))
    print(f"\npapers/paper.md {'updated' if text != old else 'unchanged'}; artefacts:")
    for path, study_name, seconds in timings:
        print(f"  {path:<40} {study_name:<12} {seconds:7.1f} s")
    print(f"total {total:.0f} s")
    return _pdf(provenance.markdown([s.name for s in studies]))


def _pdf(section: str) -> int:
    """Write the provenance file, then the PDF of paper.md with it at the end."""
    start = time.perf_counter()
    write_atomic(PROVENANCE, lambda p: Path(p).write_text(section))
    write_pdf(PAPER, PDF, appendix=section)
    rel = PDF.relative_to(PAPER.parents[1])
    print(f"{rel} and {PROVENANCE.name} written in {time.perf_counter() - start:.1f} s")
    return 0
