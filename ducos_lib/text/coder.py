"""The learned multi-label coder: one logistic regression per theme on spaCy-based features.

Training (:func:`train`) fits :class:`~ducos_lib.text.features.FeatureSpace` and one L2-regularised
logistic regression per theme (balanced class weights), then chooses, by grouped cross-validation
(:func:`out_of_fold`), a probability threshold per theme and a *fallback* threshold: an answer no
theme reaches gets its most probable theme when that probability clears the fallback (short
answers otherwise end up with no theme far more often than a human leaves them). Everything is
deterministic for a seed.

A trained :class:`Coder` is saved as plain JSON and NumPy arrays (:meth:`Coder.save`), so a model
committed in the package does not depend on a pickle format, and serves with no new label.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook
from .evaluation import kappa
from .features import Analysed, FeatureSpace, analyse

__all__ = ["Coder", "CoderSettings", "choose_fallback", "choose_thresholds", "fold_of_groups", "out_of_fold",
           "predict_labels", "train"]

_GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)


@dataclass(frozen=True)
class CoderSettings:
    """Hyper-parameters of the coder (chosen by grouped cross-validation on the training lot).

    Attributes
    ----------
    C : float
        Inverse L2 penalty of each logistic regression.
    weights : dict
        Feature block multipliers (:class:`FeatureSpace`).
    seed : int
        Seed of the fold assignment and of the solver.
    n_folds : int
        Folds of the grouped cross-validation that chooses the thresholds.
    model : {"logistic", "svm"}
        One L2 logistic regression per theme, or one linear SVM (hinge loss) whose decision value
        goes through a logistic function (a score in [0, 1] for the thresholds, not a probability).
    """

    C: float = 4.0
    weights: dict = field(default_factory=lambda: {"word": 1.0, "char": 1.0, "vector": 0.6, "rule": 0.8,
                                                   "length": 0.3})
    seed: int = 0
    n_folds: int = 5
    model: str = "logistic"


def fold_of_groups(groups: Sequence[str], n_folds: int, seed: int) -> np.ndarray:
    """Fold number of each row, whole groups per fold (largest groups first, to the lightest fold).

    Groups are shuffled by ``seed`` before the greedy assignment, so folds are balanced in size and
    reproducible; every row of a group lands in the same fold.
    """
    groups = pd.Series(list(groups), dtype=str)
    sizes = groups.value_counts()
    rng = np.random.default_rng(seed)
    order = sizes.index.to_numpy()[rng.permutation(len(sizes))]
    order = sorted(order, key=lambda g: -sizes[g])
    load = np.zeros(n_folds, dtype=int)
    fold_of: dict[str, int] = {}
    for g in order:
        k = int(np.argmin(load))
        fold_of[g] = k
        load[k] += sizes[g]
    return groups.map(fold_of).to_numpy()


def _fit_theme(x, y: np.ndarray, C: float, seed: int, kind: str = "logistic") -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    if y.all() or not y.any():  # a constant theme: an intercept only
        p = 0.999 if y.all() else 0.001
        return np.zeros(x.shape[1]), float(np.log(p / (1 - p)))
    if kind == "svm":
        model = LinearSVC(C=C, class_weight="balanced", random_state=seed, max_iter=5000)
    else:
        model = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=seed,
                                   max_iter=1000)
    model.fit(x, y)
    return model.coef_[0].astype(np.float64), float(model.intercept_[0])


def _fit(analysed: Sequence[Analysed], y: np.ndarray, themes, settings: CoderSettings):
    space = FeatureSpace(themes, settings.weights).fit(analysed)
    x = space.transform(analysed)
    coefs, intercepts = zip(*(_fit_theme(x, y[:, j], settings.C, settings.seed, settings.model) for j in range(y.shape[1])))
    return space, np.vstack(coefs), np.array(intercepts)


def _proba(x, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    z = np.asarray(x @ coef.T) + intercept
    return 1.0 / (1.0 + np.exp(-z))


def predict_labels(proba: np.ndarray, thresholds: np.ndarray, fallback: float) -> np.ndarray:
    """Themes over their threshold; an answer with none gets its best theme if it clears ``fallback``."""
    out = proba >= thresholds[None, :]
    none = ~out.any(axis=1)
    if none.any() and proba.shape[1]:
        best = proba.argmax(axis=1)
        take = none & (proba[np.arange(len(proba)), best] >= fallback)
        out[np.flatnonzero(take), best[take]] = True
    return out


def choose_thresholds(proba: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """Per theme, the probability threshold of the grid that maximises Cohen's kappa (ties: lowest)."""
    out = np.empty(gold.shape[1])
    for j in range(gold.shape[1]):
        scores = [kappa(proba[:, j] >= t, gold[:, j]) for t in _GRID]
        scores = np.nan_to_num(np.array(scores), nan=-1.0)
        out[j] = _GRID[int(np.argmax(scores))]
    return out


def choose_fallback(proba: np.ndarray, gold: np.ndarray, thresholds: np.ndarray) -> float:
    """Fallback threshold maximising the mean kappa, minus the gap between coder and human no-theme shares."""
    human_none = float((~gold.any(axis=1)).mean())
    best, best_score = 1.0, -np.inf
    for t in np.round(np.arange(0.05, 1.001, 0.025), 3)[::-1]:
        pred = predict_labels(proba, thresholds, t)
        k = np.nanmean([kappa(pred[:, j], gold[:, j]) for j in range(gold.shape[1])])
        gap = abs(float((~pred.any(axis=1)).mean()) - human_none)
        score = k - 0.5 * gap
        if score > best_score + 1e-9:
            best, best_score = float(t), score
    return best


def out_of_fold(analysed: Sequence[Analysed], gold: np.ndarray, groups: Sequence[str], scored: np.ndarray,
                themes, settings: CoderSettings) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities of the ``scored`` rows (grouped folds); other rows always train.

    Returns
    -------
    (proba, folds)
        ``proba``: rows × themes (NaN for rows not scored); ``folds``: fold of each row (-1 if not scored).
    """
    analysed = list(analysed)
    folds = np.full(len(analysed), -1)
    idx = np.flatnonzero(scored)
    folds[idx] = fold_of_groups(np.asarray(groups)[idx], settings.n_folds, settings.seed)
    proba = np.full(gold.shape, np.nan)
    for k in range(settings.n_folds):
        test = folds == k
        if not test.any():
            continue
        train_idx = np.flatnonzero(~test)
        space, coef, intercept = _fit([analysed[i] for i in train_idx], gold[train_idx], themes, settings)
        test_idx = np.flatnonzero(test)
        proba[test_idx] = _proba(space.transform([analysed[i] for i in test_idx]), coef, intercept)
    return proba, folds


def cross_fitted_labels(proba: np.ndarray, gold: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Labels of each fold with thresholds chosen on the other folds only (honest CV figures)."""
    pred = np.zeros(gold.shape, dtype=bool)
    for k in np.unique(folds[folds >= 0]):
        test, other = folds == k, (folds >= 0) & (folds != k)
        thr = choose_thresholds(proba[other], gold[other])
        fb = choose_fallback(proba[other], gold[other], thr)
        pred[test] = predict_labels(proba[test], thr, fb)
    return pred


@dataclass
class Coder:
    """A trained coder of one codebook.

    Attributes
    ----------
    codebook : Codebook
    version : str
        Version of the trained model (stated in reports with its blind agreement).
    space : FeatureSpace
    coef, intercept : ndarray
        One row / value per theme.
    thresholds : ndarray
        Probability threshold per theme.
    fallback : float
        See :func:`predict_labels`.
    settings : CoderSettings
    card : dict
        Model card figures (training size, cross-validated and blind agreement).
    """

    codebook: Codebook
    version: str
    space: FeatureSpace
    coef: np.ndarray
    intercept: np.ndarray
    thresholds: np.ndarray
    fallback: float
    settings: CoderSettings
    card: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def themes(self) -> list[str]:
        return self.codebook.codes

    def predict_proba(self, texts: Sequence[object]) -> np.ndarray:
        """Probability of each theme (rows × themes), computed once per distinct text."""
        texts = ["" if t is None or (isinstance(t, float) and t != t) else str(t) for t in texts]
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            if len(self._cache) > 200_000:
                self._cache.clear()
            p = _proba(self.space.transform(analyse(todo)), self.coef, self.intercept)
            self._cache.update(zip(todo, p))
        if not texts:
            return np.zeros((0, len(self.themes)))
        return np.vstack([self._cache[t] for t in texts])

    def predict(self, texts: pd.Series) -> pd.DataFrame:
        """Boolean indicators (same index as ``texts``, one column per theme); blank answers get none."""
        values = texts.astype(object).where(texts.notna(), "")
        blank = values.map(lambda t: not str(t).strip()).to_numpy(dtype=bool)
        proba = self.predict_proba(values.tolist())
        labels = predict_labels(proba, self.thresholds, self.fallback) if len(values) else proba.astype(bool)
        labels[blank] = False
        return pd.DataFrame(labels, index=texts.index, columns=self.themes)

    # --- saving -------------------------------------------------------------------------------
    def save(self, folder: Path | str) -> Path:
        """Write ``modele.json`` (settings, vocabularies, thresholds, card) and ``modele.npz`` (weights)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        meta, arrays = self.space.state()
        doc = {
            "version": self.version, "codebook": self.codebook.name, "codebook_version": self.codebook.version,
            "themes": self.themes, "thresholds": [float(x) for x in self.thresholds], "fallback": self.fallback,
            "settings": {"C": self.settings.C, "weights": self.settings.weights, "seed": self.settings.seed,
                         "n_folds": self.settings.n_folds, "model": self.settings.model},
            "features": meta, "card": self.card,
        }
        (folder / "modele.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        np.savez_compressed(folder / "modele.npz", coef=self.coef.astype(np.float32),
                            intercept=self.intercept, **arrays)
        return folder

    @classmethod
    def load(cls, folder: Path | str, codebook: Codebook) -> Coder:
        """Read a saved coder; the codebook must have the same themes, in the same order.

        Raises
        ------
        ValueError
            In French, when the model was trained on other themes.
        """
        folder = Path(folder)
        doc = json.loads((folder / "modele.json").read_text(encoding="utf-8"))
        if doc["themes"] != codebook.codes:
            raise ValueError(f"Le modèle {folder} a été entraîné sur les thèmes {doc['themes']}, "
                             f"le codebook {codebook.version} a {codebook.codes} : réentraînez-le.")
        with np.load(folder / "modele.npz") as z:
            arrays = {k: z[k] for k in z.files}
        space = FeatureSpace.from_state(codebook.themes, doc["features"], arrays)
        s = doc["settings"]
        settings = CoderSettings(C=s["C"], weights=s["weights"], seed=s["seed"], n_folds=s["n_folds"],
                                 model=s.get("model", "logistic"))
        return cls(codebook, doc["version"], space, arrays["coef"].astype(np.float64), arrays["intercept"],
                   np.array(doc["thresholds"]), float(doc["fallback"]), settings, doc.get("card", {}))


def train(data: pd.DataFrame, codebook: Codebook, settings: CoderSettings | None = None, *,
          version: str = "dev") -> tuple[Coder, dict]:
    """Train a coder on labelled answers and measure it by grouped cross-validation.

    Parameters
    ----------
    data : DataFrame
        ``texte, groupe, reel`` and one boolean column per theme (:func:`~ducos_lib.text.corpus.load_training`).
        Rows with ``reel`` False always train and are never scored.
    codebook : Codebook
    settings : CoderSettings, optional
    version : str
        Version written in the model.

    Returns
    -------
    (Coder, dict)
        The coder fitted on all rows, with thresholds chosen on out-of-fold probabilities; and the
        cross-validation result ``{"proba", "folds", "labels", "gold", "scored"}`` (labels with
        thresholds cross-fitted, for honest figures).
    """
    settings = settings or CoderSettings()
    analysed = analyse(data["texte"].tolist())
    gold = data[codebook.codes].to_numpy(dtype=bool)
    scored = data["reel"].to_numpy(dtype=bool)
    proba, folds = out_of_fold(analysed, gold, data["groupe"].astype(str).tolist(), scored, codebook.themes, settings)
    s = scored
    thresholds = choose_thresholds(proba[s], gold[s])
    fallback = choose_fallback(proba[s], gold[s], thresholds)
    labels = np.zeros(gold.shape, dtype=bool)
    labels[s] = cross_fitted_labels(proba[s], gold[s], folds[s])
    space, coef, intercept = _fit(analysed, gold, codebook.themes, settings)
    coder = Coder(codebook, version, space, coef, intercept, thresholds, fallback, settings)
    return coder, {"proba": proba, "folds": folds, "labels": labels, "gold": gold, "scored": scored}


def with_card(coder: Coder, card: dict) -> Coder:
    """A copy of ``coder`` carrying ``card``."""
    return replace(coder, card=card, _cache={})
