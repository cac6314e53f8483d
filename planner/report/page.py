"""The pieces of a report page: escaped elements, value rendering, the page frame with its policy.

Every piece of text goes through :func:`planner.maps.html.esc`; attribute names and tag names are the
callers' own constants. Values render by their key (:mod:`planner.labels`): a KPI the catalogue does not
know shows under its own name, a mapping as a small table, a list as a list, so whatever a run writes
into ``summary.json`` appears in the report without code changes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from planner.labels import format_value, kpi_names
from planner.maps.html import Html, esc, join

__all__ = ["bi", "el", "embed_map", "kv_table", "more_note", "page", "render_value", "section", "table"]

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def el(name: str, content: object = "", **attributes: object) -> Html:
    """``<name attr="value">content</name>`` with escaped content and values (``cls`` is ``class``)."""
    if not _NAME.match(name):
        raise ValueError(f"bad tag name {name!r}")
    parts = [name]
    for key, value in attributes.items():
        if value is None or value is False:
            continue
        attribute = "class" if key == "cls" else key.rstrip("_").replace("_", "-")
        if not _NAME.match(attribute):
            raise ValueError(f"bad attribute name {attribute!r}")
        parts.append(attribute if value is True else f'{attribute}="{esc(value)}"')
    return Html(f"<{' '.join(parts)}>{esc(content)}</{name}>")


def bi(zh: object, en: object = "") -> Html:
    """Chinese text, then the English in a muted span (the English alone when they are the same)."""
    if not en or str(en) == str(zh):
        return esc(zh)
    if not zh:
        return el("span", en, cls="en")
    return join([esc(zh), " ", el("span", en, cls="en")])


def table(header: Iterable[object], rows: Iterable[Iterable[object]], cls: str = "") -> Html:
    """A table; cells are escaped unless they are :class:`Html`. Numeric-looking cells align right."""
    head = el("thead", el("tr", join(el("th", cell) for cell in header)))
    body = []
    for row in rows:
        cells = []
        for cell in row:
            numeric = isinstance(cell, str) and bool(re.match(r"^[-+−]?[\d,.]+(\s|%|$)", cell))
            cells.append(el("td", cell, cls="num" if numeric else None))
        body.append(el("tr", join(cells)))
    return el("table", join([head, el("tbody", join(body))]), cls=cls or None)


def render_value(key: str, value: Any) -> Html:
    """A value of ``summary.json`` for reading: formatted by ``key``, a mapping as a small table."""
    if isinstance(value, Mapping):
        if not value:
            return esc("-")
        rows = []
        for sub, item in value.items():
            child = f"{key}.{sub}"
            zh, en = kpi_names(child)
            label = bi(zh.split(" · ")[-1], en.split(" · ")[-1]) if "." in child else esc(sub)
            rows.append((label, render_value(child, item)))
        return el("table", join(el("tr", join([el("th", label), el("td", cell)])) for label, cell in rows), cls="sub")
    if isinstance(value, (list, tuple)):
        if not value:
            return esc("-")
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value):
            return esc("、".join(map(str, value)))
        return el("ul", join(el("li", render_value(key, item)) for item in value))
    return esc(format_value(key, value))


def kv_table(items: Iterable[tuple[str, Any]]) -> Html:
    """A two-column table of KPIs: bilingual name (key below), value by unit."""
    rows = []
    for key, value in items:
        zh, en = kpi_names(key)
        name = join([bi(zh, en), el("div", key, cls="key")]) if zh != key else el("span", key, cls="key-only")
        rows.append((name, render_value(key, value)))
    return table([bi("指标", "indicator"), bi("数值", "value")], rows, cls="kpis")


def more_note(total: int, shown: int, zh_unit: str, en_unit: str) -> Html:
    """``and N more places`` under a table cut at ``shown`` rows (empty when nothing was left out)."""
    more = total - shown
    return el("p", bi(f"另有 {more} {zh_unit}", f"and {more} more {en_unit}"), cls="meta") if more > 0 else Html("")


def section(anchor: str, zh: str, en: str, *content: object) -> Html:
    """A titled section of the report."""
    return el("section", join([el("h2", bi(zh, en)), *content]), id=anchor)


def embed_map(map_html: str, title: str) -> tuple[Html, str | None]:
    """An ``<iframe srcdoc>`` holding a saved map page, and the map's own Content-Security-Policy.

    The frame inherits the report's policy, so the report allows the map's scripts (by their hashes)
    and nothing else.
    """
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)"', map_html)
    frame = el("iframe", "", srcdoc=map_html, title=title, cls="map", loading="eager")
    return frame, (html.unescape(policy.group(1)) if policy else None)


_STYLE = """
:root { --ink: #1d2b3a; --muted: #5a6672; --line: #d9e0e6; --soft: #f3f6f9; --accent: #1565c0; }
* { box-sizing: border-box; }
body { font-family: "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
  "Source Han Sans SC", "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0; background: #fff;
  font-size: 14px; line-height: 1.5; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
header.top { border-bottom: 3px solid var(--accent); padding-bottom: 10px; margin-bottom: 8px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.en { color: var(--muted); font-weight: 400; font-size: 0.86em; }
.meta { color: var(--muted); font-size: 13px; }
.meta span { margin-right: 16px; white-space: nowrap; }
nav.toc { font-size: 13px; margin: 10px 0 0; }
nav.toc a { margin-right: 14px; color: var(--accent); text-decoration: none; white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px; margin: 8px 0 14px; }
.card { background: var(--soft); border-radius: 6px; padding: 10px 12px; border-left: 4px solid var(--accent); }
.card .label { font-size: 12px; color: var(--muted); }
.card .value { font-size: 20px; font-weight: 700; white-space: nowrap; }
.card .value.pair { font-size: 16px; white-space: normal; }
.card .delta { font-size: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--soft); font-weight: 600; border-bottom: 2px solid var(--line); }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.sub { width: auto; margin: 0; font-size: 12px; }
table.sub th, table.sub td { border: 0; padding: 0 10px 0 0; background: none; font-weight: 400; }
.key { color: var(--muted); font-size: 11px; font-family: monospace; }
.key-only { font-family: monospace; }
.bar { display: inline-block; height: 10px; background: var(--accent); border-radius: 2px; vertical-align: middle; }
.bar-track { display: inline-block; width: 80px; height: 10px; background: #e3e8ee; border-radius: 2px;
  vertical-align: middle; margin-right: 6px; }
.over { background: #c62828; }
.up { color: #c62828; } .down { color: #2e7d32; }
.note { background: #fff8e1; border-left: 4px solid #f9a825; padding: 6px 10px; margin: 6px 0; }
.warn { background: #ffebee; border-left-color: #c62828; }
iframe.map { width: 100%; height: 620px; border: 1px solid var(--line); border-radius: 4px; }
svg.chart text { font-family: inherit; }
details summary { cursor: pointer; color: var(--accent); margin: 6px 0; }
code, .hash { font-family: monospace; font-size: 12px; }
footer { margin-top: 30px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  section { break-inside: auto; }
  table, .cards, svg.chart { break-inside: avoid; }
  iframe.map { height: 150mm; break-inside: avoid; }
  details > *:not(summary) { display: block; }
}
"""


def page(title: str, body: Iterable[Html], policy: str | None = None) -> str:
    """The complete report page: ``<head>`` with charset, policy and style, then ``body``.

    ``policy`` is the embedded map's Content-Security-Policy (the report runs no script of its own);
    without a map no script may run at all.
    """
    csp = policy or ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                     "font-src 'none'; connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; "
                     "form-action 'none'")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="planner report">\n'
        f"<title>{esc(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + f"\n{el('footer', bi(f'由 planner 生成于 {stamp}', f'written by planner on {stamp}'))}\n</main>\n</body>\n</html>\n"
    )
