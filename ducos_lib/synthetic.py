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
========================  ====  ====================  ========================================

``bilan_seminaire``, ``calendrier``, ``services`` and ``population_reference`` have no invalid row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

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
)

JALONS = {"T0": date(2025, 11, 14), "T6": date(2026, 5, 15), "T12": date(2026, 11, 13)}
EXTRACTIONS = {"T0": date(2025, 11, 1), "T6": date(2026, 5, 1), "T12": date(2026, 11, 1)}
_SIM_START = date(2024, 11, 1)        # start of the first 12-month HR window
_ABS_START = date(2024, 9, 1)         # absences may start before the first window (edge crossing)
_ABS_END = date(2026, 11, 12)         # last possible absence day (before T12)
_FIELDWORK = {"T0": (date(2025, 10, 13), date(2025, 11, 12)),
              "T6": (date(2026, 4, 13), date(2026, 5, 13)),
              "T12": (date(2026, 10, 12), date(2026, 11, 11))}
_SEMINAIRE = date(2026, 10, 9)

THEMES = ("accueil_usagers", "organisation_travail", "communication_interne", "management_encadrement",
          "cohesion_equipe", "competences_formation", "outils_moyens", "conditions_travail",
          "transversalite")
_THEME_HEADERS = {"accueil_usagers": "Note accueil usagers", "organisation_travail": "Note organisation travail",
                  "communication_interne": "Note communication interne",
                  "management_encadrement": "Note management encadrement",
                  "cohesion_equipe": "Note cohésion équipe", "competences_formation": "Note compétences formation",
                  "outils_moyens": "Note outils moyens", "conditions_travail": "Note conditions travail",
                  "transversalite": "Note transversalité"}

# --------------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Service:
    code: str
    libelle: str
    direction: str
    alias: tuple[str, ...]
    contact: float  # share of survey respondents who last contacted it (0 = internal service)


SERVICES = (
    _Service("DGS", "Direction générale des services", "Direction générale", ("Direction générale", "DG"), 0.0),
    _Service("ETC", "État civil", "Direction de la citoyenneté",
             ("Etat civil", "Mairie annexe état-civil", "Service état civil"), 0.11),
    _Service("ACC", "Accueil et affaires générales", "Direction de la citoyenneté",
             ("Accueil mairie", "Affaires générales", "Élections"), 0.09),
    _Service("CCAS", "Centre communal d'action sociale", "Direction des solidarités",
             ("C.C.A.S.", "Action sociale"), 0.09),
    _Service("URB", "Urbanisme", "Direction de l'aménagement", ("Service urbanisme", "Droit des sols"), 0.07),
    _Service("ST", "Services techniques", "Direction des services techniques",
             ("Centre technique municipal", "CTM", "Travaux"), 0.08),
    _Service("ENV", "Environnement et propreté", "Direction des services techniques",
             ("Propreté urbaine", "Espaces verts"), 0.07),
    _Service("PM", "Police municipale", "Direction de la tranquillité publique", ("Police", "Tranquillité publique"),
             0.06),
    _Service("SCO", "Affaires scolaires", "Direction de l'éducation et de l'enfance", ("Service scolaire", "Écoles"),
             0.07),
    _Service("REST", "Restauration scolaire", "Direction de l'éducation et de l'enfance",
             ("Cantine", "Restauration municipale"), 0.06),
    _Service("PE", "Petite enfance", "Direction de l'éducation et de l'enfance",
             ("Crèche municipale", "Multi-accueil"), 0.06),
    _Service("JEU", "Jeunesse et animation", "Direction de la vie locale", ("Service jeunesse", "Animation"), 0.06),
    _Service("SPO", "Sports", "Direction de la vie locale", ("Service des sports", "Sport"), 0.06),
    _Service("CULT", "Culture et patrimoine", "Direction de la vie locale", ("Médiathèque", "Service culturel"), 0.06),
    _Service("RH", "Ressources humaines", "Direction des ressources", ("Personnel", "DRH"), 0.0),
    _Service("FIN", "Finances et commande publique", "Direction des ressources",
             ("Service financier", "Comptabilité", "Régie"), 0.06),
)
_SVC = {s.code: s for s in SERVICES}
_SVC_INDEX = {s.code: i for i, s in enumerate(SERVICES)}

#: Dysfunction level d of each service at T0 (drives absences, satisfaction and indicators).
SERVICE_DYSFUNCTION = {"DGS": 0.15, "ETC": 0.70, "ACC": 0.55, "CCAS": 0.85, "URB": 0.75, "ST": 0.60, "ENV": 0.50,
                       "PM": 0.30, "SCO": 0.40, "REST": 0.65, "PE": 0.20, "JEU": 0.35, "SPO": 0.10, "CULT": 0.00,
                       "RH": 0.25, "FIN": 0.45}
#: Fall of d between T0 and T12 (linear in time) for the services the programme improves.
SERVICE_IMPROVEMENT = {"ETC": 0.55, "ACC": 0.50, "CCAS": 0.55, "URB": 0.55}
#: Latent satisfaction lost per unit of dysfunction d.
_SAT_SLOPE = 2.6

#: Training culture of each service: multiplies the training hours of its agents. Chosen so that its rank
#: correlation with d (12-month mean at each extraction) is about 0: the planted absence of relation.
TRAINING_FACTOR = {"DGS": 1.2, "ETC": 0.5, "ACC": 1.52, "CCAS": 1.43, "URB": 0.75, "ST": 0.92, "ENV": 0.84,
                   "PM": 1.35, "SCO": 1.6, "REST": 1.09, "PE": 1.26, "JEU": 0.67, "SPO": 1.01, "CULT": 0.58,
                   "RH": 1.4, "FIN": 1.18}

_D0 = np.array([SERVICE_DYSFUNCTION[s.code] for s in SERVICES])
_DELTA = np.array([SERVICE_IMPROVEMENT.get(s.code, 0.0) for s in SERVICES])
_T0_ORD = JALONS["T0"].toordinal()
_T6_ORD = JALONS["T6"].toordinal()
_T12_ORD = JALONS["T12"].toordinal()


def _progress(day_ord):
    """Share of the improvement reached at a date: 0 before T0, 0.6 at T6, 1 from T12 (piecewise linear)."""
    return np.interp(np.asarray(day_ord, dtype=float), [_T0_ORD, _T6_ORD, _T12_ORD], [0.0, 0.6, 1.0])


def _dysfunction(svc_idx, day_ord):
    """d of service(s) at date(s) (proleptic ordinals)."""
    svc_idx = np.asarray(svc_idx)
    return _D0[svc_idx] - _DELTA[svc_idx] * _progress(day_ord)


def _dysfunction_year(svc_idx, day_ord):
    """Mean of d over the 12 months before the date(s): what a resident has experienced."""
    offsets = np.linspace(-365.0, 0.0, 27)
    day = np.asarray(day_ord, dtype=float)[..., None] + offsets
    return (_D0[np.asarray(svc_idx)][..., None] - _DELTA[np.asarray(svc_idx)][..., None] * _progress(day)).mean(-1)


def _absence_mult(svc_idx, day_ord):
    return 0.15 + 2.5 * _dysfunction(svc_idx, day_ord)


# --------------------------------------------------------------------------------------------------
# Population of Ducos (15+), INSEE 2022 population and Martinique 2020 age structure
# --------------------------------------------------------------------------------------------------

_POP_TOTAL = 17837
_AGE_SHARES = {"15-29": 15.4, "30-44": 15.3, "45-59": 24.3, "60-74": 19.1, "75+": 10.0}
AGES = tuple(_AGE_SHARES)
_POP_AGE = {k: round(_POP_TOTAL * v / 100) for k, v in _AGE_SHARES.items()}
_POP15 = sum(_POP_AGE.values())  # 15,001
_POP_SEXE = {"F": round(_POP15 * 0.538), "H": _POP15 - round(_POP15 * 0.538)}
_QUARTIER_WEIGHTS = {"Bourg": 2400, "Champigny": 1900, "Génipa": 1700, "Petite-Savane": 1300, "Descailles": 1500,
                     "Fond Bourlet": 1100, "Croix-Rivail": 1650, "Pays Mêlé": 1250, "Morne Pitault": 1100,
                     "Canal": 1101}
QUARTIERS = tuple(_QUARTIER_WEIGHTS)
_POP_QUARTIER = dict(_QUARTIER_WEIGHTS)
assert sum(_POP_QUARTIER.values()) == _POP15 == sum(_POP_SEXE.values())

_SEL_SEXE = {"F": 1.35, "H": 0.75}
_SEL_AGE = {"15-29": 0.45, "30-44": 0.8, "45-59": 1.0, "60-74": 1.6, "75+": 1.4}
_SEL_QUARTIER = {"Bourg": 1.7, "Champigny": 1.1, "Génipa": 0.5, "Petite-Savane": 0.9, "Descailles": 1.0,
                 "Fond Bourlet": 0.8, "Croix-Rivail": 1.0, "Pays Mêlé": 0.6, "Morne Pitault": 0.9, "Canal": 1.2}
_EFF_AGE = {"15-29": -0.45, "30-44": -0.2, "45-59": 0.0, "60-74": 0.35, "75+": 0.5}
_EFF_SEXE = {"F": 0.1, "H": 0.0}
_EFF_QUARTIER = {"Bourg": 0.2, "Génipa": -0.25, "Pays Mêlé": -0.2}

LIKERT_LABELS = ("Très insatisfait", "Plutôt insatisfait", "Ni satisfait ni insatisfait", "Plutôt satisfait",
                 "Très satisfait")
_ITEMS = (("accueil", 0.3), ("delai", -0.35), ("information", -0.1), ("ecoute", 0.1), ("resolution", -0.2))

# --------------------------------------------------------------------------------------------------
# Jobs (per service) and names
# --------------------------------------------------------------------------------------------------

ADM, TEC, SOC, MS, ANIM, POL, CULTF, SPORT = ("administrative", "technique", "sociale", "médico-sociale",
                                              "animation", "police municipale", "culturelle", "sportive")
_ATT, _RED, _AA = "Attachés territoriaux", "Rédacteurs territoriaux", "Adjoints administratifs territoriaux"
_ING, _TECH, _AT, _AM = ("Ingénieurs territoriaux", "Techniciens territoriaux", "Adjoints techniques territoriaux",
                         "Agents de maîtrise territoriaux")


@dataclass(frozen=True)
class _Job:
    service: str
    metier: str
    filiere: str
    cadre: str
    categorie: str
    n: int
    encadrant: bool = False
    active: bool = False
    female: float = 0.5
    unique: bool = False


_J = _Job
JOBS = (
    _J("DGS", "Directeur général des services", ADM, _ATT, "A", 1, True, female=0.4, unique=True),
    _J("DGS", "Directeur général adjoint", ADM, _ATT, "A", 1, True, female=0.5, unique=True),
    _J("DGS", "Assistant de direction", ADM, _RED, "B", 1, female=0.9),
    _J("DGS", "Chargé de mission qualité", ADM, _ATT, "A", 1, female=0.6, unique=True),
    _J("ETC", "Responsable état civil", ADM, _RED, "B", 1, True, female=0.8),
    _J("ETC", "Officier d'état civil référent", ADM, _AA, "C", 1, True, female=0.8),
    _J("ETC", "Officier d'état civil", ADM, _AA, "C", 7, female=0.85),
    _J("ETC", "Agent d'accueil", ADM, _AA, "C", 4, female=0.8),
    _J("ETC", "Gestionnaire funéraire", ADM, _AA, "C", 1, female=0.5, unique=True),
    _J("ACC", "Responsable accueil et affaires générales", ADM, _RED, "B", 1, True, female=0.7),
    _J("ACC", "Agent d'accueil", ADM, _AA, "C", 7, female=0.85),
    _J("ACC", "Gestionnaire élections", ADM, _AA, "C", 2, female=0.6),
    _J("ACC", "Chargé de communication", ADM, _RED, "B", 1, female=0.6, unique=True),
    _J("ACC", "Standardiste", ADM, _AA, "C", 1, female=0.9, unique=True),
    _J("CCAS", "Directeur du CCAS", SOC, "Conseillers territoriaux socio-éducatifs", "A", 1, True, female=0.8),
    _J("CCAS", "Responsable du pôle aide à domicile", SOC, "Assistants territoriaux socio-éducatifs", "A", 1, True,
       female=0.9),
    _J("CCAS", "Travailleur social", SOC, "Assistants territoriaux socio-éducatifs", "A", 3, female=0.9),
    _J("CCAS", "Aide à domicile", SOC, "Agents sociaux territoriaux", "C", 14, female=0.93),
    _J("CCAS", "Infirmier", MS, "Infirmiers territoriaux en soins généraux", "A", 1, female=0.8, unique=True),
    _J("CCAS", "Agent administratif du CCAS", ADM, _AA, "C", 4, female=0.85),
    _J("CCAS", "Conseiller numérique", ADM, _AA, "C", 2, female=0.4),
    _J("URB", "Responsable urbanisme", TEC, _ING, "A", 1, True, female=0.4),
    _J("URB", "Instructeur des autorisations d'urbanisme", ADM, _RED, "B", 3, female=0.6),
    _J("URB", "Agent d'accueil urbanisme", ADM, _AA, "C", 2, female=0.8),
    _J("URB", "Technicien SIG", TEC, _TECH, "B", 1, female=0.3, unique=True),
    _J("URB", "Chargé du foncier", ADM, _RED, "B", 1, female=0.5, unique=True),
    _J("ST", "Directeur des services techniques", TEC, _ING, "A", 1, True, female=0.2),
    _J("ST", "Chef d'équipe bâtiment", TEC, _AM, "C", 2, True, female=0.05),
    _J("ST", "Chef d'équipe voirie", TEC, _AM, "C", 1, True, female=0.05),
    _J("ST", "Technicien bâtiment", TEC, _TECH, "B", 2, female=0.2),
    _J("ST", "Agent de maintenance des bâtiments", TEC, _AT, "C", 12, female=0.1),
    _J("ST", "Agent de voirie", TEC, _AT, "C", 10, female=0.05),
    _J("ST", "Électricien", TEC, _AT, "C", 1, female=0.05, unique=True),
    _J("ST", "Plombier", TEC, _AT, "C", 2, female=0.05),
    _J("ST", "Mécanicien", TEC, _AT, "C", 1, female=0.05, unique=True),
    _J("ST", "Chauffeur poids lourd", TEC, _AT, "C", 2, female=0.05),
    _J("ST", "Agent d'assainissement", TEC, _AT, "C", 2, active=True, female=0.05),
    _J("ST", "Magasinier", TEC, _AT, "C", 1, female=0.3, unique=True),
    _J("ST", "Assistant administratif des services techniques", ADM, _AA, "C", 3, female=0.85),
    _J("ST", "Gardien de bâtiments", TEC, _AT, "C", 4, female=0.3),
    _J("ENV", "Responsable environnement et propreté", TEC, _TECH, "B", 1, True, female=0.3),
    _J("ENV", "Chef d'équipe espaces verts", TEC, _AM, "C", 1, True, female=0.1),
    _J("ENV", "Chef d'équipe propreté", TEC, _AM, "C", 1, True, female=0.1),
    _J("ENV", "Jardinier", TEC, _AT, "C", 9, female=0.15),
    _J("ENV", "Agent de propreté urbaine", TEC, _AT, "C", 11, female=0.2),
    _J("ENV", "Élagueur", TEC, _AT, "C", 1, female=0.0, unique=True),
    _J("PM", "Chef de service de police municipale", POL, "Chefs de service de police municipale", "B", 1, True,
       active=True, female=0.3),
    _J("PM", "Brigadier-chef principal", POL, "Agents de police municipale", "C", 1, True, active=True, female=0.3),
    _J("PM", "Policier municipal", POL, "Agents de police municipale", "C", 8, active=True, female=0.3),
    _J("PM", "Garde champêtre", POL, "Gardes champêtres", "C", 1, active=True, female=0.1, unique=True),
    _J("PM", "Opérateur de vidéoprotection", TEC, _AT, "C", 1, female=0.4, unique=True),
    _J("SCO", "Responsable des affaires scolaires", ADM, _ATT, "A", 1, True, female=0.8),
    _J("SCO", "Coordinatrice ATSEM", SOC, "Agents territoriaux spécialisés des écoles maternelles", "C", 1, True,
       female=1.0),
    _J("SCO", "ATSEM", SOC, "Agents territoriaux spécialisés des écoles maternelles", "C", 14, female=0.97),
    _J("SCO", "Chef d'équipe entretien des écoles", TEC, _AM, "C", 1, True, female=0.5),
    _J("SCO", "Agent d'entretien des écoles", TEC, _AT, "C", 14, female=0.75),
    _J("SCO", "Agent administratif scolaire", ADM, _AA, "C", 3, female=0.9),
    _J("SCO", "Gardien d'école", TEC, _AT, "C", 2, female=0.3),
    _J("REST", "Responsable de la restauration scolaire", TEC, _TECH, "B", 1, True, female=0.5),
    _J("REST", "Chef de cuisine", TEC, _AM, "C", 1, True, female=0.4),
    _J("REST", "Cuisinier", TEC, _AT, "C", 4, female=0.6),
    _J("REST", "Agent de restauration", TEC, _AT, "C", 15, female=0.85),
    _J("REST", "Gestionnaire des stocks alimentaires", TEC, _AT, "C", 1, female=0.5, unique=True),
    _J("PE", "Directrice de crèche", MS, "Puéricultrices territoriales", "A", 1, True, female=1.0),
    _J("PE", "Adjointe de direction de crèche", SOC, "Éducateurs territoriaux de jeunes enfants", "A", 1, True,
       female=1.0),
    _J("PE", "Éducateur de jeunes enfants", SOC, "Éducateurs territoriaux de jeunes enfants", "A", 1, female=0.9),
    _J("PE", "Auxiliaire de puériculture", MS, "Auxiliaires de puériculture territoriaux", "B", 8, female=0.97),
    _J("PE", "Agent petite enfance", SOC, "Agents sociaux territoriaux", "C", 5, female=0.95),
    _J("PE", "Agent d'entretien de la crèche", TEC, _AT, "C", 2, female=0.8),
    _J("JEU", "Coordinateur jeunesse", ANIM, "Animateurs territoriaux", "B", 1, True, female=0.5),
    _J("JEU", "Directeur d'accueil de loisirs", ANIM, "Animateurs territoriaux", "B", 2, True, female=0.6),
    _J("JEU", "Animateur", ANIM, "Adjoints territoriaux d'animation", "C", 10, female=0.65),
    _J("JEU", "Informateur jeunesse", ANIM, "Adjoints territoriaux d'animation", "C", 1, female=0.5, unique=True),
    _J("SPO", "Responsable des sports", SPORT, "Conseillers territoriaux des APS", "A", 1, True, female=0.3),
    _J("SPO", "Éducateur sportif", SPORT, "Éducateurs territoriaux des APS", "B", 4, female=0.35),
    _J("SPO", "Gardien d'équipements sportifs", TEC, _AT, "C", 4, female=0.2),
    _J("SPO", "Opérateur des activités physiques et sportives", SPORT, "Opérateurs territoriaux des APS", "C", 1,
       female=0.4, unique=True),
    _J("CULT", "Responsable de la médiathèque", CULTF, "Bibliothécaires territoriaux", "A", 1, True, female=0.7),
    _J("CULT", "Assistant de conservation", CULTF,
       "Assistants territoriaux de conservation du patrimoine et des bibliothèques", "B", 2, female=0.7),
    _J("CULT", "Agent de médiathèque", CULTF, "Adjoints territoriaux du patrimoine", "C", 3, female=0.8),
    _J("CULT", "Archiviste", CULTF, "Assistants territoriaux de conservation du patrimoine et des bibliothèques",
       "B", 1, female=0.6, unique=True),
    _J("CULT", "Régisseur son et lumière", TEC, _AT, "C", 1, female=0.1, unique=True),
    _J("RH", "Directeur des ressources humaines", ADM, _ATT, "A", 1, True, female=0.7),
    _J("RH", "Gestionnaire paie et carrière", ADM, _AA, "C", 5, female=0.9),
    _J("RH", "Chargé de formation", ADM, _RED, "B", 1, female=0.7, unique=True),
    _J("RH", "Conseiller en prévention", TEC, _TECH, "B", 1, female=0.4, unique=True),
    _J("FIN", "Responsable des finances", ADM, _ATT, "A", 1, True, female=0.6),
    _J("FIN", "Gestionnaire comptable", ADM, _AA, "C", 5, female=0.85),
    _J("FIN", "Régisseur de recettes", ADM, _AA, "C", 2, female=0.8),
    _J("FIN", "Acheteur public", ADM, _RED, "B", 1, female=0.5, unique=True),
    _J("FIN", "Contrôleur de gestion", ADM, _ATT, "A", 1, female=0.5, unique=True),
)
#: Métiers held by a single agent whatever the scale.
UNIQUE_JOBS = tuple(j.metier for j in JOBS if j.unique)

#: Birth dates placed on the retirement-rule boundaries: (métier, birth date). Those agents stay until T12.
BOUNDARY_BIRTHS = (
    ("Archiviste", date(1961, 9, 1)), ("Électricien", date(1963, 1, 1)), ("Mécanicien", date(1965, 4, 1)),
    ("Acheteur public", date(1968, 12, 31)), ("Garde champêtre", date(1966, 9, 1)),
    ("Officier d'état civil", date(1961, 8, 31)), ("Agent de voirie", date(1965, 3, 31)),
    ("Aide à domicile", date(1962, 12, 31)), ("Jardinier", date(1969, 1, 1)),
    ("Policier municipal", date(1966, 8, 31)), ("Policier municipal", date(1970, 3, 31)),
    ("Policier municipal", date(1970, 4, 1)), ("Policier municipal", date(1973, 12, 31)),
    ("Policier municipal", date(1974, 1, 1)),
)

_NOMS = ("Jean-Baptiste", "Théodore", "Louis-Joseph", "Marie-Sainte", "Saint-Cyr", "Bellemare", "Ursulet", "Lordinot",
         "Nicolas", "Joseph", "Pierre-Louis", "Rosette", "Sully", "Vitalis", "Zozor", "Bernabé", "Charlery", "Éloi",
         "Fanfant", "Hilaire", "Jean-Marie", "Mondésir", "Sainte-Rose", "Thélamon", "Capgras", "Édouard",
         "Alexandre", "Ambroise", "Anatole", "Calixte", "Lamon", "Cyrille", "Darsières", "Dorival", "Duféal",
         "Eustache", "Florentin", "Gabourg", "Germain", "Honoré", "Irénée", "Jean-Louis", "Jean-Philippe", "Labbé",
         "Larcher", "Laurencine", "Lavenaire", "Léandre", "Marajo", "Marie-Luce", "Monlouis", "Nelson", "Octave",
         "Orville", "Pélage", "Pancrate", "Quénette", "Relmy", "Romain", "Rose-Rosette", "Saint-Louis", "Siméon",
         "Sylvestre", "Tanic", "Télèphe", "Valérius", "Vénérosy", "Zénon", "Abaul", "Adélaïde", "Apollon",
         "Auguste", "Bastaraud", "Belrose", "Chomet", "Cornélie", "Démosthène", "Dufresne", "Étienne", "Gustave",
         "Hippolyte", "Isidore", "Lagier", "Maximin", "Médard", "Moutoussamy", "Narayanin", "Ponamalé",
         "Ramassamy", "Sinivassin", "Virassamy", "Chéry", "Borromée", "Clairis", "Desroses", "Émilien",
         "Jean-Alphonse", "Montrose", "Pamphile", "Séraphin", "Tertulien", "Victorin", "Bellance", "Erichot")
_PRENOMS_F = ("Marie-Josée", "Rose-Marie", "Ghislaine", "Josiane", "Lucienne", "Murielle", "Sandrine", "Nadège",
              "Maryse", "Rolande", "Huguette", "Gisèle", "Yolande", "Micheline", "Francette", "Sylvianne",
              "Ludivine", "Stéphanie", "Audrey", "Laetitia", "Johanna", "Karine", "Myriam", "Sabrina", "Valérie",
              "Corinne", "Nathalie", "Christelle", "Marlène", "Jocelyne", "Marie-Line", "Mireille", "Fabienne",
              "Viviane", "Claudette", "Paulette", "Georgette", "Ketty", "Wendy", "Cindy", "Priscilla", "Océane",
              "Maëva", "Kimberley", "Mélissa", "Anaïs", "Jessica", "Lydie", "Solange", "Patricia", "Marie-Claude",
              "Régine", "Hélène", "Chantal", "Edwige", "Véronique", "Danielle", "Nicole")
_PRENOMS_H = ("Jean-Marc", "Joël", "Thierry", "Patrick", "Rodrigue", "Fabrice", "Gérard", "Raphaël", "Teddy",
              "Steeve", "Ludovic", "Frantz", "Yannick", "Didier", "Olivier", "Christophe", "Georges", "Hervé",
              "Alain", "Jean-Claude", "Jean-Pierre", "Jean-Michel", "Marc-Antoine", "Emmanuel", "Franck", "José",
              "Willy", "Johnny", "Kévin", "Dimitri", "Gaël", "Ronald", "Harry", "Roger", "Gilbert", "Hubert",
              "Lionel", "Mickaël", "Jérôme", "Pascal", "Eddy", "Rudy", "Loïc", "Josué", "Grégory", "Sébastien",
              "Cédric", "Wilfried", "Henri")
# Residents quoted in survey comments (not agents).
_RESIDENTS = ("Untel", "Larose", "Belfort", "Carbet", "Dogué", "Fardin", "Grandisson", "Jean-Gilles", "Lubin",
              "Mauvois", "Nérée", "Ozier-Lafontaine", "Paquet", "Rangon", "Saint-Aimé", "Tirolien", "Venance")

# --------------------------------------------------------------------------------------------------
# Phrase banks for the immersion forms. "[a|b|c]" picks one alternative.
# --------------------------------------------------------------------------------------------------

_PF = {
    "accueil_usagers": [
        "[L'accueil des usagers est remarquable|L'accueil des usagers est exemplaire|La qualité de l'accueil "
        "des usagers est très soignée|L'accueil du public est chaleureux].",
        "Les agents [prennent|savent prendre] le temps de renseigner [le public|les administrés|les usagers] avec "
        "[patience|bienveillance|le sourire].",
        "[Très bonne|Excellente] [relation|écoute] avec les usagers au guichet, même aux heures d'affluence.",
        "[J'ai apprécié|J'ai été frappé par|On note] la [disponibilité|courtoisie] des agents envers le public.",
        "Les usagers sont [bien orientés|orientés rapidement] dès leur arrivée à l'accueil.",
        "Un vrai souci du service rendu [aux habitants|à la population|aux usagers].",
        "[L'accueil téléphonique|Le standard] est efficace et [aimable|courtois].",
        "Les administrés [repartent|ressortent] avec une réponse claire à leur demande.",
    ],
    "organisation_travail": [
        "[L'organisation du travail|L'organisation du service] est [claire|bien pensée|efficace].",
        "[Chaque agent connaît|Tout le monde connaît] [son rôle|ses missions] et la répartition des tâches est "
        "[claire|équilibrée].",
        "Les [procédures|process] sont [écrites|formalisées] et [respectées|suivies par tous].",
        "Un planning [partagé|affiché|hebdomadaire] permet d'anticiper les absences.",
        "Bonne [gestion des priorités|priorisation des dossiers] malgré la charge de travail.",
        "Les dossiers sont [suivis|traités] dans les délais [grâce à un tableau de suivi|sans retard].",
        "[Une organisation rigoureuse|Une vraie rigueur d'organisation] [des tournées|des interventions|"
        "des plannings].",
    ],
    "communication_interne": [
        "[L'information circule bien|La circulation de l'information est bonne] au sein du service.",
        "Des réunions [d'équipe|de service] [régulières|hebdomadaires] permettent de faire le point.",
        "[Les échanges|Les transmissions] entre collègues sont [fluides|constants|de qualité].",
        "Un [tableau d'affichage|cahier de liaison] tient tout le monde informé.",
        "Les consignes sont [expliquées|transmises] clairement à toute l'équipe.",
        "Le dialogue entre [les agents|l'équipe] et [le responsable|la direction] est [ouvert|franc].",
    ],
    "management_encadrement": [
        "[Le responsable|La cheffe de service|Le chef de service] est [présent|disponible] et à l'écoute de "
        "son équipe.",
        "[Un encadrement|Un management] [bienveillant|de proximité] qui fait confiance aux agents.",
        "Les agents disposent d'une [vraie|réelle] autonomie [dans leur travail|sur leurs dossiers].",
        "[Le responsable|L'encadrant] [sait reconnaître|valorise] le travail accompli.",
        "Les décisions sont [expliquées à|partagées avec] l'équipe.",
        "[Bonne|Très bonne] délégation de la part de la hiérarchie.",
        "[Le chef d'équipe|La responsable] [donne des objectifs clairs|fixe un cap clair] à chacun.",
    ],
    "cohesion_equipe": [
        "[Très bonne|Excellente] ambiance [dans l'équipe|au sein du service].",
        "[Une vraie|Une belle] solidarité entre collègues : [l'entraide est naturelle|chacun aide l'autre].",
        "[L'esprit d'équipe|La cohésion de l'équipe] est [remarquable|palpable|forte].",
        "Les nouveaux agents sont bien intégrés [par leurs collègues|dans l'équipe].",
        "[Bienveillance|Respect] et [bonne humeur|convivialité] entre collègues.",
        "[On sent|Il y a] une équipe soudée, [qui se serre les coudes|qui s'entraide] dans les moments difficiles.",
    ],
    "competences_formation": [
        "Les agents sont [compétents|très compétents] et maîtrisent [la réglementation|leurs dossiers].",
        "[Un vrai savoir-faire|Une expertise reconnue] [dans le domaine|sur le métier].",
        "Les agents [suivent régulièrement des formations|ont accès aux formations du CNFPT].",
        "[La transmission des savoirs|Le partage des connaissances] entre anciens et nouveaux fonctionne bien.",
        "[Bonne|Très bonne] maîtrise [des procédures|des textes] par l'ensemble de l'équipe.",
        "[Des agents expérimentés|Des professionnels aguerris] qui [forment|accompagnent] les plus jeunes.",
    ],
    "outils_moyens": [
        "[Le logiciel métier|Le nouveau logiciel] [facilite|simplifie] le [suivi|traitement] des dossiers.",
        "[Le matériel|L'équipement] est [récent|en bon état] et [bien entretenu|adapté].",
        "Les agents disposent [des moyens|des outils] nécessaires à leur mission.",
        "[Un parc de véhicules|Des véhicules de service] [en bon état|en nombre suffisant] pour les interventions.",
        "[Les outils informatiques|L'informatique] [fonctionnent bien|sont performants].",
        "[La dématérialisation|Le portail en ligne] [fait gagner du temps|simplifie les démarches].",
    ],
    "conditions_travail": [
        "[Les locaux|Les bureaux] sont [agréables|spacieux|rénovés] et [bien climatisés|lumineux].",
        "[Les équipements de protection|Les EPI] sont [fournis|disponibles] et portés par les agents.",
        "[Une attention|Une vigilance] réelle à la sécurité [des agents|au travail].",
        "[Bonnes|De bonnes] conditions de travail [dans l'ensemble|pour l'équipe].",
        "[L'aménagement des horaires permet|Les horaires aménagés permettent] de concilier vie professionnelle et "
        "vie personnelle.",
        "[Un local de pause agréable|Une salle de repos bien aménagée] pour les agents.",
    ],
    "transversalite": [
        "[Bonne|Très bonne] coopération avec les autres services [de la mairie|de la collectivité].",
        "Le service travaille [en lien étroit|main dans la main] avec [le CCAS|les services techniques|l'état civil].",
        "[Les échanges|Les relations] avec les autres directions sont [fluides|de qualité].",
        "[Une culture du travail en transversalité bien installée|Un réflexe de travail en transversalité bien ancré].",
        "L'immersion [m'a permis de|a permis de] mieux comprendre le fonctionnement [d'un autre service|de ce service] "
        "et ses contraintes.",
        "[Des projets communs bien menés|Des actions partagées bien menées] avec [les écoles|le CCAS|"
        "la police municipale].",
    ],
}

_AX = {
    "accueil_usagers": [
        "[Le temps d'attente au guichet reste trop long|L'attente au guichet reste trop longue] [le lundi matin|"
        "en début de mois|aux heures de pointe].",
        "Pas assez de [signalétique|panneaux] pour orienter les usagers dans le bâtiment.",
        "[L'accueil téléphonique|Le standard] n'est pas toujours assuré : [beaucoup d'appels restent sans réponse|"
        "les usagers ne parviennent pas à joindre le service].",
        "Les horaires d'ouverture ne sont pas adaptés [aux actifs|aux personnes qui travaillent].",
        "[Manque de confidentialité|Aucune confidentialité] au guichet pour les usagers en situation difficile.",
        "Certains administrés repartent sans réponse claire à leur demande.",
        "L'accueil du public [manque d'uniformité|n'est pas homogène] d'un agent à l'autre.",
    ],
    "organisation_travail": [
        "La répartition des tâches [n'est pas claire|reste floue] [entre les agents|au sein du service].",
        "[Aucune procédure écrite|Pas de procédure formalisée] pour [les congés|les remplacements|le traitement des "
        "dossiers].",
        "La charge de travail est mal répartie : certains agents sont [débordés|surchargés] pendant que d'autres "
        "attendent.",
        "Les priorités changent [sans cesse|souvent] et le planning n'est pas [tenu|respecté].",
        "Les absences ne sont pas anticipées, ce qui [désorganise|perturbe] le service.",
        "[Trop de|Beaucoup de] tâches sont faites dans l'urgence, sans planification.",
        "Pas de [polyvalence|binôme] sur les postes clés : quand un agent est absent, [tout s'arrête|les dossiers "
        "attendent].",
    ],
    "communication_interne": [
        "Pas assez de réunions [d'équipe|de service] pour partager les informations.",
        "[L'information|La communication] [circule mal|ne descend pas] jusqu'aux agents de terrain.",
        "Les agents apprennent [les décisions|les changements] [par hasard|en dernier|par le bouche-à-oreille].",
        "Aucun compte rendu n'est diffusé après les réunions.",
        "[Les notes de service|Les consignes] [arrivent tard|ne sont pas toujours transmises].",
        "[Manque de|Peu de] transmissions entre les équipes du matin et de l'après-midi.",
    ],
    "management_encadrement": [
        "Le [responsable|chef de service] est [peu présent|trop absent] sur le terrain.",
        "[Pas de|Aucun] retour de la hiérarchie sur le travail réalisé.",
        "Les décisions sont prises sans consulter [les agents|l'équipe].",
        "[Manque de reconnaissance|Peu de reconnaissance] de la part de l'encadrement.",
        "Les entretiens professionnels ne sont pas [réalisés|faits] [chaque année|régulièrement].",
        "Le management est [trop directif|très vertical] et laisse peu d'autonomie.",
        "[L'encadrement intermédiaire manque de légitimité|Les chefs d'équipe manquent de soutien de la direction].",
    ],
    "cohesion_equipe": [
        "[Des tensions|Quelques tensions] entre [collègues|agents] [pèsent sur|nuisent à] l'ambiance.",
        "[Peu d'entraide|Pas d'entraide] entre les [équipes|agents] du service.",
        "L'équipe [fonctionne en clans|est divisée en petits groupes].",
        "[Les nouveaux arrivants|Les nouveaux agents] ne sont pas [accompagnés|intégrés] par l'équipe.",
        "[Manque de cohésion|Cohésion fragile] depuis [les derniers départs|la réorganisation].",
        "[L'ambiance s'est dégradée|Le climat est tendu] [ces derniers mois|depuis l'été].",
    ],
    "competences_formation": [
        "[Peu de formation|Pas de formation] [sur les nouveaux logiciels|à la réglementation récente|depuis plusieurs "
        "années].",
        "Les compétences [reposent sur une seule personne|ne sont pas partagées].",
        "Les nouveaux agents [sont formés sur le tas|ne reçoivent aucune formation] à leur arrivée.",
        "[Les demandes de formation restent sans suite|Les besoins de formation ne sont pas recensés].",
        "[Manque de compétences|Des lacunes] sur [la réglementation|les outils numériques|les marchés publics].",
    ],
    "outils_moyens": [
        "Aucun outil partagé pour suivre [les demandes|les dossiers|les interventions].",
        "[Le travail se fait|Tout se fait] sans logiciel adapté, [sur papier|avec des tableaux Excel].",
        "[Le matériel|L'outillage] est [vétuste|insuffisant|souvent en panne].",
        "[Les ordinateurs|Les postes informatiques] sont [lents|anciens] et le réseau [coupe souvent|est instable].",
        "[Pas assez de véhicules|Manque de véhicules] pour [les interventions|les déplacements].",
        "[L'imprimante|Le photocopieur] est [en panne|hors service] [depuis des semaines|une semaine sur deux].",
    ],
    "conditions_travail": [
        "[Les bureaux|Les locaux] sont [exigus|vétustes|mal isolés] et [la climatisation ne fonctionne pas|il y fait "
        "très chaud].",
        "[Le bruit rend|Les nuisances sonores rendent] le travail [difficile|fatigant] [à l'accueil|dans "
        "l'open space].",
        "[La pénibilité physique|La pénibilité des tâches] n'est pas prise en compte [pour les agents de terrain|"
        "dans l'organisation].",
        "[Pas de|Aucun] local de pause pour les agents.",
        "[Des risques|Risques] pour la sécurité : [EPI manquants|vestiaires insalubres|sols glissants].",
        "[Les postes de travail|Les sièges] ne sont pas [ergonomiques|adaptés].",
    ],
    "transversalite": [
        "[Peu de liens|Pas de lien] avec les autres services : chacun travaille [dans son coin|en silo].",
        "Les demandes entre services [se perdent|restent sans réponse] faute d'interlocuteur identifié.",
        "[Méconnaissance|Mauvaise connaissance] du travail des autres services.",
        "[Manque de coordination|Pas de coordination] entre [les services techniques et les services administratifs|"
        "les directions].",
        "[Les projets communs|Les projets transversaux] [n'avancent pas|manquent de pilotage].",
    ],
}

_PR = {
    "accueil_usagers": [
        "[Mettre en place|Instaurer] un système de prise de rendez-vous pour [les usagers|le public].",
        "[Créer|Installer] un espace d'accueil plus confidentiel.",
        "[Élargir|Adapter] les horaires d'ouverture au public [une fois par semaine|le samedi matin].",
        "Rédiger une charte d'accueil des usagers commune à tous les agents.",
        "[Former|Sensibiliser] les agents à l'accueil des publics difficiles.",
        "Améliorer la signalétique pour mieux orienter les usagers.",
        "Mettre en place un [questionnaire de satisfaction|recueil des avis] des usagers.",
    ],
    "organisation_travail": [
        "[Formaliser|Écrire] les procédures [principales|du service] dans un guide partagé.",
        "[Mettre en place|Afficher] un planning [hebdomadaire|partagé] des tâches.",
        "Organiser la polyvalence [sur les postes clés|entre agents] pour assurer la continuité du service.",
        "[Clarifier|Revoir] la répartition des missions avec une fiche de poste à jour pour chacun.",
        "Instaurer un [tableau de suivi|outil de suivi] des dossiers et des délais.",
        "Prévoir [un temps|une matinée] de planification en début de semaine.",
    ],
    "communication_interne": [
        "Organiser une réunion d'équipe [chaque semaine|tous les quinze jours|chaque lundi].",
        "[Diffuser|Envoyer] un compte rendu [court|synthétique] après chaque réunion.",
        "Créer [un cahier de liaison|un tableau d'information|une lettre interne] pour les agents.",
        "Mettre en place un [point|brief] de quinze minutes en début de journée.",
        "[Améliorer|Renforcer] la communication entre la direction et les agents de terrain.",
    ],
    "management_encadrement": [
        "[Instaurer|Prévoir] des [points individuels|entretiens] réguliers entre le responsable et chaque agent.",
        "[Former|Accompagner] les encadrants [au management|à la conduite d'équipe].",
        "Associer les agents aux décisions qui concernent [le service|leur travail].",
        "[Valoriser|Reconnaître] davantage le travail des agents, par exemple en réunion.",
        "Déléguer davantage [aux chefs d'équipe|aux agents expérimentés].",
        "Demander [au responsable|à la hiérarchie] de passer plus de temps sur le terrain avec l'équipe.",
    ],
    "cohesion_equipe": [
        "Organiser [des moments conviviaux réguliers|un temps d'équipe une fois par trimestre].",
        "Mettre en place un parrainage des nouveaux agents par un collègue.",
        "[Prévoir|Organiser] une [journée de cohésion|sortie d'équipe] pour [ressouder|renforcer] l'équipe.",
        "[Faire intervenir|Solliciter] un médiateur pour apaiser les tensions.",
        "Encourager l'entraide entre collègues [en binôme|par des échanges de pratiques].",
    ],
    "competences_formation": [
        "[Établir|Construire] un plan de formation [du service|annuel] avec le CNFPT.",
        "[Organiser|Prévoir] des formations [internes|entre collègues] sur [les procédures|les logiciels métiers].",
        "Mettre en place un tutorat pour transmettre les savoir-faire des agents proches de la retraite.",
        "[Recenser|Identifier] les besoins de formation lors des entretiens annuels.",
        "[Former|Faire monter en compétences] les agents sur [les outils numériques|la réglementation].",
    ],
    "outils_moyens": [
        "[Acquérir|Déployer] un logiciel de [gestion des demandes|suivi des interventions].",
        "[Renouveler|Remplacer] [le matériel vétuste|les ordinateurs les plus anciens|l'outillage usé].",
        "Mettre en place un [dossier partagé|espace numérique commun] pour le service.",
        "[Prévoir|Inscrire] au budget [un véhicule supplémentaire|du matériel neuf].",
        "Dématérialiser [les demandes|les formulaires] pour gagner du temps.",
    ],
    "conditions_travail": [
        "[Réparer|Remettre en état] la climatisation [des bureaux|de l'accueil].",
        "[Aménager|Créer] [un local de pause|une salle de repos] pour les agents.",
        "[Réaliser|Mettre à jour] le document unique d'évaluation des risques avec les agents.",
        "[Fournir|Commander] des [équipements de protection|sièges ergonomiques] adaptés.",
        "[Réduire|Limiter] le bruit avec des [cloisons|panneaux acoustiques].",
    ],
    "transversalite": [
        "[Organiser|Généraliser] des immersions [entre services|croisées] chaque année.",
        "[Désigner|Identifier] un référent dans chaque service pour les demandes des autres services.",
        "[Créer|Mettre en place] des réunions inter-services [mensuelles|trimestrielles].",
        "[Mutualiser|Partager] [les moyens|le matériel|les véhicules] entre services.",
        "[Réaliser|Diffuser] un annuaire des services avec les missions de chacun.",
    ],
}

_PR_OPENERS = ("", "", "", "Il faudrait ", "Je propose de ", "Proposition : ", "Piste : ", "Pourquoi ne pas ")

_HORS_THEME = (
    "Le parking [de la mairie|du centre technique] est [souvent saturé|trop petit] le matin.",
    "[Il a beaucoup plu|La pluie a été forte] pendant [la journée|mon immersion], ce qui a [retardé|perturbé] la "
    "tournée.",
    "[Nous avons partagé|J'ai partagé] le repas de midi avec l'équipe, [un bon moment|très sympathique].",
    "[La préparation de la fête patronale mobilisait|Les préparatifs du carnaval occupaient] une partie de "
    "l'équipe.",
    "[Les embouteillages sur la RN5 m'ont fait arriver en retard|La circulation sur la RN5 rend les trajets longs].",
    "[Belle|Très belle] vue sur la baie depuis les bureaux.",
    "Le café [était excellent|offert à l'arrivée était apprécié].",
    "Le pot de départ d'un collègue avait lieu le même jour.",
    "[Journée très instructive|Immersion riche] dans l'ensemble.",
    "[La coupure d'eau du quartier|La coupure d'électricité] a [occupé|animé] toute la matinée.",
)
_VIDES = ("RAS", "Néant", "Rien à signaler", "-", "Aucune")

_TYPOS = (("accueil", "acceuil"), ("réunion", "reunion"), ("logiciel", "logitiel"), ("formation", "formaton"),
          ("communication", "comunication"), ("organisation", "organistion"), ("matériel", "materiel"),
          ("hiérarchie", "hierarchie"), ("équipe", "équippe"), ("collègues", "collegues"),
          ("procédures", "procedures"), ("climatisation", "climatisaton"), ("services", "sevices"))

# Theme weights by host service: (strengths, axes de progression).
_PROFILE = {
    "DGS": ({"management_encadrement": 2.0}, {"transversalite": 2.0}),
    "ETC": ({"competences_formation": 2.0, "cohesion_equipe": 1.5}, {"accueil_usagers": 2.0, "outils_moyens": 1.5}),
    "ACC": ({"accueil_usagers": 2.0}, {"accueil_usagers": 2.5, "communication_interne": 1.5}),
    "CCAS": ({"cohesion_equipe": 2.5, "accueil_usagers": 1.5},
             {"conditions_travail": 2.0, "organisation_travail": 2.0}),
    "URB": ({"competences_formation": 2.5}, {"outils_moyens": 2.0, "transversalite": 2.0}),
    "ST": ({"cohesion_equipe": 2.0, "competences_formation": 1.5},
           {"outils_moyens": 3.0, "conditions_travail": 2.0, "communication_interne": 1.5}),
    "ENV": ({"cohesion_equipe": 2.0}, {"outils_moyens": 2.0, "management_encadrement": 2.0}),
    "PM": ({"organisation_travail": 2.0}, {"transversalite": 1.5, "conditions_travail": 1.5}),
    "SCO": ({"cohesion_equipe": 2.0}, {"communication_interne": 2.0, "organisation_travail": 1.5}),
    "REST": ({"organisation_travail": 1.5}, {"conditions_travail": 3.0, "management_encadrement": 1.5}),
    "PE": ({"accueil_usagers": 2.0, "competences_formation": 2.0}, {"conditions_travail": 1.5}),
    "JEU": ({"cohesion_equipe": 2.0, "transversalite": 1.5}, {"outils_moyens": 2.0}),
    "SPO": ({"transversalite": 2.0}, {"outils_moyens": 2.0}),
    "CULT": ({"accueil_usagers": 2.0}, {"communication_interne": 1.5}),
    "RH": ({"competences_formation": 2.0}, {"communication_interne": 2.0, "organisation_travail": 1.5}),
    "FIN": ({"organisation_travail": 2.5}, {"outils_moyens": 2.0}),
}
_TYPE_BOOST = {"intra": {"management_encadrement": 2.0, "cohesion_equipe": 1.5},
               "inter": {"transversalite": 2.0, "accueil_usagers": 1.3}}

# --------------------------------------------------------------------------------------------------
# Survey and seminar comments
# --------------------------------------------------------------------------------------------------

_COM_POS = (
    "Accueil très [agréable|chaleureux], merci.",
    "Agent [très aimable|souriant|patient] et de bon conseil.",
    "Démarche [rapide|simple] et efficace.",
    "Rien à redire, [service au top|très satisfaite|très satisfait].",
    "Bonne écoute, on m'a bien expliqué la marche à suivre.",
    "Personnel [compétent|disponible], je recommande.",
    "[Bravo|Merci] à toute l’équipe.",
    "[Dossier traité|Réponse obtenue] en [quelques jours|moins d'une semaine], [parfait|très bien].",
    "On m'a rappelé comme promis, c'est [appréciable|rare].",
    "[Nette amélioration|Beaucoup mieux] par rapport à l'année dernière.",
    "La prise de rendez-vous en ligne [fonctionne bien|est pratique].",
    "[Très bon accueil|Accueil impeccable] [malgré le monde|même un samedi matin].",
)
_COM_NEG = (
    "[Trop d'attente|Attente trop longue] au guichet, [plus d'une heure|45 minutes] pour un simple papier.",
    "Personne ne répond au téléphone[, j'ai appelé plusieurs fois| le matin].",
    "[Délais beaucoup trop longs|Délai trop long] pour obtenir une réponse.",
    "On m'a [renvoyé|baladé] d'un service à l'autre.",
    "Horaires d'ouverture pas adaptés quand on travaille.",
    "Le site internet n'est pas à jour.",
    "Pas de place pour se garer devant la mairie.",
    "Aucune réponse à mon courrier [depuis deux mois|malgré deux relances].",
    "Agent [peu aimable|désagréable] au guichet.",
    "[Il manquait une pièce|On ne m'avait pas dit qu'il fallait un justificatif], j'ai dû revenir "
    "[deux fois|trois fois].",
    "Pas d'information sur [l'avancement de mon dossier|les délais].",
    "[Le guichet était fermé|Le bureau était fermé] alors que les horaires indiquaient ouvert.",
    "[Toujours pas de réponse|Aucune nouvelle] après [un mois|plusieurs semaines].",
)
_COM_NEU = ("Correct sans plus.", "Ça dépend des agents.", "Il faudrait pouvoir faire la démarche en ligne.",
            "Moyen.", "Peut mieux faire sur les délais.", "Accueil correct mais attente longue.",
            "[Bien reçu|Accueil aimable] mais [la réponse a tardé|il a fallu relancer].",
            "Pas mal, mais [les horaires|le stationnement] [pose problème|reste compliqué].",
            "Service [correct|convenable], [sans plus|rien d'exceptionnel].")
_COM_SVC = {
    "ETC": ("Acte de naissance reçu en [deux jours|une semaine].", "Dossier de mariage [bien suivi|compliqué]."),
    "ACC": ("Accueil de la mairie [efficace|débordé].", "Inscription sur les listes électorales [facile|laborieuse]."),
    "CCAS": ("Aide [obtenue|toujours en attente] pour ma mère.",
             "Assistante sociale [à l'écoute|difficile à joindre]."),
    "URB": ("Permis de construire [instruit dans les délais|bloqué depuis des mois].",
            "Certificat d'urbanisme [obtenu rapidement|toujours pas reçu]."),
    "ST": ("Nid-de-poule [signalé il y a trois mois, toujours là|réparé rapidement].",
           "Éclairage public en panne [dans mon quartier|depuis des semaines]."),
    "ENV": ("[Ramassage des encombrants|Débroussaillage] [efficace|pas fait depuis longtemps].",
            "Les bords de route sont [propres|mal entretenus]."),
    "PM": ("Police municipale [présente et réactive|jamais là quand on l'appelle].",
           "Stationnement gênant devant l'école [enfin verbalisé|jamais contrôlé]."),
    "SCO": ("Inscription scolaire [facile|compliquée].", "Les écoles sont [bien entretenues|sales]."),
    "REST": ("[Les repas de la cantine sont bons|La cantine, portions trop petites].",
             "Menus de la cantine [variés|répétitifs]."),
    "PE": ("[Pas de place en crèche pour mon fils|Très bonne équipe à la crèche].",
           "Liste d'attente de la crèche [trop longue|bien expliquée]."),
    "JEU": ("Activités pendant les vacances [appréciées par mes enfants|complètes trop vite].",),
    "SPO": ("[Le stade est bien entretenu|Les vestiaires du stade sont sales].",),
    "CULT": ("[Médiathèque agréable|Horaires de la médiathèque trop restreints].",),
    "FIN": ("[Paiement de la cantine à la régie simple|Régie fermée à mon arrivée].",),
}
_COM_PII = (
    "Vous pouvez me rappeler au {tel}.",
    "Mon adresse mail : {mail_res}",
    "Merci à {civ} {nom_agent} au guichet, très aimable.",
    "Je suis {civ_res} {resident}, mon dossier est toujours en attente.",
    "{civ_res} {resident} du quartier {quartier}, joignable au {tel}.",
    "Contactez-moi : {mail_res}",
)
_SEM_POS = (
    "[Très bon séminaire|Séminaire très réussi], [merci aux organisateurs|à refaire chaque année].",
    "Les ateliers étaient [intéressants|concrets|bien animés].",
    "L'intervention de la psychologue du travail était [passionnante|très utile|éclairante].",
    "Enfin un temps pour se parler entre services.",
    "Les mises en situation m'ont fait réfléchir sur ma pratique.",
    "[Le repas était excellent|Le buffet du midi était apprécié].",
    "Le guide des pratiques managériales est une bonne idée, [à faire vivre|à diffuser largement].",
    "[J'ai découvert|On a découvert] le travail [des collègues des services techniques|du CCAS|de l'état civil].",
    "[Belle dynamique|Bonne énergie] collective, [ça fait du bien|on en redemande].",
    "Le coach en management [a su captiver la salle|donnait des exemples parlants].",
    "Des outils concrets pour [mieux animer mes réunions|gérer les tensions dans l'équipe].",
)
_SEM_NEG = (
    "[Trop long|Journée trop chargée], [il manquait des pauses|on aurait pu faire plus court].",
    "La salle était trop chaude, [la climatisation ne marchait pas|pas assez de ventilateurs].",
    "J'aurais aimé plus d'échanges avec les élus.",
    "Les mises en situation étaient un peu artificielles.",
    "Pas assez de temps pour les questions.",
    "Le guide des pratiques managériales reste trop théorique.",
    "[Peu d'agents de terrain présents|Les agents de terrain n'étaient pas assez représentés].",
    "[Beaucoup de discours|Trop de présentations], pas assez de concret.",
    "Je ne vois pas ce qui va changer [dans mon service|au quotidien].",
    "Convocation reçue trop tard pour [s'organiser|prévoir un remplacement].",
)
_SEM_PII = ("Merci à {civ} {nom_agent} pour l'organisation.", "Pour la suite, me contacter au {tel}.",
            "Mes remarques détaillées à {mail_agent}.")

_CSP = ("Employé", "Ouvrier", "Profession intermédiaire", "Cadre, profession intellectuelle supérieure",
        "Artisan, commerçant, chef d'entreprise", "Agriculteur exploitant", "Retraité",
        "Sans activité professionnelle", "Étudiant, élève")
_CANAUX = ("guichet", "telephone", "en_ligne", "courrier")

_COMPETENCES = ("Écoute active", "Délégation", "Feedback", "Gestion des conflits", "Conduite de réunion",
                "Reconnaissance")
_COMP_BASE = np.array([3.4, 2.7, 2.8, 2.6, 3.2, 3.0])
#: Mean latent gain between "avant" and "apres" by competence (Reconnaissance: none).
AUTOEVAL_GAIN = dict(zip(_COMPETENCES, (0.4, 0.7, 0.6, 0.7, 0.45, 0.0)))

_ALT = re.compile(r"\[([^\[\]]*)\]")


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _pick(seq, rng):
    return seq[int(rng.integers(len(seq)))]


def _expand(template: str, rng) -> str:
    return _ALT.sub(lambda m: _pick(m.group(1).split("|"), rng), template)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def _fr(d: date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def _iso(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def _dec(x: float, nd: int = 1) -> str:
    return f"{x:.{nd}f}".replace(".", ",")


def _d(ordinal) -> date:
    return date.fromordinal(int(ordinal))


def _weekday(ordinal: int) -> int:
    """Move a Saturday back to Friday and a Sunday on to Monday."""
    wd = date.fromordinal(ordinal).weekday()
    return ordinal - 1 if wd == 5 else ordinal + 1 if wd == 6 else ordinal


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _phone(rng) -> str:
    a, b, c = (int(x) for x in rng.integers(0, 100, 3))
    kind = int(rng.integers(6))
    if kind == 0:
        return f"0696 {a:02d} {b:02d} {c:02d}"
    if kind == 1:
        return f"06 96 {a:02d} {b:02d} {c:02d}"
    if kind == 2:
        return f"+596 696 {a:02d} {b:02d} {c:02d}"
    if kind == 3:
        return f"0596 56 {b:02d} {c:02d}"
    if kind == 4:
        return f"0697{a:02d}{b:02d}{c:02d}"
    return f"+596 596 77 {b:02d} {c:02d}"


def _email_local(prenom: str, nom: str) -> str:
    clean = lambda s: re.sub(r"[^a-z-]", "", _strip_accents(s).lower().replace(" ", "-"))  # noqa: E731
    return f"{clean(prenom)}.{clean(nom)}"


def _address(rng) -> str:
    n = int(rng.integers(1, 60))
    street = _pick(("rue Schoelcher", "rue Victor Hugo", "allée des Flamboyants", "impasse des Alizés",
                    "rue Lamartine", "chemin de la Source", "lotissement Les Hauts de Champigny"), rng)
    tail = _pick(("", ", 97224 Ducos", " à Ducos", ", 97224"), rng)
    return f"{n} {street}{tail}"


# --------------------------------------------------------------------------------------------------
# File writers (byte-deterministic)
# --------------------------------------------------------------------------------------------------


def _write_csv(path: Path, header, rows, *, encoding="utf-8", sep=",", eol="\n") -> None:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator=eol, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


_FIXED_ZIP_TIME = (2026, 11, 13, 8, 0, 0)
_FIXED_STAMP = "2026-11-13T08:00:00Z"


def _write_xlsx(path: Path, title: str, header, rows, date_cols=()) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    wb.properties.creator = "Mairie de Ducos"
    ws = wb.create_sheet(title)
    bold = Font(bold=True)
    head = []
    for h in header:
        c = WriteOnlyCell(ws, value=h)
        c.font = bold
        head.append(c)
    ws.append(head)
    date_cols = set(date_cols)
    for row in rows:
        out = []
        for j, v in enumerate(row):
            if j in date_cols and isinstance(v, date):
                c = WriteOnlyCell(ws, value=v)
                c.number_format = "DD/MM/YYYY"
                out.append(c)
            else:
                out.append(v)
        ws.append(out)
    raw = io.BytesIO()
    wb.save(raw)
    # Rewrite the archive with fixed timestamps and document properties: identical bytes on every run.
    src = zipfile.ZipFile(io.BytesIO(raw.getvalue()))
    dst_buf = io.BytesIO()
    with zipfile.ZipFile(dst_buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:created[^>]*>)[^<]*(</dcterms:created>)", rf"\g<1>{_FIXED_STAMP}\g<2>", text)
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rf"\g<1>{_FIXED_STAMP}\g<2>",
                              text)
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
    path.write_bytes(dst_buf.getvalue())


# --------------------------------------------------------------------------------------------------
# HR simulation
# --------------------------------------------------------------------------------------------------

_STATUTS = ("titulaire", "stagiaire", "contractuel_permanent", "contractuel_non_permanent")
_OTHER_RATE = {"titulaire": 0.035, "stagiaire": 0.05, "contractuel_permanent": 0.08,
               "contractuel_non_permanent": 0.35}
_OTHER_MOTIFS = {"titulaire": (("Mutation", 0.55), ("Disponibilité", 0.2), ("Démission", 0.15), ("Décès", 0.05),
                               ("Détachement", 0.05)),
                 "stagiaire": (("Démission", 0.6), ("Mutation", 0.3), ("Licenciement", 0.1)),
                 "contractuel_permanent": (("Démission", 0.5), ("Fin de contrat", 0.4), ("Mutation", 0.1)),
                 "contractuel_non_permanent": (("Fin de contrat", 0.9), ("Démission", 0.1))}


@dataclass
class _Agent:
    matricule: str
    job: _Job
    sexe: str
    nom: str
    prenom: str
    birth: date
    entree: date
    statut: str
    quotite: int
    boe: bool
    sortie: date | None = None
    motif: str = ""
    protect: bool = False


def _draw_person(rng, job: _Job, age_years: float, on: date):
    sexe = "F" if rng.random() < job.female else "H"
    prenom = _pick(_PRENOMS_F if sexe == "F" else _PRENOMS_H, rng)
    nom = _pick(_NOMS, rng)
    birth = _d(on.toordinal() - int(round(age_years * 365.25)))
    return sexe, nom, prenom, birth


def _draw_quotite(rng, sexe: str) -> int:
    u = rng.random()
    p80 = 0.10 if sexe == "F" else 0.03
    if u < p80:
        return 80
    if u < p80 + 0.03:
        return 50
    if u < p80 + 0.06:
        return 90
    if u < p80 + 0.07:
        return 70
    return 100


def _departure(rng, a: _Agent, start: date, end: date):
    """Draw (date, motif) of the agent's departure after ``start`` or None when after ``end``."""
    if a.protect:
        return None
    thr = 57.5 if a.job.active else 62.5
    elig = max(start.toordinal(), a.birth.toordinal() + int(thr * 365.25))
    t_ret = elig + int(rng.exponential(1.6 * 365.25))
    t_ret = min(t_ret, _add_years(a.birth, 67).toordinal())
    t_oth = start.toordinal() + int(rng.exponential(365.25 / _OTHER_RATE[a.statut]))
    if min(t_ret, t_oth) > end.toordinal():
        return None
    if t_ret <= t_oth:
        d = _d(t_ret)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)  # pensions start on the 1st of a month
        if d > end:
            return None
        return d, "Retraite"
    motifs = _OTHER_MOTIFS[a.statut]
    p = np.array([m[1] for m in motifs])
    return _d(t_oth), motifs[int(rng.choice(len(motifs), p=p / p.sum()))][0]


def _simulate_agents(rng, scale: int) -> list[_Agent]:
    end = EXTRACTIONS["T12"]
    agents: list[_Agent] = []
    slots: list[_Job] = []
    for job in JOBS:
        slots += [job] * (job.n if job.unique else job.n * scale)
    boundary = list(BOUNDARY_BIRTHS)
    for job in slots:
        if job.unique:
            statut = "titulaire"
        elif job.encadrant:
            statut = "titulaire" if rng.random() < 0.93 else "contractuel_permanent"
        else:
            statut = _STATUTS[int(rng.choice(4, p=[0.77, 0.03, 0.08, 0.12]))]
        if statut == "contractuel_non_permanent":
            age = rng.uniform(19.5, 45)
        elif statut == "stagiaire":
            age = rng.uniform(22, 45)
        elif job.encadrant:
            age = float(np.clip(rng.normal(50, 7), 32, 64))
        elif rng.random() < 0.6:
            age = float(np.clip(rng.normal(55, 5), 35, 65.5))
        else:
            age = rng.uniform(24, 60)
        sexe, nom, prenom, birth = _draw_person(rng, job, age, _SIM_START)
        protect = False
        for k, (metier, bdate) in enumerate(boundary):
            if metier == job.metier:
                birth, protect = bdate, True
                statut = "titulaire"
                del boundary[k]
                break
        age = (_SIM_START - birth).days / 365.25
        if statut == "contractuel_non_permanent":
            tenure = rng.uniform(0.05, 2.5)
        elif statut == "stagiaire":
            tenure = rng.uniform(0.02, 0.9)
        else:
            tenure = rng.uniform(0.5, max(1.0, min(age - 19, 38)))
        entree = _d(_SIM_START.toordinal() - int(tenure * 365.25))
        agents.append(_Agent("", job, sexe, nom, prenom, birth, entree, statut, _draw_quotite(rng, sexe),
                             False, protect=protect))
    # BOE: 6.5 % of the initial roster, more often among older agents.
    w = np.array([1.0 + max(_age(a.birth, _SIM_START) - 40, 0) / 10 for a in agents])
    for i in rng.choice(len(agents), size=int(round(0.065 * len(agents))), replace=False, p=w / w.sum()):
        agents[i].boe = True
    # Departures, replacements (the slot is filled again) and a few new posts, in waves.
    pending = list(agents)
    non_unique = [j for j in JOBS if not j.unique and not j.encadrant]
    n_new = int(round(0.03 * len(slots)))
    for _ in range(n_new):
        job = _pick(non_unique, rng)
        hire = _d(int(rng.integers(_SIM_START.toordinal(), end.toordinal())))
        statut = "contractuel_non_permanent" if rng.random() < 0.6 else "contractuel_permanent"
        sexe, nom, prenom, birth = _draw_person(rng, job, float(np.clip(rng.normal(33, 8), 19, 58)), hire)
        new = _Agent("", job, sexe, nom, prenom, birth, hire, statut, _draw_quotite(rng, sexe),
                     bool(rng.random() < 0.05))
        agents.append(new)
        pending.append(new)
    while pending:
        nxt = []
        for a in pending:
            dep = _departure(rng, a, max(a.entree, _SIM_START), end)
            if dep is None:
                continue
            a.sortie, a.motif = dep
            if rng.random() < (1.0 if a.job.unique else 0.85):
                hire = _d(a.sortie.toordinal() + int(rng.integers(20, 150)))
                if hire > end:
                    continue
                if a.job.encadrant:
                    statut = "titulaire" if rng.random() < 0.6 else "contractuel_permanent"
                else:
                    statut = _STATUTS[int(rng.choice(4, p=[0.35, 0.25, 0.2, 0.2]))]
                sexe, nom, prenom, birth = _draw_person(rng, a.job, float(np.clip(rng.normal(36, 9), 20, 60)), hire)
                new = _Agent("", a.job, sexe, nom, prenom, birth, hire, statut, _draw_quotite(rng, sexe),
                             bool(rng.random() < 0.05))
                agents.append(new)
                nxt.append(new)
        pending = nxt
    # Matricules: unique, random, "M" + 5 digits (more when the roster is very large).
    width = max(5, len(str(len(agents) * 3)))
    nums = rng.choice(np.arange(10 ** (width - 2), 10 ** width), size=len(agents), replace=False)
    for a, n in zip(agents, nums):
        a.matricule = f"M{int(n):0{width}d}"
    return agents


def _present(a: _Agent, on: date) -> bool:
    return a.entree <= on and (a.sortie is None or a.sortie > on)


def _statut_on(a: _Agent, on: date) -> str:
    if a.statut == "stagiaire" and _add_years(a.entree, 1) <= on:
        return "titulaire"
    return a.statut


def _rh_rows(rng, agents: list[_Agent]):
    rows = []
    prev = _SIM_START
    for jalon, ext in EXTRACTIONS.items():
        listed = [a for a in agents if _present(a, ext) or (a.sortie is not None and prev < a.sortie <= ext
                                                             and a.entree <= a.sortie)]
        listed.sort(key=lambda a: (_SVC_INDEX[a.job.service], a.nom, a.prenom, a.matricule))
        for a in listed:
            left = not _present(a, ext)
            zero = rng.random() < 0.35
            raw = float(rng.gamma(1.6, 8.0)) * TRAINING_FACTOR[a.job.service]
            hours = 0.0 if zero else max(0.5, round(raw * 2) / 2)
            if a.job.encadrant and jalon == "T12" and not left:
                hours += 14.0
            svc = a.job.service if rng.random() < 0.92 else _SVC[a.job.service].libelle
            rows.append([a.matricule, a.nom.upper(), a.prenom, a.sexe, _fr(a.birth),
                         svc, _statut_on(a, ext), a.job.categorie, a.job.filiere, a.job.cadre, a.job.metier,
                         _fr(a.entree), _fr(a.sortie) if left else "", a.motif if left else "",
                         _dec(a.quotite), "oui" if a.job.active else "non", "oui" if a.job.encadrant else "non",
                         "oui" if a.boe else "non", _dec(hours), _fr(ext)])
        prev = ext
    return rows


_MOTIF_SPEC = (  # motif, rate per agent-year at multiplier 1, duration sampler, follows the service multiplier
    ("MO", 2.0, "mo", True), ("AT", 0.08, "at", True), ("CLM", 0.025, "clm", True), ("CLD", 0.004, "cld", True),
    ("MP", 0.006, "mp", True), ("AUTRE", 0.4, "autre", False), ("MAT", 0.05, "mat", False),
    ("PAT", 0.04, "pat", False),
)


def _duration(rng, kind: str, n: int) -> np.ndarray:
    if kind == "mo":
        return np.clip(np.round(np.exp(rng.normal(1.4, 0.7, n))), 1, 45).astype(int)
    if kind == "at":
        return np.clip(np.round(np.exp(rng.normal(2.5, 0.7, n))), 1, 120).astype(int)
    if kind == "clm":
        return rng.integers(30, 121, n)
    if kind == "cld":
        return rng.integers(180, 366, n)
    if kind == "mp":
        return rng.integers(14, 121, n)
    if kind == "autre":
        return rng.integers(1, 4, n)
    if kind == "mat":
        return np.full(n, 112)
    return np.full(n, 25)


def _absences(rng, agents: list[_Agent]):
    n = len(agents)
    svc = np.array([_SVC_INDEX[a.job.service] for a in agents])
    a_start = np.array([max(a.entree, _ABS_START).toordinal() for a in agents])
    a_end = np.array([min(a.sortie.toordinal() - 1 if a.sortie else _ABS_END.toordinal(), _ABS_END.toordinal())
                      for a in agents])
    years = np.clip(a_end - a_start, 0, None) / 365.25
    female = np.array([a.sexe == "F" for a in agents])
    age_mid = np.array([(date(2025, 11, 1) - a.birth).days / 365.25 for a in agents])
    technical = np.array([a.job.filiere == TEC for a in agents])
    m_max = np.maximum(_absence_mult(svc, _T0_ORD), _absence_mult(svc, _T12_ORD))
    out_agent, out_motif, out_start, out_end = [], [], [], []
    for motif, rate, kind, follows in _MOTIF_SPEC:
        r = np.full(n, rate)
        if follows:
            r = r * (m_max if motif == "MO" else m_max ** 2)
        if motif == "AT":
            r = r * np.where(technical, 2.0, 0.7)
        if motif == "MAT":
            r = r * (female & (age_mid >= 22) & (age_mid <= 42))
        if motif == "PAT":
            r = r * (~female & (age_mid >= 22) & (age_mid <= 50))
        k = rng.poisson(r * years)
        idx = np.repeat(np.arange(n), k)
        starts = a_start[idx] + np.floor(rng.random(idx.size) * np.maximum(a_end[idx] - a_start[idx], 1)).astype(int)
        keep = np.ones(idx.size, bool)
        if follows:
            m_t = _absence_mult(svc[idx], starts)
            mm = m_max[idx]
            p = m_t / mm if motif == "MO" else (m_t / mm) ** 2
            keep = rng.random(idx.size) < p
        dur = _duration(rng, kind, idx.size)
        ends = np.minimum(starts + dur - 1, a_end[idx])
        out_agent.append(idx[keep])
        out_motif += [motif] * int(keep.sum())
        out_start.append(starts[keep])
        out_end.append(ends[keep])
    ag = np.concatenate(out_agent)
    st = np.concatenate(out_start)
    en = np.concatenate(out_end)
    mot = np.array(out_motif, dtype=object)
    order = np.lexsort((en, st, ag))
    rows = []
    last_agent, last_end = -1, -1
    for i in order:
        if ag[i] == last_agent and st[i] <= last_end:
            continue  # no overlapping absences for one agent
        if ag[i] != last_agent:
            last_agent = ag[i]
        last_end = en[i]
        rows.append((st[i], agents[ag[i]].matricule, mot[i], st[i], en[i]))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [[m, mo, _iso(_d(s)), _iso(_d(e))] for _, m, mo, s, e in rows]


# --------------------------------------------------------------------------------------------------
# Survey
# --------------------------------------------------------------------------------------------------


def _likert(z: np.ndarray) -> np.ndarray:
    return 1 + (z > -1.4).astype(int) + (z > -0.6).astype(int) + (z > 0.0).astype(int) + (z > 1.0).astype(int)


def _survey_rows(rng, scale: int, agents: list[_Agent]):
    n = 350 * scale
    cells, probs = [], []
    for sx in ("F", "H"):
        for ag in AGES:
            for q in QUARTIERS:
                pop = _POP_SEXE[sx] * _POP_AGE[ag] * _POP_QUARTIER[q] / _POP15 ** 2
                cells.append((sx, ag, q))
                probs.append(pop * _SEL_SEXE[sx] * _SEL_AGE[ag] * _SEL_QUARTIER[q])
    probs = np.array(probs) / sum(probs)
    cell_eff = np.array([_EFF_AGE[a] + _EFF_SEXE[sx] + _EFF_QUARTIER.get(q, 0.0) for sx, a, q in cells])
    survey_svcs = [sv for sv in SERVICES if sv.contact > 0]
    contact = np.array([sv.contact for sv in survey_svcs])
    contact = contact / contact.sum()
    svc_idx_all = np.array([_SVC_INDEX[sv.code] for sv in survey_svcs])
    staff_now: dict[str, list[_Agent]] = {}
    for a in agents:
        if a.sortie is None:
            staff_now.setdefault(a.job.service, []).append(a)
    missing_tokens = ("NSP", "NSP", "Ne sait pas", "Sans avis", "", "")
    csp_p = np.array([0.38, 0.15, 0.2, 0.08, 0.1, 0.09])
    rows = []
    for jalon in ("T0", "T6", "T12"):
        lo, hi = _FIELDWORK[jalon]
        cell = rng.choice(len(cells), size=n, p=probs)
        svc_pos = rng.choice(len(survey_svcs), size=n, p=contact)
        days = rng.integers(lo.toordinal(), hi.toordinal() + 1, n)
        d = _dysfunction_year(svc_idx_all[svc_pos], days)
        z = 0.35 + _SAT_SLOPE * (0.45 - d) + cell_eff[cell] + rng.normal(0, 0.75, n)
        likert = np.stack([_likert(z)] + [_likert(0.8 * z + off + rng.normal(0, 0.6, n)) for _, off in _ITEMS], 1)
        reco = np.clip(np.round(5.8 + 1.7 * z + rng.normal(0, 1.2, n)), 0, 10).astype(int)
        # Presentation draws, all vectorised.
        u_svc, u_case, u_case2, u_alias = rng.random(n), rng.random(n), rng.random(n), rng.integers(0, 60, n)
        mode, u_mixed = rng.random(n), rng.random((n, 6))
        missing = rng.random((n, 6)) < np.array([0.015] + [0.05] * 5)
        tok = rng.integers(0, len(missing_tokens), (n, 6))
        canal = rng.choice(4, size=n, p=[0.45, 0.25, 0.22, 0.08])
        reco_missing = rng.random(n) < 0.04
        u_csp, csp_pick, csp_other = rng.random((n, 3)), rng.choice(6, size=n, p=csp_p), rng.random(n)
        order = np.argsort(days, kind="stable")
        width = max(4, len(str(n)))
        for k, i in enumerate(order):
            sx, ag, q = cells[cell[i]]
            sv = survey_svcs[svc_pos[i]]
            if u_svc[i] < 0.72:
                svc_txt = sv.code
            elif u_svc[i] < 0.88:
                svc_txt = sv.alias[u_alias[i] % len(sv.alias)]
            else:
                svc_txt = sv.libelle
            if u_case[i] < 0.03:
                svc_txt = svc_txt.lower() if u_case2[i] < 0.5 else svc_txt.upper()
            values = []
            for j in range(6):
                if missing[i, j]:
                    values.append(missing_tokens[tok[i, j]])
                elif mode[i] < 0.6 or (mode[i] >= 0.95 and u_mixed[i, j] < 0.5):
                    values.append(str(int(likert[i, j])))
                else:
                    values.append(LIKERT_LABELS[int(likert[i, j]) - 1])
            if ag in ("60-74", "75+") and u_csp[i, 0] < (0.6 if ag == "60-74" else 0.9):
                csp = "Retraité"
            elif ag == "15-29" and u_csp[i, 1] < 0.35:
                csp = "Étudiant, élève"
            elif u_csp[i, 2] < 0.05:
                csp = ""
            else:
                csp = _CSP[int(csp_pick[i]) if csp_other[i] < 0.85 else 7]
            comment = _survey_comment(rng, int(likert[i, 0]), sv.code, q, staff_now.get(sv.code, []))
            rows.append([f"{jalon}-{k + 1:0{width}d}", jalon, _fr(_d(days[i])), sx, ag, q, csp, svc_txt,
                         _CANAUX[canal[i]], *values, "" if reco_missing[i] else str(int(reco[i])), comment])
    return rows


def _survey_comment(rng, sat: int, code: str, quartier: str, staff: list[_Agent]) -> str:
    if rng.random() < 0.42:
        return ""
    parts = []
    bank = _COM_POS if sat >= 4 else _COM_NEG if sat <= 2 else _COM_NEU
    parts.append(_expand(_pick(bank, rng), rng))
    if code in _COM_SVC and rng.random() < 0.5:
        parts.insert(0, _expand(_pick(_COM_SVC[code], rng), rng))
    if rng.random() < 0.07:
        agent = _pick(staff, rng) if staff else None
        tpl = _pick(_COM_PII, rng)
        if agent is None and "{nom_agent}" in tpl:
            tpl = _COM_PII[0]
        resident = _pick(_RESIDENTS, rng)
        parts.append(tpl.format(
            tel=_phone(rng), civ=_pick(("Mme", "M.", "Madame", "Monsieur"), rng),
            civ_res=_pick(("Mme", "M.", "Madame"), rng), resident=resident, quartier=quartier,
            nom_agent=agent.nom if agent else "",
            mail_res=f"{_email_local(_pick(_PRENOMS_F + _PRENOMS_H, rng), resident)}"
                     f"{int(rng.integers(10, 99))}@{_pick(('gmail.com', 'orange.fr', 'wanadoo.fr', 'yahoo.fr'), rng)}"))
    sep = "\n" if rng.random() < 0.01 else " "
    text = sep.join(parts)
    if rng.random() < 0.12:
        text = _strip_accents(text)
    if rng.random() < 0.05:
        text = text.lower()
    return text


# --------------------------------------------------------------------------------------------------
# Immersion forms
# --------------------------------------------------------------------------------------------------


def _theme_weights(base: dict, typ: str) -> np.ndarray:
    w = np.array([base.get(t, 1.0) * _TYPE_BOOST[typ].get(t, 1.0) for t in THEMES])
    return w / w.sum()


def _choose_themes(rng, w: np.ndarray) -> list[str]:
    k = int(rng.choice(3, p=[0.45, 0.4, 0.15])) + 1
    idx = rng.choice(len(THEMES), size=k, replace=False, p=w)
    return [THEMES[i] for i in sorted(idx)]


def _sentence(rng, template: str, opener: str = "") -> str:
    s = _expand(template, rng)
    if opener:
        s = s[0].lower() + s[1:]
        if opener.endswith("de ") and _strip_accents(s[0]) in "aeiouh":
            opener = opener[:-2] + "'"
        s = opener + s
        if opener.startswith("Pourquoi"):
            s = s.rstrip(".") + " ?"
    return s


def _compose(rng, sentences: list[str]) -> str:
    if len(sentences) > 1 and rng.random() < 0.2:
        return "\n".join("- " + s for s in sentences)
    if len(sentences) > 1 and rng.random() < 0.15:
        return " ; ".join(s.rstrip(".") for s in sentences) + "."
    return " ".join(sentences)


def _degrade(rng, text: str) -> str:
    if rng.random() < 0.08:
        text = _strip_accents(text)
    if rng.random() < 0.12:
        for good, bad in _TYPOS:
            if good in text:
                text = text.replace(good, bad, 1)
                break
    if rng.random() < 0.03:
        text = text.lower()
    return text


def _pii_sentence(rng, host_staff: list[_Agent]) -> str:
    a = _pick(host_staff, rng)
    civ = _pick(("M.", "Monsieur"), rng) if a.sexe == "H" else _pick(("Mme", "Madame"), rng)
    kind = int(rng.integers(8))
    if kind == 0:
        return _expand(f"Merci à {civ} {a.nom} pour [son accueil|sa disponibilité|ses explications].", rng)
    if kind == 1:
        return _expand(f"{a.prenom} [m'a présenté|m'a expliqué] [le fonctionnement du service|les dossiers en cours].",
                       rng)
    if kind == 2:
        return _expand(f"[J'ai échangé|J'ai pu échanger] avec {a.prenom} {a.nom} sur [ses missions|son poste].", rng)
    if kind == 3:
        return _expand(f"Pour [toute question|le suivi], contacter {_email_local(a.prenom, a.nom)}@ville-ducos.fr.",
                       rng)
    if kind == 4:
        return _expand(f"{civ} {a.nom} [propose|suggère] de [poursuivre les échanges|revenir en immersion], "
                       f"[tél.|tel] {_phone(rng)}.", rng)
    if kind == 5:
        return _expand(f"[Rendez-vous de suivi|Réunion de suivi] au {_address(rng)}.", rng)
    if kind == 6:
        return _expand(f"[L'atelier|Le dépôt] du {_address(rng)} [mériterait un rangement|aurait besoin d'un "
                       f"rafraîchissement].", rng)
    return _expand(f"{a.nom} [nous a montré|m'a fait visiter] [le terrain|les installations], [joignable au|"
                   f"portable :] {_phone(rng)}.", rng)


def _field(rng, kind: str, themes: list[str]) -> str:
    if rng.random() < 0.04:
        return _pick(_VIDES, rng) if kind != "points_forts" or rng.random() < 0.3 else _expand(
            _pick(_HORS_THEME, rng), rng)
    bank = {"points_forts": _PF, "axes_progression": _AX, "propositions": _PR}[kind]
    sentences = []
    for t in themes:
        opener = _pick(_PR_OPENERS, rng) if kind == "propositions" else ""
        sentences.append(_sentence(rng, _pick(bank[t], rng), opener))
    if rng.random() < 0.12:
        off = _expand(_pick(_HORS_THEME, rng), rng)
        sentences.insert(int(rng.integers(len(sentences) + 1)), off)
    return _compose(rng, sentences)


def _forms(rng, scale: int, agents: list[_Agent]):
    n = 100 * scale
    t0, t6, t12 = (JALONS[k].toordinal() for k in ("T0", "T6", "T12"))
    u = rng.random(n)
    days = np.where(u < 0.05, rng.integers(t0 - 39, t0, n),
                    np.where(u < 0.45, rng.integers(t0 + 3, t6, n), rng.integers(t6 + 3, t12 - 1, n)))
    days = np.sort(np.array([_weekday(int(x)) for x in days]))
    days = np.minimum(days, t12 - 1)
    managers = [a for a in agents if a.job.encadrant]
    far = 10 ** 7

    def spans(group):
        return (np.array([a.entree.toordinal() for a in group]),
                np.array([a.sortie.toordinal() if a.sortie else far for a in group]))

    m_in, m_out = spans(managers)
    by_svc: dict[str, list[_Agent]] = {}
    for a in agents:
        by_svc.setdefault(a.job.service, []).append(a)
    svc_spans = {code: spans(group) for code, group in by_svc.items()}
    codes = [s.code for s in SERVICES]
    width = max(4, len(str(n)))
    rows = []
    for k, day in enumerate(days):
        on = _d(day)
        present = np.flatnonzero((m_in <= day) & (m_out > day))
        guest = managers[int(present[int(rng.integers(len(present)))])]
        origin = guest.job.service
        typ = "inter" if rng.random() < 0.55 else "intra"
        host = origin if typ == "intra" else _pick([c for c in codes if c != origin], rng)
        pf_w = _theme_weights(_PROFILE[host][0], typ)
        ax_w = _theme_weights(_PROFILE[host][1], typ)
        pf_t = _choose_themes(rng, pf_w)
        ax_t = _choose_themes(rng, ax_w)
        pr_t = [t for t in ax_t if rng.random() < 0.7] or [ax_t[0]]
        if rng.random() < 0.25:
            extra = THEMES[int(rng.choice(len(THEMES), p=ax_w))]
            if extra not in pr_t:
                pr_t.append(extra)
        texts = {"points_forts": _field(rng, "points_forts", pf_t),
                 "axes_progression": _field(rng, "axes_progression", ax_t),
                 "propositions": _field(rng, "propositions", pr_t)}
        if rng.random() < 0.32:
            s_in, s_out = svc_spans[host]
            staff = [by_svc[host][i] for i in np.flatnonzero((s_in <= day) & (s_out > day))]
            staff = [a for a in staff if a is not guest] or by_svc[host]
            which = _pick(("points_forts", "points_forts", "axes_progression", "propositions"), rng)
            if texts[which] in _VIDES:
                which = "points_forts"
            pii = _pii_sentence(rng, staff)
            texts[which] = (texts[which] + " " + pii) if rng.random() < 0.7 else (pii + " " + texts[which])
        for key in texts:
            texts[key] = _degrade(rng, texts[key])
        dh = float(_dysfunction(_SVC_INDEX[host], day))
        notes = []
        for t in THEMES:
            if rng.random() < 0.04:
                notes.append(None)
                continue
            m = 3.3 + 0.9 * (0.45 - dh) + 0.5 * (t in pf_t) - 0.6 * (t in ax_t) + rng.normal(0, 0.7)
            notes.append(int(np.clip(np.round(m), 1, 5)))

        def svc_txt(code):
            v = rng.random()
            return code if v < 0.8 else (_SVC[code].libelle if v < 0.92 else _pick(_SVC[code].alias, rng))

        rows.append([f"FI-{k + 1:0{width}d}", on, typ, svc_txt(host), svc_txt(origin), guest.matricule, *notes,
                     texts["points_forts"], texts["axes_progression"], texts["propositions"]])
    return rows


# --------------------------------------------------------------------------------------------------
# Indicators, self-evaluations, seminar
# --------------------------------------------------------------------------------------------------

_INDICATORS = {  # indicator: (services, baseline, how d acts)
    "delai_traitement_jours": {"ETC": 4.0, "ACC": 3.0, "CCAS": 21.0, "URB": 48.0, "ST": 14.0, "ENV": 9.0, "FIN": 12.0,
                               "PM": 5.0, "SCO": 6.0, "PE": 30.0},
    "reclamations": {s.code: 2.0 + 20 * s.contact for s in SERVICES if s.contact > 0},
    "dossiers_traites": {"ETC": 310, "ACC": 420, "CCAS": 140, "URB": 45, "ST": 160, "ENV": 120, "FIN": 260, "PM": 90,
                         "SCO": 70, "PE": 25, "REST": 40, "JEU": 55, "SPO": 30, "CULT": 35},
    "taux_decroche": {"ETC": 85.0, "ACC": 88.0, "CCAS": 80.0, "URB": 82.0, "ST": 78.0, "PM": 90.0, "SCO": 84.0,
                      "PE": 86.0},
}


def _indicator_rows(rng):
    months = []
    y, m = _SIM_START.year, _SIM_START.month
    while (y, m) <= (2026, 10):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    rows = []
    for s in SERVICES:
        for (y, m) in months:
            mid = date(y, m, 15).toordinal()
            d = float(_dysfunction(_SVC_INDEX[s.code], mid))
            season = 1.0 + 0.15 * np.cos(2 * np.pi * (m - 9) / 12)
            for ind, base in _INDICATORS.items():
                if s.code not in base:
                    continue
                b = base[s.code]
                if ind == "delai_traitement_jours":
                    v = _dec(b * (0.6 + 0.9 * d) * season * float(np.exp(rng.normal(0, 0.12))), 1)
                elif ind == "reclamations":
                    v = str(int(rng.poisson(b * (0.3 + 2.2 * d))))
                elif ind == "dossiers_traites":
                    v = str(int(rng.poisson(b * season)))
                else:
                    v = _dec(float(np.clip(b + 10 * (0.45 - d) * 2 + rng.normal(0, 3), 30, 99.5)), 1)
                rows.append([s.code, f"{y:04d}-{m:02d}", ind, v])
    return rows


def _autoeval_rows(rng, agents: list[_Agent]):
    on = date(2026, 6, 1)
    managers = sorted((a for a in agents if a.job.encadrant and _present(a, on)
                       and (a.sortie is None or a.sortie > date(2026, 10, 31))),
                      key=lambda a: a.matricule)
    rows = []
    t6, t12 = JALONS["T6"].toordinal(), JALONS["T12"].toordinal()
    for a in managers:
        ability = rng.normal(0, 0.6)
        d_avant = _weekday(int(rng.integers(t6 + 17, t6 + 60)))
        d_apres = _weekday(int(rng.integers(t6 + 120, t12 - 14)))
        no_after = rng.random() < 0.10
        for j, comp in enumerate(_COMPETENCES):
            before = _COMP_BASE[j] + ability + rng.normal(0, 0.5)
            after = before + AUTOEVAL_GAIN[comp] + rng.normal(0, 0.45)
            nb, na = (int(np.clip(np.round(x), 1, 5)) for x in (before, after))
            if rng.random() > 0.02:
                rows.append([a.matricule, "avant", _d(d_avant), comp, nb])
            if not no_after and rng.random() > 0.02:
                rows.append([a.matricule, "apres", _d(d_apres), comp, na])
    rows.sort(key=lambda r: (r[2], r[0], _COMPETENCES.index(r[3])))
    return rows


def _seminar_rows(rng, scale: int, agents: list[_Agent]):
    present = [a for a in agents if _present(a, _SEMINAIRE)]
    n = min(60 * scale, len(present))
    chosen = [present[i] for i in sorted(rng.choice(len(present), size=n, replace=False))]
    rows = []
    for k, a in enumerate(chosen):
        base = rng.normal(0.8, 0.9)
        notes = [int(np.clip(np.round(3.2 + base + off + rng.normal(0, 0.5)), 1, 5)) for off in (0.1, 0.2, -0.1, 0.0)]
        cells = [str(v) if (j == 3 or rng.random() > 0.04) else "" for j, v in enumerate(notes)]
        comment = ""
        if rng.random() < 0.6:
            bank = _SEM_POS if notes[3] >= 4 else _SEM_NEG if notes[3] <= 2 else (_SEM_POS, _SEM_NEG)[k % 2]
            parts = [_expand(_pick(bank, rng), rng)]
            if rng.random() < 0.3:
                parts.append(_expand(_pick(_SEM_POS + _SEM_NEG, rng), rng))
            if rng.random() < 0.1:
                other = _pick(present, rng)
                civ = "Mme" if other.sexe == "F" else "M."
                parts.append(_pick(_SEM_PII, rng).format(
                    civ=civ, nom_agent=other.nom, tel=_phone(rng),
                    mail_agent=f"{_email_local(a.prenom, a.nom)}@ville-ducos.fr"))
            comment = " ".join(dict.fromkeys(parts))
        rows.append([a.matricule, _fr(_SEMINAIRE), *cells, comment])
    rng.shuffle(rows)
    return rows


# --------------------------------------------------------------------------------------------------
# Invalid rows
# --------------------------------------------------------------------------------------------------


def _plant(rows, fraction: float, col: int, value) -> int:
    """Overwrite one cell of the row at ``fraction`` of the file; return its spreadsheet line."""
    i = min(len(rows) - 1, int(len(rows) * fraction))
    rows[i][col] = value
    return i + 2


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------

_SURVEY_HEADER = ["Id répondant", "Vague", "Date de réponse", "Sexe", "Tranche d'âge", "Quartier", "CSP", "Service",
                  "Canal", "Satisfaction globale", "Accueil", "Délai", "Information", "Écoute", "Résolution",
                  "Recommandation", "Commentaire"]
_FORM_HEADER = ["Id fiche", "Date d'immersion", "Type d'immersion", "Service d'accueil", "Service d'origine",
                "Id accueilli", *[_THEME_HEADERS[t] for t in THEMES], "Points forts", "Axes de progression",
                "Propositions"]
_RH_HEADER = ["Matricule", "Nom", "Prénom", "Sexe", "Date de naissance", "Service", "Statut", "Catégorie", "Filière",
              "Cadre d'emplois", "Métier", "Date d'entrée", "Date de sortie", "Motif de sortie", "Quotité",
              "Catégorie active", "Encadrant", "BOE", "Heures de formation", "Date d'extraction"]
_AUTO_HEADER = ["Id cadre", "Temps", "Date", "Compétence", "Note"]
_SEM_HEADER = ["id_participant", "date", "note_organisation", "note_contenu", "note_utilite", "note_globale",
               "commentaire"]

_STREAMS = ("agents", "rh", "absences", "survey", "forms", "indicators", "autoeval", "seminar")


def write_sample(out_dir, scale: int = 1, seed: int = DEFAULT_SEED) -> list[Path]:
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
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    children = np.random.SeedSequence(int(seed)).spawn(len(_STREAMS))
    rngs = {name: np.random.default_rng(c) for name, c in zip(_STREAMS, children)}
    scale = int(scale)
    written: list[Path] = []
    invalid: list[tuple[str, int, str, str, str]] = []

    def csv_file(name, header, rows, **kw):
        path = out / name
        _write_csv(path, header, rows, **kw)
        written.append(path)

    csv_file("calendrier.csv", ["jalon", "date"], [[k, _iso(v)] for k, v in JALONS.items()])
    csv_file("services.csv", ["code_service", "libelle", "direction", "alias"],
             [[s.code, s.libelle, s.direction, ";".join(s.alias)] for s in SERVICES])
    pop = [["sexe", k, v] for k, v in _POP_SEXE.items()] + [["tranche_age", k, v] for k, v in _POP_AGE.items()] + \
          [["quartier", k, v] for k, v in _POP_QUARTIER.items()]
    csv_file("population_reference.csv", ["variable", "modalite", "effectif"], pop)

    agents = _simulate_agents(rngs["agents"], scale)

    survey = _survey_rows(rngs["survey"], scale, agents)
    ln = _plant(survey, 0.12, 9, "7")
    invalid.append(("enquete_usagers.csv", ln, "Satisfaction globale", "7", "note de Likert hors de 1 à 5"))
    t6_rows = [i for i, r in enumerate(survey) if r[1] == "T6"]
    i = t6_rows[len(t6_rows) // 2]
    survey[i][2] = "31/02/2026"
    invalid.append(("enquete_usagers.csv", i + 2, "Date de réponse", "31/02/2026", "date inexistante"))
    ln = _plant(survey, 0.80, 7, "EAU")
    invalid.append(("enquete_usagers.csv", ln, "Service", "EAU", "service inconnu"))
    csv_file("enquete_usagers.csv", _SURVEY_HEADER, survey, encoding="cp1252", sep=";", eol="\r\n")

    forms = _forms(rngs["forms"], scale, agents)
    ln = _plant(forms, 0.44, 1, "bientôt")
    invalid.append(("fiches_immersion.xlsx", ln, "Date d'immersion", "bientôt", "date illisible"))
    path = out / "fiches_immersion.xlsx"
    _write_xlsx(path, "Fiches", _FORM_HEADER, forms, date_cols=(1,))
    written.append(path)

    rh = _rh_rows(rngs["rh"], agents)
    ln = _plant(rh, 0.45, 4, "31/02/1971")
    invalid.append(("rh_agents.csv", ln, "Date de naissance", "31/02/1971", "date inexistante"))
    ln = _plant(rh, 0.85, 14, "1OO")
    invalid.append(("rh_agents.csv", ln, "Quotité", "1OO", "nombre illisible (lettre O)"))
    csv_file("rh_agents.csv", _RH_HEADER, rh, encoding="cp1252", sep=";", eol="\r\n")

    absences = _absences(rngs["absences"], agents)
    ln = _plant(absences, 0.5, 3, "2026-02-30")
    invalid.append(("rh_absences.csv", ln, "date_fin", "2026-02-30", "date inexistante"))
    ln = _plant(absences, 0.7, 1, "GREVE")
    invalid.append(("rh_absences.csv", ln, "motif", "GREVE", "motif inconnu"))
    csv_file("rh_absences.csv", ["matricule", "motif", "date_debut", "date_fin"], absences)

    indicators = _indicator_rows(rngs["indicators"])
    ln = _plant(indicators, 0.33, 0, "DSI")
    invalid.append(("indicateurs_services.csv", ln, "code_service", "DSI", "service inconnu"))
    csv_file("indicateurs_services.csv", ["code_service", "periode", "indicateur", "valeur"], indicators,
             encoding="utf-8-sig", sep=";")

    auto = _autoeval_rows(rngs["autoeval"], agents)
    ln = _plant(auto, 0.6, 4, 6)
    invalid.append(("autoevaluations.xlsx", ln, "Note", "6", "note hors de 1 à 5"))
    path = out / "autoevaluations.xlsx"
    _write_xlsx(path, "Autoévaluations", _AUTO_HEADER, auto, date_cols=(2,))
    written.append(path)

    csv_file("bilan_seminaire.csv", _SEM_HEADER, _seminar_rows(rngs["seminar"], scale, agents))

    path = out / "LISEZMOI.md"
    path.write_bytes(_lisezmoi(scale, seed, invalid).encode("utf-8"))
    written.append(path)
    return written


def _lisezmoi(scale: int, seed: int, invalid) -> str:
    lines = [
        "# Données d'exemple (synthétiques)",
        "",
        "Toutes les données de ce dossier sont **fictives** : elles sont produites par",
        f"`ducos sample-data` (`ducos_lib.synthetic.write_sample`, échelle {scale}, graine {seed}).",
        "Les noms, matricules, dates de naissance, téléphones et adresses ne désignent personne.",
        "Elles imitent les fichiers qu'envoient les services de la mairie de Ducos (jalons T0, T6, T12).",
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
        "",
        "Lignes volontairement invalides (pour la quarantaine ; ligne 1 = en-tête) :",
        "",
        "| fichier | ligne | colonne | valeur | motif |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {f} | {ln} | {c} | `{v}` | {why} |" for f, ln, c, v, why in invalid]
    lines += ["", "Ce fichier n'est pas une donnée : l'ingestion l'ignore.", ""]
    return "\n".join(lines)
