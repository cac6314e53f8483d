"""Escaped HTML fragments for popups, tooltips, legends and layer names.

Every string a map shows goes through :func:`esc` unless it is already an :class:`Html` value, so a place
or product name such as ``<img src=x onerror=alert(1)>`` is displayed as text. :func:`esc` also writes the
backtick and ``$`` as character references, so escaped text stays inert even inside a JavaScript template
literal (folium's ``Popup`` and ``Tooltip`` templates put their HTML in one). Builders here take plain
text and return :class:`Html`; concatenate fragments with :func:`join`.
"""

from __future__ import annotations

import html as _html
from collections.abc import Iterable

__all__ = ["Html", "bilingual", "esc", "join", "table", "tag"]


class Html(str):
    """A string that is safe HTML (built from escaped parts); :func:`esc` leaves it unchanged."""

    __slots__ = ()


_TEMPLATE_CHARS = str.maketrans({"`": "&#96;", "$": "&#36;"})


def esc(value: object) -> Html:
    """Escape ``value`` for HTML text, a quoted attribute or a JS template literal (``Html`` passes unchanged).

    ``& < > " '`` become character references as usual; so do the backtick and ``$``, which is how a
    name like ``${alert(1)}`` or ``\x60);alert(1);(\x60`` stays text wherever the fragment ends up.
    """
    if isinstance(value, Html):
        return value
    text = _html.escape("" if value is None else str(value), quote=True)
    return Html(text.translate(_TEMPLATE_CHARS))


def join(parts: Iterable[object], separator: object = "") -> Html:
    """Join fragments, escaping every part (and the separator) that is not already :class:`Html`."""
    return Html(esc(separator).join(esc(part) for part in parts))


def tag(name: str, content: object = "", cls: str | None = None) -> Html:
    """``<name class="cls">content</name>``; ``name`` and ``cls`` are fixed identifiers of this module's callers."""
    if not name.isalnum():
        raise ValueError(f"bad tag name {name!r}")
    attribute = f' class="{esc(cls)}"' if cls else ""
    return Html(f"<{name}{attribute}>{esc(content)}</{name}>")


def bilingual(zh: object, en: object = "") -> Html:
    """Chinese text followed by the English in a muted span (either may be empty)."""
    parts: list[Html] = []
    if zh:
        parts.append(esc(zh))
    if en:
        parts.append(tag("span", en, "en"))
    return join(parts, " ")


def table(header: Iterable[object], rows: Iterable[Iterable[object]]) -> Html:
    """A small HTML table; every cell is escaped unless it is :class:`Html`."""
    head = join(tag("th", cell) for cell in header)
    body = join(tag("tr", join(tag("td", cell) for cell in row)) for row in rows)
    return tag("table", join([tag("tr", head), body]))
