"""Coding answers against a codebook: the shipped learned model by default, the rules on request.

:func:`code_texts` is the one entry point (Series of answers → boolean indicators per theme). It uses
the model shipped in the package for the codebook (``ducos_lib/models/<codebook>/``, see
:func:`load_coder`) and falls back to the codebook's rules when no model matches the codebook's themes.
:func:`code_fiches` and :func:`theme_coverage` build ``immersions_codage.csv`` and
``immersions_themes.csv`` (DESIGN §4).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..nlp import normalise
from .codebook import Codebook, codebook_path, load_codebook
from .coder import Coder
from .features import analyse, rule_text
from .tokens import FIELDS

__all__ = ["MODELS_DIR", "code_fiches", "code_texts", "code_texts_rules", "coder_summary", "load_coder",
           "theme_coverage"]

#: Trained models shipped in the package, one folder per codebook name.
MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def _codebook(codebook: Codebook | None) -> Codebook:
    return codebook if codebook is not None else load_codebook(codebook_path("immersions"))


@lru_cache(maxsize=8)
def _load(folder: str, codebook_path_: str, mtime: float) -> Coder | None:
    codebook = load_codebook(codebook_path_)
    try:
        return Coder.load(folder, codebook)
    except ValueError:
        return None


def load_coder(codebook: Codebook | None = None, folder: Path | str | None = None) -> Coder | None:
    """The trained coder shipped for a codebook, or None when there is none for its themes.

    Parameters
    ----------
    codebook : Codebook, optional
        Default: the staff codebook.
    folder : path, optional
        Model folder; default ``textes.modele_<codebook>`` of ``config/observatoire.yml`` (a model
        retrained in the analyst's loop), else the shipped ``ducos_lib/models/<codebook>``.
    """
    codebook = _codebook(codebook)
    if folder is None:
        from ..config import ROOT, load_config

        setting = (load_config().get("textes") or {}).get(f"modele_{codebook.name}")
        folder = (Path(setting) if Path(setting).is_absolute() else ROOT / setting) if setting else \
            MODELS_DIR / codebook.name
    folder = Path(folder)
    if not (folder / "modele.json").exists() or codebook.path is None:
        return None
    coder = _load(str(folder), str(codebook.path), (folder / "modele.npz").stat().st_mtime)
    return coder


def coder_summary(codebook: Codebook | None = None) -> dict:
    """What reports state about the coder in use: method, version and blind agreement.

    Returns
    -------
    dict
        ``methode`` (``"modele"`` or ``"regles"``), ``version``, ``codebook_version``, and from the
        model card ``n_entrainement``, ``kappa_cv``, ``kappa_aveugle``, ``n_aveugle``,
        ``part_sans_theme_humain`` / ``part_sans_theme_codeur`` (blind lot), ``par_theme`` (list of
        per-theme blind rows); NaN / empty when unknown.
    """
    codebook = _codebook(codebook)
    coder = load_coder(codebook)
    if coder is None:
        blind = [b for b in codebook.accord_aveugle if b.version == codebook.version]
        return {"methode": "regles", "version": codebook.version, "codebook_version": codebook.version,
                "n_entrainement": 0, "kappa_cv": np.nan,
                "kappa_aveugle": blind[-1].kappa if blind else np.nan, "n_aveugle": blind[-1].n if blind else 0,
                "part_sans_theme_humain": np.nan, "part_sans_theme_codeur": np.nan, "par_theme": []}
    card = coder.card
    blind = card.get("aveugle", {})
    return {"methode": "modele", "version": coder.version, "codebook_version": codebook.version,
            "n_entrainement": card.get("n_entrainement", 0),
            "kappa_cv": card.get("validation_croisee", {}).get("kappa_moyen", np.nan),
            "kappa_aveugle": blind.get("kappa_moyen", np.nan), "n_aveugle": blind.get("n", 0),
            "part_sans_theme_humain": blind.get("part_sans_theme_humain", np.nan),
            "part_sans_theme_codeur": blind.get("part_sans_theme_codeur", np.nan),
            "par_theme": blind.get("par_theme", [])}


def code_texts_rules(texts: pd.Series, codebook: Codebook | None = None) -> pd.DataFrame:
    """Code answers with the codebook's rules only (patterns outside denials).

    Returns
    -------
    DataFrame
        Boolean indicators, same index as ``texts``, one column per theme in codebook order.
    """
    codebook = _codebook(codebook)
    values = texts.astype(object).where(texts.notna(), "")
    uniques = list(pd.unique(values.to_numpy()))
    rows = {}
    for text, a in zip(uniques, analyse(uniques)):
        prepared = rule_text(a)
        rows[text] = [theme.matches(prepared) for theme in codebook.themes]
    matrix = np.array([rows[v] for v in values], dtype=bool).reshape(len(values), len(codebook.themes))
    return pd.DataFrame(matrix, index=texts.index, columns=codebook.codes)


def code_texts(texts: pd.Series, codebook: Codebook | None = None, *, method: str = "modele",
               coder: Coder | None = None) -> pd.DataFrame:
    """Code each answer to zero, one or several themes.

    Parameters
    ----------
    texts : Series of str
        Answers as typed (missing values allowed; blank answers get no theme).
    codebook : Codebook, optional
        Defaults to the staff codebook (``config/codebook.yml``).
    method : {"modele", "regles"}
        ``"modele"`` (default): the trained coder shipped for the codebook (:func:`load_coder`), or the
        rules when there is none; ``"regles"``: the codebook's patterns only.
    coder : Coder, optional
        A coder to use instead of the shipped one (e.g. retrained in the analyst's loop).

    Returns
    -------
    DataFrame
        Boolean indicators, same index as ``texts``, one column per theme in codebook order.

    Notes
    -----
    A denied theme does not count (« ce n'est pas une question de moyens »); a lack does
    (« pas assez de réunions » is ``communication_interne``).
    """
    if method not in {"modele", "regles"}:
        raise ValueError(f"method doit valoir 'modele' ou 'regles', pas {method!r}.")
    codebook = _codebook(codebook)
    if method == "modele":
        coder = coder if coder is not None else load_coder(codebook)
        if coder is not None:
            return coder.predict(texts)
    return code_texts_rules(texts, codebook)


def normalised(values: pd.Series) -> pd.Series:
    """:func:`~ducos_lib.nlp.normalise` of each value, once per distinct value (missing stay missing)."""
    present = values.dropna()
    return values.map({v: normalise(v) for v in present.unique()})


def _non_empty(values: pd.Series) -> pd.Series:
    return normalised(values).fillna("").astype(bool)


def _coding_key(fiches: pd.DataFrame, codebook: Codebook, fields: Sequence[str]) -> str:
    """What a coding table depends on: the forms' texts, the codebook, the coder's weights, the code."""
    from ..ingest import code_version

    h = hashlib.sha256(f"{code_version()}|{list(fields)}".encode())
    h.update(Path(codebook.path).read_bytes() if codebook.path else repr(codebook.codes).encode())
    coder = load_coder(codebook)
    if coder is not None:
        h.update(coder.version.encode())
        for weights in (coder.coef, coder.intercept, coder.thresholds, np.array([coder.fallback])):
            h.update(np.ascontiguousarray(weights).tobytes())
    h.update(pd.util.hash_pandas_object(fiches[["id_fiche", *fields]], index=False).to_numpy().tobytes())
    return h.hexdigest()[:24]


def code_fiches(
    fiches: pd.DataFrame, codebook: Codebook | None = None, *, fields: Sequence[str] = FIELDS,
    cache: Path | str | None = None,
) -> pd.DataFrame:
    """Long coding table of the forms: ``immersions_codage.csv`` (DESIGN §4).

    Parameters
    ----------
    cache : path, optional
        Folder keeping the table, keyed by the forms' texts, the codebook, the coder and the library's
        code: a second report coding the same forms (the guide of report 05 after report 02) reads it.

    Returns
    -------
    DataFrame
        Columns ``id_fiche, champ, theme``; one row per form × field × theme mentioned, ordered by
        form, field (``fields`` order) and theme (codebook order).
    """
    codebook = _codebook(codebook)
    path = Path(cache) / f"codage-{_coding_key(fiches, codebook, fields)}.parquet" if cache is not None else None
    if path is not None and path.exists():
        return pd.read_parquet(path)
    out = _code_fiches(fiches, codebook, fields)
    if path is not None:
        from ..io import write_parquet

        write_parquet(out, path)
    return out


def _code_fiches(fiches: pd.DataFrame, codebook: Codebook, fields: Sequence[str]) -> pd.DataFrame:
    parts = []
    for champ in fields:
        ind = code_texts(fiches[champ], codebook)
        ind.index = fiches["id_fiche"].to_numpy()
        long = ind.rename_axis("id_fiche").reset_index().melt(
            id_vars="id_fiche", var_name="theme", value_name="code"
        )
        long = long[long["code"]].drop(columns="code").assign(champ=champ)
        parts.append(long)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["id_fiche", "champ", "theme"])
    out["_f"] = out["champ"].map({c: i for i, c in enumerate(fields)})
    out["_t"] = out["theme"].map({c: i for i, c in enumerate(codebook.codes)})
    out = out.sort_values(["id_fiche", "_f", "_t"], kind="stable")
    return out[["id_fiche", "champ", "theme"]].astype(str).reset_index(drop=True)


def theme_coverage(
    fiches: pd.DataFrame,
    coding: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    *,
    fields: Sequence[str] = FIELDS,
    denominator: str = "non_vide",
) -> pd.DataFrame:
    """Share of forms whose field mentions each theme: ``immersions_themes.csv`` (DESIGN §4).

    Parameters
    ----------
    fiches : DataFrame
        Processed ``fiches_immersion``.
    coding : DataFrame, optional
        Output of :func:`code_fiches` (computed when omitted).
    denominator : {"non_vide", "toutes"}
        ``"non_vide"`` (default): forms whose field is not blank (an answer such as "RAS" counts as
        an answer); ``"toutes"``: every form.

    Returns
    -------
    DataFrame
        ``champ, theme, n_fiches, part_fiches``; every field × theme, zeros included;
        ``part_fiches`` in [0, 1] (NaN when the denominator is 0).
    """
    if denominator not in {"non_vide", "toutes"}:
        raise ValueError(f"denominator doit valoir 'non_vide' ou 'toutes', pas {denominator!r}.")
    codebook = _codebook(codebook)
    coding = code_fiches(fiches, codebook, fields=fields) if coding is None else coding
    rows = []
    for champ in fields:
        base = int(_non_empty(fiches[champ]).sum()) if denominator == "non_vide" else len(fiches)
        sub = coding[coding["champ"] == champ]
        counts = sub.drop_duplicates(["id_fiche", "theme"])["theme"].value_counts()
        for theme in codebook.codes:
            n = int(counts.get(theme, 0))
            rows.append((champ, theme, n, n / base if base else np.nan))
    out = pd.DataFrame(rows, columns=["champ", "theme", "n_fiches", "part_fiches"])
    out["n_fiches"] = out["n_fiches"].astype("int64")
    out["part_fiches"] = out["part_fiches"].astype("float64")
    return out

