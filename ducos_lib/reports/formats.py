"""French number and date formats (``62,5 %``, ``1 234``, ``13/11/2026``) for every text a reader sees."""

from __future__ import annotations

import math

import pandas as pd

NBSP = "\u202f"  # narrow no-break space: thousands separator and before % (Imprimerie nationale)
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre"]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def number(value: object, decimals: int = 0, missing: str = "–") -> str:
    """``1234.5`` → ``"1 234,5"`` (with ``decimals=1``)."""
    if _missing(value):
        return missing
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def percent(value: object, decimals: int = 1, *, proportion: bool = True, missing: str = "–") -> str:
    """``0.625`` → ``"62,5 %"``; with ``proportion=False`` the value is already in %."""
    if _missing(value):
        return missing
    return f"{number(float(value) * (100 if proportion else 1), decimals)}{NBSP}%"


def points(value: object, decimals: int = 1, missing: str = "–") -> str:
    """A difference of percentages: ``0.052`` → ``"+5,2 points"``."""
    if _missing(value):
        return missing
    v = float(value) * 100
    return f"{'+' if v > 0 else '−' if v < 0 else ''}{number(abs(v), decimals)} point{'s' if abs(v) >= 2 else ''}"


def signed(value: object, decimals: int = 2, missing: str = "–") -> str:
    """A signed number: ``+0,25`` / ``−0,10``."""
    if _missing(value):
        return missing
    v = float(value)
    return f"{'+' if v > 0 else '−' if v < 0 else ''}{number(abs(v), decimals)}"


def date(value: object, long: bool = False, missing: str = "–") -> str:
    """``2026-11-13`` → ``"13/11/2026"`` or, with ``long=True``, ``"13 novembre 2026"``."""
    if _missing(value) or value is pd.NaT:
        return missing
    ts = pd.Timestamp(value)
    return f"{ts.day} {MONTHS[ts.month - 1]} {ts.year}" if long else ts.strftime("%d/%m/%Y")


def pvalue(value: object, missing: str = "–") -> str:
    """``0.0004`` → ``"< 0,001"``, ``0.0312`` → ``"0,031"``."""
    if _missing(value):
        return missing
    v = float(value)
    return f"<{NBSP}0,001" if v < 0.001 else number(v, 3)


# ------------------------------------------------------------------------------------------------
# Values of registered indicators (config/indicateurs.yml): the unit decides the format
# ------------------------------------------------------------------------------------------------

def _measure(name_or_measure):
    from ..registry import Measure, load_registry

    return name_or_measure if isinstance(name_or_measure, Measure) else load_registry()[name_or_measure]


def value(indicator, v: object, missing: str = "–") -> str:
    """A registered indicator's value in French, by its unit.

    ``proportion`` → ``62,5 %``; ``taux_net`` → signed points; ``pourcent`` (already in %) →
    ``4,2 %``; notes, counts, hours, days, years → a number with the registered decimals.

    Examples
    --------
    >>> value("satisfaction_globale_satisfaits", 0.625)
    '62,5\u202f%'
    >>> value("satisfaction_globale_moyenne", 3.456)
    '3,46'
    """
    m = _measure(indicator)
    if m.unit == "proportion":
        return percent(v, m.decimals, missing=missing)
    if m.unit == "taux_net":
        return points(v, m.decimals, missing=missing)
    if m.unit == "pourcent":
        return percent(v, m.decimals, proportion=False, missing=missing)
    return number(v, m.decimals, missing=missing)


def difference(indicator, d: object, missing: str = "–") -> str:
    """A change of a registered indicator: ``+0,44`` for a note, ``+17,9 points`` for a share or a rate."""
    m = _measure(indicator)
    if m.unit in ("proportion", "taux_net"):
        return points(d, m.decimals, missing=missing)
    if m.unit == "pourcent":
        return points(None if _missing(d) else float(d) / 100, m.decimals, missing=missing)
    return signed(d, max(m.decimals, 1), missing=missing)


def interval(indicator, low: object, high: object, *, of_difference: bool = False) -> str:
    """``[47,6 % ; 58,3 %]``; an empty string when a bound is missing."""
    if _missing(low) or _missing(high):
        return ""
    f = difference if of_difference else value
    return f"[{f(indicator, low)} ; {f(indicator, high)}]"


def enumeration(items) -> str:
    """``["a", "b", "c"]`` → ``"a, b et c"``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]


#: French names of the multiple-testing adjustments (the spellings the configuration accepts).
ADJUSTMENT_NAMES = {"bh": "Benjamini–Hochberg", "fdr_bh": "Benjamini–Hochberg", "fdr": "Benjamini–Hochberg",
                    "benjamini-hochberg": "Benjamini–Hochberg", "holm": "Holm", "bonferroni": "Bonferroni"}


def adjustment(method: str) -> str:
    """French name of a multiple-testing adjustment: ``holm`` → ``Holm``, ``bh`` → ``Benjamini–Hochberg``."""
    return ADJUSTMENT_NAMES.get(str(method).lower(), str(method))
