"""Shared helpers of the survey package: errors, input resolution, small numeric helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


class SurveyError(ValueError):
    """An invalid design or estimation request (message in French)."""


class RakingError(SurveyError):
    """Raking impossible: empty margin cell, unknown category, or no convergence.

    Attributes
    ----------
    variable, modalite : str or None
        The margin cell at fault (None when the problem is not about one cell).
    """

    def __init__(self, message: str, variable: str | None = None, modalite: str | None = None):
        super().__init__(message)
        self.variable = variable
        self.modalite = modalite


class RakingWarning(UserWarning):
    """Raking stopped by R's rule (:func:`~ducos_lib.survey.rake` without ``tol``) before converging."""


def readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def choice(value: Any, allowed: Sequence[str], what: str, aliases: dict | None = None) -> str:
    """``value`` if allowed (after aliases), else a French error listing the allowed values."""
    key = (aliases or {}).get(value, value)
    if key not in allowed:
        listed = list(allowed) + [a for a in (aliases or {}) if a not in allowed]
        raise SurveyError(f"{what} « {value} » inconnu(e) ; valeurs possibles : {', '.join(listed)}.")
    return key


def align(values: Any, data: pd.DataFrame, index: pd.Index | None, what: str) -> pd.Series:
    """Array-like -> Series in the design's row order.

    A pandas Series is matched **by index label** to the rows the design was built from (``index``),
    never by position; a column of the design's own ``data`` (index ``0..n-1``) is taken as it is;
    any other Series whose labels are not exactly those rows is refused with a French message.
    NumPy arrays and lists are positional.
    """
    n = len(data)
    if isinstance(values, pd.Series):
        if index is not None and not values.index.equals(index):
            same_labels = (
                len(values) == n
                and index.is_unique
                and values.index.is_unique
                and values.index.sort_values().equals(index.sort_values())
            )
            from_design_data = values.index.equals(data.index)  # a column of ``des.data`` (0..n-1)
            if from_design_data and not same_labels:
                return pd.Series(values.to_numpy(), name=values.name)
            if not same_labels:
                raise SurveyError(
                    f"{what} : la série fournie n'a pas les mêmes étiquettes d'index que les données "
                    "du plan (lignes absentes, en trop ou dupliquées). Passer une colonne du tableau "
                    "qui a servi à construire le plan, ou un tableau NumPy dans l'ordre de ses lignes."
                )
            values = values.reindex(index)
        return pd.Series(values.to_numpy(), name=values.name)
    arr = values.to_numpy() if isinstance(values, pd.Index) else np.asarray(values)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise SurveyError(f"{what} : {arr.shape[0] if arr.ndim else 1} valeurs fournies pour {n} lignes de données.")
    return pd.Series(arr)


def resolve(data: pd.DataFrame, spec: Any, what: str, index: pd.Index | None = None) -> pd.Series | None:
    """Column name, array-like or None -> Series in the design's row order (see :func:`align`)."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec not in data.columns:
            raise SurveyError(f"La colonne « {spec} » ({what}) est absente des données.")
        return data[spec].reset_index(drop=True)
    if np.isscalar(spec):
        return pd.Series(np.full(len(data), spec))
    return align(spec, data, index, what)


def to_float(values: Any, what: str) -> np.ndarray:
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values))
    if pd.api.types.is_bool_dtype(s.dtype):
        s = s.astype("float64")
    try:
        return s.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise SurveyError(f"La variable « {what} » n'est pas numérique ({exc}).") from None


def check_missing(y: np.ndarray, na_rm: bool, what: str) -> None:
    """With ``na_rm=False``, a missing value is an error (R's ``na.rm=FALSE`` gives NA)."""
    if not na_rm and np.isnan(y).any():
        k = int(np.isnan(y).sum())
        first = int(np.flatnonzero(np.isnan(y))[0])
        raise SurveyError(
            f"La variable « {what} » a {k} valeur(s) manquante(s) (première à la ligne {first + 1} "
            "des données du plan). Comme R (na.rm = FALSE), l'estimation s'arrête : passer na_rm=True "
            "pour laisser ces lignes hors du domaine de l'estimation."
        )


def name_of(variable: Any) -> str:
    if isinstance(variable, str):
        return variable
    return str(getattr(variable, "name", None) or "x")


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def compact(codes: np.ndarray) -> np.ndarray:
    """Renumber non-negative codes to 0..K-1 keeping order (drops unused codes)."""
    used = np.unique(codes[codes >= 0])
    out = np.full(codes.shape, -1, dtype=np.int64)
    pos = codes >= 0
    out[pos] = np.searchsorted(used, codes[pos])
    return out


def codes_for(values: pd.Series, levels: Sequence) -> np.ndarray:
    """Position of each value in ``levels`` (-1 when missing or not listed)."""
    return pd.Index(list(levels), dtype=object).get_indexer(values.astype(object)).astype(np.int64)


def as_str(values: pd.Series) -> pd.Series:
    """String labels for matching margins (1.0 -> '1', 'E' -> 'E'); values have no NaN here."""
    if pd.api.types.is_float_dtype(values.dtype):
        vals = values.to_numpy(dtype=np.float64)
        if np.all(vals == np.round(vals)):
            return pd.Series(vals.astype(np.int64)).astype("str")
    return values.astype("str").str.strip()
