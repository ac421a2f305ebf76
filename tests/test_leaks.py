"""DESIGN §6: no name, identifier, birth date, email or phone of the raw sample in any published file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE
from ducos_lib.io import find_raw_file, normalise_header, read_raw_table

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("milestones")]

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+|00)?\d[\d .-]{7,}\d")


def _digits(text: str) -> str:
    digits = re.sub(r"\D", "", text)
    for prefix in ("00596", "0033", "596", "33"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 9:
            return digits[len(prefix):]
    return digits[1:] if digits.startswith("0") and len(digits) == 10 else digits


def _table(stem: str) -> pd.DataFrame:
    path = find_raw_file(SAMPLE, stem)
    frame = read_raw_table(path).frame
    return frame.rename(columns=normalise_header).astype(str)


def sensitive_values(raw_dir: Path = SAMPLE) -> dict[str, set[str]]:
    """Names, identifiers, birth dates, emails and phone numbers present in the raw sample."""
    agents = _table("rh_agents")
    names = {n.strip() for col in ("nom", "prenom") for n in agents[col] if len(n.strip()) >= 3}
    ids = set(agents["matricule"].str.strip())
    births = set()
    for value in agents["date_naissance"]:
        ts = pd.to_datetime(value, dayfirst=True, errors="coerce")
        if pd.notna(ts):
            births |= {ts.strftime("%d/%m/%Y"), ts.strftime("%Y-%m-%d")}
    emails, phones = set(), set()
    for path in sorted(raw_dir.iterdir()):
        if path.suffix.lower() not in (".csv", ".xlsx"):
            continue
        text = " ".join(read_raw_table(path).frame.astype(str).to_numpy().ravel())
        emails |= set(EMAIL.findall(text))
        phones |= {_digits(p) for p in PHONE.findall(text) if len(_digits(p)) == 9 and _digits(p)[0] in "5678"}
    return {"noms": names, "identifiants": ids, "naissances": births, "emails": emails, "telephones": phones}


def find_leaks(text: str, secrets: dict[str, set[str]]) -> list[str]:
    hits = []
    for kind in ("identifiants", "naissances", "emails"):
        hits += [f"{kind}: {s}" for s in secrets[kind] if s in text]
    words = set(re.findall(r"\b[A-ZÀ-Ý][\wÀ-ÿ'-]+\b", text))
    hits += [f"noms: {n}" for n in secrets["noms"] if n in words]
    hits += [f"telephones: {p}" for p in PHONE.findall(text) if _digits(p) in secrets["telephones"]]
    return hits


def test_the_scan_finds_planted_leaks():
    secrets = sensitive_values()
    assert min(len(v) for v in secrets.values()) > 0, {k: len(v) for k, v in secrets.items()}
    name = sorted(secrets["noms"])[0]
    phone = sorted(secrets["telephones"])[0]
    planted = f"<p>Merci à {name}, joignable au 06 {phone[1:3]} {phone[3:5]} {phone[5:7]} {phone[7:9]}.</p>"
    planted = planted.replace("06 ", "0" + phone[0] + " ", 1)
    assert len(find_leaks(planted, secrets)) == 2


def test_no_personal_data_in_any_published_file(milestone_runs):
    out, runs = milestone_runs
    secrets = sensitive_values()
    files = [p for p in out.rglob("*") if p.suffix in (".html", ".csv", ".pdf") and "notebooks_executes" not in p.parts]
    assert len(files) >= 20
    assert any("restreinte" in p.parts for p in files) and any(p.suffix == ".pdf" for p in files)  # both levels, PDFs

    def text(p):
        if p.suffix == ".pdf":
            return subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True).stdout
        return p.read_text(encoding="utf-8")

    leaks = {str(p.relative_to(out)): find_leaks(text(p), secrets) for p in files}
    assert {k: v for k, v in leaks.items() if v} == {}
