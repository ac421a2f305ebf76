"""The two levels of diffusion of the HR tables (DESIGN §6) on hand-made staff tables.

``copil``: no figure about fewer agents than the threshold, with secondary masking; the whole
staff's projected retirements in full; small groups pooled; no share whose numerator or
denominator is below the threshold; single-holder posts counted, never named. ``restreinte``:
everything unmasked, single-holder posts listed with the year their holder can leave.
"""

from __future__ import annotations

import hr_rosters as rosters
import numpy as np
import pandas as pd
import pytest

from ducos_lib import hr
from ducos_lib.privacy import feasible_ranges
from ducos_lib.reports import rh

D = pd.Timestamp("2026-06-30")  # projection 2026..2035; jobs window 2026..2030
THRESHOLD = 3

# Legal departure years (sedentary; hand-computed from config/retraite.yml, first of the month
# after the legal age): born 1963-03 -> 62 y 9 m -> 2025-12 -> 2026 (already due on D);
# 1964-06 -> 62 y 9 m -> 2027-03 -> 2027; 1965-06 -> 63 y -> 2028; 1966-06 -> 63 y 3 m -> 2029;
# 1967-06 -> 63 y 6 m -> 2030-12-01 -> leaves 2031-01-01; 1968-06 -> 63 y 9 m -> 2032;
# 1969-06 -> 64 y -> 2033; 1990 -> 2054, beyond the horizon.
# matricule, sexe, naissance, service, statut, cat, filiere, metier, entree, sortie, quotite,
# active, encadrant, boe, heures
STAFF = [
    ["T1", "H", "1963-03-01", "S1", "titulaire", "C", "technique", "agent", "2000-01-01", None, 100, False, False, False, 0],
    ["T2", "F", "1964-06-01", "S1", "titulaire", "C", "technique", "agent", "2000-01-01", None, 100, False, False, False, 0],
    ["T3", "H", "1964-06-01", "S1", "titulaire", "C", "technique", "agent", "2000-01-01", None, 100, False, False, False, 0],
    ["T4", "F", "1990-01-01", "S1", "titulaire", "C", "technique", "agent", "2015-01-01", None, 100, False, False, False, 0],
    ["T5", "H", "1990-01-01", "S1", "titulaire", "C", "technique", "agent", "2015-01-01", None, 100, False, False, False, 0],
    ["T6", "H", "1965-06-01", "S1", "titulaire", "C", "technique", "jardinier", "2000-01-01", None, 100, False, True, False, 0],
    ["T7", "F", "1990-01-01", "S1", "titulaire", "C", "technique", "jardinier", "2015-01-01", None, 100, False, False, False, 0],
    ["T8", "H", "1990-01-01", "S1", "titulaire", "C", "technique", "jardinier", "2015-01-01", None, 100, False, False, False, 0],
    ["A1", "F", "1966-06-01", "S2", "titulaire", "B", "administrative", "secretaire", "2000-01-01", None, 100, False, True, False, 0],
    ["A2", "F", "1990-01-01", "S2", "titulaire", "B", "administrative", "secretaire", "2015-01-01", None, 100, False, False, False, 0],
    ["A3", "F", "1967-06-01", "S2", "titulaire", "B", "administrative", "archiviste", "2000-01-01", None, 100, False, False, False, 0],
    ["A4", "H", "1990-01-01", "S2", "titulaire", "C", "administrative", "agent", "2015-01-01", None, 100, False, False, False, 0],
    ["G1", "H", "1968-06-01", "S3", "titulaire", "A", "administrative", "dgs", "2000-01-01", None, 100, False, True, False, 0],
    ["G2", "F", "1990-01-01", "S3", "titulaire", "B", "administrative", "assistant", "2015-01-01", None, 100, False, False, False, 0],
    ["P1", "H", "1969-06-01", "S4", "titulaire", "C", "police", "policier", "2000-01-01", None, 100, False, False, False, 0],
]
#: Métiers held by one agent (G2's leaves beyond the horizon).
SINGLE_HOLDERS = {"archiviste", "dgs", "assistant", "policier"}


@pytest.fixture(scope="module")
def staff():
    return rosters.frame(STAFF, D)


@pytest.fixture(scope="module")
def regles():
    return hr.load_retirement_rules()


@pytest.fixture(scope="module")
def copil(staff, regles):
    return hr.publish(staff, None, level="copil", threshold=THRESHOLD, rules=regles)


@pytest.fixture(scope="module")
def restreinte(staff, regles):
    return hr.publish(staff, None, level="restreinte", rules=regles)


def _block(t, gv, scenario="age_legal"):
    b = t[(t.groupe_variable == gv) & (t.scenario == scenario)]
    b = b.assign(departs=pd.to_numeric(b.departs).astype("float64"))
    return b.pivot_table(index="groupe", columns="annee", values="departs", aggfunc="first", dropna=False)


def _strings(frames):
    return {str(v) for f in frames for c in f.columns if not pd.api.types.is_numeric_dtype(f[c]) for v in f[c]}


# ---------------------------------------------------------------------------------------------
# copil
# ---------------------------------------------------------------------------------------------

def test_copil_publishes_the_whole_staff_in_full(copil):
    ens = copil.departures[copil.departures.groupe_variable == "ensemble"]
    assert not ens.masque.any()
    legal = ens[ens.scenario == "age_legal"].sort_values("annee")
    # 2026 T1; 2027 T2, T3; 2028 T6; 2029 A1; 2031 A3; 2032 G1; 2033 P1 — every count below 3.
    assert legal.annee.tolist() == list(range(2026, 2036))
    assert legal.departs.tolist() == [1, 2, 1, 1, 0, 1, 1, 1, 0, 0]
    # the cumulated totals are then always publishable: 5 by the end of 2030, 8 by 2035
    c = copil.cumulated.set_index(["scenario", "fenetre"])
    assert c.loc[("age_legal", 5), "departs"] == 5 and c.loc[("age_legal", 10), "departs"] == 8
    assert not c.masque.any()


def test_copil_pools_small_groups(copil):
    dep = copil.departures
    groups = {gv: set(dep[dep.groupe_variable == gv].groupe) for gv in ("service", "metier", "categorie", "filiere")}
    # services: S1 8, S2 4, S3 2, S4 1 agents -> S3 + S4 pooled (3 agents)
    assert groups["service"] == {"S1", "S2", hr.AUTRES}
    # métiers: agent 6, jardinier 3; secretaire 2 and the four single holders pooled (6 agents)
    assert groups["metier"] == {"agent", "jardinier", hr.AUTRES}
    # catégories: A 1 -> pool of 1 agent, topped up with the smallest other group (B, 4)
    assert groups["categorie"] == {"C", hr.AUTRES}
    # filières: police 1 + administrative 6 pooled, technique 8 named
    assert groups["filiere"] == {"technique", hr.AUTRES}
    # the pool holds the sum of its groups: métier pool under the legal age, 2029..2033
    pool = _block(hr.departures_table(rosters.frame(STAFF, D), mask=False), "metier").loc[
        ["secretaire", "archiviste", "dgs", "assistant", "policier"]].sum()
    raw = hr.pool_departures(hr.departures_table(rosters.frame(STAFF, D), mask=False), rosters.frame(STAFF, D),
                             THRESHOLD)
    assert _block(raw, "metier").loc[hr.AUTRES].tolist() == pool.tolist() == [0, 0, 0, 1, 0, 1, 1, 1, 0, 0]


def test_copil_cells_and_secondary_masking(copil):
    dep = copil.departures
    fine = dep[dep.groupe_variable != "ensemble"]
    pub = fine[~fine.masque]
    assert not ((pub.departs > 0) & (pub.departs < THRESHOLD)).any()
    assert fine.loc[fine.masque, "departs"].isna().all()
    # 2026 by service: S1 = 1 (T1) masked; secondary: the smallest other cell, S2 (0, first in order)
    s = _block(dep, "service")
    assert np.isnan(s.loc["S1", 2026]) and np.isnan(s.loc["S2", 2026]) and s.loc[hr.AUTRES, 2026] == 0
    # brute force: in every block (date, scenario, year) no breakdown has exactly one masked group
    for key, bloc in dep.groupby(["date_extraction", "scenario", "annee"]):
        for gv, sub in bloc[bloc.groupe_variable != "ensemble"].groupby("groupe_variable"):
            assert sub.masque.sum() != 1, (key, gv)


def test_copil_jobs_at_risk(copil):
    j = copil.jobs.set_index("metier")
    # named only with at least 3 agents: agent (6: T1, T2, T3 leave by 2030 -> 50 %) and jardinier
    # (3: T6 in 2028 -> 33 %); secretaire (2 agents, 50 %) is counted, not named.
    assert set(j.index) == {"agent", "jardinier"} and copil.n_small_jobs_at_risk == 1
    assert j.loc["agent", "effectif"] == 6 and j.loc["agent", "departs_fenetre"] == 3
    assert j.loc["agent", "part_departs_fenetre"] == pytest.approx(0.5)
    # 10-year total of agent (3) withheld: with the 5-year total it would give 0 departures in
    # 2031..2033 for agent, hence the pool's single departure of each of those years.
    assert pd.isna(j.loc["agent", "departs_horizon"])
    # jardinier: 1 departure, below the threshold: count and share masked
    assert j.loc["jardinier", "effectif"] == 3
    assert pd.isna(j.loc["jardinier", "departs_fenetre"]) and pd.isna(j.loc["jardinier", "part_departs_fenetre"])
    # single-holder posts whose holder leaves within the horizon: archiviste, dgs, policier
    assert copil.n_single_holder_posts == 3 and copil.single_holder_posts.empty


def _disclosed(dep, totals, d, threshold):
    """Check a published métier × year table and job totals as a reader would.

    Unknowns: every masked cell, and for each total the departures of its end date's year up to
    that date (``p``) and after it (``q``, when that year is in the table). Known: published
    cells, each year's whole staff (= the sum of its métiers), the totals (= the métier's years
    before the end's year + ``p``), ``p + q`` = the cell of the end's year. Returns the masked
    cells left with one possible value, and the parts left with one value of 1 to threshold - 1.
    """
    cells = _block(dep, "metier")
    staff = _block(dep, "ensemble").loc["ensemble"]
    years = list(cells.columns)
    names = {}  # unknown -> column

    def var(key):
        return names.setdefault(key, len(names))

    for g in cells.index:
        for y in years:
            if pd.isna(cells.loc[g, y]):
                var(("cell", g, y))
    equations = []  # (coefficients {unknown: c}, constant): sum c x = constant

    def cell_term(g, y, coefs, const):
        if pd.isna(cells.loc[g, y]):
            coefs[var(("cell", g, y))] = coefs.get(var(("cell", g, y)), 0) + 1
            return const
        return const - cells.loc[g, y]

    for y in years:
        coefs, const = {}, float(staff[y])
        for g in cells.index:
            const = cell_term(g, y, coefs, const)
        equations.append((coefs, const))
    for k, (metier, end, value) in enumerate(totals):
        coefs, const = {var(("p", k)): 1}, float(value)
        for y in years:
            if y < end.year:
                const = cell_term(metier, y, coefs, const)
        equations.append((coefs, const))
        if end.year in years:
            coefs, const = {var(("p", k)): 1, var(("q", k)): 1}, 0.0
            coefs_cell = {}
            const = -cell_term(metier, end.year, coefs_cell, 0.0)
            for key, c in coefs_cell.items():
                coefs[key] = coefs.get(key, 0) - c
            equations.append((coefs, const))
    # as constraints a @ [unknowns, 1] = 0 over entries (unknowns masked, the constant published)
    n = len(names)
    A = np.zeros((len(equations), n + 1))
    for r, (coefs, const) in enumerate(equations):
        for key, c in coefs.items():
            A[r, key] += c
        A[r, n] = -const
    values = np.zeros(n + 1)
    values[n] = 1.0
    mask = np.append(np.ones(n, dtype=bool), False)
    low, high = feasible_ranges(A, values, mask)
    single = np.abs(high - low) <= 1e-6
    found = [key for key, col in names.items() if single[col] and (
        key[0] == "cell" or 0.5 < low[col] < threshold - 0.5)]
    return found


def _job_totals(jobs, d):
    return [(r.metier, d + pd.DateOffset(years=k), float(v)) for r in jobs.itertuples()
            for k, v in ((5, r.departs_fenetre), (10, r.departs_horizon)) if pd.notna(v)]


def test_copil_published_totals_reveal_no_masked_cell(copil):
    """Métier × year of the published table + the jobs' published totals: nothing disclosed."""
    totals = _job_totals(copil.jobs, D)
    assert [(m, v) for m, _, v in totals] == [("agent", 3.0)]
    assert _disclosed(copil.departures, totals, D, THRESHOLD) == []
    # the withheld 10-year total of agent (3) would have given its 0 in 2032 and 2033 (the
    # years after the window), hence the pool's single departure of each of those years
    found = _disclosed(copil.departures, totals + [("agent", D + pd.DateOffset(years=10), 3.0)], D, THRESHOLD)
    assert ("cell", hr.AUTRES, 2032) in found and ("cell", hr.AUTRES, 2033) in found


def test_copil_shares(copil, staff):
    t = copil.indicators
    raw = hr.indicators_table(staff, None, mask=False)
    numerators = hr.share_numerators(raw)
    shares = raw.indicateur.isin(hr.SHARE_INDICATORS).to_numpy()
    published = ~t.masque.to_numpy()
    # no published share counts 1 or 2 agents, no published figure is about 1 or 2 agents
    n, eff = numerators.to_numpy(), raw.effectif.to_numpy()
    assert not (shares & published & (n > 0) & (n < THRESHOLD)).any()
    assert not (published & (eff > 0) & (eff < THRESHOLD)).any()
    # by hand: managers T6, A1, G1; S1 has 1 manager in 8 agents -> masked, not 12,5 %
    s1 = t[(t.indicateur == "part_encadrants") & (t.groupe == "S1")]
    assert s1.masque.item() and pd.isna(s1.valeur.item())
    ens = t[(t.indicateur == "part_encadrants") & (t.groupe_variable == "ensemble")]
    assert ens.valeur.item() == pytest.approx(20.0)  # 3 of 15: published
    # brute force: with a published total, never exactly one masked group
    for key, bloc in t.groupby(["date_extraction", "indicateur"]):
        if bloc[bloc.groupe_variable == "ensemble"].masque.all():
            continue
        for gv, sub in bloc[bloc.groupe_variable != "ensemble"].groupby("groupe_variable"):
            assert sub.masque.sum() != 1, (key, gv)


def test_copil_never_names_a_single_holder_post(copil):
    frames = list(rh.published_tables(copil).values())
    assert set(rh.published_tables(copil)) == {"rh_indicateurs", "rh_departs_projetes", "rh_pyramide",
                                               "rh_metiers_a_risque"}
    assert not SINGLE_HOLDERS & _strings(frames)
    note = rh.jobs_note("copil", copil.n_single_holder_posts, copil.n_small_jobs_at_risk, threshold=THRESHOLD)
    assert note.startswith("3 postes tenus par un seul agent dont le titulaire peut partir dans les 10 ans")
    assert "1 autre métier de moins de 3 agents est aussi signalé" in note


def test_copil_key_findings_count_the_single_holder_posts(copil):
    f = rh.key_findings(copil.indicators, D, cumulated=copil.cumulated, jobs=copil.jobs,
                        n_single_holder_posts=copil.n_single_holder_posts, n_small_jobs=copil.n_small_jobs_at_risk,
                        threshold=copil.threshold)
    text = " ".join(f)
    # agent, jardinier (named) + secretaire (small) + 3 single-holder posts
    assert "6 métiers sont signalés à risque de départs à la retraite, dont 3 tenus par un seul agent" in text
    # 5 departures by the end of 2030 = 33 % of 15 agents (a share of at least 3 agents)
    assert "D'ici fin 2030, 5 agents pourraient partir à la retraite à l'âge légal (33\u202f% de l'effectif" in text


def test_a_share_of_the_staff_about_few_agents_is_not_given():
    t = pd.DataFrame({"date_extraction": D, "indicateur": "effectif", "groupe_variable": "ensemble",
                      "groupe": "ensemble", "valeur": [40.0], "effectif": [40], "masque": False})
    cum = pd.DataFrame({"scenario": ["age_legal"], "fenetre": [5], "annee_fin": [2030], "departs": [2.0],
                        "masque": [False]})
    copil = " ".join(rh.key_findings(t, D, cumulated=cum, threshold=5))
    assert "2 agents pourraient partir à la retraite à l'âge légal." in copil and "%" not in copil
    restricted = " ".join(rh.key_findings(t, D, cumulated=cum))
    assert "(5\u202f% de l'effectif actuel)" in restricted


# ---------------------------------------------------------------------------------------------
# restreinte
# ---------------------------------------------------------------------------------------------

def test_restricted_level_is_unmasked(restreinte, staff, regles):
    assert restreinte.threshold is None and restreinte.restricted
    pd.testing.assert_frame_equal(restreinte.indicators, hr.indicators_table(staff, None, mask=False))
    pd.testing.assert_frame_equal(restreinte.departures, hr.departures_table(staff, mask=False, rules=regles))
    pd.testing.assert_frame_equal(restreinte.pyramid, hr.age_pyramid(staff, D, mask=False))
    for frame in (restreinte.indicators, restreinte.departures, restreinte.pyramid, restreinte.jobs):
        assert not frame.masque.any()
    # every group named, single holders included
    metiers = set(restreinte.departures[restreinte.departures.groupe_variable == "metier"].groupe)
    assert metiers == {"agent", "jardinier", "secretaire"} | SINGLE_HOLDERS


def test_restricted_jobs_and_single_holder_posts(restreinte):
    j = restreinte.jobs.set_index("metier")
    assert set(j.index) == {"agent", "jardinier", "secretaire", "archiviste", "dgs", "policier"}
    assert j.loc["jardinier", ["effectif", "departs_fenetre", "departs_horizon"]].tolist() == [3, 1, 1]
    assert j.loc["secretaire", ["effectif", "departs_fenetre"]].tolist() == [2, 1]
    # dgs: one agent leaving in 2032, beyond the 5-year window, within the 10-year horizon
    assert j.loc["dgs", ["effectif", "departs_fenetre", "departs_horizon"]].tolist() == [1, 0, 1]
    posts = restreinte.single_holder_posts
    assert list(posts.columns) == hr.SINGLE_HOLDER_COLUMNS
    # observed age 64 y 1 m: archiviste 1967-06 -> 2031-08; dgs 1968-06 -> 2032-08; policier 1969-06 -> 2033-08
    assert posts.values.tolist() == [["archiviste", "S2", "B", 2031, 2031], ["dgs", "S3", "A", 2032, 2032],
                                     ["policier", "S4", "C", 2033, 2033]]
    assert restreinte.n_single_holder_posts == 3 and restreinte.n_small_jobs_at_risk == 0
    tables = rh.published_tables(restreinte)
    assert tables["rh_postes_agent_unique"] is posts
    view = rh.single_holder_view(posts, service_labels={"S3": "Direction générale"})
    assert view.loc[1].tolist() == ["dgs", "Direction générale", "Catégorie A", "2032", "2032"]


def test_levels_are_checked_in_french(staff):
    with pytest.raises(ValueError, match="Niveau de diffusion inconnu.*copil, restreinte"):
        hr.publish(staff, None, level="public")
    with pytest.raises(ValueError, match="Niveau de diffusion inconnu"):
        rh.title("T12", "tous")
    assert rh.title("T12", "restreinte").endswith("— diffusion restreinte")
    assert "Diffusion restreinte" in rh.restricted_notice()


# ---------------------------------------------------------------------------------------------
# Random staff tables: the copil rules hold on any roster
# ---------------------------------------------------------------------------------------------

def _random_staff(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 160))
    services = [f"S{i}" for i in range(int(rng.integers(3, 9)))]
    service_weights = rng.dirichlet(np.ones(len(services)) * 0.6)
    metiers = [f"metier_{i}" for i in range(int(rng.integers(8, 30)))]
    metier_weights = rng.dirichlet(np.ones(len(metiers)) * 0.4)
    rows = []
    for i in range(n):
        year = int(rng.integers(1960, 2000))
        rows.append([f"R{i}", str(rng.choice(["F", "H"])), f"{year}-{int(rng.integers(1, 13)):02d}-01",
                     str(rng.choice(services, p=service_weights)), "titulaire", str(rng.choice(["A", "B", "C"],
                     p=[0.1, 0.2, 0.7])), str(rng.choice(["administrative", "technique", "police", "sociale"])),
                     str(rng.choice(metiers, p=metier_weights)), "2000-01-01", None, 100, False,
                     bool(rng.random() < 0.15), bool(rng.random() < 0.05), 0])
    return rosters.frame(rows, D)


@pytest.mark.parametrize("seed", range(6))
def test_copil_rules_on_random_staff(seed, regles):
    staff = _random_staff(seed)
    threshold = 5
    pub = hr.publish(staff, None, level="copil", threshold=threshold, rules=regles)
    raw = hr.departures_table(staff, mask=False, rules=regles)
    dep = pub.departures
    # whole staff in full
    ens, raw_ens = dep[dep.groupe_variable == "ensemble"], raw[raw.groupe_variable == "ensemble"]
    assert not ens.masque.any() and ens.departs.tolist() == raw_ens.departs.tolist()
    # every published group holds at least the threshold of agents present
    present = hr.present_on(staff, D)
    for gv in ("service", "categorie", "filiere", "metier"):
        sizes = staff[present][gv].value_counts()
        named = set(dep[dep.groupe_variable == gv].groupe) - {hr.AUTRES}
        assert all(sizes[g] >= threshold for g in named), gv
        pooled = sizes[[g for g in sizes.index if g not in named]].sum()
        assert pooled == 0 or pooled >= threshold, gv
    # cells: 0 or at least the threshold; the line rule in every block
    fine = dep[dep.groupe_variable != "ensemble"]
    assert not ((fine[~fine.masque].departs > 0) & (fine[~fine.masque].departs < threshold)).any()
    for key, bloc in fine.groupby(["date_extraction", "scenario", "annee", "groupe_variable"]):
        assert bloc.masque.sum() != 1, key
    # the jobs' published totals disclose no masked métier cell nor a part of a year
    if len(_block(dep, "metier")):
        assert _disclosed(dep, _job_totals(pub.jobs, D), D, threshold) == []
    # jobs: at least the threshold of agents; single-holder métiers never named anywhere
    assert (pub.jobs.effectif >= threshold).all()
    singles = {m for m, k in staff[present].metier.value_counts().items() if k == 1}
    assert not singles & _strings(rh.published_tables(pub).values())


def _published(rows):
    """A published rh_departs_projetes block: rows of (year, group variable, group, departs or None)."""
    d = pd.Timestamp("2026-06-30")
    frame = pd.DataFrame([(d, "age_legal", y, gv, g, v, v is None) for y, gv, g, v in rows],
                         columns=hr.DEPARTURE_COLUMNS)
    frame["departs"] = pd.array([pd.NA if v is None else v for v in frame.departs], dtype="Int64")
    return frame


def _zeta(window, horizon):
    return pd.DataFrame({"metier": ["zeta"], "effectif": pd.array([6], dtype="Int64"),
                         "departs_fenetre": pd.array([window], dtype="Int64"), "part_departs_fenetre": [window / 6],
                         "departs_horizon": pd.array([horizon], dtype="Int64"), "risque_part_elevee": [True],
                         "risque_agent_unique": [False], "a_risque": [True], "masque": [False]})


def test_audit_of_job_totals_on_hand_made_tables():
    """D = 2026-06-30, table years 2026-2028; window 2 years (to 2028-06-30: 2026, 2027 and the
    first half of 2028), horizon 3 years (to 2029-06-30: the three years and half of 2029)."""
    d = pd.Timestamp("2026-06-30")
    audit = lambda jobs, dep: hr.audit_job_totals(jobs, dep, d, window_years=2, horizon=3, threshold=3)  # noqa: E731
    # 1. Whole staff 1 a year, the pool's 1 masked with zeta's 0 as complementary cell. Zeta's
    #    totals of 0 give its masked cells 0 each, hence the pool's cells: both withheld (the
    #    revealed cells are in another row than the totals').
    masked = _published([(y, gv, g, v) for y in (2026, 2027, 2028) for gv, g, v in
                         (("ensemble", "ensemble", 1), ("metier", hr.AUTRES, None), ("metier", "zeta", None))])
    out = audit(_zeta(0, 0), masked)
    assert out.departs_fenetre.isna().all() and out.departs_horizon.isna().all()
    assert out.part_departs_fenetre.isna().all() and out.effectif.tolist() == [6]
    # 2. Whole staff 2 a year: zeta 2 by mid-2028 and 3 by mid-2029 leave every cell several
    #    possible values (the half-years absorb the difference): both kept.
    dep = masked.assign(departs=pd.array([2, pd.NA, pd.NA] * 3, dtype="Int64"))
    out = audit(_zeta(2, 3), dep)
    assert out.departs_fenetre.tolist() == [2] and out.departs_horizon.tolist() == [3]
    # 3. Every cell published (zeta 5, 0, 6): a window of 7 gives 2 departures in the first half
    #    of 2028, a figure about 2 agents: withheld. The horizon (11) gives 0 in the first half of
    #    2029, about nobody: kept.
    dep = _published([(y, gv, g, v) for y, z in ((2026, 5), (2027, 0), (2028, 6)) for gv, g, v in
                      (("ensemble", "ensemble", z), ("metier", hr.AUTRES, 0), ("metier", "zeta", z))])
    out = audit(_zeta(7, 11), dep)
    assert out.departs_fenetre.isna().all() and out.departs_horizon.tolist() == [11]
    # ... a window of 9 gives 4 in the first half of 2028, hence 2 in the second half: withheld too
    assert audit(_zeta(9, 11), dep).departs_fenetre.isna().all()
    # ... and a window of 5 (nobody in the first half of 2028) says nothing about few agents: kept
    assert audit(_zeta(5, 11), dep).departs_fenetre.tolist() == [5]
