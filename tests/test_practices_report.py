"""Report 05's French words on phases 4–5 (ducos_lib.reports.pratiques): effect sizes in words,
display tables, key findings, alt texts."""

from __future__ import annotations

import pandas as pd
import practices_data as D
import pytest
from scipy import stats

from ducos_lib import practices as pr
from ducos_lib.reports import pratiques as rp


@pytest.fixture()
def autoevaluations() -> pd.DataFrame:
    return D.self_ratings()


@pytest.fixture()
def bilan() -> pd.DataFrame:
    return D.seminar_review()


@pytest.mark.parametrize("r, words", [
    (0.0, "négligeable"), (0.099, "négligeable"), (-0.05, "négligeable"), (0.1, "faible, en hausse"),
    (-0.29, "faible, en baisse"), (0.3, "moyen, en hausse"), (-0.5, "fort, en baisse"), (1.0, "fort, en hausse"),
    (float("nan"), "–"),
])
def test_effect_size_words(r, words):
    assert rp.effect_size_words(r) == words


def test_self_evaluation_display_and_status(autoevaluations):
    table = pr.self_evaluation_table(autoevaluations)
    shown = rp.self_evaluation_display(table).set_index("competence")
    assert list(shown.columns) == ["n_paires", "moyenne_avant", "moyenne_apres", "ecart", "p_valeur", "p_ajustee",
                                   "nette", "taille_effet", "lecture"]
    assert shown.loc["Écoute", "ecart"] == pytest.approx(1.0)  # (26 − 18) / 8
    assert shown.loc["Écoute", "lecture"] == rp.effect_size_words(table.set_index("competence").loc["Écoute", "taille_effet"])
    assert shown.loc["Feedback", "nette"] == "–" and shown.loc["Feedback", "lecture"] == "–"  # 3 pairs: hidden
    assert set(shown["nette"]) <= {"oui", "non", "–"}
    assert set(rp.SELF_EVALUATION_HEADERS) >= set(shown.reset_index().columns)
    assert pr.self_evaluation_status(autoevaluations) == "results"
    assert pr.self_evaluation_status(None) == "absent"
    assert pr.self_evaluation_status(autoevaluations.iloc[:0]) == "absent"
    assert pr.self_evaluation_status(autoevaluations[autoevaluations["temps"] == "avant"]) == "before_only"
    assert pr.self_evaluation_status(autoevaluations[autoevaluations["competence"] == "Feedback"]) == "below_threshold"


def test_self_evaluation_findings(autoevaluations):
    absent = rp.self_evaluation_findings(None, milestone="T6")
    assert len(absent) == 1 and "pas encore eu lieu au jalon T6" in absent[0]
    assert absent[0].startswith("<strong>Auto-évaluations (phase 4)</strong>")
    assert not rp.self_evaluation_findings(None, milestone="T6", label=False)[0].startswith("<strong>")
    before = rp.self_evaluation_findings(autoevaluations[autoevaluations["temps"] == "avant"], milestone="T6")
    assert "aucune auto-évaluation « après »" in before[0]
    table = pr.self_evaluation_table(autoevaluations)
    text = " ".join(rp.self_evaluation_findings(autoevaluations, milestone="T12", table=table,
                                                by_direction=table.iloc[:0].assign(direction=[])))
    tested = table[table["p_ajustee"].notna()]
    clear = tested[tested["p_ajustee"] < 0.05]["competence"]
    for competence in clear:
        assert f"{competence} (" in text
    assert f"pour {len(clear)} compétence(s) sur {len(tested)}" in text
    assert "Non publié (moins de 5 paires complètes) : Feedback." in text
    # a1…a8, b1…b16, d1…d6 have at least one complete pair on a tested competence
    assert text.split(" : ", 1)[1].startswith("30 encadrants")
    assert "Aucune direction n'atteint 5 encadrants" in text


def test_seminar_findings_and_displays(bilan):
    assert "n'a pas encore eu lieu au jalon T0" in rp.seminar_findings(bilan.iloc[:0], milestone="T0")[0]
    assert "n'a pas encore eu lieu" in rp.seminar_findings(None, milestone="T0")[0]
    themes = pr.comment_themes(bilan["commentaire"], D.fake_code)
    # With 5, the shares satisfied are masked (7 of 10 would say that 3 are not): the sentence gives the mean only.
    summary = pr.seminar_summary(bilan, threshold=5)
    text = " ".join(rp.seminar_findings(bilan, milestone="T12", summary=summary, themes=themes, codebook=D.CODEBOOK))
    assert "10 participants ont évalué le séminaire du 20/11/2026" in text
    assert "part de satisfaits n'est pas publiée" in text and "de satisfaits</strong>" not in text
    assert "note moyenne 3,8 sur 5" in text  # note_globale: 38 / 10
    assert "5 participants sur 10 ont laissé un commentaire ; aucun thème n'y revient 5 fois ou plus" in text
    assert set(rp.seminar_display(summary)["Part de satisfaits (4 ou 5)"]) == {"secret"}
    assert "Part de notes 4 ou 5" not in rp.alt_seminar_distribution(pr.seminar_distribution(bilan, threshold=5), summary)
    # With 3: note_globale 7 of 10 at 4–5 (see test_seminar_summary_share_satisfied_wilson) is published.
    summary = pr.seminar_summary(bilan, threshold=3)
    text = " ".join(rp.seminar_findings(bilan, milestone="T12", summary=summary, themes=themes, codebook=D.CODEBOOK,
                                        threshold=3))
    assert "70\u202f% de satisfaits" in text and "méthode de Wilson" in text
    ref = stats.binomtest(7, 10).proportion_ci(method="wilson")
    assert f"de {round(ref.low * 100)}\u202f% à {round(ref.high * 100)}\u202f%" in text
    assert "le thème le plus cité est « Communication interne » (3 commentaires" in text
    shown = rp.seminar_display(summary)
    assert list(shown["Aspect évalué"]) == ["Organisation", "Contenu", "Appréciation globale"]
    # Contenu (3 answers: 5, 4, 3 → 0, 1, 2): its band 4–5 is masked, hence its share
    assert shown["Part de satisfaits (4 ou 5)"].tolist() == ["70,0\u202f%", "secret", "70,0\u202f%"]
    counts, quotes = rp.comment_themes_display(themes, codebook=D.CODEBOOK, threshold=3)
    assert counts.set_index("Thème").loc["Communication interne", "Commentaires"] == "3"
    assert counts.set_index("Thème").loc["Organisation du travail", "Commentaires"] == "moins de 3"
    assert "Outils et moyens" not in set(counts["Thème"])  # cited by no comment
    assert set(quotes["Thème"]) <= set(D.CODEBOOK.values())
    assert rp.alt_seminar_distribution(pr.seminar_distribution(bilan, threshold=3), summary, threshold=3).startswith("Barres empilées")
    assert rp.commenters_text(3, 60, threshold=5) == "moins de 5 participants sur 60"
    assert rp.commenters_text(58, 60, threshold=5) == "plus de 55 participants sur 60"


def test_alt_texts_state_the_reading(autoevaluations):
    table = pr.self_evaluation_table(autoevaluations)
    alt = rp.alt_dumbbell(table)
    best = table.assign(d=table["moyenne_apres"] - table["moyenne_avant"]).dropna().sort_values("d").iloc[-1]
    assert f"Plus forte hausse : {best['competence']}" in alt and "3 compétences" in alt
    dist = pr.rating_distribution(autoevaluations, threshold=3)
    alt = rp.alt_rating_distribution(dist, threshold=3)
    assert "trois tranches" in alt and "« secret »" in alt
    assert "passe en moyenne" not in alt  # no competence has its band 4–5 published before and after
    assert set(rp.rating_distribution_display(dist)["groupe"]) >= {"Écoute · avant", "Écoute · après"}
    counts = pd.DataFrame({"competence": ["X"] * 6, "temps": ["avant"] * 3 + ["apres"] * 3,
                           "bande": list(pr.BANDS) * 2, "n": [10, 10, 10, 5, 10, 15], "n_total": 30})
    full = pr.mask_bands(counts, ["competence", "temps"], 5)
    alt = rp.alt_rating_distribution(full, threshold=5)
    assert "passe en moyenne de 33\u202f% avant à 50\u202f% après" in alt and "secret" not in alt
    assert "vide" in rp.alt_dumbbell(table.iloc[:0])


