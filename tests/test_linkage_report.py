"""Report 04's French words (ducos_lib.reports.qualite_performance) and charts: labels from the registry,
sentences, alt texts, display tables, the mixed model's remarks. Computation fixtures come from
test_linkage.py."""

from __future__ import annotations

import linkage_data as D
import numpy as np
import pandas as pd
import pytest
from linkage_data import N_SERVICES, RAPIDE

from ducos_lib import linkage as L
from ducos_lib.registry import load_registry
from ducos_lib.reports import qualite_performance as Q


@pytest.fixture(scope="module")
def section() -> pd.DataFrame:
    return D.cross_section()


@pytest.fixture(scope="module")
def resultats(section) -> pd.DataFrame:
    return D.quality_staff_results(section)


@pytest.fixture(scope="module")
def panel() -> L.ServicePanel:
    return D.small_panel()


@pytest.mark.parametrize("rho,mot", [(0.05, "négligeable"), (-0.2, "faible"), (0.3, "modérée"),
                                     (-0.49, "modérée"), (0.5, "forte"), (-0.9, "forte"),
                                     (np.nan, "non calculable")])
def test_effect_size_words(rho, mot):
    assert Q.strength(rho) == mot


def test_sentences(resultats):
    l = D.row(resultats, "satisfaction_globale_moyenne", "taux_absenteisme")
    phrase = Q.finding_sentence(l)
    assert phrase.startswith("Plus le taux d'absentéisme d'un service est élevé, plus la "
                             "satisfaction globale de ses usagers est basse (rho = \u2212")
    assert "IC 95" in phrase and "15 services" in phrase and "résiste" in phrase
    cles = Q.key_findings(resultats, n=2)
    assert cles[0] == phrase
    rien = resultats.assign(p_ajustee=0.5)
    assert Q.key_findings(rien)[0].startswith("Aucune des 4 corrélations")
    txt = Q.methodological_warning(15, 3)
    for mot in ("15 services", "écologique", "cause", "3 jalons"):
        assert mot in txt




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
    fig = charts.service_scatter(panel.published("T0"), "taux_absenteisme", "satisfaction_globale_moyenne")
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
    assert Q.format_measure(nom, valeur, masked=masque) == attendu


def test_p_egal_never_equals_less_than():
    assert Q.p_equals("p ajustée", 0.0211) == "p ajustée = 0,021"
    assert Q.p_equals("p", 1e-9) == "p <\u202f0,001"


def test_panel_display_shows_secret_not_values(panel):
    for partie in ("qualite", "rh"):
        t = Q.panel_display(panel, "T0", part=partie)
        assert list(t.columns)[0] == "Service" and len(t) == len(panel.cross_section("T0"))
        assert all(isinstance(v, str) for v in t.to_numpy().ravel())
    rh = Q.panel_display(panel, "T0", part="rh").set_index("Service")
    pub = panel.published("T0")
    masques = panel.masks_of("T0")
    col = Q.measure_label("taux_absenteisme")
    interne = panel.cross_section("T0")
    for i, (m, v) in enumerate(zip(masques["taux_absenteisme"], interne["taux_absenteisme"])):
        texte = rh[col].iloc[i]
        if m:
            assert texte == "secret"
        elif pd.isna(v):
            assert texte == "–"
        else:
            assert texte == Q.format_measure("taux_absenteisme", pub["taux_absenteisme"].iloc[i])
    assert masques["taux_absenteisme"].any()  # the fixture has a small service
    with pytest.raises(ValueError, match="qualite, rh"):
        Q.panel_display(panel, part="autre")


def test_coverage_and_masking_note(panel):
    c = Q.coverage(panel, "T0")
    assert list(c.columns) == ["famille", "mesure", "services_avec_valeur", "services_non_publies"]
    assert len(c) == len(panel.quality) + len(panel.staff)
    assert (c["services_non_publies"] <= c["services_avec_valeur"]).all()
    note = Q.masking_note(panel, "T0")
    assert note is None or "moins de" in note


def test_report_sentences(resultats):
    synth = Q.summary_sentence(resultats)
    k = int(resultats["significatif"].sum())
    assert k >= 1
    assert synth.startswith("4 paires") and f"{k} reste{'nt' if k > 1 else ''} significative" in synth
    sans = Q.no_link_sentence(resultats, "note_immersion_moyenne")
    assert sans.startswith("En revanche") and "heures de formation" in sans and "ses usagers" not in sans
    assert Q.no_link_sentence(resultats.assign(p_ajustee=0.001), "satisfaction_globale_moyenne") is None
    l = D.row(resultats, "satisfaction_globale_moyenne", "taux_absenteisme")
    assert "significative après ajustement" in Q.pair_caption(l)
    alt = Q.heatmap_alt(resultats, "T6")
    assert "T6" in alt and f"{k} case{'s' if k > 1 else ''} marquée" in alt
    assert Q.measure_label("taux_absenteisme") in alt
    assert "aucune corrélation" in Q.heatmap_alt(resultats.assign(p_ajustee=0.5), "T6").lower()
    txt = Q.methodological_warning(15, 1, n_tests=4)
    assert "4 paires" in txt and "Benjamini" in txt and "jalons" not in txt


def test_scatter_alt_text_names_extreme_services(section, resultats):
    pub = section.assign(libelle=[f"Service {c}" for c in section["code_service"]])
    l = D.row(resultats, "satisfaction_globale_moyenne", "taux_absenteisme")
    alt = Q.scatter_alt(pub, l)
    haut = pub.loc[pub["taux_absenteisme"].idxmax(), "libelle"]
    bas = pub.loc[pub["taux_absenteisme"].idxmin(), "libelle"]
    assert "Tendance descendante" in alt and haut in alt and bas in alt and "15 représentés" in alt


def test_display_tables(resultats):
    t = Q.correlations_display(resultats)
    assert len(t) == len(resultats) and t.iloc[0]["Significatif après ajustement"] == "oui"
    assert t.iloc[0]["rho"].startswith("\u2212")
    assert Q.definition("taux_absenteisme").startswith("Jours d'absence")


def test_mixed_model_sentences_and_by_milestone():
    d = D.long_panel()
    r = L.mixed_model(d, pairs=[("satisfaction_globale_moyenne", "taux_absenteisme"),
                                  ("note_immersion_moyenne", "heures_formation_par_agent")])
    p0 = Q.mixed_model_sentence(r.iloc[0])
    assert "se confirme" in p0 and "plus basse" in p0 and "à le" not in p0 and "= <" not in p0
    t = Q.mixed_model_display(r)
    assert t.iloc[0]["Mesures (services × jalons)"] == f"45 ({N_SERVICES} × 3)" and t.iloc[0]["Convergence"] == "oui"
    echec = L.mixed_model(D.long_panel(1), pairs=[("satisfaction_globale_moyenne", "taux_absenteisme")])
    assert "deux jalons" in Q.mixed_model_sentence(echec.iloc[0])


def test_correlations_by_milestone(panel):
    paires = [("note_immersion_moyenne", "taux_absenteisme")]
    par = L.correlations_by_milestone(panel, paires, **RAPIDE)
    assert list(par["jalon"]) == panel.milestones and par.columns[0] == "jalon"
    t = Q.correlations_by_milestone_display(par)
    assert list(t.columns) == ["Mesure de qualité", "Indicateur RH", *panel.milestones] and len(t) == 1


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


# ---------------------------------------------------------------------------------------------
# Labels, phrases, units: the registry (config/indicateurs.yml), a generic label otherwise
# ---------------------------------------------------------------------------------------------

def test_labels_and_units_come_from_the_registry(monkeypatch, tmp_path):
    from ducos_lib import registry

    reg = load_registry()
    for name in ("satisfaction_globale_moyenne", "taux_absenteisme", "indicateur_reclamations",
                 "progression_autoevaluation", "note_immersion_moyenne"):
        assert Q.measure_label(name) == reg[name].label
    # An edited registry entry changes labels, sentences and number formats, with no code change.
    text = (registry.CONFIG_DIR / "indicateurs.yml").read_text(encoding="utf-8")
    text = text.replace('libelle: "Taux d\'absentéisme (%)", expression: "le taux d\'absentéisme"',
                        'libelle: "Absences (%)", expression: "la part de jours d\'absence"')
    old = "taux_absenteisme: {groupe: rh, unite: pourcent, decimales: 1, sens: baisse, synthese: true, genre: m,"
    assert old in text
    text = text.replace(old, old.replace("decimales: 1", "decimales: 2").replace("genre: m", "genre: f"))
    (tmp_path / "indicateurs.yml").write_text(text, encoding="utf-8")
    edited = registry.read_registry(tmp_path / "indicateurs.yml")
    monkeypatch.setattr(Q, "load_registry", lambda: edited)
    assert Q.measure_label("taux_absenteisme") == "Absences (%)"
    assert Q.format_measure("taux_absenteisme", 4.444) == "4,44\u202f%"
    row = {"indicateur_qualite": "satisfaction_globale_moyenne", "indicateur_rh": "taux_absenteisme",
           "n_services": 12, "rho": -0.6, "ic_bas": -0.8, "ic_haut": -0.2, "p_ajustee": 0.01}
    assert Q.finding_sentence(row).startswith("Plus la part de jours d'absence d'un service est élevée, plus la "
                                              "satisfaction globale de ses usagers est basse")


def test_measures_the_registry_does_not_know_get_a_generic_label():
    m = Q.measure("indicateur_visites_guichet")
    assert m.label == "Indicateur de service : visites guichet" and m.phrase == "l'indicateur « visites guichet »"
    assert Q.format_measure("indicateur_visites_guichet", 12.34) == "12,3"
    theme = Q.measure("immersion_note_accueil_usagers")
    assert theme.label == f"Note reçue en immersion : {load_registry()['accueil_usagers'].label} (sur 5)"
    assert Q.format_measure("immersion_note_accueil_usagers", 3.456) == "3,46"
    assert Q.measure_label("autre_mesure") == "Autre mesure"
    assert Q.definition("indicateur_visites_guichet").startswith("Indicateur de service transmis")


def test_phrases_about_one_service_use_its_own_users_and_managers():
    row = {"indicateur_qualite": "satisfaction_globale_satisfaits", "indicateur_rh": "progression_autoevaluation",
           "n_services": 12, "rho": 0.45, "ic_bas": 0.1, "ic_haut": 0.7, "p_ajustee": 0.2}
    s = Q.finding_sentence(row)
    assert s.startswith("Plus la progression de l'auto-évaluation de ses cadres d'un service est élevée, plus la "
                        "part d'usagers satisfaits est élevée (rho = 0,45")
    assert "corrélation modérée, mais non significative" in s


def test_mixed_model_remarks_and_published_table():
    r = L.mixed_model(D.long_panel(1), pairs=[("satisfaction_globale_moyenne", "taux_absenteisme")])
    t = Q.mixed_model_table(r)
    assert list(t.columns) == ["indicateur_qualite", "indicateur_rh", "n_observations", "n_services", "n_jalons",
                               "coefficient", "ic_bas", "ic_haut", "p_valeur", "converge", "message"]
    assert t.iloc[0]["message"] == "Modèle non estimé : il faut des mesures sur au moins deux jalons."
    few = r.assign(statut="few_services", n_services=3)
    assert Q.mixed_model_message(few.iloc[0], n_min_services=5) == (
        "Modèle non estimé : 3 services avec des mesures complètes (au moins 5 requis).")
    both = r.assign(statut="not_converged;boundary").iloc[0]
    assert Q.mixed_model_message(both).startswith("L'optimisation n'a pas convergé") and "bord" in Q.mixed_model_message(both)
    ok = L.mixed_model(D.long_panel(), pairs=[("satisfaction_globale_moyenne", "taux_absenteisme")])
    assert Q.mixed_model_table(ok).iloc[0]["message"] == ""


def test_survey_source_note_and_adjustment_paragraph():
    panel = D.small_panel()
    assert panel.survey_source == "computed"
    assert "calculées par ce rapport" in Q.survey_source_note(panel)
    import dataclasses

    assert Q.survey_source_note(dataclasses.replace(panel, survey_source="tables")) is None
    failed = dataclasses.replace(panel, survey_source="none", survey_error="marge vide")
    assert Q.survey_source_note(failed) == "Estimations de l'enquête par service impossibles : marge vide"
    assert "Benjamini–Hochberg" in Q.adjustment_paragraph("bh") and "fausses découvertes" in Q.adjustment_paragraph()
    holm = Q.adjustment_paragraph("holm")
    assert "méthode de Holm" in holm and "fausses découvertes" not in holm
