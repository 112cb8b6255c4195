"""`make paper` writes a PDF of papers/paper.md and leaves the tracked files as they were."""

from __future__ import annotations

import subprocess

import pytest

import paper
from loyaltysim.recommend import pdf_pages
from paper.pdf import to_typst, write_pdf
from paper.study import PAPER, PDF, PROVENANCE, ROOT


def test_every_element_of_the_paper_has_its_typst_and_every_figure_is_linked():
    text = PAPER.read_text()
    source, images = to_typst(text)  # an unknown element raises
    assert images == paper.figure_links(text)
    assert "<!--" not in source
    # a value marker that opens a line stays in its paragraph
    typst, _ = to_typst("cuts fraud by\n<!-- value: x -->79%<!-- /value --> and more.\n")
    assert '#"cuts fraud by" #"79% and more."' in typst
    # no character of the text is read as markup: each piece is a string literal
    typst, _ = to_typst('A *b* `c_d` $5 #g "h" \\\\ end\n')
    assert '#emph[#"b"]' in typst and '#raw("c_\u200bd")' in typst
    assert r'#" $5 #g \"h\" \\ end"' in typst


def test_the_tracked_paper_names_no_machine():
    text = PAPER.read_text()
    assert "Python 3." not in text and "<!-- value: versions" not in text
    ignored = subprocess.run(
        ["git", "check-ignore", str(PDF), str(PROVENANCE)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert ignored.stdout.split() == [str(PDF), str(PROVENANCE)]


@pytest.mark.slow
def test_the_paper_compiles_to_a_pdf_with_its_tables_and_figures(tmp_path):
    pdf = tmp_path / "paper.pdf"
    write_pdf(PAPER, pdf, appendix="## Provenance of this build\n\nBuilt here.\n")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and pdf_pages(data) >= 10
    assert data.count(b"/Subtype/Image") >= len(paper.figure_links(PAPER.read_text()))
