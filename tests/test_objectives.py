"""Objectives and targets (config/objectifs.yml): reading, the status rule of DESIGN §5, the long series."""

from __future__ import annotations

import math

import pandas as pd
import pytest
import yaml

from ducos_lib import objectives as ob
from ducos_lib.registry import load_registry

NAN = math.nan


@pytest.mark.parametrize("low, high, target, direction, moved, expected", [
    (0.66, 0.74, 0.65, 1, 0.08, "atteint"),        # whole interval above the target
    (0.65, 0.74, 0.65, 1, 0.08, "atteint"),        # touching counts as clearing
    (0.50, 0.64, 0.65, 1, 0.08, "non_atteint"),    # whole interval below, even though it moved up
    (0.60, 0.70, 0.65, 1, 0.05, "en_progres"),     # contains the target, moved the right way
    (0.60, 0.70, 0.65, 1, -0.01, "non_atteint"),   # contains the target, moved the wrong way
    (0.60, 0.70, 0.65, 1, None, "non_atteint"),    # contains the target, nothing to compare with
    (4.1, 4.9, 5.0, -1, -0.3, "atteint"),          # lower is better: whole interval below the target
    (5.1, 6.0, 5.0, -1, -0.2, "non_atteint"),
    (4.8, 5.3, 5.0, -1, -0.2, "en_progres"),
    (NAN, NAN, 0.65, 1, 0.1, "non_mesurable"),
])
def test_decide(low, high, target, direction, moved, expected):
    assert ob.decide(low, high, target, direction, moved) == expected


def _series(rows):
    return pd.DataFrame(rows, columns=ob.SERIES_COLUMNS)


def _objectives(tmp_path, indicateurs):
    path = tmp_path / "objectifs.yml"
    path.write_text(yaml.safe_dump({"objectifs": [{"code": "o1", "libelle": "Objectif", "indicateurs": indicateurs}]}),
                    encoding="utf-8")
    return ob.read_objectives(path, load_registry())


def test_change_target_uses_the_interval_of_the_change_when_given(tmp_path):
    objs = _objectives(tmp_path, [{"indicateur": "satisfaction_globale_satisfaits", "cible": {"evolution": 0.05}}])
    series = _series([("T0", "satisfaction_globale_satisfaits", "ensemble", 0.50, 0.45, 0.55),
                      ("T6", "satisfaction_globale_satisfaits", "ensemble", 0.58, 0.53, 0.63)])
    # Without the change's own interval: [0.53 - 0.50, 0.63 - 0.50] = [0.03, 0.13] contains +0.05 -> en_progres.
    b = ob.assess(objs, series, ["T0", "T6"])
    assert b.loc[0, "statut"] == "en_progres" and b.loc[0, "cible"] == pytest.approx(0.55)
    assert b.loc[0, "evolution"] == pytest.approx(0.08)
    # With the comparison of independent waves: [0.06, 0.10] clears +0.05 -> atteint.
    changes = pd.DataFrame([("satisfaction_globale_satisfaits", "ensemble", "T0", "T6", 0.08, 0.06, 0.10)],
                           columns=ob.CHANGE_COLUMNS)
    b = ob.assess(objs, series, ["T0", "T6"], changes=changes)
    assert b.loc[0, "statut"] == "atteint"
    assert list(b.columns[:10]) == ob.COLUMNS


def test_census_figures_lower_is_better_and_missing_data(tmp_path):
    objs = _objectives(tmp_path, [{"indicateur": "taux_absenteisme", "cible": {"evolution": -0.5}},
                                  {"indicateur": "taux_absenteisme", "groupe": "service:ST", "cible": {"niveau": 6.0}},
                                  {"indicateur": "note_globale", "cible": {"niveau": 4.0}}])
    series = _series([("T0", "taux_absenteisme", "ensemble", 7.0, 7.0, 7.0),
                      ("T12", "taux_absenteisme", "ensemble", 6.4, 6.4, 6.4),
                      ("T12", "taux_absenteisme", "service:ST", 5.9, 5.9, 5.9)])
    b = ob.assess(objs, series, ["T0", "T6", "T12"])
    assert list(b["statut"]) == ["atteint", "atteint", "non_mesurable"]  # -0.6 point clears -0.5; 5.9 < 6
    assert math.isnan(b.loc[2, "valeur"])
    status = ob.objective_status(b)
    assert status.loc[0, ["n_indicateurs", "n_mesurables", "n_atteints", "statut"]].tolist() == [3, 2, 2, "atteint"]


def test_at_the_reference_milestone_a_change_is_not_measurable(tmp_path):
    objs = _objectives(tmp_path, [{"indicateur": "delai_satisfaits", "cible": {"evolution": 0.05}},
                                  {"indicateur": "delai_satisfaits", "cible": {"niveau": 0.3}}])
    series = _series([("T0", "delai_satisfaits", "ensemble", 0.37, 0.32, 0.42)])
    assert list(ob.assess(objs, series, ["T0"])["statut"]) == ["non_mesurable", "atteint"]


@pytest.mark.parametrize("spec, message", [
    ({"indicateur": "bonheur_national", "cible": {"niveau": 1}}, "inconnu du registre"),
    ({"indicateur": "taux_absenteisme", "cible": {"niveau": 1, "evolution": 2}}, "la cible doit être"),
    ({"indicateur": "taux_absenteisme", "cible": {"niveau": "haut"}}, "la cible doit être"),
    ({"indicateur": "effectif", "cible": {"niveau": 300}}, "précisez « sens"),
])
def test_bad_targets_get_a_french_error_naming_them(tmp_path, spec, message):
    with pytest.raises(ob.ObjectivesError, match=f"objectif « o1 », indicateur « {spec['indicateur']} »") as err:
        _objectives(tmp_path, [spec])
    assert message in str(err.value)


def test_workspace_objectives_cover_the_programme():
    objs = ob.load_objectives()
    assert [o.code for o in objs] == ["service_usagers", "postures_professionnelles", "qualite_vie_travail",
                                      "accompagner_changement", "federer_agents"]
    assert all(o.targets for o in objs)


def test_series_from_tables_attaches_the_latest_extraction_and_blanks_masked_cells():
    est = pd.DataFrame({"vague": ["T0"], "indicateur": ["accueil_satisfaits"], "groupe_variable": ["service"],
                        "groupe": ["EC"], "estimation": [0.7], "ic_bas": [0.6], "ic_haut": [0.8]})
    rh = pd.DataFrame({"date_extraction": ["2025-01-01", "2025-06-01", "2025-06-01"],
                       "indicateur": ["effectif", "effectif", "effectif"],
                       "groupe_variable": ["ensemble", "ensemble", "service"], "groupe": ["ensemble", "ensemble", "ST"],
                       "valeur": [100.0, 110.0, None], "masque": [False, False, True]})
    s = ob.series_from_tables({"enquete_estimations": est, "rh_indicateurs": rh},
                              {"T0": "2025-03-01", "T6": "2025-09-01"})
    assert s[s["indicateur"] == "accueil_satisfaits"]["groupe"].tolist() == ["service:EC"]
    eff = s[(s["indicateur"] == "effectif") & (s["groupe"] == "ensemble")].set_index("jalon")["valeur"]
    assert eff.to_dict() == {"T0": 100.0, "T6": 110.0}
    assert s[(s["groupe"] == "service:ST")]["valeur"].isna().all()


def test_seminar_self_evaluation_and_barometer_series(tmp_path):
    summary = pd.DataFrame({"item": ["note_utilite", "note_globale"], "moyenne": [3.9, 4.1],
                            "moyenne_ic_bas": [3.7, 3.95], "moyenne_ic_haut": [4.1, 4.25],
                            "part_satisfaits": [0.6, 0.75], "ic_bas": [0.5, 0.71], "ic_haut": [0.7, 0.79]})
    sem = ob.seminar_series(summary, "T12").set_index("indicateur")
    assert sem.loc["note_globale_satisfaits", ["valeur", "ic_bas", "ic_haut"]].tolist() == [0.75, 0.71, 0.79]
    assert sem.loc["note_utilite", "valeur"] == 3.9
    # Two managers: mean progressions 0.5 and 1.0 -> mean 0.75, t(1) interval 0.75 +- 12.706 x 0.3536 / 1.414.
    pairs = pd.DataFrame({"id_cadre": ["a", "a", "b"], "competence": ["x", "y", "x"], "avant": [2, 3, 2],
                          "apres": [3, 3, 3], "difference": [1.0, 0.0, 1.0]})
    auto = ob.self_evaluation_series(pairs, "T12").iloc[0]
    half = 12.7062047 * (0.5 ** 0.5 / 2) / 2 ** 0.5
    assert (auto["valeur"], auto["ic_bas"], auto["ic_haut"]) == pytest.approx((0.75, 0.75 - half, 0.75 + half))
    baro = pd.DataFrame({"vague": ["T0", "T12"], "indicateur": "barometre_cohesion_favorables",
                         "groupe_variable": "ensemble", "groupe": "ensemble", "estimation": [0.40, 0.62],
                         "erreur_type": 0.03, "ic_bas": [0.35, 0.56], "ic_haut": [0.46, 0.67], "n_repondants": 150})
    comp = pd.DataFrame({"indicateur": ["barometre_cohesion_favorables"], "groupe_variable": "ensemble",
                         "groupe": "ensemble", "vague_a": "T0", "vague_b": "T12", "difference": [0.22],
                         "ic_bas": [0.14], "ic_haut": [0.30], "p_valeur": [1e-6], "p_ajustee": [1e-5],
                         "methode": "difference_z"})
    series = pd.concat([ob.series_from_tables({"barometre_estimations": baro}, {}), sem.reset_index()[ob.SERIES_COLUMNS]])
    objs = _objectives(tmp_path, [{"indicateur": "barometre_cohesion_favorables", "cible": {"evolution": 0.10}},
                                  {"indicateur": "note_globale_satisfaits", "cible": {"niveau": 0.70}}])
    b = ob.assess(objs, series, ["T0", "T6", "T12"], changes=ob.changes_from_comparisons(None, comp))
    assert list(b["statut"]) == ["atteint", "atteint"]  # [0.14, 0.30] clears +0.10; [0.71, 0.79] clears 0.70
    assert b.loc[0, "cible"] == pytest.approx(0.50)
