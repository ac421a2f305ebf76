"""Synthetic sample: the simulated town (calendar, services, population, jobs, names) and the
byte-deterministic file writers."""

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

from ._phrases import _ALT

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


