"""Quality ↔ performance (ducos_lib.linkage): panel builder, Spearman/bootstrap/permutation, BH,
mixed model, words. Synthetic data built here; the committed sample is tested end to end when present."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ducos_lib import linkage as L
from ducos_lib.hr import indicateurs_rh, masquer_indicateurs

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "sample"

N_SERVICES = 15
RAPIDE = {"n_bootstrap": 1000, "n_permutations": 1000, "graine": 12345}


# ---------------------------------------------------------------------------------------------
# A synthetic cross-section: absenteeism ↓ satisfaction planted; training ⟂ immersion ratings
# ---------------------------------------------------------------------------------------------

def _section(graine: int = 7, n: int = N_SERVICES, effet: float = -0.12) -> pd.DataFrame:
    rng = np.random.default_rng(graine)
    absent = rng.uniform(2, 14, n)
    formation = rng.uniform(5, 40, n)
    # Independent pair, by construction: immersion ratings ordered by a random permutation whose
    # rank correlation with training is close to zero (drawn until |rho| < 0.1, deterministic).
    notes = np.sort(rng.uniform(2, 5, n))
    while True:
        candidat = notes[rng.permutation(n)]
        if abs(stats.spearmanr(candidat, formation).statistic) < 0.1:
            break
    return pd.DataFrame({
        "code_service": [f"S{i:02d}" for i in range(n)],
        "satisfaction_globale_moyenne": 4.6 + effet * absent + rng.normal(0, 0.25, n),
        "note_immersion_moyenne": candidat,
        "taux_absenteisme": absent,
        "heures_formation_par_agent": formation,
    })


@pytest.fixture(scope="module")
def section() -> pd.DataFrame:
    return _section()


@pytest.fixture(scope="module")
def resultats(section) -> pd.DataFrame:
    return L.correlations_qualite_rh(
        section, qualite=["satisfaction_globale_moyenne", "note_immersion_moyenne"],
        rh=["taux_absenteisme", "heures_formation_par_agent"], **RAPIDE)


def _ligne(res: pd.DataFrame, q: str, r: str) -> pd.Series:
    return res[(res["indicateur_qualite"] == q) & (res["indicateur_rh"] == r)].iloc[0]


def test_planted_relation_recovered(resultats):
    l = _ligne(resultats, "satisfaction_globale_moyenne", "taux_absenteisme")
    assert l["rho"] < -0.5
    assert l["ic_haut"] < 0 and l["ic_bas"] <= l["rho"] <= l["ic_haut"]
    assert l["p_ajustee"] < 0.05 and l["significatif"]
    assert l["n_services"] == N_SERVICES


def test_independent_pair_not_significant(resultats):
    l = _ligne(resultats, "note_immersion_moyenne", "heures_formation_par_agent")
    assert abs(l["rho"]) < 0.4
    assert l["p_ajustee"] >= 0.05 and not l["significatif"]
    assert l["ic_bas"] < 0 < l["ic_haut"]


def test_table_has_exact_section4_columns(resultats):
    t = L.tableau_qualite_performance(resultats)
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
    assert L.spearman(x, y) == pytest.approx(attendu, abs=1e-12)
    c = L.correlation_spearman(x, y, n_bootstrap=200, n_permutations=200, graine=1)
    assert c.rho == pytest.approx(attendu, abs=1e-12) and c.n == ok.sum()


def test_reproducible_for_a_seed_and_different_for_another(section):
    x, _y = section["taux_absenteisme"], section["satisfaction_globale_moyenne"]
    z = section["note_immersion_moyenne"]
    a = L.correlation_spearman(x, z, n_bootstrap=500, n_permutations=500, graine=1, cle="k")
    b = L.correlation_spearman(x, z, n_bootstrap=500, n_permutations=500, graine=1, cle="k")
    c = L.correlation_spearman(x, z, n_bootstrap=500, n_permutations=500, graine=2, cle="k")
    assert a == b
    assert (a.ic_bas, a.ic_haut) != (c.ic_bas, c.ic_haut)
    assert a.p_valeur != c.p_valeur
    assert a.rho == c.rho
    # The whole table too.
    opts = {"qualite": ["satisfaction_globale_moyenne", "note_immersion_moyenne"],
            "rh": ["taux_absenteisme"], "n_bootstrap": 300, "n_permutations": 300}
    t1 = L.correlations_qualite_rh(section, graine=5, **opts)
    t2 = L.correlations_qualite_rh(section, graine=5, **opts)
    t3 = L.correlations_qualite_rh(section, graine=6, **opts)
    pd.testing.assert_frame_equal(t1, t2)
    assert not t1[["ic_bas", "ic_haut", "p_valeur"]].equals(t3[["ic_bas", "ic_haut", "p_valeur"]])
    # A pair's draws do not depend on the other pairs analysed.
    seule = L.correlations_qualite_rh(section, graine=5, **{**opts, "qualite": ["note_immersion_moyenne"]})
    assert seule.iloc[0]["ic_bas"] == t1.iloc[1]["ic_bas"]


def test_permutation_p_value_formula():
    # Perfect monotone relation on 6 services: only permutations as extreme as the identity or its
    # reverse reach |rho| = 1; p = (count + 1) / (P + 1) is never zero.
    x = np.arange(6.0)
    c = L.correlation_spearman(x, x ** 2, n_bootstrap=100, n_permutations=999, graine=3)
    assert c.rho == 1.0
    assert 1 / 1000 <= c.p_valeur < 0.02
    assert (c.p_valeur * 1000) == pytest.approx(round(c.p_valeur * 1000))


def test_bca_interval():
    s = _section(3)
    c = L.correlation_spearman(s["taux_absenteisme"], s["satisfaction_globale_moyenne"],
                               n_bootstrap=800, n_permutations=100, graine=4, methode_ic="bca")
    assert c.methode_ic == "bca" and c.ic_bas < c.rho < c.ic_haut < 0
    with pytest.raises(ValueError, match="percentile, bca"):
        L.correlation_spearman([1, 2, 3], [1, 2, 3], methode_ic="studentise")


def test_too_few_services_give_nan():
    c = L.correlation_spearman([1, 2, np.nan], [3, 1, 2], n_bootstrap=10, n_permutations=10, graine=1)
    assert c.n == 2 and np.isnan(c.rho) and np.isnan(c.p_valeur)
    df = pd.DataFrame({"a": [1.0, 2, 3, 4, np.nan, np.nan], "taux_absenteisme": [1.0, 3, 2, 4, 5, 6]})
    r = L.correlations_qualite_rh(df, qualite=["a"], rh=["taux_absenteisme"], n_min=5, **RAPIDE)
    assert r.iloc[0]["n_services"] == 4 and np.isnan(r.iloc[0]["rho"]) and np.isnan(r.iloc[0]["p_ajustee"])


def test_benjamini_hochberg_by_hand():
    p = [0.01, 0.04, 0.03, 0.005, np.nan]
    # sorted: 0.005 (i=1), 0.01 (2), 0.03 (3), 0.04 (4); m = 4
    # raw m*p/i: 0.02, 0.02, 0.04, 0.04 → step-up minimum from the top: 0.02, 0.02, 0.04, 0.04
    attendu = [0.02, 0.04, 0.04, 0.02, np.nan]
    np.testing.assert_allclose(L.ajuster_bh(p), attendu, equal_nan=True)
    # A case where the step-up minimum matters: 0.02*3/2 = 0.03 > 0.025*3/3 = 0.025.
    np.testing.assert_allclose(L.ajuster_bh([0.02, 0.025, 0.001]), [0.025, 0.025, 0.003])
    np.testing.assert_allclose(L.ajuster_bh([0.9, 0.8]), [0.9, 0.9])
    assert np.isnan(L.ajuster_bh([np.nan])).all()


@pytest.mark.parametrize("rho,mot", [(0.05, "négligeable"), (-0.2, "faible"), (0.3, "modérée"),
                                     (-0.49, "modérée"), (0.5, "forte"), (-0.9, "forte"),
                                     (np.nan, "non calculable")])
def test_effect_size_words(rho, mot):
    assert L.taille_effet(rho) == mot


def test_sentences(resultats):
    l = _ligne(resultats, "satisfaction_globale_moyenne", "taux_absenteisme")
    phrase = L.phrase_constat(l)
    assert phrase.startswith("Plus le taux d'absentéisme d'un service est élevé, plus la "
                             "satisfaction globale de ses usagers est basse (rho = \u2212")
    assert "IC 95" in phrase and "15 services" in phrase and "résiste" in phrase
    cles = L.constats_cles(resultats, n=2)
    assert cles[0] == phrase
    rien = resultats.assign(p_ajustee=0.5)
    assert L.constats_cles(rien)[0].startswith("Aucune des 4 corrélations")
    txt = L.avertissement_methodologique(15, 3)
    for mot in ("15 services", "écologique", "cause", "3 jalons"):
        assert mot in txt


# ---------------------------------------------------------------------------------------------
# Mixed model across milestones
# ---------------------------------------------------------------------------------------------

def _panel_long(n_jalons: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    base = rng.normal(0, 0.3, N_SERVICES)
    morceaux = []
    for j in range(n_jalons):
        s = _section(20 + j)
        s["satisfaction_globale_moyenne"] += base
        s["jalon"] = f"T{6 * j}"
        morceaux.append(s)
    return pd.concat(morceaux, ignore_index=True)


def test_mixed_model_recovers_sign():
    d = _panel_long()
    r = L.modele_mixte(d, paires=[("satisfaction_globale_moyenne", "taux_absenteisme"),
                                  ("note_immersion_moyenne", "heures_formation_par_agent")])
    assert list(r.columns) == L.COLONNES_MODELE_MIXTE
    a, b = r.iloc[0], r.iloc[1]
    assert a["n_jalons"] == 3 and a["n_services"] == N_SERVICES and a["n_observations"] == 45
    assert a["coefficient"] < 0 and a["ic_haut"] < 0 and a["p_valeur"] < 0.05 and a["converge"]
    assert b["ic_bas"] < 0 < b["ic_haut"] or b["p_valeur"] >= 0.05


def test_mixed_model_fails_gracefully():
    d = _panel_long(1)
    r = L.modele_mixte(d, paires=[("satisfaction_globale_moyenne", "taux_absenteisme")])
    assert not r.iloc[0]["converge"] and "deux jalons" in r.iloc[0]["message"]
    d = _panel_long(2).assign(taux_absenteisme=3.0)
    r = L.modele_mixte(d, paires=[("satisfaction_globale_moyenne", "taux_absenteisme")])
    assert not r.iloc[0]["converge"] and "constante" in r.iloc[0]["message"]
    with pytest.raises(ValueError, match="paires"):
        L.modele_mixte(d)


# ---------------------------------------------------------------------------------------------
# Panel builder on small processed DataFrames
# ---------------------------------------------------------------------------------------------

D_T0, D_T6 = pd.Timestamp("2026-01-15"), pd.Timestamp("2026-07-15")
EFFECTIFS = {"S01": 8, "S02": 2, "S03": 6, "S04": 7, "S05": 9}


def _agents() -> pd.DataFrame:
    lignes = []
    for ext in (pd.Timestamp("2026-01-10"), pd.Timestamp("2026-07-10")):
        for s, n in EFFECTIFS.items():
            for i in range(n):
                lignes.append({"matricule": f"P{s}{i:02d}", "sexe": "F" if i % 2 else "H",
                               "mois_naissance": pd.Timestamp("1980-03-01"), "service": s,
                               "statut": "titulaire", "categorie": "C", "filiere": "administrative",
                               "metier": "agent", "date_entree": pd.Timestamp("2015-01-01"),
                               "date_sortie": pd.NaT, "quotite": 100.0, "categorie_active": False,
                               "encadrant": i == 0, "boe": False,
                               "heures_formation": float(3 * i), "date_extraction": ext})
    return pd.DataFrame(lignes)


def _absences() -> pd.DataFrame:
    return pd.DataFrame({"matricule": ["PS0100", "PS0201", "PS0300", "PS0102"],
                         "motif": ["MO", "MO", "AT", "MO"],
                         "date_debut": pd.to_datetime(["2025-05-01", "2025-06-01", "2025-09-01",
                                                       "2026-03-01"]),
                         "date_fin": pd.to_datetime(["2025-05-20", "2025-06-30", "2025-09-05",
                                                     "2026-03-10"])})


def _estimations() -> pd.DataFrame:
    lignes = []
    for vague in ("T0", "T6"):
        for s, n, est in (("S01", 40, 3.8), ("S02", 6, 2.1), ("S03", 25, 3.1), ("S05", 55, 4.0)):
            for ind, v in (("satisfaction_globale_moyenne", est), ("satisfaction_globale_satisfaits", est / 5)):
                lignes.append({"vague": vague, "indicateur": ind, "groupe_variable": "service",
                               "groupe": s, "estimation": v + (0.1 if vague == "T6" else 0),
                               "erreur_type": 0.1, "ic_bas": v - 0.2, "ic_haut": v + 0.2,
                               "n_repondants": n})
        lignes.append({"vague": vague, "indicateur": "satisfaction_globale_moyenne",
                       "groupe_variable": "ensemble", "groupe": "ensemble", "estimation": 3.5,
                       "erreur_type": 0.05, "ic_bas": 3.4, "ic_haut": 3.6, "n_repondants": 300})
    return pd.DataFrame(lignes)


def _fiches() -> pd.DataFrame:
    return pd.DataFrame({
        "id_fiche": ["F1", "F2", "F3", "F4"],
        "date_immersion": pd.to_datetime(["2025-12-01", "2026-01-10", "2026-03-01", "2025-12-05"]),
        "type_immersion": ["inter", "intra", "inter", "inter"],
        "service_accueil": ["S01", "S01", "S01", "S03"],
        "id_accueilli": ["PS0300", "PS0101", "PS0400", "PS0100"],
        "note_accueil_usagers": [4.0, 2.0, 1.0, np.nan],
        "note_organisation_travail": [5.0, np.nan, 1.0, np.nan],
    })


def _indicateurs() -> pd.DataFrame:
    return pd.DataFrame({"code_service": ["S01", "S01", "S01", "S03"],
                         "periode": ["2025-02", "2025-06", "2026-01", "2024-12"],
                         "indicateur": ["delai_traitement"] * 4,
                         "valeur": [10.0, 20.0, 30.0, 99.0]})


def _autoevaluations() -> pd.DataFrame:
    return pd.DataFrame({"id_cadre": ["PS0100"] * 4 + ["PS0300"] * 2,
                         "temps": ["avant", "apres", "avant", "apres", "avant", "apres"],
                         "date": pd.to_datetime(["2026-02-01", "2026-06-01"] * 3),
                         "competence": ["ecoute", "ecoute", "delegation", "delegation", "ecoute", "ecoute"],
                         "note": [2.0, 4.0, 3.0, 3.0, 1.0, 4.0]})


@pytest.fixture(scope="module")
def panel() -> L.PanelServices:
    services = pd.DataFrame({"code_service": list(EFFECTIFS) + ["S06"],
                             "libelle": [f"Service {s}" for s in list(EFFECTIFS) + ["S06"]]})
    return L.panel_services({"T0": D_T0, "T6": D_T6}, services=services, estimations=_estimations(),
                            fiches_immersion=_fiches(), indicateurs_services=_indicateurs(),
                            rh_agents=_agents(), rh_absences=_absences(),
                            autoevaluations=_autoevaluations(), seuil_enquete=10, seuil_agents=5)


def test_panel_shape_and_columns(panel):
    d = panel.to_frame()
    assert len(d) == 2 * 6 and list(d["jalon"].unique()) == ["T0", "T6"]
    assert list(d.columns[:4]) == ["jalon", "date_jalon", "code_service", "libelle"]
    assert panel.qualite == ("satisfaction_globale_moyenne", "satisfaction_globale_satisfaits",
                             "note_immersion_moyenne", "indicateur_delai_traitement")
    assert panel.rh == L.MESURES_RH
    assert not d.duplicated(["jalon", "code_service"]).any()


def test_survey_below_threshold_is_nan(panel):
    t0 = panel.jalon("T0").set_index("code_service")
    assert t0.loc["S01", "satisfaction_globale_moyenne"] == pytest.approx(3.8)
    assert np.isnan(t0.loc["S02", "satisfaction_globale_moyenne"])       # 6 respondents < 10
    assert np.isnan(t0.loc["S02", "satisfaction_globale_satisfaits"])
    assert t0.loc["S02", "n_repondants"] == 6
    assert panel.jalon("T6").set_index("code_service").loc["S01", "satisfaction_globale_moyenne"] \
        == pytest.approx(3.9)


def test_missing_measures_stay_missing(panel):
    t0 = panel.jalon("T0").set_index("code_service")
    # S04: no survey row; S06: in services.csv but no data at all.
    assert t0.loc["S04", ["satisfaction_globale_moyenne", "n_repondants",
                          "note_immersion_moyenne"]].isna().all()
    assert t0.loc["S06", list(panel.qualite) + list(panel.rh)].isna().all()
    assert np.isnan(t0.loc["S01", "progression_autoevaluation"])  # self-evaluations after T0


def test_immersion_and_indicator_windows(panel):
    t0 = panel.jalon("T0").set_index("code_service")
    t6 = panel.jalon("T6").set_index("code_service")
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
    agents = _agents()
    ext = agents[agents["date_extraction"] == pd.Timestamp("2026-01-10")]
    attendu = indicateurs_rh(ext, _absences(), "2026-01-10", ventilations=("service",))
    t0 = panel.jalon("T0").set_index("code_service")
    for s in EFFECTIFS:
        row = attendu[(attendu["indicateur"] == "taux_absenteisme") & (attendu["groupe"] == s)].iloc[0]
        assert t0.loc[s, "taux_absenteisme"] == pytest.approx(row["valeur"])
        assert t0.loc[s, "effectif_absenteisme"] == row["effectif"]
    assert t0.loc["S02", "taux_absenteisme"] > 0  # kept internally although about 2 agents
    assert t0.loc["S01", "heures_formation_par_agent"] == pytest.approx(3 * sum(range(8)) / 8)
    assert (t0.loc[list(EFFECTIFS), "date_extraction"] == pd.Timestamp("2026-01-10")).all()
    assert (panel.jalon("T6")["date_extraction"].dropna() == pd.Timestamp("2026-07-10")).all()


def test_published_panel_masks_small_agent_services(panel):
    pub = panel.publiable("T0").set_index("code_service")
    interne = panel.jalon("T0").set_index("code_service")
    for c in ("taux_absenteisme", "effectif_absenteisme", "taux_rotation", "heures_formation_par_agent",
              "effectif"):
        assert np.isnan(pub.loc["S02", c]) and not np.isnan(interne.loc["S02", c])
    # Secondary masking, as in rh_indicateurs.csv: the next smallest service (S03, 6 agents) too.
    agents = _agents()
    ext = agents[agents["date_extraction"] == pd.Timestamp("2026-01-10")]
    t = indicateurs_rh(ext, _absences(), "2026-01-10", ventilations=("service",))
    m = masquer_indicateurs(t, 5)
    masques_hr = set(m[(m["indicateur"] == "taux_absenteisme") & (m["groupe_variable"] == "service")
                       & m["masque"]]["groupe"])
    assert masques_hr == {"S02", "S03"}
    assert set(pub.index[pub["taux_absenteisme"].isna()]) - {"S06"} == masques_hr
    # Self-evaluation progress: 1 manager per service < 5 → never published row-wise.
    t6 = panel.jalon("T6").set_index("code_service")
    assert t6.loc["S01", "progression_autoevaluation"] == pytest.approx(1.0)   # (2 + 0) / 2
    assert t6.loc["S03", "progression_autoevaluation"] == pytest.approx(3.0)
    assert panel.publiable("T6")["progression_autoevaluation"].isna().all()
    # Quality measures are not touched by the agent masking.
    assert pub.loc["S01", "satisfaction_globale_moyenne"] == pytest.approx(3.8)


def test_panel_feeds_statistics(panel):
    r = L.correlations_qualite_rh(panel, n_min=3, **RAPIDE)
    assert len(r) == len(panel.qualite) * len(panel.rh)
    assert list(L.tableau_qualite_performance(r).columns) == L.COLONNES_QUALITE_PERFORMANCE
    mm = L.modele_mixte(panel, n_min_services=3)
    assert len(mm) == len(r) and mm["message"].map(type).eq(str).all()


def test_survey_part_accepts_only_service_rows():
    e = L.mesures_enquete(_estimations(), "T0", seuil_masquage=10)
    assert list(e.columns) == ["satisfaction_globale_moyenne", "satisfaction_globale_satisfaits",
                               "n_repondants"]
    assert "ensemble" not in e.index and set(e.index) == {"S01", "S02", "S03", "S05"}
    assert L.mesures_enquete(None, "T0").empty
    assert L.mesures_enquete(_estimations(), "T12").empty


def test_unknown_milestone_and_empty_inputs():
    p = L.panel_services({"T0": D_T0}, services=pd.DataFrame({"code_service": ["A"], "libelle": ["a"]}))
    assert len(p.donnees) == 1 and p.donnees[list(p.qualite) + list(p.rh)].isna().all(axis=None)
    with pytest.raises(ValueError, match="absent du panel"):
        p.jalon("T12")


# ---------------------------------------------------------------------------------------------
# The committed sample (when it is there): the planted relation of ducos_lib.synthetic
# ---------------------------------------------------------------------------------------------

@pytest.mark.skipif(not (SAMPLE / "calendrier.csv").exists(), reason="échantillon absent")
def test_sample_data_end_to_end(isolated_env):
    from ducos_lib.ingest import load_milestone

    data = load_milestone("T12", SAMPLE)
    panel = L.panel_depuis_jalon(data)
    assert set(panel.jalons) == set(data.waves)
    res = L.correlations_qualite_rh(panel)
    t = L.tableau_qualite_performance(res)
    assert list(t.columns) == L.COLONNES_QUALITE_PERFORMANCE and len(t)
    # Planted in ducos_lib.synthetic: absenteeism ↓ satisfaction; training hours independent.
    plante = _ligne(res, "satisfaction_globale_moyenne", "taux_absenteisme")
    assert plante["rho"] < 0 and plante["p_ajustee"] < 0.05
    assert _ligne(res, "satisfaction_globale_moyenne", "heures_formation_par_agent")["p_ajustee"] >= 0.05
    pub = panel.publiable()
    petits = panel.donnees["effectif_absenteisme"] < panel.seuil_agents
    assert pub.loc[petits, "taux_absenteisme"].isna().all()
    assert os.environ["DUCOS_PROCESSED_DIR"].startswith(str(isolated_env))


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------

def test_charts(resultats, section, panel):
    import matplotlib.pyplot as plt

    from ducos_lib.reports import charts

    fig = charts.correlation_heatmap(resultats)
    textes = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("\u2212") and t.endswith("*") for t in textes)  # the planted pair
    assert sum(t.endswith("*") for t in textes) == int(resultats["significatif"].sum())
    plt.close(fig)
    fig = charts.service_scatter(panel.publiable("T0"), "taux_absenteisme", "satisfaction_globale_moyenne")
    labels = {t.get_text() for t in fig.axes[0].texts}
    assert "S01" in labels and "S02" not in labels  # S02: masked absenteeism and survey
    assert "non représentés" in fig.texts[-1].get_text()
    plt.close(fig)


# ---------------------------------------------------------------------------------------------
# Report helpers (notebook 04_qualite_performance)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("nom, valeur, masque, attendu", [
    ("satisfaction_globale_satisfaits", 0.625, False, "62,5\u202f%"),
    ("taux_absenteisme", 4.44, False, "4,4\u202f%"),
    ("indicateur_taux_decroche", 85.71, False, "85,7\u202f%"),
    ("satisfaction_globale_moyenne", 3.7122, False, "3,71"),
    ("progression_autoevaluation", -0.25, False, "\u22120,25"),
    ("effectif", 14.0, False, "14"),
    ("indicateur_reclamations", 5.36, False, "5,4"),
    ("taux_absenteisme", 4.44, True, "secret"),
    ("taux_absenteisme", np.nan, False, "–"),
])
def test_format_mesure(nom, valeur, masque, attendu):
    assert L.format_mesure(nom, valeur, masque=masque) == attendu


def test_p_egal_never_equals_less_than():
    assert L.p_egal("p ajustée", 0.0211) == "p ajustée = 0,021"
    assert L.p_egal("p", 1e-9) == "p <\u202f0,001"


def test_panel_display_shows_secret_not_values(panel):
    for partie in ("qualite", "rh"):
        t = L.panel_affichage(panel, "T0", partie=partie)
        assert list(t.columns)[0] == "Service" and len(t) == len(panel.jalon("T0"))
        assert all(isinstance(v, str) for v in t.to_numpy().ravel())
    rh = L.panel_affichage(panel, "T0", partie="rh").set_index("Service")
    pub = panel.publiable("T0")
    masques = panel.masques.loc[(panel.donnees["jalon"] == "T0").to_numpy()].reset_index(drop=True)
    col = L.libelle_mesure("taux_absenteisme")
    interne = panel.jalon("T0")
    for i, (m, v) in enumerate(zip(masques["taux_absenteisme"], interne["taux_absenteisme"])):
        texte = rh[col].iloc[i]
        if m:
            assert texte == "secret"
        elif pd.isna(v):
            assert texte == "–"
        else:
            assert texte == L.format_mesure("taux_absenteisme", pub["taux_absenteisme"].iloc[i])
    assert masques["taux_absenteisme"].any()  # the fixture has a small service
    with pytest.raises(ValueError, match="qualite, rh"):
        L.panel_affichage(panel, partie="autre")


def test_coverage_and_masking_note(panel):
    c = L.couverture_mesures(panel, "T0")
    assert list(c.columns) == ["famille", "mesure", "services_avec_valeur", "services_non_publies"]
    assert len(c) == len(panel.qualite) + len(panel.rh)
    assert (c["services_non_publies"] <= c["services_avec_valeur"]).all()
    note = L.note_masquage(panel, "T0")
    assert note is None or "moins de" in note


def test_report_sentences(resultats):
    synth = L.constat_synthese(resultats)
    k = int(resultats["significatif"].sum())
    assert k >= 1
    assert synth.startswith("4 paires") and f"{k} reste{'nt' if k > 1 else ''} significative" in synth
    sans = L.constat_sans_lien(resultats, "note_immersion_moyenne")
    assert sans.startswith("En revanche") and "heures de formation" in sans and "ses usagers" not in sans
    assert L.constat_sans_lien(resultats.assign(p_ajustee=0.001), "satisfaction_globale_moyenne") is None
    l = _ligne(resultats, "satisfaction_globale_moyenne", "taux_absenteisme")
    assert "significative après ajustement" in L.legende_paire(l)
    alt = L.alt_heatmap(resultats, "T6")
    assert "T6" in alt and f"{k} case{'s' if k > 1 else ''} marquée" in alt
    assert L.libelle_mesure("taux_absenteisme") in alt
    assert "aucune corrélation" in L.alt_heatmap(resultats.assign(p_ajustee=0.5), "T6").lower()
    txt = L.avertissement_methodologique(15, 1, n_tests=4)
    assert "4 paires" in txt and "Benjamini" in txt and "jalons" not in txt


def test_scatter_alt_text_names_extreme_services(section, resultats):
    pub = section.assign(libelle=[f"Service {c}" for c in section["code_service"]])
    l = _ligne(resultats, "satisfaction_globale_moyenne", "taux_absenteisme")
    alt = L.alt_nuage(pub, l)
    haut = pub.loc[pub["taux_absenteisme"].idxmax(), "libelle"]
    bas = pub.loc[pub["taux_absenteisme"].idxmin(), "libelle"]
    assert "Tendance descendante" in alt and haut in alt and bas in alt and "15 représentés" in alt


def test_display_tables(resultats):
    t = L.tableau_correlations_affichage(resultats)
    assert len(t) == len(resultats) and t.iloc[0]["Significatif après ajustement"] == "oui"
    assert t.iloc[0]["rho"].startswith("\u2212")
    assert L.definition_mesure("taux_absenteisme").startswith("Jours d'absence")


def test_mixed_model_sentences_and_by_milestone():
    d = _panel_long()
    r = L.modele_mixte(d, paires=[("satisfaction_globale_moyenne", "taux_absenteisme"),
                                  ("note_immersion_moyenne", "heures_formation_par_agent")])
    p0 = L.phrase_modele_mixte(r.iloc[0])
    assert "se confirme" in p0 and "plus basse" in p0 and "à le" not in p0 and "= <" not in p0
    t = L.tableau_modele_mixte_affichage(r)
    assert t.iloc[0]["Mesures (services × jalons)"] == f"45 ({N_SERVICES} × 3)" and t.iloc[0]["Convergence"] == "oui"
    echec = L.modele_mixte(_panel_long(1), paires=[("satisfaction_globale_moyenne", "taux_absenteisme")])
    assert "deux jalons" in L.phrase_modele_mixte(echec.iloc[0])


def test_correlations_by_milestone(panel):
    paires = [("note_immersion_moyenne", "taux_absenteisme")]
    par = L.correlations_par_jalon(panel, paires, **RAPIDE)
    assert list(par["jalon"]) == panel.jalons and par.columns[0] == "jalon"
    t = L.tableau_correlations_par_jalon(par)
    assert list(t.columns) == ["Mesure de qualité", "Indicateur RH", *panel.jalons] and len(t) == 1


def test_labelled_scatter_keeps_labels_apart():
    import matplotlib.pyplot as plt

    from ducos_lib.reports import charts

    # Five services crowded at one spot: their labels must end up not overlapping.
    pub = pd.DataFrame({"libelle": [f"Service numéro {i}" for i in range(5)],
                        "taux_absenteisme": [5.0, 5.05, 5.1, 5.0, 9.0],
                        "satisfaction_globale_satisfaits": [0.6, 0.61, 0.6, 0.62, 0.3]})
    fig = charts.pair_scatter(pub, "taux_absenteisme", "satisfaction_globale_satisfaits")
    ax = fig.axes[0]
    fig.canvas.draw()
    rendu = fig.canvas.get_renderer()
    boites = [t.get_window_extent(rendu) for t in ax.texts]
    assert len(boites) == 5
    for i in range(5):
        for j in range(i + 1, 5):
            assert not boites[i].overlaps(boites[j])
    assert ax.get_yticklabels()[1].get_text().endswith("%")
    plt.close(fig)
