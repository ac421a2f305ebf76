"""The milestone runner end to end on the sample data, failure isolation, direct papermill runs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, SAMPLE, SOURCES_BEFORE_RUNS, source_notebook_hashes

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("milestones")]


def test_t0_outputs(milestone_runs):
    out, runs = milestone_runs
    run = runs["T0"]
    folder = out / "T0"
    assert run.exit_code == 0, [(n.name, n.erreur) for n in run.notebooks if n.statut == "echec"]
    names = [n.name for n in run.notebooks]
    assert names[:2] == ["00_qualite_donnees", "01_enquete_usagers"]
    assert "02_immersions" not in names  # T6 and T12 only
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["jalon"] == "T0" and manifest["code_sortie"] == 0
    assert {e["jeu"] for e in manifest["entrees"]} >= {"enquete_usagers", "rh_agents", "calendrier"}
    assert all(len(e["sha256"]) == 64 for e in manifest["entrees"] if e["fichier"])
    for nb in manifest["notebooks"]:
        assert nb["statut"] == "ok" and nb["duree_s"] > 0
        html = (folder / nb["html"]).read_text(encoding="utf-8")
        assert '<html lang="fr">' in html
        assert "src=\"http" not in html and "href=\"http" not in html  # nothing from another host
        assert 'milestone = "' not in html and "raw_dir = None" not in html  # parameters cells hidden
    index = (folder / "index.html").read_text(encoding="utf-8")
    for nb in manifest["notebooks"]:
        assert f'href="{nb["html"]}"' in index
    files = pd.read_csv(folder / "tables" / "qualite_fichiers.csv")
    assert (files["Acceptées"] > 0).sum() >= 8


def test_runs_never_rewrite_the_notebooks_analysts_edit(milestone_runs):
    assert SOURCES_BEFORE_RUNS and source_notebook_hashes() == SOURCES_BEFORE_RUNS


def test_unchanged_notebooks_are_skipped(milestone_runs):
    from ducos_lib.runner import run_milestone

    out, _ = milestone_runs
    lines = []
    run = run_milestone("T0", SAMPLE, out, only=["00_qualite_donnees"], echo=lines.append)
    assert [n.statut for n in run.notebooks if n.name == "00_qualite_donnees"] == ["inchange"]
    assert any("inchangé" in line for line in lines)
    assert len(run.notebooks) >= 4  # notebooks not asked for keep their previous entry


def test_failing_notebook_is_isolated(milestone_runs, tmp_path):
    from ducos_lib.runner import run_milestone

    out, _ = milestone_runs
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    nb = json.loads((notebooks / "00_qualite_donnees.ipynb").read_text(encoding="utf-8"))
    nb["cells"][2]["source"] = "raise RuntimeError('panne volontaire')"
    (notebooks / "00_qualite_donnees.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    target = tmp_path / "out"
    lines = []
    run = run_milestone("T0", SAMPLE, target, only=["00_qualite_donnees", "01_enquete_usagers"],
                        notebooks_dir=notebooks, echo=lines.append)
    status = {n.name: n for n in run.notebooks}
    assert status["00_qualite_donnees"].statut == "echec" and "panne volontaire" in status["00_qualite_donnees"].erreur
    assert status["01_enquete_usagers"].statut == "ok"
    assert run.exit_code == 1
    folder = target / "T0"
    assert not (folder / "00_qualite_donnees.html").exists()
    assert (folder / "01_enquete_usagers.html").exists()
    assert (folder / "notebooks_executes" / "00_qualite_donnees.ipynb").exists()
    assert "échec" in (folder / "index.html").read_text(encoding="utf-8")
    assert len([line for line in lines if line.startswith("[")]) == 2  # one progress line per notebook


def test_papermill_directly(isolated_env, tmp_path):
    out = tmp_path / "rapport"
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "00_qualite_donnees.ipynb"),
           str(tmp_path / "out.ipynb"), "-k", "python3", "-p", "milestone", "T0", "-p", "raw_dir", str(SAMPLE),
           "-p", "out_dir", str(out), "--no-progress-bar"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=tmp_path)
    assert (out / "tables" / "qualite_fichiers.csv").exists()


def test_cli_run_exit_code_on_input_error(isolated_env, tmp_path):
    from ducos_lib import cli

    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    (raw / "calendrier.csv").write_text("jalon\nT0\n", encoding="utf-8")
    assert cli.main(["run", "--milestone", "T0", "--raw-dir", str(raw), "--out", str(tmp_path / "o"),
                     "--only", "00_qualite_donnees"]) == 2


def test_exploration_notebook_runs(isolated_env, tmp_path):
    import papermill

    out = tmp_path / "exploration.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "exploration.ipynb"), str(out), kernel_name="python3",
                               progress_bar=False, cwd=str(ROOT / "notebooks"))
    nb = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert "satisfaction_globale" in json.dumps(outputs)


def test_an_edit_saved_in_jupyterlab_reaches_the_published_report(isolated_env, tmp_path):
    """The analyst's loop: save from JupyterLab (jupytext contents manager), run one report, see it."""
    from jupytext import TextFileContentsManager

    from ducos_lib.runner import run_milestone

    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    cm = TextFileContentsManager(root_dir=str(notebooks))
    model = cm.get("01_enquete_usagers.ipynb")
    cells = model["content"]["cells"]
    heading = next(c for c in cells if c["cell_type"] == "markdown" and c["source"].startswith("## Qui a répondu"))
    heading["source"] = heading["source"].replace("## Qui a répondu ?", "## Profil des répondants (titre modifié)")
    chart = next(c for c in cells if c["cell_type"] == "code" and "title=f\"Qui a répondu ?" in c["source"])
    chart["source"] = chart["source"].replace('title=f"Qui a répondu ?', 'title=f"Graphique modifié :')
    cm.save(model, "01_enquete_usagers.ipynb")
    script = (notebooks / "01_enquete_usagers.py").read_text(encoding="utf-8")
    assert "# ## Profil des répondants (titre modifié)" in script and "Graphique modifié" in script  # pair saved

    run = run_milestone("T12", SAMPLE, tmp_path / "out", only=["01_enquete_usagers"], force=True,
                        notebooks_dir=notebooks, echo=lambda _: None)
    assert run.exit_code == 0
    html = (tmp_path / "out" / "T12" / "01_enquete_usagers.html").read_text(encoding="utf-8")
    assert "Profil des répondants (titre modifié)" in html and "Qui a répondu ?</h2>" not in html
    assert (notebooks / "01_enquete_usagers.py").read_text(encoding="utf-8") == script  # not regenerated
