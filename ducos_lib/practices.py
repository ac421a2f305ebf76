"""Phases 4–5: managers' self-evaluations before/after and the seminar's review (DESIGN §5).

Numbers and frames only; the French words of report 05 are in :mod:`ducos_lib.reports.pratiques`,
the guide of practices in :mod:`ducos_lib.guide` (its rendering in :mod:`ducos_lib.reports.guide`).

* **Self-evaluations** (processed ``autoevaluations``): :func:`paired_ratings` builds the complete
  before/after pairs, :func:`wilcoxon_signed_rank` tests one competence (paired Wilcoxon test with
  the matched-pairs rank-biserial correlation as effect size), :func:`self_evaluation_table` gives
  ``autoevaluations.csv`` (DESIGN §4), :func:`self_evaluation_by_direction` the same per direction
  where groups reach the confidentiality threshold, :func:`rating_distribution` the ratings in three
  bands (1–2, 3, 4–5) with small bands masked (:func:`mask_bands`, DESIGN §6).
* **Seminar review** (processed ``bilan_seminaire``): :func:`seminar_distribution` (bands, masked),
  :func:`seminar_summary` (share satisfied with a Wilson or Clopper–Pearson interval, mean with a
  Student interval, :mod:`ducos_lib.intervals`), :func:`comment_themes` (themes of the comments
  through the text pipeline, redacted quotes).

p-values are adjusted through :func:`ducos_lib.survey.adjust_pvalues` (Holm by default).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from . import survey
from .intervals import mean_ci, proportion_ci

#: Columns of ``tables/autoevaluations.csv`` (DESIGN §4), in order.
AUTOEVALUATION_COLUMNS = ["competence", "n_paires", "moyenne_avant", "moyenne_apres", "statistique",
                          "p_valeur", "p_ajustee", "taille_effet"]
LEVELS = (1.0, 2.0, 3.0, 4.0, 5.0)

ZERO_METHODS = ("wilcox", "pratt", "zsplit")
_P_METHODS = {"auto": "auto", "exact": "exact", "exacte": "exact", "permutation": "permutation",
              "asymptotic": "asymptotic", "normal": "asymptotic", "normale": "asymptotic"}
_DUPLICATES = ("latest", "earliest", "mean")


def _threshold(threshold: int | None) -> int:
    from .privacy import confidentiality_threshold

    return confidentiality_threshold(threshold)


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

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "n_paires": self.n_pairs, "moyenne_avant": self.mean_before, "moyenne_apres": self.mean_after,
            "statistique": self.statistic, "p_valeur": self.pvalue, "taille_effet": self.effect_size,
            "n_differences_nulles": self.n_zeros, "methode": self.method,
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


def _test_pairs(pairs: pd.DataFrame, threshold: int, zero_method: str, method: str, correction: bool) -> dict:
    n = len(pairs)
    row = {"n_paires": n, "moyenne_avant": np.nan, "moyenne_apres": np.nan, "statistique": np.nan,
           "p_valeur": np.nan, "taille_effet": np.nan, "methode": ""}
    if n < threshold:
        if n > 0:  # a count of 1 to threshold − 1 managers is itself a figure about too few agents
            row["n_paires"] = np.nan
        return row
    res = wilcoxon_signed_rank(pairs["avant"], pairs["apres"], zero_method=zero_method, method=method,
                               correction=correction)
    row.update(moyenne_avant=res.mean_before, moyenne_apres=res.mean_after, statistique=res.statistic,
               p_valeur=res.pvalue, taille_effet=res.effect_size, methode=res.method)
    return row


def self_evaluation_table(
    autoevaluations: pd.DataFrame,
    *,
    zero_method: str = "pratt",
    method: str = "auto",
    correction: bool = False,
    adjust: str = "holm",
    duplicates: str = "latest",
    threshold: int | None = None,
    details: bool = False,
) -> pd.DataFrame:
    """``autoevaluations.csv`` (DESIGN §4): one paired Wilcoxon test per competence.

    Parameters
    ----------
    autoevaluations : DataFrame
        Processed ``autoevaluations`` of the milestone.
    zero_method, method, correction
        See :func:`wilcoxon_signed_rank` (defaults: Pratt, ``auto``, no continuity correction).
    adjust : str
        Method of :func:`ducos_lib.survey.adjust_pvalues` across the competences tested (Holm 1979
        by default; ``"bh"`` for Benjamini–Hochberg).
    duplicates : {"latest", "earliest", "mean"}
        Several ratings of one competence by one manager at one time (:func:`paired_ratings`).
    threshold : int, optional
        Confidentiality threshold (``confidentialite.seuil_agents``, default 5): a competence with
        1 to ``threshold − 1`` complete pairs is listed with ``n_paires`` missing (a count of so few
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
    threshold = _threshold(threshold)
    pairs = paired_ratings(autoevaluations, duplicates=duplicates)
    competences = _sorted_fr(autoevaluations.loc[autoevaluations["note"].notna(), "competence"].dropna()
                             .astype(str).unique())
    rows = []
    for competence in competences:
        sub = pairs[pairs["competence"] == competence]
        rows.append({"competence": competence, **_test_pairs(sub, threshold, zero_method, method, correction)})
    cols = AUTOEVALUATION_COLUMNS + (["methode"] if details else [])
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in ("competence", "methode") else float) for c in cols})
    table = pd.DataFrame(rows)
    table["p_ajustee"] = survey.adjust_pvalues(table["p_valeur"].to_numpy(), adjust)
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
    threshold: int | None = None,
) -> pd.DataFrame:
    """Paired tests per direction × competence, shown only where the group reaches the threshold.

    Parameters
    ----------
    autoevaluations : DataFrame
        Processed ``autoevaluations``.
    directions : mapping or Series
        ``id_cadre`` → direction (see :func:`manager_directions`); managers absent from it belong
        to no direction and are never shown on their own.
    threshold : int, optional
        Confidentiality threshold (default ``confidentialite.seuil_agents``, 5).

    Returns
    -------
    DataFrame
        ``direction`` then the columns of :func:`self_evaluation_table`. Only direction ×
        competence groups with at least ``threshold`` complete pairs appear (smaller groups are not
        shown at all). Secondary suppression: when the pairs of a competence left out (small
        directions and managers without direction) number between 1 and ``threshold − 1``, the
        smallest shown directions are left out too until they reach ``threshold``, so a hidden group
        cannot be recovered by subtracting the shown ones from :func:`self_evaluation_table`.
        ``p_ajustee`` adjusts across all the rows shown.
    """
    threshold = _threshold(threshold)
    cols = ["direction"] + AUTOEVALUATION_COLUMNS
    mapping = directions if isinstance(directions, pd.Series) else pd.Series(dict(directions), dtype=object)
    pairs = paired_ratings(autoevaluations, duplicates=duplicates)
    pairs["direction"] = pairs["id_cadre"].map(mapping)
    rows = []
    for competence in _sorted_fr(pairs["competence"].unique()):
        sub = pairs[pairs["competence"] == competence]
        sizes = sub.groupby("direction", dropna=True).size().sort_values(kind="stable")
        hidden = int(sub["direction"].isna().sum()) + int(sizes[sizes < threshold].sum())
        shown = sizes[sizes >= threshold]
        while 0 < hidden < threshold and len(shown):
            hidden += int(shown.iloc[0])
            shown = shown.iloc[1:]
        for direction in _sorted_fr(shown.index):
            group = sub[sub["direction"] == direction]
            rows.append({"direction": direction, "competence": competence,
                         **_test_pairs(group, threshold, zero_method, method, correction)})
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in ("direction", "competence") else float) for c in cols})
    table = pd.DataFrame(rows)
    table["p_ajustee"] = survey.adjust_pvalues(table["p_valeur"].to_numpy(), adjust)
    table["n_paires"] = table["n_paires"].astype("int64")
    return table[cols].reset_index(drop=True)


#: Rating bands published instead of the five levels (DESIGN §6): with a few dozen managers or
#: participants, counts per level 1–5 are often about 1 to 4 people. Code → (lower bound, upper bound):
#: a note belongs to a band when ``lower <= note < upper``.
BANDS = {"1–2": (-math.inf, 3.0), "3": (3.0, 4.0), "4–5": (4.0, math.inf)}


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


def mask_bands(counts: pd.DataFrame, keys: Sequence[str], threshold: int | None = None) -> pd.DataFrame:
    """Primary and secondary masking of band distributions whose totals are published.

    Parameters
    ----------
    counts : DataFrame
        One row per distribution × band: the ``keys`` columns, ``bande``, ``n`` (agents in the
        band) and ``n_total`` (agents of the distribution: the band counts add up to it).
    keys : sequence of str
        Columns identifying one distribution (e.g. ``competence, temps``).
    threshold : int, optional
        Confidentiality threshold (``confidentialite.seuil_agents``, default 5; never below 3).

    Returns
    -------
    DataFrame
        A copy with ``masque`` (True = not published) and ``part = n / n_total``; ``n`` and
        ``part`` are blanked (NaN) on masked rows.

    Notes
    -----
    Per distribution (its total ``n_total`` is published, e.g. as ``n_paires`` or the number of
    answers): (1) a band about 1 to ``threshold − 1`` agents is masked (primary; an empty band
    concerns nobody: it is published and never used as a complementary cell); (2) line rule of :func:`ducos_lib.privacy.mask_long_table`:
    a single masked band would be total minus the others, so the next smallest band is masked
    too; (3) the masked bands together must concern at least ``threshold`` agents (their sum is the
    total minus the published bands: « 2 encadrants se notent 3 ou moins » would be a figure about
    fewer than ``threshold`` agents), otherwise the next smallest band is masked until it is so (or
    every band is). An audit (:func:`ducos_lib.privacy.recoverable_cells`) then checks that no
    masked band can be recomputed exactly from the total and the published bands.
    """
    from .privacy import mask_long_table, recoverable_cells

    threshold = _threshold(threshold)
    keys = list(keys)
    base = counts.reset_index(drop=True)
    totals = base.drop_duplicates(keys)[keys + ["n_total"]].assign(bande="ensemble", _var="ensemble")
    # Empty bands are published and never chosen as complementary cells (masking a 0 next to a
    # single small band would leave « the two masked bands = the small one »).
    nonzero = base["n"].to_numpy(dtype=float) > 0
    long = pd.concat([base[nonzero].assign(_var="bandes"), totals.rename(columns={"n_total": "n"})],
                     ignore_index=True)
    masked = np.zeros(len(base), dtype=bool)
    masked[np.flatnonzero(nonzero)] = mask_long_table(
        long, threshold, keys=keys, variable="_var", group="bande", count="n", total="ensemble",
        masked_columns=())["masque"].to_numpy()[:int(nonzero.sum())]
    n = base["n"].to_numpy(dtype=float)
    for rows in base.groupby(keys, sort=False).indices.values():
        rows = np.asarray(rows)
        while 0 < n[rows][masked[rows]].sum() < threshold:
            free = rows[~masked[rows] & (n[rows] > 0)]
            if free.size == 0:  # pragma: no cover - masked sum = total ≥ threshold
                break
            masked[free[np.argmin(n[free])]] = True
        # audit: the band counts of one distribution minus its published total add up to 0
        constraint = np.ones((1, rows.size + 1))
        constraint[0, -1] = -1
        if recoverable_cells(constraint, np.append(masked[rows], False)).any():  # pragma: no cover
            raise AssertionError("Masquage des répartitions : une bande masquée reste recalculable.")
    out = base.copy()
    out["part"] = out["n"] / out["n_total"]
    out["masque"] = masked
    out["n"] = out["n"].astype("float64")
    out.loc[masked, ["n", "part"]] = np.nan
    return out


def rating_distribution(
    autoevaluations: pd.DataFrame, *, duplicates: str = "latest", threshold: int | None = None
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
        competence with at least ``threshold`` complete pairs (others are not shown), ``n_total`` the
        complete pairs, ``part = n / n_total`` in [0, 1]; ``n`` and ``part`` are NaN where
        ``masque`` is True (band about fewer than ``threshold`` managers, or masked so that it cannot
        be recomputed from the total).
    """
    threshold = _threshold(threshold)
    cols = ["competence", "temps", "bande", "n", "n_total", "part", "masque"]
    pairs = paired_ratings(autoevaluations, duplicates=duplicates)
    rows = []
    for competence in _sorted_fr(pairs["competence"].unique()):
        sub = pairs[pairs["competence"] == competence]
        if len(sub) < threshold:
            continue
        for temps in ("avant", "apres"):
            for band, n in _band_counts(sub[temps]).items():
                rows.append((competence, temps, band, int(n), len(sub)))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in cols[:3] else ("bool" if c == "masque" else float))
                             for c in cols})
    counts = pd.DataFrame(rows, columns=["competence", "temps", "bande", "n", "n_total"])
    return mask_bands(counts, ["competence", "temps"], threshold)[cols]


#: Where phase 4 stands in the data (:func:`self_evaluation_status`).
SELF_EVALUATION_STATUSES = ("absent", "before_only", "below_threshold", "results")


def self_evaluation_status(autoevaluations: pd.DataFrame | None, *, threshold: int | None = None) -> str:
    """Where phase 4 stands in the data: ``absent`` (no rating), ``before_only`` (no complete pair
    yet), ``below_threshold`` (pairs, but no competence reaches the threshold) or ``results``."""
    if autoevaluations is None or len(autoevaluations) == 0 or autoevaluations["note"].notna().sum() == 0:
        return "absent"
    pairs = paired_ratings(autoevaluations)
    if pairs.empty:
        return "before_only"
    if pairs.groupby("competence").size().max() < _threshold(threshold):
        return "below_threshold"
    return "results"


# ================================================================================================
# Seminar review
# ================================================================================================


def seminar_items() -> list[str]:
    """The seminar's rating items: the 1–5 ratings (unit ``note5``) of the registry's ``seminaire``
    group, in its order (derived figures of that group, such as the share satisfied, are not items)."""
    from .registry import load_registry

    return [m.name for m in load_registry().group("seminaire") if m.unit == "note5"]


def _item_label(item: str) -> str:
    from .registry import load_registry

    reg = load_registry()
    return reg[item].label if item in reg else item


def _seminar_items(bilan: pd.DataFrame, items: Iterable[str] | None) -> list[str]:
    return [c for c in (items or seminar_items()) if c in bilan.columns]


def seminar_distribution(
    bilan: pd.DataFrame, *, items: Iterable[str] | None = None, threshold: int | None = None
) -> pd.DataFrame:
    """Distribution of each seminar rating item in three bands, masked (DESIGN §6).

    Levels are grouped into :data:`BANDS` (1–2 « insatisfait », 3 « moyen », 4–5 « satisfait ») and
    masked as in :func:`mask_bands` (total: the item's answers, published by :func:`seminar_summary`).

    Returns
    -------
    DataFrame
        ``item, libelle, bande, n, n_total, part, masque`` (``part`` of the item's answers, blanks
        excluded; NaN with ``n`` where ``masque``). Items answered by fewer than ``threshold``
        participants are not shown.
    """
    threshold = _threshold(threshold)
    cols = ["item", "libelle", "bande", "n", "n_total", "part", "masque"]
    rows = []
    for item in _seminar_items(bilan, items):
        values = bilan[item].astype(float).dropna()
        if len(values) < threshold:
            continue
        for band, n in _band_counts(values).items():
            rows.append((item, _item_label(item), band, int(n), len(values)))
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in cols[:3] else ("bool" if c == "masque" else float))
                             for c in cols})
    counts = pd.DataFrame(rows, columns=["item", "libelle", "bande", "n", "n_total"])
    return mask_bands(counts, ["item"], threshold)[cols]


def seminar_summary(
    bilan: pd.DataFrame,
    *,
    items: Iterable[str] | None = None,
    alpha: float = 0.05,
    ci_method: str = "wilson",
    threshold: int | None = None,
) -> pd.DataFrame:
    """Share satisfied (4–5) with its interval and mean with its interval, per seminar item.

    Parameters
    ----------
    bilan : DataFrame
        Processed ``bilan_seminaire``.
    items : iterable of str, optional
        Rating columns; default those of :func:`seminar_items` present.
    ci_method : {"wilson", "clopper-pearson"}
        Interval of the share satisfied (:func:`ducos_lib.intervals.proportion_ci`).
    threshold : int, optional
        Items answered by fewer participants are not shown.

    Returns
    -------
    DataFrame
        ``item, libelle, n_reponses, moyenne, moyenne_ic_bas, moyenne_ic_haut, n_satisfaits,
        part_satisfaits, ic_bas, ic_haut, methode_ic`` (shares in [0, 1]; the mean interval is
        Student's *t*). ``n_satisfaits`` is the band 4–5 of :func:`seminar_distribution`: where
        that band is masked (DESIGN §6: fewer than ``threshold`` satisfied, or secondary masking),
        ``n_satisfaits``, ``part_satisfaits`` and its interval are NaN too, so the table cannot
        undo the distribution's masking.

    References
    ----------
    Wilson (1927); Clopper & Pearson (1934) — see :func:`ducos_lib.intervals.proportion_ci`.
    """
    threshold = _threshold(threshold)
    dist = seminar_distribution(bilan, items=items, threshold=threshold)
    secret = set(dist.loc[(dist["bande"] == "4–5") & dist["masque"], "item"])
    nan = float("nan")
    rows = []
    for item in _seminar_items(bilan, items):
        values = bilan[item].astype(float).dropna().to_numpy()
        if values.size < threshold:
            continue
        satisfied = int((values >= 4).sum())
        share = proportion_ci(satisfied, values.size, alpha=alpha, method=ci_method)
        mean = mean_ci(values, alpha=alpha)
        if item in secret:  # same figure as the masked band 4–5 of seminar_distribution
            rows.append((item, _item_label(item), int(values.size), mean.estimate, mean.ci_low,
                         mean.ci_high, nan, nan, nan, nan, share.method))
            continue
        rows.append((item, _item_label(item), int(values.size), mean.estimate, mean.ci_low,
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


def redactor(roster: Any = None, texts: pd.Series | None = None) -> Callable[[str], str]:
    """:func:`ducos_lib.redaction.redact` with the HR roster's names (a ``Roster`` or names), as a
    text → text function (for the seminar's comments and the guide's proposals).

    ``texts``, the texts about to be redacted, are redacted at once beforehand (each distinct text
    once, the NER model in batches: :func:`ducos_lib.redaction.redact_series`); any other text is
    redacted when asked. Same result, much faster on thousands of forms.
    """
    from .redaction import as_roster, redact, redact_series

    built = as_roster(roster)
    done: dict[str, str] = {}
    if texts is not None:
        distinct = texts.dropna().astype(str).drop_duplicates()
        done = dict(zip(distinct, redact_series(distinct, built)))
    return lambda text: done[text] if text in done else redact(text, built)


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
    redact = redact or redactor(roster)
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

