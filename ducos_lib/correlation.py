"""Spearman's rank correlation with a bootstrap confidence interval and a permutation p-value.

Used across services by :mod:`ducos_lib.linkage` (DESIGN §5 *Quality ↔ performance*): with a dozen
services, the interval comes from resampling the services and the p-value from shuffling them, both
drawn from a fixed seed so that a rerun gives the same figures.

References
----------
.. [1] Spearman, C. (1904). The proof and measurement of association between two things.
   *American Journal of Psychology* 15, 72–101.
.. [2] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall
   (percentile interval ch. 13, BCa interval ch. 14).
.. [3] Phipson, B. & Smyth, G. K. (2010). Permutation p-values should never be zero.
   *Statistical Applications in Genetics and Molecular Biology* 9(1), art. 39.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

CI_METHODS = ("percentile", "bca")
#: Draws and seed when neither the call nor ``qualite_performance`` in the configuration gives them.
DEFAULTS = {"n_bootstrap": 2000, "n_permutations": 2000, "graine": 20261126}


def _defaults(config: Mapping[str, Any] | None) -> dict[str, Any]:
    if config is None:
        from .config import load_config

        config = load_config().get("qualite_performance", {})
    return {**DEFAULTS, **dict(config or {})}


def _rowwise_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row of ``a`` with the same row of ``b`` (NaN if constant)."""
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    num = np.einsum("ij,ij->i", a, b)
    den = np.sqrt(np.einsum("ij,ij->i", a, a) * np.einsum("ij,ij->i", b, b))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = num / den
    r[~(den > 1e-12)] = np.nan
    return np.clip(r, -1.0, 1.0)


def _complete(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype="float64").ravel()
    y = np.asarray(y, dtype="float64").ravel()
    if x.shape != y.shape:
        raise ValueError(f"Séries de longueurs différentes : {x.size} et {y.size}.")
    ok = ~(np.isnan(x) | np.isnan(y))
    return x[ok], y[ok]


def spearman(x: Any, y: Any) -> float:
    """Spearman's rho on the pairwise complete observations (average ranks for ties).

    Equals :func:`scipy.stats.spearmanr` on the complete pairs; NaN with fewer than 3 pairs or a
    constant series.
    """
    x, y = _complete(x, y)
    if x.size < 3:
        return float("nan")
    return float(_rowwise_pearson(stats.rankdata(x)[None, :], stats.rankdata(y)[None, :])[0])


@dataclass(frozen=True)
class SpearmanResult:
    """Spearman correlation with its bootstrap interval and permutation p-value.

    Attributes
    ----------
    estimate : float
        Spearman's rho.
    ci_low, ci_high : float
        Bootstrap confidence interval (``ci_method``) at level ``1 - alpha``.
    pvalue : float
        Two-sided permutation p-value, (count + 1) / (n_permutations + 1).
    n : int
        Complete pairs (services).
    alpha : float
    ci_method : str
    n_bootstrap, n_permutations : int
    n_bootstrap_valid : int
        Resamples whose rho is defined (a resample with a constant series is dropped).
    method : str
    """

    estimate: float
    ci_low: float
    ci_high: float
    pvalue: float
    n: int
    alpha: float
    ci_method: str
    n_bootstrap: int
    n_permutations: int
    n_bootstrap_valid: int
    method: str = "spearman"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([self.__dict__])


def _generators(seed: int, key: str) -> tuple[np.random.Generator, np.random.Generator]:
    """Two independent generators (bootstrap, permutations) from the seed and a pair's name.

    Deriving them from the pair's name makes each pair's results independent of which other pairs
    are analysed, and of their order.
    """
    h = zlib.crc32(key.encode("utf-8"))
    return (np.random.default_rng([int(seed), 0, h]), np.random.default_rng([int(seed), 1, h]))


def _bootstrap_interval(boot: np.ndarray, rho: float, x: np.ndarray, y: np.ndarray, alpha: float,
                        method: str) -> tuple[float, float]:
    q = np.array([alpha / 2, 1 - alpha / 2])
    if method == "bca":
        n = x.size
        jack = np.array([spearman(np.delete(x, i), np.delete(y, i)) for i in range(n)])
        jack = jack[~np.isnan(jack)]
        share = (np.sum(boot < rho) + 0.5 * np.sum(boot == rho)) / boot.size
        if jack.size >= 3 and 0 < share < 1:
            z0 = stats.norm.ppf(share)
            d = jack.mean() - jack
            den = 6.0 * np.sum(d ** 2) ** 1.5
            a = np.sum(d ** 3) / den if den > 0 else 0.0
            z = stats.norm.ppf(q)
            adjusted = stats.norm.cdf(z0 + (z0 + z) / (1 - a * (z0 + z)))
            if np.all(np.isfinite(adjusted)):
                q = adjusted
        # otherwise (all resamples on one side of rho): the percentile interval is used.
    lo, hi = np.quantile(boot, q)
    return float(lo), float(hi)


def spearman_correlation(x: Any, y: Any, *, n_bootstrap: int | None = None,
                         n_permutations: int | None = None, seed: int | None = None,
                         alpha: float = 0.05, ci_method: str = "percentile", key: str = "",
                         config: Mapping[str, Any] | None = None) -> SpearmanResult:
    """Spearman's rho with a bootstrap CI over services and a permutation p-value.

    Parameters
    ----------
    x, y : array-like
        One value per service (NaN = missing: only complete pairs are used).
    n_bootstrap, n_permutations, seed : int, optional
        Defaults from ``qualite_performance`` in the configuration (2000, 2000, fixed seed).
    alpha : float, default 0.05
        1 − confidence level.
    ci_method : {"percentile", "bca"}
        Bootstrap interval: percentile, or bias-corrected and accelerated (jackknife acceleration;
        falls back to percentile when the bias correction is undefined).
    key : str
        Name mixed into the seed (see :func:`ducos_lib.linkage.quality_staff_correlations`), so that two pairs
        analysed with one seed do not share their random draws.
    config : mapping, optional
        The ``qualite_performance`` section.

    Returns
    -------
    SpearmanResult
        Everything NaN but ``n`` when fewer than 3 complete pairs or a constant series.

    Notes
    -----
    Vectorised: the B bootstrap resamples of services are drawn at once (B × n index matrix),
    ranked row-wise (average ranks) and correlated row-wise; the permutation test shuffles the
    ranks of ``y`` within each of P rows against the fixed ranks of ``x``. Two-sided p-value:
    (#{|rho*| ≥ |rho|} + 1) / (P + 1), never zero (Phipson & Smyth 2010).

    References
    ----------
    Efron & Tibshirani (1993), ch. 13–14; Phipson & Smyth (2010).

    Examples
    --------
    >>> r = spearman_correlation([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], n_bootstrap=200,
    ...                          n_permutations=200, seed=1)
    >>> round(r.estimate, 4), r.n
    (0.8286, 6)
    """
    if ci_method not in CI_METHODS:
        raise ValueError(f"Méthode d'intervalle inconnue : {ci_method!r} "
                         f"(valeurs permises : {', '.join(CI_METHODS)}).")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha invalide : {alpha!r} (attendu entre 0 et 1, ex. 0.05).")
    cfg = _defaults(config)
    B = int(n_bootstrap if n_bootstrap is not None else cfg["n_bootstrap"])
    P = int(n_permutations if n_permutations is not None else cfg["n_permutations"])
    seed = int(seed if seed is not None else cfg["graine"])
    x, y = _complete(x, y)
    n = int(x.size)
    nan = float("nan")
    rho = spearman(x, y) if n >= 3 else nan
    if math.isnan(rho):
        return SpearmanResult(nan, nan, nan, nan, n, alpha, ci_method, B, P, 0)
    rng_b, rng_p = _generators(seed, key)
    idx = rng_b.integers(0, n, size=(B, n))
    boot = _rowwise_pearson(stats.rankdata(x[idx], axis=1), stats.rankdata(y[idx], axis=1))
    boot = boot[~np.isnan(boot)]
    lo, hi = _bootstrap_interval(boot, rho, x, y, alpha, ci_method) if boot.size else (nan, nan)
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    perm = rng_p.permuted(np.broadcast_to(ry, (P, n)), axis=1)
    rperm = _rowwise_pearson(np.broadcast_to(rx, (P, n)), perm)
    extremes = int(np.sum(np.abs(rperm) >= abs(rho) - 1e-12))
    p = (extremes + 1) / (P + 1)
    return SpearmanResult(rho, lo, hi, float(p), n, alpha, ci_method, B, P, int(boot.size))
