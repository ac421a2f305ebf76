"""French reader-facing helpers of report 01 (enquête usagers): labels, number formats, display
tables and sentences built from the survey tables of DESIGN.md §4.

Moved as they were from ``ducos_lib.survey`` (the computation package returns numbers and frames
only); ``ducos_lib.survey`` still forwards these names here until the notebooks are updated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ducos_lib.survey import LIKERT_ITEMS, SurveyError, indicator_names
from ducos_lib.survey.tables import enquete_settings as _settings

__all__ = [
    "LIBELLES_ITEMS",
    "LIBELLES_GROUPES",
    "LIBELLES_NIVEAUX",
    "DISPLAY_INDICATORS",
    "libelle_indicateur",
    "libelle_groupe",
    "format_valeur",
    "format_ecart",
    "format_intervalle",
    "lecture_evolution",
    "lecture_distribution",
    "tableau_ensemble",
    "tableau_groupes",
    "tableau_items",
    "tableau_evolutions",
    "tableau_distributions",
    "ecarts_groupes",
    "constats_enquete",
    "pistes_enquete",
    "tableau_themes",
]

#: French label of each Likert item, in report order.
LIBELLES_ITEMS = {
    "satisfaction_globale": "Satisfaction globale",
    "accueil": "Accueil",
    "delai": "Délais",
    "information": "Information donnée",
    "ecoute": "Écoute",
    "resolution": "Résolution de la demande",
}
#: French label of each breakdown (groupe_variable).
LIBELLES_GROUPES = {
    "ensemble": "Ensemble",
    "service": "Service contacté",
    "quartier": "Quartier",
    "sexe": "Sexe",
    "tranche_age": "Tranche d'âge",
}
#: French labels of the 5 answer levels.
LIBELLES_NIVEAUX = {
    1: "Très insatisfait",
    2: "Plutôt insatisfait",
    3: "Ni satisfait ni insatisfait",
    4: "Plutôt satisfait",
    5: "Très satisfait",
}
_LIBELLES_SEXE = {"F": "Femmes", "H": "Hommes"}


def _item_of(indicateur: str) -> str:
    for suffix in ("_satisfaits", "_taux_net", "_distribution", "_moyenne"):
        if indicateur.endswith(suffix):
            return indicateur[: -len(suffix)]
    return indicateur


def _kind(indicateur: str) -> str:
    """``mean5``, ``mean10``, ``share``, ``net`` or ``distribution``."""
    if indicateur == "recommandation_moyenne":
        return "mean10"
    if indicateur.endswith("_moyenne"):
        return "mean5"
    if indicateur.endswith("_satisfaits"):
        return "share"
    if indicateur.endswith("_taux_net"):
        return "net"
    if indicateur.endswith("_distribution"):
        return "distribution"
    raise SurveyError(f"Indicateur « {indicateur} » inconnu ; attendus : {', '.join(indicator_names())}.")


def libelle_indicateur(indicateur: str) -> str:
    """French label of a §4 indicator name (``delai_satisfaits`` → ``Délais : part de satisfaits``).

    Raises
    ------
    SurveyError
        For a name that is not a survey indicator.
    """
    kind = _kind(indicateur)
    if kind == "mean5":
        return "Satisfaction globale : note moyenne (sur 5)"
    if kind == "mean10":
        return "Recommandation : note moyenne (sur 10)"
    item = LIBELLES_ITEMS.get(_item_of(indicateur), _item_of(indicateur))
    return {
        "share": f"{item} : part de satisfaits",
        "net": f"{item} : taux net de satisfaction",
        "distribution": f"{item} : répartition des cinq réponses",
    }[kind]


def libelle_groupe(groupe_variable: str, groupe: str, libelles_services: Mapping[str, str] | None = None) -> str:
    """French label of a group: service label, ``Femmes``/``Hommes``, ``45-59 ans``, quartier name."""
    if groupe_variable == "ensemble":
        return "Ensemble de la commune"
    if groupe_variable == "service":
        return (libelles_services or {}).get(groupe, groupe)
    if groupe_variable == "sexe":
        return _LIBELLES_SEXE.get(groupe, groupe)
    if groupe_variable == "tranche_age":
        return f"{groupe.replace('-', ' à ')} ans" if groupe != "75+" else "75 ans et plus"
    return str(groupe)


def format_valeur(indicateur: str, valeur: Any) -> str:
    """A value in French: means with a decimal comma, shares in %, taux net in signed points."""
    from ducos_lib.reports import formats

    kind = _kind(indicateur)
    if kind in ("mean5", "mean10"):
        return formats.number(valeur, 2 if kind == "mean5" else 1)
    if kind == "share":
        return formats.percent(valeur, 1)
    return formats.points(valeur)


def format_ecart(indicateur: str, ecart: Any) -> str:
    """A difference between waves: ``+0,44`` for a mean, ``+17,9 points`` for a share or taux net."""
    from ducos_lib.reports import formats

    kind = _kind(indicateur)
    if kind in ("mean5", "mean10"):
        return formats.signed(ecart, 2)
    return formats.points(ecart)


def format_intervalle(indicateur: str, bas: Any, haut: Any, *, ecart: bool = False) -> str:
    """``[47,6 % ; 58,3 %]``; empty string when a bound is missing."""
    if pd.isna(bas) or pd.isna(haut):
        return ""
    f = format_ecart if ecart else format_valeur
    return f"[{f(indicateur, bas)} ; {f(indicateur, haut)}]"


def lecture_evolution(difference: Any, p_ajustee: Any, *, alpha: float = 0.05) -> str:
    """Plain-French reading of a wave comparison.

    ``"hausse significative"`` / ``"baisse significative"`` when the adjusted p-value is below
    ``alpha``, ``"pas de changement démontré"`` otherwise, ``"non testé (trop peu de réponses)"``
    when the comparison was not computed.
    """
    if pd.isna(p_ajustee):
        return "non testé (trop peu de réponses)"
    if p_ajustee < alpha and pd.notna(difference) and difference != 0:
        return "hausse significative" if difference > 0 else "baisse significative"
    return "pas de changement démontré"


def lecture_distribution(p_ajustee: Any, *, alpha: float = 0.05) -> str:
    """Plain-French reading of a Rao–Scott test of two 5-point distributions."""
    if pd.isna(p_ajustee):
        return "non testé"
    return ("les réponses se répartissent différemment" if p_ajustee < alpha
            else "pas de changement démontré")


def _flag_text(n: int, cfg: Mapping) -> str:
    if n == 0:
        return "aucune réponse"
    if n < int(cfg["seuil_masquage"]):
        return f"non diffusé (moins de {int(cfg['seuil_masquage'])} réponses)"
    if n < int(cfg["seuil_signalement"]):
        return f"faible effectif (< {int(cfg['seuil_signalement'])}) : prudence"
    return ""


def _row(est: pd.DataFrame, vague: str, indicateur: str, gv: str = "ensemble", groupe: str = "ensemble"):
    sel = est[(est["vague"] == vague) & (est["indicateur"] == indicateur)
              & (est["groupe_variable"] == gv) & (est["groupe"].astype(str) == str(groupe))]
    return None if sel.empty else sel.iloc[0]


DISPLAY_INDICATORS = ("satisfaction_globale_moyenne", "satisfaction_globale_satisfaits", "recommandation_moyenne")
"""Indicators of the by-group display tables."""


_COURT = {
    "satisfaction_globale_moyenne": "Note moyenne sur 5",
    "satisfaction_globale_satisfaits": "Part de satisfaits",
    "satisfaction_globale_taux_net": "Taux net de satisfaction",
    "recommandation_moyenne": "Recommandation sur 10",
}


def tableau_ensemble(
    estimations: pd.DataFrame,
    vagues: Sequence[str],
    indicateurs: Sequence[str] = ("satisfaction_globale_moyenne", "satisfaction_globale_satisfaits",
                                  "satisfaction_globale_taux_net"),
) -> pd.DataFrame:
    """Overall indicators (rows) × waves (columns), each cell ``70,9 % [64,0 % ; 76,9 %]``.

    A last column ``Réponses (<last wave>)`` gives the respondents of the last wave.
    """
    rows = []
    for ind in indicateurs:
        row = {"Indicateur": libelle_indicateur(ind)}
        n = None
        for w in vagues:
            r = _row(estimations, w, ind)
            ok = r is not None and pd.notna(r["estimation"])
            row[f"Vague {w}"] = (f"{format_valeur(ind, r['estimation'])} "
                                 f"{format_intervalle(ind, r['ic_bas'], r['ic_haut'])}".strip() if ok else "–")
            n = int(r["n_repondants"]) if r is not None else 0
        row[f"Réponses ({list(vagues)[-1]})"] = n
        rows.append(row)
    return pd.DataFrame(rows)


def tableau_groupes(
    estimations: pd.DataFrame,
    vague: str,
    groupe_variable: str,
    *,
    indicateurs: Sequence[str] = DISPLAY_INDICATORS,
    libelles_services: Mapping[str, str] | None = None,
    config: Mapping | None = None,
) -> pd.DataFrame:
    """Display table of one breakdown for one wave: one row per group, French text cells.

    Columns: the group label (named after the breakdown), then for each indicator its value
    followed by its 95 % interval in one cell (``73,4 % [54,6 % ; 86,3 %]``), then ``Réponses`` (respondents who answered the overall satisfaction question)
    and ``Remarque`` (small-sample flag of DESIGN §5: under ``seuil_signalement`` shown with a
    warning, under ``seuil_masquage`` not shown). Groups are in table order (services as given).
    """
    cfg = _settings(config)
    sub = estimations[(estimations["vague"] == vague) & (estimations["groupe_variable"] == groupe_variable)]
    groups = list(dict.fromkeys(sub["groupe"].astype(str)))
    head = LIBELLES_GROUPES.get(groupe_variable, groupe_variable)
    rows = []
    for g in groups:
        first = _row(sub, vague, indicateurs[0], groupe_variable, g)
        n = int(first["n_repondants"]) if first is not None else 0
        shown = n >= int(cfg["seuil_masquage"])
        row = {head: libelle_groupe(groupe_variable, g, libelles_services)}
        for ind in indicateurs:
            r = _row(sub, vague, ind, groupe_variable, g)
            ok = shown and r is not None and pd.notna(r["estimation"])
            row[f"{_COURT.get(ind, libelle_indicateur(ind))} [IC à 95 %]"] = (
                f"{format_valeur(ind, r['estimation'])} {format_intervalle(ind, r['ic_bas'], r['ic_haut'])}".strip()
                if ok else "–")
        row["Réponses"] = n
        row["Remarque"] = _flag_text(n, cfg)
        rows.append(row)
    return pd.DataFrame(rows)


def tableau_items(estimations: pd.DataFrame, vague: str) -> pd.DataFrame:
    """Share satisfied and taux net of every Likert item for one wave (overall), French text cells."""
    rows = []
    for item in LIKERT_ITEMS:
        s = _row(estimations, vague, f"{item}_satisfaits")
        t = _row(estimations, vague, f"{item}_taux_net")
        if s is None or t is None:
            continue
        rows.append({
            "Dimension": LIBELLES_ITEMS[item],
            "Part de satisfaits (4 ou 5)": format_valeur(f"{item}_satisfaits", s["estimation"]),
            "IC à 95 % (part)": format_intervalle(f"{item}_satisfaits", s["ic_bas"], s["ic_haut"]),
            "Taux net de satisfaction": format_valeur(f"{item}_taux_net", t["estimation"]),
            "IC à 95 % (taux net)": format_intervalle(f"{item}_taux_net", t["ic_bas"], t["ic_haut"]),
            "Réponses": int(s["n_repondants"]),
        })
    return pd.DataFrame(rows)


def tableau_evolutions(
    comparaisons: pd.DataFrame,
    estimations: pd.DataFrame,
    *,
    groupe_variable: str = "ensemble",
    indicateurs: Sequence[str] | None = None,
    libelles_services: Mapping[str, str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Display table of wave comparisons (``difference_z`` rows) with their plain-French reading.

    Columns: ``Indicateur`` (and the group for a breakdown), ``Période`` (``T0 → T12``), the value
    of each wave, ``Écart``, ``IC à 95 % de l'écart``, ``p ajustée`` (as printed by
    :func:`ducos_lib.reports.formats.pvalue`) and ``Lecture`` (:func:`lecture_evolution`).
    """
    from ducos_lib.reports import formats

    c = comparaisons[(comparaisons["methode"] == "difference_z")
                     & (comparaisons["groupe_variable"] == groupe_variable)]
    if indicateurs is not None:
        c = c[c["indicateur"].isin(list(indicateurs))]
    rows = []
    for r in c.itertuples(index=False):
        a = _row(estimations, r.vague_a, r.indicateur, r.groupe_variable, r.groupe)
        b = _row(estimations, r.vague_b, r.indicateur, r.groupe_variable, r.groupe)
        single = indicateurs is not None and len(list(indicateurs)) == 1
        row = {} if single else {"Indicateur": libelle_indicateur(r.indicateur)}
        if groupe_variable != "ensemble":
            row = {LIBELLES_GROUPES.get(groupe_variable, groupe_variable):
                   libelle_groupe(groupe_variable, str(r.groupe), libelles_services), **row}
        tested = pd.notna(r.difference)
        row.update({
            "Période": f"{r.vague_a}\u00a0→\u00a0{r.vague_b}",
            "Avant": (
                format_valeur(r.indicateur, a["estimation"]) if a is not None and tested else "–"),
            "Après": format_valeur(r.indicateur, b["estimation"]) if b is not None and tested else "–",
            "Écart": format_ecart(r.indicateur, r.difference) if tested else "–",
            "IC à 95 % de l'écart": format_intervalle(r.indicateur, r.ic_bas, r.ic_haut, ecart=True),
            "p ajustée (Holm)": formats.pvalue(r.p_ajustee),
            "Lecture": lecture_evolution(r.difference, r.p_ajustee, alpha=alpha),
        })
        rows.append(row)
    return pd.DataFrame(rows)


def tableau_distributions(comparaisons: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Display table of the Rao–Scott tests (``rao_scott_f`` rows) with their reading."""
    from ducos_lib.reports import formats

    c = comparaisons[comparaisons["methode"] == "rao_scott_f"]
    return pd.DataFrame([
        {"Question": LIBELLES_ITEMS.get(_item_of(r.indicateur), r.indicateur),
         "Période": f"{r.vague_a}\u00a0→\u00a0{r.vague_b}",
         "p": formats.pvalue(r.p_valeur), "p ajustée (Holm)": formats.pvalue(r.p_ajustee),
         "Lecture": lecture_distribution(r.p_ajustee, alpha=alpha)}
        for r in c.itertuples(index=False)
    ], columns=["Question", "Période", "p", "p ajustée (Holm)", "Lecture"])


def ecarts_groupes(
    estimations: pd.DataFrame,
    vague: str,
    *,
    indicateur: str = "satisfaction_globale_satisfaits",
    group_variables: Sequence[str] = ("service", "quartier", "tranche_age", "sexe"),
    config: Mapping | None = None,
) -> pd.DataFrame:
    """Groups whose confidence interval lies entirely above or below the overall estimate.

    A descriptive screen (no test): groups with fewer than ``seuil_masquage`` respondents are
    skipped, groups under ``seuil_signalement`` are kept with ``faible_effectif = True``.

    Returns
    -------
    DataFrame
        ``groupe_variable, groupe, estimation, ic_bas, ic_haut, n_repondants, ensemble, sens``
        (``"au-dessus"`` or ``"en dessous"``), ``faible_effectif``; sorted by breakdown then
        estimate.
    """
    cfg = _settings(config)
    overall = _row(estimations, vague, indicateur)
    cols = ["groupe_variable", "groupe", "estimation", "ic_bas", "ic_haut", "n_repondants", "ensemble",
            "sens", "faible_effectif"]
    if overall is None or pd.isna(overall["estimation"]):
        return pd.DataFrame(columns=cols)
    ref = float(overall["estimation"])
    sub = estimations[(estimations["vague"] == vague) & (estimations["indicateur"] == indicateur)
                      & estimations["groupe_variable"].isin(list(group_variables))
                      & (estimations["n_repondants"] >= int(cfg["seuil_masquage"]))
                      & estimations["estimation"].notna()].copy()
    sub["ensemble"] = ref
    sub["sens"] = np.where(sub["ic_bas"] > ref, "au-dessus", np.where(sub["ic_haut"] < ref, "en dessous", ""))
    sub["faible_effectif"] = sub["n_repondants"] < int(cfg["seuil_signalement"])
    out = sub[sub["sens"] != ""].sort_values(["groupe_variable", "estimation"], kind="stable")
    return out[cols].reset_index(drop=True)


def _liste(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def constats_enquete(
    estimations: pd.DataFrame,
    comparaisons: pd.DataFrame,
    vague: str,
    *,
    marges: pd.DataFrame | None = None,
    diagnostics: pd.DataFrame | None = None,
    libelles_services: Mapping[str, str] | None = None,
    config: Mapping | None = None,
) -> list[str]:
    """Key findings of the usagers report, as French sentences built from the computed figures.

    Parameters
    ----------
    estimations, comparaisons : DataFrame
        The §4 tables (:func:`estimations_enquete`, :func:`comparaisons_enquete`).
    vague : str
        The milestone's wave (the last one).
    marges, diagnostics : DataFrame, optional
        :func:`marges_ponderation` and :func:`diagnostics_ponderation`, for the sentence on who
        answered and what weighting costs.
    libelles_services : mapping, optional
        ``code_service`` → label.

    Returns
    -------
    list of str
        Overall satisfaction (share satisfied, mean, taux net with CIs); strongest and weakest
        dimensions; evolution since each earlier wave (plain words, Holm-adjusted); groups clearly
        above or below the overall level; recommendation; representativeness and weighting.
        Sentences contain no HTML except ``<strong>``.
    """
    from ducos_lib.reports import formats

    cfg = _settings(config)
    alpha = float(cfg["alpha"])
    out: list[str] = []
    sat = _row(estimations, vague, "satisfaction_globale_satisfaits")
    moy = _row(estimations, vague, "satisfaction_globale_moyenne")
    net = _row(estimations, vague, "satisfaction_globale_taux_net")
    if sat is None or pd.isna(sat["estimation"]):
        return [f"Aucune réponse exploitable à l'enquête usagers pour la vague {vague}."]
    out.append(
        f"<strong>{format_valeur('satisfaction_globale_satisfaits', sat['estimation'])}</strong> des habitants "
        f"se disent satisfaits (plutôt ou très) du service municipal lors de la vague {vague} "
        f"(intervalle de confiance à 95 % : {format_intervalle('satisfaction_globale_satisfaits', sat['ic_bas'], sat['ic_haut'])}, "
        f"{formats.number(sat['n_repondants'])} réponses). Note moyenne : "
        f"{format_valeur('satisfaction_globale_moyenne', moy['estimation'])} sur 5 ; taux net de satisfaction "
        f"(satisfaits moins insatisfaits) : {format_valeur('satisfaction_globale_taux_net', net['estimation'])}."
    )
    items = []
    for item in LIKERT_ITEMS[1:]:
        r = _row(estimations, vague, f"{item}_satisfaits")
        if r is not None and pd.notna(r["estimation"]):
            items.append((float(r["estimation"]), item))
    if len(items) >= 2:
        items.sort()
        (lo_v, lo_i), (hi_v, hi_i) = items[0], items[-1]
        out.append(
            f"Point fort : <strong>{LIBELLES_ITEMS[hi_i].lower()}</strong> ({formats.percent(hi_v)} de satisfaits). "
            f"Point faible : <strong>{LIBELLES_ITEMS[lo_i].lower()}</strong> ({formats.percent(lo_v)} de satisfaits)."
        )
    diffs = comparaisons[(comparaisons["methode"] == "difference_z")
                         & (comparaisons["groupe_variable"] == "ensemble")] if len(comparaisons) else comparaisons
    if diffs is None or len(diffs) == 0:
        out.append(f"La vague {vague} est la première mesure : elle sert de point de départ. "
                   "Les évolutions seront mesurées à partir de la vague T6.")
    else:
        for wa in list(dict.fromkeys(diffs["vague_a"])):
            d = diffs[diffs["vague_a"] == wa]
            head = d[d["indicateur"] == "satisfaction_globale_satisfaits"]
            ups = d[(d["p_ajustee"] < alpha) & (d["difference"] > 0)]
            downs = d[(d["p_ajustee"] < alpha) & (d["difference"] < 0)]
            sentence = f"Depuis {wa} : "
            if len(head):
                h = head.iloc[0]
                sentence += (f"part de satisfaits {format_ecart(h['indicateur'], h['difference'])} "
                             f"({lecture_evolution(h['difference'], h['p_ajustee'], alpha=alpha)}). ")
            sentence += (f"Sur {len(d)} indicateurs, {len(ups)} en hausse significative, "
                         f"{len(downs)} en baisse significative"
                         + (", les autres sans changement démontré" if len(d) > len(ups) + len(downs) else "")
                         + " (p-valeurs ajustées par la méthode de Holm).")
            if len(downs):
                sentence += " Baisses : " + _liste([libelle_indicateur(i).lower() for i in downs["indicateur"]]) + "."
            out.append(sentence)
    gaps = ecarts_groupes(estimations, vague, config=cfg)
    for sens in ("en dessous", "au-dessus"):
        g = gaps[gaps["sens"] == sens]
        if len(g):
            names = [
                f"{libelle_groupe(r.groupe_variable, str(r.groupe), libelles_services)} "
                f"({formats.percent(r.estimation)}{', faible effectif' if r.faible_effectif else ''})"
                for r in g.itertuples(index=False)
            ]
            out.append(
                f"Nettement {sens} de la moyenne communale ({formats.percent(gaps['ensemble'].iloc[0])} de "
                f"satisfaits, intervalle de confiance entièrement {sens}) : " + _liste(names) + "."
            )
    rec = _row(estimations, vague, "recommandation_moyenne")
    if rec is not None and pd.notna(rec["estimation"]):
        out.append(f"Les habitants donnent en moyenne <strong>{format_valeur('recommandation_moyenne', rec['estimation'])} "
                   f"sur 10</strong> à la question « recommanderiez-vous les services de la mairie ? » "
                   f"({format_intervalle('recommandation_moyenne', rec['ic_bas'], rec['ic_haut'])}).")
    if marges is not None and len(marges):
        m = marges[marges["vague"] == vague].copy()
        if len(m):
            m["ecart"] = m["part_brute"] - m["part_population"]
            worst = m.loc[m["ecart"].abs().idxmax()]
            label = libelle_groupe(worst["variable"], str(worst["modalite"]))
            phrase = (f"Les répondants ne ressemblent pas tout à fait à la population : par exemple, la catégorie "
                      f"« {label} » ({LIBELLES_GROUPES.get(worst['variable'], worst['variable']).lower()}) représente "
                      f"{formats.percent(worst['part_brute'])} des répondants contre "
                      f"{formats.percent(worst['part_population'])} des habitants. La pondération corrige ces écarts")
            if diagnostics is not None and len(diagnostics[diagnostics["vague"] == vague]):
                dg = diagnostics[diagnostics["vague"] == vague].iloc[0]
                phrase += (f" ; elle coûte de la précision : les {formats.number(dg['n_repondants'])} réponses valent "
                           f"autant qu'un échantillon d'environ {formats.number(dg['n_effectif'])} personnes "
                           "tirées au hasard")
            out.append(phrase + ".")
    return out


def pistes_enquete(
    estimations: pd.DataFrame,
    comparaisons: pd.DataFrame,
    vague: str,
    *,
    libelles_services: Mapping[str, str] | None = None,
    config: Mapping | None = None,
) -> list[str]:
    """What the survey data suggest acting on, as cautious French sentences.

    Rules: the dimension with the lowest taux net is the first lever; dimensions in significant
    decline are named; services whose share satisfied is clearly below the overall level (CI
    entirely below, at least ``seuil_masquage`` respondents) are proposed for a closer look, with
    the small-sample caveat; strong dimensions are named as practices to keep. A final sentence
    recalls that the survey describes and does not explain.
    """
    from ducos_lib.reports import formats

    cfg = _settings(config)
    alpha = float(cfg["alpha"])
    out: list[str] = []
    nets = []
    for item in LIKERT_ITEMS[1:]:
        r = _row(estimations, vague, f"{item}_taux_net")
        if r is not None and pd.notna(r["estimation"]):
            nets.append((float(r["estimation"]), item))
    nets.sort()
    if nets:
        v, item = nets[0]
        out.append(f"Priorité suggérée : <strong>{LIBELLES_ITEMS[item].lower()}</strong>, la dimension au taux net "
                   f"de satisfaction le plus bas ({formats.points(v)})"
                   + (", avec autant ou plus d'insatisfaits que de satisfaits." if v <= 0 else "."))
    if len(comparaisons):
        d = comparaisons[(comparaisons["methode"] == "difference_z") & (comparaisons["groupe_variable"] == "ensemble")
                         & (comparaisons["p_ajustee"] < alpha) & (comparaisons["difference"] < 0)]
        if len(d):
            out.append("À surveiller : " + _liste(sorted({libelle_indicateur(i).lower() for i in d["indicateur"]}))
                       + " ont baissé de façon significative.")
    gaps = ecarts_groupes(estimations, vague, group_variables=("service",), config=cfg)
    low = gaps[gaps["sens"] == "en dessous"]
    if len(low):
        names = [libelle_groupe("service", str(g), libelles_services) for g in low["groupe"]]
        out.append("Services à examiner avec leurs responsables (satisfaction nettement inférieure à la moyenne) : "
                   + _liste(names) + (". Certains reposent sur peu de réponses : à confirmer à la vague suivante."
                                      if low["faible_effectif"].any() else "."))
    if len(nets) >= 2:
        v, item = nets[-1]
        out.append(f"À préserver : {LIBELLES_ITEMS[item].lower()} (taux net {formats.points(v)}), "
                   "point d'appui pour les immersions et le guide des pratiques.")
    out.append("Ces pistes décrivent des écarts mesurés ; elles n'en donnent pas la cause. Les commentaires des "
               "habitants et les fiches d'immersion aident à les comprendre.")
    return out


def tableau_themes(counts: pd.DataFrame, labels: Mapping[str, str], waves: Sequence[str]) -> pd.DataFrame:
    """Comment themes (rows) × waves (columns) as ``31,3 % (61)``, themes never mentioned left out.

    ``counts`` is ``text.themes_commentaires(...).counts`` (``groupe, theme, n_commentaires,
    n_total, part``) with the wave as group; rows are sorted by the last wave's share.
    """
    from ducos_lib.reports import formats

    used = counts.groupby("theme")["n_commentaires"].sum()
    used = used[used > 0].index
    c = counts[counts["theme"].isin(used)]
    last = list(waves)[-1]
    order = (c[c["groupe"] == last].sort_values("part", ascending=False, kind="stable")["theme"].tolist()
             + [t for t in used if t not in set(c[c["groupe"] == last]["theme"])])
    rows = []
    for theme in dict.fromkeys(order):
        row = {"Thème": labels.get(theme, theme)}
        for w in waves:
            r = c[(c["theme"] == theme) & (c["groupe"] == w)]
            row[f"Vague {w}"] = (f"{formats.percent(r['part'].iloc[0], 0)} ({formats.number(r['n_commentaires'].iloc[0])})"
                                 if len(r) else "–")
        rows.append(row)
    return pd.DataFrame(rows, columns=["Thème"] + [f"Vague {w}" for w in waves])
