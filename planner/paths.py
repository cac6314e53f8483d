"""Where the shipped data lives.

The repository keeps its data in ``geodata/`` beside the package; an installed wheel carries a copy
as ``planner/_geodata``. ``PLANNER_GEODATA`` overrides both (useful for tests and custom data).
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def geodata_dir() -> Path:
    """Return the directory holding the shipped geodata files."""
    override = os.environ.get("PLANNER_GEODATA")
    if override:
        return Path(override)
    repo_copy = _PACKAGE_DIR.parent / "geodata"
    if repo_copy.is_dir():
        return repo_copy
    return _PACKAGE_DIR / "_geodata"


def repo_root() -> Path:
    """Return the repository root (the parent of the package directory)."""
    return _PACKAGE_DIR.parent


def scenarios_dir() -> Path:
    """Return the directory of the shipped scenario files (``scenarios/`` of the repository)."""
    return repo_root() / "scenarios"
