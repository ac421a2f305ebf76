"""The figures behind the CoPil's entry page of a milestone (``index.html``).

Everything is read back from the published tables (DESIGN §4) of this milestone and of the previous
ones, so the page says only what the reports computed. Which indicators are followed across
milestones comes from the registry (``synthese: true`` in ``config/indicateurs.yml``); the milestones
and their order come from the calendar. The page itself (French text, HTML) is written by
:mod:`ducos_lib.reports.synthese`; :func:`write_index` stays here for the runner.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .objectives import COMPARISON_TABLES
from .registry import Registry, load_registry

#: Table holding each registry group's figures across milestones, and how it is laid out.
GROUP_TABLES = {"enquete": "enquete_estimations", "barometre": "barometre_estimations", "rh": "rh_indicateurs"}


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """``folder/tables/<name>.csv``, or None when absent or unreadable."""
    path = Path(folder) / "tables" / f"{name}.csv"
    try:
        return pd.read_csv(path) if path.exists() else None
    except (OSError, ValueError, pd.errors.EmptyDataError):
        return None


def calendar(run) -> dict[str, pd.Timestamp]:
    """``jalon → date`` of the run's processed calendar (empty when missing)."""
    path = run.ingestion.processed_dir / "calendrier.parquet"
    if not path.exists():
        return {}
    cal = pd.read_parquet(path)
    return {str(j): pd.Timestamp(d) for j, d in zip(cal["jalon"], cal["date"])}


def milestone_order(dates: dict[str, pd.Timestamp], milestone: str) -> list[str]:
    """The calendar's milestones up to ``milestone``, in date order (the calendar is the only source).

    Examples
    --------
    >>> milestone_order({"C2-T6": pd.Timestamp("2027-05-14"), "C2-T0": pd.Timestamp("2026-11-13")}, "C2-T6")
    ['C2-T0', 'C2-T6']
    """
    order = sorted(dates, key=lambda m: dates[m])
    return order[: order.index(milestone) + 1] if milestone in order else [milestone]


def indicator_series(out_root: Path, milestone: str, dates: dict[str, pd.Timestamp] | None = None,
                     registry: Registry | None = None) -> pd.DataFrame:
    """The registry's summary indicators (rows) with their value at each milestone so far (columns).

    Survey and barometer values come from this milestone's estimates (every wave so far); HR values
    from this milestone's ``rh_indicateurs`` (every extraction so far), taking for each milestone the
    latest extraction on or before its date.

    Returns
    -------
    DataFrame
        ``code`` (the indicator's name) then one column per milestone; indicators with no value at all
        are left out.
    """
    reg = registry if registry is not None else load_registry()
    dates = dates or {}
    milestones = milestone_order(dates, milestone)
    folder = Path(out_root) / milestone
    tables = {group: read_table(folder, name) for group, name in GROUP_TABLES.items()}
    hr = tables["rh"]
    if hr is not None:
        hr = hr.assign(date_extraction=pd.to_datetime(hr["date_extraction"]))
    rows = []
    for measure in reg.summary_indicators():
        table = tables.get(measure.group)
        values: dict[str, float] = {}
        if table is not None and measure.group != "rh":
            sel = table[(table["indicateur"] == measure.name) & (table["groupe_variable"] == "ensemble")]
            values = dict(zip(sel["vague"].astype(str), sel["estimation"]))
        elif measure.group == "rh" and hr is not None:
            sel = hr[(hr["indicateur"] == measure.name) & (hr["groupe_variable"] == "ensemble")]
            sel = sel.sort_values("date_extraction")
            for m in milestones:
                known = sel[sel["date_extraction"] <= dates.get(m, pd.Timestamp.max)]
                if len(known):
                    values[m] = known.iloc[-1]["valeur"]
        if any(pd.notna(values.get(m)) for m in milestones):
            rows.append({"code": measure.name, **{m: values.get(m) for m in milestones}})
    return pd.DataFrame(rows, columns=["code", *milestones])


def significance(out_root: Path, milestone: str, first: str) -> dict[str, tuple[float, float]]:
    """Indicator → (difference, adjusted p) of ``first`` vs this milestone, for all respondents
    (survey and barometer comparisons)."""
    out: dict[str, tuple[float, float]] = {}
    for name in COMPARISON_TABLES:
        comp = read_table(Path(out_root) / milestone, name)
        if comp is None or comp.empty:
            continue
        sel = comp[(comp["groupe_variable"] == "ensemble") & (comp["vague_a"].astype(str) == first)
                   & (comp["vague_b"].astype(str) == milestone)]
        out.update({r.indicateur: (r.difference, r.p_ajustee) for r in sel.itertuples()})
    return out


def objective_statuses(out_root: Path, milestones: list[str]) -> pd.DataFrame:
    """Each objective's status at each milestone so far, from the ``bilan_objectifs.csv`` published there.

    Returns
    -------
    DataFrame
        ``objectif`` then one column per milestone (status code, NaN where no bilan was published).
    """
    from .objectives import history, objective_status

    past = history({m: Path(out_root) / m for m in milestones})
    if past.empty:
        return pd.DataFrame(columns=["objectif", *milestones])
    parts = [objective_status(rows).assign(jalon=m) for m, rows in past.groupby("jalon", sort=False)]
    wide = pd.concat(parts).pivot(index="objectif", columns="jalon", values="statut")
    order = list(dict.fromkeys(past["objectif"]))
    return wide.reindex(index=order, columns=milestones).reset_index()


def write_index(run) -> None:
    """Write ``OUT/<milestone>/index.html`` (see :func:`ducos_lib.reports.synthese.write_index`)."""
    from .reports.synthese import write_index as write

    write(run)
