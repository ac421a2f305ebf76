"""French display of the immersion report (02) and of the comment-theme tables of reports 01 and 05.

Everything a reader reads about the free-text analyses is written here: field and type labels,
display tables, key-finding sentences, the statement of the coder's version and blind agreement.
Computations live in :mod:`ducos_lib.text`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..nlp import strip_accents
from ..redaction import Roster, as_roster, redact
from ..text import FIELDS, Codebook, EmergingThemes, codebook_path, coder_summary, lemmas, load_codebook
from ..text.coding import _codebook
from . import formats

#: Fields of the form in French, for tables and sentences.
FIELD_LABELS = {
    "points_forts": "Points forts",
    "axes_progression": "Axes de progression",
    "propositions": "Propositions",
}

#: Immersion types in French.
TYPE_LABELS = {"inter": "Inter-services (invité d'un autre service)",
               "intra": "Intra-service (encadrant dans sa propre équipe)"}

#: Strength of agreement for a kappa (Landis & Koch, 1977), for sentences.
def _strength(kappa: float) -> str:
    if kappa != kappa:
        return "non mesuré"
    for bound, word in ((0.8, "très bon"), (0.6, "bon"), (0.4, "moyen"), (0.2, "faible")):
        if kappa >= bound:
            return word
    return "très faible"


def emerging_reason(emerging: EmergingThemes) -> str:
    """French sentence for an empty :func:`ducos_lib.text.emerging_themes` result ("" otherwise)."""
    if not emerging.reason:
        return ""
    kind, *figures = emerging.reason.split(":")
    if kind == "trop_peu_de_reponses":
        return (f"Trop peu de réponses non codées ({figures[0]} < {figures[1]}) pour chercher des thèmes "
                "émergents.")
    if kind == "vocabulaire_pauvre":
        return f"Vocabulaire trop pauvre ({figures[0]} lemmes) pour plusieurs thèmes."
    return "Vocabulaire trop pauvre dans les réponses non codées."


def coder_sentence(summary: dict) -> str:
    """One French sentence: which coder classified the answers and how well it agrees with humans blind.

    Parameters
    ----------
    summary : dict
        :func:`ducos_lib.text.coder_summary`.
    """
    k, n = summary.get("kappa_aveugle", float("nan")), summary.get("n_aveugle", 0)
    if summary.get("methode") == "modele":
        what = (f"le classement automatique des réponses est fait par le modèle de codage version "
                f"{_esc(summary['version'])} (codebook {_esc(summary['codebook_version'])}), entraîné sur "
                f"{formats.number(summary.get('n_entrainement', 0))} réponses codées à la main")
    else:
        what = f"le classement automatique des réponses applique les motifs du codebook {_esc(summary['version'])}"
    if n and k == k:
        how = (f" ; sur {formats.number(n)} réponses réelles qu'il n'avait jamais vues (lot aveugle), son accord avec un "
               f"codage humain est {_strength(k)} (kappa de Cohen moyen {formats.number(k, 2)} ; 1 = accord parfait, "
               "0 = pas mieux que le hasard)")
    else:
        how = " ; son accord avec un codage humain n'a pas encore été mesuré à l'aveugle"
    return what[0].upper() + what[1:] + how + " : les pourcentages sont des ordres de grandeur, pas des mesures exactes."


def coder_table(summary: dict, codebook: Codebook) -> pd.DataFrame:
    """Per-theme blind agreement of the coder for display: Thème, Kappa, Précision, Rappel, Réponses codées (humain)."""
    rows = summary.get("par_theme") or []
    labels = codebook.labels()
    return pd.DataFrame({
        "Thème": [labels.get(r["theme"], r["theme"]) for r in rows],
        "Kappa": [formats.number(r["kappa"], 2) if r["kappa"] is not None else "–" for r in rows],
        "Précision": [formats.number(r["precision"], 2) if r["precision"] is not None else "–" for r in rows],
        "Rappel": [formats.number(r["rappel"], 2) if r["rappel"] is not None else "–" for r in rows],
        "Réponses du thème (humain)": [formats.number(r["positifs"]) for r in rows],
    }, columns=["Thème", "Kappa", "Précision", "Rappel", "Réponses du thème (humain)"])


def none_share_sentence(summary: dict) -> str:
    """French sentence comparing the blind no-theme shares of humans and coder (empty when unknown)."""
    h, c = summary.get("part_sans_theme_humain"), summary.get("part_sans_theme_codeur")
    if h is None or c is None or h != h or c != c:
        return ""
    return (f"Sur le lot aveugle, le codage humain laisse {formats.percent(h, 0)} des réponses sans thème, le modèle "
            f"{formats.percent(c, 0)}.")


def _esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def forms_overview(fiches: pd.DataFrame, service_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Number of forms per host service and immersion type, with a final ``Ensemble`` row.

    Returns
    -------
    DataFrame
        ``service_accueil, libelle, inter, intra, total``; services by decreasing total, then code.
        Counts of forms, not of people: a guest may have filled several forms.
    """
    cols = ["service_accueil", "libelle", "inter", "intra", "total"]
    if fiches is None or fiches.empty:
        return pd.DataFrame(columns=cols)
    labels = service_labels or {}
    tab = pd.crosstab(fiches["service_accueil"].astype(str), fiches["type_immersion"].astype(str))
    tab = tab.reindex(columns=["inter", "intra"], fill_value=0)
    tab["total"] = tab.sum(axis=1)
    tab = tab.reset_index().rename(columns={"index": "service_accueil"})
    tab["libelle"] = tab["service_accueil"].map(lambda c: labels.get(c, c))
    tab = tab.sort_values(["total", "service_accueil"], ascending=[False, True], kind="stable")
    total = pd.DataFrame([{"service_accueil": "Ensemble", "libelle": "Tous services",
                           "inter": int(tab["inter"].sum()), "intra": int(tab["intra"].sum()),
                           "total": int(tab["total"].sum())}])
    out = pd.concat([tab[cols], total], ignore_index=True)
    for c in ("inter", "intra", "total"):
        out[c] = out[c].astype("int64")
    return out


def strengths_vs_areas(coverage: pd.DataFrame, codebook: Codebook | None = None, *,
                       seuil_ecart: float = 0.05) -> pd.DataFrame:
    """Each theme as strength and as area for improvement, from :func:`theme_coverage`.

    Parameters
    ----------
    coverage : DataFrame
        ``champ, theme, n_fiches, part_fiches`` (``immersions_themes.csv``).
    seuil_ecart : float
        Gap (in proportion) between the two shares under which the theme is called balanced.

    Returns
    -------
    DataFrame
        ``theme, libelle, part_points_forts, part_axes_progression, part_propositions,
        n_points_forts, n_axes_progression, n_propositions, ecart, lecture``, one row per theme in
        codebook order; ``ecart`` = share as strength − share as area for improvement;
        ``lecture`` is "plutôt un point fort", "plutôt un axe de progression" or "équilibré".
    """
    codebook = _codebook(codebook)
    wide_p = coverage.pivot_table(index="theme", columns="champ", values="part_fiches", aggfunc="first")
    wide_n = coverage.pivot_table(index="theme", columns="champ", values="n_fiches", aggfunc="first")
    out = pd.DataFrame({"theme": codebook.codes})
    out["libelle"] = out["theme"].map(codebook.labels())
    for champ in FIELDS:
        p = wide_p[champ] if champ in wide_p.columns else pd.Series(dtype=float)
        n = wide_n[champ] if champ in wide_n.columns else pd.Series(dtype=float)
        out[f"part_{champ}"] = out["theme"].map(p).astype("float64")
        out[f"n_{champ}"] = out["theme"].map(n).fillna(0).astype("int64")
    out["ecart"] = out["part_points_forts"] - out["part_axes_progression"]
    out["lecture"] = np.select(
        [out["ecart"] >= seuil_ecart, out["ecart"] <= -seuil_ecart],
        ["plutôt un point fort", "plutôt un axe de progression"], "équilibré",
    )
    out.loc[out["ecart"].isna(), "lecture"] = "–"
    return out


def specificity_sentences(spec: pd.DataFrame, *, n_max: int = 6) -> list[str]:
    """Plain-French sentences for the significant cells of :func:`group_specificities`.

    Over-represented cells first, by decreasing residual; e.g. « Sports : « Outils et moyens »
    cité dans 60 % des fiches, contre 22 % ailleurs (sur-représenté). »
    """
    sig = spec[spec["sens"] != ""].copy()
    if sig.empty:
        return []
    sig["_o"] = np.where(sig["sens"] == "sur-représenté", 0, 1)
    sig["_a"] = -sig["residu_ajuste"].abs()
    sig = sig.sort_values(["_o", "_a", "groupe", "theme"], kind="stable").head(n_max)
    return [
        f"{_esc(r.libelle_groupe)} : « {_esc(r.libelle)} » cité dans {formats.percent(r.part_fiches, 0)} des fiches "
        f"({formats.number(r.n_fiches)} sur {formats.number(r.n_fiches_groupe)}), contre {formats.percent(r.part_autres, 0)} "
        f"ailleurs ({r.sens})."
        for r in sig.itertuples()
    ]


def emerging_words(emerging: EmergingThemes, texts: pd.Series) -> pd.DataFrame:
    """Top words of each emerging theme written with their accents, for display.

    :func:`emerging_themes` works on accent-free lemmas (``journee``); each is shown as its most
    frequent accented lemma in ``texts`` (the answers given to :func:`emerging_themes`).

    Returns
    -------
    DataFrame
        ``theme_emergent, mots`` (comma-separated, by decreasing weight).
    """
    from collections import Counter

    counts: dict[str, Counter] = {}
    for text in texts.dropna():
        for w in lemmas(text):
            counts.setdefault(strip_accents(w), Counter())[w] += 1
    shown = emerging.topics.assign(
        mot=emerging.topics["mot"].map(lambda m: counts[m].most_common(1)[0][0] if m in counts else m)
    )
    out = shown.groupby("theme_emergent", sort=False)["mot"].apply(", ".join).reset_index()
    return out.rename(columns={"mot": "mots"})


def briefing_display(briefing: pd.DataFrame) -> pd.DataFrame:
    """French display of :func:`proposals_briefing`: theme and counts on the first row of each theme.

    Returns
    -------
    DataFrame
        ``Thème, Fiches, Proposition (caviardée)``; ``Fiches`` reads "30 (30 %)"; later rows of a
        theme leave the first two columns empty; a theme without proposal shows "–".
    """
    rows = []
    for _theme, grp in briefing.groupby("theme", sort=False):
        for i, r in enumerate(grp.itertuples()):
            first = i == 0
            rows.append((
                r.libelle if first else "",
                f"{formats.number(r.n_fiches)} ({formats.percent(r.part_fiches, 0)})" if first else "",
                r.proposition_redigee or "–",
            ))
    return pd.DataFrame(rows, columns=["Thème", "Fiches", "Proposition (caviardée)"])


def uncoded_examples(uncoded: pd.Series, *, n: int = 5,
                     roster: Roster | Iterable[str] | None = None) -> pd.DataFrame:
    """A few redacted answers the codebook leaves uncoded (from :func:`uncoded_answers`).

    Returns
    -------
    DataFrame
        ``champ, citation``: distinct answers, the first ``n`` in key order (form, field), redacted.
    """
    if uncoded is None or uncoded.empty:
        return pd.DataFrame(columns=["champ", "citation"])
    roster = as_roster(roster)
    frame = pd.DataFrame({"cle": uncoded.index.astype(str), "texte": uncoded.to_numpy()})
    frame = frame.drop_duplicates("texte").sort_values("cle", kind="stable").head(n)
    champ = frame["cle"].str.split("|").str[-1].map(lambda c: FIELD_LABELS.get(c, c))
    return pd.DataFrame({"champ": champ.to_numpy(),
                         "citation": [redact(t, roster) for t in frame["texte"]]})


def key_findings(
    fiches: pd.DataFrame,
    strengths: pd.DataFrame,
    ratings: pd.DataFrame,
    types: pd.DataFrame,
    spec_services: pd.DataFrame,
    briefing: pd.DataFrame,
    emerging: EmergingThemes | None = None,
    *,
    date: object = None,
    coder: dict | None = None,
) -> list[str]:
    """French key findings of the immersion report, written from the computed tables.

    Parameters
    ----------
    fiches : DataFrame
        Forms of the milestone.
    strengths : DataFrame
        :func:`strengths_vs_areas`.
    ratings : DataFrame
        :func:`mask_ratings` of :func:`ratings_by_theme` (``ensemble`` rows are used) with a
        ``libelle`` column, or without (theme codes are then shown).
    types : DataFrame
        :func:`type_comparison`.
    spec_services : DataFrame
        :func:`group_specificities` by host service.
    briefing : DataFrame
        :func:`proposals_briefing`.
    emerging : EmergingThemes, optional
    date : date-like, optional
        Date the data are frozen (shown in the first sentence).
    coder : dict, optional
        :func:`ducos_lib.text.coder_summary` of the coder used (version and blind agreement quoted in
        the caution sentence); defaults to the staff codebook's.

    Returns
    -------
    list of str
        Sentences (simple HTML, text escaped), most important first.
    """
    if fiches is None or fiches.empty:
        when = f" au {formats.date(date)}" if date is not None else ""
        return [f"Aucune fiche d'immersion n'est datée avant ce jalon{when} : pas d'analyse possible."]
    out = []
    n = len(fiches)
    types_n = fiches["type_immersion"].astype(str).value_counts()
    n_services = fiches["service_accueil"].nunique()
    when = f" jusqu'au {formats.date(date)}" if date is not None else ""
    out.append(
        f"<strong>{formats.number(n)} fiches d'immersion</strong> analysées{when} : "
        f"{formats.number(types_n.get('inter', 0))} inter-services et {formats.number(types_n.get('intra', 0))} "
        f"intra-service, dans {formats.number(n_services)} services d'accueil."
    )
    s = strengths.dropna(subset=["part_points_forts", "part_axes_progression"])
    if len(s):
        pf = s.sort_values(["part_points_forts"], ascending=False, kind="stable").iloc[0]
        ax = s.sort_values(["part_axes_progression"], ascending=False, kind="stable").iloc[0]
        out.append(
            f"Point fort le plus cité : « {_esc(pf.libelle)} » ({formats.percent(pf.part_points_forts, 0)} des fiches). "
            f"Axe de progression le plus cité : « {_esc(ax.libelle)} » ({formats.percent(ax.part_axes_progression, 0)})."
        )
        gap = s.sort_values("ecart", kind="stable").iloc[0]
        if gap.ecart <= -0.05:
            out.append(
                f"Le thème le plus nettement à améliorer est « {_esc(gap.libelle)} » : cité comme axe de progression "
                f"dans {formats.percent(gap.part_axes_progression, 0)} des fiches, comme point fort dans "
                f"{formats.percent(gap.part_points_forts, 0)} seulement."
            )
    ens = ratings[(ratings["groupe_variable"] == "ensemble") & ratings["moyenne"].notna()] if len(ratings) else ratings
    if len(ens):
        lab = ens["libelle"] if "libelle" in ens.columns else ens["theme"]
        ens = ens.assign(_lab=lab.to_numpy()).sort_values("moyenne", kind="stable")
        lo, hi = ens.iloc[0], ens.iloc[-1]

        def _note(r) -> str:
            ci = (f", IC 95 % {formats.number(r.ic_bas, 1)}–{formats.number(r.ic_haut, 1)}" if pd.notna(r.ic_bas) else "")
            return f"« {_esc(r._lab)} » ({formats.number(r.moyenne, 1)} sur 5{ci})"

        sentence = f"Notes des fiches : la plus basse porte sur {_note(lo)}, la plus haute sur {_note(hi)}"
        if pd.notna(lo.ic_haut) and pd.notna(hi.ic_bas) and lo.ic_haut >= hi.ic_bas:
            sentence += " ; leurs intervalles de confiance se chevauchent : l'écart entre thèmes n'est pas net"
        out.append(sentence + ".")
    sig = types[types["sens"] != ""] if len(types) else types
    if len(sig):
        r = sig.iloc[0]
        more, less = ("les invités venus d'autres services (inter)", "les encadrants dans leur propre équipe (intra)")
        if r.ecart < 0:
            more, less = less, more
        a, b = (r.part_inter, r.part_intra) if r.ecart >= 0 else (r.part_intra, r.part_inter)
        out.append(
            f"Regards différents : {more} citent plus souvent « {_esc(r.libelle)} » que {less} "
            f"({formats.percent(a, 0)} contre {formats.percent(b, 0)} des fiches)."
        )
    elif len(types):
        big = types.assign(_a=types["ecart"].abs()).sort_values("_a", ascending=False, kind="stable").iloc[0]
        out.append(
            "Pas d'écart net entre les invités d'autres services (inter) et les encadrants dans leur propre équipe "
            f"(intra) : la plus grande différence (« {_esc(big.libelle)} », {formats.percent(big.part_inter, 0)} contre "
            f"{formats.percent(big.part_intra, 0)} des fiches) peut tenir au hasard avec ce nombre de fiches."
        )
    sent = specificity_sentences(spec_services, n_max=2) if len(spec_services) else []
    if sent:
        out.append("Services à part : " + " ; ".join(x.rstrip(".") for x in sent) + ".")
    elif len(spec_services):
        out.append("Aucun service d'accueil ne se distingue nettement des autres par les thèmes cités.")
    b = briefing[briefing["n_fiches"] > 0].drop_duplicates("theme") if len(briefing) else briefing
    if len(b):
        top = ", ".join(f"« {_esc(r.libelle)} » ({formats.number(r.n_fiches)} fiches)" for r in b.head(3).itertuples())
        out.append(f"Les propositions portent d'abord sur {top} : c'est la matière du travail avec les experts "
                   "(phase 3).")
    if emerging is not None:
        if emerging.empty:
            out.append(f"{formats.number(emerging.n_documents)} réponses ne relèvent d'aucun thème du codebook : trop peu "
                       "pour dégager des thèmes émergents (quelques exemples sont donnés plus bas).")
        else:
            out.append(f"{formats.number(emerging.k)} thèmes émergents se dégagent des {formats.number(emerging.n_documents)} "
                       "réponses que le codebook ne classe pas (voir la section dédiée).")
    if coder is None:
        coder = coder_summary(load_codebook(codebook_path("immersions")))
    out.append("Prudence : " + coder_sentence(coder))
    return out
