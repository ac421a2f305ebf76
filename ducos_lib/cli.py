"""Command line: ``ducos sample-data | modeles | validate | run | due | codage``.

Exit codes: 0 success, 1 a report failed, 2 an input error (a file that cannot be read, a missing
required column, a missing milestone date). Messages are French; no traceback unless ``--debug``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .config import path_setting
from .io import InputError

log = logging.getLogger("ducos")


def _cmd_sample_data(args: argparse.Namespace) -> int:
    from .synthetic import DEFAULT_SEED, write_sample

    written = write_sample(args.out, scale=args.scale, seed=args.seed if args.seed is not None else DEFAULT_SEED,
                           cycle=args.cycle)
    print(f"Données synthétiques écrites dans {args.out} ({len(written)} fichiers, échelle {args.scale}).")
    return 0


def _cmd_modeles(args: argparse.Namespace) -> int:
    from .io import find_raw_file, read_raw_table
    from .templates import write_templates

    services = None
    path = find_raw_file(args.raw_dir, "services") if args.raw_dir and Path(args.raw_dir).is_dir() else None
    if path is not None:
        services = read_raw_table(path).frame
    written = write_templates(args.out, services=services)
    print(f"{len(written)} modèles de saisie écrits dans {args.out} : {', '.join(p.name for p in written)}"
          + (f" (listes de services et de directions tirées de {path})." if path else "."))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from .ingest import ingest
    from .reports.formats import number

    report = ingest(args.raw_dir, args.processed_dir, force=args.force)
    print(f"Validation de {args.raw_dir} → {report.processed_dir}"
          + (" (inchangé depuis la dernière ingestion)" if report.reused else ""))
    rejects = report.rejects()
    for d in report.datasets.values():
        if d.statut == "absent":
            print(f"  {d.dataset:22s} absent (facultatif)")
            continue
        if d.statut == "erreur" and not d.n_lignes:
            print(f"  {d.dataset:22s} ERREUR : {d.message}")
            continue
        print(f"  {d.dataset:22s} {d.fichier} : {number(d.n_lignes)} lignes, {number(d.n_acceptees)} acceptées, "
              f"{number(d.n_rejetees)} en quarantaine ({d.encodage}"
              + (f", séparateur {d.separateur}" if d.separateur else "") + ")")
        if d.statut == "erreur":
            print(f"    ERREUR : {d.message}")
        for note in d.notes[1:] if d.encodage else d.notes:  # the first note repeats the format shown above
            print(f"    note : {note}")
        messages = rejects.loc[rejects["dataset"] == d.dataset, "message"].tolist()
        for message in messages[: args.max_messages]:
            print(f"    - {message}")
        if len(messages) > args.max_messages:
            print(f"    … et {len(messages) - args.max_messages} autres (voir {report.processed_dir}/quarantaine/).")
    for ignored in report.ignored_files:
        print(f"  fichier ignoré : {ignored['fichier']} ({ignored['raison']})")
    if report.ok:
        print("Toutes les données ont pu être lues.")
        return 0
    print("Des fichiers n'ont pas pu être chargés : corrigez-les puis relancez `ducos validate`.", file=sys.stderr)
    return 2


def _cmd_run(args: argparse.Namespace) -> int:
    from .runner import RunInterrupted
    from .schedule import run_all, run_due, run_locked

    options = {"jobs": args.jobs, "timeout": args.timeout, "force": args.force, "diffusion": args.diffusion,
               "pdf": False if args.sans_pdf else None}
    try:
        if args.milestone == "due":
            return run_due(args.raw_dir, args.out, **options)
        if args.milestone == "tous":
            return run_all(args.raw_dir, args.out, only=args.only, **options)
        return run_locked(args.milestone, args.raw_dir, args.out, only=args.only, **options)
    except RunInterrupted as exc:
        return exc.exit_code


def _cmd_due(args: argparse.Namespace) -> int:
    from .reports.formats import date
    from .schedule import due_milestones

    due = due_milestones(args.raw_dir, args.out, today=args.date, diffusion=args.diffusion, echo=print)
    if not due:
        print("Aucun jalon à produire : les rapports sont à jour.")
    for item in due:
        print(f"{item.milestone} (données arrêtées au {date(item.date)}) : {item.reason}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ducos", description="Observatoire qualité de Ducos")
    parser.add_argument("--debug", action="store_true", help="afficher la trace complète des erreurs")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("sample-data", help="écrire des données synthétiques au format d'entrée")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--scale", type=int, default=1)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--cycle", type=int, default=1, help="cycle du programme (2 : jalons C2-T0, C2-T6, C2-T12)")
    p.set_defaults(func=_cmd_sample_data)

    p = sub.add_parser("modeles", help="écrire les modèles XLSX de saisie (un par fichier d'entrée)")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--raw-dir", type=Path, default=path_setting("raw_dir"),
                   help="dossier dont services.csv fournit les listes de services et de directions")
    p.set_defaults(func=_cmd_modeles)

    p = sub.add_parser("validate", help="valider et pseudonymiser un dossier de données brutes")
    p.add_argument("--raw-dir", type=Path, default=path_setting("raw_dir"))
    p.add_argument("--processed-dir", type=Path, default=None)
    p.add_argument("--force", action="store_true", help="refaire l'ingestion même si rien n'a changé")
    p.add_argument("--max-messages", type=int, default=20, help="messages affichés par fichier")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("run", help="produire les rapports d'un jalon")
    p.add_argument("--milestone", required=True, metavar="JALON",
                   help="un jalon du calendrier (calendrier.csv), « due » (les jalons échus à produire) ou "
                        "« tous » (chaque jalon du calendrier)")
    p.add_argument("--raw-dir", type=Path, default=path_setting("raw_dir"))
    p.add_argument("--out", type=Path, default=path_setting("reports_dir"),
                   help="dossier de base des rapports (la diffusion restreinte va dans son sous-dossier restreinte/)")
    p.add_argument("--diffusion", choices=["copil", "restreinte"], default="copil",
                   help="copil (défaut, masquage DESIGN §6) ou restreinte (DRH et CoTA, dossier séparé, bandeau)")
    p.add_argument("--only", nargs="+", metavar="NOTEBOOK")
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--timeout", type=int, default=None, help="délai maximal par cellule, en secondes")
    p.add_argument("--force", action="store_true", help="relancer même les rapports inchangés")
    p.add_argument("--sans-pdf", action="store_true", help="ne pas imprimer les versions PDF")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("due", help="lister les jalons échus dont les rapports manquent, sont périmés ou interrompus")
    p.add_argument("--date", default=None, help="date de référence JJ/MM/AAAA ou AAAA-MM-JJ (défaut : aujourd'hui)")
    p.add_argument("--raw-dir", type=Path, default=path_setting("raw_dir"))
    p.add_argument("--out", type=Path, default=path_setting("reports_dir"))
    p.add_argument("--diffusion", choices=["copil", "restreinte"], default="copil")
    p.set_defaults(func=_cmd_due)

    from .text.cli import add_parser as add_codage_parser  # ducos codage … (text module's own commands)

    add_codage_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s : %(message)s")
    try:
        return args.func(args)
    except InputError as exc:
        print(f"ERREUR : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - never a bare traceback for the user
        if args.debug:
            raise
        print(f"ERREUR inattendue ({type(exc).__name__}) : {exc}. Relancez avec --debug pour le détail.",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
