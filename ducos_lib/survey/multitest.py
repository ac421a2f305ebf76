"""Multiple-testing adjustment: ONE registry of methods with their aliases, used by every module.

In the spirit of statsmodels' ``stats/multitest.py``: each method has a canonical name and
aliases (R's ``p.adjust`` spellings and statsmodels' ``multipletests`` ones mean the same thing),
and :func:`adjust_pvalues` returns the same values as both.

References
----------
Bonferroni, C. E. (1936). Teoria statistica delle classi e calcolo delle probabilità.
Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Statist. 6, 65-70.
Hochberg, Y. (1988). A sharper Bonferroni procedure for multiple tests of significance.
Biometrika 75, 800-802.
Hommel, G. (1988). A stagewise rejective multiple test procedure based on a modified Bonferroni
test. Biometrika 75, 383-386.
Šidák, Z. (1967). Rectangular confidence regions for the means of multivariate normal
distributions. JASA 62, 626-633.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. JRSS B 57(1), 289-300.
Benjamini, Y. & Yekutieli, D. (2001). The control of the false discovery rate in multiple testing
under dependency. Annals of Statistics 29, 1165-1188.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._util import SurveyError


def _bonferroni(p: np.ndarray) -> np.ndarray:
    return p.size * p


def _sidak(p: np.ndarray) -> np.ndarray:
    return -np.expm1(p.size * np.log1p(-p))


def _holm(ps: np.ndarray) -> np.ndarray:  # sorted input from here on
    m = ps.size
    return np.maximum.accumulate((m - np.arange(m)) * ps)


def _holm_sidak(ps: np.ndarray) -> np.ndarray:
    m = ps.size
    return np.maximum.accumulate(-np.expm1((m - np.arange(m)) * np.log1p(-ps)))


def _hochberg(ps: np.ndarray) -> np.ndarray:
    m = ps.size
    return np.minimum.accumulate(((m - np.arange(m)) * ps)[::-1])[::-1]


def _bh(ps: np.ndarray) -> np.ndarray:
    m = ps.size
    i = np.arange(1, m + 1)
    return np.minimum.accumulate((m / i * ps)[::-1])[::-1]


def _by(ps: np.ndarray) -> np.ndarray:
    m = ps.size
    return _bh(ps) * np.sum(1.0 / np.arange(1, m + 1))


def _hommel(ps: np.ndarray) -> np.ndarray:
    # R's p.adjust(method="hommel"), on sorted p-values
    n = ps.size
    i = np.arange(1, n + 1)
    q = np.full(n, np.min(n * ps / i))
    pa = q.copy()
    for m in range(n - 1, 1, -1):
        i1 = np.arange(n - m + 1)
        i2 = np.arange(n - m + 1, n)
        q1 = np.min(m * ps[i2] / np.arange(2, m + 1))
        q[i1] = np.minimum(m * ps[i1], q1)
        q[i2] = q[n - m]
        pa = np.maximum(pa, q)
    return np.maximum(pa, ps)


#: canonical name -> (function, needs sorted input, aliases)
METHODS: dict[str, tuple[Callable, bool, tuple[str, ...]]] = {
    "bonferroni": (_bonferroni, False, ("b",)),
    "sidak": (_sidak, False, ("s",)),
    "holm": (_holm, True, ("h", "holm-bonferroni")),
    "holm-sidak": (_holm_sidak, True, ("hs",)),
    "hochberg": (_hochberg, True, ("simes-hochberg", "sh")),
    "hommel": (_hommel, True, ("ho",)),
    "bh": (_bh, True, ("fdr_bh", "fdr", "benjamini-hochberg", "i", "indep", "p")),
    "by": (_by, True, ("fdr_by", "benjamini-yekutieli", "n", "negcorr")),
    "none": (lambda p: p, False, ()),
}

ALIASES: dict[str, str] = {a: k for k, (_, _, al) in METHODS.items() for a in (k, *al)}


def method_name(method: str) -> str:
    """Canonical name of a method or alias; French error listing the allowed names."""
    key = ALIASES.get(str(method).strip().lower())
    if key is None:
        raise SurveyError(
            f"Méthode d'ajustement « {method} » inconnue ; valeurs possibles : {', '.join(ALIASES)}."
        )
    return key


def adjust_pvalues(pvalues: Any, method: str = "holm") -> np.ndarray:
    """Adjust p-values for multiple testing (R: ``p.adjust``; statsmodels: ``multipletests``).

    Parameters
    ----------
    pvalues : array-like
        NaN values are left NaN and not counted in the family.
    method : str
        A name of :data:`METHODS` or an alias: ``holm`` (``holm-bonferroni``), ``bonferroni``,
        ``hochberg``, ``hommel``, ``bh`` (``fdr_bh``, ``fdr``, ``benjamini-hochberg``), ``by``
        (``fdr_by``), ``sidak``, ``holm-sidak``, ``none``.

    Returns
    -------
    ndarray
        Adjusted p-values, capped at 1, in the input order.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03], "holm").round(4).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "fdr_bh").round(4).tolist()
    [0.03, 0.04, 0.04]
    """
    key = method_name(method)
    fun, needs_sort, _ = METHODS[key]
    p = np.asarray(pvalues, dtype=np.float64).ravel()
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    if ok.size == 0:
        return out
    pv = p[ok]
    if needs_sort:
        order = np.argsort(pv, kind="mergesort")
        res = np.empty(ok.size)
        res[order] = fun(pv[order])
    else:
        res = fun(pv)
    out[ok] = np.minimum(res, 1.0)
    return out
