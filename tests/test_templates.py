"""XLSX collection templates (``ducos modeles``): checks built from the schemas, and the round trip —
templates filled with the sample's own (valid) values validate with zero rejected rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from ducos_lib import templates
from ducos_lib.cli import main
from ducos_lib.ingest import ingest

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "sample"


def test_every_input_has_a_template_with_its_checks(tmp_path):
    services = pd.read_csv(SAMPLE / "services.csv")
    paths = templates.write_templates(tmp_path, services=services)
    assert [p.name for p in paths] == [f"{d}.xlsx" for d in templates.TEMPLATES]
    wb = load_workbook(tmp_path / "fiches_immersion.xlsx")
    assert wb.sheetnames[:2] == ["Saisie", "Consignes"]
    header = [c.value for c in wb["Saisie"][1]]
    themes = list(yaml.safe_load((Path(templates.CONFIG_DIR) / "codebook.yml").read_text(encoding="utf-8"))["themes"])
    assert [h for h in header if h.startswith("note_")] == [f"note_{t}" for t in themes]
    checks = {str(dv.sqref).split(":")[0]: dv for dv in wb["Saisie"].data_validations.dataValidation}
    col = {name: chr(ord("A") + i) for i, name in enumerate(header)}
    assert checks[f"{col['type_immersion']}2"].formula1 == '"inter,intra"'
    note = checks[f"{col['note_cohesion_equipe']}2"]
    assert (note.type, note.formula1, note.formula2) == ("whole", "1", "5")
    assert checks[f"{col['date_immersion']}2"].type == "date"
    assert checks[f"{col['service_accueil']}2"].formula1 == f"Listes!$A$1:$A${len(services)}"
    baro = load_workbook(tmp_path / "barometre_agents.xlsx")
    bheader = [c.value for c in baro["Saisie"][1]]
    bchecks = {str(dv.sqref).split(":")[0]: dv for dv in baro["Saisie"].data_validations.dataValidation}
    assert bchecks[f"{chr(ord('A') + bheader.index('reconnaissance'))}2"].formula1 == '"1,2,3,4,5,NSP"'
    rows = list(baro["Consignes"].iter_rows(min_row=5, values_only=True))
    assert ("vague", "oui", "un jalon du calendrier (calendrier.csv), par exemple T0") in rows


def test_a_theme_added_to_the_codebook_adds_its_column(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(templates.CONFIG_DIR, config)
    book = yaml.safe_load((config / "codebook.yml").read_text(encoding="utf-8"))
    book["themes"]["numerique"] = {"libelle": "Numérique", "definition": "x", "motifs": ["numérique"]}
    (config / "codebook.yml").write_text(yaml.safe_dump(book, allow_unicode=True), encoding="utf-8")
    assert "note_numerique" in templates.template_columns("fiches_immersion", config)


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("processed")
    report = ingest(SAMPLE, folder, key_path=folder / "cle")
    assert report.ok
    return folder


def test_round_trip_sample_values_validate_with_zero_rejected_rows(tmp_path, processed):
    services = pd.read_csv(SAMPLE / "services.csv")
    empty = tmp_path / "modeles"
    templates.write_templates(empty, services=services)
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("calendrier.csv", "services.csv", "population_reference.csv"):
        shutil.copy(SAMPLE / name, raw / name)
    counts = {}
    for dataset in templates.TEMPLATES:
        # processed data keep only the month of birth, under its own name (DESIGN §6)
        frame = pd.read_parquet(processed / f"{dataset}.parquet").rename(columns={"mois_naissance": "date_naissance"})
        counts[dataset] = len(frame)
        templates.fill_template(empty / f"{dataset}.xlsx", frame, raw / f"{dataset}.xlsx")
    report = ingest(raw, tmp_path / "out", key_path=tmp_path / "cle")
    for dataset, n in counts.items():
        d = report.datasets[dataset]
        assert (d.statut, d.n_lignes, d.n_rejetees, d.n_acceptees) == ("ok", n, 0, n), (dataset, d)
    assert counts["barometre_agents"] == 307 and counts["fiches_immersion"] == 99


def test_cli_modeles(tmp_path, capsys):
    assert main(["modeles", "--out", str(tmp_path), "--raw-dir", str(SAMPLE)]) == 0
    assert "6 modèles de saisie écrits" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{d}.xlsx" for d in templates.TEMPLATES)
