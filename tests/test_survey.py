"""Tests of ``ducos_lib.survey`` against R's ``survey`` package and hand-computed values.

Reference values
----------------
``PUBLISHED`` holds the results printed in ``../shared/reference/README.md`` (R ``survey``
documentation and ``tests/api.Rout.save`` / ``tests/rakecheck.Rout.save``): checked to 4 significant
figures. ``R_411`` holds further values computed with R 4.2.2 / survey 4.1.1 (Debian
``r-cran-survey``) on the same CSV files, each stored with the R command that produced it, in the
style of statsmodels' ``tests/results`` files; they are checked to 1e-6 relative. The common R
preamble is::

    library(survey)
    apistrat <- read.csv("apistrat.csv"); apiclus1 <- read.csv("apiclus1.csv")
    dstrat <- svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, data=apistrat)
    dclus1 <- svydesign(id=~dnum, weights=~pw, fpc=~fpc, data=apiclus1)
    pop.types <- data.frame(stype=c("E","H","M"), Freq=c(4421,755,1018))
    pop.schwide <- data.frame(sch.wide=c("No","Yes"), Freq=c(1072,5122))
    rclus1 <- rake(dclus1, list(~stype,~sch.wide), list(pop.types, pop.schwide),
                   control=list(maxit=100, epsilon=1e-12))
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ducos_lib import survey as sv
from ducos_lib.registry import load_registry
from ducos_lib.reports import enquete as R
from ducos_lib.reports import formats

# R's api data, exported by tests/reference/make_reference.R (committed; apiclus1 and apistrat are the files of ../shared/reference/)
REF_DIR = Path(os.environ.get("DUCOS_REFERENCE_DIR", Path(__file__).resolve().parent / "reference" / "data"))


POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}


@pytest.fixture(scope="module")
def apistrat():
    return pd.read_csv(REF_DIR / "apistrat.csv")


@pytest.fixture(scope="module")
def apiclus1():
    return pd.read_csv(REF_DIR / "apiclus1.csv")


@pytest.fixture(scope="module")
def dstrat(apistrat):
    return sv.design(apistrat, weights="pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def dclus1(apiclus1):
    return sv.design(apiclus1, weights="pw", cluster="dnum", fpc="fpc")


@pytest.fixture(scope="module")
def rclus1(dclus1):
    return sv.rake(dclus1, {"stype": POP_TYPES, "sch.wide": POP_SCHWIDE}, max_iter=100, epsilon=1e-12)


def _sig4(a: float, b: float) -> bool:
    """Equal to 4 significant figures (relative gap below 5e-4 of the reference)."""
    return abs(a - b) <= 5e-4 * abs(b)


# ------------------------------------------------------------------------------------------------
# Published R results (../shared/reference/README.md)
# ------------------------------------------------------------------------------------------------

PUBLISHED = [
    # (design fixture, verb, variable, estimate, SE, R command)
    ("dstrat", "mean", "api00", 662.29, 9.4089, "svymean(~api00, dstrat)"),
    ("dstrat", "total", "enroll", 3_687_178, 114_642, "svytotal(~enroll, dstrat)"),
    ("dclus1", "mean", "api00", 644.17, 23.542, "svymean(~api00, dclus1)"),
    ("dclus1", "total", "enroll", 3_404_940, 932_235, "svytotal(~enroll, dclus1)"),
    ("rclus1", "mean", "api00", 641.23, 23.704, "svymean(~api00, rake(dclus1, ...))"),
    ("rclus1", "total", "enroll", 3_647_300, 400_603, "svytotal(~enroll, rake(dclus1, ...))"),
]


@pytest.mark.parametrize("fixture, verb, variable, est, se, rcmd", PUBLISHED)
def test_published_api_results(request, fixture, verb, variable, est, se, rcmd):
    des = request.getfixturevalue(fixture)
    res = getattr(sv, verb)(des, variable)
    assert _sig4(res.estimate, est), (rcmd, res.estimate, est)
    assert _sig4(res.se, se), (rcmd, res.se, se)
    assert res.statistic == verb


# ------------------------------------------------------------------------------------------------
# Further R 4.1.1 values (full precision)
# ------------------------------------------------------------------------------------------------

R_411 = {
    "strat_mean": dict(cmd="svymean(~api00, dstrat, deff=TRUE)", est=662.287363159, se=9.40894080278,
                       deff=1.20446),
    "clus_mean": dict(cmd="svymean(~api00, dclus1, deff=TRUE)", est=644.169398907, se=23.5422406938,
                      deff=9.34587),
    "rake_mean_tight": dict(cmd="svymean(~api00, rclus1)", est=641.230320927, se=23.7036168879),
    "rake_total_tight": dict(cmd="svytotal(~enroll, rclus1)", est=3647280.14807, se=400603.256862),
    "strat_nofpc": dict(cmd="svymean(~api00, svydesign(id=~1, strata=~stype, weights=~pw, "
                            "data=apistrat))", est=662.287363159, se=9.53613229693),
    "clus_nofpc_total": dict(cmd="svytotal(~enroll, svydesign(id=~dnum, weights=~pw, "
                                 "data=apiclus1))", est=3404940.13453, se=941610.740912),
    "ratio": dict(cmd="svyratio(~api00, ~api99, dstrat)", est=1.05226054621825,
                  se=0.00364392223084),
    "narm_clus": dict(cmd="svymean(~acs.46, dclus1, na.rm=TRUE)", est=29.050955414,
                      se=0.486725461911),
    "narm_rake": dict(cmd="svymean(~acs.46, rclus1, na.rm=TRUE)", est=29.0603745993,
                      se=0.468190486089),
    # calibrate(calfun="raking") with unequal starting weights: the residual regression is weighted
    # by the pre-raking weights (rake() by backfitting gives 9.2913 / 132221.7 here).
    "calib_strat_mean": dict(
        cmd='calibrate(dstrat, list(~sch.wide,~awards), list(pop.sw, pop.aw), calfun="raking", '
            "epsilon=1e-12, maxit=100) |> svymean(~api00, design=_)  # pop.sw No/Yes=1072/5122, "
            "pop.aw No/Yes=2300/3894",
        est=662.124488379, se=9.28380180136),
    "calib_strat_total": dict(cmd="same design, svytotal(~enroll)", est=3690124.65145,
                              se=125560.750123),
}


def test_r_values_means_totals_ratio(dstrat, dclus1, rclus1, apistrat, apiclus1):
    def check(res, key):
        ref = R_411[key]
        assert res.estimate == pytest.approx(ref["est"], rel=1e-6), ref["cmd"]
        assert res.se == pytest.approx(ref["se"], rel=1e-6), ref["cmd"]
        if "deff" in ref:
            assert res.deff == pytest.approx(ref["deff"], rel=1e-5), ref["cmd"]

    check(sv.mean(dstrat, "api00"), "strat_mean")
    check(sv.mean(dclus1, "api00"), "clus_mean")
    check(sv.mean(rclus1, "api00"), "rake_mean_tight")
    check(sv.total(rclus1, "enroll"), "rake_total_tight")
    check(sv.mean(sv.design(apistrat, weights="pw", strata="stype"), "api00"), "strat_nofpc")
    check(sv.total(sv.design(apiclus1, weights="pw", cluster="dnum"), "enroll"), "clus_nofpc_total")
    check(sv.ratio(dstrat, "api00", "api99"), "ratio")
    check(sv.mean(dclus1, "acs.46", na_rm=True), "narm_clus")
    check(sv.mean(rclus1, "acs.46", na_rm=True), "narm_rake")
    # calibrate(calfun="raking") (regression residuals); sv.rake is R's rake() (backfitting),
    # checked against R in tests/test_survey_r.py
    raked = sv.calibrate(
        dstrat, {"sch.wide": POP_SCHWIDE, "awards": {"No": 2300, "Yes": 3894}}, calfun="raking", tol=1e-12
    )
    check(sv.mean(raked, "api00"), "calib_strat_mean")
    check(sv.total(raked, "enroll"), "calib_strat_total")


def test_fpc_as_sampling_fraction_equals_population_size(apistrat):
    # R: apistrat$f <- n_h / fpc; svydesign(id=~1, strata=~stype, weights=~pw, fpc=~f, ...)
    n_h = apistrat.groupby("stype")["stype"].transform("size")
    frac = n_h / apistrat["fpc"]
    res = sv.mean(sv.design(apistrat, weights="pw", strata="stype", fpc=frac), "api00")
    assert res.se == pytest.approx(9.40894080278, rel=1e-9)


def test_domain_estimates_match_svyby(dclus1, dstrat, rclus1):
    # svyby(~api00, ~stype, dclus1, svymean)
    got = sv.by(dclus1, "api00", "stype", statistic="mean")
    assert got["stype"].tolist() == ["E", "H", "M"]
    np.testing.assert_allclose(got["estimate"], [648.868055556, 618.571428571, 631.44], rtol=1e-9)
    np.testing.assert_allclose(got["se"], [22.3624088938, 38.0202493594, 31.6094652272], rtol=1e-8)
    assert set(got.columns) >= {"statistic", "estimate", "se", "ci_low", "ci_high", "n"}
    assert (got["statistic"] == "mean").all()
    # svyby(~api00, ~awards, rclus1, svymean): domains of a raked design
    got = sv.by(rclus1, "api00", "awards", statistic=sv.mean)
    np.testing.assert_allclose(got["estimate"], [622.980364174, 650.578719151], rtol=1e-8)
    np.testing.assert_allclose(got["se"], [30.3879195009, 21.5023950221], rtol=1e-6)


def test_domain_differs_from_filtered_subset(apistrat, dstrat):
    """A domain keeps the design's stratum sizes; a filtered data set recounts them.

    R: svyby(~api00, ~awards, dstrat, svymean) -> Yes: 678.422405614 (SE 11.8566309874)
       svymean(~api00, svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc,
               data=subset(apistrat, awards=="Yes")))  -> SE 11.938408625 (a different value)
    """
    dom = sv.mean(dstrat, "api00", domain=apistrat["awards"] == "Yes")
    assert dom.estimate == pytest.approx(678.422405614, rel=1e-9)
    assert dom.se == pytest.approx(11.8566309874, rel=1e-8)
    sub = apistrat[apistrat["awards"] == "Yes"]
    naive = sv.mean(sv.design(sub, weights="pw", strata="stype", fpc="fpc"), "api00")
    assert naive.estimate == pytest.approx(dom.estimate, rel=1e-12)
    assert naive.se == pytest.approx(11.938408625, rel=1e-8)
    assert abs(naive.se - dom.se) > 0.05
    by = sv.by(dstrat, "api00", "awards")
    assert by.loc[by["awards"] == "Yes", "se"].item() == pytest.approx(dom.se, rel=1e-12)


def test_logit_interval_matches_svyciprop(dclus1, rclus1, apiclus1):
    # svyciprop(~I(sch.wide=="Yes"), dclus1, method="logit", df=Inf)
    p = sv.proportion(dclus1, "sch.wide", "Yes", df=None)
    assert p.estimate == pytest.approx(0.874316939887, rel=1e-9)
    assert p.se == pytest.approx(0.0203594772446, rel=1e-8)
    assert (p.ci_low, p.ci_high) == pytest.approx((0.8287144776118, 0.9091099414475), rel=1e-8)
    assert p.method == "logit"
    # svyciprop(~I(both=="Yes"), rclus1, method="logit", df=Inf)
    p = sv.proportion(rclus1, "both", "Yes", df=None)
    assert p.estimate == pytest.approx(0.6801575413431, rel=1e-8)
    assert p.se == pytest.approx(0.0161591778377, rel=1e-6)
    assert (p.ci_low, p.ci_high) == pytest.approx((0.6476919326061, 0.7109664761337), rel=1e-6)
    # the same share from a boolean variable
    b = sv.proportion(rclus1, apiclus1["both"] == "Yes")
    assert b.estimate == pytest.approx(p.estimate, rel=1e-12)


def test_logit_interval_hand_formula():
    df = pd.DataFrame({"y": [1, 1, 1, 0, 0, 1, 0, 1, 1, 1], "w": [1, 2, 1, 1, 3, 1, 1, 2, 1, 1.0]})
    des = sv.design(df, weights="w")
    p = sv.proportion(des, "y", alpha=0.1)
    w, y = df["w"].to_numpy(), df["y"].to_numpy()
    phat = (w * y).sum() / w.sum()
    z = w * (y - phat) / w.sum()
    n = len(df)
    se = np.sqrt(n / (n - 1) * np.sum((z - z.mean()) ** 2))
    q = 1.8331129326536335  # qt(0.95, df = 9): R's svyciprop default df = degf(design) = n - 1
    lg = np.log(phat / (1 - phat))
    half = q * se / (phat * (1 - phat))
    assert p.estimate == pytest.approx(phat)
    assert p.se == pytest.approx(se)
    assert p.ci_low == pytest.approx(1 / (1 + np.exp(-(lg - half))))
    assert p.ci_high == pytest.approx(1 / (1 + np.exp(-(lg + half))))
    assert p.ci_low < p.estimate < p.ci_high


def test_proportion_zero_or_one_uses_clopper_pearson():
    df = pd.DataFrame({"y": [1.0] * 12})
    # R: svyciprop(~y, svydesign(id=~1, data=df), method="logit") -> CI [1, 1]
    r_default = sv.proportion(sv.design(df), "y")
    assert (r_default.ci_low, r_default.ci_high, r_default.method) == (1.0, 1.0, "degenerate")
    p = sv.proportion(sv.design(df), "y", edge="clopper_pearson")
    assert p.estimate == 1.0 and p.ci_high == 1.0
    assert 0.6 < p.ci_low < 1.0
    assert p.method == "clopper_pearson_neff"


def test_rao_scott_matches_svychisq(dclus1):
    # svychisq(~sch.wide+stype, dclus1)  (default statistic="F")
    f = sv.rao_scott(dclus1, "sch.wide", "stype")
    assert f.statistic == pytest.approx(5.193369541, rel=1e-8)
    assert f.df_num == pytest.approx(1.494639778, rel=1e-8)
    assert f.df_den == pytest.approx(20.924956888, rel=1e-8)
    assert f.p_value == pytest.approx(0.0217474624, rel=1e-7)
    assert f.method == "rao_scott_f"
    # svychisq(~sch.wide+stype, dclus1, statistic="Chisq")
    c = sv.rao_scott(dclus1, "sch.wide", "stype", statistic="chisq")
    assert c.pearson == pytest.approx(11.94089208, rel=1e-8)
    assert c.p_value == pytest.approx(0.0055532633, rel=1e-7)


# ------------------------------------------------------------------------------------------------
# Raking
# ------------------------------------------------------------------------------------------------


def test_raking_reproduces_margins(rclus1, apiclus1):
    w = pd.Series(rclus1.weights)
    for var, margin in (("stype", POP_TYPES), ("sch.wide", POP_SCHWIDE)):
        got = w.groupby(apiclus1[var].to_numpy()).sum()
        for k, v in margin.items():
            assert got[k] == pytest.approx(v, rel=1e-10)
    s = sv.weighting_summary(rclus1)
    assert s.sum_weights == pytest.approx(6194)
    assert 0 < s.n_effective <= s.n
    assert s.deff_weighting == pytest.approx(s.n / s.n_effective)
    assert s.iterations >= 1 and s.max_deviation < 1e-12


def test_raking_accepts_tidy_population_frame():
    df = _synthetic_survey({"T0": 300}, seed=3)
    pop = _population()
    raked = sv.rake(sv.design(df), pop, max_iter=100, tol=1e-10)
    w = pd.Series(raked.weights)
    for var in ("sexe", "tranche_age", "quartier"):
        got = w.groupby(df[var].to_numpy()).sum()
        exp = pop[pop["variable"] == var].set_index("modalite")["effectif"]
        np.testing.assert_allclose(got[exp.index], exp, rtol=1e-8)


def test_raking_empty_cell_names_the_cell():
    df = pd.DataFrame({"sexe": ["F", "H", "F", "H"], "age": ["a", "a", "b", "b"], "y": [1.0, 2, 3, 4]})
    margins = {"sexe": {"F": 50, "H": 50}, "age": {"a": 30, "b": 40, "c": 30}}
    with pytest.raises(sv.RakingError) as err:
        sv.rake(sv.design(df), margins)
    assert err.value.variable == "age" and err.value.modalite == "c"
    assert "age = c" in str(err.value) and "Aucun répondant" in str(err.value)
    assert isinstance(err.value, ValueError)


def test_raking_unknown_category_and_missing_values():
    df = pd.DataFrame({"sexe": ["F", "H", "X"], "y": [1.0, 2, 3]})
    with pytest.raises(sv.RakingError, match="« X »"):
        sv.rake(sv.design(df), {"sexe": {"F": 50, "H": 50}})
    df = pd.DataFrame({"sexe": ["F", "H", None], "y": [1.0, 2, 3]})
    with pytest.raises(sv.RakingError, match="manquante"):
        sv.rake(sv.design(df), {"sexe": {"F": 50, "H": 50}})


def test_raking_non_convergence_names_a_cell():
    df = pd.DataFrame({"sexe": ["F", "H", "F", "H", "F"], "age": ["a", "a", "b", "b", "b"]})
    # margins with different totals cannot be met simultaneously
    margins = {"sexe": {"F": 50, "H": 50}, "age": {"a": 30, "b": 90}}
    with pytest.raises(sv.RakingError) as err:
        sv.rake(sv.design(df), margins, max_iter=50, tol=1e-8)
    msg = str(err.value)
    assert "n'a pas convergé" in msg and "50 itérations" in msg
    assert err.value.variable in ("sexe", "age") and err.value.modalite is not None
    assert f"{err.value.variable} = {err.value.modalite}" in msg
    assert "même total" in msg
    # R's rule (the default) only asks that the crossed table stop moving: here it settles on a cycle
    # that meets the last margin only, and R's rake() accepts it without a word, as the default does
    raked = sv.rake(sv.design(df), margins)
    assert raked.weights.sum() == pytest.approx(120) and raked.calibration.max_deviation > 0.1
    # without convergence within max_iter sweeps, R warns and returns the weights: so does rake
    with pytest.warns(sv.RakingWarning, match="après 1 itération "):
        sv.rake(sv.design(df), {"sexe": {"F": 50, "H": 50}, "age": {"a": 30, "b": 70}}, max_iter=1)


def test_raking_bounds_limit_the_adjustment():
    df = _synthetic_survey({"T0": 400}, seed=5)
    pop = _population()
    base = sv.design(df, weights=np.full(len(df), 15000 / len(df)))
    free = sv.rake(base, pop)
    bounded = sv.rake(base, pop, bounds=(0.5, 1.8), max_iter=500, tol=1e-6)
    g = bounded.weights / base.weights
    assert g.min() >= 0.5 - 1e-12 and g.max() <= 1.8 + 1e-12
    assert sv.weighting_summary(free).g_max > 1.8
    with pytest.raises(sv.RakingError, match="bornes"):
        sv.rake(base, pop, bounds=(0.99, 1.01), max_iter=30, tol=1e-8)


def test_design_is_immutable():
    des = sv.design(pd.DataFrame({"y": [1.0, 2.0, 3.0]}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        des.weights = np.ones(3)
    with pytest.raises(ValueError):
        des.weights[0] = 5.0


def test_lonely_psu_options():
    df = pd.DataFrame({"h": ["a", "a", "b"], "y": [1.0, 3.0, 5.0]})
    with pytest.raises(sv.SurveyError, match="une seule unité primaire"):
        sv.design(df, strata="h")
    removed = sv.mean(sv.design(df, strata="h", lonely_psu="remove"), "y")
    # influence of the rows of stratum a: w (y - ybar) / W with ybar = 3, W = 3; n_a = 2 PSUs,
    # centred within a; the lonely stratum b contributes nothing
    z = np.array([(1 - 3) / 3, 0.0])
    exp = np.sqrt(2 / (2 - 1) * np.sum((z - z.mean()) ** 2))
    assert removed.se == pytest.approx(exp)
    averaged = sv.mean(sv.design(df, strata="h", lonely_psu="average"), "y")
    assert averaged.se == pytest.approx(exp * np.sqrt(2))


def test_unknown_method_lists_allowed_values():
    des = sv.design(pd.DataFrame({"y": [1.0, 0.0]}))
    with pytest.raises(sv.SurveyError, match="holm"):
        sv.adjust_pvalues([0.1], "bonferroni_typo")
    with pytest.raises(sv.SurveyError, match="mean"):
        sv.by(des, "y", np.array([1, 2]), statistic="median")


# ------------------------------------------------------------------------------------------------
# Multiple testing, comparisons, Rao–Scott on waves
# ------------------------------------------------------------------------------------------------

P_SMALL = [0.01, 0.04, 0.03, 0.005, np.nan]
# Hand computation, m = 4 non-missing p-values sorted: 0.005, 0.01, 0.03, 0.04
#  Holm: 4*0.005=0.02, 3*0.01=0.03, 2*0.03=0.06, 1*0.04=0.04 -> running max 0.02, 0.03, 0.06, 0.06
#  BH:   0.005*4/1=0.02, 0.01*4/2=0.02, 0.03*4/3=0.04, 0.04*4/4=0.04 -> running min from the top
HOLM = [0.03, 0.06, 0.06, 0.02, np.nan]
BH = [0.02, 0.04, 0.04, 0.02, np.nan]


@pytest.mark.parametrize("method, expected", [("holm", HOLM), ("bh", BH), ("fdr_bh", BH)])
def test_adjust_pvalues_hand_computed(method, expected):
    np.testing.assert_allclose(sv.adjust_pvalues(P_SMALL, method), expected, rtol=1e-12)


@pytest.mark.parametrize("method, sm", [("holm", "holm"), ("bh", "fdr_bh")])
def test_adjust_pvalues_matches_statsmodels(method, sm):
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests
    p = np.random.default_rng(0).uniform(0, 0.2, 25)
    np.testing.assert_allclose(sv.adjust_pvalues(p, method), multipletests(p, method=sm)[1])


def test_compare_independent_estimates():
    a = sv.Estimate(0.60, 0.03, 0.0, 0.0, 300, "proportion", "logit")
    b = sv.Estimate(0.70, 0.04, 0.0, 0.0, 300, "proportion", "logit")
    c = sv.compare(a, b)
    assert c.difference == pytest.approx(0.10)
    assert c.se == pytest.approx(0.05)
    assert c.statistic == pytest.approx(2.0)
    assert c.p_value == pytest.approx(0.04550026389635842)
    assert (c.ci_low, c.ci_high) == pytest.approx((0.10 - 1.959963984540054 * 0.05,
                                                   0.10 + 1.959963984540054 * 0.05))


def test_rao_scott_identical_and_shifted_waves():
    rng = np.random.default_rng(11)
    n = 600
    item = rng.choice([1.0, 2, 3, 4, 5], n, p=[0.1, 0.15, 0.25, 0.3, 0.2])
    base = pd.DataFrame({"item": item, "sexe": rng.choice(["F", "H"], n)})
    margins = {"sexe": {"F": 5200, "H": 4800}}
    d0 = sv.rake(sv.design(base), margins)
    same = sv.stack({"T0": d0, "T6": d0}, label="vague")
    r = sv.rao_scott(same, "vague", "item")
    assert r.p_value == pytest.approx(1.0)
    shifted = base.assign(item=np.clip(item + rng.choice([0, 1], n, p=[0.4, 0.6]), 1, 5))
    d1 = sv.rake(sv.design(shifted), margins)
    r = sv.rao_scott(sv.stack({"T0": d0, "T6": d1}, label="vague"), "vague", "item")
    assert r.p_value < 1e-6 and r.method == "rao_scott_f"


def test_stacked_waves_variance_is_sum_of_wave_variances():
    df = _synthetic_survey({"T0": 250, "T6": 260}, seed=8)
    designs = sv.wave_designs(df, _population(), config=CONFIG)
    st = sv.stack(designs, label="w")
    for wave, des in designs.items():
        m = sv.mean(des, "satisfaction_globale", na_rm=True)
        ms = sv.mean(st, "satisfaction_globale", domain=st.data["w"] == wave, na_rm=True)
        assert ms.estimate == pytest.approx(m.estimate, rel=1e-12)
        assert ms.se == pytest.approx(m.se, rel=1e-9)


# ------------------------------------------------------------------------------------------------
# §4 table builders on a synthetic survey
# ------------------------------------------------------------------------------------------------

CONFIG = {
    "seuil_signalement": 30,
    "seuil_masquage": 10,
    "alpha": 0.05,
    "ajustement": "holm",
    "ratissage": {"variables": ["sexe", "tranche_age", "quartier"], "max_iterations": 100,
                  "tolerance": 1e-8},
}
AGES = ["15-29", "30-44", "45-59", "60-74", "75+"]
QUARTIERS = ["Bourg", "Champigny", "Grand Case", "Petit Bourg"]


def _population() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "variable": ["sexe"] * 2 + ["tranche_age"] * 5 + ["quartier"] * 4,
            "modalite": ["F", "H", *AGES, *QUARTIERS],
            "effectif": [7800, 7200, 2700, 2700, 4300, 3400, 1900, 5000, 4000, 3000, 3000.0],
        }
    )


def _synthetic_survey(n_by_wave: dict[str, int], seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for k, (wave, n) in enumerate(n_by_wave.items()):
        df = pd.DataFrame(
            {
                "id_repondant": [f"{wave}-{i}" for i in range(n)],
                "vague": wave,
                "sexe": rng.choice(["F", "H"], n, p=[0.6, 0.4]),
                "tranche_age": rng.choice(AGES, n),
                "quartier": rng.choice(QUARTIERS, n),
                # RARE: a small service (flagged / masked rows)
                "service": rng.choice(["CCAS", "ETC", "URB", "RARE"], n, p=[0.4, 0.4, 0.18, 0.02]),
            }
        )
        for item in sv.likert_items():
            v = np.clip(np.round(rng.normal(3 + 0.3 * k, 1.1, n)), 1, 5)
            v[rng.random(n) < 0.08] = np.nan
            df[item] = v
        df["recommandation"] = np.clip(np.round(rng.normal(6, 2, n)), 0, 10)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    for c in ("id_repondant", "vague", "sexe", "tranche_age", "quartier", "service"):
        out[c] = out[c].astype("str")
    return out


@pytest.fixture(scope="module")
def survey_t12():
    df = _synthetic_survey({"T0": 300, "T6": 280, "T12": 320})
    # a service seen only at T6: every wave must still have its rows
    df.loc[df.index[400], "service"] = "NOUVEAU"
    pop = _population()
    return df, pop, sv.wave_designs(df, pop, config=CONFIG)


def test_estimations_table_columns_and_coverage(survey_t12):
    df, pop, designs = survey_t12
    est = sv.estimations_enquete(df, pop, designs=designs, config=CONFIG)
    assert list(est.columns) == sv.ESTIMATION_COLUMNS
    indicators = sv.indicator_names()
    assert len(indicators) == 14
    levels = {
        "ensemble": ["ensemble"],
        "service": sorted(df["service"].unique()),
        "quartier": QUARTIERS,
        "sexe": ["F", "H"],
        "tranche_age": AGES,
    }
    expected = {
        (w, i, gv, g)
        for w in ("T0", "T6", "T12")
        for i in indicators
        for gv, gs in levels.items()
        for g in gs
    }
    got = set(map(tuple, est[["vague", "indicateur", "groupe_variable", "groupe"]].to_numpy()))
    assert got == expected and len(est) == len(expected)
    shares = est[est["indicateur"].str.endswith("_satisfaits")]
    vals = shares[["estimation", "ic_bas", "ic_haut"]].to_numpy()
    assert np.nanmin(vals) >= 0 and np.nanmax(vals) <= 1
    net = est[est["indicateur"].str.endswith("_taux_net")]["estimation"]
    assert net.dropna().between(-1, 1).all()
    # masking: n < 10 -> row kept, figures blank
    small = est["n_repondants"] < 10
    assert small.any()
    assert est.loc[small, ["estimation", "erreur_type", "ic_bas", "ic_haut"]].isna().all().all()
    assert est.loc[~small & (est["n_repondants"] > 1), "estimation"].notna().all()
    # the overall share equals the engine's proportion on the same design
    p = sv.proportion(designs["T6"], "accueil", [4.0, 5.0])
    row = est[(est.vague == "T6") & (est.indicateur == "accueil_satisfaits")
              & (est.groupe_variable == "ensemble")]
    assert row["estimation"].item() == pytest.approx(p.estimate)
    assert row["erreur_type"].item() == pytest.approx(p.se)
    assert row["n_repondants"].item() == df[(df.vague == "T6")]["accueil"].notna().sum()
    # flags for display
    flagged = sv.signaler_effectifs(est, config=CONFIG)
    assert set(flagged["signalement"]) <= {"", "faible_effectif", "non_diffuse"}
    assert (flagged.loc[small, "signalement"] == "non_diffuse").all()
    mid = (est["n_repondants"] >= 10) & (est["n_repondants"] < 30)
    assert (flagged.loc[mid, "signalement"] == "faible_effectif").all()


def test_taux_net_is_difference_of_shares(survey_t12):
    df, pop, designs = survey_t12
    des = designs["T0"]
    est = sv.estimations_enquete(df, pop, designs={"T0": des}, config=CONFIG,
                                 group_variables=["ensemble"])
    net = est.set_index("indicateur").loc["delai_taux_net", "estimation"]
    hi = sv.proportion(des, "delai", [4.0, 5.0]).estimate
    lo = sv.proportion(des, "delai", [1.0, 2.0]).estimate
    assert net == pytest.approx(hi - lo)


def test_comparisons_table(survey_t12):
    df, pop, designs = survey_t12
    comp = sv.comparaisons_enquete(df, pop, ["T0", "T6", "T12"], designs=designs, config=CONFIG)
    assert list(comp.columns) == sv.COMPARISON_COLUMNS
    pairs = set(map(tuple, comp[["vague_a", "vague_b"]].drop_duplicates().to_numpy()))
    assert pairs == {("T0", "T12"), ("T6", "T12")}
    diff = comp[comp["methode"] == "difference_z"]
    rs = comp[comp["methode"] == "rao_scott_f"]
    assert len(rs) == 2 * len(sv.likert_items()) and rs["difference"].isna().all()
    assert rs["p_valeur"].between(0, 1).all()
    # every p_ajustee >= p_valeur, within [0, 1]
    tested = comp["p_valeur"].notna()
    assert (comp.loc[tested, "p_ajustee"] >= comp.loc[tested, "p_valeur"] - 1e-15).all()
    assert comp.loc[tested, "p_ajustee"].le(1).all()
    # the difference of the overall mean equals estimate(T12) - estimate(T0)
    est = sv.estimations_enquete(df, pop, designs=designs, config=CONFIG)
    key = (est.indicateur == "satisfaction_globale_moyenne") & (est.groupe_variable == "ensemble")
    e = est[key].set_index("vague")
    row = diff[(diff.indicateur == "satisfaction_globale_moyenne")
               & (diff.groupe_variable == "ensemble") & (diff.vague_a == "T0")]
    assert row["difference"].item() == pytest.approx(e.loc["T12", "estimation"] - e.loc["T0", "estimation"])
    se = np.hypot(e.loc["T12", "erreur_type"], e.loc["T0", "erreur_type"])
    assert row["ic_haut"].item() - row["ic_bas"].item() == pytest.approx(2 * 1.959963984540054 * se)
    # the family of the overall indicators is adjusted together (Holm)
    fam = diff[(diff.groupe_variable == "ensemble") & (diff.vague_a == "T0")]
    np.testing.assert_allclose(fam["p_ajustee"], sv.adjust_pvalues(fam["p_valeur"], "holm"))
    # small groups are not tested
    assert diff[diff.groupe == "RARE"]["p_valeur"].isna().any()
    # T6 milestone: only T0 -> T6; T0 milestone: empty table with the right columns
    t6 = sv.comparaisons_enquete(df, pop, ["T0", "T6"], designs=designs, config=CONFIG,
                                 distribution_tests=False)
    assert set(map(tuple, t6[["vague_a", "vague_b"]].drop_duplicates().to_numpy())) == {("T0", "T6")}
    t0 = sv.comparaisons_enquete(df, pop, ["T0"], designs=designs, config=CONFIG)
    assert t0.empty and list(t0.columns) == sv.COMPARISON_COLUMNS


def test_weighting_diagnostics_and_margins(survey_t12):
    df, pop, designs = survey_t12
    diag = sv.diagnostics_ponderation(df, pop, designs=designs)
    assert diag["vague"].tolist() == ["T0", "T6", "T12"]
    assert (diag["n_effectif"] <= diag["n_repondants"]).all()
    assert (diag["effet_plan_ponderation"] >= 1).all()
    assert (diag["iterations_ratissage"] >= 1).all()
    marg = sv.marges_ponderation(df, pop, designs=designs)
    np.testing.assert_allclose(marg["part_ponderee"], marg["part_population"], rtol=1e-7)
    assert marg.groupby(["vague", "variable"])["part_brute"].sum().round(12).eq(1).all()


def test_wave_with_empty_margin_cell_is_a_clear_error():
    df = _synthetic_survey({"T0": 200})
    df = df[df["quartier"] != "Grand Case"]
    with pytest.raises(sv.RakingError, match="Vague T0.*quartier = Grand Case"):
        sv.wave_designs(df, _population(), config=CONFIG)


def test_likert_distributions_sum_to_one(survey_t12):
    _, _, designs = survey_t12
    rep = sv.repartitions_likert(designs)
    assert len(rep) == 3 * len(sv.likert_items()) * 5
    sums = rep.groupby(["vague", "item"])["part"].sum()
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)


# ------------------------------------------------------------------------------------------------
# Report helpers (01_enquete_usagers)
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_tables(survey_t12):
    df, pop, designs = survey_t12
    est = sv.estimations_enquete(df, pop, designs=designs, config=CONFIG)
    comp = sv.comparaisons_enquete(df, pop, ["T0", "T6", "T12"], designs=designs, config=CONFIG)
    return est, comp


def test_labels_and_formats_come_from_the_registry():
    reg = load_registry()
    assert R.indicator_label("delai_satisfaits") == reg["delai_satisfaits"].label == "Délais : part de satisfaits"
    assert R.indicator_label("satisfaction_globale_moyenne").endswith("(sur 5)")
    assert R.indicator_label("recommandation_moyenne").endswith("(sur 10)")
    assert R.indicator_label("accueil_distribution") == "Accueil : répartition des cinq réponses"
    assert R.question_label("information") == reg.questions["information"].label == "Information"
    every = sv.indicator_names() + [f"{i}_distribution" for i in sv.likert_items()]
    assert len({R.indicator_label(i) for i in every}) == len(every)
    nb = "\u202f"
    row = {"estimation": 0.625, "ic_bas": 0.5, "ic_haut": 0.7}
    assert R.value_with_interval("accueil_satisfaits", row) == f"62,5{nb}% [50,0{nb}% ; 70,0{nb}%]"
    assert R.value_with_interval("satisfaction_globale_moyenne", {**row, "estimation": 3.5015}).startswith("3,50 [")
    assert R.value_with_interval("delai_taux_net", {"estimation": -0.059, "ic_bas": np.nan, "ic_haut": 0.1}) \
        == "−5,9 points"
    assert R.value_with_interval("accueil_satisfaits", {**row, "estimation": np.nan}) == "–"
    assert R.group_label("tranche_age", "45-59") == "45 à 59 ans"
    assert R.group_label("tranche_age", "75+") == "75 ans et plus"
    assert R.group_label("sexe", "F") == "Femmes"
    assert R.group_label("service", "ETC", {"ETC": "État civil"}) == "État civil"
    assert R.group_label("service", "XYZ", {}) == "XYZ"
    # the report module holds no label of its own for what the registry names
    source = Path(R.__file__).read_text(encoding="utf-8")
    for label in [m.label for m in load_registry().survey_indicators()] + [q.label for q in load_registry().questions.values()]:
        assert f'"{label}"' not in source


@pytest.mark.parametrize(
    "diff, p, expected",
    [
        (0.1, 0.01, "hausse significative"),
        (-0.1, 0.049, "baisse significative"),
        (0.1, 0.05, "pas de changement démontré"),
        (-0.3, 0.2, "pas de changement démontré"),
        (np.nan, np.nan, "non testé (trop peu de réponses)"),
    ],
)
def test_evolution_reading(diff, p, expected):
    assert R.evolution_reading(diff, p, alpha=0.05) == expected


def test_distribution_reading():
    assert R.distribution_reading(0.001) == "les réponses se répartissent différemment"
    assert R.distribution_reading(0.3) == "pas de changement démontré"
    assert R.distribution_reading(np.nan) == "non testé"


def test_group_table_flags_and_hides_small_groups(report_tables):
    est, _ = report_tables
    tab = R.group_table(est, "T12", "service", service_labels={"CCAS": "Action sociale"}, config=CONFIG)
    followed = [m.label for m in load_registry().survey_indicators() if m.summary]
    assert list(tab.columns) == ["Service contacté", *[f"{lab} [IC à 95 %]" for lab in followed], "Réponses",
                                 "Remarque"]
    n = est[(est.vague == "T12") & (est.groupe_variable == "service")
            & (est.indicateur == "satisfaction_globale_moyenne")].set_index("groupe")["n_repondants"]
    rare = tab[tab["Service contacté"] == "RARE"].iloc[0]
    assert rare["Réponses"] == n["RARE"] < 10
    assert rare["Remarque"].startswith("non diffusé")
    assert (rare.drop(["Service contacté", "Réponses", "Remarque"]) == "–").all()
    big = tab[tab["Service contacté"] == "Action sociale"].iloc[0]
    assert big["Remarque"] == "" and "[" in big["Satisfaction globale : part de satisfaits [IC à 95 %]"]
    mid = tab[(tab["Réponses"] >= 10) & (tab["Réponses"] < 30)]
    assert mid["Remarque"].str.startswith("faible effectif").all()


def test_overall_and_dimensions_tables(report_tables):
    est, _ = report_tables
    tab = R.overall_table(est, ["T0", "T6", "T12"])
    assert list(tab.columns) == ["Indicateur", "Vague T0", "Vague T6", "Vague T12", "Réponses (T12)"]
    assert tab["Indicateur"].tolist() == [m.label for m in load_registry().survey_indicators()
                                          if m.variable == "satisfaction_globale"]
    row = est[(est.vague == "T6") & (est.indicateur == "satisfaction_globale_satisfaits")
              & (est.groupe_variable == "ensemble")].iloc[0]
    assert tab.loc[1, "Vague T6"] == R.value_with_interval("satisfaction_globale_satisfaits", row)
    items = R.dimensions_table(est, "T12")
    assert items["Dimension"].tolist() == [R.question_label(q) for q in sv.likert_items()]
    assert list(items.columns[1:3]) == ["Part de satisfaits (4 ou 5) [IC à 95 %]", "Taux net de satisfaction [IC à 95 %]"]
    # only overall satisfaction has a registered mean on 5 points
    assert (items["Note moyenne (sur 5) [IC à 95 %]"] != "–").tolist() == [True] + [False] * 5


def test_evolution_table_reads_adjusted_pvalues(report_tables):
    est, comp = report_tables
    tab = R.evolution_table(comp, est, config=CONFIG)
    d = comp[(comp.methode == "difference_z") & (comp.groupe_variable == "ensemble")]
    assert len(tab) == len(d)
    expected = [R.evolution_reading(a, p) for a, p in zip(d["difference"], d["p_ajustee"])]
    assert tab["Lecture"].tolist() == expected
    assert set(tab["Période"]) == {"T0\u00a0→\u00a0T12", "T6\u00a0→\u00a0T12"}
    assert "p ajustée (Holm)" in tab.columns
    svc = R.evolution_table(comp, est, group_variable="service", indicators=["satisfaction_globale_moyenne"],
                            config=CONFIG)
    assert "Indicateur" not in svc.columns and svc.columns[0] == "Service contacté"
    assert (svc.loc[svc["Service contacté"] == "RARE", "Lecture"] == "non testé (trop peu de réponses)").all()
    rs = R.distribution_table(comp, config={**CONFIG, "ajustement": "bh"})
    assert len(rs) == 2 * len(sv.likert_items()) and "p ajustée (Benjamini–Hochberg)" in rs.columns


def test_repartition_recommandation_bands_sum_to_one(survey_t12):
    _, _, designs = survey_t12
    reco = sv.repartition_recommandation(designs)
    assert reco["tranche"].unique().tolist() == ["0 à 6", "7 à 8", "9 à 10"]
    np.testing.assert_allclose(reco.groupby("vague")["part"].sum(), 1.0, rtol=1e-12)
    p = sv.proportion(designs["T0"], "recommandation", [9.0, 10.0], df=None)  # the tables' normal quantile
    row = reco[(reco.vague == "T0") & (reco.tranche == "9 à 10")].iloc[0]
    assert row["part"] == pytest.approx(p.estimate) and row["ic_bas"] == pytest.approx(p.ci_low)


def test_group_gaps_use_the_whole_interval():
    est = pd.DataFrame({
        "vague": "T0", "indicateur": "satisfaction_globale_satisfaits",
        "groupe_variable": ["ensemble", "service", "service", "service", "service"],
        "groupe": ["ensemble", "A", "B", "C", "D"],
        "estimation": [0.6, 0.3, 0.9, 0.5, 0.2], "erreur_type": 0.05,
        "ic_bas": [0.55, 0.2, 0.8, 0.4, 0.1], "ic_haut": [0.65, 0.45, 0.95, 0.7, 0.3],
        "n_repondants": [300, 50, 20, 60, 5],
    })
    gaps = R.group_gaps(est, "T0", config=CONFIG)
    assert gaps["groupe"].tolist() == ["A", "B"]  # C's interval contains 0.6; D has < 10 answers
    assert gaps.set_index("groupe").loc["A", "sens"] == "en dessous"
    assert bool(gaps.set_index("groupe").loc["B", "faible_effectif"])


def test_key_findings_and_suggestions_are_built_from_the_figures(survey_t12, report_tables):
    df, pop, designs = survey_t12
    est, comp = report_tables
    marges = sv.marges_ponderation(df, pop, designs=designs)
    diag = sv.diagnostics_ponderation(df, pop, designs=designs)
    drivers = sv.determinants_enquete(designs)
    items = R.key_findings(est, comp, "T12", margins=marges, diagnostics=diag, drivers=drivers, config=CONFIG)
    text = " ".join(items)
    sat = est[(est.vague == "T12") & (est.indicateur == "satisfaction_globale_satisfaits")
              & (est.groupe_variable == "ensemble")].iloc[0]
    assert formats.value("satisfaction_globale_satisfaits", sat["estimation"]) in items[0]
    assert "Depuis T0 : la part d'usagers satisfaits" in text and "Depuis T6" in text and "Holm" in text
    n_eff = diag.set_index("vague").loc["T12", "n_effectif"]
    assert f"environ {round(n_eff)}" in text.replace("\u202f", "")
    first = R.driver_priorities(drivers, "T12")["dimension"]
    if len(first):
        assert f"À améliorer en priorité : <strong>{R.question_phrase(first[0])}" in text
    # the first wave says evolution starts later
    t0 = R.key_findings(est[est.vague == "T0"], comp.iloc[0:0], "T0", config=CONFIG)
    assert any("première mesure" in s for s in t0)
    pistes = R.suggestions(est, comp, "T12", config=CONFIG)
    nets = {i: est[(est.vague == "T12") & (est.indicateur == f"{i}_taux_net")
                   & (est.groupe_variable == "ensemble")]["estimation"].item() for i in sv.driver_dimensions()}
    worst = min(nets, key=nets.get)
    assert R.question_phrase(worst) in pistes[0]
    assert "cause" in pistes[-1]


def test_comment_counts_and_theme_table():
    df = pd.DataFrame({"vague": ["T0", "T0", "T0", "T6"], "commentaire": ["Bien", None, "  ", "Accueil top"]})
    c = sv.commentaires_par_vague(df, ["T0", "T6"])
    assert c["n_commentaires"].tolist() == [1, 1] and c["n_repondants"].tolist() == [3, 1]
    counts = pd.DataFrame({"groupe": ["T0", "T0", "T6", "T6"], "theme": ["a", "b", "a", "b"],
                           "n_commentaires": [2, 0, 1, 0], "n_total": [4, 4, 2, 2], "part": [0.5, 0, 0.5, 0]})
    tab = R.themes_table(counts, {"a": "Thème A"}, ["T0", "T6"])
    assert tab["Thème"].tolist() == ["Thème A"]  # never-mentioned themes left out
    assert tab.loc[0, "Vague T0"] == "50\u202f% (2)"


def test_survey_comments_use_the_residents_codebook():
    from ducos_lib import text

    df = pd.DataFrame({
        "vague": ["T0", "T0", "T0", "T6", "T6", "T12"],
        "commentaire": ["Les vestiaires du stade sont sales.", "Personne ne répond au téléphone.", None,
                        "Agent désagréable au guichet, appelez Mme Lagier au 0696 11 22 33.", "Moyen.",
                        "Pas d'information sur mon dossier."],
    })
    res = sv.themes_commentaires_enquete(df, ["T0", "T6"], roster=["Lagier"])
    residents = text.load_codebook(text.codebook_path("usagers"))
    assert res.codebook_version == residents.version
    assert set(res.counts["theme"]) == set(residents.codes)  # not the staff themes
    c = res.counts.set_index(["groupe", "theme"])
    assert set(res.counts["groupe"]) == {"T0", "T6"}  # T12 left out
    assert c.loc[("T0", "proprete_cadre_de_vie"), "n_commentaires"] == 1  # not "conditions de travail"
    assert c.loc[("T0", "joignabilite"), "n_commentaires"] == 1 and c.loc[("T0", "joignabilite"), "n_total"] == 2
    assert c.loc[("T6", "accueil_amabilite"), "n_commentaires"] == 1 and c.loc[("T6", "accueil_amabilite"), "n_total"] == 2
    assert not res.examples["citation"].str.contains("Lagier|0696").any()


# ------------------------------------------------------------------------------------------------
# The report on the committed sample (pyhf pattern: assert on the tables the notebook wrote)
# ------------------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group("milestones")
@pytest.mark.parametrize("milestone, pairs", [("T0", set()), ("T6", {("T0", "T6")}),
                                              ("T12", {("T0", "T12"), ("T6", "T12")})])
def test_report_tables_on_sample(milestone_runs, milestone, pairs):
    out, runs = milestone_runs
    status = {n.name: n.statut for n in runs[milestone].notebooks}
    assert status["01_enquete_usagers"] == "ok"
    folder = out / milestone
    est = pd.read_csv(folder / "tables" / "enquete_estimations.csv")
    comp = pd.read_csv(folder / "tables" / "enquete_comparaisons.csv")
    assert list(est.columns) == sv.ESTIMATION_COLUMNS
    assert list(comp.columns) == sv.COMPARISON_COLUMNS
    waves = ["T0", "T6", "T12"][: ["T0", "T6", "T12"].index(milestone) + 1]
    assert sorted(est["vague"].unique()) == sorted(waves)
    assert set(est["indicateur"]) == set(sv.indicator_names())
    assert set(est["groupe_variable"]) == set(sv.GROUP_VARIABLES)
    per_cell = est.groupby(["vague", "groupe_variable", "groupe"])["indicateur"].nunique()
    assert (per_cell == len(sv.indicator_names())).all()
    assert set(map(tuple, comp[["vague_a", "vague_b"]].drop_duplicates().to_numpy())) == pairs
    if pairs:
        assert (comp["methode"] == "rao_scott_f").sum() == len(pairs) * len(sv.likert_items())
    page = (folder / "01_enquete_usagers.html").read_text(encoding="utf-8")
    assert page.index("Constats clés") < page.index("Qui a répondu") < page.index("Méthodologie")
    assert "Provenance" in page
    assert page.index("Qui a répondu") < page.index("Ce qui fait la satisfaction") < page.index("Méthodologie")
    drivers = pd.read_csv(folder / "tables" / "enquete_determinants.csv")
    assert list(drivers.columns) == ["vague", "dimension", "importance", "ic_bas", "ic_haut", "performance"]
    assert sorted(drivers["vague"].unique()) == sorted(waves) and drivers["importance"].notna().all()
    assert "rapport de cotes" in page and "pas un effet causal" in page
    waits = pd.read_csv(folder / "tables" / "enquete_attente.csv")
    assert sorted(waits["vague"].unique()) == sorted(waves) and (waits["estimation"] > 0).all()
    assert "minutes</strong>" in page
    if not pairs:
        assert "à partir du jalon suivant" in page
