"""Agreement of automatic coding with human labels: Cohen's kappa, precision, recall, no-theme shares."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["agreement", "kappa", "none_shares"]


def kappa(auto: np.ndarray, human: np.ndarray) -> float:
    """Cohen's kappa of two binary codings (NaN when both are constant and equal).

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement*, 20(1), 37–46.
    """
    a = np.asarray(auto, dtype=bool)
    h = np.asarray(human, dtype=bool)
    n = len(h)
    if n == 0:
        return float("nan")
    po = float((a == h).mean())
    pa, ph = a.mean(), h.mean()
    pe = float(pa * ph + (1 - pa) * (1 - ph))
    return (po - pe) / (1 - pe) if pe < 1 else float("nan")


def agreement(coded: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Per-theme precision, recall and Cohen's kappa of automatic coding against human labels.

    Parameters
    ----------
    coded, gold : DataFrame of bool
        Indicators, same index, one column per theme (``gold`` columns are used).

    Returns
    -------
    DataFrame
        ``theme, n, n_humain, n_auto, vrais_positifs, precision, rappel, kappa``. Precision (recall)
        is NaN when the automatic (human) coding never uses the theme.
    """
    coded = coded.reindex(index=gold.index, columns=gold.columns, fill_value=False).astype(bool)
    rows = []
    for theme in gold.columns:
        a, h = coded[theme].to_numpy(), gold[theme].astype(bool).to_numpy()
        tp = int((a & h).sum())
        rows.append((theme, len(h), int(h.sum()), int(a.sum()), tp,
                     tp / a.sum() if a.sum() else np.nan, tp / h.sum() if h.sum() else np.nan, kappa(a, h)))
    return pd.DataFrame(
        rows, columns=["theme", "n", "n_humain", "n_auto", "vrais_positifs", "precision", "rappel", "kappa"]
    )


def none_shares(coded: pd.DataFrame, gold: pd.DataFrame) -> tuple[float, float]:
    """Share of answers with no theme: (human, coder)."""
    if len(gold) == 0:
        return float("nan"), float("nan")
    return float((~gold.any(axis=1)).mean()), float((~coded.any(axis=1)).mean())
