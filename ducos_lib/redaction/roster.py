"""Names of the HR roster: redacted wherever they appear, ambiguous ones only when capitalised.

A roster name is matched as a whole word (or a whole part of a hyphenated word such as
``Louis-Joseph``), ignoring case and accents. A name that is also an ordinary French word
(``Blanc``, ``Petit``, ``Rose``, ``Pierre`` …: :data:`COMMON_WORD_NAMES`, the stop words, words of
simplemma's French dictionary, and any name of two letters or fewer) is *ambiguous*: it is redacted
only when written with an initial capital. At the start of a sentence, an ambiguous name that is also
a usual sentence opener (``Petit``, ``Bon``, ``Juste`` …) is kept unless it stands next to another name
or is followed by a verb or pronoun (``Petit nous a montré``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..nlp import strip_accents
from .names import is_common_word

__all__ = ["COMMON_WORD_NAMES", "Roster", "load_roster", "roster_from_frame", "roster_spans"]

_STOP_WORDS = frozenset(strip_accents(w) for w in """
le la les un une des du de au aux à a et ou mais donc or car que qui quoi dont où ce cet cette ces
ça cela ceci il ils elle elles on je tu nous vous me te se lui leur leurs son sa ses mon ma mes ton ta tes
notre nos votre vos y en dans par pour sur sous avec chez vers être avoir faire très trop bien tout tous
toute toutes même aussi encore déjà ainsi alors comme si quand pas ne plus moins sans
""".split())

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
        Names treated as ambiguous (see module docstring); defaults to :data:`COMMON_WORD_NAMES`,
        the French stop words and every word of simplemma's French dictionary.
    """

    names: frozenset[str] = field(default_factory=frozenset)
    ambiguous: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def build(cls, names: Iterable[object], common_words: Iterable[str] | None = None) -> "Roster":
        common = (
            frozenset(_key(w) for w in common_words)
            if common_words is not None
            else COMMON_WORD_NAMES | _STOP_WORDS
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
        ambiguous = frozenset(k for k in keys if k in common or len(k) <= 2
                              or common_words is None and is_common_word(k))
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
    from ..io import find_raw_file, normalise_header, read_raw_table

    path = find_raw_file(raw_dir, stem)
    if path is None:
        return Roster()
    frame = read_raw_table(path).frame
    frame = frame.rename(columns={c: normalise_header(c) for c in frame.columns})
    return roster_from_frame(frame)


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"'(«-–•*")
    return not before or before[-1] in ".!?:\n;"


def roster_spans(text: str, roster: Roster) -> list[tuple[int, int, str]]:
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
        spans.append((start, end, "NOM"))
    return spans


