"""The registry of what is measured (config/indicateurs.yml) and the formats it drives."""

from __future__ import annotations

import pytest
import yaml

from conftest import ROOT
from ducos_lib import registry
from ducos_lib.reports import formats

#: Indicator names of DESIGN §4 that the tables publish.
SURVEY = ["satisfaction_globale_moyenne", "recommandation_moyenne"] + [
    f"{item}_{kind}" for item in ("satisfaction_globale", "accueil", "delai", "information", "ecoute", "resolution")
    for kind in ("satisfaits", "taux_net")]
HR = ["effectif", "etp", "age_moyen", "age_median", "taux_absenteisme", "taux_absenteisme_compressible",
      "taux_rotation", "heures_formation_par_agent", "part_encadrants", "part_femmes_encadrants", "taux_boe"]


def test_workspace_registry_holds_every_published_indicator_once():
    reg = registry.load_registry()
    assert sorted(m.name for m in reg.survey_indicators()) == sorted(SURVEY)
    assert [m.name for m in reg.group("rh")] == HR
    survey = {m.name: m for m in reg.survey_indicators()}
    assert survey["delai_satisfaits"].variable == "delai" and survey["delai_satisfaits"].statistic == "part_satisfaits"
    assert survey["recommandation_moyenne"].unit == "note10"
    assert reg["taux_absenteisme"].direction == -1 and reg["effectif"].direction == 0
    assert reg["heures_formation_par_agent"].direction == 1


def test_codebook_themes_are_registered_from_the_codebooks():
    reg = registry.load_registry()
    codebook = yaml.safe_load((ROOT / "config" / "codebook.yml").read_text(encoding="utf-8"))
    themes = reg.group("theme_immersion")
    assert [m.name for m in themes] == list(codebook["themes"])
    assert themes[0].label == codebook["themes"][themes[0].name]["libelle"]
    assert len(reg.group("theme_usagers")) == 10


def _write(tmp_path, indicateurs, questions=None):
    path = tmp_path / "indicateurs.yml"
    path.write_text(yaml.safe_dump({"questions_enquete": questions or {"delai": {"libelle": "Délais"}},
                                    "indicateurs": indicateurs}, allow_unicode=True), encoding="utf-8")
    return path


def test_an_added_entry_is_read_with_its_format(tmp_path):
    path = _write(tmp_path, {"delai_moyenne": {"groupe": "enquete", "variable": "delai", "statistique": "moyenne",
                                               "unite": "note5", "decimales": 2, "sens": "hausse",
                                               "libelle": "Délais : note moyenne", "expression": "la note des délais"}})
    reg = registry.read_registry(path)
    m = reg["delai_moyenne"]
    assert (m.variable, m.statistic, m.direction) == ("delai", "moyenne", 1)
    assert formats.value(m, 3.14159) == "3,14" and formats.difference(m, -0.5) == "−0,50"


@pytest.mark.parametrize("entry, message", [
    ({"groupe": "enquete", "libelle": "x", "expression": "x", "statistique": "moyenne"}, "variable"),
    ({"groupe": "enquete", "libelle": "x", "expression": "x", "variable": "delai", "statistique": "mediane"},
     "statistique"),
    ({"groupe": "rh", "libelle": "x", "expression": "x", "unite": "kg"}, "unité « kg » inconnue"),
    ({"groupe": "rh", "libelle": "x", "expression": "x", "sens": "mieux"}, "sens « mieux » inconnu"),
    ({"groupe": "budget", "libelle": "x", "expression": "x"}, "groupe « budget » inconnu"),
    ({"groupe": "rh", "expression": "x"}, "« libelle » est obligatoire"),
    ({"groupe": "rh", "libelle": "x", "expression": "x", "couleur": "bleu"}, "champ(s) inconnu(s) couleur"),
    ({"groupe": "enquete", "libelle": "x", "expression": "x", "variable": "attente", "statistique": "moyenne"},
     "« attente » n'est pas déclarée"),
])
def test_bad_entries_get_a_french_error_naming_them(tmp_path, entry, message):
    with pytest.raises(registry.RegistryError, match="indicateur « bad »") as err:
        registry.read_registry(_write(tmp_path, {"bad": entry}))
    assert message in str(err.value)


@pytest.mark.parametrize("name, v, expected", [
    ("satisfaction_globale_satisfaits", 0.625, "62,5\u202f%"),
    ("satisfaction_globale_taux_net", 0.4, "+40,0 points"),
    ("satisfaction_globale_moyenne", 3.456, "3,46"),
    ("recommandation_moyenne", 7.04, "7,0"),
    ("taux_absenteisme", 7.36, "7,4\u202f%"),
    ("effectif", 1268, "1\u202f268"),
    ("taux_boe", None, "–"),
])
def test_values_are_formatted_by_unit(name, v, expected):
    assert formats.value(name, v) == expected


def test_differences_and_intervals():
    assert formats.difference("taux_absenteisme", -1.25) == "−1,2 point"  # already in %: points of %
    assert formats.difference("delai_satisfaits", 0.179) == "+17,9 points"
    assert formats.difference("satisfaction_globale_moyenne", 0.444) == "+0,44"
    assert formats.interval("delai_satisfaits", 0.476, 0.583) == "[47,6\u202f% ; 58,3\u202f%]"
    assert formats.interval("delai_satisfaits", None, 0.5) == ""
    assert formats.interval("delai_satisfaits", -0.05, 0.1, of_difference=True) == "[−5,0 points ; +10,0 points]"
