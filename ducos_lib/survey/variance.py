"""Linearisation variance of a design (R: ``svyrecvar``, ``multistage``, ``onestage``, ``onestrat``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

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
    if not sparse.issparse(Z):
        Z = np.asarray(Z, dtype=np.float64)
        if Z.ndim == 1:
            Z = Z[:, None]
    Z = sparse.csr_matrix(Z)
    n, k = Z.shape
    if n != des.n:
        raise SurveyError("Longueur des valeurs d'influence différente de la taille du plan.")
    cal = des.calibration
    basis = B = None
    if cal is not None and cal.basis.shape[1] > 0:
        B = cal.coefficients(Z, des.weights)
        basis = cal.basis
    Q = np.zeros((k, k))
    for stage in des.stages:
        Q += _stage_vcov(stage, des.n, des.lonely_psu, Z, basis, B)
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


def _stage_vcov(stage: Stage, n: int, lonely_psu: str, Z, basis, B) -> np.ndarray:
    scale, centred = _stage_scale(stage, lonely_psu)
    U = stage.unit_matrix(n)
    A = Z if U is None else (U.T @ Z).tocsr()  # C x k unit totals (before calibration)
    Wc = None
    if basis is not None:
        Wc = basis if U is None else (U.T @ basis).tocsr()
    C = stage.unit_stratum.shape[0]
    S = sparse.diags(scale[stage.unit_stratum])
    Q = (A.T @ (S @ A)).toarray()
    if Wc is not None:
        ASW = (A.T @ (S @ Wc)).toarray() @ B
        WSW = (Wc.T @ (S @ Wc)).toarray()
        Q = Q - ASW - ASW.T + B.T @ WSW @ B
    # subtract the stratum means: sum_h s_h / n_h T_h T_h'
    H = sparse.csr_matrix((np.ones(C), (np.arange(C), stage.unit_stratum)), shape=(C, stage.n_strata))
    Th = (H.T @ A).toarray()
    if Wc is not None:
        Th = Th - (H.T @ Wc).toarray() @ B
    coef = np.where(centred, scale / stage.n_units, 0.0)
    return Q - Th.T @ (coef[:, None] * Th)
