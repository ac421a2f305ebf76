"""Issue 15, item 1: the silent errors and differences from R, one test each, plus the multiple-testing
registry and the driver analysis on the committed sample.

R values come from ``tests/reference/cases/*.json`` (R code stored there); the rest is hand-computed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ducos_lib import survey as sv

REF = Path(__file__).resolve().parent / "reference"


def _data(name):
    return pd.read_csv(REF / "data" / f"{name}.csv")


def _r(case_id):
    return json.loads((REF / "cases" / f"{case_id}.json").read_text(encoding="utf-8"))["values"]


@pytest.fixture(scope="module")
def apistrat():
    return _data("apistrat")


@pytest.fixture(scope="module")
def apiclus1():
    return _data("apiclus1")


# --- silently wrong ---------------------------------------------------------------------------------


def test_string_domain_is_refused_not_read_as_true(apistrat):
    des = sv.design(apistrat, weights="pw", strata="stype", fpc="fpc")
    with pytest.raises(sv.SurveyError, match="booléen.*Yes"):
        sv.mean(des, "api00", domain="sch.wide")
    # the boolean spelling gives the domain estimate (R: svymean on subset(dstrat, sch.wide == "Yes"))
    yes = sv.mean(des, "api00", domain=apistrat["sch.wide"] == "Yes")
    assert yes.estimate != pytest.approx(sv.mean(des, "api00").estimate)
    sub = apistrat[apistrat["sch.wide"] == "Yes"]
    assert yes.estimate == pytest.approx(np.average(sub["api00"], weights=sub["pw"]), rel=1e-12)


def test_series_are_aligned_on_the_index_not_the_position(apistrat):
    shuffled = apistrat.sample(frac=1.0, random_state=3)  # index labels kept, rows reordered
    des = sv.design(shuffled, weights="pw", strata="stype", fpc="fpc")
    domain = apistrat["awards"] == "Yes"  # original order
    got = sv.mean(des, "api00", domain=domain)
    r = _r("dom_strat_subset")
    assert got.estimate == pytest.approx(r["estimate"], rel=1e-10)
    assert got.se == pytest.approx(r["se"], rel=1e-8)
    # a variable passed as a Series is aligned too
    assert sv.mean(des, apistrat["api00"]).estimate == pytest.approx(sv.mean(des, "api00").estimate, rel=1e-12)
    # positional NumPy input follows the design's rows
    pos = sv.mean(des, "api00", domain=(shuffled["awards"] == "Yes").to_numpy())
    assert pos.estimate == pytest.approx(got.estimate, rel=1e-12)


def test_misaligned_series_is_refused_with_a_french_message(apistrat):
    des = sv.design(apistrat, weights="pw", strata="stype", fpc="fpc")
    other = pd.Series(apistrat["awards"].to_numpy() == "Yes", index=np.arange(1000, 1200))
    with pytest.raises(sv.SurveyError, match="étiquettes d'index"):
        sv.mean(des, "api00", domain=other)
    with pytest.raises(sv.SurveyError, match="étiquettes d'index"):
        sv.mean(des, apistrat["api00"].iloc[:150])


# --- differences from R ------------------------------------------------------------------------------


def test_by_logit_interval_uses_each_domains_degrees_of_freedom(apiclus1):
    des = sv.design(apiclus1, weights="pw", cluster="dnum", fpc="fpc")
    got = sv.by(des, "sch.wide", "stype", "proportion", level="Yes", df="design")
    r = _r("dom_byciprop_df")  # svyby(~I(sch.wide == "Yes"), ~stype, dclus1, svyciprop, vartype = "ci")
    for _, row in got.iterrows():
        assert row["ci_low"] == pytest.approx(r[f"ci_low_{row['stype']}"], rel=1e-8)
        assert row["ci_high"] == pytest.approx(r[f"ci_high_{row['stype']}"], rel=1e-8)
    # the design's 14 df would give another (narrower) interval for the high schools (8 districts)
    full = sv.proportion(des, "sch.wide", "Yes", domain=apiclus1["stype"] == "H", df=des.degrees_of_freedom)
    h = got[got["stype"] == "H"].iloc[0]
    assert full.ci_low > h["ci_low"] + 1e-3


def test_zero_weight_rows_do_not_count_in_the_design_effect(apistrat):
    a = apistrat.copy()
    a["pw0"] = np.where(np.arange(1, len(a) + 1) % 10 == 0, 0.0, a["pw"])
    got = sv.mean(sv.design(a, weights="pw0", strata="stype"), "api00")
    assert got.deff == pytest.approx(_r("deff_zero_weights")["deff"], rel=1e-10)


def test_fpc_mixing_population_sizes_and_one_is_a_certainty_stratum(apiclus1):
    fpc = np.where(apiclus1["dnum"] == 413, 1, 1000)  # district 413: one school out of one
    des = sv.design(apiclus1, weights="pw", strata="dnum", fpc=fpc)  # no lonely-PSU error
    got = sv.mean(des, "api00")
    assert got.se == pytest.approx(_r("lonely_fpc_certainty")["se"], rel=1e-10)
    with pytest.raises(sv.SurveyError, match="mélangés"):
        sv.design(apiclus1, weights="pw", strata="dnum", fpc=np.where(apiclus1["dnum"] == 413, 0.5, 1000))


def test_certainty_lonely_psu_option(apiclus1):
    des = sv.design(apiclus1, weights="pw", strata="dnum", lonely_psu="certainty")
    assert sv.mean(des, "api00").se == pytest.approx(_r("lonely_certainty")["se"], rel=1e-10)
    with pytest.raises(sv.SurveyError, match="certainty"):
        sv.design(apiclus1, weights="pw", strata="dnum")


def test_r_spellings_are_accepted(apiclus1):
    des = sv.design(apiclus1, weights="pw", cluster="dnum", fpc="fpc")
    chisq = sv.rao_scott(des, "sch.wide", "stype", statistic="Chisq")
    assert chisq.pvalue == pytest.approx(_r("chisq_Chisq")["pvalue"], rel=1e-8)
    assert sv.rao_scott(des, "sch.wide", "stype", statistic="chisq").pvalue == chisq.pvalue
    with pytest.raises(sv.SurveyError, match="F, Chisq"):
        sv.rao_scott(des, "sch.wide", "stype", statistic="Wald2")
    assert sv.proportion(des, "sch.wide", "Yes", method="normal", df=None).method == "normal"
    assert sv.adjust_pvalues([0.01, 0.02], "BH").tolist() == sv.adjust_pvalues([0.01, 0.02], "fdr_bh").tolist()


def test_missing_values_stop_the_estimate_unless_na_rm(apiclus1):
    # R's default na.rm = FALSE gives NA for svymean, svytotal, svyratio, svyvar, svyquantile and svyby;
    # here the default is a French error naming the variable and the count; na_rm=True is R's na.rm = TRUE
    des = sv.design(apiclus1, weights="pw", cluster="dnum", fpc="fpc")
    for call in (lambda **k: sv.mean(des, "acs.46", **k), lambda **k: sv.total(des, "acs.46", **k),
                 lambda **k: sv.ratio(des, "acs.46", "enroll", **k), lambda **k: sv.var(des, "acs.46", **k),
                 lambda **k: sv.quantile(des, "acs.46", 0.5, **k), lambda **k: sv.by(des, "acs.46", "stype", **k)):
        with pytest.raises(sv.SurveyError, match=r"« acs\.46 » a 26 valeur\(s\) manquante\(s\).*na_rm=True"):
            call()
        call(na_rm=True)
    assert sv.mean(des, "acs.46", na_rm=True).estimate == pytest.approx(_r("api_clus1_narm")["estimate"], rel=1e-10)
    assert np.isfinite(sv.mean(des, "api00").se)
    # svyciprop (logit) drops missing values itself (svyglm's na.omit): so does proportion by default
    share = apiclus1["acs.46"].gt(28).astype(float).where(apiclus1["acs.46"].notna())
    assert sv.proportion(des, share).n == 183 - 26
    with pytest.raises(sv.SurveyError, match="manquante"):
        sv.proportion(des, share, na_rm=False)


def test_multistage_ids_and_nest():
    a = _data("apiclus2")
    des = sv.design(a, ids=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    assert len(des.stages) == 2 and des.degrees_of_freedom == 39
    with pytest.raises(sv.SurveyError, match="une fpc par degré"):
        sv.design(a, ids=["dnum", "snum"], fpc="fpc1")
    f = _data("fpc")
    with pytest.raises(sv.SurveyError, match="nest=True"):
        sv.design(f, weights="weight", ids="psuid", strata="stratid")


def test_categorical_mean_points_to_mean_levels(apiclus1):
    des = sv.design(apiclus1, weights="pw", cluster="dnum", fpc="fpc")
    with pytest.raises(sv.SurveyError, match="mean_levels"):
        sv.mean(des, "stype")
    lv = sv.mean_levels(des, "stype")
    assert lv["estimate"].sum() == pytest.approx(1.0)


# --- one registry of p-value adjustments ------------------------------------------------------------

P = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, np.nan, 0.5])


@pytest.mark.parametrize("ours, sm", [("holm", "holm"), ("bonferroni", "bonferroni"), ("bh", "fdr_bh"),
                                      ("by", "fdr_by"), ("hochberg", "simes-hochberg"), ("hommel", "hommel"),
                                      ("sidak", "sidak"), ("holm-sidak", "holm-sidak")])
def test_registry_matches_statsmodels(ours, sm):
    multipletests = pytest.importorskip("statsmodels.stats.multitest").multipletests
    ok = ~np.isnan(P)
    got = sv.adjust_pvalues(P, ours)
    np.testing.assert_allclose(got[ok], multipletests(P[ok], method=sm)[1], rtol=1e-12)
    assert np.isnan(got[~ok]).all()
    np.testing.assert_allclose(sv.adjust_pvalues(P, sm), got, rtol=0)  # statsmodels' spelling is an alias


def test_every_module_uses_the_registry():
    """One implementation of p-value adjustment: no other module defines its own."""
    import re
    from pathlib import Path

    import ducos_lib

    root = Path(ducos_lib.__file__).parent
    own = re.compile(r"^\s*def (adjust_pvalues|ajuster\w*|p_adjust\w*|holm\w*|benjamini\w*|bonferroni\w*)\(", re.M)
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if p.parent.name != "survey" and own.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    for module in ("practices.py", "linkage.py"):
        assert "survey.adjust_pvalues(" in (root / module).read_text(encoding="utf-8")


# --- driver analysis and quantiles on the committed sample ------------------------------------------


@pytest.fixture(scope="module")
def sample_designs(tmp_path_factory):
    from ducos_lib.ingest import load_milestone

    root = Path(__file__).resolve().parents[1]
    m = load_milestone("T12", root / "data" / "raw" / "sample", tmp_path_factory.mktemp("processed"),
                       key_path=tmp_path_factory.mktemp("key") / "cle")
    return sv.wave_designs(m.enquete_usagers, m.population_reference)


def test_driver_analysis_on_the_sample(sample_designs):
    t = sv.determinants_enquete(sample_designs)
    assert list(t.columns) == ["vague", "dimension", "importance", "ic_bas", "ic_haut", "performance"]
    assert t["vague"].unique().tolist() == ["T0", "T6", "T12"]
    assert len(t) == 15 and t["importance"].notna().all()
    assert (t["ic_bas"] < t["importance"]).all() and (t["importance"] < t["ic_haut"]).all()
    # performance is the §4 share satisfied of the dimension, the same figure as enquete_estimations
    des = sample_designs["T6"]
    sat = sv.proportion(des, des.data["accueil"] >= 4, domain=des.data["accueil"].notna()).estimate
    row = t[(t["vague"] == "T6") & (t["dimension"] == "accueil")].iloc[0]
    assert row["performance"] == pytest.approx(sat, rel=1e-12)


def test_waiting_time_quantiles_on_the_sample(sample_designs):
    t = sv.quantiles_attente(sample_designs)
    assert len(t) == 9 and t["estimation"].notna().all()
    des = sample_designs["T12"]
    x = des.data["temps_attente"].to_numpy(dtype=float)
    ok = ~np.isnan(x)
    order = np.argsort(x[ok], kind="mergesort")
    xs, ws = x[ok][order], des.weights[ok][order]
    share = np.cumsum(ws) / ws.sum()
    row = t[(t["vague"] == "T12") & (t["quantile"] == 0.5)].iloc[0]
    assert row["estimation"] == xs[np.searchsorted(share, 0.5)]  # R's qrule "math": first value reaching 1/2
    assert row["n_repondants"] == ok.sum() and row["ic_bas"] <= row["estimation"] <= row["ic_haut"]
    # the question is optional (DESIGN §3): without the column, the rows are there, empty
    from ducos_lib.survey.design import replace

    bare = {w: replace(d, data=d.data.drop(columns="temps_attente")) for w, d in sample_designs.items()}
    empty = sv.quantiles_attente(bare)
    assert len(empty) == 9 and empty["estimation"].isna().all() and (empty["n_repondants"] == 0).all()


def test_wave_order_follows_the_calendar_or_the_programme_naming():
    assert sv.wave_order(["T12", "C2-T0", "T6", "T0", "T24", "pilote", "T6"]) == [
        "T0", "T6", "T12", "T24", "C2-T0", "pilote"]
    assert sv.wave_order(["avril", "mars"], calendar_order=["mars", "avril"]) == ["mars", "avril"]
