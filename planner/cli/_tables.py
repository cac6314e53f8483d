"""Terminal tables that never break an id, a file name or an English word in the middle.

Rich wraps a cell at spaces and folds a word only when it is wider than its column; :func:`table` sets
each column's minimum width to its longest unbreakable piece (a run of non-CJK characters: ids such as
``cold_chain_base_candidate``, paths, numbers), so only Chinese text, which may break between any two
characters, wraps anywhere. When the terminal is too narrow for that, the table grows wider than the
terminal rather than cutting a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["table"]

_UNBREAKABLE = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef、，。；：（）]+")


def console_width() -> int:
    """Columns of the terminal the CLI prints to."""
    from planner.cli._common import console

    return int(console.width)


def _fit(natural: list[int], minimum: list[int], width: int, keep: Sequence[int] = ()) -> list[int]:
    """Column widths within ``width`` (borders and padding included).

    The widest column that can still shrink without breaking a word gives a column at a time; when none
    can, the widest column not in ``keep`` folds (down to 6); the ``keep`` columns (file names, ids) fold
    last.
    """
    widths = list(natural)

    def total() -> int:
        return sum(widths) + 3 * len(widths) + 1

    while total() > width:
        slack = [w - m for w, m in zip(widths, minimum, strict=True)]
        if max(slack, default=0) > 0:
            index = max(range(len(widths)), key=lambda i: (slack[i] > 0, widths[i]))
        else:
            movable = [i for i in range(len(widths)) if widths[i] > 6 and i not in keep]
            movable = movable or [i for i in range(len(widths)) if widths[i] > 6]
            if not movable:
                break
            index = max(movable, key=lambda i: widths[i])
        widths[index] -= 1
    return widths


def _longest_piece(text: str) -> int:
    return max((len(piece) for piece in _UNBREAKABLE.findall(text)), default=0)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None,
          numeric: Sequence[int] = (), show_lines: bool = False, width: int | None = None, keep: Sequence[int] = (0,)) -> Any:
    """A :class:`rich.table.Table` of ``rows`` (cells converted with ``str``; markup is not interpreted).

    ``numeric`` lists the columns to right-align; ``width`` is the terminal's (default: the console's);
    ``keep`` the columns that fold last when the terminal is too narrow (by default the first: names).
    """
    from rich.table import Table
    from rich.text import Text

    body = [[cell if isinstance(cell, Text) else Text("" if cell is None else str(cell)) for cell in row] for row in rows]
    from rich.cells import cell_len

    minimum = [max(_longest_piece(header), 2) for header in headers]
    natural = [max((cell_len(line) for line in header.splitlines()), default=1) for header in headers]
    for row in body:
        for index, cell in enumerate(row[: len(headers)]):
            minimum[index] = max(minimum[index], _longest_piece(cell.plain))
            natural[index] = max(natural[index], max((cell_len(line) for line in cell.plain.splitlines()), default=0))
    widths = _fit(natural, minimum, console_width() if width is None else width, keep)
    result = Table(title=title, show_lines=show_lines)
    for index, header in enumerate(headers):
        result.add_column(header, overflow="fold", width=widths[index], justify="right" if index in numeric else "left")
    for row in body:
        result.add_row(*row)
    return result
