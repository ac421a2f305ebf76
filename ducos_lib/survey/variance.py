"""Linearisation variance of a design (R: ``svyrecvar``, ``multistage``, ``onestage``, ``onestrat``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

from ._blocks import OneHot, cross, cross_any, group_sums
from ._util import SurveyError
from .design import Stage, SurveyDesign


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
    For each stage ``s`` with strata ``h`` and unit totals ``t_hc``::

        V_s = sum_h m_h (1 - f_h) n_h / (n_h - 1) sum_c (t_hc - tbar_h)(t_hc - tbar_h)'

    where ``m_h`` is the product of the sampling fractions of the units above ``h`` (1 at the
    first stage), and ``V = sum_s V_s`` (R's recursive ``multistage``; only the first stage without
    fpc). After a calibration ``z`` is first replaced by its calibration residual
    ``z - W_c B(z)`` (R's ``postStrata`` step of ``svyrecvar``); everything is computed with sparse
    products on the ``L`` calibration columns, so the ``n x k`` residual matrix is never formed.
    Lonely units follow R's ``onestrat`` for each ``lonely_psu`` option.
    """
    Z = influence
    if isinstance(Z, OneHot):
        pass
    elif sparse.issparse(Z):
        Z = sparse.csr_matrix(Z)
    else:  # dense influence (e.g. regression scores) stays dense: no n x k sparse copy
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim == 1:
            Z = Z[:, None]
    n, k = Z.shape
    if n != des.n:
        raise SurveyError("Longueur des valeurs d'influence différente de la taille du plan.")
    cal = des.calibration
    blocks = B = None
    if cal is not None and len(cal.blocks) > 0:
        B = cal.coefficients(Z, des.weights)
        blocks = cal.basis_blocks
    Q = np.zeros((k, k))
    for i, stage in enumerate(des.stages):
        Q += _stage_vcov(stage, des.lonely_psu, Z, blocks, B, cal.design_cache(i) if blocks is not None else {})
    return (Q + Q.T) / 2.0


def _stage_scale(stage: Stage, lonely_psu: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-stratum scale and whether its units are centred on the stratum mean (R's ``onestrat``)."""
    nh = stage.n_units.astype(np.float64)
    fh = stage.fraction
    lonely = nh == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(lonely, 1.0 - fh, (1.0 - fh) * nh / (nh - 1.0))
    full = 1.0 - fh < 1e-7
    scale = np.where(full, 0.0, scale)
    centred = np.ones(nh.shape, dtype=bool)
    real_lonely = lonely & ~full
    if real_lonely.any():
        if lonely_psu == "fail":
            raise SurveyError(f"La strate « {stage.labels[int(np.flatnonzero(real_lonely)[0])]} » ne contient qu'une seule unité primaire.")
        if lonely_psu in ("remove", "certainty", "average"):
            scale = np.where(real_lonely, 0.0, scale)
        if lonely_psu == "average":
            # R: sum of the other strata times (strata / strata with a variance), within each parent
            strata_per = np.bincount(stage.parent, minlength=int(stage.parent.max()) + 1).astype(float)
            bad_per = np.bincount(stage.parent, weights=real_lonely.astype(float), minlength=strata_per.size)
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(strata_per > bad_per, strata_per / (strata_per - bad_per), 0.0)
            scale = scale * factor[stage.parent]
        if lonely_psu == "adjust":
            centred = ~real_lonely
    return scale * stage.multiplier, centred


def dense(x) -> np.ndarray:
    """A sparse matrix or an array as a dense ndarray."""
    return x.toarray() if sparse.issparse(x) else np.asarray(x)


def _column_sums(Z) -> np.ndarray:
    """``1' Z`` as a 1 x k array."""
    if isinstance(Z, OneHot):
        return np.bincount(Z.codes[Z.codes >= 0] if not Z.full else Z.codes,
                           weights=Z.values[Z.codes >= 0] if not Z.full else Z.values, minlength=Z.k)[None, :]
    return np.asarray(Z.sum(axis=0)).reshape(1, -1)


def _weighted_cross(X, Y, s: np.ndarray | None) -> np.ndarray:
    """``X' diag(s) Y`` (``s`` None: identity) for :class:`OneHot`, sparse or dense ``X`` and ``Y``."""
    if s is None:
        s = np.ones(X.shape[0]) if not isinstance(X, OneHot) and not isinstance(Y, OneHot) else None
    if isinstance(X, OneHot):
        return cross_any(X, Y, s)
    if isinstance(Y, OneHot):
        return cross_any(Y, X, s).T
    if sparse.issparse(X):
        return dense(X.T @ (sparse.diags(s) @ Y))
    return dense((Y.T @ (X * s[:, None])).T) if sparse.issparse(Y) else (X * s[:, None]).T @ Y


def _stage_vcov(stage: Stage, lonely_psu: str, Z, blocks, B, cache: dict) -> np.ndarray:
    scale, centred = _stage_scale(stage, lonely_psu)
    H = stage.n_strata
    if stage.unit is None:  # every row is a unit: products over the rows
        # one stratum: the scale is a number, applied to the (small) products rather than the rows
        one = H == 1
        s_row = None if one else scale[stage.row_stratum]
        c = float(scale[0]) if one else 1.0
        Q = c * _weighted_cross(Z, Z, s_row)
        Th = group_sums(stage.row_stratum, H, Z) if not one else _column_sums(Z)
        if blocks is not None:
            ZSW = c * np.hstack([_weighted_cross(Z, b, s_row) for b in blocks])
            if "WSW" not in cache:  # depends on the design only
                cache["WSW"] = c * np.block([[cross(a, b, s_row) for b in blocks] for a in blocks])
                cache["HW"] = np.hstack([group_sums(stage.row_stratum, H, b) for b in blocks])
            WSW, HW = cache["WSW"], cache["HW"]
    else:  # unit totals first (C x k, dense), then products over the units
        C = stage.unit_stratum.shape[0]
        s_unit = scale[stage.unit_stratum]
        A = group_sums(stage.unit, C, Z)
        Q = (A * s_unit[:, None]).T @ A
        Th = group_sums(stage.unit_stratum, H, A)
        if blocks is not None:
            Wc = np.hstack([group_sums(stage.unit, C, b) for b in blocks])
            ZSW = (A * s_unit[:, None]).T @ Wc
            WSW = (Wc * s_unit[:, None]).T @ Wc
            HW = group_sums(stage.unit_stratum, H, Wc)
    if blocks is not None:
        ASW = ZSW @ B
        Q = Q - ASW - ASW.T + B.T @ WSW @ B
        Th = Th - HW @ B
    # subtract the stratum means: sum_h s_h / n_h T_h T_h'
    coef = np.where(centred, scale / stage.n_units, 0.0)
    return Q - Th.T @ (coef[:, None] * Th)
