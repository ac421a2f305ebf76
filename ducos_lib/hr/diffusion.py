"""The two publication levels of the HR tables (DESIGN §6).

- ``copil`` (default, for the steering committee): no figure about fewer agents than the
  threshold (5, configurable, never below 3), with secondary masking; counts about the whole
  staff (projected retirements per year) published in full; groups of fewer agents than the
  threshold pooled in the projections; no share whose numerator or denominator is below the
  threshold; jobs at risk named only when they have at least the threshold of agents, their
  totals published only where they give away neither a masked yearly cell nor fewer departures
  than the threshold in part of a year (:func:`audit_job_totals`); single-holder posts given as
  a number, never named.
- ``restreinte`` (for the HR director and the CoTA, written to its own folder): every table
  unmasked, jobs at risk with their numbers and the list of single-holder posts with the year
  their holder can leave.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..privacy import confidentiality_threshold, feasible_ranges
from ._base import ENSEMBLE, as_datetime, check_choice, hr_config, present_agents, ts
from .gpec import (
    _projected_year,
    cumulated_departures,
    departures_table,
    jobs_at_risk,
    mask_departures,
    pool_departures,
)
from .indicators import age_pyramid, indicators_table
from .retirement import RetirementRules, inferred_rule_count, retirement_dates

LEVELS = ("copil", "restreinte")
SINGLE_HOLDER_COLUMNS = ["metier", "service", "categorie", "annee_depart_age_legal", "annee_depart_age_observe"]


@dataclass(frozen=True)
class HRPublication:
    """The HR tables of one milestone at one level of diffusion.

    Attributes
    ----------
    level : {"copil", "restreinte"}
    threshold : int or None
        Masking threshold in agents (None at the restricted level: nothing is masked).
    date_extraction : Timestamp
        The milestone's extraction.
    indicators, departures : DataFrame
        ``rh_indicateurs`` and ``rh_departs_projetes`` (every extraction up to the milestone).
    cumulated : DataFrame
        :func:`~ducos_lib.hr.gpec.cumulated_departures` of the milestone's extraction.
    pyramid : DataFrame
        :func:`~ducos_lib.hr.indicators.age_pyramid` of the milestone's extraction.
    jobs : DataFrame
        Jobs at risk (:data:`~ducos_lib.hr.gpec.JOBS_AT_RISK_COLUMNS`, at-risk rows only); at the
        copil level only métiers of at least ``threshold`` agents, counts withheld where needed.
    single_holder_posts : DataFrame
        Single-holder posts whose holder leaves within the horizon (:data:`SINGLE_HOLDER_COLUMNS`);
        empty at the copil level.
    n_single_holder_posts : int
        Their number (published at both levels).
    n_small_jobs_at_risk : int
        Jobs at risk held by 2 to ``threshold - 1`` agents, left out of ``jobs`` at the copil level
        (0 at the restricted level, where they are listed).
    n_inferred_rule : int
        Agents present whose legal age comes from an inferred row of the rules.
    """

    level: str
    threshold: int | None
    date_extraction: pd.Timestamp
    indicators: pd.DataFrame
    departures: pd.DataFrame
    cumulated: pd.DataFrame
    pyramid: pd.DataFrame
    jobs: pd.DataFrame
    single_holder_posts: pd.DataFrame
    n_single_holder_posts: int
    n_small_jobs_at_risk: int
    n_inferred_rule: int

    @property
    def restricted(self) -> bool:
        return self.level == "restreinte"


def single_holder_posts(agents: pd.DataFrame, date_extraction: Any, *, horizon: int | None = None,
                        rules: RetirementRules | None = None,
                        config: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Métiers held by one agent present whose departure (legal age) falls within the horizon.

    Returns
    -------
    DataFrame
        :data:`SINGLE_HOLDER_COLUMNS`: the métier, its holder's service and catégorie, and the
        calendar year of the holder's departure under each scenario (already past on D counts in
        D's year, as in ``rh_departs_projetes``), for the holders whose legal departure is on or
        before D + ``horizon`` years (the single-holder rule of
        :func:`~ducos_lib.hr.gpec.jobs_at_risk`). Sorted by legal year, then métier. For the
        restricted level only.
    """
    cfg = hr_config(config)
    horizon = int(horizon if horizon is not None else cfg.get("horizon_annees", 10))
    d = ts(date_extraction)
    pres = present_agents(agents, d)
    pres = pres[pres["metier"].map(pres["metier"].value_counts()) == 1]
    dates = retirement_dates(pres, rules=rules)
    out = pd.DataFrame({"metier": pres["metier"].astype("str"), "service": pres["service"].astype("str"),
                        "categorie": pres["categorie"].astype("str")})
    for s in ("age_legal", "age_observe"):
        out[f"annee_depart_{s}"] = _projected_year(dates[f"date_depart_{s}"], d).astype("Int64")
    out = out[(dates["date_depart_age_legal"] <= d + pd.DateOffset(years=horizon)).fillna(False).to_numpy()]
    return out.sort_values(["annee_depart_age_legal", "metier"], kind="stable").reset_index(drop=True)[
        SINGLE_HOLDER_COLUMNS]


def _withhold(jobs: pd.DataFrame, i: int, columns: tuple[str, ...]) -> None:
    for c in columns:
        jobs.loc[i, c] = pd.NA if c != "part_departs_fenetre" else np.nan


def _total_rows(groups: list[str], years: list[int], totals: list[tuple[str, int, pd.Timestamp]],
                n_staff: int) -> tuple[np.ndarray, int]:
    """Constraints of the métier × year cells with each year's whole staff and the job totals.

    Entries: the G × Y cells, the Y whole-staff counts, one entry per total, then for each total
    the unpublished part ``p`` of its last year (departures of that year up to the total's end
    date) and, when that year is in the table, the rest ``q`` of the year (``p + q`` = the cell).
    """
    G, Y = len(groups), len(years)
    n_parts = sum(1 + (end.year in years) for _, _, end in totals)
    n = G * Y + n_staff + len(totals) + n_parts
    rows = []
    for y in range(Y):
        a = np.zeros(n)
        a[[g * Y + y for g in range(G)]] = 1
        a[G * Y + y] = -1
        rows.append(a)
    part = G * Y + n_staff + len(totals)
    for k, (metier, _, end) in enumerate(totals):
        g = groups.index(metier)
        a = np.zeros(n)
        a[[g * Y + y for y, year in enumerate(years) if year < end.year]] = 1
        a[part] = 1  # p: the departures of the end's year up to the end date
        a[G * Y + n_staff + k] = -1
        rows.append(a)
        if end.year in years:  # p + q = that year's cell
            b = np.zeros(n)
            b[part], b[part + 1], b[g * Y + years.index(end.year)] = 1, 1, -1
            rows.append(b)
        part += 1 + (end.year in years)
    return np.array(rows), n


def audit_job_totals(jobs: pd.DataFrame, departures: pd.DataFrame, date_extraction: Any, *,
                     window_years: int, horizon: int, threshold: int | None = None,
                     scenario: str = "age_legal") -> pd.DataFrame:
    """Withhold the jobs-at-risk totals that would reveal a masked or finer figure of ``rh_departs_projetes``.

    Parameters
    ----------
    jobs : DataFrame
        Jobs at risk with masked counts (copil level), named métiers only.
    departures : DataFrame
        The published (masked, pooled) ``rh_departs_projetes`` table.
    date_extraction : date-like
        D: the window counts departures dated up to D + ``window_years``, the horizon up to
        D + ``horizon`` (:func:`~ducos_lib.hr.gpec.jobs_at_risk`), the table counts them by
        calendar year.
    threshold : int, optional
        Masking threshold (default from configuration).
    scenario : str
        Scenario of the jobs at risk.

    Returns
    -------
    DataFrame
        ``jobs`` with ``departs_fenetre`` (and its share) and ``departs_horizon`` withheld (empty)
        for a métier absent from the published métier breakdown (pooled), and wherever the
        system "each year's métiers add up to the published whole staff; each published total
        adds up its métier's years before the end date's year plus part of that year", with
        non-negative counts (:func:`ducos_lib.privacy.feasible_ranges`), would give a masked cell
        a single possible value, or the part of a year a total cuts a single value of 1 to
        ``threshold - 1`` departures. Horizon totals are withheld before window totals (the
        report shows the window).
    """
    threshold = confidentiality_threshold(threshold)
    d = ts(date_extraction)
    out = jobs.copy().reset_index(drop=True)
    dep = departures[(as_datetime(departures["date_extraction"]) == d) & (departures["scenario"] == scenario)]
    years = [int(y) for y in sorted(dep["annee"].unique())]
    cells = dep[dep["groupe_variable"] == "metier"]
    groups = list(dict.fromkeys(cells["groupe"].astype(str)))
    masked = cells.pivot_table(index="groupe", columns="annee", values="masque", aggfunc="first").reindex(
        index=groups, columns=years).fillna(False).astype(bool).to_numpy()
    # Published values (masked ones are unknown: 0 stands in, the bounds ignore them).
    counts = cells.assign(v=pd.to_numeric(cells["departs"], errors="coerce").fillna(0)).pivot_table(
        index="groupe", columns="annee", values="v", aggfunc="first").reindex(index=groups, columns=years).fillna(0)
    staff = dep[dep["groupe_variable"] == ENSEMBLE].set_index("annee")["departs"].reindex(years)
    staff = pd.to_numeric(staff, errors="coerce").fillna(0).to_numpy(dtype=float)
    ends = {"departs_fenetre": d + pd.DateOffset(years=window_years), "departs_horizon": d + pd.DateOffset(years=horizon)}
    for i, metier in enumerate(out["metier"].astype(str)):
        if metier not in groups:
            _withhold(out, i, ("departs_fenetre", "part_departs_fenetre", "departs_horizon"))
    G, Y = len(groups), len(years)
    while G and Y:
        published = [(i, c) for i, r in out.iterrows() for c in ("departs_fenetre", "departs_horizon")
                     if str(r["metier"]) in groups and pd.notna(r[c])]
        if not published:
            break
        totals = [(str(out.loc[i, "metier"]), i, ends[c]) for i, c in published]
        A, n = _total_rows(groups, years, totals, Y)
        values = np.zeros(n)
        values[:G * Y + Y + len(totals)] = np.concatenate([counts.to_numpy(dtype=float).ravel(), staff,
                                                           [float(out.loc[i, c]) for i, c in published]])
        mask = np.zeros(n, dtype=bool)
        mask[:G * Y] = masked.ravel()
        mask[G * Y + Y + len(totals):] = True  # the parts of years are never published
        low, high = feasible_ranges(A, values, mask)
        single = np.abs(high - low) <= 1e-6
        revealed = single[:G * Y] & masked.ravel()
        first_part = G * Y + Y + len(totals)
        parts = single[first_part:] & (low[first_part:] > 0.5) & (low[first_part:] < threshold - 0.5)
        if not revealed.any() and not parts.any():
            break
        # Withhold one total and look again: the total whose part of a year is revealed; else the
        # métier of a revealed cell (a cell of another row, e.g. the pool, is found through some
        # métier's totals, then any), horizon before window.
        owners = [k for k, (_, _, end) in enumerate(totals) for _ in range(1 + (end.year in years))]
        rows_hit = {groups[int(k) // Y] for k in np.flatnonzero(revealed)}
        candidates = ([published[owners[int(k)]] for k in np.flatnonzero(parts)]
                      or [t for t in published if str(out.loc[t[0], "metier"]) in rows_hit] or published)
        i, column = next((t for t in candidates if t[1] == "departs_horizon"), candidates[0])
        _withhold(out, i, ("departs_fenetre", "part_departs_fenetre") if column == "departs_fenetre" else (column,))
    return out


def publish(history: pd.DataFrame, absences: pd.DataFrame | None, *, level: str = "copil",
            date_extraction: Any | None = None, threshold: int | None = None,
            config: Mapping[str, Any] | None = None, rules: RetirementRules | None = None) -> HRPublication:
    """Every HR table of a milestone at one level of diffusion (see the module's docstring).

    Parameters
    ----------
    history : DataFrame
        ``rh_agents`` with every extraction up to the milestone.
    absences : DataFrame or None
        ``rh_absences``.
    level : {"copil", "restreinte"}
    date_extraction : date-like, optional
        The milestone's date: its extraction is the latest on or before it (default: the latest
        of ``history``).
    threshold : int, optional
        Masking threshold at the copil level (default from configuration, never below 3).
    config : mapping, optional
        The ``rh`` section of ``observatoire.yml``.
    rules : RetirementRules, optional

    Returns
    -------
    HRPublication
    """
    level = check_choice(level, LEVELS, "Niveau de diffusion")
    restricted = level == "restreinte"
    cfg = hr_config(config)
    threshold = None if restricted else confidentiality_threshold(threshold)
    dates = as_datetime(history["date_extraction"])
    if date_extraction is not None:
        history, dates = history[dates <= ts(date_extraction)], dates[dates <= ts(date_extraction)]
    if history.empty:
        raise ValueError("Aucune extraction RH à publier à cette date (rh_agents vide).")
    d = ts(dates.max())
    current = history[dates == d]
    window = int(cfg.get("fenetre_risque_annees", 5))
    horizon = int(cfg.get("horizon_annees", 10))
    options = {"config": cfg, "rules": rules}

    indicators = indicators_table(history, absences, mask=not restricted, threshold=threshold, config=cfg)
    raw = departures_table(history, mask=False, **options)
    departures = raw if restricted else mask_departures(pool_departures(raw, history, threshold), threshold)
    jobs = jobs_at_risk(current, d, mask=not restricted, threshold=threshold, only_at_risk=True, **options)
    singles = single_holder_posts(current, d, horizon=horizon, **options)
    n_small = 0
    if not restricted:
        small = jobs["masque"].astype(bool)
        n_small = int((small & ~jobs["risque_agent_unique"].astype(bool)).sum())
        jobs = audit_job_totals(jobs[~small], departures, d, window_years=window, horizon=horizon,
                                threshold=threshold)
    return HRPublication(
        level=level, threshold=threshold, date_extraction=d, indicators=indicators, departures=departures,
        cumulated=cumulated_departures(raw, departures, d, windows=(window, horizon)),
        pyramid=age_pyramid(current, d, mask=not restricted, threshold=threshold),
        jobs=jobs.reset_index(drop=True),
        single_holder_posts=singles if restricted else singles.iloc[0:0],
        n_single_holder_posts=len(singles), n_small_jobs_at_risk=n_small,
        n_inferred_rule=inferred_rule_count(current, d, rules=rules),
    )

