"""Person entities of spaCy's French model (``PER``), run only where a name may hide.

The statistical model finds names the rules do not know (``Echati``, ``Soufiane Ibrahima``). It is
run on short windows around capitalised words that are neither known French words nor already
redacted, so texts without such a word cost nothing; a window of a few words either side is all the
model's convolutional encoder looks at, so the result is the same as on the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..nlp import FUNCTION_WORDS, NEGATIONS, load_ner, strip_accents
from .names import (
    _PLACE_WORDS,
    _VOWELS,
    PLURAL,
    SINGULAR,
    TITLE_WORDS,
    is_common_word,
    is_common_word_typed_without_accents,
)

__all__ = ["candidate_windows", "person_spans"]

_CAPWORD = re.compile(r"(?<![\w'’-])[A-ZÀ-ÖØ-ÞŒ][\w'’-]*")
_WINDOW = 35  # characters either side (about five words: more than the encoder sees)


#: Accent-free words that are never names: titles, and the words that open a sentence or a list item
#: (« Pas assez… », « Pourquoi… »), capitalised there.
_NEVER_NAMES = TITLE_WORDS | {strip_accents(w) for w in FUNCTION_WORDS | NEGATIONS | {"pourquoi", "comment", "combien"}}


def _candidate(word: str) -> bool:
    """Whether a capitalised word may be an unknown name: not a title, civility, function word or known
    French word (with or without its accents), acronym or code with digits (``RN5``)."""
    low = word.casefold()
    key = strip_accents(low)
    if key in TITLE_WORDS or len(key) < 3 or low in SINGULAR or low in PLURAL or any(c.isdigit() for c in word):
        return False
    letters = [c for c in word if c.isalpha()]
    if word.isupper() and (len(letters) <= 3 or not any(c in _VOWELS for c in letters)):
        return False  # an acronym, as the name rules read it (« CNFPT », « EPI »)
    parts = [p for p in re.split(r"[-'’]", low) if len(p) > 1]  # elided articles (l', d') are no evidence
    return not all(strip_accents(p) in _NEVER_NAMES or is_common_word(p) or is_common_word_typed_without_accents(p)
                   for p in parts)


def candidate_windows(text: str, covered: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character windows around capitalised unknown words outside ``covered`` spans (merged)."""
    out: list[list[int]] = []
    for m in _CAPWORD.finditer(text):
        if any(s <= m.start() < e for s, e in covered) or not _candidate(m.group()):
            continue
        lo = max(0, m.start() - _WINDOW)
        hi = min(len(text), m.end() + _WINDOW)
        lo = text.rfind(" ", 0, lo) + 1 if lo else 0
        nxt = text.find(" ", hi)
        hi = len(text) if nxt < 0 else nxt
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(a, b) for a, b in out]


def _generic(tok) -> bool:
    return strip_accents(tok.text).casefold() in TITLE_WORDS or is_common_word(tok.text)


def _title(tok) -> bool:
    low = tok.text.casefold()
    return strip_accents(low) in TITLE_WORDS or low in SINGULAR or low in PLURAL or low.rstrip(".") in {"m", "mm"}


def _trim(ent) -> tuple[int, int] | None:
    """Character span of the entity's name part: cut at separators, generic words dropped at both ends."""
    pieces, current = [], []
    for tok in ent:
        if tok.is_punct and tok.text not in {"-", "'", "’", "."} or tok.text in {"|", "/"} or "\n" in tok.text:
            if current:
                pieces.append(current)
            current = []
        else:
            current.append(tok)
    if current:
        pieces.append(current)
    for piece in pieces:
        while piece and (_title(piece[0]) or not piece[0].text[:1].isupper()):
            piece = piece[1:]
        while piece and (_title(piece[-1]) or not piece[-1].text[:1].isupper()):
            piece = piece[:-1]
        if piece:
            return piece[0].idx - ent.doc[ent.start].idx + ent.start_char, piece[-1].idx + len(piece[-1].text) - \
                ent.doc[ent.start].idx + ent.start_char
    return None


def _keep(ent, text: str, offset: int) -> bool:
    words = [t for t in ent if t.is_alpha]
    if not words or any(not t.text[:1].isupper() for t in words):
        return False
    if all(_generic(t) for t in words):
        return False
    before = re.split(r"[\s«\"'(]+", text[max(0, offset + ent.start_char - 40):offset + ent.start_char])
    before = [w for w in before if w]
    for w in reversed(before[-4:]):
        key = strip_accents(w).casefold()
        if key in _PLACE_WORDS:
            return False
        if re.search(r"[:,;.|]$", w) or not (w[:1].isupper() or key in {"du", "de", "la", "des", "le"}):
            break
    return True


def person_spans(texts: Sequence[str], covered: Sequence[Sequence[tuple[int, int]]], *,
                 batch_size: int = 256, only=None) -> list[list[tuple[int, int, str]]]:
    """``PER`` entities of each text, searched in its candidate windows only.

    ``only`` (booleans, optional) marks the texts that may hold a candidate word; the others have
    no window. A window met in several texts is read by the model once (same words, same entities).
    """
    jobs = [(i, a, b) for i, text in enumerate(texts) if only is None or only[i]
            for a, b in candidate_windows(text, covered[i])]
    out: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    if not jobs:
        return out
    by_window: dict[str, list[tuple[int, int]]] = {}
    for i, a, b in jobs:
        by_window.setdefault(texts[i][a:b], []).append((i, a))
    nlp = load_ner()
    disable = [p for p in nlp.pipe_names if p != "ner"]
    for places, doc in zip(by_window.values(), nlp.pipe(by_window, batch_size=batch_size, disable=disable)):
        spans = []
        for ent in doc.ents:
            if ent.label_ != "PER":
                continue
            span = _trim(ent)
            if span is None:
                continue
            sub = doc.char_span(*span, alignment_mode="expand")
            if sub is not None:
                spans.append((span, sub))
        for i, a in places:
            out[i] += [(a + span[0], a + span[1], "NOM") for span, sub in spans if _keep(sub, texts[i], a)]
    return out
