"""Vocabulary and small helpers shared by the HR modules (dates, presence, ages, groups)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..config import load_config

STATUSES = ("titulaire", "stagiaire", "contractuel_permanent", "contractuel_non_permanent")
#: Permanent headcount of the RSU: fonctionnaires (titulaires, stagiaires) + contractuels permanents.
PERMANENT_STATUSES = ("titulaire", "stagiaire", "contractuel_permanent")
#: Only fonctionnaires (CNRACL) can retire under the active category.
CIVIL_SERVANT_STATUSES = ("titulaire", "stagiaire")
ABSENCE_REASONS = ("MO", "CLM", "CLD", "AT", "MP", "MAT", "PAT", "AUTRE")
#: Breakdowns of ``rh_indicateurs`` (besides ``ensemble``).
BREAKDOWNS = ("statut", "categorie", "filiere", "sexe", "service")
#: Breakdowns of ``rh_departs_projetes`` (besides ``ensemble``).
GPEC_BREAKDOWNS = ("service", "categorie", "filiere", "metier")
SCENARIOS = ("age_legal", "age_observe")
RETIREMENT_CATEGORIES = ("sedentaire", "active")
ENSEMBLE = "ensemble"
NON_RENSEIGNE = "non_renseigne"

INDICATOR_COLUMNS = ["date_extraction", "indicateur", "groupe_variable", "groupe", "valeur", "effectif", "masque"]
DEPARTURE_COLUMNS = ["date_extraction", "scenario", "annee", "groupe_variable", "groupe", "departs", "masque"]


def ts(date: Any) -> pd.Timestamp:
    """A date as a normalised Timestamp; a French error when it is not a date."""
    value = pd.Timestamp(date)
    if pd.isna(value):
        raise ValueError(f"Date invalide : {date!r}.")
    return value.normalize()


def check_choice(value: str, allowed: Iterable[str], name: str) -> str:
    """``value`` when it is one of ``allowed``, else a French error listing them."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise ValueError(f"{name} inconnu : {value!r} (valeurs permises : {', '.join(allowed)}).")
    return value


def hr_config(config: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The ``rh`` section of ``observatoire.yml`` unless one is given."""
    return config if config is not None else load_config("observatoire").get("rh", {})


def window_12_months(date_extraction: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day (both included) of the 12 months ending on ``date_extraction``.

    Examples
    --------
    >>> window_12_months("2025-12-31")
    (Timestamp('2025-01-01 00:00:00'), Timestamp('2025-12-31 00:00:00'))
    """
    end = ts(date_extraction)
    return end - pd.DateOffset(years=1) + pd.Timedelta(days=1), end


def as_datetime(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).astype("datetime64[ns]")


def prepare(agents: pd.DataFrame) -> pd.DataFrame:
    """Copy with typed columns, missing labels filled and optional columns defaulted."""
    df = agents.copy()
    for col in ("date_entree", "date_sortie", "mois_naissance", "date_extraction"):
        if col in df.columns:
            df[col] = as_datetime(df[col])
        else:
            df[col] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    for col in ("statut", "categorie", "filiere", "sexe", "service", "metier", "cadre_emplois"):
        if col in df.columns:
            df[col] = df[col].astype("str").where(df[col].notna(), NON_RENSEIGNE)
            df[col] = df[col].fillna(NON_RENSEIGNE)
        else:
            df[col] = NON_RENSEIGNE
    for col in ("categorie_active", "encadrant", "boe"):
        df[col] = df[col].fillna(False).astype(bool) if col in df.columns else False
    df["quotite"] = pd.to_numeric(df["quotite"], errors="coerce") if "quotite" in df.columns else 100.0
    df["heures_formation"] = (pd.to_numeric(df["heures_formation"], errors="coerce").fillna(0.0)
                              if "heures_formation" in df.columns else 0.0)
    return df


def present_on(agents: pd.DataFrame, date: Any) -> pd.Series:
    """Boolean mask of agents present on ``date`` (entered on or before it, not yet gone)."""
    d = ts(date)
    entry = (as_datetime(agents["date_entree"]) if "date_entree" in agents
             else pd.Series(pd.NaT, index=agents.index))
    exit_ = (as_datetime(agents["date_sortie"]) if "date_sortie" in agents
             else pd.Series(pd.NaT, index=agents.index))
    return ((entry.isna() | (entry <= d)) & (exit_.isna() | (exit_ > d))).astype(bool)


def present_agents(agents: pd.DataFrame, date: Any) -> pd.DataFrame:
    """Prepared rows of the agents present on ``date``, one per ``matricule``."""
    ag = prepare(agents)
    return ag[present_on(ag, date)].drop_duplicates("matricule", keep="last")


def age_in_months(birth: pd.Series | Any, date: Any) -> pd.Series | int:
    """Completed months of age at ``date`` (birth stored as a date, e.g. the first of its month)."""
    d = ts(date)
    if isinstance(birth, pd.Series):
        n = as_datetime(birth)
        return (d.year - n.dt.year) * 12 + (d.month - n.dt.month) - (d.day < n.dt.day).astype(int)
    n = ts(birth)
    return (d.year - n.year) * 12 + (d.month - n.month) - int(d.day < n.day)


def add_months(dates: pd.Series, months: pd.Series | int) -> pd.Series:
    """Add whole months to dates, clamping the day to the end of the target month."""
    dates = as_datetime(dates)
    months = pd.Series(months, index=dates.index) if not isinstance(months, pd.Series) else months
    ok = dates.notna() & months.notna()
    out = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
    if not ok.any():
        return out
    d, m = dates[ok], months[ok].astype(int)
    total = d.dt.year * 12 + (d.dt.month - 1) + m
    year, month = total // 12, total % 12 + 1
    first = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}))
    day = np.minimum(d.dt.day, first.dt.days_in_month)
    out[ok] = first + pd.to_timedelta(day - 1, unit="D")
    return out


def first_of_next_month(dates: pd.Series) -> pd.Series:
    dates = as_datetime(dates)
    out = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
    ok = dates.notna()
    out[ok] = (dates[ok].dt.to_period("M") + 1).dt.to_timestamp()
    return out


def iter_groups(df: pd.DataFrame, breakdowns: Sequence[str]) -> Iterator[tuple[str, str, pd.DataFrame]]:
    """Yield (groupe_variable, groupe, sub-frame): the ensemble, then each group of each breakdown."""
    yield ENSEMBLE, ENSEMBLE, df
    for v in breakdowns:
        for g, sub in df.groupby(v, sort=True):
            yield v, str(g), sub


def dated_table(rows: list, d: pd.Timestamp, columns: list[str], *, text: Sequence[str],
                integers: Sequence[str]) -> pd.DataFrame:
    """Rows of one extraction as a typed frame: ``date_extraction`` first, ``masque`` False."""
    out = pd.DataFrame(rows, columns=columns)
    out.insert(0, "date_extraction", pd.Series([d] * len(out), dtype="datetime64[ns]"))
    for c in integers:
        out[c] = out[c].astype("Int64")
    for c in text:
        out[c] = out[c].astype("str")
    out["masque"] = False
    return out


def extraction_dates(agents: pd.DataFrame, dates: Iterable[Any] | None) -> list[pd.Timestamp]:
    """The dates to compute: those given, or every ``date_extraction`` of ``agents``."""
    if dates is None:
        return sorted(pd.Timestamp(x).normalize() for x in as_datetime(agents["date_extraction"]).dropna().unique())
    return sorted(ts(x) for x in dates)


def empty_table(columns: Sequence[str], dtypes: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(columns, dtypes)})


def milestone_extractions(history: pd.DataFrame | None, milestone_dates: Mapping[str, Any]) -> dict[str, pd.Timestamp]:
    """The extraction each milestone uses: the latest on or before its date.

    Parameters
    ----------
    history : DataFrame or None
        ``rh_agents`` with every extraction up to the milestone.
    milestone_dates : mapping
        Milestone → date, in order (e.g. ``{"T0": ..., "T6": ...}``).

    Returns
    -------
    dict
        Milestone → extraction date, in milestone order; milestones without an extraction are left
        out, and two milestones sharing one extraction keep the first.

    Examples
    --------
    >>> h = pd.DataFrame({"date_extraction": pd.to_datetime(["2025-11-30", "2026-05-31"])})
    >>> milestone_extractions(h, {"T0": "2025-12-01", "T6": "2026-06-01", "T12": "2026-06-30"})
    {'T0': Timestamp('2025-11-30 00:00:00'), 'T6': Timestamp('2026-05-31 00:00:00')}
    """
    if history is None or history.empty:
        return {}
    available = sorted(as_datetime(history["date_extraction"]).dropna().unique())
    out: dict[str, pd.Timestamp] = {}
    for milestone, date in milestone_dates.items():
        before = [pd.Timestamp(x) for x in available if pd.Timestamp(x) <= ts(date)]
        if before and before[-1] not in out.values():
            out[milestone] = before[-1]
    return out
