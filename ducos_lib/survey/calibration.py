"""Calibration of the weights (R: ``rake``, ``calibrate``, ``postStratify``) and weighting diagnostics.

Which is which
--------------
* :func:`rake` is R's ``rake()``: iterative proportional fitting of the weights, one margin after
  the other, and a variance computed as R stores it (class ``"raking"``): ten backfitting sweeps
  of the linearised variable over the margins, each margin using the weights it produced in the
  last sweep, with unweighted cell means.
* :func:`calibrate` is R's ``calibrate()``: ``calfun="raking"`` gives the same weights as
  :func:`rake` (the raking solution is unique), ``calfun="linear"`` the GREG weights; the variance
  uses the residuals of the regression on the calibration variables weighted by the weights
  before calibration (Deville & Särndal 1992), R's ``greg_calibration``.
* :func:`post_stratify` is R's ``postStratify()``: one factor, weights scaled to the cell totals,
  variance on the residuals from the cell means weighted by the weights before.

When the starting weights are constant within every margin cell (e.g. equal weights), the
two raking variances coincide (up to the convergence of the ten sweeps); they differ otherwise.

References
----------
Deville, J.-C. & Särndal, C.-E. (1992). Calibration estimators in survey sampling. JASA 87, 376-382.
Deville, J.-C., Särndal, C.-E. & Sautory, O. (1993). Generalized raking procedures in survey
sampling. JASA 88, 1013-1020.
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R, ch. 7. Wiley.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ._blocks import OneHot, cross, cross_any
from ._util import RakingError, RakingWarning, SurveyError, as_str, choice, codes_for, readonly, to_float
from .design import SurveyDesign, replace

BACKFIT_SWEEPS = 10
"""Backfitting sweeps of R's raking variance (``svyrecvar``: ``for (iterations in 1:10)``)."""


@dataclass(frozen=True, eq=False)
class Calibration:
    """What a calibration leaves on a design so that variances use the calibration residuals.

    The residual of weighted influence values ``Z`` is ``Z - basis @ coefficients(Z)``, where the
    ``n x L`` basis is the calibration matrix with each block's rows multiplied by ``row_scales``.

    Attributes
    ----------
    kind : {"regression", "backfit", "stacked"}
        ``regression``: :func:`calibrate` and :func:`post_stratify` (R's ``greg_calibration``);
        ``backfit``: :func:`rake` (R's ``raking``); ``stacked``: designs stacked by ``stack``.
    blocks : tuple of OneHot
        The calibration matrix by blocks of columns (one block per margin or numeric variable).
    row_scales : tuple of ndarray
        Row multipliers of each block in the residual basis: the calibrated weights (regression) or
        the weights each margin produced in the last sweep (backfit).
    base_weights : ndarray
        Weights before calibration (``d``).
    cells : tuple of (str, str)
        ``(variable, modalite)`` of each column (modalite ``""`` for a numeric total).
    targets : ndarray
        Population total of each column.
    iterations : int
        Sweeps (raking) or Newton steps performed.
    max_deviation : float
        Largest relative gap between weighted and population totals at the end.
    """

    kind: str
    blocks: tuple = field(repr=False)
    row_scales: tuple = field(repr=False)
    base_weights: np.ndarray = field(repr=False)
    cells: tuple = field(repr=False)
    targets: np.ndarray = field(repr=False)
    iterations: int = 0
    max_deviation: float = 0.0
    gram: np.ndarray | None = field(default=None, repr=False)  # regression: M' D M
    ratio: np.ndarray | None = field(default=None, repr=False)  # regression: d / w
    backfit_cache: Any = field(default=None, repr=False)  # backfit: see _backfit_cache
    parts: tuple = field(default=(), repr=False)  # stacked: (row offset, n, Calibration or None)

    @property
    def basis_blocks(self) -> tuple:
        """The residual basis by blocks (:class:`OneHot`)."""
        return tuple(OneHot(b.codes, b.values * r, b.k) for b, r in zip(self.blocks, self.row_scales))

    def design_cache(self, stage: int) -> dict:
        """Products of the basis that depend on the design only, kept per stage (lonely-PSU rule
        and fpc are fixed with the design that holds this calibration)."""
        return self._cache.setdefault(stage, {})

    @cached_property
    def _cache(self) -> dict:
        return {}

    @cached_property
    def matrix(self):
        """``n x L`` calibration matrix (sparse)."""
        return sparse.hstack([b.tosparse() for b in self.blocks], format="csr")

    @cached_property
    def basis(self):
        """``n x L`` residual basis (sparse)."""
        return sparse.hstack([b.tosparse() for b in self.basis_blocks], format="csr")

    def coefficients(self, Z, weights: np.ndarray) -> np.ndarray:
        """``L x k`` coefficients of the residual basis for influence values ``Z`` (n x k)."""
        if self.kind == "regression":
            rhs = np.vstack([cross_any(b, Z, self.ratio) for b in self.blocks])
            return np.linalg.lstsq(self.gram, rhs, rcond=None)[0]
        if self.kind == "backfit":
            return self._backfit(Z)
        out = []
        for start, n, cal in self.parts:
            if cal is None:
                continue
            zp = Z.rows(start, start + n) if isinstance(Z, OneHot) else Z[start : start + n]
            out.append(cal.coefficients(zp, weights[start : start + n]))
        return np.vstack(out) if out else np.zeros((0, Z.shape[1]))

    def _backfit(self, Z) -> np.ndarray:
        # R: for 10 sweeps, for each margin, x <- x - psw * ave(x / psw, margin); in the L columns:
        # c_m += (M_m' (x_cur / psw_m)) / counts_m with x_cur = Z - sum_j diag(psw_j) M_j c_j, where
        # the blocks M_m' diag(psw_j / psw_m) M_j are computed once.
        k = Z.shape[1]
        inverses, blocks, counts = self.backfit_cache
        r = [cross_any(b, Z, inv) for b, inv in zip(self.blocks, inverses)]
        coef = [np.zeros((c.shape[0], k)) for c in counts]
        for _ in range(BACKFIT_SWEEPS):
            for m in range(len(coef)):
                cur = r[m] - sum(blocks[m][j] @ coef[j] for j in range(len(coef)))
                cm = counts[m][:, None]
                coef[m] = coef[m] + np.divide(cur, cm, out=np.zeros_like(cur), where=cm > 0)
        return np.vstack(coef)


def _backfit_cache(blocks: Sequence[OneHot], steps: Sequence[np.ndarray]) -> tuple:
    """Per margin: ``1 / psw_m``, the blocks ``M_m' diag(psw_j / psw_m) M_j`` and the cell counts."""
    inverses, grams, counts = [], [], []
    for m, bm in enumerate(blocks):
        inv = np.divide(1.0, steps[m], out=np.zeros(steps[m].shape[0]), where=steps[m] > 0)
        inverses.append(inv)
        grams.append([cross(bm, bj, steps[j] * inv) if j != m else np.diag(np.bincount(bm.codes, minlength=bm.k) * 1.0)
                      for j, bj in enumerate(blocks)])
        counts.append(np.bincount(bm.codes, minlength=bm.k).astype(float))
    return tuple(inverses), tuple(grams), tuple(counts)


def stack_calibrations(parts: Sequence[SurveyDesign]) -> Calibration | None:
    """Block-diagonal calibration of stacked independent designs (None if none is calibrated)."""
    if all(p.calibration is None for p in parts):
        return None
    n_total = sum(p.n for p in parts)
    blocks, scales, bases, cells, targets, entries = [], [], [], [], [], []
    start = 0
    for i, p in enumerate(parts):
        cal = p.calibration
        entries.append((start, p.n, cal))
        bases.append(p.weights if cal is None else cal.base_weights)
        if cal is not None:
            for b, r in zip(cal.blocks, cal.row_scales):
                codes = np.zeros(n_total, dtype=np.int64)  # other parts' rows: value 0
                vals, sc = np.zeros(n_total), np.zeros(n_total)
                codes[start : start + p.n], vals[start : start + p.n], sc[start : start + p.n] = b.codes, b.values, r
                blocks.append(OneHot(codes, vals, b.k))
                scales.append(sc)
            cells.extend((f"{i}:{v}", m) for v, m in cal.cells)
            targets.append(cal.targets)
        start += p.n
    cals = [p.calibration for p in parts if p.calibration is not None]
    return Calibration(
        kind="stacked",
        blocks=tuple(blocks),
        row_scales=tuple(scales),
        base_weights=readonly(np.concatenate(bases)),
        cells=tuple(cells),
        targets=readonly(np.concatenate(targets) if targets else np.zeros(0)),
        iterations=max(c.iterations for c in cals),
        max_deviation=max(c.max_deviation for c in cals),
        parts=tuple(entries),
    )


# --------------------------------------------------------------------------------------------------
# Margins
# --------------------------------------------------------------------------------------------------


def margins_from_frame(population: pd.DataFrame, variables: Sequence[str] | None = None) -> dict:
    """Tidy margins (``variable``, ``modalite``, ``effectif``) -> ``{variable: {modalite: N}}``.

    Parameters
    ----------
    population : DataFrame
        As ``population_reference.csv``.
    variables : sequence of str, optional
        Keep these variables, in this order (default: all, in order of appearance).
    """
    missing = {"variable", "modalite", "effectif"} - set(population.columns)
    if missing:
        raise SurveyError(
            "Les marges de population doivent avoir les colonnes variable, modalite, effectif "
            f"(absentes : {', '.join(sorted(missing))})."
        )
    pop = population.assign(
        variable=population["variable"].astype(str).str.strip(),
        modalite=population["modalite"].astype(str).str.strip(),
    )
    order = list(dict.fromkeys(pop["variable"].tolist()))
    if variables is not None:
        absent = [v for v in variables if v not in order]
        if absent:
            raise RakingError(f"Aucune marge de population pour la variable « {absent[0]} ».", absent[0])
        order = list(variables)
    out = {}
    for v in order:
        sub = pop[pop["variable"] == v]
        out[v] = dict(zip(sub["modalite"].tolist(), to_float(sub["effectif"], "effectif")))
    return out


def _normalise_margins(margins: Any) -> list[tuple[str, list[str] | None, np.ndarray]]:
    """``[(variable, levels or None for a numeric total, targets)]``."""
    if isinstance(margins, pd.DataFrame):
        margins = margins_from_frame(margins)
    if not isinstance(margins, Mapping) or not margins:
        raise SurveyError(
            "Les marges doivent être un dict {variable: {modalité: effectif}} ou un DataFrame "
            "(variable, modalite, effectif)."
        )
    out = []
    for var, cells in margins.items():
        if isinstance(cells, pd.Series):
            cells = cells.to_dict()
        if isinstance(cells, pd.DataFrame):
            cells = dict(zip(cells.iloc[:, 0].astype(str), cells.iloc[:, 1]))
        if np.isscalar(cells):
            levels, targets = None, np.asarray([float(cells)])
        else:
            levels = [str(k) for k in cells.keys()]
            targets = np.asarray([float(v) for v in cells.values()], dtype=np.float64)
            if np.any(~np.isfinite(targets)) or np.any(targets < 0):
                raise RakingError(f"Effectifs de population invalides pour la variable « {var} ».", var)
        out.append((str(var), levels, targets))
    return out


def _margin_codes(des: SurveyDesign, var: str, levels: list[str], targets: np.ndarray, d: np.ndarray) -> np.ndarray:
    if var not in des.data.columns:
        raise RakingError(f"La variable de ratissage « {var} » est absente des données.", var)
    values = des.data[var]
    n_na = int(values.isna().sum())
    if n_na:
        raise RakingError(
            f"La variable de ratissage « {var} » a {n_na} valeur(s) manquante(s) : impossible de caler ces répondants.",
            var,
        )
    raw, uniques = pd.factorize(values)  # label the distinct values only (fast on millions of rows)
    labels = as_str(pd.Series(uniques))
    codes = codes_for(labels, levels)[raw]
    if (codes < 0).any():
        unknown = labels.iloc[raw[codes < 0][0]]
        raise RakingError(
            f"La modalité « {unknown} » de la variable « {var} » est présente dans l'échantillon mais absente "
            "des marges de population.",
            var,
            str(unknown),
        )
    sample = np.bincount(codes, weights=d, minlength=len(levels))
    for j, lev in enumerate(levels):
        if targets[j] > 0 and sample[j] <= 0:
            raise RakingError(
                f"Aucun répondant dans la case « {var} = {lev} » (effectif de population {targets[j]:g}) : le "
                "ratissage sur cette marge est impossible. Regrouper cette modalité avec une autre.",
                var,
                lev,
            )
        if targets[j] == 0 and sample[j] > 0:
            raise RakingError(f"La case « {var} = {lev} » a des répondants mais un effectif de population nul.", var, lev)
    return codes


@dataclass(frozen=True)
class _Spec:
    names: list  # (variable, levels or None, targets)
    codes: list  # codes per factor margin (None for numeric)
    blocks: tuple  # OneHot per margin (a numeric variable is a one-column block)
    cells: tuple
    targets: np.ndarray

    def totals(self, w: np.ndarray) -> np.ndarray:
        """Weighted totals ``X' w`` of every column."""
        return np.concatenate([np.bincount(b.codes, weights=b.values * w, minlength=b.k) for b in self.blocks])

    def gram(self, w: np.ndarray) -> np.ndarray:
        """``X' diag(w) X``."""
        return np.block([[cross(a, b, w) for b in self.blocks] for a in self.blocks])

    def linear(self, lam: np.ndarray) -> np.ndarray:
        """``X @ lam``."""
        out, off = 0.0, 0
        for b in self.blocks:
            out = out + lam[off : off + b.k][b.codes] * b.values
            off += b.k
        return out


def _build(des: SurveyDesign, margins: Any, d: np.ndarray) -> _Spec:
    spec = _normalise_margins(margins)
    n = des.n
    blocks, codes_list, cells, targets = [], [], [], []
    for var, levels, tg in spec:
        if levels is None:
            if var == "(Intercept)":
                x = np.ones(n)
            else:
                if var not in des.data.columns:
                    raise RakingError(f"La variable de calage « {var} » est absente des données.", var)
                x = to_float(des.data[var], var)
                if np.isnan(x).any():
                    raise RakingError(f"La variable de calage « {var} » a des valeurs manquantes.", var)
            blocks.append(OneHot(np.zeros(n, dtype=np.int64), x, 1))
            codes_list.append(None)
            cells.append((var, ""))
        else:
            codes = _margin_codes(des, var, levels, tg, d)
            blocks.append(OneHot(codes, np.ones(n), len(levels), unit=True))
            codes_list.append(codes)
            cells.extend((var, lev) for lev in levels)
        targets.append(tg)
    return _Spec(spec, codes_list, tuple(blocks), tuple(cells), np.concatenate(targets))


def _deviation(spec: _Spec, w: np.ndarray, exact_last: bool = False) -> tuple[float, int]:
    """Largest relative gap to the targets (``exact_last``: the last margin was just matched)."""
    if exact_last and len(spec.blocks) > 1:
        last = spec.blocks[-1].k
        head = np.concatenate([np.bincount(b.codes, weights=b.values * w, minlength=b.k) for b in spec.blocks[:-1]])
        tot = np.concatenate([head, spec.targets[-last:]])
    else:
        tot = spec.totals(w)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(spec.targets > 0, np.abs(tot - spec.targets) / np.abs(spec.targets), np.abs(tot))
    j = int(np.argmax(rel))
    return float(rel[j]), j


def _no_convergence(spec: _Spec, dev: float, j: int, max_iter: int, tol: float, bounds) -> RakingError:
    var, lev = spec.cells[j]
    totals = {v: t.sum() for v, lv, t in spec.names if lv is not None}
    hint = ""
    if totals and max(totals.values()) - min(totals.values()) > 1e-9 * max(totals.values()):
        hint = " Les marges n'ont pas le même total (" + ", ".join(f"{v} : {t:g}" for v, t in totals.items()) + ")."
    if bounds is not None:
        hint += f" Les bornes {tuple(bounds)} sont peut-être trop étroites."
    cell = f"{var} = {lev}" if lev else var
    return RakingError(
        f"Le ratissage n'a pas convergé après {max_iter} itérations : la case « {cell} » reste à un écart "
        f"relatif de {dev:.3g} de sa marge (tolérance {tol:g}).{hint}",
        var,
        lev or None,
    )


def _check_start(des: SurveyDesign, max_iter: int, bounds) -> None:
    if des.calibration is not None:
        raise SurveyError("Ce plan est déjà calé : caler à partir du plan initial.")
    if max_iter < 1:
        raise SurveyError("max_iter doit être au moins 1.")
    if bounds is not None and not (0 <= bounds[0] <= 1 <= bounds[1]):
        raise SurveyError("Les bornes doivent vérifier 0 <= L <= 1 <= U.")


def _crossed_codes(spec: _Spec) -> tuple[np.ndarray, int]:
    """Cell of each row in the table crossing every raking variable (R's ``svytable(ff, design)``)."""
    sizes = [t.shape[0] for _, _, t in spec.names]
    return np.ravel_multi_index(tuple(spec.codes), sizes), int(np.prod(sizes))


def _ipf(
    spec: _Spec, d: np.ndarray, max_iter: int, tol: float | None, bounds, epsilon: float | None = None
) -> tuple[np.ndarray, tuple, int, float]:
    """Iterative proportional fitting; returns weights, the weights after each margin of the last
    sweep (R's ``attr(, "weights")`` of each postStratify step), sweeps and final deviation.

    Stops when the largest relative gap to a margin is below ``tol`` (a RakingError otherwise) or,
    with ``epsilon`` (R's ``rake``), when no cell of the crossed table moved by ``epsilon`` or more
    during a sweep (a warning otherwise, as R)."""
    if any(c is None for c in spec.codes):
        raise SurveyError("Le ratissage (IPF) ne prend que des marges de variables qualitatives.")
    w = d.copy()
    pos = d > 0
    steps: list = []
    dev, it, j = np.inf, 0, 0
    if epsilon is not None:
        cell, n_cells = _crossed_codes(spec)
        table = np.bincount(cell, weights=w, minlength=n_cells)
        limit = epsilon if epsilon >= 1 else epsilon * float(d.sum())  # R: epsilon < 1 is a share of sum(d)
    converged = False
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is reported after the loop)
        steps = []
        for codes, (_, _, targets) in zip(spec.codes, spec.names):
            tot = np.bincount(codes, weights=w, minlength=targets.shape[0])
            factor = np.divide(targets, tot, out=np.ones_like(targets), where=tot > 0)
            w = w * factor[codes]
            if bounds is not None:
                g = np.divide(w, d, out=np.ones_like(w), where=pos)
                w = np.where(pos, d * np.clip(g, bounds[0], bounds[1]), w)
            steps.append(w)  # a new array at each step: no copy needed
        dev, j = _deviation(spec, w, exact_last=bounds is None)
        if epsilon is not None:
            new_table = np.bincount(cell, weights=w, minlength=n_cells)
            converged = float(np.max(np.abs(new_table - table))) < limit
            table = new_table
        else:
            converged = dev < tol
        if converged:
            break
    if not converged:
        if epsilon is None:
            raise _no_convergence(spec, dev, j, max_iter, tol, bounds)
        var, lev = spec.cells[j]
        warnings.warn(f"Le ratissage n'a pas convergé après {max_iter} itération{'s' if max_iter > 1 else ''} "
                      f"(règle de R : epsilon = "
                      f"{epsilon:g}) ; la case « {var} = {lev} » reste à un écart relatif de {dev:.3g} de sa marge.",
                      RakingWarning, stacklevel=3)
    return w, tuple(steps), it, dev


def rake(
    des: SurveyDesign,
    margins: Any,
    *,
    max_iter: int = 10,
    epsilon: float = 1.0,
    tol: float | None = None,
    bounds: tuple[float, float] | None = None,
) -> SurveyDesign:
    """Rake the weights to population margins by iterative proportional fitting (R: ``rake``).

    Parameters
    ----------
    des : SurveyDesign
        Design whose weights are the starting (pre-raking) weights ``d``.
    margins : dict or DataFrame
        ``{variable: {modalite: effectif}}`` or a tidy frame with columns ``variable``, ``modalite``,
        ``effectif`` (as ``population_reference.csv``). Categories are matched as strings.
    max_iter : int, default 10
        Maximum number of full sweeps over the margins (R's ``control$maxit``).
    epsilon : float, default 1
        R's stopping rule (``control$epsilon``), used when ``tol`` is None: stop after the sweep in
        which no cell of the table crossing every raking variable moved by ``epsilon`` or more
        (a value below 1 is a share of the sum of the starting weights). Without convergence after
        ``max_iter`` sweeps the weights are returned with a :class:`RakingWarning`, as R warns.
    tol : float, optional
        The engine's stricter rule instead: stop when every weighted margin total is within ``tol``
        (relative) of its target; without convergence, a :class:`RakingError` naming the cell
        (the observatory's rule, DESIGN.md §5). R's defaults stop after a change of less than one
        unit of weight, so their margins can be off by up to about one unit; pass ``tol`` (e.g.
        ``1e-8``, with ``max_iter=100``) for margins met exactly.
    bounds : (float, float), optional
        Bounds ``(L, U)`` on the adjustment factors ``g = w / d``, applied after each margin step
        (bounded raking, i.e. trimming inside the algorithm). Too tight bounds make raking fail.

    Returns
    -------
    SurveyDesign or ReplicateDesign
        A replicate design is raked replicate by replicate (as R). Otherwise a new design with raked
        weights; its variance is R's ``rake()`` one (see the module notes):
        ten backfitting sweeps of the linearised variable over the margins. For the residuals of a
        regression weighted by the starting weights (R's ``calibrate(calfun="raking")``), use
        :func:`calibrate`; both agree when the starting weights are constant within the cells.

    Raises
    ------
    RakingError
        Missing values in a raking variable, a sample category absent from the margins, a margin
        cell with no respondent, or no convergence (the message names the variable and modalité of
        the worst cell).

    References
    ----------
    Deville, J.-C., Särndal, C.-E. & Sautory, O. (1993). JASA 88, 1013-1020.
    Lumley, T. (2010). Complex Surveys, §7.3. Wiley.
    """
    if getattr(des, "is_replicate", False):
        return _each_replicate(des, lambda x: rake(x, margins, max_iter=max_iter, epsilon=epsilon, tol=tol,
                                                    bounds=bounds))
    _check_start(des, max_iter, bounds)
    if tol is None and not epsilon > 0:
        raise SurveyError("epsilon doit être strictement positif.")
    d = np.asarray(des.weights, dtype=np.float64)
    spec = _build(des, margins, d)
    w, steps, it, dev = _ipf(spec, d, max_iter, tol, bounds, epsilon=epsilon if tol is None else None)
    cal = Calibration(
        kind="backfit",
        blocks=spec.blocks,
        row_scales=steps,
        base_weights=readonly(d),
        cells=spec.cells,
        targets=readonly(spec.targets),
        iterations=it,
        max_deviation=dev,
        backfit_cache=_backfit_cache(spec.blocks, steps),
    )
    return replace(des, weights=readonly(w), calibration=cal)


def _regression_calibration(des, spec, d, w, it, dev) -> SurveyDesign:
    cal = Calibration(
        kind="regression",
        blocks=spec.blocks,
        row_scales=tuple(w for _ in spec.blocks),
        base_weights=readonly(d),
        cells=spec.cells,
        targets=readonly(spec.targets),
        iterations=it,
        max_deviation=dev,
        gram=spec.gram(d),
        ratio=np.divide(d, w, out=np.zeros_like(w), where=w > 0),
    )
    return replace(des, weights=readonly(w), calibration=cal)


CALFUNS = ("linear", "raking")


def calibrate(
    des: SurveyDesign,
    margins: Any,
    *,
    calfun: str = "linear",
    max_iter: int = 100,
    tol: float = 1e-8,
    bounds: tuple[float, float] | None = None,
) -> SurveyDesign:
    """Calibrate the weights to population totals (R: ``calibrate``).

    Parameters
    ----------
    des : SurveyDesign
    margins : dict or DataFrame
        ``{variable: {modalite: N}}`` for a factor (every level's total), ``{variable: total}`` for a
        numeric variable, ``{"(Intercept)": N}`` for the population size when no factor gives it.
    calfun : {"linear", "raking"}
        ``linear`` (R's default): GREG weights ``d (1 + x'λ)`` (may be negative); ``raking``: ``d
        exp(x'λ)``, by iterative proportional fitting when every margin is a factor, by Newton
        steps otherwise.
    max_iter, tol, bounds
        As :func:`rake` (``bounds`` with ``calfun="raking"`` and factor margins only).

    Returns
    -------
    SurveyDesign
        Its variance uses the residuals of the regression of the linearised variable on the
        calibration variables weighted by the starting weights (R's ``greg_calibration``).

    References
    ----------
    Deville, J.-C. & Särndal, C.-E. (1992). JASA 87, 376-382.
    """
    calfun = choice(calfun, CALFUNS, "calfun")
    if getattr(des, "is_replicate", False):
        return _each_replicate(des, lambda x: calibrate(x, margins, calfun=calfun, max_iter=max_iter, tol=tol,
                                                        bounds=bounds))
    _check_start(des, max_iter, bounds)
    d = np.asarray(des.weights, dtype=np.float64)
    spec = _build(des, margins, d)
    if calfun == "raking" and all(c is not None for c in spec.codes):
        w, _, it, dev = _ipf(spec, d, max_iter, tol, bounds)
        return _regression_calibration(des, spec, d, w, it, dev)
    if bounds is not None:
        raise SurveyError("Les bornes ne sont prises en charge qu'avec calfun='raking' sur des marges qualitatives.")
    gram = spec.gram(d)
    lam = np.zeros(spec.targets.shape[0])
    w = d.copy()
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 (the count is reported after the loop)
        resid = spec.targets - spec.totals(w)
        if calfun == "linear":
            lam = np.linalg.lstsq(gram, spec.targets - spec.totals(d), rcond=None)[0]
            w = d * (1.0 + spec.linear(lam))
            break
        jac = spec.gram(w)
        lam = lam + np.linalg.lstsq(jac, resid, rcond=None)[0]
        w = d * np.exp(spec.linear(lam))
        if _deviation(spec, w)[0] < tol:
            break
    dev, j = _deviation(spec, w)
    if not dev < max(tol, 1e-10):
        raise _no_convergence(spec, dev, j, max_iter, tol, bounds)
    return _regression_calibration(des, spec, d, w, it, dev)


def post_stratify(des: SurveyDesign, strata: str | Sequence[str], population: Any) -> SurveyDesign:
    """Post-stratify the weights (R: ``postStratify``).

    Parameters
    ----------
    des : SurveyDesign
    strata : str or list of str
        Post-stratification variable(s); several variables define their crossed cells.
    population : dict or DataFrame
        ``{cell: N}`` (for several variables, cells are the values joined by ``"."``, as R's
        ``interaction``), or a frame with the variable column(s) and ``Freq`` (as in R).

    Returns
    -------
    SurveyDesign
        Weights ``d N_c / sum_c d``; variance on the residuals from the cell means weighted by
        ``d`` (R's ``svyrecvar`` for a post-stratified design).

    References
    ----------
    Holt, D. & Smith, T. M. F. (1979). Post stratification. JRSS A 142, 33-46.
    """
    if getattr(des, "is_replicate", False):
        return _each_replicate(des, lambda x: post_stratify(x, strata, population))
    variables = [strata] if isinstance(strata, str) else list(strata)
    if isinstance(population, pd.DataFrame):
        if "Freq" not in population.columns:
            raise SurveyError("La table de population doit avoir une colonne Freq (comme dans R).")
        keys = population[variables].astype(str).agg(".".join, axis=1)
        population = dict(zip(keys, population["Freq"]))
    name = ".".join(variables)
    data = des.data
    for v in variables:
        if v not in data.columns:
            raise SurveyError(f"La variable de post-stratification « {v} » est absente des données.")
    cell = as_str(data[variables[0]]) if len(variables) == 1 else data[variables].apply(as_str).agg(".".join, axis=1)
    tmp = replace(des, data=data.assign(**{name: cell}))
    d = np.asarray(des.weights, dtype=np.float64)
    _check_start(des, 1, None)
    spec = _build(tmp, {name: population}, d)
    codes = spec.codes[0]
    tot = np.bincount(codes, weights=d, minlength=spec.targets.shape[0])
    w = d * np.divide(spec.targets, tot, out=np.zeros_like(tot), where=tot > 0)[codes]
    dev, _ = _deviation(spec, w)
    out = _regression_calibration(tmp, spec, d, w, 1, dev)
    return replace(out, data=data)


def _each_replicate(rep, calibrate_one):
    """A replicate design calibrated as R does it: the full-sample weights and every replicate's
    weights are calibrated the same way (``calibrate.svyrep.design``, ``rake`` on a replicate
    design), so the replicate variance includes the calibration."""
    from .design import design as make_design
    from .replicate import ReplicateDesign

    def weights_after(w):
        return calibrate_one(make_design(rep.data, weights=w)).weights

    full = weights_after(rep.weights)
    reps = np.column_stack([weights_after(rep.repweights[:, r]) for r in range(rep.n_replicates)])
    return ReplicateDesign(rep.data, readonly(full), readonly(reps), rep.scale, rep.rscales, rep.type, rep.mse,
                           rep.index)


# --------------------------------------------------------------------------------------------------
# Weighting diagnostics
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightingSummary:
    """Weighting efficiency of a design (Kish 1965).

    Attributes
    ----------
    n : int
        Rows with a positive weight.
    sum_weights : float
    n_effective : float
        Kish effective sample size ``(sum w)^2 / sum w^2``.
    deff_weighting : float
        Design effect due to unequal weights ``n / n_effective = 1 + cv(w)^2``.
    weight_min, weight_max : float
    g_min, g_max : float
        Range of the calibration factors ``w / d`` (NaN if not calibrated).
    iterations : int
        Raking sweeps (0 if not calibrated).
    max_deviation : float
        Final largest relative gap to the margins (NaN if not calibrated).
    """

    n: int
    sum_weights: float
    n_effective: float
    deff_weighting: float
    weight_min: float
    weight_max: float
    g_min: float
    g_max: float
    iterations: int
    max_deviation: float

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([dataclasses.asdict(self)])


def weighting_summary(des: SurveyDesign) -> WeightingSummary:
    """Kish effective sample size and design effect due to weighting.

    References
    ----------
    Kish, L. (1965). Survey Sampling. Wiley. (deff_w = 1 + CV² of the weights.)
    """
    w = des.weights[des.weights > 0]
    n_eff = w.sum() ** 2 / np.sum(w * w)
    cal = des.calibration
    if cal is not None:
        d = cal.base_weights
        pos = d > 0
        g = des.weights[pos] / d[pos]
        gmin, gmax, its, dev = float(g.min()), float(g.max()), cal.iterations, cal.max_deviation
    else:
        gmin = gmax = dev = float("nan")
        its = 0
    return WeightingSummary(
        n=int(w.shape[0]),
        sum_weights=float(w.sum()),
        n_effective=float(n_eff),
        deff_weighting=float(w.shape[0] / n_eff),
        weight_min=float(w.min()),
        weight_max=float(w.max()),
        g_min=gmin,
        g_max=gmax,
        iterations=int(its),
        max_deviation=float(dev),
    )
