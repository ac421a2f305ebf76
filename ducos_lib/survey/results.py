"""Result objects of the survey package: one spelling everywhere.

Every result carries ``estimate``, ``se``, ``ci_low``, ``ci_high`` (when it has an interval),
``pvalue`` (when it is a test), ``method`` (how the interval or the test was computed) and a
``to_frame()``; ``alpha`` is the only confidence parameter (level ``1 - alpha``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._util import SurveyError


class _Frame:
    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame with the result's fields."""
        return pd.DataFrame([dataclasses.asdict(self)])


@dataclass(frozen=True)
class Estimate(_Frame):
    """A point estimate with its standard error and confidence interval.

    Attributes
    ----------
    estimate, se, ci_low, ci_high : float
    n : int
        Rows in the estimate's domain with a non-missing value (unweighted).
    statistic : str
        ``mean``, ``total``, ``proportion``, ``ratio``, ``var`` or ``quantile``.
    method : str
        How the interval was built: ``normal``, ``t``, ``logit``, ``asin``, ``beta``, ``woodruff``,
        ``degenerate`` (a proportion of 0 or 1, as R) or ``clopper_pearson_neff``.
    variable : str
    alpha : float
    deff : float
        Design effect: variance over the variance of a simple random sample of the same size
        (R's ``deff=TRUE``: without replacement when the weights sum to more than ``n``; ``n``
        counts the rows of positive weight). NaN for a ratio or a quantile.
    df : float
        Degrees of freedom of the quantile used (inf for the normal quantile).
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
    df: float = float("inf")


@dataclass(frozen=True)
class Comparison(_Frame):
    """Difference ``estimate_b - estimate_a`` between two independent samples.

    ``estimate`` is the difference (also readable as ``difference``).
    """

    estimate_a: float
    estimate_b: float
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    statistic: float
    pvalue: float
    method: str = "difference_z"
    alpha: float = 0.05

    @property
    def difference(self) -> float:
        return self.estimate

    @property
    def p_value(self) -> float:  # spelling of the first version
        return self.pvalue


@dataclass(frozen=True)
class TestResult(_Frame):
    """Result of a design-based test (:func:`~ducos_lib.survey.inference.rao_scott`).

    Attributes
    ----------
    statistic : float
        F statistic (second order), or the Pearson X² (first order, whose p-value uses X²/mean(δ)).
    df_num, df_den : float
        Degrees of freedom of the reference distribution (``df_den`` is inf for χ²).
    pvalue : float
    method : str
        ``rao_scott_f`` (R's ``statistic="F"``) or ``rao_scott_chi2`` (``"Chisq"``).
    pearson : float
        Pearson X² on the weighted table rescaled to the sample size.
    mean_deff : float
        Mean generalised design effect (mean eigenvalue of Δ).
    """

    __test__ = False  # not a pytest test class

    statistic: float
    df_num: float
    df_den: float
    pvalue: float
    method: str
    pearson: float = float("nan")
    mean_deff: float = float("nan")

    @property
    def p_value(self) -> float:  # spelling of the first version
        return self.pvalue


@dataclass(frozen=True, eq=False)
class Moments:
    """Internal: per-domain estimates and variances of one statistic (linearised or replicate)."""

    estimate: np.ndarray
    variance: np.ndarray
    n: np.ndarray
    n_pos: np.ndarray
    wsum: np.ndarray
    neff: np.ndarray
    var_unit: np.ndarray  # weighted variance of the variable in the domain (svyvar)
    df_of: Any  # callable -> degrees of freedom of each domain (R's degf of the subset design), lazy

    @property
    def df(self) -> np.ndarray:
        return np.asarray(self.df_of(), dtype=float)


def critical(alpha: float, df: Any) -> tuple[np.ndarray | float, str]:
    """Two-sided critical value: normal when ``df`` is None or inf, Student's t otherwise."""
    if not 0 < alpha < 1:
        raise SurveyError(f"alpha doit être dans ]0, 1[ (reçu {alpha}).")
    d = np.asarray(np.inf if df is None else df, dtype=float)
    with np.errstate(invalid="ignore"):
        q = np.where(np.isinf(d), stats.norm.ppf(1 - alpha / 2), stats.t.ppf(1 - alpha / 2, np.where(np.isinf(d), 1, d)))
    name = "normal" if np.all(np.isinf(d)) else "t"
    return (float(q) if q.ndim == 0 else q), name
