"""HR indicators (RSU) and GPEC retirement projections (DESIGN §5, tables of §4).

Inputs are the processed datasets of ``docs/processed_data.md``:

- ``rh_agents``: one row per agent × extraction (``matricule``, ``sexe``, ``mois_naissance``,
  ``service``, ``statut``, ``categorie``, ``filiere``, ``metier``, ``date_entree``,
  ``date_sortie``, ``quotite``, ``categorie_active``, ``encadrant``, ``boe``,
  ``heures_formation``, ``date_extraction``). An extraction lists the agents present on its date
  and may also list agents who left since the previous extraction, with their ``date_sortie``:
  they count as departures, never in the headcount.
- ``rh_absences``: ``matricule``, ``motif``, ``date_debut``, ``date_fin``.

Conventions shared by every function (see each docstring's Notes for the details):

- *Present on day t*: ``date_entree <= t`` (or unknown) and ``date_sortie`` missing or ``> t``
  (``date_sortie`` is the first day the agent is no longer in post).
- *The 12-month window ending at D*: calendar days from ``D - 1 year + 1 day`` to ``D``, both
  included (365 or 366 days).
- *Permanent agents* (RSU): fonctionnaires (titulaires and stagiaires) and contractuels
  permanents, :data:`STATUTS_PERMANENTS`.
- *Age*: only the birth month is kept (DESIGN §6), stored as its first day; an agent's age at a
  date is counted in completed months from that day (an agent born in the extraction's month has
  had their birthday). Decimal ages are completed months / 12.
- Missing group labels become :data:`NON_RENSEIGNE` so that groups partition the ensemble.

Rates are in % (``12.5`` means 12,5 %), as the RSU publishes them.

References
----------
.. [1] Décret n° 2020-1493 du 30 novembre 2020 relatif à la base de données sociales et au rapport
   social unique dans la fonction publique.
.. [2] Arrêté du 10 décembre 2021 fixant pour la fonction publique territoriale la liste des
   indicateurs contenus dans la base de données sociales (rapport social unique).
.. [3] CNRACL, *Catégories actives* and *Âge de départ à la retraite* (cnracl.retraites.fr).
.. [4] Loi n° 2023-270 du 14 avril 2023 de financement rectificative de la sécurité sociale pour
   2023 (relèvement de l'âge légal).
.. [5] Loi n° 2025-1403 de financement de la sécurité sociale pour 2026 (suspension du
   relèvement de l'âge légal ; pensions prenant effet à compter du 1er septembre 2026).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .config import load_config
from .privacy import masquer_tableau, masquer_tableau_long, seuil_confidentialite

STATUTS = ("titulaire", "stagiaire", "contractuel_permanent", "contractuel_non_permanent")
#: Permanent headcount of the RSU: fonctionnaires (titulaires, stagiaires) + contractuels permanents.
STATUTS_PERMANENTS = ("titulaire", "stagiaire", "contractuel_permanent")
#: Only fonctionnaires (CNRACL) can retire under the active category.
STATUTS_FONCTIONNAIRES = ("titulaire", "stagiaire")
MOTIFS = ("MO", "CLM", "CLD", "AT", "MP", "MAT", "PAT", "AUTRE")
#: Breakdowns of ``rh_indicateurs`` (besides ``ensemble``).
VENTILATIONS = ("statut", "categorie", "filiere", "sexe", "service")
#: Breakdowns of ``rh_departs_projetes`` (besides ``ensemble``).
GROUPES_GPEC = ("service", "categorie", "filiere", "metier")
SCENARIOS = ("age_legal", "age_observe")
CATEGORIES_RETRAITE = ("sedentaire", "active")
ENSEMBLE = "ensemble"
NON_RENSEIGNE = "non_renseigne"

COLONNES_INDICATEURS = ["date_extraction", "indicateur", "groupe_variable", "groupe", "valeur",
                        "effectif", "masque"]
COLONNES_DEPARTS = ["date_extraction", "scenario", "annee", "groupe_variable", "groupe", "departs",
                    "masque"]


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def _ts(date: Any) -> pd.Timestamp:
    ts = pd.Timestamp(date)
    if pd.isna(ts):
        raise ValueError(f"Date invalide : {date!r}.")
    return ts.normalize()


def _choix(valeur: str, permis: Iterable[str], nom: str) -> str:
    permis = tuple(permis)
    if valeur not in permis:
        raise ValueError(f"{nom} inconnu : {valeur!r} (valeurs permises : {', '.join(permis)}).")
    return valeur


def _config_rh(config: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return config if config is not None else load_config("observatoire").get("rh", {})


def fenetre_12_mois(date_extraction: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day (both included) of the 12 months ending on ``date_extraction``.

    Examples
    --------
    >>> fenetre_12_mois("2025-12-31")
    (Timestamp('2025-01-01 00:00:00'), Timestamp('2025-12-31 00:00:00'))
    """
    fin = _ts(date_extraction)
    return fin - pd.DateOffset(years=1) + pd.Timedelta(days=1), fin


def _dt(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s).astype("datetime64[ns]")


def _preparer(agents: pd.DataFrame) -> pd.DataFrame:
    """Copy with typed columns, missing labels filled and optional columns defaulted."""
    df = agents.copy()
    for col in ("date_entree", "date_sortie", "mois_naissance", "date_extraction"):
        if col in df.columns:
            df[col] = _dt(df[col])
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


def presents(agents: pd.DataFrame, date: Any) -> pd.Series:
    """Boolean mask of agents present on ``date`` (see the module's conventions)."""
    d = _ts(date)
    entree = _dt(agents["date_entree"]) if "date_entree" in agents else pd.Series(pd.NaT, index=agents.index)
    sortie = _dt(agents["date_sortie"]) if "date_sortie" in agents else pd.Series(pd.NaT, index=agents.index)
    return ((entree.isna() | (entree <= d)) & (sortie.isna() | (sortie > d))).astype(bool)


def age_en_mois(naissance: pd.Series | Any, date: Any) -> pd.Series | int:
    """Completed months of age at ``date`` (birth stored as a date, e.g. the first of its month)."""
    d = _ts(date)
    if isinstance(naissance, pd.Series):
        n = _dt(naissance)
        mois = (d.year - n.dt.year) * 12 + (d.month - n.dt.month) - (d.day < n.dt.day).astype(int)
        return mois
    n = _ts(naissance)
    return (d.year - n.year) * 12 + (d.month - n.month) - int(d.day < n.day)


def _ajouter_mois(dates: pd.Series, mois: pd.Series | int) -> pd.Series:
    """Add whole months to dates, clamping the day to the end of the target month."""
    dates = _dt(dates)
    mois = pd.Series(mois, index=dates.index) if not isinstance(mois, pd.Series) else mois
    ok = dates.notna() & mois.notna()
    out = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
    if not ok.any():
        return out
    d, m = dates[ok], mois[ok].astype(int)
    total = d.dt.year * 12 + (d.dt.month - 1) + m
    annee, mois0 = total // 12, total % 12 + 1
    premier = pd.to_datetime(pd.DataFrame({"year": annee, "month": mois0, "day": 1}))
    jour = np.minimum(d.dt.day, premier.dt.days_in_month)
    out[ok] = premier + pd.to_timedelta(jour - 1, unit="D")
    return out


def _premier_du_mois_suivant(dates: pd.Series) -> pd.Series:
    dates = _dt(dates)
    out = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
    ok = dates.notna()
    out[ok] = (dates[ok].dt.to_period("M") + 1).dt.to_timestamp()
    return out


def _groupes(df: pd.DataFrame, ventilations: Sequence[str]):
    """Yield (groupe_variable, groupe, sub-frame): the ensemble, then each group of each breakdown."""
    yield ENSEMBLE, ENSEMBLE, df
    for v in ventilations:
        for g, sub in df.groupby(v, sort=True):
            yield v, str(g), sub


# ---------------------------------------------------------------------------------------------
# RSU indicators
# ---------------------------------------------------------------------------------------------

def jours_absence(absences: pd.DataFrame, debut: Any, fin: Any) -> pd.Series:
    """Calendar days of each absence inside ``[debut, fin]`` (both bounds included).

    An absence without ``date_fin`` is taken as still running on ``fin``. Absences outside the
    window give 0.
    """
    debut, fin = _ts(debut), _ts(fin)
    d0 = _dt(absences["date_debut"]).clip(lower=debut)
    d1 = _dt(absences["date_fin"]).fillna(fin).clip(upper=fin)
    jours = (d1 - d0).dt.days + 1
    return jours.clip(lower=0).fillna(0).astype(int)


def _roster_flux(agents: pd.DataFrame, historique: pd.DataFrame | None, d: pd.Timestamp) -> pd.DataFrame:
    """Every agent known on or before ``d``, once, with their latest attributes."""
    base = agents if historique is None else pd.concat([historique, agents], ignore_index=True)
    base = _preparer(base)
    if base["date_extraction"].notna().any():
        base = base[base["date_extraction"].isna() | (base["date_extraction"] <= d)]
    base = base.sort_values("date_extraction", kind="stable", na_position="first")
    return base.drop_duplicates("matricule", keep="last")


def _table_datee(lignes: list, d: pd.Timestamp, colonnes: list[str], *, texte: Sequence[str],
                 entiers: Sequence[str]) -> pd.DataFrame:
    """Rows of one extraction as a typed frame: ``date_extraction`` first, ``masque`` False."""
    out = pd.DataFrame(lignes, columns=colonnes)
    out.insert(0, "date_extraction", pd.Series([d] * len(out), dtype="datetime64[ns]"))
    for c in entiers:
        out[c] = out[c].astype("Int64")
    for c in texte:
        out[c] = out[c].astype("str")
    out["masque"] = False
    return out


def indicateurs_rh(agents: pd.DataFrame, absences: pd.DataFrame | None, date_extraction: Any, *,
                   historique: pd.DataFrame | None = None,
                   ventilations: Sequence[str] = VENTILATIONS,
                   statuts_permanents: Sequence[str] = STATUTS_PERMANENTS,
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
    historique : DataFrame, optional
        Earlier extractions (``rh_agents_historique``), used for turnover: departures listed in
        earlier extractions of the window and the headcount at its start. Without it, only
        ``agents`` is used.
    ventilations : sequence of str
        Breakdowns, a subset of ``{"statut", "categorie", "filiere", "sexe", "service"}``.
    statuts_permanents : sequence of str
        Statuts forming the permanent headcount (absenteeism and turnover).
    config : mapping, optional
        The ``rh`` section of ``observatoire.yml`` (``seuil_boe_etp``, ``obligation_boe``,
        ``motifs_compressibles``); read from the workspace by default.

    Returns
    -------
    DataFrame
        Columns :data:`COLONNES_INDICATEURS`; ``effectif`` is the number of agents the figure is
        about (its population); ``masque`` is False (see :func:`masquer_indicateurs`).

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
      :data:`MOTIFS`, summing to the total; there ``effectif`` is the number of agents absent for
      that motif, the people the figure is about, so that masking protects health data) and ``taux_absenteisme_compressible`` (the motifs of
      ``config["motifs_compressibles"]``, MO + AT: a local convention). An agent who arrived
      during the window counts for the whole window in the denominator (RSU simplification).
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
    cfg = _config_rh(config)
    for v in ventilations:
        _choix(v, VENTILATIONS, "Ventilation")
    d = _ts(date_extraction)
    debut, fin = fenetre_12_mois(d)
    veille = debut - pd.Timedelta(days=1)
    n_jours = (fin - debut).days + 1
    motifs_comp = tuple(cfg.get("motifs_compressibles", ("MO", "AT")))
    perm = tuple(statuts_permanents)

    ag = _preparer(agents)
    pres = ag[presents(ag, d)].drop_duplicates("matricule", keep="last").copy()
    pres["age_mois"] = age_en_mois(pres["mois_naissance"], d)
    pres["etp"] = pres["quotite"] / 100.0
    lignes: list[dict[str, Any]] = []

    def ajouter(ind: str, gv: str, g: str, valeur: float, effectif: int) -> None:
        lignes.append({"indicateur": ind, "groupe_variable": gv, "groupe": g,
                       "valeur": float(valeur), "effectif": int(effectif)})

    # Headcount, FTE, ages, training, managers.
    for gv, g, sub in _groupes(pres, ventilations):
        n = len(sub)
        if n == 0:
            continue
        ajouter("effectif", gv, g, n, n)
        ajouter("etp", gv, g, sub["etp"].sum(), n)
        ages = sub["age_mois"].dropna() / 12.0
        if len(ages):
            ajouter("age_moyen", gv, g, ages.mean(), len(ages))
            ajouter("age_median", gv, g, ages.median(), len(ages))
        ajouter("heures_formation_par_agent", gv, g, sub["heures_formation"].sum() / n, n)
        n_enc = int(sub["encadrant"].sum())
        ajouter("part_encadrants", gv, g, 100.0 * n_enc / n, n)
        if gv != "sexe" and n_enc > 0:
            n_f = int((sub["encadrant"] & (sub["sexe"] == "F")).sum())
            ajouter("part_femmes_encadrants", gv, g, 100.0 * n_f / n_enc, n_enc)

    # Absenteeism (permanent agents present on D, numerator and denominator).
    pp = pres[pres["statut"].isin(perm)].copy()
    motif_cols = [f"_j_{m}" for m in MOTIFS]
    for c in motif_cols:
        pp[c] = 0
    if absences is not None and len(absences) and len(pp):
        ab = absences[absences["matricule"].isin(pp["matricule"])].drop_duplicates()
        if len(ab):
            ab = ab.assign(_jours=jours_absence(ab, debut, fin),
                           _motif=ab["motif"].astype("str").where(ab["motif"].isin(MOTIFS), "AUTRE"))
            par_agent = ab.pivot_table(index="matricule", columns="_motif", values="_jours",
                                       aggfunc="sum", fill_value=0)
            par_agent = par_agent.reindex(columns=list(MOTIFS), fill_value=0)
            par_agent.columns = motif_cols
            pp = pp.drop(columns=motif_cols).merge(par_agent, left_on="matricule",
                                                   right_index=True, how="left")
            pp[motif_cols] = pp[motif_cols].fillna(0)
    pp["_j_total"] = pp[motif_cols].sum(axis=1)
    pp["_j_comp"] = pp[[f"_j_{m}" for m in motifs_comp if m in MOTIFS]].sum(axis=1)
    vent_abs = list(ventilations)
    for gv, g, sub in _groupes(pp, vent_abs):
        n = len(sub)
        if n == 0:
            continue
        denom = n_jours * n
        ajouter("taux_absenteisme", gv, g, 100.0 * sub["_j_total"].sum() / denom, n)
        if gv == ENSEMBLE:
            for m in MOTIFS:
                # A motif's rate is about the agents absent for it (health data): its effectif is
                # that count, so a CLD rate about 1 or 2 agents gets masked like any small cell.
                absents = int((sub[f"_j_{m}"] > 0).sum())
                ajouter("taux_absenteisme", "motif", m, 100.0 * sub[f"_j_{m}"].sum() / denom, absents)
        ajouter("taux_absenteisme_compressible", gv, g, 100.0 * sub["_j_comp"].sum() / denom, n)

    # Turnover (permanent agents, all agents known up to D).
    ros = _roster_flux(agents, historique, d)
    ros = ros[ros["statut"].isin(perm)]
    e, s = ros["date_entree"], ros["date_sortie"]
    ros = ros.assign(
        _debut=((e.isna() | (e <= veille)) & (s.isna() | (s > veille))).astype(int),
        _arrivee=((e > veille) & (e <= d)).fillna(False).astype(int),
        _depart=((s > veille) & (s <= d)).fillna(False).astype(int),
    )
    for gv, g, sub in _groupes(ros, ventilations):
        n0 = int(sub["_debut"].sum())
        if n0 == 0:
            continue
        mouvements = (sub["_arrivee"].sum() + sub["_depart"].sum()) / 2.0
        ajouter("taux_rotation", gv, g, 100.0 * mouvements / n0, n0)

    # Employment obligation for disabled workers (ensemble only).
    n = len(pres)
    if n:
        taux_boe = 100.0 * pres["boe"].sum() / n
        ajouter("taux_boe", ENSEMBLE, ENSEMBLE, taux_boe, n)
        if pres["etp"].sum() >= float(cfg.get("seuil_boe_etp", 20)):
            atteinte = taux_boe >= float(cfg.get("obligation_boe", 6.0))
            ajouter("obligation_boe_atteinte", ENSEMBLE, ENSEMBLE, float(atteinte), n)

    out = _table_datee(lignes, d, ["indicateur", "groupe_variable", "groupe", "valeur", "effectif"],
                       texte=("indicateur", "groupe_variable", "groupe"), entiers=("effectif",))
    out["valeur"] = out["valeur"].astype("float64")
    return out[COLONNES_INDICATEURS]


def masquer_indicateurs(table: pd.DataFrame, seuil: int | None = None) -> pd.DataFrame:
    """Apply DESIGN §6 masking to an ``rh_indicateurs`` table.

    Primary: every row about fewer than ``seuil`` agents (``effectif``). Secondary: in each
    (date, indicator) block, each breakdown with exactly one masked group gets the group with the
    next smallest ``effectif`` masked too (see :func:`ducos_lib.privacy.masquer_tableau_long`).
    Masked rows have ``valeur`` and ``effectif`` empty.
    """
    return masquer_tableau_long(table, seuil, cles=("date_extraction", "indicateur"),
                                effectif="effectif", colonnes_masquees=("valeur", "effectif"))


def _dates_extraction(agents: pd.DataFrame, dates: Iterable[Any] | None) -> list[pd.Timestamp]:
    if dates is None:
        return sorted(pd.Timestamp(x).normalize() for x in _dt(agents["date_extraction"]).dropna().unique())
    return sorted(_ts(x) for x in dates)


def tableau_indicateurs_rh(agents: pd.DataFrame, absences: pd.DataFrame | None,
                           dates: Iterable[Any] | None = None, *, masquer: bool = True,
                           seuil: int | None = None, **options: Any) -> pd.DataFrame:
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
    masquer : bool, default True
        Apply :func:`masquer_indicateurs` (DESIGN §6).
    seuil : int, optional
        Masking threshold (default from configuration).
    **options
        Passed to :func:`indicateurs_rh` (``ventilations``, ``statuts_permanents``, ``config``).

    Returns
    -------
    DataFrame
        Exactly the columns ``date_extraction, indicateur, groupe_variable, groupe, valeur,
        effectif, masque``, sorted by date.

    References
    ----------
    Décret n° 2020-1493 du 30 novembre 2020 ; arrêté du 10 décembre 2021 (indicateurs FPT).
    """
    if masquer:
        seuil = seuil_confidentialite(seuil)
    ag = agents.copy()
    ag["date_extraction"] = _dt(ag["date_extraction"])
    morceaux = []
    for d in _dates_extraction(ag, dates):
        dispo = ag[ag["date_extraction"] <= d]
        if dispo.empty:
            continue
        derniere = dispo["date_extraction"].max()
        courant = dispo[dispo["date_extraction"] == derniere]
        anterieur = dispo[dispo["date_extraction"] < derniere]
        morceaux.append(indicateurs_rh(courant, absences, d, historique=anterieur, **options))
    if not morceaux:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            COLONNES_INDICATEURS, ["datetime64[ns]", "str", "str", "str", "float64", "Int64", "bool"])})
    out = pd.concat(morceaux, ignore_index=True)
    if masquer:
        out = masquer_indicateurs(out, seuil)
    return out[COLONNES_INDICATEURS]


def evolution_indicateurs(table: pd.DataFrame, date_a: Any, date_b: Any) -> pd.DataFrame:
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
    a, b = _ts(date_a), _ts(date_b)
    t = table.copy()
    t["date_extraction"] = _dt(t["date_extraction"])
    if "masque" not in t:
        t["masque"] = False
    cles = ["indicateur", "groupe_variable", "groupe"]
    ta = t[t["date_extraction"] == a][cles + ["valeur", "masque"]]
    tb = t[t["date_extraction"] == b][cles + ["valeur", "masque"]]
    out = ta.merge(tb, on=cles, how="outer", suffixes=("_a", "_b"))
    masque = out["masque_a"].fillna(False).astype(bool) | out["masque_b"].fillna(False).astype(bool)
    va = out["valeur_a"].where(~masque)
    vb = out["valeur_b"].where(~masque)
    res = out[cles].copy()
    res.insert(0, "date_b", b)
    res.insert(0, "date_a", a)
    res["valeur_a"], res["valeur_b"] = va, vb
    res["difference"] = vb - va
    res["variation_relative"] = ((vb - va) / va.where(va != 0) * 100.0)
    res["masque"] = masque
    return res.reset_index(drop=True)


def pyramide_ages(agents: pd.DataFrame, date_extraction: Any, *, largeur: int = 5,
                  masquer: bool = True, seuil: int | None = None) -> pd.DataFrame:
    """Age pyramid of the agents present on ``date_extraction``: bands of ``largeur`` years × sexe.

    Parameters
    ----------
    agents : DataFrame
        The extraction's ``rh_agents`` rows.
    date_extraction : date-like
    largeur : int, default 5
        Width of the age bands, in completed years.
    masquer : bool, default True
        Merge thin extreme bands and mask small cells (DESIGN §6).
    seuil : int, optional
        Masking threshold (default from configuration).

    Returns
    -------
    DataFrame
        Columns ``tranche`` (French label), ``age_debut``, ``age_fin`` (empty for open bands),
        ``sexe`` (``H`` then ``F``: men left, women right when plotted), ``effectif`` (empty when
        masked) and ``masque``, bands in ascending order.

    Notes
    -----
    Ages are completed years at the extraction date from the birth month. With ``masquer``:
    first the youngest band is merged into the next one while it holds fewer than ``seuil``
    agents (it becomes "moins de X ans"), and likewise the oldest band into the previous one
    ("X ans et plus"); then the band × sexe table is masked with
    :func:`ducos_lib.privacy.masquer_tableau` as if its margins (agents per band, per sexe, in
    total) were published: primary masking below ``seuil`` (empty cells are shown), secondary
    masking so that no masked cell can be recovered from the margins.
    """
    d = _ts(date_extraction)
    ag = _preparer(agents)
    pres = ag[presents(ag, d)].drop_duplicates("matricule", keep="last")
    ages = (age_en_mois(pres["mois_naissance"], d) // 12).dropna().astype(int)
    sexe = pres.loc[ages.index, "sexe"]
    bande = (ages // largeur) * largeur
    sexes = ["H", "F"] + sorted(set(sexe) - {"H", "F"})
    if len(bande) == 0:
        return pd.DataFrame(columns=["tranche", "age_debut", "age_fin", "sexe", "effectif", "masque"])
    debuts = list(range(int(bande.min()), int(bande.max()) + 1, largeur))
    tab = pd.crosstab(bande, sexe).reindex(index=debuts, columns=sexes, fill_value=0)
    # Each band is [debut, fin] with open ends marked None.
    bornes = [[a, a + largeur - 1] for a in debuts]
    ouvert_bas = ouvert_haut = False
    if masquer:
        seuil = seuil_confidentialite(seuil)
        while len(tab) > 1 and tab.iloc[0].sum() < seuil:
            tab.iloc[1] += tab.iloc[0]
            tab = tab.iloc[1:]
            bornes = bornes[1:]
            ouvert_bas = True
        while len(tab) > 1 and tab.iloc[-1].sum() < seuil:
            tab.iloc[-2] += tab.iloc[-1]
            tab = tab.iloc[:-1]
            bornes = bornes[:-1]
            ouvert_haut = True
    if ouvert_bas:
        bornes[0][0] = None
    if ouvert_haut:
        bornes[-1][1] = None

    def libelle(a: int | None, b: int | None) -> str:
        if a is None and b is None:
            return "tous âges"
        if a is None:
            return f"moins de {b + 1} ans"
        if b is None:
            return f"{a} ans et plus"
        return f"{a}-{b} ans"

    masque = (masquer_tableau(tab.reset_index(drop=True), seuil).cellules.to_numpy()
              if masquer else np.zeros(tab.shape, dtype=bool))
    lignes = []
    for i, (a, b) in enumerate(bornes):
        for j, sx in enumerate(sexes):
            lignes.append({"tranche": libelle(a, b), "age_debut": a, "age_fin": b, "sexe": sx,
                           "effectif": None if masque[i, j] else int(tab.iloc[i, j]),
                           "masque": bool(masque[i, j])})
    out = pd.DataFrame(lignes)
    for c in ("age_debut", "age_fin", "effectif"):
        out[c] = pd.array(out[c].tolist(), dtype="Int64")
    out["tranche"] = out["tranche"].astype("str")
    out["sexe"] = out["sexe"].astype("str")
    return out


# ---------------------------------------------------------------------------------------------
# Retirement rules and GPEC
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReglesRetraite:
    """Retirement rules read from ``config/retraite.yml``.

    Attributes
    ----------
    ages_minimaux, limites_age : DataFrame
        ``ne_du``, ``ne_au`` (Timestamps, inclusive), ``categorie`` (sedentaire, active),
        ``age_annees``, ``age_mois``, ``certitude``, ``source``.
    duree_services_actifs_annees : int
        Years of active service required for the active category (17).
    ages_depart_observes : dict
        Observed average departure age (decimal years) by category.
    annee_observation : int or None
        Year of those observations.
    """

    ages_minimaux: pd.DataFrame
    limites_age: pd.DataFrame
    duree_services_actifs_annees: int
    ages_depart_observes: dict[str, float]
    annee_observation: int | None = None


def _table_regles(lignes: Sequence[Mapping[str, Any]], nom: str) -> pd.DataFrame:
    if not lignes:
        raise ValueError(f"config/retraite.yml : la table « {nom} » est vide ou absente.")
    t = pd.DataFrame(list(lignes))
    manquantes = {"ne_du", "ne_au", "categorie", "age_annees", "age_mois"} - set(t.columns)
    if manquantes:
        raise ValueError(f"config/retraite.yml : colonnes manquantes dans « {nom} » : "
                         f"{', '.join(sorted(manquantes))}.")
    t["ne_du"] = pd.to_datetime(t["ne_du"].astype(str))
    t["ne_au"] = pd.to_datetime(t["ne_au"].astype(str))
    t["categorie"] = t["categorie"].astype("str")
    t["age_annees"] = t["age_annees"].astype(int)
    t["age_mois"] = t["age_mois"].astype(int)
    for c in ("certitude", "source"):
        t[c] = t[c].astype("str") if c in t else ""
    hors_mois = (t["ne_du"].dt.day != 1) | ~t["ne_au"].dt.is_month_end
    if hors_mois.any():
        r = t[hors_mois].iloc[0]
        raise ValueError(f"config/retraite.yml : la plage {r.ne_du:%d/%m/%Y}–{r.ne_au:%d/%m/%Y} de "
                         f"« {nom} » doit commencer un 1er et finir un dernier jour de mois (seul le "
                         f"mois de naissance est connu).")
    for cat, sub in t.groupby("categorie"):
        _choix(str(cat), CATEGORIES_RETRAITE, f"Catégorie de « {nom} »")
        sub = sub.sort_values("ne_du")
        suivants = sub["ne_du"].iloc[1:].to_numpy()
        fins = (sub["ne_au"].iloc[:-1] + pd.Timedelta(days=1)).to_numpy()
        if (suivants != fins).any():
            raise ValueError(f"config/retraite.yml : les plages de naissance de « {nom} » "
                             f"({cat}) se chevauchent ou laissent un trou.")
    return t.reset_index(drop=True)


def charger_regles_retraite(config: Mapping[str, Any] | None = None) -> ReglesRetraite:
    """Read and check the retirement rules (``config/retraite.yml`` by default).

    Raises
    ------
    ValueError
        (in French) when a table is missing, has gaps or overlaps between birth ranges, a range
        that does not start on the first / end on the last day of a month (processed data only
        know the birth month), or names an unknown category.
    """
    cfg = config if config is not None else load_config("retraite")
    obs = dict(cfg.get("ages_depart_observes", {}))
    annee = obs.pop("annee_observation", None)
    obs.pop("source", None)
    ages_obs = {k: float(v) for k, v in obs.items()}
    for cat in CATEGORIES_RETRAITE:
        if cat not in ages_obs:
            raise ValueError(f"config/retraite.yml : âge de départ observé absent pour « {cat} ».")
    return ReglesRetraite(
        ages_minimaux=_table_regles(cfg.get("ages_minimaux", []), "ages_minimaux"),
        limites_age=_table_regles(cfg.get("limites_age", []), "limites_age"),
        duree_services_actifs_annees=int(cfg.get("duree_services_actifs_annees", 17)),
        ages_depart_observes=ages_obs,
        annee_observation=int(annee) if annee is not None else None,
    )


def _regle(naissance: pd.Series, categorie: pd.Series, table: pd.DataFrame) -> pd.DataFrame:
    """Rule row (age_annees, age_mois, certitude) matching each birth date and category."""
    out = pd.DataFrame({"age_annees": pd.array([pd.NA] * len(naissance), dtype="Int64"),
                        "age_mois": pd.array([pd.NA] * len(naissance), dtype="Int64"),
                        "certitude": pd.Series([pd.NA] * len(naissance), dtype="str")},
                       index=naissance.index)
    for r in table.itertuples(index=False):
        m = (categorie == r.categorie) & (naissance >= r.ne_du) & (naissance <= r.ne_au)
        out.loc[m, "age_annees"] = r.age_annees
        out.loc[m, "age_mois"] = r.age_mois
        out.loc[m, "certitude"] = r.certitude
    manque = naissance.notna() & out["age_annees"].isna()
    if manque.any():
        ex = naissance[manque].iloc[0]
        raise ValueError(f"Aucune règle de retraite dans config/retraite.yml pour une naissance le "
                         f"{ex:%d/%m/%Y} (catégorie {categorie[manque].iloc[0]}).")
    return out


def _comme_serie(x: Any) -> tuple[pd.Series, bool]:
    if isinstance(x, pd.Series):
        return _dt(x), False
    return pd.Series([_ts(x)], dtype="datetime64[ns]"), True


def date_age_legal(naissance: Any, categorie: str = "sedentaire", *,
                   regles: ReglesRetraite | None = None) -> pd.Timestamp | pd.Series:
    """Date on which the legal minimum age of ``categorie`` is reached.

    Parameters
    ----------
    naissance : date-like or Series
        Full birth date(s), or the first day of the birth month in processed data.
    categorie : {"sedentaire", "active"}
    regles : ReglesRetraite, optional
        Defaults to :func:`charger_regles_retraite`.

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
    >>> date_age_legal("1961-09-01")
    Timestamp('2023-12-01 00:00:00')
    """
    regles = regles or charger_regles_retraite()
    _choix(categorie, CATEGORIES_RETRAITE, "Catégorie de retraite")
    n, scalaire = _comme_serie(naissance)
    r = _regle(n, pd.Series(categorie, index=n.index), regles.ages_minimaux)
    dates = _ajouter_mois(n, r["age_annees"] * 12 + r["age_mois"])
    return dates.iloc[0] if scalaire else dates


def date_depart_legal(naissance: Any, categorie: str = "sedentaire", *,
                      regles: ReglesRetraite | None = None) -> pd.Timestamp | pd.Series:
    """Earliest retirement date: first day of the month following the one the legal age is reached.

    This convention (the pension's effective date, as in the régime général) does not depend on
    the day of birth, so it gives the same result from a full birth date and from the birth month
    kept in processed data. Examples: born 1961-08-31 → age 62 reached 2023-08-31 → 2023-09-01;
    born 1961-09-01 → 62 years 3 months reached 2023-12-01 → 2024-01-01.
    """
    d, scalaire = _comme_serie(date_age_legal(naissance, categorie, regles=regles))
    out = _premier_du_mois_suivant(d)
    return out.iloc[0] if scalaire else out


def dates_retraite(agents: pd.DataFrame, *, regles: ReglesRetraite | None = None) -> pd.DataFrame:
    """Each agent's retirement category and dates (legal, observed-age scenario, age limit).

    Parameters
    ----------
    agents : DataFrame
        ``rh_agents`` rows (``mois_naissance``, ``statut``, ``categorie_active``, ``date_entree``).
    regles : ReglesRetraite, optional

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
      ``categorie_active`` True who have completed ``duree_services_actifs_annees`` (17) years
      of active service. Only ``date_entree`` is known, so active service is assumed to run
      from entry into the commune (earlier active service elsewhere is ignored, which can only
      delay the date). The active right opens at the later of the active legal age and
      entry + 17 years; if that is not before the sedentary date, the sedentary rule applies
      (also when ``date_entree`` is missing). ``age_legal_*`` give the rule's age.
    - *Departure dates* are the first day of the month following the day the age (or the
      17 years) is reached, see :func:`date_depart_legal`.
    - *Observed age*: the average departure age of the agent's regime (decimal years, rounded
      to whole months: 64.1 → 64 years 1 month), never before the legal date nor after the age
      limit.
    - *Age limit* (``limites_age``): first day of the month following the limit.
    """
    regles = regles or charger_regles_retraite()
    ag = _preparer(agents)
    n = ag["mois_naissance"]
    sed = pd.Series("sedentaire", index=ag.index)
    act = pd.Series("active", index=ag.index)
    r_sed = _regle(n, sed, regles.ages_minimaux)
    date_sed = _ajouter_mois(n, r_sed["age_annees"] * 12 + r_sed["age_mois"])
    r_act = _regle(n, act, regles.ages_minimaux)
    date_act = _ajouter_mois(n, r_act["age_annees"] * 12 + r_act["age_mois"])
    date_17 = _ajouter_mois(ag["date_entree"], regles.duree_services_actifs_annees * 12)
    ouverture_act = pd.concat([date_act, date_17], axis=1).max(axis=1, skipna=False)
    candidat = ag["categorie_active"] & ag["statut"].isin(STATUTS_FONCTIONNAIRES)
    est_actif = (candidat & ouverture_act.notna() & date_sed.notna()
                 & (ouverture_act < date_sed)).astype(bool)
    regime = sed.where(~est_actif, "active")
    r = r_sed.copy()
    r.loc[est_actif] = r_act.loc[est_actif]
    date_legal = date_sed.where(~est_actif, ouverture_act)
    depart_legal = _premier_du_mois_suivant(date_legal)

    lim_sed = _regle(n, sed, regles.limites_age)
    lim_act = _regle(n, act, regles.limites_age)
    lim = lim_sed.copy()
    lim.loc[est_actif] = lim_act.loc[est_actif]
    depart_limite = _premier_du_mois_suivant(_ajouter_mois(n, lim["age_annees"] * 12 + lim["age_mois"]))

    mois_obs = regime.map(lambda c: int(round(regles.ages_depart_observes[c] * 12)))
    depart_obs = _premier_du_mois_suivant(_ajouter_mois(n, mois_obs))
    depart_obs = pd.concat([depart_obs, depart_legal], axis=1).max(axis=1, skipna=False)
    depart_obs = pd.concat([depart_obs, depart_limite], axis=1).min(axis=1, skipna=False)

    return pd.DataFrame({
        "matricule": ag["matricule"] if "matricule" in ag else pd.Series(pd.NA, index=ag.index),
        "regime": regime.astype("str"),
        "age_legal_annees": r["age_annees"],
        "age_legal_mois": r["age_mois"],
        "certitude": r["certitude"],
        "date_age_legal": date_legal,
        "date_depart_age_legal": depart_legal,
        "date_depart_age_observe": depart_obs,
        "date_depart_limite_age": depart_limite,
    }, index=ag.index)


def _annee_projetee(depart: pd.Series, d: pd.Timestamp) -> pd.Series:
    """Calendar year of each departure; a departure date on or before D counts in D's year.

    An unknown date (missing birth month) gives no year: the agent is not projected.
    """
    annee = depart.dt.year.where(depart > d, d.year).astype("Int64")
    return annee.mask(depart.isna())


def projeter_departs(agents: pd.DataFrame, date_extraction: Any, *, horizon: int | None = None,
                     scenarios: Sequence[str] = SCENARIOS, groupes: Sequence[str] = GROUPES_GPEC,
                     regles: ReglesRetraite | None = None,
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
    groupes : sequence of {"service", "categorie", "filiere", "metier"}
    regles : ReglesRetraite, optional
    config : mapping, optional
        The ``rh`` section of ``observatoire.yml``.

    Returns
    -------
    DataFrame
        Columns :data:`COLONNES_DEPARTS`, one row per scenario × year × group (``ensemble``
        first), zeros included; ``masque`` False.

    Notes
    -----
    The first projected year is D's calendar year: it holds the departures dated after D in that
    year **and** the agents already past their departure date on D (they are still in post, so
    they are expected to leave at once). Agents leaving after the last projected year are not
    counted. Each agent is projected once, under the scenario's date from :func:`dates_retraite`.
    Retirement rules are applied to every agent present, contractuels included (their régime
    général has the same sedentary legal ages). No mortality, invalidity or other departures.

    References
    ----------
    Loi n° 2023-270 ; loi n° 2025-1403 ; CNRACL (catégories actives).
    """
    cfg = _config_rh(config)
    horizon = int(horizon if horizon is not None else cfg.get("horizon_annees", 10))
    if horizon < 1:
        raise ValueError(f"Horizon de projection invalide : {horizon} (attendu : au moins 1 an).")
    for s in scenarios:
        _choix(s, SCENARIOS, "Scénario")
    for g in groupes:
        _choix(g, GROUPES_GPEC, "Groupe")
    d = _ts(date_extraction)
    ag = _preparer(agents)
    pres = ag[presents(ag, d)].drop_duplicates("matricule", keep="last")
    dr = dates_retraite(pres, regles=regles)
    annees = list(range(d.year, d.year + horizon))
    lignes = []
    for s in scenarios:
        an = _annee_projetee(dr[f"date_depart_{s}"], d)
        for gv in (ENSEMBLE, *groupes):
            cle = pd.Series(ENSEMBLE, index=pres.index) if gv == ENSEMBLE else pres[gv]
            comptes = pd.crosstab(cle, an).reindex(columns=annees, fill_value=0) if len(pres) else None
            for g in sorted(pd.unique(cle)):
                for a in annees:
                    lignes.append({"scenario": s, "annee": a, "groupe_variable": gv, "groupe": str(g),
                                   "departs": int(comptes.loc[g, a]) if comptes is not None and g in comptes.index else 0})
    out = _table_datee(lignes, d, ["scenario", "annee", "groupe_variable", "groupe", "departs"],
                       texte=("scenario", "groupe_variable", "groupe"), entiers=("departs",))
    out["annee"] = out["annee"].astype("int64")
    return out[COLONNES_DEPARTS]


def masquer_departs(table: pd.DataFrame, seuil: int | None = None) -> pd.DataFrame:
    """Apply DESIGN §6 masking to an ``rh_departs_projetes`` table.

    Cells with 1 to ``seuil - 1`` departures are masked (0 is published: it concerns nobody);
    in each (date, scenario, year) block, a breakdown with exactly one masked group gets the
    next smallest group masked too, so the ``ensemble`` total does not reveal it. Totals over
    several years are not part of the table: a report that publishes them must mask a
    group × year table with :func:`ducos_lib.privacy.masquer_tableau` instead.
    """
    return masquer_tableau_long(table, seuil, cles=("date_extraction", "scenario", "annee"),
                                effectif="departs", colonnes_masquees=("departs",))


def tableau_departs_projetes(agents: pd.DataFrame, dates: Iterable[Any] | None = None, *,
                             masquer: bool = True, seuil: int | None = None,
                             **options: Any) -> pd.DataFrame:
    """The §4 table ``rh_departs_projetes.csv`` over several extraction dates.

    Parameters
    ----------
    agents : DataFrame
        ``rh_agents`` with every extraction.
    dates : iterable of date-like, optional
        Defaults to every ``date_extraction``; each date uses the latest extraction on or before it.
    masquer : bool, default True
        Apply :func:`masquer_departs`.
    seuil : int, optional
    **options
        Passed to :func:`projeter_departs` (``horizon``, ``scenarios``, ``groupes``, ``regles``).

    Returns
    -------
    DataFrame
        Exactly the columns ``date_extraction, scenario, annee, groupe_variable, groupe, departs,
        masque``.
    """
    if masquer:
        seuil = seuil_confidentialite(seuil)
    ag = agents.copy()
    ag["date_extraction"] = _dt(ag["date_extraction"])
    morceaux = []
    for d in _dates_extraction(ag, dates):
        dispo = ag[ag["date_extraction"] <= d]
        if dispo.empty:
            continue
        courant = dispo[dispo["date_extraction"] == dispo["date_extraction"].max()]
        morceaux.append(projeter_departs(courant, d, **options))
    if not morceaux:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(
            COLONNES_DEPARTS, ["datetime64[ns]", "str", "int64", "str", "str", "Int64", "bool"])})
    out = pd.concat(morceaux, ignore_index=True)
    if masquer:
        out = masquer_departs(out, seuil)
    return out[COLONNES_DEPARTS]


def metiers_a_risque(agents: pd.DataFrame, date_extraction: Any, *, scenario: str = "age_legal",
                     part_seuil: float | None = None, fenetre_annees: int | None = None,
                     horizon: int | None = None, regles: ReglesRetraite | None = None,
                     config: Mapping[str, Any] | None = None, seulement_a_risque: bool = False,
                     masquer: bool = False, seuil: int | None = None) -> pd.DataFrame:
    """Jobs (métiers) at risk of losing their holders to retirement.

    Parameters
    ----------
    agents : DataFrame
        The extraction's ``rh_agents`` rows.
    date_extraction : date-like
    scenario : {"age_legal", "age_observe"}
    part_seuil : float, optional
        Share of a métier's agents leaving within the window that flags it (default
        ``rh.part_departs_risque``, 0.30).
    fenetre_annees : int, optional
        Window for that share (default ``rh.fenetre_risque_annees``, 5).
    horizon : int, optional
        Horizon for the single-holder rule (default ``rh.horizon_annees``, 10).
    seulement_a_risque : bool, default False
        Keep only flagged métiers.
    masquer : bool, default False
        Blank the counts (``effectif``, ``departs_*``, ``part_departs_fenetre``) of métiers with
        fewer than ``seuil`` agents, and any departure count from 1 to ``seuil - 1`` (with its
        share). ``masque`` flags the métiers below ``seuil``. The flags and reasons are kept: by
        construction the single-holder rule is about one agent, which the report must say.

    Returns
    -------
    DataFrame
        One row per métier: ``metier``, ``effectif``, ``departs_fenetre``,
        ``part_departs_fenetre`` (share in [0, 1]), ``departs_horizon``,
        ``risque_part_elevee``, ``risque_agent_unique``, ``a_risque``, ``motif`` (French
        reason), ``masque``; sorted with flagged métiers first.

    Notes
    -----
    Windows are counted from the extraction date D: a departure is within the window when its
    date (see :func:`dates_retraite`; already past on D counts) is on or before D + the window.
    ``risque_part_elevee``: ``departs_fenetre / effectif >= part_seuil``.
    ``risque_agent_unique``: the métier is held by one agent whose departure falls within the
    horizon.
    """
    cfg = _config_rh(config)
    _choix(scenario, SCENARIOS, "Scénario")
    part_seuil = float(part_seuil if part_seuil is not None else cfg.get("part_departs_risque", 0.30))
    fenetre_annees = int(fenetre_annees if fenetre_annees is not None else cfg.get("fenetre_risque_annees", 5))
    horizon = int(horizon if horizon is not None else cfg.get("horizon_annees", 10))
    d = _ts(date_extraction)
    ag = _preparer(agents)
    pres = ag[presents(ag, d)].drop_duplicates("matricule", keep="last")
    depart = dates_retraite(pres, regles=regles)[f"date_depart_{scenario}"]
    df = pd.DataFrame({
        "metier": pres["metier"],
        "fenetre": (depart <= d + pd.DateOffset(years=fenetre_annees)).fillna(False),
        "horizon": (depart <= d + pd.DateOffset(years=horizon)).fillna(False),
    })
    res = df.groupby("metier", sort=True).agg(effectif=("fenetre", "size"),
                                              departs_fenetre=("fenetre", "sum"),
                                              departs_horizon=("horizon", "sum")).reset_index()
    res["part_departs_fenetre"] = res["departs_fenetre"] / res["effectif"]
    res["risque_part_elevee"] = res["part_departs_fenetre"] >= part_seuil - 1e-12
    res["risque_agent_unique"] = (res["effectif"] == 1) & (res["departs_horizon"] >= 1)
    res["a_risque"] = res["risque_part_elevee"] | res["risque_agent_unique"]

    def motif(r: pd.Series) -> str:
        raisons = []
        if r["risque_part_elevee"]:
            raisons.append(f"au moins {part_seuil:.0%} des agents partent dans les "
                           f"{fenetre_annees} ans".replace("%", " %"))
        if r["risque_agent_unique"]:
            raisons.append(f"métier tenu par un seul agent, qui part dans les {horizon} ans")
        return " ; ".join(raisons)

    res["motif"] = res.apply(motif, axis=1).astype("str") if len(res) else pd.Series(dtype="str")
    res["metier"] = res["metier"].astype("str")
    res["masque"] = False
    if masquer:
        seuil = seuil_confidentialite(seuil)
        petit = res["effectif"] < seuil
        res["masque"] = petit
        # A count of departures is itself a figure about that many agents.
        peu_fenetre = petit | ((res["departs_fenetre"] > 0) & (res["departs_fenetre"] < seuil))
        peu_horizon = petit | ((res["departs_horizon"] > 0) & (res["departs_horizon"] < seuil))
        res["effectif"] = res["effectif"].astype("Int64").mask(petit)
        res["departs_fenetre"] = res["departs_fenetre"].astype("Int64").mask(peu_fenetre)
        res["departs_horizon"] = res["departs_horizon"].astype("Int64").mask(peu_horizon)
        res["part_departs_fenetre"] = res["part_departs_fenetre"].mask(peu_fenetre)
    res = res[["metier", "effectif", "departs_fenetre", "part_departs_fenetre", "departs_horizon",
               "risque_part_elevee", "risque_agent_unique", "a_risque", "motif", "masque"]]
    if seulement_a_risque:
        res = res[res["a_risque"]]
    return res.sort_values(["a_risque", "metier"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Report helpers (notebook 03_rh_gpec): French labels, display tables, key findings
# ---------------------------------------------------------------------------------------------

#: French labels of the indicators, as the report shows them.
LIBELLES_INDICATEURS = {
    "effectif": "Effectif (agents présents)",
    "etp": "Équivalents temps plein (ETP)",
    "age_moyen": "Âge moyen (ans)",
    "age_median": "Âge médian (ans)",
    "taux_absenteisme": "Taux d'absentéisme (%)",
    "taux_absenteisme_compressible": "dont absentéisme compressible (%)",
    "taux_rotation": "Taux de rotation (%)",
    "heures_formation_par_agent": "Heures de formation par agent",
    "part_encadrants": "Part d'encadrants (%)",
    "part_femmes_encadrants": "Part de femmes parmi les encadrants (%)",
    "taux_boe": "Taux d'emploi de travailleurs handicapés (BOE, %)",
}
LIBELLES_VARIABLES = {"statut": "Statut", "categorie": "Catégorie", "filiere": "Filière",
                      "sexe": "Sexe", "service": "Service", "metier": "Métier", "motif": "Motif"}
LIBELLES_STATUTS = {"titulaire": "Titulaires", "stagiaire": "Stagiaires",
                    "contractuel_permanent": "Contractuels permanents",
                    "contractuel_non_permanent": "Contractuels non permanents"}
LIBELLES_SEXES = {"F": "Femmes", "H": "Hommes"}
LIBELLES_MOTIFS = {"MO": "Maladie ordinaire", "CLM": "Congé de longue maladie",
                   "CLD": "Congé de longue durée", "AT": "Accident du travail",
                   "MP": "Maladie professionnelle", "MAT": "Maternité", "PAT": "Paternité",
                   "AUTRE": "Autres motifs"}
LIBELLES_SCENARIOS = {"age_legal": "À l'âge légal minimum",
                      "age_observe": "À l'âge moyen de départ observé"}
#: Indicators followed across extractions in the report's evolution table (ensemble).
INDICATEURS_EVOLUTION = ("effectif", "etp", "age_moyen", "taux_absenteisme",
                         "taux_absenteisme_compressible", "taux_rotation",
                         "heures_formation_par_agent", "part_encadrants", "part_femmes_encadrants",
                         "taux_boe")


def libelle_groupe(groupe_variable: str, groupe: str,
                   libelles_services: Mapping[str, str] | None = None) -> str:
    """French label of a group (``"contractuel_permanent"`` → ``"Contractuels permanents"``)."""
    g = str(groupe)
    if g == NON_RENSEIGNE:
        return "Non renseigné"
    if groupe_variable == ENSEMBLE:
        return "Ensemble"
    if groupe_variable == "statut":
        return LIBELLES_STATUTS.get(g, g)
    if groupe_variable == "sexe":
        return LIBELLES_SEXES.get(g, g)
    if groupe_variable == "categorie":
        return f"Catégorie {g}"
    if groupe_variable == "motif":
        return f"{LIBELLES_MOTIFS.get(g, g)} ({g})" if g != "AUTRE" else LIBELLES_MOTIFS[g]
    if groupe_variable == "service" and libelles_services:
        return str(libelles_services.get(g, g))
    return g[:1].upper() + g[1:]


def _d(table: pd.DataFrame) -> pd.DataFrame:
    t = table.copy()
    t["date_extraction"] = _dt(t["date_extraction"])
    return t


def _valeur(table: pd.DataFrame, ind: str, d: pd.Timestamp, gv: str = ENSEMBLE,
            g: str = ENSEMBLE) -> float | None:
    sel = table[(table["date_extraction"] == d) & (table["indicateur"] == ind)
                & (table["groupe_variable"] == gv) & (table["groupe"] == g)]
    if sel.empty or bool(sel["masque"].iloc[0]) or pd.isna(sel["valeur"].iloc[0]):
        return None
    return float(sel["valeur"].iloc[0])


def structure_effectifs(indicateurs: pd.DataFrame, date_extraction: Any, groupe_variable: str, *,
                        libelles_services: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Workforce structure by one breakdown, from a (masked) ``rh_indicateurs`` table.

    Returns
    -------
    DataFrame
        One row per group (then ``Ensemble``): ``groupe`` (French label), ``effectif``, ``etp``,
        ``part_effectif`` (% of the ensemble headcount), ``age_moyen``, ``part_encadrants``,
        ``masque``. Masked figures are missing (NaN); ``part_effectif`` is masked with the
        headcount it comes from.
    """
    _choix(groupe_variable, VENTILATIONS, "Ventilation")
    t = _d(indicateurs)
    d = _ts(date_extraction)
    t = t[t["date_extraction"] == d]
    total = _valeur(t, "effectif", d)
    groupes = t[(t["indicateur"] == "effectif") & (t["groupe_variable"] == groupe_variable)]["groupe"]
    lignes = []
    for gv, g in [(groupe_variable, x) for x in groupes] + [(ENSEMBLE, ENSEMBLE)]:
        eff = _valeur(t, "effectif", d, gv, g)
        lignes.append({
            "groupe": libelle_groupe(gv, g, libelles_services),
            "effectif": eff,
            "etp": _valeur(t, "etp", d, gv, g),
            "part_effectif": 100.0 * eff / total if eff is not None and total else None,
            "age_moyen": _valeur(t, "age_moyen", d, gv, g),
            "part_encadrants": _valeur(t, "part_encadrants", d, gv, g),
            "masque": eff is None,
        })
    out = pd.DataFrame(lignes, columns=["groupe", "effectif", "etp", "part_effectif", "age_moyen",
                                        "part_encadrants", "masque"])
    for c in ("effectif", "etp", "part_effectif", "age_moyen", "part_encadrants"):
        out[c] = out[c].astype("float64")
    return out


def extractions_des_jalons(historique: pd.DataFrame | None,
                           dates_jalons: Mapping[str, Any]) -> dict[str, pd.Timestamp]:
    """The extraction each milestone uses (the latest on or before its date), labelled for display.

    Parameters
    ----------
    historique : DataFrame or None
        ``rh_agents`` with every extraction up to the milestone.
    dates_jalons : mapping
        Milestone → date, in order (e.g. ``{"T0": ..., "T6": ...}``).

    Returns
    -------
    dict
        ``"T0 (30/11/2025)"`` → extraction date, in milestone order; milestones without an
        extraction are left out, and two milestones sharing one extraction keep the first.

    Examples
    --------
    >>> h = pd.DataFrame({"date_extraction": pd.to_datetime(["2025-11-30", "2026-05-31"])})
    >>> list(extractions_des_jalons(h, {"T0": "2025-12-01", "T6": "2026-06-01"}))
    ['T0 (30/11/2025)', 'T6 (31/05/2026)']
    """
    from .reports.formats import date as fdate

    if historique is None or historique.empty:
        return {}
    dispo = sorted(_dt(historique["date_extraction"]).dropna().unique())
    out: dict[str, pd.Timestamp] = {}
    for jalon, dj in dates_jalons.items():
        avant = [pd.Timestamp(x) for x in dispo if pd.Timestamp(x) <= _ts(dj)]
        if avant and avant[-1] not in out.values():
            out[f"{jalon} ({fdate(avant[-1])})"] = avant[-1]
    return out


def tableau_evolution(indicateurs: pd.DataFrame, *, dates: Mapping[str, Any] | None = None,
                      indicateurs_suivis: Sequence[str] = INDICATEURS_EVOLUTION,
                      groupe_variable: str = ENSEMBLE, groupe: str = ENSEMBLE) -> pd.DataFrame:
    """Indicators of one group across extraction dates (wide, for display).

    Parameters
    ----------
    indicateurs : DataFrame
        A (masked) ``rh_indicateurs`` table.
    dates : mapping, optional
        Column label → extraction date (e.g. :func:`extractions_des_jalons`); default: every
        date of the table, labelled ``JJ/MM/AAAA``.

    Returns
    -------
    DataFrame
        ``indicateur`` (French label), one column per date (oldest first; missing when masked or
        not computed) and, with two dates or more, ``evolution``: the last value minus the
        previous one (points for rates).
    """
    from .reports.formats import date as fdate

    t = _d(indicateurs)
    if dates is None:
        dates = {fdate(x): pd.Timestamp(x) for x in sorted(t["date_extraction"].dropna().unique())}
    libelles, dates = list(dates), [_ts(x) for x in dates.values()]
    lignes = []
    for ind in indicateurs_suivis:
        ligne: dict[str, Any] = {"indicateur": LIBELLES_INDICATEURS.get(ind, ind)}
        vals = [_valeur(t, ind, pd.Timestamp(x), groupe_variable, groupe) for x in dates]
        if all(v is None for v in vals):
            continue
        for x, v in zip(libelles, vals):
            ligne[x] = v
        if len(dates) >= 2:
            a, b = vals[-2], vals[-1]
            ligne["evolution"] = b - a if a is not None and b is not None else None
        lignes.append(ligne)
    out = pd.DataFrame(lignes)
    for c in out.columns[1:]:
        out[c] = out[c].astype("float64")
    return out


def absenteisme_par_motif(indicateurs: pd.DataFrame, date_extraction: Any) -> pd.DataFrame:
    """Absenteeism rate by motif at one date: ``motif`` (code), ``libelle``, ``taux`` (%), ``masque``.

    Sorted by decreasing rate (masked motifs last); the rates add up to ``taux_absenteisme``.
    """
    t = _d(indicateurs)
    d = _ts(date_extraction)
    sel = t[(t["date_extraction"] == d) & (t["indicateur"] == "taux_absenteisme")
            & (t["groupe_variable"] == "motif")]
    out = pd.DataFrame({"motif": sel["groupe"].astype("str"),
                        "libelle": [libelle_groupe("motif", g) for g in sel["groupe"]],
                        "taux": sel["valeur"].astype("float64").where(~sel["masque"].astype(bool)),
                        "masque": sel["masque"].astype(bool)})
    return out.sort_values(["masque", "taux"], ascending=[True, False], kind="stable").reset_index(drop=True)


def departs_par_annee(departs: pd.DataFrame, date_extraction: Any, *, groupe_variable: str = ENSEMBLE,
                      scenario: str | None = None,
                      libelles_services: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Projected departures of one extraction as a wide table (years as columns), masked cells NaN.

    With ``groupe_variable="ensemble"`` the rows are the scenarios; otherwise the rows are the
    groups of that breakdown under ``scenario`` (default ``age_legal``). Only cells of the
    (masked) ``rh_departs_projetes`` table are shown: no total is added, so nothing masked can
    be recovered by subtraction.
    """
    t = _d(departs)
    d = _ts(date_extraction)
    t = t[(t["date_extraction"] == d) & (t["groupe_variable"] == groupe_variable)]
    if groupe_variable != ENSEMBLE:
        t = t[t["scenario"] == _choix(scenario or "age_legal", SCENARIOS, "Scénario")]
        t = t.assign(ligne=[libelle_groupe(groupe_variable, g, libelles_services) for g in t["groupe"]])
    else:
        t = t.assign(ligne=t["scenario"].map(LIBELLES_SCENARIOS))
    v = pd.to_numeric(t["departs"], errors="coerce").astype("float64").where(~t["masque"].astype(bool))
    wide = t.assign(v=v).pivot_table(index="ligne", columns="annee", values="v", aggfunc="first",
                                     dropna=False, sort=False)
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reset_index().rename(columns={"ligne": "groupe"})
    wide.columns.name = None
    return wide


def departs_cumules(brut: pd.DataFrame, masque: pd.DataFrame, date_extraction: Any, *,
                    fenetres: Sequence[int] = (5, 10)) -> pd.DataFrame:
    """Cumulated projected departures (ensemble) over the first k calendar years, when publishable.

    Parameters
    ----------
    brut, masque : DataFrame
        The ``rh_departs_projetes`` table unmasked and masked (same rows).
    date_extraction : date-like
    fenetres : sequence of int
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
    d = _ts(date_extraction)

    def bloc(t: pd.DataFrame, s: str) -> pd.DataFrame:
        t = _d(t)
        return t[(t["date_extraction"] == d) & (t["scenario"] == s) & (t["groupe_variable"] == ENSEMBLE)
                 ].sort_values("annee")

    lignes = []
    for s in SCENARIOS:
        b, m = bloc(brut, s), bloc(masque, s)
        if b.empty:
            continue
        annees = b["annee"].astype(int).tolist()
        valeurs = pd.to_numeric(b["departs"], errors="coerce").fillna(0).astype(int).tolist()
        masques = dict(zip(m["annee"].astype(int), m["masque"].astype(bool)))
        precedent = 0  # number of years covered by the last published window
        for k in sorted(int(f) for f in fenetres):
            if k > len(annees):
                continue
            n_tout = sum(masques.get(a, False) for a in annees[:k])
            n_diff = sum(masques.get(a, False) for a in annees[precedent:k])
            ok = n_tout != 1 and n_diff != 1
            lignes.append({"scenario": s, "fenetre": k, "annee_fin": annees[k - 1],
                           "departs": float(sum(valeurs[:k])) if ok else None, "masque": not ok})
            if ok:
                precedent = k
    out = pd.DataFrame(lignes, columns=["scenario", "fenetre", "annee_fin", "departs", "masque"])
    out["departs"] = out["departs"].astype("float64")
    return out


def _pct(x: float, dec: int = 1) -> str:
    from .reports.formats import percent
    return percent(x, dec, proportion=False)


def _nb(x: float, dec: int = 0) -> str:
    from .reports.formats import number
    return number(x, dec)


def _pluriel(n: float, mot: str, pluriel: str | None = None) -> str:
    return f"{_nb(n)} {mot if abs(n) < 2 else (pluriel or mot + 's')}"


def constats_rh(indicateurs: pd.DataFrame, date_extraction: Any, *,
                cumuls: pd.DataFrame | None = None, metiers: pd.DataFrame | None = None,
                date_precedente: Any | None = None, config: Mapping[str, Any] | None = None) -> list[str]:
    """Key findings of the HR report, in French, computed from the published (masked) figures.

    Parameters
    ----------
    indicateurs : DataFrame
        Masked ``rh_indicateurs`` table (every date up to the milestone).
    date_extraction : date-like
        The milestone's extraction date.
    cumuls : DataFrame, optional
        :func:`departs_cumules` of that date.
    metiers : DataFrame, optional
        :func:`metiers_a_risque` of that date.
    date_precedente : date-like, optional
        Earlier extraction to compare with (the previous milestone's).
    config : mapping, optional
        The ``rh`` section of ``observatoire.yml`` (``obligation_boe``).

    Returns
    -------
    list of str
        Sentences (plain text, no HTML); a masked or missing figure is left out, never guessed.
    """
    from .reports.formats import date as fdate

    cfg = _config_rh(config)
    t = _d(indicateurs)
    d = _ts(date_extraction)
    p = _ts(date_precedente) if date_precedente is not None else None
    v = lambda ind, gv=ENSEMBLE, g=ENSEMBLE, x=d: _valeur(t, ind, x, gv, g)  # noqa: E731
    phrases: list[str] = []

    eff, etp = v("effectif"), v("etp")
    if eff is None:
        return [f"Aucune donnée RH publiable au {fdate(d)}."]
    s = f"Au {fdate(d)}, la commune compte {_pluriel(eff, 'agent')}"
    if etp is not None:
        s += f" ({_nb(etp, 1)} équivalents temps plein)"
    femmes = v("effectif", "sexe", "F")
    if femmes is not None:
        s += f", dont {_pct(100 * femmes / eff, 0)} de femmes"
    tit = v("effectif", "statut", "titulaire")
    if tit is not None:
        s += f" et {_pct(100 * tit / eff, 0)} de titulaires"
    if p is not None and v("effectif", x=p) is not None:
        diff = eff - v("effectif", x=p)
        s += (f" ; c'est {_pluriel(abs(diff), 'agent')} de {'plus' if diff > 0 else 'moins'} qu'au {fdate(p)}"
              if diff else f" ; l'effectif est stable depuis le {fdate(p)}")
    phrases.append(s + ".")

    age, age_med = v("age_moyen"), v("age_median")
    if age is not None:
        s = f"L'âge moyen est de {_nb(age, 1)} ans"
        if age_med is not None:
            s += f" (âge médian {_nb(age_med, 1)} ans)"
        phrases.append(s + ".")

    ta, tc = v("taux_absenteisme"), v("taux_absenteisme_compressible")
    if ta is not None:
        s = f"Le taux d'absentéisme des agents permanents est de {_pct(ta)} sur les 12 mois précédents"
        if tc is not None:
            s += (f", dont {_pct(tc)} d'absences « compressibles » (maladie ordinaire et accidents "
                  f"du travail)")
        if p is not None and v("taux_absenteisme", x=p) is not None:
            ecart = ta - v("taux_absenteisme", x=p)
            s += f" ; {_ecart_points(ecart)} par rapport au {fdate(p)}"
        phrases.append(s + ".")
    tr = v("taux_rotation")
    if tr is not None:
        s = f"Le taux de rotation (arrivées et départs rapportés à l'effectif permanent) est de {_pct(tr)}"
        if p is not None and v("taux_rotation", x=p) is not None:
            s += f" ({_ecart_points(tr - v('taux_rotation', x=p))} par rapport au {fdate(p)})"
        phrases.append(s + ".")

    hf, pe = v("heures_formation_par_agent"), v("part_encadrants")
    if hf is not None or pe is not None:
        morceaux = []
        if hf is not None:
            morceaux.append(f"chaque agent a suivi en moyenne {_nb(hf, 1)} heures de formation sur 12 mois")
        if pe is not None:
            m = f"{_pct(pe)} des agents encadrent une équipe"
            pf = v("part_femmes_encadrants")
            if pf is not None:
                m += f" ({_pct(pf, 0)} de ces encadrants sont des femmes)"
            morceaux.append(m)
        texte = " ; ".join(morceaux)
        phrases.append(texte[:1].upper() + texte[1:] + ".")

    boe = phrase_boe(t, d, config=cfg)
    if boe is not None:
        phrases.append(boe)

    if cumuls is not None and len(cumuls):
        for k in sorted(cumuls["fenetre"].unique()):
            c = cumuls[cumuls["fenetre"] == k].set_index("scenario")
            if "age_legal" not in c.index or c.loc["age_legal", "masque"]:
                continue
            n_legal = c.loc["age_legal", "departs"]
            s = (f"D'ici fin {int(c.loc['age_legal', 'annee_fin'])}, {_pluriel(n_legal, 'agent')} "
                 f"{'pourraient' if n_legal >= 2 else 'pourrait'} partir à la retraite à l'âge légal "
                 f"({_pct(100 * n_legal / eff, 0)} de l'effectif actuel)")
            if "age_observe" in c.index and not c.loc["age_observe", "masque"]:
                s += f", {_nb(c.loc['age_observe', 'departs'])} si chacun part à l'âge moyen observé"
            phrases.append(s + ".")
            break  # the shortest publishable window is the most useful finding

    if metiers is not None and len(metiers):
        risque = metiers[metiers["a_risque"].astype(bool)]
        if len(risque) == 0:
            phrases.append("Aucun métier n'est signalé à risque de départs à la retraite.")
        else:
            uniques = int(risque["risque_agent_unique"].astype(bool).sum())
            s = (f"{_pluriel(len(risque), 'métier')} {'sont signalés' if len(risque) >= 2 else 'est signalé'} "
                 f"à risque de départs à la retraite")
            if uniques:
                s += (f", dont {_nb(uniques)} tenu{'s' if uniques >= 2 else ''} par un seul agent "
                      f"(transmission des savoirs à anticiper)")
            phrases.append(s + ".")
    return phrases


def _ecart_points(ecart: float) -> str:
    if abs(ecart) < 0.05:
        return "stable"
    return f"{'+' if ecart > 0 else '−'}{_nb(abs(ecart), 1)} point{'s' if abs(ecart) >= 2 else ''}"


def alt_pyramide(pyramide: pd.DataFrame, date_extraction: Any) -> str:
    """Alt text of the age pyramid: what it shows and its main reading (published cells only)."""
    from .reports.formats import date as fdate

    pub = pyramide[~pyramide["masque"].astype(bool)]
    s = (f"Pyramide des âges des agents présents au {fdate(date_extraction)} par tranches de 5 ans, "
         "hommes à gauche, femmes à droite")
    if pub.empty:
        return s + " ; toutes les cases concernent moins de 5 agents et sont masquées."
    par_tranche = pub.groupby("tranche", sort=False)["effectif"].sum()
    top = par_tranche.idxmax()
    s += f" ; la tranche la plus fournie est {top} ({_pluriel(par_tranche.max(), 'agent')} publiés)"
    ages = pub[pub["age_debut"].notna() & (pub["age_debut"] >= 55)]["effectif"].sum()
    total = pub["effectif"].sum()
    if total:
        s += f" ; {_pct(100 * ages / total, 0)} des agents comptés ont 55 ans ou plus"
    n_m = int(pyramide["masque"].astype(bool).sum())
    if n_m:
        s += f" ; {_pluriel(n_m, 'case masquée', 'cases masquées')} (moins de 5 agents)"
    return s + "."


def alt_departs(departs_annuels: pd.DataFrame) -> str:
    """Alt text of the departures chart, from :func:`departs_par_annee` (ensemble, scenarios as rows)."""
    annees = [c for c in departs_annuels.columns if c != "groupe"]
    if not annees:
        return "Graphique des départs à la retraite projetés : aucune donnée."
    s = (f"Barres groupées du nombre de départs à la retraite projetés par année de {annees[0]} à "
         f"{annees[-1]}, selon deux hypothèses (âge légal minimum, âge moyen de départ observé)")
    for _, r in departs_annuels.iterrows():
        vals = r[annees].astype("float64")
        if vals.notna().any():
            a = vals.idxmax()
            s += f" ; {str(r['groupe']).lower()}, le pic est en {a} avec {_pluriel(vals[a], 'départ')}"
    if departs_annuels[annees].isna().to_numpy().any():
        s += " ; les années à moins de 5 départs sont masquées"
    return s + "."


def alt_motifs(motifs: pd.DataFrame, date_extraction: Any) -> str:
    """Alt text of the absenteeism-by-motif chart, from :func:`absenteisme_par_motif`."""
    from .reports.formats import date as fdate

    pub = motifs[~motifs["masque"].astype(bool) & motifs["taux"].notna()]
    s = (f"Barres horizontales du taux d'absentéisme par motif sur les 12 mois précédant le "
         f"{fdate(date_extraction)}")
    if len(pub) and pub["taux"].sum() > 0:
        top = pub.iloc[0]
        s += (f" ; le premier motif est « {top['libelle']} » avec {_pct(top['taux'], 2)}, soit "
              f"{_pct(100 * top['taux'] / pub['taux'].sum(), 0)} des jours d'absence publiés")
    return s + "."


def format_masque(decimales: int = 0, *, pourcent: bool = False, signe: bool = False,
                  auto: bool = False, court: bool = False, seuil: int | None = None):
    """Formatter for report tables: a number in French, or the masking mark when missing (NaN).

    Parameters
    ----------
    decimales : int
    pourcent : bool
        Append `` %`` (the value is already in %).
    signe : bool
        Signed number (``+1,2`` / ``−0,5``), for differences.
    auto : bool
        Whole numbers without decimals (a headcount next to an age in one column).
    court : bool
        Mark ``"< 5"`` (dense tables) instead of ``"secret (< 5)"``.
    """
    from .reports.formats import NBSP, number

    s = seuil_confidentialite(seuil)
    marque = f"< {s}" if court else f"secret (< {s})"

    def fmt(v: Any) -> str:
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return marque
        v = float(v)
        dec = 0 if auto and v.is_integer() else decimales
        texte = number(abs(v) if signe else v, dec)
        if signe:
            texte = ("+" if v > 0 else "−" if v < 0 else "") + texte
        return texte + (NBSP + "%" if pourcent else "")

    return fmt


def _motif_affiche(motif: str, agent_unique: bool) -> str:
    if agent_unique:  # one agent: keep the single-holder reason only (it says the least)
        motif = next((m for m in motif.split(" ; ") if "seul agent" in m), motif)
    return motif[:1].upper() + motif[1:]


def vue_metiers_a_risque(metiers: pd.DataFrame, *, motif: str = "tous") -> pd.DataFrame:
    """Jobs at risk for display: métier, agents, departures in the window, share, reason.

    Parameters
    ----------
    metiers : DataFrame
        :func:`metiers_a_risque` with ``masquer=True`` (counts of small métiers missing).
    motif : {"tous", "part_elevee", "agent_unique"}
        All flagged métiers; those losing a large share of several agents (single-holder
        métiers excluded); or only the single-holder métiers.

    Returns
    -------
    DataFrame
        ``metier``, ``effectif``, ``departs_fenetre``, ``part_departs_fenetre`` (in %),
        ``motif`` (French). A single-holder métier shows only the single-holder reason (it
        says the least about the person). No agent-level detail is shown.
    """
    _choix(motif, ("tous", "part_elevee", "agent_unique"), "Motif")
    r = metiers[metiers["a_risque"].astype(bool)]
    unique = r["risque_agent_unique"].astype(bool)
    if motif == "part_elevee":
        r = r[~unique]
    elif motif == "agent_unique":
        r = r[unique]
    return pd.DataFrame({
        "metier": r["metier"].astype("str"),
        "effectif": pd.to_numeric(r["effectif"], errors="coerce").astype("float64"),
        "departs_fenetre": pd.to_numeric(r["departs_fenetre"], errors="coerce").astype("float64"),
        "part_departs_fenetre": 100.0 * pd.to_numeric(r["part_departs_fenetre"], errors="coerce").astype("float64"),
        "motif": [_motif_affiche(m, bool(u)) for m, u in zip(r["motif"].astype("str"),
                                                              r["risque_agent_unique"])],
    }).reset_index(drop=True)


def valeur_indicateur(indicateurs: pd.DataFrame, indicateur: str, date_extraction: Any, *,
                      groupe_variable: str = ENSEMBLE, groupe: str = ENSEMBLE) -> float | None:
    """One published value of an ``rh_indicateurs`` table; None when masked or absent."""
    return _valeur(_d(indicateurs), indicateur, _ts(date_extraction), groupe_variable, groupe)


def tableau_par_groupe(indicateurs: pd.DataFrame, date_extraction: Any, groupe_variable: str,
                       indicateurs_suivis: Sequence[str], *,
                       libelles_services: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Several indicators of one date by the groups of one breakdown (wide, for display).

    Returns
    -------
    DataFrame
        ``groupe`` (French label; the ``Ensemble`` row last), then one column per indicator
        (its code), missing when masked or not computed for that group (e.g. absenteeism of
        non-permanent agents).
    """
    _choix(groupe_variable, VENTILATIONS, "Ventilation")
    t = _d(indicateurs)
    d = _ts(date_extraction)
    t = t[t["date_extraction"] == d]
    groupes = list(dict.fromkeys(t[t["groupe_variable"] == groupe_variable]["groupe"]))
    lignes = []
    for gv, g in [(groupe_variable, x) for x in groupes] + [(ENSEMBLE, ENSEMBLE)]:
        ligne = {"groupe": libelle_groupe(gv, g, libelles_services)}
        for ind in indicateurs_suivis:
            ligne[ind] = _valeur(t, ind, d, gv, g)
        lignes.append(ligne)
    out = pd.DataFrame(lignes, columns=["groupe", *indicateurs_suivis])
    for c in indicateurs_suivis:
        out[c] = out[c].astype("float64")
    return out


def phrase_boe(indicateurs: pd.DataFrame, date_extraction: Any, *,
               config: Mapping[str, Any] | None = None) -> str | None:
    """French sentence on the employment obligation for disabled workers (None when unpublished)."""
    cfg = _config_rh(config)
    boe = valeur_indicateur(indicateurs, "taux_boe", date_extraction)
    if boe is None:
        return None
    atteinte = valeur_indicateur(indicateurs, "obligation_boe_atteinte", date_extraction)
    obligation = float(cfg.get("obligation_boe", 6.0))
    if atteinte is not None:
        return (f"Le taux d'emploi de travailleurs handicapés est de {_pct(boe)} : l'obligation "
                f"légale de {_pct(obligation, 0)} {'est atteinte' if atteinte else 'n’est pas atteinte'}.")
    return (f"Le taux d'emploi de travailleurs handicapés est de {_pct(boe)} (l'obligation de "
            f"{_pct(obligation, 0)} ne s'applique pas sous {_nb(cfg.get('seuil_boe_etp', 20))} ETP).")


def phrase_regles_incertaines(agents: pd.DataFrame, date_extraction: Any, *,
                              regles: ReglesRetraite | None = None, seuil: int | None = None) -> str:
    """French sentence: how many agents present have a legal age from an inferred rule.

    A count below the masking threshold (but not zero) is given as "moins de <seuil>".
    """
    seuil = seuil_confidentialite(seuil)
    d = _ts(date_extraction)
    ag = _preparer(agents)
    pres = ag[presents(ag, d)].drop_duplicates("matricule", keep="last")
    n = int((dates_retraite(pres, regles=regles)["certitude"] == "infere").sum()) if len(pres) else 0
    if n == 0:
        return "Aucun agent présent ne relève d'une ligne « inférée » du barème."
    quoi = f"moins de {seuil} agents" if n < seuil else _pluriel(n, "agent")
    return (f"{quoi[:1].upper() + quoi[1:]} présents relèvent d'une ligne « inférée » du barème "
            f"(catégorie active, nés de 1969 à 1973) : leur date de départ est à lire avec prudence.")
