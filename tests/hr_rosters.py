"""Hand-built HR rosters shared by the HR tests (every expected value is worked out by hand in the tests).

Conventions (``ducos_lib/hr``): 12-month window [D - 1 year + 1 day, D] with both bounds included;
present on t = entered on or before t and no exit date or exit after t; permanent = titulaire,
stagiaire, contractuel_permanent; ages in completed months from the first day of the birth month.
"""

from __future__ import annotations

import pandas as pd

D = pd.Timestamp("2025-12-31")  # window 2025-01-01 .. 2025-12-31 = 365 days
D0 = pd.Timestamp("2025-06-30")  # previous extraction

COLS = ["matricule", "sexe", "mois_naissance", "service", "statut", "categorie", "filiere", "metier",
        "date_entree", "date_sortie", "quotite", "categorie_active", "encadrant", "boe",
        "heures_formation"]


def frame(rows, date_extraction):
    df = pd.DataFrame(rows, columns=COLS)
    for c in ("mois_naissance", "date_entree", "date_sortie"):
        df[c] = pd.to_datetime(df[c])
    df["quotite"] = df["quotite"].astype(float)
    df["heures_formation"] = df["heures_formation"].astype(float)
    for c in ("categorie_active", "encadrant", "boe"):
        df[c] = df[c].astype(bool)
    for c in ("matricule", "sexe", "service", "statut", "categorie", "filiere", "metier"):
        df[c] = df[c].astype("str")
    df["date_extraction"] = pd.Timestamp(date_extraction)
    return df


# matricule, sexe, naissance, service, statut, cat, filiere, metier, entree, sortie, quotite,
# active, encadrant, boe, heures
A1 = ["A1", "F", "1970-05-01", "S1", "titulaire", "A", "administrative", "dgs", "2000-01-01", None, 100, False, True, False, 10]
A2 = ["A2", "H", "1980-12-01", "S1", "titulaire", "C", "technique", "agent", "2010-03-01", None, 50, False, False, False, 0]
A3 = ["A3", "F", "1990-01-01", "S2", "contractuel_permanent", "B", "administrative", "secretaire", "2025-03-01", None, 80, False, True, True, 20]
A4 = ["A4", "H", "1965-06-01", "S2", "titulaire", "C", "police", "policier", "1995-01-01", None, 100, True, False, False, 5]
A5 = ["A5", "F", "2000-07-01", "S2", "contractuel_non_permanent", "C", "administrative", "agent", "2025-09-01", None, 100, False, False, False, 0]
A6 = ["A6", "H", "1962-02-01", "S1", "titulaire", "C", "technique", "agent", "1990-01-01", "2025-10-01", 60, False, False, False, 3]
A7 = ["A7", "F", "1975-03-01", "S1", "stagiaire", "B", "administrative", "secretaire", "2024-01-01", "2025-04-15", 100, False, False, False, 0]


def extraction():
    # Extraction of D: the 5 agents present (A1..A5) + A6, who left on 2025-10-01 since D0.
    return frame([A1, A2, A3, A4, A5, A6], D)


def historique():
    # Extraction of D0: A1..A4 and A6 present, A7 listed as gone on 2025-04-15.
    a6_present = A6[:9] + [None] + A6[10:]
    return frame([A1, A2, A3, A4, a6_present, A7], D0)


def absences():
    rows = [
        ("A1", "MO", "2024-12-20", "2025-01-10"),   # crosses the start: 01-01..01-10 = 10 days
        ("A1", "MO", "2025-12-31", None),           # still running: 12-31 only = 1 day
        ("A2", "AT", "2025-12-20", "2026-01-15"),   # crosses the end: 12-20..12-31 = 12 days
        ("A3", "MAT", "2025-05-01", "2025-05-31"),  # 31 days
        ("A4", "CLM", "2025-02-01", "2025-02-28"),  # 28 days
        ("A4", "MO", "2024-01-01", "2024-12-31"),   # before the window: 0
        ("A5", "MO", "2025-10-01", "2025-10-10"),   # non-permanent agent: not counted
        ("A6", "MO", "2025-03-01", "2025-03-05"),   # agent gone on D: not counted
    ]
    df = pd.DataFrame(rows, columns=["matricule", "motif", "date_debut", "date_fin"])
    df["date_debut"] = pd.to_datetime(df["date_debut"])
    df["date_fin"] = pd.to_datetime(df["date_fin"])
    for c in ("matricule", "motif"):
        df[c] = df[c].astype("str")
    return df




P = pd.Timestamp("2025-06-30")
B = [
    # B1: born 1961-05, 62 y -> 2023-06-01, already past on P -> first year (2025).
    #     observed 64 y 1 m -> 2025-06-01 -> leaves 2025-07-01 -> 2025.
    ["B1", "H", "1961-05-01", "X", "titulaire", "C", "technique", "jardinier", "1990-01-01", None, 100, False, False, False, 0],
    # B2: born 1963-03, 62 y 9 m -> 2025-12-01 -> leaves 2026-01-01 (2026); observed 2027-05-01.
    ["B2", "H", "1963-03-01", "X", "titulaire", "C", "technique", "jardinier", "1990-01-01", None, 100, False, False, False, 0],
    # B3: born 1964-11, 62 y 9 m -> 2027-08-01 -> 2027-09-01 (2027); observed 2029-01-01.
    ["B3", "F", "1964-11-01", "Y", "titulaire", "B", "administrative", "secretaire", "1990-01-01", None, 100, False, False, False, 0],
    # B4: active titulaire born 1970-02, 57 y 9 m -> 2027-11-01 -> 2027-12-01 (2027); observed
    #     60 y 6 m -> 2030-09-01.
    ["B4", "H", "1970-02-01", "Y", "titulaire", "C", "police", "policier", "2000-01-01", None, 100, True, False, False, 0],
    # B5: active flag, born 1968-01 but entered 2020: 17 years only on 2037-01-01, after the
    #     sedentary date (63 y 9 m -> 2031-10-01): sedentary, leaves 2031-11-01.
    ["B5", "H", "1968-01-01", "Y", "titulaire", "C", "police", "brigadier", "2020-01-01", None, 100, True, False, False, 0],
    # B6: active flag but contractuel (not CNRACL): sedentary 63 y 3 m -> 2029-04-01 -> 2029-05-01.
    ["B6", "F", "1966-01-01", "X", "contractuel_permanent", "B", "administrative", "comptable", "2000-01-01", None, 100, True, False, False, 0],
    ["B7", "F", "1990-01-01", "X", "titulaire", "B", "animation", "animateur", "2015-01-01", None, 100, False, False, False, 0],
    ["B8", "H", "1995-01-01", "Y", "titulaire", "C", "police", "policier", "2018-01-01", None, 100, True, False, False, 0],
    ["B9", "F", "1995-01-01", "Y", "titulaire", "C", "police", "policier", "2018-01-01", None, 100, True, False, False, 0],
    ["B10", "H", "1995-01-01", "Y", "titulaire", "C", "police", "policier", "2018-01-01", None, 100, True, False, False, 0],
]


def gpec():
    return frame(B, P)
