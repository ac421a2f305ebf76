"""Synthetic data shared by the quality ↔ performance tests (test_linkage.py, test_linkage_report.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ducos_lib import linkage as L

N_SERVICES = 15
RAPIDE = {"n_bootstrap": 1000, "n_permutations": 1000, "seed": 12345}
D_T0, D_T6 = pd.Timestamp("2026-01-15"), pd.Timestamp("2026-07-15")


# A synthetic cross-section: absenteeism ↓ satisfaction planted; training ⟂ immersion ratings

def cross_section(graine: int = 7, n: int = N_SERVICES, effet: float = -0.12) -> pd.DataFrame:
    rng = np.random.default_rng(graine)
    absent = rng.uniform(2, 14, n)
    formation = rng.uniform(5, 40, n)
    # Independent pair, by construction: immersion ratings ordered by a random permutation whose
    # rank correlation with training is close to zero (drawn until |rho| < 0.1, deterministic).
    notes = np.sort(rng.uniform(2, 5, n))
    while True:
        candidat = notes[rng.permutation(n)]
        if abs(stats.spearmanr(candidat, formation).statistic) < 0.1:
            break
    return pd.DataFrame({
        "code_service": [f"S{i:02d}" for i in range(n)],
        "satisfaction_globale_moyenne": 4.6 + effet * absent + rng.normal(0, 0.25, n),
        "note_immersion_moyenne": candidat,
        "taux_absenteisme": absent,
        "heures_formation_par_agent": formation,
    })



def quality_staff_results(section: pd.DataFrame) -> pd.DataFrame:
    return L.quality_staff_correlations(
        section, quality=["satisfaction_globale_moyenne", "note_immersion_moyenne"],
        staff=["taux_absenteisme", "heures_formation_par_agent"], **RAPIDE)


def row(res: pd.DataFrame, q: str, r: str) -> pd.Series:
    return res[(res["indicateur_qualite"] == q) & (res["indicateur_rh"] == r)].iloc[0]


def long_panel(n_jalons: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    base = rng.normal(0, 0.3, N_SERVICES)
    morceaux = []
    for j in range(n_jalons):
        s = cross_section(20 + j)
        s["satisfaction_globale_moyenne"] += base
        s["jalon"] = f"T{6 * j}"
        morceaux.append(s)
    return pd.concat(morceaux, ignore_index=True)



# Processed DataFrames of a small panel (5 services of 2 to 9 agents, one without data)

EFFECTIFS = {"S01": 8, "S02": 2, "S03": 6, "S04": 7, "S05": 9}


def agents() -> pd.DataFrame:
    lignes = []
    for ext in (pd.Timestamp("2026-01-10"), pd.Timestamp("2026-07-10")):
        for s, n in EFFECTIFS.items():
            for i in range(n):
                lignes.append({"matricule": f"P{s}{i:02d}", "sexe": "F" if i % 2 else "H",
                               "mois_naissance": pd.Timestamp("1980-03-01"), "service": s,
                               "statut": "titulaire", "categorie": "C", "filiere": "administrative",
                               "metier": "agent", "date_entree": pd.Timestamp("2015-01-01"),
                               "date_sortie": pd.NaT, "quotite": 100.0, "categorie_active": False,
                               "encadrant": i == 0, "boe": False,
                               "heures_formation": float(3 * i), "date_extraction": ext})
    return pd.DataFrame(lignes)


def absences() -> pd.DataFrame:
    return pd.DataFrame({"matricule": ["PS0100", "PS0201", "PS0300", "PS0102"],
                         "motif": ["MO", "MO", "AT", "MO"],
                         "date_debut": pd.to_datetime(["2025-05-01", "2025-06-01", "2025-09-01",
                                                       "2026-03-01"]),
                         "date_fin": pd.to_datetime(["2025-05-20", "2025-06-30", "2025-09-05",
                                                     "2026-03-10"])})


def estimations() -> pd.DataFrame:
    lignes = []
    for vague in ("T0", "T6"):
        for s, n, est in (("S01", 40, 3.8), ("S02", 6, 2.1), ("S03", 25, 3.1), ("S05", 55, 4.0)):
            for ind, v in (("satisfaction_globale_moyenne", est), ("satisfaction_globale_satisfaits", est / 5)):
                lignes.append({"vague": vague, "indicateur": ind, "groupe_variable": "service",
                               "groupe": s, "estimation": v + (0.1 if vague == "T6" else 0),
                               "erreur_type": 0.1, "ic_bas": v - 0.2, "ic_haut": v + 0.2,
                               "n_repondants": n})
        lignes.append({"vague": vague, "indicateur": "satisfaction_globale_moyenne",
                       "groupe_variable": "ensemble", "groupe": "ensemble", "estimation": 3.5,
                       "erreur_type": 0.05, "ic_bas": 3.4, "ic_haut": 3.6, "n_repondants": 300})
    return pd.DataFrame(lignes)


def fiches() -> pd.DataFrame:
    return pd.DataFrame({
        "id_fiche": ["F1", "F2", "F3", "F4"],
        "date_immersion": pd.to_datetime(["2025-12-01", "2026-01-10", "2026-03-01", "2025-12-05"]),
        "type_immersion": ["inter", "intra", "inter", "inter"],
        "service_accueil": ["S01", "S01", "S01", "S03"],
        "id_accueilli": ["PS0300", "PS0101", "PS0400", "PS0100"],
        "note_accueil_usagers": [4.0, 2.0, 1.0, np.nan],
        "note_organisation_travail": [5.0, np.nan, 1.0, np.nan],
    })


def indicators() -> pd.DataFrame:
    return pd.DataFrame({"code_service": ["S01", "S01", "S01", "S03"],
                         "periode": ["2025-02", "2025-06", "2026-01", "2024-12"],
                         "indicateur": ["delai_traitement"] * 4,
                         "valeur": [10.0, 20.0, 30.0, 99.0]})


def autoevaluations() -> pd.DataFrame:
    return pd.DataFrame({"id_cadre": ["PS0100"] * 4 + ["PS0300"] * 2,
                         "temps": ["avant", "apres", "avant", "apres", "avant", "apres"],
                         "date": pd.to_datetime(["2026-02-01", "2026-06-01"] * 3),
                         "competence": ["ecoute", "ecoute", "delegation", "delegation", "ecoute", "ecoute"],
                         "note": [2.0, 4.0, 3.0, 3.0, 1.0, 4.0]})




def small_panel() -> L.ServicePanel:
    services = pd.DataFrame({"code_service": list(EFFECTIFS) + ["S06"],
                             "libelle": [f"Service {s}" for s in list(EFFECTIFS) + ["S06"]]})
    return L.service_panel({"T0": D_T0, "T6": D_T6}, services=services, estimations=estimations(),
                           fiches_immersion=fiches(), indicateurs_services=indicators(),
                           rh_agents=agents(), rh_absences=absences(),
                           autoevaluations=autoevaluations(), survey_threshold=10, threshold=5)
