"""Ingestion of messy raw files: formats, validation messages, quarantine, pseudonymisation."""

from __future__ import annotations

import hmac
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ingest_helpers import SURVEY_HEADER, make_key, make_raw, run_ingest, survey_lines, write_csv

from ducos_lib import cli
from ducos_lib.ingest import load_milestone
from ducos_lib.io import InputError, normalise_header, read_raw_table, sha256_file
from ducos_lib.privacy import Pseudonymiser, pseudonymise


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return make_raw(tmp_path / "raw")


@pytest.fixture
def key(tmp_path: Path) -> Path:
    return make_key(tmp_path)


@pytest.mark.parametrize("header, expected", [
    ("Date de réponse", "date_reponse"), ("DATE_REPONSE", "date_reponse"), ("Tranche d'âge", "tranche_age"),
    ("  Satisfaction globale ", "satisfaction_globale"), ("Service d’accueil", "service_accueil"),
    ("Quotité (%)", "quotite"), ("note_accueil_usagers", "note_accueil_usagers"),
])
def test_header_normalisation(header, expected):
    assert normalise_header(header) == expected


def test_windows_1252_semicolon_and_decimal_comma(raw, tmp_path, key):
    table = read_raw_table(raw / "rh_agents.csv")
    assert table.encoding == "cp1252" and table.separator == ";"
    assert table.frame["Nom"].iloc[0] == "Zébulon"
    report = run_ingest(raw, tmp_path, key)
    agents = pd.read_parquet(report.processed_dir / "rh_agents.parquet")
    assert agents["quotite"].tolist() == [80.0, 100.0]
    assert agents["heures_formation"].tolist() == [10.5, 0.0]
    assert agents["statut"].tolist() == ["titulaire", "contractuel_permanent"]
    assert agents["encadrant"].tolist() == [True, False] and agents["boe"].tolist() == [False, True]
    assert agents["categorie_active"].tolist() == [False, False]
    assert agents["mois_naissance"].tolist() == [pd.Timestamp("1964-03-01"), pd.Timestamp("1961-09-01")]


def test_bom_tab_and_spaces_in_numbers(raw, tmp_path, key):
    report = run_ingest(raw, tmp_path, key)
    services = pd.read_parquet(report.processed_dir / "services.parquet")
    assert services["libelle"].tolist() == ["État civil", "Urbanisme"]
    population = pd.read_parquet(report.processed_dir / "population_reference.parquet")
    assert population["effectif"].tolist() == [8000.0, 7000.0]


def test_xlsx_excel_dates_and_accented_choices(raw, tmp_path, key):
    report = run_ingest(raw, tmp_path, key)
    auto = pd.read_parquet(report.processed_dir / "autoevaluations.parquet")
    assert auto["date"].tolist() == [pd.Timestamp("2026-06-01"), pd.Timestamp("2026-10-01"), pd.Timestamp("2026-05-31")]
    assert auto["temps"].tolist() == ["avant", "apres", "avant"]
    assert report.datasets["autoevaluations"].encodage == "xlsx"


def test_likert_labels_missing_and_aliases(raw, tmp_path, key):
    report = run_ingest(raw, tmp_path, key)
    survey = pd.read_parquet(report.processed_dir / "enquete_usagers.parquet")
    last = survey.loc[survey["id_repondant"] == "R30"].iloc[0]
    assert last["satisfaction_globale"] == 5.0 and np.isnan(last["accueil"]) and np.isnan(last["delai"])
    assert last["sexe"] == "F" and last["service"] == "URB"
    first = survey.loc[survey["id_repondant"] == "R1"].iloc[0]
    assert first["accueil"] == 4.0 and np.isnan(first["delai"]) and first["service"] == "ETC"
    assert set(survey["service"]) == {"ETC", "URB"}


def test_rejections_name_file_line_column_value(raw, tmp_path, key):
    report = run_ingest(raw, tmp_path, key)
    survey = report.datasets["enquete_usagers"]
    assert survey.statut == "ok" and survey.n_lignes == 31 and survey.n_rejetees == 3 and survey.n_acceptees == 28
    rejects = report.rejects().set_index("ligne")
    assert rejects.loc[4, "message"] == (
        "enquete_usagers.csv, ligne 4, colonne « Satisfaction globale » : valeur « 7 » invalide, "
        "attendu : un nombre de 1 à 5.")
    assert rejects.loc[6, "colonne"] == "Date de réponse" and rejects.loc[6, "valeur"] == "bientôt"
    assert "date JJ/MM/AAAA" in rejects.loc[6, "attendu"]
    assert rejects.loc[8, "valeur"] == "Piscine" and "services.csv" in rejects.loc[8, "attendu"]
    quarantine = pd.read_csv(report.processed_dir / "quarantaine" / "enquete_usagers.csv")
    assert quarantine["ligne"].tolist() == [4, 6, 8]


def test_missing_required_column_stops_dataset_with_exit_2(raw, tmp_path, key, capsys, monkeypatch):
    lines = survey_lines()
    lines[0] = lines[0].replace("Date de réponse;", "Jour;")
    write_csv(raw / "enquete_usagers.csv", [lines[0]] + [line.replace(";15/11/2025;", ";x;") for line in lines[1:]])
    report = run_ingest(raw, tmp_path, key)
    survey = report.datasets["enquete_usagers"]
    assert survey.statut == "erreur"
    assert "enquete_usagers.csv" in survey.message and "« date_reponse »" in survey.message
    assert not (report.processed_dir / "enquete_usagers.parquet").exists()
    monkeypatch.setattr("ducos_lib.privacy.path_setting", lambda _: key)
    code = cli.main(["validate", "--raw-dir", str(raw), "--processed-dir", str(tmp_path / "p2")])
    out = capsys.readouterr().out
    assert code == 2
    assert "enquete_usagers.csv" in out and "date_reponse" in out


def test_unreadable_file_is_a_french_error(raw, tmp_path, key):
    (raw / "fiches_immersion.xlsx").write_bytes(b"ceci n'est pas un classeur")
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["fiches_immersion"].statut == "erreur"
    assert "fiches_immersion.xlsx : le classeur Excel ne peut pas être lu" in report.datasets["fiches_immersion"].message
    assert not report.ok


def test_too_many_rejections_fail_the_dataset(raw, tmp_path, key):
    lines = [SURVEY_HEADER] + [f"R{i};T0;15/11/2025;F;30-44;Bourg;ETC;9;4;3;8;" for i in range(10)]
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    survey = report.datasets["enquete_usagers"]
    assert survey.statut == "erreur" and "10 lignes rejetées sur 10" in survey.message
    assert (report.processed_dir / "quarantaine" / "enquete_usagers.csv").exists()


def test_duplicate_keys_and_date_order_are_rejected(raw, tmp_path, key):
    write_csv(raw / "rh_absences.csv", ["matricule,motif,date_debut,date_fin", "M001,MO,2026-01-10,2026-01-12",
                                        "M002,AT,2026-02-10,2026-02-01"])
    lines = survey_lines()
    lines.append(lines[1])  # same respondent twice in one wave
    write_csv(raw / "enquete_usagers.csv", lines, encoding="cp1252")
    report = run_ingest(raw, tmp_path, key)
    rejects = report.rejects()
    absences = rejects.loc[rejects["dataset"] == "rh_absences"]
    assert absences["ligne"].tolist() == [3] and absences["colonne"].iloc[0] == "date_fin"
    dup = rejects.loc[rejects["dataset"] == "enquete_usagers"]
    assert dup["ligne"].tolist() == [len(lines)] and "en double" in dup["attendu"].iloc[0]


def test_pseudonyms_stable_with_key_and_no_identifier_left(raw, tmp_path, key):
    report = run_ingest(raw, tmp_path, key)
    agents = pd.read_parquet(report.processed_dir / "rh_agents.parquet")
    k = key.read_text().encode()
    assert agents["matricule"].tolist() == pseudonymise(pd.Series(["M001", "M002"]), k).tolist()
    auto = pd.read_parquet(report.processed_dir / "autoevaluations.parquet")
    assert set(auto["id_cadre"]) == set(agents["matricule"])  # links across files
    assert "nom" not in agents and "prenom" not in agents and "date_naissance" not in agents
    other = pseudonymise(pd.Series(["M001"]), b"autre-cle").iloc[0]
    assert other != agents["matricule"].iloc[0]
    # scan every processed file for raw identifiers, names and full birth dates
    secrets_ = ["M001", "M002", "Zébulon", "Léonie", "Marthe", "Jules", "12/03/1964", "1964-03-12", "1961-09-01 00"]
    for path in report.processed_dir.rglob("*"):
        if path.is_file() and path.suffix in (".parquet", ".csv", ".json"):
            text = (pd.read_parquet(path).to_csv() if path.suffix == ".parquet" else path.read_text(encoding="utf-8"))
            for secret in secrets_:
                assert secret not in text, (path.name, secret)


def test_pseudonym_is_the_hmac_sha256_of_the_normalised_identifier():
    """Pinned to the standard HMAC, a key longer than a SHA-256 block included (pseudonyms must not drift)."""
    for k in (b"cle", b"k" * 100):
        out = pseudonymise(pd.Series([" a102", "A102", None, "b7"]), k)
        expected = ["P" + hmac.digest(k, v, "sha256").hex()[:12] for v in (b"A102", b"A102", b"B7")]
        assert out.iloc[[0, 1, 3]].tolist() == expected and pd.isna(out.iloc[2])
    shared = Pseudonymiser(b"cle")  # one for all datasets: what it already knows comes out the same
    first, second = pd.Series(["M1", "m2 "]), pd.Series(["M2", None, "M3", "m1"])
    assert shared(first).tolist() == pseudonymise(first, b"cle").tolist()
    assert shared(second).equals(pseudonymise(second, b"cle"))


def test_raw_files_untouched_and_rerun_skipped(raw, tmp_path, key):
    before = {p.name: sha256_file(p) for p in raw.iterdir()}
    first = run_ingest(raw, tmp_path, key)
    second = run_ingest(raw, tmp_path, key)
    assert not first.reused and second.reused
    assert {p.name: sha256_file(p) for p in raw.iterdir()} == before
    assert not any(p.name.endswith(".tmp") for p in first.processed_dir.rglob("*"))
    write_csv(raw / "calendrier.csv", ["jalon,date", "T0,14/11/2025", "T6,2026-05-15", "T12,20/11/2026"])
    third = run_ingest(raw, tmp_path, key)
    assert not third.reused


def test_missing_obligatory_file(raw, tmp_path, key):
    (raw / "population_reference.csv").unlink()
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["population_reference"].statut == "erreur"
    assert "population_reference" in report.datasets["population_reference"].message
    assert report.datasets["fiches_immersion"].statut == "absent"


def test_load_milestone_filters(raw, tmp_path, key):
    processed = tmp_path / "processed"
    t0 = load_milestone("T0", raw, processed, key_path=key)
    t6 = load_milestone("T6", raw, processed, key_path=key)
    assert t0.waves == ["T0"] and t6.waves == ["T0", "T6"]
    assert set(t0.enquete_usagers["vague"]) == {"T0"} and set(t6.enquete_usagers["vague"]) == {"T0", "T6"}
    t12 = load_milestone("T12", raw, processed, key_path=key)
    assert t6.autoevaluations.empty and len(t12.autoevaluations) == 3  # dated 31/05, 01/06, 01/10/2026
    assert t0.fiches_immersion is None
    assert len(t0.rh_agents) == 2
    with pytest.raises(InputError, match="Jalon inconnu"):
        load_milestone("T3", raw, processed, key_path=key)


def test_a_failed_write_stops_the_ingestion(raw, tmp_path, key, monkeypatch):
    """Files are written in the background: a write error still surfaces, and no ingestion.json claims success."""
    from ducos_lib import ingest as ingestion

    real = ingestion.write_parquet

    def failing(frame, path):
        if Path(path).name == "rh_agents.parquet":
            raise OSError("disque plein")
        real(frame, path)

    monkeypatch.setattr(ingestion, "write_parquet", failing)
    with pytest.raises(OSError, match="disque plein"):
        run_ingest(raw, tmp_path, key)
    assert not (tmp_path / "processed" / "ingestion.json").exists()
