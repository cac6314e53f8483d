"""Folium maps that open offline: layers, legend, search, title, basemap; saved as one HTML file.

:func:`new_map` returns a :class:`folium.Map` prepared for this project: no CDN links (Leaflet and the
small viewer script ``static/planner.js`` are inlined by :class:`OfflineAssets`), drawing panes, a scale
bar, a title, a legend (:class:`Legend`), a place search (:class:`PlaceSearch`), a layer control and the
page API ``window.plannerMap`` (:class:`PlannerApi`). Layers are :class:`PlannerLayer` objects — folium
``FeatureGroup`` s holding one :class:`folium.GeoJson` per kind of feature (areas, lines, points).

Escaping: text given as ``str`` is HTML-escaped by :func:`planner.maps.html.esc`, which also turns the
backtick and ``$`` into entities; popups, tooltips and labels travel to the page as properties of the
GeoJSON features (serialised as JSON, ``<``/``>``/``&`` escaped) and are bound by ``planner.js`` with
Leaflet's ``bindPopup``/``bindTooltip``. No user text ever enters a JavaScript template literal or source
code. :func:`save_map` renders the page, adds a Content-Security-Policy with the hashes of its inline
scripts, refuses pages that would load anything from outside the file and writes it atomically.

:func:`planner_state` attaches the same machinery to any :class:`folium.Map` (e.g. one made in a notebook),
so :mod:`planner.maps.results` works on plain folium maps too.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Element, MacroElement
from folium.map import CustomPane
from folium.template import Template
from folium.utilities import JsCode
from shapely.geometry.base import BaseGeometry

from planner.atomic import atomic_path
from planner.errors import DataError, PlannerError
from planner.maps import offline
from planner.maps.basemaps import Basemap, get_basemap
from planner.maps.coords import ChinaMask
from planner.maps.html import Html, bilingual, esc

__all__ = [
    "Legend",
    "LegendItem",
    "MapState",
    "OfflineAssets",
    "PlaceSearch",
    "PlannerApi",
    "PlannerLayer",
    "china_mask",
    "counts",
    "geometry_is_drawable",
    "new_map",
    "planner_state",
    "render_html",
    "save_map",
]

_LAYER_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
#: Drawing panes (name, z-index): boundaries below areas below lines below points, whatever is toggled.
_PANES = {
    "boundary": ("pl-bnd", 350),
    "area": ("pl-area", 380),
    "line": ("pl-line", 420),
    "point": ("pl-point", 450),
}
_DEFAULT_BOUNDS = [[34.0, 73.0], [49.0, 108.0]]


@functools.lru_cache(maxsize=4)
def _china_mask(directory: str) -> ChinaMask:
    from planner.regions import load_regions

    try:
        provinces = load_regions("province")
    except DataError:
        return ChinaMask()
    return ChinaMask(list(provinces.geometry))


def china_mask() -> ChinaMask:
    """The mainland-China test used for GCJ-02 conversion (shipped province outlines, else the box)."""
    from planner.paths import geodata_dir

    return _china_mask(str(geodata_dir()))


@dataclass(frozen=True)
class LegendItem:
    """One legend row: a symbol (``pt`` point, ``ln`` line, ``pg`` area or ``tx`` text label, drawn with
    ``style``) and its label; ``layer`` names the layer that draws it (the row carries it as
    ``data-layer``, so a test can check that every layer drawn has its legend entry)."""

    kind: str
    style: dict[str, Any]
    label_zh: str
    label_en: str = ""
    radius: float | None = None
    layer: str | None = None

    def to_spec(self) -> dict[str, Any]:
        """The row as the viewer script draws it (the label is escaped HTML)."""
        sym: dict[str, Any] = {"t": self.kind, "style": self.style}
        if self.radius is not None:
            sym["r"] = self.radius
        spec: dict[str, Any] = {"sym": sym, "label_html": bilingual(self.label_zh, self.label_en)}
        if self.layer:
            spec["layer"] = self.layer
        return spec


def _round(value: float, precision: int = 5) -> float:
    return float(round(float(value), precision))


# ------------------------------------------------------------------------------------------ elements


class _Runtime(MacroElement):
    """Base for this project's elements: a script line calling the viewer with JSON arguments."""

    _call = ""

    def spec(self) -> Any:
        """The JSON-ready argument passed to ``plannerRuntime.<call>``."""
        raise NotImplementedError

    def spec_json(self) -> str:
        """:meth:`spec` serialised for a script element (see :func:`offline.json_for_script`)."""
        return offline.json_for_script(self.spec())

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            plannerRuntime.{{ this._call }}({{ this._parent.get_name() }}, {{ this.spec_json() }});
        {% endmacro %}
        """
    )


class OfflineAssets(MacroElement):
    """Leaflet, jQuery (only when a folium ``Popup`` needs it) and the viewer, inlined into the page head."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {{ this.assets() }}
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "OfflineAssets"

    def needs_jquery(self) -> bool:
        """Whether the map holds folium elements whose scripts call jQuery (``folium.Popup``)."""
        root = self._parent
        return root is not None and any(isinstance(e, folium.Popup) for e in _walk(root))

    def assets(self) -> str:
        """The ``<style>`` and ``<script>`` elements."""
        parts = [
            offline.inline_css(offline.leaflet_css()),
            offline.inline_css(offline.static_asset("planner.css")),
            offline.inline_js(offline.leaflet_js()),
        ]
        if self.needs_jquery():
            parts.append(offline.inline_js(offline.jquery_js()))
        parts.append(offline.inline_js(offline.static_asset("planner.js")))
        return "\n".join(parts)


class MapTitle(_Runtime):
    """The title box at the top centre (Chinese, then English in a muted line)."""

    _call = "title"

    def __init__(
        self, title_zh: str, title_en: str = "", subtitle_zh: str = "", subtitle_en: str = ""
    ) -> None:
        super().__init__()
        self._name = "MapTitle"
        self.title_zh, self.title_en, self.subtitle_zh, self.subtitle_en = (
            title_zh,
            title_en,
            subtitle_zh,
            subtitle_en,
        )

    def spec(self) -> dict[str, str]:
        """Escaped title and subtitle HTML."""
        return {
            "title_html": bilingual(self.title_zh, self.title_en),
            "subtitle_html": bilingual(self.subtitle_zh, self.subtitle_en),
        }


class Legend(_Runtime):
    """The legend box (bottom right): sections of symbol rows, then notes."""

    _call = "legend"

    def __init__(self) -> None:
        super().__init__()
        self._name = "Legend"
        self.sections: list[dict[str, Any]] = []
        self.notes: list[Html] = []

    def add_section(self, title_zh: str, title_en: str, items: Sequence[LegendItem]) -> None:
        """Add a titled section of rows."""
        self.sections.append(
            {"title_html": bilingual(title_zh, title_en), "items": [item.to_spec() for item in items]}
        )

    def spec(self) -> dict[str, Any]:
        """Sections and notes as escaped HTML."""
        return {
            "title_html": bilingual("图例", "Legend"),
            "sections": self.sections,
            "note_html": Html("<br>".join(self.notes)),
        }


class PlaceSearch(_Runtime):
    """The place-name search box (top left): Chinese name, English name or id; plain text, shown as text."""

    _call = "search"

    def __init__(self) -> None:
        super().__init__()
        self._name = "PlaceSearch"
        self.entries: list[dict[str, Any]] = []
        self._ids: set[str] = set()

    def add(self, name_zh: str, name_en: str, ident: str, *, layer: str, index: int) -> None:
        """Make feature ``index`` of layer ``layer`` findable (once per id)."""
        if str(ident) in self._ids:
            return
        self._ids.add(str(ident))
        self.entries.append(
            {"zh": str(name_zh), "en": str(name_en), "id": str(ident), "layer": layer, "i": index}
        )

    def spec(self) -> list[dict[str, Any]]:
        """The index (plain text: the viewer only ever sets it with ``textContent``)."""
        return self.entries


class PlannerApi(MacroElement):
    """Initial view, attribution and ``window.plannerMap`` (layers by id), once the page is parsed."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            plannerRuntime.ready({{ this._parent.get_name() }}, {{ this.spec_json() }}, function () {
                return {
                {%- for layer_id, name in this.groups() %}
                    {{ layer_id|tojson }}: {{ name }},
                {%- endfor %}
                };
            });
        {% endmacro %}
        """
    )

    def __init__(self, state: MapState) -> None:
        super().__init__()
        self._name = "PlannerApi"
        self.state = state

    def groups(self) -> list[tuple[str, str]]:
        """(layer id, JavaScript variable) of every planner layer."""
        return [(layer_id, layer.get_name()) for layer_id, layer in self.state.layers.items()]

    def spec_json(self) -> str:
        """Bounds, attribution and label zoom, serialised for the page."""
        return offline.json_for_script(
            {
                "bounds": self.state.bounds(),
                "attribution_html": Html(" | ".join(self.state.attributions)),
                "minor_label_zoom": self.state.minor_label_zoom,
            }
        )


# ------------------------------------------------------------------------------------------- layers


class PlannerLayer(folium.FeatureGroup):
    """A named overlay (one entry in the layer control); add features with :meth:`add_point`/:meth:`add_geometry`.

    The features are kept as GeoJSON in one :class:`folium.GeoJson` per kind (areas, lines, points), each
    in its own pane; popups, tooltips and labels are feature properties bound by the viewer script.
    """

    def __init__(
        self,
        state: MapState,
        layer_id: str,
        name_zh: str,
        name_en: str = "",
        *,
        show: bool = True,
        pane: str | None = None,
        fit: bool = True,
    ) -> None:
        super().__init__(name=bilingual(name_zh, name_en), overlay=True, control=True, show=show)
        self.state = state
        self.layer_id = layer_id
        self.name_zh = name_zh
        self.name_en = name_en
        self.pane = pane
        self.fit = fit
        self._collections: dict[str, folium.GeoJson] = {}
        self._count = 0
        self._box = [math.inf, math.inf, -math.inf, -math.inf]  # min lat, min lon, max lat, max lon

    def __len__(self) -> int:
        return self._count

    @property
    def id(self) -> str:
        """The layer's identifier (CSS-safe; the key of ``plannerMap`` functions)."""
        return self.layer_id

    def features(self) -> list[dict[str, Any]]:
        """Every GeoJSON feature of the layer, in the order added (property ``i`` is the index)."""
        out = [f for c in self._collections.values() for f in c.data["features"]]
        return sorted(out, key=lambda f: f["properties"]["i"])

    # ------------------------------------------------------------------ features
    def add_point(
        self,
        lon: float,
        lat: float,
        *,
        style: dict[str, Any],
        radius: float | None = None,
        popup: Html | str | None = None,
        tooltip: str | Html | None = None,
        label: str | None = None,
        minor_label: bool = False,
        in_china: bool | None = None,
        search: tuple[str, str, str] | None = None,
    ) -> int:
        """Add a circle marker at WGS84 ``(lon, lat)``; return its index in the layer.

        ``label`` is a permanent text label (shown from zoom ``minor_label_zoom`` on when
        ``minor_label``); otherwise ``tooltip`` shows on hover. ``in_china`` overrides the GCJ-02 mask
        (e.g. from the node's country). ``search`` = ``(name_zh, name_en, id)`` adds it to the search box.
        """
        lons, lats = self.state.project(
            np.array([lon]), np.array([lat]), None if in_china is None else np.array([in_china])
        )
        x, y = _round(lons[0]), _round(lats[0])
        full = dict(style)
        full["radius"] = radius if radius is not None else style.get("radius", 5)
        props = self._properties(full, popup)
        if label:
            props["lbl"] = esc(label)
            if minor_label:
                props["minor"] = 1
            direction = self.state.place_label(
                float(lons[0]), float(lats[0]), full["radius"], label, minor_label
            )
            if direction != "right":
                props["dir"] = direction
        elif tooltip:
            props["tip"] = esc(tooltip)
        self._grow([y], [x])
        return self._append("point", {"type": "Point", "coordinates": [x, y]}, props, search)

    def add_geometry(
        self,
        geometry: BaseGeometry,
        *,
        style: dict[str, Any],
        weight: float | None = None,
        popup: Html | str | None = None,
        tooltip: str | Html | None = None,
        precision: int = 4,
        search: tuple[str, str, str] | None = None,
    ) -> int:
        """Add a line or polygon (single or multi) in WGS84; return its index in the layer."""
        if geometry is None or geometry.is_empty:
            raise ValueError("cannot add an empty geometry to a map")
        kind = geometry.geom_type
        if kind == "Point":
            return self.add_point(
                geometry.x, geometry.y, style=style, popup=popup, tooltip=tooltip, search=search
            )
        if kind in ("LineString", "LinearRing"):
            shape: dict[str, Any] = {
                "type": "LineString",
                "coordinates": self._coords(geometry.coords, precision),
            }
            collection = "line"
        elif kind == "MultiLineString":
            parts = [self._coords(part.coords, precision) for part in geometry.geoms]
            shape = {"type": "MultiLineString", "coordinates": parts}
            collection = "line"
        elif kind == "Polygon":
            shape = {"type": "Polygon", "coordinates": self._rings(geometry, precision)}
            collection = "area"
        elif kind == "MultiPolygon":
            shape = {
                "type": "MultiPolygon",
                "coordinates": [self._rings(p, precision) for p in geometry.geoms],
            }
            collection = "area"
        else:
            raise ValueError(f"cannot draw geometry type {kind} on a map")
        full = dict(style)
        if weight is not None:
            full["weight"] = weight
        props = self._properties(full, popup)
        if tooltip:
            props["tip"] = esc(tooltip)
        return self._append(collection, shape, props, search)

    # ------------------------------------------------------------------ helpers
    def _properties(self, style: dict[str, Any], popup: Html | str | None) -> dict[str, Any]:
        props: dict[str, Any] = {"i": self._count, "style": style}
        if popup:
            props["pop"] = esc(popup)
        return props

    def _collection(self, kind: str) -> folium.GeoJson:
        if kind not in self._collections:
            pane = _PANES[self.pane or kind][0]
            css = f"pl-f pl-{self.layer_id}"
            collection = folium.GeoJson(
                {"type": "FeatureCollection", "features": []},
                control=False,
                on_each_feature=JsCode(f'plannerRuntime.binder("{self.layer_id}")'),
                pane=pane,
                className=css,
                pointToLayer=JsCode(f'plannerRuntime.pointer("{pane}", "{css}")'),
            )
            self.state.stable_name(collection)
            self._collections[kind] = collection
            self.add_child(collection)
        return self._collections[kind]

    def _append(
        self, kind: str, shape: dict[str, Any], props: dict[str, Any], search: tuple[str, str, str] | None
    ) -> int:
        index = self._count
        self._collection(kind).data["features"].append(
            {"type": "Feature", "geometry": shape, "properties": props}
        )
        self._count += 1
        if search is not None:
            self.state.search.add(*search, layer=self.layer_id, index=index)
        return index

    def _grow(self, lats: Iterable[float], lons: Iterable[float]) -> None:
        lat_list, lon_list = list(lats), list(lons)
        if lat_list:
            box = self._box
            box[0], box[1] = min(box[0], min(lat_list)), min(box[1], min(lon_list))
            box[2], box[3] = max(box[2], max(lat_list)), max(box[3], max(lon_list))

    def _coords(self, coords: Iterable[Sequence[float]], precision: int) -> list[list[float]]:
        array = np.asarray(list(coords), dtype=float)[:, :2]
        lons, lats = self.state.project(array[:, 0], array[:, 1])
        lons, lats = np.round(lons, precision), np.round(lats, precision)
        self._grow(lats.tolist(), lons.tolist())
        out: list[list[float]] = []
        for lon, lat in zip(lons.tolist(), lats.tolist(), strict=True):
            point = [lon, lat]
            if not out or out[-1] != point:
                out.append(point)
        return out

    def _rings(self, polygon: BaseGeometry, precision: int) -> list[list[list[float]]]:
        rings = [self._coords(polygon.exterior.coords, precision)]
        rings += [self._coords(ring.coords, precision) for ring in polygon.interiors]
        return rings

    def bounds(self) -> tuple[float, float, float, float] | None:
        """(min lat, min lon, max lat, max lon) of the layer's features as drawn, or ``None``."""
        return None if not self._count or math.isinf(self._box[0]) else tuple(self._box)  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------- map state


def _label_box(
    lon: float, lat: float, radius: float, chars: int, direction: str, zoom: float
) -> tuple[float, float, float, float]:
    """Screen box (x0, y0, x1, y1) in Web-Mercator pixels of a label (or, for ``marker``, of the marker)."""
    scale = 256.0 * 2.0**zoom
    x = (lon + 180.0) / 360.0 * scale
    sin = math.sin(math.radians(max(min(lat, 85.0), -85.0)))
    y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale
    width = 13.0 * chars + 4.0
    gap = radius + 5.0
    if direction == "right":
        return (x + gap, y - 8, x + gap + width, y + 8)
    if direction == "left":
        return (x - gap - width, y - 8, x - gap, y + 8)
    if direction == "bottom":
        return (x - width / 2, y + gap, x + width / 2, y + gap + 16)
    if direction == "top":
        return (x - width / 2, y - gap - 16, x + width / 2, y - gap)
    return (x - radius, y - radius, x + radius, y + radius)


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


class MapState:
    """What this project keeps beside a :class:`folium.Map`: its layers by id, legend, search, basemap datum.

    Get it with :func:`planner_state`; build layers with :meth:`add_layer`. ``map`` is the folium map.
    """

    def __init__(self, m: folium.Map, basemap: Basemap | None, minor_label_zoom: float = 6) -> None:
        self.map = m
        self.basemap = basemap
        self.minor_label_zoom = minor_label_zoom
        self.layers: dict[str, PlannerLayer] = {}
        self.attributions: list[Html] = []
        self._labels: list[tuple[float, float, float, int, str, bool]] = []
        self._fixed_bounds: list[list[float]] | None = None
        self._names = 0
        self._mask: ChinaMask | None = china_mask() if basemap is not None and basemap.gcj02 else None
        self.legend = self.stable_name(Legend())
        self.search = self.stable_name(PlaceSearch())
        self.api = self.stable_name(PlannerApi(self))
        self.control = self.stable_name(folium.LayerControl(collapsed=False, position="topright"))

    def stable_name(self, element: Element) -> Any:
        """Give ``element`` a name that depends only on the order of creation (reproducible HTML)."""
        self._names += 1
        element._id = f"p{self._names:04d}"
        return element

    # ------------------------------------------------------------------ building
    def add_layer(
        self,
        layer_id: str,
        name_zh: str,
        name_en: str = "",
        *,
        show: bool = True,
        pane: str | None = None,
        fit: bool = True,
    ) -> PlannerLayer:
        """Add an overlay named ``name_zh``/``name_en``; ``layer_id`` is a CSS-safe identifier.

        ``pane`` forces a drawing level (``boundary``, ``area``, ``line``, ``point``); by default points
        draw above lines above areas. Layers with ``fit=False`` do not count for the initial view.
        """
        if not _LAYER_ID.match(layer_id):
            raise ValueError(f"layer id {layer_id!r} must match {_LAYER_ID.pattern}")
        if layer_id in self.layers:
            raise ValueError(f"duplicate layer id {layer_id!r}")
        if pane is not None and pane not in _PANES:
            raise ValueError(f"pane must be one of {', '.join(_PANES)}")
        layer = self.stable_name(
            PlannerLayer(self, layer_id, name_zh, name_en, show=show, pane=pane, fit=fit)
        )
        self.layers[layer_id] = layer
        self.map.add_child(layer)
        self.controls_last()
        return layer

    def layer(self, layer_id: str) -> PlannerLayer:
        """The layer with id ``layer_id``."""
        return self.layers[layer_id]

    def controls_last(self) -> None:
        """Keep the layer control and the page API after every layer (their scripts name the layers)."""
        for element in (self.control, self.api):
            name = element.get_name()
            if name not in self.map._children:
                self.map.add_child(element, name=name)
            self.map._children.move_to_end(name)

    def add_legend(self, title_zh: str, title_en: str, items: Sequence[LegendItem]) -> None:
        """Add a legend section."""
        self.legend.add_section(title_zh, title_en, items)

    def add_note(self, text: str | Html) -> None:
        """Add a line under the legend (sources, caveats)."""
        self.legend.notes.append(esc(text))

    def add_attribution(self, text: str | Html) -> None:
        """Add a data credit to the attribution line."""
        self.attributions.append(esc(text))

    def place_label(self, lon: float, lat: float, radius: float, text: str, minor: bool = False) -> str:
        """Choose a side (right, left, bottom, top) for a permanent label that overlaps no earlier label.

        Boxes are estimated in screen pixels (13 px per character, 16 px high) at the zoom the label first
        shows: 5.5 for main labels (among main labels), ``minor_label_zoom`` for minor ones (among all).
        When every side collides the label goes right.
        """
        zoom = max(self.minor_label_zoom, 5.5) if minor else 5.5
        others = [record for record in self._labels if minor or not record[5]]
        chosen = "right"
        for direction in ("right", "left", "bottom", "top"):
            box = _label_box(lon, lat, radius, len(text), direction, zoom)
            if not any(
                _overlap(box, _label_box(o[0], o[1], o[2], o[3], o[4], zoom))
                or _overlap(box, _label_box(o[0], o[1], o[2], 0, "marker", zoom))
                for o in others
            ):
                chosen = direction
                break
        self._labels.append((lon, lat, radius, len(text), chosen, minor))
        return chosen

    def fit_to(self, west: float, south: float, east: float, north: float) -> None:
        """Set the initial view to this WGS84 box instead of the extent of the features."""
        lons, lats = self.project(np.array([west, east]), np.array([south, north]))
        self._fixed_bounds = [[float(lats[0]), float(lons[0])], [float(lats[1]), float(lons[1])]]

    # ------------------------------------------------------------------ coordinates
    def project(
        self, lon: np.ndarray, lat: np.ndarray, in_china: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """WGS84 to the basemap's datum (GCJ-02 for ``gaode`` inside mainland China, else unchanged)."""
        if self._mask is None:
            return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        return self._mask.to_gcj02(lon, lat, in_china)

    def bounds(self) -> list[list[float]]:
        """[[south, west], [north, east]] of the initial view (:meth:`fit_to`, else the features)."""
        if self._fixed_bounds is not None:
            return self._fixed_bounds
        layers = list(self.layers.values())
        boxes = [b for layer in layers if layer.fit and (b := layer.bounds()) is not None]
        boxes = boxes or [b for layer in layers if (b := layer.bounds()) is not None]
        if not boxes:
            return _DEFAULT_BOUNDS
        return [
            [min(b[0] for b in boxes), min(b[1] for b in boxes)],
            [max(b[2] for b in boxes), max(b[3] for b in boxes)],
        ]

    def counts(self) -> dict[str, int]:
        """Number of features per layer id (what the browser tests expect to find drawn)."""
        return {layer_id: len(layer) for layer_id, layer in self.layers.items()}


def _attach(m: folium.Map, basemap: Basemap | None, minor_label_zoom: float = 6) -> MapState:
    state = MapState(m, basemap, minor_label_zoom)
    m._planner_state = state  # type: ignore[attr-defined]
    # No CDN links: folium's default scripts and stylesheets are replaced by the inlined copies.
    m.default_js = []
    m.default_css = []
    m.add_child(state.stable_name(OfflineAssets()))
    for name, z_index in _PANES.values():
        m.add_child(state.stable_name(CustomPane(name, z_index=z_index, pointer_events=True)))
    m.add_child(state.legend)
    m.add_child(state.search)
    state.controls_last()
    return state


def planner_state(m: folium.Map) -> MapState:
    """The :class:`MapState` of ``m``; a plain folium map gets one (offline assets, legend, search, API)."""
    state = getattr(m, "_planner_state", None)
    if state is None:
        state = _attach(m, None)
    return state


def new_map(
    title_zh: str,
    title_en: str = "",
    *,
    subtitle_zh: str = "",
    subtitle_en: str = "",
    basemap: str | Basemap | None = "none",
    minor_label_zoom: float = 6,
) -> folium.Map:
    """A :class:`folium.Map` ready for this project's layers: offline assets, panes, scale bar, title,
    legend, search, layer control; ``basemap`` is ``none`` (default: no tiles), ``osm``, ``gaode`` or
    ``tianditu`` (see :mod:`planner.maps.basemaps`).
    """
    base = basemap if isinstance(basemap, Basemap) or basemap is None else get_basemap(basemap)
    m = folium.Map(
        location=[41.0, 90.0],
        zoom_start=5,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
        min_zoom=2,
        max_zoom=18,
    )
    m._id = "p0000"
    title = " ".join(part for part in (title_zh, title_en) if part)
    m.get_root().title = esc(title)  # the figure template does not escape
    state = _attach(m, base, minor_label_zoom)
    m.add_child(state.stable_name(MapTitle(title_zh, title_en, subtitle_zh, subtitle_en)))
    if base is not None:
        tiles = state.stable_name(
            folium.FeatureGroup(name=bilingual(base.name_zh, base.name_en), overlay=False)
        )
        for spec in base.tiles:
            options = dict(spec["options"])
            tile = folium.TileLayer(
                tiles=spec["url"],
                attr=options.pop("attribution", ""),
                max_zoom=options.pop("maxZoom", 18),
                subdomains=options.pop("subdomains", "abc"),
                control=False,
                **options,
            )
            tiles.add_child(state.stable_name(tile))
        m.add_child(tiles)
        m.add_child(
            state.stable_name(
                folium.FeatureGroup(name=bilingual("无底图", "No basemap"), overlay=False, show=False)
            )
        )
    state.controls_last()
    return m


def counts(m: folium.Map) -> dict[str, int]:
    """Number of features per planner layer of ``m``."""
    return planner_state(m).counts()


def _walk(root: Element) -> Iterator[Element]:
    stack = [root]
    while stack:
        element = stack.pop()
        yield element
        stack.extend(element._children.values())
        for part in ("header", "html", "script"):
            child = getattr(element, part, None)
            if isinstance(child, Element):
                stack.append(child)


def render_html(m: folium.Map) -> str:
    """The complete page of ``m``: offline assets inlined, with a Content-Security-Policy.

    The policy allows exactly the page's inline scripts (by SHA-256), inline styles, ``data:`` images
    and the tiles of the chosen basemap; nothing else can load or run.
    """
    state = planner_state(m)
    state.controls_last()
    html = m.get_root().render()
    hosts = state.basemap.hosts if state.basemap is not None else ()
    policy = offline.content_security_policy(html, hosts)
    head = (
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(policy)}">\n'
        '<meta name="generator" content="planner (planner/maps, folium)">\n'
        "<!-- Generated by planner; regenerate it after the data change (planner map ...). -->\n"
    )
    html = html.replace("<html>", '<html lang="zh-CN">', 1).replace("<head>\n", "<head>\n" + head, 1)
    return html


def save_map(m: folium.Map, path: str | Path) -> Path:
    """Write ``m`` to ``path`` as one self-contained HTML file, atomically (temporary file, then rename).

    Raises :class:`PlannerError` when the page would load anything from outside the file (e.g. a folium
    plugin whose scripts come from a CDN): these maps must open with no network.
    """
    state = planner_state(m)
    html = render_html(m)
    allowed = state.basemap.hosts if state.basemap is not None else ()
    outside = offline.external_references(html, allowed)
    if outside:
        raise PlannerError(
            f"the map would load {len(outside)} file(s) from outside the page (first: {outside[0]}); "
            "only folium features whose assets planner vendors can be saved offline"
        )
    target = Path(path)
    with atomic_path(target) as temporary:
        temporary.write_text(html, encoding="utf-8")
    return target


def geometry_is_drawable(geometry: BaseGeometry | None) -> bool:
    """Whether ``geometry`` is a non-empty shape :meth:`PlannerLayer.add_geometry` accepts."""
    return geometry is not None and not geometry.is_empty and shapely.get_type_id(geometry) in (1, 2, 3, 5, 6)
