"""Former (French) names kept as thin aliases while other modules still call them."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from typing import Any


def deprecated_alias(func: Callable[..., Any], old_name: str, *, module: str,
                     renamed: Mapping[str, str] | None = None) -> Callable[..., Any]:
    """Return ``func`` under its former name, warning (``DeprecationWarning``) at its first call.

    Parameters
    ----------
    func : callable
        The function under its new name.
    old_name : str
        The former name the alias is published under.
    module : str
        Dotted module name, for the warning.
    renamed : mapping, optional
        Former keyword → new keyword, so that calls written for the former signature keep working.

    Examples
    --------
    >>> def threshold(value=None):
    ...     return value
    >>> seuil = deprecated_alias(threshold, "seuil", module="m", renamed={"valeur": "value"})
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     seuil(valeur=4)
    4
    """
    renamed = dict(renamed or {})
    warned = []

    @functools.wraps(func)
    def alias(*args: Any, **kwargs: Any) -> Any:
        if not warned:  # once per process: hot loops (masking) call the old names thousands of times
            warned.append(True)
            warnings.warn(f"« {module}.{old_name} » est un ancien nom : utilisez « {module}.{func.__name__} ».",
                          DeprecationWarning, stacklevel=2)
        for old, new in renamed.items():
            if old in kwargs:
                kwargs[new] = kwargs.pop(old)
        return func(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old_name
    alias.__doc__ = f"Deprecated alias of :func:`{func.__name__}` (former name, kept for callers not yet renamed)."
    return alias
