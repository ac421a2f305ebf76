"""What report 04 (``04_qualite_performance``) says, in French.

The numbers come from :mod:`ducos_lib.linkage` (service panel, Spearman correlations, mixed model);
this module turns them into labels, sentences, alt texts and display tables. Labels, sentence
phrases, genders, units and decimals of the measures come from the registry
(``config/indicateurs.yml``, :func:`measure`); a measure the registry does not know (a service
indicator named only in the data, a per-theme immersion rating) gets a generic label here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..linkage import SERVICE_INDICATOR_PREFIX, THEME_RATING_PREFIX, ServicePanel, settings
from ..registry import Measure, load_registry
from . import formats

MINUS = "\u2212"  # typographic minus sign
#: Cohen's (1988) thresholds for |rho| and their French words.
STRENGTH_BOUNDS = ((0.1, "négligeable"), (0.3, "faible"), (0.5, "modérée"), (math.inf, "forte"))
#: Headers of the panel's count columns (they are counts, not registered measures).
COUNT_HEADERS = {
    "n_repondants": "Répondants à l'enquête",
    "n_fiches_immersion": "Fiches d'immersion reçues",
    "effectif": "Agents",
    "n_cadres_autoevaluation": "Cadres auto-évalués",
}
FAMILY_QUALITY, FAMILY_STAFF = "Qualité de service", "Ressources humaines"


# ---------------------------------------------------------------------------------------------
# Measures: registry entries, or a generic label for names the registry does not know
# ---------------------------------------------------------------------------------------------

def measure(name: str) -> Measure:
    """The registry's entry of a panel measure, or a generic one built from its name.

    Examples
    --------
    >>> measure("taux_absenteisme").label
    "Taux d'absentéisme (%)"
    >>> measure("indicateur_visites_site").label
    'Indicateur de service : visites site'
    """
    reg = load_registry()
    if name in reg:
        return reg[name]
    if name.startswith(SERVICE_INDICATOR_PREFIX):
        raw = name[len(SERVICE_INDICATOR_PREFIX):].replace("_", " ")
        return Measure(name, "service", f"Indicateur de service : {raw}", f"l'indicateur « {raw} »", "m",
                       "nombre", 1)
    if name.startswith(THEME_RATING_PREFIX + "note_"):
        theme = name[len(THEME_RATING_PREFIX + "note_"):]
        label = reg[theme].label if theme in reg else theme.replace("_", " ")
        return Measure(name, "qualite_performance", f"Note reçue en immersion : {label} (sur 5)",
                       f"la note reçue en immersion sur le thème « {label} »", "f", "note5", 2, 1)
    raw = name.replace("_", " ")
    return Measure(name, "qualite_performance", raw[:1].upper() + raw[1:], f"« {raw} »", "m", "nombre", 1)


def measure_label(name: str) -> str:
    """French label of a panel measure, for tables and chart axes (the registry's ``libelle``)."""
    return measure(name).label


def _of_the_service(phrase: str) -> str:
    """The phrase in a sentence about one service: its users and managers are *its* own."""
    return (phrase.replace(" des usagers", " de ses usagers").replace(" les usagers", " ses usagers")
            .replace(" des cadres", " de ses cadres"))


def _phrase(name: str) -> tuple[str, str]:
    """(phrase about one service, gender): « la satisfaction globale de ses usagers », "f"."""
    m = measure(name)
    return _of_the_service(m.phrase), m.gender


def _standalone(name: str) -> str:
    """The phrase naming the service itself: « la satisfaction globale des usagers d'un service »."""
    return f"{measure(name).phrase} d'un service"


def format_measure(name: str, value: Any, *, masked: bool = False) -> str:
    """French text of one value of a panel measure, by its registered unit and decimals.

    ``"secret"`` when the cell is masked for confidentiality, ``"–"`` when missing. Counts of the
    panel (``n_…``, ``effectif…``) are whole numbers; a progression is signed.

    Examples
    --------
    >>> format_measure("satisfaction_globale_satisfaits", 0.625)
    '62,5\u202f%'
    >>> format_measure("taux_absenteisme", 4.44)
    '4,4\u202f%'
    """
    if masked:
        return "secret"
    if value is None or pd.isna(value):
        return "–"
    if name.startswith(("n_", "effectif")):
        return formats.number(value, 0)
    m = measure(name)
    if name.startswith("progression_"):  # a change after − before, read with its sign
        return formats.difference(m, value)
    return formats.value(m, value)


# ---------------------------------------------------------------------------------------------
# Numbers in sentences
# ---------------------------------------------------------------------------------------------

def strength(rho: Any) -> str:
    """Plain-French size of a correlation, after Cohen (1988).

    ``|rho| < 0.1``: « négligeable »; ``< 0.3``: « faible »; ``< 0.5``: « modérée »; otherwise
    « forte ». NaN gives « non calculable ».

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., §3.2.
    """
    if rho is None or pd.isna(rho):
        return "non calculable"
    r = abs(float(rho))
    return next(word for bound, word in STRENGTH_BOUNDS if r < bound)


def adjustment_name(method: str | None = None) -> str:
    """French name of the adjustment used across the pairs (``ajustement`` of the configuration)."""
    method = settings()["ajustement"] if method is None else method
    return formats.adjustment(method)


def adjustment_paragraph(method: str | None = None, *, alpha: float = 0.05) -> str:
    """The methodology's sentence on multiple testing, for the configured adjustment."""
    method = settings()["ajustement"] if method is None else method
    name = adjustment_name(method)
    control = ("taux de fausses découvertes" if name == "Benjamini–Hochberg"
               else "risque de déclarer à tort au moins un lien")
    return (f"Les p-valeurs sont ajustées par la méthode de {name} sur toutes les paires du jalon ({control} de "
            f"{formats.number(alpha * 100, 0)} %). Seule une p ajustée inférieure à {formats.number(alpha, 2)} est "
            "dite significative.")


def p_equals(name: str, p: Any) -> str:
    """``"p ajustée = 0,021"``, or ``"p ajustée < 0,001"`` for a tiny p-value (never ``"= <"``)."""
    text = formats.pvalue(p)
    return f"{name} {text}" if text.startswith("<") else f"{name} = {text}"


def _signed(v: float, decimals: int = 2) -> str:
    """A coefficient with a typographic minus and no plus sign (« −0,83 », « 0,76 »)."""
    s = formats.number(abs(v), decimals)
    return f"{MINUS}{s}" if v < 0 and s.strip("0,") else s


def _interval(low: Any, high: Any, decimals: int = 2) -> str:
    if pd.isna(low) or pd.isna(high):
        return "–"
    return f"[{_signed(low, decimals)}{formats.NBSP};\u00a0{_signed(high, decimals)}]"


def _agree(adjective: str, gender: str) -> str:
    if gender != "f":
        return adjective
    return {"élevé": "élevée", "bas": "basse", "faible": "faible"}.get(adjective, adjective + "e")


def _level(alpha: float) -> str:
    return formats.number((1 - alpha) * 100, 0)


# ---------------------------------------------------------------------------------------------
# Key findings and warnings
# ---------------------------------------------------------------------------------------------

def finding_sentence(row: Mapping[str, Any] | pd.Series, *, alpha: float = 0.05) -> str:
    """One French sentence stating a correlation of :func:`ducos_lib.linkage.quality_staff_correlations`.

    Examples
    --------
    « Plus le taux d'absentéisme d'un service est élevé, plus la satisfaction globale de ses
    usagers est basse (rho = −0,62, IC 95 % [−0,85 ; −0,21], 15 services, p ajustée = 0,004) :
    corrélation forte, qui résiste à l'ajustement pour tests multiples. »
    """
    q, r = str(row["indicateur_qualite"]), str(row["indicateur_rh"])
    phrase_q, gender_q = _phrase(q)
    phrase_r, gender_r = _phrase(r)
    rho = row["rho"]
    n = int(row["n_services"])
    if pd.isna(rho):
        return (f"Le lien entre {phrase_r} d'un service et {phrase_q} n'est pas calculable "
                f"({n} service{'s' if n > 1 else ''} avec les deux mesures).")
    figures = (f"rho = {_signed(rho)}, IC {_level(alpha)}{formats.NBSP}% "
               f"[{_signed(row['ic_bas'])} ; {_signed(row['ic_haut'])}], "
               f"{n} services, {p_equals('p ajustée', row['p_ajustee'])}")
    size = strength(rho)
    significant = bool(pd.notna(row["p_ajustee"]) and row["p_ajustee"] < alpha)
    if size == "négligeable":
        return f"Aucun lien notable entre {phrase_r} d'un service et {phrase_q} ({figures})."
    direction = "élevé" if rho > 0 else "bas"
    start = (f"Plus {phrase_r} d'un service est {_agree('élevé', gender_r)}, "
             f"plus {phrase_q} est {_agree(direction, gender_q)} ({figures})")
    if significant:
        return f"{start} : corrélation {size}, qui résiste à l'ajustement pour tests multiples."
    return (f"{start} : corrélation {size}, mais non significative après ajustement pour tests "
            f"multiples (elle peut être due au hasard).")


def key_findings(results: pd.DataFrame, *, n: int = 3, alpha: float = 0.05) -> list[str]:
    """Sentences for the key findings: significant pairs first (by adjusted p), at most ``n``.

    When no pair survives the adjustment, the first sentence says so and the strongest pairs
    follow with their caveat.
    """
    r = results.dropna(subset=["rho"])
    if r.empty:
        return ["Aucune corrélation n'a pu être calculée : trop peu de services disposent à la fois "
                "d'une mesure de qualité et d'une mesure RH."]
    significant = r[r["p_ajustee"] < alpha].assign(_a=lambda t: -t["rho"].abs())
    significant = significant.sort_values(["p_ajustee", "_a"], kind="stable")
    sentences = [finding_sentence(row, alpha=alpha) for _, row in significant.head(n).iterrows()]
    if not sentences:
        sentences.append(f"Aucune des {len(r)} corrélations calculées ne reste significative après "
                         f"ajustement pour tests multiples ({adjustment_name()}) : les données ne "
                         "montrent pas de lien net entre qualité de service et indicateurs RH.")
        others = r.assign(_a=-r["rho"].abs()).sort_values("_a", kind="stable").head(max(n - 1, 0))
        sentences += [finding_sentence(row, alpha=alpha) for _, row in others.iterrows()]
    return sentences


def summary_sentence(results: pd.DataFrame, *, alpha: float = 0.05) -> str:
    """One sentence counting the pairs compared and those that survive the adjustment."""
    r = results.dropna(subset=["rho"])
    n_q = results["indicateur_qualite"].nunique()
    n_r = results["indicateur_rh"].nunique()
    s = int((r["p_ajustee"] < alpha).sum())
    not_computed = len(results) - len(r)
    text = f"{len(results)} paires de mesures ont été comparées ({n_q} mesures de qualité × {n_r} indicateurs RH)"
    if not_computed:
        text = (f"Sur {len(results)} paires de mesures ({n_q} mesures de qualité × {n_r} indicateurs RH), "
                f"{len(r)} ont pu être calculées (les {not_computed} autres portent sur trop peu de services)")
    if s == 0:
        return text + " : aucune ne reste significative après ajustement pour tests multiples."
    return (text + f" : {s} {'reste' if s == 1 else 'restent'} significative{'s' if s > 1 else ''} après "
            "ajustement pour tests multiples.")


def no_link_sentence(results: pd.DataFrame, quality: str = "satisfaction_globale_moyenne", *,
                     alpha: float = 0.05) -> str | None:
    """Sentence naming the staff measures with no significant link to one quality measure.

    None when every computed pair with that measure is significant or none was computed.
    """
    r = results[(results["indicateur_qualite"] == quality) & results["rho"].notna()
                & ~(results["p_ajustee"] < alpha)]
    if r.empty:
        return None
    items = [f"{_phrase(x)[0]} (rho = {_signed(v)})" for x, v in zip(r["indicateur_rh"], r["rho"])]
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " ou " + items[-1]
    return (f"En revanche, aucun lien significatif après ajustement n'apparaît entre {_standalone(quality)} et "
            f"{listed}.")


def methodological_warning(n_services: int, n_milestones: int = 1, *, n_tests: int | None = None) -> str:
    """Plain-French warning on what the correlations can and cannot say.

    Parameters
    ----------
    n_services : int
        Largest number of services behind a pair (pairs with missing measures have fewer).
    n_milestones : int, default 1
        Number of milestones in the panel.
    n_tests : int, optional
        Number of pairs tested together: adds a sentence on multiple testing.
    """
    n_services, n_milestones = int(n_services), int(n_milestones)
    text = (f"Ces résultats portent sur {n_services} service{'s' if n_services > 1 else ''} au plus "
            "(moins pour une paire dont une mesure manque ou est trop fragile dans certains services). "
            "Avec si peu d'unités, une corrélation peut apparaître ou disparaître par le seul jeu du "
            "hasard : les intervalles de confiance sont larges et un lien réel mais modeste peut "
            "passer inaperçu. ")
    text += ("L'analyse est écologique : elle compare des moyennes de services, pas des personnes. "
             "Un lien observé entre services (par exemple entre l'absentéisme d'un service et la "
             "satisfaction de ses usagers) ne dit rien de ce que vit chaque agent ou chaque usager. ")
    if n_tests is not None and int(n_tests) > 1:
        text += (f"{int(n_tests)} paires de mesures sont testées en même temps : sur autant de tests, "
                 "quelques corrélations sortiraient « significatives » par hasard même sans aucun lien "
                 f"réel ; seules celles qui résistent à l'ajustement de {adjustment_name()} sont donc "
                 "présentées comme des constats. ")
    text += ("Enfin, une corrélation n'est pas une cause : les deux mesures peuvent dépendre d'un "
             "troisième facteur (charge de travail, type de public, moyens du service), et le sens "
             "du lien peut être inverse. Ces chiffres servent à ouvrir la discussion avec les "
             "services, pas à évaluer un service ou un encadrant.")
    if n_milestones > 1:
        text += (f" Le modèle mixte suit les services sur {n_milestones} jalons : il tient compte des "
                 "différences stables entre services, sans pour autant établir de causalité.")
    return text


def survey_source_note(panel: ServicePanel) -> str | None:
    """Where the survey estimates come from, when it is not report 01's table (None otherwise)."""
    if panel.survey_error:
        return f"Estimations de l'enquête par service impossibles : {panel.survey_error}"
    if panel.survey_source == "computed":
        return ("Les estimations de l'enquête par service ont été calculées par ce rapport, de la même façon "
                "que dans le rapport sur l'enquête (01) : son tableau enquete_estimations.csv n'était pas "
                "disponible dans le dossier de sortie, ou ne correspondait pas aux données du jalon.")
    return None


# ---------------------------------------------------------------------------------------------
# Captions and alt texts
# ---------------------------------------------------------------------------------------------

def pair_caption(row: Mapping[str, Any] | pd.Series, *, alpha: float = 0.05) -> str:
    """Short caption of a scatter plot: rho, its CI, the adjusted p-value and the verdict."""
    rho = row["rho"]
    if pd.isna(rho):
        return "Corrélation non calculable (trop peu de services)."
    significant = pd.notna(row["p_ajustee"]) and row["p_ajustee"] < alpha
    return (f"Corrélation de Spearman sur {int(row['n_services'])} services : rho = {_signed(rho)}, "
            f"IC {_level(alpha)}{formats.NBSP}% {_interval(row['ic_bas'], row['ic_haut'])}, "
            f"{p_equals('p ajustée', row['p_ajustee'])} ; corrélation {strength(rho)}, "
            + ("significative après ajustement." if significant else "non significative après ajustement."))


def heatmap_alt(results: pd.DataFrame, milestone: str, *, alpha: float = 0.05) -> str:
    """Alt text of :func:`ducos_lib.reports.charts.correlation_heatmap`, with its main reading."""
    n_q = results["indicateur_qualite"].nunique()
    n_r = results["indicateur_rh"].nunique()
    text = (f"Carte de chaleur des corrélations de Spearman au jalon {milestone} : {n_q} mesures de qualité de "
            f"service en lignes, {n_r} indicateurs RH en colonnes ; bleu pour un lien négatif, rouge pour un "
            "lien positif. ")
    s = results[results["p_ajustee"] < alpha].assign(_a=lambda t: -t["rho"].abs()).sort_values("_a")
    if s.empty:
        text += "Aucune case n'est marquée : aucune corrélation ne reste significative après ajustement."
    else:
        cells = [f"{measure_label(q)} et {measure_label(x)} (rho = {_signed(v)})"
                 for q, x, v in zip(s["indicateur_qualite"], s["indicateur_rh"], s["rho"])]
        plural = "s" if len(s) > 1 else ""
        text += (f"{len(s)} case{plural} marquée{plural} d'un astérisque "
                 f"(significative{plural} après ajustement) : " + " ; ".join(cells) + ".")
    nc = int(results["rho"].isna().sum())
    if nc:
        plural = "s" if nc > 1 else ""
        text += f" {nc} case{plural} grise{plural} : non calculable{plural}."
    return text


def scatter_alt(published: pd.DataFrame, row: Mapping[str, Any] | pd.Series, *,
                label_column: str = "libelle") -> str:
    """Alt text of :func:`ducos_lib.reports.charts.pair_scatter` for one pair, from the published panel.

    Names the services at both ends of the staff measure with their quality value.
    """
    q, r = str(row["indicateur_qualite"]), str(row["indicateur_rh"])
    label_column = label_column if label_column in published.columns else "code_service"
    d = published[[label_column, r, q]].dropna()
    text = (f"Nuage de points : chaque point est un service ({len(d)} représentés), en abscisse "
            f"{measure_label(r).lower()}, en ordonnée {measure_label(q).lower()}. ")
    if not pd.isna(row["rho"]):
        trend = "descendante" if row["rho"] < 0 else "montante"
        text += f"Tendance {trend}, rho = {_signed(row['rho'])}. "
    if len(d) >= 2:
        d = d.sort_values(r, kind="stable")
        low, high = d.iloc[0], d.iloc[-1]
        text += (f"{high[label_column]}, où {_phrase(r)[0]} est le plus élevé ({format_measure(r, high[r])}), a "
                 f"{format_measure(q, high[q])} ; {low[label_column]}, où il est le plus bas "
                 f"({format_measure(r, low[r])}), a {format_measure(q, low[q])}.")
    return text


# ---------------------------------------------------------------------------------------------
# Mixed model
# ---------------------------------------------------------------------------------------------

_MIXED_MESSAGES = {
    "not_converged": "L'optimisation n'a pas convergé : résultat à ne pas interpréter.",
    "boundary": "La variance entre services est estimée à zéro (bord de l'espace des paramètres) : le modèle "
                "se ramène à une régression simple.",
    "degenerate": "Estimation dégénérée (écart-type non calculable).",
    "one_milestone": "Modèle non estimé : il faut des mesures sur au moins deux jalons.",
    "constant": "Modèle non estimé : une des deux mesures est constante.",
}


def mixed_model_message(row: Mapping[str, Any] | pd.Series, n_min_services: int | None = None) -> str:
    """French remark on one row of :func:`ducos_lib.linkage.mixed_model` (empty when nothing to say)."""
    texts = []
    for code in str(row["statut"] or "ok").split(";"):
        if code == "few_services":
            minimum = int(settings()["n_min_services"] if n_min_services is None else n_min_services)
            texts.append(f"Modèle non estimé : {int(row['n_services'])} services avec des mesures "
                         f"complètes (au moins {minimum} requis).")
        elif code == "error":
            texts.append(f"Échec de l'estimation du modèle mixte ({row['erreur']}).")
        elif code in _MIXED_MESSAGES:
            texts.append(_MIXED_MESSAGES[code])
    return " ".join(texts)


def mixed_model_table(mixed: pd.DataFrame) -> pd.DataFrame:
    """The published ``qualite_performance_modele_mixte.csv``: the model's figures and a French remark."""
    out = mixed.drop(columns=["statut", "erreur"])
    out["message"] = [mixed_model_message(row) for _, row in mixed.iterrows()]
    return out.reset_index(drop=True)


def mixed_model_sentence(row: Mapping[str, Any] | pd.Series, *, alpha: float = 0.05) -> str:
    """Plain-French reading of one row of :func:`ducos_lib.linkage.mixed_model`."""
    q, r = str(row["indicateur_qualite"]), str(row["indicateur_rh"])
    phrase_q, gender_q = _phrase(q)
    phrase_r, gender_r = _phrase(r)
    coef = row["coefficient"]
    message = mixed_model_message(row)
    if pd.isna(coef) or not bool(row["converge"]):
        return f"Lien entre {phrase_r} et {phrase_q} : {message or 'modèle non estimé.'}".strip()
    direction = _agree("élevé" if coef > 0 else "bas", gender_q)
    figures = (f"coefficient {_signed(coef)} écart-type, IC {_level(alpha)}{formats.NBSP}% "
               f"{_interval(row['ic_bas'], row['ic_haut'])}, {p_equals('p', row['p_valeur'])}, "
               f"{int(row['n_observations'])} mesures de {int(row['n_services'])} services sur "
               f"{int(row['n_jalons'])} jalons")
    if row["p_valeur"] < alpha:
        text = (f"En suivant les services sur {int(row['n_jalons'])} jalons, le lien se confirme : quand "
                f"{phrase_r} d'un service est plus {_agree('élevé', gender_r)} d'un écart-type, {phrase_q} est en "
                f"moyenne plus {direction} de {formats.number(abs(coef), 2)} écart-type ({figures}).")
    else:
        text = (f"En suivant les services sur {int(row['n_jalons'])} jalons, le lien entre {phrase_r} d'un "
                f"service et {_standalone(q)} n'est pas confirmé ({figures}).")
    if message:
        text += " " + message
    return text


def mixed_model_display(mixed: pd.DataFrame) -> pd.DataFrame:
    """:func:`ducos_lib.linkage.mixed_model` as French text for the report."""
    return pd.DataFrame({
        "Mesure de qualité": [measure_label(q) for q in mixed["indicateur_qualite"]],
        "Indicateur RH": [measure_label(x) for x in mixed["indicateur_rh"]],
        "Mesures (services × jalons)": [f"{int(o)} ({int(s)} × {int(j)})" for o, s, j in
                                        zip(mixed["n_observations"], mixed["n_services"], mixed["n_jalons"])],
        "Coefficient (écarts-types)": [_signed(v) if pd.notna(v) else "–" for v in mixed["coefficient"]],
        "IC 95 %": [_interval(a, b) for a, b in zip(mixed["ic_bas"], mixed["ic_haut"])],
        "p": [formats.pvalue(p) for p in mixed["p_valeur"]],
        "Convergence": ["oui" if c else "non" for c in mixed["converge"]],
        "Remarque": [mixed_model_message(row) or "–" for _, row in mixed.iterrows()],
    })


# ---------------------------------------------------------------------------------------------
# Display tables
# ---------------------------------------------------------------------------------------------

def correlations_display(results: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Every pair of :func:`ducos_lib.linkage.quality_staff_correlations` as French text,
    strongest evidence first (by adjusted p-value, then |rho|; pairs without a statistic last)."""
    r = results.assign(_a=-results["rho"].abs()).sort_values(["p_ajustee", "p_valeur", "_a"],
                                                             kind="stable", na_position="last")
    out = pd.DataFrame({
        "Mesure de qualité": [measure_label(q) for q in r["indicateur_qualite"]],
        "Indicateur RH": [measure_label(x) for x in r["indicateur_rh"]],
        "Services": [formats.number(n) for n in r["n_services"]],
        "rho": [_signed(v) if pd.notna(v) else "–" for v in r["rho"]],
        "IC 95 %": [_interval(a, b) for a, b in zip(r["ic_bas"], r["ic_haut"])],
        "p": [formats.pvalue(p) for p in r["p_valeur"]],
        "p ajustée": [formats.pvalue(p) for p in r["p_ajustee"]],
        "Intensité": [strength(v) for v in r["rho"]],
        "Significatif après ajustement": ["oui" if pd.notna(p) and p < alpha else
                                          ("–" if pd.isna(p) else "non") for p in r["p_ajustee"]],
    })
    return out.reset_index(drop=True)


def correlations_by_milestone_display(by_milestone: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Pairs in rows, milestones in columns: rho (with ``*`` when significant after adjustment)."""
    milestones = list(dict.fromkeys(by_milestone["jalon"]))
    pairs = list(dict.fromkeys(zip(by_milestone["indicateur_qualite"], by_milestone["indicateur_rh"])))
    rows = []
    for q, r in pairs:
        row = {"Mesure de qualité": measure_label(q), "Indicateur RH": measure_label(r)}
        for j in milestones:
            x = by_milestone[(by_milestone["jalon"] == j) & (by_milestone["indicateur_qualite"] == q)
                             & (by_milestone["indicateur_rh"] == r)]
            if x.empty or pd.isna(x["rho"].iloc[0]):
                row[j] = "–"
            else:
                star = "*" if x["p_ajustee"].iloc[0] < alpha else ""
                row[j] = f"{_signed(x['rho'].iloc[0])}{star} ({int(x['n_services'].iloc[0])} serv.)"
        rows.append(row)
    return pd.DataFrame(rows, columns=["Mesure de qualité", "Indicateur RH", *milestones])


def _survey_threshold(threshold: int | None) -> int:
    from ..config import load_config

    return int(threshold if threshold is not None else load_config()["enquete"]["seuil_masquage"])


def panel_display(panel: ServicePanel, milestone: str | None = None, *, part: str = "qualite",
                  survey_threshold: int | None = None) -> pd.DataFrame:
    """The published panel of one milestone as French text, for the report's tables.

    Built from :meth:`ServicePanel.published`: a cell masked for confidentiality reads
    ``"secret"``, a missing measure ``"–"``, and a survey figure on too few respondents
    ``"< 10 rép."`` (display threshold of the survey). No unmasked staff figure can appear.

    Parameters
    ----------
    panel : ServicePanel
    milestone : str, optional
        Default: the panel's last milestone.
    part : {"qualite", "rh"}
        Quality measures (with respondents and immersion forms) or staff measures (with the
        headcount and the number of self-evaluated managers).
    survey_threshold : int, optional
        Survey display threshold (``enquete.seuil_masquage``, 10).

    Returns
    -------
    DataFrame of str
        First column ``Service`` (label, or code when there is no label), then one column per
        measure headed by its label.
    """
    if part not in ("qualite", "rh"):
        raise ValueError(f"Partie inconnue : {part!r} (valeurs permises : qualite, rh).")
    milestone = panel.milestones[-1] if milestone is None else milestone
    internal = panel.cross_section(milestone)  # only to know the survey counts, never shown
    masks = panel.masks_of(milestone)
    pub = panel.published(milestone)
    limit = _survey_threshold(survey_threshold)
    if part == "qualite":
        measures = [*panel.quality, "n_repondants", "n_fiches_immersion"]
    else:
        measures = ["effectif", *panel.staff, "n_cadres_autoevaluation"]
    service = (pub["libelle"] if "libelle" in pub.columns else pub["code_service"]).astype(str)
    out = pd.DataFrame({"Service": service.to_numpy()})
    n_resp = pd.to_numeric(internal["n_repondants"], errors="coerce") if "n_repondants" in internal else None
    survey = {m.name for m in load_registry().survey_indicators()}
    for m in measures:
        if m not in pub.columns:
            continue
        msk = masks[m].to_numpy(dtype=bool) if m in masks.columns else np.zeros(len(pub), dtype=bool)
        texts = [format_measure(m, v, masked=k) for v, k in zip(pub[m], msk)]
        if m in survey and n_resp is not None:
            texts = [f"<{formats.NBSP}{limit} rép." if t == "–" and 0 < (nr if pd.notna(nr) else 0) < limit
                     else t for t, nr in zip(texts, n_resp)]
        out[COUNT_HEADERS.get(m, measure_label(m))] = texts
    return out


def coverage(panel: ServicePanel, milestone: str | None = None) -> pd.DataFrame:
    """For each measure, how many services have a value at the milestone, and how many are masked.

    Counts of services only (no value about anyone): for the data-quality paragraph.
    """
    milestone = panel.milestones[-1] if milestone is None else milestone
    d = panel.cross_section(milestone)
    masks = panel.masks_of(milestone)
    rows = []
    for family, measures in ((FAMILY_QUALITY, panel.quality), (FAMILY_STAFF, panel.staff)):
        for m in measures:
            n = int(pd.to_numeric(d[m], errors="coerce").notna().sum())
            k = int((masks[m].to_numpy(dtype=bool) & d[m].notna().to_numpy()).sum()) if m in masks.columns else 0
            rows.append({"famille": family, "mesure": measure_label(m), "services_avec_valeur": n,
                         "services_non_publies": k})
    return pd.DataFrame(rows, columns=["famille", "mesure", "services_avec_valeur", "services_non_publies"])


def masking_note(panel: ServicePanel, milestone: str | None = None) -> str | None:
    """Sentence on the staff measures that no service can publish at the milestone (all masked).

    None when every staff measure has at least one published value (or none has a value).
    """
    c = coverage(panel, milestone)
    hidden = c[(c["famille"] == FAMILY_STAFF) & (c["services_avec_valeur"] > 0)
               & (c["services_non_publies"] == c["services_avec_valeur"])]
    if hidden.empty:
        return None
    names = [m[:1].lower() + m[1:] for m in hidden["mesure"]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
    plural = len(names) > 1
    subject = "ces chiffres ne sont" if plural else "ce chiffre n'est"
    return (f"{listed[:1].upper() + listed[1:]} : chaque service compte trop peu d'agents concernés (moins de "
            f"{panel.threshold}) ; {subject} donc publié"
            f"{'s' if plural else ''} pour aucun service, mais {'ils entrent' if plural else 'il entre'} dans "
            "les corrélations, qui ne décrivent aucun service en particulier.")


#: What each measure is and over which window (methodology section of the report).
DEFINITIONS: dict[str, str] = {
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


def definition(name: str) -> str:
    """French definition (with its time window) of a panel measure, for the methodology section."""
    if name in DEFINITIONS:
        return DEFINITIONS[name]
    if name.startswith(SERVICE_INDICATOR_PREFIX):
        return "Indicateur de service transmis par les services, moyenne des 12 mois précédant le jalon."
    if name.startswith(THEME_RATING_PREFIX + "note_"):
        return "Moyenne des notes (1 à 5) reçues sur ce thème lors des immersions, fiches datées jusqu'au jalon."
    return "Mesure du panel des services."


def definitions(panel: ServicePanel) -> pd.DataFrame:
    """Measure label, family and definition (with its window), for the methodology section."""
    rows = [{"Famille": family, "Mesure": measure_label(m), "Définition": definition(m)}
            for family, measures in ((FAMILY_QUALITY, panel.quality), (FAMILY_STAFF, panel.staff))
            for m in measures]
    return pd.DataFrame(rows, columns=["Famille", "Mesure", "Définition"])

