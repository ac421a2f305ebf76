"""GPEC: retirements projected per year and group, jobs at risk, publishable cumulated totals
(DESIGN §5; masking of DESIGN §6)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..privacy import confidentiality_threshold, mask_long_table
from ._base import (
    DEPARTURE_COLUMNS,
    ENSEMBLE,
    GPEC_BREAKDOWNS,
    SCENARIOS,
    as_datetime,
    check_choice,
    dated_table,
    empty_table,
    hr_config,
    present_agents,
    ts,
)
from .indicators import per_extraction
from .retirement import RetirementRules, retirement_dates

#: Group of ``rh_departs_projetes`` pooling the groups of fewer agents than the threshold (copil level).
AUTRES = "autres"
JOBS_AT_RISK_COLUMNS = ["metier", "effectif", "departs_fenetre", "part_departs_fenetre", "departs_horizon",
                        "risque_part_elevee", "risque_agent_unique", "a_risque", "masque"]


def _projected_year(departure: pd.Series, d: pd.Timestamp) -> pd.Series:
    """Calendar year of each departure; a departure date on or before D counts in D's year.

    An unknown date (missing birth month) gives no year: the agent is not projected.
    """
    year = departure.dt.year.where(departure > d, d.year).astype("Int64")
    return year.mask(departure.isna())


def _horizon(horizon: int | None, cfg: Mapping[str, Any]) -> int:
    horizon = int(horizon if horizon is not None else cfg.get("horizon_annees", 10))
    if horizon < 1:
        raise ValueError(f"Horizon de projection invalide : {horizon} (attendu : au moins 1 an).")
    return horizon


def pool_small_groups(sizes: Mapping[str, int], threshold: int) -> dict[str, str] | None:
    """Published group of each group of a breakdown: itself, or :data:`AUTRES` when too small.

    Parameters
    ----------
    sizes : mapping
        Group → number of agents present.
    threshold : int
        Groups of fewer agents are pooled.

    Returns
    -------
    dict or None
        Group → published group. The pool holds every group below ``threshold``; while it holds
        fewer than ``threshold`` agents, the smallest other group joins it (so that no pool is one
        small group under another name). None when every group ends in the pool: the breakdown
        would only repeat the ensemble and is not published.

    Examples
    --------
    >>> pool_small_groups({"A": 12, "B": 2, "C": 1, "D": 7}, 5)
    {'A': 'A', 'B': 'autres', 'C': 'autres', 'D': 'autres'}
    >>> pool_small_groups({"A": 12, "B": 6}, 5)
    {'A': 'A', 'B': 'B'}
    """
    sizes = dict(sizes)
    pooled = {g for g, n in sizes.items() if n < threshold}
    if not pooled:
        return {g: g for g in sizes}
    regular = sorted((g for g in sizes if g not in pooled), key=lambda g: (sizes[g], str(g)))
    while sum(sizes[g] for g in pooled) < threshold and regular:
        pooled.add(regular.pop(0))
    if not regular:
        return None
    return {g: (AUTRES if g in pooled else g) for g in sizes}


def project_departures(agents: pd.DataFrame, date_extraction: Any, *, horizon: int | None = None,
                       scenarios: Sequence[str] = SCENARIOS, breakdowns: Sequence[str] = GPEC_BREAKDOWNS,
                       rules: RetirementRules | None = None,
                       config: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Retirements projected per calendar year, by scenario and group (not masked).

    Parameters
    ----------
    agents : DataFrame
        The extraction's ``rh_agents`` rows; agents present on ``date_extraction`` are projected.
    date_extraction : date-like
        The extraction date D.
    horizon : int, optional
        Number of calendar years projected (default ``rh.horizon_annees``, 10): D's year and the
        ``horizon - 1`` following ones.
    scenarios : sequence of {"age_legal", "age_observe"}
    breakdowns : sequence of {"service", "categorie", "filiere", "metier"}
    rules : RetirementRules, optional
    config : mapping, optional
        The ``rh`` section of ``observatoire.yml``.

    Returns
    -------
    DataFrame
        Columns :data:`DEPARTURE_COLUMNS`, one row per scenario × year × group (``ensemble``
        first), zeros included; ``masque`` False.

    Notes
    -----
    The first projected year is D's calendar year: it holds the departures dated after D in that
    year **and** the agents already past their departure date on D (they are still in post, so
    they are expected to leave at once). Agents leaving after the last projected year are not
    counted. Each agent is projected once, under the scenario's date from
    :func:`~ducos_lib.hr.retirement.retirement_dates`. Retirement rules are applied to every
    agent present, contractuels included (their régime général has the same sedentary legal
    ages). No mortality, invalidity or other departures.

    References
    ----------
    Loi n° 2023-270 ; loi n° 2025-1403 ; CNRACL (catégories actives).
    """
    horizon = _horizon(horizon, hr_config(config))
    for s in scenarios:
        check_choice(s, SCENARIOS, "Scénario")
    for g in breakdowns:
        check_choice(g, GPEC_BREAKDOWNS, "Groupe")
    d = ts(date_extraction)
    pres = present_agents(agents, d)
    dates = retirement_dates(pres, rules=rules)
    years = list(range(d.year, d.year + horizon))
    rows = []
    for s in scenarios:
        year = _projected_year(dates[f"date_depart_{s}"], d)
        for gv in (ENSEMBLE, *breakdowns):
            key = pd.Series(ENSEMBLE, index=pres.index) if gv == ENSEMBLE else pres[gv]
            groups = sorted(pd.unique(key))
            counts = (pd.crosstab(key, year).reindex(index=groups, columns=years, fill_value=0).to_numpy()
                      if len(pres) else np.zeros((len(groups), len(years)), dtype=int))
            for i, g in enumerate(groups):
                for j, a in enumerate(years):
                    rows.append({"scenario": s, "annee": a, "groupe_variable": gv, "groupe": str(g),
                                 "departs": int(counts[i, j])})
    out = dated_table(rows, d, ["scenario", "annee", "groupe_variable", "groupe", "departs"],
                      text=("scenario", "groupe_variable", "groupe"), integers=("departs",))
    out["annee"] = out["annee"].astype("int64")
    return out[DEPARTURE_COLUMNS]


def pool_departures(table: pd.DataFrame, agents: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """Pool the groups of fewer agents than ``threshold`` into :data:`AUTRES` in an unmasked table.

    At the copil level no group about fewer agents than the masking threshold is named in
    ``rh_departs_projetes``, not even with zero departures (a row of zeros and one small cell
    would give the year a single-holder post's holder leaves).

    Parameters
    ----------
    table : DataFrame
        Unmasked ``rh_departs_projetes`` (:func:`departures_table` with ``mask=False``).
    agents : DataFrame
        The ``rh_agents`` it was computed from (group sizes: agents present on each date).
    threshold : int, optional
        Masking threshold (default from configuration).

    Returns
    -------
    DataFrame
        Same columns and order (scenario, breakdown, group, year); each breakdown's small groups
        summed into :data:`AUTRES` (see :func:`pool_small_groups`), a breakdown that would pool
        every group left out.
    """
    threshold = confidentiality_threshold(threshold)
    dates = as_datetime(table["date_extraction"])
    parts = []
    for d, current, _ in per_extraction(agents, sorted(dates.unique())):
        pres = present_agents(current, d)
        block = table[dates == d]
        for gv in pd.unique(block["groupe_variable"]):
            sub = block[block["groupe_variable"] == gv]
            if gv != ENSEMBLE:
                published = pool_small_groups(pres[gv].value_counts().to_dict(), threshold)
                if published is None:
                    continue
                sub = sub.assign(groupe=sub["groupe"].map(published).astype("str"))
            parts.append(sub)
    if not parts:
        return table.iloc[0:0]
    out = pd.concat(parts, ignore_index=True)
    keys = ["date_extraction", "scenario", "annee", "groupe_variable", "groupe"]
    out = out.groupby(keys, sort=False, as_index=False).agg(departs=("departs", "sum"), masque=("masque", "any"))
    scenario = {s: i for i, s in enumerate(pd.unique(out["scenario"]))}
    variable = {v: i for i, v in enumerate(pd.unique(out["groupe_variable"]))}
    order = pd.DataFrame({"d": out["date_extraction"], "s": out["scenario"].map(scenario),
                          "v": out["groupe_variable"].map(variable), "g": out["groupe"], "a": out["annee"]})
    out = out.loc[order.sort_values(["d", "s", "v", "g", "a"], kind="stable").index].reset_index(drop=True)
    out["departs"] = out["departs"].astype("Int64")
    return out[DEPARTURE_COLUMNS]


def mask_departures(table: pd.DataFrame, threshold: int | None = None, *,
                    publish_whole_staff: bool = True) -> pd.DataFrame:
    """Apply the copil masking of DESIGN §6 to an ``rh_departs_projetes`` table.

    The ``ensemble`` rows (departures of the whole staff) are published whatever their count
    (``publish_whole_staff``). Other cells with 1 to ``threshold - 1`` departures are masked (0
    is published: it concerns nobody); in each (date, scenario, year) block, a breakdown with
    exactly one masked group gets the next smallest group masked too, so the ``ensemble`` total
    does not reveal it. Totals over several years are not part of the table: a report that
    publishes them must audit them (see :func:`cumulated_departures` and
    :func:`ducos_lib.hr.diffusion.publish`).
    """
    return mask_long_table(table, threshold, keys=("date_extraction", "scenario", "annee"), count="departs",
                           masked_columns=("departs",), publish_totals=publish_whole_staff)


def departures_table(agents: pd.DataFrame, dates: Iterable[Any] | None = None, *, mask: bool = True,
                     threshold: int | None = None, **options: Any) -> pd.DataFrame:
    """The §4 table ``rh_departs_projetes.csv`` over several extraction dates.

    Parameters
    ----------
    agents : DataFrame
        ``rh_agents`` with every extraction.
    dates : iterable of date-like, optional
        Defaults to every ``date_extraction``; each date uses the latest extraction on or before it.
    mask : bool, default True
        The copil level: groups of fewer agents than ``threshold`` pooled into :data:`AUTRES`
        (:func:`pool_departures`), then :func:`mask_departures` (whole staff published, small
        cells masked). False gives every group and every count (the restricted level).
    threshold : int, optional
    **options
        Passed to :func:`project_departures` (``horizon``, ``scenarios``, ``breakdowns``, ``rules``,
        ``config``).

    Returns
    -------
    DataFrame
        Exactly the columns ``date_extraction, scenario, annee, groupe_variable, groupe, departs,
        masque``.
    """
    if mask:
        threshold = confidentiality_threshold(threshold)
    parts = [project_departures(current, d, **options) for d, current, _ in per_extraction(agents, dates)]
    if not parts:
        return empty_table(DEPARTURE_COLUMNS, ["datetime64[ns]", "str", "int64", "str", "str", "Int64", "bool"])
    out = pd.concat(parts, ignore_index=True)
    if mask:
        out = mask_departures(pool_departures(out, agents, threshold), threshold)
    return out[DEPARTURE_COLUMNS]


def jobs_at_risk(agents: pd.DataFrame, date_extraction: Any, *, scenario: str = "age_legal",
                 share_threshold: float | None = None, window_years: int | None = None,
                 horizon: int | None = None, rules: RetirementRules | None = None,
                 config: Mapping[str, Any] | None = None, only_at_risk: bool = False,
                 mask: bool = False, threshold: int | None = None) -> pd.DataFrame:
    """Jobs (métiers) at risk of losing their holders to retirement.

    Parameters
    ----------
    agents : DataFrame
        The extraction's ``rh_agents`` rows.
    date_extraction : date-like
    scenario : {"age_legal", "age_observe"}
    share_threshold : float, optional
        Share of a métier's agents leaving within the window that flags it (default
        ``rh.part_departs_risque``, 0.30).
    window_years : int, optional
        Window for that share (default ``rh.fenetre_risque_annees``, 5).
    horizon : int, optional
        Horizon for the single-holder rule (default ``rh.horizon_annees``, 10).
    only_at_risk : bool, default False
        Keep only flagged métiers.
    mask : bool, default False
        Blank the counts (``effectif``, ``departs_*``, ``part_departs_fenetre``) of métiers with
        fewer than ``threshold`` agents, and any departure count from 1 to ``threshold - 1`` (with
        its share). ``masque`` flags the métiers below ``threshold``. The flags are kept.

    Returns
    -------
    DataFrame
        One row per métier, columns :data:`JOBS_AT_RISK_COLUMNS`: ``metier``, ``effectif``,
        ``departs_fenetre``, ``part_departs_fenetre`` (share in [0, 1]), ``departs_horizon``,
        ``risque_part_elevee``, ``risque_agent_unique``, ``a_risque``, ``masque``; sorted with
        flagged métiers first.

    Notes
    -----
    Windows are counted from the extraction date D: a departure is within the window when its
    date (see :func:`~ducos_lib.hr.retirement.retirement_dates`; already past on D counts) is on
    or before D + the window. ``risque_part_elevee``: ``departs_fenetre / effectif >=
    share_threshold``. ``risque_agent_unique``: the métier is held by one agent whose departure
    falls within the horizon. The windows do not follow the calendar years of
    :func:`project_departures`: the copil level audits the published totals against that table
    with the boundary year split (:func:`ducos_lib.hr.diffusion.audit_job_totals`).
    """
    cfg = hr_config(config)
    check_choice(scenario, SCENARIOS, "Scénario")
    share_threshold = float(share_threshold if share_threshold is not None
                            else cfg.get("part_departs_risque", 0.30))
    window_years = int(window_years if window_years is not None else cfg.get("fenetre_risque_annees", 5))
    horizon = int(horizon if horizon is not None else cfg.get("horizon_annees", 10))
    d = ts(date_extraction)
    pres = present_agents(agents, d)
    departure = retirement_dates(pres, rules=rules)[f"date_depart_{scenario}"]
    df = pd.DataFrame({
        "metier": pres["metier"],
        "fenetre": (departure <= d + pd.DateOffset(years=window_years)).fillna(False),
        "horizon": (departure <= d + pd.DateOffset(years=horizon)).fillna(False),
    })
    res = df.groupby("metier", sort=True).agg(effectif=("fenetre", "size"),
                                              departs_fenetre=("fenetre", "sum"),
                                              departs_horizon=("horizon", "sum")).reset_index()
    res["part_departs_fenetre"] = res["departs_fenetre"] / res["effectif"]
    res["risque_part_elevee"] = res["part_departs_fenetre"] >= share_threshold - 1e-12
    res["risque_agent_unique"] = (res["effectif"] == 1) & (res["departs_horizon"] >= 1)
    res["a_risque"] = res["risque_part_elevee"] | res["risque_agent_unique"]
    res["metier"] = res["metier"].astype("str")
    res["masque"] = False
    if mask:
        threshold = confidentiality_threshold(threshold)
        small = res["effectif"] < threshold
        res["masque"] = small
        # A count of departures is itself a figure about that many agents.
        few_window = small | ((res["departs_fenetre"] > 0) & (res["departs_fenetre"] < threshold))
        few_horizon = small | ((res["departs_horizon"] > 0) & (res["departs_horizon"] < threshold))
        res["effectif"] = res["effectif"].astype("Int64").mask(small)
        res["departs_fenetre"] = res["departs_fenetre"].astype("Int64").mask(few_window)
        res["departs_horizon"] = res["departs_horizon"].astype("Int64").mask(few_horizon)
        res["part_departs_fenetre"] = res["part_departs_fenetre"].mask(few_window)
    res = res[JOBS_AT_RISK_COLUMNS]
    if only_at_risk:
        res = res[res["a_risque"]]
    return res.sort_values(["a_risque", "metier"], ascending=[False, True], kind="stable").reset_index(drop=True)


def cumulated_departures(raw: pd.DataFrame, masked: pd.DataFrame, date_extraction: Any, *,
                         windows: Sequence[int] = (5, 10)) -> pd.DataFrame:
    """Cumulated projected departures (ensemble) over the first k calendar years, when publishable.

    Parameters
    ----------
    raw, masked : DataFrame
        The ``rh_departs_projetes`` table unmasked and masked (same rows).
    date_extraction : date-like
    windows : sequence of int
        Numbers of calendar years from the extraction's year (nested windows, increasing).

    Returns
    -------
    DataFrame
        ``scenario``, ``fenetre`` (years), ``annee_fin``, ``departs`` (missing when withheld) and
        ``masque``.

    Notes
    -----
    The yearly ensemble counts are published with their masks. A published cumulated total
    would reveal a masked year whenever exactly one masked year is left in a sum that can be
    derived from the published totals: each window, and each difference of two consecutive
    windows. A window is published only when neither its own block of years nor (with the
    previous window published) the difference holds exactly one masked year.
    """
    d = ts(date_extraction)

    def block(t: pd.DataFrame, s: str) -> pd.DataFrame:
        dates = as_datetime(t["date_extraction"])
        return t[(dates == d) & (t["scenario"] == s) & (t["groupe_variable"] == ENSEMBLE)].sort_values("annee")

    rows = []
    for s in SCENARIOS:
        b, m = block(raw, s), block(masked, s)
        if b.empty:
            continue
        years = b["annee"].astype(int).tolist()
        values = pd.to_numeric(b["departs"], errors="coerce").fillna(0).astype(int).tolist()
        masks = dict(zip(m["annee"].astype(int), m["masque"].astype(bool)))
        previous = 0  # number of years covered by the last published window
        for k in sorted(int(f) for f in windows):
            if k > len(years):
                continue
            n_all = sum(masks.get(a, False) for a in years[:k])
            n_diff = sum(masks.get(a, False) for a in years[previous:k])
            ok = n_all != 1 and n_diff != 1
            rows.append({"scenario": s, "fenetre": k, "annee_fin": years[k - 1],
                         "departs": float(sum(values[:k])) if ok else None, "masque": not ok})
            if ok:
                previous = k
    out = pd.DataFrame(rows, columns=["scenario", "fenetre", "annee_fin", "departs", "masque"])
    out["departs"] = out["departs"].astype("float64")
    return out
