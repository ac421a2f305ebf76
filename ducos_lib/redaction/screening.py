"""Column-wide screening: which rule can possibly find something in which text.

Every rule of the package needs a trigger in the text: an e-mail an ``@`` or a spelled-out « at »,
a phone or a postcode an ASCII digit, an address one of its street or estate words, a name rule a
civility, an initial, a word in capitals or a capitalised known first name, a roster name one of
the roster's words, the NER model a capitalised unknown word (:func:`.ner.candidate_windows`). A
text without a rule's trigger gets no span from that rule, so skipping the rule there changes
nothing: :func:`screen` finds the triggers of a whole column at once and the rules run only where
they may fire.

The word triggers are looked up once per distinct whitespace-separated chunk of the column (a
chunk holds whole matches of every word pattern, which never span a space), with pyarrow doing the
splitting, the deduplication and the spreading back to the texts; the substring triggers are
regular expressions run by pyarrow over the column. Each trigger is a necessary condition of its
rule (a superset of the texts the rule matches), never a heuristic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .names import PARTICLES, TITLE_WORDS, first_names, tokens
from .names import _is_acronym as is_acronym
from .names import _known_first_name as known_first_name
from .ner import _CAPWORD, _candidate
from .roster import _WORD, Roster, _key

__all__ = ["Screen", "screen"]

# Necessary conditions of the substring rules (RE2 syntax, run by pyarrow).
#: ``_EMAIL`` needs ``@`` or « at », « arobase », « chez » as a word.
_EMAIL_GATE = r"@|(?:^|[^\pL\pN_])(?:at|arobase|chez)(?:$|[^\pL\pN_])"
#: ``_NUMBERED``, ``_STREET_ONLY``, ``_ESTATE``, ``_AREA`` need one of their words followed by a space
#: (case ignored; « remplacement » is no trigger).
_ADDRESS_GATE = (
    r"(?:rue|avenue|av\.|bd|boulevard|chemin|ch\.|route|rte|impasse|imp\.|all[ée]e|place|square|sentier|"
    r"passage|cours|quai|voie|traverse|ruelle|cit[ée]|morne|habitation|hameau|piste|lieu-dit|lieudit|"
    r"lotissement|lot\.|r[ée]sidence|r[ée]s\.|quartier|village|section)\s"
)
#: ``_BOX`` (case kept).
_BOX_GATE = r"BP|B\.P\.|o[îi]te postale"
#: Characters a word pattern can match (letters and the numerics Python's ``\w`` counts).
_WORDISH = r"[\pL\p{Nl}\p{No}]"

_NAMES, _ROSTER, _NER = 1, 2, 4


def _may_start_name(tok, names: frozenset[str]) -> bool:
    """Whether a token can make :func:`.names.name_spans` find a name (a civility, or a name-like
    initial, word in capitals that is no acronym or particle, or capitalised known first name)."""
    if tok.kind in ("civ", "civ_plural"):
        return True
    if tok.key in TITLE_WORDS:
        return False
    if tok.kind == "initial":
        return True
    if tok.kind == "upper":
        return not is_acronym(tok) and tok.key not in PARTICLES
    return tok.kind == "cap" and known_first_name(tok, names)


@dataclass(frozen=True)
class Screen:
    """Per text, whether each rule may find something (boolean arrays aligned on the texts)."""

    email: np.ndarray
    digits: np.ndarray
    address: np.ndarray
    names: np.ndarray
    roster: np.ndarray
    ner: np.ndarray


def _chunk_flags(chunk: str, roster: Roster | None, names: frozenset[str]) -> int:
    flags = 0
    if any(_may_start_name(tok, names) for tok in tokens(chunk)):
        flags |= _NAMES
    if roster:
        for word in _WORD.findall(chunk):
            key = _key(word)
            if key in roster.names or "-" in key and any(p in roster.names for p in key.split("-") if p):
                flags |= _ROSTER
                break
    if any(_candidate(m.group()) for m in _CAPWORD.finditer(chunk)):
        flags |= _NER
    return flags


def _any_per_text(hit: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Whether any chunk of each text is flagged (texts delimited by list offsets)."""
    total = np.concatenate([[0], np.cumsum(hit, dtype=np.int64)])
    return total[offsets[1:]] > total[offsets[:-1]]


def screen(texts: Sequence[str], roster: Roster | None = None) -> Screen:
    """The rules each text may trigger (see the module docstring)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(texts, type=pa.large_string())

    def matches(pattern: str, ignore_case: bool = False) -> np.ndarray:
        return pc.match_substring_regex(arr, pattern, ignore_case=ignore_case).to_numpy(zero_copy_only=False)

    email = matches(_EMAIL_GATE, ignore_case=True)
    digits = matches("[0-9]")
    address = matches(_ADDRESS_GATE, ignore_case=True) | matches(_BOX_GATE)
    lists = pc.utf8_split_whitespace(arr)
    flat = pc.list_flatten(lists)
    offsets = lists.offsets.to_numpy()
    distinct = pc.unique(flat)
    wordish = pc.match_substring_regex(distinct, _WORDISH).to_numpy(zero_copy_only=False)
    flags = np.zeros(len(distinct), dtype=np.uint8)
    names = first_names()
    candidates = np.flatnonzero(wordish)
    if len(candidates):
        words = distinct.take(pa.array(candidates)).to_pylist()
        flags[candidates] = [_chunk_flags(w, roster, names) for w in words]
    per_chunk = flags[pc.index_in(flat, value_set=distinct).to_numpy()] if len(flat) else flags[:0]
    return Screen(
        email=email, digits=digits, address=address,
        names=_any_per_text((per_chunk & _NAMES) > 0, offsets),
        roster=_any_per_text((per_chunk & _ROSTER) > 0, offsets),
        ner=_any_per_text((per_chunk & _NER) > 0, offsets),
    )

