"""Quality of service ↔ staff performance, service by service (DESIGN §5 *Quality ↔ performance*).

Three layers, each usable on its own:

1. **The service panel** (:func:`panel_services`, :func:`panel_depuis_jalon`): one row per service
   (``code_service``) and milestone joining

   - *quality* measures: weighted survey estimates for the service at the milestone's wave
     (:func:`mesures_enquete`, from the ``enquete_estimations`` table of DESIGN §4), the mean
     rating the service *received* as host of immersions (:func:`notes_immersion_recues`), and the
     mean of each service indicator over the months up to the milestone
     (:func:`moyennes_indicateurs_services`);
   - *staff* measures: absenteeism, turnover and training hours per agent of the service
     (:func:`mesures_rh_services`, computed by :func:`ducos_lib.hr.indicateurs_rh`), and the
     managers' self-evaluation progress (:func:`progression_autoevaluations`).

   Missing measures stay missing (NaN): nothing is imputed. The panel keeps every value for the
   internal correlation analysis; :meth:`PanelServices.publiable` blanks the staff figures about
   fewer agents than the confidentiality threshold (DESIGN §6), with the secondary masking of
   :func:`ducos_lib.hr.masquer_indicateurs`, before any row-wise display.

2. **Statistics**: Spearman correlations between each quality and each staff measure across
   services (pairwise complete), bootstrap confidence intervals over services, permutation
   p-values, Benjamini–Hochberg adjustment across every pair (:func:`correlations_qualite_rh`,
   :func:`tableau_qualite_performance` for the §4 table ``qualite_performance.csv``), and a
   mixed model with a random intercept per service across milestones (:func:`modele_mixte`).

3. **Words**: effect sizes (:func:`taille_effet`), sentences for the key findings
   (:func:`phrase_constat`, :func:`constats_cles`) and the methodological warning
   (:func:`avertissement_methodologique`), in French.

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
.. [5] Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed.,
   Lawrence Erlbaum (thresholds 0.1, 0.3, 0.5 for correlations).
.. [6] Robinson, W. S. (1950). Ecological correlations and the behavior of individuals.
   *American Sociological Review* 15, 351–357.
"""

from __future__ import annotations

import logging
import math
import warnings
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import survey
from .config import load_config
from .hr import indicateurs_rh, masquer_indicateurs
from .privacy import seuil_confidentialite
from .reports import formats

log = logging.getLogger(__name__)

#: Columns of the §4 table ``qualite_performance.csv``, in order.
COLONNES_QUALITE_PERFORMANCE = ["indicateur_qualite", "indicateur_rh", "n_services", "rho", "ic_bas",
                                "ic_haut", "p_valeur", "p_ajustee"]
#: Survey indicators taken into the panel by default (names of DESIGN §4).
INDICATEURS_ENQUETE = ("satisfaction_globale_moyenne", "satisfaction_globale_satisfaits")
#: HR indicators of :func:`ducos_lib.hr.indicateurs_rh` taken into the panel, with the panel column
#: holding the number of agents each one is about.
INDICATEURS_RH = {
    "taux_absenteisme": "effectif_absenteisme",
    "taux_rotation": "effectif_rotation",
    "heures_formation_par_agent": "effectif",
}
#: Staff measures of the panel (correlated with every quality measure).
MESURES_RH = ("taux_absenteisme", "taux_rotation", "heures_formation_par_agent",
              "progression_autoevaluation")
#: Prefix of the columns holding service indicators (``indicateurs_services``).
PREFIXE_INDICATEUR = "indicateur_"
#: Prefix of per-theme immersion ratings (``notes_par_theme=True``).
PREFIXE_NOTE_THEME = "immersion_"
METHODES_IC = ("percentile", "bca")
#: Cohen's (1988) thresholds for |rho|, with the French words used in the reports.
SEUILS_EFFET = ((0.1, "négligeable"), (0.3, "faible"), (0.5, "modérée"), (math.inf, "forte"))
MOINS = "\u2212"  # typographic minus sign


# ---------------------------------------------------------------------------------------------
# French labels of the measures
# ---------------------------------------------------------------------------------------------

_ITEMS = {
    "satisfaction_globale": "la satisfaction globale",
    "accueil": "l'accueil",
    "delai": "les délais",
    "information": "l'information",
    "ecoute": "l'écoute",
    "resolution": "la résolution de la demande",
}

#: name → (short label for tables and axes, noun phrase for sentences, grammatical gender).
_LIBELLES: dict[str, tuple[str, str, str]] = {
    "satisfaction_globale_moyenne": ("Satisfaction globale des usagers (moyenne sur 5)",
                                     "la satisfaction globale de ses usagers", "f"),
    "satisfaction_globale_satisfaits": ("Part d'usagers satisfaits (note 4 ou 5)",
                                        "la part d'usagers satisfaits", "f"),
    "satisfaction_globale_taux_net": ("Taux net de satisfaction globale",
                                      "le taux net de satisfaction globale", "m"),
    "recommandation_moyenne": ("Recommandation par les usagers (moyenne sur 10)",
                               "la note de recommandation donnée par ses usagers", "f"),
    "note_immersion_moyenne": ("Note moyenne reçue en immersion (sur 5)",
                               "la note qu'il reçoit en immersion", "f"),
    # Service indicators of the sample data (other names get a generic label).
    "indicateur_delai_traitement_jours": ("Délai de traitement (jours)",
                                          "le délai de traitement des demandes", "m"),
    "indicateur_reclamations": ("Réclamations (par mois)", "le nombre mensuel de réclamations", "m"),
    "indicateur_taux_decroche": ("Taux de décroché téléphonique (%)",
                                 "le taux de décroché téléphonique", "m"),
    "indicateur_dossiers_traites": ("Dossiers traités (par mois)",
                                    "le nombre mensuel de dossiers traités", "m"),
    "taux_absenteisme": ("Taux d'absentéisme (%)", "le taux d'absentéisme", "m"),
    "taux_rotation": ("Taux de rotation (%)", "le taux de rotation du personnel", "m"),
    "heures_formation_par_agent": ("Heures de formation par agent",
                                   "le nombre d'heures de formation par agent", "m"),
    "progression_autoevaluation": ("Progression de l'auto-évaluation des cadres (points sur 5)",
                                   "la progression de l'auto-évaluation de ses cadres", "f"),
}


def _libelle(nom: str) -> tuple[str, str, str]:
    if nom in _LIBELLES:
        return _LIBELLES[nom]
    for item, gn in _ITEMS.items():
        if nom == f"{item}_satisfaits":
            quoi = gn.split(" ", 1)[-1] if gn.startswith("la ") or gn.startswith("les ") else gn
            return (f"Part d'usagers satisfaits : {quoi}",
                    f"la part d'usagers satisfaits de {gn}".replace("de le ", "du ")
                    .replace("de les ", "des "), "f")
        if nom == f"{item}_taux_net":
            return (f"Taux net de satisfaction : {gn}", f"le taux net de satisfaction sur {gn}", "m")
    if nom.startswith(PREFIXE_INDICATEUR):
        brut = nom[len(PREFIXE_INDICATEUR):].replace("_", " ")
        return (f"Indicateur de service : {brut}", f"l'indicateur « {brut} »", "m")
    if nom.startswith(PREFIXE_NOTE_THEME + "note_"):
        theme = nom[len(PREFIXE_NOTE_THEME + "note_"):].replace("_", " ")
        return (f"Note reçue en immersion : {theme} (sur 5)",
                f"la note reçue en immersion sur le thème « {theme} »", "f")
    brut = nom.replace("_", " ")
    return (brut[:1].upper() + brut[1:], f"« {brut} »", "m")


def libelle_mesure(nom: str) -> str:
    """French label of a panel measure, for tables and chart axes.

    Examples
    --------
    >>> libelle_mesure("taux_absenteisme")
    "Taux d'absentéisme (%)"
    """
    return _libelle(nom)[0]


# ---------------------------------------------------------------------------------------------
# Panel pieces: each takes processed DataFrames and returns one row per code_service
# ---------------------------------------------------------------------------------------------

def _ts(date: Any) -> pd.Timestamp:
    ts = pd.Timestamp(date)
    if pd.isna(ts):
        raise ValueError(f"Date de jalon invalide : {date!r}.")
    return ts.normalize()


def _dt(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).astype("datetime64[ns]")


def _vide(colonnes: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="float64") for c in colonnes})
    out.index = pd.Index([], dtype="str", name="code_service")
    return out


def _seuil_enquete(seuil: int | None) -> int:
    if seuil is not None:
        return int(seuil)
    return int(load_config().get("enquete", {}).get("seuil_masquage", 10))


def mesures_enquete(estimations: pd.DataFrame | None, vague: str, *,
                    indicateurs: Sequence[str] = INDICATEURS_ENQUETE,
                    seuil_masquage: int | None = None) -> pd.DataFrame:
    """Survey estimates of each service at one wave, blanked below the display threshold.

    Parameters
    ----------
    estimations : DataFrame or None
        The ``enquete_estimations`` table of DESIGN §4 (``vague, indicateur, groupe_variable,
        groupe, estimation, n_repondants`` at least), e.g. from
        :func:`ducos_lib.survey.estimations_enquete`; only ``groupe_variable == "service"`` rows
        are used.
    vague : str
        The wave (the milestone's name, ``"T0"`` …).
    indicateurs : sequence of str
        Indicator names to keep; each becomes a column.
    seuil_masquage : int, optional
        An estimate on fewer respondents is not shown and here becomes NaN, even if the input
        table was not masked (default ``enquete.seuil_masquage`` of the configuration, 10).

    Returns
    -------
    DataFrame
        Index ``code_service``; one column per indicator and ``n_repondants`` (the largest number
        of respondents of the service over the kept indicators: NSP answers leave an item's
        domain).
    """
    colonnes = [*indicateurs, "n_repondants"]
    if estimations is None or estimations.empty:
        return _vide(colonnes)
    seuil = _seuil_enquete(seuil_masquage)
    e = estimations[(estimations["groupe_variable"].astype(str) == "service")
                    & (estimations["vague"].astype(str) == str(vague))
                    & estimations["indicateur"].astype(str).isin(list(indicateurs))]
    if e.empty:
        return _vide(colonnes)
    e = e.assign(groupe=e["groupe"].astype(str),
                 n_repondants=pd.to_numeric(e["n_repondants"], errors="coerce").astype("float64"),
                 estimation=pd.to_numeric(e["estimation"], errors="coerce").astype("float64"))
    e = e.assign(estimation=e["estimation"].where(e["n_repondants"] >= seuil))
    valeurs = e.pivot_table(index="groupe", columns="indicateur", values="estimation",
                            aggfunc="first", dropna=False)
    n = e.groupby("groupe")["n_repondants"].max()
    out = valeurs.reindex(columns=list(indicateurs)).astype("float64")
    out["n_repondants"] = n.reindex(out.index)
    out.index = pd.Index(out.index.astype(str), name="code_service")
    out.columns.name = None
    return out[colonnes]


def notes_immersion_recues(fiches: pd.DataFrame | None, *, date: Any = None,
                           types: Sequence[str] | None = None,
                           par_theme: bool = False) -> pd.DataFrame:
    """Mean rating each service received as host of immersions (``service_accueil``).

    Parameters
    ----------
    fiches : DataFrame or None
        Processed ``fiches_immersion`` with ``note_<theme>`` columns (1–5, NaN when blank).
    date : date-like, optional
        Only forms dated (``date_immersion``) on or before it count.
    types : sequence of str, optional
        Immersion types kept (``"inter"``, ``"intra"``); all by default.
    par_theme : bool, default False
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
        return _vide(base)
    f = fiches
    if date is not None and "date_immersion" in f.columns:
        f = f[_dt(f["date_immersion"]) <= _ts(date)]
    if types is not None and "type_immersion" in f.columns:
        f = f[f["type_immersion"].astype(str).isin(list(types))]
    notes = [c for c in f.columns if c.startswith("note_")]
    if f.empty or not notes:
        return _vide(base)
    valeurs = f[notes].apply(pd.to_numeric, errors="coerce").astype("float64")
    d = pd.DataFrame({"code_service": f["service_accueil"].astype(str).to_numpy(),
                      "_moyenne": valeurs.mean(axis=1, skipna=True).to_numpy()})
    g = d.groupby("code_service")["_moyenne"]
    out = pd.DataFrame({"note_immersion_moyenne": g.mean(), "n_fiches_immersion": g.count()
                        .astype("float64")})
    if par_theme:
        theme = valeurs.set_axis(d.index).assign(code_service=d["code_service"])
        moy = theme.groupby("code_service")[notes].mean()
        moy.columns = [PREFIXE_NOTE_THEME + c for c in notes]
        out = out.join(moy)
    out.index = pd.Index(out.index.astype(str), name="code_service")
    return out


def moyennes_indicateurs_services(indicateurs: pd.DataFrame | None, date: Any, *,
                                  mois: int = 12) -> pd.DataFrame:
    """Mean of each service indicator over the ``mois`` months ending with the milestone's month.

    Parameters
    ----------
    indicateurs : DataFrame or None
        Processed ``indicateurs_services`` (``code_service``, ``periode`` "AAAA-MM",
        ``indicateur``, ``valeur``).
    date : date-like
        The milestone's date: periods from ``mois - 1`` months before its month up to its month.
    mois : int, default 12
        Window length in months.

    Returns
    -------
    DataFrame
        Index ``code_service``; one column ``indicateur_<name>`` per indicator (mean of the
        available months; NaN when the service has none in the window).
    """
    if indicateurs is None or indicateurs.empty:
        return _vide([])
    if int(mois) < 1:
        raise ValueError(f"Fenêtre des indicateurs de service invalide : {mois!r} mois (au moins 1).")
    fin = _ts(date).to_period("M")
    debut = fin - (int(mois) - 1)
    per = pd.PeriodIndex(indicateurs["periode"].astype(str), freq="M")
    garde = np.asarray((per >= debut) & (per <= fin))
    d = indicateurs.loc[garde]
    if d.empty:
        return _vide([])
    d = d.assign(valeur=pd.to_numeric(d["valeur"], errors="coerce").astype("float64"),
                 code_service=d["code_service"].astype(str), indicateur=d["indicateur"].astype(str))
    out = d.pivot_table(index="code_service", columns="indicateur", values="valeur",
                        aggfunc="mean", dropna=False)
    out.columns = [PREFIXE_INDICATEUR + str(c) for c in out.columns]
    out.index = pd.Index(out.index.astype(str), name="code_service")
    return out.astype("float64")


def _extraction(agents: pd.DataFrame, date: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                  pd.Timestamp | None]:
    """(current extraction, earlier extractions, extraction date) seen on ``date``."""
    ag = agents.copy()
    ag["date_extraction"] = _dt(ag["date_extraction"])
    dispo = ag[ag["date_extraction"] <= date]
    if dispo.empty:
        return dispo, dispo, None
    d = dispo["date_extraction"].max()
    return dispo[dispo["date_extraction"] == d], dispo[dispo["date_extraction"] < d], d


def mesures_rh_services(agents: pd.DataFrame | None, absences: pd.DataFrame | None, date: Any, *,
                        seuil: int | None = None,
                        config: Mapping[str, Any] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Staff measures of each service from the HR extraction a milestone sees.

    The extraction is the latest ``date_extraction`` on or before ``date``; rates cover the 12
    months ending on that extraction date (DESIGN §3), as computed by
    :func:`ducos_lib.hr.indicateurs_rh` (earlier extractions feed the turnover).

    Parameters
    ----------
    agents : DataFrame or None
        ``rh_agents`` with every extraction up to (at least) ``date``.
    absences : DataFrame or None
        ``rh_absences``; those starting after ``date`` are ignored.
    date : date-like
        The milestone's date.
    seuil : int, optional
        Confidentiality threshold in agents (configuration by default, never below 3).
    config : mapping, optional
        The ``rh`` section of the configuration (see :func:`ducos_lib.hr.indicateurs_rh`).

    Returns
    -------
    (valeurs, masques) : tuple of DataFrame
        ``valeurs``: index ``code_service``; ``effectif``, ``taux_absenteisme`` (%),
        ``effectif_absenteisme`` (permanent agents present), ``taux_rotation`` (%),
        ``effectif_rotation`` (permanent headcount at the start of the window),
        ``heures_formation_par_agent``, ``date_extraction``; never masked.
        ``masques``: same index, boolean columns for those of ``valeurs`` that must not be
        published (primary masking below ``seuil`` agents and secondary masking against the
        ``ensemble`` figure, as :func:`ducos_lib.hr.masquer_indicateurs` does for
        ``rh_indicateurs.csv``).
    """
    colonnes = ["effectif", "taux_absenteisme", "effectif_absenteisme", "taux_rotation",
                "effectif_rotation", "heures_formation_par_agent"]
    vide = _vide(colonnes)
    vide["date_extraction"] = pd.Series(dtype="datetime64[ns]")
    if agents is None or agents.empty or "date_extraction" not in agents.columns:
        return vide, vide[colonnes].astype(bool)
    d = _ts(date)
    courant, anterieur, d_ext = _extraction(agents, d)
    if d_ext is None:
        return vide, vide[colonnes].astype(bool)
    ab = absences
    if ab is not None and not ab.empty:
        ab = ab[_dt(ab["date_debut"]) <= d]
    table = indicateurs_rh(courant, ab, d_ext, historique=anterieur if len(anterieur) else None,
                           ventilations=("service",), config=config)
    garde = ["effectif", *INDICATEURS_RH]
    table = table[table["indicateur"].isin(garde)
                  & table["groupe_variable"].isin(["ensemble", "service"])].reset_index(drop=True)
    masquee = masquer_indicateurs(table, seuil)
    table = table.assign(masque=masquee["masque"].to_numpy())
    serv = table[table["groupe_variable"] == "service"].assign(groupe=lambda t: t["groupe"].astype(str))
    val = serv.pivot_table(index="groupe", columns="indicateur", values="valeur", aggfunc="first")
    eff = serv.pivot_table(index="groupe", columns="indicateur", values="effectif", aggfunc="first")
    msk = serv.pivot_table(index="groupe", columns="indicateur", values="masque", aggfunc="any")
    index = pd.Index(sorted(serv["groupe"].unique()), dtype="str", name="code_service")
    valeurs = pd.DataFrame(index=index)
    masques = pd.DataFrame(index=index)

    def col(t: pd.DataFrame, nom: str) -> pd.Series:
        return (t[nom] if nom in t.columns else pd.Series(np.nan, index=t.index)).reindex(index)

    valeurs["effectif"] = col(eff, "effectif").astype("float64")
    masques["effectif"] = col(msk, "effectif").fillna(False).astype(bool)
    for ind, col_eff in INDICATEURS_RH.items():
        valeurs[ind] = col(val, ind).astype("float64")
        m = col(msk, ind).fillna(False).astype(bool)
        masques[ind] = m
        if col_eff != "effectif":
            valeurs[col_eff] = col(eff, ind).astype("float64")
            masques[col_eff] = m
    valeurs["date_extraction"] = pd.Series(d_ext, index=index, dtype="datetime64[ns]")
    return valeurs[[*colonnes, "date_extraction"]], masques[colonnes]


def progression_autoevaluations(autoevaluations: pd.DataFrame | None, agents: pd.DataFrame | None,
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
    colonnes = ["progression_autoevaluation", "n_cadres_autoevaluation"]
    if autoevaluations is None or autoevaluations.empty or agents is None or agents.empty:
        return _vide(colonnes)
    a = autoevaluations
    if date is not None:
        a = a[_dt(a["date"]) <= _ts(date)]
    if a.empty:
        return _vide(colonnes)
    a = a.assign(id_cadre=a["id_cadre"].astype(str), competence=a["competence"].astype(str),
                 temps=a["temps"].astype(str),
                 note=pd.to_numeric(a["note"], errors="coerce").astype("float64"))
    t = a.pivot_table(index=["id_cadre", "competence"], columns="temps", values="note", aggfunc="mean")
    if not {"avant", "apres"} <= set(t.columns):
        return _vide(colonnes)
    diff = (t["apres"] - t["avant"]).dropna()
    if diff.empty:
        return _vide(colonnes)
    par_cadre = diff.groupby(level="id_cadre").mean()
    ag = agents
    if "date_extraction" in ag.columns:
        ag = ag.assign(date_extraction=_dt(ag["date_extraction"]))
        if date is not None:
            ag = ag[ag["date_extraction"].isna() | (ag["date_extraction"] <= _ts(date))]
        ag = ag.sort_values("date_extraction", kind="stable", na_position="first")
    ag = ag.drop_duplicates("matricule", keep="last")
    service = pd.Series(ag["service"].astype(str).to_numpy(), index=ag["matricule"].astype(str).to_numpy())
    d = pd.DataFrame({"delta": par_cadre, "code_service": service.reindex(par_cadre.index)}).dropna()
    if d.empty:
        return _vide(colonnes)
    g = d.groupby("code_service")["delta"]
    out = pd.DataFrame({"progression_autoevaluation": g.mean(),
                        "n_cadres_autoevaluation": g.count().astype("float64")})
    out.index = pd.Index(out.index.astype(str), name="code_service")
    return out


# ---------------------------------------------------------------------------------------------
# The panel
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PanelServices:
    """One row per service and milestone, with the names of its quality and staff measures.

    Attributes
    ----------
    donnees : DataFrame
        Columns ``jalon``, ``date_jalon``, ``code_service`` (and ``libelle`` when the services
        table is given), the quality measures, their counts (``n_repondants``,
        ``n_fiches_immersion``), the staff measures and their counts (``effectif``,
        ``effectif_absenteisme``, ``effectif_rotation``, ``n_cadres_autoevaluation``),
        ``date_extraction``. Internal: staff figures about few agents are NOT masked here.
    qualite, rh : tuple of str
        Columns of ``donnees`` holding quality and staff measures (the correlation pairs).
    masques : DataFrame of bool
        Same index as ``donnees``; True where a cell must not be published (DESIGN §6).
    seuil_agents : int
        The confidentiality threshold used.
    avertissements : tuple of str
        French messages about parts that could not be computed (e.g. a survey raking failure).
    """

    donnees: pd.DataFrame
    qualite: tuple[str, ...]
    rh: tuple[str, ...]
    masques: pd.DataFrame
    seuil_agents: int
    avertissements: tuple[str, ...] = field(default=())

    @property
    def jalons(self) -> list[str]:
        return list(pd.unique(self.donnees["jalon"]))

    def to_frame(self) -> pd.DataFrame:
        """The internal panel (unmasked copy): for computations, never for display."""
        return self.donnees.copy()

    def jalon(self, jalon: str | None = None) -> pd.DataFrame:
        """Internal cross-section of one milestone (default: the last one), one row per service."""
        jalon = self.jalons[-1] if jalon is None else jalon
        if jalon not in self.jalons:
            raise ValueError(f"Jalon « {jalon} » absent du panel (jalons : {', '.join(self.jalons)}).")
        return self.donnees[self.donnees["jalon"] == jalon].reset_index(drop=True)

    def publiable(self, jalon: str | None = None) -> pd.DataFrame:
        """The panel as it may be shown or written: staff cells about too few agents are blanked.

        Parameters
        ----------
        jalon : str, optional
            Keep one milestone only (all by default).
        """
        out = self.donnees.copy()
        for c in self.masques.columns:
            if c in out.columns:
                out[c] = out[c].astype("float64").mask(self.masques[c].to_numpy(dtype=bool))
        if jalon is not None:
            out = out[out["jalon"] == jalon]
        return out.reset_index(drop=True)


def _jalons(jalons: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> list[tuple[str, pd.Timestamp]]:
    items = list(jalons.items()) if isinstance(jalons, Mapping) else list(jalons)
    if not items:
        raise ValueError("Aucun jalon : donnez au moins un jalon et sa date (ex. {'T0': '2026-01-15'}).")
    return [(str(j), _ts(d)) for j, d in items]


def panel_services(jalons: Mapping[str, Any] | Sequence[tuple[str, Any]], *,
                   services: pd.DataFrame | None = None,
                   estimations: pd.DataFrame | None = None,
                   fiches_immersion: pd.DataFrame | None = None,
                   indicateurs_services: pd.DataFrame | None = None,
                   rh_agents: pd.DataFrame | None = None,
                   rh_absences: pd.DataFrame | None = None,
                   autoevaluations: pd.DataFrame | None = None,
                   indicateurs_enquete: Sequence[str] = INDICATEURS_ENQUETE,
                   mois_indicateurs: int = 12,
                   types_immersion: Sequence[str] | None = None,
                   notes_par_theme: bool = False,
                   seuil_enquete: int | None = None,
                   seuil_agents: int | None = None,
                   config_rh: Mapping[str, Any] | None = None,
                   avertissements: Sequence[str] = ()) -> PanelServices:
    """Build the service × milestone panel from processed DataFrames (no file is read).

    Parameters
    ----------
    jalons : mapping or sequence of (str, date-like)
        Milestones and their dates (``calendrier``), e.g. ``{"T0": "2026-01-15", "T6": …}``.
        Each milestone's survey wave is the wave of the same name.
    services : DataFrame, optional
        ``services`` (``code_service``, ``libelle``): every service gets a row, even without any
        data. Otherwise the rows are the services seen in any input.
    estimations : DataFrame, optional
        ``enquete_estimations`` (DESIGN §4) with service rows (see :func:`mesures_enquete`).
    fiches_immersion, indicateurs_services, rh_agents, rh_absences, autoevaluations : DataFrame, optional
        Processed datasets (any rows: each milestone keeps those dated on or before its date;
        ``rh_agents`` must hold every extraction so each milestone finds its own).
    indicateurs_enquete : sequence of str
        Survey indicators taken as quality measures.
    mois_indicateurs : int, default 12
        Window of the service indicators' means (see :func:`moyennes_indicateurs_services`).
    types_immersion : sequence of str, optional
        Immersion types counted in the ratings received (all by default).
    notes_par_theme : bool, default False
        Also add one quality measure per immersion theme (more pairs, hence more adjustment).
    seuil_enquete : int, optional
        Survey display threshold (``enquete.seuil_masquage``, 10).
    seuil_agents : int, optional
        Confidentiality threshold in agents (``confidentialite.seuil_agents``, 5; never below 3).
    config_rh : mapping, optional
        ``rh`` section of the configuration, passed to :func:`ducos_lib.hr.indicateurs_rh`.
    avertissements : sequence of str
        Messages to carry in the result (used by :func:`panel_depuis_jalon`).

    Returns
    -------
    PanelServices
        Missing measures are NaN; a quality or staff column entirely empty is still listed.
    """
    seuil = seuil_confidentialite(seuil_agents)
    s_enq = _seuil_enquete(seuil_enquete)
    morceaux, masques = [], []
    codes_reference = (list(dict.fromkeys(services["code_service"].astype(str)))
                       if services is not None else None)
    libelles = (dict(zip(services["code_service"].astype(str), services["libelle"].astype(str)))
                if services is not None and "libelle" in services.columns else None)
    for jalon, date in _jalons(jalons):
        enq = mesures_enquete(estimations, jalon, indicateurs=indicateurs_enquete, seuil_masquage=s_enq)
        imm = notes_immersion_recues(fiches_immersion, date=date, types=types_immersion,
                                     par_theme=notes_par_theme)
        ind = moyennes_indicateurs_services(indicateurs_services, date, mois=mois_indicateurs)
        rh_val, rh_msk = mesures_rh_services(rh_agents, rh_absences, date, seuil=seuil, config=config_rh)
        auto = progression_autoevaluations(autoevaluations, rh_agents, date=date)
        parts = [enq, imm, ind, rh_val, auto]
        if codes_reference is not None:
            index = codes_reference + sorted(set().union(*(p.index for p in parts)) - set(codes_reference))
        else:
            index = sorted(set().union(*(p.index for p in parts)))
        index = pd.Index(index, dtype="str", name="code_service")
        df = pd.concat([p.reindex(index) for p in parts], axis=1)
        df.insert(0, "jalon", jalon)
        df.insert(1, "date_jalon", pd.Series(date, index=index, dtype="datetime64[ns]"))
        df = df.reset_index()
        if libelles is not None:
            df.insert(3, "libelle", df["code_service"].map(libelles))
        m = rh_msk.reindex(index).fillna(False).astype(bool)
        m["progression_autoevaluation"] = (auto["n_cadres_autoevaluation"].reindex(index) < seuil).to_numpy()
        m["n_cadres_autoevaluation"] = m["progression_autoevaluation"]
        morceaux.append(df)
        masques.append(m.reset_index(drop=True))
    donnees = pd.concat(morceaux, ignore_index=True)
    masque = pd.concat(masques, ignore_index=True).fillna(False).astype(bool)
    masque.index = donnees.index
    # Quality: survey indicators, immersion ratings, service indicators; staff: MESURES_RH.
    qualite = [*indicateurs_enquete, "note_immersion_moyenne"]
    qualite += sorted(c for c in donnees.columns if c.startswith(PREFIXE_NOTE_THEME + "note_"))
    qualite += sorted(c for c in donnees.columns if c.startswith(PREFIXE_INDICATEUR))
    rh = list(MESURES_RH)
    for c in [*qualite, *rh]:
        if c not in donnees.columns:
            donnees[c] = np.nan
    for c in ("n_repondants", "n_fiches_immersion", "effectif", "effectif_absenteisme",
              "effectif_rotation", "n_cadres_autoevaluation"):
        if c not in donnees.columns:
            donnees[c] = np.nan
    if "date_extraction" not in donnees.columns:
        donnees["date_extraction"] = pd.Series(pd.NaT, index=donnees.index, dtype="datetime64[ns]")
    tete = ["jalon", "date_jalon", "code_service"] + (["libelle"] if libelles is not None else [])
    comptes_q = ["n_repondants", "n_fiches_immersion"]
    comptes_rh = ["effectif", "effectif_absenteisme", "effectif_rotation", "n_cadres_autoevaluation",
                  "date_extraction"]
    ordre = tete + qualite + comptes_q + rh + comptes_rh
    ordre += [c for c in donnees.columns if c not in ordre]
    return PanelServices(donnees=donnees[ordre], qualite=tuple(qualite), rh=tuple(rh),
                         masques=masque, seuil_agents=seuil, avertissements=tuple(avertissements))


def panel_depuis_jalon(data: Any, *, estimations: pd.DataFrame | None = None,
                       jalons: Sequence[str] | None = None, config_enquete: Mapping | None = None,
                       **options: Any) -> PanelServices:
    """The panel of every milestone up to ``data.milestone``, from a :class:`~ducos_lib.ingest.MilestoneData`.

    Parameters
    ----------
    data : MilestoneData
        What the milestone sees (``load_milestone``).
    estimations : DataFrame, optional
        ``enquete_estimations`` with service rows; computed with
        :func:`ducos_lib.survey.estimations_enquete` (every service of ``services.csv``) when
        absent. A survey error (e.g. a raking that fails) leaves the survey measures empty and is
        recorded in :attr:`PanelServices.avertissements`.
    jalons : sequence of str, optional
        Milestones to include (default ``data.waves``: every milestone up to this one).
    config_enquete : mapping, optional
        ``enquete`` settings passed to the survey module.
    **options
        Passed to :func:`panel_services`.
    """
    noms = list(data.waves) if jalons is None else list(jalons)
    dates = {j: data.dates[j] for j in noms}
    msgs: list[str] = []
    if estimations is None and data.enquete_usagers is not None and len(data.enquete_usagers):
        try:
            estimations = survey.estimations_enquete(
                data.enquete_usagers, data.population_reference, config=config_enquete,
                group_variables=("service",),
                groups={"service": list(data.services["code_service"].astype(str))})
        except (survey.SurveyError, ValueError) as exc:
            msg = f"Estimations de l'enquête par service impossibles : {exc}"
            log.warning(msg)
            msgs.append(msg)
            estimations = None
    agents = data.rh_agents_historique if data.rh_agents_historique is not None else data.rh_agents
    return panel_services(dates, services=data.services, estimations=estimations,
                          fiches_immersion=data.fiches_immersion,
                          indicateurs_services=data.indicateurs_services, rh_agents=agents,
                          rh_absences=data.rh_absences, autoevaluations=data.autoevaluations,
                          avertissements=msgs, **options)


# ---------------------------------------------------------------------------------------------
# Spearman correlation, bootstrap CI, permutation test, BH adjustment
# ---------------------------------------------------------------------------------------------

def _config_qp(config: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return config if config is not None else load_config().get("qualite_performance", {})


def _corr_lignes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row of ``a`` with the same row of ``b`` (NaN if constant)."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    num = np.einsum("ij,ij->i", a, b)
    den = np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = num / den
    r[~(den > 1e-12)] = np.nan
    return np.clip(r, -1.0, 1.0)


def _complet(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype="float64").ravel()
    y = np.asarray(y, dtype="float64").ravel()
    if x.shape != y.shape:
        raise ValueError(f"Séries de longueurs différentes : {x.size} et {y.size}.")
    ok = ~(np.isnan(x) | np.isnan(y))
    return x[ok], y[ok]


def spearman(x: Any, y: Any) -> float:
    """Spearman's rho on the pairwise complete observations (average ranks for ties).

    Equals :func:`scipy.stats.spearmanr` on the complete pairs; NaN with fewer than 3 pairs or a
    constant series.
    """
    x, y = _complet(x, y)
    if x.size < 3:
        return float("nan")
    return float(_corr_lignes(stats.rankdata(x)[None, :], stats.rankdata(y)[None, :])[0])


@dataclass(frozen=True)
class CorrelationSpearman:
    """Spearman correlation with its bootstrap interval and permutation p-value.

    Attributes
    ----------
    rho : float
    ic_bas, ic_haut : float
        Bootstrap confidence interval (``methode_ic``) at level ``niveau``.
    p_valeur : float
        Two-sided permutation p-value, (count + 1) / (n_permutations + 1).
    n : int
        Complete pairs (services).
    niveau : float
    methode_ic : str
    n_bootstrap, n_permutations : int
    n_bootstrap_valides : int
        Resamples whose rho is defined (a resample with a constant series is dropped).
    """

    rho: float
    ic_bas: float
    ic_haut: float
    p_valeur: float
    n: int
    niveau: float
    methode_ic: str
    n_bootstrap: int
    n_permutations: int
    n_bootstrap_valides: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.__dict__])


def _generateurs(graine: int, cle: str) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent generators (bootstrap, permutations) from the seed and a pair's name.

    Deriving them from the pair's name makes each pair's results independent of which other pairs
    are analysed, and of their order.
    """
    h = zlib.crc32(cle.encode("utf-8"))
    return (np.random.default_rng([int(graine), 0, h]), np.random.default_rng([int(graine), 1, h]))


def _ic_bootstrap(boot: np.ndarray, rho: float, x: np.ndarray, y: np.ndarray, niveau: float,
                  methode: str) -> tuple[float, float]:
    alpha = 1.0 - niveau
    q = np.array([alpha / 2, 1 - alpha / 2])
    if methode == "bca":
        n = x.size
        jack = np.array([spearman(np.delete(x, i), np.delete(y, i)) for i in range(n)])
        jack = jack[~np.isnan(jack)]
        prop = (np.sum(boot < rho) + 0.5 * np.sum(boot == rho)) / boot.size
        if jack.size >= 3 and 0 < prop < 1:
            z0 = stats.norm.ppf(prop)
            d = jack.mean() - jack
            den = 6.0 * np.sum(d ** 2) ** 1.5
            a = np.sum(d ** 3) / den if den > 0 else 0.0
            z = stats.norm.ppf(q)
            adj = stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
            if np.all(np.isfinite(adj)):
                q = adj
        # otherwise (all resamples on one side of rho): the percentile interval is used.
    lo, hi = np.quantile(boot, q)
    return float(lo), float(hi)


def correlation_spearman(x: Any, y: Any, *, n_bootstrap: int | None = None,
                         n_permutations: int | None = None, graine: int | None = None,
                         niveau: float = 0.95, methode_ic: str = "percentile", cle: str = "",
                         config: Mapping[str, Any] | None = None) -> CorrelationSpearman:
    """Spearman's rho with a bootstrap CI over services and a permutation p-value.

    Parameters
    ----------
    x, y : array-like
        One value per service (NaN = missing: only complete pairs are used).
    n_bootstrap, n_permutations, graine : int, optional
        Defaults from ``qualite_performance`` in the configuration (2000, 2000, fixed seed).
    niveau : float, default 0.95
        Confidence level.
    methode_ic : {"percentile", "bca"}
        Bootstrap interval: percentile, or bias-corrected and accelerated (jackknife acceleration;
        falls back to percentile when the bias correction is undefined).
    cle : str
        Name mixed into the seed (see :func:`correlation_qualite_rh`), so that two pairs analysed
        with one seed do not share their random draws.
    config : mapping, optional
        The ``qualite_performance`` section.

    Returns
    -------
    CorrelationSpearman
        Everything NaN but ``n`` when fewer than 3 complete pairs or a constant series.

    Notes
    -----
    Vectorised: the B bootstrap resamples of services are drawn at once (B × n index matrix),
    ranked row-wise (average ranks) and correlated row-wise; the permutation test shuffles the
    ranks of ``y`` within each of P rows against the fixed ranks of ``x``. Two-sided p-value:
    (#{|rho*| ≥ |rho|} + 1) / (P + 1), never zero (Phipson & Smyth 2010).

    References
    ----------
    Efron & Tibshirani (1993), ch. 13–14; Phipson & Smyth (2010).
    """
    if methode_ic not in METHODES_IC:
        raise ValueError(f"Méthode d'intervalle inconnue : {methode_ic!r} "
                         f"(valeurs permises : {', '.join(METHODES_IC)}).")
    if not 0 < niveau < 1:
        raise ValueError(f"Niveau de confiance invalide : {niveau!r} (attendu entre 0 et 1, ex. 0.95).")
    cfg = _config_qp(config)
    B = int(n_bootstrap if n_bootstrap is not None else cfg.get("n_bootstrap", 2000))
    P = int(n_permutations if n_permutations is not None else cfg.get("n_permutations", 2000))
    graine = int(graine if graine is not None else cfg.get("graine", 20261126))
    x, y = _complet(x, y)
    n = int(x.size)
    nan = float("nan")
    rho = spearman(x, y) if n >= 3 else nan
    if math.isnan(rho):
        return CorrelationSpearman(nan, nan, nan, nan, n, niveau, methode_ic, B, P, 0)
    rng_b, rng_p = _generateurs(graine, cle)
    idx = rng_b.integers(0, n, size=(B, n))
    boot = _corr_lignes(stats.rankdata(x[idx], axis=1), stats.rankdata(y[idx], axis=1))
    boot = boot[~np.isnan(boot)]
    lo, hi = _ic_bootstrap(boot, rho, x, y, niveau, methode_ic) if boot.size else (nan, nan)
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    perm = rng_p.permuted(np.broadcast_to(ry, (P, n)), axis=1)
    rperm = _corr_lignes(np.broadcast_to(rx, (P, n)), perm)
    extremes = int(np.sum(np.abs(rperm) >= abs(rho) - 1e-12))
    p = (extremes + 1) / (P + 1)
    return CorrelationSpearman(rho, lo, hi, float(p), n, niveau, methode_ic, B, P, int(boot.size))


def ajuster_bh(p_valeurs: Any) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values: :func:`ducos_lib.survey.adjust_pvalues` with ``"bh"``.

    NaN values stay NaN and are not counted in the family.

    Examples
    --------
    >>> ajuster_bh([0.01, 0.04, 0.03, np.nan]).round(4).tolist()[:3]
    [0.03, 0.04, 0.04]
    """
    return survey.adjust_pvalues(np.asarray(p_valeurs, dtype="float64").ravel(), "bh")


def taille_effet(rho: float) -> str:
    """Plain-French size of a correlation, after Cohen (1988).

    ``|rho| < 0.1``: "négligeable"; ``< 0.3``: "faible"; ``< 0.5``: "modérée"; otherwise "forte".
    NaN gives "non calculable".

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., §3.2.
    """
    if rho is None or (isinstance(rho, float) and math.isnan(rho)) or pd.isna(rho):
        return "non calculable"
    r = abs(float(rho))
    for seuil, mot in SEUILS_EFFET:
        if r < seuil:
            return mot
    return SEUILS_EFFET[-1][1]  # pragma: no cover


def _colonnes(panel: PanelServices | pd.DataFrame, qualite: Sequence[str] | None,
              rh: Sequence[str] | None, jalon: str | None) -> tuple[pd.DataFrame, list[str], list[str]]:
    if isinstance(panel, PanelServices):
        df = panel.jalon(jalon)
        qualite = list(panel.qualite if qualite is None else qualite)
        rh = list(panel.rh if rh is None else rh)
    else:
        df = panel
        if jalon is not None and "jalon" in df.columns:
            df = df[df["jalon"] == jalon]
        elif "jalon" in df.columns and df["jalon"].nunique() > 1:
            raise ValueError("Le tableau contient plusieurs jalons : précisez « jalon » "
                             f"({', '.join(map(str, pd.unique(df['jalon'])))}).")
        if rh is None:
            rh = [c for c in MESURES_RH if c in df.columns]
        if qualite is None:
            exclus = set(rh) | {"jalon", "date_jalon", "code_service", "libelle", "date_extraction",
                                "n_repondants", "n_fiches_immersion", "effectif",
                                "effectif_absenteisme", "effectif_rotation", "n_cadres_autoevaluation"}
            qualite = [c for c in df.columns if c not in exclus and pd.api.types.is_numeric_dtype(df[c])]
        qualite, rh = list(qualite), list(rh)
    manquantes = [c for c in [*qualite, *rh] if c not in df.columns]
    if manquantes:
        raise ValueError(f"Mesures absentes du panel : {', '.join(manquantes)}.")
    return df, qualite, rh


def correlations_qualite_rh(panel: PanelServices | pd.DataFrame, *, jalon: str | None = None,
                            qualite: Sequence[str] | None = None, rh: Sequence[str] | None = None,
                            n_bootstrap: int | None = None, n_permutations: int | None = None,
                            graine: int | None = None, niveau: float = 0.95,
                            methode_ic: str = "percentile", n_min: int = 5, alpha: float = 0.05,
                            config: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Spearman correlation of every quality measure with every staff measure, across services.

    Parameters
    ----------
    panel : PanelServices or DataFrame
        The panel; a DataFrame must hold one milestone (or give ``jalon``), one row per service.
    jalon : str, optional
        Milestone analysed (default: the panel's last one).
    qualite, rh : sequence of str, optional
        Measures to pair (default: the panel's).
    n_bootstrap, n_permutations, graine : int, optional
        Defaults from ``qualite_performance`` in the configuration.
    niveau : float, default 0.95
    methode_ic : {"percentile", "bca"}
    n_min : int, default 5
        A pair with fewer complete services gets no statistic (NaN) and stays out of the
        adjustment.
    alpha : float, default 0.05
        Level of the ``significatif`` column (on the adjusted p-value).
    config : mapping, optional
        The ``qualite_performance`` section.

    Returns
    -------
    DataFrame
        The §4 columns (:data:`COLONNES_QUALITE_PERFORMANCE`) then ``taille_effet`` (French
        words, Cohen 1988), ``significatif`` (bool), ``methode`` (e.g. "spearman, IC bootstrap
        percentile (2000), permutations (2000)"). ``p_ajustee`` is Benjamini–Hochberg across
        every pair with a p-value. Sorted as the measures are given.
    """
    df, qualite, rh = _colonnes(panel, qualite, rh, jalon)
    lignes = []
    for q in qualite:
        for r in rh:
            x = pd.to_numeric(df[r], errors="coerce").to_numpy(dtype="float64")
            y = pd.to_numeric(df[q], errors="coerce").to_numpy(dtype="float64")
            n = int(np.sum(~(np.isnan(x) | np.isnan(y))))
            if n >= max(int(n_min), 3):
                c = correlation_spearman(x, y, n_bootstrap=n_bootstrap, n_permutations=n_permutations,
                                         graine=graine, niveau=niveau, methode_ic=methode_ic,
                                         cle=f"{q}|{r}", config=config)
                vals = (c.rho, c.ic_bas, c.ic_haut, c.p_valeur)
                methode = (f"spearman, IC bootstrap {c.methode_ic} ({c.n_bootstrap}), "
                           f"permutations ({c.n_permutations})")
            else:
                vals, methode = (np.nan,) * 4, f"non calculé (moins de {max(int(n_min), 3)} services)"
            lignes.append({"indicateur_qualite": q, "indicateur_rh": r, "n_services": n,
                           "rho": vals[0], "ic_bas": vals[1], "ic_haut": vals[2], "p_valeur": vals[3],
                           "methode": methode})
    out = pd.DataFrame(lignes, columns=[*COLONNES_QUALITE_PERFORMANCE[:7], "methode"])
    out["p_ajustee"] = ajuster_bh(out["p_valeur"].to_numpy(dtype="float64"))
    for c in ("rho", "ic_bas", "ic_haut", "p_valeur", "p_ajustee"):
        out[c] = out[c].astype("float64")
    out["n_services"] = out["n_services"].astype("int64")
    out["taille_effet"] = [taille_effet(r) for r in out["rho"]]
    out["significatif"] = (out["p_ajustee"] < alpha).fillna(False).astype(bool)
    return out[[*COLONNES_QUALITE_PERFORMANCE, "taille_effet", "significatif", "methode"]]


def tableau_qualite_performance(resultats: pd.DataFrame) -> pd.DataFrame:
    """The §4 table ``qualite_performance.csv``: exactly :data:`COLONNES_QUALITE_PERFORMANCE`.

    ``resultats`` comes from :func:`correlations_qualite_rh` (which already holds only aggregate
    statistics over services: nothing to mask).
    """
    return resultats[COLONNES_QUALITE_PERFORMANCE].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Mixed model across milestones
# ---------------------------------------------------------------------------------------------

COLONNES_MODELE_MIXTE = ["indicateur_qualite", "indicateur_rh", "n_observations", "n_services",
                         "n_jalons", "coefficient", "ic_bas", "ic_haut", "p_valeur", "converge",
                         "message"]


def paires_principales(resultats: pd.DataFrame, n: int = 3) -> list[tuple[str, str]]:
    """The ``n`` pairs with the smallest p-values (then largest |rho|), for the mixed model and charts."""
    r = resultats.dropna(subset=["rho"]).assign(_a=lambda t: -t["rho"].abs())
    r = r.sort_values(["p_ajustee", "p_valeur", "_a"], kind="stable").head(int(n))
    return list(zip(r["indicateur_qualite"], r["indicateur_rh"]))


def _mixte_une_paire(d: pd.DataFrame, q: str, r: str, niveau: float, n_min_services: int) -> dict:
    import statsmodels.formula.api as smf
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    ligne: dict[str, Any] = {"indicateur_qualite": q, "indicateur_rh": r}
    sub = d[["code_service", "jalon", q, r]].dropna()
    ligne.update(n_observations=len(sub), n_services=int(sub["code_service"].nunique()),
                 n_jalons=int(sub["jalon"].nunique()), coefficient=np.nan, ic_bas=np.nan,
                 ic_haut=np.nan, p_valeur=np.nan, converge=False, message="")
    if ligne["n_jalons"] < 2:
        ligne["message"] = "Modèle non estimé : il faut des mesures sur au moins deux jalons."
        return ligne
    if ligne["n_services"] < n_min_services:
        ligne["message"] = (f"Modèle non estimé : {ligne['n_services']} services avec des mesures "
                            f"complètes (au moins {n_min_services} requis).")
        return ligne
    y = sub[q].astype("float64")
    x = sub[r].astype("float64")
    if y.std(ddof=0) == 0 or x.std(ddof=0) == 0:
        ligne["message"] = "Modèle non estimé : une des deux mesures est constante."
        return ligne
    z = pd.DataFrame({"y": (y - y.mean()) / y.std(ddof=0), "x": (x - x.mean()) / x.std(ddof=0),
                      "service": sub["code_service"].astype(str)})
    try:
        with warnings.catch_warnings(record=True) as alertes:
            warnings.simplefilter("always")
            res = smf.mixedlm("y ~ x", z, groups=z["service"]).fit(reml=True)
        coef = float(res.fe_params["x"])
        se = float(res.bse_fe["x"])
        k = stats.norm.ppf(0.5 + niveau / 2)
        p = float(res.pvalues["x"])
        converge = bool(getattr(res, "converged", True)) and not any(
            issubclass(a.category, ConvergenceWarning) and "converge" in str(a.message).lower()
            for a in alertes)
        frontiere = any("boundary" in str(a.message).lower() for a in alertes)
        msgs = []
        if not converge:
            msgs.append("L'optimisation n'a pas convergé : résultat à ne pas interpréter.")
        if frontiere:
            msgs.append("La variance entre services est estimée à zéro (bord de l'espace des "
                        "paramètres) : le modèle se ramène à une régression simple.")
        if not (math.isfinite(coef) and math.isfinite(se)):
            converge = False
            msgs.append("Estimation dégénérée (écart-type non calculable).")
        ligne.update(coefficient=coef, ic_bas=coef - k * se, ic_haut=coef + k * se, p_valeur=p,
                     converge=converge, message=" ".join(msgs))
    except Exception as exc:  # noqa: BLE001 - any numerical failure becomes a French message
        ligne["message"] = f"Échec de l'estimation du modèle mixte ({type(exc).__name__} : {exc})."
    return ligne


def modele_mixte(panel: PanelServices | pd.DataFrame, *,
                 paires: Sequence[tuple[str, str]] | None = None,
                 niveau: float = 0.95, n_min_services: int = 5) -> pd.DataFrame:
    """Linear mixed model across milestones with a random intercept per service.

    For each pair, the quality measure is regressed on the staff measure, both standardised
    (z-scores over the observations used), with a random intercept per service (statsmodels
    ``MixedLM``, REML): the coefficient is the change of quality, in standard deviations, for one
    standard deviation of the staff measure, within and between services.

    Parameters
    ----------
    panel : PanelServices or DataFrame
        The panel over several milestones (``jalon``, ``code_service`` and the measures).
    paires : sequence of (quality, staff), optional
        Pairs to model (default: every quality × staff pair of the panel).
    niveau : float, default 0.95
        Level of the Wald confidence interval.
    n_min_services : int, default 5

    Returns
    -------
    DataFrame
        :data:`COLONNES_MODELE_MIXTE`. ``converge`` is False and ``message`` explains (in French)
        when the model could not be fitted or did not converge; never raises on numerical
        failure.

    References
    ----------
    Laird, N. M. & Ware, J. H. (1982). Random-effects models for longitudinal data.
    *Biometrics* 38, 963–974.
    """
    d = panel.to_frame() if isinstance(panel, PanelServices) else panel
    if paires is None:
        if not isinstance(panel, PanelServices):
            raise ValueError("Précisez « paires » (indicateur qualité, indicateur RH) pour un DataFrame.")
        paires = [(q, r) for q in panel.qualite for r in panel.rh]
    lignes = [_mixte_une_paire(d, q, r, niveau, n_min_services) for q, r in paires]
    out = pd.DataFrame(lignes, columns=COLONNES_MODELE_MIXTE)
    out["converge"] = out["converge"].astype(bool)
    return out


# ---------------------------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------------------------

def p_egal(nom: str, p: Any) -> str:
    """``"p ajustée = 0,021"``, or ``"p ajustée < 0,001"`` for a tiny p-value (never ``"= <"``)."""
    texte = formats.pvalue(p)
    return f"{nom} {texte}" if texte.startswith("<") else f"{nom} = {texte}"


def _nombre_signe(v: float, decimals: int = 2) -> str:
    s = formats.number(abs(v), decimals)
    return f"{MOINS}{s}" if v < 0 and s.strip("0,") else s


def _accord(adjectif: str, genre: str) -> str:
    if genre != "f":
        return adjectif
    return {"élevé": "élevée", "bas": "basse", "faible": "faible"}.get(adjectif, adjectif + "e")


def phrase_constat(ligne: Mapping[str, Any] | pd.Series, *, alpha: float = 0.05,
                   niveau: float = 0.95) -> str:
    """One French sentence stating a correlation of :func:`correlations_qualite_rh`.

    Examples
    --------
    "Plus le taux d'absentéisme d'un service est élevé, plus la satisfaction globale de ses
    usagers est basse (rho = −0,62, IC 95 % [−0,85 ; −0,21], 15 services, p ajustée = 0,004) :
    corrélation forte, qui résiste à l'ajustement pour tests multiples."
    """
    q, r = str(ligne["indicateur_qualite"]), str(ligne["indicateur_rh"])
    _, gn_q, g_q = _libelle(q)
    _, gn_r, g_r = _libelle(r)
    rho = ligne["rho"]
    n = int(ligne["n_services"])
    if pd.isna(rho):
        return (f"Le lien entre {gn_r} d'un service et {gn_q} n'est pas calculable "
                f"({n} service{'s' if n > 1 else ''} avec les deux mesures).")
    pct = formats.number(niveau * 100, 0)
    chiffres = (f"rho = {_nombre_signe(rho)}, IC {pct}{formats.NBSP}% "
                f"[{_nombre_signe(ligne['ic_bas'])} ; {_nombre_signe(ligne['ic_haut'])}], "
                f"{n} services, {p_egal('p ajustée', ligne['p_ajustee'])}")
    effet = taille_effet(rho)
    signif = bool(pd.notna(ligne["p_ajustee"]) and ligne["p_ajustee"] < alpha)
    if effet == "négligeable":
        return (f"Aucun lien notable entre {gn_r} d'un service et {gn_q} ({chiffres}).")
    sens_q = "élevé" if rho > 0 else "bas"
    debut = (f"Plus {gn_r} d'un service est {_accord('élevé', g_r)}, "
             f"plus {gn_q} est {_accord(sens_q, g_q)} ({chiffres})")
    if signif:
        return f"{debut} : corrélation {effet}, qui résiste à l'ajustement pour tests multiples."
    return (f"{debut} : corrélation {effet}, mais non significative après ajustement pour tests "
            f"multiples (elle peut être due au hasard).")


def constats_cles(resultats: pd.DataFrame, *, n: int = 3, alpha: float = 0.05,
                  niveau: float = 0.95) -> list[str]:
    """Sentences for the key findings: significant pairs first (by adjusted p), at most ``n``.

    When no pair survives the adjustment, the first sentence says so and the strongest pairs
    follow with their caveat.
    """
    r = resultats.dropna(subset=["rho"])
    if r.empty:
        return ["Aucune corrélation n'a pu être calculée : trop peu de services disposent à la fois "
                "d'une mesure de qualité et d'une mesure RH."]
    signif = r[r["p_ajustee"] < alpha].assign(_a=lambda t: -t["rho"].abs())
    signif = signif.sort_values(["p_ajustee", "_a"], kind="stable")
    phrases = [phrase_constat(l, alpha=alpha, niveau=niveau) for _, l in signif.head(n).iterrows()]
    if not phrases:
        phrases.append(f"Aucune des {len(r)} corrélations calculées ne reste significative après "
                       "ajustement pour tests multiples (Benjamini–Hochberg) : les données ne "
                       "montrent pas de lien net entre qualité de service et indicateurs RH.")
        autres = r.assign(_a=-r["rho"].abs()).sort_values("_a", kind="stable").head(max(n - 1, 0))
        phrases += [phrase_constat(l, alpha=alpha, niveau=niveau) for _, l in autres.iterrows()]
    return phrases


def avertissement_methodologique(n_services: int, n_jalons: int = 1, *,
                                 n_tests: int | None = None) -> str:
    """Plain-French warning on what the correlations can and cannot say.

    Parameters
    ----------
    n_services : int
        Largest number of services behind a pair (pairs with missing measures have fewer).
    n_jalons : int, default 1
        Number of milestones in the panel.
    n_tests : int, optional
        Number of pairs tested together: adds a sentence on multiple testing.
    """
    n_services, n_jalons = int(n_services), int(n_jalons)
    txt = (f"Ces résultats portent sur {n_services} service{'s' if n_services > 1 else ''} au plus "
           "(moins pour une paire dont une mesure manque ou est trop fragile dans certains services). "
           "Avec si peu d'unités, une corrélation peut apparaître ou disparaître par le seul jeu du "
           "hasard : les intervalles de confiance sont larges et un lien réel mais modeste peut "
           "passer inaperçu. ")
    txt += ("L'analyse est écologique : elle compare des moyennes de services, pas des personnes. "
            "Un lien observé entre services (par exemple entre l'absentéisme d'un service et la "
            "satisfaction de ses usagers) ne dit rien de ce que vit chaque agent ou chaque usager. ")
    if n_tests is not None and int(n_tests) > 1:
        txt += (f"{int(n_tests)} paires de mesures sont testées en même temps : sur autant de tests, "
                "quelques corrélations sortiraient « significatives » par hasard même sans aucun lien "
                "réel ; seules celles qui résistent à l'ajustement de Benjamini–Hochberg sont donc "
                "présentées comme des constats. ")
    txt += ("Enfin, une corrélation n'est pas une cause : les deux mesures peuvent dépendre d'un "
            "troisième facteur (charge de travail, type de public, moyens du service), et le sens "
            "du lien peut être inverse. Ces chiffres servent à ouvrir la discussion avec les "
            "services, pas à évaluer un service ou un encadrant.")
    if n_jalons > 1:
        txt += (f" Le modèle mixte suit les services sur {n_jalons} jalons : il tient compte des "
                "différences stables entre services, sans pour autant établir de causalité.")
    return txt


# ---------------------------------------------------------------------------------------------
# Report helpers (notebook 04_qualite_performance): display tables, sentences, alt texts
# ---------------------------------------------------------------------------------------------

#: What each measure is and over which window (methodology section of the report).
_DEFINITIONS: dict[str, str] = {
    "satisfaction_globale_moyenne": "Moyenne pondérée (redressement sur sexe, âge et quartier) de la note de "
                                    "satisfaction globale, de 1 à 5, des usagers ayant contacté le service, à la "
                                    "vague d'enquête du jalon.",
    "satisfaction_globale_satisfaits": "Part pondérée des usagers du service qui donnent 4 ou 5 sur 5 à la "
                                       "satisfaction globale, à la vague d'enquête du jalon.",
    "note_immersion_moyenne": "Moyenne des notes (1 à 5) données par les cadres accueillis en immersion dans le "
                              "service, toutes fiches datées jusqu'au jalon (chaque fiche compte une fois).",
    "indicateur_delai_traitement_jours": "Délai moyen de traitement des demandes, en jours, moyenne des 12 mois "
                                         "précédant le jalon.",
    "indicateur_reclamations": "Nombre de réclamations reçues par mois, moyenne des 12 mois précédant le jalon.",
    "indicateur_taux_decroche": "Part des appels téléphoniques décrochés, en %, moyenne des 12 mois précédant le "
                                "jalon.",
    "indicateur_dossiers_traites": "Nombre de dossiers traités par mois, moyenne des 12 mois précédant le jalon.",
    "taux_absenteisme": "Jours d'absence (tous motifs) des agents permanents du service sur les 12 mois précédant "
                        "l'extraction RH, rapportés aux jours calendaires × effectif, en %.",
    "taux_rotation": "(Arrivées + départs) / 2 des agents permanents sur les 12 mois précédant l'extraction RH, "
                     "rapporté à l'effectif du début de la période, en %.",
    "heures_formation_par_agent": "Heures de formation suivies sur les 12 mois précédant l'extraction RH, "
                                  "divisées par le nombre d'agents du service.",
    "progression_autoevaluation": "Pour les cadres du service ayant une auto-évaluation avant et après les mises "
                                  "en situation : moyenne de (note après − note avant), sur 5, compétences "
                                  "notées aux deux temps.",
}


def definition_mesure(nom: str) -> str:
    """French definition (with its time window) of a panel measure, for the methodology section."""
    if nom in _DEFINITIONS:
        return _DEFINITIONS[nom]
    if nom.startswith(PREFIXE_INDICATEUR):
        return "Indicateur de service transmis par les services, moyenne des 12 mois précédant le jalon."
    if nom.startswith(PREFIXE_NOTE_THEME + "note_"):
        return "Moyenne des notes (1 à 5) reçues sur ce thème lors des immersions, fiches datées jusqu'au jalon."
    return "Mesure du panel des services."


def format_mesure(nom: str, valeur: Any, *, masque: bool = False) -> str:
    """French text of one value of a panel measure (unit and decimals chosen from its name).

    ``"secret"`` when the cell is masked for confidentiality, ``"–"`` when missing.

    Examples
    --------
    >>> format_mesure("satisfaction_globale_satisfaits", 0.625)
    '62,5\u202f%'
    >>> format_mesure("taux_absenteisme", 4.44)
    '4,4\u202f%'
    """
    if masque:
        return "secret"
    if valeur is None or pd.isna(valeur):
        return "–"
    v = float(valeur)
    if nom.endswith("_satisfaits"):
        return formats.percent(v, 1)
    if nom.endswith("_taux_net"):
        return formats.signed(v * 100, 1) + " pts"
    if nom.startswith("taux_") or nom.startswith(PREFIXE_INDICATEUR + "taux_"):
        return formats.percent(v, 1, proportion=False)
    if nom.startswith("progression_"):
        return formats.signed(v, 2)
    if nom.startswith("n_") or nom.startswith("effectif"):
        return formats.number(v, 0)
    if "moyenne" in nom or nom.startswith(PREFIXE_NOTE_THEME + "note_"):
        return formats.number(v, 2)
    return formats.number(v, 1)


#: Short French headers of the count columns of the panel.
_LIBELLES_COMPTES = {
    "n_repondants": "Répondants à l'enquête",
    "n_fiches_immersion": "Fiches d'immersion reçues",
    "effectif": "Agents",
    "n_cadres_autoevaluation": "Cadres auto-évalués",
}


def panel_affichage(panel: PanelServices, jalon: str | None = None, *, partie: str = "qualite",
                    seuil_enquete: int | None = None) -> pd.DataFrame:
    """The published panel of one milestone as French text, for the report's tables.

    Built from :meth:`PanelServices.publiable`: a cell masked for confidentiality reads
    ``"secret"``, a missing measure ``"–"``, and a survey figure on too few respondents
    ``"< 10 rép."`` (display threshold of the survey). No unmasked staff figure can appear.

    Parameters
    ----------
    panel : PanelServices
    jalon : str, optional
        Default: the panel's last milestone.
    partie : {"qualite", "rh"}
        Quality measures (with respondents and immersion forms) or staff measures (with the
        headcount and the number of self-evaluated managers).
    seuil_enquete : int, optional
        Survey display threshold (``enquete.seuil_masquage``, 10).

    Returns
    -------
    DataFrame of str
        First column ``Service`` (label, or code when there is no label), then one column per
        measure headed by :func:`libelle_mesure`.
    """
    if partie not in ("qualite", "rh"):
        raise ValueError(f"Partie inconnue : {partie!r} (valeurs permises : qualite, rh).")
    jalon = panel.jalons[-1] if jalon is None else jalon
    interne = panel.jalon(jalon)  # only to know which cells are masked / counts, never shown
    garde = (panel.donnees["jalon"] == jalon).to_numpy()
    masques = panel.masques.loc[garde].reset_index(drop=True)
    pub = panel.publiable(jalon)
    seuil = _seuil_enquete(seuil_enquete)
    if partie == "qualite":
        mesures = [*panel.qualite, "n_repondants", "n_fiches_immersion"]
    else:
        mesures = ["effectif", *panel.rh, "n_cadres_autoevaluation"]
    service = (pub["libelle"] if "libelle" in pub.columns else pub["code_service"]).astype(str)
    out = pd.DataFrame({"Service": service.to_numpy()})
    n_rep = pd.to_numeric(interne.get("n_repondants"), errors="coerce") if "n_repondants" in interne else None
    for m in mesures:
        if m not in pub.columns:
            continue
        msk = (masques[m].to_numpy(dtype=bool) if m in masques.columns
               else np.zeros(len(pub), dtype=bool))
        textes = [format_mesure(m, v, masque=k) for v, k in zip(pub[m], msk)]
        if m in INDICATEURS_ENQUETE or (m.endswith(("_moyenne", "_satisfaits", "_taux_net"))
                                        and m in panel.qualite and m != "note_immersion_moyenne"):
            if n_rep is not None:
                textes = [f"<{formats.NBSP}{seuil} rép." if t == "–" and 0 < (nr if pd.notna(nr) else 0) < seuil
                          else t for t, nr in zip(textes, n_rep)]
        out[_LIBELLES_COMPTES.get(m, libelle_mesure(m))] = textes
    return out


def couverture_mesures(panel: PanelServices, jalon: str | None = None) -> pd.DataFrame:
    """For each measure, how many services have a value at the milestone, and how many are masked.

    Counts of services only (no value about anyone): for the data-quality paragraph.
    """
    jalon = panel.jalons[-1] if jalon is None else jalon
    d = panel.jalon(jalon)
    garde = (panel.donnees["jalon"] == jalon).to_numpy()
    masques = panel.masques.loc[garde].reset_index(drop=True)
    lignes = []
    for famille, mesures in (("Qualité de service", panel.qualite), ("Ressources humaines", panel.rh)):
        for m in mesures:
            n = int(pd.to_numeric(d[m], errors="coerce").notna().sum())
            k = int((masques[m].to_numpy(dtype=bool) & d[m].notna().to_numpy()).sum()) \
                if m in masques.columns else 0
            lignes.append({"famille": famille, "mesure": libelle_mesure(m), "services_avec_valeur": n,
                           "services_non_publies": k})
    return pd.DataFrame(lignes, columns=["famille", "mesure", "services_avec_valeur", "services_non_publies"])


def _intervalle(bas: Any, haut: Any, decimales: int = 2) -> str:
    if pd.isna(bas) or pd.isna(haut):
        return "–"
    return f"[{_nombre_signe(bas, decimales)}{formats.NBSP};\u00a0{_nombre_signe(haut, decimales)}]"


def tableau_correlations_affichage(resultats: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Every pair of :func:`correlations_qualite_rh` as French text, strongest evidence first.

    Sorted by adjusted p-value, then by |rho|; pairs without a statistic last.
    """
    r = resultats.assign(_a=-resultats["rho"].abs()).sort_values(["p_ajustee", "p_valeur", "_a"],
                                                                 kind="stable", na_position="last")
    out = pd.DataFrame({
        "Mesure de qualité": [libelle_mesure(q) for q in r["indicateur_qualite"]],
        "Indicateur RH": [libelle_mesure(x) for x in r["indicateur_rh"]],
        "Services": [formats.number(n) for n in r["n_services"]],
        "rho": [_nombre_signe(v) if pd.notna(v) else "–" for v in r["rho"]],
        "IC 95 %": [_intervalle(a, b) for a, b in zip(r["ic_bas"], r["ic_haut"])],
        "p": [formats.pvalue(p) for p in r["p_valeur"]],
        "p ajustée": [formats.pvalue(p) for p in r["p_ajustee"]],
        "Intensité": [taille_effet(v) for v in r["rho"]],
        "Significatif après ajustement": ["oui" if pd.notna(p) and p < alpha else
                                          ("–" if pd.isna(p) else "non") for p in r["p_ajustee"]],
    })
    return out.reset_index(drop=True)


def constat_synthese(resultats: pd.DataFrame, *, alpha: float = 0.05) -> str:
    """One sentence counting the pairs compared and those that survive the adjustment."""
    r = resultats.dropna(subset=["rho"])
    n_q = resultats["indicateur_qualite"].nunique()
    n_r = resultats["indicateur_rh"].nunique()
    s = int((r["p_ajustee"] < alpha).sum())
    nc = len(resultats) - len(r)
    txt = f"{len(resultats)} paires de mesures ont été comparées ({n_q} mesures de qualité × {n_r} indicateurs RH)"
    if nc:
        txt = (f"Sur {len(resultats)} paires de mesures ({n_q} mesures de qualité × {n_r} indicateurs RH), "
               f"{len(r)} ont pu être calculées (les {nc} autres portent sur trop peu de services)")
    if s == 0:
        return txt + " : aucune ne reste significative après ajustement pour tests multiples."
    return (txt + f" : {s} {'reste' if s == 1 else 'restent'} significative{'s' if s > 1 else ''} après "
            "ajustement pour tests multiples.")


#: Noun phrases of quality measures that stand alone ("... of a service"), for sentences that do
#: not start from the service.
_GN_NEUTRES = {
    "satisfaction_globale_moyenne": "la satisfaction globale des usagers d'un service",
    "satisfaction_globale_satisfaits": "la part d'usagers satisfaits d'un service",
    "recommandation_moyenne": "la note de recommandation donnée par les usagers d'un service",
    "note_immersion_moyenne": "la note reçue par un service en immersion",
}


def _neutre(nom: str) -> str:
    if nom in _GN_NEUTRES:
        return _GN_NEUTRES[nom]
    gn = _libelle(nom)[1]
    return gn.replace(" de ses ", " des ").replace(" ses ", " les ") + " d'un service"


def constat_sans_lien(resultats: pd.DataFrame, qualite: str = "satisfaction_globale_moyenne", *,
                      alpha: float = 0.05) -> str | None:
    """Sentence naming the staff measures with no significant link to one quality measure.

    None when every computed pair with that measure is significant or none was computed.
    """
    r = resultats[(resultats["indicateur_qualite"] == qualite) & resultats["rho"].notna()
                  & ~(resultats["p_ajustee"] < alpha)]
    if r.empty:
        return None
    morceaux = [f"{_libelle(x)[1]} (rho = {_nombre_signe(v)})" for x, v in zip(r["indicateur_rh"], r["rho"])]
    liste = morceaux[0] if len(morceaux) == 1 else ", ".join(morceaux[:-1]) + " ou " + morceaux[-1]
    return (f"En revanche, aucun lien significatif après ajustement n'apparaît entre {_neutre(qualite)} et "
            f"{liste}.")


def legende_paire(ligne: Mapping[str, Any] | pd.Series, *, alpha: float = 0.05,
                  niveau: float = 0.95) -> str:
    """Short caption of a scatter plot: rho, its CI, the adjusted p-value and the verdict."""
    rho = ligne["rho"]
    if pd.isna(rho):
        return "Corrélation non calculable (trop peu de services)."
    signif = pd.notna(ligne["p_ajustee"]) and ligne["p_ajustee"] < alpha
    return (f"Corrélation de Spearman sur {int(ligne['n_services'])} services : rho = {_nombre_signe(rho)}, "
            f"IC {formats.number(niveau * 100)}{formats.NBSP}% {_intervalle(ligne['ic_bas'], ligne['ic_haut'])}, "
            f"{p_egal('p ajustée', ligne['p_ajustee'])} ; corrélation {taille_effet(rho)}, "
            + ("significative après ajustement." if signif else "non significative après ajustement."))


def alt_heatmap(resultats: pd.DataFrame, jalon: str, *, alpha: float = 0.05) -> str:
    """Alt text of :func:`ducos_lib.reports.charts.correlation_heatmap`, with its main reading."""
    n_q = resultats["indicateur_qualite"].nunique()
    n_r = resultats["indicateur_rh"].nunique()
    txt = (f"Carte de chaleur des corrélations de Spearman au jalon {jalon} : {n_q} mesures de qualité de "
           f"service en lignes, {n_r} indicateurs RH en colonnes ; bleu pour un lien négatif, rouge pour un "
           "lien positif. ")
    s = resultats[resultats["p_ajustee"] < alpha].assign(_a=lambda t: -t["rho"].abs()).sort_values("_a")
    if s.empty:
        txt += "Aucune case n'est marquée : aucune corrélation ne reste significative après ajustement."
    else:
        cases = [f"{libelle_mesure(q)} et {libelle_mesure(x)} (rho = {_nombre_signe(v)})"
                 for q, x, v in zip(s["indicateur_qualite"], s["indicateur_rh"], s["rho"])]
        txt += (f"{len(s)} case{'s' if len(s) > 1 else ''} marquée{'s' if len(s) > 1 else ''} d'un astérisque "
                f"(significative{'s' if len(s) > 1 else ''} après ajustement) : " + " ; ".join(cases) + ".")
    nc = int(resultats["rho"].isna().sum())
    if nc:
        txt += f" {nc} case{'s' if nc > 1 else ''} grise{'s' if nc > 1 else ''} : non calculable{'s' if nc > 1 else ''}."
    return txt


def alt_nuage(publie: pd.DataFrame, ligne: Mapping[str, Any] | pd.Series, *,
              etiquette: str = "libelle") -> str:
    """Alt text of :func:`ducos_lib.reports.charts.service_scatter` for one pair, from the published panel.

    Names the services at both ends of the staff measure with their quality value.
    """
    q, r = str(ligne["indicateur_qualite"]), str(ligne["indicateur_rh"])
    etiquette = etiquette if etiquette in publie.columns else "code_service"
    d = publie[[etiquette, r, q]].dropna()
    txt = (f"Nuage de points : chaque point est un service ({len(d)} représentés), en abscisse "
           f"{libelle_mesure(r).lower()}, en ordonnée {libelle_mesure(q).lower()}. ")
    if not pd.isna(ligne["rho"]):
        sens = "descendante" if ligne["rho"] < 0 else "montante"
        txt += f"Tendance {sens}, rho = {_nombre_signe(ligne['rho'])}. "
    if len(d) >= 2:
        d = d.sort_values(r, kind="stable")
        bas, haut = d.iloc[0], d.iloc[-1]
        txt += (f"{haut[etiquette]}, où {_libelle(r)[1]} est le plus élevé ({format_mesure(r, haut[r])}), a "
                f"{format_mesure(q, haut[q])} ; {bas[etiquette]}, où il est le plus bas "
                f"({format_mesure(r, bas[r])}), a {format_mesure(q, bas[q])}.")
    return txt


def correlations_par_jalon(panel: PanelServices, paires: Sequence[tuple[str, str]] | None = None,
                           **options: Any) -> pd.DataFrame:
    """:func:`correlations_qualite_rh` at every milestone of the panel, kept for the given pairs.

    Each milestone is adjusted (Benjamini–Hochberg) over all its pairs, as its own report does.

    Returns
    -------
    DataFrame
        ``jalon`` then the columns of :func:`correlations_qualite_rh`.
    """
    morceaux = []
    for j in panel.jalons:
        r = correlations_qualite_rh(panel, jalon=j, **options)
        if paires is not None:
            cles = {tuple(p) for p in paires}
            r = r[[(a, b) in cles for a, b in zip(r["indicateur_qualite"], r["indicateur_rh"])]]
        morceaux.append(r.assign(jalon=j))
    out = pd.concat(morceaux, ignore_index=True)
    return out[["jalon", *[c for c in out.columns if c != "jalon"]]]


def tableau_correlations_par_jalon(par_jalon: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Pairs in rows, milestones in columns: rho (with ``*`` when significant after adjustment)."""
    jalons = list(dict.fromkeys(par_jalon["jalon"]))
    paires = list(dict.fromkeys(zip(par_jalon["indicateur_qualite"], par_jalon["indicateur_rh"])))
    lignes = []
    for q, r in paires:
        ligne = {"Mesure de qualité": libelle_mesure(q), "Indicateur RH": libelle_mesure(r)}
        for j in jalons:
            x = par_jalon[(par_jalon["jalon"] == j) & (par_jalon["indicateur_qualite"] == q)
                          & (par_jalon["indicateur_rh"] == r)]
            if x.empty or pd.isna(x["rho"].iloc[0]):
                ligne[j] = "–"
            else:
                etoile = "*" if x["p_ajustee"].iloc[0] < alpha else ""
                ligne[j] = f"{_nombre_signe(x['rho'].iloc[0])}{etoile} ({int(x['n_services'].iloc[0])} serv.)"
        lignes.append(ligne)
    return pd.DataFrame(lignes, columns=["Mesure de qualité", "Indicateur RH", *jalons])


def phrase_modele_mixte(ligne: Mapping[str, Any] | pd.Series, *, alpha: float = 0.05,
                        niveau: float = 0.95) -> str:
    """Plain-French reading of one row of :func:`modele_mixte`."""
    q, r = str(ligne["indicateur_qualite"]), str(ligne["indicateur_rh"])
    _, gn_q, g_q = _libelle(q)
    _, gn_r, g_r = _libelle(r)
    coef = ligne["coefficient"]
    if pd.isna(coef) or not bool(ligne["converge"]):
        return (f"Lien entre {gn_r} et {gn_q} : {ligne['message'] or 'modèle non estimé.'}").strip()
    sens = _accord("élevé" if coef > 0 else "bas", g_q)
    chiffres = (f"coefficient {_nombre_signe(coef)} écart-type, IC {formats.number(niveau * 100)}{formats.NBSP}% "
                f"{_intervalle(ligne['ic_bas'], ligne['ic_haut'])}, {p_egal('p', ligne['p_valeur'])}, "
                f"{int(ligne['n_observations'])} mesures de {int(ligne['n_services'])} services sur "
                f"{int(ligne['n_jalons'])} jalons")
    if ligne["p_valeur"] < alpha:
        txt = (f"En suivant les services sur {int(ligne['n_jalons'])} jalons, le lien se confirme : quand "
               f"{gn_r} d'un service est plus {_accord('élevé', g_r)} d'un écart-type, {gn_q} est en moyenne "
               f"plus {sens} de {formats.number(abs(coef), 2)} écart-type ({chiffres}).")
    else:
        txt = (f"En suivant les services sur {int(ligne['n_jalons'])} jalons, le lien entre {gn_r} d'un "
               f"service et {_neutre(q)} n'est pas confirmé ({chiffres}).")
    if ligne.get("message"):
        txt += " " + str(ligne["message"])
    return txt


def tableau_modele_mixte_affichage(mixte: pd.DataFrame) -> pd.DataFrame:
    """:func:`modele_mixte` as French text for the report."""
    return pd.DataFrame({
        "Mesure de qualité": [libelle_mesure(q) for q in mixte["indicateur_qualite"]],
        "Indicateur RH": [libelle_mesure(x) for x in mixte["indicateur_rh"]],
        "Mesures (services × jalons)": [f"{int(o)} ({int(s)} × {int(j)})" for o, s, j in
                                        zip(mixte["n_observations"], mixte["n_services"], mixte["n_jalons"])],
        "Coefficient (écarts-types)": [_nombre_signe(v) if pd.notna(v) else "–" for v in mixte["coefficient"]],
        "IC 95 %": [_intervalle(a, b) for a, b in zip(mixte["ic_bas"], mixte["ic_haut"])],
        "p": [formats.pvalue(p) for p in mixte["p_valeur"]],
        "Convergence": ["oui" if c else "non" for c in mixte["converge"]],
        "Remarque": [m if m else "–" for m in mixte["message"].fillna("")],
    })


def definitions_mesures(panel: PanelServices) -> pd.DataFrame:
    """Measure label, family and definition (with its window), for the methodology section."""
    lignes = [{"Famille": "Qualité de service", "Mesure": libelle_mesure(m), "Définition": definition_mesure(m)}
              for m in panel.qualite]
    lignes += [{"Famille": "Ressources humaines", "Mesure": libelle_mesure(m), "Définition": definition_mesure(m)}
               for m in panel.rh]
    return pd.DataFrame(lignes, columns=["Famille", "Mesure", "Définition"])


def note_masquage(panel: PanelServices, jalon: str | None = None) -> str | None:
    """Sentence on the staff measures that no service can publish at the milestone (all masked).

    None when every staff measure has at least one published value (or none has a value).
    """
    c = couverture_mesures(panel, jalon)
    tout = c[(c["famille"] == "Ressources humaines") & (c["services_avec_valeur"] > 0)
             & (c["services_non_publies"] == c["services_avec_valeur"])]
    if tout.empty:
        return None
    noms = [m[:1].lower() + m[1:] for m in tout["mesure"]]
    liste = noms[0] if len(noms) == 1 else ", ".join(noms[:-1]) + " et " + noms[-1]
    pluriel = len(noms) > 1
    return (f"{liste[:1].upper() + liste[1:]} : chaque service compte trop peu d'agents concernés (moins de "
            f"{panel.seuil_agents}) ; {'ces chiffres ne sont' if pluriel else 'ce chiffre n est'} donc publié"
            f"{'s' if pluriel else ''} pour aucun service, mais {'ils entrent' if pluriel else 'il entre'} dans "
            "les corrélations, qui ne décrivent aucun service en particulier.").replace("n est", "n'est")
