"""Ingestion: raw folder → validated, pseudonymised, redacted Parquet (DESIGN §2, §3, §6, §7).

``ingest`` takes stock of a raw folder (one file per dataset; a dataset given by two files, a
directory or a link named like a data file are refused; other files are listed as ignored), reads
and validates every dataset, writes ``<processed_dir>/<dataset>.parquet`` atomically, keeps rejected
rows in ``<processed_dir>/quarantaine/`` with their reasons, and records what it did — with the
notes stating every guess made (encoding, separator, sheet, quotité scale, rows set aside) — in
``ingestion.json``. It does nothing when the raw files, the schemas, the code and the key are
unchanged. Free text is redacted on the way (names of the raw HR roster, phones, e-mails): the
processed store holds none; the raw files stay as they are.

``load_milestone`` gives the view of one milestone that the reports use; see its docstring for the
snapshot contract with the runner (``DUCOS_SNAPSHOT``).
"""

from __future__ import annotations

import difflib
import errno
import fcntl
import hashlib
import hmac
import json
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd

from . import __version__
from .config import ROOT, load_config, path_setting
from .io import (
    RAW_SUFFIXES,
    InputError,
    RawTable,
    normalise_header,
    read_raw_table,
    sha256_file,
    write_csv,
    write_parquet,
    write_text,
)
from .privacy import Pseudonymiser, load_key
from .validation import ServiceResolver, ValidationResult, build_roster, expected_headers, schema_config, validate_table

log = logging.getLogger(__name__)

#: Library code whose change invalidates a processed folder (a package counts with every module in it).
_CODE_FILES = ("io.py", "validation.py", "ingest.py", "privacy.py", "redaction")
#: Environment variable naming the processed folder a run has just ingested (see ``load_milestone``).
SNAPSHOT_ENV = "DUCOS_SNAPSHOT"
#: Datasets read first: the others refer to the calendar, the services and the HR roster's names.
_FIRST = ("calendrier", "services", "population_reference", "rh_agents")


@dataclass
class DatasetReport:
    """What ingestion did with one dataset (one row of the data-quality report)."""

    dataset: str
    statut: str  # "ok", "absent" (optional file missing), "erreur"
    fichier: str | None = None
    sha256: str | None = None
    encodage: str | None = None
    separateur: str | None = None
    feuille: str | None = None
    n_lignes: int = 0
    n_acceptees: int = 0
    n_rejetees: int = 0
    n_ecartees: int = 0  # total rows, repeated headers, footnotes set aside
    colonnes_ignorees: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str | None = None


@dataclass
class IngestionReport:
    raw_dir: Path
    processed_dir: Path
    datasets: dict[str, DatasetReport]
    fingerprint: str
    reused: bool = False
    ignored_files: list[dict[str, str]] = field(default_factory=list)  # fichier, raison

    @property
    def ok(self) -> bool:
        return all(d.statut != "erreur" for d in self.datasets.values())

    @property
    def errors(self) -> list[str]:
        return [d.message for d in self.datasets.values() if d.statut == "erreur" and d.message]

    def to_frame(self) -> pd.DataFrame:
        rows = [{k: v for k, v in vars(d).items() if k not in ("colonnes_ignorees", "notes")}
                for d in self.datasets.values()]
        return pd.DataFrame(rows)

    def notes(self) -> pd.DataFrame:
        """Every note of the reading (dataset, fichier, note), ignored files included."""
        rows = [{"dataset": d.dataset, "fichier": d.fichier, "note": n} for d in self.datasets.values() for n in d.notes]
        rows += [{"dataset": None, "fichier": f["fichier"], "note": f"fichier ignoré : {f['raison']}"}
                 for f in self.ignored_files]
        return pd.DataFrame(rows, columns=["dataset", "fichier", "note"])

    def rejects(self) -> pd.DataFrame:
        """Every rejected value (file, line, column, value, expected, message)."""
        path = self.processed_dir / "quarantaine" / "rejets.parquet"
        return pd.read_parquet(path) if path.exists() else pd.DataFrame(
            columns=["dataset", "fichier", "ligne", "colonne", "valeur", "attendu", "message"])

    def to_json(self) -> str:
        return json.dumps({
            "raw_dir": str(self.raw_dir), "fingerprint": self.fingerprint,
            "datasets": {k: vars(v) for k, v in self.datasets.items()}, "fichiers_ignores": self.ignored_files,
        }, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str, processed_dir: Path) -> "IngestionReport":
        data = json.loads(text)
        datasets = {k: DatasetReport(**v) for k, v in data["datasets"].items()}
        return cls(Path(data["raw_dir"]), processed_dir, datasets, data["fingerprint"], reused=True,
                   ignored_files=data.get("fichiers_ignores", []))


def default_processed_dir(raw_dir: Path | str) -> Path:
    """``data/processed/<raw folder name>-<8 hex digits of its absolute path>``.

    Two raw folders with the same name (``2025/brut`` and ``2026/brut``) get two processed folders.
    """
    resolved = Path(raw_dir).resolve()
    digest = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:8]
    return path_setting("processed_dir") / f"{resolved.name}-{digest}"


def code_version() -> str:
    """Package version plus a hash of the library's source (changes with any edit)."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "ducos_lib").rglob("*.py")):
        h.update(path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:10]}"


# ------------------------------------------------------------------------------------------------
# Inventory of a raw folder
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Inventory:
    """Which file holds which dataset, which datasets cannot be taken, which files are ignored."""

    files: dict[str, Path]
    problems: dict[str, str]
    ignored: list[dict[str, str]]


def _path_problem(path: Path) -> str | None:
    """Why a path named like a data file is not a readable file (French), or None."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"{path.name} est un lien symbolique qui boucle sur lui-même : il ne mène à aucun fichier."
        if path.is_symlink():
            return f"{path.name} est un lien symbolique cassé (sa cible {os.readlink(path)} n'existe pas)."
        return f"{path.name} : fichier inaccessible ({exc.strerror})."
    if os.path.isdir(path):
        return f"{path.name} est un dossier, pas un fichier : placez le fichier de données lui-même dans {path.parent}."
    if not (st.st_mode & 0o170000 == 0o100000):
        return f"{path.name} n'est pas un fichier ordinaire."
    return None


def inventory(raw_dir: Path | str, names: list[str]) -> Inventory:
    """Match the entries of ``raw_dir`` to datasets (file stem, case and accents ignored)."""
    raw_dir = Path(raw_dir)
    candidates: dict[str, list[Path]] = {n: [] for n in names}
    ignored = []
    for entry in sorted(raw_dir.iterdir(), key=lambda p: p.name):
        stem, suffix = entry.stem, entry.suffix.lower()
        dataset = normalise_header(stem)
        if suffix in RAW_SUFFIXES and dataset in candidates and not entry.name.startswith(("~$", ".")):
            candidates[dataset].append(entry)
            continue
        if entry.name.startswith("~$"):
            reason = "fichier de verrou d'Excel (le classeur était ouvert à la copie)"
        elif entry.name.startswith("."):
            continue
        elif suffix in (".md", ".pdf", ".doc", ".docx", ".odt", ".pptx"):
            reason = "documentation, pas un jeu de données"
        else:
            close = difflib.get_close_matches(dataset, names, n=1, cutoff=0.75)
            reason = "nom non reconnu" + (f" (voulez-vous dire « {close[0]} » ?)" if close else
                                          f" : attendus {', '.join(names)}")
        ignored.append({"fichier": entry.name, "raison": reason})
    files, problems = {}, {}
    for name, paths in candidates.items():
        if len(paths) > 1:
            listed = " et ".join(p.name for p in paths)
            problems[name] = (f"Jeu « {name} » fourni par {len(paths)} fichiers ({listed}) : gardez-en un seul "
                              f"dans {raw_dir} (le plus complet), sinon on ne sait pas lequel fait foi.")
        elif paths:
            problem = _path_problem(paths[0])
            if problem:
                problems[name] = problem
            files[name] = paths[0]
    return Inventory(files, problems, ignored)


def _fingerprint(found: Inventory, key: bytes) -> tuple[str, dict[str, str]]:
    h = hashlib.sha256()
    hashes = {}
    for name, path in sorted(found.files.items()):
        if name not in found.problems:
            try:
                hashes[name] = sha256_file(path)
            except OSError:
                hashes[name] = "illisible"
        h.update(f"{name}:{path.name}:{hashes.get(name, '-')};".encode())
    h.update(json.dumps([found.problems, found.ignored], sort_keys=True).encode())
    for name in _CODE_FILES:
        path = ROOT / "ducos_lib" / name
        for module in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            h.update(module.read_bytes())
    h.update(json.dumps(schema_config(), sort_keys=True, default=str).encode())
    h.update(json.dumps(load_config()["ingestion"], sort_keys=True).encode())
    h.update(hmac.new(key, b"empreinte", hashlib.sha256).digest())
    return h.hexdigest(), hashes


@contextmanager
def _lock(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".verrou", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ingest(
    raw_dir: Path | str,
    processed_dir: Path | str | None = None,
    *,
    key_path: Path | str | None = None,
    force: bool = False,
) -> IngestionReport:
    """Validate, pseudonymise and redact every dataset of ``raw_dir`` into Parquet.

    Parameters
    ----------
    raw_dir : path
        Folder following the input contract (DESIGN §3). Never written to.
    processed_dir : path, optional
        Output folder; defaults to :func:`default_processed_dir`.
    key_path : path, optional
        Pseudonymisation key file; defaults to ``chemins.cle_pseudonymisation``.
    force : bool
        Redo the work even if nothing changed.

    Returns
    -------
    IngestionReport
        Per-dataset status, counts and notes; ``report.ok`` is False when a dataset could not be
        loaded (that dataset only: the others are ingested all the same).
    """
    raw_dir = Path(raw_dir).resolve()
    if not raw_dir.is_dir():
        raise InputError(f"Dossier de données brutes introuvable : {raw_dir}")
    processed_dir = Path(processed_dir) if processed_dir is not None else default_processed_dir(raw_dir)
    schemas = schema_config()
    names = list(schemas["datasets"])
    key = load_key(key_path)
    found = inventory(raw_dir, names)
    fingerprint, hashes = _fingerprint(found, key)
    with _lock(processed_dir):
        state = processed_dir / "ingestion.json"
        if not force and state.exists():
            previous = IngestionReport.from_json(state.read_text(encoding="utf-8"), processed_dir)
            if previous.fingerprint == fingerprint:
                return previous
        report = _ingest_all(raw_dir, processed_dir, names, schemas, key, hashes, found)
        report.fingerprint = fingerprint
        write_text(report.to_json(), state)
    return report


@dataclass
class _Context:
    """What later datasets need from earlier ones."""

    services: ServiceResolver | None = None
    milestones: list[str] | None = None
    roster: object = None
    pseudonymiser: Pseudonymiser | None = None  # one for all datasets: an identifier is hashed once


def _ingest_all(raw_dir, processed_dir, names, schemas, key, hashes, found: Inventory) -> IngestionReport:
    reports: dict[str, DatasetReport] = {}
    all_rejects = []
    context = _Context(pseudonymiser=Pseudonymiser(key))
    order = [n for n in _FIRST if n in names] + [n for n in names if n not in _FIRST]
    readable = iter([n for n in order if n not in found.problems and n in found.files])
    reads: dict[str, Future] = {}
    writes: list[Future] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lecture") as pool, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecriture") as writer:

        def read_next() -> None:
            # The next file is read in the background while this one is validated: pyarrow,
            # calamine and zlib do most of the reading outside the GIL. One ahead, for memory.
            name = next(readable, None)
            if name is not None:
                spec = schemas["datasets"][name]
                reads[name] = pool.submit(read_raw_table, found.files[name], expected_headers(spec),
                                          percent_candidates=_percent_candidates(spec))

        read_next()
        for name in order:
            spec = schemas["datasets"][name]
            target = processed_dir / f"{name}.parquet"
            path = found.files.get(name)
            if name in found.problems or path is None:
                target.unlink(missing_ok=True)
                if name in found.problems:
                    reports[name] = DatasetReport(name, "erreur", fichier=path.name if path else None,
                                                  message=found.problems[name])
                elif spec.get("obligatoire"):
                    reports[name] = DatasetReport(name, "erreur", message=f"Fichier obligatoire absent : {name}.csv ou "
                                                  f"{name}.xlsx dans {raw_dir}.")
                else:
                    reports[name] = DatasetReport(name, "absent")
                continue
            try:
                raw = result = None  # the previous tables are not kept while this file is read
                reading = reads.pop(name)
                read_next()
                raw = reading.result()
                if name == "rh_agents":
                    context.roster = _roster(raw, spec)
                result = validate_table(raw, name, services=context.services, key=key, config=schemas,
                                        milestones=context.milestones, roster=context.roster,
                                        pseudonymiser=context.pseudonymiser)
            except InputError as exc:
                target.unlink(missing_ok=True)
                message = str(exc) if str(exc).startswith(path.name) else f"{path.name} : {exc}"
                reports[name] = DatasetReport(name, "erreur", fichier=path.name, sha256=hashes.get(name), message=message)
                continue
            except Exception as exc:  # noqa: BLE001 - one dataset's failure must not stop the others
                log.debug("ingestion de %s", path, exc_info=True)
                target.unlink(missing_ok=True)
                reports[name] = DatasetReport(name, "erreur", fichier=path.name, sha256=hashes.get(name),
                                              message=f"{path.name} : lecture impossible ({type(exc).__name__} : {exc}).")
                continue
            rep = _dataset_report(name, result, hashes.get(name), raw)
            _apply_thresholds(rep, result, spec, path)
            if rep.statut == "ok":  # written in the background too (pyarrow encodes outside the GIL)
                writes.append(writer.submit(write_parquet, result.data, target))
            else:
                target.unlink(missing_ok=True)
            _write_quarantine(processed_dir, name, result)
            if len(result.rejects):
                all_rejects.append(result.rejects.assign(dataset=name))
            if rep.statut == "ok" and name == "services":
                context.services = ServiceResolver.from_services(result.data)
            if rep.statut == "ok" and name == "calendrier":
                context.milestones = result.data.sort_values("date")["jalon"].tolist()
            reports[name] = rep
    for written in writes:
        written.result()  # a failed write stops the ingestion, as before
    rejects = pd.concat(all_rejects, ignore_index=True) if all_rejects else pd.DataFrame(
        columns=["dataset", "fichier", "ligne", "colonne", "valeur", "attendu", "message"])
    write_parquet(rejects.astype({"ligne": "int64"}), processed_dir / "quarantaine" / "rejets.parquet")
    reports = {n: reports[n] for n in names}
    return IngestionReport(raw_dir, processed_dir, reports, fingerprint="", ignored_files=found.ignored)


def _percent_candidates(spec: dict) -> set[str]:
    return {normalise_header(s) for name, col in spec["colonnes"].items() if col.get("echelle") == "pourcentage"
            for s in [name, *col.get("alias", [])]}


def _roster(raw: RawTable, spec: dict):
    """Names of the raw HR extraction, for redaction only (they are dropped from the processed data)."""
    name_headers = {normalise_header(s) for n, c in spec["colonnes"].items() if c["type"] == "nom"
                    for s in [n, *c.get("alias", [])]}
    names: set[str] = set()
    for i, header in enumerate(raw.headers):
        if normalise_header(header) in name_headers:
            names.update(str(v) for v in pd.unique(raw.frame.iloc[:, i].astype(object)) if str(v).strip())
    return build_roster(sorted(names))


def _apply_thresholds(rep: DatasetReport, result: ValidationResult, spec: dict, path: Path) -> None:
    from .reports.formats import percent

    max_share = load_config()["ingestion"]["part_rejets_max"]
    if spec.get("strict") and result.n_rejected:
        first = result.rejects["message"].iloc[0]
        rep.statut = "erreur"
        rep.message = (f"{path.name} : {result.n_rejected} ligne(s) invalide(s), le fichier doit être entièrement "
                       f"valide. {first}")
    elif result.n_rows and result.n_rejected / result.n_rows > max_share:
        rep.statut = "erreur"
        rep.message = (
            f"{path.name} : {result.n_rejected} lignes rejetées sur {result.n_rows} "
            f"({percent(result.n_rejected / result.n_rows, 0)}), au-delà du seuil de "
            f"{percent(max_share, 0)} : le jeu n'est pas chargé. Voir la quarantaine."
        )


def _dataset_report(name: str, result: ValidationResult, sha: str | None, raw: RawTable) -> DatasetReport:
    from .io import ENCODING_NAMES, SEPARATOR_NAMES

    return DatasetReport(
        dataset=name, statut="ok", fichier=result.path.name, sha256=sha,
        encodage=ENCODING_NAMES.get(result.encoding, result.encoding) if result.encoding != "xlsx" else "xlsx",
        separateur=SEPARATOR_NAMES.get(result.separator or "", None), feuille=raw.sheet,
        n_lignes=result.n_rows, n_acceptees=len(result.data), n_rejetees=result.n_rejected,
        n_ecartees=result.n_set_aside, colonnes_ignorees=result.ignored_columns,
        notes=result.notes + ([f"colonne(s) ignorée(s), inconnue(s) du format attendu : "
                               f"{', '.join(result.ignored_columns)}."] if result.ignored_columns else []),
    )


def _write_quarantine(processed_dir: Path, name: str, result: ValidationResult) -> None:
    path = processed_dir / "quarantaine" / f"{name}.csv"
    if result.n_rejected:
        write_csv(result.quarantine, path)
    else:
        path.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------
# Milestone view
# ------------------------------------------------------------------------------------------------

@dataclass
class MilestoneData:
    """The data one milestone sees (DESIGN §3, last paragraph). Missing optional datasets are None.

    Attributes
    ----------
    milestone : str
        The ``jalon`` M.
    date : Timestamp
        Its date in the calendar (the day its data are frozen).
    calendar : DataFrame
        The whole calendar (``jalon``, ``date``, ``cycle``) sorted by date.
    milestones : list of str
        The calendar's milestones up to M, in date order (every cycle); ``waves`` is the same list
        (survey waves are matched to milestones by ``vague`` = ``jalon``).
    previous : str or None
        The milestone just before M in the calendar (None at the first one).
    first : str
        The first milestone of M's cycle (M itself at the start of a cycle).
    cycle : int
        M's cycle (1 unless the calendar says otherwise).
    """

    milestone: str
    date: pd.Timestamp
    dates: dict[str, pd.Timestamp]
    waves: list[str]
    ingestion: IngestionReport
    services: pd.DataFrame
    population_reference: pd.DataFrame
    enquete_usagers: pd.DataFrame | None
    fiches_immersion: pd.DataFrame | None
    rh_agents: pd.DataFrame | None
    rh_agents_historique: pd.DataFrame | None
    rh_absences: pd.DataFrame | None
    indicateurs_services: pd.DataFrame | None
    autoevaluations: pd.DataFrame | None
    bilan_seminaire: pd.DataFrame | None
    barometre_agents: pd.DataFrame | None = None
    calendar: pd.DataFrame | None = None
    cycle: int = 1

    @property
    def milestones(self) -> list[str]:
        return list(self.waves)

    @property
    def previous(self) -> str | None:
        return self.waves[-2] if len(self.waves) > 1 else None

    @property
    def first(self) -> str:
        if self.calendar is None:
            return self.waves[0]
        same = self.calendar.loc[self.calendar["cycle"] == self.cycle, "jalon"]
        return str(same.iloc[0]) if len(same) else self.milestone

    @property
    def cycle_milestones(self) -> list[str]:
        """Milestones of M's cycle up to M."""
        if self.calendar is None:
            return list(self.waves)
        same = set(self.calendar.loc[self.calendar["cycle"] == self.cycle, "jalon"])
        return [m for m in self.waves if m in same]

    @property
    def previous_milestones(self) -> list[str]:
        return self.waves[:-1]

    def service_labels(self) -> dict[str, str]:
        return dict(zip(self.services["code_service"], self.services["libelle"]))


def _read(processed_dir: Path, name: str) -> pd.DataFrame | None:
    path = processed_dir / f"{name}.parquet"
    return pd.read_parquet(path) if path.exists() else None


def snapshot_for(raw_dir: Path) -> IngestionReport | None:
    """The ingestion named by ``DUCOS_SNAPSHOT`` when it was made from ``raw_dir``, else None."""
    folder = os.environ.get(SNAPSHOT_ENV)
    if not folder:
        return None
    state = Path(folder) / "ingestion.json"
    try:
        report = IngestionReport.from_json(state.read_text(encoding="utf-8"), Path(folder))
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("%s=%s ne désigne pas une ingestion lisible : les données sont ré-ingérées.", SNAPSHOT_ENV, folder)
        return None
    if report.raw_dir.resolve() != Path(raw_dir).resolve():
        log.info("%s concerne %s, pas %s : ingestion de ce dossier.", SNAPSHOT_ENV, report.raw_dir, raw_dir)
        return None
    return report


def load_milestone(
    milestone: str,
    raw_dir: Path | str | None = None,
    processed_dir: Path | str | None = None,
    *,
    key_path: Path | str | None = None,
    ingestion: IngestionReport | None = None,
) -> MilestoneData:
    """Return what milestone ``milestone`` sees, ingesting ``raw_dir`` only when needed.

    Snapshot contract (ingest once per milestone): the runner calls :func:`ingest` once, then
    starts the notebooks' kernels with the environment variable ``DUCOS_SNAPSHOT`` set to the
    processed folder it got (``report.processed_dir``). When ``DUCOS_SNAPSHOT`` is set, no
    ``processed_dir`` is given, and the snapshot's ``ingestion.json`` records the same raw folder
    (resolved absolute path), this function reads that folder as it is: no re-ingestion, no
    fingerprinting of the raw files. Otherwise (a notebook run directly with papermill, an analyst in
    JupyterLab, a snapshot of another raw folder) it calls :func:`ingest`, which reuses the
    processed folder when nothing changed. A caller that has just ingested passes its report as
    ``ingestion`` (the runner does).

    The milestone order is the calendar's (sorted by date, ``cycle`` column), never a list in the
    configuration: ``waves``/``milestones`` are the calendar's milestones up to M, ``previous`` the
    one before M, ``first`` the first one of M's cycle.

    Raises
    ------
    InputError
        When a dataset the milestone needs could not be loaded, or the milestone is not in
        ``calendrier``.
    """
    raw_dir = Path(raw_dir).resolve() if raw_dir is not None else path_setting("raw_dir")
    report = ingestion or (snapshot_for(raw_dir) if processed_dir is None else None)
    if report is None:
        report = ingest(raw_dir, processed_dir, key_path=key_path)
    folder = report.processed_dir
    for name in ("calendrier", "services", "population_reference"):
        if report.datasets[name].statut != "ok":
            raise InputError(report.datasets[name].message or f"Jeu « {name} » indisponible.")
    calendar = _read(folder, "calendrier").sort_values("date").reset_index(drop=True)
    if "cycle" not in calendar:
        calendar["cycle"] = 1
    calendar["cycle"] = calendar["cycle"].fillna(1).astype(int)
    order = calendar["jalon"].tolist()
    if milestone not in order:
        raise InputError(f"Jalon inconnu « {milestone} » : le calendrier de {raw_dir} donne "
                         f"{', '.join(order)} (ajoutez une ligne « {milestone};JJ/MM/AAAA » au calendrier).")
    row = calendar.loc[calendar["jalon"] == milestone].iloc[0]
    date = pd.Timestamp(row["date"])
    waves = order[: order.index(milestone) + 1]

    def upto(name: str, column: str) -> pd.DataFrame | None:
        frame = _read(folder, name)
        return None if frame is None else frame.loc[frame[column] <= date].reset_index(drop=True)

    def waves_upto(name: str) -> pd.DataFrame | None:
        frame = _read(folder, name)
        return None if frame is None else frame.loc[frame["vague"].isin(waves)].reset_index(drop=True)

    history = upto("rh_agents", "date_extraction")
    agents = None
    if history is not None and len(history):
        agents = history.loc[history["date_extraction"] == history["date_extraction"].max()].reset_index(drop=True)
    indicators = _read(folder, "indicateurs_services")
    if indicators is not None:
        indicators = indicators.loc[indicators["periode"] <= date.strftime("%Y-%m")].reset_index(drop=True)
    return MilestoneData(
        milestone=milestone, date=date, dates=dict(zip(calendar["jalon"], pd.to_datetime(calendar["date"]))),
        waves=waves, ingestion=report, services=_read(folder, "services"),
        population_reference=_read(folder, "population_reference"),
        enquete_usagers=waves_upto("enquete_usagers"), fiches_immersion=upto("fiches_immersion", "date_immersion"),
        rh_agents=agents, rh_agents_historique=history, rh_absences=upto("rh_absences", "date_debut"),
        indicateurs_services=indicators, autoevaluations=upto("autoevaluations", "date"),
        bilan_seminaire=upto("bilan_seminaire", "date"), barometre_agents=waves_upto("barometre_agents"),
        calendar=calendar, cycle=int(row["cycle"]),
    )
