"""The processed store of the sample holds no phone, e-mail or name of the HR roster (DESIGN §6)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ducos_lib.ingest import ingest
from ducos_lib.io import normalise_header, read_raw_table, sha256_file
from ducos_lib.redaction import COMMON_WORD_NAMES, strip_accents

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "sample"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
PHONE = re.compile(r"(?:\+|00)?\d(?:[ .]?\d){8,}")
FREE_TEXT = {"enquete_usagers": ["commentaire"], "bilan_seminaire": ["commentaire"],
             "fiches_immersion": ["points_forts", "axes_progression", "propositions"]}


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    base = tmp_path_factory.mktemp("prive")
    (base / "cle").write_text("cle-de-test", encoding="utf-8")
    before = {p.name: sha256_file(p) for p in SAMPLE.iterdir()}
    report = ingest(SAMPLE, base / "processed", key_path=base / "cle")
    assert {p.name: sha256_file(p) for p in SAMPLE.iterdir()} == before  # raw files untouched
    return report


def raw_free_text() -> str:
    texts = []
    for dataset, columns in FREE_TEXT.items():
        path = next(SAMPLE.glob(f"{dataset}.*"))
        frame = read_raw_table(path).frame
        frame.columns = [normalise_header(c) for c in frame.columns]
        texts += [t for c in columns for t in frame[c].astype(str)]
    return "\n".join(texts)


def roster_names() -> set[str]:
    agents = read_raw_table(SAMPLE / "rh_agents.csv").frame
    parts = {p for n in pd.concat([agents["Nom"], agents["Prénom"]]) for p in re.split(r"[\s-]+", n) if len(p) >= 3}
    return {p for p in parts if strip_accents(p).casefold() not in COMMON_WORD_NAMES}


def test_the_raw_sample_does_carry_personal_data():
    text = raw_free_text()
    assert len(EMAIL.findall(text)) >= 10 and len(PHONE.findall(text)) >= 10
    assert any(re.search(rf"\b{re.escape(n)}\b", text, re.I) for n in roster_names())


def test_processed_free_text_has_no_phone_email_or_roster_name(processed):
    texts = []
    for dataset, columns in FREE_TEXT.items():
        frame = pd.read_parquet(processed.processed_dir / f"{dataset}.parquet")
        texts += [t for c in columns for t in frame[c].dropna()]
    text = "\n".join(texts)
    assert EMAIL.findall(text) == [] and PHONE.findall(text) == []
    for name in roster_names():
        for form in {name, name[:1] + name[1:].lower()}:
            assert not re.search(rf"\b{re.escape(form)}\b", text), form
    assert text.count("[NOM]") >= 10 and text.count("[TÉLÉPHONE]") >= 10 and text.count("[EMAIL]") >= 10


def test_no_processed_file_copies_a_name_phone_or_email(processed):
    names = roster_names()
    for path in processed.processed_dir.rglob("*"):
        if not path.is_file() or path.suffix not in (".parquet", ".csv", ".json"):
            continue
        text = pd.read_parquet(path).to_csv() if path.suffix == ".parquet" else path.read_text(encoding="utf-8")
        assert EMAIL.findall(text) == [], path.name
        upper = {n for n in names if n.isupper() and len(n) >= 4}  # last names as the HR file writes them
        assert not [n for n in upper if re.search(rf"\b{re.escape(n)}\b", text)], path.name
