"""Estimator verbs (R: ``svymean``, ``svytotal``, ``svyciprop``, ``svyratio``, ``svyvar``,
``svyquantile``, ``svyby``), vectorised over domains.

Conventions (every default is R's; the observatory's tables pass their own options explicitly)
---------------------------------------------------------------------------------------------------
* Missing values: R's ``svymean``, ``svytotal``, ``svyratio``, ``svyvar``, ``svyquantile`` and
  ``svyby`` default to ``na.rm=FALSE``, which gives NA; here the default ``na_rm=False`` stops
  with a French error naming the variable (a NaN estimate would flow silently into a table).
  ``na_rm=True`` removes the row from *that estimate's domain*, never from the design (R's
  ``na.rm=TRUE``): the observatory's rule that a missing answer (NSP) leaves the respondent out
  of that item only (DESIGN.md §4). :func:`proportion` defaults to ``na_rm=True`` because R's
  ``svyciprop`` (logit, through ``svyglm``'s ``na.omit``) drops missing values itself.
* Domains (``by``, ``domain=``) keep the full design: the linearised variable is multiplied by the
  domain indicator, never computed on a filtered subset (Lumley 2010, §2.3.4).
* Intervals: means, totals, ratios and variances use the normal quantile (``df=None``, as
  ``confint(svymean(...))``); proportions and quantiles use Student's t with the design's degrees
  of freedom (``df="design"``, as ``svyciprop`` and ``svyquantile``), those of the design
  restricted to the domain (R's ``degf`` of a subset design, as ``svyby(..., svyciprop)``). Any
  verb takes ``df=None``, ``"design"`` or a number.

References
----------
Lumley, T. (2004). Analysis of complex survey samples. J. Stat. Softw. 9(1), 1-19.
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
Woodruff, R. S. (1952). Confidence intervals for medians and other position measures. JASA 47.
Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with small expected
number of positive counts estimated from survey data. Survey Methodology 24, 193-201.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._blocks import OneHot
from ._util import SurveyError, check_missing, choice, codes_for, expit, name_of, resolve, to_float
from .results import Estimate, Moments, critical
from .variance import vcov

PROPORTION_METHODS = ("logit", "mean", "asin", "beta", "xlogit")
PROPORTION_ALIASES = {"normal": "mean"}
EDGES = ("degenerate", "clopper_pearson")
QUANTILE_INTERVALS = ("mean", "xlogit", "asin")
QUANTILE_RULES = ("math", "school")


def _is_replicate(des) -> bool:
    return getattr(des, "is_replicate", False)


def _data(des) -> pd.DataFrame:
    return des.data


def _variable(des, variable: Any, what: str = "variable") -> pd.Series:
    return resolve(des.data, variable, what, des.index)


def _numeric(des, variable: Any, na_rm: bool, what: str = "variable") -> np.ndarray:
    s = _variable(des, variable, what)
    if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
        raise SurveyError(
            f"La variable « {name_of(variable)} » n'est pas numérique : pour la part de chaque modalité "
            "(svymean(~facteur) dans R), utiliser mean_levels()."
        )
    y = to_float(s, name_of(variable))
    check_missing(y, na_rm, name_of(variable))
    return y


def _domain_groups(des, domain: Any) -> np.ndarray:
    """0 for rows in the domain, -1 elsewhere; the domain must be boolean (or 0/1)."""
    if domain is None:
        return np.zeros(des.n, dtype=np.int64)
    d = _variable(des, domain, "domaine")
    values = d.dropna()
    if not pd.api.types.is_bool_dtype(d.dtype):
        ok = pd.api.types.is_numeric_dtype(d.dtype) and values.isin([0, 1]).all()
        if not ok:
            seen = ", ".join(map(str, pd.unique(values)[:4]))
            raise SurveyError(
                f"Le domaine « {name_of(domain)} » doit être booléen (vrai/faux ou 0/1) ; valeurs reçues : "
                f"{seen}. Écrire par exemple donnees['sch.wide'] == 'Yes'."
            )
    mask = d.fillna(False).to_numpy(dtype=bool)
    return np.where(mask, 0, -1).astype(np.int64)


def _indicator(values: pd.Series, level: Any) -> np.ndarray:
    """1.0 where ``values`` equals ``level`` (or is in it), 0.0 elsewhere, NaN where missing."""
    missing = values.isna().to_numpy()
    if level is None:
        if not (pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)):
            raise SurveyError("Sans « level », une proportion demande une variable 0/1 ou booléenne.")
        out = to_float(values, name_of(values))
        bad = ~np.isnan(out) & ~np.isin(out, (0.0, 1.0))
        if bad.any():
            raise SurveyError("Sans « level », une proportion demande une variable 0/1 ou booléenne.")
        return out
    levels = list(level) if isinstance(level, (list, tuple, set, frozenset)) else [level]
    out = values.isin(levels).to_numpy(dtype=np.float64)
    out[missing] = np.nan
    return out


# --------------------------------------------------------------------------------------------------
# Linearisation (every domain at once)
# --------------------------------------------------------------------------------------------------


def _influence(des, kind: str, y, groups, G, x=None):
    """Estimates, counts and the sparse ``n x G`` weighted influence values of ``kind``."""
    w = des.weights
    valid = ~np.isnan(y) & (groups >= 0)
    if x is not None:
        valid &= ~np.isnan(x)
    rows = np.flatnonzero(valid)
    g = groups[rows]
    wr = w[rows]
    yr = y[rows]
    n = np.bincount(g, minlength=G)
    n_pos = np.bincount(g, weights=(wr > 0).astype(float), minlength=G)
    wsum = np.bincount(g, weights=wr, minlength=G)
    w2 = np.bincount(g, weights=wr * wr, minlength=G)
    with np.errstate(divide="ignore", invalid="ignore"):
        neff = wsum**2 / w2
        mu = np.bincount(g, weights=wr * yr, minlength=G) / wsum
        ss = np.bincount(g, weights=wr * (yr - mu[g]) ** 2, minlength=G)
        var_unit = ss / wsum * n_pos / (n_pos - 1)  # svyvar: n counts the rows of positive weight
        if kind == "mean":
            est = mu
            vals = wr * (yr - est[g]) / wsum[g]
        elif kind == "total":
            est = np.where(n > 0, mu * wsum, np.nan)
            vals = wr * yr
        elif kind == "ratio":
            xr = x[rows]
            wx = np.bincount(g, weights=wr * xr, minlength=G)
            est = mu * wsum / wx
            vals = wr * (yr - est[g] * xr) / wx[g]
        elif kind == "var":
            # R's svyvar: the mean of (y - ybar)^2 n / (n - 1), linearised as a mean
            v = (yr - mu[g]) ** 2 * (n_pos / (n_pos - 1))[g]
            est = np.bincount(g, weights=wr * v, minlength=G) / wsum
            vals = wr * (v - est[g]) / wsum[g]
        else:  # pragma: no cover - internal
            raise ValueError(kind)
    codes = np.zeros(des.n, dtype=np.int64)  # rows outside every domain: column 0 with value 0
    codes[rows] = g
    values = np.zeros(des.n)
    values[rows] = np.where(np.isfinite(vals), vals, 0.0)
    return est, OneHot(codes, values, G), n, n_pos, wsum, neff, var_unit


def _domain_df(des, groups: np.ndarray, G: int) -> np.ndarray:
    """R's ``degf`` of the design restricted to each domain (rows of the group, positive weight)."""
    if _is_replicate(des):
        return np.full(G, float(des.degrees_of_freedom))
    st = des.stages[0]
    pos = (groups >= 0) & (des.weights > 0)
    g = groups[pos]
    unit = st.unit[pos] if st.unit is not None else np.flatnonzero(pos)
    n_units = pd.Series(unit).groupby(g).nunique().reindex(range(G), fill_value=0).to_numpy()
    n_strata = pd.Series(st.row_stratum[pos]).groupby(g).nunique().reindex(range(G), fill_value=0).to_numpy()
    return (n_units - n_strata).astype(float)


def moments(des, kind: str, y: np.ndarray, groups: np.ndarray, G: int, x: np.ndarray | None = None) -> Moments:
    """Per-domain estimates and variances of ``kind`` (``mean``, ``total``, ``ratio``, ``var``)."""
    if _is_replicate(des):
        from .replicate import replicate_moments

        return replicate_moments(des, kind, y, groups, G, x, lambda: _domain_df(des, groups, G))
    est, Z, n, n_pos, wsum, neff, var_unit = _influence(des, kind, y, groups, G, x)
    var = np.clip(np.diag(vcov(des, Z)), 0.0, None)
    return Moments(est, var, n, n_pos, wsum, neff, var_unit, lambda: _domain_df(des, groups, G))


def _deff(m: Moments, statistic: str) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if statistic in ("mean", "proportion"):
            vsrs = m.var_unit * (m.wsum - m.n_pos) / (m.wsum * m.n_pos)
        elif statistic == "total":
            vsrs = m.var_unit * m.wsum**2 * (m.wsum - m.n_pos) / (m.wsum * m.n_pos)
        else:
            return np.full(m.estimate.shape, np.nan)
        vsrs = np.where(m.wsum > m.n_pos, vsrs, np.nan)
        return m.variance / vsrs


def _df_for(des, df: Any, m: Moments) -> Any:
    if df is None:
        return None
    if isinstance(df, str):
        if df != "design":
            raise SurveyError(f"df « {df} » inconnu ; valeurs possibles : None, 'design' ou un nombre.")
        return m.df
    return np.full(m.estimate.shape, float(df))


def intervals(
    des, m: Moments, statistic: str, *, alpha: float, df: Any, method: str = "mean", edge: str = "degenerate"
) -> dict[str, np.ndarray]:
    """Standard errors, design effects and confidence intervals from :class:`Moments`."""
    se = np.sqrt(m.variance)
    est = m.estimate
    dfs = _df_for(des, df, m)
    q, qname = critical(alpha, dfs)
    q = np.broadcast_to(np.asarray(q, dtype=float), est.shape)
    out_method = np.full(est.shape, qname, dtype=object)
    with np.errstate(divide="ignore", invalid="ignore"):
        if statistic == "proportion" and method in ("logit", "xlogit"):
            half = q * se / (est * (1 - est))
            logit = np.log(est / (1 - est))
            lo, hi = expit(logit - half), expit(logit + half)
            out_method[:] = "logit"
        elif statistic == "proportion" and method == "asin":
            a = np.arcsin(np.sqrt(est))
            half = q * se / (2 * np.sqrt(est * (1 - est)))
            lo, hi = np.sin(a - half) ** 2, np.sin(a + half) ** 2  # as R: no clipping
            out_method[:] = "asin"
        elif statistic == "proportion" and method == "beta":
            lo, hi = _beta_interval(des, m, est, alpha)
            out_method[:] = "beta"
        else:
            lo, hi = est - q * se, est + q * se
    if statistic == "proportion" and method != "mean":
        edge_rows = ((est == 0) | (est == 1)) & (m.n > 0)
        if edge_rows.any():
            if edge == "clopper_pearson":
                # Clopper-Pearson on the Kish effective sample size (Korn & Graubard 1998 use the
                # actual size when the variance estimate is zero); R returns [p, p] instead.
                ne = m.neff[edge_rows]
                xs = est[edge_rows] * ne
                lo[edge_rows] = np.where(xs > 0, stats.beta.ppf(alpha / 2, xs, ne - xs + 1), 0.0)
                hi[edge_rows] = np.where(xs < ne, stats.beta.ppf(1 - alpha / 2, xs + 1, ne - xs), 1.0)
                out_method[edge_rows] = "clopper_pearson_neff"
            else:
                lo[edge_rows] = hi[edge_rows] = est[edge_rows]
                out_method[edge_rows] = "degenerate"
    nan = ~np.isfinite(est)
    return {
        "estimate": est,
        "se": np.where(nan, np.nan, se),
        "ci_low": np.where(nan, np.nan, lo),
        "ci_high": np.where(nan, np.nan, hi),
        "n": m.n,
        "deff": _deff(m, statistic),
        "method": out_method,
        "df": np.full(est.shape, np.inf) if dfs is None else np.asarray(dfs, dtype=float),
    }


def _beta_interval(des, m: Moments, p: np.ndarray, alpha: float):
    """R's ``svyciprop(method="beta")``: Korn-Graubard with the effective size scaled by t ratios."""
    n_rows = m.n if (getattr(des, "calibration", None) is None and not _is_replicate(des)) else np.full(p.shape, des.n)
    neff = p * (1 - p) / m.variance
    with np.errstate(divide="ignore", invalid="ignore"):
        neff = neff * (stats.t.ppf(alpha / 2, n_rows - 1) / stats.t.ppf(alpha / 2, m.df)) ** 2
        lo = stats.beta.ppf(alpha / 2, neff * p, neff * (1 - p) + 1)
        hi = stats.beta.ppf(1 - alpha / 2, neff * p + 1, neff * (1 - p))
    return lo, hi


def _one(r: dict, statistic: str, variable: str, alpha: float) -> Estimate:
    return Estimate(
        estimate=float(r["estimate"][0]), se=float(r["se"][0]), ci_low=float(r["ci_low"][0]),
        ci_high=float(r["ci_high"][0]), n=int(r["n"][0]), statistic=statistic, method=str(r["method"][0]),
        variable=variable, alpha=alpha, deff=float(r["deff"][0]), df=float(r["df"][0]),
    )


def _verb(des, kind, statistic, y, domain, *, x=None, alpha, df, variable, method="mean", edge="degenerate"):
    groups = _domain_groups(des, domain)
    m = moments(des, kind, y, groups, 1, x)
    r = intervals(des, m, statistic, alpha=alpha, df=df, method=method, edge=edge)
    return _one(r, statistic, variable, alpha)


# --------------------------------------------------------------------------------------------------
# Verbs
# --------------------------------------------------------------------------------------------------


def mean(des, variable: Any, *, domain: Any = None, alpha: float = 0.05, df: Any = None, na_rm: bool = False) -> Estimate:
    """Weighted mean with its design-based standard error (R: ``svymean``).

    Parameters
    ----------
    des : SurveyDesign or ReplicateDesign
    variable : str or array-like
        Column name or values (a Series is aligned on the design's index). For a categorical
        variable use :func:`mean_levels`.
    domain : str or array-like of bool, optional
        Restrict the estimate to a domain (full design kept). Must be boolean or 0/1: a column of
        labels ("Yes"/"No") is refused.
    alpha : float
        1 - confidence level.
    df : None, "design" or number
        Normal quantile (None, R's ``confint`` default), Student's t with the domain's design degrees
        of freedom, or ``df``.
    na_rm : bool, default False
        False (R's default ``na.rm=FALSE``, which returns NA): a missing value is an error naming
        the variable. True: a missing value leaves the row out of the domain (not of the design).

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
    y = _numeric(des, variable, na_rm)
    return _verb(des, "mean", "mean", y, domain, alpha=alpha, df=df, variable=name_of(variable))


def total(des, variable: Any, *, domain: Any = None, alpha: float = 0.05, df: Any = None, na_rm: bool = False) -> Estimate:
    """Weighted (Horvitz–Thompson) total (R: ``svytotal``). See :func:`mean` for parameters.

    References
    ----------
    Lumley, T. (2004). Analysis of complex survey samples. J. Stat. Softw. 9(1).
    """
    y = _numeric(des, variable, na_rm)
    return _verb(des, "total", "total", y, domain, alpha=alpha, df=df, variable=name_of(variable))


def var(des, variable: Any, *, domain: Any = None, alpha: float = 0.05, df: Any = None, na_rm: bool = False) -> Estimate:
    """Population variance of a variable (R: ``svyvar``), with its standard error.

    ``sum w (y - ybar)^2 / sum w * n / (n - 1)`` (``n``: rows of positive weight), whose standard
    error is that of the mean of ``(y - ybar)^2 n / (n - 1)``, as R computes it.

    References
    ----------
    Lumley, T. (2010). Complex Surveys, §2.3. Wiley.
    """
    y = _numeric(des, variable, na_rm)
    return _verb(des, "var", "var", y, domain, alpha=alpha, df=df, variable=name_of(variable))


def proportion(
    des,
    variable: Any,
    level: Any = None,
    *,
    domain: Any = None,
    alpha: float = 0.05,
    method: str = "logit",
    df: Any = "design",
    edge: str = "degenerate",
    na_rm: bool = True,
) -> Estimate:
    """Share of a condition or level with its confidence interval (R: ``svyciprop``).

    Parameters
    ----------
    des : SurveyDesign or ReplicateDesign
    variable : str or array-like
        A 0/1 or boolean variable, or any variable together with ``level``.
    level : scalar or list, optional
        The share of rows whose value equals ``level`` (or is in the list) among rows where the
        variable is not missing.
    domain, alpha
        As in :func:`mean`.
    method : {"logit", "mean", "asin", "beta", "xlogit"}
        R's ``svyciprop`` methods: ``logit`` (and ``xlogit``, the same interval here) is the Wald
        interval on the logit scale ``expit(logit(p) ± q se / (p (1 - p)))``; ``mean`` (alias
        ``normal``) the Wald interval on ``p``; ``asin`` on ``asin(sqrt(p))``; ``beta`` the
        Korn–Graubard interval.
    df : "design", None or number
        ``"design"`` (default, R's ``svyciprop(df=degf(design))``): Student's t with the design's
        degrees of freedom (of the domain with ``domain=``); None: the normal quantile (R's
        ``df=Inf``), which the observatory's §4 tables pass explicitly.
    na_rm : bool, default True
        As R's ``svyciprop`` (logit), which drops missing values through ``svyglm``: a missing value
        leaves the row out of the domain. False: a missing value is an error.
    edge : {"degenerate", "clopper_pearson"}
        At ``p = 0`` or ``1`` the logit interval degenerates: ``degenerate`` returns ``[p, p]`` as
        R does; ``clopper_pearson`` uses a Clopper–Pearson interval on the Kish effective sample size
        of the domain (``method`` says so).

    Returns
    -------
    Estimate

    References
    ----------
    Lumley, T. (2010). Complex Surveys, §2.3.1. Wiley.
    Korn, E. L. & Graubard, B. I. (1998). Survey Methodology 24, 193-201.
    """
    method = choice(method, PROPORTION_METHODS, "Méthode", PROPORTION_ALIASES)
    edge = choice(edge, EDGES, "edge")
    y = _indicator(_variable(des, variable), level)
    check_missing(y, na_rm, name_of(variable))
    return _verb(des, "mean", "proportion", y, domain, alpha=alpha, df=df, variable=name_of(variable),
                 method=method, edge=edge)


def ratio(
    des, numerator: Any, denominator: Any, *, domain: Any = None, alpha: float = 0.05, df: Any = None,
    na_rm: bool = False,
) -> Estimate:
    """Ratio of two totals ``sum w y / sum w x`` (R: ``svyratio``).

    Rows where either variable is missing leave the domain. Influence:
    ``z_i = w_i (y_i - R x_i) / sum w x``.

    References
    ----------
    Lumley, T. (2010). Complex Surveys, §3.2. Wiley.
    """
    y = _numeric(des, numerator, na_rm, "numérateur")
    x = _numeric(des, denominator, na_rm, "dénominateur")
    return _verb(des, "ratio", "ratio", y, domain, x=x, alpha=alpha, df=df,
                 variable=f"{name_of(numerator)}/{name_of(denominator)}")


def mean_levels(
    des, variable: Any, *, statistic: str = "mean", domain: Any = None, alpha: float = 0.05, df: Any = None,
    na_rm: bool = False,
) -> pd.DataFrame:
    """Every level of a categorical variable in one call (R: ``svymean(~factor)``, ``svytotal``).

    Returns
    -------
    DataFrame
        One row per level (sorted): ``level, statistic, estimate, se, ci_low, ci_high, n, deff,
        method``. With ``statistic="mean"`` the estimates are the shares of the levels (summing to
        1) with normal intervals, as ``confint(svymean(~factor))``.
    """
    statistic = choice(statistic, ("mean", "total"), "Statistique")
    s = _variable(des, variable)
    check_missing(np.where(s.isna().to_numpy(), np.nan, 0.0), na_rm, name_of(variable))
    levels = sorted(pd.unique(s.dropna()).tolist())
    groups = _domain_groups(des, domain)
    rows = []
    for lev in levels:
        y = _indicator(s, lev)
        m = moments(des, statistic, y, groups, 1)
        r = intervals(des, m, statistic, alpha=alpha, df=df)
        rows.append({"level": lev, "statistic": statistic, **{k: r[k][0] for k in
                     ("estimate", "se", "ci_low", "ci_high", "n", "deff", "method")}})
    out = pd.DataFrame(rows)
    out["method"] = out["method"].astype(str)
    return out


# --------------------------------------------------------------------------------------------------
# Quantiles (R >= 4.1 svyquantile: qrule "math", Woodruff interval "mean")
# --------------------------------------------------------------------------------------------------


def _qrule(x: np.ndarray, w: np.ndarray, p: float, rule: str) -> float:
    """R's ``qrule_math`` / ``qrule_school`` on sorted ``x`` with weights ``w`` (no zero weight)."""
    if not np.isfinite(p) or p < 0 or p > 1:
        return float("nan")
    # R accumulates cumsum() and sum() in long double, then rounds to double: ties at p * W (equal
    # weights) fall on the same side as in R only with the same arithmetic
    cumw = np.cumsum(w.astype(np.longdouble)).astype(np.float64)
    W = float(np.sum(w.astype(np.longdouble)))
    pos = int(np.searchsorted(cumw, p * W, side="right")) - 1
    if pos < 0:
        return float(x[0])
    nxt = min(pos + 1, x.shape[0] - 1)
    exact = p - cumw[pos] / W == 0
    if rule == "school" and exact:
        return float((x[pos] + x[nxt]) / 2)
    return float(x[pos] if exact else x[nxt])


def quantile(
    des,
    variable: Any,
    quantiles: float | Sequence[float] = 0.5,
    *,
    domain: Any = None,
    alpha: float = 0.05,
    interval_type: str = "mean",
    qrule: str = "math",
    df: Any = "design",
    na_rm: bool = False,
) -> Estimate | list[Estimate]:
    """Quantiles with Woodruff confidence intervals (R >= 4.1: ``svyquantile``).

    Parameters
    ----------
    des : SurveyDesign or ReplicateDesign
    variable : str or array-like
    quantiles : float or sequence of float
        Probabilities in [0, 1]; a list returns a list of results.
    domain, alpha, na_rm
        As in :func:`mean`.
    interval_type : {"mean", "xlogit", "asin"}
        R's ``interval.type``: the interval of ``F(q)``, the estimated share below the quantile, is
        built on the proportion (``mean``, R's default), logit or arcsine scale, then mapped back
        through the quantile rule (Woodruff 1952).
    qrule : {"math", "school"}
        R's ``qrule``: ``math`` (default) the smallest value whose cumulative weight share reaches
        ``p``; ``school`` the average of the two values when it is reached exactly.
    df : "design", None or number
        R's default is ``degf(design)`` (``"design"``: of the domain); None for the normal quantile.

    Returns
    -------
    Estimate or list of Estimate
        ``se`` is R's: the interval's width over twice the critical value. A bound whose share
        falls outside [0, 1] is NaN, as in R.

    References
    ----------
    Woodruff, R. S. (1952). JASA 47, 635-646.
    Lumley, T. & Dorfman, A. (2021). svyquantile in the survey package (package documentation).
    """
    interval_type = choice(interval_type, QUANTILE_INTERVALS, "interval_type")
    qrule = choice(qrule, QUANTILE_RULES, "qrule")
    y = _numeric(des, variable, na_rm)
    groups = _domain_groups(des, domain)
    probs = [quantiles] if np.isscalar(quantiles) else list(quantiles)
    out = [_quantile_one(des, y, groups, p, alpha, interval_type, qrule, df, name_of(variable)) for p in probs]
    return out[0] if np.isscalar(quantiles) else out


def _quantile_one(des, y, groups, p, alpha, interval_type, qrule, df, name) -> Estimate:
    valid = ~np.isnan(y) & (groups >= 0) & (des.weights > 0)
    order = np.argsort(y[valid], kind="mergesort")
    xs, ws = y[valid][order], des.weights[valid][order]
    if xs.size == 0:
        return Estimate(np.nan, np.nan, np.nan, np.nan, 0, "quantile", "woodruff", name, alpha)
    qhat = _qrule(xs, ws, p, qrule)
    below = np.where(np.isnan(y), np.nan, (y <= qhat).astype(float))
    dgroups = np.where(~np.isnan(y) & (groups >= 0), groups, -1)
    m = moments(des, "mean", below, dgroups, 1)
    r = intervals(des, m, "proportion", alpha=alpha, df=df,
                  method={"mean": "mean", "xlogit": "logit", "asin": "asin"}[interval_type])
    lo_p, hi_p = float(r["ci_low"][0]), float(r["ci_high"][0])
    lo = np.nan if (np.isnan(lo_p) or lo_p < 0) else _qrule(xs, ws, lo_p, qrule)
    hi = np.nan if (np.isnan(hi_p) or hi_p > 1) else _qrule(xs, ws, hi_p, qrule)
    q, _ = critical(alpha, None if df is None else r["df"][0])
    return Estimate(
        estimate=qhat, se=float((hi - lo) / (2 * q)), ci_low=lo, ci_high=hi, n=int(valid.sum()),
        statistic="quantile", method=f"woodruff_{interval_type}", variable=name, alpha=alpha,
        df=float(r["df"][0]),
    )


# --------------------------------------------------------------------------------------------------
# Domains
# --------------------------------------------------------------------------------------------------

_VERBS = ("mean", "total", "proportion", "ratio", "var", "quantile")


def group_codes(des, by_spec: Any, levels: Sequence | None = None) -> tuple[np.ndarray, pd.DataFrame]:
    """Codes of the groups of ``by_spec`` (-1 for a missing group) and their labels."""
    specs = by_spec if isinstance(by_spec, (list, tuple)) else [by_spec]
    series = [_variable(des, s, "by") for s in specs]
    names = [name_of(s) if isinstance(s, str) else (getattr(s, "name", None) or f"by{i}") for i, s in enumerate(specs)]
    if levels is not None:
        if len(series) != 1:
            raise SurveyError("« levels » n'est possible qu'avec une seule variable de regroupement.")
        levels = list(levels)
        return codes_for(series[0], levels), pd.DataFrame({names[0]: levels})
    if len(series) == 1:  # factorize sends missing values to -1 itself
        codes, uniques = pd.factorize(series[0], sort=True, use_na_sentinel=True)
        return codes.astype(np.int64, copy=False), pd.DataFrame({names[0]: uniques})
    frame = pd.DataFrame({i: s for i, s in enumerate(series)})
    missing = frame.isna().any(axis=1).to_numpy()
    codes = np.full(len(frame), -1, dtype=np.int64)
    keys = frame[~missing]
    grouped = keys.groupby(list(keys.columns), sort=True)
    codes[~missing] = grouped.ngroup().to_numpy()
    labels = pd.DataFrame(list(grouped.groups.keys()), columns=names)
    return codes, labels


def by(
    des,
    variable: Any,
    by: Any,
    statistic: str | Callable = "mean",
    *,
    level: Any = None,
    denominator: Any = None,
    levels: Sequence | None = None,
    alpha: float = 0.05,
    df: Any = "default",
    method: str = "logit",
    edge: str = "degenerate",
    quantiles: float = 0.5,
    na_rm: bool = False,
) -> pd.DataFrame:
    """Domain estimates of ``statistic`` for each group of ``by`` (R: ``svyby``).

    Parameters
    ----------
    des : SurveyDesign or ReplicateDesign
    variable : str or array-like
    by : str, array-like or list of them
        Grouping variable(s). Rows with a missing group are in no domain.
    statistic : {"mean", "total", "proportion", "ratio", "var", "quantile"} or one of the verbs
    level : optional
        For ``proportion``: the level(s) counted.
    denominator : optional
        For ``ratio``: the denominator variable.
    levels : sequence, optional
        Groups to report (single ``by`` only), including groups with no respondent (then
        ``n = 0`` and NaN estimate), in this order.
    df : "default", None, "design" or number
        ``"default"``: R's default of the statistic, i.e. each domain's design degrees of freedom for
        ``proportion`` and ``quantile`` (``svyby(..., svyciprop)`` and ``svyquantile`` compute
        ``degf`` on each subset) and the normal quantile otherwise (``confint`` of ``svyby``).
    na_rm : bool, default False
        As R's ``svyby`` (whose default ``na.rm=FALSE`` gives NA, or fails for ``svyciprop``): a
        missing value is an error; True leaves the row out of its domain.
    alpha, method, edge, quantiles
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
    of the whole sample (Lumley 2010, §2.3.4).

    References
    ----------
    Lumley, T. (2010). Complex Surveys, §2.3. Wiley.
    """
    if callable(statistic):
        statistic = getattr(statistic, "__name__", "")
    statistic = choice(statistic, _VERBS, "Statistique")
    if isinstance(df, str) and df == "default":
        df = "design" if statistic in ("proportion", "quantile") else None
    codes, labels = group_codes(des, by, levels)
    G = len(labels)
    s = _variable(des, variable)
    name = name_of(variable)
    if statistic == "quantile":
        y = _numeric(des, variable, na_rm)
        rows = [_quantile_one(des, y, np.where(codes == g, 0, -1), quantiles, alpha, "mean", "math", df, name)
                for g in range(G)]
        r = {k: np.array([getattr(e, k) for e in rows]) for k in ("estimate", "se", "ci_low", "ci_high", "n", "deff", "method")}
    else:
        x = None
        if statistic == "proportion":
            y = _indicator(s, level)
            check_missing(y, na_rm, name)
        else:
            y = _numeric(des, variable, na_rm)
        if statistic == "ratio":
            if denominator is None:
                raise SurveyError("Un ratio demande un dénominateur (denominator=).")
            x = _numeric(des, denominator, na_rm, "dénominateur")
            name = f"{name}/{name_of(denominator)}"
        kind = "mean" if statistic == "proportion" else statistic
        m = moments(des, kind, y, codes, G, x)
        r = intervals(des, m, statistic, alpha=alpha, df=df,
                      method=choice(method, PROPORTION_METHODS, "Méthode", PROPORTION_ALIASES) if statistic == "proportion" else "mean",
                      edge=choice(edge, EDGES, "edge"))
    out = labels.copy()
    out["variable"] = name
    out["statistic"] = statistic
    for col in ("estimate", "se", "ci_low", "ci_high", "n", "deff", "method"):
        out[col] = r[col]
    out["method"] = out["method"].astype(str)
    return out
