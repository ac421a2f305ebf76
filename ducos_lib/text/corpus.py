"""The labelled corpus of real French answers (``data/corpus/``) and the project's own labelled sets.

``data/corpus/agents_*.csv`` (staff themes) and ``usagers_*.csv`` (residents' themes) hold short
excerpts of public French text with their source and human labels (columns ``id, lot, public, champ,
texte, themes, source_url, source_type, source_titre``). ``lot`` is ``entrainement`` (used to develop and
train) or ``aveugle`` (the blind lot: never used to develop, tune or train; read only by
:func:`load_blind` to measure a frozen model once per version).

:func:`load_training` never returns a blind row. Development is cross-validated grouped by
``source_url``, so one page never sits on both sides of a split.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import ROOT
from .codebook import Codebook

__all__ = ["CORPUS_DIR", "TRAINING_LOT", "BLIND_LOT", "corpus_files", "labels_to_indicators", "load_blind",
           "load_training"]

CORPUS_DIR = ROOT / "data" / "corpus"
TRAINING_LOT = "entrainement"
BLIND_LOT = "aveugle"
#: Corpus file prefix of each codebook.
PREFIXES = {"immersions": "agents_", "usagers": "usagers_"}
#: Project-written labelled sets used as extra training data (not real text: never evaluated on).
PROJECT_SETS = {"immersions": ROOT / "tests" / "fixtures" / "codage_annote.csv",
                "usagers": ROOT / "tests" / "fixtures" / "commentaires_usagers_annotes.csv"}
_COLUMNS = ["id", "lot", "public", "champ", "texte", "themes", "source_url", "source_type", "source_titre"]


def corpus_files(name: str, corpus_dir: Path | None = None) -> list[Path]:
    """The corpus CSV files of a codebook (``agents_*.csv`` or ``usagers_*.csv``), sorted."""
    folder = Path(corpus_dir) if corpus_dir is not None else CORPUS_DIR
    return sorted(folder.glob(f"{PREFIXES[name]}*.csv"))


def labels_to_indicators(labels: pd.Series, themes: Sequence[str], sep: str = ";") -> pd.DataFrame:
    """Turn ``"theme_a;theme_b"`` label strings (blank = no theme) into boolean indicators.

    Raises
    ------
    ValueError
        When a label is not one of ``themes``.
    """
    sets = labels.fillna("").astype(str).map(lambda s: {x.strip() for x in s.split(sep) if x.strip()})
    unknown = set().union(*sets) - set(themes) if len(sets) else set()
    if unknown:
        raise ValueError(f"Thèmes inconnus dans les étiquettes : {sorted(unknown)} ; attendus : {list(themes)}.")
    return pd.DataFrame({t: sets.map(lambda s, t=t: t in s).astype(bool) for t in themes}, index=labels.index)


def _read(files: Sequence[Path], lot: str) -> pd.DataFrame:
    frames = []
    for path in files:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in ("lot", "texte", "themes", "source_url") if c not in frame.columns]
        if missing:
            raise ValueError(f"Corpus {path.name} : colonnes absentes {missing} (attendu : {', '.join(_COLUMNS)}).")
        frame = frame[frame["lot"] == lot]
        frames.append(frame.assign(fichier=path.name))
    if not frames:
        return pd.DataFrame(columns=_COLUMNS + ["fichier"])
    return pd.concat(frames, ignore_index=True)


def load_training(codebook: Codebook, *, project_sets: bool = True, corpus_dir: Path | None = None) -> pd.DataFrame:
    """Training answers of a codebook: the corpus' ``entrainement`` lot, plus the project's own sets.

    Parameters
    ----------
    codebook : Codebook
        Its ``name`` chooses the corpus files; its themes the label columns.
    project_sets : bool
        Add the project-written labelled answers (``tests/fixtures/``), as extra training data only:
        they are marked ``reel = False`` and never scored.

    Returns
    -------
    DataFrame
        ``texte, groupe, reel`` then one boolean column per theme. ``groupe`` is the source page
        (``source_url``) for real answers, ``projet:<lot>`` or ``projet:<id>`` for project-written ones
        (the fixtures' sets and the corpus rows of ``source_type`` ``ecrit_projet``): those have
        ``reel`` False.
    """
    real = _read(corpus_files(codebook.name, corpus_dir), TRAINING_LOT)
    real = real[real["texte"].str.strip() != ""]
    # project-written corpus rows (no source page) train but are never scored
    written = (real["source_type"] == "ecrit_projet").to_numpy() if "source_type" in real else np.zeros(len(real), bool)
    groups = np.where(written, "projet:" + real["id"].astype(str).to_numpy(), real["source_url"].to_numpy())
    out = pd.DataFrame({"texte": real["texte"].to_numpy(), "groupe": groups, "reel": ~written})
    labels = [labels_to_indicators(real["themes"], codebook.codes)]
    extra = PROJECT_SETS.get(codebook.name)
    if project_sets and extra is not None and extra.exists():
        own = pd.read_csv(extra, dtype=str, keep_default_na=False)
        out = pd.concat([out, pd.DataFrame({"texte": own["texte"].to_numpy(),
                                            "groupe": ("projet:" + own["lot"]).to_numpy(), "reel": False})],
                        ignore_index=True)
        labels.append(labels_to_indicators(own["themes"], codebook.codes))
    ind = pd.concat(labels, ignore_index=True)
    return pd.concat([out, ind], axis=1)


def load_blind(codebook: Codebook, *, corpus_dir: Path | None = None) -> pd.DataFrame:
    """The blind lot (``aveugle``): ONLY to score a frozen model version, once, never to develop.

    Returns
    -------
    DataFrame
        ``id, texte, groupe, reel`` and one boolean column per theme (``id``: the corpus row's id, which
        a model card records so its figures can be recomputed on exactly the rows it was scored on).
    """
    blind = _read(corpus_files(codebook.name, corpus_dir), BLIND_LOT)
    out = pd.DataFrame({"id": blind["id"].to_numpy(), "texte": blind["texte"].to_numpy(),
                        "groupe": blind["source_url"].to_numpy(), "reel": True})
    return pd.concat([out, labels_to_indicators(blind["themes"], codebook.codes).reset_index(drop=True)], axis=1)
