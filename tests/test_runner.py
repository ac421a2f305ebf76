"""The milestone runner end to end on the sample data, failure isolation, direct papermill runs."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, SAMPLE, SOURCES_BEFORE_RUNS, source_notebook_hashes

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("milestones")]


def test_t0_outputs(milestone_runs):
    out, runs = milestone_runs
    run = runs["T0"]
    folder = out / "T0"
    assert run.exit_code == 0, [(n.name, n.erreur) for n in run.notebooks if n.statut == "echec"]
    from ducos_lib.runner import notebook_specs

    names = [n.name for n in run.notebooks]
    assert names == [s.name for s in notebook_specs()]  # every report; 3 immersion forms precede T0 in the sample
    assert "02_immersions" in names
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["jalon"] == "T0" and manifest["code_sortie"] == 0 and manifest["diffusion"] == "copil"
    assert manifest["version"] == folder.resolve().parent.name  # OUT/T0 is the published version
    assert manifest["instantane"] == str(run.ingestion.processed_dir)  # the one ingestion every kernel read
    assert Path(manifest["instantane"]).name.startswith("sample-")  # keyed by the raw folder's content
    assert "Versions PDF non produites pour cette exécution" in (folder / "index.html").read_text(encoding="utf-8")
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
    """Without a milestone a notebook reports on the last milestone of the raw folder's calendar."""
    out = tmp_path / "rapport"
    cmd = [sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "00_qualite_donnees.ipynb"),
           str(tmp_path / "out.ipynb"), "-k", "python3", "-p", "raw_dir", str(SAMPLE),
           "-p", "out_dir", str(out), "--no-progress-bar"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=tmp_path)
    assert (out / "tables" / "qualite_fichiers.csv").exists()
    executed = (tmp_path / "out.ipynb").read_text(encoding="utf-8")
    assert "Qualité des données — jalon T12" in executed and "jalon T6" not in executed


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


# --- the runner's mechanics with small stand-in notebooks (real kernels, seconds instead of minutes) ----

STAND_IN = '''import json, os, time
from pathlib import Path
from IPython.display import HTML, display
out = Path(out_dir)
(out / "tables").mkdir(parents=True, exist_ok=True)
missing = [t for t in {needs!r} if not (out / "tables" / t).exists()]
if missing:
    raise RuntimeError(f"tableaux absents : {{missing}}")
read = {{t: (out / "tables" / t).read_text(encoding="utf-8") for t in {needs!r}}}
start = time.time()
time.sleep(0.3)
(out / "tables" / "{name}.csv").write_text(
    "notebook,jalon,diffusion,instantane,debut,fin,lu\\n"
    f"{name},{{milestone}},{{diffusion}},{{os.environ.get('DUCOS_SNAPSHOT', '')}},{{start}},{{time.time()}},"
    f"{{len(read)}}\\n", encoding="utf-8")
if {page!r}:
    (out / "{page}").write_text("<!DOCTYPE html><html lang=\\"fr\\"><head><meta charset=\\"utf-8\\"><title>Guide</title>"
                                "</head><body><h1>Guide</h1></body></html>", encoding="utf-8")
display(HTML(f"<h2>{name}</h2><p>Rapport {name}, jalon {{milestone}}.</p>"))
'''


def stand_in_notebooks(folder: Path, fail: str | None = None) -> Path:
    """One tiny notebook per configured report: it writes a table saying when it ran, what it saw."""
    import nbformat

    from ducos_lib.runner import notebook_specs

    folder.mkdir(parents=True, exist_ok=True)
    for spec in notebook_specs():
        params = nbformat.v4.new_code_cell('milestone = "X"\nraw_dir = None\nout_dir = None\ndiffusion = "copil"')
        params.metadata["tags"] = ["parameters"]
        needs = [f"{d}.csv" for d in spec.depends_on]
        page = "guide_pratiques.html" if spec.name.startswith("05") else ""
        body = "raise RuntimeError('panne volontaire')" if spec.name == fail else \
            STAND_IN.format(name=spec.name, needs=needs, page=page)
        nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(body)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, str(folder / f"{spec.name}.ipynb"))
    return folder


def stand_in_table(folder: Path, name: str) -> dict:
    return pd.read_csv(folder / "tables" / f"{name}.csv").iloc[0].to_dict()


@pytest.fixture
def stand_ins(isolated_env, tmp_path):
    return stand_in_notebooks(tmp_path / "notebooks")


def test_dependent_notebook_runs_after_and_reads_its_inputs(stand_ins, tmp_path):
    from ducos_lib.runner import notebook_specs, run_milestone

    assert notebook_specs()[4].depends_on == ("01_enquete_usagers", "03_rh_gpec")
    lines = []
    run = run_milestone("T12", SAMPLE, tmp_path / "out", notebooks_dir=stand_ins, pdf=False, echo=lines.append)
    assert run.exit_code == 0, [(n.name, n.erreur) for n in run.notebooks]
    folder = tmp_path / "out" / "T12"
    rows = {n.name: stand_in_table(folder, n.name) for n in run.notebooks}
    dependent = rows["04_qualite_performance"]
    assert dependent["lu"] == 2  # it found both tables in its out_dir/tables
    assert dependent["debut"] >= max(rows["01_enquete_usagers"]["fin"], rows["03_rh_gpec"]["fin"])
    assert {r["instantane"] for r in rows.values()} == {str(run.ingestion.processed_dir)}  # DUCOS_SNAPSHOT
    assert all(0 < n.cpu_s < n.duree_s + 5 for n in run.notebooks)  # each kernel's CPU time, for the bench
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = next(n for n in manifest["notebooks"] if n["name"] == "04_qualite_performance")
    assert entry["tables"] == ["tables/04_qualite_performance.csv"]  # not the tables it only read
    total = len(run.notebooks)
    assert [line for line in lines if line.startswith("[")][-1].startswith(f"[{total}/{total}]")


def test_only_builds_from_the_previous_publication(stand_ins, tmp_path):
    from ducos_lib.runner import run_milestone

    out = tmp_path / "out"
    first = run_milestone("T12", SAMPLE, out, notebooks_dir=stand_ins, pdf=False, echo=lambda _: None)
    before = {n.name: stand_in_table(out / "T12", n.name) for n in first.notebooks}
    lines = []
    run = run_milestone("T12", SAMPLE, out, only=["01_enquete_usagers"], force=True, notebooks_dir=stand_ins,
                        pdf=False, echo=lines.append)
    after = {n.name: stand_in_table(out / "T12", n.name) for n in run.notebooks}
    assert after["01_enquete_usagers"]["debut"] > before["01_enquete_usagers"]["debut"]
    assert after["00_qualite_donnees"] == before["00_qualite_donnees"]  # kept from the previous version
    # 04 reads 01's table, which changed (it records when it ran): 04 runs again, and says why
    assert after["04_qualite_performance"]["debut"] > after["01_enquete_usagers"]["fin"]
    assert any("04_qualite_performance : réussi" in line and "il lit les tableaux de 01_enquete_usagers" in line
               for line in lines)
    manifest = json.loads((out / "T12" / "manifest.json").read_text(encoding="utf-8"))
    assert [n["name"] for n in manifest["notebooks"]] == list(after)  # every report, in the configured order
    index = (out / "T12" / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{n.html}"' in index for n in run.notebooks)
    assert len(list((out / ".versions").glob("T12-*"))) == 2  # the new version and the one it replaced


def test_a_failing_upstream_keeps_its_dependent_unrun(isolated_env, tmp_path):
    from ducos_lib.runner import run_milestone

    notebooks = stand_in_notebooks(tmp_path / "notebooks", fail="03_rh_gpec")
    run = run_milestone("T12", SAMPLE, tmp_path / "out", notebooks_dir=notebooks, pdf=False, echo=lambda _: None)
    status = {n.name: n for n in run.notebooks}
    assert status["03_rh_gpec"].statut == "echec" and "panne volontaire" in status["03_rh_gpec"].erreur
    assert status["04_qualite_performance"].statut == "echec"
    assert "03_rh_gpec en échec" in status["04_qualite_performance"].erreur
    assert status["01_enquete_usagers"].statut == "ok" and run.exit_code == 1


def test_restricted_level_banners_every_page_in_its_own_folder(stand_ins, tmp_path):
    from ducos_lib.runner import run_milestone

    out = tmp_path / "out"
    run_milestone("T12", SAMPLE, out, notebooks_dir=stand_ins, pdf=False, echo=lambda _: None)
    run = run_milestone("T12", SAMPLE, out, diffusion="restreinte", notebooks_dir=stand_ins, pdf=False,
                        echo=lambda _: None)
    restricted = out / "restreinte" / "T12"
    assert run.out_dir == out.resolve() / "restreinte" / "T12"
    pages = sorted(restricted.glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "guide_pratiques.html", "01_enquete_usagers.html"}
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "Diffusion restreinte" in text and "ne pas transmettre au comité de pilotage" in text, page.name
    for page in (out / "T12").glob("*.html"):
        assert "Diffusion restreinte" not in page.read_text(encoding="utf-8"), page.name
    assert stand_in_table(restricted, "03_rh_gpec")["diffusion"] == "restreinte"  # the parameter reached it
    assert stand_in_table(out / "T12", "03_rh_gpec")["diffusion"] == "copil"
    assert json.loads((restricted / "manifest.json").read_text(encoding="utf-8"))["diffusion"] == "restreinte"
    assert "diffusion restreinte" in (restricted / "index.html").read_text(encoding="utf-8")  # its title


def open_calendar(monkeypatch, names: list[str]) -> None:
    """Let the calendar's ``jalon`` column take these names too, as long as config/schemas.yml lists the
    allowed values (the ingestion owner frees it, issue 16 item 3; the runner itself never lists them)."""
    import copy

    from ducos_lib import ingest, validation

    schemas = copy.deepcopy(validation.schema_config())
    column = schemas["datasets"]["calendrier"]["colonnes"]["jalon"]
    if "valeurs" in column:
        column["valeurs"] = [*column["valeurs"], *names]
    monkeypatch.setattr(ingest, "schema_config", lambda config_dir=None: schemas)
    monkeypatch.setattr(validation, "schema_config", lambda config_dir=None: schemas)


def test_milestones_come_from_the_calendar(stand_ins, tmp_path, monkeypatch):
    """A calendar with T18 and a second cycle: every milestone runs and is due, none named in the code."""
    from ducos_lib.runner import run_milestone
    from ducos_lib.schedule import due_milestones

    open_calendar(monkeypatch, ["T18", "C2-T0"])
    raw = tmp_path / "deux_cycles"
    shutil.copytree(SAMPLE, raw)
    with open(raw / "calendrier.csv", "a", encoding="utf-8") as fh:
        fh.write("T18,2027-05-14\nC2-T0,2027-11-12\n")
    run = run_milestone("C2-T0", raw, tmp_path / "out", notebooks_dir=stand_ins, pdf=False, echo=lambda _: None)
    assert run.exit_code == 0 and (tmp_path / "out" / "C2-T0" / "index.html").exists()
    assert stand_in_table(tmp_path / "out" / "C2-T0", "01_enquete_usagers")["jalon"] == "C2-T0"
    due = due_milestones(raw, tmp_path / "out", "2028-01-01")
    assert [d.milestone for d in due] == ["T0", "T6", "T12", "T18"]  # C2-T0 is published and fresh
    from ducos_lib.io import InputError

    with pytest.raises(InputError, match="jalons du calendrier : T0, T6, T12, T18, C2-T0"):
        run_milestone("T24", raw, tmp_path / "out", notebooks_dir=stand_ins, echo=lambda _: None)


def test_a_report_needing_data_waits_for_its_first_milestone(stand_ins, tmp_path):
    from ducos_lib.runner import notebook_specs, run_milestone

    raw = tmp_path / "t0_precoce"
    shutil.copytree(SAMPLE, raw)
    calendar = (raw / "calendrier.csv").read_text(encoding="utf-8").replace("T0,2025-11-14", "T0,2025-10-01")
    (raw / "calendrier.csv").write_text(calendar, encoding="utf-8")  # before the first immersion form
    lines = []
    run = run_milestone("T0", raw, tmp_path / "out", notebooks_dir=stand_ins, pdf=False, echo=lines.append)
    assert "02_immersions" not in [n.name for n in run.notebooks] and len(run.notebooks) == len(notebook_specs()) - 1
    run = run_milestone("T0", raw, tmp_path / "out", only=["02_immersions"], notebooks_dir=stand_ins, pdf=False,
                        echo=lines.append)
    assert "02_immersions : sans objet au jalon T0 (aucune donnée « fiches_immersion »)." in lines


def test_without_chromium_the_index_says_so(stand_ins, tmp_path, monkeypatch):
    from ducos_lib.reports import export
    from ducos_lib.runner import run_milestone

    monkeypatch.setattr(export, "find_chromium", lambda configured=None: None)
    run = run_milestone("T12", SAMPLE, tmp_path / "out", notebooks_dir=stand_ins, echo=lambda _: None)
    assert run.exit_code == 0
    index = html.unescape((tmp_path / "out" / "T12" / "index.html").read_text(encoding="utf-8"))
    assert "Versions PDF non produites : aucun navigateur Chromium n'est installé" in index
    assert not list((tmp_path / "out" / "T12").glob("*.pdf"))


def test_configuration_errors_are_named(tmp_path):
    from ducos_lib.io import InputError
    from ducos_lib.runner import notebook_specs

    with pytest.raises(InputError, match="depend_de : notebook inconnu 99_absent"):
        notebook_specs({"notebooks": {"a": {"depend_de": ["99_absent"]}}})
    with pytest.raises(InputError, match="dépendances circulaires entre a, b"):
        notebook_specs({"notebooks": {"a": {"depend_de": "b"}, "b": {"depend_de": ["a"]}}})
    with pytest.raises(InputError, match="Notebook inconnu : 99_absent"):
        from ducos_lib.runner import run_milestone

        run_milestone("T12", SAMPLE, tmp_path, only=["99_absent"], echo=lambda _: None)


def test_the_runner_names_no_milestone():
    """Milestones come from the calendar: no T0/T6/T12 in the runner, scheduler, command line or config."""
    import re

    files = [ROOT / "ducos_lib" / f for f in ("runner.py", "schedule.py", "publication.py", "cli.py",
                                              "survey/tables.py", "reports/page.py")]
    files += [ROOT / "config" / "observatoire.yml", *sorted((ROOT / "notebooks").glob("0*.py"))]
    assert len(files) > 12
    named = [f.name for f in files if re.search(r"(?<![\w-])T(0|6|12)(?![\w-])", f.read_text(encoding="utf-8"))]
    assert named == []


def test_a_second_cycle_milestone_runs_from_its_calendar(isolated_env, tmp_path):
    """The committed second cycle (C2-T0 …): every report runs at C2-T6 from the calendar alone, and its
    comparisons start at the cycle's first milestone."""
    from ducos_lib.runner import run_milestone

    raw = ROOT / "data" / "raw" / "sample_cycle2"
    run = run_milestone("C2-T6", raw, tmp_path / "out", jobs=2, pdf=False, echo=lambda _: None)
    assert run.exit_code == 0, [(n.name, n.erreur) for n in run.notebooks if n.statut == "echec"]
    tables = tmp_path / "out" / "C2-T6" / "tables"
    estimations = pd.read_csv(tables / "enquete_estimations.csv")
    assert sorted(estimations["vague"].unique()) == ["C2-T0", "C2-T6"]
    comparisons = pd.read_csv(tables / "enquete_comparaisons.csv")
    assert set(zip(comparisons["vague_a"], comparisons["vague_b"])) == {("C2-T0", "C2-T6")}
    bilan = pd.read_csv(tables / "bilan_objectifs.csv")
    assert len(bilan) and set(bilan["jalon_reference"].dropna()) <= {"C2-T0"}
