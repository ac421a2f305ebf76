"""Phases 4–5 computations (ducos_lib.practices, ducos_lib.intervals): pairs, Wilcoxon, effect size,
bands with masking, seminar review, comment themes; report 05 end to end.

Reference values: SciPy's ``wilcoxon`` on the complete pairs written out by hand in practices_data.py,
the rank-biserial correlation and Holm adjustment computed by hand (arithmetic in comments), Wilson's
formula written out, and SciPy's ``binomtest(...).proportion_ci``.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import practices_data as D
import pytest
from practices_data import A_PAIRS, B_PAIRS, D_PAIRS
from scipy import stats

from ducos_lib import intervals as iv
from ducos_lib import practices as pr
from ducos_lib import survey
from ducos_lib.reports import pratiques as rp


@pytest.fixture()
def autoevaluations() -> pd.DataFrame:
    return D.self_ratings()


@pytest.fixture()
def bilan() -> pd.DataFrame:
    return D.seminar_review()


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
    ref = stats.wilcoxon(D.diffs(pairs), zero_method=zero_method)  # SciPy's own "auto"
    assert res.statistic == pytest.approx(float(ref.statistic), abs=1e-12)
    assert res.pvalue == pytest.approx(float(ref.pvalue), rel=1e-10)
    assert res.n_pairs == len(pairs)
    for method in ("asymptotic", "exact"):
        mine = pr.wilcoxon_signed_rank(before, after, zero_method=zero_method, method=method)
        theirs = stats.wilcoxon(D.diffs(pairs), zero_method=zero_method, method=method)
        assert mine.pvalue == pytest.approx(float(theirs.pvalue), rel=1e-10)


def test_wilcoxon_method_resolution():
    a = pr.wilcoxon_signed_rank(*zip(*A_PAIRS))
    b = pr.wilcoxon_signed_rank(*zip(*B_PAIRS))
    d = pr.wilcoxon_signed_rank(*zip(*D_PAIRS))
    assert (a.method, a.n_zeros, a.ties) == ("permutation", 2, True)  # ties/zeros, n = 8 ≤ 13
    assert b.method == "asymptotic"  # ties, n = 16 > 13
    assert (d.method, d.ties, d.n_zeros) == ("exact", False, 0)
    assert "Wilcoxon" in rp.METHOD_LABELS[d.method] and "normale" in rp.METHOD_LABELS[b.method]
    assert a.to_frame()["methode"].iloc[0] == "permutation"
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
    d = D.diffs(A_PAIRS)  # [2, 1, 0, 1, -1, 2, 0, 3]
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
    table = pr.self_evaluation_table(autoevaluations, threshold=5)
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
        ref = stats.wilcoxon(D.diffs(pairs), zero_method="pratt")
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
    # Another method of the survey's registry: Benjamini–Hochberg on the same p-values.
    bh = pr.self_evaluation_table(autoevaluations, adjust="bh", details=True).set_index("competence")
    tested = ["Délégation", "Écoute", "Gestion du temps"]
    assert bh.loc[tested, "p_ajustee"].to_numpy() == pytest.approx(survey.adjust_pvalues(p, "bh"))
    assert set(bh.loc[tested, "methode"]) <= {"exact", "permutation", "asymptotic"}
    with pytest.raises(ValueError, match="holm"):
        pr.self_evaluation_table(autoevaluations, adjust="tukey")


def _bands(dist, key, value, temps=None):
    sub = dist[dist[key] == value]
    if temps is not None:
        sub = sub[sub["temps"] == temps]
    return {r.bande: (None if r.masque else int(r.n)) for r in sub.itertuples()}


def test_rating_distribution_in_masked_bands(autoevaluations):
    dist = pr.rating_distribution(autoevaluations, threshold=5)
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
    low = pr.rating_distribution(autoevaluations, threshold=3)
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
        _check_published(pr.rating_distribution(autoevaluations, threshold=seuil), ["competence", "temps"], seuil)
        sem = pr.seminar_distribution(bilan, threshold=seuil)
        _check_published(sem, ["item"], seuil)
        # the share satisfied of the summary is exactly the band 4–5: published together or not at all
        summary = pr.seminar_summary(bilan, threshold=seuil).set_index("item")
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
    table = pr.self_evaluation_by_direction(autoevaluations, directions, threshold=5)
    assert list(table.columns) == ["direction"] + pr.AUTOEVALUATION_COLUMNS
    shown = set(zip(table["direction"], table["competence"]))
    # Écoute: DST 5, DRH 3 → DRH hidden, and DST too (else DRH = total − DST); Délégation: DGS 3
    # hidden → the smallest shown (DST, 6) hidden too, DRH (7) shown; Gestion du temps: DST 6.
    assert shown == {("DRH", "Délégation"), ("DST", "Gestion du temps")}
    assert (table["n_paires"] >= 5).all()
    drh = [B_PAIRS[i - 1] for i in range(7, 14)]
    row = table[table["direction"] == "DRH"].iloc[0]
    assert row["p_valeur"] == pytest.approx(float(stats.wilcoxon(D.diffs(drh), zero_method="pratt").pvalue))
    # With a threshold of 3, Écoute is shown for both directions.
    low = pr.self_evaluation_by_direction(autoevaluations, directions, threshold=3)
    assert {("DST", "Écoute"), ("DRH", "Écoute")} <= set(zip(low["direction"], low["competence"]))
    with pytest.raises(ValueError, match="moins de 3"):
        pr.self_evaluation_by_direction(autoevaluations, directions, threshold=2)


def test_manager_directions_from_hr():
    agents = pd.DataFrame({"matricule": ["P1", "P2", "P1", "P3"], "service": ["S1", "S2", "S2", "S9"],
                           "date_extraction": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-06-01", "2026-06-01"])})
    services = pd.DataFrame({"code_service": ["S1", "S2", "S9"], "direction": ["DGS", "DST", None]})
    mapping = pr.manager_directions(agents, services)
    assert mapping.to_dict() == {"P1": "DST", "P2": "DST"}  # latest extraction; no direction → absent


# --- seminar ------------------------------------------------------------------------------------------


def test_seminar_summary_share_satisfied_wilson(bilan):
    # With 5: 7 satisfied of 10 would say that 3 are not (1–2 → 2, 3 → 1): the band 4–5, hence the share
    # satisfied, is masked; the mean (over 10 answers) stays.
    masked = pr.seminar_summary(bilan, threshold=5).set_index("item")
    assert masked[["n_satisfaits", "part_satisfaits", "ic_bas", "ic_haut"]].isna().all().all()
    assert masked.loc["note_organisation", "moyenne"] == pytest.approx(3.7)
    assert "note_contenu" not in masked.index  # 3 answers
    summary = pr.seminar_summary(bilan, threshold=3).set_index("item")
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
    exact = pr.seminar_summary(bilan, ci_method="exact", threshold=3).set_index("item").loc["note_globale"]
    ref = stats.binomtest(7, 10).proportion_ci(method="exact")  # 4, 4, 5, 4, 5, 4, 4 are ≥ 4
    assert (exact["ic_bas"], exact["ic_haut"]) == pytest.approx((ref.low, ref.high))
    assert exact["methode_ic"] == "Clopper-Pearson (exact)"
    with pytest.raises(ValueError, match="valeurs possibles"):
        iv.proportion_ci(3, 10, method="agresti")


def test_mean_interval_by_hand():
    ci = iv.mean_ci([3, 4, np.nan, 5, 4])
    sd = math.sqrt(((3 - 4) ** 2 + 0 + (5 - 4) ** 2 + 0) / 3)  # 0.8165
    half = stats.t.ppf(0.975, 3) * sd / 2  # t(0.975; 3) = 3.1824
    assert (ci.n, ci.estimate, ci.sd, ci.se) == (4, 4.0, pytest.approx(sd), pytest.approx(sd / 2))
    assert (ci.ci_low, ci.ci_high) == pytest.approx((4 - half, 4 + half))
    assert (round(ci.ci_low, 4), round(ci.ci_high, 4)) == (2.7008, 5.2992)
    one = iv.mean_ci([2.0])
    assert one.estimate == 2.0 and np.isnan(one.ci_low) and np.isnan(one.sd)
    assert iv.mean_ci([]).n == 0 and np.isnan(iv.mean_ci([]).estimate)
    assert list(ci.to_frame().columns) == ["n", "estimation", "ecart_type", "erreur_type", "ic_bas", "ic_haut",
                                           "methode"]


def test_seminar_distribution(bilan):
    dist = pr.seminar_distribution(bilan, threshold=5)
    assert list(dist.columns) == ["item", "libelle", "bande", "n", "n_total", "part", "masque"]
    assert set(dist["item"]) == {"note_organisation", "note_globale"}  # note_contenu: 3 answers
    # note_globale 4, 4, 5, 3, 4, 2, 5, 4, 3, 4 → 1–2: 1, 3: 2, 4–5: 7. With 5, the 1 and 2 are masked and,
    # since together they are 3 < 5, the 7 too (else « 3 participants pas satisfaits » is published).
    assert _bands(dist, "item", "note_globale") == {"1–2": None, "3": None, "4–5": None}
    low = pr.seminar_distribution(bilan, threshold=3)
    assert _bands(low, "item", "note_globale") == {"1–2": None, "3": None, "4–5": 7}
    assert low.loc[~low["masque"] & (low["item"] != "note_contenu"), "part"].tolist() == [0.7, 0.7]
    from ducos_lib.registry import load_registry

    labels = {m.name: m.label for m in load_registry().group("seminaire") if m.unit == "note5"}
    assert list(labels) == pr.seminar_items() == ["note_organisation", "note_contenu", "note_utilite", "note_globale"]
    assert (dist["libelle"] == dist["item"].map(labels)).all()
    table = rp.distribution_table(low, "libelle", rp.BAND_LABELS_SEMINAR, group_header="Aspect",
                                  total_header="Réponses").set_index("Aspect")
    assert table.loc["Appréciation globale"].tolist() == ["10", "secret", "secret", "70\u202f% (7)"]


def test_comment_themes_redacted(bilan):
    from ducos_lib.redaction import redact

    res = pr.comment_themes(bilan["commentaire"], D.fake_code, redact)
    counts = res.counts.set_index("theme")
    assert counts.loc["communication_interne", "n_commentaires"] == 3
    assert counts.loc["outils_moyens", "n_commentaires"] == 0
    assert (counts["n_total"] == 5).all()  # blanks and None ignored
    text = " ".join(res.quotes["citation"])
    for planted in ("Lagier", "0696", "12 34 56", "ducos.fr"):
        assert planted not in text
    assert "[TÉLÉPHONE]" in text or "[EMAIL]" in text


def test_comment_themes_roster(bilan):
    comments = pd.Series(["Merci à Mireille pour les réunions."])
    res = pr.comment_themes(comments, D.fake_code, roster=["Mireille"])
    assert "Mireille" not in " ".join(res.quotes["citation"])


# --- charts -------------------------------------------------------------------------------------------


def test_charts_return_figures(autoevaluations):
    import matplotlib.pyplot as plt

    from ducos_lib.reports import charts

    table = pr.self_evaluation_table(autoevaluations)
    fig = charts.dumbbell_before_after(table)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Feedback" not in labels and "Écoute" in labels  # masked competence not drawn
    plt.close(fig)
    dist = rp.rating_distribution_display(pr.rating_distribution(autoevaluations, threshold=3))
    fig = charts.rating_distribution(dist, group="groupe", level="bande", level_labels=rp.BAND_LABELS_SELF,
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



# --- end to end -------------------------------------------------------------------------------------


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
