"""Personal data (DESIGN §6): keyed pseudonymisation of identifiers and small-cell masking."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from pathlib import Path

import pandas as pd

from .config import path_setting

log = logging.getLogger(__name__)

PSEUDONYM_PREFIX = "P"


def load_key(path: Path | str | None = None) -> bytes:
    """Read the pseudonymisation key, creating it (with a warning) when it is missing.

    The key lives outside git (``.secrets/`` is ignored). Losing it breaks the link between the
    pseudonyms of two ingestions, not the data already processed.
    """
    path = Path(path) if path is not None else path_setting("cle_pseudonymisation")
    if not path.exists():
        log.warning(
            "Clé de pseudonymisation absente : une nouvelle clé est créée dans %s "
            "(conservez-la hors de git pour garder des pseudonymes stables).", path
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode()


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Replace identifiers by a keyed hash (HMAC-SHA256, 12 hex digits).

    The same identifier gives the same pseudonym with the same key, so ``matricule``,
    ``id_accueilli`` and ``id_cadre`` still link across files. Identifiers are stripped and
    upper-cased first (``a102`` and ``A102 `` are one agent). Missing values stay missing.
    """
    def one(value: object) -> object:
        if pd.isna(value):
            return pd.NA
        text = str(value).strip().upper()
        digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:12]
        return f"{PSEUDONYM_PREFIX}{digest}"

    uniques = pd.unique(values)
    mapping = {u: one(u) for u in uniques}
    return values.map(mapping).astype("str")
