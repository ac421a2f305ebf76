"""The CoPil's entry page of a milestone (``index.html``)."""

from __future__ import annotations

from datetime import datetime

from .formats import date, nombre
from .io import write_text
from .report import TEMPLATE_DIR, esc

STATUS_LABELS = {"ok": "publié", "inchange": "publié (inchangé)", "echec": "échec : non publié"}


def write_index(run) -> None:
    """Write ``OUT/<milestone>/index.html``: links to reports and tables, status of each notebook."""
    css = (TEMPLATE_DIR / "ducos" / "ducos.css").read_text(encoding="utf-8")
    rows = []
    for nb in run.notebooks:
        link = f'<a href="{esc(nb.html)}">{esc(nb.titre)}</a>' if nb.html and nb.statut != "echec" else esc(nb.titre)
        status = STATUS_LABELS.get(nb.statut, nb.statut)
        detail = f'<br><span class="ducos-note">{esc(nb.erreur)}</span>' if nb.erreur else ""
        tables = ", ".join(f'<a href="{esc(t)}">{esc(t.split("/")[-1])}</a>' for t in nb.tables)
        rows.append(f"<tr><td>{link}</td><td>{esc(status)}{detail}</td><td class=\"num\">{nombre(nb.duree_s, 1)} s</td>"
                    f"<td>{tables or '–'}</td></tr>")
    ingestion_rows = "".join(
        f"<tr><td>{esc(d.dataset)}</td><td>{esc(d.fichier or '–')}</td><td>{esc(d.statut)}</td>"
        f'<td class="num">{nombre(d.n_acceptees)}</td><td class="num">{nombre(d.n_rejetees)}</td></tr>'
        for d in run.ingestion.datasets.values()
    )
    page = f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Observatoire qualité de Ducos — jalon {esc(run.milestone)}</title><style>{css}</style></head>
<body class="ducos-rapport"><header class="ducos-bandeau"><span>Observatoire qualité — Ville de Ducos</span></header>
<main><h1>Jalon {esc(run.milestone)} : rapports de l'observatoire</h1>
<p>Rapports produits le {date(datetime.now(), long=True)}.</p>
<h2>Rapports</h2>
<table class="ducos-tableau"><thead><tr><th>Rapport</th><th>État</th><th class="num">Durée</th><th>Tableaux</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<h2>Données lues</h2>
<table class="ducos-tableau"><thead><tr><th>Jeu</th><th>Fichier</th><th>État</th><th class="num">Lignes acceptées</th>
<th class="num">Lignes rejetées</th></tr></thead><tbody>{ingestion_rows}</tbody></table>
<p class="ducos-note">Détail technique : <a href="manifest.json">manifest.json</a>.</p>
</main></body></html>"""
    write_text(page, run.out_dir / "index.html")
