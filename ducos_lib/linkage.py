"""Quality of service ↔ staff performance, service by service (DESIGN §5 *Quality ↔ performance*).

Two layers, each usable on its own; the French words of report 04 (labels, sentences, display
tables, alt texts) are in :mod:`ducos_lib.reports.qualite_performance`.

1. **The service panel** (:func:`service_panel`, :func:`panel_from_milestone`): one row per service
   (``code_service``) and milestone joining

   - *quality* measures: weighted survey estimates for the service at the milestone's wave
     (:func:`survey_measures`, from the ``enquete_estimations`` table of DESIGN §4 — read from
     report 01's table when it is there, :func:`published_survey_estimates`), the mean rating the
     service *received* as host of immersions (:func:`immersion_ratings_received`), and the mean
     of each service indicator over the months up to the milestone (:func:`service_indicator_means`);
   - *staff* measures: absenteeism, turnover and training hours per agent of the service
     (:func:`staff_measures`, computed by :func:`ducos_lib.hr.hr_indicators`), and the managers'
     self-evaluation progress (:func:`self_evaluation_progress`).

   Missing measures stay missing (NaN): nothing is imputed. The panel keeps every value for the
   internal correlation analysis; :meth:`ServicePanel.published` blanks the staff figures about
   fewer agents than the confidentiality threshold (DESIGN §6), with the secondary masking of
   :func:`ducos_lib.hr.mask_indicators`, before any row-wise display.

2. **Statistics**: Spearman correlations between each quality and each staff measure across
   services (pairwise complete), bootstrap confidence intervals over services, permutation
   p-values, adjustment across every pair through :func:`ducos_lib.survey.adjust_pvalues`
   (Benjamini–Hochberg by default; :func:`quality_staff_correlations`,
   :func:`quality_performance_table` for the §4 table ``qualite_performance.csv``), and a mixed
   model with a random intercept per service across milestones (:func:`mixed_model`).

References
----------
.. [1] Spearman, C. (1904). The proof and measurement of association between two things.
   *American Journal of Psychology* 15, 72–101.
.. [2] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall
   (percentile interval ch. 13, BCa interval ch. 14).
.. [3] Good, P. (2005). *Permutation, Parametric and Bootstrap Tests of Hypotheses*, 3rd ed.,
   Springer; Phipson, B. & Smyth, G. K. (2010). Permutation p-values should never be zero.
   *Statistical Applications in Genetics and Molecular Biology* 9(1), art. 39.
.. [4] Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57,
   289–300.
.. [5] Robinson, W. S. (1950). Ecological correlations and the behavior of individuals.
   *American Sociological Review* 15, 351–357.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import survey
from .config import load_config
from .correlation import spearman_correlation
from .hr import hr_indicators, mask_indicators
from .privacy import confidentiality_threshold

log = logging.getLogger(__name__)

#: Columns of the §4 table ``qualite_performance.csv``, in order.
QUALITY_PERFORMANCE_COLUMNS = ["indicateur_qualite", "indicateur_rh", "n_services", "rho", "ic_bas",
                               "ic_haut", "p_valeur", "p_ajustee"]
#: Survey indicators taken into the panel by default (names of DESIGN §4).
SURVEY_MEASURES = ("satisfaction_globale_moyenne", "satisfaction_globale_satisfaits")
#: HR indicators of :func:`ducos_lib.hr.hr_indicators` taken into the panel, with the panel column
#: holding the number of agents each one is about.
HR_INDICATORS = {
    "taux_absenteisme": "effectif_absenteisme",
    "taux_rotation": "effectif_rotation",
    "heures_formation_par_agent": "effectif",
}
#: Staff measures of the panel (correlated with every quality measure).
STAFF_MEASURES = ("taux_absenteisme", "taux_rotation", "heures_formation_par_agent",
                  "progression_autoevaluation")
#: Columns of the panel counting what a quality measure (survey, immersions) is about.
QUALITY_COUNTS = ("n_repondants", "n_fiches_immersion")
#: Columns of the panel counting what a staff measure is about (agents, managers).
STAFF_COUNTS = ("effectif", "effectif_absenteisme", "effectif_rotation", "n_cadres_autoevaluation")
#: Prefix of the columns holding service indicators (``indicateurs_services``).
SERVICE_INDICATOR_PREFIX = "indicateur_"
#: Prefix of per-theme immersion ratings (``theme_ratings=True``).
THEME_RATING_PREFIX = "immersion_"
#: Columns of the mixed-model table, in order (``statut``: see :data:`MIXED_MODEL_STATUSES`).
MIXED_MODEL_COLUMNS = ["indicateur_qualite", "indicateur_rh", "n_observations", "n_services",
                       "n_jalons", "coefficient", "ic_bas", "ic_haut", "p_valeur", "converge",
                       "statut", "erreur"]
#: Codes of :func:`mixed_model`'s ``statut`` (several joined by ``;``): why a model is not fitted or
#: what to know about its fit. The report layer words them.
MIXED_MODEL_STATUSES = ("ok", "one_milestone", "few_services", "constant", "not_converged", "boundary",
                        "degenerate", "error")


def settings(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``qualite_performance`` section of ``config/observatoire.yml`` with its defaults."""
    section = config if config is not None else load_config().get("qualite_performance", {})
    defaults = {"n_bootstrap": 2000, "n_permutations": 2000, "graine": 20261126, "ajustement": "bh",
                "n_min_services": 5, "n_paires_principales": 3}
    return {**defaults, **dict(section or {})}


# ---------------------------------------------------------------------------------------------
# Panel pieces: each takes processed DataFrames and returns one row per code_service
# ---------------------------------------------------------------------------------------------

def _timestamp(date: Any) -> pd.Timestamp:
    ts = pd.Timestamp(date)
    if pd.isna(ts):
        raise ValueError(f"Date de jalon invalide : {date!r}.")
    return ts.normalize()


def _datetimes(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).astype("datetime64[ns]")


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    out.index = pd.Index([], dtype="str", name="code_service")
    return out


def _survey_threshold(threshold: int | None) -> int:
    if threshold is not None:
        return int(threshold)
    return int(load_config().get("enquete", {}).get("seuil_masquage", 10))


def survey_measures(estimations: pd.DataFrame | None, wave: str, *,
                    indicators: Sequence[str] = SURVEY_MEASURES,
                    threshold: int | None = None) -> pd.DataFrame:
    """Survey estimates of each service at one wave, blanked below the display threshold.

    Parameters
    ----------
    estimations : DataFrame or None
        The ``enquete_estimations`` table of DESIGN §4 (``vague, indicateur, groupe_variable,
        groupe, estimation, n_repondants`` at least), e.g. from
        :func:`ducos_lib.survey.estimations_enquete`; only ``groupe_variable == "service"`` rows
        are used.
    wave : str
        The wave (the milestone's name, ``"T0"`` …).
    indicators : sequence of str
        Indicator names to keep; each becomes a column.
    threshold : int, optional
        An estimate on fewer respondents is not shown and here becomes NaN, even if the input
        table was not masked (default ``enquete.seuil_masquage`` of the configuration, 10).

    Returns
    -------
    DataFrame
        Index ``code_service``; one column per indicator and ``n_repondants`` (the largest number
        of respondents of the service over the kept indicators: NSP answers leave an item's
        domain).
    """
    columns = [*indicators, "n_repondants"]
    if estimations is None or estimations.empty:
        return _empty(columns)
    limit = _survey_threshold(threshold)
    e = estimations[(estimations["groupe_variable"].astype(str) == "service")
                    & (estimations["vague"].astype(str) == str(wave))
                    & estimations["indicateur"].astype(str).isin(list(indicators))]
    if e.empty:
        return _empty(columns)
    e = e.assign(groupe=e["groupe"].astype(str),
                 n_repondants=pd.to_numeric(e["n_repondants"], errors="coerce").astype("float64"),
                 estimation=pd.to_numeric(e["estimation"], errors="coerce").astype("float64"))
    e = e.assign(estimation=e["estimation"].where(e["n_repondants"] >= limit))
    values = e.pivot_table(index="groupe", columns="indicateur", values="estimation",
                           aggfunc="first", dropna=False)
    n = e.groupby("groupe")["n_repondants"].max()
    out = values.reindex(columns=list(indicators)).astype("float64")
    out["n_repondants"] = n.reindex(out.index)
    out.index = pd.Index(out.index.astype(str), name="code_service")
    out.columns.name = None
    return out[columns]


def immersion_ratings_received(fiches: pd.DataFrame | None, *, date: Any = None,
                               types: Sequence[str] | None = None,
                               theme_ratings: bool = False) -> pd.DataFrame:
    """Mean rating each service received as host of immersions (``service_accueil``).

    Parameters
    ----------
    fiches : DataFrame or None
        Processed ``fiches_immersion`` with ``note_<theme>`` columns (1–5, NaN when blank).
    date : date-like, optional
        Only forms dated (``date_immersion``) on or before it count.
    types : sequence of str, optional
        Immersion types kept (``"inter"``, ``"intra"``); all by default.
    theme_ratings : bool, default False
        Also return the mean of each ``note_<theme>`` as ``immersion_note_<theme>``.

    Returns
    -------
    DataFrame
        Index ``code_service``; ``note_immersion_moyenne`` (the mean over forms of each form's
        mean rating, so that a form counts once whatever the number of themes it rates) and
        ``n_fiches_immersion`` (forms with at least one rating).
    """
    base = ["note_immersion_moyenne", "n_fiches_immersion"]
    if fiches is None or fiches.empty:
        return _empty(base)
    f = fiches
    if date is not None and "date_immersion" in f.columns:
        f = f[_datetimes(f["date_immersion"]) <= _timestamp(date)]
    if types is not None and "type_immersion" in f.columns:
        f = f[f["type_immersion"].astype(str).isin(list(types))]
    ratings = [c for c in f.columns if c.startswith("note_")]
    if f.empty or not ratings:
        return _empty(base)
    values = f[ratings].apply(pd.to_numeric, errors="coerce").astype("float64")
    d = pd.DataFrame({"code_service": f["service_accueil"].astype(str).to_numpy(),
                      "_mean": values.mean(axis=1, skipna=True).to_numpy()})
    g = d.groupby("code_service")["_mean"]
    out = pd.DataFrame({"note_immersion_moyenne": g.mean(), "n_fiches_immersion": g.count()
                        .astype("float64")})
    if theme_ratings:
        by_theme = values.set_axis(d.index).assign(code_service=d["code_service"])
        means = by_theme.groupby("code_service")[ratings].mean()
        means.columns = [THEME_RATING_PREFIX + c for c in ratings]
        out = out.join(means)
    out.index = pd.Index(out.index.astype(str), name="code_service")
    return out


def service_indicator_means(indicators: pd.DataFrame | None, date: Any, *,
                            months: int = 12) -> pd.DataFrame:
    """Mean of each service indicator over the ``months`` months ending with the milestone's month.

    Parameters
    ----------
    indicators : DataFrame or None
        Processed ``indicateurs_services`` (``code_service``, ``periode`` "AAAA-MM",
        ``indicateur``, ``valeur``).
    date : date-like
        The milestone's date: periods from ``months - 1`` months before its month up to its month.
    months : int, default 12
        Window length in months.

    Returns
    -------
    DataFrame
        Index ``code_service``; one column ``indicateur_<name>`` per indicator (mean of the
        available months; NaN when the service has none in the window).
    """
    if indicators is None or indicators.empty:
        return _empty([])
    if int(months) < 1:
        raise ValueError(f"Fenêtre des indicateurs de service invalide : {months!r} mois (au moins 1).")
    end = _timestamp(date).to_period("M")
    start = end - (int(months) - 1)
    periods = pd.PeriodIndex(indicators["periode"].astype(str), freq="M")
    keep = np.asarray((periods >= start) & (periods <= end))
    d = indicators.loc[keep]
    if d.empty:
        return _empty([])
    d = d.assign(valeur=pd.to_numeric(d["valeur"], errors="coerce").astype("float64"),
                 code_service=d["code_service"].astype(str), indicateur=d["indicateur"].astype(str))
    out = d.pivot_table(index="code_service", columns="indicateur", values="valeur",
                        aggfunc="mean", dropna=False)
    out.columns = [SERVICE_INDICATOR_PREFIX + str(c) for c in out.columns]
    out.index = pd.Index(out.index.astype(str), name="code_service")
    return out.astype("float64")


def _extraction(agents: pd.DataFrame, date: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                  pd.Timestamp | None]:
    """(current extraction, earlier extractions, extraction date) seen on ``date``."""
    ag = agents.copy()
    ag["date_extraction"] = _datetimes(ag["date_extraction"])
    seen = ag[ag["date_extraction"] <= date]
    if seen.empty:
        return seen, seen, None
    d = seen["date_extraction"].max()
    return seen[seen["date_extraction"] == d], seen[seen["date_extraction"] < d], d


def staff_measures(agents: pd.DataFrame | None, absences: pd.DataFrame | None, date: Any, *,
                   threshold: int | None = None,
                   config: Mapping[str, Any] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Staff measures of each service from the HR extraction a milestone sees.

    The extraction is the latest ``date_extraction`` on or before ``date``; rates cover the 12
    months ending on that extraction date (DESIGN §3), as computed by
    :func:`ducos_lib.hr.hr_indicators` (earlier extractions feed the turnover).

    Parameters
    ----------
    agents : DataFrame or None
        ``rh_agents`` with every extraction up to (at least) ``date``.
    absences : DataFrame or None
        ``rh_absences``; those starting after ``date`` are ignored.
    date : date-like
        The milestone's date.
    threshold : int, optional
        Confidentiality threshold in agents (configuration by default, never below 3).
    config : mapping, optional
        The ``rh`` section of the configuration (see :func:`ducos_lib.hr.hr_indicators`).

    Returns
    -------
    (values, masks) : tuple of DataFrame
        ``values``: index ``code_service``; ``effectif``, ``taux_absenteisme`` (%),
        ``effectif_absenteisme`` (permanent agents present), ``taux_rotation`` (%),
        ``effectif_rotation`` (permanent headcount at the start of the window),
        ``heures_formation_par_agent``, ``date_extraction``; never masked.
        ``masks``: same index, boolean columns for those of ``values`` that must not be
        published (primary masking below ``threshold`` agents and secondary masking against the
        ``ensemble`` figure, as :func:`ducos_lib.hr.mask_indicators` does for
        ``rh_indicateurs.csv``).

    Notes
    -----
    The published ``rh_indicateurs.csv`` of report 03 cannot replace this computation: its masked
    cells are empty, while the correlations use every value (they describe no service).
    """
    columns = ["effectif", "taux_absenteisme", "effectif_absenteisme", "taux_rotation",
               "effectif_rotation", "heures_formation_par_agent"]
    empty = _empty(columns)
    empty["date_extraction"] = pd.Series(dtype="datetime64[ns]")
    if agents is None or agents.empty or "date_extraction" not in agents.columns:
        return empty, empty[columns].astype(bool)
    d = _timestamp(date)
    current, earlier, d_ext = _extraction(agents, d)
    if d_ext is None:
        return empty, empty[columns].astype(bool)
    ab = absences
    if ab is not None and not ab.empty:
        ab = ab[_datetimes(ab["date_debut"]) <= d]
    table = hr_indicators(current, ab, d_ext, history=earlier if len(earlier) else None,
                          breakdowns=("service",), config=config)
    kept = ["effectif", *HR_INDICATORS]
    table = table[table["indicateur"].isin(kept)
                  & table["groupe_variable"].isin(["ensemble", "service"])].reset_index(drop=True)
    masked = mask_indicators(table, threshold)
    table = table.assign(masque=masked["masque"].to_numpy())
    serv = table[table["groupe_variable"] == "service"].assign(groupe=lambda t: t["groupe"].astype(str))
    val = serv.pivot_table(index="groupe", columns="indicateur", values="valeur", aggfunc="first")
    eff = serv.pivot_table(index="groupe", columns="indicateur", values="effectif", aggfunc="first")
    msk = serv.pivot_table(index="groupe", columns="indicateur", values="masque", aggfunc="any")
    index = pd.Index(sorted(serv["groupe"].unique()), dtype="str", name="code_service")
    values = pd.DataFrame(index=index)
    masks = pd.DataFrame(index=index)

    def column(t: pd.DataFrame, name: str) -> pd.Series:
        return (t[name] if name in t.columns else pd.Series(np.nan, index=t.index)).reindex(index)

    values["effectif"] = column(eff, "effectif").astype("float64")
    masks["effectif"] = column(msk, "effectif").fillna(False).astype(bool)
    for indicator, count in HR_INDICATORS.items():
        values[indicator] = column(val, indicator).astype("float64")
        m = column(msk, indicator).fillna(False).astype(bool)
        masks[indicator] = m
        if count != "effectif":
            values[count] = column(eff, indicator).astype("float64")
            masks[count] = m
    values["date_extraction"] = pd.Series(d_ext, index=index, dtype="datetime64[ns]")
    return values[[*columns, "date_extraction"]], masks[columns]


def self_evaluation_progress(autoevaluations: pd.DataFrame | None, agents: pd.DataFrame | None,
                             *, date: Any = None) -> pd.DataFrame:
    """Managers' self-evaluation progress (after − before), averaged by service.

    Parameters
    ----------
    autoevaluations : DataFrame or None
        Processed ``autoevaluations`` (``id_cadre``, ``temps`` avant/apres, ``date``,
        ``competence``, ``note``).
    agents : DataFrame or None
        ``rh_agents`` (any extractions): ``id_cadre`` is a pseudonymised ``matricule``; each
        manager gets the ``service`` of their latest extraction on or before ``date``.
    date : date-like, optional
        Only self-ratings dated on or before it count.

    Returns
    -------
    DataFrame
        Index ``code_service``; ``progression_autoevaluation`` (mean over the service's managers
        of each manager's mean, over the competences rated both before and after, of
        after − before; complete pairs only) and ``n_cadres_autoevaluation``.
        Managers missing from the HR extraction are left out.
    """
    columns = ["progression_autoevaluation", "n_cadres_autoevaluation"]
    if autoevaluations is None or autoevaluations.empty or agents is None or agents.empty:
        return _empty(columns)
    a = autoevaluations
    if date is not None:
        a = a[_datetimes(a["date"]) <= _timestamp(date)]
    if a.empty:
        return _empty(columns)
    a = a.assign(id_cadre=a["id_cadre"].astype(str), competence=a["competence"].astype(str),
                 temps=a["temps"].astype(str),
                 note=pd.to_numeric(a["note"], errors="coerce").astype("float64"))
    t = a.pivot_table(index=["id_cadre", "competence"], columns="temps", values="note", aggfunc="mean")
    if not {"avant", "apres"} <= set(t.columns):
        return _empty(columns)
    diff = (t["apres"] - t["avant"]).dropna()
    if diff.empty:
        return _empty(columns)
    per_manager = diff.groupby(level="id_cadre").mean()
    ag = agents
    if "date_extraction" in ag.columns:
        ag = ag.assign(date_extraction=_datetimes(ag["date_extraction"]))
        if date is not None:
            ag = ag[ag["date_extraction"].isna() | (ag["date_extraction"] <= _timestamp(date))]
        ag = ag.sort_values("date_extraction", kind="stable", na_position="first")
    ag = ag.drop_duplicates("matricule", keep="last")
    service = pd.Series(ag["service"].astype(str).to_numpy(), index=ag["matricule"].astype(str).to_numpy())
    d = pd.DataFrame({"delta": per_manager, "code_service": service.reindex(per_manager.index)}).dropna()
    if d.empty:
        return _empty(columns)
    g = d.groupby("code_service")["delta"]
    out = pd.DataFrame({"progression_autoevaluation": g.mean(),
                        "n_cadres_autoevaluation": g.count().astype("float64")})
    out.index = pd.Index(out.index.astype(str), name="code_service")
    return out


# ---------------------------------------------------------------------------------------------
# The panel
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ServicePanel:
    """One row per service and milestone, with the names of its quality and staff measures.

    Attributes
    ----------
    data : DataFrame
        Columns ``jalon``, ``date_jalon``, ``code_service`` (and ``libelle`` when the services
        table is given), the quality measures, their counts (:data:`QUALITY_COUNTS`), the staff
        measures and their counts (:data:`STAFF_COUNTS`), ``date_extraction``. Internal: staff
        figures about few agents are NOT masked here.
    quality, staff : tuple of str
        Columns of ``data`` holding quality and staff measures (the correlation pairs).
    masks : DataFrame of bool
        Same index as ``data``; True where a cell must not be published (DESIGN §6).
    threshold : int
        The confidentiality threshold used (agents).
    survey_source : {"tables", "computed", "none"}
        Where the survey estimates came from: report 01's published table, the survey engine, or
        nowhere (no answer, or the engine failed).
    survey_error : str or None
        The survey engine's (French) message when it failed; the survey measures are then empty.
    """

    data: pd.DataFrame
    quality: tuple[str, ...]
    staff: tuple[str, ...]
    masks: pd.DataFrame
    threshold: int
    survey_source: str = "none"
    survey_error: str | None = field(default=None)

    @property
    def milestones(self) -> list[str]:
        return list(pd.unique(self.data["jalon"]))

    def to_frame(self) -> pd.DataFrame:
        """The internal panel (unmasked copy): for computations, never for display."""
        return self.data.copy()

    def cross_section(self, milestone: str | None = None) -> pd.DataFrame:
        """Internal cross-section of one milestone (default: the last one), one row per service."""
        milestone = self.milestones[-1] if milestone is None else milestone
        if milestone not in self.milestones:
            raise ValueError(f"Jalon « {milestone} » absent du panel (jalons : {', '.join(self.milestones)}).")
        return self.data[self.data["jalon"] == milestone].reset_index(drop=True)

    def masks_of(self, milestone: str | None = None) -> pd.DataFrame:
        """Masks of one milestone's rows (same order as :meth:`cross_section`)."""
        milestone = self.milestones[-1] if milestone is None else milestone
        return self.masks.loc[(self.data["jalon"] == milestone).to_numpy()].reset_index(drop=True)

    def published(self, milestone: str | None = None) -> pd.DataFrame:
        """The panel as it may be shown or written: staff cells about too few agents are blanked.

        Parameters
        ----------
        milestone : str, optional
            Keep one milestone only (all by default).
        """
        out = self.data.copy()
        for c in self.masks.columns:
            if c in out.columns:
                out[c] = out[c].astype("float64").mask(self.masks[c].to_numpy(dtype=bool))
        if milestone is not None:
            out = out[out["jalon"] == milestone]
        return out.reset_index(drop=True)


def _milestones(milestones: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> list[tuple[str, pd.Timestamp]]:
    items = list(milestones.items()) if isinstance(milestones, Mapping) else list(milestones)
    if not items:
        raise ValueError("Aucun jalon : donnez au moins un jalon et sa date (ex. {'T0': '2026-01-15'}).")
    return [(str(j), _timestamp(d)) for j, d in items]


def service_panel(milestones: Mapping[str, Any] | Sequence[tuple[str, Any]], *,
                  services: pd.DataFrame | None = None,
                  estimations: pd.DataFrame | None = None,
                  fiches_immersion: pd.DataFrame | None = None,
                  indicateurs_services: pd.DataFrame | None = None,
                  rh_agents: pd.DataFrame | None = None,
                  rh_absences: pd.DataFrame | None = None,
                  autoevaluations: pd.DataFrame | None = None,
                  survey_indicators: Sequence[str] = SURVEY_MEASURES,
                  indicator_months: int = 12,
                  immersion_types: Sequence[str] | None = None,
                  theme_ratings: bool = False,
                  survey_threshold: int | None = None,
                  threshold: int | None = None,
                  config_hr: Mapping[str, Any] | None = None,
                  survey_source: str | None = None,
                  survey_error: str | None = None) -> ServicePanel:
    """Build the service × milestone panel from processed DataFrames (no file is read).

    Parameters
    ----------
    milestones : mapping or sequence of (str, date-like)
        Milestones and their dates (``calendrier``), e.g. ``{"T0": "2026-01-15", "T6": …}``.
        Each milestone's survey wave is the wave of the same name.
    services : DataFrame, optional
        ``services`` (``code_service``, ``libelle``): every service gets a row, even without any
        data. Otherwise the rows are the services seen in any input.
    estimations : DataFrame, optional
        ``enquete_estimations`` (DESIGN §4) with service rows (see :func:`survey_measures`).
    fiches_immersion, indicateurs_services, rh_agents, rh_absences, autoevaluations : DataFrame, optional
        Processed datasets (any rows: each milestone keeps those dated on or before its date;
        ``rh_agents`` must hold every extraction so each milestone finds its own).
    survey_indicators : sequence of str
        Survey indicators taken as quality measures.
    indicator_months : int, default 12
        Window of the service indicators' means (see :func:`service_indicator_means`).
    immersion_types : sequence of str, optional
        Immersion types counted in the ratings received (all by default).
    theme_ratings : bool, default False
        Also add one quality measure per immersion theme (more pairs, hence more adjustment).
    survey_threshold : int, optional
        Survey display threshold (``enquete.seuil_masquage``, 10).
    threshold : int, optional
        Confidentiality threshold in agents (``confidentialite.seuil_agents``, 5; never below 3).
    config_hr : mapping, optional
        ``rh`` section of the configuration, passed to :func:`ducos_lib.hr.hr_indicators`.
    survey_source, survey_error : str, optional
        Carried in the result (set by :func:`panel_from_milestone`); the source defaults to
        ``"computed"`` when ``estimations`` is given, ``"none"`` otherwise.

    Returns
    -------
    ServicePanel
        Missing measures are NaN; a quality or staff column entirely empty is still listed.
    """
    limit = confidentiality_threshold(threshold)
    survey_limit = _survey_threshold(survey_threshold)
    pieces, mask_pieces = [], []
    reference_codes = (list(dict.fromkeys(services["code_service"].astype(str)))
                       if services is not None else None)
    labels = (dict(zip(services["code_service"].astype(str), services["libelle"].astype(str)))
              if services is not None and "libelle" in services.columns else None)
    for milestone, date in _milestones(milestones):
        enq = survey_measures(estimations, milestone, indicators=survey_indicators, threshold=survey_limit)
        imm = immersion_ratings_received(fiches_immersion, date=date, types=immersion_types,
                                         theme_ratings=theme_ratings)
        ind = service_indicator_means(indicateurs_services, date, months=indicator_months)
        hr_values, hr_masks = staff_measures(rh_agents, rh_absences, date, threshold=limit, config=config_hr)
        auto = self_evaluation_progress(autoevaluations, rh_agents, date=date)
        parts = [enq, imm, ind, hr_values, auto]
        if reference_codes is not None:
            index = reference_codes + sorted(set().union(*(p.index for p in parts)) - set(reference_codes))
        else:
            index = sorted(set().union(*(p.index for p in parts)))
        index = pd.Index(index, dtype="str", name="code_service")
        df = pd.concat([p.reindex(index) for p in parts], axis=1)
        df.insert(0, "jalon", milestone)
        df.insert(1, "date_jalon", pd.Series(date, index=index, dtype="datetime64[ns]"))
        df = df.reset_index()
        if labels is not None:
            df.insert(3, "libelle", df["code_service"].map(labels))
        m = hr_masks.reindex(index).fillna(False).astype(bool)
        m["progression_autoevaluation"] = (auto["n_cadres_autoevaluation"].reindex(index) < limit).to_numpy()
        m["n_cadres_autoevaluation"] = m["progression_autoevaluation"]
        pieces.append(df)
        mask_pieces.append(m.reset_index(drop=True))
    data = pd.concat(pieces, ignore_index=True)
    masks = pd.concat(mask_pieces, ignore_index=True).fillna(False).astype(bool)
    masks.index = data.index
    # Quality: survey indicators, immersion ratings, service indicators; staff: STAFF_MEASURES.
    quality = [*survey_indicators, "note_immersion_moyenne"]
    quality += sorted(c for c in data.columns if c.startswith(THEME_RATING_PREFIX + "note_"))
    quality += sorted(c for c in data.columns if c.startswith(SERVICE_INDICATOR_PREFIX))
    staff = list(STAFF_MEASURES)
    for c in [*quality, *staff, *QUALITY_COUNTS, *STAFF_COUNTS]:
        if c not in data.columns:
            data[c] = np.nan
    if "date_extraction" not in data.columns:
        data["date_extraction"] = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
    head = ["jalon", "date_jalon", "code_service"] + (["libelle"] if labels is not None else [])
    order = head + quality + list(QUALITY_COUNTS) + staff + list(STAFF_COUNTS) + ["date_extraction"]
    order += [c for c in data.columns if c not in order]
    source = survey_source or ("computed" if estimations is not None else "none")
    return ServicePanel(data=data[order], quality=tuple(quality), staff=tuple(staff), masks=masks,
                        threshold=limit, survey_source=source, survey_error=survey_error)


# ---------------------------------------------------------------------------------------------
# Where the survey estimates come from: report 01's table, or the survey engine
# ---------------------------------------------------------------------------------------------

def _answer_counts(answers: pd.DataFrame, waves: Sequence[str]) -> dict[str, int]:
    """Respondents per wave with a ``satisfaction_globale`` answer (the overall mean's domain)."""
    a = answers[answers["vague"].astype(str).isin([str(w) for w in waves])]
    given = pd.to_numeric(a["satisfaction_globale"], errors="coerce").notna()
    return {str(w): int(n) for w, n in a.loc[given, "vague"].astype(str).value_counts().items()}


def published_survey_estimates(out_dir: Path | str | None, data: Any) -> pd.DataFrame | None:
    """Report 01's ``tables/enquete_estimations.csv`` when it matches what the milestone sees.

    The runner executes report 01 before report 04 in the same ``out_dir``; reading its table
    avoids raking the survey a second time. The table is used only when it has service rows for
    every wave up to the milestone that has answers, and its overall respondent counts of
    ``satisfaction_globale_moyenne`` equal those of ``data.enquete_usagers`` (a table left by an
    earlier run on other data is not used).

    Parameters
    ----------
    out_dir : path or None
        The report's output folder (tables in ``out_dir/tables``).
    data : MilestoneData
        What the milestone sees (``waves``, ``enquete_usagers``).

    Returns
    -------
    DataFrame or None
        None when the table is absent, unreadable or does not match.
    """
    if out_dir is None or data.enquete_usagers is None or data.enquete_usagers.empty:
        return None
    path = Path(out_dir) / "tables" / "enquete_estimations.csv"
    if not path.is_file():
        return None
    try:
        table = pd.read_csv(path, dtype={"vague": "str", "indicateur": "str", "groupe_variable": "str",
                                         "groupe": "str"})
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        log.warning("%s illisible (%s) : les estimations sont recalculées.", path, exc)
        return None
    needed = {"vague", "indicateur", "groupe_variable", "groupe", "estimation", "n_repondants"}
    if not needed <= set(table.columns):
        return None
    waves = [str(w) for w in data.waves]
    expected = _answer_counts(data.enquete_usagers, waves)
    services = table[table["groupe_variable"] == "service"]
    if not set(expected) <= set(services["vague"]):
        return None
    overall = table[(table["groupe_variable"] == "ensemble")
                    & (table["indicateur"] == "satisfaction_globale_moyenne")]
    published = {str(w): int(n) for w, n in zip(overall["vague"], overall["n_repondants"]) if w in waves}
    if published != expected:
        log.warning("%s ne correspond pas aux données du jalon : les estimations sont recalculées.", path)
        return None
    return table


def panel_from_milestone(data: Any, *, out_dir: Path | str | None = None,
                         estimations: pd.DataFrame | None = None,
                         milestones: Sequence[str] | None = None, config_survey: Mapping | None = None,
                         **options: Any) -> ServicePanel:
    """The panel of every milestone up to ``data.milestone``, from a :class:`~ducos_lib.ingest.MilestoneData`.

    Parameters
    ----------
    data : MilestoneData
        What the milestone sees (``load_milestone``).
    out_dir : path, optional
        The report's output folder: report 01's ``enquete_estimations.csv`` is read from it when
        it matches the data (:func:`published_survey_estimates`).
    estimations : DataFrame, optional
        ``enquete_estimations`` with service rows, given directly. Otherwise (no usable table in
        ``out_dir``) they are computed with :func:`ducos_lib.survey.estimations_enquete` (every
        service of ``services.csv``). A survey error (e.g. a raking that fails) leaves the survey
        measures empty and is recorded in :attr:`ServicePanel.survey_error`.
    milestones : sequence of str, optional
        Milestones to include (default ``data.waves``: every milestone up to this one).
    config_survey : mapping, optional
        ``enquete`` settings passed to the survey module.
    **options
        Passed to :func:`service_panel`.
    """
    names = list(data.waves) if milestones is None else list(milestones)
    dates = {j: data.dates[j] for j in names}
    error, source = None, "computed" if estimations is not None else "none"
    if estimations is None:
        estimations = published_survey_estimates(out_dir, data)
        source = "tables" if estimations is not None else "none"
    if estimations is None and data.enquete_usagers is not None and len(data.enquete_usagers):
        try:
            estimations = survey.estimations_enquete(
                data.enquete_usagers, data.population_reference, config=config_survey,
                group_variables=("service",),
                groups={"service": list(data.services["code_service"].astype(str))})
            source = "computed"
        except (survey.SurveyError, ValueError) as exc:
            log.warning("Estimations de l'enquête par service impossibles : %s", exc)
            error = str(exc)
            estimations = None
    agents = data.rh_agents_historique if data.rh_agents_historique is not None else data.rh_agents
    return service_panel(dates, services=data.services, estimations=estimations,
                         fiches_immersion=data.fiches_immersion,
                         indicateurs_services=data.indicateurs_services, rh_agents=agents,
                         rh_absences=data.rh_absences, autoevaluations=data.autoevaluations,
                         survey_source=source, survey_error=error, **options)


# ---------------------------------------------------------------------------------------------
# Every quality × staff pair of a milestone
# ---------------------------------------------------------------------------------------------

def _columns(panel: ServicePanel | pd.DataFrame, quality: Sequence[str] | None,
             staff: Sequence[str] | None, milestone: str | None) -> tuple[pd.DataFrame, list[str], list[str]]:
    if isinstance(panel, ServicePanel):
        df = panel.cross_section(milestone)
        quality = list(panel.quality if quality is None else quality)
        staff = list(panel.staff if staff is None else staff)
    else:
        df = panel
        if milestone is not None and "jalon" in df.columns:
            df = df[df["jalon"] == milestone]
        elif "jalon" in df.columns and df["jalon"].nunique() > 1:
            raise ValueError("Le tableau contient plusieurs jalons : précisez « milestone » "
                             f"({', '.join(map(str, pd.unique(df['jalon'])))}).")
        if staff is None:
            staff = [c for c in STAFF_MEASURES if c in df.columns]
        if quality is None:
            excluded = set(staff) | {"jalon", "date_jalon", "code_service", "libelle", "date_extraction",
                                     *QUALITY_COUNTS, *STAFF_COUNTS}
            quality = [c for c in df.columns if c not in excluded and pd.api.types.is_numeric_dtype(df[c])]
        quality, staff = list(quality), list(staff)
    missing = [c for c in [*quality, *staff] if c not in df.columns]
    if missing:
        raise ValueError(f"Mesures absentes du panel : {', '.join(missing)}.")
    return df, quality, staff


def quality_staff_correlations(panel: ServicePanel | pd.DataFrame, *, milestone: str | None = None,
                               quality: Sequence[str] | None = None, staff: Sequence[str] | None = None,
                               n_bootstrap: int | None = None, n_permutations: int | None = None,
                               seed: int | None = None, alpha: float = 0.05,
                               ci_method: str = "percentile", n_min: int | None = None,
                               adjust: str | None = None,
                               config: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Spearman correlation of every quality measure with every staff measure, across services.

    Parameters
    ----------
    panel : ServicePanel or DataFrame
        The panel; a DataFrame must hold one milestone (or give ``milestone``), one row per service.
    milestone : str, optional
        Milestone analysed (default: the panel's last one).
    quality, staff : sequence of str, optional
        Measures to pair (default: the panel's).
    n_bootstrap, n_permutations, seed : int, optional
        Defaults from ``qualite_performance`` in the configuration.
    alpha : float, default 0.05
        1 − confidence level of the intervals, and level of the ``significatif`` column (on the
        adjusted p-value).
    ci_method : {"percentile", "bca"}
    n_min : int, optional
        A pair with fewer complete services gets no statistic (NaN) and stays out of the
        adjustment (``n_min_services`` of the configuration, 5; never below 3).
    adjust : str, optional
        Method of :func:`ducos_lib.survey.adjust_pvalues` across every pair with a p-value
        (``ajustement`` of the configuration, ``"bh"``: Benjamini–Hochberg).
    config : mapping, optional
        The ``qualite_performance`` section.

    Returns
    -------
    DataFrame
        The §4 columns (:data:`QUALITY_PERFORMANCE_COLUMNS`) then ``significatif`` (bool) and
        ``methode`` (``"spearman"``, or ``"non_calcule"`` for a pair on too few services).
        Sorted as the measures are given.
    """
    df, quality, staff = _columns(panel, quality, staff, milestone)
    cfg = settings(config)
    minimum = max(int(cfg["n_min_services"] if n_min is None else n_min), 3)
    rows = []
    for q in quality:
        for r in staff:
            x = pd.to_numeric(df[r], errors="coerce").to_numpy(dtype="float64")
            y = pd.to_numeric(df[q], errors="coerce").to_numpy(dtype="float64")
            n = int(np.sum(~(np.isnan(x) | np.isnan(y))))
            if n >= minimum:
                c = spearman_correlation(x, y, n_bootstrap=n_bootstrap, n_permutations=n_permutations,
                                         seed=seed, alpha=alpha, ci_method=ci_method, key=f"{q}|{r}",
                                         config=config)
                values, method = (c.estimate, c.ci_low, c.ci_high, c.pvalue), c.method
            else:
                values, method = (np.nan,) * 4, "non_calcule"
            rows.append({"indicateur_qualite": q, "indicateur_rh": r, "n_services": n,
                         "rho": values[0], "ic_bas": values[1], "ic_haut": values[2], "p_valeur": values[3],
                         "methode": method})
    out = pd.DataFrame(rows, columns=[*QUALITY_PERFORMANCE_COLUMNS[:7], "methode"])
    out["p_ajustee"] = survey.adjust_pvalues(out["p_valeur"].to_numpy(dtype="float64"),
                                             adjust or cfg["ajustement"])
    for c in ("rho", "ic_bas", "ic_haut", "p_valeur", "p_ajustee"):
        out[c] = out[c].astype("float64")
    out["n_services"] = out["n_services"].astype("int64")
    out["significatif"] = (out["p_ajustee"] < alpha).fillna(False).astype(bool)
    return out[[*QUALITY_PERFORMANCE_COLUMNS, "significatif", "methode"]]


def quality_performance_table(results: pd.DataFrame) -> pd.DataFrame:
    """The §4 table ``qualite_performance.csv``: exactly :data:`QUALITY_PERFORMANCE_COLUMNS`.

    ``results`` comes from :func:`quality_staff_correlations` (which already holds only aggregate
    statistics over services: nothing to mask).
    """
    return results[QUALITY_PERFORMANCE_COLUMNS].reset_index(drop=True)


def main_pairs(results: pd.DataFrame, n: int | None = None) -> list[tuple[str, str]]:
    """The ``n`` pairs with the smallest p-values (then largest |rho|), for the mixed model and charts.

    ``n`` defaults to ``n_paires_principales`` of the configuration (3).
    """
    n = int(settings()["n_paires_principales"] if n is None else n)
    r = results.dropna(subset=["rho"]).assign(_a=lambda t: -t["rho"].abs())
    r = r.sort_values(["p_ajustee", "p_valeur", "_a"], kind="stable").head(n)
    return list(zip(r["indicateur_qualite"], r["indicateur_rh"]))


def correlations_by_milestone(panel: ServicePanel, pairs: Sequence[tuple[str, str]] | None = None,
                              **options: Any) -> pd.DataFrame:
    """:func:`quality_staff_correlations` at every milestone of the panel, kept for the given pairs.

    Each milestone is adjusted over all its pairs, as its own report does.

    Returns
    -------
    DataFrame
        ``jalon`` then the columns of :func:`quality_staff_correlations`.
    """
    pieces = []
    for j in panel.milestones:
        r = quality_staff_correlations(panel, milestone=j, **options)
        if pairs is not None:
            keys = {tuple(p) for p in pairs}
            r = r[[(a, b) in keys for a, b in zip(r["indicateur_qualite"], r["indicateur_rh"])]]
        pieces.append(r.assign(jalon=j))
    out = pd.concat(pieces, ignore_index=True)
    return out[["jalon", *[c for c in out.columns if c != "jalon"]]]


# ---------------------------------------------------------------------------------------------
# Mixed model across milestones
# ---------------------------------------------------------------------------------------------

def _mixed_one_pair(d: pd.DataFrame, q: str, r: str, alpha: float, n_min_services: int) -> dict:
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    row: dict[str, Any] = {"indicateur_qualite": q, "indicateur_rh": r}
    sub = d[["code_service", "jalon", q, r]].dropna()
    row.update(n_observations=len(sub), n_services=int(sub["code_service"].nunique()),
               n_jalons=int(sub["jalon"].nunique()), coefficient=np.nan, ic_bas=np.nan,
               ic_haut=np.nan, p_valeur=np.nan, converge=False, statut="ok", erreur="")
    if row["n_jalons"] < 2:
        row["statut"] = "one_milestone"
        return row
    if row["n_services"] < n_min_services:
        row["statut"] = "few_services"
        return row
    y = sub[q].astype("float64")
    x = sub[r].astype("float64")
    if y.std(ddof=0) == 0 or x.std(ddof=0) == 0:
        row["statut"] = "constant"
        return row
    z = pd.DataFrame({"y": (y - y.mean()) / y.std(ddof=0), "x": (x - x.mean()) / x.std(ddof=0),
                      "service": sub["code_service"].astype(str)})
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = smf.mixedlm("y ~ x", z, groups=z["service"]).fit(reml=True)
        coef = float(res.fe_params["x"])
        se = float(res.bse_fe["x"])
        k = stats.norm.ppf(1 - alpha / 2)
        p = float(res.pvalues["x"])
        converged = bool(getattr(res, "converged", True)) and not any(
            issubclass(a.category, ConvergenceWarning) and "converge" in str(a.message).lower()
            for a in caught)
        statuses = []
        if not converged:
            statuses.append("not_converged")
        if any("boundary" in str(a.message).lower() for a in caught):
            statuses.append("boundary")
        if not (math.isfinite(coef) and math.isfinite(se)):
            converged = False
            statuses.append("degenerate")
        row.update(coefficient=coef, ic_bas=coef - k * se, ic_haut=coef + k * se, p_valeur=p,
                   converge=converged, statut=";".join(statuses) or "ok")
    except Exception as exc:  # noqa: BLE001 - any numerical failure is reported, never raised
        row.update(statut="error", erreur=f"{type(exc).__name__} : {exc}")
    return row


def mixed_model(panel: ServicePanel | pd.DataFrame, *,
                pairs: Sequence[tuple[str, str]] | None = None,
                alpha: float = 0.05, n_min_services: int | None = None) -> pd.DataFrame:
    """Linear mixed model across milestones with a random intercept per service.

    For each pair, the quality measure is regressed on the staff measure, both standardised
    (z-scores over the observations used), with a random intercept per service (statsmodels
    ``MixedLM``, REML): the coefficient is the change of quality, in standard deviations, for one
    standard deviation of the staff measure, within and between services.

    Parameters
    ----------
    panel : ServicePanel or DataFrame
        The panel over several milestones (``jalon``, ``code_service`` and the measures).
    pairs : sequence of (quality, staff), optional
        Pairs to model (default: every quality × staff pair of the panel).
    alpha : float, default 0.05
        1 − level of the Wald confidence interval.
    n_min_services : int, optional
        ``n_min_services`` of the configuration (5) by default.

    Returns
    -------
    DataFrame
        :data:`MIXED_MODEL_COLUMNS`. ``converge`` is False and ``statut`` says why (codes of
        :data:`MIXED_MODEL_STATUSES`, ``erreur`` the exception for ``"error"``) when the model
        could not be fitted or did not converge; never raises on numerical failure.

    References
    ----------
    Laird, N. M. & Ware, J. H. (1982). Random-effects models for longitudinal data.
    *Biometrics* 38, 963–974.
    """
    d = panel.to_frame() if isinstance(panel, ServicePanel) else panel
    if pairs is None:
        if not isinstance(panel, ServicePanel):
            raise ValueError("Précisez « pairs » (indicateur qualité, indicateur RH) pour un DataFrame.")
        pairs = [(q, r) for q in panel.quality for r in panel.staff]
    minimum = int(settings()["n_min_services"] if n_min_services is None else n_min_services)
    rows = [_mixed_one_pair(d, q, r, alpha, minimum) for q, r in pairs]
    out = pd.DataFrame(rows, columns=MIXED_MODEL_COLUMNS)
    out["converge"] = out["converge"].astype(bool)
    return out
