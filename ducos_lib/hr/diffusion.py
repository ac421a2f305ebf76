"""The two publication levels of the HR tables (DESIGN §6).

- ``copil`` (default, for the steering committee): no figure about fewer agents than the
  threshold (5, configurable, never below 3), with secondary masking; counts about the whole
  staff (projected retirements per year) published in full; groups of fewer agents than the
  threshold pooled in the projections; no share whose numerator or denominator is below the
  threshold; jobs at risk named only when they have at least the threshold of agents, their
  counts published only where no masked yearly cell can be recovered from them; single-holder
  posts given as a number, never named.
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

from ..privacy import confidentiality_threshold, determined_cells
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
        projected calendar year of the holder's departure under each scenario (as in
        ``rh_departs_projetes``: already past on D counts in D's year; beyond the horizon is
        empty). Sorted by legal year, then métier. For the restricted level only.
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
        year = _projected_year(dates[f"date_depart_{s}"], d)
        out[f"annee_depart_{s}"] = year.mask(year >= d.year + horizon).astype("Int64")
    out = out[out["annee_depart_age_legal"].notna()]
    return out.sort_values(["annee_depart_age_legal", "metier"], kind="stable").reset_index(drop=True)[
        SINGLE_HOLDER_COLUMNS]


def _withhold(jobs: pd.DataFrame, i: int, columns: tuple[str, ...]) -> None:
    for c in columns:
        jobs.loc[i, c] = pd.NA if c != "part_departs_fenetre" else np.nan


def audit_job_totals(jobs: pd.DataFrame, departures: pd.DataFrame, date_extraction: Any, *,
                     window_years: int, scenario: str = "age_legal") -> pd.DataFrame:
    """Withhold the jobs-at-risk totals that would reveal a masked yearly cell of ``rh_departs_projetes``.

    Parameters
    ----------
    jobs : DataFrame
        Jobs at risk with masked counts (copil level), named métiers only.
    departures : DataFrame
        The published (masked, pooled) ``rh_departs_projetes`` table.
    date_extraction : date-like
    window_years : int
        The jobs' window, in projected calendar years (its horizon is the table's whole horizon).
    scenario : str
        Scenario of the jobs at risk.

    Returns
    -------
    DataFrame
        ``jobs`` with ``departs_fenetre`` (and its share) and ``departs_horizon`` withheld (empty)
        for a métier absent from the published métier breakdown (pooled), and wherever the
        system "each year's métiers add up to the published whole staff + each published total
        adds up its métier's years", with non-negative counts, would leave a masked cell a single
        possible value (:func:`ducos_lib.privacy.determined_cells`). Horizon totals are withheld
        before window totals (the report shows the window).
    """
    d = ts(date_extraction)
    out = jobs.copy().reset_index(drop=True)
    dep = departures[(as_datetime(departures["date_extraction"]) == d) & (departures["scenario"] == scenario)]
    years = sorted(dep["annee"].astype(int).unique())
    cells = dep[dep["groupe_variable"] == "metier"]
    groups = list(dict.fromkeys(cells["groupe"].astype(str)))
    masked = cells.pivot_table(index="groupe", columns="annee", values="masque", aggfunc="first").reindex(
        index=groups, columns=years).fillna(False).astype(bool).to_numpy()
    # Published values (masked ones are unknown: 0 stands in, determined_cells ignores them).
    counts = cells.assign(v=pd.to_numeric(cells["departs"], errors="coerce").fillna(0)).pivot_table(
        index="groupe", columns="annee", values="v", aggfunc="first").reindex(index=groups, columns=years).fillna(0)
    staff = dep[dep["groupe_variable"] == ENSEMBLE].set_index("annee")["departs"].reindex(years)
    staff = pd.to_numeric(staff, errors="coerce").fillna(0).to_numpy(dtype=float)
    window = [y < d.year + window_years for y in years]
    for i, metier in enumerate(out["metier"].astype(str)):
        if metier not in groups:
            _withhold(out, i, ("departs_fenetre", "part_departs_fenetre", "departs_horizon"))
    G, Y = len(groups), len(years)
    while G and Y:
        # Entries: the G × Y cells, then the published totals (known). Constraints: each year's
        # cells sum to the (published) whole staff; each published job total sums its years.
        totals = []  # (job index, column, row of groups, years selected)
        for i, r in out.iterrows():
            if str(r["metier"]) not in groups:
                continue
            g = groups.index(str(r["metier"]))
            if pd.notna(r["departs_fenetre"]):
                totals.append((i, "departs_fenetre", g, window))
            if pd.notna(r["departs_horizon"]):
                totals.append((i, "departs_horizon", g, [True] * Y))
        n = G * Y + Y + len(totals)
        rows = []
        for y in range(Y):
            a = np.zeros(n)
            a[[g * Y + y for g in range(G)]] = 1
            a[G * Y + y] = -1
            rows.append(a)
        for k, (_, _, g, sel) in enumerate(totals):
            a = np.zeros(n)
            a[[g * Y + y for y in range(Y) if sel[y]]] = 1
            a[G * Y + Y + k] = -1
            rows.append(a)
        mask = np.concatenate([masked.ravel(), np.zeros(Y + len(totals), dtype=bool)])
        values = np.concatenate([counts.to_numpy(dtype=float).ravel(), staff,
                                 [float(out.loc[i, c]) for i, c, _, _ in totals]])
        found = np.flatnonzero(determined_cells(np.array(rows), values, mask)[:G * Y])
        if found.size == 0:
            break
        g = int(found[0]) // Y
        if not totals:  # pragma: no cover - the one-way masking of the table protects each year alone
            raise AssertionError("Masquage des départs projetés : une case reste recalculable sans total de métier.")
        # Withhold one total and look again: the cell's own métier first (a cell of another row,
        # e.g. the pool, is found through some métier's totals), horizon before window.
        own = [t for t in totals if t[2] == g] or totals
        i, column = next(((i, c) for i, c, _, _ in own if c == "departs_horizon"), own[0][:2])
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
        jobs = audit_job_totals(jobs[~small], departures, d, window_years=window)
    return HRPublication(
        level=level, threshold=threshold, date_extraction=d, indicators=indicators, departures=departures,
        cumulated=cumulated_departures(raw, departures, d, windows=(window, horizon)),
        pyramid=age_pyramid(current, d, mask=not restricted, threshold=threshold),
        jobs=jobs.reset_index(drop=True),
        single_holder_posts=singles if restricted else singles.iloc[0:0],
        n_single_holder_posts=len(singles), n_small_jobs_at_risk=n_small,
        n_inferred_rule=inferred_rule_count(current, d, rules=rules),
    )

