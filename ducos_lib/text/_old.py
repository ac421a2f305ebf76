"""French free text of the immersion forms and comments: tokens, lemmas, codebook coding, analyses.

Pipeline (DESIGN §5): :func:`~ducos_lib.redaction.normalise` (Unicode NFC, apostrophes) →
:func:`tokenise` (French elisions split: ``l'accueil`` → ``l'``, ``accueil``) → :func:`lemmatise`
(simplemma, French data shipped in the package, cached) → :func:`remove_stop_words` (negations kept) →
coding against a codebook (:func:`load_codebook`, :func:`code_texts`, :func:`code_fiches`). Quotes are
always redacted (:func:`~ducos_lib.redaction.redact`).

Two codebooks, named in ``config/observatoire.yml`` under ``textes`` (:func:`codebook_path`): the staff
codebook of the immersion forms and seminar reviews (``codebook_immersions``, ``config/codebook.yml``)
and the residents' codebook of the survey comments (``codebook_usagers``,
``config/codebook_usagers.yml``). Each carries its version, validation date, hand-labelled set and the
blind (out-of-sample) agreement measured for its versions (:class:`BlindAgreement`).

Analyses take the processed ``fiches_immersion`` frame (docs/processed_data.md) and return tidy
DataFrames: :func:`theme_coverage` (``immersions_themes.csv``), :func:`code_fiches`
(``immersions_codage.csv``), :func:`theme_by_group` (specificities), :func:`theme_cooccurrence`,
:func:`representative_quotes`, :func:`ratings_by_theme`, :func:`emerging_themes` and
:func:`themes_commentaires`; :func:`agreement` measures the coding against a hand-labelled set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import simplemma
import yaml
from scipy import stats
from scipy.optimize import linear_sum_assignment

from .config import CONFIG_DIR, ROOT, load_config
from .redaction import Roster, load_roster, normalise, redact, strip_accents

__all__ = [
    "BlindAgreement",
    "CODEBOOKS",
    "FIELDS",
    "FIELD_LABELS",
    "TYPE_LABELS",
    "AgreementSummary",
    "NEGATIONS",
    "STOP_WORDS",
    "Codebook",
    "CommentThemes",
    "EmergingThemes",
    "Roster",
    "Theme",
    "agreement",
    "code_fiches",
    "briefing_display",
    "code_texts",
    "codebook_path",
    "cooccurrence_pairs",
    "forms_overview",
    "group_specificities",
    "hand_labelled_agreement",
    "key_findings",
    "mask_ratings",
    "period_comparison",
    "proposals_briefing",
    "specificity_sentences",
    "strengths_vs_areas",
    "type_comparison",
    "uncoded_examples",
    "emerging_themes",
    "emerging_words",
    "labels_to_indicators",
    "lemmas",
    "lemmatise",
    "load_codebook",
    "load_roster",
    "matching_text",
    "normalise",
    "ratings_by_theme",
    "redact",
    "remove_stop_words",
    "representative_quotes",
    "specificities",
    "theme_by_group",
    "theme_cooccurrence",
    "theme_coverage",
    "themes_commentaires",
    "tokenise",
    "uncoded_answers",
]

#: Free-text fields of an immersion form, in report order.
FIELDS = ("points_forts", "axes_progression", "propositions")

# --- tokens and lemmas ---------------------------------------------------------------------------

#: Elided forms and the word they stand for (lemma used for coding).
ELISIONS = {
    "jusqu'": "jusque", "lorsqu'": "lorsque", "puisqu'": "puisque", "quoiqu'": "quoique",
    "qu'": "que", "l'": "le", "d'": "de", "j'": "je", "n'": "ne", "s'": "se", "c'": "ce",
    "m'": "me", "t'": "te",
}
_TOKEN = re.compile(
    r"aujourd'hui|prud'hom\w*|presqu'[îi]le"
    r"|\b(?:jusqu|lorsqu|puisqu|quoiqu|qu|[ldjnsctm])'"
    r"|\[[A-ZÉÈ ]+\]"
    r"|[^\W_]+(?:-[^\W_]+)*",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"\[[A-ZÉÈ ]+\]")

#: Negations, never removed as stop words (DESIGN §5): "pas assez de réunions" keeps "pas".
NEGATIONS = frozenset(
    {"pas", "ne", "n'", "sans", "plus", "moins", "jamais", "aucun", "aucune", "rien", "ni", "non",
     "guère", "nul", "nulle"}
)

_STOP_WORDS_BASE = frozenset(
    """
    le la les l' un une des du de d' au aux à a et ou mais donc or car que qu' qui quoi dont où
    ce c' cet cette ces celui celle ceux celles ça cela ceci ci là voici voilà il ils elle elles on je
    j' tu nous vous me m' te t' se s' lui leur leurs son sa ses mon ma mes ton ta tes notre nos votre
    vos y en dans par pour sur sous avec chez vers être avoir faire très trop bien tout tous toute
    toutes même aussi encore déjà ainsi alors comme si quand lorsque puisque jusque jusqu' lorsqu'
    puisqu' quelque quelques chaque autre autres certains certaines plusieurs beaucoup peu assez
    parfois souvent toujours ici cet après avant pendant depuis selon afin fois etc falloir
    pouvoir devoir vouloir aller mettre avoir car donc dès là-bas oui est sont était ont été
    """.split()
)
#: French stop words (surface forms and lemmas), negations excluded.
STOP_WORDS = _STOP_WORDS_BASE - NEGATIONS


def tokenise(text: object) -> list[str]:
    """Split normalised French text into lower-case tokens, elisions apart.

    Parameters
    ----------
    text : str or missing

    Returns
    -------
    list of str
        ``"L'accueil n'est pas"`` → ``["l'", "accueil", "n'", "est", "pas"]``. Hyphenated words stay
        whole (``bouche-à-oreille``), redaction placeholders stay one token (``[NOM]``), punctuation
        and digits-only tokens are kept only when alphanumeric.
    """
    return [t.lower() if not t.startswith("[") else t for t in _TOKEN.findall(normalise(text))]


@lru_cache(maxsize=200_000)
def _lemma(token: str) -> str:
    if token in ELISIONS:
        return ELISIONS[token]
    if _PLACEHOLDER.fullmatch(token) or not token.isalpha() and "-" not in token:
        return token
    return simplemma.lemmatize(token, lang="fr")


def lemmatise(tokens: Iterable[str]) -> list[str]:
    """Lemmas of tokens with simplemma (``lang="fr"``), cached per token.

    Elided forms map to their full word (``l'`` → ``le``, ``qu'`` → ``que``).

    References
    ----------
    Barbaresi, A. (2023). *simplemma: a simple multilingual lemmatizer for Python*. Zenodo.
    """
    return [_lemma(t) for t in tokens]


def remove_stop_words(words: Iterable[str], stop_words: frozenset[str] = STOP_WORDS) -> list[str]:
    """Drop stop words; negations (:data:`NEGATIONS`) are never in the default list."""
    return [w for w in words if w not in stop_words]


def lemmas(text: object, *, stop_words: bool = True, accents: bool = True) -> list[str]:
    """Normalise, tokenise and lemmatise a text; optionally drop stop words and accents.

    Redaction placeholders are dropped (they are not words of the answer).
    """
    out = [w for w in lemmatise(tokenise(text)) if not w.startswith("[")]
    if stop_words:
        out = remove_stop_words(out)
    if not accents:
        out = [strip_accents(w) for w in out]
    return out


@lru_cache(maxsize=100_000)
def matching_text(text: str) -> str:
    """The string codebook patterns run on: accent-free lemmas, then accent-free surface words.

    Both halves are lower case, space-separated, with elisions expanded (``d'`` → ``de``) and
    placeholders dropped; they are joined by ``" | "``. Matching the lemmas catches inflections
    (``communiquent`` → ``communiquer``); matching the surface words catches what the lemmatiser
    leaves alone or gets wrong, notably misspellings and missing accents.
    """
    tokens = [t for t in tokenise(text) if not t.startswith("[")]
    lemma_part = " ".join(strip_accents(w) for w in lemmatise(tokens))
    surface = " ".join(strip_accents(ELISIONS.get(t, t)) for t in tokens)
    return f"{lemma_part} | {surface}"


# --- codebook ------------------------------------------------------------------------------------


def _compile(patterns: Sequence[str]) -> re.Pattern | None:
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"\b(?:{body})\b")


@dataclass(frozen=True)
class Theme:
    """One codebook theme: French label, definition, patterns, exclusions and examples."""

    code: str
    libelle: str
    definition: str
    motifs: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    exemples: tuple[str, ...] = ()
    pattern: re.Pattern | None = field(default=None, repr=False, compare=False)
    exclusion: re.Pattern | None = field(default=None, repr=False, compare=False)

    def matches(self, prepared: str) -> bool:
        """Whether a :func:`matching_text` string mentions the theme.

        A motif match counts unless it lies entirely inside a match of an exclusion.
        """
        if self.pattern is None:
            return False
        if self.exclusion is None:
            return self.pattern.search(prepared) is not None
        hits = [m.span() for m in self.pattern.finditer(prepared)]
        if not hits:
            return False
        blocked = [m.span() for m in self.exclusion.finditer(prepared)]
        return any(not any(bs <= s and e <= be for bs, be in blocked) for s, e in hits)


class BlindAgreement(NamedTuple):
    """A blind (out-of-sample) agreement measure recorded in a codebook's ``accord_aveugle`` list.

    Answers of ``lot`` were written and labelled by hand after the patterns of ``version`` were
    frozen; ``kappa`` is the mean Cohen's kappa over the themes on those ``n`` answers.
    """

    version: str
    lot: str
    n: int
    kappa: float


@dataclass(frozen=True)
class Codebook:
    """A codebook (staff: ``config/codebook.yml``; residents: ``config/codebook_usagers.yml``).

    Attributes
    ----------
    version, date_validation : str
    themes : tuple of Theme
    accord_aveugle : tuple of BlindAgreement
        Blind agreement measures, oldest first (YAML key ``accord_aveugle``).
    jeu_annote : Path or None
        The hand-labelled set that goes with the codebook (YAML key ``jeu_annote``, relative to the
        workspace root); :func:`hand_labelled_agreement` uses it by default.
    public : str
        Whose texts it codes, in French (YAML key ``public``), for report sentences.
    """

    version: str
    date_validation: str
    themes: tuple[Theme, ...]
    accord_aveugle: tuple[BlindAgreement, ...] = ()
    jeu_annote: Path | None = None
    public: str = ""

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.themes]

    def labels(self) -> dict[str, str]:
        """Theme code → French label."""
        return {t.code: t.libelle for t in self.themes}

    def to_frame(self) -> pd.DataFrame:
        """One row per theme: theme, libelle, definition, n_motifs (for the methodology section)."""
        return pd.DataFrame(
            {
                "theme": self.codes,
                "libelle": [t.libelle for t in self.themes],
                "definition": [t.definition for t in self.themes],
                "n_motifs": [len(t.motifs) for t in self.themes],
            }
        )


#: Codebooks named in ``config/observatoire.yml`` (``textes.codebook_<name>``) and their default file.
CODEBOOKS = {"immersions": "config/codebook.yml", "usagers": "config/codebook_usagers.yml"}


def codebook_path(name: str = "immersions", config: dict | None = None) -> Path:
    """Path of a codebook named in the configuration (``textes.codebook_<name>``).

    Parameters
    ----------
    name : {"immersions", "usagers"}
        ``"immersions"``: staff texts (immersion forms, seminar reviews); ``"usagers"``: residents'
        survey comments.
    config : dict, optional
        Parsed ``observatoire.yml`` (default :func:`ducos_lib.config.load_config`).

    Returns
    -------
    Path
        Absolute (relative settings are read from the workspace root); the file of :data:`CODEBOOKS`
        when the configuration has no ``textes`` entry for it.

    Raises
    ------
    ValueError
        In French, for an unknown name (listing the allowed ones).
    """
    if name not in CODEBOOKS:
        raise ValueError(f"Codebook inconnu : « {name} » ; valeurs possibles : {', '.join(CODEBOOKS)}.")
    config = load_config() if config is None else config
    setting = (config.get("textes") or {}).get(f"codebook_{name}", CODEBOOKS[name])
    path = Path(setting)
    return path if path.is_absolute() else ROOT / path


def _blind_entries(raw: object, path: Path) -> tuple[BlindAgreement, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError(f"Codebook {path} : « accord_aveugle » doit être une liste "
                         "d'entrées {version, lot, n, kappa}.")
    out = []
    for i, entry in enumerate(raw, 1):
        missing = [k for k in BlindAgreement._fields if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise ValueError(f"Codebook {path} : l'entrée {i} de « accord_aveugle » n'a pas "
                             f"{', '.join(f'« {k} »' for k in missing)}.")
        try:
            n, kappa = int(entry["n"]), float(entry["kappa"])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Codebook {path} : l'entrée {i} de « accord_aveugle » a un n ou un kappa "
                             f"non numérique ({entry['n']!r}, {entry['kappa']!r}).") from exc
        if n <= 0 or not -1 <= kappa <= 1:
            raise ValueError(f"Codebook {path} : l'entrée {i} de « accord_aveugle » doit avoir n > 0 et "
                             f"un kappa entre -1 et 1 (lu : n = {n}, kappa = {kappa}).")
        out.append(BlindAgreement(str(entry["version"]), str(entry["lot"]), n, kappa))
    return tuple(out)


def load_codebook(path: Path | str | None = None) -> Codebook:
    """Read and compile a codebook YAML file (default: the staff codebook, :func:`codebook_path`).

    Parameters
    ----------
    path : path, optional
        E.g. ``codebook_path("usagers")`` for the residents' survey comments.

    Raises
    ------
    ValueError
        In French, when ``version``, ``date_validation`` or a theme's ``libelle``/``motifs`` is
        missing, a pattern is not a valid regular expression, or an ``accord_aveugle`` entry lacks
        ``version``, ``lot``, ``n`` or ``kappa``.
    """
    path = Path(path) if path is not None else codebook_path("immersions")
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    for key in ("version", "date_validation", "themes"):
        if key not in raw:
            raise ValueError(f"Codebook {path} : la clé « {key} » est absente.")
    themes = []
    for code, spec in raw["themes"].items():
        for key in ("libelle", "definition", "motifs"):
            if not spec.get(key):
                raise ValueError(f"Codebook {path} : le thème « {code} » n'a pas de « {key} ».")
        motifs = tuple(spec["motifs"])
        exclusions = tuple(spec.get("exclusions") or ())
        try:
            pattern, exclusion = _compile(motifs), _compile(exclusions)
        except re.error as exc:
            raise ValueError(f"Codebook {path} : motif invalide dans « {code} » ({exc}).") from exc
        themes.append(
            Theme(code, spec["libelle"], spec["definition"].strip(), motifs, exclusions,
                  tuple(spec.get("exemples") or ()), pattern, exclusion)
        )
    jeu = raw.get("jeu_annote")
    jeu = None if not jeu else (Path(jeu) if Path(jeu).is_absolute() else ROOT / jeu)
    return Codebook(str(raw["version"]), str(raw["date_validation"]), tuple(themes),
                    _blind_entries(raw.get("accord_aveugle"), path), jeu, str(raw.get("public") or ""))


def _codebook(codebook: Codebook | None) -> Codebook:
    return codebook if codebook is not None else load_codebook()


def code_texts(texts: pd.Series, codebook: Codebook | None = None) -> pd.DataFrame:
    """Code each text to zero, one or several themes.

    Parameters
    ----------
    texts : Series of str
        Answers as typed (missing values allowed).
    codebook : Codebook, optional
        Defaults to ``config/codebook.yml``.

    Returns
    -------
    DataFrame
        Boolean indicators, same index as ``texts``, one column per theme in codebook order.

    Notes
    -----
    Negated mentions count: "pas assez de réunions" is coded ``communication_interne``. Matching is
    on accent-free lemmas and surface words (:func:`matching_text`), so "reunion" and "réunions"
    both match.
    """
    codebook = _codebook(codebook)
    values = texts.astype(object).where(texts.notna(), "")
    uniques = pd.unique(values.to_numpy())
    rows = {}
    for text in uniques:
        prepared = matching_text(normalise(text))
        rows[text] = [theme.matches(prepared) for theme in codebook.themes]
    matrix = np.array([rows[v] for v in values], dtype=bool).reshape(len(values), len(codebook.themes))
    return pd.DataFrame(matrix, index=texts.index, columns=codebook.codes)


def _non_empty(values: pd.Series) -> pd.Series:
    return values.map(normalise, na_action="ignore").fillna("").astype(bool)


def code_fiches(
    fiches: pd.DataFrame, codebook: Codebook | None = None, *, fields: Sequence[str] = FIELDS
) -> pd.DataFrame:
    """Long coding table of the forms: ``immersions_codage.csv`` (DESIGN §4).

    Returns
    -------
    DataFrame
        Columns ``id_fiche, champ, theme``; one row per form × field × theme mentioned, ordered by
        form, field (``fields`` order) and theme (codebook order).
    """
    codebook = _codebook(codebook)
    parts = []
    for champ in fields:
        ind = code_texts(fiches[champ], codebook)
        ind.index = fiches["id_fiche"].to_numpy()
        long = ind.rename_axis("id_fiche").reset_index().melt(
            id_vars="id_fiche", var_name="theme", value_name="code"
        )
        long = long[long["code"]].drop(columns="code").assign(champ=champ)
        parts.append(long)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["id_fiche", "champ", "theme"])
    out["_f"] = out["champ"].map({c: i for i, c in enumerate(fields)})
    out["_t"] = out["theme"].map({c: i for i, c in enumerate(codebook.codes)})
    out = out.sort_values(["id_fiche", "_f", "_t"], kind="stable")
    return out[["id_fiche", "champ", "theme"]].astype(str).reset_index(drop=True)


def theme_coverage(
    fiches: pd.DataFrame,
    coding: pd.DataFrame | None = None,
    codebook: Codebook | None = None,
    *,
    fields: Sequence[str] = FIELDS,
    denominator: str = "non_vide",
) -> pd.DataFrame:
    """Share of forms whose field mentions each theme: ``immersions_themes.csv`` (DESIGN §4).

    Parameters
    ----------
    fiches : DataFrame
        Processed ``fiches_immersion``.
    coding : DataFrame, optional
        Output of :func:`code_fiches` (computed when omitted).
    denominator : {"non_vide", "toutes"}
        ``"non_vide"`` (default): forms whose field is not blank (an answer such as "RAS" counts as
        an answer); ``"toutes"``: every form.

    Returns
    -------
    DataFrame
        ``champ, theme, n_fiches, part_fiches``; every field × theme, zeros included;
        ``part_fiches`` in [0, 1] (NaN when the denominator is 0).
    """
    if denominator not in {"non_vide", "toutes"}:
        raise ValueError(f"denominator doit valoir 'non_vide' ou 'toutes', pas {denominator!r}.")
    codebook = _codebook(codebook)
    coding = code_fiches(fiches, codebook, fields=fields) if coding is None else coding
    rows = []
    for champ in fields:
        base = int(_non_empty(fiches[champ]).sum()) if denominator == "non_vide" else len(fiches)
        sub = coding[coding["champ"] == champ]
        counts = sub.drop_duplicates(["id_fiche", "theme"])["theme"].value_counts()
        for theme in codebook.codes:
            n = int(counts.get(theme, 0))
            rows.append((champ, theme, n, n / base if base else np.nan))
    out = pd.DataFrame(rows, columns=["champ", "theme", "n_fiches", "part_fiches"])
    out["n_fiches"] = out["n_fiches"].astype("int64")
    out["part_fiches"] = out["part_fiches"].astype("float64")
    return out


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
    data = coding[units[unit] + ["theme"]].drop_duplicates()
    key = data[units[unit]].astype(str).agg("\x1f".join, axis=1) if len(data) else pd.Series(dtype=str)
    ind = pd.crosstab(key, data["theme"]).reindex(columns=codebook.codes, fill_value=0).clip(upper=1)
    mat = ind.T.to_numpy() @ ind.to_numpy() if len(ind) else np.zeros((len(codebook.codes),) * 2)
    diag = np.diag(mat)
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = mat / (diag[:, None] + diag[None, :] - mat)
    idx = pd.MultiIndex.from_product([codebook.codes, codebook.codes], names=["theme_a", "theme_b"])
    return pd.DataFrame({"n": mat.ravel().astype("int64"), "jaccard": jac.ravel()}, index=idx).reset_index()


# --- quotes ----------------------------------------------------------------------------------------


def _as_roster(roster: Roster | Iterable[str] | None) -> Roster | None:
    if roster is None or isinstance(roster, Roster):
        return roster
    return Roster.build(roster)


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
    long["texte"] = long["texte"].map(normalise).astype(str)
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
    return _pick_quotes(long, ind, n, _as_roster(roster), ["id_fiche", "champ"])


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
        French explanation when the result is empty.
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
        Under this many non-empty answers the result is empty with a French reason.

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
            n_docs, f"Trop peu de réponses non codées ({n_docs} < {min_documents}) pour chercher des thèmes émergents."
        )
    vec = TfidfVectorizer(token_pattern=r"\S+", min_df=min_df, sublinear_tf=True, lowercase=False)
    try:
        x = vec.fit_transform(docs.to_numpy())
    except ValueError:
        return _empty_emerging(n_docs, "Vocabulaire trop pauvre dans les réponses non codées.")
    vocab = vec.get_feature_names_out()
    ks = [k for k in k_range if 2 <= k < min(n_docs, len(vocab))]
    if not ks:
        return _empty_emerging(n_docs, f"Vocabulaire trop pauvre ({len(vocab)} lemmes) pour plusieurs thèmes.")
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
    roster = _as_roster(roster)
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


# --- survey and seminar comments -------------------------------------------------------------------


@dataclass(frozen=True)
class CommentThemes:
    """Result of :func:`themes_commentaires`: ``counts`` and redacted ``examples``."""

    counts: pd.DataFrame
    examples: pd.DataFrame
    codebook_version: str


def themes_commentaires(
    texts: pd.Series,
    groups: pd.Series | None = None,
    *,
    codebook: Codebook | None = None,
    n_examples: int = 2,
    roster: Roster | Iterable[str] | None = None,
) -> CommentThemes:
    """Themes of free comments (survey ``commentaire``, seminar review) per group, e.g. per wave.

    Parameters
    ----------
    texts : Series of str
        Comments; blanks are ignored.
    groups : Series, optional
        Group of each comment (same index), e.g. ``vague``; all comments form one group
        ``"ensemble"`` when omitted.
    codebook : Codebook, optional
        Defaults to the staff codebook (seminar reviews). Residents' survey comments are coded with
        ``load_codebook(codebook_path("usagers"))``, as
        :func:`ducos_lib.survey.themes_commentaires_enquete` does.

    Returns
    -------
    CommentThemes
        ``counts``: ``groupe, theme, n_commentaires, n_total, part`` (``n_total`` = non-empty
        comments of the group, ``part`` in [0, 1]), every group × theme; ``examples``:
        ``groupe, theme, rang, cle, citation`` chosen as in :func:`representative_quotes`.
    """
    codebook = _codebook(codebook)
    groups = pd.Series("ensemble", index=texts.index) if groups is None else groups.reindex(texts.index)
    keep = _non_empty(texts) & groups.notna()
    texts, groups = texts[keep].map(normalise).astype(str), groups[keep].astype(str)
    ind = code_texts(texts, codebook)
    counts_rows, examples = [], []
    roster = _as_roster(roster)
    for group in sorted(groups.unique()):
        mask = (groups == group).to_numpy()
        total = int(mask.sum())
        for theme in codebook.codes:
            n = int(ind.loc[mask, theme].sum())
            counts_rows.append((group, theme, n, total, n / total if total else np.nan))
        answers = pd.DataFrame({"cle": texts.index[mask].astype(str), "texte": texts[mask].to_numpy()})
        quotes = _pick_quotes(answers, ind[mask].reset_index(drop=True), n_examples, roster, ["cle"])
        examples.append(quotes.assign(groupe=group))
    counts = pd.DataFrame(counts_rows, columns=["groupe", "theme", "n_commentaires", "n_total", "part"])
    ex_cols = ["groupe", "theme", "rang", "cle", "citation"]
    ex = pd.concat(examples, ignore_index=True)[ex_cols] if examples else pd.DataFrame(columns=ex_cols)
    return CommentThemes(counts, ex, codebook.version)


# --- agreement -------------------------------------------------------------------------------------


def labels_to_indicators(labels: pd.Series, themes: Sequence[str], sep: str = ";") -> pd.DataFrame:
    """Turn ``"theme_a;theme_b"`` label strings (blank = no theme) into boolean indicators.

    Raises
    ------
    ValueError
        When a label is not one of ``themes``.
    """
    sets = labels.fillna("").astype(str).map(lambda s: {x.strip() for x in s.split(sep) if x.strip()})
    unknown = set().union(*sets) - set(themes) if len(sets) else set()
    if unknown:
        raise ValueError(f"Thèmes inconnus dans les étiquettes : {sorted(unknown)} ; attendus : {list(themes)}.")
    return pd.DataFrame({t: sets.map(lambda s, t=t: t in s).astype(bool) for t in themes}, index=labels.index)


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
        is NaN when the automatic (human) coding never uses the theme; kappa is NaN when both
        codings are constant and equal.

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement*, 20(1), 37–46.
    """
    coded = coded.reindex(index=gold.index, columns=gold.columns, fill_value=False).astype(bool)
    rows = []
    for theme in gold.columns:
        a, h = coded[theme].to_numpy(), gold[theme].astype(bool).to_numpy()
        n = len(h)
        tp = int((a & h).sum())
        po = float((a == h).mean()) if n else np.nan
        pe = float(a.mean() * h.mean() + (1 - a.mean()) * (1 - h.mean())) if n else np.nan
        kappa = (po - pe) / (1 - pe) if n and pe < 1 else np.nan
        rows.append(
            (theme, n, int(h.sum()), int(a.sum()), tp,
             tp / a.sum() if a.sum() else np.nan, tp / h.sum() if h.sum() else np.nan, kappa)
        )
    return pd.DataFrame(
        rows, columns=["theme", "n", "n_humain", "n_auto", "vrais_positifs", "precision", "rappel", "kappa"]
    )


# --- report helpers (notebook 02_immersions) -------------------------------------------------------
#
# The notebook holds narrative and calls; the tables it shows, the sentences of its key findings
# and the briefing of the phase-3 experts are built here so that tests can check them.

#: Fields of the form in French, for tables and sentences.
FIELD_LABELS = {
    "points_forts": "Points forts",
    "axes_progression": "Axes de progression",
    "propositions": "Propositions",
}

#: Immersion types in French.
TYPE_LABELS = {"inter": "Inter-services (invité d'un autre service)",
               "intra": "Intra-service (encadrant dans sa propre équipe)"}

#: |adjusted residual| above which a theme is called over- or under-represented (5 % level).
Z_SPECIFICITE = 1.959964


def _fmt():
    from .reports import formats  # local import: formats is light, but keep text importable on its own

    return formats


def _esc(text: object) -> str:
    import html

    return html.escape(str(text), quote=False)


def forms_overview(fiches: pd.DataFrame, service_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Number of forms per host service and immersion type, with a final ``Ensemble`` row.

    Returns
    -------
    DataFrame
        ``service_accueil, libelle, inter, intra, total``; services by decreasing total, then code.
        Counts of forms, not of people: a guest may have filled several forms.
    """
    cols = ["service_accueil", "libelle", "inter", "intra", "total"]
    if fiches is None or fiches.empty:
        return pd.DataFrame(columns=cols)
    labels = service_labels or {}
    tab = pd.crosstab(fiches["service_accueil"].astype(str), fiches["type_immersion"].astype(str))
    tab = tab.reindex(columns=["inter", "intra"], fill_value=0)
    tab["total"] = tab.sum(axis=1)
    tab = tab.reset_index().rename(columns={"index": "service_accueil"})
    tab["libelle"] = tab["service_accueil"].map(lambda c: labels.get(c, c))
    tab = tab.sort_values(["total", "service_accueil"], ascending=[False, True], kind="stable")
    total = pd.DataFrame([{"service_accueil": "Ensemble", "libelle": "Tous services",
                           "inter": int(tab["inter"].sum()), "intra": int(tab["intra"].sum()),
                           "total": int(tab["total"].sum())}])
    out = pd.concat([tab[cols], total], ignore_index=True)
    for c in ("inter", "intra", "total"):
        out[c] = out[c].astype("int64")
    return out


def strengths_vs_areas(coverage: pd.DataFrame, codebook: Codebook | None = None, *,
                       seuil_ecart: float = 0.05) -> pd.DataFrame:
    """Each theme as strength and as area for improvement, from :func:`theme_coverage`.

    Parameters
    ----------
    coverage : DataFrame
        ``champ, theme, n_fiches, part_fiches`` (``immersions_themes.csv``).
    seuil_ecart : float
        Gap (in proportion) between the two shares under which the theme is called balanced.

    Returns
    -------
    DataFrame
        ``theme, libelle, part_points_forts, part_axes_progression, part_propositions,
        n_points_forts, n_axes_progression, n_propositions, ecart, lecture``, one row per theme in
        codebook order; ``ecart`` = share as strength − share as area for improvement;
        ``lecture`` is "plutôt un point fort", "plutôt un axe de progression" or "équilibré".
    """
    codebook = _codebook(codebook)
    wide_p = coverage.pivot_table(index="theme", columns="champ", values="part_fiches", aggfunc="first")
    wide_n = coverage.pivot_table(index="theme", columns="champ", values="n_fiches", aggfunc="first")
    out = pd.DataFrame({"theme": codebook.codes})
    out["libelle"] = out["theme"].map(codebook.labels())
    for champ in FIELDS:
        p = wide_p[champ] if champ in wide_p.columns else pd.Series(dtype=float)
        n = wide_n[champ] if champ in wide_n.columns else pd.Series(dtype=float)
        out[f"part_{champ}"] = out["theme"].map(p).astype("float64")
        out[f"n_{champ}"] = out["theme"].map(n).fillna(0).astype("int64")
    out["ecart"] = out["part_points_forts"] - out["part_axes_progression"]
    out["lecture"] = np.select(
        [out["ecart"] >= seuil_ecart, out["ecart"] <= -seuil_ecart],
        ["plutôt un point fort", "plutôt un axe de progression"], "équilibré",
    )
    out.loc[out["ecart"].isna(), "lecture"] = "–"
    return out


def group_specificities(
    fiches: pd.DataFrame,
    coding: pd.DataFrame,
    by: str = "service_accueil",
    *,
    codebook: Codebook | None = None,
    min_fiches: int = 5,
    champ: str | Sequence[str] | None = None,
    z: float = Z_SPECIFICITE,
    group_labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Theme specificities by group, restricted to groups with at least ``min_fiches`` forms.

    Groups with fewer forms are left out before the χ² table is built (a share over 2 forms says
    nothing, and a figure about fewer than the confidentiality threshold is not published).

    Returns
    -------
    DataFrame
        :func:`theme_by_group` columns plus ``libelle`` (theme), ``libelle_groupe``,
        ``part_autres`` (share of the theme in the other kept groups' forms) and ``sens``:
        ``"sur-représenté"`` when the adjusted residual is above ``z``, ``"sous-représenté"``
        below −``z``, else ``""``.
    """
    codebook = _codebook(codebook)
    cols = ["theme", "libelle", "groupe_variable", "groupe", "libelle_groupe", "n_fiches_groupe", "n_fiches",
            "part_fiches", "part_autres", "attendu", "residu_standardise", "residu_ajuste", "sens"]
    if fiches is None or fiches.empty or by not in fiches.columns:
        return pd.DataFrame(columns=cols)
    sizes = fiches.groupby(by)["id_fiche"].nunique()
    kept = sizes[sizes >= min_fiches].index
    sub = fiches[fiches[by].isin(kept)]
    if len(kept) < 2:
        return pd.DataFrame(columns=cols)
    spec = theme_by_group(sub, coding[coding["id_fiche"].isin(sub["id_fiche"])], by, champ=champ,
                          codebook=codebook)
    tot_n = spec.groupby("theme")["n_fiches"].transform("sum")
    tot_g = spec.groupby("theme")["n_fiches_groupe"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        spec["part_autres"] = (tot_n - spec["n_fiches"]) / (tot_g - spec["n_fiches_groupe"])
    spec["libelle"] = spec["theme"].map(codebook.labels())
    labels = group_labels or {}
    spec["libelle_groupe"] = spec["groupe"].map(lambda g: labels.get(g, g))
    r = spec["residu_ajuste"]
    spec["sens"] = np.select([r > z, r < -z], ["sur-représenté", "sous-représenté"], "")
    return spec[cols].reset_index(drop=True)


def type_comparison(spec_type: pd.DataFrame) -> pd.DataFrame:
    """Wide inter vs intra comparison from :func:`group_specificities` ``by="type_immersion"``.

    Returns
    -------
    DataFrame
        ``theme, libelle, part_inter, part_intra, ecart, residu_ajuste, sens`` (residual and
        ``sens`` of the inter group: with two groups the intra residual is its opposite), sorted by
        decreasing |residual|.
    """
    cols = ["theme", "libelle", "part_inter", "part_intra", "ecart", "residu_ajuste", "sens"]
    if spec_type.empty or not {"inter", "intra"} <= set(spec_type["groupe"]):
        return pd.DataFrame(columns=cols)
    inter = spec_type[spec_type["groupe"] == "inter"].set_index("theme")
    intra = spec_type[spec_type["groupe"] == "intra"].set_index("theme")
    out = pd.DataFrame({
        "theme": inter.index, "libelle": inter["libelle"].to_numpy(),
        "part_inter": inter["part_fiches"].to_numpy(),
        "part_intra": intra["part_fiches"].reindex(inter.index).to_numpy(),
        "residu_ajuste": inter["residu_ajuste"].to_numpy(), "sens": inter["sens"].to_numpy(),
    })
    out["ecart"] = out["part_inter"] - out["part_intra"]
    out = out.assign(_a=out["residu_ajuste"].abs()).sort_values("_a", ascending=False, kind="stable")
    return out[cols].reset_index(drop=True)


def specificity_sentences(spec: pd.DataFrame, *, n_max: int = 6) -> list[str]:
    """Plain-French sentences for the significant cells of :func:`group_specificities`.

    Over-represented cells first, by decreasing residual; e.g. « Sports : « Outils et moyens »
    cité dans 60 % des fiches, contre 22 % ailleurs (sur-représenté). »
    """
    fmt = _fmt()
    sig = spec[spec["sens"] != ""].copy()
    if sig.empty:
        return []
    sig["_o"] = np.where(sig["sens"] == "sur-représenté", 0, 1)
    sig["_a"] = -sig["residu_ajuste"].abs()
    sig = sig.sort_values(["_o", "_a", "groupe", "theme"], kind="stable").head(n_max)
    return [
        f"{_esc(r.libelle_groupe)} : « {_esc(r.libelle)} » cité dans {fmt.percent(r.part_fiches, 0)} des fiches "
        f"({fmt.number(r.n_fiches)} sur {fmt.number(r.n_fiches_groupe)}), contre {fmt.percent(r.part_autres, 0)} "
        f"ailleurs ({r.sens})."
        for r in sig.itertuples()
    ]


def cooccurrence_pairs(cooc: pd.DataFrame, codebook: Codebook | None = None, *, top: int = 5,
                       min_n: int = 1) -> pd.DataFrame:
    """Most frequent pairs of distinct themes from :func:`theme_cooccurrence`.

    Returns
    -------
    DataFrame
        ``theme_a, theme_b, libelle_a, libelle_b, n, jaccard`` (each unordered pair once, codebook
        order within the pair), by decreasing ``n`` then Jaccard index; pairs under ``min_n`` dropped.
    """
    codebook = _codebook(codebook)
    order = {c: i for i, c in enumerate(codebook.codes)}
    pairs = cooc[cooc["theme_a"].map(order) < cooc["theme_b"].map(order)]
    pairs = pairs[pairs["n"] >= min_n].sort_values(["n", "jaccard", "theme_a", "theme_b"],
                                                   ascending=[False, False, True, True], kind="stable")
    labels = codebook.labels()
    out = pairs.head(top).assign(libelle_a=lambda d: d["theme_a"].map(labels),
                                 libelle_b=lambda d: d["theme_b"].map(labels))
    return out[["theme_a", "theme_b", "libelle_a", "libelle_b", "n", "jaccard"]].reset_index(drop=True)


def mask_ratings(ratings: pd.DataFrame, seuil: int = 5) -> pd.DataFrame:
    """Hide means of :func:`ratings_by_theme` computed on fewer than ``seuil`` ratings.

    A mean over fewer forms is a figure about fewer guests than the confidentiality threshold
    (DESIGN §6): ``moyenne``, ``ecart_type`` and the interval become NaN and ``masque`` is True.
    """
    out = ratings.copy()
    masque = out["n"] < seuil
    for c in ("moyenne", "ecart_type", "ic_bas", "ic_haut"):
        out[c] = out[c].astype("float64").mask(masque)
    out["masque"] = masque.to_numpy()
    return out


def proposals_briefing(
    fiches: pd.DataFrame,
    coding: pd.DataFrame,
    codebook: Codebook | None = None,
    *,
    n: int = 3,
    roster: Roster | Iterable[str] | None = None,
    trim: bool = True,
) -> pd.DataFrame:
    """The briefing of the phase-3 experts: proposals grouped by theme, with redacted examples.

    Parameters
    ----------
    fiches, coding : DataFrame
        Processed forms and :func:`code_fiches`.
    n : int
        Representative proposals per theme (:func:`representative_quotes`, field ``propositions``).
    roster : Roster, optional
        Names of the HR roster: pass it, or names of agents may remain in the quotes.
    trim : bool, default True
        Keep only the sentences of a (redacted) proposal that mention the theme, with "[…]" where
        sentences were left out (:func:`_theme_sentences`), so each row reads as one proposal.

    Returns
    -------
    DataFrame
        ``immersions_propositions.csv``: ``theme, libelle, n_fiches, part_fiches, rang, id_fiche,
        proposition_redigee``. Themes by decreasing ``n_fiches`` (forms whose proposals mention the
        theme; ``part_fiches`` over forms with a non-blank proposal), up to ``n`` rows per theme;
        a theme no proposal mentions has one row with rank 0 and an empty proposal.
    """
    codebook = _codebook(codebook)
    cols = ["theme", "libelle", "n_fiches", "part_fiches", "rang", "id_fiche", "proposition_redigee"]
    if fiches is None or fiches.empty:
        return pd.DataFrame(columns=cols)
    cov = theme_coverage(fiches, coding, codebook, fields=("propositions",))
    quotes = representative_quotes(fiches, coding, codebook, n=4 * n, champ="propositions", roster=roster)
    order = {c: i for i, c in enumerate(codebook.codes)}
    cov = cov.assign(_o=cov["theme"].map(order)).sort_values(["n_fiches", "_o"], ascending=[False, True],
                                                              kind="stable")
    themes = {t.code: t for t in codebook.themes}
    rows = []
    for r in cov.itertuples():
        q = quotes[quotes["theme"] == r.theme]
        if q.empty:
            rows.append((r.theme, r.n_fiches, r.part_fiches, 0, "", ""))
        seen: set[str] = set()
        for qr in q.itertuples():
            text = _theme_sentences(qr.citation, themes[r.theme]) if trim else qr.citation
            key = strip_accents(text).casefold().replace("[…]", "").strip(" .?!")
            if key in seen or len(seen) >= n:
                continue
            seen.add(key)
            rows.append((r.theme, r.n_fiches, r.part_fiches, len(seen), str(qr.id_fiche), text))
    out = pd.DataFrame(rows, columns=["theme", "n_fiches", "part_fiches", "rang", "id_fiche", "proposition_redigee"])
    out["libelle"] = out["theme"].map(codebook.labels())
    out["n_fiches"] = out["n_fiches"].astype("int64")
    out["rang"] = out["rang"].astype("int64")
    return out[cols]


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def _theme_sentences(text: str, theme: Theme) -> str:
    """The sentences of ``text`` that mention ``theme``, "[…]" marking the ones left out.

    Sentences end with ``.``, ``!``, ``?`` or ``;``; when no single sentence mentions the theme
    (it is carried by the whole answer) the text is returned unchanged.
    """
    parts = [p.strip().lstrip("-•*– ").strip() for p in _SENTENCE_END.split(text.strip())]
    parts = [p for p in parts if p]
    if len(parts) < 2:
        return parts[0] if parts else text
    keep = [theme.matches(matching_text(normalise(p))) for p in parts]
    if not any(keep):
        return text
    if all(keep):
        return " ".join(parts)
    out: list[str] = []
    for part, k in zip(parts, keep):
        if k:
            out.append(part.rstrip(" ;"))
        elif not out or out[-1] != "[…]":
            out.append("[…]")
    return " ".join(p if p == "[…]" or p.endswith((".", "!", "?")) else p + "." for p in out)


def emerging_words(emerging: EmergingThemes, texts: pd.Series) -> pd.DataFrame:
    """Top words of each emerging theme written with their accents, for display.

    :func:`emerging_themes` works on accent-free lemmas (``journee``); each is shown as its most
    frequent accented lemma in ``texts`` (the answers given to :func:`emerging_themes`).

    Returns
    -------
    DataFrame
        ``theme_emergent, mots`` (comma-separated, by decreasing weight).
    """
    from collections import Counter

    counts: dict[str, Counter] = {}
    for text in texts.dropna():
        for w in lemmas(text):
            counts.setdefault(strip_accents(w), Counter())[w] += 1
    shown = emerging.topics.assign(
        mot=emerging.topics["mot"].map(lambda m: counts[m].most_common(1)[0][0] if m in counts else m)
    )
    out = shown.groupby("theme_emergent", sort=False)["mot"].apply(", ".join).reset_index()
    return out.rename(columns={"mot": "mots"})


def briefing_display(briefing: pd.DataFrame) -> pd.DataFrame:
    """French display of :func:`proposals_briefing`: theme and counts on the first row of each theme.

    Returns
    -------
    DataFrame
        ``Thème, Fiches, Proposition (caviardée)``; ``Fiches`` reads "30 (30 %)"; later rows of a
        theme leave the first two columns empty; a theme without proposal shows "–".
    """
    fmt = _fmt()
    rows = []
    for _theme, grp in briefing.groupby("theme", sort=False):
        for i, r in enumerate(grp.itertuples()):
            first = i == 0
            rows.append((
                r.libelle if first else "",
                f"{fmt.number(r.n_fiches)} ({fmt.percent(r.part_fiches, 0)})" if first else "",
                r.proposition_redigee or "–",
            ))
    return pd.DataFrame(rows, columns=["Thème", "Fiches", "Proposition (caviardée)"])


def uncoded_examples(uncoded: pd.Series, *, n: int = 5,
                     roster: Roster | Iterable[str] | None = None) -> pd.DataFrame:
    """A few redacted answers the codebook leaves uncoded (from :func:`uncoded_answers`).

    Returns
    -------
    DataFrame
        ``champ, citation``: distinct answers, the first ``n`` in key order (form, field), redacted.
    """
    if uncoded is None or uncoded.empty:
        return pd.DataFrame(columns=["champ", "citation"])
    roster = _as_roster(roster)
    frame = pd.DataFrame({"cle": uncoded.index.astype(str), "texte": uncoded.to_numpy()})
    frame = frame.drop_duplicates("texte").sort_values("cle", kind="stable").head(n)
    champ = frame["cle"].str.split("|").str[-1].map(lambda c: FIELD_LABELS.get(c, c))
    return pd.DataFrame({"champ": champ.to_numpy(),
                         "citation": [redact(t, roster) for t in frame["texte"]]})


def period_comparison(
    fiches: pd.DataFrame,
    coding: pd.DataFrame,
    cut: object,
    codebook: Codebook | None = None,
    *,
    fields: Sequence[str] = FIELDS,
) -> pd.DataFrame:
    """Theme shares of the forms dated up to ``cut`` versus those dated after it.

    The two sets of forms are disjoint (e.g. forms up to T6, then forms between T6 and T12), so the
    difference of shares gets Fisher's exact test on the 2 × 2 table (mentions / other answers).

    Returns
    -------
    DataFrame
        ``champ, theme, libelle, n_avant, base_avant, part_avant, n_apres, base_apres, part_apres,
        difference, p_valeur`` (``difference`` = after − before, in proportion).

    References
    ----------
    Fisher, R. A. (1922). On the interpretation of χ² from contingency tables, and the calculation
    of P. *Journal of the Royal Statistical Society*, 85(1), 87–94.
    """
    codebook = _codebook(codebook)
    cut = pd.Timestamp(cut)
    dates = pd.to_datetime(fiches["date_immersion"])
    parts = {}
    for name, mask in (("avant", dates <= cut), ("apres", dates > cut)):
        sub = fiches[mask.to_numpy()]
        cov = theme_coverage(sub, coding[coding["id_fiche"].isin(sub["id_fiche"])], codebook, fields=fields)
        cov["base"] = cov["champ"].map({c: int(_non_empty(sub[c]).sum()) for c in fields})
        parts[name] = cov.set_index(["champ", "theme"])
    a, b = parts["avant"], parts["apres"]
    out = pd.DataFrame({
        "n_avant": a["n_fiches"], "base_avant": a["base"], "part_avant": a["part_fiches"],
        "n_apres": b["n_fiches"], "base_apres": b["base"], "part_apres": b["part_fiches"],
    }).reset_index()
    out["libelle"] = out["theme"].map(codebook.labels())
    out["difference"] = out["part_apres"] - out["part_avant"]
    pv = []
    for r in out.itertuples():
        if r.base_avant and r.base_apres:
            table = [[r.n_avant, r.base_avant - r.n_avant], [r.n_apres, r.base_apres - r.n_apres]]
            pv.append(float(stats.fisher_exact(table).pvalue))
        else:
            pv.append(np.nan)
    out["p_valeur"] = pv
    cols = ["champ", "theme", "libelle", "n_avant", "base_avant", "part_avant", "n_apres", "base_apres",
            "part_apres", "difference", "p_valeur"]
    for c in ("n_avant", "base_avant", "n_apres", "base_apres"):
        out[c] = out[c].astype("int64")
    return out[cols]


@dataclass(frozen=True)
class AgreementSummary:
    """Agreement of the codebook with the hand-labelled set (:func:`hand_labelled_agreement`).

    Attributes
    ----------
    per_theme : DataFrame
        :func:`agreement` on all answers, plus ``libelle``.
    per_lot : DataFrame
        ``lot, n, kappa_moyen``: mean kappa per lot of the fixture.
    mean_kappa : float
        Mean of the per-theme kappas over all answers.
    n : int
        Hand-labelled answers.
    codebook_version : str
    blind : tuple of BlindAgreement
        The codebook's ``accord_aveugle``: out-of-sample measures, oldest first.
    """

    per_theme: pd.DataFrame
    per_lot: pd.DataFrame
    mean_kappa: float
    n: int
    codebook_version: str
    blind: tuple[BlindAgreement, ...] = ()


#: Hand-labelled set of a codebook without ``jeu_annote`` (tests/fixtures/codage_annote.csv: id, lot,
#: champ, texte, themes).
HAND_LABELLED = CONFIG_DIR.parent / "tests" / "fixtures" / "codage_annote.csv"


def hand_labelled_agreement(path: Path | str | None = None, codebook: Codebook | None = None) -> AgreementSummary:
    """Code the hand-labelled answers and measure agreement with the human labels.

    Parameters
    ----------
    path : path, optional
        CSV with ``lot, texte, themes`` (themes ``;``-separated, blank = none); defaults to the
        codebook's ``jeu_annote``, else :data:`HAND_LABELLED`.
    codebook : Codebook, optional
        Defaults to the staff codebook.

    Raises
    ------
    FileNotFoundError
        In French, when the file is absent.
    """
    codebook = _codebook(codebook)
    path = Path(path) if path is not None else (codebook.jeu_annote or HAND_LABELLED)
    if not path.exists():
        raise FileNotFoundError(f"Jeu annoté introuvable : {path}.")
    gold_frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    gold = labels_to_indicators(gold_frame["themes"], codebook.codes)
    coded = code_texts(gold_frame["texte"], codebook)
    per_theme = agreement(coded, gold)
    per_theme.insert(1, "libelle", per_theme["theme"].map(codebook.labels()))
    lots = []
    for lot, rows in gold_frame.groupby("lot", sort=False):
        res = agreement(coded.loc[rows.index], gold.loc[rows.index])
        lots.append((lot, len(rows), float(res["kappa"].mean())))
    per_lot = pd.DataFrame(lots, columns=["lot", "n", "kappa_moyen"])
    return AgreementSummary(per_theme, per_lot, float(per_theme["kappa"].mean()), len(gold_frame), codebook.version,
                            codebook.accord_aveugle)


def key_findings(
    fiches: pd.DataFrame,
    strengths: pd.DataFrame,
    ratings: pd.DataFrame,
    types: pd.DataFrame,
    spec_services: pd.DataFrame,
    briefing: pd.DataFrame,
    emerging: EmergingThemes | None = None,
    *,
    date: object = None,
    agreement_blind: Sequence[BlindAgreement] | None = None,
) -> list[str]:
    """French key findings of the immersion report, written from the computed tables.

    Parameters
    ----------
    fiches : DataFrame
        Forms of the milestone.
    strengths : DataFrame
        :func:`strengths_vs_areas`.
    ratings : DataFrame
        :func:`mask_ratings` of :func:`ratings_by_theme` (``ensemble`` rows are used) with a
        ``libelle`` column, or without (theme codes are then shown).
    types : DataFrame
        :func:`type_comparison`.
    spec_services : DataFrame
        :func:`group_specificities` by host service.
    briefing : DataFrame
        :func:`proposals_briefing`.
    emerging : EmergingThemes, optional
    date : date-like, optional
        Date the data are frozen (shown in the first sentence).
    agreement_blind : sequence of BlindAgreement, optional
        Blind agreement measures quoted in the caution sentence; defaults to the staff codebook's
        ``accord_aveugle``.

    Returns
    -------
    list of str
        Sentences (simple HTML, text escaped), most important first.
    """
    fmt = _fmt()
    if fiches is None or fiches.empty:
        when = f" au {fmt.date(date)}" if date is not None else ""
        return [f"Aucune fiche d'immersion n'est datée avant ce jalon{when} : pas d'analyse possible."]
    out = []
    n = len(fiches)
    types_n = fiches["type_immersion"].astype(str).value_counts()
    n_services = fiches["service_accueil"].nunique()
    when = f" jusqu'au {fmt.date(date)}" if date is not None else ""
    out.append(
        f"<strong>{fmt.number(n)} fiches d'immersion</strong> analysées{when} : "
        f"{fmt.number(types_n.get('inter', 0))} inter-services et {fmt.number(types_n.get('intra', 0))} "
        f"intra-service, dans {fmt.number(n_services)} services d'accueil."
    )
    s = strengths.dropna(subset=["part_points_forts", "part_axes_progression"])
    if len(s):
        pf = s.sort_values(["part_points_forts"], ascending=False, kind="stable").iloc[0]
        ax = s.sort_values(["part_axes_progression"], ascending=False, kind="stable").iloc[0]
        out.append(
            f"Point fort le plus cité : « {_esc(pf.libelle)} » ({fmt.percent(pf.part_points_forts, 0)} des fiches). "
            f"Axe de progression le plus cité : « {_esc(ax.libelle)} » ({fmt.percent(ax.part_axes_progression, 0)})."
        )
        gap = s.sort_values("ecart", kind="stable").iloc[0]
        if gap.ecart <= -0.05:
            out.append(
                f"Le thème le plus nettement à améliorer est « {_esc(gap.libelle)} » : cité comme axe de progression "
                f"dans {fmt.percent(gap.part_axes_progression, 0)} des fiches, comme point fort dans "
                f"{fmt.percent(gap.part_points_forts, 0)} seulement."
            )
    ens = ratings[(ratings["groupe_variable"] == "ensemble") & ratings["moyenne"].notna()] if len(ratings) else ratings
    if len(ens):
        lab = ens["libelle"] if "libelle" in ens.columns else ens["theme"]
        ens = ens.assign(_lab=lab.to_numpy()).sort_values("moyenne", kind="stable")
        lo, hi = ens.iloc[0], ens.iloc[-1]

        def _note(r) -> str:
            ci = (f", IC 95 % {fmt.number(r.ic_bas, 1)}–{fmt.number(r.ic_haut, 1)}" if pd.notna(r.ic_bas) else "")
            return f"« {_esc(r._lab)} » ({fmt.number(r.moyenne, 1)} sur 5{ci})"

        sentence = f"Notes des fiches : la plus basse porte sur {_note(lo)}, la plus haute sur {_note(hi)}"
        if pd.notna(lo.ic_haut) and pd.notna(hi.ic_bas) and lo.ic_haut >= hi.ic_bas:
            sentence += " ; leurs intervalles de confiance se chevauchent : l'écart entre thèmes n'est pas net"
        out.append(sentence + ".")
    sig = types[types["sens"] != ""] if len(types) else types
    if len(sig):
        r = sig.iloc[0]
        more, less = ("les invités venus d'autres services (inter)", "les encadrants dans leur propre équipe (intra)")
        if r.ecart < 0:
            more, less = less, more
        a, b = (r.part_inter, r.part_intra) if r.ecart >= 0 else (r.part_intra, r.part_inter)
        out.append(
            f"Regards différents : {more} citent plus souvent « {_esc(r.libelle)} » que {less} "
            f"({fmt.percent(a, 0)} contre {fmt.percent(b, 0)} des fiches)."
        )
    elif len(types):
        big = types.assign(_a=types["ecart"].abs()).sort_values("_a", ascending=False, kind="stable").iloc[0]
        out.append(
            "Pas d'écart net entre les invités d'autres services (inter) et les encadrants dans leur propre équipe "
            f"(intra) : la plus grande différence (« {_esc(big.libelle)} », {fmt.percent(big.part_inter, 0)} contre "
            f"{fmt.percent(big.part_intra, 0)} des fiches) peut tenir au hasard avec ce nombre de fiches."
        )
    sent = specificity_sentences(spec_services, n_max=2) if len(spec_services) else []
    if sent:
        out.append("Services à part : " + " ; ".join(x.rstrip(".") for x in sent) + ".")
    elif len(spec_services):
        out.append("Aucun service d'accueil ne se distingue nettement des autres par les thèmes cités.")
    b = briefing[briefing["n_fiches"] > 0].drop_duplicates("theme") if len(briefing) else briefing
    if len(b):
        top = ", ".join(f"« {_esc(r.libelle)} » ({fmt.number(r.n_fiches)} fiches)" for r in b.head(3).itertuples())
        out.append(f"Les propositions portent d'abord sur {top} : c'est la matière du travail avec les experts "
                   "(phase 3).")
    if emerging is not None:
        if emerging.empty:
            out.append(f"{fmt.number(emerging.n_documents)} réponses ne relèvent d'aucun thème du codebook : trop peu "
                       "pour dégager des thèmes émergents (quelques exemples sont donnés plus bas).")
        else:
            out.append(f"{fmt.number(emerging.k)} thèmes émergents se dégagent des {fmt.number(emerging.n_documents)} "
                       "réponses que le codebook ne classe pas (voir la section dédiée).")
    if agreement_blind is None:
        agreement_blind = load_codebook().accord_aveugle
    kappas = [b.kappa for b in agreement_blind]
    if kappas:
        out.append(
            f"Prudence : le classement automatique des réponses concorde moyennement avec un codage humain "
            f"(kappa de {fmt.number(min(kappas), 2)} à {fmt.number(max(kappas), 2)} sur des réponses nouvelles) : "
            "les pourcentages sont des ordres de grandeur, pas des mesures exactes."
        )
    return out
