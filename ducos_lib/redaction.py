"""Normalisation and redaction of French free text (DESIGN §5, §6).

Every quote shown in a report goes through :func:`redact` first. Redaction replaces personal data by
French placeholders:

========================  ==================  ===============================================
placeholder               what                how
========================  ==================  ===============================================
``[EMAIL]``               e-mail addresses    regular expression
``[TÉLÉPHONE]``           phone numbers       ``phonenumbers`` matcher, regions FR and MQ
``[ADRESSE]``             street addresses    number + street type + name
``[CODE POSTAL]``         Martinique codes    five digits starting with 972
``[NOM]``                 person names        civility + name, and names of the HR roster
========================  ==================  ===============================================

Roster names rule
-----------------
A roster name is matched as a whole word (or a whole part of a hyphenated word such as
``Louis-Joseph``), ignoring case and accents. A name that is also an ordinary French word
(``Blanc``, ``Petit``, ``Rose``, ``Pierre``, ``Bon`` …: the :data:`COMMON_WORD_NAMES` list, the stop
words, and any name of two letters or fewer) is *ambiguous*: it is redacted only when written with an
initial capital. At the start of a sentence, an ambiguous name that is also a usual sentence opener
(``Petit``, ``Bon``, ``Juste`` …) is kept unless it stands next to another name or is followed by a
verb or pronoun (``Petit nous a montré``). Privacy wins over style: ``Pierre est venu`` is redacted,
``une pierre`` is not. So ``Martin`` or ``Lagier`` are redacted everywhere, while ``un mur blanc``
and ``Petit à petit`` stay as written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

__all__ = [
    "COMMON_WORD_NAMES",
    "PLACEHOLDERS",
    "Roster",
    "normalise",
    "load_roster",
    "redact",
    "roster_from_frame",
    "strip_accents",
]

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "phone": "[TÉLÉPHONE]",
    "address": "[ADRESSE]",
    "postcode": "[CODE POSTAL]",
    "name": "[NOM]",
}

_APOSTROPHES = dict.fromkeys(map(ord, "\u2019\u2018\u0060\u00b4\u02bc\u2032\u201b"), "'")
_QUOTES = dict.fromkeys(map(ord, "\u00ab\u00bb\u201c\u201d\u201e\u201f"), '"')
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def normalise(text: object) -> str:
    """Unicode NFC, straight apostrophes and quotes, single spaces; missing values give ``""``.

    Parameters
    ----------
    text : str or missing
        Free text as typed.

    Returns
    -------
    str
        ``’ ‘ ` ´`` become ``'``; ``« » “ ”`` become ``"`` (the spaces inside French guillemets are
        kept as ordinary spaces); runs of spaces, tabs and non-breaking spaces become one space;
        line breaks are kept (one per break).

    Examples
    --------
    >>> normalise("L\u2019accueil\u00a0 est  «\u00a0top\u00a0»")
    'L\\'accueil est " top "'
    """
    if text is None or (isinstance(text, float) and text != text):
        return ""
    try:
        import pandas as pd

        if pd.isna(text):
            return ""
    except (TypeError, ValueError):
        pass
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
    """Remove diacritics character by character (the result has the same length as ``text``).

    Keeping the length lets a match found in the accent-free text be replaced in the original.
    """
    return text if text.isascii() else text.translate(_BASE)


# --- e-mails, phones, postcodes, addresses -------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_POSTCODE = re.compile(r"(?<!\d)972\d{2}(?!\d)")
_STREET_TYPES = (
    r"rue|avenue|av\.|chemin|route|impasse|all[ée]e|boulevard|bd|place|lotissement|lot\."
    r"|quartier|r[ée]sidence|cit[ée]|square|sentier|morne|habitation|hameau|zac|zi"
)
_PARTICLE = r"(?:(?:de|du|des|la|le|les|aux|au|à)\b|d'|l')"
_PARTICLE_CONT = r"(?:(?:de|du|des|la|le|les)\b|d'|l')"
_NAME_WORD = r"[A-ZÀ-Ý][\w'-]*"
_ADDRESS = re.compile(
    rf"(?<![\w,])\d{{1,4}}(?:\s?(?:bis|ter|[A-Da-d])\b)?,?\s+(?i:{_STREET_TYPES})\s+"
    rf"(?:(?:(?i:{_PARTICLE})\s*)+[\w'-]+|{_NAME_WORD})(?:\s+(?:{_PARTICLE_CONT}\s*)*{_NAME_WORD})*"
)


def _phone_spans(text: str, regions: tuple[str, ...]) -> list[tuple[int, int]]:
    spans = []
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            raw = match.raw_string
            digits = sum(ch.isdigit() for ch in raw)
            # A phone is written with a trunk 0, an international 00 or a +: this keeps bare
            # identifiers such as 972240001 out (they are not phone numbers).
            if digits >= 9 and raw.lstrip("(")[:1] in {"0", "+"}:
                spans.append((match.start, match.end))
    return spans


def _replace_spans(text: str, spans: Iterable[tuple[int, int]], placeholder: str) -> str:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + placeholder + text[end:]
    return text


def _address_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _ADDRESS.finditer(text):
        spans.append(match.span())
    return spans


# --- names ----------------------------------------------------------------------------------------

#: Surnames and first names that are also common French words: redacted only when capitalised
#: and not sentence-initial, or next to another name (see module docstring).
COMMON_WORD_NAMES = frozenset(
    """
    blanc blanche petit petite grand grande bon bonne fort forte rose pierre marie juste constant
    prudent aime aimee honore page roux rousse marchand germain baptiste lebrun brun brune noir
    lenoir leblanc doux douce beau belle bel gros grosse vert verte lejeune jeune vieux masse
    mercier boucher berger charpentier meunier fontaine riviere bois dubois laforge chevalier
    lefort renard loup lion mouton poisson pain vin roi prince comte baron duc pape leger legrand
    lesage sage franc lacroix croix paris france espoir victoire bonheur fleur fleury lys olive
    prosper fidele modeste clair claire pascal noel toussaint dimanche lundi mardi jeudi samedi
    hilaire sauveur salomon mars avril mai juin juillet august auguste ange colombe aurore
    lumiere etienne charles lucas line
    """.split()
)

#: Ordinary words that often open a French sentence ("Petit à petit", "Bon accueil"): as ambiguous
#: names they are left alone at a sentence start unless a verb or pronoun cue follows.
_OPENERS = frozenset(
    "petit petite grand grande bon bonne beau belle bel juste fort forte clair claire franc doux douce "
    "gros grosse jeune vieux leger sage constant modeste prudent vert verte noir blanc blanche".split()
)
_NAME_CUES = (
    "nous ", "m'", "me ", "a ", "a été", "est ", "était", "ne ", "n'", "s'", "se ", "et ", "lui ",
    "leur ", "vous ", "m’", "gère", "propose", "suggère", "explique", "travaille", "fait ", "dit ",
)

_CIVILITY = (
    r"M\.|M(?=\s)|Mr\.?|MM\.|Mme\.?|Mmes\.?|Mlle\.?|Mlles\.?|Melle\.?|Monsieur|Madame|Mademoiselle"
    r"|Messieurs|Mesdames|Dr\.?|Docteur|Doctoresse|Pr\.?|Professeur|Me|Ma[îi]tre"
)
_CAP_WORD = r"(?:[A-ZÀ-Ý]{2,}|[A-ZÀ-Ý][a-zà-ÿ]+|[A-ZÀ-Ý]\.)(?:[-'][A-ZÀ-Ý][\wà-ÿ]*)*(?![\w-])"
_CIVILITY_NAME = re.compile(
    rf"(?<![\w.])(?:{_CIVILITY})\s+(?:{_CAP_WORD})(?:\s+(?!(?:Le|La|Les|Un|Une|Il|Elle|Ils|Elles|Je|On|Nous|Vous|Ce|Cette)\b){_CAP_WORD})?"
)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _key(word: str) -> str:
    return strip_accents(word).casefold()


@dataclass(frozen=True)
class Roster:
    """Names of the HR roster, prepared for :func:`redact`.

    Parameters
    ----------
    names : iterable of str
        First names, last names or full names (``"Marie-Claire Lagier"``); full names are split
        on spaces, hyphenated names are kept whole *and* split into their parts.
    common_words : iterable of str, optional
        Names treated as ambiguous (see module docstring); defaults to :data:`COMMON_WORD_NAMES`
        plus the French stop words.
    """

    names: frozenset[str] = field(default_factory=frozenset)
    ambiguous: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def build(cls, names: Iterable[object], common_words: Iterable[str] | None = None) -> "Roster":
        from .text import STOP_WORDS  # local import: text imports this module

        common = (
            frozenset(_key(w) for w in common_words)
            if common_words is not None
            else COMMON_WORD_NAMES | frozenset(_key(w) for w in STOP_WORDS)
        )
        keys: set[str] = set()
        for name in names:
            if name is None or (isinstance(name, float) and name != name):
                continue
            for token in str(name).split():
                token = token.strip(".,;:()\"'")
                if not token:
                    continue
                keys.add(_key(token))
                keys.update(_key(part) for part in token.split("-") if part)
        keys.discard("")
        ambiguous = frozenset(k for k in keys if k in common or len(k) <= 2)
        return cls(frozenset(keys), ambiguous)

    def __bool__(self) -> bool:
        return bool(self.names)


def roster_from_frame(frame, columns: Iterable[str] = ("nom", "prenom")) -> Roster:
    """Build a :class:`Roster` from the name columns of a raw ``rh_agents`` frame.

    Columns that are absent are ignored (processed data no longer carry names, DESIGN §6).
    """
    values: list[object] = []
    for col in columns:
        if col in frame.columns:
            values.extend(frame[col].dropna().astype(str).unique().tolist())
    return Roster.build(values)


def load_roster(raw_dir, stem: str = "rh_agents") -> Roster:
    """Roster of the names in a raw folder's ``rh_agents`` file (read only, never copied).

    Processed data carry no names (DESIGN §6), so reports build the roster from the raw extraction
    each time they redact quotes. A missing file or missing name columns give an empty roster.
    """
    from .io import find_raw_file, normalise_header, read_raw_table

    path = find_raw_file(raw_dir, stem)
    if path is None:
        return Roster()
    frame = read_raw_table(path).frame
    frame = frame.rename(columns={c: normalise_header(c) for c in frame.columns})
    return roster_from_frame(frame)


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'(«-–•*")
    return not before or before[-1] in ".!?:\n;"


def _roster_spans(text: str, roster: Roster) -> list[tuple[int, int]]:
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    hits: list[str | None] = []  # None: not a name; "sure" / "ambiguous"
    for _, _, word in words:
        key = _key(word)
        parts = [key] + ([p for p in key.split("-") if p] if "-" in key else [])
        if key in roster.names:
            found = [key]
        else:  # a part of a compound word counts only when capitalised (not "martin-pêcheur")
            found = [
                p for p, raw in zip(parts[1:], word.split("-")) if p in roster.names and raw[:1].isupper()
            ]
        if not found:
            hits.append(None)
        elif any(p not in roster.ambiguous for p in found):
            hits.append("sure")
        else:
            hits.append("ambiguous")
    spans = []
    for i, (start, end, word) in enumerate(words):
        kind = hits[i]
        if kind is None:
            continue
        if kind == "ambiguous":
            if not word[0].isupper():
                continue
            neighbour = False
            for j in (i - 1, i + 1):
                if 0 <= j < len(words) and hits[j] is not None:
                    lo, hi = sorted((words[j][1], start) if j < i else (end, words[j][0]))
                    neighbour = neighbour or text[lo:hi].strip() == ""
            if _sentence_start(text, start) and _key(word) in _OPENERS and not neighbour:
                following = text[end:].lstrip()[:12].lower()
                if not any(following.startswith(cue) for cue in _NAME_CUES):
                    continue
        spans.append((start, end))
    return spans


def redact(
    text: object,
    roster_names: Roster | Iterable[str] | None = None,
    *,
    regions: tuple[str, ...] = ("FR", "MQ"),
) -> str:
    """Replace personal data in a French free-text answer by placeholders (DESIGN §6).

    Parameters
    ----------
    text : str or missing
        The answer; it is normalised first (:func:`normalise`).
    roster_names : Roster or iterable of str, optional
        Names of the HR roster (first and last names). Pass a prebuilt :class:`Roster` when
        redacting many texts.
    regions : tuple of str
        Regions given to ``phonenumbers`` for numbers written without a country code;
        default France and Martinique.

    Returns
    -------
    str
        The text with ``[EMAIL]``, ``[TÉLÉPHONE]``, ``[ADRESSE]``, ``[CODE POSTAL]`` and ``[NOM]``.

    Notes
    -----
    Order: e-mails, phones, street addresses, 972xx postcodes, civility + name, roster names.
    Phone numbers come from ``phonenumbers.PhoneNumberMatcher`` (leniency ``POSSIBLE``) for each
    region, kept when they have at least nine digits and start with ``0``, ``00`` or ``+``, so
    ``0696 12 34 56``, ``06 96 12 34 56``, ``0596.12.34.56``, ``+596 696 12 34 56``,
    ``00596 596 12 34 56`` and ``+33 6 12 34 56 78`` are all caught. A civility (M., Mme, Mlle,
    Monsieur, Madame, Dr …) followed by one or two capitalised words is replaced whole by ``[NOM]``.
    Redaction is a safeguard, not a guarantee: quotes still deserve a human read before publication.

    References
    ----------
    CNIL, *Guide de la sécurité des données personnelles* (2024), fiche « Anonymiser ».

    Examples
    --------
    >>> redact("Merci à Mme Lagier, joignable au 0696 12 34 56.")
    'Merci à [NOM], joignable au [TÉLÉPHONE].'
    """
    out = normalise(text)
    if not out:
        return out
    out = _EMAIL.sub(PLACEHOLDERS["email"], out)
    if sum(ch.isdigit() for ch in out) >= 9:
        out = _replace_spans(out, _phone_spans(out, regions), PLACEHOLDERS["phone"])
    if any(ch.isdigit() for ch in out):
        out = _replace_spans(out, _address_spans(out), PLACEHOLDERS["address"])
        out = _POSTCODE.sub(PLACEHOLDERS["postcode"], out)
    out = _CIVILITY_NAME.sub(PLACEHOLDERS["name"], out)
    if roster_names is not None:
        roster = roster_names if isinstance(roster_names, Roster) else Roster.build(roster_names)
        if roster:
            out = _replace_spans(out, _roster_spans(out, roster), PLACEHOLDERS["name"])
    return out
