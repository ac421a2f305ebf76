"""Report 03 at both levels of diffusion on the sample (DESIGN §6): the copil outputs never name a
post held by one agent; the restricted run gives the detailed GPEC and says so at the top."""

from __future__ import annotations

import html
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, SAMPLE
from ducos_lib.io import find_raw_file, normalise_header, read_raw_table

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("milestones")]


def single_holder_jobs() -> set[str]:
    """``metier`` of every job held by one agent present at one of the sample's extractions."""
    agents = read_raw_table(find_raw_file(SAMPLE, "rh_agents")).frame.rename(columns=normalise_header)
    extraction = pd.to_datetime(agents["date_extraction"], dayfirst=True, errors="coerce")
    exit_ = pd.to_datetime(agents["date_sortie"], dayfirst=True, errors="coerce")
    names: set[str] = set()
    for d in extraction.dropna().unique():
        present = agents[(extraction == d) & (exit_.isna() | (exit_ > d))]
        counts = present["metier"].value_counts()
        names |= {str(m) for m in counts[counts == 1].index}
    return names


def test_the_sample_has_single_holder_posts_and_the_scan_finds_them():
    names = single_holder_jobs()
    assert {"Directeur général des services", "Archiviste", "Standardiste"} <= names and len(names) > 40
    assert "Animateur" not in names  # ten agents


def test_copil_html_and_tables_of_03_never_name_a_single_holder_post(milestone_runs):
    out, _ = milestone_runs
    names = single_holder_jobs()
    scanned = 0
    for m in ("T0", "T6", "T12"):
        files = [out / m / "03_rh_gpec.html", *sorted((out / m / "tables").glob("rh_*.csv"))]
        for path in files:
            text = html.unescape(path.read_text(encoding="utf-8"))
            assert not [n for n in names if n in text], path
            scanned += 1
        assert not (out / m / "tables" / "rh_postes_agent_unique.csv").exists()
    assert scanned >= 15


def test_copil_publishes_the_whole_staff_retirements(milestone_runs):
    out, _ = milestone_runs
    for m in ("T0", "T6", "T12"):
        dep = pd.read_csv(out / m / "tables" / "rh_departs_projetes.csv")
        ens = dep[dep.groupe_variable == "ensemble"]
        assert len(ens) and not ens.masque.any() and ens.departs.notna().all(), m
        fine = dep[(dep.groupe_variable != "ensemble") & ~dep.masque]
        assert not ((fine.departs > 0) & (fine.departs < 5)).any(), m
        jobs = pd.read_csv(out / m / "tables" / "rh_metiers_a_risque.csv")
        assert (jobs.effectif >= 5).all() and not jobs.risque_agent_unique.any(), m


def test_restricted_run_of_03(isolated_env, tmp_path):
    from ducos_lib.reports.export import export_html

    out = tmp_path / "restreinte" / "T12"
    executed = tmp_path / "03.ipynb"
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "03_rh_gpec.ipynb"), str(executed),
           "-k", "python3", "-p", "milestone", "T12", "-p", "raw_dir", str(SAMPLE), "-p", "out_dir", str(out),
           "-p", "diffusion", "restreinte", "--no-progress-bar"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=tmp_path)
    tables = out / "tables"
    posts = pd.read_csv(tables / "rh_postes_agent_unique.csv")
    dgs = posts[posts.metier == "Directeur général des services"]
    assert len(dgs) == 1 and 2026 <= int(dgs.annee_depart_age_legal.iloc[0]) <= 2035
    assert set(posts.metier) <= single_holder_jobs()
    for name in ("rh_indicateurs", "rh_departs_projetes", "rh_pyramide", "rh_metiers_a_risque"):
        assert not pd.read_csv(tables / f"{name}.csv").masque.any(), name
    dep = pd.read_csv(tables / "rh_departs_projetes.csv")
    assert "Directeur général des services" in set(dep[dep.groupe_variable == "metier"].groupe)
    jobs = pd.read_csv(tables / "rh_metiers_a_risque.csv")
    assert jobs.risque_agent_unique.sum() == len(posts) and jobs.effectif.notna().all()
    page = html.unescape(export_html(executed, tmp_path / "03.html").read_text(encoding="utf-8"))
    top = page[:page.index("Constats clés</h2>")]
    assert "GPEC — jalon T12 — diffusion restreinte" in top and "Diffusion restreinte." in top
    assert "Directeur général des services" in page and "secret" not in page
