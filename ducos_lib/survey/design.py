"""The survey design object (R: ``svydesign``, ``R/multistage.R``) and the stacking of waves.

A :class:`SurveyDesign` bundles the data, the weights and, for each sampling stage, the strata,
the clusters and the finite population correction. It is built and checked once by :func:`design`
and never modified: :func:`~ducos_lib.survey.calibration.rake` and the other calibrations return
new designs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ._util import SurveyError, choice, readonly, resolve, to_float

LONELY_PSU = ("fail", "remove", "adjust", "average", "certainty")
"""Allowed ``lonely_psu`` values (R's ``options(survey.lonely.psu=)``)."""


@dataclass(frozen=True, eq=False)
class Stage:
    """One sampling stage: strata, sampling units and their finite population correction.

    Attributes
    ----------
    row_stratum : ndarray of int
        Stratum code of each row at this stage (strata of stage ``s > 1`` are nested in the units
        of stage ``s - 1``, as R does).
    unit : ndarray of int or None
        Sampling unit of each row (None: each row is its own unit).
    unit_stratum : ndarray of int
        Stratum code of each unit.
    n_units : ndarray of int
        Units sampled in each stratum.
    fraction : ndarray of float
        Sampling fraction ``n_h / N_h`` per stratum (0: sampled with replacement).
    multiplier : ndarray of float
        Product of the sampling fractions of the units above each stratum (1 at stage 1): R's
        ``multistage()`` multiplies the variance of a stage by it.
    parent : ndarray of int
        Unit of the previous stage holding each stratum (0 at stage 1); R's ``average`` rule for
        lonely units rescales within it.
    labels : tuple
        Label of each stratum.
    """

    row_stratum: np.ndarray = field(repr=False)
    unit: np.ndarray | None = field(repr=False)
    unit_stratum: np.ndarray = field(repr=False)
    n_units: np.ndarray = field(repr=False)
    fraction: np.ndarray = field(repr=False)
    multiplier: np.ndarray = field(repr=False)
    parent: np.ndarray = field(repr=False)
    labels: tuple = field(repr=False)

    @property
    def n_strata(self) -> int:
        return int(self.n_units.shape[0])

    def unit_matrix(self, n: int):
        """``n x C`` incidence matrix of the units, or None when each row is its own unit."""
        if self.unit is None:
            return None
        return sparse.csr_matrix((np.ones(n), (np.arange(n), self.unit)), shape=(n, self.unit_stratum.shape[0]))


@dataclass(frozen=True, eq=False)
class SurveyDesign:
    """An immutable survey design: data, weights, and the strata, clusters and fpc of each stage.

    Build it with :func:`design`; calibrations and :func:`stack` return new designs. Arrays are
    read-only. Users should not construct this class directly.

    Attributes
    ----------
    data : DataFrame
        The survey variables (index reset to ``0..n-1``).
    weights : ndarray
        Final sampling (or calibrated) weights.
    stages : tuple of Stage
        The sampling stages whose variance is computed (stage 1 only without fpc, as R).
    index : Index
        Index of the frame the design was built from: a pandas Series passed to a verb is aligned
        on it by label.
    lonely_psu : str
        One of :data:`LONELY_PSU` (see :func:`design`).
    calibration : Calibration or None
        Set by the calibration functions (rake, calibrate, post_stratify).
    """

    data: pd.DataFrame = field(repr=False)
    weights: np.ndarray = field(repr=False)
    stages: tuple = field(repr=False)
    index: pd.Index = field(repr=False)
    lonely_psu: str = "fail"
    calibration: Any = field(default=None, repr=False)
    has_strata: bool = False
    has_clusters: bool = False
    has_fpc: bool = False

    # Stage-1 views (the names of the single-stage engine) ---------------------------------------
    @property
    def strata(self) -> np.ndarray:
        return self.stages[0].row_stratum

    @property
    def psu(self) -> np.ndarray | None:
        return self.stages[0].unit

    @property
    def psu_stratum(self) -> np.ndarray:
        return self.stages[0].unit_stratum

    @property
    def n_psu(self) -> np.ndarray:
        return self.stages[0].n_units

    @property
    def sampling_fraction(self) -> np.ndarray:
        return self.stages[0].fraction

    @property
    def strata_labels(self) -> tuple:
        return self.stages[0].labels

    @property
    def n(self) -> int:
        """Number of rows (answers)."""
        return int(self.weights.shape[0])

    @property
    def n_strata(self) -> int:
        return self.stages[0].n_strata

    @property
    def degrees_of_freedom(self) -> int:
        """Design degrees of freedom: PSUs minus strata with a positive weight (R's ``degf``)."""
        return self.domain_degrees_of_freedom(self.weights > 0)

    def domain_degrees_of_freedom(self, rows: np.ndarray) -> int:
        """``degf`` of the design restricted to ``rows`` (boolean): PSUs minus strata they touch."""
        st = self.stages[0]
        rows = np.asarray(rows, dtype=bool) & (self.weights > 0)
        n_units = np.count_nonzero(np.bincount(st.unit[rows], minlength=st.unit_stratum.shape[0])) \
            if st.unit is not None else int(rows.sum())
        n_strata = np.count_nonzero(np.bincount(st.row_stratum[rows], minlength=st.n_strata))
        return int(n_units - n_strata)

    def __repr__(self) -> str:
        kind = "stratifié, " if self.has_strata else ""
        kind += "en grappes" if self.has_clusters else "tirage indépendant"
        if len(self.stages) > 1:
            kind += f" à {len(self.stages)} degrés"
        kind += ", avec fpc" if self.has_fpc else ", avec remise"
        cal = f", calé ({self.calibration.kind})" if self.calibration is not None else ""
        return (
            f"SurveyDesign({kind}{cal}; n={self.n}, strates={self.n_strata}, "
            f"UPE={int(self.n_psu.sum())}, somme des poids={self.weights.sum():.6g})"
        )

    def _psu_matrix(self):
        return self.stages[0].unit_matrix(self.n)


def _as_list(spec: Any) -> list:
    if spec is None:
        return []
    if isinstance(spec, (list, tuple)):
        return list(spec)
    return [spec]


def _codes(values: pd.Series, what: str) -> np.ndarray:
    if values.isna().any():
        raise SurveyError(f"{int(values.isna().sum())} valeur(s) manquante(s) dans {what}.")
    return pd.factorize(values, sort=True)[0].astype(np.int64)


def _combine(*codes: np.ndarray) -> np.ndarray:
    """Codes of the interaction of several code vectors (R's ``interaction``), sorted."""
    if len(codes) == 1:
        return pd.factorize(codes[0], sort=True)[0].astype(np.int64)
    frame = pd.DataFrame({i: c for i, c in enumerate(codes)})
    return frame.groupby(list(frame.columns), sort=True).ngroup().to_numpy(dtype=np.int64)


def _fpc_values(data, fpc_specs, n_stages, index) -> list[np.ndarray]:
    values = []
    for s, spec in enumerate(fpc_specs):
        v = to_float(resolve(data, spec, f"fpc (degré {s + 1})", index), "fpc")
        if np.isnan(v).any():
            raise SurveyError(f"Valeurs manquantes dans la correction de population finie (fpc, degré {s + 1}).")
        values.append(v)
    if len(values) > n_stages:
        raise SurveyError(f"{len(values)} colonnes de fpc pour {n_stages} degré(s) de tirage.")
    return values


def design(
    data: pd.DataFrame,
    weights: Any = None,
    *,
    strata: Any = None,
    cluster: Any = None,
    ids: Any = None,
    fpc: Any = None,
    nest: bool = False,
    lonely_psu: str = "fail",
) -> SurveyDesign:
    """Build a survey design (R: ``svydesign``).

    Parameters
    ----------
    data : DataFrame
        One row per respondent. A pandas Series later passed to a verb is aligned on this frame's
        index labels (not on positions).
    weights : str, array-like or None
        Sampling weights (column name or values). If None: the product over the stages of
        ``N_h / n_h`` when ``fpc`` gives population sizes, else 1.
    strata : str, array-like, list of them, or None
        Stratum of each row, one per stage (``[s1, s2]``); a later stage without its own strata
        reuses the last one, nested in the units of the stage above (as R).
    cluster, ids : str, array-like, list of them, or None
        Sampling units of each stage, ``ids=["dnum", "snum"]`` for R's ``ids=~dnum+snum``
        (``cluster`` is the older spelling of the same argument). Units of a stage are nested in
        those of the stage above. None: each row is a primary unit.
    fpc : str, array-like, float, list of them, or None
        Finite population correction of each stage, as in R: population sizes (every value >= 1,
        at least one > 1 — a stratum of size 1 is a certainty stratum), or sampling fractions
        (every value <= 1). Constant within a stratum. Without ``fpc`` the primary units are taken
        as sampled with replacement and only the first stage enters the variance (R's rule); with
        it, every stage given enters (R's ``multistage``).
    nest : bool
        As R's ``nest``: when False (R's default), a first-stage unit label found in two strata is
        an error; when True, unit labels are made unique within strata.
    lonely_psu : {"fail", "remove", "adjust", "average", "certainty"}
        A stratum with a single sampled unit (R's ``survey.lonely.psu``, whose computations are
        reproduced at every stage): ``fail`` raises an error; ``remove`` and ``certainty`` make it
        contribute nothing at its stage (R 4.1.1 computes both alike; with ``certainty`` the unit is
        read as taken with certainty, the stages below still counting when fpc is given);
        ``adjust`` centres its unit total at the overall mean (zero) instead of the stratum mean;
        ``average`` replaces it by the average of the other strata. A stratum whose units were all
        sampled (fpc) contributes zero at that stage and is never "lonely".

    Returns
    -------
    SurveyDesign

    References
    ----------
    Lumley, T. (2004). Analysis of complex survey samples. J. Stat. Softw. 9(1).
    Särndal, C.-E., Swensson, B. & Wretman, J. (1992). Model Assisted Survey Sampling, §4.3
    (multistage variance). Springer.

    Examples
    --------
    >>> import pandas as pd
    >>> from ducos_lib.survey import mean
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "w": [1.0, 1.0, 2.0, 2.0]})
    >>> round(mean(design(df, weights="w"), "y").estimate, 4)
    2.8333
    """
    if not isinstance(data, pd.DataFrame):
        raise SurveyError("Les données du plan de sondage doivent être un DataFrame.")
    lonely_psu = choice(lonely_psu, LONELY_PSU, "lonely_psu")
    if cluster is not None and ids is not None:
        raise SurveyError("Donner les unités de tirage par ids= ou par cluster=, pas les deux.")
    index = data.index
    data = data.reset_index(drop=True)
    n = len(data)
    if n == 0:
        raise SurveyError("Le plan de sondage ne contient aucune ligne.")

    id_specs = _as_list(ids if ids is not None else cluster)
    has_clusters = bool(id_specs)
    if not id_specs:
        id_specs = [None]
    n_stages = len(id_specs)
    strata_specs = _as_list(strata)
    fpc_specs = _as_list(fpc)
    fpcs = _fpc_values(data, fpc_specs, n_stages, index)
    popsize_mode = None
    if fpcs:
        allv = np.concatenate(fpcs)
        if np.any(allv > 1) and not np.all(allv >= 1):
            raise SurveyError(
                "La fpc doit être soit une taille de population (toutes les valeurs >= 1), soit un taux "
                "de sondage (toutes les valeurs <= 1) : les deux sont mélangés."
            )
        if np.any(allv <= 0):
            raise SurveyError("La fpc doit être strictement positive.")
        popsize_mode = bool(np.any(allv > 1))

    # stage-1 strata, then units (nested in strata when asked), then deeper stages
    strata_rows = [
        _codes(resolve(data, s, f"strates (degré {i + 1})", index), f"les strates (degré {i + 1})")
        for i, s in enumerate(strata_specs)
    ]
    id_rows = [
        np.arange(n, dtype=np.int64) if spec is None
        else _codes(resolve(data, spec, f"unités de tirage (degré {i + 1})", index),
                    f"les unités de tirage (degré {i + 1})")
        for i, spec in enumerate(id_specs)
    ]
    s1 = strata_rows[0] if strata_rows else np.zeros(n, dtype=np.int64)
    if has_clusters and not nest and strata_rows:
        per = pd.DataFrame({"u": id_rows[0], "h": s1}).groupby("u")["h"].nunique()
        if (per > 1).any():
            raise SurveyError(
                "Des unités primaires appartiennent à plusieurs strates : leurs identifiants ne sont "
                "uniques qu'à l'intérieur des strates ? Utiliser nest=True (comme nest=TRUE dans R)."
            )

    stages = []
    weights_from_fpc = np.ones(n)
    unit_above = np.zeros(n, dtype=np.int64)
    mult_rows = np.ones(n)
    n_var_stages = n_stages if fpcs else 1
    for s in range(n_stages):
        st_spec = strata_rows[min(s, len(strata_rows) - 1)] if strata_rows else np.zeros(n, dtype=np.int64)
        row_stratum = _combine(unit_above, st_spec) if s > 0 else _combine(st_spec)
        is_rowlevel = id_specs[s] is None
        # each row is its own unit (numbered as the rows) when the stage has no ids
        unit = np.arange(n, dtype=np.int64) if is_rowlevel else _combine(s1, *id_rows[: s + 1])
        if s == 0:
            if strata_rows:
                labels_src = resolve(data, strata_specs[0], "strates", index)
                labels = tuple(pd.factorize(labels_src, sort=True)[1].tolist())
            else:
                labels = ("ensemble",)
        else:
            labels = tuple(range(int(row_stratum.max()) + 1))
        H = int(row_stratum.max()) + 1
        unit_stratum = row_stratum if is_rowlevel else row_stratum[np.unique(unit, return_index=True)[1]]
        n_units = np.bincount(unit_stratum, minlength=H)
        parent = np.zeros(H, dtype=np.int64)
        multiplier = np.ones(H)
        if s > 0:
            parent[row_stratum] = unit_above
            multiplier[row_stratum] = mult_rows
        fraction = np.zeros(H)
        if s < len(fpcs):
            fraction, popsize = _stage_fraction(fpcs[s], row_stratum, n_units, popsize_mode, s, labels)
            weights_from_fpc = weights_from_fpc * (popsize / n_units)[row_stratum]
        stages.append(
            Stage(
                row_stratum=readonly(row_stratum),
                unit=None if is_rowlevel else readonly(unit),
                unit_stratum=readonly(unit_stratum),
                n_units=readonly(n_units.astype(np.int64)),
                fraction=readonly(fraction),
                multiplier=readonly(multiplier),
                parent=readonly(parent),
                labels=labels,
            )
        )
        mult_rows = mult_rows * fraction[row_stratum]
        unit_above = unit
    if len(fpcs) < n_stages and fpcs and n_stages > 1:
        raise SurveyError(
            f"{n_stages} degrés de tirage mais une fpc pour {len(fpcs)} seulement : donner une fpc par "
            "degré (comme fpc=~fpc1+fpc2 dans R)."
        )
    stages = tuple(stages[:n_var_stages])

    wv = resolve(data, weights, "poids", index)
    if wv is None:
        w = weights_from_fpc if popsize_mode is not None else np.ones(n)
    else:
        w = to_float(wv, "poids")
    if not np.all(np.isfinite(w)):
        raise SurveyError("Les poids contiennent des valeurs manquantes ou infinies.")
    if np.any(w < 0):
        raise SurveyError("Les poids doivent être positifs ou nuls.")

    if lonely_psu == "fail":
        for s, st in enumerate(stages):
            lonely = (st.n_units == 1) & (st.fraction < 1)
            if lonely.any():
                bad = st.labels[int(np.flatnonzero(lonely)[0])]
                where = f"La strate « {bad} »" if s == 0 else f"Une strate du degré {s + 1}"
                raise SurveyError(
                    f"{where} ne contient qu'une seule unité primaire : variance impossible. "
                    "Choisir lonely_psu parmi remove, adjust, average, certainty."
                )
    return SurveyDesign(
        data=data,
        weights=readonly(np.asarray(w, dtype=np.float64)),
        stages=stages,
        index=index,
        lonely_psu=lonely_psu,
        calibration=None,
        has_strata=bool(strata_rows),
        has_clusters=has_clusters,
        has_fpc=bool(fpcs),
    )


def _stage_fraction(fv, row_stratum, n_units, popsize_mode, s, labels):
    H = n_units.shape[0]
    fmin = np.full(H, np.inf)
    fmax = np.full(H, -np.inf)
    np.minimum.at(fmin, row_stratum, fv)
    np.maximum.at(fmax, row_stratum, fv)
    if np.any(fmax - fmin > 1e-9 * np.maximum(1.0, np.abs(fmax))):
        raise SurveyError(f"La fpc doit être constante à l'intérieur de chaque strate (degré {s + 1}).")
    if popsize_mode:
        popsize = fmin
        fraction = n_units / popsize
    else:
        fraction = fmin
        popsize = n_units / fraction
    if np.any(fraction > 1 + 1e-12):
        j = int(np.argmax(fraction))
        raise SurveyError(
            f"La fpc implique un taux de sondage supérieur à 100 % (strate {labels[j]}, degré {s + 1} : "
            f"{n_units[j]} unités tirées pour une population de {popsize[j]:g})."
        )
    return np.minimum(fraction, 1.0), popsize


def replace(des: SurveyDesign, **changes) -> SurveyDesign:
    """A copy of ``des`` with some fields changed (used by calibration)."""
    return dataclasses.replace(des, **changes)


def stack(designs: Mapping[str, SurveyDesign], label: str = "vague") -> SurveyDesign:
    """Stack independent designs (e.g. survey waves) into one design.

    Each design's strata become strata of the stacked design (prefixed by its key), so the
    variance of any estimate is the sum of the independent samples' variances; calibration is
    kept block by block (each wave's margins only residualise that wave's rows).

    Parameters
    ----------
    designs : mapping ``{key: SurveyDesign}``
    label : str
        Name of the column added to the data with the key of each row's design.

    Returns
    -------
    SurveyDesign
    """
    from .calibration import stack_calibrations

    keys = list(designs)
    if len(keys) < 1:
        raise SurveyError("Aucun plan à empiler.")
    parts: Sequence[SurveyDesign] = list(designs.values())
    if any(len(p.stages) > 1 for p in parts):
        raise SurveyError("L'empilement de plans à plusieurs degrés n'est pas pris en charge.")
    modes = {p.lonely_psu for p in parts}
    h_off = c_off = 0
    pieces: dict[str, list] = {k: [] for k in ("strata", "unit", "ustr", "nu", "frac", "labels")}
    for key, p in zip(keys, parts):
        st = p.stages[0]
        pieces["strata"].append(st.row_stratum + h_off)
        pieces["unit"].append((np.arange(p.n) if st.unit is None else st.unit) + c_off)
        pieces["ustr"].append(st.unit_stratum + h_off)
        pieces["nu"].append(st.n_units)
        pieces["frac"].append(st.fraction)
        pieces["labels"].extend((key, s) for s in st.labels)
        h_off += st.n_strata
        c_off += st.unit_stratum.shape[0]
    all_rows = all(p.psu is None for p in parts)
    H = h_off
    stage = Stage(
        row_stratum=readonly(np.concatenate(pieces["strata"])),
        unit=None if all_rows else readonly(np.concatenate(pieces["unit"])),
        unit_stratum=readonly(np.concatenate(pieces["ustr"])),
        n_units=readonly(np.concatenate(pieces["nu"])),
        fraction=readonly(np.concatenate(pieces["frac"])),
        multiplier=readonly(np.ones(H)),
        parent=readonly(np.zeros(H, dtype=np.int64)),
        labels=tuple(pieces["labels"]),
    )
    data = pd.concat([p.data.assign(**{label: key}) for key, p in zip(keys, parts)], ignore_index=True)
    return SurveyDesign(
        data=data,
        weights=readonly(np.concatenate([p.weights for p in parts])),
        stages=(stage,),
        index=data.index,
        lonely_psu=modes.pop() if len(modes) == 1 else "fail",
        calibration=stack_calibrations(parts),
        has_strata=True,
        has_clusters=not all_rows,
        has_fpc=any(p.has_fpc for p in parts),
    )
