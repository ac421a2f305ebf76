"""What the reader of report 01 (enquête usagers) reads: labels, display tables, sentences, alt texts
and the methodology, built from the survey tables of DESIGN.md §4.

Indicator labels, phrases and number formats come from the registry (``config/indicateurs.yml``,
:mod:`ducos_lib.registry`) through :mod:`ducos_lib.reports.formats`; questions' labels from its
``questions_enquete``. This module only adds what the registry does not hold: the names of the
breakdowns, of the five answer levels and of the quadrants of the driver analysis.

Every function taking ``registry`` uses the workspace's registry when it is None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ducos_lib.survey.tables import enquete_settings as _settings
from ducos_lib.survey.tables import likert_items

from . import formats

#: French label of each breakdown (groupe_variable).
GROUP_LABELS = {
    "ensemble": "Ensemble",
    "service": "Service contacté",
    "quartier": "Quartier",
    "sexe": "Sexe",
    "tranche_age": "Tranche d'âge",
}
#: French labels of the 5 answer levels.
LEVEL_LABELS = {
    1: "Très insatisfait",
    2: "Plutôt insatisfait",
    3: "Ni satisfait ni insatisfait",
    4: "Plutôt satisfait",
    5: "Très satisfait",
}
#: Column header of each survey statistic in the table of the dimensions.
STATISTIC_HEADERS = {
    "part_satisfaits": "Part de satisfaits (4 ou 5)",
    "taux_net": "Taux net de satisfaction",
    "moyenne": "Note moyenne (sur 5)",
}
#: Quadrants of the importance × performance matrix (Martilla & James 1977), in plain French.
QUADRANTS = {
    "priorite": "À améliorer en priorité",
    "atout": "Point fort à préserver",
    "ensuite": "À améliorer ensuite",
    "acquis": "Acquis à maintenir",
}
_SEX_LABELS = {"F": "Femmes", "H": "Hommes"}


def _reg(registry=None):
    if registry is not None:
        return registry
    from ducos_lib.registry import load_registry

    return load_registry()


# --------------------------------------------------------------------------------------------------
# Labels and readings
# --------------------------------------------------------------------------------------------------


def question_label(item: str, registry=None) -> str:
    """A question's French label (``delai`` → ``Délais``), from the registry."""
    q = _reg(registry).questions.get(item)
    return q.label if q is not None else item


def question_phrase(item: str, registry=None) -> str:
    """A question's noun phrase for sentences (``delai`` → ``les délais``), from the registry."""
    q = _reg(registry).questions.get(item)
    return q.phrase if q is not None else item


def _of(phrase: str) -> str:
    """``de`` + a noun phrase, contracted: ``des délais``, ``de l'accueil``, ``de la résolution``."""
    if phrase.startswith("les "):
        return "des " + phrase[4:]
    if phrase.startswith("le "):
        return "du " + phrase[3:]
    return "de " + phrase


def indicator_label(name: str, registry=None) -> str:
    """French label of a survey indicator (registry), or of a Rao–Scott row ``<item>_distribution``."""
    reg = _reg(registry)
    if name in reg:
        return reg[name].label
    if name.endswith("_distribution"):
        return f"{question_label(name.removesuffix('_distribution'), reg)} : répartition des cinq réponses"
    return name


def group_label(group_variable: str, group: str, service_labels: Mapping[str, str] | None = None) -> str:
    """French label of a group: service label, ``Femmes``/``Hommes``, ``45 à 59 ans``, quartier name."""
    if group_variable == "ensemble":
        return "Ensemble de la commune"
    if group_variable == "service":
        return (service_labels or {}).get(group, group)
    if group_variable == "sexe":
        return _SEX_LABELS.get(group, group)
    if group_variable == "tranche_age":
        return f"{group.replace('-', ' à ')} ans" if group != "75+" else "75 ans et plus"
    return str(group)


def value_with_interval(name: str, row, registry=None) -> str:
    """``70,9 % [64,0 % ; 76,9 %]`` for one estimate row; ``–`` without an estimate."""
    if row is None or pd.isna(row["estimation"]):
        return "–"
    m = _reg(registry)[name]
    return f"{formats.value(m, row['estimation'])} {formats.interval(m, row['ic_bas'], row['ic_haut'])}".strip()


def evolution_reading(difference: Any, pvalue_adjusted: Any, *, alpha: float = 0.05) -> str:
    """Plain-French reading of a wave comparison.

    ``"hausse significative"`` / ``"baisse significative"`` when the adjusted p-value is below
    ``alpha``, ``"pas de changement démontré"`` otherwise, ``"non testé (trop peu de réponses)"``
    when the comparison was not computed.
    """
    if pd.isna(pvalue_adjusted):
        return "non testé (trop peu de réponses)"
    if pvalue_adjusted < alpha and pd.notna(difference) and difference != 0:
        return "hausse significative" if difference > 0 else "baisse significative"
    return "pas de changement démontré"


def distribution_reading(pvalue_adjusted: Any, *, alpha: float = 0.05) -> str:
    """Plain-French reading of a Rao–Scott test of two 5-point distributions."""
    if pd.isna(pvalue_adjusted):
        return "non testé"
    return "les réponses se répartissent différemment" if pvalue_adjusted < alpha else "pas de changement démontré"


def adjustment_name(config: Mapping | None = None) -> str:
    """``Holm`` or ``Benjamini–Hochberg``: the configured multiple-testing adjustment."""
    return formats.adjustment(_settings(config)["ajustement"])


def _flag_text(n: int, cfg: Mapping) -> str:
    if n == 0:
        return "aucune réponse"
    if n < int(cfg["seuil_masquage"]):
        return f"non diffusé (moins de {int(cfg['seuil_masquage'])} réponses)"
    if n < int(cfg["seuil_signalement"]):
        return f"faible effectif (< {int(cfg['seuil_signalement'])}) : prudence"
    return ""


def _row(est: pd.DataFrame, wave: str, name: str, gv: str = "ensemble", group: str = "ensemble"):
    sel = est[(est["vague"] == wave) & (est["indicateur"] == name)
              & (est["groupe_variable"] == gv) & (est["groupe"].astype(str) == str(group))]
    return None if sel.empty else sel.iloc[0]


def _indicators_of(registry, *, statistic: str | None = None, variable: str | None = None) -> list:
    return [m for m in _reg(registry).survey_indicators()
            if (statistic is None or m.statistic == statistic) and (variable is None or m.variable == variable)]


def share_indicators(registry=None) -> dict[str, str]:
    """``indicator → question label`` of the shares satisfied of the 5-point questions (charts)."""
    reg = _reg(registry)
    items = set(likert_items(reg))
    return {m.name: question_label(m.variable, reg) for m in _indicators_of(reg, statistic="part_satisfaits")
            if m.variable in items}


# --------------------------------------------------------------------------------------------------
# Display tables
# --------------------------------------------------------------------------------------------------


def overall_table(estimations: pd.DataFrame, waves: Sequence[str], registry=None) -> pd.DataFrame:
    """The registry's indicators of ``satisfaction_globale`` (rows) × waves (columns), each cell
    ``70,9 % [64,0 % ; 76,9 %]``; a last column gives the respondents of the last wave."""
    reg = _reg(registry)
    rows = []
    for m in _indicators_of(reg, variable="satisfaction_globale"):
        row = {"Indicateur": m.label}
        for w in waves:
            row[f"Vague {w}"] = value_with_interval(m.name, _row(estimations, w, m.name), reg)
        last = _row(estimations, list(waves)[-1], m.name)
        row[f"Réponses ({list(waves)[-1]})"] = int(last["n_repondants"]) if last is not None else 0
        rows.append(row)
    return pd.DataFrame(rows)


def dimensions_table(estimations: pd.DataFrame, wave: str, registry=None) -> pd.DataFrame:
    """One row per 5-point question, one column per registered statistic of those questions (share
    satisfied, taux net, mean), each cell the value and its 95 % interval; ``Réponses`` last."""
    reg = _reg(registry)
    items = likert_items(reg)
    by_item = {item: {m.statistic: m.name for m in _indicators_of(reg, variable=item)} for item in items}
    stats = [s for s in STATISTIC_HEADERS if any(s in d for d in by_item.values())]
    rows = []
    for item in items:
        if not by_item[item]:
            continue
        row = {"Dimension": question_label(item, reg)}
        n = 0
        for s in stats:
            name = by_item[item].get(s)
            r = _row(estimations, wave, name) if name else None
            row[f"{STATISTIC_HEADERS[s]} [IC à 95 %]"] = value_with_interval(name, r, reg) if name else "–"
            n = max(n, int(r["n_repondants"])) if r is not None else n
        row["Réponses"] = n
        rows.append(row)
    return pd.DataFrame(rows)


def group_table(
    estimations: pd.DataFrame,
    wave: str,
    group_variable: str,
    *,
    indicators: Sequence[str] | None = None,
    service_labels: Mapping[str, str] | None = None,
    config: Mapping | None = None,
    registry=None,
) -> pd.DataFrame:
    """One breakdown for one wave: one row per group, French text cells.

    Columns: the group label (named after the breakdown), then for each indicator (default: the
    survey indicators followed on the index, ``synthese: true``) its value and 95 % interval in one
    cell, ``Réponses`` (respondents who answered the first indicator's question) and ``Remarque``
    (DESIGN §5: under ``seuil_signalement`` shown with a warning, under ``seuil_masquage`` not shown).
    """
    reg = _reg(registry)
    cfg = _settings(config)
    names = list(indicators) if indicators is not None else [m.name for m in reg.survey_indicators() if m.summary]
    sub = estimations[(estimations["vague"] == wave) & (estimations["groupe_variable"] == group_variable)]
    head = GROUP_LABELS.get(group_variable, group_variable)
    rows = []
    for g in dict.fromkeys(sub["groupe"].astype(str)):
        first = _row(sub, wave, names[0], group_variable, g)
        n = int(first["n_repondants"]) if first is not None else 0
        shown = n >= int(cfg["seuil_masquage"])
        row = {head: group_label(group_variable, g, service_labels)}
        for name in names:
            r = _row(sub, wave, name, group_variable, g) if shown else None
            row[f"{reg[name].label} [IC à 95 %]"] = value_with_interval(name, r, reg)
        row["Réponses"] = n
        row["Remarque"] = _flag_text(n, cfg)
        rows.append(row)
    return pd.DataFrame(rows)


def evolution_table(
    comparisons: pd.DataFrame,
    estimations: pd.DataFrame,
    *,
    group_variable: str = "ensemble",
    indicators: Sequence[str] | None = None,
    service_labels: Mapping[str, str] | None = None,
    config: Mapping | None = None,
    registry=None,
) -> pd.DataFrame:
    """Wave comparisons (``difference_z`` rows) with their plain-French reading.

    Columns: ``Indicateur`` (and the group for a breakdown), ``Période`` (``T0 → T12``), the value
    of each wave, ``Écart``, ``IC à 95 % de l'écart``, the adjusted p-value and ``Lecture``.
    """
    reg = _reg(registry)
    cfg = _settings(config)
    c = comparisons[(comparisons["methode"] == "difference_z") & (comparisons["groupe_variable"] == group_variable)]
    if indicators is not None:
        c = c[c["indicateur"].isin(list(indicators))]
    single = indicators is not None and len(list(indicators)) == 1
    rows = []
    for r in c.itertuples(index=False):
        m = reg[r.indicateur]
        a = _row(estimations, r.vague_a, r.indicateur, r.groupe_variable, r.groupe)
        b = _row(estimations, r.vague_b, r.indicateur, r.groupe_variable, r.groupe)
        row = {} if single else {"Indicateur": m.label}
        if group_variable != "ensemble":
            row = {GROUP_LABELS.get(group_variable, group_variable):
                   group_label(group_variable, str(r.groupe), service_labels), **row}
        tested = pd.notna(r.difference)
        row.update({
            "Période": f"{r.vague_a}\u00a0→\u00a0{r.vague_b}",
            "Avant": formats.value(m, a["estimation"]) if a is not None and tested else "–",
            "Après": formats.value(m, b["estimation"]) if b is not None and tested else "–",
            "Écart": formats.difference(m, r.difference) if tested else "–",
            "IC à 95 % de l'écart": formats.interval(m, r.ic_bas, r.ic_haut, of_difference=True),
            f"p ajustée ({adjustment_name(cfg)})": formats.pvalue(r.p_ajustee),
            "Lecture": evolution_reading(r.difference, r.p_ajustee, alpha=float(cfg["alpha"])),
        })
        rows.append(row)
    return pd.DataFrame(rows)


def distribution_table(comparisons: pd.DataFrame, *, config: Mapping | None = None, registry=None) -> pd.DataFrame:
    """The Rao–Scott tests (``rao_scott_f`` rows) with their reading."""
    cfg = _settings(config)
    head = f"p ajustée ({adjustment_name(cfg)})"
    c = comparisons[comparisons["methode"] == "rao_scott_f"]
    return pd.DataFrame([
        {"Question": question_label(r.indicateur.removesuffix("_distribution"), registry),
         "Période": f"{r.vague_a}\u00a0→\u00a0{r.vague_b}",
         "p": formats.pvalue(r.p_valeur), head: formats.pvalue(r.p_ajustee),
         "Lecture": distribution_reading(r.p_ajustee, alpha=float(cfg["alpha"]))}
        for r in c.itertuples(index=False)
    ], columns=["Question", "Période", "p", head, "Lecture"])


def margins_table(margins: pd.DataFrame) -> pd.DataFrame:
    """One wave of :func:`~ducos_lib.survey.marges_ponderation` with French labels (formats applied
    by :func:`ducos_lib.reports.page.table` with :data:`MARGIN_COLUMNS`)."""
    return margins.assign(
        Variable=margins["variable"].map(GROUP_LABELS),
        Catégorie=[group_label(v, x) for v, x in zip(margins["variable"], margins["modalite"])],
    )[["Variable", "Catégorie", "effectif_population", "part_population", "n_repondants", "part_brute",
       "part_ponderee"]]


#: Headers of :func:`margins_table`.
MARGIN_COLUMNS = {"effectif_population": "Habitants", "part_population": "Part dans la population",
                  "n_repondants": "Répondants", "part_brute": "Part avant pondération",
                  "part_ponderee": "Part après pondération"}


def recommendation_table(estimations: pd.DataFrame, bands: pd.DataFrame, waves: Sequence[str],
                         registry=None) -> pd.DataFrame:
    """Mean recommendation score with its interval and the three bands' shares, per wave."""
    reg = _reg(registry)
    name = "recommandation_moyenne"
    rows = []
    for w in waves:
        r = _row(estimations, w, name)
        m = reg[name]
        shares = bands[bands["vague"] == w].set_index("tranche")["part"]
        rows.append({"Vague": w,
                     "Note moyenne (sur 10)": formats.value(m, r["estimation"]) if r is not None else "–",
                     "IC à 95 %": formats.interval(m, r["ic_bas"], r["ic_haut"]) if r is not None else "",
                     **{f"Notes {t}": formats.percent(p) for t, p in shares.items()},
                     "Réponses": int(r["n_repondants"]) if r is not None else 0})
    return pd.DataFrame(rows)


def recommendation_sentence(bands: pd.DataFrame, wave: str) -> str:
    """Share who would recommend (9–10) and who would rather not (0–6), and their difference."""
    r = bands[bands["vague"] == wave].set_index("tranche")["part"]
    return (f"En {wave}, {formats.percent(r['9 à 10'])} des habitants recommanderaient volontiers les services de la "
            f"mairie et {formats.percent(r['0 à 6'])} plutôt pas : l'écart entre les deux "
            f"({formats.points(r['9 à 10'] - r['0 à 6'])}) est l'équivalent du « Net Promoter Score » utilisé par de "
            "nombreux services publics et privés.")


def missing_answers_table(enquete: pd.DataFrame, waves: Sequence[str], registry=None) -> pd.DataFrame:
    """Share of respondents without an answer (or « ne sait pas ») to each question, per wave."""
    reg = _reg(registry)
    rows = []
    for item, q in reg.questions.items():
        if item not in enquete.columns:
            continue
        rows.append({"Question": q.label, **{f"Vague {w}": formats.percent(
            enquete.loc[enquete["vague"] == w, item].isna().mean()) for w in waves}})
    return pd.DataFrame(rows)


def themes_table(counts: pd.DataFrame, labels: Mapping[str, str], waves: Sequence[str]) -> pd.DataFrame:
    """Comment themes (rows) × waves (columns) as ``31,3 % (61)``, themes never mentioned left out.

    ``counts`` is ``text.themes_commentaires(...).counts`` (``groupe, theme, n_commentaires,
    n_total, part``) with the wave as group; rows are sorted by the last wave's share.
    """
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


# --------------------------------------------------------------------------------------------------
# Alt texts
# --------------------------------------------------------------------------------------------------


def margins_alt(margins: pd.DataFrame, wave: str) -> str:
    """Alt text of the chart of who answered (one wave of the margins)."""
    gap = margins["part_brute"] - margins["part_population"]
    worst = margins.loc[gap.abs().idxmax()]
    return (f"Barres horizontales par sexe, tranche d'âge et quartier : part de chaque catégorie dans la population, "
            f"parmi les répondants avant pondération et après pondération (vague {wave}). Plus grand écart avant "
            f"pondération : {group_label(worst['variable'], str(worst['modalite']))}, "
            f"{formats.percent(worst['part_brute'])} des répondants contre {formats.percent(worst['part_population'])} "
            "de la population ; après pondération, chaque catégorie retrouve sa part dans la population.")


def likert_alt(estimations: pd.DataFrame, wave: str, waves_shown: Sequence[str], registry=None) -> str:
    """Alt text of the diverging bars: the best and the worst judged question of ``wave``."""
    shares = share_indicators(registry)
    sat = estimations[(estimations["vague"] == wave) & (estimations["groupe_variable"] == "ensemble")
                      & estimations["indicateur"].isin(list(shares))].dropna(subset=["estimation"])
    text = ("Barres empilées divergentes, une par dimension du service"
            + (f" et par vague ({', '.join(waves_shown)})" if len(waves_shown) > 1 else "")
            + " : insatisfaits à gauche, satisfaits à droite.")
    if len(sat):
        sat = sat.sort_values("estimation")
        low, high = sat.iloc[0], sat.iloc[-1]
        text += (f" En {wave}, la dimension la mieux jugée est {shares[high['indicateur']].lower()} "
                 f"({formats.percent(high['estimation'])} de satisfaits), la moins bien jugée "
                 f"{shares[low['indicateur']].lower()} ({formats.percent(low['estimation'])}).")
    return text


def groups_alt(display: pd.DataFrame, group_variable: str, wave: str, reference: float) -> str:
    """Alt text of the dot plot of one breakdown (``display``: rows with ``libelle`` and ``signalement``)."""
    ok = display[display["signalement"] != "non_diffuse"].dropna(subset=["estimation"]).sort_values("estimation")
    label = GROUP_LABELS[group_variable].lower()
    return (f"Points avec intervalles de confiance : part de satisfaits par {label} en {wave}, ligne pointillée pour "
            f"l'ensemble de la commune ({formats.percent(reference)}). "
            + (f"Plus bas : {ok.iloc[0]['libelle']} ({formats.percent(ok.iloc[0]['estimation'])}) ; plus haut : "
               f"{ok.iloc[-1]['libelle']} ({formats.percent(ok.iloc[-1]['estimation'])}). " if len(ok) else "")
            + f"{int((display['signalement'] == 'faible_effectif').sum())} groupe(s) à faible effectif en gris, "
            f"{int((display['signalement'] == 'non_diffuse').sum())} non représenté(s).")


def evolution_alt(comparisons: pd.DataFrame, waves: Sequence[str], *, config: Mapping | None = None,
                  registry=None) -> str:
    """Alt text of the small multiples of the shares satisfied, wave after wave."""
    reg = _reg(registry)
    head = comparisons[(comparisons["indicateur"] == "satisfaction_globale_satisfaits")
                       & (comparisons["groupe_variable"] == "ensemble")].iloc[0]
    n = len(share_indicators(reg))
    return (f"{n} petits graphiques, un par dimension : part de satisfaits en {', '.join(waves)} avec intervalles de "
            f"confiance. Satisfaction globale de {head['vague_a']} à {head['vague_b']} : "
            f"{formats.difference(reg['satisfaction_globale_satisfaits'], head['difference'])} "
            f"({evolution_reading(head['difference'], head['p_ajustee'], alpha=float(_settings(config)['alpha']))}).")


# --------------------------------------------------------------------------------------------------
# Key findings and suggestions
# --------------------------------------------------------------------------------------------------


def group_gaps(
    estimations: pd.DataFrame,
    wave: str,
    *,
    indicator: str = "satisfaction_globale_satisfaits",
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
    overall = _row(estimations, wave, indicator)
    cols = ["groupe_variable", "groupe", "estimation", "ic_bas", "ic_haut", "n_repondants", "ensemble",
            "sens", "faible_effectif"]
    if overall is None or pd.isna(overall["estimation"]):
        return pd.DataFrame(columns=cols)
    ref = float(overall["estimation"])
    sub = estimations[(estimations["vague"] == wave) & (estimations["indicateur"] == indicator)
                      & estimations["groupe_variable"].isin(list(group_variables))
                      & (estimations["n_repondants"] >= int(cfg["seuil_masquage"]))
                      & estimations["estimation"].notna()].copy()
    sub["ensemble"] = ref
    sub["sens"] = np.where(sub["ic_bas"] > ref, "au-dessus", np.where(sub["ic_haut"] < ref, "en dessous", ""))
    sub["faible_effectif"] = sub["n_repondants"] < int(cfg["seuil_signalement"])
    out = sub[sub["sens"] != ""].sort_values(["groupe_variable", "estimation"], kind="stable")
    return out[cols].reset_index(drop=True)


def _ranked(estimations: pd.DataFrame, wave: str, statistic: str, registry) -> list[tuple[float, str]]:
    """(value, question) of the dimensions (5-point questions but overall satisfaction), ascending."""
    out = []
    for m in _indicators_of(registry, statistic=statistic):
        if m.variable == "satisfaction_globale" or m.variable not in likert_items(registry):
            continue
        r = _row(estimations, wave, m.name)
        if r is not None and pd.notna(r["estimation"]):
            out.append((float(r["estimation"]), m.variable))
    return sorted(out)


def key_findings(
    estimations: pd.DataFrame,
    comparisons: pd.DataFrame,
    wave: str,
    *,
    margins: pd.DataFrame | None = None,
    diagnostics: pd.DataFrame | None = None,
    drivers: pd.DataFrame | None = None,
    service_labels: Mapping[str, str] | None = None,
    config: Mapping | None = None,
    registry=None,
) -> list[str]:
    """Key findings of the usagers report, as French sentences built from the computed figures.

    Overall satisfaction (share satisfied, mean, taux net with CIs); strongest and weakest
    dimensions; what to improve first (driver analysis, when ``drivers`` is given); evolution since
    each earlier wave (plain words, adjusted p-values); groups clearly above or below the overall
    level; recommendation; representativeness and weighting. Sentences contain no HTML but
    ``<strong>``.
    """
    reg = _reg(registry)
    cfg = _settings(config)
    alpha = float(cfg["alpha"])
    out: list[str] = []
    sat = _row(estimations, wave, "satisfaction_globale_satisfaits")
    mean = _row(estimations, wave, "satisfaction_globale_moyenne")
    net = _row(estimations, wave, "satisfaction_globale_taux_net")
    if sat is None or pd.isna(sat["estimation"]):
        return [f"Aucune réponse exploitable à l'enquête usagers pour la vague {wave}."]
    m_sat = reg["satisfaction_globale_satisfaits"]
    out.append(
        f"<strong>{formats.value(m_sat, sat['estimation'])}</strong> des habitants se disent satisfaits (plutôt ou "
        f"très) du service municipal lors de la vague {wave} (intervalle de confiance à 95 % : "
        f"{formats.interval(m_sat, sat['ic_bas'], sat['ic_haut'])}, {formats.number(sat['n_repondants'])} réponses)."
        + (f" Note moyenne : {formats.value(reg['satisfaction_globale_moyenne'], mean['estimation'])} sur 5"
           if mean is not None else "")
        + (f" ; taux net de satisfaction (satisfaits moins insatisfaits) : "
           f"{formats.value(reg['satisfaction_globale_taux_net'], net['estimation'])}." if net is not None else ".")
    )
    items = _ranked(estimations, wave, "part_satisfaits", reg)
    if len(items) >= 2:
        (lo_v, lo_i), (hi_v, hi_i) = items[0], items[-1]
        out.append(f"Point fort : <strong>{question_phrase(hi_i, reg)}</strong> ({formats.percent(hi_v)} de "
                   f"satisfaits). Point faible : <strong>{question_phrase(lo_i, reg)}</strong> "
                   f"({formats.percent(lo_v)} de satisfaits).")
    if drivers is not None:
        first = driver_priorities(drivers, wave)
        if len(first):
            names = [question_phrase(d, reg) for d in first["dimension"]]
            out.append(f"À améliorer en priorité : <strong>{formats.enumeration(names)}</strong> — les dimensions qui vont le plus "
                       "souvent avec la satisfaction globale et dont les usagers sont le moins satisfaits (section "
                       "« Ce qui fait la satisfaction »).")
    diffs = (comparisons[(comparisons["methode"] == "difference_z") & (comparisons["groupe_variable"] == "ensemble")]
             if len(comparisons) else comparisons)
    if diffs is None or len(diffs) == 0:
        out.append(f"La vague {wave} est la première mesure : elle sert de point de départ. "
                   "Les évolutions seront mesurées à partir de la vague suivante.")
    else:
        for wa in dict.fromkeys(diffs["vague_a"]):
            d = diffs[diffs["vague_a"] == wa]
            head = d[d["indicateur"] == "satisfaction_globale_satisfaits"]
            ups = d[(d["p_ajustee"] < alpha) & (d["difference"] > 0)]
            downs = d[(d["p_ajustee"] < alpha) & (d["difference"] < 0)]
            sentence = f"Depuis {wa} : "
            if len(head):
                h = head.iloc[0]
                sentence += (f"{m_sat.phrase} {formats.difference(m_sat, h['difference'])} "
                             f"({evolution_reading(h['difference'], h['p_ajustee'], alpha=alpha)}). ")
            sentence += (f"Sur {len(d)} indicateurs, {len(ups)} en hausse significative, {len(downs)} en baisse "
                         "significative" + (", les autres sans changement démontré" if len(d) > len(ups) + len(downs)
                                            else "")
                         + f" (p-valeurs ajustées par la méthode de {adjustment_name(cfg)}).")
            if len(downs):
                sentence += " Baisses : " + formats.enumeration([reg[i].phrase for i in downs["indicateur"]]) + "."
            out.append(sentence)
    gaps = group_gaps(estimations, wave, config=cfg)
    for direction in ("en dessous", "au-dessus"):
        g = gaps[gaps["sens"] == direction]
        if len(g):
            names = [f"{group_label(r.groupe_variable, str(r.groupe), service_labels)} "
                     f"({formats.percent(r.estimation)}{', faible effectif' if r.faible_effectif else ''})"
                     for r in g.itertuples(index=False)]
            out.append(f"Nettement {direction} de la moyenne communale ({formats.percent(gaps['ensemble'].iloc[0])} de "
                       f"satisfaits, intervalle de confiance entièrement {direction}) : " + formats.enumeration(names) + ".")
    rec = _row(estimations, wave, "recommandation_moyenne")
    if rec is not None and pd.notna(rec["estimation"]):
        m = reg["recommandation_moyenne"]
        out.append(f"Les habitants donnent en moyenne <strong>{formats.value(m, rec['estimation'])} sur 10</strong> à la "
                   f"question « recommanderiez-vous les services de la mairie ? » (intervalle de confiance à 95 % : "
                   f"{formats.interval(m, rec['ic_bas'], rec['ic_haut'])}).")
    if margins is not None and len(margins[margins["vague"] == wave]):
        mg = margins[margins["vague"] == wave]
        worst = mg.loc[(mg["part_brute"] - mg["part_population"]).abs().idxmax()]
        sentence = (f"Les répondants ne ressemblent pas tout à fait à la population : par exemple, la catégorie "
                    f"« {group_label(worst['variable'], str(worst['modalite']))} » "
                    f"({GROUP_LABELS.get(worst['variable'], worst['variable']).lower()}) représente "
                    f"{formats.percent(worst['part_brute'])} des répondants contre "
                    f"{formats.percent(worst['part_population'])} des habitants. La pondération corrige ces écarts")
        if diagnostics is not None and len(diagnostics[diagnostics["vague"] == wave]):
            dg = diagnostics[diagnostics["vague"] == wave].iloc[0]
            sentence += (f" ; elle coûte de la précision : les {formats.number(dg['n_repondants'])} réponses valent "
                         f"autant qu'un échantillon d'environ {formats.number(dg['n_effectif'])} personnes tirées au "
                         "hasard")
        out.append(sentence + ".")
    return out


def suggestions(
    estimations: pd.DataFrame,
    comparisons: pd.DataFrame,
    wave: str,
    *,
    service_labels: Mapping[str, str] | None = None,
    config: Mapping | None = None,
    registry=None,
) -> list[str]:
    """What the survey data suggest acting on, as cautious French sentences.

    The dimension with the lowest taux net is the first lever; indicators in significant decline
    are named; services whose share satisfied is clearly below the overall level are proposed for a
    closer look, with the small-sample caveat; the strongest dimension is named as a practice to
    keep. A final sentence recalls that the survey describes and does not explain.
    """
    reg = _reg(registry)
    cfg = _settings(config)
    alpha = float(cfg["alpha"])
    out: list[str] = []
    nets = _ranked(estimations, wave, "taux_net", reg)
    if nets:
        v, item = nets[0]
        out.append(f"Priorité suggérée : <strong>{question_phrase(item, reg)}</strong>, la dimension au taux "
                   f"net de satisfaction le plus bas ({formats.points(v)})"
                   + (", avec autant ou plus d'insatisfaits que de satisfaits." if v <= 0 else "."))
    if len(comparisons):
        d = comparisons[(comparisons["methode"] == "difference_z") & (comparisons["groupe_variable"] == "ensemble")
                        & (comparisons["p_ajustee"] < alpha) & (comparisons["difference"] < 0)]
        if len(d):
            phrases = sorted({reg[i].phrase for i in d["indicateur"]})
            out.append("À surveiller : " + formats.enumeration(phrases) + (" ont" if len(phrases) > 1 else " a")
                       + " baissé de façon significative.")
    gaps = group_gaps(estimations, wave, group_variables=("service",), config=cfg)
    low = gaps[gaps["sens"] == "en dessous"]
    if len(low):
        names = [group_label("service", str(g), service_labels) for g in low["groupe"]]
        out.append("Services à examiner avec leurs responsables (satisfaction nettement inférieure à la moyenne) : "
                   + formats.enumeration(names) + (". Certains reposent sur peu de réponses : à confirmer à la vague suivante."
                                     if low["faible_effectif"].any() else "."))
    if len(nets) >= 2:
        v, item = nets[-1]
        out.append(f"À préserver : {question_phrase(item, reg)} (taux net {formats.points(v)}), point d'appui "
                   "pour les immersions et le guide des pratiques.")
    out.append("Ces pistes décrivent des écarts mesurés ; elles n'en donnent pas la cause. Les commentaires des "
               "habitants et les fiches d'immersion aident à les comprendre.")
    return out


# --------------------------------------------------------------------------------------------------
# Driver analysis: importance × performance (issue 15)
# --------------------------------------------------------------------------------------------------


def driver_quadrants(drivers: pd.DataFrame) -> pd.DataFrame:
    """Add each dimension's quadrant of the importance × performance matrix, wave by wave.

    The cross-hairs are the wave's averages, as in the usual data-centred matrix (Martilla & James
    1977; Bacon 2003): the geometric mean of the odds ratios (they multiply) and the mean share
    satisfied. ``quadrant``: ``priorite`` (importance above, performance below), ``atout`` (both
    above), ``ensuite`` (both below), ``acquis`` (importance below, performance above); empty when
    the model could not be fitted. Also adds ``seuil_importance`` and ``seuil_performance``.

    References
    ----------
    Martilla, J. A. & James, J. C. (1977). Importance-performance analysis. J. Marketing 41(1), 77-79.
    Bacon, D. R. (2003). A comparison of approaches to importance-performance analysis. Int. J.
    Market Research 45(1), 55-71.
    """
    out = drivers.copy()
    logs = np.log(out["importance"].astype(float))
    out["seuil_importance"] = np.exp(logs.groupby(out["vague"], sort=False).transform("mean"))
    out["seuil_performance"] = out.groupby("vague", sort=False)["performance"].transform("mean")
    high_i = out["importance"] >= out["seuil_importance"]
    high_p = out["performance"] >= out["seuil_performance"]
    quadrant = np.where(high_i, np.where(high_p, "atout", "priorite"), np.where(high_p, "acquis", "ensuite"))
    out["quadrant"] = np.where(out["importance"].notna(), quadrant, "")
    return out


def driver_priorities(drivers: pd.DataFrame, wave: str) -> pd.DataFrame:
    """The ``priorite`` dimensions of one wave, most important first."""
    q = driver_quadrants(drivers)
    q = q[(q["vague"] == wave) & (q["quadrant"] == "priorite")]
    return q.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def driver_table(drivers: pd.DataFrame, waves: Sequence[str], registry=None) -> pd.DataFrame:
    """Display table of the driver analysis: one row per wave × dimension, most important first."""
    q = driver_quadrants(drivers)
    rows = []
    for w in waves:
        for r in q[q["vague"] == w].sort_values("importance", ascending=False, kind="stable").itertuples():
            fitted = pd.notna(r.importance)
            rows.append({
                "Vague": w, "Dimension": question_label(r.dimension, registry),
                "Importance : rapport de cotes [IC à 95 %]": (
                    f"{formats.number(r.importance, 1)} [{formats.number(r.ic_bas, 1)} ; {formats.number(r.ic_haut, 1)}]"
                    if fitted else "non estimé"),
                "Performance : part de satisfaits": formats.percent(r.performance),
                "Position": QUADRANTS.get(r.quadrant, "–"),
            })
    return pd.DataFrame(rows, columns=["Vague", "Dimension", "Importance : rapport de cotes [IC à 95 %]",
                                       "Performance : part de satisfaits", "Position"])


def driver_sentences(drivers: pd.DataFrame, wave: str, registry=None) -> list[str]:
    """Two or three plain sentences from the figures of one wave: what to improve first, what to
    keep, and how sure the ranking is."""
    q = driver_quadrants(drivers)
    q = q[(q["vague"] == wave) & q["importance"].notna()].sort_values("importance", ascending=False, kind="stable")
    if q.empty:
        return [f"Le modèle n'a pas pu être estimé pour la vague {wave} (trop peu de réponses complètes)."]

    def name(r) -> str:
        return question_phrase(r.dimension, registry)

    out = []
    first = q[q["quadrant"] == "priorite"]
    if len(first):
        r = first.iloc[0]
        others = [name(x) for x in first.iloc[1:].itertuples()]
        out.append(f"À améliorer en priorité en {wave} : <strong>{name(r)}</strong>. Être satisfait {_of(name(r))} "
                   f"multiplie par {formats.number(r.importance, 1)} les chances d'être satisfait du service dans son "
                   f"ensemble, et seuls {formats.percent(r.performance, 0)} des usagers le sont"
                   + (f" ; viennent ensuite {formats.enumeration(others)}" if others else "") + ".")
    else:
        below = q[q["performance"] < q["seuil_performance"]]
        r = below.iloc[0] if len(below) else q.sort_values("performance", kind="stable").iloc[0]
        out.append(f"En {wave}, aucune dimension ne cumule forte importance et faible satisfaction. Parmi les moins "
                   f"bien jugées, la plus liée à la satisfaction globale est <strong>{name(r)}</strong> (rapport de "
                   f"cotes {formats.number(r.importance, 1)}, {formats.percent(r.performance, 0)} de satisfaits) : "
                   "c'est par elle qu'il faudrait commencer.")
    keep = q[q["quadrant"] == "atout"]
    if len(keep):
        plural = len(keep) > 1
        out.append(f"Point fort à préserver : {formats.enumeration([name(x) for x in keep.itertuples()])}, qui "
                   f"{'comptent' if plural else 'compte'} beaucoup et {'satisfont' if plural else 'satisfait'} déjà "
                   "plus que la moyenne des dimensions.")
    top, bottom = q.iloc[0], q.iloc[-1]
    if top.ic_bas <= bottom.ic_haut:
        out.append("Prudence : les intervalles de confiance des rapports de cotes se chevauchent (de "
                   f"{formats.number(bottom.ic_bas, 1)} à {formats.number(top.ic_haut, 1)}) ; l'ordre d'importance "
                   "entre dimensions est une tendance, pas une certitude.")
    else:
        out.append(f"L'écart d'importance entre {name(top)} et {name(bottom)} dépasse l'incertitude de l'enquête "
                   "(intervalles de confiance disjoints).")
    return out


def driver_summary(drivers: pd.DataFrame, wave: str, registry=None) -> str:
    """:func:`driver_sentences` as a Markdown list (the notebook displays it under the section's heading)."""
    return "\n".join(f"- {s}".replace("<strong>", "**").replace("</strong>", "**")
                     for s in driver_sentences(drivers, wave, registry))


def driver_alt(drivers: pd.DataFrame, waves: Sequence[str], registry=None) -> str:
    """Alt text of the importance × performance chart."""
    q = driver_quadrants(drivers)
    last = list(waves)[-1]
    first = driver_priorities(drivers, last)
    parts = [f"Nuage de points, un graphique par vague ({', '.join(waves)}) : chaque dimension du service placée "
             "selon sa performance (part de satisfaits, axe horizontal) et son importance (rapport de cotes, axe "
             "vertical, échelle logarithmique), avec son intervalle de confiance ; les lignes pointillées séparent "
             "quatre zones : " + formats.enumeration([v.lower() for v in QUADRANTS.values()]) + "."]
    if len(first):
        parts.append(f"En {last}, à améliorer en priorité : "
                     + formats.enumeration([question_phrase(d, registry) for d in first["dimension"]]) + ".")
    fitted = q[(q["vague"] == last) & q["importance"].notna()]
    if len(fitted):
        top = fitted.loc[fitted["importance"].idxmax()]
        parts.append(f"Importance la plus forte : {question_phrase(top['dimension'], registry)} "
                     f"(rapport de cotes {formats.number(top['importance'], 1)}).")
    return " ".join(parts)


def waiting_time_table(quantiles: pd.DataFrame) -> pd.DataFrame:
    """Median and quartiles of the waiting time per wave, ``12 min [10 ; 14]``."""
    names = {0.25: "1er quartile", 0.5: "Médiane", 0.75: "3e quartile"}
    rows = []
    for w, g in quantiles.groupby("vague", sort=False):
        row = {"Vague": w}
        for r in g.itertuples():
            ci = (f" [{formats.number(r.ic_bas)} ; {formats.number(r.ic_haut)}]"
                  if pd.notna(r.ic_bas) and pd.notna(r.ic_haut) else "")
            row[f"{names.get(r.quantile, r.quantile)} (min)"] = f"{formats.number(r.estimation)}{ci}"
        row["Réponses"] = int(g["n_repondants"].max())
        rows.append(row)
    return pd.DataFrame(rows)


def waiting_time_sentence(quantiles: pd.DataFrame, wave: str) -> str:
    """What the median and quartiles of the waiting time say for one wave (or that it was not asked),
    in Markdown."""
    g = quantiles[(quantiles["vague"] == wave) & quantiles["estimation"].notna()].set_index("quantile")
    if not {0.25, 0.5, 0.75} <= set(g.index):
        return (f"La question du temps d'attente (en minutes) n'a pas été posée ou n'a reçu aucune réponse en {wave} : "
                "médiane et quartiles ne peuvent pas être calculés.")
    med = g.loc[0.5]
    return (f"En {wave}, la moitié des usagers qui ont indiqué leur temps d'attente ont attendu au plus "
            f"**{formats.number(med['estimation'])} minutes** (intervalle de confiance à 95 % : "
            f"{formats.number(med['ic_bas'])} à {formats.number(med['ic_haut'])}) ; un quart a attendu "
            f"{formats.number(g.loc[0.25, 'estimation'])} minutes ou moins, un quart plus de "
            f"{formats.number(g.loc[0.75, 'estimation'])} minutes.")


# --------------------------------------------------------------------------------------------------
# Methodology
# --------------------------------------------------------------------------------------------------


def methodology(config: Mapping | None = None, registry=None) -> str:
    """The methodology section (Markdown): weighting, precision, comparisons, driver analysis,
    waiting times and publication thresholds. The comments' paragraph is :func:`comments_method`."""
    reg = _reg(registry)
    cfg = _settings(config)
    raking = cfg["ratissage"]
    n_overall = len(reg.survey_indicators())
    n_items = len(likert_items(reg))
    tolerance = formats.number(float(raking["tolerance"]) * 100, 6).rstrip("0").rstrip(",")
    return (
        "**Pondération.** Chaque vague est un échantillon indépendant. Les réponses sont calées par ratissage "
        "(méthode itérative du quotient) sur les effectifs de la population de référence par "
        + ", ".join(GROUP_LABELS[v].lower() for v in raking["variables"])
        + f", à partir de poids initiaux égaux ; le calage s'arrête quand chaque marge est atteinte à {tolerance} % "
        "près.\n\n"
        "**Précision.** Moyennes et parts sont estimées avec les poids ; leur variance est obtenue par linéarisation "
        "de Taylor sur les résidus du calage, comme le fait le paquet R `survey` (`calibrate()` puis `svymean()`). "
        "Les intervalles de confiance à 95 % des parts sont calculés sur l'échelle logit (comme "
        "`svyciprop(method = \"logit\")`), ceux des moyennes et du taux net par l'approximation normale. Les groupes "
        "(services, quartiers, âges, sexes) sont des domaines du plan complet, non des sous-échantillons isolés.\n\n"
        "**Comparaisons.** L'écart entre deux vagues est testé comme une différence entre échantillons "
        f"indépendants (test z). Les p-valeurs sont ajustées par la méthode de {adjustment_name(cfg)} dans chaque "
        f"famille de tests (les {n_overall} indicateurs de l'ensemble de la commune ; tous les indicateurs × groupes "
        f"d'un même découpage ; les {n_items} tests de répartition). Le test de Rao–Scott (correction du second "
        "ordre, statistique F, comme `svychisq()`) compare la répartition complète des cinq réponses entre deux "
        f"vagues. Seuil de significativité : {formats.percent(float(cfg['alpha']), 0)}.\n\n"
        + driver_method() + "\n\n"
        "**Temps d'attente.** Médiane et quartiles pondérés des minutes d'attente déclarées, avec l'intervalle de "
        "Woodruff (comme `svyquantile()` de R), sur les seuls usagers qui ont répondu.\n\n"
        f"**Seuils de diffusion.** Résultat signalé sous {cfg['seuil_signalement']} réponses, non diffusé sous "
        f"{cfg['seuil_masquage']} réponses. Les tables CSV gardent ces lignes avec leur nombre de réponses (valeurs "
        "vides sous le seuil de diffusion).\n\n"
        "**Indicateurs.** La liste des indicateurs, leurs libellés et leur format viennent du registre "
        "`config/indicateurs.yml` : un indicateur ajouté au registre est estimé, publié et commenté ici sans autre "
        "modification."
    )


def driver_method() -> str:
    """The driver analysis in plain French: what the model is, what an odds ratio means here, and
    why it is not a causal effect."""
    return (
        "**Ce qui fait la satisfaction.** Pour chaque vague, une régression logistique pondérée (comme `svyglm()` de "
        "R, avec des erreurs types qui tiennent compte du calage) relie le fait d'être globalement satisfait (note 4 "
        "ou 5) au fait d'être satisfait de chacune des cinq dimensions, toutes prises ensemble, sur les usagers qui "
        "ont répondu aux six questions. L'**importance** d'une dimension est son rapport de cotes : le nombre par "
        "lequel sont multipliées les chances d'être globalement satisfait (la probabilité de l'être divisée par celle "
        "de ne pas l'être) quand l'usager est satisfait de cette dimension plutôt que non, les autres dimensions étant "
        "égales par ailleurs ; 1 veut dire aucun lien. La **performance** est la part pondérée d'usagers satisfaits de "
        "la dimension. Les lignes du graphique sont les moyennes des dimensions de la vague (moyenne géométrique pour "
        "les rapports de cotes). Ce rapport de cotes mesure une **association, pas un effet causal** : il ne dit pas "
        "de combien la satisfaction globale monterait si l'on améliorait la dimension, car les personnes satisfaites "
        "de tout ont tendance à le dire de chaque question, et des causes communes (le service contacté, la nature "
        "de la démarche) ne sont pas dans le modèle. Il sert à repérer où regarder en premier."
    )


def comments_method(codebook, coded_version: str, coder_sentence: str, none_share_sentence: str = "") -> str:
    """Methodology of the comments: pipeline, codebook version, and the coder's sentences
    (:func:`ducos_lib.reports.immersions.coder_sentence`, ``none_share_sentence``)."""
    return ("**Commentaires.** Normalisation du texte, anonymisation (noms sous toutes leurs formes écrites, noms de la "
            "liste du personnel, personnes repérées par le modèle de langue français, téléphones de France et "
            "d'outre-mer, courriels, adresses, codes postaux), puis codage selon la grille des commentaires des "
            f"habitants (`config/codebook_usagers.yml`, version {coded_version} du "
            f"{formats.date(codebook.date_validation, long=True)}, {len(codebook.codes)} thèmes définis avec leurs "
            "consignes de codage) par un modèle appris sur des commentaires réels codés à la main. "
            + coder_sentence + (" " + none_share_sentence if none_share_sentence else ""))


def comments_note(share_coded: float, version: str, coder_sentence: str) -> str:
    """How many comments the codebook covers, and how reliable the automatic coding is."""
    return (f"{formats.percent(share_coded, 0)} des commentaires relèvent d'au moins un thème de la grille des "
            f"commentaires des habitants (version {version}) ; les autres, le plus souvent des avis généraux "
            f"(« Moyen. », « Merci à toute l'équipe »), ne sont pas classés. {coder_sentence}")


def published_tables(names: Sequence[str]) -> str:
    """The closing line listing the published CSV tables."""
    return "**Tables publiées** (dossier `tables/`) : " + ", ".join(f"`{n}.csv`" for n in names) + "."
