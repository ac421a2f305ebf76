"""HTML export of an executed notebook: the self-contained French report (no CDN, code hidden)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..io import strip_accents, write_text

TEMPLATE_DIR = Path(__file__).parent / "templates"


_HEADING = re.compile(r"<h([23])([^>]*)>(.*?)</h\1>", re.S)


def _slug(text: str) -> str:
    plain = re.sub(r"<[^>]+>", "", text).replace("¶", "")
    return re.sub(r"[^a-z0-9]+", "-", strip_accents(plain).lower()).strip("-") or "section"


def add_table_of_contents(page: str) -> str:
    """Give every h2/h3 an id and insert a table of contents at the ``<!-- ducos:toc -->`` marker."""
    entries: list[tuple[int, str, str]] = []
    seen: set[str] = set()

    def visit(match: re.Match) -> str:
        level, attrs, inner = match.group(1), match.group(2), match.group(3)
        found = re.search(r'id="([^"]+)"', attrs)
        ident = found.group(1) if found else _slug(inner)
        while ident in seen:
            ident += "-1"
        seen.add(ident)
        label = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        entries.append((int(level), ident, label))
        if not found:
            attrs += f' id="{ident}"'
        return f"<h{level}{attrs}>{inner}</h{level}>"

    page = _HEADING.sub(visit, page)
    items = []
    for level, ident, label in entries:
        if level == 2:
            items.append(f'<li><a href="#{ident}">{html.escape(label)}</a></li>')
    toc = f'<nav class="ducos-toc" aria-label="Sommaire"><strong>Sommaire</strong><ol>{"".join(items)}</ol></nav>'
    if not items:
        return page.replace("<!-- ducos:toc -->", "", 1)
    if "</h1>" not in page:
        return page.replace("<!-- ducos:toc -->", toc, 1)
    page = page.replace("<!-- ducos:toc -->", "", 1)
    h1_end = page.find("</h1>") + len("</h1>")  # after the title, so the page opens on what it is about
    return page[:h1_end] + toc + page[h1_end:]


def export_html(notebook_path: Path | str, html_path: Path | str, title: str | None = None) -> Path:
    """Convert an executed notebook into the self-contained French HTML report.

    Code cells' inputs, prompts and the (injected) parameters cells are removed; images are
    embedded; the template loads nothing from another host.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.read(str(notebook_path), as_version=4)
    if title:
        nb.metadata["title"] = title
    for cell in nb.cells:  # warnings and logs are for the analyst, not for the CoPil
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    exporter = HTMLExporter(
        template_name="ducos", extra_template_basedirs=[str(TEMPLATE_DIR)], exclude_input=True,
        exclude_input_prompt=True, exclude_output_prompt=True, embed_images=True, language_code="fr",
        exclude_anchor_links=True,
    )
    remover = TagRemovePreprocessor(remove_cell_tags={"parameters", "injected-parameters", "remove_cell"},
                                    remove_all_outputs_tags={"remove_output"})
    exporter.register_preprocessor(remover, enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    body = add_table_of_contents(body)
    write_text(body, html_path)
    return Path(html_path)
