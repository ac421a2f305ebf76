"""Personal data (DESIGN §6): keyed pseudonymisation of identifiers and small-cell masking."""

from __future__ import annotations

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


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Replace identifiers by a keyed hash (HMAC-SHA256, 12 hex digits).

    The same identifier gives the same pseudonym with the same key, so ``matricule``,
    ``id_accueilli`` and ``id_cadre`` still link across files. Identifiers are stripped and
    upper-cased first (``a102`` and ``A102 `` are one agent). Missing values stay missing.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    normalised = pd.Series(uniques, dtype="str").str.strip().str.upper()
    digests = [f"{PSEUDONYM_PREFIX}{hmac.digest(key, u.encode('utf-8'), 'sha256').hex()[:12]}" for u in normalised]
    pseudonyms = np.array(digests + [pd.NA], dtype=object)
    return pd.Series(pseudonyms[codes], index=values.index, dtype="str")


# ---------------------------------------------------------------------------------------------
# Small-cell masking (DESIGN §6): primary suppression below a threshold of agents, then
# secondary suppression so that no masked cell can be recovered from the published totals.
# ---------------------------------------------------------------------------------------------

#: INSEE's statistical-secrecy floor: no threshold below this many units is accepted.
SEUIL_MINIMUM = 3


def seuil_confidentialite(seuil: int | None = None) -> int:
    """Return the masking threshold (number of agents), validated.

    Parameters
    ----------
    seuil : int, optional
        Threshold to use; defaults to ``confidentialite.seuil_agents`` of ``observatoire.yml``
        (5 when absent).

    Raises
    ------
    ValueError
        (in French) when the threshold is below :data:`SEUIL_MINIMUM` (3) or not an integer.

    References
    ----------
    INSEE, *Guide du secret statistique* (no published cell built from fewer than 3 units).
    """
    if seuil is None:
        from .config import load_config

        seuil = load_config("observatoire").get("confidentialite", {}).get("seuil_agents", 5)
    try:
        valeur = int(seuil)
    except (TypeError, ValueError):
        raise ValueError(
            f"Seuil de confidentialité invalide : {seuil!r} (attendu : un nombre entier "
            f"d'agents, au moins {SEUIL_MINIMUM})."
        ) from None
    if valeur != seuil or valeur < SEUIL_MINIMUM:
        raise ValueError(
            f"Seuil de confidentialité refusé : {seuil!r}. Le secret statistique interdit de "
            f"publier une case portant sur moins de {SEUIL_MINIMUM} agents ; choisissez un "
            f"entier supérieur ou égal à {SEUIL_MINIMUM} (5 par défaut)."
        )
    return valeur


def _masque_primaire(valeurs: np.ndarray, seuil: int, masquer_zeros: bool) -> np.ndarray:
    v = np.asarray(valeurs, dtype=float)
    masque = np.where(np.isnan(v), False, v < seuil)
    if not masquer_zeros:
        masque &= ~(v == 0)
    return masque


def _completer_ligne(valeurs: np.ndarray, masque: np.ndarray, indices: list[int],
                     ordre: np.ndarray, ferme: Callable[[int, list[int]], bool] | None = None) -> bool:
    """If exactly one cell of a line is masked, mask the next smallest one. Return True if changed.

    ``indices`` are positions of the line's entries in the flat arrays; ``ordre`` gives a
    preference (lower first) used to pick the complementary cell: interior cells first, then
    (two-way tables) cells that also close another line holding a single masked cell, then by
    value.
    """
    masques = [i for i in indices if masque[i]]
    if len(masques) != 1:
        return False
    candidats = [i for i in indices if not masque[i] and not np.isnan(valeurs[i])]
    if not candidats:
        return False
    choix = min(candidats, key=lambda i: (ordre[i], not (ferme and ferme(i, indices)),
                                          valeurs[i], i))
    masque[choix] = True
    return True


@dataclass(frozen=True)
class MasqueTableau:
    """Masks of a two-way table with its margins (True = not published).

    Attributes
    ----------
    cellules : DataFrame of bool
        One entry per interior cell, same labels as the input table.
    lignes, colonnes : Series of bool
        Masks of the row totals and of the column totals.
    total : bool
        Mask of the grand total.
    """

    cellules: pd.DataFrame
    lignes: pd.Series
    colonnes: pd.Series
    total: bool


def _contraintes_tableau(n_lignes: int, n_colonnes: int) -> np.ndarray:
    """Additivity constraints of an extended (R+1)x(C+1) table, flattened row-major.

    Each row (interior cells minus the row total) and each column (interior cells minus the
    column total) sums to zero; the margin row and margin column are included.
    """
    R, C = n_lignes + 1, n_colonnes + 1
    lignes = []
    for i in range(R):
        a = np.zeros(R * C)
        a[i * C:i * C + C - 1] = 1
        a[i * C + C - 1] = -1
        lignes.append(a)
    for j in range(C):
        a = np.zeros(R * C)
        a[[i * C + j for i in range(R - 1)]] = 1
        a[(R - 1) * C + j] = -1
        lignes.append(a)
    return np.array(lignes)


def cellules_recalculables(contraintes: np.ndarray, masque: np.ndarray) -> np.ndarray:
    """Which masked entries are exactly determined by linear constraints and published values.

    A masked entry ``k`` is recoverable when the unit vector ``e_k`` lies in the row space of the
    constraint matrix restricted to the masked entries (then ``x_k`` is a linear combination of
    published values). Non-negativity bounds are ignored: this is an audit against exact
    recovery, not against interval disclosure.

    Parameters
    ----------
    contraintes : ndarray, shape (n_constraints, n_entries)
        Each row ``a`` states ``a @ x == 0`` for the full vector of entries ``x``.
    masque : ndarray of bool, shape (n_entries,)

    Returns
    -------
    ndarray of bool, shape (n_entries,)
        True for masked entries that can be recomputed exactly.
    """
    masque = np.asarray(masque, dtype=bool)
    idx = np.flatnonzero(masque)
    out = np.zeros(masque.shape, dtype=bool)
    if idx.size == 0:
        return out
    A = np.asarray(contraintes, dtype=float)[:, idx]
    rang = np.linalg.matrix_rank(A) if A.size else 0
    for pos, k in enumerate(idx):
        e = np.zeros((1, idx.size))
        e[0, pos] = 1
        out[k] = np.linalg.matrix_rank(np.vstack([A, e])) == rang
    return out


def masquer_tableau(table: pd.DataFrame, seuil: int | None = None, *,
                    masquer_zeros: bool = False, audit: bool = True) -> MasqueTableau:
    """Primary and secondary masking of a two-way table of agent counts whose margins are published.

    Parameters
    ----------
    table : DataFrame
        Interior counts (rows × columns), without margins; margins are computed as sums.
    seuil : int, optional
        Cells (interior or margins) about fewer agents are masked (primary suppression).
        Defaults to the configured threshold; below 3 is refused.
    masquer_zeros : bool, default False
        Whether empty cells (0 agents) are primary-masked. A zero concerns nobody, so by default
        it is published; it may still be chosen as a complementary (secondary) cell.
    audit : bool, default True
        After the line rule, check the whole system of additivity constraints and mask more
        cells while any masked cell could be recomputed exactly (see
        :func:`cellules_recalculables`).

    Returns
    -------
    MasqueTableau

    Notes
    -----
    Secondary suppression follows the line rule: in every row and every column of the table
    extended with its margins (the margin row and the margin column included), when exactly one
    entry is masked, the smallest unmasked interior entry of that line is masked as well (the
    line's total when no interior entry is left), preferring an entry whose crossing line also
    holds a single masked entry (one suppression then protects both lines); this is iterated
    until stable. A line with
    zero or at least two masked entries reveals none of them by subtraction. The optional audit
    then closes the remaining gaps (e.g. a masked cell linking two otherwise independent blocks).

    References
    ----------
    Hundepool, A. et al. (2012), *Statistical Disclosure Control*, Wiley, ch. 4 (cell
    suppression). INSEE, *Guide du secret statistique*.
    """
    seuil = seuil_confidentialite(seuil)
    interieur = table.to_numpy(dtype=float)
    R, C = interieur.shape
    etendu = np.zeros((R + 1, C + 1))
    etendu[:R, :C] = interieur
    etendu[:R, C] = np.nansum(interieur, axis=1)
    etendu[R, :C] = np.nansum(interieur, axis=0)
    etendu[R, C] = np.nansum(interieur)
    valeurs = etendu.ravel()
    masque = _masque_primaire(valeurs, seuil, masquer_zeros)
    # Preference when picking a complementary cell: interior entries (0), margins (1), total (2).
    ordre = np.zeros((R + 1, C + 1))
    ordre[R, :] = 1
    ordre[:, C] = 1
    ordre[R, C] = 2
    ordre = ordre.ravel()
    Cx = C + 1
    lignes = [[i * Cx + j for j in range(Cx)] for i in range(R + 1)]
    colonnes = [[i * Cx + j for i in range(R + 1)] for j in range(Cx)]
    contraintes = _contraintes_tableau(R, C) if audit else None

    def ferme(p: int, ligne: list[int]) -> bool:
        i, j = divmod(p, Cx)
        autre = colonnes[j] if ligne is lignes[i] else lignes[i]
        return sum(bool(masque[q]) for q in autre) == 1

    while True:
        change = True
        while change:
            change = False
            for ligne in lignes + colonnes:
                change |= _completer_ligne(valeurs, masque, ligne, ordre, ferme)
        if not audit:
            break
        recalculables = np.flatnonzero(cellules_recalculables(contraintes, masque))
        if recalculables.size == 0:
            break
        # Mask the smallest unmasked entry sharing a line with the first recoverable cell.
        k = int(recalculables[0])
        i, j = divmod(k, Cx)
        candidats = [p for p in lignes[i] + colonnes[j] if not masque[p]]
        if not candidats:  # pragma: no cover - every entry of its lines masked: cannot happen
            break
        masque[min(candidats, key=lambda p: (ordre[p], valeurs[p], p))] = True
    m = masque.reshape(R + 1, C + 1)
    return MasqueTableau(
        cellules=pd.DataFrame(m[:R, :C], index=table.index, columns=table.columns),
        lignes=pd.Series(m[:R, C], index=table.index),
        colonnes=pd.Series(m[R, :C], index=table.columns),
        total=bool(m[R, C]),
    )


def masquer_tableau_long(df: pd.DataFrame, seuil: int | None = None, *,
                         cles: Sequence[str] = ("date_extraction", "indicateur"),
                         variable: str = "groupe_variable", groupe: str = "groupe",
                         effectif: str = "effectif", total: str = "ensemble",
                         colonnes_masquees: Sequence[str] = ("valeur", "effectif"),
                         masquer_zeros: bool = False) -> pd.DataFrame:
    """Mask a long tidy table of one-way breakdowns that each add up to an ``ensemble`` row.

    Each block of rows sharing ``cles`` holds one total row (``variable == total``) and one or
    more breakdowns (one per other value of ``variable``) whose groups partition the total.

    Parameters
    ----------
    df : DataFrame
        Tidy table, e.g. ``rh_indicateurs`` (``effectif`` = agents behind the figure) or
        ``rh_departs_projetes`` (``effectif="departs"``).
    seuil : int, optional
        Threshold in agents (default from configuration, never below 3).
    cles : sequence of str
        Columns identifying a block (e.g. date and indicator; date, scenario and year).
    variable, groupe : str
        Columns naming the breakdown and the group.
    effectif : str
        Column with the number of agents each row is about: primary masking when below
        ``seuil``; ranks candidates for secondary masking.
    total : str
        Value of ``variable`` (and of ``groupe``) on the block's total row.
    colonnes_masquees : sequence of str
        Columns blanked (set to missing) on masked rows; those absent from ``df`` are ignored.
    masquer_zeros : bool, default False
        Whether rows about 0 agents are primary-masked (see :func:`masquer_tableau`).

    Returns
    -------
    DataFrame
        A copy with a boolean ``masque`` column (combined with any existing one) and the masked
        columns blanked.

    Notes
    -----
    Secondary masking, per block and breakdown: when the block's total row is published and
    exactly one group of the breakdown is masked, the group with the next smallest ``effectif``
    is masked too, so the masked group cannot be recovered as total minus the others. Rates and
    means are treated like counts because ``effectif`` is published next to them: value ×
    effectif is additive across groups (days absent, movements, sums of ages).
    """
    seuil = seuil_confidentialite(seuil)
    out = df.copy()
    n = len(out)
    eff = pd.to_numeric(out[effectif], errors="coerce").to_numpy(dtype=float)
    masque = _masque_primaire(eff, seuil, masquer_zeros)
    if "masque" in out.columns:
        masque |= out["masque"].fillna(False).to_numpy(dtype=bool)
    est_total = (out[variable].astype(str) == total).to_numpy()
    ordre = np.zeros(n)
    cles = list(cles)
    blocs = out.groupby(cles, sort=False, dropna=False).indices if cles else {None: np.arange(n)}
    for rows in blocs.values():
        rows = np.asarray(rows)
        totaux = rows[est_total[rows]]
        if totaux.size and masque[totaux].all():
            continue  # total not published: nothing to subtract from
        variables = out[variable].to_numpy()[rows]
        for v in pd.unique(variables[~est_total[rows]]):
            ligne = [int(r) for r in rows[(variables == v) & ~est_total[rows]]]
            _completer_ligne(eff, masque, ligne, ordre)
    out["masque"] = masque
    for col in colonnes_masquees:
        if col in out.columns:
            if pd.api.types.is_integer_dtype(out[col]) and not pd.api.types.is_extension_array_dtype(out[col]):
                out[col] = out[col].astype("float64")
            out.loc[masque, col] = np.nan
    return out
