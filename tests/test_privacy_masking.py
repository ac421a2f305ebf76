"""Small-cell masking (DESIGN §6): thresholds, primary and secondary suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ducos_lib.privacy import (
    confidentiality_threshold,
    determined_cells,
    mask_long_table,
    mask_table,
    recoverable_cells,
)


@pytest.mark.parametrize("threshold", [0, 1, 2, -5, 2.5, "deux"])
def test_threshold_below_three_rejected_in_french(threshold):
    with pytest.raises(ValueError, match="(refusé|invalide)"):
        confidentiality_threshold(threshold)


def test_threshold_default_and_accepted():
    assert confidentiality_threshold() == 5  # config/observatoire.yml
    assert confidentiality_threshold(3) == 3
    with pytest.raises(ValueError, match="secret statistique"):
        mask_table(pd.DataFrame([[1, 2]]), threshold=2)


def _extended(table: pd.DataFrame, m):
    """Extended table (interior + margins) and its mask, as numpy arrays."""
    v = table.to_numpy(dtype=float)
    R, C = v.shape
    e = np.zeros((R + 1, C + 1))
    e[:R, :C] = v
    e[:R, C] = v.sum(axis=1)
    e[R, :C] = v.sum(axis=0)
    e[R, C] = v.sum()
    k = np.zeros((R + 1, C + 1), dtype=bool)
    k[:R, :C] = m.cells.to_numpy()
    k[:R, C] = m.rows.to_numpy()
    k[R, :C] = m.columns.to_numpy()
    k[R, C] = m.total
    return e, k


def _check(table, m, threshold, mask_zeros=False):
    e, k = _extended(table, m)
    # 1. no published entry about 1..threshold-1 agents (0 is published unless mask_zeros)
    pub = e[~k]
    assert not ((pub < threshold) & ((pub > 0) | mask_zeros)).any()
    # 2. brute force: no masked entry is the only masked one of any line with a total
    R1, C1 = e.shape
    for i, j in zip(*np.nonzero(k)):
        assert k[i, :].sum() >= 2, (i, j)
        assert k[:, j].sum() >= 2, (i, j)
    # 3. no masked entry is determined by the system of all additivity equations
    R, C = R1 - 1, C1 - 1
    A = []
    for i in range(R1):
        a = np.zeros((R1, C1))
        a[i, :C], a[i, C] = 1, -1
        A.append(a.ravel())
    for j in range(C1):
        a = np.zeros((R1, C1))
        a[:R, j], a[R, j] = 1, -1
        A.append(a.ravel())
    assert not recoverable_cells(np.array(A), k.ravel()).any()


def test_two_way_by_hand():
    # Cell (b, x) = 2 is primary. Row b has one masked cell: its smallest other cell (b, z) = 6
    # is masked. Column x has one masked cell: its smallest other cell (c, x) = 7. Column z has
    # one masked cell, (b, z): among (a, z) = 8 and (c, z) = 15, (c, z) closes row c (which
    # holds a single masked cell), so it is preferred. Result: the rectangle b/c × x/z, every
    # row and column with 0 or 2 masked cells.
    t = pd.DataFrame([[10, 12, 8], [2, 9, 6], [7, 11, 15]], index=list("abc"), columns=list("xyz"))
    m = mask_table(t, threshold=5)
    attendu = pd.DataFrame([[False, False, False], [True, False, True], [True, False, True]],
                           index=list("abc"), columns=list("xyz"))
    assert m.cells.equals(attendu)
    assert not m.rows.any() and not m.columns.any() and not m.total
    _check(t, m, 5)


def test_margin_below_threshold():
    # Row total of "b" is 3 (< 5): masked with its cells; column totals must not give it back.
    t = pd.DataFrame([[10, 12], [1, 2], [9, 30]], index=list("abc"), columns=list("xy"))
    m = mask_table(t, threshold=5)
    assert m.rows["b"]
    _check(t, m, 5)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("threshold", [3, 5])
def test_two_way_random_tables(seed, threshold):
    rng = np.random.default_rng(seed)
    R, C = rng.integers(2, 7), rng.integers(2, 5)
    t = pd.DataFrame(rng.poisson(rng.uniform(1, 12), size=(R, C)))
    m = mask_table(t, threshold=threshold)
    _check(t, m, threshold)
    mz = mask_table(t, threshold=threshold, mask_zeros=True)
    _check(t, mz, threshold, mask_zeros=True)


def test_line_rule_only_without_audit_still_protects_lines():
    rng = np.random.default_rng(7)
    t = pd.DataFrame(rng.poisson(4, size=(6, 3)))
    m = mask_table(t, threshold=5, audit=False)
    e, k = _extended(t, m)
    for i, j in zip(*np.nonzero(k)):
        assert k[i, :].sum() >= 2 and k[:, j].sum() >= 2


def _long(blocs):
    rows = []
    for (d, ind), groupes in blocs.items():
        total = sum(sum(g.values()) for g in groupes.values()) / len(groupes)
        rows.append((d, ind, "ensemble", "ensemble", float(total), total))
        for gv, g in groupes.items():
            for nom, n in g.items():
                rows.append((d, ind, gv, nom, float(n), n))
    df = pd.DataFrame(rows, columns=["date_extraction", "indicateur", "groupe_variable", "groupe",
                                     "valeur", "effectif"])
    df["effectif"] = df["effectif"].astype("Int64")
    return df


def test_long_table_one_way_secondary():
    df = _long({
        ("2025-12-31", "effectif"): {
            "sexe": {"F": 40, "H": 3},                       # H primary, F secondary
            "service": {"A": 20, "B": 2, "C": 9, "D": 12},   # B primary, C secondary (9 < 12)
            "categorie": {"A": 10, "B": 15, "C": 18},        # nothing masked
        },
        ("2025-12-31", "etp"): {"sexe": {"F": 4, "H": 39}, "service": {"A": 1, "B": 2, "C": 40}},
    })
    out = mask_long_table(df, threshold=5)
    m = out.set_index(["indicateur", "groupe_variable", "groupe"])["masque"]
    assert m[("effectif", "sexe", "H")] and m[("effectif", "sexe", "F")]
    assert m[("effectif", "service", "B")] and m[("effectif", "service", "C")]
    assert not m[("effectif", "service", "A")] and not m[("effectif", "service", "D")]
    assert not out[(out.indicateur == "effectif") & (out.groupe_variable == "categorie")].masque.any()
    assert m[("etp", "sexe", "F")] and m[("etp", "sexe", "H")]
    # service: A (1) and B (2) primary: already two masked, C stays published
    assert m[("etp", "service", "A")] and m[("etp", "service", "B")] and not m[("etp", "service", "C")]
    assert out.loc[out.masque, "valeur"].isna().all() and out.loc[out.masque, "effectif"].isna().all()
    _check_long(out, df, 5)


def _check_long(out, df, threshold):
    pub = df[~out.masque.to_numpy()]
    assert not ((pub.effectif > 0) & (pub.effectif < threshold)).any()
    for (d, ind), bloc in out.groupby(["date_extraction", "indicateur"]):
        if bloc[bloc.groupe_variable == "ensemble"].masque.all():
            continue
        for gv, sub in bloc[bloc.groupe_variable != "ensemble"].groupby("groupe_variable"):
            # a single masked group would equal the total minus the published groups
            assert sub.masque.sum() != 1, (d, ind, gv)


@pytest.mark.parametrize("seed", range(30))
def test_long_table_random(seed):
    rng = np.random.default_rng(100 + seed)
    blocs = {}
    for ind in ("effectif", "etp", "age_moyen"):
        n = int(rng.integers(5, 60))
        groupes = {}
        for gv in ("sexe", "service", "categorie"):
            k = int(rng.integers(1, 6))
            parts = rng.multinomial(n, rng.dirichlet(np.ones(k) * 0.7))
            groupes[gv] = {f"g{i}": int(p) for i, p in enumerate(parts)}
        blocs[("2025-12-31", ind)] = groupes
    df = _long(blocs)
    out = mask_long_table(df, threshold=5)
    _check_long(out, df, 5)


def test_long_table_masked_total_and_existing_flags():
    df = _long({("d", "effectif"): {"sexe": {"F": 2, "H": 2}}})
    out = mask_long_table(df, threshold=5)
    assert out.masque.all()  # total 4 < 5: everything masked
    df = _long({("d", "effectif"): {"sexe": {"F": 20, "H": 22, "X": 9}}})
    df["masque"] = [False, False, True, False]  # H masked upstream
    out = mask_long_table(df, threshold=5)
    assert out.masque.tolist() == [False, False, True, True]  # X (next smallest) added


def test_determined_cells_uses_non_negativity():
    # x0 + x1 + x2 = 0 (a published total of 0 over three masked cells) and x2 + x3 = 1 (x3 masked,
    # total 1 published): every x is >= 0, so x0 = x1 = x2 = 0, then x3 = 1. No exact linear
    # combination gives them, so recoverable_cells does not see it.
    A = np.array([[1, 1, 1, 0, -1, 0],
                  [0, 0, 1, 1, 0, -1]], dtype=float)
    values = np.array([0, 0, 0, 1, 0, 1], dtype=float)
    mask = np.array([True, True, True, True, False, False])
    assert not recoverable_cells(A, mask).any()
    assert determined_cells(A, values, mask).tolist() == [True, True, True, True, False, False]
    # with a total of 2 over the first three, each masked cell can take several values
    values = np.array([1, 1, 0, 1, 2, 1], dtype=float)
    assert not determined_cells(A, values, mask).any()
    # an exactly recoverable cell is determined too: x0 + x1 = 5 with x1 published
    A = np.array([[1, 1, -1]], dtype=float)
    assert determined_cells(A, np.array([2.0, 3.0, 5.0]), np.array([True, False, False])).tolist() == [
        True, False, False]


def test_long_table_totals_published_for_the_whole_staff():
    # 2 departures in the year for the whole staff: published; the service breakdown is masked
    # (A 2 primary, B 0 secondary) so that 2 - B does not give A.
    df = _long({("d", "departs"): {"service": {"A": 2, "B": 0, "C": 0}}})
    out = mask_long_table(df, threshold=5, publish_totals=True)
    assert out.masque.tolist() == [False, True, True, False]
    assert out.valeur.iloc[0] == 2
    # without it the total (2) is masked and nothing below needs a complementary cell
    out = mask_long_table(df, threshold=5)
    assert out.masque.tolist() == [True, True, False, False]
