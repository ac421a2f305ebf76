"""Atomic publication of a milestone: build a whole version aside, then switch to it in one rename.

Layout under an output root (``OUT`` for the CoPil, ``OUT/restreinte`` for the restricted level)::

    <M>                            symbolic link → .versions/<M>-<stamp>/<M>  (what readers open)
    .versions/<M>-<stamp>/<M>/     one complete publication: reports, tables, index, manifest, PDFs
    .versions/<M>-<stamp>/etat.json    {"statut": "construction"} until every file is written, then "prete"
    .versions/<M>.json             the milestone's last run: "en_cours", "publiee" or "interrompue"
    .diffusion                     the level of the root (``copil`` or ``restreinte``), so two never mix

``<M>/index.html`` stays a plain path. A reader resolving it gets either the previous version or the
new one, never a mix: the switch is one ``rename`` of a symbolic link over another (atomic on POSIX).
A run killed at any point leaves either an unfinished version (discarded by the next run or by
``ducos due``), or a finished one not yet switched to (published by the next run or ``ducos due``).

Notes
-----
Only the run holding the output folder's lock (:func:`ducos_lib.schedule.run_lock`) calls the
functions that change anything here. Crash consistency is against a killed process, not a power
cut (files are not fsync'ed).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .io import InputError, write_text

VERSIONS = ".versions"
LEVEL_MARKER = ".diffusion"
LEVELS = ("copil", "restreinte")
RESTRICTED_DIR = "restreinte"
_MILESTONE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_STAMP = r"(\d{8}T\d{12})-(\d+)"


@dataclass(frozen=True)
class Version:
    """One version of a milestone's publication under ``root/.versions/``.

    Attributes
    ----------
    root : Path
        Output root of one diffusion level.
    milestone : str
        The ``jalon``.
    name : str
        ``<M>-<stamp>-<pid>``; names sort in the order versions were started.
    """

    root: Path
    milestone: str
    name: str

    @property
    def path(self) -> Path:
        return self.root / VERSIONS / self.name

    @property
    def folder(self) -> Path:
        """The publication folder (what ``root/<M>`` points to once switched)."""
        return self.path / self.milestone

    @property
    def stamp(self) -> str:
        return self.name[len(self.milestone) + 1:]

    def status(self) -> str | None:
        try:
            return json.loads((self.path / "etat.json").read_text(encoding="utf-8")).get("statut")
        except (OSError, ValueError):
            return None


def check_milestone_name(milestone: str) -> str:
    """A ``jalon`` is used as a folder name: letters, digits, ``.``, ``_`` and ``-`` only."""
    if not _MILESTONE_NAME.match(milestone or ""):
        raise InputError(f"Nom de jalon « {milestone} » inutilisable comme nom de dossier : attendu des lettres, "
                         "des chiffres, « . », « _ » ou « - » (par exemple T18 ou C2-T0).")
    return milestone


def level_root(out_dir: Path | str, diffusion: str = "copil") -> Path:
    """Output root of a diffusion level, refusing any folder that would mix the two levels.

    ``copil`` publishes into ``out_dir``, ``restreinte`` into ``out_dir/restreinte``. Each root records
    its level in a ``.diffusion`` file; a root, or a folder inside a root, of the other level is refused.
    """
    if diffusion not in LEVELS:
        raise InputError(f"Niveau de diffusion « {diffusion} » inconnu : attendu {' ou '.join(LEVELS)}.")
    base = Path(out_dir).resolve()
    root = base / RESTRICTED_DIR if diffusion == "restreinte" else base
    if diffusion == "copil" and root.name == RESTRICTED_DIR:
        raise InputError(f"Le dossier « {RESTRICTED_DIR}/ » est réservé à la diffusion restreinte : choisissez un autre "
                         "dossier (--out) pour les rapports du comité de pilotage.")
    for folder in (root, *root.parents):
        marked = _level_of(folder)
        if marked is None:
            continue
        if folder == root and marked == diffusion:
            break
        if folder == base and diffusion == "restreinte" and marked == "copil":
            break  # the restricted root lives next to the CoPil's milestones, in its own folder
        if marked == diffusion:
            base_hint = folder.parent if marked == "restreinte" else folder
            raise InputError(f"Le dossier {root} est à l'intérieur du dossier de rapports {folder} : donnez "
                             f"{base_hint} (--out).")
        raise InputError(
            f"Le dossier {root} mélangerait les niveaux de diffusion : {folder} contient des rapports de niveau "
            f"« {marked} ». Donnez le dossier de base des rapports (--out) : le niveau « copil » y est publié "
            f"directement, le niveau « restreinte » dans son sous-dossier « {RESTRICTED_DIR}/ ».")
    return root


def _level_of(folder: Path) -> str | None:
    try:
        return (folder / LEVEL_MARKER).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def mark_level(root: Path, diffusion: str) -> None:
    if _level_of(root) != diffusion:
        write_text(diffusion + "\n", root / LEVEL_MARKER)


def versions(root: Path, milestone: str) -> list[Version]:
    """Every version folder of a milestone, oldest first."""
    folder = root / VERSIONS
    if not folder.is_dir():
        return []
    pattern = re.compile(rf"^{re.escape(milestone)}-{_STAMP}$")
    return sorted((Version(root, milestone, p.name) for p in folder.iterdir() if p.is_dir() and pattern.match(p.name)),
                  key=lambda v: v.stamp)


def current(root: Path, milestone: str) -> Version | None:
    """The version ``root/<M>`` points to (``None`` when nothing, or an old plain folder, is published)."""
    link = root / milestone
    if not link.is_symlink():
        return None
    target = Path(os.readlink(link))
    if len(target.parts) != 3 or target.parts[0] != VERSIONS or target.parts[2] != milestone:
        return None
    return Version(root, milestone, target.parts[1])


def published_folder(root: Path, milestone: str) -> Path | None:
    """The folder readers see for a milestone, if any (a version, or an old plain folder)."""
    link = root / milestone
    return link if link.is_dir() else None


def _state_path(root: Path, milestone: str) -> Path:
    return root / VERSIONS / f"{milestone}.json"


def last_run(root: Path, milestone: str) -> dict:
    """The milestone's last run as recorded (``{}`` when none)."""
    try:
        return json.loads(_state_path(root, milestone).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _record(root: Path, milestone: str, **fields) -> None:
    state = {**last_run(root, milestone), **fields, "jalon": milestone}
    write_text(json.dumps(state, ensure_ascii=False, indent=2), _state_path(root, milestone))


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def begin(root: Path, milestone: str, diffusion: str) -> Version:
    """Start a version: an unfinished folder seeded with the current publication's files.

    A run of some notebooks only (``--only``) thus builds the new version from the previous
    publication plus what it runs, so the index and manifest agree with every report.
    """
    check_milestone_name(milestone)
    root.mkdir(parents=True, exist_ok=True)
    mark_level(root, diffusion)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    version = Version(root, milestone, f"{milestone}-{stamp}-{os.getpid()}")
    version.path.mkdir(parents=True)
    write_text(json.dumps({"statut": "construction", "pid": os.getpid(), "debut": _now()}), version.path / "etat.json")
    _record(root, milestone, statut="en_cours", version=version.name, pid=os.getpid(), debut=_now(), fin=None, motif=None)
    previous = published_folder(root, milestone)
    if previous is not None:
        shutil.copytree(previous, version.folder, symlinks=True)
    else:
        version.folder.mkdir()
    _link_siblings(version)
    return version


def _link_siblings(version: Version) -> None:
    """While it is built, the version sits beside the other published milestones, as a published one does.

    Notebooks and the index find earlier milestones at ``<milestone folder>/../<other>``; links
    ``.versions/<M>-<stamp>/<other> → ../../<other>`` keep that true. They are removed when the version
    is ready, so a published version holds no link (copies and archives of it never loop).
    """
    for entry in version.root.iterdir():
        if entry.name.startswith(".") or entry.name in (version.milestone, RESTRICTED_DIR):
            continue
        if _MILESTONE_NAME.match(entry.name) and (entry / "manifest.json").is_file():
            os.symlink(Path("..") / ".." / entry.name, version.path / entry.name)


def _unlink_siblings(version: Version) -> None:
    for entry in version.path.iterdir():
        if entry.is_symlink():
            entry.unlink()


def mark_ready(version: Version) -> None:
    """Every file of the version is written: from now on it may be published, even after a crash."""
    _unlink_siblings(version)
    write_text(json.dumps({"statut": "prete", "pid": os.getpid(), "fin": _now()}), version.path / "etat.json")


def switch(version: Version) -> None:
    """Make ``root/<M>`` point to a finished version, in one atomic rename; drop the older versions."""
    if version.status() != "prete":
        raise RuntimeError(f"version {version.name} inachevée : publication refusée")
    root, milestone = version.root, version.milestone
    link = root / milestone
    previous = current(root, milestone)
    target = Path(VERSIONS) / version.name / milestone
    tmp = root / f".{milestone}.lien-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    _swap(tmp, link, root, milestone)
    _record(root, milestone, statut="publiee", version=version.name, precedente=previous.name if previous else None,
            fin=_now())
    # the version just replaced stays until the next switch: a reader inside it can finish reading
    _drop_others(version, keep=previous.name if previous else None)


def _swap(tmp_link: Path, link: Path, root: Path, milestone: str) -> None:
    """The switch itself: one rename puts the new link in place of the old one."""
    if link.is_symlink() or not link.exists():
        os.replace(tmp_link, link)
    else:
        _replace_plain_folder(link, tmp_link, root, milestone)


def _drop_others(version: Version, keep: str | None = None) -> None:
    for old in versions(version.root, version.milestone):
        if old.name not in (version.name, keep):
            shutil.rmtree(old.path, ignore_errors=True)


def _replace_plain_folder(folder: Path, tmp_link: Path, root: Path, milestone: str) -> None:
    """First switch over a folder published by an older version of the runner.

    Linux exchanges the folder and the link atomically (``renameat2``); elsewhere the folder is
    moved aside first, and a crash between the two renames is repaired by :func:`recover`.
    """
    if _exchange(tmp_link, folder):
        shutil.rmtree(tmp_link, ignore_errors=True)  # tmp_link now names the old folder
        return
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    aside = Version(root, milestone, f"{milestone}-{stamp}-0")
    aside.path.mkdir(parents=True)
    write_text(json.dumps({"statut": "ancienne"}), aside.path / "etat.json")
    os.rename(folder, aside.folder)
    os.replace(tmp_link, folder)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def discard(version: Version, reason: str) -> None:
    """Drop an unfinished version; the previous publication stays as it was."""
    shutil.rmtree(version.path, ignore_errors=True)
    _record(version.root, version.milestone, statut="interrompue", fin=_now(), motif=reason)


def recover(root: Path, milestone: str) -> list[str]:
    """Repair what a killed run left: finish a finished version, discard an unfinished one.

    Returns French sentences saying what was done (empty when nothing was left behind). The caller
    holds the output folder's lock, so no version found here is being built. Besides the published
    version, only the one it replaced is kept.
    """
    messages = []
    for tmp in root.glob(f".{milestone}.lien-*"):
        tmp.unlink(missing_ok=True)
    live = current(root, milestone)
    state = last_run(root, milestone)
    finished = [v for v in versions(root, milestone)
                if (live is None or v.stamp > live.stamp) and v.folder.is_dir()
                and (v.status() == "prete" or (v.status() == "ancienne" and not (root / milestone).exists()))]
    if finished:
        version = finished[-1]
        if version.status() == "ancienne":  # an old folder moved aside, its link never made
            write_text(json.dumps({"statut": "prete"}), version.path / "etat.json")
        switch(version)
        live = version
        messages.append(f"Jalon {milestone} : publication interrompue juste avant sa mise en ligne, achevée "
                        f"(version {version.name}).")
    keep = {live.name if live else None, last_run(root, milestone).get("precedente")}
    for version in versions(root, milestone):
        if version.name in keep:
            continue
        unfinished = version.status() != "prete"
        shutil.rmtree(version.path, ignore_errors=True)
        if unfinished:
            messages.append(f"Jalon {milestone} : construction inachevée {version.name} abandonnée ; "
                            "la publication précédente est conservée.")
    if state.get("statut") == "en_cours":
        if finished:
            _record(root, milestone, statut="publiee", fin=_now(), motif="achevée à la reprise")
        else:
            _record(root, milestone, statut="interrompue", fin=_now(),
                    motif="processus arrêté avant la fin (arrêt brutal ou panne)")
    return messages
