"""Shared fixtures: the source documents in ../shared and a writable copy of the shipped geodata."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _clear_all_caches() -> None:
    from planner import layout, regions

    layout.clear_caches()
    regions.clear_caches()


@pytest.fixture
def seeds_dir() -> Path:
    """The source documents (../shared/seeds); tests that read them skip when it is absent."""
    path = SHARED / "seeds"
    if not path.is_dir():
        pytest.skip("../shared/seeds is absent: the source documents are needed to check provenance")
    return path


@pytest.fixture
def orlib_dir() -> Path:
    """The OR-Library instances (../shared/orlib)."""
    path = SHARED / "orlib"
    if not path.is_dir():
        pytest.skip("../shared/orlib is absent: the OR-Library instances are needed")
    return path


@pytest.fixture
def geodata_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A writable copy of geodata/ that the loaders read instead of the shipped one."""
    target = tmp_path / "geodata"
    shutil.copytree(REPO / "geodata", target)
    monkeypatch.setenv("PLANNER_GEODATA", str(target))
    _clear_all_caches()
    yield target
    monkeypatch.delenv("PLANNER_GEODATA")
    _clear_all_caches()
