"""Synthetic sample data: every raw file of DESIGN.md §3 for the three milestones.

``write_sample(out_dir, scale=1, seed=DEFAULT_SEED)`` writes a raw folder that looks like what the
town hall of Ducos really sends (CSV in Windows-1252 with ``;`` and decimal comma, UTF-8 CSV, XLSX
with Excel dates, human column headers, Likert labels, service aliases, messy free text) and that
carries known structure so every analysis has something true to find. The output depends only on
``scale`` and ``seed`` (numpy ``Generator``; no clock, locale or hash-order dependence): two runs give
byte-identical files, XLSX included (fixed workbook properties and zip timestamps).

Files written (``scale`` multiplies the row counts of survey answers, forms, agents, absences,
self-evaluations and seminar attendees; services, margins and monthly indicators are fixed):

==============================  ======  ==================  ====  ==============  ================
file                            format  encoding            sep   decimal / date  rows at scale 1
==============================  ======  ==================  ====  ==============  ================
``calendrier.csv``              CSV     UTF-8               ``,`` ISO dates       3
``services.csv``                CSV     UTF-8               ``,`` --              16
``population_reference.csv``    CSV     UTF-8               ``,`` --              17
``enquete_usagers.csv``         CSV     Windows-1252, CRLF  ``;`` JJ/MM/AAAA      1,050 (3 x 350)
``fiches_immersion.xlsx``       XLSX    --                  --    Excel dates     100
``rh_agents.csv``               CSV     Windows-1252, CRLF  ``;`` comma, JJ/MM    847 (3 extr.)
``rh_absences.csv``             CSV     UTF-8               ``,`` ISO dates       1,814
``indicateurs_services.csv``    CSV     UTF-8 with BOM      ``;`` comma, AAAA-MM  1,104
``autoevaluations.xlsx``        XLSX    --                  --    Excel dates     340
``bilan_seminaire.csv``         CSV     UTF-8               ``,`` JJ/MM/AAAA      60
``barometre_agents.csv``        CSV     UTF-8               ``;`` JJ/MM/AAAA      308 (2 waves)
``LISEZMOI.md``                 text    UTF-8               --    --              (not data)
==============================  ======  ==================  ====  ==============  ================

Headers: ``enquete_usagers``, ``fiches_immersion``, ``rh_agents``, ``autoevaluations`` use human
spellings ("Id répondant", "Date de réponse", "Tranche d'âge", "Cadre d'emplois", "Service d'accueil",
"Note cohésion équipe", "Compétence"...) that normalise (case, accents, punctuation, particles
de/d'/du) to the §3 names; the other files use the §3 names directly. Survey comments may hold a
line break inside a quoted field; "line" below always means the spreadsheet row (header = 1).

Calendar and extractions
------------------------
Milestones T0 2025-11-14, T6 2026-05-15, T12 2026-11-13. HR extractions 2025-11-01, 2026-05-01,
2026-11-01. Each extraction lists the agents present on its date plus those who left since the
previous extraction (for the first one: in the 12 months before it) with ``date_sortie`` and
``motif_sortie``; ``nom`` is upper case. Absences run from 2024-09-01 to 2026-11-12 (some cross the
edges of the 12-month windows). Survey fieldwork: the four weeks before each milestone. Immersion
forms: 5 % pilots in the five weeks before T0, 40 % between T0 and T6, the rest before T12.
Self-evaluations: "avant" in June-July 2026, "apres" in September-October 2026. Seminar: 2026-10-09.
Staff barometer (:mod:`._barometer`): waves T0 and T12, answered in the three weeks before the milestone
by about 55 % of the agents present (35 % in the technical direction, 85-90 % in the resources
direction and the general direction). ``write_sample(..., cycle=2)`` writes a second cycle
(:mod:`._cycles`), committed in ``data/raw/sample_cycle2``.

Planted structure (what analyses must find)
-------------------------------------------
* **Sampling bias.** Respondents are drawn from the population margins with selection factors:
  women x1.35 / men x0.75; 15-29 x0.45, 30-44 x0.8, 60-74 x1.6, 75+ x1.4; quartiers Bourg x1.7,
  Canal x1.2 over-represented, Génipa x0.5 and Pays Mêlé x0.6 under-represented. Satisfaction rises
  with age (latent 15-29 -0.45 ... 75+ +0.5), is a little higher for women (+0.1) and in the Bourg
  (+0.2), lower in Génipa (-0.25) and Pays Mêlé (-0.2), so unweighted figures overstate satisfaction
  and raking lowers them (committed sample, T0: mean 3.70 unweighted, about 3.50 raked).
* **Dysfunction level** ``d`` of each service (``SERVICE_DYSFUNCTION``), constant except for the four
  services the programme improves (ETC, ACC, CCAS, URB: ``d`` falls by ``SERVICE_IMPROVEMENT``,
  60 % of it reached at T6, all at T12).
* **Waiting time** ``temps_attente`` (minutes, counter and telephone contacts only, 8 % blank):
  log-normal, median 12 min at the counter and 4 min on the phone for a ``delai`` answer of 3, 30 %
  longer per point below (shorter per point above), so it falls where the delays improve.
* **Real change between waves** for ETC, ACC, CCAS and URB only (latent about +0.2 at T6 and +0.8 at
  T12 against T0); the other services do not change.
* **Quality <-> performance, planted relation (issue 6).** Absence episode rates (MO; AT, CLM, CLD and MP
  squared) are multiplied by ``0.15 + 2.5 d`` at the episode's start date, and the latent satisfaction
  of a respondent falls by ``2.6`` times the mean of ``d`` over the 12 months before the answer. Hence,
  across the 14 surveyed services, the absenteeism rate over the 12 months ending at each extraction
  and the service's satisfaction are clearly negatively related: committed sample, Spearman rho of
  the raked mean satisfaction with the absenteeism of permanent agents -0.95 (T0), -0.89 (T6),
  -0.83 (T12), all p < 0.001. Service indicators follow ``d`` too (longer ``delai_traitement_jours``,
  more ``reclamations``, lower ``taux_decroche``), and so do the immersion ratings.
* **Quality <-> performance, planted absence of relation.** ``heures_formation`` (hours in the 12
  months before the extraction) are 0 for 35 % of agents, else Gamma(1.6, 8) h times the service's
  ``TRAINING_FACTOR`` (chosen rank-orthogonal to ``d``), rounded to 0.5 h; managers get 14 h more at
  the last extraction. Training hours per agent by service are unrelated to satisfaction: committed
  sample, rho -0.14, -0.08, 0.04 (p > 0.6).
* **Immersions.** Host services have theme profiles (e.g. ST: outils_moyens and conditions_travail as
  axes de progression; CCAS: cohesion_equipe as a strength); intra-service forms lean to
  management_encadrement and cohesion_equipe, inter-service ones to transversalite and accueil_usagers.
  Ratings ``note_<theme>`` are higher when the theme is cited as a strength, lower as an axis, and
  lower in services with a high ``d``. The free text covers all nine codebook themes in each field;
  about 12 % of fields add an off-theme sentence (parking, rain, the RN5 traffic, a party, the view),
  4 % are empty-ish ("RAS", "Néant") or off-theme only; negations ("pas assez de réunions", "aucun
  outil partagé", "sans logiciel adapté", "ne sont pas", "manque de"); missing accents and
  misspellings ("acceuil", "reunion", "organistion"); personal data to redact in about a third of the
  forms: civility + roster surname, bare roster first or last names, phones (0696 .., 06 96 ..,
  0697......, +596 696 .., 0596 56 .., +596 596 ..), e-mails ``prenom.nom@ville-ducos.fr``, street
  addresses ("12 rue Schoelcher") and the postcode 97224. Survey comments (about 7 % of them) and
  seminar comments also carry personal data (phones, e-mails, "Mme Untel", agents' surnames).
* **Self-evaluations.** Mean latent gain ``AUTOEVAL_GAIN`` per competence (none for Reconnaissance);
  integer notes give ties and zero differences; about 10 % of managers have no "apres" rating and
  about 2 % of single ratings are missing (incomplete pairs).
* **HR.** About a third of agents aged 55+, retirements, mutations and end of contracts between
  extractions, replacements and a few new posts, stagiaires becoming titulaires after a year,
  part-time 50/70/80/90 %, active category for police municipale, garde champêtre and égoutiers
  (agents d'assainissement), about 11 % managers, about 6.5 % BOE, single-holder métiers
  (``UNIQUE_JOBS`` whatever the scale, and every n = 1 job at scale 1), several near retirement, and
  birth dates on the retirement-rule boundaries (``BOUNDARY_BIRTHS``; those agents stay until T12).

Deliberately invalid rows
-------------------------
A fixed number per file whatever the scale (so at most 1 % of the rows), placed at fixed fractions of
the file; ``LISEZMOI.md`` lists them for any generated folder. In the committed sample (scale 1,
``DEFAULT_SEED``; ``INVALID_ROWS_SAMPLE``), with the spreadsheet line (header = line 1):

========================  ====  ====================  ========================================
file                      line  column                value
========================  ====  ====================  ========================================
enquete_usagers.csv        128  Satisfaction globale  ``7`` (Likert out of 1-5)
enquete_usagers.csv        527  Date de réponse       ``31/02/2026`` (no such date)
enquete_usagers.csv        842  Service               ``EAU`` (unknown service)
fiches_immersion.xlsx       46  Date d'immersion      ``bientôt`` (not a date)
rh_agents.csv              383  Date de naissance     ``31/02/1971`` (no such date)
rh_agents.csv              721  Quotité               ``1OO`` (letter O, not a number)
rh_absences.csv            909  date_fin              ``2026-02-30`` (no such date)
rh_absences.csv           1271  motif                 ``GREVE`` (unknown motif)
indicateurs_services.csv   366  code_service          ``DSI`` (unknown service)
autoevaluations.xlsx       206  Note                  ``6`` (out of 1-5)
barometre_agents.csv       156  Reconnaissance        ``8`` (Likert out of 1-5)
========================  ====  ====================  ========================================

``bilan_seminaire``, ``calendrier``, ``services`` and ``population_reference`` have no invalid row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._barometer import BAROMETER_HEADER, barometer_rows
from ._base import (
    _POP_AGE,
    _POP_QUARTIER,
    _POP_SEXE,
    _THEME_HEADERS,
    JALONS,
    SERVICES,
    THEMES,
    _iso,
    _write_csv,
    _write_xlsx,
)
from ._cycles import Cycle
from ._simulation import (
    _absences,
    _add_waiting_times,
    _autoeval_rows,
    _forms,
    _indicator_rows,
    _plant,
    _rh_rows,
    _seminar_rows,
    _simulate_agents,
    _survey_rows,
)

__all__ = ["DEFAULT_SEED", "INVALID_ROWS_SAMPLE", "write_sample"]

#: Default seed of ``write_sample`` (and of ``ducos sample-data``): Ducos' postcode.
DEFAULT_SEED = 97224

#: Invalid rows of the committed sample (scale 1, DEFAULT_SEED): (file, spreadsheet line, column, value).
INVALID_ROWS_SAMPLE: tuple[tuple[str, int, str, str], ...] = (
    ("enquete_usagers.csv", 128, "Satisfaction globale", "7"),
    ("enquete_usagers.csv", 527, "Date de réponse", "31/02/2026"),
    ("enquete_usagers.csv", 842, "Service", "EAU"),
    ("fiches_immersion.xlsx", 46, "Date d'immersion", "bientôt"),
    ("rh_agents.csv", 383, "Date de naissance", "31/02/1971"),
    ("rh_agents.csv", 721, "Quotité", "1OO"),
    ("rh_absences.csv", 909, "date_fin", "2026-02-30"),
    ("rh_absences.csv", 1271, "motif", "GREVE"),
    ("indicateurs_services.csv", 366, "code_service", "DSI"),
    ("autoevaluations.xlsx", 206, "Note", "6"),
    ("barometre_agents.csv", 156, "Reconnaissance", "8"),
)


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------

_SURVEY_HEADER = ["Id répondant", "Vague", "Date de réponse", "Sexe", "Tranche d'âge", "Quartier", "CSP", "Service",
                  "Canal", "Satisfaction globale", "Accueil", "Délai", "Information", "Écoute", "Résolution",
                  "Recommandation", "Temps d'attente", "Commentaire"]
_FORM_HEADER = ["Id fiche", "Date d'immersion", "Type d'immersion", "Service d'accueil", "Service d'origine",
                "Id accueilli", *[_THEME_HEADERS[t] for t in THEMES], "Points forts", "Axes de progression",
                "Propositions"]
_RH_HEADER = ["Matricule", "Nom", "Prénom", "Sexe", "Date de naissance", "Service", "Statut", "Catégorie", "Filière",
              "Cadre d'emplois", "Métier", "Date d'entrée", "Date de sortie", "Motif de sortie", "Quotité",
              "Catégorie active", "Encadrant", "BOE", "Heures de formation", "Date d'extraction"]
_AUTO_HEADER = ["Id cadre", "Temps", "Date", "Compétence", "Note"]
_SEM_HEADER = ["id_participant", "date", "note_organisation", "note_contenu", "note_utilite", "note_globale",
               "commentaire"]

# New streams go at the end: SeedSequence.spawn(n) gives the same first children whatever n.
_STREAMS = ("agents", "rh", "absences", "survey", "forms", "indicators", "autoeval", "seminar", "barometer",
            "waiting")


def write_sample(out_dir, scale: int = 1, seed: int = DEFAULT_SEED, *, cycle: int = 1) -> list[Path]:
    """Write a synthetic raw folder (every file of DESIGN.md §3, milestones T0, T6, T12).

    Parameters
    ----------
    out_dir : path
        Folder to write into (created when missing; files of the same names are overwritten).
    scale : int, default 1
        Multiplies the number of survey answers (350 per wave), immersion forms (100), agents (~280),
        their absences, self-evaluations and seminar attendees (60). Services, population margins,
        monthly indicators, single-holder jobs and planted invalid rows do not grow.
    seed : int, default ``DEFAULT_SEED`` (97224)
        Seed of the numpy ``Generator``; the same (scale, seed) gives byte-identical files.
    cycle : int, default 1
        Cycle of the programme. From 2 on, the first cycle replayed 52 weeks later per cycle, its
        milestones named ``C2-T0``, ``C2-T6``, ``C2-T12`` and the calendar given a ``cycle`` column
        (:mod:`._cycles`); for testing runs that follow the calendar.

    Returns
    -------
    list of Path
        The files written, in a fixed order (``LISEZMOI.md`` last).

    Notes
    -----
    The module docstring lists the formats, the planted relations (sampling bias, change between
    waves, absenteeism <-> satisfaction, training hours independent of satisfaction) and the
    deliberately invalid rows; ``LISEZMOI.md`` in the output repeats the invalid rows' lines.

    Examples
    --------
    >>> paths = write_sample(tmp_path / "raw", scale=1)   # doctest: +SKIP
    """
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 1:
        raise ValueError(f"scale must be an integer >= 1, got {scale!r}")
    if isinstance(cycle, bool) or not isinstance(cycle, (int, np.integer)) or cycle < 1:
        raise ValueError(f"cycle must be an integer >= 1, got {cycle!r}")
    cyc = Cycle(int(cycle))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    children = np.random.SeedSequence(int(seed)).spawn(len(_STREAMS))
    rngs = {name: np.random.default_rng(c) for name, c in zip(_STREAMS, children)}
    scale = int(scale)
    written: list[Path] = []
    invalid: list[tuple[str, int, str, str, str]] = []

    def csv_file(name, header, rows, dates=(), wave=None, **kw):
        path = out / name
        _write_csv(path, header, cyc.rows(rows, dates, wave), **kw)
        written.append(path)

    def xlsx_file(name, title, header, rows, dates=()):
        path = out / name
        _write_xlsx(path, title, header, cyc.rows(rows, dates), date_cols=dates)
        written.append(path)

    if cyc.number == 1:
        csv_file("calendrier.csv", ["jalon", "date"], [[k, _iso(v)] for k, v in JALONS.items()])
    else:
        csv_file("calendrier.csv", ["jalon", "date", "cycle"],
                 [[cyc.milestone(k), _iso(cyc.shift(v)), cyc.number] for k, v in JALONS.items()])
    csv_file("services.csv", ["code_service", "libelle", "direction", "alias"],
             [[s.code, s.libelle, s.direction, ";".join(s.alias)] for s in SERVICES])
    pop = [["sexe", k, v] for k, v in _POP_SEXE.items()] + [["tranche_age", k, v] for k, v in _POP_AGE.items()] + \
          [["quartier", k, v] for k, v in _POP_QUARTIER.items()]
    csv_file("population_reference.csv", ["variable", "modalite", "effectif"], pop)

    agents = _simulate_agents(rngs["agents"], scale)

    survey = _survey_rows(rngs["survey"], scale, agents)
    _add_waiting_times(rngs["waiting"], survey)
    ln = _plant(survey, 0.12, 9, "7")
    invalid.append(("enquete_usagers.csv", ln, "Satisfaction globale", "7", "note de Likert hors de 1 à 5"))
    t6_rows = [i for i, r in enumerate(survey) if r[1] == "T6"]
    i = t6_rows[len(t6_rows) // 2]
    survey[i][2] = "31/02/2026"
    invalid.append(("enquete_usagers.csv", i + 2, "Date de réponse", "31/02/2026", "date inexistante"))
    ln = _plant(survey, 0.80, 7, "EAU")
    invalid.append(("enquete_usagers.csv", ln, "Service", "EAU", "service inconnu"))
    csv_file("enquete_usagers.csv", _SURVEY_HEADER, survey, (2,), 1, encoding="cp1252", sep=";", eol="\r\n")

    forms = _forms(rngs["forms"], scale, agents)
    ln = _plant(forms, 0.44, 1, "bientôt")
    invalid.append(("fiches_immersion.xlsx", ln, "Date d'immersion", "bientôt", "date illisible"))
    xlsx_file("fiches_immersion.xlsx", "Fiches", _FORM_HEADER, forms, (1,))

    rh = _rh_rows(rngs["rh"], agents)
    ln = _plant(rh, 0.45, 4, "31/02/1971")
    invalid.append(("rh_agents.csv", ln, "Date de naissance", "31/02/1971", "date inexistante"))
    ln = _plant(rh, 0.85, 14, "1OO")
    invalid.append(("rh_agents.csv", ln, "Quotité", "1OO", "nombre illisible (lettre O)"))
    csv_file("rh_agents.csv", _RH_HEADER, rh, (4, 11, 12, 19), encoding="cp1252", sep=";", eol="\r\n")

    absences = _absences(rngs["absences"], agents)
    ln = _plant(absences, 0.5, 3, "2026-02-30")
    invalid.append(("rh_absences.csv", ln, "date_fin", "2026-02-30", "date inexistante"))
    ln = _plant(absences, 0.7, 1, "GREVE")
    invalid.append(("rh_absences.csv", ln, "motif", "GREVE", "motif inconnu"))
    csv_file("rh_absences.csv", ["matricule", "motif", "date_debut", "date_fin"], absences, (2, 3))

    indicators = _indicator_rows(rngs["indicators"])
    ln = _plant(indicators, 0.33, 0, "DSI")
    invalid.append(("indicateurs_services.csv", ln, "code_service", "DSI", "service inconnu"))
    csv_file("indicateurs_services.csv", ["code_service", "periode", "indicateur", "valeur"], indicators, (1,),
             encoding="utf-8-sig", sep=";")

    auto = _autoeval_rows(rngs["autoeval"], agents)
    ln = _plant(auto, 0.6, 4, 6)
    invalid.append(("autoevaluations.xlsx", ln, "Note", "6", "note hors de 1 à 5"))
    xlsx_file("autoevaluations.xlsx", "Autoévaluations", _AUTO_HEADER, auto, (2,))

    csv_file("bilan_seminaire.csv", _SEM_HEADER, _seminar_rows(rngs["seminar"], scale, agents), (1,))

    barometer = barometer_rows(rngs["barometer"], agents, JALONS)
    ln = _plant(barometer, 0.5, 5, "8")
    invalid.append(("barometre_agents.csv", ln, "Reconnaissance", "8", "note de Likert hors de 1 à 5"))
    csv_file("barometre_agents.csv", BAROMETER_HEADER, barometer, (1,), 0, sep=";")

    path = out / "LISEZMOI.md"
    path.write_bytes(_lisezmoi(scale, seed, invalid, cyc).encode("utf-8"))
    written.append(path)
    return written


def _lisezmoi(scale: int, seed: int, invalid, cyc: Cycle) -> str:
    lines = [
        "# Données d'exemple (synthétiques)",
        "",
        "Toutes les données de ce dossier sont **fictives** : elles sont produites par",
        f"`ducos sample-data` (`ducos_lib.synthetic.write_sample`, échelle {scale}, graine {seed}).",
        "Les noms, matricules, dates de naissance, téléphones et adresses ne désignent personne.",
        "Elles imitent les fichiers qu'envoient les services de la mairie de Ducos "
        f"(jalons {', '.join(cyc.milestone(m) for m in JALONS)}).",
        "",
        "| fichier | format | encodage | séparateur | décimales, dates |",
        "|---|---|---|---|---|",
        "| calendrier.csv | CSV | UTF-8 | `,` | dates AAAA-MM-JJ |",
        "| services.csv | CSV | UTF-8 | `,` | alias séparés par `;` |",
        "| population_reference.csv | CSV | UTF-8 | `,` | effectifs entiers |",
        "| enquete_usagers.csv | CSV | Windows-1252 | `;` | dates JJ/MM/AAAA, libellés de Likert |",
        "| fiches_immersion.xlsx | Excel | - | - | dates Excel |",
        "| rh_agents.csv | CSV | Windows-1252 | `;` | virgule décimale, dates JJ/MM/AAAA |",
        "| rh_absences.csv | CSV | UTF-8 | `,` | dates AAAA-MM-JJ |",
        "| indicateurs_services.csv | CSV | UTF-8 avec BOM | `;` | virgule décimale, période AAAA-MM |",
        "| autoevaluations.xlsx | Excel | - | - | dates Excel |",
        "| bilan_seminaire.csv | CSV | UTF-8 | `,` | dates JJ/MM/AAAA |",
        "| barometre_agents.csv | CSV | UTF-8 | `;` | dates JJ/MM/AAAA, notes 1 à 5 ou NSP |",
        "",
        "Lignes volontairement invalides (pour la quarantaine ; ligne 1 = en-tête) :",
        "",
        "| fichier | ligne | colonne | valeur | motif |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {f} | {ln} | {c} | `{v}` | {why} |" for f, ln, c, v, why in invalid]
    if cyc.number > 1:
        lines += ["", f"Cycle {cyc.number} du programme : le premier cycle rejoué {cyc.days // 7} semaines plus tard, "
                  "pour vérifier que les rapports suivent le calendrier (ce n'est pas la suite du premier cycle)."]
    lines += ["", "Ce fichier n'est pas une donnée : l'ingestion l'ignore.", ""]
    return "\n".join(lines)
