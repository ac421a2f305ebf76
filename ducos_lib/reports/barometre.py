"""Report 07 (« Baromètre des agents »): French labels, display tables, sentences and alt texts."""

from __future__ import annotations

import pandas as pd

from ..barometer import ITEMS, MIN_ANSWERS, indicator
from ..registry import load_registry
from . import formats
from .page import Fragment, esc

ALPHA = 0.05


def item_label(item: str) -> str:
    """``reconnaissance`` → ``Reconnaissance`` (the registry label before « : »)."""
    return load_registry()[indicator(item, "favorables")].label.split(" : ")[0]


def rate_reading(rate: float) -> str:
    """What a response rate allows, in one French sentence."""
    if pd.isna(rate):
        return "Taux de réponse inconnu : l'extraction RH ne permet pas de rapporter les réponses aux effectifs."
    if rate >= 0.6:
        return ("Avec une majorité d'agents ayant répondu, les résultats décrivent bien l'ensemble du personnel, "
                "sous réserve que, dans chaque direction, les agents qui n'ont pas répondu pensent comme ceux qui ont "
                "répondu.")
    if rate >= 0.4:
        return ("Avec un peu moins de deux agents sur trois sans réponse au plus, les résultats sont à lire avec "
                "prudence : ils valent pour l'ensemble du personnel seulement si, dans chaque direction, les agents qui "
                "n'ont pas répondu pensent comme ceux qui ont répondu ; les écarts de quelques points ne sont pas "
                "interprétables.")
    return ("Moins de quatre agents sur dix ont répondu : les résultats sont indicatifs et décrivent d'abord les "
            "agents qui ont répondu ; ils ne permettent pas de conclure pour l'ensemble du personnel.")


def rates_table(rates: pd.DataFrame, seuil: int) -> Fragment:
    """Headcount, answers and response rate per wave and direction (answers under ``seuil`` shown « < N »)."""
    waves = list(dict.fromkeys(rates["vague"]))
    directions = [d for d in dict.fromkeys(rates["direction"]) if d != "ensemble"] + ["ensemble"]
    head = "".join(f'<th class="num">{esc(w)} : réponses / agents</th><th class="num">{esc(w)} : taux</th>'
                   for w in waves)
    body = []
    for d in directions:
        cells = []
        for w in waves:
            r = rates[(rates["vague"] == w) & (rates["direction"] == d)]
            if r.empty:
                cells += ["–", "–"]
                continue
            r = r.iloc[0]
            small = 0 < r.n_reponses < seuil and d != "ensemble"
            n = f"&lt; {seuil}" if small else formats.number(r.n_reponses)
            cells += [f"{n} / {formats.number(r.effectif)}", "–" if small else formats.percent(r.taux_reponse, 0)]
        label = "Ensemble des agents" if d == "ensemble" else d
        body.append(f"<tr><td>{esc(label)}</td>" + "".join(f'<td class="num">{c}</td>' for c in cells) + "</tr>")
    return Fragment(f'<table class="ducos-tableau"><caption>Participation au baromètre par direction</caption><thead>'
                    f"<tr><th>Direction</th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def results_table(estimations: pd.DataFrame, wave: str, group_variable: str = "ensemble",
                  group: str = "ensemble") -> pd.DataFrame:
    """Per item: mean with its interval, share favourable with its interval, answers (display frame)."""
    sel = estimations[(estimations["vague"] == wave) & (estimations["groupe_variable"] == group_variable)
                      & (estimations["groupe"] == group)].set_index("indicateur")
    rows = []
    for item in ITEMS:
        m, f = indicator(item, "moyenne"), indicator(item, "favorables")
        if m not in sel.index:
            continue
        rows.append({"Question": item_label(item),
                     "Note moyenne (sur 5)": formats.value(m, sel.loc[m, "estimation"]),
                     "IC 95 % de la note": formats.interval(m, sel.loc[m, "ic_bas"], sel.loc[m, "ic_haut"]),
                     "Avis favorables (4 ou 5)": formats.value(f, sel.loc[f, "estimation"]),
                     "IC 95 % des avis favorables": formats.interval(f, sel.loc[f, "ic_bas"], sel.loc[f, "ic_haut"]),
                     "Réponses": formats.number(sel.loc[f, "n_repondants"])})
    return pd.DataFrame(rows)


def evolution_table(comparisons: pd.DataFrame, group_variable: str = "ensemble", group: str = "ensemble") -> pd.DataFrame:
    """Change of the share favourable per item between two waves, with its interval and adjusted p-value."""
    sel = comparisons[(comparisons["groupe_variable"] == group_variable) & (comparisons["groupe"] == group)
                      & comparisons["indicateur"].str.endswith("_favorables")]
    rows = []
    for r in sel.itertuples():
        item = r.indicateur.removeprefix("barometre_").removesuffix("_favorables")
        verdict = "nette" if r.p_ajustee < ALPHA else "non significative"
        rows.append({"Question": item_label(item), "Vagues": f"{r.vague_a} → {r.vague_b}",
                     "Évolution des avis favorables": formats.difference(r.indicateur, r.difference),
                     "IC 95 %": formats.interval(r.indicateur, r.ic_bas, r.ic_haut, of_difference=True),
                     "p ajustée": formats.pvalue(r.p_ajustee), "Lecture": verdict})
    return pd.DataFrame(rows)


def direction_table(estimations: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Share favourable per item (columns) and direction (rows) for one wave."""
    sel = estimations[(estimations["vague"] == wave) & (estimations["groupe_variable"] == "direction")
                      & estimations["indicateur"].str.endswith("_favorables")]
    if sel.empty:
        return pd.DataFrame()
    wide = sel.pivot(index="groupe", columns="indicateur", values="estimation")
    out = pd.DataFrame({"Direction": wide.index})
    for item in ITEMS:
        name = indicator(item, "favorables")
        if name in wide:
            out[item_label(item)] = [formats.value(name, v) for v in wide[name]]
    return out


def key_findings(tables: dict, milestone: str, first: str) -> list[str]:
    """Plain-French findings: participation, best and worst items, significant changes since ``first``."""
    rates, est, comp = tables["taux"], tables["estimations"], tables["comparaisons"]
    last = list(dict.fromkeys(est["vague"]))[-1]
    overall = rates[(rates["vague"] == last) & (rates["direction"] == "ensemble")].iloc[0]
    findings = [f"<strong>{formats.number(overall.n_reponses)} agents sur {formats.number(overall.effectif)} ont "
                f"répondu</strong> à la vague {esc(last)} ({formats.percent(overall.taux_reponse, 0)}). "
                + rate_reading(overall.taux_reponse)]
    fav = est[(est["vague"] == last) & (est["groupe_variable"] == "ensemble")
              & est["indicateur"].str.endswith("_favorables")].sort_values("estimation")
    if len(fav):
        lo, hi = fav.iloc[0], fav.iloc[-1]
        name = lambda r: item_label(r.indicateur.removeprefix("barometre_").removesuffix("_favorables"))  # noqa: E731
        findings.append(f"Point fort : « {esc(name(hi))} » ({formats.value(hi.indicateur, hi.estimation)} d'avis "
                        f"favorables) ; point faible : « {esc(name(lo))} » ({formats.value(lo.indicateur, lo.estimation)}).")
    sel = comp[(comp["groupe_variable"] == "ensemble") & comp["indicateur"].str.endswith("_favorables")
               & (comp["vague_a"] == first)] if len(comp) else comp
    if len(sel):
        up = sel[(sel["p_ajustee"] < ALPHA) & (sel["difference"] > 0)]
        down = sel[(sel["p_ajustee"] < ALPHA) & (sel["difference"] < 0)]
        label = lambda r: item_label(r.indicateur.removeprefix("barometre_").removesuffix("_favorables"))  # noqa: E731
        if len(up):
            findings.append(f"Depuis {esc(first)}, nette progression des avis favorables sur : "
                            + ", ".join(f"{esc(label(r))} ({formats.difference(r.indicateur, r.difference)})"
                                        for r in up.itertuples()) + ".")
        if len(down):
            findings.append(f"Depuis {esc(first)}, net recul sur : "
                            + ", ".join(f"{esc(label(r))} ({formats.difference(r.indicateur, r.difference)})"
                                        for r in down.itertuples()) + ".")
        if not len(up) and not len(down):
            findings.append(f"Aucune évolution nette depuis {esc(first)} après ajustement pour tests multiples.")
    elif milestone == first:
        findings.append(f"Vague {esc(first)} : c'est la référence du baromètre ; les évolutions seront mesurées à la "
                        "vague suivante.")
    return findings


def direction_note(seuil: int) -> str:
    return (f"Seules les directions ayant au moins {max(seuil, MIN_ANSWERS)} réponses à la vague sont présentées, pour "
            "qu'aucun agent ne puisse être reconnu ; leurs résultats, sur peu de réponses, sont indicatifs.")


METHOD_NOTE = ("Méthode : tous les agents sont invités (recensement) ; chaque réponse est pondérée par l'effectif de sa "
               "direction dans l'extraction RH divisé par le nombre de réponses de la direction, ce qui corrige les "
               "écarts de participation entre directions. Les intervalles de confiance à 95 % tiennent compte de la "
               "correction pour population finie (une direction qui a entièrement répondu n'a pas d'erreur "
               "d'échantillonnage) ; ils supposent que, dans une direction, les agents qui n'ont pas répondu pensent "
               "comme ceux qui ont répondu. Les vagues sont comparées comme des échantillons indépendants (les "
               "réponses sont anonymes), avec un ajustement de Holm pour tests multiples. « NSP » n'est pas compté.")


def alt_items(estimations: pd.DataFrame, waves: list[str]) -> str:
    sel = estimations[(estimations["groupe_variable"] == "ensemble") & estimations["indicateur"].str.endswith("_favorables")]
    parts = []
    for w in waves:
        vals = sel[sel["vague"] == w]
        parts.append(f"vague {w} : " + ", ".join(
            f"{item_label(r.indicateur.removeprefix('barometre_').removesuffix('_favorables'))} "
            f"{formats.value(r.indicateur, r.estimation)}" for r in vals.itertuples()))
    return "Part d'avis favorables par question du baromètre, " + " ; ".join(parts) + "."


def themes_table(counts: pd.DataFrame, labels: dict[str, str], seuil: int) -> pd.DataFrame:
    """Comments per theme and wave; a theme cited fewer than ``seuil`` times shows « moins de N »."""
    rows = []
    for r in counts.sort_values(["groupe", "n_commentaires"], ascending=[True, False]).itertuples():
        small = r.n_commentaires < seuil
        rows.append({"Vague": r.groupe, "Thème": labels.get(r.theme, r.theme),
                     "Commentaires": f"moins de {seuil}" if small else formats.number(r.n_commentaires),
                     "Part des commentaires": "–" if small else formats.percent(r.part, 0)})
    return pd.DataFrame(rows)


def quotes_table(examples: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Redacted quotes (from :func:`ducos_lib.text.themes_commentaires`) with the theme's label."""
    return pd.DataFrame({"Vague": examples["groupe"], "Thème": examples["theme"].map(lambda t: labels.get(t, t)),
                         "Extrait (anonymisé)": examples["citation"]})
