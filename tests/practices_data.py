"""Hand-made inputs shared by the phases 4–5 tests (test_practices*.py): self-ratings with known pairs,
a seminar review, a fake comment coder, a small guide and its immersion forms."""

from __future__ import annotations

import numpy as np
import pandas as pd

T_AVANT, T_APRES = pd.Timestamp("2026-03-02"), pd.Timestamp("2026-06-15")

# Competence A: ties, zeros, a duplicate rating, a missing note and incomplete pairs.
#   manager   avant  apres   d
#   a1          2      4     2
#   a2          3      4     1   (an earlier "avant" = 1 is superseded by the latest, 3)
#   a3          3      3     0
#   a4          2      3     1   (a later "apres" with a missing note is ignored)
#   a5          4      3    -1
#   a6          1      3     2
#   a7          3      3     0
#   a8          2      5     3
#   a9          2      –         incomplete: dropped
#   a10         –      5         incomplete: dropped
A_PAIRS = [(2, 4), (3, 4), (3, 3), (2, 3), (4, 3), (1, 3), (3, 3), (2, 5)]
# Competence B: 16 pairs with ties and zeros (normal approximation).
B_PAIRS = [(1, 3), (2, 3), (2, 2), (3, 4), (3, 5), (2, 4), (4, 4), (1, 2), (3, 2), (2, 3), (3, 4),
           (2, 4), (4, 5), (3, 3), (1, 4), (2, 1)]
# Competence C: 3 pairs only, below the confidentiality threshold (5).
C_PAIRS = [(2, 3), (3, 4), (1, 2)]
# Competence D: 6 pairs, no ties, no zeros (exact law). Differences 1, 2, 3, 4, 0.5, −1.5.
D_PAIRS = [(1, 2), (1, 3), (1, 4), (1, 5), (2, 2.5), (4.5, 3)]


def pair_rows(competence: str, prefix: str, pairs) -> list[tuple]:
    out = []
    for i, (before, after) in enumerate(pairs, start=1):
        ident = f"{prefix}{i}"
        out.append((ident, "avant", T_AVANT, competence, float(before)))
        out.append((ident, "apres", T_APRES, competence, float(after)))
    return out


def self_ratings() -> pd.DataFrame:
    rows = (pair_rows("Écoute", "a", A_PAIRS) + pair_rows("Délégation", "b", B_PAIRS)
            + pair_rows("Feedback", "c", C_PAIRS) + pair_rows("Gestion du temps", "d", D_PAIRS))
    rows += [
        ("a2", "avant", pd.Timestamp("2026-02-01"), "Écoute", 1.0),  # earlier duplicate: superseded
        ("a4", "apres", pd.Timestamp("2026-07-01"), "Écoute", np.nan),  # missing note: ignored
        ("a9", "avant", T_AVANT, "Écoute", 2.0),  # incomplete pair
        ("a10", "après", T_APRES, "Écoute", 5.0),  # incomplete pair (accented spelling accepted)
    ]
    frame = pd.DataFrame(rows, columns=["id_cadre", "temps", "date", "competence", "note"])
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)  # order must not matter


def diffs(pairs) -> np.ndarray:
    return np.array([after - before for before, after in pairs], dtype=float)




def seminar_review() -> pd.DataFrame:
    return pd.DataFrame({
        "id_participant": [f"P{i}" for i in range(10)],
        "date": pd.Timestamp("2026-11-20"),
        "note_organisation": [5, 4, 4, 3, 5, 2, 4, 4, 1, 5],
        "note_contenu": [5, 4, 3] + [np.nan] * 7,  # 3 answers: not shown
        "note_globale": [4, 4, 5, 3, 4, 2, 5, 4, 3, 4],
        "commentaire": ["Très bonne organisation, merci à Mme Lagier (0696 12 34 56).",
                        "Plus de réunions d'équipe entre services", None, "", "Ateliers trop courts",
                        "Réunions utiles", None, None, None, "Contact : j.lagier@ducos.fr pour la suite"],
    }).astype({"note_organisation": float, "note_contenu": float, "note_globale": float})


def fake_code(texts: pd.Series) -> pd.DataFrame:
    """Stand-in for ducos_lib.text.code_texts: keyword coding."""
    low = texts.str.lower()
    return pd.DataFrame({"communication_interne": low.str.contains("réunion|contact"),
                         "organisation_travail": low.str.contains("organisation|atelier"),
                         "outils_moyens": low.str.contains("logiciel")}, index=texts.index)


CODEBOOK = {"communication_interne": "Communication interne", "organisation_travail": "Organisation du travail",
            "cohesion_equipe": "Cohésion d'équipe", "outils_moyens": "Outils et moyens"}

GUIDE = """---
titre: Guide d'essai
version: "1.1"
date: 2026-10-01
---

# Guide d'essai

## Introduction

Texte d'introduction.

## Tenir un point d'équipe hebdomadaire

Un point court chaque semaine.

Thèmes : communication_interne, cohesion_equipe

## Organiser la polyvalence et les binômes

Deux agents par mission.

**Thèmes :** `organisation_travail`; outils_moyens

## Historique des versions

- 1.1 (01/10/2026) : ajout de la polyvalence.
- 1.0 (01/06/2026) : première version.
"""


def immersion_forms():
    fiches = pd.DataFrame({
        "id_fiche": ["F1", "F2", "F3", "F4"],
        "date_immersion": pd.to_datetime(["2026-02-01", "2026-04-01", "2026-09-01", "2026-10-01"]),
        "propositions": [
            "Instaurer une réunion d'équipe le lundi, voir avec Mme Josépha Lagier au 0696 12 34 56.",
            "Écrire les procédures pour les binômes.",
            "Créer une boîte à idées ; écrire à j.lagier@ducos.fr. Mireille m'a expliqué le service.",
            "Former un binôme sur l'état civil, 12 rue Schœlcher 97224 Ducos.",
        ],
    })
    coding = pd.DataFrame({
        "id_fiche": ["F1", "F1", "F2", "F3", "F3", "F4"],
        "champ": ["propositions", "points_forts", "propositions", "propositions", "axes_progression", "propositions"],
        "theme": ["communication_interne", "cohesion_equipe", "organisation_travail", "communication_interne",
                  "outils_moyens", "organisation_travail"],
    })
    return coding, fiches


