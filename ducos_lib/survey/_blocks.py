"""Matrices with at most one non-zero per row, multiplied with ``bincount`` (the engine's fast path).

The influence values of a statistic over ``G`` domains (each row in at most one domain) and every
block of calibration columns (each row in exactly one cell of a margin) have this shape; their
cross-products are bincounts over the rows instead of general sparse products, which keeps ten
million rows within seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse


@dataclass(frozen=True, eq=False)
class OneHot:
    """An ``n x k`` matrix whose row ``i`` holds ``values[i]`` in column ``codes[i]``.

    An empty row is best written with code 0 and value 0 (every product then takes the fast path);
    code -1 is accepted too.
    """

    codes: np.ndarray
    values: np.ndarray
    k: int
    unit: bool = False  # every value is 1 (margin cell indicators): products skip them

    @cached_property
    def full(self) -> bool:
        """Every row has its non-zero (no code -1)."""
        return bool(self.codes.size == 0 or self.codes.min() >= 0)

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.codes.shape[0]), self.k)

    def tosparse(self):
        ok = self.codes >= 0
        rows = np.flatnonzero(ok)
        return sparse.csr_matrix((self.values[ok], (rows, self.codes[ok])), shape=self.shape)

    def rows(self, start: int, stop: int) -> OneHot:
        return OneHot(self.codes[start:stop], self.values[start:stop], self.k, self.unit)


def cross(a: OneHot, b: OneHot, row_weights: np.ndarray | None = None) -> np.ndarray:
    """``a' diag(row_weights) b`` (``a.k x b.k``)."""
    if a.unit and b.unit:
        w = np.ones(a.codes.shape[0]) if row_weights is None else row_weights
    else:  # skip the multiplications by indicator values
        w = b.values if a.unit else (a.values if b.unit else a.values * b.values)
        if row_weights is not None:
            w = w * row_weights
    if a is b:  # one non-zero per row: the product is diagonal
        ok = a.codes >= 0
        return np.diag(np.bincount(a.codes[ok], weights=w[ok], minlength=a.k))
    if a.full and b.full:
        idx = b.codes if a.k == 1 else (a.codes if b.k == 1 else a.codes * b.k + b.codes)
        return np.bincount(idx, weights=w, minlength=a.k * b.k).reshape(a.k, b.k)
    ok = (a.codes >= 0) & (b.codes >= 0)
    idx = a.codes[ok] * b.k + b.codes[ok]
    return np.bincount(idx, weights=w[ok], minlength=a.k * b.k).reshape(a.k, b.k)


def cross_any(a: OneHot, z, row_weights: np.ndarray | None = None) -> np.ndarray:
    """``a' diag(row_weights) z`` for ``z`` a :class:`OneHot`, a sparse matrix or an array."""
    if isinstance(z, OneHot):
        return cross(a, z, row_weights)
    vals = a.values if row_weights is None else a.values * row_weights
    ok = a.codes >= 0
    left = sparse.csr_matrix((vals[ok], (a.codes[ok], np.flatnonzero(ok))), shape=(a.k, a.codes.shape[0]))
    out = left @ z
    return out.toarray() if sparse.issparse(out) else np.asarray(out)


def group_sums(codes: np.ndarray, n_groups: int, z) -> np.ndarray:
    """``H' z`` where ``H`` maps each row to its group ``codes`` (``n_groups x k``)."""
    return cross_any(OneHot(codes, np.ones(codes.shape[0]), n_groups, unit=True), z)
