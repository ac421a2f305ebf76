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


def series_from_tables(tables: Mapping[str, pd.DataFrame], calendar: Mapping[str, Any]) -> pd.DataFrame:
    """Figures of the §4 tables in the long form :func:`assess` reads.

    Parameters
    ----------
    tables : mapping
        Published tables by name: ``enquete_estimations`` (columns vague, indicateur,
        groupe_variable, groupe, estimation, ic_bas, ic_haut), ``rh_indicateurs`` (date_extraction,
        indicateur, groupe_variable, groupe, valeur, masque), and any table already in the long form
        (:data:`SERIES_COLUMNS`, e.g. ``barometre_estimations`` renamed by its owner).
    calendar : mapping
        ``jalon → date``: a milestone takes the latest HR extraction on or before its date (DESIGN §3).

    Groups are written ``ensemble`` or ``<groupe_variable>:<groupe>``.
    """
    parts = []
    est = tables.get("enquete_estimations")
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
        if name not in ("enquete_estimations", "rh_indicateurs") and set(SERIES_COLUMNS) <= set(frame.columns):
            parts.append(frame[SERIES_COLUMNS])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("valeur", "ic_bas", "ic_haut") else "str")
                             for c in SERIES_COLUMNS})
    return pd.concat(parts, ignore_index=True)


def _group(frame: pd.DataFrame) -> pd.Series:
    gv, g = frame["groupe_variable"].astype(str), frame["groupe"].astype(str)
    return gv.where(gv == "ensemble", gv + ":" + g)


def changes_from_comparisons(comparisons: pd.DataFrame | None) -> pd.DataFrame | None:
    """``enquete_comparaisons`` (indicateur, groupe_variable, groupe, vague_a, vague_b, difference,
    ic_bas, ic_haut) in the form :func:`assess` reads."""
    if comparisons is None or comparisons.empty:
        return None
    return pd.DataFrame({
        "indicateur": comparisons["indicateur"].astype(str), "groupe": _group(comparisons),
        "jalon_a": comparisons["vague_a"].astype(str), "jalon_b": comparisons["vague_b"].astype(str),
        "difference": comparisons["difference"].astype(float), "ic_bas": comparisons["ic_bas"].astype(float),
        "ic_haut": comparisons["ic_haut"].astype(float)})
