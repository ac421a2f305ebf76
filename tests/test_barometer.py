"""Staff barometer: a census with non-response, weighted by direction against the HR headcount."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ducos_lib import barometer as b


def answers(wave: str, a: list, bb: list) -> pd.DataFrame:
    rows = [(wave, "Direction A", v) for v in a] + [(wave, "Direction B", v) for v in bb]
    frame = pd.DataFrame(rows, columns=["vague", "direction", "sens_travail"])
    for item in b.ITEMS[1:]:
        frame[item] = np.nan
    return frame


HEADCOUNT = pd.Series({"Direction A": 4, "Direction B": 10})


def test_stratified_estimate_with_finite_population_correction():
    # Hand computation: weights N_h / n_h = 2 and 2; mean = (4 x 4.5 + 10 x 3.0) / 14 = 3.428571;
    # V = sum (N_h/N)^2 (1 - n_h/N_h) s_h^2 / n_h = (4/14)^2 0.5 0.5/2 + (10/14)^2 0.5 2.5/5 = 0.137755.
    est = b.estimations(answers("T0", [5, 4], [1, 2, 4, 5, 3]), {"T0": HEADCOUNT})
    whole = est[est["groupe_variable"] == "ensemble"].set_index("indicateur")
    mean = whole.loc["barometre_sens_travail_moyenne"]
    assert mean["estimation"] == pytest.approx(48 / 14)
    assert mean["erreur_type"] == pytest.approx(math.sqrt(0.137755), rel=1e-5)
    assert mean["n_repondants"] == 7
    assert whole.loc["barometre_sens_travail_favorables", "estimation"] == pytest.approx(8 / 14)
    # Direction A (2 answers) is never shown; direction B is, as a domain.
    assert set(est.loc[est["groupe_variable"] == "direction", "groupe"]) == {"Direction B"}
    b_mean = est[(est["groupe"] == "Direction B") & (est["indicateur"] == "barometre_sens_travail_moyenne")].iloc[0]
    assert b_mean["estimation"] == pytest.approx(3.0)
    assert b_mean["erreur_type"] == pytest.approx(math.sqrt(0.5 * 2.5 / 5))


def test_a_direction_that_answered_in_full_has_no_sampling_error():
    est = b.estimations(answers("T0", [], [1, 2, 4, 5, 3, 3, 3, 2, 5, 4]), {"T0": HEADCOUNT.drop("Direction A")})
    row = est[(est["groupe_variable"] == "ensemble") & (est["indicateur"] == "barometre_sens_travail_moyenne")]
    assert row["erreur_type"].iloc[0] == pytest.approx(0.0, abs=1e-12)


def test_comparisons_between_waves_are_adjusted():
    frame = pd.concat([answers("T0", [5, 4], [1, 2, 4, 5, 3]), answers("T12", [5, 5], [4, 4, 4, 5, 3])])
    est = b.estimations(frame, {"T0": HEADCOUNT, "T12": HEADCOUNT})
    comp = b.comparisons(est)
    whole = comp[(comp["groupe_variable"] == "ensemble")].set_index("indicateur")
    row = whole.loc["barometre_sens_travail_moyenne"]
    t0 = est[(est["vague"] == "T0") & (est["groupe_variable"] == "ensemble")].set_index("indicateur")
    t12 = est[(est["vague"] == "T12") & (est["groupe_variable"] == "ensemble")].set_index("indicateur")
    name = "barometre_sens_travail_moyenne"
    assert row["difference"] == pytest.approx(t12.loc[name, "estimation"] - t0.loc[name, "estimation"])
    se = math.hypot(t0.loc[name, "erreur_type"], t12.loc[name, "erreur_type"])
    assert row["ic_haut"] - row["ic_bas"] == pytest.approx(2 * 1.959964 * se, rel=1e-5)
    # Holm across the two indicators of the "ensemble" family: the smaller p doubled.
    p = whole["p_valeur"].sort_values()
    assert whole.loc[p.index[0], "p_ajustee"] == pytest.approx(min(1.0, 2 * p.iloc[0]))
    assert list(comp.columns) == b.COMPARISON_COLUMNS


def test_unknown_direction_and_response_rates():
    frame = answers("T0", [5, 4], [1, 2, 4, 5, 3])
    frame.loc[0, "direction"] = "Direction Z"
    with pytest.raises(b.BarometerError, match="Direction Z.*absente de l'extraction RH"):
        b.estimations(frame, {"T0": HEADCOUNT})
    rates = b.response_rates(answers("T0", [5, 4], [1, 2, 4, 5, 3]), {"T0": HEADCOUNT}).set_index("direction")
    assert rates.loc["Direction A", "taux_reponse"] == 0.5 and rates.loc["ensemble", "n_reponses"] == 7
    assert rates.loc["ensemble", "taux_reponse"] == pytest.approx(7 / 14)


def test_directions_matched_to_the_services_spelling():
    services = pd.DataFrame({"code_service": ["ST", "RH"], "direction": ["Direction des services techniques",
                                                                         "Direction des ressources"]})
    frame = pd.DataFrame({"direction": ["direction des services TECHNIQUES", None], "service": [None, "RH"]})
    assert b.with_directions(frame, services)["direction"].tolist() == ["Direction des services techniques",
                                                                        "Direction des ressources"]


def test_an_item_nobody_answered_in_one_wave_gets_no_p_value():
    """A direction whose answers to an item are all « ne sait pas » in one wave has no estimate there: its
    comparison has no p-value (it used to read p = 0, « nette ») and stays out of the adjustment family."""
    rows = []
    for wave, est_b in (("T0", 3.0), ("T12", np.nan)):
        for group, est, se in (("ensemble", 3.0, 0.1), ("A", 3.0, 0.2), ("B", est_b, 0.2 if est_b == est_b else np.nan)):
            rows.append({"vague": wave, "indicateur": "barometre_cohesion_moyenne",
                         "groupe_variable": "ensemble" if group == "ensemble" else "direction", "groupe": group,
                         "estimation": est + (0.5 if wave == "T12" and group == "A" else 0.0), "erreur_type": se,
                         "ic_bas": np.nan, "ic_haut": np.nan, "n_repondants": 10})
    comp = b.comparisons(pd.DataFrame(rows)).set_index("groupe")
    assert math.isnan(comp.loc["B", "p_valeur"]) and math.isnan(comp.loc["B", "p_ajustee"])
    # A alone in its family: the adjusted p-value is its own (Holm over one test), z = 0.5 / √(0.2² + 0.2²)
    p_a = 2 * (1 - 0.5 * (1 + math.erf(0.5 / math.sqrt(0.08) / math.sqrt(2))))
    assert comp.loc["A", "p_valeur"] == pytest.approx(p_a, rel=1e-9)
    assert comp.loc["A", "p_ajustee"] == pytest.approx(p_a, rel=1e-9)
    assert comp.loc["ensemble", "p_valeur"] == 1.0
