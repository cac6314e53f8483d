"""Run tables as files a planner opens in Excel: rounded CSV with a byte-order mark, and ``results.xlsx``.

Rounding follows the unit in a column's name (:func:`round_table`), so ``0.9999999999999998`` reads
``1.0`` and a cost reads in whole CNY. CSV files are written ``utf-8-sig``: Excel on Windows reads the
byte-order mark and shows Chinese names instead of mojibake, and pandas, Python's ``csv`` module (with
``encoding="utf-8-sig"``) and every GIS read them as usual.

Text that a spreadsheet would read as a formula (a cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) is written with a leading ``'``, and a text starting with ``'`` gets a second one
(:func:`spreadsheet_safe`); :func:`read_csv` undoes both, so every name round-trips. In the workbook
such text is stored as a string cell, never as a formula.

The workbook (:func:`write_workbook`) holds the summary, costs, sites, candidates, flows and service of
a run, each with a Chinese and an English header row carrying the units, the header rows frozen, number
formats by unit, and a sheet explaining the coded columns (``level``, ``tier``, ``status``...).
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.atomic import atomic_path
from planner.labels import (
    CODES,
    column_label,
    column_unit,
    cost_label,
    flatten,
    kpi_names,
    status_label,
    tier_names,
    unit_of,
    unit_text,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMULA_PREFIXES", "TEXT_COLUMNS", "decimals_for", "read_csv", "round_table", "spreadsheet_safe", "write_csv",
           "write_workbook"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Columns of the run and sweep tables that hold text: read back as text, never as numbers or NaN
#: (a tier named ``NA`` or ``1e3`` stays that text).
TEXT_COLUMNS = ("tier", "place_id", "name_zh", "name_en", "site", "site_id", "site_name_zh", "site_tier", "product",
                "from_tier", "from_id", "from_name_zh", "to_tier", "to_id", "to_name_zh", "mode", "tier_pair",
                "kind", "demand_point")

#: Decimals kept per unit kind (see :mod:`planner.labels`); ``None``: six significant digits.
_DECIMALS = {"deg": 5, "money_per_t": 2, "cny": 0, "money": 0, "t": 2, "co2_t": 3, "km": 2, "h": 3,
             "kg": 1, "share": 4, "tkm": 0}
#: Excel number formats per unit kind.
_FORMATS = {"deg": "0.00000", "money_per_t": "#,##0.00", "cny": "#,##0", "money": "#,##0", "t": "#,##0.00",
            "co2_t": "#,##0.000", "km": "#,##0.0", "h": "0.00", "kg": "#,##0.0", "share": "0.0%",
            "tkm": "#,##0", "count": "0"}


def decimals_for(column: str) -> int | None:
    """Decimals a column keeps (``None``: six significant digits), from the unit in its name."""
    if column in ("lon", "lat") or column.endswith(("_lon", "_lat")):
        return 5
    if column in ("weight", "assigned_weight", "total_weight"):
        return 3
    return _DECIMALS.get(column_unit(column))


def _significant(value: float) -> float:
    return float(f"{value:.6g}") if math.isfinite(value) else value


def round_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every float column rounded by its unit (``-0.0`` becomes ``0.0``)."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype.kind != "f":
            continue
        decimals = decimals_for(str(column))
        rounded = series.round(decimals) if decimals is not None else series.map(_significant)
        out[column] = rounded + 0.0  # -0.0 + 0.0 == 0.0
    return out


def _escape(value: Any) -> Any:
    if isinstance(value, str) and value.startswith((*FORMULA_PREFIXES, "'")):
        return "'" + value
    return value


def _unescape(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith((*FORMULA_PREFIXES, "'")):
        return value[1:]
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a spreadsheet formula."""
    import pandas as pd

    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column].dtype):
            safe[column] = safe[column].map(_escape)
    safe.columns = [_escape(str(c)) for c in safe.columns]
    return safe


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` rounded (:func:`round_table`) and :func:`spreadsheet_safe`, as UTF-8 with a
    byte-order mark and no index; return the path."""
    path = Path(path)
    spreadsheet_safe(round_table(frame)).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def read_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A table written by :func:`write_csv`: :data:`TEXT_COLUMNS` as text (``NA`` stays ``NA``), the
    formula escapes undone; an empty file is an empty table."""
    import pandas as pd

    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    if not [c for c in header if c]:
        return pd.DataFrame()
    text = [c for c in header if _unescape(c) in TEXT_COLUMNS]
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={c: str for c in text}, keep_default_na=False,
                        na_values={c: [""] for c in header if c not in text})
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column].dtype):
            frame[column] = frame[column].map(_unescape)
    frame.columns = [_unescape(str(c)) for c in frame.columns]
    return frame


# ------------------------------------------------------------------------------------------ workbook


def _width(text: Any) -> int:
    """Display width in Excel character units (CJK characters count two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


class _Sheet:
    """A write-only worksheet with two header rows (Chinese, English), frozen, and formats by unit."""

    def __init__(self, book: Any, title: str) -> None:
        self.book = book
        self.sheet = book.create_sheet(title)
        self.rows: list[list[Any]] = []
        self.widths: dict[int, int] = {}

    def header(self, zh: list[str], en: list[str], freeze: bool = True) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill

        fill = PatternFill("solid", fgColor="DDE7F0")
        for labels, bold in ((zh, True), (en, False)):
            row = []
            for index, label in enumerate(labels):
                cell = WriteOnlyCell(self.sheet, value=label)
                if isinstance(label, str) and label.startswith("="):
                    cell.data_type = "s"
                cell.font = Font(bold=bold, color="1D2B3A" if bold else "4A5A6A")
                cell.fill = fill
                row.append(cell)
                self.widths[index] = max(self.widths.get(index, 0), _width(label))
            self.rows.append(row)
        if freeze:
            self.sheet.freeze_panes = "A3"

    def add(self, values: list[Any], formats: list[str | None] | None = None) -> None:
        from openpyxl.cell import WriteOnlyCell

        row = []
        for index, value in enumerate(values):
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            form = formats[index] if formats else None
            if form and isinstance(value, (int, float)) and not isinstance(value, bool):
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.number_format = form
                row.append(cell)
            elif isinstance(value, str) and value.startswith("="):  # openpyxl would store it as a formula
                cell = WriteOnlyCell(self.sheet, value=value)
                cell.data_type = "s"
                row.append(cell)
            else:
                row.append(value)
            if index < 60 and value is not None:
                shown = f"{value:,.2f}" if isinstance(value, float) else value
                self.widths[index] = max(self.widths.get(index, 0), min(_width(shown), 48))
        self.rows.append(row)

    def close(self) -> None:
        from openpyxl.utils import get_column_letter

        for index, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(width + 2, 8), 50)
        for row in self.rows:
            self.sheet.append(row)


def _table_sheet(book: Any, title: str, frame: pd.DataFrame) -> None:
    sheet = _Sheet(book, title)
    columns = [str(c) for c in frame.columns]
    sheet.header([column_label(c, "zh") for c in columns], [column_label(c, "en") for c in columns])
    formats = []
    for column in columns:
        unit = column_unit(column)
        form = _FORMATS.get(unit)
        if column in ("lon", "lat") or column.endswith(("_lon", "_lat")):
            form = _FORMATS["deg"]
        formats.append(form)
    rounded = round_table(frame)
    for record in rounded.itertuples(index=False, name=None):
        sheet.add([_cell(v) for v in record], formats)
    sheet.close()


def _cell(value: Any) -> Any:
    """A pandas / numpy value as a plain Python value openpyxl writes (NaN -> empty)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _summary_sheet(book: Any, summary: Mapping[str, Any]) -> None:
    sheet = _Sheet(book, "摘要 Summary")
    sheet.header(["项目", "值", "单位", "键"], ["item", "value", "unit", "key"])
    solver = summary.get("solver") or {}
    status = str(solver.get("status", ""))
    for zh, en, value in (
        ("场景", "scenario", summary.get("scenario")),
        ("标题", "title", summary.get("title")),
        ("模型", "model", summary.get("model")),
        ("求解状态", "solver status", f"{status_label(status, 'zh')} / {status_label(status, 'en')}"),
        ("求解器", "solver", solver.get("solver")),
        ("求解信息", "solver message", solver.get("message")),
    ):
        sheet.add([f"{zh} {en}", value, "", ""])
    for key in ("objective", "best_bound", "gap", "build_seconds", "solve_seconds", "run_seconds"):
        if solver.get(key) is not None:
            unit = "share" if key == "gap" else ("s" if key.endswith("seconds") else "number")
            zh = {"objective": "目标函数值", "best_bound": "最优界", "gap": "最优间隙", "build_seconds": "建模时间",
                  "solve_seconds": "求解时间", "run_seconds": "总运行时间"}[key]
            sheet.add([f"{zh} {key.replace('_', ' ')}", solver[key], "%" if unit == "share" else unit.replace("number", ""),
                       f"solver.{key}"], [None, _FORMATS.get(unit, "#,##0.00"), None, None])
    sheet.add([])
    sheet.add(["关键指标 KPIs"])
    for key, value in flatten(summary.get("kpis") or {}):
        zh, en = kpi_names(key)
        unit = unit_of(key)
        unit = "cny" if unit == "money" else unit
        shown = unit_text(unit, "zh") + (" " + unit_text(unit, "en") if unit_text(unit, "en") != unit_text(unit, "zh") else "")
        sheet.add([f"{zh} {en}" if zh != en else key, _cell(value), shown.strip(), key],
                  [None, _FORMATS.get(unit), None, None])
    sites = summary.get("sites_opened") or {}
    if sites:
        sheet.add([])
        sheet.add(["各层级选址 Sites opened per tier"])
        for tier, entry in sites.items():
            zh, en = tier_names(tier)
            names = "、".join(map(str, entry.get("sites", []))) if isinstance(entry, Mapping) else str(entry)
            count = entry.get("count") if isinstance(entry, Mapping) else None
            sheet.add([f"{zh} {en}" if zh != en else tier, count, "", names])
    notes = summary.get("notes") or []
    if notes:
        sheet.add([])
        sheet.add(["说明 Notes"])
        for note in notes:
            sheet.add([str(note)])
    sheet.close()


def _costs_sheet(book: Any, costs: Mapping[str, float]) -> None:
    sheet = _Sheet(book, "成本 Costs")
    sheet.header(["成本项", "成本（元）", "占总成本", "键"], ["cost component", "cost (CNY)", "share of total", "key"])
    total = costs.get("total")
    for component, value in costs.items():
        share = value / total if isinstance(total, (int, float)) and total and value is not None else None
        sheet.add([f"{cost_label(component, 'zh')} {cost_label(component, 'en')}", _cell(value), share, component],
                  [None, "#,##0", "0.0%", None])
    sheet.close()


def _codes_sheet(book: Any, frames: Mapping[str, pd.DataFrame]) -> None:
    sheet = _Sheet(book, "说明 Codes")
    sheet.header(["列", "取值", "含义", "说明"], ["column", "values", "meaning (Chinese)", "meaning"])
    for column, values, zh, en in CODES:
        sheet.add([column, values, zh, en])
    sheet.add([])
    sheet.add(["列名 Column names", "表 table", "中文（单位）", "English (unit)"])
    seen = set()
    for table, frame in frames.items():
        for column in map(str, frame.columns):
            if column in seen:
                continue
            seen.add(column)
            sheet.add([column, table, column_label(column, "zh"), column_label(column, "en")])
    sheet.close()


def write_workbook(path: str | os.PathLike[str], summary: Mapping[str, Any],
                   frames: Mapping[str, pd.DataFrame]) -> Path:
    """Write a run's ``results.xlsx`` atomically: summary, costs, the tables in ``frames``, codes.

    ``summary`` is the run's ``summary.json`` content; ``frames`` maps a sheet title (``"选址 Sites"``)
    to its table. Each table sheet has a Chinese and an English header row with units, frozen.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    _summary_sheet(book, summary)
    costs = summary.get("cost_breakdown_cny") or {}
    if costs:
        _costs_sheet(book, costs)
    for title, frame in frames.items():
        if frame is not None and len(frame.columns):
            _table_sheet(book, title, frame)
    _codes_sheet(book, frames)
    target = Path(path)
    with atomic_path(target) as temporary:
        book.save(temporary)
    return target
