"""What report 05 (``05_pratiques_manageriales``) says about phases 4–5, in French.

The numbers come from :mod:`ducos_lib.practices` (self-evaluations, seminar review); this module
turns them into key-finding sentences, display tables with French headers, effect sizes in words and
alt texts. The guide of practices and its annex are in :mod:`ducos_lib.reports.guide`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ..practices import (
    BANDS,
    CommentThemeSummary,
    paired_ratings,
    self_evaluation_status,
    self_evaluation_table,
    seminar_summary,
)
from . import formats

#: French labels of the bands for the self-evaluations (1 = faible … 5 = très bonne).
BAND_LABELS_SELF = {"1–2": "1–2 (faible)", "3": "3 (moyen)", "4–5": "4–5 (élevé)"}
#: French labels of the bands for the seminar (1 = très insatisfait … 5 = très satisfait).
BAND_LABELS_SEMINAR = {"1–2": "1–2 (insatisfait)", "3": "3 (moyen)", "4–5": "4–5 (satisfait)"}
#: Word shown in place of a masked figure.
SECRET = "secret"
#: How a Wilcoxon p-value was computed (``WilcoxonResult.method``), in French.
METHOD_LABELS = {
    "exact": "loi exacte de Wilcoxon",
    "permutation": "permutations exhaustives des signes (loi exacte conditionnelle aux ex-aequo)",
    "asymptotic": "approximation normale corrigée des ex-aequo",
    "none": "aucune différence non nulle (p = 1)",
}


def _threshold(threshold: int | None) -> int:
    from ..privacy import confidentiality_threshold

    return confidentiality_threshold(threshold)


def _sorted_fr(values) -> list[str]:
    from ..io import strip_accents

    return sorted((str(v) for v in values), key=lambda v: (strip_accents(v).lower(), v))


def _theme_labels(codebook: Any) -> dict[str, str]:
    from ..guide import _theme_labels as labels

    return labels(codebook)


EFFECT_SIZE_BOUNDS = ((0.1, "négligeable"), (0.3, "faible"), (0.5, "moyen"), (math.inf, "fort"))


def _has_rows(frame: pd.DataFrame | None) -> bool:
    return frame is not None and len(frame) > 0


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _head(text: str, label: bool) -> str:
    return f"<strong>{_esc(text)}</strong> : " if label else ""


def effect_size_words(r: float) -> str:
    """French reading of a matched-pairs rank-biserial correlation.

    ``|r|`` below 0.1 is « négligeable », below 0.3 « faible », below 0.5 « moyen », otherwise
    « fort » (Cohen's conventions for a correlation); the direction is added when not negligible:
    « fort, en hausse » / « faible, en baisse ». NaN gives « – ».

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., ch. 3.

    Examples
    --------
    >>> effect_size_words(0.62), effect_size_words(-0.2), effect_size_words(0.05)
    ('fort, en hausse', 'faible, en baisse', 'négligeable')
    """
    if r is None or (isinstance(r, float) and math.isnan(r)) or pd.isna(r):
        return "–"
    size = next(word for bound, word in EFFECT_SIZE_BOUNDS if abs(float(r)) < bound)
    if size == "négligeable":
        return size
    return f"{size}, en {'hausse' if r > 0 else 'baisse'}"


def self_evaluation_display(table: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """The report's table of self-evaluations: :func:`ducos_lib.practices.self_evaluation_table` plus the change of
    mean (``ecart``), the effect size in words (``lecture``) and whether the change is clear
    (``nette``: « oui » when the adjusted p-value is below ``alpha``, « non » otherwise, « – »
    without test). Rows without test are kept (their figures show « – »).

    Works as well on :func:`ducos_lib.practices.self_evaluation_by_direction` (its ``direction`` column is kept first).
    """
    cols = (["direction"] if "direction" in table.columns else []) + [
        "competence", "n_paires", "moyenne_avant", "moyenne_apres", "ecart", "p_valeur", "p_ajustee",
        "nette", "taille_effet", "lecture"]
    clear = table["p_ajustee"].map(lambda p: "–" if pd.isna(p) else ("oui" if p < alpha else "non"))
    out = table.assign(ecart=table["moyenne_apres"] - table["moyenne_avant"],
                       lecture=table["taille_effet"].map(effect_size_words), nette=clear)
    return out[cols].reset_index(drop=True)


#: French headers of :func:`self_evaluation_display` for ``report.tableau``.
SELF_EVALUATION_HEADERS = {
    "direction": "Direction", "competence": "Compétence", "n_paires": "Encadrants (paires complètes)",
    "moyenne_avant": "Moyenne avant", "moyenne_apres": "Moyenne après", "ecart": "Écart",
    "p_valeur": "p (Wilcoxon)", "p_ajustee": "p ajustée (Holm)", "nette": "Évolution nette ?",
    "taille_effet": "Taille d'effet (r)",
    "lecture": "Lecture de l'effet",
}


def self_evaluation_formats(threshold: int | None = None) -> dict[str, Callable[[Any], str]]:
    """Column → French formatter for :func:`self_evaluation_display` in :func:`ducos_lib.reports.page.table`; a masked
    ``n_paires`` (1 to ``threshold − 1`` pairs) reads « moins de 5 »."""
    threshold = _threshold(threshold)
    two = lambda v: formats.number(v, 2)  # noqa: E731
    return {"moyenne_avant": two, "moyenne_apres": two, "ecart": formats.signed, "p_valeur": formats.pvalue,
            "p_ajustee": formats.pvalue, "taille_effet": lambda v: formats.signed(v, 2),
            "n_paires": lambda v: f"moins de {threshold}" if pd.isna(v) else formats.number(v)}


def self_evaluation_findings(
    autoevaluations: pd.DataFrame | None,
    *,
    milestone: str,
    table: pd.DataFrame | None = None,
    by_direction: pd.DataFrame | None = None,
    alpha: float = 0.05,
    threshold: int | None = None,
    label: bool = True,
) -> list[str]:
    """Key findings (French sentences, simple HTML) on the managers' self-evaluations.

    Parameters
    ----------
    autoevaluations : DataFrame or None
        Processed ``autoevaluations`` of the milestone.
    milestone : str
        Named in the sentences.
    table, by_direction : DataFrame, optional
        :func:`ducos_lib.practices.self_evaluation_table` and :func:`ducos_lib.practices.self_evaluation_by_direction` (computed when
        ``table`` is None; ``by_direction`` only adds a sentence).
    alpha : float
        Level applied to the Holm-adjusted p-values.
    label : bool
        Start the first sentence with « Auto-évaluations (phase 4) : » (for the key findings box;
        False inside the section).

    Returns
    -------
    list of str
        One to four sentences: the phase has not happened yet, or the number of managers and
        competences, which rose or fell significantly (adjusted p < ``alpha``) with their means
        and effect, the largest change, and the directions shown.
    """
    threshold = _threshold(threshold)
    status = self_evaluation_status(autoevaluations, threshold=threshold)
    head = _head("Auto-évaluations (phase 4)", label)
    if status == "absent":
        return [f"{head}les mises en situation n'ont pas encore eu lieu au jalon {_esc(milestone)} : aucune "
                "auto-évaluation n'est disponible. Cette partie sera remplie après les mises en situation."]
    if status == "before_only":
        n = autoevaluations.loc[autoevaluations["note"].notna(), "id_cadre"].nunique()
        who = f"{formats.number(n)} encadrants" if n >= threshold else f"moins de {threshold} encadrants"
        return [f"{head}{who} se sont auto-évalués avant les mises en situation, mais aucune auto-évaluation "
                f"« après » n'est encore disponible au jalon {_esc(milestone)} : la comparaison avant/après "
                "viendra au jalon suivant."]
    if status == "below_threshold":
        return [f"{head}moins de {threshold} encadrants ont une auto-évaluation avant et après pour chaque compétence ; "
                "par confidentialité, aucun résultat n'est publié."]
    table = self_evaluation_table(autoevaluations, threshold=threshold) if table is None else table
    pairs = paired_ratings(autoevaluations)
    tested = table[table["p_ajustee"].notna()]
    n_managers = pairs.loc[pairs["competence"].isin(tested["competence"]), "id_cadre"].nunique()
    up = tested[(tested["p_ajustee"] < alpha) & (tested["taille_effet"] > 0)].sort_values(
        "taille_effet", ascending=False, kind="stable")
    down = tested[(tested["p_ajustee"] < alpha) & (tested["taille_effet"] < 0)].sort_values(
        "taille_effet", kind="stable")
    flat = tested[tested["p_ajustee"] >= alpha]

    def describe(row) -> str:
        return (f"{_esc(row.competence)} ({formats.number(row.moyenne_avant, 2)} → "
                f"{formats.number(row.moyenne_apres, 2)} sur 5, effet {effect_size_words(row.taille_effet)})")

    out = [f"{head}{formats.number(n_managers)} encadrants se sont "
           f"auto-évalués avant et après les mises en situation sur {formats.number(len(tested))} compétence(s)."]
    if len(up):
        out.append(f"Progression nette (p ajustée &lt; {formats.number(alpha, 2)}) pour "
                   f"{formats.number(len(up))} compétence(s) sur {formats.number(len(tested))} : "
                   f"{formats.enumeration([describe(r) for r in up.itertuples()])}.")
    else:
        out.append("Aucune compétence ne progresse de façon nette (aucune p ajustée inférieure à "
                   f"{formats.number(alpha, 2)}).")
    if len(down):
        out.append(f"<strong>Baisse nette</strong> pour {formats.enumeration([describe(r) for r in down.itertuples()])}.")
    if len(flat):
        out.append(f"Pas d'évolution nette pour {formats.enumeration([_esc(c) for c in flat['competence']])}.")
    hidden = table[table["p_ajustee"].isna()]
    if len(hidden):
        out.append(f"Non publié (moins de {threshold} paires complètes) : {formats.enumeration([_esc(c) for c in hidden['competence']])}.")
    if by_direction is not None:
        if len(by_direction):
            dirs = _sorted_fr(by_direction["direction"].unique())
            out.append(f"Résultats par direction publiés pour {formats.enumeration([_esc(d) for d in dirs])} (seules "
                       f"directions atteignant {threshold} encadrants par compétence).")
        else:
            out.append(f"Aucune direction n'atteint {threshold} encadrants par compétence : pas de résultat par direction.")
    return out


def alt_dumbbell(table: pd.DataFrame) -> str:
    """Alt text of :func:`ducos_lib.reports.charts.dumbbell_before_after` (what it shows and its reading)."""
    shown = table[table["moyenne_avant"].notna() & table["moyenne_apres"].notna()]
    if shown.empty:
        return "Graphique vide : aucune compétence n'a assez de paires avant/après."
    change = (shown["moyenne_apres"] - shown["moyenne_avant"])
    best = shown.loc[change.idxmax()]
    worst = shown.loc[change.idxmin()]
    n_up = int((change > 0).sum())
    text = (f"Graphique en haltères : note moyenne d'auto-évaluation avant (rond) et après (losange) les mises en "
            f"situation pour {len(shown)} compétences. {n_up} sur {len(shown)} montent. Plus forte hausse : "
            f"{best['competence']} ({formats.number(best['moyenne_avant'], 2)} → "
            f"{formats.number(best['moyenne_apres'], 2)}).")
    if worst["competence"] != best["competence"]:
        text += (f" Plus faible évolution : {worst['competence']} ({formats.signed(change.min())}).")
    return text


def rating_distribution_display(dist: pd.DataFrame) -> pd.DataFrame:
    """:func:`ducos_lib.practices.rating_distribution` with a ``groupe`` label per bar (« Écoute · avant »), competences in
    French order, « avant » above « après »: the input of :func:`ducos_lib.reports.charts.rating_distribution`
    (``level="bande"``; masked bands keep ``masque`` = True and a missing ``part``)."""
    temps = {"avant": "avant", "apres": "après"}
    return dist.assign(groupe=dist["competence"].astype(str) + " · " + dist["temps"].map(temps))


def distribution_table(dist: pd.DataFrame, group: str, labels: Mapping[str, str], *,
                       group_header: str, total_header: str) -> pd.DataFrame:
    """Band distributions as a French text table: one row per ``group``, the total, then one column
    per band « 41 % (11) » or « secret » where the band is masked (:func:`ducos_lib.practices.mask_bands`).

    Parameters
    ----------
    dist : DataFrame
        :func:`rating_distribution_display` or :func:`ducos_lib.practices.seminar_distribution` (``bande, n, n_total,
        part, masque`` and the ``group`` column).
    group : str
        Column naming each distribution (``groupe``, ``libelle``).
    labels : mapping
        Band code → French header (:data:`BAND_LABELS_SELF`, :data:`BAND_LABELS_SEMINAR`).
    group_header, total_header : str
        French headers of the first two columns.
    """
    rows = []
    for name, sub in dist.groupby(group, sort=False):
        cells = {}
        for r in sub.itertuples(index=False):
            cells[labels.get(r.bande, r.bande)] = (SECRET if r.masque else
                                                   f"{formats.percent(r.part, 0)} ({formats.number(r.n)})")
        rows.append({group_header: name, total_header: formats.number(sub["n_total"].iloc[0]), **cells})
    return pd.DataFrame(rows, columns=[group_header, total_header] + [labels.get(b, b) for b in BANDS])


def _secret_note(dist: pd.DataFrame, who: str, threshold: int) -> str:
    n = int(dist["masque"].sum()) if len(dist) else 0
    if n == 0:
        return ""
    return (f" Les tranches portant sur moins de {threshold} {who}, et celles masquées pour qu'on ne puisse pas les "
            "retrouver par différence avec le total, sont regroupées en un segment hachuré « secret » dont la "
            "taille ne dit rien de chaque tranche.")


def alt_rating_distribution(dist: pd.DataFrame, *, threshold: int | None = None) -> str:
    """Alt text of the stacked bars of self-ratings before/after (share of ratings 4–5 where published)."""
    if dist.empty:
        return "Graphique vide : aucune compétence n'a assez de paires avant/après."
    threshold = _threshold(threshold)
    n_comp = dist["competence"].nunique()
    high = dist[dist["bande"] == "4–5"].pivot_table(index="competence", columns="temps", values="part",
                                                    aggfunc="first", dropna=False)
    high = high.reindex(columns=["avant", "apres"]).dropna()
    text = (f"Barres empilées à 100 % : répartition des notes en trois tranches (1–2 faible, 3 moyen, 4–5 élevé) "
            f"avant et après les mises en situation, pour {n_comp} compétences.")
    if len(high):
        text += (f" Sur les {len(high)} compétence(s) où la tranche 4–5 est publiée avant et après, la part des "
                 f"notes 4 ou 5 passe en moyenne de {formats.percent(high['avant'].mean(), 0)} avant à "
                 f"{formats.percent(high['apres'].mean(), 0)} après.")
    return text + _secret_note(dist, "encadrants", threshold)


def seminar_display(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`ducos_lib.practices.seminar_summary` as French text columns for the report: item, answers, mean with its
    interval, share satisfied with its interval (method named in the header by the notebook); a
    masked share (band 4–5 masked, see :func:`ducos_lib.practices.seminar_summary`) reads « secret »."""
    def interval(low, high, fmt) -> str:
        return "–" if pd.isna(low) or pd.isna(high) else f"{fmt(low)} – {fmt(high)}"

    one = lambda v: formats.number(v, 1)  # noqa: E731
    rows = [(r.libelle, r.n_reponses, formats.number(r.moyenne, 2), interval(r.moyenne_ic_bas, r.moyenne_ic_haut, one),
             SECRET if pd.isna(r.part_satisfaits) else formats.percent(r.part_satisfaits),
             SECRET if pd.isna(r.part_satisfaits) else interval(r.ic_bas, r.ic_haut, formats.percent))
            for r in summary.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["Aspect évalué", "Réponses", "Note moyenne (sur 5)", "IC à 95 % de la moyenne",
                                       "Part de satisfaits (4 ou 5)", "IC à 95 % de la part"])


def comment_themes_display(
    summary: CommentThemeSummary, *, codebook: Any = None, threshold: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seminar's comment themes for the report: counts and quotes with French theme labels.

    Themes cited by no comment are left out; a theme cited by fewer than ``threshold`` comments shows
    « moins de 5 » instead of its count and share (figures on fewer than ``threshold`` agents are not
    published, DESIGN §6). Returns ``(counts, quotes)``: ``Thème, Commentaires, Part des
    commentaires`` (text) and ``Thème, Citation (anonymisée)``.
    """
    threshold = _threshold(threshold)
    labels = _theme_labels(codebook)
    counts = summary.counts[summary.counts["n_commentaires"] > 0]
    rows = []
    for r in counts.itertuples(index=False):
        small = r.n_commentaires < threshold
        rows.append((labels.get(r.theme, r.theme), f"moins de {threshold}" if small else formats.number(r.n_commentaires),
                     "–" if small else formats.percent(r.part)))
    table = pd.DataFrame(rows, columns=["Thème", "Commentaires", "Part des commentaires"])
    quotes = summary.quotes.assign(theme=summary.quotes["theme"].map(lambda t: labels.get(t, t)))
    quotes = quotes.rename(columns={"theme": "Thème", "citation": "Citation (anonymisée)"})
    return table, quotes[["Thème", "Citation (anonymisée)"]].reset_index(drop=True)


def seminar_findings(
    bilan: pd.DataFrame | None,
    *,
    milestone: str,
    summary: pd.DataFrame | None = None,
    themes: CommentThemeSummary | None = None,
    codebook: Any = None,
    threshold: int | None = None,
    label: bool = True,
) -> list[str]:
    """Key findings (French sentences, simple HTML) on the seminar's review.

    Parameters
    ----------
    bilan : DataFrame or None
        Processed ``bilan_seminaire`` of the milestone.
    summary : DataFrame, optional
        :func:`ducos_lib.practices.seminar_summary` (computed when None).
    themes : CommentThemeSummary, optional
        :func:`ducos_lib.practices.comment_themes` of the comments; adds the most cited theme (when cited by at least
        ``threshold`` comments).
    label : bool
        Start the first sentence with « Séminaire (phase 5) : ».

    Returns
    -------
    list of str
        The seminar has not happened yet; or the number of participants, the share satisfied overall
        with its interval and method, the best and worst rated aspects, and the main comment theme.
    """
    threshold = _threshold(threshold)
    head = _head("Séminaire (phase 5)", label)
    if not _has_rows(bilan):
        return [f"{head}le séminaire des agents n'a pas encore eu lieu au jalon {_esc(milestone)} : son bilan sera "
                "présenté dès que les participants l'auront évalué."]
    summary = seminar_summary(bilan, threshold=threshold) if summary is None else summary
    dates = formats.enumeration([formats.date(d) for d in sorted(bilan["date"].dropna().unique())]) if "date" in bilan else ""
    if summary.empty:
        return [f"{head}moins de {threshold} participants ont évalué le séminaire ; "
                "par confidentialité, aucun résultat n'est publié."]
    by_item = summary.set_index("item")
    first = by_item.loc["note_globale"] if "note_globale" in by_item.index else by_item.iloc[0]
    lead = (f"{head}{formats.number(len(bilan))} participants ont évalué le "
            f"séminaire{' du ' + dates if dates else ''}. {_esc(first['libelle'])} : ")
    if pd.isna(first["part_satisfaits"]):
        out = [f"{lead}note moyenne {formats.number(first['moyenne'], 1)} sur 5 ; la part de satisfaits n'est pas "
               f"publiée (secret statistique : moins de {threshold} participants d'un côté ou de l'autre)."]
    else:
        out = [f"{lead}<strong>{formats.percent(first['part_satisfaits'], 0)} de satisfaits</strong> (note 4 ou 5 ; "
               f"intervalle de confiance à 95 % de {formats.percent(first['ic_bas'], 0)} à "
               f"{formats.percent(first['ic_haut'], 0)}, méthode de {_esc(first['methode_ic'])}), note moyenne "
               f"{formats.number(first['moyenne'], 1)} sur 5."]
    others = summary[(summary["item"] != "note_globale") & summary["part_satisfaits"].notna()]
    if len(others) >= 2:
        best = others.loc[others["part_satisfaits"].idxmax()]
        worst = others.loc[others["part_satisfaits"].idxmin()]
        if best["item"] != worst["item"]:
            out.append(f"Aspect le mieux noté : {_esc(best['libelle'].lower())} "
                       f"({formats.percent(best['part_satisfaits'], 0)} de satisfaits) ; le moins bien noté : "
                       f"{_esc(worst['libelle'].lower())} ({formats.percent(worst['part_satisfaits'], 0)}).")
    if themes is not None and len(themes.counts) and themes.counts["n_total"].max() > 0:
        top = themes.counts.iloc[0]
        labels = _theme_labels(codebook)
        n_total = int(top["n_total"])
        who = commenters_text(n_total, len(bilan), threshold=threshold)
        if top["n_commentaires"] >= threshold:
            out.append(f"{who} ont laissé un commentaire ; le thème le plus cité "
                       f"est « {_esc(labels.get(top['theme'], top['theme']))} » "
                       f"({formats.number(top['n_commentaires'])} commentaires, "
                       f"{formats.percent(top['part'], 0)}).")
        else:
            out.append(f"{who} ont laissé un commentaire ; aucun thème n'y revient "
                       f"{threshold} fois ou plus.")
    return out


def alt_seminar_distribution(dist: pd.DataFrame, summary: pd.DataFrame, *, threshold: int | None = None) -> str:
    """Alt text of the stacked bars of the seminar's ratings (three bands, masked bands named)."""
    if summary.empty:
        return "Graphique vide : pas assez de réponses au bilan du séminaire."
    threshold = _threshold(threshold)
    text = (f"Barres empilées à 100 % : répartition des notes données au séminaire en trois tranches (1–2 "
            f"insatisfait, 3 moyen, 4–5 satisfait) pour {len(summary)} aspects "
            f"({formats.enumeration([str(x).lower() for x in summary['libelle']])}).")
    shown = summary[summary["part_satisfaits"].notna()]
    if len(shown):
        best = shown.loc[shown["part_satisfaits"].idxmax()]
        worst = shown.loc[shown["part_satisfaits"].idxmin()]
        text += (f" Part de notes 4 ou 5 la plus élevée : {str(best['libelle']).lower()} "
                 f"({formats.percent(best['part_satisfaits'], 0)}) ; la plus faible : "
                 f"{str(worst['libelle']).lower()} ({formats.percent(worst['part_satisfaits'], 0)}).")
    return text + _secret_note(dist, "participants", threshold)


def commenters_text(n_comments: int, n_participants: int, *, threshold: int | None = None) -> str:
    """« 29 participants sur 60 » without a figure about fewer than ``threshold`` agents (DESIGN §6).

    When 1 to ``threshold − 1`` participants left a comment: « moins de 5 participants sur 60 »; when 1 to
    ``threshold − 1`` did not: « plus de 55 participants sur 60 » (the complement would be a small count).

    Examples
    --------
    >>> commenters_text(3, 60, threshold=5), commenters_text(58, 60, threshold=5), commenters_text(29, 60, threshold=5)
    ('moins de 5 participants sur 60', 'plus de 55 participants sur 60', '29 participants sur 60')
    """
    threshold = _threshold(threshold)
    of = f"participants sur {formats.number(n_participants)}"
    if 0 < n_comments < threshold:
        return f"moins de {threshold} {of}"
    if 0 < n_participants - n_comments < threshold:
        return f"plus de {formats.number(n_participants - threshold)} {of}"
    return f"{formats.number(n_comments)} {of}"


