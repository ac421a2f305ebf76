"""The analyst's loop: label the answers the coder is least sure of, retrain, compare agreement.

In JupyterLab::

    from ducos_lib.text import active
    pool = active.answer_pool(raw_dir, "immersions")            # redacted answers of the forms
    active.write_annotation_file("a_coder.xlsx", active.uncertain_answers(pool, coder), codebook)
    # ... fill the 0/1 columns in a spreadsheet ...
    result = active.retrain("a_coder.xlsx", codebook)           # RetrainResult: coder, kappa before/after
    result.coder.save("modeles/immersions")                     # then textes.modele_immersions in the config

and on the command line ``ducos codage a-annoter --out FILE.xlsx [--n 50]`` and
``ducos codage entrainer --annotations FILE.xlsx``. The shipped model keeps serving until a retrained
one is named in ``config/observatoire.yml`` (``textes.modele_<codebook>``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..io import InputError
from .codebook import Codebook
from .coder import Coder
from .tokens import FIELDS

__all__ = ["RetrainResult", "answer_pool", "read_annotations", "retrain", "uncertain_answers",
           "write_annotation_file"]

_SHEET = "a_coder"


def answer_pool(raw_dir: Path | str, codebook_name: str = "immersions") -> pd.Series:
    """Distinct non-blank free-text answers of a raw folder, redacted, to choose from.

    ``immersions``: the three fields of ``fiches_immersion``; ``usagers``: ``commentaire`` of
    ``enquete_usagers``. Indexed ``"<file>:<line>:<field>"`` (line as a spreadsheet shows it).
    """
    from ..io import find_raw_file, normalise_header, read_raw_table
    from ..redaction import load_roster, redact_series

    stem, fields = (("fiches_immersion", FIELDS) if codebook_name == "immersions"
                    else ("enquete_usagers", ("commentaire",)))
    path = find_raw_file(raw_dir, stem)
    if path is None:
        raise InputError(f"Aucun fichier « {stem} » dans {raw_dir} : pas de réponses à proposer.")
    frame = read_raw_table(path).frame
    frame = frame.rename(columns={c: normalise_header(c) for c in frame.columns})
    parts = []
    for field in fields:
        if field not in frame.columns:
            continue
        col = frame[field].astype("string")
        col.index = [f"{path.name}:{i + 2}:{field}" for i in range(len(frame))]
        parts.append(col[col.fillna("").str.strip() != ""])
    if not parts:
        return pd.Series(dtype="string", name="texte")
    answers = pd.concat(parts)
    answers = answers[~answers.duplicated()]
    return redact_series(answers, load_roster(raw_dir)).rename("texte")


def uncertain_answers(texts: pd.Series, coder: Coder, n: int = 50) -> pd.DataFrame:
    """The ``n`` answers whose theme decisions are closest to the coder's thresholds.

    Uncertainty of an answer = the smallest distance, over themes, between the probability and the
    theme's threshold (in logit units, so 0.49 vs 0.50 is as uncertain as 0.09 vs 0.10). Ties keep
    the input order.

    Returns
    -------
    DataFrame
        ``cle, texte, suggestion`` (themes the coder would give, ``;``-separated) and ``incertitude``.
    """
    texts = texts.dropna().astype(str)
    texts = texts[texts.str.strip() != ""]
    if texts.empty:
        return pd.DataFrame(columns=["cle", "texte", "suggestion", "incertitude"])
    proba = np.clip(coder.predict_proba(texts.tolist()), 1e-6, 1 - 1e-6)
    thr = np.clip(coder.thresholds, 1e-6, 1 - 1e-6)
    logit = np.log(proba / (1 - proba)) - np.log(thr / (1 - thr))[None, :]
    margin = np.abs(logit).min(axis=1)
    order = np.argsort(margin, kind="stable")[:n]
    labels = coder.predict(texts)
    suggestion = labels.apply(lambda r: ";".join(c for c in labels.columns if r[c]), axis=1)
    return pd.DataFrame({"cle": texts.index.astype(str)[order], "texte": texts.to_numpy()[order],
                         "suggestion": suggestion.to_numpy()[order], "incertitude": np.round(margin[order], 3)})


def write_annotation_file(path: Path | str, answers: pd.DataFrame, codebook: Codebook) -> Path:
    """XLSX to fill: one row per answer, one empty column per theme (0/1), a sheet of theme definitions."""
    path = Path(path)
    sheet = answers[["cle", "texte", "suggestion"]].copy()
    for code in codebook.codes:
        sheet[code] = pd.Series([None] * len(sheet), index=sheet.index, dtype="object")
    themes = pd.DataFrame({"theme": codebook.codes, "libelle": [t.libelle for t in codebook.themes],
                           "definition": [t.definition for t in codebook.themes]})
    consigne = pd.DataFrame({"consigne": [
        "Pour chaque réponse, mettez 1 dans la colonne de chaque thème dont elle parle, 0 sinon (une réponse "
        "peut n'avoir aucun thème : mettez 0 partout).",
        "La colonne « suggestion » donne ce que le modèle proposerait : elle n'est pas lue au retour.",
        f"Codebook {codebook.name} version {codebook.version}.",
    ]})
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        sheet.to_excel(writer, sheet_name=_SHEET, index=False)
        themes.to_excel(writer, sheet_name="themes", index=False)
        consigne.to_excel(writer, sheet_name="consignes", index=False)
    return path


def read_annotations(path: Path | str, codebook: Codebook) -> pd.DataFrame:
    """Labelled rows of a filled annotation file, as training rows (``texte, groupe, reel`` + themes).

    Rows whose theme cells are all empty are skipped (not labelled yet).

    Raises
    ------
    InputError
        In French, naming the file, line, column and value, for a cell other than 0, 1 or empty,
        or a missing theme column.
    """
    path = Path(path)
    try:
        frame = pd.read_excel(path, sheet_name=_SHEET, dtype=object, engine="openpyxl")
    except (OSError, ValueError) as exc:
        raise InputError(f"{path.name} : lecture impossible ({exc}) ; attendu : un fichier écrit par "
                         "« ducos codage a-annoter », feuille « a_coder ».") from exc
    missing = [c for c in ["texte", *codebook.codes] if c not in frame.columns]
    if missing:
        raise InputError(f"{path.name} : colonnes absentes de la feuille « {_SHEET} » : {', '.join(missing)}.")
    values = {}
    for code in codebook.codes:
        col = []
        for i, v in enumerate(frame[code]):
            if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
                col.append(np.nan)
                continue
            s = str(v).strip().replace(",", ".")
            if s not in {"0", "1", "0.0", "1.0"}:
                raise InputError(f"{path.name}, ligne {i + 2}, colonne « {code} » : valeur « {v} » ; "
                                 "attendu : 0, 1 ou vide.")
            col.append(float(s))
        values[code] = col
    labels = pd.DataFrame(values)
    done = labels.notna().any(axis=1) & frame["texte"].notna()
    labels = labels[done].fillna(0).astype(bool)
    texts = frame.loc[done, "texte"].astype(str)
    out = pd.DataFrame({"texte": texts.to_numpy(),
                        "groupe": [f"annotation:{path.name}:{i + 2}" for i in texts.index], "reel": True})
    return pd.concat([out, labels.reset_index(drop=True)], axis=1)


@dataclass(frozen=True)
class RetrainResult:
    """Result of :func:`retrain`: the new coder and the CV kappa per theme before and after."""

    coder: Coder
    comparison: pd.DataFrame
    n_new: int


def retrain(path: Path | str, codebook: Codebook, *, version: str | None = None,
            base: Coder | None = None, training: pd.DataFrame | None = None) -> RetrainResult:
    """Retrain the coder with the labels of an annotation file and compare cross-validated kappas.

    Returns
    -------
    RetrainResult
        ``comparison``: ``theme, libelle, kappa_avant, kappa_apres, variation`` (before = the card of
        ``base``, default the shipped coder; after = grouped CV with the new labels) and a last row
        ``moyenne``. ``training`` replaces the corpus' training lot (tests).
    """
    from .coding import load_coder
    from .model_card import train_shipped

    new = read_annotations(path, codebook)
    base = base if base is not None else load_coder(codebook)
    settings = base.settings if base is not None else None
    version = version or (f"{base.version}+annotations" if base is not None else "annotations")
    coder, _ = train_shipped(codebook, version, settings, extra=new, training=training)
    before = {r["theme"]: r["kappa"] for r in (base.card if base is not None else {}).get(
        "validation_croisee", {}).get("par_theme", [])}
    after = {r["theme"]: r["kappa"] for r in coder.card["validation_croisee"]["par_theme"]}
    rows = [(c, codebook.labels()[c], before.get(c, np.nan), after.get(c, np.nan)) for c in codebook.codes]
    comp = pd.DataFrame(rows, columns=["theme", "libelle", "kappa_avant", "kappa_apres"]).astype(
        {"kappa_avant": "float64", "kappa_apres": "float64"})
    comp.loc[len(comp)] = ["moyenne", "Moyenne des thèmes", comp["kappa_avant"].mean(), comp["kappa_apres"].mean()]
    comp["variation"] = comp["kappa_apres"] - comp["kappa_avant"]
    return RetrainResult(coder, comp, len(new))
