"""Summaries of the immersion coding for the report and the experts' dossier (numbers and codes only).

Specificities by group restricted to groups above the confidentiality threshold, inter vs intra
comparison, most frequent theme pairs, masked ratings, the proposals briefing of the phase-3 experts,
period comparison, and the agreement of the coder with the project's hand-labelled set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ..config import CONFIG_DIR
from ..nlp import strip_accents
from ..redaction import Roster
from .analyses import representative_quotes, theme_by_group
from .codebook import BlindAgreement, Codebook, Theme
from .coding import _codebook, _non_empty, code_texts, theme_coverage
from .corpus import labels_to_indicators
from .evaluation import agreement
from .features import analyse, rule_text
from .tokens import FIELDS

__all__ = ["AgreementSummary", "Z_SPECIFICITE", "cooccurrence_pairs", "group_specificities",
           "hand_labelled_agreement", "mask_ratings", "period_comparison", "proposals_briefing", "type_comparison"]

#: |adjusted residual| above which a theme is called over- or under-represented (5 % level).
Z_SPECIFICITE = 1.959964


def group_specificities(
    fiches: pd.DataFrame,
    coding: pd.DataFrame,
    by: str = "service_accueil",
    *,
    codebook: Codebook | None = None,
    min_fiches: int = 5,
    champ: str | Sequence[str] | None = None,
    z: float = Z_SPECIFICITE,
    group_labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Theme specificities by group, restricted to groups with at least ``min_fiches`` forms.

    Groups with fewer forms are left out before the χ² table is built (a share over 2 forms says
    nothing, and a figure about fewer than the confidentiality threshold is not published).

    Returns
    -------
    DataFrame
        :func:`theme_by_group` columns plus ``libelle`` (theme), ``libelle_groupe``,
        ``part_autres`` (share of the theme in the other kept groups' forms) and ``sens``:
        ``"sur-représenté"`` when the adjusted residual is above ``z``, ``"sous-représenté"``
        below −``z``, else ``""``.
    """
    codebook = _codebook(codebook)
    cols = ["theme", "libelle", "groupe_variable", "groupe", "libelle_groupe", "n_fiches_groupe", "n_fiches",
            "part_fiches", "part_autres", "attendu", "residu_standardise", "residu_ajuste", "sens"]
    if fiches is None or fiches.empty or by not in fiches.columns:
        return pd.DataFrame(columns=cols)
    sizes = fiches.groupby(by)["id_fiche"].nunique()
    kept = sizes[sizes >= min_fiches].index
    sub = fiches[fiches[by].isin(kept)]
    if len(kept) < 2:
        return pd.DataFrame(columns=cols)
    spec = theme_by_group(sub, coding[coding["id_fiche"].isin(sub["id_fiche"])], by, champ=champ,
                          codebook=codebook)
    tot_n = spec.groupby("theme")["n_fiches"].transform("sum")
    tot_g = spec.groupby("theme")["n_fiches_groupe"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        spec["part_autres"] = (tot_n - spec["n_fiches"]) / (tot_g - spec["n_fiches_groupe"])
    spec["libelle"] = spec["theme"].map(codebook.labels())
    labels = group_labels or {}
    spec["libelle_groupe"] = spec["groupe"].map(lambda g: labels.get(g, g))
    r = spec["residu_ajuste"]
    spec["sens"] = np.select([r > z, r < -z], ["sur-représenté", "sous-représenté"], "")
    return spec[cols].reset_index(drop=True)


def type_comparison(spec_type: pd.DataFrame) -> pd.DataFrame:
    """Wide inter vs intra comparison from :func:`group_specificities` ``by="type_immersion"``.

    Returns
    -------
    DataFrame
        ``theme, libelle, part_inter, part_intra, ecart, residu_ajuste, sens`` (residual and
        ``sens`` of the inter group: with two groups the intra residual is its opposite), sorted by
        decreasing |residual|.
    """
    cols = ["theme", "libelle", "part_inter", "part_intra", "ecart", "residu_ajuste", "sens"]
    if spec_type.empty or not {"inter", "intra"} <= set(spec_type["groupe"]):
        return pd.DataFrame(columns=cols)
    inter = spec_type[spec_type["groupe"] == "inter"].set_index("theme")
    intra = spec_type[spec_type["groupe"] == "intra"].set_index("theme")
    out = pd.DataFrame({
        "theme": inter.index, "libelle": inter["libelle"].to_numpy(),
        "part_inter": inter["part_fiches"].to_numpy(),
        "part_intra": intra["part_fiches"].reindex(inter.index).to_numpy(),
        "residu_ajuste": inter["residu_ajuste"].to_numpy(), "sens": inter["sens"].to_numpy(),
    })
    out["ecart"] = out["part_inter"] - out["part_intra"]
    out = out.assign(_a=out["residu_ajuste"].abs()).sort_values("_a", ascending=False, kind="stable")
    return out[cols].reset_index(drop=True)


def cooccurrence_pairs(cooc: pd.DataFrame, codebook: Codebook | None = None, *, top: int = 5,
                       min_n: int = 1) -> pd.DataFrame:
    """Most frequent pairs of distinct themes from :func:`theme_cooccurrence`.

    Returns
    -------
    DataFrame
        ``theme_a, theme_b, libelle_a, libelle_b, n, jaccard`` (each unordered pair once, codebook
        order within the pair), by decreasing ``n`` then Jaccard index; pairs under ``min_n`` dropped.
    """
    codebook = _codebook(codebook)
    order = {c: i for i, c in enumerate(codebook.codes)}
    pairs = cooc[cooc["theme_a"].map(order) < cooc["theme_b"].map(order)]
    pairs = pairs[pairs["n"] >= min_n].sort_values(["n", "jaccard", "theme_a", "theme_b"],
                                                   ascending=[False, False, True, True], kind="stable")
    labels = codebook.labels()
    out = pairs.head(top).assign(libelle_a=lambda d: d["theme_a"].map(labels),
                                 libelle_b=lambda d: d["theme_b"].map(labels))
    return out[["theme_a", "theme_b", "libelle_a", "libelle_b", "n", "jaccard"]].reset_index(drop=True)


def mask_ratings(ratings: pd.DataFrame, seuil: int = 5) -> pd.DataFrame:
    """Hide means of :func:`ratings_by_theme` computed on fewer than ``seuil`` ratings.

    A mean over fewer forms is a figure about fewer guests than the confidentiality threshold
    (DESIGN §6): ``moyenne``, ``ecart_type`` and the interval become NaN and ``masque`` is True.
    """
    out = ratings.copy()
    masque = out["n"] < seuil
    for c in ("moyenne", "ecart_type", "ic_bas", "ic_haut"):
        out[c] = out[c].astype("float64").mask(masque)
    out["masque"] = masque.to_numpy()
    return out


def proposals_briefing(
    fiches: pd.DataFrame,
    coding: pd.DataFrame,
    codebook: Codebook | None = None,
    *,
    n: int = 3,
    roster: Roster | Iterable[str] | None = None,
    trim: bool = True,
) -> pd.DataFrame:
    """The briefing of the phase-3 experts: proposals grouped by theme, with redacted examples.

    Parameters
    ----------
    fiches, coding : DataFrame
        Processed forms and :func:`code_fiches`.
    n : int
        Representative proposals per theme (:func:`representative_quotes`, field ``propositions``).
    roster : Roster, optional
        Names of the HR roster: pass it, or names of agents may remain in the quotes.
    trim : bool, default True
        Keep only the sentences of a (redacted) proposal that mention the theme, with "[…]" where
        sentences were left out (:func:`_theme_sentences`), so each row reads as one proposal.

    Returns
    -------
    DataFrame
        ``immersions_propositions.csv``: ``theme, libelle, n_fiches, part_fiches, rang, id_fiche,
        proposition_redigee``. Themes by decreasing ``n_fiches`` (forms whose proposals mention the
        theme; ``part_fiches`` over forms with a non-blank proposal), up to ``n`` rows per theme;
        a theme no proposal mentions has one row with rank 0 and an empty proposal.
    """
    codebook = _codebook(codebook)
    cols = ["theme", "libelle", "n_fiches", "part_fiches", "rang", "id_fiche", "proposition_redigee"]
    if fiches is None or fiches.empty:
        return pd.DataFrame(columns=cols)
    cov = theme_coverage(fiches, coding, codebook, fields=("propositions",))
    quotes = representative_quotes(fiches, coding, codebook, n=4 * n, champ="propositions", roster=roster)
    order = {c: i for i, c in enumerate(codebook.codes)}
    cov = cov.assign(_o=cov["theme"].map(order)).sort_values(["n_fiches", "_o"], ascending=[False, True],
                                                              kind="stable")
    themes = {t.code: t for t in codebook.themes}
    rows = []
    for r in cov.itertuples():
        q = quotes[quotes["theme"] == r.theme]
        if q.empty:
            rows.append((r.theme, r.n_fiches, r.part_fiches, 0, "", ""))
        seen: set[str] = set()
        for qr in q.itertuples():
            text = _theme_sentences(qr.citation, themes[r.theme]) if trim else qr.citation
            key = strip_accents(text).casefold().replace("[…]", "").strip(" .?!")
            if key in seen or len(seen) >= n:
                continue
            seen.add(key)
            rows.append((r.theme, r.n_fiches, r.part_fiches, len(seen), str(qr.id_fiche), text))
    out = pd.DataFrame(rows, columns=["theme", "n_fiches", "part_fiches", "rang", "id_fiche", "proposition_redigee"])
    out["libelle"] = out["theme"].map(codebook.labels())
    out["n_fiches"] = out["n_fiches"].astype("int64")
    out["rang"] = out["rang"].astype("int64")
    return out[cols]


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def _theme_sentences(text: str, theme: Theme) -> str:
    """The sentences of ``text`` that mention ``theme``, "[…]" marking the ones left out.

    Sentences end with ``.``, ``!``, ``?`` or ``;``; when no single sentence mentions the theme
    (it is carried by the whole answer) the text is returned unchanged.
    """
    parts = [p.strip().lstrip("-•*– ").strip() for p in _SENTENCE_END.split(text.strip())]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return parts[0] if parts else text
    keep = [theme.matches(rule_text(a)) for a in analyse(parts)]
    if not any(keep):
        return text
    if all(keep):
        return " ".join(parts)
    out: list[str] = []
    for part, k in zip(parts, keep):
        if k:
            out.append(part.rstrip(" ;"))
        elif not out or out[-1] != "[…]":
            out.append("[…]")
    return " ".join(p if p == "[…]" or p.endswith((".", "!", "?")) else p + "." for p in out)


def period_comparison(
    fiches: pd.DataFrame,
    coding: pd.DataFrame,
    cut: object,
    codebook: Codebook | None = None,
    *,
    fields: Sequence[str] = FIELDS,
) -> pd.DataFrame:
    """Theme shares of the forms dated up to ``cut`` versus those dated after it.

    The two sets of forms are disjoint (e.g. forms up to T6, then forms between T6 and T12), so the
    difference of shares gets Fisher's exact test on the 2 × 2 table (mentions / other answers).

    Returns
    -------
    DataFrame
        ``champ, theme, libelle, n_avant, base_avant, part_avant, n_apres, base_apres, part_apres,
        difference, p_valeur`` (``difference`` = after − before, in proportion).

    References
    ----------
    Fisher, R. A. (1922). On the interpretation of χ² from contingency tables, and the calculation
    of P. *Journal of the Royal Statistical Society*, 85(1), 87–94.
    """
    codebook = _codebook(codebook)
    cut = pd.Timestamp(cut)
    dates = pd.to_datetime(fiches["date_immersion"])
    parts = {}
    for name, mask in (("avant", dates <= cut), ("apres", dates > cut)):
        sub = fiches[mask.to_numpy()]
        cov = theme_coverage(sub, coding[coding["id_fiche"].isin(sub["id_fiche"])], codebook, fields=fields)
        cov["base"] = cov["champ"].map({c: int(_non_empty(sub[c]).sum()) for c in fields})
        parts[name] = cov.set_index(["champ", "theme"])
    a, b = parts["avant"], parts["apres"]
    out = pd.DataFrame({
        "n_avant": a["n_fiches"], "base_avant": a["base"], "part_avant": a["part_fiches"],
        "n_apres": b["n_fiches"], "base_apres": b["base"], "part_apres": b["part_fiches"],
    }).reset_index()
    out["libelle"] = out["theme"].map(codebook.labels())
    out["difference"] = out["part_apres"] - out["part_avant"]
    pv = []
    for r in out.itertuples():
        if r.base_avant and r.base_apres:
            table = [[r.n_avant, r.base_avant - r.n_avant], [r.n_apres, r.base_apres - r.n_apres]]
            pv.append(float(stats.fisher_exact(table).pvalue))
        else:
            pv.append(np.nan)
    out["p_valeur"] = pv
    cols = ["champ", "theme", "libelle", "n_avant", "base_avant", "part_avant", "n_apres", "base_apres",
            "part_apres", "difference", "p_valeur"]
    for c in ("n_avant", "base_avant", "n_apres", "base_apres"):
        out[c] = out[c].astype("int64")
    return out[cols]


@dataclass(frozen=True)
class AgreementSummary:
    """Agreement of the codebook with the hand-labelled set (:func:`hand_labelled_agreement`).

    Attributes
    ----------
    per_theme : DataFrame
        :func:`agreement` on all answers, plus ``libelle``.
    per_lot : DataFrame
        ``lot, n, kappa_moyen``: mean kappa per lot of the fixture.
    mean_kappa : float
        Mean of the per-theme kappas over all answers.
    n : int
        Hand-labelled answers.
    codebook_version : str
    blind : tuple of BlindAgreement
        The codebook's ``accord_aveugle``: out-of-sample measures, oldest first.
    """

    per_theme: pd.DataFrame
    per_lot: pd.DataFrame
    mean_kappa: float
    n: int
    codebook_version: str
    blind: tuple[BlindAgreement, ...] = ()


#: Hand-labelled set of a codebook without ``jeu_annote`` (tests/fixtures/codage_annote.csv: id, lot,
#: champ, texte, themes).
HAND_LABELLED = CONFIG_DIR.parent / "tests" / "fixtures" / "codage_annote.csv"


def hand_labelled_agreement(path: Path | str | None = None, codebook: Codebook | None = None) -> AgreementSummary:
    """Code the hand-labelled answers and measure agreement with the human labels.

    Parameters
    ----------
    path : path, optional
        CSV with ``lot, texte, themes`` (themes ``;``-separated, blank = none); defaults to the
        codebook's ``jeu_annote``, else :data:`HAND_LABELLED`.
    codebook : Codebook, optional
        Defaults to the staff codebook.

    Raises
    ------
    FileNotFoundError
        In French, when the file is absent.
    """
    codebook = _codebook(codebook)
    path = Path(path) if path is not None else (codebook.jeu_annote or HAND_LABELLED)
    if not path.exists():
        raise FileNotFoundError(f"Jeu annoté introuvable : {path}.")
    gold_frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    gold = labels_to_indicators(gold_frame["themes"], codebook.codes)
    coded = code_texts(gold_frame["texte"], codebook, method="regles")
    per_theme = agreement(coded, gold)
    per_theme.insert(1, "libelle", per_theme["theme"].map(codebook.labels()))
    lots = []
    for lot, rows in gold_frame.groupby("lot", sort=False):
        res = agreement(coded.loc[rows.index], gold.loc[rows.index])
        lots.append((lot, len(rows), float(res["kappa"].mean())))
    per_lot = pd.DataFrame(lots, columns=["lot", "n", "kappa_moyen"])
    return AgreementSummary(per_theme, per_lot, float(per_theme["kappa"].mean()), len(gold_frame), codebook.version,
                            codebook.accord_aveugle)


