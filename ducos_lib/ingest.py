"""Ingestion: raw folder → validated, pseudonymised Parquet (DESIGN §2, §3, §6, §7).

``ingest`` reads every dataset of a raw folder, writes ``<processed_dir>/<dataset>.parquet``
atomically, keeps rejected rows in ``<processed_dir>/quarantaine/`` with their reasons, and records
what it did in ``ingestion.json``. It does nothing when the raw files, the schemas, the code and the
key are unchanged. ``load_milestone`` gives the view of one milestone that the reports use.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pandas as pd

from . import __version__
from .config import ROOT, load_config, path_setting
from .io import InputError, find_raw_file, read_raw_table, sha256_file, write_csv, write_parquet, write_text
from .privacy import load_key
from .reports.formats import percent
from .validation import ServiceResolver, ValidationResult, schema_config, validate_table

log = logging.getLogger(__name__)

_CODE_FILES = ("io.py", "validation.py", "ingest.py", "privacy.py")


@dataclass
class DatasetReport:
    """What ingestion did with one dataset (one row of the data-quality report)."""

    dataset: str
    statut: str  # "ok", "absent" (optional file missing), "erreur"
    fichier: str | None = None
    sha256: str | None = None
    encodage: str | None = None
    separateur: str | None = None
    n_lignes: int = 0
    n_acceptees: int = 0
    n_rejetees: int = 0
    colonnes_ignorees: list[str] = field(default_factory=list)
    message: str | None = None


@dataclass
class IngestionReport:
    raw_dir: Path
    processed_dir: Path
    datasets: dict[str, DatasetReport]
    fingerprint: str
    reused: bool = False

    @property
    def ok(self) -> bool:
        return all(d.statut != "erreur" for d in self.datasets.values())

    @property
    def errors(self) -> list[str]:
        return [d.message for d in self.datasets.values() if d.statut == "erreur" and d.message]

    def to_frame(self) -> pd.DataFrame:
        rows = [{k: v for k, v in vars(d).items() if k != "colonnes_ignorees"} for d in self.datasets.values()]
        return pd.DataFrame(rows)

    def rejects(self) -> pd.DataFrame:
        """Every rejected value (file, line, column, value, expected, message)."""
        path = self.processed_dir / "quarantaine" / "rejets.parquet"
        return pd.read_parquet(path) if path.exists() else pd.DataFrame(
            columns=["dataset", "fichier", "ligne", "colonne", "valeur", "attendu", "message"])

    def to_json(self) -> str:
        return json.dumps({
            "raw_dir": str(self.raw_dir), "fingerprint": self.fingerprint,
            "datasets": {k: vars(v) for k, v in self.datasets.items()},
        }, ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str, processed_dir: Path) -> "IngestionReport":
        data = json.loads(text)
        datasets = {k: DatasetReport(**v) for k, v in data["datasets"].items()}
        return cls(Path(data["raw_dir"]), processed_dir, datasets, data["fingerprint"], reused=True)


def default_processed_dir(raw_dir: Path | str) -> Path:
    """``data/processed/<name of the raw folder>``: one processed folder per raw folder."""
    return path_setting("processed_dir") / Path(raw_dir).resolve().name


def code_version() -> str:
    """Package version plus a hash of the library's source (changes with any edit)."""
    h = hashlib.sha256()
    for path in sorted((ROOT / "ducos_lib").rglob("*.py")):
        h.update(path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:10]}"


def _fingerprint(raw_dir: Path, datasets: list[str], key: bytes) -> tuple[str, dict[str, str]]:
    h = hashlib.sha256()
    hashes = {}
    for name in datasets:
        path = find_raw_file(raw_dir, name)
        if path is not None:
            hashes[name] = sha256_file(path)
        h.update(f"{name}:{hashes.get(name, '-')};".encode())
    for name in _CODE_FILES:
        h.update((ROOT / "ducos_lib" / name).read_bytes())
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
    """Validate and pseudonymise every dataset of ``raw_dir`` into Parquet.

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
        Per-dataset status and counts; ``report.ok`` is False when a dataset could not be loaded.
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(f"Dossier de données brutes introuvable : {raw_dir}")
    processed_dir = Path(processed_dir) if processed_dir is not None else default_processed_dir(raw_dir)
    schemas = schema_config()
    names = list(schemas["datasets"])
    key = load_key(key_path)
    fingerprint, hashes = _fingerprint(raw_dir, names, key)
    with _lock(processed_dir):
        state = processed_dir / "ingestion.json"
        if not force and state.exists():
            previous = IngestionReport.from_json(state.read_text(encoding="utf-8"), processed_dir)
            if previous.fingerprint == fingerprint:
                return previous
        report = _ingest_all(raw_dir, processed_dir, names, schemas, key, hashes)
        report.fingerprint = fingerprint
        write_text(report.to_json(), state)
    return report


def _ingest_all(raw_dir, processed_dir, names, schemas, key, hashes) -> IngestionReport:
    max_share = load_config()["ingestion"]["part_rejets_max"]
    reports: dict[str, DatasetReport] = {}
    all_rejects = []
    resolver = None
    for name in names:  # services.csv comes before the files that refer to services
        spec = schemas["datasets"][name]
        path = find_raw_file(raw_dir, name)
        target = processed_dir / f"{name}.parquet"
        if path is None:
            target.unlink(missing_ok=True)
            status = "erreur" if spec.get("obligatoire") else "absent"
            msg = f"Fichier obligatoire absent : {name}.csv ou {name}.xlsx dans {raw_dir}." if status == "erreur" else None
            reports[name] = DatasetReport(name, status, message=msg)
            continue
        needs_services = any(c["type"] == "service" for c in spec["colonnes"].values())
        try:
            if needs_services and resolver is None:
                raise InputError(f"{path.name} : impossible de reconnaître les services sans un fichier services valide.")
            result = validate_table(read_raw_table(path), name, services=resolver, key=key, config=schemas)
        except InputError as exc:
            target.unlink(missing_ok=True)
            reports[name] = DatasetReport(name, "erreur", fichier=path.name, sha256=hashes.get(name), message=str(exc))
            continue
        rep = _dataset_report(name, result, hashes.get(name))
        if result.n_rows and result.n_rejected / result.n_rows > max_share:
            rep.statut = "erreur"
            rep.message = (
                f"{path.name} : {result.n_rejected} lignes rejetées sur {result.n_rows} "
                f"({percent(result.n_rejected / result.n_rows, 0)}), au-delà du seuil de "
                f"{percent(max_share, 0)} : le jeu n'est pas chargé. Voir la quarantaine."
            )
            target.unlink(missing_ok=True)
        else:
            write_parquet(result.data, target)
        _write_quarantine(processed_dir, name, result)
        if len(result.rejects):
            all_rejects.append(result.rejects.assign(dataset=name))
        if name == "services" and rep.statut == "ok":
            resolver = ServiceResolver.from_services(result.data)
        reports[name] = rep
    rejects = pd.concat(all_rejects, ignore_index=True) if all_rejects else pd.DataFrame(
        columns=["dataset", "fichier", "ligne", "colonne", "valeur", "attendu", "message"])
    write_parquet(rejects.astype({"ligne": "int64"}), processed_dir / "quarantaine" / "rejets.parquet")
    return IngestionReport(raw_dir, processed_dir, reports, fingerprint="")


def _dataset_report(name: str, result: ValidationResult, sha: str | None) -> DatasetReport:
    return DatasetReport(
        dataset=name, statut="ok", fichier=result.path.name, sha256=sha, encodage=result.encoding,
        separateur={",": "virgule", ";": "point-virgule", "\t": "tabulation"}.get(result.separator or "", None),
        n_lignes=result.n_rows, n_acceptees=len(result.data), n_rejetees=result.n_rejected,
        colonnes_ignorees=result.ignored_columns,
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
    """The data one milestone sees (DESIGN §3, last paragraph). Missing optional datasets are None."""

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

    @property
    def previous_milestones(self) -> list[str]:
        return self.waves[:-1]

    def service_labels(self) -> dict[str, str]:
        return dict(zip(self.services["code_service"], self.services["libelle"]))


def _read(processed_dir: Path, name: str) -> pd.DataFrame | None:
    path = processed_dir / f"{name}.parquet"
    return pd.read_parquet(path) if path.exists() else None


def load_milestone(
    milestone: str,
    raw_dir: Path | str | None = None,
    processed_dir: Path | str | None = None,
    *,
    key_path: Path | str | None = None,
) -> MilestoneData:
    """Ingest ``raw_dir`` if needed and return what milestone ``milestone`` sees.

    Raises
    ------
    InputError
        When a dataset the milestone needs could not be loaded, or the milestone is not in
        ``calendrier``.
    """
    order = load_config()["jalons"]
    if milestone not in order:
        raise InputError(f"Jalon inconnu « {milestone} » : attendu l'un de {', '.join(order)}.")
    raw_dir = Path(raw_dir) if raw_dir is not None else path_setting("raw_dir")
    report = ingest(raw_dir, processed_dir, key_path=key_path)
    folder = report.processed_dir
    for name in ("calendrier", "services", "population_reference"):
        if report.datasets[name].statut != "ok":
            raise InputError(report.datasets[name].message or f"Jeu « {name} » indisponible.")
    calendar = _read(folder, "calendrier")
    dates = dict(zip(calendar["jalon"], calendar["date"]))
    if milestone not in dates:
        raise InputError(f"calendrier : le jalon {milestone} n'a pas de date (ajoutez une ligne « {milestone};JJ/MM/AAAA »).")
    date = pd.Timestamp(dates[milestone])
    waves = [m for m in order if m in dates and order.index(m) <= order.index(milestone)]

    def upto(name: str, column: str) -> pd.DataFrame | None:
        frame = _read(folder, name)
        return None if frame is None else frame.loc[frame[column] <= date].reset_index(drop=True)

    survey = _read(folder, "enquete_usagers")
    if survey is not None:
        survey = survey.loc[survey["vague"].isin(waves)].reset_index(drop=True)
    history = upto("rh_agents", "date_extraction")
    agents = None
    if history is not None and len(history):
        agents = history.loc[history["date_extraction"] == history["date_extraction"].max()].reset_index(drop=True)
    indicators = _read(folder, "indicateurs_services")
    if indicators is not None:
        indicators = indicators.loc[indicators["periode"] <= date.strftime("%Y-%m")].reset_index(drop=True)
    return MilestoneData(
        milestone=milestone, date=date, dates={k: pd.Timestamp(v) for k, v in dates.items()}, waves=waves,
        ingestion=report, services=_read(folder, "services"),
        population_reference=_read(folder, "population_reference"),
        enquete_usagers=survey, fiches_immersion=upto("fiches_immersion", "date_immersion"),
        rh_agents=agents, rh_agents_historique=history, rh_absences=upto("rh_absences", "date_debut"),
        indicateurs_services=indicators, autoevaluations=upto("autoevaluations", "date"),
        bilan_seminaire=upto("bilan_seminaire", "date"),
    )
