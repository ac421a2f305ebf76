"""Synthetic sample data (``ducos_lib.synthetic``): reproducibility, formats and planted structure."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from scipy.stats import spearmanr

from ducos_lib.synthetic import DEFAULT_SEED, INVALID_ROWS_SAMPLE, write_sample

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "raw" / "sample"

#: How each file is written (DESIGN §3 allows all of these variants).
FORMATS = {
    "calendrier": dict(encoding="utf-8", sep=","),
    "services": dict(encoding="utf-8", sep=","),
    "population_reference": dict(encoding="utf-8", sep=","),
    "enquete_usagers": dict(encoding="cp1252", sep=";"),
    "fiches_immersion": "xlsx",
    "rh_agents": dict(encoding="cp1252", sep=";"),
    "rh_absences": dict(encoding="utf-8", sep=","),
    "indicateurs_services": dict(encoding="utf-8-sig", sep=";"),
    "autoevaluations": "xlsx",
    "bilan_seminaire": dict(encoding="utf-8", sep=","),
    "barometre_agents": dict(encoding="utf-8", sep=";"),
}
THEMES = ["accueil_usagers", "organisation_travail", "communication_interne", "management_encadrement",
          "cohesion_equipe", "competences_formation", "outils_moyens", "conditions_travail", "transversalite"]
#: DESIGN §3 columns, in the order the generator writes them.
COLUMNS = {
    "calendrier": ["jalon", "date"],
    "services": ["code_service", "libelle", "direction", "alias"],
    "population_reference": ["variable", "modalite", "effectif"],
    "enquete_usagers": ["id_repondant", "vague", "date_reponse", "sexe", "tranche_age", "quartier", "csp", "service",
                        "canal", "satisfaction_globale", "accueil", "delai", "information", "ecoute", "resolution",
                        "recommandation", "temps_attente", "commentaire"],
    "fiches_immersion": ["id_fiche", "date_immersion", "type_immersion", "service_accueil", "service_origine",
                         "id_accueilli", *[f"note_{t}" for t in THEMES], "points_forts", "axes_progression",
                         "propositions"],
    "rh_agents": ["matricule", "nom", "prenom", "sexe", "date_naissance", "service", "statut", "categorie", "filiere",
                  "cadre_emplois", "metier", "date_entree", "date_sortie", "motif_sortie", "quotite",
                  "categorie_active", "encadrant", "boe", "heures_formation", "date_extraction"],
    "rh_absences": ["matricule", "motif", "date_debut", "date_fin"],
    "indicateurs_services": ["code_service", "periode", "indicateur", "valeur"],
    "autoevaluations": ["id_cadre", "temps", "date", "competence", "note"],
    "bilan_seminaire": ["id_participant", "date", "note_organisation", "note_contenu", "note_utilite",
                        "note_globale", "commentaire"],
    "barometre_agents": ["vague", "date_reponse", "direction", "categorie", "sens_travail", "reconnaissance",
                         "soutien_encadrant", "cohesion", "charge_travail", "information", "equipements",
                         "intention_rester", "commentaire"],
}
LIKERT = {"Très insatisfait": 1, "Plutôt insatisfait": 2, "Ni satisfait ni insatisfait": 3, "Plutôt satisfait": 4,
          "Très satisfait": 5}
EXTRACTIONS = {"T0": "2025-11-01", "T6": "2026-05-01", "T12": "2026-11-01"}
PARTICLES = {"de", "d", "du", "des", "l", "la", "le", "les"}


def normalise(name: str) -> str:
    """DESIGN §3 header matching: case, accents, punctuation and particles ignored."""
    text = "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn").lower()
    return "_".join(w for w in re.split(r"[^a-z0-9+]+", text) if w and w not in PARTICLES)


def read(folder: Path, stem: str) -> pd.DataFrame:
    """Read one file as text, with §3 column names."""
    fmt = FORMATS[stem]
    if fmt == "xlsx":
        df = pd.read_excel(folder / f"{stem}.xlsx", dtype=object, engine="openpyxl")
    else:
        df = pd.read_csv(folder / f"{stem}.csv", dtype=str, keep_default_na=False, **fmt)
    df.columns = [normalise(str(c)) for c in df.columns]
    return df


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """The default sample regenerated from the code."""
    out = tmp_path_factory.mktemp("sample")
    write_sample(out)
    return out


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return {stem: read(SAMPLE, stem) for stem in FORMATS}


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


# ---------------------------------------------------------------------------------------------- reproducibility

def test_generator_reproduces_committed_sample(fresh):
    committed, regenerated = files(SAMPLE), files(fresh)
    assert sorted(committed) == sorted(regenerated)
    differing = [name for name in committed if committed[name] != regenerated[name]]
    assert not differing, f"regenerate with write_sample('data/raw/sample'): {differing} differ"


def test_same_seed_same_bytes_other_seed_differs(tmp_path, fresh):
    write_sample(tmp_path / "a", seed=7)
    write_sample(tmp_path / "b", seed=7)
    a, b, default = files(tmp_path / "a"), files(tmp_path / "b"), files(fresh)
    assert a == b
    data = [n for n in a if n not in {"calendrier.csv", "services.csv", "population_reference.csv", "LISEZMOI.md"}]
    assert all(a[n] != default[n] for n in data)


def test_writes_every_file_of_the_contract(fresh):
    names = set(files(fresh))
    expected = {f"{stem}.{'xlsx' if fmt == 'xlsx' else 'csv'}" for stem, fmt in FORMATS.items()}
    assert names == expected | {"LISEZMOI.md"}


def test_scale_two_roughly_doubles_rows(tmp_path, fresh):
    write_sample(tmp_path, scale=2)
    for stem in ("enquete_usagers", "fiches_immersion", "rh_agents", "rh_absences", "autoevaluations",
                 "bilan_seminaire", "barometre_agents"):
        ratio = len(read(tmp_path, stem)) / len(read(fresh, stem))
        assert 1.7 < ratio < 2.3, (stem, ratio)
    assert len(read(tmp_path, "indicateurs_services")) == len(read(fresh, "indicateurs_services"))


@pytest.mark.parametrize("scale", [0, -1, 1.5, "2", True])
def test_bad_scale_is_refused(tmp_path, scale):
    with pytest.raises(ValueError, match="scale"):
        write_sample(tmp_path, scale=scale)


# ---------------------------------------------------------------------------------------------- formats

@pytest.mark.parametrize("stem", list(FORMATS))
def test_columns_match_the_contract(sample, stem):
    assert list(sample[stem].columns) == COLUMNS[stem]


@pytest.mark.parametrize("stem", ["enquete_usagers", "rh_agents"])
def test_windows_1252_semicolon_files(stem):
    raw = (SAMPLE / f"{stem}.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1252")
    header = text.split("\r\n", 1)[0]
    assert "é" in header and header.count(";") == len(COLUMNS[stem]) - 1


def test_rh_agents_decimal_comma_and_french_dates(sample):
    agents = sample["rh_agents"]
    assert agents["quotite"].str.fullmatch(r"\d+,\d").mean() > 0.99
    assert agents["heures_formation"].str.fullmatch(r"\d+,\d").all()
    assert agents["heures_formation"].str.endswith(",5").any()
    assert set(agents["quotite"]) >= {"50,0", "80,0", "90,0", "100,0"}
    assert agents["date_naissance"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()


def test_indicators_utf8_bom_with_decimal_comma():
    raw = (SAMPLE / "indicateurs_services.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert re.search(rb";\d+,\d\n", raw)


@pytest.mark.parametrize("stem, date_col", [("fiches_immersion", "date_immersion"), ("autoevaluations", "date")])
def test_xlsx_open_with_real_excel_dates(sample, stem, date_col):
    wb = openpyxl.load_workbook(SAMPLE / f"{stem}.xlsx", read_only=True)
    assert wb.properties.created is not None
    dates = sample[stem][date_col]
    assert dates.map(lambda v: isinstance(v, dt.datetime)).mean() > 0.98


def test_survey_likert_variants_and_missing_tokens(sample):
    survey = sample["enquete_usagers"]
    values = set(survey["satisfaction_globale"]) | set(survey["delai"])
    assert {"1", "5"} <= values and set(LIKERT) <= values and {"NSP", "Ne sait pas", "Sans avis", ""} <= values
    assert set(survey["vague"]) == {"T0", "T6", "T12"}
    assert survey["commentaire"].str.contains(r"0696|06 96|\+596").any()


# ---------------------------------------------------------------------------------------------- planted structure

def test_sampling_bias_against_population_margins(sample):
    survey, pop = sample["enquete_usagers"], sample["population_reference"]
    pop = pop.assign(effectif=pop["effectif"].astype(int))

    def pop_share(variable, modalities):
        cells = pop[pop["variable"] == variable].set_index("modalite")["effectif"]
        return cells[modalities].sum() / cells.sum()

    totals = pop.groupby("variable")["effectif"].sum()
    assert totals.nunique() == 1  # same total for sexe, tranche_age and quartier
    for _wave, answers in survey.groupby("vague"):
        assert answers["tranche_age"].isin(["60-74", "75+"]).mean() > pop_share("tranche_age", ["60-74", "75+"]) + 0.1
        assert (answers["sexe"] == "F").mean() > pop_share("sexe", ["F"]) + 0.05
        assert (answers["quartier"] == "Génipa").mean() < pop_share("quartier", ["Génipa"])
        for variable in ("sexe", "tranche_age", "quartier"):  # every raking cell has respondents
            assert answers[variable].value_counts().min() >= 5
            assert set(answers[variable]) == set(pop.loc[pop["variable"] == variable, "modalite"])


def service_codes(sample) -> dict[str, str]:
    mapping = {}
    for row in sample["services"].itertuples():
        for name in [row.code_service, row.libelle, *row.alias.split(";")]:
            mapping[name.lower()] = row.code_service
    return mapping


def service_panel(sample) -> pd.DataFrame:
    """Unweighted satisfaction, absenteeism and training per service and milestone (a crude check)."""
    codes = service_codes(sample)
    survey = sample["enquete_usagers"].copy()
    survey["code"] = survey["service"].str.lower().map(codes)
    survey["note"] = pd.to_numeric(survey["satisfaction_globale"].replace(LIKERT), errors="coerce")
    survey = survey[survey["note"].between(1, 5)]
    agents = sample["rh_agents"].copy()
    agents["code"] = agents["service"].str.lower().map(codes)
    agents["heures"] = pd.to_numeric(agents["heures_formation"].str.replace(",", "."))
    absences = sample["rh_absences"].copy()
    absences["debut"] = pd.to_datetime(absences["date_debut"], errors="coerce")
    absences["fin"] = pd.to_datetime(absences["date_fin"], errors="coerce")
    absences = absences.dropna(subset=["debut", "fin"])
    rows = []
    for jalon, extraction in EXTRACTIONS.items():
        end = pd.Timestamp(extraction)
        start = end - pd.DateOffset(years=1)
        roster = agents[(agents["date_extraction"] == end.strftime("%d/%m/%Y")) & (agents["date_sortie"] == "")]
        permanent = roster[roster["statut"] != "contractuel_non_permanent"]
        a = absences[absences["matricule"].isin(permanent["matricule"])]
        days = ((a["fin"].clip(upper=end - pd.Timedelta(days=1)) - a["debut"].clip(lower=start)).dt.days + 1).clip(0)
        by_service = days.groupby(a["matricule"].map(permanent.set_index("matricule")["code"])).sum()
        rate = by_service.reindex(permanent["code"].unique(), fill_value=0) / (
            (end - start).days * permanent.groupby("code").size())
        sat = survey[survey["vague"] == jalon].groupby("code")["note"].mean()
        training = roster.groupby("code")["heures"].mean()
        rows.append(pd.DataFrame({"jalon": jalon, "absenteisme": rate, "satisfaction": sat,
                                  "formation": training}).dropna())
    return pd.concat(rows)


def test_planted_relation_absenteeism_lowers_satisfaction(sample):
    panel = service_panel(sample)
    for jalon, services in panel.groupby("jalon"):
        assert len(services) == 14
        rho = spearmanr(services["absenteisme"], services["satisfaction"]).statistic
        assert rho < -0.6, (jalon, rho)


def test_planted_absence_of_relation_training_vs_satisfaction(sample):
    panel = service_panel(sample)
    for jalon, services in panel.groupby("jalon"):
        result = spearmanr(services["formation"], services["satisfaction"])
        assert abs(result.statistic) < 0.4 and result.pvalue > 0.1, (jalon, result)


def test_real_improvement_for_some_services_only(sample):
    codes = service_codes(sample)
    survey = sample["enquete_usagers"].copy()
    survey["code"] = survey["service"].str.lower().map(codes)
    survey["note"] = pd.to_numeric(survey["satisfaction_globale"].replace(LIKERT), errors="coerce")
    means = survey[survey["note"].between(1, 5)].pivot_table("note", "code", "vague")
    improving = ["ETC", "ACC", "CCAS", "URB"]
    assert (means.loc[improving, "T12"] - means.loc[improving, "T0"]).min() > 0.3
    others = means.drop(index=improving)
    assert (others["T12"] - others["T0"]).mean() < 0.25


def test_hr_structure(sample):
    agents = sample["rh_agents"]
    assert agents.duplicated(["date_extraction", "matricule"]).sum() == 0
    last = agents[(agents["date_extraction"] == "01/11/2026") & (agents["date_sortie"] == "")]
    born = pd.to_datetime(last["date_naissance"], format="%d/%m/%Y", errors="coerce")
    age = (pd.Timestamp("2026-11-01") - born).dt.days / 365.25
    assert 0.25 < (age >= 55).mean() < 0.5
    assert 0.09 < (last["encadrant"] == "oui").mean() < 0.15
    assert 0.04 < (last["boe"] == "oui").mean() < 0.08
    assert (last.loc[last["filiere"] == "police municipale", "categorie_active"] == "oui").all()
    assert set(last["filiere"]) == {"administrative", "technique", "sociale", "médico-sociale", "animation",
                                    "police municipale", "culturelle", "sportive"}
    assert (last["metier"].value_counts() == 1).sum() >= 10          # single-holder jobs
    assert {"01/09/1961", "31/08/1961", "31/03/1965", "01/04/1965"} <= set(last["date_naissance"])
    for extraction in ("01/11/2025", "01/05/2026", "01/11/2026"):     # departures listed with their date
        rows = agents[agents["date_extraction"] == extraction]
        assert ((rows["date_sortie"] != "") & (rows["motif_sortie"] != "")).sum() >= 1
    assert sample["rh_absences"]["motif"].value_counts().index[0] == "MO"
    managers = set(agents.loc[agents["encadrant"] == "oui", "matricule"])
    assert set(sample["fiches_immersion"]["id_accueilli"]) <= managers
    assert set(sample["autoevaluations"]["id_cadre"]) <= managers
    assert set(sample["bilan_seminaire"]["id_participant"]) <= set(agents["matricule"])


def test_immersion_text_has_negations_and_personal_data(sample):
    forms = sample["fiches_immersion"]
    text = (forms["points_forts"].fillna("") + " " + forms["axes_progression"].fillna("") + " "
            + forms["propositions"].fillna(""))
    everything = " ".join(text)
    for pattern in [r"[Pp]as assez de", r"[Aa]ucun", r"sans logiciel adapté", r"@ville-ducos\.fr",
                    r"0696|06 96|\+596 696", r"\d+ rue ", r"97224", r"\b(Mme|M\.|Madame|Monsieur) [A-Z]"]:
        assert re.search(pattern, everything), pattern
    surnames = {n.title() for n in sample["rh_agents"]["nom"]} | set(sample["rh_agents"]["nom"])
    assert any(re.search(rf"\b{re.escape(n)}\b", everything) for n in surnames)
    assert forms["points_forts"].nunique() > 0.9 * len(forms)
    notes = forms[[f"note_{t}" for t in THEMES]].apply(pd.to_numeric, errors="coerce")
    assert notes.stack().dropna().between(1, 5).all()


# ---------------------------------------------------------------------------------------------- invalid rows

@pytest.mark.parametrize("file, line, column, value", INVALID_ROWS_SAMPLE)
def test_documented_invalid_rows_are_where_documented(sample, file, line, column, value):
    stem = file.rsplit(".", 1)[0]
    df = sample[stem]
    assert str(df.iloc[line - 2][normalise(column)]) == value
    assert f"| {file} | {line} | {column} | `{value}` |" in (SAMPLE / "LISEZMOI.md").read_text(encoding="utf-8")


def test_at_most_one_percent_invalid_per_file(sample):
    counts = pd.Series([f for f, *_ in INVALID_ROWS_SAMPLE]).value_counts()
    for file, n in counts.items():
        assert n <= 0.01 * len(sample[file.rsplit(".", 1)[0]])


def test_lisezmoi_says_synthetic_and_names_the_seed():
    text = (SAMPLE / "LISEZMOI.md").read_text(encoding="utf-8")
    assert "fictives" in text and f"graine {DEFAULT_SEED}" in text
    assert all(f"{stem}." in text for stem in FORMATS)


# ---------------------------------------------------------------------------------------------- staff barometer

def test_barometer_waves_non_response_and_planted_change(sample):
    baro, agents, services = sample["barometre_agents"], sample["rh_agents"], sample["services"]
    assert sorted(baro["vague"].unique()) == ["T0", "T12"]
    direction = dict(zip(services["code_service"], services["direction"]))
    rates = {}
    for wave, extraction in (("T0", "2025-11-01"), ("T12", "2026-11-01")):
        present = agents[(pd.to_datetime(agents["date_extraction"], dayfirst=True) == extraction)
                         & (agents["date_sortie"] == "")]
        headcount = present["service"].map(direction).value_counts()
        answers = baro.loc[baro["vague"] == wave, "direction"].value_counts()
        rates[wave] = (answers / headcount).dropna()
        assert set(answers.index) <= set(headcount.index)
    # Field directions answer least: services techniques 35 %, ressources 85 % (RESPONSE_RATE).
    for wave in rates:
        assert rates[wave]["Direction des services techniques"] < 0.5 < rates[wave]["Direction des ressources"]
    notes = baro[baro["reconnaissance"].isin(list("12345"))]
    means = notes.assign(n=notes["reconnaissance"].astype(int)).groupby("vague")["n"].mean()
    assert means["T12"] - means["T0"] > 0.2  # planted +0.40 on recognition
    assert (baro["sens_travail"] == "NSP").sum() > 0
    comments = baro["commentaire"][baro["commentaire"] != ""]
    assert 0.25 < len(comments) / len(baro) < 0.45
    assert comments.str.contains(r"\b0696|\+596|@ville-ducos\.fr|\b(?:Mme|M\.) [A-Z]", regex=True).any()


def test_barometer_invalid_row_is_listed(sample):
    (row,) = [r for r in INVALID_ROWS_SAMPLE if r[0] == "barometre_agents.csv"]
    assert sample["barometre_agents"].loc[row[1] - 2, "reconnaissance"] == row[3] == "8"


# ---------------------------------------------------------------------------------------------- second cycle

CYCLE2 = SAMPLE.parent / "sample_cycle2"


def test_second_cycle_is_generated_and_committed(tmp_path, fresh):
    write_sample(tmp_path, cycle=2)
    if CYCLE2.exists():
        assert files(CYCLE2) == files(tmp_path), "regenerate with write_sample('data/raw/sample_cycle2', cycle=2)"
    cal = read(tmp_path, "calendrier")
    assert cal.to_dict("list") == {"jalon": ["C2-T0", "C2-T6", "C2-T12"],
                                   "date": ["2026-11-13", "2027-05-14", "2027-11-12"], "cycle": ["2", "2", "2"]}
    survey, first = read(tmp_path, "enquete_usagers"), read(fresh, "enquete_usagers")
    assert sorted(survey["vague"].unique()) == ["C2-T0", "C2-T12", "C2-T6"]
    shifted = pd.to_datetime(first["date_reponse"], dayfirst=True, errors="coerce") + pd.Timedelta(days=364)
    assert (pd.to_datetime(survey["date_reponse"], dayfirst=True, errors="coerce") == shifted)[shifted.notna()].all()
    assert sorted(read(tmp_path, "barometre_agents")["vague"].unique()) == ["C2-T0", "C2-T12"]
    periods = read(tmp_path, "indicateurs_services")["periode"]
    assert periods.min() == "2025-11" and periods.max() == "2027-10"
    assert "jalons C2-T0, C2-T6, C2-T12" in (tmp_path / "LISEZMOI.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("cycle", [0, 1.5, True])
def test_bad_cycle_is_refused(tmp_path, cycle):
    with pytest.raises(ValueError, match="cycle must be an integer"):
        write_sample(tmp_path, cycle=cycle)
