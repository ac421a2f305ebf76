"""Reading raw tables as town halls send them, and writing processed files atomically.

A raw CSV may come in any encoding a French office produces (UTF-8 with or without BOM, UTF-16 with
BOM — Excel's « Texte Unicode » —, Windows-1252, Latin-9, Mac Roman), with ``,`` ``;`` tab or ``|``
separators, any line ending (CR-only included), a title above the headers, quoted line breaks and
blank lines. XLSX workbooks are read with calamine (fast), from the sheet whose headers match the
dataset. The guesses made (encoding, separator, sheet, header line) are returned as French notes so
that the data-quality report states them.

Cells are kept as typed in the file (strings for CSV, Python objects for XLSX): parsing and
validation happen in :mod:`ducos_lib.validation`, where each failure names its spreadsheet line
(header = line 1 of a plain file) and column.

The CSV body is parsed as UTF-8 bytes by pyarrow's columnar reader when its quoting is plain CSV
(every quote opens, closes or doubles a cell); the spreadsheet line of every record comes from the
line breaks outside quotes, looked up only when the file has quotes or empty lines. A file pyarrow
refuses (a row with an extra separator) or with other quotes (``12" écran``) goes through Python's
``csv`` module instead, which is slower but reads every oddity with its line. Both readers give the
same cells and lines, and drop the same blank rows (every cell empty once stripped).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pandas as pd

RAW_SUFFIXES = (".csv", ".xlsx", ".txt", ".tsv")
_PARTICLES = {"de", "du", "des", "d", "la", "le", "l", "les"}
_SEPARATORS = (";", ",", "\t", "|")
SEPARATOR_NAMES = {",": "virgule", ";": "point-virgule", "\t": "tabulation", "|": "barre verticale"}
ENCODING_NAMES = {
    "utf-8": "UTF-8", "utf-8-sig": "UTF-8 avec BOM", "utf-16": "UTF-16 avec BOM (« Texte Unicode » d'Excel)",
    "utf-16-le": "UTF-16 LE sans BOM", "utf-16-be": "UTF-16 BE sans BOM", "cp1252": "Windows-1252",
    "iso8859-15": "ISO-8859-15 (Latin-9)", "mac-roman": "Mac Roman", "xlsx": "classeur Excel",
    "utf-8 (réparé)": "UTF-8 doublement encodé, réparé",
}
#: How many lines from the top may hold a title before the header row.
HEADER_SEARCH_ROWS = 12
#: How many characters from the top are read to find the separator and the header row.
HEAD_CHARS = 400_000
_BOM = "\ufeff".encode("utf-8")


class InputError(Exception):
    """A raw file that cannot be used: the message is French and names file, line, column."""


def strip_accents(text: str) -> str:
    """Remove diacritics (``"Réponse"`` → ``"Reponse"``)."""
    if text.isascii():  # nothing to remove (most codes, dates and numbers): skip the decomposition
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise_header(name: object) -> str:
    """Canonical column name: case, accents, punctuation and French particles removed.

    >>> normalise_header("Date de réponse")
    'date_reponse'
    >>> normalise_header("Tranche d'âge")
    'tranche_age'
    """
    words = re.split(r"[^a-z0-9+]+", strip_accents(str(name)).lower())
    return "_".join(w for w in words if w and w not in _PARTICLES)


def normalise_value(value: str) -> str:
    """Key used to compare labels: accents, case, spaces, ``_`` and ``'`` variants ignored."""
    text = strip_accents(str(value)).lower().replace("’", "'")
    return re.sub(r"[\s_]+", " ", text).strip()


def column_letter(position: int) -> str:
    """Spreadsheet letter of a 0-based column position (0 → ``A``, 27 → ``AB``)."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sha256_file(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class RawTable:
    """A raw file read as cells.

    Attributes
    ----------
    frame : DataFrame
        One row per data record (blank rows dropped), cells as typed; columns are the header texts
        (a repeated header gets a ``" (2)"`` suffix: :attr:`headers` keeps the original texts).
    lines : Series
        Each row's line as a spreadsheet shows it (the header's own line is :attr:`header_line`).
    headers : tuple of str
        Header texts in file order, as written.
    notes : tuple of str
        French sentences stating the guesses made while reading (encoding, separator, sheet …).
    bad_rows : DataFrame
        Records that could not be aligned on the headers: ``ligne``, ``valeur``, ``attendu``.
    percent_columns : frozenset of int
        Positions of XLSX columns whose cells carry Excel's percent format (0.8 shown as 80 %).
    hidden_columns : frozenset of int
        Positions of XLSX columns hidden in the workbook.
    """

    path: Path
    frame: pd.DataFrame
    lines: pd.Series
    encoding: str
    separator: str | None
    headers: tuple[str, ...] = ()
    header_line: int = 1
    sheet: str | None = None
    notes: tuple[str, ...] = ()
    bad_rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["ligne", "valeur", "attendu"]))
    percent_columns: frozenset[int] = frozenset()
    hidden_columns: frozenset[int] = frozenset()

    @property
    def name(self) -> str:
        return self.path.name


def find_raw_file(raw_dir: Path | str, stem: str) -> Path | None:
    """The file of ``raw_dir`` holding dataset ``stem`` (CSV preferred to XLSX if both exist).

    Ingestion refuses a dataset given by two files (:func:`ducos_lib.ingest.inventory`); this
    helper only serves readers of an already validated folder.
    """
    raw_dir = Path(raw_dir)
    for suffix in RAW_SUFFIXES:
        for candidate in (raw_dir / f"{stem}{suffix}", raw_dir / f"{stem}{suffix.upper()}"):
            if candidate.is_file():
                return candidate
    return None


# ------------------------------------------------------------------------------------------------
# Encodings
# ------------------------------------------------------------------------------------------------

_FRENCH_LOWER = set("àâäçéèêëîïôöùûüÿœæ")
_FRENCH_UPPER = set("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ")
_TYPOGRAPHY = set("’‘“”«»€°…–—\u00a0\u202f·²")
_SINGLE_BYTE = ("cp1252", "iso8859-15", "mac-roman")


def _score_char(prev: str, char: str, nxt: str) -> int:
    """Plausibility of one non-ASCII character of French text given its neighbours."""
    if char in _FRENCH_LOWER:
        return 2 if prev.isalpha() or nxt.isalpha() else 1
    if char in _FRENCH_UPPER:
        return -4 if prev.islower() else 1
    if char in _TYPOGRAPHY:
        return 1
    if "\u0080" <= char <= "\u009f":
        return -10
    return -3


def _guess_single_byte(data: bytes) -> str:
    """The single-byte encoding whose reading of the non-ASCII bytes looks most like French.

    Every distinct (previous byte, byte, next byte) triple is decoded once per candidate and
    scored (:func:`_score_char`), weighted by its count: ``œ`` and ``€`` tell Latin-9 from
    Windows-1252, an uppercase accent inside a lowercase word (``rÈponse``) tells a Mac Roman
    file read as Windows-1252 and the reverse. Ties go to Windows-1252, then Latin-9.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    pos = np.flatnonzero(arr >= 0x80)
    # neighbours only matter by class (lowercase, uppercase, other) unless they are non-ASCII too
    classes = np.full(256, 32, dtype=np.int64)
    classes[97:123], classes[65:91], classes[128:] = 97, 65, np.arange(128, 256)
    prev = np.where(pos > 0, classes[arr[np.maximum(pos - 1, 0)]], 32)
    nxt = np.where(pos + 1 < len(arr), classes[arr[np.minimum(pos + 1, len(arr) - 1)]], 32)
    triples = prev << 16 | classes[arr[pos]] << 8 | nxt
    uniques, counts = np.unique(triples, return_counts=True)
    best, best_score = "cp1252", None
    for codec in _SINGLE_BYTE:
        score = 0
        try:
            for value, count in zip(uniques.tolist(), counts.tolist()):
                text = bytes([value >> 16, (value >> 8) & 255, value & 255]).decode(codec)
                score += count * _score_char(*text)
        except UnicodeDecodeError:
            continue
        if best_score is None or score > best_score:
            best, best_score = codec, score
    return best


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a raw CSV, guessing its encoding.

    Returns
    -------
    text : str
        The text, BOM removed.
    encoding : str
        A key of :data:`ENCODING_NAMES`.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    head = data[:4000]
    if head.count(0) > len(head) // 4:  # UTF-16 without BOM: one zero byte per ASCII character
        even, odd = head[0::2].count(0), head[1::2].count(0)
        codec = "utf-16-le" if odd > even else "utf-16-be"
        return data.decode(codec, errors="replace"), codec
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        codec = _guess_single_byte(data)
        return data.decode(codec, errors="replace"), codec
    if re.search("[ÃÂ][\u0080-\u00bf]", text):  # UTF-8 bytes once read as Windows-1252 and saved again
        try:
            return text.encode("cp1252").decode("utf-8"), "utf-8 (réparé)"
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return text, "utf-8"


# ------------------------------------------------------------------------------------------------
# CSV
# ------------------------------------------------------------------------------------------------

def _head_records(text: str, sep: str, n: int = HEADER_SEARCH_ROWS) -> list[tuple[int, int, list[str]]]:
    """The first ``n`` non-blank records as (spreadsheet row, last physical line, cells).

    A spreadsheet shows one row per record: a blank line is a row, a quoted line break is not.
    """
    reader = csv.reader(io.StringIO(text[:HEAD_CHARS]), delimiter=sep)
    out, row_number = [], 0
    try:
        for row in reader:
            row_number += 1
            if any(cell.strip() for cell in row):
                out.append((row_number, reader.line_num, row))
                if len(out) >= n:
                    break
    except csv.Error:
        pass
    return out


def _header_score(cells: list, expected: Collection[str] | None) -> int:
    if not expected:
        return 0
    return sum(1 for c in cells if isinstance(c, str) and normalise_header(c) in expected)


def _pick_header(rows: list[list], expected: Collection[str] | None) -> tuple[int, int]:
    """Index of the header among the first rows and its number of recognised names.

    The header is the row naming the most expected columns (a title or a merged group row above it
    is skipped); without expectations, the first row whose number of filled cells is the usual one.
    """
    if not rows:
        return 0, 0
    scores = [_header_score(r, expected) for r in rows]
    if max(scores) > 0:
        best = scores.index(max(scores))
        return best, scores[best]
    filled = [sum(1 for c in r if str(c).strip()) for r in rows]
    usual = Counter(filled).most_common(1)[0][0]
    return next(i for i, f in enumerate(filled) if f >= usual), 0


def _choose_separator(text: str, expected: Collection[str] | None) -> str:
    """The separator under which the headers are recognised best, then the most regular one."""
    best, best_key = ";", None
    for sep in _SEPARATORS:
        records = _head_records(text, sep)
        if not records:
            continue
        rows = [r for _, _, r in records]
        index, score = _pick_header(rows, expected)
        counts = Counter(len(r) for r in rows[index:])
        width, regular = counts.most_common(1)[0]
        key = (score, width > 1, regular, width)
        if best_key is None or key > best_key:
            best, best_key = sep, key
    return best


def _unique_headers(headers: list[str]) -> list[str]:
    seen: Counter[str] = Counter()
    out = []
    for h in headers:
        seen[h] += 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def read_raw_table(path: Path | str, expected: Collection[str] | None = None,
                   percent_candidates: Collection[str] = ()) -> RawTable:
    """Read a raw CSV or XLSX file into a DataFrame of untouched cells.

    Parameters
    ----------
    path : path
        The file.
    expected : collection of str, optional
        Normalised header spellings of the dataset (:func:`normalise_header`): they choose the
        separator, the header row (a title above it is skipped) and the workbook sheet.
    percent_candidates : collection of str
        Normalised headers of XLSX columns whose cell format says whether 0.8 means 80 %
        (looked up only for these columns: reading formats is slow).

    Raises
    ------
    InputError
        When the file cannot be opened, decoded or parsed (French message naming the file).
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
        if magic.startswith(b"PK\x03\x04"):
            table = _read_xlsx(path, expected, percent_candidates)
            if path.suffix.lower() != ".xlsx":
                note = f"le fichier {path.name} est en réalité un classeur Excel : il est lu comme tel."
                table = _with_notes(table, (note,))
            return table
        if path.suffix.lower() == ".xlsx" and not magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise InputError(f"{path.name} : le classeur Excel ne peut pas être lu (ce n'est pas un fichier .xlsx "
                             "valide : enregistrez-le à nouveau depuis Excel ou LibreOffice).")
        if magic.startswith(b"\xd0\xcf\x11\xe0"):
            raise InputError(f"{path.name} : classeur Excel 97-2003 (.xls) ou document Office ancien, "
                             "non pris en charge : enregistrez-le au format .xlsx ou CSV.")
        data = path.read_bytes()
    except InputError:
        raise
    except PermissionError as exc:
        raise InputError(f"{path.name} : lecture refusée (droits insuffisants sur le fichier).") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path.name} : c'est un dossier, pas un fichier.") from exc
    except OSError as exc:
        raise InputError(f"{path.name} : fichier illisible ({exc.strerror or exc}).") from exc
    return _read_csv(path, data, expected)


def _with_notes(table: RawTable, notes: tuple[str, ...]) -> RawTable:
    from dataclasses import replace

    return replace(table, notes=notes + table.notes)


def _unix_newlines(raw: bytes) -> bytes:
    """``\\r\\n`` and a lone ``\\r`` (old Mac files) become ``\\n``."""
    arr = np.frombuffer(raw, dtype=np.uint8)
    cr = np.flatnonzero(arr == 13)
    if len(cr) and cr[-1] + 1 < len(arr) and (arr[cr + 1] == 10).all():
        return raw.translate(None, b"\r")  # Windows line ends only: much faster than replace
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _read_csv(path: Path, data: bytes, expected: Collection[str] | None) -> RawTable:
    if b"\x00" in data[:4000] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) \
            and data[:4000].count(0) <= len(data[:4000]) // 4:
        raise InputError(f"{path.name} : fichier binaire, pas un fichier texte CSV "
                         "(un PDF, une image ou un classeur renommé ?).")
    text, encoding = decode_bytes(data)
    if not text or text.isspace():
        raise InputError(f"{path.name} : fichier vide.")
    # The body goes to pyarrow as UTF-8 bytes: line ends and offsets are handled on bytes, and
    # only the head is kept as text (header, separator, ``sep=`` hint).
    raw = data if encoding == "utf-8" else text.encode("utf-8")
    del text
    notes = []
    if b"\r" in raw:
        if b"\r\n" not in raw:
            notes.append("fins de ligne « CR » seul (ancien format Mac) reconnues.")
        raw = _unix_newlines(raw)
    while raw.startswith(_BOM):
        raw = raw[len(_BOM):]
    head = raw[:4 * HEAD_CHARS + 16].decode("utf-8", errors="ignore")  # a character takes at most 4 bytes
    skip_lines = 0
    hint = re.match(r"sep=(.)\n", head)
    if hint:
        sep = hint.group(1)
        raw = b"\n" + raw[len(hint.group().encode("utf-8")):]  # keep the line count: the hint stays line 1
        head = "\n" + head[hint.end():]
        skip_lines = 1
        notes.append(f"première ligne « sep={sep} » (indication pour Excel) ignorée.")
    head = head[:HEAD_CHARS]
    if not hint:
        sep = _choose_separator(head, expected)
    records = _head_records(head, sep)
    if not records:
        raise InputError(f"{path.name} : fichier vide.")
    index, _ = _pick_header([r for _, _, r in records], expected)
    first_line, header_end, header = records[index]  # header row as a spreadsheet shows it, last text line
    if first_line > 1 + skip_lines:
        notes.append(f"ligne{'s' if first_line > 2 else ''} 1"
                     + (f" à {first_line - 1}" if first_line > 2 else "")
                     + f" au-dessus des en-têtes ignorée{'s' if first_line > 2 else ''} (titre) : "
                     f"les en-têtes sont lus ligne {first_line}.")
    offset = 0
    for _ in range(header_end):
        offset = raw.find(b"\n", offset) + 1
        if offset == 0:
            offset = len(raw)
            break
    body = raw[offset:]
    ncols = len(header)
    empty = not body or body.isspace()  # a body of other blanks gives no row either (:func:`_parse_body_python`)
    table = None if empty else _parse_body_fast(body, sep, ncols, first_line)
    if table is None:
        frame, lines, bad = _parse_body_python(body.decode("utf-8"), sep, ncols, first_line, notes) if not empty else (
            pd.DataFrame({i: pd.Series([], dtype="str") for i in range(ncols)}), pd.Series([], dtype="int64"),
            None)
    else:
        (frame, lines), bad = table, None
    headers = [h.strip() for h in header]
    frame.columns = _unique_headers(headers)
    label = ENCODING_NAMES.get(encoding, encoding)
    notes.insert(0, f"encodage détecté : {label} ; séparateur : {SEPARATOR_NAMES.get(sep, sep)}.")
    return RawTable(
        path, frame, lines, encoding, sep, headers=tuple(headers), header_line=first_line, notes=tuple(notes),
        bad_rows=bad if bad is not None else RawTable.__dataclass_fields__["bad_rows"].default_factory(),
    )


def _filled(values: pd.Series) -> bool:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return any(v is not None and str(v).strip() != "" for v in uniques)


def _plain_quoting(arr: np.ndarray, quotes: np.ndarray, sep: str) -> bool:
    """Whether every quote opens a field, closes one or doubles another (``"a""b"``).

    Then a record ends at each line break outside an even count of quotes, as Python's ``csv``
    and pyarrow both read it. A quote inside an unquoted cell (``12" écran``), a space around a
    quoted cell or a quote left open needs the careful reader.
    """
    if len(quotes) % 2:
        return False
    bounds = np.zeros(256, dtype=bool)
    bounds[[ord(sep), 10]] = True
    before = bounds[arr[np.maximum(quotes - 1, 0)]] | (quotes == 0)
    after = bounds[arr[np.minimum(quotes + 1, len(arr) - 1)]] | (quotes + 1 == len(arr))
    opening, closing = quotes[0::2], quotes[1::2]
    doubled = closing[:-1] + 1 == opening[1:]  # ``""`` inside a quoted cell: closes and opens again
    return bool((before[0::2] | np.r_[False, doubled]).all() and (after[1::2] | np.r_[doubled, False]).all())


def _parse_body_fast(raw: bytes, sep: str, ncols: int, line_offset: int) -> tuple[pd.DataFrame, pd.Series] | None:
    """Columnar parse of a well-formed body: (stripped cells, spreadsheet rows), rows of empty cells dropped.

    ``None`` when its structure needs the careful reader (:func:`_parse_body_python`): a record of
    another width (pyarrow refuses it) or a quote that is not plain CSV quoting (:func:`_plain_quoting`).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    arr = np.frombuffer(raw, dtype=np.uint8)
    quotes = np.flatnonzero(arr == 34) if b'"' in raw else np.zeros(0, dtype=np.int64)
    if len(quotes) and not _plain_quoting(arr, quotes, sep):
        return None
    names = [f"c{i}" for i in range(ncols)]
    try:
        table = pcsv.read_csv(
            io.BytesIO(raw),
            read_options=pcsv.ReadOptions(column_names=names),
            parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=bool(len(quotes))),
            # large strings: the storage of pandas' string columns, so no conversion afterwards
            convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string()),
                                                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid:
        return None
    # Spreadsheet rows: one per record, empty lines included (pyarrow skips them). Records end at
    # the line breaks outside quotes; without an empty line they are simply numbered in order.
    if len(quotes) or raw.startswith(b"\n") or b"\n\n" in raw:
        newlines = np.flatnonzero(arr == 10)
        ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0] if len(quotes) else newlines
        starts = np.concatenate([[0], ends + 1])
        records = np.flatnonzero(np.concatenate([ends, [len(arr)]]) > starts)
    else:
        records = np.arange(raw.count(b"\n") + (not raw.endswith(b"\n")))
    if table.num_rows != len(records):
        return None
    columns, filled = [], np.zeros(table.num_rows, dtype=bool)
    for column in table.columns:
        trimmed = pc.utf8_trim_whitespace(column)
        lengths = pc.binary_length(trimmed)
        # Trimming only shortens: the same total length means nothing was trimmed, and keeping the
        # column read lets the memory of the trimmed copy be reused (most columns have no blanks).
        columns.append(trimmed if pc.sum(lengths).as_py() != pc.sum(pc.binary_length(column)).as_py() else column)
        filled |= lengths.to_numpy(zero_copy_only=False) > 0
    table = pa.table(columns, names=names)
    lines = line_offset + 1 + records
    if not filled.all():  # rows of empty cells (``;;;``) are blank rows
        table, lines = table.filter(pa.array(filled)), lines[filled]
    frame = table.to_pandas()
    frame.columns = range(ncols)
    return frame, pd.Series(lines, dtype="int64")


def _parse_body_python(body: str, sep: str, ncols: int, line_offset: int, notes: list[str]):
    """Record-by-record parse that keeps every oddity with its line (rows of the wrong width)."""
    reader = csv.reader(io.StringIO(body), delimiter=sep)
    rows, lines, bad = [], [], []
    first, padded, trimmed = 0, 0, 0
    try:
        for row in reader:
            first += 1  # spreadsheet rows: one per record, blank lines included
            if not row:
                continue
            if len(row) > ncols:
                if all(not c.strip() for c in row[ncols:]):
                    row, trimmed = row[:ncols], trimmed + 1
                else:
                    bad.append({"ligne": line_offset + first, "valeur": f"{len(row)} valeurs",
                                "attendu": f"{ncols} valeurs séparées par « {sep} » comme la ligne d'en-têtes "
                                           f"(un « {sep} » de trop dans une valeur ?)"})
                    continue
            elif len(row) < ncols:
                if any(c.strip() for c in row):
                    padded += 1
                row = row + [""] * (ncols - len(row))
            cells = [c.strip() for c in row]
            if any(cells):  # a row of empty cells is a blank row
                rows.append(cells)
                lines.append(line_offset + first)
    except csv.Error as exc:
        raise InputError(f"ligne {line_offset + first + 1} : structure CSV illisible ({exc}).") from exc
    if trimmed:
        notes.append(f"{trimmed} ligne(s) terminée(s) par des séparateurs en trop (cellules vides) : lues normalement.")
    if padded:
        notes.append(f"{padded} ligne(s) plus courte(s) que la ligne d'en-têtes : cellules manquantes lues comme vides.")
    frame = pd.DataFrame(rows, columns=range(ncols), dtype="str") if rows else pd.DataFrame(
        {i: pd.Series([], dtype="str") for i in range(ncols)})
    return frame, pd.Series(lines, dtype="int64"), pd.DataFrame(bad, columns=["ligne", "valeur", "attendu"])


# ------------------------------------------------------------------------------------------------
# XLSX
# ------------------------------------------------------------------------------------------------

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → path of its XML part inside the workbook archive."""
    with zipfile.ZipFile(path) as zf:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for sheet in book.iter(f"{{{_NS['m']}}}sheet"):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def _cell_position(ref: str) -> tuple[int, int]:
    letters = re.match(r"[A-Z]+", ref).group()
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return int(ref[len(letters):]), column - 1


def _sheet_details(path: Path, sheet: str) -> tuple[frozenset[int], dict[tuple[int, int], str]]:
    """Hidden column positions and error cells (``#N/A`` …, which calamine reads as empty)."""
    try:
        part = _sheet_parts(path)[sheet]
        with zipfile.ZipFile(path) as zf:
            xml = zf.read(part)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return frozenset(), {}
    hidden = set()
    head = xml[: xml.find(b"<sheetData")].decode("utf-8", errors="replace")  # <cols> comes before the data
    cols = re.search(r"<cols>(.*?)</cols>", head, re.S)
    for col in re.finditer(r"<col\b[^>]*>", cols.group(1) if cols else ""):
        tag = col.group()
        if re.search(r'\bhidden="(1|true)"', tag):
            lo = int(re.search(r'\bmin="(\d+)"', tag).group(1))
            hi = int(re.search(r'\bmax="(\d+)"', tag).group(1))
            hidden.update(range(lo - 1, min(hi, lo + 200)))
    errors = {}
    if b't="e"' in xml:
        xml = xml.decode("utf-8", errors="replace")
        for cell in re.finditer(r'<c\b([^>]*\bt="e"[^>]*)>(.*?)</c>', xml, re.S):
            ref = re.search(r'\br="([A-Z]+\d+)"', cell.group(1))
            value = re.search(r"<v>([^<]*)</v>", cell.group(2))
            if ref and value:
                errors[_cell_position(ref.group(1))] = value.group(1)
    return frozenset(hidden), errors


def _percent_columns(path: Path, sheet: str, header_row: int, ncols: int, rows: int = 200) -> frozenset[int]:
    """Columns whose numeric cells (first ``rows`` data rows) mostly carry a percent format."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet]
        percent, numeric = Counter(), Counter()
        for row in ws.iter_rows(min_row=header_row + 1, max_row=header_row + rows, max_col=ncols):
            for i, cell in enumerate(row):
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    numeric[i] += 1
                    percent[i] += "%" in str(getattr(cell, "number_format", "") or "")
    finally:
        wb.close()
    return frozenset(i for i in numeric if percent[i] > numeric[i] / 2)


def _blank_rows(grid: np.ndarray) -> np.ndarray:
    """Rows of a workbook whose cells are all empty (``None``, ``""`` or blanks).

    Column by column, only on the rows still blank: the first column usually settles almost every row.
    """
    rows = np.arange(len(grid))
    for column in grid.T:
        if not len(rows):
            break
        cells = column[rows]
        rows = rows[np.fromiter((v is None or (isinstance(v, str) and not v.strip()) for v in cells), bool, len(cells))]
    blank = np.zeros(len(grid), dtype=bool)
    blank[rows] = True
    return blank


def _read_xlsx(path: Path, expected: Collection[str] | None, percent_candidates: Collection[str] = ()) -> RawTable:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = [(i, m) for i, m in enumerate(wb.sheets_metadata) if m.typ == SheetTypeEnum.WorkSheet]
        loaded = {i: wb.get_sheet_by_index(i) for i, _ in sheets}
        heads = {i: loaded[i].to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS) for i, _ in sheets}
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes a French input error
        raise InputError(f"{path.name} : le classeur Excel ne peut pas être lu ({type(exc).__name__} : {exc}).") from exc
    if not sheets:
        raise InputError(f"{path.name} : le classeur ne contient aucune feuille de données.")
    scored = {i: _pick_header(heads[i], expected) for i, _ in sheets}
    best = max(s for _, s in scored.values())
    notes = []
    if best > 0:
        matching = [i for i, _ in sheets if scored[i][1] == best]
        if len(matching) > 1:
            names = " et ".join(f"« {m.name} »" for i, m in sheets if i in matching)
            raise InputError(f"{path.name} : plusieurs feuilles ont les colonnes attendues ({names}) : gardez-en "
                             "une seule dans le classeur, ou un fichier par jeu de données.")
        chosen = matching[0]
    else:
        chosen = sheets[0][0]
    meta = dict(sheets)[chosen]
    if chosen != sheets[0][0]:
        notes.append(f"feuille « {meta.name} » lue (la première feuille, « {sheets[0][1].name} », "
                     "n'a pas les colonnes attendues).")
    if meta.visible != SheetVisibleEnum.Visible:
        notes.append(f"la feuille « {meta.name} » est masquée dans le classeur : elle est lue quand même.")
    try:
        rows = loaded[chosen].to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{path.name} : la feuille « {meta.name} » ne peut pas être lue ({exc}).") from exc
    index = scored[chosen][0]
    if not rows or index >= len(rows):
        raise InputError(f"{path.name} : la feuille « {meta.name} » est vide.")
    header_line = index + 1
    if header_line > 1:
        notes.append(f"ligne{'s' if header_line > 2 else ''} 1" + (f" à {header_line - 1}" if header_line > 2 else "")
                     + f" au-dessus des en-têtes ignorée{'s' if header_line > 2 else ''} (titre ou en-têtes "
                     f"fusionnés) : les en-têtes sont lus ligne {header_line}.")
    width = max(len(r) for r in rows)
    header = [str(c).strip() if c is not None else "" for c in rows[index]] + [""] * (width - len(rows[index]))
    body = rows[index + 1:]
    if any(len(r) != width for r in body):
        body = [list(r) + [""] * (width - len(r)) for r in body]
    hidden, errors = _sheet_details(path, meta.name)
    for (line, column), value in errors.items():
        if line > header_line and line - header_line - 1 < len(body):
            row = body[line - header_line - 1]
            if column < len(row):
                row[column] = value
    grid = np.array(body, dtype=object) if body else np.empty((0, width), dtype=object)  # cells as calamine gives them
    while header and not header[-1] and not _filled(pd.Series(grid[:, len(header) - 1], dtype=object)):
        header.pop()  # unnamed empty columns at the right: the sheet's used range, not data
    ncols = len(header)
    frame = pd.DataFrame(grid[:, :ncols], dtype=object)  # dtype: pandas would make string columns Arrow strings
    lines = pd.Series(np.arange(header_line + 1, header_line + 1 + len(frame)), dtype="int64")
    blank = _blank_rows(grid[:, :ncols])
    frame.columns = _unique_headers(header)
    if blank.any():
        frame, lines = frame.loc[~blank].reset_index(drop=True), lines.loc[~blank].reset_index(drop=True)
    shown_hidden = sorted(c for c in hidden if c < ncols and header[c])
    if shown_hidden:
        names = ", ".join(f"« {header[c]} » ({column_letter(c)})" for c in shown_hidden)
        notes.append(f"colonne{'s' if len(shown_hidden) > 1 else ''} masquée{'s' if len(shown_hidden) > 1 else ''} "
                     f"dans le classeur, lue{'s' if len(shown_hidden) > 1 else ''} comme les autres : {names}.")
    wanted = [i for i, h in enumerate(header) if normalise_header(h) in set(percent_candidates)]
    pct = _percent_columns(path, meta.name, header_line, ncols) & set(wanted) if wanted and len(frame) else frozenset()
    notes.insert(0, f"classeur Excel, feuille « {meta.name} ».")
    return RawTable(
        path, frame, lines, "xlsx", None,
        headers=tuple(header), header_line=header_line, sheet=meta.name, notes=tuple(notes),
        percent_columns=pct, hidden_columns=frozenset(shown_hidden),
    )


# ------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path | str, writer) -> None:
    """Call ``writer(tmp_path)`` then move the file into place, so readers never see half a file.

    The file gets the permissions of any file the user creates (``0666`` less the umask), not the
    ``0600`` of a temporary file: published reports are readable by the group like the rest.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        writer(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(frame: pd.DataFrame, path: Path | str) -> None:
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_csv(frame: pd.DataFrame, path: Path | str) -> None:
    """Publish a table as §4 wants it: UTF-8, comma-separated, point decimal.

    Floats keep 10 significant digits, so binary noise (``250.70000000000002``) is not published.
    """
    atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n",
                                                float_format="%.10g"))


def write_text(text: str, path: Path | str) -> None:
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
