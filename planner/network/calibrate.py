"""Recompute the derived columns of ``geodata/network/calibration.csv`` (``python -m planner.network.calibrate``).

A *section* row names a route, two of its waypoints (the control points) and the published length
between them, with its source. This tool measures the waypoint polyline between the control points
(``geometry_km``, geodesic on WGS84) and writes ``factor = published_km / geometry_km``; the build
scales every segment of the section by it. A *default* row gives the factor of the links no section
covers: the median factor of the calibrated sections of the same mode and class (or of the mode when
the class has none), labelled as an estimate. Air links and border approaches keep 1.0.
``--check`` compares instead of writing and exits 1 on a difference.
"""

from __future__ import annotations

import csv
import io
import statistics
import sys
from collections import defaultdict

from planner.network import data
from planner.network.build import _node_by_gid, resolve_route_points, section_span, segment_lengths_km
from planner.network.places import place_table
from planner.network.waypoints import write_or_check

__all__ = ["render_calibration"]

#: Modes whose uncalibrated links keep the polyline length (great circles, short border approaches).
_UNSCALED_MODES = ("air", "crossing")


def _section_rows() -> list[dict[str, str]]:
    path = data.network_dir() / "calibration.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["kind"].strip() == "section"]


def render_calibration() -> str:
    """Return the text of ``calibration.csv`` with geometry, factors and defaults recomputed."""
    specs = {spec.id: spec for spec in data.load_routes()}
    node_by_gid = _node_by_gid(place_table())
    calibration = data.load_calibration()
    by_class: dict[tuple[str, str], list[float]] = defaultdict(list)
    by_mode: dict[str, list[float]] = defaultdict(list)
    out_rows: list[list[str]] = []
    points_by_route = resolve_route_points([specs[r] for r in {row.route for row in calibration.sections}])
    for row, raw in zip(calibration.sections, _section_rows(), strict=True):
        spec = specs[row.route]
        points = points_by_route[spec.id]
        lo, hi = section_span(spec, row, points, node_by_gid)
        geometry_km = float(segment_lengths_km(points)[lo:hi].sum())
        factor = row.published_km / geometry_km
        by_class[(spec.mode, spec.road_class)].append(factor)
        by_mode[spec.mode].append(factor)
        out_rows.append(
            ["section", row.route, raw["from"].strip(), raw["to"].strip(), "", "", raw["published_km"].strip(),
             f"{geometry_km:.2f}", f"{factor:.4f}", row.source]
        )  # fmt: skip
    used = {(spec.mode, spec.road_class) for spec in specs.values()} | {("road", "access")}
    for mode, klass in sorted(used):
        if mode in _UNSCALED_MODES:
            factor, source = 1.0, "estimate: no detour applied (great-circle air links, border approaches)"
        elif by_class.get((mode, klass)):
            values = by_class[(mode, klass)]
            factor = statistics.median(values)
            source = f"estimate: median factor of the {len(values)} calibrated {mode} {klass} sections above"
        elif by_mode.get(mode):
            values = by_mode[mode]
            factor = statistics.median(values)
            source = f"estimate: no {klass} section is calibrated; median factor of all {len(values)} calibrated {mode} sections"
        else:
            factor, source = 1.0, "estimate: no section of this mode is calibrated"
        out_rows.append(["default", "", "", "", mode, klass, "", "", f"{factor:.4f}", source])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(data.CALIBRATION_COLUMNS)
    writer.writerows(out_rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) ``calibration.csv``; return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    code = write_or_check(
        data.network_dir() / "calibration.csv", render_calibration(), "--check" in args,
        "python -m planner.network.calibrate",
    )  # fmt: skip
    data.clear_caches()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
