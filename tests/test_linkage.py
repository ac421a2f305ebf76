"""Quality ↔ performance (ducos_lib.linkage, ducos_lib.correlation): panel builder, survey estimates read
from report 01's table, Spearman/bootstrap/permutation, adjustment, mixed model. Synthetic data built
here; the committed sample is tested end to end when present. The French words are tested in
test_linkage_report.py."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import linkage_data as D
import numpy as np
import pandas as pd
import pytest
from linkage_data import D_T0, EFFECTIFS, N_SERVICES, RAPIDE
from scipy import stats

from ducos_lib import correlation as C
from ducos_lib import linkage as L
from ducos_lib import survey
from ducos_lib.hr import hr_indicators, mask_indicators

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "sample"


# ---------------------------------------------------------------------------------------------
# A synthetic cross-section: absenteeism ↓ satisfaction planted; training ⟂ immersion ratings
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def section() -> pd.DataFrame:
    return D.cross_section()


@pytest.fixture(scope="module")
def resultats(section) -> pd.DataFrame:
    return D.quality_staff_results(section)


def test_planted_relation_recovered(resultats):
    l = D.row(resultats, "satisfaction_globale_moyenne", "taux_absenteisme")
    assert l["rho"] < -0.5
    assert l["ic_haut"] < 0 and l["ic_bas"] <= l["rho"] <= l["ic_haut"]
    assert l["p_ajustee"] < 0.05 and l["significatif"]
    assert l["n_services"] == N_SERVICES


def test_independent_pair_not_significant(resultats):
    l = D.row(resultats, "note_immersion_moyenne", "heures_formation_par_agent")
    assert abs(l["rho"]) < 0.4
    assert l["p_ajustee"] >= 0.05 and not l["significatif"]
    assert l["ic_bas"] < 0 < l["ic_haut"]


def test_table_has_exact_section4_columns(resultats):
    t = L.quality_performance_table(resultats)
    assert list(t.columns) == ["indicateur_qualite", "indicateur_rh", "n_services", "rho", "ic_bas",
                               "ic_haut", "p_valeur", "p_ajustee"]
    assert len(t) == 4
    assert t["p_ajustee"].between(0, 1).all() and (t["p_ajustee"] >= t["p_valeur"] - 1e-12).all()


@pytest.mark.parametrize("graine", [0, 1, 2])
def test_rho_equals_scipy(graine):
    rng = np.random.default_rng(graine)
    x = rng.integers(0, 6, 20).astype(float)  # ties on purpose
    y = x + rng.normal(0, 2, 20)
    x[[3, 8]] = np.nan
    y[5] = np.nan
    ok = ~(np.isnan(x) | np.isnan(y))
    attendu = stats.spearmanr(x[ok], y[ok]).statistic
    assert C.spearman(x, y) == pytest.approx(attendu, abs=1e-12)
    c = C.spearman_correlation(x, y, n_bootstrap=200, n_permutations=200, seed=1)
    assert c.estimate == pytest.approx(attendu, abs=1e-12) and c.n == ok.sum()


def test_reproducible_for_a_seed_and_different_for_another(section):
    x, _y = section["taux_absenteisme"], section["satisfaction_globale_moyenne"]
    z = section["note_immersion_moyenne"]
    a = C.spearman_correlation(x, z, n_bootstrap=500, n_permutations=500, seed=1, key="k")
    b = C.spearman_correlation(x, z, n_bootstrap=500, n_permutations=500, seed=1, key="k")
    c = C.spearman_correlation(x, z, n_bootstrap=500, n_permutations=500, seed=2, key="k")
    assert a == b
    assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)
    assert a.pvalue != c.pvalue
    assert a.estimate == c.estimate
    # The whole table too.
    opts = {"quality": ["satisfaction_globale_moyenne", "note_immersion_moyenne"],
            "staff": ["taux_absenteisme"], "n_bootstrap": 300, "n_permutations": 300}
    t1 = L.quality_staff_correlations(section, seed=5, **opts)
    t2 = L.quality_staff_correlations(section, seed=5, **opts)
    t3 = L.quality_staff_correlations(section, seed=6, **opts)
    pd.testing.assert_frame_equal(t1, t2)
    assert not t1[["ic_bas", "ic_haut", "p_valeur"]].equals(t3[["ic_bas", "ic_haut", "p_valeur"]])
    # A pair's draws do not depend on the other pairs analysed.
    seule = L.quality_staff_correlations(section, seed=5, **{**opts, "quality": ["note_immersion_moyenne"]})
    assert seule.iloc[0]["ic_bas"] == t1.iloc[1]["ic_bas"]


def test_permutation_p_value_formula():
    # Perfect monotone relation on 6 services: only permutations as extreme as the identity or its
    # reverse reach |rho| = 1; p = (count + 1) / (P + 1) is never zero.
    x = np.arange(6.0)
    c = C.spearman_correlation(x, x ** 2, n_bootstrap=100, n_permutations=999, seed=3)
    assert c.estimate == 1.0
    assert 1 / 1000 <= c.pvalue < 0.02
    assert (c.pvalue * 1000) == pytest.approx(round(c.pvalue * 1000))


def test_bca_interval():
    s = D.cross_section(3)
    c = C.spearman_correlation(s["taux_absenteisme"], s["satisfaction_globale_moyenne"],
                               n_bootstrap=800, n_permutations=100, seed=4, ci_method="bca")
    assert c.ci_method == "bca" and c.ci_low < c.estimate < c.ci_high < 0
    with pytest.raises(ValueError, match="percentile, bca"):
        C.spearman_correlation([1, 2, 3], [1, 2, 3], ci_method="studentise")


def test_too_few_services_give_nan():
    c = C.spearman_correlation([1, 2, np.nan], [3, 1, 2], n_bootstrap=10, n_permutations=10, seed=1)
    assert c.n == 2 and np.isnan(c.estimate) and np.isnan(c.pvalue)
    df = pd.DataFrame({"a": [1.0, 2, 3, 4, np.nan, np.nan], "taux_absenteisme": [1.0, 3, 2, 4, 5, 6]})
    r = L.quality_staff_correlations(df, quality=["a"], staff=["taux_absenteisme"], n_min=5, **RAPIDE)
    assert r.iloc[0]["n_services"] == 4 and np.isnan(r.iloc[0]["rho"]) and np.isnan(r.iloc[0]["p_ajustee"])


def test_adjustment_through_the_survey_registry(section):
    opts = {"quality": ["satisfaction_globale_moyenne", "note_immersion_moyenne"],
            "staff": ["taux_absenteisme", "heures_formation_par_agent"], **RAPIDE}
    bh = L.quality_staff_correlations(section, **opts)
    # Benjamini–Hochberg by hand on the four p-values: p_(i) * m / i, then the step-up minimum.
    p = bh["p_valeur"].to_numpy()
    order = np.argsort(p)
    raw = p[order] * len(p) / np.arange(1, len(p) + 1)
    by_hand = np.empty(len(p))
    by_hand[order] = np.minimum(1, np.minimum.accumulate(raw[::-1])[::-1])
    np.testing.assert_allclose(bh["p_ajustee"], by_hand)
    # The method comes from the configuration or the call, through survey.adjust_pvalues.
    holm = L.quality_staff_correlations(section, adjust="holm", **opts)
    np.testing.assert_allclose(holm["p_ajustee"], survey.adjust_pvalues(p, "holm"))
    cfg = {"n_bootstrap": 1000, "n_permutations": 1000, "graine": 12345, "ajustement": "holm"}
    from_config = L.quality_staff_correlations(section, quality=opts["quality"], staff=opts["staff"], config=cfg)
    np.testing.assert_allclose(from_config["p_ajustee"], holm["p_ajustee"])
    assert (holm["p_ajustee"] >= bh["p_ajustee"] - 1e-12).all()
    with pytest.raises(ValueError, match="holm"):
        L.quality_staff_correlations(section, adjust="inconnue", **opts)


# ---------------------------------------------------------------------------------------------
# Mixed model across milestones
# ---------------------------------------------------------------------------------------------

def test_mixed_model_recovers_sign():
    d = D.long_panel()
    r = L.mixed_model(d, pairs=[("satisfaction_globale_moyenne", "taux_absenteisme"),
                                  ("note_immersion_moyenne", "heures_formation_par_agent")])
    assert list(r.columns) == L.MIXED_MODEL_COLUMNS
    a, b = r.iloc[0], r.iloc[1]
    assert a["n_jalons"] == 3 and a["n_services"] == N_SERVICES and a["n_observations"] == 45
    assert a["coefficient"] < 0 and a["ic_haut"] < 0 and a["p_valeur"] < 0.05 and a["converge"]
    assert b["ic_bas"] < 0 < b["ic_haut"] or b["p_valeur"] >= 0.05


def test_mixed_model_fails_gracefully():
    d = D.long_panel(1)
    r = L.mixed_model(d, pairs=[("satisfaction_globale_moyenne", "taux_absenteisme")])
    assert not r.iloc[0]["converge"] and r.iloc[0]["statut"] == "one_milestone"
    d = D.long_panel(2).assign(taux_absenteisme=3.0)
    r = L.mixed_model(d, pairs=[("satisfaction_globale_moyenne", "taux_absenteisme")])
    assert not r.iloc[0]["converge"] and r.iloc[0]["statut"] == "constant"
    r = L.mixed_model(D.long_panel(2), pairs=[("satisfaction_globale_moyenne", "taux_absenteisme")],
                      n_min_services=N_SERVICES + 1)
    assert r.iloc[0]["statut"] == "few_services" and np.isnan(r.iloc[0]["coefficient"])
    with pytest.raises(ValueError, match="pairs"):
        L.mixed_model(d)


# ---------------------------------------------------------------------------------------------
# Panel builder on small processed DataFrames
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def panel() -> L.ServicePanel:
    return D.small_panel()


def test_panel_shape_and_columns(panel):
    d = panel.to_frame()
    assert len(d) == 2 * 6 and list(d["jalon"].unique()) == ["T0", "T6"]
    assert list(d.columns[:4]) == ["jalon", "date_jalon", "code_service", "libelle"]
    assert panel.quality == ("satisfaction_globale_moyenne", "satisfaction_globale_satisfaits",
                             "note_immersion_moyenne", "indicateur_delai_traitement")
    assert panel.staff == L.STAFF_MEASURES
    assert not d.duplicated(["jalon", "code_service"]).any()


def test_survey_below_threshold_is_nan(panel):
    t0 = panel.cross_section("T0").set_index("code_service")
    assert t0.loc["S01", "satisfaction_globale_moyenne"] == pytest.approx(3.8)
    assert np.isnan(t0.loc["S02", "satisfaction_globale_moyenne"])       # 6 respondents < 10
    assert np.isnan(t0.loc["S02", "satisfaction_globale_satisfaits"])
    assert t0.loc["S02", "n_repondants"] == 6
    assert panel.cross_section("T6").set_index("code_service").loc["S01", "satisfaction_globale_moyenne"] \
        == pytest.approx(3.9)


def test_missing_measures_stay_missing(panel):
    t0 = panel.cross_section("T0").set_index("code_service")
    # S04: no survey row; S06: in services.csv but no data at all.
    assert t0.loc["S04", ["satisfaction_globale_moyenne", "n_repondants",
                          "note_immersion_moyenne"]].isna().all()
    assert t0.loc["S06", list(panel.quality) + list(panel.staff)].isna().all()
    assert np.isnan(t0.loc["S01", "progression_autoevaluation"])  # self-evaluations after T0


def test_immersion_and_indicator_windows(panel):
    t0 = panel.cross_section("T0").set_index("code_service")
    t6 = panel.cross_section("T6").set_index("code_service")
    # T0: F1 (mean 4.5) and F2 (2.0); F3 is dated after T0.
    assert t0.loc["S01", "note_immersion_moyenne"] == pytest.approx((4.5 + 2.0) / 2)
    assert t0.loc["S01", "n_fiches_immersion"] == 2
    assert t6.loc["S01", "note_immersion_moyenne"] == pytest.approx((4.5 + 2.0 + 1.0) / 3)
    assert np.isnan(t0.loc["S03", "note_immersion_moyenne"])  # its only form has no rating
    # 12 months ending 2026-01: 2025-02 … 2026-01.  At T6: 2025-08 … 2026-07.
    assert t0.loc["S01", "indicateur_delai_traitement"] == pytest.approx(20.0)
    assert t6.loc["S01", "indicateur_delai_traitement"] == pytest.approx(30.0)
    assert np.isnan(t0.loc["S03", "indicateur_delai_traitement"])  # 2024-12 is outside


def test_hr_measures_match_hr_module(panel):
    agents = D.agents()
    ext = agents[agents["date_extraction"] == pd.Timestamp("2026-01-10")]
    attendu = hr_indicators(ext, D.absences(), "2026-01-10", breakdowns=("service",))
    t0 = panel.cross_section("T0").set_index("code_service")
    for s in EFFECTIFS:
        row = attendu[(attendu["indicateur"] == "taux_absenteisme") & (attendu["groupe"] == s)].iloc[0]
        assert t0.loc[s, "taux_absenteisme"] == pytest.approx(row["valeur"])
        assert t0.loc[s, "effectif_absenteisme"] == row["effectif"]
    assert t0.loc["S02", "taux_absenteisme"] > 0  # kept internally although about 2 agents
    assert t0.loc["S01", "heures_formation_par_agent"] == pytest.approx(3 * sum(range(8)) / 8)
    assert (t0.loc[list(EFFECTIFS), "date_extraction"] == pd.Timestamp("2026-01-10")).all()
    assert (panel.cross_section("T6")["date_extraction"].dropna() == pd.Timestamp("2026-07-10")).all()


def test_published_panel_masks_small_agent_services(panel):
    pub = panel.published("T0").set_index("code_service")
    interne = panel.cross_section("T0").set_index("code_service")
    for c in ("taux_absenteisme", "effectif_absenteisme", "taux_rotation", "heures_formation_par_agent",
              "effectif"):
        assert np.isnan(pub.loc["S02", c]) and not np.isnan(interne.loc["S02", c])
    # Secondary masking, as in rh_indicateurs.csv: the next smallest service (S03, 6 agents) too.
    agents = D.agents()
    ext = agents[agents["date_extraction"] == pd.Timestamp("2026-01-10")]
    t = hr_indicators(ext, D.absences(), "2026-01-10", breakdowns=("service",))
    m = mask_indicators(t, 5)
    masques_hr = set(m[(m["indicateur"] == "taux_absenteisme") & (m["groupe_variable"] == "service")
                       & m["masque"]]["groupe"])
    assert masques_hr == {"S02", "S03"}
    assert set(pub.index[pub["taux_absenteisme"].isna()]) - {"S06"} == masques_hr
    # Self-evaluation progress: 1 manager per service < 5 → never published row-wise.
    t6 = panel.cross_section("T6").set_index("code_service")
    assert t6.loc["S01", "progression_autoevaluation"] == pytest.approx(1.0)   # (2 + 0) / 2
    assert t6.loc["S03", "progression_autoevaluation"] == pytest.approx(3.0)
    assert panel.published("T6")["progression_autoevaluation"].isna().all()
    # Quality measures are not touched by the agent masking.
    assert pub.loc["S01", "satisfaction_globale_moyenne"] == pytest.approx(3.8)


def test_panel_feeds_statistics(panel):
    r = L.quality_staff_correlations(panel, n_min=3, **RAPIDE)
    assert len(r) == len(panel.quality) * len(panel.staff)
    assert list(L.quality_performance_table(r).columns) == L.QUALITY_PERFORMANCE_COLUMNS
    mm = L.mixed_model(panel, n_min_services=3)
    assert len(mm) == len(r) and set(mm["statut"]) <= {"ok", "one_milestone", "few_services", "constant",
                                                          "not_converged;boundary", "not_converged", "boundary"}


def test_survey_part_accepts_only_service_rows():
    e = L.survey_measures(D.estimations(), "T0", threshold=10)
    assert list(e.columns) == ["satisfaction_globale_moyenne", "satisfaction_globale_satisfaits",
                               "n_repondants"]
    assert "ensemble" not in e.index and set(e.index) == {"S01", "S02", "S03", "S05"}
    assert L.survey_measures(None, "T0").empty
    assert L.survey_measures(D.estimations(), "T12").empty


def test_unknown_milestone_and_empty_inputs():
    p = L.service_panel({"T0": D_T0}, services=pd.DataFrame({"code_service": ["A"], "libelle": ["a"]}))
    assert len(p.data) == 1 and p.data[list(p.quality) + list(p.staff)].isna().all(axis=None)
    with pytest.raises(ValueError, match="absent du panel"):
        p.cross_section("T12")


# ---------------------------------------------------------------------------------------------
# The committed sample (when it is there): the planted relation of ducos_lib.synthetic
# ---------------------------------------------------------------------------------------------

def test_sample_data_end_to_end(isolated_env):
    from ducos_lib.ingest import load_milestone

    data = load_milestone("T12", SAMPLE)
    panel = L.panel_from_milestone(data)
    assert set(panel.milestones) == set(data.waves)
    res = L.quality_staff_correlations(panel)
    t = L.quality_performance_table(res)
    assert list(t.columns) == L.QUALITY_PERFORMANCE_COLUMNS and len(t)
    # Planted in ducos_lib.synthetic: absenteeism ↓ satisfaction; training hours independent.
    plante = D.row(res, "satisfaction_globale_moyenne", "taux_absenteisme")
    assert plante["rho"] < 0 and plante["p_ajustee"] < 0.05
    assert D.row(res, "satisfaction_globale_moyenne", "heures_formation_par_agent")["p_ajustee"] >= 0.05
    pub = panel.published()
    petits = panel.data["effectif_absenteisme"] < panel.threshold
    assert pub.loc[petits, "taux_absenteisme"].isna().all()
    assert os.environ["DUCOS_PROCESSED_DIR"].startswith(str(isolated_env))




# ---------------------------------------------------------------------------------------------
# Survey estimates: report 01's published table, or the survey engine when it is not there
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_t12(isolated_env):
    from ducos_lib.ingest import load_milestone

    return load_milestone("T12", SAMPLE)


def _publish_report_01_table(data, out_dir: Path) -> Path:
    """enquete_estimations.csv as notebook 01 computes and writes it."""
    from ducos_lib.reports import page

    designs = survey.wave_designs(data.enquete_usagers, data.population_reference)
    table = survey.estimations_enquete(data.enquete_usagers, data.population_reference, designs=designs,
                                       groups={"service": list(data.services["code_service"])})
    return page.write_table(table, out_dir, "enquete_estimations")


def test_report_01_table_gives_the_same_results_as_the_engine(sample_t12, tmp_path):
    from ducos_lib.io import write_csv

    computed = L.panel_from_milestone(sample_t12)
    assert computed.survey_source == "computed" and computed.survey_error is None
    _publish_report_01_table(sample_t12, tmp_path)
    read = L.panel_from_milestone(sample_t12, out_dir=tmp_path)
    assert read.survey_source == "tables"
    # The published tables of report 04, written as the notebook writes them, are the same bytes.
    for name, a, b in (("panel", computed.published(), read.published()),
                       ("qualite_performance", L.quality_performance_table(L.quality_staff_correlations(computed)),
                        L.quality_performance_table(L.quality_staff_correlations(read)))):
        write_csv(a, tmp_path / f"a_{name}.csv")
        write_csv(b, tmp_path / f"b_{name}.csv")
        assert (tmp_path / f"a_{name}.csv").read_bytes() == (tmp_path / f"b_{name}.csv").read_bytes(), name
    # The mixed model sees estimates rounded to the table's 10 significant digits: same to ~1e-9.
    pairs = [("satisfaction_globale_moyenne", "taux_absenteisme")]
    a, b = L.mixed_model(computed, pairs=pairs), L.mixed_model(read, pairs=pairs)
    np.testing.assert_allclose(a[["coefficient", "ic_bas", "ic_haut"]], b[["coefficient", "ic_bas", "ic_haut"]],
                               rtol=1e-8)


def test_a_table_that_does_not_match_the_data_is_not_used(sample_t12, tmp_path):
    assert L.published_survey_estimates(tmp_path, sample_t12) is None          # absent
    path = _publish_report_01_table(sample_t12, tmp_path)
    assert L.published_survey_estimates(tmp_path, sample_t12) is not None
    table = pd.read_csv(path)
    stale = table.assign(n_repondants=table["n_repondants"] + 1)                # another data set
    stale.to_csv(path, index=False)
    assert L.published_survey_estimates(tmp_path, sample_t12) is None
    table[table["vague"] != "T6"].to_csv(path, index=False)                     # a wave missing
    assert L.published_survey_estimates(tmp_path, sample_t12) is None
    table.drop(columns=["n_repondants"]).to_csv(path, index=False)              # not the §4 table
    assert L.published_survey_estimates(tmp_path, sample_t12) is None
    assert L.panel_from_milestone(sample_t12, out_dir=tmp_path).survey_source == "computed"


def test_a_survey_failure_is_carried_not_raised(sample_t12):
    # A raking margin no respondent belongs to: the survey engine refuses to rake.
    pop = sample_t12.population_reference
    extra = pop.iloc[[0]].assign(variable="quartier", modalite="Quartier sans répondant", effectif=500)
    data = dataclasses.replace(sample_t12, population_reference=pd.concat([pop, extra], ignore_index=True))
    panel = L.panel_from_milestone(data)
    assert panel.survey_error and panel.survey_source == "none"
    assert panel.data["satisfaction_globale_moyenne"].isna().all()
