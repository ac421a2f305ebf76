"""Retirement rules (``config/retraite.yml``) and each agent's retirement dates (DESIGN §5, GPEC)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import load_config
from ._base import (
    CIVIL_SERVANT_STATUSES,
    RETIREMENT_CATEGORIES,
    add_months,
    as_datetime,
    check_choice,
    first_of_next_month,
    prepare,
    present_agents,
    ts,
)


@dataclass(frozen=True)
class RetirementRules:
    """Retirement rules read from ``config/retraite.yml``.

    Attributes
    ----------
    minimum_ages, age_limits : DataFrame
        ``ne_du``, ``ne_au`` (Timestamps, inclusive), ``categorie`` (sedentaire, active),
        ``age_annees``, ``age_mois``, ``certitude``, ``source``.
    active_service_years : int
        Years of active service required for the active category (17).
    observed_departure_ages : dict
        Observed average departure age (decimal years) by category.
    observation_year : int or None
        Year of those observations.
    """

    minimum_ages: pd.DataFrame
    age_limits: pd.DataFrame
    active_service_years: int
    observed_departure_ages: dict[str, float]
    observation_year: int | None = None


def _rules_table(rows: Sequence[Mapping[str, Any]], name: str) -> pd.DataFrame:
    if not rows:
        raise ValueError(f"config/retraite.yml : la table « {name} » est vide ou absente.")
    t = pd.DataFrame(list(rows))
    missing = {"ne_du", "ne_au", "categorie", "age_annees", "age_mois"} - set(t.columns)
    if missing:
        raise ValueError(f"config/retraite.yml : colonnes manquantes dans « {name} » : "
                         f"{', '.join(sorted(missing))}.")
    t["ne_du"] = pd.to_datetime(t["ne_du"].astype(str))
    t["ne_au"] = pd.to_datetime(t["ne_au"].astype(str))
    t["categorie"] = t["categorie"].astype("str")
    t["age_annees"] = t["age_annees"].astype(int)
    t["age_mois"] = t["age_mois"].astype(int)
    for c in ("certitude", "source"):
        t[c] = t[c].astype("str") if c in t else ""
    off_month = (t["ne_du"].dt.day != 1) | ~t["ne_au"].dt.is_month_end
    if off_month.any():
        r = t[off_month].iloc[0]
        raise ValueError(f"config/retraite.yml : la plage {r.ne_du:%d/%m/%Y}–{r.ne_au:%d/%m/%Y} de "
                         f"« {name} » doit commencer un 1er et finir un dernier jour de mois (seul le "
                         f"mois de naissance est connu).")
    for cat, sub in t.groupby("categorie"):
        check_choice(str(cat), RETIREMENT_CATEGORIES, f"Catégorie de « {name} »")
        sub = sub.sort_values("ne_du")
        following = sub["ne_du"].iloc[1:].to_numpy()
        ends = (sub["ne_au"].iloc[:-1] + pd.Timedelta(days=1)).to_numpy()
        if (following != ends).any():
            raise ValueError(f"config/retraite.yml : les plages de naissance de « {name} » "
                             f"({cat}) se chevauchent ou laissent un trou.")
    return t.reset_index(drop=True)


def load_retirement_rules(config: Mapping[str, Any] | None = None) -> RetirementRules:
    """Read and check the retirement rules (``config/retraite.yml`` by default).

    Raises
    ------
    ValueError
        (in French) when a table is missing, has gaps or overlaps between birth ranges, a range
        that does not start on the first / end on the last day of a month (processed data only
        know the birth month), or names an unknown category.
    """
    cfg = config if config is not None else load_config("retraite")
    observed = dict(cfg.get("ages_depart_observes", {}))
    year = observed.pop("annee_observation", None)
    observed.pop("source", None)
    ages = {k: float(v) for k, v in observed.items()}
    for cat in RETIREMENT_CATEGORIES:
        if cat not in ages:
            raise ValueError(f"config/retraite.yml : âge de départ observé absent pour « {cat} ».")
    return RetirementRules(
        minimum_ages=_rules_table(cfg.get("ages_minimaux", []), "ages_minimaux"),
        age_limits=_rules_table(cfg.get("limites_age", []), "limites_age"),
        active_service_years=int(cfg.get("duree_services_actifs_annees", 17)),
        observed_departure_ages=ages,
        observation_year=int(year) if year is not None else None,
    )


def _rule(birth: pd.Series, category: pd.Series, table: pd.DataFrame) -> pd.DataFrame:
    """Rule row (age_annees, age_mois, certitude) matching each birth date and category.

    The birth ranges of a category are contiguous and sorted (checked by :func:`_rules_table`), so
    each birth date's range is found by binary search.
    """
    n = len(birth)
    years = np.full(n, -1, dtype="int64")
    months = np.zeros(n, dtype="int64")
    certainty = np.full(n, None, dtype=object)
    b = birth.to_numpy(dtype="datetime64[ns]")
    cat = category.to_numpy(dtype=object)
    for name, sub in table.groupby("categorie", sort=False):
        sub = sub.sort_values("ne_du")
        rows = np.flatnonzero((cat == name) & ~np.isnat(b))
        if not rows.size:
            continue
        starts = sub["ne_du"].to_numpy(dtype="datetime64[ns]")
        pos = np.searchsorted(starts, b[rows], side="right") - 1
        ok = pos >= 0
        ok[ok] = b[rows[ok]] <= sub["ne_au"].to_numpy(dtype="datetime64[ns]")[pos[ok]]
        hit, at = rows[ok], pos[ok]
        years[hit] = sub["age_annees"].to_numpy()[at]
        months[hit] = sub["age_mois"].to_numpy()[at]
        certainty[hit] = sub["certitude"].to_numpy(dtype=object)[at]
    found = years >= 0
    missing = ~np.isnat(b) & ~found
    if missing.any():
        k = int(np.flatnonzero(missing)[0])
        raise ValueError(f"Aucune règle de retraite dans config/retraite.yml pour une naissance le "
                         f"{pd.Timestamp(b[k]):%d/%m/%Y} (catégorie {cat[k]}).")
    return pd.DataFrame({"age_annees": pd.Series(years, index=birth.index, dtype="Int64").mask(~found),
                         "age_mois": pd.Series(months, index=birth.index, dtype="Int64").mask(~found),
                         "certitude": pd.Series(certainty, index=birth.index, dtype="str")},
                        index=birth.index)


def _as_series(x: Any) -> tuple[pd.Series, bool]:
    if isinstance(x, pd.Series):
        return as_datetime(x), False
    return pd.Series([ts(x)], dtype="datetime64[ns]"), True


def legal_age_date(birth: Any, category: str = "sedentaire", *,
                   rules: RetirementRules | None = None) -> pd.Timestamp | pd.Series:
    """Date on which the legal minimum age of ``category`` is reached.

    Parameters
    ----------
    birth : date-like or Series
        Full birth date(s), or the first day of the birth month in processed data.
    category : {"sedentaire", "active"}
    rules : RetirementRules, optional
        Defaults to :func:`load_retirement_rules`.

    Returns
    -------
    Timestamp or Series
        Birth date + the age of the matching rule (years and months); when the target month is
        shorter, the last day of that month (born 31 Dec + 58 years 9 months → 30 Sept).

    Notes
    -----
    Every birth range of the rules starts on the first and ends on the last day of a month, so
    the first day of the birth month selects the same rule as the exact date.

    References
    ----------
    Loi n° 2023-270 (art. 10) ; loi n° 2025-1403 (LFSS 2026) ; CNRACL, catégories actives.

    Examples
    --------
    >>> legal_age_date("1961-09-01")
    Timestamp('2023-12-01 00:00:00')
    """
    rules = rules or load_retirement_rules()
    check_choice(category, RETIREMENT_CATEGORIES, "Catégorie de retraite")
    n, scalar = _as_series(birth)
    r = _rule(n, pd.Series(category, index=n.index), rules.minimum_ages)
    dates = add_months(n, r["age_annees"] * 12 + r["age_mois"])
    return dates.iloc[0] if scalar else dates


def legal_departure_date(birth: Any, category: str = "sedentaire", *,
                         rules: RetirementRules | None = None) -> pd.Timestamp | pd.Series:
    """Earliest retirement date: first day of the month following the one the legal age is reached.

    This convention (the pension's effective date, as in the régime général) does not depend on
    the day of birth, so it gives the same result from a full birth date and from the birth month
    kept in processed data. Examples: born 1961-08-31 → age 62 reached 2023-08-31 → 2023-09-01;
    born 1961-09-01 → 62 years 3 months reached 2023-12-01 → 2024-01-01.
    """
    d, scalar = _as_series(legal_age_date(birth, category, rules=rules))
    out = first_of_next_month(d)
    return out.iloc[0] if scalar else out


def retirement_dates(agents: pd.DataFrame, *, rules: RetirementRules | None = None) -> pd.DataFrame:
    """Each agent's retirement category and dates (legal, observed-age scenario, age limit).

    Parameters
    ----------
    agents : DataFrame
        ``rh_agents`` rows (``mois_naissance``, ``statut``, ``categorie_active``, ``date_entree``).
    rules : RetirementRules, optional

    Returns
    -------
    DataFrame
        Same index as ``agents``: ``matricule``, ``regime`` (``sedentaire`` or ``active``),
        ``age_legal_annees``, ``age_legal_mois``, ``certitude``, ``date_age_legal`` (the day the
        right opens), ``date_depart_age_legal``, ``date_depart_age_observe``,
        ``date_depart_limite_age``.

    Notes
    -----
    - *Active category*: applies only to fonctionnaires (titulaires, stagiaires: CNRACL) with
      ``categorie_active`` True who have completed ``active_service_years`` (17) years of active
      service. Only ``date_entree`` is known, so active service is assumed to run from entry into
      the commune (earlier active service elsewhere is ignored, which can only delay the date).
      The active right opens at the later of the active legal age and entry + 17 years; if that
      is not before the sedentary date, the sedentary rule applies (also when ``date_entree`` is
      missing). ``age_legal_*`` give the rule's age.
    - *Departure dates* are the first day of the month following the day the age (or the
      17 years) is reached, see :func:`legal_departure_date`.
    - *Observed age*: the average departure age of the agent's regime (decimal years, rounded
      to whole months: 64.1 → 64 years 1 month), never before the legal date nor after the age
      limit.
    - *Age limit* (``limites_age``): first day of the month following the limit.
    """
    rules = rules or load_retirement_rules()
    ag = prepare(agents)
    n = ag["mois_naissance"]
    sed = pd.Series("sedentaire", index=ag.index)
    act = pd.Series("active", index=ag.index)
    r_sed = _rule(n, sed, rules.minimum_ages)
    date_sed = add_months(n, r_sed["age_annees"] * 12 + r_sed["age_mois"])
    r_act = _rule(n, act, rules.minimum_ages)
    date_act = add_months(n, r_act["age_annees"] * 12 + r_act["age_mois"])
    date_17 = add_months(ag["date_entree"], rules.active_service_years * 12)
    active_opening = pd.concat([date_act, date_17], axis=1).max(axis=1, skipna=False)
    candidate = ag["categorie_active"] & ag["statut"].isin(CIVIL_SERVANT_STATUSES)
    is_active = (candidate & active_opening.notna() & date_sed.notna()
                 & (active_opening < date_sed)).astype(bool)
    regime = sed.where(~is_active, "active")
    r = r_sed.copy()
    r.loc[is_active] = r_act.loc[is_active]
    legal = date_sed.where(~is_active, active_opening)
    legal_departure = first_of_next_month(legal)

    lim_sed = _rule(n, sed, rules.age_limits)
    lim_act = _rule(n, act, rules.age_limits)
    lim = lim_sed.copy()
    lim.loc[is_active] = lim_act.loc[is_active]
    limit_departure = first_of_next_month(add_months(n, lim["age_annees"] * 12 + lim["age_mois"]))

    observed_months = regime.map(lambda c: int(round(rules.observed_departure_ages[c] * 12)))
    observed = first_of_next_month(add_months(n, observed_months))
    observed = pd.concat([observed, legal_departure], axis=1).max(axis=1, skipna=False)
    observed = pd.concat([observed, limit_departure], axis=1).min(axis=1, skipna=False)

    return pd.DataFrame({
        "matricule": ag["matricule"] if "matricule" in ag else pd.Series(pd.NA, index=ag.index),
        "regime": regime.astype("str"),
        "age_legal_annees": r["age_annees"],
        "age_legal_mois": r["age_mois"],
        "certitude": r["certitude"],
        "date_age_legal": legal,
        "date_depart_age_legal": legal_departure,
        "date_depart_age_observe": observed,
        "date_depart_limite_age": limit_departure,
    }, index=ag.index)


def inferred_rule_count(agents: pd.DataFrame, date_extraction: Any, *,
                        rules: RetirementRules | None = None) -> int:
    """Number of agents present on the date whose legal age comes from an inferred rule (``infere``)."""
    pres = present_agents(agents, date_extraction)
    if not len(pres):
        return 0
    return int((retirement_dates(pres, rules=rules)["certitude"] == "infere").sum())
