"""Scheduled runs: due milestones, one run at a time, a log, previous reports kept on failure."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import ROOT, SAMPLE
from ducos_lib.io import InputError
from ducos_lib.schedule import due_milestones, run_lock, run_locked

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("milestones")]


def test_due_lists_past_milestones_without_reports(isolated_env, tmp_path):
    empty = tmp_path / "vide"
    assert due_milestones(SAMPLE, empty, "01/01/2025") == []
    assert [d.milestone for d in due_milestones(SAMPLE, empty, "2026-01-01")] == ["T0"]
    due = due_milestones(SAMPLE, empty, "2026-12-01")
    assert [d.milestone for d in due] == ["T0", "T6", "T12"] and due[0].reason == "rapports absents"


def test_due_is_empty_once_reports_are_fresh_and_flags_stale(milestone_runs, tmp_path):
    out, _ = milestone_runs
    assert due_milestones(SAMPLE, out, "2026-12-01") == []
    stale = tmp_path / "perime"
    shutil.copytree(out / "T6", stale / "T6")
    manifest = json.loads((stale / "T6" / "manifest.json").read_text(encoding="utf-8"))
    manifest["entrees"][3]["sha256"] = "0" * 64
    (stale / "T6" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    reasons = {d.milestone: d.reason for d in due_milestones(SAMPLE, stale, "2026-06-01")}
    assert reasons == {"T0": "rapports absents", "T6": "rapports périmés : les données ont changé"}


def test_lock_prevents_overlapping_runs(isolated_env, tmp_path):
    with run_lock(tmp_path):
        with pytest.raises(InputError, match="déjà en cours"):
            run_locked("T0", SAMPLE, tmp_path, only=["00_qualite_donnees"])


def test_failed_rerun_keeps_previous_report_and_logs(isolated_env, tmp_path):
    out = tmp_path / "out"
    assert run_locked("T0", SAMPLE, out, only=["00_qualite_donnees"]) == 0
    good = (out / "T0" / "00_qualite_donnees.html").read_bytes()
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    nb = json.loads((notebooks / "00_qualite_donnees.ipynb").read_text(encoding="utf-8"))
    nb["cells"][2]["source"] = "raise RuntimeError('panne')"
    (notebooks / "00_qualite_donnees.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    code = run_locked("T0", SAMPLE, out, only=["00_qualite_donnees"], force=True, notebooks_dir=notebooks)
    assert code == 1
    assert (out / "T0" / "00_qualite_donnees.html").read_bytes() == good
    index = (out / "T0" / "index.html").read_text(encoding="utf-8")
    assert "Version précédente conservée" in index
    log = (out / "ducos_executions.log").read_text(encoding="utf-8")
    assert log.count("début jalon=T0") == 2 and "code=1" in log
