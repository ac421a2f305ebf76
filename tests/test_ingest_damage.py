"""Damaged inputs as town halls produce them: each gets a clear French error or the right reading."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from ingest_helpers import (
    RH_HEADER,
    SURVEY_HEADER,
    make_key,
    make_raw,
    rejects_of,
    rh_lines,
    run_ingest,
    survey_lines,
    write_csv,
)

from ducos_lib import cli
from ducos_lib.io import read_raw_table

ENGLISH = ("Error", "error", "Expected", "expected", "tokeniz", "line ", "field", "codec", "Traceback", "invalid")


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return make_raw(tmp_path / "raw")


@pytest.fixture
def key(tmp_path: Path) -> Path:
    return make_key(tmp_path)


def processed(report, name: str) -> pd.DataFrame:
    return pd.read_parquet(report.processed_dir / f"{name}.parquet")


def notes(report, name: str) -> str:
    return " | ".join(report.datasets[name].notes)


def assert_french(text: str) -> None:
    assert not any(word in text for word in ENGLISH), text


# ------------------------------------------------------------------------------------------------
# Encodings, line endings, structure
# ------------------------------------------------------------------------------------------------

COMMENT = "Un cœur gros comme ça, 5 € la photocopie"


@pytest.mark.parametrize("encoding, sep, label", [
    ("utf-16", "\t", "UTF-16 avec BOM (« Texte Unicode » d'Excel)"),
    ("utf-8", ";", "UTF-8"),
    ("utf-8-sig", ";", "UTF-8 avec BOM"),
    ("cp1252", ";", "Windows-1252"),
    ("iso8859-15", ";", "ISO-8859-15 (Latin-9)"),
    ("mac-roman", ";", "Mac Roman"),
])
def test_encodings_detected_and_stated(raw, tmp_path, key, encoding, sep, label):
    lines = [line.replace(";", sep) for line in survey_lines(12)]
    lines.append(sep.join(["R99", "T0", "15/11/2025", "F", "60-74", "Génipa", "Mairie annexe", "Très satisfait",
                           "Plutôt insatisfait", "", "9", COMMENT]))
    write_csv(raw / "enquete_usagers.csv", lines, encoding=encoding)
    report = run_ingest(raw, tmp_path, key)
    survey = report.datasets["enquete_usagers"]
    assert survey.statut == "ok" and survey.n_acceptees == 13
    assert survey.encodage == label
    assert f"encodage détecté : {label}" in notes(report, "enquete_usagers")
    row = processed(report, "enquete_usagers").set_index("id_repondant").loc["R99"]
    assert row["quartier"] == "Génipa" and row["commentaire"] == COMMENT
    assert row["satisfaction_globale"] == 5.0 and row["accueil"] == 2.0 and row["service"] == "ETC"


def test_latin9_is_not_read_as_windows_1252(tmp_path):
    path = tmp_path / "x.csv"
    write_csv(path, ["a;b", "1;sœur", "2;5 €", "3;un œuf"], encoding="iso8859-15")
    table = read_raw_table(path)
    assert table.encoding == "iso8859-15"
    assert table.frame["b"].tolist() == ["sœur", "5 €", "un œuf"]


def test_double_encoded_utf8_is_repaired(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("a;b\n1;Très réactif\n".encode("utf-8").decode("cp1252").encode("utf-8"))
    table = read_raw_table(path)
    assert table.frame["b"].tolist() == ["Très réactif"]
    assert "réparé" in table.notes[0]


def test_cr_only_line_endings(raw, tmp_path, key):
    lines = survey_lines(10)
    lines[4] = lines[4].replace(";Plutôt satisfait;", ";9;")  # line 5
    write_csv(raw / "enquete_usagers.csv", lines, encoding="mac-roman", eol="\r")
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["enquete_usagers"].n_acceptees == 9
    assert "CR" in notes(report, "enquete_usagers")
    assert rejects_of(report, "enquete_usagers")["ligne"].tolist() == [5]


def test_row_with_an_extra_separator_is_a_french_rejection(raw, tmp_path, key):
    lines = survey_lines(20)
    lines[7] = lines[7].replace(";Bourg;", ";Bourg;Nord;")  # line 8: 13 values for 12 columns
    lines[9] = lines[9] + ";"                                  # line 10: a trailing empty cell, harmless
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    survey = report.datasets["enquete_usagers"]
    assert survey.n_lignes == 20 and survey.n_acceptees == 19 and survey.n_rejetees == 1
    reject = rejects_of(report, "enquete_usagers").iloc[0]
    assert reject["ligne"] == 8 and reject["valeur"] == "13 valeurs"
    assert "12 valeurs séparées par « ; »" in reject["message"]
    assert_french(reject["message"])
    assert "séparateurs en trop" in notes(report, "enquete_usagers")


def test_unclosed_quote_gives_a_french_message(raw, tmp_path, key):
    lines = survey_lines(20)
    lines[20] = lines[20].replace(";Très bien", ';"Très bien')  # quote opened on the last line, never closed
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    survey = report.datasets["enquete_usagers"]
    assert survey.statut == "ok" and survey.n_acceptees == 20
    assert processed(report, "enquete_usagers")["commentaire"].iloc[-1].startswith("Très bien")


def test_line_numbers_with_bom_blank_lines_and_quoted_newlines(raw, tmp_path, key):
    lines = survey_lines(6)
    lines[0] = "\ufeff" + lines[0]
    lines[2] = lines[2].replace(";Très bien", ';"Très bien,\nvraiment\n"')  # one spreadsheet row
    lines.insert(4, "")                                                       # a blank row 5
    lines.insert(5, ";;;;;;;;;;;")                                            # a row of empty cells
    lines[7] = lines[7].replace(";Bourg;Etat civil;", ";Bourg;Piscine;")      # spreadsheet row 8
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    rejects = rejects_of(report, "enquete_usagers")
    assert rejects["ligne"].tolist() == [8] and rejects["valeur"].tolist() == ["Piscine"]
    assert processed(report, "enquete_usagers")["commentaire"].iloc[1] == "Très bien,\nvraiment"


def test_same_messages_from_the_careful_reader(raw, tmp_path, key):
    """A stray extra cell sends the file through Python's csv reader: lines and messages stay the same."""
    lines = survey_lines(30)
    lines[4] = lines[4].replace(";Plutôt satisfait;", ";Plutôt satisfait;x;")  # forces the careful reader
    lines.insert(6, "")
    lines[12] = lines[12].replace(";15/11/2025;", ";31/02/2025;")
    write_csv(raw / "enquete_usagers.csv", lines)
    careful = rejects_of(run_ingest(raw, tmp_path / "a", key), "enquete_usagers")
    lines[4] = survey_lines(30)[4]
    write_csv(raw / "enquete_usagers.csv", lines)
    fast = rejects_of(run_ingest(raw, tmp_path / "b", key), "enquete_usagers")
    assert careful["ligne"].tolist() == [5, 13] and fast["ligne"].tolist() == [13]
    assert careful["message"].iloc[1] == fast["message"].iloc[0] == (
        "enquete_usagers.csv, ligne 13, colonne « Date de réponse » : valeur « 31/02/2025 » invalide, "
        "attendu : une date JJ/MM/AAAA ou AAAA-MM-JJ.")


def test_binary_and_old_excel_files_are_named(raw, tmp_path, key):
    (raw / "rh_absences.csv").write_bytes(b"%PDF-1.4\x00\x01\x02binaire")
    (raw / "bilan_seminaire.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    report = run_ingest(raw, tmp_path, key)
    assert "fichier binaire" in report.datasets["rh_absences"].message
    assert "Excel 97-2003" in report.datasets["bilan_seminaire"].message
    assert report.datasets["enquete_usagers"].statut == "ok"


def test_xlsx_saved_with_a_csv_name_is_read_as_a_workbook(raw, tmp_path, key):
    wb = openpyxl.Workbook()
    wb.active.append(["matricule", "motif", "date_debut", "date_fin"])
    wb.active.append(["M001", "MO", dt.datetime(2026, 1, 5), dt.datetime(2026, 1, 7)])
    wb.save(raw / "rh_absences.csv")
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["rh_absences"].n_acceptees == 1
    assert "en réalité un classeur Excel" in notes(report, "rh_absences")


# ------------------------------------------------------------------------------------------------
# Quotité
# ------------------------------------------------------------------------------------------------

def test_quotite_in_excel_percent_format(raw, tmp_path, key):
    (raw / "rh_agents.csv").unlink()
    wb = openpyxl.Workbook()
    ws = wb.active
    header = RH_HEADER.split(";")
    ws.append(header)
    for i, q in enumerate([0.8, 1.0, 0.5, 1.0, 1.0, 0.9]):
        ws.append([f"M{i}", "Nom", "Prénom", "F", dt.datetime(1970, 3, 12), "ETC", "titulaire", "C", "administrative",
                   dt.datetime(2000, 1, 1), None, q, "non", "non", "non", 0, dt.datetime(2025, 11, 1)])
    column = header.index("Quotité") + 1
    for row in range(2, 8):
        ws.cell(row=row, column=column).number_format = "0%"
    wb.save(raw / "rh_agents.xlsx")
    report = run_ingest(raw, tmp_path, key)
    agents = processed(report, "rh_agents")
    assert agents["quotite"].tolist() == pytest.approx([80, 100, 50, 100, 100, 90])
    assert "format pourcentage d'Excel" in notes(report, "rh_agents")


def test_quotite_written_as_fractions_in_a_csv(raw, tmp_path, key):
    write_csv(raw / "rh_agents.csv", rh_lines(["0,8", "1", "0,5", "1", "1"]))
    report = run_ingest(raw, tmp_path, key)
    assert processed(report, "rh_agents")["quotite"].tolist() == pytest.approx([80, 100, 50, 100, 100])
    assert "quotités écrites en fraction (0,8 pour 80 %)" in notes(report, "rh_agents")


def test_quotite_in_percent_with_an_ambiguous_fraction(raw, tmp_path, key):
    write_csv(raw / "rh_agents.csv", rh_lines(["80", "100", "0,8", "100", "50 %"]))
    report = run_ingest(raw, tmp_path, key)
    assert processed(report, "rh_agents")["quotite"].tolist() == [80, 100, 100, 50]
    assert "quotités lues en pourcentage" in notes(report, "rh_agents")
    reject = rejects_of(report, "rh_agents").iloc[0]
    assert reject["ligne"] == 4 and reject["valeur"] == "0,8" and "ambiguë" in reject["attendu"]


def test_fte_implausible_against_headcount_is_stated(raw, tmp_path, key):
    write_csv(raw / "rh_agents.csv", rh_lines(["0,8 %"] * 6 + ["1 %"] * 4))
    report = run_ingest(raw, tmp_path, key)
    text = notes(report, "rh_agents")
    assert "ATTENTION rh_agents.csv, extraction du 01/11/2025 : 10 agents présents pour 0,1 ETP" in text


# ------------------------------------------------------------------------------------------------
# Columns and files
# ------------------------------------------------------------------------------------------------

def test_duplicated_column_with_an_empty_first_copy_is_refused(raw, tmp_path, key):
    lines = [line.replace(";Satisfaction globale;", ";Satisfaction globale;satisfaction_globale;") for line in
             survey_lines(10)[:1]]
    lines += [line.replace(";Bourg;Etat civil;", ";Bourg;Etat civil;;") for line in survey_lines(10)[1:]]
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    survey = report.datasets["enquete_usagers"]
    assert survey.statut == "erreur" and not (report.processed_dir / "enquete_usagers.parquet").exists()
    assert survey.message == (
        "enquete_usagers.csv : les colonnes « Satisfaction globale » (colonne H) et « satisfaction_globale » "
        "(colonne I) désignent toutes deux « satisfaction_globale » et n'ont pas le même contenu (la colonne H est "
        "vide) : supprimez ou renommez l'une des deux. Le jeu « enquete_usagers » n'est pas chargé.")


def test_identical_duplicated_column_is_accepted_with_a_note(raw, tmp_path, key):
    lines = [line + ";" + line.split(";")[7] for line in survey_lines(10)]
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["enquete_usagers"].n_acceptees == 10
    assert "identiques : la seconde est ignorée" in notes(report, "enquete_usagers")


def test_one_dataset_in_two_files_is_refused_naming_both(raw, tmp_path, key):
    write_csv(raw / "rh_absences.csv", ["matricule,motif,date_debut,date_fin", "M001,MO,2026-01-10,2026-01-12"])
    wb = openpyxl.Workbook()
    wb.active.append(["matricule", "motif", "date_debut", "date_fin"])
    wb.save(raw / "rh_absences.xlsx")
    report = run_ingest(raw, tmp_path, key)
    absences = report.datasets["rh_absences"]
    assert absences.statut == "erreur"
    assert "rh_absences.csv et rh_absences.xlsx" in absences.message and "gardez-en un seul" in absences.message
    assert report.datasets["enquete_usagers"].statut == "ok"


def test_unknown_files_are_listed_as_ignored(raw, tmp_path, key):
    (raw / "compte_rendu.docx").write_bytes(b"x")
    (raw / "notes.txt").write_bytes(b"x")
    write_csv(raw / "rh_absence.csv", ["matricule,motif,date_debut,date_fin"])
    (raw / "~$autoevaluations.xlsx").write_bytes(b"verrou")
    report = run_ingest(raw, tmp_path, key)
    ignored = {f["fichier"]: f["raison"] for f in report.ignored_files}
    assert set(ignored) == {"compte_rendu.docx", "notes.txt", "rh_absence.csv", "~$autoevaluations.xlsx"}
    assert ignored["compte_rendu.docx"] == "documentation, pas un jeu de données"
    assert ignored["notes.txt"].startswith("nom non reconnu : attendus calendrier, services")
    assert "voulez-vous dire « rh_absences »" in ignored["rh_absence.csv"]
    assert "verrou d'Excel" in ignored["~$autoevaluations.xlsx"]
    assert report.ok


def test_file_names_match_whatever_the_case_and_accents(raw, tmp_path, key):
    (raw / "enquete_usagers.csv").rename(raw / "Enquête Usagers.CSV")
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["enquete_usagers"].fichier == "Enquête Usagers.CSV"
    assert report.datasets["enquete_usagers"].statut == "ok"


# ------------------------------------------------------------------------------------------------
# Unreadable or odd paths
# ------------------------------------------------------------------------------------------------

def test_file_without_read_permission_fails_only_that_dataset(raw, tmp_path, key, monkeypatch, capsys):
    target = raw / "autoevaluations.xlsx"
    real_open = open

    def guarded(path, *args, **kwargs):
        if Path(path) == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("ducos_lib.io.open", guarded, raising=False)
    monkeypatch.setattr("ducos_lib.ingest.sha256_file", lambda p: (_ for _ in ()).throw(PermissionError(13, "x"))
                        if Path(p) == target else "h")
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["autoevaluations"].statut == "erreur"
    assert report.datasets["autoevaluations"].message == (
        "autoevaluations.xlsx : lecture refusée (droits insuffisants sur le fichier).")
    assert report.datasets["enquete_usagers"].statut == "ok" and report.datasets["rh_agents"].statut == "ok"
    monkeypatch.setattr("ducos_lib.privacy.path_setting", lambda _: key)
    code = cli.main(["validate", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "p2")])
    out = capsys.readouterr()
    assert code == 2 and "lecture refusée" in out.out and "inattendue" not in out.out + out.err


def test_directory_named_like_a_file(raw, tmp_path, key):
    (raw / "rh_absences.csv").mkdir()
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["rh_absences"].statut == "erreur"
    assert report.datasets["rh_absences"].message.startswith("rh_absences.csv est un dossier, pas un fichier")
    assert not report.ok and report.datasets["rh_agents"].statut == "ok"


def test_symlink_loop_and_broken_link(raw, tmp_path, key):
    os.symlink("rh_absences.csv", raw / "rh_absences.csv")
    os.symlink(tmp_path / "nulle_part.csv", raw / "bilan_seminaire.csv")
    report = run_ingest(raw, tmp_path, key)
    assert "boucle sur lui-même" in report.datasets["rh_absences"].message
    assert "lien symbolique cassé" in report.datasets["bilan_seminaire"].message
    assert report.datasets["autoevaluations"].statut == "ok"


# ------------------------------------------------------------------------------------------------
# Calendar, services, reference tables
# ------------------------------------------------------------------------------------------------

def test_calendar_out_of_order_is_refused(raw, tmp_path, key, monkeypatch, capsys):
    write_csv(raw / "calendrier.csv", ["jalon,date", "T0,14/11/2025", "T6,15/05/2024", "T12,13/11/2026"])
    report = run_ingest(raw, tmp_path, key)
    calendar = report.datasets["calendrier"]
    assert calendar.statut == "erreur"
    assert calendar.message == (
        "calendrier.csv, ligne 3, colonne « date » : le jalon T6 est daté du 15/05/2024, pas après T0 (ligne 2, "
        "14/11/2025) : les dates du calendrier doivent croître strictement d'une ligne à l'autre. Le calendrier "
        "n'est pas chargé.")
    monkeypatch.setattr("ducos_lib.privacy.path_setting", lambda _: key)
    assert cli.main(["validate", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "p2")]) == 2


def test_calendar_lines_swapped_with_their_dates_are_refused(raw, tmp_path, key):
    write_csv(raw / "calendrier.csv", ["jalon,date", "T6,14/11/2025", "T0,15/05/2026", "T12,13/11/2026"])
    report = run_ingest(raw, tmp_path, key)
    assert "le jalon T0 (15/05/2026) vient après T6" in report.datasets["calendrier"].message


def test_calendar_with_invalid_date_fails_whole(raw, tmp_path, key):
    write_csv(raw / "calendrier.csv", ["jalon,date", "T0,14/11/2025", "T6,31/02/2026", "T12,13/11/2026"])
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["calendrier"].statut == "erreur"
    assert "calendrier.csv, ligne 3, colonne « date » : valeur « 31/02/2026 »" in report.datasets["calendrier"].message


def test_alias_naming_two_services_is_refused(raw, tmp_path, key):
    write_csv(raw / "services.csv", ["code_service;libelle;direction;alias", 'ETC;État civil;DGS;"Mairie annexe"',
                                     'URB;Urbanisme;DST;"Mairie annexe;Permis"'])
    report = run_ingest(raw, tmp_path, key)
    services = report.datasets["services"]
    assert services.statut == "erreur"
    assert services.message.startswith("services.csv : « mairie annexe » (code, libellé ou alias) désigne deux "
                                       "services, ETC (ligne 2) et URB (ligne 3)")
    assert report.datasets["enquete_usagers"].statut == "erreur"  # cannot resolve services without them


def test_insee_ensemble_and_total_rows_are_set_aside(raw, tmp_path, key):
    write_csv(raw / "population_reference.csv", [
        "Variable;Modalité;Effectif", "sexe;Ensemble;15 000", "sexe;F;8.000", "sexe;H;7 000",
        "tranche_age;Ensemble;15001", "tranche_age;15-29;15001", "Total;;30 001",
        "Source : Insee, RP 2021, exploitation principale.",
    ])
    report = run_ingest(raw, tmp_path, key)
    population = processed(report, "population_reference")
    assert population["modalite"].tolist() == ["F", "H", "15-29"]
    assert population["effectif"].tolist() == [8000, 7000, 15001]
    text = notes(report, "population_reference")
    assert "ligne de total ou « Ensemble » écartées (lignes 2, 5, 7 ; « Ensemble »)" in text
    assert "note sous le tableau écartée (ligne 8" in text
    assert "le point sépare les milliers" in text
    assert report.datasets["population_reference"].n_ecartees == 4 and report.datasets["population_reference"].n_rejetees == 0


# ------------------------------------------------------------------------------------------------
# Spreadsheet habits
# ------------------------------------------------------------------------------------------------

def test_merged_title_rows_above_the_headers(raw, tmp_path, key):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Auto-évaluations des cadres — programme qualité 2026"])
    ws.merge_cells("A1:E1")
    ws.append(["Identité", None, "Séance", None, None])
    ws.merge_cells("A2:B2")
    ws.append(["Id cadre", "Temps", "Date", "Compétence", "Note"])
    ws.append(["M001", "avant", dt.datetime(2026, 6, 1), "écoute", 3])
    ws.append(["M001", "après", dt.datetime(2026, 10, 1), "écoute", 9])  # row 5
    wb.save(raw / "autoevaluations.xlsx")
    report = run_ingest(raw, tmp_path, key)
    auto = report.datasets["autoevaluations"]
    assert auto.n_lignes == 2 and auto.n_acceptees == 1
    assert rejects_of(report, "autoevaluations")["ligne"].tolist() == [5]
    assert "lignes 1 à 2 au-dessus des en-têtes ignorées" in notes(report, "autoevaluations")


def test_title_line_above_csv_headers(raw, tmp_path, key):
    lines = ["Enquête de satisfaction 2025;;;;;;;;;;;"] + survey_lines(8)
    lines[5] = lines[5].replace(";Bourg;Etat civil;", ";Bourg;Piscine;")  # row 6
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["enquete_usagers"].n_acceptees == 7
    assert rejects_of(report, "enquete_usagers")["ligne"].tolist() == [6]


def test_totals_line_at_the_bottom(raw, tmp_path, key):
    write_csv(raw / "rh_absences.csv", ["matricule;motif;date_debut;date_fin", "M001;MO;10/01/2026;12/01/2026",
                                        "M002;AT;01/02/2026;05/02/2026", ";;;", "TOTAL;;;2 absences"])
    report = run_ingest(raw, tmp_path, key)
    absences = report.datasets["rh_absences"]
    assert absences.n_acceptees == 2 and absences.n_rejetees == 0 and absences.n_ecartees == 1
    assert "ligne de total ou « Ensemble » écartée (ligne 5" in notes(report, "rh_absences")


def test_repeated_header_rows_of_pasted_files(raw, tmp_path, key):
    lines = survey_lines(6) + [SURVEY_HEADER] + survey_lines(12)[7:]
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["enquete_usagers"].n_acceptees == 12 and report.datasets["enquete_usagers"].n_rejetees == 0
    assert "en-têtes répétés écartée (ligne 8" in notes(report, "enquete_usagers")


def test_excel_serial_dates_in_a_csv(raw, tmp_path, key):
    write_csv(raw / "rh_absences.csv", ["matricule,motif,date_debut,date_fin", "M001,MO,46032,46034",
                                        "M002,AT,46032.0,2026-01-14"])
    report = run_ingest(raw, tmp_path, key)
    absences = processed(report, "rh_absences")
    assert absences["date_debut"].tolist() == [pd.Timestamp("2026-01-10")] * 2
    assert absences["date_fin"].tolist() == [pd.Timestamp("2026-01-12"), pd.Timestamp("2026-01-14")]
    assert "numéro de série Excel" in notes(report, "rh_absences")


def test_other_date_spellings(raw, tmp_path, key):
    write_csv(raw / "rh_absences.csv", ["matricule;motif;date_debut;date_fin", "M001;MO;10.01.2026;1er février 2026",
                                        "M002;AT;2026/01/10;15 janv. 2026"])
    report = run_ingest(raw, tmp_path, key)
    absences = processed(report, "rh_absences")
    assert absences["date_debut"].tolist() == [pd.Timestamp("2026-01-10")] * 2
    assert absences["date_fin"].tolist() == [pd.Timestamp("2026-02-01"), pd.Timestamp("2026-01-15")]


def test_thousands_separators(raw, tmp_path, key):
    write_csv(raw / "population_reference.csv", ["variable;modalite;effectif", "sexe;F;8\u00a0071",
                                                 "sexe;H;6\u202f930", "quartier;Bourg;1.234", "quartier;Génipa;12 001"])
    report = run_ingest(raw, tmp_path, key)
    assert processed(report, "population_reference")["effectif"].tolist() == [8071, 6930, 1234, 12001]


def test_decimal_point_is_not_a_thousands_separator(raw, tmp_path, key):
    write_csv(raw / "indicateurs_services.csv", ["code_service;periode;indicateur;valeur", "ETC;2025-11;delai;1.250",
                                                 "ETC;2025-12;delai;2.5"])
    report = run_ingest(raw, tmp_path, key)
    assert processed(report, "indicateurs_services")["valeur"].tolist() == [1.25, 2.5]


def test_trailing_spaces_and_case_in_codes(raw, tmp_path, key):
    lines = survey_lines(5)
    lines[1] = "R0; t0 ;15/11/2025;F ;30-44 ;Bourg ; ETC ;4;4;3;8;"
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    first = processed(report, "enquete_usagers").iloc[0]
    assert (first["vague"], first["sexe"], first["tranche_age"], first["quartier"], first["service"]) == \
        ("T0", "F", "30-44", "Bourg", "ETC")
    assert report.datasets["enquete_usagers"].n_rejetees == 0


def test_excel_error_values(raw, tmp_path, key):
    lines = survey_lines(10)
    lines[2] = lines[2].replace(";8;Très bien", ";#DIV/0!;Très bien")       # optional: read as empty
    lines[3] = lines[3].replace(";Plutôt satisfait;", ";#N/A;")              # Likert: a missing answer
    lines[4] = lines[4].replace(";15/11/2025;", ";#VALEUR!;")                # required date: rejected
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    survey = processed(report, "enquete_usagers").set_index("id_repondant")
    assert np.isnan(survey.loc["R1", "recommandation"]) and np.isnan(survey.loc["R2", "accueil"])
    reject = rejects_of(report, "enquete_usagers").iloc[0]
    assert reject["ligne"] == 5 and reject["valeur"] == "#VALEUR!"
    assert "1 cellule(s) en erreur Excel (#DIV/0!)" in notes(report, "enquete_usagers")


def test_excel_error_cells_of_a_workbook(raw, tmp_path, key):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id_cadre", "temps", "date", "competence", "note"])
    ws.append(["M001", "avant", dt.datetime(2026, 6, 1), "écoute", 3])
    ws.append(["M001", "après", dt.datetime(2026, 10, 1), "écoute", "#N/A"])
    wb.save(raw / "autoevaluations.xlsx")
    report = run_ingest(raw, tmp_path, key)
    reject = rejects_of(report, "autoevaluations").iloc[0]
    assert reject["ligne"] == 3 and reject["valeur"] == "#N/A" and reject["attendu"].startswith("une valeur")
    assert "erreur Excel (#N/A)" in notes(report, "autoevaluations")


def test_data_on_a_sheet_that_is_not_the_first(raw, tmp_path, key):
    wb = openpyxl.Workbook()
    wb.active.title = "Mode d'emploi"
    wb.active.append(["Remplissez une ligne par séance."])
    ws = wb.create_sheet("Saisie")
    ws.append(["id_cadre", "temps", "date", "competence", "note"])
    ws.append(["M001", "avant", dt.datetime(2026, 6, 1), "écoute", 3])
    wb.save(raw / "autoevaluations.xlsx")
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["autoevaluations"].n_acceptees == 1 and report.datasets["autoevaluations"].feuille == "Saisie"
    assert "feuille « Saisie » lue (la première feuille, « Mode d'emploi »" in notes(report, "autoevaluations")


def test_two_sheets_with_the_data_are_refused(raw, tmp_path, key):
    wb = openpyxl.Workbook()
    for i, title in enumerate(["2025", "2026"]):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(["id_cadre", "temps", "date", "competence", "note"])
    wb.save(raw / "autoevaluations.xlsx")
    report = run_ingest(raw, tmp_path, key)
    assert "plusieurs feuilles ont les colonnes attendues (« 2025 » et « 2026 »)" in report.datasets["autoevaluations"].message


def test_hidden_columns_are_read_and_stated(raw, tmp_path, key):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id_cadre", "ancienne note", "temps", "date", "competence", "note"])
    ws.append(["M001", 2, "avant", dt.datetime(2026, 6, 1), "écoute", 3])
    ws.column_dimensions["B"].hidden = True
    wb.save(raw / "autoevaluations.xlsx")
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["autoevaluations"].n_acceptees == 1
    assert "colonne masquée dans le classeur, lue comme les autres : « ancienne note » (B)" in notes(report, "autoevaluations")
    assert "ancienne note" in report.datasets["autoevaluations"].colonnes_ignorees


def test_likert_codes_with_labels(raw, tmp_path, key):
    lines = survey_lines(5)
    lines[1] = lines[1].replace(";Plutôt satisfait;", ";4 - Plutôt satisfait;")
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    assert processed(report, "enquete_usagers")["accueil"].iloc[0] == 4.0


def test_two_digit_birth_years(raw, tmp_path, key):
    write_csv(raw / "rh_agents.csv", [RH_HEADER, "M001;A;B;F;12/03/64;ETC;titulaire;C;administrative;01/01/2000;;100;"
                                      "non;non;non;0;01/11/2025"])
    report = run_ingest(raw, tmp_path, key)
    assert processed(report, "rh_agents")["mois_naissance"].tolist() == [pd.Timestamp("1964-03-01")]
