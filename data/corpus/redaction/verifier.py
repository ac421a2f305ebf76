"""Check the redaction test set: offsets, types, lots and overlaps.

Run ``python data/corpus/redaction/verifier.py`` from the repository root (or with the folder as
argument).  Every span must satisfy ``texte[debut:fin] == valeur``; the script stops at the first
error with a French message naming the file, the line and the span, and prints the counts otherwise.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

DOSSIER = Path(__file__).resolve().parent
FICHIERS = ("developpement.jsonl", "aveugle.jsonl")
CLES = {"doc_id", "source_url", "source_type", "texte", "personnel", "a_garder"}
TYPES = {
    "personnel": {"NOM", "TELEPHONE", "EMAIL", "ADRESSE", "CODE_POSTAL", "AUTRE"},
    "a_garder": {
        "DATE", "MONTANT", "ARTICLE", "HORAIRE", "SERVICE", "LIEU_PUBLIC", "FONCTION", "AUTRE",
    },
}


class ErreurCorpus(Exception):
    """A rule of the test set is broken; the message names the file, the line and the span."""


def exiger(condition: bool, message: str) -> None:
    """Raise ``ErreurCorpus`` unless ``condition`` holds (unlike ``assert``, kept under ``-O``)."""
    if not condition:
        raise ErreurCorpus(message)


def lot_attendu(doc_id: str) -> str:
    """Return the lot a document belongs to: one in three goes to the blind lot, by its id."""
    return "aveugle.jsonl" if int(hashlib.sha1(doc_id.encode("utf-8")).hexdigest(), 16) % 3 == 0 \
        else "developpement.jsonl"


def verifier_document(doc: dict, ou: str) -> None:
    """Assert every rule on one document; ``ou`` names the file and line for the message."""
    exiger(isinstance(doc, dict) and set(doc) == CLES,
           f"{ou} : clés {sorted(doc) if isinstance(doc, dict) else type(doc)} au lieu de {sorted(CLES)}")
    for cle in ("doc_id", "source_url", "source_type", "texte"):
        exiger(isinstance(doc[cle], str) and doc[cle], f"{ou} : « {cle} » vide ou non textuel")
    exiger(doc["source_url"].startswith(("http://", "https://")),
           f"{ou} : source_url « {doc['source_url']} » n'est pas une adresse web")
    texte = doc["texte"]
    occupe: list[tuple[int, int, str]] = []
    for liste in ("personnel", "a_garder"):
        spans = doc[liste]
        exiger(isinstance(spans, list), f"{ou} : « {liste} » n'est pas une liste")
        precedent = -1
        for s in spans:
            ici = f"{ou}, {liste} {s}"
            exiger(isinstance(s, dict) and set(s) == {"debut", "fin", "type", "valeur"},
                   f"{ici} : clés attendues debut, fin, type, valeur")
            d, f = s["debut"], s["fin"]
            exiger(type(d) is int and type(f) is int and 0 <= d < f <= len(texte),
                   f"{ici} : bornes hors du texte (longueur {len(texte)})")
            exiger(s["type"] in TYPES[liste],
                   f"{ici} : type inconnu, attendu {sorted(TYPES[liste])}")
            exiger(texte[d:f] == s["valeur"],
                   f"{ici} : texte[{d}:{f}] vaut « {texte[d:f]} », pas « {s['valeur']} »")
            exiger(s["valeur"] == s["valeur"].strip(), f"{ici} : espaces en bord de span")
            exiger(d >= precedent, f"{ici} : spans non triés par début")
            precedent = d
            occupe.append((d, f, liste))
    occupe.sort()
    for (d1, f1, l1), (d2, f2, l2) in zip(occupe, occupe[1:]):
        exiger(d2 >= f1, f"{ou} : chevauchement de spans [{d1}:{f1}] ({l1}) et [{d2}:{f2}] ({l2})")


def verifier(dossier: Path = DOSSIER) -> dict[str, Counter]:
    """Check both files and return the counts per lot (``personnel:TYPE``, ``a_garder:TYPE``)."""
    vus: set[str] = set()
    comptes: dict[str, Counter] = {}
    for nom in FICHIERS:
        chemin = dossier / nom
        compte: Counter = Counter()
        with chemin.open(encoding="utf-8") as flux:
            for numero, ligne in enumerate(flux, start=1):
                ou = f"{chemin.name}, ligne {numero}"
                doc = json.loads(ligne)
                verifier_document(doc, ou)
                exiger(doc["doc_id"] not in vus, f"{ou} : doc_id « {doc['doc_id']} » en double")
                vus.add(doc["doc_id"])
                exiger(lot_attendu(doc["doc_id"]) == nom,
                       f"{ou} : « {doc['doc_id']} » appartient à {lot_attendu(doc['doc_id'])}")
                compte["documents"] += 1
                for liste in ("personnel", "a_garder"):
                    for s in doc[liste]:
                        compte[f"{liste}:{s['type']}"] += 1
                        compte[liste] += 1
        comptes[nom] = compte
    return comptes


def main(argv: list[str]) -> int:
    dossier = Path(argv[1]) if len(argv) > 1 else DOSSIER
    try:
        comptes = verifier(dossier)
    except (ErreurCorpus, json.JSONDecodeError, OSError) as erreur:
        print(f"ERREUR : {erreur}", file=sys.stderr)
        return 1
    for nom, compte in comptes.items():
        print(f"{nom} : {compte['documents']} documents, {compte['personnel']} éléments personnels, "
              f"{compte['a_garder']} éléments à garder")
        for cle in sorted(k for k in compte if ":" in k):
            print(f"  {cle:<24} {compte[cle]}")
    print("OK : chaque span vérifie texte[debut:fin] == valeur.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
