"""Fixed rules for e-mails, phone numbers, postcodes and postal addresses (spans on the original text).

Every function returns ``(start, end, kind)`` spans on the text as given (no normalisation, so what is
kept stays byte for byte what was written).

- E-mails, plain or obfuscated (``prenom.nom [at] ville.fr``, ``x (at) orange (point) fr``,
  ``x at gmail dot com``, ``x (arobase) wanadoo.fr``).
- Phones of France and every overseas department: a national number (``0`` + 9 digits, any spaces,
  dots or hyphens: ``0596 60 14 27``, ``06-93-27-40-18``, ``0690412233``) or an international one
  (``+`` or ``00``, country code 33, 590, 594, 596, 262, 269, 508, 681, 687, 689, then 9 digits,
  with or without the trunk 0 in brackets). Dates written with dots (``01.02.2024``) are not phones.
- Postcodes: five digits followed by a town in capitals (``97224 Ducos``, ``97387 KOUROU CEDEX``),
  overseas codes 971–976 also before a comma or the end of a line.
- Addresses: number + street type + name (``14 bis chemin des Oliviers``), ``lot.``/``lotissement``,
  ``résidence``/``rés.`` with building and flat, ``quartier``/``village``/``section`` + name, ``BP 54``,
  and a street without number after a verb of residence (``domiciliés rue …``, ``j'habite …``). The
  address of a public building (a line or sentence naming the town hall, CCAS …) is kept.
"""

from __future__ import annotations

import re

__all__ = ["address_spans", "email_spans", "phone_spans", "postcode_spans"]

_AT = r"(?:\s*[\[(]\s*(?:at|arobase|chez|@)\s*[\])]\s*|\s+(?:at|arobase)\s+|@)"
_DOT = r"(?:\s*[\[(]\s*(?:point|dot)\s*[\])]\s*|\s+(?:point|dot)\s+|\.)"
_EMAIL = re.compile(
    rf"(?<![\w.+-])[\w][\w.+-]*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[a-zA-Z]{{2,6}}(?![\w@])",
    re.IGNORECASE,
)


def email_spans(text: str) -> list[tuple[int, int, str]]:
    """E-mail addresses, plain or obfuscated."""
    return [(m.start(), m.end(), "EMAIL") for m in _EMAIL.finditer(text)]


_SEP = r"[ .\-\u00a0\u202f]?"
_COUNTRY = r"(?:33|590|594|596|262|269|508|681|687|689)"
_PHONE = re.compile(
    rf"(?<![\w+])(?:"
    rf"(?:\+|00)\s?{_COUNTRY}{_SEP}(?:\(0\){_SEP})?\d(?:{_SEP}\d){{8}}"
    rf"|0\d(?:{_SEP}\d){{8}}"
    rf")(?![\d])"
)
_DOTTED_DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.(?:19|20)\d\d")


def phone_spans(text: str) -> list[tuple[int, int, str]]:
    """Phone numbers of France and the overseas departments, as written."""
    out = []
    for m in _PHONE.finditer(text):
        raw = m.group()
        if _DOTTED_DATE.match(raw):
            continue
        out.append((m.start(), m.end(), "TELEPHONE"))
    return out


_POSTCODE = re.compile(
    r"(?<![\d,.\w])(?:97[1-6]\d\d|(?:0[1-9]|[1-8]\d|9[0-5])\d{3})"
    r"(?=\s+(?:[A-ZÀ-Ý][\w'’-]|(?:la|le|les|l')\s?[A-ZÀ-Ý]))"
    r"|(?<![\d,.\w])97[1-6]\d\d(?![\d,.]\d|\s?(?:€|%|euros?\b|habitants\b|agents\b|personnes\b|[hH]\b|m2|m²|km))(?!\d)"
)


def postcode_spans(text: str) -> list[tuple[int, int, str]]:
    """Postcodes (the five digits only)."""
    return [(m.start(), m.end(), "CODE_POSTAL") for m in _POSTCODE.finditer(text)]


_STREET = (
    r"rue|avenue|av\.|bd|boulevard|chemin|ch\.|route|rte|impasse|imp\.|all[ée]e|place|square|sentier|"
    r"passage|cours|quai|voie|traverse|ruelle|cit[ée]|morne|habitation|hameau|piste|lieu-dit|lieudit"
)
_NAME_CHUNK = r"(?:[\w'’À-ÿ-]+)"
# Number + street: runs to a comma, a full stop, a line end, a bracket or a dash separator.
_NUMBERED = re.compile(
    rf"(?<![\w,])\d{{1,4}}(?:\s?(?:bis|ter|quater|[A-Da-d])\b)?,?\s+(?i:{_STREET})\b"
    rf"(?:[ \t]+(?:(?:de|du|des|la|le|les|aux|au|à|l'|d')[ \t]*)*(?!\d{{5}}\b)[A-ZÀ-ÖØ-Þ0-9][\w'’À-ÿ-]*){{1,6}}"
)
_ESTATE = re.compile(
    r"(?:(?<![\w,])\d{1,4},?\s+)?(?i:lotissement|lot\.|r[ée]sidence|r[ée]s\.)\s+(?:(?:les|le|la|l'|des|du|de)\s+)*[A-ZÀ-Ý][\w'’À-ÿ-]*"
    r"(?:\s+(?:(?:les|le|la|l'|des|du|de|d')\s*)*[A-ZÀ-Ý][\w'’À-ÿ-]*)*"
    r"(?:,?\s+(?i:lot|b[âa]t\.?|b[âa]timent|appt\.?|appartement|apt\.?|porte|escalier|esc\.)\s*[\w-]+)*"
    rf"(?:,\s*(?i:{_STREET})\s+\d{{1,4}}\b)?"
)
_AREA = re.compile(
    r"(?<!de )(?<!du )(?i:quartier|village|section|lieu-dit|habitation)\s+(?:(?:de|du|des|la|le|l')\s*)*[A-ZÀ-Ý][\w'’À-ÿ-]*"
    r"(?:\s+[A-ZÀ-Ý][\w'’À-ÿ-]*)*(?:,\s*(?i:piste|chemin|route|sentier|lot|all[ée]e)\s+[\w'’À-ÿ-]+)?"
)
_BOX = re.compile(r"\b(?:BP|B\.P\.|[Bb]o[îi]te postale)\s*\d{1,5}\b")
_RESIDENCE_CUE = re.compile(
    r"(?i:domicili[ée]e?s?|demeurant|r[ée]sidant|habite|habitons|habitent|vit|vivons|vivent|propri[ée]taires|"
    r"locataires|riverains|installée?s?)\s+(?:(?:au|à|a|aux|dans|en|sur|de|du|des|la|le|l')\s*)*$"
)
_STREET_ONLY = re.compile(
    rf"(?i:{_STREET})\s+(?:(?:de|du|des|la|le|les|l'|d')\s*)*[A-ZÀ-Ý][\w'’À-ÿ-]*(?:\s+(?:(?:de|du|des|la|le|les|l'|d')\s*)*"
    rf"[A-ZÀ-Ý][\w'’À-ÿ-]*)*"
)
# A line or sentence about a public building: its address is public, kept as written.
_PUBLIC_PLACE = re.compile(
    r"(?i:mairie|h[ôo]tel de ville|ccas|centre communal|pr[ée]fecture|sous-pr[ée]fecture|m[ée]diath[èe]que|"
    r"biblioth[èe]que|annexe|si[èe]ge|tribunal|caf\b|cgss|p[ôo]le emploi|france travail|maison france services|"
    r"[ée]cole|coll[èe]ge|lyc[ée]e|gymnase|stade|piscine|poste|h[ôo]pital|d[ée]partement|r[ée]gion|collectivit[ée]|"
    r"service|direction|maison|association|situ[ée]e?s?)"
)


def _public_context(text: str, start: int) -> bool:
    line_start = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start)) + 1
    before = text[line_start:start]
    return bool(_PUBLIC_PLACE.search(before)) and not _RESIDENCE_CUE.search(before)


def _trim(text: str, start: int, end: int) -> int:
    # stop a street name before a postcode, a dash separator or a trailing connective
    segment = text[start:end]
    cut = re.search(r"\s(?:\d{5}\b|[—–-]\s|et\s|à\s|au\s|pour\s|depuis\s|sans\s|avec\s)", segment)
    if cut:
        end = start + cut.start()
    while end > start and text[end - 1] in " ,;:.—–-":
        end -= 1
    return end


def address_spans(text: str) -> list[tuple[int, int, str]]:
    """Postal addresses of persons (see module docstring)."""
    out = []
    for m in _NUMBERED.finditer(text):
        if _public_context(text, m.start()):
            continue
        out.append((m.start(), _trim(text, m.start(), m.end()), "ADRESSE"))
    for pattern in (_ESTATE, _AREA, _BOX):
        for m in pattern.finditer(text):
            out.append((m.start(), m.end(), "ADRESSE"))
    for m in _STREET_ONLY.finditer(text):
        line_start = max(text.rfind("\n", 0, m.start()), 0)
        if _RESIDENCE_CUE.search(text[line_start:m.start()]):
            out.append((m.start(), _trim(text, m.start(), m.end()), "ADRESSE"))
    return out
