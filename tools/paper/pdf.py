"""papers/paper.md as a PDF: Markdown parsed by markdown-it-py, written as Typst, compiled offline.

The parser is markdown-it-py (CommonMark with tables); :func:`to_typst` walks its
tokens and writes the Typst markup of each (headings, paragraphs, emphasis,
code, links, lists, tables, figures, block quotes, code blocks). Every piece of
text goes in as a Typst string literal (:func:`loyaltysim.recommend.typst_string`),
so no character of the paper can be read as Typst markup. HTML comments (the
paper's markers) are removed before parsing, so a marker that opens a line does not
break its paragraph. :func:`write_pdf` copies the linked figures next
to the Typst source in a temporary folder and compiles it with the ``typst``
wheel (:func:`loyaltysim.recommend.typst_pdf`: embedded fonts, a fixed
timestamp, written whole or not at all).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from loyaltysim.recommend import typst_pdf, typst_string

#: An HTML comment (the paper's table and value markers).
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

#: Where a code span may break: after these characters.
BREAK_AFTER = re.compile(r"([_,=(/])")

#: The page and type of the paper.
PREAMBLE = """#set page(paper: "a4", margin: 2.2cm, numbering: "1")
#set text(font: "Libertinus Serif", size: 10.5pt)
#set par(justify: true)
#show heading: set block(above: 1.4em, below: 0.8em)
#show table: set text(size: 7.5pt)
#show raw: set text(size: 0.9em)
#show figure.caption: set text(size: 9pt)
"""


def _inline(tokens: Sequence[Token], images: list[str]) -> str:
    """The Typst markup of an inline token's children (``images`` collects image paths)."""
    out: list[str] = []
    for token in tokens:
        kind = token.type
        if kind == "text":
            if token.content:
                out.append("#" + typst_string(token.content))
        elif kind == "code_inline":
            # a zero-width space after _ , = ( lets a long name break in a narrow table cell
            code = BREAK_AFTER.sub("\\1\u200b", token.content)
            out.append(f"#raw({typst_string(code)})")
        elif kind in ("softbreak",):
            out.append(" ")
        elif kind == "hardbreak":
            out.append(" \\\n")
        elif kind == "em_open":
            out.append("#emph[")
        elif kind == "strong_open":
            out.append("#strong[")
        elif kind in ("em_close", "strong_close", "link_close"):
            out.append("]")
        elif kind == "link_open":
            out.append(f"#link({typst_string(str(token.attrs.get('href', '')))})[")
        elif kind == "image":
            src = str(token.attrs.get("src", ""))
            images.append(src)
            alt = typst_string(token.content)  # the paper's caption follows in italics
            out.append(f"#align(center, image({typst_string(src)}, width: 95%, alt: {alt}))")
        elif kind == "html_inline":
            continue  # the paper's value markers
        else:
            raise ValueError(f"paper.md: no Typst for the inline Markdown element {kind!r}")
    return "".join(out)


def to_typst(markdown: str) -> tuple[str, list[str]]:
    """The Typst source of a Markdown document, and the image paths it links.

    Raises:
        ValueError: An element the converter does not know (so nothing is lost quietly).
    """
    # the markers go first: one that opens a line would otherwise end its paragraph
    tokens = MarkdownIt("commonmark").enable("table").parse(COMMENT.sub("", markdown))
    images: list[str] = []
    out: list[str] = [PREAMBLE]
    lists: list[str] = []  # the marker of each open list
    row: list[str] = []
    table: list[str] = []
    columns = 0
    header = False
    for i, token in enumerate(tokens):
        kind = token.type
        indent = "  " * max(len(lists) - 1, 0)
        if kind == "heading_open":
            out.append("=" * int(token.tag[1]) + " ")
        elif kind == "inline":
            if tokens[i - 1].type in ("th_open", "td_open"):
                cell = _inline(token.children or [], images)
                row.append(f"strong[{cell}]" if header else f"[{cell}]")
            else:
                out.append(_inline(token.children or [], images))
        elif kind == "heading_close":
            out.append("\n\n")
        elif kind == "paragraph_open":
            if lists and not token.hidden:
                out.append(indent + "  ")
        elif kind == "paragraph_close":
            out.append("\n" if lists else "\n\n")
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append("-" if kind == "bullet_list_open" else "+")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                out.append("\n")
        elif kind == "list_item_open":
            out.append(f"{'  ' * (len(lists) - 1)}{lists[-1]} ")
        elif kind == "list_item_close":
            continue
        elif kind == "table_open":
            table, columns = [], 0
        elif kind == "thead_open":
            header = True
        elif kind == "thead_close":
            header = False
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            columns = max(columns, len(row))
            table.extend(row)
            row = []
        elif kind == "table_close":
            out.append(
                f"#table(columns: {columns}, inset: 3pt, stroke: 0.4pt + gray, "
                f"{', '.join(table)})\n\n"
            )
            table = []
        elif kind in ("th_open", "td_open", "th_close", "td_close", "tbody_open", "tbody_close"):
            continue
        elif kind in ("fence", "code_block"):
            out.append(f"#raw(block: true, {typst_string(token.content.rstrip())})\n\n")
        elif kind == "blockquote_open":
            out.append("#quote(block: true)[\n")
        elif kind == "blockquote_close":
            out.append("]\n\n")
        elif kind == "hr":
            out.append("#line(length: 100%)\n\n")
        elif kind == "html_block":
            continue  # the paper's table markers
        else:
            raise ValueError(f"paper.md: no Typst for the Markdown element {kind!r}")
    return "".join(out), images


def write_pdf(markdown: Path, pdf: Path, appendix: str = "") -> None:
    """Compile a Markdown file (and ``appendix``, Markdown too) to a PDF.

    Links to images are read relative to the Markdown file's folder.

    Raises:
        ValueError: A Markdown element the converter does not know.
        loyaltysim.errors.OutputError: The PDF does not compile or cannot be written.
    """
    source, images = to_typst(markdown.read_text(encoding="utf-8") + "\n\n" + appendix)
    with tempfile.TemporaryDirectory(prefix="paper-pdf-") as folder:
        for image in images:
            target = Path(folder, image)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(markdown.parent / image, target)
        main = Path(folder, "paper.typ")
        main.write_text(source, encoding="utf-8")
        typst_pdf(main, pdf)
