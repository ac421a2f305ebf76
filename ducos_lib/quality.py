"""Data-quality figures of a milestone (report ``00_qualite_donnees``): counts and frames only.

The French labels, sentences and display tables are in :mod:`ducos_lib.reports.qualite_donnees`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .ingest import IngestionReport, MilestoneData

#: Datasets the milestone view filters, in report order (missing values are counted on these).
ANALYSED = ("enquete_usagers", "fiches_immersion", "rh_agents", "rh_absences", "indicateurs_services",
            "autoevaluations", "bilan_seminaire", "barometre_agents")


def files_table(report: IngestionReport) -> pd.DataFrame:
    """One row per dataset: file, sheet, encoding, separator, rows read / accepted / rejected / set aside."""
    columns = ["dataset", "fichier", "feuille", "encodage", "separateur", "n_lignes", "n_acceptees",
               "n_rejetees", "n_ecartees", "statut", "message"]
    return pd.DataFrame([{c: getattr(d, c) for c in columns} for d in report.datasets.values()], columns=columns)


def reading_notes(report: IngestionReport) -> pd.DataFrame:
    """What the reading guessed or set aside, per file (dataset, fichier, note), ignored files last."""
    return report.notes()


def ignored_files(report: IngestionReport) -> pd.DataFrame:
    """Files of the raw folder that hold no dataset (fichier, raison)."""
    return pd.DataFrame(report.ignored_files, columns=["fichier", "raison"])


def rejects_by_reason(report: IngestionReport, shown_lines: int = 8) -> pd.DataFrame:
    """Rejected values counted by file, column and expected form, most frequent first.

    ``lignes`` lists the first ``shown_lines`` lines; ``n_lignes_en_plus`` counts the others.
    """
    rejects = report.rejects()
    columns = ["fichier", "colonne", "attendu", "n", "lignes", "n_lignes_en_plus"]
    if rejects.empty:
        return pd.DataFrame(columns=columns)
    grouped = rejects.groupby(["fichier", "colonne", "attendu"], sort=False)["ligne"].agg(
        n="size", lignes=lambda s: sorted(s)[:shown_lines]).reset_index()
    grouped["n_lignes_en_plus"] = (grouped["n"] - shown_lines).clip(lower=0)
    return grouped.sort_values("n", ascending=False, kind="stable")[columns].reset_index(drop=True)


def rejected_values(report: IngestionReport, limit: int = 30) -> pd.DataFrame:
    """The first rejected values with their line (personal values are already masked)."""
    return report.rejects()[["fichier", "ligne", "colonne", "valeur", "attendu"]].head(limit)


def survey_coverage(ms: MilestoneData) -> pd.DataFrame:
    """Answers per service (rows, labelled) and wave (columns, in calendar order), with a total."""
    survey = ms.enquete_usagers
    if survey is None or survey.empty:
        return pd.DataFrame()
    table = pd.crosstab(survey["service"], survey["vague"]).reindex(columns=ms.waves, fill_value=0)
    table.index = table.index.map(lambda c: ms.service_labels().get(c, c))
    table["total"] = table.sum(axis=1)
    return table.rename_axis("service").reset_index()


def forms_coverage(ms: MilestoneData) -> pd.DataFrame:
    """Immersion forms per host service (labelled) and type (``inter``, ``intra``), with a total."""
    forms = ms.fiches_immersion
    if forms is None or forms.empty:
        return pd.DataFrame()
    table = pd.crosstab(forms["service_accueil"], forms["type_immersion"])
    table.index = table.index.map(lambda c: ms.service_labels().get(c, c))
    table["total"] = table.sum(axis=1)
    return table.rename_axis("service_accueil").reset_index()


def hr_coverage(ms: MilestoneData) -> pd.DataFrame:
    """Per HR extraction up to the milestone: rows, agents present, leavers listed (totals only, §6)."""
    history = ms.rh_agents_historique
    if history is None or history.empty:
        return pd.DataFrame()
    return history.groupby("date_extraction").agg(
        lignes=("matricule", "size"),
        presents=("date_sortie", lambda s: int(s.isna().sum())),
        sortis=("date_sortie", lambda s: int(s.notna().sum())),
    ).reset_index()


def missing_values(ms: MilestoneData, threshold: float = 0.0) -> pd.DataFrame:
    """Share of missing values per column of each dataset the milestone sees (above ``threshold``)."""
    rows = []
    for name in ANALYSED:
        frame = getattr(ms, name, None)
        if frame is None or frame.empty:
            continue
        for column in frame.columns:
            share = float(frame[column].isna().mean())
            if share > threshold:
                rows.append({"dataset": name, "colonne": column, "lignes": len(frame), "part_manquante": share})
    return pd.DataFrame(rows, columns=["dataset", "colonne", "lignes", "part_manquante"])


@dataclass(frozen=True)
class QualitySummary:
    """The counts the report's key findings are written from."""

    n_read: int
    n_expected: int
    n_rows: int
    n_rejected: int
    n_set_aside: int
    worst_file: str | None
    worst_rejected: int
    failed: tuple[tuple[str, str], ...]  # (dataset, message)
    absent: tuple[str, ...]
    n_notes: int
    n_ignored_files: int
    answers_per_wave: tuple[tuple[str, int], ...]


def summary(ms: MilestoneData) -> QualitySummary:
    """Counts of the reading of the milestone's raw folder."""
    datasets = list(ms.ingestion.datasets.values())
    read = [d for d in datasets if d.statut == "ok"]
    worst = max(read, key=lambda d: d.n_rejetees) if read else None
    waves: tuple[tuple[str, int], ...] = ()
    if ms.enquete_usagers is not None:
        counts = ms.enquete_usagers["vague"].value_counts()
        waves = tuple((w, int(counts.get(w, 0))) for w in ms.waves)
    return QualitySummary(
        n_read=len(read), n_expected=len(datasets), n_rows=sum(d.n_lignes for d in read),
        n_rejected=sum(d.n_rejetees for d in read), n_set_aside=sum(d.n_ecartees for d in read),
        worst_file=worst.fichier if worst and worst.n_rejetees else None,
        worst_rejected=worst.n_rejetees if worst else 0,
        failed=tuple((d.dataset, d.message or "") for d in datasets if d.statut == "erreur"),
        absent=tuple(d.dataset for d in datasets if d.statut == "absent"),
        n_notes=sum(len(d.notes) for d in datasets), n_ignored_files=len(ms.ingestion.ignored_files),
        answers_per_wave=waves,
    )

