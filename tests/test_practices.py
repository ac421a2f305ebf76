"""Phases 4–5 (ducos_lib.practices): self-evaluations, seminar review, guide of practices.

Reference values: SciPy's ``wilcoxon`` on the complete pairs written out by hand below, the
rank-biserial correlation and Holm adjustment computed by hand (arithmetic in comments), Wilson's
formula written out, and SciPy's ``binomtest(...).proportion_ci``.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ducos_lib import practices as pr

T_AVANT, T_APRES = pd.Timestamp("2026-03-02"), pd.Timestamp("2026-06-15")

# Competence A: ties, zeros, a duplicate rating, a missing note and incomplete pairs.
#   manager   avant  apres   d
#   a1          2      4     2
#   a2          3      4     1   (an earlier "avant" = 1 is superseded by the latest, 3)
#   a3          3      3     0
#   a4          2      3     1   (a later "apres" with a missing note is ignored)
#   a5          4      3    -1
#   a6          1      3     2
#   a7          3      3     0
#   a8          2      5     3
#   a9          2      –         incomplete: dropped
#   a10         –      5         incomplete: dropped
A_PAIRS = [(2, 4), (3, 4), (3, 3), (2, 3), (4, 3), (1, 3), (3, 3), (2, 5)]
# Competence B: 16 pairs with ties and zeros (normal approximation).
B_PAIRS = [(1, 3), (2, 3), (2, 2), (3, 4), (3, 5), (2, 4), (4, 4), (1, 2), (3, 2), (2, 3), (3, 4),
           (2, 4), (4, 5), (3, 3), (1, 4), (2, 1)]
# Competence C: 3 pairs only, below the confidentiality threshold (5).
C_PAIRS = [(2, 3), (3, 4), (1, 2)]
# Competence D: 6 pairs, no ties, no zeros (exact law). Differences 1, 2, 3, 4, 0.5, −1.5.
D_PAIRS = [(1, 2), (1, 3), (1, 4), (1, 5), (2, 2.5), (4.5, 3)]


def _rows(competence: str, prefix: str, pairs) -> list[tuple]:
    out = []
    for i, (before, after) in enumerate(pairs, start=1):
        ident = f"{prefix}{i}"
        out.append((ident, "avant", T_AVANT, competence, float(before)))
        out.append((ident, "apres", T_APRES, competence, float(after)))
    return out


@pytest.fixture()
def autoevaluations() -> pd.DataFrame:
    rows = (_rows("Écoute", "a", A_PAIRS) + _rows("Délégation", "b", B_PAIRS)
            + _rows("Feedback", "c", C_PAIRS) + _rows("Gestion du temps", "d", D_PAIRS))
    rows += [
        ("a2", "avant", pd.Timestamp("2026-02-01"), "Écoute", 1.0),  # earlier duplicate: superseded
        ("a4", "apres", pd.Timestamp("2026-07-01"), "Écoute", np.nan),  # missing note: ignored
        ("a9", "avant", T_AVANT, "Écoute", 2.0),  # incomplete pair
        ("a10", "après", T_APRES, "Écoute", 5.0),  # incomplete pair (accented spelling accepted)
    ]
    frame = pd.DataFrame(rows, columns=["id_cadre", "temps", "date", "competence", "note"])
    return frame.sample(frac=1.0, random_state=3).reset_index(drop=True)  # order must not matter


def _diffs(pairs) -> np.ndarray:
    return np.array([after - before for before, after in pairs], dtype=float)


# --- pairs -----------------------------------------------------------------------------------------


def test_paired_ratings_drops_incomplete_and_keeps_latest(autoevaluations):
    pairs = pr.paired_ratings(autoevaluations)
    a = pairs[pairs["competence"] == "Écoute"].set_index("id_cadre")
    assert sorted(a.index) == sorted(f"a{i}" for i in range(1, 9))  # a9, a10 dropped
    assert a.loc["a2", "avant"] == 3.0  # latest rating kept
    assert a.loc["a4", "apres"] == 3.0  # missing note ignored
    means = pr.paired_ratings(autoevaluations, duplicates="mean").set_index(["competence", "id_cadre"])
    assert means.loc[("Écoute", "a2"), "avant"] == 2.0  # (1 + 3) / 2
    with pytest.raises(ValueError, match="Règle de doublons"):
        pr.paired_ratings(autoevaluations, duplicates="dernier")


def test_unknown_time_value_is_a_french_error(autoevaluations):
    bad = autoevaluations.copy()
    bad.loc[0, "temps"] = "pendant"
    with pytest.raises(ValueError, match="temps.*pendant"):
        pr.paired_ratings(bad)


# --- Wilcoxon against SciPy --------------------------------------------------------------------------


@pytest.mark.parametrize("zero_method", ["pratt", "wilcox", "zsplit"])
@pytest.mark.parametrize("pairs", [A_PAIRS, B_PAIRS, D_PAIRS], ids=["A_ties_zeros", "B_n16", "D_no_ties"])
def test_wilcoxon_matches_scipy(pairs, zero_method):
    before = [b for b, _ in pairs]
    after = [a for _, a in pairs]
    res = pr.wilcoxon_signed_rank(before, after, zero_method=zero_method)
    ref = stats.wilcoxon(_diffs(pairs), zero_method=zero_method)  # SciPy's own "auto"
    assert res.statistic == pytest.approx(float(ref.statistic), abs=1e-12)
    assert res.pvalue == pytest.approx(float(ref.pvalue), rel=1e-10)
    assert res.n_pairs == len(pairs)
    for method in ("asymptotic", "exact"):
        mine = pr.wilcoxon_signed_rank(before, after, zero_method=zero_method, method=method)
        theirs = stats.wilcoxon(_diffs(pairs), zero_method=zero_method, method=method)
        assert mine.pvalue == pytest.approx(float(theirs.pvalue), rel=1e-10)


def test_wilcoxon_method_resolution():
    a = pr.wilcoxon_signed_rank(*zip(*A_PAIRS))
    b = pr.wilcoxon_signed_rank(*zip(*B_PAIRS))
    d = pr.wilcoxon_signed_rank(*zip(*D_PAIRS))
    assert (a.method, a.n_zeros, a.ties) == ("permutation", 2, True)  # ties/zeros, n = 8 ≤ 13
    assert b.method == "asymptotic"  # ties, n = 16 > 13
    assert (d.method, d.ties, d.n_zeros) == ("exact", False, 0)
    assert "Wilcoxon" in d.method_label and "normale" in b.method_label
    with pytest.raises(ValueError, match="valeurs possibles"):
        pr.wilcoxon_signed_rank([1, 2], [2, 3], method="bootstrap")


def test_wilcoxon_incomplete_pairs_dropped_and_degenerate_cases():
    res = pr.wilcoxon_signed_rank([2, 3, np.nan, 3, 1], [4, 4, 5, np.nan, 2])
    ref = stats.wilcoxon([2, 1, 1], zero_method="pratt")
    assert res.n_pairs == 3 and res.pvalue == pytest.approx(float(ref.pvalue))
    same = pr.wilcoxon_signed_rank([3, 3, 2], [3, 3, 2])
    assert (same.pvalue, same.effect_size, same.method) == (1.0, 0.0, "none")
    empty = pr.wilcoxon_signed_rank([], [])
    assert empty.n_pairs == 0 and math.isnan(empty.pvalue)


# --- effect size --------------------------------------------------------------------------------------


def test_rank_biserial_hand_computed():
    d = _diffs(A_PAIRS)  # [2, 1, 0, 1, -1, 2, 0, 3]
    # Pratt: rank |d| with the zeros: 0, 0 → 1.5; 1, 1, 1 → 4; 2, 2 → 6.5; 3 → 8.
    # R+ = 6.5 + 4 + 4 + 6.5 + 8 = 29; R− = 4; total = 8 × 9 / 2 = 36; r = (29 − 4) / 36 = 25/36.
    assert pr.rank_biserial(d, "pratt") == pytest.approx(25 / 36)
    # zsplit: the zeros' 1.5 + 1.5 go half to each sign: they cancel, total still 36 → same value.
    assert pr.rank_biserial(d, "zsplit") == pytest.approx(25 / 36)
    # Wilcox: zeros dropped, |d| = 2, 1, 1, 1, 2, 3 → ranks 1, 1, 1 → 2; 2, 2 → 4.5; 3 → 6.
    # R+ = 4.5 + 2 + 2 + 4.5 + 6 = 19; R− = 2; total = 21; r = 17/21.
    assert pr.rank_biserial(d, "wilcox") == pytest.approx(17 / 21)
    res = pr.wilcoxon_signed_rank(*zip(*A_PAIRS))
    assert (res.r_plus, res.r_minus) == (29.0, 4.0)
    assert res.statistic == 4.0  # SciPy's two-sided statistic min(R+, R−) with Pratt
    assert res.effect_size == pytest.approx(25 / 36)
    assert pr.rank_biserial([-1, -2, -3]) == -1.0


# --- the autoevaluations.csv table --------------------------------------------------------------------


def test_self_evaluation_table_contract_and_holm(autoevaluations):
    table = pr.self_evaluation_table(autoevaluations, seuil=5)
    assert list(table.columns) == ["competence", "n_paires", "moyenne_avant", "moyenne_apres", "statistique",
                                   "p_valeur", "p_ajustee", "taille_effet"]
    # French reading order (accents ignored): Délégation, Écoute, Feedback, Gestion du temps.
    assert table["competence"].tolist() == ["Délégation", "Écoute", "Feedback", "Gestion du temps"]
    t = table.set_index("competence")
    # Feedback's 3 pairs: a count of fewer than 5 managers is not published (DESIGN §6).
    assert t["n_paires"].isna().tolist() == [False, False, True, False]
    assert t["n_paires"].dropna().tolist() == [16, 8, 6]
    a = t.loc["Écoute"]
    assert a["moyenne_avant"] == pytest.approx(np.mean([p[0] for p in A_PAIRS]))  # 20 / 8 = 2,5
    assert a["moyenne_apres"] == pytest.approx(np.mean([p[1] for p in A_PAIRS]))  # 28 / 8 = 3,5
    assert a["taille_effet"] == pytest.approx(25 / 36)
    for name, pairs in (("Écoute", A_PAIRS), ("Délégation", B_PAIRS), ("Gestion du temps", D_PAIRS)):
        ref = stats.wilcoxon(_diffs(pairs), zero_method="pratt")
        assert t.loc[name, "statistique"] == pytest.approx(float(ref.statistic))
        assert t.loc[name, "p_valeur"] == pytest.approx(float(ref.pvalue))
    # Feedback: 3 pairs < 5 → nothing shown, out of the Holm family.
    assert t.loc["Feedback", ["moyenne_avant", "statistique", "p_valeur", "p_ajustee", "taille_effet"]].isna().all()
    # Holm by hand over the 3 tested competences: sort p ascending, multiply by 3, 2, 1, running max.
    p = t.loc[["Délégation", "Écoute", "Gestion du temps"], "p_valeur"].to_numpy()
    order = np.argsort(p)
    expected = np.empty(3)
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, (3 - k) * p[i])
        expected[i] = min(running, 1.0)
    assert t.loc[["Délégation", "Écoute", "Gestion du temps"], "p_ajustee"].to_numpy() == pytest.approx(expected)
    # and the textbook example: p = 0,01 / 0,04 / 0,03 → 0,03 / 0,06 / 0,06
    assert pr.adjust_pvalues([0.01, 0.04, 0.03], "holm") == pytest.approx([0.03, 0.06, 0.06])
    bh = pr.self_evaluation_table(autoevaluations, adjust="bh", details=True)
    assert "methode" in bh.columns and bh["p_ajustee"].notna().sum() == 3


def _bands(dist, key, value, temps=None):
    sub = dist[dist[key] == value]
    if temps is not None:
        sub = sub[sub["temps"] == temps]
    return {r.bande: (None if r.masque else int(r.n)) for r in sub.itertuples()}


def test_rating_distribution_in_masked_bands(autoevaluations):
    dist = pr.rating_distribution(autoevaluations, seuil=5)
    assert list(dist.columns) == ["competence", "temps", "bande", "n", "n_total", "part", "masque"]
    assert "Feedback" not in set(dist["competence"])  # 3 pairs: not shown
    # Délégation, 16 pairs. avant: 1–2 → 9, 3 → 5, 4–5 → 2: the 2 is masked (primary) and the 5 too
    # (else 16 − 9 − 5 gives it back).
    assert _bands(dist, "competence", "Délégation", "avant") == {"1–2": 9, "3": None, "4–5": None}
    # après: 1–2 → 4, 3 → 4, 4–5 → 8: both small bands masked, together 8 ≥ 5.
    assert _bands(dist, "competence", "Délégation", "apres") == {"1–2": None, "3": None, "4–5": 8}
    row = dist[(dist["competence"] == "Délégation") & (dist["temps"] == "apres") & (dist["bande"] == "4–5")].iloc[0]
    assert (row["n_total"], row["part"]) == (16, 0.5)
    # Écoute, 8 complete pairs (a9's lone "avant" is not counted). avant: 2, 3, 3, 2, 4, 1, 3, 2 → 4, 3, 1:
    # every band below 5.
    assert _bands(dist, "competence", "Écoute", "avant") == {"1–2": None, "3": None, "4–5": None}
    # With a threshold of 3: the 1 is masked, then the 3 (smallest other band); the 4 is published.
    low = pr.rating_distribution(autoevaluations, seuil=3)
    assert _bands(low, "competence", "Écoute", "avant") == {"1–2": 4, "3": None, "4–5": None}
    # après: 4, 4, 3, 3, 3, 3, 3, 5 → 0, 5, 3: published as is with 3; with 5 the empty band is published
    # and is not a complement: the 5 is masked with the 3.
    assert _bands(low, "competence", "Écoute", "apres") == {"1–2": 0, "3": 5, "4–5": 3}
    assert _bands(dist, "competence", "Écoute", "apres") == {"1–2": 0, "3": None, "4–5": None}
    # Gestion du temps (non-integer notes): avant 1, 1, 1, 1, 2, 4,5 → 5, 0, 1; après 2, 3, 4, 5, 2,5, 3 → 2, 2, 2.
    assert _bands(dist, "competence", "Gestion du temps", "avant") == {"1–2": None, "3": 0, "4–5": None}
    assert pr.band_of(2.5) == "1–2" and pr.band_of(3.5) == "3" and pr.band_of(4.5) == "4–5"
    assert dist.loc[dist["masque"], ["n", "part"]].isna().all().all()


def _check_published(dist, keys, seuil):
    """No published band counts 1 to seuil − 1 agents; masked bands of a distribution together count
    0 or at least seuil; brute force: every masked band can take at least two values among all the
    non-negative integer distributions that agree with what is published (its total, the other bands)."""
    import itertools

    published = dist.loc[~dist["masque"], "n"]
    assert not ((published > 0) & (published < seuil)).any()
    for _, sub in dist.groupby(keys, sort=False):
        total = int(sub["n_total"].iloc[0])
        known = {r.bande: int(r.n) for r in sub.itertuples() if not r.masque}
        hidden = [r.bande for r in sub.itertuples() if r.masque]
        rest = total - sum(known.values())
        assert rest == 0 or rest >= seuil  # masked bands together: about 0 or at least seuil agents
        if not hidden:
            assert rest == 0
            continue
        candidates = [c for c in itertools.product(range(rest + 1), repeat=len(hidden)) if sum(c) == rest]
        for k, band in enumerate(hidden):
            assert len({c[k] for c in candidates}) >= 2, (sub, band)


@pytest.mark.parametrize("seuil", [3, 5, 7])
def test_masked_bands_never_small_nor_recoverable_exhaustive(seuil):
    # Every distribution of n agents into the three bands, for n from seuil to 24.
    rows = [(f"{n}-{a}-{b}", band, count, n)
            for n in range(seuil, 25) for a in range(n + 1) for b in range(n - a + 1)
            for band, count in zip(pr.BANDS, (a, b, n - a - b))]
    counts = pd.DataFrame(rows, columns=["id", "bande", "n", "n_total"])
    dist = pr.mask_bands(counts, ["id"], seuil)
    _check_published(dist, ["id"], seuil)
    # primary: every band of 1 to seuil − 1 agents is masked; empty bands are always published
    original = counts["n"].to_numpy()
    assert dist.loc[(original > 0) & (original < seuil), "masque"].all()
    assert not dist.loc[original == 0, "masque"].any()


def test_report_distributions_never_small_nor_recoverable(autoevaluations, bilan):
    for seuil in (3, 5):
        _check_published(pr.rating_distribution(autoevaluations, seuil=seuil), ["competence", "temps"], seuil)
        sem = pr.seminar_distribution(bilan, seuil=seuil)
        _check_published(sem, ["item"], seuil)
        # the share satisfied of the summary is exactly the band 4–5: published together or not at all
        summary = pr.seminar_summary(bilan, seuil=seuil).set_index("item")
        high = sem[sem["bande"] == "4–5"].set_index("item")
        assert (summary["n_satisfaits"].isna() == high["masque"].reindex(summary.index)).all()
        shown = summary["n_satisfaits"].dropna()
        assert (shown == high.loc[shown.index, "n"]).all()


# --- directions and the confidentiality threshold ---------------------------------------------------


def test_by_direction_hides_small_groups_with_secondary_suppression(autoevaluations):
    directions = {f"a{i}": "DST" for i in range(1, 6)} | {f"a{i}": "DRH" for i in range(6, 9)}
    directions |= {f"b{i}": "DST" for i in range(1, 7)} | {f"b{i}": "DRH" for i in range(7, 14)}
    directions |= {f"b{i}": "DGS" for i in range(14, 17)}
    directions |= {f"d{i}": "DST" for i in range(1, 7)}
    table = pr.self_evaluation_by_direction(autoevaluations, directions, seuil=5)
    assert list(table.columns) == ["direction"] + pr.AUTOEVALUATION_COLUMNS
    shown = set(zip(table["direction"], table["competence"]))
    # Écoute: DST 5, DRH 3 → DRH hidden, and DST too (else DRH = total − DST); Délégation: DGS 3
    # hidden → the smallest shown (DST, 6) hidden too, DRH (7) shown; Gestion du temps: DST 6.
    assert shown == {("DRH", "Délégation"), ("DST", "Gestion du temps")}
    assert (table["n_paires"] >= 5).all()
    drh = [B_PAIRS[i - 1] for i in range(7, 14)]
    row = table[table["direction"] == "DRH"].iloc[0]
    assert row["p_valeur"] == pytest.approx(float(stats.wilcoxon(_diffs(drh), zero_method="pratt").pvalue))
    # With a threshold of 3, Écoute is shown for both directions.
    low = pr.self_evaluation_by_direction(autoevaluations, directions, seuil=3)
    assert {("DST", "Écoute"), ("DRH", "Écoute")} <= set(zip(low["direction"], low["competence"]))
    with pytest.raises(ValueError, match="moins de 3"):
        pr.self_evaluation_by_direction(autoevaluations, directions, seuil=2)


def test_manager_directions_from_hr():
    agents = pd.DataFrame({"matricule": ["P1", "P2", "P1", "P3"], "service": ["S1", "S2", "S2", "S9"],
                           "date_extraction": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-06-01", "2026-06-01"])})
    services = pd.DataFrame({"code_service": ["S1", "S2", "S9"], "direction": ["DGS", "DST", None]})
    mapping = pr.manager_directions(agents, services)
    assert mapping.to_dict() == {"P1": "DST", "P2": "DST"}  # latest extraction; no direction → absent


# --- seminar ------------------------------------------------------------------------------------------


@pytest.fixture()
def bilan() -> pd.DataFrame:
    return pd.DataFrame({
        "id_participant": [f"P{i}" for i in range(10)],
        "date": pd.Timestamp("2026-11-20"),
        "note_organisation": [5, 4, 4, 3, 5, 2, 4, 4, 1, 5],
        "note_contenu": [5, 4, 3] + [np.nan] * 7,  # 3 answers: not shown
        "note_globale": [4, 4, 5, 3, 4, 2, 5, 4, 3, 4],
        "commentaire": ["Très bonne organisation, merci à Mme Lagier (0696 12 34 56).",
                        "Plus de réunions d'équipe entre services", None, "", "Ateliers trop courts",
                        "Réunions utiles", None, None, None, "Contact : j.lagier@ducos.fr pour la suite"],
    }).astype({"note_organisation": float, "note_contenu": float, "note_globale": float})


def test_seminar_summary_share_satisfied_wilson(bilan):
    # With 5: 7 satisfied of 10 would say that 3 are not (1–2 → 2, 3 → 1): the band 4–5, hence the share
    # satisfied, is masked; the mean (over 10 answers) stays.
    masked = pr.seminar_summary(bilan, seuil=5).set_index("item")
    assert masked[["n_satisfaits", "part_satisfaits", "ic_bas", "ic_haut"]].isna().all().all()
    assert masked.loc["note_organisation", "moyenne"] == pytest.approx(3.7)
    assert "note_contenu" not in masked.index  # 3 answers
    summary = pr.seminar_summary(bilan, seuil=3).set_index("item")
    org = summary.loc["note_organisation"]
    x, n = 7, 10  # ratings 4 or 5: 5, 4, 4, 5, 4, 4, 5
    assert (org["n_reponses"], org["n_satisfaits"], org["part_satisfaits"]) == (10, 7, 0.7)
    z = stats.norm.ppf(0.975)
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert (org["ic_bas"], org["ic_haut"]) == pytest.approx((centre - half, centre + half))
    assert org["methode_ic"] == "Wilson"
    ref = stats.binomtest(x, n).proportion_ci(method="wilson")
    assert (org["ic_bas"], org["ic_haut"]) == pytest.approx((ref.low, ref.high))
    values = bilan["note_organisation"].to_numpy()
    half_t = stats.t.ppf(0.975, 9) * values.std(ddof=1) / math.sqrt(10)
    assert (org["moyenne"], org["moyenne_ic_bas"]) == pytest.approx((3.7, 3.7 - half_t))
    exact = pr.seminar_summary(bilan, ci_method="exact", seuil=3).set_index("item").loc["note_globale"]
    ref = stats.binomtest(7, 10).proportion_ci(method="exact")  # 4, 4, 5, 4, 5, 4, 4 are ≥ 4
    assert (exact["ic_bas"], exact["ic_haut"]) == pytest.approx((ref.low, ref.high))
    assert exact["methode_ic"] == "Clopper-Pearson (exact)"
    with pytest.raises(ValueError, match="valeurs possibles"):
        pr.proportion_ci(3, 10, method="agresti")


def test_seminar_distribution(bilan):
    dist = pr.seminar_distribution(bilan, seuil=5)
    assert list(dist.columns) == ["item", "libelle", "bande", "n", "n_total", "part", "masque"]
    assert set(dist["item"]) == {"note_organisation", "note_globale"}  # note_contenu: 3 answers
    # note_globale 4, 4, 5, 3, 4, 2, 5, 4, 3, 4 → 1–2: 1, 3: 2, 4–5: 7. With 5, the 1 and 2 are masked and,
    # since together they are 3 < 5, the 7 too (else « 3 participants pas satisfaits » is published).
    assert _bands(dist, "item", "note_globale") == {"1–2": None, "3": None, "4–5": None}
    low = pr.seminar_distribution(bilan, seuil=3)
    assert _bands(low, "item", "note_globale") == {"1–2": None, "3": None, "4–5": 7}
    assert low.loc[~low["masque"] & (low["item"] != "note_contenu"), "part"].tolist() == [0.7, 0.7]
    assert dist["libelle"].isin(pr.SEMINAR_ITEMS.values()).all()
    table = pr.distribution_table(low, "libelle", pr.BAND_LABELS_SEMINAR, group_header="Aspect",
                                  total_header="Réponses").set_index("Aspect")
    assert table.loc["Appréciation globale"].tolist() == ["10", "secret", "secret", "70\u202f% (7)"]


def _fake_code(texts: pd.Series) -> pd.DataFrame:
    """Stand-in for ducos_lib.text.code_texts: keyword coding."""
    low = texts.str.lower()
    return pd.DataFrame({"communication_interne": low.str.contains("réunion|contact"),
                         "organisation_travail": low.str.contains("organisation|atelier"),
                         "outils_moyens": low.str.contains("logiciel")}, index=texts.index)


def test_comment_themes_redacted(bilan):
    from ducos_lib.redaction import redact

    res = pr.comment_themes(bilan["commentaire"], _fake_code, redact)
    counts = res.counts.set_index("theme")
    assert counts.loc["communication_interne", "n_commentaires"] == 3
    assert counts.loc["outils_moyens", "n_commentaires"] == 0
    assert (counts["n_total"] == 5).all()  # blanks and None ignored
    text = " ".join(res.quotes["citation"])
    for planted in ("Lagier", "0696", "12 34 56", "ducos.fr"):
        assert planted not in text
    assert "[TÉLÉPHONE]" in text or "[EMAIL]" in text


# --- the guide ----------------------------------------------------------------------------------------

CODEBOOK = {"communication_interne": "Communication interne", "organisation_travail": "Organisation du travail",
            "cohesion_equipe": "Cohésion d'équipe", "outils_moyens": "Outils et moyens"}

GUIDE = """---
titre: Guide d'essai
version: "1.1"
date: 2026-10-01
---

# Guide d'essai

## Introduction

Texte d'introduction.

## Tenir un point d'équipe hebdomadaire

Un point court chaque semaine.

Thèmes : communication_interne, cohesion_equipe

## Organiser la polyvalence et les binômes

Deux agents par mission.

**Thèmes :** `organisation_travail`; outils_moyens

## Historique des versions

- 1.1 (01/10/2026) : ajout de la polyvalence.
- 1.0 (01/06/2026) : première version.
"""


@pytest.fixture()
def guide_path(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(GUIDE, encoding="utf-8")
    return path


@pytest.fixture()
def forms():
    fiches = pd.DataFrame({
        "id_fiche": ["F1", "F2", "F3", "F4"],
        "date_immersion": pd.to_datetime(["2026-02-01", "2026-04-01", "2026-09-01", "2026-10-01"]),
        "propositions": [
            "Instaurer une réunion d'équipe le lundi, voir avec Mme Josépha Lagier au 0696 12 34 56.",
            "Écrire les procédures pour les binômes.",
            "Créer une boîte à idées ; écrire à j.lagier@ducos.fr. Mireille m'a expliqué le service.",
            "Former un binôme sur l'état civil, 12 rue Schœlcher 97224 Ducos.",
        ],
    })
    coding = pd.DataFrame({
        "id_fiche": ["F1", "F1", "F2", "F3", "F3", "F4"],
        "champ": ["propositions", "points_forts", "propositions", "propositions", "axes_progression", "propositions"],
        "theme": ["communication_interne", "cohesion_equipe", "organisation_travail", "communication_interne",
                  "outils_moyens", "organisation_travail"],
    })
    return coding, fiches


def test_parse_guide(guide_path):
    guide = pr.parse_guide(guide_path, CODEBOOK)
    assert (guide.version, guide.date) == ("1.1", pd.Timestamp("2026-10-01"))
    assert [p.title for p in guide.practices] == ["Tenir un point d'équipe hebdomadaire",
                                                  "Organiser la polyvalence et les binômes"]
    assert guide.practices[1].themes == ("organisation_travail", "outils_moyens")
    assert guide.themes == ["communication_interne", "cohesion_equipe", "organisation_travail", "outils_moyens"]


def test_unknown_theme_is_a_french_error(guide_path):
    guide_path.write_text(GUIDE.replace("outils_moyens\n", "outils_numeriques\n"), encoding="utf-8")
    with pytest.raises(pr.GuideError) as err:
        pr.parse_guide(guide_path, CODEBOOK)
    message = str(err.value)
    assert "thème inconnu « outils_numeriques »" in message
    assert "Organiser la polyvalence" in message and "ligne 23" in message
    assert "communication_interne" in message  # lists the known themes


@pytest.mark.parametrize("change, expected", [
    (("Thèmes : communication_interne, cohesion_equipe\n", ""), "n'indique pas ses thèmes"),
    (('version: "1.1"\n', ""), "« version » est absente"),
    (("- 1.1 (01/10/2026) : ajout de la polyvalence.\n", ""), "version 1.1 de l'en-tête n'a pas d'entrée"),
])
def test_guide_format_errors(guide_path, change, expected):
    guide_path.write_text(GUIDE.replace(*change), encoding="utf-8")
    with pytest.raises(pr.GuideError, match=re.escape(expected)):
        pr.parse_guide(guide_path, CODEBOOK)


def test_render_guide_with_annex(guide_path, forms, tmp_path):
    coding, fiches = forms
    previous = pr.theme_frequencies(coding, fiches, until="2026-06-30")  # F1, F2
    assert previous.set_index("theme")["n_fiches"].to_dict() == {
        "cohesion_equipe": 1, "communication_interne": 1, "organisation_travail": 1}
    out = tmp_path / "T12" / "guide_pratiques.html"
    res = pr.render_guide(guide_path, coding, fiches, out, "T12", previous, previous_milestone="T6",
                          codebook=CODEBOOK, milestone_date="2026-12-15", roster=["Mireille", "VIRASSAMY"])
    annex = res.annex.set_index("theme")
    # Now 4 forms. communication_interne: F1, F3 → 2/4 = 0,50, before 1/2 = 0,50 → stable.
    # organisation_travail: F2, F4 → 0,50 vs 0,50 → stable; cohesion_equipe: F1 → 0,25 vs 0,50 →
    # −25 points; outils_moyens: F3 → 0,25, none before → nouveau.
    assert annex["n_fiches"].to_dict() == {"communication_interne": 2, "cohesion_equipe": 1,
                                           "organisation_travail": 2, "outils_moyens": 1}
    assert annex.loc["cohesion_equipe", "difference_part"] == pytest.approx(-0.25)
    assert annex["evolution"].to_dict() == {"communication_interne": "stable", "cohesion_equipe": "−25,0 points",
                                            "organisation_travail": "stable", "outils_moyens": "nouveau"}
    assert annex.loc["outils_moyens", "n_propositions"] == 0  # coded in axes_progression only
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "ducos-tableau" in page and "--ducos-bleu" in page  # the reports' stylesheet, inline
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)  # nothing from another host
    assert "Annexe : ce que disent les immersions" in page and "depuis T6" in page
    assert "Écrire les procédures pour les binômes." in page
    assert "Instaurer une réunion d&#x27;équipe le lundi" in page
    assert "[TÉLÉPHONE]" in page and "[EMAIL]" in page and "[NOM]" in page
    for planted in ("Lagier", "Josépha", "0696", "12 34 56", "ducos.fr", "Schœlcher", "97224", "Mireille"):
        assert planted not in page  # "Mireille" alone is caught only through the HR roster
    assert 'href="#theme-communication-interne"' in page and 'id="theme-communication-interne"' in page
    assert "nouveau" in page and "−25,0 points" in page
    assert "Version 1.1 du 01/10/2026" in page


def test_render_guide_without_previous_milestone(guide_path, forms, tmp_path):
    coding, fiches = forms
    res = pr.render_guide(guide_path, coding, fiches, tmp_path / "g.html", "T0", codebook=CODEBOOK)
    assert (res.annex["evolution"] == "–").all()
    assert "Pas de jalon précédent" in (tmp_path / "g.html").read_text(encoding="utf-8")


def test_repository_guide_is_valid():
    from ducos_lib.config import CONFIG_DIR, ROOT

    if not (CONFIG_DIR / "codebook.yml").exists():
        pytest.skip("config/codebook.yml pas encore disponible")
    guide = pr.parse_guide(ROOT / "guide" / "guide_pratiques.md")
    assert 8 <= len(guide.practices) <= 12
    assert all(p.themes for p in guide.practices)


# --- charts -------------------------------------------------------------------------------------------


def test_charts_return_figures(autoevaluations):
    import matplotlib.pyplot as plt

    from ducos_lib.reports import charts

    table = pr.self_evaluation_table(autoevaluations)
    fig = charts.dumbbell_before_after(table)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Feedback" not in labels and "Écoute" in labels  # masked competence not drawn
    plt.close(fig)
    dist = pr.rating_distribution_display(pr.rating_distribution(autoevaluations, seuil=3))
    fig = charts.rating_distribution(dist, group="groupe", level="bande", level_labels=pr.BAND_LABELS_SELF,
                                  title="Répartition des notes")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Part des réponses"
    bars = [p for p in ax.patches if p.get_width() > 0]
    hatched = [p for p in bars if p.get_hatch()]
    # one hatched « secret » segment per bar with a masked band, as wide as all its masked bands together
    assert len(hatched) == dist.groupby("groupe")["masque"].any().sum()
    published = sorted(round(v, 9) for v in dist.loc[~dist["masque"] & (dist["part"] > 0), "part"])
    assert sorted(round(p.get_width(), 9) for p in bars if not p.get_hatch()) == published
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["1–2 (faible)", "3 (moyen)", "4–5 (élevé)", "Secret statistique"]
    plt.close(fig)
    # the 1–5 levels without any mask still draw as before
    levels = pd.DataFrame({"g": ["x"] * 5, "note": [1.0, 2.0, 3.0, 4.0, 5.0], "part": [0.1, 0.2, 0.3, 0.2, 0.2]})
    fig = charts.rating_distribution(levels, group="g", title="t")
    assert len([p for p in fig.axes[0].patches if p.get_hatch()]) == 0
    plt.close(fig)


def test_evidence_movement_without_any_form(guide_path, forms):
    coding, fiches = forms
    coding = coding[coding["theme"] != "outils_moyens"]
    previous = pr.theme_frequencies(coding, fiches, until="2026-06-30")
    annex = pr.guide_evidence(pr.parse_guide(guide_path, CODEBOOK), coding, fiches, previous,
                              codebook=CODEBOOK).set_index("theme")
    assert annex.loc["outils_moyens", "evolution"] == "absent aux deux jalons"
    assert annex.loc["outils_moyens", "n_fiches"] == 0


def test_comment_themes_roster(bilan):
    comments = pd.Series(["Merci à Mireille pour les réunions."])
    res = pr.comment_themes(comments, _fake_code, roster=["Mireille"])
    assert "Mireille" not in " ".join(res.quotes["citation"])


# --- report helpers (notebook 05_pratiques_manageriales) -------------------------------------------


@pytest.mark.parametrize("r, words", [
    (0.0, "négligeable"), (0.099, "négligeable"), (-0.05, "négligeable"), (0.1, "faible, en hausse"),
    (-0.29, "faible, en baisse"), (0.3, "moyen, en hausse"), (-0.5, "fort, en baisse"), (1.0, "fort, en hausse"),
    (float("nan"), "–"),
])
def test_effect_size_words(r, words):
    assert pr.effect_size_words(r) == words


def test_self_evaluation_display_and_status(autoevaluations):
    table = pr.self_evaluation_table(autoevaluations)
    shown = pr.self_evaluation_display(table).set_index("competence")
    assert list(shown.columns) == ["n_paires", "moyenne_avant", "moyenne_apres", "ecart", "p_valeur", "p_ajustee",
                                   "nette", "taille_effet", "lecture"]
    assert shown.loc["Écoute", "ecart"] == pytest.approx(1.0)  # (26 − 18) / 8
    assert shown.loc["Écoute", "lecture"] == pr.effect_size_words(table.set_index("competence").loc["Écoute", "taille_effet"])
    assert shown.loc["Feedback", "nette"] == "–" and shown.loc["Feedback", "lecture"] == "–"  # 3 pairs: hidden
    assert set(shown["nette"]) <= {"oui", "non", "–"}
    assert set(pr.SELF_EVALUATION_HEADERS) >= set(shown.reset_index().columns)
    assert pr.self_evaluation_status(autoevaluations) == "resultats"
    assert pr.self_evaluation_status(None) == "absent"
    assert pr.self_evaluation_status(autoevaluations.iloc[:0]) == "absent"
    assert pr.self_evaluation_status(autoevaluations[autoevaluations["temps"] == "avant"]) == "avant_seulement"
    assert pr.self_evaluation_status(autoevaluations[autoevaluations["competence"] == "Feedback"]) == "sous_seuil"


def test_self_evaluation_findings(autoevaluations):
    absent = pr.self_evaluation_findings(None, milestone="T6")
    assert len(absent) == 1 and "pas encore eu lieu au jalon T6" in absent[0]
    assert absent[0].startswith("<strong>Auto-évaluations (phase 4)</strong>")
    assert not pr.self_evaluation_findings(None, milestone="T6", label=False)[0].startswith("<strong>")
    before = pr.self_evaluation_findings(autoevaluations[autoevaluations["temps"] == "avant"], milestone="T6")
    assert "aucune auto-évaluation « après »" in before[0]
    table = pr.self_evaluation_table(autoevaluations)
    text = " ".join(pr.self_evaluation_findings(autoevaluations, milestone="T12", table=table,
                                                by_direction=table.iloc[:0].assign(direction=[])))
    tested = table[table["p_ajustee"].notna()]
    clear = tested[tested["p_ajustee"] < 0.05]["competence"]
    for competence in clear:
        assert f"{competence} (" in text
    assert f"pour {len(clear)} compétence(s) sur {len(tested)}" in text
    assert "Non publié (moins de 5 paires complètes) : Feedback." in text
    # a1…a8, b1…b16, d1…d6 have at least one complete pair on a tested competence
    assert text.split(" : ", 1)[1].startswith("30 encadrants")
    assert "Aucune direction n'atteint 5 encadrants" in text


def test_seminar_findings_and_displays(bilan):
    assert "n'a pas encore eu lieu au jalon T0" in pr.seminar_findings(bilan.iloc[:0], milestone="T0")[0]
    assert "n'a pas encore eu lieu" in pr.seminar_findings(None, milestone="T0")[0]
    themes = pr.comment_themes(bilan["commentaire"], _fake_code)
    # With 5, the shares satisfied are masked (7 of 10 would say that 3 are not): the sentence gives the mean only.
    summary = pr.seminar_summary(bilan, seuil=5)
    text = " ".join(pr.seminar_findings(bilan, milestone="T12", summary=summary, themes=themes, codebook=CODEBOOK))
    assert "10 participants ont évalué le séminaire du 20/11/2026" in text
    assert "part de satisfaits n'est pas publiée" in text and "de satisfaits</strong>" not in text
    assert "note moyenne 3,8 sur 5" in text  # note_globale: 38 / 10
    assert "5 participants sur 10 ont laissé un commentaire ; aucun thème n'y revient 5 fois ou plus" in text
    assert set(pr.seminar_display(summary)["Part de satisfaits (4 ou 5)"]) == {"secret"}
    assert "Part de notes 4 ou 5" not in pr.alt_seminar_distribution(pr.seminar_distribution(bilan, seuil=5), summary)
    # With 3: note_globale 7 of 10 at 4–5 (see test_seminar_summary_share_satisfied_wilson) is published.
    summary = pr.seminar_summary(bilan, seuil=3)
    text = " ".join(pr.seminar_findings(bilan, milestone="T12", summary=summary, themes=themes, codebook=CODEBOOK,
                                        seuil=3))
    assert "70\u202f% de satisfaits" in text and "méthode de Wilson" in text
    ref = stats.binomtest(7, 10).proportion_ci(method="wilson")
    assert f"de {round(ref.low * 100)}\u202f% à {round(ref.high * 100)}\u202f%" in text
    assert "le thème le plus cité est « Communication interne » (3 commentaires" in text
    shown = pr.seminar_display(summary)
    assert list(shown["Aspect évalué"]) == ["Organisation", "Contenu", "Appréciation globale"]
    # Contenu (3 answers: 5, 4, 3 → 0, 1, 2): its band 4–5 is masked, hence its share
    assert shown["Part de satisfaits (4 ou 5)"].tolist() == ["70,0\u202f%", "secret", "70,0\u202f%"]
    counts, quotes = pr.comment_themes_display(themes, codebook=CODEBOOK, seuil=3)
    assert counts.set_index("Thème").loc["Communication interne", "Commentaires"] == "3"
    assert counts.set_index("Thème").loc["Organisation du travail", "Commentaires"] == "moins de 3"
    assert "Outils et moyens" not in set(counts["Thème"])  # cited by no comment
    assert set(quotes["Thème"]) <= set(CODEBOOK.values())
    assert pr.alt_seminar_distribution(pr.seminar_distribution(bilan, seuil=3), summary, seuil=3).startswith("Barres empilées")
    assert pr.commenters_text(3, 60, seuil=5) == "moins de 5 participants sur 60"
    assert pr.commenters_text(58, 60, seuil=5) == "plus de 55 participants sur 60"


def test_alt_texts_state_the_reading(autoevaluations):
    table = pr.self_evaluation_table(autoevaluations)
    alt = pr.alt_dumbbell(table)
    best = table.assign(d=table["moyenne_apres"] - table["moyenne_avant"]).dropna().sort_values("d").iloc[-1]
    assert f"Plus forte hausse : {best['competence']}" in alt and "3 compétences" in alt
    dist = pr.rating_distribution(autoevaluations, seuil=3)
    alt = pr.alt_rating_distribution(dist, seuil=3)
    assert "trois tranches" in alt and "« secret »" in alt
    assert "passe en moyenne" not in alt  # no competence has its band 4–5 published before and after
    assert set(pr.rating_distribution_display(dist)["groupe"]) >= {"Écoute · avant", "Écoute · après"}
    counts = pd.DataFrame({"competence": ["X"] * 6, "temps": ["avant"] * 3 + ["apres"] * 3,
                           "bande": list(pr.BANDS) * 2, "n": [10, 10, 10, 5, 10, 15], "n_total": 30})
    full = pr.mask_bands(counts, ["competence", "temps"], 5)
    alt = pr.alt_rating_distribution(full, seuil=5)
    assert "passe en moyenne de 33\u202f% avant à 50\u202f% après" in alt and "secret" not in alt
    assert "vide" in pr.alt_dumbbell(table.iloc[:0])


def test_guide_findings_and_annex_display(guide_path, forms):
    coding, fiches = forms
    guide = pr.parse_guide(guide_path, CODEBOOK)
    previous = pr.theme_frequencies(coding, fiches, until="2026-06-30")
    annex = pr.guide_evidence(guide, coding, fiches, previous, codebook=CODEBOOK)
    assert pr.count_forms(fiches) == 4 and pr.count_forms(fiches, until="2026-06-30") == 2 and pr.count_forms(None) == 0
    text = html.unescape(" ".join(pr.guide_findings(annex, milestone="T12", n_forms=4, previous_milestone="T6",
                                                    n_previous_forms=2)))
    assert '<a href="guide_pratiques.html">' in text
    # cohesion_equipe −25 points, outils_moyens new; the other two stable (see test_render_guide_with_annex)
    assert "en baisse : Cohésion d'équipe (−25,0 points)" in text and "nouveaux : Outils et moyens" in text
    assert "en hausse" not in text
    assert "Prudence : avec seulement 4 fiche(s) au jalon T12 et 2 fiche(s) au jalon T6" in text
    moves = pr.annex_movements(annex)
    assert list(moves["baisse"]["theme"]) == ["cohesion_equipe"] and list(moves["nouveau"]["theme"]) == ["outils_moyens"]
    first = pr.guide_findings(pr.guide_evidence(guide, coding, fiches, codebook=CODEBOOK), milestone="T0", n_forms=4,
                              link=None, label=False)
    assert first[0].startswith("Le guide des pratiques managériales est rendu") and "Premier jalon" in first[1]
    none = pr.guide_findings(annex, milestone="T0", n_forms=0)
    assert len(none) == 1 and "aucune fiche d'immersion" in none[0]
    shown = pr.annex_display(annex, previous_milestone="T6")
    assert list(shown.columns) == ["Thème", "Fiches qui l'évoquent", "Part des fiches", "Part au jalon T6",
                                   "Évolution depuis T6"]
    assert shown.iloc[-1]["Thème"] == "Cohésion d'équipe"  # largest fall last
    no_prev = pr.annex_display(pr.guide_evidence(guide, coding, fiches, codebook=CODEBOOK))
    assert list(no_prev.columns) == ["Thème", "Fiches qui l'évoquent", "Part des fiches"]


def test_render_guide_without_any_form(guide_path, tmp_path):
    out = tmp_path / "T0" / "guide_pratiques.html"
    res = pr.render_guide(guide_path, None, None, out, "T0", codebook=CODEBOOK)
    page = out.read_text(encoding="utf-8")
    assert "Aucune fiche d'immersion n'est disponible au jalon T0" in page
    assert "<table class=\"ducos-tableau\"" not in page  # no empty table
    assert (res.annex["n_fiches"] == 0).all()


def test_render_guide_says_what_changed(guide_path, forms, tmp_path):
    coding, fiches = forms
    previous = pr.theme_frequencies(coding, fiches, until="2026-06-30")
    pr.render_guide(guide_path, coding, fiches, tmp_path / "g.html", "T12", previous, previous_milestone="T6",
                    codebook=CODEBOOK)
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert "À retenir pour la mise à jour du guide" in page
    assert "en baisse : Cohésion d'équipe (−25,0 points)" in html.unescape(page)
    assert "2 fiche(s) au jalon T6" in page


# --- end to end on the committed sample ------------------------------------------------------------


def test_guide_renders_on_sample_without_personal_data(isolated_env, tmp_path):
    from test_leaks import find_leaks, sensitive_values

    from conftest import ROOT, SAMPLE
    from ducos_lib import text
    from ducos_lib.ingest import load_milestone

    ms = load_milestone("T12", SAMPLE)
    assert ms.previous_milestones == ["T0", "T6"]
    coding = text.code_fiches(ms.fiches_immersion)
    previous = pr.theme_frequencies(coding, ms.fiches_immersion, until=ms.dates["T6"])
    assert pr.count_forms(ms.fiches_immersion, until=ms.dates["T6"]) == load_milestone("T6", SAMPLE).fiches_immersion[
        "id_fiche"].nunique()  # same forms as the previous milestone sees
    out = tmp_path / "guide_pratiques.html"
    res = pr.render_guide(ROOT / "guide" / "guide_pratiques.md", coding, ms.fiches_immersion, out, "T12", previous,
                          previous_milestone="T6", milestone_date=ms.date, roster=text.load_roster(SAMPLE))
    page = out.read_text(encoding="utf-8")
    assert 'id="annexe"' in page and "Annexe : ce que disent les immersions (jalon T12)" in page
    assert "depuis T6" in page and "<blockquote>" in page
    assert len(res.annex) == len(res.guide.themes) and res.annex["n_fiches"].sum() > 0
    assert res.annex["evolution"].ne("–").all()
    secrets = sensitive_values(SAMPLE)
    assert all(secrets[k] for k in ("noms", "identifiants", "emails", "telephones"))  # the scan has something to find
    assert find_leaks(page, secrets) == []
    assert find_leaks(res.annex.to_csv(index=False), secrets) == []


@pytest.mark.slow
@pytest.mark.xdist_group("milestones")
def test_notebook_05_tables_and_guide_at_each_milestone(milestone_runs):
    out, runs = milestone_runs
    for milestone in ("T0", "T6", "T12"):
        folder = out / milestone
        status = {n.name: n.statut for n in runs[milestone].notebooks}
        assert status["05_pratiques_manageriales"] == "ok"
        assert (folder / "05_pratiques_manageriales.html").exists()
        guide = (folder / "guide_pratiques.html").read_text(encoding="utf-8")
        assert 'id="annexe"' in guide
        auto = pd.read_csv(folder / "tables" / "autoevaluations.csv")
        assert list(auto.columns) == pr.AUTOEVALUATION_COLUMNS
        report = (folder / "05_pratiques_manageriales.html").read_text(encoding="utf-8")
        assert 'href="guide_pratiques.html"' in report
        if milestone in ("T0", "T6"):  # phases 4–5 not yet held in the sample
            assert auto.empty
            assert "les mises en situation n'ont pas encore eu lieu" in html.unescape(report)
            assert "le séminaire des agents n'a pas encore eu lieu" in html.unescape(report)
        else:
            assert len(auto) >= 3 and (auto["n_paires"] >= 5).all()
            assert auto["p_ajustee"].between(0, 1).all() and auto["taille_effet"].between(-1, 1).all()
            assert "<img" in report and "Wilson" in report
            assert len(pd.read_csv(folder / "tables" / "seminaire_synthese.csv")) == 4
            annex = pd.read_csv(folder / "tables" / "guide_annexe.csv")
            assert annex["evolution"].ne("–").all()
