"""``ducos codage …``: the analyst's loop and the shipped models, from the command line.

- ``ducos codage a-annoter --out FILE.xlsx [--n 50] [--codebook immersions] [--raw-dir DIR]``
- ``ducos codage entrainer --annotations FILE.xlsx [--codebook immersions] [--out DIR]``
- ``ducos codage modele --codebook immersions --version X [--essais CV.json]`` (maintainers: retrain the shipped
  model; ``--essais``: the configurations compared by ``bench/coder_cv.py``, recorded in the card)
- ``ducos codage aveugle --codebook immersions`` (maintainers: score the frozen model on the blind lot, once)
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import path_setting

__all__ = ["add_parser"]


def _codebook(name: str):
    from .codebook import codebook_path, load_codebook

    return load_codebook(codebook_path(name))


def _cmd_to_label(args: argparse.Namespace) -> int:
    from . import active
    from .coding import load_coder

    codebook = _codebook(args.codebook)
    coder = load_coder(codebook)
    if coder is None:
        print(f"Aucun modèle entraîné pour le codebook « {args.codebook} ».")
        return 2
    pool = active.answer_pool(args.raw_dir, args.codebook)
    chosen = active.uncertain_answers(pool, coder, args.n)
    active.write_annotation_file(args.out, chosen, codebook)
    print(f"{len(chosen)} réponses (sur {len(pool)}) dont le modèle {coder.version} est le moins sûr, écrites dans "
          f"{args.out} : remplissez une colonne 0/1 par thème, puis « ducos codage entrainer --annotations "
          f"{args.out} ».")
    return 0


def _cmd_retrain(args: argparse.Namespace) -> int:
    from ..reports.formats import number
    from . import active
    from .model_card import save_shipped

    codebook = _codebook(args.codebook)
    result = active.retrain(args.annotations, codebook)
    print(f"{result.n_new} réponses annotées ajoutées ; kappa de Cohen par thème en validation croisée groupée :")
    for r in result.comparison.itertuples():
        change = "" if r.variation != r.variation else f" ({'+' if r.variation >= 0 else ''}{number(r.variation, 2)})"
        print(f"  {r.libelle:45s} {number(r.kappa_avant, 2):>6s} → {number(r.kappa_apres, 2):>6s}{change}")
    out = Path(args.out) if args.out else Path("modeles") / codebook.name
    save_shipped(result.coder, out)
    print(f"Modèle {result.coder.version} écrit dans {out}. Pour l'utiliser dans les rapports : "
          f"textes.modele_{codebook.name}: {out} dans config/observatoire.yml (le modèle livré sert sinon).")
    return 0


def _cmd_model(args: argparse.Namespace) -> int:
    import json

    from .model_card import save_shipped, train_shipped

    codebook = _codebook(args.codebook)
    trials = json.loads(Path(args.trials).read_text(encoding="utf-8"))["rows"] if args.trials else None
    coder, _ = train_shipped(codebook, args.version, trials=trials)
    folder = save_shipped(coder, args.out)
    cv = coder.card["validation_croisee"]
    print(f"Modèle {args.version} ({codebook.name}) : kappa moyen en validation croisée {cv['kappa_moyen']:.3f} "
          f"sur {cv['n']} réponses réelles ; écrit dans {folder}. Lot aveugle : « ducos codage aveugle ».")
    return 0


def _cmd_blind(args: argparse.Namespace) -> int:
    from .coding import MODELS_DIR, load_coder
    from .model_card import write_blind

    codebook = _codebook(args.codebook)
    folder = Path(args.out) if args.out else MODELS_DIR / codebook.name
    coder = load_coder(codebook, folder)
    if coder is None:
        print(f"Aucun modèle dans {folder}.")
        return 2
    if coder.card.get("aveugle") and not args.force:
        print(f"Le modèle {coder.version} a déjà été mesuré sur le lot aveugle (une fois par version) ; "
              "--force pour recalculer.")
        return 1
    coder = write_blind(coder, folder)
    bl = coder.card["aveugle"]
    print(f"Lot aveugle ({bl['n']} réponses) : kappa moyen {bl['kappa_moyen']:.3f}, minimum {bl['kappa_min']:.3f} ; "
          f"sans thème : humain {bl['part_sans_theme_humain']:.3f}, codeur {bl['part_sans_theme_codeur']:.3f}.")
    for r in bl["par_theme"]:
        print(f"  {r['theme']:25s} kappa {r['kappa']:.3f}  précision {r['precision'] or 0:.3f}  "
              f"rappel {r['rappel'] or 0:.3f}  positifs {r['positifs']}")
    return 0


def add_parser(sub) -> None:
    """Register ``ducos codage`` and its sub-commands on the main parser's sub-parsers."""
    codage = sub.add_parser("codage", help="codage des textes libres : annoter, réentraîner, mesurer")
    inner = codage.add_subparsers(dest="codage_command", required=True)
    choices = ["immersions", "usagers"]

    p = inner.add_parser("a-annoter", help="écrire un XLSX des réponses dont le modèle est le moins sûr")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--n", type=int, default=50)
    p.add_argument("--codebook", choices=choices, default="immersions")
    p.add_argument("--raw-dir", type=Path, default=path_setting("raw_dir"))
    p.set_defaults(func=_cmd_to_label)

    p = inner.add_parser("entrainer", help="réentraîner avec un XLSX annoté et afficher le kappa par thème")
    p.add_argument("--annotations", type=Path, required=True)
    p.add_argument("--codebook", choices=choices, default="immersions")
    p.add_argument("--out", type=Path, default=None, help="dossier du modèle réentraîné (défaut : modeles/<codebook>)")
    p.set_defaults(func=_cmd_retrain)

    p = inner.add_parser("modele", help="(mainteneurs) réentraîner le modèle livré sur le corpus")
    p.add_argument("--codebook", choices=choices, default="immersions")
    p.add_argument("--version", required=True)
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--essais", dest="trials", type=Path, default=None,
                   help="JSON de bench/coder_cv.py : configurations comparées, recopiées dans la carte")
    p.set_defaults(func=_cmd_model)

    p = inner.add_parser("aveugle", help="(mainteneurs) mesurer une fois le modèle figé sur le lot aveugle")
    p.add_argument("--codebook", choices=choices, default="immersions")
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=_cmd_blind)
