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

from . import publication
from .ingest import code_version, ingest
from .io import InputError

LOG_NAME = "ducos_executions.log"
#: Libraries whose log lines belong in the execution log, never on the console or in cron's mail.
_QUIET_LOGGERS = ("papermill", "nbclient", "jupyter_client", "traitlets", "asyncio", "py.warnings")


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


def calendar_milestones(raw_dir: Path | str) -> dict[str, pd.Timestamp]:
    """Every milestone of the raw folder's ``calendrier.csv`` with its date, in date order."""
    from .runner import milestone_dates

    return milestone_dates(ingest(raw_dir))


def due_milestones(raw_dir: Path | str, out_dir: Path | str, today: str | pd.Timestamp | None = None, *,
                   diffusion: str = "copil", echo=None) -> list[DueMilestone]:
    """Milestones whose date has passed and whose reports are missing, failed, stale or interrupted.

    Stale means the inputs (raw files' hashes) or the code changed since the reports were made.
    A run that was killed is repaired first (its finished version published, or its unfinished one
    discarded) and its milestone is listed as interrupted until a run completes.
    """
    day = today if isinstance(today, pd.Timestamp) else parse_day(today)
    report = ingest(raw_dir)
    from .runner import milestone_dates

    dates = milestone_dates(report)
    inputs = {d.dataset: d.sha256 for d in report.datasets.values()}
    version = code_version()
    root = publication.level_root(out_dir, diffusion)
    busy = _repair(root, [m for m, d in dates.items() if d <= day], echo)
    due = []
    for milestone, when in dates.items():
        if when > day or milestone in busy:
            continue
        last = publication.last_run(root, milestone)
        folder = publication.published_folder(root, milestone)
        if last.get("statut") == "interrompue":
            due.append(DueMilestone(milestone, when, "dernière exécution interrompue"
                                    + (f" le {_when(last.get('fin'))}" if last.get("fin") else "")
                                    + ("" if folder else " ; aucun rapport publié")))
            continue
        manifest_path = folder / "manifest.json" if folder else None
        if manifest_path is None or not manifest_path.exists():
            due.append(DueMilestone(milestone, when, "rapports absents"))
            continue
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        previous_inputs = {e["jeu"]: e["sha256"] for e in manifest.get("entrees", [])}
        if any(n["statut"] == "echec" for n in manifest.get("notebooks", [])):
            due.append(DueMilestone(milestone, when, "rapports en échec lors de la dernière exécution"))
        elif previous_inputs != inputs:
            due.append(DueMilestone(milestone, when, "rapports périmés : les données ont changé"))
        elif manifest.get("version_code") != version:
            due.append(DueMilestone(milestone, when, "rapports périmés : le code a changé"))
    return due


def _when(stamp: str | None) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%d/%m/%Y à %H:%M")
    except (TypeError, ValueError):
        return str(stamp)


def _repair(root: Path, milestones: list[str], echo) -> set[str]:
    """Finish or discard what killed runs left; returns the milestones a live run is building."""
    if not root.is_dir():
        return set()
    try:
        with run_lock(root):
            for milestone in milestones:
                for message in publication.recover(root, milestone):
                    _logger(root).info("reprise %s", message)
                    if echo is not None:
                        echo(message)
    except InputError:  # a run is going on: what it builds is not a leftover
        return {m for m in milestones if publication.last_run(root, m).get("statut") == "en_cours"}
    return set()


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
    """The execution log ``OUT/ducos_executions.log`` (both diffusion levels write to the base folder's)."""
    base = out_dir.parent if out_dir.name == publication.RESTRICTED_DIR else out_dir
    logger = logging.getLogger(f"ducos.executions.{base}")
    if not logger.handlers:
        base.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(base / LOG_NAME, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


@contextmanager
def _libraries_to_log(logger: logging.Logger) -> Iterator[None]:
    """Warnings of papermill, jupyter and friends go to the execution log only, not to the console."""
    logging.captureWarnings(True)
    saved = []
    for name in _QUIET_LOGGERS:
        lib = logging.getLogger(name)
        saved.append((lib, lib.propagate, list(lib.handlers)))
        lib.propagate = False
        lib.handlers = list(logger.handlers)
    try:
        yield
    finally:
        for lib, propagate, handlers in saved:
            lib.propagate, lib.handlers = propagate, handlers
        logging.captureWarnings(False)


def run_locked(milestone: str, raw_dir, out_dir, *, diffusion: str = "copil", **options) -> int:
    """``ducos run`` for one milestone under the lock, logged to ``OUT/ducos_executions.log``.

    Raises
    ------
    RunInterrupted
        After logging "interrompu" (SIGTERM, SIGINT); the previous publication is intact.
    """
    from .runner import RunInterrupted, run_milestone

    root = publication.level_root(out_dir, diffusion)
    with run_lock(root):
        logger = _logger(root)
        logger.info("début jalon=%s diffusion=%s raw_dir=%s options=%s", milestone, diffusion, raw_dir, options)

        def echo(line: str) -> None:
            print(line, flush=True)
            logger.info("%s", line)

        try:
            with _libraries_to_log(logger):
                run = run_milestone(milestone, raw_dir, out_dir, diffusion=diffusion, echo=echo, **options)
        except RunInterrupted as exc:
            if exc.published:
                logger.warning("interrompu jalon=%s signal=%s : reçu pendant la mise en ligne, achevée avant l'arrêt",
                               milestone, exc.signal_name)
                print(f"Jalon {milestone} : exécution interrompue ({exc.signal_name}) après la mise en ligne de la "
                      "nouvelle version.", flush=True)
            else:
                logger.warning("interrompu jalon=%s signal=%s : construction abandonnée, publication précédente "
                               "conservée", milestone, exc.signal_name)
                print(f"Jalon {milestone} : exécution interrompue ({exc.signal_name}) ; la publication précédente "
                      "est conservée.", flush=True)
            raise
        except InputError as exc:
            logger.error("erreur jalon=%s : %s", milestone, exc)
            raise
        failed = [n.name for n in run.notebooks if n.statut == "echec"]
        echo(f"Jalon {milestone} : {run.out_dir / 'index.html'}"
             + (f" — {len(failed)} rapport(s) en échec : {', '.join(failed)}" if failed else ""))
        logger.info("fin jalon=%s code=%s durée=%.1fs", milestone, run.exit_code, run.duree_s)
        return run.exit_code


def run_due(raw_dir, out_dir, today: str | None = None, *, diffusion: str = "copil", **options) -> int:
    """Run every due milestone (for cron / systemd timers); the worst exit code is returned."""
    due = due_milestones(raw_dir, out_dir, today, diffusion=diffusion, echo=print)
    if not due:
        print("Aucun jalon à produire : les rapports sont à jour.")
        return 0
    codes = [run_locked(item.milestone, raw_dir, out_dir, diffusion=diffusion, **options) for item in due]
    return max(codes)


def run_all(raw_dir, out_dir, *, diffusion: str = "copil", **options) -> int:
    """Run every milestone of the calendar, in date order (``make reports``); the worst exit code."""
    codes = [run_locked(m, raw_dir, out_dir, diffusion=diffusion, **options) for m in calendar_milestones(raw_dir)]
    return max(codes, default=0)
