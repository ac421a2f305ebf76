"""Staff barometer (``barometre_agents``, DESIGN §3): a census of the agents with non-response.

Every agent is invited; those who answer are not a random sample, and answering differs by direction.
Each wave is therefore treated as a stratified design whose strata are the directions: the weight of
an answer is ``N_h / n_h`` (headcount of its direction in the HR extraction on or before the wave
over the answers received from it), the finite population correction is ``N_h`` (a direction that
answered in full has no sampling error). This is the usual non-response adjustment by response
homogeneity groups: it is unbiased if, within a direction, those who answered resemble those who
did not (Särndal, Swensson & Wretman 1992, §15.6). Estimates go through the survey engine's public API.

Indicators (registry group ``barometre``): ``barometre_<item>_moyenne`` (mean of 1–5) and
``barometre_<item>_favorables`` (share of 4–5), for every item of :data:`ITEMS`. The table
``barometre_estimations.csv`` has the columns of ``enquete_estimations.csv`` (DESIGN §4).

References
----------
Särndal, C.-E., Swensson, B. & Wretman, J. (1992). *Model Assisted Survey Sampling*, §15.6
(response homogeneity groups). Springer.
Lumley, T. (2010). *Complex Surveys*, §2.2 (stratified sampling, fpc). Wiley.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import survey
from .redaction import strip_accents

# The columns of barometre_estimations.csv and barometre_comparaisons.csv are those of the survey tables.
from .survey.tables import COMPARISON_COLUMNS, ESTIMATION_COLUMNS

#: Likert items of the barometer (DESIGN §3), in questionnaire order; 5 is the favourable end.
ITEMS = ("sens_travail", "reconnaissance", "soutien_encadrant", "cohesion", "charge_travail", "information",
         "equipements", "intention_rester")
STATISTICS = ("moyenne", "favorables")
RATE_COLUMNS = ["vague", "direction", "effectif", "n_reponses", "taux_reponse"]
#: Directions with fewer answers in a wave are not estimated separately.
MIN_ANSWERS = 5


class BarometerError(ValueError):
    """Barometer answers that cannot be weighted (French message naming the direction)."""


def indicator(item: str, statistic: str) -> str:
    """``("reconnaissance", "favorables")`` → ``"barometre_reconnaissance_favorables"``."""
    if item not in ITEMS or statistic not in STATISTICS:
        raise ValueError(f"Item « {item} » ou statistique « {statistic} » inconnu ; items : {', '.join(ITEMS)} ; "
                         f"statistiques : {', '.join(STATISTICS)}.")
    return f"barometre_{item}_{statistic}"


def indicator_names() -> list[str]:
    """Every barometer indicator, in questionnaire order (mean then share favourable per item)."""
    return [indicator(i, s) for i in ITEMS for s in STATISTICS]


def _key(text: object) -> str:
    return " ".join(strip_accents(str(text)).lower().replace("'", " ").replace("’", " ").split())


def answers(ms) -> pd.DataFrame | None:
    """The barometer answers a milestone sees: waves of the milestone's calendar up to it, answered
    on or before its date, each with the direction as ``services.csv`` spells it.

    Parameters
    ----------
    ms : ducos_lib.ingest.MilestoneData

    Returns
    -------
    DataFrame or None
        None when the raw folder has no barometer (an optional input).
    """
    frame = getattr(ms, "barometre_agents", None)
    if frame is None:
        path = Path(ms.ingestion.processed_dir) / "barometre_agents.parquet"
        if not path.exists():
            return None
        frame = pd.read_parquet(path)
    frame = frame.loc[frame["vague"].astype(str).isin(ms.waves) & (frame["date_reponse"] <= ms.date)].copy()
    return with_directions(frame, ms.services).reset_index(drop=True)


def with_directions(frame: pd.DataFrame, services: pd.DataFrame) -> pd.DataFrame:
    """``direction`` matched to the spelling of ``services.csv`` (case and accents aside), filled from the
    service's direction when only ``service`` was given; unmatched directions stay as typed."""
    known = {_key(d): d for d in services["direction"].dropna().unique()}
    out = frame.copy()
    direction = out["direction"] if "direction" in out else pd.Series(pd.NA, index=out.index, dtype="object")
    out["direction"] = direction.map(lambda d: known.get(_key(d), d) if pd.notna(d) else d)
    if "service" in out:
        by_service = out["service"].map(dict(zip(services["code_service"], services["direction"])))
        out["direction"] = out["direction"].where(out["direction"].notna(), by_service)
    return out


def headcount(history: pd.DataFrame | None, services: pd.DataFrame, on: pd.Timestamp) -> pd.Series:
    """Agents present per direction in the latest HR extraction on or before ``on``.

    Agents listed with a ``date_sortie`` on or before the extraction date have left (DESIGN §3).
    Empty when no extraction precedes ``on``.
    """
    if history is None or history.empty:
        return pd.Series(dtype="int64")
    seen = history.loc[history["date_extraction"] <= on]
    if seen.empty:
        return pd.Series(dtype="int64")
    day = seen["date_extraction"].max()
    rows = seen.loc[seen["date_extraction"] == day]
    present = rows["date_sortie"].isna() | (rows["date_sortie"] > day)
    direction = rows.loc[present, "service"].map(dict(zip(services["code_service"], services["direction"])))
    return direction.value_counts().sort_index().rename("effectif")


def response_rates(frame: pd.DataFrame, headcounts: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Answers over headcount, per wave and direction, plus a row ``ensemble`` per wave (:data:`RATE_COLUMNS`)."""
    rows = []
    for wave, counts in headcounts.items():
        got = frame.loc[frame["vague"] == wave, "direction"].value_counts()
        for direction in sorted(set(counts.index) | set(got.index)):
            n, big_n = int(got.get(direction, 0)), int(counts.get(direction, 0))
            rows.append((wave, direction, big_n, n, n / big_n if big_n else np.nan))
        n, big_n = int(got.sum()), int(counts.sum())
        rows.append((wave, "ensemble", big_n, n, n / big_n if big_n else np.nan))
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def wave_design(frame: pd.DataFrame, counts: pd.Series) -> survey.SurveyDesign:
    """Stratified design of one wave: strata = directions, weight ``N_h / n_h``, fpc ``N_h``.

    Raises
    ------
    BarometerError
        When answers come from a direction that has no agent in the HR extraction (or none is given),
        or when a direction has more answers than agents.
    """
    data = frame.reset_index(drop=True)
    unknown = sorted(set(data["direction"].dropna().astype(str)) - set(counts.index))
    if unknown or data["direction"].isna().any():
        what = ", ".join(f"« {u} »" for u in unknown) or "vide"
        raise BarometerError(f"barometre_agents : direction {what} absente de l'extraction RH (services.csv, "
                             "colonne direction) : impossible de redresser les réponses sur les effectifs.")
    n_h = data["direction"].map(data["direction"].value_counts())
    big_n = data["direction"].map(counts).astype(float)
    over = sorted(data.loc[n_h > big_n, "direction"].unique())
    if over:
        raise BarometerError(f"barometre_agents : plus de réponses que d'agents pour {', '.join(over)} : "
                             "vérifiez la vague et l'extraction RH.")
    return survey.design(data.assign(_w=big_n / n_h, _fpc=big_n), weights="_w", strata="direction", fpc="_fpc")


def _rows(des: survey.SurveyDesign, wave: str, gv: str, group: str, domain, alpha: float) -> list[tuple]:
    out = []
    for item in ITEMS:
        values = pd.to_numeric(des.data[item], errors="coerce")
        if values.notna().sum() == 0:
            continue
        favourable = (values >= 4).astype(float).where(values.notna())
        # NSP leaves the agent out of that item only; normal-quantile intervals (the engine's defaults are R's)
        for statistic, est in (("moyenne", survey.mean(des, values.to_numpy(float), domain=domain, alpha=alpha,
                                                       na_rm=True)),
                               ("favorables", survey.proportion(des, favourable.to_numpy(float), domain=domain,
                                                                alpha=alpha, df=None))):
            out.append((wave, indicator(item, statistic), gv, group, est.estimate, est.se, est.ci_low, est.ci_high,
                        int(est.n)))
    return out


def estimations(frame: pd.DataFrame, headcounts: Mapping[str, pd.Series], *, alpha: float = 0.05,
                min_answers: int = MIN_ANSWERS) -> pd.DataFrame:
    """``barometre_estimations.csv``: every indicator per wave, for all agents and per direction.

    Parameters
    ----------
    frame : DataFrame
        Answers (from :func:`answers`).
    headcounts : mapping
        Wave → agents per direction (:func:`headcount`), in calendar order.
    min_answers : int
        A direction with fewer answers in a wave is left out of the direction rows (never shown).

    Returns
    -------
    DataFrame
        :data:`ESTIMATION_COLUMNS`; ``groupe_variable`` is ``ensemble`` or ``direction``.
    """
    rows = []
    for wave, counts in headcounts.items():
        part = frame.loc[frame["vague"] == wave]
        if part.empty:
            continue
        des = wave_design(part, counts)
        rows += _rows(des, wave, "ensemble", "ensemble", None, alpha)
        sizes = des.data["direction"].value_counts()
        for direction in sorted(sizes.index):
            if sizes[direction] >= min_answers:
                rows += _rows(des, wave, "direction", direction, (des.data["direction"] == direction).to_numpy(), alpha)
    return pd.DataFrame(rows, columns=ESTIMATION_COLUMNS)


def comparisons(table: pd.DataFrame, *, reference: str | None = None, alpha: float = 0.05,
                method: str = "holm") -> pd.DataFrame:
    """Each later wave against the reference wave (default: the first of ``table``), per indicator and group.

    The waves are treated as independent (answers are anonymous, so the agents who answered twice
    cannot be paired): ``se = sqrt(se_a² + se_b²)``, normal interval and two-sided p-value, adjusted
    with :func:`ducos_lib.survey.adjust_pvalues` across the indicators (and directions) of each pair of
    waves, all agents and directions being two families.

    Returns
    -------
    DataFrame
        :data:`COMPARISON_COLUMNS` (``methode``: ``difference_z``).
    """
    waves = list(dict.fromkeys(table["vague"]))
    if len(waves) < 2:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    reference = reference or waves[0]
    keys = ["indicateur", "groupe_variable", "groupe"]
    a = table.loc[table["vague"] == reference].set_index(keys)
    parts = []
    for wave in waves:
        if wave == reference:
            continue
        b = table.loc[table["vague"] == wave].set_index(keys)
        both = a.merge(b, how="inner", left_index=True, right_index=True, suffixes=("_a", "_b"))
        if both.empty:
            continue
        r = survey.compare_arrays(*(both[c].to_numpy(float) for c in
                                    ("estimation_a", "erreur_type_a", "estimation_b", "erreur_type_b")), alpha)
        part = pd.DataFrame({"vague_a": reference, "vague_b": wave, "difference": r["difference"],
                             "ic_bas": r["ci_low"], "ic_haut": r["ci_high"], "p_valeur": r["pvalue"]},
                            index=both.index).reset_index()
        part["p_ajustee"] = np.nan
        for _, rows in part.groupby("groupe_variable"):  # one family per kind of group, as for the survey
            part.loc[rows.index, "p_ajustee"] = survey.adjust_pvalues(rows["p_valeur"].to_numpy(float), method)
        part["methode"] = "difference_z"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[COMPARISON_COLUMNS] if parts else pd.DataFrame(
        columns=COMPARISON_COLUMNS)


def barometer_tables(ms, *, alpha: float = 0.05, method: str = "holm",
                     min_answers: int = MIN_ANSWERS) -> dict[str, pd.DataFrame] | None:
    """Everything the barometer section needs at a milestone, or None without a barometer.

    Returns
    -------
    dict
        ``reponses`` (the answers), ``taux`` (:func:`response_rates`), ``estimations``,
        ``comparaisons``; waves in the calendar's order.
    """
    frame = answers(ms)
    if frame is None or frame.empty:
        return None
    waves = [w for w in ms.waves if w in set(frame["vague"])]
    counts = {w: headcount(ms.rh_agents_historique, ms.services, ms.dates[w]) for w in waves}
    missing = [w for w, c in counts.items() if c.empty]
    if missing:
        raise BarometerError(f"barometre_agents : aucune extraction RH au plus tard à la date de la vague "
                             f"{', '.join(missing)} : impossible de rapporter les réponses aux effectifs.")
    est = estimations(frame, counts, alpha=alpha, min_answers=min_answers)
    return {"reponses": frame, "taux": response_rates(frame, counts), "estimations": est,
            "comparaisons": comparisons(est, alpha=alpha, method=method)}


def answered_share(frame: pd.DataFrame, items: Sequence[str] = ITEMS) -> pd.Series:
    """Share of answers with a note (not NSP) per item, over all waves."""
    return pd.Series({i: float(pd.to_numeric(frame[i], errors="coerce").notna().mean()) for i in items if i in frame})
