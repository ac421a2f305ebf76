"""Workspace paths and configuration files (``config/*.yml``).

Every other module takes paths and thresholds as parameters whose defaults come from here, so a test
or an analyst can point any function at other data without touching global state.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

#: Workspace root: the folder holding ``config/``. ``DUCOS_ROOT`` overrides it (tests, installed use).
ROOT = Path(os.environ.get("DUCOS_ROOT", Path(__file__).resolve().parents[1]))
#: The configuration folder. ``DUCOS_CONFIG_DIR`` points every module (registry, thresholds, schemas)
#: at another copy of it, e.g. a test's registry with an extra indicator, without touching ``ROOT``.
CONFIG_DIR = Path(os.environ.get("DUCOS_CONFIG_DIR", ROOT / "config"))
NOTEBOOKS_DIR = ROOT / "notebooks"


@lru_cache(maxsize=None)
def _load_yaml(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def load_config(name: str = "observatoire", config_dir: Path | str | None = None) -> dict[str, Any]:
    """Return the parsed ``config/<name>.yml`` (cached; treat it as read-only).

    Parameters
    ----------
    name : str
        Stem of the YAML file, e.g. ``"observatoire"``, ``"codebook"``, ``"retraite"``.
    config_dir : path, optional
        Folder holding the file; defaults to the workspace ``config/``.
    """
    folder = Path(config_dir) if config_dir is not None else CONFIG_DIR
    return _load_yaml(str((folder / f"{name}.yml").resolve()))


def path_setting(key: str) -> Path:
    """Absolute path of ``chemins.<key>`` in ``observatoire.yml``.

    The environment variable ``DUCOS_<KEY>`` (e.g. ``DUCOS_PROCESSED_DIR``) overrides it, so tests
    and scheduled runs can isolate their processed data and key without editing the configuration.
    """
    override = os.environ.get(f"DUCOS_{key.upper()}")
    return Path(override).resolve() if override else ROOT / load_config()["chemins"][key]
