"""The guide of managerial practices (ducos_lib.guide) and its HTML page with the evidence annex
(ducos_lib.reports.guide)."""

from __future__ import annotations

import html
import re

import pandas as pd
import practices_data as D
import pytest

from ducos_lib import guide as gd
from ducos_lib.reports import guide as rg


@pytest.fixture()
def guide_path(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(D.GUIDE, encoding="utf-8")
    return path


@pytest.fixture()
def forms():
    return D.immersion_forms()


def test_parse_guide(guide_path):
    guide = gd.parse_guide(guide_path, D.CODEBOOK)
    assert (guide.version, guide.date) == ("1.1", pd.Timestamp("2026-10-01"))
    assert [p.title for p in guide.practices] == ["Tenir un point d'équipe hebdomadaire",
                                                  "Organiser la polyvalence et les binômes"]
    assert guide.practices[1].themes == ("organisation_travail", "outils_moyens")
    assert guide.themes == ["communication_interne", "cohesion_equipe", "organisation_travail", "outils_moyens"]


def test_unknown_theme_is_a_french_error(guide_path):
    guide_path.write_text(D.GUIDE.replace("outils_moyens\n", "outils_numeriques\n"), encoding="utf-8")
    with pytest.raises(gd.GuideError) as err:
        gd.parse_guide(guide_path, D.CODEBOOK)
    message = str(err.value)
    assert "thème inconnu « outils_numeriques »" in message
    assert "Organiser la polyvalence" in message and "ligne 23" in message
    assert "communication_interne" in message  # lists the known themes


@pytest.mark.parametrize("change, expected", [
    (("Thèmes : communication_interne, cohesion_equipe\n", ""), "n'indique pas ses thèmes"),
    (('version: "1.1"\n', ""), "« version » est absente"),
    (("- 1.1 (01/10/2026) : ajout de la polyvalence.\n", ""), "version 1.1 de l'en-tête n'a pas d'entrée"),
])
def test_guide_format_errors(guide_path, change, expected):
    guide_path.write_text(D.GUIDE.replace(*change), encoding="utf-8")
    with pytest.raises(gd.GuideError, match=re.escape(expected)):
        gd.parse_guide(guide_path, D.CODEBOOK)


def test_render_guide_with_annex(guide_path, forms, tmp_path):
    coding, fiches = forms
    previous = gd.theme_frequencies(coding, fiches, until="2026-06-30")  # F1, F2
    assert previous.set_index("theme")["n_fiches"].to_dict() == {
        "cohesion_equipe": 1, "communication_interne": 1, "organisation_travail": 1}
    out = tmp_path / "T12" / "guide_pratiques.html"
    res = rg.render_guide(guide_path, coding, fiches, out, "T12", previous, previous_milestone="T6",
                          codebook=D.CODEBOOK, milestone_date="2026-12-15", roster=["Mireille", "VIRASSAMY"])
    annex = res.annex.set_index("theme")
    # Now 4 forms. communication_interne: F1, F3 → 2/4 = 0,50, before 1/2 = 0,50 → stable.
    # organisation_travail: F2, F4 → 0,50 vs 0,50 → stable; cohesion_equipe: F1 → 0,25 vs 0,50 →
    # −25 points; outils_moyens: F3 → 0,25, none before → nouveau.
    assert annex["n_fiches"].to_dict() == {"communication_interne": 2, "cohesion_equipe": 1,
                                           "organisation_travail": 2, "outils_moyens": 1}
    assert annex.loc["cohesion_equipe", "difference_part"] == pytest.approx(-0.25)
    assert annex["evolution"].to_dict() == {"communication_interne": "stable", "cohesion_equipe": "−25,0 points",
                                            "organisation_travail": "stable", "outils_moyens": "nouveau"}
    assert annex.loc["outils_moyens", "n_propositions"] == 0  # coded in axes_progression only
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="fr">' in page
    assert "ducos-tableau" in page and "--ducos-bleu" in page  # the reports' stylesheet, inline
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)  # nothing from another host
    assert "Annexe : ce que disent les immersions" in page and "depuis T6" in page
    assert "Écrire les procédures pour les binômes." in page
    assert "Instaurer une réunion d&#x27;équipe le lundi" in page
    assert "[TÉLÉPHONE]" in page and "[EMAIL]" in page and "[NOM]" in page
    for planted in ("Lagier", "Josépha", "0696", "12 34 56", "ducos.fr", "Schœlcher", "97224", "Mireille"):
        assert planted not in page  # "Mireille" alone is caught only through the HR roster
    assert 'href="#theme-communication-interne"' in page and 'id="theme-communication-interne"' in page
    assert "nouveau" in page and "−25,0 points" in page
    assert "Version 1.1 du 01/10/2026" in page


def test_render_guide_without_previous_milestone(guide_path, forms, tmp_path):
    coding, fiches = forms
    res = rg.render_guide(guide_path, coding, fiches, tmp_path / "g.html", "T0", codebook=D.CODEBOOK)
    assert (res.annex["evolution"] == "–").all()
    assert "Pas de jalon précédent" in (tmp_path / "g.html").read_text(encoding="utf-8")


def test_repository_guide_is_valid():
    from ducos_lib.config import ROOT

    guide = gd.parse_guide(ROOT / "guide" / "guide_pratiques.md")
    assert 8 <= len(guide.practices) <= 12
    assert all(p.themes for p in guide.practices)


def test_evidence_movement_without_any_form(guide_path, forms):
    coding, fiches = forms
    coding = coding[coding["theme"] != "outils_moyens"]
    previous = gd.theme_frequencies(coding, fiches, until="2026-06-30")
    annex = gd.guide_evidence(gd.parse_guide(guide_path, D.CODEBOOK), coding, fiches, previous,
                              codebook=D.CODEBOOK).set_index("theme")
    assert annex.loc["outils_moyens", "statut_evolution"] == "absent"
    assert rg.annex_table(annex.reset_index()).set_index("theme").loc["outils_moyens", "evolution"] == (
        "absent aux deux jalons")
    assert annex.loc["outils_moyens", "n_fiches"] == 0


def test_guide_findings_and_annex_display(guide_path, forms):
    coding, fiches = forms
    guide = gd.parse_guide(guide_path, D.CODEBOOK)
    previous = gd.theme_frequencies(coding, fiches, until="2026-06-30")
    annex = gd.guide_evidence(guide, coding, fiches, previous, codebook=D.CODEBOOK)
    assert gd.count_forms(fiches) == 4 and gd.count_forms(fiches, until="2026-06-30") == 2 and gd.count_forms(None) == 0
    text = html.unescape(" ".join(rg.guide_findings(annex, milestone="T12", n_forms=4, previous_milestone="T6",
                                                    n_previous_forms=2)))
    assert '<a href="guide_pratiques.html">' in text
    # cohesion_equipe −25 points, outils_moyens new; the other two stable (see test_render_guide_with_annex)
    assert "en baisse : Cohésion d'équipe (−25,0 points)" in text and "nouveaux : Outils et moyens" in text
    assert "en hausse" not in text
    assert "Prudence : avec seulement 4 fiche(s) au jalon T12 et 2 fiche(s) au jalon T6" in text
    moves = gd.annex_movements(annex)
    assert list(moves["baisse"]["theme"]) == ["cohesion_equipe"] and list(moves["nouveau"]["theme"]) == ["outils_moyens"]
    first = rg.guide_findings(gd.guide_evidence(guide, coding, fiches, codebook=D.CODEBOOK), milestone="T0", n_forms=4,
                              link=None, label=False)
    assert first[0].startswith("Le guide des pratiques managériales est rendu") and "Premier jalon" in first[1]
    none = rg.guide_findings(annex, milestone="T0", n_forms=0)
    assert len(none) == 1 and "aucune fiche d'immersion" in none[0]
    shown = rg.annex_display(annex, previous_milestone="T6")
    assert list(shown.columns) == ["Thème", "Fiches qui l'évoquent", "Part des fiches", "Part au jalon T6",
                                   "Évolution depuis T6"]
    assert shown.iloc[-1]["Thème"] == "Cohésion d'équipe"  # largest fall last
    no_prev = rg.annex_display(gd.guide_evidence(guide, coding, fiches, codebook=D.CODEBOOK))
    assert list(no_prev.columns) == ["Thème", "Fiches qui l'évoquent", "Part des fiches"]


def test_render_guide_without_any_form(guide_path, tmp_path):
    out = tmp_path / "T0" / "guide_pratiques.html"
    res = rg.render_guide(guide_path, None, None, out, "T0", codebook=D.CODEBOOK)
    page = out.read_text(encoding="utf-8")
    assert "Aucune fiche d'immersion n'est disponible au jalon T0" in page
    assert "<table class=\"ducos-tableau\"" not in page  # no empty table
    assert (res.annex["n_fiches"] == 0).all()


def test_render_guide_says_what_changed(guide_path, forms, tmp_path):
    coding, fiches = forms
    previous = gd.theme_frequencies(coding, fiches, until="2026-06-30")
    rg.render_guide(guide_path, coding, fiches, tmp_path / "g.html", "T12", previous, previous_milestone="T6",
                    codebook=D.CODEBOOK)
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    assert "À retenir pour la mise à jour du guide" in page
    assert "en baisse : Cohésion d'équipe (−25,0 points)" in html.unescape(page)
    assert "2 fiche(s) au jalon T6" in page


def test_guide_renders_on_sample_without_personal_data(isolated_env, tmp_path):
    from test_leaks import find_leaks, sensitive_values

    from conftest import ROOT, SAMPLE
    from ducos_lib import text
    from ducos_lib.ingest import load_milestone

    ms = load_milestone("T12", SAMPLE)
    assert ms.previous_milestones == ["T0", "T6"]
    coding = text.code_fiches(ms.fiches_immersion)
    previous = gd.theme_frequencies(coding, ms.fiches_immersion, until=ms.dates["T6"])
    assert gd.count_forms(ms.fiches_immersion, until=ms.dates["T6"]) == load_milestone("T6", SAMPLE).fiches_immersion[
        "id_fiche"].nunique()  # same forms as the previous milestone sees
    out = tmp_path / "guide_pratiques.html"
    res = rg.render_guide(ROOT / "guide" / "guide_pratiques.md", coding, ms.fiches_immersion, out, "T12", previous,
                          previous_milestone="T6", milestone_date=ms.date, roster=text.load_roster(SAMPLE))
    page = out.read_text(encoding="utf-8")
    assert 'id="annexe"' in page and "Annexe : ce que disent les immersions (jalon T12)" in page
    assert "depuis T6" in page and "<blockquote>" in page
    assert len(res.annex) == len(res.guide.themes) and res.annex["n_fiches"].sum() > 0
    assert res.annex["evolution"].ne("–").all()
    secrets = sensitive_values(SAMPLE)
    assert all(secrets[k] for k in ("noms", "identifiants", "emails", "telephones"))  # the scan has something to find
    assert find_leaks(page, secrets) == []
    assert find_leaks(res.annex.to_csv(index=False), secrets) == []


