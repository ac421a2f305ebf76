"""Cross-validated comparison of coder configurations on the TRAINING lot only (issue 13).

Each configuration is scored by grouped cross-validation (groups = source page; project-written rows
always train and are never scored), thresholds cross-fitted on the other folds
(:func:`ducos_lib.text.coder.cross_fitted_labels`), so the figures are honest. The blind lot is never
read here. ``--curve`` adds a learning curve (each training fold subsampled to a share of its pages).

Usage: ``.venv/bin/python bench/coder_cv.py --codebook immersions [--configs base,C2,courbe50,...] [--curve]
[--json FILE]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ducos_lib.text import codebook_path, load_codebook  # noqa: E402
from ducos_lib.text.coder import CoderSettings, _fit, _proba, cross_fitted_labels, fold_of_groups  # noqa: E402
from ducos_lib.text.corpus import load_training  # noqa: E402
from ducos_lib.text.evaluation import kappa  # noqa: E402
from ducos_lib.text.features import analyse  # noqa: E402
from ducos_lib.text.model_card import DEFAULT_SETTINGS  # noqa: E402

#: The settings of model 2.0.x: every configuration below changes one thing of it.
BASE = CoderSettings(C=1.0)
BASE_W = dict(BASE.weights)


def _w(**kw) -> dict:
    return BASE_W | kw


#: Configurations tried (name → settings). Only the training lot is used.
CONFIGS = {
    "base": BASE,
    "C0.5": replace(BASE, C=0.5),
    "C2": replace(BASE, C=2.0),
    "C4": replace(BASE, C=4.0),
    "sans_char": replace(BASE, weights=_w(char=0.0)),
    "sans_vecteurs": replace(BASE, weights=_w(vector=0.0)),
    "vecteurs1.2": replace(BASE, weights=_w(vector=1.2)),
    "sans_regles": replace(BASE, weights=_w(rule=0.0)),
    "regles1.6": replace(BASE, weights=_w(rule=1.6)),
    "proto0.5": replace(BASE, weights=_w(proto=0.5)),
    "sans_mots": replace(BASE, weights=_w(word=0.0)),
    "svm_C0.1": replace(BASE, model="svm", C=0.1),
    "choisi": DEFAULT_SETTINGS,  # the settings of the shipped model
}


def evaluate(analysed, gold, groups, scored, themes, settings: CoderSettings, share: float = 1.0) -> dict:
    """Grouped CV figures of one configuration; ``share`` < 1 keeps that share of each training fold's pages."""
    folds = np.full(len(analysed), -1)
    idx = np.flatnonzero(scored)
    folds[idx] = fold_of_groups(np.asarray(groups)[idx], settings.n_folds, settings.seed)
    rng = np.random.default_rng(settings.seed)
    pages = np.array(sorted(set(np.asarray(groups)[idx])))
    kept_pages = set(pages[rng.random(len(pages)) < share]) if share < 1 else set(pages)
    keep = np.array([(not s) or (g in kept_pages) for g, s in zip(groups, scored)])
    proba = np.full(gold.shape, np.nan)
    for k in range(settings.n_folds):
        test = folds == k
        train_idx = np.flatnonzero(~test & keep)
        space, coef, intercept = _fit([analysed[i] for i in train_idx], gold[train_idx], themes, settings)
        test_idx = np.flatnonzero(test)
        proba[test_idx] = _proba(space.transform([analysed[i] for i in test_idx]), coef, intercept)
    s = scored
    labels = cross_fitted_labels(proba[s], gold[s], folds[s])
    per = [kappa(labels[:, j], gold[s][:, j]) for j in range(gold.shape[1])]
    return {"kappa_moyen": float(np.nanmean(per)), "kappa_min": float(np.nanmin(per)),
            "sans_theme_humain": float((~gold[s].any(axis=1)).mean()),
            "sans_theme_codeur": float((~labels.any(axis=1)).mean()),
            "par_theme": [round(float(x), 3) for x in per], "n_train_rows": int(keep.sum())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codebook", default="immersions", choices=["immersions", "usagers"])
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--curve", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    codebook = load_codebook(codebook_path(args.codebook))
    data = load_training(codebook)
    analysed = analyse(data["texte"].tolist())
    gold = data[codebook.codes].to_numpy(dtype=bool)
    groups = data["groupe"].astype(str).tolist()
    scored = data["reel"].to_numpy(dtype=bool)
    print(f"{args.codebook}: {len(data)} rows, {int(scored.sum())} scored, "
          f"{len(set(np.asarray(groups)[scored]))} pages", flush=True)
    rows = []
    # "courbeNN": the 2.0.x settings, each training fold reduced to NN % of its pages (learning curve)
    jobs = [(name, BASE, int(name[6:]) / 100) if name.startswith("courbe") else (name, CONFIGS[name], 1.0)
            for name in args.configs.split(",") if name]
    if args.curve:
        jobs += [(f"courbe{p}", BASE, p / 100) for p in (25, 50, 75)]
    for name, settings, share in jobs:
        t0 = time.perf_counter()
        res = evaluate(analysed, gold, groups, scored, codebook.themes, settings, share)
        res |= {"config": name, "seconds": round(time.perf_counter() - t0, 1)}
        rows.append(res)
        print(f"{name:16s} kappa moyen {res['kappa_moyen']:.3f}  min {res['kappa_min']:.3f}  sans thème "
              f"{res['sans_theme_humain']:.3f}/{res['sans_theme_codeur']:.3f}  lignes {res['n_train_rows']}  "
              f"{res['par_theme']}  ({res['seconds']} s)", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"codebook": args.codebook, "rows": rows}, ensure_ascii=False, indent=1))
    print(pd.DataFrame(rows)[["config", "kappa_moyen", "kappa_min", "sans_theme_codeur"]].to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
