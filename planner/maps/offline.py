"""Self-contained HTML: inline the vendored assets, embed data safely, find external references.

A map is one HTML file that works when double-clicked on a machine with no network: Leaflet's script and
stylesheet (``vendor/leaflet``), jQuery when a folium ``Popup`` needs it (``vendor/jquery``) and this
project's own script and stylesheet (``static/``) are inlined, images referenced by the stylesheet become
``data:`` URIs, and data passed to the page is serialised with :func:`json_for_script`, so that no value
can close the script element or reach a JavaScript template literal.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any

__all__ = [
    "VENDOR_DIR",
    "external_references",
    "inline_css",
    "content_security_policy",
    "inline_js",
    "jquery_js",
    "json_for_script",
    "leaflet_css",
    "leaflet_js",
    "static_asset",
]

_HERE = Path(__file__).resolve().parent
VENDOR_DIR = _HERE / "vendor"
STATIC_DIR = _HERE / "static"

_CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")
_SOURCE_MAP = re.compile(r"^\s*//# sourceMappingURL=.*$", re.MULTILINE)
_UNUSED_IMAGES = {"images/marker-icon.png"}


@functools.lru_cache(maxsize=1)
def leaflet_js() -> str:
    """Leaflet's minified script with its source-map comment removed."""
    text = (VENDOR_DIR / "leaflet" / "leaflet.js").read_text(encoding="utf-8")
    return _SOURCE_MAP.sub("", text).rstrip() + "\n"


@functools.lru_cache(maxsize=1)
def jquery_js() -> str:
    """jQuery's minified script (needed only by folium's ``Popup`` template)."""
    text = (VENDOR_DIR / "jquery" / "jquery.min.js").read_text(encoding="utf-8")
    return _SOURCE_MAP.sub("", text).rstrip() + "\n"


@functools.lru_cache(maxsize=1)
def leaflet_css() -> str:
    """Leaflet's stylesheet with the images it uses embedded as ``data:`` URIs."""
    directory = VENDOR_DIR / "leaflet"
    text = (directory / "leaflet.css").read_text(encoding="utf-8")

    def replace(match: re.Match[str]) -> str:
        target = match.group(2).strip()
        if target.startswith(("data:", "#")):
            return match.group(0)
        if target in _UNUSED_IMAGES:
            return "none"
        path = directory / target
        if not path.is_file():
            raise FileNotFoundError(f"{path}: leaflet.css refers to it; vendor it beside leaflet.css")
        payload = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{payload})"

    return _CSS_URL.sub(replace, text)


def static_asset(name: str) -> str:
    """The text of one of this project's own assets in ``planner/maps/static``."""
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def inline_js(code: str) -> str:
    """A ``<script>`` element holding ``code`` (which must not contain a closing script tag)."""
    if re.search(r"</script", code, re.IGNORECASE):
        raise ValueError("script text contains '</script'; it cannot be inlined safely")
    return f"<script>\n{code}\n</script>"


def inline_css(css: str) -> str:
    """A ``<style>`` element holding ``css`` (which must not contain a closing style tag)."""
    if re.search(r"</style", css, re.IGNORECASE):
        raise ValueError("stylesheet text contains '</style'; it cannot be inlined safely")
    return f"<style>\n{css}\n</style>"


_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "`": "\\u0060",
    "$": "\\u0024",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_UNSAFE = re.compile("[<>&`$\u2028\u2029]")


def json_for_script(data: Any) -> str:
    """Serialise ``data`` as JSON that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e`` and ``\\u0026`` (so ``</script>`` or
    ``<!--`` in a value cannot end or confuse the element), the backtick and ``$`` become ``\\u0060`` and
    ``\\u0024`` (so the text holds no template-literal syntax) and the JavaScript line separators are
    escaped; a JavaScript parser restores the original text.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


# Attributes and CSS constructs through which a page loads something.
_RESOURCE_ATTR = re.compile(
    r"<(script|link|img|iframe|embed|source|audio|video|object|image|use|input)\b[^>]*?\s"
    r"(src|href|data|srcset|poster|xlink:href)\s*=\s*(['\"]?)([^'\"\s>]+)",
    re.IGNORECASE,
)
_CSS_IMPORT = re.compile(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", re.IGNORECASE)
_ALLOWED_SCHEMES = ("data:", "#", "about:", "javascript:void")


def external_references(html: str, allowed_prefixes: tuple[str, ...] = ()) -> list[str]:
    """Return every URL through which ``html`` would load a resource from outside the file.

    Looks at resource attributes (``<script src>``, ``<link href>``, ``<img src>``...), CSS ``url(...)``
    and ``@import``; ``data:`` URIs and fragments are fine. ``allowed_prefixes`` lists URL templates that
    are expected (the tiles of an explicitly chosen basemap). Plain hyperlinks (``<a href>``) load
    nothing and are not reported.
    """
    found: list[str] = []
    for match in _RESOURCE_ATTR.finditer(html):
        found.append(match.group(4))
    for match in _CSS_URL.finditer(html):
        found.append(match.group(2).strip())
    for match in _CSS_IMPORT.finditer(html):
        found.append(match.group(1))
    return [
        url
        for url in found
        if not url.lower().startswith(_ALLOWED_SCHEMES) and not url.startswith(allowed_prefixes)
    ]


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(html: str, tile_hosts: tuple[str, ...] = ()) -> str:
    """A policy for ``html`` allowing exactly its inline ``<script>`` elements (by SHA-256 hash).

    Styles may be inline (Leaflet and folium position elements with style attributes), images may be
    ``data:`` URIs or tiles from ``tile_hosts``; no other source is allowed.
    """
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"
        for code in _INLINE_SCRIPT.findall(html)
    )
    images = "data:" + "".join(f" {host}" for host in tile_hosts)
    return (
        f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; img-src {images}; "
        "font-src 'none'; connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; "
        "form-action 'none'"
    )
