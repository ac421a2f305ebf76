"""Scoring of redaction against an annotated set (``data/corpus/redaction/*.jsonl``).

The rule of the set's README: a personal item is *removed* when none of its letters or digits
survive (a character survives when it lies outside every redacted span); an item to keep is *intact*
when no redacted span touches it. Scored by positions, on the spans :func:`~ducos_lib.redaction.redaction_spans`
declares.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..config import ROOT
from . import redaction_spans_many

__all__ = ["REDACTION_DIR", "load_documents", "score", "summary"]

REDACTION_DIR = ROOT / "data" / "corpus" / "redaction"


def load_documents(path: Path | str) -> list[dict]:
    """Documents of a JSONL file (``doc_id, texte, personnel, a_garder``)."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(documents: list[dict], *, ner: bool = True) -> pd.DataFrame:
    """One row per annotated item: ``doc_id, liste (personnel|a_garder), type, valeur, ok``.

    ``ok`` is "removed" for a personal item and "intact" for an item to keep.
    """
    spans = redaction_spans_many([d["texte"] for d in documents], ner=ner)
    rows = []
    for doc, found in zip(documents, spans):
        covered = [False] * len(doc["texte"])
        for start, end, _ in found:
            for k in range(start, end):
                covered[k] = True
        for item in doc["personnel"]:
            chars = range(item["debut"], item["fin"])
            ok = all(covered[k] for k in chars if doc["texte"][k].isalnum())
            rows.append((doc["doc_id"], "personnel", item["type"], item["valeur"], ok))
        for item in doc["a_garder"]:
            ok = not any(covered[k] for k in range(item["debut"], item["fin"]))
            rows.append((doc["doc_id"], "a_garder", item["type"], item["valeur"], ok))
    return pd.DataFrame(rows, columns=["doc_id", "liste", "type", "valeur", "ok"])


def summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Per list and type: ``n``, ``n_ok`` and ``part_ok`` (removed share, or intact share)."""
    out = scored.groupby(["liste", "type"], sort=True)["ok"].agg(n="size", n_ok="sum").reset_index()
    out["n_ok"] = out["n_ok"].astype("int64")
    out["part_ok"] = out["n_ok"] / out["n"]
    return out


def blind_card(path: Path | str) -> dict:
    """Score the rules once on the blind set and write the figures (per list and type) to ``path``.

    Only counts are written (never the items), so the blind set cannot inform the rules.
    """
    table = summary(score(load_documents(REDACTION_DIR / "aveugle.jsonl")))
    card = {"jeu": "data/corpus/redaction/aveugle.jsonl",
            "regle": "un élément personnel est retiré si aucune de ses lettres ni aucun de ses chiffres ne survit ; "
                     "un élément à garder est intact si aucun de ses caractères n'est touché",
            "par_type": {f"{r.liste}:{r.type}": [int(r.n), int(r.n_ok)] for r in table.itertuples()}}
    Path(path).write_text(json.dumps(card, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return card
