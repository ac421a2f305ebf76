"""Reading raw tables as town halls send them, and writing processed files atomically.

Raw CSV may be UTF-8 (with or without BOM) or Windows-1252/Latin-1, separated by ``,``, ``;`` or
tab; XLSX is read with openpyxl. Every cell is kept as typed in the file (strings for CSV, Python
objects for XLSX): parsing and validation happen in :mod:`ducos_lib.validation`, where each failure
can name its line and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

RAW_SUFFIXES = (".csv", ".xlsx", ".txt", ".tsv")
_PARTICLES = {"de", "du", "des", "d", "la", "le", "l", "les"}


class InputError(Exception):
    """A raw file that cannot be used: the message is French and names file, line, column."""


def strip_accents(text: str) -> str:
    """Remove diacritics (``"Réponse"`` → ``"Reponse"``)."""
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


def sha256_file(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class RawTable:
    """A raw file read as text cells; ``lines`` gives each row's line as a spreadsheet shows it."""

    path: Path
    frame: pd.DataFrame
    lines: pd.Series
    encoding: str
    separator: str | None

    @property
    def name(self) -> str:
        return self.path.name


def find_raw_file(raw_dir: Path | str, stem: str) -> Path | None:
    """The file of ``raw_dir`` whose stem is ``stem`` (CSV preferred to XLSX if both exist)."""
    raw_dir = Path(raw_dir)
    for suffix in RAW_SUFFIXES:
        for candidate in (raw_dir / f"{stem}{suffix}", raw_dir / f"{stem}{suffix.upper()}"):
            if candidate.is_file():
                return candidate
    return None


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _sniff_separator(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        header = text.splitlines()[0] if text else ""
        return max(",;\t", key=header.count)


def read_raw_table(path: Path | str) -> RawTable:
    """Read a raw CSV or XLSX file into a DataFrame of untouched cells.

    Raises
    ------
    InputError
        When the file cannot be opened, decoded or parsed (French message naming the file).
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".xlsx":
            return _read_xlsx(path)
        data = path.read_bytes()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes a French input error
        raise InputError(f"{path.name} : fichier illisible ({type(exc).__name__} : {exc}).") from exc
    text, encoding = _decode(data, path)
    if not text.strip():
        raise InputError(f"{path.name} : fichier vide.")
    sep = _sniff_separator(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_filter=False,
            skip_blank_lines=False, engine="python", index_col=False,
        )
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{path.name} : le fichier CSV ne peut pas être lu ({exc}).") from exc
    lines = pd.Series(range(2, len(frame) + 2), index=frame.index)
    blank = frame.apply(lambda col: col.str.strip() == "").all(axis=1)
    return RawTable(path, frame.loc[~blank], lines.loc[~blank], encoding, sep)


def _read_xlsx(path: Path) -> RawTable:
    try:
        frame = pd.read_excel(path, dtype=object, engine="openpyxl", keep_default_na=False)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"{path.name} : le classeur Excel ne peut pas être lu ({exc}).") from exc
    frame = frame.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
    lines = pd.Series(range(2, len(frame) + 2), index=frame.index)
    blank = frame.apply(lambda col: col.map(lambda v: str(v).strip() == "")).all(axis=1)
    return RawTable(path, frame.loc[~blank], lines.loc[~blank], "xlsx", None)


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
