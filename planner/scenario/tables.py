"""Reading the user's supply and demand tables (CSV or Excel), every problem named by file, line and column.

A table is read as text (nothing is guessed: ``621002`` stays the key ``621002``, never ``621002.0``), with
the header on its first line. Rules a table must meet, each reported as ``file:line: column: message``:

* every row has as many fields as the header (a row with more is not silently shifted);
* the key column names a known place (resolved once per distinct key, so a 100,000-row table of a few
  hundred places loads in about a second);
* numbers are finite, non-negative and at most :data:`MAX_TABLE_VALUE`;
* the table has at least one row, and not every value is 0.

Rows that repeat a place (and product) are added up, and a note says how many did (so a table of
shipment records reads as the total per place); the caller passes a ``notes`` list to receive it.

CSV files are UTF-8 (a byte-order mark, as Excel writes it, is fine). Blank lines are skipped.
"""

from __future__ import annotations

import csv
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from planner.errors import PlannerError
from planner.network.places import resolve_places

__all__ = ["MAX_TABLE_VALUE", "TableError", "UserTable", "read_demand_table", "read_flow_table", "read_supply_table",
           "read_user_table"]

#: The largest number a table may hold in a tonnes or weight column (tonnes per season, persons...).
MAX_TABLE_VALUE = 1e12


class TableError(PlannerError):
    """A problem in a user table: ``file``, ``line`` (1-based, None for the whole table), ``column``, ``message``."""

    def __init__(self, file: Path, line: int | None, column: str, message: str) -> None:
        self.file, self.line, self.column, self.message = str(file), line, column, message
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {column}: {message}" if column else f"{where}: {message}")


@dataclass
class UserTable:
    """A table read as text: ``frame`` (one string column per header field) and each row's ``lines`` in the file."""

    path: Path
    frame: pd.DataFrame
    lines: np.ndarray

    def line(self, row: int) -> int:
        """The file line (CSV) or sheet row (Excel) of row ``row`` of ``frame``."""
        return int(self.lines[row])


def _unreadable(path: Path, exc: BaseException, line: int | None = None) -> TableError:
    detail = " ".join(str(exc).split())  # one line, whatever the reader's message looks like
    kind = "CSV error" if isinstance(exc, csv.Error) else type(exc).__name__
    return TableError(path, line, "", f"cannot read the table ({kind}: {detail}); save it as UTF-8 CSV or .xlsx")


def _read_csv(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    rows: list[list[str]] = []
    lines: list[int] = []
    header: list[str] | None = None
    header_line = 0
    start = 1
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            for row in reader:
                if (row and row[0].strip()) or any(field.strip() for field in row):  # else a blank line
                    if header is None:
                        header, header_line = row, start
                    else:
                        if len(row) != len(header):
                            raise TableError(path, start, "", f"the row has {len(row)} fields but the header (line "
                                             f"{header_line}) has {len(header)}; check for extra or missing commas")
                        rows.append(row)
                        lines.append(start)
                start = reader.line_num + 1
    except UnicodeDecodeError:
        raise TableError(path, None, "", "not UTF-8 text; save the table as UTF-8 CSV (or .xlsx)") from None
    except csv.Error as exc:
        raise _unreadable(path, exc, start) from None
    return header or [], rows, lines


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # Excel stores 621002 as a number
    return str(value)


def _read_excel(path: Path, sheet: str | None) -> tuple[list[str], list[list[str]], list[int]]:
    try:
        raw = pd.read_excel(path, sheet_name=sheet or 0, header=None, dtype=object)
    except Exception as exc:  # noqa: BLE001 - openpyxl and pandas raise many types for unreadable files
        raise _unreadable(path, exc) from None
    cells = [[_cell(v) for v in row] for row in raw.itertuples(index=False)]
    filled = [i for i, row in enumerate(cells) if any(c.strip() for c in row)]
    if not filled:
        return [], [], []
    header = cells[filled[0]]
    width = max((k + 1 for k, c in enumerate(header) if c.strip()), default=0)
    for i in filled[1:]:
        extra = [c for c in cells[i][width:] if c.strip()]
        if extra:
            raise TableError(path, i + 1, "", f"the row has values beyond the header's {width} columns")
    return header[:width], [cells[i][:width] for i in filled[1:]], [i + 1 for i in filled[1:]]


def read_user_table(path: Path, sheet: str | None = None) -> UserTable:
    """Read a CSV or Excel table as text; raises :class:`PlannerError` for a missing or unreadable file.

    The result is shared by later reads of the unchanged file (``validate`` then ``run`` read it once):
    treat it as read-only.
    """
    if not path.is_file():
        raise TableError(path, None, "", "file not found")
    stat = path.stat()
    return _read_cached(path, sheet, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _read_cached(path: Path, sheet: str | None, mtime_ns: int, size: int) -> UserTable:
    del mtime_ns, size  # part of the cache key only
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
        header, rows, lines = _read_excel(path, sheet)
    else:
        header, rows, lines = _read_csv(path)
    header = [h.strip() for h in header]
    repeated = sorted({h for h in header if header.count(h) > 1 and h})
    if repeated:
        raise TableError(path, lines[0] - 1 if lines else 1, repeated[0], "the column is named twice in the header")
    frame = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header, dtype=object)
    for column in frame.columns:  # strip each distinct value once (a key repeats on many rows)
        values = pd.unique(frame[column])
        if any(v != v.strip() for v in values):
            frame[column] = frame[column].map({v: v.strip() for v in values})
    return UserTable(path, frame, np.asarray(lines, dtype=np.int64))


def _places(table: UserTable, key: str) -> pd.Series:
    """The place id of every row, from the ``key`` column (each distinct key resolved once)."""
    keys = table.frame[key]
    resolved: dict[str, str] = {}
    for row, value in enumerate(keys.tolist()):
        if value in resolved:
            continue
        if not value:
            raise TableError(table.path, table.line(row), key, "the key is empty")
        try:
            [resolved[value]] = resolve_places([value])
        except PlannerError as exc:
            raise TableError(table.path, table.line(row), key, str(exc)) from None
    return keys.map(resolved)


def _numbers(table: UserTable, column: str) -> np.ndarray:
    text = table.frame[column]
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (values > MAX_TABLE_VALUE)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        given = f"{text.iloc[row]!r} is not a number" if text.iloc[row] else "the value is missing"
        raise TableError(table.path, table.line(row), column, f"{given} from 0 to {MAX_TABLE_VALUE:.0e}; give tonnes "
                         "(or persons) as a plain number")
    return values


def _require(table: UserTable, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.frame.columns]
    if missing:
        found = ", ".join(map(str, table.frame.columns)) or "no header"
        raise TableError(table.path, 1, "", f"missing column(s) {', '.join(missing)}; {what} (found: {found})")


def _products(table: UserTable, product_ids: Sequence[str]) -> pd.Series:
    products = table.frame["product"]
    if product_ids:
        unknown = ~products.isin(list(product_ids))
        if unknown.any():
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            raise TableError(table.path, table.line(row), "product", f"{products.iloc[row]!r} is not a product of the "
                             f"scenario ({', '.join(product_ids)})")
    return products


def _sum_repeats(table: UserTable, frame: pd.DataFrame, by: list[str], column: str, notes: list[str] | None) -> pd.DataFrame:
    """``frame`` with the rows that repeat a ``by`` key added up (first-seen order); a note when any did."""
    repeated = frame.duplicated(subset=by).to_numpy()
    if not repeated.any():
        return frame.reset_index(drop=True)
    if notes is not None:
        first = int(np.flatnonzero(repeated)[0])
        what = {1: "place", 2: "place and product"}[len(by)] if by[0] == "place_id" else " and ".join(by)
        notes.append(f"{table.path.name}: {int(repeated.sum()):,} row(s) repeat a {what} of an earlier row (first: "
                     f"line {table.line(first)}); their {column} values are added up")
    return frame.groupby(by, as_index=False, sort=False)[column].sum()


def _not_empty(table: UserTable, values: np.ndarray, column: str) -> None:
    if not len(values):
        raise TableError(table.path, None, "", "the table has a header but no rows")
    if not (values > 0).any():
        raise TableError(table.path, None, column, "every value is 0; the table would make the scenario empty")


def read_supply_table(
    path: Path, sheet: str | None, key: str, product_ids: Sequence[str], notes: list[str] | None = None
) -> pd.DataFrame:
    """Supply rows ``place_id, product, tonnes`` of a user table with columns ``key, product, tonnes``."""
    table = read_user_table(path, sheet)
    _require(table, [key, "product", "tonnes"], f"supply tables need {key}, product, tonnes")
    tonnes = _numbers(table, "tonnes")
    _not_empty(table, tonnes, "tonnes")
    frame = pd.DataFrame({"place_id": _places(table, key), "product": _products(table, product_ids), "tonnes": tonnes})
    return _sum_repeats(table, frame, ["place_id", "product"], "tonnes", notes)


def read_demand_table(
    path: Path, sheet: str | None, key: str, product_ids: Sequence[str], points: Sequence[str],
    notes: list[str] | None = None,
) -> tuple[str, pd.DataFrame]:
    """A user demand table: ``("tonnes", place_id, product, tonnes)`` or ``("weight", place_id, weight)``.

    ``points``: the scenario's demand points; a row naming another place is an error. ``product_ids``: the
    scenario's products (a location model has none, and then any product counts towards a point's weight).
    """
    table = read_user_table(path, sheet)
    _require(table, [key], f"demand tables need {key}, product, tonnes or {key}, weight (demand.key says which key)")
    columns = set(table.frame.columns)
    if {"product", "tonnes"} <= columns:
        kind = "tonnes"
    elif "weight" in columns:
        kind = "weight"
    else:
        raise TableError(table.path, 1, "", f"demand tables need columns {key}, product, tonnes or {key}, weight; "
                         f"found {', '.join(map(str, table.frame.columns))}")
    values = _numbers(table, kind)
    _not_empty(table, values, kind)
    places = _places(table, key)
    outside = ~places.isin(set(points)).to_numpy()
    if outside.any():
        row = int(np.flatnonzero(outside)[0])
        raise TableError(table.path, table.line(row), key, f"{table.frame[key].iloc[row]!r} is not one of the scenario's "
                         "demand points; widen demand.points or drop the row")
    if kind == "tonnes":
        frame = pd.DataFrame({"place_id": places, "product": _products(table, product_ids), "tonnes": values})
        return kind, _sum_repeats(table, frame, ["place_id", "product"], "tonnes", notes)
    frame = pd.DataFrame({"place_id": places, "weight": values})
    return kind, _sum_repeats(table, frame, ["place_id"], "weight", notes)


def read_flow_table(path: Path, sheet: str | None, points: Sequence[str], notes: list[str] | None = None) -> pd.DataFrame:
    """Flows ``origin, destination, tonnes`` (place ids) of a user table with those columns (hub models).

    ``points``: the places the model knows; a row naming another place, or a flow from a place to itself,
    is an error naming its line. Other columns (a source, a note) are not read.
    """
    table = read_user_table(path, sheet)
    _require(table, ["origin", "destination", "tonnes"], "flow tables need origin, destination, tonnes")
    tonnes = _numbers(table, "tonnes")
    _not_empty(table, tonnes, "tonnes")
    ends = {column: _places(table, column) for column in ("origin", "destination")}
    for column, places in ends.items():
        outside = ~places.isin(set(points)).to_numpy()
        if outside.any():
            row = int(np.flatnonzero(outside)[0])
            raise TableError(table.path, table.line(row), column, f"{table.frame[column].iloc[row]!r} is not one of "
                             "the scenario's demand points or candidates; add it to demand.points or drop the row")
    same = (ends["origin"] == ends["destination"]).to_numpy()
    if same.any():
        row = int(np.flatnonzero(same)[0])
        raise TableError(table.path, table.line(row), "destination", "the flow starts and ends at the same place")
    frame = pd.DataFrame({"origin": ends["origin"], "destination": ends["destination"], "tonnes": tonnes})
    return _sum_repeats(table, frame, ["origin", "destination"], "tonnes", notes)
