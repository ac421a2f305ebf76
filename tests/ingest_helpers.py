"""Small raw folders for the ingestion tests (shared by ``test_ingest*.py``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from ducos_lib.ingest import ingest

SURVEY_HEADER = ("ID;Vague;Date de réponse;Sexe;Tranche d'âge;Quartier;Service;Satisfaction globale;Accueil;"
                 "Délai;Recommandation;Commentaire")
RH_HEADER = ("Matricule;Nom;Prénom;Sexe;Date de naissance;Service;Statut;Catégorie;Filière;Date d'entrée;"
             "Date de sortie;Quotité;Catégorie active;Encadrant;BOE;Heures de formation;Date d'extraction")


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8", eol: str = "\r\n") -> Path:
    path.write_bytes((eol.join(lines) + eol).encode(encoding))
    return path


def survey_lines(n_valid: int = 30) -> list[str]:
    lines = [SURVEY_HEADER]
    for i in range(n_valid):
        sexe = "F" if i % 2 else "H"
        lines.append(f"R{i};T0;15/11/2025;{sexe};30-44;Bourg;Etat civil;{i % 5 + 1};Plutôt satisfait;NSP;8;Très bien")
    return lines


def rh_lines(quotites: list[str], n: int | None = None) -> list[str]:
    """An HR extraction of ``len(quotites)`` agents present on 01/11/2025."""
    lines = [RH_HEADER]
    for i, q in enumerate(quotites):
        lines.append(f"M{i:03d};Nom{i};Prénom{i};{'F' if i % 2 else 'H'};12/03/1970;ETC;titulaire;C;administrative;"
                     f"01/01/2000;;{q};non;non;non;0;01/11/2025")
    return lines


def make_raw(folder: Path) -> Path:
    """A small raw folder mixing the formats a town hall sends."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "calendrier.csv", ["jalon,date", "T0,14/11/2025", "T6,2026-05-15", "T12,13/11/2026"])
    write_csv(folder / "services.csv", ["\ufeffCode service;Libellé;Direction;Alias",
                                        'ETC;État civil;DGS;"Etat-civil;Mairie annexe"', "URB;Urbanisme;DST;"])
    write_csv(folder / "population_reference.csv",
              ["variable\tmodalite\teffectif", "sexe\tF\t8 000", "sexe\tH\t7000"])
    lines = survey_lines()
    lines[3] = "R2;T0;15/11/2025;F;30-44;Bourg;ETC;7;4;3;8;"            # line 4: Likert 7
    lines[5] = "R4;T0;bientôt;H;30-44;Bourg;Mairie annexe;4;4;3;8;"      # line 6: unreadable date
    lines[7] = "R6;T0;15/11/2025;H;30-44;Bourg;Piscine;4;4;3;8;"         # line 8: unknown service
    lines.append("R30;T6;2026-05-02;Femme;75+;Génipa;urb;Très satisfait;Sans avis;;10;Parfait")
    write_csv(folder / "enquete_usagers.csv", lines, encoding="cp1252")
    write_csv(folder / "rh_agents.csv", [
        RH_HEADER,
        "M001;Zébulon;Léonie;F;12/03/1964;ETC;titulaire;C;administrative;01/01/2000;;80,0;non;oui;non;10,5;01/11/2025",
        "M002;Marthe;Jules;H;01/09/1961;URB;contractuel permanent;B;technique;01/06/2010;;100;;non;oui;0;01/11/2025",
    ], encoding="cp1252")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id_cadre", "temps", "date", "competence", "note"])
    ws.append(["M001", "avant", dt.datetime(2026, 6, 1), "écoute", 3])
    ws.append(["M001", "après", dt.datetime(2026, 10, 1), "écoute", 4])
    ws.append(["M002", "avant", 46173, "écoute", 2])  # Excel serial date: 2026-05-31
    wb.save(folder / "autoevaluations.xlsx")
    return folder


def run_ingest(raw: Path, tmp_path: Path, key: Path, **kw):
    return ingest(raw, tmp_path / "processed", key_path=key, **kw)


def rejects_of(report, dataset: str):
    rejects = report.rejects()
    return rejects.loc[rejects["dataset"] == dataset].reset_index(drop=True)


def make_key(folder: Path) -> Path:
    """A pseudonymisation key file for one test."""
    path = folder / "cle"
    path.write_text("cle-de-test", encoding="utf-8")
    return path
