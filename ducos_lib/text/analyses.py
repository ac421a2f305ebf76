"""Descriptive analyses of coded answers: specificities, co-occurrence, quotes, ratings, emerging themes.

Functions take the processed ``fiches_immersion`` frame (docs/processed_data.md) and the long coding
table of :func:`~ducos_lib.text.coding.code_fiches`, and return tidy DataFrames (numbers and codes;
French display lives in :mod:`ducos_lib.reports.immersions`). Quotes are always redacted
(:func:`ducos_lib.redaction.redact`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import linear_sum_assignment

from ..redaction import Roster, as_roster, redact
from .codebook import Codebook
from .coding import _codebook, _non_empty, code_texts, normalised
from .tokens import FIELDS, NEGATIONS, lemmas

__all__ = ["EmergingThemes", "emerging_themes", "ratings_by_theme", "representative_quotes", "specificities",
           "theme_by_group", "theme_cooccurrence", "uncoded_answers"]


# --- contingency, specificities, co-occurrence ---------------------------------------------------


def specificities(table: pd.DataFrame) -> pd.DataFrame:
    """Pearson-standardised and adjusted residuals of a contingency table (rows × columns).

    Parameters
    ----------
    table : DataFrame
        Counts; rows (e.g. themes) × columns (e.g. services).

    Returns
    -------
    DataFrame
        Long: ``ligne, colonne, effectif, attendu, residu_standardise, residu_ajuste``. The
        standardised residual is (O − E)/√E; the adjusted residual divides it further by
        √((1 − r/N)(1 − c/N)) and is approximately N(0, 1) under independence, so |r| > 1.96 marks a
        theme over- (positive) or under-represented (negative) in a group at the 5 % level.
        Rows or columns with a zero total give NaN residuals.

    References
    ----------
    Haberman, S. J. (1973). The analysis of residuals in cross-classified tables. *Biometrics*,
    29(1), 205–220.
    Lebart, L., & Salem, A. (1994). *Statistique textuelle*. Dunod, ch. 6 (spécificités).
    Ratinaud, P. (2009). *IRaMuTeQ* (χ² de spécificités).
    """
    obs = table.to_numpy(dtype=float)
    total = obs.sum()
    r = obs.sum(axis=1, keepdims=True)
    c = obs.sum(axis=0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        exp = r @ c / total if total else np.full_like(obs, np.nan)
        std = (obs - exp) / np.sqrt(exp)
        adj = std / np.sqrt((1 - r / total) * (1 - c / total))
    std[~np.isfinite(std)] = np.nan
    adj[~np.isfinite(adj)] = np.nan
    idx = pd.MultiIndex.from_product([table.index, table.columns], names=["ligne", "colonne"])
    return pd.DataFrame(
        {
            "effectif": obs.ravel(),
            "attendu": exp.ravel(),
            "residu_standardise": std.ravel(),
            "residu_ajuste": adj.ravel(),
        },
        index=idx,
    ).reset_index()


def _fiche_themes(coding: pd.DataFrame, champ: str | Sequence[str] | None) -> pd.DataFrame:
    if champ is not None:
        champs = [champ] if isinstance(champ, str) else list(champ)
        coding = coding[coding["champ"].isin(champs)]
    return coding[["id_fiche", "theme"]].drop_duplicates()


def theme_by_group(
    fiches: pd.DataFrame,
    coding: pd.DataFrame,
    by: str = "service_accueil",
    *,
    champ: str | Sequence[str] | None = None,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Theme × group contingency (host service, immersion type …) with specificities.

    Parameters
    ----------
    fiches : DataFrame
        Processed forms (for the group of each form and group sizes).
    coding : DataFrame
        Output of :func:`code_fiches`.
    by : str
        Grouping column of ``fiches``: ``"service_accueil"``, ``"type_immersion"``,
        ``"service_origine"`` …
    champ : str or list of str, optional
        Restrict to these fields; by default a form mentions a theme if any field does.

    Returns
    -------
    DataFrame
        ``theme, groupe_variable, groupe, n_fiches_groupe, n_fiches, part_fiches, attendu,
        residu_standardise, residu_ajuste``: ``n_fiches`` forms of the group mentioning the theme,
        ``part_fiches`` their share of the group's forms; expected counts and residuals of the
        theme × group table of mentions (:func:`specificities`).
    """
    codebook = _codebook(codebook)
    if by not in fiches.columns:
        raise ValueError(f"Colonne de regroupement inconnue : {by!r}.")
    groups = fiches[["id_fiche", by]].dropna()
    mentions = _fiche_themes(coding, champ).merge(groups, on="id_fiche")
    table = pd.crosstab(mentions["theme"], mentions[by]).reindex(
        index=codebook.codes, columns=sorted(groups[by].unique()), fill_value=0
    )
    spec = specificities(table).rename(columns={"ligne": "theme", "colonne": "groupe", "effectif": "n_fiches"})
    sizes = groups.groupby(by)["id_fiche"].nunique()
    spec["n_fiches_groupe"] = spec["groupe"].map(sizes).astype("int64")
    spec["n_fiches"] = spec["n_fiches"].astype("int64")
    spec["part_fiches"] = spec["n_fiches"] / spec["n_fiches_groupe"]
    spec["groupe_variable"] = by
    cols = ["theme", "groupe_variable", "groupe", "n_fiches_groupe", "n_fiches", "part_fiches",
            "attendu", "residu_standardise", "residu_ajuste"]
    return spec[cols]


def theme_cooccurrence(
    coding: pd.DataFrame,
    codebook: Codebook | None = None,
    *,
    unit: str = "reponse",
) -> pd.DataFrame:
    """Co-occurrence of themes.

    Parameters
    ----------
    coding : DataFrame
        Output of :func:`code_fiches` (or any frame with ``id_fiche``, ``champ``, ``theme``).
    unit : {"reponse", "fiche"}
        ``"reponse"``: two themes co-occur when the same answer (form × field) mentions both;
        ``"fiche"``: when the same form mentions both in any field.

    Returns
    -------
    DataFrame
        Long, every ordered pair: ``theme_a, theme_b, n, jaccard``; the diagonal holds each theme's
        count (jaccard 1). Pivot ``n`` for a matrix.
    """
    units = {"reponse": ["id_fiche", "champ"], "fiche": ["id_fiche"]}
    if unit not in units:
        raise ValueError(f"unit doit valoir 'reponse' ou 'fiche', pas {unit!r}.")
    codebook = _codebook(codebook)
    data = coding[units[unit] + ["theme"]]
    row = data[units[unit]].astype(str).groupby(units[unit], sort=False, dropna=False).ngroup().to_numpy()
    column = pd.Categorical(data["theme"], categories=codebook.codes).codes
    ind = np.zeros((row.max() + 1 if len(row) else 0, len(codebook.codes)))
    ind[row[column >= 0], column[column >= 0]] = 1  # 0/1 per unit and theme (themes outside the codebook left out)
    mat = ind.T @ ind
    diag = np.diag(mat)
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = mat / (diag[:, None] + diag[None, :] - mat)
    idx = pd.MultiIndex.from_product([codebook.codes, codebook.codes], names=["theme_a", "theme_b"])
    return pd.DataFrame({"n": mat.ravel().astype("int64"), "jaccard": jac.ravel()}, index=idx).reset_index()


# --- quotes ----------------------------------------------------------------------------------------


def _pick_quotes(
    answers: pd.DataFrame, indicators: pd.DataFrame, n: int, roster: Roster | None, keys: list[str]
) -> pd.DataFrame:
    """Deterministic choice of ``n`` typical answers per theme (see representative_quotes)."""
    rows = []
    n_themes = indicators.sum(axis=1)
    length = answers["texte"].str.len()
    for theme in indicators.columns:
        mask = indicators[theme].to_numpy()
        if not mask.any():
            continue
        cand = answers[mask].assign(_k=n_themes[mask].to_numpy(), _len=length[mask].to_numpy())
        cand = cand[cand["_len"] >= 15] if (cand["_len"] >= 15).any() else cand
        median = cand["_len"].median()
        cand = cand.assign(_d=(cand["_len"] - median).abs())
        cand = cand.drop_duplicates("texte").sort_values(["_k", "_d"] + keys, kind="stable").head(n)
        for rank, (_, row) in enumerate(cand.iterrows(), start=1):
            rows.append([theme, rank] + [row[k] for k in keys] + [redact(row["texte"], roster)])
    return pd.DataFrame(rows, columns=["theme", "rang"] + keys + ["citation"])


def representative_quotes(
    fiches: pd.DataFrame,
    coding: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    *,
    n: int = 3,
    champ: str | Sequence[str] | None = None,
    roster: Roster | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Redacted representative quotes per theme, chosen deterministically.

    Among the answers coded with a theme (at least 15 characters when there are such answers),
    the quotes are those mentioning the fewest themes (most specific), then closest to the median
    length of the candidates (typical), then by form id and field; duplicates are dropped.

    Returns
    -------
    DataFrame
        ``theme, rang, id_fiche, champ, citation`` (redacted with :func:`redact`).
    """
    codebook = _codebook(codebook)
    fields = list(FIELDS) if champ is None else ([champ] if isinstance(champ, str) else list(champ))
    long = fiches.melt(id_vars="id_fiche", value_vars=fields, var_name="champ", value_name="texte")
    long = long[_non_empty(long["texte"])].reset_index(drop=True)
    long["texte"] = normalised(long["texte"]).astype(str)
    if coding is None:
        ind = code_texts(long["texte"], codebook)
    else:
        flags = coding.assign(_v=True).pivot_table(
            index=["id_fiche", "champ"], columns="theme", values="_v", aggfunc="any", fill_value=False
        )
        ind = (
            flags.reindex(pd.MultiIndex.from_frame(long[["id_fiche", "champ"]]), fill_value=False)
            .reindex(columns=codebook.codes, fill_value=False)
            .astype(bool)
            .reset_index(drop=True)
        )
    return _pick_quotes(long, ind, n, as_roster(roster), ["id_fiche", "champ"])


# --- ratings ---------------------------------------------------------------------------------------


def _mean_ci(values: np.ndarray, alpha: float) -> tuple[int, float, float, float, float]:
    values = values[~np.isnan(values)]
    n = len(values)
    if n == 0:
        return 0, np.nan, np.nan, np.nan, np.nan
    mean = float(values.mean())
    if n < 2:
        return n, mean, np.nan, np.nan, np.nan
    sd = float(values.std(ddof=1))
    half = stats.t.ppf(1 - alpha / 2, n - 1) * sd / np.sqrt(n)
    return n, mean, sd, mean - half, mean + half


def ratings_by_theme(
    fiches: pd.DataFrame,
    by: str | Sequence[str] | None = ("service_accueil", "type_immersion"),
    *,
    alpha: float = 0.05,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Mean rating per theme (``note_<theme>`` columns, 1–5) with a Student t confidence interval.

    Parameters
    ----------
    fiches : DataFrame
        Processed forms.
    by : str, list of str or None
        Grouping columns; the overall mean (``groupe_variable = "ensemble"``) always comes first.
    alpha : float
        1 − confidence level.

    Returns
    -------
    DataFrame
        ``theme, groupe_variable, groupe, n, moyenne, ecart_type, ic_bas, ic_haut, methode``.
        Missing ratings are left out; the interval is NaN under two ratings. Themes of the codebook
        without a ``note_`` column are skipped.

    References
    ----------
    Student (1908). The probable error of a mean. *Biometrika*, 6(1), 1–25.
    """
    codebook = _codebook(codebook)
    groupings = [] if by is None else ([by] if isinstance(by, str) else list(by))
    themes = [t for t in codebook.codes if f"note_{t}" in fiches.columns]
    rows = []
    for theme in themes:
        col = fiches[f"note_{theme}"].astype("float64")
        rows.append((theme, "ensemble", "ensemble", *_mean_ci(col.to_numpy(), alpha)))
        for var in groupings:
            for group, values in col.groupby(fiches[var].astype(str), sort=True):
                rows.append((theme, var, group, *_mean_ci(values.to_numpy(), alpha)))
    out = pd.DataFrame(
        rows, columns=["theme", "groupe_variable", "groupe", "n", "moyenne", "ecart_type", "ic_bas", "ic_haut"]
    )
    out["n"] = out["n"].astype("int64")
    out["methode"] = f"t de Student, IC {100 * (1 - alpha):g} %"
    return out


# --- emerging themes (NMF) -------------------------------------------------------------------------


@dataclass(frozen=True)
class EmergingThemes:
    """Result of :func:`emerging_themes`.

    Attributes
    ----------
    k : int
        Number of topics chosen (0 when nothing could be computed).
    topics : DataFrame
        ``theme_emergent, rang, mot, poids``: top lemmas of each topic.
    examples : DataFrame
        ``theme_emergent, rang, cle, citation, poids``: redacted answers most loaded on each topic.
    stability : DataFrame
        ``k, stabilite``: mean best-match cosine similarity of topic-word matrices across seeds.
    n_documents : int
        Answers analysed.
    reason : str or None
        Why the result is empty, as a code with its figures: ``trop_peu_de_reponses:<n>:<minimum>``,
        ``vocabulaire_vide`` or ``vocabulaire_pauvre:<n lemmas>`` (French wording:
        :func:`ducos_lib.reports.immersions.emerging_reason`).
    method : str
    """

    k: int
    topics: pd.DataFrame
    examples: pd.DataFrame
    stability: pd.DataFrame
    n_documents: int
    reason: str | None = None
    method: str = "NMF sur TF-IDF de lemmes, k choisi par stabilité entre graines"

    @property
    def empty(self) -> bool:
        return self.k == 0


def _empty_emerging(n_docs: int, reason: str, stability: pd.DataFrame | None = None) -> EmergingThemes:
    return EmergingThemes(
        0,
        pd.DataFrame(columns=["theme_emergent", "rang", "mot", "poids"]),
        pd.DataFrame(columns=["theme_emergent", "rang", "cle", "citation", "poids"]),
        stability if stability is not None else pd.DataFrame(columns=["k", "stabilite"]),
        n_docs,
        reason,
    )


def _topic_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Mean cosine similarity of topics after optimal one-to-one matching (Hungarian)."""
    an = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    bn = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    sim = an @ bn.T
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].mean())


def _fit_nmf(x, k: int, seed: int):
    from sklearn.decomposition import NMF

    model = NMF(n_components=k, init="random", random_state=seed, max_iter=500, tol=1e-4)
    w = model.fit_transform(x)
    return model.components_, w


def emerging_themes(
    texts: pd.Series,
    *,
    k_range: Iterable[int] = range(2, 7),
    n_seeds: int = 5,
    random_state: int = 0,
    n_words: int = 8,
    n_examples: int = 3,
    min_documents: int = 20,
    min_df: int = 2,
    roster: Roster | Iterable[str] | None = None,
) -> EmergingThemes:
    """Emerging themes in answers the codebook leaves uncoded: NMF on lemma TF-IDF.

    Parameters
    ----------
    texts : Series of str
        Uncoded answers (see :func:`uncoded_answers`); the index identifies them in ``examples``.
    k_range : iterable of int
        Candidate numbers of topics.
    n_seeds : int
        Runs per k, with seeds drawn from ``random_state``; the stability of k is the mean over
        pairs of runs of the mean best-match cosine similarity between their topic-word matrices.
        The most stable k wins (ties: the smaller k).
    random_state : int
        Fixes every seed: the same input gives identical results.
    min_documents : int
        Under this many non-empty answers the result is empty (``reason`` says why).

    Returns
    -------
    EmergingThemes

    Notes
    -----
    Documents are lemmas without stop words, accents and negations (negations carry no topic),
    weighted by TF-IDF (sublinear tf, terms in at least ``min_df`` answers), rows L2-normalised.
    The reported model is the first seed's run at the chosen k. Topics are labelled
    ``E1``, ``E2`` … in decreasing order of total weight.

    References
    ----------
    Lee, D. D., & Seung, H. S. (1999). Learning the parts of objects by non-negative matrix
    factorization. *Nature*, 401, 788–791.
    Greene, D., O'Callaghan, D., & Cunningham, P. (2014). How many topics? Stability analysis for
    topic models. *ECML PKDD*, 498–513.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = texts[_non_empty(texts)]
    docs = texts.map(
        lambda t: " ".join(w for w in lemmas(t, accents=False) if w not in NEGATIONS and len(w) > 2)
    )
    docs = docs[docs.str.len() > 0]
    n_docs = len(docs)
    if n_docs < min_documents:
        return _empty_emerging(
            n_docs, f"trop_peu_de_reponses:{n_docs}:{min_documents}"
        )
    vec = TfidfVectorizer(token_pattern=r"\S+", min_df=min_df, sublinear_tf=True, lowercase=False)
    try:
        x = vec.fit_transform(docs.to_numpy())
    except ValueError:
        return _empty_emerging(n_docs, "vocabulaire_vide")
    vocab = vec.get_feature_names_out()
    ks = [k for k in k_range if 2 <= k < min(n_docs, len(vocab))]
    if not ks:
        return _empty_emerging(n_docs, f"vocabulaire_pauvre:{len(vocab)}")
    seeds = np.random.SeedSequence(random_state).generate_state(n_seeds).tolist()
    stab_rows, runs = [], {}
    for k in ks:
        comps = [_fit_nmf(x, k, s) for s in seeds]
        runs[k] = comps[0]
        sims = [_topic_similarity(comps[i][0], comps[j][0]) for i in range(n_seeds) for j in range(i + 1, n_seeds)]
        stab_rows.append((k, float(np.mean(sims)) if sims else 1.0))
    stability = pd.DataFrame(stab_rows, columns=["k", "stabilite"])
    best = stability.sort_values(["stabilite", "k"], ascending=[False, True], kind="stable").iloc[0]
    k = int(best["k"])
    h, w = runs[k]
    order = np.argsort(-w.sum(axis=0), kind="stable")
    roster = as_roster(roster)
    topic_rows, example_rows = [], []
    for label_i, t in enumerate(order, start=1):
        label = f"E{label_i}"
        top = np.argsort(-h[t], kind="stable")[:n_words]
        topic_rows += [(label, r, vocab[j], float(h[t, j])) for r, j in enumerate(top, start=1) if h[t, j] > 0]
        best_docs = np.argsort(-w[:, t], kind="stable")[:n_examples]
        example_rows += [
            (label, r, docs.index[i], redact(texts.loc[docs.index[i]], roster), float(w[i, t]))
            for r, i in enumerate(best_docs, start=1) if w[i, t] > 0
        ]
    topics = pd.DataFrame(topic_rows, columns=["theme_emergent", "rang", "mot", "poids"])
    examples = pd.DataFrame(example_rows, columns=["theme_emergent", "rang", "cle", "citation", "poids"])
    return EmergingThemes(k, topics, examples, stability, n_docs)


def uncoded_answers(
    fiches: pd.DataFrame,
    coding: pd.DataFrame,
    *,
    fields: Sequence[str] = FIELDS,
    min_words: int = 2,
) -> pd.Series:
    """Non-empty answers that no theme codes, with at least ``min_words`` content words.

    Content words are lemmas other than stop words and negations, so "Rien à signaler" (one content
    word) is left out of the emerging-theme search.

    Returns
    -------
    Series of str
        Indexed by ``"<id_fiche>|<champ>"`` (the ``cle`` of :func:`emerging_themes` examples).
    """
    long = fiches.melt(id_vars="id_fiche", value_vars=list(fields), var_name="champ", value_name="texte")
    long = long[_non_empty(long["texte"])]
    coded = set(zip(coding["id_fiche"].astype(str), coding["champ"].astype(str)))
    keep = [
        (f"{i}|{c}", t)
        for i, c, t in zip(long["id_fiche"].astype(str), long["champ"], long["texte"])
        if (i, c) not in coded and sum(w not in NEGATIONS for w in lemmas(t)) >= min_words
    ]
    return pd.Series([t for _, t in keep], index=[k for k, _ in keep], dtype="str", name="texte")

