"""Design-based survey estimation, in the spirit of R's ``survey`` package.

The module has three layers:

1. **Engine.** An immutable :class:`SurveyDesign` built once by :func:`design` (weights, optional
   strata, single-stage clusters, finite population correction), calibrated by :func:`rake`
   (iterative proportional fitting), and estimator verbs taking ``(design, variable)``:
   :func:`mean`, :func:`total`, :func:`proportion`, :func:`ratio`, plus :func:`by` which turns any
   of them into domain estimates. Variances are Taylor-linearised (Lumley 2004); after raking they are
   computed on the calibration residuals (Deville & Särndal 1992), as R's ``calibrate()`` then
   ``svymean()`` do.
2. **Tests between independent samples.** :func:`compare` (difference of two estimates),
   :func:`adjust_pvalues` (Holm, Benjamini–Hochberg), :func:`stack` (independent designs as strata of
   one design) and :func:`rao_scott` (design-based test of a two-way table, Rao & Scott 1984).
3. **The usagers survey tables** of DESIGN.md §4: :func:`wave_designs`, :func:`estimations_enquete`,
   :func:`comparaisons_enquete`, :func:`signaler_effectifs`, :func:`diagnostics_ponderation` and
   :func:`marges_ponderation`.

Everything is vectorised (NumPy ``bincount`` and SciPy sparse products, no Python loop over rows): a
million answers are raked and estimated in a few seconds (``bench/bench_survey.py``).

Conventions (the same as R's ``survey`` unless said otherwise)
---------------------------------------------------------------
* ``fpc`` is the population size of each stratum (in PSUs), or a sampling fraction when every value
  is <= 1. Without ``fpc`` the PSUs are taken as sampled with replacement.
* Clusters are single-stage and are identified within their stratum (R's ``nest=TRUE``).
* A missing value of the analysed variable removes the row from *that estimate's domain*, never from
  the design (R's ``na.rm=TRUE``): the PSU and stratum counts of the variance stay those of the full
  design.
* Domains (``by``, ``domain=``) keep the full design: the linearised variable is multiplied by the
  domain indicator, never computed on a filtered subset.
* Confidence intervals use the normal quantile by default (as ``confint(svymean(...))``); pass
  ``df="design"`` to use Student's t with the design degrees of freedom (#PSU - #strata), as
  ``svyciprop`` does by default.

References
----------
Lumley, T. (2004). Analysis of complex survey samples. *Journal of Statistical Software* 9(1), 1-19.
Lumley, T. (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley.
Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey sampling. *JASA* 87, 376-382.
Rao, J. N. K. & Scott, A. J. (1984). On chi-squared tests for multiway contingency tables with cell
proportions estimated from survey data. *Annals of Statistics* 12(1), 46-60.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scand. J. Statist.* 6, 65-70.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57(1), 289-300.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

__all__ = [
    "SurveyError",
    "RakingError",
    "Calibration",
    "SurveyDesign",
    "Estimate",
    "Comparison",
    "TestResult",
    "WeightingSummary",
    "design",
    "rake",
    "mean",
    "total",
    "proportion",
    "ratio",
    "by",
    "vcov",
    "weighting_summary",
    "compare",
    "adjust_pvalues",
    "stack",
    "rao_scott",
    "margins_from_frame",
    "LIKERT_ITEMS",
    "GROUP_VARIABLES",
    "ESTIMATION_COLUMNS",
    "COMPARISON_COLUMNS",
    "indicator_names",
    "wave_designs",
    "estimations_enquete",
    "comparaisons_enquete",
    "signaler_effectifs",
    "diagnostics_ponderation",
    "marges_ponderation",
    "repartitions_likert",
    "LIBELLES_ITEMS",
    "LIBELLES_GROUPES",
    "LIBELLES_NIVEAUX",
    "libelle_indicateur",
    "libelle_groupe",
    "format_valeur",
    "format_ecart",
    "format_intervalle",
    "lecture_evolution",
    "lecture_distribution",
    "tableau_ensemble",
    "tableau_groupes",
    "tableau_items",
    "tableau_evolutions",
    "tableau_distributions",
    "repartition_recommandation",
    "ecarts_groupes",
    "constats_enquete",
    "pistes_enquete",
    "commentaires_par_vague",
    "themes_commentaires_enquete",
    "tableau_themes",
]

LONELY_PSU = ("fail", "remove", "adjust", "average")
"""Allowed ``lonely_psu`` values (R's ``options(survey.lonely.psu=)``)."""


class SurveyError(ValueError):
    """An invalid design or estimation request (message in French)."""


class RakingError(SurveyError):
    """Raking impossible: empty margin cell, unknown category, or no convergence.

    Attributes
    ----------
    variable, modalite : str or None
        The margin cell at fault (None when the problem is not about one cell).
    """

    def __init__(self, message: str, variable: str | None = None, modalite: str | None = None):
        super().__init__(message)
        self.variable = variable
        self.modalite = modalite


# --------------------------------------------------------------------------------------------------
# Design objects
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Calibration:
    """What raking leaves on a design so that variances use the calibration residuals.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``n x L`` indicator matrix of the margin cells (one column per variable x modalité).
    base_weights : ndarray
        Weights before raking (``d``); the residual regression is weighted by them.
    cells : tuple of (str, str)
        ``(variable, modalite)`` of each column of ``matrix``.
    targets : ndarray
        Population total of each cell.
    iterations : int
        Number of full IPF sweeps performed.
    max_deviation : float
        Largest relative gap between weighted and population totals at the end.
    gram : ndarray
        ``X' D X`` (``L x L``), cached for the variance.
    """

    matrix: Any = field(repr=False)
    base_weights: np.ndarray = field(repr=False)
    cells: tuple = field(repr=False)
    targets: np.ndarray = field(repr=False)
    iterations: int = 0
    max_deviation: float = 0.0
    gram: np.ndarray = field(default=None, repr=False)


@dataclass(frozen=True, eq=False)
class SurveyDesign:
    """An immutable survey design: data, weights, strata, single-stage clusters and fpc.

    Build it with :func:`design`; :func:`rake` and :func:`stack` return new designs. Arrays are
    read-only. Users should not construct this class directly.

    Attributes
    ----------
    data : DataFrame
        The survey variables (index reset to ``0..n-1``; arrays passed to verbs are positional).
    weights : ndarray
        Final sampling (or calibrated) weights.
    strata : ndarray of int
        Stratum code of each row (0 when unstratified).
    psu : ndarray of int or None
        PSU code of each row (None: each row is its own PSU).
    psu_stratum : ndarray of int
        Stratum code of each PSU.
    n_psu : ndarray of int
        Number of PSUs sampled in each stratum.
    sampling_fraction : ndarray of float
        ``n_h / N_h`` per stratum (0 when sampled with replacement).
    strata_labels : tuple
        Label of each stratum code.
    lonely_psu : str
        One of ``fail``, ``remove``, ``adjust``, ``average`` (see :func:`design`).
    calibration : Calibration or None
        Set by :func:`rake`.
    """

    data: pd.DataFrame = field(repr=False)
    weights: np.ndarray = field(repr=False)
    strata: np.ndarray = field(repr=False)
    psu: np.ndarray | None = field(repr=False)
    psu_stratum: np.ndarray = field(repr=False)
    n_psu: np.ndarray = field(repr=False)
    sampling_fraction: np.ndarray = field(repr=False)
    strata_labels: tuple = field(repr=False)
    lonely_psu: str = "fail"
    calibration: Calibration | None = field(default=None, repr=False)
    has_strata: bool = False
    has_clusters: bool = False
    has_fpc: bool = False

    @property
    def n(self) -> int:
        """Number of rows (answers)."""
        return int(self.weights.shape[0])

    @property
    def n_strata(self) -> int:
        return int(self.n_psu.shape[0])

    @property
    def degrees_of_freedom(self) -> int:
        """Design degrees of freedom: number of PSUs minus number of strata (R's ``degf``)."""
        return int(self.n_psu.sum() - self.n_strata)

    def __repr__(self) -> str:
        kind = "stratifié, " if self.has_strata else ""
        kind += "en grappes" if self.has_clusters else "tirage indépendant"
        kind += ", avec fpc" if self.has_fpc else ", avec remise"
        cal = ", calé (ratissage)" if self.calibration is not None else ""
        return (
            f"SurveyDesign({kind}{cal}; n={self.n}, strates={self.n_strata}, "
            f"UPE={int(self.n_psu.sum())}, somme des poids={self.weights.sum():.6g})"
        )

    # Sparse helpers ------------------------------------------------------------------------------
    def _psu_matrix(self):
        """``n x C`` PSU incidence matrix, or None when each row is its own PSU."""
        if self.psu is None:
            return None
        n = self.n
        return sparse.csr_matrix(
            (np.ones(n), (np.arange(n), self.psu)), shape=(n, self.psu_stratum.shape[0])
        )


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _resolve(data: pd.DataFrame, spec: Any, what: str) -> pd.Series | None:
    """Column name, array-like or None -> Series aligned by position."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec not in data.columns:
            raise SurveyError(f"La colonne « {spec} » ({what}) est absente des données.")
        return data[spec].reset_index(drop=True)
    if np.isscalar(spec):
        return pd.Series(np.full(len(data), spec))
    values = spec.to_numpy() if isinstance(spec, (pd.Series, pd.Index)) else np.asarray(spec)
    if values.shape[0] != len(data):
        raise SurveyError(
            f"{what} : {values.shape[0]} valeurs fournies pour {len(data)} lignes de données."
        )
    return pd.Series(values)


def _to_float(values: Any, what: str) -> np.ndarray:
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values))
    try:
        return s.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise SurveyError(f"La variable « {what} » n'est pas numérique ({exc}).") from None


def design(
    data: pd.DataFrame,
    weights: Any = None,
    *,
    strata: Any = None,
    cluster: Any = None,
    fpc: Any = None,
    lonely_psu: str = "fail",
) -> SurveyDesign:
    """Build a survey design (R: ``svydesign``).

    Parameters
    ----------
    data : DataFrame
        One row per respondent (index is ignored; positions are used).
    weights : str, array-like or None
        Sampling weights (column name or values). If None: ``N_h / n_h`` when ``fpc`` gives
        population sizes, else 1.
    strata : str, array-like or None
        Stratum of each row.
    cluster : str, array-like or None
        Primary sampling unit (single stage). Ids are nested within strata. None: each row is a PSU.
    fpc : str, array-like, float or None
        Finite population correction as in R: the population size ``N_h`` (number of PSUs in the
        stratum), or the sampling fraction ``n_h / N_h`` when all values are <= 1. Must be constant
        within a stratum. None: sampling with replacement (no correction).
    lonely_psu : {"fail", "remove", "adjust", "average"}
        Handling of a stratum with a single PSU (R's ``survey.lonely.psu``): ``fail`` raises an error;
        ``remove`` lets the stratum contribute nothing to the variance; ``adjust`` centres its PSU
        total at zero (the population mean of the linearised variable) instead of the stratum mean;
        ``average`` replaces its contribution by the average of the other strata. A stratum whose
        PSUs were all sampled (fpc) contributes zero and is never "lonely".

    Returns
    -------
    SurveyDesign

    References
    ----------
    Lumley, T. (2004). Analysis of complex survey samples. J. Stat. Softw. 9(1).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]})
    >>> round(mean(design(df, weights="w"), "y").estimate, 4)
    2.8333
    """
    if not isinstance(data, pd.DataFrame):
        raise SurveyError("Les données du plan de sondage doivent être un DataFrame.")
    if lonely_psu not in LONELY_PSU:
        raise SurveyError(
            f"lonely_psu « {lonely_psu} » inconnu ; valeurs possibles : {', '.join(LONELY_PSU)}."
        )
    data = data.reset_index(drop=True)
    n = len(data)
    if n == 0:
        raise SurveyError("Le plan de sondage ne contient aucune ligne.")

    # Strata -----------------------------------------------------------------------------------
    s = _resolve(data, strata, "strates")
    if s is None:
        strata_codes = np.zeros(n, dtype=np.int64)
        strata_labels: tuple = ("ensemble",)
    else:
        if s.isna().any():
            raise SurveyError(f"{int(s.isna().sum())} valeur(s) manquante(s) dans les strates.")
        strata_codes, uniques = pd.factorize(s, sort=True)
        strata_codes = strata_codes.astype(np.int64)
        strata_labels = tuple(uniques.tolist())
    n_strata = len(strata_labels)

    # PSUs -------------------------------------------------------------------------------------
    c = _resolve(data, cluster, "grappes")
    if c is None:
        psu = None
        psu_stratum = strata_codes
        n_psu = np.bincount(strata_codes, minlength=n_strata)
    else:
        if c.isna().any():
            raise SurveyError(f"{int(c.isna().sum())} valeur(s) manquante(s) dans les grappes.")
        ccodes, _ = pd.factorize(c, sort=True)
        combined = strata_codes * (int(ccodes.max()) + 1) + ccodes
        psu, uniq = pd.factorize(combined, sort=True)
        psu = psu.astype(np.int64)
        psu_stratum = (uniq // (int(ccodes.max()) + 1)).astype(np.int64)
        n_psu = np.bincount(psu_stratum, minlength=n_strata)

    # fpc ----------------------------------------------------------------------------------------
    f = _resolve(data, fpc, "fpc")
    if f is None:
        fraction = np.zeros(n_strata)
        popsize = None
    else:
        fv = _to_float(f, "fpc")
        if np.isnan(fv).any():
            raise SurveyError("Valeurs manquantes dans la correction de population finie (fpc).")
        fmin = np.full(n_strata, np.inf)
        fmax = np.full(n_strata, -np.inf)
        np.minimum.at(fmin, strata_codes, fv)
        np.maximum.at(fmax, strata_codes, fv)
        if np.any(fmax - fmin > 1e-9 * np.maximum(1.0, np.abs(fmax))):
            raise SurveyError("La fpc doit être constante à l'intérieur de chaque strate.")
        if np.all(fv > 1):
            popsize = fmin
            fraction = n_psu / popsize
        elif np.all(fv <= 1) and np.all(fv > 0):
            fraction = fmin
            popsize = n_psu / fraction
        else:
            raise SurveyError(
                "La fpc doit être soit une taille de population (toutes les valeurs > 1), "
                "soit un taux de sondage (toutes les valeurs dans ]0, 1])."
            )
        if np.any(fraction > 1 + 1e-12):
            bad = strata_labels[int(np.argmax(fraction))]
            raise SurveyError(f"La fpc implique un taux de sondage supérieur à 100 % (strate {bad}).")
        fraction = np.minimum(fraction, 1.0)

    # Weights ----------------------------------------------------------------------------------
    wv = _resolve(data, weights, "poids")
    if wv is None:
        if popsize is not None:
            w = (popsize / n_psu)[strata_codes]
        else:
            w = np.ones(n)
    else:
        w = _to_float(wv, "poids")
    if not np.all(np.isfinite(w)):
        raise SurveyError("Les poids contiennent des valeurs manquantes ou infinies.")
    if np.any(w < 0):
        raise SurveyError("Les poids doivent être positifs ou nuls.")

    if lonely_psu == "fail":
        lonely = (n_psu == 1) & (fraction < 1)
        if lonely.any():
            bad = strata_labels[int(np.flatnonzero(lonely)[0])]
            raise SurveyError(
                f"La strate « {bad} » ne contient qu'une seule unité primaire : variance impossible. "
                "Choisir lonely_psu parmi remove, adjust, average."
            )

    return SurveyDesign(
        data=data,
        weights=_readonly(w.astype(np.float64)),
        strata=_readonly(strata_codes),
        psu=None if psu is None else _readonly(psu),
        psu_stratum=_readonly(np.asarray(psu_stratum, dtype=np.int64)),
        n_psu=_readonly(n_psu.astype(np.int64)),
        sampling_fraction=_readonly(np.asarray(fraction, dtype=np.float64)),
        strata_labels=strata_labels,
        lonely_psu=lonely_psu,
        calibration=None,
        has_strata=s is not None,
        has_clusters=c is not None,
        has_fpc=f is not None,
    )


# --------------------------------------------------------------------------------------------------
# Variance engine
# --------------------------------------------------------------------------------------------------


def vcov(des: SurveyDesign, influence: Any) -> np.ndarray:
    """Covariance matrix of the totals of weighted influence values (R: ``svyrecvar``).

    Parameters
    ----------
    des : SurveyDesign
    influence : array-like or sparse matrix, shape (n,) or (n, k)
        Weighted linearised values ``z_i = w_i u_i`` whose population total is the estimator's
        first-order expansion (e.g. ``w_i (y_i - ybar) / sum(w)`` for a mean).

    Returns
    -------
    ndarray, shape (k, k)

    Notes
    -----
    With strata ``h`` and PSU totals ``t_hc``::

        V = sum_h (1 - f_h) n_h / (n_h - 1) sum_c (t_hc - tbar_h)(t_hc - tbar_h)'

    After :func:`rake`, ``u`` is first replaced by its residual from the regression on the margin
    indicators weighted by the pre-raking weights ``d`` (then multiplied back by the final weights),
    exactly as R's ``calibrate()`` stores it and ``svyrecvar`` applies it (Deville & Särndal 1992;
    Lumley 2010, ch. 7). Everything is computed with sparse products, so the ``n x k`` residual
    matrix is never formed.
    """
    Z = influence
    if not sparse.issparse(Z):
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim == 1:
            Z = Z[:, None]
    Z = sparse.csr_matrix(Z)
    n, k = Z.shape
    if n != des.n:
        raise SurveyError("Longueur des valeurs d'influence différente de la taille du plan.")

    P = des._psu_matrix()
    A = Z if P is None else (P.T @ Z).tocsr()  # C x k PSU totals (before calibration)
    C = des.psu_stratum.shape[0]

    B = None
    Wc = None
    cal = des.calibration
    if cal is not None and cal.matrix.shape[1] > 0:
        M = cal.matrix
        w = des.weights
        ratio = np.divide(cal.base_weights, w, out=np.zeros_like(w), where=w > 0)
        rhs = (M.T @ (sparse.diags(ratio) @ Z)).toarray()  # X' D u
        B = np.linalg.lstsq(cal.gram, rhs, rcond=None)[0]  # L x k
        Wc = sparse.diags(w) @ M
        if P is not None:
            Wc = (P.T @ Wc).tocsr()

    # Per-stratum scale and centring
    nh = des.n_psu.astype(np.float64)
    fh = des.sampling_fraction
    lonely = nh == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(lonely, 1.0 - fh, (1.0 - fh) * nh / (nh - 1.0))
    scale = np.where(fh >= 1.0 - 1e-12, 0.0, scale)
    centred = np.ones_like(nh, dtype=bool)
    n_bad = 0
    if lonely.any():
        real_lonely = lonely & (fh < 1.0 - 1e-12)
        mode = des.lonely_psu
        if mode == "fail" and real_lonely.any():
            bad = des.strata_labels[int(np.flatnonzero(real_lonely)[0])]
            raise SurveyError(f"La strate « {bad} » ne contient qu'une seule unité primaire.")
        if mode in ("remove", "average"):
            scale = np.where(real_lonely, 0.0, scale)
            n_bad = int(real_lonely.sum()) if mode == "average" else 0
        elif mode == "adjust":
            centred = ~real_lonely
    s_psu = scale[des.psu_stratum]
    S = sparse.diags(s_psu)

    Q = (A.T @ (S @ A)).toarray()
    if B is not None:
        ASW = (A.T @ (S @ Wc)).toarray() @ B
        WSW = (Wc.T @ (S @ Wc)).toarray()
        Q = Q - ASW - ASW.T + B.T @ WSW @ B

    # Subtract the stratum means: sum_h s_h / n_h * T_h T_h'
    H = sparse.csr_matrix(
        (np.ones(C), (np.arange(C), des.psu_stratum)), shape=(C, des.n_strata)
    )
    Th = (H.T @ A).toarray()
    if B is not None:
        Th = Th - (H.T @ Wc).toarray() @ B
    coef = np.where(centred, scale / nh, 0.0)
    Q = Q - Th.T @ (coef[:, None] * Th)
    if n_bad:
        Q = Q * des.n_strata / (des.n_strata - n_bad)
    Q = (Q + Q.T) / 2.0
    return Q


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its linearised standard error and confidence interval.

    Attributes
    ----------
    estimate, se, ci_low, ci_high : float
    n : int
        Number of rows in the estimate's domain with a non-missing value (unweighted).
    statistic : str
        ``mean``, ``total``, ``proportion`` or ``ratio``.
    method : str
        How the interval was built: ``normal``, ``t``, ``logit`` (or ``clopper_pearson_neff`` for a
        proportion equal to 0 or 1).
    variable : str
    alpha : float
    deff : float
        Design effect: variance over the variance of a simple random sample of the same size
        (R's ``deff=TRUE``, without replacement when the weights sum to more than ``n``). NaN for a
        ratio.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    statistic: str
    method: str
    variable: str = ""
    alpha: float = 0.05
    deff: float = float("nan")

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame with the result's fields."""
        return pd.DataFrame([dataclasses.asdict(self)])


@dataclass(frozen=True)
class Comparison:
    """Difference ``estimate_b - estimate_a`` between two independent samples."""

    estimate_a: float
    estimate_b: float
    difference: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    method: str = "difference_z"
    alpha: float = 0.05

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([dataclasses.asdict(self)])


@dataclass(frozen=True)
class TestResult:
    """Result of a design-based test (:func:`rao_scott`).

    Attributes
    ----------
    statistic : float
        F statistic (second order) or the Pearson X² (first order, whose p-value uses X²/mean(δ)).
    df_num, df_den : float
        Degrees of freedom of the reference distribution (``df_den`` is inf for χ²).
    p_value : float
    method : str
        ``rao_scott_f`` or ``rao_scott_chi2``.
    pearson : float
        Pearson X² on the weighted table rescaled to the sample size.
    mean_deff : float
        Mean generalised design effect (mean eigenvalue of Δ).
    """

    __test__ = False  # not a pytest test class

    statistic: float
    df_num: float
    df_den: float
    p_value: float
    method: str
    pearson: float = float("nan")
    mean_deff: float = float("nan")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([dataclasses.asdict(self)])


def _quantile(alpha: float, df: Any, des: SurveyDesign | None) -> tuple[float, str]:
    if df is None or (isinstance(df, float) and np.isinf(df)):
        return float(stats.norm.ppf(1 - alpha / 2)), "normal"
    if df == "design":
        if des is None:
            raise SurveyError("df='design' demande un plan de sondage.")
        df = des.degrees_of_freedom
    return float(stats.t.ppf(1 - alpha / 2, df)), "t"


# --------------------------------------------------------------------------------------------------
# Linearised estimators (vectorised over domains)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lin:
    estimate: np.ndarray
    influence: Any  # sparse n x G
    n: np.ndarray
    wsum: np.ndarray
    neff: np.ndarray
    var_srs_unit: np.ndarray  # weighted variance of the variable in the domain (svyvar)


def _linearise(
    des: SurveyDesign,
    kind: str,
    y: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    x: np.ndarray | None = None,
) -> _Lin:
    """Estimates and weighted influence values of ``kind`` for every domain at once."""
    w = des.weights
    valid = ~np.isnan(y) & (groups >= 0)
    if x is not None:
        valid &= ~np.isnan(x)
    rows = np.flatnonzero(valid)
    g = groups[rows]
    wr = w[rows]
    yr = y[rows]
    G = n_groups
    n = np.bincount(g, minlength=G)
    wsum = np.bincount(g, weights=wr, minlength=G)
    w2 = np.bincount(g, weights=wr * wr, minlength=G)
    with np.errstate(divide="ignore", invalid="ignore"):
        neff = wsum**2 / w2
    wy = np.bincount(g, weights=wr * yr, minlength=G)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "mean":
            est = wy / wsum
            vals = wr * (yr - est[g]) / wsum[g]
        elif kind == "total":
            est = np.where(n > 0, wy, np.nan)
            vals = wr * yr
        elif kind == "ratio":
            xr = x[rows]
            wx = np.bincount(g, weights=wr * xr, minlength=G)
            est = wy / wx
            vals = wr * (yr - est[g] * xr) / wx[g]
        else:  # pragma: no cover - internal
            raise ValueError(kind)
        # weighted variance of y in the domain, with R's n/(n-1) (svyvar)
        mu = wy / wsum
        ss = np.bincount(g, weights=wr * (yr - mu[g]) ** 2, minlength=G)
        var_unit = ss / wsum * n / (n - 1)
    vals = np.where(np.isfinite(vals), vals, 0.0)
    Z = sparse.csr_matrix((vals, (rows, g)), shape=(des.n, G))
    return _Lin(est, Z, n, wsum, neff, var_unit)


def _finish(
    des: SurveyDesign,
    lin: _Lin,
    kind: str,
    alpha: float,
    ci: str,
    df: Any,
) -> dict[str, np.ndarray]:
    """Standard errors, design effects and confidence intervals from a :class:`_Lin`."""
    V = vcov(des, lin.influence)
    var = np.clip(np.diag(V), 0.0, None)
    se = np.sqrt(var)
    est = lin.estimate
    q, qname = _quantile(alpha, df, des)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind in ("mean", "proportion"):
            vsrs = lin.var_srs_unit * (lin.wsum - lin.n) / (lin.wsum * lin.n)
        elif kind == "total":
            vsrs = lin.var_srs_unit * lin.wsum**2 * (lin.wsum - lin.n) / (lin.wsum * lin.n)
        else:
            vsrs = np.full_like(est, np.nan)
        vsrs = np.where(lin.wsum > lin.n, vsrs, np.nan)
        deff = var / vsrs
    method = np.full(est.shape, qname, dtype=object)
    if ci == "logit":
        lo = np.full_like(est, np.nan)
        hi = np.full_like(est, np.nan)
        inner = (est > 0) & (est < 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            logit = np.log(est / (1 - est))
            se_logit = se / (est * (1 - est))
            lo[inner] = _expit(logit[inner] - q * se_logit[inner])
            hi[inner] = _expit(logit[inner] + q * se_logit[inner])
        method[:] = "logit"
        edge = ((est == 0) | (est == 1)) & (lin.n > 0)
        if edge.any():
            # Degenerate logit interval: Clopper-Pearson on the Kish effective sample size
            # (Korn & Graubard 1998 use the actual size when the variance estimate is zero).
            ne = lin.neff[edge]
            xs = est[edge] * ne
            lo[edge] = np.where(xs > 0, stats.beta.ppf(alpha / 2, xs, ne - xs + 1), 0.0)
            hi[edge] = np.where(xs < ne, stats.beta.ppf(1 - alpha / 2, xs + 1, ne - xs), 1.0)
            method[edge] = "clopper_pearson_neff"
    else:
        lo = est - q * se
        hi = est + q * se
    nan = ~np.isfinite(est)
    se = np.where(nan, np.nan, se)
    return {
        "estimate": est,
        "se": se,
        "ci_low": np.where(nan, np.nan, lo),
        "ci_high": np.where(nan, np.nan, hi),
        "n": lin.n,
        "deff": deff,
        "method": method,
    }


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _name(variable: Any) -> str:
    if isinstance(variable, str):
        return variable
    return str(getattr(variable, "name", None) or "x")


def _domain_groups(des: SurveyDesign, domain: Any) -> np.ndarray:
    if domain is None:
        return np.zeros(des.n, dtype=np.int64)
    d = _resolve(des.data, domain, "domaine")
    mask = d.fillna(False).to_numpy(dtype=bool)
    return np.where(mask, 0, -1).astype(np.int64)


def _indicator(values: pd.Series, level: Any) -> np.ndarray:
    """1.0 where ``values`` equals ``level`` (or is in it), 0.0 elsewhere, NaN where missing."""
    missing = values.isna().to_numpy()
    if level is None:
        out = _to_float(values, _name(values))
        bad = ~np.isnan(out) & ~np.isin(out, (0.0, 1.0))
        if bad.any():
            raise SurveyError(
                "Sans « level », une proportion demande une variable 0/1 ou booléenne."
            )
        return out
    levels = list(level) if isinstance(level, (list, tuple, set, frozenset)) else [level]
    out = values.isin(levels).to_numpy(dtype=np.float64)
    out[missing] = np.nan
    return out


def _single(
    des: SurveyDesign,
    kind: str,
    y: np.ndarray,
    groups: np.ndarray,
    *,
    x: np.ndarray | None = None,
    alpha: float,
    ci: str,
    df: Any,
    statistic: str,
    variable: str,
) -> Estimate:
    lin = _linearise(des, "mean" if kind == "proportion" else kind, y, groups, 1, x)
    r = _finish(des, lin, kind, alpha, ci, df)
    return Estimate(
        estimate=float(r["estimate"][0]),
        se=float(r["se"][0]),
        ci_low=float(r["ci_low"][0]),
        ci_high=float(r["ci_high"][0]),
        n=int(r["n"][0]),
        statistic=statistic,
        method=str(r["method"][0]),
        variable=variable,
        alpha=alpha,
        deff=float(r["deff"][0]),
    )


def mean(
    des: SurveyDesign, variable: Any, *, domain: Any = None, alpha: float = 0.05, df: Any = None
) -> Estimate:
    """Weighted mean with its linearised standard error (R: ``svymean``).

    Parameters
    ----------
    des : SurveyDesign
    variable : str or array-like
        Column name or values (positional). Missing values leave the row out of the domain.
    domain : str or array-like of bool, optional
        Restrict the estimate to a domain (full design kept).
    alpha : float
        1 - confidence level.
    df : None, int or "design"
        Normal quantile (None) or Student's t with ``df`` degrees of freedom.

    Returns
    -------
    Estimate

    Notes
    -----
    ``ybar = sum w y / sum w``; influence ``z_i = w_i (y_i - ybar) / sum w``.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R, ch. 2-3. Wiley.
    """
    y = _to_float(_resolve(des.data, variable, "variable"), _name(variable))
    return _single(
        des, "mean", y, _domain_groups(des, domain), alpha=alpha, ci="normal", df=df,
        statistic="mean", variable=_name(variable),
    )


def total(
    des: SurveyDesign, variable: Any, *, domain: Any = None, alpha: float = 0.05, df: Any = None
) -> Estimate:
    """Weighted (Horvitz–Thompson) total (R: ``svytotal``). See :func:`mean` for parameters.

    References
    ----------
    Lumley, T. (2004). Analysis of complex survey samples. J. Stat. Softw. 9(1).
    """
    y = _to_float(_resolve(des.data, variable, "variable"), _name(variable))
    return _single(
        des, "total", y, _domain_groups(des, domain), alpha=alpha, ci="normal", df=df,
        statistic="total", variable=_name(variable),
    )


def proportion(
    des: SurveyDesign,
    variable: Any,
    level: Any = None,
    *,
    domain: Any = None,
    alpha: float = 0.05,
    method: str = "logit",
    df: Any = None,
) -> Estimate:
    """Share of a condition or level, with a logit confidence interval (R: ``svyciprop``).

    Parameters
    ----------
    des : SurveyDesign
    variable : str or array-like
        A 0/1 or boolean variable, or any variable together with ``level``.
    level : scalar or list, optional
        The share of rows whose value equals ``level`` (or is in the list) among rows where the
        variable is not missing.
    domain, alpha, df
        As in :func:`mean`.
    method : {"logit", "normal"}
        ``logit``: Wald interval on the logit scale, ``expit(logit(p) ± q se / (p (1 - p)))``, which
        is what ``svyciprop(method="logit")`` computes (with ``df=Inf`` for the normal quantile).
        When ``p`` is 0 or 1 that interval degenerates; a Clopper–Pearson interval on the Kish
        effective sample size of the domain is used instead (``method`` says so).

    Returns
    -------
    Estimate

    References
    ----------
    Lumley, T. (2010). Complex Surveys, §2.3.1. Wiley.
    Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small expected
    number of positive counts estimated from survey data. Survey Methodology 24, 193-201.
    """
    if method not in ("logit", "normal"):
        raise SurveyError(f"Méthode « {method} » inconnue ; valeurs possibles : logit, normal.")
    s = _resolve(des.data, variable, "variable")
    y = _indicator(s, level)
    return _single(
        des, "proportion", y, _domain_groups(des, domain), alpha=alpha, ci=method, df=df,
        statistic="proportion", variable=_name(variable),
    )


def ratio(
    des: SurveyDesign,
    numerator: Any,
    denominator: Any,
    *,
    domain: Any = None,
    alpha: float = 0.05,
    df: Any = None,
) -> Estimate:
    """Ratio of two totals ``sum w y / sum w x`` (R: ``svyratio``).

    Rows where either variable is missing leave the domain. Influence:
    ``z_i = w_i (y_i - R x_i) / sum w x``.

    References
    ----------
    Lumley, T. (2010). Complex Surveys, §3.2. Wiley.
    """
    y = _to_float(_resolve(des.data, numerator, "numérateur"), _name(numerator))
    x = _to_float(_resolve(des.data, denominator, "dénominateur"), _name(denominator))
    return _single(
        des, "ratio", y, _domain_groups(des, domain), x=x, alpha=alpha, ci="normal", df=df,
        statistic="ratio", variable=f"{_name(numerator)}/{_name(denominator)}",
    )


_VERBS: dict[str, str] = {"mean": "mean", "total": "total", "proportion": "proportion", "ratio": "ratio"}


def _codes_for(values: pd.Series, levels: Sequence) -> np.ndarray:
    """Position of each value in ``levels`` (-1 when missing or not listed)."""
    return pd.Index(list(levels), dtype=object).get_indexer(values.astype(object)).astype(np.int64)


def _group_codes(
    des: SurveyDesign, by_spec: Any, levels: Sequence | None = None
) -> tuple[np.ndarray, pd.DataFrame]:
    specs = by_spec if isinstance(by_spec, (list, tuple)) else [by_spec]
    series = [_resolve(des.data, s, "by") for s in specs]
    names = [_name(s) if isinstance(s, str) else (getattr(s, "name", None) or f"by{i}")
             for i, s in enumerate(specs)]
    if levels is not None:
        if len(series) != 1:
            raise SurveyError("« levels » n'est possible qu'avec une seule variable de regroupement.")
        levels = list(levels)
        codes = _codes_for(series[0], levels)
        return codes, pd.DataFrame({names[0]: levels})
    all_codes = []
    uniques = []
    for s in series:
        c, u = pd.factorize(s, sort=True)
        all_codes.append(c.astype(np.int64))
        uniques.append(u)
    if len(series) == 1:
        return all_codes[0], pd.DataFrame({names[0]: uniques[0]})
    missing = np.any([c < 0 for c in all_codes], axis=0)
    dims = tuple(len(u) for u in uniques)
    flat = np.ravel_multi_index([np.where(missing, 0, c) for c in all_codes], dims)
    flat = np.where(missing, -1, flat)
    codes, obs = pd.factorize(flat, sort=True)
    if obs.size and obs[0] == -1:  # pragma: no cover - factorize marks -1 as a value only if present
        obs = obs[1:]
        codes = codes - 1
    codes = np.where(missing, -1, codes).astype(np.int64)
    obs_idx = np.unravel_index(np.asarray(obs[obs >= 0]), dims)
    labels = pd.DataFrame({nm: np.asarray(u)[ix] for nm, u, ix in zip(names, uniques, obs_idx)})
    return codes, labels


def by(
    des: SurveyDesign,
    variable: Any,
    by: Any,
    statistic: str | Callable = "mean",
    *,
    level: Any = None,
    denominator: Any = None,
    levels: Sequence | None = None,
    alpha: float = 0.05,
    df: Any = None,
    method: str = "logit",
) -> pd.DataFrame:
    """Domain estimates of ``statistic`` for each group of ``by`` (R: ``svyby``).

    Parameters
    ----------
    des : SurveyDesign
    variable : str or array-like
    by : str, array-like or list of them
        Grouping variable(s). Rows with a missing group are in no domain.
    statistic : {"mean", "total", "proportion", "ratio"} or one of the verbs :func:`mean`, ...
    level : optional
        For ``proportion``: the level(s) counted.
    denominator : optional
        For ``ratio``: the denominator variable.
    levels : sequence, optional
        Groups to report (single ``by`` only), including groups with no respondent (then
        ``n = 0`` and NaN estimate), in this order.
    alpha, df, method
        As in the verbs.

    Returns
    -------
    DataFrame
        One row per group: the ``by`` column(s), ``variable``, ``statistic``, ``estimate``, ``se``,
        ``ci_low``, ``ci_high``, ``n``, ``deff``, ``method``.

    Notes
    -----
    Every domain is estimated at once on the full design: the influence values of domain ``g`` are
    those of the estimator multiplied by the domain indicator, so the strata and PSU counts are those
    of the whole sample (Lumley 2010, §2.3.4). This differs from estimating on a filtered data set,
    which would recount PSUs and misstate the variance.

    References
    ----------
    Lumley, T. (2010). Complex Surveys, §2.3. Wiley.
    """
    if callable(statistic):
        statistic = getattr(statistic, "__name__", "")
    if statistic not in _VERBS:
        raise SurveyError(
            f"Statistique « {statistic} » inconnue ; valeurs possibles : {', '.join(_VERBS)}."
        )
    codes, labels = _group_codes(des, by, levels)
    G = len(labels)
    s = _resolve(des.data, variable, "variable")
    x = None
    name = _name(variable)
    if statistic == "proportion":
        y = _indicator(s, level)
    else:
        y = _to_float(s, name)
    if statistic == "ratio":
        if denominator is None:
            raise SurveyError("Un ratio demande un dénominateur (denominator=).")
        x = _to_float(_resolve(des.data, denominator, "dénominateur"), _name(denominator))
        name = f"{name}/{_name(denominator)}"
    kind = "mean" if statistic == "proportion" else statistic
    lin = _linearise(des, kind, y, codes, G, x)
    r = _finish(des, lin, statistic, alpha, method if statistic == "proportion" else "normal", df)
    out = labels.copy()
    out["variable"] = name
    out["statistic"] = statistic
    for col in ("estimate", "se", "ci_low", "ci_high", "n", "deff", "method"):
        out[col] = r[col]
    out["method"] = out["method"].astype(str)
    return out


# --------------------------------------------------------------------------------------------------
# Raking
# --------------------------------------------------------------------------------------------------


def margins_from_frame(population: pd.DataFrame, variables: Sequence[str] | None = None) -> dict:
    """Tidy margins (``variable``, ``modalite``, ``effectif``) -> ``{variable: {modalite: N}}``.

    Parameters
    ----------
    population : DataFrame
        As ``population_reference.csv``.
    variables : sequence of str, optional
        Keep these variables, in this order (default: all, in order of appearance).
    """
    missing = {"variable", "modalite", "effectif"} - set(population.columns)
    if missing:
        raise SurveyError(
            "Les marges de population doivent avoir les colonnes variable, modalite, effectif "
            f"(absentes : {', '.join(sorted(missing))})."
        )
    pop = population.assign(
        variable=population["variable"].astype(str).str.strip(),
        modalite=population["modalite"].astype(str).str.strip(),
    )
    order = list(dict.fromkeys(pop["variable"].tolist()))
    if variables is not None:
        absent = [v for v in variables if v not in order]
        if absent:
            raise RakingError(
                f"Aucune marge de population pour la variable « {absent[0]} ».", absent[0]
            )
        order = list(variables)
    out = {}
    for v in order:
        sub = pop[pop["variable"] == v]
        out[v] = dict(zip(sub["modalite"].tolist(), _to_float(sub["effectif"], "effectif")))
    return out


def _normalise_margins(margins: Any) -> list[tuple[str, list[str], np.ndarray]]:
    if isinstance(margins, pd.DataFrame):
        margins = margins_from_frame(margins)
    if not isinstance(margins, Mapping) or not margins:
        raise SurveyError(
            "Les marges doivent être un dict {variable: {modalité: effectif}} ou un DataFrame "
            "(variable, modalite, effectif)."
        )
    out = []
    for var, cells in margins.items():
        if isinstance(cells, pd.Series):
            cells = cells.to_dict()
        if isinstance(cells, pd.DataFrame):
            cells = dict(zip(cells.iloc[:, 0].astype(str), cells.iloc[:, 1]))
        levels = [str(k) for k in cells.keys()]
        targets = np.asarray([float(v) for v in cells.values()], dtype=np.float64)
        if np.any(~np.isfinite(targets)) or np.any(targets < 0):
            raise RakingError(f"Effectifs de population invalides pour la variable « {var} ».", var)
        out.append((str(var), levels, targets))
    return out


def _as_str(values: pd.Series) -> pd.Series:
    """String labels for matching margins (1.0 -> '1', 'E' -> 'E'); values have no NaN here."""
    if pd.api.types.is_float_dtype(values.dtype):
        vals = values.to_numpy(dtype=np.float64)
        if np.all(vals == np.round(vals)):
            return pd.Series(vals.astype(np.int64)).astype("str")
    return values.astype("str").str.strip()


def rake(
    des: SurveyDesign,
    margins: Any,
    *,
    max_iter: int = 100,
    tol: float = 1e-8,
    bounds: tuple[float, float] | None = None,
) -> SurveyDesign:
    """Rake the weights to population margins by iterative proportional fitting (R: ``rake``).

    Parameters
    ----------
    des : SurveyDesign
        Design whose weights are the starting (pre-raking) weights ``d``.
    margins : dict or DataFrame
        ``{variable: {modalite: effectif}}`` or a tidy frame with columns ``variable``, ``modalite``,
        ``effectif`` (as ``population_reference.csv``). Categories are matched as strings.
    max_iter : int
        Maximum number of full sweeps over the margins.
    tol : float
        Convergence when every weighted margin total is within ``tol`` (relative) of its target
        after a sweep. (R's ``rake`` uses an absolute ``epsilon=1`` on counts by default.)
    bounds : (float, float), optional
        Bounds ``(L, U)`` on the adjustment factors ``g = w / d``, applied after each margin step
        (bounded raking, i.e. trimming inside the algorithm). Too tight bounds make raking fail.

    Returns
    -------
    SurveyDesign
        A new design with raked weights and a :class:`Calibration` used by the variance.

    Raises
    ------
    RakingError
        Missing values in a raking variable, a sample category absent from the margins, a margin
        cell with no respondent, or no convergence (the message names the variable and modalité of
        the worst cell).

    Notes
    -----
    Standard errors of a raked design are computed on the residuals of the linearised variable
    from the regression on all margin indicators, weighted by ``d``, multiplied by the raked
    weights: this is the linearisation of the raking (generalised regression) estimator of Deville
    & Särndal (1992), what R's ``calibrate(..., calfun="raking")`` stores; R's ``rake()`` computes
    the same projection by backfitting (identical when ``d`` is constant within cells).

    References
    ----------
    Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey sampling. JASA 87.
    Deville, J.-C., Särndal, C.-E. & Sautory, O. (1993). Generalized raking procedures in survey
    sampling. JASA 88, 1013-1020.
    Lumley, T. (2010). Complex Surveys, ch. 7. Wiley.
    """
    if des.calibration is not None:
        raise SurveyError("Ce plan est déjà calé : ratisser à partir du plan initial.")
    if max_iter < 1:
        raise SurveyError("max_iter doit être au moins 1.")
    spec = _normalise_margins(margins)
    d = np.asarray(des.weights, dtype=np.float64)
    n = des.n
    codes_list = []
    col_offset = 0
    rows_all, cols_all = [], []
    cells: list[tuple[str, str]] = []
    targets_all = []
    for var, levels, targets in spec:
        if var not in des.data.columns:
            raise RakingError(f"La variable de ratissage « {var} » est absente des données.", var)
        values = des.data[var]
        n_na = int(values.isna().sum())
        if n_na:
            raise RakingError(
                f"La variable de ratissage « {var} » a {n_na} valeur(s) manquante(s) : "
                "impossible de caler ces répondants.",
                var,
            )
        labels = _as_str(values)
        codes = _codes_for(labels, levels)
        if (codes < 0).any():
            unknown = labels[codes < 0].iloc[0]
            raise RakingError(
                f"La modalité « {unknown} » de la variable « {var} » est présente dans "
                "l'échantillon mais absente des marges de population.",
                var,
                str(unknown),
            )
        sample = np.bincount(codes, weights=d, minlength=len(levels))
        for j, lev in enumerate(levels):
            if targets[j] > 0 and sample[j] <= 0:
                raise RakingError(
                    f"Aucun répondant dans la case « {var} = {lev} » (effectif de population "
                    f"{targets[j]:g}) : le ratissage sur cette marge est impossible. Regrouper "
                    "cette modalité avec une autre.",
                    var,
                    lev,
                )
            if targets[j] == 0 and sample[j] > 0:
                raise RakingError(
                    f"La case « {var} = {lev} » a des répondants mais un effectif de population nul.",
                    var,
                    lev,
                )
        codes_list.append(codes)
        rows_all.append(np.arange(n))
        cols_all.append(codes + col_offset)
        col_offset += len(levels)
        cells.extend((var, lev) for lev in levels)
        targets_all.append(targets)

    w = d.copy()
    lo, hi = (None, None) if bounds is None else bounds
    if bounds is not None and not (0 <= lo <= 1 <= hi):
        raise SurveyError("Les bornes doivent vérifier 0 <= L <= 1 <= U.")
    pos = d > 0
    dev = np.inf
    it = 0
    worst = (0, 0)
    for it in range(1, max_iter + 1):  # noqa: B007 (it is reported after the loop)
        for codes, targets in zip(codes_list, targets_all):
            tot = np.bincount(codes, weights=w, minlength=targets.shape[0])
            factor = np.divide(targets, tot, out=np.ones_like(targets), where=tot > 0)
            w = w * factor[codes]
            if bounds is not None:
                g = np.divide(w, d, out=np.ones_like(w), where=pos)
                w = np.where(pos, d * np.clip(g, lo, hi), w)
        dev = 0.0
        for m, (codes, targets) in enumerate(zip(codes_list, targets_all)):
            tot = np.bincount(codes, weights=w, minlength=targets.shape[0])
            with np.errstate(divide="ignore", invalid="ignore"):
                rel = np.where(targets > 0, np.abs(tot - targets) / targets, np.abs(tot))
            j = int(np.argmax(rel))
            if rel[j] > dev:
                dev = float(rel[j])
                worst = (m, j)
        if dev < tol:
            break
    if not dev < tol:
        var, levels, targets = spec[worst[0]]
        lev = levels[worst[1]]
        totals = {v: t.sum() for v, _, t in spec}
        hint = ""
        if max(totals.values()) - min(totals.values()) > 1e-9 * max(totals.values()):
            hint = (
                " Les marges n'ont pas le même total ("
                + ", ".join(f"{v} : {t:g}" for v, t in totals.items())
                + ")."
            )
        if bounds is not None:
            hint += f" Les bornes {bounds} sont peut-être trop étroites."
        raise RakingError(
            f"Le ratissage n'a pas convergé après {max_iter} itérations : la case « {var} = {lev} » "
            f"reste à un écart relatif de {dev:.3g} de sa marge (tolérance {tol:g}).{hint}",
            var,
            lev,
        )

    M = sparse.csr_matrix(
        (np.ones(n * len(spec)), (np.concatenate(rows_all), np.concatenate(cols_all))),
        shape=(n, col_offset),
    )
    gram = (M.T @ (sparse.diags(d) @ M)).toarray()
    cal = Calibration(
        matrix=M,
        base_weights=_readonly(d),
        cells=tuple(cells),
        targets=_readonly(np.concatenate(targets_all)),
        iterations=it,
        max_deviation=dev,
        gram=gram,
    )
    return dataclasses.replace(des, weights=_readonly(w), calibration=cal)


@dataclass(frozen=True)
class WeightingSummary:
    """Weighting efficiency of a design (Kish 1965).

    Attributes
    ----------
    n : int
        Rows with a positive weight.
    sum_weights : float
    n_effective : float
        Kish effective sample size ``(sum w)^2 / sum w^2``.
    deff_weighting : float
        Design effect due to unequal weights ``n / n_effective = 1 + cv(w)^2``.
    weight_min, weight_max : float
    g_min, g_max : float
        Range of the raking adjustment factors ``w / d`` (NaN if not raked).
    iterations : int
        Raking sweeps (0 if not raked).
    max_deviation : float
        Final largest relative gap to the margins (NaN if not raked).
    """

    n: int
    sum_weights: float
    n_effective: float
    deff_weighting: float
    weight_min: float
    weight_max: float
    g_min: float
    g_max: float
    iterations: int
    max_deviation: float

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([dataclasses.asdict(self)])


def weighting_summary(des: SurveyDesign) -> WeightingSummary:
    """Kish effective sample size and design effect due to weighting.

    References
    ----------
    Kish, L. (1965). Survey Sampling. Wiley. (deff_w = 1 + CV² of the weights.)
    """
    w = des.weights[des.weights > 0]
    n_eff = w.sum() ** 2 / np.sum(w * w)
    cal = des.calibration
    if cal is not None:
        d = cal.base_weights
        pos = d > 0
        g = des.weights[pos] / d[pos]
        gmin, gmax, its, dev = float(g.min()), float(g.max()), cal.iterations, cal.max_deviation
    else:
        gmin = gmax = dev = float("nan")
        its = 0
    return WeightingSummary(
        n=int(w.shape[0]),
        sum_weights=float(w.sum()),
        n_effective=float(n_eff),
        deff_weighting=float(w.shape[0] / n_eff),
        weight_min=float(w.min()),
        weight_max=float(w.max()),
        g_min=gmin,
        g_max=gmax,
        iterations=int(its),
        max_deviation=float(dev),
    )


# --------------------------------------------------------------------------------------------------
# Comparisons and tests
# --------------------------------------------------------------------------------------------------


def compare(a: Estimate, b: Estimate, *, alpha: float = 0.05) -> Comparison:
    """Difference ``b - a`` of two estimates from independent samples (e.g. two survey waves).

    ``se = sqrt(se_a² + se_b²)``; normal (Wald) confidence interval and two-sided p-value.

    References
    ----------
    Lumley, T. (2010). Complex Surveys, §3.3 (contrasts). Wiley.
    """
    r = _compare_arrays(
        np.array([a.estimate]), np.array([a.se]), np.array([b.estimate]), np.array([b.se]), alpha
    )
    return Comparison(
        estimate_a=a.estimate,
        estimate_b=b.estimate,
        **{k: float(v[0]) for k, v in r.items()},
        alpha=alpha,
    )


def _compare_arrays(est_a, se_a, est_b, se_b, alpha):
    diff = est_b - est_a
    se = np.sqrt(se_a**2 + se_b**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, diff / se, np.where(diff == 0, 0.0, np.sign(diff) * np.inf))
    z = np.where(np.isnan(diff) | np.isnan(se), np.nan, z)
    p = 2 * stats.norm.sf(np.abs(z))
    q = stats.norm.ppf(1 - alpha / 2)
    return {
        "difference": diff,
        "se": se,
        "ci_low": diff - q * se,
        "ci_high": diff + q * se,
        "statistic": z,
        "p_value": p,
    }


_ADJUST = {
    "holm": "holm",
    "holm-bonferroni": "holm",
    "bh": "bh",
    "fdr_bh": "bh",
    "fdr": "bh",
    "benjamini-hochberg": "bh",
}


def adjust_pvalues(pvalues: Any, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple testing.

    Parameters
    ----------
    pvalues : array-like
        NaN values are left NaN and not counted in the family.
    method : {"holm", "bh"}
        ``holm`` (alias ``holm-bonferroni``): step-down family-wise error control (Holm 1979);
        ``bh`` (aliases ``fdr_bh``, ``fdr``, ``benjamini-hochberg``): step-up false discovery rate
        (Benjamini & Hochberg 1995). Same values as R's ``p.adjust`` and statsmodels'
        ``multipletests``.

    Returns
    -------
    ndarray

    References
    ----------
    Holm, S. (1979). Scand. J. Statist. 6, 65-70.
    Benjamini, Y. & Hochberg, Y. (1995). JRSS B 57, 289-300.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(4).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "bh").round(4).tolist()
    [0.03, 0.04, 0.04]
    """
    key = _ADJUST.get(str(method).lower())
    if key is None:
        raise SurveyError(
            f"Méthode d'ajustement « {method} » inconnue ; valeurs possibles : {', '.join(_ADJUST)}."
        )
    p = np.asarray(pvalues, dtype=np.float64).ravel()
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    pv = p[ok]
    order = np.argsort(pv, kind="mergesort")
    ps = pv[order]
    i = np.arange(1, m + 1)
    if key == "holm":
        adj = np.maximum.accumulate((m - i + 1) * ps)
    else:
        adj = np.minimum.accumulate((m / i * ps)[::-1])[::-1]
    adj = np.minimum(adj, 1.0)
    res = np.empty(m)
    res[order] = adj
    out[ok] = res
    return out


def stack(designs: Mapping[str, SurveyDesign], label: str = "vague") -> SurveyDesign:
    """Stack independent designs (e.g. survey waves) into one design.

    Each design's strata become strata of the stacked design (prefixed by its key), so the
    variance of any estimate is the sum of the independent samples' variances; raking information
    is kept block by block (each wave's margins only residualise that wave's rows).

    Parameters
    ----------
    designs : mapping ``{key: SurveyDesign}``
    label : str
        Name of the column added to the data with the key of each row's design.

    Returns
    -------
    SurveyDesign
    """
    keys = list(designs)
    if len(keys) < 1:
        raise SurveyError("Aucun plan à empiler.")
    parts = list(designs.values())
    modes = {p.lonely_psu for p in parts}
    datas, ws, strata, psus, psu_str, nps, fracs, labs = [], [], [], [], [], [], [], []
    h_off = 0
    c_off = 0
    any_cal = any(p.calibration is not None for p in parts)
    mats, bases, cells, targets = [], [], [], []
    for key, p in zip(keys, parts):
        datas.append(p.data.assign(**{label: key}))
        ws.append(p.weights)
        strata.append(p.strata + h_off)
        psu = np.arange(p.n) if p.psu is None else p.psu
        psus.append(psu + c_off)
        psu_str.append(p.psu_stratum + h_off)
        nps.append(p.n_psu)
        fracs.append(p.sampling_fraction)
        labs.extend((key, s) for s in p.strata_labels)
        h_off += p.n_strata
        c_off += p.psu_stratum.shape[0]
        if any_cal:
            cal = p.calibration
            if cal is None:
                mats.append(sparse.csr_matrix((p.n, 0)))
                bases.append(p.weights)
            else:
                mats.append(cal.matrix)
                bases.append(cal.base_weights)
                cells.extend((f"{key}:{v}", m) for v, m in cal.cells)
                targets.append(cal.targets)
    calibration = None
    if any_cal:
        M = sparse.block_diag(mats, format="csr")
        d = np.concatenate(bases)
        calibration = Calibration(
            matrix=M,
            base_weights=_readonly(d),
            cells=tuple(cells),
            targets=_readonly(np.concatenate(targets) if targets else np.zeros(0)),
            iterations=max((p.calibration.iterations for p in parts if p.calibration), default=0),
            max_deviation=max(
                (p.calibration.max_deviation for p in parts if p.calibration), default=0.0
            ),
            gram=(M.T @ (sparse.diags(d) @ M)).toarray(),
        )
    all_independent = all(p.psu is None for p in parts)
    return SurveyDesign(
        data=pd.concat(datas, ignore_index=True),
        weights=_readonly(np.concatenate(ws)),
        strata=_readonly(np.concatenate(strata)),
        psu=None if all_independent else _readonly(np.concatenate(psus)),
        psu_stratum=_readonly(np.concatenate(psu_str)),
        n_psu=_readonly(np.concatenate(nps)),
        sampling_fraction=_readonly(np.concatenate(fracs)),
        strata_labels=tuple(labs),
        lonely_psu=modes.pop() if len(modes) == 1 else "fail",
        calibration=calibration,
        has_strata=True,
        has_clusters=not all_independent,
        has_fpc=any(p.has_fpc for p in parts),
    )


def rao_scott(
    des: SurveyDesign, row: Any, col: Any, *, statistic: str = "F"
) -> TestResult:
    """Rao–Scott test of independence (or homogeneity) in a two-way table (R: ``svychisq``).

    Parameters
    ----------
    des : SurveyDesign
    row, col : str or array-like
        The two categorical variables; rows missing either are left out of the domain. Categories
        without any respondent are dropped.
    statistic : {"F", "chisq"}
        ``F`` (default, as R): second-order correction, ``F = X² / tr(Δ)`` referred to
        ``F(d, d ν)`` with ``d = tr(Δ)² / tr(Δ²)`` and ``ν`` the design degrees of freedom.
        ``chisq``: first-order correction, ``X² / mean(δ)`` referred to ``χ²((r-1)(c-1))``.

    Returns
    -------
    TestResult

    Notes
    -----
    Follows ``svychisq``: ``X²`` is Pearson's statistic on the weighted table rescaled to the sample
    size; ``Δ`` is the generalised design-effect matrix of the interaction contrasts, built from the
    linearised covariance of the cell proportions (so raking and strata are accounted for). To
    compare the distribution of an item between two independent waves, use :func:`stack` and pass
    the wave as ``row``.

    References
    ----------
    Rao, J. N. K. & Scott, A. J. (1984). Annals of Statistics 12(1), 46-60.
    Lumley, T. (2010). Complex Surveys, §6.1. Wiley.
    """
    if statistic not in ("F", "chisq"):
        raise SurveyError(f"Statistique « {statistic} » inconnue ; valeurs possibles : F, chisq.")
    r = _resolve(des.data, row, "ligne")
    c = _resolve(des.data, col, "colonne")
    ok = (~r.isna() & ~c.isna()).to_numpy()
    rc, _ = pd.factorize(r.where(ok), sort=True)
    cc, _ = pd.factorize(c.where(ok), sort=True)
    rc = np.where(ok, rc, -1)
    cc = np.where(ok, cc, -1)
    # drop empty categories
    rc = _compact(rc)
    cc = _compact(cc)
    nr = int(rc.max()) + 1 if ok.any() else 0
    nc = int(cc.max()) + 1 if ok.any() else 0
    method = "rao_scott_f" if statistic == "F" else "rao_scott_chi2"
    if nr < 2 or nc < 2:
        return TestResult(np.nan, np.nan, np.nan, np.nan, method)
    k = nr * nc
    cell = np.where(ok, rc + nr * cc, -1)  # rows vary fastest, as R's interaction()
    w = des.weights
    rows = np.flatnonzero(ok)
    cw = cell[rows]
    wr = w[rows]
    W = wr.sum()
    p = np.bincount(cw, weights=wr, minlength=k) / W
    # influence of the k cell means: w (1[cell=j] - p_j) / W, as a sparse n x k matrix
    base = sparse.csr_matrix((wr / W, (rows, cw)), shape=(des.n, k))
    dense_part = sparse.csr_matrix(
        (np.repeat(wr / W, k) * -np.tile(p, rows.size), (np.repeat(rows, k), np.tile(np.arange(k), rows.size))),
        shape=(des.n, k),
    )
    V = vcov(des, base + dense_part)
    N = float(rows.size)
    table = (p * N).reshape(nc, nr).T  # nr x nc
    expected = np.outer(table.sum(1), table.sum(0)) / N
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum((table - expected) ** 2 / expected))
    grid_r = np.tile(np.arange(nr), nc)
    grid_c = np.repeat(np.arange(nc), nr)
    R = (grid_r[:, None] == np.arange(1, nr)[None, :]).astype(float)
    Cc = (grid_c[:, None] == np.arange(1, nc)[None, :]).astype(float)
    X1 = np.column_stack([np.ones(k), R, Cc])
    inter = np.column_stack([R[:, i] * Cc[:, j] for j in range(nc - 1) for i in range(nr - 1)])
    coef = np.linalg.lstsq(X1, inter, rcond=None)[0]
    Cmat = inter - X1 @ coef
    with np.errstate(divide="ignore"):
        ip = np.where(p > 0, 1.0 / p, 0.0)
    denom = Cmat.T @ (ip[:, None] * Cmat) / N
    numr = Cmat.T @ (ip[:, None] * V * ip[None, :]) @ Cmat
    Delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(Delta))
    tr2 = float(np.trace(Delta @ Delta))
    nu = des.degrees_of_freedom
    if statistic == "F":
        F = pearson / tr
        d0 = tr**2 / tr2
        pval = float(stats.f.sf(F, d0, d0 * nu))
        return TestResult(F, d0, d0 * nu, pval, method, pearson, tr / Delta.shape[0])
    dfree = Delta.shape[0]
    pval = float(stats.chi2.sf(pearson / (tr / dfree), dfree))
    return TestResult(pearson, float(dfree), np.inf, pval, method, pearson, tr / dfree)


def _compact(codes: np.ndarray) -> np.ndarray:
    """Renumber non-negative codes to 0..K-1 keeping order (drops unused codes)."""
    used = np.unique(codes[codes >= 0])
    out = np.full(codes.shape, -1, dtype=np.int64)
    pos = codes >= 0
    out[pos] = np.searchsorted(used, codes[pos])
    return out


# --------------------------------------------------------------------------------------------------
# The usagers survey: DESIGN.md §4 tables
# --------------------------------------------------------------------------------------------------

LIKERT_ITEMS = ("satisfaction_globale", "accueil", "delai", "information", "ecoute", "resolution")
GROUP_VARIABLES = ("ensemble", "service", "quartier", "sexe", "tranche_age")
ESTIMATION_COLUMNS = [
    "vague", "indicateur", "groupe_variable", "groupe", "estimation", "erreur_type",
    "ic_bas", "ic_haut", "n_repondants",
]
COMPARISON_COLUMNS = [
    "indicateur", "groupe_variable", "groupe", "vague_a", "vague_b", "difference",
    "ic_bas", "ic_haut", "p_valeur", "p_ajustee", "methode",
]
def _settings(config: Mapping | None) -> dict:
    """``enquete`` settings: ``config`` over the workspace's ``config/observatoire.yml`` values."""
    from ducos_lib.config import load_config

    defaults = load_config()["enquete"]
    config = dict(config or {})
    out = {**defaults, **config}
    out["ratissage"] = {**defaults["ratissage"], **dict(config.get("ratissage", {}))}
    return out


def indicator_names(items: Sequence[str] = LIKERT_ITEMS) -> list[str]:
    """The §4 indicator names, in table order."""
    names = ["satisfaction_globale_moyenne"]
    for item in items:
        names += [f"{item}_satisfaits", f"{item}_taux_net"]
    return names + ["recommandation_moyenne"]


def _indicator_variables(data: pd.DataFrame) -> list[tuple[str, str, np.ndarray]]:
    """(name, statistic, values) of each §4 indicator, NaN where the answer is missing."""

    def col(name):
        if name in data.columns:
            return _to_float(data[name], name)
        return np.full(len(data), np.nan)

    out = [("satisfaction_globale_moyenne", "mean", col("satisfaction_globale"))]
    for item in LIKERT_ITEMS:
        v = col(item)
        miss = np.isnan(v)
        sat = np.where(miss, np.nan, (v >= 4).astype(float))
        net = np.where(miss, np.nan, (v >= 4).astype(float) - (v <= 2).astype(float))
        out += [(f"{item}_satisfaits", "proportion", sat), (f"{item}_taux_net", "mean", net)]
    out.append(("recommandation_moyenne", "mean", col("recommandation")))
    return out


def _wave_order(waves: Sequence[str], config_waves: Sequence[str] | None = None) -> list[str]:
    if config_waves is None:
        try:
            from ducos_lib.config import load_config

            config_waves = load_config().get("jalons", ["T0", "T6", "T12"])
        except Exception:  # pragma: no cover - config absent
            config_waves = ["T0", "T6", "T12"]
    rank = {w: i for i, w in enumerate(config_waves)}
    return sorted(dict.fromkeys(waves), key=lambda w: (rank.get(w, len(rank)), str(w)))


def wave_designs(
    enquete: pd.DataFrame,
    population: pd.DataFrame | Mapping,
    *,
    config: Mapping | None = None,
    waves: Sequence[str] | None = None,
) -> dict[str, SurveyDesign]:
    """One raked design per survey wave (DESIGN.md §5).

    Each wave starts from equal weights ``N / n`` (``N``: population total of the first margin) and
    is raked to the margins of ``population_reference.csv`` on ``enquete.ratissage.variables``
    (sexe, tranche_age, quartier) with the configured iterations and tolerance. Respondents are
    treated as an unstratified sample drawn with replacement (no fpc: conservative when the
    sampling fraction is small).

    Parameters
    ----------
    enquete : DataFrame
        Processed survey answers (``docs/processed_data.md``), with a ``vague`` column.
    population : DataFrame or dict
        Population margins (``variable``, ``modalite``, ``effectif``).
    config : mapping, optional
        The ``enquete`` section of ``config/observatoire.yml`` (default: loaded).
    waves : sequence of str, optional
        Waves to keep, in order (default: every wave present, in milestone order).

    Returns
    -------
    dict ``{vague: SurveyDesign}``

    Raises
    ------
    RakingError
        As :func:`rake` (the message names the wave too).
    """
    cfg = _settings(config)
    rk = cfg["ratissage"]
    variables = list(rk["variables"])
    margins = (
        margins_from_frame(population, variables)
        if isinstance(population, pd.DataFrame)
        else {v: population[v] for v in variables}
    )
    N = float(sum(margins[variables[0]].values()))
    present = enquete["vague"].dropna().astype(str).unique().tolist()
    order = _wave_order(present) if waves is None else [w for w in waves if w in present]
    out = {}
    vague = enquete["vague"].astype(str)
    for wave in order:
        sub = enquete[(vague == wave).to_numpy()]
        base = design(sub, weights=np.full(len(sub), N / len(sub)))
        try:
            out[wave] = rake(
                base, margins, max_iter=int(rk["max_iterations"]), tol=float(rk["tolerance"])
            )
        except RakingError as exc:
            raise RakingError(f"Vague {wave} : {exc}", exc.variable, exc.modalite) from None
    return out


def _group_levels(
    enquete: pd.DataFrame, population: Any, gv: str, groups: Mapping | None
) -> list[str]:
    if groups is not None and gv in groups:
        return [str(g) for g in groups[gv]]
    levels = set()
    if gv in enquete.columns:
        levels |= set(enquete[gv].dropna().astype(str).tolist())
    if isinstance(population, pd.DataFrame) and {"variable", "modalite"} <= set(population.columns):
        pop = population[population["variable"].astype(str) == gv]
        levels |= set(pop["modalite"].astype(str).str.strip().tolist())
    return sorted(levels)


def _estimation_rows(
    designs: Mapping[str, SurveyDesign],
    enquete: pd.DataFrame,
    population: Any,
    group_variables: Sequence[str],
    groups: Mapping | None,
    alpha: float,
) -> pd.DataFrame:
    frames = []
    levels_by_gv = {
        gv: (["ensemble"] if gv == "ensemble" else _group_levels(enquete, population, gv, groups))
        for gv in group_variables
    }
    for wave, des in designs.items():
        indicators = _indicator_variables(des.data)
        for gv in group_variables:
            levels = levels_by_gv[gv]
            if gv == "ensemble":
                codes = np.zeros(des.n, dtype=np.int64)
            else:
                if gv not in des.data.columns:
                    raise SurveyError(f"La colonne de regroupement « {gv} » est absente de l'enquête.")
                lab = des.data[gv].astype("str").where(des.data[gv].notna())
                codes = _codes_for(lab, levels)
            G = len(levels)
            for name, stat, values in indicators:
                lin = _linearise(des, "mean", values, codes, G)
                ci = "logit" if stat == "proportion" else "normal"
                r = _finish(des, lin, stat, alpha, ci, None)
                lo, hi = r["ci_low"], r["ci_high"]
                if name.endswith("_taux_net"):
                    lo, hi = np.clip(lo, -1, 1), np.clip(hi, -1, 1)
                frames.append(
                    pd.DataFrame(
                        {
                            "vague": wave,
                            "indicateur": name,
                            "groupe_variable": gv,
                            "groupe": levels,
                            "estimation": r["estimate"],
                            "erreur_type": r["se"],
                            "ic_bas": lo,
                            "ic_haut": hi,
                            "n_repondants": r["n"].astype(np.int64),
                        }
                    )
                )
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in ESTIMATION_COLUMNS})
    return pd.concat(frames, ignore_index=True)[ESTIMATION_COLUMNS]


def estimations_enquete(
    enquete: pd.DataFrame,
    population: pd.DataFrame | Mapping,
    *,
    designs: Mapping[str, SurveyDesign] | None = None,
    config: Mapping | None = None,
    group_variables: Sequence[str] = GROUP_VARIABLES,
    groups: Mapping[str, Sequence[str]] | None = None,
    mask_small: bool = True,
) -> pd.DataFrame:
    """The ``enquete_estimations.csv`` table of DESIGN.md §4.

    Parameters
    ----------
    enquete : DataFrame
        Processed survey answers (all waves up to the milestone).
    population : DataFrame or dict
        Population margins for the raking.
    designs : mapping, optional
        Raked designs from :func:`wave_designs` (computed when absent).
    config : mapping, optional
        ``enquete`` settings (thresholds, alpha, raking).
    group_variables : sequence of str
        ``ensemble``, ``service``, ``quartier``, ``sexe``, ``tranche_age`` by default.
    groups : mapping, optional
        Groups to report per group variable (e.g. every ``code_service`` of ``services.csv``).
        Default: every level seen in any wave of ``enquete`` plus, for the raking variables, every
        modalité of ``population``. Every wave gets every group, so coverage is complete.
    mask_small : bool
        Blank ``estimation``, ``erreur_type``, ``ic_bas``, ``ic_haut`` (NaN, an empty CSV cell) when
        ``n_repondants`` is below ``seuil_masquage`` (10): the row is kept, with its count.

    Returns
    -------
    DataFrame
        Exactly the columns ``vague, indicateur, groupe_variable, groupe, estimation, erreur_type,
        ic_bas, ic_haut, n_repondants``; one row per wave × indicator × group. Shares
        (``*_satisfaits``) are proportions in [0, 1] with logit intervals; ``*_taux_net`` (share
        4–5 minus share 1–2) is the mean of a -1/0/1 variable (linearised SE, normal interval
        clipped to [-1, 1]); means have normal intervals. ``n_repondants`` counts the respondents of
        the group who answered the item (NSP leaves the domain, not the weighting). Use
        :func:`signaler_effectifs` to add the small-sample flag for display.
    """
    cfg = _settings(config)
    if designs is None:
        designs = wave_designs(enquete, population, config=cfg)
    out = _estimation_rows(designs, enquete, population, group_variables, groups, cfg["alpha"])
    if mask_small:
        small = out["n_repondants"] < int(cfg["seuil_masquage"])
        out.loc[small, ["estimation", "erreur_type", "ic_bas", "ic_haut"]] = np.nan
    return out


def signaler_effectifs(table: pd.DataFrame, *, config: Mapping | None = None) -> pd.DataFrame:
    """Add a ``signalement`` column for display (DESIGN.md §5 small-sample rule).

    Values: ``"non_diffuse"`` when ``n_repondants`` < ``seuil_masquage`` (10: the estimate is not
    shown), ``"faible_effectif"`` when < ``seuil_signalement`` (30: shown with a warning), ``""``
    otherwise. The CSV tables keep their exact §4 columns; call this on a copy for the report.
    """
    cfg = _settings(config)
    n = table["n_repondants"]
    flag = np.where(
        n < int(cfg["seuil_masquage"]),
        "non_diffuse",
        np.where(n < int(cfg["seuil_signalement"]), "faible_effectif", ""),
    )
    return table.assign(signalement=flag)


def comparaisons_enquete(
    enquete: pd.DataFrame,
    population: pd.DataFrame | Mapping,
    milestone_waves: Sequence[str] | None = None,
    *,
    designs: Mapping[str, SurveyDesign] | None = None,
    config: Mapping | None = None,
    group_variables: Sequence[str] = GROUP_VARIABLES,
    groups: Mapping[str, Sequence[str]] | None = None,
    adjustment: str | None = None,
    distribution_tests: bool = True,
) -> pd.DataFrame:
    """The ``enquete_comparaisons.csv`` table of DESIGN.md §4.

    Parameters
    ----------
    enquete, population, designs, config, group_variables, groups
        As :func:`estimations_enquete`.
    milestone_waves : sequence of str, optional
        The waves up to the milestone, in order; the last one is the milestone's wave. Each earlier
        wave is compared to it: at T6, T0→T6; at T12, T0→T12 and T6→T12. Default: the waves present.
    adjustment : {"holm", "bh"}, optional
        Multiple-testing adjustment (default ``enquete.ajustement`` of the configuration).
    distribution_tests : bool
        Add one Rao–Scott row per Likert item and wave pair.

    Returns
    -------
    DataFrame
        Exactly ``indicateur, groupe_variable, groupe, vague_a, vague_b, difference, ic_bas,
        ic_haut, p_valeur, p_ajustee, methode``.

        * ``methode = "difference_z"``: ``difference = estimate(vague_b) - estimate(vague_a)`` for
          every indicator and group, waves being independent samples (``se² = se_a² + se_b²``),
          normal CI and two-sided p-value. Left empty (NaN) when either wave has fewer than
          ``seuil_masquage`` respondents in the group.
        * ``methode = "rao_scott_f"``: ``indicateur = "<item>_distribution"``, groupe
          ``ensemble``: second-order Rao–Scott F test (R's ``svychisq`` default) that the 5-point
          distribution is the same in both waves, on the stacked raked designs; ``difference`` and
          the CI are empty.

        **Family for the adjustment.** p-values are adjusted within each (vague_a, vague_b,
        groupe_variable, methode) family: the 14 overall indicators together; for a breakdown
        (e.g. ``service``), every indicator × group of that breakdown together; the 6
        distribution tests together. Untested rows (NaN) are not counted.
    """
    cfg = _settings(config)
    method = adjustment or cfg["ajustement"]
    alpha = cfg["alpha"]
    if designs is None:
        designs = wave_designs(enquete, population, config=cfg)
    waves = list(milestone_waves) if milestone_waves is not None else list(designs)
    waves = [w for w in waves if w in designs]
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in COMPARISON_COLUMNS})
    for c in ("indicateur", "groupe_variable", "groupe", "vague_a", "vague_b", "methode"):
        empty[c] = empty[c].astype("str")
    if len(waves) < 2:
        return empty
    last = waves[-1]
    pairs = [(w, last) for w in waves[:-1]]
    used = {w: designs[w] for w in waves}
    est = _estimation_rows(used, enquete, population, group_variables, groups, alpha)
    key = ["indicateur", "groupe_variable", "groupe"]
    floor = int(cfg["seuil_masquage"])
    frames = []
    for wa, wb in pairs:
        a = est[est["vague"] == wa].set_index(key)
        b = est[est["vague"] == wb].set_index(key).reindex(a.index)
        ok = (a["n_repondants"] >= floor) & (b["n_repondants"] >= floor)
        r = _compare_arrays(
            a["estimation"].to_numpy(), a["erreur_type"].to_numpy(),
            b["estimation"].to_numpy(), b["erreur_type"].to_numpy(), alpha,
        )
        okv = ok.to_numpy()
        df = a.index.to_frame(index=False)
        df["vague_a"] = wa
        df["vague_b"] = wb
        df["difference"] = np.where(okv, r["difference"], np.nan)
        df["ic_bas"] = np.where(okv, r["ci_low"], np.nan)
        df["ic_haut"] = np.where(okv, r["ci_high"], np.nan)
        df["p_valeur"] = np.where(okv, r["p_value"], np.nan)
        df["methode"] = "difference_z"
        frames.append(df)
        if distribution_tests:
            stacked = stack({wa: designs[wa], wb: designs[wb]}, label="__vague__")
            rows = []
            for item in LIKERT_ITEMS:
                pv = np.nan
                if item in stacked.data.columns:
                    res = rao_scott(stacked, "__vague__", item, statistic="F")
                    pv = res.p_value
                rows.append(
                    {"indicateur": f"{item}_distribution", "groupe_variable": "ensemble",
                     "groupe": "ensemble", "vague_a": wa, "vague_b": wb, "difference": np.nan,
                     "ic_bas": np.nan, "ic_haut": np.nan, "p_valeur": pv, "methode": "rao_scott_f"}
                )
            frames.append(pd.DataFrame(rows))
    out = pd.concat(frames, ignore_index=True)
    fam = ["vague_a", "vague_b", "groupe_variable", "methode"]
    out["p_ajustee"] = np.nan
    for _, idx in out.groupby(fam, sort=False).groups.items():
        out.loc[idx, "p_ajustee"] = adjust_pvalues(out.loc[idx, "p_valeur"].to_numpy(), method)
    return out[COMPARISON_COLUMNS]


def diagnostics_ponderation(
    enquete: pd.DataFrame,
    population: pd.DataFrame | Mapping,
    *,
    designs: Mapping[str, SurveyDesign] | None = None,
    config: Mapping | None = None,
) -> pd.DataFrame:
    """Weighting efficiency per wave (for the report's data-quality section).

    Returns
    -------
    DataFrame
        ``vague, n_repondants, somme_poids, n_effectif`` (Kish), ``effet_plan_ponderation``
        (``n / n_effectif``), ``poids_min, poids_max, rapport_max_min``, ``g_min, g_max`` (raking
        factors), ``iterations_ratissage, ecart_max_marges``.
    """
    if designs is None:
        designs = wave_designs(enquete, population, config=config)
    rows = []
    for wave, des in designs.items():
        s = weighting_summary(des)
        rows.append(
            {"vague": wave, "n_repondants": s.n, "somme_poids": s.sum_weights,
             "n_effectif": s.n_effective, "effet_plan_ponderation": s.deff_weighting,
             "poids_min": s.weight_min, "poids_max": s.weight_max,
             "rapport_max_min": s.weight_max / s.weight_min, "g_min": s.g_min, "g_max": s.g_max,
             "iterations_ratissage": s.iterations, "ecart_max_marges": s.max_deviation}
        )
    return pd.DataFrame(rows)


def marges_ponderation(
    enquete: pd.DataFrame,
    population: pd.DataFrame | Mapping,
    *,
    designs: Mapping[str, SurveyDesign] | None = None,
    config: Mapping | None = None,
) -> pd.DataFrame:
    """Who answered: sample vs population margins, before and after weighting, per wave.

    Returns
    -------
    DataFrame
        ``vague, variable, modalite, effectif_population, part_population, n_repondants,
        part_brute`` (unweighted share of respondents), ``part_ponderee`` (share after raking; equal
        to ``part_population`` up to the tolerance).
    """
    if designs is None:
        designs = wave_designs(enquete, population, config=config)
    rows = []
    for wave, des in designs.items():
        cal = des.calibration
        if cal is None:
            continue
        M = cal.matrix
        counts = np.asarray(M.sum(axis=0)).ravel()
        weighted = M.T @ des.weights
        variables = [v for v, _ in cal.cells]
        df = pd.DataFrame(
            {"vague": wave, "variable": variables, "modalite": [m for _, m in cal.cells],
             "effectif_population": cal.targets, "n_repondants": counts.astype(np.int64),
             "poids": weighted}
        )
        tot = df.groupby("variable", sort=False)
        df["part_population"] = df["effectif_population"] / tot["effectif_population"].transform("sum")
        df["part_brute"] = df["n_repondants"] / tot["n_repondants"].transform("sum")
        df["part_ponderee"] = df["poids"] / tot["poids"].transform("sum")
        rows.append(df)
    cols = ["vague", "variable", "modalite", "effectif_population", "part_population",
            "n_repondants", "part_brute", "part_ponderee"]
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.concat(rows, ignore_index=True)[cols]


def repartitions_likert(
    designs: Mapping[str, SurveyDesign],
    items: Sequence[str] = LIKERT_ITEMS,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Weighted distribution of each Likert item over its 5 levels, per wave (diverging bars).

    Returns
    -------
    DataFrame
        ``vague, item, niveau`` (1-5), ``part`` (weighted share among respondents who answered the
        item), ``erreur_type``, ``ic_bas``, ``ic_haut`` (logit), ``n_repondants`` (answers to the
        item). Items absent from the data give NaN shares and ``n_repondants = 0``.
    """
    rows = []
    for wave, des in designs.items():
        for item in items:
            if item in des.data.columns:
                v = _to_float(des.data[item], item)
            else:
                v = np.full(des.n, np.nan)
            for level in range(1, 6):
                y = np.where(np.isnan(v), np.nan, (v == level).astype(float))
                e = _single(des, "proportion", y, np.zeros(des.n, dtype=np.int64), alpha=alpha,
                            ci="logit", df=None, statistic="proportion", variable=item)
                rows.append({"vague": wave, "item": item, "niveau": level, "part": e.estimate,
                             "erreur_type": e.se, "ic_bas": e.ci_low, "ic_haut": e.ci_high,
                             "n_repondants": e.n})
    return pd.DataFrame(rows, columns=["vague", "item", "niveau", "part", "erreur_type", "ic_bas",
                                       "ic_haut", "n_repondants"])


# --------------------------------------------------------------------------------------------------
# Report helpers (01_enquete_usagers): French labels, display tables and sentences
# --------------------------------------------------------------------------------------------------

#: French label of each Likert item, in report order.
LIBELLES_ITEMS = {
    "satisfaction_globale": "Satisfaction globale",
    "accueil": "Accueil",
    "delai": "Délais",
    "information": "Information donnée",
    "ecoute": "Écoute",
    "resolution": "Résolution de la demande",
}
#: French label of each breakdown (groupe_variable).
LIBELLES_GROUPES = {
    "ensemble": "Ensemble",
    "service": "Service contacté",
    "quartier": "Quartier",
    "sexe": "Sexe",
    "tranche_age": "Tranche d'âge",
}
#: French labels of the 5 answer levels.
LIBELLES_NIVEAUX = {
    1: "Très insatisfait",
    2: "Plutôt insatisfait",
    3: "Ni satisfait ni insatisfait",
    4: "Plutôt satisfait",
    5: "Très satisfait",
}
_LIBELLES_SEXE = {"F": "Femmes", "H": "Hommes"}


def _item_of(indicateur: str) -> str:
    for suffix in ("_satisfaits", "_taux_net", "_distribution", "_moyenne"):
        if indicateur.endswith(suffix):
            return indicateur[: -len(suffix)]
    return indicateur


def _kind(indicateur: str) -> str:
    """``mean5``, ``mean10``, ``share``, ``net`` or ``distribution``."""
    if indicateur == "recommandation_moyenne":
        return "mean10"
    if indicateur.endswith("_moyenne"):
        return "mean5"
    if indicateur.endswith("_satisfaits"):
        return "share"
    if indicateur.endswith("_taux_net"):
        return "net"
    if indicateur.endswith("_distribution"):
        return "distribution"
    raise SurveyError(f"Indicateur « {indicateur} » inconnu ; attendus : {', '.join(indicator_names())}.")


def libelle_indicateur(indicateur: str) -> str:
    """French label of a §4 indicator name (``delai_satisfaits`` → ``Délais : part de satisfaits``).

    Raises
    ------
    SurveyError
        For a name that is not a survey indicator.
    """
    kind = _kind(indicateur)
    if kind == "mean5":
        return "Satisfaction globale : note moyenne (sur 5)"
    if kind == "mean10":
        return "Recommandation : note moyenne (sur 10)"
    item = LIBELLES_ITEMS.get(_item_of(indicateur), _item_of(indicateur))
    return {
        "share": f"{item} : part de satisfaits",
        "net": f"{item} : taux net de satisfaction",
        "distribution": f"{item} : répartition des cinq réponses",
    }[kind]


def libelle_groupe(groupe_variable: str, groupe: str, libelles_services: Mapping[str, str] | None = None) -> str:
    """French label of a group: service label, ``Femmes``/``Hommes``, ``45-59 ans``, quartier name."""
    if groupe_variable == "ensemble":
        return "Ensemble de la commune"
    if groupe_variable == "service":
        return (libelles_services or {}).get(groupe, groupe)
    if groupe_variable == "sexe":
        return _LIBELLES_SEXE.get(groupe, groupe)
    if groupe_variable == "tranche_age":
        return f"{groupe.replace('-', ' à ')} ans" if groupe != "75+" else "75 ans et plus"
    return str(groupe)


def format_valeur(indicateur: str, valeur: Any) -> str:
    """A value in French: means with a decimal comma, shares in %, taux net in signed points."""
    from ducos_lib.reports import formats

    kind = _kind(indicateur)
    if kind in ("mean5", "mean10"):
        return formats.number(valeur, 2 if kind == "mean5" else 1)
    if kind == "share":
        return formats.percent(valeur, 1)
    return formats.points(valeur)


def format_ecart(indicateur: str, ecart: Any) -> str:
    """A difference between waves: ``+0,44`` for a mean, ``+17,9 points`` for a share or taux net."""
    from ducos_lib.reports import formats

    kind = _kind(indicateur)
    if kind in ("mean5", "mean10"):
        return formats.signed(ecart, 2)
    return formats.points(ecart)


def format_intervalle(indicateur: str, bas: Any, haut: Any, *, ecart: bool = False) -> str:
    """``[47,6 % ; 58,3 %]``; empty string when a bound is missing."""
    if pd.isna(bas) or pd.isna(haut):
        return ""
    f = format_ecart if ecart else format_valeur
    return f"[{f(indicateur, bas)} ; {f(indicateur, haut)}]"


def lecture_evolution(difference: Any, p_ajustee: Any, *, alpha: float = 0.05) -> str:
    """Plain-French reading of a wave comparison.

    ``"hausse significative"`` / ``"baisse significative"`` when the adjusted p-value is below
    ``alpha``, ``"pas de changement démontré"`` otherwise, ``"non testé (trop peu de réponses)"``
    when the comparison was not computed.
    """
    if pd.isna(p_ajustee):
        return "non testé (trop peu de réponses)"
    if p_ajustee < alpha and pd.notna(difference) and difference != 0:
        return "hausse significative" if difference > 0 else "baisse significative"
    return "pas de changement démontré"


def lecture_distribution(p_ajustee: Any, *, alpha: float = 0.05) -> str:
    """Plain-French reading of a Rao–Scott test of two 5-point distributions."""
    if pd.isna(p_ajustee):
        return "non testé"
    return ("les réponses se répartissent différemment" if p_ajustee < alpha
            else "pas de changement démontré")


def _flag_text(n: int, cfg: Mapping) -> str:
    if n == 0:
        return "aucune réponse"
    if n < int(cfg["seuil_masquage"]):
        return f"non diffusé (moins de {int(cfg['seuil_masquage'])} réponses)"
    if n < int(cfg["seuil_signalement"]):
        return f"faible effectif (< {int(cfg['seuil_signalement'])}) : prudence"
    return ""


def _row(est: pd.DataFrame, vague: str, indicateur: str, gv: str = "ensemble", groupe: str = "ensemble"):
    sel = est[(est["vague"] == vague) & (est["indicateur"] == indicateur)
              & (est["groupe_variable"] == gv) & (est["groupe"].astype(str) == str(groupe))]
    return None if sel.empty else sel.iloc[0]


DISPLAY_INDICATORS = ("satisfaction_globale_moyenne", "satisfaction_globale_satisfaits", "recommandation_moyenne")
"""Indicators of the by-group display tables."""


_COURT = {
    "satisfaction_globale_moyenne": "Note moyenne sur 5",
    "satisfaction_globale_satisfaits": "Part de satisfaits",
    "satisfaction_globale_taux_net": "Taux net de satisfaction",
    "recommandation_moyenne": "Recommandation sur 10",
}


def tableau_ensemble(
    estimations: pd.DataFrame,
    vagues: Sequence[str],
    indicateurs: Sequence[str] = ("satisfaction_globale_moyenne", "satisfaction_globale_satisfaits",
                                  "satisfaction_globale_taux_net"),
) -> pd.DataFrame:
    """Overall indicators (rows) × waves (columns), each cell ``70,9 % [64,0 % ; 76,9 %]``.

    A last column ``Réponses (<last wave>)`` gives the respondents of the last wave.
    """
    rows = []
    for ind in indicateurs:
        row = {"Indicateur": libelle_indicateur(ind)}
        n = None
        for w in vagues:
            r = _row(estimations, w, ind)
            ok = r is not None and pd.notna(r["estimation"])
            row[f"Vague {w}"] = (f"{format_valeur(ind, r['estimation'])} "
                                 f"{format_intervalle(ind, r['ic_bas'], r['ic_haut'])}".strip() if ok else "–")
            n = int(r["n_repondants"]) if r is not None else 0
        row[f"Réponses ({list(vagues)[-1]})"] = n
        rows.append(row)
    return pd.DataFrame(rows)


def tableau_groupes(
    estimations: pd.DataFrame,
    vague: str,
    groupe_variable: str,
    *,
    indicateurs: Sequence[str] = DISPLAY_INDICATORS,
    libelles_services: Mapping[str, str] | None = None,
    config: Mapping | None = None,
) -> pd.DataFrame:
    """Display table of one breakdown for one wave: one row per group, French text cells.

    Columns: the group label (named after the breakdown), then for each indicator its value
    followed by its 95 % interval in one cell (``73,4 % [54,6 % ; 86,3 %]``), then ``Réponses`` (respondents who answered the overall satisfaction question)
    and ``Remarque`` (small-sample flag of DESIGN §5: under ``seuil_signalement`` shown with a
    warning, under ``seuil_masquage`` not shown). Groups are in table order (services as given).
    """
    cfg = _settings(config)
    sub = estimations[(estimations["vague"] == vague) & (estimations["groupe_variable"] == groupe_variable)]
    groups = list(dict.fromkeys(sub["groupe"].astype(str)))
    head = LIBELLES_GROUPES.get(groupe_variable, groupe_variable)
    rows = []
    for g in groups:
        first = _row(sub, vague, indicateurs[0], groupe_variable, g)
        n = int(first["n_repondants"]) if first is not None else 0
        shown = n >= int(cfg["seuil_masquage"])
        row = {head: libelle_groupe(groupe_variable, g, libelles_services)}
        for ind in indicateurs:
            r = _row(sub, vague, ind, groupe_variable, g)
            ok = shown and r is not None and pd.notna(r["estimation"])
            row[f"{_COURT.get(ind, libelle_indicateur(ind))} [IC à 95 %]"] = (
                f"{format_valeur(ind, r['estimation'])} {format_intervalle(ind, r['ic_bas'], r['ic_haut'])}".strip()
                if ok else "–")
        row["Réponses"] = n
        row["Remarque"] = _flag_text(n, cfg)
        rows.append(row)
    return pd.DataFrame(rows)


def tableau_items(estimations: pd.DataFrame, vague: str) -> pd.DataFrame:
    """Share satisfied and taux net of every Likert item for one wave (overall), French text cells."""
    rows = []
    for item in LIKERT_ITEMS:
        s = _row(estimations, vague, f"{item}_satisfaits")
        t = _row(estimations, vague, f"{item}_taux_net")
        if s is None or t is None:
            continue
        rows.append({
            "Dimension": LIBELLES_ITEMS[item],
            "Part de satisfaits (4 ou 5)": format_valeur(f"{item}_satisfaits", s["estimation"]),
            "IC à 95 % (part)": format_intervalle(f"{item}_satisfaits", s["ic_bas"], s["ic_haut"]),
            "Taux net de satisfaction": format_valeur(f"{item}_taux_net", t["estimation"]),
            "IC à 95 % (taux net)": format_intervalle(f"{item}_taux_net", t["ic_bas"], t["ic_haut"]),
            "Réponses": int(s["n_repondants"]),
        })
    return pd.DataFrame(rows)


def tableau_evolutions(
    comparaisons: pd.DataFrame,
    estimations: pd.DataFrame,
    *,
    groupe_variable: str = "ensemble",
    indicateurs: Sequence[str] | None = None,
    libelles_services: Mapping[str, str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Display table of wave comparisons (``difference_z`` rows) with their plain-French reading.

    Columns: ``Indicateur`` (and the group for a breakdown), ``Période`` (``T0 → T12``), the value
    of each wave, ``Écart``, ``IC à 95 % de l'écart``, ``p ajustée`` (as printed by
    :func:`ducos_lib.reports.formats.pvalue`) and ``Lecture`` (:func:`lecture_evolution`).
    """
    from ducos_lib.reports import formats

    c = comparaisons[(comparaisons["methode"] == "difference_z")
                     & (comparaisons["groupe_variable"] == groupe_variable)]
    if indicateurs is not None:
        c = c[c["indicateur"].isin(list(indicateurs))]
    rows = []
    for r in c.itertuples(index=False):
        a = _row(estimations, r.vague_a, r.indicateur, r.groupe_variable, r.groupe)
        b = _row(estimations, r.vague_b, r.indicateur, r.groupe_variable, r.groupe)
        single = indicateurs is not None and len(list(indicateurs)) == 1
        row = {} if single else {"Indicateur": libelle_indicateur(r.indicateur)}
        if groupe_variable != "ensemble":
            row = {LIBELLES_GROUPES.get(groupe_variable, groupe_variable):
                   libelle_groupe(groupe_variable, str(r.groupe), libelles_services), **row}
        tested = pd.notna(r.difference)
        row.update({
            "Période": f"{r.vague_a}\u00a0→\u00a0{r.vague_b}",
            "Avant": (
                format_valeur(r.indicateur, a["estimation"]) if a is not None and tested else "–"),
            "Après": format_valeur(r.indicateur, b["estimation"]) if b is not None and tested else "–",
            "Écart": format_ecart(r.indicateur, r.difference) if tested else "–",
            "IC à 95 % de l'écart": format_intervalle(r.indicateur, r.ic_bas, r.ic_haut, ecart=True),
            "p ajustée (Holm)": formats.pvalue(r.p_ajustee),
            "Lecture": lecture_evolution(r.difference, r.p_ajustee, alpha=alpha),
        })
        rows.append(row)
    return pd.DataFrame(rows)


def tableau_distributions(comparaisons: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Display table of the Rao–Scott tests (``rao_scott_f`` rows) with their reading."""
    from ducos_lib.reports import formats

    c = comparaisons[comparaisons["methode"] == "rao_scott_f"]
    return pd.DataFrame([
        {"Question": LIBELLES_ITEMS.get(_item_of(r.indicateur), r.indicateur),
         "Période": f"{r.vague_a}\u00a0→\u00a0{r.vague_b}",
         "p": formats.pvalue(r.p_valeur), "p ajustée (Holm)": formats.pvalue(r.p_ajustee),
         "Lecture": lecture_distribution(r.p_ajustee, alpha=alpha)}
        for r in c.itertuples(index=False)
    ], columns=["Question", "Période", "p", "p ajustée (Holm)", "Lecture"])


def repartition_recommandation(
    designs: Mapping[str, SurveyDesign], *, alpha: float = 0.05
) -> pd.DataFrame:
    """Weighted shares of the 0–10 recommendation score in three bands, per wave.

    Bands: ``0 à 6`` (would rather not recommend), ``7 à 8`` (neutral), ``9 à 10`` (would
    recommend), the grouping used by the Net Promoter Score (Reichheld 2003); shares among
    respondents who gave a score, logit intervals.

    Returns
    -------
    DataFrame
        ``vague, tranche, part, ic_bas, ic_haut, n_repondants``.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard Business Review* 81(12).
    """
    bands = (("0 à 6", 0, 6), ("7 à 8", 7, 8), ("9 à 10", 9, 10))
    rows = []
    for wave, des in designs.items():
        v = (_to_float(des.data["recommandation"], "recommandation") if "recommandation" in des.data.columns
             else np.full(des.n, np.nan))
        for label, lo, hi in bands:
            y = np.where(np.isnan(v), np.nan, ((v >= lo) & (v <= hi)).astype(float))
            e = _single(des, "proportion", y, np.zeros(des.n, dtype=np.int64), alpha=alpha, ci="logit",
                        df=None, statistic="proportion", variable="recommandation")
            rows.append({"vague": wave, "tranche": label, "part": e.estimate, "ic_bas": e.ci_low,
                         "ic_haut": e.ci_high, "n_repondants": e.n})
    return pd.DataFrame(rows, columns=["vague", "tranche", "part", "ic_bas", "ic_haut", "n_repondants"])


def ecarts_groupes(
    estimations: pd.DataFrame,
    vague: str,
    *,
    indicateur: str = "satisfaction_globale_satisfaits",
    group_variables: Sequence[str] = ("service", "quartier", "tranche_age", "sexe"),
    config: Mapping | None = None,
) -> pd.DataFrame:
    """Groups whose confidence interval lies entirely above or below the overall estimate.

    A descriptive screen (no test): groups with fewer than ``seuil_masquage`` respondents are
    skipped, groups under ``seuil_signalement`` are kept with ``faible_effectif = True``.

    Returns
    -------
    DataFrame
        ``groupe_variable, groupe, estimation, ic_bas, ic_haut, n_repondants, ensemble, sens``
        (``"au-dessus"`` or ``"en dessous"``), ``faible_effectif``; sorted by breakdown then
        estimate.
    """
    cfg = _settings(config)
    overall = _row(estimations, vague, indicateur)
    cols = ["groupe_variable", "groupe", "estimation", "ic_bas", "ic_haut", "n_repondants", "ensemble",
            "sens", "faible_effectif"]
    if overall is None or pd.isna(overall["estimation"]):
        return pd.DataFrame(columns=cols)
    ref = float(overall["estimation"])
    sub = estimations[(estimations["vague"] == vague) & (estimations["indicateur"] == indicateur)
                      & estimations["groupe_variable"].isin(list(group_variables))
                      & (estimations["n_repondants"] >= int(cfg["seuil_masquage"]))
                      & estimations["estimation"].notna()].copy()
    sub["ensemble"] = ref
    sub["sens"] = np.where(sub["ic_bas"] > ref, "au-dessus", np.where(sub["ic_haut"] < ref, "en dessous", ""))
    sub["faible_effectif"] = sub["n_repondants"] < int(cfg["seuil_signalement"])
    out = sub[sub["sens"] != ""].sort_values(["groupe_variable", "estimation"], kind="stable")
    return out[cols].reset_index(drop=True)


def _liste(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


def constats_enquete(
    estimations: pd.DataFrame,
    comparaisons: pd.DataFrame,
    vague: str,
    *,
    marges: pd.DataFrame | None = None,
    diagnostics: pd.DataFrame | None = None,
    libelles_services: Mapping[str, str] | None = None,
    config: Mapping | None = None,
) -> list[str]:
    """Key findings of the usagers report, as French sentences built from the computed figures.

    Parameters
    ----------
    estimations, comparaisons : DataFrame
        The §4 tables (:func:`estimations_enquete`, :func:`comparaisons_enquete`).
    vague : str
        The milestone's wave (the last one).
    marges, diagnostics : DataFrame, optional
        :func:`marges_ponderation` and :func:`diagnostics_ponderation`, for the sentence on who
        answered and what weighting costs.
    libelles_services : mapping, optional
        ``code_service`` → label.

    Returns
    -------
    list of str
        Overall satisfaction (share satisfied, mean, taux net with CIs); strongest and weakest
        dimensions; evolution since each earlier wave (plain words, Holm-adjusted); groups clearly
        above or below the overall level; recommendation; representativeness and weighting.
        Sentences contain no HTML except ``<strong>``.
    """
    from ducos_lib.reports import formats

    cfg = _settings(config)
    alpha = float(cfg["alpha"])
    out: list[str] = []
    sat = _row(estimations, vague, "satisfaction_globale_satisfaits")
    moy = _row(estimations, vague, "satisfaction_globale_moyenne")
    net = _row(estimations, vague, "satisfaction_globale_taux_net")
    if sat is None or pd.isna(sat["estimation"]):
        return [f"Aucune réponse exploitable à l'enquête usagers pour la vague {vague}."]
    out.append(
        f"<strong>{format_valeur('satisfaction_globale_satisfaits', sat['estimation'])}</strong> des habitants "
        f"se disent satisfaits (plutôt ou très) du service municipal lors de la vague {vague} "
        f"(intervalle de confiance à 95 % : {format_intervalle('satisfaction_globale_satisfaits', sat['ic_bas'], sat['ic_haut'])}, "
        f"{formats.number(sat['n_repondants'])} réponses). Note moyenne : "
        f"{format_valeur('satisfaction_globale_moyenne', moy['estimation'])} sur 5 ; taux net de satisfaction "
        f"(satisfaits moins insatisfaits) : {format_valeur('satisfaction_globale_taux_net', net['estimation'])}."
    )
    items = []
    for item in LIKERT_ITEMS[1:]:
        r = _row(estimations, vague, f"{item}_satisfaits")
        if r is not None and pd.notna(r["estimation"]):
            items.append((float(r["estimation"]), item))
    if len(items) >= 2:
        items.sort()
        (lo_v, lo_i), (hi_v, hi_i) = items[0], items[-1]
        out.append(
            f"Point fort : <strong>{LIBELLES_ITEMS[hi_i].lower()}</strong> ({formats.percent(hi_v)} de satisfaits). "
            f"Point faible : <strong>{LIBELLES_ITEMS[lo_i].lower()}</strong> ({formats.percent(lo_v)} de satisfaits)."
        )
    diffs = comparaisons[(comparaisons["methode"] == "difference_z")
                         & (comparaisons["groupe_variable"] == "ensemble")] if len(comparaisons) else comparaisons
    if diffs is None or len(diffs) == 0:
        out.append(f"La vague {vague} est la première mesure : elle sert de point de départ. "
                   "Les évolutions seront mesurées à partir de la vague T6.")
    else:
        for wa in list(dict.fromkeys(diffs["vague_a"])):
            d = diffs[diffs["vague_a"] == wa]
            head = d[d["indicateur"] == "satisfaction_globale_satisfaits"]
            ups = d[(d["p_ajustee"] < alpha) & (d["difference"] > 0)]
            downs = d[(d["p_ajustee"] < alpha) & (d["difference"] < 0)]
            sentence = f"Depuis {wa} : "
            if len(head):
                h = head.iloc[0]
                sentence += (f"part de satisfaits {format_ecart(h['indicateur'], h['difference'])} "
                             f"({lecture_evolution(h['difference'], h['p_ajustee'], alpha=alpha)}). ")
            sentence += (f"Sur {len(d)} indicateurs, {len(ups)} en hausse significative, "
                         f"{len(downs)} en baisse significative"
                         + (", les autres sans changement démontré" if len(d) > len(ups) + len(downs) else "")
                         + " (p-valeurs ajustées par la méthode de Holm).")
            if len(downs):
                sentence += " Baisses : " + _liste([libelle_indicateur(i).lower() for i in downs["indicateur"]]) + "."
            out.append(sentence)
    gaps = ecarts_groupes(estimations, vague, config=cfg)
    for sens in ("en dessous", "au-dessus"):
        g = gaps[gaps["sens"] == sens]
        if len(g):
            names = [
                f"{libelle_groupe(r.groupe_variable, str(r.groupe), libelles_services)} "
                f"({formats.percent(r.estimation)}{', faible effectif' if r.faible_effectif else ''})"
                for r in g.itertuples(index=False)
            ]
            out.append(
                f"Nettement {sens} de la moyenne communale ({formats.percent(gaps['ensemble'].iloc[0])} de "
                f"satisfaits, intervalle de confiance entièrement {sens}) : " + _liste(names) + "."
            )
    rec = _row(estimations, vague, "recommandation_moyenne")
    if rec is not None and pd.notna(rec["estimation"]):
        out.append(f"Les habitants donnent en moyenne <strong>{format_valeur('recommandation_moyenne', rec['estimation'])} "
                   f"sur 10</strong> à la question « recommanderiez-vous les services de la mairie ? » "
                   f"({format_intervalle('recommandation_moyenne', rec['ic_bas'], rec['ic_haut'])}).")
    if marges is not None and len(marges):
        m = marges[marges["vague"] == vague].copy()
        if len(m):
            m["ecart"] = m["part_brute"] - m["part_population"]
            worst = m.loc[m["ecart"].abs().idxmax()]
            label = libelle_groupe(worst["variable"], str(worst["modalite"]))
            phrase = (f"Les répondants ne ressemblent pas tout à fait à la population : par exemple, la catégorie "
                      f"« {label} » ({LIBELLES_GROUPES.get(worst['variable'], worst['variable']).lower()}) représente "
                      f"{formats.percent(worst['part_brute'])} des répondants contre "
                      f"{formats.percent(worst['part_population'])} des habitants. La pondération corrige ces écarts")
            if diagnostics is not None and len(diagnostics[diagnostics["vague"] == vague]):
                dg = diagnostics[diagnostics["vague"] == vague].iloc[0]
                phrase += (f" ; elle coûte de la précision : les {formats.number(dg['n_repondants'])} réponses valent "
                           f"autant qu'un échantillon d'environ {formats.number(dg['n_effectif'])} personnes "
                           "tirées au hasard")
            out.append(phrase + ".")
    return out


def pistes_enquete(
    estimations: pd.DataFrame,
    comparaisons: pd.DataFrame,
    vague: str,
    *,
    libelles_services: Mapping[str, str] | None = None,
    config: Mapping | None = None,
) -> list[str]:
    """What the survey data suggest acting on, as cautious French sentences.

    Rules: the dimension with the lowest taux net is the first lever; dimensions in significant
    decline are named; services whose share satisfied is clearly below the overall level (CI
    entirely below, at least ``seuil_masquage`` respondents) are proposed for a closer look, with
    the small-sample caveat; strong dimensions are named as practices to keep. A final sentence
    recalls that the survey describes and does not explain.
    """
    from ducos_lib.reports import formats

    cfg = _settings(config)
    alpha = float(cfg["alpha"])
    out: list[str] = []
    nets = []
    for item in LIKERT_ITEMS[1:]:
        r = _row(estimations, vague, f"{item}_taux_net")
        if r is not None and pd.notna(r["estimation"]):
            nets.append((float(r["estimation"]), item))
    nets.sort()
    if nets:
        v, item = nets[0]
        out.append(f"Priorité suggérée : <strong>{LIBELLES_ITEMS[item].lower()}</strong>, la dimension au taux net "
                   f"de satisfaction le plus bas ({formats.points(v)})"
                   + (", avec autant ou plus d'insatisfaits que de satisfaits." if v <= 0 else "."))
    if len(comparaisons):
        d = comparaisons[(comparaisons["methode"] == "difference_z") & (comparaisons["groupe_variable"] == "ensemble")
                         & (comparaisons["p_ajustee"] < alpha) & (comparaisons["difference"] < 0)]
        if len(d):
            out.append("À surveiller : " + _liste(sorted({libelle_indicateur(i).lower() for i in d["indicateur"]}))
                       + " ont baissé de façon significative.")
    gaps = ecarts_groupes(estimations, vague, group_variables=("service",), config=cfg)
    low = gaps[gaps["sens"] == "en dessous"]
    if len(low):
        names = [libelle_groupe("service", str(g), libelles_services) for g in low["groupe"]]
        out.append("Services à examiner avec leurs responsables (satisfaction nettement inférieure à la moyenne) : "
                   + _liste(names) + (". Certains reposent sur peu de réponses : à confirmer à la vague suivante."
                                      if low["faible_effectif"].any() else "."))
    if len(nets) >= 2:
        v, item = nets[-1]
        out.append(f"À préserver : {LIBELLES_ITEMS[item].lower()} (taux net {formats.points(v)}), "
                   "point d'appui pour les immersions et le guide des pratiques.")
    out.append("Ces pistes décrivent des écarts mesurés ; elles n'en donnent pas la cause. Les commentaires des "
               "habitants et les fiches d'immersion aident à les comprendre.")
    return out


def commentaires_par_vague(enquete: pd.DataFrame, waves: Sequence[str] | None = None) -> pd.DataFrame:
    """Respondents and non-empty comments per wave: ``vague, n_repondants, n_commentaires, part``."""
    waves = list(waves) if waves is not None else _wave_order(enquete["vague"].dropna().astype(str).unique())
    has = (enquete["commentaire"].astype("str").str.strip().ne("") & enquete["commentaire"].notna()
           if "commentaire" in enquete.columns else pd.Series(False, index=enquete.index))
    rows = []
    for w in waves:
        m = (enquete["vague"].astype(str) == w).to_numpy()
        n, c = int(m.sum()), int(has[m].sum())
        rows.append({"vague": w, "n_repondants": n, "n_commentaires": c, "part": c / n if n else np.nan})
    return pd.DataFrame(rows, columns=["vague", "n_repondants", "n_commentaires", "part"])


def themes_commentaires_enquete(
    enquete: pd.DataFrame,
    waves: Sequence[str] | None = None,
    *,
    codebook: Any = None,
    roster: Any = None,
    n_examples: int = 2,
):
    """Themes of the residents' comments per wave, coded with the residents' codebook.

    Parameters
    ----------
    enquete : DataFrame
        Processed ``enquete_usagers`` (``vague``, ``commentaire``).
    waves : sequence of str, optional
        Waves kept (default: all, in milestone order).
    codebook : ducos_lib.text.Codebook, optional
        Defaults to the residents' codebook named in ``config/observatoire.yml``
        (``textes.codebook_usagers``), never the staff codebook of the immersion forms.
    roster : Roster or names, optional
        Names to redact in the examples (HR roster).

    Returns
    -------
    ducos_lib.text.CommentThemes
        ``counts`` (``groupe`` = wave), redacted ``examples`` and ``codebook_version``.
    """
    from ducos_lib import text

    codebook = codebook if codebook is not None else text.load_codebook(text.codebook_path("usagers"))
    waves = list(waves) if waves is not None else _wave_order(enquete["vague"].dropna().astype(str).unique())
    comments = enquete["commentaire"] if "commentaire" in enquete.columns else pd.Series(None, index=enquete.index,
                                                                                            dtype=object)
    vague = enquete["vague"].astype("string")
    keep = vague.isin(waves).fillna(False).to_numpy(dtype=bool)
    return text.themes_commentaires(comments[keep], vague[keep].astype(object), codebook=codebook,
                                    n_examples=n_examples, roster=roster)


def tableau_themes(counts: pd.DataFrame, labels: Mapping[str, str], waves: Sequence[str]) -> pd.DataFrame:
    """Comment themes (rows) × waves (columns) as ``31,3 % (61)``, themes never mentioned left out.

    ``counts`` is ``text.themes_commentaires(...).counts`` (``groupe, theme, n_commentaires,
    n_total, part``) with the wave as group; rows are sorted by the last wave's share.
    """
    from ducos_lib.reports import formats

    used = counts.groupby("theme")["n_commentaires"].sum()
    used = used[used > 0].index
    c = counts[counts["theme"].isin(used)]
    last = list(waves)[-1]
    order = (c[c["groupe"] == last].sort_values("part", ascending=False, kind="stable")["theme"].tolist()
             + [t for t in used if t not in set(c[c["groupe"] == last]["theme"])])
    rows = []
    for theme in dict.fromkeys(order):
        row = {"Thème": labels.get(theme, theme)}
        for w in waves:
            r = c[(c["theme"] == theme) & (c["groupe"] == w)]
            row[f"Vague {w}"] = (f"{formats.percent(r['part'].iloc[0], 0)} ({formats.number(r['n_commentaires'].iloc[0])})"
                                 if len(r) else "–")
        rows.append(row)
    return pd.DataFrame(rows, columns=["Thème"] + [f"Vague {w}" for w in waves])
