"""Readers of raw files: the CSV reader's two paths (columnar pyarrow, careful ``csv``) give the same cells and
spreadsheet lines; blank rows of a workbook are dropped with the lines of the other rows kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from ducos_lib import io as dio
from ducos_lib.io import read_raw_table

#: A body with every kind of blank row between records (line = spreadsheet row, header on row 1).
MESSY = [
    ("a;b;c", None),
    ("1;x;y", ["1", "x", "y"]),                    # row 2
    ("", None),                                    # row 3: empty line
    (";;", None),                                  # row 4: empty cells
    ("\u00a0; ;\t", None),                         # row 5: blanks only, a no-break space among them
    ('2;"multi\n\nligne";z', ["2", "multi\n\nligne", "z"]),  # row 6: one row over three text lines
    ('3;"il a dit ""oui""";w', ["3", 'il a dit "oui"', "w"]),  # row 7
    (';;""""', ["", "", '"']),                     # row 8: a cell holding a quote is not blank
    ("  4 ;u;v", ["4", "u", "v"]),                 # row 9
]


@pytest.fixture(params=["fast", "careful"])
def reader(request, monkeypatch) -> str:
    """Force one path: the careful reader by refusing the fast one, the fast one by forbidding the other."""
    if request.param == "careful":
        monkeypatch.setattr(dio, "_parse_body_fast", lambda *args: None)
    else:
        def forbidden(*args):
            raise AssertionError("the careful reader was used")
        monkeypatch.setattr(dio, "_parse_body_python", forbidden)
    return request.param


def write(tmp_path: Path, lines: list[str], eol: str = "\n", encoding: str = "utf-8") -> Path:
    path = tmp_path / "t.csv"
    path.write_bytes(("\n".join(lines) + "\n").replace("\n", eol).encode(encoding))
    return path


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_blank_rows_keep_the_lines_of_the_rows_after_them(tmp_path, reader, eol):
    table = read_raw_table(write(tmp_path, [text for text, _ in MESSY], eol))
    kept = [(line, cells) for line, (_, cells) in enumerate(MESSY, start=1) if cells]
    assert table.lines.tolist() == [line for line, _ in kept] == [2, 6, 7, 8, 9]
    assert table.frame.to_numpy().tolist() == [cells for _, cells in kept]
    assert table.separator == ";" and len(table.bad_rows) == 0


def test_title_hint_and_leading_blank_lines(tmp_path, reader):
    lines = ["sep=;", "Enquête 2025;;", "a;b;c", "", "1;x;y", ";;", "2;u;v"]
    table = read_raw_table(write(tmp_path, lines, "\r\n", "cp1252"), expected={"a", "b", "c"})
    assert table.header_line == 3 and table.lines.tolist() == [5, 7]
    assert table.frame["b"].tolist() == ["x", "u"]


@pytest.mark.parametrize("cell", ['écran 12" trop petit', ' "cité" ', '"ouvert'])
def test_quotes_that_are_not_plain_csv_go_to_the_careful_reader(tmp_path, cell):
    """A quote that does not open or close a cell would shift a count of quotes: pyarrow is not trusted."""
    lines = ["a;b;c", "1;x;y", f"2;{cell};z", "", '3;"a\nb";w']
    body = "\n".join(lines[1:]).encode("utf-8")
    assert dio._parse_body_fast(body, ";", 3, 1) is None
    table = read_raw_table(write(tmp_path, lines))
    assert table.lines.tolist()[:2] == [2, 3]


def test_plain_quoting_is_read_by_pyarrow(tmp_path):
    body = '1;"a;b";""\n\n2;"x\n""y""";"z"'.encode("utf-8")
    frame, lines = dio._parse_body_fast(body, ";", 3, 1)
    assert lines.tolist() == [2, 4]
    assert frame.to_numpy().tolist() == [["1", "a;b", ""], ["2", 'x\n"y"', "z"]]


def test_blank_rows_of_a_workbook_keep_the_lines_of_the_rows_after_them(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [["a", "b", "c"], [1, "x", None], [], ["  ", None, "\u00a0"], [None, None, " y "], [0, "", ""]]:
        ws.append(row)
    ws.cell(4, 2).value = "   "
    wb.save(tmp_path / "t.xlsx")
    table = read_raw_table(tmp_path / "t.xlsx")
    assert table.lines.tolist() == [2, 5, 6]  # rows 3 (empty) and 4 (blanks only) are dropped
    assert table.frame["c"].tolist() == ["", " y ", ""] and table.frame["a"].tolist() == [1, "", 0]
