"""Municipality boundaries for maps: projection, simplification and SVG path data. Pure functions.

The snapshot's boundaries are WGS 84 longitude/latitude. They are projected once, at import, with a
spherical transverse Mercator centred on 15° E (the central meridian of SWEREF 99 TM, so Sweden looks as
it does on Swedish maps), simplified with Douglas-Peucker, rounded to a grid of 100 m and written as SVG
path data in that grid. A map then only chooses a viewBox: the whole country or one county's
municipalities use the same stored paths.

Grid: ``X = (easting_km + ORIGIN_EAST_KM) * 10``, ``Y = (ORIGIN_NORTH_KM - northing_km) * 10`` (SVG's y
grows downwards), as integers. All of Sweden lies within 0 <= X < 10000 and 0 <= Y < 17000.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

EARTH_RADIUS_KM = 6371.0
CENTRAL_MERIDIAN = 15.0
ORIGIN_EAST_KM = 500.0
ORIGIN_NORTH_KM = 7700.0
GRID_PER_KM = 10  # one grid unit is 100 m

# Two levels of detail, each simplified once at import (tolerance and smallest kept ring, in km / km²).
NATIONAL = (1.2, 6.0)  # the whole country, ~400 px wide: a pixel is about 2 km
COUNTY = (0.25, 0.3)  # one county's municipalities

Ring = np.ndarray  # shape (n, 2): lon/lat degrees or projected km


@dataclass(frozen=True)
class ShapePaths:
    """One municipality's outline as SVG path data in the grid, at both levels of detail."""

    national: str
    county: str
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in grid units (of the county level)
    vertices_national: int
    vertices_county: int


def project(lonlat: np.ndarray) -> np.ndarray:
    """Transverse Mercator (sphere) of ``[[lon, lat], ...]`` in degrees to ``[[east_km, north_km], ...]``."""
    lon = np.radians(lonlat[:, 0] - CENTRAL_MERIDIAN)
    lat = np.radians(lonlat[:, 1])
    b = np.cos(lat) * np.sin(lon)
    east = EARTH_RADIUS_KM * np.arctanh(np.clip(b, -0.999999, 0.999999))
    north = EARTH_RADIUS_KM * np.arctan2(np.tan(lat), np.cos(lon))
    return np.column_stack([east, north])


def simplify(ring: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker on one closed or open line (an explicit stack, no recursion): the points kept are
    those farther than ``tolerance`` from the chord of their segment. First and last are always kept."""
    n = len(ring)
    if n <= 2:
        return ring
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        a, b = ring[first], ring[last]
        pts = ring[first + 1 : last]
        d = b - a
        length = math.hypot(d[0], d[1])
        if length == 0.0:
            dist = np.hypot(pts[:, 0] - a[0], pts[:, 1] - a[1])
        else:
            dist = np.abs(d[0] * (pts[:, 1] - a[1]) - d[1] * (pts[:, 0] - a[0])) / length
        i = int(np.argmax(dist))
        if dist[i] > tolerance:
            mid = first + 1 + i
            keep[mid] = True
            stack.append((first, mid))
            stack.append((mid, last))
    return ring[keep]


def ring_area(ring: np.ndarray) -> float:
    """Absolute area of a ring (shoelace), in the square of its units."""
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2.0


def simplify_polygons(polygons: Sequence[Sequence[Ring]], tolerance: float, min_area: float) -> list[list[Ring]]:
    """Simplify projected polygons (each a list of rings, the first the outer one). Polygons whose outer
    ring is smaller than ``min_area`` are dropped (small islands), except the largest one: a
    municipality never disappears. Holes smaller than ``min_area`` are dropped as well. A ring that
    simplifies to fewer than four points keeps its four extreme points."""
    if not polygons:
        return []
    areas = [ring_area(p[0]) for p in polygons]
    largest = int(np.argmax(areas))
    out = []
    for k, poly in enumerate(polygons):
        if areas[k] < min_area and k != largest:
            continue
        rings = []
        for j, ring in enumerate(poly):
            if j > 0 and ring_area(ring) < min_area:
                continue
            simple = simplify(ring, tolerance)
            if len(simple) < 4:
                simple = _extremes(ring)
            rings.append(simple)
        out.append(rings)
    return out


def _extremes(ring: np.ndarray) -> np.ndarray:
    idx = sorted({int(np.argmin(ring[:, 0])), int(np.argmin(ring[:, 1])), int(np.argmax(ring[:, 0])),
                  int(np.argmax(ring[:, 1]))})  # fmt: skip
    return ring[idx + [idx[0]]]


def to_grid(points_km: np.ndarray) -> np.ndarray:
    """Projected km to integer grid units (100 m), y downwards."""
    x = np.rint((points_km[:, 0] + ORIGIN_EAST_KM) * GRID_PER_KM)
    y = np.rint((ORIGIN_NORTH_KM - points_km[:, 1]) * GRID_PER_KM)
    return np.column_stack([x, y]).astype(np.int64)


def path_data(polygons_grid: Iterable[Iterable[np.ndarray]]) -> tuple[str, int]:
    """SVG path data of polygons in grid units: an absolute move to each ring's first point, then relative
    lines (the shortest text), each ring closed with ``z``; repeated points are dropped. Returns the path
    and its number of vertices."""
    parts: list[str] = []
    vertices = 0
    for poly in polygons_grid:
        for ring in poly:
            if len(ring) and (ring[0] == ring[-1]).all():
                ring = ring[:-1]
            if len(ring) == 0:
                continue
            steps = np.diff(ring, axis=0)
            steps = steps[(steps != 0).any(axis=1)]
            if len(steps) < 2:
                continue
            parts.append(f"M{ring[0][0]} {ring[0][1]}l" + " ".join(f"{dx} {dy}" for dx, dy in steps.tolist()) + "z")
            vertices += len(steps) + 1
    return "".join(parts).replace(" -", "-"), vertices


def shape_paths(polygons_lonlat: Sequence[Sequence[Ring]]) -> ShapePaths:
    """The stored form of one municipality from its polygons in lon/lat (lists of rings)."""
    projected = [[project(np.asarray(r, dtype=np.float64)) for r in poly] for poly in polygons_lonlat]
    levels = {}
    for name, (tolerance, min_area) in (("national", NATIONAL), ("county", COUNTY)):
        simple = simplify_polygons(projected, tolerance, min_area)
        grid = [[to_grid(r) for r in poly] for poly in simple]
        levels[name] = (path_data(grid), grid)
    (national, n_national), _ = levels["national"]
    (county, n_county), grid = levels["county"]
    allpts = np.concatenate([r for poly in grid for r in poly])
    bbox = (int(allpts[:, 0].min()), int(allpts[:, 1].min()), int(allpts[:, 0].max()), int(allpts[:, 1].max()))
    return ShapePaths(national, county, bbox, n_national, n_county)


def union_bbox(boxes: Iterable[tuple[int, int, int, int]], margin: float = 0.03) -> tuple[int, int, int, int]:
    """The box around ``boxes`` with a margin (a share of its larger side): ``(x, y, width, height)``."""
    boxes = list(boxes)
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[2] for b in boxes)
    y1 = max(b[3] for b in boxes)
    pad = int(max(x1 - x0, y1 - y0) * margin) + 1
    return (x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
