"""HR indicators (RSU) and GPEC projections on hand-built rosters (DESIGN §5, §4).

Every expected value is computed by hand in the comments, from the conventions documented in
``ducos_lib/hr``: 12-month window [D - 1 year + 1 day, D] with both bounds included; present on
t = entered on or before t and no exit date or exit after t; permanent = titulaire, stagiaire,
contractuel_permanent; ages in completed months from the first day of the birth month.
"""

from __future__ import annotations

from pathlib import Path

import hr_rosters as rosters
import numpy as np
import pandas as pd
import pytest
from hr_rosters import D0, D, P

from ducos_lib import hr

# copy of ../shared/reference/retraite_ages_legaux.csv (the legal ages the configuration must follow)
REFERENCE = Path(__file__).resolve().parent / "reference" / "data" / "retraite_ages_legaux.csv"


@pytest.fixture()
def extraction():
    return rosters.extraction()


@pytest.fixture()
def historique():
    return rosters.historique()


@pytest.fixture()
def absences():
    return rosters.absences()


def _val(t, ind, gv="ensemble", g="ensemble"):
    sel = t[(t.indicateur == ind) & (t.groupe_variable == gv) & (t.groupe == g)]
    assert len(sel) == 1, (ind, gv, g, sel)
    return sel.iloc[0]


def test_window_and_days():
    assert hr.window_12_months(D) == (pd.Timestamp("2025-01-01"), D)
    # leap year: 2023-03-01 .. 2024-02-29 = 366 days
    deb, fin = hr.window_12_months("2024-02-29")
    assert (deb, (fin - deb).days + 1) == (pd.Timestamp("2023-03-01"), 366)


def test_headcount_fte_ages_training_managers(extraction, historique, absences):
    t = hr.hr_indicators(extraction, absences, D, history=historique)
    assert list(t.columns) == hr.INDICATOR_COLUMNS
    # Present on D: A1..A5 (A6 left on 2025-10-01) -> 5 agents.
    assert _val(t, "effectif").valeur == 5
    # FTE = 1 + 0.5 + 0.8 + 1 + 1 = 4.3 (A6's 0.6 not counted).
    assert _val(t, "etp").valeur == pytest.approx(4.3)
    assert _val(t, "effectif", "sexe", "F").valeur == 3  # A1, A3, A5
    assert _val(t, "effectif", "sexe", "H").valeur == 2  # A2, A4
    assert _val(t, "etp", "service", "S1").valeur == pytest.approx(1.5)  # A1 1 + A2 0.5
    assert _val(t, "effectif", "statut", "contractuel_non_permanent").valeur == 1
    # Ages in completed months on 2025-12-31: A1 (1970-05) 667, A2 (1980-12, born in D's month)
    # 540, A3 (1990-01) 431, A4 (1965-06) 726, A5 (2000-07) 305. Mean 2669/5 = 533.8 months.
    assert _val(t, "age_moyen").valeur == pytest.approx(533.8 / 12)
    assert _val(t, "age_median").valeur == pytest.approx(45.0)  # 540 months
    # Training: (10 + 0 + 20 + 5 + 0) / 5 = 7 hours.
    assert _val(t, "heures_formation_par_agent").valeur == pytest.approx(7.0)
    # Managers: A1, A3 -> 2/5 = 40 %; women among managers 2/2 = 100 % about 2 agents.
    assert _val(t, "part_encadrants").valeur == pytest.approx(40.0)
    r = _val(t, "part_femmes_encadrants")
    assert (r.valeur, r.effectif) == (pytest.approx(100.0), 2)
    # BOE: A3 -> 1/5 = 20 %; FTE 4.3 < 20: the 6 % obligation does not apply (no row).
    assert _val(t, "taux_boe").valeur == pytest.approx(20.0)
    assert "obligation_boe_atteinte" not in set(t.indicateur)
    assert not t.masque.any()


def test_boe_obligation_when_it_applies(extraction, absences):
    cfg = {"seuil_boe_etp": 4, "obligation_boe": 6.0, "motifs_compressibles": ["MO", "AT"]}
    t = hr.hr_indicators(extraction, absences, D, config=cfg)
    assert _val(t, "obligation_boe_atteinte").valeur == 1.0  # 20 % >= 6 %, FTE 4.3 >= 4
    cfg["obligation_boe"] = 25.0
    t = hr.hr_indicators(extraction, absences, D, config=cfg)
    assert _val(t, "obligation_boe_atteinte").valeur == 0.0


def test_absenteeism(extraction, historique, absences):
    t = hr.hr_indicators(extraction, absences, D, history=historique)
    # Permanent agents present on D: A1, A2, A3, A4 -> 4; denominator 365 × 4 = 1460 days.
    # Days: A1 10 + 1 (MO), A2 12 (AT), A3 31 (MAT), A4 28 (CLM) = 82.
    r = _val(t, "taux_absenteisme")
    assert r.valeur == pytest.approx(8200 / 1460) and r.effectif == 4
    assert _val(t, "taux_absenteisme", "motif", "MO").valeur == pytest.approx(1100 / 1460)
    assert _val(t, "taux_absenteisme", "motif", "AT").valeur == pytest.approx(1200 / 1460)
    assert _val(t, "taux_absenteisme", "motif", "MAT").valeur == pytest.approx(3100 / 1460)
    assert _val(t, "taux_absenteisme", "motif", "CLM").valeur == pytest.approx(2800 / 1460)
    assert _val(t, "taux_absenteisme", "motif", "CLD").valeur == 0
    motifs = t[(t.indicateur == "taux_absenteisme") & (t.groupe_variable == "motif")]
    assert motifs.valeur.sum() == pytest.approx(r.valeur)  # motifs add up to the total
    # Compressible = MO + AT = 23 days.
    assert _val(t, "taux_absenteisme_compressible").valeur == pytest.approx(2300 / 1460)
    # By service: S1 = A1 + A2, 23 days / (365 × 2); S2 = A3 + A4, 59 days / (365 × 2).
    assert _val(t, "taux_absenteisme", "service", "S1").valeur == pytest.approx(2300 / 730)
    assert _val(t, "taux_absenteisme", "service", "S2").valeur == pytest.approx(5900 / 730)
    assert "contractuel_non_permanent" not in set(
        t[(t.indicateur == "taux_absenteisme") & (t.groupe_variable == "statut")].groupe)


def test_turnover_uses_history(extraction, historique, absences):
    t = hr.hr_indicators(extraction, absences, D, history=historique)
    # Permanent agents present at the end of 2024-12-31: A1, A2, A4, A6, A7 -> 5.
    # Arrivals in 2025: A3 (A5 is non-permanent) -> 1. Departures: A6 (10-01), A7 (04-15) -> 2.
    # ((1 + 2) / 2) / 5 × 100 = 30 %.
    r = _val(t, "taux_rotation")
    assert (r.valeur, r.effectif) == (pytest.approx(30.0), 5)
    # S1: start A1, A2, A6, A7 = 4; departures 2, arrivals 0 -> (2/2)/4 = 25 %.
    assert _val(t, "taux_rotation", "service", "S1").valeur == pytest.approx(25.0)
    # Without the earlier extraction A7 is unknown: start 4, 1 arrival, 1 departure -> 25 %.
    t2 = hr.hr_indicators(extraction, absences, D)
    assert _val(t2, "taux_rotation").valeur == pytest.approx(25.0)


def test_table_over_dates_and_evolution(extraction, historique, absences):
    agents = pd.concat([historique, extraction], ignore_index=True)
    t = hr.indicators_table(agents, absences, mask=False)
    assert list(t.columns) == hr.INDICATOR_COLUMNS
    assert sorted(t.date_extraction.unique()) == [D0, D]
    # On D0: A1, A2, A3, A4, A6 present (A7 gone) -> 5; FTE 1 + .5 + .8 + 1 + .6 = 3.9.
    t0 = t[t.date_extraction == D0]
    assert _val(t0, "etp").valeur == pytest.approx(3.9)
    ev = hr.indicator_changes(t, D0, D)
    r = ev[(ev.indicateur == "etp") & (ev.groupe_variable == "ensemble")].iloc[0]
    assert r.difference == pytest.approx(0.4)
    assert r.variation_relative == pytest.approx(0.4 / 3.9 * 100)
    # Masked table (threshold 3): masked comparisons stay empty.
    tm = hr.indicators_table(agents, absences, threshold=3)
    evm = hr.indicator_changes(tm, D0, D)
    assert evm.loc[evm.masque, "difference"].isna().all()
    assert evm.masque.any()


def test_masked_indicator_table(extraction, historique, absences):
    agents = pd.concat([historique, extraction], ignore_index=True)
    t = hr.indicators_table(agents, absences, threshold=3)
    pub = t[~t.masque]
    assert ((pub.effectif >= 3) | (pub.effectif == 0)).all()  # a zero is about nobody
    assert t.loc[t.masque, "valeur"].isna().all() and t.loc[t.masque, "effectif"].isna().all()
    # absenteeism by motif counts the agents absent for that motif (health data), not the headcount
    motifs = t[(t.indicateur == "taux_absenteisme") & (t.groupe_variable == "motif")]
    raw = hr.indicators_table(agents, absences, threshold=3, mask=False)
    raw_motifs = raw[(raw.indicateur == "taux_absenteisme") & (raw.groupe_variable == "motif")]
    few = raw_motifs[(raw_motifs.effectif > 0) & (raw_motifs.effectif < 3)]
    assert len(few) > 0
    assert motifs.set_index(["date_extraction", "groupe"]).loc[
        list(zip(few.date_extraction, few.groupe)), "masque"].all()
    # effectif by sexe on D: F 3, H 2 -> H masked (primary) and F (secondary): the ensemble (5)
    # would otherwise give H = 5 - 3.
    sexe = t[(t.date_extraction == D) & (t.indicateur == "effectif") & (t.groupe_variable == "sexe")]
    assert sexe.masque.all()
    # brute force: no breakdown with a published total has exactly one masked group
    for (d, ind), bloc in t.groupby(["date_extraction", "indicateur"]):
        tot = bloc[bloc.groupe_variable == "ensemble"]
        if tot.masque.all():
            continue
        for gv, sub in bloc[bloc.groupe_variable != "ensemble"].groupby("groupe_variable"):
            assert sub.masque.sum() != 1, (d, ind, gv)


def test_pyramid_unmasked_and_masked(extraction):
    p = hr.age_pyramid(extraction, D, mask=False)
    # Completed years: A1 55, A2 45, A3 35, A4 60, A5 25 -> bands 25..60, every 5 years.
    assert list(p.columns) == ["age_debut", "age_fin", "sexe", "effectif", "masque"]
    assert p.effectif.sum() == 5
    assert (p.age_debut.iloc[0], p.age_fin.iloc[0]) == (25, 29) and list(p.sexe[:2]) == ["H", "F"]
    assert p[(p.age_debut == 60) & (p.sexe == "H")].effectif.iloc[0] == 1
    pm = hr.age_pyramid(extraction, D, threshold=3)
    # 5 agents: bands thinner than 3 merge from both ends until one band remains (all ages).
    assert pm.age_debut.isna().all() and pm.age_fin.isna().all() and len(pm) == 2
    # Larger roster: no published cell between 1 and seuil - 1.
    rng = np.random.default_rng(3)
    n = 200
    big = pd.DataFrame({
        "matricule": [f"M{i}" for i in range(n)], "sexe": rng.choice(["F", "H"], n),
        "mois_naissance": pd.to_datetime([f"{y}-{m:02d}-01" for y, m in zip(
            rng.integers(1958, 2004, n), rng.integers(1, 13, n))]),
        "date_entree": pd.Timestamp("2010-01-01"), "date_sortie": pd.NaT, "quotite": 100.0})
    pm = hr.age_pyramid(big, D, threshold=5)
    pub = pm[~pm.masque]
    assert not ((pub.effectif > 0) & (pub.effectif < 5)).any()
    # the extreme bands hold at least 5 agents once thin ones are merged
    ages = hr.age_in_months(big["mois_naissance"], D) // 12
    assert (ages <= pm.age_fin.iloc[0]).sum() >= 5
    assert (ages >= pm.age_debut.iloc[-1]).sum() >= 5


# ---------------------------------------------------------------------------------------------
# Retirement rules
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def regles():
    return hr.load_retirement_rules()


def test_config_matches_reference_table(regles):
    ref = pd.read_csv(REFERENCE, dtype=str)
    cfg = regles.minimum_ages
    assert len(cfg) == len(ref)
    for (_, a), (_, b) in zip(ref.iterrows(), cfg.iterrows()):
        assert pd.Timestamp(a.ne_du) == b.ne_du and pd.Timestamp(a.ne_au) == b.ne_au
        assert (a.categorie, int(a.age_annees), int(a.age_mois), a.certitude) == (
            b.categorie, b.age_annees, b.age_mois, b.certitude)
    assert regles.active_service_years == 17
    assert regles.observed_departure_ages == {"sedentaire": 64.1, "active": 60.5}


@pytest.mark.parametrize("naissance, categorie, atteint, depart", [
    # sedentary boundaries: 62 / 62y3m / 62y6m / 62y9m / 63 / 63y3m / 63y6m / 63y9m / 64
    ("1961-08-31", "sedentaire", "2023-08-31", "2023-09-01"),  # 62 y
    ("1961-09-01", "sedentaire", "2023-12-01", "2024-01-01"),  # 62 y 3 m
    ("1961-12-31", "sedentaire", "2024-03-31", "2024-04-01"),  # 62 y 3 m
    ("1962-01-01", "sedentaire", "2024-07-01", "2024-08-01"),  # 62 y 6 m
    ("1962-12-31", "sedentaire", "2025-06-30", "2025-07-01"),  # 62 y 6 m (June has 30 days)
    ("1963-01-01", "sedentaire", "2025-10-01", "2025-11-01"),  # 62 y 9 m (suspension)
    ("1965-03-31", "sedentaire", "2027-12-31", "2028-01-01"),  # 62 y 9 m
    ("1965-04-01", "sedentaire", "2028-04-01", "2028-05-01"),  # 63 y
    ("1965-12-31", "sedentaire", "2028-12-31", "2029-01-01"),  # 63 y
    ("1966-01-01", "sedentaire", "2029-04-01", "2029-05-01"),  # 63 y 3 m
    ("1967-01-01", "sedentaire", "2030-07-01", "2030-08-01"),  # 63 y 6 m
    ("1968-12-31", "sedentaire", "2032-09-30", "2032-10-01"),  # 63 y 9 m
    ("1969-01-01", "sedentaire", "2033-01-01", "2033-02-01"),  # 64 y
    # active boundaries: 57 / 57y3m / 57y6m / 57y9m / 58 / ... / 58y9m / 59
    ("1966-08-31", "active", "2023-08-31", "2023-09-01"),  # 57 y
    ("1966-09-01", "active", "2023-12-01", "2024-01-01"),  # 57 y 3 m
    ("1967-01-01", "active", "2024-07-01", "2024-08-01"),  # 57 y 6 m
    ("1968-01-01", "active", "2025-10-01", "2025-11-01"),  # 57 y 9 m
    ("1970-03-31", "active", "2027-12-31", "2028-01-01"),  # 57 y 9 m (inferred)
    ("1970-04-01", "active", "2028-04-01", "2028-05-01"),  # 58 y (inferred)
    ("1973-12-31", "active", "2032-09-30", "2032-10-01"),  # 58 y 9 m (inferred)
    ("1974-01-01", "active", "2033-01-01", "2033-02-01"),  # 59 y
])
def test_legal_date_at_each_boundary(regles, naissance, categorie, atteint, depart):
    assert hr.legal_age_date(naissance, categorie, rules=regles) == pd.Timestamp(atteint)
    assert hr.legal_departure_date(naissance, categorie, rules=regles) == pd.Timestamp(depart)
    # processed data keep only the month: same departure date from the first of the month
    mois = pd.Timestamp(naissance).replace(day=1)
    assert hr.legal_departure_date(mois, categorie, rules=regles) == pd.Timestamp(depart)


def test_unknown_category_and_bad_rules(regles):
    with pytest.raises(ValueError, match="permises"):
        hr.legal_age_date("1970-01-01", "super_active", rules=regles)
    cfg = {"ages_minimaux": [
        {"ne_du": "1900-01-01", "ne_au": "1960-12-31", "categorie": "sedentaire", "age_annees": 62, "age_mois": 0},
        {"ne_du": "1962-01-01", "ne_au": "2099-12-31", "categorie": "sedentaire", "age_annees": 64, "age_mois": 0}],
        "limites_age": [{"ne_du": "1900-01-01", "ne_au": "2099-12-31", "categorie": "sedentaire", "age_annees": 67, "age_mois": 0}],
        "ages_depart_observes": {"sedentaire": 64.1, "active": 60.5}}
    with pytest.raises(ValueError, match="trou"):
        hr.load_retirement_rules(cfg)


def test_active_category_and_observed_age(regles, extraction):
    dr = hr.retirement_dates(extraction, rules=regles).set_index("matricule")
    # A4: titulaire, active, born 1965-06, entered 1995: active 57 y -> 2022-06-01 (17 years of
    # service reached 2012-01-01), before the sedentary 63 y (2028-06-01): active regime.
    a4 = dr.loc["A4"]
    assert a4.regime == "active"
    assert a4.date_age_legal == pd.Timestamp("2022-06-01")
    assert a4.date_depart_age_legal == pd.Timestamp("2022-07-01")
    # Observed active age 60.5 = 60 y 6 m -> 2025-12-01 -> leaves 2026-01-01 (below the limit).
    assert a4.date_depart_age_observe == pd.Timestamp("2026-01-01")
    # A1 sedentary (1970-05: 64 y) -> 2034-05-01 -> 2034-06-01; observed 64.1 = 64 y 1 m -> 2034-07-01.
    a1 = dr.loc["A1"]
    assert (a1.regime, a1.date_depart_age_legal, a1.date_depart_age_observe) == (
        "sedentaire", pd.Timestamp("2034-06-01"), pd.Timestamp("2034-07-01"))


# ---------------------------------------------------------------------------------------------
# GPEC projection
# ---------------------------------------------------------------------------------------------

@pytest.fixture()
def gpec():
    return rosters.gpec()


def _dep(t, scenario, annee, gv="ensemble", g="ensemble"):
    sel = t[(t.scenario == scenario) & (t.annee == annee) & (t.groupe_variable == gv) & (t.groupe == g)]
    assert len(sel) == 1
    return sel.departs.iloc[0]


def test_projection_counts(gpec, regles):
    t = hr.project_departures(gpec, P, horizon=3, rules=regles)
    assert list(t.columns) == hr.DEPARTURE_COLUMNS
    assert sorted(t.annee.unique()) == [2025, 2026, 2027]
    # age_legal: 2025 B1 (overdue), 2026 B2, 2027 B3 + B4.
    assert [_dep(t, "age_legal", a) for a in (2025, 2026, 2027)] == [1, 1, 2]
    assert [_dep(t, "age_legal", a, "service", "X") for a in (2025, 2026, 2027)] == [1, 1, 0]
    assert [_dep(t, "age_legal", a, "service", "Y") for a in (2025, 2026, 2027)] == [0, 0, 2]
    assert [_dep(t, "age_legal", a, "metier", "jardinier") for a in (2025, 2026, 2027)] == [1, 1, 0]
    assert _dep(t, "age_legal", 2027, "categorie", "C") == 1  # B4
    assert _dep(t, "age_legal", 2027, "filiere", "police") == 1
    # age_observe: 2025 B1 (2025-07-01), 2027 B2 (2027-05-01); B3 and B4 leave after 2027.
    assert [_dep(t, "age_observe", a) for a in (2025, 2026, 2027)] == [1, 0, 1]
    # Every group of every breakdown sums to the ensemble.
    for (s, a, _gv), sub in t[t.groupe_variable != "ensemble"].groupby(["scenario", "annee", "groupe_variable"]):
        assert sub.departs.sum() == _dep(t, s, a)
    # Default horizon 10 (2025..2034): + B6 in 2029 and B5 in 2031 -> 6 departures.
    t10 = hr.project_departures(gpec, P, rules=regles)
    assert t10.annee.nunique() == 10
    ens = t10[(t10.scenario == "age_legal") & (t10.groupe_variable == "ensemble")]
    assert ens.departs.sum() == 6
    assert _dep(t10, "age_legal", 2029) == 1 and _dep(t10, "age_legal", 2031) == 1


def test_projection_table_masked(gpec, regles):
    t = hr.departures_table(gpec, horizon=3, rules=regles, threshold=3)
    assert list(t.columns) == hr.DEPARTURE_COLUMNS
    # DESIGN §6 (copil): the whole staff's yearly counts are published in full (1, 1, 2 at the
    # legal age, see test_projection_counts) ...
    ens = t[(t.groupe_variable == "ensemble") & (t.scenario == "age_legal")]
    assert not ens.masque.any() and ens.departs.tolist() == [1, 1, 2]
    # ... finer cells of 1 to threshold - 1 departures are not.
    pub = t[~t.masque & (t.groupe_variable != "ensemble")]
    assert not ((pub.departs > 0) & (pub.departs < 3)).any()
    assert t.loc[t.masque, "departs"].isna().all()


def test_jobs_at_risk(gpec, regles):
    r = hr.jobs_at_risk(gpec, P, rules=regles).set_index("metier")
    # Window 5 years: departures on or before 2030-06-30; horizon 10: on or before 2035-06-30.
    assert r.loc["jardinier", ["effectif", "departs_fenetre"]].tolist() == [2, 2]
    assert r.loc["jardinier", "risque_part_elevee"] and not r.loc["jardinier", "risque_agent_unique"]
    assert r.loc["secretaire", "risque_part_elevee"] and r.loc["secretaire", "risque_agent_unique"]
    assert r.loc["comptable", "risque_agent_unique"]  # B6 leaves 2029-05-01
    # policier: 1 of 4 within 5 years = 25 % < 30 %: not at risk.
    assert r.loc["policier", "part_departs_fenetre"] == pytest.approx(0.25)
    assert not r.loc["policier", "a_risque"]
    # brigadier: single agent leaving 2031-11-01, after 5 years but within 10.
    assert not r.loc["brigadier", "risque_part_elevee"] and r.loc["brigadier", "risque_agent_unique"]
    assert not r.loc["animateur", "a_risque"]
    only = hr.jobs_at_risk(gpec, P, rules=regles, only_at_risk=True)
    assert set(only.metier) == {"jardinier", "secretaire", "comptable", "brigadier"}
    # lower threshold flags policier
    r2 = hr.jobs_at_risk(gpec, P, rules=regles, share_threshold=0.25).set_index("metier")
    assert r2.loc["policier", "risque_part_elevee"]


def test_missing_birth_month_is_not_projected(gpec, regles):
    g = gpec.copy()
    g.loc[g.matricule == "B1", "mois_naissance"] = pd.NaT
    t = hr.project_departures(g, P, horizon=3, rules=regles)
    assert _dep(t, "age_legal", 2025) == 0  # B1 no longer counted (not as "overdue" either)
    # age_legal: B2 + B3 + B4 = 3; age_observe: B2 only = 1
    assert t[t.groupe_variable == "ensemble"].departs.sum() == 4


def test_rules_must_follow_month_boundaries():
    cfg = {"ages_minimaux": [{"ne_du": "1900-01-01", "ne_au": "1961-08-15", "categorie": "sedentaire",
                              "age_annees": 62, "age_mois": 0}],
           "limites_age": [], "ages_depart_observes": {"sedentaire": 64.1, "active": 60.5}}
    with pytest.raises(ValueError, match="mois"):
        hr.load_retirement_rules(cfg)


def test_unknown_scenario(gpec, regles):
    with pytest.raises(ValueError, match="age_legal"):
        hr.project_departures(gpec, P, scenarios=["age_moyen"], rules=regles)


def _departs(valeurs, scenario="age_legal", annee0=2026):
    return pd.DataFrame({"date_extraction": pd.Timestamp("2026-11-30"), "scenario": scenario,
                         "annee": range(annee0, annee0 + len(valeurs)), "groupe_variable": "ensemble",
                         "groupe": "ensemble", "departs": pd.array(valeurs, dtype="Int64"), "masque": False})


@pytest.mark.parametrize("valeurs, attendu", [
    # No masked year: both totals published.
    ([10, 6, 7, 5, 8, 9, 6, 5, 7, 6], [36, 69]),
    # One masked year in the first five: the 5-year total would reveal it, and so would the
    # 10-year total (the last five are all published).
    ([10, 3, 7, 5, 8, 9, 6, 5, 7, 6], [None, None]),
    # Two masked years in the first five, none after: 5-year published; 10 - 5 reveals nothing
    # masked, so the 10-year total is published too.
    ([10, 3, 2, 5, 8, 9, 6, 5, 7, 6], [28, 61]),
    # None masked in the first five, one after: 5-year published, 10-year withheld (10 - 5).
    ([10, 6, 7, 5, 8, 9, 1, 5, 7, 6], [36, None]),
    # One in each block: 5-year withheld; 10-year total holds two masked years: published.
    ([10, 4, 7, 5, 8, 9, 1, 5, 7, 6], [None, 62]),
])
def test_cumulated_departures_never_reveal_a_masked_year(valeurs, attendu):
    brut = _departs(valeurs)
    masque = hr.mask_departures(brut, threshold=5, publish_whole_staff=False)
    c = hr.cumulated_departures(brut, masque, "2026-11-30")
    got = [None if m else v for v, m in zip(c.departs, c.masque)]
    assert got == attendu
    assert c.annee_fin.tolist() == [2030, 2035]


def test_pool_small_groups():
    # below 5: B (2) and C (1) pooled; 3 agents is still too few: the smallest other group (D, 7) joins
    assert hr.pool_small_groups({"A": 12, "B": 2, "C": 1, "D": 7}, 5) == {
        "A": "A", "B": hr.AUTRES, "C": hr.AUTRES, "D": hr.AUTRES}
    # a pool already large enough stays as it is
    assert hr.pool_small_groups({"A": 12, "B": 3, "C": 4}, 5) == {"A": "A", "B": hr.AUTRES, "C": hr.AUTRES}
    assert hr.pool_small_groups({"A": 12, "B": 6}, 5) == {"A": "A", "B": "B"}
    # every group pooled: the breakdown would repeat the ensemble, it is not published
    assert hr.pool_small_groups({"A": 3, "B": 4}, 5) is None
