"""Personal data (DESIGN §6): keyed pseudonymisation of identifiers and small-cell masking."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .config import path_setting

log = logging.getLogger(__name__)

PSEUDONYM_PREFIX = "P"


def load_key(path: Path | str | None = None) -> bytes:
    """Read the pseudonymisation key, creating it (with a warning) when it is missing.

    The key lives outside git (``.secrets/`` is ignored). Losing it breaks the link between the
    pseudonyms of two ingestions, not the data already processed.
    """
    path = Path(path) if path is not None else path_setting("cle_pseudonymisation")
    if not path.exists():
        log.warning(
            "Clé de pseudonymisation absente : une nouvelle clé est créée dans %s "
            "(conservez-la hors de git pour garder des pseudonymes stables).", path
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode()


class Pseudonymiser:
    """Pseudonyms under one key, each identifier hashed once however many files carry it.

    Ingestion keeps one for all its datasets (the matricules of ``rh_absences`` are those of
    ``rh_agents``); :func:`pseudonymise` is the one-off form.
    """

    def __init__(self, key: bytes) -> None:
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)  # the padded key hashed once, copied per value
        self._known: dict[str, str] = {}

    def __call__(self, values: pd.Series) -> pd.Series:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        normalised = pd.Series(uniques, dtype="str").str.strip().str.upper()
        known, pseudonyms = self._known, []
        for identifier in normalised.tolist():
            pseudonym = known.get(identifier)
            if pseudonym is None:
                h = self._keyed.copy()
                h.update(identifier.encode("utf-8"))
                pseudonym = known[identifier] = PSEUDONYM_PREFIX + h.hexdigest()[:12]
            pseudonyms.append(pseudonym)
        return pd.Series(pd.array(pseudonyms, dtype="str").take(codes, allow_fill=True), index=values.index)


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Replace identifiers by a keyed hash (HMAC-SHA256, 12 hex digits).

    The same identifier gives the same pseudonym with the same key, so ``matricule``,
    ``id_accueilli`` and ``id_cadre`` still link across files. Identifiers are stripped and
    upper-cased first (``a102`` and ``A102 `` are one agent). Missing values stay missing.
    """
    return Pseudonymiser(key)(values)


# ---------------------------------------------------------------------------------------------
# Small-cell masking (DESIGN §6): primary suppression below a threshold of agents, then
# secondary suppression so that no masked cell can be recovered from the published totals.
# ---------------------------------------------------------------------------------------------

#: INSEE's statistical-secrecy floor: no threshold below this many units is accepted.
MIN_THRESHOLD = 3


def confidentiality_threshold(threshold: int | None = None) -> int:
    """Return the masking threshold (number of agents), validated.

    Parameters
    ----------
    threshold : int, optional
        Threshold to use; defaults to ``confidentialite.seuil_agents`` of ``observatoire.yml``
        (5 when absent).

    Raises
    ------
    ValueError
        (in French) when the threshold is below :data:`MIN_THRESHOLD` (3) or not an integer.

    References
    ----------
    INSEE, *Guide du secret statistique* (no published cell built from fewer than 3 units).
    """
    if threshold is None:
        from .config import load_config

        threshold = load_config("observatoire").get("confidentialite", {}).get("seuil_agents", 5)
    try:
        value = int(threshold)
    except (TypeError, ValueError):
        raise ValueError(
            f"Seuil de confidentialité invalide : {threshold!r} (attendu : un nombre entier "
            f"d'agents, au moins {MIN_THRESHOLD})."
        ) from None
    if value != threshold or value < MIN_THRESHOLD:
        raise ValueError(
            f"Seuil de confidentialité refusé : {threshold!r}. Le secret statistique interdit de "
            f"publier une case portant sur moins de {MIN_THRESHOLD} agents ; choisissez un "
            f"entier supérieur ou égal à {MIN_THRESHOLD} (5 par défaut)."
        )
    return value


def _primary_mask(values: np.ndarray, threshold: int, mask_zeros: bool) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    mask = np.where(np.isnan(v), False, v < threshold)
    if not mask_zeros:
        mask &= ~(v == 0)
    return mask


def _complete_line(values: np.ndarray, mask: np.ndarray, indices: list[int], order: np.ndarray,
                   closes: Callable[[int, list[int]], bool] | None = None) -> bool:
    """If exactly one cell of a line is masked, mask the next smallest one. Return True if changed.

    ``indices`` are positions of the line's entries in the flat arrays; ``order`` gives a
    preference (lower first) used to pick the complementary cell: interior cells first, then
    (two-way tables) cells that also close another line holding a single masked cell, then by
    value.
    """
    masked = [i for i in indices if mask[i]]
    if len(masked) != 1:
        return False
    candidates = [i for i in indices if not mask[i] and not np.isnan(values[i])]
    if not candidates:
        return False
    choice = min(candidates, key=lambda i: (order[i], not (closes and closes(i, indices)), values[i], i))
    mask[choice] = True
    return True


@dataclass(frozen=True)
class TableMask:
    """Masks of a two-way table with its margins (True = not published).

    Attributes
    ----------
    cells : DataFrame of bool
        One entry per interior cell, same labels as the input table.
    rows, columns : Series of bool
        Masks of the row totals and of the column totals.
    total : bool
        Mask of the grand total.
    """

    cells: pd.DataFrame
    rows: pd.Series
    columns: pd.Series
    total: bool


def table_constraints(n_rows: int, n_columns: int) -> np.ndarray:
    """Additivity constraints of an extended (R+1)x(C+1) table, flattened row-major.

    Each row (interior cells minus the row total) and each column (interior cells minus the
    column total) sums to zero; the margin row and margin column are included.
    """
    R, C = n_rows + 1, n_columns + 1
    lines = []
    for i in range(R):
        a = np.zeros(R * C)
        a[i * C:i * C + C - 1] = 1
        a[i * C + C - 1] = -1
        lines.append(a)
    for j in range(C):
        a = np.zeros(R * C)
        a[[i * C + j for i in range(R - 1)]] = 1
        a[(R - 1) * C + j] = -1
        lines.append(a)
    return np.array(lines)


def recoverable_cells(constraints: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Which masked entries are exactly determined by linear constraints and published values.

    A masked entry ``k`` is recoverable when the unit vector ``e_k`` lies in the row space of the
    constraint matrix restricted to the masked entries (then ``x_k`` is a linear combination of
    published values). Non-negativity bounds are ignored: this is an audit against exact
    recovery, not against interval disclosure.

    Parameters
    ----------
    constraints : ndarray, shape (n_constraints, n_entries)
        Each row ``a`` states ``a @ x == 0`` for the full vector of entries ``x``.
    mask : ndarray of bool, shape (n_entries,)

    Returns
    -------
    ndarray of bool, shape (n_entries,)
        True for masked entries that can be recomputed exactly.
    """
    mask = np.asarray(mask, dtype=bool)
    idx = np.flatnonzero(mask)
    out = np.zeros(mask.shape, dtype=bool)
    if idx.size == 0:
        return out
    A = np.asarray(constraints, dtype=float)[:, idx]
    rank = np.linalg.matrix_rank(A) if A.size else 0
    for pos, k in enumerate(idx):
        e = np.zeros((1, idx.size))
        e[0, pos] = 1
        out[k] = np.linalg.matrix_rank(np.vstack([A, e])) == rank
    return out


def feasible_ranges(constraints: np.ndarray, values: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smallest and largest value each masked entry can take, given the published ones.

    Every entry is a count, never negative; the published entries and the linear ``constraints``
    bound the masked ones. Each bound is found by linear programming.

    Parameters
    ----------
    constraints : ndarray, shape (n_constraints, n_entries)
        Each row ``a`` states ``a @ x == 0`` for the full vector of entries ``x``.
    values : ndarray, shape (n_entries,)
        The true entries (only the published ones are used).
    mask : ndarray of bool, shape (n_entries,)

    Returns
    -------
    (low, high) : ndarrays, shape (n_entries,)
        Bounds of each masked entry (``high`` is ``inf`` when nothing bounds it); NaN for
        published entries.

    References
    ----------
    Hundepool, A. et al. (2012), *Statistical Disclosure Control*, Wiley, §4.3 (feasibility
    intervals of suppressed cells).
    """
    from scipy.optimize import linprog

    mask = np.asarray(mask, dtype=bool)
    low = np.full(mask.shape, np.nan)
    high = np.full(mask.shape, np.nan)
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return low, high
    A = np.asarray(constraints, dtype=float)
    v = np.nan_to_num(np.asarray(values, dtype=float))
    A_masked = A[:, idx]
    keep = np.abs(A_masked).sum(axis=1) > 0  # constraints among published entries say nothing more
    A_masked = A_masked[keep]
    b = -(A[keep][:, ~mask] @ v[~mask])
    for pos, k in enumerate(idx):
        c = np.zeros(idx.size)
        c[pos] = 1.0
        lo = linprog(c, A_eq=A_masked, b_eq=b, bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=A_masked, b_eq=b, bounds=(0, None), method="highs")
        low[k] = lo.fun if lo.status == 0 else np.nan
        high[k] = -hi.fun if hi.status == 0 else (np.inf if hi.status == 3 else np.nan)
    return low, high


def determined_cells(constraints: np.ndarray, values: np.ndarray, mask: np.ndarray, *,
                     tolerance: float = 1e-6) -> np.ndarray:
    """Which masked entries a reader can work out exactly, knowing that counts are never negative.

    Stronger than :func:`recoverable_cells`: besides exact linear combinations, a masked entry is
    determined when the published entries and ``constraints`` leave it a single possible value
    once every entry is non-negative (three masked cells summing to 0 are all 0, and the cell
    they were protecting is then known); see :func:`feasible_ranges`.

    Returns
    -------
    ndarray of bool, shape (n_entries,)
        True for masked entries with a single possible value.
    """
    low, high = feasible_ranges(constraints, values, mask)
    return np.asarray(mask, dtype=bool) & (np.abs(high - low) <= tolerance)


def mask_table(table: pd.DataFrame, threshold: int | None = None, *, mask_zeros: bool = False,
               audit: bool = True) -> TableMask:
    """Primary and secondary masking of a two-way table of agent counts whose margins are published.

    Parameters
    ----------
    table : DataFrame
        Interior counts (rows × columns), without margins; margins are computed as sums.
    threshold : int, optional
        Cells (interior or margins) about fewer agents are masked (primary suppression).
        Defaults to the configured threshold; below 3 is refused.
    mask_zeros : bool, default False
        Whether empty cells (0 agents) are primary-masked. A zero concerns nobody, so by default
        it is published; it may still be chosen as a complementary (secondary) cell.
    audit : bool, default True
        After the line rule, check the whole system of additivity constraints and mask more
        cells while any masked cell could be recomputed exactly (see :func:`recoverable_cells`).

    Returns
    -------
    TableMask

    Notes
    -----
    Secondary suppression follows the line rule: in every row and every column of the table
    extended with its margins (the margin row and the margin column included), when exactly one
    entry is masked, the smallest unmasked interior entry of that line is masked as well (the
    line's total when no interior entry is left), preferring an entry whose crossing line also
    holds a single masked entry (one suppression then protects both lines); this is iterated
    until stable. A line with zero or at least two masked entries reveals none of them by
    subtraction. The optional audit then closes the remaining gaps (e.g. a masked cell linking
    two otherwise independent blocks).

    References
    ----------
    Hundepool, A. et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4 (cell
    suppression). INSEE, *Guide du secret statistique*.
    """
    threshold = confidentiality_threshold(threshold)
    inner = table.to_numpy(dtype=float)
    R, C = inner.shape
    extended = np.zeros((R + 1, C + 1))
    extended[:R, :C] = inner
    extended[:R, C] = np.nansum(inner, axis=1)
    extended[R, :C] = np.nansum(inner, axis=0)
    extended[R, C] = np.nansum(inner)
    values = extended.ravel()
    mask = _primary_mask(values, threshold, mask_zeros)
    # Preference when picking a complementary cell: interior entries (0), margins (1), total (2).
    order = np.zeros((R + 1, C + 1))
    order[R, :] = 1
    order[:, C] = 1
    order[R, C] = 2
    order = order.ravel()
    Cx = C + 1
    rows = [[i * Cx + j for j in range(Cx)] for i in range(R + 1)]
    columns = [[i * Cx + j for i in range(R + 1)] for j in range(Cx)]
    constraints = table_constraints(R, C) if audit else None

    def closes(p: int, line: list[int]) -> bool:
        i, j = divmod(p, Cx)
        other = columns[j] if line is rows[i] else rows[i]
        return sum(bool(mask[q]) for q in other) == 1

    while True:
        changed = True
        while changed:
            changed = False
            for line in rows + columns:
                changed |= _complete_line(values, mask, line, order, closes)
        if not audit:
            break
        recoverable = np.flatnonzero(recoverable_cells(constraints, mask))
        if recoverable.size == 0:
            break
        # Mask the smallest unmasked entry sharing a line with the first recoverable cell.
        k = int(recoverable[0])
        i, j = divmod(k, Cx)
        candidates = [p for p in rows[i] + columns[j] if not mask[p]]
        if not candidates:  # pragma: no cover - every entry of its lines masked: cannot happen
            break
        mask[min(candidates, key=lambda p: (order[p], values[p], p))] = True
    m = mask.reshape(R + 1, C + 1)
    return TableMask(
        cells=pd.DataFrame(m[:R, :C], index=table.index, columns=table.columns),
        rows=pd.Series(m[:R, C], index=table.index),
        columns=pd.Series(m[R, :C], index=table.columns),
        total=bool(m[R, C]),
    )


def mask_long_table(df: pd.DataFrame, threshold: int | None = None, *,
                    keys: Sequence[str] = ("date_extraction", "indicateur"),
                    variable: str = "groupe_variable", group: str = "groupe", count: str = "effectif",
                    total: str = "ensemble", masked_columns: Sequence[str] = ("valeur", "effectif"),
                    mask_zeros: bool = False, publish_totals: bool = False) -> pd.DataFrame:
    """Mask a long tidy table of one-way breakdowns that each add up to an ``ensemble`` row.

    Each block of rows sharing ``keys`` holds one total row (``variable == total``) and one or
    more breakdowns (one per other value of ``variable``) whose groups partition the total.

    Parameters
    ----------
    df : DataFrame
        Tidy table, e.g. ``rh_indicateurs`` (``effectif`` = agents behind the figure) or
        ``rh_departs_projetes`` (``count="departs"``).
    threshold : int, optional
        Threshold in agents (default from configuration, never below 3).
    keys : sequence of str
        Columns identifying a block (e.g. date and indicator; date, scenario and year).
    variable, group : str
        Columns naming the breakdown and the group.
    count : str
        Column with the number of agents each row is about: primary masking when below
        ``threshold``; ranks candidates for secondary masking.
    total : str
        Value of ``variable`` (and of ``group``) on the block's total row.
    masked_columns : sequence of str
        Columns blanked (set to missing) on masked rows; those absent from ``df`` are ignored.
    mask_zeros : bool, default False
        Whether rows about 0 agents are primary-masked (see :func:`mask_table`).
    publish_totals : bool, default False
        Never primary-mask the total rows: counts about the whole staff are published whatever
        their size (DESIGN §6, e.g. projected retirements per year). The breakdowns below a
        published total then always get their secondary masking.

    Returns
    -------
    DataFrame
        A copy with a boolean ``masque`` column (combined with any existing one) and the masked
        columns blanked.

    Notes
    -----
    Secondary masking, per block and breakdown: when the block's total row is published and
    exactly one group of the breakdown is masked, the group with the next smallest ``count``
    is masked too, so the masked group cannot be recovered as total minus the others. Rates and
    means are treated like counts because ``effectif`` is published next to them: value ×
    effectif is additive across groups (days absent, movements, sums of ages).
    """
    threshold = confidentiality_threshold(threshold)
    out = df.copy()
    n = len(out)
    counts = pd.to_numeric(out[count], errors="coerce").to_numpy(dtype=float)
    mask = _primary_mask(counts, threshold, mask_zeros)
    is_total = (out[variable].astype(str) == total).to_numpy()
    if publish_totals:
        mask &= ~is_total
    if "masque" in out.columns:
        mask |= out["masque"].fillna(False).to_numpy(dtype=bool)
    order = np.zeros(n)
    keys = list(keys)
    blocks = out.groupby(keys, sort=False, dropna=False).indices if keys else {None: np.arange(n)}
    for rows in blocks.values():
        rows = np.asarray(rows)
        totals = rows[is_total[rows]]
        if totals.size and mask[totals].all():
            continue  # total not published: nothing to subtract from
        variables = out[variable].to_numpy()[rows]
        for v in pd.unique(variables[~is_total[rows]]):
            line = [int(r) for r in rows[(variables == v) & ~is_total[rows]]]
            _complete_line(counts, mask, line, order)
    out["masque"] = mask
    for col in masked_columns:
        if col in out.columns:
            if pd.api.types.is_integer_dtype(out[col]) and not pd.api.types.is_extension_array_dtype(out[col]):
                out[col] = out[col].astype("float64")
            out.loc[mask, col] = np.nan
    return out
