"""Report 00 « Qualité des données »: French labels, sentences and display tables.

The figures come from :mod:`ducos_lib.quality`; nothing here computes more than a label.
"""

from __future__ import annotations

import html

import pandas as pd

from .. import quality
from ..ingest import IngestionReport, MilestoneData
from .formats import number, percent

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
    "barometre_agents": "Baromètre des agents",
}
STATUS_LABELS = {"ok": "lu", "absent": "absent (facultatif)", "erreur": "non chargé"}


def label(dataset: str | None) -> str:
    return DATASET_LABELS.get(dataset, dataset) if dataset else "–"


def _format(row: pd.Series) -> str:
    if row["encodage"] == "xlsx":
        return f"Excel, feuille « {row['feuille']} »" if pd.notna(row["feuille"]) else "Excel"
    if pd.notna(row["encodage"]):
        return f"CSV {row['encodage']}, {row['separateur']}"
    return "–"


def files_table(report: IngestionReport) -> pd.DataFrame:
    """Files of the raw folder and the rows kept, in French."""
    files = quality.files_table(report)
    return pd.DataFrame({
        "Jeu de données": files["dataset"].map(label),
        "Fichier": files["fichier"].fillna("–"),
        "Format lu": files.apply(_format, axis=1) if len(files) else [],
        "Lignes lues": files["n_lignes"],
        "Acceptées": files["n_acceptees"],
        "Rejetées": files["n_rejetees"],
        "Écartées (totaux, notes)": files["n_ecartees"],
        "État": files["statut"].map(lambda s: STATUS_LABELS.get(s, s)),
    })


def notes_table(report: IngestionReport) -> pd.DataFrame:
    """What the reading guessed (encoding, quotité scale …), set aside or ignored, per file."""
    notes = quality.reading_notes(report)
    return pd.DataFrame({"Jeu de données": notes["dataset"].map(label), "Fichier": notes["fichier"].fillna("–"),
                         "Constat de lecture": notes["note"].map(_sentence)})


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def rejects_by_reason(report: IngestionReport) -> pd.DataFrame:
    """Rejected values by file, column and expected form, in French."""
    table = quality.rejects_by_reason(report)
    lines = [", ".join(map(str, ls)) + (" …" if more else "") for ls, more in
             zip(table["lignes"], table["n_lignes_en_plus"])]
    return pd.DataFrame({"Fichier": table["fichier"], "Colonne": table["colonne"], "Attendu": table["attendu"],
                         "Valeurs rejetées": table["n"], "Lignes": lines})


def rejected_values(report: IngestionReport, limit: int = 30) -> pd.DataFrame:
    table = quality.rejected_values(report, limit)
    return table.rename(columns={"fichier": "Fichier", "ligne": "Ligne", "colonne": "Colonne", "valeur": "Valeur",
                                 "attendu": "Attendu"})


def survey_coverage(ms: MilestoneData) -> pd.DataFrame:
    table = quality.survey_coverage(ms)
    return table.rename(columns={"service": "Service", "total": "Total", **{w: f"Vague {w}" for w in ms.waves}})


def forms_coverage(ms: MilestoneData) -> pd.DataFrame:
    table = quality.forms_coverage(ms)
    return table.rename(columns={"service_accueil": "Service d'accueil", "inter": "Inter-services",
                                 "intra": "Intra-service", "total": "Total"})


def hr_coverage(ms: MilestoneData) -> pd.DataFrame:
    table = quality.hr_coverage(ms)
    return table.rename(columns={"date_extraction": "Date d'extraction", "lignes": "Lignes",
                                 "presents": "Agents présents", "sortis": "Départs listés"})


def missing_values(ms: MilestoneData) -> pd.DataFrame:
    table = quality.missing_values(ms)
    return pd.DataFrame({"Jeu de données": table["dataset"].map(label), "Colonne": table["colonne"],
                         "Lignes": table["lignes"], "Part manquante": table["part_manquante"]})


def key_findings(ms: MilestoneData) -> list[str]:
    """Plain-French sentences opening the data-quality report, written from the counts."""
    s = quality.summary(ms)
    items = [f"{s.n_read} fichiers lus sur {s.n_expected} attendus, {number(s.n_rows)} lignes au total."]
    if s.n_rejected:
        items.append(f"{number(s.n_rejected)} lignes mises en quarantaine ({percent(s.n_rejected / s.n_rows)}), "
                     f"dont {number(s.worst_rejected)} dans {html.escape(s.worst_file or '')} : elles sont exclues "
                     "des analyses.")
    else:
        items.append("Aucune ligne rejetée : toutes les valeurs respectent le format attendu.")
    if s.n_set_aside:
        items.append(f"{number(s.n_set_aside)} ligne(s) qui ne sont pas des données (totaux, « Ensemble », "
                     "en-têtes répétés, notes sous un tableau) ont été écartées : voir « Constats de lecture ».")
    if s.n_ignored_files:
        items.append(f"{s.n_ignored_files} fichier(s) du dossier ne correspondent à aucun jeu de données et sont "
                     "ignorés : voir « Constats de lecture ».")
    warnings = [n for d in ms.ingestion.datasets.values() for n in d.notes if n.startswith("ATTENTION")]
    items += [f"<strong>{html.escape(w)}</strong>" for w in warnings]
    for dataset, message in s.failed:
        items.append(f"<strong>{label(dataset)} non chargé</strong> : {html.escape(message)}")
    for dataset in s.absent:
        items.append(f"{label(dataset)} : fichier absent, section correspondante vide.")
    if s.answers_per_wave:
        waves = ", ".join(f"{number(n)} en {w}" for w, n in s.answers_per_wave)
        items.append(f"Enquête usagers : {waves}.")
    return items
