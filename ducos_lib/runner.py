"""Milestone runner: ingest, execute the report notebooks in parallel, publish HTML and tables.

Each notebook runs with papermill in its own kernel process, into a staging folder of its own;
only a notebook that succeeds publishes its HTML and tables into ``OUT/<milestone>/``, so one failing
notebook neither stops the others nor replaces what was published before (DESIGN §7).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from .config import CONFIG_DIR, NOTEBOOKS_DIR, ROOT, load_config
from .ingest import IngestionReport, code_version, ingest
from .io import InputError, write_text
from .reports.export import export_html
from .reports.formats import number

TITLES = {
    "00_qualite_donnees": "Qualité des données",
    "01_enquete_usagers": "Enquête auprès des usagers",
    "02_immersions": "Immersions des encadrants",
    "03_rh_gpec": "Ressources humaines et GPEC",
    "04_qualite_performance": "Qualité de service et performance",
    "05_pratiques_manageriales": "Pratiques managériales",
    "06_bilan_programme": "Bilan du programme",
    "07_barometre_agents": "Baromètre des agents",
}


@dataclass
class NotebookResult:
    name: str
    titre: str
    statut: str  # "ok", "echec", "inchange"
    duree_s: float = 0.0
    html: str | None = None
    tables: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    empreinte: str = ""
    erreur: str | None = None
    notebook_execute: str | None = None


@dataclass
class RunResult:
    milestone: str
    out_dir: Path
    notebooks: list[NotebookResult]
    ingestion: IngestionReport
    duree_s: float

    @property
    def exit_code(self) -> int:
        if not self.ingestion.ok:
            return 2
        return 1 if any(n.statut == "echec" for n in self.notebooks) else 0


def notebooks_for(milestone: str, only: list[str] | None = None, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The report notebooks a milestone runs (``config/observatoire.yml``), optionally filtered."""
    configured = load_config()["notebooks"]
    names = [n for n, milestones in configured.items() if milestone in milestones]
    if only:
        unknown = [o for o in only if o not in configured]
        if unknown:
            raise InputError(f"Notebook inconnu : {', '.join(unknown)} (connus : {', '.join(configured)}).")
        names = [n for n in names if n in only]
    return [notebooks_dir / f"{n}.ipynb" for n in names]


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _fingerprint(notebook: Path, parameters: dict, ingestion: IngestionReport, version: str) -> str:
    h = hashlib.sha256(notebook.read_bytes())
    h.update(version.encode())
    for path in sorted(CONFIG_DIR.glob("*.yml")):
        h.update(path.read_bytes())
    h.update(ingestion.fingerprint.encode())
    h.update(json.dumps(parameters, sort_keys=True).encode())
    return h.hexdigest()


def _previous_manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _execute(notebook: Path, staging: Path, parameters: dict, kernel: str, timeout: int) -> None:
    import papermill

    papermill.execute_notebook(
        str(notebook), str(staging / notebook.name), parameters=parameters, kernel_name=kernel,
        execution_timeout=timeout, progress_bar=False, cwd=str(notebook.parent), log_output=False,
        report_mode=False,
        # the kernel's own start-up warnings are noise on the console; cell errors stay in the notebook
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )


def _run_one(notebook: Path, milestone: str, raw_dir: Path, out: Path, kernel: str, timeout: int,
             fingerprint: str) -> NotebookResult:
    name = notebook.stem
    staging = out / ".en_cours" / name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    parameters = {"milestone": milestone, "raw_dir": str(raw_dir), "out_dir": str(staging)}
    start = time.perf_counter()
    result = NotebookResult(name, TITLES.get(name, name), "ok", empreinte=fingerprint)
    executed_dir = out / "notebooks_executes"
    executed_dir.mkdir(parents=True, exist_ok=True)
    try:
        _execute(notebook, staging, parameters, kernel, timeout)
        export_html(staging / notebook.name, staging / f"{name}.html", title=result.titre)
    except Exception as exc:  # noqa: BLE001 - isolate any failure of one notebook
        result.statut = "echec"
        result.erreur = _short_error(exc)
    result.duree_s = round(time.perf_counter() - start, 2)
    if (staging / notebook.name).exists():
        shutil.move(staging / notebook.name, executed_dir / notebook.name)
        result.notebook_execute = f"notebooks_executes/{notebook.name}"
    if result.statut == "ok":
        result.html = f"{name}.html"
        os.replace(staging / result.html, out / result.html)
        tables = sorted((staging / "tables").glob("*.csv")) if (staging / "tables").exists() else []
        (out / "tables").mkdir(exist_ok=True)
        for table in tables:
            os.replace(table, out / "tables" / table.name)
        result.tables = [f"tables/{t.name}" for t in tables]
        for extra in sorted(staging.glob("*.html")):  # pages a notebook renders itself (e.g. the guide)
            os.replace(extra, out / extra.name)
            result.pages.append(extra.name)
    shutil.rmtree(staging, ignore_errors=True)
    return result


def _short_error(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    # papermill puts the exception type and message on its last lines
    return " ".join(lines[-3:])[:600] if lines else traceback.format_exception_only(type(exc), exc)[-1]


def run_milestone(
    milestone: str,
    raw_dir: Path | str,
    out_dir: Path | str,
    *,
    only: list[str] | None = None,
    jobs: int | None = None,
    timeout: int | None = None,
    force: bool = False,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    echo: Callable[[str], None] = print,
) -> RunResult:
    """Run every report notebook of a milestone and publish ``OUT/<milestone>/``.

    Parameters
    ----------
    milestone : {"T0", "T6", "T12"}
    raw_dir, out_dir : path
        Raw input folder (never written to) and output root.
    only : list of str, optional
        Notebook names to run (others keep their previous output).
    jobs : int, optional
        Notebooks executed at once (default ``execution.jobs``).
    timeout : int, optional
        Per-cell timeout in seconds (default ``execution.timeout_cellule_s``).
    force : bool
        Re-run notebooks whose inputs and code are unchanged.
    """
    settings = load_config()["execution"]
    jobs = jobs or settings["jobs"]
    timeout = timeout or settings["timeout_cellule_s"]
    raw_dir, out = Path(raw_dir).resolve(), Path(out_dir).resolve() / milestone
    start = time.perf_counter()
    ingestion = ingest(raw_dir)
    echo(f"Ingestion de {raw_dir} : " + ("données inchangées, reprise du traitement précédent" if ingestion.reused
         else "terminée") + ("" if ingestion.ok else " avec des erreurs"))
    for message in ingestion.errors:
        echo(f"  ERREUR {message}")
    out.mkdir(parents=True, exist_ok=True)
    version = code_version()
    previous = {n["name"]: n for n in _previous_manifest(out).get("notebooks", [])}
    notebooks = notebooks_for(milestone, only, Path(notebooks_dir))
    results: dict[str, NotebookResult] = {}
    todo = []
    for nb in notebooks:
        if not nb.exists():
            results[nb.stem] = NotebookResult(nb.stem, TITLES.get(nb.stem, nb.stem), "echec",
                                              erreur=f"notebook introuvable : {nb}")
            continue
        params = {"milestone": milestone, "raw_dir": str(raw_dir)}
        fp = _fingerprint(nb, params, ingestion, version)
        old = previous.get(nb.stem)
        if not force and old and old.get("empreinte") == fp and old.get("statut") in ("ok", "inchange") \
                and (out / f"{nb.stem}.html").exists():
            results[nb.stem] = NotebookResult(**{**old, "statut": "inchange"})
        else:
            todo.append((nb, fp))
    total = len(notebooks)
    done = 0
    for name, res in results.items():
        done += 1
        echo(f"[{done}/{total}] {name} : " + ("inchangé, rapport conservé" if res.statut == "inchange"
                                             else f"ÉCHEC — {res.erreur}"))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(_run_one, nb, milestone, raw_dir, out, settings["kernel"], timeout, fp): nb
                   for nb, fp in todo}
        for future in as_completed(futures):
            res = future.result()
            results[res.name] = res
            done += 1
            status = {"ok": "réussi", "echec": "ÉCHEC"}[res.statut]
            extra = f" — {res.erreur}" if res.erreur else ""
            echo(f"[{done}/{total}] {res.name} : {status} en {number(res.duree_s, 1)} s{extra}")
    shutil.rmtree(out / ".en_cours", ignore_errors=True)
    ordered = [results[nb.stem] for nb in notebooks]
    # notebooks not run this time (--only) keep their previous entry
    kept = [NotebookResult(**n) for name, n in previous.items() if name not in results]
    run = RunResult(milestone, out, ordered + kept, ingestion, round(time.perf_counter() - start, 2))
    write_manifest(run, raw_dir, version, jobs, timeout)
    from .synthesis import write_index

    write_index(run)
    return run


def write_manifest(run: RunResult, raw_dir: Path, version: str, jobs: int, timeout: int) -> None:
    manifest = {
        "jalon": run.milestone,
        "date_execution": datetime.now().isoformat(timespec="seconds"),
        "version_code": version,
        "commit_git": git_commit(),
        "parametres": {"milestone": run.milestone, "raw_dir": str(raw_dir), "out_dir": str(run.out_dir.parent),
                       "jobs": jobs, "timeout_cellule_s": timeout},
        "entrees": [
            {"jeu": d.dataset, "fichier": d.fichier, "sha256": d.sha256, "statut": d.statut,
             "lignes": d.n_lignes, "acceptees": d.n_acceptees, "rejetees": d.n_rejetees}
            for d in run.ingestion.datasets.values()
        ],
        "duree_totale_s": run.duree_s,
        "notebooks": [asdict(n) for n in run.notebooks],
        "code_sortie": run.exit_code,
    }
    write_text(json.dumps(manifest, ensure_ascii=False, indent=2), run.out_dir / "manifest.json")
