"""Validation of raw tables against the input contract (DESIGN §3, ``config/schemas.yml``).

Three steps, each failure becoming one rejection that names file, line, column, value and what was
expected, in French:

1. *structure*: headers are mapped to canonical names (a column given twice is refused naming both
   copies); rows that are not data — a total or « Ensemble » line, a repeated header, a footnote
   under the table — are set aside with a note;
2. *parsing*: cells are converted to their type (dates in any accepted form, Excel serial numbers,
   decimal commas and thousands separators, Likert labels, yes/no, service aliases, calendar
   milestones); Excel error values (``#N/A``, ``#DIV/0!`` …) count as empty; a cell that cannot be
   read is rejected;
3. *domain checks*: ranges, allowed values, required values, unique keys, date order, and the
   checks of a whole file (calendar order, alias collisions, plausibility of full-time
   equivalents).

Parsing works on the distinct values of each column (a column of 100,000 dates holds a few hundred
distinct ones), so every rule is written once, per value, and costs little. Rows with at least one
rejection are quarantined; the others are returned typed, pseudonymised and with their free text
redacted.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from .config import load_config
from .io import InputError, RawTable, column_letter, normalise_header, normalise_value
from .privacy import Pseudonymiser

#: Column types whose values are personal or free text: never echoed in messages or quarantine files.
PERSONAL_TYPES = {"identifiant", "nom", "naissance", "texte_libre"}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y", "%Y-%m-%d %H:%M:%S",
                 "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S")
_MONTHS = {"janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4, "mai": 5,
           "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9, "octobre": 10, "oct": 10,
           "novembre": 11, "nov": 11, "decembre": 12, "dec": 12}
_TRUE = {"oui", "o", "1", "vrai", "true", "x", "yes", "y"}
_FALSE = {"non", "n", "0", "faux", "false", "no", ""}
#: Values Excel writes for a failed formula; read as empty cells.
EXCEL_ERRORS = {"#N/A", "#DIV/0!", "#VALEUR!", "#VALUE!", "#REF!", "#NOM?", "#NAME?", "#NOMBRE!", "#NUM!",
                "#NUL!", "#NULL!", "#CHAMP!", "#SPILL!", "#CALC!", "#N/D", "#######"}
#: First cells of a row that is a total, not a record (normalised).
TOTAL_WORDS = {"total", "totaux", "sous total", "total general", "ensemble", "somme", "tous", "toutes",
               "tout", "total generale", "grand total"}
#: Excel serial numbers read as dates in text files: 1927-05-18 to 2119-01-09.
SERIAL_RANGE = (10_000, 80_000)

EXPECTED = {
    "date": "une date JJ/MM/AAAA ou AAAA-MM-JJ",
    "naissance": "une date JJ/MM/AAAA ou AAAA-MM-JJ",
    "periode": "un mois AAAA-MM",
    "likert": "une note de 1 à 5 ou un libellé (« Très insatisfait » … « Très satisfait », NSP)",
    "nombre": "un nombre",
    "note": "un nombre entier",
    "booleen": "oui ou non",
    "service": "un code de service de services.csv ou l'un de ses libellés ou alias",
    "jalon": "un jalon du calendrier (calendrier.csv), par exemple T0",
}


def _fr_number(value: float, decimals: int = 1) -> str:
    from .reports.formats import number

    return number(value, 0 if float(value).is_integer() else decimals)


def _fr_date(value: object) -> str:
    return pd.Timestamp(value).strftime("%d/%m/%Y")


@dataclass(frozen=True)
class ServiceResolver:
    """Maps codes, labels and aliases of ``services.csv`` to the canonical ``code_service``."""

    mapping: dict[str, str]

    @classmethod
    def from_services(cls, services: pd.DataFrame) -> "ServiceResolver":
        """Build the resolver; a spelling naming two services raises :class:`InputError`."""
        owners = service_names(services)
        clashes = {name: codes for name, codes in owners.items() if len(codes) > 1}
        if clashes:
            name, codes = next(iter(clashes.items()))
            raise InputError(f"services : « {name} » désigne plusieurs services ({', '.join(codes)}).")
        return cls({name: codes[0] for name, codes in owners.items()})

    def resolve(self, values: pd.Series) -> pd.Series:
        codes, uniques = pd.factorize(values)
        resolved = np.array([self.mapping.get(normalise_value(v), None) for v in uniques], dtype=object)
        out = pd.Series(resolved[codes] if len(uniques) else [], index=values.index, dtype="str")
        return out


def service_names(services: pd.DataFrame) -> dict[str, list[str]]:
    """Every normalised spelling (code, label, aliases) → the codes of the services it names."""
    owners: dict[str, list[str]] = {}
    for row in services.itertuples(index=False):
        names = [row.code_service, row.libelle]
        alias = getattr(row, "alias", None)
        if isinstance(alias, str):
            names += alias.split(";")
        for name in names:
            if isinstance(name, str) and name.strip():
                codes = owners.setdefault(normalise_value(name), [])
                if row.code_service not in codes:
                    codes.append(row.code_service)
    return owners


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
    notes: list[str] = field(default_factory=list)
    n_set_aside: int = 0  # total rows, repeated headers, footnotes

    @property
    def n_rejected(self) -> int:
        return len(self.quarantine)


def schema_config(config_dir: Path | str | None = None) -> dict[str, Any]:
    return load_config("schemas", config_dir)


def expected_headers(spec: dict[str, Any]) -> set[str]:
    """Normalised spellings of a dataset's columns (names and aliases)."""
    return {normalise_header(s) for name, col in spec["colonnes"].items() for s in [name, *col.get("alias", [])]}


def rejection_message(fichier: str, ligne: int, colonne: str, valeur: str, attendu: str) -> str:
    """The French sentence of §7 for one rejected value."""
    return f"{fichier}, ligne {ligne}, colonne « {colonne} » : valeur « {valeur} » invalide, attendu : {attendu}."


# --------------------------------------------------------------------------------------------
# Parsing of distinct values: each parser takes the distinct cells of a column (object Series)
# and returns (parsed values, mask of cells that could not be read)
# --------------------------------------------------------------------------------------------

def _text_of(v: object) -> str:
    if isinstance(v, str):
        return v.strip()
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _as_text(values: pd.Series) -> pd.Series:
    return pd.Series([_text_of(v) for v in values], index=values.index, dtype=object)


def _blank(text: pd.Series) -> pd.Series:
    return text.str.strip().eq("")


def _french_date(text: str) -> pd.Timestamp | None:
    m = re.fullmatch(r"(\d{1,2})(?:er)?\s+([a-zéèûô]+)\.?\s+(\d{4})", normalise_value(text))
    if not m or m.group(2) not in _MONTHS:
        return None
    try:
        return pd.Timestamp(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
    except ValueError:
        return None


def parse_date(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates given as ``JJ/MM/AAAA``, ``AAAA-MM-JJ`` (and close forms), ``15 novembre 2025``,
    Excel datetimes, or Excel serial numbers (in a workbook, or as text in a CSV)."""
    values = values.astype(object)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    is_dt = values.map(lambda v: hasattr(v, "year") and hasattr(v, "month")).astype(bool)
    if is_dt.any():
        out[is_dt] = pd.to_datetime(values[is_dt].map(pd.Timestamp)).dt.normalize().astype("datetime64[ns]")
    text = _as_text(values)
    numeric = values.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).astype(bool)
    serial_text = text.str.fullmatch(r"\d{5}(?:\.0+)?") & ~numeric
    serial_text &= text.where(serial_text, "0").astype(float).between(*SERIAL_RANGE)
    is_serial = (numeric & values.where(numeric, 0).astype(float).between(1, 99_999)) | serial_text
    if is_serial.any():
        serial = text[is_serial].astype(float)
        out[is_serial] = (pd.Timestamp("1899-12-30") + pd.to_timedelta(serial.round(), unit="D")).astype("datetime64[ns]")
    todo = ~is_dt & ~is_serial & ~_blank(text.astype("str"))
    for fmt in _DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        out[ok[ok].index] = parsed[ok].dt.normalize().astype("datetime64[ns]")
        todo[ok[ok].index] = False
    for i in todo[todo].index:
        found = _french_date(text[i])
        if found is not None:
            out[i] = found
            todo[i] = False
    return out, todo


def parse_periode(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    text = _as_text(values).astype("str")
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


_GROUPED = re.compile(r"-?\d{1,3}(?:\.\d{3})+")


def _number_text(v: object) -> str:
    return re.sub(r"[\s\u00a0\u202f']", "", str(v)).replace("%", "").replace("−", "-")


def dots_are_thousands(values: pd.Series, integer: bool = False) -> bool:
    """Whether ``1.234`` means one thousand two hundred … in this column.

    True when every value with a dot is grouped by three digits (``8.071``, ``15.001``) and the
    column is one of counts (``integer``) or elsewhere writes its decimals with a comma.
    """
    text = [_number_text(v) for v in values if isinstance(v, str)]
    dotted = [t for t in text if "." in t and "," not in t]
    if not dotted or not all(_GROUPED.fullmatch(t) for t in dotted):
        return False
    return integer or any("," in t and "." not in t for t in text)


def parse_number(values: pd.Series, thousands_dots: bool = False) -> tuple[pd.Series, pd.Series]:
    """Numbers with a decimal comma or point, spaces (or dots, see :func:`dots_are_thousands`) as
    thousands separators, an optional ``%`` sign."""
    def one(v: object) -> float:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
        s = _number_text(v)
        if not s:
            return np.nan
        if "," in s and "." in s:
            s = s.replace(".", "").replace(",", ".") if s.rfind(",") > s.rfind(".") else s.replace(",", "")
        elif thousands_dots and _GROUPED.fullmatch(s):
            s = s.replace(".", "")
        else:
            s = s.replace(",", ".")
        try:
            return float(s)
        except ValueError:
            return np.inf  # marker: unreadable
    parsed = pd.Series([one(v) for v in values], index=values.index, dtype="float64")
    failed = pd.Series(np.isinf(parsed.to_numpy()), index=values.index)
    return parsed.where(~failed, np.nan), failed


def parse_integer(values: pd.Series, thousands_dots: bool = False) -> tuple[pd.Series, pd.Series]:
    parsed, failed = parse_number(values, thousands_dots)
    failed = failed | (parsed.notna() & (parsed != parsed.round()))
    return parsed.where(~failed, np.nan), failed


def parse_likert(values: pd.Series, labels: dict[str, int], missing: set[str]) -> tuple[pd.Series, pd.Series]:
    """Likert answers: 1–5, a French label, or a code with its label (``4 - Plutôt satisfait``)."""
    keys = _as_text(values).map(normalise_value)
    coded = keys.str.extract(r"^([1-5])\s*[-–:.)]\s*(.+)$")
    with_code = coded[0].notna() & coded[1].isin(labels)
    label_values = keys.map(lambda k: labels.get(k, np.nan)).astype("float64")
    label_values[with_code] = coded.loc[with_code, 0].astype(float)
    known = keys.isin(labels) | keys.isin(missing) | with_code
    numeric, failed = parse_number(values.where(~known, ""))
    failed = failed | (numeric.notna() & (numeric != numeric.round()))
    return label_values.fillna(numeric).where(~failed, np.nan), failed


def parse_choice(values: pd.Series, allowed: list[str], synonyms: dict[str, str]) -> pd.Series:
    """Map to the canonical spelling; unknown values are left for the ``valeurs`` check."""
    lookup = {normalise_value(a): a for a in allowed}
    lookup.update({normalise_value(k): v for k, v in (synonyms or {}).items()})
    text = _as_text(values)
    mapped = text.map(lambda s: lookup.get(normalise_value(s), s))
    return mapped.where(text != "", pd.NA)


def parse_bool(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    keys = _as_text(values).map(normalise_value)
    failed = ~keys.isin(_TRUE | _FALSE)
    return keys.isin(_TRUE).astype(bool), failed


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------

def _same_content(a: pd.Series, b: pd.Series) -> bool:
    return bool((_as_text(a.astype(object)).to_numpy() == _as_text(b.astype(object)).to_numpy()).all())


def map_headers(raw: RawTable, spec: dict[str, Any], dataset: str) -> tuple[dict[int, str], list[str], list[str]]:
    """Map the file's header positions to canonical names.

    Returns
    -------
    mapping : dict
        Column position → canonical name.
    ignored : list of str
        Headers that name no column of the dataset.
    notes : list of str
        French notes (an identical copy of a column, ignored).

    Raises
    ------
    InputError
        A required column is missing, or two columns of different content name the same column.
    """
    lookup = {}
    for name, col in spec["colonnes"].items():
        for spelling in [name, *col.get("alias", [])]:
            lookup.setdefault(normalise_header(spelling), name)
    positions: dict[str, list[int]] = {}
    ignored, notes = [], []
    for i, header in enumerate(raw.headers):
        canonical = lookup.get(normalise_header(header))
        if canonical:
            positions.setdefault(canonical, []).append(i)
        elif header.strip() or raw.frame.iloc[:, i].astype(str).str.strip().ne("").any():
            ignored.append(header.strip() or f"(sans en-tête, colonne {column_letter(i)})")
    mapping: dict[int, str] = {}
    for canonical, where in positions.items():
        first = where[0]
        for other in where[1:]:
            a, b = raw.frame.iloc[:, first], raw.frame.iloc[:, other]
            described = (f"« {raw.headers[first]} » (colonne {column_letter(first)}) et « {raw.headers[other]} » "
                         f"(colonne {column_letter(other)})")
            if not _same_content(a, b):
                empty = [column_letter(p) for p, s in ((first, a), (other, b))
                         if _as_text(s.astype(object)).eq("").all()]
                hint = f" (la colonne {empty[0]} est vide)" if len(empty) == 1 else ""
                raise InputError(
                    f"{raw.name} : les colonnes {described} désignent toutes deux « {canonical} » et n'ont pas le "
                    f"même contenu{hint} : supprimez ou renommez l'une des deux. Le jeu « {dataset} » n'est pas chargé.")
            notes.append(f"colonnes {described} identiques : la seconde est ignorée.")
        mapping[first] = canonical
    missing = [n for n, c in spec["colonnes"].items() if c.get("requis") and n not in positions]
    if missing:
        names = ", ".join(f"« {m} »" for m in missing)
        raise InputError(
            f"{raw.name} : colonne obligatoire {names} absente (ligne {raw.header_line}, en-têtes trouvés : "
            f"{', '.join(h for h in raw.headers if h)}). Le jeu « {dataset} » n'est pas chargé."
        )
    return mapping, ignored, notes


# --------------------------------------------------------------------------------------------
# Rows that are not records
# --------------------------------------------------------------------------------------------

def _cells_text(values: pd.Series) -> pd.Series:
    """Text of every cell (CSV cells are already stripped strings; XLSX cells go per distinct value)."""
    if values.dtype == object:
        return _on_distinct(values, _as_text).astype("str")
    return values


def _set_aside(frame: pd.DataFrame, raw: RawTable, spec: dict[str, Any], header_of: dict[str, str]):
    """Total rows, repeated header rows and footnotes under the table: (mask, notes)."""
    notes = []
    ordered = list(frame.columns)
    text = {c: _cells_text(frame[c]) for c in ordered[:3]}
    text.update({c: _cells_text(frame[c]) for c in spec.get("lignes_total", []) if c in frame and c not in text})

    def total_key(values: pd.Series) -> pd.Series:
        hint = values.str.contains(r"(?i)tot|ensemble|somme|tou", regex=True)
        keys = pd.Series("", index=values.index, dtype=object)
        if hint.any():
            keys[hint] = _on_distinct(values[hint], lambda u: u.map(normalise_value))
        return keys

    first = pd.Series("", index=frame.index, dtype=object)
    empty_so_far = pd.Series(True, index=frame.index)
    for c in ordered[:3]:
        first = first.where(~empty_so_far, total_key(text[c]))
        empty_so_far &= text[c] == ""
    candidates = first != ""
    total = pd.Series(False, index=frame.index)
    if candidates.any():
        keys = first[candidates]
        total[candidates] = keys.isin(TOTAL_WORDS) | keys.str.match(r"^(sous )?total\b").astype(bool)
    for column in spec.get("lignes_total", []):
        if column in text:
            total |= total_key(text[column]).isin(TOTAL_WORDS)
    probes = ordered[:2]
    repeated = pd.Series(False, index=frame.index)
    if len(probes) == 2:
        repeated = (text[probes[0]] == header_of[probes[0]].strip()) & (text[probes[1]] == header_of[probes[1]].strip())
    footnote = pd.Series(False, index=frame.index)
    if len(ordered) >= 3 and len(frame):
        tail = frame.iloc[-20:]  # a footnote sits under the table: only the last rows are looked at
        count = sum((_cells_text(tail[c]) != "").astype(int) for c in ordered)
        full = np.flatnonzero((count >= 2).to_numpy())
        after = np.arange(len(tail)) > (full[-1] if len(full) else -1)
        footnote[tail.index[after & (count == 1).to_numpy()]] = True
    lines = raw.lines
    for mask, what in ((total & ~repeated, "ligne de total ou « Ensemble »"), (repeated, "en-têtes répétés"),
                       (footnote & ~total & ~repeated, "note sous le tableau")):
        if mask.any():
            where = lines[mask[mask].index]
            shown = ", ".join(map(str, where.head(6))) + (" …" if len(where) > 6 else "")
            i = mask[mask].index[0]
            cells = [t for t in (_text_of(frame.at[i, c]) for c in ordered) if t]
            label = next((t for t in cells if normalise_value(t) in TOTAL_WORDS), cells[0] if cells else "")
            notes.append(f"{what} écartée{'s' if mask.sum() > 1 else ''} (ligne{'s' if mask.sum() > 1 else ''} "
                         f"{shown} ; « {label[:40]} ») : ce n'est pas une ligne de données.")
    return total | repeated | footnote, notes


# --------------------------------------------------------------------------------------------
# Validating one table
# --------------------------------------------------------------------------------------------

@dataclass
class _Column:
    """What parsing found in one column: parsed values and the rows to reject with why."""

    values: pd.Series
    failures: list[tuple[pd.Index, str]] = field(default_factory=list)  # (rows, expected)


def _on_distinct(values: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Apply ``parse`` to the distinct cells of ``values`` and spread the result back to every row."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    result = parse(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    return _spread(result, codes, values.index)


def validate_table(
    raw: RawTable,
    dataset: str,
    *,
    services: ServiceResolver | None = None,
    key: bytes = b"",
    config: dict[str, Any] | None = None,
    milestones: list[str] | None = None,
    roster: Any = None,
    pseudonymiser: Pseudonymiser | None = None,
) -> ValidationResult:
    """Parse, check, pseudonymise and redact one raw table.

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
    milestones : list of str, optional
        The calendar's milestones, needed for ``jalon`` columns (survey ``vague``).
    roster : optional
        Names of the HR roster for the redaction of ``texte_libre`` columns.
    pseudonymiser : Pseudonymiser, optional
        Shared by the datasets of one ingestion (each identifier hashed once); by default one
        made from ``key``.

    Raises
    ------
    InputError
        A required column is missing, a column is given twice, or a check of the whole file fails
        (calendar order, alias collision, implausible full-time equivalents).
    """
    config = config or schema_config()
    spec = config["datasets"][dataset]
    labels = {normalise_value(k): v for k, v in config["libelles_likert"].items()}
    missing_values = {normalise_value(v) for v in config["valeurs_manquantes"]}
    mapping, ignored, notes = map_headers(raw, spec, dataset)
    notes = list(raw.notes) + notes
    header_of = {canonical: raw.headers[pos] for pos, canonical in mapping.items()}
    position_of = {canonical: pos for pos, canonical in mapping.items()}
    frame = pd.DataFrame({canonical: raw.frame.iloc[:, pos] for pos, canonical in sorted(mapping.items())})
    aside, aside_notes = _set_aside(frame, raw, spec, header_of)
    notes += aside_notes
    if aside.any():
        frame = frame.loc[~aside]

    parsed: dict[str, pd.Series] = {}
    failures: list[tuple[pd.Index, str, str]] = []  # (row index, canonical column, expected)
    pseudonymise = pseudonymiser or Pseudonymiser(key)
    for name, col in spec["colonnes"].items():
        kind = col["type"]
        if kind == "nom":
            continue
        target = "mois_naissance" if kind == "naissance" else name
        if name not in frame:
            parsed[target] = _empty_column(kind, frame.index)
            continue
        values = frame[name]
        column = _parse_column(values, name, col, kind, raw, position_of.get(name), notes, labels=labels,
                               missing_values=missing_values, services=services, pseudonymise=pseudonymise,
                               milestones=milestones, roster=roster, header=header_of[name])
        parsed[target] = column.values
        failures += [(rows, name, expected) for rows, expected in column.failures]
    data = pd.DataFrame(parsed, index=frame.index)
    failures += _domain_failures(data, spec, failures)
    failures += _key_and_order_failures(data, spec)
    if dataset == "calendrier":
        _check_calendar(data, raw, header_of, failures)
    if dataset == "services":
        _check_aliases(data, raw)
    if dataset == "population_reference" and aside.any():
        notes += _reference_totals(raw.frame.loc[aside[aside].index], mapping, data)
    rejects = _rejection_table(raw, frame, header_of, spec, failures)
    if len(raw.bad_rows):
        rejects = pd.concat([rejects, _bad_row_rejects(raw)], ignore_index=True).sort_values(
            ["ligne", "colonne"], kind="stable").reset_index(drop=True)
    bad_rows = pd.Index(rejects["_index"].dropna().unique()) if len(rejects) else pd.Index([])
    quarantine = _quarantine(raw, frame, spec, rejects)
    accepted = (data.drop(index=bad_rows) if len(bad_rows) else data).reset_index(drop=True)
    if dataset == "rh_agents":
        notes += fte_plausibility(accepted, raw.name)
    return ValidationResult(
        dataset=dataset, path=raw.path, data=accepted, rejects=rejects.drop(columns="_index"),
        quarantine=quarantine, n_rows=len(frame) + len(raw.bad_rows), encoding=raw.encoding,
        separator=raw.separator, ignored_columns=ignored, notes=notes, n_set_aside=int(aside.sum()),
    )


def _parse_column(values, name, col, kind, raw, position, notes, *, labels, missing_values, services, pseudonymise,
                  milestones, roster, header) -> _Column:
    """Parse one column (see :func:`validate_table`); appends French notes to ``notes``.

    The column is factorised once: every rule runs on its distinct cells, and the results are
    spread back to the rows through the codes. Text and identifier columns of a CSV (mostly
    distinct values) are handled column-wise instead.
    """
    if kind in ("texte", "texte_libre", "identifiant") and values.dtype != object:
        return _parse_text_column(values, col, kind, missing_values, notes, header, pseudonymise=pseudonymise,
                                  roster=roster)
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    cells = pd.Series(np.asarray(uniques, dtype=object), dtype=object)
    counts = np.bincount(codes, minlength=len(cells))
    text = _as_text(cells)
    if kind in ("texte", "texte_libre", "identifiant"):
        keys = text.str.lower()  # only compared with the missing-value words, which are plain ASCII
    else:
        keys = text.map(normalise_value)
    errors = text.isin(EXCEL_ERRORS)
    if errors.any():
        kinds = ", ".join(sorted(set(text[errors])))
        notes.append(f"colonne « {header} » : {int(counts[errors.to_numpy()].sum())} cellule(s) en erreur Excel "
                     f"({kinds}) lue(s) comme vide(s).")
    is_missing = (keys.isin(missing_values) if kind not in ("texte", "texte_libre") else text.eq("")) | errors
    blanked = cells.where(~is_missing, "")
    expected = EXPECTED.get(kind, kind)
    failed = None
    extra: list[tuple[pd.Series, str]] = []  # (mask on distinct cells, expected)
    if kind in ("date", "naissance"):
        out, failed = parse_date(blanked)
        serial = blanked.map(lambda v: isinstance(v, str) and bool(re.fullmatch(r"\d{5}(?:\.0+)?", v))) & ~failed
        if serial.any():
            notes.append(f"colonne « {header} » : {int(counts[serial.to_numpy()].sum())} date(s) écrite(s) comme "
                         "numéro de série Excel (ex. 45975 = 14/11/2025) et convertie(s).")
        if kind == "naissance":
            future = out > pd.Timestamp.today()
            out = out.where(~future, out - pd.DateOffset(years=100))  # 12/03/64 is 1964
            out = out.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
    elif kind == "periode":
        out, failed = parse_periode(blanked)
    elif kind == "likert":
        out, failed = parse_likert(cells.where(~errors, ""), labels, missing_values)
    elif kind in ("nombre", "note"):
        thousands = dots_are_thousands(blanked, col.get("entier", kind == "note"))
        if thousands:
            notes.append(f"colonne « {header} » : le point sépare les milliers (8.071 = 8 071).")
        out, failed = (parse_integer if kind == "note" else parse_number)(blanked, thousands)
        if col.get("echelle") == "pourcentage":
            out, ambiguous = _percent_scale(out, blanked, counts, raw, position, header, notes)
            extra.append((ambiguous, "un pourcentage de 0 à 100 (le fichier donne les quotités en pourcentage : "
                                     "une valeur de 0 à 1 y est ambiguë)"))
    elif kind == "booleen":
        out, failed = parse_bool(blanked)
    elif kind == "choix":
        out = parse_choice(blanked, col["valeurs"], col.get("synonymes", {}))
    elif kind == "jalon":
        if milestones is None:
            raise InputError(f"{raw.name} : impossible de reconnaître les vagues sans un calendrier valide.")
        lookup = {normalise_value(m): m for m in milestones}
        out = keys.map(lambda k: lookup.get(k, None)).astype(object).where(~is_missing, None)
        failed = out.isna() & ~is_missing
        expected = f"un jalon du calendrier ({', '.join(milestones)})"
    elif kind == "service":
        if services is None:
            raise InputError(f"{raw.name} : impossible de reconnaître les services sans un fichier services valide.")
        out = services.resolve(text).astype(object).where(~is_missing, None)
        failed = out.isna() & ~is_missing
    elif kind == "identifiant":
        out = pseudonymise(text.where(~is_missing, None))
    elif kind == "texte_libre":
        out = redact_free_text(text.where(~is_missing, None), roster)
    else:  # texte
        out = text.where(~is_missing, None)
        if col.get("majuscules"):  # t6, c2-t0 → T6, C2-T0; other labels as written
            numbered = out.str.fullmatch(_MILESTONE.pattern, case=False).fillna(False).astype(bool)
            out = out.where(~numbered, out.str.upper())
    if out.dtype == object:
        out = out.astype("str")
    result = _Column(_spread(out, codes, values.index))
    for mask, why in ([(failed, expected)] if failed is not None else []) + extra:
        if mask.any():
            rows = mask.to_numpy()[codes]
            result.failures.append((values.index[rows], why))
    return result


def _parse_text_column(values: pd.Series, col, kind, missing_values, notes, header, *, pseudonymise,
                       roster) -> _Column:
    """Column-wise reading of a CSV text or identifier column (cells already stripped strings)."""
    errors = values.isin(EXCEL_ERRORS)
    if errors.any():
        kinds = ", ".join(sorted(set(values[errors])))
        notes.append(f"colonne « {header} » : {int(errors.sum())} cellule(s) en erreur Excel ({kinds}) lue(s) "
                     "comme vide(s).")
    missing = values.eq("") | errors
    if kind == "identifiant":
        missing |= values.str.lower().isin(missing_values)
    text = values.where(~missing)
    if kind == "identifiant":
        out = pseudonymise(text)
    elif kind == "texte_libre":
        out = redact_free_text(text, roster).astype("str")
    else:
        out = text
        if col.get("majuscules"):
            numbered = out.str.fullmatch(_MILESTONE.pattern, case=False).fillna(False).astype(bool)
            out = out.where(~numbered, out.str.upper())
    return _Column(out)


def _spread(distinct: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Values of the distinct cells → values of every row."""
    return pd.Series(distinct.array.take(codes) if len(codes) else distinct.array[:0], index=index)


def _percent_scale(out: pd.Series, cells: pd.Series, counts: np.ndarray, raw: RawTable, position: int | None,
                   header: str, notes: list[str]) -> tuple[pd.Series, pd.Series]:
    """Decide once per file whether a percentage column (quotité) is written 0–1 or 0–100.

    Excel's percent format stores 80 % as 0.8; a CSV may say ``0,8`` for the same. Values with a
    ``%`` sign are percentages. Works on the distinct cells (``counts`` rows each). Returns the
    values on the 0–100 scale and the cells left ambiguous (a value of at most 1 in a file that
    otherwise writes percentages).
    """
    none = pd.Series(False, index=out.index)
    if position is not None and position in raw.percent_columns:
        notes.append(f"colonne « {header} » : cellules au format pourcentage d'Excel (0,8 affiché « 80 % ») : "
                     "lues comme des pourcentages (80).")
        return out * 100, none
    signed = cells.map(lambda v: isinstance(v, str) and "%" in v).astype(bool)
    free = out.notna() & ~signed
    if not free.any():
        return out, none
    small = free & (out <= 1)
    if not (free & ~small).any():
        notes.append(f"colonne « {header} » : quotités écrites en fraction (0,8 pour 80 %) dans tout le fichier : "
                     "converties en pourcentage.")
        return out.where(~free, out * 100), none
    notes.append(f"colonne « {header} » : quotités lues en pourcentage (0 à 100).")
    return out, small & (out > 0)


def fte_plausibility(agents: pd.DataFrame, file_name: str) -> list[str]:
    """Notes on extractions whose full-time equivalents are implausible against the headcount.

    The mean quotité of a municipal staff is close to 90 %; below 50 % the unit of the column is
    probably wrong (a fraction read as a percentage), which would shrink every FTE figure.
    """
    notes = []
    if agents.empty or "quotite" not in agents:
        return notes
    columns = ["date_extraction", "quotite"]
    present = agents.loc[agents["date_sortie"].isna(), columns] if "date_sortie" in agents else agents[columns]
    for extraction, group in present.groupby("date_extraction"):
        n = len(group)
        fte = float(group["quotite"].sum()) / 100
        if n >= 5 and fte < 0.5 * n:
            notes.append(f"ATTENTION {file_name}, extraction du {_fr_date(extraction)} : {_fr_number(n)} agents "
                         f"présents pour {_fr_number(fte)} ETP (quotité moyenne {_fr_number(100 * fte / n)} %) : "
                         "vérifiez l'unité de la colonne quotité (pourcentage attendu, 80 pour 80 %).")
    return notes


def redact_free_text(values: pd.Series, roster: Any = None) -> pd.Series:
    """Redact personal data (names, phones, e-mails, addresses) of a free-text column.

    The one place ingestion calls the redaction module (:func:`ducos_lib.redaction.redact_series`:
    each distinct text once, the rules only where they can fire, the NER model in batches).
    """
    from . import redaction

    jobs = min(int(load_config()["ingestion"].get("processus_caviardage", 1)), len(os.sched_getaffinity(0)))
    return redaction.redact_series(values, roster, jobs=max(jobs, 1))


def build_roster(names: list[str]):
    """The roster of names to redact, from the raw ``rh_agents`` names (:func:`redact_free_text`)."""
    from . import redaction

    return redaction.Roster.build(names)


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------

def _domain_failures(data: pd.DataFrame, spec: dict[str, Any], parse_failures) -> list:
    """Allowed values, ranges and required values, on rows whose cell was readable."""
    already: dict[str, set] = {}
    for index, column, _ in parse_failures:
        already.setdefault(column, set()).update(index)
    out = []
    for name, col in spec["colonnes"].items():
        kind = col["type"]
        target = "mois_naissance" if kind == "naissance" else name
        if kind == "nom" or target not in data:
            continue
        values = data[target]
        skip = already.get(name, set())
        checks = []
        if kind == "choix":
            checks.append((values.notna() & ~values.isin(col["valeurs"]), "une des valeurs " + ", ".join(col["valeurs"])))
        elif kind == "likert":
            checks.append((values.notna() & ~values.between(1, 5), "un nombre de 1 à 5"))
        elif kind in ("note", "nombre") and ("min" in col or "max" in col):
            lo, hi = col.get("min", -np.inf), col.get("max", np.inf)
            checks.append((values.notna() & ~values.between(lo, hi), _range_text(col.get("min"), col.get("max"))))
        if col.get("requis") and kind != "likert":
            checks.append((values.isna(), "une valeur (colonne obligatoire)"))
        for mask, expected in checks:
            index = mask[mask].index
            if skip:
                index = index.difference(pd.Index(list(skip)))
            if len(index):
                out.append((index, name, expected))
                skip = skip | set(index)
    return out


def _range_text(lo, hi) -> str:
    if lo is None:
        return f"un nombre inférieur ou égal à {hi:g}"
    if hi is None:
        return f"un nombre supérieur ou égal à {lo:g}"
    return f"un nombre de {lo:g} à {hi:g}"


def _empty_column(kind: str, index: pd.Index) -> pd.Series:
    if kind in ("date", "naissance"):
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if kind in ("likert", "nombre", "note"):
        return pd.Series(np.nan, index=index, dtype="float64")
    if kind == "booleen":
        return pd.Series(False, index=index, dtype=bool)
    return pd.Series(pd.NA, index=index, dtype="str")


def _key_and_order_failures(data: pd.DataFrame, spec: dict[str, Any]):
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


_MILESTONE = re.compile(r"(?:C(\d+)-)?T(\d+)", re.I)


def _check_calendar(data: pd.DataFrame, raw: RawTable, header_of: dict[str, str], failures) -> None:
    """Milestones dated strictly later line after line, numbered T<n> in date order within a cycle.

    The cycle is the ``cycle`` column, else the ``C<n>-`` prefix of the milestone (1 by default).
    A rejected row, or any disorder, stops the calendar: a milestone dated wrong gives reports that
    look coherent and are not.
    """
    if failures:
        return
    prefix = data["jalon"].str.extract(_MILESTONE.pattern, flags=re.I)
    implied = prefix[0].astype(float).fillna(1)
    if "cycle" in data:
        given = data["cycle"]
        clash = given.notna() & prefix[0].notna() & (given != implied)
        if clash.any():
            i = clash[clash].index[0]
            raise InputError(f"{raw.name}, ligne {raw.lines[i]}, colonne « {header_of.get('cycle', 'cycle')} » : le jalon "
                             f"{data.loc[i, 'jalon']} appartient au cycle {int(implied[i])}, pas au cycle {int(given[i])}.")
        data["cycle"] = given.fillna(implied)
    else:
        data["cycle"] = implied
    column = header_of.get("date", "date")
    rows = list(data.index)
    for before, after in zip(rows, rows[1:]):
        if data.loc[after, "date"] <= data.loc[before, "date"]:
            raise InputError(
                f"{raw.name}, ligne {raw.lines[after]}, colonne « {column} » : le jalon {data.loc[after, 'jalon']} est daté "
                f"du {_fr_date(data.loc[after, 'date'])}, pas après {data.loc[before, 'jalon']} (ligne {raw.lines[before]}, "
                f"{_fr_date(data.loc[before, 'date'])}) : les dates du calendrier doivent croître strictement d'une "
                "ligne à l'autre. Le calendrier n'est pas chargé.")
    numbered = data.assign(n=prefix[1].astype(float)).dropna(subset=["n"])
    for before, after in zip(numbered.index, numbered.index[1:]):
        b, a = numbered.loc[before], numbered.loc[after]
        if a["cycle"] < b["cycle"] or (a["cycle"] == b["cycle"] and a["n"] <= b["n"]):
            raise InputError(
                f"{raw.name}, ligne {raw.lines[after]} : le jalon {a['jalon']} ({_fr_date(a['date'])}) vient après "
                f"{b['jalon']} ({_fr_date(b['date'])}) alors que son numéro le place avant : corrigez la date ou le nom "
                "du jalon. Le calendrier n'est pas chargé.")


def _check_aliases(data: pd.DataFrame, raw: RawTable) -> None:
    """A code, label or alias may name one service only."""
    owners = service_names(data)
    for name, codes in owners.items():
        if len(codes) > 1:
            lines = [int(raw.lines[data.index[data["code_service"] == c][0]]) for c in codes]
            where = " et ".join(f"{c} (ligne {ln})" for c, ln in zip(codes, lines))
            raise InputError(f"{raw.name} : « {name} » (code, libellé ou alias) désigne deux services, {where} : "
                             "un alias ne peut désigner qu'un service, sinon des réponses passeraient de l'un à "
                             "l'autre. Le référentiel des services n'est pas chargé.")


def _reference_totals(rows: pd.DataFrame, mapping: dict[int, str], data: pd.DataFrame) -> list[str]:
    """Compare each dropped « Ensemble » row of a reference table with the sum of its modalities."""
    by_name = {canonical: rows.iloc[:, pos] for pos, canonical in mapping.items()}
    if not {"variable", "effectif"} <= set(by_name):
        return []
    notes = []
    values, _ = parse_number(by_name["effectif"].astype(object), thousands_dots=True)
    for variable, total in zip(by_name["variable"].map(normalise_value), values):
        part = data.loc[data["variable"].map(normalise_value) == variable, "effectif"]
        if len(part) and pd.notna(total) and abs(part.sum() - total) > 0.005 * total:
            notes.append(f"population_reference : la ligne « Ensemble » de « {variable} » ({_fr_number(total)}) "
                         f"diffère de la somme de ses modalités ({_fr_number(part.sum())}).")
    return notes


# --------------------------------------------------------------------------------------------
# Rejections and quarantine
# --------------------------------------------------------------------------------------------

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


def _bad_row_rejects(raw: RawTable) -> pd.DataFrame:
    """Records that could not be aligned on the headers (a row with an extra separator)."""
    bad = raw.bad_rows
    return pd.DataFrame({
        "_index": pd.NA, "fichier": raw.name, "ligne": bad["ligne"].astype(int), "colonne": "(ligne entière)",
        "valeur": bad["valeur"], "attendu": bad["attendu"],
        "message": [f"{raw.name}, ligne {ln} : {v} au lieu des {a}." for ln, v, a in
                    zip(bad["ligne"], bad["valeur"], bad["attendu"])],
    })


def _cell_text(value: object) -> str:
    text = _text_of(value)
    return text if len(text) <= 80 else text[:77] + "…"


def _quarantine(raw, frame, spec, rejects) -> pd.DataFrame:
    """Rejected lines with their reasons and their non-personal cells (never names, identifiers or free text)."""
    if rejects.empty:
        return pd.DataFrame(columns=["ligne", "motifs"])
    safe = [c for c in frame.columns if spec["colonnes"][c]["type"] not in PERSONAL_TYPES]
    reasons = rejects.groupby("ligne", sort=True).agg(
        _index=("_index", "first"), motifs=("message", lambda m: " | ".join(m)))
    cells = pd.DataFrame(index=reasons.index, columns=safe, dtype=object)
    known = reasons["_index"].notna()
    if known.any():
        cells.loc[known[known].index] = frame.loc[reasons.loc[known, "_index"].astype(int), safe].map(_text_of).to_numpy()
    out = pd.concat([reasons.drop(columns="_index"), cells], axis=1).reset_index()
    return out.astype({"motifs": "str"})
