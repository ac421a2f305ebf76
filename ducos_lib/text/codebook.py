"""Codebooks: themes with French labels, definitions, labelling guidelines and rule patterns.

Two codebooks, named in ``config/observatoire.yml`` under ``textes`` (:func:`codebook_path`): the staff
codebook of the immersion forms and seminar reviews (``immersions``, ``config/codebook.yml``) and the
residents' codebook of the survey comments (``usagers``, ``config/codebook_usagers.yml``). Each theme
carries the guidelines the human labellers followed (``inclusion``, ``exclusion``, ``limites``: borderline
examples with the decision and its reason) and the rule patterns (``motifs``, ``exclusions``) that the
learned coder uses as features (:mod:`ducos_lib.text.coder`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import yaml

from ..config import ROOT, load_config

__all__ = ["CODEBOOKS", "BlindAgreement", "Codebook", "Theme", "codebook_path", "load_codebook"]



def _compile(patterns: Sequence[str]) -> re.Pattern | None:
    if not patterns:
        return None
    body = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"\b(?:{body})\b")


@dataclass(frozen=True)
class Theme:
    """One codebook theme: French label, definition, guidelines, patterns.

    ``inclusion``, ``exclusion`` and ``limites`` are the labelling guidelines (what the theme covers,
    what it does not, borderline examples as ``{texte, decision, raison}``); ``motifs`` and
    ``exclusions`` are regular expressions on :func:`~ducos_lib.text.features.rule_text`.
    """

    code: str
    libelle: str
    definition: str
    motifs: tuple[str, ...]
    exclusions: tuple[str, ...] = ()
    exemples: tuple[str, ...] = ()
    inclusion: tuple[str, ...] = ()
    exclusion: tuple[str, ...] = ()
    limites: tuple[dict, ...] = ()
    pattern: re.Pattern | None = field(default=None, repr=False, compare=False)
    exclusion_pattern: re.Pattern | None = field(default=None, repr=False, compare=False)

    def matches(self, prepared: str) -> bool:
        """Whether a :func:`matching_text` string mentions the theme.

        A motif match counts unless it lies entirely inside a match of an exclusion.
        """
        if self.pattern is None:
            return False
        if self.exclusion_pattern is None:
            return self.pattern.search(prepared) is not None
        hits = [m.span() for m in self.pattern.finditer(prepared)]
        if not hits:
            return False
        blocked = [m.span() for m in self.exclusion_pattern.finditer(prepared)]
        return any(not any(bs <= s and e <= be for bs, be in blocked) for s, e in hits)


class BlindAgreement(NamedTuple):
    """A blind (out-of-sample) agreement measure recorded in a codebook's ``accord_aveugle`` list.

    Answers of ``lot`` were written and labelled by hand after the patterns of ``version`` were
    frozen; ``kappa`` is the mean Cohen's kappa over the themes on those ``n`` answers.
    """

    version: str
    lot: str
    n: int
    kappa: float


@dataclass(frozen=True)
class Codebook:
    """A codebook (staff: ``config/codebook.yml``; residents: ``config/codebook_usagers.yml``).

    Attributes
    ----------
    version, date_validation : str
    themes : tuple of Theme
    accord_aveugle : tuple of BlindAgreement
        Blind agreement measures, oldest first (YAML key ``accord_aveugle``).
    jeu_annote : Path or None
        The hand-labelled set that goes with the codebook (YAML key ``jeu_annote``, relative to the
        workspace root); :func:`hand_labelled_agreement` uses it by default.
    public : str
        Whose texts it codes, in French (YAML key ``public``), for report sentences.
    """

    version: str
    date_validation: str
    themes: tuple[Theme, ...]
    accord_aveugle: tuple[BlindAgreement, ...] = ()
    jeu_annote: Path | None = None
    public: str = ""
    name: str = ""
    path: Path | None = None

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.themes]

    def labels(self) -> dict[str, str]:
        """Theme code → French label."""
        return {t.code: t.libelle for t in self.themes}

    def to_frame(self) -> pd.DataFrame:
        """One row per theme: theme, libelle, definition, n_motifs (for the methodology section)."""
        return pd.DataFrame(
            {
                "theme": self.codes,
                "libelle": [t.libelle for t in self.themes],
                "definition": [t.definition for t in self.themes],
                "n_motifs": [len(t.motifs) for t in self.themes],
            }
        )


#: Codebooks named in ``config/observatoire.yml`` (``textes.codebook_<name>``) and their default file.
CODEBOOKS = {"immersions": "config/codebook.yml", "usagers": "config/codebook_usagers.yml"}


def codebook_path(name: str = "immersions", config: dict | None = None) -> Path:
    """Path of a codebook named in the configuration (``textes.codebook_<name>``).

    Parameters
    ----------
    name : {"immersions", "usagers"}
        ``"immersions"``: staff texts (immersion forms, seminar reviews); ``"usagers"``: residents'
        survey comments.
    config : dict, optional
        Parsed ``observatoire.yml`` (default :func:`ducos_lib.config.load_config`).

    Returns
    -------
    Path
        Absolute (relative settings are read from the workspace root); the file of :data:`CODEBOOKS`
        when the configuration has no ``textes`` entry for it.

    Raises
    ------
    ValueError
        In French, for an unknown name (listing the allowed ones).
    """
    if name not in CODEBOOKS:
        raise ValueError(f"Codebook inconnu : « {name} » ; valeurs possibles : {', '.join(CODEBOOKS)}.")
    config = load_config() if config is None else config
    setting = (config.get("textes") or {}).get(f"codebook_{name}", CODEBOOKS[name])
    path = Path(setting)
    return path if path.is_absolute() else ROOT / path


def _blind_entries(raw: object, path: Path) -> tuple[BlindAgreement, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError(f"Codebook {path} : « accord_aveugle » doit être une liste "
                         "d'entrées {version, lot, n, kappa}.")
    out = []
    for i, entry in enumerate(raw, 1):
        missing = [k for k in BlindAgreement._fields if not isinstance(entry, dict) or k not in entry]
        if missing:
            raise ValueError(f"Codebook {path} : l'entrée {i} de « accord_aveugle » n'a pas "
                             f"{', '.join(f'« {k} »' for k in missing)}.")
        try:
            n, kappa = int(entry["n"]), float(entry["kappa"])
        except (TypeError, ValueError) as exc:
            raise ValueError(f"Codebook {path} : l'entrée {i} de « accord_aveugle » a un n ou un kappa "
                             f"non numérique ({entry['n']!r}, {entry['kappa']!r}).") from exc
        if n <= 0 or not -1 <= kappa <= 1:
            raise ValueError(f"Codebook {path} : l'entrée {i} de « accord_aveugle » doit avoir n > 0 et "
                             f"un kappa entre -1 et 1 (lu : n = {n}, kappa = {kappa}).")
        out.append(BlindAgreement(str(entry["version"]), str(entry["lot"]), n, kappa))
    return tuple(out)


def load_codebook(path: Path | str | None = None) -> Codebook:
    """Read and compile a codebook YAML file (default: the staff codebook, :func:`codebook_path`).

    Parameters
    ----------
    path : path, optional
        E.g. ``codebook_path("usagers")`` for the residents' survey comments.

    Raises
    ------
    ValueError
        In French, when ``version``, ``date_validation`` or a theme's ``libelle``/``motifs`` is
        missing, a pattern is not a valid regular expression, or an ``accord_aveugle`` entry lacks
        ``version``, ``lot``, ``n`` or ``kappa``.
    """
    path = Path(path) if path is not None else codebook_path("immersions")
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    for key in ("version", "date_validation", "themes"):
        if key not in raw:
            raise ValueError(f"Codebook {path} : la clé « {key} » est absente.")
    themes = []
    for code, spec in raw["themes"].items():
        for key in ("libelle", "definition", "motifs"):
            if not spec.get(key):
                raise ValueError(f"Codebook {path} : le thème « {code} » n'a pas de « {key} ».")
        motifs = tuple(spec["motifs"])
        exclusions = tuple(spec.get("exclusions") or ())
        try:
            pattern, exclusion = _compile(motifs), _compile(exclusions)
        except re.error as exc:
            raise ValueError(f"Codebook {path} : motif invalide dans « {code} » ({exc}).") from exc
        limites = tuple(dict(x) for x in spec.get("limites") or ())
        themes.append(
            Theme(code, spec["libelle"], spec["definition"].strip(), motifs, exclusions,
                  tuple(spec.get("exemples") or ()), tuple(spec.get("inclusion") or ()),
                  tuple(spec.get("exclusion") or ()), limites, pattern, exclusion)
        )
    jeu = raw.get("jeu_annote")
    jeu = None if not jeu else (Path(jeu) if Path(jeu).is_absolute() else ROOT / jeu)
    name = str(raw.get("nom") or ("usagers" if "usagers" in path.stem else "immersions"))
    return Codebook(str(raw["version"]), str(raw["date_validation"]), tuple(themes),
                    _blind_entries(raw.get("accord_aveugle"), path), jeu, str(raw.get("public") or ""),
                    name, path)

