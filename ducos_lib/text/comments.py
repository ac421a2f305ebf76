"""Themes of free comments (residents' survey comments, seminar reviews) per group, with quotes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..redaction import Roster, as_roster
from .analyses import _pick_quotes
from .codebook import Codebook
from .coding import _codebook, _non_empty, code_texts, normalised

__all__ = ["CommentThemes", "comment_themes", "themes_commentaires"]



@dataclass(frozen=True)
class CommentThemes:
    """Result of :func:`themes_commentaires`: ``counts`` and redacted ``examples``."""

    counts: pd.DataFrame
    examples: pd.DataFrame
    codebook_version: str


def themes_commentaires(
    texts: pd.Series,
    groups: pd.Series | None = None,
    *,
    codebook: Codebook | None = None,
    n_examples: int = 2,
    roster: Roster | Iterable[str] | None = None,
) -> CommentThemes:
    """Themes of free comments (survey ``commentaire``, seminar review) per group, e.g. per wave.

    Parameters
    ----------
    texts : Series of str
        Comments; blanks are ignored.
    groups : Series, optional
        Group of each comment (same index), e.g. ``vague``; all comments form one group
        ``"ensemble"`` when omitted.
    codebook : Codebook, optional
        Defaults to the staff codebook (seminar reviews). Residents' survey comments are coded with
        ``load_codebook(codebook_path("usagers"))``, as
        :func:`ducos_lib.survey.themes_commentaires_enquete` does.

    Returns
    -------
    CommentThemes
        ``counts``: ``groupe, theme, n_commentaires, n_total, part`` (``n_total`` = non-empty
        comments of the group, ``part`` in [0, 1]), every group × theme; ``examples``:
        ``groupe, theme, rang, cle, citation`` chosen as in :func:`representative_quotes`.
    """
    codebook = _codebook(codebook)
    groups = pd.Series("ensemble", index=texts.index) if groups is None else groups.reindex(texts.index)
    keep = _non_empty(texts) & groups.notna()
    texts, groups = normalised(texts[keep]).astype(str), groups[keep].astype(str)
    ind = code_texts(texts, codebook)
    counts_rows, examples = [], []
    roster = as_roster(roster)
    for group in sorted(groups.unique()):
        mask = (groups == group).to_numpy()
        total = int(mask.sum())
        for theme in codebook.codes:
            n = int(ind.loc[mask, theme].sum())
            counts_rows.append((group, theme, n, total, n / total if total else np.nan))
        answers = pd.DataFrame({"cle": texts.index[mask].astype(str), "texte": texts[mask].to_numpy()})
        quotes = _pick_quotes(answers, ind[mask].reset_index(drop=True), n_examples, roster, ["cle"])
        examples.append(quotes.assign(groupe=group))
    counts = pd.DataFrame(counts_rows, columns=["groupe", "theme", "n_commentaires", "n_total", "part"])
    ex_cols = ["groupe", "theme", "rang", "cle", "citation"]
    ex = pd.concat(examples, ignore_index=True)[ex_cols] if examples else pd.DataFrame(columns=ex_cols)
    return CommentThemes(counts, ex, codebook.version)



#: English name of :func:`themes_commentaires`.
comment_themes = themes_commentaires
