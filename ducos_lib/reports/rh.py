"""Report 03 (RH et GPEC): French labels, display tables, key findings and alt texts.

Everything a reader of ``03_rh_gpec`` reads and that is built from figures lives here; the
figures themselves come from :mod:`ducos_lib.hr`. Indicator labels come from the registry
(``config/indicateurs.yml``, group ``rh``); the labels below are those of the data's categories
(statuts, sexes, motifs, scenarios), which are not indicators.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .. import hr
from ..hr._base import as_datetime as _as_datetime
from ..hr._base import check_choice as _check_choice
from ..hr._base import hr_config as _hr_config
from ..privacy import confidentiality_threshold
from ..registry import load_registry
from . import formats
from .formats import NBSP, date, number, percent


def _ts(date_like: Any) -> pd.Timestamp:
    return pd.Timestamp(date_like).normalize()



VARIABLE_LABELS = {"statut": "Statut", "categorie": "Catégorie", "filiere": "Filière", "sexe": "Sexe",
                   "service": "Service", "metier": "Métier", "motif": "Motif"}
STATUS_LABELS = {"titulaire": "Titulaires", "stagiaire": "Stagiaires",
                 "contractuel_permanent": "Contractuels permanents",
                 "contractuel_non_permanent": "Contractuels non permanents"}
SEX_LABELS = {"F": "Femmes", "H": "Hommes"}
REASON_LABELS = {"MO": "Maladie ordinaire", "CLM": "Congé de longue maladie", "CLD": "Congé de longue durée",
                 "AT": "Accident du travail", "MP": "Maladie professionnelle", "MAT": "Maternité",
                 "PAT": "Paternité", "AUTRE": "Autres motifs"}
SCENARIO_LABELS = {"age_legal": "À l'âge légal minimum", "age_observe": "À l'âge moyen de départ observé"}
#: Indicators followed across extractions in the report's evolution table (ensemble).
EVOLUTION_INDICATORS = ("effectif", "etp", "age_moyen", "taux_absenteisme", "taux_absenteisme_compressible",
                        "taux_rotation", "heures_formation_par_agent", "part_encadrants", "part_femmes_encadrants",
                        "taux_boe")


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------

def indicator_label(indicator: str) -> str:
    """The registry's French label of an HR indicator (its code when unregistered)."""
    reg = load_registry()
    return reg[indicator].label if indicator in reg else indicator


def group_label(groupe_variable: str, groupe: str, service_labels: Mapping[str, str] | None = None) -> str:
    """French label of a group (``"contractuel_permanent"`` → ``"Contractuels permanents"``)."""
    g = str(groupe)
    if g == hr.NON_RENSEIGNE:
        return "Non renseigné"
    if groupe_variable == hr.ENSEMBLE:
        return "Ensemble"
    if g == hr.AUTRES:
        return "Autres (petits effectifs regroupés)"
    if groupe_variable == "statut":
        return STATUS_LABELS.get(g, g)
    if groupe_variable == "sexe":
        return SEX_LABELS.get(g, g)
    if groupe_variable == "categorie":
        return f"Catégorie {g}"
    if groupe_variable == "motif":
        return f"{REASON_LABELS.get(g, g)} ({g})" if g != "AUTRE" else REASON_LABELS[g]
    if groupe_variable == "service" and service_labels:
        return str(service_labels.get(g, g))
    return g[:1].upper() + g[1:]


def band_label(start: Any, end: Any) -> str:
    """``"25-29 ans"``, ``"moins de 25 ans"``, ``"60 ans et plus"`` or ``"tous âges"``."""
    low = None if start is None or pd.isna(start) else int(start)
    high = None if end is None or pd.isna(end) else int(end)
    if low is None and high is None:
        return "tous âges"
    if low is None:
        return f"moins de {high + 1} ans"
    if high is None:
        return f"{low} ans et plus"
    return f"{low}-{high} ans"


def pyramid_table(pyramid: pd.DataFrame) -> pd.DataFrame:
    """:func:`ducos_lib.hr.age_pyramid` with its French band label ``tranche`` first (``rh_pyramide.csv``)."""
    out = pyramid.copy()
    labels = [band_label(a, b) for a, b in zip(out["age_debut"], out["age_fin"])]
    out.insert(0, "tranche", pd.Series(labels, index=out.index, dtype="str"))
    return out


def milestone_labels(extractions: Mapping[str, Any]) -> dict[str, pd.Timestamp]:
    """Milestone → extraction date (:func:`ducos_lib.hr.milestone_extractions`) labelled ``"T0 (30/11/2025)"``."""
    return {f"{m} ({date(d)})": pd.Timestamp(d) for m, d in extractions.items()}


# ---------------------------------------------------------------------------------------------
# Display tables (from the published tables)
# ---------------------------------------------------------------------------------------------

def _at(table: pd.DataFrame, d: pd.Timestamp) -> pd.DataFrame:
    return table[_as_datetime(table["date_extraction"]) == d]


def structure_table(indicators: pd.DataFrame, date_extraction: Any, groupe_variable: str, *,
                    service_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Workforce structure by one breakdown, from a (masked) ``rh_indicateurs`` table.

    Returns
    -------
    DataFrame
        One row per group (then ``Ensemble``): ``groupe`` (French label), ``effectif``, ``etp``,
        ``part_effectif`` (% of the ensemble headcount), ``age_moyen``, ``part_encadrants``,
        ``masque``. Masked figures are missing (NaN); ``part_effectif`` is masked with the
        headcount it comes from.
    """
    _check_choice(groupe_variable, hr.BREAKDOWNS, "Ventilation")
    d = _ts(date_extraction)
    t = _at(indicators, d)
    value = lambda ind, gv=hr.ENSEMBLE, g=hr.ENSEMBLE: hr.published_value(t, ind, d, groupe_variable=gv, groupe=g)  # noqa: E731
    total = value("effectif")
    groups = t[(t["indicateur"] == "effectif") & (t["groupe_variable"] == groupe_variable)]["groupe"]
    rows = []
    for gv, g in [(groupe_variable, x) for x in groups] + [(hr.ENSEMBLE, hr.ENSEMBLE)]:
        count = value("effectif", gv, g)
        rows.append({
            "groupe": group_label(gv, g, service_labels),
            "effectif": count,
            "etp": value("etp", gv, g),
            "part_effectif": 100.0 * count / total if count is not None and total else None,
            "age_moyen": value("age_moyen", gv, g),
            "part_encadrants": value("part_encadrants", gv, g),
            "masque": count is None,
        })
    out = pd.DataFrame(rows, columns=["groupe", "effectif", "etp", "part_effectif", "age_moyen",
                                      "part_encadrants", "masque"])
    for c in ("effectif", "etp", "part_effectif", "age_moyen", "part_encadrants"):
        out[c] = out[c].astype("float64")
    return out


def evolution_table(indicators: pd.DataFrame, *, dates: Mapping[str, Any] | None = None,
                    followed: Sequence[str] = EVOLUTION_INDICATORS, groupe_variable: str = hr.ENSEMBLE,
                    groupe: str = hr.ENSEMBLE) -> pd.DataFrame:
    """Indicators of one group across extraction dates (wide, for display).

    Parameters
    ----------
    indicators : DataFrame
        A (masked) ``rh_indicateurs`` table.
    dates : mapping, optional
        Column label → extraction date (e.g. :func:`milestone_labels`); default: every date of the
        table, labelled ``JJ/MM/AAAA``.
    followed : sequence of str
        Indicator codes, one row each (registry label), in that order.

    Returns
    -------
    DataFrame
        ``indicateur`` (French label), one column per date (oldest first; missing when masked or
        not computed) and, with two dates or more, ``evolution``: the last value minus the
        previous one (points for rates).
    """
    if dates is None:
        dates = {date(x): pd.Timestamp(x) for x in sorted(_as_datetime(indicators["date_extraction"]).dropna().unique())}
    labels, stamps = list(dates), [_ts(x) for x in dates.values()]
    rows = []
    for ind in followed:
        row: dict[str, Any] = {"indicateur": indicator_label(ind)}
        values = [hr.published_value(indicators, ind, x, groupe_variable=groupe_variable, groupe=groupe)
                  for x in stamps]
        if all(v is None for v in values):
            continue
        for label, v in zip(labels, values):
            row[label] = v
        if len(stamps) >= 2:
            a, b = values[-2], values[-1]
            row["evolution"] = b - a if a is not None and b is not None else None
        rows.append(row)
    out = pd.DataFrame(rows)
    for c in out.columns[1:]:
        out[c] = out[c].astype("float64")
    return out


def group_table(indicators: pd.DataFrame, date_extraction: Any, groupe_variable: str,
                followed: Sequence[str], *, service_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Several indicators of one date by the groups of one breakdown (wide, for display).

    Returns
    -------
    DataFrame
        ``groupe`` (French label; the ``Ensemble`` row last), then one column per indicator
        (its code), missing when masked or not computed for that group (e.g. absenteeism of
        non-permanent agents).
    """
    _check_choice(groupe_variable, hr.BREAKDOWNS, "Ventilation")
    d = _ts(date_extraction)
    t = _at(indicators, d)
    groups = list(dict.fromkeys(t[t["groupe_variable"] == groupe_variable]["groupe"]))
    rows = []
    for gv, g in [(groupe_variable, x) for x in groups] + [(hr.ENSEMBLE, hr.ENSEMBLE)]:
        row = {"groupe": group_label(gv, g, service_labels)}
        for ind in followed:
            row[ind] = hr.published_value(t, ind, d, groupe_variable=gv, groupe=g)
        rows.append(row)
    out = pd.DataFrame(rows, columns=["groupe", *followed])
    for c in followed:
        out[c] = out[c].astype("float64")
    return out


def absence_by_reason(indicators: pd.DataFrame, date_extraction: Any) -> pd.DataFrame:
    """Absenteeism rate by motif at one date: ``motif`` (code), ``libelle``, ``taux`` (%), ``masque``.

    Sorted by decreasing rate (masked motifs last); the rates add up to ``taux_absenteisme``.
    """
    d = _ts(date_extraction)
    t = _at(indicators, d)
    sel = t[(t["indicateur"] == "taux_absenteisme") & (t["groupe_variable"] == "motif")]
    out = pd.DataFrame({"motif": sel["groupe"].astype("str"),
                        "libelle": [group_label("motif", g) for g in sel["groupe"]],
                        "taux": sel["valeur"].astype("float64").where(~sel["masque"].astype(bool)),
                        "masque": sel["masque"].astype(bool)})
    return out.sort_values(["masque", "taux"], ascending=[True, False], kind="stable").reset_index(drop=True)


def departures_by_year(departures: pd.DataFrame, date_extraction: Any, *, groupe_variable: str = hr.ENSEMBLE,
                       scenario: str | None = None,
                       service_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Projected departures of one extraction as a wide table (years as columns), masked cells NaN.

    With ``groupe_variable="ensemble"`` the rows are the scenarios; otherwise the rows are the
    groups of that breakdown under ``scenario`` (default ``age_legal``). Only cells of the
    (masked) ``rh_departs_projetes`` table are shown: no total is added, so nothing masked can
    be recovered by subtraction.
    """
    d = _ts(date_extraction)
    t = _at(departures, d)
    t = t[t["groupe_variable"] == groupe_variable]
    if groupe_variable != hr.ENSEMBLE:
        t = t[t["scenario"] == _check_choice(scenario or "age_legal", hr.SCENARIOS, "Scénario")]
        t = t.assign(ligne=[group_label(groupe_variable, g, service_labels) for g in t["groupe"]])
    else:
        t = t.assign(ligne=t["scenario"].map(SCENARIO_LABELS))
    v = pd.to_numeric(t["departs"], errors="coerce").astype("float64").where(~t["masque"].astype(bool))
    wide = t.assign(v=v).pivot_table(index="ligne", columns="annee", values="v", aggfunc="first",
                                     dropna=False, sort=False)
    wide.columns = [str(c) for c in wide.columns]
    wide = wide.reset_index().rename(columns={"ligne": "groupe"})
    wide.columns.name = None
    return wide


# ---------------------------------------------------------------------------------------------
# Jobs at risk
# ---------------------------------------------------------------------------------------------

def _reasons(high_share: bool, single_holder: bool, cfg: Mapping[str, Any]) -> str:
    reasons = []
    if high_share:
        share = float(cfg.get("part_departs_risque", 0.30))
        reasons.append(f"au moins {share:.0%} des agents partent dans les "
                       f"{int(cfg.get('fenetre_risque_annees', 5))} ans".replace("%", " %"))
    if single_holder:
        reasons.append(f"métier tenu par un seul agent, qui part dans les {int(cfg.get('horizon_annees', 10))} ans")
    return " ; ".join(reasons)


def jobs_at_risk_table(jobs: pd.DataFrame, *, config: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """:func:`ducos_lib.hr.jobs_at_risk` with its French reason ``motif`` (before ``masque``): ``rh_metiers_a_risque.csv``.

    ``config`` is the ``rh`` section the jobs were flagged with (share, window, horizon).
    """
    cfg = _hr_config(config)
    out = jobs.copy()
    reasons = [_reasons(bool(a), bool(b), cfg) for a, b in zip(out["risque_part_elevee"], out["risque_agent_unique"])]
    out.insert(list(out.columns).index("masque"), "motif", pd.Series(reasons, index=out.index, dtype="str"))
    return out


def _shown_reason(reason: str, single_holder: bool) -> str:
    if single_holder:  # one agent: keep the single-holder reason only (it says the least)
        reason = next((m for m in reason.split(" ; ") if "seul agent" in m), reason)
    return reason[:1].upper() + reason[1:]


def jobs_at_risk_view(jobs: pd.DataFrame, *, reason: str = "tous") -> pd.DataFrame:
    """Jobs at risk for display: métier, agents, departures in the window, share, reason.

    Parameters
    ----------
    jobs : DataFrame
        :func:`jobs_at_risk_table` (masked or not).
    reason : {"tous", "part_elevee", "agent_unique"}
        All flagged métiers; those losing a large share of several agents (single-holder
        métiers excluded); or only the single-holder métiers.

    Returns
    -------
    DataFrame
        ``metier``, ``effectif``, ``departs_fenetre``, ``part_departs_fenetre`` (in %),
        ``departs_horizon``, ``motif`` (French). A single-holder métier shows only the single-holder reason (it
        says the least about the person). No agent-level detail is shown.
    """
    _check_choice(reason, ("tous", "part_elevee", "agent_unique"), "Motif")
    r = jobs[jobs["a_risque"].astype(bool)]
    single = r["risque_agent_unique"].astype(bool)
    if reason == "part_elevee":
        r = r[~single]
    elif reason == "agent_unique":
        r = r[single]
    return pd.DataFrame({
        "metier": r["metier"].astype("str"),
        "effectif": pd.to_numeric(r["effectif"], errors="coerce").astype("float64"),
        "departs_fenetre": pd.to_numeric(r["departs_fenetre"], errors="coerce").astype("float64"),
        "part_departs_fenetre": 100.0 * pd.to_numeric(r["part_departs_fenetre"], errors="coerce").astype("float64"),
        "departs_horizon": pd.to_numeric(r["departs_horizon"], errors="coerce").astype("float64"),
        "motif": [_shown_reason(m, bool(u)) for m, u in zip(r["motif"].astype("str"), r["risque_agent_unique"])],
    }).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

def _pct(x: float, decimals: int = 1) -> str:
    return percent(x, decimals, proportion=False)


def _plural(n: float, word: str, plural: str | None = None) -> str:
    return f"{number(n)} {word if abs(n) < 2 else (plural or word + 's')}"


def _points(gap: float) -> str:
    if abs(gap) < 0.05:
        return "stable"
    return f"{'+' if gap > 0 else '−'}{number(abs(gap), 1)} point{'s' if abs(gap) >= 2 else ''}"


def boe_sentence(indicators: pd.DataFrame, date_extraction: Any, *,
                 config: Mapping[str, Any] | None = None) -> str | None:
    """French sentence on the employment obligation for disabled workers (None when unpublished)."""
    cfg = _hr_config(config)
    boe = hr.published_value(indicators, "taux_boe", date_extraction)
    if boe is None:
        return None
    met = hr.published_value(indicators, "obligation_boe_atteinte", date_extraction)
    obligation = float(cfg.get("obligation_boe", 6.0))
    if met is not None:
        return (f"Le taux d'emploi de travailleurs handicapés est de {_pct(boe)} : l'obligation "
                f"légale de {_pct(obligation, 0)} {'est atteinte' if met else 'n’est pas atteinte'}.")
    return (f"Le taux d'emploi de travailleurs handicapés est de {_pct(boe)} (l'obligation de "
            f"{_pct(obligation, 0)} ne s'applique pas sous {number(cfg.get('seuil_boe_etp', 20))} ETP).")


def inferred_rules_sentence(count: int, *, threshold: int | None = None) -> str:
    """French sentence: how many agents present have a legal age from an inferred rule.

    ``count`` is :func:`ducos_lib.hr.inferred_rule_count`. A count below the masking threshold
    (but not zero) is given as "moins de <threshold>".
    """
    threshold = confidentiality_threshold(threshold)
    if count == 0:
        return "Aucun agent présent ne relève d'une ligne « inférée » du barème."
    who = f"moins de {threshold} agents" if count < threshold else _plural(count, "agent")
    return (f"{who[:1].upper() + who[1:]} présents relèvent d'une ligne « inférée » du barème "
            f"(catégorie active, nés de 1969 à 1973) : leur date de départ est à lire avec prudence.")


def key_findings(indicators: pd.DataFrame, date_extraction: Any, *, cumulated: pd.DataFrame | None = None,
                 jobs: pd.DataFrame | None = None, previous_date: Any | None = None,
                 config: Mapping[str, Any] | None = None, n_single_holder_posts: int | None = None,
                 n_small_jobs: int = 0, threshold: int | None = None) -> list[str]:
    """Key findings of the HR report, in French, computed from the published (masked) figures.

    Parameters
    ----------
    indicators : DataFrame
        Masked ``rh_indicateurs`` table (every date up to the milestone).
    date_extraction : date-like
        The milestone's extraction date.
    cumulated : DataFrame, optional
        :func:`ducos_lib.hr.cumulated_departures` of that date.
    jobs : DataFrame, optional
        :func:`ducos_lib.hr.jobs_at_risk` of that date (at the copil level, the named métiers).
    previous_date : date-like, optional
        Earlier extraction to compare with (the previous milestone's).
    config : mapping, optional
        The ``rh`` section of ``observatoire.yml`` (``obligation_boe``).
    n_single_holder_posts : int, optional
        Single-holder posts at risk when ``jobs`` does not list them (copil level); default:
        counted in ``jobs``.
    n_small_jobs : int
        Other jobs at risk left out of ``jobs`` (copil level: fewer agents than the threshold).
    threshold : int, optional
        The copil masking threshold: a share of the staff is not given when it counts fewer
        agents. None (restricted level) gives every share.

    Returns
    -------
    list of str
        Sentences (plain text, no HTML); a masked or missing figure is left out, never guessed.
    """
    cfg = _hr_config(config)
    d = _ts(date_extraction)
    p = _ts(previous_date) if previous_date is not None else None
    v = lambda ind, gv=hr.ENSEMBLE, g=hr.ENSEMBLE, x=d: hr.published_value(  # noqa: E731
        indicators, ind, x, groupe_variable=gv, groupe=g)
    sentences: list[str] = []

    count, fte = v("effectif"), v("etp")
    if count is None:
        return [f"Aucune donnée RH publiable au {date(d)}."]
    s = f"Au {date(d)}, la commune compte {_plural(count, 'agent')}"
    if fte is not None:
        s += f" ({number(fte, 1)} équivalents temps plein)"
    women = v("effectif", "sexe", "F")
    if women is not None:
        s += f", dont {_pct(100 * women / count, 0)} de femmes"
    tenured = v("effectif", "statut", "titulaire")
    if tenured is not None:
        s += f" et {_pct(100 * tenured / count, 0)} de titulaires"
    if p is not None and v("effectif", x=p) is not None:
        diff = count - v("effectif", x=p)
        s += (f" ; c'est {_plural(abs(diff), 'agent')} de {'plus' if diff > 0 else 'moins'} qu'au {date(p)}"
              if diff else f" ; l'effectif est stable depuis le {date(p)}")
    sentences.append(s + ".")

    age, age_med = v("age_moyen"), v("age_median")
    if age is not None:
        s = f"L'âge moyen est de {number(age, 1)} ans"
        if age_med is not None:
            s += f" (âge médian {number(age_med, 1)} ans)"
        sentences.append(s + ".")

    ta, tc = v("taux_absenteisme"), v("taux_absenteisme_compressible")
    if ta is not None:
        s = f"Le taux d'absentéisme des agents permanents est de {_pct(ta)} sur les 12 mois précédents"
        if tc is not None:
            s += (f", dont {_pct(tc)} d'absences « compressibles » (maladie ordinaire et accidents "
                  f"du travail)")
        if p is not None and v("taux_absenteisme", x=p) is not None:
            s += f" ; {_points(ta - v('taux_absenteisme', x=p))} par rapport au {date(p)}"
        sentences.append(s + ".")
    tr = v("taux_rotation")
    if tr is not None:
        s = f"Le taux de rotation (arrivées et départs rapportés à l'effectif permanent) est de {_pct(tr)}"
        if p is not None and v("taux_rotation", x=p) is not None:
            s += f" ({_points(tr - v('taux_rotation', x=p))} par rapport au {date(p)})"
        sentences.append(s + ".")

    hours, managers = v("heures_formation_par_agent"), v("part_encadrants")
    if hours is not None or managers is not None:
        parts = []
        if hours is not None:
            parts.append(f"chaque agent a suivi en moyenne {number(hours, 1)} heures de formation sur 12 mois")
        if managers is not None:
            m = f"{_pct(managers)} des agents encadrent une équipe"
            women_managers = v("part_femmes_encadrants")
            if women_managers is not None:
                m += f" ({_pct(women_managers, 0)} de ces encadrants sont des femmes)"
            parts.append(m)
        text = " ; ".join(parts)
        sentences.append(text[:1].upper() + text[1:] + ".")

    boe = boe_sentence(indicators, d, config=cfg)
    if boe is not None:
        sentences.append(boe)

    if cumulated is not None and len(cumulated):
        for k in sorted(cumulated["fenetre"].unique()):
            c = cumulated[cumulated["fenetre"] == k].set_index("scenario")
            if "age_legal" not in c.index or c.loc["age_legal", "masque"]:
                continue
            n_legal = c.loc["age_legal", "departs"]
            s = (f"D'ici fin {int(c.loc['age_legal', 'annee_fin'])}, {_plural(n_legal, 'agent')} "
                 f"{'pourraient' if n_legal >= 2 else 'pourrait'} partir à la retraite à l'âge légal")
            if threshold is None or not 0 < n_legal < threshold:  # a share of fewer agents is not given
                s += f" ({_pct(100 * n_legal / count, 0)} de l'effectif actuel)"
            if "age_observe" in c.index and not c.loc["age_observe", "masque"]:
                s += f", {number(c.loc['age_observe', 'departs'])} si chacun part à l'âge moyen observé"
            sentences.append(s + ".")
            break  # the shortest publishable window is the most useful finding

    if jobs is not None:
        risk = jobs[jobs["a_risque"].astype(bool)]
        listed_single = risk["risque_agent_unique"].astype(bool)
        single = int(listed_single.sum()) if n_single_holder_posts is None else int(n_single_holder_posts)
        total = int((~listed_single).sum()) + int(n_small_jobs) + single
        if total == 0:
            sentences.append("Aucun métier n'est signalé à risque de départs à la retraite.")
        else:
            s = (f"{_plural(total, 'métier')} {'sont signalés' if total >= 2 else 'est signalé'} "
                 f"à risque de départs à la retraite")
            if single:
                s += (f", dont {number(single)} tenu{'s' if single >= 2 else ''} par un seul agent "
                      f"(transmission des savoirs à anticiper)")
            sentences.append(s + ".")
    return sentences


# ---------------------------------------------------------------------------------------------
# Alt texts of the charts
# ---------------------------------------------------------------------------------------------

def alt_pyramid(pyramid: pd.DataFrame, date_extraction: Any) -> str:
    """Alt text of the age pyramid (:func:`pyramid_table`): what it shows and its main reading."""
    pub = pyramid[~pyramid["masque"].astype(bool)]
    s = (f"Pyramide des âges des agents présents au {date(date_extraction)} par tranches de 5 ans, "
         "hommes à gauche, femmes à droite")
    if pub.empty:
        return s + " ; toutes les cases concernent moins de 5 agents et sont masquées."
    per_band = pub.groupby("tranche", sort=False)["effectif"].sum()
    top = per_band.idxmax()
    s += f" ; la tranche la plus fournie est {top} ({_plural(per_band.max(), 'agent')} publiés)"
    older = pub[pub["age_debut"].notna() & (pub["age_debut"] >= 55)]["effectif"].sum()
    total = pub["effectif"].sum()
    if total:
        s += f" ; {_pct(100 * older / total, 0)} des agents comptés ont 55 ans ou plus"
    n_masked = int(pyramid["masque"].astype(bool).sum())
    if n_masked:
        s += f" ; {_plural(n_masked, 'case masquée', 'cases masquées')} (moins de 5 agents)"
    return s + "."


def alt_departures(yearly: pd.DataFrame) -> str:
    """Alt text of the departures chart, from :func:`departures_by_year` (ensemble, scenarios as rows)."""
    years = [c for c in yearly.columns if c != "groupe"]
    if not years:
        return "Graphique des départs à la retraite projetés : aucune donnée."
    s = (f"Barres groupées du nombre de départs à la retraite projetés par année de {years[0]} à "
         f"{years[-1]}, selon deux hypothèses (âge légal minimum, âge moyen de départ observé)")
    for _, r in yearly.iterrows():
        vals = r[years].astype("float64")
        if vals.notna().any():
            a = vals.idxmax()
            s += f" ; {str(r['groupe']).lower()}, le pic est en {a} avec {_plural(vals[a], 'départ')}"
    if yearly[years].isna().to_numpy().any():
        s += " ; les années à moins de 5 départs sont masquées"
    return s + "."


def alt_reasons(reasons: pd.DataFrame, date_extraction: Any) -> str:
    """Alt text of the absenteeism-by-motif chart, from :func:`absence_by_reason`."""
    pub = reasons[~reasons["masque"].astype(bool) & reasons["taux"].notna()]
    s = (f"Barres horizontales du taux d'absentéisme par motif sur les 12 mois précédant le "
         f"{date(date_extraction)}")
    if len(pub) and pub["taux"].sum() > 0:
        top = pub.iloc[0]
        s += (f" ; le premier motif est « {top['libelle']} » avec {_pct(top['taux'], 2)}, soit "
              f"{_pct(100 * top['taux'] / pub['taux'].sum(), 0)} des jours d'absence publiés")
    return s + "."


# ---------------------------------------------------------------------------------------------
# Number formats with the masking mark
# ---------------------------------------------------------------------------------------------

def masked_format(decimals: int = 0, *, pct: bool = False, signed: bool = False, auto: bool = False,
                  short: bool = False, threshold: int | None = None):
    """Formatter for report tables: a number in French, or the masking mark when missing (NaN).

    Parameters
    ----------
    decimals : int
    pct : bool
        Append `` %`` (the value is already in %).
    signed : bool
        Signed number (``+1,2`` / ``−0,5``), for differences.
    auto : bool
        Whole numbers without decimals (a headcount next to an age in one column).
    short : bool
        Mark ``"< 5"`` (dense tables) instead of ``"secret (< 5)"``.

    Notes
    -----
    A masked percentage is always marked ``"secret"``: ``"< 5"`` next to a share would read as
    "less than 5 %" (and the share may be masked for its numerator or its denominator).
    """
    s = confidentiality_threshold(threshold)
    mark = "secret" if pct else f"< {s}" if short else f"secret (< {s})"

    def fmt(v: Any) -> str:
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return mark
        v = float(v)
        dec = 0 if auto and v.is_integer() else decimals
        text = formats.signed(v, dec) if signed else number(v, dec)
        return text + (NBSP + "%" if pct else "")

    return fmt


# ---------------------------------------------------------------------------------------------
# The two levels of diffusion (DESIGN §6): published tables and what the report says about them
# ---------------------------------------------------------------------------------------------

RESTRICTED_NOTICE = (
    "<strong>Diffusion restreinte.</strong> Ce rapport est destiné à la direction des ressources humaines et au "
    "comité technique (CoTA) : il donne la GPEC détaillée sans masquage (effectifs de moins de {seuil} agents, "
    "départs par service, catégorie, filière et métier, postes tenus par un seul agent avec l'année où leur "
    "titulaire peut partir). Il ne doit pas être transmis au comité de pilotage ni diffusé au-delà ; la version "
    "du comité de pilotage est publiée séparément."
)


def check_level(level: str) -> str:
    """``level`` when it is a level of diffusion (``copil``, ``restreinte``), else a French error."""
    return _check_choice(level, hr.LEVELS, "Niveau de diffusion")


def title(milestone: str, level: str) -> str:
    """The report's title, marked at the restricted level."""
    base = f"Ressources humaines et GPEC — jalon {milestone}"
    return base + (" — diffusion restreinte" if check_level(level) == "restreinte" else "")


def restricted_notice(threshold: int | None = None) -> str:
    """The warning that opens the restricted report (simple HTML)."""
    return RESTRICTED_NOTICE.format(seuil=confidentiality_threshold(threshold))


def masking_intro(level: str, threshold: int | None = None) -> str:
    """The introduction's sentence on masking, by level."""
    if check_level(level) == "restreinte":
        return ("Aucun chiffre n'est masqué dans cette version : elle contient des informations sur de très petits "
                "groupes d'agents.")
    s = confidentiality_threshold(threshold)
    return (f"Aucun chiffre ne porte sur moins de {s} agents : ces cases sont remplacées par « secret (< {s}) » "
            "(« secret » pour un pourcentage) ; seuls les départs à la retraite de l'ensemble des agents sont "
            "publiés en totalité.")


def pyramid_note(level: str, threshold: int | None = None) -> str | None:
    """What the pyramid hides at the copil level (None at the restricted level)."""
    if check_level(level) == "restreinte":
        return None
    s = confidentiality_threshold(threshold)
    return (f"Une tranche extrême de moins de {s} agents est regroupée avec sa voisine ; une case de moins de {s} "
            f"agents n'est pas dessinée (mention « < {s} »).")


def departures_note(level: str, threshold: int | None = None) -> str:
    """The note under the projected departures, by level."""
    if check_level(level) == "restreinte":
        return ("Détail complet, sans masquage : les tableaux ci-dessus et la table rh_departs_projetes.csv de ce "
                "dossier restreint donnent les départs projetés par service, catégorie, filière et métier, sous les "
                "deux hypothèses.")
    s = confidentiality_threshold(threshold)
    return (f"Les départs de l'ensemble des agents sont publiés en totalité : ils concernent le personnel dans son "
            f"ensemble. Dans le détail, « < {s} » signale moins de {s} départs (chiffre masqué, avec une seconde case "
            f"si besoin pour qu'on ne puisse pas le retrouver par différence) et les groupes de moins de {s} agents "
            "sont regroupés en « Autres ». Le détail par service, filière et métier, sous les deux hypothèses, figure "
            "dans la table rh_departs_projetes.csv ; le détail non masqué est réservé à la diffusion restreinte.")


def jobs_note(level: str, n_single_holder_posts: int, n_small_jobs: int, *, threshold: int | None = None,
              config: Mapping[str, Any] | None = None) -> str:
    """What the report says about the jobs at risk it does not list (copil) or about its list (restricted)."""
    horizon = int(_hr_config(config).get("horizon_annees", 10))
    if check_level(level) == "restreinte":
        return ("Chaque poste de la liste ci-dessus est tenu par une seule personne : l'année indiquée est celle où "
                "elle peut partir. Le signalement invite à organiser la transmission des savoirs (binôme, "
                "documentation des procédures, recrutement anticipé).")
    s = confidentiality_threshold(threshold)
    singles = (f"{_plural(n_single_holder_posts, 'poste tenu', 'postes tenus')} par un seul agent dont le titulaire "
               f"peut partir dans les {horizon} ans" if n_single_holder_posts else
               f"Aucun poste tenu par un seul agent n'est concerné par un départ dans les {horizon} ans")
    text = singles + (" : ces postes ne sont pas nommés, car chacun désignerait une personne" if n_single_holder_posts
                      else "")
    if n_small_jobs:
        text += (f" ; {_plural(n_small_jobs, 'autre métier', 'autres métiers')} de moins de {s} agents "
                 f"{'sont' if n_small_jobs >= 2 else 'est'} aussi signalé{'s' if n_small_jobs >= 2 else ''}, sans "
                 "être nommé" + ("s" if n_small_jobs >= 2 else ""))
    return (text + ". Le signalement invite à organiser la transmission des savoirs (binôme, documentation des "
            "procédures, recrutement anticipé) ; la liste nominative des postes est réservée à la diffusion restreinte.")


def single_holder_view(posts: pd.DataFrame, *, service_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The restricted list of single-holder posts (:func:`ducos_lib.hr.single_holder_posts`) for display."""
    return pd.DataFrame({
        "metier": posts["metier"].astype("str"),
        "service": [group_label("service", g, service_labels) for g in posts["service"]],
        "categorie": [group_label("categorie", g) for g in posts["categorie"]],
        # years as text: no thousands separator, "–" beyond the horizon
        "annee_depart_age_legal": [_year(v) for v in posts["annee_depart_age_legal"]],
        "annee_depart_age_observe": [_year(v) for v in posts["annee_depart_age_observe"]],
    }).reset_index(drop=True)


def _year(v: Any) -> str:
    return "–" if v is None or pd.isna(v) else str(int(v))


def confidentiality_paragraph(level: str, threshold: int | None = None) -> str:
    """The methodology's paragraph on confidentiality (Markdown), by level."""
    if check_level(level) == "restreinte":
        return ("**Confidentialité.** Version à diffusion restreinte (direction des ressources humaines, CoTA) : aucun "
                "masquage des petits effectifs, liste des postes tenus par un seul agent. Les identifiants restent "
                "pseudonymisés et seuls l'année et le mois de naissance sont conservés. Cette version est écrite dans "
                "un dossier séparé et ne doit pas être jointe aux documents du comité de pilotage.")
    s = confidentiality_threshold(threshold)
    return (f"**Confidentialité.** Aucun chiffre ne porte sur moins de {s} agents (seuil de `config/observatoire.yml`, "
            "jamais inférieur à 3) : la case est masquée (« secret ») et, si besoin, une deuxième case est masquée pour "
            "qu'on ne puisse pas retrouver la première par différence avec le total. Un pourcentage dont le numérateur "
            f"ou le dénominateur compte moins de {s} agents est masqué aussi. Les départs à la retraite de l'ensemble "
            "des agents sont publiés en totalité (ils concernent le personnel dans son ensemble) ; dans le détail, les "
            f"groupes de moins de {s} agents sont regroupés en « Autres ». Un métier de moins de {s} agents n'est "
            "jamais nommé, a fortiori un poste tenu par une seule personne : on en donne le nombre. Les totaux "
            "des métiers à risque ne sont publiés que s'ils ne permettent de retrouver ni une case masquée des "
            f"départs projetés ni moins de {s} départs sur une partie d'année. Dans la pyramide, les tranches "
            "extrêmes trop peu peuplées sont regroupées.")


def published_tables(pub: hr.HRPublication, *, config: Mapping[str, Any] | None = None) -> dict[str, pd.DataFrame]:
    """The §4 tables of report 03 at the publication's level, by name (``rh_indicateurs`` …).

    The restricted level adds ``rh_postes_agent_unique`` (single-holder posts and the year their
    holder can leave); the copil level never lists them.
    """
    tables = {
        "rh_indicateurs": pub.indicators,
        "rh_departs_projetes": pub.departures,
        "rh_pyramide": pyramid_table(pub.pyramid),
        "rh_metiers_a_risque": jobs_at_risk_table(pub.jobs, config=config),
    }
    if pub.restricted:
        tables["rh_postes_agent_unique"] = pub.single_holder_posts
    return tables
