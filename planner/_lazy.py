"""Public names of a package imported on first use (a module ``__getattr__``, PEP 562).

``import planner``, ``planner.network`` and ``planner.model`` then load no heavy library (networkx,
scipy, PuLP, geopandas) until one of their names is used: ``planner --help`` and ``planner validate``
stay fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(package: str, where: Mapping[str, str | tuple[str, str]]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``.

    ``where`` maps each public name to its module, or to ``(module, name there)``; a name is imported on
    first use and then kept in the package.
    """

    def get(name: str) -> Any:
        target = where.get(name)
        if target is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = (target, name) if isinstance(target, str) else target
        value = getattr(importlib.import_module(module), attribute)
        setattr(sys.modules[package], name, value)
        return value

    def names() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return get, names
