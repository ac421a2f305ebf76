"""The guide of managerial practices as a French HTML page, with its evidence annex (report 05).

:mod:`ducos_lib.guide` parses the human-edited Markdown and computes the annex's figures; this module
writes the self-contained page (:func:`render_guide`), the published ``guide_annexe.csv``
(:func:`annex_table`) and the report's sentences and display table on the annex
(:func:`guide_findings`, :func:`annex_display`).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..guide import (
    _FENCE,
    _H2,
    _THEMES_LINE,
    Guide,
    Practice,
    _theme_anchor,
    _theme_labels,
    annex_movements,
    guide_evidence,
    parse_guide,
    theme_frequencies,
    theme_proposals,
)
from ..practices import redactor
from . import formats

_EVOLUTION_WORDS = {"no_previous": "–", "new": "nouveau", "absent": "absent aux deux jalons", "stable": "stable"}


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _head(text: str, label: bool) -> str:
    return f"<strong>{_esc(text)}</strong> : " if label else ""


def evolution_text(status: str, difference: Any) -> str:
    """French text of a theme's change since the previous milestone (``statut_evolution`` of
    :func:`ducos_lib.guide.guide_evidence`): ``+5,2 points``, ``stable``, ``nouveau``, ``absent aux
    deux jalons`` or ``–`` without a previous milestone."""
    return _EVOLUTION_WORDS.get(status) or formats.points(difference)


def annex_table(evidence: pd.DataFrame) -> pd.DataFrame:
    """The published ``guide_annexe.csv``: :func:`ducos_lib.guide.guide_evidence` with the change in
    words (``evolution``) in place of its status code."""
    words = [evolution_text(s, d) for s, d in zip(evidence["statut_evolution"], evidence["difference_part"])]
    return evidence.drop(columns=["statut_evolution"]).assign(evolution=words)


@dataclass(frozen=True)
class RenderedGuide:
    """Result of :func:`render_guide`: the HTML path, the parsed guide and the annex's figures
    (``evidence``, :func:`ducos_lib.guide.guide_evidence`); ``annex`` is the published table."""

    path: Path
    guide: Guide
    evidence: pd.DataFrame = field(repr=False)

    @property
    def annex(self) -> pd.DataFrame:
        return annex_table(self.evidence)


_EXTRA_CSS = """
.ducos-guide-meta { color: var(--ducos-gris); font-size: 13px; }
.ducos-guide-themes { background: var(--ducos-fond); padding: 4px 10px; border-radius: 4px; font-size: 14px; }
.ducos-annexe blockquote { border-left: 3px solid #c7d9ee; margin: 6px 0; padding: 2px 12px; color: #24425e; }
.ducos-evolution-nouveau { font-weight: 600; color: #b86e00; }
main > table:not(.ducos-tableau) { border-collapse: collapse; margin: 8px 0 16px; font-size: 13.5px; }
main > table:not(.ducos-tableau) th { background: var(--ducos-fond); text-align: left; padding: 4px 10px;
  border-bottom: 2px solid #c9d1d9; }
main > table:not(.ducos-tableau) td { border-bottom: 1px solid #e1e4e8; padding: 3px 10px; vertical-align: top; }
"""


def _themes_line_html(practice: Practice, labels: Mapping[str, str]) -> str:
    links = ", ".join(f'<a href="#{_theme_anchor(t)}">{html.escape(labels.get(t, t))}</a>' for t in practice.themes)
    return f'<p class="ducos-guide-themes"><strong>Thèmes :</strong> {links}</p>'


def _markdown_to_html(guide: Guide, labels: Mapping[str, str]) -> str:
    """Guide body → HTML; each practice's ``Thèmes :`` line becomes links to the annex."""
    import markdown

    by_line = {p.line: p for p in guide.practices}
    out, current, in_fence = [], None, False
    for offset, line in enumerate(guide.body.splitlines()):
        number = guide.body_first_line + offset
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and _H2.match(line):
            current = by_line.get(number)
            if current is not None:
                out.append(f"## {current.title} {{: #{current.anchor} }}")
                continue
        if current is not None and not in_fence and _THEMES_LINE.match(line):
            out.append("")
            out.append(_themes_line_html(current, labels))
            out.append("")
            continue
        out.append(line)
    return markdown.markdown("\n".join(out), extensions=["extra", "sane_lists"], output_format="html")


def _annex_html(
    annex: pd.DataFrame,
    guide: Guide,
    coding: pd.DataFrame,
    fiches: pd.DataFrame,
    milestone: str,
    previous_milestone: str | None,
    redact: Callable[[str], str],
    labels: Mapping[str, str],
    max_proposals: int,
    uncovered: pd.DataFrame,
    n_previous_forms: int | None = None,
) -> str:
    from . import page

    esc = html.escape
    total = len(set(fiches["id_fiche"].astype(str)))
    since = f"depuis {previous_milestone}" if previous_milestone else "depuis le jalon précédent"
    parts = [f'<section class="ducos-annexe"><h2 id="annexe">Annexe : ce que disent les immersions '
             f"(jalon {esc(milestone)})</h2>"]
    comparison = (f"Comparaison avec le jalon {esc(previous_milestone)}." if previous_milestone
                  else "Pas de jalon précédent : pas de comparaison.")
    parts.append(
        f"<p>Annexe produite à partir des données : {formats.number(total)} fiche(s) d'immersion au jalon "
        f"{esc(milestone)}. Pour chaque thème cité par une pratique : le nombre de fiches qui l'évoquent "
        f"(dans n'importe quelle rubrique), leur part, son évolution, puis les propositions des agents "
        f"codées sur ce thème. {comparison} Les propositions sont anonymisées (noms, téléphones, "
        f"courriels, adresses remplacés). Elles servent aux rédacteurs du guide à repérer ce qu'il faut "
        f"mettre à jour.</p>"
    )
    if total == 0:  # no form yet (e.g. T0): say so plainly, no empty table
        parts[1:] = [
            f"<p>Aucune fiche d'immersion n'est disponible au jalon {esc(milestone)} : l'annexe ne contient "
            "pas encore d'éléments issus des données. Elle sera alimentée dès les premières immersions "
            "(fréquence de chaque thème, propositions des agents, évolution d'un jalon à l'autre).</p>",
            "</section>",
        ]
        return "\n".join(parts)
    has_previous = bool(previous_milestone) and bool(annex["part_precedente"].notna().any())
    moved = guide_findings(annex, milestone=milestone, n_forms=total,
                           previous_milestone=previous_milestone if has_previous else None,
                           n_previous_forms=n_previous_forms, link=None)[1:]
    parts.append(f"<p><strong>À retenir pour la mise à jour du guide :</strong> {' '.join(moved)}</p>")
    shown = ["libelle", "pratiques", "n_fiches", "part_fiches", "n_propositions"] + (["evolution"] if has_previous else [])
    table = annex_table(annex)[shown]
    parts.append(page.table(
        table, caption="Thèmes des pratiques dans les fiches d'immersion",
        formatters={"part_fiches": formats.percent, "n_fiches": formats.number,
                          "n_propositions": formats.number},
        columns={"libelle": "Thème", "pratiques": "Pratiques du guide", "n_fiches": "Fiches (n)",
                  "part_fiches": "Part des fiches", "n_propositions": "Fiches avec proposition",
                  "evolution": f"Évolution {since}"},
    ))
    for row in annex.itertuples(index=False):
        practices = [p for p in guide.practices if row.theme in p.themes]
        links = ", ".join(f'<a href="#{p.anchor}">{esc(p.title)}</a>' for p in practices)
        evol = ('<span class="ducos-evolution-nouveau">nouveau</span>' if row.statut_evolution == "new"
                else esc(evolution_text(row.statut_evolution, row.difference_part)))
        parts.append(f'<h3 id="{_theme_anchor(row.theme)}">{esc(row.libelle)} '
                     f'<span class="ducos-note">({esc(row.theme)})</span></h3>')
        movement = f" ; évolution {esc(since)} : {evol}" if has_previous else ""
        parts.append(f'<p class="ducos-guide-meta">Pratiques : {links}. Évoqué dans '
                     f"{formats.number(row.n_fiches)} fiche(s) sur {formats.number(total)} "
                     f"({formats.percent(row.part_fiches)}){movement}.</p>")
        quotes = theme_proposals(coding, fiches, row.theme, redact)
        if not quotes:
            parts.append('<p class="ducos-note">Aucune proposition codée sur ce thème.</p>')
            continue
        shown = quotes[:max_proposals]
        parts.append("".join(f"<blockquote>{esc(q)}</blockquote>" for q in shown))
        if len(quotes) > len(shown):
            parts.append(f'<p class="ducos-note">… et {formats.number(len(quotes) - len(shown))} autre(s) '
                         "proposition(s) sur ce thème.</p>")
    if len(uncovered):
        items = "".join(
            f"<li>{esc(labels.get(r.theme, r.theme))} ({esc(r.theme)}) : {formats.number(r.n_fiches)} fiche(s), "
            f"{formats.percent(r.part_fiches)}</li>"
            for r in uncovered.itertuples(index=False)
        )
        parts.append("<h3 id=\"themes-non-couverts\">Thèmes du codebook qu'aucune pratique ne cite</h3>"
                     f"<p>Ces thèmes reviennent dans les fiches sans être reliés à une pratique du guide :</p>"
                     f"<ul>{items}</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def _coding_or_empty(coding: pd.DataFrame | None) -> pd.DataFrame:
    if coding is None:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in ("id_fiche", "champ", "theme")})
    return coding


def _fiches_or_empty(fiches: pd.DataFrame | None) -> pd.DataFrame:
    if fiches is None:
        return pd.DataFrame({"id_fiche": pd.Series(dtype="str"), "date_immersion": pd.Series(dtype="datetime64[ns]"),
                             "propositions": pd.Series(dtype="str")})
    return fiches


def render_guide(
    guide_path: Path | str,
    coding: pd.DataFrame | None,
    fiches: pd.DataFrame | None,
    out_path: Path | str,
    milestone: str,
    previous_milestone_data: pd.DataFrame | None = None,
    *,
    previous_milestone: str | None = None,
    milestone_date: Any = None,
    codebook: Any = None,
    redact: Callable[[str], str] | None = None,
    roster: Any = None,
    max_proposals: int = 10,
) -> RenderedGuide:
    """Render the guide to a self-contained French HTML page with its evidence annex.

    Parameters
    ----------
    guide_path : path
        ``guide/guide_pratiques.md`` (see :func:`ducos_lib.guide.parse_guide` for the format).
    coding : DataFrame or None
        The milestone's ``immersions_codage`` (``id_fiche, champ, theme``); None = no form.
    fiches : DataFrame or None
        The milestone's processed ``fiches_immersion`` (``id_fiche``, ``propositions``,
        ``date_immersion``); None (file absent) or empty: the annex says plainly that there is
        no evidence yet, without an empty table.
    out_path : path
        The HTML file to write (atomically), e.g. ``OUT/T12/guide_pratiques.html``.
    milestone : str
        ``T0``, ``T6`` or ``T12``.
    previous_milestone_data : DataFrame, optional
        :func:`ducos_lib.guide.theme_frequencies` at the previous milestone, for the "évolution" column.
    previous_milestone : str, optional
        Its name, shown in the annex.
    milestone_date : date, optional
        Shown in the header ("données arrêtées au …").
    codebook : Codebook, mapping or iterable, optional
        Known themes and their French labels (default ``config/codebook.yml``).
    redact : callable, optional
        Text → redacted text (default :func:`ducos_lib.redaction.redact` with ``roster``); every
        proposal goes through it.
    roster : Roster or iterable of str, optional
        Names of the HR roster for the default redaction: pass
        ``ducos_lib.redaction.load_roster(raw_dir)``, otherwise first names written alone
        ("Mireille m'a expliqué …") are not caught. Ignored when ``redact`` is given.
    max_proposals : int
        Proposals quoted per theme (the most recent forms first).

    Returns
    -------
    RenderedGuide
        The written path, the parsed guide and the annex's figures (:func:`ducos_lib.guide.guide_evidence`), whose
        published form (``annex``, :func:`annex_table`) the
        notebook can write as ``tables/guide_annexe.csv``.

    Notes
    -----
    The page is ``lang="fr"``, uses the reports' stylesheet (``templates/ducos/ducos.css``) inline and
    loads nothing from elsewhere. The Markdown is trusted (edited in the repository); the annex's
    data-driven text is HTML-escaped.
    """
    from ..io import write_text
    from .export import TEMPLATE_DIR, add_table_of_contents

    labels = _theme_labels(codebook)
    coding, fiches = _coding_or_empty(coding), _fiches_or_empty(fiches)
    redact = redact or redactor(roster, texts=fiches["propositions"] if "propositions" in fiches else None)
    guide = parse_guide(guide_path, labels)
    annex = guide_evidence(guide, coding, fiches, previous_milestone_data, codebook=labels)
    freq = theme_frequencies(coding, fiches)
    uncovered = freq[~freq["theme"].isin(guide.themes) & (freq["n_fiches"] > 0)].sort_values(
        ["n_fiches", "theme"], ascending=[False, True], kind="stable")
    body = _markdown_to_html(guide, labels)
    n_prev = None
    if previous_milestone_data is not None and "n_total" in previous_milestone_data and len(previous_milestone_data):
        n_prev = int(previous_milestone_data["n_total"].max())
    annex_html = _annex_html(annex, guide, coding, fiches, milestone, previous_milestone, redact, labels,
                             max_proposals, uncovered, n_prev)
    css = (TEMPLATE_DIR / "ducos" / "ducos.css").read_text(encoding="utf-8") + _EXTRA_CSS
    stamp = (f"Version {html.escape(guide.version)} du {formats.date(guide.date)} · rendu pour le jalon "
             f"{html.escape(milestone)}")
    if milestone_date is not None:
        stamp += f" (données arrêtées au {formats.date(milestone_date)})"
    stamp += f" le {formats.date(pd.Timestamp.now())}."
    page = (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="Observatoire qualité de Ducos">\n'
        f"<title>{html.escape(guide.title)} — version {html.escape(guide.version)}</title>\n"
        f"<style>\n{css}\n</style>\n</head>\n"
        '<body class="ducos-rapport">\n<header class="ducos-bandeau"><span>Observatoire qualité — Ville de Ducos'
        "</span></header>\n<main>\n"
        f"{body}\n{annex_html}\n</main>\n"
        '<footer class="ducos-provenance">Guide source : '
        f"{html.escape(guide.path.name)} (version {html.escape(guide.version)}). Annexe générée par "
        "l'Observatoire qualité à partir des fiches d'immersion codées selon le codebook.</footer>\n"
        "</body>\n</html>\n"
    )
    if "</h1>" not in page:
        page = page.replace("<main>\n", f"<main>\n<h1>{html.escape(guide.title)}</h1>\n", 1)
    page = add_table_of_contents(page)  # after the title (no marker: report.py's offset assumes none)
    head, _, tail = page.partition("</h1>")  # version stamp right under the title, before the contents
    page = f'{head}</h1>\n<p class="ducos-guide-meta">{stamp}</p>{tail}'
    write_text(page, out_path)
    return RenderedGuide(Path(out_path), guide, annex)


def guide_findings(
    annex: pd.DataFrame,
    *,
    milestone: str,
    n_forms: int,
    previous_milestone: str | None = None,
    n_previous_forms: int | None = None,
    threshold: float = 0.02,
    min_forms: int = 20,
    link: str | None = "guide_pratiques.html",
    label: bool = True,
) -> list[str]:
    """Sentences on the guide's evidence annex: how many forms, which themes rose or fell.

    Parameters
    ----------
    annex : DataFrame
        The annex's figures: ``RenderedGuide.evidence`` (:func:`ducos_lib.guide.guide_evidence`).
    milestone, previous_milestone : str
        The milestone and the one the annex compares with (None at the first milestone).
    n_forms : int
        Immersion forms behind the annex.
    n_previous_forms : int, optional
        Forms at the previous milestone (:func:`ducos_lib.guide.count_forms`); with fewer than ``min_forms`` on
        either side, a sentence warns that the shares and their changes are very uncertain.
    threshold : float
        See :func:`ducos_lib.guide.annex_movements`.
    min_forms : int
        Fewer forms than this trigger the warning (default 20).
    link : str, optional
        When given, the first sentence links to the rendered guide.
    label : bool
        Start the first sentence with « Guide des pratiques : ».

    Returns
    -------
    list of str
        Simple HTML.
    """
    guide = f'<a href="{_esc(link)}">guide des pratiques managériales</a>' if link else "guide des pratiques managériales"
    lead = f"{_head('Guide des pratiques', True)}le" if label else "Le"
    if n_forms == 0:
        return [f"{lead} {guide} est rendu pour le jalon {_esc(milestone)}, mais aucune fiche d'immersion n'est "
                "encore disponible : son annexe ne contient pas encore d'éléments."]
    out = [f"{lead} {guide} est rendu avec une annexe tirée de {formats.number(n_forms)} fiche(s) d'immersion."]
    first = previous_milestone is None or annex["part_precedente"].isna().all()
    if first:
        top = annex.sort_values(["n_fiches", "theme"], ascending=[False, True], kind="stable").iloc[0]
        out.append(f"Premier jalon de l'annexe : le thème le plus fréquent est « {_esc(top['libelle'])} » "
                   f"({formats.percent(top['part_fiches'], 0)} des fiches) ; les évolutions seront suivies à "
                   "partir du jalon suivant.")
    few = [f"{formats.number(n)} fiche(s) au jalon {_esc(m)}"
           for n, m in ((n_forms, milestone), (None if first else n_previous_forms, previous_milestone))
           if n is not None and n < min_forms]
    caution = (f"Prudence : avec seulement {formats.enumeration(few)}, ces parts "
               f"{'' if first else 'et leurs évolutions '}sont très incertaines (une fiche pèse beaucoup)."
               if few else None)
    if first:
        return out + ([caution] if caution else [])
    moves = annex_movements(annex, threshold=threshold)

    def item(row) -> str:
        return f"{_esc(row.libelle)} ({evolution_text(row.statut_evolution, row.difference_part)})"

    pts = formats.number(threshold * 100)
    parts = []
    if len(moves["hausse"]):
        parts.append(f"en hausse : {formats.enumeration([item(r) for r in moves['hausse'].itertuples()])}")
    if len(moves["baisse"]):
        parts.append(f"en baisse : {formats.enumeration([item(r) for r in moves['baisse'].itertuples()])}")
    if len(moves["nouveau"]):
        parts.append(f"nouveaux : {formats.enumeration([_esc(r.libelle) for r in moves['nouveau'].itertuples()])}")
    if parts:
        out.append(f"Depuis {_esc(previous_milestone)}, part des fiches qui évoquent chaque thème — "
                   + " ; ".join(parts) + f". Les autres thèmes varient de moins de {pts} points.")
    else:
        out.append(f"Depuis {_esc(previous_milestone)}, aucun thème ne varie de {pts} points ou plus dans les fiches.")
    return out + ([caution] if caution else [])


def annex_display(annex: pd.DataFrame, *, previous_milestone: str | None = None) -> pd.DataFrame:
    """The annex for the report, largest rise first, with French headers: theme, forms, share and —
    only when there is a previous milestone — its share then and the change."""
    annex = annex_table(annex)
    cols = {"libelle": "Thème", "n_fiches": "Fiches qui l'évoquent", "part_fiches": "Part des fiches"}
    if previous_milestone is not None and annex["part_precedente"].notna().any():
        cols.update({"part_precedente": f"Part au jalon {previous_milestone}",
                     "evolution": f"Évolution depuis {previous_milestone}"})
        ordered = annex.sort_values("difference_part", ascending=False, kind="stable", na_position="first")
    else:
        ordered = annex.sort_values(["n_fiches", "libelle"], ascending=[False, True], kind="stable")
    out = ordered[list(cols)].rename(columns=cols).reset_index(drop=True)
    for col in out.columns:
        if col.startswith("Part "):
            out[col] = out[col].map(formats.percent)
    return out
