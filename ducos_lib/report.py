"""Report building blocks used by the notebooks, and the HTML export of an executed notebook.

Notebooks hold narrative and calls; these helpers turn computed figures into French HTML fragments
(key-findings box, formatted tables, figures with alt text, provenance footer) and write the
machine-readable tables of DESIGN §4.
"""

from __future__ import annotations

import base64
import html
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from . import formats
from .io import write_csv, write_text

TEMPLATE_DIR = Path(__file__).parent / "templates"


class Fragment(str):
    """An HTML fragment that Jupyter displays as HTML (``_repr_html_``) and nbconvert embeds."""

    def _repr_html_(self) -> str:
        return str(self)


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def constats(items: Iterable[str], titre: str = "Constats clés") -> Fragment:
    """The key-findings box that opens every report (items may contain simple HTML)."""
    lis = "".join(f"<li>{item}</li>" for item in items)
    return Fragment(f'<section class="ducos-constats"><h2>{esc(titre)}</h2><ul>{lis}</ul></section>')


def alerte(text: str) -> Fragment:
    """A highlighted warning paragraph (text may contain simple HTML)."""
    return Fragment(f'<p class="ducos-alerte">{text}</p>')


def note(text: str) -> Fragment:
    return Fragment(f'<p class="ducos-note">{text}</p>')


def tableau(
    frame: pd.DataFrame,
    *,
    legende: str | None = None,
    formats_colonnes: Mapping[str, Callable[[Any], str]] | None = None,
    colonnes: Mapping[str, str] | None = None,
    max_lignes: int = 200,
) -> Fragment:
    """Render a DataFrame as a French HTML table.

    Parameters
    ----------
    frame : DataFrame
        The rows to show (never raw personal rows: pass aggregates).
    legende : str, optional
        Caption shown above the table.
    formats_colonnes : mapping, optional
        Column → function giving the French text of a value (e.g. ``formats.pourcent``).
        Numbers without a formatter are shown with :func:`formats.nombre` (2 decimals when needed).
    colonnes : mapping, optional
        Column → French header.
    """
    formats_colonnes = dict(formats_colonnes or {})
    colonnes = dict(colonnes or {})
    shown = frame.head(max_lignes)
    numeric = {c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])}
    head = "".join(
        f'<th scope="col" class="{"num" if c in numeric else ""}">{esc(colonnes.get(c, c))}</th>' for c in shown.columns
    )
    body = []
    for row in shown.itertuples(index=False):
        cells = []
        for c, v in zip(shown.columns, row):
            if c in formats_colonnes:
                text = formats_colonnes[c](v)
            elif c in numeric:
                text = formats.nombre(v, 0 if float(v if pd.notna(v) else 0).is_integer() else 2)
            elif isinstance(v, pd.Timestamp):
                text = formats.date(v)
            elif isinstance(v, bool):
                text = "oui" if v else "non"
            else:
                text = "–" if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else str(v)
            cells.append(f'<td class="{"num" if c in numeric or c in formats_colonnes and c in numeric else ""}">{esc(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{esc(legende)}</caption>" if legende else ""
    more = (f'<p class="ducos-note">{formats.nombre(len(frame) - max_lignes)} lignes de plus dans le tableau CSV.</p>'
            if len(frame) > max_lignes else "")
    return Fragment(f'<table class="ducos-tableau">{caption}<thead><tr>{head}</tr></thead>'
                    f'<tbody>{"".join(body)}</tbody></table>{more}')


def figure(fig, alt: str, legende: str | None = None, *, dpi: int = 110) -> Fragment:
    """Embed a matplotlib figure as a PNG with alt text (and close it).

    The alt text says what the chart shows and its main reading, for screen readers and for a
    reader whose image did not load.
    """
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    caption = f"<figcaption>{esc(legende)}</figcaption>" if legende else ""
    return Fragment(f'<figure class="ducos-figure"><img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
                    f"{caption}</figure>")


def provenance(ms, parameters: Mapping[str, Any], code_version: str) -> Fragment:
    """Footer: input files with their hash, code version, parameters and date of the run."""
    inputs = "; ".join(
        f"{d.fichier} (sha256 {d.sha256[:12]}…)" for d in ms.ingestion.datasets.values() if d.fichier and d.sha256
    )
    params = ", ".join(f"{k} = {v}" for k, v in parameters.items())
    now = datetime.now().strftime("%d/%m/%Y à %H:%M")
    return Fragment(
        '<footer class="ducos-provenance"><strong>Provenance.</strong> '
        f"Jalon {esc(ms.milestone)} (données arrêtées au {formats.date(ms.date)}). Fichiers lus : {esc(inputs)}. "
        f"Version du code : {esc(code_version)}. Paramètres : {esc(params)}. Rapport produit le {now}.</footer>"
    )


def write_table(frame: pd.DataFrame, out_dir: Path | str, name: str) -> Path:
    """Write ``out_dir/tables/<name>.csv`` (UTF-8, comma, point decimal) atomically."""
    path = Path(out_dir) / "tables" / f"{name}.csv"
    write_csv(frame, path)
    return path


# ------------------------------------------------------------------------------------------------
# HTML export of an executed notebook
# ------------------------------------------------------------------------------------------------

_HEADING = re.compile(r"<h([23])([^>]*)>(.*?)</h\1>", re.S)


def _slug(text: str) -> str:
    from .io import strip_accents

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


def resolve_paths(milestone: str, raw_dir: str | Path | None, out_dir: str | Path | None) -> tuple[Path, Path]:
    """Notebook parameters → absolute paths (defaults: configured raw folder, ``reports/<milestone>``)."""
    from .config import path_setting

    raw = Path(raw_dir).resolve() if raw_dir else path_setting("raw_dir")
    out = Path(out_dir).resolve() if out_dir else path_setting("reports_dir") / milestone
    out.mkdir(parents=True, exist_ok=True)
    return raw, out
