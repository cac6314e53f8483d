"""Bar charts drawn as inline SVG: no script, no font file, prints as vectors.

:func:`bar_chart` draws one horizontal bar per row and, for a comparison, one bar per series within a
row (A above B). Labels are escaped text elements; colours are fixed by series.
"""

from __future__ import annotations

from collections.abc import Sequence

from planner.maps.html import Html, join
from planner.report.page import el

__all__ = ["SERIES_COLOURS", "bar_chart"]

SERIES_COLOURS = ("#1565c0", "#ef6c00", "#2e7d32", "#6a1b9a")


def bar_chart(labels: Sequence[str], series: Sequence[Sequence[float]], value_text: Sequence[Sequence[str]],
              *, names: Sequence[str] = (), title: str = "", width: int = 760) -> Html:
    """Horizontal bars: ``series[k][i]`` is the value of row ``labels[i]`` in series ``k``.

    ``value_text`` gives the text written after each bar (same shape as ``series``); ``names`` the
    series names for the key (shown when there are two or more). Negative values draw as zero.
    """
    label_w, text_w, bar_h, gap = 210, 150, 16, 10
    rows = len(labels)
    per_row = len(series) * bar_h + gap
    top = 8 + (20 if len(series) > 1 else 0)
    height = top + rows * per_row + 6
    largest = max((max(v, 0.0) for values in series for v in values), default=0.0)
    plot_w = width - label_w - text_w
    parts: list[Html] = []
    if len(series) > 1:
        x = label_w
        for index, name in enumerate(names):
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            parts.append(el("rect", "", x=x, y=4, width=12, height=12, fill=colour, cls=f"key-{index}"))
            parts.append(el("text", name, x=x + 16, y=14, font_size=12))
            x += 30 + 8 * len(name)
    for row, label in enumerate(labels):
        y0 = top + row * per_row
        parts.append(el("text", label, x=label_w - 8, y=y0 + per_row / 2 - 2, text_anchor="end", font_size=12,
                        dominant_baseline="middle"))
        for index, values in enumerate(series):
            value = max(float(values[row]), 0.0)
            length = plot_w * value / largest if largest > 0 else 0.0
            y = y0 + index * bar_h
            colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
            parts.append(el("rect", "", x=label_w, y=y, width=f"{length:.1f}", height=bar_h - 3, fill=colour,
                            cls="bar-rect", data_row=row, data_series=index))
            parts.append(el("text", value_text[index][row], x=f"{label_w + length + 6:.1f}", y=y + bar_h / 2,
                            font_size=11, dominant_baseline="middle", fill="#333"))
    return el("svg", join(parts), xmlns="http://www.w3.org/2000/svg", width=width, height=height,
              viewbox=f"0 0 {width} {height}", role="img", aria_label=title, cls="chart")
