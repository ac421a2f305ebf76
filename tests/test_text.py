"""Tests of the French text pipeline: tokens, codebook rules, analyses, agreement (the learned coder is in
test_text_coder.py, redaction in test_redaction.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ducos_lib import text as tx
from ducos_lib.redaction import Roster, normalise, redact
from ducos_lib.reports import immersions as im
from ducos_lib.text.summaries import _theme_sentences

FIXTURE = Path(__file__).parent / "fixtures" / "codage_annote.csv"
ROSTER = Roster.build(
    ["Marie-Claire Lagier", "Jean Martin", "Pierre Blanc", "Rose Petit", "Éloïse Théodore", "Louis-Joseph"]
)


@pytest.fixture(scope="module")
def codebook():
    return tx.load_codebook()


# --- codebook and agreement -------------------------------------------------------------------------


def test_codebook_has_the_nine_themes_with_version(codebook):
    assert codebook.codes == [
        "accueil_usagers", "organisation_travail", "communication_interne", "management_encadrement",
        "cohesion_equipe", "competences_formation", "outils_moyens", "conditions_travail", "transversalite",
    ]
    assert codebook.version and codebook.date_validation
    for theme in codebook.themes:
        assert theme.libelle and theme.definition and theme.motifs and theme.exemples
        # each theme's own examples are coded with it
        assert all(theme.matches(tx.matching_text(e)) for e in theme.exemples), theme.code


def test_agreement_with_hand_labels(codebook):
    gold_frame = pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)
    assert len(gold_frame) >= 150
    gold = tx.labels_to_indicators(gold_frame["themes"], codebook.codes)
    assert gold.any().all(), "every theme must appear in the hand labels"
    assert (~gold.any(axis=1)).sum() >= 10, "answers with no theme must be present"
    coded = tx.code_texts(gold_frame["texte"], codebook, method="regles")
    overall = tx.agreement(coded, gold)
    print(f"\nCodebook {codebook.version} — accord avec le codage humain ({len(gold_frame)} réponses)")
    print(overall.round(3).to_string(index=False))
    for lot, rows in gold_frame.groupby("lot", sort=False):
        res = tx.agreement(coded.loc[rows.index], gold.loc[rows.index])
        print(f"lot {lot:<14} n={len(rows):>3}  kappa moyen = {res['kappa'].mean():.3f}")
    mean_kappa = overall["kappa"].mean()
    print(f"kappa moyen (tous lots) = {mean_kappa:.3f}")
    assert mean_kappa >= 0.6


# --- residents' codebook (survey comments) -----------------------------------------------------------

RESIDENTS_FIXTURE = Path(__file__).parent / "fixtures" / "commentaires_usagers_annotes.csv"


@pytest.fixture(scope="module")
def residents():
    return tx.load_codebook(tx.codebook_path("usagers"))


def test_codebook_paths_come_from_configuration(residents):
    assert tx.codebook_path("immersions").name == "codebook.yml"
    assert tx.codebook_path("usagers").name == "codebook_usagers.yml"
    assert tx.codebook_path("usagers", {"textes": {"codebook_usagers": "/x/autre.yml"}}) == Path("/x/autre.yml")
    assert tx.codebook_path("usagers", {}).name == "codebook_usagers.yml"  # no ``textes`` key: default file
    with pytest.raises(ValueError, match="immersions, usagers"):
        tx.codebook_path("agents")
    assert residents.jeu_annote == RESIDENTS_FIXTURE.resolve() or residents.jeu_annote.samefile(RESIDENTS_FIXTURE)


def test_residents_codebook_structure(residents, codebook):
    assert residents.version and residents.date_validation and residents.public
    assert 8 <= len(residents.codes) <= 12
    assert not set(residents.codes) & set(codebook.codes)  # its own themes, not the staff ones
    for theme in residents.themes:
        assert theme.libelle and theme.definition and theme.motifs and theme.exemples
        assert all(theme.matches(tx.matching_text(e)) for e in theme.exemples), theme.code
    assert residents.accord_aveugle and all(isinstance(b, tx.BlindAgreement) for b in residents.accord_aveugle)


@pytest.mark.parametrize(
    ("comment", "themes"),
    [
        ("Les vestiaires du stade sont sales.", {"proprete_cadre_de_vie"}),
        ("Personne ne répond au téléphone, j'ai appelé plusieurs fois.", {"joignabilite"}),
        ("pas d'acceuil, agent desagreable", {"accueil_amabilite"}),  # misspelling, no accents
        ("Pas d'information sur l'avancement de mon dossier.", {"information_orientation"}),  # negation counts
        ("Bonne ecoute, on m'a bien explique la marche a suivre.", {"accueil_amabilite", "information_orientation"}),
        ("Trop d'attente au guichet, plus d'une heure pour un simple papier.", {"delais_attente"}),
        ("Pas de place pour se garer devant la mairie.", {"horaires_acces"}),
        ("Stationnement gênant devant l'école jamais contrôlé.", {"proprete_cadre_de_vie"}),
        ("Bravo à toute l'équipe.", set()),
        ("Moyen.", set()),
        ("Vous pouvez me rappeler au [TÉLÉPHONE].", set()),  # contact details are not a theme
    ],
)
def test_residents_codebook_examples(residents, comment, themes):
    coded = tx.code_texts(pd.Series([comment]), residents, method="regles").iloc[0]
    assert set(coded.index[coded]) == themes


def test_residents_agreement_with_hand_labels(residents):
    gold_frame = pd.read_csv(RESIDENTS_FIXTURE, dtype=str, keep_default_na=False)
    assert len(gold_frame) >= 100
    gold = tx.labels_to_indicators(gold_frame["themes"], residents.codes)
    assert gold.any().all(), "every theme must appear in the hand labels"
    assert (~gold.any(axis=1)).sum() >= 10, "comments with no theme must be present"
    assert (gold.sum(axis=1) >= 2).sum() >= 15, "comments with several themes must be present"
    coded = tx.code_texts(gold_frame["texte"], residents, method="regles")
    overall = tx.agreement(coded, gold)
    print(f"\nCodebook usagers {residents.version} — accord avec le codage humain ({len(gold_frame)} commentaires)")
    print(overall.round(3).to_string(index=False))
    per_lot = {}
    for lot, rows in gold_frame.groupby("lot", sort=False):
        res = tx.agreement(coded.loc[rows.index], gold.loc[rows.index])
        per_lot[lot] = (len(rows), float(res["kappa"].mean()))
        print(f"lot {lot:<14} n={len(rows):>3}  kappa moyen = {res['kappa'].mean():.3f}")
    mean_kappa = overall["kappa"].mean()
    print(f"kappa moyen (tous lots) = {mean_kappa:.3f}")
    blind = [b for b in residents.accord_aveugle if b.version == residents.version]
    for b in blind:
        n, kappa = per_lot[b.lot]
        print(f"à l'aveugle (lot {b.lot}, écrit après le gel des motifs {b.version}) : kappa moyen = {kappa:.3f} "
              f"(enregistré dans le codebook : {b.kappa:.3f})")
        # Patterns changed without a new version: the recorded blind figure no longer describes them.
        assert n == b.n and kappa == pytest.approx(b.kappa, abs=5e-4), "changer la version du codebook"
    assert mean_kappa >= 0.6


def test_blind_agreement_is_configuration(tmp_path, codebook):
    assert [(b.version, b.lot, b.n) for b in codebook.accord_aveugle] == [("1.0.0", "controle", 65),
                                                                          ("1.1.0", "controle_2", 45)]
    base = (tx.codebook_path("usagers")).read_text(encoding="utf-8")
    bad = tmp_path / "cb.yml"
    bad.write_text(base.replace("lot: controle, ", ""), encoding="utf-8")
    with pytest.raises(ValueError, match="« lot »"):
        tx.load_codebook(bad)
    bad.write_text(base.replace("kappa: 0.", "kappa: 9"), encoding="utf-8")
    with pytest.raises(ValueError, match="kappa entre -1 et 1"):
        tx.load_codebook(bad)


def test_agreement_kappa_matches_hand_computation():
    gold = pd.DataFrame({"t": [True, True, False, False, False, True]})
    coded = pd.DataFrame({"t": [True, False, False, False, True, True]})
    res = tx.agreement(coded, gold).iloc[0]
    # po = 4/6, pe = 0.5*0.5 + 0.5*0.5 = 0.5 → kappa = (2/3 - 1/2) / (1/2) = 1/3
    assert res["kappa"] == pytest.approx(1 / 3)
    assert res["precision"] == pytest.approx(2 / 3) and res["rappel"] == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("answer", "theme"),
    [
        ("pas assez de réunions", "communication_interne"),
        ("Aucune formation n'est proposée", "competences_formation"),
        ("reunions trop longues", "communication_interne"),
        ("l'acceuil du public", "accueil_usagers"),
        ("comunication inexistante", "communication_interne"),
        ("equipe tres soudee", "cohesion_equipe"),
        ("Les agents communiquent peu", "communication_interne"),
    ],
)
def test_negations_and_misspellings_still_code(codebook, answer, theme):
    coded = tx.code_texts(pd.Series([answer]), codebook, method="regles").iloc[0]
    assert coded[theme]


def test_exclusions_and_no_theme(codebook):
    coded = tx.code_texts(
        pd.Series(["J'ai été très bien accueillie par toute l'équipe.", "RAS", None, "En moyenne 62 ans."]),
        codebook, method="regles",
    )
    assert not coded.loc[0, "accueil_usagers"] and coded.loc[0, "cohesion_equipe"]
    assert not coded.loc[1:].any().any()


# --- normalisation, tokens, lemmas -------------------------------------------------------------------


def test_normalise_apostrophes_quotes_spaces():
    assert normalise("L\u2019accueil\u00a0 est\t«\u00a0top\u00a0»") == "L'accueil est \" top \""
    assert normalise("d\u2018abord d`ici d´ailleurs") == "d'abord d'ici d'ailleurs"
    assert normalise("e\u0301quipe") == "équipe"  # NFD → NFC
    assert normalise(None) == "" and normalise(np.nan) == "" and normalise(pd.NA) == ""


def test_tokenise_splits_elisions():
    assert tx.tokenise("L\u2019accueil n'est pas qu'une affaire d'agents, jusqu'à lorsqu'il")[:8] == [
        "l'", "accueil", "n'", "est", "pas", "qu'", "une", "affaire"
    ]
    assert "jusqu'" in tx.tokenise("jusqu'à") and "lorsqu'" in tx.tokenise("lorsqu'il")
    assert tx.tokenise("aujourd'hui le bouche-à-oreille") == ["aujourd'hui", "le", "bouche-à-oreille"]
    assert tx.tokenise("Appeler [NOM]") == ["appeler", "[NOM]"]


def test_lemmas_keep_negations_and_drop_stop_words():
    out = tx.lemmas("L'accueil n'est pas assez rapide, sans aucun rendez-vous ni jamais de réunions")
    assert "accueil" in out and "réunion" in out
    for neg in ("ne", "pas", "sans", "aucun", "ni", "jamais"):
        assert neg in out
    assert "le" not in out and "de" not in out
    assert {"pas", "plus", "moins", "sans", "ni", "rien", "jamais", "aucun"}.isdisjoint(tx.STOP_WORDS)
    assert tx.lemmas("réunions équipes", accents=False) == ["reunion", "equipe"]


# --- redaction ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "0696 12 34 56", "06 96 12 34 56", "0696123456", "+596 696 12 34 56", "+596696123456",
        "0596.12.34.56", "05 96 12-34-56", "00596 596 12 34 56", "+33 6 12 34 56 78", "01 23 45 67 89",
        "0596 56 12 34", "+596 596 77 12 34",
    ],
)
def test_redact_phones_france_and_overseas(phone):
    assert redact(f"Joindre au {phone} le matin.") == "Joindre au [TÉLÉPHONE] le matin."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Écrire à marie-claire.lagier@ville-ducos.fr svp", "Écrire à [EMAIL] svp"),
        ("Merci à Mme Joseph pour son accueil", "Merci à Mme [NOM] pour son accueil"),
        ("M. Louis-Joseph et Madame Rose-Marie Saint-Cyr", "M. [NOM] et Madame [NOM]"),
        ("Mlle DUPONT, Dr Alexis, Monsieur Jean Bellemare.", "Mlle [NOM], Dr [NOM], Monsieur [NOM]."),
        ("Monsieur le Maire et Madame la Directrice", "Monsieur le Maire et Madame la Directrice"),
        ("Réunion au 12 rue Victor Hugo, 97224 Ducos.", "Réunion au [ADRESSE], [CODE POSTAL] Ducos."),
        ("Le dépôt du 3 chemin de la Source mérite un rangement", "Le dépôt du [ADRESSE] mérite un rangement"),
        ("Au 15 bis allée des Flamboyants à Ducos", "Au [ADRESSE] à Ducos"),
        ("Au 7 lotissement Les Hauts de Champigny, 97224", "Au [ADRESSE], [CODE POSTAL]"),
        ("Code postal 97224 ou 97200", "Code postal [CODE POSTAL] ou [CODE POSTAL]"),
    ],
)
def test_redact_patterns(raw, expected):
    assert redact(raw) == expected


def test_redact_roster_names_accent_and_case_insensitive():
    out = redact("lagier, LAGIER et eloise theodore ont vu Jean Martin; Louis-Joseph aussi.", ROSTER)
    assert out == "[NOM], [NOM] et [NOM] [NOM] ont vu [NOM] [NOM]; [NOM] aussi."


def test_redact_roster_names_that_are_common_words():
    out = redact("Pierre Blanc a repeint le mur en blanc. Petit à petit, Rose Petit progresse.", ROSTER)
    assert out == "[NOM] [NOM] a repeint le mur en blanc. Petit à petit, [NOM] [NOM] progresse."
    assert redact("Une pierre tombe. Pierre est venu.", ROSTER) == "Une pierre tombe. [NOM] est venu."
    assert redact("Le martin-pêcheur est un oiseau.", ROSTER) == "Le martin-pêcheur est un oiseau."


@pytest.mark.parametrize(
    "ordinary",
    [
        "Pas assez de réunions d'équipe, l'accueil est bon à 80 %.",
        "Le 12/03/2024, 150 euros de fournitures et 3 places de parking.",
        "Il y a 2 cours de formation par an et 10 agents sur 25.",
        "Matricule 972240001 hors champ ; réunion à 14 h 30.",
        "Les usagers attendent 45 minutes en moyenne au guichet.",
        "Madame la Directrice générale des services a validé.",
    ],
)
def test_redact_leaves_ordinary_text_alone(ordinary):
    assert redact(ordinary, ROSTER) == ordinary


# --- analyses ----------------------------------------------------------------------------------------


def _fiches(n: int = 12) -> pd.DataFrame:
    pf = ["Très bon accueil des usagers.", "Ambiance conviviale et entraide.", "RAS", None]
    ax = ["Pas assez de réunions.", "Logiciel lent, ordinateurs anciens.", "Bureaux trop chauds.", ""]
    pr = ["Former les agents au logiciel.", "Créer un groupe inter-services.",
          "Contacter Mme Lagier au 0696 12 34 56.", "Rien"]
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "id_fiche": [f"F{i:03d}" for i in range(n)],
            "date_immersion": pd.date_range("2025-02-01", periods=n, freq="D"),
            "type_immersion": ["inter", "intra"] * (n // 2),
            "service_accueil": ["ETC", "ST", "CCAS"] * (n // 3),
            "service_origine": ["ST", "CCAS", "ETC"] * (n // 3),
            "id_accueilli": [f"P{i:012x}" for i in range(n)],
            "points_forts": [pf[i % 4] for i in range(n)],
            "axes_progression": [ax[i % 4] for i in range(n)],
            "propositions": [pr[i % 4] for i in range(n)],
        }
    )
    for theme in tx.load_codebook().codes:
        frame[f"note_{theme}"] = rng.integers(1, 6, n).astype(float)
    frame.loc[0, "note_accueil_usagers"] = np.nan
    for col in ("id_fiche", "type_immersion", "service_accueil", "service_origine", "id_accueilli",
                "points_forts", "axes_progression", "propositions"):
        frame[col] = frame[col].astype("str")
    return frame


def test_code_fiches_and_coverage_columns(codebook):
    fiches = _fiches()
    coding = tx.code_fiches(fiches, codebook)
    assert list(coding.columns) == ["id_fiche", "champ", "theme"]
    assert set(coding["champ"]) <= set(tx.FIELDS) and set(coding["theme"]) <= set(codebook.codes)
    assert ("F000", "points_forts", "accueil_usagers") in set(map(tuple, coding.to_numpy()))
    assert not coding.duplicated().any()
    cov = tx.theme_coverage(fiches, coding, codebook)
    assert list(cov.columns) == ["champ", "theme", "n_fiches", "part_fiches"]
    assert len(cov) == 3 * 9 and cov["part_fiches"].between(0, 1).all()
    row = cov.set_index(["champ", "theme"]).loc[("points_forts", "accueil_usagers")]
    # 12 forms, 3 with "accueil"; blanks (None) are not in the denominator: 9 non-empty answers
    assert row["n_fiches"] == 3 and row["part_fiches"] == pytest.approx(3 / 9)
    all_forms = tx.theme_coverage(fiches, coding, codebook, denominator="toutes")
    assert all_forms.set_index(["champ", "theme"]).loc[("points_forts", "accueil_usagers"), "part_fiches"] == 0.25
    with pytest.raises(ValueError, match="non_vide"):
        tx.theme_coverage(fiches, coding, codebook, denominator="x")


def test_specificities_match_hand_computation():
    table = pd.DataFrame([[10, 0], [0, 10]], index=["a", "b"], columns=["x", "y"])
    res = tx.specificities(table).set_index(["ligne", "colonne"])
    # E = 5 everywhere: standardised (10-5)/sqrt(5); adjusted / sqrt(0.5*0.5)
    assert res.loc[("a", "x"), "residu_standardise"] == pytest.approx(5 / np.sqrt(5))
    assert res.loc[("a", "x"), "residu_ajuste"] == pytest.approx(5 / np.sqrt(5) / 0.5)
    assert res.loc[("a", "y"), "residu_ajuste"] == pytest.approx(-5 / np.sqrt(5) / 0.5)


def test_theme_by_group_cooccurrence_quotes_ratings(codebook):
    fiches = _fiches()
    coding = tx.code_fiches(fiches, codebook)
    by_service = tx.theme_by_group(fiches, coding, "service_accueil", codebook=codebook)
    assert list(by_service.columns) == [
        "theme", "groupe_variable", "groupe", "n_fiches_groupe", "n_fiches", "part_fiches", "attendu",
        "residu_standardise", "residu_ajuste",
    ]
    assert len(by_service) == 9 * 3 and by_service["n_fiches_groupe"].eq(4).all()
    by_type = tx.theme_by_group(fiches, coding, "type_immersion", champ="propositions", codebook=codebook)
    assert set(by_type["groupe"]) == {"inter", "intra"}

    co = tx.theme_cooccurrence(coding, codebook)
    assert list(co.columns) == ["theme_a", "theme_b", "n", "jaccard"] and len(co) == 81
    pair = co.set_index(["theme_a", "theme_b"])
    assert pair.loc[("outils_moyens", "competences_formation"), "n"] == 3  # "Former … au logiciel"
    assert pair.loc[("competences_formation", "outils_moyens"), "n"] == 3

    quotes = tx.representative_quotes(fiches, coding, codebook, n=2, roster=["Lagier"])
    assert list(quotes.columns) == ["theme", "rang", "id_fiche", "champ", "citation"]
    assert not quotes["citation"].str.contains("Lagier|0696").any()
    assert quotes.equals(tx.representative_quotes(fiches, coding, codebook, n=2, roster=["Lagier"]))

    ratings = tx.ratings_by_theme(fiches, codebook=codebook)
    assert list(ratings.columns) == [
        "theme", "groupe_variable", "groupe", "n", "moyenne", "ecart_type", "ic_bas", "ic_haut", "methode",
    ]
    overall = ratings.query("theme == 'accueil_usagers' and groupe_variable == 'ensemble'").iloc[0]
    values = fiches["note_accueil_usagers"].dropna()
    assert overall["n"] == 11 and overall["moyenne"] == pytest.approx(values.mean())
    half = 2.2281388519649385 * values.std(ddof=1) / np.sqrt(11)  # t(0.975, 10)
    assert overall["ic_haut"] - overall["moyenne"] == pytest.approx(half)
    assert set(ratings["groupe_variable"]) == {"ensemble", "service_accueil", "type_immersion"}


def _uncoded_corpus(n: int = 60) -> pd.Series:
    bank = [
        "La navette du personnel arrive en retard le matin et les agents attendent au dépôt",
        "Le cyclone a endommagé la toiture du gymnase, dossier assurance en cours",
        "Les élections mobilisent tout le monde pendant deux semaines au printemps",
        "La navette du personnel ne passe pas par le quartier Bac ni par Champigny",
        "Après le cyclone, le nettoyage des ravines a pris plusieurs semaines",
        "Les élections européennes ont demandé beaucoup de bénévoles au bureau de vote",
    ]
    suffix = ["", " cette année", " comme souvent", " selon Mme Lagier", " vraiment", " encore"]
    return pd.Series([bank[i % 6] + suffix[(i // 6) % 6] for i in range(n)], index=[f"k{i}" for i in range(n)])


def test_emerging_themes_identical_for_fixed_seed():
    texts = _uncoded_corpus()
    a = tx.emerging_themes(texts, k_range=range(2, 5), n_seeds=3, random_state=7, roster=["Lagier"])
    b = tx.emerging_themes(texts, k_range=range(2, 5), n_seeds=3, random_state=7, roster=["Lagier"])
    assert not a.empty and a.reason is None and 2 <= a.k <= 4
    pd.testing.assert_frame_equal(a.topics, b.topics)
    pd.testing.assert_frame_equal(a.examples, b.examples)
    pd.testing.assert_frame_equal(a.stability, b.stability)
    assert list(a.topics.columns) == ["theme_emergent", "rang", "mot", "poids"]
    assert not a.examples["citation"].str.contains("Lagier").any()
    assert {"navette", "cyclone", "election"} & set(a.topics["mot"])


def test_emerging_themes_degrade_with_few_answers():
    res = tx.emerging_themes(_uncoded_corpus(5))
    assert res.empty and res.k == 0 and res.reason.startswith("trop_peu_de_reponses:")
    assert im.emerging_reason(res).startswith("Trop peu de réponses non codées (")
    assert list(res.topics.columns) == ["theme_emergent", "rang", "mot", "poids"]


def test_uncoded_answers(codebook):
    fiches = _fiches()
    coding = tx.code_fiches(fiches, codebook)
    out = tx.uncoded_answers(fiches, coding, min_words=1)
    assert "F002|points_forts" in out.index  # "RAS"
    assert "F000|points_forts" not in out.index


def test_themes_commentaires_by_wave(codebook):
    comments = pd.Series(["Accueil au guichet très long", "Personnel aimable, contacter M. Dupont au 0696 11 22 33",
                          None, "Rien à dire", "Le standard ne répond pas"])
    waves = pd.Series(["T0", "T0", "T0", "T6", "T6"])
    res = tx.themes_commentaires(comments, waves, codebook=codebook)
    assert list(res.counts.columns) == ["groupe", "theme", "n_commentaires", "n_total", "part"]
    t0 = res.counts.set_index(["groupe", "theme"]).loc[("T0", "accueil_usagers")]
    assert t0["n_total"] == 2 and t0["n_commentaires"] == 2
    assert list(res.examples.columns) == ["groupe", "theme", "rang", "cle", "citation"]
    assert not res.examples["citation"].str.contains("Dupont|0696").any()
    assert res.codebook_version == codebook.version


# --- report helpers (notebook 02_immersions) ---------------------------------------------------------


@pytest.fixture(scope="module")
def analysed(codebook):
    fiches = _fiches(24)
    coding = tx.code_fiches(fiches, codebook)
    return fiches, coding


def test_forms_overview_counts_and_total(analysed):
    fiches, _ = analysed
    tab = im.forms_overview(fiches, {"ETC": "État civil"})
    assert list(tab.columns) == ["service_accueil", "libelle", "inter", "intra", "total"]
    assert tab.iloc[-1]["service_accueil"] == "Ensemble" and tab.iloc[-1]["total"] == 24
    assert (tab["inter"] + tab["intra"] == tab["total"]).all()
    assert tab.set_index("service_accueil").loc["ETC", "libelle"] == "État civil"
    assert im.forms_overview(fiches.iloc[:0]).empty


def test_strengths_vs_areas_reading(codebook):
    cov = pd.DataFrame(
        [(c, t, 0, 0.0) for c in tx.FIELDS for t in codebook.codes], columns=["champ", "theme", "n_fiches", "part_fiches"]
    )
    cov.loc[(cov["champ"] == "points_forts") & (cov["theme"] == "cohesion_equipe"), ["n_fiches", "part_fiches"]] = [3, 0.3]
    cov.loc[(cov["champ"] == "axes_progression") & (cov["theme"] == "outils_moyens"), ["n_fiches", "part_fiches"]] = [4, 0.4]
    res = im.strengths_vs_areas(cov, codebook).set_index("theme")
    assert res.loc["cohesion_equipe", "lecture"] == "plutôt un point fort"
    assert res.loc["outils_moyens", "lecture"] == "plutôt un axe de progression"
    assert res.loc["accueil_usagers", "lecture"] == "équilibré"
    assert res.loc["outils_moyens", "ecart"] == pytest.approx(-0.4)
    assert res.loc["cohesion_equipe", "libelle"] == "Cohésion d'équipe"


def test_group_specificities_drop_small_groups_and_flag(codebook):
    n = 40
    fiches = pd.DataFrame({
        "id_fiche": [f"F{i}" for i in range(n)],
        "service_accueil": ["A"] * 18 + ["B"] * 18 + ["C"] * 4,
    })
    # A: every form mentions outils_moyens; B: every form mentions cohesion_equipe; C (4 forms) both
    rows = [(f"F{i}", "axes_progression", "outils_moyens") for i in range(18)]
    rows += [(f"F{i}", "points_forts", "cohesion_equipe") for i in range(18, 36)]
    rows += [(f"F{i}", "points_forts", t) for i in range(36, 40) for t in ("outils_moyens", "cohesion_equipe")]
    coding = pd.DataFrame(rows, columns=["id_fiche", "champ", "theme"])
    spec = tx.group_specificities(fiches, coding, "service_accueil", codebook=codebook, min_fiches=5,
                                  group_labels={"A": "Service A"})
    assert set(spec["groupe"]) == {"A", "B"}  # C has fewer than 5 forms
    cell = spec.set_index(["groupe", "theme"]).loc[("A", "outils_moyens")]
    assert cell["sens"] == "sur-représenté" and cell["part_fiches"] == 1.0 and cell["part_autres"] == 0.0
    assert spec.set_index(["groupe", "theme"]).loc[("A", "cohesion_equipe"), "sens"] == "sous-représenté"
    sentences = im.specificity_sentences(spec)
    assert sentences[0].startswith("Service A : « Outils et moyens » cité dans 100")
    assert "sur-représenté" in sentences[0]
    # fewer than two groups left: nothing to compare
    assert tx.group_specificities(fiches, coding, "service_accueil", codebook=codebook, min_fiches=19).empty


def test_type_comparison_is_symmetric(analysed, codebook):
    fiches, coding = analysed
    spec = tx.group_specificities(fiches, coding, "type_immersion", codebook=codebook, min_fiches=5)
    types = tx.type_comparison(spec)
    assert list(types.columns) == ["theme", "libelle", "part_inter", "part_intra", "ecart", "residu_ajuste", "sens"]
    intra = spec[spec["groupe"] == "intra"].set_index("theme")["residu_ajuste"]
    for r in types.dropna(subset=["residu_ajuste"]).itertuples():
        assert r.residu_ajuste == pytest.approx(-intra[r.theme])
        assert r.ecart == pytest.approx(r.part_inter - r.part_intra)
    assert tx.type_comparison(spec.iloc[:0]).empty


def test_cooccurrence_pairs_unordered_top(analysed, codebook):
    _, coding = analysed
    cooc = tx.theme_cooccurrence(coding, codebook)
    pairs = tx.cooccurrence_pairs(cooc, codebook, top=3)
    assert len(pairs) <= 3 and (pairs["theme_a"] != pairs["theme_b"]).all()
    assert pairs["n"].is_monotonic_decreasing
    assert not set(zip(pairs["theme_a"], pairs["theme_b"])) & set(zip(pairs["theme_b"], pairs["theme_a"]))


def test_mask_ratings_below_threshold(analysed, codebook):
    fiches, _ = analysed
    ratings = tx.ratings_by_theme(fiches, "service_accueil", codebook=codebook)
    masked = tx.mask_ratings(ratings, 9)
    small = masked["n"] < 9
    assert masked.loc[small, ["moyenne", "ic_bas", "ic_haut", "ecart_type"]].isna().all().all()
    assert masked.loc[small, "masque"].all() and not masked.loc[~small, "masque"].any()
    assert masked.loc[~small, "moyenne"].equals(ratings.loc[~small, "moyenne"])


def test_theme_sentences_trim(codebook):
    themes = {t.code: t for t in codebook.themes}
    text = "Il a beaucoup plu ce jour-là. Former les agents au nouveau logiciel."
    assert _theme_sentences(text, themes["competences_formation"]) == (
        "[…] Former les agents au nouveau logiciel.")
    assert _theme_sentences("- Former les agents.", themes["competences_formation"]) == "Former les agents."
    assert _theme_sentences("Rien à voir. Vraiment rien.", themes["competences_formation"]) == (
        "Rien à voir. Vraiment rien.")


def test_proposals_briefing_redacted_grouped_and_exported_columns(codebook):
    fiches = _fiches(24)
    fiches.loc[3, "propositions"] = "Former les agents au logiciel, voir avec Rose Petit au 0696 12 34 56."
    coding = tx.code_fiches(fiches, codebook)
    brief = tx.proposals_briefing(fiches, coding, codebook, n=2, roster=ROSTER)
    assert list(brief.columns) == ["theme", "libelle", "n_fiches", "part_fiches", "rang", "id_fiche",
                                   "proposition_redigee"]
    assert set(brief["theme"]) == set(codebook.codes)  # every theme, zero-mention ones with rank 0
    assert brief.groupby("theme")["rang"].max().le(2).all()
    assert brief["n_fiches"].is_monotonic_decreasing
    text = " ".join(brief["proposition_redigee"])
    assert "Petit" not in text and "0696" not in text and "Lagier" not in text
    zero = brief[brief["n_fiches"] == 0]
    assert (zero["rang"] == 0).all() and (zero["proposition_redigee"] == "").all()
    shown = im.briefing_display(brief)
    assert list(shown.columns) == ["Thème", "Fiches", "Proposition (caviardée)"]
    assert shown["Thème"].ne("").sum() == brief["theme"].nunique()


def test_uncoded_examples_redacted(codebook):
    unc = pd.Series(["Appeler Mme Lagier au 0596 12 34 56 demain", "La coupure d'eau a duré"],
                    index=["F1|propositions", "F2|points_forts"])
    ex = im.uncoded_examples(unc, n=5, roster=ROSTER)
    assert list(ex["champ"]) == ["Propositions", "Points forts"]
    assert "Lagier" not in ex["citation"].iloc[0] and "[TÉLÉPHONE]" in ex["citation"].iloc[0]
    assert im.uncoded_examples(unc.iloc[:0]).empty


def test_period_comparison_fisher(codebook):
    fiches = pd.DataFrame({
        "id_fiche": [f"F{i}" for i in range(20)],
        "date_immersion": pd.to_datetime(["2026-01-10"] * 10 + ["2026-08-10"] * 10),
        "points_forts": ["x"] * 20, "axes_progression": ["x"] * 20, "propositions": ["x"] * 20,
    })
    coding = pd.DataFrame([(f"F{i}", "axes_progression", "outils_moyens") for i in list(range(2)) + list(range(10, 18))],
                          columns=["id_fiche", "champ", "theme"])
    res = tx.period_comparison(fiches, coding, "2026-05-15", codebook).set_index(["champ", "theme"])
    row = res.loc[("axes_progression", "outils_moyens")]
    assert (row["n_avant"], row["base_avant"], row["n_apres"], row["base_apres"]) == (2, 10, 8, 10)
    assert row["difference"] == pytest.approx(0.6)
    # Fisher exact, two-sided, table [[2, 8], [8, 2]]: p = 0.02301 (R: fisher.test(matrix(c(2,8,8,2),2)))
    assert row["p_valeur"] == pytest.approx(0.023014, abs=1e-5)


def test_hand_labelled_agreement_summary(codebook):
    acc = tx.hand_labelled_agreement(FIXTURE, codebook)
    assert acc.n >= 150 and acc.mean_kappa >= 0.6
    assert set(acc.per_lot["lot"]) >= {"developpement", "controle", "controle_2"}
    assert acc.codebook_version == codebook.version and acc.blind == codebook.accord_aveugle
    assert "libelle" in acc.per_theme.columns
    with pytest.raises(FileNotFoundError, match="introuvable"):
        tx.hand_labelled_agreement(FIXTURE.with_name("absent.csv"), codebook)


def test_key_findings_from_tables(analysed, codebook):
    fiches, coding = analysed
    cov = tx.theme_coverage(fiches, coding, codebook)
    forces = im.strengths_vs_areas(cov, codebook)
    notes = tx.mask_ratings(tx.ratings_by_theme(fiches, codebook=codebook))
    types = tx.type_comparison(tx.group_specificities(fiches, coding, "type_immersion", codebook=codebook))
    spec = tx.group_specificities(fiches, coding, "service_accueil", codebook=codebook)
    brief = tx.proposals_briefing(fiches, coding, codebook, roster=ROSTER)
    em = tx.emerging_themes(tx.uncoded_answers(fiches, coding))
    out = im.key_findings(fiches, forces, notes, types, spec, brief, em, date="2026-11-13")
    assert out[0].startswith("<strong>24 fiches d'immersion</strong> analysées jusqu'au 13/11/2026 : 12 inter")
    text = " ".join(out)
    assert "Point fort le plus cité" in text and "sur 5" in text
    summary = tx.coder_summary(codebook)
    from ducos_lib.reports import formats

    assert f"modèle de codage version {summary['version']}" in text
    assert f"kappa de Cohen moyen {formats.number(summary['kappa_aveugle'], 2)}" in text
    assert "Lagier" not in text
    assert im.key_findings(fiches.iloc[:0], forces, notes, types, spec, brief)[0].startswith("Aucune fiche")


def test_emerging_words_restore_accents():
    texts = _uncoded_corpus()
    em = tx.emerging_themes(texts, k_range=range(2, 4), n_seeds=2, random_state=3)
    words = im.emerging_words(em, texts)
    assert list(words.columns) == ["theme_emergent", "mots"] and len(words) == em.k
    assert "élection" in " ".join(words["mots"]) or "election" not in " ".join(em.topics["mot"])


def test_the_tokenizer_pattern_compiled_once_per_machine_is_the_one_spacy_compiles(tmp_path, monkeypatch):
    import re
    from re import _compiler

    from ducos_lib import nlp

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    pattern = nlp._token_pattern()
    assert len(pattern) > 1_000_000  # spaCy's French hyphenated and elided words
    re._cache.pop((str, pattern, 0), None)
    nlp._precompile_token_pattern()  # compiles, keeps the program
    assert len(list((tmp_path / "ducos_lib").glob("motif-tokeniseur-*.bin"))) == 1
    re._cache.pop((str, pattern, 0), None)
    nlp._precompile_token_pattern()  # reads it back
    cached = re._cache[(str, pattern, 0)]
    fresh = _compiler.compile(pattern, 0)
    assert (cached.pattern, cached.flags, cached.groups) == (fresh.pattern, fresh.flags, fresh.groups)
    words = ["grand-mère", "Anti-Inflammatoire", "aujourd'hui", "peut-être", "rendez-vous", "Saint-Pierre",
             "week-end", "c'est-à-dire", "xyz-abc", "porte-monnaie", "l'entr'ouverture", "après-midi"]
    assert [m and m.span() for m in map(cached.match, words)] == [m and m.span() for m in map(fresh.match, words)]
    assert any(cached.match(w) for w in words)
    assert re.compile(pattern) is cached  # what spaCy's own re.compile receives


def test_a_coding_kept_in_the_cache_is_the_one_computed_and_follows_the_texts(tmp_path, monkeypatch):
    fiches = pd.DataFrame({
        "id_fiche": ["F1", "F2", "F3"],
        "points_forts": ["Accueil chaleureux des usagers", "Bonne cohésion d'équipe", None],
        "axes_progression": ["Manque de réunions d'équipe", "Logiciel lent et matériel vétuste", "Planning flou"],
        "propositions": ["Former les agents à l'accueil", None, "Réunion hebdomadaire"],
    })
    computed = tx.code_fiches(fiches)
    assert len(computed) > 0
    kept = tx.code_fiches(fiches, cache=tmp_path)
    pd.testing.assert_frame_equal(kept, computed)
    assert len(list(tmp_path.glob("codage-*.parquet"))) == 1
    monkeypatch.setattr(tx.coding, "_code_fiches", lambda *a: pytest.fail("coded again"))
    pd.testing.assert_frame_equal(tx.code_fiches(fiches, cache=tmp_path), computed)  # read back, same dtypes
    monkeypatch.undo()
    changed = fiches.assign(axes_progression=["Rien à signaler", "Logiciel lent et matériel vétuste", "Planning flou"])
    pd.testing.assert_frame_equal(tx.code_fiches(changed, cache=tmp_path), tx.code_fiches(changed))
    assert len(list(tmp_path.glob("codage-*.parquet"))) == 2
