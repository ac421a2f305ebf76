"""XLSX collection templates, one per input of DESIGN §3 that people fill by hand (``ducos modeles``).

Each template has a first sheet « Saisie » whose header row holds the §3 column names and whose cells
carry Excel input checks built from ``config/schemas.yml`` (drop-down lists for choices, Likert notes
and yes/no; whole numbers within bounds for notes; dates; text lengths), and a sheet « Consignes »
in French listing each column, whether it is required and what it expects. The immersion form's
``note_<theme>`` columns come from the codebook (``config/codebook.yml``), so a theme validated with
management is one edit there. What comes back from the services passes validation unchanged.

References
----------
openpyxl, *Validating cells* (``openpyxl.worksheet.datavalidation.DataValidation``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .config import CONFIG_DIR
from .validation import EXPECTED, schema_config

#: Inputs with a template: dataset → (file stem of the template, French title).
TEMPLATES = {
    "fiches_immersion": "Fiche d'immersion",
    "autoevaluations": "Grille d'auto-évaluation des encadrants",
    "bilan_seminaire": "Bilan du séminaire",
    "barometre_agents": "Baromètre des agents",
    "enquete_usagers": "Questionnaire aux usagers",
    "rh_agents": "Extraction RH des agents",
}
DATA_SHEET, HELP_SHEET, LIST_SHEET = "Saisie", "Consignes", "Listes"
#: Rows prepared with input checks below the header.
N_ROWS = 2000
TEXT_MAX = 4000
LIKERT_CHOICES = ("1", "2", "3", "4", "5", "NSP")


def template_columns(dataset: str, config_dir: Path | str | None = None) -> dict[str, dict[str, Any]]:
    """The columns of a dataset's template: its schema, with the immersion form's ``note_<theme>``
    columns taken from the codebook's themes (in the codebook's order, before the free texts)."""
    folder = Path(config_dir) if config_dir is not None else CONFIG_DIR
    columns = dict(schema_config(config_dir)["datasets"][dataset]["colonnes"])
    if dataset != "fiches_immersion":
        return columns
    with open(folder / "codebook.yml", encoding="utf-8") as fh:
        themes = list((yaml.safe_load(fh) or {}).get("themes", {}))
    out = {}
    for name, spec in columns.items():
        if name.startswith("note_"):
            continue
        if name == "points_forts":
            out.update({f"note_{t}": {"type": "note", "min": 1, "max": 5} for t in themes})
        out[name] = spec
    return out


def _expected(spec: Mapping[str, Any]) -> str:
    kind = spec["type"]
    if kind == "choix":
        return "l'une des valeurs : " + ", ".join(map(str, spec["valeurs"]))
    if kind == "note":
        return f"un nombre entier de {spec.get('min')} à {spec.get('max')}"
    if kind == "likert":
        return "une note de 1 à 5, ou NSP (ne sait pas)"
    if kind == "identifiant":
        return "l'identifiant (matricule) : il sera remplacé par un code à l'import"
    if kind == "nom":
        return "texte (supprimé à l'import)"
    if kind in ("texte", "texte_libre"):
        return f"texte libre (au plus {TEXT_MAX} caractères)"
    return EXPECTED.get(kind, kind)


def _validation(kind: str, spec: Mapping[str, Any], lists: Mapping[str, str]):
    from openpyxl.worksheet.datavalidation import DataValidation

    common = {"allow_blank": True, "showErrorMessage": True, "errorTitle": "Valeur non valide"}
    if kind in ("choix", "likert", "booleen"):
        values = {"choix": [str(v) for v in spec.get("valeurs", [])], "likert": list(LIKERT_CHOICES),
                  "booleen": ["oui", "non"]}[kind]
        return DataValidation(type="list", formula1='"' + ",".join(values) + '"', error=_expected(spec), **common)
    if kind in lists:
        return DataValidation(type="list", formula1=lists[kind], error=_expected(spec), **common)
    if kind == "note":
        return DataValidation(type="whole", operator="between", formula1=str(spec.get("min", 0)),
                              formula2=str(spec.get("max", 10)), error=_expected(spec), **common)
    if kind == "nombre":
        lo, hi = spec.get("min"), spec.get("max")
        if lo is None and hi is None:
            return DataValidation(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15",
                                  error="un nombre", **common)
        return DataValidation(type="decimal", operator="between", formula1=str(lo if lo is not None else -1e15),
                              formula2=str(hi if hi is not None else 1e15), error=_expected(spec), **common)
    if kind in ("date", "naissance"):
        return DataValidation(type="date", operator="between", formula1="DATE(1900,1,1)",
                              formula2="DATE(2100,12,31)", error="une date JJ/MM/AAAA", **common)
    if kind == "periode":
        return DataValidation(type="textLength", operator="equal", formula1="7", error="un mois AAAA-MM", **common)
    return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(TEXT_MAX),
                          error=_expected(spec), **common)


def write_template(dataset: str, path: Path | str, *, services: pd.DataFrame | None = None,
                   config_dir: Path | str | None = None) -> Path:
    """Write the XLSX template of one input.

    Parameters
    ----------
    dataset : str
        One of :data:`TEMPLATES`.
    path : path
        The ``.xlsx`` file to write.
    services : DataFrame, optional
        ``services.csv`` (code_service, direction): service columns and the barometer's direction get
        drop-down lists of its codes and directions.

    Returns
    -------
    Path
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    if dataset not in TEMPLATES:
        raise ValueError(f"Pas de modèle pour « {dataset} » ; modèles disponibles : {', '.join(TEMPLATES)}.")
    columns = template_columns(dataset, config_dir)
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    lists: dict[str, str] = {}
    if services is not None and len(services):
        sheet = wb.create_sheet(LIST_SHEET)
        codes = sorted(services["code_service"].astype(str))
        directions = sorted(services["direction"].dropna().astype(str).unique())
        for i, code in enumerate(codes, start=1):
            sheet.cell(row=i, column=1, value=code)
        for i, direction in enumerate(directions, start=1):
            sheet.cell(row=i, column=2, value=direction)
        sheet.sheet_state = "hidden"
        lists = {"service": f"{LIST_SHEET}!$A$1:$A${len(codes)}", "direction": f"{LIST_SHEET}!$B$1:$B${len(directions)}"}
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
    for j, (name, spec) in enumerate(columns.items(), start=1):
        cell = ws.cell(row=1, column=j, value=name)
        cell.font, cell.fill = bold, fill
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = max(14, min(40, len(name) + 4))
        kind = "direction" if name == "direction" and "direction" in lists else spec["type"]
        dv = _validation(kind, spec, lists)
        dv.prompt, dv.showInputMessage = _expected(spec)[:255], True
        dv.add(f"{letter}2:{letter}{N_ROWS + 1}")
        ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet(HELP_SHEET, 1)
    help_ws.append([f"{TEMPLATES[dataset]} — modèle de saisie ({dataset})"])
    help_ws["A1"].font = Font(bold=True, size=13)
    help_ws.append(["Saisissez une ligne par réponse dans l'onglet « Saisie », sans changer l'en-tête. Les listes "
                    "déroulantes et les contrôles signalent les valeurs non valides ; déposez ensuite le fichier, "
                    f"sous le nom {dataset}.xlsx, dans le dossier de données brutes du jalon."])
    help_ws.append([])
    help_ws.append(["Colonne", "Obligatoire", "Valeur attendue"])
    for c in help_ws[4]:
        c.font = bold
    for name, spec in columns.items():
        help_ws.append([name, "oui" if spec.get("requis") else "non", _expected(spec)])
    help_ws.column_dimensions["A"].width, help_ws.column_dimensions["C"].width = 26, 90
    help_ws["A2"].alignment = Alignment(wrap_text=False)
    wb.active = 0
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_templates(out_dir: Path | str, *, services: pd.DataFrame | None = None,
                    config_dir: Path | str | None = None) -> list[Path]:
    """Write every template of :data:`TEMPLATES` into ``out_dir`` as ``<dataset>.xlsx``."""
    return [write_template(d, Path(out_dir) / f"{d}.xlsx", services=services, config_dir=config_dir)
            for d in TEMPLATES]


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, (int, float)) else str(value)


def fill_template(template: Path | str, rows: pd.DataFrame, path: Path | str) -> Path:
    """Copy a template with ``rows`` typed into its « Saisie » sheet (columns matched by name; others empty).

    Used to check the round trip (a template filled with valid values validates with no rejected row)
    and to migrate data already held in a table into the collection format.
    """
    from openpyxl import load_workbook

    wb = load_workbook(template)
    ws = wb[DATA_SHEET]
    header = [c.value for c in ws[1]]
    for i, row in enumerate(rows.itertuples(index=False), start=2):
        values = dict(zip(rows.columns, row))
        for j, name in enumerate(header, start=1):
            if name in values:
                cell = ws.cell(row=i, column=j, value=_cell(values[name]))
                if isinstance(cell.value, (datetime, date)):
                    cell.number_format = "DD/MM/YYYY"
    path = Path(path)
    wb.save(path)
    return path


def header(template: Path | str) -> Sequence[str]:
    """The column names of a template's « Saisie » sheet."""
    from openpyxl import load_workbook

    wb = load_workbook(template, read_only=True)
    return [c.value for c in next(wb[DATA_SHEET].iter_rows(max_row=1))]
