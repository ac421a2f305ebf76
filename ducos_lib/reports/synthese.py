"""The CoPil's entry page of a milestone (``index.html``): the objectives' status first, then key
findings, the registry's summary indicators across milestones, links to every report, the guide and
the tables, and the status of each notebook. The figures come from :mod:`ducos_lib.synthesis`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from .. import synthesis
from ..io import write_text
from ..registry import load_registry
from . import bilan as bilan_report
from .export import TEMPLATE_DIR
from .formats import date, difference, number, percent, points, pvalue, signed, value
from .page import esc

STATUS_LABELS = {"ok": "publié", "inchange": "publié (inchangé)", "echec": "échec : non publié"}
ALPHA = 0.05
_read = synthesis.read_table


def _service_labels(run) -> dict[str, str]:
    path = run.ingestion.processed_dir / "services.parquet"
    if not path.exists():
        return {}
    services = pd.read_parquet(path)
    return dict(zip(services["code_service"], services["libelle"]))


def _theme_label(code: str) -> str:
    from ..text import load_codebook

    return load_codebook().labels().get(code, code.replace("_", " "))


def key_findings(out_root: Path, milestone: str, run) -> list[str]:
    """5 to 8 plain-French findings written from the published tables of the milestone.

    The comparisons are with the first milestone of the calendar, named as the calendar names it.
    """
    from .qualite_performance import measure_label

    folder = out_root / milestone
    services = _service_labels(run)
    findings: list[str] = []
    first = synthesis.milestone_order(synthesis.calendar(run), milestone)[0]
    survey = _read(folder, "enquete_estimations")
    signif = synthesis.significance(out_root, milestone, first)
    if survey is not None:
        sel = survey[(survey["indicateur"] == "satisfaction_globale_satisfaits")
                     & (survey["groupe_variable"] == "ensemble") & (survey["vague"] == milestone)]
        if len(sel):
            r = sel.iloc[0]
            text = (f"<strong>{percent(r.estimation, 0)} des usagers sont satisfaits</strong> du service rendu "
                    f"(IC 95 % {percent(r.ic_bas, 0)} – {percent(r.ic_haut, 0)}, {number(r.n_repondants)} répondants, "
                    "résultats redressés sur la population).")
            if "satisfaction_globale_satisfaits" in signif:
                diff, p = signif["satisfaction_globale_satisfaits"]
                verdict = "évolution significative" if p < ALPHA else "évolution non significative"
                text += f" Depuis {first} : {points(diff)} ({verdict}, p ajustée {pvalue(p)})."
            findings.append(text)
    comp = _read(folder, "enquete_comparaisons")
    if comp is not None and len(comp):
        best = comp[(comp["groupe_variable"] == "service") & (comp["indicateur"] == "satisfaction_globale_satisfaits")
                    & (comp["vague_a"] == first) & (comp["p_ajustee"] < ALPHA)]
        if len(best):
            up = best.sort_values("difference", ascending=False)
            names = ", ".join(f"{services.get(r.groupe, r.groupe)} ({points(r.difference)})" for r in up.head(3).itertuples())
            findings.append(f"Services dont la satisfaction a significativement changé depuis {first} : {names}.")
        elif milestone != first:
            findings.append(f"Aucun service ne montre de changement significatif de satisfaction depuis {first} "
                            "après ajustement pour tests multiples.")
    themes = _read(folder, "immersions_themes")
    if themes is not None and len(themes):
        axes = themes[themes["champ"] == "axes_progression"].sort_values("part_fiches", ascending=False)
        if len(axes):
            top = axes.iloc[0]
            findings.append(f"Immersions : l'axe de progression le plus cité est « {_theme_label(top.theme)} » "
                            f"({percent(top.part_fiches, 0)} des fiches).")
    hr = _read(folder, "rh_indicateurs")
    if hr is not None:
        sel = hr[(hr["indicateur"] == "taux_absenteisme") & (hr["groupe_variable"] == "ensemble")]
        if len(sel):
            last = sel.sort_values("date_extraction").iloc[-1]
            findings.append(f"Absentéisme des agents permanents : {percent(last.valeur, 1, proportion=False)} sur les "
                            f"12 mois précédant l'extraction du {date(last.date_extraction)}.")
    departs = _read(folder, "rh_departs_projetes")
    if departs is not None and len(departs):
        sel = departs[(departs["scenario"] == "age_legal") & (departs["groupe_variable"] == "ensemble")]
        if len(sel):
            years = sorted(sel["annee"].unique())[:5]
            total = sel[sel["annee"].isin(years)]["departs"].sum()
            findings.append(f"GPEC : {number(total)} départs à la retraite possibles d'ici {max(years)} à l'âge légal.")
    qp = _read(folder, "qualite_performance")
    if qp is not None and len(qp):
        strong = qp[qp["p_ajustee"] < ALPHA].sort_values("rho", key=abs, ascending=False)
        if len(strong):
            r = strong.iloc[0]
            findings.append(f"Qualité ↔ performance : lien le plus net entre « {measure_label(r.indicateur_qualite)} » et "
                            f"« {measure_label(r.indicateur_rh)} » (rho = {signed(r.rho)}, {number(r.n_services)} services) ; "
                            "lien statistique entre services, sans lecture causale.")
        else:
            findings.append("Qualité ↔ performance : aucune corrélation ne résiste à l'ajustement pour tests multiples.")
    auto = _read(folder, "autoevaluations")
    if auto is not None and len(auto):
        up = auto[(auto["p_ajustee"] < ALPHA) & (auto["moyenne_apres"] > auto["moyenne_avant"])]
        findings.append(f"Mises en situation : progression significative sur {len(up)} compétence(s) sur {len(auto)} "
                        "selon l'auto-évaluation des encadrants.")
    rejected = sum(d.n_rejetees for d in run.ingestion.datasets.values())
    if rejected:
        findings.append(f"Qualité des données : {number(rejected)} lignes écartées pour format invalide "
                        "(détail dans le rapport « Qualité des données »).")
    failed = [n.titre for n in run.notebooks if n.statut == "echec"]
    if failed:
        findings.insert(0, f"<strong>Rapport(s) non publié(s) suite à une erreur : {esc(', '.join(failed))}.</strong>")
    return findings[:8]


def indicator_table(series: pd.DataFrame, signif: dict, first: str, registry=None) -> str:
    """The summary indicators across milestones, labels and formats from the registry (default: the
    workspace's)."""
    if series.empty:
        return '<p class="ducos-note">Aucun indicateur disponible.</p>'
    reg = registry if registry is not None else load_registry()
    milestones = [c for c in series.columns if c != "code"]
    head = "".join(f'<th class="num">{esc(m)}</th>' for m in milestones)
    body = []
    for _, row in series.iterrows():
        code = reg[row["code"]]
        cells = "".join(f'<td class="num">{value(code, row[m])}</td>' for m in milestones)
        known = [v for v in (row[m] for m in milestones) if pd.notna(v)]
        trend = "–"
        if len(known) >= 2:
            delta = known[-1] - known[0]
            same = value(code, known[-1]) == value(code, known[0])
            trend = "→ stable" if same else f"{'↗' if delta > 0 else '↘'} {difference(code, delta)}"
            if code.name in signif:
                trend += " (significatif)" if signif[code.name][1] < ALPHA else " (non significatif)"
        body.append(f"<tr><td>{esc(code.label)}</td>{cells}<td>{trend}</td></tr>")
    return (f'<table class="ducos-tableau"><caption>Indicateurs principaux par jalon</caption><thead><tr>'
            f"<th>Indicateur</th>{head}<th>Évolution depuis {esc(first)}</th></tr></thead><tbody>{''.join(body)}"
            "</tbody></table>"
            '<p class="ducos-note">Enquête : estimations redressées sur la population (sexe, âge, quartier) ; baromètre : '
            "réponses des agents rapportées aux effectifs de chaque direction ; « significatif » : différence avec le "
            f"jalon {esc(first)} dont la p-valeur ajustée pour tests multiples est inférieure à 5 %. RH : dernière "
            "extraction connue à chaque jalon.</p>")


def objectives_block(out_root: Path, milestones: list[str]) -> str:
    """The index's first block: each objective's status at each milestone so far (from report 06)."""
    from ..objectives import load_objectives

    statuses = synthesis.objective_statuses(out_root, milestones)
    if statuses.empty:
        return ('<p class="ducos-note">Statut des objectifs indisponible : le bilan du programme '
                "(rapport « Bilan du programme ») n'a pas été publié pour ce jalon.</p>")
    return (str(bilan_report.status_block(statuses, load_objectives(), statuses)) +
            f'<p class="ducos-note">{esc(bilan_report.STATUS_NOTE)} Détail par indicateur : rapport « Bilan du '
            "programme ».</p>")


def write_index(run) -> None:
    """Write ``OUT/<milestone>/index.html``."""
    out_root, milestone = run.out_dir.parent, run.milestone
    css = (TEMPLATE_DIR / "ducos" / "ducos.css").read_text(encoding="utf-8")
    from .qualite_donnees import DATASET_LABELS

    findings = key_findings(out_root, milestone, run)
    dates = synthesis.calendar(run)
    order = synthesis.milestone_order(dates, milestone)
    series = synthesis.indicator_series(out_root, milestone, dates)
    frozen = f"<p>Données arrêtées au {date(dates[milestone], long=True)}.</p>" if milestone in dates else ""
    rows = []
    for nb in run.notebooks:
        link = f'<a href="{esc(nb.html)}">{esc(nb.titre)}</a>' if nb.html and nb.statut != "echec" else esc(nb.titre)
        detail = f'<br><span class="ducos-note">{esc(nb.erreur)}</span>' if nb.erreur else ""
        previous = run.out_dir / f"{nb.name}.html"
        if nb.statut == "echec" and previous.exists():  # a failed run leaves the last good report in place
            link = f'<a href="{esc(previous.name)}">{esc(nb.titre)}</a>'
            detail += '<br><span class="ducos-note">Version précédente conservée (données antérieures).</span>'

        tables = ", ".join(f'<a href="{esc(t)}">{esc(t.split("/")[-1])}</a>' for t in nb.tables)
        rows.append(f"<tr><td>{link}</td><td>{esc(STATUS_LABELS.get(nb.statut, nb.statut))}{detail}</td>"
                    f'<td class="num">{number(nb.duree_s, 1)} s</td><td>{tables or "–"}</td></tr>')
    guides = sorted(run.out_dir.glob("guide*.html"))
    guide = "".join(f'<li><a href="{esc(g.name)}">Guide des pratiques managériales</a> (version rendue pour ce jalon, '
                    "avec son annexe de constats)</li>" for g in guides)
    ingestion_rows = "".join(
        f"<tr><td>{esc(DATASET_LABELS.get(d.dataset, d.dataset))}</td><td>{esc(d.fichier or '–')}</td>"
        f"<td>{esc({'ok': 'lu', 'absent': 'absent (facultatif)', 'erreur': 'non chargé'}.get(d.statut, d.statut))}</td>"
        f'<td class="num">{number(d.n_acceptees)}</td><td class="num">{number(d.n_rejetees)}</td></tr>'
        for d in run.ingestion.datasets.values()
    )
    findings_html = "".join(f"<li>{f}</li>" for f in findings) or "<li>Aucun résultat publié pour ce jalon.</li>"
    audience = ("synthèse en diffusion restreinte (DRH et CoTA)" if getattr(run, "diffusion", "copil") == "restreinte"
                else "synthèse pour le comité de pilotage")
    page = f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Observatoire qualité de Ducos — jalon {esc(milestone)}</title><style>{css}</style></head>
<body class="ducos-rapport"><header class="ducos-bandeau"><span>Observatoire qualité — Ville de Ducos</span></header>
<main><h1>Jalon {esc(milestone)} : {audience}</h1>{frozen}
<nav class="ducos-toc" aria-label="Sommaire"><strong>Sommaire</strong><ol>
<li><a href="#objectifs">Objectifs du programme</a></li><li><a href="#constats">Constats clés</a></li><li><a href="#indicateurs">Indicateurs suivis</a></li>
<li><a href="#rapports">Rapports détaillés</a></li><li><a href="#donnees">Données lues</a></li></ol></nav>
<h2 id="objectifs">Objectifs du programme</h2>
{objectives_block(out_root, order)}
<section class="ducos-constats"><h2 id="constats">Constats clés</h2><ul>{findings_html}</ul></section>
<h2 id="indicateurs">Indicateurs suivis</h2>
{indicator_table(series, synthesis.significance(out_root, milestone, order[0]), order[0])}
<h2 id="rapports">Rapports détaillés</h2>
<table class="ducos-tableau"><thead><tr><th>Rapport</th><th>État</th><th class="num">Durée</th><th>Tableaux (CSV)</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<ul>{guide}</ul>
<h2 id="donnees">Données lues</h2>
<table class="ducos-tableau"><thead><tr><th>Jeu</th><th>Fichier</th><th>État</th><th class="num">Lignes acceptées</th>
<th class="num">Lignes rejetées</th></tr></thead><tbody>{ingestion_rows}</tbody></table>
<footer class="ducos-provenance">Page produite le {date(datetime.now(), long=True)} par l'observatoire.
Détail technique (empreintes des fichiers, version du code, paramètres, durées) : <a href="manifest.json">manifest.json</a>.</footer>
</main></body></html>"""
    write_text(page, run.out_dir / "index.html")
