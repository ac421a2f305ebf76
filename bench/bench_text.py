"""Benchmark of the immersion text pipeline (DESIGN §9: measured here, never by a timed test).

Times redaction (rules + spaCy NER, :func:`ducos_lib.redaction.redact_series`) and coding by the shipped
model (:func:`ducos_lib.text.code_fiches`) on N synthetic forms (three free-text fields each). The total
includes importing the library and loading the models (target of issue 13: 10,000 forms in under 30 s
on the 2-core machine); it prints the wall and CPU times, the machine's load average (the machine is
shared: a wall time means little without it), the peak memory (maximum resident set size) and a JSON
line of figures.

Usage: ``.venv/bin/python bench/bench_text.py [--forms 10000] [--seed 1]``
"""

from __future__ import annotations

import time

T_START, C_START = time.perf_counter(), time.process_time()  # before the library's imports

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ducos_lib import text as tx  # noqa: E402
from ducos_lib.nlp import load_nlp  # noqa: E402
from ducos_lib.redaction import Roster, redact_series  # noqa: E402
from ducos_lib.redaction.names import first_names  # noqa: E402

T_IMPORTS = time.perf_counter()

FRAGMENTS = [
    "Très bon accueil des usagers au guichet", "pas assez de réunions d'équipe", "l'acceuil téléphonique est saturé",
    "les plannings changent sans arrêt", "ambiance conviviale et beaucoup d'entraide", "le logiciel plante souvent",
    "bureaux trop chauds, pas de climatisation", "manque de formation sur les nouveaux outils",
    "la cheffe de service est à l'écoute", "aucune reconnaissance de la hiérarchie",
    "on ne connaît pas le travail des autres services", "les véhicules sont en mauvais état",
    "mettre en place un point d'équipe chaque lundi", "créer un groupe de travail inter-services",
    "les procédures ne sont pas écrites", "stress lié aux incivilités du public", "equipe tres soudee",
    "les informations circulent mal entre le matin et le soir", "prévoir un tutorat pour les nouveaux agents",
    "le parc informatique est ancien", "la charge de travail est mal répartie", "journée très enrichissante",
    "RAS", "les agents sont fiers de servir la population", "le cyclone a retardé les chantiers",
    "la navette du personnel arrive en retard", "mutualiser les salles entre les directions",
    "le responsable délègue peu", "les usagers attendent longtemps devant la porte", "comunication inexistante",
]
PII = [
    "", "", "", "", " Merci à Mme {nom}.", " Contacter {prenom} au 0696 {a:02d} {b:02d} {c:02d}.",
    " Écrire à {prenom_l}.{nom_l}@ville-ducos.fr.", " Rendez-vous au {a} rue Schoelcher, 97224 Ducos.",
    " {prenom} {nom} m'a tout expliqué.", " tél. +596 696 {a:02d} {b:02d} {c:02d}",
]
PRENOMS = ["Ghislaine", "Josiane", "Thierry", "Rodrigue", "Marie-Josée", "Frantz", "Nadège", "Ludovic", "Rose"]
NOMS = ["Lagier", "Ursulet", "Lordinot", "Bellemare", "Louis-Joseph", "Théodore", "Zozor", "Germain", "Charlery"]


def synthetic_forms(n: int, seed: int) -> pd.DataFrame:
    """N forms whose three fields combine 1–3 fragments, numbers and occasional personal data."""
    rng = np.random.default_rng(seed)

    def answer() -> str:
        k = int(rng.integers(1, 4))
        parts = [FRAGMENTS[int(i)] for i in rng.choice(len(FRAGMENTS), k, replace=False)]
        text = ", ".join(parts).capitalize() + f" ({int(rng.integers(1, 500))} dossiers)."
        prenom, nom = PRENOMS[int(rng.integers(len(PRENOMS)))], NOMS[int(rng.integers(len(NOMS)))]
        a, b, c = (int(x) for x in rng.integers(0, 100, 3))
        return text + PII[int(rng.integers(len(PII)))].format(
            prenom=prenom, nom=nom, prenom_l=prenom.lower(), nom_l=nom.lower(), a=a, b=b, c=c
        )

    return pd.DataFrame(
        {
            "id_fiche": [f"F{i:06d}" for i in range(n)],
            "points_forts": [answer() for _ in range(n)],
            "axes_progression": [answer() for _ in range(n)],
            "propositions": [answer() for _ in range(n)],
        }
    )


def run(n_forms: int, seed: int, t_imports: float) -> dict:
    forms = synthetic_forms(n_forms, seed)
    roster = Roster.build([f"{p} {n}" for p in PRENOMS for n in NOMS] + [f"Agent{i} Nom{i}" for i in range(300)])
    codebook = tx.load_codebook(tx.codebook_path("immersions"))
    t_load = time.perf_counter()
    coder = tx.load_coder(codebook)
    load_nlp()
    first_names()
    t_ready = time.perf_counter()
    n_unique = int(pd.unique(forms[list(tx.FIELDS)].to_numpy().ravel()).size)

    t0 = time.perf_counter()
    redacted = forms.copy()
    for champ in tx.FIELDS:
        redacted[champ] = redact_series(forms[champ].astype("string"), roster)
    t1 = time.perf_counter()
    coding = tx.code_fiches(redacted, codebook)
    t2, c2 = time.perf_counter(), time.process_time()
    return {
        "benchmark": "text_pipeline",
        "forms": n_forms,
        "answers": 3 * n_forms,
        "unique_answers": n_unique,
        "codebook_version": codebook.version,
        "coder_version": coder.version if coder is not None else "regles",
        "seconds_imports": round(t_imports - T_START, 3),
        "seconds_load_models": round(t_ready - t_load, 3),
        "seconds_total": round(t2 - T_START, 3),
        "cpu_seconds_total": round(c2 - C_START, 3),
        "target_seconds": 30,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "seconds_redact": round(t1 - t0, 3),
        "seconds_code": round(t2 - t1, 3),
        "answers_per_second": round(3 * n_forms / (t2 - T_START), 1),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "coding_rows": len(coding),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    res = run(args.forms, args.seed, T_IMPORTS)
    print(f"{res['forms']} fiches ({res['answers']} réponses, {res['unique_answers']} distinctes) : "
          f"{res['seconds_total']} s en tout (imports {res['seconds_imports']} s, chargement des modèles "
          f"{res['seconds_load_models']} s, caviardage {res['seconds_redact']} s, codage par le modèle "
          f"{res['coder_version']} {res['seconds_code']} s ; temps CPU {res['cpu_seconds_total']} s ; charge de la "
          f"machine {res['load_average_1min']} sur {res['cpus']} cœurs) ; "
          f"pic mémoire (RSS max du processus) {res['max_rss_mib']} Mio")
    print(json.dumps(res, ensure_ascii=False))


if __name__ == "__main__":
    main()
