"""Municipality boundaries in the store: prepared once at import (projected and simplified by
:mod:`core.geo`), read back as plain rows for maps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kommunkvalitet.core import geo
from kommunkvalitet.errors import InputError
from kommunkvalitet.sources.geo import read_municipality_shapes
from kommunkvalitet.store.models import Municipality, MunicipalityShape


def shape_fields(path: Path) -> dict[str, dict]:
    """``MunicipalityShape`` fields per municipality id from a boundary file (the import's input to
    ``_sync_objects``). Every id must be a known kommun."""
    kommuner = set(Municipality.objects.filter(type=Municipality.Type.KOMMUN).values_list("id", flat=True))
    out: dict[str, dict] = {}
    for record in read_municipality_shapes(path):
        if record.id not in kommuner:
            raise InputError(f"unknown municipality {record.id} ({record.name})", file=str(path), field="properties.id")
        paths = geo.shape_paths(record.polygons)
        x0, y0, x1, y1 = paths.bbox
        out[record.id] = {"national": paths.national, "county": paths.county, "x0": x0, "y0": y0, "x1": x1,
                          "y1": y1, "source": path.name}  # fmt: skip
    return out


@dataclass(frozen=True)
class Shape:
    id: str
    name: str
    county_id: str | None
    path: str
    bbox: tuple[int, int, int, int]


def shapes(county_id: str | None = None) -> list[Shape]:
    """The kommuner's outlines (one query): the whole country at national detail, or one county's
    kommuner (``county_id`` is Kolada's region id, e.g. ``0022``) at county detail."""
    qs = MunicipalityShape.objects.select_related("municipality").order_by("municipality_id")
    if county_id:
        qs = qs.filter(municipality__county_id=county_id)
        field = "county"
    else:
        field = "national"
    rows = qs.values_list("municipality_id", "municipality__name", "municipality__county_id", field,
                          "x0", "y0", "x1", "y1")  # fmt: skip
    return [Shape(mid, name, county, path, (x0, y0, x1, y1)) for mid, name, county, path, x0, y0, x1, y1 in rows]


def has_shapes() -> bool:
    return MunicipalityShape.objects.exists()
