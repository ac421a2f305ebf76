"""The living guide of managerial practices and its evidence from the immersions (DESIGN §5 "Phases 4–5").

The guide (``guide/guide_pratiques.md``) is a human-edited Markdown document: :func:`parse_guide`
reads its front matter and practices (each tied to codebook themes); :func:`theme_frequencies`
counts themes in the immersion forms, :func:`guide_evidence` builds the evidence annex (one row per
theme cited by a practice, with its change since the previous milestone), :func:`annex_movements`
sorts the themes that rose, fell or appeared, and :func:`theme_proposals` gives the agents'
redacted proposals on a theme. The French HTML page is written by :mod:`ducos_lib.reports.guide`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

#: Codes of the ``statut_evolution`` column of :func:`guide_evidence`.
EVOLUTION_STATUSES = ("no_previous", "new", "absent", "stable", "change")


class GuideError(ValueError):
    """The guide's Markdown cannot be used: the French message names the file, line and problem."""


@dataclass(frozen=True)
class Practice:
    """One ``##`` section of the guide tied to codebook themes."""

    title: str
    themes: tuple[str, ...]
    line: int
    anchor: str


@dataclass(frozen=True)
class Guide:
    """The parsed guide: front matter, practices and the Markdown body (front matter removed)."""

    path: Path
    title: str
    version: str
    date: pd.Timestamp
    practices: tuple[Practice, ...]
    body: str
    body_first_line: int
    history: str = ""

    def practices_frame(self) -> pd.DataFrame:
        """One row per practice × theme: ``pratique, theme``."""
        return pd.DataFrame([(p.title, t) for p in self.practices for t in p.themes],
                            columns=["pratique", "theme"])

    @property
    def themes(self) -> list[str]:
        """Themes tied to at least one practice, in order of first appearance."""
        return list(dict.fromkeys(t for p in self.practices for t in p.themes))


#: ``##`` sections that are prose, not practices (compared without accents or case); the front
#: matter key ``sections_hors_pratiques`` adds others.
NON_PRACTICE_SECTIONS = ("historique des versions", "introduction", "a propos de ce guide",
                         "comment utiliser ce guide", "mode d'emploi")
HISTORY_SECTION = "historique des versions"
_THEMES_LINE = re.compile(r"^\s*(?:[*_]{1,2})?\s*th[eè]mes?\s*(?:[*_]{1,2})?\s*:\s*(?:[*_]{1,2})?\s*(?P<list>.*?)\s*$",
                          re.IGNORECASE)
_H2 = re.compile(r"^##\s+(?P<title>.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _plain(text: str) -> str:
    from .io import strip_accents

    return re.sub(r"\s+", " ", strip_accents(text).replace("’", "'").lower()).strip()


def _theme_anchor(theme: str) -> str:
    return "theme-" + re.sub(r"[^a-z0-9]+", "-", _plain(theme)).strip("-")


def _practice_anchor(title: str) -> str:
    return "pratique-" + re.sub(r"[^a-z0-9]+", "-", _plain(title)).strip("-")


def _theme_labels(codebook: Any) -> dict[str, str]:
    """Codebook (``ducos_lib.text.Codebook``), mapping code → label, or iterable of codes."""
    if codebook is None:
        from .text import load_codebook

        codebook = load_codebook()
    if hasattr(codebook, "labels") and callable(codebook.labels):
        return dict(codebook.labels())
    if isinstance(codebook, Mapping):
        return {str(k): str(v) for k, v in codebook.items()}
    return {str(c): str(c) for c in codebook}


def _parse_date(value: Any, path: Path) -> pd.Timestamp:
    try:
        if isinstance(value, (_dt.date, _dt.datetime)):
            return pd.Timestamp(value)
        text = str(value).strip()
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):
            return pd.Timestamp(pd.to_datetime(text, format="%d/%m/%Y"))
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except (ValueError, TypeError):
        raise GuideError(f"Guide {path}, en-tête : date « {value} » illisible ; attendu AAAA-MM-JJ ou "
                         "JJ/MM/AAAA.") from None


def parse_guide(guide_path: Path | str, codebook: Any = None) -> Guide:
    """Read the guide's Markdown: YAML front matter, practices and the themes each one cites.

    Format: a front matter between two ``---`` lines with ``version`` and ``date`` (AAAA-MM-JJ or
    JJ/MM/AAAA; ``titre`` optional); one ``##`` section per practice containing a line
    ``Thèmes : code_a, code_b`` (comma or semicolon separated, backquotes and bold allowed);
    prose sections (:data:`NON_PRACTICE_SECTIONS`, e.g. ``## Historique des versions``) need no
    such line. The ``## Historique des versions`` section must mention the current version.

    Parameters
    ----------
    guide_path : path
        The Markdown file (``guide/guide_pratiques.md``).
    codebook : Codebook, mapping or iterable, optional
        The known themes (default ``config/codebook.yml``).

    Raises
    ------
    GuideError
        In French, naming the file and line: missing front matter, version or date; a practice
        without themes; a theme unknown to the codebook (listing the known ones); no practice; a
        version absent from the history.
    """
    path = Path(guide_path)
    labels = _theme_labels(codebook)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GuideError(f"Guide introuvable : {path}.") from None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise GuideError(f"Guide {path}, ligne 1 : l'en-tête YAML (entre deux lignes « --- ») est absent ; "
                         "il doit donner au moins « version » et « date ».")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise GuideError(f"Guide {path} : l'en-tête YAML n'est pas refermé par une ligne « --- ».") from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        raise GuideError(f"Guide {path}, en-tête : YAML illisible ({exc}).") from None
    for key in ("version", "date"):
        if not meta.get(key):
            raise GuideError(f"Guide {path}, en-tête : la clé « {key} » est absente ou vide.")
    version = str(meta["version"]).strip()
    date = _parse_date(meta["date"], path)
    extra = meta.get("sections_hors_pratiques") or ()
    prose = {_plain(s) for s in NON_PRACTICE_SECTIONS} | {_plain(str(s)) for s in extra}
    body_lines = lines[end + 1:]
    first = end + 2  # spreadsheet-like numbering: first body line's number in the file

    sections: list[tuple[str, int, list[tuple[int, str]]]] = []
    in_fence = False
    for offset, line in enumerate(body_lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _H2.match(line)
        if heading:
            sections.append((heading.group("title").strip(), first + offset, []))
        elif sections:
            sections[-1][2].append((first + offset, line))

    practices, history = [], ""
    known = list(labels)
    for title, line_no, content in sections:
        if _plain(title) == HISTORY_SECTION:
            history = "\n".join(t for _, t in content)
        theme_lines = [(n, m.group("list")) for n, t in content if (m := _THEMES_LINE.match(t))]
        if _plain(title) in prose and not theme_lines:
            continue
        if not theme_lines:
            raise GuideError(
                f"Guide {path}, ligne {line_no} : la pratique « {title} » n'indique pas ses thèmes ; "
                "ajoutez une ligne « Thèmes : theme_a, theme_b » (thèmes du codebook)."
            )
        themes: list[str] = []
        for n, listed in theme_lines:
            for raw in re.split(r"[,;]", listed):
                code = raw.strip().strip("`*_ .").strip()
                if not code:
                    continue
                if code not in labels:
                    raise GuideError(
                        f"Guide {path}, ligne {n}, pratique « {title} » : thème inconnu « {code} ». "
                        f"Thèmes du codebook : {', '.join(known)}."
                    )
                if code not in themes:
                    themes.append(code)
        if not themes:
            raise GuideError(f"Guide {path}, ligne {theme_lines[0][0]} : la pratique « {title} » a une "
                             "ligne « Thèmes : » vide.")
        practices.append(Practice(title, tuple(themes), line_no, _practice_anchor(title)))
    if not practices:
        raise GuideError(f"Guide {path} : aucune pratique (section « ## » avec une ligne « Thèmes : »).")
    if not history.strip():
        raise GuideError(f"Guide {path} : la section « ## Historique des versions » est absente ou vide.")
    if not re.search(rf"(?<![\w.]){re.escape(version)}(?![\w]|\.\d)", history):
        raise GuideError(f"Guide {path} : la version {version} de l'en-tête n'a pas d'entrée datée dans "
                         "« ## Historique des versions ».")
    title = str(meta.get("titre") or "Guide des pratiques managériales")
    return Guide(path, title, version, date, tuple(practices), "\n".join(body_lines), first, history)


def theme_frequencies(
    coding: pd.DataFrame,
    fiches: pd.DataFrame,
    *,
    until: Any = None,
    date_column: str = "date_immersion",
) -> pd.DataFrame:
    """How often each theme came up in the immersion forms.

    Parameters
    ----------
    coding : DataFrame
        ``immersions_codage`` (``id_fiche, champ, theme``).
    fiches : DataFrame
        Processed ``fiches_immersion`` (the denominator: every form, coded or not).
    until : date, optional
        Keep forms dated on or before it (e.g. the previous milestone's date).

    Returns
    -------
    DataFrame
        ``theme, n_fiches, part_fiches, n_propositions, n_total``: forms mentioning the theme in
        any field, their share of all forms (in [0, 1]), forms whose ``propositions`` mention it,
        and the number of forms.
    """
    forms = fiches
    if until is not None and date_column in forms.columns:
        forms = forms[forms[date_column] <= pd.Timestamp(until)]
    ids = set(forms["id_fiche"].astype(str))
    total = len(ids)
    coded = coding[coding["id_fiche"].astype(str).isin(ids)]
    n_any = coded.groupby("theme")["id_fiche"].nunique()
    n_prop = coded[coded["champ"] == "propositions"].groupby("theme")["id_fiche"].nunique()
    themes = sorted(set(n_any.index))
    out = pd.DataFrame({"theme": pd.Series(themes, dtype="str")})
    out["n_fiches"] = out["theme"].map(n_any).fillna(0).astype("int64")
    out["part_fiches"] = out["n_fiches"] / total if total else np.nan
    out["n_propositions"] = out["theme"].map(n_prop).fillna(0).astype("int64")
    out["n_total"] = total
    return out


def _movement(now: int, share: float, prev: pd.Series | None) -> tuple[float, float, str]:
    """(previous share, difference, status code) of one theme; ``prev`` empty = theme never seen."""
    if prev is None:
        return np.nan, np.nan, "no_previous"
    prev_n = int(prev.get("n_fiches", 0) or 0)
    prev_share = float(prev["part_fiches"]) if pd.notna(prev.get("part_fiches", np.nan)) else 0.0
    if prev_n == 0 and now > 0:
        return prev_share, np.nan, "new"
    if prev_n == 0 and now == 0:
        return prev_share, 0.0, "absent"
    diff = share - prev_share
    return prev_share, diff, "change" if round(diff * 1000) != 0 else "stable"


def guide_evidence(
    guide: Guide,
    coding: pd.DataFrame,
    fiches: pd.DataFrame,
    previous_milestone_data: pd.DataFrame | None = None,
    *,
    codebook: Any = None,
) -> pd.DataFrame:
    """Evidence table of the annex: one row per theme tied to a practice.

    Parameters
    ----------
    guide : Guide
        From :func:`parse_guide`.
    coding, fiches : DataFrame
        The milestone's ``immersions_codage`` and forms (see :func:`theme_frequencies`).
    previous_milestone_data : DataFrame, optional
        :func:`theme_frequencies` of the previous milestone (``theme, n_fiches, part_fiches``).
        Recommended: ``theme_frequencies(coding, fiches, until=<previous milestone's date>)`` on
        this milestone's coding, so both milestones are coded with the same codebook version.
        Without it there is no comparison.

    Returns
    -------
    DataFrame
        ``theme, libelle, pratiques, n_fiches, part_fiches, n_propositions, part_precedente,
        difference_part, statut_evolution``. ``libelle`` is the codebook's label of the theme;
        ``difference_part`` the change of share (proportion points); ``statut_evolution`` one of
        :data:`EVOLUTION_STATUSES`: ``change``, ``stable`` (under 0.05 point), ``new`` (no form at
        the previous milestone), ``absent`` (at neither milestone), ``no_previous`` (no previous
        milestone).
    """
    labels = _theme_labels(codebook)
    freq = theme_frequencies(coding, fiches).set_index("theme")
    total = int(len(set(fiches["id_fiche"].astype(str))))
    prev = None
    if previous_milestone_data is not None:
        prev = previous_milestone_data.assign(theme=previous_milestone_data["theme"].astype(str)).set_index("theme")
    rows = []
    for theme in guide.themes:
        n = int(freq["n_fiches"].get(theme, 0))
        share = n / total if total else np.nan
        n_prop = int(freq["n_propositions"].get(theme, 0))
        prev_row = None if prev is None else (prev.loc[theme] if theme in prev.index else pd.Series(dtype=object))
        prev_share, diff, status = _movement(n, share, prev_row)
        practices = "; ".join(p.title for p in guide.practices if theme in p.themes)
        rows.append((theme, labels.get(theme, theme), practices, n, share, n_prop, prev_share, diff, status))
    return pd.DataFrame(rows, columns=["theme", "libelle", "pratiques", "n_fiches", "part_fiches",
                                       "n_propositions", "part_precedente", "difference_part", "statut_evolution"])


def theme_proposals(coding: pd.DataFrame, fiches: pd.DataFrame, theme: str,
                    redact: Callable[[str], str]) -> list[str]:
    """The agents' proposals coded on ``theme``, redacted, most recent forms first, without repeats.

    Parameters
    ----------
    coding : DataFrame
        ``immersions_codage`` (``id_fiche, champ, theme``): only the ``propositions`` field counts.
    fiches : DataFrame
        Processed ``fiches_immersion`` (``id_fiche``, ``propositions``, ``date_immersion``).
    redact : callable
        Text → redacted text; every proposal goes through it before anything else.
    """
    ids = set(coding.loc[(coding["theme"] == theme) & (coding["champ"] == "propositions"), "id_fiche"].astype(str))
    forms = fiches[fiches["id_fiche"].astype(str).isin(ids) & fiches["propositions"].notna()]
    if "date_immersion" in forms.columns:
        forms = forms.sort_values(["date_immersion", "id_fiche"], ascending=[False, True], kind="stable")
    else:
        forms = forms.sort_values("id_fiche", kind="stable")
    seen, out = set(), []
    for text in forms["propositions"]:
        quote = redact(str(text)).strip()
        if quote and quote not in seen:
            seen.add(quote)
            out.append(quote)
    return out


def annex_movements(annex: pd.DataFrame, *, threshold: float = 0.02) -> dict[str, pd.DataFrame]:
    """Themes of the guide's annex that rose, fell, appeared or stayed since the previous milestone.

    Parameters
    ----------
    annex : DataFrame
        :func:`guide_evidence` (or ``RenderedGuide.evidence``) computed with a previous milestone.
    threshold : float
        Smallest change of share (proportion points, default 0.02 = 2 points) called a rise or a fall.

    Returns
    -------
    dict
        ``hausse`` (largest rise first), ``baisse`` (largest fall first), ``nouveau`` and ``stable``:
        rows of ``annex``. All empty when there is no previous milestone.
    """
    diff = annex["difference_part"]
    return {
        "hausse": annex[diff >= threshold].sort_values("difference_part", ascending=False, kind="stable"),
        "baisse": annex[diff <= -threshold].sort_values("difference_part", kind="stable"),
        "nouveau": annex[annex["statut_evolution"] == "new"],
        "stable": annex[diff.abs() < threshold],
    }


def count_forms(fiches: pd.DataFrame | None, *, until: Any = None, date_column: str = "date_immersion") -> int:
    """Number of distinct immersion forms (dated on or before ``until`` when given); 0 for None."""
    if fiches is None or len(fiches) == 0:
        return 0
    if until is not None and date_column in fiches.columns:
        fiches = fiches[fiches[date_column] <= pd.Timestamp(until)]
    return int(fiches["id_fiche"].astype(str).nunique())
