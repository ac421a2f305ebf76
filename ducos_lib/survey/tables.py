"""The usagers survey tables of DESIGN.md §4, built on the package's public verbs.

:func:`wave_designs` (one raked design per wave), :func:`estimations_enquete`
(``enquete_estimations.csv``), :func:`comparaisons_enquete` (``enquete_comparaisons.csv``),
:func:`signaler_effectifs`, :func:`diagnostics_ponderation`, :func:`marges_ponderation`,
:func:`repartitions_likert`, the recommendation bands, the comments per wave, and the driver
analysis (:func:`determinants_enquete`, ``enquete_determinants.csv``) with the waiting-time
quantiles (:func:`quantiles_attente`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._util import RakingError, SurveyError
from .calibration import calibrate, margins_from_frame, weighting_summary
from .design import SurveyDesign, design, stack
from .estimators import by, proportion, quantile
from .glm import svyglm
from .inference import compare_arrays, rao_scott
from .multitest import adjust_pvalues


def _float(values: Any, what: str) -> np.ndarray:
    try:
        return pd.to_numeric(pd.Series(values), errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise SurveyError(f"La variable « {what} » n'est pas numérique.") from None


#: The options the §4 tables pass to the verbs (the verbs' defaults are R's): a missing answer (NSP)
#: leaves the respondent out of that item only (DESIGN.md §4), and intervals use the normal quantile
#: (R's ``df=Inf``) — the published tables have always been computed so.
TABLE_OPTIONS = {"df": None, "na_rm": True}

#: The 5-point items of DESIGN.md §4 (kept for callers; the tables read :func:`likert_items` from the registry).
LIKERT_ITEMS = ("satisfaction_globale", "accueil", "delai", "information", "ecoute", "resolution")
GROUP_VARIABLES = ("ensemble", "service", "quartier", "sexe", "tranche_age")
ESTIMATION_COLUMNS = [
    "vague", "indicateur", "groupe_variable", "groupe", "estimation", "erreur_type",
    "ic_bas", "ic_haut", "n_repondants",
]
COMPARISON_COLUMNS = [
    "indicateur", "groupe_variable", "groupe", "vague_a", "vague_b", "difference",
    "ic_bas", "ic_haut", "p_valeur", "p_ajustee", "methode",
]


def enquete_settings(config: Mapping | None = None) -> dict:
    """``enquete`` settings: ``config`` over the workspace's ``config/observatoire.yml`` values."""
    from ducos_lib.config import load_config

    defaults = load_config()["enquete"]
    config = dict(config or {})
    out = {**defaults, **config}
    out["ratissage"] = {**defaults["ratissage"], **dict(config.get("ratissage", {}))}
    return out


def _registry(registry: Any = None):
    """The indicator registry (``config/indicateurs.yml``): ``registry`` or the workspace's."""
    if registry is not None:
        return registry
    from ducos_lib.registry import load_registry

    return load_registry()


def indicator_names(registry: Any = None) -> list[str]:
    """The survey indicators of the registry (``groupe: enquete``), in the file's order: the rows of
    ``enquete_estimations.csv``.

    Examples
    --------
    >>> indicator_names()[:3]
    ['satisfaction_globale_moyenne', 'satisfaction_globale_satisfaits', 'satisfaction_globale_taux_net']
    """
    return [m.name for m in _registry(registry).survey_indicators()]


def likert_items(registry: Any = None) -> list[str]:
    """The 5-point questions of the registry (``questions_enquete`` with ``echelle: 5``), in order:
    the items of the Rao–Scott distribution tests and of the diverging bars."""
    return [q.name for q in _registry(registry).questions.values() if q.scale == 5]


def driver_dimensions(registry: Any = None) -> list[str]:
    """The dimensions of service whose effect on overall satisfaction is estimated: every 5-point
    question but ``satisfaction_globale``."""
    return [q for q in likert_items(registry) if q != "satisfaction_globale"]


def _indicator_variables(data: pd.DataFrame, registry: Any = None) -> list[tuple[str, str, np.ndarray, bool]]:
    """(name, verb, values, is_net) of each registered survey indicator, NaN where the answer is missing.

    ``moyenne``: the answer itself; ``part_satisfaits``: 1 for 4–5, 0 for 1–3; ``taux_net``: 1 for
    4–5, -1 for 1–2, 0 for 3 (its mean is the share satisfied minus the share dissatisfied).
    """
    reg = _registry(registry)
    out = []
    for m in reg.survey_indicators():
        v = _float(data[m.variable], m.variable) if m.variable in data.columns else np.full(len(data), np.nan)
        if m.statistic == "moyenne":
            out.append((m.name, "mean", v, False))
            continue
        scale = reg.questions[m.variable].scale
        if scale != 5:
            raise SurveyError(f"Indicateur « {m.name} » : la statistique « {m.statistic} » (réponses 4 ou 5) "
                              f"demande une question notée sur 5 ; « {m.variable} » est notée sur {scale}.")
        miss = np.isnan(v)
        sat = np.where(miss, np.nan, (v >= 4).astype(float))
        if m.statistic == "part_satisfaits":
            out.append((m.name, "proportion", sat, False))
        else:
            out.append((m.name, "mean", np.where(miss, np.nan, sat - (v <= 2)), True))
    return out


_MILESTONE_NAME = re.compile(r"^(?:C(\d+)-)?T(\d+)$")


def wave_order(waves: Sequence[str], calendar_order: Sequence[str] | None = None) -> list[str]:
    """Distinct waves in the calendar's order.

    ``calendar_order`` (the milestones of ``calendrier.csv`` by date, e.g. ``MilestoneData.waves``)
    decides when given. Otherwise the programme's naming decides: cycle, then month (``T18`` before
    ``T24``, ``T24`` before ``C2-T1``), other names last in alphabetical order.
    """
    if calendar_order is not None:
        rank = {w: i for i, w in enumerate(calendar_order)}
        return sorted(dict.fromkeys(waves), key=lambda w: (rank.get(w, len(rank)), str(w)))

    def key(w) -> tuple:
        m = _MILESTONE_NAME.match(str(w))
        return (0, int(m.group(1) or 1), int(m.group(2)), "") if m else (1, 0, 0, str(w))

    return sorted(dict.fromkeys(waves), key=key)


def wave_designs(
    enquete: pd.DataFrame,
    population: pd.DataFrame | Mapping,
    *,
    config: Mapping | None = None,
    waves: Sequence[str] | None = None,
) -> dict[str, SurveyDesign]:
    """One raked design per survey wave (DESIGN.md §5).

    Each wave starts from equal weights ``N / n`` (``N``: population total of the first margin) and
    is raked to the margins of ``population_reference.csv`` on ``enquete.ratissage.variables``
    (sexe, tranche_age, quartier) with the configured iterations and tolerance. Respondents are
    treated as an unstratified sample drawn with replacement (no fpc: conservative when the
    sampling fraction is small).

    Parameters
    ----------
    enquete : DataFrame
        Processed survey answers (``docs/processed_data.md``), with a ``vague`` column.
    population : DataFrame or dict
        Population margins (``variable``, ``modalite``, ``effectif``).
    config : mapping, optional
        The ``enquete`` section of ``config/observatoire.yml`` (default: loaded).
    waves : sequence of str, optional
        Waves to keep, in order (default: every wave present, in milestone order).

    Returns
    -------
    dict ``{vague: SurveyDesign}``

    Raises
    ------
    RakingError
        As :func:`rake` (the message names the wave too).
    """
    cfg = enquete_settings(config)
    rk = cfg["ratissage"]
    variables = list(rk["variables"])
    margins = (
        margins_from_frame(population, variables)
        if isinstance(population, pd.DataFrame)
        else {v: population[v] for v in variables}
    )
    N = float(sum(margins[variables[0]].values()))
    present = enquete["vague"].dropna().astype(str).unique().tolist()
    order = wave_order(present) if waves is None else [w for w in waves if w in present]
    out = {}
    vague = enquete["vague"].astype(str)
    for wave in order:
        sub = enquete[(vague == wave).to_numpy()]
        base = design(sub, weights=np.full(len(sub), N / len(sub)))
        try:
            out[wave] = calibrate(
                base, margins, calfun="raking", max_iter=int(rk["max_iterations"]), tol=float(rk["tolerance"])
            )
        except RakingError as exc:
            raise RakingError(f"Vague {wave} : {exc}", exc.variable, exc.modalite) from None
    return out


def _group_levels(
    enquete: pd.DataFrame, population: Any, gv: str, groups: Mapping | None
) -> list[str]:
    if groups is not None and gv in groups:
        return [str(g) for g in groups[gv]]
    levels = set()
    if gv in enquete.columns:
        levels |= set(enquete[gv].dropna().astype(str).tolist())
    if isinstance(population, pd.DataFrame) and {"variable", "modalite"} <= set(population.columns):
        pop = population[population["variable"].astype(str) == gv]
        levels |= set(pop["modalite"].astype(str).str.strip().tolist())
    return sorted(levels)


def _estimation_rows(
    designs: Mapping[str, SurveyDesign],
    enquete: pd.DataFrame,
    population: Any,
    group_variables: Sequence[str],
    groups: Mapping | None,
    alpha: float,
    registry: Any = None,
) -> pd.DataFrame:
    frames = []
    levels_by_gv = {
        gv: (["ensemble"] if gv == "ensemble" else _group_levels(enquete, population, gv, groups))
        for gv in group_variables
    }
    for wave, des in designs.items():
        indicators = _indicator_variables(des.data, registry)
        for gv in group_variables:
            levels = levels_by_gv[gv]
            if gv == "ensemble":
                groups_of = np.full(des.n, "ensemble", dtype=object)
            else:
                if gv not in des.data.columns:
                    raise SurveyError(f"La colonne de regroupement « {gv} » est absente de l'enquête.")
                groups_of = des.data[gv].astype("str").where(des.data[gv].notna()).to_numpy(dtype=object)
            for name, stat, values, is_net in indicators:
                r = by(des, values, groups_of, stat, levels=levels, edge="clopper_pearson", alpha=alpha, **TABLE_OPTIONS)
                lo, hi = r["ci_low"].to_numpy(), r["ci_high"].to_numpy()
                if is_net:  # a difference of two shares lies in [-1, 1]
                    lo, hi = np.clip(lo, -1, 1), np.clip(hi, -1, 1)
                frames.append(
                    pd.DataFrame(
                        {
                            "vague": wave,
                            "indicateur": name,
                            "groupe_variable": gv,
                            "groupe": levels,
                            "estimation": r["estimate"].to_numpy(),
                            "erreur_type": r["se"].to_numpy(),
                            "ic_bas": lo,
                            "ic_haut": hi,
                            "n_repondants": r["n"].to_numpy().astype(np.int64),
                        }
                    )
                )
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in ESTIMATION_COLUMNS})
    return pd.concat(frames, ignore_index=True)[ESTIMATION_COLUMNS]


def estimations_enquete(
    enquete: pd.DataFrame,
    population: pd.DataFrame | Mapping,
    *,
    designs: Mapping[str, SurveyDesign] | None = None,
    config: Mapping | None = None,
    group_variables: Sequence[str] = GROUP_VARIABLES,
    groups: Mapping[str, Sequence[str]] | None = None,
    mask_small: bool = True,
    registry: Any = None,
) -> pd.DataFrame:
    """The ``enquete_estimations.csv`` table of DESIGN.md §4.

    Parameters
    ----------
    enquete : DataFrame
        Processed survey answers (all waves up to the milestone).
    population : DataFrame or dict
        Population margins for the raking.
    designs : mapping, optional
        Raked designs from :func:`wave_designs` (computed when absent).
    config : mapping, optional
        ``enquete`` settings (thresholds, alpha, raking).
    group_variables : sequence of str
        ``ensemble``, ``service``, ``quartier``, ``sexe``, ``tranche_age`` by default.
    groups : mapping, optional
        Groups to report per group variable (e.g. every ``code_service`` of ``services.csv``).
        Default: every level seen in any wave of ``enquete`` plus, for the raking variables, every
        modalité of ``population``. Every wave gets every group, so coverage is complete.
    mask_small : bool
        Blank ``estimation``, ``erreur_type``, ``ic_bas``, ``ic_haut`` (NaN, an empty CSV cell) when
        ``n_repondants`` is below ``seuil_masquage`` (10): the row is kept, with its count.
    registry : ducos_lib.registry.Registry, optional
        Which indicators to estimate: every ``survey_indicators()`` entry (its ``variable`` and
        ``statistique``), in the file's order. Default: the workspace's ``config/indicateurs.yml``
        (``DUCOS_CONFIG_DIR`` points it elsewhere), so adding an entry there adds its rows here.

    Returns
    -------
    DataFrame
        Exactly the columns ``vague, indicateur, groupe_variable, groupe, estimation, erreur_type,
        ic_bas, ic_haut, n_repondants``; one row per wave × indicator × group. Shares
        (``*_satisfaits``) are proportions in [0, 1] with logit intervals; ``*_taux_net`` (share
        4–5 minus share 1–2) is the mean of a -1/0/1 variable (linearised SE, normal interval
        clipped to [-1, 1]); means have normal intervals. ``n_repondants`` counts the respondents of
        the group who answered the item (NSP leaves the domain, not the weighting). Use
        :func:`signaler_effectifs` to add the small-sample flag for display.
    """
    cfg = enquete_settings(config)
    if designs is None:
        designs = wave_designs(enquete, population, config=cfg)
    out = _estimation_rows(designs, enquete, population, group_variables, groups, cfg["alpha"], registry)
    if mask_small:
        small = out["n_repondants"] < int(cfg["seuil_masquage"])
        out.loc[small, ["estimation", "erreur_type", "ic_bas", "ic_haut"]] = np.nan
    return out


def signaler_effectifs(table: pd.DataFrame, *, config: Mapping | None = None) -> pd.DataFrame:
    """Add a ``signalement`` column for display (DESIGN.md §5 small-sample rule).

    Values: ``"non_diffuse"`` when ``n_repondants`` < ``seuil_masquage`` (10: the estimate is not
    shown), ``"faible_effectif"`` when < ``seuil_signalement`` (30: shown with a warning), ``""``
    otherwise. The CSV tables keep their exact §4 columns; call this on a copy for the report.
    """
    cfg = enquete_settings(config)
    n = table["n_repondants"]
    flag = np.where(
        n < int(cfg["seuil_masquage"]),
        "non_diffuse",
        np.where(n < int(cfg["seuil_signalement"]), "faible_effectif", ""),
    )
    return table.assign(signalement=flag)


def comparaisons_enquete(
    enquete: pd.DataFrame,
    population: pd.DataFrame | Mapping,
    milestone_waves: Sequence[str] | None = None,
    *,
    designs: Mapping[str, SurveyDesign] | None = None,
    config: Mapping | None = None,
    group_variables: Sequence[str] = GROUP_VARIABLES,
    groups: Mapping[str, Sequence[str]] | None = None,
    adjustment: str | None = None,
    distribution_tests: bool = True,
    registry: Any = None,
) -> pd.DataFrame:
    """The ``enquete_comparaisons.csv`` table of DESIGN.md §4.

    Parameters
    ----------
    enquete, population, designs, config, group_variables, groups, registry
        As :func:`estimations_enquete`.
    milestone_waves : sequence of str, optional
        The waves up to the milestone, in order; the last one is the milestone's wave. Each earlier
        wave is compared to it: at the second milestone, first→second; at the third, first→third and
        second→third. Default: the waves present.
    adjustment : {"holm", "bh"}, optional
        Multiple-testing adjustment (default ``enquete.ajustement`` of the configuration).
    distribution_tests : bool
        Add one Rao–Scott row per 5-point question of the registry (:func:`likert_items`) and wave
        pair.

    Returns
    -------
    DataFrame
        Exactly ``indicateur, groupe_variable, groupe, vague_a, vague_b, difference, ic_bas,
        ic_haut, p_valeur, p_ajustee, methode``.

        * ``methode = "difference_z"``: ``difference = estimate(vague_b) - estimate(vague_a)`` for
          every indicator and group, waves being independent samples (``se² = se_a² + se_b²``),
          normal CI and two-sided p-value. Left empty (NaN) when either wave has fewer than
          ``seuil_masquage`` respondents in the group.
        * ``methode = "rao_scott_f"``: ``indicateur = "<item>_distribution"``, groupe
          ``ensemble``: second-order Rao–Scott F test (R's ``svychisq`` default) that the 5-point
          distribution is the same in both waves, on the stacked raked designs; ``difference`` and
          the CI are empty.

        **Family for the adjustment.** p-values are adjusted within each (vague_a, vague_b,
        groupe_variable, methode) family: the overall indicators together (14 in the committed
        registry); for a breakdown (e.g. ``service``), every indicator × group of that breakdown
        together; the distribution tests together. Untested rows (NaN) are not counted.
    """
    cfg = enquete_settings(config)
    method = adjustment or cfg["ajustement"]
    alpha = cfg["alpha"]
    if designs is None:
        designs = wave_designs(enquete, population, config=cfg)
    waves = list(milestone_waves) if milestone_waves is not None else list(designs)
    waves = [w for w in waves if w in designs]
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in COMPARISON_COLUMNS})
    for c in ("indicateur", "groupe_variable", "groupe", "vague_a", "vague_b", "methode"):
        empty[c] = empty[c].astype("str")
    if len(waves) < 2:
        return empty
    last = waves[-1]
    pairs = [(w, last) for w in waves[:-1]]
    used = {w: designs[w] for w in waves}
    est = _estimation_rows(used, enquete, population, group_variables, groups, alpha, registry)
    key = ["indicateur", "groupe_variable", "groupe"]
    floor = int(cfg["seuil_masquage"])
    frames = []
    for wa, wb in pairs:
        a = est[est["vague"] == wa].set_index(key)
        b = est[est["vague"] == wb].set_index(key).reindex(a.index)
        ok = (a["n_repondants"] >= floor) & (b["n_repondants"] >= floor)
        r = compare_arrays(
            a["estimation"].to_numpy(), a["erreur_type"].to_numpy(),
            b["estimation"].to_numpy(), b["erreur_type"].to_numpy(), alpha,
        )
        okv = ok.to_numpy()
        df = a.index.to_frame(index=False)
        df["vague_a"] = wa
        df["vague_b"] = wb
        df["difference"] = np.where(okv, r["difference"], np.nan)
        df["ic_bas"] = np.where(okv, r["ci_low"], np.nan)
        df["ic_haut"] = np.where(okv, r["ci_high"], np.nan)
        df["p_valeur"] = np.where(okv, r["pvalue"], np.nan)
        df["methode"] = "difference_z"
        frames.append(df)
        if distribution_tests:
            stacked = stack({wa: designs[wa], wb: designs[wb]}, label="__vague__")
            rows = []
            for item in likert_items(registry):
                pv = np.nan
                if item in stacked.data.columns:
                    res = rao_scott(stacked, "__vague__", item, statistic="F")
                    pv = res.pvalue
                rows.append(
                    {"indicateur": f"{item}_distribution", "groupe_variable": "ensemble",
                     "groupe": "ensemble", "vague_a": wa, "vague_b": wb, "difference": np.nan,
                     "ic_bas": np.nan, "ic_haut": np.nan, "p_valeur": pv, "methode": "rao_scott_f"}
                )
            frames.append(pd.DataFrame(rows))
    out = pd.concat(frames, ignore_index=True)
    fam = ["vague_a", "vague_b", "groupe_variable", "methode"]
    out["p_ajustee"] = np.nan
    for _, idx in out.groupby(fam, sort=False).groups.items():
        out.loc[idx, "p_ajustee"] = adjust_pvalues(out.loc[idx, "p_valeur"].to_numpy(), method)
    return out[COMPARISON_COLUMNS]


def diagnostics_ponderation(
    enquete: pd.DataFrame,
    population: pd.DataFrame | Mapping,
    *,
    designs: Mapping[str, SurveyDesign] | None = None,
    config: Mapping | None = None,
) -> pd.DataFrame:
    """Weighting efficiency per wave (for the report's data-quality section).

    Returns
    -------
    DataFrame
        ``vague, n_repondants, somme_poids, n_effectif`` (Kish), ``effet_plan_ponderation``
        (``n / n_effectif``), ``poids_min, poids_max, rapport_max_min``, ``g_min, g_max`` (raking
        factors), ``iterations_ratissage, ecart_max_marges``.
    """
    if designs is None:
        designs = wave_designs(enquete, population, config=config)
    rows = []
    for wave, des in designs.items():
        s = weighting_summary(des)
        rows.append(
            {"vague": wave, "n_repondants": s.n, "somme_poids": s.sum_weights,
             "n_effectif": s.n_effective, "effet_plan_ponderation": s.deff_weighting,
             "poids_min": s.weight_min, "poids_max": s.weight_max,
             "rapport_max_min": s.weight_max / s.weight_min, "g_min": s.g_min, "g_max": s.g_max,
             "iterations_ratissage": s.iterations, "ecart_max_marges": s.max_deviation}
        )
    return pd.DataFrame(rows)


def marges_ponderation(
    enquete: pd.DataFrame,
    population: pd.DataFrame | Mapping,
    *,
    designs: Mapping[str, SurveyDesign] | None = None,
    config: Mapping | None = None,
) -> pd.DataFrame:
    """Who answered: sample vs population margins, before and after weighting, per wave.

    Returns
    -------
    DataFrame
        ``vague, variable, modalite, effectif_population, part_population, n_repondants,
        part_brute`` (unweighted share of respondents), ``part_ponderee`` (share after raking; equal
        to ``part_population`` up to the tolerance).
    """
    if designs is None:
        designs = wave_designs(enquete, population, config=config)
    rows = []
    for wave, des in designs.items():
        cal = des.calibration
        if cal is None:
            continue
        M = cal.matrix
        counts = np.asarray(M.sum(axis=0)).ravel()
        weighted = M.T @ des.weights
        variables = [v for v, _ in cal.cells]
        df = pd.DataFrame(
            {"vague": wave, "variable": variables, "modalite": [m for _, m in cal.cells],
             "effectif_population": cal.targets, "n_repondants": counts.astype(np.int64),
             "poids": weighted}
        )
        tot = df.groupby("variable", sort=False)
        df["part_population"] = df["effectif_population"] / tot["effectif_population"].transform("sum")
        df["part_brute"] = df["n_repondants"] / tot["n_repondants"].transform("sum")
        df["part_ponderee"] = df["poids"] / tot["poids"].transform("sum")
        rows.append(df)
    cols = ["vague", "variable", "modalite", "effectif_population", "part_population",
            "n_repondants", "part_brute", "part_ponderee"]
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.concat(rows, ignore_index=True)[cols]


def repartitions_likert(
    designs: Mapping[str, SurveyDesign],
    items: Sequence[str] | None = None,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Weighted distribution of each Likert item over its 5 levels, per wave (diverging bars).

    ``items`` defaults to the registry's 5-point questions (:func:`likert_items`).

    Returns
    -------
    DataFrame
        ``vague, item, niveau`` (1-5), ``part`` (weighted share among respondents who answered the
        item), ``erreur_type``, ``ic_bas``, ``ic_haut`` (logit), ``n_repondants`` (answers to the
        item). Items absent from the data give NaN shares and ``n_repondants = 0``.
    """
    items = likert_items() if items is None else list(items)
    rows = []
    for wave, des in designs.items():
        for item in items:
            if item in des.data.columns:
                v = _float(des.data[item], item)
            else:
                v = np.full(des.n, np.nan)
            for level in range(1, 6):
                y = np.where(np.isnan(v), np.nan, (v == level).astype(float))
                e = proportion(des, y, alpha=alpha, edge="clopper_pearson", **TABLE_OPTIONS)
                rows.append({"vague": wave, "item": item, "niveau": level, "part": e.estimate,
                             "erreur_type": e.se, "ic_bas": e.ci_low, "ic_haut": e.ci_high,
                             "n_repondants": e.n})
    return pd.DataFrame(rows, columns=["vague", "item", "niveau", "part", "erreur_type", "ic_bas",
                                       "ic_haut", "n_repondants"])



def repartition_recommandation(
    designs: Mapping[str, SurveyDesign], *, alpha: float = 0.05
) -> pd.DataFrame:
    """Weighted shares of the 0–10 recommendation score in three bands, per wave.

    Bands: ``0 à 6`` (would rather not recommend), ``7 à 8`` (neutral), ``9 à 10`` (would
    recommend), the grouping used by the Net Promoter Score (Reichheld 2003); shares among
    respondents who gave a score, logit intervals.

    Returns
    -------
    DataFrame
        ``vague, tranche, part, ic_bas, ic_haut, n_repondants``.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review* 81(12).
    """
    bands = (("0 à 6", 0, 6), ("7 à 8", 7, 8), ("9 à 10", 9, 10))
    rows = []
    for wave, des in designs.items():
        v = (_float(des.data["recommandation"], "recommandation") if "recommandation" in des.data.columns
             else np.full(des.n, np.nan))
        for label, lo, hi in bands:
            y = np.where(np.isnan(v), np.nan, ((v >= lo) & (v <= hi)).astype(float))
            e = proportion(des, y, alpha=alpha, edge="clopper_pearson", **TABLE_OPTIONS)
            rows.append({"vague": wave, "tranche": label, "part": e.estimate, "ic_bas": e.ci_low,
                         "ic_haut": e.ci_high, "n_repondants": e.n})
    return pd.DataFrame(rows, columns=["vague", "tranche", "part", "ic_bas", "ic_haut", "n_repondants"])


def commentaires_par_vague(enquete: pd.DataFrame, waves: Sequence[str] | None = None) -> pd.DataFrame:
    """Respondents and non-empty comments per wave: ``vague, n_repondants, n_commentaires, part``."""
    waves = list(waves) if waves is not None else wave_order(enquete["vague"].dropna().astype(str).unique())
    has = (enquete["commentaire"].astype("str").str.strip().ne("") & enquete["commentaire"].notna()
           if "commentaire" in enquete.columns else pd.Series(False, index=enquete.index))
    rows = []
    for w in waves:
        m = (enquete["vague"].astype(str) == w).to_numpy()
        n, c = int(m.sum()), int(has[m].sum())
        rows.append({"vague": w, "n_repondants": n, "n_commentaires": c, "part": c / n if n else np.nan})
    return pd.DataFrame(rows, columns=["vague", "n_repondants", "n_commentaires", "part"])


def themes_commentaires_enquete(
    enquete: pd.DataFrame,
    waves: Sequence[str] | None = None,
    *,
    codebook: Any = None,
    roster: Any = None,
    n_examples: int = 2,
):
    """Themes of the residents' comments per wave, coded with the residents' codebook.

    Parameters
    ----------
    enquete : DataFrame
        Processed ``enquete_usagers`` (``vague``, ``commentaire``).
    waves : sequence of str, optional
        Waves kept (default: all, in milestone order).
    codebook : ducos_lib.text.Codebook, optional
        Defaults to the residents' codebook named in ``config/observatoire.yml``
        (``textes.codebook_usagers``), never the staff codebook of the immersion forms.
    roster : Roster or names, optional
        Names to redact in the examples (HR roster).

    Returns
    -------
    ducos_lib.text.CommentThemes
        ``counts`` (``groupe`` = wave), redacted ``examples`` and ``codebook_version``.
    """
    from ducos_lib import text

    codebook = codebook if codebook is not None else text.load_codebook(text.codebook_path("usagers"))
    waves = list(waves) if waves is not None else wave_order(enquete["vague"].dropna().astype(str).unique())
    comments = enquete["commentaire"] if "commentaire" in enquete.columns else pd.Series(None, index=enquete.index,
                                                                                            dtype=object)
    vague = enquete["vague"].astype("string")
    keep = vague.isin(waves).fillna(False).to_numpy(dtype=bool)
    return text.themes_commentaires(comments[keep], vague[keep].astype(object), codebook=codebook,
                                    n_examples=n_examples, roster=roster)




# --------------------------------------------------------------------------------------------------
# Driver analysis and waiting-time quantiles (issue 15)
# --------------------------------------------------------------------------------------------------

DETERMINANT_COLUMNS = ["vague", "dimension", "importance", "ic_bas", "ic_haut", "performance"]


def determinants_enquete(
    designs: Mapping[str, SurveyDesign],
    dimensions: Sequence[str] | None = None,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The ``enquete_determinants.csv`` table of DESIGN.md §4: what moves global satisfaction.

    For each wave, a design-based logistic regression (:func:`~ducos_lib.survey.glm.svyglm`,
    quasibinomial, on the raked design) of "satisfied overall" (``satisfaction_globale >= 4``) on
    one indicator per dimension, "satisfied with that dimension" (answer 4–5). Dimensions enter as
    satisfied indicators rather than 1–5 scores so that importance and performance speak of the
    same event (being satisfied), the odds ratios of the five dimensions are on one scale, and no
    linearity is assumed across the Likert points. Respondents missing any of the six answers are
    left out of the model (a domain of the design, not a filtered sample). ``dimensions`` defaults
    to the registry's 5-point questions other than ``satisfaction_globale``
    (:func:`driver_dimensions`).

    Returns
    -------
    DataFrame
        ``vague, dimension, importance`` (odds ratio: how much the odds of being satisfied overall
        are multiplied when the resident is satisfied with the dimension, the others held fixed),
        ``ic_bas, ic_haut`` (its interval, Student's t with R's residual degrees of freedom),
        ``performance`` (weighted share satisfied with the dimension among those who answered it).
        A wave whose model cannot be fitted (too few complete answers, a dimension without
        variation) gives NaN importance with its performance.
    """
    dimensions = driver_dimensions() if dimensions is None else list(dimensions)
    rows = []
    for wave, des in designs.items():
        data = des.data
        sat = {c: _satisfied(data, c) for c in ("satisfaction_globale", *dimensions)}
        perf = {d: proportion(des, sat[d], alpha=alpha, **TABLE_OPTIONS).estimate for d in dimensions}
        try:
            fit = svyglm(des, sat["satisfaction_globale"], [pd.Series(sat[d], name=d).to_numpy() for d in dimensions],
                         family="quasibinomial", alpha=alpha)
            odds = np.exp(fit.estimate[1:])
            lo, hi = np.exp(fit.ci_low[1:]), np.exp(fit.ci_high[1:])
        except (SurveyError, np.linalg.LinAlgError):
            odds = lo = hi = np.full(len(dimensions), np.nan)
        for j, d in enumerate(dimensions):
            rows.append({"vague": wave, "dimension": d, "importance": odds[j], "ic_bas": lo[j], "ic_haut": hi[j],
                         "performance": perf[d]})
    return pd.DataFrame(rows, columns=DETERMINANT_COLUMNS)


def _satisfied(data: pd.DataFrame, column: str) -> np.ndarray:
    v = _float(data[column], column) if column in data.columns else np.full(len(data), np.nan)
    return np.where(np.isnan(v), np.nan, (v >= 4).astype(float))


QUANTILE_COLUMNS = ["vague", "variable", "quantile", "estimation", "erreur_type", "ic_bas", "ic_haut", "n_repondants"]


def quantiles_attente(
    designs: Mapping[str, SurveyDesign],
    variable: str = "temps_attente",
    probs: Sequence[float] = (0.25, 0.5, 0.75),
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Median and quartiles of a continuous answer (waiting time in minutes) per wave, with intervals.

    R's ``svyquantile`` defaults: ``qrule="math"``, Woodruff interval ``interval.type="mean"`` with
    Student's t on the design degrees of freedom of the respondents who answered.

    Returns
    -------
    DataFrame
        ``vague, variable, quantile`` (0.25, 0.5, 0.75), ``estimation, erreur_type, ic_bas, ic_haut``
        (NaN bound when the interval of the share leaves [0, 1], as R), ``n_repondants``.
    """
    rows = []
    for wave, des in designs.items():
        values = _float(des.data[variable], variable) if variable in des.data.columns else np.full(des.n, np.nan)
        if np.isnan(values).all():
            ests = [None] * len(probs)
        else:
            ests = quantile(des, values, list(probs), alpha=alpha, na_rm=True)
        for p, e in zip(probs, ests):
            rows.append({"vague": wave, "variable": variable, "quantile": p,
                         "estimation": np.nan if e is None else e.estimate,
                         "erreur_type": np.nan if e is None else e.se,
                         "ic_bas": np.nan if e is None else e.ci_low,
                         "ic_haut": np.nan if e is None else e.ci_high,
                         "n_repondants": 0 if e is None else e.n})
    return pd.DataFrame(rows, columns=QUANTILE_COLUMNS)
