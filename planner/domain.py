"""The domain catalog: provinces and their codes, transport modes and mode sets, products with their
consumption group and temperature zone, the cold-chain model's parameters with their sources, read once
from ``geodata/`` (``provinces.csv``, ``modes.csv``, ``products.csv``, ``cold_chain_parameters.csv``).

Every stage that needs one of these facts looks it up here instead of keeping its own copy, so adding a
province, a mode set or a product is a change of data only.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.errors import DataError
from planner.paths import geodata_dir

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Product", "Province", "cold_chain_legs", "cold_chain_parameters", "mode_set", "modes", "product", "product_table", "products",
           "province", "province_by_name", "province_of_code", "provinces"]


@dataclass(frozen=True)
class Province:
    """A province of the study area: ``key`` as scenarios name it (``xinjiang``), names, 6-digit ``adcode``."""

    key: str
    name_zh: str
    name_en: str
    adcode: str

    @property
    def prefix(self) -> str:
        """The first two digits every administrative code inside the province starts with."""
        return self.adcode[:2]


@dataclass(frozen=True)
class Product:
    """A product of ``products.csv`` as the other stages need it: ``consumption_group`` (``""`` when the
    file leaves it empty), ``temperature_zone``, and ``line``, its line in the file (for messages)."""

    id: str
    consumption_group: str
    temperature_zone: str
    line: int
    path: Path


def _rows(name: str) -> tuple[Path, list[tuple[int, dict[str, str]]]]:
    path = geodata_dir() / name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            return path, [(reader.line_num, row) for row in reader]
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _field(path: Path, line: int, row: dict[str, str], column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise DataError(f"{path}:{line}: {column}: empty; fill it in")
    return value


@functools.lru_cache(maxsize=4)
def _provinces(directory: str) -> dict[str, Province]:
    path, rows = _rows("provinces.csv")
    out = {}
    for line, row in rows:
        adcode = _field(path, line, row, "adcode")
        if len(adcode) != 6 or not adcode.isdigit():
            raise DataError(f"{path}:{line}: adcode: {adcode!r} is not a 6-digit administrative code")
        key = _field(path, line, row, "key")
        out[key] = Province(key, _field(path, line, row, "name_zh"), _field(path, line, row, "name_en"), adcode)
    return out


def provinces() -> dict[str, Province]:
    """The study area's provinces by key, in file order."""
    return _provinces(str(geodata_dir()))


def _lookup(known: dict[str, Any], key: str, file: str, what: str) -> Any:
    if key not in known:
        raise DataError(f"{geodata_dir() / file}: no {what} {key!r}; known: {', '.join(known)}")
    return known[key]


def province(key: str) -> Province:
    """The province ``key`` (``xinjiang``, ``gansu``)."""
    return _lookup(provinces(), key, "provinces.csv", "province")  # type: ignore[no-any-return]


def province_by_name(name_en: str) -> Province | None:
    """The province of the study area with the English name ``name_en`` (the place table's ``province``)."""
    return next((p for p in provinces().values() if p.name_en == name_en), None)


def province_of_code(adcode: str) -> Province | None:
    """The province an administrative code lies in (by its first two digits), None outside the study area."""
    return next((p for p in provinces().values() if str(adcode)[:2] == p.prefix), None)


@functools.lru_cache(maxsize=4)
def _mode_sets(directory: str) -> dict[str, tuple[str, ...]]:
    path, rows = _rows("modes.csv")
    return {_field(path, line, row, "mode"): tuple(_field(path, line, row, "network_modes").split(";"))
            for line, row in rows}


def modes() -> tuple[str, ...]:
    """The transport modes a scenario can allow, in file order."""
    return tuple(_mode_sets(str(geodata_dir())))


def mode_set(modes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The network modes a scenario's ``modes`` allow (rail and air legs need road to reach them)."""
    sets = _mode_sets(str(geodata_dir()))
    return tuple(dict.fromkeys(m for mode in modes for m in _lookup(sets, mode, "modes.csv", "mode")))


@functools.lru_cache(maxsize=4)
def _products(directory: str) -> dict[str, Product]:
    path, rows = _rows("products.csv")
    return {_field(path, line, row, "product"): Product(row["product"].strip(), (row.get("consumption_group") or "").strip(),
                                                         (row.get("temperature_zone") or "").strip(), line, path)
            for line, row in rows}


def products() -> dict[str, Product]:
    """The products of ``products.csv`` by id."""
    return _products(str(geodata_dir()))


def product(product_id: str) -> Product:
    """The product ``product_id`` of ``products.csv``."""
    return _lookup(products(), product_id, "products.csv", "product")  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=4)
def _product_table(directory: str) -> pd.DataFrame:
    import pandas as pd  # here, not at import: the CLI's start-up reads the catalog without pandas

    return pd.read_csv(Path(directory) / "products.csv").set_index("product")


def product_table() -> pd.DataFrame:
    """Every column of ``products.csv`` indexed by product id (values, cold-chain group, storable, market
    group...), read once per data folder; a copy, so callers may change it."""
    return _product_table(str(geodata_dir())).copy()


def _sourced_table(directory: str, name: str, need: set[str], what: str) -> pd.DataFrame:
    """A parameter table of ``geodata/`` read with pandas: its columns ``need`` present and no value empty
    (a missing number would turn into a silent NaN downstream)."""
    import pandas as pd

    path = Path(directory) / name
    try:
        table = pd.read_csv(path)
    except FileNotFoundError:
        raise DataError(f"{path}: {what} not found; restore geodata/{name}") from None
    if not need <= set(table.columns):
        raise DataError(f"{path}: missing column(s) {', '.join(sorted(need - set(table.columns)))}")
    if table["value"].isna().any():
        raise DataError(f"{path}: empty value in row {int(table.index[table['value'].isna()][0]) + 2}")
    return table


@functools.lru_cache(maxsize=4)
def _cold_chain_parameters(directory: str) -> pd.DataFrame:
    return _sourced_table(directory, "cold_chain_parameters.csv", {"parameter", "key", "value", "unit", "source"},
                          "the cold-chain parameter table")


@functools.lru_cache(maxsize=4)
def _cold_chain_legs(directory: str) -> pd.DataFrame:
    return _sourced_table(directory, "cold_chain_legs.csv", {"leg_class", "temperature", "parameter", "value", "source"},
                          "the cold-chain leg rates")


def cold_chain_legs() -> pd.DataFrame:
    """The rates, speeds and distances of the cold-chain leg classes (``cold_chain_legs.csv``), read once per
    data folder; a copy. Columns: ``leg_class, temperature, parameter, value, unit, year, source...``."""
    return _cold_chain_legs(str(geodata_dir())).copy()


def cold_chain_parameters() -> pd.DataFrame:
    """The cold-chain model's default parameters (``cold_chain_parameters.csv``), read once per data folder;
    a copy, so callers may change it.

    Columns: ``parameter, key, value, unit, source, note``; ``source`` cites a public source or says
    ``estimate``. :func:`planner.model.coldchain.parameter_value` looks a value up.
    """
    return _cold_chain_parameters(str(geodata_dir())).copy()
