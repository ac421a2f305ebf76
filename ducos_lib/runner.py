"""Milestone runner: ingest once, execute the report notebooks in parallel, publish the milestone whole.

A run ingests the raw folder once and hands the processed snapshot to every notebook's kernel
(``DUCOS_SNAPSHOT``). It builds a new version of ``OUT/<M>/`` aside — the previous publication's files
plus what it runs — with the index, the manifest and the PDFs, then switches to it in one rename
(:mod:`ducos_lib.publication`). Each notebook runs in its own kernel and scratch folder: one that
fails publishes nothing and keeps its previous report (DESIGN §7); a notebook that reads others'
tables (``depend_de`` in ``config/observatoire.yml``) runs after them and finds them in
``out_dir/tables/``. SIGTERM and SIGINT stop the kernels and drop the unfinished version.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from . import publication
from .config import CONFIG_DIR, NOTEBOOKS_DIR, ROOT, load_config
from .ingest import SNAPSHOT_ENV, IngestionReport, code_version, ingest
from .io import InputError, sha256_file, write_text
from .reports import export
from .reports.formats import date, number

#: The processed folder a run ingested, for the notebooks' kernels (read by ``ingest.load_milestone``).
#: Each notebook's own output folder while it runs, inside the version being built (removed before publication).
SCRATCH = ".travail"


@dataclass(frozen=True)
class NotebookSpec:
    """One report notebook of ``config/observatoire.yml`` (``notebooks:``).

    Attributes
    ----------
    name : str
        Notebook stem (``notebooks/<name>.ipynb``).
    title : str
        The report's title in the index (``titre``).
    requires : str or None
        A dataset the report needs (``requiert``): it runs from the first milestone whose data hold
        rows of it.
    depends_on : tuple of str
        Notebooks whose tables it reads from ``out_dir/tables/`` (``depend_de``).
    """

    name: str
    title: str
    requires: str | None = None
    depends_on: tuple[str, ...] = ()


@dataclass
class NotebookResult:
    name: str
    titre: str
    statut: str  # "ok", "echec", "inchange"
    duree_s: float = 0.0
    cpu_s: float | None = None  # the kernel's CPU time: what the notebook costs on an idle machine
    html: str | None = None
    tables: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    pdfs: list[str] = field(default_factory=list)
    empreinte: str = ""
    erreur: str | None = None
    notebook_execute: str | None = None
    motif: str | None = None

    @classmethod
    def from_manifest(cls, entry: dict) -> "NotebookResult":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in entry.items() if k in known})


@dataclass
class RunResult:
    milestone: str
    out_dir: Path
    notebooks: list[NotebookResult]
    ingestion: IngestionReport
    duree_s: float
    diffusion: str = "copil"
    pdf_note: str | None = None

    @property
    def exit_code(self) -> int:
        if not self.ingestion.ok:
            return 2
        return 1 if any(n.statut == "echec" for n in self.notebooks) else 0


class RunInterrupted(KeyboardInterrupt):
    """SIGTERM or SIGINT stopped a run; the previous publication is untouched."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        self.exit_code = 128 + signum
        self.published = False  # True when the signal came during the switch, which was completed first


# --- configuration -----------------------------------------------------------------------------------

def notebook_specs(config: dict | None = None) -> list[NotebookSpec]:
    """The report notebooks, in the configured order, with their rules; checks ``depend_de``."""
    configured = (config or load_config())["notebooks"]
    specs = []
    for name, entry in configured.items():
        entry = entry or {}
        if not isinstance(entry, dict):
            raise InputError(f"config/observatoire.yml, notebooks.{name} : attendu titre, requiert et depend_de, "
                             f"trouvé « {entry} ».")
        depends = entry.get("depend_de") or []
        specs.append(NotebookSpec(name, entry.get("titre", name), entry.get("requiert"),
                                  tuple([depends] if isinstance(depends, str) else depends)))
    names = {s.name for s in specs}
    for spec in specs:
        unknown = [d for d in spec.depends_on if d not in names]
        if unknown:
            raise InputError(f"config/observatoire.yml, notebooks.{spec.name}.depend_de : notebook inconnu "
                             f"{', '.join(unknown)} (connus : {', '.join(names)}).")
    _check_acyclic(specs)
    return specs


def _check_acyclic(specs: list[NotebookSpec]) -> None:
    deps = {s.name: set(s.depends_on) for s in specs}
    done: set[str] = set()
    while len(done) < len(deps):
        ready = [n for n, d in deps.items() if n not in done and d <= done]
        if not ready:
            raise InputError("config/observatoire.yml : dépendances circulaires entre "
                             + ", ".join(sorted(set(deps) - done)) + ".")
        done.update(ready)


def milestone_dates(ingestion: IngestionReport) -> dict[str, pd.Timestamp]:
    """The calendar's milestones and dates, in date order (``calendrier.csv`` is the only source)."""
    state = ingestion.datasets.get("calendrier")
    path = ingestion.processed_dir / "calendrier.parquet"
    if state is None or state.statut != "ok" or not path.exists():
        raise InputError((state.message if state is not None else None) or "calendrier indisponible : "
                         "le fichier calendrier.csv (jalon, date) est requis.")
    calendar = pd.read_parquet(path).sort_values("date", kind="stable")
    return {str(j): pd.Timestamp(d) for j, d in zip(calendar["jalon"], calendar["date"])}


def _available(milestone: str, ingestion: IngestionReport, needed: set[str]) -> dict[str, bool]:
    """Whether the milestone's data hold rows of each needed dataset (``requiert``)."""
    if not needed:
        return {}
    from .ingest import load_milestone

    try:
        data = load_milestone(milestone, ingestion.raw_dir, ingestion=ingestion)
    except InputError:
        return {name: True for name in needed}  # the notebooks will say what is wrong
    return {name: getattr(data, name, None) is not None and len(getattr(data, name)) > 0 for name in needed}


# --- child processes and signals ----------------------------------------------------------------------

class _Children:
    """Kernels and browsers started by a run, so that an interruption can stop them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: set[int] = set()
        self.stopping = False

    def add(self, pgid: int) -> None:
        with self._lock:
            if self.stopping:
                _kill_group(pgid)
                raise RuntimeError("exécution interrompue")
            self._groups.add(pgid)

    def remove(self, pgid: int) -> None:
        with self._lock:
            self._groups.discard(pgid)

    def stop_all(self) -> None:
        with self._lock:
            self.stopping = True
            for pgid in self._groups:
                _kill_group(pgid)
            self._groups.clear()


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass


@contextmanager
def _signals() -> Iterator[dict]:
    """SIGTERM and SIGINT raise :class:`RunInterrupted` in the main thread, unless deferred.

    ``state["defer"] = True`` holds them back (publication switch, clean-up); they are raised by
    :func:`_undefer` afterwards.
    """
    state: dict = {"defer": False, "pending": None}
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def handler(signum, frame):
        if state["defer"]:
            state["pending"] = state["pending"] or signum
            return
        raise RunInterrupted(signum)

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield state
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _undefer(state: dict) -> None:
    state["defer"] = False
    if state["pending"]:
        raise RunInterrupted(state["pending"])


# --- one notebook ---------------------------------------------------------------------------------------

def _engine() -> str:
    """A papermill engine that runs the notebook in a kernel the runner can stop, and cleans it up."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class RunnerEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            client = PapermillNotebookClient(
                nb_man, km=kwargs["km"], timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, shutdown_kernel="immediate",
                extra_arguments=["--IPKernelApp.log_level=ERROR"])
            return client.execute(cleanup_kc=True, **kwargs["launch"])

    papermill_engines.register("ducos", RunnerEngine)
    return "ducos"


def _kernel_manager(kernel: str, children: _Children, sockets: Path):
    """An async kernel manager (nbclient notices a dead kernel) that reports its process group.

    The kernel talks over Unix sockets in ``sockets``: no TCP port to pick, so kernels started at the
    same moment by other processes cannot take each other's ports (a kernel then dies at start-up).
    """
    from jupyter_client import AsyncKernelManager

    class RunnerKernelManager(AsyncKernelManager):
        cpu_s: float | None = None

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            await super()._async_launch_kernel(kernel_cmd, **kw)
            children.add(self.provisioner.pgid)  # stopped at once if the run is being interrupted

        async def shutdown_kernel(self, now=False, restart=False):
            self.cpu_s = _cpu_seconds(self.provisioner.pid) if self.provisioner else None
            await super().shutdown_kernel(now=now, restart=restart)

    return RunnerKernelManager(kernel_name=kernel, transport="ipc", ip=str(sockets / "noyau"))


def _cpu_seconds(pid: int | None) -> float | None:
    """CPU time (user + system) of a live process, from /proc (None elsewhere): the notebook's cost on
    an idle machine, whatever the load when it ran."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, ValueError, IndexError, TypeError):
        return None


def _execute(notebook: Path, output: Path, parameters: dict, kernel: str, timeout: int, env: dict,
             children: _Children) -> float | None:
    """Run one notebook with papermill in a kernel of its own, whose output goes to a log file.

    The kernel's own messages (start-up warnings, interruption tracebacks) are for the analyst: they
    go to ``<output>.noyau.log``, never to the console or cron's mail. Returns the kernel's CPU seconds.
    """
    import papermill

    sockets = Path(tempfile.mkdtemp(prefix="ducos-"))  # short: a Unix socket path has ~100 characters
    km = _kernel_manager(kernel, children, sockets)
    try:
        with open(output.with_suffix(".noyau.log"), "ab") as log:
            papermill.execute_notebook(
                str(notebook), str(output), parameters=parameters, engine_name=_engine(), kernel_name=kernel,
                execution_timeout=timeout, progress_bar=False, log_output=False, report_mode=False,
                request_save_on_cell_execute=False, km=km,
                launch={"env": env, "cwd": str(notebook.parent), "stdout": log, "stderr": log},
            )
    finally:
        pgid = getattr(km.provisioner, "pgid", None) if km.provisioner is not None else None
        if pgid:
            children.remove(pgid)
            if km.has_kernel:
                _kill_group(pgid)
        shutil.rmtree(sockets, ignore_errors=True)
    return km.cpu_s


def _short_error(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    # papermill puts the exception type and message on its last lines
    return " ".join(lines[-3:])[:600] if lines else traceback.format_exception_only(type(exc), exc)[-1]


@dataclass
class _Job:
    spec: NotebookSpec
    notebook: Path
    fingerprint: str
    motif: str
    seeded: dict[str, str] = field(default_factory=dict)  # upstream tables copied in: name → sha256


# --- a milestone ------------------------------------------------------------------------------------------

class _Build:
    """Everything one run does inside the unfinished version folder."""

    def __init__(self, milestone, raw_dir, version, ingestion, specs, *, only, jobs, timeout, force, diffusion,
                 chromium, notebooks_dir, echo, kernel):
        self.milestone, self.raw_dir, self.version, self.ingestion = milestone, raw_dir, version, ingestion
        self.specs = {s.name: s for s in specs}
        self.order = [s.name for s in specs]
        self.only, self.jobs, self.timeout, self.force = only, jobs, timeout, force
        self.diffusion, self.chromium, self.kernel = diffusion, chromium, kernel
        self.notebooks_dir, self.echo = notebooks_dir, echo
        self.folder: Path = version.folder
        self.children = _Children()
        self.code = code_version()
        self.previous = {n["name"]: n for n in _manifest(self.folder).get("notebooks", [])}
        self.results: dict[str, NotebookResult] = {}
        self.ran: set[str] = set()  # notebooks executed by this run
        self.env = {**os.environ, SNAPSHOT_ENV: str(ingestion.processed_dir)}
        self.pdf_errors: list[str] = []
        self.pdf_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ducos-pdf")
        self.printing: dict[str, Future] = {}

    # planning
    def planned(self, available: dict[str, bool]) -> list[str]:
        names = []
        for name in self.order:
            spec = self.specs[name]
            if spec.requires and not available.get(spec.requires, True):
                if self.only and name in self.only:
                    self.echo(f"{name} : sans objet au jalon {self.milestone} (aucune donnée « {spec.requires} »).")
                continue
            names.append(name)
        return names

    def _fingerprint(self, spec: NotebookSpec, notebook: Path) -> str:
        h = hashlib.sha256(notebook.read_bytes())
        h.update(self.code.encode())
        for path in sorted(CONFIG_DIR.glob("*.yml")):
            h.update(path.read_bytes())
        h.update(self.ingestion.fingerprint.encode())
        params = {"milestone": self.milestone, "raw_dir": str(self.raw_dir), "diffusion": self.diffusion}
        h.update(json.dumps(params, sort_keys=True).encode())
        for dep in spec.depends_on:  # a report reading others' tables changes when they do
            for table in self._tables_of(dep):
                h.update(f"{table}:{sha256_file(self.folder / table)};".encode())
        return h.hexdigest()

    def _tables_of(self, name: str) -> list[str]:
        entry = self.results.get(name) or (NotebookResult.from_manifest(self.previous[name])
                                            if name in self.previous else None)
        return [t for t in (entry.tables if entry else []) if (self.folder / t).is_file()]

    def decide(self, name: str) -> _Job | None:
        """Run, keep or fail one notebook whose upstream notebooks are all settled."""
        spec = self.specs[name]
        notebook = self.notebooks_dir / f"{name}.ipynb"
        asked = not self.only or name in self.only
        old = self.previous.get(name)
        failed = [d for d in spec.depends_on if d in self.ran and self.results[d].statut == "echec"]
        if not notebook.exists():
            return self._settle(self._failed(name, f"notebook introuvable : {notebook}"))
        if failed and asked:
            return self._settle(self._failed(name, f"non exécuté : {', '.join(failed)} en échec (il lit leurs tableaux)"))
        fingerprint = self._fingerprint(spec, notebook)
        rerun_upstream = [d for d in spec.depends_on if d in self.ran and self.results[d].statut == "ok"]
        if not asked:
            if old and rerun_upstream and old.get("empreinte") != fingerprint and not failed:
                return _Job(spec, notebook, fingerprint, f"relancé : il lit les tableaux de {', '.join(rerun_upstream)}")
            return self._settle(NotebookResult.from_manifest(old)) if old else None
        unchanged = (old and old.get("empreinte") == fingerprint and old.get("statut") in ("ok", "inchange")
                     and (self.folder / f"{name}.html").exists())
        if unchanged and not self.force:
            return self._settle(NotebookResult.from_manifest({**old, "statut": "inchange", "motif": None}))
        return _Job(spec, notebook, fingerprint, "demandé")

    def _failed(self, name: str, error: str) -> NotebookResult:
        """A failure keeps the previous report, its tables and PDFs in place (listed as before)."""
        old = NotebookResult.from_manifest(self.previous[name]) if name in self.previous else None
        return NotebookResult(name, self.specs[name].title, "echec", erreur=error,
                              tables=old.tables if old else [], pages=old.pages if old else [],
                              pdfs=old.pdfs if old else [])

    def _settle(self, result: NotebookResult) -> None:
        self.results[result.name] = result
        return None

    def asked(self, name: str) -> bool:
        return not self.only or name in self.only

    # execution
    def run_notebook(self, job: _Job) -> tuple[NotebookResult, Path]:
        """Worker thread: execute and export one notebook into its scratch folder."""
        name = job.spec.name
        # inside the milestone's folder being built, so that its ../<other milestone> are the published ones
        scratch = self.folder / SCRATCH / name
        shutil.rmtree(scratch, ignore_errors=True)
        (scratch / "tables").mkdir(parents=True)
        for dep in job.spec.depends_on:
            for table in self._tables_of(dep):
                shutil.copy2(self.folder / table, scratch / table)
                job.seeded[table] = sha256_file(scratch / table)
        parameters = {"milestone": self.milestone, "raw_dir": str(self.raw_dir), "out_dir": str(scratch),
                      "diffusion": self.diffusion}
        result = NotebookResult(name, job.spec.title, "ok", empreinte=job.fingerprint, motif=job.motif)
        start = time.perf_counter()
        try:
            if self.children.stopping:
                raise RuntimeError("exécution interrompue")
            result.cpu_s = _execute(job.notebook, scratch / f"{name}.ipynb", parameters, self.kernel, self.timeout,
                                    self.env, self.children)
            export.export_html(scratch / f"{name}.ipynb", scratch / f"{name}.html", title=job.spec.title,
                               diffusion=self.diffusion)
            if self.diffusion == "restreinte":
                for page in scratch.glob("*.html"):  # pages a notebook renders itself (e.g. the guide)
                    text = page.read_text(encoding="utf-8")
                    if not export.is_restricted(text):
                        write_text(export.mark_restricted(text), page)
        except Exception as exc:  # noqa: BLE001 - isolate any failure of one notebook
            result.statut = "echec"
            result.erreur = _short_error(exc)
        result.duree_s = round(time.perf_counter() - start, 2)
        return result, scratch

    def collect(self, result: NotebookResult, scratch: Path, job: _Job) -> None:
        """Main thread: move one notebook's outputs into the version (or keep its previous ones)."""
        name = result.name
        executed = self.folder / "notebooks_executes"
        executed.mkdir(exist_ok=True)
        if (scratch / f"{name}.ipynb").exists():
            os.replace(scratch / f"{name}.ipynb", executed / f"{name}.ipynb")
            result.notebook_execute = f"notebooks_executes/{name}.ipynb"
        log = scratch / f"{name}.noyau.log"
        if log.exists() and log.stat().st_size:
            os.replace(log, executed / log.name)
        if result.statut == "ok":
            self._drop_previous_files(name)
            result.html = f"{name}.html"
            os.replace(scratch / result.html, self.folder / result.html)
            (self.folder / "tables").mkdir(exist_ok=True)
            for table in sorted((scratch / "tables").glob("*.csv")):
                rel = f"tables/{table.name}"
                if job.seeded.get(rel) == sha256_file(table):
                    continue  # an upstream table it only read
                os.replace(table, self.folder / rel)
                result.tables.append(rel)
            for page in sorted(scratch.glob("*.html")):
                os.replace(page, self.folder / page.name)
                result.pages.append(page.name)
            for page in [result.html, *result.pages]:
                self.print_pdf(page)
        else:
            failed = self._failed(name, result.erreur or "échec")
            result.tables, result.pages, result.pdfs = failed.tables, failed.pages, failed.pdfs
        shutil.rmtree(scratch, ignore_errors=True)
        self.results[name] = result
        self.ran.add(name)

    def _drop_previous_files(self, name: str) -> None:
        old = self.previous.get(name)
        if not old:
            return
        for rel in [old.get("html"), *old.get("tables", []), *old.get("pages", []), *old.get("pdfs", [])]:
            if rel:
                (self.folder / rel).unlink(missing_ok=True)

    def execute(self, planned: list[str]) -> None:
        """Run the planned notebooks, each as soon as the notebooks whose tables it reads are settled."""
        pending = list(planned)
        settled: set[str] = set()
        total = sum(self.asked(n) for n in planned)
        count = 0
        order = {n: i for i, n in enumerate(self._priority(planned))}
        with ThreadPoolExecutor(max_workers=max(1, self.jobs), thread_name_prefix="ducos-nb") as pool:
            running: dict[Future, _Job] = {}
            try:
                while pending or running:
                    progress = False
                    for name in sorted(pending, key=order.get):
                        if any(d in planned and d not in settled for d in self.specs[name].depends_on):
                            continue
                        if len(running) >= max(1, self.jobs):
                            break  # a free kernel goes to the most urgent notebook ready at that time
                        pending.remove(name)
                        progress = True
                        job = self.decide(name)
                        if job is None:
                            settled.add(name)
                            if self.asked(name) and name in self.results:
                                count += 1
                                self._announce(f"[{count}/{total}] ", self.results[name])
                            continue
                        running[pool.submit(self.run_notebook, job)] = job
                    if not running:
                        if progress:
                            continue  # notebooks kept as they were may have freed others
                        break
                    finished, _ = wait(running, timeout=0.5, return_when=FIRST_COMPLETED)
                    for future in finished:
                        job = running.pop(future)
                        result, scratch = future.result()
                        self.collect(result, scratch, job)
                        settled.add(result.name)
                        if self.asked(result.name):
                            count += 1
                            self._announce(f"[{count}/{total}] ", result)
                        else:
                            self._announce("", result)
            except BaseException:
                self.stop()
                for future in running:
                    future.cancel()
                raise

    def _priority(self, planned: list[str]) -> list[str]:
        """Longest path to the end first: a notebook's last duration plus that of the longest chain of
        notebooks waiting for its tables (so 01, read by 04 and 06, starts before a longer lone one)."""
        duration = {n: float(self.previous.get(n, {}).get("duree_s") or 1) for n in planned}
        waiting = {n: [m for m in planned if n in self.specs[m].depends_on] for n in planned}
        path: dict[str, float] = {}

        def longest(name: str) -> float:
            if name not in path:
                path[name] = duration[name] + max((longest(m) for m in waiting[name]), default=0.0)
            return path[name]

        return sorted(planned, key=lambda n: (-longest(n), self.order.index(n)))

    def _announce(self, counter: str, res: NotebookResult) -> None:
        why = f" ({res.motif})" if res.motif and res.motif != "demandé" else ""
        if res.statut == "inchange":
            self.echo(f"{counter}{res.name} : inchangé, rapport conservé")
        elif res.statut == "echec":
            self.echo(f"{counter}{res.name} : ÉCHEC — {res.erreur}")
        else:
            self.echo(f"{counter}{res.name} : réussi en {number(res.duree_s, 1)} s{why}")

    # PDFs
    def print_pdf(self, page: str) -> None:
        """Queue one page of the version for printing (browsers run beside the kernels)."""
        if self.chromium and page not in self.printing:
            self.printing[page] = self.pdf_pool.submit(self._print_one, page)

    def _print_one(self, page: str) -> str | None:
        pdf = Path(page).with_suffix(".pdf").name
        browsers: list[int] = []

        def started(proc: subprocess.Popen) -> None:
            browsers.append(proc.pid)  # its own process group (start_new_session)
            self.children.add(proc.pid)

        try:
            export.print_pdf(self.folder / page, self.folder / pdf, self.chromium, started=started)
            return pdf
        except (export.PdfError, RuntimeError, OSError) as exc:
            self.pdf_errors.append(str(exc))
            return None
        finally:
            for pid in browsers:
                self.children.remove(pid)

    def printed(self, pages: list[str]) -> list[str]:
        """The PDFs of these pages, once printed (pages printed by an earlier run are kept)."""
        found = []
        for page in pages:
            future = self.printing.get(page)
            pdf = future.result() if future is not None else Path(page).with_suffix(".pdf").name
            if pdf and (self.folder / pdf).exists():
                found.append(pdf)
        return found

    def stop(self) -> None:
        """Interrupted: kill kernels and browsers, wait for the worker threads to notice."""
        self.children.stop_all()
        self.pdf_pool.shutdown(wait=True, cancel_futures=True)


def _manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _pdf_settings(pdf: bool | None, settings: dict) -> tuple[str | None, str | None]:
    """(browser, note for the index): PDFs are skipped, and the index says why, without any error."""
    wanted = settings.get("pdf", "auto") if pdf is None else ("oui" if pdf else "non")
    if str(wanted).lower() in ("non", "false", "no"):
        return None, "Versions PDF non produites pour cette exécution (option --sans-pdf)."
    chromium = export.find_chromium(settings.get("navigateur"))
    if chromium is None:
        return None, ("Versions PDF non produites : aucun navigateur Chromium n'est installé sur la machine qui a "
                      "produit les rapports (imprimez les pages depuis votre navigateur si besoin).")
    return chromium, None


def run_milestone(
    milestone: str,
    raw_dir: Path | str,
    out_dir: Path | str,
    *,
    only: list[str] | None = None,
    jobs: int | None = None,
    timeout: int | None = None,
    force: bool = False,
    diffusion: str = "copil",
    pdf: bool | None = None,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    echo: Callable[[str], None] = print,
) -> RunResult:
    """Run the report notebooks of a milestone and publish ``OUT/<M>/`` whole, or not at all.

    Parameters
    ----------
    milestone : str
        A ``jalon`` of the raw folder's ``calendrier.csv`` (any name, e.g. T18 or C2-T0).
    raw_dir, out_dir : path
        Raw input folder (never written to) and output root.
    only : list of str, optional
        Notebook names to run; the others keep their previous output (a notebook reading the tables of
        one that ran is run again when those tables changed).
    jobs : int, optional
        Notebooks executed at once (default ``execution.jobs``).
    timeout : int, optional
        Per-cell timeout in seconds (default ``execution.timeout_cellule_s``).
    force : bool
        Re-run notebooks whose inputs and code are unchanged.
    diffusion : {"copil", "restreinte"}
        Audience: the CoPil (``OUT/<M>``, DESIGN §6 masking) or the HR director and the CoTA
        (``OUT/restreinte/<M>``, every page bannered).
    pdf : bool, optional
        Print each page to PDF (default ``execution.pdf``: when Chromium is installed).

    Raises
    ------
    InputError
        Unknown milestone or notebook, unusable calendar, or an output folder mixing the two levels.
    RunInterrupted
        On SIGTERM or SIGINT: kernels stopped, unfinished version dropped, previous publication intact.
    """
    settings = load_config()["execution"]
    jobs = jobs or settings["jobs"]
    timeout = timeout or settings["timeout_cellule_s"]
    publication.check_milestone_name(milestone)
    root = publication.level_root(out_dir, diffusion)
    specs = notebook_specs()
    unknown = [o for o in only or [] if o not in {s.name for s in specs}]
    if unknown:
        raise InputError(f"Notebook inconnu : {', '.join(unknown)} (connus : {', '.join(s.name for s in specs)}).")
    raw_dir = Path(raw_dir).resolve()
    start = time.perf_counter()
    ingestion = ingest(raw_dir)
    echo(f"Ingestion de {raw_dir} : " + ("données inchangées, reprise du traitement précédent" if ingestion.reused
         else "terminée") + ("" if ingestion.ok else " avec des erreurs"))
    for message in ingestion.errors:
        echo(f"  ERREUR {message}")
    dates = milestone_dates(ingestion)
    if milestone not in dates:
        raise InputError(f"calendrier : le jalon {milestone} n'a pas de date (jalons du calendrier : "
                         f"{', '.join(dates) or 'aucun'} ; ajoutez une ligne « {milestone};JJ/MM/AAAA »).")
    chromium, pdf_note = _pdf_settings(pdf, settings)
    with _signals() as sig:
        sig["defer"] = True  # repair and seeding run to their end; a signal is raised right after
        for message in publication.recover(root, milestone):
            echo(message)
        version = publication.begin(root, milestone, diffusion)
        build = None
        try:
            _undefer(sig)
            build = _Build(milestone, raw_dir, version, ingestion, specs, only=only, jobs=jobs, timeout=timeout,
                           force=force, diffusion=diffusion, chromium=chromium, notebooks_dir=Path(notebooks_dir),
                           echo=echo, kernel=settings["kernel"])
            needed = {s.requires for s in specs if s.requires}
            planned = build.planned(_available(milestone, ingestion, needed))
            build.execute(planned)
            run = _finish(build, planned, dates, jobs, timeout, pdf_note, start)
            sig["defer"] = True  # the switch is not cut short by a signal
            publication.mark_ready(version)
            publication.switch(version)
        except BaseException as exc:
            sig["defer"] = True
            if build is not None:
                build.stop()
            if isinstance(exc, RunInterrupted) or not isinstance(exc, Exception):
                reason = f"interrompue ({getattr(exc, 'signal_name', type(exc).__name__)})"
            else:
                reason = f"erreur : {type(exc).__name__}"
            if version.status() == "construction":
                publication.discard(version, reason)
            raise
        try:
            _undefer(sig)
        except RunInterrupted as exc:
            exc.published = True
            raise
    return replace(run, out_dir=root / milestone)


def _finish(build: _Build, planned: list[str], dates: dict, jobs: int, timeout: int, pdf_note: str | None,
            start: float) -> RunResult:
    """Index, PDFs and manifest of the version, once every notebook is settled."""
    from .synthesis import write_index

    shutil.rmtree(build.folder / SCRATCH, ignore_errors=True)
    ordered = [build.results[n] for n in build.order if n in build.results]
    if build.only:  # notebooks not planned this time keep their previous entry
        ordered += [NotebookResult.from_manifest(e) for n, e in build.previous.items()
                    if n not in build.results and n not in planned]
    published = [r for r in ordered if r.html and (build.folder / r.html).exists()]
    for res in published:  # reports kept from an earlier run without their PDF get one now
        for page in [res.html, *res.pages]:
            if not (build.folder / page).with_suffix(".pdf").exists():
                build.print_pdf(page)
    for res in published:
        res.pdfs = build.printed([res.html, *res.pages])
    run = RunResult(build.milestone, build.folder, ordered, build.ingestion, 0.0, build.diffusion, pdf_note)
    if build.pdf_errors and not pdf_note:
        run.pdf_note = "Certaines versions PDF n'ont pas pu être produites : " + " ; ".join(build.pdf_errors[:3]) + "."
    write_index(run)
    index = build.folder / "index.html"
    page = index.read_text(encoding="utf-8")
    if build.diffusion == "restreinte":
        page = export.mark_restricted(page)
    links = [(r.titre if pdf == Path(r.html).with_suffix(".pdf").name else _page_title(build.folder / pdf), pdf)
             for r in published for pdf in r.pdfs]
    if build.chromium:
        write_text(export.add_print_links(page, [("Cette page (synthèse du jalon)", "index.pdf"), *links],
                                          run.pdf_note), index)
        build.print_pdf("index.html")
        if not build.printed(["index.html"]):
            write_text(export.add_print_links(page, links, "; ".join(build.pdf_errors[-1:]) or None), index)
    else:
        write_text(export.add_print_links(page, links, run.pdf_note), index)
    build.pdf_pool.shutdown(wait=True)
    run.duree_s = round(time.perf_counter() - start, 2)
    write_manifest(run, build, dates, jobs, timeout)
    return run


def _page_title(pdf: Path) -> str:
    """The ``<title>`` of the page a PDF was printed from (pages a notebook renders itself)."""
    try:
        found = re.search(r"<title>(.*?)</title>", pdf.with_suffix(".html").read_text(encoding="utf-8"), re.S)
    except OSError:
        found = None
    return html.unescape(found.group(1).strip()) if found else pdf.stem


def write_manifest(run: RunResult, build: _Build, dates: dict, jobs: int, timeout: int) -> None:
    manifest = {
        "jalon": run.milestone,
        "date_jalon": date(dates[run.milestone]) if run.milestone in dates else None,
        "diffusion": run.diffusion,
        "version": build.version.name,
        "date_execution": datetime.now().isoformat(timespec="seconds"),
        "version_code": build.code,
        "commit_git": git_commit(),
        "parametres": {"milestone": run.milestone, "raw_dir": str(build.raw_dir), "out_dir": str(build.version.root),
                       "diffusion": run.diffusion, "only": build.only, "force": build.force, "jobs": jobs,
                       "timeout_cellule_s": timeout},
        "entrees": [
            {"jeu": d.dataset, "fichier": d.fichier, "sha256": d.sha256, "statut": d.statut,
             "lignes": d.n_lignes, "acceptees": d.n_acceptees, "rejetees": d.n_rejetees}
            for d in run.ingestion.datasets.values()
        ],
        "instantane": str(run.ingestion.processed_dir),
        "pdf": {"produits": build.chromium is not None, "note": run.pdf_note,
                "index": "index.pdf" if (build.folder / "index.pdf").exists() else None},
        "duree_totale_s": run.duree_s,
        "notebooks": [asdict(n) for n in run.notebooks],
        "code_sortie": run.exit_code,
    }
    write_text(json.dumps(manifest, ensure_ascii=False, indent=2), build.folder / "manifest.json")
