"""Milestones from the calendar, the processed snapshot contract, keyed processed folders, redaction."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from ingest_helpers import make_key, make_raw, rejects_of, run_ingest, survey_lines, write_csv

from ducos_lib.ingest import SNAPSHOT_ENV, default_processed_dir, ingest, load_milestone
from ducos_lib.io import InputError, sha256_file


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return make_raw(tmp_path / "raw")


@pytest.fixture
def key(tmp_path: Path) -> Path:
    return make_key(tmp_path)


LONG_CALENDAR = ["jalon;date;cycle", "T0;14/11/2025;1", "T6;15/05/2026;1", "T12;13/11/2026;1", "T18;14/05/2027;1",
                 "T24;12/11/2027;1", "C2-T0;15/01/2028;2", "C2-T6;14/07/2028;"]


def test_calendar_with_more_lines_and_a_second_cycle(raw, tmp_path, key):
    write_csv(raw / "calendrier.csv", LONG_CALENDAR)
    lines = survey_lines(10) + ["R50;T18;20/04/2027;F;30-44;Bourg;ETC;4;4;3;8;", "R51;C2-T0;10/01/2028;F;30-44;Bourg;ETC;5;4;3;8;",
                                "R52;T3;10/01/2028;F;30-44;Bourg;ETC;5;4;3;8;"]
    write_csv(raw / "enquete_usagers.csv", lines)
    report = run_ingest(raw, tmp_path, key)
    assert report.datasets["calendrier"].statut == "ok" and report.datasets["calendrier"].n_acceptees == 7
    calendar = pd.read_parquet(report.processed_dir / "calendrier.parquet")
    assert calendar["cycle"].tolist() == [1, 1, 1, 1, 1, 2, 2]  # C2-T6's blank cycle comes from its name
    reject = rejects_of(report, "enquete_usagers").iloc[0]
    assert reject["ligne"] == 14 and reject["valeur"] == "T3"
    assert reject["attendu"] == "un jalon du calendrier (T0, T6, T12, T18, T24, C2-T0, C2-T6)"
    processed = tmp_path / "processed"
    t18 = load_milestone("T18", raw, processed, key_path=key)
    assert t18.milestones == ["T0", "T6", "T12", "T18"] and t18.previous == "T12" and t18.first == "T0"
    assert set(t18.enquete_usagers["vague"]) == {"T0", "T18"}
    c2 = load_milestone("C2-T0", raw, processed, key_path=key)
    assert c2.cycle == 2 and c2.first == "C2-T0" and c2.previous == "T24"
    assert c2.cycle_milestones == ["C2-T0"] and c2.date == pd.Timestamp("2028-01-15")
    c26 = load_milestone("C2-T6", raw, processed, key_path=key)
    assert c26.first == "C2-T0" and c26.cycle_milestones == ["C2-T0", "C2-T6"]


def test_cycle_column_contradicting_the_name(raw, tmp_path, key):
    write_csv(raw / "calendrier.csv", ["jalon;date;cycle", "T0;14/11/2025;1", "C2-T0;15/01/2028;1"])
    report = run_ingest(raw, tmp_path, key)
    assert "le jalon C2-T0 appartient au cycle 2, pas au cycle 1" in report.datasets["calendrier"].message


def test_order_comes_from_the_calendar_not_the_configuration(raw, tmp_path, key):
    write_csv(raw / "calendrier.csv", ["jalon,date", "Avant,14/11/2025", "Pendant,15/05/2026", "Après,13/11/2026"])
    lines = [line.replace(";T0;", ";Pendant;") for line in survey_lines(5)] + \
        [line.replace(";T0;", ";Avant;") for line in survey_lines(5)[1:]]
    write_csv(raw / "enquete_usagers.csv", [lines[0]] + [f"X{i}" + line[line.index(";"):] for i, line in
                                                          enumerate(lines[1:])])
    ms = load_milestone("Pendant", raw, tmp_path / "processed", key_path=key)
    assert ms.waves == ["Avant", "Pendant"] and ms.previous == "Avant" and ms.first == "Avant"
    assert ms.enquete_usagers["vague"].value_counts().to_dict() == {"Pendant": 5, "Avant": 5}
    with pytest.raises(InputError, match="le calendrier de .* donne Avant, Pendant, Après"):
        load_milestone("T12", raw, tmp_path / "processed", key_path=key)


def test_processed_folders_of_two_raw_folders_with_one_name_do_not_collide(tmp_path, monkeypatch):
    monkeypatch.setenv("DUCOS_PROCESSED_DIR", str(tmp_path / "processed"))
    a, b = make_raw(tmp_path / "2025" / "brut"), make_raw(tmp_path / "2026" / "brut")
    pa_, pb = default_processed_dir(a), default_processed_dir(b)
    assert pa_ != pb and pa_.parent == pb.parent == (tmp_path / "processed").resolve()
    assert pa_.name.startswith("brut-") and len(pa_.name) == len("brut-") + 8
    assert default_processed_dir(tmp_path / "2025" / "." / "brut") == pa_


def test_snapshot_is_read_without_reingesting(raw, tmp_path, key, monkeypatch):
    report = ingest(raw, tmp_path / "snap", key_path=key)
    monkeypatch.setenv(SNAPSHOT_ENV, str(report.processed_dir))
    monkeypatch.setattr("ducos_lib.ingest.ingest", lambda *a, **k: pytest.fail("ingested again"))
    ms = load_milestone("T6", raw, key_path=key)
    assert ms.ingestion.processed_dir == report.processed_dir and ms.waves == ["T0", "T6"]
    assert len(ms.enquete_usagers) == 28


def test_snapshot_of_another_raw_folder_is_not_used(raw, tmp_path, key, monkeypatch):
    other = make_raw(tmp_path / "autre")
    write_csv(other / "calendrier.csv", ["jalon,date", "T0,14/11/2025"])
    snap = ingest(other, tmp_path / "snap", key_path=key)
    monkeypatch.setenv(SNAPSHOT_ENV, str(snap.processed_dir))
    monkeypatch.setenv("DUCOS_PROCESSED_DIR", str(tmp_path / "processed"))
    ms = load_milestone("T6", raw, key_path=key)
    assert ms.ingestion.processed_dir == default_processed_dir(raw) and ms.waves == ["T0", "T6"]
    monkeypatch.setenv(SNAPSHOT_ENV, str(tmp_path / "nulle_part"))
    assert load_milestone("T6", raw, key_path=key).ingestion.processed_dir == default_processed_dir(raw)


def test_ingestion_state_records_the_resolved_raw_folder(raw, tmp_path, key):
    report = ingest(raw / ".." / "raw", tmp_path / "p", key_path=key)
    assert json.loads((report.processed_dir / "ingestion.json").read_text())["raw_dir"] == str(raw.resolve())


def test_free_text_is_redacted_in_the_processed_store_only(raw, tmp_path, key):
    lines = survey_lines(6)
    lines[1] = lines[1].replace(";Très bien", ";Merci à Mme Lagier, appelez le 0696 12 34 56 ou écrivez à "
                                              "jean.dupont@ducos.fr")
    lines[2] = lines[2].replace(";Très bien", ";Zébulon m'a très bien reçu au guichet")  # a name of the HR roster
    write_csv(raw / "enquete_usagers.csv", lines)
    write_csv(raw / "bilan_seminaire.csv", ["id_participant;date;note_globale;commentaire",
                                            "M001;09/10/2026;4;Bravo à Léonie Zébulon (06 96 11 22 33)"])
    before = {p.name: sha256_file(p) for p in raw.iterdir()}
    report = run_ingest(raw, tmp_path, key)
    survey = pd.read_parquet(report.processed_dir / "enquete_usagers.parquet")
    assert survey["commentaire"].iloc[0] == "Merci à Mme [NOM], appelez le [TÉLÉPHONE] ou écrivez à [EMAIL]"
    assert survey["commentaire"].iloc[1] == "[NOM] m'a très bien reçu au guichet"
    seminar = pd.read_parquet(report.processed_dir / "bilan_seminaire.parquet")
    assert seminar["commentaire"].iloc[0] == "Bravo à [NOM] ([TÉLÉPHONE])"
    assert {p.name: sha256_file(p) for p in raw.iterdir()} == before
    for path in report.processed_dir.rglob("*"):
        if path.is_file() and path.suffix in (".parquet", ".csv", ".json"):
            text = pd.read_parquet(path).to_csv() if path.suffix == ".parquet" else path.read_text(encoding="utf-8")
            for secret in ("Lagier", "0696 12 34 56", "jean.dupont", "Zébulon", "Léonie", "06 96 11 22 33"):
                assert secret not in text, (path.name, secret)


def test_free_text_shared_between_processes_is_redacted_as_in_one(tmp_path, monkeypatch):
    # The ingestion forks redaction workers for long columns while its threads read and write files:
    # with the threshold lowered, the sample's columns go through them and every file is the same.
    import ducos_lib.redaction as redaction
    from ducos_lib import validation
    from ducos_lib.config import ROOT

    key = make_key(tmp_path)
    sample = ROOT / "data" / "raw" / "sample"
    alone = ingest(sample, tmp_path / "un", key_path=key)
    monkeypatch.setattr(redaction, "_PARALLEL_FROM", 2)
    monkeypatch.setattr(validation.os, "sched_getaffinity", lambda pid: {0, 1})  # two cores, whatever the machine
    calls = []
    forked = redaction._parallel
    monkeypatch.setattr(redaction, "_parallel", lambda *a: calls.append(len(a[0])) or forked(*a))
    shared = ingest(sample, tmp_path / "deux", key_path=key)
    assert shared.ok and alone.ok
    assert len(calls) >= 4  # survey comments, three fields of the immersion forms, …
    names = sorted(p.name for p in alone.processed_dir.glob("*.parquet"))
    assert "enquete_usagers.parquet" in names and names == sorted(p.name for p in shared.processed_dir.glob("*.parquet"))
    for name in names:
        pd.testing.assert_frame_equal(pd.read_parquet(alone.processed_dir / name), pd.read_parquet(shared.processed_dir / name))
