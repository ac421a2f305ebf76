"""Did the programme reach its objectives? Targets of ``config/objectifs.yml`` against the figures.

The CoTA states, per objective of the programme, its indicators (names of the registry,
``config/indicateurs.yml``), a reference milestone, a target — a level to reach or a change since the
reference — and, when it differs from the registry, the direction of better. :func:`assess` compares
the latest figure and its confidence interval with each target (DESIGN §5 "Objectives"):

* ``atteint`` — the interval clears the target (all of it on the right side);
* ``non_atteint`` — the interval lies entirely on the wrong side, or it contains the target and the
  figure has not moved the right way since the reference;
* ``en_progres`` — the interval contains the target and the figure moved the right way since the
  reference;
* ``non_mesurable`` — no figure at this milestone (or, for a change target, none after the reference).

A change target is judged on the interval of the change when the tables give one (survey waves are
independent samples: ``enquete_comparaisons``), otherwise on the interval of the latest value minus
the reference value (exact for census figures such as HR indicators).

References
----------
Direction interministérielle de la transformation publique, *Services Publics+ : référentiel et
indicateurs de résultat* (2023) — targets stated on the interval, not on the point estimate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .config import CONFIG_DIR
from .intervals import mean_ci
from .registry import Registry, load_registry

STATUSES = ("atteint", "en_progres", "non_atteint", "non_mesurable")
TARGET_KINDS = ("niveau", "evolution")
#: Columns of the §4 table ``bilan_objectifs.csv``, in order.
COLUMNS = ["objectif", "indicateur", "groupe", "jalon_reference", "valeur_reference", "valeur", "ic_bas",
           "ic_haut", "cible", "statut"]
#: Columns of the figures :func:`assess` reads (one row per milestone, indicator and group).
SERIES_COLUMNS = ["jalon", "indicateur", "groupe", "valeur", "ic_bas", "ic_haut"]
#: Columns of the changes :func:`assess` may read (``enquete_comparaisons`` renamed).
CHANGE_COLUMNS = ["indicateur", "groupe", "jalon_a", "jalon_b", "difference", "ic_bas", "ic_haut"]
FIRST = "premier"  # reference milestone: the first milestone of the cycle


class ObjectivesError(ValueError):
    """``config/objectifs.yml`` cannot be read (the message is in French and names the entry)."""


@dataclass(frozen=True)
class Target:
    """One indicator of an objective with its target."""

    objective: str
    indicator: str
    group: str
    reference: str          # a milestone, or FIRST
    kind: str               # "niveau" or "evolution"
    value: float
    direction: int          # 1: higher is better, -1: lower is better


@dataclass(frozen=True)
class Objective:
    """One objective of the programme and its targets."""

    code: str
    label: str
    targets: tuple[Target, ...]


def read_objectives(path: Path | str, registry: Registry | None = None) -> list[Objective]:
    """Read and check an objectives file laid out as ``config/objectifs.yml``.

    Raises
    ------
    ObjectivesError
        For an unknown indicator, a target that is neither a level nor a change, an indicator whose
        direction of better is neither given nor in the registry — with the objective and the
        indicator named.
    """
    path = Path(path)
    reg = registry if registry is not None else load_registry()
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    objectives = []
    for i, entry in enumerate(raw.get("objectifs") or [], start=1):
        code = entry.get("code") or f"objectif_{i}"
        if not entry.get("libelle"):
            raise ObjectivesError(f"{path.name}, objectif « {code} » : le champ « libelle » est obligatoire.")
        targets = []
        for spec in entry.get("indicateurs") or []:
            name = spec.get("indicateur")
            where = f"{path.name}, objectif « {code} », indicateur « {name} »"
            if name not in reg:
                raise ObjectivesError(f"{where} : indicateur inconnu du registre (config/indicateurs.yml).")
            target = spec.get("cible") or {}
            kinds = [k for k in TARGET_KINDS if k in target]
            if len(kinds) != 1 or not isinstance(target[kinds[0]], (int, float)):
                raise ObjectivesError(f"{where} : la cible doit être « niveau: X » ou « evolution: ±X » (un nombre).")
            sens = spec.get("sens")
            direction = {"hausse": 1, "baisse": -1}.get(sens, reg[name].direction) if sens else reg[name].direction
            if sens not in (None, "hausse", "baisse") or direction == 0:
                raise ObjectivesError(f"{where} : précisez « sens: hausse » ou « sens: baisse » (le registre le "
                                      "dit neutre).")
            targets.append(Target(objective=code, indicator=name, group=str(spec.get("groupe", "ensemble")),
                                  reference=str(spec.get("jalon_reference", FIRST)), kind=kinds[0],
                                  value=float(target[kinds[0]]), direction=int(direction)))
        objectives.append(Objective(code=code, label=str(entry["libelle"]), targets=tuple(targets)))
    codes = [o.code for o in objectives]
    if len(set(codes)) != len(codes):
        raise ObjectivesError(f"{path.name} : deux objectifs portent le même code.")
    return objectives


def load_objectives(config_dir: Path | str | None = None) -> list[Objective]:
    """The workspace's ``config/objectifs.yml``."""
    folder = Path(config_dir) if config_dir is not None else CONFIG_DIR
    return read_objectives(folder / "objectifs.yml", load_registry(config_dir))


def decide(low: float, high: float, target: float, direction: int, moved: float | None) -> str:
    """Status of one target from the interval ``[low, high]`` of the judged quantity.

    Parameters
    ----------
    low, high : float
        Interval of the latest value (level targets) or of the change (change targets); NaN when
        there is no figure.
    target : float
        The level or the change to reach.
    direction : {1, -1}
        1 when higher is better.
    moved : float or None
        Change of the point estimate since the reference (None or NaN when there is none).

    Examples
    --------
    >>> decide(0.66, 0.74, 0.65, 1, 0.08)
    'atteint'
    >>> decide(0.60, 0.70, 0.65, 1, 0.05)
    'en_progres'
    >>> decide(5.1, 6.0, 5.0, -1, -0.2)
    'non_atteint'
    """
    if np.isnan(low) or np.isnan(high):
        return "non_mesurable"
    lo, hi, t = (low, high, target) if direction > 0 else (-high, -low, -target)
    if lo >= t:
        return "atteint"
    if hi < t:
        return "non_atteint"
    if moved is not None and not np.isnan(moved) and direction * moved > 0:
        return "en_progres"
    return "non_atteint"


def _lookup(frame: pd.DataFrame, **keys: Any) -> pd.Series | None:
    mask = np.ones(len(frame), dtype=bool)
    for col, val in keys.items():
        mask &= (frame[col].astype(str) == str(val)).to_numpy()
    rows = frame[mask]
    return None if rows.empty else rows.iloc[-1]


def _float(x: Any) -> float:
    return float(x) if x is not None and pd.notna(x) else float("nan")


def assess(
    objectives: Sequence[Objective],
    series: pd.DataFrame,
    milestones: Sequence[str],
    *,
    changes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Status of every target at the last of ``milestones`` (the §4 table ``bilan_objectifs.csv``).

    Parameters
    ----------
    objectives : sequence of Objective
        From :func:`load_objectives`.
    series : DataFrame
        Columns :data:`SERIES_COLUMNS`: the figure of each indicator and group at each milestone,
        with its confidence interval (equal to the value for census figures).
    milestones : sequence of str
        The milestones of the cycle up to the current one, in calendar order.
    changes : DataFrame, optional
        Columns :data:`CHANGE_COLUMNS`: changes with their own interval (e.g. survey comparisons
        between independent waves), used for change targets when present.

    Returns
    -------
    DataFrame
        :data:`COLUMNS` plus ``type_cible`` (niveau, evolution), ``sens`` (1, -1) and ``evolution``
        (change of the point estimate since the reference). ``cible`` is always a level: for a change
        target, the reference value plus the change.
    """
    missing = set(SERIES_COLUMNS) - set(series.columns)
    if missing:
        raise ObjectivesError(f"Colonnes manquantes dans les séries d'indicateurs : {', '.join(sorted(missing))}.")
    milestones = list(milestones)
    if not milestones:
        raise ObjectivesError("Aucun jalon : impossible de dresser le bilan des objectifs.")
    current = milestones[-1]
    rows = []
    for objective in objectives:
        for t in objective.targets:
            reference = milestones[0] if t.reference == FIRST else t.reference
            ref = _lookup(series, jalon=reference, indicateur=t.indicator, groupe=t.group)
            now = _lookup(series, jalon=current, indicateur=t.indicator, groupe=t.group)
            ref_value = _float(None if ref is None else ref["valeur"])
            value, low, high = ((_float(now["valeur"]), _float(now["ic_bas"]), _float(now["ic_haut"]))
                                if now is not None else (np.nan, np.nan, np.nan))
            moved = value - ref_value
            if t.kind == "niveau":
                goal = t.value
                status = decide(low, high, goal, t.direction, moved if reference != current else None)
            else:
                goal = ref_value + t.value
                change = None
                if changes is not None and reference != current:
                    change = _lookup(changes, indicateur=t.indicator, groupe=t.group, jalon_a=reference,
                                     jalon_b=current)
                if reference == current or np.isnan(ref_value):
                    c_low = c_high = np.nan
                elif change is not None:
                    c_low, c_high = _float(change["ic_bas"]), _float(change["ic_haut"])
                else:
                    c_low, c_high = low - ref_value, high - ref_value
                status = decide(c_low, c_high, t.value, t.direction, moved)
            rows.append({"objectif": objective.code, "indicateur": t.indicator, "groupe": t.group,
                         "jalon_reference": reference, "valeur_reference": ref_value, "valeur": value,
                         "ic_bas": low, "ic_haut": high, "cible": goal, "statut": status,
                         "type_cible": t.kind, "sens": t.direction, "evolution": moved})
    out = pd.DataFrame(rows, columns=COLUMNS + ["type_cible", "sens", "evolution"])
    return out.astype({c: "float64" for c in ("valeur_reference", "valeur", "ic_bas", "ic_haut", "cible",
                                                "evolution")})


def objective_status(bilan: pd.DataFrame) -> pd.DataFrame:
    """One status per objective: the share of its targets reached, and the worst-case reading.

    An objective is ``atteint`` when all its measurable targets are, ``non_mesurable`` when none is
    measurable, ``en_progres`` when every measurable target is reached or progressing, and
    ``non_atteint`` otherwise.
    """
    def one(group: pd.DataFrame) -> pd.Series:
        measured = group[group["statut"] != "non_mesurable"]
        if measured.empty:
            status = "non_mesurable"
        elif (measured["statut"] == "atteint").all():
            status = "atteint"
        elif measured["statut"].isin(["atteint", "en_progres"]).all():
            status = "en_progres"
        else:
            status = "non_atteint"
        return pd.Series({"n_indicateurs": len(group), "n_mesurables": len(measured),
                          "n_atteints": int((group["statut"] == "atteint").sum()), "statut": status})

    order = list(dict.fromkeys(bilan["objectif"]))
    out = bilan.groupby("objectif", sort=False)[["statut"]].apply(one).reset_index()
    return out.set_index("objectif").loc[order].reset_index()


#: Tables laid out as ``enquete_estimations.csv`` (DESIGN §4) whose ``vague`` is a milestone.
ESTIMATION_TABLES = ("enquete_estimations", "barometre_estimations")
#: Tables laid out as ``enquete_comparaisons.csv``.
COMPARISON_TABLES = ("enquete_comparaisons", "barometre_comparaisons")


def series_from_tables(tables: Mapping[str, pd.DataFrame], calendar: Mapping[str, Any]) -> pd.DataFrame:
    """Figures of the §4 tables in the long form :func:`assess` reads.

    Parameters
    ----------
    tables : mapping
        Published tables by name: those of :data:`ESTIMATION_TABLES` (columns vague, indicateur,
        groupe_variable, groupe, estimation, ic_bas, ic_haut: the survey and the staff barometer),
        ``rh_indicateurs`` (date_extraction, indicateur, groupe_variable, groupe, valeur, masque), and
        any table already in the long form (:data:`SERIES_COLUMNS`, e.g. from :func:`seminar_series`).
    calendar : mapping
        ``jalon → date``: a milestone takes the latest HR extraction on or before its date (DESIGN §3).

    Groups are written ``ensemble`` or ``<groupe_variable>:<groupe>``.
    """
    parts = []
    for name in ESTIMATION_TABLES:
        est = tables.get(name)
        if est is not None and len(est):
            parts.append(pd.DataFrame({
                "jalon": est["vague"].astype(str), "indicateur": est["indicateur"].astype(str),
                "groupe": _group(est), "valeur": est["estimation"].astype(float),
                "ic_bas": est["ic_bas"].astype(float), "ic_haut": est["ic_haut"].astype(float)}))
    rh = tables.get("rh_indicateurs")
    if rh is not None and len(rh):
        extraction = pd.to_datetime(rh["date_extraction"])
        masked = rh["masque"].astype(bool) if "masque" in rh else pd.Series(False, index=rh.index)
        value = rh["valeur"].astype(float).where(~masked)
        for jalon, day in calendar.items():  # a milestone sees the latest extraction on or before its date
            seen = extraction[extraction <= pd.Timestamp(day)]
            if seen.empty:
                continue
            rows = extraction == seen.max()
            parts.append(pd.DataFrame({
                "jalon": str(jalon), "indicateur": rh["indicateur"].astype(str)[rows], "groupe": _group(rh)[rows],
                "valeur": value[rows], "ic_bas": value[rows], "ic_haut": value[rows]}))
    for name, frame in tables.items():
        if name not in (*ESTIMATION_TABLES, "rh_indicateurs") and frame is not None \
                and set(SERIES_COLUMNS) <= set(frame.columns):
            parts.append(frame[SERIES_COLUMNS])
    parts = [p for p in parts if len(p)]
    if not parts:
        return _empty_series()
    return pd.concat(parts, ignore_index=True)


def _empty_series() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("valeur", "ic_bas", "ic_haut") else "str")
                         for c in SERIES_COLUMNS})


def _t_interval(values: np.ndarray, alpha: float) -> tuple[float, float, float]:
    ci = mean_ci(values, alpha=alpha)
    return (ci.estimate, ci.ci_low, ci.ci_high)


def _series(milestone: str, rows: Sequence[tuple[str, float, float, float]]) -> pd.DataFrame:
    frame = pd.DataFrame([(milestone, name, "ensemble", v, lo, hi) for name, v, lo, hi in rows],
                         columns=SERIES_COLUMNS)
    return frame if len(frame) else _empty_series()


def seminar_series(summary: pd.DataFrame | None, milestone: str) -> pd.DataFrame:
    """The seminar's ratings as objective figures at ``milestone``.

    Parameters
    ----------
    summary : DataFrame or None
        :func:`ducos_lib.practices.seminar_summary` (item, moyenne, moyenne_ic_bas, moyenne_ic_haut,
        part_satisfaits, ic_bas, ic_haut).

    Returns
    -------
    DataFrame
        :data:`SERIES_COLUMNS`: each item's mean (indicator = the item, e.g. ``note_globale``) and the
        share satisfied with the overall seminar (``note_globale_satisfaits``).
    """
    if summary is None or summary.empty:
        return _empty_series()
    rows = [(r.item, r.moyenne, r.moyenne_ic_bas, r.moyenne_ic_haut) for r in summary.itertuples()]
    rows += [("note_globale_satisfaits", r.part_satisfaits, r.ic_bas, r.ic_haut)
             for r in summary.itertuples() if r.item == "note_globale"]
    return _series(milestone, rows)


def self_evaluation_series(pairs: pd.DataFrame | None, milestone: str, *, alpha: float = 0.05) -> pd.DataFrame:
    """``progression_autoevaluation``: mean over managers of their mean progression (after − before).

    Parameters
    ----------
    pairs : DataFrame or None
        :func:`ducos_lib.practices.paired_ratings` (id_cadre, competence, avant, apres, difference).

    Each manager counts once (the mean of their complete pairs), so the Student interval is over
    independent units.
    """
    if pairs is None or pairs.empty:
        return _empty_series()
    per_manager = pairs.groupby("id_cadre")["difference"].mean().to_numpy(float)
    return _series(milestone, [("progression_autoevaluation", *_t_interval(per_manager, alpha))])


def immersion_series(forms: pd.DataFrame | None, milestone: str, *, alpha: float = 0.05) -> pd.DataFrame:
    """``note_immersion_moyenne``: mean over forms of the form's mean ``note_<theme>`` (Student interval)."""
    if forms is None or forms.empty:
        return _empty_series()
    notes = forms[[c for c in forms.columns if c.startswith("note_")]].apply(pd.to_numeric, errors="coerce")
    per_form = notes.mean(axis=1).to_numpy(float)
    return _series(milestone, [("note_immersion_moyenne", *_t_interval(per_form, alpha))])


#: Measures of :func:`activity`, in order: (phase, measure).
ACTIVITY = (("immersions", "fiches"), ("immersions", "fiches_inter"), ("immersions", "fiches_intra"),
            ("immersions", "encadrants_accueillis"), ("immersions", "services_accueil"),
            ("mises_en_situation", "encadrants_autoevalues"), ("mises_en_situation", "encadrants_paires"),
            ("seminaire", "participants"), ("barometre", "reponses"))


def activity(ms, barometer_answers: pd.DataFrame | None = None) -> pd.DataFrame:
    """What was done per phase up to the milestone: counts of forms, managers, participants, answers.

    Returns
    -------
    DataFrame
        ``phase, mesure, valeur`` in the order of :data:`ACTIVITY`; 0 where the phase has no data yet.
    """
    forms, auto, seminar = ms.fiches_immersion, ms.autoevaluations, ms.bilan_seminaire
    n = {}
    if forms is not None and len(forms):
        kind = forms["type_immersion"].astype(str)
        n.update(fiches=len(forms), fiches_inter=int((kind == "inter").sum()), fiches_intra=int((kind == "intra").sum()),
                 encadrants_accueillis=forms["id_accueilli"].nunique(), services_accueil=forms["service_accueil"].nunique())
    if auto is not None and len(auto):
        n["encadrants_autoevalues"] = auto["id_cadre"].nunique()
        times = auto.groupby("id_cadre")["temps"].nunique()
        n["encadrants_paires"] = int((times >= 2).sum())
    if seminar is not None and len(seminar):
        n["participants"] = seminar["id_participant"].nunique()
    if barometer_answers is not None:
        n["reponses"] = len(barometer_answers)
    return pd.DataFrame([(phase, m, int(n.get(m, 0))) for phase, m in ACTIVITY], columns=["phase", "mesure", "valeur"])


def history(folders: Mapping[str, Path | str]) -> pd.DataFrame:
    """Statuses published at earlier milestones: ``bilan_objectifs.csv`` of each milestone's folder.

    Parameters
    ----------
    folders : mapping
        ``jalon → output folder`` in calendar order; folders without the table are skipped.

    Returns
    -------
    DataFrame
        ``jalon`` plus :data:`COLUMNS`.
    """
    parts = []
    for milestone, folder in folders.items():
        path = Path(folder) / "tables" / "bilan_objectifs.csv"
        if path.exists():
            parts.append(pd.read_csv(path).assign(jalon=str(milestone)))
    if not parts:
        return pd.DataFrame(columns=["jalon", *COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    return out[["jalon", *[c for c in out.columns if c != "jalon"]]]


def _group(frame: pd.DataFrame) -> pd.Series:
    gv, g = frame["groupe_variable"].astype(str), frame["groupe"].astype(str)
    return gv.where(gv == "ensemble", gv + ":" + g)


def changes_from_comparisons(*comparisons: pd.DataFrame | None) -> pd.DataFrame | None:
    """``enquete_comparaisons`` and ``barometre_comparaisons`` (indicateur, groupe_variable, groupe,
    vague_a, vague_b, difference, ic_bas, ic_haut) in the form :func:`assess` reads."""
    frames = [c for c in comparisons if c is not None and not c.empty]
    if not frames:
        return None
    comparisons = pd.concat(frames, ignore_index=True)
    return pd.DataFrame({
        "indicateur": comparisons["indicateur"].astype(str), "groupe": _group(comparisons),
        "jalon_a": comparisons["vague_a"].astype(str), "jalon_b": comparisons["vague_b"].astype(str),
        "difference": comparisons["difference"].astype(float), "ic_bas": comparisons["ic_bas"].astype(float),
        "ic_haut": comparisons["ic_haut"].astype(float)})


def published_folder(out_dir: Path | str, milestone: str) -> Path:
    """The milestone's published folder ``OUT/<milestone>`` seen from a notebook's ``out_dir``.

    ``out_dir`` itself when the notebook runs directly (``reports/<milestone>``), the nearest
    ancestor named after the milestone when the runner gives a scratch folder inside it, else the
    configured reports folder.
    """
    from .config import path_setting

    out = Path(out_dir).resolve()
    for folder in (out, *out.parents):
        if folder.name == milestone:
            return folder
    return path_setting("reports_dir") / milestone


def read_tables(out_dir: Path | str, milestone: str, names: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The milestone's published tables by name: from ``out_dir/tables`` (tables written by this run or
    handed over by the runner), else from :func:`published_folder`; absent tables are left out."""
    out = {}
    for name in names:
        for folder in (Path(out_dir), published_folder(out_dir, milestone)):
            path = folder / "tables" / f"{name}.csv"
            if path.exists():
                out[name] = pd.read_csv(path)
                break
    return out
