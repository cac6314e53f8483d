"""Coordinate handling for the maps: WGS84 -> GCJ-02 for the AutoNavi (Gaode) basemap.

Chinese web-map tiles (AutoNavi/Gaode) are drawn in GCJ-02, the offset datum required by Chinese
surveying rules; data in WGS84 (GeoNames, the boundaries) must be shifted by a few hundred metres to line
up with them. The shift is the widely published public formula (Krasovsky-ellipsoid parameters and two
trigonometric series in the offsets from 105E 35N); it is implemented here from that description.

Only points in mainland China are shifted. :func:`wgs84_to_gcj02` alone applies the customary coarse
bounding-box test; :class:`ChinaMask` refines it with the shipped province outlines (which cover the study
area and its Chinese neighbours), so places in Kazakhstan or Pakistan that fall inside the bounding box
stay where they are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely

__all__ = ["ChinaMask", "gcj02_shift", "in_china_bbox", "wgs84_to_gcj02"]

#: Semi-major axis of the Krasovsky 1940 ellipsoid used by the formula, in metres.
_A = 6378245.0
#: Its first eccentricity squared.
_EE = 0.00669342162296594323

#: The customary rough box around China used by the public formula (lon_min, lat_min, lon_max, lat_max).
CHINA_BBOX = (72.004, 0.8293, 137.8347, 55.8271)


def in_china_bbox(lon: float, lat: float) -> bool:
    """Return whether ``(lon, lat)`` lies in the rough box around China that the formula applies to."""
    lon_min, lat_min, lon_max, lat_max = CHINA_BBOX
    return lon_min <= lon <= lon_max and lat_min <= lat <= lat_max


def _lat_series(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    base = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    base += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    base += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    base += (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return base


def _lon_series(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    base = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    base += (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    base += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    base += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return base


def gcj02_shift(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the GCJ-02 coordinates of WGS84 arrays ``lon``, ``lat`` (every point is shifted)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x = lon - 105.0
    y = lat - 35.0
    d_lat = _lat_series(x, y)
    d_lon = _lon_series(x, y)
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * math.pi)
    return lon + d_lon, lat + d_lat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Convert one WGS84 point to GCJ-02; points outside the rough China box are returned unchanged."""
    if not in_china_bbox(lon, lat):
        return lon, lat
    glon, glat = gcj02_shift(np.array([lon]), np.array([lat]))
    return float(glon[0]), float(glat[0])


class ChinaMask:
    """Decides which points are in mainland China (and so are shifted to GCJ-02).

    ``polygons`` are Chinese territory (the shipped province outlines); a point inside them, or within
    ``tolerance`` degrees of their edge (simplified outlines shave border towns), is in China. Without
    polygons the coarse bounding box decides.
    """

    def __init__(self, polygons: Sequence[shapely.Geometry] = (), tolerance: float = 0.05) -> None:
        if polygons:
            area = shapely.union_all(list(polygons))
            area = area.buffer(tolerance) if tolerance > 0 else area
            shapely.prepare(area)
            self._area: shapely.Geometry | None = area
        else:
            self._area = None

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Boolean array: which points are in mainland China."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        lon_min, lat_min, lon_max, lat_max = CHINA_BBOX
        inside = (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
        if self._area is not None and inside.any():
            inside &= shapely.contains_xy(self._area, lon, lat)
        return inside

    def to_gcj02(
        self, lon: np.ndarray, lat: np.ndarray, in_china: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Shift the points in China to GCJ-02; ``in_china`` overrides the mask (e.g. a node's country)."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        mask = self.contains(lon, lat) if in_china is None else np.asarray(in_china, dtype=bool)
        out_lon, out_lat = lon.copy(), lat.copy()
        if mask.any():
            out_lon[mask], out_lat[mask] = gcj02_shift(lon[mask], lat[mask])
        return out_lon, out_lat
