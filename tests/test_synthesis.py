"""The CoPil's index: findings and indicators are read back from the published tables."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import yaml

from ducos_lib.registry import load_registry
from ducos_lib.reports.synthese import indicator_table, key_findings, objectives_block
from ducos_lib.synthesis import indicator_series, milestone_order, objective_statuses


def write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "tables" / f"{name}.csv", index=False)


def fake_run(tmp_path: Path) -> SimpleNamespace:
    processed = tmp_path / "processed"
    processed.mkdir()
    pd.DataFrame({"code_service": ["ETC"], "libelle": ["État civil"]}).to_parquet(processed / "services.parquet")
    pd.DataFrame({"jalon": ["T0", "T6"], "date": pd.to_datetime(["2025-11-14", "2026-05-15"])}).to_parquet(
        processed / "calendrier.parquet")
    ingestion = SimpleNamespace(processed_dir=processed, datasets={
        "enquete_usagers": SimpleNamespace(n_rejetees=3)})
    return SimpleNamespace(ingestion=ingestion, notebooks=[SimpleNamespace(statut="ok", titre="x")])


def test_findings_and_series_from_tables(tmp_path):
    folder = tmp_path / "T6"
    est = pd.DataFrame({
        "vague": ["T0", "T6", "T0", "T6"], "indicateur": ["satisfaction_globale_satisfaits"] * 2 + ["recommandation_moyenne"] * 2,
        "groupe_variable": "ensemble", "groupe": "ensemble", "estimation": [0.5, 0.625, 6.0, 6.0],
        "erreur_type": 0.02, "ic_bas": [0.46, 0.58, 5.8, 5.8], "ic_haut": [0.54, 0.67, 6.2, 6.2], "n_repondants": [300, 320, 300, 310],
    })
    write(folder, "enquete_estimations", est)
    comp = pd.DataFrame({
        "indicateur": ["satisfaction_globale_satisfaits", "satisfaction_globale_satisfaits"],
        "groupe_variable": ["ensemble", "service"], "groupe": ["ensemble", "ETC"], "vague_a": "T0", "vague_b": "T6",
        "difference": [0.125, 0.2], "ic_bas": [0.05, 0.1], "ic_haut": [0.2, 0.3], "p_valeur": [0.001, 0.002],
        "p_ajustee": [0.004, 0.01], "methode": "difference_z"})
    write(folder, "enquete_comparaisons", comp)
    hr = pd.DataFrame({"date_extraction": ["2025-11-01", "2026-05-01"], "indicateur": "taux_absenteisme",
                       "groupe_variable": "ensemble", "groupe": "ensemble", "valeur": [6.5, 5.25], "effectif": [250, 255],
                       "masque": False})
    write(folder, "rh_indicateurs", hr)
    findings = key_findings(tmp_path, "T6", fake_run(tmp_path))
    assert findings[0].startswith("<strong>62\u202f% des usagers sont satisfaits</strong>")
    assert "+12,5 points (évolution significative, p ajustée 0,004)" in findings[0]
    assert "État civil (+20,0 points)" in findings[1]
    assert any("5,2\u202f% sur les 12 mois précédant l'extraction du 01/05/2026" in f for f in findings)
    assert any("3 lignes écartées" in f for f in findings)
    dates = {"T0": pd.Timestamp("2025-11-14"), "T6": pd.Timestamp("2026-05-15")}
    series = indicator_series(tmp_path, "T6", dates).set_index("code")
    assert series.loc["satisfaction_globale_satisfaits", "T6"] == 0.625
    assert series.loc["taux_absenteisme", "T0"] == 6.5 and series.loc["taux_absenteisme", "T6"] == 5.25

    assert list(series.columns) == ["T0", "T6"]  # the calendar's milestones up to T6
    html = indicator_table(series.reset_index(), {"satisfaction_globale_satisfaits": (0.125, 0.004)}, "T0")
    assert "Satisfaction globale : part de satisfaits" in html and "62,5\u202f%" in html
    assert "↗ +12,5 points (significatif)" in html


def test_milestones_come_from_the_calendar():
    dates = {"C2-T6": pd.Timestamp("2027-05-14"), "C2-T0": pd.Timestamp("2026-11-13"),
             "C2-T12": pd.Timestamp("2027-11-12")}
    assert milestone_order(dates, "C2-T6") == ["C2-T0", "C2-T6"]
    assert milestone_order(dates, "C2-T12") == ["C2-T0", "C2-T6", "C2-T12"]


def test_survey_indicator_added_to_the_registry_appears_on_the_index(tmp_path):
    """Issue 12 item 4: an entry with synthese: true is followed on the index with no code change."""
    config = tmp_path / "config"
    shutil.copytree(Path(__file__).resolve().parents[1] / "config", config)
    reg = yaml.safe_load((config / "indicateurs.yml").read_text(encoding="utf-8"))
    assert not reg["indicateurs"]["information_satisfaits"].get("synthese")
    reg["indicateurs"]["information_satisfaits"]["synthese"] = True
    (config / "indicateurs.yml").write_text(yaml.safe_dump(reg, allow_unicode=True), encoding="utf-8")
    est = pd.DataFrame({"vague": ["C2-T0", "C2-T6"], "indicateur": "information_satisfaits",
                        "groupe_variable": "ensemble", "groupe": "ensemble", "estimation": [0.41, 0.465],
                        "erreur_type": 0.02, "ic_bas": [0.37, 0.42], "ic_haut": [0.45, 0.5], "n_repondants": 300})
    write(tmp_path / "C2-T6", "enquete_estimations", est)
    dates = {"C2-T0": pd.Timestamp("2026-11-13"), "C2-T6": pd.Timestamp("2027-05-14")}
    without = indicator_series(tmp_path, "C2-T6", dates)
    assert "information_satisfaits" not in set(without["code"])
    registry = load_registry(config)
    series = indicator_series(tmp_path, "C2-T6", dates, registry=registry)
    assert series.set_index("code").loc["information_satisfaits"].tolist() == [0.41, 0.465]
    html = indicator_table(series, {}, "C2-T0", registry)
    assert "<td>Information : part de satisfaits</td>" in html and "46,5\u202f%" in html
    assert "↗ +5,5 points" in html and "Évolution depuis C2-T0" in html


def test_objectives_block_reads_the_statuses_published_at_each_milestone(tmp_path):
    for m, statuses in {"T0": ["non_mesurable", "non_atteint"], "T6": ["en_progres", "atteint"]}.items():
        write(tmp_path / m, "bilan_objectifs", pd.DataFrame({
            "objectif": ["federer_agents", "service_usagers"], "indicateur": "x", "groupe": "ensemble",
            "jalon_reference": "T0", "valeur_reference": 1.0, "valeur": 1.0, "ic_bas": 1.0, "ic_haut": 1.0,
            "cible": 1.0, "statut": statuses}))
    wide = objective_statuses(tmp_path, ["T0", "T6"]).set_index("objectif")
    assert wide.loc["federer_agents"].tolist() == ["non_mesurable", "en_progres"]
    html = objectives_block(tmp_path, ["T0", "T6"])
    assert "Fédérer les agents autour de projets communs" in html
    assert "↗ En progrès" in html and "✔ Atteint" in html and "– Non mesurable" in html
    assert "indisponible" in objectives_block(tmp_path / "vide", ["T0"])
