"""Basemaps a map can be drawn on.

``none`` (the default) uses no tiles: the shipped administrative boundaries are the background, and the
map works with no network at all. The tiled basemaps need the internet when the map is opened:

* ``osm``: OpenStreetMap standard tiles (WGS84, as the data);
* ``gaode``: AutoNavi (高德) road map, drawn in GCJ-02, so every layer is shifted to GCJ-02;
* ``tianditu``: 天地图 vector map and labels (CGCS2000, used as WGS84); needs a browser key in the
  environment variable ``TIANDITU_KEY`` (it is written into the HTML, as the service expects).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from planner.errors import PlannerError

__all__ = ["BASEMAPS", "Basemap", "get_basemap"]

#: Basemap ids accepted by :func:`get_basemap` and the ``--basemap`` option.
BASEMAPS = ("none", "osm", "gaode", "tianditu")


@dataclass(frozen=True)
class Basemap:
    """A tiled basemap: its names, tile layers and whether data must be shifted to GCJ-02."""

    id: str
    name_zh: str
    name_en: str
    tiles: tuple[dict[str, Any], ...]
    gcj02: bool = False
    #: URL prefixes the page may load tiles from (for checks and the page's security policy).
    hosts: tuple[str, ...] = field(default=())


def get_basemap(name: str) -> Basemap | None:
    """Return the basemap ``name`` (``None`` for ``none``); unknown names and a missing key raise."""
    key = (name or "none").strip().lower()
    if key == "none":
        return None
    if key == "osm":
        return Basemap(
            id="osm",
            name_zh="开放街道地图",
            name_en="OpenStreetMap",
            tiles=(
                {
                    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    "options": {
                        "maxZoom": 19,
                        "attribution": "&copy; OpenStreetMap contributors (ODbL)",
                    },
                },
            ),
            hosts=("https://tile.openstreetmap.org/",),
        )
    if key == "gaode":
        return Basemap(
            id="gaode",
            name_zh="高德地图",
            name_en="AutoNavi (GCJ-02)",
            tiles=(
                {
                    "url": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
                    "options": {
                        "subdomains": "1234",
                        "maxZoom": 18,
                        "attribution": "&copy; 高德地图 AutoNavi",
                    },
                },
            ),
            gcj02=True,
            hosts=tuple(f"https://webrd0{i}.is.autonavi.com/" for i in "1234"),
        )
    if key == "tianditu":
        token = os.environ.get("TIANDITU_KEY", "").strip()
        if not token:
            raise PlannerError(
                "basemap tianditu needs a key: set the environment variable TIANDITU_KEY to your 天地图 browser key "
                "(https://console.tianditu.gov.cn), or use --basemap none"
            )
        token = quote(token, safe="")
        tiles = tuple(
            {
                "url": (
                    f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                    f"&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                    f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={token}"
                ),
                "options": {"subdomains": "01234567", "maxZoom": 18, "attribution": "&copy; 天地图 Tianditu"},
            }
            for layer in ("vec", "cva")
        )
        return Basemap(
            id="tianditu",
            name_zh="天地图",
            name_en="Tianditu",
            tiles=tiles,
            hosts=tuple(f"https://t{i}.tianditu.gov.cn/" for i in range(8)),
        )
    raise PlannerError(f"unknown basemap {name!r}; use one of {', '.join(BASEMAPS)}")
