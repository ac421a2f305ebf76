"""Confidence intervals of a mean and of a proportion, shared by the library's modules.

One helper per interval, so that every report computes them the same way: :func:`mean_ci` (Student
*t*, used by the seminar's review and the immersion ratings) and :func:`proportion_ci` (Wilson score
or Clopper–Pearson).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


def _choice(value: str, allowed: Mapping[str, str], what: str) -> str:
    key = str(value).strip().lower()
    if key in allowed:
        return allowed[key]
    raise ValueError(f"{what} « {value} » inconnu(e) ; valeurs possibles : {', '.join(allowed)}.")


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
    """A mean with its standard deviation, standard error, confidence interval and method."""

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    sd: float = float("nan")
    se: float = float("nan")
    method: str = "student"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"n": self.n, "estimation": self.estimate, "ecart_type": self.sd,
                              "erreur_type": self.se, "ic_bas": self.ci_low, "ic_haut": self.ci_high,
                              "methode": self.method}])


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
    """Mean with a Student *t* confidence interval (NaN ignored; no interval below 2 values).

    Parameters
    ----------
    values : array-like
    alpha : float
        1 − confidence level.

    Returns
    -------
    MeanCI
        ``sd`` is the sample standard deviation (``ddof=1``), ``se = sd / √n``; all NaN without any
        value, and ``sd``, ``se`` and the interval NaN with a single value.

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika* 6(1), 1–25.

    Examples
    --------
    >>> ci = mean_ci([3, 4, 5, 4])
    >>> ci.estimate, round(ci.sd, 4), round(ci.ci_low, 4), round(ci.ci_high, 4)
    (4.0, 0.8165, 2.7008, 5.2992)
    """
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    n = int(v.size)
    if n == 0:
        return MeanCI(float("nan"), float("nan"), float("nan"), 0)
    m = float(v.mean())
    if n < 2:
        return MeanCI(m, float("nan"), float("nan"), n)
    sd = float(v.std(ddof=1))
    half = float(stats.t.ppf(1 - alpha / 2, n - 1) * sd / math.sqrt(n))
    return MeanCI(m, m - half, m + half, n, sd, sd / math.sqrt(n))
