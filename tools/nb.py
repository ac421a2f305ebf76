"""Tiny helper to write report notebooks from a list of cells (authoring aid, not used at run time).

Usage in a build script: ``write("notebooks/00_x.ipynb", [md("# Titre"), params("..."), code("...")])``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def md(text: str):
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    return new_code_cell(text.strip("\n"))


def params(text: str):
    cell = new_code_cell(text.strip("\n"))
    cell.metadata["tags"] = ["parameters"]
    return cell


def parameters():
    """The papermill ``parameters`` cell every report notebook starts with (DESIGN §4)."""
    return params('''
milestone = "T12"   # jalon : "T0", "T6" ou "T12"
raw_dir = None      # dossier des données brutes (défaut : config/observatoire.yml)
out_dir = None      # dossier de sortie (défaut : reports/<milestone>)
''')


def write(path: str, cells: list) -> None:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i:02d}"
    nbformat.write(nb, str(Path(__file__).resolve().parents[1] / path))
