"""Shared fixtures: the sample data run through the milestones once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "raw" / "sample"
REFERENCE = ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def isolated_env(tmp_path_factory) -> Path:
    """Processed data and pseudonymisation key of the tests, away from the analyst's own."""
    base = tmp_path_factory.mktemp("ducos")
    os.environ["DUCOS_PROCESSED_DIR"] = str(base / "processed")
    os.environ["DUCOS_CLE_PSEUDONYMISATION"] = str(base / "cle")
    os.environ.setdefault("MPLBACKEND", "agg")
    (base / "cle").write_text("cle-des-tests", encoding="utf-8")
    return base


@pytest.fixture(scope="session")
def milestone_runs(isolated_env):
    """``ducos run`` of T0, T6 and T12 on the committed sample (each notebook once per session)."""
    from ducos_lib.runner import run_milestone

    out = isolated_env / "reports"
    runs = {m: run_milestone(m, SAMPLE, out, jobs=2, echo=lambda _: None) for m in ("T0", "T6", "T12")}
    return out, runs
