"""Report 01's driver analysis and waiting times (hand-computed frames), and the registry driving the
survey indicators end to end (issue 12 item 4): an entry added to a copy of ``config/`` reaches
``enquete_estimations.csv``, report 01 and the index with no code change.

How a test or an analyst points the code at another registry: ``DUCOS_CONFIG_DIR=/path/to/config``
(every module reads its configuration there, :data:`ducos_lib.config.CONFIG_DIR`); in Python,
``load_registry(config_dir)`` and the ``registry=`` parameter of the survey tables and report helpers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ducos_lib import survey as sv
from ducos_lib.registry import load_registry
from ducos_lib.reports import enquete as R

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "raw" / "sample"
NB = "\u202f"


def drivers_frame() -> pd.DataFrame:
    """Two waves; in T0 the geometric mean of the odds ratios is (2·8·1·16)^(1/4) = 4 and the mean
    share satisfied 0.6, so each dimension falls in its own quadrant; T6 could not be fitted."""
    return pd.DataFrame({
        "vague": ["T0"] * 4 + ["T6"] * 4,
        "dimension": ["accueil", "delai", "information", "ecoute"] * 2,
        "importance": [2.0, 8.0, 1.0, 16.0] + [np.nan] * 4,
        "ic_bas": [1.2, 4.0, 0.5, 9.0] + [np.nan] * 4,
        "ic_haut": [3.5, 16.0, 2.0, 28.0] + [np.nan] * 4,
        "performance": [0.8, 0.4, 0.3, 0.9, 0.7, 0.5, 0.6, 0.8],
    })


def test_driver_quadrants_hand_computed():
    q = R.driver_quadrants(drivers_frame())
    t0 = q[q["vague"] == "T0"].set_index("dimension")
    assert t0["seuil_importance"].iloc[0] == pytest.approx(4.0)
    assert t0["seuil_performance"].iloc[0] == pytest.approx(0.6)
    assert t0["quadrant"].to_dict() == {"accueil": "acquis", "delai": "priorite", "information": "ensuite",
                                        "ecoute": "atout"}
    assert (q.loc[q["vague"] == "T6", "quadrant"] == "").all()  # no model, no quadrant
    assert R.driver_priorities(drivers_frame(), "T0")["dimension"].tolist() == ["delai"]


def test_driver_table_and_sentences():
    tab = R.driver_table(drivers_frame(), ["T0", "T6"])
    first = tab.iloc[0]
    assert (first["Vague"], first["Dimension"]) == ("T0", "Écoute")  # most important first
    assert first["Importance : rapport de cotes [IC à 95 %]"] == "16,0 [9,0 ; 28,0]"
    assert first["Performance : part de satisfaits"] == f"90,0{NB}%"
    assert tab.set_index(["Vague", "Dimension"]).loc[("T0", "Délais"), "Position"] == "À améliorer en priorité"
    assert (tab.loc[tab["Vague"] == "T6", "Importance : rapport de cotes [IC à 95 %]"] == "non estimé").all()
    text = R.driver_sentences(drivers_frame(), "T0")
    assert text[0] == ("À améliorer en priorité en T0 : <strong>les délais</strong>. Être satisfait des délais "
                       "multiplie par 8,0 les chances d'être satisfait du service dans son ensemble, et seuls "
                       f"40{NB}% des usagers le sont.")
    assert text[1] == ("Point fort à préserver : l'écoute, qui compte beaucoup et satisfait déjà plus que la moyenne "
                       "des dimensions.")
    # information [0,5 ; 2,0] and écoute [9,0 ; 28,0] do not overlap: the ranking is beyond the noise
    assert "dépasse l'incertitude" in text[2]
    overlapping = drivers_frame().assign(ic_haut=[3.5, 16.0, 12.0, 28.0] + [np.nan] * 4)
    assert R.driver_sentences(overlapping, "T0")[-1].startswith("Prudence")
    # no dimension in the top-left quadrant: the most important of the dimensions judged below average
    no_priority = drivers_frame().assign(performance=[0.8, 0.7, 0.3, 0.9, 0.7, 0.5, 0.6, 0.8])
    assert R.driver_sentences(no_priority, "T0")[0] == (
        "En T0, aucune dimension ne cumule forte importance et faible satisfaction. Parmi les moins bien jugées, la "
        f"plus liée à la satisfaction globale est <strong>l'information</strong> (rapport de cotes 1,0, 30{NB}% de "
        "satisfaits) : c'est par elle qu'il faudrait commencer.")
    assert R.driver_sentences(drivers_frame(), "T6") == [
        "Le modèle n'a pas pu être estimé pour la vague T6 (trop peu de réponses complètes)."]
    assert R.driver_summary(drivers_frame(), "T0").startswith("- À améliorer en priorité en T0 : **les délais**. Être")
    alt = R.driver_alt(drivers_frame(), ["T0"])
    assert "à améliorer en priorité : les délais" in alt and "rapport de cotes 16,0" in alt


def test_driver_method_says_association_not_cause():
    text = R.driver_method()
    assert "rapport de cotes" in text and "association, pas un effet causal" in text
    assert R.methodology().index("Ce qui fait la satisfaction") < R.methodology().index("Seuils de diffusion")


def test_waiting_time_sentence_and_table():
    q = pd.DataFrame({"vague": ["T6"] * 3, "variable": "temps_attente", "quantile": [0.25, 0.5, 0.75],
                      "estimation": [4.0, 8.0, 13.0], "erreur_type": 1.0, "ic_bas": [3.0, 7.0, 11.0],
                      "ic_haut": [5.0, 9.0, np.nan], "n_repondants": 240})
    assert R.waiting_time_sentence(q, "T6") == (
        "En T6, la moitié des usagers qui ont indiqué leur temps d'attente ont attendu au plus **8 minutes** "
        "(intervalle de confiance à 95 % : 7 à 9) ; un quart a attendu 4 minutes ou moins, un quart plus "
        "de 13 minutes.")
    tab = R.waiting_time_table(q)
    assert tab.iloc[0].to_dict() == {"Vague": "T6", "1er quartile (min)": "4 [3 ; 5]", "Médiane (min)": "8 [7 ; 9]",
                                     "3e quartile (min)": "13", "Réponses": 240}
    assert "n'a pas été posée" in R.waiting_time_sentence(q.assign(estimation=np.nan), "T6")


def test_dimensions_follow_the_registry(tmp_path):
    config = _config_with_new_indicator(tmp_path)
    reg = load_registry(config)
    assert sv.indicator_names(reg)[-1] == "delai_moyenne" and sv.indicator_names(reg)[:-1] == sv.indicator_names()
    assert sv.driver_dimensions(reg) == ["accueil", "delai", "information", "ecoute", "resolution"]


def _config_with_new_indicator(tmp_path: Path) -> Path:
    """A copy of config/ whose registry has one more survey indicator, added as an analyst would."""
    config = tmp_path / "config"
    shutil.copytree(ROOT / "config", config)
    path = config / "indicateurs.yml"
    text = path.read_text(encoding="utf-8")
    anchor = "\n  # --- Ressources humaines"
    assert anchor in text
    entry = ('\n  delai_moyenne:\n'
             '    {groupe: enquete, variable: delai, statistique: moyenne, unite: note5, decimales: 2, sens: hausse,\n'
             '     synthese: true, genre: f, libelle: "Délais : note moyenne (sur 5)",\n'
             '     expression: "la note moyenne donnée aux délais"}\n')
    path.write_text(text.replace(anchor, entry + anchor, 1), encoding="utf-8")
    return config


@pytest.mark.slow
@pytest.mark.xdist_group("milestones")
def test_indicator_added_to_the_registry_reaches_tables_report_and_index(milestone_runs, isolated_env, tmp_path):
    """Issue 12 item 4, shown end to end: ``ducos run`` of T0 (report 01 only) with DUCOS_CONFIG_DIR on a copy
    of config/ holding one more indicator; every other published figure stays the same."""
    config = _config_with_new_indicator(tmp_path)
    out = tmp_path / "reports"
    env = {**os.environ, "DUCOS_CONFIG_DIR": str(config), "MPLBACKEND": "agg"}
    done = subprocess.run([sys.executable, "-m", "ducos_lib.cli", "run", "--milestone", "T0", "--raw-dir", str(SAMPLE),
                           "--out", str(out), "--only", "01_enquete_usagers"], env=env, capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    est = pd.read_csv(out / "T0" / "tables" / "enquete_estimations.csv")
    new = est[est["indicateur"] == "delai_moyenne"]
    cells = est.groupby(["vague", "groupe_variable", "groupe"]).size()
    assert len(new) == len(cells) and (cells == len(sv.indicator_names()) + 1).all()  # every wave and group
    # its value is the weighted mean of the answers (NSP left out), as survey.mean computes it
    from ducos_lib.ingest import load_milestone

    ms = load_milestone("T0", SAMPLE)
    designs = sv.wave_designs(ms.enquete_usagers, ms.population_reference)
    mean = sv.mean(designs["T0"], "delai", na_rm=True, df=None)
    overall = new[new["groupe_variable"] == "ensemble"].iloc[0]
    assert overall["estimation"] == pytest.approx(mean.estimate, rel=1e-8)
    assert overall["ic_bas"] == pytest.approx(mean.ci_low, rel=1e-8)
    # every other row is the one published without the entry
    before = pd.read_csv(milestone_runs[0] / "T0" / "tables" / "enquete_estimations.csv")
    pd.testing.assert_frame_equal(est[est["indicateur"] != "delai_moyenne"].reset_index(drop=True), before)
    # report 01 shows it, with the registry's label and format
    page = (out / "T0" / "01_enquete_usagers.html").read_text(encoding="utf-8")
    value = f"{overall['estimation']:.2f}".replace(".", ",")
    assert "Délais : note moyenne (sur 5) [IC à 95 %]" in page and value in page
    assert "les 15 indicateurs de l'ensemble de la commune" in page
    # the index follows it (synthese: true)
    index = (out / "T0" / "index.html").read_text(encoding="utf-8")
    assert f"<td>Délais : note moyenne (sur 5)</td><td class=\"num\">{value}</td>" in index
