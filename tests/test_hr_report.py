"""Report 03's French layer (ducos_lib.reports.rh) on the hand-built rosters of hr_rosters."""

from __future__ import annotations

import hr_rosters as rosters
import numpy as np
import pandas as pd
import pytest
from hr_rosters import D0, D, P

from ducos_lib import hr
from ducos_lib.reports import rh


@pytest.fixture()
def extraction():
    return rosters.extraction()


@pytest.fixture()
def historique():
    return rosters.historique()


@pytest.fixture()
def absences():
    return rosters.absences()


@pytest.fixture()
def gpec():
    return rosters.gpec()


@pytest.fixture(scope="module")
def regles():
    return hr.load_retirement_rules()


def test_masked_format():
    nb = "\u202f"
    assert rh.masked_format(1)(np.nan) == "secret (< 5)"
    assert rh.masked_format(0, short=True, threshold=3)(None) == "< 3"
    assert rh.masked_format(1, pct=True)(12.345) == f"12,3{nb}%"
    # a masked percentage is "secret", never "< 5" (it would read as "less than 5 %")
    assert rh.masked_format(1, pct=True)(np.nan) == "secret"
    assert rh.masked_format(0, pct=True, short=True)(None) == "secret"
    assert rh.masked_format(1, signed=True)(-2.5) == "−2,5"
    assert rh.masked_format(1, signed=True)(0.26) == "+0,3"
    assert rh.masked_format(1, auto=True)(264.0) == "264"
    assert rh.masked_format(1, auto=True)(44.62) == "44,6"


def test_labels():
    assert rh.group_label("statut", "contractuel_permanent") == "Contractuels permanents"
    assert rh.group_label("sexe", "F") == "Femmes"
    assert rh.group_label("categorie", "B") == "Catégorie B"
    assert rh.group_label("motif", "AT") == "Accident du travail (AT)"
    assert rh.group_label("service", "S1", {"S1": "État civil"}) == "État civil"
    assert rh.group_label("filiere", hr.NON_RENSEIGNE) == "Non renseigné"
    # indicator labels come from the registry (config/indicateurs.yml)
    assert rh.indicator_label("taux_rotation") == "Taux de rotation (%)"
    assert rh.indicator_label("obligation_boe_atteinte") == "obligation_boe_atteinte"


def test_pyramid_labels(extraction):
    p = rh.pyramid_table(hr.age_pyramid(extraction, D, mask=False))
    assert list(p.columns) == ["tranche", "age_debut", "age_fin", "sexe", "effectif", "masque"]
    assert p.tranche.iloc[0] == "25-29 ans" and p.tranche.iloc[-1] == "60-64 ans"
    # 5 agents, threshold 3: every band merged into one, open at both ends.
    assert set(rh.pyramid_table(hr.age_pyramid(extraction, D, threshold=3)).tranche) == {"tous âges"}
    assert rh.band_label(None, 24) == "moins de 25 ans" and rh.band_label(60, pd.NA) == "60 ans et plus"


def test_structure_and_evolution_tables(extraction, historique, absences):
    both = pd.concat([historique, extraction])
    t = hr.indicators_table(both, absences, mask=False)
    s = rh.structure_table(t, D, "service", service_labels={"S1": "Accueil"})
    # Present on D: S1 = A1, A2 (FTE 1 + 0,5); S2 = A3, A4, A5 (0,8 + 1 + 1).
    assert s.groupe.tolist() == ["Accueil", "S2", "Ensemble"]
    assert s.effectif.tolist() == [2, 3, 5] and s.etp.tolist() == pytest.approx([1.5, 2.8, 4.3])
    assert s.part_effectif.tolist() == pytest.approx([40, 60, 100])
    # Masked at threshold 3: S1 (2 agents) primary, S2 secondary (else 5 - 3 reveals S1).
    tm = hr.indicators_table(both, absences, threshold=3)
    sm = rh.structure_table(tm, D, "service")
    assert sm.masque.tolist() == [True, True, False]
    assert sm.effectif.isna().tolist() == [True, True, False]
    assert sm.part_effectif.isna().tolist() == [True, True, False]
    # Evolution between the two extractions, labelled by milestone.
    jalons = rh.milestone_labels(hr.milestone_extractions(both, {"T0": D0, "T6": D0, "T12": D}))
    assert list(jalons) == ["T0 (30/06/2025)", "T12 (31/12/2025)"]
    e = rh.evolution_table(t, dates=jalons, followed=("effectif", "etp")).set_index("indicateur")
    # D0: A1, A2, A3, A4, A6 present (A3 entered 2025-03-01) -> 5; D: 5.
    assert e.loc["Effectif (agents présents)"].tolist() == [5, 5, 0]
    # FTE: D0 = 1 + 0,5 + 0,8 + 1 + 0,6 = 3,9; D = 1 + 0,5 + 0,8 + 1 + 1 = 4,3.
    assert e.loc["Équivalents temps plein (ETP)"].tolist() == pytest.approx([3.9, 4.3, 0.4])
    g = rh.group_table(t, D, "statut", ("effectif", "taux_absenteisme"))
    # Non-permanent agents have no absenteeism rate (missing, not 0).
    assert g.set_index("groupe").loc["Contractuels non permanents", "taux_absenteisme"] != 0
    assert np.isnan(g.set_index("groupe").loc["Contractuels non permanents", "taux_absenteisme"])
    m = rh.absence_by_reason(t, D)
    assert m.motif.iloc[0] == "MAT" and m.taux.sum() == pytest.approx(8200 / 1460)


def _departs(valeurs, scenario="age_legal", annee0=2026):
    return pd.DataFrame({"date_extraction": pd.Timestamp("2026-11-30"), "scenario": scenario,
                         "annee": range(annee0, annee0 + len(valeurs)), "groupe_variable": "ensemble",
                         "groupe": "ensemble", "departs": pd.array(valeurs, dtype="Int64"), "masque": False})


def test_key_findings(extraction, historique, absences):
    t = hr.indicators_table(pd.concat([historique, extraction]), absences, mask=False)
    brut = pd.concat([_departs([10, 6, 7, 5, 8, 9, 6, 5, 7, 6]),
                      _departs([8, 6, 7, 5, 8, 9, 6, 5, 7, 6], "age_observe")])
    cumuls = hr.cumulated_departures(brut, hr.mask_departures(brut, threshold=5), "2026-11-30")
    metiers = pd.DataFrame({"metier": ["a", "b"], "a_risque": [True, True],
                            "risque_agent_unique": [True, False]})
    phrases = rh.key_findings(t, D, cumulated=cumuls, jobs=metiers, previous_date=D0)
    texte = " ".join(phrases)
    assert phrases[0].startswith("Au 31/12/2025, la commune compte 5 agents (4,3 équivalents temps plein)")
    assert "dont 60\u202f% de femmes" in phrases[0] and "stable depuis le 30/06/2025" in phrases[0]
    assert "5,6\u202f%" in texte  # absenteeism 8200 / 1460 = 5,62 %
    assert "D'ici fin 2030, 36 agents pourraient partir" in texte and "34 si chacun" in texte
    assert "2 métiers sont signalés" in texte and "dont 1 tenu par un seul agent" in texte
    # Masked figures are left out, never guessed.
    tm = t.assign(masque=True, valeur=np.nan)
    assert rh.key_findings(tm, D) == ["Aucune donnée RH publiable au 31/12/2025."]


def test_jobs_at_risk_reasons_and_display(gpec, regles):
    r = rh.jobs_at_risk_table(hr.jobs_at_risk(gpec, P, rules=regles, mask=True, threshold=3))
    assert list(r.columns) == ["metier", "effectif", "departs_fenetre", "part_departs_fenetre", "departs_horizon",
                               "risque_part_elevee", "risque_agent_unique", "a_risque", "motif", "masque"]
    reasons = r.set_index("metier")["motif"]
    assert reasons["brigadier"] == "métier tenu par un seul agent, qui part dans les 10 ans"
    assert reasons["jardinier"] == "au moins 30 % des agents partent dans les 5 ans"
    assert reasons["secretaire"] == ("au moins 30 % des agents partent dans les 5 ans ; "
                                     "métier tenu par un seul agent, qui part dans les 10 ans")
    v = rh.jobs_at_risk_view(r).set_index("metier")
    # secretaire: one agent, both reasons; only the single-holder one is shown, and no count.
    assert v.loc["secretaire", "motif"] == "Métier tenu par un seul agent, qui part dans les 10 ans"
    assert np.isnan(v.loc["secretaire", "effectif"]) and np.isnan(v.loc["secretaire", "departs_fenetre"])
    assert "policier" not in v.index
    # policier: 4 agents (published at threshold 3), 1 departure within 5 years: masked count.
    assert r.set_index("metier").loc["policier", "effectif"] == 4
    assert pd.isna(r.set_index("metier").loc["policier", "departs_fenetre"])
    assert pd.isna(r.set_index("metier").loc["policier", "part_departs_fenetre"])
    # Split for the report: several-agent métiers vs single-holder métiers.
    assert set(rh.jobs_at_risk_view(r, reason="part_elevee").metier) == {"jardinier"}
    assert set(rh.jobs_at_risk_view(r, reason="agent_unique").metier) == {"secretaire", "comptable", "brigadier"}
    with pytest.raises(ValueError, match="agent_unique"):
        rh.jobs_at_risk_view(r, reason="autre")


def test_inferred_rules_sentence_masks_small_counts(gpec, regles):
    # One active fonctionnaire of the roster falls on an « infere » row: fewer than the threshold.
    assert hr.inferred_rule_count(gpec, P, rules=regles) == 1
    assert rh.inferred_rules_sentence(1, threshold=3).startswith(
        "Moins de 3 agents présents relèvent d'une ligne « inférée »")
    g = gpec.copy()
    police = g.matricule.isin(["B8", "B9"])
    g.loc[police, "mois_naissance"] = pd.Timestamp("1971-05-01")  # active, inferred row
    g.loc[police, "date_entree"] = pd.Timestamp("1995-01-01")     # 17 years of active service
    assert hr.inferred_rule_count(g, P, rules=regles) == 3
    assert rh.inferred_rules_sentence(3, threshold=3).startswith("3 agents présents")
    sans = gpec[gpec.categorie_active == False]  # noqa: E712
    assert hr.inferred_rule_count(sans, P, rules=regles) == 0
    assert rh.inferred_rules_sentence(0).startswith("Aucun agent présent")
