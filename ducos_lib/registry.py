"""The one registry of what the observatory measures.

Every indicator (survey, HR, service indicators, seminar, self-evaluation, linkage measures) has one
entry in ``config/indicateurs.yml``; the themes of the codebooks are registered from the codebooks
themselves. Reports, the index, synthesis, charts and linkage read labels, units, number formats and
the direction of "better" from here; the survey tables read which indicators to estimate.

Examples
--------
>>> from ducos_lib import registry
>>> reg = registry.load_registry()
>>> reg["taux_absenteisme"].direction
-1
>>> [m.name for m in reg.survey_indicators()][:2]
['satisfaction_globale_moyenne', 'satisfaction_globale_satisfaits']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .config import CONFIG_DIR

GROUPS = ("enquete", "rh", "service", "seminaire", "autoevaluation", "qualite_performance", "barometre",
          "theme_immersion", "theme_usagers")
UNITS = ("note5", "note10", "proportion", "taux_net", "pourcent", "nombre", "heures", "jours", "ans", "etp")
SURVEY_STATISTICS = ("moyenne", "part_satisfaits", "taux_net")
_DIRECTIONS = {"hausse": 1, "baisse": -1, "neutre": 0}


class RegistryError(ValueError):
    """An entry of ``config/indicateurs.yml`` that cannot be read (the message is in French)."""


@dataclass(frozen=True)
class Measure:
    """One registered indicator.

    Attributes
    ----------
    name : str
        Indicator name as it appears in the §4 tables (``taux_absenteisme``).
    group : str
        One of :data:`GROUPS`.
    label, phrase : str
        Short French label (tables, axes) and noun phrase for sentences.
    gender : {"m", "f"}
        Grammatical gender of ``phrase``.
    unit : str
        One of :data:`UNITS`; drives the number format.
    decimals : int
        Decimals shown.
    direction : {1, -1, 0}
        1 when higher is better, -1 when lower is better, 0 when neither.
    summary : bool
        Followed across milestones on the index page.
    variable, statistic : str or None
        For survey indicators: the answer column and one of :data:`SURVEY_STATISTICS`.
    """

    name: str
    group: str
    label: str
    phrase: str
    gender: str = "m"
    unit: str = "nombre"
    decimals: int = 1
    direction: int = 0
    summary: bool = False
    variable: str | None = None
    statistic: str | None = None


@dataclass(frozen=True)
class Question:
    """A survey answer column indicators are built on (``accueil``, ``recommandation``)."""

    name: str
    label: str
    phrase: str
    gender: str = "m"
    scale: int = 5


class Registry(Mapping[str, Measure]):
    """Read-only mapping ``name → Measure`` in the file's order, plus the survey questions."""

    def __init__(self, measures: Mapping[str, Measure], questions: Mapping[str, Question]):
        self._measures = dict(measures)
        self.questions = dict(questions)

    def __getitem__(self, name: str) -> Measure:
        return self._measures[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._measures)

    def __len__(self) -> int:
        return len(self._measures)

    def group(self, group: str) -> list[Measure]:
        """Entries of one group, in the file's order."""
        if group not in GROUPS:
            raise RegistryError(f"Groupe d'indicateurs « {group} » inconnu ; attendus : {', '.join(GROUPS)}.")
        return [m for m in self._measures.values() if m.group == group]

    def survey_indicators(self) -> list[Measure]:
        """The survey indicators to estimate (group ``enquete``), in the file's order."""
        return self.group("enquete")

    def summary_indicators(self) -> list[Measure]:
        """Indicators followed across milestones on the index page."""
        return [m for m in self._measures.values() if m.summary]


def _measure(name: str, entry: Mapping[str, Any], source: str) -> Measure:
    where = f"{source}, indicateur « {name} »"
    if not isinstance(entry, Mapping):
        raise RegistryError(f"{where} : une table de champs est attendue.")
    unknown = set(entry) - {"groupe", "libelle", "expression", "genre", "unite", "decimales", "sens", "synthese",
                            "variable", "statistique"}
    if unknown:
        raise RegistryError(f"{where} : champ(s) inconnu(s) {', '.join(sorted(unknown))}.")
    for key in ("groupe", "libelle", "expression"):
        if not entry.get(key):
            raise RegistryError(f"{where} : le champ « {key} » est obligatoire.")
    if entry["groupe"] not in GROUPS:
        raise RegistryError(f"{where} : groupe « {entry['groupe']} » inconnu ; attendus : {', '.join(GROUPS)}.")
    unit = entry.get("unite", "nombre")
    if unit not in UNITS:
        raise RegistryError(f"{where} : unité « {unit} » inconnue ; attendues : {', '.join(UNITS)}.")
    direction = entry.get("sens", "neutre")
    if direction not in _DIRECTIONS:
        raise RegistryError(f"{where} : sens « {direction} » inconnu ; attendus : hausse, baisse, neutre.")
    if entry.get("genre", "m") not in ("m", "f"):
        raise RegistryError(f"{where} : genre « {entry.get('genre')} » inconnu ; attendus : m, f.")
    statistic = entry.get("statistique")
    if entry["groupe"] == "enquete":
        if not entry.get("variable") or statistic not in SURVEY_STATISTICS:
            raise RegistryError(f"{where} : un indicateur d'enquête donne « variable » et « statistique » "
                                f"({', '.join(SURVEY_STATISTICS)}).")
    return Measure(name=name, group=entry["groupe"], label=str(entry["libelle"]), phrase=str(entry["expression"]),
                   gender=entry.get("genre", "m"), unit=unit, decimals=int(entry.get("decimales", 1)),
                   direction=_DIRECTIONS[direction], summary=bool(entry.get("synthese", False)),
                   variable=entry.get("variable"), statistic=statistic)


def _theme_measures(codebook_file: Path, group: str) -> dict[str, Measure]:
    with open(codebook_file, encoding="utf-8") as fh:
        themes = (yaml.safe_load(fh) or {}).get("themes", {})
    return {name: Measure(name=name, group=group, label=str(t["libelle"]), phrase=str(t["libelle"]).lower(),
                          unit="proportion", decimals=0)
            for name, t in themes.items()}


def read_registry(path: Path | str, *, codebooks: Mapping[str, Path | str] | None = None) -> Registry:
    """Read a registry file (and the themes of the given codebooks).

    Parameters
    ----------
    path : path
        A YAML file laid out as ``config/indicateurs.yml``.
    codebooks : mapping, optional
        ``group → codebook file`` whose themes are registered too (group ``theme_immersion`` or
        ``theme_usagers``).

    Raises
    ------
    RegistryError
        For an unreadable entry, with a French message naming it.
    """
    path = Path(path)
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    measures = {name: _measure(name, entry, path.name) for name, entry in (raw.get("indicateurs") or {}).items()}
    for group, file in (codebooks or {}).items():
        for name, measure in _theme_measures(Path(file), group).items():
            measures.setdefault(name, measure)
    questions = {
        name: Question(name=name, label=str(q["libelle"]), phrase=str(q.get("expression", q["libelle"])),
                       gender=q.get("genre", "m"), scale=int(q.get("echelle", 5)))
        for name, q in (raw.get("questions_enquete") or {}).items()
    }
    for m in measures.values():
        if m.variable is not None and m.variable not in questions:
            raise RegistryError(f"{path.name}, indicateur « {m.name} » : la variable « {m.variable} » n'est pas "
                                "déclarée dans questions_enquete.")
    return Registry(measures, questions)


@lru_cache(maxsize=4)
def _cached(path: str, codebooks: tuple[tuple[str, str], ...]) -> Registry:
    return read_registry(path, codebooks=dict(codebooks))


def load_registry(config_dir: Path | str | None = None) -> Registry:
    """The workspace registry: ``config/indicateurs.yml`` plus the themes of both codebooks (cached)."""
    folder = Path(config_dir) if config_dir is not None else CONFIG_DIR
    codebooks = (("theme_immersion", str(folder / "codebook.yml")),
                 ("theme_usagers", str(folder / "codebook_usagers.yml")))
    return _cached(str((folder / "indicateurs.yml").resolve()),
                   tuple((g, f) for g, f in codebooks if Path(f).exists()))
