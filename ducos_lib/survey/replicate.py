"""Replicate-weight designs (R: ``svrepdesign``, ``as.svrepdesign``) and their variances.

A :class:`ReplicateDesign` carries the full-sample weights and ``R`` columns of replicate weights;
every estimator verb of :mod:`.estimators` (mean, total, proportion, ratio, var, quantile, by) and
:func:`~ducos_lib.survey.glm.svyglm` accept it and compute

    V = scale * sum_r rscales_r (theta_r - center)^2

with ``center`` the mean of the replicates (R's default ``mse=FALSE``) or the full-sample estimate
(``mse=True``), as R's ``svrVar``.

References
----------
Wolter, K. M. (2007). Introduction to Variance Estimation, 2nd ed., ch. 3-5. Springer.
Rao, J. N. K. & Wu, C. F. J. (1988). Resampling inference with complex survey data. JASA 83.
Lumley, T. (2010). Complex Surveys, §2.4. Wiley.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ._util import SurveyError, choice, readonly, resolve, to_float
from .design import SurveyDesign
from .results import Moments

TYPES = ("JK1", "JKn", "bootstrap", "BRR", "other")


@dataclass(frozen=True, eq=False)
class ReplicateDesign:
    """A design with replicate weights (build it with :func:`as_replicate` or :func:`replicate_design`).

    Attributes
    ----------
    data : DataFrame
    weights : ndarray
        Full-sample weights.
    repweights : ndarray, shape (n, R)
        Replicate weights (already multiplied by the full-sample weights).
    scale : float
    rscales : ndarray, shape (R,)
    type : str
        ``JK1``, ``JKn``, ``bootstrap``, ``BRR`` or ``other``.
    mse : bool
        Centre the replicates on the full-sample estimate (True) or on their mean (False, R's default).
    index : Index
        Index of the frame the design was built from (Series are aligned on it).
    """

    data: pd.DataFrame = field(repr=False)
    weights: np.ndarray = field(repr=False)
    repweights: np.ndarray = field(repr=False)
    scale: float
    rscales: np.ndarray = field(repr=False)
    type: str
    mse: bool = False
    index: pd.Index = field(default=None, repr=False)
    is_replicate = True
    calibration = None

    @property
    def n(self) -> int:
        return int(self.weights.shape[0])

    @property
    def n_replicates(self) -> int:
        return int(self.repweights.shape[1])

    @property
    def degrees_of_freedom(self) -> int:
        """R's ``degf`` of a replicate design: rank of the replicate weights minus one."""
        return int(np.linalg.matrix_rank(self.repweights, tol=1e-5 * np.abs(self.repweights).max()) - 1)

    def variance(self, thetas: np.ndarray, full: np.ndarray) -> np.ndarray:
        """Replicate covariance of estimates ``thetas`` (R x k) around their mean (or ``full``)."""
        thetas = np.atleast_2d(thetas)
        center = full if self.mse else np.nanmean(thetas, axis=0)
        dev = (thetas - center) * np.sqrt(self.rscales)[:, None]
        return self.scale * dev.T @ dev


def replicate_design(
    data: pd.DataFrame,
    weights: Any,
    repweights: Any,
    *,
    type: str = "other",
    scale: float = 1.0,
    rscales: Any = None,
    combined_weights: bool = True,
    mse: bool = False,
) -> ReplicateDesign:
    """A design from given replicate weights (R: ``svrepdesign``).

    Parameters
    ----------
    data : DataFrame
    weights : str or array-like
        Full-sample weights.
    repweights : list of column names, DataFrame or array (n x R)
    type : {"JK1", "JKn", "bootstrap", "BRR", "other"}
    scale, rscales : float, array-like
        As in R (``rscales`` defaults to 1).
    combined_weights : bool
        True (R's default): the replicate weights already include the sampling weights; False: they
        are multipliers of ``weights``.
    mse : bool
        As R's ``mse``.
    """
    type = choice(type, TYPES, "Type de réplication")
    index = data.index
    data = data.reset_index(drop=True)
    w = to_float(resolve(data, weights, "poids", index), "poids")
    if isinstance(repweights, (list, tuple)) and all(isinstance(c, str) for c in repweights):
        rep = data[list(repweights)].to_numpy(dtype=np.float64)
    else:
        rep = np.asarray(repweights, dtype=np.float64)
    if rep.ndim != 2 or rep.shape[0] != len(data):
        raise SurveyError("Les poids répliqués doivent former un tableau n x R (une colonne par réplique).")
    if not combined_weights:
        rep = rep * w[:, None]
    R = rep.shape[1]
    rs = np.ones(R) if rscales is None else np.asarray(rscales, dtype=np.float64).ravel()
    return ReplicateDesign(data, readonly(w), readonly(rep), float(scale), readonly(rs), type, mse, index)


def _hadamard(order: int) -> np.ndarray:
    h = np.ones((1, 1))
    while h.shape[0] < order:
        h = np.block([[h, h], [h, -h]])
    return h


def as_replicate(des: SurveyDesign, type: str = "auto", *, replicates: int = 50, seed: int | None = None,
                 mse: bool = False) -> ReplicateDesign:
    """Replicate weights for a linearisation design (R: ``as.svrepdesign``).

    Parameters
    ----------
    des : SurveyDesign
        An uncalibrated design (calibrate the replicate design afterwards if needed).
    type : {"auto", "JK1", "JKn", "bootstrap", "BRR"}
        ``auto``: JK1 without strata, JKn with strata (R's rule). ``JK1``: delete-one-PSU
        jackknife, ``scale = (1 - f)(n - 1)/n``; ``JKn``: delete one PSU within its stratum,
        ``rscales_h = (1 - f_h)(n_h - 1)/n_h``; ``bootstrap``: Rao–Wu ``(n_h - 1)``-out-of-``n_h``
        resampling of PSUs within strata (R's ``bootweights``; random, hence not R's draws);
        ``BRR``: balanced half-samples from a Sylvester Hadamard matrix, two PSUs per stratum
        (the fpc is dropped, as R does).
    replicates, seed
        For ``bootstrap``.
    mse : bool
        As R's ``mse``.

    Notes
    -----
    As R, only the first stage is used; the fpc of the first stage enters JK1, JKn and bootstrap.
    """
    if getattr(des, "is_replicate", False):
        raise SurveyError("Ce plan a déjà des poids répliqués.")
    if des.calibration is not None:
        raise SurveyError("Créer les répliques sur le plan avant calage, puis caler le plan répliqué.")
    type = choice(type, ("auto", "JK1", "JKn", "bootstrap", "BRR"), "Type de réplication")
    if type == "auto":
        type = "JKn" if des.has_strata else "JK1"
    if type == "JK1" and des.has_strata:
        raise SurveyError("Le jackknife JK1 ne s'applique pas à un plan stratifié (utiliser JKn).")
    if type in ("JKn", "BRR") and not des.has_strata:
        raise SurveyError(f"{type} demande un plan stratifié (utiliser JK1 ou bootstrap).")
    st = des.stages[0]
    unit = st.unit if st.unit is not None else np.arange(des.n)
    ustr = st.unit_stratum
    C = ustr.shape[0]
    nh = st.n_units.astype(float)
    fh = st.fraction
    w = des.weights
    if type in ("JK1", "JKn"):
        # one replicate per PSU: its rows get 0, the other PSUs of its stratum n_h / (n_h - 1)
        if np.any(nh[ustr] < 2):
            raise SurveyError("Une strate n'a qu'une unité primaire : jackknife impossible.")
        same = ustr[unit][:, None] == ustr[None, :]
        factor = np.where(same, (nh / (nh - 1))[ustr][None, :], 1.0)
        factor[np.arange(des.n), unit] = 0.0
        rep = w[:, None] * factor
        if type == "JK1":
            scale, rscales = float((1 - fh[0]) * (nh[0] - 1) / nh[0]), np.ones(C)
        else:
            scale, rscales = 1.0, (1 - fh[ustr]) * (nh[ustr] - 1) / nh[ustr]
    elif type == "bootstrap":
        rng = np.random.default_rng(seed)
        counts = np.zeros((C, replicates))
        for h in range(st.n_strata):
            members = np.flatnonzero(ustr == h)
            k = members.size
            draws = rng.integers(0, k, size=(max(k - 1, 1), replicates))
            for r in range(replicates):
                counts[members, r] = np.bincount(draws[:, r], minlength=k) * (k / max(k - 1, 1))
        rep = w[:, None] * counts[unit]
        # R's bootweights: scale n / ((n - 1)(R - 1)) (mean over strata), the fpc not used
        scale, rscales = float(np.mean(nh / np.maximum(nh - 1, 1))) / (replicates - 1), np.ones(replicates)
    else:
        if np.any(nh != 2):
            raise SurveyError("BRR demande exactement deux unités primaires par strate.")
        H = st.n_strata
        had = _hadamard(H + 1)[:, 1 : H + 1]
        first = np.zeros(C, dtype=bool)
        first[np.unique(ustr, return_index=True)[1]] = True
        sign = np.where(first[:, None], had.T[ustr], -had.T[ustr])  # C x R
        rep = w[:, None] * (1 + sign[unit])
        scale, rscales = 1.0 / had.shape[0], np.ones(had.shape[0])
    return ReplicateDesign(des.data, des.weights, readonly(rep), scale, readonly(np.asarray(rscales, float)),
                           type, mse, des.index)


def replicate_moments(des: ReplicateDesign, kind: str, y, groups, G: int, x, df) -> Moments:
    """Per-domain estimates (full sample) and replicate variances of ``kind``."""
    valid = ~np.isnan(y) & (groups >= 0)
    if x is not None:
        valid &= ~np.isnan(x)
    rows = np.flatnonzero(valid)
    g = groups[rows]
    Wall = np.column_stack([des.weights[rows], des.repweights[rows]])  # m x (R + 1)
    onehot = sparse.csr_matrix((np.ones(rows.size), (g, np.arange(rows.size))), shape=(G, rows.size))
    yr = y[rows]
    sw = onehot @ Wall
    swy = onehot @ (Wall * yr[:, None])
    with np.errstate(divide="ignore", invalid="ignore"):
        n_pos = np.bincount(g, weights=(des.weights[rows] > 0).astype(float), minlength=G)
        if kind == "mean":
            theta = swy / sw
        elif kind == "total":
            theta = swy
        elif kind == "ratio":
            theta = swy / (onehot @ (Wall * x[rows][:, None]))
        elif kind == "var":
            swyy = onehot @ (Wall * (yr * yr)[:, None])
            mu = swy / sw
            theta = (swyy / sw - mu**2) * (n_pos / (n_pos - 1))[:, None]
        else:  # pragma: no cover - internal
            raise ValueError(kind)
        n = np.bincount(g, minlength=G)
        wr = des.weights[rows]
        wsum = sw[:, 0]
        neff = wsum**2 / np.bincount(g, weights=wr * wr, minlength=G)
        mu0 = swy[:, 0] / wsum
        var_unit = np.bincount(g, weights=wr * (yr - mu0[g]) ** 2, minlength=G) / wsum * n_pos / (n_pos - 1)
    est = theta[:, 0]
    reps = theta[:, 1:].T  # R x G
    variance = np.array([des.variance(reps[:, [j]], est[[j]])[0, 0] for j in range(G)])
    if kind == "total":
        est = np.where(n > 0, est, np.nan)
    return Moments(est, variance, n, n_pos, wsum, neff, var_unit, df)
