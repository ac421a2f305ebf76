"""The CoPil's index: findings and indicators are read back from the published tables."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from ducos_lib.synthesis import indicator_series, key_findings


def write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "tables" / f"{name}.csv", index=False)


def fake_run(tmp_path: Path) -> SimpleNamespace:
    processed = tmp_path / "processed"
    processed.mkdir()
    pd.DataFrame({"code_service": ["ETC"], "libelle": ["État civil"]}).to_parquet(processed / "services.parquet")
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
