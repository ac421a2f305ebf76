"""Data-quality summaries of a milestone (report ``00_qualite_donnees``)."""

from __future__ import annotations

import pandas as pd

from .ingest import IngestionReport, MilestoneData

DATASET_LABELS = {
    "calendrier": "Calendrier des jalons",
    "services": "Référentiel des services",
    "population_reference": "Population de référence",
    "enquete_usagers": "Enquête usagers",
    "fiches_immersion": "Fiches d'immersion",
    "rh_agents": "Agents (extractions RH)",
    "rh_absences": "Absences",
    "indicateurs_services": "Indicateurs des services",
    "autoevaluations": "Auto-évaluations",
    "bilan_seminaire": "Bilan du séminaire",
}
STATUS_LABELS = {"ok": "lu", "absent": "absent (facultatif)", "erreur": "non chargé"}


def files_table(report: IngestionReport) -> pd.DataFrame:
    """One row per dataset: file, encoding, separator, rows read / accepted / rejected, status."""
    rows = []
    for d in report.datasets.values():
        rows.append({
            "Jeu de données": DATASET_LABELS.get(d.dataset, d.dataset),
            "Fichier": d.fichier or "–",
            "Format": "Excel" if d.encodage == "xlsx" else (f"CSV {d.encodage}, {d.separateur}" if d.encodage else "–"),
            "Lignes lues": d.n_lignes,
            "Acceptées": d.n_acceptees,
            "Rejetées": d.n_rejetees,
            "État": STATUS_LABELS.get(d.statut, d.statut),
        })
    return pd.DataFrame(rows)


def rejects_by_reason(report: IngestionReport) -> pd.DataFrame:
    """Rejected values counted by file, column and expected form, most frequent first."""
    rejects = report.rejects()
    if rejects.empty:
        return pd.DataFrame(columns=["Fichier", "Colonne", "Attendu", "Valeurs rejetées", "Lignes"])
    grouped = rejects.groupby(["fichier", "colonne", "attendu"], sort=False).agg(
        n=("ligne", "size"), lignes=("ligne", lambda s: ", ".join(map(str, sorted(s)[:8])) + (" …" if len(s) > 8 else "")),
    ).reset_index().sort_values("n", ascending=False, kind="stable")
    return grouped.rename(columns={"fichier": "Fichier", "colonne": "Colonne", "attendu": "Attendu",
                                   "n": "Valeurs rejetées", "lignes": "Lignes"})


def rejected_values(report: IngestionReport, limit: int = 30) -> pd.DataFrame:
    """The first rejected values with their line (personal values are already masked)."""
    rejects = report.rejects()
    cols = {"fichier": "Fichier", "ligne": "Ligne", "colonne": "Colonne", "valeur": "Valeur", "attendu": "Attendu"}
    return rejects[list(cols)].head(limit).rename(columns=cols)


def survey_coverage(ms: MilestoneData) -> pd.DataFrame:
    """Answers per service (rows) and wave (columns), services labelled."""
    survey = ms.enquete_usagers
    if survey is None or survey.empty:
        return pd.DataFrame()
    table = pd.crosstab(survey["service"], survey["vague"]).reindex(columns=ms.waves, fill_value=0)
    table.index = table.index.map(lambda c: ms.service_labels().get(c, c))
    table["Total"] = table.sum(axis=1)
    return table.rename_axis("Service").reset_index().rename(columns={w: f"Vague {w}" for w in ms.waves})


def forms_coverage(ms: MilestoneData) -> pd.DataFrame:
    """Immersion forms per host service and type."""
    forms = ms.fiches_immersion
    if forms is None or forms.empty:
        return pd.DataFrame()
    table = pd.crosstab(forms["service_accueil"], forms["type_immersion"])
    table.index = table.index.map(lambda c: ms.service_labels().get(c, c))
    table["Total"] = table.sum(axis=1)
    return table.rename_axis("Service d'accueil").reset_index().rename(
        columns={"inter": "Inter-services", "intra": "Intra-service"})


def hr_coverage(ms: MilestoneData) -> pd.DataFrame:
    """Per HR extraction up to the milestone: agents listed, present, leavers (totals only, §6)."""
    history = ms.rh_agents_historique
    if history is None or history.empty:
        return pd.DataFrame()
    grouped = history.groupby("date_extraction").agg(
        lignes=("matricule", "size"),
        presents=("date_sortie", lambda s: int(s.isna().sum())),
        sortis=("date_sortie", lambda s: int(s.notna().sum())),
    ).reset_index()
    return grouped.rename(columns={"date_extraction": "Date d'extraction", "lignes": "Lignes",
                                   "presents": "Agents présents", "sortis": "Départs listés"})


def missing_values(ms: MilestoneData, threshold: float = 0.0) -> pd.DataFrame:
    """Share of missing values per column of each dataset the milestone sees (above ``threshold``)."""
    rows = []
    for name in ("enquete_usagers", "fiches_immersion", "rh_agents", "rh_absences", "indicateurs_services",
                 "autoevaluations", "bilan_seminaire"):
        frame = getattr(ms, name)
        if frame is None or frame.empty:
            continue
        for column in frame.columns:
            share = float(frame[column].isna().mean())
            if share > threshold:
                rows.append({"Jeu de données": DATASET_LABELS[name], "Colonne": column,
                             "Lignes": len(frame), "Part manquante": share})
    return pd.DataFrame(rows, columns=["Jeu de données", "Colonne", "Lignes", "Part manquante"])


def key_findings(ms: MilestoneData) -> list[str]:
    """Plain-French sentences opening the data-quality report, written from the counts."""
    from .reports.formats import number, percent

    datasets = ms.ingestion.datasets.values()
    read = [d for d in datasets if d.statut == "ok"]
    rows = sum(d.n_lignes for d in read)
    rejected = sum(d.n_rejetees for d in read)
    items = [f"{len(read)} fichiers lus sur {len(ms.ingestion.datasets)} attendus, "
             f"{number(rows)} lignes au total."]
    if rejected:
        worst = max(read, key=lambda d: d.n_rejetees)
        items.append(f"{number(rejected)} lignes mises en quarantaine ({percent(rejected / rows)}), "
                     f"dont {number(worst.n_rejetees)} dans {worst.fichier} : elles sont exclues des analyses.")
    else:
        items.append("Aucune ligne rejetée : toutes les valeurs respectent le format attendu.")
    for d in datasets:
        if d.statut == "erreur":
            items.append(f"<strong>{DATASET_LABELS.get(d.dataset, d.dataset)} non chargé</strong> : {d.message}")
        elif d.statut == "absent":
            items.append(f"{DATASET_LABELS.get(d.dataset, d.dataset)} : fichier absent, section correspondante vide.")
    if ms.enquete_usagers is not None:
        counts = ms.enquete_usagers["vague"].value_counts()
        waves = ", ".join(f"{number(counts.get(w, 0))} en {w}" for w in ms.waves)
        items.append(f"Enquête usagers : {waves}.")
    return items
