"""Tests and comparisons (R: ``svychisq``; differences between independent samples)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse, stats

from ._util import SurveyError, choice, compact, resolve
from .design import SurveyDesign
from .results import Comparison, Estimate, TestResult
from .variance import vcov


def compare(a: Estimate, b: Estimate, *, alpha: float = 0.05) -> Comparison:
    """Difference ``b - a`` of two estimates from independent samples (e.g. two survey waves).

    ``se = sqrt(se_a² + se_b²)``; normal (Wald) confidence interval and two-sided p-value.

    References
    ----------
    Lumley, T. (2010). Complex Surveys, §3.3 (contrasts). Wiley.
    """
    r = compare_arrays(
        np.array([a.estimate]), np.array([a.se]), np.array([b.estimate]), np.array([b.se]), alpha
    )
    return Comparison(
        estimate_a=a.estimate,
        estimate_b=b.estimate,
        estimate=float(r["difference"][0]),
        se=float(r["se"][0]),
        ci_low=float(r["ci_low"][0]),
        ci_high=float(r["ci_high"][0]),
        statistic=float(r["statistic"][0]),
        pvalue=float(r["pvalue"][0]),
        alpha=alpha,
    )


def compare_arrays(est_a, se_a, est_b, se_b, alpha: float = 0.05) -> dict[str, np.ndarray]:
    """Vectorised :func:`compare`: ``difference, se, ci_low, ci_high, statistic, pvalue``."""
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
        "pvalue": p,
    }


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
    statistic : {"F", "Chisq"}
        R's spellings (``chisq`` is accepted too). ``F`` (default, as R): second-order correction,
        ``F = X² / tr(Δ)`` referred to ``F(d, d ν)`` with ``d = tr(Δ)² / tr(Δ²)`` and ``ν`` the
        design degrees of freedom. ``Chisq``: first-order correction, ``X² / mean(δ)`` referred to
        ``χ²((r-1)(c-1))``.

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
    statistic = choice(statistic, ("F", "Chisq"), "Statistique", {"chisq": "Chisq", "f": "F"})
    if getattr(des, "is_replicate", False):
        raise SurveyError("Le test de Rao–Scott n'est disponible que pour un plan linéarisé (pas de poids répliqués).")
    r = resolve(des.data, row, "ligne", des.index)
    c = resolve(des.data, col, "colonne", des.index)
    ok = (~r.isna() & ~c.isna()).to_numpy()
    rc, _ = pd.factorize(r.where(ok), sort=True)
    cc, _ = pd.factorize(c.where(ok), sort=True)
    rc = np.where(ok, rc, -1)
    cc = np.where(ok, cc, -1)
    # drop empty categories
    rc = compact(rc)
    cc = compact(cc)
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

