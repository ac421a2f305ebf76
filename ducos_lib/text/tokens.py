"""Tokens and lemmas of French free text for the descriptive analyses (emerging themes, word lists).

Tokenise with French elisions apart (``l'accueil`` → ``l'``, ``accueil``), lemmatise with simplemma
(French data shipped in the package, cached per token), drop stop words but never negations
(DESIGN §5). The learned coder has its own spaCy-based features (:mod:`ducos_lib.text.features`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import simplemma

from ..nlp import FUNCTION_WORDS, NEGATIONS, normalise, strip_accents

__all__ = ["ELISIONS", "FIELDS", "NEGATIONS", "STOP_WORDS", "lemmas", "lemmatise", "matching_text",
           "remove_stop_words", "tokenise"]

#: Free-text fields of an immersion form, in report order.
FIELDS = ("points_forts", "axes_progression", "propositions")

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

#: French stop words (surface forms and lemmas). Negations are never removed (DESIGN §5): "pas assez
#: de réunions" keeps "pas".
STOP_WORDS = FUNCTION_WORDS - NEGATIONS


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

