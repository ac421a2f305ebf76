"""Unattended runs: which milestones are due, one run at a time, a log of every run (DESIGN §7-8)."""

from __future__ import annotations

import fcntl
import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

import pandas as pd

from .config import load_config
from .ingest import code_version, ingest
from .io import InputError

LOG_NAME = "ducos_executions.log"


@dataclass(frozen=True)
class DueMilestone:
    milestone: str
    date: pd.Timestamp
    reason: str


def parse_day(text: str | None) -> pd.Timestamp:
    """``None`` → today; ``JJ/MM/AAAA`` or ``AAAA-MM-JJ`` otherwise."""
    if text is None:
        return pd.Timestamp.today().normalize()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return pd.Timestamp(datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise InputError(f"Date « {text} » illisible : attendu JJ/MM/AAAA ou AAAA-MM-JJ.")


def due_milestones(raw_dir: Path | str, out_dir: Path | str, today: str | pd.Timestamp | None = None) -> list[DueMilestone]:
    """Milestones whose date has passed and whose reports are missing, failed or stale.

    Stale means the inputs (raw files' hashes) or the code changed since the reports were made.
    """
    day = today if isinstance(today, pd.Timestamp) else parse_day(today)
    report = ingest(raw_dir)
    if report.datasets["calendrier"].statut != "ok":
        raise InputError(report.datasets["calendrier"].message or "calendrier indisponible")
    calendar = pd.read_parquet(report.processed_dir / "calendrier.parquet")
    inputs = {d.dataset: d.sha256 for d in report.datasets.values()}
    version = code_version()
    due = []
    order = load_config()["jalons"]
    for row in calendar.sort_values("date").itertuples(index=False):
        if row.date > day or row.jalon not in order:
            continue
        manifest_path = Path(out_dir) / row.jalon / "manifest.json"
        if not manifest_path.exists():
            due.append(DueMilestone(row.jalon, row.date, "rapports absents"))
            continue
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        previous_inputs = {e["jeu"]: e["sha256"] for e in manifest.get("entrees", [])}
        if any(n["statut"] == "echec" for n in manifest.get("notebooks", [])):
            due.append(DueMilestone(row.jalon, row.date, "rapports en échec lors de la dernière exécution"))
        elif previous_inputs != inputs:
            due.append(DueMilestone(row.jalon, row.date, "rapports périmés : les données ont changé"))
        elif manifest.get("version_code") != version:
            due.append(DueMilestone(row.jalon, row.date, "rapports périmés : le code a changé"))
    return due


@contextmanager
def run_lock(out_dir: Path | str) -> Iterator[None]:
    """Exclusive lock on the output folder: a second run exits instead of overlapping."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".verrou_execution", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"Une exécution est déjà en cours sur {folder} : nouvelle exécution abandonnée.") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _logger(out_dir: Path) -> logging.Logger:
    logger = logging.getLogger(f"ducos.executions.{out_dir}")
    if not logger.handlers:
        handler = logging.FileHandler(out_dir / LOG_NAME, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def run_locked(milestone: str, raw_dir, out_dir, **options) -> int:
    """``ducos run`` for one milestone under the lock, logged to ``OUT/ducos_executions.log``."""
    from .runner import run_milestone

    out = Path(out_dir)
    with run_lock(out):
        logger = _logger(out)
        logger.info("début jalon=%s raw_dir=%s options=%s", milestone, raw_dir, options)

        def echo(line: str) -> None:
            print(line, flush=True)
            logger.info("%s", line)

        run = run_milestone(milestone, raw_dir, out, echo=echo, **options)
        failed = [n.name for n in run.notebooks if n.statut == "echec"]
        echo(f"Jalon {milestone} : {run.out_dir / 'index.html'}"
             + (f" — {len(failed)} rapport(s) en échec : {', '.join(failed)}" if failed else ""))
        logger.info("fin jalon=%s code=%s durée=%.1fs", milestone, run.exit_code, run.duree_s)
        return run.exit_code


def run_due(raw_dir, out_dir, today: str | None = None, **options) -> int:
    """Run every due milestone (for cron / systemd timers); the worst exit code is returned."""
    due = due_milestones(raw_dir, out_dir, today)
    if not due:
        print("Aucun jalon à produire : les rapports sont à jour.")
        return 0
    codes = [run_locked(item.milestone, raw_dir, out_dir, **options) for item in due]
    return max(codes)


