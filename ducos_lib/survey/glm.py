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


def _model_matrix(des, predictors: Sequence[Any]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """R's treatment-contrast model matrix (first sorted level as reference); rows with NA flagged."""
    n = des.n
    cols, names = [np.ones(n)], ["(Intercept)"]
    missing = np.zeros(n, dtype=bool)
    for p in predictors:
        s = resolve(des.data, p, "prédicteur", des.index)
        nm = name_of(p)
        missing |= s.isna().to_numpy()
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            cols.append(to_float(s, nm))
            names.append(nm)
        else:
            levels = sorted(pd.unique(s.dropna()).tolist(), key=str)
            for lev in levels[1:]:
                cols.append((s == lev).to_numpy(dtype=float))
                names.append(f"{nm}{lev}")
    X = np.column_stack(cols)
    return X, names, missing


def _irls(X, y, w, family: str, max_iter: int = 25, tol: float = 1e-8):
    """Weighted fit as R's ``glm.fit``; returns coefficients, ``Ainv`` (unscaled covariance) and the
    score factor ``w (y - mu)`` times the working weights' lag, exactly as R's ``svy.varcoef`` uses
    them (working weights of the last iteration, deviance tolerance ``1e-8``)."""
    if family == "gaussian":
        XtW = X.T * w
        A = XtW @ X
        beta = np.linalg.solve(A, XtW @ y)
        return beta, np.linalg.inv(A), w * (y - X @ beta)
    ws = w / w.mean()  # svyglm rescales the weights to mean 1 (rescale=TRUE)
    mu = (ws * y + 0.5) / (ws + 1)  # binomial()$initialize
    eta = np.log(mu / (1 - mu))
    dev_old = np.inf
    for _ in range(max_iter):
        mu = 1 / (1 + np.exp(-eta))
        var = mu * (1 - mu)
        wt = ws * var  # working weights (mu.eta^2 / variance)
        z = eta + (y - mu) / var
        A = (X.T * wt) @ X
        beta = np.linalg.solve(A, (X.T * wt) @ z)
        eta = X @ beta
        mu_new = 1 / (1 + np.exp(-eta))
        with np.errstate(divide="ignore", invalid="ignore"):
            dev = -2 * np.sum(ws * (np.where(y > 0, y * np.log(mu_new / np.where(y > 0, y, 1)), 0)
                                    + np.where(y < 1, (1 - y) * np.log((1 - mu_new) / np.where(y < 1, 1 - y, 1)), 0)))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            break
        dev_old = dev
    mu = 1 / (1 + np.exp(-eta))
    working_resid = (y - mu) / (mu * (1 - mu))
    # scores and Ainv on the original weight scale (the rescaling cancels in the sandwich)
    return beta, np.linalg.inv(A) / w.mean(), w.mean() * working_resid * wt


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
    X, names, missing = _model_matrix(des, predictors)
    missing |= np.isnan(y)
    rows = ~missing & (des.weights > 0)
    if family == "quasibinomial" and np.any((y[rows] < 0) | (y[rows] > 1)):
        raise SurveyError("La régression logistique demande une réponse entre 0 et 1 (0/1 ou booléenne).")
    Xr, yr, wr = X[rows], y[rows], des.weights[rows]
    if np.linalg.matrix_rank(Xr) < Xr.shape[1]:
        raise SurveyError("Les prédicteurs sont colinéaires (ou une modalité n'a aucun répondant).")
    beta, ainv, score = _irls(Xr, yr, wr, family)
    if getattr(des, "is_replicate", False):
        thetas = np.array([_irls(Xr, yr, des.repweights[rows, r], family)[0] for r in range(des.n_replicates)])
        cov = des.variance(thetas, beta)
        method = "svyglm_replicate"
        degf = des.degrees_of_freedom
    else:
        infl = np.zeros((des.n, X.shape[1]))
        infl[rows] = (Xr * score[:, None]) @ ainv
        cov = vcov(des, infl)
        method = "svyglm_linearisation"
        degf = des.domain_degrees_of_freedom(~missing)
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    df_res = float(degf + 1 - X.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):
        tstat = beta / se
    p = 2 * stats.t.sf(np.abs(tstat), df_res)
    q = stats.t.ppf(1 - alpha / 2, df_res)
    return GlmResult(tuple(names), beta, se, tstat, p, beta - q * se, beta + q * se, df_res, family, method, alpha,
                     int(rows.sum()), cov)

