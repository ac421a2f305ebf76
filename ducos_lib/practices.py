"""Phases 4–5: managers' self-evaluations, the seminar's review and the living guide of practices.

Three concerns (DESIGN §5 "Phases 4–5"), each a handful of small functions:

* **Self-evaluations** (processed ``autoevaluations``): :func:`paired_ratings` builds the complete
  before/after pairs, :func:`wilcoxon_signed_rank` tests one competence (paired Wilcoxon test with
  the matched-pairs rank-biserial correlation as effect size), :func:`self_evaluation_table` gives
  ``autoevaluations.csv`` (DESIGN §4), :func:`self_evaluation_by_direction` the same per direction
  where groups reach the confidentiality threshold, :func:`rating_distribution` the ratings in three
  bands (1–2, 3, 4–5) with small bands masked (:func:`mask_bands`, DESIGN §6).
* **Seminar review** (processed ``bilan_seminaire``): :func:`seminar_distribution` (bands, masked),
  :func:`seminar_summary` (share satisfied with a Wilson or Clopper–Pearson interval, mean with a
  Student interval), :func:`comment_themes` (themes of the comments through the text pipeline,
  redacted quotes).
* **Guide of managerial practices** (``guide/guide_pratiques.md``, human-edited): :func:`parse_guide`
  reads its front matter and practices (each tied to codebook themes), :func:`theme_frequencies`
  counts themes in the immersion forms, :func:`guide_evidence` builds the evidence annex and
  :func:`render_guide` writes the self-contained French HTML.
* **Report helpers** for ``05_pratiques_manageriales``: key-finding sentences
  (:func:`self_evaluation_findings`, :func:`seminar_findings`, :func:`guide_findings`), display
  tables with French headers and effect sizes in words (:func:`effect_size_words`), alt texts.

Identifiers are English, everything a reader sees is French (numbers via :mod:`ducos_lib.reports.formats`).
"""

from __future__ import annotations

import datetime as _dt
import html
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from .reports import formats

__all__ = [
    "AUTOEVALUATION_COLUMNS",
    "BANDS",
    "BAND_LABELS_SELF",
    "BAND_LABELS_SEMINAR",
    "EFFECT_SIZE_BOUNDS",
    "SELF_EVALUATION_HEADERS",
    "SECRET",
    "SEMINAR_ITEMS",
    "CommentThemeSummary",
    "Guide",
    "GuideError",
    "MeanCI",
    "Practice",
    "ProportionCI",
    "RenderedGuide",
    "WilcoxonResult",
    "adjust_pvalues",
    "alt_dumbbell",
    "alt_rating_distribution",
    "alt_seminar_distribution",
    "annex_display",
    "annex_movements",
    "band_of",
    "comment_themes",
    "comment_themes_display",
    "commenters_text",
    "distribution_table",
    "count_forms",
    "effect_size_words",
    "guide_findings",
    "guide_evidence",
    "manager_directions",
    "mask_bands",
    "mean_ci",
    "paired_ratings",
    "parse_guide",
    "proportion_ci",
    "rank_biserial",
    "rating_distribution",
    "render_guide",
    "self_evaluation_by_direction",
    "self_evaluation_display",
    "self_evaluation_findings",
    "self_evaluation_formats",
    "self_evaluation_status",
    "self_evaluation_table",
    "rating_distribution_display",
    "seminar_display",
    "seminar_distribution",
    "seminar_findings",
    "seminar_summary",
    "theme_frequencies",
    "wilcoxon_signed_rank",
]

#: Columns of ``tables/autoevaluations.csv`` (DESIGN §4), in order.
AUTOEVALUATION_COLUMNS = ["competence", "n_paires", "moyenne_avant", "moyenne_apres", "statistique",
                          "p_valeur", "p_ajustee", "taille_effet"]
#: Rating items of ``bilan_seminaire`` → French label.
SEMINAR_ITEMS = {
    "note_organisation": "Organisation",
    "note_contenu": "Contenu",
    "note_utilite": "Utilité",
    "note_globale": "Appréciation globale",
}
LEVELS = (1.0, 2.0, 3.0, 4.0, 5.0)

ZERO_METHODS = ("wilcox", "pratt", "zsplit")
_P_METHODS = {"auto": "auto", "exact": "exact", "exacte": "exact", "permutation": "permutation",
              "asymptotic": "asymptotic", "normal": "asymptotic", "normale": "asymptotic"}
_METHOD_LABELS = {
    "exact": "loi exacte de Wilcoxon",
    "permutation": "permutations exhaustives des signes (loi exacte conditionnelle aux ex-aequo)",
    "asymptotic": "approximation normale corrigée des ex-aequo",
    "none": "aucune différence non nulle (p = 1)",
}
_DUPLICATES = ("latest", "earliest", "mean")


def _seuil(seuil: int | None) -> int:
    from .privacy import seuil_confidentialite

    return seuil_confidentialite(seuil)


def _sorted_fr(values: Iterable[Any]) -> list[str]:
    """French reading order: accents and case ignored (« Écoute » between « Délégation » and « Feedback »)."""
    from .io import strip_accents

    return sorted((str(v) for v in values), key=lambda v: (strip_accents(v).lower(), v))


def _choice(value: str, allowed: Mapping[str, str] | Sequence[str], what: str) -> str:
    key = str(value).strip().lower()
    if isinstance(allowed, Mapping):
        if key in allowed:
            return allowed[key]
    elif key in allowed:
        return key
    raise ValueError(f"{what} « {value} » inconnu(e) ; valeurs possibles : {', '.join(allowed)}.")


# ================================================================================================
# Multiple testing
# ================================================================================================


def adjust_pvalues(pvalues: Any, method: str = "holm") -> np.ndarray:
    """Holm or Benjamini–Hochberg adjustment; NaN p-values stay NaN and are not counted.

    Delegates to :func:`ducos_lib.survey.adjust_pvalues` (same values as R's ``p.adjust``).

    Parameters
    ----------
    pvalues : array-like
    method : {"holm", "bh"}
        Aliases as in :func:`ducos_lib.survey.adjust_pvalues` (``fdr_bh``, ``benjamini-hochberg`` …).

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scandinavian Journal
    of Statistics* 6, 65–70.
    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57, 289–300.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    from .survey import adjust_pvalues as _adjust

    try:
        return _adjust(pvalues, method)
    except ValueError as exc:  # SurveyError is a ValueError with a French message
        raise ValueError(str(exc)) from None


# ================================================================================================
# Self-evaluations
# ================================================================================================


def _normalise_time(values: pd.Series) -> pd.Series:
    from .io import strip_accents

    out = values.astype(object).map(lambda v: strip_accents(str(v)).strip().lower() if pd.notna(v) else v)
    bad = sorted({str(v) for v in out.dropna().unique()} - {"avant", "apres"})
    if bad:
        raise ValueError(f"autoevaluations : valeur(s) de « temps » inconnue(s) {bad} ; attendu : avant, apres.")
    return out


def paired_ratings(autoevaluations: pd.DataFrame, *, duplicates: str = "latest") -> pd.DataFrame:
    """Complete before/after pairs: one row per manager × competence rated both before and after.

    Parameters
    ----------
    autoevaluations : DataFrame
        Processed ``autoevaluations`` (``id_cadre, temps, date, competence, note``).
    duplicates : {"latest", "earliest", "mean"}
        What to keep when a manager rated a competence several times at the same ``temps``:
        the latest rating by ``date`` (default; on equal dates the last row of the file), the
        earliest, or their mean.

    Returns
    -------
    DataFrame
        ``id_cadre, competence, avant, apres, difference`` (``difference = apres − avant``), sorted
        by competence then manager. Ratings with a missing note and managers with only one of the
        two times for a competence (incomplete pairs) are dropped.
    """
    duplicates = _choice(duplicates, _DUPLICATES, "Règle de doublons")
    cols = ["id_cadre", "competence", "avant", "apres", "difference"]
    frame = autoevaluations.loc[autoevaluations["note"].notna(),
                                ["id_cadre", "temps", "date", "competence", "note"]].copy()
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=float if c in cols[2:] else "str") for c in cols})
    frame["temps"] = _normalise_time(frame["temps"])
    frame["note"] = frame["note"].astype(float)
    frame["_ordre"] = np.arange(len(frame))
    keys = ["id_cadre", "competence", "temps"]
    if duplicates == "mean":
        one = frame.groupby(keys, as_index=False, sort=False)["note"].mean()
    else:
        frame = frame.sort_values(["date", "_ordre"], kind="stable", na_position="first")
        one = frame.drop_duplicates(keys, keep="last" if duplicates == "latest" else "first")
    wide = one.pivot_table(index=["id_cadre", "competence"], columns="temps", values="note", aggfunc="first")
    wide = wide.reindex(columns=["avant", "apres"]).dropna().reset_index()
    wide.columns.name = None
    wide["difference"] = wide["apres"] - wide["avant"]
    wide = wide.sort_values(["competence", "id_cadre"], kind="stable").reset_index(drop=True)
    return wide[cols].astype({"id_cadre": "str", "competence": "str"})


def _signed_ranks(differences: np.ndarray, zero_method: str) -> tuple[np.ndarray, np.ndarray]:
    """Differences kept for ranking and their average ranks of ``|d|`` (zeros per ``zero_method``)."""
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if zero_method == "wilcox":
        d = d[d != 0]
    return d, stats.rankdata(np.abs(d)) if d.size else np.array([])


def rank_biserial(differences: Any, zero_method: str = "pratt") -> float:
    """Matched-pairs rank-biserial correlation (Kerby's simple difference formula).

    ``r = (R⁺ − R⁻) / S`` where ``R⁺`` (``R⁻``) is the sum of the ranks of ``|d|`` for positive
    (negative) differences and ``S`` the sum of all the ranks. Positive when ratings went up.

    Parameters
    ----------
    differences : array-like
        Paired differences ``after − before`` (NaN ignored).
    zero_method : {"wilcox", "pratt", "zsplit"}
        Zeros handled as in the test. ``wilcox``: zeros dropped before ranking, ``S = R⁺ + R⁻``.
        ``pratt``: zeros ranked with the others, their ranks count in neither ``R⁺`` nor ``R⁻`` but
        in ``S = n(n+1)/2`` (all pairs), so no-change pairs pull the effect towards 0.
        ``zsplit``: zero ranks split half to each sign; they cancel in ``R⁺ − R⁻`` and ``S`` is the
        same, so the value equals ``pratt``'s.

    Returns
    -------
    float
        In [−1, 1]; NaN without any pair, 0 when every difference is zero (``pratt``/``zsplit``).

    References
    ----------
    Kerby, D. S. (2014). The simple difference formula: an approach to teaching nonparametric
    correlation. *Comprehensive Psychology* 3, 11.IT.3.1.
    Pratt, J. W. (1959). Remarks on zeros and ties in the Wilcoxon signed rank procedures.
    *JASA* 54, 655–667.

    Examples
    --------
    >>> rank_biserial([1, 2, -1, 0], "pratt")  # ranks of |d|: 0→1, 1→2.5, 1→2.5, 2→4
    0.4
    """
    zero_method = _choice(zero_method, ZERO_METHODS, "Traitement des différences nulles")
    d, ranks = _signed_ranks(np.asarray(differences, dtype=float), zero_method)
    total = ranks.sum()
    if d.size == 0:
        return float("nan")
    if total == 0:
        return 0.0
    return float((ranks[d > 0].sum() - ranks[d < 0].sum()) / total)


@dataclass(frozen=True)
class WilcoxonResult:
    """Paired Wilcoxon signed-rank test of one competence (``after − before``).

    ``statistic`` is SciPy's two-sided statistic ``min(R⁺, R⁻)`` (with ``zsplit``, half the zero
    ranks added to each); ``r_plus``/``r_minus`` are the sums of positive/negative ranks (zeros
    excluded); ``effect_size`` the matched-pairs rank-biserial correlation (:func:`rank_biserial`).
    """

    statistic: float
    pvalue: float
    effect_size: float
    n_pairs: int
    n_zeros: int
    mean_before: float
    mean_after: float
    r_plus: float
    r_minus: float
    ties: bool
    method: str
    zero_method: str

    @property
    def method_label(self) -> str:
        """French name of how the p-value was computed."""
        return _METHOD_LABELS.get(self.method, self.method)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "n_paires": self.n_pairs, "moyenne_avant": self.mean_before, "moyenne_apres": self.mean_after,
            "statistique": self.statistic, "p_valeur": self.pvalue, "taille_effet": self.effect_size,
            "n_differences_nulles": self.n_zeros, "methode": self.method_label,
            "traitement_zeros": self.zero_method,
        }])


def _resolve_method(method: str, n: int, ties: bool, zeros: bool) -> str:
    if method != "auto":
        return method
    if not ties and not zeros and n <= 50:
        return "exact"
    return "permutation" if n <= 13 else "asymptotic"


def wilcoxon_signed_rank(
    before: Any,
    after: Any,
    *,
    zero_method: str = "pratt",
    method: str = "auto",
    correction: bool = False,
) -> WilcoxonResult:
    """Paired Wilcoxon signed-rank test on complete pairs, with the rank-biserial effect size.

    Parameters
    ----------
    before, after : array-like
        Ratings of the same managers, aligned; a pair with a missing value on either side is dropped.
    zero_method : {"pratt", "wilcox", "zsplit"}
        Pairs with no change (frequent on a 1–5 scale). Default ``pratt``: zeros take part in the
        ranking, then their ranks are dropped from the statistic (Pratt 1959); unlike ``wilcox``
        (zeros discarded) the no-change pairs still weigh on the ranks of the others and, through
        the effect size, pull it towards 0. The same rule is used for the effect size.
    method : {"auto", "exact", "permutation", "asymptotic"}
        p-value. ``auto`` (deterministic, as SciPy 1.17's ``auto``): the exact Wilcoxon law when
        there are no ties and no zeros and at most 50 pairs; with ties or zeros, exhaustive sign
        permutations (exact conditional law) up to 13 pairs, otherwise the normal approximation
        with the tie-corrected variance. ``exact`` ignores ties (conservative rounding in SciPy).
    correction : bool
        Continuity correction of the normal approximation (default False, SciPy's default).

    Returns
    -------
    WilcoxonResult
        With the method actually used. Without any non-zero difference the p-value is 1 and the
        effect size 0; without any pair everything is NaN.

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. *Biometrics Bulletin* 1, 80–83.
    Pratt, J. W. (1959). Remarks on zeros and ties in the Wilcoxon signed rank procedures.
    *JASA* 54, 655–667.
    Kerby, D. S. (2014). The simple difference formula. *Comprehensive Psychology* 3, 11.IT.3.1.

    Examples
    --------
    >>> res = wilcoxon_signed_rank([2, 3, 3, 2, 4], [3, 4, 3, 4, 4])
    >>> res.n_pairs, res.n_zeros, round(res.effect_size, 3)
    (5, 2, 0.8)
    """
    zero_method = _choice(zero_method, ZERO_METHODS, "Traitement des différences nulles")
    method = _choice(method, _P_METHODS, "Méthode de calcul de la p-valeur")
    x = np.asarray(before, dtype=float)
    y = np.asarray(after, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"Avant et après n'ont pas la même longueur ({x.size} et {y.size}).")
    keep = ~(np.isnan(x) | np.isnan(y))
    x, y = x[keep], y[keep]
    d = y - x
    n = int(d.size)
    n_zeros = int((d == 0).sum())
    nan = float("nan")
    if n == 0:
        return WilcoxonResult(nan, nan, nan, 0, 0, nan, nan, nan, nan, False, "none", zero_method)
    ranked, ranks = _signed_ranks(d, zero_method)
    r_plus, r_minus = float(ranks[ranked > 0].sum()), float(ranks[ranked < 0].sum())
    ties = bool(ranked.size and np.unique(np.abs(ranked)).size < ranked.size)
    effect = rank_biserial(d, zero_method)
    if n_zeros == n:
        return WilcoxonResult(0.0, 1.0, effect, n, n_zeros, float(x.mean()), float(y.mean()),
                              0.0, 0.0, ties, "none", zero_method)
    used = _resolve_method(method, n, ties, n_zeros > 0)
    scipy_method = stats.PermutationMethod(n_resamples=np.inf) if used == "permutation" else used
    res = stats.wilcoxon(d, zero_method=zero_method, method=scipy_method, correction=correction)
    return WilcoxonResult(float(res.statistic), float(res.pvalue), effect, n, n_zeros, float(x.mean()),
                          float(y.mean()), r_plus, r_minus, ties, used, zero_method)


def _test_pairs(pairs: pd.DataFrame, seuil: int, zero_method: str, method: str, correction: bool) -> dict:
    n = len(pairs)
    row = {"n_paires": n, "moyenne_avant": np.nan, "moyenne_apres": np.nan, "statistique": np.nan,
           "p_valeur": np.nan, "taille_effet": np.nan, "methode": ""}
    if n < seuil:
        if n > 0:  # a count of 1 to seuil − 1 managers is itself a figure about too few agents
            row["n_paires"] = np.nan
        return row
    res = wilcoxon_signed_rank(pairs["avant"], pairs["apres"], zero_method=zero_method, method=method,
                               correction=correction)
    row.update(moyenne_avant=res.mean_before, moyenne_apres=res.mean_after, statistique=res.statistic,
               p_valeur=res.pvalue, taille_effet=res.effect_size, methode=res.method_label)
    return row


def self_evaluation_table(
    autoevaluations: pd.DataFrame,
    *,
    zero_method: str = "pratt",
    method: str = "auto",
    correction: bool = False,
    adjust: str = "holm",
    duplicates: str = "latest",
    seuil: int | None = None,
    details: bool = False,
) -> pd.DataFrame:
    """``autoevaluations.csv`` (DESIGN §4): one paired Wilcoxon test per competence.

    Parameters
    ----------
    autoevaluations : DataFrame
        Processed ``autoevaluations`` of the milestone.
    zero_method, method, correction
        See :func:`wilcoxon_signed_rank` (defaults: Pratt, ``auto``, no continuity correction).
    adjust : {"holm", "bh"}
        Adjustment across the competences tested (Holm 1979 by default).
    duplicates : {"latest", "earliest", "mean"}
        Several ratings of one competence by one manager at one time (:func:`paired_ratings`).
    seuil : int, optional
        Confidentiality threshold (``confidentialite.seuil_agents``, default 5): a competence with
        1 to ``seuil − 1`` complete pairs is listed with ``n_paires`` missing (a count of so few
        managers is not published, DESIGN §6) and no mean, test or effect size, and is left out of
        the adjustment family; 0 pairs is published as 0.
    details : bool
        Add ``methode`` (how each p-value was computed) after the contract columns.

    Returns
    -------
    DataFrame
        Exactly ``competence, n_paires, moyenne_avant, moyenne_apres, statistique, p_valeur,
        p_ajustee, taille_effet`` (plus ``methode`` with ``details=True``), one row per competence
        with at least one rating, sorted by competence; ``n_paires`` is a nullable integer (``Int64``,
        missing when masked). ``taille_effet`` is the matched-pairs
        rank-biserial correlation (> 0: ratings went up).

    References
    ----------
    Wilcoxon (1945); Pratt (1959); Kerby (2014); Holm (1979) — see :func:`wilcoxon_signed_rank`.
    """
    seuil = _seuil(seuil)
    pairs = paired_ratings(autoevaluations, duplicates=duplicates)
    competences = _sorted_fr(autoevaluations.loc[autoevaluations["note"].notna(), "competence"].dropna()
                             .astype(str).unique())
    rows = []
    for competence in competences:
        sub = pairs[pairs["competence"] == competence]
        rows.append({"competence": competence, **_test_pairs(sub, seuil, zero_method, method, correction)})
    cols = AUTOEVALUATION_COLUMNS + (["methode"] if details else [])
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in ("competence", "methode") else float) for c in cols})
    table = pd.DataFrame(rows)
    table["p_ajustee"] = adjust_pvalues(table["p_valeur"].to_numpy(), adjust)
    table["n_paires"] = table["n_paires"].astype("Int64")
    return table[cols]


def manager_directions(rh_agents: pd.DataFrame, services: pd.DataFrame) -> pd.Series:
    """``id_cadre`` (= ``matricule`` pseudonym) → direction of the manager's service.

    Parameters
    ----------
    rh_agents : DataFrame
        Processed ``rh_agents`` (one or several extractions: the latest row of each agent is used).
    services : DataFrame
        Processed ``services`` with ``code_service`` and ``direction``.

    Returns
    -------
    Series
        Indexed by matricule, named ``direction``; agents whose service has no direction are absent.
    """
    agents = rh_agents
    if "date_extraction" in agents.columns:
        agents = agents.sort_values("date_extraction", kind="stable")
    latest = agents.drop_duplicates("matricule", keep="last")
    if "direction" not in services.columns:
        return pd.Series(dtype="str", name="direction")
    mapping = dict(zip(services["code_service"], services["direction"]))
    out = pd.Series(latest["service"].map(mapping).to_numpy(), index=latest["matricule"].to_numpy(),
                    name="direction")
    out.index.name = "id_cadre"
    out = out[out.notna() & (out.astype(str).str.strip() != "")]
    return out.astype("str")


def self_evaluation_by_direction(
    autoevaluations: pd.DataFrame,
    directions: Mapping[str, str] | pd.Series,
    *,
    zero_method: str = "pratt",
    method: str = "auto",
    correction: bool = False,
    adjust: str = "holm",
    duplicates: str = "latest",
    seuil: int | None = None,
) -> pd.DataFrame:
    """Paired tests per direction × competence, shown only where the group reaches the threshold.

    Parameters
    ----------
    autoevaluations : DataFrame
        Processed ``autoevaluations``.
    directions : mapping or Series
        ``id_cadre`` → direction (see :func:`manager_directions`); managers absent from it belong
        to no direction and are never shown on their own.
    seuil : int, optional
        Confidentiality threshold (default ``confidentialite.seuil_agents``, 5).

    Returns
    -------
    DataFrame
        ``direction`` then the columns of :func:`self_evaluation_table`. Only direction ×
        competence groups with at least ``seuil`` complete pairs appear (smaller groups are not
        shown at all). Secondary suppression: when the pairs of a competence left out (small
        directions and managers without direction) number between 1 and ``seuil − 1``, the
        smallest shown directions are left out too until they reach ``seuil``, so a hidden group
        cannot be recovered by subtracting the shown ones from :func:`self_evaluation_table`.
        ``p_ajustee`` adjusts across all the rows shown.
    """
    seuil = _seuil(seuil)
    cols = ["direction"] + AUTOEVALUATION_COLUMNS
    mapping = directions if isinstance(directions, pd.Series) else pd.Series(dict(directions), dtype=object)
    pairs = paired_ratings(autoevaluations, duplicates=duplicates)
    pairs["direction"] = pairs["id_cadre"].map(mapping)
    rows = []
    for competence in _sorted_fr(pairs["competence"].unique()):
        sub = pairs[pairs["competence"] == competence]
        sizes = sub.groupby("direction", dropna=True).size().sort_values(kind="stable")
        hidden = int(sub["direction"].isna().sum()) + int(sizes[sizes < seuil].sum())
        shown = sizes[sizes >= seuil]
        while 0 < hidden < seuil and len(shown):
            hidden += int(shown.iloc[0])
            shown = shown.iloc[1:]
        for direction in _sorted_fr(shown.index):
            group = sub[sub["direction"] == direction]
            rows.append({"direction": direction, "competence": competence,
                         **_test_pairs(group, seuil, zero_method, method, correction)})
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in ("direction", "competence") else float) for c in cols})
    table = pd.DataFrame(rows)
    table["p_ajustee"] = adjust_pvalues(table["p_valeur"].to_numpy(), adjust)
    table["n_paires"] = table["n_paires"].astype("int64")
    return table[cols].reset_index(drop=True)


#: Rating bands published instead of the five levels (DESIGN §6): with a few dozen managers or
#: participants, counts per level 1–5 are often about 1 to 4 people. Code → (lower bound, upper bound):
#: a note belongs to a band when ``lower <= note < upper``.
BANDS = {"1–2": (-math.inf, 3.0), "3": (3.0, 4.0), "4–5": (4.0, math.inf)}
#: French labels of the bands for the self-evaluations (1 = faible … 5 = très bonne).
BAND_LABELS_SELF = {"1–2": "1–2 (faible)", "3": "3 (moyen)", "4–5": "4–5 (élevé)"}
#: French labels of the bands for the seminar (1 = très insatisfait … 5 = très satisfait).
BAND_LABELS_SEMINAR = {"1–2": "1–2 (insatisfait)", "3": "3 (moyen)", "4–5": "4–5 (satisfait)"}
#: Word shown in place of a masked figure.
SECRET = "secret"


def band_of(note: float) -> str:
    """Band code of a note: below 3 → ``"1–2"``, from 3 to below 4 → ``"3"``, 4 and above → ``"4–5"``.

    Non-integer notes (means of duplicates) fall in the band of their interval, so « 4–5 » is
    exactly « satisfait » (note ≥ 4) of :func:`seminar_summary`.

    Examples
    --------
    >>> band_of(2.0), band_of(3.5), band_of(4.0)
    ('1–2', '3', '4–5')
    """
    return next(code for code, (low, high) in BANDS.items() if low <= float(note) < high)


def _band_counts(values: pd.Series) -> pd.Series:
    """Counts per band (every band, zeros included) of the non-missing notes."""
    v = values.dropna().astype(float)
    return v.map(band_of).value_counts().reindex(list(BANDS), fill_value=0).astype("int64")


def mask_bands(counts: pd.DataFrame, keys: Sequence[str], seuil: int | None = None) -> pd.DataFrame:
    """Primary and secondary masking of band distributions whose totals are published.

    Parameters
    ----------
    counts : DataFrame
        One row per distribution × band: the ``keys`` columns, ``bande``, ``n`` (agents in the
        band) and ``n_total`` (agents of the distribution: the band counts add up to it).
    keys : sequence of str
        Columns identifying one distribution (e.g. ``competence, temps``).
    seuil : int, optional
        Confidentiality threshold (``confidentialite.seuil_agents``, default 5; never below 3).

    Returns
    -------
    DataFrame
        A copy with ``masque`` (True = not published) and ``part = n / n_total``; ``n`` and
        ``part`` are blanked (NaN) on masked rows.

    Notes
    -----
    Per distribution (its total ``n_total`` is published, e.g. as ``n_paires`` or the number of
    answers): (1) a band about 1 to ``seuil − 1`` agents is masked (primary; an empty band
    concerns nobody: it is published and never used as a complementary cell); (2) line rule of :func:`ducos_lib.privacy.masquer_tableau_long`:
    a single masked band would be total minus the others, so the next smallest band is masked
    too; (3) the masked bands together must concern at least ``seuil`` agents (their sum is the
    total minus the published bands: « 2 encadrants se notent 3 ou moins » would be a figure about
    fewer than ``seuil`` agents), otherwise the next smallest band is masked until it is so (or
    every band is). An audit (:func:`ducos_lib.privacy.cellules_recalculables`) then checks that no
    masked band can be recomputed exactly from the total and the published bands.
    """
    from .privacy import cellules_recalculables, masquer_tableau_long

    seuil = _seuil(seuil)
    keys = list(keys)
    base = counts.reset_index(drop=True)
    totals = base.drop_duplicates(keys)[keys + ["n_total"]].assign(bande="ensemble", _var="ensemble")
    # Empty bands are published and never chosen as complementary cells (masking a 0 next to a
    # single small band would leave « the two masked bands = the small one »).
    nonzero = base["n"].to_numpy(dtype=float) > 0
    long = pd.concat([base[nonzero].assign(_var="bandes"), totals.rename(columns={"n_total": "n"})],
                     ignore_index=True)
    masked = np.zeros(len(base), dtype=bool)
    masked[np.flatnonzero(nonzero)] = masquer_tableau_long(
        long, seuil, cles=keys, variable="_var", groupe="bande", effectif="n", total="ensemble",
        colonnes_masquees=())["masque"].to_numpy()[:int(nonzero.sum())]
    n = base["n"].to_numpy(dtype=float)
    for rows in base.groupby(keys, sort=False).indices.values():
        rows = np.asarray(rows)
        while 0 < n[rows][masked[rows]].sum() < seuil:
            free = rows[~masked[rows] & (n[rows] > 0)]
            if free.size == 0:  # pragma: no cover - masked sum = total ≥ seuil
                break
            masked[free[np.argmin(n[free])]] = True
        # audit: the band counts of one distribution minus its published total add up to 0
        constraint = np.ones((1, rows.size + 1))
        constraint[0, -1] = -1
        if cellules_recalculables(constraint, np.append(masked[rows], False)).any():  # pragma: no cover
            raise AssertionError("Masquage des répartitions : une bande masquée reste recalculable.")
    out = base.copy()
    out["part"] = out["n"] / out["n_total"]
    out["masque"] = masked
    out["n"] = out["n"].astype("float64")
    out.loc[masked, ["n", "part"]] = np.nan
    return out


def rating_distribution(
    autoevaluations: pd.DataFrame, *, duplicates: str = "latest", seuil: int | None = None
) -> pd.DataFrame:
    """Self-ratings before and after per competence, in three bands, masked (DESIGN §6).

    Counts per level 1–5 would often be about 1 to 4 managers: the levels are grouped into
    :data:`BANDS` (1–2 « faible », 3 « moyen », 4–5 « élevé ») and small bands are masked with
    secondary masking (:func:`mask_bands`), each distribution's total being ``n_paires`` of
    :func:`self_evaluation_table`.

    Returns
    -------
    DataFrame
        ``competence, temps (avant, apres), bande, n, n_total, part, masque``: every band of each
        competence with at least ``seuil`` complete pairs (others are not shown), ``n_total`` the
        complete pairs, ``part = n / n_total`` in [0, 1]; ``n`` and ``part`` are NaN where
        ``masque`` is True (band about fewer than ``seuil`` managers, or masked so that it cannot
        be recomputed from the total).
    """
    seuil = _seuil(seuil)
    cols = ["competence", "temps", "bande", "n", "n_total", "part", "masque"]
    pairs = paired_ratings(autoevaluations, duplicates=duplicates)
    rows = []
    for competence in _sorted_fr(pairs["competence"].unique()):
        sub = pairs[pairs["competence"] == competence]
        if len(sub) < seuil:
            continue
        for temps in ("avant", "apres"):
            for band, n in _band_counts(sub[temps]).items():
                rows.append((competence, temps, band, int(n), len(sub)))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in cols[:3] else ("bool" if c == "masque" else float))
                             for c in cols})
    counts = pd.DataFrame(rows, columns=["competence", "temps", "bande", "n", "n_total"])
    return mask_bands(counts, ["competence", "temps"], seuil)[cols]


# ================================================================================================
# Seminar review
# ================================================================================================


@dataclass(frozen=True)
class ProportionCI:
    """A proportion with its confidence interval and the name of the method."""

    estimate: float
    ci_low: float
    ci_high: float
    count: int
    n: int
    method: str

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"n": self.n, "effectif": self.count, "estimation": self.estimate,
                              "ic_bas": self.ci_low, "ic_haut": self.ci_high, "methode": self.method}])


@dataclass(frozen=True)
class MeanCI:
    """A mean with its confidence interval and the name of the method."""

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    method: str = "t de Student"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"n": self.n, "estimation": self.estimate, "ic_bas": self.ci_low,
                              "ic_haut": self.ci_high, "methode": self.method}])


_CI_METHODS = {"wilson": "wilson", "score": "wilson", "clopper-pearson": "clopper-pearson",
               "clopper_pearson": "clopper-pearson", "exact": "clopper-pearson", "beta": "clopper-pearson"}
_CI_LABELS = {"wilson": "Wilson", "clopper-pearson": "Clopper-Pearson (exact)"}


def proportion_ci(count: int, nobs: int, *, alpha: float = 0.05, method: str = "wilson") -> ProportionCI:
    """Confidence interval of a binomial proportion.

    Parameters
    ----------
    count, nobs : int
        Successes and trials.
    alpha : float
        1 − confidence level.
    method : {"wilson", "clopper-pearson"}
        ``wilson`` (alias ``score``): score interval
        ``(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)``; ``clopper-pearson`` (aliases
        ``exact``, ``beta``): quantiles of Beta(x, n−x+1) and Beta(x+1, n−x).

    Returns
    -------
    ProportionCI
        ``method`` holds the French name (``"Wilson"`` or ``"Clopper-Pearson (exact)"``); NaN
        when ``nobs`` is 0.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    *JASA* 22, 209–212.
    Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial limits illustrated in
    the case of the binomial. *Biometrika* 26, 404–413.

    Examples
    --------
    >>> ci = proportion_ci(8, 10)
    >>> round(ci.ci_low, 4), round(ci.ci_high, 4), ci.method
    (0.4902, 0.9433, 'Wilson')
    """
    key = _choice(method, _CI_METHODS, "Méthode d'intervalle")
    label = _CI_LABELS[key]
    count, nobs = int(count), int(nobs)
    if nobs <= 0:
        return ProportionCI(float("nan"), float("nan"), float("nan"), count, nobs, label)
    p = count / nobs
    if key == "wilson":
        z = stats.norm.ppf(1 - alpha / 2)
        denom = 1 + z**2 / nobs
        centre = (p + z**2 / (2 * nobs)) / denom
        half = z * math.sqrt(p * (1 - p) / nobs + z**2 / (4 * nobs**2)) / denom
        low, high = max(0.0, centre - half), min(1.0, centre + half)
    else:
        low = 0.0 if count == 0 else float(stats.beta.ppf(alpha / 2, count, nobs - count + 1))
        high = 1.0 if count == nobs else float(stats.beta.ppf(1 - alpha / 2, count + 1, nobs - count))
    return ProportionCI(p, float(low), float(high), count, nobs, label)


def mean_ci(values: Any, *, alpha: float = 0.05) -> MeanCI:
    """Mean with a Student *t* confidence interval (NaN ignored; no interval below 2 values)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = int(v.size)
    if n == 0:
        return MeanCI(float("nan"), float("nan"), float("nan"), 0)
    m = float(v.mean())
    if n < 2:
        return MeanCI(m, float("nan"), float("nan"), n)
    half = float(stats.t.ppf(1 - alpha / 2, n - 1) * v.std(ddof=1) / math.sqrt(n))
    return MeanCI(m, m - half, m + half, n)


def _seminar_items(bilan: pd.DataFrame, items: Iterable[str] | None) -> list[str]:
    return [c for c in (items or SEMINAR_ITEMS) if c in bilan.columns]


def seminar_distribution(
    bilan: pd.DataFrame, *, items: Iterable[str] | None = None, seuil: int | None = None
) -> pd.DataFrame:
    """Distribution of each seminar rating item in three bands, masked (DESIGN §6).

    Levels are grouped into :data:`BANDS` (1–2 « insatisfait », 3 « moyen », 4–5 « satisfait ») and
    masked as in :func:`mask_bands` (total: the item's answers, published by :func:`seminar_summary`).

    Returns
    -------
    DataFrame
        ``item, libelle, bande, n, n_total, part, masque`` (``part`` of the item's answers, blanks
        excluded; NaN with ``n`` where ``masque``). Items answered by fewer than ``seuil``
        participants are not shown.
    """
    seuil = _seuil(seuil)
    cols = ["item", "libelle", "bande", "n", "n_total", "part", "masque"]
    rows = []
    for item in _seminar_items(bilan, items):
        values = bilan[item].astype(float).dropna()
        if len(values) < seuil:
            continue
        for band, n in _band_counts(values).items():
            rows.append((item, SEMINAR_ITEMS.get(item, item), band, int(n), len(values)))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in cols[:3] else ("bool" if c == "masque" else float))
                             for c in cols})
    counts = pd.DataFrame(rows, columns=["item", "libelle", "bande", "n", "n_total"])
    return mask_bands(counts, ["item"], seuil)[cols]


def seminar_summary(
    bilan: pd.DataFrame,
    *,
    items: Iterable[str] | None = None,
    alpha: float = 0.05,
    ci_method: str = "wilson",
    seuil: int | None = None,
) -> pd.DataFrame:
    """Share satisfied (4–5) with its interval and mean with its interval, per seminar item.

    Parameters
    ----------
    bilan : DataFrame
        Processed ``bilan_seminaire``.
    items : iterable of str, optional
        Rating columns; default those of :data:`SEMINAR_ITEMS` present.
    ci_method : {"wilson", "clopper-pearson"}
        Interval of the share satisfied (:func:`proportion_ci`).
    seuil : int, optional
        Items answered by fewer participants are not shown.

    Returns
    -------
    DataFrame
        ``item, libelle, n_reponses, moyenne, moyenne_ic_bas, moyenne_ic_haut, n_satisfaits,
        part_satisfaits, ic_bas, ic_haut, methode_ic`` (shares in [0, 1]; the mean interval is
        Student's *t*). ``n_satisfaits`` is the band 4–5 of :func:`seminar_distribution`: where
        that band is masked (DESIGN §6: fewer than ``seuil`` satisfied, or secondary masking),
        ``n_satisfaits``, ``part_satisfaits`` and its interval are NaN too, so the table cannot
        undo the distribution's masking.

    References
    ----------
    Wilson (1927); Clopper & Pearson (1934) — see :func:`proportion_ci`.
    """
    seuil = _seuil(seuil)
    dist = seminar_distribution(bilan, items=items, seuil=seuil)
    secret = set(dist.loc[(dist["bande"] == "4–5") & dist["masque"], "item"])
    nan = float("nan")
    rows = []
    for item in _seminar_items(bilan, items):
        values = bilan[item].astype(float).dropna().to_numpy()
        if values.size < seuil:
            continue
        satisfied = int((values >= 4).sum())
        share = proportion_ci(satisfied, values.size, alpha=alpha, method=ci_method)
        mean = mean_ci(values, alpha=alpha)
        if item in secret:  # same figure as the masked band 4–5 of seminar_distribution
            rows.append((item, SEMINAR_ITEMS.get(item, item), int(values.size), mean.estimate, mean.ci_low,
                         mean.ci_high, nan, nan, nan, nan, share.method))
            continue
        rows.append((item, SEMINAR_ITEMS.get(item, item), int(values.size), mean.estimate, mean.ci_low,
                     mean.ci_high, satisfied, share.estimate, share.ci_low, share.ci_high, share.method))
    return pd.DataFrame(rows, columns=["item", "libelle", "n_reponses", "moyenne", "moyenne_ic_bas",
                                       "moyenne_ic_haut", "n_satisfaits", "part_satisfaits", "ic_bas",
                                       "ic_haut", "methode_ic"])


@dataclass(frozen=True)
class CommentThemeSummary:
    """Themes of free comments: ``counts`` (theme, n_commentaires, n_total, part) and redacted
    ``quotes`` (theme, rang, citation)."""

    counts: pd.DataFrame
    quotes: pd.DataFrame


def _default_code() -> Callable[[pd.Series], pd.DataFrame]:
    from .text import code_texts

    return code_texts


def _default_redact(roster: Any = None) -> Callable[[str], str]:
    """:func:`ducos_lib.redaction.redact` with the HR roster's names (a ``Roster`` or names)."""
    from .redaction import Roster, redact

    if roster is None:
        return redact
    built = roster if isinstance(roster, Roster) else Roster.build(roster)
    return lambda text: redact(text, built)


def comment_themes(
    comments: pd.Series,
    code: Callable[[pd.Series], pd.DataFrame] | None = None,
    redact: Callable[[str], str] | None = None,
    *,
    n_quotes: int = 2,
    roster: Any = None,
) -> CommentThemeSummary:
    """Themes of the seminar's comments through the text pipeline, with redacted quotes.

    Parameters
    ----------
    comments : Series of str
        Free comments (blanks ignored).
    code : callable, optional
        The text module's coding function: Series of texts → DataFrame of booleans, one column
        per theme, same index (default :func:`ducos_lib.text.code_texts`).
    redact : callable, optional
        Text → redacted text (default :func:`ducos_lib.redaction.redact` with ``roster``). Every
        quote goes through it.
    n_quotes : int
        Quotes per theme: the comments mentioning the fewest themes (most specific), then the
        shortest, then in file order.
    roster : Roster or iterable of str, optional
        Names of the HR roster for the default redaction (processed data carry no names: build it
        with ``ducos_lib.redaction.load_roster(raw_dir)``). Ignored when ``redact`` is given.

    Returns
    -------
    CommentThemeSummary
        ``counts`` has every theme (``part`` of the non-empty comments, in [0, 1]), most frequent
        first; ``quotes`` only redacted text.
    """
    code = code or _default_code()
    redact = redact or _default_redact(roster)
    texts = comments.astype(object)
    texts = texts[texts.notna()].map(lambda t: str(t).strip())
    texts = texts[texts != ""]
    if len(texts):
        flags = code(texts.astype("str")).astype(bool)
    else:  # no comment: the coder still gives the list of themes
        flags = code(pd.Series([""], dtype="str")).iloc[:0].astype(bool)
    total = len(texts)
    counts = pd.DataFrame({"theme": list(flags.columns), "n_commentaires": flags.sum().astype(int).to_numpy()})
    counts["n_total"] = total
    counts["part"] = counts["n_commentaires"] / total if total else np.nan
    counts = counts.sort_values(["n_commentaires", "theme"], ascending=[False, True], kind="stable")
    quotes = []
    n_themes = flags.sum(axis=1)
    for theme in counts["theme"]:
        chosen = texts[flags[theme]]
        if chosen.empty:
            continue
        order = pd.DataFrame({"k": n_themes[chosen.index], "len": chosen.str.len(),
                              "pos": range(len(chosen)), "texte": chosen})
        order = order.drop_duplicates("texte").sort_values(["k", "len", "pos"], kind="stable").head(n_quotes)
        for rank, text in enumerate(order["texte"], start=1):
            quotes.append((theme, rank, redact(text)))
    return CommentThemeSummary(counts.reset_index(drop=True),
                               pd.DataFrame(quotes, columns=["theme", "rang", "citation"]))


# ================================================================================================
# The living guide of managerial practices
# ================================================================================================


class GuideError(ValueError):
    """The guide's Markdown cannot be used: the French message names the file, line and problem."""


@dataclass(frozen=True)
class Practice:
    """One ``##`` section of the guide tied to codebook themes."""

    title: str
    themes: tuple[str, ...]
    line: int
    anchor: str


@dataclass(frozen=True)
class Guide:
    """The parsed guide: front matter, practices and the Markdown body (front matter removed)."""

    path: Path
    title: str
    version: str
    date: pd.Timestamp
    practices: tuple[Practice, ...]
    body: str
    body_first_line: int
    history: str = ""

    def practices_frame(self) -> pd.DataFrame:
        """One row per practice × theme: ``pratique, theme``."""
        return pd.DataFrame([(p.title, t) for p in self.practices for t in p.themes],
                            columns=["pratique", "theme"])

    @property
    def themes(self) -> list[str]:
        """Themes tied to at least one practice, in order of first appearance."""
        return list(dict.fromkeys(t for p in self.practices for t in p.themes))


#: ``##`` sections that are prose, not practices (compared without accents or case); the front
#: matter key ``sections_hors_pratiques`` adds others.
NON_PRACTICE_SECTIONS = ("historique des versions", "introduction", "a propos de ce guide",
                         "comment utiliser ce guide", "mode d'emploi")
HISTORY_SECTION = "historique des versions"
_THEMES_LINE = re.compile(r"^\s*(?:[*_]{1,2})?\s*th[eè]mes?\s*(?:[*_]{1,2})?\s*:\s*(?:[*_]{1,2})?\s*(?P<list>.*?)\s*$",
                          re.IGNORECASE)
_H2 = re.compile(r"^##\s+(?P<title>.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _plain(text: str) -> str:
    from .io import strip_accents

    return re.sub(r"\s+", " ", strip_accents(text).replace("’", "'").lower()).strip()


def _theme_anchor(theme: str) -> str:
    return "theme-" + re.sub(r"[^a-z0-9]+", "-", _plain(theme)).strip("-")


def _practice_anchor(title: str) -> str:
    return "pratique-" + re.sub(r"[^a-z0-9]+", "-", _plain(title)).strip("-")


def _theme_labels(codebook: Any) -> dict[str, str]:
    """Codebook (``ducos_lib.text.Codebook``), mapping code → label, or iterable of codes."""
    if codebook is None:
        from .text import load_codebook

        codebook = load_codebook()
    if hasattr(codebook, "labels") and callable(codebook.labels):
        return dict(codebook.labels())
    if isinstance(codebook, Mapping):
        return {str(k): str(v) for k, v in codebook.items()}
    return {str(c): str(c) for c in codebook}


def _parse_date(value: Any, path: Path) -> pd.Timestamp:
    try:
        if isinstance(value, (_dt.date, _dt.datetime)):
            return pd.Timestamp(value)
        text = str(value).strip()
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            return pd.Timestamp(pd.to_datetime(text, format="%d/%m/%Y"))
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except (ValueError, TypeError):
        raise GuideError(f"Guide {path}, en-tête : date « {value} » illisible ; attendu AAAA-MM-JJ ou "
                         "JJ/MM/AAAA.") from None


def parse_guide(guide_path: Path | str, codebook: Any = None) -> Guide:
    """Read the guide's Markdown: YAML front matter, practices and the themes each one cites.

    Format: a front matter between two ``---`` lines with ``version`` and ``date`` (AAAA-MM-JJ or
    JJ/MM/AAAA; ``titre`` optional); one ``##`` section per practice containing a line
    ``Thèmes : code_a, code_b`` (comma or semicolon separated, backquotes and bold allowed);
    prose sections (:data:`NON_PRACTICE_SECTIONS`, e.g. ``## Historique des versions``) need no
    such line. The ``## Historique des versions`` section must mention the current version.

    Parameters
    ----------
    guide_path : path
        The Markdown file (``guide/guide_pratiques.md``).
    codebook : Codebook, mapping or iterable, optional
        The known themes (default ``config/codebook.yml``).

    Raises
    ------
    GuideError
        In French, naming the file and line: missing front matter, version or date; a practice
        without themes; a theme unknown to the codebook (listing the known ones); no practice; a
        version absent from the history.
    """
    path = Path(guide_path)
    labels = _theme_labels(codebook)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GuideError(f"Guide introuvable : {path}.") from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise GuideError(f"Guide {path}, ligne 1 : l'en-tête YAML (entre deux lignes « --- ») est absent ; "
                         "il doit donner au moins « version » et « date ».")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise GuideError(f"Guide {path} : l'en-tête YAML n'est pas refermé par une ligne « --- ».") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        raise GuideError(f"Guide {path}, en-tête : YAML illisible ({exc}).") from None
    for key in ("version", "date"):
        if not meta.get(key):
            raise GuideError(f"Guide {path}, en-tête : la clé « {key} » est absente ou vide.")
    version = str(meta["version"]).strip()
    date = _parse_date(meta["date"], path)
    extra = meta.get("sections_hors_pratiques") or ()
    prose = {_plain(s) for s in NON_PRACTICE_SECTIONS} | {_plain(str(s)) for s in extra}
    body_lines = lines[end + 1:]
    first = end + 2  # spreadsheet-like numbering: first body line's number in the file

    sections: list[tuple[str, int, list[tuple[int, str]]]] = []
    in_fence = False
    for offset, line in enumerate(body_lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _H2.match(line)
        if heading:
            sections.append((heading.group("title").strip(), first + offset, []))
        elif sections:
            sections[-1][2].append((first + offset, line))

    practices, history = [], ""
    known = list(labels)
    for title, line_no, content in sections:
        if _plain(title) == HISTORY_SECTION:
            history = "\n".join(t for _, t in content)
        theme_lines = [(n, m.group("list")) for n, t in content if (m := _THEMES_LINE.match(t))]
        if _plain(title) in prose and not theme_lines:
            continue
        if not theme_lines:
            raise GuideError(
                f"Guide {path}, ligne {line_no} : la pratique « {title} » n'indique pas ses thèmes ; "
                "ajoutez une ligne « Thèmes : theme_a, theme_b » (thèmes du codebook)."
            )
        themes: list[str] = []
        for n, listed in theme_lines:
            for raw in re.split(r"[,;]", listed):
                code = raw.strip().strip("`*_ .").strip()
                if not code:
                    continue
                if code not in labels:
                    raise GuideError(
                        f"Guide {path}, ligne {n}, pratique « {title} » : thème inconnu « {code} ». "
                        f"Thèmes du codebook : {', '.join(known)}."
                    )
                if code not in themes:
                    themes.append(code)
        if not themes:
            raise GuideError(f"Guide {path}, ligne {theme_lines[0][0]} : la pratique « {title} » a une "
                             "ligne « Thèmes : » vide.")
        practices.append(Practice(title, tuple(themes), line_no, _practice_anchor(title)))
    if not practices:
        raise GuideError(f"Guide {path} : aucune pratique (section « ## » avec une ligne « Thèmes : »).")
    if not history.strip():
        raise GuideError(f"Guide {path} : la section « ## Historique des versions » est absente ou vide.")
    if not re.search(rf"(?<![\w.]){re.escape(version)}(?![\w]|\.\d)", history):
        raise GuideError(f"Guide {path} : la version {version} de l'en-tête n'a pas d'entrée datée dans "
                         "« ## Historique des versions ».")
    title = str(meta.get("titre") or "Guide des pratiques managériales")
    return Guide(path, title, version, date, tuple(practices), "\n".join(body_lines), first, history)


def theme_frequencies(
    coding: pd.DataFrame,
    fiches: pd.DataFrame,
    *,
    until: Any = None,
    date_column: str = "date_immersion",
) -> pd.DataFrame:
    """How often each theme came up in the immersion forms.

    Parameters
    ----------
    coding : DataFrame
        ``immersions_codage`` (``id_fiche, champ, theme``).
    fiches : DataFrame
        Processed ``fiches_immersion`` (the denominator: every form, coded or not).
    until : date, optional
        Keep forms dated on or before it (e.g. the previous milestone's date).

    Returns
    -------
    DataFrame
        ``theme, n_fiches, part_fiches, n_propositions, n_total``: forms mentioning the theme in
        any field, their share of all forms (in [0, 1]), forms whose ``propositions`` mention it,
        and the number of forms.
    """
    forms = fiches
    if until is not None and date_column in forms.columns:
        forms = forms[forms[date_column] <= pd.Timestamp(until)]
    ids = set(forms["id_fiche"].astype(str))
    total = len(ids)
    coded = coding[coding["id_fiche"].astype(str).isin(ids)]
    n_any = coded.groupby("theme")["id_fiche"].nunique()
    n_prop = coded[coded["champ"] == "propositions"].groupby("theme")["id_fiche"].nunique()
    themes = sorted(set(n_any.index))
    out = pd.DataFrame({"theme": pd.Series(themes, dtype="str")})
    out["n_fiches"] = out["theme"].map(n_any).fillna(0).astype("int64")
    out["part_fiches"] = out["n_fiches"] / total if total else np.nan
    out["n_propositions"] = out["theme"].map(n_prop).fillna(0).astype("int64")
    out["n_total"] = total
    return out


def _movement(now: int, share: float, prev: pd.Series | None) -> tuple[float, float, str]:
    """(previous share, difference, French text) of one theme; ``prev`` empty = theme never seen."""
    if prev is None:
        return np.nan, np.nan, "–"
    prev_n = int(prev.get("n_fiches", 0) or 0)
    prev_share = float(prev["part_fiches"]) if pd.notna(prev.get("part_fiches", np.nan)) else 0.0
    if prev_n == 0 and now > 0:
        return prev_share, np.nan, "nouveau"
    if prev_n == 0 and now == 0:
        return prev_share, 0.0, "absent aux deux jalons"
    diff = share - prev_share
    return prev_share, diff, formats.points(diff) if round(diff * 1000) != 0 else "stable"


def guide_evidence(
    guide: Guide,
    coding: pd.DataFrame,
    fiches: pd.DataFrame,
    previous_milestone_data: pd.DataFrame | None = None,
    *,
    codebook: Any = None,
) -> pd.DataFrame:
    """Evidence table of the annex: one row per theme tied to a practice.

    Parameters
    ----------
    guide : Guide
        From :func:`parse_guide`.
    coding, fiches : DataFrame
        The milestone's ``immersions_codage`` and forms (see :func:`theme_frequencies`).
    previous_milestone_data : DataFrame, optional
        :func:`theme_frequencies` of the previous milestone (``theme, n_fiches, part_fiches``).
        Recommended: ``theme_frequencies(coding, fiches, until=<previous milestone's date>)`` on
        this milestone's coding, so both milestones are coded with the same codebook version.
        Without it there is no comparison.

    Returns
    -------
    DataFrame
        ``theme, libelle, pratiques, n_fiches, part_fiches, n_propositions, part_precedente,
        difference_part, evolution``. ``difference_part`` is the change of share (proportion
        points); ``evolution`` its French text: ``+5,2 points``, ``stable`` (under 0,05 point),
        ``nouveau`` (no form at the previous milestone), ``absent aux deux jalons``, ``–`` (no
        previous milestone).
    """
    labels = _theme_labels(codebook)
    freq = theme_frequencies(coding, fiches).set_index("theme")
    total = int(len(set(fiches["id_fiche"].astype(str))))
    prev = None
    if previous_milestone_data is not None:
        prev = previous_milestone_data.assign(theme=previous_milestone_data["theme"].astype(str)).set_index("theme")
    rows = []
    for theme in guide.themes:
        n = int(freq["n_fiches"].get(theme, 0))
        share = n / total if total else np.nan
        n_prop = int(freq["n_propositions"].get(theme, 0))
        prev_row = None if prev is None else (prev.loc[theme] if theme in prev.index else pd.Series(dtype=object))
        prev_share, diff, text = _movement(n, share, prev_row)
        practices = "; ".join(p.title for p in guide.practices if theme in p.themes)
        rows.append((theme, labels.get(theme, theme), practices, n, share, n_prop, prev_share, diff, text))
    return pd.DataFrame(rows, columns=["theme", "libelle", "pratiques", "n_fiches", "part_fiches",
                                       "n_propositions", "part_precedente", "difference_part", "evolution"])


def _proposals(coding: pd.DataFrame, fiches: pd.DataFrame, theme: str, redact: Callable[[str], str]) -> list[str]:
    ids = set(coding.loc[(coding["theme"] == theme) & (coding["champ"] == "propositions"), "id_fiche"].astype(str))
    forms = fiches[fiches["id_fiche"].astype(str).isin(ids) & fiches["propositions"].notna()]
    if "date_immersion" in forms.columns:
        forms = forms.sort_values(["date_immersion", "id_fiche"], ascending=[False, True], kind="stable")
    else:
        forms = forms.sort_values("id_fiche", kind="stable")
    seen, out = set(), []
    for text in forms["propositions"]:
        quote = redact(str(text)).strip()
        if quote and quote not in seen:
            seen.add(quote)
            out.append(quote)
    return out


@dataclass(frozen=True)
class RenderedGuide:
    """Result of :func:`render_guide`: the HTML path, the parsed guide and the annex table."""

    path: Path
    guide: Guide
    annex: pd.DataFrame = field(repr=False)


_EXTRA_CSS = """
.ducos-guide-meta { color: var(--ducos-gris); font-size: 13px; }
.ducos-guide-themes { background: var(--ducos-fond); padding: 4px 10px; border-radius: 4px; font-size: 14px; }
.ducos-annexe blockquote { border-left: 3px solid #c7d9ee; margin: 6px 0; padding: 2px 12px; color: #24425e; }
.ducos-evolution-nouveau { font-weight: 600; color: #b86e00; }
main > table:not(.ducos-tableau) { border-collapse: collapse; margin: 8px 0 16px; font-size: 13.5px; }
main > table:not(.ducos-tableau) th { background: var(--ducos-fond); text-align: left; padding: 4px 10px;
  border-bottom: 2px solid #c9d1d9; }
main > table:not(.ducos-tableau) td { border-bottom: 1px solid #e1e4e8; padding: 3px 10px; vertical-align: top; }
"""


def _themes_line_html(practice: Practice, labels: Mapping[str, str]) -> str:
    links = ", ".join(f'<a href="#{_theme_anchor(t)}">{html.escape(labels.get(t, t))}</a>' for t in practice.themes)
    return f'<p class="ducos-guide-themes"><strong>Thèmes :</strong> {links}</p>'


def _markdown_to_html(guide: Guide, labels: Mapping[str, str]) -> str:
    """Guide body → HTML; each practice's ``Thèmes :`` line becomes links to the annex."""
    import markdown

    by_line = {p.line: p for p in guide.practices}
    out, current, in_fence = [], None, False
    for offset, line in enumerate(guide.body.splitlines()):
        number = guide.body_first_line + offset
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and _H2.match(line):
            current = by_line.get(number)
            if current is not None:
                out.append(f"## {current.title} {{: #{current.anchor} }}")
                continue
        if current is not None and not in_fence and _THEMES_LINE.match(line):
            out.append("")
            out.append(_themes_line_html(current, labels))
            out.append("")
            continue
        out.append(line)
    return markdown.markdown("\n".join(out), extensions=["extra", "sane_lists"], output_format="html")


def _annex_html(
    annex: pd.DataFrame,
    guide: Guide,
    coding: pd.DataFrame,
    fiches: pd.DataFrame,
    milestone: str,
    previous_milestone: str | None,
    redact: Callable[[str], str],
    labels: Mapping[str, str],
    max_proposals: int,
    uncovered: pd.DataFrame,
    n_previous_forms: int | None = None,
) -> str:
    from .reports import page

    esc = html.escape
    total = len(set(fiches["id_fiche"].astype(str)))
    since = f"depuis {previous_milestone}" if previous_milestone else "depuis le jalon précédent"
    parts = [f'<section class="ducos-annexe"><h2 id="annexe">Annexe : ce que disent les immersions '
             f"(jalon {esc(milestone)})</h2>"]
    comparison = (f"Comparaison avec le jalon {esc(previous_milestone)}." if previous_milestone
                  else "Pas de jalon précédent : pas de comparaison.")
    parts.append(
        f"<p>Annexe produite à partir des données : {formats.number(total)} fiche(s) d'immersion au jalon "
        f"{esc(milestone)}. Pour chaque thème cité par une pratique : le nombre de fiches qui l'évoquent "
        f"(dans n'importe quelle rubrique), leur part, son évolution, puis les propositions des agents "
        f"codées sur ce thème. {comparison} Les propositions sont anonymisées (noms, téléphones, "
        f"courriels, adresses remplacés). Elles servent aux rédacteurs du guide à repérer ce qu'il faut "
        f"mettre à jour.</p>"
    )
    if total == 0:  # no form yet (e.g. T0): say so plainly, no empty table
        parts[1:] = [
            f"<p>Aucune fiche d'immersion n'est disponible au jalon {esc(milestone)} : l'annexe ne contient "
            "pas encore d'éléments issus des données. Elle sera alimentée dès les premières immersions "
            "(fréquence de chaque thème, propositions des agents, évolution d'un jalon à l'autre).</p>",
            "</section>",
        ]
        return "\n".join(parts)
    has_previous = bool(previous_milestone) and bool(annex["part_precedente"].notna().any())
    moved = guide_findings(annex, milestone=milestone, n_forms=total,
                           previous_milestone=previous_milestone if has_previous else None,
                           n_previous_forms=n_previous_forms, link=None)[1:]
    parts.append(f"<p><strong>À retenir pour la mise à jour du guide :</strong> {' '.join(moved)}</p>")
    shown = ["libelle", "pratiques", "n_fiches", "part_fiches", "n_propositions"] + (["evolution"] if has_previous else [])
    table = annex[shown]
    parts.append(page.table(
        table, caption="Thèmes des pratiques dans les fiches d'immersion",
        formatters={"part_fiches": formats.percent, "n_fiches": formats.number,
                          "n_propositions": formats.number},
        columns={"libelle": "Thème", "pratiques": "Pratiques du guide", "n_fiches": "Fiches (n)",
                  "part_fiches": "Part des fiches", "n_propositions": "Fiches avec proposition",
                  "evolution": f"Évolution {since}"},
    ))
    for row in annex.itertuples(index=False):
        practices = [p for p in guide.practices if row.theme in p.themes]
        links = ", ".join(f'<a href="#{p.anchor}">{esc(p.title)}</a>' for p in practices)
        evol = ('<span class="ducos-evolution-nouveau">nouveau</span>' if row.evolution == "nouveau"
                else esc(row.evolution))
        parts.append(f'<h3 id="{_theme_anchor(row.theme)}">{esc(row.libelle)} '
                     f'<span class="ducos-note">({esc(row.theme)})</span></h3>')
        movement = f" ; évolution {esc(since)} : {evol}" if has_previous else ""
        parts.append(f'<p class="ducos-guide-meta">Pratiques : {links}. Évoqué dans '
                     f"{formats.number(row.n_fiches)} fiche(s) sur {formats.number(total)} "
                     f"({formats.percent(row.part_fiches)}){movement}.</p>")
        quotes = _proposals(coding, fiches, row.theme, redact)
        if not quotes:
            parts.append('<p class="ducos-note">Aucune proposition codée sur ce thème.</p>')
            continue
        shown = quotes[:max_proposals]
        parts.append("".join(f"<blockquote>{esc(q)}</blockquote>" for q in shown))
        if len(quotes) > len(shown):
            parts.append(f'<p class="ducos-note">… et {formats.number(len(quotes) - len(shown))} autre(s) '
                         "proposition(s) sur ce thème.</p>")
    if len(uncovered):
        items = "".join(
            f"<li>{esc(labels.get(r.theme, r.theme))} ({esc(r.theme)}) : {formats.number(r.n_fiches)} fiche(s), "
            f"{formats.percent(r.part_fiches)}</li>"
            for r in uncovered.itertuples(index=False)
        )
        parts.append("<h3 id=\"themes-non-couverts\">Thèmes du codebook qu'aucune pratique ne cite</h3>"
                     f"<p>Ces thèmes reviennent dans les fiches sans être reliés à une pratique du guide :</p>"
                     f"<ul>{items}</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def _coding_or_empty(coding: pd.DataFrame | None) -> pd.DataFrame:
    if coding is None:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in ("id_fiche", "champ", "theme")})
    return coding


def _fiches_or_empty(fiches: pd.DataFrame | None) -> pd.DataFrame:
    if fiches is None:
        return pd.DataFrame({"id_fiche": pd.Series(dtype="str"), "date_immersion": pd.Series(dtype="datetime64[ns]"),
                             "propositions": pd.Series(dtype="str")})
    return fiches


def render_guide(
    guide_path: Path | str,
    coding: pd.DataFrame | None,
    fiches: pd.DataFrame | None,
    out_path: Path | str,
    milestone: str,
    previous_milestone_data: pd.DataFrame | None = None,
    *,
    previous_milestone: str | None = None,
    milestone_date: Any = None,
    codebook: Any = None,
    redact: Callable[[str], str] | None = None,
    roster: Any = None,
    max_proposals: int = 10,
) -> RenderedGuide:
    """Render the guide to a self-contained French HTML page with its evidence annex.

    Parameters
    ----------
    guide_path : path
        ``guide/guide_pratiques.md`` (see :func:`parse_guide` for the format).
    coding : DataFrame or None
        The milestone's ``immersions_codage`` (``id_fiche, champ, theme``); None = no form.
    fiches : DataFrame or None
        The milestone's processed ``fiches_immersion`` (``id_fiche``, ``propositions``,
        ``date_immersion``); None (file absent) or empty: the annex says plainly that there is
        no evidence yet, without an empty table.
    out_path : path
        The HTML file to write (atomically), e.g. ``OUT/T12/guide_pratiques.html``.
    milestone : str
        ``T0``, ``T6`` or ``T12``.
    previous_milestone_data : DataFrame, optional
        :func:`theme_frequencies` at the previous milestone, for the "évolution" column.
    previous_milestone : str, optional
        Its name, shown in the annex.
    milestone_date : date, optional
        Shown in the header ("données arrêtées au …").
    codebook : Codebook, mapping or iterable, optional
        Known themes and their French labels (default ``config/codebook.yml``).
    redact : callable, optional
        Text → redacted text (default :func:`ducos_lib.redaction.redact` with ``roster``); every
        proposal goes through it.
    roster : Roster or iterable of str, optional
        Names of the HR roster for the default redaction: pass
        ``ducos_lib.redaction.load_roster(raw_dir)``, otherwise first names written alone
        ("Mireille m'a expliqué …") are not caught. Ignored when ``redact`` is given.
    max_proposals : int
        Proposals quoted per theme (the most recent forms first).

    Returns
    -------
    RenderedGuide
        The written path, the parsed guide and the annex table (:func:`guide_evidence`), which the
        notebook can write as ``tables/guide_annexe.csv``.

    Notes
    -----
    The page is ``lang="fr"``, uses the reports' stylesheet (``templates/ducos/ducos.css``) inline and
    loads nothing from elsewhere. The Markdown is trusted (edited in the repository); the annex's
    data-driven text is HTML-escaped.
    """
    from .io import write_text
    from .reports.export import TEMPLATE_DIR, add_table_of_contents

    labels = _theme_labels(codebook)
    redact = redact or _default_redact(roster)
    coding, fiches = _coding_or_empty(coding), _fiches_or_empty(fiches)
    guide = parse_guide(guide_path, labels)
    annex = guide_evidence(guide, coding, fiches, previous_milestone_data, codebook=labels)
    freq = theme_frequencies(coding, fiches)
    uncovered = freq[~freq["theme"].isin(guide.themes) & (freq["n_fiches"] > 0)].sort_values(
        ["n_fiches", "theme"], ascending=[False, True], kind="stable")
    body = _markdown_to_html(guide, labels)
    n_prev = None
    if previous_milestone_data is not None and "n_total" in previous_milestone_data and len(previous_milestone_data):
        n_prev = int(previous_milestone_data["n_total"].max())
    annex_html = _annex_html(annex, guide, coding, fiches, milestone, previous_milestone, redact, labels,
                             max_proposals, uncovered, n_prev)
    css = (TEMPLATE_DIR / "ducos" / "ducos.css").read_text(encoding="utf-8") + _EXTRA_CSS
    stamp = (f"Version {html.escape(guide.version)} du {formats.date(guide.date)} · rendu pour le jalon "
             f"{html.escape(milestone)}")
    if milestone_date is not None:
        stamp += f" (données arrêtées au {formats.date(milestone_date)})"
    stamp += f" le {formats.date(pd.Timestamp.now())}."
    page = (
        '<!DOCTYPE html>\n<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="Observatoire qualité de Ducos">\n'
        f"<title>{html.escape(guide.title)} — version {html.escape(guide.version)}</title>\n"
        f"<style>\n{css}\n</style>\n</head>\n"
        '<body class="ducos-rapport">\n<header class="ducos-bandeau"><span>Observatoire qualité — Ville de Ducos'
        "</span></header>\n<main>\n"
        f"{body}\n{annex_html}\n</main>\n"
        '<footer class="ducos-provenance">Guide source : '
        f"{html.escape(guide.path.name)} (version {html.escape(guide.version)}). Annexe générée par "
        "l'Observatoire qualité à partir des fiches d'immersion codées selon le codebook.</footer>\n"
        "</body>\n</html>\n"
    )
    if "</h1>" not in page:
        page = page.replace("<main>\n", f"<main>\n<h1>{html.escape(guide.title)}</h1>\n", 1)
    page = add_table_of_contents(page)  # after the title (no marker: report.py's offset assumes none)
    head, _, tail = page.partition("</h1>")  # version stamp right under the title, before the contents
    page = f'{head}</h1>\n<p class="ducos-guide-meta">{stamp}</p>{tail}'
    write_text(page, out_path)
    return RenderedGuide(Path(out_path), guide, annex)


# ================================================================================================
# Report helpers (notebook 05_pratiques_manageriales): French tables, sentences and alt texts
# ================================================================================================

#: Bounds of ``|r|`` for the words of :func:`effect_size_words` (Cohen's conventions for a correlation).
EFFECT_SIZE_BOUNDS = ((0.1, "négligeable"), (0.3, "faible"), (0.5, "moyen"), (math.inf, "fort"))


def _has_rows(frame: pd.DataFrame | None) -> bool:
    return frame is not None and len(frame) > 0


def _list_fr(items: Sequence[str]) -> str:
    """``["a", "b", "c"]`` → ``"a, b et c"``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _head(text: str, label: bool) -> str:
    return f"<strong>{_esc(text)}</strong> : " if label else ""


def effect_size_words(r: float) -> str:
    """French reading of a matched-pairs rank-biserial correlation.

    ``|r|`` below 0.1 is « négligeable », below 0.3 « faible », below 0.5 « moyen », otherwise
    « fort » (Cohen's conventions for a correlation); the direction is added when not negligible:
    « fort, en hausse » / « faible, en baisse ». NaN gives « – ».

    References
    ----------
    Cohen, J. (1988). *Statistical Power Analysis for the Behavioral Sciences*, 2nd ed., ch. 3.

    Examples
    --------
    >>> effect_size_words(0.62), effect_size_words(-0.2), effect_size_words(0.05)
    ('fort, en hausse', 'faible, en baisse', 'négligeable')
    """
    if r is None or (isinstance(r, float) and math.isnan(r)) or pd.isna(r):
        return "–"
    size = next(word for bound, word in EFFECT_SIZE_BOUNDS if abs(float(r)) < bound)
    if size == "négligeable":
        return size
    return f"{size}, en {'hausse' if r > 0 else 'baisse'}"


def self_evaluation_display(table: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """The report's table of self-evaluations: :func:`self_evaluation_table` plus the change of
    mean (``ecart``), the effect size in words (``lecture``) and whether the change is clear
    (``nette``: « oui » when the adjusted p-value is below ``alpha``, « non » otherwise, « – »
    without test). Rows without test are kept (their figures show « – »).

    Works as well on :func:`self_evaluation_by_direction` (its ``direction`` column is kept first).
    """
    cols = (["direction"] if "direction" in table.columns else []) + [
        "competence", "n_paires", "moyenne_avant", "moyenne_apres", "ecart", "p_valeur", "p_ajustee",
        "nette", "taille_effet", "lecture"]
    clear = table["p_ajustee"].map(lambda p: "–" if pd.isna(p) else ("oui" if p < alpha else "non"))
    out = table.assign(ecart=table["moyenne_apres"] - table["moyenne_avant"],
                       lecture=table["taille_effet"].map(effect_size_words), nette=clear)
    return out[cols].reset_index(drop=True)


#: French headers of :func:`self_evaluation_display` for ``report.tableau``.
SELF_EVALUATION_HEADERS = {
    "direction": "Direction", "competence": "Compétence", "n_paires": "Encadrants (paires complètes)",
    "moyenne_avant": "Moyenne avant", "moyenne_apres": "Moyenne après", "ecart": "Écart",
    "p_valeur": "p (Wilcoxon)", "p_ajustee": "p ajustée (Holm)", "nette": "Évolution nette ?",
    "taille_effet": "Taille d'effet (r)",
    "lecture": "Lecture de l'effet",
}


def self_evaluation_formats(seuil: int | None = None) -> dict[str, Callable[[Any], str]]:
    """Column → French formatter for :func:`self_evaluation_display` in ``report.tableau``; a masked
    ``n_paires`` (1 to ``seuil − 1`` pairs) reads « moins de 5 »."""
    seuil = _seuil(seuil)
    two = lambda v: formats.number(v, 2)  # noqa: E731
    return {"moyenne_avant": two, "moyenne_apres": two, "ecart": formats.signed, "p_valeur": formats.pvalue,
            "p_ajustee": formats.pvalue, "taille_effet": lambda v: formats.signed(v, 2),
            "n_paires": lambda v: f"moins de {seuil}" if pd.isna(v) else formats.number(v)}


def self_evaluation_status(autoevaluations: pd.DataFrame | None, *, seuil: int | None = None) -> str:
    """Where phase 4 stands in the data: ``absent`` (no rating), ``avant_seulement`` (no complete
    pair yet), ``sous_seuil`` (pairs, but no competence reaches the threshold) or ``resultats``."""
    if not _has_rows(autoevaluations) or autoevaluations["note"].notna().sum() == 0:
        return "absent"
    pairs = paired_ratings(autoevaluations)
    if pairs.empty:
        return "avant_seulement"
    if pairs.groupby("competence").size().max() < _seuil(seuil):
        return "sous_seuil"
    return "resultats"


def self_evaluation_findings(
    autoevaluations: pd.DataFrame | None,
    *,
    milestone: str,
    table: pd.DataFrame | None = None,
    by_direction: pd.DataFrame | None = None,
    alpha: float = 0.05,
    seuil: int | None = None,
    label: bool = True,
) -> list[str]:
    """Key findings (French sentences, simple HTML) on the managers' self-evaluations.

    Parameters
    ----------
    autoevaluations : DataFrame or None
        Processed ``autoevaluations`` of the milestone.
    milestone : str
        Named in the sentences.
    table, by_direction : DataFrame, optional
        :func:`self_evaluation_table` and :func:`self_evaluation_by_direction` (computed when
        ``table`` is None; ``by_direction`` only adds a sentence).
    alpha : float
        Level applied to the Holm-adjusted p-values.
    label : bool
        Start the first sentence with « Auto-évaluations (phase 4) : » (for the key findings box;
        False inside the section).

    Returns
    -------
    list of str
        One to four sentences: the phase has not happened yet, or the number of managers and
        competences, which rose or fell significantly (adjusted p < ``alpha``) with their means
        and effect, the largest change, and the directions shown.
    """
    seuil = _seuil(seuil)
    status = self_evaluation_status(autoevaluations, seuil=seuil)
    head = _head("Auto-évaluations (phase 4)", label)
    if status == "absent":
        return [f"{head}les mises en situation n'ont pas encore eu lieu au jalon {_esc(milestone)} : aucune "
                "auto-évaluation n'est disponible. Cette partie sera remplie après les mises en situation."]
    if status == "avant_seulement":
        n = autoevaluations.loc[autoevaluations["note"].notna(), "id_cadre"].nunique()
        who = f"{formats.number(n)} encadrants" if n >= seuil else f"moins de {seuil} encadrants"
        return [f"{head}{who} se sont auto-évalués avant les mises en situation, mais aucune auto-évaluation "
                f"« après » n'est encore disponible au jalon {_esc(milestone)} : la comparaison avant/après "
                "viendra au jalon suivant."]
    if status == "sous_seuil":
        return [f"{head}moins de {seuil} encadrants ont une auto-évaluation avant et après pour chaque compétence ; "
                "par confidentialité, aucun résultat n'est publié."]
    table = self_evaluation_table(autoevaluations, seuil=seuil) if table is None else table
    pairs = paired_ratings(autoevaluations)
    tested = table[table["p_ajustee"].notna()]
    n_managers = pairs.loc[pairs["competence"].isin(tested["competence"]), "id_cadre"].nunique()
    up = tested[(tested["p_ajustee"] < alpha) & (tested["taille_effet"] > 0)].sort_values(
        "taille_effet", ascending=False, kind="stable")
    down = tested[(tested["p_ajustee"] < alpha) & (tested["taille_effet"] < 0)].sort_values(
        "taille_effet", kind="stable")
    flat = tested[tested["p_ajustee"] >= alpha]

    def describe(row) -> str:
        return (f"{_esc(row.competence)} ({formats.number(row.moyenne_avant, 2)} → "
                f"{formats.number(row.moyenne_apres, 2)} sur 5, effet {effect_size_words(row.taille_effet)})")

    out = [f"{head}{formats.number(n_managers)} encadrants se sont "
           f"auto-évalués avant et après les mises en situation sur {formats.number(len(tested))} compétence(s)."]
    if len(up):
        out.append(f"Progression nette (p ajustée &lt; {formats.number(alpha, 2)}) pour "
                   f"{formats.number(len(up))} compétence(s) sur {formats.number(len(tested))} : "
                   f"{_list_fr([describe(r) for r in up.itertuples()])}.")
    else:
        out.append("Aucune compétence ne progresse de façon nette (aucune p ajustée inférieure à "
                   f"{formats.number(alpha, 2)}).")
    if len(down):
        out.append(f"<strong>Baisse nette</strong> pour {_list_fr([describe(r) for r in down.itertuples()])}.")
    if len(flat):
        out.append(f"Pas d'évolution nette pour {_list_fr([_esc(c) for c in flat['competence']])}.")
    hidden = table[table["p_ajustee"].isna()]
    if len(hidden):
        out.append(f"Non publié (moins de {seuil} paires complètes) : {_list_fr([_esc(c) for c in hidden['competence']])}.")
    if by_direction is not None:
        if len(by_direction):
            dirs = _sorted_fr(by_direction["direction"].unique())
            out.append(f"Résultats par direction publiés pour {_list_fr([_esc(d) for d in dirs])} (seules "
                       f"directions atteignant {seuil} encadrants par compétence).")
        else:
            out.append(f"Aucune direction n'atteint {seuil} encadrants par compétence : pas de résultat par direction.")
    return out


def alt_dumbbell(table: pd.DataFrame) -> str:
    """Alt text of :func:`ducos_lib.reports.charts.dumbbell_before_after` (what it shows and its reading)."""
    shown = table[table["moyenne_avant"].notna() & table["moyenne_apres"].notna()]
    if shown.empty:
        return "Graphique vide : aucune compétence n'a assez de paires avant/après."
    change = (shown["moyenne_apres"] - shown["moyenne_avant"])
    best = shown.loc[change.idxmax()]
    worst = shown.loc[change.idxmin()]
    n_up = int((change > 0).sum())
    text = (f"Graphique en haltères : note moyenne d'auto-évaluation avant (rond) et après (losange) les mises en "
            f"situation pour {len(shown)} compétences. {n_up} sur {len(shown)} montent. Plus forte hausse : "
            f"{best['competence']} ({formats.number(best['moyenne_avant'], 2)} → "
            f"{formats.number(best['moyenne_apres'], 2)}).")
    if worst["competence"] != best["competence"]:
        text += (f" Plus faible évolution : {worst['competence']} ({formats.signed(change.min())}).")
    return text


def rating_distribution_display(dist: pd.DataFrame) -> pd.DataFrame:
    """:func:`rating_distribution` with a ``groupe`` label per bar (« Écoute · avant »), competences in
    French order, « avant » above « après »: the input of :func:`ducos_lib.reports.charts.rating_distribution`
    (``level="bande"``; masked bands keep ``masque`` = True and a missing ``part``)."""
    temps = {"avant": "avant", "apres": "après"}
    return dist.assign(groupe=dist["competence"].astype(str) + " · " + dist["temps"].map(temps))


def distribution_table(dist: pd.DataFrame, group: str, labels: Mapping[str, str], *,
                       group_header: str, total_header: str) -> pd.DataFrame:
    """Band distributions as a French text table: one row per ``group``, the total, then one column
    per band « 41 % (11) » or « secret » where the band is masked (:func:`mask_bands`).

    Parameters
    ----------
    dist : DataFrame
        :func:`rating_distribution_display` or :func:`seminar_distribution` (``bande, n, n_total,
        part, masque`` and the ``group`` column).
    group : str
        Column naming each distribution (``groupe``, ``libelle``).
    labels : mapping
        Band code → French header (:data:`BAND_LABELS_SELF`, :data:`BAND_LABELS_SEMINAR`).
    group_header, total_header : str
        French headers of the first two columns.
    """
    rows = []
    for name, sub in dist.groupby(group, sort=False):
        cells = {}
        for r in sub.itertuples(index=False):
            cells[labels.get(r.bande, r.bande)] = (SECRET if r.masque else
                                                   f"{formats.percent(r.part, 0)} ({formats.number(r.n)})")
        rows.append({group_header: name, total_header: formats.number(sub["n_total"].iloc[0]), **cells})
    return pd.DataFrame(rows, columns=[group_header, total_header] + [labels.get(b, b) for b in BANDS])


def _secret_note(dist: pd.DataFrame, who: str, seuil: int) -> str:
    n = int(dist["masque"].sum()) if len(dist) else 0
    if n == 0:
        return ""
    return (f" Les tranches portant sur moins de {seuil} {who}, et celles masquées pour qu'on ne puisse pas les "
            "retrouver par différence avec le total, sont regroupées en un segment hachuré « secret » dont la "
            "taille ne dit rien de chaque tranche.")


def alt_rating_distribution(dist: pd.DataFrame, *, seuil: int | None = None) -> str:
    """Alt text of the stacked bars of self-ratings before/after (share of ratings 4–5 where published)."""
    if dist.empty:
        return "Graphique vide : aucune compétence n'a assez de paires avant/après."
    seuil = _seuil(seuil)
    n_comp = dist["competence"].nunique()
    high = dist[dist["bande"] == "4–5"].pivot_table(index="competence", columns="temps", values="part",
                                                    aggfunc="first", dropna=False)
    high = high.reindex(columns=["avant", "apres"]).dropna()
    text = (f"Barres empilées à 100 % : répartition des notes en trois tranches (1–2 faible, 3 moyen, 4–5 élevé) "
            f"avant et après les mises en situation, pour {n_comp} compétences.")
    if len(high):
        text += (f" Sur les {len(high)} compétence(s) où la tranche 4–5 est publiée avant et après, la part des "
                 f"notes 4 ou 5 passe en moyenne de {formats.percent(high['avant'].mean(), 0)} avant à "
                 f"{formats.percent(high['apres'].mean(), 0)} après.")
    return text + _secret_note(dist, "encadrants", seuil)


def seminar_display(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`seminar_summary` as French text columns for the report: item, answers, mean with its
    interval, share satisfied with its interval (method named in the header by the notebook); a
    masked share (band 4–5 masked, see :func:`seminar_summary`) reads « secret »."""
    def interval(low, high, fmt) -> str:
        return "–" if pd.isna(low) or pd.isna(high) else f"{fmt(low)} – {fmt(high)}"

    one = lambda v: formats.number(v, 1)  # noqa: E731
    rows = [(r.libelle, r.n_reponses, formats.number(r.moyenne, 2), interval(r.moyenne_ic_bas, r.moyenne_ic_haut, one),
             SECRET if pd.isna(r.part_satisfaits) else formats.percent(r.part_satisfaits),
             SECRET if pd.isna(r.part_satisfaits) else interval(r.ic_bas, r.ic_haut, formats.percent))
            for r in summary.itertuples(index=False)]
    return pd.DataFrame(rows, columns=["Aspect évalué", "Réponses", "Note moyenne (sur 5)", "IC à 95 % de la moyenne",
                                       "Part de satisfaits (4 ou 5)", "IC à 95 % de la part"])


def comment_themes_display(
    summary: CommentThemeSummary, *, codebook: Any = None, seuil: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seminar's comment themes for the report: counts and quotes with French theme labels.

    Themes cited by no comment are left out; a theme cited by fewer than ``seuil`` comments shows
    « moins de 5 » instead of its count and share (figures on fewer than ``seuil`` agents are not
    published, DESIGN §6). Returns ``(counts, quotes)``: ``Thème, Commentaires, Part des
    commentaires`` (text) and ``Thème, Citation (anonymisée)``.
    """
    seuil = _seuil(seuil)
    labels = _theme_labels(codebook)
    counts = summary.counts[summary.counts["n_commentaires"] > 0]
    rows = []
    for r in counts.itertuples(index=False):
        small = r.n_commentaires < seuil
        rows.append((labels.get(r.theme, r.theme), f"moins de {seuil}" if small else formats.number(r.n_commentaires),
                     "–" if small else formats.percent(r.part)))
    table = pd.DataFrame(rows, columns=["Thème", "Commentaires", "Part des commentaires"])
    quotes = summary.quotes.assign(theme=summary.quotes["theme"].map(lambda t: labels.get(t, t)))
    quotes = quotes.rename(columns={"theme": "Thème", "citation": "Citation (anonymisée)"})
    return table, quotes[["Thème", "Citation (anonymisée)"]].reset_index(drop=True)


def seminar_findings(
    bilan: pd.DataFrame | None,
    *,
    milestone: str,
    summary: pd.DataFrame | None = None,
    themes: CommentThemeSummary | None = None,
    codebook: Any = None,
    seuil: int | None = None,
    label: bool = True,
) -> list[str]:
    """Key findings (French sentences, simple HTML) on the seminar's review.

    Parameters
    ----------
    bilan : DataFrame or None
        Processed ``bilan_seminaire`` of the milestone.
    summary : DataFrame, optional
        :func:`seminar_summary` (computed when None).
    themes : CommentThemeSummary, optional
        :func:`comment_themes` of the comments; adds the most cited theme (when cited by at least
        ``seuil`` comments).
    label : bool
        Start the first sentence with « Séminaire (phase 5) : ».

    Returns
    -------
    list of str
        The seminar has not happened yet; or the number of participants, the share satisfied overall
        with its interval and method, the best and worst rated aspects, and the main comment theme.
    """
    seuil = _seuil(seuil)
    head = _head("Séminaire (phase 5)", label)
    if not _has_rows(bilan):
        return [f"{head}le séminaire des agents n'a pas encore eu lieu au jalon {_esc(milestone)} : son bilan sera "
                "présenté dès que les participants l'auront évalué."]
    summary = seminar_summary(bilan, seuil=seuil) if summary is None else summary
    dates = _list_fr([formats.date(d) for d in sorted(bilan["date"].dropna().unique())]) if "date" in bilan else ""
    if summary.empty:
        return [f"{head}moins de {seuil} participants ont évalué le séminaire ; "
                "par confidentialité, aucun résultat n'est publié."]
    by_item = summary.set_index("item")
    first = by_item.loc["note_globale"] if "note_globale" in by_item.index else by_item.iloc[0]
    lead = (f"{head}{formats.number(len(bilan))} participants ont évalué le "
            f"séminaire{' du ' + dates if dates else ''}. {_esc(first['libelle'])} : ")
    if pd.isna(first["part_satisfaits"]):
        out = [f"{lead}note moyenne {formats.number(first['moyenne'], 1)} sur 5 ; la part de satisfaits n'est pas "
               f"publiée (secret statistique : moins de {seuil} participants d'un côté ou de l'autre)."]
    else:
        out = [f"{lead}<strong>{formats.percent(first['part_satisfaits'], 0)} de satisfaits</strong> (note 4 ou 5 ; "
               f"intervalle de confiance à 95 % de {formats.percent(first['ic_bas'], 0)} à "
               f"{formats.percent(first['ic_haut'], 0)}, méthode de {_esc(first['methode_ic'])}), note moyenne "
               f"{formats.number(first['moyenne'], 1)} sur 5."]
    others = summary[(summary["item"] != "note_globale") & summary["part_satisfaits"].notna()]
    if len(others) >= 2:
        best = others.loc[others["part_satisfaits"].idxmax()]
        worst = others.loc[others["part_satisfaits"].idxmin()]
        if best["item"] != worst["item"]:
            out.append(f"Aspect le mieux noté : {_esc(best['libelle'].lower())} "
                       f"({formats.percent(best['part_satisfaits'], 0)} de satisfaits) ; le moins bien noté : "
                       f"{_esc(worst['libelle'].lower())} ({formats.percent(worst['part_satisfaits'], 0)}).")
    if themes is not None and len(themes.counts) and themes.counts["n_total"].max() > 0:
        top = themes.counts.iloc[0]
        labels = _theme_labels(codebook)
        n_total = int(top["n_total"])
        who = commenters_text(n_total, len(bilan), seuil=seuil)
        if top["n_commentaires"] >= seuil:
            out.append(f"{who} ont laissé un commentaire ; le thème le plus cité "
                       f"est « {_esc(labels.get(top['theme'], top['theme']))} » "
                       f"({formats.number(top['n_commentaires'])} commentaires, "
                       f"{formats.percent(top['part'], 0)}).")
        else:
            out.append(f"{who} ont laissé un commentaire ; aucun thème n'y revient "
                       f"{seuil} fois ou plus.")
    return out


def alt_seminar_distribution(dist: pd.DataFrame, summary: pd.DataFrame, *, seuil: int | None = None) -> str:
    """Alt text of the stacked bars of the seminar's ratings (three bands, masked bands named)."""
    if summary.empty:
        return "Graphique vide : pas assez de réponses au bilan du séminaire."
    seuil = _seuil(seuil)
    text = (f"Barres empilées à 100 % : répartition des notes données au séminaire en trois tranches (1–2 "
            f"insatisfait, 3 moyen, 4–5 satisfait) pour {len(summary)} aspects "
            f"({_list_fr([str(x).lower() for x in summary['libelle']])}).")
    shown = summary[summary["part_satisfaits"].notna()]
    if len(shown):
        best = shown.loc[shown["part_satisfaits"].idxmax()]
        worst = shown.loc[shown["part_satisfaits"].idxmin()]
        text += (f" Part de notes 4 ou 5 la plus élevée : {str(best['libelle']).lower()} "
                 f"({formats.percent(best['part_satisfaits'], 0)}) ; la plus faible : "
                 f"{str(worst['libelle']).lower()} ({formats.percent(worst['part_satisfaits'], 0)}).")
    return text + _secret_note(dist, "participants", seuil)


def commenters_text(n_comments: int, n_participants: int, *, seuil: int | None = None) -> str:
    """« 29 participants sur 60 » without a figure about fewer than ``seuil`` agents (DESIGN §6).

    When 1 to ``seuil − 1`` participants left a comment: « moins de 5 participants sur 60 »; when 1 to
    ``seuil − 1`` did not: « plus de 55 participants sur 60 » (the complement would be a small count).

    Examples
    --------
    >>> commenters_text(3, 60, seuil=5), commenters_text(58, 60, seuil=5), commenters_text(29, 60, seuil=5)
    ('moins de 5 participants sur 60', 'plus de 55 participants sur 60', '29 participants sur 60')
    """
    seuil = _seuil(seuil)
    of = f"participants sur {formats.number(n_participants)}"
    if 0 < n_comments < seuil:
        return f"moins de {seuil} {of}"
    if 0 < n_participants - n_comments < seuil:
        return f"plus de {formats.number(n_participants - seuil)} {of}"
    return f"{formats.number(n_comments)} {of}"


def annex_movements(annex: pd.DataFrame, *, threshold: float = 0.02) -> dict[str, pd.DataFrame]:
    """Themes of the guide's annex that rose, fell, appeared or stayed since the previous milestone.

    Parameters
    ----------
    annex : DataFrame
        :func:`guide_evidence` (or ``RenderedGuide.annex``) computed with a previous milestone.
    threshold : float
        Smallest change of share (proportion points, default 0.02 = 2 points) called a rise or a fall.

    Returns
    -------
    dict
        ``hausse`` (largest rise first), ``baisse`` (largest fall first), ``nouveau`` and ``stable``:
        rows of ``annex``. All empty when there is no previous milestone.
    """
    diff = annex["difference_part"]
    return {
        "hausse": annex[diff >= threshold].sort_values("difference_part", ascending=False, kind="stable"),
        "baisse": annex[diff <= -threshold].sort_values("difference_part", kind="stable"),
        "nouveau": annex[annex["evolution"] == "nouveau"],
        "stable": annex[diff.abs() < threshold],
    }


def guide_findings(
    annex: pd.DataFrame,
    *,
    milestone: str,
    n_forms: int,
    previous_milestone: str | None = None,
    n_previous_forms: int | None = None,
    threshold: float = 0.02,
    min_forms: int = 20,
    link: str | None = "guide_pratiques.html",
    label: bool = True,
) -> list[str]:
    """Sentences on the guide's evidence annex: how many forms, which themes rose or fell.

    Parameters
    ----------
    annex : DataFrame
        ``RenderedGuide.annex``.
    milestone, previous_milestone : str
        The milestone and the one the annex compares with (None at the first milestone).
    n_forms : int
        Immersion forms behind the annex.
    n_previous_forms : int, optional
        Forms at the previous milestone (:func:`count_forms`); with fewer than ``min_forms`` on
        either side, a sentence warns that the shares and their changes are very uncertain.
    threshold : float
        See :func:`annex_movements`.
    min_forms : int
        Fewer forms than this trigger the warning (default 20).
    link : str, optional
        When given, the first sentence links to the rendered guide.
    label : bool
        Start the first sentence with « Guide des pratiques : ».

    Returns
    -------
    list of str
        Simple HTML.
    """
    guide = f'<a href="{_esc(link)}">guide des pratiques managériales</a>' if link else "guide des pratiques managériales"
    lead = f"{_head('Guide des pratiques', True)}le" if label else "Le"
    if n_forms == 0:
        return [f"{lead} {guide} est rendu pour le jalon {_esc(milestone)}, mais aucune fiche d'immersion n'est "
                "encore disponible : son annexe ne contient pas encore d'éléments."]
    out = [f"{lead} {guide} est rendu avec une annexe tirée de {formats.number(n_forms)} fiche(s) d'immersion."]
    first = previous_milestone is None or annex["part_precedente"].isna().all()
    if first:
        top = annex.sort_values(["n_fiches", "theme"], ascending=[False, True], kind="stable").iloc[0]
        out.append(f"Premier jalon de l'annexe : le thème le plus fréquent est « {_esc(top['libelle'])} » "
                   f"({formats.percent(top['part_fiches'], 0)} des fiches) ; les évolutions seront suivies à "
                   "partir du jalon suivant.")
    few = [f"{formats.number(n)} fiche(s) au jalon {_esc(m)}"
           for n, m in ((n_forms, milestone), (None if first else n_previous_forms, previous_milestone))
           if n is not None and n < min_forms]
    caution = (f"Prudence : avec seulement {_list_fr(few)}, ces parts "
               f"{'' if first else 'et leurs évolutions '}sont très incertaines (une fiche pèse beaucoup)."
               if few else None)
    if first:
        return out + ([caution] if caution else [])
    moves = annex_movements(annex, threshold=threshold)

    def item(row) -> str:
        return f"{_esc(row.libelle)} ({row.evolution})"

    pts = formats.number(threshold * 100)
    parts = []
    if len(moves["hausse"]):
        parts.append(f"en hausse : {_list_fr([item(r) for r in moves['hausse'].itertuples()])}")
    if len(moves["baisse"]):
        parts.append(f"en baisse : {_list_fr([item(r) for r in moves['baisse'].itertuples()])}")
    if len(moves["nouveau"]):
        parts.append(f"nouveaux : {_list_fr([_esc(r.libelle) for r in moves['nouveau'].itertuples()])}")
    if parts:
        out.append(f"Depuis {_esc(previous_milestone)}, part des fiches qui évoquent chaque thème — "
                   + " ; ".join(parts) + f". Les autres thèmes varient de moins de {pts} points.")
    else:
        out.append(f"Depuis {_esc(previous_milestone)}, aucun thème ne varie de {pts} points ou plus dans les fiches.")
    return out + ([caution] if caution else [])


def count_forms(fiches: pd.DataFrame | None, *, until: Any = None, date_column: str = "date_immersion") -> int:
    """Number of distinct immersion forms (dated on or before ``until`` when given); 0 for None."""
    if fiches is None or len(fiches) == 0:
        return 0
    if until is not None and date_column in fiches.columns:
        fiches = fiches[fiches[date_column] <= pd.Timestamp(until)]
    return int(fiches["id_fiche"].astype(str).nunique())


def annex_display(annex: pd.DataFrame, *, previous_milestone: str | None = None) -> pd.DataFrame:
    """The annex for the report, largest rise first, with French headers: theme, forms, share and —
    only when there is a previous milestone — its share then and the change."""
    cols = {"libelle": "Thème", "n_fiches": "Fiches qui l'évoquent", "part_fiches": "Part des fiches"}
    if previous_milestone is not None and annex["part_precedente"].notna().any():
        cols.update({"part_precedente": f"Part au jalon {previous_milestone}",
                     "evolution": f"Évolution depuis {previous_milestone}"})
        ordered = annex.sort_values("difference_part", ascending=False, kind="stable", na_position="first")
    else:
        ordered = annex.sort_values(["n_fiches", "libelle"], ascending=[False, True], kind="stable")
    out = ordered[list(cols)].rename(columns=cols).reset_index(drop=True)
    for col in out.columns:
        if col.startswith("Part "):
            out[col] = out[col].map(formats.percent)
    return out
