"""Redaction of personal data in French free text (DESIGN §6).

Every quote shown in a report, and every free-text field stored at ingestion, goes through
:func:`redact` (one text) or :func:`redact_series` (a whole column). Personal items are replaced by
French placeholders; everything else is left exactly as written (dates, amounts, article numbers,
opening hours, service names, public places):

==================  ==================================================================================
placeholder         what and how
==================  ==================================================================================
``[EMAIL]``         e-mail addresses, plain or obfuscated (``[at]``, ``(point)``, ``arobase``)
``[TÉLÉPHONE]``     phones of France and every overseas department (+590/+594/+596/+262/+269, 0590,
                    0690, 0594, 0694, 0596, 0696, 0262, 0692, 0693, 0269, 0639 …), any separators
``[ADRESSE]``       a person's street address, estate, residence, area, PO box
``[CODE POSTAL]``   postcodes before a town (971–976 and metropolitan)
``[NOM]``           person names: civility rules, lists, capitals, initials, first names
                    (:mod:`~ducos_lib.redaction.names`), names of the HR roster
                    (:mod:`~ducos_lib.redaction.roster`), and ``PER`` entities of spaCy's French model
                    (:mod:`~ducos_lib.redaction.ner`)
==================  ==================================================================================

Redaction is a safeguard, not a guarantee: quotes still deserve a human read before publication.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..nlp import normalise, strip_accents
from .names import name_spans
from .patterns import address_spans, email_spans, phone_spans, postcode_spans
from .roster import COMMON_WORD_NAMES, Roster, load_roster, roster_from_frame, roster_spans

__all__ = [
    "COMMON_WORD_NAMES", "PLACEHOLDERS", "Roster", "as_roster", "load_roster", "normalise", "redact", "redact_series",
    "redaction_spans", "roster_from_frame", "strip_accents",
]

PLACEHOLDERS = {
    "EMAIL": "[EMAIL]",
    "TELEPHONE": "[TÉLÉPHONE]",
    "ADRESSE": "[ADRESSE]",
    "CODE_POSTAL": "[CODE POSTAL]",
    "NOM": "[NOM]",
}
# When two spans overlap, the first kind listed wins.
_PRIORITY = {"EMAIL": 0, "TELEPHONE": 1, "CODE_POSTAL": 2, "ADRESSE": 3, "NOM": 4}


def as_roster(roster: Roster | Iterable[str] | None) -> Roster | None:
    """``roster`` as a :class:`Roster` (built from names when needed); None stays None."""
    if roster is None or isinstance(roster, Roster):
        return roster
    return Roster.build(roster)


def _merge(spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    merged: list[list] = []
    for start, end, kind in sorted(spans, key=lambda s: (s[0], -s[1], _PRIORITY[s[2]])):
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if _PRIORITY[kind] < _PRIORITY[last[2]]:
                last[2] = kind
        else:
            merged.append([start, end, kind])
    return [tuple(m) for m in merged]


def _rule_spans(text: str, roster: Roster | None) -> list[tuple[int, int, str]]:
    spans = email_spans(text)
    if any(ch.isdigit() for ch in text):
        spans += phone_spans(text) + postcode_spans(text)
    spans += address_spans(text)
    spans += name_spans(text)
    if roster:
        spans += roster_spans(text, roster)
    return spans


#: From this many texts on, the rules run only where :func:`~.screening.screen` finds their triggers.
_SCREEN_FROM = 32


def _screen(texts: Sequence[str], roster: Roster | None):
    """The rules' triggers of a long list (:func:`~.screening.screen`); None for a short one, or when
    pyarrow cannot encode a text (a lone surrogate: every rule then runs on every text)."""
    if len(texts) < _SCREEN_FROM:
        return None
    from .screening import screen

    try:
        return screen(texts, roster)
    except UnicodeEncodeError:
        return None


def _screened_rule_spans(texts: Sequence[str], roster: Roster | None, found=None):
    """:func:`_rule_spans` of each text, each rule run only on the texts holding its trigger
    (same spans: a rule finds nothing without its trigger); also the texts the NER may look at."""
    if found is None:
        from .screening import screen

        found = screen(texts, roster)
    rules: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    for i in np.flatnonzero(found.email):
        rules[i] += email_spans(texts[i])
    for i in np.flatnonzero(found.digits):
        rules[i] += phone_spans(texts[i]) + postcode_spans(texts[i])
    for i in np.flatnonzero(found.address):
        rules[i] += address_spans(texts[i])
    for i in np.flatnonzero(found.names):
        rules[i] += name_spans(texts[i])
    if roster:
        for i in np.flatnonzero(found.roster):
            rules[i] += roster_spans(texts[i], roster)
    return rules, found.ner


def _spans(texts: list[str], roster: Roster | None, ner: bool, found) -> list[list[tuple[int, int, str]]]:
    """Rules (screened when ``found`` is given) then the NER model: pure Python and spaCy, no pyarrow
    (what a forked worker may run while the parent's threads read files)."""
    if found is None:
        rules, may_ner = [_rule_spans(t, roster) for t in texts], None
    else:
        rules, may_ner = _screened_rule_spans(texts, roster, found)
    if ner:
        from .ner import person_spans

        people = person_spans(texts, [[(s, e) for s, e, _ in r] for r in rules], only=may_ner)
        rules = [r + f for r, f in zip(rules, people)]
    return [_merge(r) for r in rules]


#: From this many texts on, ``jobs > 1`` splits them between forked processes.
_PARALLEL_FROM = 5_000
_SHARED: dict = {}  # what forked workers read (inherited, never pickled)


def _worker_start() -> None:
    import signal

    for sig in (signal.SIGTERM, signal.SIGINT):  # not the handlers of the runner that forked us
        signal.signal(sig, signal.SIG_DFL)


def _part(bounds: tuple[int, int]) -> list[list[tuple[int, int, str]]]:
    texts, roster, ner, found = _SHARED["job"]
    lo, hi = bounds
    if found is not None:
        found = type(found)(**{k: v[lo:hi] for k, v in vars(found).items()})
    return _spans(texts[lo:hi], roster, ner, found)


def _parallel(texts: list[str], roster: Roster | None, ner: bool, jobs: int, found) -> list[list[tuple[int, int, str]]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if ner:  # loaded once here, shared by the forked workers
        from ..nlp import load_ner

        load_ner()
    size = -(-len(texts) // jobs)
    _SHARED["job"] = (texts, roster, ner, found)
    gc.freeze()  # the workers' collector then leaves the inherited objects (and their pages) alone
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_worker_start) as pool:
            parts = list(pool.map(_part, [(lo, lo + size) for lo in range(0, len(texts), size)]))
    finally:
        gc.unfreeze()
        _SHARED.clear()
    return [spans for part in parts for spans in part]


def redaction_spans_many(texts: Sequence[str], roster: Roster | Iterable[str] | None = None, *,
                         ner: bool = True, jobs: int = 1) -> list[list[tuple[int, int, str]]]:
    """:func:`redaction_spans` of many texts, the NER model run once in batches.

    ``jobs`` > 1 shares a long list between that many forked processes (same spans); the rules'
    triggers are found here first, so the workers never call pyarrow.
    """
    roster = as_roster(roster)
    texts = list(texts)
    found = _screen(texts, roster)
    if jobs > 1 and len(texts) >= _PARALLEL_FROM:
        return _parallel(texts, roster, ner, jobs, found)
    return _spans(texts, roster, ner, found)


def redaction_spans(text: object, roster: Roster | Iterable[str] | None = None, *,
                    ner: bool = True) -> list[tuple[int, int, str]]:
    """Personal items of ``text`` as ``(start, end, kind)`` spans on the text as given.

    ``kind`` is one of ``NOM``, ``TELEPHONE``, ``EMAIL``, ``ADRESSE``, ``CODE_POSTAL``; spans are
    sorted and never overlap.
    """
    text = "" if _missing(text) else str(text)
    return redaction_spans_many([text], roster, ner=ner)[0]


def _missing(value: object) -> bool:
    if value is None or isinstance(value, float) and value != value:
        return True
    return not isinstance(value, str) and bool(pd.isna(value))


def _apply(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    out = text
    for start, end, kind in reversed(spans):
        out = out[:start] + PLACEHOLDERS[kind] + out[end:]
    return out


def redact(text: object, roster: Roster | Iterable[str] | None = None, *, ner: bool = True) -> str:
    """Replace the personal data of a French free-text answer by placeholders (DESIGN §6).

    Parameters
    ----------
    text : str or missing
        The answer (a missing value gives ``""``).
    roster : Roster or iterable of str, optional
        Names of the HR roster (first and last names). Pass a prebuilt :class:`Roster` when
        redacting many texts (or use :func:`redact_series`).
    ner : bool, default True
        Also use the ``PER`` entities of spaCy's French model (:mod:`~ducos_lib.redaction.ner`).

    Returns
    -------
    str
        The text with ``[NOM]``, ``[TÉLÉPHONE]``, ``[EMAIL]``, ``[ADRESSE]`` and ``[CODE POSTAL]``;
        every other character is left as written.

    Examples
    --------
    >>> redact("Merci à Mme Lagier, joignable au 0696 12 34 56.")
    'Merci à Mme [NOM], joignable au [TÉLÉPHONE].'
    """
    text = "" if _missing(text) else str(text)
    return _apply(text, redaction_spans(text, roster, ner=ner)) if text else text


def redact_series(series: pd.Series, roster: Roster | Iterable[str] | None = None, *,
                  ner: bool = True, jobs: int = 1) -> pd.Series:
    """:func:`redact` over a column, each distinct text once, the NER model run in batches.

    Missing values stay missing; the index, name and string dtype are kept. ``jobs``: processes
    sharing a long column (:func:`redaction_spans_many`).
    """
    roster = as_roster(roster)
    present = series.notna()
    values = series[present].astype(str)
    uniques = list(dict.fromkeys(values.tolist()))
    spans = redaction_spans_many(uniques, roster, ner=ner, jobs=jobs)
    mapping = {t: _apply(t, s) for t, s in zip(uniques, spans)}
    out = series.astype("string" if not pd.api.types.is_string_dtype(series) else series.dtype).copy()
    out[present] = values.map(mapping)
    return out
