"""Report building blocks used by the notebooks.

Notebooks hold narrative and calls; these helpers turn computed figures into French HTML fragments
(key-findings box, formatted tables, figures with alt text, provenance footer) and write the
machine-readable tables of DESIGN §4. The HTML export of an executed notebook is in :mod:`.export`.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from ..io import write_csv
from . import formats


class Fragment(str):
    """An HTML fragment that Jupyter displays as HTML (``_repr_html_``) and nbconvert embeds."""

    def _repr_html_(self) -> str:
        return str(self)


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def key_findings(items: Iterable[str], title: str = "Constats clés") -> Fragment:
    """The key-findings box that opens every report (items may contain simple HTML)."""
    lis = "".join(f"<li>{item}</li>" for item in items)
    return Fragment(f'<section class="ducos-constats"><h2>{esc(title)}</h2><ul>{lis}</ul></section>')


def warning(text: str) -> Fragment:
    """A highlighted warning paragraph (text may contain simple HTML)."""
    return Fragment(f'<p class="ducos-alerte">{text}</p>')


def note(text: str) -> Fragment:
    return Fragment(f'<p class="ducos-note">{text}</p>')


def table(
    frame: pd.DataFrame,
    *,
    caption: str | None = None,
    formatters: Mapping[str, Callable[[Any], str]] | None = None,
    columns: Mapping[str, str] | None = None,
    max_rows: int = 200,
) -> Fragment:
    """Render a DataFrame as a French HTML table.

    Parameters
    ----------
    frame : DataFrame
        The rows to show (never raw personal rows: pass aggregates).
    caption : str, optional
        Caption shown above the table.
    formatters : mapping, optional
        Column → function giving the French text of a value (e.g. ``formats.percent``).
        Numbers without a formatter are shown with :func:`formats.number` (2 decimals when needed).
    columns : mapping, optional
        Column → French header.
    """
    formatters = dict(formatters or {})
    columns = dict(columns or {})
    shown = frame.head(max_rows)
    numeric = {c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])}
    head = "".join(
        f'<th scope="col" class="{"num" if c in numeric else ""}">{esc(columns.get(c, c))}</th>' for c in shown.columns
    )
    body = []
    for row in shown.itertuples(index=False):
        cells = []
        for c, v in zip(shown.columns, row):
            if c in formatters:
                text = formatters[c](v)
            elif c in numeric:
                text = formats.number(v, 0 if float(v if pd.notna(v) else 0).is_integer() else 2)
            elif isinstance(v, pd.Timestamp):
                text = formats.date(v)
            elif isinstance(v, bool):
                text = "oui" if v else "non"
            else:
                text = "–" if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else str(v)
            cells.append(f'<td class="{"num" if c in numeric or c in formatters and c in numeric else ""}">{esc(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{esc(caption)}</caption>" if caption else ""
    more = (f'<p class="ducos-note">{formats.number(len(frame) - max_rows)} lignes de plus dans le tableau CSV.</p>'
            if len(frame) > max_rows else "")
    return Fragment(f'<table class="ducos-tableau">{caption}<thead><tr>{head}</tr></thead>'
                    f'<tbody>{"".join(body)}</tbody></table>{more}')


def figure(fig, alt: str, caption: str | None = None, *, dpi: int = 110) -> Fragment:
    """Embed a matplotlib figure as a PNG with alt text (and close it).

    The alt text says what the chart shows and its main reading, for screen readers and for a
    reader whose image did not load.
    """
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    caption = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
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


def resolve_paths(milestone: str | None, raw_dir: str | Path | None, out_dir: str | Path | None,
                  diffusion: str = "copil") -> tuple[str, Path, Path]:
    """Notebook parameters → the milestone and absolute paths.

    Defaults: the configured raw folder, the last milestone of its calendar (``calendrier.csv``),
    ``reports/<milestone>`` (``reports/restreinte/<milestone>`` at the restricted level, so that a
    restricted run never writes into the CoPil's folder).
    """
    from ..config import path_setting
    from ..publication import RESTRICTED_DIR
    from ..schedule import calendar_milestones
    from .rh import check_level

    raw = Path(raw_dir).resolve() if raw_dir else path_setting("raw_dir")
    if milestone is None:
        milestone = list(calendar_milestones(raw))[-1]
    reports = path_setting("reports_dir")
    default = reports / milestone if check_level(diffusion) == "copil" else reports / RESTRICTED_DIR / milestone
    out = Path(out_dir).resolve() if out_dir else default
    out.mkdir(parents=True, exist_ok=True)
    return milestone, raw, out


@dataclass(frozen=True)
class ReportContext:
    """What a report notebook works with after its parameters cell (see :func:`start`).

    Attributes
    ----------
    milestone : str
        The ``jalon`` of the run.
    raw_dir, out_dir : Path
        Absolute raw folder and output folder (tables go to ``out_dir/tables``).
    data : ducos_lib.ingest.MilestoneData
        What the milestone sees (processed, pseudonymised data).
    code_version : str
        Package version and source hash, printed in the provenance footer.
    """

    milestone: str
    raw_dir: Path
    out_dir: Path
    data: Any
    code_version: str

    @property
    def cache_dir(self) -> Path:
        """Where reports keep what several of them compute alike (beside the processed data they read)."""
        return Path(self.data.ingestion.processed_dir) / "cache"

    def provenance(self) -> Fragment:
        """The provenance footer every report ends with."""
        return provenance(self.data, {"milestone": self.milestone, "raw_dir": self.raw_dir}, self.code_version)


def start(milestone: str | None = None, raw_dir: str | Path | None = None, out_dir: str | Path | None = None, *,
          diffusion: str = "copil") -> ReportContext:
    """The one setup call of a report notebook, right after its ``parameters`` cell.

    Resolves the milestone and paths (:func:`resolve_paths`: without a milestone, the last one of the
    raw folder's calendar), loads what the milestone sees (ingesting the raw folder when needed) and
    applies the charts' theme.

    Examples
    --------
    >>> ctx = start()                                    # doctest: +SKIP
    >>> milestone, ms, raw_dir, out_dir = ctx.milestone, ctx.data, ctx.raw_dir, ctx.out_dir   # doctest: +SKIP
    """
    from ..ingest import code_version, load_milestone
    from . import charts

    milestone, raw, out = resolve_paths(milestone, raw_dir, out_dir, diffusion)
    data = load_milestone(milestone, raw)
    charts.setup()
    return ReportContext(milestone=milestone, raw_dir=raw, out_dir=out, data=data, code_version=code_version())
