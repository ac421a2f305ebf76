"""Design-based generalised linear models (R: ``svyglm``).

Coefficients solve the weighted score equations (iteratively reweighted least squares with the
sampling weights as prior weights); their covariance is the sandwich ``A^-1 B A^-1`` whose middle
is the design variance of the score totals (R's ``svy.varcoef``: ``svyrecvar(estfun %*% Ainv)``),
so strata, clusters, fpc and calibration are accounted for. Residual degrees of freedom are R's:
``degf(design) + 1 - p`` (of the design restricted to the complete rows), used for Student's t
tests and intervals as ``summary.svyglm`` and ``confint.svyglm``.

References
----------
Binder, D. A. (1983). On the variances of asymptotically normal estimators from complex surveys.
International Statistical Review 51, 279-292.
Lumley, T. & Scott, A. (2017). Fitting regression models to survey data. Statistical Science 32.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._blocks import OneHot
from ._util import SurveyError, choice, name_of, resolve, to_float
from .variance import vcov

FAMILIES = ("gaussian", "quasibinomial")
FAMILY_ALIASES = {"binomial": "quasibinomial", "logistic": "quasibinomial", "logit": "quasibinomial",
                  "linear": "gaussian"}


@dataclass(frozen=True)
class GlmResult:
    """A fitted design-based GLM.

    Attributes
    ----------
    terms : tuple of str
        ``(Intercept)``, numeric predictors, and ``<factor><level>`` dummies (R's names).
    estimate, se, statistic, pvalue, ci_low, ci_high : ndarray
        Per term: coefficient, design-based SE, t statistic, two-sided p-value (t with
        ``df_residual``), interval at level ``1 - alpha``.
    df_residual : float
    family : str
    method : str
        ``svyglm_linearisation`` or ``svyglm_replicate``.
    alpha : float
    n : int
        Complete rows used.
    cov : ndarray
        Covariance matrix of the coefficients.
    """

    terms: tuple
    estimate: np.ndarray = field(repr=False)
    se: np.ndarray = field(repr=False)
    statistic: np.ndarray = field(repr=False)
    pvalue: np.ndarray = field(repr=False)
    ci_low: np.ndarray = field(repr=False)
    ci_high: np.ndarray = field(repr=False)
    df_residual: float
    family: str
    method: str
    alpha: float
    n: int
    cov: np.ndarray = field(repr=False)

    def to_frame(self, exponentiate: bool = False) -> pd.DataFrame:
        """One row per term; ``exponentiate=True`` adds ``odds_ratio`` and its interval (``or_*``)."""
        out = pd.DataFrame({
            "term": list(self.terms), "estimate": self.estimate, "se": self.se, "statistic": self.statistic,
            "pvalue": self.pvalue, "ci_low": self.ci_low, "ci_high": self.ci_high,
        })
        if exponentiate:
            out["odds_ratio"] = np.exp(self.estimate)
            out["or_ci_low"] = np.exp(self.ci_low)
            out["or_ci_high"] = np.exp(self.ci_high)
        out["method"] = self.method
        return out


@dataclass(frozen=True)
class _Term:
    name: str
    values: np.ndarray  # numeric values, or factor codes (-1 when missing)
    levels: tuple | None  # factor levels (sorted), None for a numeric predictor
    key: np.ndarray  # code of each row's distinct value (to find covariate patterns)


def _terms(des, predictors: Sequence[Any]) -> tuple[list[_Term], np.ndarray]:
    """The predictors (factors with R's treatment contrasts, first sorted level as reference) and
    the rows missing any of them."""
    missing = np.zeros(des.n, dtype=bool)
    terms = []
    for p in predictors:
        s = resolve(des.data, p, "prédicteur", des.index)
        nm = name_of(p)
        missing |= s.isna().to_numpy()
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            x = to_float(s, nm)
            terms.append(_Term(nm, x, None, pd.factorize(x)[0]))
        else:
            codes, levels = pd.factorize(s, sort=True)
            terms.append(_Term(nm, codes, tuple(levels), codes))
    return terms, missing


def _model_matrix(terms: list[_Term], rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """R's model matrix on the given rows: intercept, numeric predictors, factor dummies."""
    cols, names = [np.ones(rows.size)], ["(Intercept)"]
    for t in terms:
        if t.levels is None:
            cols.append(t.values[rows])
            names.append(t.name)
        else:
            codes = t.values[rows]
            for j, lev in enumerate(t.levels[1:], start=1):
                cols.append((codes == j).astype(float))
                names.append(f"{t.name}{lev}")
    return np.column_stack(cols), names


def _patterns(keys: list, rows: np.ndarray) -> tuple[np.ndarray, int] | None:
    """Covariate pattern of each used row when there are few of them (None otherwise)."""
    if not keys:
        return np.zeros(rows.size, dtype=np.int64), 1
    sizes = [int(k[rows].max()) + 1 for k in keys]
    if np.prod(np.asarray(sizes, dtype=float)) > 2**62:
        return None
    flat = np.ravel_multi_index([k[rows] for k in keys], sizes) if len(keys) > 1 else keys[0][rows]
    key, uniq = pd.factorize(flat)
    return (key.astype(np.int64), len(uniq)) if len(uniq) <= rows.size // 4 else None


def _irls(Xp, key, y, w, family: str, max_iter: int = 25, tol: float = 1e-8):
    """Fit as R's ``glm.fit`` on rows grouped by covariate pattern (``Xp[key]`` is the model matrix).

    Returns the coefficients, ``Ainv`` (unscaled covariance) and each row's score factor, as R's
    ``svy.varcoef`` uses them (working weights of the last iteration, deviance tolerance ``1e-8``):
    the score of row ``i`` is ``x_i`` times the returned factor. Sums over the rows of a pattern are
    bincounts, so millions of rows with a few patterns cost little.
    """
    P = Xp.shape[0]

    def summed(values):
        return np.bincount(key, weights=values, minlength=P)

    if family == "gaussian":
        A = (Xp.T * summed(w)) @ Xp
        beta = np.linalg.solve(A, Xp.T @ summed(w * y))
        return beta, np.linalg.inv(A), w * (y - (Xp @ beta)[key])
    ws = w / w.mean()  # svyglm rescales the weights to mean 1 (rescale=TRUE)
    mu = (ws * y + 0.5) / (ws + 1)  # binomial()$initialize, row by row
    eta = np.log(mu / (1 - mu))
    with np.errstate(divide="ignore", invalid="ignore"):
        saturated = np.sum(ws * (np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0)
                                 + np.where(y < 1, (1 - y) * np.log(np.where(y < 1, 1 - y, 1)), 0)))
    w_p, wy_p = summed(ws), summed(ws * y)
    dev_old = np.inf
    eta_p = np.zeros(P)  # set by the first iteration, read from the second on
    for it in range(max_iter):
        if it == 0:  # starting values differ within a pattern: sums over the rows
            m = 1 / (1 + np.exp(-eta))
            var = m * (1 - m)
            wt_p, wtz_p = summed(ws * var), summed(ws * var * eta + ws * (y - m))
        else:  # afterwards mu is a function of the pattern
            m = 1 / (1 + np.exp(-eta_p))
            var_p = m * (1 - m)
            wt_p, wtz_p = w_p * var_p, w_p * var_p * eta_p + (wy_p - w_p * m)
        A = (Xp.T * wt_p) @ Xp
        beta = np.linalg.solve(A, Xp.T @ wtz_p)
        eta_p = Xp @ beta
        mu_p = 1 / (1 + np.exp(-eta_p))
        dev = -2 * (np.sum(wy_p * np.log(mu_p) + (w_p - wy_p) * np.log(1 - mu_p)) - saturated)
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            break
        dev_old = dev
    lag = np.divide(wt_p, w_p, out=np.zeros_like(wt_p), where=w_p > 0)  # working weight / prior, per pattern
    # score factor: w (y - mu) / (mu (1 - mu)) * lagged variance, on the original weight scale
    factor = w * (y - mu_p[key]) / (mu_p * (1 - mu_p))[key] * lag[key]
    return beta, np.linalg.inv(A) / w.mean(), factor


def svyglm(
    des,
    response: Any,
    predictors: Sequence[Any],
    *,
    family: str = "gaussian",
    alpha: float = 0.05,
) -> GlmResult:
    """Fit a design-based GLM (R: ``svyglm``).

    Parameters
    ----------
    des : SurveyDesign or ReplicateDesign
    response : str or array-like
        Numeric response; for ``quasibinomial`` a 0/1 (or boolean) variable or a proportion.
    predictors : sequence of str or array-like
        Numeric predictors enter as they are; others as factors with treatment contrasts (first
        sorted level as reference, R's default). An intercept is always included.
    family : {"gaussian", "quasibinomial"}
        ``gaussian`` (identity link, alias ``linear``) or ``quasibinomial`` (logit link, aliases
        ``binomial``, ``logistic``): R's ``family=quasibinomial()``, the usual logistic regression
        of survey data (same coefficients as ``binomial``, no warning on non-integer weights).
    alpha : float

    Returns
    -------
    GlmResult

    Notes
    -----
    Rows missing the response or a predictor are left out of the fit but not of the design (R's
    ``na.omit`` then ``design[-nas, ]``, a domain): their score is zero and the residual degrees of
    freedom are those of the complete rows. With a replicate design the model is refitted with each
    replicate's weights (R's ``svyglm.svyrep.design``).
    """
    family = choice(family, FAMILIES, "Famille", FAMILY_ALIASES)
    y = to_float(resolve(des.data, response, "réponse", des.index), name_of(response))
    terms, missing = _terms(des, predictors)
    missing |= np.isnan(y)
    rows = np.flatnonzero(~missing & (des.weights > 0))
    yr, wr = y[rows], des.weights[rows]
    if family == "quasibinomial" and np.any((yr < 0) | (yr > 1)):
        raise SurveyError("La régression logistique demande une réponse entre 0 et 1 (0/1 ou booléenne).")
    found = _patterns([t.key for t in terms], rows)
    if found is None:
        key = np.arange(rows.size)
        Xp, names = _model_matrix(terms, rows)
    else:
        key, n_pat = found
        first = np.empty(n_pat, dtype=np.int64)
        first[key[::-1]] = np.arange(rows.size - 1, -1, -1)  # first row of each pattern
        Xp, names = _model_matrix(terms, rows[first])
    if np.linalg.matrix_rank((Xp.T * np.bincount(key, weights=wr, minlength=Xp.shape[0])) @ Xp) < Xp.shape[1]:
        raise SurveyError("Les prédicteurs sont colinéaires (ou une modalité n'a aucun répondant).")
    beta, ainv, factor = _irls(Xp, key, yr, wr, family)
    if getattr(des, "is_replicate", False):
        thetas = np.array([_irls(Xp, key, yr, des.repweights[rows, r], family)[0] for r in range(des.n_replicates)])
        cov = des.variance(thetas, beta)
        method = "svyglm_replicate"
        degf = des.degrees_of_freedom
    else:
        XA = Xp @ ainv  # influence of row i: factor_i * XA[key_i]
        if found is not None:  # V(Z T) = T' V(Z) T with Z the pattern indicators times the factor
            codes = np.zeros(des.n, dtype=np.int64)  # unused rows: value 0
            codes[rows] = key
            values = np.zeros(des.n)
            values[rows] = factor
            cov = XA.T @ vcov(des, OneHot(codes, values, Xp.shape[0])) @ XA
        else:
            infl = np.zeros((des.n, Xp.shape[1]))
            infl[rows] = XA * factor[:, None]
            cov = vcov(des, infl)
        method = "svyglm_linearisation"
        degf = des.domain_degrees_of_freedom(~missing)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    df_res = float(degf + 1 - Xp.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        tstat = beta / se
    p = 2 * stats.t.sf(np.abs(tstat), df_res)
    q = stats.t.ppf(1 - alpha / 2, df_res)
    return GlmResult(tuple(names), beta, se, tstat, p, beta - q * se, beta + q * se, df_res, family, method, alpha,
                     int(rows.sum()), cov)

