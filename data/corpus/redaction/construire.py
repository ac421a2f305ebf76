"""Build ``developpement.jsonl`` and ``aveugle.jsonl`` from the annotated master file.

The master, ``documents_annotes.txt``, holds one block per document::

    ### doc_id | source_type | source_url
    Texte avec [[NOM~forme|DUPONT Marie]] à masquer et {{DATE|12/03/2024}} à garder.

``[[TYPE|valeur]]`` marks a personal item, ``{{TYPE|valeur}}`` a span that must be kept; the optional
``~forme`` label names the written form (used only for the coverage table, never written out).
Offsets are computed here, so they cannot drift from the text.  Run ``verifier.py`` afterwards.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from verifier import lot_attendu, verifier  # noqa: E402

DOSSIER = Path(__file__).resolve().parent
MAITRE = DOSSIER / "documents_annotes.txt"
MARQUE = re.compile(r"\[\[([A-Z_]+)(?:~([a-z_0-9]+))?\|(.+?)\]\]|\{\{([A-Z_]+)\|(.+?)\}\}")


def analyser_bloc(entete: str, corps: str, ligne: int) -> tuple[dict, list[str]]:
    """Turn one annotated block into a document and the list of its form labels."""
    champs = [c.strip() for c in entete.split("|")]
    if len(champs) != 3:
        raise ValueError(f"{MAITRE.name}, ligne {ligne} : en-tête « {entete} », attendu "
                         "« doc_id | source_type | source_url »")
    doc_id, source_type, source_url = champs
    texte, personnel, a_garder, formes = [], [], [], []
    pos, curseur = 0, 0
    for m in MARQUE.finditer(corps):
        texte.append(corps[curseur:m.start()])
        pos += m.start() - curseur
        if m.group(1):
            valeur = m.group(3)
            personnel.append({"debut": pos, "fin": pos + len(valeur), "type": m.group(1),
                              "valeur": valeur})
            formes.append(f"{m.group(1)}~{m.group(2) or '-'}")
        else:
            valeur = m.group(5)
            a_garder.append({"debut": pos, "fin": pos + len(valeur), "type": m.group(4),
                             "valeur": valeur})
            formes.append(f"garder~{m.group(4)}")
        texte.append(valeur)
        pos += len(valeur)
        curseur = m.end()
    texte.append(corps[curseur:])
    texte = "".join(texte)
    if "[[" in texte or "{{" in texte or "]]" in texte or "}}" in texte:
        raise ValueError(f"{MAITRE.name}, ligne {ligne} : marque mal fermée dans « {doc_id} »")
    doc = {"doc_id": doc_id, "source_url": source_url, "source_type": source_type, "texte": texte,
           "personnel": personnel, "a_garder": a_garder}
    return doc, formes


def lire_maitre(chemin: Path = MAITRE) -> list[tuple[dict, list[str]]]:
    """Read every block of the master file, in order."""
    blocs, entete, lignes, debut = [], None, [], 0
    for numero, ligne in enumerate(chemin.read_text(encoding="utf-8").splitlines(), start=1):
        if ligne.startswith("### "):
            if entete is not None:
                blocs.append(analyser_bloc(entete, "\n".join(lignes).strip("\n"), debut))
            entete, lignes, debut = ligne[4:], [], numero
        elif ligne.startswith("#"):
            continue  # a comment line of the master, never part of a text
        elif entete is not None:
            lignes.append(ligne)
    if entete is not None:
        blocs.append(analyser_bloc(entete, "\n".join(lignes).strip("\n"), debut))
    return blocs


def main() -> int:
    blocs = lire_maitre()
    sorties = {"developpement.jsonl": [], "aveugle.jsonl": []}
    couverture: dict[str, Counter] = defaultdict(Counter)
    for doc, formes in blocs:
        lot = lot_attendu(doc["doc_id"])
        sorties[lot].append(doc)
        couverture[lot].update(formes)
    for nom, docs in sorties.items():
        with (DOSSIER / nom).open("w", encoding="utf-8") as flux:
            for doc in docs:
                flux.write(json.dumps(doc, ensure_ascii=False) + "\n")
    verifier(DOSSIER)
    dev, ave = couverture["developpement.jsonl"], couverture["aveugle.jsonl"]
    print(f"{'forme':<28}{'dév.':>6}{'aveugle':>9}")
    for forme in sorted(set(dev) | set(ave)):
        print(f"{forme:<28}{dev[forme]:>6}{ave[forme]:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
