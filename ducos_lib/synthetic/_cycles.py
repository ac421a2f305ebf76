"""Synthetic sample: later cycles of the programme (``C2-T0`` …), for testing calendar-driven runs.

A cycle ``k >= 2`` is the first cycle replayed ``52 (k - 1)`` weeks later (weekdays kept: the first
milestone of cycle 2 falls on the last one of cycle 1) with its milestones renamed ``Ck-T0`` …
and a ``cycle`` column in the calendar. It tests that every report follows the calendar; it is not a
continuation of the simulated town (the same agents, the same planted effects, a year later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_FR = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Cycle:
    """Renaming and date shift of one cycle (cycle 1: identity)."""

    number: int = 1

    @property
    def days(self) -> int:
        return 364 * (self.number - 1)

    def milestone(self, name: str) -> str:
        """``T6`` → ``C2-T6`` (unchanged in cycle 1)."""
        return name if self.number == 1 else f"C{self.number}-{name}"

    def shift(self, value):
        """A date cell moved by the cycle's offset, in its own format; anything else unchanged.

        Dates (``date`` objects, ``JJ/MM/AAAA``, ``AAAA-MM-JJ``) move by :attr:`days`; months
        (``AAAA-MM``) by whole years. Invalid planted values (``31/02/2026``) stay as they are.
        """
        if self.number == 1 or value is None:
            return value
        if isinstance(value, date):
            return value + timedelta(days=self.days)
        if not isinstance(value, str):
            return value
        try:
            if m := _FR.match(value):
                d = date(int(m[3]), int(m[2]), int(m[1])) + timedelta(days=self.days)
                return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"
            if m := _ISO.match(value):
                d = date(int(m[1]), int(m[2]), int(m[3])) + timedelta(days=self.days)
                return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
        except ValueError:
            return value
        if m := _MONTH.match(value):
            return f"{int(m[1]) + self.number - 1:04d}-{m[2]}"
        return value

    def rows(self, rows, date_cols=(), wave_col=None):
        """``rows`` with their date columns shifted and their milestone column renamed (in place)."""
        if self.number == 1:
            return rows
        for r in rows:
            for c in date_cols:
                r[c] = self.shift(r[c])
            if wave_col is not None:
                r[wave_col] = self.milestone(r[wave_col])
        return rows
