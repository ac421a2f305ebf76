"""Validation of raw tables against the input contract (DESIGN §3, ``config/schemas.yml``).

Two steps, each failure becoming one rejection that names file, line, column, value and what was
expected, in French:

1. *parsing*: cells are converted to their type (dates in any accepted form, decimal commas,
   Likert labels, yes/no, service aliases); a cell that cannot be read is rejected;
2. *domain checks*: a pandera ``DataFrameSchema`` built from the configuration checks ranges,
   allowed values and required values on the parsed frame (``lazy=True`` collects them all).

Rows with at least one rejection are quarantined; the others are returned typed and pseudonymised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .config import load_config
from .io import InputError, RawTable, normalise_header, normalise_value
from .privacy import pseudonymise

#: Column types whose values are personal: never echoed in messages or quarantine files.
PERSONAL_TYPES = {"identifiant", "nom", "naissance"}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M")
_TRUE = {"oui", "o", "1", "vrai", "true", "x", "yes", "y"}
_FALSE = {"non", "n", "0", "faux", "false", "no", ""}

EXPECTED = {
    "date": "une date JJ/MM/AAAA ou AAAA-MM-JJ",
    "naissance": "une date JJ/MM/AAAA ou AAAA-MM-JJ",
    "periode": "un mois AAAA-MM",
    "likert": "une note de 1 à 5 ou un libellé (« Très insatisfait » … « Très satisfait », NSP)",
    "nombre": "un nombre",
    "note": "un nombre entier",
    "booleen": "oui ou non",
    "service": "un code de service de services.csv ou l'un de ses libellés ou alias",
}


@dataclass(frozen=True)
class ServiceResolver:
    """Maps codes, labels and aliases of ``services.csv`` to the canonical ``code_service``."""

    mapping: dict[str, str]

    @classmethod
    def from_services(cls, services: pd.DataFrame) -> "ServiceResolver":
        mapping: dict[str, str] = {}
        for row in services.itertuples(index=False):
            names = [row.code_service, row.libelle]
            alias = getattr(row, "alias", None)
            if isinstance(alias, str):
                names += alias.split(";")
            for name in names:
                if isinstance(name, str) and name.strip():
                    mapping.setdefault(normalise_value(name), row.code_service)
        return cls(mapping)

    def resolve(self, values: pd.Series) -> pd.Series:
        return values.map(lambda v: self.mapping.get(normalise_value(v), pd.NA))


@dataclass
class ValidationResult:
    """Outcome of validating one raw file."""

    dataset: str
    path: Path
    data: pd.DataFrame
    rejects: pd.DataFrame  # fichier, ligne, colonne, valeur, attendu, message
    quarantine: pd.DataFrame  # one row per rejected line: ligne, motifs + non-personal cells
    n_rows: int
    encoding: str
    separator: str | None
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def n_rejected(self) -> int:
        return len(self.quarantine)


def schema_config(config_dir: Path | str | None = None) -> dict[str, Any]:
    return load_config("schemas", config_dir)


def rejection_message(fichier: str, ligne: int, colonne: str, valeur: str, attendu: str) -> str:
    """The French sentence of §7 for one rejected value."""
    return f"{fichier}, ligne {ligne}, colonne « {colonne} » : valeur « {valeur} » invalide, attendu : {attendu}."


# --------------------------------------------------------------------------------------------
# Parsing: each parser returns (parsed values, mask of cells that could not be read)
# --------------------------------------------------------------------------------------------

def _as_text(values: pd.Series) -> pd.Series:
    def one(v: object) -> object:
        if isinstance(v, pd.Timestamp) or hasattr(v, "strftime"):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()
    return values.map(one).astype("str")


def _blank(text: pd.Series) -> pd.Series:
    return text.str.strip().eq("")


def parse_date(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates given as ``JJ/MM/AAAA``, ``AAAA-MM-JJ``, Excel datetimes or Excel serial numbers."""
    values = values.astype(object)  # str-dtype map() would return str-typed masks under pandas 3
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    is_dt = values.map(lambda v: hasattr(v, "year") and hasattr(v, "month")).astype(bool)
    if is_dt.any():
        out[is_dt] = pd.to_datetime(values[is_dt].map(pd.Timestamp)).dt.normalize().astype("datetime64[ns]")
    is_serial = values.map(
        lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v < 100000).astype(bool)
    if is_serial.any():
        serial = values[is_serial].astype(float)
        out[is_serial] = (pd.Timestamp("1899-12-30") + pd.to_timedelta(serial.round(), unit="D")).astype("datetime64[ns]")
    text = _as_text(values)
    todo = ~is_dt & ~is_serial & ~_blank(text)
    for fmt in _DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        out[ok[ok].index] = parsed[ok].astype("datetime64[ns]")
        todo[ok[ok].index] = False
    return out, todo


def parse_periode(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _as_text(values)
    out = pd.Series(pd.NA, index=values.index, dtype="str")
    iso = text.str.fullmatch(r"\d{4}-\d{1,2}")
    out[iso] = text[iso].map(lambda s: f"{s[:4]}-{int(s[5:]):02d}")
    fr = text.str.fullmatch(r"\d{1,2}/\d{4}")
    out[fr] = text[fr].map(lambda s: f"{s.split('/')[1]}-{int(s.split('/')[0]):02d}")
    rest = ~iso & ~fr & ~_blank(text)
    dates, bad = parse_date(values[rest])
    out[rest & ~bad.reindex(values.index, fill_value=False)] = dates[~bad].dt.strftime("%Y-%m")
    month_ok = out.dropna().map(lambda s: 1 <= int(s[5:]) <= 12)
    bad_month = month_ok[~month_ok].index
    failed = bad.reindex(values.index, fill_value=False)
    failed[bad_month] = True
    out[bad_month] = pd.NA
    return out, failed


def parse_number(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers with a decimal comma or point, spaces as thousands separators."""
    def one(v: object) -> float:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        s = re.sub(r"[\s\u00a0\u202f]", "", str(v)).replace("%", "")
        if not s:
            return np.nan
        if "," in s and "." in s:
            s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
        else:
            s = s.replace(",", ".")
        try:
            return float(s)
        except ValueError:
            return np.inf  # marker: unreadable
    parsed = values.map(one).astype("float64")
    failed = np.isinf(parsed)
    return parsed.where(~failed, np.nan), failed


def parse_integer(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    parsed, failed = parse_number(values)
    failed = failed | (parsed.notna() & (parsed != parsed.round()))
    return parsed.where(~failed, np.nan), failed


def parse_likert(values: pd.Series, labels: dict[str, int], missing: set[str]) -> tuple[pd.Series, pd.Series]:
    keys = _as_text(values).map(normalise_value)
    label_values = keys.map(lambda k: labels.get(k, np.nan)).astype("float64")
    numeric, failed = parse_number(values.where(~keys.isin(labels) & ~keys.isin(missing), ""))
    failed = failed | (numeric.notna() & (numeric != numeric.round()))
    return label_values.fillna(numeric).where(~failed, np.nan), failed


def parse_choice(values: pd.Series, allowed: list[str], synonyms: dict[str, str]) -> pd.Series:
    """Map to the canonical spelling; unknown values are left for the schema's ``isin`` check."""
    lookup = {normalise_value(a): a for a in allowed}
    lookup.update({normalise_value(k): v for k, v in (synonyms or {}).items()})
    text = _as_text(values)
    mapped = text.map(lambda s: lookup.get(normalise_value(s), s))
    return mapped.where(~_blank(text), pd.NA).astype("str")


def parse_bool(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    keys = _as_text(values).map(normalise_value)
    failed = ~keys.isin(_TRUE | _FALSE)
    return keys.isin(_TRUE).astype(bool), failed


# --------------------------------------------------------------------------------------------
# Schema (pandera) built from the configuration
# --------------------------------------------------------------------------------------------

def build_schema(spec: dict[str, Any]) -> pa.DataFrameSchema:
    """The pandera schema of a parsed dataset: ranges, allowed values, required values."""
    columns = {}
    for name, col in spec["colonnes"].items():
        kind = col["type"]
        if kind == "nom":
            continue
        checks = []
        if kind == "choix":
            checks.append(pa.Check.isin(col["valeurs"]))
        elif kind == "likert":
            checks.append(pa.Check.in_range(1, 5))
        elif kind in ("note", "nombre") and ("min" in col or "max" in col):
            lo, hi = col.get("min", -np.inf), col.get("max", np.inf)
            checks.append(pa.Check.in_range(lo, hi))
        target = "mois_naissance" if kind == "naissance" else name
        # A required Likert column may hold NSP/blank: the answer leaves only that item's domain (§4).
        value_required = col.get("requis", False) and kind != "likert"
        columns[target] = pa.Column(checks=checks, nullable=not value_required, required=False)
    return pa.DataFrameSchema(columns)


def _expected_from_check(check: str, col: dict[str, Any]) -> str:
    if check.startswith("isin"):
        return "une des valeurs " + ", ".join(col["valeurs"])
    if check.startswith("in_range"):
        lo, hi = (1, 5) if col["type"] == "likert" else (col.get("min"), col.get("max"))
        if lo is None:
            return f"un nombre inférieur ou égal à {hi}"
        if hi is None:
            return f"un nombre supérieur ou égal à {lo}"
        return f"un nombre de {lo:g} à {hi:g}"
    if "not_nullable" in check:
        return "une valeur (colonne obligatoire)"
    return check


# --------------------------------------------------------------------------------------------
# Validating one table
# --------------------------------------------------------------------------------------------

def map_headers(raw: RawTable, spec: dict[str, Any], dataset: str) -> tuple[dict[str, str], list[str]]:
    """Map the file's headers to canonical names; raise on a missing required column."""
    lookup = {}
    for name, col in spec["colonnes"].items():
        for spelling in [name, *col.get("alias", [])]:
            lookup.setdefault(normalise_header(spelling), name)
    mapping: dict[str, str] = {}
    ignored = []
    for header in raw.frame.columns:
        canonical = lookup.get(normalise_header(header))
        if canonical and canonical not in mapping.values():
            mapping[header] = canonical
        else:
            ignored.append(str(header))
    found = set(mapping.values())
    missing = [n for n, c in spec["colonnes"].items() if c.get("requis") and n not in found]
    if missing:
        names = ", ".join(f"« {m} »" for m in missing)
        raise InputError(
            f"{raw.name} : colonne obligatoire {names} absente (ligne 1, en-têtes trouvés : "
            f"{', '.join(map(str, raw.frame.columns))}). Le jeu « {dataset} » n'est pas chargé."
        )
    return mapping, ignored


def validate_table(
    raw: RawTable,
    dataset: str,
    *,
    services: ServiceResolver | None = None,
    key: bytes = b"",
    config: dict[str, Any] | None = None,
) -> ValidationResult:
    """Parse, check and pseudonymise one raw table.

    Parameters
    ----------
    raw : RawTable
        The file as read by :func:`ducos_lib.io.read_raw_table`.
    dataset : str
        Dataset name, a key of ``config/schemas.yml``.
    services : ServiceResolver, optional
        Needed for datasets with ``service`` columns.
    key : bytes
        Pseudonymisation key (:func:`ducos_lib.privacy.load_key`).

    Raises
    ------
    InputError
        A required column is missing.
    """
    config = config or schema_config()
    spec = config["datasets"][dataset]
    labels = {normalise_value(k): v for k, v in config["libelles_likert"].items()}
    missing_values = {normalise_value(v) for v in config["valeurs_manquantes"]}
    mapping, ignored = map_headers(raw, spec, dataset)
    header_of = {canonical: header for header, canonical in mapping.items()}
    frame = raw.frame.rename(columns=mapping)[list(mapping.values())]

    parsed: dict[str, pd.Series] = {}
    failures: list[tuple[pd.Index, str, str]] = []  # (row index, canonical column, expected)
    for name, col in spec["colonnes"].items():
        kind = col["type"]
        if kind == "nom":
            continue
        target = "mois_naissance" if kind == "naissance" else name
        if name not in frame:
            parsed[target] = _empty_column(kind, len(frame), frame.index)
            continue
        values = frame[name]
        text = _as_text(values)
        keys = text.map(normalise_value)
        is_missing = keys.isin(missing_values) if kind != "texte" else _blank(text)
        failed = pd.Series(False, index=values.index)
        if kind in ("date", "naissance"):
            out, failed = parse_date(values.where(~is_missing, ""))
            if kind == "naissance":
                out = out.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
        elif kind == "periode":
            out, failed = parse_periode(values.where(~is_missing, ""))
        elif kind == "likert":
            out, failed = parse_likert(values, labels, missing_values)
        elif kind == "nombre":
            out, failed = parse_number(values.where(~is_missing, ""))
        elif kind == "note":
            out, failed = parse_integer(values.where(~is_missing, ""))
        elif kind == "booleen":
            out, failed = parse_bool(values.where(~is_missing, ""))
        elif kind == "choix":
            out = parse_choice(values.where(~is_missing, ""), col["valeurs"], col.get("synonymes", {}))
        elif kind == "service":
            if services is None:
                raise ValueError(f"{dataset}: a ServiceResolver is needed for column {name}")
            out = services.resolve(text).where(~is_missing, pd.NA).astype("str")
            failed = out.isna() & ~is_missing
        elif kind == "identifiant":
            out = pseudonymise(text.where(~is_missing, pd.NA), key)
        else:  # texte
            out = text.where(~is_missing, pd.NA).astype("str")
        if failed.any():
            failures.append((failed[failed].index, name, EXPECTED.get(kind, kind)))
        parsed[target] = out
    data = pd.DataFrame(parsed, index=frame.index)

    try:
        build_schema(spec).validate(data, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        already = {(col, i) for index, col, _ in failures for i in index}
        for (column, check), group in cases.groupby(["column", "check"], sort=False):
            canonical = "date_naissance" if column == "mois_naissance" else column
            idx = pd.Index([i for i in group["index"].astype(int).unique() if (canonical, i) not in already])
            if idx.empty:
                continue
            failures.append((idx, canonical, _expected_from_check(str(check), spec["colonnes"][canonical])))

    failures += _key_and_order_failures(data, spec, raw)
    rejects = _rejection_table(raw, frame, header_of, spec, failures)
    bad_rows = pd.Index(rejects["_index"].unique()) if len(rejects) else pd.Index([])
    quarantine = _quarantine(raw, frame, spec, rejects)
    accepted = data.drop(index=bad_rows).reset_index(drop=True)
    return ValidationResult(
        dataset=dataset, path=raw.path, data=accepted, rejects=rejects.drop(columns="_index"),
        quarantine=quarantine, n_rows=len(frame), encoding=raw.encoding, separator=raw.separator,
        ignored_columns=ignored,
    )


def _empty_column(kind: str, n: int, index: pd.Index) -> pd.Series:
    if kind in ("date", "naissance"):
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if kind in ("likert", "nombre", "note"):
        return pd.Series(np.nan, index=index, dtype="float64")
    if kind == "booleen":
        return pd.Series(False, index=index, dtype=bool)
    return pd.Series(pd.NA, index=index, dtype="str")


def _key_and_order_failures(data: pd.DataFrame, spec: dict[str, Any], raw: RawTable):
    out = []
    key = spec.get("cle")
    if key and all(k in data for k in key):
        dup = data.duplicated(subset=key, keep="first") & data[key].notna().all(axis=1)
        if dup.any():
            out.append((dup[dup].index, key[-1], "une valeur unique (" + " + ".join(key) + " en double)"))
    for first, second in spec.get("ordre", []):
        wrong = data[second].notna() & data[first].notna() & (data[second] < data[first])
        if wrong.any():
            out.append((wrong[wrong].index, second, f"une date postérieure ou égale à « {first} »"))
    return out


def _rejection_table(raw, frame, header_of, spec, failures) -> pd.DataFrame:
    rows = []
    for index, column, expected in failures:
        personal = spec["colonnes"][column]["type"] in PERSONAL_TYPES
        header = header_of.get(column, column)
        for i in index:
            value = "[donnée personnelle masquée]" if personal else _cell_text(frame.at[i, column])
            line = int(raw.lines.at[i])
            rows.append({
                "_index": i, "fichier": raw.name, "ligne": line, "colonne": str(header), "valeur": value,
                "attendu": expected, "message": rejection_message(raw.name, line, str(header), value, expected),
            })
    columns = ["_index", "fichier", "ligne", "colonne", "valeur", "attendu", "message"]
    return pd.DataFrame(rows, columns=columns).sort_values(["ligne", "colonne"], kind="stable").reset_index(drop=True)


def _cell_text(value: object) -> str:
    text = _as_text(pd.Series([value], dtype=object)).iloc[0]
    return text if len(text) <= 80 else text[:77] + "…"


def _quarantine(raw, frame, spec, rejects) -> pd.DataFrame:
    """Rejected lines with their reasons and their non-personal cells (never names or identifiers)."""
    if rejects.empty:
        return pd.DataFrame(columns=["ligne", "motifs"])
    safe = [c for c in frame.columns if spec["colonnes"][c]["type"] not in PERSONAL_TYPES]
    reasons = rejects.groupby("_index", sort=False).agg(
        ligne=("ligne", "first"),
        motifs=("message", lambda m: " | ".join(m)),
    )
    cells = frame.loc[reasons.index, safe].map(lambda v: _as_text(pd.Series([v], dtype=object)).iloc[0])
    return pd.concat([reasons, cells], axis=1).reset_index(drop=True).astype({"motifs": "str"})
