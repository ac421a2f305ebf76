"""Person names in French free text: civility rules, lists, capitals, initials, first names.

Rules, in the order they are tried on each run of name-like tokens (capitalised or upper-case words,
initials, particles between them):

1. after a civility (``M.``, ``M``, ``Mme``, ``Mlle``, ``Monsieur``, ``Madame``, ``Me``, ``Maître``,
   ``Dr``, ``Docteur`` …), even glued (``MmeDUPONT``, ``M.KERVRAN``), the whole run: particles
   (``Marie-Josée de la Tour``, ``LE BRIS``), surname first (``LE GALL Yann``), maiden names
   (``LACAZE Marie Claire née PITOUX``); ``Monsieur le Maire`` is not a name;
2. after a plural civility (``MM.``, ``Mmes``, ``Messieurs``, ``Mesdames``, ``M. et Mme``), every name
   of the list, separated by commas, ``et`` or dashes, titles between them skipped;
3. without civility: a run mixing a word in capitals and a capitalised word (``BELLEMARE Firmin``,
   ``Jean Marie SAINT AUBIN``); an initial and a name (``A. Martin``, ``A.MARTIN``, ``J-M. Louis-Joseph``);
   a known first name followed by capitalised words (``Sandrine Lubin``); a known first name alone
   (``Merci à Josiane``) unless it is also a common word (``Rose``, ``Marin``);
4. never inside the name of a public place (``salle Simone Veil``, ``rue Félix Éboué``,
   ``Avenue du Docteur Raymond Vergès``).

First names come from the name dictionary shipped by the ``gender-guesser`` package (about 46,000
given names with their frequency per country), read once; "common word" means known to simplemma's
French dictionary.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from ..nlp import strip_accents

__all__ = ["TITLE_WORDS", "first_names", "is_common_word", "name_spans", "tokens"]

_L = "A-Za-zÀ-ÖØ-öø-ÿŒœ"
_U = "A-ZÀ-ÖØ-ÞŒ"
_TOKEN = re.compile(rf"[{_L}](?:[{_L}'’]|[-/](?=[{_L}]))*\.?")

SINGULAR = {"m.", "m", "mr", "mr.", "mme", "mme.", "mlle", "mlle.", "melle", "melle.", "monsieur", "madame",
            "mademoiselle", "me", "me.", "maître", "maitre", "dr", "dr.", "docteur", "docteure", "pr", "pr.",
            "professeur"}
PLURAL = {"mm.", "mm", "mmes", "mmes.", "messieurs", "mesdames", "mesdemoiselles", "mlles", "drs"}
PARTICLES = {"de", "du", "des", "la", "le", "d'", "van", "der", "den", "von", "dit", "née", "nee", "épouse", "veuve",
             "ben", "bin", "ould", "el", "al", "di", "da", "dos", "das", "y", "ép.", "vve"}
#: Capitalised words that are titles, institutions or form labels, never part of a name.
TITLE_WORDS = frozenset(strip_accents(w) for w in """
maire adjoint adjointe adjte adjt conseiller conseillere conseillers conseilleres municipal municipale municipaux
president presidente vice-president directeur directrice depute deputee depute-maire senateur senatrice prefet
prefete secretaire chef cheffe responsable rapporteur rapporteure dgs drh dga general generale generaux services
service direction mairie ville commune conseil cabinet communaute departement region collectivite collectivites
territoriales territoriale code etat republique francaise objet tel tél fax portable mobile email courriel
bonjour merci cordialement presents presentes present absents absentes absent excuses etaient etait procuration
procurations textes conception tuteur tutrice proposition propositions theme constat observe date accueil
accueillie accueilli ligne directe standard pour contre vu considerant article articles deliberation decision
lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet aout septembre
octobre novembre decembre madame monsieur mesdames messieurs maitre docteur st ste notre dame le la
les un une des du de et ou il elle ils elles on nous vous je tu ce cette ces mon ma mes son sa ses leur leurs
point points fort forts axe axes agent agents usager usagers usagere habitants police ecole college lycee
centre hotel salle rue avenue place boulevard chemin route quartier residence lotissement cite parc stade
association collectif societe civile entreprise syndicat mixte union france martinique guadeloupe guyane reunion
mayotte antilles europe paris ducos caf ccas cgct pv cm bp cedex ht ttc ras oui non madame-la monsieur-le
""".split())
#: Function titles: a name after a civility stops before them ("M. GANDIN Jean-Paul Maire").
FUNCTION_TITLES = frozenset(strip_accents(w) for w in """
maire adjoint adjointe adjte adjt conseiller conseillere conseillers conseilleres municipal municipale municipaux
president presidente vice-president directeur directrice depute deputee depute-maire senateur senatrice prefet
prefete secretaire chef cheffe responsable rapporteur rapporteure dgs drh dga dst general generale generaux
avocat avocate notaire gerant gerante tresorier tresoriere membre membres elu elue elus
""".split())
_PLACE_WORDS = frozenset(strip_accents(w) for w in """
rue avenue av bd boulevard place salle square allee chemin route impasse quai pont parc jardin stade gymnase
ecole college lycee groupe scolaire centre espace complexe maison mediatheque bibliotheque hopital clinique
residence lotissement cite quartier morne habitation fondation prix bourse theatre cinema musee aeroport port
piscine halle marche plage anse pointe fort fete fetes journee semaine mois association club eglise chapelle
cathedrale lakou docteur dr saint sainte
""".split())
_VOWELS = set("aeiouyàâäéèêëîïôöùûüÿœAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸŒ")


def _key(word: str) -> str:
    return strip_accents(word.replace("’", "'")).casefold().rstrip(".")


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Given names (accent-free, lower case) from gender-guesser's ``nam_dict.txt``, compounds included."""
    from importlib import resources

    out: set[str] = set()
    path = resources.files("gender_guesser") / "data" / "nam_dict.txt"
    with path.open("rb") as fh:
        for raw in fh:
            if raw.startswith(b"#") or len(raw) < 40:
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                line = raw.decode("iso-8859-1")
            name = line[3:29].strip().replace("+", "-")
            if len(name) >= 3 and "<" not in name:
                out.add(_key(name))
    return frozenset(out)


@lru_cache(maxsize=50_000)
def is_common_word(word: str) -> bool:
    """Whether the lower-case word is in simplemma's French dictionary (``rose``, ``marin``, ``service``)."""
    import simplemma

    w = word.casefold().rstrip(".")
    return simplemma.is_known(w, lang="fr") or simplemma.is_known(strip_accents(w), lang="fr")


@lru_cache(maxsize=1)
def _accent_free_words() -> frozenset[str]:
    """simplemma's French forms and lemmas written without accents (« demarche », « eclairage »)."""
    from simplemma.strategies.dictionaries import DEFAULT_DICTIONARY_FACTORY

    words = DEFAULT_DICTIONARY_FACTORY.get_dictionary("fr")
    return frozenset(strip_accents(w) for w in itertools.chain(words.keys(), words.values()))


def is_common_word_typed_without_accents(word: str) -> bool:
    """Whether a word is a French word typed without its accents and no first name (« Demarche »,
    « Eclairage »; not « Rene », « Eric »)."""
    key = _key(word)
    return key.isascii() and key not in first_names() and key in _accent_free_words()


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    text: str
    kind: str  # civ, civ_plural, initial, upper, cap, particle, lower

    @property
    def key(self) -> str:
        return _key(self.text)


@lru_cache(maxsize=200_000)  # a column repeats its words: classify each once
def _classify(word: str) -> str:
    low = word.casefold().replace("’", "'")
    if low in PLURAL:
        return "civ_plural"
    if low in SINGULAR and word[0].isupper():
        return "civ"
    if re.fullmatch(rf"[{_U}](?:-[{_U}])?\.", word):
        return "initial"
    if low in PARTICLES:
        return "particle"
    letters = [c for c in word if c.isalpha()]
    if word[0].isupper():
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            return "upper"
        return "cap"
    return "lower"


_GLUED = re.compile(rf"(?<![{_L}.])(M\.|Mme\.?|Mlle\.?|Melle\.?|Dr\.?|Me\.|[{_U}](?:-[{_U}])?\.)(?=[{_U}][{_L}])")


def tokens(text: str) -> list[Token]:
    """Word tokens with offsets; glued civilities and initials are split (``MmeDUPONT``, ``A.MARTIN``)."""
    out = []
    for m in _TOKEN.finditer(text):
        word, start = m.group(), m.start()
        g = _GLUED.match(word)
        if g is None and word[:3] == "Mme" and len(word) > 3 and word[3].isupper():
            g = re.match(r"Mme", word)
        if g is not None and g.end() < len(word):
            head = word[: g.end()]
            kind = "civ" if head.casefold() in SINGULAR else _classify(head)
            out.append(Token(start, start + g.end(), head, kind))
            word, start = word[g.end():], start + g.end()
        if word.endswith(".") and _classify(word) not in {"civ", "civ_plural", "initial"} and word[:-1].casefold() \
                not in {"ép", "dr", "pr", "me", "mr"}:
            word = word[:-1]
        out.append(Token(start, start + len(word), word, _classify(word)))
    return out


def _is_acronym(tok: Token) -> bool:
    letters = [c for c in tok.text if c.isalpha()]
    return tok.kind == "upper" and (len(letters) <= 3 and tok.key not in {"le", "la", "de", "du"}
                                    or not any(c in _VOWELS for c in letters))


def _name_like(tok: Token, after_civility: bool = False) -> bool:
    stop = FUNCTION_TITLES if after_civility else TITLE_WORDS
    return tok.kind in {"upper", "cap", "initial"} and tok.key not in stop


def _joined(text: str, a: Token, b: Token) -> bool:
    gap = text[a.end:b.start]
    return gap in {" ", "", "\u00a0"}


def _run(text: str, toks: list[Token], i: int, *, after_civility: bool) -> int:
    """End index (exclusive) of the run of name tokens starting at ``i`` (``i`` when none)."""
    j = i
    while j < len(toks):
        tok = toks[j]
        if j > i and not _joined(text, toks[j - 1], tok):
            break
        if _name_like(tok, after_civility) and not (tok.kind == "upper" and _is_acronym(tok) and not after_civility
                                    and tok.key not in {"le", "la"}):
            j += 1
            continue
        particle = tok.kind == "particle" or tok.kind == "upper" and tok.key in PARTICLES
        if particle and j + 1 < len(toks) and _joined(text, tok, toks[j + 1]):
            k = j + 1
            while k < len(toks) and (toks[k].kind == "particle" or toks[k].key in PARTICLES) \
                    and k + 1 < len(toks) and _joined(text, toks[k], toks[k + 1]):
                k += 1
            if k < len(toks) and _name_like(toks[k], after_civility) and (j > i or after_civility):
                j = k + 1
                continue
        break
    # an upper-case particle alone at the end is not a name ("M. LE" cannot end a run)
    return j


def _place_before(toks: list[Token], i: int, text: str = "") -> bool:
    """Whether token ``i`` continues the name of a public place ("salle Simone Veil", "rue du Docteur X")."""
    for k in range(max(0, i - 3), i):
        if toks[k].key in _PLACE_WORDS and toks[k].kind in {"cap", "lower", "civ", "upper"}:
            between = toks[k + 1:i]
            gap = text[toks[k].end:toks[i].start] if text else ""
            if re.search(r"[:,;.()\n|]", gap.replace("Dr.", "").replace("M.", "")):
                continue
            if all(t.kind in {"particle", "civ"} or t.key in {"du", "de", "la", "des"} for t in between):
                return True
    return False


def _known_first_name(tok: Token, names: frozenset[str]) -> bool:
    parts = [p for p in tok.key.split("-") if p]
    return tok.key in names or len(parts) > 1 and all(p in names for p in parts)


def _person_without_civility(text: str, toks: list[Token], i: int, j: int, names: frozenset[str]) -> bool:
    run = toks[i:j]
    if _place_before(toks, i, text):
        return False
    kinds = [t.kind for t in run]
    if kinds[0] == "initial" and len(run) >= 2:
        return True
    real_upper = [t for t in run if t.kind == "upper" and not _is_acronym(t) and t.key not in PARTICLES]
    caps = [t for t in run if t.kind == "cap" and sum(c.isalpha() for c in t.text) >= 2]
    if real_upper and caps:
        return True
    if len(real_upper) >= 2 and any(t.key in names for t in real_upper):
        return True
    if len(caps) >= 2 and caps[0] is run[0]:
        first = run[0]
        return _known_first_name(first, names) and not (is_common_word(first.text) and is_common_word(run[-1].text))
    if len(run) == 1 and run[0].kind == "cap":
        t = run[0]
        if i > 0 and toks[i - 1].key in _ARTICLES and toks[i - 1].kind in {"lower", "particle"}:
            return False  # "la Toussaint", "le Pascal"
        return _known_first_name(t, names) and len(t.key) >= 3 and not is_common_word(t.text)
    return False


_ARTICLES = {"la", "le", "les", "du", "des", "au", "aux", "l'", "un", "une", "ce", "cette", "notre", "votre"}


def name_spans(text: str) -> list[tuple[int, int, str]]:
    """Spans of person names found by the rules (civility excluded from the span)."""
    toks = tokens(text)
    names = first_names()
    spans: list[tuple[int, int, str]] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind in {"civ", "civ_plural"}:
            plural = tok.kind == "civ_plural"
            k = i + 1
            # "M. et Mme X", "Monsieur et Madame X"
            while k + 1 < len(toks) and toks[k].key == "et" and toks[k + 1].kind in {"civ", "civ_plural"}:
                plural = plural or toks[k + 1].kind == "civ_plural"
                k += 2
            if k < len(toks) and re.fullmatch(r"\s*:?\s*", text[toks[k - 1].end:toks[k].start] or "") is None:
                i = k
                continue
            if tok.key in {"dr", "docteur", "docteure"} and _place_before(toks, i, text):
                i = k
                continue
            if k < len(toks) and toks[k].key in {"le", "la", "les"} and toks[k].text[0].islower():
                i = k
                continue
            i = _civility_names(text, toks, k, plural, spans)
            continue
        j = _run(text, toks, i, after_civility=False)
        if j > i and _person_without_civility(text, toks, i, j, names):
            spans.append((toks[i].start, toks[j - 1].end, "NOM"))
            i = j
            continue
        i = max(j, i + 1)
    spans = spans + _repeated_first_names(text, toks, spans)
    return spans + _coordinated(text, toks, spans)


def _coordinated(text: str, toks: list[Token], spans: list) -> list[tuple[int, int, str]]:
    """A capitalised word coordinated with a name is a name too ("Josette et Line-Rose", "X, Y et Z")."""
    out = []
    ends = {e for _, e, _ in spans}
    starts = {s for s, _, _ in spans}
    for n, t in enumerate(toks):
        if t.end in ends and n + 2 < len(toks) and toks[n + 1].key == "et":
            nxt = toks[n + 2]
            j = _run(text, toks, n + 2, after_civility=False)
            gap_ok = re.fullmatch(r"\s+et\s+", text[t.end:nxt.start]) is not None
            if gap_ok and j > n + 2 and nxt.start not in starts and nxt.kind == "cap" \
                    and not all(is_common_word(x.text) for x in toks[n + 2:j]):
                out.append((nxt.start, toks[j - 1].end, "NOM"))
    return out


def _repeated_first_names(text: str, toks: list[Token], spans: list) -> list[tuple[int, int, str]]:
    """A first name already redacted in a full name is redacted where it appears alone ("Pascal a …")."""
    seen = set()
    for start, end, _ in spans:
        inside = [t for t in toks if start <= t.start and t.end <= end and t.kind == "cap"]
        if len(inside) >= 1 and any(t.kind in {"cap", "upper"} for t in toks if start <= t.start and t.end <= end
                                    and t is not inside[0]):
            seen.add(inside[0].text)
    out = []
    for t in toks:
        if t.text in seen and not any(s <= t.start < e for s, e, _ in spans):
            out.append((t.start, t.end, "NOM"))
    return out


_LIST_SEP = re.compile(r"\s*(?:,|et|-|–|—|/|;)?\s*(?:et\s+)?")


def _civility_names(text: str, toks: list[Token], k: int, plural: bool, spans: list) -> int:
    """Names after a civility at token ``k``; in list mode, every name of the list. Returns the next index."""
    while k < len(toks):
        j = _run(text, toks, k, after_civility=True)
        if j == k:
            return k
        spans.append((toks[k].start, toks[j - 1].end, "NOM"))
        if not plural:
            return j
        # list: separators, another civility, or a title up to the next comma
        n = j
        gap_end = toks[n].start if n < len(toks) else len(text)
        gap = text[toks[j - 1].end:gap_end]
        if n < len(toks) and ("\n" not in gap) and re.fullmatch(r"\s*(?:,|et|-|–|—)?\s*(?:et\s*)?", gap) \
                and (n == len(toks) or toks[n].key != "et"):
            if toks[n].kind in {"civ", "civ_plural"}:
                return n
            if _name_like(toks[n], True) or toks[n].kind == "particle" or toks[n].key in PARTICLES:
                k = n
                continue
        if n < len(toks) and toks[n].key == "et" and n + 1 < len(toks) and (
                _name_like(toks[n + 1], True) or toks[n + 1].key in PARTICLES):
            k = n + 1
            continue
        # skip a short title ("Maire", "1° adjointe", "(4ème Adjoint)") up to the next comma
        rest = text[toks[j - 1].end:]
        comma = re.match(r"[^,.;:\n]{1,40}?,\s*", rest)
        if comma is None:
            return j
        pos = toks[j - 1].end + comma.end()
        n = next((x for x in range(j, len(toks)) if toks[x].start >= pos), len(toks))
        if n < len(toks) and (_name_like(toks[n], True) or toks[n].key in PARTICLES) and toks[n].start == pos:
            k = n
            continue
        return j
    return k
