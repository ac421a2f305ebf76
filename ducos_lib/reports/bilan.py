"""Report 06 (« Bilan du programme ») and the objectives block of the index: French labels, status
badges (a symbol, a word and a colour: never the colour alone), display tables and key findings."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..objectives import Objective
from . import formats
from .page import Fragment, esc

#: Status code → (symbol, French word, background, text colour). Light backgrounds with dark text
#: (contrast above 7:1), distinct for colour-blind readers by lightness and by the symbol and the word.
STATUS_STYLE = {
    "atteint": ("✔", "Atteint", "#cfe8dc", "#00492f"),
    "en_progres": ("↗", "En progrès", "#fdeebf", "#5c4300"),
    "non_atteint": ("✘", "Non atteint", "#f7d3c6", "#7a2306"),
    "non_mesurable": ("–", "Non mesurable", "#e4e4e4", "#2f2f2f"),
}
PHASE_LABELS = {"immersions": "Immersions", "mises_en_situation": "Mises en situation",
                "seminaire": "Séminaire (retour d'expérience)", "barometre": "Baromètre des agents"}
ACTIVITY_LABELS = {
    "fiches": "Fiches d'immersion reçues", "fiches_inter": "dont immersions inter-services",
    "fiches_intra": "dont immersions intra-service", "encadrants_accueillis": "Encadrants accueillis en immersion",
    "services_accueil": "Services ayant accueilli une immersion",
    "encadrants_autoevalues": "Encadrants auto-évalués (scènes jouées)",
    "encadrants_paires": "Encadrants évalués avant et après",
    "participants": "Participants au séminaire ayant rendu un bilan", "reponses": "Réponses au baromètre",
}
#: Measures counting agents (masked under the confidentiality threshold, DESIGN §6).
AGENT_COUNTS = {"encadrants_accueillis", "encadrants_autoevalues", "encadrants_paires", "participants"}


def badge(status: object) -> str:
    """``<span>✔ Atteint</span>`` with the status colours (an unknown or missing status: « – »)."""
    symbol, word, bg, fg = STATUS_STYLE.get(str(status), ("", "–", "#ffffff", "#000000"))
    return (f'<span class="ducos-statut ducos-statut-{esc(status)}" style="background:{bg};color:{fg};'
            f'padding:1px 8px;border-radius:10px;white-space:nowrap;font-weight:600">{symbol} {word}</span>')


def status_word(status: object) -> str:
    return STATUS_STYLE.get(str(status), ("", "–"))[1]


def labels(objectives: Sequence[Objective]) -> dict[str, str]:
    return {o.code: o.label for o in objectives}


def target_text(row) -> str:
    """``≥ 70,0 %`` for a level, ``+10,0 points (soit ≥ 34,3 %)`` for a change."""
    sign = "≥" if row.sens > 0 else "≤"
    level = formats.value(row.indicateur, row.cible)
    if row.type_cible == "niveau":
        return f"{sign} {level}"
    change = formats.difference(row.indicateur, row.cible - row.valeur_reference)
    if pd.isna(row.valeur_reference):
        return f"{change} depuis la référence"
    return f"{change} (soit {sign} {level})"


def _html_table(head: Sequence[str], rows: Sequence[Sequence[str]], caption: str, numeric: Sequence[int] = ()) -> Fragment:
    th = "".join(f'<th scope="col" class="{"num" if i in numeric else ""}">{esc(h)}</th>' for i, h in enumerate(head))
    body = "".join("<tr>" + "".join(f'<td class="{"num" if i in numeric else ""}">{c}</td>' for i, c in enumerate(r))
                   + "</tr>" for r in rows)
    return Fragment(f'<table class="ducos-tableau"><caption>{esc(caption)}</caption><thead><tr>{th}</tr></thead>'
                    f"<tbody>{body}</tbody></table>")


def objectives_table(bilan: pd.DataFrame, objectives: Sequence[Objective], milestone: str) -> Fragment:
    """One row per objective and indicator: reference, latest value with its interval, target, status."""
    from ..registry import load_registry

    reg, names = load_registry(), labels(objectives)
    rows = []
    for r in bilan.itertuples():
        interval = formats.interval(r.indicateur, r.ic_bas, r.ic_haut) if r.ic_bas != r.ic_haut else "(recensement)"
        group = "" if r.groupe == "ensemble" else f" — {esc(r.groupe.split(':', 1)[-1])}"
        rows.append([esc(names.get(r.objectif, r.objectif)), esc(reg[r.indicateur].label) + group,
                     f"{esc(r.jalon_reference)} : {formats.value(r.indicateur, r.valeur_reference)}",
                     f"{formats.value(r.indicateur, r.valeur)} {esc(interval) if pd.notna(r.valeur) else ''}",
                     esc(target_text(r)), badge(r.statut)])
    return _html_table(["Objectif", "Indicateur", "Référence", f"Valeur au jalon {milestone} [IC 95 %]", "Cible",
                        "Statut"], rows, f"Objectifs du programme : indicateurs et cibles au jalon {milestone}",
                       numeric=(2, 3))


def status_block(status: pd.DataFrame, objectives: Sequence[Objective], history: pd.DataFrame | None = None) -> Fragment:
    """The objectives' status (index and bilan): one row per objective, its status at each milestone so
    far when ``history`` is given (from :func:`ducos_lib.synthesis.objective_statuses`), else its
    current status with the number of targets reached."""
    names = labels(objectives)
    if history is not None and len(history):
        milestones = [c for c in history.columns if c != "objectif"]
        rows = [[esc(names.get(r["objectif"], r["objectif"])), *[badge(r[m]) if pd.notna(r[m]) else "–" for m in milestones]]
                for _, r in history.iterrows()]
        return _html_table(["Objectif", *milestones], rows, "Statut de chaque objectif aux jalons successifs")
    rows = [[esc(names.get(r.objectif, r.objectif)), badge(r.statut),
             f"{r.n_atteints} sur {r.n_mesurables} mesurable{'s' if r.n_mesurables > 1 else ''} "
             f"({r.n_indicateurs} indicateur{'s' if r.n_indicateurs > 1 else ''})"] for r in status.itertuples()]
    return _html_table(["Objectif", "Statut", "Cibles atteintes"], rows, "Statut de chaque objectif")


STATUS_NOTE = ("Statut d'un indicateur : « atteint » quand tout l'intervalle de confiance à 95 % est du bon côté de la "
               "cible ; « non atteint » quand il est entièrement du mauvais côté, ou quand il contient la cible sans "
               "évolution favorable depuis la référence ; « en progrès » quand il contient la cible et que l'indicateur "
               "a évolué dans le bon sens ; « non mesurable » sans donnée au jalon. Un objectif est atteint quand toutes "
               "ses cibles mesurables le sont, en progrès quand elles sont atteintes ou en progrès. Les chiffres RH "
               "portent sur tous les agents (recensement, sans intervalle).")


def activity_table(activity: pd.DataFrame, seuil: int) -> Fragment:
    """What was done per phase; counts of agents under ``seuil`` are shown as « moins de N »."""
    rows = []
    for r in activity.itertuples():
        value = (f"moins de {seuil}" if r.mesure in AGENT_COUNTS and 0 < r.valeur < seuil
                 else formats.number(r.valeur))
        rows.append([esc(PHASE_LABELS.get(r.phase, r.phase)), esc(ACTIVITY_LABELS.get(r.mesure, r.mesure)), value])
    return _html_table(["Phase", "Réalisation", "Nombre"], rows, "Ce qui a été fait, phase par phase", numeric=(2,))


def key_findings(bilan: pd.DataFrame, status: pd.DataFrame, objectives: Sequence[Objective], milestone: str, *,
                 last: bool, first: str) -> list[str]:
    """Plain-French findings from the computed statuses."""
    names = labels(objectives)
    counts = status["statut"].value_counts()
    head = (f"<strong>Bilan du programme au jalon {esc(milestone)}</strong> (dernier jalon du cycle) : " if last
            else f"<strong>Point d'étape au jalon {esc(milestone)}</strong> : ")
    parts = [f"{counts.get(code, 0)} {status_word(code).lower()}" for code in STATUS_STYLE if counts.get(code, 0)]
    findings = [head + f"sur {len(status)} objectifs, " + ", ".join(parts) + "."]
    for r in status.itertuples():
        findings.append(f"{esc(names.get(r.objectif, r.objectif))} : {badge(r.statut)} ({r.n_atteints} cible(s) "
                        f"atteinte(s) sur {r.n_mesurables} mesurable(s)).")
    if milestone == first:
        findings.append(f"Jalon {esc(first)} : c'est la référence ; les cibles d'évolution ne sont pas encore "
                        "mesurables.")
    missing = bilan[bilan["statut"] == "non_mesurable"]
    if len(missing):
        findings.append(f"{len(missing)} indicateur(s) non mesurable(s) à ce jalon (donnée pas encore collectée ou "
                        "référence absente).")
    return findings
