"""RSU indicators of an extraction (headcount, FTE, ages, absenteeism, turnover, training,
managers, BOE), the age pyramid, and their masking for publication (DESIGN §5, §6)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..privacy import confidentiality_threshold, mask_long_table, mask_table
from ._base import (
    ABSENCE_REASONS,
    BREAKDOWNS,
    ENSEMBLE,
    INDICATOR_COLUMNS,
    PERMANENT_STATUSES,
    age_in_months,
    as_datetime,
    check_choice,
    dated_table,
    empty_table,
    extraction_dates,
    hr_config,
    iter_groups,
    prepare,
    present_agents,
    ts,
    window_12_months,
)


def absence_days(absences: pd.DataFrame, start: Any, end: Any) -> pd.Series:
    """Calendar days of each absence inside ``[start, end]`` (both bounds included).

    An absence without ``date_fin`` is taken as still running on ``end``. Absences outside the
    window give 0.
    """
    start, end = ts(start), ts(end)
    d0 = as_datetime(absences["date_debut"]).clip(lower=start)
    d1 = as_datetime(absences["date_fin"]).fillna(end).clip(upper=end)
    days = (d1 - d0).dt.days + 1
    return days.clip(lower=0).fillna(0).astype(int)


def _flow_roster(agents: pd.DataFrame, history: pd.DataFrame | None, d: pd.Timestamp) -> pd.DataFrame:
    """Every agent known on or before ``d``, once, with their latest attributes."""
    base = agents if history is None else pd.concat([history, agents], ignore_index=True)
    base = prepare(base)
    if base["date_extraction"].notna().any():
        base = base[base["date_extraction"].isna() | (base["date_extraction"] <= d)]
    base = base.sort_values("date_extraction", kind="stable", na_position="first")
    return base.drop_duplicates("matricule", keep="last")


def _absence_days_by_reason(permanent: pd.DataFrame, absences: pd.DataFrame | None, start: pd.Timestamp,
                            end: pd.Timestamp, compressible: Sequence[str]) -> pd.DataFrame:
    """``permanent`` with one column of days absent per reason (``_j_MO`` …), ``_j_total``, ``_j_comp``."""
    pp = permanent.copy()
    reason_cols = [f"_j_{m}" for m in ABSENCE_REASONS]
    for c in reason_cols:
        pp[c] = 0
    if absences is not None and len(absences) and len(pp):
        ab = absences[absences["matricule"].isin(pp["matricule"])].drop_duplicates()
        if len(ab):
            ab = ab.assign(_jours=absence_days(ab, start, end),
                           _motif=ab["motif"].astype("str").where(ab["motif"].isin(ABSENCE_REASONS), "AUTRE"))
            per_agent = ab.pivot_table(index="matricule", columns="_motif", values="_jours",
                                       aggfunc="sum", fill_value=0)
            per_agent = per_agent.reindex(columns=list(ABSENCE_REASONS), fill_value=0)
            per_agent.columns = reason_cols
            pp = pp.drop(columns=reason_cols).merge(per_agent, left_on="matricule", right_index=True, how="left")
            pp[reason_cols] = pp[reason_cols].fillna(0)
    pp["_j_total"] = pp[reason_cols].sum(axis=1)
    pp["_j_comp"] = pp[[f"_j_{m}" for m in compressible if m in ABSENCE_REASONS]].sum(axis=1)
    return pp


def hr_indicators(agents: pd.DataFrame, absences: pd.DataFrame | None, date_extraction: Any, *,
                  history: pd.DataFrame | None = None, breakdowns: Sequence[str] = BREAKDOWNS,
                  permanent_statuses: Sequence[str] = PERMANENT_STATUSES,
                  config: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """RSU indicators of one extraction, as a long table (not masked).

    Parameters
    ----------
    agents : DataFrame
        The extraction's rows of ``rh_agents`` (agents present on its date, plus agents who left
        since the previous extraction, with their ``date_sortie``).
    absences : DataFrame or None
        ``rh_absences`` (any period: only the days inside the window count). None = no absence.
    date_extraction : date-like
        The extraction date D; rates cover the 12 months ending on D.
    history : DataFrame, optional
        Earlier extractions (``rh_agents_historique``), used for turnover: departures listed in
        earlier extractions of the window and the headcount at its start. Without it, only
        ``agents`` is used.
    breakdowns : sequence of str
        A subset of ``{"statut", "categorie", "filiere", "sexe", "service"}``.
    permanent_statuses : sequence of str
        Statuts forming the permanent headcount (absenteeism and turnover).
    config : mapping, optional
        The ``rh`` section of ``observatoire.yml`` (``seuil_boe_etp``, ``obligation_boe``,
        ``motifs_compressibles``); read from the workspace by default.

    Returns
    -------
    DataFrame
        Columns :data:`INDICATOR_COLUMNS`; ``effectif`` is the number of agents the figure is
        about (its population); ``masque`` is False (see :func:`mask_indicators`).

    Notes
    -----
    Indicators (``valeur``; ``effectif``):

    - ``effectif``: agents present on D (all statuts); ``etp``: sum of ``quotite`` / 100.
    - ``age_moyen``, ``age_median``: age in completed months / 12 at D (birth month only).
    - ``taux_absenteisme`` = calendar days absent in the window × 100 / (days in the window ×
      permanent headcount). The population is the permanent agents (titulaires, stagiaires,
      contractuels permanents, as the RSU's "effectif permanent") present on D, for the
      denominator *and* the numerator: absences of agents who left, or who are not permanent,
      are not counted. Each absence counts only its days inside the window; an absence without
      end date runs to D. Also by motif (groupe_variable ``motif``, every motif of
      :data:`ABSENCE_REASONS`, summing to the total; there ``effectif`` is the number of agents
      absent for that motif, the people the figure is about, so that masking protects health
      data) and ``taux_absenteisme_compressible`` (the motifs of ``config["motifs_compressibles"]``,
      MO + AT: a local convention). An agent who arrived during the window counts for the whole
      window in the denominator (RSU simplification).
    - ``taux_rotation`` = ((arrivals + departures) / 2) / headcount at the start × 100, over the
      permanent agents: headcount at the start = present at the end of the day before the
      window (the RSU's "effectif au 1er janvier" for a calendar year); arrivals =
      ``date_entree`` in the window; departures = ``date_sortie`` in the window. Groups use each
      agent's latest known attributes.
    - ``heures_formation_par_agent``: sum of ``heures_formation`` (as extracted: the 12 months
      ending at D; missing = 0) / agents present.
    - ``part_encadrants`` (% of agents), ``part_femmes_encadrants`` (% of managers; its
      ``effectif`` is the number of managers; no breakdown by sexe).
    - ``taux_boe`` (ensemble): beneficiaries of the employment obligation / agents present × 100.
      ``obligation_boe_atteinte`` (1 = met, 0 = not met) only when the FTE reaches
      ``config["seuil_boe_etp"]`` (20): the 6 % obligation does not apply below.

    References
    ----------
    .. [1] Décret n° 2020-1493 du 30 novembre 2020 (rapport social unique).
    .. [2] Arrêté du 10 décembre 2021 (indicateurs de la base de données sociales, FPT).
    .. [3] Loi n° 87-517 du 10 juillet 1987 et code du travail, art. L5212-2 et L5212-13
       (obligation d'emploi des travailleurs handicapés, 6 %, employeurs d'au moins 20 agents).
    """
    cfg = hr_config(config)
    for v in breakdowns:
        check_choice(v, BREAKDOWNS, "Ventilation")
    d = ts(date_extraction)
    start, end = window_12_months(d)
    eve = start - pd.Timedelta(days=1)
    n_days = (end - start).days + 1
    compressible = tuple(cfg.get("motifs_compressibles", ("MO", "AT")))
    perm = tuple(permanent_statuses)

    pres = present_agents(agents, d).copy()
    pres["age_mois"] = age_in_months(pres["mois_naissance"], d)
    pres["etp"] = pres["quotite"] / 100.0
    rows: list[dict[str, Any]] = []

    def add(ind: str, gv: str, g: str, value: float, count: int) -> None:
        rows.append({"indicateur": ind, "groupe_variable": gv, "groupe": g,
                     "valeur": float(value), "effectif": int(count)})

    # Headcount, FTE, ages, training, managers.
    for gv, g, sub in iter_groups(pres, breakdowns):
        n = len(sub)
        if n == 0:
            continue
        add("effectif", gv, g, n, n)
        add("etp", gv, g, sub["etp"].sum(), n)
        ages = sub["age_mois"].dropna() / 12.0
        if len(ages):
            add("age_moyen", gv, g, ages.mean(), len(ages))
            add("age_median", gv, g, ages.median(), len(ages))
        add("heures_formation_par_agent", gv, g, sub["heures_formation"].sum() / n, n)
        n_managers = int(sub["encadrant"].sum())
        add("part_encadrants", gv, g, 100.0 * n_managers / n, n)
        if gv != "sexe" and n_managers > 0:
            n_women = int((sub["encadrant"] & (sub["sexe"] == "F")).sum())
            add("part_femmes_encadrants", gv, g, 100.0 * n_women / n_managers, n_managers)

    # Absenteeism (permanent agents present on D, numerator and denominator).
    pp = _absence_days_by_reason(pres[pres["statut"].isin(perm)], absences, start, end, compressible)
    for gv, g, sub in iter_groups(pp, breakdowns):
        n = len(sub)
        if n == 0:
            continue
        denominator = n_days * n
        add("taux_absenteisme", gv, g, 100.0 * sub["_j_total"].sum() / denominator, n)
        if gv == ENSEMBLE:
            for m in ABSENCE_REASONS:
                # A motif's rate is about the agents absent for it (health data): its effectif is
                # that count, so a CLD rate about 1 or 2 agents gets masked like any small cell.
                absent = int((sub[f"_j_{m}"] > 0).sum())
                add("taux_absenteisme", "motif", m, 100.0 * sub[f"_j_{m}"].sum() / denominator, absent)
        add("taux_absenteisme_compressible", gv, g, 100.0 * sub["_j_comp"].sum() / denominator, n)

    # Turnover (permanent agents, all agents known up to D).
    roster = _flow_roster(agents, history, d)
    roster = roster[roster["statut"].isin(perm)]
    e, s = roster["date_entree"], roster["date_sortie"]
    roster = roster.assign(
        _debut=((e.isna() | (e <= eve)) & (s.isna() | (s > eve))).astype(int),
        _arrivee=((e > eve) & (e <= d)).fillna(False).astype(int),
        _depart=((s > eve) & (s <= d)).fillna(False).astype(int),
    )
    for gv, g, sub in iter_groups(roster, breakdowns):
        n0 = int(sub["_debut"].sum())
        if n0 == 0:
            continue
        movements = (sub["_arrivee"].sum() + sub["_depart"].sum()) / 2.0
        add("taux_rotation", gv, g, 100.0 * movements / n0, n0)

    # Employment obligation for disabled workers (ensemble only).
    n = len(pres)
    if n:
        boe_rate = 100.0 * pres["boe"].sum() / n
        add("taux_boe", ENSEMBLE, ENSEMBLE, boe_rate, n)
        if pres["etp"].sum() >= float(cfg.get("seuil_boe_etp", 20)):
            met = boe_rate >= float(cfg.get("obligation_boe", 6.0))
            add("obligation_boe_atteinte", ENSEMBLE, ENSEMBLE, float(met), n)

    out = dated_table(rows, d, ["indicateur", "groupe_variable", "groupe", "valeur", "effectif"],
                      text=("indicateur", "groupe_variable", "groupe"), integers=("effectif",))
    out["valeur"] = out["valeur"].astype("float64")
    return out[INDICATOR_COLUMNS]


#: Indicators that are shares of agents (in %): ``valeur × effectif / 100`` agents are counted.
SHARE_INDICATORS = ("part_encadrants", "part_femmes_encadrants", "taux_boe")


def share_numerators(table: pd.DataFrame) -> pd.Series:
    """Agents counted by each share of :data:`SHARE_INDICATORS` (``valeur × effectif / 100``); NaN elsewhere."""
    share = table["indicateur"].isin(SHARE_INDICATORS)
    values = pd.to_numeric(table["valeur"], errors="coerce") * pd.to_numeric(table["effectif"], errors="coerce")
    return (values / 100.0).round().where(share).astype("float64")


def mask_indicators(table: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """Apply the copil masking of DESIGN §6 to an ``rh_indicateurs`` table.

    Primary: every row about fewer than ``threshold`` agents (``effectif``, the figure's
    population), and every share of agents (:data:`SHARE_INDICATORS`) whose numerator counts 1 to
    ``threshold - 1`` agents (a share of 1 manager in 8 agents is a figure about one person).
    Secondary: in each (date, indicator) block, each breakdown with exactly one masked group gets
    the group with the next smallest ``effectif`` masked too (see
    :func:`ducos_lib.privacy.mask_long_table`). Masked rows have ``valeur`` and ``effectif`` empty.
    """
    threshold = confidentiality_threshold(threshold)
    numerators = share_numerators(table)
    few = (numerators > 0) & (numerators < threshold)
    flagged = table["masque"].fillna(False).astype(bool) if "masque" in table else False
    table = table.assign(masque=few | flagged)
    return mask_long_table(table, threshold, keys=("date_extraction", "indicateur"), count="effectif",
                           masked_columns=("valeur", "effectif"))


def per_extraction(agents: pd.DataFrame, dates: Iterable[Any] | None):
    """Yield (date, extraction rows, earlier rows) for each date to compute.

    A date with no extraction of its own uses the latest extraction before it.
    """
    ag = agents.copy()
    ag["date_extraction"] = as_datetime(ag["date_extraction"])
    for d in extraction_dates(ag, dates):
        available = ag[ag["date_extraction"] <= d]
        if available.empty:
            continue
        latest = available["date_extraction"].max()
        yield (d, available[available["date_extraction"] == latest],
               available[available["date_extraction"] < latest])


def indicators_table(agents: pd.DataFrame, absences: pd.DataFrame | None, dates: Iterable[Any] | None = None, *,
                     mask: bool = True, threshold: int | None = None, **options: Any) -> pd.DataFrame:
    """The §4 table ``rh_indicateurs.csv`` over several extraction dates.

    Parameters
    ----------
    agents : DataFrame
        ``rh_agents`` with every extraction (``date_extraction`` set on each row).
    absences : DataFrame or None
        ``rh_absences``.
    dates : iterable of date-like, optional
        Extraction dates to compute; defaults to every ``date_extraction`` in ``agents``. A date
        with no extraction of its own uses the latest extraction before it.
    mask : bool, default True
        Apply :func:`mask_indicators` (DESIGN §6).
    threshold : int, optional
        Masking threshold (default from configuration).
    **options
        Passed to :func:`hr_indicators` (``breakdowns``, ``permanent_statuses``, ``config``).

    Returns
    -------
    DataFrame
        Exactly the columns ``date_extraction, indicateur, groupe_variable, groupe, valeur,
        effectif, masque``, sorted by date.

    References
    ----------
    Décret n° 2020-1493 du 30 novembre 2020 ; arrêté du 10 décembre 2021 (indicateurs FPT).
    """
    if mask:
        threshold = confidentiality_threshold(threshold)
    parts = [hr_indicators(current, absences, d, history=earlier, **options)
             for d, current, earlier in per_extraction(agents, dates)]
    if not parts:
        return empty_table(INDICATOR_COLUMNS, ["datetime64[ns]", "str", "str", "str", "float64", "Int64", "bool"])
    out = pd.concat(parts, ignore_index=True)
    if mask:
        out = mask_indicators(out, threshold)
    return out[INDICATOR_COLUMNS]


def indicator_changes(table: pd.DataFrame, date_a: Any, date_b: Any) -> pd.DataFrame:
    """Compare the indicators of two extraction dates (e.g. two milestones).

    Parameters
    ----------
    table : DataFrame
        An ``rh_indicateurs`` table (masked or not) holding both dates.
    date_a, date_b : date-like
        Earlier and later extraction dates.

    Returns
    -------
    DataFrame
        One row per (indicateur, groupe_variable, groupe) present at either date: ``date_a``,
        ``date_b``, ``valeur_a``, ``valeur_b``, ``difference`` (b − a, in points for rates),
        ``variation_relative`` ((b − a) / a × 100, empty when a is 0 or missing) and ``masque``
        (True when either value is masked, the comparison is then empty).
    """
    a, b = ts(date_a), ts(date_b)
    t = table.copy()
    t["date_extraction"] = as_datetime(t["date_extraction"])
    if "masque" not in t:
        t["masque"] = False
    keys = ["indicateur", "groupe_variable", "groupe"]
    ta = t[t["date_extraction"] == a][keys + ["valeur", "masque"]]
    tb = t[t["date_extraction"] == b][keys + ["valeur", "masque"]]
    out = ta.merge(tb, on=keys, how="outer", suffixes=("_a", "_b"))
    masked = out["masque_a"].fillna(False).astype(bool) | out["masque_b"].fillna(False).astype(bool)
    va = out["valeur_a"].where(~masked)
    vb = out["valeur_b"].where(~masked)
    res = out[keys].copy()
    res.insert(0, "date_b", b)
    res.insert(0, "date_a", a)
    res["valeur_a"], res["valeur_b"] = va, vb
    res["difference"] = vb - va
    res["variation_relative"] = ((vb - va) / va.where(va != 0) * 100.0)
    res["masque"] = masked
    return res.reset_index(drop=True)


def published_value(table: pd.DataFrame, indicator: str, date_extraction: Any, *,
                    groupe_variable: str = ENSEMBLE, groupe: str = ENSEMBLE) -> float | None:
    """One published value of an ``rh_indicateurs`` table; None when masked or absent."""
    t = table
    d = ts(date_extraction)
    dates = as_datetime(t["date_extraction"])
    sel = t[(dates == d) & (t["indicateur"] == indicator) & (t["groupe_variable"] == groupe_variable)
            & (t["groupe"] == groupe)]
    if sel.empty or bool(sel["masque"].iloc[0]) or pd.isna(sel["valeur"].iloc[0]):
        return None
    return float(sel["valeur"].iloc[0])


def age_pyramid(agents: pd.DataFrame, date_extraction: Any, *, width: int = 5, mask: bool = True,
                threshold: int | None = None) -> pd.DataFrame:
    """Age pyramid of the agents present on ``date_extraction``: bands of ``width`` years × sexe.

    Parameters
    ----------
    agents : DataFrame
        The extraction's ``rh_agents`` rows.
    date_extraction : date-like
    width : int, default 5
        Width of the age bands, in completed years.
    mask : bool, default True
        Merge thin extreme bands and mask small cells (DESIGN §6).
    threshold : int, optional
        Masking threshold (default from configuration).

    Returns
    -------
    DataFrame
        Columns ``age_debut``, ``age_fin`` (empty for open-ended bands), ``sexe`` (``H`` then
        ``F``: men left, women right when plotted), ``effectif`` (empty when masked) and
        ``masque``, bands in ascending order. When every band is merged into one, both bounds
        are empty (all ages). The band's French label is built by :mod:`ducos_lib.reports.rh`.

    Notes
    -----
    Ages are completed years at the extraction date from the birth month. With ``mask``:
    first the youngest band is merged into the next one while it holds fewer than ``threshold``
    agents (it becomes "under X"), and likewise the oldest band into the previous one
    ("X and over"); then the band × sexe table is masked with :func:`ducos_lib.privacy.mask_table`
    as if its margins (agents per band, per sexe, in total) were published: primary masking
    below ``threshold`` (empty cells are shown), secondary masking so that no masked cell can be
    recovered from the margins.
    """
    d = ts(date_extraction)
    pres = present_agents(agents, d)
    ages = (age_in_months(pres["mois_naissance"], d) // 12).dropna().astype(int)
    sexe = pres.loc[ages.index, "sexe"]
    band = (ages // width) * width
    sexes = ["H", "F"] + sorted(set(sexe) - {"H", "F"})
    if len(band) == 0:
        return pd.DataFrame(columns=["age_debut", "age_fin", "sexe", "effectif", "masque"])
    starts = list(range(int(band.min()), int(band.max()) + 1, width))
    tab = pd.crosstab(band, sexe).reindex(index=starts, columns=sexes, fill_value=0)
    # Each band is [start, end] with open ends marked None.
    bounds = [[a, a + width - 1] for a in starts]
    open_low = open_high = False
    if mask:
        threshold = confidentiality_threshold(threshold)
        while len(tab) > 1 and tab.iloc[0].sum() < threshold:
            tab.iloc[1] += tab.iloc[0]
            tab = tab.iloc[1:]
            bounds = bounds[1:]
            open_low = True
        while len(tab) > 1 and tab.iloc[-1].sum() < threshold:
            tab.iloc[-2] += tab.iloc[-1]
            tab = tab.iloc[:-1]
            bounds = bounds[:-1]
            open_high = True
    if open_low:
        bounds[0][0] = None
    if open_high:
        bounds[-1][1] = None
    masked = (mask_table(tab.reset_index(drop=True), threshold).cells.to_numpy()
              if mask else np.zeros(tab.shape, dtype=bool))
    rows = []
    for i, (a, b) in enumerate(bounds):
        for j, sx in enumerate(sexes):
            rows.append({"age_debut": a, "age_fin": b, "sexe": sx,
                         "effectif": None if masked[i, j] else int(tab.iloc[i, j]),
                         "masque": bool(masked[i, j])})
    out = pd.DataFrame(rows)
    for c in ("age_debut", "age_fin", "effectif"):
        out[c] = pd.array(out[c].tolist(), dtype="Int64")
    out["sexe"] = out["sexe"].astype("str")
    return out
